/* postgres_conn.c: connections and queries of the PostgreSQL source, each
 * bounded on the client side (the waiting is pgconn.c's): the connect by
 * connect_timeout_s, a query by statement_timeout_ms + 1 s (the server
 * itself cancels at statement_timeout, set at connect).  Past a query's
 * deadline the server is not answering: the query is cancelled and the
 * connection dropped at once. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "pgconn.h"
#include "postgres_int.h"
#include "xmalloc.h"

#define PG_APPNAME		"sitrep"

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
		/* NOLINTNEXTLINE(bugprone-not-null-terminated-result): inside the string */
		memcpy(p, "***", 3);
	}
}

/* Connecting ------------------------------------------------------------- */

void
postgres_conn_drop(struct pg_link *l)
{
	if (l->conn != NULL)
		PQfinish(l->conn);
	l->conn = NULL;
}

/* Connect with the link's keywords and password pw (may be NULL) before
 * the deadline: pgconn_connect()'s answer. */
static int
pg_start(struct pg_link *l, const char *password, int64_t deadline,
    PGconn **conn)
{
	const char	**k, **v;
	int		  i, n = 0, r;

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
	r = pgconn_connect(k, v, 0, deadline, conn);
	free(k);
	free(v);
	return (r);
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
	PGconn	*conn;
	int	 r;

	r = pg_start(l, pw, mono_ms() + (int64_t)l->connect_timeout_s * 1000,
	    &conn);
	if (r == 0)
		return (conn);
	if (conn == NULL)
		error_set(err, "out of memory");
	else if (r == PGCONN_LATE) {
		l->timed_out = 1;
		error_set(err, "timeout after %ds", l->connect_timeout_s);
	} else if (r == PGCONN_POLL)
		error_set(err, "poll: %s", strerror(errno));
	else
		postgres_conn_message(PQerrorMessage(conn), err);
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
	l->conn = conn;
	pg_version(l);
	return (pg_set_timeout(l, err));
}

/* Querying --------------------------------------------------------------- */

static PGresult *
pg_timeout(struct pg_link *l, int bound_ms, struct error *err)
{
	error_set(err, "timeout after %ds", (bound_ms + 999) / 1000);
	pgconn_cancel(l->conn);
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
	r = pgconn_query(l->conn, sql, nparams, params, deadline, &res);
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
