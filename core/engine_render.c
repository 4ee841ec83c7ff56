/* engine_render.c: a step to the action request that runs it and to the
 * description the confirmation card shows, in one pass so the two cannot
 * differ except for redaction.  Every {{name}} becomes part of exactly one
 * whole value: an argv element, a bind parameter, a JSON string, a header
 * value, a percent-encoded URL segment, a k8s name; never shell or SQL
 * text.  Values that would change meaning there are refused: a whole argv
 * element starting with '-' (unless the parameter says options_ok), control
 * characters in header values and names.  Messages never quote values. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_bld.h"
#include "engine_int.h"
#include "engine_text.h"
#include "xmalloc.h"

void
bld_push(char ***v, int *n, char *s)
{
	if ((*n & 7) == 0)
		*v = xreallocarray(*v, *n + 8, sizeof **v);
	(*v)[(*n)++] = s;
}

static void
vfree(char **v, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
bld_fail(struct bld *b, const char *fmt, ...)
{
	va_list	ap;

	if (b->failed++)
		return;
	va_start(ap, fmt);
	vsnprintf(b->err->msg, sizeof b->err->msg, fmt, ap);
	va_end(ap);
}

void
bld_line(struct bld *b, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	xvasprintf(&s, fmt, ap);
	va_end(ap);
	bld_push(&b->r->lines, &b->r->nlines, s);
}

/* Each line of s, escaped, as a line of the card. */
void
bld_text_lines(struct bld *b, const char *s, const char *prefix)
{
	struct text	t;
	size_t		n;
	char		*l;

	for (;;) {
		n = strcspn(s, "\n");
		text_init(&t);
		text_escape_add(&t, s, n);
		l = text_take(&t);
		bld_line(b, "%s%s", prefix, l);
		free(l);
		if (s[n] == '\0' || s[n + 1] == '\0')
			break;
		s += n + 1;
	}
}

/* Substitution ----------------------------------------------------------- */

struct phs {
	size_t	off[64], len[64];
	char	name[64][128];
	int	n, over;
};

static void
phs_add(void *arg, const char *name, size_t off, size_t len)
{
	struct phs	*p = arg;

	if (p->n == 64) {
		p->over = 1;
		return;
	}
	p->off[p->n] = off;
	p->len[p->n] = len;
	strlcpy_(p->name[p->n], name ? name : "", sizeof p->name[0]);
	p->n++;
}

static int
b_value_ok(struct bld *b, const char *name, const char *v, int flags,
    int whole)
{
	const struct rb_param	*p = runbook_param(b->e->rb, name);
	const char		*s;

	if ((flags & SUB_ARGV) && whole && v[0] == '-' && (p == NULL ||
	    !p->options_ok)) {
		bld_fail(b, "the value of %s starts with '-' and would be read "
		    "as an option (the parameter needs options_ok: true)",
		    name);
		return (0);
	}
	if ((flags & SUB_NAME) && v[0] == '-') {
		bld_fail(b, "the value of %s starts with '-'", name);
		return (0);
	}
	for (s = v; (flags & (SUB_NOCTL | SUB_NAME)) && *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f) {
			bld_fail(b, "the value of %s has a control character",
			    name);
			return (0);
		}
	}
	return (1);
}

static void
b_append(struct text *real, struct text *disp, const char *v, int secret,
    int flags)
{
	if (flags & SUB_URL)
		text_percent(real, v);
	else
		text_add(real, v, strlen(v));
	if (secret)
		text_add(disp, "[redacted]", 10);
	else if (flags & SUB_URL)
		text_percent(disp, v);
	else
		text_add(disp, v, strlen(v));
}

/* t with its placeholders replaced, into out (both owned). */
int
bld_subst(struct bld *b, const char *t, int flags, struct sv *out)
{
	struct text		 real, disp;
	struct phs		 p;
	const struct eng_value	*ev;
	const char		*v;
	size_t			 at = 0;
	int			 i;

	memset(out, 0, sizeof *out);
	p.n = p.over = 0;
	rb_placeholders(t, phs_add, &p);
	text_init(&real);
	text_init(&disp);
	for (i = 0; i < p.n && !b->failed; i++) {
		text_add(&real, t + at, p.off[i] - at);
		text_add(&disp, t + at, p.off[i] - at);
		at = p.off[i] + p.len[i];
		v = p.name[i][0] ? eng_lookup(b->e, p.name[i]) : NULL;
		if (v == NULL && (b->partial || p.name[i][0] == '\0')) {
			text_add(&real, t + p.off[i], p.len[i]);
			text_add(&disp, t + p.off[i], p.len[i]);
			b->incomplete = 1;
			continue;
		}
		if (v == NULL) {
			bld_fail(b, "%s is not set", p.name[i]);
			break;
		}
		if (!b_value_ok(b, p.name[i], v, flags, p.n == 1 &&
		    p.off[i] == 0 && p.len[i] == strlen(t)))
			break;
		ev = eng_value(b->e, p.name[i]);
		b_append(&real, &disp, v, ev != NULL && ev->secret, flags);
	}
	if (p.over)
		bld_fail(b, "too many placeholders in one value");
	text_add(&real, t + at, strlen(t + at));
	text_add(&disp, t + at, strlen(t + at));
	out->real = text_take(&real);
	out->disp = text_take(&disp);
	return (b->failed ? -1 : 0);
}

void
bld_sv_free(struct sv *v)
{
	free(v->real);
	free(v->disp);
	memset(v, 0, sizeof *v);
}

/* Add "key=value" to the request (real) and its display. */
void
bld_arg(struct bld *b, const char *key, const char *real, const char *disp)
{
	char	*s;

	xasprintf(&s, "%s=%s", key, real);
	bld_push(&b->req.argv, &b->req.argc, s);
	xasprintf(&s, "%s=%s", key, disp);
	bld_push(&b->r->req, &b->r->nreq, s);
}

void
bld_lit(struct bld *b, const char *key, const char *v)
{
	bld_arg(b, key, v, v);
}

/* Substitute t and add it as key; the display copy is returned in *disp
 * (owned by the caller) when disp is not NULL. */
int
bld_sub(struct bld *b, const char *key, const char *t, int flags, char **disp)
{
	struct sv	v;

	if (t == NULL)
		return (0);
	if (bld_subst(b, t, flags, &v) == 0)
		bld_arg(b, key, v.real, v.disp);
	if (disp != NULL && !b->failed) {
		*disp = v.disp;
		v.disp = NULL;
	}
	bld_sv_free(&v);
	return (b->failed ? -1 : 0);
}

void
bld_timeout(struct bld *b, const struct rb_exec *ex, int check)
{
	char	n[24];

	if (ex->timeout_s > 0) {
		snprintf(n, sizeof n, "%d", ex->timeout_s);
		bld_lit(b, "timeout", n);
	}
	if (check)
		bld_lit(b, "read_only", "1");
}

/* Steps ------------------------------------------------------------------ */

/* A display-only text (title, ...): unset values stay {{name}}. */
static char *
b_show(struct bld *b, const char *t)
{
	struct sv	v;
	size_t		n;
	int		partial = b->partial, incomplete = b->incomplete;

	if (t == NULL)
		return (NULL);
	b->partial = 1;
	bld_subst(b, t, 0, &v);
	b->partial = partial;
	b->incomplete = incomplete;
	free(v.real);
	n = strlen(v.disp);
	while (n > 0 && (v.disp[n - 1] == '\n' || v.disp[n - 1] == ' '))
		v.disp[--n] = '\0';
	return (v.disp);
}

static void
b_target(struct bld *b, const struct rb_step *s)
{
	struct sv	v;

	if (s->target.s == NULL)
		return;
	if (bld_subst(b, s->target.s, 0, &v) == 0) {
		b->req.target = v.real;
		b->r->target = v.disp;
		v.real = v.disp = NULL;
	}
	bld_sv_free(&v);
}

static void
b_step(struct bld *b, const struct rb_step *s)
{
	struct engine_render	*r = b->r;
	int			 i, check = s->kind == RB_STEP_CHECK ||
				     s->kind == RB_STEP_WAIT;

	r->kind = s->kind;
	r->exec = s->exec.kind;
	r->env_name = b->e->env_name;
	r->production = b->e->production;
	r->read_only = check;
	r->needs_confirm = s->kind == RB_STEP_ACTION ||
	    s->kind == RB_STEP_NOTIFY;
	r->two_person = s->two_person;
	r->title = b_show(b, s->title.s ? s->title.s : s->id.s);
	r->description = b_show(b, s->description.s);
	if (s->kind == RB_STEP_MANUAL)
		r->instructions = b_show(b, s->instructions.s);
	if (s->kind == RB_STEP_CHOICE) {
		r->instructions = b_show(b, s->question.s);
		for (i = 0; i < s->noptions; i++)
			bld_push(&r->options, &r->noptions,
			    b_show(b, s->options[i].label.s));
	}
	if (s->exec.kind != RB_EX_NONE)
		bld_exec_body(b, &s->exec, check);
	if (s->danger_high)
		b_target(b, s);
	if (s->exec.kind != RB_EX_NONE)
		bld_line(b, "env %s%s", b->e->env_name, b->e->production ?
		    " (PRODUCTION)" : "");
}

void
eng_req_free(struct eng_req *q)
{
	vfree(q->argv, q->argc);
	free(q->target);
	memset(q, 0, sizeof *q);
}

void
engine_render_free(struct engine_render *r)
{
	if (r == NULL)
		return;
	free(r->target);
	free(r->title);
	free(r->description);
	vfree(r->req, r->nreq);
	vfree(r->argv, r->argc);
	free(r->sql);
	vfree(r->binds, r->nbinds);
	free(r->method);
	free(r->url);
	vfree(r->headers, r->nheaders);
	free(r->body);
	free(r->object);
	free(r->instructions);
	vfree(r->options, r->noptions);
	vfree(r->lines, r->nlines);
	memset(r, 0, sizeof *r);
}

int
eng_build(struct engine *e, int step, int partial, struct eng_req *req,
    struct engine_render *r, struct error *err)
{
	struct engine_render	 mine;
	struct error		 myerr;
	struct bld		 b;

	memset(&b, 0, sizeof b);
	myerr.msg[0] = '\0';
	b.e = e;
	b.partial = partial;
	b.err = err != NULL ? err : &myerr;
	/* cppcheck-suppress uninitvar ; its address, zeroed on the next line */
	b.r = r != NULL ? r : &mine;
	memset(b.r, 0, sizeof *b.r);
	b_step(&b, &e->rb->steps[step]);
	b.r->complete = !b.incomplete;
	if (b.failed) {
		eng_req_free(&b.req);
		engine_render_free(b.r);
		return (-1);
	}
	if (req != NULL)
		*req = b.req;
	else
		eng_req_free(&b.req);
	if (r == NULL)
		engine_render_free(&mine);
	return (0);
}

int
engine_render(struct engine *e, int step, struct engine_render *r,
    struct error *err)
{
	if (step < 0 || step >= e->rb->nsteps) {
		memset(r, 0, sizeof *r);
		error_set(err, "no step %d", step);
		return (-1);
	}
	return (eng_build(e, step, 1, NULL, r, err));
}

int
engine_dry_run(struct engine *e, void (*fn)(void *, int,
    const struct engine_render *, const char *), void *arg)
{
	struct engine_render	r;
	struct error		err;
	int			i, bad = 0;

	for (i = 0; i < e->rb->nsteps; i++) {
		if (engine_render(e, i, &r, &err) != 0) {
			fn(arg, i, NULL, err.msg);
			bad++;
			continue;
		}
		fn(arg, i, &r, NULL);
		engine_render_free(&r);
	}
	return (bad);
}
