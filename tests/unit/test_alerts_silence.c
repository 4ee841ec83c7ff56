/* test_alerts_silence.c: the Alerts panel's silence keys with a host of
 * our own: m asks for a duration and a comment (validated, the form comes
 * back with the reason), restates it for a y, and only then runs
 * silence.create with the alert's labels as matchers and the operator as
 * the author; x expires a silenced alert's silence after a y; M shows the
 * list in a pager; without the actions, m says so. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "action.h"
#include "dialog.h"
#include "keys.h"
#include "pager.h"
#include "panel.h"
#include "snapshot.h"
#include "store.h"
#include "util.h"
#include "xmalloc.h"

extern const struct panel_class alerts_panel;

#define NOW	((int64_t)1790000000000)

struct fake {
	struct panel_host	 host;
	struct store		*store;
	struct actions		*acts;
	struct dialog		*d;
	struct panel		*dp;
	void			(*on_close)(struct panel *, struct dialog *,
				    int);
	int			 dialogs;	/* opened so far */
	char			 msg[512];
	int			 msg_error;
	struct pager		*pager;
	/* The last action a handler saw (under lock). */
	pthread_mutex_t		 lock;
	char			 kind[48];
	char			 args[1024];
	int			 calls;
};

static void
fake_message(void *arg, int error, const char *msg)
{
	struct fake	*f = arg;

	strlcpy_(f->msg, msg, sizeof f->msg);
	f->msg_error = error;
}

static void
fake_dialog(void *arg, struct dialog *d, struct panel *p,
    void (*on_close)(struct panel *, struct dialog *, int))
{
	struct fake	*f = arg;

	dialog_free(f->d);
	f->d = d;
	f->dp = p;
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

/* The handlers: remember the request, answer as Alertmanager would. */
static int
fake_action(void *ctx, const struct action_req *req,
    struct action_result *res, const volatile int *cancel)
{
	struct fake	*f = ctx;
	size_t		 off = 0;
	int		 i;

	pthread_mutex_lock(&f->lock);
	strlcpy_(f->kind, req->kind, sizeof f->kind);
	f->args[0] = '\0';
	for (i = 0; i < req->argc && off < sizeof f->args; i++)
		off += (size_t)snprintf(f->args + off, sizeof f->args - off,
		    "%s|", req->argv[i]);
	f->calls++;
	pthread_mutex_unlock(&f->lock);
	if (strcmp(req->kind, "silence.list") == 0) {
		res->output = xstrdup("sil-1  active   ends in 1h  by bob@x\n"
		    "    alertname=\"B\"\n");
		snprintf(res->summary, sizeof res->summary, "1 silences");
	} else
		snprintf(res->summary, sizeof res->summary, "%s done",
		    req->kind);
	return (0);
}

static void
fake_init(struct fake *f, int with_actions)
{
	memset(f, 0, sizeof *f);
	pthread_mutex_init(&f->lock, NULL);
	f->host.arg = f;
	f->host.message = fake_message;
	f->host.dialog = fake_dialog;
	f->host.pager = fake_pager;
	f->host.operator = "alice@bastion-1";
	f->store = store_new();
	if (!with_actions)
		return;
	f->acts = actions_new(f->store);
	actions_register(f->acts, "silence.create", fake_action, f);
	actions_register(f->acts, "silence.expire", fake_action, f);
	actions_register(f->acts, "silence.list", fake_action, f);
	f->host.actions = f->acts;
}

static void
fake_free(struct fake *f)
{
	dialog_free(f->d);
	pager_free(f->pager);
	if (f->acts != NULL)
		assert_int_equal(actions_free(f->acts, 1000), 0);
	store_free(f->store);
	pthread_mutex_destroy(&f->lock);
}

/* A key to the open dialog, as the console passes it, else the panel. */
static void
press(struct fake *f, struct panel *p, int key)
{
	struct dialog		*d = f->d;
	enum dialog_result	 r;

	if (d == NULL) {
		panel_key(p, key, 10);
		return;
	}
	if ((r = dialog_key(d, key)) == DIALOG_OPEN)
		return;
	f->d = NULL;
	f->on_close(f->dp, d, r);
	dialog_free(d);
}

static void
type(struct fake *f, struct panel *p, const char *s)
{
	for (; *s != '\0'; s++)
		press(f, p, (unsigned char)*s);
}

/* Wait for the running actions and deliver their results. */
static void
settle(struct fake *f)
{
	int	i;

	for (i = 0; i < 500 && actions_running(f->acts) > 0; i++)
		usleep(2000);
	actions_collect(f->acts);
}

static struct panel *
alerts_with(struct fake *f)
{
	struct snapshot	*s = snapshot_new(SNAP_ALERTS);
	struct alert	*a;
	struct panel	*p;

	s->fetched_ms = NOW;
	s->u.alerts.n = 2;
	s->u.alerts.rows = a = xcalloc(2, sizeof *a);
	snprintf(a[0].name, sizeof a[0].name, "PodCrashLooping");
	snprintf(a[0].severity, sizeof a[0].severity, "critical");
	snprintf(a[0].fingerprint, sizeof a[0].fingerprint, "f1");
	alert_matcher_add(a[0].matchers, sizeof a[0].matchers, "alertname",
	    "PodCrashLooping");
	alert_matcher_add(a[0].matchers, sizeof a[0].matchers, "namespace",
	    "erp-system");
	alert_matcher_add(a[0].matchers, sizeof a[0].matchers, "pod",
	    "finance-1");
	a[0].starts_ms = NOW - 60000;
	snprintf(a[1].name, sizeof a[1].name, "Quiet");
	snprintf(a[1].severity, sizeof a[1].severity, "warning");
	snprintf(a[1].fingerprint, sizeof a[1].fingerprint, "f2");
	alert_matcher_add(a[1].matchers, sizeof a[1].matchers, "alertname",
	    "Quiet");
	snprintf(a[1].silenced_by, sizeof a[1].silenced_by, "sil-1");
	a[1].state = ALERT_SILENCED;
	a[1].starts_ms = NOW - 120000;
	p = panel_new(&alerts_panel);
	p->host = &f->host;
	p->snap = s;
	p->cls->update(p, s);
	return (p);
}

static void
test_without_alertmanager(void **state)
{
	struct fake	 f;
	struct panel	*p;

	fake_init(&f, 0);
	p = alerts_with(&f);
	press(&f, p, 'm');
	assert_null(f.d);
	assert_true(f.msg_error);
	assert_string_equal(f.msg, "silences need an Alertmanager source "
	    "(docs/alertmanager.md)");
	press(&f, p, 'x');
	assert_null(f.d);
	press(&f, p, 'M');
	assert_null(f.pager);
	panel_free(p);
	fake_free(&f);
}

static void
test_silence_two_steps(void **state)
{
	struct fake	 f;
	struct panel	*p;

	fake_init(&f, 1);
	p = alerts_with(&f);
	assert_string_equal(table_selected(p->table), "PodCrashLooping/f1");
	press(&f, p, 'm');
	assert_non_null(f.d);
	assert_string_equal(dialog_value(f.d, 0), "2h");
	assert_string_equal(dialog_value(f.d, 1), "");
	/* No comment: the form comes back. */
	press(&f, p, KEYC_ENTER);
	press(&f, p, KEYC_ENTER);
	assert_non_null(f.d);
	assert_int_equal(f.dialogs, 2);
	assert_int_equal(f.calls, 0);
	/* A duration out of range: back again, the comment kept. */
	type(&f, p, "db failover, INC-7");
	press(&f, p, KEYC_BTAB);
	press(&f, p, KEYC_BACKSPACE);
	press(&f, p, KEYC_BACKSPACE);
	type(&f, p, "45d");
	press(&f, p, KEYC_ENTER);
	press(&f, p, KEYC_ENTER);
	assert_int_equal(f.dialogs, 3);
	assert_string_equal(dialog_value(f.d, 1), "db failover, INC-7");
	press(&f, p, KEYC_BACKSPACE);
	press(&f, p, KEYC_BACKSPACE);
	press(&f, p, KEYC_BACKSPACE);
	type(&f, p, "90m");
	press(&f, p, KEYC_ENTER);
	press(&f, p, KEYC_ENTER);
	/* The restatement: Enter does not confirm, y does. */
	assert_int_equal(f.dialogs, 4);
	assert_int_equal(dialog_value(f.d, 0) == NULL, 1);	/* no fields */
	press(&f, p, KEYC_ENTER);
	assert_non_null(f.d);
	assert_int_equal(f.calls, 0);
	press(&f, p, 'y');
	assert_null(f.d);
	assert_string_equal(f.msg, "creating the silence...");
	settle(&f);
	assert_int_equal(f.calls, 1);
	assert_string_equal(f.kind, "silence.create");
	assert_string_equal(f.args, "matcher=alertname=PodCrashLooping|"
	    "matcher=namespace=erp-system|matcher=pod=finance-1|"
	    "duration=90m|comment=db failover, INC-7|"
	    "created_by=alice@bastion-1|");
	assert_string_equal(f.msg, "silence.create done");
	assert_false(f.msg_error);

	/* Esc at the restatement creates nothing. */
	press(&f, p, 'm');
	assert_string_equal(dialog_value(f.d, 1), "db failover, INC-7");
	press(&f, p, KEYC_ENTER);
	press(&f, p, KEYC_ENTER);
	press(&f, p, KEYC_ESC);
	assert_null(f.d);
	assert_string_equal(f.msg, "no silence created");
	settle(&f);
	assert_int_equal(f.calls, 1);
	panel_free(p);
	fake_free(&f);
}

static void
test_expire_and_list(void **state)
{
	struct fake	 f;
	struct panel	*p;

	fake_init(&f, 1);
	p = alerts_with(&f);
	press(&f, p, 'x');		/* the active one */
	assert_null(f.d);
	assert_string_equal(f.msg, "the selected alert is not silenced");
	press(&f, p, 'j');
	assert_string_equal(table_selected(p->table), "Quiet/f2");
	press(&f, p, 'x');
	assert_non_null(f.d);
	press(&f, p, 'n');
	assert_string_equal(f.msg, "silence kept");
	press(&f, p, 'x');
	press(&f, p, 'y');
	settle(&f);
	assert_string_equal(f.kind, "silence.expire");
	assert_string_equal(f.args, "id=sil-1|");

	press(&f, p, 'M');
	settle(&f);
	assert_string_equal(f.kind, "silence.list");
	assert_non_null(f.pager);
	assert_int_equal(pager_lines(f.pager), 4);	/* summary, blank, 2 */
	panel_free(p);
	fake_free(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_without_alertmanager),
		cmocka_unit_test(test_silence_two_steps),
		cmocka_unit_test(test_expire_and_list),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
