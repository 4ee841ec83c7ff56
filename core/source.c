/* source.c: the worker thread behind each data source. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "source.h"
#include "xmalloc.h"

struct source *
source_new(const struct source_class *cls, const char *name, unsigned kinds,
    int interval_ms, void *priv)
{
	struct source	*src;

	src = xcalloc(1, sizeof *src);
	src->cls = cls;
	strlcpy_(src->name, name, sizeof src->name);
	src->kinds = kinds;
	src->interval_ms = interval_ms > 0 ? interval_ms : 1000;
	src->max_backoff_ms = 60000;
	src->priv = priv;
	src->rng = (unsigned)now_ms() ^ (unsigned)(uintptr_t)src;
	pthread_mutex_init(&src->lock, NULL);
	pthread_cond_init(&src->cond, NULL);
	return (src);
}

int
source_backoff_ms(int interval_ms, int max_ms, int n, unsigned *rng)
{
	long	d = interval_ms;
	int	i;

	for (i = 1; i < n && d < max_ms; i++)
		d *= 2;
	if (d > max_ms)
		d = max_ms;
	/* Full jitter on the upper half: d/2 .. d. */
	d = d / 2 + (long)(rand_r(rng) % (unsigned)(d / 2 + 1));
	return ((int)d);
}

void
source_publish(struct source *src, struct snapshot *snap)
{
	if (snap->fetched_ms == 0)
		snap->fetched_ms = now_ms();
	/* Good data ends a run of failures, even inside a fetch that lasts
	 * (a watch): the next failure backs off from the start again. */
	src->failures = 0;
	store_publish(src->store, src->name, snap);
}

int
source_stopping(struct source *src)
{
	int	stop;

	pthread_mutex_lock(&src->lock);
	stop = src->stop;
	pthread_mutex_unlock(&src->lock);
	return (stop);
}

static void
source_fail(struct source *src, const char *msg, int delay_ms)
{
	int	k;

	for (k = 0; k < SNAP__COUNT; k++) {
		if (src->kinds & (1u << k))
			store_fail(src->store, k, src->name, msg,
			    now_ms() + delay_ms);
	}
}

/* Sleep until the deadline, a kick or a stop; returns 1 to stop. */
static int
source_sleep(struct source *src, int ms)
{
	struct timespec	ts;
	int		stop;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&src->lock);
	while (!src->stop && !src->kick) {
		if (pthread_cond_timedwait(&src->cond, &src->lock, &ts) ==
		    ETIMEDOUT)
			break;
	}
	src->kick = 0;
	stop = src->stop;
	pthread_mutex_unlock(&src->lock);
	return (stop);
}

static int
source_attempt(struct source *src, struct error *err)
{
	if (!src->opened) {
		if (src->cls->open != NULL && src->cls->open(src, err) != 0)
			return (-1);
		src->opened = 1;
	}
	if (src->cls->fetch(src, err) != 0) {
		/* Reopen next time: the connection may be the problem. */
		if (src->cls->close != NULL)
			src->cls->close(src);
		src->opened = 0;
		return (-1);
	}
	return (0);
}

static void *
source_main(void *arg)
{
	struct source	*src = arg;
	struct error	 err;
	int		 delay;

	for (;;) {
		err.msg[0] = '\0';
		if (source_attempt(src, &err) == 0) {
			src->failures = 0;
			delay = src->interval_ms;
		} else {
			src->failures++;
			delay = source_backoff_ms(src->interval_ms,
			    src->max_backoff_ms, src->failures, &src->rng);
			source_fail(src, err.msg[0] ? err.msg : "failed",
			    delay);
		}
		if (source_sleep(src, delay))
			break;
	}
	if (src->opened && src->cls->close != NULL)
		src->cls->close(src);
	pthread_mutex_lock(&src->lock);
	src->running = 0;
	pthread_cond_broadcast(&src->cond);
	pthread_mutex_unlock(&src->lock);
	return (NULL);
}

void
source_start(struct source *src, struct store *store)
{
	src->store = store;
	src->started = 1;
	src->running = 1;
	if (pthread_create(&src->thread, NULL, source_main, src) != 0)
		fatalx("cannot start worker for %s", src->name);
}

void
source_kick(struct source *src)
{
	pthread_mutex_lock(&src->lock);
	src->kick = 1;
	pthread_cond_broadcast(&src->cond);
	pthread_mutex_unlock(&src->lock);
}

void
source_signal_stop(struct source *src)
{
	pthread_mutex_lock(&src->lock);
	src->stop = 1;
	pthread_cond_broadcast(&src->cond);
	pthread_mutex_unlock(&src->lock);
}

static void
source_free(struct source *src)
{
	if (src->cls->free != NULL)
		src->cls->free(src);
	pthread_mutex_destroy(&src->lock);
	pthread_cond_destroy(&src->cond);
	free(src);
}

int
source_stop(struct source *src, int wait_ms)
{
	struct timespec	ts;
	int		running;

	if (!src->started) {
		source_free(src);
		return (0);
	}
	pthread_mutex_lock(&src->lock);
	src->stop = 1;
	pthread_cond_broadcast(&src->cond);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += wait_ms / 1000;
	ts.tv_nsec += (long)(wait_ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	while (src->running) {
		if (pthread_cond_timedwait(&src->cond, &src->lock, &ts) ==
		    ETIMEDOUT)
			break;
	}
	running = src->running;
	pthread_mutex_unlock(&src->lock);
	if (running) {
		pthread_detach(src->thread);
		return (-1);
	}
	pthread_join(src->thread, NULL);
	source_free(src);
	return (0);
}
