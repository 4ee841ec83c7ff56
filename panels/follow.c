/* follow.c: following an incident: its records (from the war room's
 * stream, or fed), the runs they make, who is there, the requests waiting
 * for a second person, and the keys.  Read-only: nothing here runs a step;
 * an approval is the approver's audit record (answer_intent) first, then
 * the answer through the war room. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "dialog.h"
#include "follow_int.h"
#include "incident.h"
#include "json_num.h"
#include "keys.h"
#include "util.h"
#include "xmalloc.h"

const struct keyhelp follow_keys[] = {
	{ "j k / PgUp PgDn", "scroll the timeline" },
	{ "g / G", "the first record / the newest (follows new ones)" },
	{ "a", "review the approval request shown, y approves it" },
	{ "x", "reject the approval request shown (a reason is asked)" },
	{ "T", "take over the open run (after a handover to you)" },
	{ "Esc / q", "back to the panels (the incident is still followed)" },
	{ NULL, NULL }
};

const char follow_help[] =
    "Following an incident, read-only: who drives it and who watches, "
    "each run of its runbooks (who began it, the parameters, every step "
    "with its state, who and when; the current step highlighted; a step "
    "started without a finish record is marked outcome unknown), and the "
    "timeline of its audit records, newest at the bottom.  A two-person "
    "approval request of the incident shows as a banner: a shows exactly "
    "what will run and the live figures, y approves (your own request "
    "cannot be approved by you); x rejects it with a reason.  When the "
    "driver hands the wheel to you, T takes the run over.  Nothing runs "
    "from this view.";

static void
follow_say(struct follow *f, int error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
follow_say(struct follow *f, int error, const char *fmt, ...)
{
	const struct panel_host	*h = f->o.host;
	va_list			 ap;
	char			 msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (h != NULL && h->message != NULL)
		h->message(h->arg, error, msg);
}

/* Requests --------------------------------------------------------------- */

static char **
strv_copy(char *const *v, int n)
{
	char	**out = xcalloc(n > 0 ? n : 1, sizeof *out);
	int	  i;

	for (i = 0; i < n; i++)
		out[i] = xstrdup(v[i] != NULL ? v[i] : "");
	return (out);
}

static void
strv_free(char **v, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Our own copy (the war room's copies are freed at once). */
static void
req_copy(struct wr_request *dst, const struct wr_request *src)
{
	*dst = *src;
	dst->lines = strv_copy(src->lines, src->nlines);
	dst->figures = strv_copy(src->figures, src->nfigures);
}

static void
reqs_clear(struct follow *f)
{
	int	i;

	for (i = 0; i < f->nreqs; i++) {
		strv_free(f->reqs[i].lines, f->reqs[i].nlines);
		strv_free(f->reqs[i].figures, f->reqs[i].nfigures);
	}
	free(f->reqs);
	f->reqs = NULL;
	f->nreqs = 0;
}

static void
req_drop(struct follow *f, const char *code)
{
	int	i;

	for (i = 0; i < f->nreqs; i++) {
		if (strcmp(f->reqs[i].code, code) != 0)
			continue;
		strv_free(f->reqs[i].lines, f->reqs[i].nlines);
		strv_free(f->reqs[i].figures, f->reqs[i].nfigures);
		memmove(&f->reqs[i], &f->reqs[i + 1], (size_t)(f->nreqs - i -
		    1) * sizeof *f->reqs);
		f->nreqs--;
		return;
	}
}

static const struct wr_request *
req_find(const struct follow *f, const char *code)
{
	int	i;

	for (i = 0; i < f->nreqs; i++)
		if (strcmp(f->reqs[i].code, code) == 0)
			return (&f->reqs[i]);
	return (NULL);
}

static const char *
jstr(const cJSON *o, const char *name)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, name);

	return (cJSON_IsString(v) ? v->valuestring : NULL);
}

static char **
jstrv(const cJSON *a, int *n)
{
	const cJSON	*it;
	char		**v = xcalloc((size_t)cJSON_GetArraySize(a) + 1,
			    sizeof *v);

	*n = 0;
	cJSON_ArrayForEach(it, a)
		if (cJSON_IsString(it))
			v[(*n)++] = xstrdup(it->valuestring);
	return (v);
}

/* Without a war room the requests come from the records themselves:
 * approval_requested adds one, approval_answered takes it away. */
static void
req_record(struct follow *f, const cJSON *rec, const char *type)
{
	const cJSON		*d = cJSON_GetObjectItemCaseSensitive(rec, "data");
	const cJSON		*st = cJSON_GetObjectItemCaseSensitive(rec, "step");
	const cJSON		*rb = cJSON_GetObjectItemCaseSensitive(rec,
				    "runbook");
	struct wr_request	*q;
	const char		*code = jstr(d, "code");

	if (code == NULL)
		return;
	req_drop(f, code);
	if (strcmp(type, "approval_requested") != 0)
		return;
	f->reqs = xreallocarray(f->reqs, f->nreqs + 1, sizeof *f->reqs);
	q = &f->reqs[f->nreqs++];
	memset(q, 0, sizeof *q);
	strlcpy_(q->code, code, sizeof q->code);
	strlcpy_(q->incident, f->inc, sizeof q->incident);
	strlcpy_(q->runbook, jstr(rb, "id") ? jstr(rb, "id") : "?",
	    sizeof q->runbook);
	q->step = json_int(st, "index", -1);
	strlcpy_(q->step_id, jstr(st, "id") ? jstr(st, "id") : "?",
	    sizeof q->step_id);
	strlcpy_(q->title, jstr(st, "title") ? jstr(st, "title") : "",
	    sizeof q->title);
	q->lines = jstrv(cJSON_GetObjectItemCaseSensitive(d, "will_run"),
	    &q->nlines);
	q->figures = jstrv(cJSON_GetObjectItemCaseSensitive(d, "figures"),
	    &q->nfigures);
	if (wr_identity_from_json(cJSON_GetObjectItemCaseSensitive(d,
	    "requester"), &q->requester) != 0)
		strlcpy_(q->requester.user, "?", sizeof q->requester.user);
	q->requested_ms = follow_time_ms(jstr(rec, "time"));
	q->expires_ms = json_int64(d, "expires_ms", 0);
}

/* Records ---------------------------------------------------------------- */

int64_t
follow_time_ms(const char *s)
{
	struct tm	tm;
	int		ms = 0;
	char		*end;

	if (s == NULL)
		return (0);
	memset(&tm, 0, sizeof tm);
	if ((end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return (0);
	if (*end == '.')
		ms = atoi(end + 1);
	return ((int64_t)timegm(&tm) * 1000 + ms);
}

static void
timeline_add(struct follow *f, const char *line)
{
	if (f->nlines == FOLLOW_LINES_MAX) {
		free(f->lines[0]);
		memmove(f->lines, f->lines + 1, (FOLLOW_LINES_MAX - 1) *
		    sizeof *f->lines);
		f->nlines--;
		if (f->top > 0)
			f->top--;
	}
	if (f->lines == NULL)
		f->lines = xcalloc(FOLLOW_LINES_MAX, sizeof *f->lines);
	f->lines[f->nlines++] = audit_format(line);
}

void
follow_feed(struct follow *f, const char *line)
{
	cJSON		*rec;
	const char	*inc, *type;
	int64_t		 t;

	if (line == NULL || (rec = cJSON_Parse(line)) == NULL)
		return;
	inc = jstr(rec, "incident");
	type = jstr(rec, "type");
	if (type == NULL || (inc != NULL && strcmp(inc, f->inc) != 0)) {
		cJSON_Delete(rec);
		return;
	}
	audit_runs_feed(f->builder, line, strlen(line));
	f->runs_stale = 1;
	timeline_add(f, line);
	f->records++;
	if ((t = follow_time_ms(jstr(rec, "time"))) > f->last_ms)
		f->last_ms = t;
	if (f->o.wr == NULL && strncmp(type, "approval_", 9) == 0)
		req_record(f, rec, type);
	cJSON_Delete(rec);
}

void
follow_runs(struct follow *f)
{
	if (!f->runs_stale)
		return;
	audit_runs_free(f->runs, f->nruns);
	audit_runs_list(f->builder, &f->runs, &f->nruns);
	f->runs_stale = 0;
}

const struct audit_run *
follow_open_run(struct follow *f)
{
	const struct audit_run	*best = NULL;
	int			 i;

	follow_runs(f);
	for (i = 0; i < f->nruns; i++)
		if (f->runs[i].open && (best == NULL || f->runs[i].last_seq >
		    best->last_seq))
			best = &f->runs[i];
	return (best);
}

/* Lifetime --------------------------------------------------------------- */

struct follow *
follow_new(const struct follow_opts *o)
{
	struct follow	*f = xcalloc(1, sizeof *f);

	f->o = *o;
	f->builder = audit_runs_new();
	f->top = -1;
	return (f);
}

/* Forget the incident followed before. */
static void
follow_reset(struct follow *f)
{
	audit_runs_release(f->builder);
	f->builder = audit_runs_new();
	audit_runs_free(f->runs, f->nruns);
	f->runs = NULL;
	f->nruns = 0;
	f->runs_stale = 0;
	while (f->nlines > 0)
		free(f->lines[--f->nlines]);
	f->top = -1;
	f->records = 0;
	f->last_ms = 0;
	f->have_view = 0;
	f->wheel = f->drove = 0;
	f->code[0] = '\0';
	reqs_clear(f);
}

void
follow_free(struct follow *f)
{
	if (f == NULL)
		return;
	follow_reset(f);
	audit_runs_release(f->builder);
	free(f->lines);
	free(f);
}

int
follow_open(struct follow *f, const char *incident)
{
	if (incident == NULL || !incident_id_ok(incident)) {
		follow_say(f, 1, ":follow needs an incident id "
		    "(INC-YYYYMMDD-NNNN), not '%s'", incident ? incident : "");
		return (-1);
	}
	f->showing = 1;
	if (strcmp(f->inc, incident) == 0)
		return (0);
	follow_reset(f);
	strlcpy_(f->inc, incident, sizeof f->inc);
	if (f->o.wr == NULL)
		return (0);
	/* Joined already (this console's own incident): stay as we are, a
	 * driver keeps the wheel. */
	warroom_view(f->o.wr, &f->view);
	if (strcmp(f->view.incident, incident) != 0)
		warroom_join(f->o.wr, incident, WR_WATCHING);
	return (0);
}

int
follow_showing(const struct follow *f)
{
	return (f->showing);
}

void
follow_hide(struct follow *f)
{
	f->showing = 0;
}

const char *
follow_incident(const struct follow *f)
{
	return (f->inc[0] != '\0' ? f->inc : NULL);
}

/* The war room ----------------------------------------------------------- */

static int
poll_records(struct follow *f)
{
	char	**lines = NULL;
	int	  n = 0, i;

	warroom_take(f->o.wr, &lines, &n);	/* returns n */
	if (lines == NULL || n <= 0) {
		free(lines);
		return (0);
	}
	for (i = 0; i < n; i++) {
		follow_feed(f, lines[i]);
		free(lines[i]);
	}
	free(lines);
	return (1);
}

/* Presence and the wheel: we come to drive while watching (a handover
 * to us; said once).  A console that drove the incident already has its
 * run: nothing to take over. */
static int
poll_view(struct follow *f)
{
	struct wr_view	v;
	int		changed, driving;

	warroom_view(f->o.wr, &v);
	changed = !f->have_view || v.generation != f->view.generation;
	driving = strcmp(v.incident, f->inc) == 0 && v.role == WR_DRIVING;
	if (driving && f->have_view && !f->drove && !f->wheel) {
		follow_say(f, 0, "You have the wheel of %s: T takes over the "
		    "run", f->inc);
		f->wheel = 1;
	}
	if (!driving)
		f->wheel = 0;
	f->drove = driving;
	f->view = v;
	f->have_view = 1;
	return (changed);
}

static int
poll_pending(struct follow *f)
{
	struct wr_request	*q = NULL;
	int			 n = 0, i, k, changed;

	if (warroom_pending(f->o.wr, &q, &n) != 0 || n < 0)
		return (0);
	for (i = 0, k = 0; i < n; i++)
		if (strcmp(q[i].incident, f->inc) == 0)
			k++;
	changed = k != f->nreqs;
	for (i = 0, k = 0; !changed && i < n; i++)
		if (strcmp(q[i].incident, f->inc) == 0)
			changed = strcmp(q[i].code, f->reqs[k++].code) != 0;
	if (changed) {
		reqs_clear(f);
		f->reqs = xcalloc(n > 0 ? n : 1, sizeof *f->reqs);
		for (i = 0; i < n; i++)
			if (strcmp(q[i].incident, f->inc) == 0)
				req_copy(&f->reqs[f->nreqs++], &q[i]);
	}
	wr_requests_free(q, n);
	return (changed);
}

static int
poll_messages(struct follow *f)
{
	char	**msgs = NULL;
	int	  n = 0, i;

	warroom_messages(f->o.wr, &msgs, &n);	/* returns n */
	if (msgs == NULL || n <= 0) {
		free(msgs);
		return (0);
	}
	for (i = 0; i < n; i++) {
		follow_say(f, strstr(msgs[i], "refused") != NULL ||
		    strstr(msgs[i], "failed") != NULL, "%s", msgs[i]);
		free(msgs[i]);
	}
	free(msgs);
	return (1);
}

int
follow_poll(struct follow *f)
{
	int	changed = 0;

	if (f->o.wr == NULL || f->inc[0] == '\0')
		return (0);
	changed |= poll_records(f);
	changed |= poll_view(f);
	changed |= poll_pending(f);
	changed |= poll_messages(f);
	return (changed);
}

/* Approvals -------------------------------------------------------------- */

/* The request a or x is about: the oldest pending one that has not
 * expired, or NULL (and why). */
static const struct wr_request *
req_current(struct follow *f)
{
	int64_t	now = now_ms();
	int	i;

	for (i = 0; i < f->nreqs; i++)
		if (f->reqs[i].expires_ms == 0 || f->reqs[i].expires_ms > now)
			return (&f->reqs[i]);
	follow_say(f, 1, "no approval request is waiting in %s",
	    f->inc[0] ? f->inc : "this view");
	return (NULL);
}

/* 0 when we may answer q; else -1 and why. */
static int
req_may_answer(struct follow *f, const struct wr_request *q)
{
	if (f->o.self == NULL) {
		follow_say(f, 1, "approval %s: who you are is not known here: "
		    "nobody can answer from this console", q->code);
		return (-1);
	}
	if (wr_identity_same_person(&q->requester, f->o.self)) {
		follow_say(f, 1, "approval %s: your own request: another "
		    "person must approve", q->code);
		return (-1);
	}
	if (q->expires_ms != 0 && q->expires_ms <= now_ms()) {
		follow_say(f, 1, "approval %s has expired", q->code);
		return (-1);
	}
	return (0);
}

/* The approver's record first (durable), then the answer. */
static void
req_answer(struct follow *f, const char *code, int approve,
    const char *reason)
{
	const struct wr_request	*q = req_find(f, code);
	struct error		 err;
	const char		*what = approve ? "approved" : "rejected";

	if (q == NULL) {
		follow_say(f, 1, "approval %s is no longer waiting (answered, "
		    "withdrawn or expired)", code);
		return;
	}
	if (req_may_answer(f, q) != 0)
		return;
	memset(&err, 0, sizeof err);
	if (f->o.answer_intent == NULL) {
		follow_say(f, 1, "approval %s not %s: this console cannot "
		    "record an answer", code, what);
		return;
	}
	if (f->o.answer_intent(f->o.answer_arg, q, approve, reason,
	    &err) != 0) {
		follow_say(f, 1, "approval %s not %s: %s", code, what,
		    err.msg[0] ? err.msg : "it cannot be recorded");
		return;
	}
	if (f->o.wr == NULL) {
		follow_say(f, 1, "approval %s not sent: no war room (your "
		    "intent is in your audit trail)", code);
		return;
	}
	warroom_answer(f->o.wr, code, approve, reason);
	follow_say(f, 0, "approval %s: %s, sending the answer", code,
	    what);
}

static void
approve_closed(struct panel *p, struct dialog *d, int result)
{
	struct follow	*f = dialog_data(d);

	if (result != DIALOG_CONFIRM) {
		follow_say(f, 0, "approval %s: not answered", f->code);
		return;
	}
	req_answer(f, f->code, 1, NULL);
}

static void
follow_dialog(struct follow *f, struct dialog *d,
    void (*closed)(struct panel *, struct dialog *, int))
{
	const struct panel_host	*h = f->o.host;

	dialog_set_data(d, f);
	if (h == NULL || h->dialog == NULL) {
		dialog_free(d);
		return;
	}
	h->dialog(h->arg, d, NULL, closed);
}

static void
follow_approve(struct follow *f)
{
	const struct wr_request	*q;
	struct dialog		*d;
	char			 title[64], who[192];
	int			 i;

	if ((q = req_current(f)) == NULL || req_may_answer(f, q) != 0)
		return;
	strlcpy_(f->code, q->code, sizeof f->code);
	wr_identity_name(&q->requester, who, sizeof who);
	snprintf(title, sizeof title, "Approve %s?", q->code);
	d = dialog_new(title);
	dialog_line(d, ROLE_TITLE, "%s step %d %s: %s", q->runbook, q->step +
	    1, q->step_id, q->title[0] ? q->title : q->step_id);
	dialog_line(d, ROLE_NORMAL, "asked by %s (uid %u%s%s) in %s", who,
	    q->requester.uid, q->requester.ssh[0] ? ", ssh " : "",
	    q->requester.ssh, q->incident[0] ? q->incident : f->inc);
	dialog_line(d, ROLE_NORMAL, "This will run:");
	for (i = 0; i < q->nlines; i++)
		dialog_line(d, ROLE_ACCENT, "  %s", q->lines[i]);
	if (q->nlines == 0)
		dialog_line(d, ROLE_WARN, "  (the request says nothing about "
		    "what runs: do not approve it blind)");
	dialog_line(d, ROLE_NORMAL, "The live figures when it was asked:");
	for (i = 0; i < q->nfigures; i++)
		dialog_line(d, ROLE_NORMAL, "  %s", q->figures[i]);
	if (q->nfigures == 0)
		dialog_line(d, ROLE_MUTED, "  (none)");
	dialog_line(d, ROLE_WARN, "You approve as a second person, with your "
	    "name in the audit trail.");
	dialog_hint(d, "y approve  n/Esc not now");
	follow_dialog(f, d, approve_closed);
}

static void reject_form(struct follow *, const char *error);

static void
reject_closed(struct panel *p, struct dialog *d, int result)
{
	struct follow	*f = dialog_data(d);
	const char	*reason = dialog_value(d, 0);

	if (result != DIALOG_CONFIRM) {
		follow_say(f, 0, "approval %s: not answered", f->code);
		return;
	}
	if (reason == NULL || reason[strspn(reason, " \t")] == '\0') {
		reject_form(f, "a reason is required to reject a request");
		return;
	}
	req_answer(f, f->code, 0, reason + strspn(reason, " \t"));
}

static void
reject_form(struct follow *f, const char *error)
{
	const struct wr_request	*q = req_find(f, f->code);
	struct dialog		*d;
	char			 title[64];

	snprintf(title, sizeof title, "Reject %s?", f->code);
	d = dialog_new(title);
	if (q != NULL)
		dialog_line(d, ROLE_NORMAL, "%s step %d %s: %s", q->runbook,
		    q->step + 1, q->step_id, q->title[0] ? q->title :
		    q->step_id);
	dialog_line(d, ROLE_MUTED, "Why?  The requester sees it; it goes "
	    "into the audit trail with your name.");
	dialog_field(d, "reason", "");
	if (error != NULL)
		dialog_error(d, error);
	dialog_hint(d, "Enter reject  Esc cancel");
	follow_dialog(f, d, reject_closed);
}

static void
follow_reject(struct follow *f)
{
	const struct wr_request	*q;

	if ((q = req_current(f)) == NULL || req_may_answer(f, q) != 0)
		return;
	strlcpy_(f->code, q->code, sizeof f->code);
	reject_form(f, NULL);
}

/* The wheel -------------------------------------------------------------- */

static void
follow_take_over(struct follow *f)
{
	const struct audit_run	*r;

	if (!f->wheel) {
		follow_say(f, 1, "you do not drive %s: T takes over after the "
		    "driver hands the wheel to you (:handover)", f->inc);
		return;
	}
	if ((r = follow_open_run(f)) == NULL) {
		follow_say(f, 1, "%s has no open run to take over", f->inc);
		return;
	}
	if (f->o.adopt == NULL) {
		follow_say(f, 1, "this console cannot take a run over");
		return;
	}
	f->o.adopt(f->o.adopt_arg, f->inc, r);
}

/* Keys ------------------------------------------------------------------- */

static int
follow_scroll(struct follow *f, int key, int page)
{
	int	top = f->top >= 0 ? f->top : f->nlines - f->page, rows;

	rows = f->page > 0 ? f->page : page;
	switch (key) {
	case 'j':
	case KEYC_DOWN:
		top++;
		break;
	case 'k':
	case KEYC_UP:
		top--;
		break;
	case KEYC_NPAGE:
	case ' ':
		top += rows;
		break;
	case KEYC_PPAGE:
		top -= rows;
		break;
	case 'g':
	case KEYC_HOME:
		top = 0;
		break;
	case 'G':
	case KEYC_END:
		top = f->nlines;
		break;
	default:
		return (0);
	}
	if (top < 0)
		top = 0;
	f->top = top + rows >= f->nlines ? -1 : top;
	return (1);
}

enum runbooks_key
follow_key(struct follow *f, int key, int page)
{
	if (!f->showing)
		return (RUNBOOKS_UNHANDLED);
	switch (key) {
	case KEYC_ESC:
	case 'q':
		f->showing = 0;
		return (RUNBOOKS_LEAVE);
	case 'a':
		follow_approve(f);
		return (RUNBOOKS_HANDLED);
	case 'x':
		follow_reject(f);
		return (RUNBOOKS_HANDLED);
	case 'T':
		follow_take_over(f);
		return (RUNBOOKS_HANDLED);
	}
	return (follow_scroll(f, key, page) ? RUNBOOKS_HANDLED :
	    RUNBOOKS_UNHANDLED);
}
