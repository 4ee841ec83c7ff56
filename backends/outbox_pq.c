/* outbox_pq.c: libpq with client-side deadlines for the outbox source
 * (outbox_int.h).  Every wait is a poll() on the connection's socket with
 * what is left of the deadline; nothing here blocks in libpq. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>

#include "outbox_int.h"
#include "xmalloc.h"

void
outbox_pq_message(char *dst, size_t len, const char *msg)
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

/* Wait until pg's socket is ready for events or the deadline (mono ms)
 * passes: 1 ready, 0 deadline, -1 error (errno). */
static int
pq_wait(PGconn *pg, short events, int64_t deadline)
{
	struct pollfd	pfd;
	int64_t		left;
	int		r;

	pfd.fd = PQsocket(pg);
	pfd.events = events;
	if (pfd.fd < 0) {
		errno = EBADF;
		return (-1);
	}
	for (;;) {
		if ((left = deadline - mono_ms()) <= 0)
			return (0);
		r = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		if (r > 0)
			return (1);
		if (r < 0 && errno != EINTR)
			return (-1);
	}
}

/* Drive PQconnectPoll to the end or the deadline.  0 or -1 with err. */
static int
pq_connect_wait(PGconn *pg, int64_t deadline, int timeout_s,
    struct error *err)
{
	PostgresPollingStatusType	st = PGRES_POLLING_WRITING;
	int				w;

	if (PQstatus(pg) == CONNECTION_BAD)
		st = PGRES_POLLING_FAILED;
	for (;;) {
		if (st == PGRES_POLLING_OK)
			return (0);
		if (st == PGRES_POLLING_FAILED) {
			outbox_pq_message(err->msg, sizeof err->msg,
			    PQerrorMessage(pg));
			return (-1);
		}
		w = pq_wait(pg, st == PGRES_POLLING_WRITING ? POLLOUT : POLLIN,
		    deadline);
		if (w == 0) {
			error_set(err, "connect: no answer within %d s",
			    timeout_s);
			return (-1);
		}
		if (w < 0) {
			error_set(err, "connect: %s", strerror(errno));
			return (-1);
		}
		st = PQconnectPoll(pg);
	}
}

/* The one result of a finished query: NULL and err unless it has rows. */
static PGresult *
pq_result(PGresult *res, struct error *err)
{
	if (res == NULL) {
		error_set(err, "no result");
		return (NULL);
	}
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		outbox_pq_message(err->msg, sizeof err->msg,
		    PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) != NULL ?
		    PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) :
		    PQresultErrorMessage(res));
		PQclear(res);
		return (NULL);
	}
	return (res);
}

PGresult *
outbox_pq_query(PGconn *pg, const char *sql, int n, const char *const *params,
    int64_t deadline, int *late, struct error *err)
{
	PGresult	*res = NULL, *r;
	int		 w, unsent;

	*late = 0;
	if (!PQsendQueryParams(pg, sql, n, NULL, params, NULL, NULL, 0)) {
		outbox_pq_message(err->msg, sizeof err->msg,
		    PQerrorMessage(pg));
		return (NULL);
	}
	for (;;) {
		if ((unsent = PQflush(pg)) < 0)
			break;
		while (!unsent && !PQisBusy(pg)) {
			if ((r = PQgetResult(pg)) == NULL)
				return (pq_result(res, err));
			if (res == NULL)
				res = r;
			else
				PQclear(r);
		}
		w = pq_wait(pg, unsent ? POLLIN | POLLOUT : POLLIN, deadline);
		if (w == 0) {
			*late = 1;
			error_set(err, "deadline");
			PQclear(res);
			return (NULL);
		}
		if (w < 0 || !PQconsumeInput(pg))
			break;
	}
	outbox_pq_message(err->msg, sizeof err->msg, PQerrorMessage(pg));
	PQclear(res);
	return (NULL);
}

static void *
pq_cancel_main(void *arg)
{
	PGcancel	*cn = arg;
	char		 buf[256];

	(void)PQcancel(cn, buf, sizeof buf);
	PQfreeCancel(cn);
	return (NULL);
}

/* PQcancel blocks (its connect, then until the server closes), and the
 * server that made us give up may be the one that does not answer, so it
 * runs on a detached thread.  The server's statement_timeout is the
 * backstop. */
void
outbox_pq_cancel(PGconn *pg)
{
	PGcancel	*cn;
	pthread_attr_t	 attr;
	pthread_t	 t;

	if ((cn = PQgetCancel(pg)) == NULL)
		return;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, pq_cancel_main, cn) != 0)
		PQfreeCancel(cn);
	pthread_attr_destroy(&attr);
}


static void
pq_quiet(void *arg, const char *msg)
{
}

PGconn *
outbox_pq_connect(const char *const *keys, const char *const *vals,
    int timeout_s, struct error *err)
{
	int64_t	 deadline = mono_ms() + (int64_t)timeout_s * 1000;
	PGconn	*pg;

	if ((pg = PQconnectStartParams(keys, vals, 1)) == NULL)
		fatalx("out of memory");
	PQsetNoticeProcessor(pg, pq_quiet, NULL);
	if (pq_connect_wait(pg, deadline, timeout_s, err) != 0)
		goto fail;
	if (PQsetnonblocking(pg, 1) != 0) {
		outbox_pq_message(err->msg, sizeof err->msg,
		    PQerrorMessage(pg));
		goto fail;
	}
	return (pg);
fail:
	PQfinish(pg);
	return (NULL);
}
