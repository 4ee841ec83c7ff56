/* sim_action.c: the actions an operator (or a runbook's sim executor, or a
 * scenario event) can take on the demo world.  Each takes "key=value"
 * arguments; unknown actions, unknown or repeated keys, missing keys and
 * bad values are refused with a message that includes the usage line.
 * An action changes the world at once; its effects unfold over the next
 * ticks (pods roll, standbys catch up, outboxes drain). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_world.h"

struct act_def {
	const char	*name;
	const char	*keys;		/* allowed, " a b " */
	const char	*required;	/* " a b " */
	int		(*run)(struct sim *, const struct sim_args *, char *,
			    size_t, struct error *);
};

static int	act_scale(struct sim *, const struct sim_args *, char *, size_t,
		    struct error *);
static int	act_restart(struct sim *, const struct sim_args *, char *,
		    size_t, struct error *);
static int	act_rollback(struct sim *, const struct sim_args *, char *,
		    size_t, struct error *);
static int	act_delete_pod(struct sim *, const struct sim_args *, char *,
		    size_t, struct error *);
static int	act_set_memory(struct sim *, const struct sim_args *, char *,
		    size_t, struct error *);
static int	act_promote(struct sim *, const struct sim_args *, char *,
		    size_t, struct error *);
static int	act_pause_replay(struct sim *, const struct sim_args *, char *,
		    size_t, struct error *);
static int	act_resume_replay(struct sim *, const struct sim_args *,
		    char *, size_t, struct error *);
static int	act_rejoin(struct sim *, const struct sim_args *, char *,
		    size_t, struct error *);
static int	act_drop_slot(struct sim *, const struct sim_args *, char *,
		    size_t, struct error *);
static int	act_fail_primary(struct sim *, const struct sim_args *, char *,
		    size_t, struct error *);
static int	act_replay_outbox(struct sim *, const struct sim_args *,
		    char *, size_t, struct error *);
static int	act_resume_pub(struct sim *, const struct sim_args *, char *,
		    size_t, struct error *);
static int	act_kill_broker(struct sim *, const struct sim_args *, char *,
		    size_t, struct error *);
static int	act_restore_broker(struct sim *, const struct sim_args *,
		    char *, size_t, struct error *);
static int	act_reset_circuit(struct sim *, const struct sim_args *,
		    char *, size_t, struct error *);

static const struct act_def act_defs[] = {
	{ "scale", " deployment replicas ", " deployment replicas ",
	  act_scale },
	{ "restart", " deployment ", " deployment ", act_restart },
	{ "rollback", " deployment ", " deployment ", act_rollback },
	{ "delete-pod", " pod ", " pod ", act_delete_pod },
	{ "set-memory-limit", " deployment mib ", " deployment mib ",
	  act_set_memory },
	{ "promote", " standby name ", "", act_promote },
	{ "pause-replay", " standby ", " standby ", act_pause_replay },
	{ "resume-replay", " standby ", " standby ", act_resume_replay },
	{ "rejoin", " server ", " server ", act_rejoin },
	{ "drop-slot", " slot ", " slot ", act_drop_slot },
	{ "fail-primary", "", "", act_fail_primary },
	{ "replay-outbox", " service ", " service ", act_replay_outbox },
	{ "resume-publisher", " service ", " service ", act_resume_pub },
	{ "kill-broker", " service ", " service ", act_kill_broker },
	{ "restore-broker", " service ", " service ", act_restore_broker },
	{ "reset-circuit", " service dependency ", " service dependency ",
	  act_reset_circuit },
};
#define NACTS	((int)(sizeof act_defs / sizeof act_defs[0]))

/* In the order of act_defs. */
const char *const sim_action_usage[] = {
	"scale deployment=NAME replicas=N",
	"restart deployment=NAME",
	"rollback deployment=NAME",
	"delete-pod pod=NAME",
	"set-memory-limit deployment=NAME mib=N",
	"promote standby=NAME",
	"pause-replay standby=NAME",
	"resume-replay standby=NAME",
	"rejoin server=NAME",
	"drop-slot slot=NAME",
	"fail-primary",
	"replay-outbox service=NAME",
	"resume-publisher service=NAME",
	"kill-broker service=NAME",
	"restore-broker service=NAME",
	"reset-circuit service=NAME dependency=NAME",
	NULL
};
_Static_assert(sizeof sim_action_usage / sizeof sim_action_usage[0] ==
    sizeof act_defs / sizeof act_defs[0] + 1, "one usage line per action");

/* Arguments ------------------------------------------------------------- */
static const struct act_def *
act_find(const char *name)
{
	int	i;

	for (i = 0; i < NACTS; i++)
		if (strcmp(act_defs[i].name, name) == 0)
			return (&act_defs[i]);
	return (NULL);
}

static const char *
act_usage(const struct act_def *a)
{
	return (sim_action_usage[a - act_defs]);
}

static int
act_parse(const struct act_def *a, int argc, const char *const *argv,
    struct sim_args *args, struct error *err)
{
	const struct sim_args_def	def = {
		.name = a->name,
		.keys = a->keys,
		.required = a->required,
		.usage = act_usage(a),
		.quote_bad = 1,
	};

	return (sim_args_parse(&def, argc, argv, args, err));
}

static const struct act_def *
act_lookup(const char *name, struct error *err)
{
	const struct act_def	*a;

	if (name == NULL || (a = act_find(name)) == NULL) {
		error_set(err, "unknown action '%s' (scale, restart, rollback, "
		    "delete-pod, set-memory-limit, promote, pause-replay, "
		    "resume-replay, rejoin, drop-slot, fail-primary, "
		    "replay-outbox, resume-publisher, kill-broker, "
		    "restore-broker, reset-circuit)", name ? name : "");
		return (NULL);
	}
	return (a);
}

int
sim_action_check(const char *name, int argc, const char *const *argv,
    struct error *err)
{
	const struct act_def	*a;
	struct sim_args		 args;

	if ((a = act_lookup(name, err)) == NULL)
		return (-1);
	return (act_parse(a, argc, argv, &args, err));
}

int
sim_action_run(struct sim *s, const char *name, int argc,
    const char *const *argv, char *out, size_t outlen, struct error *err)
{
	const struct act_def	*a;
	struct sim_args		 args;

	if (outlen > 0)
		out[0] = '\0';
	if ((a = act_lookup(name, err)) == NULL ||
	    act_parse(a, argc, argv, &args, err) != 0)
		return (-1);
	return (a->run(s, &args, out, outlen, err));
}

/* Values ---------------------------------------------------------------- */
static int
act_int(const char *key, const char *v, int lo, int hi, int *out,
    struct error *err)
{
	char	*end;
	long	 x;

	errno = 0;
	x = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno != 0 || x < lo || x > hi) {
		error_set(err, "%s: '%s' is not a whole number from %d to %d",
		    key, v, lo, hi);
		return (-1);
	}
	*out = (int)x;
	return (0);
}

/* Kubernetes ------------------------------------------------------------ */
static int
act_scale(struct sim *s, const struct sim_args *a, char *out, size_t len,
    struct error *err)
{
	int	di, n, was;

	if ((di = sim_args_deploy(s, sim_args_get(a, "deployment"), 0,
	    err)) < 0 || act_int("replicas", sim_args_get(a, "replicas"), 0,
	    SIM_MAX_REPLICAS, &n, err) != 0)
		return (-1);
	was = s->dep[di].desired;
	sim_kube_scale(s, di, n);
	snprintf(out, len, "deployment.apps/%s scaled from %d to %d replicas",
	    s->dep[di].name, was, n);
	return (0);
}

static int
act_restart(struct sim *s, const struct sim_args *a, char *out, size_t len,
    struct error *err)
{
	int	di;

	if ((di = sim_args_deploy(s, sim_args_get(a, "deployment"), 0,
	    err)) < 0)
		return (-1);
	sim_kube_restart(s, di);
	snprintf(out, len, "deployment.apps/%s restarted (new ReplicaSet "
	    "%s-%s)", s->dep[di].name, s->dep[di].name, s->dep[di].cur.hash);
	return (0);
}

static int
act_rollback(struct sim *s, const struct sim_args *a, char *out, size_t len,
    struct error *err)
{
	int	di;

	if ((di = sim_args_deploy(s, sim_args_get(a, "deployment"), 0,
	    err)) < 0 || sim_kube_rollback(s, di, err) != 0)
		return (-1);
	snprintf(out, len, "deployment.apps/%s rolled back to %s-%s",
	    s->dep[di].name, s->dep[di].name, s->dep[di].cur.hash);
	return (0);
}

static int
act_delete_pod(struct sim *s, const struct sim_args *a, char *out,
    size_t len, struct error *err)
{
	const char	*name = sim_args_get(a, "pod");
	int		 pi;

	if ((pi = sim_kube_pod_find(s, name)) < 0) {
		error_set(err, "pods \"%s\" not found in %s", name, SIM_NS);
		return (-1);
	}
	if (s->pods[pi].deleting) {
		snprintf(out, len, "pod \"%s\" is already terminating", name);
		return (0);
	}
	sim_kube_delete_pod(s, pi);
	snprintf(out, len, "pod \"%s\" deleted", name);
	return (0);
}

static int
act_set_memory(struct sim *s, const struct sim_args *a, char *out,
    size_t len, struct error *err)
{
	int	di, mib, was;

	if ((di = sim_args_deploy(s, sim_args_get(a, "deployment"), 0,
	    err)) < 0 || act_int("mib", sim_args_get(a, "mib"), 64, 16384,
	    &mib, err) != 0)
		return (-1);
	was = s->dep[di].cur.limit_mib;
	sim_kube_set_limit(s, di, mib);
	snprintf(out, len, "deployment.apps/%s memory limit %dMi -> %dMi "
	    "(rolling out %s-%s)", s->dep[di].name, was, mib,
	    s->dep[di].name, s->dep[di].cur.hash);
	return (0);
}

/* PostgreSQL ------------------------------------------------------------ */
static int
act_promote(struct sim *s, const struct sim_args *a, char *out, size_t len,
    struct error *err)
{
	const char	*name = sim_args_either(a, "standby", "name");
	int		 i;

	if (name == NULL) {
		error_set(err, "promote: missing standby= (usage: %s)",
		    act_usage(act_find("promote")));
		return (-1);
	}
	if ((i = sim_args_server(s, name, err)) < 0 ||
	    sim_pg_promote(s, i, err) != 0)
		return (-1);
	snprintf(out, len, "promoting %s: it becomes the primary on timeline "
	    "%d; the services reconnect within 30s", name,
	    s->pg.n[s->pg.primary].timeline + 1);
	return (0);
}

static int
act_replay(struct sim *s, const struct sim_args *a, int pause, char *out,
    size_t len, struct error *err)
{
	const char	*name = sim_args_get(a, "standby");
	int		 i;

	if ((i = sim_args_server(s, name, err)) < 0 ||
	    sim_pg_replay(s, i, pause, err) != 0)
		return (-1);
	snprintf(out, len, "%s: WAL replay %s", name, pause ? "paused" :
	    "resumed");
	return (0);
}

static int
act_pause_replay(struct sim *s, const struct sim_args *a, char *out,
    size_t len, struct error *err)
{
	return (act_replay(s, a, 1, out, len, err));
}

static int
act_resume_replay(struct sim *s, const struct sim_args *a, char *out,
    size_t len, struct error *err)
{
	return (act_replay(s, a, 0, out, len, err));
}

static int
act_rejoin(struct sim *s, const struct sim_args *a, char *out, size_t len,
    struct error *err)
{
	const char	*name = sim_args_get(a, "server");
	int		 i;

	if ((i = sim_args_server(s, name, err)) < 0 ||
	    sim_pg_rejoin(s, i, err) != 0)
		return (-1);
	snprintf(out, len, "%s rewound and restarting as a standby of %s",
	    name, s->pg.n[s->pg.primary].name);
	return (0);
}

static int
act_drop_slot(struct sim *s, const struct sim_args *a, char *out,
    size_t len, struct error *err)
{
	const char	*name = sim_args_get(a, "slot");
	int		 i;

	if ((i = sim_pg_slot_find(s, name)) < 0) {
		error_set(err, "replication slot \"%s\" does not exist", name);
		return (-1);
	}
	if (sim_pg_drop_slot(s, i, err) != 0)
		return (-1);
	snprintf(out, len, "replication slot \"%s\" dropped", name);
	return (0);
}

static int
act_fail_primary(struct sim *s, const struct sim_args *a, char *out,
    size_t len, struct error *err)
{
	const char	*name = s->pg.n[s->pg.primary].name;

	if (sim_pg_fail_primary(s, err) != 0)
		return (-1);
	snprintf(out, len, "%s crashed (simulated): standbys and services "
	    "lose it", name);
	return (0);
}

/* Outbox, broker and circuits ------------------------------------------- */
static int
act_replay_outbox(struct sim *s, const struct sim_args *a, char *out,
    size_t len, struct error *err)
{
	int	di;
	int64_t	n;

	if ((di = sim_args_deploy(s, sim_args_get(a, "service"), 1, err)) < 0)
		return (-1);
	n = s->dep[di].ob.failed;
	if (sim_outbox_replay(s, di, err) != 0)
		return (-1);
	snprintf(out, len, "%s: %lld failed outbox messages set back to "
	    "pending", s->dep[di].db, (long long)n);
	return (0);
}

static int
act_resume_pub(struct sim *s, const struct sim_args *a, char *out,
    size_t len, struct error *err)
{
	int	di, was;

	if ((di = sim_args_deploy(s, sim_args_get(a, "service"), 1, err)) < 0)
		return (-1);
	was = s->dep[di].ob.running;
	if (sim_outbox_resume(s, di, err) != 0)
		return (-1);
	snprintf(out, len, "%s outbox publisher %s (%lld pending)",
	    s->dep[di].name, was ? "was already running" : "started",
	    (long long)s->dep[di].ob.pending);
	return (0);
}

static int
act_broker(struct sim *s, const struct sim_args *a, int ok, char *out,
    size_t len, struct error *err)
{
	int	di;

	if ((di = sim_args_deploy(s, sim_args_get(a, "service"), 1, err)) < 0)
		return (-1);
	sim_broker_set(s, di, ok);
	snprintf(out, len, "event bus %s for %s", ok ? "reachable again" :
	    "unreachable (simulated)", s->dep[di].name);
	return (0);
}

static int
act_kill_broker(struct sim *s, const struct sim_args *a, char *out,
    size_t len, struct error *err)
{
	return (act_broker(s, a, 0, out, len, err));
}

static int
act_restore_broker(struct sim *s, const struct sim_args *a, char *out,
    size_t len, struct error *err)
{
	return (act_broker(s, a, 1, out, len, err));
}

static int
act_reset_circuit(struct sim *s, const struct sim_args *a, char *out,
    size_t len, struct error *err)
{
	const char	*from = sim_args_get(a, "service");
	const char	*to = sim_args_get(a, "dependency");
	int		 i;
	const char	*was;

	if ((i = sim_circuit_find(s, from, to)) < 0) {
		error_set(err, "no circuit %s -> %s", from, to);
		return (-1);
	}
	was = circuit_state_name(s->cb[i].state);
	sim_circuit_reset(s, i);
	snprintf(out, len, "circuit %s -> %s closed (was %s)", from, to, was);
	return (0);
}
