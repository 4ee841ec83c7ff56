/* paths.c: locating shipped data files. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paths.h"
#include "util.h"

#ifndef DATADIR
#define DATADIR "/usr/local/share/sitrep"
#endif

/* Computed once on first use; read-only afterwards. */
static char	exe_dir[PATH_MAX];
static char	exe_share[PATH_MAX];

static void
paths_init(void)
{
	char	 buf[PATH_MAX];
	char	*slash;
	ssize_t	 n;

	if (exe_dir[0] != '\0')
		return;
	n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	if (n <= 0) {
		strlcpy_(exe_dir, ".", sizeof exe_dir);
		return;
	}
	buf[n] = '\0';
	if ((slash = strrchr(buf, '/')) != NULL)
		*slash = '\0';
	strlcpy_(exe_dir, buf, sizeof exe_dir);
	snprintf(exe_share, sizeof exe_share, "%.*s/../share/sitrep",
	    (int)(sizeof exe_share - 20), buf);
}

int
paths_datadirs(const char **dirs, int n)
{
	const char	*env = getenv("SITREP_DATADIR");
	int		 i = 0;

	paths_init();
	if (env != NULL && *env != '\0' && i < n)
		dirs[i++] = env;
	if (i < n)
		dirs[i++] = exe_dir;
	if (i < n && exe_share[0] != '\0')
		dirs[i++] = exe_share;
	if (i < n)
		dirs[i++] = DATADIR;
	return (i);
}

int
paths_find(const char *subdir, const char *name, char *out, size_t outlen)
{
	const char	*dirs[4];
	int		 i, n;

	n = paths_datadirs(dirs, 4);
	for (i = 0; i < n; i++) {
		snprintf(out, outlen, "%s/%s/%s", dirs[i], subdir, name);
		if (access(out, R_OK) == 0)
			return (0);
	}
	return (-1);
}
