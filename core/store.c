/* store.c: snapshot slots with atomic swap and a wake pipe. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "util.h"
#include "xmalloc.h"

struct slot {
	struct snapshot		*good;
	struct source_status	 st;
};

struct store {
	pthread_mutex_t	 lock;
	struct slot	 slots[SNAP__COUNT];
	int		 wake[2];
};

struct store *
store_new(void)
{
	struct store	*s;
	int		 i;

	s = xcalloc(1, sizeof *s);
	pthread_mutex_init(&s->lock, NULL);
	if (pipe(s->wake) != 0)
		fatalx("pipe: %s", strerror(errno));
	for (i = 0; i < 2; i++) {
		fcntl(s->wake[i], F_SETFL, fcntl(s->wake[i], F_GETFL) |
		    O_NONBLOCK);
		fcntl(s->wake[i], F_SETFD, FD_CLOEXEC);
	}
	return (s);
}

void
store_free(struct store *s)
{
	int	i;

	if (s == NULL)
		return;
	for (i = 0; i < SNAP__COUNT; i++)
		snapshot_unref(s->slots[i].good);
	close(s->wake[0]);
	close(s->wake[1]);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

int
store_wake_fd(const struct store *s)
{
	return (s->wake[0]);
}

void
store_drain(struct store *s)
{
	char	buf[256];

	while (read(s->wake[0], buf, sizeof buf) > 0)
		;
}

void
store_wake(struct store *s)
{
	ssize_t	n;

	/* A full pipe already means "wake up": EAGAIN is fine. */
	n = write(s->wake[1], "", 1);
	(void)n;
}

void
store_publish(struct store *s, const char *source, struct snapshot *snap)
{
	struct slot	*sl = &s->slots[snap->kind];
	struct snapshot	*old;

	pthread_mutex_lock(&s->lock);
	old = sl->good;
	sl->good = snap;
	strlcpy_(sl->st.source, source, sizeof sl->st.source);
	sl->st.ok = 1;
	sl->st.stale = 0;
	sl->st.error[0] = '\0';
	sl->st.attempted_ms = snap->fetched_ms;
	sl->st.next_retry_ms = 0;
	sl->st.generation++;
	pthread_mutex_unlock(&s->lock);
	snapshot_unref(old);
	store_wake(s);
}

void
store_fail(struct store *s, enum snap_kind kind, const char *source,
    const char *error, int64_t next_retry_ms)
{
	struct slot	*sl = &s->slots[kind];

	pthread_mutex_lock(&s->lock);
	strlcpy_(sl->st.source, source, sizeof sl->st.source);
	sl->st.ok = 0;
	sl->st.stale = sl->good != NULL;
	strlcpy_(sl->st.error, error, sizeof sl->st.error);
	sl->st.attempted_ms = now_ms();
	sl->st.next_retry_ms = next_retry_ms;
	sl->st.generation++;
	pthread_mutex_unlock(&s->lock);
	store_wake(s);
}

struct snapshot *
store_get(struct store *s, enum snap_kind kind, struct source_status *st)
{
	struct slot	*sl = &s->slots[kind];
	struct snapshot	*snap;

	pthread_mutex_lock(&s->lock);
	snap = snapshot_ref(sl->good);
	if (st != NULL)
		*st = sl->st;
	pthread_mutex_unlock(&s->lock);
	return (snap);
}

uint64_t
store_generation(struct store *s, enum snap_kind kind)
{
	uint64_t	g;

	pthread_mutex_lock(&s->lock);
	g = s->slots[kind].st.generation;
	pthread_mutex_unlock(&s->lock);
	return (g);
}
