/* audit_net.c: where the trail's head is copied (anchors) and where its
 * records are mirrored, each through a small function with timeouts:
 *
 *   file      one JSON line per anchor, appended and fsync'ed
 *   postgres  a table (created if missing), INSERT with bind parameters;
 *             libpq non-blocking, every wait bounded by poll()
 *   redis     SET KEY:TRAIL to the head (hiredis with connect and
 *             command timeouts)
 *
 * A trail is named by the hash of its first record.  Nothing here blocks
 * the UI: the worker thread calls it (and verify, which may wait). */
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hiredis/hiredis.h>
#include <libpq-fe.h>

#include "audit_int.h"
#include "config.h"
#include "xmalloc.h"

/* PostgreSQL ------------------------------------------------------------- */

static int
apg_wait(PGconn *c, short events, int64_t deadline)
{
	struct pollfd	pfd;
	int64_t		left;
	int		n;

	pfd.fd = PQsocket(c);
	pfd.events = events;
	for (;;) {
		if ((left = deadline - mono_ms()) <= 0)
			return (-1);
		if ((n = poll(&pfd, 1, (int)left)) > 0)
			return (0);
		if (n < 0 && errno != EINTR)
			return (-1);
	}
}

static void
apg_error(PGconn *c, const char *what, struct error *err)
{
	char	msg[200];

	snprintf(msg, sizeof msg, "%s", c != NULL ? PQerrorMessage(c) : "");
	msg[strcspn(msg, "\n")] = '\0';
	error_set(err, "%s: %s", what, msg[0] ? msg : "failed");
}

/* "relation ... already exists, skipping": nothing to say. */
static void
apg_notice(void *arg, const char *msg)
{
}

static PGconn *
apg_connect(const struct cfg_audit_pg *cfg, struct error *err)
{
	const struct cfg_postgres	*p = &cfg->pg;
	const char			*keys[8], *vals[8];
	char				 ct[16], opt[64], *pw = NULL;
	PGconn				*c;
	PostgresPollingStatusType	 st = PGRES_POLLING_WRITING;
	int64_t				 deadline;
	int				 n = 0;

	if (config_secret(p->password_env, p->password_file, &pw, err) != 0)
		return (NULL);
	snprintf(ct, sizeof ct, "%d", p->connect_timeout_s);
	snprintf(opt, sizeof opt, "-c statement_timeout=%d",
	    p->statement_timeout_ms);
#define KV(k, v) do { keys[n] = (k); vals[n++] = (v); } while (0)
	if (p->conninfo != NULL)
		KV("dbname", p->conninfo);
	if (p->service != NULL)
		KV("service", p->service);
	if (pw != NULL)
		KV("password", pw);
	KV("connect_timeout", ct);
	KV("application_name", "sitrep-audit");
	KV("options", opt);
#undef KV
	keys[n] = vals[n] = NULL;
	c = PQconnectStartParams(keys, vals, 1);
	if (pw != NULL) {
		explicit_bzero(pw, strlen(pw));
		free(pw);
	}
	deadline = mono_ms() + (int64_t)p->connect_timeout_s * 1000;
	while (c != NULL && PQstatus(c) != CONNECTION_BAD &&
	    st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED) {
		if (apg_wait(c, st == PGRES_POLLING_READING ? POLLIN : POLLOUT,
		    deadline) != 0) {
			error_set(err, "postgres: no connection after %d s",
			    p->connect_timeout_s);
			PQfinish(c);
			return (NULL);
		}
		st = PQconnectPoll(c);
	}
	if (c == NULL || st != PGRES_POLLING_OK) {
		apg_error(c, "postgres", err);
		PQfinish(c);
		return (NULL);
	}
	PQsetnonblocking(c, 1);
	PQsetNoticeProcessor(c, apg_notice, NULL);
	return (c);
}

/* One statement within statement_timeout + 1 s.  The result (command or
 * tuples ok; caller PQclear()s), or NULL and err. */
static PGresult *
apg_exec(PGconn *c, const struct cfg_audit_pg *cfg, const char *sql, int n,
    const char *const *params, struct error *err)
{
	PGresult	*r, *keep = NULL;
	int64_t		 deadline = mono_ms() + cfg->pg.statement_timeout_ms +
	    1000;
	int		 f;

	if (!PQsendQueryParams(c, sql, n, NULL, params, NULL, NULL, 0)) {
		apg_error(c, "postgres", err);
		return (NULL);
	}
	while ((f = PQflush(c)) == 1)
		if (apg_wait(c, POLLOUT, deadline) != 0)
			goto timeout;
	while (f == 0 && PQisBusy(c)) {
		if (apg_wait(c, POLLIN, deadline) != 0)
			goto timeout;
		if (!PQconsumeInput(c))
			break;
	}
	while ((r = PQgetResult(c)) != NULL) {
		if (keep == NULL)
			keep = r;
		else
			PQclear(r);
	}
	if (keep != NULL && (PQresultStatus(keep) == PGRES_COMMAND_OK ||
	    PQresultStatus(keep) == PGRES_TUPLES_OK))
		return (keep);
	error_set(err, "postgres: %.200s", keep != NULL ?
	    PQresultErrorMessage(keep) : PQerrorMessage(c));
	err->msg[strcspn(err->msg, "\n")] = '\0';
	PQclear(keep);
	return (NULL);
timeout:
	error_set(err, "postgres: no answer within %d ms",
	    cfg->pg.statement_timeout_ms + 1000);
	return (NULL);
}

/* sql with its "%s" the table's quoted name.  Caller frees. */
static char *
apg_sql(PGconn *c, const char *sql, const char *table)
{
	char		*id = PQescapeIdentifier(c, table, strlen(table)), *s;
	const char	*at = strstr(sql, "%s");

	if (id == NULL || at == NULL)
		fatalx("audit: out of memory");
	xasprintf(&s, "%.*s%s%s", (int)(at - sql), sql, id, at + 2);
	PQfreemem(id);
	return (s);
}

static int
apg_run(PGconn *c, const struct cfg_audit_pg *cfg, const char *fmt, int n,
    const char *const *params, struct error *err)
{
	PGresult	*r;
	char		*sql = apg_sql(c, fmt, cfg->table);

	r = apg_exec(c, cfg, sql, n, params, err);
	free(sql);
	PQclear(r);
	return (r != NULL ? 0 : -1);
}

#define ANCHOR_TABLE "CREATE TABLE IF NOT EXISTS %s (" \
	"trail text NOT NULL, seq bigint NOT NULL, hash text NOT NULL, " \
	"host text, anchored_at timestamptz NOT NULL DEFAULT now(), " \
	"PRIMARY KEY (trail, seq))"
#define ANCHOR_INSERT "INSERT INTO %s (trail, seq, hash, host) " \
	"VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING"
#define ANCHOR_SELECT "SELECT seq, hash, to_char(anchored_at AT TIME ZONE " \
	"'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM %s WHERE trail = $1 " \
	"ORDER BY seq"

static int
apg_anchor(const struct cfg_audit_pg *cfg, const char *trail, uint64_t seq,
    const char *hash, const char *host, struct error *err)
{
	const char	*p[4];
	char		 s[24];
	PGconn		*c;
	int		 rc;

	if ((c = apg_connect(cfg, err)) == NULL)
		return (-1);
	snprintf(s, sizeof s, "%llu", (unsigned long long)seq);
	p[0] = trail, p[1] = s, p[2] = hash, p[3] = host;
	rc = apg_run(c, cfg, ANCHOR_TABLE, 0, NULL, err) == 0 &&
	    apg_run(c, cfg, ANCHOR_INSERT, 4, p, err) == 0 ? 0 : -1;
	PQfinish(c);
	return (rc);
}

static void
anchor_add(struct anchor **v, int *n, const char *src, const char *trail,
    uint64_t seq, const char *hash, const char *time)
{
	struct anchor	*a;

	if (hash == NULL || strlen(hash) != 64)
		return;
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	a = &(*v)[(*n)++];
	memset(a, 0, sizeof *a);
	snprintf(a->source, sizeof a->source, "%s", src);
	snprintf(a->trail, sizeof a->trail, "%s", trail);
	a->seq = seq;
	snprintf(a->hash, sizeof a->hash, "%s", hash);
	snprintf(a->time, sizeof a->time, "%s", time ? time : "?");
}

static int
apg_anchors(const struct cfg_audit_pg *cfg, const char *trail,
    struct anchor **v, int *n, struct error *err)
{
	PGresult	*r;
	PGconn		*c;
	char		*sql;
	int		 i;

	if ((c = apg_connect(cfg, err)) == NULL)
		return (-1);
	sql = apg_sql(c, ANCHOR_SELECT, cfg->table);
	r = apg_exec(c, cfg, sql, 1, &trail, err);
	free(sql);
	for (i = 0; r != NULL && i < PQntuples(r); i++)
		anchor_add(v, n, "postgres", trail, strtoull(PQgetvalue(r, i,
		    0), NULL, 10), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2));
	PQclear(r);
	PQfinish(c);
	return (r != NULL ? 0 : -1);
}

/* The mirror ------------------------------------------------------------- */

struct amirror {
	const struct cfg_audit_pg	*cfg;
	PGconn				*conn;
	int				 ready;	/* table created */
};

#define MIRROR_TABLE "CREATE TABLE IF NOT EXISTS %s (" \
	"seq bigint NOT NULL, hash text NOT NULL, prev text NOT NULL, " \
	"time timestamptz NOT NULL, type text NOT NULL, incident text, " \
	"actor text, trail text NOT NULL, line text NOT NULL, " \
	"record jsonb NOT NULL, PRIMARY KEY (seq, hash))"
#define MIRROR_INSERT "INSERT INTO %s (seq, hash, prev, time, type, " \
	"incident, actor, trail, line, record) VALUES ($1, $2, $3, $4, $5, " \
	"$6, $7, $8, $9::text, $9::text::jsonb) ON CONFLICT (seq, hash) DO NOTHING"

struct amirror *
amirror_new(const struct cfg_audit_pg *cfg)
{
	struct amirror	*m = xcalloc(1, sizeof *m);

	m->cfg = cfg;
	return (m);
}

void
amirror_free(struct amirror *m)
{
	if (m == NULL)
		return;
	PQfinish(m->conn);
	free(m);
}

int
amirror_insert(struct amirror *m, const struct arec *r, const char *line,
    const char *trail, struct error *err)
{
	const char	*p[9];
	char		 seq[24], who[320];

	if (m->conn == NULL && (m->conn = apg_connect(m->cfg, err)) == NULL)
		return (-1);
	if (!m->ready && apg_run(m->conn, m->cfg, MIRROR_TABLE, 0, NULL,
	    err) != 0)
		goto fail;
	m->ready = 1;
	snprintf(seq, sizeof seq, "%llu", (unsigned long long)r->seq);
	aread_who(r->root, who, sizeof who);
	p[0] = seq, p[1] = r->hash, p[2] = r->prev;
	p[3] = arec_str(r->root, "time"), p[4] = r->type;
	p[5] = arec_str(r->root, "incident"), p[6] = who, p[7] = trail;
	p[8] = line;
	if (apg_run(m->conn, m->cfg, MIRROR_INSERT, 9, p, err) == 0)
		return (0);
fail:
	PQfinish(m->conn);
	m->conn = NULL;
	m->ready = 0;
	return (-1);
}

/* Redis ------------------------------------------------------------------ */

static struct timeval
ard_tv(int ms)
{
	struct timeval	tv = { ms / 1000, (ms % 1000) * 1000 };

	return (tv);
}

static redisReply *
ard_cmd(redisContext *c, int argc, const char **argv, struct error *err)
{
	redisReply	*r = redisCommandArgv(c, argc, argv, NULL);

	if (r == NULL)
		error_set(err, "redis: %s", c->errstr[0] ? c->errstr :
		    "no answer");
	else if (r->type == REDIS_REPLY_ERROR) {
		error_set(err, "redis: %.200s", r->str);
		freeReplyObject(r);
		r = NULL;
	}
	return (r);
}

static int
ard_login(redisContext *c, const struct cfg_redis *cfg, struct error *err)
{
	const char	*argv[3];
	char		*pw = NULL, db[16];
	redisReply	*r = NULL;
	int		 argc = 0, ok = 1;

	if (config_secret(cfg->password_env, cfg->password_file, &pw, err) != 0)
		return (-1);
	if (pw != NULL) {
		argv[argc++] = "AUTH";
		if (cfg->username != NULL)
			argv[argc++] = cfg->username;
		argv[argc++] = pw;
		ok = (r = ard_cmd(c, argc, argv, err)) != NULL;
		freeReplyObject(r);
		explicit_bzero(pw, strlen(pw));
		free(pw);
	}
	if (ok && cfg->db != 0) {
		snprintf(db, sizeof db, "%d", cfg->db);
		argv[0] = "SELECT";
		argv[1] = db;
		ok = (r = ard_cmd(c, 2, argv, err)) != NULL;
		freeReplyObject(r);
	}
	return (ok ? 0 : -1);
}

static redisContext *
ard_connect(const struct cfg_audit_redis *cfg, struct error *err)
{
	const struct cfg_redis	*rc = &cfg->redis;
	redisContext		*c;

	if (rc->tls) {
		error_set(err, "redis: rediss:// is not supported by this "
		    "build (no hiredis_ssl)");
		return (NULL);
	}
	c = redisConnectWithTimeout(rc->host, rc->port,
	    ard_tv(rc->connect_timeout_ms));
	if (c == NULL || c->err != 0) {
		error_set(err, "redis %s:%d: %s", rc->host, rc->port,
		    c != NULL ? c->errstr : "cannot connect");
		redisFree(c);
		return (NULL);
	}
	if (redisSetTimeout(c, ard_tv(rc->timeout_ms)) != REDIS_OK ||
	    ard_login(c, rc, err) != 0) {
		if (err->msg[0] == '\0')
			error_set(err, "redis: %s", c->errstr);
		redisFree(c);
		return (NULL);
	}
	return (c);
}

static int
ard_anchor(const struct cfg_audit_redis *cfg, const char *trail,
    uint64_t seq, const char *hash, struct error *err)
{
	const char	*argv[3];
	char		*key, *val, tm[32];
	redisContext	*c;
	redisReply	*r;

	if ((c = ard_connect(cfg, err)) == NULL)
		return (-1);
	arec_time(now_ms(), tm);
	xasprintf(&key, "%s:%s", cfg->key, trail);
	xasprintf(&val, "{\"seq\":%llu,\"hash\":\"%s\",\"time\":\"%s\"}",
	    (unsigned long long)seq, hash, tm);
	argv[0] = "SET", argv[1] = key, argv[2] = val;
	r = ard_cmd(c, 3, argv, err);
	freeReplyObject(r);
	redisFree(c);
	free(key);
	free(val);
	return (r != NULL ? 0 : -1);
}

static int
ard_anchors(const struct cfg_audit_redis *cfg, const char *trail,
    struct anchor **v, int *n, struct error *err)
{
	const char	*argv[2];
	char		*key;
	redisContext	*c;
	redisReply	*r;
	cJSON		*j;

	if ((c = ard_connect(cfg, err)) == NULL)
		return (-1);
	xasprintf(&key, "%s:%s", cfg->key, trail);
	argv[0] = "GET", argv[1] = key;
	r = ard_cmd(c, 2, argv, err);
	if (r != NULL && r->type == REDIS_REPLY_STRING &&
	    (j = cJSON_Parse(r->str)) != NULL) {
		anchor_add(v, n, "redis", trail, (uint64_t)arec_int(j, "seq",
		    0), arec_str(j, "hash"), arec_str(j, "time"));
		cJSON_Delete(j);
	}
	freeReplyObject(r);
	redisFree(c);
	free(key);
	return (r != NULL ? 0 : -1);
}

/* A file ----------------------------------------------------------------- */

int
anet_file_anchor(const char *file, const char *trail, uint64_t seq,
    const char *hash, struct error *err)
{
	char	*line, tm[32];
	int	 fd, n, ok;

	arec_time(now_ms(), tm);
	n = xasprintf(&line, "{\"trail\":\"%s\",\"seq\":%llu,\"hash\":\"%s\","
	    "\"time\":\"%s\"}\n", trail, (unsigned long long)seq, hash, tm);
	if ((fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0600)) == -1) {
		error_set(err, "%s: %s", file, strerror(errno));
		free(line);
		return (-1);
	}
	ok = write(fd, line, n) == n && fsync(fd) == 0;
	if (!ok)
		error_set(err, "%s: %s", file, strerror(errno));
	close(fd);
	free(line);
	return (ok ? 0 : -1);
}

int
anet_file_anchors(const char *file, const char *trail, struct anchor **v,
    int *n, struct error *err)
{
	struct areader	 rd;
	cJSON		*j;
	const char	*t;

	if (areader_open(&rd, file) != 0) {
		error_set(err, "anchor file %s: %s", file, strerror(errno));
		return (-1);
	}
	while (areader_next(&rd) == 1) {
		if ((j = cJSON_Parse(rd.buf)) == NULL)
			continue;
		if ((t = arec_str(j, "trail")) != NULL && strcmp(t, trail) == 0)
			anchor_add(v, n, "file", trail, (uint64_t)arec_int(j,
			    "seq", 0), arec_str(j, "hash"), arec_str(j,
			    "time"));
		cJSON_Delete(j);
	}
	areader_close(&rd);
	return (0);
}

/* All of them ------------------------------------------------------------ */

void
anet_anchor(const struct cfg_audit *cfg, const char *trail, uint64_t seq,
    const char *hash, const char *host,
    void (*fail)(void *, const char *, const char *), void *arg)
{
	struct error	err;

	memset(&err, 0, sizeof err);
	if (cfg->anchor_file != NULL && anet_file_anchor(cfg->anchor_file,
	    trail, seq, hash, &err) != 0)
		fail(arg, "file", err.msg);
	memset(&err, 0, sizeof err);
	if (cfg->anchor_pg != NULL && apg_anchor(cfg->anchor_pg, trail, seq,
	    hash, host, &err) != 0)
		fail(arg, "postgres", err.msg);
	memset(&err, 0, sizeof err);
	if (cfg->anchor_redis != NULL && ard_anchor(cfg->anchor_redis, trail,
	    seq, hash, &err) != 0)
		fail(arg, "redis", err.msg);
}

int
anet_anchors(const struct cfg_audit *cfg, const char *file,
    const char *trail, struct anchor **v, int *n, struct error *err)
{
	*v = NULL;
	*n = 0;
	if (file != NULL && anet_file_anchors(file, trail, v, n, err) != 0)
		return (-1);
	if (cfg == NULL)
		return (0);
	if (cfg->anchor_file != NULL && anet_file_anchors(cfg->anchor_file,
	    trail, v, n, err) != 0)
		return (-1);
	if (cfg->anchor_pg != NULL && apg_anchors(cfg->anchor_pg, trail, v, n,
	    err) != 0)
		return (-1);
	if (cfg->anchor_redis != NULL && ard_anchors(cfg->anchor_redis, trail,
	    v, n, err) != 0)
		return (-1);
	if (cfg->anchor_file == NULL && cfg->anchor_pg == NULL &&
	    cfg->anchor_redis == NULL && file == NULL) {
		error_set(err, "no anchors are configured (audit.anchors)");
		return (-1);
	}
	return (0);
}
