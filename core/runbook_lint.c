/* runbook_lint.c: the checks across a runbook's model: names and ids,
 * gotos, placeholders (known, and only where a whole value goes), what a
 * check step may run, parameters and their defaults.  The executor
 * bodies' own rules are in runbook_lint_exec.c.  Also compiling the
 * patterns, capture regexes and conditions, and checking a value against
 * a parameter (which the engine uses too). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "condition.h"
#include "runbook_lint.h"
#include "xmalloc.h"

/* Names ------------------------------------------------------------------ */

int
rbl_ident(const char *s, int dash)
{
	size_t	i;

	if (s == NULL || s[0] == '\0' || strlen(s) > 63 ||
	    !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return (0);
	for (i = 0; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' &&
		    !(dash && s[i] == '-'))
			return (0);
	return (1);
}

static int
rbl_builtin(const char *name)
{
	char	w[80];

	snprintf(w, sizeof w, " %.64s ", name);
	return (strstr(" " RB_BUILTINS " ", w) != NULL);
}

/* The step that sets variable name (capture or choice), or NULL. */
const struct rb_step *
rbl_var_step(const struct runbook *rb, const char *name)
{
	int	i;

	for (i = 0; i < rb->nsteps; i++) {
		const struct rb_step	*s = &rb->steps[i];

		if ((s->capture.var.s != NULL && strcmp(s->capture.var.s,
		    name) == 0) || (s->var.s != NULL && strcmp(s->var.s,
		    name) == 0))
			return (s);
	}
	return (NULL);
}

int
rbl_known(const struct runbook *rb, const char *name)
{
	return (rbl_builtin(name) || runbook_param(rb, name) != NULL ||
	    rbl_var_step(rb, name) != NULL);
}

/* Placeholders ----------------------------------------------------------- */

void
rbl_pos(const struct rb_str *s, size_t off, int *line, int *col)
{
	size_t		 i;

	*line = s->line;
	*col = s->col;
	if (memchr(s->s, '\n', off) == NULL) {
		*col = s->col + s->quoted + (int)off;
		return;
	}
	for (i = 0; i < off; i++)
		*line += s->s[i] == '\n';
}

struct rbl_ph {
	struct lint		*L;
	const struct rb_str	*str;
	const char		*where;
	const char		*forbid;	/* why not here, or NULL */
	int			 argv;		/* exec argv element */
};

static void
rbl_ph_one(void *arg, const char *name, size_t off, size_t len)
{
	struct rbl_ph		*ph = arg;
	struct lint		*L = ph->L;
	const struct rb_param	*p;
	int			 line, col;

	rbl_pos(ph->str, off, &line, &col);
	if (name == NULL) {
		rb_problem(L->ctx, line, col, "%s: a malformed placeholder "
		    "(write {{name}})", ph->where);
		return;
	}
	if (ph->forbid != NULL) {
		rb_problem(L->ctx, line, col, "%s: placeholder {{%s}} is not "
		    "allowed here (%s)", ph->where, name, ph->forbid);
		return;
	}
	if (!rbl_known(L->rb, name)) {
		rb_problem(L->ctx, line, col, "%s: unknown placeholder {{%s}} "
		    "(not a parameter, a captured variable or one of: "
		    RB_BUILTINS ")", ph->where, name);
		return;
	}
	p = runbook_param(L->rb, name);
	if (ph->argv && p != NULL && p->type == RB_PT_STRING &&
	    p->pattern.s == NULL)
		rb_problem(L->ctx, line, col, "%s: string parameter %s is used "
		    "in argv without a pattern (add pattern: or make it an "
		    "enum)", ph->where, name);
}

int
rbl_ph(struct lint *L, const struct rb_str *s, const char *where,
    const char *forbid)
{
	struct rbl_ph	ph = { L, s, where, forbid, 0 };

	if (s == NULL || s->s == NULL)
		return (0);
	return (rb_placeholders(s->s, rbl_ph_one, &ph));
}

int
rbl_ph_argv(struct lint *L, const struct rb_str *s, const char *where)
{
	struct rbl_ph	ph = { L, s, where, NULL, 1 };

	return (rb_placeholders(s->s, rbl_ph_one, &ph));
}

/* Compiling -------------------------------------------------------------- */

static int
rbl_regcomp(struct rb_ctx *ctx, const struct rb_str *s, regex_t *re,
    int anchored, int flags, const char *what)
{
	char	*text, buf[160];
	int	 rc;

	if (anchored)
		xasprintf(&text, "^(%s)$", s->s);
	else
		text = xstrdup(s->s);
	rc = regcomp(re, text, REG_EXTENDED | flags);
	free(text);
	if (rc == 0)
		return (1);
	regerror(rc, re, buf, sizeof buf);
	regfree(re);
	rb_problem(ctx, s->line, s->col, "%s: the regex does not compile: %s",
	    what, buf);
	return (0);
}

static struct cond *
rbl_cond(struct rb_ctx *ctx, const struct rb_str *s, const char *what)
{
	struct error	 err;
	struct cond	*c;
	size_t		 off = 0;
	int		 line, col;

	if (s->s == NULL)
		return (NULL);
	if ((c = cond_parse(s->s, &err, &off)) == NULL) {
		rbl_pos(s, off, &line, &col);
		rb_problem(ctx, line, col, "%s: %s", what, err.msg);
	}
	return (c);
}

void
rb_compile(struct rb_ctx *ctx, struct runbook *rb)
{
	int	i;

	for (i = 0; i < rb->nparams; i++) {
		struct rb_param	*p = &rb->params[i];

		if (p->pattern.s != NULL)
			p->has_re = rbl_regcomp(ctx, &p->pattern, &p->re,
			    1, REG_NOSUB, "pattern");
	}
	for (i = 0; i < rb->nsteps; i++) {
		struct rb_step	*s = &rb->steps[i];

		if (s->capture.regex.s != NULL)
			s->capture.has_re = rbl_regcomp(ctx, &s->capture.regex,
			    &s->capture.re, 0, 0, "capture");
		s->when_c = rbl_cond(ctx, &s->when, "when");
		s->until_c = rbl_cond(ctx, &s->until, "until");
	}
}

/* Values ----------------------------------------------------------------- */

static int
rbl_check_int(const struct rb_param *p, const char *v, char *why,
    size_t len)
{
	char		*end;
	long long	 x;

	errno = 0;
	x = strtoll(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno != 0 || isspace(
	    (unsigned char)*v)) {
		snprintf(why, len, "%s: not a whole number", p->name.s);
		return (-1);
	}
	if ((p->has_min && x < p->min) || (p->has_max && x > p->max)) {
		snprintf(why, len, "%s: must be from %lld to %lld", p->name.s,
		    p->has_min ? p->min : -9223372036854775807LL,
		    p->has_max ? p->max : 9223372036854775807LL);
		return (-1);
	}
	return (0);
}

static int
rbl_check_enum(const struct rb_param *p, const char *v, char *why,
    size_t len)
{
	size_t	off;
	int	i;

	for (i = 0; i < p->nvalues; i++)
		if (strcmp(p->values[i].s, v) == 0)
			return (0);
	off = (size_t)snprintf(why, len, "%s: must be one of", p->name.s);
	for (i = 0; i < p->nvalues && off < len; i++)
		off += (size_t)snprintf(why + off, len - off, "%s %s",
		    i ? "," : "", p->values[i].s);
	return (-1);
}

int
rb_param_check(const struct rb_param *p, const char *v, char *why,
    size_t len)
{
	switch (p->type) {
	case RB_PT_STRING:
		if (p->has_re && regexec(&p->re, v, 0, NULL, 0) != 0) {
			snprintf(why, len, "%s: does not match the pattern %s",
			    p->name.s, p->pattern.s);
			return (-1);
		}
		if (p->pattern.s != NULL && !p->has_re) {
			snprintf(why, len, "%s: its pattern does not compile",
			    p->name.s);
			return (-1);
		}
		return (0);
	case RB_PT_ENUM:
		return (rbl_check_enum(p, v, why, len));
	case RB_PT_INT:
		return (rbl_check_int(p, v, why, len));
	case RB_PT_DURATION:
		if (rb_parse_secs(v) < 0) {
			snprintf(why, len, "%s: not a duration (90s, 5m, 2h)",
			    p->name.s);
			return (-1);
		}
		return (0);
	case RB_PT_BOOL:
		if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0) {
			snprintf(why, len, "%s: must be true or false",
			    p->name.s);
			return (-1);
		}
		return (0);
	}
	return (-1);
}

/* Parameters ------------------------------------------------------------- */

static void
rbl_param_from(struct lint *L, const struct rb_param *p)
{
	const struct rb_str	*f = &p->from;
	const struct rb_step	*s;
	char			 id[64], var[64];
	int			 i;

	if (f->s == NULL)
		return;
	if (strncmp(f->s, "alert.labels.", 13) == 0) {
		if (!rbl_ident(f->s + 13, 0))
			rb_problem(L->ctx, f->line, f->col, "parameter %s: "
			    "from: alert.labels.NAME (a label name)",
			    p->name.s);
		return;
	}
	if (sscanf(f->s, "step.%63[A-Za-z0-9_-].%63[A-Za-z0-9_]", id,
	    var) != 2 || strlen(f->s) != 6 + strlen(id) + strlen(var)) {
		rb_problem(L->ctx, f->line, f->col, "parameter %s: from must "
		    "be alert.labels.NAME or step.ID.VAR", p->name.s);
		return;
	}
	if ((i = runbook_step_index(L->rb, id)) < 0) {
		rb_problem(L->ctx, f->line, f->col, "parameter %s: from: no "
		    "step '%s'", p->name.s, id);
		return;
	}
	s = &L->rb->steps[i];
	if (s->capture.var.s == NULL || strcmp(s->capture.var.s, var) != 0)
		rb_problem(L->ctx, f->line, f->col, "parameter %s: from: "
		    "step %s does not capture '%s'", p->name.s, id, var);
}

static void
rbl_param_keys(struct lint *L, const struct rb_param *p)
{
	const char	*n = p->name.s;

	if (p->pattern.s != NULL && p->type != RB_PT_STRING)
		rb_problem(L->ctx, p->pattern.line, p->pattern.col, "parameter "
		    "%s: pattern is for string parameters", n);
	if (p->nvalues > 0 && p->type != RB_PT_ENUM)
		rb_problem(L->ctx, p->line, p->col, "parameter %s: values is "
		    "for enum parameters", n);
	if (p->type == RB_PT_ENUM && p->nvalues == 0)
		rb_problem(L->ctx, p->line, p->col, "parameter %s: an enum "
		    "needs values: [...]", n);
	if ((p->has_min || p->has_max) && p->type != RB_PT_INT)
		rb_problem(L->ctx, p->line, p->col, "parameter %s: min and max "
		    "are for int parameters", n);
	if (p->has_min && p->has_max && p->min > p->max)
		rb_problem(L->ctx, p->line, p->col, "parameter %s: min is "
		    "above max", n);
	if (p->secret && p->def.s != NULL)
		rb_problem(L->ctx, p->def.line, p->def.col, "parameter %s: a "
		    "secret has no default in the file", n);
}

static void
rbl_param(struct lint *L, int idx)
{
	const struct rb_param	*p = &L->rb->params[idx];
	char			 why[256];
	int			 i;

	if (p->name.s == NULL)
		return;
	if (!rbl_ident(p->name.s, 0) || rbl_builtin(p->name.s))
		rb_problem(L->ctx, p->name.line, p->name.col, "parameter name "
		    "'%.64s' must be a word (letters, digits, _) and not one "
		    "of: " RB_BUILTINS, p->name.s);
	for (i = 0; i < idx; i++)
		if (L->rb->params[i].name.s != NULL &&
		    strcmp(L->rb->params[i].name.s, p->name.s) == 0)
			rb_problem(L->ctx, p->name.line, p->name.col,
			    "parameter %s is declared twice", p->name.s);
	rbl_param_keys(L, p);
	if (p->def.s != NULL && (p->pattern.s == NULL || p->has_re) &&
	    rb_param_check(p, p->def.s, why, sizeof why) != 0)
		rb_problem(L->ctx, p->def.line, p->def.col, "default: %s", why);
	for (i = 0; p->type == RB_PT_ENUM && i < p->nvalues; i++)
		if (p->values[i].s[0] == '\0')
			rb_problem(L->ctx, p->values[i].line,
			    p->values[i].col, "parameter %s: an empty value",
			    p->name.s);
	rbl_param_from(L, p);
}

/* Steps ------------------------------------------------------------------ */

static void
rbl_goto(struct lint *L, const struct rb_str *s, const char *what)
{
	if (s->s != NULL && runbook_step_index(L->rb, s->s) < 0)
		rb_problem(L->ctx, s->line, s->col, "%s: no step '%.64s'",
		    what, s->s);
}

struct rbl_cn {
	struct lint		*L;
	const struct rb_str	*s;
	const char		*what;
};

static void
rbl_cond_name(void *arg, const char *name, size_t off)
{
	struct rbl_cn	*cn = arg;
	int		 line, col;

	if (rbl_known(cn->L->rb, name))
		return;
	rbl_pos(cn->s, off, &line, &col);
	rb_problem(cn->L->ctx, line, col, "%s: unknown placeholder {{%s}}",
	    cn->what, name);
}

static void
rbl_cond_names(struct lint *L, const struct cond *c, const struct rb_str *s,
    const char *what)
{
	struct rbl_cn	cn = { L, s, what };

	cond_names(c, rbl_cond_name, &cn);
}

static void
rbl_json_path(struct lint *L, const struct rb_str *p)
{
	const char	*s = p->s;
	size_t		 n;

	while (*s != '\0') {
		n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU"
		    "VWXYZ0123456789_-");
		s += n;
		while (*s == '[' && isdigit((unsigned char)s[1])) {
			s += 1 + strspn(s + 1, "0123456789");
			if (*s++ != ']')
				goto bad;
			n = 1;
		}
		if (n == 0 || (*s != '\0' && *s != '.') || (*s == '.' &&
		    s[1] == '\0'))
			goto bad;
		if (*s == '.')
			s++;
	}
	return;
bad:
	rb_problem(L->ctx, p->line, p->col, "capture: json path must look "
	    "like a.b[0].c");
}

static void
rbl_capture(struct lint *L, const struct rb_step *s)
{
	const struct rb_str	*v = &s->capture.var;

	if (v->s == NULL)
		return;
	if (!rbl_ident(v->s, 0) || rbl_builtin(v->s))
		rb_problem(L->ctx, v->line, v->col, "capture: var must be a "
		    "word (letters, digits, _)");
	else if (runbook_param(L->rb, v->s) != NULL)
		rb_problem(L->ctx, v->line, v->col, "capture: var %s has the "
		    "name of a parameter", v->s);
	else if (rbl_var_step(L->rb, v->s) != s)
		rb_problem(L->ctx, v->line, v->col, "capture: var %s is also "
		    "set by another step", v->s);
	if (s->capture.json.s != NULL)
		rbl_json_path(L, &s->capture.json);
}

static void
rbl_choice(struct lint *L, const struct rb_step *s)
{
	int	i, values = 0;

	for (i = 0; i < s->noptions; i++) {
		const struct rb_option	*o = &s->options[i];

		rbl_goto(L, &o->go, "choice goto");
		if (o->go.s != NULL && o->value.s != NULL)
			rb_problem(L->ctx, o->value.line, o->value.col,
			    "choice: an option has goto: or value:, not both");
		rbl_ph(L, &o->value, "choice value", "a choice sets a literal "
		    "value");
		values += o->value.s != NULL;
	}
	if (values > 0 && s->var.s == NULL)
		rb_problem(L->ctx, s->line, s->col, "choice: options set "
		    "value: but the step has no var:");
	if (s->var.s != NULL && (!rbl_ident(s->var.s, 0) ||
	    runbook_param(L->rb, s->var.s) != NULL ||
	    rbl_var_step(L->rb, s->var.s) != s))
		rb_problem(L->ctx, s->var.line, s->var.col, "choice: var must "
		    "be a new word, not a parameter or another step's "
		    "variable");
}

static void
rbl_step_kind(struct lint *L, const struct rb_step *s)
{
	if (s->kind == RB_STEP_ACTION && s->title.s == NULL)
		rb_problem(L->ctx, s->line, s->col, "step %s: an action needs "
		    "a title", s->id.s ? s->id.s : "?");
	if (s->danger_high && s->target.s == NULL)
		rb_problem(L->ctx, s->line, s->col, "step %s: danger: high "
		    "needs target: (the word the operator types)",
		    s->id.s ? s->id.s : "?");
	rbl_ph(L, &s->target, "target", NULL);
	if (s->kind == RB_STEP_WAIT && s->until_c != NULL)
		rbl_cond_names(L, s->until_c, &s->until, "until");
	if (s->kind == RB_STEP_CHOICE)
		rbl_choice(L, s);
	if (s->exec.kind != RB_EX_NONE)
		rbl_exec(L, s, s->kind == RB_STEP_CHECK ||
		    s->kind == RB_STEP_WAIT);
}

static void
rbl_step(struct lint *L, int idx)
{
	const struct rb_step	*s = &L->rb->steps[idx];
	int			 i;

	if (s->id.s != NULL) {
		if (!rbl_ident(s->id.s, 1))
			rb_problem(L->ctx, s->id.line, s->id.col, "step id "
			    "'%.64s' must be a word (letters, digits, _, -)",
			    s->id.s);
		for (i = 0; i < idx; i++)
			if (L->rb->steps[i].id.s != NULL &&
			    strcmp(L->rb->steps[i].id.s, s->id.s) == 0)
				rb_problem(L->ctx, s->id.line, s->id.col,
				    "duplicate step id '%.64s'", s->id.s);
	}
	rbl_ph(L, &s->title, "title", NULL);
	rbl_ph(L, &s->description, "description", NULL);
	rbl_ph(L, &s->instructions, "instructions", NULL);
	rbl_ph(L, &s->question, "question", NULL);
	if (s->when_c != NULL)
		rbl_cond_names(L, s->when_c, &s->when, "when");
	rbl_goto(L, &s->next, "next");
	rbl_capture(L, s);
	rbl_step_kind(L, s);
}

void
rb_lint(struct rb_ctx *ctx, const struct runbook *rb)
{
	struct lint	L = { ctx, rb };
	int		i;

	if (rb->id.s != NULL && !rbl_ident(rb->id.s, 1))
		rb_problem(ctx, rb->id.line, rb->id.col, "id '%.64s' must be a "
		    "word (letters, digits, _, -)", rb->id.s);
	for (i = 0; i < rb->nalerts; i++)
		if (rb->alerts[i].s[0] == '\0')
			rb_problem(ctx, rb->alerts[i].line, rb->alerts[i].col,
			    "alerts: an empty alert name");
	for (i = 0; i < rb->nparams; i++)
		rbl_param(&L, i);
	for (i = 0; i < rb->nsteps; i++)
		rbl_step(&L, i);
}
