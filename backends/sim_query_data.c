/* sim_query_data.c: the queries of sim.query (see sim_query.c for the
 * list) about the data side of the demo world: PostgreSQL replication,
 * slots and volumes; the services' outboxes, circuits and health; the
 * firing alerts; Redis. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_query_int.h"
#include "xmalloc.h"

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

	sim_query_add_str(o, "name", n->name);
	sim_query_add_str(o, "role", q_role(s, i));
	sim_query_add_str(o, "state", sb ? q_sb_state(n) : "");
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

	sim_query_add_str(o, "name", sl->name);
	sim_query_add_str(o, "type", sl->logical ? "logical" : "physical");
	cJSON_AddBoolToObject(o, "active", sl->active);
	cJSON_AddBoolToObject(o, "lost", sl->lost);
	cJSON_AddNumberToObject(o, "retained_bytes", (double)r);
	return (o);
}

cJSON *
sim_query_data_replication(struct sim *s, const struct sim_args *a,
    struct error *err)
{
	const struct sim_pg	*pg = &s->pg;
	cJSON			*o = cJSON_CreateObject(), *sb, *sl;
	double			 max = 0, lag;
	int			 i, n = 0, unknown = 0;

	sim_query_add_str(o, "primary", pg->n[pg->primary].name);
	cJSON_AddBoolToObject(o, "primary_up", sim_pg_primary_up(s));
	sim_query_add_str(o, "promoting", pg->promoting >= 0 ?
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

cJSON *
sim_query_data_standby(struct sim *s, const struct sim_args *a,
    struct error *err)
{
	const char	*name = sim_args_either(a, "standby", "name");
	int		 i;

	if ((i = sim_args_server(s, name, err)) < 0)
		return (NULL);
	return (q_standby_json(s, i));
}

/* pg_is_in_recovery(), as a client asking that server would get it. */
cJSON *
sim_query_data_in_recovery(struct sim *s, const struct sim_args *a,
    struct error *err)
{
	cJSON	*o;
	int	 i;

	if ((i = sim_args_server(s, sim_args_get(a, "server"), err)) < 0)
		return (NULL);
	if (!s->pg.n[i].up) {
		error_set(err, "%s: connection refused (the server is down)",
		    s->pg.n[i].name);
		return (NULL);
	}
	o = cJSON_CreateObject();
	sim_query_add_str(o, "server", s->pg.n[i].name);
	cJSON_AddBoolToObject(o, "in_recovery", i != s->pg.primary ||
	    s->pg.promoting == i);
	sim_query_add_str(o, "role", q_role(s, i));
	cJSON_AddNumberToObject(o, "timeline", s->pg.n[i].timeline);
	return (o);
}

cJSON *
sim_query_data_slot(struct sim *s, const struct sim_args *a,
    struct error *err)
{
	const char	*name = sim_args_get(a, "slot");
	int		 i;

	if ((i = sim_pg_slot_find(s, name)) < 0) {
		error_set(err, "replication slot \"%s\" does not exist", name);
		return (NULL);
	}
	return (q_slot_json(&s->pg, &s->pg.slots[i]));
}

cJSON *
sim_query_data_volume(struct sim *s, const struct sim_args *a,
    struct error *err)
{
	const char	*pvc = sim_args_get(a, "pvc");
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
	sim_query_add_str(o, "pvc", name);
	cJSON_AddNumberToObject(o, "used_bytes", (double)used);
	cJSON_AddNumberToObject(o, "capacity_bytes", (double)cap);
	cJSON_AddNumberToObject(o, "used_pct", cap > 0 ?
	    (int)(100.0 * (double)used / (double)cap + 0.5) : 0);
	return (o);
}

/* Services: outbox, circuits, health ------------------------------------ */
cJSON *
sim_query_data_outbox(struct sim *s, const struct sim_args *a,
    struct error *err)
{
	struct outbox_data	 od;
	const struct outbox	*r = NULL;
	const struct sim_deploy	*d;
	cJSON			*o;
	int			 di, i;

	if ((di = sim_args_deploy(s, sim_args_get(a, "service"), 1, err)) < 0)
		return (NULL);
	d = &s->dep[di];
	memset(&od, 0, sizeof od);
	sim_outbox_snapshot(s, &od);
	for (i = 0; i < od.n; i++)
		if (strcmp(od.rows[i].service, d->name) == 0)
			r = &od.rows[i];
	o = cJSON_CreateObject();
	sim_query_add_str(o, "service", d->name);
	sim_query_add_str(o, "database", d->db);
	cJSON_AddNumberToObject(o, "pending", (double)d->ob.pending);
	cJSON_AddNumberToObject(o, "failed", (double)d->ob.failed);
	cJSON_AddNumberToObject(o, "oldest_s", (int)sim_outbox_oldest(s,
	    &d->ob));
	cJSON_AddNumberToObject(o, "processed_1m", r != NULL ?
	    (double)r->processed_1m : 0);
	sim_query_add_str(o, "publisher", d->ob.running ? "running" : "halted");
	sim_query_add_str(o, "event_bus", d->broker_ok ? "up" : "down");
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

	sim_query_add_str(o, "service", c->service);
	sim_query_add_str(o, "dependency", c->dependency);
	sim_query_add_str(o, "state", circuit_state_name(c->state));
	cJSON_AddNumberToObject(o, "failure_ratio",
	    (int)(c->failure_ratio * 1000 + 0.5) / 1000.0);
	sim_query_add_str(o, "health", c->health);
	return (o);
}

cJSON *
sim_query_data_circuit(struct sim *s, const struct sim_args *a,
    struct error *err)
{
	struct circuits_data	 cd;
	const char		*from = sim_args_get(a, "service");
	const char		*to = sim_args_get(a, "dependency");
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

cJSON *
sim_query_data_circuits(struct sim *s, const struct sim_args *a,
    struct error *err)
{
	struct circuits_data	 cd;
	const char		*from = sim_args_get(a, "service");
	const char		*to = sim_args_get(a, "dependency");
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

	sim_query_add_str(o, "service", d->name);
	sim_query_add_str(o, "status", q_health_of(d));
	cJSON_AddNumberToObject(o, "ready", d->ready);
	cJSON_AddNumberToObject(o, "desired", d->desired);
	sim_query_add_str(o, "database", !d->has_db ? "none" : d->db_ok ? "up" :
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
	sim_query_add_str(o, "status", cJSON_GetArraySize(down) > 0 ? "down" :
	    cJSON_GetArraySize(degr) > 0 ? "degraded" : "up");
	cJSON_AddItemToObject(o, "down", down);
	cJSON_AddItemToObject(o, "degraded", degr);
	return (o);
}

cJSON *
sim_query_data_health(struct sim *s, const struct sim_args *a,
    struct error *err)
{
	const char	*svc = sim_args_get(a, "service");
	int		 di;

	if (svc == NULL)
		return (q_health_all(s));
	if ((di = sim_args_deploy(s, svc, 0, err)) < 0)
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
q_alert_match(const struct alert *al, const struct sim_args *a)
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

cJSON *
sim_query_data_alerts(struct sim *s, const struct sim_args *a,
    struct error *err)
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

cJSON *
sim_query_data_alert(struct sim *s, const struct sim_args *a,
    struct error *err)
{
	struct alerts_data	 ad;
	cJSON			*o = cJSON_CreateObject();
	int			 i, n = 0;

	q_alert_rows(s, &ad);
	for (i = 0; i < ad.n; i++)
		n += q_alert_match(&ad.rows[i], a);
	sim_query_add_str(o, "name", sim_args_get(a, "name"));
	cJSON_AddNumberToObject(o, "firing", n);
	free(ad.rows);
	return (o);
}

/* Redis ----------------------------------------------------------------- */
cJSON *
sim_query_data_redis(struct sim *s, const struct sim_args *a,
    struct error *err)
{
	struct redis_data	 rd;
	const struct redis_node	*m, *r;
	cJSON			*o = cJSON_CreateObject();

	memset(&rd, 0, sizeof rd);
	sim_redis_snapshot(s, &rd);
	m = &rd.nodes[0];
	r = &rd.nodes[1];
	sim_query_add_str(o, "master", m->name);
	cJSON_AddBoolToObject(o, "master_up", m->error[0] == '\0');
	cJSON_AddNumberToObject(o, "used_memory_pct", m->maxmemory > 0 ?
	    (int)(100.0 * (double)m->used_memory / (double)m->maxmemory +
	    0.5) : 0);
	cJSON_AddNumberToObject(o, "connected_clients",
	    (double)m->connected_clients);
	cJSON_AddNumberToObject(o, "evicted_keys", (double)m->evicted_keys);
	sim_query_add_str(o, "replica", r->name);
	sim_query_add_str(o, "link", r->link_status);
	cJSON_AddNumberToObject(o, "link_down_s", (double)r->link_down_s);
	cJSON_AddNumberToObject(o, "replicas", m->nreplicas);
	cJSON_AddNumberToObject(o, "lag_bytes", m->nreplicas > 0 ?
	    (double)m->replicas[0].lag_bytes : -1);
	free(rd.nodes);
	return (o);
}
