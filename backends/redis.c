/* redis.c: the Redis source (redis.h).
 *
 * Each configured server is a node with its own hiredis connection, kept
 * across fetches and dropped on any failure (the next fetch reconnects).
 * A connection is: connect with connect_timeout_ms, set the per-command
 * timeout_ms (SO_RCVTIMEO/SO_SNDTIMEO, so a server that accepts and never
 * answers costs one timeout), AUTH with the secret from password_env or
 * password_file, SELECT the db, then INFO on every fetch.  The nodes are
 * read one after the other on the source's worker thread; a node's failure
 * is its row's error.  The fetch fails only when no node answered. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>

#include "redis.h"
#include "xmalloc.h"

#define REDIS_PORT		6379
#define REDIS_TIMEOUT_MS	2000
#define REDIS_ERRLEN		sizeof ((struct redis_node *)0)->error
#define LINK_DOWN_MAX_S		(10 * 365 * 86400)	/* more is "never up" */

struct rnode {
	char		*name;
	char		*host;
	char		*username;
	char		*password_env;
	char		*password_file;
	int		 port;
	int		 db;
	int		 tls;
	int		 connect_timeout_ms;
	int		 timeout_ms;
	redisContext	*ctx;		/* NULL = not connected */
	int		 reset;		/* the last failure was the peer going
					 * away (worth one reconnect) */
	int64_t		 down_since_ms;	/* link seen down since, 0 = up */
};

struct rsrc {
	struct rnode	*nodes;
	int		 n;
};

static struct timeval
ms_tv(int ms)
{
	struct timeval	tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	return (tv);
}

/* "2s", "1.5s". */
static void
fmt_timeout(char *buf, size_t len, int ms)
{
	if (ms % 1000 == 0)
		snprintf(buf, len, "%ds", ms / 1000);
	else
		snprintf(buf, len, "%.1fs", ms / 1000.0);
}

static void
rnode_drop(struct rnode *rn)
{
	if (rn->ctx != NULL)
		redisFree(rn->ctx);
	rn->ctx = NULL;
}

static int
is_timeout(int e, const char *errstr)
{
	return (e == EAGAIN || e == EWOULDBLOCK || e == ETIMEDOUT ||
	    e == EINPROGRESS || strstr(errstr, "timed out") != NULL ||
	    strstr(errstr, "temporarily unavailable") != NULL);
}

/* A connection or I/O error in words; e is errno right after the call
 * (hiredis leaves it), errstr is the context's text as a fallback. */
static void
rnode_io_error(struct rnode *rn, const redisContext *c, int e, int connecting,
    char *err, size_t len)
{
	char	t[16];

	rn->reset = 0;
	if (c->err == REDIS_ERR_EOF) {
		rn->reset = 1;
		snprintf(err, len, "connection closed by the server");
	} else if (c->err == REDIS_ERR_IO && (e == ECONNREFUSED ||
	    strstr(c->errstr, "refused") != NULL))
		snprintf(err, len, "connection refused");
	else if (c->err == REDIS_ERR_IO && is_timeout(e, c->errstr)) {
		fmt_timeout(t, sizeof t, connecting ? rn->connect_timeout_ms :
		    rn->timeout_ms);
		snprintf(err, len, "%stimeout after %s", connecting ?
		    "connect " : "", t);
	} else {
		rn->reset = e == ECONNRESET || e == EPIPE;
		snprintf(err, len, "%s", c->errstr[0] != '\0' ? c->errstr :
		    "connection error");
	}
}

/* Run a command; its reply (caller frees) or NULL with err, and the
 * connection dropped (hiredis cannot use it after an I/O error). */
static redisReply *
rnode_cmd(struct rnode *rn, int argc, const char **argv, char *err,
    size_t len)
{
	redisReply	*r;

	errno = 0;
	r = redisCommandArgv(rn->ctx, argc, argv, NULL);
	if (r == NULL) {
		rnode_io_error(rn, rn->ctx, errno, 0, err, len);
		rnode_drop(rn);
	}
	return (r);
}

/* AUTH [user] password, when a password is configured. */
static int
rnode_auth(struct rnode *rn, char *err, size_t len)
{
	const char	*argv[3];
	char		*pw = NULL;
	struct error	 e;
	redisReply	*r;
	int		 argc = 0, rc = 0;

	if (config_secret(rn->password_env, rn->password_file, &pw, &e) != 0) {
		snprintf(err, len, "password: %.170s", e.msg);
		return (-1);
	}
	if (pw == NULL)
		return (0);
	argv[argc++] = "AUTH";
	if (rn->username != NULL)
		argv[argc++] = rn->username;
	argv[argc++] = pw;
	r = rnode_cmd(rn, argc, argv, err, len);
	explicit_bzero(pw, strlen(pw));
	free(pw);
	if (r == NULL)
		return (-1);
	/* A password sent to a server that has none is harmless. */
	if (r->type == REDIS_REPLY_ERROR &&
	    strstr(r->str, "without any password configured") == NULL) {
		snprintf(err, len, "authentication failed (%s)", r->str);
		rc = -1;
	}
	freeReplyObject(r);
	return (rc);
}

static int
rnode_select(struct rnode *rn, char *err, size_t len)
{
	const char	*argv[2];
	char		 db[16];
	redisReply	*r;
	int		 rc = 0;

	if (rn->db == 0)
		return (0);
	snprintf(db, sizeof db, "%d", rn->db);
	argv[0] = "SELECT";
	argv[1] = db;
	if ((r = rnode_cmd(rn, 2, argv, err, len)) == NULL)
		return (-1);
	if (r->type == REDIS_REPLY_ERROR) {
		snprintf(err, len, "SELECT %d: %s", rn->db, r->str);
		rc = -1;
	}
	freeReplyObject(r);
	return (rc);
}

static int
rnode_connect(struct rnode *rn, char *err, size_t len)
{
	redisContext	*c;
	int		 e;

	if (rn->tls) {
		/* Debian's libhiredis-dev (0.14) has no hiredis_ssl; never
		 * fall back to plain text for a TLS endpoint. */
		snprintf(err, len, "TLS (rediss://) is not supported by this "
		    "build (hiredis %d.%d without hiredis_ssl)", HIREDIS_MAJOR,
		    HIREDIS_MINOR);
		return (-1);
	}
	errno = 0;
	c = redisConnectWithTimeout(rn->host, rn->port,
	    ms_tv(rn->connect_timeout_ms));
	e = errno;
	if (c == NULL) {
		snprintf(err, len, "cannot make a connection");
		return (-1);
	}
	if (c->err != 0) {
		rnode_io_error(rn, c, e, 1, err, len);
		redisFree(c);
		return (-1);
	}
	rn->ctx = c;
	if (redisSetTimeout(c, ms_tv(rn->timeout_ms)) != REDIS_OK) {
		snprintf(err, len, "cannot set the timeout: %s", c->errstr);
		rnode_drop(rn);
		return (-1);
	}
	if (rnode_auth(rn, err, len) != 0 || rnode_select(rn, err, len) != 0) {
		rnode_drop(rn);
		return (-1);
	}
	return (0);
}

/* INFO into out; -1 with out->error. */
static int
rnode_info(struct rnode *rn, struct redis_node *out, int64_t now)
{
	const char	*argv[1] = { "INFO" };
	redisReply	*r;
	int		 rc = -1;

	if ((r = rnode_cmd(rn, 1, argv, out->error, REDIS_ERRLEN)) == NULL)
		return (-1);
	if (r->type == REDIS_REPLY_ERROR && strncmp(r->str, "NOAUTH", 6) == 0)
		snprintf(out->error, REDIS_ERRLEN, "NOAUTH: a password is "
		    "needed (password_env or password_file)");
	else if (r->type == REDIS_REPLY_ERROR)
		snprintf(out->error, REDIS_ERRLEN, "INFO: %s", r->str);
	else if (r->type != REDIS_REPLY_STRING ||
	    redis_info_parse(r->str, out, now / 1000) != 0)
		snprintf(out->error, REDIS_ERRLEN,
		    "INFO: reply not understood");
	else
		rc = 0;
	freeReplyObject(r);
	if (rc != 0)
		rnode_drop(rn);
	return (rc);
}

/* A replica's link: INFO has master_link_down_since_seconds only once the
 * link was up and went down (Redis 7 says -1 before; older versions count
 * from the epoch); otherwise count from when we first saw it down. */
static void
rnode_link(struct rnode *rn, struct redis_node *out, int64_t now)
{
	if (strcmp(out->role, "slave") != 0 ||
	    strcmp(out->link_status, "down") != 0) {
		rn->down_since_ms = 0;
		return;
	}
	if (out->link_down_s >= 0 && out->link_down_s < LINK_DOWN_MAX_S)
		rn->down_since_ms = now - out->link_down_s * 1000;
	else {
		if (rn->down_since_ms == 0)
			rn->down_since_ms = now;
		out->link_down_s = (now - rn->down_since_ms) / 1000;
	}
}

static void
rnode_fetch(struct rnode *rn, struct redis_node *out, int64_t now)
{
	int	reused, attempt;

	strlcpy_(out->name, rn->name, sizeof out->name);
	snprintf(out->addr, sizeof out->addr, strchr(rn->host, ':') != NULL ?
	    "[%s]:%d" : "%s:%d", rn->host, rn->port);
	out->last_io_s = out->link_down_s = -1;
	out->rdb_ok = -1;
	out->aof_ok = 1;
	reused = rn->ctx != NULL;
	for (attempt = 0; attempt < 2; attempt++) {
		out->error[0] = '\0';
		if (rn->ctx == NULL &&
		    rnode_connect(rn, out->error, REDIS_ERRLEN) != 0)
			return;
		if (rnode_info(rn, out, now) == 0) {
			rnode_link(rn, out, now);
			return;
		}
		/* A kept connection the server closed (restart, idle
		 * timeout): one fresh try at once, not on a timeout. */
		if (!reused || !rn->reset)
			return;
		reused = 0;
	}
}

/* The class -------------------------------------------------------------- */
static int
redis_src_open(struct source *src, struct error *err)
{
	return (0);
}

static int
redis_src_fetch(struct source *src, struct error *err)
{
	struct rsrc		*rs = src->priv;
	struct snapshot		*snap;
	struct redis_node	*nodes;
	int			 i, ok = 0;

	snap = snapshot_new(SNAP_REDIS);
	nodes = xcalloc((size_t)rs->n, sizeof *nodes);
	snap->u.redis.nodes = nodes;
	snap->u.redis.n = rs->n;
	for (i = 0; i < rs->n; i++) {
		rnode_fetch(&rs->nodes[i], &nodes[i], now_ms());
		ok += nodes[i].error[0] == '\0';
	}
	if (ok == 0) {
		error_set(err, "%s: %s%s", nodes[0].name, nodes[0].error,
		    rs->n > 1 ? " (no Redis server answered)" : "");
		snapshot_unref(snap);
		return (-1);
	}
	snap->fetched_ms = now_ms();
	source_publish(src, snap);
	return (0);
}

static void
redis_src_close(struct source *src)
{
	struct rsrc	*rs = src->priv;
	int		 i;

	for (i = 0; i < rs->n; i++)
		rnode_drop(&rs->nodes[i]);
}

static char *
xstrdup_null(const char *s)
{
	return (s != NULL ? xstrdup(s) : NULL);
}

static void
redis_src_free(struct source *src)
{
	struct rsrc	*rs = src->priv;
	struct rnode	*rn;
	int		 i;

	if (rs == NULL)
		return;
	for (i = 0; i < rs->n; i++) {
		rn = &rs->nodes[i];
		rnode_drop(rn);
		free(rn->name);
		free(rn->host);
		free(rn->username);
		free(rn->password_env);
		free(rn->password_file);
	}
	free(rs->nodes);
	free(rs);
	src->priv = NULL;
}

const struct source_class redis_source = {
	.name = "redis",
	.open = redis_src_open,
	.fetch = redis_src_fetch,
	.close = redis_src_close,
	.free = redis_src_free,
};

static void
rnode_init(struct rnode *rn, const struct cfg_redis *c)
{
	rn->name = xstrdup(c->name != NULL ? c->name : "redis");
	rn->host = xstrdup(c->host != NULL ? c->host : "127.0.0.1");
	rn->username = xstrdup_null(c->username);
	rn->password_env = xstrdup_null(c->password_env);
	rn->password_file = xstrdup_null(c->password_file);
	rn->port = c->port > 0 ? c->port : REDIS_PORT;
	rn->db = c->db;
	rn->tls = c->tls;
	rn->connect_timeout_ms = c->connect_timeout_ms > 0 ?
	    c->connect_timeout_ms : REDIS_TIMEOUT_MS;
	rn->timeout_ms = c->timeout_ms > 0 ? c->timeout_ms : REDIS_TIMEOUT_MS;
}

struct source *
redis_source_new(const struct cfg_env *env, struct error *err)
{
	struct rsrc	*rs;
	int		 i;

	err->msg[0] = '\0';
	if (env->nredis == 0)
		return (NULL);
	rs = xcalloc(1, sizeof *rs);
	rs->n = env->nredis;
	rs->nodes = xcalloc((size_t)rs->n, sizeof *rs->nodes);
	for (i = 0; i < rs->n; i++)
		rnode_init(&rs->nodes[i], &env->redis[i]);
	return (source_new(&redis_source, "redis", 1u << SNAP_REDIS,
	    env->refresh_ms, rs));
}
