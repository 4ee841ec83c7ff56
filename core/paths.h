/* paths.h: where sitrep finds its shipped data (themes/, scenarios/,
 * runbooks/) and the user's configuration.
 *
 * Data directories, first match wins: $SITREP_DATADIR, the directory of the
 * running binary (a source checkout), <bindir>/../share/sitrep (installed),
 * then the compile-time DATADIR. */
#ifndef SITREP_PATHS_H
#define SITREP_PATHS_H

#include <stddef.h>

/* Find subdir/name (e.g. "themes", "default.yaml").  Returns 0 and fills
 * out, or -1 when no data directory has it. */
int	 paths_find(const char *subdir, const char *name, char *out,
	    size_t outlen);
/* List the data directories, for messages; returns how many (max n). */
int	 paths_datadirs(const char **dirs, int n);

#endif
