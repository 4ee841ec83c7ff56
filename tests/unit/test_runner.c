/* test_runner.c: the runbook runner without a terminal.  Incident numbers
 * per UTC day in the state file; which runbook an alert opens and the
 * labels that fill its parameters; the suggestion for a newly firing
 * alert; the picker's search; and runs driven by keys with a host of our
 * own (dialogs captured, a fake executor for every kind): parameters from
 * the alert, Enter runs a check, danger: high refuses until the target is
 * typed, Esc never confirms, a skip needs a reason, C-c cancels, read-only
 * and dry-run refuse with the engine's message, the audit hook is
 * subscribed before the run begins and can stop a step, a broken runbook
 * never runs.  The library is read by a thread: until it is, opening
 * refuses and says so (never blocks), the picker says so, and once it is
 * the picker and the suggestion catch up; freeing the runner while the
 * loader reads (or is stuck on a FIFO) neither leaks nor crashes. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "action.h"
#include "audit.h"
#include "dialog.h"
#include "incident.h"
#include "keys.h"
#include "pager.h"
#include "runbook_alert.h"
#include "runbook_view.h"
#include "runbooks.h"
#include "store.h"
#include "util.h"
#include "xmalloc.h"
#include "lib_wait.h"

/* 2026-11-21 12:00:00 UTC */
#define DAY1	((int64_t)1795262400000)
#define DAY	((int64_t)86400000)

static const char rb_memory[] =
"id: t-memory\n"
"title: Raise the memory limit\n"
"severity: P1\n"
"alerts: [HighMemoryUsage, PodCrashLooping]\n"
"parameters:\n"
"  - {name: deployment, type: string, pattern: '[a-z][a-z0-9-]*',\n"
"     from: alert.labels.deployment, required: true}\n"
"  - {name: memory_mib, type: int, min: 128, max: 8192, default: 1024}\n"
"steps:\n"
"  - id: look\n"
"    kind: check\n"
"    title: Look at {{deployment}}\n"
"    exec: {argv: [echo, '{{deployment}}'], read_only: true}\n"
"  - id: slow\n"
"    kind: check\n"
"    exec: {argv: [sleep, '30'], read_only: true}\n"
"  - id: raise\n"
"    kind: action\n"
"    title: Raise the limit of {{deployment}}\n"
"    danger: high\n"
"    target: '{{deployment}}'\n"
"    sim: {action: set-memory-limit, args: {deployment: '{{deployment}}',"
" mib: '{{memory_mib}}'}}\n"
"  - id: restart\n"
"    kind: action\n"
"    title: Restart {{deployment}}\n"
"    sim: {action: restart, args: {deployment: '{{deployment}}'}}\n"
"  - id: cause\n"
"    kind: choice\n"
"    question: Which?\n"
"    var: cause\n"
"    options: [{label: A, value: a}, {label: B, value: b}]\n"
"  - id: watch\n"
"    kind: manual\n"
"    instructions: Watch the pods\n";

static const char rb_crash[] =
"id: pod-crash-loop\n"
"title: Pods are crash looping\n"
"severity: P2\n"
"alerts: [PodCrashLooping, HealthCheckFailing]\n"
"steps:\n"
"  - {id: look, kind: manual, instructions: Look}\n";

static const char rb_broken[] =
"id: t-broken\n"
"title: Broken\n"
"severity: P9\n"
"alerts: [HighMemoryUsage]\n"
"steps:\n"
"  - {id: look, kind: manual, instructions: Look}\n";

/* A directory of our own ------------------------------------------------- */

static char *
tmpdir(void)
{
	char	*d = xstrdup("/tmp/sitrep-runner.XXXXXX");

	assert_non_null(mkdtemp(d));
	return (d);
}

static void
rmtree(const char *d)
{
	char	cmd[512];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
	assert_int_equal(system(cmd), 0);
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char	 path[512];
	FILE	*f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static char *
read_file(const char *path)
{
	static char	 buf[8192];
	FILE		*f;
	size_t		 n;

	assert_non_null(f = fopen(path, "r"));
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return (buf);
}

/* Incidents -------------------------------------------------------------- */

static void
test_incident_numbers(void **state)
{
	struct error	 err;
	struct stat	 st;
	char		*d = tmpdir(), dir[256], id[INCIDENT_ID_LEN], path[300];

	snprintf(dir, sizeof dir, "%s/state/sitrep", d);
	assert_int_equal(incident_next(dir, DAY1, id, sizeof id, &err), 0);
	assert_string_equal(id, "INC-20261121-0001");
	assert_true(incident_id_ok(id));
	assert_int_equal(incident_next(dir, DAY1 + 1000, id, sizeof id, &err),
	    0);
	assert_string_equal(id, "INC-20261121-0002");
	/* The next UTC day starts again at 1; the first day goes on. */
	assert_int_equal(incident_next(dir, DAY1 + DAY, id, sizeof id, &err),
	    0);
	assert_string_equal(id, "INC-20261122-0001");
	assert_int_equal(incident_next(dir, DAY1, id, sizeof id, &err), 0);
	assert_string_equal(id, "INC-20261121-0003");
	/* Created 0700, parents too; the file is private. */
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	snprintf(path, sizeof path, "%s/state", d);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	snprintf(path, sizeof path, "%s/incidents", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_string_equal(read_file(path), "20261121 3\n20261122 1\n");
	rmtree(d);
	free(d);
}

static void
test_incident_file(void **state)
{
	struct error	 err;
	char		*d = tmpdir(), id[INCIDENT_ID_LEN], path[300], *text;
	char		 buf[4096];
	size_t		 off = 0;
	int		 i, lines = 0;

	/* Garbage is ignored, only the newest INCIDENT_KEEP_DAYS days stay. */
	off += (size_t)snprintf(buf + off, sizeof buf - off, "garbage\n"
	    "2026112 4\n20261121 x\n");
	for (i = 1; i <= 40; i++)
		off += (size_t)snprintf(buf + off, sizeof buf - off,
		    "202610%02d %d\n", i <= 31 ? i : 31, i);
	write_file(d, "incidents", buf);
	assert_int_equal(incident_next(d, DAY1, id, sizeof id, &err), 0);
	assert_string_equal(id, "INC-20261121-0001");
	snprintf(path, sizeof path, "%s/incidents", d);
	text = read_file(path);
	for (i = 0; text[i] != '\0'; i++)
		lines += text[i] == '\n';
	assert_int_equal(lines, INCIDENT_KEEP_DAYS);
	assert_null(strstr(text, "garbage"));
	assert_non_null(strstr(text, "20261121 1\n"));
	/* 9999 a day at most. */
	write_file(d, "incidents", "20261121 9999\n");
	assert_int_equal(incident_next(d, DAY1, id, sizeof id, &err), -1);
	assert_non_null(strstr(err.msg, "9999"));
	/* A state directory that cannot be made. */
	assert_int_equal(incident_next("/proc/no/such", DAY1, id, sizeof id,
	    &err), -1);
	assert_non_null(strstr(err.msg, "cannot create"));
	incident_fallback(DAY1 + 3723000, id, sizeof id);	/* 13:02:03 */
	assert_string_equal(id, "INC-20261121-9692");
	assert_true(incident_id_ok(id));
	assert_false(incident_id_ok("INC-2026112-0001"));
	assert_false(incident_id_ok("INC-20261121-000a"));
	rmtree(d);
	free(d);
}

static void
test_incident_state_dir(void **state)
{
	char	buf[256];

	setenv("XDG_STATE_HOME", "/x/state", 1);
	setenv("HOME", "/home/alice", 1);
	assert_int_equal(incident_state_dir(buf, sizeof buf), 0);
	assert_string_equal(buf, "/x/state/sitrep");
	setenv("XDG_STATE_HOME", "relative", 1);	/* ignored, as XDG says */
	assert_int_equal(incident_state_dir(buf, sizeof buf), 0);
	assert_string_equal(buf, "/home/alice/.local/state/sitrep");
	unsetenv("XDG_STATE_HOME");
	unsetenv("HOME");
	assert_int_equal(incident_state_dir(buf, sizeof buf), -1);
}

/* Alerts and runbooks ---------------------------------------------------- */

static struct rb_library *
library(char **dirp)
{
	struct rb_diags		 diags;
	struct rb_library	*lib;
	char			*d = tmpdir();

	write_file(d, "memory.yaml", rb_memory);
	write_file(d, "crash.yaml", rb_crash);
	write_file(d, "broken.yaml", rb_broken);
	rb_diags_init(&diags);
	lib = rb_library_load(&d, 1, 0, &diags);
	assert_int_equal(lib->n, 3);
	assert_true(diags.n > 0);		/* the broken one */
	rb_diags_free(&diags);
	*dirp = d;
	return (lib);
}

static struct alert
alert(const char *name, const char *sev, const char *runbook,
    const char *fp, int64_t starts)
{
	struct alert	a;

	memset(&a, 0, sizeof a);
	snprintf(a.name, sizeof a.name, "%s", name);
	snprintf(a.severity, sizeof a.severity, "%s", sev);
	snprintf(a.runbook, sizeof a.runbook, "%s", runbook);
	snprintf(a.fingerprint, sizeof a.fingerprint, "%s", fp);
	snprintf(a.labels, sizeof a.labels, "namespace=erp-system "
	    "deployment=inventory");
	a.starts_ms = starts;
	return (a);
}

static void
test_alert_runbook(void **state)
{
	struct rb_library	*lib;
	struct alert		 a;
	char			*d;

	lib = library(&d);
	/* The annotation's runbook when the library has it. */
	a = alert("PodCrashLooping", "warning", "pod-crash-loop", "f1", 0);
	assert_string_equal(runbook_for_alert(lib, &a)->id.s,
	    "pod-crash-loop");
	/* Else the first by id whose alerts: list the name (the broken one
	 * too: the caller refuses to run it and says why). */
	a = alert("HighMemoryUsage", "warning", "high-memory-usage", "f2", 0);
	assert_string_equal(runbook_for_alert(lib, &a)->id.s, "t-broken");
	a = alert("HealthCheckFailing", "critical", "", "f3", 0);
	assert_string_equal(runbook_for_alert(lib, &a)->id.s,
	    "pod-crash-loop");
	a = alert("DiskFull", "critical", "disk-full", "f4", 0);
	assert_null(runbook_for_alert(lib, &a));
	assert_null(runbook_for_alert(NULL, &a));
	rb_library_free(lib);
	rmtree(d);
	free(d);
}

static void
test_alert_labels(void **state)
{
	struct alert	  a = alert("X", "warning", "", "f", 0);
	char		**v;
	int		  n;

	/* From the labels text when there are no matchers. */
	n = runbook_alert_labels(&a, &v);
	assert_int_equal(n, 2);
	assert_string_equal(v[0], "namespace=erp-system");
	assert_string_equal(v[1], "deployment=inventory");
	runbook_labels_free(v, n);
	/* Every label, unescaped, from the matchers. */
	alert_matcher_add(a.matchers, sizeof a.matchers, "alertname", "X");
	alert_matcher_add(a.matchers, sizeof a.matchers, "deployment", "api");
	alert_matcher_add(a.matchers, sizeof a.matchers, "note", "a b\nc");
	n = runbook_alert_labels(&a, &v);
	assert_int_equal(n, 3);
	assert_string_equal(v[0], "alertname=X");
	assert_string_equal(v[1], "deployment=api");
	assert_string_equal(v[2], "note=a b\nc");
	runbook_labels_free(v, n);
	snprintf(a.labels, sizeof a.labels, " =x novalue k= ");
	a.matchers[0] = '\0';
	n = runbook_alert_labels(&a, &v);
	assert_int_equal(n, 1);
	assert_string_equal(v[0], "k=");
	runbook_labels_free(v, n);
}

static void
test_suggest(void **state)
{
	struct rb_library	*lib;
	struct rb_suggest	 s;
	struct alerts_data	 d;
	struct alert		 rows[4];
	char			*dir, text[160];

	lib = library(&dir);
	memset(&s, 0, sizeof s);
	memset(&d, 0, sizeof d);
	d.rows = rows;
	/* An info alert and one without a runbook suggest nothing. */
	rows[0] = alert("Info", "info", "pod-crash-loop", "i", 10);
	rows[1] = alert("DiskFull", "critical", "", "k", 10);
	d.n = 2;
	rb_suggest_update(&s, lib, &d);
	assert_false(s.on);
	rb_suggest_text(&s, text, sizeof text);
	assert_string_equal(text, "");
	/* A new warning with a runbook. */
	rows[2] = alert("PodCrashLooping", "warning", "pod-crash-loop", "w",
	    20);
	d.n = 3;
	rb_suggest_update(&s, lib, &d);
	assert_true(s.on);
	rb_suggest_text(&s, text, sizeof text);
	assert_string_equal(text, "PodCrashLooping firing: press R to open "
	    "runbook pod-crash-loop");
	/* Opened: it is not suggested again while it keeps firing. */
	rb_suggest_dismiss(&s);
	rb_suggest_update(&s, lib, &d);
	assert_false(s.on);
	/* A new critical one. */
	rows[3] = alert("HealthCheckFailing", "critical", "", "c", 30);
	d.n = 4;
	rb_suggest_update(&s, lib, &d);
	assert_true(s.on);
	assert_int_equal(s.rank, 2);
	assert_string_equal(s.alert.name, "HealthCheckFailing");
	/* A warning that fires later does not push the critical one out. */
	rows[2].fingerprint[0] = 'W';
	rb_suggest_update(&s, lib, &d);
	assert_string_equal(s.alert.name, "HealthCheckFailing");
	/* Silenced: the suggestion goes. */
	rows[3].state = ALERT_SILENCED;
	rb_suggest_update(&s, lib, &d);
	assert_false(s.on);
	/* Resolved and firing again: new again. */
	d.n = 3;
	rows[3].state = ALERT_ACTIVE;
	rb_suggest_update(&s, lib, &d);
	d.n = 4;
	rb_suggest_update(&s, lib, &d);
	assert_true(s.on);
	assert_string_equal(s.runbook, "pod-crash-loop");
	rb_suggest_free(&s);
	rb_library_free(lib);
	rmtree(dir);
	free(dir);
}

static void
test_picker_search(void **state)
{
	struct rb_library	*lib;
	struct rb_diags		 diags;
	struct table		*t = runbook_picker_new();
	char			*dir;
	int			 i;

	lib = library(&dir);
	rb_diags_init(&diags);
	rb_diag_add(&diags, "/x/unreadable.yaml", 1, 1, "not YAML");
	runbook_picker_fill(t, lib, &diags, NULL, 0);
	assert_int_equal(table_rows_total(t), 4);
	/* Runnable first, by id; then the broken one with its reason; then
	 * a file that could not be read at all. */
	assert_string_equal(table_text(t, 0, 0), "pod-crash-loop");
	assert_string_equal(table_text(t, 1, 0), "t-memory");
	assert_string_equal(table_text(t, 2, 0), "t-broken");
	assert_string_equal(table_text(t, 2, 4), "broken");
	assert_non_null(strstr(table_text(t, 2, 2), "severity"));
	assert_string_equal(table_text(t, 3, 4), "unreadable");
	assert_non_null(strstr(table_text(t, 3, 2), "not YAML"));
	/* Search: id, title, alerts, case-insensitive. */
	table_set_filter(t, "CRASH");
	assert_int_equal(table_rows(t), 2);	/* the id, and t-memory's
						 * PodCrashLooping */
	table_set_filter(t, "memory limit");
	assert_int_equal(table_rows(t), 1);
	assert_string_equal(table_selected(t), "rb:t-memory");
	table_set_filter(t, "HealthCheck");
	assert_int_equal(table_rows(t), 1);
	assert_string_equal(table_selected(t), "rb:pod-crash-loop");
	table_set_filter(t, "broken");
	assert_int_equal(table_rows(t), 1);
	assert_non_null(strstr(table_selected(t), "bad:"));
	table_set_filter(t, "nothing like it");
	assert_int_equal(table_rows(t), 0);
	assert_null(table_selected(t));
	for (i = 0; i < 2; i++)
		table_set_filter(t, "");
	assert_int_equal(table_rows(t), 4);
	table_free(t);
	rb_diags_free(&diags);
	rb_library_free(lib);
	rmtree(dir);
	free(dir);
}

/* Runs, with a host of our own ------------------------------------------- */

struct fake {
	struct panel_host	 host;
	struct store		*store;
	struct actions		*acts;
	struct runbooks		*h;
	struct runbooks_opts	 o;
	char			*dir;		/* runbooks */
	char			*state;		/* incidents */
	struct dialog		*d;
	void			(*on_close)(struct panel *, struct dialog *,
				    int);
	int			 dialogs;
	struct pager		*pager;
	char			 msg[512];
	pthread_mutex_t		 lock;
	char			 log[4096];	/* kind|args; per call */
	int			 calls;
	/* audit */
	int			 events, began_at, subscribed_before_begin;
	int			 refuse;
};

static void
fake_message(void *arg, int error, const char *msg)
{
	snprintf(((struct fake *)arg)->msg, sizeof ((struct fake *)arg)->msg,
	    "%s", msg);
}

static void
fake_dialog(void *arg, struct dialog *d, struct panel *p,
    void (*on_close)(struct panel *, struct dialog *, int))
{
	struct fake	*f = arg;

	dialog_free(f->d);
	f->d = d;
	f->on_close = on_close;
	f->dialogs++;
}

static void
fake_pager(void *arg, struct pager *pg)
{
	struct fake	*f = arg;

	pager_free(f->pager);
	f->pager = pg;
}

static int
fake_action(void *ctx, const struct action_req *req,
    struct action_result *res, const volatile int *cancel)
{
	struct fake	*f = ctx;
	size_t		 off;
	int		 i, slow = 0;

	pthread_mutex_lock(&f->lock);
	off = strlen(f->log);
	off += (size_t)snprintf(f->log + off, sizeof f->log - off, "%s",
	    req->kind);
	for (i = 0; i < req->argc && off < sizeof f->log; i++) {
		off += (size_t)snprintf(f->log + off, sizeof f->log - off,
		    "|%s", req->argv[i]);
		slow |= strcmp(req->argv[i], "argv=sleep") == 0;
	}
	if (off < sizeof f->log)
		snprintf(f->log + off, sizeof f->log - off, "\n");
	f->calls++;
	pthread_mutex_unlock(&f->lock);
	while (slow && !*cancel)
		usleep(1000);
	res->output = xstrdup(slow ? "cancelled" : "inventory: fine\n");
	snprintf(res->summary, sizeof res->summary, "%s", *cancel ?
	    "cancelled" : "ok");
	return (*cancel ? -1 : 0);
}

static int
fake_audit(void *arg, const struct engine_event *ev)
{
	struct fake	*f = arg;

	if (f->events++ == 0)
		f->subscribed_before_begin = ev->type != EV_RUN_BEGIN;
	if (ev->type == EV_RUN_BEGIN)
		f->began_at = f->events;
	return (ev->type == EV_STEP_STARTED && f->refuse ? -1 : 0);
}

/* The fake and a runner whose library may not be read yet. */
static void
fake_setup(struct fake *f, int read_only, int dry_run)
{
	static const char *const kinds[] = { "exec", "sim", "sim.query",
	    "notify", NULL };
	int	i;

	memset(f, 0, sizeof *f);
	pthread_mutex_init(&f->lock, NULL);
	f->host.arg = f;
	f->host.message = fake_message;
	f->host.dialog = fake_dialog;
	f->host.pager = fake_pager;
	f->host.operator = "alice@bastion-1";
	f->store = store_new();
	f->acts = actions_new(f->store);
	for (i = 0; kinds[i] != NULL; i++)
		actions_register(f->acts, kinds[i], fake_action, f);
	f->host.actions = f->acts;
	f->dir = tmpdir();
	f->state = tmpdir();
	write_file(f->dir, "memory.yaml", rb_memory);
	write_file(f->dir, "crash.yaml", rb_crash);
	write_file(f->dir, "broken.yaml", rb_broken);
	f->o.host = &f->host;
	f->o.env = "prod";
	f->o.production = 1;
	f->o.read_only = read_only;
	f->o.dry_run = dry_run;
	f->o.audit_fn = fake_audit;
	f->o.audit_arg = f;
	f->o.state_dir = f->state;
	f->o.dirs = &f->dir;
	f->o.ndirs = 1;
	f->h = runbooks_new(&f->o);
}

static void
fake_init(struct fake *f, int read_only, int dry_run)
{
	fake_setup(f, read_only, dry_run);
	lib_wait(f->h);
}

static void
fake_free(struct fake *f)
{
	runbooks_free(f->h);
	dialog_free(f->d);
	pager_free(f->pager);
	assert_int_equal(actions_free(f->acts, 2000), 0);
	store_free(f->store);
	rmtree(f->dir);
	rmtree(f->state);
	free(f->dir);
	free(f->state);
	pthread_mutex_destroy(&f->lock);
}

/* A key to the open dialog, as the console passes it, else the view. */
static void
press(struct fake *f, int key)
{
	struct dialog		*d = f->d;
	enum dialog_result	 r;

	if (d == NULL) {
		runbooks_key(f->h, key, 10);
		return;
	}
	if ((r = dialog_key(d, key)) == DIALOG_OPEN)
		return;
	f->d = NULL;
	f->on_close(NULL, d, r);
	dialog_free(d);
}

static void
type(struct fake *f, const char *s)
{
	for (; *s != '\0'; s++)
		press(f, (unsigned char)*s);
}

/* Wait for the actions, deliver their results, poll the runs. */
static void
settle(struct fake *f)
{
	int	i;

	for (i = 0; i < 1000 && actions_running(f->acts) > 0; i++)
		usleep(2000);
	actions_collect(f->acts);
	runbooks_poll(f->h);
}

static int
calls(struct fake *f)
{
	int	n;

	pthread_mutex_lock(&f->lock);
	n = f->calls;
	pthread_mutex_unlock(&f->lock);
	return (n);
}

static struct run *
shown(struct fake *f)
{
	assert_true(runbooks_showing(f->h));
	assert_non_null(f->h->shown);
	return (f->h->shown);
}

/* Open t-memory from a HighMemoryUsage alert of deployment inventory and
 * accept the form as filled. */
static struct run *
open_from_alert(struct fake *f)
{
	struct alert	a = alert("HighMemoryUsage", "warning", "t-memory",
			    "f1", 0);

	assert_int_equal(runbooks_open_alert(f->h, &a), 0);
	assert_non_null(f->d);
	assert_string_equal(dialog_value(f->d, 0), "inventory");
	assert_string_equal(dialog_value(f->d, 1), "1024");
	assert_null(runbooks_incident(f->h));	/* not before it begins */
	press(f, KEYC_ENTER);
	press(f, KEYC_ENTER);
	assert_null(f->d);
	return (shown(f));
}

static void
test_run_from_alert(void **state)
{
	struct fake	 f;
	struct run	*r;
	char		 what[256];

	fake_init(&f, 0, 0);
	r = open_from_alert(&f);
	assert_non_null(r->e);
	assert_string_equal(engine_value_display(r->e, "deployment"),
	    "inventory");
	assert_non_null(runbooks_incident(f.h));
	assert_true(incident_id_ok(runbooks_incident(f.h)));
	assert_true(f.subscribed_before_begin);
	assert_int_equal(r->cur, 0);

	/* Enter runs the check. */
	press(&f, KEYC_ENTER);
	settle(&f);
	assert_int_equal(engine_step_state(r->e, 0), STEP_OK);
	assert_non_null(strstr(f.log, "exec|argv=echo|argv=inventory|"
	    "read_only=1"));
	assert_int_equal(r->cur, 1);
	assert_int_equal(r->view, 1);

	/* C-c cancels the slow check; a skip needs a reason. */
	press(&f, KEYC_ENTER);
	assert_true(runbooks_running(f.h, what, sizeof what));
	assert_string_equal(what, "t-memory step 2 (slow)");
	press(&f, KEYC_CTRL('c'));
	settle(&f);
	assert_int_equal(engine_step_state(r->e, 1), STEP_CANCELLED);
	assert_false(runbooks_running(f.h, what, sizeof what));
	press(&f, 's');
	assert_non_null(f.d);
	press(&f, KEYC_ENTER);			/* no reason */
	assert_non_null(f.d);
	assert_int_equal(engine_step_state(r->e, 1), STEP_CANCELLED);
	type(&f, "not needed");
	press(&f, KEYC_ENTER);
	assert_null(f.d);
	assert_int_equal(engine_step_state(r->e, 1), STEP_SKIPPED);
	assert_string_equal(engine_step_reason(r->e, 1), "not needed");

	/* danger: high: y asks for the target; Enter with the wrong word
	 * and Esc never run it. */
	assert_int_equal(r->cur, 2);
	press(&f, KEYC_ENTER);			/* Enter is not y */
	assert_null(f.d);
	press(&f, 'y');
	assert_non_null(f.d);
	type(&f, "invent");
	press(&f, KEYC_ENTER);
	assert_non_null(f.d);			/* still open */
	press(&f, KEYC_ESC);
	assert_null(f.d);
	settle(&f);
	assert_null(strstr(f.log, "set-memory-limit"));
	assert_string_equal(r->msg, "step 3 not confirmed: nothing ran");
	/* Esc in the view leaves it; the run stays. */
	assert_int_equal(runbooks_key(f.h, KEYC_ESC, 10), RUNBOOKS_LEAVE);
	assert_false(runbooks_showing(f.h));
	assert_int_equal(runbooks_open_suggested(f.h), 0);	/* R */
	assert_ptr_equal(shown(&f), r);
	press(&f, 'y');
	type(&f, "inventory");
	press(&f, KEYC_ENTER);
	settle(&f);
	assert_non_null(strstr(f.log, "sim|action=set-memory-limit|"
	    "deployment=inventory|mib=1024"));
	assert_int_equal(engine_step_state(r->e, 2), STEP_OK);

	/* An ordinary action: y confirms and runs it. */
	press(&f, 'y');
	assert_null(f.d);
	settle(&f);
	assert_non_null(strstr(f.log, "sim|action=restart|"
	    "deployment=inventory"));
	/* A choice by its number, a manual step with y. */
	press(&f, '3');
	assert_int_equal(r->cur, 4);
	press(&f, '2');
	assert_string_equal(engine_value_display(r->e, "cause"), "b");
	press(&f, 'n');
	type(&f, "pods look fine");
	press(&f, KEYC_ENTER);
	press(&f, 'y');
	assert_true(runbook_run_over(r));
	assert_int_equal(calls(&f), 4);

	/* :runbook t-memory again: a finished run is not reopened. */
	assert_int_equal(runbooks_open_name(f.h, "t-memory"), 0);
	assert_non_null(f.d);			/* a new form */
	press(&f, KEYC_ESC);
	assert_false(runbooks_showing(f.h));
	assert_string_equal(f.msg, "runbook t-memory not started");
	assert_int_equal(f.h->nruns, 1);
	fake_free(&f);
}

static void
test_run_form(void **state)
{
	struct fake	 f;
	struct run	*r;

	fake_init(&f, 0, 0);
	/* Without an alert the required parameter is empty: the form comes
	 * back with the reason, on that field. */
	assert_int_equal(runbooks_open_name(f.h, "t-memory"), 0);
	assert_string_equal(dialog_value(f.d, 0), "");
	press(&f, KEYC_ENTER);
	press(&f, KEYC_ENTER);
	assert_non_null(f.d);
	assert_int_equal(f.dialogs, 2);
	assert_null(runbooks_incident(f.h));
	/* An invalid value: the engine's reason, the form stays. */
	type(&f, "Not-Valid");
	press(&f, KEYC_ENTER);
	press(&f, KEYC_ENTER);
	assert_non_null(f.d);
	assert_int_equal(f.dialogs, 3);
	assert_int_equal(f.events, 0);		/* nothing recorded yet */
	press(&f, KEYC_ESC);
	assert_null(f.d);
	assert_false(runbooks_showing(f.h));
	assert_int_equal(f.h->nruns, 0);

	assert_int_equal(runbooks_open_name(f.h, "t-memory"), 0);
	type(&f, "api");
	press(&f, KEYC_TAB);
	press(&f, KEYC_BACKSPACE);
	press(&f, KEYC_BACKSPACE);
	press(&f, KEYC_BACKSPACE);
	press(&f, KEYC_BACKSPACE);
	type(&f, "2048");
	press(&f, KEYC_ENTER);
	r = shown(&f);
	assert_non_null(r->e);
	assert_string_equal(engine_value_display(r->e, "memory_mib"), "2048");
	/* Unknown and broken runbooks never run. */
	assert_int_equal(runbooks_open_name(f.h, "no-such"), -1);
	assert_string_equal(f.msg, "no runbook 'no-such' (:runbook lists "
	    "them)");
	assert_int_equal(runbooks_open_picker(f.h), 0);
	table_set_filter(f.h->picker, "t-broken");
	press(&f, KEYC_ENTER);
	assert_non_null(strstr(f.msg, "is broken, it cannot run"));
	assert_non_null(strstr(f.msg, "severity"));
	assert_int_equal(f.h->nruns, 1);
	fake_free(&f);
}

static void
test_run_read_only(void **state)
{
	struct fake	 f;
	struct run	*r;

	fake_init(&f, 1, 0);
	r = open_from_alert(&f);
	press(&f, KEYC_ENTER);			/* checks still run */
	settle(&f);
	assert_int_equal(engine_step_state(r->e, 0), STEP_OK);
	press(&f, 's');
	type(&f, "slow");
	press(&f, KEYC_ENTER);
	press(&f, 'y');				/* no typing asked: refused */
	assert_null(f.d);
	assert_string_equal(r->msg, "read-only mode: actions are refused");
	settle(&f);
	assert_int_equal(calls(&f), 1);
	fake_free(&f);
}

static void
test_run_dry_run(void **state)
{
	struct fake	 f;
	struct run	*r;
	int		 i;

	fake_init(&f, 0, 1);
	r = open_from_alert(&f);
	/* Every step rendered, in a pager. */
	assert_non_null(f.pager);
	assert_true(pager_lines(f.pager) >= 6);
	press(&f, KEYC_ENTER);
	assert_string_equal(r->msg, "dry-run mode: nothing runs");
	for (i = 0; i < 2; i++) {
		press(&f, 's');
		type(&f, "dry");
		press(&f, KEYC_ENTER);
	}
	press(&f, 'y');
	type(&f, "inventory");
	press(&f, KEYC_ENTER);
	assert_string_equal(r->msg, "dry-run mode: nothing runs");
	settle(&f);
	assert_int_equal(calls(&f), 0);
	fake_free(&f);
}

static void
test_run_audit_refuses(void **state)
{
	struct fake	 f;
	struct run	*r;

	fake_init(&f, 0, 0);
	f.refuse = 1;
	r = open_from_alert(&f);
	press(&f, KEYC_ENTER);
	settle(&f);
	assert_int_equal(calls(&f), 0);
	assert_int_equal(engine_step_state(r->e, 0), STEP_FAILED);
	assert_non_null(strstr(r->msg, "intent could not be recorded"));
	fake_free(&f);
}

static void
test_run_browse(void **state)
{
	struct fake	 f;
	struct run	*r;

	fake_init(&f, 0, 0);
	r = open_from_alert(&f);
	press(&f, ']');
	press(&f, ']');
	assert_int_equal(r->view, 2);
	assert_false(r->follow);
	press(&f, 'y');				/* not the current step */
	assert_null(f.d);
	assert_non_null(strstr(r->msg, "not the current step"));
	press(&f, '.');
	assert_int_equal(r->view, 0);
	press(&f, KEYC_ENTER);
	settle(&f);
	assert_int_equal(r->view, 1);		/* follows the cursor */
	press(&f, '[');
	press(&f, KEYC_ENTER);			/* a past check runs again */
	settle(&f);
	assert_int_equal(calls(&f), 2);
	assert_int_equal(r->cur, 1);
	/* D: every step rendered; d: sim has no dry run. */
	press(&f, 'D');
	assert_non_null(f.pager);
	press(&f, '.');
	press(&f, 'd');
	assert_non_null(strstr(r->msg, "no dry-run preview"));
	fake_free(&f);
}

/* Resume: a run left unfinished in a real trail (audit API), with step 2
 * started and no finish record; reopened with :resume's path, step 1
 * restored, step 2 held (outcome unknown) until an explicit y. */
static void
test_resume(void **state)
{
	struct fake			 f;
	struct audit_opts		 ao;
	struct audit			*a;
	struct error			 err;
	struct run			*r;
	const struct engine_event	*evs;
	struct engine_event		 ev;
	char				 trail[600], banner[256], *log;
	char				 inc[INCIDENT_ID_LEN];
	int				 n, i;

	fake_init(&f, 0, 0);
	snprintf(trail, sizeof trail, "%s/audit.jsonl", f.state);
	memset(&ao, 0, sizeof ao);
	ao.path = trail;
	ao.no_session = 1;
	assert_non_null(a = audit_open(&ao, &err));
	runbooks_free(f.h);
	f.o.audit_fn = audit_engine_event;
	f.o.audit_arg = a;
	f.o.audit_trail = trail;
	f.h = runbooks_new(&f.o);
	lib_wait(f.h);

	/* The first console: step 1 ok, step 2 started, then "killed". */
	r = open_from_alert(&f);
	press(&f, KEYC_ENTER);
	settle(&f);
	assert_int_equal(r->cur, 1);
	evs = engine_events(r->e, &n);
	ev = evs[n - 1];			/* step 2 shown */
	assert_int_equal(ev.step, 1);
	ev.type = EV_STEP_STARTED;
	ev.action_kind = "exec";
	ev.attempt = 1;
	assert_int_equal(audit_engine_event(a, &ev), 0);
	strlcpy_(inc, runbooks_incident(f.h), sizeof inc);
	runbooks_free(f.h);

	/* The second: the trail is read off the UI thread. */
	f.h = runbooks_new(&f.o);
	lib_wait(f.h);
	runbooks_resume_scan(f.h);
	settle(&f);
	assert_int_equal(runbooks_banner(f.h, banner, sizeof banner), 1);
	assert_non_null(strstr(banner, "unfinished run: t-memory (INC-"));
	assert_non_null(strstr(banner, ":resume"));
	assert_int_equal(runbooks_resume(f.h, NULL), 0);
	assert_non_null(f.d);			/* the recorded parameters */
	assert_string_equal(dialog_value(f.d, 0), "inventory");
	assert_string_equal(dialog_value(f.d, 1), "1024");
	press(&f, KEYC_ENTER);
	press(&f, KEYC_ENTER);
	assert_null(f.d);
	r = shown(&f);
	evs = engine_events(r->e, &n);
	assert_string_equal(evs[0].incident, inc);
	assert_string_equal(runbooks_incident(f.h), inc);
	assert_int_equal(engine_step_state(r->e, 0), STEP_OK);
	assert_int_equal(r->cur, 1);
	assert_non_null(r->unknown);
	assert_int_equal(r->unknown[1], 1);
	assert_non_null(strstr(r->msg, "outcome unknown: check before "
	    "running again"));
	assert_int_equal(runbooks_banner(f.h, banner, sizeof banner), 0);

	/* Never re-run without an explicit y on the dialog that says so. */
	n = calls(&f);
	press(&f, KEYC_ENTER);
	assert_non_null(f.d);
	press(&f, KEYC_ESC);
	settle(&f);
	assert_int_equal(calls(&f), n);
	assert_int_equal(r->unknown[1], 1);
	press(&f, KEYC_ENTER);
	press(&f, KEYC_ENTER);			/* Enter does not confirm */
	assert_non_null(f.d);
	press(&f, 'y');
	assert_null(f.d);
	assert_int_equal(r->unknown[1], 0);
	assert_int_equal(calls(&f), n);
	press(&f, KEYC_ENTER);			/* now it runs */
	for (i = 0; i < 1000 && calls(&f) == n; i++)
		usleep(2000);
	assert_int_equal(calls(&f), n + 1);
	press(&f, KEYC_CTRL('c'));
	settle(&f);

	log = xcalloc(1, 1 << 20);		/* the whole trail */
	{
		FILE	*fp;

		assert_non_null(fp = fopen(trail, "r"));
		assert_true(fread(log, 1, (1 << 20) - 1, fp) > 0);
		fclose(fp);
	}
	assert_non_null(strstr(log, "resumed from the trail"));
	assert_non_null(strstr(log, "restored from the trail"));
	assert_non_null(strstr(log, "outcome unknown acknowledged"));
	free(log);
	runbooks_free(f.h);
	f.h = NULL;
	audit_close(a);
	fake_free(&f);
}

/* The library loader ----------------------------------------------------- */

/* A FIFO among the runbooks: the loader blocks opening it until
 * fifo_release, as it would on a hung disk. */
static void
fifo_make(struct fake *f, char *path, size_t len)
{
	snprintf(path, len, "%s/zz-slow.yaml", f->dir);
	assert_int_equal(mkfifo(path, 0600), 0);
}

/* Open the FIFO's other end once the loader waits on it (5 s at most),
 * then close it: the loader reads an empty file. */
static void
fifo_release(const char *path)
{
	int	fd = -1, i;

	for (i = 0; i < 1000 && fd < 0; i++) {
		if ((fd = open(path, O_WRONLY | O_NONBLOCK)) < 0) {
			assert_int_equal(errno, ENXIO);	/* no reader yet */
			usleep(5000);
		}
	}
	assert_true(fd >= 0);
	close(fd);
}

static struct snapshot *
alerts_snapshot(const struct alert *a)
{
	struct snapshot	*s = snapshot_new(SNAP_ALERTS);

	s->u.alerts.rows = xcalloc(1, sizeof *s->u.alerts.rows);
	s->u.alerts.rows[0] = *a;
	s->u.alerts.n = 1;
	return (s);
}

static void
test_loader_free_early(void **state)
{
	struct fake	f;
	int		i;

	/* Freed at once, the loader still reading: joined, nothing leaks
	 * (LeakSanitizer), nothing is touched after (AddressSanitizer). */
	for (i = 0; i < 10; i++) {
		fake_setup(&f, 0, 0);
		fake_free(&f);
	}
	/* And freed just after the library arrived, not adopted. */
	fake_setup(&f, 0, 0);
	usleep(100000);
	fake_free(&f);
}

static void
test_loader_not_read(void **state)
{
	struct fake	 f;
	struct alert	 a = alert("HighMemoryUsage", "warning", "t-memory",
			    "f1", 0);
	struct snapshot	*s;
	struct pollfd	 pfd;
	char		 fifo[600], banner[256];
	int		 i;

	fake_setup(&f, 0, 0);
	runbooks_free(f.h);
	fifo_make(&f, fifo, sizeof fifo);
	f.o.store = f.store;			/* woken when read */
	store_drain(f.store);
	f.h = runbooks_new(&f.o);

	/* Not read: everything refuses at once and says why. */
	assert_null(runbooks_lib(f.h));
	assert_int_equal(runbooks_poll(f.h), 0);
	assert_int_equal(runbooks_open_name(f.h, "t-memory"), -1);
	assert_string_equal(f.msg, RB_LIB_UNREAD);
	assert_false(runbooks_showing(f.h));
	f.msg[0] = '\0';
	assert_int_equal(runbooks_open_alert(f.h, &a), -1);
	assert_string_equal(f.msg, RB_LIB_UNREAD);
	f.msg[0] = '\0';
	assert_int_equal(runbooks_open_suggested(f.h), -1);
	assert_string_equal(f.msg, RB_LIB_UNREAD);
	assert_null(f.d);
	/* The alerts meanwhile: no suggestion yet. */
	s = alerts_snapshot(&a);
	runbooks_alerts(f.h, s);
	snapshot_unref(s);			/* the runner keeps its own */
	assert_int_equal(runbooks_banner(f.h, banner, sizeof banner), 0);
	/* The picker: one row that says so; Enter on it refuses. */
	assert_int_equal(runbooks_open_picker(f.h), 0);
	assert_int_equal(table_rows_total(f.h->picker), 1);
	assert_non_null(strstr(table_text(f.h->picker, 0, 2), "being read"));
	f.msg[0] = '\0';
	press(&f, KEYC_ENTER);
	assert_string_equal(f.msg, RB_LIB_UNREAD);
	assert_null(f.d);

	/* Read: the UI is woken, the picker lists the library, the
	 * suggestion comes from the alerts kept meanwhile. */
	fifo_release(fifo);
	pfd.fd = store_wake_fd(f.store);
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	for (i = 0; i < 1000 && runbooks_poll(f.h) == 0; i++)
		usleep(5000);
	assert_non_null(runbooks_lib(f.h));
	assert_int_equal(runbooks_poll(f.h), 0);	/* once */
	assert_true(table_rows_total(f.h->picker) >= 3);
	assert_string_equal(table_text(f.h->picker, 0, 0), "pod-crash-loop");
	assert_int_equal(runbooks_banner(f.h, banner, sizeof banner), 1);
	assert_non_null(strstr(banner, "press R to open runbook t-memory"));
	assert_int_equal(runbooks_open_name(f.h, "t-memory"), 0);
	assert_non_null(f.d);			/* its parameters */
	fake_free(&f);
}

static void
test_loader_hung(void **state)
{
	struct fake	 f;
	char		 fifo[600];
	int64_t		 t0;

	fake_setup(&f, 0, 0);
	runbooks_free(f.h);
	fifo_make(&f, fifo, sizeof fifo);
	f.h = runbooks_new(&f.o);
	/* A loader stuck on the disk: quitting waits a bounded time and
	 * leaves it behind; when it ends it frees what it read itself. */
	t0 = now_ms();
	runbooks_free(f.h);
	f.h = NULL;
	assert_true(now_ms() - t0 < 10000);
	fifo_release(fifo);
	usleep(300000);				/* let it end (ASan watches) */
	fake_free(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_incident_numbers),
		cmocka_unit_test(test_incident_file),
		cmocka_unit_test(test_incident_state_dir),
		cmocka_unit_test(test_alert_runbook),
		cmocka_unit_test(test_alert_labels),
		cmocka_unit_test(test_suggest),
		cmocka_unit_test(test_picker_search),
		cmocka_unit_test(test_run_from_alert),
		cmocka_unit_test(test_run_form),
		cmocka_unit_test(test_run_read_only),
		cmocka_unit_test(test_run_dry_run),
		cmocka_unit_test(test_run_audit_refuses),
		cmocka_unit_test(test_run_browse),
		cmocka_unit_test(test_resume),
		cmocka_unit_test(test_loader_free_early),
		cmocka_unit_test(test_loader_not_read),
		cmocka_unit_test(test_loader_hung),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
