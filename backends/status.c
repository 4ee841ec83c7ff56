/* status.c: the figures of `sitrep status`, from the store and the audit
 * trail.  A kind whose source failed or did not answer keeps no figures:
 * it is marked, never shown as fresh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "status.h"
#include "util.h"

static void
status_alerts(const struct alerts_data *d, struct status *st)
{
	const struct alert	*a;
	int			 i;

	for (i = 0; i < d->n; i++) {
		a = &d->rows[i];
		if (a->state == ALERT_SILENCED)
			st->silenced++;
		else if (a->state == ALERT_INHIBITED)
			st->inhibited++;
		else if (alert_severity_rank(a->severity) == 2)
			st->crit++;
		else if (alert_severity_rank(a->severity) == 1)
			st->warn++;
		else
			st->info++;
	}
	strlcpy_(st->k[SNAP_ALERTS].note, d->note, sizeof st->k[0].note);
}

/* Keep the standby lagging most: by seconds, then by bytes. */
static void
status_lag(struct status *st, const char *name, int64_t bytes, double secs)
{
	if (st->worst[0] != '\0' && (secs < st->lag_s ||
	    (secs == st->lag_s && bytes <= st->lag_bytes)))
		return;
	strlcpy_(st->worst, name, sizeof st->worst);
	st->lag_bytes = bytes;
	st->lag_s = secs;
}

/* The primary's view (pg_stat_replication) when it has one, else each
 * standby's own (a primary that is down sees nobody). */
static void
status_repl(const struct repl_data *d, struct status *st)
{
	const struct standby	*sb;
	const struct pg_server	*sv;
	int			 i;

	strlcpy_(st->primary, d->server, sizeof st->primary);
	strlcpy_(st->primary_role, d->role, sizeof st->primary_role);
	for (i = 0; i < d->nservers; i++)
		if (strcmp(d->servers[i].name, d->server) == 0)
			strlcpy_(st->primary_error, d->servers[i].error,
			    sizeof st->primary_error);
	for (i = 0; i < d->nstandbys; i++) {
		sb = &d->standbys[i];
		st->standbys++;
		st->not_streaming += strcmp(sb->state, "streaming") != 0;
		status_lag(st, sb->name, sb->total_bytes, sb->replay_lag_s);
	}
	if (d->nstandbys > 0)
		return;
	for (i = 0; i < d->nservers; i++) {
		sv = &d->servers[i];
		if (strcmp(sv->role, "standby") != 0)
			continue;
		st->standbys++;
		st->not_streaming += strcmp(sv->receiver, "streaming") != 0;
		status_lag(st, sv->name, sv->receive_replay_bytes,
		    sv->replay_lag_s);
	}
}

static void
status_outbox(const struct outbox_data *d, struct status *st)
{
	const struct outbox	*o;
	int			 i;

	st->outboxes = d->n;
	for (i = 0; i < d->n; i++) {
		o = &d->rows[i];
		st->unreadable += o->error[0] != '\0' || o->pending < 0;
		st->pending += o->pending > 0 ? o->pending : 0;
		st->failed += o->failed > 0 ? o->failed : 0;
		if (o->oldest_age_s > st->oldest_s)
			st->oldest_s = o->oldest_age_s;
		if (o->pending > st->worst_pending) {
			st->worst_pending = o->pending;
			strlcpy_(st->worst_service, o->service,
			    sizeof st->worst_service);
		}
	}
}

static void
status_circuits(const struct circuits_data *d, struct status *st)
{
	int	i;

	st->circuits = d->n;
	for (i = 0; i < d->n; i++) {
		st->open += d->rows[i].state == CIRCUIT_OPEN;
		st->half_open += d->rows[i].state == CIRCUIT_HALF_OPEN;
	}
	strlcpy_(st->k[SNAP_CIRCUITS].note, d->note, sizeof st->k[0].note);
}

/* Crashing: kubectl's crit statuses; not ready: the other pods with a
 * container not ready (Completed pods are done, not unready). */
static void
status_pods(const struct pods_data *d, struct status *st)
{
	const struct pod	*p;
	int			 i;

	st->pods = d->npods;
	for (i = 0; i < d->npods; i++) {
		p = &d->pods[i];
		if (p->problem >= 2)
			st->crashing++;
		else if (p->ready < p->total &&
		    strcmp(p->status, "Completed") != 0)
			st->not_ready++;
	}
	strlcpy_(st->k[SNAP_PODS].note, d->note, sizeof st->k[0].note);
}

static void
status_redis(const struct redis_data *d, struct status *st)
{
	int	i;

	st->redis_nodes = d->n;
	for (i = 0; i < d->n; i++)
		st->redis_down += d->nodes[i].error[0] != '\0';
}

static void
status_figures(const struct snapshot *snap, struct status *st)
{
	switch (snap->kind) {
	case SNAP_ALERTS:
		status_alerts(&snap->u.alerts, st);
		break;
	case SNAP_REPLICATION:
		status_repl(&snap->u.repl, st);
		break;
	case SNAP_OUTBOX:
		status_outbox(&snap->u.outbox, st);
		break;
	case SNAP_CIRCUITS:
		status_circuits(&snap->u.circuits, st);
		break;
	case SNAP_PODS:
		status_pods(&snap->u.pods, st);
		break;
	case SNAP_REDIS:
		status_redis(&snap->u.redis, st);
		break;
	default:
		break;
	}
}

void
status_collect(struct store *store, unsigned kinds, struct status *st)
{
	struct source_status	 ss;
	struct status_kind	*sk;
	struct snapshot		*snap;
	int			 k;

	st->lag_bytes = -1;
	st->lag_s = -1;
	for (k = 0; k < SNAP__COUNT; k++) {
		sk = &st->k[k];
		if (!(kinds & (1u << k))) {
			sk->state = STATUS_NONE;
			continue;
		}
		snap = store_get(store, k, &ss);
		strlcpy_(sk->source, ss.source, sizeof sk->source);
		if (ss.generation == 0)
			sk->state = STATUS_NO_ANSWER;
		else if (!ss.ok || snap == NULL) {
			sk->state = STATUS_FAILED;
			strlcpy_(sk->error, ss.error, sizeof sk->error);
		} else {
			sk->state = STATUS_OK;
			sk->fetched_ms = snap->fetched_ms;
			status_figures(snap, st);
		}
		snapshot_unref(snap);
	}
}

int
status_fresh(const struct status *st, enum snap_kind k)
{
	return (st->k[k].state == STATUS_OK);
}

/* The incident ------------------------------------------------------------ */

/* "2026-11-21T03:12:45.123Z" -> epoch ms; -1 when it is not that. */
static int64_t
status_record_ms(const char *s)
{
	struct tm	tm;
	int		ms = 0;

	memset(&tm, 0, sizeof tm);
	if (s == NULL || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%3d", &tm.tm_year,
	    &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
	    &ms) < 6)
		return (-1);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return ((int64_t)timegm(&tm) * 1000 + ms);
}

static const char *
status_json_str(const cJSON *o, const char *name)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, name);

	return (cJSON_IsString(v) ? v->valuestring : NULL);
}

/* One record: the newest incident wins; its incident_closed ends it. */
static void
status_record(const char *line, const char *env, char *id, size_t len,
    int64_t *at)
{
	cJSON		*o = cJSON_Parse(line);
	const char	*inc, *type, *renv;

	if (o == NULL)
		return;
	inc = status_json_str(o, "incident");
	type = status_json_str(o, "type");
	renv = status_json_str(o, "env");
	if (inc != NULL && incident_id_ok(inc) && type != NULL &&
	    (env == NULL || renv == NULL || strcmp(env, renv) == 0)) {
		if (strcmp(type, "incident_closed") == 0) {
			if (strcmp(id, inc) == 0)
				id[0] = '\0';
		} else {
			strlcpy_(id, inc, len);
			*at = status_record_ms(status_json_str(o, "time"));
		}
	}
	cJSON_Delete(o);
}

void
status_incident(const char *trail, const char *env, int64_t now,
    struct status *st)
{
	struct error	  err;
	char		**lines, id[INCIDENT_ID_LEN] = "";
	int64_t		  at = -1;
	int		  n, i;

	if (trail == NULL || audit_tail(trail, 100, &lines, &n, &err) != 0)
		return;
	for (i = 0; i < n; i++)
		status_record(lines[i], env, id, sizeof id, &at);
	audit_lines_free(lines, n);
	if (id[0] != '\0' && at >= 0 && now - at < STATUS_INCIDENT_MAX_AGE_MS)
		strlcpy_(st->incident, id, sizeof st->incident);
}
