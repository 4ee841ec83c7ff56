/* sim_query_kube.c: the Kubernetes queries of sim.query (see sim_query.c
 * for the list): one deployment as a rollout check would judge it, and the
 * pods as the pods panel shows them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_query_int.h"

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

cJSON *
sim_query_kube_deployment(struct sim *s, const struct sim_args *a,
    struct error *err)
{
	const struct sim_deploy	*d;
	struct q_dep_stats	 st;
	cJSON			*o;
	int			 di;

	if ((di = sim_args_deploy(s, sim_args_either(a, "name", "deployment"),
	    0, err)) < 0)
		return (NULL);
	d = &s->dep[di];
	q_dep_stats(s, di, &st);
	o = cJSON_CreateObject();
	sim_query_add_str(o, "name", d->name);
	sim_query_add_str(o, "namespace", SIM_NS);
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
	sim_query_add_str(o, "last_reason", st.last_reason);
	sim_query_add_str(o, "waiting_reason", st.waiting);
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

	sim_query_add_str(o, "name", p->name);
	sim_query_add_str(o, "deployment", p->deployment);
	sim_query_add_str(o, "node", p->node);
	sim_query_add_str(o, "status", p->status);
	snprintf(ready, sizeof ready, "%d/%d", p->ready, p->total);
	sim_query_add_str(o, "ready", ready);
	cJSON_AddNumberToObject(o, "restarts", p->restarts);
	sim_query_add_str(o, "last_reason", p->last_reason);
	cJSON_AddNumberToObject(o, "memory_pct", p->mem_pct);
	return (o);
}

cJSON *
sim_query_kube_pods(struct sim *s, const struct sim_args *a,
    struct error *err)
{
	const char	*dep = sim_args_get(a, "deployment");
	struct pods_data pd;
	cJSON		*list;
	int		 i;

	if (dep != NULL && sim_args_deploy(s, dep, 0, err) < 0)
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
