/* pgconn.h: libpq bounded by client-side deadlines, for every source that
 * talks to PostgreSQL (postgres_conn.c, outbox.c).
 *
 * libpq's connect_timeout does not apply to PQconnectPoll and a query
 * waits as long as the server lets it, so both are driven non-blocking
 * with poll() on PQsocket() against a deadline (a mono_ms() value).  The
 * texts of errors are the callers': these say what happened, libpq's
 * PQerrorMessage() or errno why. */
#ifndef SITREP_PGCONN_H
#define SITREP_PGCONN_H

#include <stdint.h>

#include <libpq-fe.h>

#define PGCONN_LATE	1	/* the deadline passed */
#define PGCONN_FAILED	(-1)	/* libpq failed: PQerrorMessage() */
#define PGCONN_POLL	(-2)	/* poll() failed: errno */

/* Connect with libpq keywords and values (expand_dbname as in
 * PQconnectStartParams) before the deadline; notices are dropped (they
 * must not reach the terminal) and the connection is non-blocking.  0 and
 * *out connected, else PGCONN_LATE, PGCONN_FAILED or PGCONN_POLL with *out
 * to say why and to PQfinish(); *out is NULL only when out of memory. */
int		 pgconn_connect(const char *const *keys,
		     const char *const *vals, int expand, int64_t deadline,
		     PGconn **out);
/* Run one statement with text parameters before the deadline.  0 when
 * every result was read: *out is the first error, else the last result
 * (NULL when none; the caller PQclear()s it).  PGCONN_LATE when the
 * deadline passed and the statement may still be running (cancel and drop
 * the connection), PGCONN_FAILED when the connection failed. */
int		 pgconn_query(PGconn *, const char *sql, int nparams,
		     const char *const *params, int64_t deadline,
		     PGresult **out);
/* Ask the server to cancel what the connection runs; returns at once. */
void		 pgconn_cancel(PGconn *);

#endif
