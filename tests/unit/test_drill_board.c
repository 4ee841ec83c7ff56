/* test_drill_board.c: the drill board (panels/drill_board.c) without a
 * terminal: opening (the list, a name, an unknown name), the incident it
 * starts under, the keys and their dialogs (declare, phase done,
 * observation, end) recorded before they count, refusals when the record
 * fails, the engine events and the store's snapshots it listens to. */
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

#include "dialog.h"
#include "drills.h"
#include "drills_int.h"
#include "keys.h"
#include "runbook_view.h"
#include "runbooks.h"
#include "store.h"
#include "xmalloc.h"
#include "lib_wait.h"

struct fake {
	struct panel_host	 host;
	struct runbooks_opts	 ro;
	struct runbooks		*hub;
	struct store		*store;
	struct drills_opts	 o;
	struct drills		*ds;
	char			 msg[512];
	int			 msg_error;
	struct dialog		*d;
	void			(*on_close)(struct panel *, struct dialog *,
				    int);
	int			 fail;
	cJSON			*recs;
	int64_t			 now;
	char			 state[64];
	char			*dirs[1];
};

static void
fake_message(void *arg, int error, const char *text)
{
	struct fake	*f = arg;

	snprintf(f->msg, sizeof f->msg, "%s", text);
	f->msg_error = error;
}

static void
fake_dialog(void *arg, struct dialog *d, struct panel *p,
    void (*on_close)(struct panel *, struct dialog *, int))
{
	struct fake	*f = arg;

	(void)p;
	if (f->d != NULL) {
		f->on_close(NULL, f->d, DIALOG_CANCEL);
		dialog_free(f->d);
	}
	f->d = d;
	f->on_close = on_close;
}

static int
fake_record(void *arg, const char *type, const char *incident, cJSON *data,
    struct error *err)
{
	struct fake	*f = arg;
	cJSON		*o;

	if (f->fail) {
		cJSON_Delete(data);
		error_set(err, "write: the disk is full");
		return (-1);
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", type);
	cJSON_AddStringToObject(o, "incident", incident);
	cJSON_AddItemToObject(o, "data", data);
	cJSON_AddItemToArray(f->recs, o);
	return (0);
}

static int64_t
fake_clock(void *arg)
{
	return (((struct fake *)arg)->now);
}

static int
nrec(struct fake *f, const char *type)
{
	const cJSON	*o;
	int		 n = 0;

	cJSON_ArrayForEach(o, f->recs)
		n += strcmp(cJSON_GetObjectItem(o, "type")->valuestring,
		    type) == 0;
	return (n);
}

static void
fake_init(struct fake *f)
{
	static char	dir[] = "runbooks";

	memset(f, 0, sizeof *f);
	snprintf(f->state, sizeof f->state, "/tmp/sitrep-board.XXXXXX");
	assert_non_null(mkdtemp(f->state));
	f->dirs[0] = dir;
	f->recs = cJSON_CreateArray();
	f->now = 1795262400000LL;
	f->host.arg = f;
	f->host.message = fake_message;
	f->host.dialog = fake_dialog;
	f->host.operator = "alice@bastion-1";
	f->store = store_new();
	f->ro.host = &f->host;
	f->ro.env = "demo";
	f->ro.state_dir = f->state;
	f->ro.dirs = f->dirs;
	f->ro.ndirs = 1;
	f->hub = runbooks_new(&f->ro);
	lib_wait(f->hub);
	f->o.host = &f->host;
	f->o.hub = f->hub;
	f->o.store = f->store;
	f->o.record = fake_record;
	f->o.record_arg = f;
	f->o.env = "demo";
	f->o.dirs = f->dirs;
	f->o.ndirs = 1;
	f->o.clock = fake_clock;
	f->o.clock_arg = f;
	f->ds = drills_new(&f->o);
}

static void
fake_free(struct fake *f)
{
	char	cmd[128];

	if (f->d != NULL) {
		f->on_close(NULL, f->d, DIALOG_CANCEL);
		dialog_free(f->d);
	}
	drills_free(f->ds);
	runbooks_free(f->hub);
	store_free(f->store);
	cJSON_Delete(f->recs);
	snprintf(cmd, sizeof cmd, "rm -rf %s", f->state);
	assert_int_equal(system(cmd), 0);
}

/* The open dialog: type text into its fields (\t moves), then answer. */
static void
answer(struct fake *f, const char *typed, int result)
{
	struct dialog	*d = f->d;
	const char	*p;

	assert_non_null(d);
	for (p = typed; p != NULL && *p != '\0'; p++)
		dialog_key(d, *p == '\t' ? KEYC_TAB : *p);
	f->d = NULL;
	f->on_close(NULL, d, result);
	dialog_free(d);
}

static void
test_open(void **state)
{
	struct fake	f;

	fake_init(&f);
	assert_int_equal(drills_open(f.ds, "no-such-drill"), -1);
	assert_non_null(strstr(f.msg, "no drill no-such-drill"));
	assert_false(drills_showing(f.ds));
	assert_int_equal(drills_open(f.ds, NULL), 0);
	assert_true(drills_showing(f.ds));
	assert_null(drills_active(f.ds));
	/* The list: database-restore, partial-outage, primary-lost. */
	drills_key(f.ds, 'j', 10);
	drills_key(f.ds, 'j', 10);
	assert_int_equal(drills_key(f.ds, KEYC_ENTER, 10), RUNBOOKS_HANDLED);
	assert_non_null(drills_active(f.ds));
	assert_string_equal(drills_active(f.ds), runbooks_incident(f.hub));
	assert_string_equal(f.ds->cur->id.s, "primary-lost");
	assert_int_equal(nrec(&f, "drill_start"), 1);
	/* Another drill while one runs: its board instead. */
	assert_int_equal(drills_open(f.ds, "partial-outage"), 0);
	assert_non_null(strstr(f.msg, "is running"));
	assert_string_equal(f.ds->cur->id.s, "primary-lost");
	assert_int_equal(drills_key(f.ds, KEYC_ESC, 10), RUNBOOKS_LEAVE);
	drills_hide(f.ds);
	assert_false(drills_showing(f.ds));
	assert_int_equal(drills_open(f.ds, ""), 0);	/* back to it */
	assert_int_equal(f.ds->view, DV_BOARD);
	fake_free(&f);
}

static struct engine_event
event(struct fake *f, enum engine_ev type, const char *rb, const char *step)
{
	struct engine_event	e;

	memset(&e, 0, sizeof e);
	e.type = type;
	e.time_ms = f->now;
	e.incident = drills_active(f->ds);
	e.runbook_id = rb;
	e.step_id = step;
	e.ok = 1;
	return (e);
}

static void
publish(struct fake *f, int primary_up)
{
	struct snapshot	*s = snapshot_new(SNAP_REPLICATION);

	s->fetched_ms = f->now;
	snprintf(s->u.repl.role, sizeof s->u.repl.role, "%s", primary_up ?
	    "primary" : "down");
	store_publish(f->store, "test", s);
	s = snapshot_new(SNAP_ALERTS);
	store_publish(f->store, "test", s);
	s = snapshot_new(SNAP_PODS);
	store_publish(f->store, "test", s);
	s = snapshot_new(SNAP_CIRCUITS);
	store_publish(f->store, "test", s);
}

static void
test_drill(void **state)
{
	struct engine_event	e;
	struct fake		f;
	int			k;

	fake_init(&f);
	publish(&f, 1);
	assert_int_equal(drills_open(f.ds, "primary-lost"), 0);
	/* The pre-drill checklist. */
	drills_key(f.ds, 'j', 10);
	drills_key(f.ds, ' ', 10);
	assert_true(f.ds->run->pre[1]);
	assert_int_equal(nrec(&f, "drill_checklist"), 1);
	/* The cursor on the pre-drill list's last item (8 items). */
	for (k = 0; k < 10; k++)
		drills_key(f.ds, 'j', 10);
	assert_int_equal(f.ds->cursor, 7);
	/* p before the failure: refused. */
	drills_key(f.ds, 'p', 10);
	assert_null(f.d);
	assert_non_null(strstr(f.msg, "first"));
	/* i opens the inject runbook (its parameter form). */
	drills_key(f.ds, 'i', 10);
	assert_true(runbooks_showing(f.hub));
	if (f.d != NULL)
		answer(&f, NULL, DIALOG_CANCEL);
	/* Its step finishing OK is the injection. */
	f.now += 60000;
	e = event(&f, EV_STEP_FINISHED, "drill-inject-primary-lost",
	    "stop-primary-demo");
	assert_int_equal(drills_engine_event(f.ds, &e), 0);
	assert_int_equal(f.ds->run->stage, DRILL_INJECTED);
	assert_int_equal(nrec(&f, "drill_inject"), 1);
	/* The checklist shown is now phase 1's (4 items): the cursor starts
	 * on its first item, never past the end of the new list. */
	drills_key(f.ds, ' ', 10);
	assert_true(f.ds->run->ph[0].checked[0]);
	assert_int_equal(nrec(&f, "drill_checklist"), 2);
	/* D after an injection: refused, no dialog. */
	drills_key(f.ds, 'D', 10);
	assert_null(f.d);
	publish(&f, 0);
	f.now += 60000;
	assert_int_equal(drills_poll(f.ds, f.now), 1);
	assert_int_equal(f.ds->run->stage, DRILL_OUTAGE);
	/* p: the phase done, after a y. */
	drills_key(f.ds, 'p', 10);
	answer(&f, NULL, DIALOG_CANCEL);
	assert_int_equal(f.ds->run->phase, 0);
	drills_key(f.ds, 'p', 10);
	answer(&f, NULL, DIALOG_CONFIRM);
	assert_int_equal(f.ds->run->phase, 1);
	assert_true(f.ds->run->ph[0].pass);
	/* The response runbook's progress. */
	e = event(&f, EV_RUN_BEGIN, "dr-failover", NULL);
	drills_engine_event(f.ds, &e);
	e = event(&f, EV_STEP_STARTED, "dr-failover", "promote-demo");
	drills_engine_event(f.ds, &e);
	assert_true(f.ds->run->rpo.measured);
	assert_int_equal(nrec(&f, "drill_rpo"), 1);
	assert_string_equal(f.ds->run->resp_step, "promote-demo");
	/* Healthy again: the RTO. */
	f.now += 5 * 60000;
	publish(&f, 1);
	drills_poll(f.ds, f.now);
	assert_int_equal(f.ds->run->stage, DRILL_RECOVERED);
	assert_int_equal(f.ds->run->rto_ms, 6 * 60000);
	/* o: an observation. */
	drills_key(f.ds, 'o', 10);
	answer(&f, "\tslow paging\tbob\t2026-12-01\tP2", DIALOG_CONFIRM);
	assert_int_equal(nrec(&f, "drill_observation"), 1);
	/* A record that fails: refused, said. */
	f.fail = 1;
	drills_key(f.ds, 'E', 10);
	answer(&f, NULL, DIALOG_CONFIRM);
	assert_non_null(strstr(f.msg, "disk is full"));
	assert_non_null(drills_active(f.ds));
	f.fail = 0;
	drills_key(f.ds, 'E', 10);
	answer(&f, NULL, DIALOG_CONFIRM);
	assert_null(drills_active(f.ds));
	assert_int_equal(nrec(&f, "drill_end"), 1);
	assert_non_null(strstr(f.msg, "sitrep drill report"));
	/* Ended: keys say so; events change nothing. */
	drills_key(f.ds, ' ', 10);
	assert_non_null(strstr(f.msg, "ended"));
	assert_int_equal(drills_poll(f.ds, f.now), 0);
	fake_free(&f);
}

static void
test_declare_and_refusals(void **state)
{
	struct fake	f;

	fake_init(&f);
	f.fail = 1;
	assert_int_equal(drills_open(f.ds, "partial-outage"), -1);
	assert_non_null(strstr(f.msg, "not started"));
	assert_null(drills_active(f.ds));
	f.fail = 0;
	assert_int_equal(drills_open(f.ds, "partial-outage"), 0);
	f.fail = 1;
	drills_key(f.ds, ' ', 10);
	assert_non_null(strstr(f.msg, "not recorded"));
	assert_false(f.ds->run->pre[0]);
	f.fail = 0;
	drills_key(f.ds, 'D', 10);
	answer(&f, "the data centre lost power", DIALOG_CONFIRM);
	assert_int_equal(nrec(&f, "drill_declared"), 1);
	assert_string_equal(f.ds->run->inject_how, "declared");
	/* The checklist shown is now the first phase's. */
	drills_key(f.ds, ' ', 10);
	assert_true(f.ds->run->ph[0].checked[0]);
	fake_free(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_drill),
		cmocka_unit_test(test_declare_and_refusals),
	};

	setenv("SITREP_DATADIR", ".", 0);
	unsetenv("SITREP_DRILLS");
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
