/* runbook_parse.c: the YAML tree to the model, one mapping at a time:
 * the top level, parameters, steps (by kind), capture, wait and choice
 * options.  Structural problems (unknown and missing keys, bad types and
 * values) are reported here; runbook_lint.c checks the model as a whole. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "condition.h"
#include "runbook_int.h"
#include "xmalloc.h"

#define RB_TOP_KEYS	" id title severity summary symptoms impact " \
			"alerts parameters steps "
#define RB_PARAM_KEYS	" name type description pattern values min max " \
			"default required secret options_ok from "
#define RB_STEP_COMMON	" id kind title description when next "

static const struct rb_kind_def {
	const char		*name;
	enum rb_step_kind	 kind;
	const char		*keys;		/* beyond the common */
} rb_kind_defs[] = {
	{ "check", RB_STEP_CHECK, " capture " },
	{ "action", RB_STEP_ACTION, " capture danger target approval " },
	{ "wait", RB_STEP_WAIT, " wait capture " },
	{ "manual", RB_STEP_MANUAL, " instructions " },
	{ "choice", RB_STEP_CHOICE, " question var options " },
	{ "notify", RB_STEP_NOTIFY, " " },
};
#define RB_NKINDS ((int)(sizeof rb_kind_defs / sizeof rb_kind_defs[0]))

/* Parameters ------------------------------------------------------------- */

static int
rb_param_type(struct rb_ctx *ctx, const struct rb_node *m,
    struct rb_param *p)
{
	static const char *const names[] = { "string", "enum", "int",
	    "duration", "bool" };
	struct rb_str	 t = { 0 };
	int		 i;

	if (rb_get_str(ctx, m, "type", &t) != 0)
		return (-1);
	if (t.s == NULL)
		return (0);
	for (i = 0; i < 5; i++) {
		if (strcmp(t.s, names[i]) == 0) {
			p->type = (enum rb_ptype)i;
			rb_str_free(&t);
			return (0);
		}
	}
	rb_problem(ctx, t.line, t.col, "parameter %s: type must be string, "
	    "enum, int, duration or bool", p->name.s ? p->name.s : "?");
	rb_str_free(&t);
	return (-1);
}

static void
rb_param(struct rb_ctx *ctx, const struct rb_node *m, struct rb_param *p)
{
	char	what[96];

	p->line = m->line;
	p->col = m->col;
	if (m->type != RB_NODE_MAP) {
		rb_problem(ctx, m->line, m->col, "parameters: each is a "
		    "mapping (name:, type: ...)");
		return;
	}
	rb_get_str(ctx, m, "name", &p->name);
	snprintf(what, sizeof what, "parameter %.64s",
	    p->name.s ? p->name.s : "?");
	rb_map_keys(ctx, m, what, RB_PARAM_KEYS);
	rb_require(ctx, m, what, "name");
	rb_param_type(ctx, m, p);
	rb_get_str(ctx, m, "description", &p->description);
	rb_get_str(ctx, m, "pattern", &p->pattern);
	rb_get_strs(ctx, m, "values", &p->values, &p->nvalues);
	rb_get_int(ctx, m, "min", &p->min, &p->has_min);
	rb_get_int(ctx, m, "max", &p->max, &p->has_max);
	rb_get_str(ctx, m, "default", &p->def);
	rb_get_bool(ctx, m, "required", &p->required);
	rb_get_bool(ctx, m, "secret", &p->secret);
	rb_get_bool(ctx, m, "options_ok", &p->options_ok);
	rb_get_str(ctx, m, "from", &p->from);
}

static void
rb_params(struct rb_ctx *ctx, const struct rb_node *root, struct runbook *rb)
{
	const struct rb_node	*n = rb_map_get(root, "parameters");
	int			 i;

	if (n == NULL)
		return;
	if (n->type != RB_NODE_SEQ) {
		rb_problem(ctx, n->line, n->col, "parameters: expected a list");
		return;
	}
	rb->params = xcalloc(n->nitems + 1, sizeof *rb->params);
	for (i = 0; i < n->nitems; i++)
		rb_param(ctx, n->items[i], &rb->params[rb->nparams++]);
}

/* Steps ------------------------------------------------------------------ */

static void
rb_capture(struct rb_ctx *ctx, const struct rb_node *m, const char *what,
    struct rb_capture *c)
{
	const struct rb_node	*n = rb_map_get(m, "capture");
	char			 w[128];

	if (n == NULL)
		return;
	snprintf(w, sizeof w, "%s.capture", what);
	if (n->type != RB_NODE_MAP) {
		rb_problem(ctx, n->line, n->col, "%s: expected a mapping "
		    "{var:, regex: | json:}", w);
		return;
	}
	rb_map_keys(ctx, n, w, " var regex json ");
	rb_require(ctx, n, w, "var");
	rb_get_str(ctx, n, "var", &c->var);
	rb_get_str(ctx, n, "regex", &c->regex);
	rb_get_str(ctx, n, "json", &c->json);
	if ((c->regex.s == NULL) == (c->json.s == NULL))
		rb_problem(ctx, n->line, n->col, "%s: exactly one of regex "
		    "or json", w);
}

static void
rb_step_wait(struct rb_ctx *ctx, const struct rb_node *m, const char *what,
    struct rb_step *s)
{
	const struct rb_node	*n = rb_map_get(m, "wait"), *chk;
	char			 w[128];

	s->timeout_s = 300;
	s->interval_s = 10;
	if (rb_require(ctx, m, what, "wait") != 0)
		return;
	snprintf(w, sizeof w, "%s.wait", what);
	if (n->type != RB_NODE_MAP) {
		rb_problem(ctx, n->line, n->col, "%s: expected a mapping "
		    "{check:, until:, timeout:, interval:}", w);
		return;
	}
	rb_map_keys(ctx, n, w, " check until timeout interval ");
	rb_require(ctx, n, w, "check");
	rb_require(ctx, n, w, "until");
	rb_get_str(ctx, n, "until", &s->until);
	rb_get_secs(ctx, n, "timeout", 1, 86400, &s->timeout_s);
	rb_get_secs(ctx, n, "interval", 1, 3600, &s->interval_s);
	if ((chk = rb_map_get(n, "check")) == NULL)
		return;
	snprintf(w, sizeof w, "%s.wait.check", what);
	if (chk->type != RB_NODE_MAP)
		rb_problem(ctx, chk->line, chk->col, "%s: expected an "
		    "executor body (sql:, http:, k8s: ...)", w);
	else if (rb_map_keys(ctx, chk, w, rb_exec_keys) == 0 &&
	    rb_exec_parse(ctx, chk, w, &s->exec) == 1)
		rb_problem(ctx, chk->line, chk->col, "%s: no executor (one "
		    "of%s)", w, rb_exec_keys);
}

static void
rb_step_option(struct rb_ctx *ctx, const struct rb_node *m,
    const char *what, struct rb_option *o)
{
	if (m->type != RB_NODE_MAP) {
		rb_problem(ctx, m->line, m->col, "%s: each option is a "
		    "mapping {label:, goto: | value:}", what);
		return;
	}
	rb_map_keys(ctx, m, what, " label goto value ");
	rb_require(ctx, m, what, "label");
	rb_get_str(ctx, m, "label", &o->label);
	rb_get_str(ctx, m, "goto", &o->go);
	rb_get_str(ctx, m, "value", &o->value);
}

static void
rb_step_choice(struct rb_ctx *ctx, const struct rb_node *m,
    const char *what, struct rb_step *s)
{
	const struct rb_node	*n = rb_map_get(m, "options");
	char			 w[128];
	int			 i;

	rb_require(ctx, m, what, "question");
	rb_get_str(ctx, m, "question", &s->question);
	rb_get_str(ctx, m, "var", &s->var);
	if (rb_require(ctx, m, what, "options") != 0)
		return;
	if (n->type != RB_NODE_SEQ || n->nitems < 2) {
		rb_problem(ctx, n->line, n->col, "%s.options: expected a list "
		    "of at least two options", what);
		return;
	}
	s->options = xcalloc(n->nitems, sizeof *s->options);
	for (i = 0; i < n->nitems; i++) {
		snprintf(w, sizeof w, "%s.options[%d]", what, i);
		rb_step_option(ctx, n->items[i], w, &s->options[s->noptions++]);
	}
}

static void
rb_step_action(struct rb_ctx *ctx, const struct rb_node *m,
    const char *what, struct rb_step *s)
{
	struct rb_str	v = { 0 };

	rb_get_str(ctx, m, "target", &s->target);
	if (rb_get_str(ctx, m, "danger", &v) == 0 && v.s != NULL) {
		if (strcmp(v.s, "high") == 0)
			s->danger_high = 1;
		else if (strcmp(v.s, "normal") != 0)
			rb_problem(ctx, v.line, v.col, "%s: danger must be "
			    "high or normal", what);
	}
	rb_str_free(&v);
	if (rb_get_str(ctx, m, "approval", &v) == 0 && v.s != NULL) {
		if (strcmp(v.s, "two-person") == 0)
			s->two_person = 1;
		else if (strcmp(v.s, "one-person") != 0)
			rb_problem(ctx, v.line, v.col, "%s: approval must be "
			    "two-person or one-person", what);
	}
	rb_str_free(&v);
}

/* The executor a check, action or notify step must have. */
static void
rb_step_exec(struct rb_ctx *ctx, const struct rb_node *m, const char *what,
    struct rb_step *s)
{
	int	rc = rb_exec_parse(ctx, m, what, &s->exec);

	if (rc == 1)
		rb_problem(ctx, m->line, m->col, "%s: no executor (one of%s)",
		    what, rb_exec_keys);
	else if (rc == 0 && s->kind == RB_STEP_NOTIFY &&
	    s->exec.kind != RB_EX_NOTIFY)
		rb_problem(ctx, s->exec.line, s->exec.col, "%s: a notify step "
		    "posts with notify:", what);
}

static const struct rb_kind_def *
rb_step_kind(struct rb_ctx *ctx, const struct rb_node *m, const char *what)
{
	struct rb_str	k = { 0 };
	int		i;

	if (rb_require(ctx, m, what, "kind") != 0 ||
	    rb_get_str(ctx, m, "kind", &k) != 0)
		return (NULL);
	for (i = 0; i < RB_NKINDS; i++) {
		if (strcmp(k.s, rb_kind_defs[i].name) == 0) {
			rb_str_free(&k);
			return (&rb_kind_defs[i]);
		}
	}
	rb_problem(ctx, k.line, k.col, "%s: unknown step kind '%.32s' "
	    "(check, action, wait, manual, choice, notify)", what, k.s);
	rb_str_free(&k);
	return (NULL);
}

static void
rb_step_keys(struct rb_ctx *ctx, const struct rb_node *m, const char *what,
    const struct rb_kind_def *k)
{
	char	allowed[256];
	int	exec = k->kind == RB_STEP_CHECK ||
		    k->kind == RB_STEP_ACTION || k->kind == RB_STEP_NOTIFY;

	snprintf(allowed, sizeof allowed, "%s%s%s", RB_STEP_COMMON,
	    k->keys + 1, exec ? rb_exec_keys + 1 : "");
	rb_map_keys(ctx, m, what, allowed);
}

static void
rb_step(struct rb_ctx *ctx, const struct rb_node *m, int idx,
    struct rb_step *s)
{
	const struct rb_kind_def	*k;
	char				 what[96];

	s->line = m->line;
	s->col = m->col;
	if (m->type != RB_NODE_MAP) {
		rb_problem(ctx, m->line, m->col, "steps: each is a mapping "
		    "(id:, kind:, title: ...)");
		s->kind = RB_STEP_MANUAL;
		return;
	}
	rb_get_str(ctx, m, "id", &s->id);
	snprintf(what, sizeof what, "step %.64s", s->id.s ? s->id.s : "?");
	if (s->id.s == NULL)
		snprintf(what, sizeof what, "steps[%d]", idx);
	rb_require(ctx, m, what, "id");
	rb_get_str(ctx, m, "title", &s->title);
	rb_get_str(ctx, m, "description", &s->description);
	rb_get_str(ctx, m, "when", &s->when);
	rb_get_str(ctx, m, "next", &s->next);
	if ((k = rb_step_kind(ctx, m, what)) == NULL) {
		s->kind = RB_STEP_MANUAL;
		return;
	}
	s->kind = k->kind;
	rb_step_keys(ctx, m, what, k);
	rb_capture(ctx, m, what, &s->capture);
	switch (s->kind) {
	case RB_STEP_ACTION:
		rb_step_action(ctx, m, what, s);
		/* FALLTHROUGH */
	case RB_STEP_CHECK:
	case RB_STEP_NOTIFY:
		rb_step_exec(ctx, m, what, s);
		break;
	case RB_STEP_WAIT:
		rb_step_wait(ctx, m, what, s);
		break;
	case RB_STEP_MANUAL:
		rb_require(ctx, m, what, "instructions");
		rb_get_str(ctx, m, "instructions", &s->instructions);
		break;
	case RB_STEP_CHOICE:
		rb_step_choice(ctx, m, what, s);
		break;
	}
}

static void
rb_steps(struct rb_ctx *ctx, const struct rb_node *root, struct runbook *rb)
{
	const struct rb_node	*n = rb_map_get(root, "steps");
	int			 i;

	if (n == NULL)
		return;
	if (n->type != RB_NODE_SEQ || n->nitems == 0) {
		rb_problem(ctx, n->line, n->col, "steps: expected a list of "
		    "at least one step");
		return;
	}
	rb->steps = xcalloc(n->nitems, sizeof *rb->steps);
	for (i = 0; i < n->nitems; i++)
		rb_step(ctx, n->items[i], i, &rb->steps[rb->nsteps++]);
}

/* The top level ---------------------------------------------------------- */

static void
rb_severity(struct rb_ctx *ctx, const struct rb_node *root,
    struct runbook *rb)
{
	struct rb_str	v = { 0 };

	if (rb_get_str(ctx, root, "severity", &v) != 0 || v.s == NULL)
		return;
	if (strlen(v.s) == 2 && v.s[0] == 'P' && v.s[1] >= '0' &&
	    v.s[1] <= '3')
		rb->severity = (enum rb_severity)(v.s[1] - '0');
	else
		rb_problem(ctx, v.line, v.col, "severity must be P0, P1, P2 "
		    "or P3");
	rb_str_free(&v);
}

int
rb_build(struct rb_ctx *ctx, const struct rb_node *root, struct runbook *rb)
{
	int	before = ctx->problems;

	rb_map_keys(ctx, root, "runbook", RB_TOP_KEYS);
	rb_require(ctx, root, "runbook", "id");
	rb_require(ctx, root, "runbook", "title");
	rb_require(ctx, root, "runbook", "severity");
	rb_require(ctx, root, "runbook", "steps");
	rb_get_str(ctx, root, "id", &rb->id);
	rb_get_str(ctx, root, "title", &rb->title);
	rb_severity(ctx, root, rb);
	rb_get_str(ctx, root, "summary", &rb->summary);
	rb_get_strs(ctx, root, "symptoms", &rb->symptoms, &rb->nsymptoms);
	rb_get_str(ctx, root, "impact", &rb->impact);
	rb_get_strs(ctx, root, "alerts", &rb->alerts, &rb->nalerts);
	rb_params(ctx, root, rb);
	rb_steps(ctx, root, rb);
	return (ctx->problems - before);
}
