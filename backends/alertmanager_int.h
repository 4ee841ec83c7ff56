/* alertmanager_int.h: what alertmanager.c (the source) and
 * alertmanager_silence.c (the actions) share. */
#ifndef SITREP_ALERTMANAGER_INT_H
#define SITREP_ALERTMANAGER_INT_H

#include "http_target.h"
#include "source.h"

/* The source's priv.  Made once and never changed until freed, so that the
 * worker and action threads may read it at the same time. */
struct am {
	struct source		*src;		/* to kick after a change */
	struct http_target	*nodes;		/* one per Alertmanager */
	int			 n;
};

/* "am-1: 401 unauthorized ..." for an answer that is not 2xx. */
void	am_explain(const struct http_target *, long status, const char *body,
	    const char *what, char *err, size_t errlen);

#endif
