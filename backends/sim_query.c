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

#include "action.h"
#include "sim_query_int.h"
#include "xmalloc.h"

#define Q_LABELS	" namespace deployment pod container service " \
			"dependency database server application_name " \
			"cluster instance persistentvolumeclaim severity "

struct q_def {
	const char	*name;
	const char	*keys;		/* allowed, " a b " */
	const char	*required;	/* " a b " */
	const char	*usage;
	cJSON		*(*run)(struct sim *, const struct sim_args *,
			    struct error *);
};

static const struct q_def q_defs[] = {
	{ "deployment", " name deployment ", "", "deployment name=NAME",
	  sim_query_kube_deployment },
	{ "pods", " deployment ", "", "pods [deployment=NAME]",
	  sim_query_kube_pods },
	{ "replication", "", "", "replication", sim_query_data_replication },
	{ "standby", " standby name ", "", "standby standby=NAME",
	  sim_query_data_standby },
	{ "in_recovery", " server ", " server ", "in_recovery server=NAME",
	  sim_query_data_in_recovery },
	{ "slot", " slot ", " slot ", "slot slot=NAME", sim_query_data_slot },
	{ "volume", " pvc ", " pvc ", "volume pvc=NAME",
	  sim_query_data_volume },
	{ "outbox", " service ", " service ", "outbox service=NAME",
	  sim_query_data_outbox },
	{ "circuit", " service dependency ", " service dependency ",
	  "circuit service=NAME dependency=NAME", sim_query_data_circuit },
	{ "circuits", " service dependency ", "",
	  "circuits [service=NAME] [dependency=NAME]",
	  sim_query_data_circuits },
	{ "alerts", Q_LABELS " alertname ", "", "alerts [LABEL=VALUE...]",
	  sim_query_data_alerts },
	{ "alert", Q_LABELS " name alertname ", "",
	  "alert [name=NAME] [LABEL=VALUE...]", sim_query_data_alert },
	{ "health", " service ", "", "health [service=NAME]",
	  sim_query_data_health },
	{ "redis", "", "", "redis", sim_query_data_redis },
};
#define NQUERIES	((int)(sizeof q_defs / sizeof q_defs[0]))

/* Arguments ------------------------------------------------------------- */
static int
q_parse(const struct q_def *q, int argc, const char *const *argv,
    struct sim_args *a, struct error *err)
{
	const struct sim_args_def	def = {
		.name = q->name,
		.keys = q->keys,
		.required = q->required,
		.usage = q->usage,
		.quote_bad = 0,
	};

	return (sim_args_parse(&def, argc, argv, a, err));
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

/* JSON ------------------------------------------------------------------ */
void
sim_query_add_str(cJSON *o, const char *key, const char *v)
{
	cJSON_AddStringToObject(o, key, v != NULL ? v : "");
}

/* Running ---------------------------------------------------------------- */
int
sim_query_check(const char *name, int argc, const char *const *argv,
    struct error *err)
{
	const struct q_def	*q;
	struct sim_args		 a;

	if ((q = q_lookup(name, err)) == NULL)
		return (-1);
	return (q_parse(q, argc, argv, &a, err));
}

char *
sim_query_json(struct sim *s, const char *name, int argc,
    const char *const *argv, struct error *err)
{
	const struct q_def	*q;
	struct sim_args		 a;
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
