/* itest_follow.c: the follow view (panels/follow.c) on a real war room,
 * against a redis-server started by tests/integration/follow.sh.  alice
 * drives an incident and publishes its records (a real trail); bob joins
 * late with the follow view and sees the run so far, who drives and who
 * watches, a started step as running (its driver is there); alice asks
 * for a two-person approval, bob's view shows it, y writes bob's intent
 * and sends the answer, alice's war room sees it approved; alice hands
 * the wheel over, bob's view says so and T adopts the open run; the run
 * ends and bob sees it finished.  The cases run in order and share the
 * consoles. */
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
/* The test reads back what was drawn; sitrep reaches curses only
 * through tui/screen.c. */
#include <curses.h>

#include "audit.h"
#include "config.h"
#include "dialog.h"
#include "engine.h"
#include "follow_int.h"
#include "util.h"
#include "warroom.h"

#define INC	"INC-20261122-0042"
#define WAIT_MS	8000

static struct cfg_warroom	 cfg;
static char			 prefix[64], dir[64], trail[128];
static struct wr_identity	 alice, bob;
static struct warroom		*wa, *wb;
static struct follow		*f;
static struct panel_host	 host;
static struct dialog		*dlg;
static void			(*dlg_close)(struct panel *, struct dialog *,
				    int);
static char			 msg[512];
static int			 intents, adopted;
static char			 adopted_rb[64];
static SCREEN			*scr;
static FILE			*scr_out, *scr_in;
static char			**lines;
static int			 nlines;

/* Setup ------------------------------------------------------------------ */

static void
person(struct wr_identity *id, const char *user, unsigned uid,
    const char *hostname)
{
	wr_identity_self(id);
	snprintf(id->user, sizeof id->user, "%s", user);
	id->uid = uid;
	snprintf(id->host, sizeof id->host, "%s", hostname);
}

static struct warroom *
room(const struct wr_identity *who)
{
	struct warroom_opts	 o;
	struct warroom		*wr;
	struct error		 err;

	memset(&o, 0, sizeof o);
	o.cfg = &cfg;
	o.self = who;
	wr = warroom_new(&o, &err);
	if (wr == NULL)
		print_error("%s\n", err.msg);
	assert_non_null(wr);
	return (wr);
}

static void
h_message(void *arg, int error, const char *m)
{
	snprintf(msg, sizeof msg, "%s", m);
}

static void
h_dialog(void *arg, struct dialog *d, struct panel *p,
    void (*on_close)(struct panel *, struct dialog *, int))
{
	dialog_free(dlg);
	dlg = d;
	dlg_close = on_close;
}

static int
h_intent(void *arg, const struct wr_request *q, int approve,
    const char *reason, struct error *err)
{
	intents++;
	return (0);
}

static void
h_adopt(void *arg, const char *inc, const struct audit_run *r)
{
	adopted++;
	snprintf(adopted_rb, sizeof adopted_rb, "%s", r->runbook_id);
}

static int
setup(void **state)
{
	const char		*p = getenv("WR_PORT");
	struct follow_opts	 o;

	if (p == NULL) {
		fprintf(stderr, "itest_follow: $WR_PORT is not set (run "
		    "follow.sh)\n");
		exit(1);
	}
	snprintf(prefix, sizeof prefix, "itest-follow:%d:", (int)getpid());
	memset(&cfg, 0, sizeof cfg);
	cfg.redis.name = "warroom";
	cfg.redis.url = "redis://127.0.0.1";
	cfg.redis.host = "127.0.0.1";
	cfg.redis.port = atoi(p);
	cfg.redis.password_env = "WR_PASSWORD";
	cfg.redis.connect_timeout_ms = 500;
	cfg.redis.timeout_ms = 1000;
	cfg.prefix = prefix;
	cfg.maxlen = 10000;
	cfg.presence_ttl_ms = 3000;
	cfg.approval_ttl_ms = 60000;
	cfg.present = 1;
	person(&alice, "alice", 1000, "bastion-1");
	person(&bob, "bob", 1001, "bastion-2");
	snprintf(dir, sizeof dir, "/tmp/sitrep-itest-follow.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return (-1);
	snprintf(trail, sizeof trail, "%s/audit.jsonl", dir);
	wa = room(&alice);
	wb = room(&bob);
	host.message = h_message;
	host.dialog = h_dialog;
	memset(&o, 0, sizeof o);
	o.host = &host;
	o.wr = wb;
	o.self = &bob;
	o.adopt = h_adopt;
	o.answer_intent = h_intent;
	f = follow_new(&o);
	setenv("LINES", "40", 1);
	setenv("COLUMNS", "160", 1);
	scr_out = fopen("/dev/null", "w");
	scr_in = fopen("/dev/null", "r");
	scr = newterm("vt100", scr_out, scr_in);
	return (scr != NULL ? 0 : -1);
}

static int
teardown(void **state)
{
	char	cmd[128];

	endwin();
	delscreen(scr);
	fclose(scr_out);
	fclose(scr_in);
	follow_free(f);
	dialog_free(dlg);
	warroom_free(wb);
	warroom_free(wa);
	audit_lines_free(lines, nlines);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return (system(cmd) == 0 ? 0 : -1);
}

/* Helpers ---------------------------------------------------------------- */

static void
ev(struct audit *a, enum engine_ev type, int step, const char *id, int ok)
{
	static uint64_t		 seq;
	struct engine_event	 e;

	memset(&e, 0, sizeof e);
	e.type = type;
	e.seq = ++seq;
	e.incident = INC;
	e.runbook_id = "pg-failover";
	e.runbook_sha256 = "ab12";
	e.env_name = "prod";
	e.step = step;
	e.step_id = id;
	e.step_kind = id ? "action" : NULL;
	e.step_title = id;
	e.attempt = 1;
	e.ok = ok;
	e.action_kind = "exec";
	e.param = "target";
	e.value = "db-2";
	assert_int_equal(audit_engine_event(a, &e), 0);
}

/* Write records with alice's trail; publish the new lines. */
static void
publish_new(void)
{
	FILE	*fp = fopen(trail, "r");
	char	*buf = NULL;
	size_t	 cap = 0;
	ssize_t	 len;
	int	 i = 0;

	assert_non_null(fp);
	while ((len = getline(&buf, &cap, fp)) > 0) {
		buf[len - 1] = '\0';
		if (i++ < nlines)
			continue;
		lines = realloc(lines, (size_t)(nlines + 1) * sizeof *lines);
		lines[nlines++] = strdup(buf);
		warroom_publish(wa, INC, buf);
	}
	free(buf);
	fclose(fp);
}

static struct audit *
topen(void)
{
	struct audit_opts	 o;
	struct audit		*a;
	struct error		 err;

	memset(&o, 0, sizeof o);
	o.path = trail;
	o.incident = INC;
	o.no_session = 1;
	if ((a = audit_open(&o, &err)) == NULL)
		fail_msg("audit_open: %s", err.msg);
	return (a);
}

typedef int (*cond_fn)(void);

static void
wait_for(cond_fn cond, const char *what)
{
	int64_t	until = mono_ms() + WAIT_MS;

	for (;;) {
		follow_poll(f);
		if (cond())
			return;
		if (mono_ms() > until) {
			print_error("timed out waiting for %s (records %llu, "
			    "connected %d, error \"%s\")\n", what,
			    (unsigned long long)f->records, f->view.connected,
			    f->view.error);
			fail();
		}
		usleep(20000);
	}
}

static const char *
screen_text_all(void)
{
	static char	 text[40 * 161 + 1];
	struct tui_box	 b = { 0, 0, 40, 160, 0 };
	char		 row[161];
	int		 y;

	erase();
	follow_draw(f, &b);
	text[0] = '\0';
	for (y = 0; y < 40; y++) {
		mvinnstr(y, 0, row, 160);
		strcat(text, row);
		strcat(text, "\n");
	}
	return (text);
}

static int
all_records(void)
{
	return (f->records == (uint64_t)nlines && f->view.npeople == 2);
}

static int
one_request(void)
{
	return (f->nreqs == 1);
}

static int
no_request(void)
{
	return (f->nreqs == 0);
}

static int
have_wheel(void)
{
	return (f->wheel);
}

static int
run_finished(void)
{
	follow_runs(f);
	return (f->nruns == 1 && !f->runs[0].open);
}

/* The cases -------------------------------------------------------------- */

static void
test_late_join(void **state)
{
	struct audit	*a = topen();
	const char	*text;

	warroom_join(wa, INC, WR_DRIVING);
	ev(a, EV_PARAM_SET, -1, NULL, 0);
	ev(a, EV_RUN_BEGIN, -1, NULL, 0);
	ev(a, EV_STEP_SHOWN, 0, "check", 0);
	ev(a, EV_STEP_STARTED, 0, "check", 0);
	ev(a, EV_STEP_FINISHED, 0, "check", 1);
	ev(a, EV_STEP_CONFIRMED, 1, "promote", 0);
	ev(a, EV_STEP_STARTED, 1, "promote", 0);
	audit_close(a);
	publish_new();
	/* bob comes later. */
	usleep(300000);
	assert_int_equal(follow_open(f, INC), 0);
	wait_for(all_records, "every record and both people");
	text = screen_text_all();
	assert_non_null(strstr(text, "Following " INC " - driving: "
	    "alice@bastion-1; watching: you"));
	assert_non_null(strstr(text, "RUNBOOK pg-failover"));
	assert_non_null(strstr(text, "+  1 check"));
	/* Its driver is there: running, not of unknown outcome. */
	assert_non_null(strstr(text, "~  2 promote"));
	assert_null(strstr(text, "outcome unknown"));
	assert_non_null(strstr(text, "started pg-failover/promote"));
}

static void
test_approve(void **state)
{
	static char		*will[] = { "kubectl -n db exec pg-standby-1 -- "
				    "pg_ctl promote" };
	struct wr_request	 r;
	struct wr_answer	 ans;
	enum dialog_result	 res;
	int64_t			 until = mono_ms() + WAIT_MS;

	memset(&r, 0, sizeof r);
	snprintf(r.incident, sizeof r.incident, "%s", INC);
	snprintf(r.runbook, sizeof r.runbook, "pg-failover");
	r.step = 1;
	snprintf(r.step_id, sizeof r.step_id, "promote");
	snprintf(r.title, sizeof r.title, "Promote pg-standby-1");
	r.lines = will;
	r.nlines = 1;
	assert_int_equal(warroom_request(wa, &r), 0);
	wait_for(one_request, "the request");
	assert_non_null(strstr(screen_text_all(), "APPROVAL "));
	assert_int_equal(follow_key(f, 'a', 10), RUNBOOKS_HANDLED);
	assert_non_null(dlg);
	res = dialog_key(dlg, 'y');
	assert_int_equal(res, DIALOG_CONFIRM);
	dlg_close(NULL, dlg, res);
	dialog_free(dlg);
	dlg = NULL;
	assert_int_equal(intents, 1);
	do {
		warroom_answer_state(wa, r.code, &ans);
		if (ans.state != WR_PENDING)
			break;
		usleep(20000);
	} while (mono_ms() < until);
	assert_int_equal(ans.state, WR_APPROVED);
	assert_string_equal(ans.who.user, "bob");
	wait_for(no_request, "the request answered");
}

static void
test_handover(void **state)
{
	const char	*text;

	assert_int_equal(follow_key(f, 'T', 10), RUNBOOKS_HANDLED);
	assert_int_equal(adopted, 0);
	assert_int_equal(warroom_handover(wa, bob.session), 0);
	wait_for(have_wheel, "the wheel");
	assert_non_null(strstr(msg, "You have the wheel"));
	text = screen_text_all();
	assert_non_null(strstr(text, "You have the wheel of " INC));
	assert_non_null(strstr(text, "driving: you"));
	assert_int_equal(follow_key(f, 'T', 10), RUNBOOKS_HANDLED);
	assert_int_equal(adopted, 1);
	assert_string_equal(adopted_rb, "pg-failover");
}

static void
test_run_ends(void **state)
{
	struct audit	*a = topen();
	const char	*text;

	ev(a, EV_STEP_FINISHED, 1, "promote", 1);
	ev(a, EV_RUN_END, -1, NULL, 0);
	audit_close(a);
	publish_new();
	wait_for(run_finished, "the run's end");
	text = screen_text_all();
	assert_non_null(strstr(text, "finished (run_end)"));
	assert_non_null(strstr(text, "+  2 promote"));
	assert_non_null(strstr(text, "run_end pg-failover"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_late_join),
		cmocka_unit_test(test_approve),
		cmocka_unit_test(test_handover),
		cmocka_unit_test(test_run_ends),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
