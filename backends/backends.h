/* backends.h: the sources an environment of the configuration gets.
 * Each backend offers a constructor that returns a not-started source for
 * the environment, or NULL when the environment has nothing for it. */
#ifndef SITREP_BACKENDS_H
#define SITREP_BACKENDS_H

#include "config.h"
#include "source.h"
#include "store.h"

#define BACKENDS_MAX 16

struct source_set {
	struct source	*src[BACKENDS_MAX];
	int		 n;
	unsigned	 kinds;		/* 1 << snap_kind fed by some source */
};

/* Make every source the environment configures (not started).  -1 and err
 * when a backend refuses the configuration. */
int	 backends_open(const struct cfg_env *, struct source_set *,
	    struct error *);
/* Add one source made elsewhere (the demo world). */
void	 backends_add(struct source_set *, struct source *);
void	 backends_start(struct source_set *, struct store *);
/* Ask every source to refresh now. */
void	 backends_kick(struct source_set *);
/* Stop all, waiting at most wait_ms in total; 0 when every worker ended
 * (and was freed), -1 when some were left detached. */
int	 backends_stop(struct source_set *, int wait_ms);

#endif
