/* drill_run.c: the drill's state machine and its records: the operator's
 * moves (start, checklists, declare, phase done, observations, end), the
 * moments the engine events mark (the injection, the RPO step, the
 * response runbook's progress) and what the snapshots say (the standbys'
 * positions, the healthy: condition).  Each change is recorded before it
 * is made.  Numbers in records are integers (the trail's canonical form):
 * times and lags in ms. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "condition.h"
#include "drill_int.h"
#include "engine.h"
#include "snapshot.h"
#include "xmalloc.h"

static const char *const dr_stage_names[] = {
	"pre-drill", "injected", "outage", "recovered", "ended"
};

const char *
drill_stage_name(enum drill_stage s)
{
	return (dr_stage_names[s]);
}

int64_t
dr_now(const struct drill_run *r)
{
	return (r->o.clock != NULL ? r->o.clock(r->o.clock_arg) : now_ms());
}

struct drill_run *
drill_run_new(const struct drill_run_opts *o)
{
	struct drill_run	*r = xcalloc(1, sizeof *r);

	r->o = *o;
	r->d = o->drill;
	snprintf(r->incident, sizeof r->incident, "%s", o->incident);
	r->rto_ms = -1;
	r->outbox_now = r->outbox_at_inject = -1;
	r->rpo.outbox_pending = -1;
	return (r);
}

void
drill_run_free(struct drill_run *r)
{
	free(r);
}

/* Records ----------------------------------------------------------------- */

cJSON *
dr_data(const struct drill_run *r, int64_t at)
{
	cJSON	*j = cJSON_CreateObject();

	cJSON_AddStringToObject(j, "drill", r->d->id.s ? r->d->id.s : "");
	cJSON_AddNumberToObject(j, "at_ms", (double)at);
	return (j);
}

void
dr_num(cJSON *j, const char *k, int64_t v)
{
	cJSON_AddNumberToObject(j, k, (double)v);
}

int
dr_record(struct drill_run *r, const char *type, cJSON *data,
    struct error *err)
{
	struct error	mine;

	if (err == NULL)
		err = &mine;
	err->msg[0] = '\0';
	if (r->o.record == NULL) {
		cJSON_Delete(data);
		return (0);
	}
	if (r->o.record(r->o.record_arg, type, r->incident, data, err) != 0) {
		if (err->msg[0] == '\0')
			error_set(err, "%s could not be recorded", type);
		snprintf(r->last_error, sizeof r->last_error, "%.48s: %s", type,
		    err->msg);
		return (-1);
	}
	return (0);
}

static cJSON *
dr_strs(const struct rb_str *v, int n)
{
	cJSON	*a = cJSON_CreateArray();
	int	 i;

	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v[i].s));
	return (a);
}

void
dr_str(cJSON *j, const char *k, const char *s)
{
	if (s != NULL)
		cJSON_AddStringToObject(j, k, s);
}

/* The definition as run: the report needs nothing but the trail. */
static cJSON *
dr_definition(const struct drill *d, cJSON *j)
{
	cJSON	*ph = cJSON_CreateArray(), *p;
	int	 i;

	dr_str(j, "title", d->title.s);
	dr_str(j, "type", drill_type_name(d->type));
	dr_str(j, "scenario", d->scenario.s);
	dr_num(j, "rto_minutes", d->rto_min);
	dr_num(j, "rpo_seconds", d->rpo_s);
	dr_num(j, "rpo_bytes", d->rpo_bytes);
	cJSON_AddItemToObject(j, "success_criteria", dr_strs(d->criteria,
	    d->ncriteria));
	cJSON_AddItemToObject(j, "pre_drill", dr_strs(d->pre, d->npre));
	dr_str(j, "inject_runbook", d->inject.runbook.s);
	dr_str(j, "runbook", d->runbook.s);
	dr_str(j, "rpo_at", d->rpo_at.runbook.s);
	dr_str(j, "healthy", d->healthy.s);
	for (i = 0; i < d->nphases; i++) {
		p = cJSON_CreateObject();
		dr_str(p, "id", d->phases[i].id.s);
		dr_str(p, "title", d->phases[i].title.s);
		dr_num(p, "target_minutes", d->phases[i].target_min);
		cJSON_AddItemToObject(p, "checklist", dr_strs(
		    d->phases[i].checklist, d->phases[i].nchecklist));
		cJSON_AddItemToArray(ph, p);
	}
	cJSON_AddItemToObject(j, "phases", ph);
	cJSON_AddItemToObject(j, "post_drill", dr_strs(d->post, d->npost));
	cJSON_AddItemToObject(j, "signoff", dr_strs(d->signoff, d->nsignoff));
	dr_str(j, "file", d->path);
	if (d->sha256[0] != '\0')
		dr_str(j, "sha256", d->sha256);
	return (j);
}

/* The operator ------------------------------------------------------------ */

int
drill_run_start(struct drill_run *r, struct error *err)
{
	int64_t	now = dr_now(r);

	if (r->started_ms != 0) {
		error_set(err, "the drill has started");
		return (-1);
	}
	if (dr_record(r, "drill_start", dr_definition(r->d, dr_data(r, now)),
	    err) != 0)
		return (-1);
	r->started_ms = now;
	r->stage = DRILL_PRE;
	return (0);
}

static int
dr_live(const struct drill_run *r, struct error *err)
{
	if (r->started_ms == 0 || r->stage == DRILL_ENDED) {
		error_set(err, "the drill %s", r->started_ms == 0 ?
		    "has not started" : "has ended");
		return (-1);
	}
	return (0);
}

int
drill_run_check(struct drill_run *r, int list, int item, struct error *err)
{
	const struct rb_str	*items;
	unsigned char		*state;
	cJSON			*j;
	int			 n;

	if (dr_live(r, err) != 0)
		return (-1);
	if (list < 0) {
		items = r->d->pre;
		n = r->d->npre;
		state = r->pre;
	} else if (list < r->d->nphases) {
		items = r->d->phases[list].checklist;
		n = r->d->phases[list].nchecklist;
		state = r->ph[list].checked;
	} else {
		error_set(err, "no such checklist");
		return (-1);
	}
	if (item < 0 || item >= n || item >= DRILL_MAX_ITEMS) {
		error_set(err, "no such checklist item");
		return (-1);
	}
	j = dr_data(r, dr_now(r));
	dr_str(j, "list", list < 0 ? "pre" : r->d->phases[list].id.s);
	dr_num(j, "item", item);
	dr_str(j, "text", items[item].s);
	cJSON_AddBoolToObject(j, "done", !state[item]);
	if (dr_record(r, "drill_checklist", j, err) != 0)
		return (-1);
	state[item] = !state[item];
	return (0);
}

void
dr_injected(struct drill_run *r, const char *how, const char *step,
    int64_t at)
{
	r->stage = DRILL_INJECTED;
	r->injected_ms = at;
	snprintf(r->inject_how, sizeof r->inject_how, "%s", how);
	snprintf(r->inject_step, sizeof r->inject_step, "%s", step);
	r->phase = 0;
	if (r->d->nphases > 0)
		r->ph[0].start_ms = at;
}

int
drill_run_declare(struct drill_run *r, const char *text, struct error *err)
{
	int64_t	 now = dr_now(r);
	cJSON	*j;

	if (dr_live(r, err) != 0)
		return (-1);
	if (r->stage != DRILL_PRE) {
		error_set(err, "the failure was already %s", r->inject_how);
		return (-1);
	}
	j = dr_data(r, now);
	dr_str(j, "text", text);
	dr_num(j, "outbox_pending", r->outbox_now);
	if (dr_record(r, "drill_declared", j, err) != 0)
		return (-1);
	r->outbox_at_inject = r->outbox_now;
	dr_injected(r, "declared", "", now);
	return (0);
}

int
drill_run_phase_done(struct drill_run *r, struct error *err)
{
	struct drill_phase_state	*ps;
	const struct drill_phase	*p;
	int64_t				 now = dr_now(r), actual;
	cJSON				*j, *c;
	int				 i, pass;

	if (dr_live(r, err) != 0)
		return (-1);
	if (r->stage == DRILL_PRE) {
		error_set(err, "inject (i) or declare (D) the failure first: "
		    "the phases are timed from it");
		return (-1);
	}
	if (r->phase >= r->d->nphases) {
		error_set(err, "every phase is done");
		return (-1);
	}
	p = &r->d->phases[r->phase];
	ps = &r->ph[r->phase];
	actual = now - ps->start_ms;
	pass = actual <= (int64_t)p->target_min * 60000;
	j = dr_data(r, now);
	dr_str(j, "phase", p->id.s);
	dr_num(j, "index", r->phase);
	dr_str(j, "title", p->title.s);
	dr_num(j, "target_minutes", p->target_min);
	dr_num(j, "start_ms", ps->start_ms);
	dr_num(j, "end_ms", now);
	dr_num(j, "actual_ms", actual);
	cJSON_AddBoolToObject(j, "pass", pass);
	c = cJSON_AddArrayToObject(j, "checked");
	for (i = 0; i < p->nchecklist && i < DRILL_MAX_ITEMS; i++)
		cJSON_AddItemToArray(c, cJSON_CreateBool(ps->checked[i]));
	if (dr_record(r, "drill_phase", j, err) != 0)
		return (-1);
	ps->end_ms = now;
	ps->done = 1;
	ps->pass = pass;
	if (++r->phase < r->d->nphases)
		r->ph[r->phase].start_ms = now;
	return (0);
}

int
drill_run_observe(struct drill_run *r, const char *kind, const char *text,
    const char *owner, const char *due, const char *priority,
    struct error *err)
{
	cJSON	*j;

	if (dr_live(r, err) != 0)
		return (-1);
	if (kind == NULL || (strcmp(kind, "went-well") != 0 &&
	    strcmp(kind, "went-wrong") != 0 && strcmp(kind, "action") != 0)) {
		error_set(err, "the kind is went-well, went-wrong or action");
		return (-1);
	}
	if (text == NULL || *text == '\0') {
		error_set(err, "an observation needs a text");
		return (-1);
	}
	j = dr_data(r, dr_now(r));
	dr_str(j, "kind", kind);
	dr_str(j, "text", text);
	if (strcmp(kind, "action") == 0) {
		dr_str(j, "owner", owner ? owner : "");
		dr_str(j, "due", due ? due : "");
		dr_str(j, "priority", priority ? priority : "");
	}
	if (dr_record(r, "drill_observation", j, err) != 0)
		return (-1);
	r->nobs++;
	return (0);
}

int
drill_run_end(struct drill_run *r, const char *reason, struct error *err)
{
	int64_t	 now = dr_now(r);
	cJSON	*j;

	if (dr_live(r, err) != 0)
		return (-1);
	j = dr_data(r, now);
	dr_str(j, "reason", reason);
	dr_str(j, "stage", drill_stage_name(r->stage));
	dr_num(j, "phases_done", r->phase);
	dr_num(j, "rto_ms", r->rto_ms);
	dr_num(j, "outbox_pending", r->outbox_now);
	if (dr_record(r, "drill_end", j, err) != 0)
		return (-1);
	r->ended_ms = now;
	r->stage = DRILL_ENDED;
	return (0);
}

/* Clocks ------------------------------------------------------------------ */

int64_t
drill_run_phase_elapsed(const struct drill_run *r)
{
	if (r->stage == DRILL_PRE || r->phase >= r->d->nphases ||
	    r->stage == DRILL_ENDED || r->started_ms == 0)
		return (0);
	return (dr_now(r) - r->ph[r->phase].start_ms);
}

int64_t
drill_run_rto(const struct drill_run *r)
{
	if (r->rto_ms >= 0)
		return (r->rto_ms);
	if (r->injected_ms == 0 || r->stage == DRILL_ENDED)
		return (-1);
	return (dr_now(r) - r->injected_ms);
}
