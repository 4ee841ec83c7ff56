/* warroom.c: several consoles on one incident, through Redis (warroom.h,
 * docs/warroom.md): the worker thread that owns the connection, the
 * queue of work, presence, the driver key and following the stream.  The
 * approvals are in warroom_approval.c, the connection in warroom_conn.c.
 *
 * The public calls only queue work or copy state under wr->lock; the
 * worker wakes on queued work or every WR_TICK_MS, and on any I/O error
 * drops the connection and reconnects after a backoff (0.5 s doubling to
 * 5 s).  What the caller asked for (the incident, the role) is kept apart
 * from what Redis has of us, so that a reconnect puts us back. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "warroom_int.h"
#include "xmalloc.h"

/* Shared helpers (lock held) --------------------------------------------- */

void
wr_wake(struct warroom *wr)
{
	if (wr->wake != NULL)
		wr->wake(wr->wake_arg);
}

void
wr_message(struct warroom *wr, const char *fmt, ...)
{
	va_list	ap;
	char	*m;

	va_start(ap, fmt);
	xvasprintf(&m, fmt, ap);
	va_end(ap);
	if (wr->nmsgs == WR_MESSAGES_MAX) {
		free(wr->msgs[0]);
		memmove(wr->msgs, wr->msgs + 1, (size_t)--wr->nmsgs *
		    sizeof *wr->msgs);
	}
	wr->msgs = xreallocarray(wr->msgs, (size_t)wr->nmsgs + 1,
	    sizeof *wr->msgs);
	wr->msgs[wr->nmsgs++] = m;
	wr_wake(wr);
}

void
wr_job_free(struct wr_job *j)
{
	if (j == NULL)
		return;
	free(j->incident);
	free(j->text);
	free(j->reason);
	if (j->req != NULL) {
		wr_request_free(j->req);
		free(j->req);
	}
	free(j);
}

/* Queue a job (lock held) and wake the worker. */
void
wr_enqueue(struct warroom *wr, struct wr_job *j)
{
	j->next = NULL;
	if (wr->tail != NULL)
		wr->tail->next = j;
	else
		wr->head = j;
	wr->tail = j;
	wr->njobs++;
	pthread_cond_broadcast(&wr->cond);
}

static struct wr_job *
wr_job_new(enum wr_job_kind kind, const char *text)
{
	struct wr_job	*j = xcalloc(1, sizeof *j);

	j->kind = kind;
	j->text = text != NULL ? xstrdup(text) : NULL;
	return (j);
}

void
wr_strv_free(char **v, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The worker: jobs, the connection, the loop ------------------------------ */

static int
wr_run_job(struct warroom *wr, struct wr_job *j)
{
	switch (j->kind) {
	case WJ_PUBLISH:
		if (wr_publish(wr, j) != 0 && wr->conn.ctx == NULL)
			return (-1);
		return (0);
	case WJ_HANDOVER:
		return (wr_handover(wr, j));
	case WJ_TAKE_WHEEL:
		return (wr_take_wheel_job(wr));
	default:
		return (wr_approval_job(wr, j));
	}
}

/* Run the queued jobs in order; one whose connection failed stays first
 * and runs again after reconnecting. */
static int
wr_run_jobs(struct warroom *wr)
{
	struct wr_job	*j;

	for (;;) {
		pthread_mutex_lock(&wr->lock);
		j = wr->head;
		pthread_mutex_unlock(&wr->lock);
		if (j == NULL)
			return (0);
		if (wr_run_job(wr, j) != 0)
			return (-1);
		pthread_mutex_lock(&wr->lock);
		wr->head = j->next;
		if (wr->head == NULL)
			wr->tail = NULL;
		wr->njobs--;
		pthread_mutex_unlock(&wr->lock);
		wr_job_free(j);
	}
}

static void
wr_connect(struct warroom *wr)
{
	int	got;

	if (wr_conn_open(&wr->conn, &wr->redis) != 0) {
		wr->next_connect_ms = mono_ms() + wr->backoff_ms;
		wr->backoff_ms = wr->backoff_ms * 2 > WR_BACKOFF_MAX_MS ?
		    WR_BACKOFF_MAX_MS : wr->backoff_ms * 2;
		return;
	}
	wr->backoff_ms = WR_BACKOFF_MIN_MS;
	wr->cmd_err[0] = '\0';
	wr->next_presence_ms = wr->next_slow_ms = wr->next_tick_ms = 0;
	/* Our wheel, if it expired while we were away and nobody took it. */
	if (wr->was_driver && wr->have_inc[0] != '\0')
		wr_driver_set_nx(wr, wr->have_inc, &got);
}

/* After a failure: reconnect after the backoff. */
static void
wr_dropped(struct warroom *wr)
{
	if (wr->conn.ctx != NULL)
		return;
	wr->next_connect_ms = mono_ms() + wr->backoff_ms;
	wr->backoff_ms = wr->backoff_ms * 2 > WR_BACKOFF_MAX_MS ?
	    WR_BACKOFF_MAX_MS : wr->backoff_ms * 2;
}

/* One pass with a connection: what we asked for, the jobs, and when it
 * is due (or closing is not) the tick. */
static void
wr_pass(struct warroom *wr, int closing)
{
	int64_t	now;

	if (wr_membership(wr) != 0 || wr_run_jobs(wr) != 0 || closing)
		return;
	now = mono_ms();
	if (now < wr->next_tick_ms)
		return;
	wr->next_tick_ms = now + WR_TICK_MS;
	wr->cmd_err[0] = '\0';
	if ((wr->slow = now >= wr->next_slow_ms))
		wr->next_slow_ms = now + WR_SLOW_MS;
	if (wr->have_inc[0] != '\0' && wr_tick_incident(wr, &wr->wv) != 0 &&
	    wr->conn.ctx == NULL)
		return;
	wr_approval_tick(wr);
}

/* Whether two views differ in anything the UI shows (member by member:
 * the struct has padding). */
static int
wr_view_differs(const struct wr_view *a, const struct wr_view *b)
{
	int	i;

	if (a->connected != b->connected || a->role != b->role ||
	    a->npeople != b->npeople || a->records != b->records ||
	    strcmp(a->error, b->error) != 0 ||
	    strcmp(a->incident, b->incident) != 0 ||
	    strcmp(a->driver, b->driver) != 0 ||
	    strcmp(a->driver_name, b->driver_name) != 0)
		return (1);
	for (i = 0; i < a->npeople; i++) {
		const struct wr_presence *p = &a->people[i], *q = &b->people[i];

		if (p->role != q->role || p->driver != q->driver ||
		    p->since_ms != q->since_ms ||
		    strcmp(p->who.session, q->who.session) != 0 ||
		    strcmp(p->who.user, q->who.user) != 0 ||
		    strcmp(p->who.host, q->who.host) != 0)
			return (1);
	}
	return (0);
}

/* Copy the worker's view to the shared one; wake the UI on a change. */
static void
wr_publish_view(struct warroom *wr)
{
	struct wr_view	*v = &wr->wv;

	v->connected = wr->conn.ctx != NULL;
	if (!v->connected)
		strlcpy_(v->error, wr->conn.err, sizeof v->error);
	else
		strlcpy_(v->error, wr->cmd_err, sizeof v->error);
	if (wr->have_inc[0] == '\0') {
		v->role = WR_NONE;
		v->npeople = 0;
		v->driver[0] = v->driver_name[0] = '\0';
	}
	pthread_mutex_lock(&wr->lock);
	strlcpy_(v->incident, wr->want_inc, sizeof v->incident);
	v->records = wr->view.records;
	v->generation = wr->view.generation;
	if (wr_view_differs(v, &wr->view)) {
		v->generation++;
		wr->view = *v;
		wr_wake(wr);
	}
	pthread_mutex_unlock(&wr->lock);
}

/* Wait for the stop, work (when it can be done: connected), or until
 * (monotonic ms). */
static void
wr_wait(struct warroom *wr, int connected, int64_t until)
{
	struct timespec	ts;

	pthread_mutex_lock(&wr->lock);
	while (!wr->closing && (!connected || wr->head == NULL) &&
	    mono_ms() < until) {
		ts.tv_sec = (time_t)(until / 1000);
		ts.tv_nsec = (long)(until % 1000) * 1000000L;
		if (pthread_cond_timedwait(&wr->cond, &wr->lock, &ts) ==
		    ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&wr->lock);
}

static void wr_destroy(struct warroom *);

static void *
wr_main(void *arg)
{
	struct warroom	*wr = arg;
	int		 closing, detached;

	for (;;) {
		pthread_mutex_lock(&wr->lock);
		closing = wr->closing;
		pthread_mutex_unlock(&wr->lock);
		if (wr->conn.ctx == NULL && !closing &&
		    mono_ms() >= wr->next_connect_ms) {
			wr_connect(wr);
			pthread_mutex_lock(&wr->lock);
			closing = wr->closing;
			pthread_mutex_unlock(&wr->lock);
		}
		if (wr->conn.ctx != NULL) {
			wr_pass(wr, closing);
			wr_dropped(wr);
		}
		if (closing)
			break;
		wr_publish_view(wr);
		if (wr->conn.ctx != NULL)
			wr_wait(wr, 1, wr->next_tick_ms);
		else
			wr_wait(wr, 0, wr->next_connect_ms);
	}
	wr_conn_close(&wr->conn);
	pthread_mutex_lock(&wr->lock);
	wr->done = 1;
	detached = wr->detached;
	pthread_cond_broadcast(&wr->cond);
	pthread_mutex_unlock(&wr->lock);
	if (detached)
		wr_destroy(wr);
	return (NULL);
}

/* The public calls ------------------------------------------------------- */

struct warroom *
warroom_new(const struct warroom_opts *o, struct error *err)
{
	const struct cfg_warroom	*c = o->cfg;
	struct warroom			*wr;
	pthread_condattr_t		 ca;

	if (c == NULL || c->redis.url == NULL || c->redis.host == NULL) {
		error_set(err, "war room: no Redis URL (warroom.redis.url)");
		return (NULL);
	}
	if (o->self == NULL) {
		error_set(err, "war room: no identity");
		return (NULL);
	}
	wr = xcalloc(1, sizeof *wr);
	wr_cfg_copy(&wr->redis, &c->redis);
	wr->prefix = xstrdup(c->prefix != NULL ? c->prefix : "sitrep:");
	wr->maxlen = c->maxlen > 0 ? c->maxlen : 10000;
	wr->presence_ttl_ms = c->presence_ttl_ms > 0 ? c->presence_ttl_ms :
	    15000;
	wr->approval_ttl_ms = c->approval_ttl_ms > 0 ? c->approval_ttl_ms :
	    300000;
	wr->self = *o->self;
	wr->wake = o->wake;
	wr->wake_arg = o->wake_arg;
	wr->backoff_ms = WR_BACKOFF_MIN_MS;
	strlcpy_(wr->last_id, "0-0", sizeof wr->last_id);
	wr->conn.cfg = &wr->redis;
	snprintf(wr->conn.err, sizeof wr->conn.err, "redis %s:%d: connecting",
	    wr->redis.host, wr->redis.port);
	strlcpy_(wr->view.error, wr->conn.err, sizeof wr->view.error);
	pthread_mutex_init(&wr->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&wr->cond, &ca);
	pthread_condattr_destroy(&ca);
	if ((errno = pthread_create(&wr->thread, NULL, wr_main, wr)) != 0) {
		error_set(err, "war room: cannot start a thread: %s",
		    strerror(errno));
		wr_destroy(wr);
		return (NULL);
	}
	return (wr);
}

static void
wr_destroy(struct warroom *wr)
{
	struct wr_job	*j;
	int		 i;

	while ((j = wr->head) != NULL) {
		wr->head = j->next;
		wr_job_free(j);
	}
	wr_strv_free(wr->take, wr->ntake);
	wr_strv_free(wr->msgs, wr->nmsgs);
	for (i = 0; i < wr->nown; i++)
		wr_request_free(&wr->own[i].req);
	free(wr->own);
	wr_requests_free(wr->pending, wr->npending);
	wr_cfg_free(&wr->redis);
	free(wr->prefix);
	pthread_cond_destroy(&wr->cond);
	pthread_mutex_destroy(&wr->lock);
	free(wr);
}

void
warroom_free(struct warroom *wr)
{
	struct timespec	ts;
	int64_t		until = mono_ms() + WR_FREE_WAIT_MS;
	int		done;

	if (wr == NULL)
		return;
	pthread_mutex_lock(&wr->lock);
	wr->want_inc[0] = '\0';
	wr->want_role = WR_NONE;
	wr->closing = 1;
	pthread_cond_broadcast(&wr->cond);
	while (!wr->done && mono_ms() < until) {
		ts.tv_sec = (time_t)(until / 1000);
		ts.tv_nsec = (long)(until % 1000) * 1000000L;
		if (pthread_cond_timedwait(&wr->cond, &wr->lock, &ts) ==
		    ETIMEDOUT)
			break;
	}
	done = wr->done;
	if (!done) {
		/* Stuck in a command: it ends at the command timeout and
		 * frees everything; it wakes nobody from now on. */
		wr->detached = 1;
		wr->wake = NULL;
	}
	pthread_mutex_unlock(&wr->lock);
	if (done) {
		pthread_join(wr->thread, NULL);
		wr_destroy(wr);
	} else
		pthread_detach(wr->thread);
}

void
warroom_join(struct warroom *wr, const char *incident, enum wr_role role)
{
	pthread_mutex_lock(&wr->lock);
	strlcpy_(wr->want_inc, incident != NULL ? incident : "",
	    sizeof wr->want_inc);
	wr->want_role = incident != NULL ? role : WR_NONE;
	pthread_cond_broadcast(&wr->cond);
	pthread_mutex_unlock(&wr->lock);
}

void
warroom_leave(struct warroom *wr)
{
	warroom_join(wr, NULL, WR_NONE);
}

void
warroom_publish(struct warroom *wr, const char *incident, const char *line)
{
	struct wr_job	*j;

	if (incident == NULL || *incident == '\0' || line == NULL)
		return;
	pthread_mutex_lock(&wr->lock);
	if (wr->njobs >= WR_QUEUE_MAX || wr->closing) {
		if (wr->dropped++ % 1000 == 0 && !wr->closing)
			wr_message(wr, "war room: %d records waiting for Redis: "
			    "%llu not sent", wr->njobs,
			    (unsigned long long)wr->dropped);
		pthread_mutex_unlock(&wr->lock);
		return;
	}
	j = wr_job_new(WJ_PUBLISH, line);
	j->incident = xstrdup(incident);
	wr_enqueue(wr, j);
	pthread_mutex_unlock(&wr->lock);
}

void
warroom_view(struct warroom *wr, struct wr_view *v)
{
	pthread_mutex_lock(&wr->lock);
	*v = wr->view;
	pthread_mutex_unlock(&wr->lock);
}

/* Hand over a list: its elements and count (0 when none). */
static int
wr_move(char ***from, int *nfrom, char ***to, int *n)
{
	*to = *from;
	*n = *nfrom;
	*from = NULL;
	*nfrom = 0;
	return (*n);
}

int
warroom_take(struct warroom *wr, char ***lines, int *n)
{
	int	rc;

	pthread_mutex_lock(&wr->lock);
	rc = wr_move(&wr->take, &wr->ntake, lines, n);
	pthread_mutex_unlock(&wr->lock);
	return (rc);
}

int
warroom_messages(struct warroom *wr, char ***msgs, int *n)
{
	int	rc;

	pthread_mutex_lock(&wr->lock);
	rc = wr_move(&wr->msgs, &wr->nmsgs, msgs, n);
	pthread_mutex_unlock(&wr->lock);
	return (rc);
}

int
warroom_handover(struct warroom *wr, const char *to_session)
{
	int	i, found = 0;

	pthread_mutex_lock(&wr->lock);
	for (i = 0; to_session != NULL && i < wr->view.npeople; i++)
		found |= strcmp(wr->view.people[i].who.session,
		    to_session) == 0 && !wr->view.people[i].driver;
	if (wr->view.role != WR_DRIVING || !found) {
		pthread_mutex_unlock(&wr->lock);
		return (-1);
	}
	wr_enqueue(wr, wr_job_new(WJ_HANDOVER, to_session));
	pthread_mutex_unlock(&wr->lock);
	return (0);
}

int
warroom_take_wheel(struct warroom *wr)
{
	pthread_mutex_lock(&wr->lock);
	if (wr->want_inc[0] == '\0') {
		pthread_mutex_unlock(&wr->lock);
		return (-1);
	}
	if (wr->view.role != WR_DRIVING)	/* else it is ours already */
		wr_enqueue(wr, wr_job_new(WJ_TAKE_WHEEL, NULL));
	pthread_mutex_unlock(&wr->lock);
	return (0);
}
