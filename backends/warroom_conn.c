/* warroom_conn.c: one hiredis connection to the war room's Redis
 * (warroom_int.h): connect with connect_timeout_ms, per-command
 * timeout_ms (SO_RCVTIMEO/SO_SNDTIMEO), AUTH [username] password from
 * password_env / password_file, SELECT; commands with whole arguments;
 * failures in words ("redis 127.0.0.1:6390: Connection refused"). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>

#include "warroom_int.h"
#include "xmalloc.h"

#define WC_PORT		6379
#define WC_TIMEOUT_MS	2000

static struct timeval
wc_tv(int ms)
{
	struct timeval	tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	return (tv);
}

static int
wc_connect_ms(const struct cfg_redis *r)
{
	return (r->connect_timeout_ms > 0 ? r->connect_timeout_ms :
	    WC_TIMEOUT_MS);
}

static int
wc_timeout_ms(const struct cfg_redis *r)
{
	return (r->timeout_ms > 0 ? r->timeout_ms : WC_TIMEOUT_MS);
}

static void
wc_fail(struct wr_conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "redis HOST:PORT: what" */
static void
wc_fail(struct wr_conn *c, const char *fmt, ...)
{
	va_list	ap;
	char	what[128];

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	snprintf(c->err, sizeof c->err, "redis %.48s:%d: %.120s", c->cfg->host !=
	    NULL ? c->cfg->host : "127.0.0.1", c->cfg->port > 0 ?
	    c->cfg->port : WC_PORT, what);
}

static int
wc_is_timeout(int e, const char *errstr)
{
	return (e == EAGAIN || e == EWOULDBLOCK || e == ETIMEDOUT ||
	    e == EINPROGRESS || strstr(errstr, "timed out") != NULL ||
	    strstr(errstr, "temporarily unavailable") != NULL);
}

/* An I/O failure of ctx (e: errno right after the call); closes it. */
static void
wc_io_fail(struct wr_conn *c, redisContext *ctx, int e, int connecting)
{
	int	ms = connecting ? wc_connect_ms(c->cfg) : wc_timeout_ms(c->cfg);

	if (ctx->err == REDIS_ERR_EOF)
		wc_fail(c, "connection closed by the server");
	else if (ctx->err == REDIS_ERR_IO && wc_is_timeout(e, ctx->errstr))
		wc_fail(c, "%stimeout after %d ms", connecting ? "connect " :
		    "", ms);
	else
		wc_fail(c, "%s", ctx->errstr[0] != '\0' ? ctx->errstr :
		    "connection error");
	redisFree(ctx);
	if (c->ctx == ctx)
		c->ctx = NULL;
}

redisReply *
wr_conn_cmd(struct wr_conn *c, int argc, const char **argv)
{
	redisReply	*r;

	if (c->ctx == NULL) {
		if (c->err[0] == '\0')
			wc_fail(c, "not connected");
		return (NULL);
	}
	errno = 0;
	r = redisCommandArgv(c->ctx, argc, argv, NULL);
	if (r == NULL) {
		wc_io_fail(c, c->ctx, errno, 0);
		return (NULL);
	}
	if (r->type == REDIS_REPLY_ERROR) {
		wc_fail(c, "%.24s: %.120s", argv[0], r->str);
		freeReplyObject(r);
		return (NULL);
	}
	return (r);
}

int
wr_conn_do(struct wr_conn *c, int argc, const char **argv)
{
	redisReply	*r;

	if ((r = wr_conn_cmd(c, argc, argv)) == NULL)
		return (-1);
	freeReplyObject(r);
	return (0);
}

/* The arguments up to the NULL into argv; their number. */
static int
wc_args(const char **argv, const char *first, va_list ap)
{
	const char	*s;
	int		 argc = 0;

	argv[argc++] = first;
	while ((s = va_arg(ap, const char *)) != NULL) {
		if (argc == WR_ARGS_MAX)
			fatalx("war room: a command of more than %d arguments",
			    WR_ARGS_MAX);
		argv[argc++] = s;
	}
	return (argc);
}

redisReply *
wr_conn_cmdl(struct wr_conn *c, const char *first, ...)
{
	const char	*argv[WR_ARGS_MAX];
	va_list		 ap;
	int		 argc;

	va_start(ap, first);
	argc = wc_args(argv, first, ap);
	va_end(ap);
	return (wr_conn_cmd(c, argc, argv));
}

int
wr_conn_dol(struct wr_conn *c, const char *first, ...)
{
	const char	*argv[WR_ARGS_MAX];
	va_list		 ap;
	int		 argc;

	va_start(ap, first);
	argc = wc_args(argv, first, ap);
	va_end(ap);
	return (wr_conn_do(c, argc, argv));
}

static int
wc_auth(struct wr_conn *c)
{
	const char	*argv[3];
	char		*pw = NULL;
	struct error	 e;
	redisReply	*r;
	int		 argc = 0;

	if (config_secret(c->cfg->password_env, c->cfg->password_file, &pw,
	    &e) != 0) {
		wc_fail(c, "password: %.150s", e.msg);
		return (-1);
	}
	if (pw == NULL)
		return (0);
	argv[argc++] = "AUTH";
	if (c->cfg->username != NULL)
		argv[argc++] = c->cfg->username;
	argv[argc++] = pw;
	errno = 0;
	r = redisCommandArgv(c->ctx, argc, argv, NULL);
	explicit_bzero(pw, strlen(pw));
	free(pw);
	if (r == NULL) {
		wc_io_fail(c, c->ctx, errno, 0);
		return (-1);
	}
	/* A password sent to a server that has none is harmless. */
	if (r->type == REDIS_REPLY_ERROR &&
	    strstr(r->str, "without any password configured") == NULL) {
		wc_fail(c, "authentication failed (%.120s)", r->str);
		freeReplyObject(r);
		return (-1);
	}
	freeReplyObject(r);
	return (0);
}

int
wr_conn_open(struct wr_conn *c, const struct cfg_redis *cfg)
{
	const char	*argv[2];
	redisContext	*ctx;
	char		 db[16];
	int		 e;

	c->cfg = cfg;
	c->err[0] = '\0';
	wr_conn_close(c);
	if (cfg->tls) {
		wc_fail(c, "TLS (rediss://) is not supported by this build");
		return (-1);
	}
	errno = 0;
	ctx = redisConnectWithTimeout(cfg->host != NULL ? cfg->host :
	    "127.0.0.1", cfg->port > 0 ? cfg->port : WC_PORT,
	    wc_tv(wc_connect_ms(cfg)));
	e = errno;
	if (ctx == NULL) {
		wc_fail(c, "cannot make a connection");
		return (-1);
	}
	if (ctx->err != 0) {
		wc_io_fail(c, ctx, e, 1);
		return (-1);
	}
	c->ctx = ctx;
	if (redisSetTimeout(ctx, wc_tv(wc_timeout_ms(cfg))) != REDIS_OK) {
		wc_fail(c, "cannot set the timeout");
		wr_conn_close(c);
		return (-1);
	}
	if (wc_auth(c) != 0)
		goto fail;
	if (cfg->db == 0)
		return (0);
	snprintf(db, sizeof db, "%d", cfg->db);
	argv[0] = "SELECT";
	argv[1] = db;
	if (wr_conn_do(c, 2, argv) == 0)
		return (0);
fail:
	wr_conn_close(c);
	return (-1);
}

void
wr_conn_close(struct wr_conn *c)
{
	if (c->ctx != NULL)
		redisFree(c->ctx);
	c->ctx = NULL;
}

static char *
wc_dup(const char *s)
{
	return (s != NULL ? xstrdup(s) : NULL);
}

void
wr_cfg_copy(struct cfg_redis *dst, const struct cfg_redis *src)
{
	*dst = *src;
	dst->name = wc_dup(src->name);
	dst->url = wc_dup(src->url);
	dst->host = wc_dup(src->host);
	dst->username = wc_dup(src->username);
	dst->password_env = wc_dup(src->password_env);
	dst->password_file = wc_dup(src->password_file);
}

void
wr_cfg_free(struct cfg_redis *r)
{
	free(r->name);
	free(r->url);
	free(r->host);
	free(r->username);
	free(r->password_env);
	free(r->password_file);
	memset(r, 0, sizeof *r);
}

char *
wr_key_inc(const char *prefix, const char *inc, const char *what)
{
	char	*k;

	xasprintf(&k, "%sinc:%s:%s", prefix, inc, what);
	return (k);
}

char *
wr_key_approval(const char *prefix, const char *code, int answer)
{
	char	*k;

	xasprintf(&k, "%sapproval:%s%s", prefix, code, answer ? ":answer" :
	    "");
	return (k);
}
