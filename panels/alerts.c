/* alerts.c: the Alerts panel.  Alertmanager's alerts grouped by severity:
 * critical first, then warning, then the rest, newest first within a
 * group.  Silenced and inhibited alerts stay listed, greyed and last, so
 * that nobody wonders where an alert went; they do not count as firing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panel.h"
#include "util.h"
#include "xmalloc.h"

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
	p->table = table_new(alerts_cols, C__COUNT);
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

/* "https://runbooks.example.com/pod-crash-loop.md?x#y" -> "pod-crash-loop". */
static void
runbook_name(const char *url, char *buf, size_t len)
{
	static const char *const exts[] = { ".md", ".html", ".htm" };
	size_t			 end = strcspn(url, "?#"), start, n, e, i;

	while (end > 0 && url[end - 1] == '/')
		end--;
	for (start = end; start > 0 && url[start - 1] != '/'; start--)
		continue;
	n = end - start;
	for (i = 0; i < sizeof exts / sizeof exts[0]; i++) {
		e = strlen(exts[i]);
		if (n > e && strncmp(url + end - e, exts[i], e) == 0) {
			n -= e;
			break;
		}
	}
	snprintf(buf, len, "%.*s", (int)n, url + start);
}

static void
alert_row(struct panel *p, const struct alert *a, int64_t now)
{
	char		key[256], since[16], runbook[160];
	int		rank = alert_rank(a), quiet = a->state != ALERT_ACTIVE;
	enum role	role = quiet ? ROLE_MUTED : ROLE_NORMAL;
	enum role	hot = quiet ? ROLE_MUTED : rank ? panel_rank_role(rank) :
			    ROLE_NORMAL;

	snprintf(key, sizeof key, "%s/%s", a->name, a->fingerprint[0] ?
	    a->fingerprint : a->labels);
	table_row(p->table, key, rank);
	table_cell(p->table, C_SEV, hot, a->severity);
	table_cell(p->table, C_NAME, hot, a->name);
	table_cell(p->table, C_LABELS, ROLE_MUTED, a->labels);
	table_cell(p->table, C_SUMMARY, role, a->summary);
	fmt_age(since, sizeof since, (now - a->starts_ms) / 1000);
	table_cell_num(p->table, C_SINCE, role, (double)(now - a->starts_ms),
	    since);
	table_cell(p->table, C_STATE, role, alert_state_name(a->state));
	runbook_name(a->runbook_url, runbook, sizeof runbook);
	table_cell(p->table, C_RUNBOOK, quiet ? ROLE_MUTED : ROLE_ACCENT,
	    runbook);
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
}

const struct panel_class alerts_panel = {
	.name = "alerts",
	.title = "Alerts",
	.kind = SNAP_ALERTS,
	.init = alerts_init,
	.update = alerts_update,
	.summary = alerts_summary,
	.help = "Alerts from Alertmanager, critical first, then warning, then "
	    "the rest, newest first within each group. SEV is the severity "
	    "label (critical is crit, warning is warn), LABELS the key "
	    "labels, SINCE how long it has been firing, STATE active, "
	    "silenced or inhibited, RUNBOOK the last part of the runbook_url "
	    "annotation (the runbook to open). Silenced and inhibited alerts "
	    "are greyed and listed last; the title counts them apart.",
};
