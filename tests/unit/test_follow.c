/* test_follow.c: following an incident.  The run builder fed the records
 * of a real trail (written with audit_open and the engine's events): runs,
 * steps, states, open and finished; a late joiner fed everything at once
 * sees what one fed record by record saw; what is not a record is ignored;
 * audit_unfinished keeps its answer.  The view without a war room, fed
 * records: it draws the run's progress and the timeline (read back from
 * curses' virtual screen, on a terminal of our own writing to /dev/null),
 * scrolls, leaves and comes back, degrades on tiny terminals; approvals:
 * your own request refused, the approver's record (answer_intent) first
 * and a failure refuses, a rejection needs a reason; T adopts the open run
 * only when we drive. */
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
/* The test reads back what was drawn, as tmux's capture-pane does; the
 * program itself only reaches curses through tui/screen.c. */
#include <curses.h>

#include "audit.h"
#include "dialog.h"
#include "engine.h"
#include "follow_int.h"
#include "keys.h"
#include "util.h"
#include "warroom.h"
#include "xmalloc.h"

#define INC	"INC-20261121-0007"
#define INC2	"INC-20261121-0008"
#define ROWS	40
#define COLS	160

struct t {
	char		 dir[64];
	char		 trail[128];
	char		**lines;
	int		 n;
	/* the host */
	struct panel_host host;
	struct dialog	*d;
	void		(*on_close)(struct panel *, struct dialog *, int);
	int		 dialogs;
	char		 msg[512];
	int		 msg_error;
	/* the hooks */
	struct wr_identity self;
	int		 intents, intent_fail, intent_approve;
	char		 intent_reason[128];
	int		 adopted;
	char		 adopted_rb[64];
	int		 adopted_open;
	struct follow	*f;
	SCREEN		*scr;
	FILE		*out, *in;
};

/* A trail -------------------------------------------------------------- */

static struct audit *
topen(struct t *t, const char *inc)
{
	struct audit_opts	 o;
	struct audit		*a;
	struct error		 err;

	memset(&o, 0, sizeof o);
	o.path = t->trail;
	o.incident = inc;
	o.env = "prod";
	o.production = 1;
	if ((a = audit_open(&o, &err)) == NULL)
		fail_msg("audit_open: %s", err.msg);
	return (a);
}

static void
ev(struct audit *a, const char *inc, const char *rb, enum engine_ev type,
    int step, const char *id, int ok)
{
	static uint64_t		 seq;
	struct engine_event	 e;
	const char		*argv[] = { "argv=kubectl", "argv=promote" };

	memset(&e, 0, sizeof e);
	e.type = type;
	e.seq = ++seq;
	e.incident = inc;
	e.runbook_id = rb;
	e.runbook_sha256 = "ab12";
	e.env_name = "prod";
	e.step = step;
	e.step_id = id;
	e.step_kind = id ? "action" : NULL;
	e.step_title = id;
	e.attempt = 1;
	e.ok = ok;
	e.action_kind = "exec";
	e.argc = type == EV_STEP_STARTED ? 2 : 0;
	e.argv = argv;
	e.duration_ms = 1500;
	e.param = "target";
	e.value = "db-2";
	e.reason = type == EV_STEP_SKIPPED ? "already done by hand" : NULL;
	e.note = "replica lag back under 1 s";
	assert_int_equal(audit_engine_event(a, &e), 0);
}

/* pg-failover: check ok, drain skipped, promote started (no finish). */
static void
run_partial(struct audit *a, const char *inc)
{
	ev(a, inc, "pg-failover", EV_PARAM_SET, -1, NULL, 0);
	ev(a, inc, "pg-failover", EV_RUN_BEGIN, -1, NULL, 0);
	ev(a, inc, "pg-failover", EV_STEP_SHOWN, 0, "check", 0);
	ev(a, inc, "pg-failover", EV_STEP_STARTED, 0, "check", 0);
	ev(a, inc, "pg-failover", EV_STEP_FINISHED, 0, "check", 1);
	ev(a, inc, "pg-failover", EV_STEP_SKIPPED, 1, "drain", 0);
	ev(a, inc, "pg-failover", EV_STEP_CONFIRMED, 2, "promote", 0);
	ev(a, inc, "pg-failover", EV_STEP_STARTED, 2, "promote", 0);
}

static void
run_rest(struct audit *a, const char *inc)
{
	ev(a, inc, "pg-failover", EV_STEP_FINISHED, 2, "promote", 1);
	ev(a, inc, "pg-failover", EV_RUN_END, -1, NULL, 0);
}

static void
read_trail(struct t *t)
{
	FILE	*f;
	char	*buf = NULL;
	size_t	 cap = 0;
	ssize_t	 len;

	audit_lines_free(t->lines, t->n);
	t->lines = NULL;
	t->n = 0;
	assert_non_null(f = fopen(t->trail, "r"));
	while ((len = getline(&buf, &cap, f)) > 0) {
		if (buf[len - 1] == '\n')
			buf[len - 1] = '\0';
		t->lines = xreallocarray(t->lines, t->n + 1, sizeof *t->lines);
		t->lines[t->n++] = xstrdup(buf);
	}
	free(buf);
	fclose(f);
}

/* An approval_requested record, as the runner writes it. */
static void
request_record(struct audit *a, const char *code,
    const struct wr_identity *who, int64_t expires)
{
	struct audit_entry	 e;
	struct error		 err;
	cJSON			*d = cJSON_CreateObject(), *v;

	cJSON_AddStringToObject(d, "code", code);
	v = cJSON_AddArrayToObject(d, "will_run");
	cJSON_AddItemToArray(v, cJSON_CreateString("kubectl -n db exec "
	    "pg-standby-1 -- pg_ctl promote"));
	v = cJSON_AddArrayToObject(d, "figures");
	cJSON_AddItemToArray(v, cJSON_CreateString("alert PostgresPrimaryDown:"
	    " firing"));
	cJSON_AddItemToObject(d, "requester", wr_identity_json(who));
	cJSON_AddNumberToObject(d, "expires_ms", (double)expires);
	memset(&e, 0, sizeof e);
	e.type = "approval_requested";
	e.incident = INC;
	e.runbook_id = "pg-failover";
	e.step = 2;
	e.step_id = "promote";
	e.step_kind = "action";
	e.step_title = "Promote pg-standby-1";
	e.data = d;
	assert_int_equal(audit_append(a, &e, &err), 0);
}

static void
answer_record(struct audit *a, const char *code)
{
	struct audit_entry	 e;
	struct error		 err;
	cJSON			*d = cJSON_CreateObject();

	cJSON_AddStringToObject(d, "code", code);
	cJSON_AddStringToObject(d, "decision", "approved");
	memset(&e, 0, sizeof e);
	e.type = "approval_answered";
	e.incident = INC;
	e.runbook_id = "pg-failover";
	e.step = 2;
	e.step_id = "promote";
	e.data = d;
	assert_int_equal(audit_append(a, &e, &err), 0);
}

/* The host and the hooks --------------------------------------------------- */

static void
t_message(void *arg, int error, const char *msg)
{
	struct t	*t = arg;

	snprintf(t->msg, sizeof t->msg, "%s", msg);
	t->msg_error = error;
}

static void
t_dialog(void *arg, struct dialog *d, struct panel *p,
    void (*on_close)(struct panel *, struct dialog *, int))
{
	struct t	*t = arg;

	dialog_free(t->d);
	t->d = d;
	t->on_close = on_close;
	t->dialogs++;
}

static int
t_intent(void *arg, const struct wr_request *q, int approve,
    const char *reason, struct error *err)
{
	struct t	*t = arg;

	t->intents++;
	t->intent_approve = approve;
	snprintf(t->intent_reason, sizeof t->intent_reason, "%s", reason ?
	    reason : "");
	assert_string_equal(q->code, "K7QX-2M9D");
	if (t->intent_fail) {
		error_set(err, "the audit trail is full");
		return (-1);
	}
	return (0);
}

static void
t_adopt(void *arg, const char *inc, const struct audit_run *r)
{
	struct t	*t = arg;

	assert_string_equal(inc, INC);
	t->adopted++;
	snprintf(t->adopted_rb, sizeof t->adopted_rb, "%s", r->runbook_id);
	t->adopted_open = r->open;
}

static int
setup(void **state)
{
	struct t		*t = calloc(1, sizeof *t);
	struct follow_opts	 o;

	snprintf(t->dir, sizeof t->dir, "/tmp/sitrep-follow.XXXXXX");
	if (mkdtemp(t->dir) == NULL)
		return (-1);
	snprintf(t->trail, sizeof t->trail, "%s/audit.jsonl", t->dir);
	t->host.arg = t;
	t->host.message = t_message;
	t->host.dialog = t_dialog;
	strlcpy_(t->self.session, "5e1f5e1f5e1f5e1f", sizeof t->self.session);
	strlcpy_(t->self.user, "bob", sizeof t->self.user);
	strlcpy_(t->self.host, "laptop-7", sizeof t->self.host);
	t->self.uid = 1001;
	memset(&o, 0, sizeof o);
	o.host = &t->host;
	o.self = &t->self;
	o.adopt = t_adopt;
	o.adopt_arg = t;
	o.answer_intent = t_intent;
	o.answer_arg = t;
	t->f = follow_new(&o);
	*state = t;
	return (0);
}

static int
teardown(void **state)
{
	struct t	*t = *state;
	char		 cmd[128];

	if (t->scr != NULL) {
		endwin();
		delscreen(t->scr);
		fclose(t->out);
		fclose(t->in);
	}
	follow_free(t->f);
	dialog_free(t->d);
	audit_lines_free(t->lines, t->n);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
	if (system(cmd) != 0)
		return (-1);
	free(t);
	return (0);
}

/* A key to the open dialog, as the console passes it, else the view. */
static enum runbooks_key
press(struct t *t, int key)
{
	struct dialog		*d = t->d;
	enum dialog_result	 r;

	if (d == NULL)
		return (follow_key(t->f, key, 10));
	if ((r = dialog_key(d, key)) == DIALOG_OPEN)
		return (RUNBOOKS_HANDLED);
	t->d = NULL;
	t->on_close(NULL, d, r);
	dialog_free(d);
	return (RUNBOOKS_HANDLED);
}

static void
type(struct t *t, const char *s)
{
	for (; *s != '\0'; s++)
		press(t, (unsigned char)*s);
}

static void
feed_all(struct t *t)
{
	int	i;

	for (i = 0; i < t->n; i++)
		follow_feed(t->f, t->lines[i]);
}

/* The screen ------------------------------------------------------------- */

static void
term_open(struct t *t)
{
	setenv("LINES", "40", 1);
	setenv("COLUMNS", "160", 1);
	assert_non_null(t->out = fopen("/dev/null", "w"));
	assert_non_null(t->in = fopen("/dev/null", "r"));
	t->scr = newterm("vt100", t->out, t->in);
	assert_non_null(t->scr);
}

/* Draw into rows x cols at the top left; the rows as text. */
static char *
draw(struct t *t, int rows, int cols)
{
	struct tui_box	 b = { 0, 0, rows, cols, 0 };
	static char	 text[ROWS * (COLS + 1) + 1];
	char		 row[COLS + 1];
	int		 y, i;

	if (t->scr == NULL)
		term_open(t);
	erase();
	follow_draw(t->f, &b);
	text[0] = '\0';
	for (y = 0; y < rows; y++) {
		mvinnstr(y, 0, row, cols);
		for (i = (int)strlen(row); i > 0 && row[i - 1] == ' '; i--)
			row[i - 1] = '\0';
		strcat(text, row);
		strcat(text, "\n");
	}
	if (getenv("FOLLOW_DUMP") != NULL)	/* to look at it */
		fprintf(stderr, "--- %dx%d\n%s", cols, rows, text);
	return (text);
}

/* The drawn row holding needle, or NULL. */
static const char *
row_with(const char *text, const char *needle, char *row, size_t len)
{
	const char	*p = strstr(text, needle), *s, *e;

	if (p == NULL)
		return (NULL);
	for (s = p; s > text && s[-1] != '\n'; s--)
		;
	e = strchr(p, '\n');
	snprintf(row, len, "%.*s", (int)(e - s), s);
	return (row);
}

/* The run builder -------------------------------------------------------- */

static void
test_runs_from_records(void **state)
{
	struct t		*t = *state;
	struct audit		*a = topen(t, INC);
	struct audit_runs	*rs;
	struct audit_run	*runs;
	int			 n, i;

	run_partial(a, INC);
	audit_close(a);
	read_trail(t);
	rs = audit_runs_new();
	for (i = 0; i < t->n; i++)
		audit_runs_feed(rs, t->lines[i], strlen(t->lines[i]));
	assert_int_equal(audit_runs_list(rs, &runs, &n), 0);
	assert_int_equal(n, 1);
	assert_true(runs[0].open);
	assert_string_equal(runs[0].incident, INC);
	assert_string_equal(runs[0].runbook_id, "pg-failover");
	assert_int_equal(runs[0].nparams, 1);
	assert_string_equal(runs[0].params[0].name, "target");
	assert_string_equal(runs[0].params[0].value, "db-2");
	assert_int_equal(runs[0].nsteps, 3);
	assert_string_equal(runs[0].steps[0].state, "ok");
	assert_string_equal(runs[0].steps[0].title, "check");
	assert_string_equal(runs[0].steps[1].state, "skipped");
	assert_string_equal(runs[0].steps[2].state, "started");
	assert_true(runs[0].steps[2].unknown);
	assert_non_null(runs[0].steps[2].note);
	assert_int_equal(runs[0].nunknown, 1);
	assert_non_null(runs[0].actor);
	assert_non_null(strchr(runs[0].actor, '@'));
	assert_non_null(runs[0].steps[2].actor);
	assert_non_null(runs[0].steps[2].time);
	assert_true(runs[0].begin_seq < runs[0].last_seq);
	audit_runs_free(runs, n);
	/* It finishes: still listed, no longer open, not unfinished. */
	a = topen(t, INC);
	run_rest(a, INC);
	audit_close(a);
	read_trail(t);
	audit_runs_release(rs);
	rs = audit_runs_new();
	for (i = 0; i < t->n; i++)
		audit_runs_feed(rs, t->lines[i], strlen(t->lines[i]));
	assert_int_equal(audit_runs_list(rs, &runs, &n), 0);
	assert_int_equal(n, 1);
	assert_false(runs[0].open);
	assert_string_equal(runs[0].steps[2].state, "ok");
	assert_false(runs[0].steps[2].unknown);
	assert_int_equal(runs[0].nunknown, 0);
	audit_runs_free(runs, n);
	audit_runs_release(rs);
	assert_int_equal(audit_unfinished(t->trail, &runs, &n), 0);
	assert_int_equal(n, 0);
	audit_runs_free(runs, n);
}

/* Everything about a run that the view shows, as one JSON text. */
static char *
runs_text(struct audit_runs *rs)
{
	struct audit_run	*runs;
	cJSON			*all = cJSON_CreateArray(), *o, *s;
	char			*text;
	int			 n, i, k;

	audit_runs_list(rs, &runs, &n);
	for (i = 0; i < n; i++) {
		o = audit_run_json(&runs[i]);
		cJSON_AddNumberToObject(o, "open", runs[i].open);
		cJSON_AddNumberToObject(o, "nunknown", runs[i].nunknown);
		cJSON_AddNumberToObject(o, "last_seq", (double)runs[i].last_seq);
		k = 0;
		cJSON_ArrayForEach(s, cJSON_GetObjectItem(o, "steps")) {
			cJSON_AddStringToObject(s, "actor",
			    runs[i].steps[k].actor);
			cJSON_AddStringToObject(s, "time", runs[i].steps[k].time);
			k++;
		}
		cJSON_AddItemToArray(all, o);
	}
	audit_runs_free(runs, n);
	text = cJSON_PrintUnformatted(all);
	cJSON_Delete(all);
	return (text);
}

static void
test_runs_late_join(void **state)
{
	struct t		*t = *state;
	struct audit		*a = topen(t, INC);
	struct audit_runs	*live = audit_runs_new(), *late;
	char			*seen = NULL, *now, *after;
	int			 i, changes = 0;

	run_partial(a, INC);
	ev(a, INC2, "pod-crash-loop", EV_RUN_BEGIN, -1, NULL, 0);
	run_rest(a, INC);
	audit_close(a);
	read_trail(t);
	/* Live: one record at a time, looking after each. */
	for (i = 0; i < t->n; i++) {
		audit_runs_feed(live, t->lines[i], strlen(t->lines[i]));
		now = runs_text(live);
		changes += seen == NULL || strcmp(seen, now) != 0;
		free(seen);
		seen = now;
	}
	assert_true(changes >= 10);
	/* Late: everything at once (with its newlines). */
	late = audit_runs_new();
	for (i = 0; i < t->n; i++) {
		char	*l;

		xasprintf(&l, "%s\n", t->lines[i]);
		audit_runs_feed(late, l, strlen(l));
		free(l);
	}
	after = runs_text(late);
	assert_string_equal(after, seen);
	assert_non_null(strstr(after, "\"runbook\":\"pod-crash-loop\""));
	assert_non_null(strstr(after, INC2));
	free(after);
	free(seen);
	audit_runs_release(live);
	audit_runs_release(late);
}

static void
test_runs_ignore_junk(void **state)
{
	struct t		*t = *state;
	struct audit		*a = topen(t, INC);
	struct audit_runs	*rs = audit_runs_new();
	struct audit_run	*runs;
	const char		*junk[] = { "", "\n", "not json", "{}",
	    "{\"type\":\"run_begin\"}", "[1,2]", NULL };
	int			 n, i;

	run_partial(a, INC);
	audit_close(a);
	read_trail(t);
	for (i = 0; junk[i] != NULL; i++)
		audit_runs_feed(rs, junk[i], strlen(junk[i]));
	assert_int_equal(audit_runs_list(rs, &runs, &n), 0);
	assert_int_equal(n, 0);
	audit_runs_free(runs, n);
	/* A torn line (its end cut off) is not a record either. */
	audit_runs_feed(rs, t->lines[3], strlen(t->lines[3]) / 2);
	for (i = 0; i < t->n; i++)
		audit_runs_feed(rs, t->lines[i], strlen(t->lines[i]));
	assert_int_equal(audit_runs_list(rs, &runs, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(runs[0].nsteps, 3);
	audit_runs_free(runs, n);
	audit_runs_release(rs);
	audit_runs_release(NULL);
}

/* Resume reads the same trail as before, and sees the same JSON. */
static void
test_unfinished_unchanged(void **state)
{
	struct t		*t = *state;
	struct audit		*a = topen(t, INC);
	struct audit_run	*runs;
	cJSON			*o, *s;
	char			*text;
	int			 n;

	run_partial(a, INC);
	ev(a, INC2, "pod-crash-loop", EV_RUN_BEGIN, -1, NULL, 0);
	ev(a, INC2, "pod-crash-loop", EV_RUN_END, -1, NULL, 0);
	audit_close(a);
	assert_int_equal(audit_unfinished(t->trail, &runs, &n), 0);
	assert_int_equal(n, 1);
	assert_true(runs[0].open);
	assert_string_equal(runs[0].runbook_id, "pg-failover");
	assert_int_equal(runs[0].nunknown, 1);
	assert_string_equal(runs[0].steps[2].note,
	    "outcome unknown: check before running again");
	o = audit_run_json(&runs[0]);
	assert_string_equal(cJSON_GetObjectItem(o, "incident")->valuestring,
	    INC);
	assert_string_equal(cJSON_GetObjectItem(o, "runbook")->valuestring,
	    "pg-failover");
	assert_string_equal(cJSON_GetObjectItem(o, "sha256")->valuestring,
	    "ab12");
	assert_non_null(cJSON_GetObjectItem(o, "actor"));
	assert_non_null(cJSON_GetObjectItem(o, "started"));
	s = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "params"), 0);
	assert_string_equal(cJSON_GetObjectItem(s, "value")->valuestring,
	    "db-2");
	assert_int_equal(cJSON_GetObjectItem(s, "secret")->valueint, 0);
	s = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "steps"), 2);
	assert_int_equal(cJSON_GetObjectItem(s, "index")->valueint, 2);
	assert_string_equal(cJSON_GetObjectItem(s, "state")->valuestring,
	    "started");
	assert_int_equal(cJSON_GetObjectItem(s, "unknown")->valueint, 1);
	text = cJSON_PrintUnformatted(o);
	assert_null(strstr(text, "\"open\""));	/* resume's shape, as it was */
	free(text);
	cJSON_Delete(o);
	audit_runs_free(runs, n);
}

/* The view --------------------------------------------------------------- */

static void
test_view_draws_progress(void **state)
{
	struct t	*t = *state;
	struct audit	*a = topen(t, INC);
	const char	*text;
	char		 row[COLS + 1], *last;

	run_partial(a, INC);
	ev(a, INC2, "pod-crash-loop", EV_RUN_BEGIN, -1, NULL, 0);
	audit_close(a);
	read_trail(t);
	assert_null(follow_incident(t->f));
	assert_int_equal(follow_open(t->f, INC), 0);
	assert_true(follow_showing(t->f));
	assert_string_equal(follow_incident(t->f), INC);
	text = draw(t, ROWS, COLS);
	assert_non_null(strstr(text, "Following " INC " - (no war room)"));
	assert_non_null(strstr(text, "no records yet"));
	assert_non_null(strstr(text, "No runbook has run in " INC " yet"));
	feed_all(t);
	text = draw(t, ROWS, COLS);
	assert_non_null(strstr(text, "last record"));
	assert_non_null(row_with(text, "RUNBOOK pg-failover", row,
	    sizeof row));
	assert_non_null(strstr(row, "in progress"));
	assert_null(strstr(text, "pod-crash-loop"));	/* another incident */
	assert_non_null(strstr(text, "target=db-2"));
	assert_non_null(row_with(text, " 1 check ", row, sizeof row));
	assert_non_null(strstr(row, "+  1 check"));
	assert_non_null(strstr(row, " ok "));
	assert_non_null(row_with(text, " 2 drain ", row, sizeof row));
	assert_non_null(strstr(row, "-  2 drain"));
	assert_non_null(strstr(row, "skipped"));
	/* Started, no finish record, no war room to say it is running. */
	assert_non_null(row_with(text, " 3 promote ", row, sizeof row));
	assert_non_null(strstr(row, "?  3 promote"));
	assert_non_null(strstr(row, "outcome unknown"));
	assert_non_null(strstr(text, "1 step started without a finish "
	    "record"));
	/* The timeline: the records, the newest at the bottom. */
	assert_non_null(strstr(text, "Timeline"));
	assert_non_null(strstr(text, " run_begin pg-failover"));
	last = audit_format(t->lines[t->n - 1]);	/* session_end */
	assert_non_null(strstr(last, " session_end"));
	assert_non_null(row_with(text, " session_end", row, sizeof row));
	assert_null(strstr(row, INC));		/* the view's own */
	assert_non_null(strstr(row, "2026-"));	/* wide: with the date */
	assert_true(strstr(text, " session_end") > strstr(text,
	    "started pg-failover/promote"));
	assert_true(strstr(text, "started pg-failover/promote") > strstr(text,
	    " run_begin pg-failover"));
	free(last);
	assert_non_null(strstr(text, "Esc back"));
	/* It finishes. */
	a = topen(t, INC);
	run_rest(a, INC);
	audit_close(a);
	read_trail(t);
	follow_feed(t->f, t->lines[t->n - 3]);	/* finished */
	follow_feed(t->f, t->lines[t->n - 2]);	/* run_end */
	text = draw(t, ROWS, COLS);
	assert_non_null(row_with(text, "RUNBOOK pg-failover", row,
	    sizeof row));
	assert_non_null(strstr(row, "finished"));
	assert_non_null(row_with(text, " 3 promote ", row, sizeof row));
	assert_non_null(strstr(row, "+  3 promote"));
	assert_null(strstr(text, "outcome unknown"));
}

/* A late joiner draws what one that watched from the start draws. */
static void
test_view_late_join(void **state)
{
	struct t		*t = *state;
	struct audit		*a = topen(t, INC);
	struct follow_opts	 o;
	struct follow		*early;
	char			*seen;
	const char		*text;
	int			 i;

	run_partial(a, INC);
	audit_close(a);
	read_trail(t);
	memset(&o, 0, sizeof o);
	o.host = &t->host;
	early = t->f;
	follow_open(early, INC);
	for (i = 0; i < t->n; i++) {
		follow_feed(early, t->lines[i]);
		draw(t, ROWS, COLS);
	}
	seen = xstrdup(draw(t, ROWS, COLS));
	t->f = follow_new(&o);
	follow_open(t->f, INC);
	feed_all(t);
	text = draw(t, ROWS, COLS);
	/* The header's age may tick between the two draws. */
	assert_string_equal(strchr(text, '\n'), strchr(seen, '\n'));
	free(seen);
	follow_free(early);
}

static void
test_view_keys(void **state)
{
	struct t	*t = *state;
	struct audit	*a = topen(t, INC);
	const char	*text;
	char		 first[COLS + 1], *f0;
	int		 i, fed;

	for (i = 0; i < 60; i++)
		ev(a, INC, "pg-failover", EV_NOTE, -1, NULL, 0);
	run_partial(a, INC);
	audit_close(a);
	read_trail(t);
	/* Not showing: no key is ours. */
	assert_int_equal(follow_key(t->f, 'j', 10), RUNBOOKS_UNHANDLED);
	/* A bad id. */
	assert_int_equal(follow_open(t->f, "INC-nope"), -1);
	assert_true(t->msg_error);
	assert_non_null(strstr(t->msg, "INC-YYYYMMDD-NNNN"));
	assert_false(follow_showing(t->f));
	assert_null(follow_incident(t->f));
	assert_int_equal(follow_open(t->f, INC), 0);
	feed_all(t);
	text = draw(t, ROWS, COLS);
	assert_non_null(strstr(text, " tail"));
	f0 = audit_format(t->lines[0]);
	assert_non_null(strstr(f0, " #1 "));	/* session_start */
	snprintf(first, sizeof first, "%s", " #1 ");
	free(f0);
	assert_null(strstr(text, first));
	assert_int_equal(press(t, 'g'), RUNBOOKS_HANDLED);
	text = draw(t, ROWS, COLS);
	assert_non_null(strstr(text, first));
	assert_null(strstr(text, " tail"));
	assert_int_equal(press(t, 'j'), RUNBOOKS_HANDLED);
	text = draw(t, ROWS, COLS);
	assert_null(strstr(text, first));
	assert_int_equal(press(t, 'k'), RUNBOOKS_HANDLED);
	assert_int_equal(press(t, KEYC_PPAGE), RUNBOOKS_HANDLED);
	text = draw(t, ROWS, COLS);
	assert_non_null(strstr(text, first));
	assert_int_equal(press(t, KEYC_NPAGE), RUNBOOKS_HANDLED);
	assert_int_equal(press(t, 'G'), RUNBOOKS_HANDLED);
	text = draw(t, ROWS, COLS);
	assert_non_null(strstr(text, " tail"));
	/* At the tail a new record shows at once. */
	a = topen(t, INC);
	run_rest(a, INC);
	audit_close(a);
	read_trail(t);
	follow_feed(t->f, t->lines[t->n - 2]);
	text = draw(t, ROWS, COLS);
	assert_non_null(strstr(text, " run_end pg-failover"));
	assert_int_equal(press(t, 'Z'), RUNBOOKS_UNHANDLED);
	/* Esc leaves the view; the incident is still followed. */
	fed = t->f->nlines;
	assert_int_equal(press(t, KEYC_ESC), RUNBOOKS_LEAVE);
	assert_false(follow_showing(t->f));
	assert_string_equal(follow_incident(t->f), INC);
	assert_int_equal(follow_key(t->f, 'g', 10), RUNBOOKS_UNHANDLED);
	/* The same incident again: shown as it was. */
	assert_int_equal(follow_open(t->f, INC), 0);
	assert_true(follow_showing(t->f));
	assert_int_equal(t->f->nlines, fed);
	assert_int_equal(press(t, 'q'), RUNBOOKS_LEAVE);
	/* Another incident starts afresh. */
	assert_int_equal(follow_open(t->f, INC2), 0);
	assert_int_equal(t->f->nlines, 0);
	follow_hide(t->f);
	assert_false(follow_showing(t->f));
}

static void
test_view_tiny(void **state)
{
	struct t	*t = *state;
	struct audit	*a = topen(t, INC);
	const char	*text;
	struct wr_identity alice;
	int		 r, c;

	memset(&alice, 0, sizeof alice);
	strlcpy_(alice.user, "alice", sizeof alice.user);
	strlcpy_(alice.host, "bastion-1", sizeof alice.host);
	run_partial(a, INC);
	request_record(a, "K7QX-2M9D", &alice, now_ms() + 252000);
	request_record(a, "AAAA-BBBB", &alice, now_ms() + 252000);
	request_record(a, "CCCC-DDDD", &alice, now_ms() + 252000);
	audit_close(a);
	read_trail(t);
	follow_open(t->f, INC);
	feed_all(t);
	t->f->wheel = 1;
	for (r = 1; r <= 12; r++)
		for (c = 1; c <= 90; c += 7)
			draw(t, r, c);
	text = draw(t, 6, 80);
	assert_non_null(strstr(text, "too small for the follow view"));
	text = draw(t, 2, 20);
	assert_non_null(strstr(text, "too small"));
	text = draw(t, 24, 80);
	assert_null(strstr(text, "too small"));
	assert_non_null(strstr(text, "APPROVAL K7QX-2M9D"));
	assert_non_null(strstr(text, "and 1 more approval request"));
	assert_non_null(strstr(text, "You have the wheel"));
}

/* Approvals -------------------------------------------------------------- */

static void
approval_trail(struct t *t, const struct wr_identity *who, int64_t expires)
{
	struct audit	*a = topen(t, INC);

	run_partial(a, INC);
	request_record(a, "K7QX-2M9D", who, expires);
	audit_close(a);
	read_trail(t);
	follow_open(t->f, INC);
	feed_all(t);
}

static void
test_approval_banner_and_own(void **state)
{
	struct t		*t = *state;
	struct wr_identity	 me = t->self;
	const char		*text;
	char			 row[COLS + 1];

	strlcpy_(me.session, "0000111122223333", sizeof me.session);
	approval_trail(t, &me, now_ms() + 252500);
	text = draw(t, ROWS, COLS);
	assert_non_null(row_with(text, "APPROVAL K7QX-2M9D", row,
	    sizeof row));
	assert_non_null(strstr(row, "APPROVAL K7QX-2M9D from bob@laptop-7: "
	    "promote -- Promote pg-standby-1 (expires in 4:1"));
	assert_non_null(strstr(row, " - a: review, x: reject"));
	assert_non_null(strstr(text, "a review  x reject"));
	/* Our own request (another console of ours): refused, no dialog. */
	press(t, 'a');
	assert_int_equal(t->dialogs, 0);
	assert_true(t->msg_error);
	assert_non_null(strstr(t->msg, "your own request: another person must "
	    "approve"));
	press(t, 'x');
	assert_int_equal(t->dialogs, 0);
	assert_non_null(strstr(t->msg, "your own request"));
	assert_int_equal(t->intents, 0);
	/* The same user on another host is the same person too. */
	assert_true(wr_identity_same_person(&me, &t->self));
}

static void
test_approval_intent_first(void **state)
{
	struct t		*t = *state;
	struct wr_identity	 alice;

	memset(&alice, 0, sizeof alice);
	strlcpy_(alice.session, "a11ce0a11ce0a11c", sizeof alice.session);
	strlcpy_(alice.user, "alice", sizeof alice.user);
	strlcpy_(alice.host, "bastion-1", sizeof alice.host);
	alice.uid = 1000;
	approval_trail(t, &alice, now_ms() + 252000);
	/* a shows exactly what will run and the figures; n does nothing. */
	press(t, 'a');
	assert_int_equal(t->dialogs, 1);
	assert_non_null(t->d);
	press(t, KEYC_ENTER);		/* Enter never confirms */
	assert_non_null(t->d);
	press(t, 'n');
	assert_null(t->d);
	assert_int_equal(t->intents, 0);
	/* y: the approver's record first; it fails: nothing is sent. */
	t->intent_fail = 1;
	press(t, 'a');
	press(t, 'y');
	assert_int_equal(t->intents, 1);
	assert_true(t->intent_approve);
	assert_true(t->msg_error);
	assert_non_null(strstr(t->msg, "K7QX-2M9D not approved: the audit "
	    "trail is full"));
	/* It is written: without a war room it cannot be sent. */
	t->intent_fail = 0;
	press(t, 'a');
	press(t, 'y');
	assert_int_equal(t->intents, 2);
	assert_non_null(strstr(t->msg, "not sent: no war room"));
	/* x: a reason is required. */
	press(t, 'x');
	assert_non_null(t->d);
	press(t, KEYC_ENTER);
	assert_non_null(t->d);		/* asked again */
	assert_int_equal(t->intents, 2);
	type(t, "lag is 4 MiB, wait");
	press(t, KEYC_ENTER);
	assert_null(t->d);
	assert_int_equal(t->intents, 3);
	assert_false(t->intent_approve);
	assert_string_equal(t->intent_reason, "lag is 4 MiB, wait");
}

static void
test_approval_answered_or_expired(void **state)
{
	struct t		*t = *state;
	struct wr_identity	 alice;
	struct audit		*a;
	const char		*text;

	memset(&alice, 0, sizeof alice);
	strlcpy_(alice.user, "alice", sizeof alice.user);
	strlcpy_(alice.host, "bastion-1", sizeof alice.host);
	approval_trail(t, &alice, now_ms() + 252000);
	press(t, 'a');
	assert_non_null(t->d);
	/* Answered elsewhere while the dialog was open. */
	a = topen(t, INC);
	answer_record(a, "K7QX-2M9D");
	audit_close(a);
	read_trail(t);
	follow_feed(t->f, t->lines[t->n - 2]);
	press(t, 'y');
	assert_int_equal(t->intents, 0);
	assert_non_null(strstr(t->msg, "no longer waiting"));
	text = draw(t, ROWS, COLS);
	assert_null(strstr(text, "APPROVAL K7QX-2M9D"));
	press(t, 'a');
	assert_null(t->d);
	assert_non_null(strstr(t->msg, "no approval request is waiting"));
	/* An expired one cannot be answered. */
	follow_open(t->f, INC2);
	follow_open(t->f, INC);
	a = topen(t, INC);
	request_record(a, "K7QX-2M9D", &alice, now_ms() - 1000);
	audit_close(a);
	read_trail(t);
	feed_all(t);
	press(t, 'a');
	assert_null(t->d);
	assert_int_equal(t->intents, 0);
}

/* The wheel -------------------------------------------------------------- */

static void
test_adopt_only_when_driving(void **state)
{
	struct t	*t = *state;
	struct audit	*a = topen(t, INC);
	const char	*text;

	run_partial(a, INC);
	audit_close(a);
	read_trail(t);
	follow_open(t->f, INC);
	feed_all(t);
	press(t, 'T');
	assert_int_equal(t->adopted, 0);
	assert_true(t->msg_error);
	assert_non_null(strstr(t->msg, "you do not drive"));
	text = draw(t, ROWS, COLS);
	assert_null(strstr(text, "You have the wheel"));
	/* A handover to us (what follow_poll reads from warroom_view). */
	t->f->wheel = 1;
	text = draw(t, ROWS, COLS);
	assert_non_null(strstr(text, "You have the wheel of " INC ": T takes "
	    "over the run"));
	assert_non_null(strstr(text, "T take over"));
	press(t, 'T');
	assert_int_equal(t->adopted, 1);
	assert_string_equal(t->adopted_rb, "pg-failover");
	assert_true(t->adopted_open);
	/* No open run: nothing to take over. */
	a = topen(t, INC);
	run_rest(a, INC);
	audit_close(a);
	read_trail(t);
	follow_feed(t->f, t->lines[t->n - 3]);
	follow_feed(t->f, t->lines[t->n - 2]);
	press(t, 'T');
	assert_int_equal(t->adopted, 1);
	assert_non_null(strstr(t->msg, "no open run"));
	/* Without a war room follow_poll has nothing to do. */
	assert_int_equal(follow_poll(t->f), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_runs_from_records),
		T(test_runs_late_join),
		T(test_runs_ignore_junk),
		T(test_unfinished_unchanged),
		T(test_view_draws_progress),
		T(test_view_late_join),
		T(test_view_keys),
		T(test_view_tiny),
		T(test_approval_banner_and_own),
		T(test_approval_intent_first),
		T(test_approval_answered_or_expired),
		T(test_adopt_only_when_driving),
#undef T
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
