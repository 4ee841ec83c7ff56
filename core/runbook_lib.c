/* runbook_lib.c: the library of runbooks on disk: which directories
 * ($SITREP_RUNBOOKS, else runbooks/ in the data directories), every
 * *.yaml and *.yml in them (not recursing: runbooks/drills/ is another
 * format), sorted by id, and lookups by id and by alert name. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paths.h"
#include "runbook.h"
#include "xmalloc.h"

int
runbook_dirs(char **dirs, int n)
{
	const char	*env = getenv("SITREP_RUNBOOKS");
	char		 path[PATH_MAX], *copy, *p, *dir;
	int		 i = 0;

	if (env != NULL && *env != '\0') {
		copy = xstrdup(env);
		for (p = copy; (dir = strsep(&p, ":")) != NULL && i < n;)
			if (*dir != '\0')
				dirs[i++] = xstrdup(dir);
		free(copy);
		return (i);
	}
	if (n > 0 && paths_find("runbooks", "", path, sizeof path) == 0) {
		i = (int)strlen(path);
		while (i > 1 && path[i - 1] == '/')
			path[--i] = '\0';
		dirs[0] = xstrdup(path);
		return (1);
	}
	return (0);
}

static int
rb_lib_name_ok(const char *name)
{
	size_t	n = strlen(name);

	if (name[0] == '.')
		return (0);
	return ((n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
	    (n > 4 && strcmp(name + n - 4, ".yml") == 0));
}

static int
rb_lib_cmp(const void *a, const void *b)
{
	const struct runbook	*x = *(const struct runbook *const *)a;
	const struct runbook	*y = *(const struct runbook *const *)b;
	int			 c;

	c = strcmp(x->id.s ? x->id.s : "", y->id.s ? y->id.s : "");
	return (c != 0 ? c : strcmp(x->path, y->path));
}

static int
rb_lib_namecmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

static void
rb_lib_add(struct rb_library *lib, struct runbook *rb)
{
	if ((lib->n & 15) == 0)
		lib->v = xreallocarray(lib->v, lib->n + 16, sizeof *lib->v);
	lib->v[lib->n++] = rb;
}

/* The file names of a directory, sorted (so diagnostics are stable). */
static char **
rb_lib_list(const char *dir, int *n)
{
	DIR		*d;
	struct dirent	*de;
	char		**names = NULL;

	*n = 0;
	if ((d = opendir(dir)) == NULL)
		return (NULL);
	while ((de = readdir(d)) != NULL) {
		if (!rb_lib_name_ok(de->d_name))
			continue;
		if ((*n & 15) == 0)
			names = xreallocarray(names, *n + 16, sizeof *names);
		names[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (*n > 0)
		qsort(names, *n, sizeof *names, rb_lib_namecmp);
	return (names);
}

static void
rb_lib_dir(struct rb_library *lib, const char *dir, int flags,
    struct rb_diags *diags)
{
	struct runbook	*rb;
	char		 path[PATH_MAX], **names;
	int		 i, n;

	if ((flags & RB_NO_PERM_CHECK) == 0 &&
	    runbook_check_perms(dir, diags) != 0)
		return;
	names = rb_lib_list(dir, &n);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if ((rb = runbook_load(path, flags, diags)) != NULL)
			rb_lib_add(lib, rb);
		free(names[i]);
	}
	free(names);
}

/* A later file with an id already taken is a problem of that file. */
static void
rb_lib_dups(struct rb_library *lib, struct rb_diags *diags)
{
	int	i, j;

	for (i = 0; i < lib->n; i++) {
		struct runbook	*rb = lib->v[i];

		for (j = 0; rb->id.s != NULL && j < i; j++) {
			if (lib->v[j]->id.s == NULL ||
			    strcmp(lib->v[j]->id.s, rb->id.s) != 0)
				continue;
			rb->nproblems++;
			if (diags != NULL)
				rb_diag_add(diags, rb->path, rb->id.line,
				    rb->id.col, "runbook id '%s' is also used "
				    "by %s", rb->id.s, lib->v[j]->path);
			if (rb->first_problem == NULL)
				xasprintf(&rb->first_problem, "%s: duplicate "
				    "id", rb->path);
			break;
		}
	}
}

struct rb_library *
rb_library_load(char **dirs, int ndirs, int flags, struct rb_diags *diags)
{
	struct rb_library	*lib = xcalloc(1, sizeof *lib);
	char			*mine[16];
	int			 i, own = 0;

	if (dirs == NULL) {
		ndirs = runbook_dirs(mine, 16);
		dirs = mine;
		own = 1;
	}
	for (i = 0; i < ndirs; i++)
		rb_lib_dir(lib, dirs[i], flags, diags);
	rb_lib_dups(lib, diags);
	if (lib->n > 1)
		qsort(lib->v, lib->n, sizeof *lib->v, rb_lib_cmp);
	for (i = 0; own && i < ndirs; i++)
		free(dirs[i]);
	return (lib);
}

void
rb_library_free(struct rb_library *lib)
{
	int	i;

	if (lib == NULL)
		return;
	for (i = 0; i < lib->n; i++)
		runbook_free(lib->v[i]);
	free(lib->v);
	free(lib);
}

const struct runbook *
rb_library_find(const struct rb_library *lib, const char *id)
{
	int	i;

	if (lib == NULL)
		return (NULL);
	for (i = 0; i < lib->n; i++)
		if (lib->v[i]->id.s != NULL && strcmp(lib->v[i]->id.s, id) == 0)
			return (lib->v[i]);
	return (NULL);
}

int
rb_library_for_alert(const struct rb_library *lib, const char *alertname,
    const struct runbook **out, int n)
{
	int	i, k = 0;

	if (lib == NULL)
		return (0);
	for (i = 0; i < lib->n && k < n; i++)
		if (runbook_matches_alert(lib->v[i], alertname))
			out[k++] = lib->v[i];
	return (k);
}
