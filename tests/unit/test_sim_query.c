/* test_sim_query.c: the demo world's read-only queries (sim.query). */
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "action.h"
#include "sim.h"
#include "sim_world.h"
#include "store.h"

#define EPOCH	1700000000000LL

static int
setup(void **state)
{
	/* The tests run from the top of the source tree. */
	setenv("SITREP_DATADIR", ".", 0);
	return (0);
}

static struct sim *
mk(const char *scenario, int advance)
{
	struct error	 err;
	struct sim	*s;

	err.msg[0] = '\0';
	if ((s = sim_new(scenario, 0, EPOCH, &err)) == NULL)
		fail_msg("sim_new(%s): %s", scenario, err.msg);
	sim_advance(s, advance);
	return (s);
}

/* Split "name k=v k=v" and run it; the JSON text or NULL (err set). */
static char *
qtext(struct sim *s, const char *line, struct error *err)
{
	char	 buf[256], *argv[8], *name, *tok, *save;
	int	 argc = 0;

	snprintf(buf, sizeof buf, "%s", line);
	name = strtok_r(buf, " ", &save);
	while ((tok = strtok_r(NULL, " ", &save)) != NULL && argc < 8)
		argv[argc++] = tok;
	err->msg[0] = '\0';
	return (sim_query_json(s, name, argc, (const char *const *)argv,
	    err));
}

static cJSON *
q(struct sim *s, const char *line)
{
	struct error	 err;
	char		*t = qtext(s, line, &err);
	cJSON		*j;

	if (t == NULL)
		fail_msg("query %s: %s", line, err.msg);
	j = cJSON_Parse(t);
	free(t);
	assert_non_null(j);
	return (j);
}

/* The query must fail with a message containing want. */
static void
q_fails(struct sim *s, const char *line, const char *want)
{
	struct error	 err;
	char		*t = qtext(s, line, &err);

	if (t != NULL)
		fail_msg("query %s: expected a failure, got %s", line, t);
	if (strstr(err.msg, want) == NULL)
		fail_msg("query %s: '%s' does not say '%s'", line, err.msg,
		    want);
}

static double
num(const cJSON *j, const char *key)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(j, key);

	if (!cJSON_IsNumber(v))
		fail_msg("no number %s", key);
	return (v->valuedouble);
}

static const char *
str(const cJSON *j, const char *key)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(j, key);

	if (!cJSON_IsString(v))
		fail_msg("no string %s", key);
	return (v->valuestring);
}

static int
boolean(const cJSON *j, const char *key)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(j, key);

	if (!cJSON_IsBool(v))
		fail_msg("no boolean %s", key);
	return (cJSON_IsTrue(v));
}

/* Whether a JSON array of strings holds s. */
static int
has(const cJSON *list, const char *s)
{
	const cJSON	*v;

	cJSON_ArrayForEach(v, list)
		if (cJSON_IsString(v) && strcmp(v->valuestring, s) == 0)
			return (1);
	return (0);
}

static void
test_deployment_calm(void **state)
{
	struct sim	*s = mk("calm", 60);
	cJSON		*j;

	j = q(s, "deployment name=inventory");
	assert_string_equal(str(j, "name"), "inventory");
	assert_int_equal(num(j, "desired"), 3);
	assert_int_equal(num(j, "ready"), 3);
	assert_int_equal(num(j, "available"), 3);
	assert_int_equal(num(j, "unavailable"), 0);
	assert_int_equal(num(j, "updated"), 3);
	assert_int_equal(num(j, "restarts"), 0);
	assert_int_equal(num(j, "oom_killed"), 0);
	assert_int_equal(num(j, "memory_limit_mib"), 512);
	assert_string_equal(str(j, "last_reason"), "");
	assert_true(boolean(j, "healthy"));
	assert_false(boolean(j, "rolling"));
	assert_false(boolean(j, "rollout_failed"));
	assert_true(num(j, "max_memory_pct") > 50);
	cJSON_Delete(j);
	/* deployment= is the same as name=. */
	j = q(s, "deployment deployment=reporting");
	assert_int_equal(num(j, "memory_limit_mib"), 1024);
	cJSON_Delete(j);
	sim_free(s);
}

static void
test_refusals(void **state)
{
	struct sim	*s = mk("calm", 1);

	q_fails(s, "meltdown", "unknown query 'meltdown'");
	q_fails(s, "deployment name=nope", "no deployment 'nope'");
	q_fails(s, "deployment", "no deployment ''");
	q_fails(s, "deployment name=api color=red", "unknown argument "
	    "'color' (usage: deployment name=NAME)");
	q_fails(s, "deployment name=a name=b", "'name' given twice");
	q_fails(s, "deployment inventory", "not key=value");
	q_fails(s, "in_recovery", "missing server=");
	q_fails(s, "in_recovery server=pg-9", "no database server 'pg-9'");
	q_fails(s, "outbox service=reporting", "no service with an outbox "
	    "'reporting'");
	q_fails(s, "outbox service=gateway", "finance, inventory");
	q_fails(s, "circuit service=gateway dependency=nope",
	    "no circuit gateway -> nope");
	q_fails(s, "slot slot=nope", "\"nope\" does not exist");
	q_fails(s, "volume pvc=data-x-0", "not found");
	q_fails(s, "pods deployment=nope", "no deployment 'nope'");
	q_fails(s, "alerts color=red", "unknown argument 'color'");
	sim_free(s);
}

static void
test_oom_crashloop(void **state)
{
	struct sim	*s = mk("oom-crashloop", 16 * 60);
	cJSON		*j;

	j = q(s, "deployment name=inventory");
	assert_true(num(j, "restarts") > 3);
	assert_true(num(j, "oom_killed") > 0);
	assert_true(num(j, "unavailable") > 0);
	assert_string_equal(str(j, "last_reason"), "OOMKilled");
	assert_false(boolean(j, "healthy"));
	cJSON_Delete(j);
	j = q(s, "alerts");
	assert_true(cJSON_IsArray(j));
	assert_true(has(j, "PodCrashLooping"));
	assert_true(has(j, "CircuitBreakerOpen"));
	assert_false(has(j, "PostgresPrimaryDown"));
	cJSON_Delete(j);
	j = q(s, "alerts deployment=inventory severity=critical");
	assert_true(has(j, "HealthCheckFailing"));
	assert_false(has(j, "PodCrashLooping"));
	cJSON_Delete(j);
	j = q(s, "alert name=PodCrashLooping deployment=inventory");
	assert_string_equal(str(j, "name"), "PodCrashLooping");
	assert_true(num(j, "firing") >= 1);
	cJSON_Delete(j);
	j = q(s, "alert name=PodCrashLooping deployment=finance");
	assert_int_equal(num(j, "firing"), 0);
	cJSON_Delete(j);
	j = q(s, "alert deployment=inventory");
	assert_string_equal(str(j, "name"), "");
	assert_true(num(j, "firing") >= 3);
	cJSON_Delete(j);
	j = q(s, "circuits dependency=inventory");
	assert_true(num(j, "open") >= 1);
	cJSON_Delete(j);
	j = q(s, "health service=inventory");
	assert_string_not_equal(str(j, "status"), "up");
	assert_string_equal(str(j, "database"), "up");
	cJSON_Delete(j);
	sim_free(s);
}

static void
test_pods(void **state)
{
	struct sim	*s = mk("calm", 60);
	const cJSON	*p;
	cJSON		*j;
	int		 n = 0;

	j = q(s, "pods deployment=inventory");
	assert_true(cJSON_IsArray(j));
	cJSON_ArrayForEach(p, j) {
		assert_string_equal(str(p, "deployment"), "inventory");
		assert_string_equal(str(p, "status"), "Running");
		assert_string_equal(str(p, "ready"), "2/2");
		assert_int_equal(num(p, "restarts"), 0);
		assert_non_null(strstr(str(p, "name"), "inventory-"));
		n++;
	}
	assert_int_equal(n, 3);
	cJSON_Delete(j);
	j = q(s, "pods");
	assert_int_equal(cJSON_GetArraySize(j), 18);
	cJSON_Delete(j);
	sim_free(s);
}

static void
test_replication_calm(void **state)
{
	struct sim	*s = mk("calm", 120);
	const cJSON	*sb;
	cJSON		*j;

	j = q(s, "replication");
	assert_string_equal(str(j, "primary"), "pg-primary");
	assert_true(boolean(j, "primary_up"));
	assert_string_equal(str(j, "promoting"), "");
	assert_int_equal(num(j, "timeline"), 1);
	sb = cJSON_GetObjectItemCaseSensitive(j, "standbys");
	assert_int_equal(cJSON_GetArraySize(sb), 2);
	assert_string_equal(str(cJSON_GetArrayItem(sb, 0), "state"),
	    "streaming");
	assert_true(num(j, "max_replay_lag_s") >= 0);
	assert_true(num(j, "max_replay_lag_s") < 5);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j,
	    "slots")), 3);
	cJSON_Delete(j);
	j = q(s, "in_recovery server=pg-primary");
	assert_false(boolean(j, "in_recovery"));
	assert_string_equal(str(j, "role"), "primary");
	cJSON_Delete(j);
	j = q(s, "in_recovery server=pg-standby-2");
	assert_true(boolean(j, "in_recovery"));
	cJSON_Delete(j);
	j = q(s, "slot slot=analytics_cdc");
	assert_string_equal(str(j, "type"), "logical");
	assert_true(boolean(j, "active"));
	cJSON_Delete(j);
	j = q(s, "volume pvc=data-pg-primary-0");
	assert_int_equal(num(j, "capacity_bytes"), 20.0 * 1024 * 1024 * 1024);
	assert_true(num(j, "used_pct") > 70 && num(j, "used_pct") < 80);
	cJSON_Delete(j);
	sim_free(s);
}

static void
test_replication_stall(void **state)
{
	struct sim	*s = mk("replication-stall", 5 * 60);
	cJSON		*j;
	char		 out[256];
	struct error	 err;
	const char	*argv[] = { "standby=pg-standby-2" };

	j = q(s, "standby standby=pg-standby-2");
	assert_string_equal(str(j, "role"), "standby");
	assert_true(boolean(j, "replay_stalled"));
	assert_true(num(j, "replay_lag_s") > 30);
	cJSON_Delete(j);
	j = q(s, "replication");
	assert_true(num(j, "max_replay_lag_s") > 30);
	cJSON_Delete(j);
	assert_int_equal(sim_action(s, "resume-replay", 1, argv, out,
	    sizeof out, &err), 0);
	sim_advance(s, 90);
	j = q(s, "standby name=pg-standby-2");
	assert_false(boolean(j, "replay_stalled"));
	assert_true(num(j, "replay_lag_s") >= 0);
	assert_true(num(j, "replay_lag_s") < 30);
	cJSON_Delete(j);
	sim_free(s);
}

static void
test_primary_lost(void **state)
{
	struct sim	*s = mk("primary-lost", 4 * 60);
	const char	*argv[] = { "standby=pg-standby-1" };
	char		 out[256];
	struct error	 err;
	cJSON		*j;

	j = q(s, "replication");
	assert_false(boolean(j, "primary_up"));
	assert_string_equal(str(j, "primary"), "pg-primary");
	assert_int_equal(num(j, "max_replay_lag_s"), -1);
	cJSON_Delete(j);
	q_fails(s, "in_recovery server=pg-primary", "connection refused");
	j = q(s, "health");
	assert_string_equal(str(j, "status"), "down");
	assert_true(has(cJSON_GetObjectItemCaseSensitive(j, "down"),
	    "finance"));
	cJSON_Delete(j);
	assert_int_equal(sim_action(s, "promote", 1, argv, out, sizeof out,
	    &err), 0);
	sim_advance(s, 1);
	j = q(s, "in_recovery server=pg-standby-1");
	assert_true(boolean(j, "in_recovery"));
	assert_string_equal(str(j, "role"), "promoting");
	cJSON_Delete(j);
	sim_advance(s, 5);
	j = q(s, "in_recovery server=pg-standby-1");
	assert_false(boolean(j, "in_recovery"));
	assert_int_equal(num(j, "timeline"), 2);
	cJSON_Delete(j);
	sim_advance(s, 60);
	j = q(s, "health");
	assert_string_equal(str(j, "status"), "up");
	cJSON_Delete(j);
	sim_free(s);
}

static void
test_outbox(void **state)
{
	struct sim	*s = mk("outbox-backlog", 7 * 60);
	cJSON		*j;

	j = q(s, "outbox service=finance");
	assert_string_equal(str(j, "database"), "finance_db");
	assert_string_equal(str(j, "publisher"), "halted");
	assert_string_equal(str(j, "event_bus"), "up");
	assert_true(num(j, "pending") > 1000);
	assert_true(num(j, "failed") > 0);
	assert_true(num(j, "oldest_s") > 300);
	cJSON_Delete(j);
	j = q(s, "circuit service=finance dependency=event-bus");
	assert_string_not_equal(str(j, "state"), "");
	assert_string_equal(str(j, "health"), "up");
	cJSON_Delete(j);
	j = q(s, "outbox service=inventory");
	assert_string_equal(str(j, "publisher"), "running");
	assert_int_equal(num(j, "failed"), 0);
	cJSON_Delete(j);
	sim_free(s);
}

static void
test_redis_and_health(void **state)
{
	struct sim	*s = mk("calm", 30);
	cJSON		*j;

	j = q(s, "redis");
	assert_string_equal(str(j, "master"), "redis-cache");
	assert_true(boolean(j, "master_up"));
	assert_string_equal(str(j, "link"), "up");
	assert_int_equal(num(j, "replicas"), 1);
	assert_true(num(j, "used_memory_pct") >= 55);
	cJSON_Delete(j);
	j = q(s, "health");
	assert_string_equal(str(j, "status"), "up");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j,
	    "down")), 0);
	cJSON_Delete(j);
	j = q(s, "circuit service=gateway dependency=inventory");
	assert_string_equal(str(j, "state"), "closed");
	assert_string_equal(str(j, "health"), "up");
	cJSON_Delete(j);
	j = q(s, "circuits");
	assert_int_equal(num(j, "open"), 0);
	cJSON_Delete(j);
	j = q(s, "alerts");
	assert_int_equal(cJSON_GetArraySize(j), 0);
	cJSON_Delete(j);
	sim_free(s);
}

/* Queries read: the world is the same after every one of them. */
static void
test_read_only(void **state)
{
	static const char *const lines[] = { "deployment name=inventory",
	    "pods", "replication", "standby standby=pg-standby-1",
	    "in_recovery server=pg-primary", "slot slot=analytics_cdc",
	    "volume pvc=data-pg-primary-0", "outbox service=sales",
	    "circuit service=sales dependency=inventory", "circuits",
	    "alerts", "alert name=HighMemoryUsage", "health",
	    "health service=gateway", "redis", NULL };
	struct sim	*s = mk("oom-crashloop", 600);
	uint64_t	 before = sim_digest(s);
	int		 i;

	for (i = 0; lines[i] != NULL; i++)
		cJSON_Delete(q(s, lines[i]));
	assert_true(sim_digest(s) == before);
	sim_free(s);
}

/* Through the action registry, as the runbook engine calls it. */
struct seen {
	int	 calls, ok;
	char	 summary[512];
	char	*output;
};

static void
on_done(void *arg, const struct action_req *req,
    const struct action_result *res)
{
	struct seen	*s = arg;

	s->calls++;
	s->ok = res->ok;
	snprintf(s->summary, sizeof s->summary, "%s", res->summary);
	s->output = res->output ? strdup(res->output) : NULL;
}

static void
run_collect(struct actions *a, struct store *st, int argc,
    const char *const *argv, struct seen *seen)
{
	struct pollfd	pfd;
	int		i;

	memset(seen, 0, sizeof *seen);
	assert_true(actions_run(a, "sim.query", argc, argv, on_done, seen) >
	    0);
	pfd.fd = store_wake_fd(st);
	pfd.events = POLLIN;
	for (i = 0; i < 500 && seen->calls == 0; i++) {
		poll(&pfd, 1, 10);
		store_drain(st);
		actions_collect(a);
	}
	assert_int_equal(seen->calls, 1);
}

static void
test_action_kind(void **state)
{
	const char	*good[] = { "query=deployment", "name=inventory",
			    "read_only=1" };
	const char	*bad[] = { "query=deployment", "name=nope" };
	const char	*none[] = { "name=inventory" };
	struct sim	*s = mk("calm", 20);
	struct store	*st = store_new();
	struct actions	*a = actions_new(st);
	struct seen	 seen;
	cJSON		*j;

	sim_register_queries(s, a);
	assert_true(actions_has(a, "sim.query"));
	run_collect(a, st, 3, good, &seen);
	assert_int_equal(seen.ok, 1);
	assert_non_null(strstr(seen.summary, "\"name\":\"inventory\""));
	assert_null(strchr(seen.summary, '\n'));
	assert_non_null(seen.output);
	j = cJSON_Parse(seen.output);
	assert_int_equal(num(j, "desired"), 3);
	cJSON_Delete(j);
	free(seen.output);
	run_collect(a, st, 2, bad, &seen);
	assert_int_equal(seen.ok, 0);
	assert_non_null(strstr(seen.summary, "no deployment 'nope'"));
	free(seen.output);
	run_collect(a, st, 1, none, &seen);
	assert_int_equal(seen.ok, 0);
	assert_non_null(strstr(seen.summary, "no query="));
	free(seen.output);
	assert_int_equal(actions_free(a, 1000), 0);
	store_free(st);
	sim_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deployment_calm),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_oom_crashloop),
		cmocka_unit_test(test_pods),
		cmocka_unit_test(test_replication_calm),
		cmocka_unit_test(test_replication_stall),
		cmocka_unit_test(test_primary_lost),
		cmocka_unit_test(test_outbox),
		cmocka_unit_test(test_redis_and_health),
		cmocka_unit_test(test_read_only),
		cmocka_unit_test(test_action_kind),
	};

	return (cmocka_run_group_tests(tests, setup, NULL));
}
