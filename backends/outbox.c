/* outbox.c: the outbox backlog source (outbox.h; the queries and the
 * indexes they rely on are in docs/outbox.md).
 *
 * The state kept across refreshes is one ob_conn per (server, database)
 * and one ob_box per configured outbox, with the box's pending trend.
 * Every libpq call that talks to a server is non-blocking and waits in
 * poll() against a deadline (pgconn.c), so a hung server costs this
 * source its freshness and never more than connect_timeout per connection
 * and statement_timeout + 1 s per query. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "outbox.h"
#include "pgconn.h"
#include "snapshot.h"
#include "xmalloc.h"

#define OB_CONNECT_TIMEOUT_S	3	/* when the configuration has none */
#define OB_STATEMENT_TIMEOUT_MS	2000
#define OB_GRACE_MS		1000	/* client deadline past the server's */
#define OB_MAX_BACKOFF_MS	60000

enum ob_col { OB_ID, OB_OCCURRED, OB_PROCESSED, OB_ERROR, OB_TYPE,
	OB__NCOLS };

/* The configuration keys of the columns, for messages. */
static const char *const ob_col_keys[OB__NCOLS] = {
	"id", "occurred", "processed", "error", "type"
};

/* One connection, shared by the outboxes of one server and database. */
struct ob_conn {
	char		*server;	/* the cfg_postgres name */
	char		*conninfo;	/* may be NULL (PG* variables) */
	char		*service;	/* libpq service, or NULL */
	char		*password_env;
	char		*password_file;
	char		*dbname;	/* the outbox's override, or NULL */
	int		 connect_timeout_s;
	int		 statement_timeout_ms;
	PGconn		*pg;		/* NULL while down */
	unsigned	 gen;		/* bumped by every new connection */
	int		 failures;	/* consecutive failed connects */
	int64_t		 retry_ms;	/* mono ms of the next connect */
	char		 error[sizeof ((struct error *)0)->msg];
					/* why it is down, "" = unknown */
};

/* One outbox table. */
struct ob_box {
	char		*schema;
	char		*table;
	char		*cols[OB__NCOLS];	/* NULL = none */
	int		 conn;		/* index into ob_state.conns */
	unsigned	 verified;	/* the conn gen it was checked on */
	char		*sql;		/* the figures query (built then) */
	struct outbox	 row;		/* names, last figures, error */
	double		 ring[SPARK_LEN];	/* pending, a ring */
	int		 head;
	int		 nring;
};

struct ob_state {
	struct ob_conn	*conns;
	int		 nconns;
	struct ob_box	*boxes;
	int		 nboxes;
	int		 interval_ms;
};

/* Text ------------------------------------------------------------------- */

/* A name as quote_ident() shows it: bare when it is a plain lower-case
 * identifier, else in double quotes.  For messages only: SQL text gets
 * PQescapeIdentifier. */
static void
ob_ident(char *dst, size_t len, const char *name)
{
	const char	*p;
	size_t		 o = 0;
	int		 bare = (*name >= 'a' && *name <= 'z') || *name == '_';

	for (p = name; bare && *p != '\0'; p++)
		bare = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '_' || *p == '$';
	if (bare) {
		strlcpy_(dst, name, len);
		return;
	}
	if (len < 3) {
		*dst = '\0';
		return;
	}
	dst[o++] = '"';
	for (p = name; *p != '\0' && o + 3 < len; p++) {
		if (*p == '"')
			dst[o++] = '"';
		dst[o++] = *p;
	}
	dst[o++] = '"';
	dst[o] = '\0';
}

/* schema.table as a person would write it. */
static void
ob_relname(char *dst, size_t len, const struct ob_box *b)
{
	char	s[140], t[140];

	ob_ident(s, sizeof s, b->schema);
	ob_ident(t, sizeof t, b->table);
	snprintf(dst, len, "%s.%s", s, t);
}

/* The first line of a libpq message, without "ERROR:  " and trailing
 * blanks. */
static void
ob_message(char *dst, size_t len, const char *msg)
{
	size_t	n;

	if (msg == NULL || *msg == '\0')
		msg = "unknown error";
	if (strncmp(msg, "ERROR:  ", 8) == 0)
		msg += 8;
	n = strcspn(msg, "\n");
	while (n > 0 && (msg[n - 1] == ' ' || msg[n - 1] == '\t'))
		n--;
	if (n >= len)
		n = len - 1;
	memcpy(dst, msg, n);
	dst[n] = '\0';
}

/* The box cannot be read this time: its figures become unknown. */
static void __attribute__((format(printf, 2, 3)))
box_fail(struct ob_box *b, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(b->row.error, sizeof b->row.error, fmt, ap);
	va_end(ap);
	b->row.pending = -1;
	b->row.oldest_age_s = 0;
	b->row.failed = -1;
	b->row.processed_1m = -1;
	b->row.processed_5m = -1;
}

/* Connections ------------------------------------------------------------ */

static void
conn_drop(struct ob_conn *c, int cancel)
{
	if (c->pg == NULL)
		return;
	if (cancel)
		pgconn_cancel(c->pg);
	PQfinish(c->pg);
	c->pg = NULL;
}

/* Run one statement before the deadline.  Its rows (the caller PQclears
 * them), or NULL and err; *late is set when the deadline passed and the
 * statement may still be running (then cancel and drop the connection). */
static PGresult *
ob_query(PGconn *pg, const char *sql, int n, const char *const *params,
    int64_t deadline, int *late, struct error *err)
{
	PGresult	*res;
	const char	*msg;
	int		 r;

	r = pgconn_query(pg, sql, n, params, deadline, &res);
	if ((*late = r == PGCONN_LATE)) {
		error_set(err, "deadline");
		return (NULL);
	}
	if (r != 0) {
		ob_message(err->msg, sizeof err->msg, PQerrorMessage(pg));
		return (NULL);
	}
	if (res == NULL) {
		error_set(err, "no result");
		return (NULL);
	}
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		ob_message(err->msg, sizeof err->msg, msg != NULL ? msg :
		    PQresultErrorMessage(res));
		PQclear(res);
		return (NULL);
	}
	return (res);
}

/* Session settings, the value a bind parameter: the server cancels our
 * statements at statement_timeout; UTC makes "timestamp without time zone"
 * columns holding UTC compare right with now(); nothing sitrep runs here
 * may write; and a watcher takes no parallel workers from a server that
 * may be on fire (its queries are small index scans anyway). */
static const char ob_setup_sql[] =
    "SELECT set_config('statement_timeout', $1, false), "
    "set_config('TimeZone', 'UTC', false), "
    "set_config('default_transaction_read_only', 'on', false), "
    "set_config('max_parallel_workers_per_gather', '0', false)";

static int
conn_setup(struct ob_conn *c, PGconn *pg, struct error *err)
{
	char		 ms[16];
	const char	*params[1] = { ms };
	PGresult	*res;
	int		 late;

	snprintf(ms, sizeof ms, "%d", c->statement_timeout_ms);
	res = ob_query(pg, ob_setup_sql, 1, params, mono_ms() +
	    c->statement_timeout_ms + OB_GRACE_MS, &late, err);
	if (res == NULL) {
		if (late) {
			pgconn_cancel(pg);
			error_set(err, "setup: no answer within %d ms",
			    c->statement_timeout_ms + OB_GRACE_MS);
		}
		return (-1);
	}
	PQclear(res);
	return (0);
}

/* The connection keywords: the service, the conninfo (expanded: it is
 * the first "dbname"; "" when there is none, so that the override after
 * it is never taken for a connection string), the database override, the
 * password and our application_name.  Later values win. */
static int
conn_params(const struct ob_conn *c, const char *password,
    const char **keys, const char **vals)
{
	int	n = 0;

	if (c->service != NULL) {
		keys[n] = "service";
		vals[n++] = c->service;
	}
	keys[n] = "dbname";
	vals[n++] = c->conninfo != NULL ? c->conninfo : "";
	if (c->dbname != NULL) {
		keys[n] = "dbname";
		vals[n++] = c->dbname;
	}
	if (password != NULL) {
		keys[n] = "password";
		vals[n++] = password;
	}
	keys[n] = "application_name";
	vals[n++] = "sitrep";
	keys[n] = vals[n] = NULL;
	return (n);
}

/* Connect within connect_timeout and set the session up.  0 or -1. */
static int
conn_open(struct ob_conn *c, struct error *err)
{
	const char	*keys[8], *vals[8];
	char		*password = NULL;
	struct error	 e;
	PGconn		*pg;
	int		 r, saved;

	if (config_secret(c->password_env, c->password_file, &password,
	    &e) != 0) {
		error_set(err, "password: %s", e.msg);
		return (-1);
	}
	conn_params(c, password, keys, vals);
	r = pgconn_connect(keys, vals, 1, mono_ms() +
	    (int64_t)c->connect_timeout_s * 1000, &pg);
	saved = errno;
	if (password != NULL) {
		explicit_bzero(password, strlen(password));
		free(password);
	}
	if (pg == NULL)
		fatalx("out of memory");
	if (r != 0) {
		if (r == PGCONN_LATE)
			error_set(err, "connect: no answer within %d s",
			    c->connect_timeout_s);
		else if (r == PGCONN_POLL)
			error_set(err, "connect: %s", strerror(saved));
		else
			ob_message(err->msg, sizeof err->msg,
			    PQerrorMessage(pg));
		PQfinish(pg);
		return (-1);
	}
	if (conn_setup(c, pg, err) != 0) {
		PQfinish(pg);
		return (-1);
	}
	c->pg = pg;
	if (++c->gen == 0)
		c->gen = 1;
	return (0);
}

/* Make sure c is connected, unless it failed lately and force is 0 (then
 * it waits out its backoff).  0 when connected. */
static int
conn_ensure(struct ob_conn *c, int interval_ms, int force)
{
	struct error	err;
	unsigned	rng;

	if (c->pg != NULL && PQstatus(c->pg) == CONNECTION_BAD)
		conn_drop(c, 0);
	if (c->pg != NULL)
		return (0);
	if (!force && c->failures > 0 && mono_ms() < c->retry_ms)
		return (-1);
	err.msg[0] = '\0';
	if (conn_open(c, &err) == 0) {
		c->failures = 0;
		c->error[0] = '\0';
		return (0);
	}
	c->failures++;
	rng = (unsigned)mono_ms();
	c->retry_ms = mono_ms() + source_backoff_ms(interval_ms,
	    OB_MAX_BACKOFF_MS, c->failures, &rng);
	strlcpy_(c->error, err.msg, sizeof c->error);
	return (-1);
}

/* One statement for box b on its connection.  On failure the box gets the
 * error; past the deadline the statement is cancelled and the connection
 * dropped (the next refresh reconnects), as it is when it broke. */
static PGresult *
conn_query(struct ob_conn *c, struct ob_box *b, const char *what,
    const char *sql, int n, const char *const *params)
{
	struct error	 err;
	PGresult	*res;
	int		 late, limit = c->statement_timeout_ms + OB_GRACE_MS;

	err.msg[0] = '\0';
	res = ob_query(c->pg, sql, n, params, mono_ms() + limit, &late,
	    &err);
	if (res != NULL)
		return (res);
	if (late) {
		box_fail(b, "%s: no answer within %d.%d s (statement_timeout + "
		    "1 s); cancelled", what, limit / 1000, limit % 1000 / 100);
		strlcpy_(c->error, "dropped after a query timed out",
		    sizeof c->error);
		conn_drop(c, 1);
		return (NULL);
	}
	box_fail(b, "%s: %s", what, err.msg);
	if (PQstatus(c->pg) == CONNECTION_BAD) {
		strlcpy_(c->error, err.msg, sizeof c->error);
		conn_drop(c, 0);
	}
	return (NULL);
}

/* Checking the table ----------------------------------------------------- */

static const char ob_columns_sql[] =
    "SELECT column_name::text, data_type::text "
    "FROM information_schema.columns "
    "WHERE table_schema = $1 AND table_name = $2";

static const char ob_exists_sql[] =
    "SELECT to_regclass(quote_ident($1) || '.' || quote_ident($2)) "
    "IS NOT NULL";

/* No column is visible: the table is missing, or we may not see it. */
static void
box_no_table(struct ob_conn *c, struct ob_box *b)
{
	const char	*params[2] = { b->schema, b->table };
	char		 rel[288];
	PGresult	*res;
	int		 exists;

	if ((res = conn_query(c, b, "check", ob_exists_sql, 2, params)) ==
	    NULL)
		return;
	exists = PQntuples(res) == 1 && *PQgetvalue(res, 0, 0) == 't';
	PQclear(res);
	ob_relname(rel, sizeof rel, b);
	if (exists)
		box_fail(b, "outbox[%s].table: no privilege on %s (GRANT "
		    "SELECT to %s)", b->row.service, rel, PQuser(c->pg));
	else
		box_fail(b, "outbox[%s].table: table %s not found",
		    b->row.service, rel);
}

static int
ob_is_time(const char *type)
{
	return (strcmp(type, "timestamp with time zone") == 0 ||
	    strcmp(type, "timestamp without time zone") == 0 ||
	    strcmp(type, "date") == 0);
}

/* Every configured column exists; occurred and processed hold times. */
static int
box_check_columns(struct ob_box *b, PGresult *res)
{
	char	rel[288];
	int	i, r, n = PQntuples(res);

	ob_relname(rel, sizeof rel, b);
	for (i = 0; i < OB__NCOLS; i++) {
		if (b->cols[i] == NULL)
			continue;
		for (r = 0; r < n; r++)
			if (strcmp(PQgetvalue(res, r, 0), b->cols[i]) == 0)
				break;
		if (r == n) {
			box_fail(b, "outbox[%s].columns.%s: column \"%s\" not "
			    "found in %s", b->row.service, ob_col_keys[i],
			    b->cols[i], rel);
			return (-1);
		}
		if ((i == OB_OCCURRED || i == OB_PROCESSED) &&
		    !ob_is_time(PQgetvalue(res, r, 1))) {
			box_fail(b, "outbox[%s].columns.%s: column \"%s\" of "
			    "%s is %s, not a timestamp", b->row.service,
			    ob_col_keys[i], b->cols[i], rel,
			    PQgetvalue(res, r, 1));
			return (-1);
		}
	}
	return (0);
}

/* An identifier quoted for SQL text by libpq (caller frees), "" for none;
 * NULL when libpq refuses it (bad encoding). */
static char *
ob_quote(PGconn *pg, const char *name)
{
	char	*q, *out;

	if (name == NULL)
		return (xstrdup(""));
	if ((q = PQescapeIdentifier(pg, name, strlen(name))) == NULL)
		return (NULL);
	out = xstrdup(q);
	PQfreemem(q);
	return (out);
}

/* The figures query (docs/outbox.md) from quoted names ("" = no such
 * column): the pending count and the oldest from the partial index of
 * pending rows, the failed from the partial index of failed ones, the
 * recent throughput from the index on the processed column.  Without a
 * processed column every row is pending and the throughput is unknown
 * (-1).  Identifiers come escaped by libpq; the only literals are
 * constant intervals. */
static char *
box_sql_text(const char *tbl, const char *o, const char *p, const char *e)
{
	char	*pend, *fail, *rec, *sql;

	xasprintf(&pend, "(SELECT count(*) AS n, coalesce(extract(epoch FROM "
	    "greatest(now() - min(%s), interval '0')), 0) AS age "
	    "FROM %s%s%s%s) p", o, tbl, *p ? " WHERE " : "", p,
	    *p ? " IS NULL" : "");
	if (*e)
		xasprintf(&fail, "(SELECT count(*) AS n FROM %s WHERE %s IS "
		    "NOT NULL%s%s%s) f", tbl, e, *p ? " AND " : "", p,
		    *p ? " IS NULL" : "");
	else
		fail = xstrdup("(SELECT 0 AS n) f");
	if (*p)
		xasprintf(&rec, "(SELECT count(*) FILTER (WHERE %s >= now() - "
		    "interval '1 minute') AS n1, count(*) AS n5 FROM %s WHERE "
		    "%s >= now() - interval '5 minutes') r", p, tbl, p);
	else
		rec = xstrdup("(SELECT -1 AS n1, -1 AS n5) r");
	xasprintf(&sql, "SELECT p.n, p.age, f.n, r.n1, r.n5 FROM %s, %s, %s",
	    pend, fail, rec);
	free(pend);
	free(fail);
	free(rec);
	return (sql);
}

/* Build b->sql for pg.  0, or -1 and the box's error. */
static int
box_build_sql(PGconn *pg, struct ob_box *b)
{
	const char	*names[5] = { b->schema, b->table, b->cols[OB_OCCURRED],
			    b->cols[OB_PROCESSED], b->cols[OB_ERROR] };
	char		*q[5], *tbl, msg[160];
	int		 i, ok = 1;

	for (i = 0; i < 5; i++)
		if ((q[i] = ob_quote(pg, names[i])) == NULL)
			ok = 0;
	if (ok) {
		xasprintf(&tbl, "%s.%s", q[0], q[1]);
		free(b->sql);
		b->sql = box_sql_text(tbl, q[2], q[3], q[4]);
		free(tbl);
	} else {
		ob_message(msg, sizeof msg, PQerrorMessage(pg));
		box_fail(b, "outbox[%s]: a name cannot be quoted: %s",
		    b->row.service, msg);
	}
	for (i = 0; i < 5; i++)
		free(q[i]);
	return (ok ? 0 : -1);
}

/* Check b's table and columns on a new connection (the schema and table
 * are bind parameters) and build its query.  0, or -1 with the box's
 * error naming the configuration key. */
static int
box_verify(struct ob_conn *c, struct ob_box *b)
{
	const char	*params[2] = { b->schema, b->table };
	PGresult	*res;
	int		 rc;

	if ((res = conn_query(c, b, "check", ob_columns_sql, 2, params)) ==
	    NULL)
		return (-1);
	if (PQntuples(res) == 0) {
		PQclear(res);
		box_no_table(c, b);
		return (-1);
	}
	rc = box_check_columns(b, res);
	PQclear(res);
	if (rc != 0)
		return (-1);
	if (box_build_sql(c->pg, b) != 0)
		return (-1);
	b->verified = c->gen;
	return (0);
}

/* Reading ---------------------------------------------------------------- */

static void
box_push(struct ob_box *b, double v)
{
	b->ring[b->head] = v;
	b->head = (b->head + 1) % SPARK_LEN;
	if (b->nring < SPARK_LEN)
		b->nring++;
}

static int
box_parse(struct ob_box *b, PGresult *res)
{
	struct outbox	*o = &b->row;

	if (PQntuples(res) != 1 || PQnfields(res) != 5) {
		box_fail(b, "query: unexpected result (%d rows, %d columns)",
		    PQntuples(res), PQnfields(res));
		return (-1);
	}
	o->pending = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	o->oldest_age_s = strtod(PQgetvalue(res, 0, 1), NULL);
	o->failed = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	o->processed_1m = strtoll(PQgetvalue(res, 0, 3), NULL, 10);
	o->processed_5m = strtoll(PQgetvalue(res, 0, 4), NULL, 10);
	o->error[0] = '\0';
	box_push(b, (double)o->pending);
	return (0);
}

/* One outbox, one query.  0, or -1 with the box's error set. */
static int
box_read(struct ob_state *st, struct ob_box *b)
{
	struct ob_conn	*c = &st->conns[b->conn];
	PGresult	*res;
	int		 rc;

	if (c->pg == NULL) {
		box_fail(b, "postgres %s: %s", c->server,
		    c->error[0] ? c->error : "not connected");
		return (-1);
	}
	if (b->row.database[0] == '\0')
		strlcpy_(b->row.database, PQdb(c->pg), sizeof b->row.database);
	if (b->verified != c->gen && box_verify(c, b) != 0)
		return (-1);
	if ((res = conn_query(c, b, "query", b->sql, 0, NULL)) == NULL) {
		b->verified = 0;	/* a changed table: check it again */
		return (-1);
	}
	rc = box_parse(b, res);
	PQclear(res);
	return (rc);
}

static void
box_row(const struct ob_box *b, struct outbox *o)
{
	int	i, first = (b->head - b->nring + SPARK_LEN) % SPARK_LEN;

	*o = b->row;
	o->nhist = b->nring;
	for (i = 0; i < b->nring; i++)
		o->hist[i] = b->ring[(first + i) % SPARK_LEN];
}

/* The source ------------------------------------------------------------- */

/* Connect every server; fails only when none answers. */
static int
outbox_open(struct source *src, struct error *err)
{
	struct ob_state	*st = src->priv;
	int		 i, nok = 0;

	for (i = 0; i < st->nconns; i++)
		if (conn_ensure(&st->conns[i], st->interval_ms, 1) == 0)
			nok++;
	if (nok > 0)
		return (0);
	error_set(err, "postgres %s: %s%s", st->conns[0].server,
	    st->conns[0].error, st->nconns > 1 ?
	    " (no outbox server answered)" : "");
	return (-1);
}

static void
outbox_fail_all(struct ob_state *st, struct error *err)
{
	if (st->nboxes == 1)
		error_set(err, "%s", st->boxes[0].row.error);
	else
		error_set(err, "%s (and %d more outboxes unreadable)",
		    st->boxes[0].row.error, st->nboxes - 1);
}

static int
outbox_fetch(struct source *src, struct error *err)
{
	struct ob_state	*st = src->priv;
	struct snapshot	*snap;
	int		 i, nok = 0;

	for (i = 0; i < st->nconns; i++)
		conn_ensure(&st->conns[i], st->interval_ms, 0);
	for (i = 0; i < st->nboxes; i++)
		if (box_read(st, &st->boxes[i]) == 0)
			nok++;
	if (nok == 0) {
		outbox_fail_all(st, err);
		return (-1);
	}
	snap = snapshot_new(SNAP_OUTBOX);
	snap->u.outbox.n = st->nboxes;
	snap->u.outbox.rows = xcalloc(st->nboxes, sizeof *snap->u.outbox.rows);
	for (i = 0; i < st->nboxes; i++)
		box_row(&st->boxes[i], &snap->u.outbox.rows[i]);
	source_publish(src, snap);
	return (0);
}

/* Drop every connection; the next open reconnects at once. */
static void
outbox_close(struct source *src)
{
	struct ob_state	*st = src->priv;
	int		 i;

	for (i = 0; i < st->nconns; i++) {
		conn_drop(&st->conns[i], 0);
		st->conns[i].failures = 0;
	}
}

static void
ob_state_free(struct ob_state *st)
{
	struct ob_conn	*c;
	struct ob_box	*b;
	int		 i, k;

	for (i = 0; i < st->nconns; i++) {
		c = &st->conns[i];
		conn_drop(c, 0);
		free(c->server);
		free(c->conninfo);
		free(c->service);
		free(c->password_env);
		free(c->password_file);
		free(c->dbname);
	}
	for (i = 0; i < st->nboxes; i++) {
		b = &st->boxes[i];
		free(b->schema);
		free(b->table);
		for (k = 0; k < OB__NCOLS; k++)
			free(b->cols[k]);
		free(b->sql);
	}
	free(st->conns);
	free(st->boxes);
	free(st);
}

static void
outbox_free(struct source *src)
{
	ob_state_free(src->priv);
	src->priv = NULL;
}

const struct source_class outbox_source = {
	.name = "outbox",
	.open = outbox_open,
	.fetch = outbox_fetch,
	.close = outbox_close,
	.free = outbox_free,
};

/* Making it -------------------------------------------------------------- */

static char *
ob_strdup(const char *s)
{
	return (s != NULL ? xstrdup(s) : NULL);
}

static int
ob_streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == b);
	return (strcmp(a, b) == 0);
}

/* The connection for (pg, dbname), made on first use. */
static int
ob_conn_for(struct ob_state *st, const struct cfg_postgres *pg,
    const char *dbname)
{
	struct ob_conn	*c;
	int		 i;

	for (i = 0; i < st->nconns; i++) {
		c = &st->conns[i];
		if (strcmp(c->server, pg->name) == 0 &&
		    ob_streq(c->dbname, dbname))
			return (i);
	}
	c = &st->conns[st->nconns];
	c->server = xstrdup(pg->name);
	c->conninfo = ob_strdup(pg->conninfo);
	c->service = ob_strdup(pg->service);
	c->password_env = ob_strdup(pg->password_env);
	c->password_file = ob_strdup(pg->password_file);
	c->dbname = ob_strdup(dbname);
	c->connect_timeout_s = pg->connect_timeout_s > 0 ?
	    pg->connect_timeout_s : OB_CONNECT_TIMEOUT_S;
	c->statement_timeout_ms = pg->statement_timeout_ms > 0 ?
	    pg->statement_timeout_ms : OB_STATEMENT_TIMEOUT_MS;
	return (st->nconns++);
}

/* The database shown before the first connection: the override, else the
 * conninfo's dbname; else it is filled in from the connection. */
static void
ob_database(char *dst, size_t len, const struct cfg_postgres *pg,
    const char *dbname)
{
	PQconninfoOption	*opts, *o;

	*dst = '\0';
	if (dbname != NULL) {
		strlcpy_(dst, dbname, len);
		return;
	}
	if (pg->conninfo == NULL ||
	    (opts = PQconninfoParse(pg->conninfo, NULL)) == NULL)
		return;
	for (o = opts; o->keyword != NULL; o++)
		if (strcmp(o->keyword, "dbname") == 0 && o->val != NULL)
			strlcpy_(dst, o->val, len);
	PQconninfoFree(opts);
}

static int
ob_box_init(struct ob_state *st, const struct cfg_env *env,
    const struct cfg_outbox *o, struct error *err)
{
	const struct cfg_postgres	*pg = config_pg(env, o->postgres);
	struct ob_box			*b = &st->boxes[st->nboxes];
	const char			*svc = o->service ? o->service : "?";

	if (pg == NULL) {
		error_set(err, "outbox[%s].postgres: no postgres entry named "
		    "\"%s\"", svc, o->postgres ? o->postgres : "");
		return (-1);
	}
	if (o->table == NULL || o->cols.occurred == NULL) {
		error_set(err, "outbox[%s].%s: required", svc, o->table ==
		    NULL ? "table" : "columns.occurred");
		return (-1);
	}
	st->nboxes++;
	strlcpy_(b->row.service, svc, sizeof b->row.service);
	ob_database(b->row.database, sizeof b->row.database, pg, o->dbname);
	b->schema = xstrdup(o->schema != NULL ? o->schema : "public");
	b->table = xstrdup(o->table);
	b->cols[OB_ID] = ob_strdup(o->cols.id);
	b->cols[OB_OCCURRED] = ob_strdup(o->cols.occurred);
	b->cols[OB_PROCESSED] = ob_strdup(o->cols.processed);
	b->cols[OB_ERROR] = ob_strdup(o->cols.error);
	b->cols[OB_TYPE] = ob_strdup(o->cols.type);
	b->conn = ob_conn_for(st, pg, o->dbname);
	box_fail(b, "not read yet");
	return (0);
}

struct source *
outbox_source_new(const struct cfg_env *env, struct error *err)
{
	struct ob_state	*st;
	int		 i;

	err->msg[0] = '\0';
	if (env->noutbox <= 0)
		return (NULL);
	st = xcalloc(1, sizeof *st);
	st->interval_ms = env->refresh_ms > 0 ? env->refresh_ms : 2000;
	st->conns = xcalloc(env->noutbox, sizeof *st->conns);
	st->boxes = xcalloc(env->noutbox, sizeof *st->boxes);
	for (i = 0; i < env->noutbox; i++) {
		if (ob_box_init(st, env, &env->outbox[i], err) != 0) {
			ob_state_free(st);
			return (NULL);
		}
	}
	return (source_new(&outbox_source, "outbox", 1u << SNAP_OUTBOX,
	    st->interval_ms, st));
}
