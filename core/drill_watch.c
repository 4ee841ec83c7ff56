/* drill_watch.c: what the drill learns without a key: from the engine
 * events of every run (the injecting step finished OK, the rpo_at step
 * started, the response runbook's progress, the rpo_at run's parameters)
 * and from the store's newest snapshots (each standby as the primary
 * last listed it connected, each server's own replay position, the
 * outbox backlog, and the healthy: condition that ends the RTO). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "condition.h"
#include "drill_int.h"
#include "engine.h"
#include "snapshot.h"

static int
dw_is(const char *a, const char *b)
{
	return (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Engine events ------------------------------------------------------------ */

static void
dw_param(struct drill_run *r, const struct engine_event *ev)
{
	int	i;

	if (ev->param == NULL || ev->value == NULL || ev->secret)
		return;
	for (i = 0; i < r->nparams; i++)
		if (strcmp(r->pname[i], ev->param) == 0)
			break;
	if (i == DRILL_PARAMS)
		return;
	if (i == r->nparams)
		r->nparams++;
	snprintf(r->pname[i], sizeof r->pname[i], "%s", ev->param);
	snprintf(r->pvalue[i], sizeof r->pvalue[i], "%s", ev->value);
}

static int
dw_inject(struct drill_run *r, const struct engine_event *ev)
{
	cJSON	*j = dr_data(r, ev->time_ms);

	dr_str(j, "runbook", ev->runbook_id);
	dr_str(j, "step", ev->step_id);
	dr_str(j, "summary", ev->summary);
	dr_num(j, "outbox_pending", r->outbox_now);
	if (dr_record(r, "drill_inject", j, NULL) != 0)
		return (0);
	r->outbox_at_inject = r->outbox_now;
	dr_injected(r, "inject", ev->step_id, ev->time_ms);
	return (1);
}

/* The promoted server: rpo_at.standby (fixed, or {{param}} of the run),
 * else the standby that had received the most. */
static const char *
dw_standby(const struct drill_run *r)
{
	const char	*s = r->d->rpo_at.standby.s;
	size_t		 n;
	int		 i, best = -1;

	if (s != NULL && strncmp(s, "{{", 2) != 0)
		return (s);
	if (s != NULL && (n = strlen(s)) > 4)
		for (i = 0; i < r->nparams; i++)
			if (strlen(r->pname[i]) == n - 4 &&
			    strncmp(r->pname[i], s + 2, n - 4) == 0)
				return (r->pvalue[i]);
	for (i = 0; i < r->nseen; i++)
		if (best < 0 || r->seen[i].unreceived <
		    r->seen[best].unreceived)
			best = i;
	return (best >= 0 ? r->seen[best].name : NULL);
}

static void
dw_rpo_figures(struct drill_run *r, struct drill_rpo *p)
{
	int	i;

	p->seen_ms = 0;
	p->unreceived_bytes = p->total_bytes = p->unreplayed_bytes = -1;
	p->replay_lag_s = p->unreplayed_lag_s = -1;
	for (i = 0; i < r->nseen; i++)
		if (strcmp(r->seen[i].name, p->standby) == 0) {
			p->seen_ms = r->seen[i].seen_ms;
			snprintf(p->seen_primary, sizeof p->seen_primary,
			    "%s", r->seen[i].primary);
			p->unreceived_bytes = r->seen[i].unreceived;
			p->total_bytes = r->seen[i].total;
			p->replay_lag_s = r->seen[i].lag_s;
		}
	for (i = 0; i < r->nsrv; i++)
		if (strcmp(r->srv[i].name, p->standby) == 0) {
			p->unreplayed_bytes = r->srv[i].unreplayed;
			p->unreplayed_lag_s = r->srv[i].lag_s;
		}
	p->bytes = (p->unreceived_bytes > 0 ? p->unreceived_bytes : 0) +
	    (p->unreplayed_bytes > 0 ? p->unreplayed_bytes : 0);
	if (p->unreceived_bytes < 0 && p->unreplayed_bytes < 0)
		p->bytes = -1;
	p->seconds = p->replay_lag_s >= 0 ? p->replay_lag_s :
	    p->unreplayed_lag_s;
	p->pass = p->bytes >= 0 || p->seconds >= 0;
	if (r->d->rpo_s >= 0)
		p->pass &= p->seconds >= 0 && p->seconds <= (double)r->d->rpo_s;
	if (r->d->rpo_bytes >= 0)
		p->pass &= p->bytes >= 0 && p->bytes <= r->d->rpo_bytes;
}

static int64_t
dw_ms(double s)
{
	return (s < 0 ? -1 : (int64_t)(s * 1000 + 0.5));
}

static int
dw_rpo(struct drill_run *r, const struct engine_event *ev)
{
	struct drill_rpo	 p;
	const char		*sb = dw_standby(r);
	cJSON			*j;

	memset(&p, 0, sizeof p);
	p.at_ms = ev->time_ms;
	snprintf(p.step, sizeof p.step, "%s", ev->step_id);
	snprintf(p.standby, sizeof p.standby, "%s", sb ? sb : "");
	dw_rpo_figures(r, &p);
	p.outbox_pending = r->outbox_now;
	j = dr_data(r, p.at_ms);
	dr_str(j, "runbook", ev->runbook_id);
	dr_str(j, "step", p.step);
	dr_str(j, "standby", p.standby);
	dr_num(j, "bytes", p.bytes);
	dr_num(j, "lag_ms", dw_ms(p.seconds));
	dr_num(j, "unreceived_bytes", p.unreceived_bytes);
	dr_num(j, "total_bytes", p.total_bytes);
	dr_num(j, "replay_lag_ms", dw_ms(p.replay_lag_s));
	dr_num(j, "seen_ms", p.seen_ms);
	dr_str(j, "seen_primary", p.seen_primary);
	dr_num(j, "unreplayed_bytes", p.unreplayed_bytes);
	dr_num(j, "unreplayed_lag_ms", dw_ms(p.unreplayed_lag_s));
	dr_num(j, "outbox_pending", p.outbox_pending);
	dr_num(j, "outbox_pending_at_inject", r->outbox_at_inject);
	cJSON_AddBoolToObject(j, "pass", p.pass);
	if (dr_record(r, "drill_rpo", j, NULL) != 0)
		return (0);
	p.measured = 1;
	r->rpo = p;
	return (1);
}

static int
dw_response(struct drill_run *r, const struct engine_event *ev)
{
	switch (ev->type) {
	case EV_RUN_BEGIN:
		r->resp_runs++;
		r->resp_done = 0;
		r->resp_step[0] = r->resp_title[0] = r->resp_state[0] = '\0';
		return (1);
	case EV_STEP_SHOWN:
	case EV_STEP_STARTED:
	case EV_STEP_FINISHED:
	case EV_STEP_SKIPPED:
		snprintf(r->resp_step, sizeof r->resp_step, "%s",
		    ev->step_id ? ev->step_id : "");
		snprintf(r->resp_title, sizeof r->resp_title, "%s",
		    ev->step_title ? ev->step_title : "");
		snprintf(r->resp_state, sizeof r->resp_state, "%s",
		    ev->type == EV_STEP_SHOWN ? "shown" : ev->type ==
		    EV_STEP_STARTED ? "running" : ev->type == EV_STEP_SKIPPED ?
		    "skipped" : ev->ok ? "ok" : "failed");
		return (1);
	case EV_RUN_END:
		r->resp_done = 1;
		return (1);
	default:
		return (0);
	}
}

int
drill_run_event(struct drill_run *r, const struct engine_event *ev)
{
	const struct drill	*d = r->d;
	int			 changed = 0;

	if (r->started_ms == 0 || r->stage == DRILL_ENDED ||
	    !dw_is(ev->incident, r->incident) || ev->runbook_id == NULL ||
	    ev->dry_run)
		return (0);
	if (dw_is(ev->runbook_id, d->rpo_at.runbook.s) &&
	    ev->type == EV_PARAM_SET)
		dw_param(r, ev);
	if (dw_is(ev->runbook_id, d->inject.runbook.s) &&
	    ev->type == EV_STEP_FINISHED && ev->ok &&
	    r->stage == DRILL_PRE &&
	    drill_ref_has_step(&d->inject, ev->step_id))
		changed |= dw_inject(r, ev);
	if (dw_is(ev->runbook_id, d->rpo_at.runbook.s) &&
	    ev->type == EV_STEP_STARTED && !r->rpo.measured &&
	    drill_ref_has_step(&d->rpo_at, ev->step_id))
		changed |= dw_rpo(r, ev);
	if (dw_is(ev->runbook_id, d->runbook.s))
		changed |= dw_response(r, ev);
	return (changed);
}

/* Snapshots -------------------------------------------------------------- */

/* The slot of a standby (seen) or a server (srv) by name, a new one if
 * there is room, else -1. */
static int
dw_seen_slot(struct drill_run *r, const char *name)
{
	int	i;

	for (i = 0; i < r->nseen; i++)
		if (strcmp(r->seen[i].name, name) == 0)
			return (i);
	return (r->nseen < DRILL_SEEN_MAX ? r->nseen++ : -1);
}

static int
dw_srv_slot(struct drill_run *r, const char *name)
{
	int	i;

	for (i = 0; i < r->nsrv; i++)
		if (strcmp(r->srv[i].name, name) == 0)
			return (i);
	return (r->nsrv < DRILL_SEEN_MAX ? r->nsrv++ : -1);
}

static void
dw_repl(struct drill_run *r, const struct snapshot *s)
{
	const struct repl_data	*rd = &s->u.repl;
	int			 i, k;

	for (i = 0; strcmp(rd->role, "primary") == 0 && i < rd->nstandbys;
	    i++) {
		const struct standby	*sb = &rd->standbys[i];

		if (strcmp(sb->state, "disconnected") == 0 ||
		    (k = dw_seen_slot(r, sb->name)) < 0)
			continue;
		snprintf(r->seen[k].name, sizeof r->seen[k].name, "%s",
		    sb->name);
		snprintf(r->seen[k].primary, sizeof r->seen[k].primary, "%s",
		    rd->server);
		r->seen[k].seen_ms = s->fetched_ms;
		r->seen[k].unreceived = sb->pending_bytes + sb->write_bytes +
		    sb->flush_bytes;
		r->seen[k].total = sb->total_bytes;
		r->seen[k].lag_s = sb->replay_lag_s;
	}
	for (i = 0; i < rd->nservers; i++) {
		const struct pg_server	*sv = &rd->servers[i];

		if ((k = dw_srv_slot(r, sv->name)) < 0)
			continue;
		snprintf(r->srv[k].name, sizeof r->srv[k].name, "%s",
		    sv->name);
		r->srv[k].unreplayed = sv->receive_replay_bytes;
		r->srv[k].lag_s = sv->replay_lag_s;
	}
}

static int
dw_healthy(struct drill_run *r, const struct drill_vars *v)
{
	int64_t	 now = dr_now(r);
	cJSON	*j, *f;
	int	 i;

	j = dr_data(r, now);
	dr_str(j, "condition", r->d->healthy.s);
	dr_str(j, "how", r->inject_how);
	dr_num(j, "injected_ms", r->injected_ms);
	dr_num(j, "outage_ms", r->outage_ms);
	dr_num(j, "healthy_ms", now);
	dr_num(j, "rto_ms", now - r->injected_ms);
	dr_num(j, "target_ms", (int64_t)r->d->rto_min * 60000);
	cJSON_AddBoolToObject(j, "pass", now - r->injected_ms <=
	    (int64_t)r->d->rto_min * 60000);
	dr_num(j, "outbox_pending", r->outbox_now);
	f = cJSON_AddObjectToObject(j, "figures");
	for (i = 0; i < v->n; i++)
		cJSON_AddStringToObject(f, v->name[i], v->value[i]);
	if (dr_record(r, "drill_healthy", j, NULL) != 0)
		return (0);
	r->healthy_ms = now;
	r->rto_ms = now - r->injected_ms;
	r->stage = DRILL_RECOVERED;
	return (1);
}

int
drill_run_snapshots(struct drill_run *r, struct snapshot *const snaps[])
{
	struct drill_vars	 v;
	struct error		 err;
	int			 ok, i;
	int64_t			 pending = 0;

	if (snaps[SNAP_REPLICATION] != NULL)
		dw_repl(r, snaps[SNAP_REPLICATION]);
	if (snaps[SNAP_OUTBOX] != NULL) {
		for (i = 0; i < snaps[SNAP_OUTBOX]->u.outbox.n; i++)
			if (snaps[SNAP_OUTBOX]->u.outbox.rows[i].pending > 0)
				pending += snaps[SNAP_OUTBOX]->u.outbox.rows[i]
				    .pending;
		r->outbox_now = pending;
	}
	if ((r->stage != DRILL_INJECTED && r->stage != DRILL_OUTAGE) ||
	    r->d->healthy_c == NULL)
		return (0);
	drill_vars_fill(&v, snaps);
	if ((ok = cond_eval(r->d->healthy_c, drill_vars_lookup, &v,
	    &err)) < 0)
		return (0);
	if (r->stage == DRILL_INJECTED && ok == 0) {
		r->stage = DRILL_OUTAGE;
		r->outage_ms = dr_now(r);
		return (1);
	}
	if (r->stage == DRILL_OUTAGE && ok == 1)
		return (dw_healthy(r, &v));
	return (0);
}
