/* store.h: where sources publish snapshots and the UI picks them up.
 *
 * One slot per snapshot kind holds the last good snapshot and the status of
 * the last attempt.  Publishing swaps the pointer under a mutex and writes one
 * byte to the wake pipe so that the UI's poll() returns.  Any thread may
 * publish; the UI thread reads. */
#ifndef SITREP_STORE_H
#define SITREP_STORE_H

#include <stdint.h>

#include "snapshot.h"

struct source_status {
	char	 source[32];	/* who feeds this kind, "" = nobody yet */
	int	 ok;		/* last attempt succeeded */
	int	 stale;		/* data present but the source is failing */
	char	 error[256];	/* last error, when !ok */
	int64_t	 attempted_ms;	/* epoch ms of the last attempt */
	int64_t	 next_retry_ms;	/* epoch ms of the next attempt, 0 unknown */
	uint64_t generation;	/* bumped on every publish or status change */
};

struct store;

struct store	*store_new(void);
void		 store_free(struct store *);

/* The read end of the wake pipe, for poll(); store_drain() empties it. */
int		 store_wake_fd(const struct store *);
void		 store_drain(struct store *);
/* Wake the UI without data (e.g. a worker with a message). */
void		 store_wake(struct store *);

/* Publish a good snapshot.  Takes over the caller's reference. */
void		 store_publish(struct store *, const char *source,
		     struct snapshot *);
/* Record a failed attempt; the last good snapshot stays. */
void		 store_fail(struct store *, enum snap_kind, const char *source,
		     const char *error, int64_t next_retry_ms);

/* Returns a new reference to the last good snapshot (or NULL) and copies the
 * status into *st (if not NULL).  The caller unrefs the snapshot. */
struct snapshot	*store_get(struct store *, enum snap_kind,
		     struct source_status *);
/* The generation of a slot, cheap, to ask "anything new?". */
uint64_t	 store_generation(struct store *, enum snap_kind);

#endif
