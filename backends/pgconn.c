/* pgconn.c: libpq with client-side deadlines (pgconn.h).  Every wait is a
 * poll() on the connection's socket with what is left of the deadline;
 * nothing here blocks in libpq.  Past a query's deadline the server is not
 * answering: the cancel request is sent from a detached thread (PQcancel
 * blocks until the server closes it), and the caller drops the
 * connection at once. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>

#include "pgconn.h"
#include "util.h"

#define PGCONN_CANCELS_MAX	4	/* cancel threads in flight */

/* The number of cancel requests in flight, process-wide, so that a server
 * that never closes cancel connections cannot pile up threads.  The one
 * piece of global state here: the threads outlive any source. */
static int pgconn_cancels;

/* Wait for events on the connection's socket until deadline (mono ms):
 * 1 ready, 0 deadline passed, -1 error (errno). */
static int
pgconn_wait(PGconn *conn, short events, int64_t deadline)
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
		if (pfd.fd < 0) {
			errno = EBADF;
			return (-1);
		}
		r = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		if (r > 0)
			return (1);
		if (r < 0 && errno != EINTR)
			return (-1);
	}
}

static void *
pgconn_cancel_main(void *arg)
{
	PGcancel	*c = arg;
	char		 buf[256];

	(void)PQcancel(c, buf, sizeof buf);
	PQfreeCancel(c);
	__atomic_sub_fetch(&pgconn_cancels, 1, __ATOMIC_ACQ_REL);
	return (NULL);
}

void
pgconn_cancel(PGconn *conn)
{
	pthread_attr_t	 attr;
	pthread_t	 t;
	PGcancel	*c;

	if (__atomic_add_fetch(&pgconn_cancels, 1, __ATOMIC_ACQ_REL) >
	    PGCONN_CANCELS_MAX || (c = PQgetCancel(conn)) == NULL) {
		__atomic_sub_fetch(&pgconn_cancels, 1, __ATOMIC_ACQ_REL);
		return;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, pgconn_cancel_main, c) != 0) {
		PQfreeCancel(c);
		__atomic_sub_fetch(&pgconn_cancels, 1, __ATOMIC_ACQ_REL);
	}
	pthread_attr_destroy(&attr);
}

/* Connecting ------------------------------------------------------------- */

static void
pgconn_notice(void *arg, const char *msg)
{
}

int
pgconn_connect(const char *const *keys, const char *const *vals, int expand,
    int64_t deadline, PGconn **out)
{
	PostgresPollingStatusType	 st = PGRES_POLLING_WRITING;
	PGconn				*conn;
	int				 r;

	if ((*out = conn = PQconnectStartParams(keys, vals, expand)) == NULL)
		return (PGCONN_FAILED);
	/* libpq prints notices to stderr, under the curses screen. */
	PQsetNoticeProcessor(conn, pgconn_notice, NULL);
	if (PQstatus(conn) == CONNECTION_BAD)
		return (PGCONN_FAILED);
	while (st != PGRES_POLLING_OK) {
		if (st == PGRES_POLLING_FAILED)
			return (PGCONN_FAILED);
		r = pgconn_wait(conn, st == PGRES_POLLING_READING ? POLLIN :
		    POLLOUT, deadline);
		if (r == 0)
			return (PGCONN_LATE);
		if (r < 0)
			return (PGCONN_POLL);
		st = PQconnectPoll(conn);
	}
	if (PQsetnonblocking(conn, 1) != 0)
		return (PGCONN_FAILED);
	return (0);
}

/* Querying --------------------------------------------------------------- */

/* Send what libpq buffered; 0, PGCONN_LATE or PGCONN_FAILED. */
static int
pgconn_flush(PGconn *conn, int64_t deadline)
{
	int	r;

	while ((r = PQflush(conn)) == 1) {
		r = pgconn_wait(conn, POLLIN | POLLOUT, deadline);
		if (r == 0)
			return (PGCONN_LATE);
		if (r < 0 || PQconsumeInput(conn) == 0)
			return (PGCONN_FAILED);
	}
	return (r == 0 ? 0 : PGCONN_FAILED);
}

/* Read until a result is complete; 0, PGCONN_LATE or PGCONN_FAILED. */
static int
pgconn_await(PGconn *conn, int64_t deadline)
{
	int	r;

	while (PQisBusy(conn)) {
		r = pgconn_wait(conn, POLLIN, deadline);
		if (r == 0)
			return (PGCONN_LATE);
		if (r < 0 || PQconsumeInput(conn) == 0)
			return (PGCONN_FAILED);
	}
	return (0);
}

/* Collect the results of the query sent; keeps the first error, else the
 * last result. */
static int
pgconn_collect(PGconn *conn, int64_t deadline, PGresult **out)
{
	PGresult	*res;
	int		 r;

	*out = NULL;
	for (;;) {
		if ((r = pgconn_await(conn, deadline)) != 0) {
			PQclear(*out);
			*out = NULL;
			return (r);
		}
		if ((res = PQgetResult(conn)) == NULL)
			return (0);
		if (*out != NULL && PQresultStatus(*out) == PGRES_FATAL_ERROR)
			PQclear(res);
		else {
			PQclear(*out);
			*out = res;
		}
	}
}

int
pgconn_query(PGconn *conn, const char *sql, int nparams,
    const char *const *params, int64_t deadline, PGresult **out)
{
	int	r;

	*out = NULL;
	if (!PQsendQueryParams(conn, sql, nparams, NULL, params, NULL, NULL,
	    0))
		return (PGCONN_FAILED);
	if ((r = pgconn_flush(conn, deadline)) != 0)
		return (r);
	return (pgconn_collect(conn, deadline, out));
}
