/* engine.c: a run of a runbook (see engine.h): parameters and variables,
 * the cursor, and what the operator does to a step (confirm, skip, done,
 * choose, note).  Running requests and waits is engine_run.c; rendering
 * engine_render.c; events, captures and redaction engine_event.c. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "action.h"
#include "condition.h"
#include "engine_int.h"
#include "xmalloc.h"

static int64_t
eng_default_clock(void *arg)
{
	return (mono_ms());
}

int64_t
eng_now(const struct engine *e)
{
	return (e->clock(e->clock_arg));
}

static int
eng_incident_ok(const char *s)
{
	int	i;

	if (s == NULL || strlen(s) != 17 || strncmp(s, "INC-", 4) != 0 ||
	    s[12] != '-')
		return (0);
	for (i = 4; i < 17; i++)
		if (i != 12 && !isdigit((unsigned char)s[i]))
			return (0);
	return (1);
}

struct engine *
engine_new(const struct runbook *rb, struct actions *actions,
    const struct engine_opts *o, struct error *err)
{
	struct engine	*e;

	if (rb->nproblems > 0) {
		error_set(err, "runbook %s failed lint: %s", rb->id.s ?
		    rb->id.s : rb->path, rb->first_problem ? rb->first_problem :
		    "problems");
		return (NULL);
	}
	if (!eng_incident_ok(o->incident)) {
		error_set(err, "incident id must look like INC-20261121-0007");
		return (NULL);
	}
	if (actions == NULL && !o->dry_run) {
		error_set(err, "no executors (actions) to run with");
		return (NULL);
	}
	e = xcalloc(1, sizeof *e);
	e->rb = rb;
	e->actions = actions;
	e->incident = xstrdup(o->incident);
	e->env_name = xstrdup(o->env_name ? o->env_name : "default");
	e->operator = xstrdup(o->operator ? o->operator : "sitrep");
	e->production = o->production;
	e->read_only = o->read_only;
	e->dry_run = o->dry_run;
	e->clock = o->clock ? o->clock : eng_default_clock;
	e->clock_arg = o->clock_arg;
	e->st = xcalloc(rb->nsteps, sizeof *e->st);
	return (e);
}

void
engine_free(struct engine *e)
{
	int	i;

	if (e == NULL)
		return;
	for (i = 0; i < e->rb->nsteps; i++) {
		struct eng_step	*st = &e->st[i];

		if (st->tok != NULL) {
			actions_forget(e->actions, st->tok->id);
			free(st->tok);
		}
		free(st->reason);
		free(st->output);
		free(st->wait_value);
	}
	free(e->st);
	for (i = 0; i < e->nvals; i++) {
		free(e->vals[i].name);
		free(e->vals[i].value);
	}
	free(e->vals);
	eng_events_free(e);
	free(e->scratch);
	free(e->incident);
	free(e->env_name);
	free(e->operator);
	free(e);
}

/* Values ----------------------------------------------------------------- */

const struct eng_value *
eng_value(const struct engine *e, const char *name)
{
	int	i;

	for (i = 0; i < e->nvals; i++)
		if (strcmp(e->vals[i].name, name) == 0)
			return (&e->vals[i]);
	return (NULL);
}

const char *
eng_lookup(struct engine *e, const char *name)
{
	const struct eng_value	*v;

	if (strcmp(name, "incident") == 0)
		return (e->incident);
	if (strcmp(name, "env") == 0)
		return (e->env_name);
	if (strcmp(name, "runbook") == 0)
		return (e->rb->id.s);
	if (strcmp(name, "title") == 0)
		return (e->rb->title.s);
	if (strcmp(name, "severity") == 0)
		return (rb_severity_name(e->rb->severity));
	v = eng_value(e, name);
	return (v != NULL ? v->value : NULL);
}

void
eng_set(struct engine *e, const char *name, const char *value, int secret)
{
	struct eng_value	*v = (struct eng_value *)eng_value(e, name);

	if (v == NULL) {
		e->vals = xreallocarray(e->vals, e->nvals + 1, sizeof *e->vals);
		v = &e->vals[e->nvals++];
		v->name = xstrdup(name);
		v->value = NULL;
	}
	free(v->value);
	v->value = xstrdup(value);
	v->secret = secret;
}

const char *
engine_value_display(const struct engine *e, const char *name)
{
	const struct eng_value	*v = eng_value(e, name);

	if (v != NULL && v->secret)
		return ("[redacted]");
	return (eng_lookup((struct engine *)e, name));
}

static void
eng_param_event(struct engine *e, const struct rb_param *p,
    const char *value, const char *reason)
{
	struct engine_event	ev;

	eng_ev_step(e, &ev, EV_PARAM_SET, -1);
	ev.param = p->name.s;
	ev.secret = p->secret;
	ev.value = p->secret ? "[redacted]" : value;
	ev.reason = reason;
	eng_emit(e, &ev);
}

static int
eng_param(struct engine *e, const struct rb_param *p, const char *value,
    const char *reason, struct error *err)
{
	char	why[256];

	if (rb_param_check(p, value, why, sizeof why) != 0) {
		error_set(err, "%s", why);
		return (-1);
	}
	eng_set(e, p->name.s, value, p->secret);
	eng_param_event(e, p, value, reason);
	return (0);
}

int
engine_set_param(struct engine *e, const char *name, const char *value,
    struct error *err)
{
	const struct rb_param	*p = runbook_param(e->rb, name);

	if (p == NULL) {
		error_set(err, "no parameter %s in runbook %s", name,
		    e->rb->id.s);
		return (-1);
	}
	return (eng_param(e, p, value, "operator", err));
}

void
engine_prefill(struct engine *e, const char *const *labels, int n)
{
	struct error	 err;
	const char	*label;
	size_t		 len;
	int		 i, j;

	for (i = 0; i < e->rb->nparams; i++) {
		const struct rb_param	*p = &e->rb->params[i];

		if (p->from.s == NULL || strncmp(p->from.s, "alert.labels.",
		    13) != 0 || eng_value(e, p->name.s) != NULL)
			continue;
		label = p->from.s + 13;
		len = strlen(label);
		for (j = 0; j < n; j++)
			if (strncmp(labels[j], label, len) == 0 &&
			    labels[j][len] == '=' && eng_param(e, p,
			    labels[j] + len + 1, "alert label", &err) == 0)
				break;
	}
}

int
engine_begin(struct engine *e, struct error *err)
{
	struct engine_event	ev;
	int			i;

	if (e->began)
		return (0);
	for (i = 0; i < e->rb->nparams; i++) {
		const struct rb_param	*p = &e->rb->params[i];

		if (eng_value(e, p->name.s) != NULL)
			continue;
		if (p->def.s != NULL && eng_param(e, p, p->def.s, "default",
		    err) != 0)
			return (-1);
		if (p->def.s == NULL && p->required && (p->from.s == NULL ||
		    strncmp(p->from.s, "step.", 5) != 0)) {
			error_set(err, "parameter %s is required", p->name.s);
			return (-1);
		}
	}
	e->began = 1;
	eng_ev_step(e, &ev, EV_RUN_BEGIN, -1);
	eng_emit(e, &ev);
	return (0);
}

/* Steps ------------------------------------------------------------------ */

void
eng_set_reason(struct engine *e, int i, const char *reason)
{
	free(e->st[i].reason);
	e->st[i].reason = reason != NULL ? xstrdup(reason) : NULL;
}

void
eng_state(struct engine *e, int i, enum engine_step_state state,
    const char *reason)
{
	struct engine_event	ev;
	enum engine_ev		type;

	e->st[i].state = state;
	eng_set_reason(e, i, reason);
	if (state == STEP_SHOWN)
		type = EV_STEP_SHOWN;
	else if (state == STEP_SKIPPED)
		type = EV_STEP_SKIPPED;
	else if (state == STEP_CANCELLED)
		type = EV_STEP_CANCELLED;
	else
		return;
	eng_ev_step(e, &ev, type, i);
	ev.reason = reason;
	eng_emit(e, &ev);
}

static const char *
eng_cond_lookup(void *arg, const char *name)
{
	return (eng_lookup(arg, name));
}

/* Move the cursor to target from step `from` (a goto or next). */
static void
eng_jump(struct engine *e, int from, int target)
{
	char	reason[160];
	int	k;

	if (target > from) {
		snprintf(reason, sizeof reason, "not on the path taken (to "
		    "%.64s)", e->rb->steps[target].id.s);
		for (k = from + 1; k < target; k++)
			if (e->st[k].state == STEP_PENDING ||
			    e->st[k].state == STEP_SHOWN)
				eng_state(e, k, STEP_SKIPPED, reason);
	} else {
		for (k = target; k < e->rb->nsteps; k++) {
			if (e->st[k].tok != NULL)
				continue;
			e->st[k].state = STEP_PENDING;
			e->st[k].confirmed = 0;
			e->st[k].waiting = 0;
			eng_set_reason(e, k, NULL);
		}
	}
	e->cursor = target;
	e->ended = 0;
}

void
eng_advance(struct engine *e, int i)
{
	const struct rb_step	*s = &e->rb->steps[i];
	int			 t;

	if (i != e->cursor)
		return;
	if (s->next.s != NULL && (t = runbook_step_index(e->rb,
	    s->next.s)) >= 0)
		eng_jump(e, i, t);
	else
		e->cursor = i + 1;
}

/* A pending step reached by the cursor: skip it (`when` false) or show
 * it.  Returns 1 when shown. */
static int
eng_arrive(struct engine *e, int i)
{
	const struct rb_step	*s = &e->rb->steps[i];
	struct error		 err;
	char			 reason[400];
	int			 rc;

	if (s->when_c == NULL) {
		eng_state(e, i, STEP_SHOWN, NULL);
		return (1);
	}
	rc = cond_eval(s->when_c, eng_cond_lookup, e, &err);
	if (rc == 1) {
		eng_state(e, i, STEP_SHOWN, NULL);
		return (1);
	}
	if (rc == 0)
		snprintf(reason, sizeof reason, "when: %s is false", s->when.s);
	else
		snprintf(reason, sizeof reason, "when: %s", err.msg);
	eng_state(e, i, STEP_SKIPPED, reason);
	e->cursor = i + 1;
	return (0);
}

const char *
engine_incident(const struct engine *e)
{
	return (e->incident);
}

int
engine_current(struct engine *e)
{
	struct engine_event	ev;

	if (!e->began)
		return (-1);
	while (e->cursor < e->rb->nsteps) {
		int	i = e->cursor;

		if (e->st[i].state == STEP_PENDING) {
			if (eng_arrive(e, i))
				return (i);
			continue;
		}
		if (e->st[i].state == STEP_SKIPPED ||
		    e->st[i].state == STEP_OK) {
			e->cursor++;
			continue;
		}
		return (i);
	}
	if (!e->ended) {
		e->ended = 1;
		eng_ev_step(e, &ev, EV_RUN_END, -1);
		eng_emit(e, &ev);
	}
	return (-1);
}

int
engine_done(const struct engine *e)
{
	return (e->began && e->cursor >= e->rb->nsteps);
}

enum engine_step_state
engine_step_state(const struct engine *e, int i)
{
	return (i >= 0 && i < e->rb->nsteps ? e->st[i].state : STEP_PENDING);
}

const char *
engine_state_name(enum engine_step_state s)
{
	static const char *const names[] = { "pending", "shown", "running",
	    "ok", "failed", "skipped", "cancelled" };

	return ((unsigned)s < 7 ? names[s] : "?");
}

const char *
engine_step_reason(const struct engine *e, int i)
{
	return (i >= 0 && i < e->rb->nsteps ? e->st[i].reason : NULL);
}

int64_t
engine_step_duration_ms(const struct engine *e, int i)
{
	if (i < 0 || i >= e->rb->nsteps)
		return (0);
	if (e->st[i].state == STEP_RUNNING)
		return (eng_now(e) - e->st[i].started);
	return (e->st[i].duration);
}

const char *
engine_step_output(struct engine *e, int i, size_t *len)
{
	struct eng_step	*st;

	*len = 0;
	if (i < 0 || i >= e->rb->nsteps || e->st[i].output == NULL)
		return (NULL);
	st = &e->st[i];
	free(e->scratch);
	e->scratch = eng_redact(e, st->output, st->outlen, len);
	return (e->scratch);
}

/* What the operator does ------------------------------------------------- */

/* The step the operator may act on now: the current one. */
int
eng_current_check(struct engine *e, int i, struct error *err)
{
	if (!e->began) {
		error_set(err, "the run has not begun (parameters first)");
		return (-1);
	}
	if (i < 0 || i >= e->rb->nsteps || engine_current(e) != i) {
		error_set(err, "step %d is not the current step", i);
		return (-1);
	}
	return (0);
}

int
engine_skip(struct engine *e, int i, const char *reason, struct error *err)
{
	if (eng_current_check(e, i, err) != 0)
		return (-1);
	if (e->st[i].tok != NULL) {
		error_set(err, "the step is running: cancel it first");
		return (-1);
	}
	if (reason == NULL || *reason == '\0') {
		error_set(err, "a reason is needed to skip a step");
		return (-1);
	}
	eng_state(e, i, STEP_SKIPPED, reason);
	eng_advance(e, i);
	return (0);
}

int
engine_manual_done(struct engine *e, int i, struct error *err)
{
	struct engine_event	ev;

	if (eng_current_check(e, i, err) != 0)
		return (-1);
	if (e->rb->steps[i].kind != RB_STEP_MANUAL) {
		error_set(err, "only a manual step is marked done");
		return (-1);
	}
	e->st[i].state = STEP_OK;
	eng_set_reason(e, i, NULL);
	eng_ev_step(e, &ev, EV_STEP_FINISHED, i);
	ev.ok = 1;
	ev.summary = "done by the operator";
	eng_emit(e, &ev);
	eng_advance(e, i);
	return (0);
}

int
engine_mark_done(struct engine *e, int i, int ok, const char *summary,
    struct error *err)
{
	struct engine_event	ev;

	if (eng_current_check(e, i, err) != 0)
		return (-1);
	if (e->rb->steps[i].kind == RB_STEP_CHOICE) {
		error_set(err, "a choice step is chosen again, not restored");
		return (-1);
	}
	e->st[i].state = ok ? STEP_OK : STEP_FAILED;
	eng_set_reason(e, i, ok ? NULL : summary);
	eng_ev_step(e, &ev, EV_STEP_FINISHED, i);
	ev.ok = ok;
	ev.exit_status = ok ? 0 : 1;
	ev.summary = summary;
	eng_emit(e, &ev);
	if (ok)
		eng_advance(e, i);
	return (0);
}

int
engine_choose(struct engine *e, int i, int option, struct error *err)
{
	const struct rb_step	*s = &e->rb->steps[i];
	const struct rb_option	*o;
	struct engine_event	 ev;
	char			 effect[200];
	int			 t = -1;

	if (eng_current_check(e, i, err) != 0)
		return (-1);
	if (s->kind != RB_STEP_CHOICE || option < 0 || option >= s->noptions) {
		error_set(err, "no option %d", option);
		return (-1);
	}
	o = &s->options[option];
	effect[0] = '\0';
	if (o->value.s != NULL) {
		eng_set(e, s->var.s, o->value.s, 0);
		snprintf(effect, sizeof effect, "%s = %s", s->var.s,
		    o->value.s);
		eng_ev_step(e, &ev, EV_VAR_SET, i);
		ev.param = s->var.s;
		ev.value = o->value.s;
		eng_emit(e, &ev);
	} else if (o->go.s != NULL) {
		t = runbook_step_index(e->rb, o->go.s);
		snprintf(effect, sizeof effect, "goto %s", o->go.s);
	}
	e->st[i].state = STEP_OK;
	eng_ev_step(e, &ev, EV_CHOICE, i);
	ev.value = o->label.s;
	ev.reason = effect;
	eng_emit(e, &ev);
	if (t >= 0)
		eng_jump(e, i, t);
	else
		eng_advance(e, i);
	return (0);
}

void
engine_note(struct engine *e, int i, const char *text)
{
	struct engine_event	ev;
	char			*red;

	if (i >= e->rb->nsteps)
		i = -1;
	red = eng_redact(e, text, strlen(text), NULL);
	eng_ev_step(e, &ev, EV_NOTE, i);
	ev.note = red;
	eng_emit(e, &ev);
	free(red);
}
