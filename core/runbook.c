/* runbook.c: loading a runbook (read, permission check, SHA-256, parse,
 * lint), freeing it, diagnostics, placeholders and lookups.  The YAML
 * reader is runbook_yaml.c, the model runbook_parse.c and runbook_exec.c,
 * the checks runbook_lint.c, the library on disk runbook_lib.c. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "condition.h"
#include "runbook_int.h"
#include "xmalloc.h"

/* Diagnostics ------------------------------------------------------------ */

void
rb_diags_init(struct rb_diags *d)
{
	memset(d, 0, sizeof *d);
}

void
rb_diags_free(struct rb_diags *d)
{
	int	i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
	}
	free(d->v);
	memset(d, 0, sizeof *d);
}

void
rb_diag_add(struct rb_diags *d, const char *file, int line, int col,
    const char *fmt, ...)
{
	struct rb_diag	*g;
	va_list		 ap;

	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 8;
		d->v = xreallocarray(d->v, d->cap, sizeof *d->v);
	}
	g = &d->v[d->n++];
	g->file = xstrdup(file);
	g->line = line;
	g->col = col;
	va_start(ap, fmt);
	xvasprintf(&g->msg, fmt, ap);
	va_end(ap);
}

void
rb_diag_format(const struct rb_diag *g, char *buf, size_t len)
{
	if (g->line <= 0)
		snprintf(buf, len, "%s: %s", g->file, g->msg);
	else
		snprintf(buf, len, "%s:%d:%d: %s", g->file, g->line,
		    g->col > 0 ? g->col : 1, g->msg);
}

/* Names ------------------------------------------------------------------ */

const char *
rb_severity_name(enum rb_severity s)
{
	static const char *const names[] = { "P0", "P1", "P2", "P3" };

	return ((unsigned)s < 4 ? names[s] : "P?");
}

const char *
rb_step_kind_name(enum rb_step_kind k)
{
	static const char *const names[] = { "check", "action", "wait",
	    "manual", "choice", "notify" };

	return ((unsigned)k < 6 ? names[k] : "?");
}

const char *
rb_exec_kind_name(enum rb_exec_kind k)
{
	static const char *const names[] = { "none", "exec", "sql", "http",
	    "k8s", "redis", "silence", "notify", "sim" };

	return ((unsigned)k < 9 ? names[k] : "?");
}

const char *
rb_ptype_name(enum rb_ptype t)
{
	static const char *const names[] = { "string", "enum", "int",
	    "duration", "bool" };

	return ((unsigned)t < 5 ? names[t] : "?");
}

long long
rb_parse_secs(const char *s)
{
	static const struct { const char *unit; long long mul; } units[] = {
		{ "", 1 }, { "s", 1 }, { "m", 60 }, { "h", 3600 },
		{ "d", 86400 }
	};
	long long	v = 0;
	int		i, digits = 0;

	if (s == NULL)
		return (-1);
	for (; *s >= '0' && *s <= '9'; s++) {
		if (++digits > 9)
			return (-1);
		v = v * 10 + (*s - '0');
	}
	if (digits == 0)
		return (-1);
	for (i = 0; i < (int)(sizeof units / sizeof units[0]); i++)
		if (strcmp(s, units[i].unit) == 0)
			return (v * units[i].mul);
	return (-1);
}

/* Lookups ---------------------------------------------------------------- */

const struct rb_param *
runbook_param(const struct runbook *rb, const char *name)
{
	int	i;

	for (i = 0; i < rb->nparams; i++)
		if (rb->params[i].name.s != NULL &&
		    strcmp(rb->params[i].name.s, name) == 0)
			return (&rb->params[i]);
	return (NULL);
}

int
runbook_step_index(const struct runbook *rb, const char *id)
{
	int	i;

	for (i = 0; i < rb->nsteps; i++)
		if (rb->steps[i].id.s != NULL &&
		    strcmp(rb->steps[i].id.s, id) == 0)
			return (i);
	return (-1);
}

int
runbook_matches_alert(const struct runbook *rb, const char *alertname)
{
	int	i;

	for (i = 0; i < rb->nalerts; i++)
		if (strcmp(rb->alerts[i].s, alertname) == 0)
			return (1);
	return (0);
}

/* Placeholders ----------------------------------------------------------- */

static int
rb_name_char(char c, int first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
		return (1);
	return (!first && ((c >= '0' && c <= '9') || c == '.' || c == '-'));
}

/* One placeholder at s (which starts with "{{"): its length, and its name
 * (trimmed of spaces) in name, or "" when malformed. */
static size_t
rb_placeholder_at(const char *s, char *name, size_t namelen)
{
	const char	*end = strstr(s + 2, "}}");
	const char	*a = s + 2, *b;
	size_t		 n, i;

	name[0] = '\0';
	if (end == NULL)
		return (strlen(s));
	b = end;
	while (a < b && *a == ' ')
		a++;
	while (b > a && b[-1] == ' ')
		b--;
	n = (size_t)(b - a);
	if (n == 0 || n >= namelen)
		return ((size_t)(end + 2 - s));
	for (i = 0; i < n; i++)
		if (!rb_name_char(a[i], i == 0))
			return ((size_t)(end + 2 - s));
	memcpy(name, a, n);
	name[n] = '\0';
	return ((size_t)(end + 2 - s));
}

int
rb_placeholders(const char *s, void (*fn)(void *, const char *, size_t,
    size_t), void *arg)
{
	const char	*p = s;
	char		 name[128];
	size_t		 len;
	int		 n = 0;

	if (s == NULL)
		return (0);
	while ((p = strstr(p, "{{")) != NULL) {
		len = rb_placeholder_at(p, name, sizeof name);
		if (fn != NULL)
			fn(arg, name[0] ? name : NULL, (size_t)(p - s), len);
		n++;
		p += len;
	}
	return (n);
}

/* Freeing ---------------------------------------------------------------- */

static void
rb_param_free(struct rb_param *p)
{
	rb_str_free(&p->name);
	rb_str_free(&p->description);
	rb_str_free(&p->pattern);
	if (p->has_re)
		regfree(&p->re);
	rb_strs_free(p->values, p->nvalues);
	rb_str_free(&p->def);
	rb_str_free(&p->from);
}

static void
rb_step_free(struct rb_step *s)
{
	int	i;

	rb_str_free(&s->id);
	rb_str_free(&s->title);
	rb_str_free(&s->description);
	rb_str_free(&s->when);
	cond_free(s->when_c);
	rb_str_free(&s->next);
	rb_str_free(&s->capture.var);
	rb_str_free(&s->capture.regex);
	rb_str_free(&s->capture.json);
	if (s->capture.has_re)
		regfree(&s->capture.re);
	rb_exec_free(&s->exec);
	rb_str_free(&s->target);
	rb_str_free(&s->until);
	cond_free(s->until_c);
	rb_str_free(&s->instructions);
	rb_str_free(&s->question);
	rb_str_free(&s->var);
	for (i = 0; i < s->noptions; i++) {
		rb_str_free(&s->options[i].label);
		rb_str_free(&s->options[i].go);
		rb_str_free(&s->options[i].value);
	}
	free(s->options);
}

void
runbook_free(struct runbook *rb)
{
	int	i;

	if (rb == NULL)
		return;
	free(rb->path);
	rb_str_free(&rb->id);
	rb_str_free(&rb->title);
	rb_str_free(&rb->summary);
	rb_strs_free(rb->symptoms, rb->nsymptoms);
	rb_str_free(&rb->impact);
	rb_strs_free(rb->alerts, rb->nalerts);
	for (i = 0; i < rb->nparams; i++)
		rb_param_free(&rb->params[i]);
	free(rb->params);
	for (i = 0; i < rb->nsteps; i++)
		rb_step_free(&rb->steps[i]);
	free(rb->steps);
	free(rb->first_problem);
	free(rb);
}

/* Loading ---------------------------------------------------------------- */

static void
rb_sha256(const char *buf, size_t len, char out[65])
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen = 0, i;

	out[0] = '\0';
	if (EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL) != 1)
		return;
	for (i = 0; i < mdlen && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

struct runbook *
runbook_parse(const char *buf, size_t len, const char *name,
    struct rb_diags *diags)
{
	struct rb_diags	 mine;
	struct rb_ctx	 ctx;
	struct rb_node	*root;
	struct runbook	*rb;
	int		 first;

	rb_diags_init(&mine);
	ctx.file = name;
	ctx.diags = &mine;
	ctx.problems = 0;
	root = rb_yaml_load(&ctx, buf, len);
	rb = NULL;
	if (root != NULL) {
		rb = xcalloc(1, sizeof *rb);
		rb->path = xstrdup(name);
		rb_sha256(buf, len, rb->sha256);
		rb_build(&ctx, root, rb);
		rb_node_free(root);
		rb_compile(&ctx, rb);
		rb_lint(&ctx, rb);
		rb->nproblems = ctx.problems;
	}
	for (first = 0; first < mine.n; first++) {
		struct rb_diag	*g = &mine.v[first];
		char		 line[1024];

		if (rb != NULL && rb->first_problem == NULL) {
			rb_diag_format(g, line, sizeof line);
			rb->first_problem = xstrdup(line);
		}
		if (diags != NULL)
			rb_diag_add(diags, g->file, g->line, g->col, "%s",
			    g->msg);
	}
	rb_diags_free(&mine);
	return (rb);
}

int
runbook_lint(const struct runbook *rb, struct rb_diags *diags)
{
	struct rb_ctx	ctx;

	ctx.file = rb->path;
	ctx.diags = diags;
	ctx.problems = 0;
	rb_lint(&ctx, rb);
	return (ctx.problems);
}

static int
rb_perm_one(const char *path, const struct stat *st, const char *what,
    struct rb_diags *d)
{
	if (S_ISLNK(st->st_mode))
		return (0);
	if ((st->st_mode & S_IWOTH) != 0) {
		rb_diag_add(d, path, 0, 0, "%s is writable by others; chmod "
		    "go-w", what);
		return (-1);
	}
	if ((st->st_mode & S_IWGRP) != 0) {
		rb_diag_add(d, path, 0, 0, "%s is writable by its group; "
		    "chmod go-w", what);
		return (-1);
	}
	return (0);
}

int
runbook_check_perms(const char *path, struct rb_diags *d)
{
	struct stat	 st;
	char		 dir[PATH_MAX];
	int		 rc;

	if (stat(path, &st) != 0) {
		rb_diag_add(d, path, 0, 0, "%s", strerror(errno));
		return (-1);
	}
	rc = rb_perm_one(path, &st, path, d);
	if (S_ISDIR(st.st_mode))
		return (rc);
	strlcpy_(dir, path, sizeof dir);
	if (stat(dirname(dir), &st) == 0 && !(st.st_mode & S_ISVTX) &&
	    rb_perm_one(path, &st, dir, d) != 0)
		rc = -1;
	return (rc);
}

char *
rb_read_file(const char *path, size_t *len, struct rb_diags *d)
{
	char	*buf;
	ssize_t	 n;
	size_t	 got = 0;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		rb_diag_add(d, path, 0, 0, "%s", strerror(errno));
		return (NULL);
	}
	buf = xmalloc(RB_MAX_FILE + 1);
	while (got <= RB_MAX_FILE && (n = read(fd, buf + got,
	    RB_MAX_FILE + 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	if (got > RB_MAX_FILE) {
		rb_diag_add(d, path, 0, 0, "larger than %d bytes",
		    RB_MAX_FILE);
		free(buf);
		return (NULL);
	}
	buf[got] = '\0';
	*len = got;
	return (buf);
}

struct runbook *
runbook_load(const char *path, int flags, struct rb_diags *diags)
{
	struct rb_diags	 mine, *d;
	struct runbook	*rb = NULL;
	char		*buf;
	size_t		 len;

	rb_diags_init(&mine);
	d = diags != NULL ? diags : &mine;
	if ((flags & RB_NO_PERM_CHECK) == 0 &&
	    runbook_check_perms(path, d) != 0)
		goto out;
	if ((buf = rb_read_file(path, &len, d)) == NULL)
		goto out;
	rb = runbook_parse(buf, len, path, diags);
	free(buf);
out:
	rb_diags_free(&mine);
	return (rb);
}
