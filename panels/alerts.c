/* alerts.c: the Alerts panel.  Alertmanager's alerts grouped by severity:
 * critical first, then warning, then the rest, newest first within a
 * group.  Silenced and inhibited alerts stay listed, greyed and last, so
 * that nobody wonders where an alert went; they do not count as firing.
 *
 * Silences from here (the actions of backends/alertmanager.h): m on an
 * alert asks for a duration and a comment, shows the matchers (every label
 * of the alert) and who creates it, then restates all of it for a y before
 * anything is sent; M lists the silences; x expires the silence of a
 * silenced alert after a y. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "action.h"
#include "dialog.h"
#include "keys.h"
#include "pager.h"
#include "panel.h"
#include "util.h"
#include "xmalloc.h"

#define SILENCE_MIN_S	60
#define SILENCE_MAX_S	(30 * 86400)
#define WRAP		72	/* restated text, to fit an 80-column dialog */

/* The silence being asked for.  Kept in the panel, not on the dialog, so
 * that quitting with a dialog open leaves nothing behind. */
struct alerts_priv {
	char	name[64];		/* alertname */
	char	matchers[512];		/* as struct alert */
	char	silence[64];		/* to expire */
	char	duration[32];
	char	comment[256];
};

enum { C_SEV, C_NAME, C_LABELS, C_SUMMARY, C_SINCE, C_STATE, C_RUNBOOK,
	C__COUNT };

static const struct table_col alerts_cols[C__COUNT] = {
	{ "SEV", 8, 0, 0, 0 },
	{ "ALERTNAME", 24, 1, 0, 0 },
	{ "LABELS", 14, 1, 0, 2 },
	{ "SUMMARY", 16, 4, 0, 0 },
	{ "SINCE", 5, 0, 1, 0 },
	{ "STATE", 9, 0, 0, 1 },
	{ "RUNBOOK", 14, 1, 0, 0 },
};

static void
alerts_init(struct panel *p)
{
	struct alerts_priv	*pr = xcalloc(1, sizeof *pr);

	p->table = table_new(alerts_cols, C__COUNT);
	strlcpy_(pr->duration, "2h", sizeof pr->duration);
	p->priv = pr;
}

static void
alerts_free(struct panel *p)
{
	free(p->priv);
	p->priv = NULL;
}

/* Silenced and inhibited alerts do not shout: rank 0. */
static int
alert_rank(const struct alert *a)
{
	if (a->state != ALERT_ACTIVE)
		return (0);
	return (alert_severity_rank(a->severity));
}

/* Display order: rank, then active before suppressed, then newest. */
static int
alert_cmp(const void *va, const void *vb)
{
	const struct alert	*a = *(const struct alert *const *)va;
	const struct alert	*b = *(const struct alert *const *)vb;
	int			 ra = alert_rank(a), rb = alert_rank(b);

	if (ra != rb)
		return (rb - ra);
	if ((a->state != ALERT_ACTIVE) != (b->state != ALERT_ACTIVE))
		return (a->state != ALERT_ACTIVE ? 1 : -1);
	if (a->starts_ms != b->starts_ms)
		return (a->starts_ms < b->starts_ms ? 1 : -1);
	return (strcmp(a->name, b->name));
}

/* A row's key: stable across refreshes. */
static void
alert_key(const struct alert *a, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", a->name, a->fingerprint[0] ?
	    a->fingerprint : a->labels);
}

static void
alert_row(struct panel *p, const struct alert *a, int64_t now)
{
	char		key[256], since[16];
	int		rank = alert_rank(a), quiet = a->state != ALERT_ACTIVE;
	enum role	role = quiet ? ROLE_MUTED : ROLE_NORMAL;
	enum role	hot = quiet ? ROLE_MUTED : rank ? panel_rank_role(rank) :
			    ROLE_NORMAL;

	alert_key(a, key, sizeof key);
	table_row(p->table, key, rank);
	table_cell(p->table, C_SEV, hot, a->severity);
	table_cell(p->table, C_NAME, hot, a->name);
	table_cell(p->table, C_LABELS, ROLE_MUTED, a->labels);
	table_cell(p->table, C_SUMMARY, role, a->summary);
	fmt_age(since, sizeof since, (now - a->starts_ms) / 1000);
	table_cell_num(p->table, C_SINCE, role, (double)(now - a->starts_ms),
	    since);
	table_cell(p->table, C_STATE, role, alert_state_name(a->state));
	table_cell(p->table, C_RUNBOOK, quiet ? ROLE_MUTED : ROLE_ACCENT,
	    a->runbook);
}

static void
alerts_update(struct panel *p, const struct snapshot *s)
{
	const struct alerts_data	*d = &s->u.alerts;
	const struct alert		**order;
	int				  i;

	order = xcalloc(d->n > 0 ? d->n : 1, sizeof *order);
	for (i = 0; i < d->n; i++)
		order[i] = &d->rows[i];
	qsort(order, d->n, sizeof *order, alert_cmp);
	table_begin(p->table);
	for (i = 0; i < d->n; i++)
		alert_row(p, order[i], s->fetched_ms);
	table_end(p->table);
	free(order);
}

static void
alerts_summary(struct panel *p, char *buf, size_t len, enum role *role)
{
	const struct alerts_data	*d = &p->snap->u.alerts;
	int				 crit = 0, warn = 0, other = 0;
	int				 silenced = 0, inhibited = 0, i, r;
	size_t				 off;

	for (i = 0; i < d->n; i++) {
		r = alert_rank(&d->rows[i]);
		silenced += d->rows[i].state == ALERT_SILENCED;
		inhibited += d->rows[i].state == ALERT_INHIBITED;
		crit += r == 2;
		warn += r == 1;
		other += r == 0 && d->rows[i].state == ALERT_ACTIVE;
	}
	*role = crit ? ROLE_CRIT : warn ? ROLE_WARN : ROLE_OK;
	if (crit + warn + other == 0)
		snprintf(buf, len, "no alerts firing");
	else if (crit + warn == 0)
		snprintf(buf, len, "%d info", other);
	else if (crit && warn)
		snprintf(buf, len, "%d critical, %d warning", crit, warn);
	else
		snprintf(buf, len, "%d %s", crit ? crit : warn, crit ?
		    "critical" : "warning");
	off = strlen(buf);
	if (silenced > 0 && off + 1 < len)
		snprintf(buf + off, len - off, ", %d silenced", silenced);
	off = strlen(buf);
	if (inhibited > 0 && off + 1 < len)
		snprintf(buf + off, len - off, ", %d inhibited", inhibited);
	off = strlen(buf);
	if (d->note[0] != '\0' && off + 1 < len)
		snprintf(buf + off, len - off, "; %s", d->note);
}

/* Silences --------------------------------------------------------------- */

static void
alerts_say(struct panel *p, int error, const char *msg)
{
	if (p->host != NULL && p->host->message != NULL)
		p->host->message(p->host->arg, error, msg);
}

/* 1 when the host can run kind; says why not otherwise. */
static int
alerts_can(struct panel *p, const char *kind)
{
	if (p->host != NULL && p->host->actions != NULL &&
	    actions_has(p->host->actions, kind))
		return (1);
	alerts_say(p, 1, "silences need an Alertmanager source "
	    "(docs/alertmanager.md)");
	return (0);
}

static const struct alert *
alerts_selected(const struct panel *p)
{
	const char	*key = table_selected(p->table);
	char		 buf[256];
	int		 i;

	if (key == NULL || p->snap == NULL)
		return (NULL);
	for (i = 0; i < p->snap->u.alerts.n; i++) {
		alert_key(&p->snap->u.alerts.rows[i], buf, sizeof buf);
		if (strcmp(buf, key) == 0)
			return (&p->snap->u.alerts.rows[i]);
	}
	return (NULL);
}

/* The matchers on one line, "alertname=X namespace=Y". */
static void
matchers_line(const char *m, char *buf, size_t len)
{
	char	name[128], value[512];
	size_t	pos = 0, off = 0;

	buf[0] = '\0';
	while (alert_matcher_next(m, &pos, name, sizeof name, value,
	    sizeof value) && off + 1 < len)
		off += (size_t)snprintf(buf + off, len - off, "%s%s=%s",
		    off ? " " : "", name, value);
}

static int
matchers_count(const char *m)
{
	char	name[128], value[512];
	size_t	pos = 0;
	int	n = 0;

	while (alert_matcher_next(m, &pos, name, sizeof name, value,
	    sizeof value))
		n++;
	return (n);
}

/* Add text to d in lines of at most WRAP columns, cut at spaces. */
static void
dialog_wrapped(struct dialog *d, enum role role, const char *text)
{
	size_t	n, cut;

	while (*text != '\0') {
		n = strlen(text);
		cut = n;
		if (n > WRAP) {
			for (cut = WRAP; cut > 0 && text[cut] != ' '; cut--)
				continue;
			if (cut == 0)
				cut = WRAP;
		}
		dialog_line(d, role, "%.*s", (int)cut, text);
		text += cut;
		while (*text == ' ')
			text++;
	}
}

static void	silence_form(struct panel *, const char *, int);

static void
silence_done(void *arg, const struct action_req *req,
    const struct action_result *res)
{
	alerts_say(arg, !res->ok, res->summary);
}

/* Start silence.create with what the operator confirmed. */

/* Silences change the world: the audit trail records the intent first
 * (fsync'ed); when it cannot, nothing is sent. */
static void
alerts_run_guarded(struct panel *p, const char *kind, int argc,
    const char *const *argv, const char *busy)
{
	char	err[256], *msg;
	int	rc;

	err[0] = '\0';
	rc = actions_run_guarded(p->host->actions, kind, argc, argv,
	    silence_done, p, err, sizeof err);
	if (rc == -1)
		alerts_say(p, 1, "silences need an Alertmanager source");
	else if (rc == -2) {
		xasprintf(&msg, "not sent: the audit trail could not record "
		    "it: %s", err);
		alerts_say(p, 1, msg);
		free(msg);
	} else
		alerts_say(p, 0, busy);
}

static void
silence_run(struct panel *p)
{
	struct alerts_priv	*pr = p->priv;
	const char		*argv[ACTION_MAX_ARGS];
	char			 name[128], value[512];
	char			*own[ACTION_MAX_ARGS];
	size_t			 pos = 0;
	int			 argc = 0, i;

	while (argc < ACTION_MAX_ARGS - 3 && alert_matcher_next(pr->matchers,
	    &pos, name, sizeof name, value, sizeof value))
		xasprintf(&own[argc++], "matcher=%s=%s", name, value);
	xasprintf(&own[argc++], "duration=%s", pr->duration);
	xasprintf(&own[argc++], "comment=%s", pr->comment);
	xasprintf(&own[argc++], "created_by=%s", p->host->operator);
	for (i = 0; i < argc; i++)
		argv[i] = own[i];
	alerts_run_guarded(p, "silence.create", argc, argv,
	    "creating the silence...");
	for (i = 0; i < argc; i++)
		free(own[i]);
}

static void
silence_confirm_closed(struct panel *p, struct dialog *d, int result)
{
	if (result == DIALOG_CONFIRM)
		silence_run(p);
	else
		alerts_say(p, 0, "no silence created");
}

/* When a silence of secs from now ends: "14:05 UTC", or with the date
 * when that is not today's clock ("2026-11-23 14:05 UTC"). */
static void
fmt_until(char *buf, size_t len, int64_t secs)
{
	time_t		t = (time_t)(now_ms() / 1000 + secs);
	struct tm	tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, secs < 86400 ? "%H:%M UTC" : "%Y-%m-%d %H:%M UTC",
	    &tm);
}

/* Exactly what will be created, for a y. */
static void
silence_confirm(struct panel *p)
{
	struct alerts_priv	*pr = p->priv;
	struct dialog		*d = dialog_new("Create this silence?");
	char			 m[600], until[32], *text;

	matchers_line(pr->matchers, m, sizeof m);
	fmt_until(until, sizeof until, parse_duration(pr->duration));
	xasprintf(&text, "Create silence for %s (until %s): %s;",
	    pr->duration, until, m);
	dialog_wrapped(d, ROLE_NORMAL, text);
	free(text);
	xasprintf(&text, "comment: %s;", pr->comment);
	dialog_wrapped(d, ROLE_NORMAL, text);
	free(text);
	dialog_line(d, ROLE_NORMAL, "by %s?", p->host->operator);
	dialog_line(d, ROLE_MUTED, "%s", "");
	dialog_line(d, ROLE_MUTED, "Alerts matching every one of these labels "
	    "are silenced until it ends.");
	dialog_hint(d, "y create the silence  n/Esc cancel");
	p->host->dialog(p->host->arg, d, p, silence_confirm_closed);
}

/* Why the form cannot be sent (and the field to fix), or NULL. */
static const char *
silence_invalid(const struct alerts_priv *pr, int *field)
{
	int64_t	secs = parse_duration(pr->duration);

	*field = 0;
	if (secs < SILENCE_MIN_S || secs > SILENCE_MAX_S)
		return ("duration: from 1m to 30d, e.g. 90m, 2h, 1d");
	*field = 1;
	if (pr->comment[strspn(pr->comment, " \t")] == '\0')
		return ("a comment is required: why, and the ticket");
	return (NULL);
}

static void
silence_form_closed(struct panel *p, struct dialog *d, int result)
{
	struct alerts_priv	*pr = p->priv;
	const char		*why;
	int			 field;

	strlcpy_(pr->duration, dialog_value(d, 0), sizeof pr->duration);
	strlcpy_(pr->comment, dialog_value(d, 1), sizeof pr->comment);
	if (result != DIALOG_CONFIRM) {
		alerts_say(p, 0, "no silence created");
		return;
	}
	if ((why = silence_invalid(pr, &field)) != NULL)
		silence_form(p, why, field);	/* again, with the reason */
	else
		silence_confirm(p);
}

/* The form: duration and comment, with the matchers and the author;
 * error (may be NULL) is shown with the cursor on field. */
static void
silence_form(struct panel *p, const char *error, int field)
{
	struct alerts_priv	*pr = p->priv;
	struct dialog		*d;
	char			 title[96], name[128], value[512];
	size_t			 pos = 0;

	snprintf(title, sizeof title, "Silence %s", pr->name);
	d = dialog_new(title);
	dialog_line(d, ROLE_NORMAL, "Matchers (every label of the alert):");
	while (alert_matcher_next(pr->matchers, &pos, name, sizeof name,
	    value, sizeof value))
		dialog_line(d, ROLE_ACCENT, "  %s=%s", name, value);
	dialog_line(d, ROLE_MUTED, "created by %s", p->host->operator);
	if (pr->silence[0] != '\0')
		dialog_line(d, ROLE_WARN, "already silenced by %s",
		    pr->silence);
	dialog_field(d, "duration", pr->duration);
	dialog_field(d, "comment", pr->comment);
	if (field > 0)
		dialog_key(d, KEYC_TAB);
	if (error != NULL)
		dialog_error(d, error);
	dialog_hint(d, "Enter next / submit  Tab field  Esc cancel");
	p->host->dialog(p->host->arg, d, p, silence_form_closed);
}

static int
alerts_key_silence(struct panel *p)
{
	struct alerts_priv	*pr = p->priv;
	const struct alert	*a = alerts_selected(p);

	if (!alerts_can(p, "silence.create"))
		return (1);
	if (a == NULL || a->matchers[0] == '\0') {
		alerts_say(p, 1, a == NULL ? "no alert selected" :
		    "this alert has no labels to match");
		return (1);
	}
	if (matchers_count(a->matchers) > ACTION_MAX_ARGS - 3) {
		alerts_say(p, 1, "this alert has too many labels to silence "
		    "from here: use amtool");
		return (1);
	}
	if (strcmp(pr->name, a->name) != 0 ||
	    strcmp(pr->matchers, a->matchers) != 0)
		pr->comment[0] = '\0';
	strlcpy_(pr->name, a->name, sizeof pr->name);
	strlcpy_(pr->matchers, a->matchers, sizeof pr->matchers);
	strlcpy_(pr->silence, a->state == ALERT_SILENCED ? a->silenced_by : "",
	    sizeof pr->silence);
	silence_form(p, NULL, 0);
	return (1);
}

/* Expiring --------------------------------------------------------------- */

static void
expire_closed(struct panel *p, struct dialog *d, int result)
{
	struct alerts_priv	*pr = p->priv;
	char			 arg[96];
	const char		*argv[1] = { arg };

	if (result != DIALOG_CONFIRM) {
		alerts_say(p, 0, "silence kept");
		return;
	}
	snprintf(arg, sizeof arg, "id=%s", pr->silence);
	alerts_run_guarded(p, "silence.expire", 1, argv,
	    "expiring the silence...");
}

static int
alerts_key_expire(struct panel *p)
{
	struct alerts_priv	*pr = p->priv;
	const struct alert	*a = alerts_selected(p);
	struct dialog		*d;
	char			 m[600];

	if (!alerts_can(p, "silence.expire"))
		return (1);
	if (a == NULL || a->state != ALERT_SILENCED ||
	    a->silenced_by[0] == '\0') {
		alerts_say(p, 1, "the selected alert is not silenced");
		return (1);
	}
	strlcpy_(pr->silence, a->silenced_by, sizeof pr->silence);
	d = dialog_new("Expire this silence?");
	dialog_line(d, ROLE_NORMAL, "Expire silence %s now?", pr->silence);
	dialog_line(d, ROLE_NORMAL, "It silences %s:", a->name);
	matchers_line(a->matchers, m, sizeof m);
	dialog_wrapped(d, ROLE_ACCENT, m);
	dialog_line(d, ROLE_MUTED, "Every alert it covers notifies again.");
	dialog_hint(d, "y expire the silence  n/Esc cancel");
	p->host->dialog(p->host->arg, d, p, expire_closed);
	return (1);
}

/* Listing ---------------------------------------------------------------- */

static void
list_done(void *arg, const struct action_req *req,
    const struct action_result *res)
{
	struct panel	*p = arg;
	struct pager	*pg;
	char		*text, *line, *next;

	if (!res->ok || res->output == NULL) {
		alerts_say(p, !res->ok, res->summary);
		return;
	}
	pg = pager_new("Silences (Esc or q closes)");
	pager_add(pg, ROLE_TITLE, res->summary);
	pager_add(pg, ROLE_NORMAL, "");
	text = xstrdup(res->output);
	for (line = text; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (line[0] == ' ')
			pager_add_wrapped(pg, ROLE_MUTED, 4, WRAP + 4, line);
		else
			pager_add(pg, ROLE_NORMAL, line);
	}
	free(text);
	alerts_say(p, 0, res->summary);
	p->host->pager(p->host->arg, pg);
}

static int
alerts_key_list(struct panel *p)
{
	if (!alerts_can(p, "silence.list"))
		return (1);
	if (actions_run(p->host->actions, "silence.list", 0, NULL, list_done,
	    p) > 0)
		alerts_say(p, 0, "reading the silences...");
	return (1);
}

/* Enter: the selected alert's runbook, filled from its labels. */
static int
alerts_key_runbook(struct panel *p)
{
	const struct alert	*a = alerts_selected(p);

	if (p->host == NULL || p->host->runbook == NULL)
		return (0);
	if (a == NULL)
		alerts_say(p, 1, "no alert selected");
	else
		p->host->runbook(p->host->arg, a);
	return (1);
}

static int
alerts_key(struct panel *p, int key)
{
	switch (key) {
	case KEYC_ENTER:
		return (alerts_key_runbook(p));
	case 'm':
		return (alerts_key_silence(p));
	case 'M':
		return (alerts_key_list(p));
	case 'x':
		return (alerts_key_expire(p));
	}
	return (0);
}

static const struct keyhelp alerts_keys[] = {
	{ "Enter", "open the alert's runbook, parameters filled from its "
	    "labels" },
	{ "m", "silence the selected alert (asks duration and comment, "
	    "then y)" },
	{ "M", "list the silences" },
	{ "x", "expire the silence of the selected alert (then y)" },
	{ "s / S", "sort by the next column / reverse the order" },
	{ NULL, NULL }
};

const struct panel_class alerts_panel = {
	.name = "alerts",
	.title = "Alerts",
	.kind = SNAP_ALERTS,
	.init = alerts_init,
	.update = alerts_update,
	.summary = alerts_summary,
	.key = alerts_key,
	.keys = alerts_keys,
	.free = alerts_free,
	.help = "Alerts from Alertmanager, critical first, then warning, then "
	    "the rest, newest first within each group. SEV is the severity "
	    "label (critical is crit, warning is warn), LABELS the key "
	    "labels, SINCE how long it has been firing, STATE active, "
	    "silenced or inhibited, RUNBOOK the last part of the runbook_url "
	    "(or runbook) annotation: the runbook to open. Silenced and "
	    "inhibited alerts are greyed and listed last; the title counts "
	    "them apart. Enter opens the alert's runbook with its parameters "
	    "filled from the alert's labels. m silences the selected alert: a silence matches "
	    "every label of the alert, lasts the duration you give (1m to "
	    "30d) and carries your comment and your user@host; it is "
	    "restated for a y before it is sent to Alertmanager. M lists the "
	    "silences, x expires the one silencing the selected alert.",
};
