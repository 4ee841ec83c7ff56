/* sim_query.c: read-only questions to the demo world, as action kind
 * "sim.query": query=NAME and the query's own key=value arguments.  The
 * answer is JSON (built with cJSON) in the result's output, what a runbook
 * step captures from (capture: {var: x, json: ready}); the summary is the
 * same JSON on one line, cut to fit.  Unknown queries, unknown or repeated
 * keys, missing keys and unknown names are refused with the usage line.
 * Every query takes the world's lock and changes nothing.
 *
 *   deployment name=NAME    desired, ready, available, unavailable, updated,
 *                           restarts, oom_killed, memory_limit_mib,
 *                           last_reason, rolling, rollout_failed, ...
 *   pods [deployment=NAME]  [{name, status, ready, restarts, ...}, ...]
 *   replication             primary, primary_up, standbys[], slots[]
 *   standby standby=NAME    state, replay_lag_s (-1 unknown), stalled ...
 *   in_recovery server=NAME pg_is_in_recovery(); fails when it is down
 *   slot slot=NAME          type, active, retained_bytes, wal_status
 *   volume pvc=NAME         used_bytes, capacity_bytes, used_pct
 *   outbox service=NAME     pending, failed, oldest_s, publisher, ...
 *   circuit service=NAME dependency=NAME    state, failure_ratio, health
 *   circuits [service=NAME] [dependency=NAME]   open, circuits[] not closed
 *   alerts [LABEL=VALUE...] the names of the firing alerts, sorted, once
 *   alert [name=NAME] [LABEL=VALUE...]      firing: how many alerts
 *   health [service=NAME]   up, degraded or down (the whole platform
 *                           without service=)
 *   redis                   master_up, link, used_memory_pct, ...
 *
 * Arguments read_only= and dry_run= are accepted and ignored: a query
 * never changes the world. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "action.h"
#include "sim_world.h"
#include "xmalloc.h"

#define Q_MAX_ARGS	8
#define Q_LABELS	" namespace deployment pod container service " \
			"dependency database server application_name " \
			"cluster instance persistentvolumeclaim severity "

struct q_args {
	int		 n;
	char		 key[Q_MAX_ARGS][32];
	const char	*val[Q_MAX_ARGS];
};

struct q_def {
	const char	*name;
	const char	*keys;		/* allowed, " a b " */
	const char	*required;	/* " a b " */
	const char	*usage;
	cJSON		*(*run)(struct sim *, const struct q_args *,
			    struct error *);
};

static cJSON	*q_deployment(struct sim *, const struct q_args *,
		    struct error *);
static cJSON	*q_pods(struct sim *, const struct q_args *, struct error *);
static cJSON	*q_replication(struct sim *, const struct q_args *,
		    struct error *);
static cJSON	*q_standby(struct sim *, const struct q_args *,
		    struct error *);
static cJSON	*q_in_recovery(struct sim *, const struct q_args *,
		    struct error *);
static cJSON	*q_slot(struct sim *, const struct q_args *, struct error *);
static cJSON	*q_volume(struct sim *, const struct q_args *,
		    struct error *);
static cJSON	*q_outbox(struct sim *, const struct q_args *,
		    struct error *);
static cJSON	*q_circuit(struct sim *, const struct q_args *,
		    struct error *);
static cJSON	*q_circuits(struct sim *, const struct q_args *,
		    struct error *);
static cJSON	*q_alerts(struct sim *, const struct q_args *,
		    struct error *);
static cJSON	*q_alert(struct sim *, const struct q_args *, struct error *);
static cJSON	*q_health(struct sim *, const struct q_args *,
		    struct error *);
static cJSON	*q_redis(struct sim *, const struct q_args *, struct error *);

static const struct q_def q_defs[] = {
	{ "deployment", " name deployment ", "", "deployment name=NAME",
	  q_deployment },
	{ "pods", " deployment ", "", "pods [deployment=NAME]", q_pods },
	{ "replication", "", "", "replication", q_replication },
	{ "standby", " standby name ", "", "standby standby=NAME",
	  q_standby },
	{ "in_recovery", " server ", " server ", "in_recovery server=NAME",
	  q_in_recovery },
	{ "slot", " slot ", " slot ", "slot slot=NAME", q_slot },
	{ "volume", " pvc ", " pvc ", "volume pvc=NAME", q_volume },
	{ "outbox", " service ", " service ", "outbox service=NAME",
	  q_outbox },
	{ "circuit", " service dependency ", " service dependency ",
	  "circuit service=NAME dependency=NAME", q_circuit },
	{ "circuits", " service dependency ", "",
	  "circuits [service=NAME] [dependency=NAME]", q_circuits },
	{ "alerts", Q_LABELS " alertname ", "", "alerts [LABEL=VALUE...]",
	  q_alerts },
	{ "alert", Q_LABELS " name alertname ", "",
	  "alert [name=NAME] [LABEL=VALUE...]", q_alert },
	{ "health", " service ", "", "health [service=NAME]", q_health },
	{ "redis", "", "", "redis", q_redis },
};
#define NQUERIES	((int)(sizeof q_defs / sizeof q_defs[0]))

/* Arguments ------------------------------------------------------------- */
static int
q_listed(const char *list, const char *word)
{
	const char	*p = list;
	size_t		 n = strlen(word);

	if (n == 0)
		return (0);
	while ((p = strstr(p, word)) != NULL) {
		if (p > list && p[-1] == ' ' && p[n] == ' ')
			return (1);
		p += n;
	}
	return (0);
}

static const char *
q_arg(const struct q_args *a, const char *key)
{
	int	i;

	for (i = 0; i < a->n; i++)
		if (strcmp(a->key[i], key) == 0)
			return (a->val[i]);
	return (NULL);
}

/* The value of key, or of its alias. */
static const char *
q_arg2(const struct q_args *a, const char *key, const char *alias)
{
	const char	*v = q_arg(a, key);

	return (v != NULL ? v : q_arg(a, alias));
}

static int
q_parse_one(const struct q_def *q, struct q_args *a, const char *arg,
    struct error *err)
{
	const char	*eq = strchr(arg, '=');
	size_t		 klen;

	if (eq == NULL || eq == arg) {
		error_set(err, "%s: an argument is not key=value (usage: %s)",
		    q->name, q->usage);
		return (-1);
	}
	klen = (size_t)(eq - arg);
	if (klen >= sizeof a->key[0] || a->n >= Q_MAX_ARGS) {
		error_set(err, "%s: too many or too long arguments (usage: "
		    "%s)", q->name, q->usage);
		return (-1);
	}
	memcpy(a->key[a->n], arg, klen);
	a->key[a->n][klen] = '\0';
	if (!q_listed(q->keys, a->key[a->n])) {
		error_set(err, "%s: unknown argument '%s' (usage: %s)",
		    q->name, a->key[a->n], q->usage);
		return (-1);
	}
	if (q_arg(a, a->key[a->n]) != NULL) {
		error_set(err, "%s: '%s' given twice", q->name, a->key[a->n]);
		return (-1);
	}
	a->val[a->n++] = eq + 1;
	return (0);
}

static int
q_parse(const struct q_def *q, int argc, const char *const *argv,
    struct q_args *a, struct error *err)
{
	char		 word[32];
	const char	*w;
	int		 i, n;

	memset(a, 0, sizeof *a);
	for (i = 0; i < argc; i++)
		if (q_parse_one(q, a, argv[i], err) != 0)
			return (-1);
	for (w = q->required; sscanf(w, "%31s%n", word, &n) == 1; w += n) {
		if (q_arg(a, word) == NULL) {
			error_set(err, "%s: missing %s= (usage: %s)", q->name,
			    word, q->usage);
			return (-1);
		}
	}
	return (0);
}

static const struct q_def *
q_lookup(const char *name, struct error *err)
{
	int	i;

	for (i = 0; name != NULL && i < NQUERIES; i++)
		if (strcmp(q_defs[i].name, name) == 0)
			return (&q_defs[i]);
	error_set(err, "unknown query '%s' (deployment, pods, replication, "
	    "standby, in_recovery, slot, volume, outbox, circuit, circuits, "
	    "alerts, alert, health, redis)", name ? name : "");
	return (NULL);
}

/* Names ------------------------------------------------------------------ */
static int
q_deploy(const struct sim *s, const char *name, int outbox_only,
    struct error *err)
{
	char	names[200];
	size_t	n = 0;
	int	i = name != NULL ? sim_kube_find(s, name) : -1;

	if (i >= 0 && (!outbox_only || s->dep[i].ob.on))
		return (i);
	names[0] = '\0';
	for (i = 0; i < s->ndeps && n < sizeof names; i++)
		if (!outbox_only || s->dep[i].ob.on)
			n += (size_t)snprintf(names + n, sizeof names - n,
			    "%s%s", n ? ", " : "", s->dep[i].name);
	error_set(err, "no %s '%s' (%s)", outbox_only ? "service with an "
	    "outbox" : "deployment", name ? name : "", names);
	return (-1);
}

static int
q_server(const struct sim *s, const char *name, struct error *err)
{
	int	i = name != NULL ? sim_pg_find(s, name) : -1;

	if (i < 0)
		error_set(err, "no database server '%s' (pg-primary, "
		    "pg-standby-1, pg-standby-2)", name ? name : "");
	return (i);
}

/* Kubernetes ------------------------------------------------------------ */
struct q_dep_stats {
	int		 running;	/* app containers running */
	int		 restarts;
	int		 oom_killed;	/* pods last killed for memory */
	int		 max_mem_pct;
	int64_t		 last_t;
	const char	*last_reason;	/* of the latest termination */
	const char	*waiting;	/* a waiting reason, not the usual */
};

/* The reason of a container's latest termination, "" when none. */
static const char *
q_ctr_reason(const struct sim_ctr *c)
{
	if (c->state == KSTATE_TERMINATED)
		return (c->reason);
	return (c->last_reason);
}

static void
q_pod_stats(const struct sim_pod *p, struct q_dep_stats *st)
{
	const struct sim_ctr	*c = &p->app;
	const char		*why = q_ctr_reason(c);
	int			 pct;

	st->restarts += c->restarts;
	if (strcmp(why, "OOMKilled") == 0)
		st->oom_killed++;
	if (c->has_finished && (st->last_reason == NULL ||
	    c->finished >= st->last_t)) {
		st->last_t = c->finished;
		st->last_reason = why;
	}
	if (c->state == KSTATE_RUNNING) {
		st->running++;
		pct = (int)(100.0 * c->ws_mib / p->limit_mib + 0.5);
		if (pct > st->max_mem_pct)
			st->max_mem_pct = pct;
	}
	if (c->state == KSTATE_WAITING && st->waiting == NULL &&
	    strcmp(c->reason, "ContainerCreating") != 0)
		st->waiting = c->reason;
}

static void
q_dep_stats(const struct sim *s, int di, struct q_dep_stats *st)
{
	int	i;

	memset(st, 0, sizeof *st);
	for (i = 0; i < s->npods; i++)
		if (s->pods[i].dep == di && !s->pods[i].deleting)
			q_pod_stats(&s->pods[i], st);
}

static void
q_add_str(cJSON *o, const char *key, const char *v)
{
	cJSON_AddStringToObject(o, key, v != NULL ? v : "");
}

static cJSON *
q_deployment(struct sim *s, const struct q_args *a, struct error *err)
{
	const struct sim_deploy	*d;
	struct q_dep_stats	 st;
	cJSON			*o;
	int			 di;

	if ((di = q_deploy(s, q_arg2(a, "name", "deployment"), 0, err)) < 0)
		return (NULL);
	d = &s->dep[di];
	q_dep_stats(s, di, &st);
	o = cJSON_CreateObject();
	q_add_str(o, "name", d->name);
	q_add_str(o, "namespace", SIM_NS);
	cJSON_AddNumberToObject(o, "desired", d->desired);
	cJSON_AddNumberToObject(o, "ready", d->ready);
	cJSON_AddNumberToObject(o, "available", d->ready);
	cJSON_AddNumberToObject(o, "unavailable", d->ready < d->desired ?
	    d->desired - d->ready : 0);
	cJSON_AddNumberToObject(o, "updated", d->updated);
	cJSON_AddNumberToObject(o, "running", st.running);
	cJSON_AddNumberToObject(o, "restarts", st.restarts);
	cJSON_AddNumberToObject(o, "oom_killed", st.oom_killed);
	cJSON_AddNumberToObject(o, "memory_limit_mib", d->cur.limit_mib);
	cJSON_AddNumberToObject(o, "max_memory_pct", st.max_mem_pct);
	q_add_str(o, "last_reason", st.last_reason);
	q_add_str(o, "waiting_reason", st.waiting);
	cJSON_AddNumberToObject(o, "revision", d->cur.rev);
	cJSON_AddNumberToObject(o, "previous_revision", d->prev.rev);
	cJSON_AddBoolToObject(o, "image_ok", d->cur.image_ok);
	cJSON_AddBoolToObject(o, "rolling", d->rolling);
	cJSON_AddBoolToObject(o, "rollout_failed", d->stuck);
	cJSON_AddBoolToObject(o, "healthy", !d->rolling &&
	    d->ready >= d->desired && d->updated == d->desired);
	return (o);
}

static cJSON *
q_pod_json(const struct pod *p)
{
	cJSON	*o = cJSON_CreateObject();
	char	 ready[16];

	q_add_str(o, "name", p->name);
	q_add_str(o, "deployment", p->deployment);
	q_add_str(o, "node", p->node);
	q_add_str(o, "status", p->status);
	snprintf(ready, sizeof ready, "%d/%d", p->ready, p->total);
	q_add_str(o, "ready", ready);
	cJSON_AddNumberToObject(o, "restarts", p->restarts);
	q_add_str(o, "last_reason", p->last_reason);
	cJSON_AddNumberToObject(o, "memory_pct", p->mem_pct);
	return (o);
}

static cJSON *
q_pods(struct sim *s, const struct q_args *a, struct error *err)
{
	const char	*dep = q_arg(a, "deployment");
	struct pods_data pd;
	cJSON		*list;
	int		 i;

	if (dep != NULL && q_deploy(s, dep, 0, err) < 0)
		return (NULL);
	memset(&pd, 0, sizeof pd);
	sim_kube_snapshot(s, &pd);
	list = cJSON_CreateArray();
	for (i = 0; i < pd.npods; i++)
		if (dep == NULL || strcmp(pd.pods[i].deployment, dep) == 0)
			cJSON_AddItemToArray(list, q_pod_json(&pd.pods[i]));
	free(pd.pods);
	free(pd.deploys);
	return (list);
}

/* PostgreSQL ------------------------------------------------------------ */
static const char *
q_sb_state(const struct sim_pgnode *n)
{
	switch (n->state) {
	case SB_STREAMING:
		return ("streaming");
	case SB_CATCHUP:
		return ("catchup");
	default:
		return ("disconnected");
	}
}

static const char *
q_role(const struct sim *s, int i)
{
	if (!s->pg.n[i].up)
		return ("down");
	if (s->pg.promoting == i)
		return ("promoting");
	if (i == s->pg.primary)
		return ("primary");
	return ("standby");
}

static double
q_lag(const struct sim_pgnode *n, double v)
{
	return (n->state == SB_DISCONNECTED ? -1 : v);
}

static cJSON *
q_standby_json(const struct sim *s, int i)
{
	const struct sim_pgnode	*n = &s->pg.n[i];
	int			 sb = sim_pg_is_standby(s, i);
	cJSON			*o = cJSON_CreateObject();

	q_add_str(o, "name", n->name);
	q_add_str(o, "role", q_role(s, i));
	q_add_str(o, "state", sb ? q_sb_state(n) : "");
	cJSON_AddNumberToObject(o, "timeline", n->timeline);
	cJSON_AddNumberToObject(o, "replay_lag_s", sb ?
	    q_lag(n, n->replay_lag) : -1);
	cJSON_AddNumberToObject(o, "write_lag_s", sb ?
	    q_lag(n, n->write_lag) : -1);
	cJSON_AddNumberToObject(o, "received_lsn", (double)n->flush);
	cJSON_AddNumberToObject(o, "behind_bytes", sb && s->pg.lsn > n->flush ?
	    (double)(s->pg.lsn - n->flush) : 0);
	cJSON_AddBoolToObject(o, "replay_paused", n->paused);
	cJSON_AddBoolToObject(o, "replay_stalled", n->stalled);
	return (o);
}

static cJSON *
q_slot_json(const struct sim_pg *pg, const struct sim_slot *sl)
{
	cJSON	*o = cJSON_CreateObject();
	int64_t	 r = sl->lost ? 0 : pg->lsn - sl->restart_lsn;

	q_add_str(o, "name", sl->name);
	q_add_str(o, "type", sl->logical ? "logical" : "physical");
	cJSON_AddBoolToObject(o, "active", sl->active);
	cJSON_AddBoolToObject(o, "lost", sl->lost);
	cJSON_AddNumberToObject(o, "retained_bytes", (double)r);
	return (o);
}

static cJSON *
q_replication(struct sim *s, const struct q_args *a, struct error *err)
{
	const struct sim_pg	*pg = &s->pg;
	cJSON			*o = cJSON_CreateObject(), *sb, *sl;
	double			 max = 0, lag;
	int			 i, n = 0, unknown = 0;

	q_add_str(o, "primary", pg->n[pg->primary].name);
	cJSON_AddBoolToObject(o, "primary_up", sim_pg_primary_up(s));
	q_add_str(o, "promoting", pg->promoting >= 0 ?
	    pg->n[pg->promoting].name : "");
	cJSON_AddNumberToObject(o, "timeline", pg->n[pg->primary].timeline);
	cJSON_AddNumberToObject(o, "lost_bytes", (double)pg->lost_bytes);
	sb = cJSON_AddArrayToObject(o, "standbys");
	for (i = 0; i < SIM_PG_NODES; i++) {
		if (!sim_pg_is_standby(s, i) || pg->promoting == i)
			continue;
		cJSON_AddItemToArray(sb, q_standby_json(s, i));
		lag = q_lag(&pg->n[i], pg->n[i].replay_lag);
		unknown |= lag < 0;
		if (lag > max)
			max = lag;
		n++;
	}
	/* -1 (unknown) when there is no standby or one is disconnected. */
	cJSON_AddNumberToObject(o, "max_replay_lag_s", n == 0 || unknown ?
	    -1 : max);
	sl = cJSON_AddArrayToObject(o, "slots");
	for (i = 0; i < pg->nslots; i++)
		cJSON_AddItemToArray(sl, q_slot_json(pg, &pg->slots[i]));
	return (o);
}

static cJSON *
q_standby(struct sim *s, const struct q_args *a, struct error *err)
{
	const char	*name = q_arg2(a, "standby", "name");
	int		 i;

	if ((i = q_server(s, name, err)) < 0)
		return (NULL);
	return (q_standby_json(s, i));
}

/* pg_is_in_recovery(), as a client asking that server would get it. */
static cJSON *
q_in_recovery(struct sim *s, const struct q_args *a, struct error *err)
{
	cJSON	*o;
	int	 i;

	if ((i = q_server(s, q_arg(a, "server"), err)) < 0)
		return (NULL);
	if (!s->pg.n[i].up) {
		error_set(err, "%s: connection refused (the server is down)",
		    s->pg.n[i].name);
		return (NULL);
	}
	o = cJSON_CreateObject();
	q_add_str(o, "server", s->pg.n[i].name);
	cJSON_AddBoolToObject(o, "in_recovery", i != s->pg.primary ||
	    s->pg.promoting == i);
	q_add_str(o, "role", q_role(s, i));
	cJSON_AddNumberToObject(o, "timeline", s->pg.n[i].timeline);
	return (o);
}

static cJSON *
q_slot(struct sim *s, const struct q_args *a, struct error *err)
{
	const char	*name = q_arg(a, "slot");
	int		 i;

	if ((i = sim_pg_slot_find(s, name)) < 0) {
		error_set(err, "replication slot \"%s\" does not exist", name);
		return (NULL);
	}
	return (q_slot_json(&s->pg, &s->pg.slots[i]));
}

static cJSON *
q_volume(struct sim *s, const struct q_args *a, struct error *err)
{
	const char	*pvc = q_arg(a, "pvc");
	char		 name[64];
	int64_t		 used, cap;
	cJSON		*o;
	int		 i;

	for (i = 0; i < SIM_PG_NODES; i++) {
		snprintf(name, sizeof name, "data-%s-0", s->pg.n[i].name);
		if (strcmp(name, pvc) == 0)
			break;
	}
	if (i == SIM_PG_NODES) {
		error_set(err, "persistentvolumeclaim \"%s\" not found (data-"
		    "pg-primary-0, data-pg-standby-1-0, data-pg-standby-2-0)",
		    pvc);
		return (NULL);
	}
	sim_pg_pvc(s, i, &used, &cap);
	o = cJSON_CreateObject();
	q_add_str(o, "pvc", name);
	cJSON_AddNumberToObject(o, "used_bytes", (double)used);
	cJSON_AddNumberToObject(o, "capacity_bytes", (double)cap);
	cJSON_AddNumberToObject(o, "used_pct", cap > 0 ?
	    (int)(100.0 * (double)used / (double)cap + 0.5) : 0);
	return (o);
}

/* Services: outbox, circuits, health ------------------------------------ */
static cJSON *
q_outbox(struct sim *s, const struct q_args *a, struct error *err)
{
	struct outbox_data	 od;
	const struct outbox	*r = NULL;
	const struct sim_deploy	*d;
	cJSON			*o;
	int			 di, i;

	if ((di = q_deploy(s, q_arg(a, "service"), 1, err)) < 0)
		return (NULL);
	d = &s->dep[di];
	memset(&od, 0, sizeof od);
	sim_outbox_snapshot(s, &od);
	for (i = 0; i < od.n; i++)
		if (strcmp(od.rows[i].service, d->name) == 0)
			r = &od.rows[i];
	o = cJSON_CreateObject();
	q_add_str(o, "service", d->name);
	q_add_str(o, "database", d->db);
	cJSON_AddNumberToObject(o, "pending", (double)d->ob.pending);
	cJSON_AddNumberToObject(o, "failed", (double)d->ob.failed);
	cJSON_AddNumberToObject(o, "oldest_s", (int)sim_outbox_oldest(s,
	    &d->ob));
	cJSON_AddNumberToObject(o, "processed_1m", r != NULL ?
	    (double)r->processed_1m : 0);
	q_add_str(o, "publisher", d->ob.running ? "running" : "halted");
	q_add_str(o, "event_bus", d->broker_ok ? "up" : "down");
	free(od.rows);
	return (o);
}

/* The circuits as the panel sees them (half-open worked out). */
static void
q_circuit_rows(struct sim *s, struct circuits_data *cd)
{
	memset(cd, 0, sizeof *cd);
	sim_circuit_snapshot(s, cd);
}

static cJSON *
q_circuit_json(const struct circuit *c)
{
	cJSON	*o = cJSON_CreateObject();

	q_add_str(o, "service", c->service);
	q_add_str(o, "dependency", c->dependency);
	q_add_str(o, "state", circuit_state_name(c->state));
	cJSON_AddNumberToObject(o, "failure_ratio",
	    (int)(c->failure_ratio * 1000 + 0.5) / 1000.0);
	q_add_str(o, "health", c->health);
	return (o);
}

static cJSON *
q_circuit(struct sim *s, const struct q_args *a, struct error *err)
{
	struct circuits_data	 cd;
	const char		*from = q_arg(a, "service");
	const char		*to = q_arg(a, "dependency");
	cJSON			*o = NULL;
	int			 i;

	q_circuit_rows(s, &cd);
	for (i = 0; i < cd.n && o == NULL; i++)
		if (strcmp(cd.rows[i].service, from) == 0 &&
		    strcmp(cd.rows[i].dependency, to) == 0)
			o = q_circuit_json(&cd.rows[i]);
	if (o == NULL)
		error_set(err, "no circuit %s -> %s", from, to);
	free(cd.rows);
	return (o);
}

static cJSON *
q_circuits(struct sim *s, const struct q_args *a, struct error *err)
{
	struct circuits_data	 cd;
	const char		*from = q_arg(a, "service");
	const char		*to = q_arg(a, "dependency");
	const struct circuit	*c;
	cJSON			*o = cJSON_CreateObject(), *list;
	int			 i, n = 0;

	q_circuit_rows(s, &cd);
	list = cJSON_CreateArray();
	for (i = 0; i < cd.n; i++) {
		c = &cd.rows[i];
		if (c->state == CIRCUIT_CLOSED || (from != NULL &&
		    strcmp(c->service, from) != 0) || (to != NULL &&
		    strcmp(c->dependency, to) != 0))
			continue;
		cJSON_AddItemToArray(list, q_circuit_json(c));
		n++;
	}
	cJSON_AddNumberToObject(o, "open", n);
	cJSON_AddItemToObject(o, "circuits", list);
	free(cd.rows);
	return (o);
}

static const char *
q_health_of(const struct sim_deploy *d)
{
	if (d->ready == 0 || (d->has_db && !d->db_ok))
		return ("down");
	if (d->ready < d->desired)
		return ("degraded");
	return ("up");
}

static cJSON *
q_health_one(const struct sim *s, int di)
{
	const struct sim_deploy	*d = &s->dep[di];
	cJSON			*o = cJSON_CreateObject();

	q_add_str(o, "service", d->name);
	q_add_str(o, "status", q_health_of(d));
	cJSON_AddNumberToObject(o, "ready", d->ready);
	cJSON_AddNumberToObject(o, "desired", d->desired);
	q_add_str(o, "database", !d->has_db ? "none" : d->db_ok ? "up" :
	    "down");
	return (o);
}

/* The platform: down when a service is down, degraded when one is. */
static cJSON *
q_health_all(const struct sim *s)
{
	cJSON		*o = cJSON_CreateObject(), *down, *degr;
	const char	*h;
	int		 i;

	down = cJSON_CreateArray();
	degr = cJSON_CreateArray();
	for (i = 0; i < s->ndeps; i++) {
		h = q_health_of(&s->dep[i]);
		if (strcmp(h, "down") == 0)
			cJSON_AddItemToArray(down,
			    cJSON_CreateString(s->dep[i].name));
		else if (strcmp(h, "degraded") == 0)
			cJSON_AddItemToArray(degr,
			    cJSON_CreateString(s->dep[i].name));
	}
	q_add_str(o, "status", cJSON_GetArraySize(down) > 0 ? "down" :
	    cJSON_GetArraySize(degr) > 0 ? "degraded" : "up");
	cJSON_AddItemToObject(o, "down", down);
	cJSON_AddItemToObject(o, "degraded", degr);
	return (o);
}

static cJSON *
q_health(struct sim *s, const struct q_args *a, struct error *err)
{
	const char	*svc = q_arg(a, "service");
	int		 di;

	if (svc == NULL)
		return (q_health_all(s));
	if ((di = q_deploy(s, svc, 0, err)) < 0)
		return (NULL);
	return (q_health_one(s, di));
}

/* Alerts ---------------------------------------------------------------- */

/* Whether word is one of the space-separated words of list. */
static int
q_word_in(const char *list, const char *word)
{
	const char	*p = list;
	size_t		 n = strlen(word);

	while ((p = strstr(p, word)) != NULL) {
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' ||
		    p[n] == '\0'))
			return (1);
		p += n;
	}
	return (0);
}

/* Whether the alert passes every filter of a: name= (alertname=) and
 * severity= compare those, any other key is a label. */
static int
q_alert_match(const struct alert *al, const struct q_args *a)
{
	char	want[160];
	size_t	n;
	int	i;

	for (i = 0; i < a->n; i++) {
		if (strcmp(a->key[i], "name") == 0 ||
		    strcmp(a->key[i], "alertname") == 0) {
			if (strcmp(al->name, a->val[i]) != 0)
				return (0);
			continue;
		}
		if (strcmp(a->key[i], "severity") == 0) {
			if (strcmp(al->severity, a->val[i]) != 0)
				return (0);
			continue;
		}
		n = (size_t)snprintf(want, sizeof want, "%s=%s", a->key[i],
		    a->val[i]);
		if (n >= sizeof want || !q_word_in(al->labels, want))
			return (0);
	}
	return (1);
}

/* The firing alerts, as Alertmanager has them. */
static void
q_alert_rows(struct sim *s, struct alerts_data *ad)
{
	memset(ad, 0, sizeof *ad);
	sim_alerts_snapshot(s, ad);
}

static int
q_strcmp(const void *a, const void *b)
{
	return (strcmp(*(const char *const *)a, *(const char *const *)b));
}

static cJSON *
q_alerts(struct sim *s, const struct q_args *a, struct error *err)
{
	struct alerts_data	  ad;
	const char		**names;
	cJSON			 *list = cJSON_CreateArray();
	int			  i, n = 0;

	q_alert_rows(s, &ad);
	names = xcalloc(ad.n > 0 ? ad.n : 1, sizeof *names);
	for (i = 0; i < ad.n; i++)
		if (q_alert_match(&ad.rows[i], a))
			names[n++] = ad.rows[i].name;
	qsort(names, n, sizeof *names, q_strcmp);
	for (i = 0; i < n; i++)
		if (i == 0 || strcmp(names[i], names[i - 1]) != 0)
			cJSON_AddItemToArray(list, cJSON_CreateString(names[i]));
	free(names);
	free(ad.rows);
	return (list);
}

static cJSON *
q_alert(struct sim *s, const struct q_args *a, struct error *err)
{
	struct alerts_data	 ad;
	cJSON			*o = cJSON_CreateObject();
	int			 i, n = 0;

	q_alert_rows(s, &ad);
	for (i = 0; i < ad.n; i++)
		n += q_alert_match(&ad.rows[i], a);
	q_add_str(o, "name", q_arg(a, "name"));
	cJSON_AddNumberToObject(o, "firing", n);
	free(ad.rows);
	return (o);
}

/* Redis ----------------------------------------------------------------- */
static cJSON *
q_redis(struct sim *s, const struct q_args *a, struct error *err)
{
	struct redis_data	 rd;
	const struct redis_node	*m, *r;
	cJSON			*o = cJSON_CreateObject();

	memset(&rd, 0, sizeof rd);
	sim_redis_snapshot(s, &rd);
	m = &rd.nodes[0];
	r = &rd.nodes[1];
	q_add_str(o, "master", m->name);
	cJSON_AddBoolToObject(o, "master_up", m->error[0] == '\0');
	cJSON_AddNumberToObject(o, "used_memory_pct", m->maxmemory > 0 ?
	    (int)(100.0 * (double)m->used_memory / (double)m->maxmemory +
	    0.5) : 0);
	cJSON_AddNumberToObject(o, "connected_clients",
	    (double)m->connected_clients);
	cJSON_AddNumberToObject(o, "evicted_keys", (double)m->evicted_keys);
	q_add_str(o, "replica", r->name);
	q_add_str(o, "link", r->link_status);
	cJSON_AddNumberToObject(o, "link_down_s", (double)r->link_down_s);
	cJSON_AddNumberToObject(o, "replicas", m->nreplicas);
	cJSON_AddNumberToObject(o, "lag_bytes", m->nreplicas > 0 ?
	    (double)m->replicas[0].lag_bytes : -1);
	free(rd.nodes);
	return (o);
}

/* Running ---------------------------------------------------------------- */
int
sim_query_check(const char *name, int argc, const char *const *argv,
    struct error *err)
{
	const struct q_def	*q;
	struct q_args		 a;

	if ((q = q_lookup(name, err)) == NULL)
		return (-1);
	return (q_parse(q, argc, argv, &a, err));
}

char *
sim_query_json(struct sim *s, const char *name, int argc,
    const char *const *argv, struct error *err)
{
	const struct q_def	*q;
	struct q_args		 a;
	cJSON			*j;
	char			*out, *copy;

	if ((q = q_lookup(name, err)) == NULL ||
	    q_parse(q, argc, argv, &a, err) != 0)
		return (NULL);
	pthread_mutex_lock(s->lock);
	j = q->run(s, &a, err);
	pthread_mutex_unlock(s->lock);
	if (j == NULL)
		return (NULL);
	if ((out = cJSON_Print(j)) == NULL)
		fatalx("cJSON: out of memory");
	cJSON_Delete(j);
	copy = xstrdup(out);
	cJSON_free(out);
	return (copy);
}

/* One line for the summary: the JSON without its layout, cut to fit. */
static void
q_summary(const char *json, char *buf, size_t len)
{
	size_t	n = 0;
	int	instr = 0, esc = 0;

	for (; *json != '\0' && n + 4 < len; json++) {
		if (!instr && (*json == '\n' || *json == '\t' || *json == ' '))
			continue;
		if (instr && !esc && *json == '"')
			instr = 0;
		else if (!instr && *json == '"')
			instr = 1;
		esc = instr && !esc && *json == '\\';
		buf[n++] = *json;
	}
	if (*json != '\0')
		n += (size_t)snprintf(buf + n, len - n, "...");
	buf[n] = '\0';
}

static int
q_is_ignored(const char *arg)
{
	return (strncmp(arg, "query=", 6) == 0 ||
	    strncmp(arg, "read_only=", 10) == 0 ||
	    strncmp(arg, "dry_run=", 8) == 0);
}

static int
sim_query_exec(void *ctx, const struct action_req *req,
    struct action_result *res, const volatile int *cancel)
{
	const char	*name = action_arg(req, "query");
	const char	*argv[ACTION_MAX_ARGS];
	struct error	 err;
	char		*json;
	int		 i, argc = 0;

	if (name == NULL) {
		snprintf(res->summary, sizeof res->summary,
		    "sim.query: no query= argument");
		return (-1);
	}
	for (i = 0; i < req->argc; i++)
		if (!q_is_ignored(req->argv[i]))
			argv[argc++] = req->argv[i];
	if ((json = sim_query_json(ctx, name, argc, argv, &err)) == NULL) {
		snprintf(res->summary, sizeof res->summary, "%s", err.msg);
		return (-1);
	}
	q_summary(json, res->summary, sizeof res->summary);
	res->output = json;
	return (0);
}

void
sim_register_queries(struct sim *sim, struct actions *actions)
{
	actions_register(actions, "sim.query", sim_query_exec, sim);
}
