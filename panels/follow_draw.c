/* follow_draw.c: drawing the follow view.  On top who drives and who
 * watches (or why there is no war room) and the age of the last record;
 * the approval requests waiting, as banners, and "you have the wheel";
 * the runs of the incident with every step's state, who and when (the
 * current step highlighted); the timeline of the records, newest at the
 * bottom; the keys.  Reads the view's state only; never runs anything. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "follow_int.h"
#include "text.h"
#include "util.h"
#include "xmalloc.h"

#define MIN_ROWS	8
#define MIN_COLS	30
#define BANNERS_MAX	2	/* request banners drawn; the rest counted */

/* A line of the runs' part. */
struct fline {
	enum role	 role, mark_role;
	const char	*mark;		/* NULL: none */
	int		 fill;		/* the current step */
	char		 text[512];
};

struct flines {
	struct fline	*v;
	int		 n, cap;
	int		 current;	/* the line to keep in sight, -1 */
};

struct smark {
	const char	*state, *utf8, *ascii;
	enum role	 role;
};

static const struct smark smarks[] = {
	{ "shown", "\xe2\x96\xb6", ">", ROLE_ACCENT },		/* ▶ */
	{ "confirmed", "\xe2\x96\xb6", ">", ROLE_ACCENT },
	{ "started", "\xe2\x9f\xb3", "~", ROLE_WARN },		/* ⟳ */
	{ "ok", "\xe2\x9c\x93", "+", ROLE_OK },			/* ✓ */
	{ "failed", "\xe2\x9c\x97", "x", ROLE_CRIT },		/* ✗ */
	{ "skipped", "\xe2\x86\xb7", "-", ROLE_MUTED },		/* ↷ */
	{ "cancelled", "\xe2\x8a\x98", "!", ROLE_WARN },	/* ⊘ */
	{ "refused", "\xe2\x8a\x98", "!", ROLE_CRIT },
};

static const char *
sep(void)
{
	return (screen_utf8() ? " \xc2\xb7 " : " - ");		/* · */
}

static const char *
dash(void)
{
	return (screen_utf8() ? " \xe2\x80\x94 " : " -- ");	/* — */
}

static const char *
state_mark(const char *state, enum role *role)
{
	size_t	i;

	for (i = 0; state != NULL && i < sizeof smarks / sizeof smarks[0];
	    i++) {
		if (strcmp(state, smarks[i].state) == 0) {
			*role = smarks[i].role;
			return (screen_utf8() ? smarks[i].utf8 :
			    smarks[i].ascii);
		}
	}
	*role = ROLE_MUTED;
	return (screen_utf8() ? "\xc2\xb7" : ".");
}

static struct fline *
fl_add(struct flines *fl, enum role role, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static struct fline *
fl_add(struct flines *fl, enum role role, const char *fmt, ...)
{
	struct fline	*l;
	va_list		 ap;

	if (fl->n == fl->cap) {
		fl->cap = fl->cap ? fl->cap * 2 : 32;
		fl->v = xreallocarray(fl->v, fl->cap, sizeof *fl->v);
	}
	l = &fl->v[fl->n++];
	memset(l, 0, sizeof *l);
	l->role = l->mark_role = role;
	va_start(ap, fmt);
	vsnprintf(l->text, sizeof l->text, fmt, ap);
	va_end(ap);
	return (l);
}

/* "03:12:45" of a record's time, into buf. */
static const char *
hms(const char *t, char *buf, size_t len)
{
	snprintf(buf, len, "%.8s", t != NULL && strlen(t) >= 19 ? t + 11 :
	    "");
	return (buf);
}

int
follow_live(const struct follow *f, const struct audit_run *r)
{
	return (r->open && f->o.wr != NULL && f->have_view &&
	    f->view.connected && f->view.driver[0] != '\0');
}

/* The step the run is at: the one with the latest record. */
static int
run_current(const struct audit_run *r)
{
	uint64_t	seq = 0;
	int		i, cur = -1;

	for (i = 0; r->open && i < r->nsteps; i++)
		if (r->steps[i].seq >= seq) {
			seq = r->steps[i].seq;
			cur = i;
		}
	return (cur);
}

static void
run_step_line(struct flines *fl, const struct follow *f,
    const struct audit_run *r, int i, int cur)
{
	const struct audit_step	*s = &r->steps[i];
	struct fline		*l;
	const char		*state = s->state ? s->state : "pending";
	char			 what[96], at[16];
	enum role		 mr;
	const char		*mark = state_mark(s->state, &mr);

	if (s->unknown && !follow_live(f, r)) {
		mark = "?";
		mr = ROLE_WARN;
		snprintf(what, sizeof what, "outcome unknown");
	} else if (s->unknown)
		snprintf(what, sizeof what, "running");
	else
		snprintf(what, sizeof what, "%s", state);
	l = fl_add(fl, strcmp(state, "skipped") == 0 ? ROLE_MUTED :
	    ROLE_NORMAL, "%2d %-14.14s %-15s %-16.16s %s %s", s->index + 1,
	    s->id ? s->id : "?", what, s->actor ? s->actor : "", hms(s->time,
	    at, sizeof at), s->title ? s->title : "");
	l->mark = mark;
	l->mark_role = mr;
	if (s->unknown && !follow_live(f, r))
		l->role = ROLE_WARN;
	if (i == cur) {
		l->fill = 1;
		fl->current = fl->n - 1;
	}
}

static void
run_lines(struct flines *fl, const struct follow *f,
    const struct audit_run *r)
{
	char	params[400], at[16];
	size_t	off = 0;
	int	i, cur = run_current(r);

	fl_add(fl, ROLE_TITLE, "RUNBOOK %s%sbegun by %s at %s%s%s",
	    r->runbook_id, sep(), r->actor ? r->actor : "?", hms(r->started,
	    at, sizeof at), sep(), r->open ? "in progress" :
	    "finished (run_end)");
	params[0] = '\0';
	for (i = 0; i < r->nparams && off < sizeof params; i++)
		off += (size_t)snprintf(params + off, sizeof params - off,
		    "%s%s=%s", i ? " " : "", r->params[i].name,
		    r->params[i].value ? r->params[i].value : "");
	fl_add(fl, ROLE_MUTED, "  %s", r->nparams ? params :
	    "(no parameters)");
	for (i = 0; i < r->nsteps; i++)
		run_step_line(fl, f, r, i, cur);
	if (r->nunknown > 0 && !follow_live(f, r))
		fl_add(fl, ROLE_WARN, "  %d step%s started without a finish "
		    "record: outcome unknown, check before running again",
		    r->nunknown, r->nunknown == 1 ? "" : "s");
}

/* Every run, the open ones first. */
static void
runs_lines(struct flines *fl, struct follow *f)
{
	int	i, pass;

	follow_runs(f);
	fl->current = -1;
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < f->nruns; i++) {
			if (f->runs[i].open != (pass == 0))
				continue;
			if (fl->n > 0)
				fl_add(fl, ROLE_NORMAL, "%s", "");
			run_lines(fl, f, &f->runs[i]);
		}
	}
	if (f->nruns == 0)
		fl_add(fl, ROLE_MUTED, "No runbook has run in %s yet%s.",
		    f->inc, f->o.wr == NULL ? " (no war room: nothing arrives "
		    "but what is fed)" : "");
}

/* The top ---------------------------------------------------------------- */

static void
head_people(const struct follow *f, char *buf, size_t len)
{
	const struct wr_view	*v = &f->view;
	const struct wr_presence *p;
	size_t			 off;
	int			 i, n = 0;

	if (v->driver[0] == '\0')
		off = (size_t)snprintf(buf, len, "driving: nobody");
	else if (f->o.self != NULL && strcmp(v->driver,
	    f->o.self->session) == 0)
		off = (size_t)snprintf(buf, len, "driving: you");
	else
		off = (size_t)snprintf(buf, len, "driving: %s", v->driver_name);
	for (i = 0; i < v->npeople && off < len; i++) {
		p = &v->people[i];
		if (p->driver || p->role != WR_WATCHING)
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    n++ ? ", " : "; watching: ", f->o.self != NULL &&
		    strcmp(p->who.session, f->o.self->session) == 0 ? "you" :
		    p->who.user);
	}
}

static void
draw_head(struct follow *f, const struct tui_box *b)
{
	char		who[600], age[16], right[48];
	enum role	role = ROLE_HEADER;
	int		x;

	if (f->o.wr == NULL)
		snprintf(who, sizeof who, "(no war room)");
	else if (!f->have_view)
		snprintf(who, sizeof who, "joining the war room ...");
	else if (!f->view.connected) {
		snprintf(who, sizeof who, "Redis: %s%sreconnecting",
		    f->view.error[0] ? f->view.error : "not connected", dash());
		role = ROLE_ERROR;
	} else
		head_people(f, who, sizeof who);
	if (f->last_ms > 0) {
		fmt_age(age, sizeof age, (now_ms() - f->last_ms) / 1000);
		snprintf(right, sizeof right, " last record %s ago ", age);
	} else
		snprintf(right, sizeof right, " no records yet ");
	screen_fill_row(b, 0, ROLE_HEADER);
	x = 1 + screen_textf(b, 0, 1, ROLE_HEADER, "Following %s%s", f->inc,
	    sep());
	x += screen_text(b, 0, x, role, who);
	if (x + text_width(right) < b->w)
		screen_text_right(b, 0, b->w, ROLE_HEADER, right);
}

void
follow_banner(const struct follow *f, int i, char *buf, size_t len)
{
	const struct wr_request	*q = &f->reqs[i];
	int64_t			 left = (q->expires_ms - now_ms()) / 1000;
	char			 who[192], exp[32];

	wr_identity_name(&q->requester, who, sizeof who);
	if (q->expires_ms == 0)
		exp[0] = '\0';
	else if (left <= 0)
		snprintf(exp, sizeof exp, " (expired)");
	else
		snprintf(exp, sizeof exp, " (expires in %d:%02d)",
		    (int)(left / 60), (int)(left % 60));
	snprintf(buf, len, "APPROVAL %s from %s: %s%s%s%s%sa: review, x: "
	    "reject", q->code, who, q->step_id, dash(), q->title[0] ?
	    q->title : q->step_id, exp, sep());
}

/* The banners under the header; returns the rows used. */
static int
draw_banners(struct follow *f, const struct tui_box *b, int y)
{
	char	buf[640];
	int	i, y0 = y;

	for (i = 0; i < f->nreqs && i < BANNERS_MAX; i++, y++) {
		follow_banner(f, i, buf, sizeof buf);
		screen_fill_row(b, y, ROLE_SELECTION);
		screen_text(b, y, 1, ROLE_SELECTION, buf);
	}
	if (f->nreqs > BANNERS_MAX)
		screen_textf(b, y++, 1, ROLE_WARN, "and %d more approval "
		    "request%s (answered in order)", f->nreqs - BANNERS_MAX,
		    f->nreqs - BANNERS_MAX == 1 ? "" : "s");
	if (f->wheel) {
		screen_fill_row(b, y, ROLE_ACCENT);
		screen_textf(b, y++, 1, ROLE_ACCENT, "You have the wheel of "
		    "%s: T takes over the run", f->inc);
	}
	return (y - y0);
}

/* The middle ------------------------------------------------------------- */

static void
draw_runs(const struct flines *fl, const struct tui_box *b)
{
	const struct fline	*l;
	int			 i, top = 0;

	if (fl->current >= b->h)
		top = fl->current - b->h + 2 < fl->n - b->h ? fl->current -
		    b->h + 2 : fl->n - b->h;
	for (i = 0; i < b->h && top + i < fl->n; i++) {
		l = &fl->v[top + i];
		if (l->fill)
			screen_fill_row(b, i, ROLE_SELECTION);
		if (l->mark != NULL)
			screen_text(b, i, 1, l->fill ? ROLE_SELECTION :
			    l->mark_role, l->mark);
		screen_text(b, i, l->mark != NULL ? 3 : 1, l->fill ?
		    ROLE_SELECTION : l->role, l->text);
	}
}

/* A timeline line as drawn: without the incident (it is the view's) and,
 * when narrow, without the date. */
static const char *
timeline_text(const struct follow *f, const char *line, int w, char *buf,
    size_t len)
{
	const char	*inc = strstr(line, f->inc);
	size_t		 skip = 0;

	if (w < 120 && strlen(line) > 11 && line[4] == '-' && line[10] == ' ')
		skip = 11;
	if (inc == NULL || f->inc[0] == '\0' || inc[strlen(f->inc)] != ' ' ||
	    inc < line + skip)
		snprintf(buf, len, "%s", line + skip);
	else
		snprintf(buf, len, "%.*s%s", (int)(inc - line - skip), line +
		    skip, inc + strlen(f->inc) + 1);
	return (buf);
}

static void
draw_timeline(struct follow *f, const struct tui_box *b)
{
	struct tui_box	in = { b->y + 1, b->x + 1, b->h - 2, b->w - 2, 0 };
	char		pos[48], line[1024];
	int		i, top;

	if (b->h < 3)
		return;
	f->page = in.h;
	top = f->top >= 0 ? f->top : f->nlines - in.h;
	if (top > f->nlines - in.h)
		top = f->nlines - in.h;
	if (top < 0)
		top = 0;
	snprintf(pos, sizeof pos, "%d-%d/%d%s", f->nlines ? top + 1 : 0,
	    top + in.h < f->nlines ? top + in.h : f->nlines, f->nlines,
	    f->top < 0 ? " tail" : "");
	screen_frame(b, ROLE_BORDER, "Timeline", pos);
	for (i = 0; i < in.h && top + i < f->nlines; i++)
		screen_text(&in, i, 0, top + i == f->nlines - 1 ?
		    ROLE_ACCENT : ROLE_NORMAL, timeline_text(f, f->lines[top +
		    i], in.w, line, sizeof line));
	if (f->nlines == 0)
		screen_text(&in, 0, 0, ROLE_MUTED, "no record of the incident "
		    "has arrived yet");
}

static void
draw_keys(struct follow *f, const struct tui_box *b, int y)
{
	char	k[256];

	snprintf(k, sizeof k, "j/k PgUp/PgDn g/G timeline%s%s  Esc back "
	    "(still following)", f->nreqs > 0 ? "  a review  x reject" : "",
	    f->wheel ? "  T take over" : "");
	screen_fill_row(b, y, ROLE_STATUS);
	screen_text(b, y, 1, ROLE_STATUS, k);
}

void
follow_draw(struct follow *f, const struct tui_box *b)
{
	struct flines	fl = { NULL, 0, 0, -1 };
	struct tui_box	runs, tl;
	int		y, avail, rh;

	screen_erase(b);
	if (b->h < 1 || b->w < 1)
		return;
	draw_head(f, b);
	if (b->h < MIN_ROWS || b->w < MIN_COLS) {
		screen_textf(b, b->h > 1 ? 1 : 0, 0, ROLE_WARN, "too small for "
		    "the follow view: %dx%d, need %dx%d", b->w, b->h, MIN_COLS,
		    MIN_ROWS);
		return;
	}
	y = 1 + draw_banners(f, b, 1);
	/* The runs take what they need, at most half; the timeline the
	 * rest (at least its frame and a line). */
	runs_lines(&fl, f);
	avail = b->h - y - 1;
	rh = fl.n < avail / 2 ? fl.n : avail / 2;
	if (rh < 3)
		rh = 3;
	if (avail - rh < 3)
		rh = avail - 3 > 1 ? avail - 3 : 1;
	runs = (struct tui_box){ b->y + y, b->x, rh, b->w, 0 };
	tl = (struct tui_box){ b->y + y + rh, b->x, avail - rh, b->w, 0 };
	draw_runs(&fl, &runs);
	free(fl.v);
	draw_timeline(f, &tl);
	draw_keys(f, b, b->h - 1);
}
