/* drill_parse.c: a drill's YAML tree to the model, key by key, with the
 * checks that need only the file: unknown and missing keys, types, the
 * drill type, targets, phases (each with a target), duplicate phase ids,
 * step lists, the healthy: condition (it must compile and name only the
 * figures of drill_var_names).  The YAML tree and its helpers are the
 * runbook reader's (runbook_int.h): one reader, one set of limits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "condition.h"
#include "drill.h"
#include "runbook_int.h"
#include "xmalloc.h"

#define DR_TOP_KEYS	" id title type scenario rto_minutes rpo_minutes " \
			"rpo_seconds rpo_bytes success_criteria pre_drill " \
			"inject runbook rpo_at healthy phases post_drill " \
			"signoff "
#define DR_PHASE_KEYS	" id title target_minutes checklist "

static const char *const dr_type_names[] = {
	"full-failover", "database-restore", "partial-outage"
};
static const char *const dr_type_titles[] = {
	"Full Failover", "Database Restore", "Partial Service Outage"
};

const char *
drill_type_name(enum drill_type t)
{
	return (dr_type_names[t]);
}

const char *
drill_type_title(enum drill_type t)
{
	return (dr_type_titles[t]);
}

static int
dr_word_ok(const char *s)
{
	size_t	i;

	if (s == NULL || *s == '\0' || strlen(s) > 63)
		return (0);
	for (i = 0; s[i] != '\0'; i++)
		if (!(s[i] >= 'a' && s[i] <= 'z') &&
		    !(s[i] >= 'A' && s[i] <= 'Z') &&
		    !(s[i] >= '0' && s[i] <= '9') && s[i] != '_' &&
		    s[i] != '-')
			return (0);
	return (1);
}

static void
dr_type(struct rb_ctx *ctx, const struct rb_node *root, struct drill *d)
{
	struct rb_str	t = { 0 };
	int		i;

	if (rb_get_str(ctx, root, "type", &t) != 0 || t.s == NULL)
		return;
	for (i = 0; i < 3; i++) {
		if (strcmp(t.s, dr_type_names[i]) == 0) {
			d->type = (enum drill_type)i;
			rb_str_free(&t);
			return;
		}
	}
	rb_problem(ctx, t.line, t.col, "type must be full-failover, "
	    "database-restore or partial-outage");
	rb_str_free(&t);
}

/* A whole number in [lo, hi]; absent leaves *out. */
static int
dr_int(struct rb_ctx *ctx, const struct rb_node *m, const char *key,
    long long lo, long long hi, long long *out)
{
	const struct rb_node	*n = rb_map_get(m, key);
	long long		 v;
	int			 present = 0;

	if (rb_get_int(ctx, m, key, &v, &present) != 0 || !present)
		return (present ? -1 : 0);
	if (v < lo || v > hi) {
		rb_problem(ctx, n->line, n->col, "%s: expected %lld to %lld",
		    key, lo, hi);
		return (-1);
	}
	*out = v;
	return (1);
}

/* A checklist: a list of lines, at most DRILL_MAX_ITEMS. */
static void
dr_list(struct rb_ctx *ctx, const struct rb_node *m, const char *key,
    struct rb_str **out, int *n)
{
	const struct rb_node	*l = rb_map_get(m, key);
	int			 i;

	if (rb_get_strs(ctx, m, key, out, n) != 0)
		return;
	if (*n > DRILL_MAX_ITEMS)
		rb_problem(ctx, l->line, l->col, "%s: at most %d items", key,
		    DRILL_MAX_ITEMS);
	for (i = 0; i < *n; i++)
		if ((*out)[i].s[0] == '\0')
			rb_problem(ctx, (*out)[i].line, (*out)[i].col,
			    "%s: an empty item", key);
}

static void
dr_steps(struct rb_ctx *ctx, const struct rb_node *m, const char *what,
    struct drill_ref *r)
{
	const struct rb_node	*one = rb_map_get(m, "step");
	int			 i;

	if (one != NULL) {		/* step: X is steps: [X] */
		if (one->type != RB_NODE_SCALAR) {
			rb_problem(ctx, one->line, one->col, "%s.step: "
			    "expected a step id", what);
			return;
		}
		r->steps = xcalloc(1, sizeof *r->steps);
		rb_str_set(&r->steps[0], one);
		r->nsteps = 1;
	} else if (rb_get_strs(ctx, m, "steps", &r->steps, &r->nsteps) != 0)
		return;
	if (rb_map_get(m, "step") != NULL && rb_map_get(m, "steps") != NULL)
		rb_problem(ctx, m->line, m->col, "%s: step or steps, not both",
		    what);
	else if (r->nsteps == 0)
		rb_problem(ctx, m->line, m->col, "%s: missing required key "
		    "'steps' (the step ids that mark the moment)", what);
	for (i = 0; i < r->nsteps; i++)
		if (!dr_word_ok(r->steps[i].s))
			rb_problem(ctx, r->steps[i].line, r->steps[i].col,
			    "%s: '%.64s' is not a step id", what,
			    r->steps[i].s);
}

static void
dr_ref(struct rb_ctx *ctx, const struct rb_node *root, const char *key,
    struct drill_ref *r, int standby)
{
	const struct rb_node	*m = rb_map_get(root, key);

	if (m == NULL)
		return;
	r->line = m->line;
	r->col = m->col;
	if (m->type != RB_NODE_MAP) {
		rb_problem(ctx, m->line, m->col, "%s: expected a mapping "
		    "{runbook:, steps: [...]}", key);
		return;
	}
	rb_map_keys(ctx, m, key, standby ? " runbook step steps standby " :
	    " runbook step steps ");
	rb_require(ctx, m, key, "runbook");
	rb_get_str(ctx, m, "runbook", &r->runbook);
	if (r->runbook.s != NULL && !dr_word_ok(r->runbook.s))
		rb_problem(ctx, r->runbook.line, r->runbook.col, "%s.runbook: "
		    "'%.64s' is not a runbook id", key, r->runbook.s);
	dr_steps(ctx, m, key, r);
	if (standby)
		rb_get_str(ctx, m, "standby", &r->standby);
}

static void
dr_phase(struct rb_ctx *ctx, const struct rb_node *m, struct drill *d)
{
	struct drill_phase	*p = &d->phases[d->nphases];
	long long		 t = 0;
	char			 what[96];
	int			 i;

	p->line = m->line;
	p->col = m->col;
	if (m->type != RB_NODE_MAP) {
		rb_problem(ctx, m->line, m->col, "phases: each is a mapping "
		    "(id:, title:, target_minutes:, checklist:)");
		return;
	}
	d->nphases++;
	rb_get_str(ctx, m, "id", &p->id);
	snprintf(what, sizeof what, "phase %.64s", p->id.s ? p->id.s : "?");
	rb_map_keys(ctx, m, what, DR_PHASE_KEYS);
	rb_require(ctx, m, what, "id");
	rb_require(ctx, m, what, "title");
	if (rb_map_get(m, "target_minutes") == NULL)
		rb_problem(ctx, m->line, m->col, "%s: no target_minutes (every "
		    "phase is measured against a target)", what);
	rb_get_str(ctx, m, "title", &p->title);
	if (dr_int(ctx, m, "target_minutes", 1, 7 * 24 * 60, &t) > 0)
		p->target_min = (int)t;
	dr_list(ctx, m, "checklist", &p->checklist, &p->nchecklist);
	if (p->id.s != NULL && !dr_word_ok(p->id.s))
		rb_problem(ctx, p->id.line, p->id.col, "%s: the id must be a "
		    "word (letters, digits, _ and -)", what);
	for (i = 0; p->id.s != NULL && i < d->nphases - 1; i++)
		if (d->phases[i].id.s != NULL &&
		    strcmp(d->phases[i].id.s, p->id.s) == 0)
			rb_problem(ctx, p->id.line, p->id.col, "phase id '%s' "
			    "given twice", p->id.s);
}

static void
dr_phases(struct rb_ctx *ctx, const struct rb_node *root, struct drill *d)
{
	const struct rb_node	*n = rb_map_get(root, "phases");
	int			 i;

	if (n == NULL)
		return;
	if (n->type != RB_NODE_SEQ || n->nitems == 0) {
		rb_problem(ctx, n->line, n->col, "phases: expected a list of "
		    "at least one phase");
		return;
	}
	if (n->nitems > DRILL_MAX_PHASES) {
		rb_problem(ctx, n->line, n->col, "phases: at most %d",
		    DRILL_MAX_PHASES);
		return;
	}
	d->phases = xcalloc(n->nitems, sizeof *d->phases);
	for (i = 0; i < n->nitems; i++)
		dr_phase(ctx, n->items[i], d);
}

/* RPO targets: rpo_minutes or rpo_seconds (not both), rpo_bytes. */
static void
dr_rpo(struct rb_ctx *ctx, const struct rb_node *root, struct drill *d)
{
	long long	v;

	d->rpo_s = d->rpo_bytes = -1;
	if (rb_map_get(root, "rpo_minutes") != NULL &&
	    rb_map_get(root, "rpo_seconds") != NULL)
		rb_problem(ctx, root->line, root->col, "rpo_minutes or "
		    "rpo_seconds, not both");
	if (dr_int(ctx, root, "rpo_minutes", 0, 525600, &v) > 0)
		d->rpo_s = v * 60;
	if (dr_int(ctx, root, "rpo_seconds", 0, 31536000, &v) > 0)
		d->rpo_s = v;
	if (dr_int(ctx, root, "rpo_bytes", 0, (long long)1 << 50, &v) > 0)
		d->rpo_bytes = v;
	if (rb_map_get(root, "rpo_minutes") == NULL &&
	    rb_map_get(root, "rpo_seconds") == NULL &&
	    rb_map_get(root, "rpo_bytes") == NULL)
		rb_problem(ctx, root->line, root->col, "missing an RPO target: "
		    "rpo_minutes, rpo_seconds or rpo_bytes");
}

static void
dr_healthy_name(void *arg, const char *name, size_t off)
{
	struct rb_ctx		*ctx = ((void **)arg)[0];
	const struct rb_str	*h = ((void **)arg)[1];
	char			 w[40];

	(void)off;
	snprintf(w, sizeof w, " %.32s ", name);
	if (strstr(drill_var_names, w) == NULL)
		rb_problem(ctx, h->line, h->col, "healthy: unknown figure "
		    "'%.64s' (one of:%s)", name, drill_var_names);
}

static void
dr_healthy(struct rb_ctx *ctx, struct drill *d)
{
	struct error	 err;
	void		*arg[2] = { ctx, &d->healthy };

	if (d->healthy.s == NULL)
		return;
	if ((d->healthy_c = cond_parse(d->healthy.s, &err, NULL)) == NULL) {
		rb_problem(ctx, d->healthy.line, d->healthy.col, "healthy: %s",
		    err.msg);
		return;
	}
	if (cond_names(d->healthy_c, dr_healthy_name, arg) == 0)
		rb_problem(ctx, d->healthy.line, d->healthy.col, "healthy: "
		    "names no figure ({{alerts.critical}} == 0, ...)");
}

static void
dr_required(struct rb_ctx *ctx, const struct rb_node *root)
{
	static const char *const keys[] = { "id", "title", "type",
	    "scenario", "rto_minutes", "inject", "runbook", "healthy",
	    "phases", NULL };
	int	i;

	for (i = 0; keys[i] != NULL; i++)
		rb_require(ctx, root, "drill", keys[i]);
}

static void
dr_build(struct rb_ctx *ctx, const struct rb_node *root, struct drill *d)
{
	long long	v;

	rb_map_keys(ctx, root, "drill", DR_TOP_KEYS);
	dr_required(ctx, root);
	rb_get_str(ctx, root, "id", &d->id);
	if (d->id.s != NULL && !dr_word_ok(d->id.s))
		rb_problem(ctx, d->id.line, d->id.col, "id must be a word "
		    "(letters, digits, _ and -)");
	rb_get_str(ctx, root, "title", &d->title);
	dr_type(ctx, root, d);
	rb_get_str(ctx, root, "scenario", &d->scenario);
	if (dr_int(ctx, root, "rto_minutes", 1, 525600, &v) > 0)
		d->rto_min = (int)v;
	dr_rpo(ctx, root, d);
	dr_list(ctx, root, "success_criteria", &d->criteria, &d->ncriteria);
	dr_list(ctx, root, "pre_drill", &d->pre, &d->npre);
	dr_ref(ctx, root, "inject", &d->inject, 0);
	rb_get_str(ctx, root, "runbook", &d->runbook);
	if (d->runbook.s != NULL && !dr_word_ok(d->runbook.s))
		rb_problem(ctx, d->runbook.line, d->runbook.col, "runbook: "
		    "'%.64s' is not a runbook id", d->runbook.s);
	dr_ref(ctx, root, "rpo_at", &d->rpo_at, 1);
	rb_get_str(ctx, root, "healthy", &d->healthy);
	dr_healthy(ctx, d);
	dr_phases(ctx, root, d);
	dr_list(ctx, root, "post_drill", &d->post, &d->npost);
	dr_list(ctx, root, "signoff", &d->signoff, &d->nsignoff);
}

struct drill *
drill_parse(const char *buf, size_t len, const char *name,
    struct rb_diags *diags)
{
	struct rb_diags	 mine;
	struct rb_ctx	 ctx;
	struct rb_node	*root;
	struct drill	*d;
	int		 first;

	rb_diags_init(&mine);
	ctx.file = name;
	ctx.diags = diags != NULL ? diags : &mine;
	ctx.problems = 0;
	first = ctx.diags->n;
	if ((root = rb_yaml_load(&ctx, buf, len)) == NULL) {
		rb_diags_free(&mine);
		return (NULL);
	}
	d = xcalloc(1, sizeof *d);
	d->path = xstrdup(name);
	dr_build(&ctx, root, d);
	rb_node_free(root);
	d->nproblems = ctx.problems;
	if (ctx.problems > 0 && ctx.diags->n > first) {
		char	line[1024];

		rb_diag_format(&ctx.diags->v[first], line, sizeof line);
		d->first_problem = xstrdup(line);
	}
	rb_diags_free(&mine);
	return (d);
}

static void
dr_ref_free(struct drill_ref *r)
{
	rb_str_free(&r->runbook);
	rb_strs_free(r->steps, r->nsteps);
	rb_str_free(&r->standby);
}

void
drill_free(struct drill *d)
{
	int	i;

	if (d == NULL)
		return;
	free(d->path);
	rb_str_free(&d->id);
	rb_str_free(&d->title);
	rb_str_free(&d->scenario);
	rb_strs_free(d->criteria, d->ncriteria);
	rb_strs_free(d->pre, d->npre);
	dr_ref_free(&d->inject);
	rb_str_free(&d->runbook);
	dr_ref_free(&d->rpo_at);
	rb_str_free(&d->healthy);
	cond_free(d->healthy_c);
	for (i = 0; i < d->nphases; i++) {
		rb_str_free(&d->phases[i].id);
		rb_str_free(&d->phases[i].title);
		rb_strs_free(d->phases[i].checklist, d->phases[i].nchecklist);
	}
	free(d->phases);
	rb_strs_free(d->post, d->npost);
	rb_strs_free(d->signoff, d->nsignoff);
	free(d->first_problem);
	free(d);
}
