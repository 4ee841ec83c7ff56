/* drill_draw.c: drawing the drill list and the drill board.  Reads the
 * drill and its run, never changes them.  The board: the drill (title,
 * type, incident, stage) and its scenario; the RTO and RPO lines; the
 * injection and the response runbook's step; the phases with target,
 * actual (running: warning from 80% of the target, critical past it) and
 * pass or fail; the checklist shown; the keys. */
#include <stdio.h>
#include <string.h>

#include "drills_int.h"
#include "text.h"
#include "util.h"

#define PHASES_W	58	/* the phase table beside the checklist */
#define SIDE_MIN_W	110

static void
dd_hint(const struct tui_box *b, const char *keys)
{
	screen_hline(b, b->h - 2, ROLE_BORDER);
	screen_text(b, b->h - 1, 1, ROLE_MUTED, keys);
}

void
drills_draw_list(struct drills *ds, const struct tui_box *b)
{
	int	i, y = 2;

	screen_text(b, 0, 1, ROLE_TITLE, "DR drills: Enter starts the drill "
	    "selected");
	for (i = 0; i < ds->lib->n && y < b->h - 2; i++, y++) {
		const struct drill	*d = ds->lib->v[i];

		if (i == ds->sel)
			screen_fill_row(b, y, ROLE_SELECTION);
		screen_textf(b, y, 1, i == ds->sel ? ROLE_SELECTION :
		    d->nproblems ? ROLE_ERROR : ROLE_NORMAL, "%-24s %-17s %s",
		    d->id.s ? d->id.s : "?", drill_type_name(d->type),
		    d->title.s ? d->title.s : "");
	}
	if (ds->problem[0] != '\0' && y < b->h - 2)
		screen_text(b, y + 1, 1, ROLE_ERROR, ds->problem);
	dd_hint(b, "j k move  Enter start  Esc back");
}

static void
dd_mmss(char *buf, size_t len, int64_t ms)
{
	int64_t	s = ms < 0 ? 0 : ms / 1000;

	snprintf(buf, len, "%lld:%02lld", (long long)(s / 60),
	    (long long)(s % 60));
}

/* warn from 80% of the target, crit past it */
static enum role
dd_timer_role(int64_t ms, int64_t target_ms)
{
	if (ms > target_ms)
		return (ROLE_CRIT);
	if (ms * 5 >= target_ms * 4)
		return (ROLE_WARN);
	return (ROLE_OK);
}

static int
dd_top(struct drills *ds, const struct tui_box *b)
{
	const struct drill	*d = ds->cur;
	const struct drill_run	*r = ds->run;
	int			 x;

	x = screen_textf(b, 0, 1, ROLE_TITLE, "DR drill  %s", d->title.s);
	x += screen_textf(b, 0, 2 + x, ROLE_ACCENT, "  %s",
	    drill_type_title(d->type));
	screen_textf(b, 0, 3 + x, r->stage == DRILL_ENDED ? ROLE_MUTED :
	    ROLE_NORMAL, "  %s  %s  [%s]", d->id.s, r->incident,
	    drill_stage_name(r->stage));
	screen_textf(b, 1, 1, ROLE_MUTED, "%s", d->scenario.s);
	return (3);
}

static void
dd_rto(struct drills *ds, const struct tui_box *b, int y)
{
	const struct drill_run	*r = ds->run;
	int64_t			 rto = drill_run_rto(r), target;
	char			 t[32];
	int			 x;

	target = (int64_t)ds->cur->rto_min * 60000;
	x = screen_textf(b, y, 1, ROLE_NORMAL, "RTO  target %d min  ",
	    ds->cur->rto_min);
	if (rto < 0) {
		screen_text(b, y, 1 + x, ROLE_MUTED, r->injected_ms == 0 ?
		    "not started (i inject, D declare)" : "not measured: the "
		    "drill ended before healthy held again");
		return;
	}
	dd_mmss(t, sizeof t, rto);
	if (r->rto_ms >= 0)
		screen_textf(b, y, 1 + x, r->rto_ms <= target ? ROLE_OK :
		    ROLE_CRIT, "%s final  %s", t, r->rto_ms <= target ?
		    "PASS" : "FAIL");
	else
		screen_textf(b, y, 1 + x, dd_timer_role(rto, target), "%s "
		    "running  (%s; healthy when %s)", t, r->stage ==
		    DRILL_OUTAGE ? "outage seen" : "outage not seen yet",
		    ds->cur->healthy.s);
}

static void
dd_rpo(struct drills *ds, const struct tui_box *b, int y)
{
	const struct drill_rpo	*p = &ds->run->rpo;
	char			 bytes[32], secs[32];
	int			 x;

	x = screen_text(b, y, 1, ROLE_NORMAL, "RPO  ");
	if (ds->cur->rpo_at.runbook.s == NULL) {
		screen_text(b, y, 1 + x, ROLE_MUTED, "not measured by this "
		    "drill (no rpo_at)");
		return;
	}
	if (!p->measured) {
		screen_textf(b, y, 1 + x, ROLE_MUTED, "measured when %s "
		    "starts %s", ds->cur->rpo_at.runbook.s,
		    ds->cur->rpo_at.steps[0].s);
		return;
	}
	fmt_bytes(bytes, sizeof bytes, (uint64_t)(p->bytes < 0 ? 0 :
	    p->bytes));
	if (p->seconds >= 0)
		snprintf(secs, sizeof secs, "%.1f s", p->seconds);
	else
		snprintf(secs, sizeof secs, "- s");
	screen_textf(b, y, 1 + x, p->pass ? ROLE_OK : ROLE_CRIT, "%s, %s "
	    "at %s (promoting %s)  %s", p->bytes < 0 ? "-" : bytes, secs,
	    p->step, p->standby, p->pass ? "PASS" : "FAIL");
}

static void
dd_runs(struct drills *ds, const struct tui_box *b, int y)
{
	const struct drill_run	*r = ds->run;
	char			 t[32];

	if (r->injected_ms > 0) {
		fmt_clock_utc(t, sizeof t, r->injected_ms);
		screen_textf(b, y, 1, ROLE_NORMAL, "Failure  %s at %s UTC%s%s",
		    r->inject_how, t, r->inject_step[0] ? ", step " : "",
		    r->inject_step);
	} else
		screen_textf(b, y, 1, ROLE_MUTED, "Failure  not yet: i opens "
		    "%s, D declares an external one",
		    ds->cur->inject.runbook.s);
	if (r->resp_runs == 0)
		screen_textf(b, y + 1, 1, ROLE_MUTED, "Response  %s not "
		    "started (r opens it)", ds->cur->runbook.s);
	else
		screen_textf(b, y + 1, 1, r->resp_done ? ROLE_OK :
		    ROLE_NORMAL, "Response  %s: %s%s%s%s", ds->cur->runbook.s,
		    r->resp_done ? "done" : r->resp_step, r->resp_done ? "" :
		    " (", r->resp_done ? "" : r->resp_state, r->resp_done ?
		    "" : ")");
}

static void
dd_phase_row(struct drills *ds, const struct tui_box *b, int y, int i)
{
	const struct drill_phase	*p = &ds->cur->phases[i];
	const struct drill_phase_state	*ps = &ds->run->ph[i];
	int64_t				 target = (int64_t)p->target_min * 60000;
	int64_t				 el;
	char				 t[32];

	if (ps->done) {
		dd_mmss(t, sizeof t, ps->end_ms - ps->start_ms);
		screen_textf(b, y, 1, ps->pass ? ROLE_OK : ROLE_CRIT,
		    "%2d %-22.22s %4d min %7s  %s", i + 1, p->title.s,
		    p->target_min, t, ps->pass ? "PASS" : "FAIL");
	} else if (i == ds->run->phase && ds->run->stage != DRILL_PRE &&
	    ds->run->stage != DRILL_ENDED) {
		el = drill_run_phase_elapsed(ds->run);
		dd_mmss(t, sizeof t, el);
		screen_textf(b, y, 1, dd_timer_role(el, target),
		    "%2d %-22.22s %4d min %7s  running", i + 1, p->title.s,
		    p->target_min, t);
	} else
		screen_textf(b, y, 1, ROLE_MUTED, "%2d %-22.22s %4d min",
		    i + 1, p->title.s, p->target_min);
}

static void
dd_checklist(struct drills *ds, const struct tui_box *b, int y, int x)
{
	const struct rb_str	*items;
	const unsigned char	*st;
	int			 n, i, list = drills_list(ds, &items, &n);

	st = list < 0 ? ds->run->pre : ds->run->ph[list].checked;
	if (list < 0)
		screen_text(b, y, x, ROLE_COLHEAD, "Pre-drill checklist");
	else
		screen_textf(b, y, x, ROLE_COLHEAD, "Phase %d checklist: %s",
		    list + 1, ds->cur->phases[list].title.s);
	for (i = 0; i < n && y + 1 + i < b->h - 2; i++) {
		struct tui_box	row = *b;
		enum role	role = i == ds->cursor ? ROLE_SELECTION :
				    st[i] ? ROLE_OK : ROLE_NORMAL;

		row.x += x;
		row.w -= x;
		if (i == ds->cursor)
			screen_fill_row(&row, y + 1 + i, ROLE_SELECTION);
		screen_textf(&row, y + 1 + i, 0, role, "[%c] %s", st[i] ? 'x' :
		    ' ', items[i].s);
	}
}

void
drills_draw_board(struct drills *ds, const struct tui_box *b)
{
	int	y = dd_top(ds, b), i, side = b->w >= SIDE_MIN_W;

	dd_rto(ds, b, y++);
	dd_rpo(ds, b, y++);
	dd_runs(ds, b, y);
	y += 3;
	screen_hline(b, y - 1, ROLE_BORDER);
	screen_textf(b, y, 1, ROLE_COLHEAD, "%2s %-22s %8s %7s  %s", "#",
	    "Phase", "Target", "Actual", "Result");
	for (i = 0; i < ds->cur->nphases && y + 1 + i < b->h - 2; i++)
		dd_phase_row(ds, b, y + 1 + i, i);
	if (side)
		dd_checklist(ds, b, y, PHASES_W + 2);
	else if (y + 2 + ds->cur->nphases < b->h - 3)
		dd_checklist(ds, b, y + 2 + ds->cur->nphases, 1);
	if (ds->run->nobs > 0 && b->h > 12)
		screen_textf(b, b->h - 3, 1, ROLE_MUTED, "%d observation%s "
		    "recorded", ds->run->nobs, ds->run->nobs == 1 ? "" : "s");
	if (drills_active(ds) != NULL)
		dd_hint(b, "Space tick  i inject  D declare  p phase done  r "
		    "response  o observation  E end  Esc back");
	else {
		char	hint[160];

		snprintf(hint, sizeof hint, "the drill has ended: sitrep drill "
		    "report %s  Esc back", ds->run->incident);
		dd_hint(b, hint);
	}
}
