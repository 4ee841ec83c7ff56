/* incident.h: incident ids, INC-YYYYMMDD-NNNN (the UTC day, then a
 * number counting from 0001 within that day).
 *
 * The last number of each day is kept in a small state file, `incidents`
 * in $XDG_STATE_HOME/sitrep (else ~/.local/state/sitrep; created 0700),
 * one "YYYYMMDD N" line per day for the last INCIDENT_KEEP_DAYS days.  The
 * file is locked (flock) while it is read and rewritten, so that several
 * consoles on one machine never hand out the same id. */
#ifndef SITREP_INCIDENT_H
#define SITREP_INCIDENT_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define INCIDENT_ID_LEN		18	/* "INC-20261121-0007" and the NUL */
#define INCIDENT_KEEP_DAYS	31

struct incident {
	char	 id[INCIDENT_ID_LEN];	/* "" = none open */
	char	 title[128];
	int64_t	 opened_ms;		/* epoch ms */
};

/* The state directory: $XDG_STATE_HOME/sitrep, else
 * $HOME/.local/state/sitrep.  0, or -1 when neither variable is set. */
int	 incident_state_dir(char *, size_t);

/* Take the next id for the UTC day of now_ms from dir/incidents (dir and
 * its missing parents are created 0700).  0, or -1 and err (nothing
 * taken). */
int	 incident_next(const char *dir, int64_t now_ms, char *id, size_t,
	    struct error *);

/* An id to use when the state file cannot be kept: INC-YYYYMMDD-9NNN,
 * NNN from the time of day (unique per 10 s, not guaranteed). */
void	 incident_fallback(int64_t now_ms, char *id, size_t);

/* Whether s looks like INC-YYYYMMDD-NNNN. */
int	 incident_id_ok(const char *s);

#endif
