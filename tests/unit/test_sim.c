/* test_sim.c: the demo world: determinism, scenarios, actions, alerts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sim.h"
#include "store.h"

#define EPOCH	1700000000000LL

static const char *const scenarios[] = {
	"calm", "oom-crashloop", "replication-stall", "outbox-backlog",
	"primary-lost", "bad-deploy", NULL
};

static int
setup(void **state)
{
	/* The tests run from the top of the source tree. */
	setenv("SITREP_DATADIR", ".", 0);
	return (0);
}

static struct sim *
mk(const char *scenario, uint64_t seed)
{
	struct error	 err;
	struct sim	*s;

	err.msg[0] = '\0';
	s = sim_new(scenario, seed, EPOCH, &err);
	if (s == NULL)
		fail_msg("sim_new(%s): %s", scenario, err.msg);
	return (s);
}

/* Run an action given as one string, "scale deployment=x replicas=3". */
static int
act(struct sim *s, const char *line, char *out, size_t outlen,
    struct error *err)
{
	char		 buf[256], *argv[8], *name, *tok, *save;
	int		 argc = 0;

	snprintf(buf, sizeof buf, "%s", line);
	name = strtok_r(buf, " ", &save);
	while ((tok = strtok_r(NULL, " ", &save)) != NULL && argc < 8)
		argv[argc++] = tok;
	return (sim_action(s, name, argc, (const char *const *)argv, out,
	    outlen, err));
}

static void
act_ok(struct sim *s, const char *line)
{
	char		out[256];
	struct error	err;

	err.msg[0] = '\0';
	if (act(s, line, out, sizeof out, &err) != 0)
		fail_msg("%s: %s", line, err.msg);
	assert_true(out[0] != '\0');
}

static int
alerts(struct sim *s, const char *name, const char *label)
{
	struct snapshot	*snap = sim_snapshot(s, SNAP_ALERTS);
	struct alert	*a;
	int		 i, n = 0;

	for (i = 0; i < snap->u.alerts.n; i++) {
		a = &snap->u.alerts.rows[i];
		if (strcmp(a->name, name) == 0 &&
		    (label == NULL || strstr(a->labels, label) != NULL))
			n++;
	}
	snapshot_unref(snap);
	return (n);
}

/* Pods of a deployment with a STATUS (NULL: any), and optionally a last
 * termination reason and all containers ready. */
static int
pods(struct sim *s, const char *dep, const char *status, const char *last,
    int ready)
{
	struct snapshot	*snap = sim_snapshot(s, SNAP_PODS);
	struct pod	*p;
	int		 i, n = 0;

	for (i = 0; i < snap->u.pods.npods; i++) {
		p = &snap->u.pods.pods[i];
		if (strcmp(p->deployment, dep) != 0)
			continue;
		if (status != NULL && strcmp(p->status, status) != 0)
			continue;
		if (last != NULL && strcmp(p->last_reason, last) != 0)
			continue;
		if (ready && p->ready != p->total)
			continue;
		n++;
	}
	snapshot_unref(snap);
	return (n);
}

static double
replay_lag(struct sim *s, const char *standby, char *state, size_t len)
{
	struct snapshot	*snap = sim_snapshot(s, SNAP_REPLICATION);
	double		 lag = -2;
	int		 i;

	for (i = 0; i < snap->u.repl.nstandbys; i++) {
		if (strcmp(snap->u.repl.standbys[i].name, standby) != 0)
			continue;
		lag = snap->u.repl.standbys[i].replay_lag_s;
		if (state != NULL)
			snprintf(state, len, "%s",
			    snap->u.repl.standbys[i].state);
	}
	snapshot_unref(snap);
	return (lag);
}

static const struct outbox *
outbox_row(const struct snapshot *snap, const char *service)
{
	int	i;

	for (i = 0; i < snap->u.outbox.n; i++)
		if (strcmp(snap->u.outbox.rows[i].service, service) == 0)
			return (&snap->u.outbox.rows[i]);
	fail_msg("no outbox row for %s", service);
	return (NULL);
}

static int
circuits_not_closed(struct sim *s, const char *service)
{
	struct snapshot	*snap = sim_snapshot(s, SNAP_CIRCUITS);
	int		 i, n = 0;

	for (i = 0; i < snap->u.circuits.n; i++)
		if (strcmp(snap->u.circuits.rows[i].service, service) == 0 &&
		    snap->u.circuits.rows[i].state != CIRCUIT_CLOSED)
			n++;
	snapshot_unref(snap);
	return (n);
}

/* Advance second by second until f is true; returns the time or -1. */
static int64_t
until(struct sim *s, int64_t limit, int (*f)(struct sim *))
{
	while (sim_now(s) < limit) {
		if (f(s))
			return (sim_now(s));
		sim_advance(s, 1);
	}
	return (f(s) ? sim_now(s) : -1);
}

/* Determinism ----------------------------------------------------------- */
static void
test_same_seed_same_digest(void **state)
{
	struct sim	*a = mk("oom-crashloop", 0), *b = mk("oom-crashloop", 0);
	int		 i;

	assert_int_equal(sim_digest(a), sim_digest(b));
	sim_advance(a, 300);
	for (i = 0; i < 300; i++)
		sim_advance(b, 1);
	assert_int_equal(sim_digest(a), sim_digest(b));
	act_ok(a, "scale deployment=gateway replicas=4");
	act_ok(b, "scale deployment=gateway replicas=4");
	act_ok(a, "kill-broker service=sales");
	act_ok(b, "kill-broker service=sales");
	sim_advance(a, 600);
	sim_advance(b, 250);
	sim_advance(b, 350);
	assert_int_equal(sim_now(a), 900);
	assert_int_equal(sim_digest(a), sim_digest(b));
	sim_free(a);
	sim_free(b);
}

static void
test_different_seed_different_digest(void **state)
{
	struct sim	*a = mk("calm", 1), *b = mk("calm", 2);

	sim_advance(a, 120);
	sim_advance(b, 120);
	assert_int_not_equal(sim_digest(a), sim_digest(b));
	sim_free(a);
	sim_free(b);
}

static void
test_action_changes_digest(void **state)
{
	struct sim	*a = mk("calm", 5), *b = mk("calm", 5);

	sim_advance(a, 60);
	sim_advance(b, 60);
	act_ok(a, "restart deployment=finance");
	sim_advance(a, 60);
	sim_advance(b, 60);
	assert_int_not_equal(sim_digest(a), sim_digest(b));
	sim_free(a);
	sim_free(b);
}

/* Scenarios ------------------------------------------------------------- */
static void
test_scenarios_load(void **state)
{
	struct sim	*s;
	int		 i;

	for (i = 0; scenarios[i] != NULL; i++) {
		s = mk(scenarios[i], 0);
		assert_string_equal(sim_scenario_name(s), scenarios[i]);
		assert_true(strlen(sim_scenario_description(s)) > 40);
		assert_true(sim_speed(s) == 1.0);
		sim_advance(s, 30);
		assert_int_equal(sim_now(s), 30);
		sim_free(s);
	}
}

static void
test_calm_is_calm(void **state)
{
	struct sim	*s = mk("calm", 0);
	struct snapshot	*snap;
	int		 i;

	sim_advance(s, 1800);
	snap = sim_snapshot(s, SNAP_ALERTS);
	assert_int_equal(snap->u.alerts.n, 0);
	snapshot_unref(snap);
	snap = sim_snapshot(s, SNAP_PODS);
	assert_string_equal(snap->u.pods.context, "sim-cluster");
	assert_int_equal(snap->u.pods.npods, 18);
	assert_int_equal(snap->u.pods.ndeploys, 8);
	for (i = 0; i < snap->u.pods.npods; i++) {
		assert_string_equal(snap->u.pods.pods[i].ns, "erp-system");
		assert_string_equal(snap->u.pods.pods[i].status, "Running");
		assert_int_equal(snap->u.pods.pods[i].problem, 0);
		assert_true(snap->u.pods.pods[i].mem_pct > 30);
		if (i > 0)
			assert_true(strcmp(snap->u.pods.pods[i - 1].name,
			    snap->u.pods.pods[i].name) < 0);
	}
	snapshot_unref(snap);
	snap = sim_snapshot(s, SNAP_REPLICATION);
	assert_string_equal(snap->u.repl.server, "pg-primary");
	assert_string_equal(snap->u.repl.role, "primary");
	assert_int_equal(snap->u.repl.nstandbys, 2);
	assert_int_equal(snap->u.repl.nslots, 3);
	assert_int_equal(snap->u.repl.standbys[0].nhist, 60);
	assert_true(snap->u.repl.standbys[0].replay_lag_s < 1.0);
	snapshot_unref(snap);
	snap = sim_snapshot(s, SNAP_OUTBOX);
	assert_int_equal(snap->u.outbox.n, 6);
	assert_true(outbox_row(snap, "finance")->processed_5m > 1000);
	assert_true(outbox_row(snap, "finance")->pending < 200);
	snapshot_unref(snap);
	assert_int_equal(circuits_not_closed(s, "gateway"), 0);
	sim_free(s);
}

static void
test_pod_names(void **state)
{
	struct sim	*s = mk("calm", 0);
	struct snapshot	*snap = sim_snapshot(s, SNAP_PODS);
	const char	*n;
	size_t		 dl;
	int		 i;

	for (i = 0; i < snap->u.pods.npods; i++) {
		n = snap->u.pods.pods[i].name;
		dl = strlen(snap->u.pods.pods[i].deployment);
		assert_int_equal(strncmp(n, snap->u.pods.pods[i].deployment,
		    dl), 0);
		assert_int_equal(strlen(n), dl + 1 + 10 + 1 + 5);
		assert_int_equal(n[dl], '-');
		assert_int_equal(n[dl + 11], '-');
		assert_int_equal(strncmp(snap->u.pods.pods[i].node, "node-", 5),
		    0);
	}
	snapshot_unref(snap);
	sim_free(s);
}

/* oom-crashloop --------------------------------------------------------- */
static int
high_memory(struct sim *s)
{
	return (alerts(s, "HighMemoryUsage", "deployment=inventory") > 0);
}

static int
oom_crashloop(struct sim *s)
{
	return (pods(s, "inventory", "CrashLoopBackOff", "OOMKilled", 0) > 0);
}

static int
crashloop_alert(struct sim *s)
{
	return (alerts(s, "PodCrashLooping", "deployment=inventory") > 0);
}

static int
inventory_healthy(struct sim *s)
{
	return (pods(s, "inventory", "Running", NULL, 1) == 3 &&
	    pods(s, "inventory", NULL, NULL, 0) == 3);
}

static void
test_oom_crashloop(void **state)
{
	struct sim	*s = mk("oom-crashloop", 0);
	struct snapshot	*snap;
	const struct alert *a;
	int64_t		 t;

	t = until(s, 600, high_memory);
	assert_true(t >= 330 && t <= 540);
	snap = sim_snapshot(s, SNAP_ALERTS);
	a = &snap->u.alerts.rows[0];
	assert_string_equal(a->severity, "warning");
	assert_string_equal(a->runbook_url,
	    "https://runbooks.chiroerp.com/high-memory-usage");
	assert_string_equal(a->runbook, "high-memory-usage");
	assert_true(strncmp(a->matchers, "alertname=HighMemoryUsage\n"
	    "namespace=erp-system\n", 47) == 0);
	assert_non_null(strstr(a->matchers, "\nseverity=warning\n"));
	assert_non_null(strstr(a->labels, "namespace=erp-system"));
	assert_int_equal(strlen(a->fingerprint), 16);
	assert_int_equal(a->starts_ms, EPOCH + t * 1000);
	assert_int_equal(a->state, ALERT_ACTIVE);
	snapshot_unref(snap);

	assert_true(until(s, 700, oom_crashloop) > 480);
	assert_true(until(s, 1000, crashloop_alert) > 0);
	assert_true(alerts(s, "HealthCheckFailing", "deployment=inventory") > 0);
	assert_true(circuits_not_closed(s, "gateway") > 0);

	act_ok(s, "set-memory-limit deployment=inventory mib=1024");
	act_ok(s, "restart deployment=inventory");
	t = sim_now(s);
	assert_true(until(s, t + 240, inventory_healthy) > 0);
	sim_advance(s, 5);
	assert_int_equal(alerts(s, "PodCrashLooping", NULL), 0);
	assert_int_equal(alerts(s, "HighMemoryUsage", NULL), 0);
	assert_int_equal(alerts(s, "HealthCheckFailing", NULL), 0);
	sim_advance(s, 120);
	assert_int_equal(circuits_not_closed(s, "gateway"), 0);
	assert_int_equal(pods(s, "inventory", "Running", NULL, 1), 3);
	sim_free(s);
}

/* The kubelet's crash back-off: a dead container restarts at once, then
 * after 10s, 20s, 40s, ... */
static void
test_crashloop_backoff(void **state)
{
	struct sim	*s = mk("oom-crashloop", 0);
	struct snapshot	*snap;
	char		 name[128] = "";
	int64_t		 died = -1, gaps[8];
	int		 i, ngaps = 0;

	sim_advance(s, 520);
	while (sim_now(s) < 1200 && ngaps < 5) {
		sim_advance(s, 1);
		snap = sim_snapshot(s, SNAP_PODS);
		for (i = 0; i < snap->u.pods.npods; i++) {
			struct pod *p = &snap->u.pods.pods[i];

			if (strcmp(p->deployment, "inventory") != 0)
				continue;
			if (name[0] == '\0' && strcmp(p->status,
			    "OOMKilled") == 0)
				snprintf(name, sizeof name, "%s", p->name);
			if (strcmp(p->name, name) != 0)
				continue;
			if (strcmp(p->status, "OOMKilled") == 0 && died < 0)
				died = sim_now(s);
			if (strcmp(p->status, "Running") == 0 && died >= 0) {
				gaps[ngaps++] = sim_now(s) - died;
				died = -1;
			}
		}
		snapshot_unref(snap);
	}
	assert_true(ngaps >= 4);
	assert_int_equal(gaps[0], 1);
	assert_int_equal(gaps[1], 10);
	assert_int_equal(gaps[2], 20);
	assert_int_equal(gaps[3], 40);
	sim_free(s);
}

/* replication-stall ----------------------------------------------------- */
static int
lag_warning(struct sim *s)
{
	return (alerts(s, "PostgresReplicationLagHigh", "pg-standby-2") > 0);
}

static void
test_replication_stall(void **state)
{
	struct sim	*s = mk("replication-stall", 0);
	struct snapshot	*snap;
	const struct standby *sb;
	char		 st[32];
	int64_t		 t;

	t = until(s, 400, lag_warning);
	if (t < 140 || t > 200)
		fail_msg("lag alert at %lld", (long long)t);
	sim_advance(s, 480 - sim_now(s));
	assert_true(replay_lag(s, "pg-standby-2", st, sizeof st) > 300);
	assert_string_equal(st, "streaming");
	assert_true(replay_lag(s, "pg-standby-1", NULL, 0) < 30);
	assert_int_equal(alerts(s, "PostgresReplicationLagHigh",
	    "pg-standby-2"), 2);	/* warning and critical */

	snap = sim_snapshot(s, SNAP_REPLICATION);
	sb = &snap->u.repl.standbys[1];
	assert_string_equal(sb->name, "pg-standby-2");
	assert_true(sb->replay_bytes > 500LL * 1024 * 1024);
	assert_true(sb->flush_bytes < 4LL * 1024 * 1024);
	assert_int_equal(sb->nhist, 60);
	assert_true(sb->hist[59] > sb->hist[0] + 200);
	assert_true(snap->u.repl.slots[2].active == 0);
	assert_string_equal(snap->u.repl.slots[2].type, "logical");
	snapshot_unref(snap);

	act_ok(s, "resume-replay standby=pg-standby-2");
	sim_advance(s, 120);
	assert_true(replay_lag(s, "pg-standby-2", NULL, 0) < 1.0);
	assert_int_equal(alerts(s, "PostgresReplicationLagHigh", NULL), 0);
	sim_free(s);
}

/* primary-lost ---------------------------------------------------------- */
static int
primary_down(struct sim *s)
{
	return (alerts(s, "PostgresPrimaryDown", NULL) > 0);
}

static void
test_primary_lost(void **state)
{
	struct sim	*s = mk("primary-lost", 0);
	struct snapshot	*snap;
	char		 out[256], st[32];
	struct error	 err;
	int64_t		 t;
	int		 i;

	assert_int_equal(act(s, "promote standby=pg-standby-1", out,
	    sizeof out, &err), -1);
	assert_non_null(strstr(err.msg, "split"));
	t = until(s, 200, primary_down);
	assert_true(t >= 85 && t <= 100);
	snap = sim_snapshot(s, SNAP_REPLICATION);
	assert_string_equal(snap->u.repl.role, "down");
	assert_int_equal(snap->u.repl.nstandbys, 2);
	for (i = 0; i < 2; i++) {
		assert_string_equal(snap->u.repl.standbys[i].state,
		    "disconnected");
		assert_true(snap->u.repl.standbys[i].replay_lag_s < 0);
	}
	snapshot_unref(snap);
	sim_advance(s, 240 - sim_now(s));
	assert_true(circuits_not_closed(s, "gateway") >= 6);
	assert_true(alerts(s, "HealthCheckFailing", NULL) >= 10);
	assert_true(alerts(s, "CircuitBreakerOpen", NULL) > 0);

	act_ok(s, "promote name=pg-standby-1");
	sim_advance(s, 5);
	snap = sim_snapshot(s, SNAP_REPLICATION);
	assert_string_equal(snap->u.repl.server, "pg-standby-1");
	assert_string_equal(snap->u.repl.role, "primary");
	snapshot_unref(snap);
	sim_advance(s, 1);
	assert_int_equal(alerts(s, "PostgresPrimaryDown", NULL), 0);
	sim_advance(s, 60);
	assert_true(replay_lag(s, "pg-standby-2", st, sizeof st) >= 0);
	assert_true(strcmp(st, "streaming") == 0 || strcmp(st, "catchup") == 0);
	sim_advance(s, 120);
	assert_int_equal(alerts(s, "HealthCheckFailing", NULL), 0);
	assert_int_equal(circuits_not_closed(s, "gateway"), 0);

	act_ok(s, "rejoin server=pg-primary");
	sim_advance(s, 60);
	snap = sim_snapshot(s, SNAP_REPLICATION);
	assert_int_equal(snap->u.repl.nstandbys, 2);
	snapshot_unref(snap);
	sim_free(s);
}

/* outbox-backlog -------------------------------------------------------- */
static void
test_outbox_backlog(void **state)
{
	struct sim		*s = mk("outbox-backlog", 0);
	struct snapshot		*snap;
	const struct outbox	*o;
	int64_t			 pending;

	sim_advance(s, 330);
	snap = sim_snapshot(s, SNAP_OUTBOX);
	o = outbox_row(snap, "finance");
	assert_string_equal(o->database, "finance_db");
	assert_true(o->pending > 1000);
	assert_true(o->failed > 0);
	assert_true(o->oldest_age_s > 200);
	assert_int_equal(o->processed_1m, 0);
	assert_true(o->nhist > 50);
	pending = o->pending;
	snapshot_unref(snap);
	assert_int_equal(alerts(s, "OutboxBacklogHigh", "service=finance"), 1);
	assert_int_equal(alerts(s, "OutboxMessagesFailing", "service=sales"),
	    1);
	assert_true(circuits_not_closed(s, "finance") > 0);

	sim_advance(s, 30);
	snap = sim_snapshot(s, SNAP_OUTBOX);
	assert_true(outbox_row(snap, "finance")->pending > pending);
	snapshot_unref(snap);

	sim_advance(s, 40);	/* the bus is back at 6m */
	act_ok(s, "resume-publisher service=finance");
	act_ok(s, "resume-publisher service=sales");
	act_ok(s, "replay-outbox service=finance");
	act_ok(s, "replay-outbox service=sales");
	sim_advance(s, 150);
	snap = sim_snapshot(s, SNAP_OUTBOX);
	o = outbox_row(snap, "finance");
	assert_true(o->pending < 100);
	assert_int_equal(o->failed, 0);
	assert_true(o->processed_5m > 2000);
	assert_true(outbox_row(snap, "sales")->pending < 100);
	snapshot_unref(snap);
	assert_int_equal(alerts(s, "OutboxBacklogHigh", NULL), 0);
	assert_int_equal(alerts(s, "OutboxMessagesFailing", NULL), 0);
	sim_free(s);
}

/* Actions --------------------------------------------------------------- */
static int
gateway_five(struct sim *s)
{
	return (pods(s, "gateway", "Running", NULL, 1) == 5);
}

static int
gateway_one(struct sim *s)
{
	return (pods(s, "gateway", NULL, NULL, 0) == 1);
}

static void
test_scale(void **state)
{
	struct sim	*s = mk("calm", 0);
	struct snapshot	*snap;

	act_ok(s, "scale deployment=gateway replicas=5");
	assert_true(until(s, 60, gateway_five) > 0);
	act_ok(s, "scale deployment=gateway replicas=1");
	assert_true(until(s, 120, gateway_one) > 0);
	snap = sim_snapshot(s, SNAP_PODS);
	assert_string_equal(snap->u.pods.deploys[0].name, "gateway");
	assert_int_equal(snap->u.pods.deploys[0].desired, 1);
	assert_int_equal(snap->u.pods.deploys[0].ready, 1);
	snapshot_unref(snap);
	sim_free(s);
}

static void
test_delete_pod_and_rollout(void **state)
{
	struct sim	*s = mk("calm", 0);
	struct snapshot	*snap;
	char		 line[256], old[128];
	int		 i;

	snap = sim_snapshot(s, SNAP_PODS);
	for (i = 0; strcmp(snap->u.pods.pods[i].deployment, "sales"); i++)
		;
	snprintf(old, sizeof old, "%s", snap->u.pods.pods[i].name);
	snapshot_unref(snap);
	snprintf(line, sizeof line, "delete-pod pod=%s", old);
	act_ok(s, line);
	sim_advance(s, 1);
	assert_int_equal(pods(s, "sales", "Terminating", NULL, 0), 1);
	sim_advance(s, 60);
	assert_int_equal(pods(s, "sales", "Running", NULL, 1), 2);
	act_ok(s, "restart deployment=sales");
	sim_advance(s, 120);
	snap = sim_snapshot(s, SNAP_PODS);
	for (i = 0; i < snap->u.pods.npods; i++)
		assert_string_not_equal(snap->u.pods.pods[i].name, old);
	snapshot_unref(snap);
	assert_int_equal(pods(s, "sales", "Running", NULL, 1), 2);
	assert_int_equal(pods(s, "sales", NULL, NULL, 0), 2);
	act_ok(s, "rollback deployment=sales");
	sim_free(s);
}

static void
expect_fail(struct sim *s, const char *line, const char *words)
{
	char		out[256];
	struct error	err;

	err.msg[0] = '\0';
	if (act(s, line, out, sizeof out, &err) != -1)
		fail_msg("'%s' was accepted: %s", line, out);
	if (strstr(err.msg, words) == NULL)
		fail_msg("'%s': message '%s' lacks '%s'", line, err.msg,
		    words);
}

static void
test_bad_actions(void **state)
{
	struct sim	*s = mk("calm", 0);
	uint64_t	 before;
	int		 i;

	before = sim_digest(s);
	expect_fail(s, "explode", "unknown action");
	expect_fail(s, "scale deployment=gateway", "missing replicas=");
	expect_fail(s, "scale deployment=gateway replicas=abc", "whole number");
	expect_fail(s, "scale deployment=gateway replicas=99", "0 to 20");
	expect_fail(s, "scale deployment=gateway replicas=2 color=red",
	    "unknown argument 'color'");
	expect_fail(s, "scale deployment=nope replicas=2", "no deployment");
	expect_fail(s, "scale gateway", "not key=value");
	expect_fail(s, "scale deployment=a deployment=b replicas=1", "twice");
	expect_fail(s, "delete-pod pod=nope-123", "not found");
	expect_fail(s, "set-memory-limit deployment=inventory mib=10", "64");
	expect_fail(s, "promote standby=pg-standby-9", "no database server");
	expect_fail(s, "promote", "missing standby=");
	expect_fail(s, "resume-replay standby=pg-primary", "not a running");
	expect_fail(s, "replay-outbox service=gateway", "outbox");
	expect_fail(s, "reset-circuit service=gateway dependency=mars",
	    "no circuit");
	expect_fail(s, "drop-slot slot=pg_standby_1", "active");
	expect_fail(s, "rollback deployment=finance", "no previous");
	expect_fail(s, "rejoin server=pg-standby-1", "is up");
	assert_int_equal(sim_digest(s), before);
	for (i = 0; sim_action_usage[i] != NULL; i++)
		assert_true(strlen(sim_action_usage[i]) > 3);
	assert_true(i >= 14);
	act_ok(s, "reset-circuit service=gateway dependency=inventory");
	act_ok(s, "pause-replay standby=pg-standby-1");
	act_ok(s, "kill-broker service=inventory");
	act_ok(s, "restore-broker service=inventory");
	act_ok(s, "fail-primary");
	expect_fail(s, "fail-primary", "no primary");
	sim_free(s);
}

/* Malformed scenarios --------------------------------------------------- */
static void
expect_bad_yaml(const char *text, const char *where, const char *words)
{
	char		 path[] = "/tmp/sitrep-test-XXXXXX.yaml";
	char		 want[128];
	struct error	 err;
	struct sim	*s;
	FILE		*f;
	int		 fd;

	fd = mkstemps(path, 5);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	err.msg[0] = '\0';
	s = sim_new(path, 0, EPOCH, &err);
	unlink(path);
	if (s != NULL)
		fail_msg("scenario accepted: %s", text);
	snprintf(want, sizeof want, "%s%s", path, where);
	if (strncmp(err.msg, want, strlen(want)) != 0)
		fail_msg("error '%s' does not start with '%s'", err.msg, want);
	if (strstr(err.msg, words) == NULL)
		fail_msg("error '%s' lacks '%s'", err.msg, words);
}

static void
test_malformed_scenarios(void **state)
{
	struct error	 err;

	expect_bad_yaml("name: x\nevents:\n  - {at: 30s, fault: load\n"
	    "  - {at: 40s}\n", ":4:", "");
	expect_bad_yaml("name: x\nseed: 3\nevents:\n"
	    "  - {at: 30s, fault: meltdown}\n", ":4:", "unknown fault");
	expect_bad_yaml("name: x\ncolour: red\n", ":2:", "unknown key");
	expect_bad_yaml("name: x\nevents:\n  - at: 30s\n"
	    "    fault: memory-leak\n    target: nope\n    rate: 1\n", ":3:",
	    "no deployment 'nope'");
	expect_bad_yaml("events:\n  - {at: soon, fault: load, factor: 2}\n",
	    ":2:", "not a duration");
	expect_bad_yaml("events:\n  - {at: 1m, fault: memory-leak, "
	    "target: inventory}\n", ":2:", "needs rate");
	expect_bad_yaml("events:\n  - {at: 1m, action: scale, "
	    "deployment: gateway, replicas: 2, speed: 3}\n", ":2:",
	    "unknown argument 'speed'");
	expect_bad_yaml("deployments:\n  inventory: {replicas: 300}\n", ":2:",
	    "replicas");
	expect_bad_yaml("- just\n- a list\n", ":1:", "mapping");
	assert_null(sim_new("no-such-scenario", 0, EPOCH, &err));
	assert_non_null(strstr(err.msg, "not found"));
}

static void
test_scenario_actions(void **state)
{
	char		 path[] = "/tmp/sitrep-test-XXXXXX.yaml";
	struct sim	*s;
	FILE		*f;
	int		 fd;

	fd = mkstemps(path, 5);
	f = fdopen(fd, "w");
	fputs("name: scripted\nseed: 9\ndeployments:\n"
	    "  finance: {replicas: 3}\nevents:\n"
	    "  - {at: 20s, action: scale, deployment: gateway, replicas: 4}\n"
	    "  - {at: 10s, fault: load, factor: 2}\n", f);
	fclose(f);
	s = mk(path, 0);
	unlink(path);
	assert_string_equal(sim_scenario_name(s), "scripted");
	assert_int_equal(pods(s, "finance", NULL, NULL, 0), 3);
	sim_advance(s, 60);
	assert_int_equal(pods(s, "gateway", "Running", NULL, 1), 4);
	sim_free(s);
}

/* Redis ----------------------------------------------------------------- */
static int
redis_pct(const struct redis_node *n)
{
	return ((int)(n->used_memory * 100 / n->maxmemory));
}

/* Checks the pair; returns the master's memory percentage. */
static int
redis_pair(struct sim *s, int link_up)
{
	struct snapshot		*snap = sim_snapshot(s, SNAP_REDIS);
	const struct redis_node	*m, *r;
	int			 pct;

	assert_int_equal(snap->u.redis.n, 2);
	m = &snap->u.redis.nodes[0];
	r = &snap->u.redis.nodes[1];
	assert_string_equal(m->name, "redis-cache");
	assert_string_equal(m->role, "master");
	assert_string_equal(m->error, "");
	assert_int_equal(m->rdb_ok, 1);
	assert_true(m->rdb_last_save_age_s >= 0 &&
	    m->rdb_last_save_age_s <= 300);
	assert_string_equal(r->name, "redis-cache-replica");
	assert_string_equal(r->role, "slave");
	assert_string_equal(r->master, m->addr);
	assert_string_equal(r->link_status, link_up ? "up" : "down");
	if (link_up) {
		assert_int_equal(m->nreplicas, 1);
		assert_string_equal(m->replicas[0].state, "online");
		assert_true(m->replicas[0].lag_bytes >= 0 &&
		    m->replicas[0].lag_bytes <= 4096);
		assert_true(r->last_io_s >= 0 && r->last_io_s <= 1);
		assert_int_equal(r->link_down_s, -1);
	} else {
		assert_int_equal(m->nreplicas, 0);
		assert_int_equal(r->last_io_s, -1);
		assert_true(r->repl_offset < m->repl_offset);
	}
	pct = redis_pct(m);
	snapshot_unref(snap);
	return (pct);
}

static void
test_redis(void **state)
{
	char		 path[] = "/tmp/sitrep-test-XXXXXX.yaml";
	struct sim	*s = mk("calm", 0);
	struct snapshot	*snap;
	FILE		*f;
	int		 fd, pct0, pct1;

	pct0 = redis_pair(s, 1);
	assert_true(pct0 >= 58 && pct0 <= 62);
	sim_advance(s, 3600);
	pct1 = redis_pair(s, 1);
	assert_true(pct1 > pct0 && pct1 < 70);	/* slow growth */
	sim_free(s);

	/* Losing the database primary leaves Redis alone. */
	s = mk("primary-lost", 0);
	sim_advance(s, 240);
	redis_pair(s, 1);
	sim_free(s);

	fd = mkstemps(path, 5);
	f = fdopen(fd, "w");
	fputs("name: redis-link\nevents:\n"
	    "  - {at: 10s, fault: redis-replica-link-down}\n"
	    "  - {at: 70s, fault: redis-replica-link-up}\n", f);
	fclose(f);
	s = mk(path, 0);
	unlink(path);
	sim_advance(s, 40);
	redis_pair(s, 0);
	snap = sim_snapshot(s, SNAP_REDIS);
	assert_int_equal(snap->u.redis.nodes[1].link_down_s, 30);
	snapshot_unref(snap);
	sim_advance(s, 40);
	redis_pair(s, 1);
	sim_free(s);
}

/* The source ------------------------------------------------------------ */
static void
test_source_publishes(void **state)
{
	struct sim	*s = mk("calm", 0);
	struct source	 src;
	struct snapshot	*snap;
	struct error	 err;
	int		 k;

	memset(&src, 0, sizeof src);
	src.cls = &sim_source;
	snprintf(src.name, sizeof src.name, "sim");
	src.priv = s;
	src.store = store_new();
	assert_int_equal(sim_source.open(&src, &err), 0);
	sim_set_speed(s, 1000);
	usleep(20000);
	assert_int_equal(sim_source.fetch(&src, &err), 0);
	assert_true(sim_now(s) >= 10);
	for (k = 0; k < SNAP__COUNT; k++) {
		snap = store_get(src.store, k, NULL);
		assert_non_null(snap);
		assert_int_equal(snap->kind, k);
		assert_true(snap->fetched_ms > EPOCH);
		snapshot_unref(snap);
	}
	sim_source.close(&src);
	store_free(src.store);
	sim_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_seed_same_digest),
		cmocka_unit_test(test_different_seed_different_digest),
		cmocka_unit_test(test_action_changes_digest),
		cmocka_unit_test(test_scenarios_load),
		cmocka_unit_test(test_calm_is_calm),
		cmocka_unit_test(test_pod_names),
		cmocka_unit_test(test_oom_crashloop),
		cmocka_unit_test(test_crashloop_backoff),
		cmocka_unit_test(test_replication_stall),
		cmocka_unit_test(test_primary_lost),
		cmocka_unit_test(test_outbox_backlog),
		cmocka_unit_test(test_scale),
		cmocka_unit_test(test_delete_pod_and_rollout),
		cmocka_unit_test(test_bad_actions),
		cmocka_unit_test(test_malformed_scenarios),
		cmocka_unit_test(test_scenario_actions),
		cmocka_unit_test(test_redis),
		cmocka_unit_test(test_source_publishes),
	};

	return (cmocka_run_group_tests(tests, setup, NULL));
}
