/* test_drill.c: DR drills (core/drill*.c): the format and its lint (good
 * files, every kind of bad input, the shipped drills), the live figures,
 * the measuring state machine driven by synthetic engine events and
 * snapshots on a fake clock (phases, RTO, RPO, observations, records
 * refused), and the report built from a real audit trail. */
#include <sys/stat.h>

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

#include "audit.h"
#include "drill.h"
#include "drill_report.h"
#include "drill_run.h"
#include "engine.h"
#include "snapshot.h"

#define INC	"INC-20261122-0042"
#define T0	1700000000000LL
#define MIN	60000LL

static const char good[] =
    "id: lost\n"
    "title: Primary lost\n"
    "type: full-failover\n"
    "scenario: The primary stops.\n"
    "rto_minutes: 30\n"
    "rpo_seconds: 60\n"
    "rpo_bytes: 5000\n"
    "success_criteria: [Services restored within RTO]\n"
    "pre_drill: [Schedule announced, War room created]\n"
    "inject: {runbook: inj, steps: [stop, stop-demo]}\n"
    "runbook: resp\n"
    "rpo_at: {runbook: resp, step: promote, standby: \"{{standby}}\"}\n"
    "healthy: \"{{pg.primary_up}} == 1 and {{alerts.critical}} == 0\"\n"
    "phases:\n"
    "  - id: detection\n"
    "    title: Detection\n"
    "    target_minutes: 5\n"
    "    checklist: [Inject failure, Alert fired]\n"
    "  - {id: assessment, title: Assessment, target_minutes: 10}\n"
    "  - {id: failover, title: Failover, target_minutes: 15}\n"
    "post_drill: [Update runbooks]\n"
    "signoff: [Incident Commander, SRE Lead]\n";

static struct drill *
parse(const char *text, struct rb_diags *d)
{
	return (drill_parse(text, strlen(text), "t.yaml", d));
}

/* The format --------------------------------------------------------------- */

static void
test_parse_good(void **state)
{
	struct rb_diags	 d;
	struct drill	*dr;

	rb_diags_init(&d);
	dr = parse(good, &d);
	assert_non_null(dr);
	assert_int_equal(d.n, 0);
	assert_int_equal(dr->nproblems, 0);
	assert_string_equal(dr->id.s, "lost");
	assert_int_equal(dr->type, DRILL_FULL_FAILOVER);
	assert_int_equal(dr->rto_min, 30);
	assert_int_equal(dr->rpo_s, 60);
	assert_int_equal(dr->rpo_bytes, 5000);
	assert_int_equal(dr->npre, 2);
	assert_int_equal(dr->inject.nsteps, 2);
	assert_true(drill_ref_has_step(&dr->inject, "stop-demo"));
	assert_int_equal(dr->rpo_at.nsteps, 1);
	assert_string_equal(dr->rpo_at.standby.s, "{{standby}}");
	assert_int_equal(dr->nphases, 3);
	assert_int_equal(dr->phases[0].target_min, 5);
	assert_int_equal(dr->phases[0].nchecklist, 2);
	assert_int_equal(dr->nsignoff, 2);
	assert_non_null(dr->healthy_c);
	drill_free(dr);
	rb_diags_free(&d);
}

struct bad {
	const char	*find, *replace;	/* an edit of good */
	const char	*msg;			/* in a diagnostic */
	int		 line;			/* of that diagnostic, 0 any */
};

static const struct bad bads[] = {
	{ "id: lost\n", "id: lost\nfoo: 1\n", "unknown key 'foo'", 2 },
	{ "id: lost\n", "", "missing required key 'id'", 1 },
	{ "type: full-failover", "type: fire-drill", "type must be", 3 },
	{ "rto_minutes: 30", "rto_minutes: 0", "rto_minutes: expected", 5 },
	{ "rto_minutes: 30", "rto_minutes: soon", "whole number", 5 },
	{ "rpo_seconds: 60\nrpo_bytes: 5000\n", "", "missing an RPO", 1 },
	{ "rpo_seconds: 60", "rpo_seconds: 60\nrpo_minutes: 1",
	  "not both", 1 },
	{ "    target_minutes: 5\n", "", "no target_minutes", 15 },
	{ "target_minutes: 10}", "target_minutes: 0}", "expected 1 to", 19 },
	{ "{id: assessment,", "{id: detection,", "given twice", 19 },
	{ "{id: assessment,", "{id: 'a b',", "must be a word", 19 },
	{ "phases:\n", "phases: []\nx:\n", "at least one phase", 14 },
	{ "{{alerts.critical}}", "{{alerts.crit}}", "unknown figure", 13 },
	{ "== 1 and", "== and and", "healthy:", 13 },
	{ "healthy: \"{{pg.primary_up}} == 1 and {{alerts.critical}} == 0\"",
	  "healthy: \"1 == 1\"", "names no figure", 13 },
	{ "steps: [stop, stop-demo]", "step: stop, steps: [x]",
	  "step or steps", 10 },
	{ "steps: [stop, stop-demo]", "stepz: [stop]", "unknown key", 10 },
	{ ", steps: [stop, stop-demo]}", "}", "missing required key 'steps'",
	  10 },
	{ "inject: {runbook: inj, steps: [stop, stop-demo]}",
	  "inject: [inj]", "inject: expected a mapping", 10 },
	{ "checklist: [Inject failure, Alert fired]", "checklist: x",
	  "checklist: expected a list", 18 },
	{ "pre_drill: [Schedule announced, War room created]",
	  "pre_drill: [\"\"]", "an empty item", 9 },
	{ "scenario: The primary stops.", "scenario: [a]",
	  "scenario: expected a string", 4 },
	{ "runbook: resp\n", "runbook: \"bad id\"\n", "not a runbook id",
	  11 },
	{ "title: Primary lost", "title: &a x\nalias: *a",
	  "aliases", 0 },
	{ "id: lost", "id: [lost", "YAML", 0 },
};

static void
test_parse_bad(void **state)
{
	char		 text[4096], line[1200];
	size_t		 i;
	int		 k, hit;

	for (i = 0; i < sizeof bads / sizeof bads[0]; i++) {
		const struct bad	*b = &bads[i];
		const char		*at = strstr(good, b->find);
		struct rb_diags		 d;
		struct drill		*dr;

		assert_non_null(at);
		snprintf(text, sizeof text, "%.*s%s%s", (int)(at - good), good,
		    b->replace, at + strlen(b->find));
		rb_diags_init(&d);
		dr = parse(text, &d);
		for (k = 0, hit = 0; k < d.n; k++)
			if (strstr(d.v[k].msg, b->msg) != NULL &&
			    (b->line == 0 || d.v[k].line == b->line))
				hit = 1;
		if (!hit) {
			for (k = 0; k < d.n; k++) {
				rb_diag_format(&d.v[k], line, sizeof line);
				fprintf(stderr, "  %s\n", line);
			}
			fail_msg("bad #%zu: no '%s' at line %d", i, b->msg,
			    b->line);
		}
		if (dr != NULL) {
			assert_true(dr->nproblems > 0);
			assert_non_null(dr->first_problem);
			assert_non_null(strstr(dr->first_problem, "t.yaml:"));
		}
		drill_free(dr);
		rb_diags_free(&d);
	}
}

static void
test_parse_not_a_mapping(void **state)
{
	struct rb_diags	d;

	rb_diags_init(&d);
	assert_null(parse("- a\n- b\n", &d));
	assert_true(d.n > 0);
	rb_diags_free(&d);
	rb_diags_init(&d);
	assert_null(parse("", &d));
	assert_true(d.n > 0);
	rb_diags_free(&d);
}

static struct rb_library *
library(void)
{
	static char	 dir[] = "runbooks";
	char		*dirs[1] = { dir };
	struct rb_diags	 d;
	struct rb_library *lib;

	rb_diags_init(&d);
	lib = rb_library_load(dirs, 1, RB_NO_PERM_CHECK, &d);
	rb_diags_free(&d);
	return (lib);
}

/* References are checked against the runbook library. */
static void
test_refs(void **state)
{
	static const char *const cases[][3] = {
		{ "runbook: dr-failover\n", "runbook: nope\n",
		  "no runbook 'nope'" },
		{ "[stop-primary, stop-primary-demo]", "[nope]",
		  "has no step 'nope'" },
		{ "step: promote,", "step: nope,", "has no step 'nope'" },
		{ "{{standby}}", "{{nobody}}", "not a parameter" },
	};
	struct rb_library	*lib = library();
	char			 text[4096], base[4096];
	size_t			 i;
	int			 k, hit;
	const char		*at;

	/* good, with real runbooks. */
	snprintf(base, sizeof base, "%s", good);
	at = strstr(base, "inject: {runbook: inj, steps: [stop, stop-demo]}");
	snprintf(text, sizeof text, "%.*sinject: {runbook: "
	    "drill-inject-primary-lost, steps: [stop-primary, "
	    "stop-primary-demo]}%s", (int)(at - base), base, at + 48);
	snprintf(base, sizeof base, "%s", text);
	at = strstr(base, "runbook: resp\nrpo_at: {runbook: resp, step: "
	    "promote,");
	snprintf(text, sizeof text, "%.*srunbook: dr-failover\nrpo_at: "
	    "{runbook: dr-failover, step: promote,%s", (int)(at - base), base,
	    at + strlen("runbook: resp\nrpo_at: {runbook: resp, step: "
	    "promote,"));
	snprintf(base, sizeof base, "%s", text);
	{
		struct rb_diags	 d;
		struct drill	*dr;

		rb_diags_init(&d);
		dr = parse(base, &d);
		assert_int_equal(drill_check_refs(dr, lib, &d), 0);
		assert_int_equal(d.n, 0);
		drill_free(dr);
		rb_diags_free(&d);
	}
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct rb_diags	 d;
		struct drill	*dr;

		at = strstr(base, cases[i][0]);
		assert_non_null(at);
		snprintf(text, sizeof text, "%.*s%s%s", (int)(at - base), base,
		    cases[i][1], at + strlen(cases[i][0]));
		rb_diags_init(&d);
		dr = parse(text, &d);
		assert_int_equal(d.n, 0);
		assert_true(drill_check_refs(dr, lib, &d) > 0);
		for (k = 0, hit = 0; k < d.n; k++)
			hit |= strstr(d.v[k].msg, cases[i][2]) != NULL &&
			    d.v[k].line > 0;
		if (!hit)
			fail_msg("refs #%zu: no '%s'", i, cases[i][2]);
		assert_true(dr->nproblems > 0);
		drill_free(dr);
		rb_diags_free(&d);
	}
	rb_library_free(lib);
}

/* The shipped drills lint clean, references included. */
static void
test_shipped_drills(void **state)
{
	static char		 dir[] = "runbooks";
	static const char *const want[] = { "database-restore",
	    "partial-outage", "primary-lost" };
	char			*dirs[1] = { dir };
	struct rb_library	*lib = library();
	struct drill_library	*dl;
	struct rb_diags		 d;
	char			 line[1200];
	int			 i;

	unsetenv("SITREP_DRILLS");
	rb_diags_init(&d);
	dl = drill_library_load(dirs, 1, RB_NO_PERM_CHECK, lib, &d);
	for (i = 0; i < d.n; i++) {
		rb_diag_format(&d.v[i], line, sizeof line);
		fprintf(stderr, "%s\n", line);
	}
	assert_int_equal(d.n, 0);
	assert_int_equal(dl->n, 3);
	for (i = 0; i < 3; i++) {
		const struct drill	*dr = drill_library_find(dl, want[i]);

		assert_non_null(dr);
		assert_int_equal(dr->nproblems, 0);
		assert_true(dr->nphases >= 2);
		assert_int_equal(strlen(dr->sha256), 64);
		assert_non_null(rb_library_find(lib, dr->inject.runbook.s));
	}
	assert_non_null(drill_library_find(dl, "primary-lost")->rpo_at.
	    runbook.s);
	drill_library_free(dl);
	rb_diags_free(&d);
	rb_library_free(lib);
}

/* The live figures --------------------------------------------------------- */

static struct snapshot *
mk_repl(int primary_up, int64_t pending, int64_t unreplayed)
{
	struct snapshot	*s = snapshot_new(SNAP_REPLICATION);
	struct repl_data *r = &s->u.repl;

	s->fetched_ms = T0;
	snprintf(r->server, sizeof r->server, "pg-primary");
	snprintf(r->role, sizeof r->role, "%s", primary_up ? "primary" :
	    "down");
	r->nstandbys = 1;
	r->standbys = calloc(1, sizeof *r->standbys);
	snprintf(r->standbys[0].name, 64, "sb1");
	snprintf(r->standbys[0].state, 32, "%s", primary_up ? "streaming" :
	    "disconnected");
	r->standbys[0].pending_bytes = pending;
	r->standbys[0].write_bytes = 50;
	r->standbys[0].flush_bytes = 25;
	r->standbys[0].total_bytes = pending + 75 + 10;
	r->standbys[0].replay_lag_s = 2.5;
	r->nservers = 2;
	r->servers = calloc(2, sizeof *r->servers);
	snprintf(r->servers[0].name, 64, "pg-primary");
	snprintf(r->servers[0].role, 16, "%s", primary_up ? "primary" :
	    "down");
	snprintf(r->servers[1].name, 64, "sb1");
	snprintf(r->servers[1].role, 16, "standby");
	r->servers[1].receive_replay_bytes = unreplayed;
	r->servers[1].replay_lag_s = 0.5;
	return (s);
}

static struct snapshot *
mk_alerts(int critical)
{
	struct snapshot	*s = snapshot_new(SNAP_ALERTS);
	int		 i;

	s->u.alerts.n = critical + 1;
	s->u.alerts.rows = calloc(critical + 1, sizeof *s->u.alerts.rows);
	for (i = 0; i < critical; i++)
		snprintf(s->u.alerts.rows[i].severity, 16, "critical");
	snprintf(s->u.alerts.rows[critical].severity, 16, "warning");
	return (s);
}

static struct snapshot *
mk_outbox(int64_t pending)
{
	struct snapshot	*s = snapshot_new(SNAP_OUTBOX);

	s->u.outbox.n = 2;
	s->u.outbox.rows = calloc(2, sizeof *s->u.outbox.rows);
	s->u.outbox.rows[0].pending = pending;
	s->u.outbox.rows[1].pending = -1;	/* unknown: not counted */
	return (s);
}

static void
test_vars(void **state)
{
	struct snapshot		*snaps[SNAP__COUNT] = { 0 };
	struct drill_vars	 v;
	int			 k;

	drill_vars_fill(&v, snaps);
	assert_int_equal(v.n, 0);
	assert_null(drill_vars_lookup(&v, "pg.primary_up"));
	snaps[SNAP_REPLICATION] = mk_repl(1, 100, 1000);
	snaps[SNAP_ALERTS] = mk_alerts(2);
	snaps[SNAP_OUTBOX] = mk_outbox(42);
	drill_vars_fill(&v, snaps);
	assert_string_equal(drill_vars_lookup(&v, "pg.primary_up"), "1");
	assert_string_equal(drill_vars_lookup(&v, "replication.lag_bytes"),
	    "185");
	assert_string_equal(drill_vars_lookup(&v, "replication.streaming"),
	    "1");
	assert_string_equal(drill_vars_lookup(&v, "alerts.firing"), "3");
	assert_string_equal(drill_vars_lookup(&v, "alerts.critical"), "2");
	assert_string_equal(drill_vars_lookup(&v, "outbox.pending"), "42");
	assert_null(drill_vars_lookup(&v, "circuits.open"));	/* no data */
	for (k = 0; k < v.n; k++) {
		char	w[40];

		snprintf(w, sizeof w, " %s ", v.name[k]);
		assert_non_null(strstr(drill_var_names, w));
	}
	for (k = 0; k < SNAP__COUNT; k++)
		if (snaps[k] != NULL)
			snapshot_unref(snaps[k]);
}

/* The state machine ---------------------------------------------------------- */

struct fake {
	int64_t		 now;
	int		 fail;		/* record() fails */
	cJSON		*recs;		/* [{type, data}] */
	struct audit	*audit;		/* record through the trail */
};

static int64_t
fake_clock(void *arg)
{
	return (((struct fake *)arg)->now);
}

static int
fake_record(void *arg, const char *type, const char *incident, cJSON *data,
    struct error *err)
{
	struct fake		*f = arg;
	struct audit_entry	 e;
	cJSON			*o;

	assert_string_equal(incident, INC);
	if (f->fail) {
		cJSON_Delete(data);
		error_set(err, "the disk is full");
		return (-1);
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", type);
	cJSON_AddItemToObject(o, "data", cJSON_Duplicate(data, 1));
	cJSON_AddItemToArray(f->recs, o);
	if (f->audit == NULL) {
		cJSON_Delete(data);
		return (0);
	}
	memset(&e, 0, sizeof e);
	e.type = type;
	e.incident = incident;
	e.step = -1;
	e.data = data;
	return (audit_append(f->audit, &e, err));
}

static int
nrec(const struct fake *f, const char *type)
{
	const cJSON	*o;
	int		 n = 0;

	cJSON_ArrayForEach(o, f->recs)
		n += strcmp(cJSON_GetObjectItem(o, "type")->valuestring,
		    type) == 0;
	return (n);
}

static const cJSON *
last(const struct fake *f, const char *type)
{
	const cJSON	*o, *hit = NULL;

	cJSON_ArrayForEach(o, f->recs)
		if (strcmp(cJSON_GetObjectItem(o, "type")->valuestring,
		    type) == 0)
			hit = cJSON_GetObjectItem(o, "data");
	return (hit);
}

static double
num(const cJSON *o, const char *k)
{
	const cJSON	*v = cJSON_GetObjectItem(o, k);

	if (!cJSON_IsNumber(v))
		fail_msg("no number %s", k);
	return (v->valuedouble);
}

static struct engine_event
ev(enum engine_ev type, const char *runbook, const char *step, int64_t t)
{
	struct engine_event	e;

	memset(&e, 0, sizeof e);
	e.type = type;
	e.time_ms = t;
	e.incident = INC;
	e.runbook_id = runbook;
	e.step_id = step;
	e.step_title = step;
	e.ok = 1;
	return (e);
}

static void
feed(struct drill_run *r, int primary_up, int critical, int64_t pending)
{
	struct snapshot	*s[SNAP__COUNT] = { 0 };
	int		 k;

	s[SNAP_REPLICATION] = mk_repl(primary_up, pending, 1000);
	s[SNAP_ALERTS] = mk_alerts(critical);
	s[SNAP_OUTBOX] = mk_outbox(pending * 10);
	drill_run_snapshots(r, s);
	for (k = 0; k < SNAP__COUNT; k++)
		if (s[k] != NULL)
			snapshot_unref(s[k]);
}

/* The scripted drill: start at T0, inject at +1 min (seen down at +2),
 * detection done at +4 (pass), failover at +10 with the RPO, assessment
 * done at +16 (fail: 12 > 10), healthy at +21: RTO 20 min. */
static struct drill_run *
script(struct fake *f, struct drill *dr)
{
	struct drill_run_opts	 o;
	struct drill_run	*r;
	struct engine_event	 e;
	struct error		 err;

	memset(&o, 0, sizeof o);
	o.drill = dr;
	o.incident = INC;
	o.record = fake_record;
	o.record_arg = f;
	o.clock = fake_clock;
	o.clock_arg = f;
	r = drill_run_new(&o);
	f->now = T0;
	/* Nothing before the start. */
	assert_int_equal(drill_run_check(r, -1, 0, &err), -1);
	assert_int_equal(drill_run_start(r, &err), 0);
	assert_int_equal(drill_run_start(r, &err), -1);
	assert_int_equal(drill_run_check(r, -1, 1, &err), 0);
	assert_int_equal(drill_run_check(r, -1, 9, &err), -1);
	assert_int_equal(drill_run_phase_done(r, &err), -1);
	assert_non_null(strstr(err.msg, "inject"));
	feed(r, 1, 0, 100);		/* the primary lists sb1 */
	/* Injection: other incidents, other steps and failures do not
	 * count; the step that finished OK does. */
	e = ev(EV_STEP_FINISHED, "inj", "stop-demo", T0 + MIN);
	e.incident = "INC-20261122-0001";
	assert_int_equal(drill_run_event(r, &e), 0);
	e = ev(EV_STEP_FINISHED, "inj", "announce", T0 + MIN);
	assert_int_equal(drill_run_event(r, &e), 0);
	e = ev(EV_STEP_FINISHED, "inj", "stop-demo", T0 + MIN);
	e.ok = 0;
	assert_int_equal(drill_run_event(r, &e), 0);
	assert_int_equal(r->stage, DRILL_PRE);
	e.ok = 1;
	assert_int_equal(drill_run_event(r, &e), 1);
	assert_int_equal(r->stage, DRILL_INJECTED);
	assert_int_equal(r->injected_ms, T0 + MIN);
	assert_int_equal(drill_run_declare(r, "x", &err), -1);
	f->now = T0 + 2 * MIN;
	feed(r, 0, 1, 100);		/* down: the outage is seen */
	assert_int_equal(r->stage, DRILL_OUTAGE);
	assert_int_equal(drill_run_rto(r), MIN);
	f->now = T0 + 4 * MIN;
	assert_int_equal(drill_run_check(r, 0, 1, &err), 0);
	assert_int_equal(drill_run_phase_done(r, &err), 0);
	assert_true(r->ph[0].pass);
	assert_int_equal(r->phase, 1);
	/* The response run: its standby parameter, then the failover. */
	e = ev(EV_RUN_BEGIN, "resp", NULL, T0 + 9 * MIN);
	drill_run_event(r, &e);
	e = ev(EV_PARAM_SET, "resp", NULL, T0 + 9 * MIN);
	e.param = "standby";
	e.value = "sb1";
	drill_run_event(r, &e);
	e = ev(EV_STEP_STARTED, "resp", "promote", T0 + 10 * MIN);
	assert_int_equal(drill_run_event(r, &e), 1);
	assert_string_equal(r->resp_step, "promote");
	assert_string_equal(r->resp_state, "running");
	f->now = T0 + 16 * MIN;
	assert_int_equal(drill_run_phase_done(r, &err), 0);
	assert_false(r->ph[1].pass);
	f->now = T0 + 21 * MIN;
	feed(r, 1, 0, 30);
	assert_int_equal(r->stage, DRILL_RECOVERED);
	assert_int_equal(drill_run_observe(r, "went-well", "fast promote",
	    NULL, NULL, NULL, &err), 0);
	assert_int_equal(drill_run_observe(r, "action", "alert on lag",
	    "bob", "2026-12-01", "P1", &err), 0);
	assert_int_equal(drill_run_observe(r, "meh", "x", NULL, NULL, NULL,
	    &err), -1);
	assert_int_equal(drill_run_observe(r, "went-wrong", "", NULL, NULL,
	    NULL, &err), -1);
	f->now = T0 + 25 * MIN;
	assert_int_equal(drill_run_end(r, "done", &err), 0);
	assert_int_equal(drill_run_end(r, "again", &err), -1);
	return (r);
}

static void
test_run(void **state)
{
	struct rb_diags		 d;
	struct drill		*dr;
	struct drill_run	*r;
	struct fake		 f;
	const cJSON		*rpo, *h, *ph;

	memset(&f, 0, sizeof f);
	f.recs = cJSON_CreateArray();
	rb_diags_init(&d);
	dr = parse(good, &d);
	r = script(&f, dr);
	/* The RPO at the failover: sb1 as pg-primary last listed it
	 * connected (pending 100 + write 50 + flush 25) plus what it had
	 * received and not replayed (1000). */
	assert_true(r->rpo.measured);
	assert_string_equal(r->rpo.standby, "sb1");
	assert_int_equal(r->rpo.unreceived_bytes, 175);
	assert_int_equal(r->rpo.unreplayed_bytes, 1000);
	assert_int_equal(r->rpo.bytes, 1175);
	assert_true(r->rpo.seconds == 2.5);
	assert_true(r->rpo.pass);		/* 2.5 <= 60 s, 1175 <= 5000 */
	assert_int_equal(r->rpo.outbox_pending, 1000);
	rpo = last(&f, "drill_rpo");
	assert_int_equal((int64_t)num(rpo, "bytes"), 1175);
	assert_int_equal((int64_t)num(rpo, "lag_ms"), 2500);
	assert_int_equal((int64_t)num(rpo, "at_ms"), T0 + 10 * MIN);
	assert_int_equal((int64_t)num(rpo, "seen_ms"), T0);
	assert_int_equal(r->rto_ms, 20 * MIN);
	h = last(&f, "drill_healthy");
	assert_int_equal((int64_t)num(h, "rto_ms"), 20 * MIN);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(h, "pass")));
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(h,
	    "figures"), "pg.primary_up")->valuestring, "1");
	ph = last(&f, "drill_phase");
	assert_int_equal((int64_t)num(ph, "actual_ms"), 12 * MIN);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(ph, "pass")));
	assert_int_equal(nrec(&f, "drill_start"), 1);
	assert_int_equal(nrec(&f, "drill_checklist"), 2);
	assert_int_equal(nrec(&f, "drill_inject"), 1);
	assert_int_equal(nrec(&f, "drill_phase"), 2);
	assert_int_equal(nrec(&f, "drill_observation"), 2);
	assert_int_equal(nrec(&f, "drill_end"), 1);
	drill_run_free(r);
	drill_free(dr);
	rb_diags_free(&d);
	cJSON_Delete(f.recs);
}

/* A record that cannot be written refuses the change, and says why. */
static void
test_run_refused(void **state)
{
	struct drill_run_opts	 o;
	struct drill_run	*r;
	struct engine_event	 e;
	struct error		 err;
	struct fake		 f;
	struct drill		*dr = parse(good, NULL);

	memset(&f, 0, sizeof f);
	f.recs = cJSON_CreateArray();
	memset(&o, 0, sizeof o);
	o.drill = dr;
	o.incident = INC;
	o.record = fake_record;
	o.record_arg = &f;
	o.clock = fake_clock;
	o.clock_arg = &f;
	r = drill_run_new(&o);
	f.now = T0;
	f.fail = 1;
	assert_int_equal(drill_run_start(r, &err), -1);
	assert_non_null(strstr(err.msg, "disk is full"));
	assert_int_equal(r->started_ms, 0);
	f.fail = 0;
	assert_int_equal(drill_run_start(r, &err), 0);
	f.fail = 1;
	assert_int_equal(drill_run_check(r, -1, 0, &err), -1);
	assert_false(r->pre[0]);
	assert_int_equal(drill_run_declare(r, "dc lost", &err), -1);
	assert_int_equal(r->stage, DRILL_PRE);
	/* An injection that cannot be recorded is not measured. */
	e = ev(EV_STEP_FINISHED, "inj", "stop", T0 + MIN);
	assert_int_equal(drill_run_event(r, &e), 0);
	assert_int_equal(r->stage, DRILL_PRE);
	assert_non_null(strstr(r->last_error, "drill_inject"));
	f.fail = 0;
	f.now = T0 + MIN;
	assert_int_equal(drill_run_declare(r, "dc lost", &err), 0);
	assert_string_equal(r->inject_how, "declared");
	f.now = T0 + 2 * MIN;
	feed(r, 0, 1, 0);
	f.fail = 1;
	assert_int_equal(drill_run_phase_done(r, &err), -1);
	assert_int_equal(r->phase, 0);
	f.now = T0 + 3 * MIN;
	feed(r, 1, 0, 0);		/* healthy, not recorded: not yet */
	assert_int_equal(r->stage, DRILL_OUTAGE);
	assert_int_equal(drill_run_observe(r, "went-well", "x", NULL, NULL,
	    NULL, &err), -1);
	assert_int_equal(drill_run_end(r, "x", &err), -1);
	assert_int_not_equal(r->stage, DRILL_ENDED);
	f.fail = 0;
	f.now = T0 + 4 * MIN;
	feed(r, 1, 0, 0);
	assert_int_equal(r->stage, DRILL_RECOVERED);
	assert_int_equal(r->rto_ms, 3 * MIN);	/* declared at +1 */
	assert_int_equal(nrec(&f, "drill_declared"), 1);
	assert_int_equal(nrec(&f, "drill_inject"), 0);
	drill_run_free(r);
	drill_free(dr);
	cJSON_Delete(f.recs);
}

/* The report ------------------------------------------------------------------- */

static char *
capture(int json, const struct drill_report *rep)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*out = open_memstream(&buf, &len);

	assert_non_null(out);
	if (json)
		assert_int_equal(drill_report_json(rep, out), 0);
	else
		assert_int_equal(drill_report_md(rep, out), 0);
	fclose(out);
	return (buf);
}

static const cJSON *
metric(const cJSON *j, const char *name)
{
	const cJSON	*m;

	cJSON_ArrayForEach(m, cJSON_GetObjectItem(j, "metrics"))
		if (strcmp(cJSON_GetObjectItem(m, "metric")->valuestring,
		    name) == 0)
			return (m);
	fail_msg("no metric %s", name);
	return (NULL);
}

static void
test_report(void **state)
{
	struct audit_opts	 ao;
	struct drill_report	*rep;
	struct drill_run	*r;
	struct error		 err;
	struct fake		 f;
	struct drill		*dr = parse(good, NULL);
	char			 dir[] = "/tmp/sitrep-drill-XXXXXX", trail[128];
	char			*md, *js, cmd[256];
	cJSON			*j;
	const cJSON		*m, *ph;

	assert_non_null(mkdtemp(dir));
	snprintf(trail, sizeof trail, "%s/audit.jsonl", dir);
	memset(&ao, 0, sizeof ao);
	ao.path = trail;
	ao.env = "demo";
	memset(&f, 0, sizeof f);
	f.recs = cJSON_CreateArray();
	f.audit = audit_open(&ao, &err);
	if (f.audit == NULL)
		fail_msg("audit_open: %s", err.msg);
	r = script(&f, dr);
	audit_close(f.audit);

	assert_null(drill_report_read(trail, "INC-20000101-0001", &err));
	assert_non_null(strstr(err.msg, "no drill"));
	rep = drill_report_read(trail, INC, &err);
	if (rep == NULL)
		fail_msg("report: %s", err.msg);
	js = capture(1, rep);
	md = capture(0, rep);
	drill_report_free(rep);
	/* By the drill's own id: its latest run. */
	rep = drill_report_read(trail, "lost", &err);
	assert_non_null(rep);
	assert_string_equal(rep->incident, INC);
	assert_true(rep->nactors >= 1);
	drill_report_free(rep);

	j = cJSON_Parse(js);
	assert_non_null(j);
	assert_string_equal(cJSON_GetObjectItem(j, "incident")->valuestring,
	    INC);
	assert_int_equal((int64_t)num(j, "start_ms"), T0);
	assert_int_equal((int64_t)num(j, "end_ms"), T0 + 25 * MIN);
	assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(j,
	    "participants")) >= 1);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(
	    cJSON_GetObjectItem(j, "pre_drill"), 1), "done")));
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetArrayItem(
	    cJSON_GetObjectItem(j, "pre_drill"), 0), "done")));
	ph = cJSON_GetObjectItem(j, "phases");
	assert_int_equal((int64_t)num(cJSON_GetArrayItem(ph, 0), "actual_ms"),
	    3 * MIN);
	assert_int_equal((int64_t)num(cJSON_GetArrayItem(ph, 1), "actual_ms"),
	    12 * MIN);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(
	    cJSON_GetObjectItem(cJSON_GetArrayItem(ph, 0), "checklist"), 1),
	    "done")));
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(ph,
	    2), "done")));
	assert_int_equal((int64_t)num(cJSON_GetObjectItem(j, "rto"),
	    "rto_ms"), 20 * MIN);
	assert_int_equal((int64_t)num(cJSON_GetObjectItem(j, "rpo"), "bytes"),
	    1175);
	assert_int_equal((int64_t)num(cJSON_GetObjectItem(j, "rpo"),
	    "lag_ms"), 2500);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j,
	    "observations")), 2);
	m = metric(j, "Detection Time");
	assert_string_equal(cJSON_GetObjectItem(m, "actual")->valuestring,
	    "3.0 min");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(m, "pass")));
	m = metric(j, "Assessment Time");
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(m, "pass")));
	m = metric(j, "Failover Time");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(m, "pass")));
	m = metric(j, "Total RTO");
	assert_string_equal(cJSON_GetObjectItem(m, "actual")->valuestring,
	    "20.0 min");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(m, "pass")));
	m = metric(j, "Data Loss (RPO), bytes");
	assert_string_equal(cJSON_GetObjectItem(m, "actual")->valuestring,
	    "1175 bytes");
	assert_string_equal(cJSON_GetObjectItem(m, "target")->valuestring,
	    "5000 bytes");
	m = metric(j, "Data Loss (RPO), time");
	assert_string_equal(cJSON_GetObjectItem(m, "actual")->valuestring,
	    "2.5 s");
	cJSON_Delete(j);

	if (getenv("TEST_DRILL_VERBOSE") != NULL)
		fprintf(stderr, "%s\n%s", md, js);
	assert_non_null(strstr(md, "# Disaster Recovery Drill - Primary "
	    "lost"));
	assert_non_null(strstr(md, "**Drill Type**: Full Failover"));
	assert_non_null(strstr(md, "- [x] War room created"));
	assert_non_null(strstr(md, "- [ ] Schedule announced"));
	assert_non_null(strstr(md, "**Expected RTO**: 30 minutes"));
	assert_non_null(strstr(md, "### Phase 1: Detection (Target: 5 "
	    "minutes)"));
	assert_non_null(strstr(md, "- [x] Alert fired"));
	assert_non_null(strstr(md, "| Detection Time | 5 min | 3.0 min | "
	    "PASS |"));
	assert_non_null(strstr(md, "| Assessment Time | 10 min | 12.0 min | "
	    "FAIL |"));
	assert_non_null(strstr(md, "| Failover Time | 15 min | - | not "
	    "measured |"));
	assert_non_null(strstr(md, "| Total RTO | 30 min | 20.0 min | "
	    "PASS |"));
	assert_non_null(strstr(md, "| Data Loss (RPO), bytes | 5000 bytes | "
	    "1175 bytes | PASS |"));
	assert_non_null(strstr(md, "- fast promote"));
	assert_non_null(strstr(md, "| alert on lag | bob | 2026-12-01 | P1 "
	    "|"));
	assert_non_null(strstr(md, "- Incident Commander: ____"));
	assert_non_null(strstr(md, "- [ ] Update runbooks"));
	assert_non_null(strstr(md, "not received by the standby: 175 bytes"));
	free(js);
	free(md);
	drill_run_free(r);
	drill_free(dr);
	cJSON_Delete(f.recs);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_not_a_mapping),
		cmocka_unit_test(test_refs),
		cmocka_unit_test(test_shipped_drills),
		cmocka_unit_test(test_vars),
		cmocka_unit_test(test_run),
		cmocka_unit_test(test_run_refused),
		cmocka_unit_test(test_report),
	};

	setenv("SITREP_DATADIR", ".", 0);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
