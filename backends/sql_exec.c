/* sql_exec.c: action kind "sql": one statement on a configured PostgreSQL
 * server, in a transaction of its own.
 *
 *   BEGIN [READ ONLY]                         read_only=1 for checks
 *   SELECT set_config('statement_timeout', $1, true)     (SET LOCAL)
 *   the runbook's query, values as bind parameters $1..$n
 *   COMMIT, or ROLLBACK on any error
 *
 * The query goes through the extended protocol (PQsendQueryParams), which
 * takes exactly one statement: "x; DROP TABLE y" is refused by the server.
 * Every wait is poll() on PQsocket() against a deadline of our own
 * (statement_timeout + 2 s for the query, 5 s for the rest) and the cancel
 * flag; past it the server is asked to cancel, the connection is dropped
 * and the server rolls back.  Rows come in single-row mode, so a huge
 * result costs SQL_MAX_ROWS rows of memory, not all of them.  The
 * connection is made by postgres_conn.c (conninfo, service, password_env,
 * password_file, connect timeout), one per action. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "executors.h"
#include "postgres_int.h"
#include "xmalloc.h"

#define SQL_CONNECT_S		3
#define SQL_TIMEOUT_MS		2000		/* the configuration's default */
#define SQL_TIMEOUT_MAX_MS	(3600LL * 1000)
#define SQL_GRACE_MS		2000		/* past statement_timeout */
#define SQL_STEP_MS		5000		/* BEGIN, SET, COMMIT */
#define SQL_MAX_ROWS		1000		/* rows kept for the table */
#define SQL_CELL_MAX		200		/* characters shown per cell */

/* How a round trip ended. */
enum sql_rc { SQL_OK, SQL_ERROR, SQL_DEADLINE, SQL_CANCEL, SQL_LOST };

struct sql_cell {
	char	*text;			/* visible form; NULL = SQL NULL */
	size_t	 width;
};

struct sql_job {
	const struct action_req	*req;
	const volatile int	*cancel;
	const struct cfg_postgres *cfg;
	struct pg_link		 link;
	int			 ro;
	int			 dry_run;	/* ROLLBACK, not COMMIT */
	int64_t			 stmt_ms;
	const char		*params[ACTION_MAX_ARGS];
	int			 nparams;

	int			 ncols;
	struct sql_cell		*names;
	int			*right;		/* right-aligned (numbers) */
	struct sql_cell		*cells;		/* nkept rows of ncols */
	int			 nkept;
	long long		 nrows;
	char			 status[64];	/* PQcmdStatus */
	char			 error[400];	/* one line */
	char			*detail;	/* the whole server message */
	int64_t			 start;
};

static const char *const sql_keys[] = {
	"target", "query", "read_only", "statement_timeout", "timeout",
	"dbname", "dry_run", "param", NULL
};
static const char *const sql_prefixes[] = { "param", NULL };
static const char *const sql_repeat[] = { "param", NULL };

/* Cancelling ------------------------------------------------------------- */

static void *
sql_cancel_main(void *arg)
{
	PGcancel	*c = arg;
	char		 buf[256];

	PQcancel(c, buf, sizeof buf);
	PQfreeCancel(c);
	return (NULL);
}

/* Ask the server to stop the statement, without waiting (PQcancel blocks
 * on a server that does not answer), then drop the connection: the server
 * rolls the transaction back. */
static void
sql_abandon(struct sql_job *job)
{
	pthread_attr_t	 attr;
	pthread_t	 t;
	PGcancel	*c;

	if (job->link.conn == NULL)
		return;
	if ((c = PQgetCancel(job->link.conn)) != NULL) {
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &attr, sql_cancel_main, c) != 0)
			PQfreeCancel(c);
		pthread_attr_destroy(&attr);
	}
	postgres_conn_drop(&job->link);
}

/* Waiting ---------------------------------------------------------------- */

/* Wait for the socket: SQL_OK ready, or DEADLINE, CANCEL, LOST. */
static enum sql_rc
sql_wait(struct sql_job *job, short events, int64_t deadline)
{
	struct pollfd	pfd;
	int64_t		left;
	int		r;

	for (;;) {
		if (*job->cancel)
			return (SQL_CANCEL);
		if ((left = deadline - mono_ms()) <= 0)
			return (SQL_DEADLINE);
		pfd.fd = PQsocket(job->link.conn);
		pfd.events = events;
		pfd.revents = 0;
		if (pfd.fd < 0)
			return (SQL_LOST);
		r = poll(&pfd, 1, left > 100 ? 100 : (int)left);
		if (r > 0)
			return (SQL_OK);
		if (r < 0 && errno != EINTR)
			return (SQL_LOST);
	}
}

static enum sql_rc
sql_flush(struct sql_job *job, int64_t deadline)
{
	enum sql_rc	rc;
	int		r;

	while ((r = PQflush(job->link.conn)) == 1) {
		if ((rc = sql_wait(job, POLLIN | POLLOUT, deadline)) != SQL_OK)
			return (rc);
		if (!PQconsumeInput(job->link.conn))
			return (SQL_LOST);
	}
	return (r == 0 ? SQL_OK : SQL_LOST);
}

static enum sql_rc
sql_busy(struct sql_job *job, int64_t deadline)
{
	enum sql_rc	rc;

	while (PQisBusy(job->link.conn)) {
		if ((rc = sql_wait(job, POLLIN, deadline)) != SQL_OK)
			return (rc);
		if (!PQconsumeInput(job->link.conn))
			return (SQL_LOST);
	}
	return (SQL_OK);
}

/* Errors ----------------------------------------------------------------- */

/* "ERROR: message (SQLSTATE)" for the summary, the whole text for the
 * output.  The first error wins. */
static void
sql_server_error(struct sql_job *job, const PGresult *res)
{
	const char	*sev, *msg, *state;

	if (job->error[0] != '\0')
		return;
	sev = PQresultErrorField(res, PG_DIAG_SEVERITY);
	msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if (msg != NULL)
		snprintf(job->error, sizeof job->error, "%s: %s%s%s%s",
		    sev != NULL ? sev : "ERROR", msg, state != NULL ? " (" : "",
		    state != NULL ? state : "", state != NULL ? ")" : "");
	else
		snprintf(job->error, sizeof job->error, "%.*s",
		    (int)strcspn(PQresultErrorMessage(res), "\n"),
		    PQresultErrorMessage(res));
	free(job->detail);
	job->detail = xstrdup(PQresultErrorMessage(res));
}

static void
sql_set_error(struct sql_job *job, const char *msg)
{
	if (job->error[0] == '\0')
		snprintf(job->error, sizeof job->error, "%s", msg);
}

/* Rows ------------------------------------------------------------------- */

/* Types printed right-aligned, by OID (pg_type.h is not in libpq-dev):
 * int8, int2, int4, oid, float4, float8, money, numeric. */
static int
sql_numeric(Oid t)
{
	return (t == 20 || t == 21 || t == 23 || t == 26 || t == 700 ||
	    t == 701 || t == 790 || t == 1700);
}

static void
sql_cell_set(struct sql_cell *c, const char *s, size_t len)
{
	struct exbuf	b = { NULL, 0, 0 };

	c->width = exbuf_visible(&b, s, len, SQL_CELL_MAX);
	c->text = exbuf_take(&b);
}

static void
sql_columns(struct sql_job *job, const PGresult *res)
{
	const char	*name;
	int		 i;

	if (job->names != NULL || (job->ncols = PQnfields(res)) == 0)
		return;
	job->names = xcalloc((size_t)job->ncols, sizeof *job->names);
	job->right = xcalloc((size_t)job->ncols, sizeof *job->right);
	for (i = 0; i < job->ncols; i++) {
		name = PQfname(res, i);
		sql_cell_set(&job->names[i], name, strlen(name));
		job->right[i] = sql_numeric(PQftype(res, i));
	}
}

static void
sql_row(struct sql_job *job, const PGresult *res, int row)
{
	struct sql_cell	*c;
	int		 i;

	job->nrows++;
	if (job->nkept == SQL_MAX_ROWS || job->ncols == 0)
		return;
	job->cells = xreallocarray(job->cells, ((size_t)job->nkept + 1) *
	    (size_t)job->ncols, sizeof *job->cells);
	c = &job->cells[(size_t)job->nkept * (size_t)job->ncols];
	for (i = 0; i < job->ncols; i++) {
		if (PQgetisnull(res, row, i)) {
			c[i].text = NULL;
			c[i].width = 0;
		} else
			sql_cell_set(&c[i], PQgetvalue(res, row, i),
			    (size_t)PQgetlength(res, row, i));
	}
	job->nkept++;
}

/* One result of the query. */
static void
sql_take(struct sql_job *job, const PGresult *res)
{
	int	i;

	switch (PQresultStatus(res)) {
	case PGRES_SINGLE_TUPLE:
	case PGRES_TUPLES_OK:
		sql_columns(job, res);
		for (i = 0; i < PQntuples(res); i++)
			sql_row(job, res, i);
		/* FALLTHROUGH */
	case PGRES_COMMAND_OK:
		if (PQresultStatus(res) != PGRES_SINGLE_TUPLE)
			strlcpy_(job->status, PQcmdStatus((PGresult *)res),
			    sizeof job->status);
		break;
	case PGRES_EMPTY_QUERY:
		sql_set_error(job, "the query is empty");
		break;
	case PGRES_COPY_IN:
	case PGRES_COPY_OUT:
	case PGRES_COPY_BOTH:
		sql_set_error(job, "COPY is not supported");
		break;
	default:
		sql_server_error(job, res);
		break;
	}
}

/* Round trips ------------------------------------------------------------ */

/* Send sql and take every result (into the job when rows, else only
 * errors).  SQL_ERROR when the server refused it. */
static enum sql_rc
sql_round(struct sql_job *job, const char *sql, int nparams,
    const char *const *params, int rows, int64_t bound_ms)
{
	int64_t		 deadline = mono_ms() + bound_ms;
	PGresult	*res;
	enum sql_rc	 rc;
	int		 copy = 0, failed = 0;

	if (!PQsendQueryParams(job->link.conn, sql, nparams, NULL, params,
	    NULL, NULL, 0))
		return (SQL_LOST);
	if (rows)
		PQsetSingleRowMode(job->link.conn);
	if ((rc = sql_flush(job, deadline)) != SQL_OK)
		return (rc);
	for (;;) {
		if ((rc = sql_busy(job, deadline)) != SQL_OK)
			return (rc);
		if ((res = PQgetResult(job->link.conn)) == NULL)
			break;
		copy |= PQresultStatus(res) == PGRES_COPY_IN ||
		    PQresultStatus(res) == PGRES_COPY_OUT ||
		    PQresultStatus(res) == PGRES_COPY_BOTH;
		failed |= PQresultStatus(res) == PGRES_FATAL_ERROR ||
		    PQresultStatus(res) == PGRES_EMPTY_QUERY ||
		    PQresultStatus(res) == PGRES_BAD_RESPONSE;
		if (rows || failed)
			sql_take(job, res);
		PQclear(res);
		if (copy)
			return (SQL_LOST);	/* no way back from COPY */
	}
	return (failed ? SQL_ERROR : SQL_OK);
}

static enum sql_rc
sql_begin(struct sql_job *job)
{
	static const char	*set = "SELECT pg_catalog.set_config("
				    "'statement_timeout', $1, true)";
	char			 ms[32];
	const char		*params[1] = { ms };
	enum sql_rc		 rc;

	rc = sql_round(job, job->ro ? "BEGIN READ ONLY" : "BEGIN", 0, NULL, 0,
	    SQL_STEP_MS);
	if (rc != SQL_OK)
		return (rc);
	snprintf(ms, sizeof ms, "%lldms", (long long)job->stmt_ms);
	return (sql_round(job, set, 1, params, 0, SQL_STEP_MS));
}

/* The result ------------------------------------------------------------- */

static void
sql_pad(struct exbuf *b, const struct sql_cell *c, size_t width, int right,
    int last)
{
	size_t	pad = width - c->width;

	if (right)
		for (; pad > 0; pad--)
			exbuf_add(b, " ", 1);
	if (c->text != NULL)
		exbuf_add(b, c->text, strlen(c->text));
	if (!right && !last)
		for (; pad > 0; pad--)
			exbuf_add(b, " ", 1);
}

static void
sql_line(struct exbuf *b, const struct sql_cell *row, const size_t *w,
    const int *right, int n)
{
	int	i;

	for (i = 0; i < n; i++) {
		exbuf_add(b, i == 0 ? " " : " | ", i == 0 ? 1 : 3);
		sql_pad(b, &row[i], w[i], right != NULL && right[i],
		    i == n - 1);
	}
	while (b->len > 0 && b->s[b->len - 1] == ' ')
		b->len--;
	exbuf_add(b, "\n", 1);
}

/* psql's aligned format: names, a rule, the rows, "(N rows)". */
static void
sql_table(const struct sql_job *job, struct exbuf *b)
{
	size_t	*w = xcalloc((size_t)job->ncols, sizeof *w);
	int	 i, r;

	for (i = 0; i < job->ncols; i++) {
		w[i] = job->names[i].width;
		for (r = 0; r < job->nkept; r++)
			if (job->cells[r * job->ncols + i].width > w[i])
				w[i] = job->cells[r * job->ncols + i].width;
	}
	sql_line(b, job->names, w, NULL, job->ncols);
	for (i = 0; i < job->ncols; i++) {
		exbuf_add(b, i == 0 ? "-" : "+-", i == 0 ? 1 : 2);
		for (r = 0; r < (int)w[i] + 1; r++)
			exbuf_add(b, "-", 1);
	}
	exbuf_add(b, "\n", 1);
	for (r = 0; r < job->nkept; r++)
		sql_line(b, &job->cells[r * job->ncols], w, job->right,
		    job->ncols);
	exbuf_printf(b, "(%lld row%s%s)\n", job->nrows, job->nrows == 1 ? "" :
	    "s", job->nrows > job->nkept ? "; the first 1000 shown" : "");
	free(w);
}

static void
sql_success(struct sql_job *job, struct action_result *res)
{
	struct exbuf	b = { NULL, 0, 0 };

	if (job->ncols > 0)
		sql_table(job, &b);
	else
		exbuf_printf(&b, "%s\n", job->status);
	res->output = exbuf_take(&b);
	action_emit(job->req, res->output, strlen(res->output));
	/* Rows without a count of their own (SELECT, SHOW, EXPLAIN): how
	 * many; otherwise the tag ("UPDATE 2", also with RETURNING). */
	if (strncmp(job->status, "SELECT", 6) == 0 || (job->ncols > 0 &&
	    strpbrk(job->status, "0123456789") == NULL))
		snprintf(res->summary, sizeof res->summary, "%lld row%s",
		    job->nrows, job->nrows == 1 ? "" : "s");
	else
		snprintf(res->summary, sizeof res->summary, "%s",
		    job->status[0] != '\0' ? job->status : "done");
	if (job->dry_run)
		strlcpy_(res->summary + strlen(res->summary), " (dry run: "
		    "rolled back)", sizeof res->summary - strlen(res->summary));
	res->ok = 1;
}

/* A failure: the summary, and the server's whole message as output. */
static int
sql_failure(struct sql_job *job, enum sql_rc rc, int committing,
    struct action_result *res)
{
	struct error	e;
	char		took[32];

	executor_fmt_ms(took, sizeof took, mono_ms() - job->start);
	if (rc == SQL_CANCEL || rc == SQL_DEADLINE)
		sql_abandon(job);
	if (rc == SQL_LOST && job->link.conn != NULL) {
		postgres_conn_message(PQerrorMessage(job->link.conn), &e);
		sql_set_error(job, e.msg);
	} else if (rc == SQL_LOST)
		sql_set_error(job, "connection lost");
	if (job->detail != NULL) {
		res->output = xstrdup(job->detail);
		action_emit(job->req, res->output, strlen(res->output));
	}
	if (committing && rc != SQL_ERROR)
		return (executor_fail(res, "COMMIT unconfirmed (%s after %s): "
		    "check whether it took effect", rc == SQL_CANCEL ?
		    "cancelled" : rc == SQL_DEADLINE ? "no answer" :
		    "connection lost", took));
	if (rc == SQL_CANCEL)
		return (executor_fail(res, "cancelled after %s (rolled back)",
		    took));
	if (rc == SQL_DEADLINE)
		return (executor_fail(res, "no answer after %s: cancel sent, "
		    "connection dropped (rolled back)", took));
	return (executor_fail(res, "%.*s", (int)strcspn(job->error, "\n"),
	    job->error));
}

/* Running ---------------------------------------------------------------- */

static int
sql_execute(struct sql_job *job, struct action_result *res)
{
	const char	*query = action_arg(job->req, "query");
	enum sql_rc	 rc;

	if ((rc = sql_begin(job)) == SQL_OK)
		rc = sql_round(job, query, job->nparams, job->params, 1,
		    job->stmt_ms + SQL_GRACE_MS);
	if (rc == SQL_ERROR) {
		/* Best effort: a dropped connection rolls back too. */
		if (sql_round(job, "ROLLBACK", 0, NULL, 0, SQL_STEP_MS) !=
		    SQL_OK)
			postgres_conn_drop(&job->link);
		return (sql_failure(job, rc, 0, res));
	}
	if (rc != SQL_OK)
		return (sql_failure(job, rc, 0, res));
	if ((rc = sql_round(job, job->dry_run ? "ROLLBACK" : "COMMIT", 0,
	    NULL, 0, SQL_STEP_MS)) != SQL_OK)
		return (sql_failure(job, rc, !job->dry_run, res));
	sql_success(job, res);
	return (0);
}

/* dbname=: another database on the same server. */
static void
sql_dbname(struct pg_link *l, const char *db)
{
	int	i;

	for (i = 0; i < l->nkeys; i++) {
		if (strcmp(l->keys[i], "dbname") == 0) {
			free(l->vals[i]);
			l->vals[i] = xstrdup(db);
			return;
		}
	}
	l->keys = xreallocarray(l->keys, (size_t)l->nkeys + 2,
	    sizeof *l->keys);
	l->vals = xreallocarray(l->vals, (size_t)l->nkeys + 2,
	    sizeof *l->vals);
	l->keys[l->nkeys] = xstrdup("dbname");
	l->vals[l->nkeys++] = xstrdup(db);
	l->keys[l->nkeys] = l->vals[l->nkeys] = NULL;
}

static int
sql_connect(struct sql_job *job, struct action_result *res)
{
	const struct cfg_postgres	*c = job->cfg;
	const char			*db = action_arg(job->req, "dbname");
	struct error			 e;

	if (postgres_conn_init(&job->link, c->name, c->conninfo, c->service,
	    &e) != 0)
		return (executor_fail(res, "sql: %s: conninfo: %s", c->name,
		    e.msg));
	if (db != NULL)
		sql_dbname(&job->link, db);
	if (c->password_env != NULL)
		job->link.password_env = xstrdup(c->password_env);
	if (c->password_file != NULL)
		job->link.password_file = xstrdup(c->password_file);
	job->link.connect_timeout_s = c->connect_timeout_s > 0 ?
	    c->connect_timeout_s : SQL_CONNECT_S;
	job->link.statement_timeout_ms = (int)job->stmt_ms;
	if (postgres_conn_open(&job->link, &e) != 0)
		return (executor_fail(res, "sql: %s: %s", c->name, e.msg));
	return (0);
}

static int
sql_prepare(struct sql_job *job, const struct cfg_env *env,
    struct action_result *res)
{
	const char	*target = action_arg(job->req, "target");
	const char	*query = action_arg(job->req, "query");
	const char	*db = action_arg(job->req, "dbname");
	const char	*dry = action_arg(job->req, "dry_run");
	const char	*tval;

	if (executor_check_keys(job->req, sql_keys, sql_prefixes, sql_repeat,
	    res) != 0 || executor_read_only(job->req, &job->ro, res) != 0 ||
	    (job->nparams = executor_values(job->req, "param", 1, job->params,
	    res)) < 0 || executor_alias(job->req, "statement_timeout",
	    "timeout", &tval, res) != 0)
		return (-1);
	if (dry != NULL && strcmp(dry, "0") != 0 && strcmp(dry, "1") != 0)
		return (executor_fail(res, "sql: dry_run=%.32s: want 1 or 0",
		    dry));
	job->dry_run = dry != NULL && strcmp(dry, "1") == 0;
	if (target == NULL || *target == '\0')
		return (executor_fail(res, "sql: no target= (a postgres "
		    "server of the environment)"));
	if (env == NULL || (job->cfg = config_pg(env, target)) == NULL)
		return (executor_fail(res, "sql: no such target in this "
		    "environment: %.64s", target));
	if (query == NULL || *query == '\0')
		return (executor_fail(res, "sql: no query="));
	if (db != NULL && *db == '\0')
		return (executor_fail(res, "sql: dbname= is empty"));
	return (executor_duration(job->req, action_arg(job->req, "timeout") !=
	    NULL ? "timeout" : "statement_timeout",
	    job->cfg->statement_timeout_ms > 0 ?
	    job->cfg->statement_timeout_ms : SQL_TIMEOUT_MS,
	    SQL_TIMEOUT_MAX_MS, &job->stmt_ms, res));
}

static void
sql_job_free(struct sql_job *job)
{
	size_t	i;

	for (i = 0; i < (size_t)job->nkept * (size_t)job->ncols; i++)
		free(job->cells[i].text);
	for (i = 0; job->names != NULL && i < (size_t)job->ncols; i++)
		free(job->names[i].text);
	free(job->cells);
	free(job->names);
	free(job->right);
	free(job->detail);
	postgres_conn_free(&job->link);
}

static int
sql_run(void *ctx, const struct action_req *req, struct action_result *res,
    const volatile int *cancel)
{
	struct sql_job	job;
	int		rc = -1;

	memset(&job, 0, sizeof job);
	job.req = req;
	job.cancel = cancel;
	job.start = mono_ms();
	if (sql_prepare(&job, ctx, res) == 0 && sql_connect(&job, res) == 0)
		rc = sql_execute(&job, res);
	res->duration_ms = mono_ms() - job.start;
	sql_job_free(&job);
	return (rc);
}

void
sql_exec_register(struct actions *a, const struct cfg_env *env)
{
	actions_register(a, "sql", sql_run, (void *)env);
}
