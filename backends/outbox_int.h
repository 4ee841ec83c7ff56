/* outbox_int.h: what the two parts of the outbox source share.
 *
 *   outbox.c     the source class: configuration copies, connections per
 *                (server, database), the check of each table, the figures
 *                query, the trend and the snapshot
 *   outbox_pq.c  libpq with client-side deadlines: a non-blocking connect
 *                and queries waited for in poll(), and a cancel that never
 *                blocks the caller
 *
 * Deadlines are mono_ms() values. */
#ifndef SITREP_OUTBOX_INT_H
#define SITREP_OUTBOX_INT_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "util.h"

/* Connect with libpq keywords (expand_dbname on) within timeout_s seconds;
 * the connection is non-blocking and its notices are dropped (they must
 * not reach the terminal).  The connection, or NULL and err. */
PGconn		*outbox_pq_connect(const char *const *keys,
		     const char *const *vals, int timeout_s, struct error *);
/* Run one statement with text parameters before the deadline.  The result
 * (rows; the caller PQclears it), or NULL and err; *late is set when the
 * deadline passed and the statement may still be running (then cancel and
 * drop the connection). */
PGresult	*outbox_pq_query(PGconn *, const char *sql, int n,
		     const char *const *params, int64_t deadline, int *late,
		     struct error *);
/* Ask the server to cancel what the connection runs; returns at once. */
void		 outbox_pq_cancel(PGconn *);
/* The first line of a libpq message, without "ERROR:  " and trailing
 * blanks. */
void		 outbox_pq_message(char *, size_t, const char *msg);

#endif
