/* drill.c: loading a drill file (read, permission check, SHA-256, parse),
 * its references against the runbook library, and the drills on disk.
 * The format is drill_parse.c; the live figures drill_vars.c. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "drill.h"
#include "runbook_int.h"
#include "xmalloc.h"

static void
dr_sha256(const char *buf, size_t len, char out[65])
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen = 0, i;

	EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL);
	for (i = 0; i < mdlen && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

struct drill *
drill_load(const char *path, int flags, struct rb_diags *diags)
{
	struct rb_diags	 mine, *d;
	struct drill	*dr = NULL;
	char		*buf;
	size_t		 len;

	rb_diags_init(&mine);
	d = diags != NULL ? diags : &mine;
	if ((flags & RB_NO_PERM_CHECK) == 0 &&
	    runbook_check_perms(path, d) != 0)
		goto out;
	if ((buf = rb_read_file(path, &len, d)) == NULL)
		goto out;
	if ((dr = drill_parse(buf, len, path, diags)) != NULL)
		dr_sha256(buf, len, dr->sha256);
	free(buf);
out:
	rb_diags_free(&mine);
	return (dr);
}

int
drill_ref_has_step(const struct drill_ref *r, const char *step)
{
	int	i;

	for (i = 0; step != NULL && i < r->nsteps; i++)
		if (strcmp(r->steps[i].s, step) == 0)
			return (1);
	return (0);
}

/* References ------------------------------------------------------------- */

static void
dr_ref_problem(struct drill *d, struct rb_diags *diags, int line, int col,
    const char *msg)
{
	d->nproblems++;
	if (diags != NULL)
		rb_diag_add(diags, d->path, line, col, "%s", msg);
	if (d->first_problem == NULL)
		xasprintf(&d->first_problem, "%s:%d:%d: %s", d->path, line,
		    col, msg);
}

static const struct runbook *
dr_ref_runbook(struct drill *d, const struct rb_library *lib,
    const struct rb_str *id, const char *what, struct rb_diags *diags)
{
	const struct runbook	*rb;
	char			 msg[256];

	if (id->s == NULL)
		return (NULL);
	rb = rb_library_find(lib, id->s);
	if (rb == NULL) {
		snprintf(msg, sizeof msg, "%s: no runbook '%.64s' in the "
		    "runbook library", what, id->s);
		dr_ref_problem(d, diags, id->line, id->col, msg);
	} else if (rb->nproblems > 0) {
		snprintf(msg, sizeof msg, "%s: runbook '%.64s' has problems "
		    "(sitrep runbook lint)", what, id->s);
		dr_ref_problem(d, diags, id->line, id->col, msg);
	}
	return (rb);
}

static void
dr_ref_steps(struct drill *d, const struct runbook *rb,
    const struct drill_ref *r, const char *what, struct rb_diags *diags)
{
	char	msg[256];
	int	i;

	for (i = 0; rb != NULL && i < r->nsteps; i++) {
		if (runbook_step_index(rb, r->steps[i].s) >= 0)
			continue;
		snprintf(msg, sizeof msg, "%s: runbook %.64s has no step "
		    "'%.64s'", what, rb->id.s, r->steps[i].s);
		dr_ref_problem(d, diags, r->steps[i].line, r->steps[i].col,
		    msg);
	}
}

int
drill_check_refs(struct drill *d, const struct rb_library *lib,
    struct rb_diags *diags)
{
	const struct runbook	*rb;
	int			 before = d->nproblems;

	rb = dr_ref_runbook(d, lib, &d->inject.runbook, "inject", diags);
	dr_ref_steps(d, rb, &d->inject, "inject", diags);
	dr_ref_runbook(d, lib, &d->runbook, "runbook", diags);
	rb = dr_ref_runbook(d, lib, &d->rpo_at.runbook, "rpo_at", diags);
	dr_ref_steps(d, rb, &d->rpo_at, "rpo_at", diags);
	if (rb != NULL && d->rpo_at.standby.s != NULL &&
	    strncmp(d->rpo_at.standby.s, "{{", 2) == 0) {
		char	name[64];
		size_t	n = strlen(d->rpo_at.standby.s);

		snprintf(name, sizeof name, "%.*s", n > 4 ? (int)(n - 4) : 0,
		    d->rpo_at.standby.s + 2);
		if (n < 5 || strcmp(d->rpo_at.standby.s + n - 2, "}}") != 0 ||
		    runbook_param(rb, name) == NULL)
			dr_ref_problem(d, diags, d->rpo_at.standby.line,
			    d->rpo_at.standby.col, "rpo_at.standby: not a "
			    "parameter of the rpo_at runbook ({{name}})");
	}
	return (d->nproblems - before);
}

/* The library ------------------------------------------------------------ */

int
drill_dirs(char **dirs, int ndirs, char **out, int n)
{
	const char	*env = getenv("SITREP_DRILLS");
	char		*mine[16], *copy, *p, *dir;
	int		 i, k = 0, own = 0;

	if (env != NULL && *env != '\0') {
		copy = xstrdup(env);
		for (p = copy; (dir = strsep(&p, ":")) != NULL && k < n;)
			if (*dir != '\0')
				out[k++] = xstrdup(dir);
		free(copy);
	}
	if (dirs == NULL) {
		ndirs = runbook_dirs(mine, 16);
		dirs = mine;
		own = 1;
	}
	for (i = 0; i < ndirs; i++) {
		if (k < n)
			xasprintf(&out[k++], "%s/drills", dirs[i]);
		if (own)
			free(dirs[i]);
	}
	return (k);
}

static int
dr_name_ok(const char *name)
{
	size_t	n = strlen(name);

	if (name[0] == '.')
		return (0);
	return ((n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
	    (n > 4 && strcmp(name + n - 4, ".yml") == 0));
}

static int
dr_namecmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

static void
dr_lib_add(struct drill_library *lib, struct drill *d)
{
	if ((lib->n & 15) == 0)
		lib->v = xreallocarray(lib->v, lib->n + 16, sizeof *lib->v);
	lib->v[lib->n++] = d;
}

static void
dr_lib_dir(struct drill_library *lib, const char *dir, int flags,
    struct rb_diags *diags)
{
	DIR		*dh;
	struct dirent	*de;
	struct drill	*d;
	char		**names = NULL, path[PATH_MAX];
	int		 i, n = 0;

	if ((dh = opendir(dir)) == NULL)
		return;
	while ((de = readdir(dh)) != NULL) {
		if (!dr_name_ok(de->d_name))
			continue;
		if ((n & 15) == 0)
			names = xreallocarray(names, n + 16, sizeof *names);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(dh);
	if (n > 1)
		qsort(names, n, sizeof *names, dr_namecmp);
	if (n > 0 && (flags & RB_NO_PERM_CHECK) == 0 &&
	    runbook_check_perms(dir, diags) != 0)
		n = -n;		/* refused: free the names only */
	for (i = 0; i < (n < 0 ? -n : n); i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if (n > 0 && (d = drill_load(path, flags, diags)) != NULL)
			dr_lib_add(lib, d);
		free(names[i]);
	}
	free(names);
}

static int
dr_lib_cmp(const void *a, const void *b)
{
	const struct drill	*x = *(const struct drill *const *)a;
	const struct drill	*y = *(const struct drill *const *)b;

	if (x->id.s == NULL || y->id.s == NULL)
		return ((x->id.s == NULL) - (y->id.s == NULL));
	return (strcmp(x->id.s, y->id.s));
}

static void
dr_lib_dups(struct drill_library *lib, struct rb_diags *diags)
{
	char	msg[PATH_MAX + 64];
	int	i, j;

	for (i = 0; i < lib->n; i++)
		for (j = 0; lib->v[i]->id.s != NULL && j < i; j++)
			if (lib->v[j]->id.s != NULL &&
			    strcmp(lib->v[i]->id.s, lib->v[j]->id.s) == 0) {
				snprintf(msg, sizeof msg, "drill id '%s' is "
				    "also used by %s", lib->v[i]->id.s,
				    lib->v[j]->path);
				dr_ref_problem(lib->v[i], diags,
				    lib->v[i]->id.line, lib->v[i]->id.col,
				    msg);
				break;
			}
}

struct drill_library *
drill_library_load_from(char **dirs, int n, int flags,
    const struct rb_library *rbl, struct rb_diags *diags)
{
	struct drill_library	*lib = xcalloc(1, sizeof *lib);
	int			 i;

	for (i = 0; i < n; i++)
		dr_lib_dir(lib, dirs[i], flags, diags);
	dr_lib_dups(lib, diags);
	for (i = 0; rbl != NULL && i < lib->n; i++)
		drill_check_refs(lib->v[i], rbl, diags);
	if (lib->n > 1)
		qsort(lib->v, lib->n, sizeof *lib->v, dr_lib_cmp);
	return (lib);
}

struct drill_library *
drill_library_load(char **dirs, int ndirs, int flags,
    const struct rb_library *rbl, struct rb_diags *diags)
{
	struct drill_library	*lib;
	char			*dd[32];
	int			 i, n;

	n = drill_dirs(dirs, ndirs, dd, 32);
	lib = drill_library_load_from(dd, n, flags, rbl, diags);
	for (i = 0; i < n; i++)
		free(dd[i]);
	return (lib);
}

void
drill_library_free(struct drill_library *lib)
{
	int	i;

	if (lib == NULL)
		return;
	for (i = 0; i < lib->n; i++)
		drill_free(lib->v[i]);
	free(lib->v);
	free(lib);
}

const struct drill *
drill_library_find(const struct drill_library *lib, const char *id)
{
	int	i;

	for (i = 0; lib != NULL && id != NULL && i < lib->n; i++)
		if (lib->v[i]->id.s != NULL && strcmp(lib->v[i]->id.s, id) == 0)
			return (lib->v[i]);
	return (NULL);
}
