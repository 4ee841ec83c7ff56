/* source.h: data sources and the worker thread that drives each one.
 *
 * A source_class is one kind of outside service (backends/).  Each source
 * instance runs on its own worker thread: open, then fetch every interval;
 * on failure it records the error in the store for every kind it feeds and
 * retries with exponential backoff and jitter.  fetch() must bound its own
 * time (connect and total timeouts). */
#ifndef SITREP_SOURCE_H
#define SITREP_SOURCE_H

#include <pthread.h>
#include <stdint.h>

#include "snapshot.h"
#include "store.h"
#include "util.h"

struct source;

struct source_class {
	const char	*name;		/* "sim", "postgres", ... */
	/* Worker thread.  0 or -1 with err filled. */
	int		(*open)(struct source *, struct error *);
	/* Worker thread.  Publishes with source_publish(); 0 or -1. */
	int		(*fetch)(struct source *, struct error *);
	/* Worker thread, after the last fetch. */
	void		(*close)(struct source *);
	/* Free priv, when the source is freed (source_stop after the worker
	 * ended, or a source never started); optional.  Never called for a
	 * worker left detached: it may still use priv. */
	void		(*free)(struct source *);
};

struct source {
	const struct source_class *cls;
	char		 name[32];	/* instance name shown in panels */
	unsigned	 kinds;		/* bitmask of 1 << snap_kind fed */
	int		 interval_ms;	/* refresh period */
	int		 max_backoff_ms;
	void		*priv;		/* the class's state */
	struct store	*store;

	/* Worker state, owned by source.c. */
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	int		 started;	/* source_start was called */
	int		 running;
	int		 stop;
	int		 kick;		/* refresh now */
	int		 failures;	/* consecutive, for backoff */
	int		 opened;
	unsigned	 rng;
};

/* A new source, not started.  priv is handed to the class. */
struct source	*source_new(const struct source_class *, const char *name,
		     unsigned kinds, int interval_ms, void *priv);
void		 source_start(struct source *, struct store *);
/* Ask the worker to refresh now (e.g. the 'r' key). */
void		 source_kick(struct source *);
/* Ask the worker to stop, without waiting (see source_stop). */
void		 source_signal_stop(struct source *);
/* Ask to stop and wait at most wait_ms for the worker; a worker stuck in a
 * fetch is left detached (its timeouts end it).  Frees the source (and,
 * through cls->free, its priv) if the worker ended or was never started;
 * returns 0 if it did, -1 if it was left. */
int		 source_stop(struct source *, int wait_ms);

/* For classes: 1 once the source was asked to stop (a fetch that blocks,
 * such as a watch, polls this to end promptly). */
int		 source_stopping(struct source *);
/* For classes: publish a snapshot (takes the reference). */
void		 source_publish(struct source *, struct snapshot *);
/* Delay before retry number n (1-based) with jitter, for tests. */
int		 source_backoff_ms(int interval_ms, int max_ms, int n,
		     unsigned *rng);

#endif
