/* drill_vars.c: the live figures a drill's healthy: condition reads,
 * computed from the store's newest snapshots (in memory, on the UI
 * thread).  A snapshot kind that has no data leaves its figures unset, so
 * a condition naming them is an error (never silently true). */
#include <stdio.h>
#include <string.h>

#include "drill.h"
#include "snapshot.h"

const char drill_var_names[] = " pg.primary_up pg.writable "
    "replication.lag_bytes replication.lag_s replication.streaming "
    "alerts.firing alerts.critical pods.not_ready deploys.down "
    "deploys.unavailable outbox.pending outbox.failed circuits.open "
    "redis.down ";

static void
dv_set(struct drill_vars *v, const char *name, long long value)
{
	if (v->n >= DRILL_NVARS)
		return;
	snprintf(v->name[v->n], sizeof v->name[0], "%s", name);
	snprintf(v->value[v->n], sizeof v->value[0], "%lld", value);
	v->n++;
}

static void
dv_repl(struct drill_vars *v, const struct repl_data *r)
{
	long long	lag_b = 0, lag_s = 0, streaming = 0;
	int		i, up = 0, writable = 0;

	for (i = 0; i < r->nservers; i++)
		if (strcmp(r->servers[i].role, "primary") == 0) {
			up = 1;
			writable |= r->servers[i].error[0] == '\0';
		}
	if (r->nservers == 0)
		up = writable = strcmp(r->role, "primary") == 0;
	for (i = 0; i < r->nstandbys; i++) {
		const struct standby	*s = &r->standbys[i];

		if (strcmp(s->state, "streaming") == 0)
			streaming++;
		if (s->total_bytes > lag_b)
			lag_b = s->total_bytes;
		if (s->replay_lag_s > (double)lag_s)
			lag_s = (long long)(s->replay_lag_s + 0.5);
	}
	dv_set(v, "pg.primary_up", up);
	dv_set(v, "pg.writable", writable);
	dv_set(v, "replication.lag_bytes", lag_b);
	dv_set(v, "replication.lag_s", lag_s);
	dv_set(v, "replication.streaming", streaming);
}

static void
dv_alerts(struct drill_vars *v, const struct alerts_data *a)
{
	long long	firing = 0, crit = 0;
	int		i;

	for (i = 0; i < a->n; i++) {
		if (a->rows[i].state != ALERT_ACTIVE)
			continue;
		firing++;
		crit += alert_severity_rank(a->rows[i].severity) == 2;
	}
	dv_set(v, "alerts.firing", firing);
	dv_set(v, "alerts.critical", crit);
}

static void
dv_pods(struct drill_vars *v, const struct pods_data *p)
{
	long long	not_ready = 0, down = 0, unavail = 0;
	int		i;

	for (i = 0; i < p->npods; i++)
		not_ready += p->pods[i].ready < p->pods[i].total;
	for (i = 0; i < p->ndeploys; i++) {
		down += p->deploys[i].available == 0;
		if (p->deploys[i].desired > p->deploys[i].available)
			unavail += p->deploys[i].desired -
			    p->deploys[i].available;
	}
	dv_set(v, "pods.not_ready", not_ready);
	dv_set(v, "deploys.down", down);
	dv_set(v, "deploys.unavailable", unavail);
}

static void
dv_outbox(struct drill_vars *v, const struct outbox_data *o)
{
	long long	pending = 0, failed = 0;
	int		i;

	for (i = 0; i < o->n; i++) {
		if (o->rows[i].pending > 0)
			pending += o->rows[i].pending;
		if (o->rows[i].failed > 0)
			failed += o->rows[i].failed;
	}
	dv_set(v, "outbox.pending", pending);
	dv_set(v, "outbox.failed", failed);
}

static void
dv_circuits(struct drill_vars *v, const struct circuits_data *c)
{
	long long	open = 0;
	int		i;

	for (i = 0; i < c->n; i++)
		open += c->rows[i].state != CIRCUIT_CLOSED;
	dv_set(v, "circuits.open", open);
}

static void
dv_redis(struct drill_vars *v, const struct redis_data *r)
{
	long long	down = 0;
	int		i;

	for (i = 0; i < r->n; i++)
		down += r->nodes[i].error[0] != '\0' ||
		    strcmp(r->nodes[i].link_status, "down") == 0;
	dv_set(v, "redis.down", down);
}

void
drill_vars_fill(struct drill_vars *v, struct snapshot *const snaps[])
{
	memset(v, 0, sizeof *v);
	if (snaps[SNAP_REPLICATION] != NULL)
		dv_repl(v, &snaps[SNAP_REPLICATION]->u.repl);
	if (snaps[SNAP_ALERTS] != NULL)
		dv_alerts(v, &snaps[SNAP_ALERTS]->u.alerts);
	if (snaps[SNAP_PODS] != NULL)
		dv_pods(v, &snaps[SNAP_PODS]->u.pods);
	if (snaps[SNAP_OUTBOX] != NULL)
		dv_outbox(v, &snaps[SNAP_OUTBOX]->u.outbox);
	if (snaps[SNAP_CIRCUITS] != NULL)
		dv_circuits(v, &snaps[SNAP_CIRCUITS]->u.circuits);
	if (snaps[SNAP_REDIS] != NULL)
		dv_redis(v, &snaps[SNAP_REDIS]->u.redis);
}

const char *
drill_vars_lookup(void *arg, const char *name)
{
	const struct drill_vars	*v = arg;
	int			 i;

	for (i = 0; i < v->n; i++)
		if (strcmp(v->name[i], name) == 0)
			return (v->value[i]);
	return (NULL);
}
