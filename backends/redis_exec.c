/* redis_exec.c: action kind "redis": one command on a configured Redis
 * server.
 *
 * arg0= is the command, arg1=... its arguments, each sent whole with
 * redisCommandArgv (binary-safe lengths: nothing is parsed or split).
 * read_only=1 (checks) allows only the read commands of an allow-list and
 * refuses anything else before connecting.  Commands that would take the
 * connection over (MONITOR, SUBSCRIBE, SYNC, ...) are refused always.  One
 * connection per action: connect_timeout_ms, then SO_RCVTIMEO/SO_SNDTIMEO
 * of timeout= (default the server's timeout_ms), AUTH from password_env /
 * password_file, SELECT.  The reply is printed as redis-cli prints it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>

#include "executors.h"
#include "xmalloc.h"

#define RX_PORT			6379
#define RX_TIMEOUT_MS		2000
#define RX_TIMEOUT_MAX_MS	(600LL * 1000)
#define RX_OUTPUT_MAX		((size_t)1 << 20)
#define RX_SUMMARY_MAX		200		/* characters of a string */

struct rx_cmd {
	const char	*name;
	const char	*sub;		/* the subcommand, or NULL: any */
};

/* What read_only=1 allows.  No KEYS (it blocks the server: use SCAN), no
 * command with a STORE form, nothing that blocks. */
static const struct rx_cmd rx_reads[] = {
	{ "GET", NULL }, { "MGET", NULL }, { "STRLEN", NULL },
	{ "GETRANGE", NULL }, { "EXISTS", NULL }, { "TYPE", NULL },
	{ "TTL", NULL }, { "PTTL", NULL }, { "EXPIRETIME", NULL },
	{ "PEXPIRETIME", NULL }, { "BITCOUNT", NULL }, { "GETBIT", NULL },
	{ "BITPOS", NULL },
	{ "HGET", NULL }, { "HMGET", NULL }, { "HGETALL", NULL },
	{ "HLEN", NULL }, { "HEXISTS", NULL }, { "HKEYS", NULL },
	{ "HVALS", NULL }, { "HSTRLEN", NULL }, { "HSCAN", NULL },
	{ "LLEN", NULL }, { "LRANGE", NULL }, { "LINDEX", NULL },
	{ "LPOS", NULL },
	{ "SCARD", NULL }, { "SMEMBERS", NULL }, { "SISMEMBER", NULL },
	{ "SMISMEMBER", NULL }, { "SSCAN", NULL },
	{ "ZCARD", NULL }, { "ZRANGE", NULL }, { "ZREVRANGE", NULL },
	{ "ZRANGEBYSCORE", NULL }, { "ZREVRANGEBYSCORE", NULL },
	{ "ZSCORE", NULL }, { "ZMSCORE", NULL }, { "ZRANK", NULL },
	{ "ZREVRANK", NULL }, { "ZCOUNT", NULL }, { "ZSCAN", NULL },
	{ "XLEN", NULL }, { "XRANGE", NULL }, { "XREVRANGE", NULL },
	{ "XINFO", NULL }, { "XPENDING", NULL },
	{ "SCAN", NULL }, { "DBSIZE", NULL }, { "INFO", NULL },
	{ "PING", NULL }, { "TIME", NULL }, { "ROLE", NULL },
	{ "LASTSAVE", NULL },
	{ "MEMORY", "USAGE" }, { "MEMORY", "STATS" }, { "MEMORY", "DOCTOR" },
	{ "OBJECT", "ENCODING" }, { "OBJECT", "FREQ" },
	{ "OBJECT", "IDLETIME" }, { "OBJECT", "REFCOUNT" },
	{ "SLOWLOG", "GET" }, { "SLOWLOG", "LEN" },
	{ "CLIENT", "LIST" }, { "CLIENT", "INFO" }, { "CLIENT", "GETNAME" },
	{ "CLIENT", "ID" },
	{ "CONFIG", "GET" },
	{ "LATENCY", "LATEST" }, { "LATENCY", "HISTORY" },
	{ "LATENCY", "DOCTOR" },
	{ "CLUSTER", "INFO" }, { "CLUSTER", "NODES" }, { "CLUSTER", "SHARDS" },
	{ "CLUSTER", "MYID" },
	{ NULL, NULL }
};

/* Never: they turn the connection into a stream. */
static const char *const rx_never[] = {
	"MONITOR", "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "SYNC", "PSYNC",
	NULL
};

/* Replies printed raw, as redis-cli does: multi-line texts for people. */
static const struct rx_cmd rx_raw[] = {
	{ "INFO", NULL }, { "CLIENT", "LIST" }, { "CLIENT", "INFO" },
	{ "MEMORY", "DOCTOR" }, { "LATENCY", "DOCTOR" },
	{ "CLUSTER", "NODES" }, { "CLUSTER", "INFO" },
	{ NULL, NULL }
};

/* Commands whose first argument is a subcommand (named in a refusal; any
 * other argument may be a key or a password and is not repeated). */
static const char *const rx_containers[] = {
	"ACL", "CLIENT", "CLUSTER", "COMMAND", "CONFIG", "DEBUG", "FUNCTION",
	"LATENCY", "MEMORY", "MODULE", "OBJECT", "SCRIPT", "SLOWLOG", "XGROUP",
	"XINFO", NULL
};

static const char *const rx_keys[] = {
	"target", "read_only", "timeout", "arg", NULL
};
static const char *const rx_prefixes[] = { "arg", NULL };
static const char *const rx_repeat[] = { "arg", NULL };

struct rx_job {
	const struct action_req	*req;
	const struct cfg_redis	*cfg;
	const char		*argv[ACTION_MAX_ARGS];
	size_t			 lens[ACTION_MAX_ARGS];
	int			 argc;
	int			 ro;
	int64_t			 timeout_ms;
	redisContext		*ctx;
	int			 cut;		/* output over RX_OUTPUT_MAX */
};

/* Commands --------------------------------------------------------------- */

static int
rx_match(const struct rx_cmd *list, const struct rx_job *job)
{
	for (; list->name != NULL; list++) {
		if (strcasecmp(list->name, job->argv[0]) != 0)
			continue;
		if (list->sub == NULL || (job->argc > 1 &&
		    strcasecmp(list->sub, job->argv[1]) == 0))
			return (1);
	}
	return (0);
}

static int
rx_in(const char *const *list, const char *word)
{
	for (; *list != NULL; list++)
		if (strcasecmp(*list, word) == 0)
			return (1);
	return (0);
}

static int
rx_allowed(const struct rx_job *job, struct action_result *res)
{
	int	sub;

	if (rx_in(rx_never, job->argv[0]))
		return (executor_fail(res, "redis: %.32s is refused: it would "
		    "take the connection over", job->argv[0]));
	if (!job->ro || rx_match(rx_reads, job))
		return (0);
	sub = job->argc > 1 && rx_in(rx_containers, job->argv[0]);
	return (executor_fail(res, "redis: %.32s%s%.32s is not a read command: "
	    "refused for a read-only step", job->argv[0], sub ? " " : "",
	    sub ? job->argv[1] : ""));
}

/* Connecting ------------------------------------------------------------- */

static struct timeval
rx_tv(int64_t ms)
{
	struct timeval	tv;

	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)((ms % 1000) * 1000);
	return (tv);
}

/* A connection or I/O failure in words. */
static int
rx_io_fail(const struct rx_job *job, int e, int connecting,
    struct action_result *res)
{
	const redisContext	*c = job->ctx;
	char			 t[32];
	int64_t			 ms;

	ms = connecting ? (job->cfg->connect_timeout_ms > 0 ?
	    job->cfg->connect_timeout_ms : RX_TIMEOUT_MS) : job->timeout_ms;
	executor_fmt_limit(t, sizeof t, ms);
	if (c->err == REDIS_ERR_EOF)
		return (executor_fail(res, "redis: %s: connection closed by "
		    "the server", job->cfg->name));
	if (e == ECONNREFUSED || strstr(c->errstr, "refused") != NULL)
		return (executor_fail(res, "redis: %s: connection refused",
		    job->cfg->name));
	if (e == EAGAIN || e == EWOULDBLOCK || e == ETIMEDOUT ||
	    e == EINPROGRESS || strstr(c->errstr, "timed out") != NULL ||
	    strstr(c->errstr, "temporarily unavailable") != NULL)
		return (executor_fail(res, "redis: %s: %stimeout after %s",
		    job->cfg->name, connecting ? "connect " : "", t));
	return (executor_fail(res, "redis: %s: %s", job->cfg->name,
	    c->errstr[0] != '\0' ? c->errstr : "connection error"));
}

/* A command of our own (AUTH, SELECT): 0, or -1 with the summary. */
static int
rx_setup_cmd(struct rx_job *job, int argc, const char **argv,
    const char *what, struct action_result *res)
{
	redisReply	*r;
	int		 e, rc = 0;

	errno = 0;
	r = redisCommandArgv(job->ctx, argc, argv, NULL);
	e = errno;
	if (r == NULL)
		return (rx_io_fail(job, e, 0, res));
	/* A password sent to a server that has none is harmless. */
	if (r->type == REDIS_REPLY_ERROR &&
	    strstr(r->str, "without any password configured") == NULL)
		rc = executor_fail(res, "redis: %s: %s failed (%.200s)",
		    job->cfg->name, what, r->str);
	freeReplyObject(r);
	return (rc);
}

static int
rx_auth(struct rx_job *job, struct action_result *res)
{
	const char	*argv[3];
	char		*pw = NULL;
	struct error	 e;
	int		 argc = 0, rc;

	if (config_secret(job->cfg->password_env, job->cfg->password_file,
	    &pw, &e) != 0)
		return (executor_fail(res, "redis: %s: password: %s",
		    job->cfg->name, e.msg));
	if (pw == NULL)
		return (0);
	argv[argc++] = "AUTH";
	if (job->cfg->username != NULL)
		argv[argc++] = job->cfg->username;
	argv[argc++] = pw;
	rc = rx_setup_cmd(job, argc, argv, "authentication", res);
	explicit_bzero(pw, strlen(pw));
	free(pw);
	return (rc);
}

static int
rx_connect(struct rx_job *job, struct action_result *res)
{
	const struct cfg_redis	*c = job->cfg;
	const char		*argv[2];
	char			 db[16];
	int			 e;

	if (c->tls)
		return (executor_fail(res, "redis: %s: TLS (rediss://) is not "
		    "supported by this build", c->name));
	errno = 0;
	job->ctx = redisConnectWithTimeout(c->host != NULL ? c->host :
	    "127.0.0.1", c->port > 0 ? c->port : RX_PORT,
	    rx_tv(c->connect_timeout_ms > 0 ? c->connect_timeout_ms :
	    RX_TIMEOUT_MS));
	e = errno;
	if (job->ctx == NULL)
		return (executor_fail(res, "redis: cannot make a connection"));
	if (job->ctx->err != 0)
		return (rx_io_fail(job, e, 1, res));
	if (redisSetTimeout(job->ctx, rx_tv(job->timeout_ms)) != REDIS_OK)
		return (executor_fail(res, "redis: %s: cannot set the timeout",
		    c->name));
	if (rx_auth(job, res) != 0)
		return (-1);
	if (c->db == 0)
		return (0);
	snprintf(db, sizeof db, "%d", c->db);
	argv[0] = "SELECT";
	argv[1] = db;
	return (rx_setup_cmd(job, 2, argv, "SELECT", res));
}

/* The reply, as redis-cli prints it -------------------------------------- */

/* "text" with escapes (redis-cli's sdscatrepr). */
static void
rx_repr(struct exbuf *b, const char *s, size_t len)
{
	size_t	i;

	exbuf_add(b, "\"", 1);
	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '\\': exbuf_add(b, "\\\\", 2); break;
		case '"': exbuf_add(b, "\\\"", 2); break;
		case '\n': exbuf_add(b, "\\n", 2); break;
		case '\r': exbuf_add(b, "\\r", 2); break;
		case '\t': exbuf_add(b, "\\t", 2); break;
		case '\a': exbuf_add(b, "\\a", 2); break;
		case '\b': exbuf_add(b, "\\b", 2); break;
		default:
			if ((unsigned char)s[i] < 0x20 ||
			    (unsigned char)s[i] >= 0x7f)
				exbuf_printf(b, "\\x%02x",
				    (unsigned char)s[i]);
			else
				exbuf_add(b, s + i, 1);
			break;
		}
	}
	exbuf_add(b, "\"", 1);
}

/* A raw text without its carriage returns. */
static void
rx_raw_text(struct exbuf *b, const char *s, size_t len)
{
	size_t	i, from = 0;

	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != '\r')
			continue;
		exbuf_add(b, s + from, i - from);
		from = i + 1;
	}
}

static void rx_format(struct rx_job *, struct exbuf *, const redisReply *,
    const char *, int);

static void
rx_format_array(struct rx_job *job, struct exbuf *b, const redisReply *r,
    const char *prefix, int raw)
{
	char	*inner;
	size_t	 i, n;
	int	 idxlen = 0;

	if (r->elements == 0) {
		exbuf_add(b, "(empty array)\n", 14);
		return;
	}
	for (n = r->elements; n > 0; n /= 10)
		idxlen++;
	xasprintf(&inner, "%s%*s", prefix, idxlen + 2, "");
	for (i = 0; i < r->elements && !job->cut; i++) {
		/* The parent already wrote the first element's prefix. */
		exbuf_printf(b, "%s%*zu) ", i == 0 ? "" : prefix, idxlen,
		    i + 1);
		rx_format(job, b, r->element[i], inner, raw);
	}
	free(inner);
}

static void
rx_format(struct rx_job *job, struct exbuf *b, const redisReply *r,
    const char *prefix, int raw)
{
	if (b->len > RX_OUTPUT_MAX) {
		job->cut = 1;
		return;
	}
	switch (r->type) {
	case REDIS_REPLY_ERROR:
		exbuf_printf(b, "(error) %s\n", r->str);
		break;
	case REDIS_REPLY_STATUS:
		exbuf_printf(b, "%s\n", r->str);
		break;
	case REDIS_REPLY_INTEGER:
		exbuf_printf(b, "(integer) %lld\n", r->integer);
		break;
	case REDIS_REPLY_NIL:
		exbuf_add(b, "(nil)\n", 6);
		break;
	case REDIS_REPLY_STRING:
		if (raw)
			rx_raw_text(b, r->str, r->len);
		else
			rx_repr(b, r->str, r->len);
		if (b->len == 0 || b->s[b->len - 1] != '\n')
			exbuf_add(b, "\n", 1);
		break;
	case REDIS_REPLY_ARRAY:
		rx_format_array(job, b, r, prefix, raw);
		break;
	default:
		exbuf_printf(b, "(reply type %d)\n", r->type);
		break;
	}
}

static void
rx_summary(struct rx_job *job, const redisReply *r, int raw,
    struct action_result *res)
{
	struct exbuf	b = { NULL, 0, 0 };

	switch (r->type) {
	case REDIS_REPLY_ERROR:
		executor_fail(res, "(error) %.400s", r->str);
		return;
	case REDIS_REPLY_STRING:
		if (raw || r->len > RX_SUMMARY_MAX)
			snprintf(res->summary, sizeof res->summary,
			    "%zu bytes", r->len);
		else {
			rx_repr(&b, r->str, r->len);
			snprintf(res->summary, sizeof res->summary, "%s", b.s);
		}
		break;
	case REDIS_REPLY_ARRAY:
		if (r->elements == 0)
			snprintf(res->summary, sizeof res->summary,
			    "(empty array)");
		else
			snprintf(res->summary, sizeof res->summary,
			    "%zu element%s", r->elements, r->elements == 1 ?
			    "" : "s");
		break;
	default:
		rx_format(job, &b, r, "", 0);
		snprintf(res->summary, sizeof res->summary, "%.*s",
		    (int)strcspn(b.s, "\n"), b.s);
		break;
	}
	free(b.s);
	res->ok = 1;
}

/* Running ---------------------------------------------------------------- */

static int
rx_command(struct rx_job *job, struct action_result *res)
{
	struct exbuf	 b = { NULL, 0, 0 };
	redisReply	*r;
	int		 e, raw = rx_match(rx_raw, job);

	errno = 0;
	r = redisCommandArgv(job->ctx, job->argc, job->argv, job->lens);
	e = errno;
	if (r == NULL)
		return (rx_io_fail(job, e, 0, res));
	rx_format(job, &b, r, "", raw);
	if (job->cut)
		exbuf_add(&b, "[output cut at 1 MiB]\n", 22);
	res->output = exbuf_take(&b);
	action_emit(job->req, res->output, strlen(res->output));
	rx_summary(job, r, raw, res);
	freeReplyObject(r);
	return (res->ok ? 0 : -1);
}

static int
rx_prepare(struct rx_job *job, const struct cfg_env *env,
    struct action_result *res)
{
	const char	*target = action_arg(job->req, "target");
	int		 i;

	if (executor_check_keys(job->req, rx_keys, rx_prefixes, rx_repeat,
	    res) != 0 || executor_read_only(job->req, &job->ro, res) != 0 ||
	    (job->argc = executor_values(job->req, "arg", 0, job->argv,
	    res)) < 0)
		return (-1);
	if (target == NULL || *target == '\0')
		return (executor_fail(res, "redis: no target= (a redis server "
		    "of the environment)"));
	for (i = 0; env != NULL && i < env->nredis; i++)
		if (env->redis[i].name != NULL &&
		    strcmp(env->redis[i].name, target) == 0)
			job->cfg = &env->redis[i];
	if (job->cfg == NULL)
		return (executor_fail(res, "redis: no such target in this "
		    "environment: %.64s", target));
	if (job->argc == 0 || *job->argv[0] == '\0')
		return (executor_fail(res, "redis: no arg0= (the command)"));
	for (i = 0; i < job->argc; i++)
		job->lens[i] = strlen(job->argv[i]);
	if (executor_duration(job->req, "timeout", job->cfg->timeout_ms > 0 ?
	    job->cfg->timeout_ms : RX_TIMEOUT_MS, RX_TIMEOUT_MAX_MS,
	    &job->timeout_ms, res) != 0)
		return (-1);
	return (rx_allowed(job, res));
}

static int
rx_run(void *ctx, const struct action_req *req, struct action_result *res,
    const volatile int *cancel)
{
	struct rx_job	job;
	int		rc = -1;

	memset(&job, 0, sizeof job);
	job.req = req;
	if (rx_prepare(&job, ctx, res) == 0 && rx_connect(&job, res) == 0) {
		if (*cancel)
			executor_fail(res, "cancelled before the command was "
			    "sent");
		else
			rc = rx_command(&job, res);
	}
	if (job.ctx != NULL)
		redisFree(job.ctx);
	return (rc);
}

void
redis_exec_register(struct actions *a, const struct cfg_env *env)
{
	actions_register(a, "redis", rx_run, (void *)env);
}
