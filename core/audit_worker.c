/* audit_worker.c: the thread that feeds the anchors and the mirror, so
 * that a slow or absent server never holds up an append (nor the UI).
 *
 * Anchors: the newest head asked for (every N records, at the end) is
 * copied to each anchor; a failure becomes an "anchor_failed" record.
 * Mirror: every record after the cursor (TRAIL.mirror: "seq hash offset")
 * is INSERTed, idempotently; while the database is away the trail itself
 * is the spool, and the worker retries with a backoff (1 s to 60 s). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit_int.h"
#include "config.h"
#include "xmalloc.h"

#define MIRROR_BATCH	100	/* records between cursor saves */

struct audit_worker {
	struct audit		*a;
	pthread_t		 th;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	int			 stop;
	int			 wake;
	uint64_t		 anchor_seq;	/* 0: none pending */
	char			 anchor_hash[65];
	uint64_t		 anchoring;	/* the seq being anchored */
	struct amirror		*mirror;
	int64_t			 retry_at;	/* mono ms */
	int			 backoff_ms;
	char			 cursor[PATH_MAX];
};

struct mcursor {
	uint64_t	seq;
	char		hash[65];
	long long	off;
};

/* Anchors ---------------------------------------------------------------- */

static void
aw_anchor_failed(void *arg, const char *source, const char *why)
{
	struct audit_worker	*w = arg;
	struct audit_entry	 e;
	cJSON			*d = cJSON_CreateObject();

	arec_add_raw(d, "anchor", source);
	arec_add_int(d, "seq", (int64_t)w->anchoring);
	arec_add_text(d, "error", why);
	memset(&e, 0, sizeof e);
	e.type = "anchor_failed";
	e.step = -1;
	e.data = d;
	audit_append(w->a, &e, NULL);
}

static void
aw_anchor(struct audit_worker *w, uint64_t seq, const char *hash)
{
	const char	*host = arec_str(w->a->actor, "host");
	char		 id[65];

	if (aread_trail_id(w->a->path, id) != 0)
		return;
	w->anchoring = seq;
	anet_anchor(w->a->cfg, id, seq, hash, host ? host : "?",
	    aw_anchor_failed, w);
}

/* The mirror ------------------------------------------------------------- */

static void
aw_cursor_read(struct audit_worker *w, struct mcursor *c)
{
	FILE	*f;

	memset(c, 0, sizeof *c);
	if ((f = fopen(w->cursor, "re")) == NULL)
		return;
	if (fscanf(f, "%llu %64s %lld", (unsigned long long *)&c->seq,
	    c->hash, &c->off) != 3)
		memset(c, 0, sizeof *c);
	fclose(f);
}

static void
aw_cursor_write(struct audit_worker *w, const struct mcursor *c)
{
	char	tmp[PATH_MAX + 32];
	FILE	*f;
	int	fd, ok;

	snprintf(tmp, sizeof tmp, "%s.%ld", w->cursor, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1)
		return;
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		return;
	}
	ok = fprintf(f, "%llu %s %lld\n", (unsigned long long)c->seq,
	    c->hash[0] ? c->hash : "-", c->off) > 0;
	if (fclose(f) != 0 || !ok || rename(tmp, w->cursor) != 0)
		unlink(tmp);
}

static int
aw_stopping(struct audit_worker *w)
{
	int	stop;

	pthread_mutex_lock(&w->mu);
	stop = w->stop;
	pthread_mutex_unlock(&w->mu);
	return (stop);
}

static void
aw_backoff(struct audit_worker *w)
{
	w->backoff_ms = w->backoff_ms == 0 ? 1000 : w->backoff_ms * 2;
	if (w->backoff_ms > 60000)
		w->backoff_ms = 60000;
	w->retry_at = mono_ms() + w->backoff_ms;
}

/* Insert every complete record after the cursor; -1 when the database
 * failed (then retry later). */
static int
aw_mirror_from(struct audit_worker *w, struct areader *rd, struct mcursor *c,
    const char *id)
{
	struct arec	r;
	struct error	err;
	char		why[64];
	int		n = 0, rc = 0;

	while (rc == 0 && areader_next(rd) == 1 && rd->newline) {
		if (arec_parse(rd->buf, rd->len, &r, why, sizeof why) != 0)
			continue;
		if (r.seq > c->seq) {
			if (amirror_insert(w->mirror, &r, rd->buf, id,
			    &err) != 0)
				rc = -1;
			else {
				c->seq = r.seq;
				memcpy(c->hash, r.hash, 65);
				c->off = (long long)rd->next;
			}
		}
		arec_free(&r);
		if (rc == 0 && ++n % MIRROR_BATCH == 0) {
			aw_cursor_write(w, c);
			if (aw_stopping(w))
				break;
		}
	}
	aw_cursor_write(w, c);
	return (rc);
}

static void
aw_mirror(struct audit_worker *w)
{
	struct areader	rd;
	struct mcursor	c;
	char		id[65];

	if (w->mirror == NULL || mono_ms() < w->retry_at ||
	    aread_trail_id(w->a->path, id) != 0)
		return;
	aw_cursor_read(w, &c);
	if (areader_open(&rd, w->a->path) != 0)
		return;
	if (c.off > 0 && fseeko(rd.f, (off_t)c.off, SEEK_SET) == 0)
		rd.next = (off_t)c.off;
	else
		c.seq = 0;
	if (aw_mirror_from(w, &rd, &c, id) != 0)
		aw_backoff(w);
	else
		w->backoff_ms = 0;
	areader_close(&rd);
}

/* The thread ------------------------------------------------------------- */

static void *
aw_main(void *arg)
{
	struct audit_worker	*w = arg;
	struct timespec		 ts;
	uint64_t		 seq;
	char			 hash[65];
	int			 stop;

	for (;;) {
		pthread_mutex_lock(&w->mu);
		while (!w->stop && !w->wake && w->anchor_seq == 0) {
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += 1;
			if (pthread_cond_timedwait(&w->cv, &w->mu, &ts) ==
			    ETIMEDOUT)
				break;
		}
		seq = w->anchor_seq;
		memcpy(hash, w->anchor_hash, sizeof hash);
		w->anchor_seq = 0;
		w->wake = 0;
		stop = w->stop;
		pthread_mutex_unlock(&w->mu);
		if (seq > 0)
			aw_anchor(w, seq, hash);
		if (stop)
			break;
		aw_mirror(w);
	}
	return (NULL);
}

struct audit_worker *
aworker_start(struct audit *a)
{
	struct audit_worker	*w = xcalloc(1, sizeof *w);

	w->a = a;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	snprintf(w->cursor, sizeof w->cursor, "%s.mirror", a->path);
	if (a->cfg->mirror_pg != NULL)
		w->mirror = amirror_new(a->cfg->mirror_pg);
	if (pthread_create(&w->th, NULL, aw_main, w) != 0)
		fatalx("audit: cannot start the worker thread");
	return (w);
}

void
aworker_anchor(struct audit_worker *w, uint64_t seq, const char *hash)
{
	pthread_mutex_lock(&w->mu);
	if (seq > w->anchor_seq) {
		w->anchor_seq = seq;
		memcpy(w->anchor_hash, hash, 65);
	}
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

void
aworker_wake(struct audit_worker *w)
{
	pthread_mutex_lock(&w->mu);
	w->wake = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

int
aworker_stop(struct audit_worker *w, int wait_ms)
{
	struct timespec	ts;

	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += wait_ms / 1000;
	ts.tv_nsec += (long)(wait_ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	if (pthread_timedjoin_np(w->th, NULL, &ts) != 0) {
		pthread_detach(w->th);
		return (-1);
	}
	amirror_free(w->mirror);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w);
	return (0);
}
