/* console_draw.c: the console's layout and drawing: header, status bar,
 * the too-small notice, the panels or a runbook view, and the help, pager
 * and dialog overlays. */
#include <stdio.h>
#include <string.h>

#include "console_int.h"
#include "drills.h"
#include "follow.h"
#include "runbooks.h"
#include "screen.h"
#include "util.h"
#include "warroom.h"

/* Drawing ---------------------------------------------------------------- */

/* Alerts share the top row with pods in the grid. */
static int
console_alerts_index(const struct console *c)
{
	int	i;

	for (i = 0; i < c->npanels; i++)
		if (c->panels[i]->cls->kind == SNAP_ALERTS)
			return (i);
	return (-1);
}

void
console_layout(struct console *c)
{
	screen_size(&c->rows, &c->cols);
	layout_compute(&c->layout, c->rows, c->cols, c->npanels, c->focus,
	    c->zoom, console_alerts_index(c));
	c->all_dirty = 1;
}

static struct tui_box
box_of(const struct layout_rect *r)
{
	struct tui_box	b = { r->y, r->x, r->h, r->w, 0 };

	return (b);
}

/* "driving: alice@bastion-1; watching: bob, carol" for the incident of
 * the war room; "war room: <error>" when Redis fails. */
static void
console_room_text(struct console *c, char *buf, size_t len)
{
	struct wr_view	v;
	char		who[256];
	int		i, n = 0;

	buf[0] = '\0';
	if (c->hooks.wr == NULL)
		return;
	warroom_view(c->hooks.wr, &v);
	if (!v.connected) {
		snprintf(buf, len, "war room: %s", v.error[0] ? v.error :
		    "connecting");
		return;
	}
	if (v.incident[0] == '\0')
		return;
	snprintf(buf, len, "driving: %s", v.driver_name[0] ?
	    v.driver_name : "nobody");
	for (i = 0; i < v.npeople; i++) {
		if (v.people[i].driver || v.people[i].role != WR_WATCHING)
			continue;
		if (strcmp(v.people[i].who.session,
		    c->hooks.self != NULL ? c->hooks.self->session : "") == 0)
			strlcpy_(who, "you", sizeof who);
		else
			wr_identity_name(&v.people[i].who, who, sizeof who);
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
		    n++ ? ", " : "; watching: ", who);
	}
}

static void
console_draw_header(struct console *c, int64_t now)
{
	struct tui_box	 b = box_of(&c->layout.header);
	enum role	 bar = c->opts.production ? ROLE_PRODUCTION :
			     ROLE_HEADER;
	char		 clock[16], ctx[96], room[512];
	const char	*context = c->opts.context;
	const char	*inc = runbooks_incident(c->runbooks);
	struct panel	*pods = NULL;
	int		 i, x;

	for (i = 0; i < c->npanels; i++)
		if (c->panels[i]->cls->kind == SNAP_PODS)
			pods = c->panels[i];
	if (context == NULL && pods != NULL && pods->snap != NULL)
		context = pods->snap->u.pods.context;
	screen_fill_row(&b, 0, bar);
	x = screen_text(&b, 0, 1, bar, "sitrep");
	x += 1 + screen_textf(&b, 0, x + 3, c->opts.production ?
	    ROLE_PRODUCTION : ROLE_HEADER, "%s%s",
	    c->opts.production ? "PRODUCTION " : "env ", c->opts.env);
	b.w -= 15;		/* the clock's; what does not fit is cut */
	if (inc != NULL)
		x += 3 + screen_text(&b, 0, x + 3, bar, inc);
	if (c->opts.read_only)
		x += 3 + screen_text(&b, 0, x + 3, ROLE_WARN, " READ-ONLY ");
	if (c->opts.dry_run)
		x += 3 + screen_text(&b, 0, x + 3, ROLE_WARN, " DRY RUN ");
	console_room_text(c, room, sizeof room);
	if (room[0] != '\0')
		x += 3 + screen_text(&b, 0, x + 3, strncmp(room, "war room:",
		    9) == 0 ? ROLE_WARN : bar, room);
	snprintf(ctx, sizeof ctx, "ctx %s", context ? context : "-");
	screen_text(&b, 0, x + 3, bar, ctx);
	b.w += 15;
	fmt_clock_utc(clock, sizeof clock, now);
	screen_textf(&b, 0, b.w - 14, bar, "%s UTC", clock);
}

static void
console_draw_status(struct console *c)
{
	struct tui_box	 b = box_of(&c->layout.status);
	char		 demo[96], banner[160];
	int		 dw = 0, rank;

	screen_fill_row(&b, 0, ROLE_STATUS);
	if (c->opts.demo != NULL) {
		if (c->opts.demo_speed != 1)
			snprintf(demo, sizeof demo, " DEMO %s x%g ",
			    c->opts.demo, c->opts.demo_speed);
		else
			snprintf(demo, sizeof demo, " DEMO %s ", c->opts.demo);
		dw = screen_text_right(&b, 0, b.w, ROLE_DEMO, demo);
	}
	b.w -= dw + 1;
	if (c->mode == MODE_COMMAND || c->mode == MODE_FILTER) {
		prompt_draw(&c->prompt, &b, 0);
		return;
	}
	if (c->msg[0] != '\0' && mono_ms() < c->msg_until) {
		screen_text(&b, 0, 1, c->msg_error ? ROLE_ERROR : ROLE_ACCENT,
		    c->msg);
		return;
	}
	c->msg[0] = '\0';
	if ((rank = runbooks_banner(c->runbooks, banner, sizeof banner)) > 0) {
		screen_text(&b, 0, 1, panel_rank_role(rank), banner);
		return;
	}
	if (console_view(c) != VIEW_PANELS)
		screen_text(&b, 0, 1, ROLE_STATUS, "Esc back to the panels  "
		    ": command  ? help");
	else
		screen_text(&b, 0, 1, ROLE_STATUS, "q quit  Tab focus  z zoom  "
		    "/ filter  s sort  : command  ? help");
}

static void
console_draw_small(struct console *c)
{
	struct tui_box	b = { 0, 0, c->rows, c->cols, 0 };
	char		msg[96];

	screen_erase(&b);
	snprintf(msg, sizeof msg, "terminal too small: %dx%d, need %dx%d",
	    c->cols, c->rows, LAYOUT_MIN_COLS, LAYOUT_MIN_ROWS);
	screen_text(&b, c->rows / 2, 0, ROLE_WARN, msg);
	screen_text(&b, c->rows / 2 + 1, 0, ROLE_MUTED, "q quits");
}

static void
console_draw_help(struct console *c)
{
	int		w = c->cols > 100 ? 96 : c->cols - 4;
	struct tui_box	b = { 2, (c->cols - w) / 2, c->rows - 4, w, 0 };

	pager_draw(c->help, &b);
}

/* A runbook view in place of the panels, between header and status. */
static void
console_draw_view(struct console *c)
{
	int		y = c->layout.header.y + c->layout.header.h;
	struct tui_box	b = { y, 0, c->layout.status.y - y, c->cols, 0 };

	switch (console_view(c)) {
	case VIEW_RUNBOOK:
		runbooks_draw(c->runbooks, &b);
		break;
	case VIEW_DRILL:
		drills_draw(c->drills, &b);
		break;
	case VIEW_FOLLOW:
		follow_draw(c->follow, &b);
		break;
	case VIEW_PANELS:
		break;
	}
}

void
console_draw(void *arg)
{
	struct console	*c = arg;
	int64_t		 now = now_ms();
	int		 i, showing = console_view(c);

	if (c->layout.mode == LAYOUT_TOO_SMALL) {
		console_draw_small(c);
		screen_flush();
		return;
	}
	if (showing != c->showing) {
		c->showing = showing;
		c->all_dirty = 1;
	}
	if (c->all_dirty) {
		struct tui_box	all = { 0, 0, c->rows, c->cols, 0 };
		screen_erase(&all);
	}
	console_draw_header(c, now);
	if (showing)
		console_draw_view(c);
	for (i = 0; i < c->npanels && !showing; i++) {
		const struct layout_rect	*r = &c->layout.panels[i];
		struct tui_box			 b = box_of(r);

		if (!r->visible || (!c->all_dirty && !c->panels[i]->dirty))
			continue;
		panel_draw(c->panels[i], &b, i + 1, i == c->focus, r->strip,
		    now);
	}
	if (c->mode == MODE_HELP)
		console_draw_help(c);
	if (c->mode == MODE_PAGER) {
		struct tui_box	b = { 1, 0, c->rows - 2, c->cols, 0 };

		pager_draw(c->detail, &b);
	}
	if (c->mode == MODE_DIALOG)
		dialog_draw(c->dialog, c->rows, c->cols);
	if (c->mode != MODE_COMMAND && c->mode != MODE_FILTER &&
	    c->mode != MODE_DIALOG)
		screen_cursor(-1, -1);
	console_draw_status(c);
	c->all_dirty = 0;
	screen_flush();
}
