/* postgres_conn.c: connections and queries of the PostgreSQL source, each
 * bounded on the client side.
 *
 * libpq's connect_timeout does not apply to PQconnectPoll and a query
 * waits as long as the server lets it, so both are driven non-blocking
 * with poll() on PQsocket() against a deadline of our own: the connect by
 * connect_timeout_s, a query by statement_timeout_ms + 1 s (the server
 * itself cancels at statement_timeout, set at connect).  Past a query's
 * deadline the server is not answering: the cancel request is sent from a
 * detached thread (PQcancel blocks until the server closes it) and the
 * connection is dropped at once. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "postgres_int.h"
#include "xmalloc.h"

#define PG_APPNAME		"sitrep"
#define PG_CANCELS_MAX		4	/* cancel threads in flight */

/* The number of cancel requests in flight, process-wide, so that a server
 * that never closes cancel connections cannot pile up threads.  The one
 * piece of global state here: the threads outlive any source. */
static int pg_cancels;

/* Configuration ---------------------------------------------------------- */

static void
pg_link_add(struct pg_link *l, const char *key, const char *val)
{
	l->keys = xreallocarray(l->keys, (size_t)l->nkeys + 2,
	    sizeof *l->keys);
	l->vals = xreallocarray(l->vals, (size_t)l->nkeys + 2,
	    sizeof *l->vals);
	l->keys[l->nkeys] = xstrdup(key);
	l->vals[l->nkeys] = xstrdup(val);
	l->nkeys++;
	l->keys[l->nkeys] = l->vals[l->nkeys] = NULL;
}

static int
pg_link_has(const struct pg_link *l, const char *key)
{
	int	i;

	for (i = 0; i < l->nkeys; i++)
		if (strcmp(l->keys[i], key) == 0)
			return (1);
	return (0);
}

static int
pg_is_keyword(const PQconninfoOption *defs, const char *word, size_t len)
{
	for (; defs != NULL && defs->keyword != NULL; defs++)
		if (strlen(defs->keyword) == len &&
		    strncmp(defs->keyword, word, len) == 0)
			return (1);
	return (0);
}

/* libpq's conninfo messages quote pieces of the string, which may hold a
 * password: keep a quoted word only when it is a connection keyword. */
static void
pg_redact_quotes(const char *msg, struct error *err)
{
	PQconninfoOption	*defs = PQconndefaults();
	char			 out[sizeof err->msg];
	const char		*end;
	size_t			 o = 0, n;

	while (*msg != '\0' && o + 8 < sizeof out) {
		if (*msg == '"' && (end = strchr(msg + 1, '"')) != NULL) {
			n = (size_t)(end - msg - 1);
			if (pg_is_keyword(defs, msg + 1, n) &&
			    o + n + 3 < sizeof out) {
				memcpy(out + o, msg, n + 2);
				o += n + 2;
			} else
				o += (size_t)snprintf(out + o, sizeof out - o,
				    "\"...\"");
			msg = end + 1;
			continue;
		}
		out[o++] = *msg++;
	}
	out[o] = '\0';
	PQconninfoFree(defs);
	postgres_conn_message(out, err);
}

int
postgres_conn_init(struct pg_link *l, const char *name, const char *conninfo,
    const char *service, struct error *err)
{
	PQconninfoOption	*opts = NULL, *o;
	char			*msg = NULL;

	memset(l, 0, sizeof *l);
	l->name = xstrdup(name);
	if (conninfo != NULL &&
	    (opts = PQconninfoParse(conninfo, &msg)) == NULL) {
		pg_redact_quotes(msg != NULL ? msg : "out of memory", err);
		PQfreemem(msg);
		return (-1);
	}
	for (o = opts; o != NULL && o->keyword != NULL; o++) {
		if (o->val == NULL || (service != NULL &&
		    strcmp(o->keyword, "service") == 0))
			continue;
		pg_link_add(l, o->keyword, o->val);
	}
	PQconninfoFree(opts);
	if (service != NULL)
		pg_link_add(l, "service", service);
	if (!pg_link_has(l, "application_name"))
		pg_link_add(l, "application_name", PG_APPNAME);
	return (0);
}

void
postgres_conn_free(struct pg_link *l)
{
	int	i;

	postgres_conn_drop(l);
	for (i = 0; i < l->nkeys; i++) {
		free(l->keys[i]);
		free(l->vals[i]);
	}
	free(l->keys);
	free(l->vals);
	free(l->name);
	free(l->password_env);
	free(l->password_file);
	memset(l, 0, sizeof *l);
}

/* Messages --------------------------------------------------------------- */

static void
pg_strip(char *s, const char *prefix)
{
	size_t	n = strlen(prefix);

	if (strncmp(s, prefix, n) == 0)
		memmove(s, s + n, strlen(s + n) + 1);
}

void
postgres_conn_message(const char *msg, struct error *err)
{
	char		 line[sizeof err->msg], *p;
	const char	*start = msg, *s;
	size_t		 n;

	/* The last line that is not a tab-indented hint or detail: with
	 * several hosts, the last host's reason. */
	for (s = msg; *s != '\0'; s = *p == '\0' ? p : p + 1) {
		p = strchr(s, '\n');
		if (p == NULL)
			p = (char *)s + strlen(s);
		if (p > s && *s != '\t' && *s != ' ')
			start = s;
	}
	n = strcspn(start, "\n");
	if (n >= sizeof line)
		n = sizeof line - 1;
	memcpy(line, start, n);
	line[n] = '\0';
	if (strncmp(line, "connection to server", 20) == 0 &&
	    (p = strstr(line, " failed: ")) != NULL)
		memmove(line, p + 9, strlen(p + 9) + 1);
	pg_strip(line, "FATAL:  ");
	pg_strip(line, "ERROR:  ");
	pg_strip(line, "fe_sendauth: ");
	n = strlen(line);
	while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (line[0] >= 'A' && line[0] <= 'Z' && line[1] >= 'a' &&
	    line[1] <= 'z')
		line[0] = (char)(line[0] - 'A' + 'a');
	if (strcmp(line, "no password supplied") == 0)
		snprintf(line, sizeof line, "no password supplied (set "
		    "password_env or password_file, or use .pgpass)");
	if (line[0] == '\0')
		snprintf(line, sizeof line, "unknown error");
	error_set(err, "%s", line);
}

/* Replace every occurrence of secret in err by "***". */
static void
pg_scrub(struct error *err, const char *secret)
{
	char	*p;
	size_t	 n;

	if (secret == NULL || (n = strlen(secret)) == 0)
		return;
	while ((p = strstr(err->msg, secret)) != NULL) {
		memmove(p + 3, p + n, strlen(p + n) + 1);
		memcpy(p, "***", 3);
	}
}

/* Waiting ---------------------------------------------------------------- */

/* Wait for events on the connection's socket until deadline (mono ms):
 * 1 ready, 0 deadline passed, -1 error. */
static int
pg_wait(PGconn *conn, short events, int64_t deadline)
{
	struct pollfd	pfd;
	int64_t		left;
	int		r;

	for (;;) {
		left = deadline - mono_ms();
		if (left <= 0)
			return (0);
		pfd.fd = PQsocket(conn);
		pfd.events = events;
		pfd.revents = 0;
		if (pfd.fd < 0)
			return (-1);
		r = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		if (r > 0)
			return (1);
		if (r < 0 && errno != EINTR)
			return (-1);
	}
}

static void *
pg_cancel_main(void *arg)
{
	PGcancel	*c = arg;
	char		 buf[256];

	PQcancel(c, buf, sizeof buf);
	PQfreeCancel(c);
	__atomic_sub_fetch(&pg_cancels, 1, __ATOMIC_ACQ_REL);
	return (NULL);
}

/* Ask the server to cancel the running query, without waiting. */
static void
pg_cancel_async(PGconn *conn)
{
	pthread_attr_t	 attr;
	pthread_t	 t;
	PGcancel	*c;

	if (__atomic_add_fetch(&pg_cancels, 1, __ATOMIC_ACQ_REL) >
	    PG_CANCELS_MAX || (c = PQgetCancel(conn)) == NULL) {
		__atomic_sub_fetch(&pg_cancels, 1, __ATOMIC_ACQ_REL);
		return;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, pg_cancel_main, c) != 0) {
		PQfreeCancel(c);
		__atomic_sub_fetch(&pg_cancels, 1, __ATOMIC_ACQ_REL);
	}
	pthread_attr_destroy(&attr);
}

/* Connecting ------------------------------------------------------------- */

void
postgres_conn_drop(struct pg_link *l)
{
	if (l->conn != NULL)
		PQfinish(l->conn);
	l->conn = NULL;
}

static void
pg_notice(void *arg, const char *msg)
{
}

/* The keyword arrays for one connect: the link's, and the password. */
static PGconn *
pg_start(struct pg_link *l, const char *password)
{
	const char	**k, **v;
	PGconn		 *conn;
	int		  i, n = 0;

	k = xcalloc((size_t)l->nkeys + 2, sizeof *k);
	v = xcalloc((size_t)l->nkeys + 2, sizeof *v);
	for (i = 0; i < l->nkeys; i++) {
		if (password != NULL && strcmp(l->keys[i], "password") == 0)
			continue;
		k[n] = l->keys[i];
		v[n++] = l->vals[i];
	}
	if (password != NULL) {
		k[n] = "password";
		v[n++] = password;
	}
	conn = PQconnectStartParams(k, v, 0);
	free(k);
	free(v);
	/* libpq prints notices to stderr, under the curses screen. */
	if (conn != NULL)
		PQsetNoticeProcessor(conn, pg_notice, NULL);
	return (conn);
}

static const char *
pg_link_password(const struct pg_link *l)
{
	int	i;

	for (i = 0; i < l->nkeys; i++)
		if (strcmp(l->keys[i], "password") == 0)
			return (l->vals[i]);
	return (NULL);
}

/* Drive PQconnectPoll until the connection is made or the deadline. */
static int
pg_poll_connect(struct pg_link *l, PGconn *conn, struct error *err)
{
	PostgresPollingStatusType	st = PGRES_POLLING_WRITING;
	int64_t				deadline;
	int				r;

	deadline = mono_ms() + (int64_t)l->connect_timeout_s * 1000;
	while (st != PGRES_POLLING_OK) {
		if (st == PGRES_POLLING_FAILED) {
			postgres_conn_message(PQerrorMessage(conn), err);
			return (-1);
		}
		r = pg_wait(conn, st == PGRES_POLLING_READING ? POLLIN :
		    POLLOUT, deadline);
		if (r == 0) {
			l->timed_out = 1;
			error_set(err, "timeout after %ds",
			    l->connect_timeout_s);
			return (-1);
		}
		if (r < 0) {
			error_set(err, "poll: %s", strerror(errno));
			return (-1);
		}
		st = PQconnectPoll(conn);
	}
	return (0);
}

/* "15.4" from "15.4 (Debian 15.4-1.pgdg120+1)". */
static void
pg_version(struct pg_link *l)
{
	const char	*v = PQparameterStatus(l->conn, "server_version");

	if (v == NULL)
		v = "";
	snprintf(l->version, sizeof l->version, "%.*s", (int)strcspn(v, " "),
	    v);
}

static int
pg_set_timeout(struct pg_link *l, struct error *err)
{
	static const char	*sql =
	    "SELECT pg_catalog.set_config('statement_timeout', $1, false)";
	char			 ms[24];
	const char		*params[1] = { ms };
	PGresult		*res;

	snprintf(ms, sizeof ms, "%dms", l->statement_timeout_ms);
	if ((res = postgres_conn_query(l, sql, 1, params, err)) == NULL) {
		postgres_conn_drop(l);
		return (-1);
	}
	PQclear(res);
	return (0);
}

/* Start and finish a connection with password pw (may be NULL). */
static PGconn *
pg_connect(struct pg_link *l, const char *pw, struct error *err)
{
	PGconn	*conn = pg_start(l, pw);

	if (conn == NULL) {
		error_set(err, "out of memory");
		return (NULL);
	}
	if (PQstatus(conn) == CONNECTION_BAD)
		postgres_conn_message(PQerrorMessage(conn), err);
	else if (pg_poll_connect(l, conn, err) == 0)
		return (conn);
	pg_scrub(err, pw != NULL ? pw : pg_link_password(l));
	PQfinish(conn);
	return (NULL);
}

int
postgres_conn_open(struct pg_link *l, struct error *err)
{
	struct error	 e;
	char		*pw = NULL;
	PGconn		*conn;

	postgres_conn_drop(l);
	l->timed_out = 0;
	if (config_secret(l->password_env, l->password_file, &pw, &e) != 0) {
		error_set(err, "password: %s", e.msg);
		return (-1);
	}
	conn = pg_connect(l, pw, err);
	if (pw != NULL) {
		explicit_bzero(pw, strlen(pw));
		free(pw);
	}
	if (conn == NULL)
		return (-1);
	PQsetnonblocking(conn, 1);
	l->conn = conn;
	pg_version(l);
	return (pg_set_timeout(l, err));
}

/* Querying --------------------------------------------------------------- */

static PGresult *
pg_timeout(struct pg_link *l, int bound_ms, struct error *err)
{
	error_set(err, "timeout after %ds", (bound_ms + 999) / 1000);
	pg_cancel_async(l->conn);
	postgres_conn_drop(l);
	l->timed_out = 1;
	return (NULL);
}

/* The connection failed under a query: say why and drop it. */
static PGresult *
pg_lost(struct pg_link *l, struct error *err)
{
	postgres_conn_message(PQerrorMessage(l->conn), err);
	postgres_conn_drop(l);
	return (NULL);
}

/* Send what libpq buffered; 0, 1 deadline, -1 lost. */
static int
pg_flush(struct pg_link *l, int64_t deadline)
{
	int	r;

	while ((r = PQflush(l->conn)) == 1) {
		r = pg_wait(l->conn, POLLIN | POLLOUT, deadline);
		if (r == 0)
			return (1);
		if (r < 0 || PQconsumeInput(l->conn) == 0)
			return (-1);
	}
	return (r == 0 ? 0 : -1);
}

/* Read until a result is complete; 0, 1 deadline, -1 lost. */
static int
pg_await(struct pg_link *l, int64_t deadline)
{
	int	r;

	while (PQisBusy(l->conn)) {
		r = pg_wait(l->conn, POLLIN, deadline);
		if (r == 0)
			return (1);
		if (r < 0 || PQconsumeInput(l->conn) == 0)
			return (-1);
	}
	return (0);
}

/* Collect the results of the query sent; keeps the first error, else the
 * last result.  0, 1 deadline, -1 lost. */
static int
pg_collect(struct pg_link *l, int64_t deadline, PGresult **out)
{
	PGresult	*res;
	int		 r;

	*out = NULL;
	for (;;) {
		if ((r = pg_await(l, deadline)) != 0) {
			PQclear(*out);
			*out = NULL;
			return (r);
		}
		if ((res = PQgetResult(l->conn)) == NULL)
			return (0);
		if (*out != NULL && PQresultStatus(*out) == PGRES_FATAL_ERROR)
			PQclear(res);
		else {
			PQclear(*out);
			*out = res;
		}
	}
}

PGresult *
postgres_conn_query(struct pg_link *l, const char *sql, int nparams,
    const char *const *params, struct error *err)
{
	int		 bound_ms = l->statement_timeout_ms + 1000, r;
	int64_t		 deadline = mono_ms() + bound_ms;
	PGresult	*res;

	l->timed_out = 0;
	if (l->conn == NULL) {
		error_set(err, "not connected");
		return (NULL);
	}
	if (!PQsendQueryParams(l->conn, sql, nparams, NULL, params, NULL, NULL,
	    0))
		return (pg_lost(l, err));
	if ((r = pg_flush(l, deadline)) == 0)
		r = pg_collect(l, deadline, &res);
	if (r > 0)
		return (pg_timeout(l, bound_ms, err));
	if (r < 0)
		return (pg_lost(l, err));
	if (res != NULL && (PQresultStatus(res) == PGRES_TUPLES_OK ||
	    PQresultStatus(res) == PGRES_COMMAND_OK))
		return (res);
	postgres_conn_message(res != NULL ? PQresultErrorMessage(res) :
	    PQerrorMessage(l->conn), err);
	PQclear(res);
	if (PQstatus(l->conn) == CONNECTION_BAD)
		postgres_conn_drop(l);
	return (NULL);
}
