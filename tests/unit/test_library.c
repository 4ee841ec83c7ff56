/* test_library.c: the runbook library (the YAML files in runbooks/).  Every
 * runbook
lints clean, follows the library's conventions (docs/runbook-library.md)
 * and dry-runs in the demo and in a live environment; and every runbook
 * that fixes a demo scenario really fixes it: the world is broken until
 * its alert fires, the runbook is driven through the engine step by step
 * (checks run, actions confirmed, choices picked, waits polled while the
 * world advances in simulated time on a fake clock), and the world is
 * checked to have recovered. */
#include <poll.h>
#include <regex.h>
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
#include "drill.h"
#include "drill_run.h"
#include "engine.h"
#include "executors.h"
#include "http.h"
#include "runbook.h"
#include "sim.h"
#include "sim_world.h"
#include "store.h"

#define EPOCH		1700000000000LL
#define INCIDENT	"INC-20261122-0001"
#define MIN_RUNBOOKS	12
#define LOG_MAX		16384

static struct rb_library	*lib;
/* A drill measuring the runs (the drill tests): every engine event and,
 * as simulated time passes, every snapshot of watch_sim go to it. */
static struct drill_run		*watch;
static struct sim		*watch_sim;

/* Setup ------------------------------------------------------------------ */

static int
setup(void **state)
{
	static char	 dir[] = "runbooks";
	char		*dirs[1] = { dir };
	struct rb_diags	 d;
	char		 line[1200];
	int		 i;

	/* The tests run from the top of the source tree. */
	setenv("SITREP_DATADIR", ".", 0);
	unsetenv("SITREP_SLACK_WEBHOOK");
	http_global_init();
	rb_diags_init(&d);
	lib = rb_library_load(dirs, 1, RB_NO_PERM_CHECK, &d);
	for (i = 0; i < d.n; i++) {
		rb_diag_format(&d.v[i], line, sizeof line);
		fprintf(stderr, "%s\n", line);
	}
	rb_diags_free(&d);
	return (lib == NULL ? -1 : 0);
}

static int
teardown(void **state)
{
	rb_library_free(lib);
	return (0);
}

static const struct runbook *
find(const char *id)
{
	const struct runbook	*rb = rb_library_find(lib, id);

	if (rb == NULL)
		fail_msg("no runbook %s in runbooks/", id);
	return (rb);
}

/* The world --------------------------------------------------------------- */

static struct sim *
mk(const char *scenario)
{
	struct error	 err;
	struct sim	*s;

	err.msg[0] = '\0';
	if ((s = sim_new(scenario, 0, EPOCH, &err)) == NULL)
		fail_msg("sim_new(%s): %s", scenario, err.msg);
	return (s);
}

/* A query's answer, parsed (the caller deletes it). */
static cJSON *
query(struct sim *s, const char *line)
{
	char		 buf[256], *argv[8], *name, *tok, *save;
	struct error	 err;
	char		*t;
	cJSON		*j;
	int		 argc = 0;

	snprintf(buf, sizeof buf, "%s", line);
	name = strtok_r(buf, " ", &save);
	while ((tok = strtok_r(NULL, " ", &save)) != NULL && argc < 8)
		argv[argc++] = tok;
	if ((t = sim_query_json(s, name, argc, (const char *const *)argv,
	    &err)) == NULL)
		fail_msg("query %s: %s", line, err.msg);
	j = cJSON_Parse(t);
	free(t);
	assert_non_null(j);
	return (j);
}

/* A field of a query's answer as text ("3", "true", "up"). */
static char *
field(struct sim *s, const char *line, const char *key)
{
	cJSON		*j = query(s, line);
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(j, key);
	char		*out;

	if (v == NULL)
		fail_msg("query %s: no %s", line, key);
	if (cJSON_IsString(v))
		out = strdup(v->valuestring);
	else
		out = cJSON_PrintUnformatted(v);
	cJSON_Delete(j);
	return (out);
}

static void
expect(struct sim *s, const char *line, const char *key, const char *want)
{
	char	*v = field(s, line, key);

	if (strcmp(v, want) != 0)
		fail_msg("%s: %s is %s, expected %s", line, key, v, want);
	free(v);
}

/* The firing alerts as one line: "A B C". */
static void
firing(struct sim *s, char *buf, size_t len)
{
	cJSON		*j = query(s, "alerts");
	const cJSON	*v;
	size_t		 n = 0;

	buf[0] = '\0';
	cJSON_ArrayForEach(v, j)
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s",
		    n ? " " : "", v->valuestring);
	cJSON_Delete(j);
}

/* Advance until alert fires (with label, "k=v", if given); its labels
 * ("name=value") go to labels[].  Fails after limit_s. */
static int
await_alert(struct sim *s, const char *alert, const char *label,
    int limit_s, char labels[][128], int max)
{
	struct snapshot		*snap;
	const struct alert	*a;
	char			 name[48], value[64];
	size_t			 pos;
	int			 t, i, n;

	for (t = 0; t <= limit_s; t += 5) {
		snap = sim_snapshot(s, SNAP_ALERTS);
		for (i = 0; i < snap->u.alerts.n; i++) {
			a = &snap->u.alerts.rows[i];
			if (strcmp(a->name, alert) != 0 || (label != NULL &&
			    strstr(a->labels, label) == NULL))
				continue;
			for (pos = 0, n = 0; n < max && alert_matcher_next(
			    a->matchers, &pos, name, sizeof name, value,
			    sizeof value); n++)
				snprintf(labels[n], 128, "%s=%s", name, value);
			snapshot_unref(snap);
			return (n);
		}
		snapshot_unref(snap);
		sim_advance(s, 5);
	}
	fail_msg("%s did not fire within %ds", alert, limit_s);
	return (0);
}

/* Driving a runbook -------------------------------------------------------- */

struct drive {
	struct sim		*sim;
	struct store		*st;
	struct actions		*act;
	struct engine		*e;
	const struct runbook	*rb;
	int64_t			 now;		/* the fake clock, ms */
	int			 demo;		/* env demo */
	const char *const	*picks;		/* "step=value" */
	char			 log[LOG_MAX];	/* what ran, for messages */
	size_t			 loglen;
	int			 nsim;		/* sim requests made */
	int			 skipped_notify;
};

static int64_t
fake_clock(void *arg)
{
	return (((struct drive *)arg)->now);
}

static void
logf_(struct drive *d, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	if (d->loglen >= sizeof d->log - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(d->log + d->loglen, sizeof d->log - d->loglen, fmt, ap);
	va_end(ap);
	if (n > 0)
		d->loglen += (size_t)n;
	if (d->loglen >= sizeof d->log)
		d->loglen = sizeof d->log - 1;
}

static void	watch_feed(void);
static int64_t	watch_clock(void *);

static int
on_event(void *arg, const struct engine_event *ev)
{
	struct drive	*d = arg;
	int		 i;

	if (watch != NULL) {
		struct engine_event	e = *ev;

		e.time_ms = watch_clock(NULL);	/* simulated time */
		watch_feed();
		drill_run_event(watch, &e);
	}

	if (ev->type != EV_STEP_STARTED && ev->type != EV_STEP_FINISHED)
		return (0);
	if (ev->type == EV_STEP_FINISHED) {
		logf_(d, "   -> %s %s\n", ev->ok ? "ok" : "FAILED",
		    ev->summary ? ev->summary : "");
		return (0);
	}
	logf_(d, "[t=%llds] %s %s:", (long long)sim_now(d->sim),
	    ev->step_id, ev->action_kind ? ev->action_kind : "");
	for (i = 0; i < ev->argc; i++)
		logf_(d, " %s", ev->argv[i]);
	logf_(d, "\n");
	if (ev->action_kind != NULL && strncmp(ev->action_kind, "sim", 3) == 0)
		d->nsim++;
	return (0);
}

static void
dfail(struct drive *d, const char *fmt, ...)
{
	char	msg[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "runbook %s, what ran:\n%s", d->rb->id.s, d->log);
	fail_msg("runbook %s: %s", d->rb->id.s, msg);
}

/* Collect every finished action (the executors run on threads). */
static void
settle(struct drive *d)
{
	int	i;

	for (i = 0; i < 5000 && actions_running(d->act) > 0; i++)
		usleep(1000);
	if (actions_running(d->act) > 0)
		dfail(d, "an action did not finish");
	store_drain(d->st);
	actions_collect(d->act);
}

/* Move the fake clock and the world on by secs. */
static void
tick(struct drive *d, int secs)
{
	d->now += (int64_t)secs * 1000;
	sim_advance(d->sim, secs);
	watch_feed();
}

static int
pick_option(struct drive *d, const struct rb_step *s)
{
	const char	*want = NULL;
	size_t		 n = strlen(s->id.s);
	int		 i, k;

	for (i = 0; d->picks != NULL && d->picks[i] != NULL; i++)
		if (strncmp(d->picks[i], s->id.s, n) == 0 &&
		    d->picks[i][n] == '=')
			want = d->picks[i] + n + 1;
	if (want == NULL)
		dfail(d, "no pick for the choice %s", s->id.s);
	for (k = 0; k < s->noptions; k++)
		if ((s->options[k].value.s != NULL &&
		    strcmp(s->options[k].value.s, want) == 0) ||
		    (s->options[k].go.s != NULL &&
		    strcmp(s->options[k].go.s, want) == 0))
			return (k);
	dfail(d, "choice %s has no option %s", s->id.s, want);
	return (-1);
}

/* A live executor must never be reached in the demo, nor sim: outside. */
static void
check_path(struct drive *d, const struct rb_step *s)
{
	enum rb_exec_kind	k = s->exec.kind;
	int			live = k != RB_EX_NONE && k != RB_EX_SIM &&
				    k != RB_EX_NOTIFY;

	if (d->demo && live)
		dfail(d, "step %s (%s) reached in the demo", s->id.s,
		    rb_exec_kind_name(k));
	if (!d->demo && k == RB_EX_SIM)
		dfail(d, "step %s (sim) reached outside the demo", s->id.s);
}

/* Confirm an action or notify step as the operator would. */
static void
confirm(struct drive *d, int i)
{
	const struct rb_step	*s = &d->rb->steps[i];
	struct engine_render	 r;
	struct error		 err;

	memset(&r, 0, sizeof r);
	if (engine_render(d->e, i, &r, &err) != 0)
		dfail(d, "render %s: %s", s->id.s, err.msg);
	if (!r.complete)
		dfail(d, "step %s has unset values", s->id.s);
	if (engine_confirm(d->e, i, r.target, s->two_person ? "bob@test" :
	    NULL, &err) != 0)
		dfail(d, "confirm %s: %s", s->id.s, err.msg);
	engine_render_free(&r);
}

/* The operator's move on the step the cursor shows. */
static void
act(struct drive *d, int i)
{
	const struct rb_step	*s = &d->rb->steps[i];
	struct error		 err;
	int			 rc = 0;

	check_path(d, s);
	switch (s->kind) {
	case RB_STEP_MANUAL:
		rc = engine_manual_done(d->e, i, &err);
		break;
	case RB_STEP_CHOICE:
		rc = engine_choose(d->e, i, pick_option(d, s), &err);
		break;
	case RB_STEP_ACTION:
	case RB_STEP_NOTIFY:
		confirm(d, i);
		/* FALLTHROUGH */
	default:
		rc = engine_start(d->e, i, &err);
		break;
	}
	if (rc != 0 && s->kind != RB_STEP_NOTIFY)
		dfail(d, "step %s: %s", s->id.s, err.msg);
}

/* A failed step: notify is skipped (no webhook in the tests: refused
 * cleanly); anything else fails the test. */
static void
failed(struct drive *d, int i)
{
	const struct rb_step	*s = &d->rb->steps[i];
	const char		*why = engine_step_reason(d->e, i);
	struct error		 err;

	if (s->kind != RB_STEP_NOTIFY)
		dfail(d, "step %s failed: %s", s->id.s, why ? why : "?");
	if (why == NULL || strstr(why, "SITREP_SLACK_WEBHOOK") == NULL)
		dfail(d, "notify %s did not fail for the webhook: %s",
		    s->id.s, why ? why : "?");
	if (engine_skip(d->e, i, "no webhook configured", &err) != 0)
		dfail(d, "skip %s: %s", s->id.s, err.msg);
	d->skipped_notify++;
}

/* A wait is polling: let simulated time pass until its next poll. */
static void
waiting(struct drive *d)
{
	int64_t	next = engine_next_wake(d->e);

	if (next > d->now)
		tick(d, (int)((next - d->now + 999) / 1000));
	engine_poll(d->e);
}

static void
drive_steps(struct drive *d)
{
	int	i, guard;

	for (guard = 0; guard < 20000; guard++) {
		settle(d);
		engine_poll(d->e);
		settle(d);
		if ((i = engine_current(d->e)) < 0)
			return;
		switch (engine_step_state(d->e, i)) {
		case STEP_SHOWN:
			act(d, i);
			break;
		case STEP_RUNNING:
			waiting(d);
			break;
		case STEP_FAILED:
			failed(d, i);
			break;
		default:
			dfail(d, "step %s is %s", d->rb->steps[i].id.s,
			    engine_state_name(engine_step_state(d->e, i)));
		}
	}
	dfail(d, "the run did not end");
}

struct run_def {
	const char	*runbook;
	const char	*env;		/* NULL: demo */
	const char	*labels[16];	/* alert labels, "name=value" */
	int		 nlabels;
	const char	*params[8];	/* "name=value" */
	const char	*picks[8];	/* "step=value" */
};

/* The operator's session: executors, the engine, the parameters. */
static struct drive *
drive_new(struct sim *s, const struct run_def *rd)
{
	struct engine_opts	 o;
	struct drive		*d = calloc(1, sizeof *d);
	struct error		 err;

	assert_non_null(d);
	d->sim = s;
	d->rb = find(rd->runbook);
	d->now = 1000000;
	d->demo = rd->env == NULL || strcmp(rd->env, "demo") == 0;
	d->picks = rd->picks;
	d->st = store_new();
	d->act = actions_new(d->st);
	sim_register_actions(s, d->act);
	sim_register_queries(s, d->act);
	notify_exec_register(d->act);
	memset(&o, 0, sizeof o);
	o.incident = INCIDENT;
	o.env_name = rd->env ? rd->env : "demo";
	o.operator = "alice@test";
	o.clock = fake_clock;
	o.clock_arg = d;
	if ((d->e = engine_new(d->rb, d->act, &o, &err)) == NULL)
		fail_msg("engine_new(%s): %s", rd->runbook, err.msg);
	engine_subscribe(d->e, on_event, d);
	return (d);
}

static void
drive_params(struct drive *d, const struct run_def *rd)
{
	struct error	 err;
	const char	*eq;
	char		 name[64];
	int		 i;

	engine_prefill(d->e, rd->labels, rd->nlabels);
	for (i = 0; rd->params[i] != NULL; i++) {
		eq = strchr(rd->params[i], '=');
		snprintf(name, sizeof name, "%.*s", (int)(eq - rd->params[i]),
		    rd->params[i]);
		if (engine_set_param(d->e, name, eq + 1, &err) != 0)
			fail_msg("%s: %s: %s", rd->runbook, name, err.msg);
	}
	if (engine_begin(d->e, &err) != 0)
		fail_msg("engine_begin(%s): %s", rd->runbook, err.msg);
}

/* Run a runbook to its end against world s. */
static void
run(struct sim *s, const struct run_def *rd)
{
	struct drive	*d = drive_new(s, rd);

	drive_params(d, rd);
	drive_steps(d);
	if (!engine_done(d->e))
		dfail(d, "not done");
	if (d->demo && d->nsim == 0)
		dfail(d, "nothing asked the demo world");
	if (getenv("TEST_LIBRARY_VERBOSE") != NULL)
		fprintf(stderr, "runbook %s (t=%llds):\n%s", d->rb->id.s,
		    (long long)sim_now(s), d->log);
	engine_free(d->e);
	assert_int_equal(actions_free(d->act, 2000), 0);
	store_free(d->st);
	free(d);
}

/* A runbook run prefilled from the labels of a firing alert. */
static void
run_for_alert(struct sim *s, struct run_def *rd, const char *alert,
    const char *label, int limit_s)
{
	static char	labels[16][128];
	int		i;

	rd->nlabels = await_alert(s, alert, label, limit_s, labels, 16);
	for (i = 0; i < rd->nlabels; i++)
		rd->labels[i] = labels[i];
	run(s, rd);
}

/* After a run: let the world settle, then nothing may be firing. */
static void
all_clear(struct sim *s, int settle_s)
{
	char	buf[1024];

	sim_advance(s, settle_s);
	firing(s, buf, sizeof buf);
	if (buf[0] != '\0')
		fail_msg("still firing after the runbook: %s", buf);
}

/* The library as a whole ---------------------------------------------------- */

/* Every runbook file loads and lints clean; ids are unique. */
static void
test_library_lints(void **state)
{
	int	i, j;

	assert_true(lib->n >= MIN_RUNBOOKS);
	for (i = 0; i < lib->n; i++) {
		const struct runbook	*rb = lib->v[i];

		if (rb->nproblems != 0)
			fail_msg("%s: %s", rb->path, rb->first_problem);
		assert_non_null(rb->id.s);
		assert_non_null(rb->title.s);
		assert_non_null(rb->summary.s);
		assert_non_null(rb->impact.s);
		assert_true(rb->nsymptoms > 0);
		for (j = 0; j < i; j++)
			assert_string_not_equal(rb->id.s, lib->v[j]->id.s);
	}
}

/* "key=x" for every argument of a sim body, to check names and keys. */
static int
sim_args(const struct rb_exec *ex, char buf[][64], const char **argv)
{
	int	i;

	for (i = 0; i < ex->nargs && i < 8; i++) {
		snprintf(buf[i], 64, "%s=x", ex->args[i].key.s);
		argv[i] = buf[i];
	}
	return (i);
}

static int
is_live(enum rb_exec_kind k)
{
	return (k == RB_EX_EXEC || k == RB_EX_SQL || k == RB_EX_HTTP ||
	    k == RB_EX_K8S || k == RB_EX_REDIS || k == RB_EX_SILENCE);
}

static const char *
ends(const char *s, const char *suffix)
{
	size_t	n = strlen(s), m = strlen(suffix);

	return (n >= m && strcmp(s + n - m, suffix) == 0 ? s + n - m : NULL);
}

/* One sim step: a demo twin, a known action or query, sim_ captures. */
static void
check_sim_step(const struct runbook *rb, const struct rb_step *s)
{
	const struct rb_exec	*ex = &s->exec;
	const char		*argv[8];
	char			 buf[8][64];
	struct error		 err;
	int			 argc = sim_args(ex, buf, argv);

	if (s->when.s == NULL || strstr(s->when.s, "{{env}} == demo") == NULL)
		fail_msg("%s: step %s (sim) needs when: {{env}} == demo",
		    rb->id.s, s->id.s);
	if (ends(s->id.s, "-demo") == NULL)
		fail_msg("%s: step %s (sim) must end in -demo", rb->id.s,
		    s->id.s);
	if (s->capture.var.s != NULL && strncmp(s->capture.var.s, "sim_",
	    4) != 0)
		fail_msg("%s: step %s captures %s: sim captures start with "
		    "sim_", rb->id.s, s->id.s, s->capture.var.s);
	if (ex->action.s != NULL && sim_action_check(ex->action.s, argc,
	    argv, &err) != 0)
		fail_msg("%s: step %s: %s", rb->id.s, s->id.s, err.msg);
	if (ex->sim_query.s != NULL && sim_query_check(ex->sim_query.s, argc,
	    argv, &err) != 0)
		fail_msg("%s: step %s: %s", rb->id.s, s->id.s, err.msg);
}

/* One step outside the demo: live executors say so; notify is shared. */
static void
check_other_step(const struct runbook *rb, const struct rb_step *s)
{
	const struct rb_exec	*ex = &s->exec;

	if (is_live(ex->kind) && (s->when.s == NULL ||
	    strstr(s->when.s, "{{env}} != demo") == NULL))
		fail_msg("%s: step %s (%s) needs when: {{env}} != demo",
		    rb->id.s, s->id.s, rb_exec_kind_name(ex->kind));
	if (ends(s->id.s, "-demo") != NULL && ex->kind != RB_EX_NONE)
		fail_msg("%s: step %s is not a sim step", rb->id.s, s->id.s);
	if (ex->kind == RB_EX_NOTIFY && (ex->webhook_env.s == NULL ||
	    ex->status.s == NULL || s->when.s != NULL))
		fail_msg("%s: notify %s: webhook_env and status, no when",
		    rb->id.s, s->id.s);
	if (s->capture.var.s != NULL && strncmp(s->capture.var.s, "sim_",
	    4) == 0)
		fail_msg("%s: step %s: sim_ captures are for sim steps",
		    rb->id.s, s->id.s);
}

/* The conventions of docs/runbook-library.md. */
static void
test_library_conventions(void **state)
{
	int	i, j, nsim, nact, nnotify;

	for (i = 0; i < lib->n; i++) {
		const struct runbook	*rb = lib->v[i];

		nsim = nact = nnotify = 0;
		for (j = 0; j < rb->nsteps; j++) {
			const struct rb_step	*s = &rb->steps[j];

			if (s->exec.kind == RB_EX_SIM) {
				check_sim_step(rb, s);
				nsim++;
				nact += s->exec.action.s != NULL;
			} else
				check_other_step(rb, s);
			nnotify += s->exec.kind == RB_EX_NOTIFY;
		}
		if (nsim == 0 || nact == 0 || nnotify == 0)
			fail_msg("%s: %d sim steps, %d sim actions, %d notify",
			    rb->id.s, nsim, nact, nnotify);
	}
}

/* The demo's alerts find their runbook: by the slug of the alert's URL
 * and by the alert name. */
static void
test_alert_slugs(void **state)
{
	static const char *const pairs[][2] = {
		{ "DeploymentRolloutFailed", "deployment-rollout-failed" },
		{ "PodCrashLooping", "pod-crash-loop" },
		{ "HealthCheckFailing", "health-check-failed" },
		{ "HighMemoryUsage", "high-memory-usage" },
		{ "PersistentVolumeFillingUp", "pvc-filling-up" },
		{ "DeploymentReplicasMismatch", "replica-mismatch" },
		{ "PostgresReplicationLagHigh", "replication-lag" },
		{ "PostgresPrimaryDown", "dr-failover" },
		{ "OutboxBacklogHigh", "outbox-backlog" },
		{ "OutboxMessagesFailing", "outbox-backlog" },
		{ "CircuitBreakerOpen", "circuit-breaker-open" },
	};
	const struct runbook	*found[8];
	size_t			 i;
	int			 n, k, hit;

	for (i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		assert_true(runbook_matches_alert(find(pairs[i][1]),
		    pairs[i][0]));
		n = rb_library_for_alert(lib, pairs[i][0], found, 8);
		for (k = 0, hit = 0; k < n; k++)
			hit |= strcmp(found[k]->id.s, pairs[i][1]) == 0;
		if (!hit)
			fail_msg("%s does not suggest %s", pairs[i][0],
			    pairs[i][1]);
	}
}

/* The regex captures of live steps pick the right value out of what the
 * executors print (docs/executors.md: psql's aligned table for sql,
 * redis-cli's replies, a program's output). */
static void
test_live_captures(void **state)
{
	static const char *const cases[][4] = {
		{ "dr-failover", "promoted",
		  " in_recovery \n-------------\n f\n(1 row)\n", "f" },
		{ "outbox-backlog", "drain",
		  " pending \n---------\n    1234\n(1 row)\n", "1234" },
		{ "outbox-backlog", "replayed",
		  " failed \n--------\n      0\n(1 row)\n", "0" },
		{ "high-db-latency", "slow-queries",
		  "  pid  | duration | query | state\n-------+----------+---"
		  "----+--------\n 48213 | 00:00:07 | SELECT 1 | active\n"
		  "  4821 | 00:00:02 | SELECT 2 | active\n(2 rows)\n",
		  "48213" },
		{ "high-db-latency", "recovered",
		  " slow \n------\n    3\n(1 row)\n", "3" },
		{ "connection-pool-exhausted", "long-queries",
		  "  pid  | duration | query\n-------+----------+------\n"
		  "  9001 | 00:10:00 | UPDATE t SET x = 1\n(1 row)\n",
		  "9001" },
		{ "replication-lag", "catch-up",
		  " replay_lag_s \n--------------\n           -1\n(1 row)\n",
		  "-1" },
		{ "replication-lag", "catch-up",
		  " replay_lag_s \n--------------\n           12\n(1 row)\n",
		  "12" },
		{ "restore-from-backup", "stopped", "", "" },
		{ "restore-from-backup", "stopped", "2", "2" },
		{ "high-memory-usage", "rollout", "deployment \"inventory\" "
		  "successfully rolled out\n", "successfully rolled out" },
		{ "replica-mismatch", "wait-available", "3", "3" },
		{ "pvc-filling-up", "freed", "Use%\n 76%\n", "76" },
		{ "certificate-expiry", "issued", "True", "True" },
		{ "redis-down", "answers", "PONG", "PONG" },
	};
	const struct rb_capture	*c;
	regmatch_t		 m[2];
	size_t			 i;
	int			 k, g;
	char			 got[64];

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct runbook	*rb = find(cases[i][0]);

		if ((k = runbook_step_index(rb, cases[i][1])) < 0)
			fail_msg("%s: no step %s", cases[i][0], cases[i][1]);
		c = &rb->steps[k].capture;
		assert_true(c->has_re);
		if (regexec(&c->re, cases[i][2], 2, m, 0) != 0)
			fail_msg("%s %s: no match", cases[i][0], cases[i][1]);
		g = m[1].rm_so >= 0 ? 1 : 0;
		snprintf(got, sizeof got, "%.*s", (int)(m[g].rm_eo -
		    m[g].rm_so), cases[i][2] + m[g].rm_so);
		if (strcmp(got, cases[i][3]) != 0)
			fail_msg("%s %s: captured '%s', expected '%s'",
			    cases[i][0], cases[i][1], got, cases[i][3]);
	}
}

/* Sample values for required parameters without a default. */
static const char *
sample(const char *name)
{
	static const char *const v[][2] = {
		{ "deployment", "inventory" }, { "service", "finance" },
		{ "dependency", "inventory" }, { "standby", "pg-standby-2" },
		{ "pod", "inventory-c4hhwkrf9p-25nkd" },
		{ "pvc", "data-pg-primary-0" }, { "backup_date", "20261121" },
	};
	size_t	i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++)
		if (strcmp(v[i][0], name) == 0)
			return (v[i][1]);
	fail_msg("no sample value for parameter %s", name);
	return (NULL);
}

static void
dry_step(void *arg, int step, const struct engine_render *r,
    const char *err)
{
	const struct runbook	*rb = arg;

	if (err != NULL)
		fail_msg("%s: step %s: %s", rb->id.s, rb->steps[step].id.s,
		    err);
}

static void
dry_run_in(const struct runbook *rb, const char *env)
{
	struct engine_opts	 o;
	struct engine		*e;
	struct error		 err;
	int			 i;

	memset(&o, 0, sizeof o);
	o.incident = INCIDENT;
	o.env_name = env;
	o.dry_run = 1;
	if ((e = engine_new(rb, NULL, &o, &err)) == NULL)
		fail_msg("%s: %s", rb->id.s, err.msg);
	for (i = 0; i < rb->nparams; i++)
		if (rb->params[i].required && rb->params[i].def.s == NULL &&
		    engine_set_param(e, rb->params[i].name.s,
		    sample(rb->params[i].name.s), &err) != 0)
			fail_msg("%s: %s", rb->id.s, err.msg);
	if (engine_begin(e, &err) != 0)
		fail_msg("%s: %s", rb->id.s, err.msg);
	assert_int_equal(engine_dry_run(e, dry_step, (void *)rb), 0);
	engine_free(e);
}

/* Every runbook renders every step, in the demo and in production. */
static void
test_library_dry_runs(void **state)
{
	int	i;

	for (i = 0; i < lib->n; i++) {
		dry_run_in(lib->v[i], "demo");
		dry_run_in(lib->v[i], "prod");
	}
}

/* Scenario runs ------------------------------------------------------------ */

/* The runbooks the runs below drive end to end; every runbook of the
 * library must be among them. */
static const char *const driven[] = {
	"high-memory-usage", "pod-crash-loop", "api-service-down",
	"health-check-failed", "deployment-rollout-failed", "replication-lag",
	"pvc-filling-up", "dr-failover", "outbox-backlog",
	"circuit-breaker-open", "replica-mismatch", "restore-from-backup",
	"high-db-latency", "connection-pool-exhausted", "security-incident",
	"certificate-expiry", "redis-down", "drill-inject-primary-lost",
	"drill-inject-service-outage", "drill-inject-database-loss", NULL
};

static void
test_every_runbook_is_driven(void **state)
{
	int	i, k, hit;

	for (i = 0; i < lib->n; i++) {
		for (k = 0, hit = 0; driven[k] != NULL; k++)
			hit |= strcmp(driven[k], lib->v[i]->id.s) == 0;
		if (!hit)
			fail_msg("runbook %s has no end-to-end run in "
			    "test_library.c", lib->v[i]->id.s);
	}
}

static void
test_high_memory_usage_fixes_oom_crashloop(void **state)
{
	struct sim	*s = mk("oom-crashloop");
	struct run_def	 rd = { "high-memory-usage", NULL, { NULL }, 0,
			    { NULL }, { "cause=oom", NULL } };

	run_for_alert(s, &rd, "PodCrashLooping", "deployment=inventory",
	    20 * 60);
	expect(s, "deployment name=inventory", "memory_limit_mib", "1024");
	expect(s, "deployment name=inventory", "healthy", "true");
	expect(s, "deployment name=inventory", "oom_killed", "0");
	expect(s, "health service=inventory", "status", "up");
	all_clear(s, 120);
	sim_free(s);
}

static void
test_pod_crash_loop_fixes_oom_crashloop(void **state)
{
	struct sim	*s = mk("oom-crashloop");
	struct run_def	 rd = { "pod-crash-loop", NULL, { NULL }, 0,
			    { "memory_mib=1536", NULL }, { "cause=oom", NULL } };

	run_for_alert(s, &rd, "PodCrashLooping", "deployment=inventory",
	    20 * 60);
	expect(s, "deployment name=inventory", "memory_limit_mib", "1536");
	expect(s, "deployment name=inventory", "healthy", "true");
	all_clear(s, 120);
	sim_free(s);
}

static void
test_api_service_down_fixes_oom_crashloop(void **state)
{
	struct sim	*s = mk("oom-crashloop");
	struct run_def	 rd = { "api-service-down", NULL, { NULL }, 0,
			    { NULL }, { "cause=oom", NULL } };

	run_for_alert(s, &rd, "HealthCheckFailing", "deployment=inventory",
	    20 * 60);
	expect(s, "deployment name=inventory", "memory_limit_mib", "1024");
	expect(s, "circuit service=gateway dependency=inventory", "state",
	    "closed");
	all_clear(s, 120);
	sim_free(s);
}

static void
test_api_service_down_fixes_bad_deploy(void **state)
{
	struct sim	*s = mk("bad-deploy");
	struct run_def	 rd = { "api-service-down", NULL, { NULL }, 0,
			    { NULL }, { "cause=release", NULL } };

	run_for_alert(s, &rd, "HealthCheckFailing", "deployment=sales",
	    10 * 60);
	expect(s, "deployment name=sales", "image_ok", "true");
	expect(s, "deployment name=sales", "healthy", "true");
	all_clear(s, 60);
	sim_free(s);
}

static void
test_health_check_failed_fixes_bad_deploy(void **state)
{
	struct sim	*s = mk("bad-deploy");
	struct run_def	 rd = { "health-check-failed", NULL, { NULL }, 0,
			    { NULL }, { "cause=release", NULL } };

	run_for_alert(s, &rd, "HealthCheckFailing", "deployment=sales",
	    10 * 60);
	expect(s, "deployment name=sales", "image_ok", "true");
	expect(s, "deployment name=sales", "healthy", "true");
	all_clear(s, 60);
	sim_free(s);
}

static void
test_rollout_failed_fixes_bad_deploy(void **state)
{
	struct sim	*s = mk("bad-deploy");
	struct run_def	 rd = { "deployment-rollout-failed", NULL, { NULL },
			    0, { NULL }, { "decide=rollback", NULL } };

	run_for_alert(s, &rd, "DeploymentRolloutFailed", "deployment=sales",
	    25 * 60);
	expect(s, "deployment name=sales", "rollout_failed", "false");
	expect(s, "deployment name=sales", "healthy", "true");
	all_clear(s, 60);
	sim_free(s);
}

static void
test_replication_lag_fixes_replication_stall(void **state)
{
	struct sim	*s = mk("replication-stall");
	struct run_def	 rd = { "replication-lag", NULL, { NULL }, 0,
			    { NULL }, { "cause=replay", NULL } };

	run_for_alert(s, &rd, "PostgresReplicationLagHigh",
	    "application_name=pg-standby-2", 10 * 60);
	expect(s, "standby standby=pg-standby-2", "replay_stalled", "false");
	all_clear(s, 60);
	sim_free(s);
}

/* Late in the scenario the CDC slot has filled the primary's volume too:
 * the lag runbook, then the volume runbook, leave nothing firing. */
static void
test_pvc_filling_up_after_replication_stall(void **state)
{
	struct sim	*s = mk("replication-stall");
	struct run_def	 lag = { "replication-lag", NULL, { NULL }, 0,
			    { NULL }, { "cause=replay", NULL } };
	struct run_def	 pvc = { "pvc-filling-up", NULL, { NULL }, 0,
			    { "slot=analytics_cdc", NULL },
			    { "cause=slot", NULL } };

	run_for_alert(s, &pvc, "PersistentVolumeFillingUp",
	    "persistentvolumeclaim=data-pg-primary-0", 30 * 60);
	run_for_alert(s, &lag, "PostgresReplicationLagHigh",
	    "application_name=pg-standby-2", 60);
	expect(s, "volume pvc=data-pg-primary-0", "used_pct", "75");
	all_clear(s, 60);
	sim_free(s);
}

static void
test_dr_failover_fixes_primary_lost(void **state)
{
	struct sim	*s = mk("primary-lost");
	struct run_def	 rd = { "dr-failover", NULL, { NULL }, 0,
			    { NULL }, { "decide=failover", NULL } };

	run_for_alert(s, &rd, "PostgresPrimaryDown", NULL, 5 * 60);
	expect(s, "replication", "primary", "pg-standby-1");
	expect(s, "replication", "primary_up", "true");
	expect(s, "in_recovery server=pg-standby-1", "in_recovery", "false");
	expect(s, "in_recovery server=pg-primary", "in_recovery", "true");
	expect(s, "deployment name=gateway", "desired", "4");
	expect(s, "health", "status", "up");
	all_clear(s, 120);
	sim_free(s);
}

static void
test_outbox_backlog_fixes_outbox_backlog(void **state)
{
	struct sim	*s = mk("outbox-backlog");
	struct run_def	 fin = { "outbox-backlog", NULL, { NULL }, 0,
			    { NULL }, { "safe=yes", NULL } };
	struct run_def	 sal = fin;

	run_for_alert(s, &fin, "OutboxBacklogHigh", "service=finance",
	    10 * 60);
	run_for_alert(s, &sal, "OutboxBacklogHigh", "service=sales", 60);
	expect(s, "outbox service=finance", "publisher", "running");
	expect(s, "outbox service=finance", "failed", "0");
	expect(s, "outbox service=sales", "failed", "0");
	all_clear(s, 60);
	sim_free(s);
}

/* Once the bus is back, a halted publisher leaves its circuit with no
 * trial call: the circuit runbook resets it. */
static void
test_circuit_breaker_open_resets_stuck_circuit(void **state)
{
	struct sim	*s = mk("outbox-backlog");
	struct run_def	 rd = { "circuit-breaker-open", NULL, { NULL }, 0,
			    { NULL }, { "cause=reset", NULL } };
	char		 buf[1024];

	sim_advance(s, 7 * 60);
	run_for_alert(s, &rd, "CircuitBreakerOpen",
	    "service=finance dependency=event-bus", 60);
	expect(s, "circuit service=finance dependency=event-bus", "state",
	    "closed");
	sim_advance(s, 60);
	expect(s, "alert name=CircuitBreakerOpen service=finance", "firing",
	    "0");
	firing(s, buf, sizeof buf);
	assert_non_null(strstr(buf, "OutboxBacklogHigh"));
	sim_free(s);
}

/* Runbooks for faults the scenarios do not inject run start to finish
 * in a calm world and leave it calm. */
static void
calm_run(const struct run_def *rd)
{
	struct sim	*s = mk("calm");

	sim_advance(s, 60);
	run(s, rd);
	all_clear(s, 120);
	sim_free(s);
}

static void
test_replica_mismatch_in_calm(void **state)
{
	struct run_def	 rd = { "replica-mismatch", NULL, { NULL }, 0,
			    { "deployment=reporting", "replicas=3", NULL },
			    { "cause=scale", NULL } };
	struct sim	*s = mk("calm");

	run(s, &rd);
	expect(s, "deployment name=reporting", "ready", "3");
	all_clear(s, 60);
	sim_free(s);
}

static void
test_restore_from_backup_in_calm(void **state)
{
	struct run_def	 rd = { "restore-from-backup", NULL, { NULL }, 0,
			    { "service=finance", "backup_date=20261121",
			    NULL }, { NULL } };

	calm_run(&rd);
}

static void
test_high_db_latency_in_calm(void **state)
{
	struct run_def	 rd = { "high-db-latency", NULL, { NULL }, 0,
			    { NULL }, { "cause=replica", NULL } };

	calm_run(&rd);
}

static void
test_connection_pool_exhausted_in_calm(void **state)
{
	struct run_def	 rd = { "connection-pool-exhausted", NULL, { NULL },
			    0, { "deployment=finance", NULL },
			    { "cause=pool", NULL } };

	calm_run(&rd);
}

static void
test_security_incident_in_calm(void **state)
{
	struct run_def	 rd = { "security-incident", NULL, { NULL }, 0,
			    { NULL }, { NULL } };

	calm_run(&rd);
}

static void
test_certificate_expiry_in_calm(void **state)
{
	struct run_def	 rd = { "certificate-expiry", NULL, { NULL }, 0,
			    { NULL }, { NULL } };

	calm_run(&rd);
}

/* A drill: the Redis replica loses its link for five minutes; the wait
 * holds until it is back. */
static void
test_redis_down_replica_drill(void **state)
{
	static const char drill[] = "name: redis-drill\n"
	    "description: the replica loses its link for 5 minutes\n"
	    "events:\n"
	    "  - {at: 10s, fault: redis-replica-link-down}\n"
	    "  - {at: 6m, fault: redis-replica-link-up}\n";
	struct run_def	 rd = { "redis-down", NULL, { NULL }, 0,
			    { NULL }, { "cause=replica", NULL } };
	char		 path[] = "/tmp/sitrep-drill-XXXXXX.yaml";
	struct sim	*s;
	FILE		*f;
	int		 fd;

	assert_true((fd = mkstemps(path, 5)) >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	fputs(drill, f);
	fclose(f);
	s = mk(path);
	unlink(path);
	sim_advance(s, 60);
	expect(s, "redis", "link", "down");
	run(s, &rd);
	expect(s, "redis", "link", "up");
	assert_true(sim_now(s) >= 6 * 60);
	all_clear(s, 60);
	sim_free(s);
}

/* Drills (runbooks/drills/): inject, respond, measure ----------------------- */

#define MAX_RECS	256

static char	recs[MAX_RECS][32];	/* the types recorded, in order */
static int	nrecs;

static int64_t
watch_clock(void *arg)
{
	(void)arg;
	return (EPOCH + sim_now(watch_sim) * 1000);
}

static void
watch_feed(void)
{
	struct snapshot	*snaps[SNAP__COUNT];
	int		 k;

	if (watch == NULL)
		return;
	for (k = 0; k < SNAP__COUNT; k++)
		snaps[k] = sim_snapshot(watch_sim, (enum snap_kind)k);
	drill_run_snapshots(watch, snaps);
	for (k = 0; k < SNAP__COUNT; k++)
		if (snaps[k] != NULL)
			snapshot_unref(snaps[k]);
}

static int
watch_record(void *arg, const char *type, const char *incident, cJSON *data,
    struct error *err)
{
	(void)arg;
	(void)incident;
	(void)err;
	cJSON_Delete(data);
	if (nrecs < MAX_RECS)
		snprintf(recs[nrecs++], sizeof recs[0], "%s", type);
	return (0);
}

static int
recorded(const char *type)
{
	int	i, n = 0;

	for (i = 0; i < nrecs; i++)
		n += strcmp(recs[i], type) == 0;
	return (n);
}

/* Load runbooks/drills/NAME.yaml clean and start measuring in s. */
static struct drill *
watch_start(struct sim *s, const char *name)
{
	struct drill_run_opts	 o;
	struct drill		*d;
	struct rb_diags		 diags;
	struct error		 err;
	char			 path[128], line[1200];
	int			 i;

	snprintf(path, sizeof path, "runbooks/drills/%s.yaml", name);
	rb_diags_init(&diags);
	d = drill_load(path, RB_NO_PERM_CHECK, &diags);
	assert_non_null(d);
	drill_check_refs(d, lib, &diags);
	for (i = 0; i < diags.n; i++) {
		rb_diag_format(&diags.v[i], line, sizeof line);
		fprintf(stderr, "%s\n", line);
	}
	assert_int_equal(diags.n, 0);
	rb_diags_free(&diags);
	watch_sim = s;
	nrecs = 0;
	memset(&o, 0, sizeof o);
	o.drill = d;
	o.incident = INCIDENT;
	o.record = watch_record;
	o.clock = watch_clock;
	watch = drill_run_new(&o);
	assert_int_equal(drill_run_start(watch, &err), 0);
	watch_feed();
	return (d);
}

/* Let simulated time pass in steps of 5 s, the board polling. */
static void
watch_advance(struct sim *s, int secs)
{
	int	t;

	for (t = 0; t < secs; t += 5) {
		sim_advance(s, 5);
		watch_feed();
	}
}

static void
watch_end(struct drill *d)
{
	struct error	err;

	assert_int_equal(drill_run_end(watch, "test", &err), 0);
	assert_int_equal(recorded("drill_start"), 1);
	assert_int_equal(recorded("drill_end"), 1);
	drill_run_free(watch);
	watch = NULL;
	drill_free(d);
}

static void
test_drill_primary_lost(void **state)
{
	struct sim	*s = mk("calm");
	struct run_def	 inj = { "drill-inject-primary-lost", NULL, { NULL },
			    0, { NULL }, { NULL } };
	struct run_def	 rsp = { "dr-failover", NULL, { NULL }, 0, { NULL },
			    { "decide=failover", NULL } };
	struct drill	*d;
	struct error	 err;
	char		*lost;

	sim_advance(s, 60);
	d = watch_start(s, "primary-lost");
	run(s, &inj);
	expect(s, "replication", "primary_up", "false");
	assert_int_equal(recorded("drill_inject"), 1);
	assert_true(watch->stage == DRILL_INJECTED ||
	    watch->stage == DRILL_OUTAGE);
	watch_advance(s, 60);
	assert_int_equal(watch->stage, DRILL_OUTAGE);
	assert_int_equal(drill_run_phase_done(watch, &err), 0);
	assert_true(watch->ph[0].pass);
	run_for_alert(s, &rsp, "PostgresPrimaryDown", NULL, 5 * 60);
	/* The RPO: the WAL pg-standby-1 had not received when the primary
	 * went, as the primary last listed it: what the world lost. */
	assert_true(watch->rpo.measured);
	assert_string_equal(watch->rpo.standby, "pg-standby-1");
	assert_string_equal(watch->rpo.step, "promote-demo");
	lost = field(s, "replication", "lost_bytes");
	assert_int_equal(watch->rpo.unreceived_bytes, atoll(lost));
	free(lost);
	assert_true(watch->rpo.seconds >= 0);
	assert_true(watch->rpo.pass);
	watch_advance(s, 5 * 60);
	assert_int_equal(watch->stage, DRILL_RECOVERED);
	assert_int_equal(recorded("drill_healthy"), 1);
	assert_true(watch->rto_ms > 60000 && watch->rto_ms < 30 * 60000);
	watch_end(d);
	all_clear(s, 60);
	sim_free(s);
}

static void
test_drill_partial_outage(void **state)
{
	struct sim	*s = mk("calm");
	struct run_def	 inj = { "drill-inject-service-outage", NULL,
			    { NULL }, 0, { NULL }, { NULL } };
	struct run_def	 rsp = { "replica-mismatch", NULL, { NULL }, 0,
			    { "deployment=inventory", "replicas=3", NULL },
			    { "cause=scale", NULL } };
	struct drill	*d;

	sim_advance(s, 60);
	d = watch_start(s, "partial-outage");
	run(s, &inj);
	expect(s, "deployment name=inventory", "desired", "0");
	watch_advance(s, 60);
	assert_int_equal(watch->stage, DRILL_OUTAGE);
	run(s, &rsp);
	watch_advance(s, 3 * 60);
	assert_int_equal(watch->stage, DRILL_RECOVERED);
	assert_false(watch->rpo.measured);	/* no rpo_at */
	watch_end(d);
	all_clear(s, 60);
	sim_free(s);
}

static void
test_drill_database_restore(void **state)
{
	struct sim	*s = mk("calm");
	struct run_def	 inj = { "drill-inject-database-loss", NULL,
			    { NULL }, 0, { NULL }, { NULL } };
	struct run_def	 rsp = { "restore-from-backup", NULL, { NULL }, 0,
			    { "service=finance", "backup_date=20261121",
			    NULL }, { NULL } };
	struct drill	*d;

	sim_advance(s, 60);
	d = watch_start(s, "database-restore");
	run(s, &inj);
	watch_advance(s, 60);
	assert_int_equal(watch->stage, DRILL_OUTAGE);
	run(s, &rsp);
	watch_advance(s, 3 * 60);
	assert_int_equal(watch->stage, DRILL_RECOVERED);
	watch_end(d);
	all_clear(s, 60);
	sim_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_library_lints),
		cmocka_unit_test(test_library_conventions),
		cmocka_unit_test(test_alert_slugs),
		cmocka_unit_test(test_library_dry_runs),
		cmocka_unit_test(test_live_captures),
		cmocka_unit_test(test_every_runbook_is_driven),
		cmocka_unit_test(test_high_memory_usage_fixes_oom_crashloop),
		cmocka_unit_test(test_pod_crash_loop_fixes_oom_crashloop),
		cmocka_unit_test(test_api_service_down_fixes_oom_crashloop),
		cmocka_unit_test(test_api_service_down_fixes_bad_deploy),
		cmocka_unit_test(test_health_check_failed_fixes_bad_deploy),
		cmocka_unit_test(test_rollout_failed_fixes_bad_deploy),
		cmocka_unit_test(test_replication_lag_fixes_replication_stall),
		cmocka_unit_test(test_pvc_filling_up_after_replication_stall),
		cmocka_unit_test(test_dr_failover_fixes_primary_lost),
		cmocka_unit_test(test_outbox_backlog_fixes_outbox_backlog),
		cmocka_unit_test(test_circuit_breaker_open_resets_stuck_circuit),
		cmocka_unit_test(test_replica_mismatch_in_calm),
		cmocka_unit_test(test_restore_from_backup_in_calm),
		cmocka_unit_test(test_high_db_latency_in_calm),
		cmocka_unit_test(test_connection_pool_exhausted_in_calm),
		cmocka_unit_test(test_security_incident_in_calm),
		cmocka_unit_test(test_certificate_expiry_in_calm),
		cmocka_unit_test(test_redis_down_replica_drill),
		cmocka_unit_test(test_drill_primary_lost),
		cmocka_unit_test(test_drill_partial_outage),
		cmocka_unit_test(test_drill_database_restore),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
