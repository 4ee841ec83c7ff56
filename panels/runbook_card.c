/* runbook_card.c: drawing a run.  On top the runbook (id, severity,
 * title), the incident and the target environment (PRODUCTION in its own
 * colour across the row); then the steps with their state marks beside
 * (or, when narrow, above) the card of the step in view: what exactly
 * will run, the preview, a wait's condition, value and time left, the
 * result and the output, scrollable; at the bottom the keys that apply.
 * Only reads the engine (never advances it): the draw path changes
 * nothing but the output's scroll bookkeeping. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "condition.h"
#include "runbook_view.h"
#include "text.h"
#include "util.h"
#include "xmalloc.h"

#define LIST_W		40	/* the step list beside the card */
#define SIDE_MIN_W	110	/* from this width the list goes beside */
#define TAB_W		4	/* tab stops in step output */

struct mark {
	const char	*utf8, *ascii;
	enum role	 role;
};

static const struct mark marks[] = {
	[STEP_PENDING] = { "\xc2\xb7", ".", ROLE_MUTED },		/* · */
	[STEP_SHOWN] = { "\xe2\x96\xb6", ">", ROLE_ACCENT },		/* ▶ */
	[STEP_RUNNING] = { "\xe2\x9f\xb3", "~", ROLE_WARN },		/* ⟳ */
	[STEP_OK] = { "\xe2\x9c\x93", "+", ROLE_OK },			/* ✓ */
	[STEP_FAILED] = { "\xe2\x9c\x97", "x", ROLE_CRIT },		/* ✗ */
	[STEP_SKIPPED] = { "\xe2\x86\xb7", "-", ROLE_MUTED },		/* ↷ */
	[STEP_CANCELLED] = { "\xe2\x8a\x98", "!", ROLE_WARN },		/* ⊘ */
};

const char *
runbook_card_mark(enum engine_step_state s, enum role *role)
{
	if ((unsigned)s >= sizeof marks / sizeof marks[0])
		s = STEP_PENDING;
	*role = marks[s].role;
	return (screen_utf8() ? marks[s].utf8 : marks[s].ascii);
}

/* Text wrapped at spaces into rows of b from row y (at most max rows);
 * returns the rows used. */
static int
card_wrap(const struct tui_box *b, int y, int x, enum role role,
    const char *text, int max)
{
	char		 line[512];
	const char	*w;
	size_t		 n, len;
	int		 rows = 0, width = b->w - x;

	while (*text != '\0' && rows < max && width > 8) {
		len = 0;
		line[0] = '\0';
		while (*(text += strspn(text, " ")) != '\0' && *text != '\n') {
			w = text;
			n = strcspn(w, " \n");
			if (len > 0 && (len + 1 + n >= sizeof line ||
			    text_width(line) + 1 + (int)n > width))
				break;
			len += (size_t)snprintf(line + len, sizeof line - len,
			    "%s%.*s", len ? " " : "", (int)n, w);
			if (len >= sizeof line)
				len = sizeof line - 1;
			text = w + n;
		}
		screen_text(b, y + rows++, x, role, line);
		if (*text == '\n')
			text++;
	}
	return (rows);
}

/* The top: runbook, incident, target, parameters. */
static void
card_head(struct run *r, const struct tui_box *b)
{
	const struct runbooks_opts	*o = &r->hub->o;
	const char			*inc = runbooks_incident(r->hub);
	char				 right[96], params[512];
	int				 x;

	screen_fill_row(b, 0, ROLE_HEADER);
	x = screen_textf(b, 0, 1, ROLE_HEADER, "RUNBOOK %s  %s", r->rb->id.s,
	    rb_severity_name(r->rb->severity));
	screen_text(b, 0, x + 3, ROLE_HEADER, r->rb->title.s);
	snprintf(right, sizeof right, " %srun %d  %s ", runbook_run_over(r) ?
	    "RUN COMPLETE  " : "", r->id, inc ? inc : "");
	screen_text_right(b, 0, b->w, ROLE_HEADER, right);
	if (o->production) {
		screen_fill_row(b, 1, ROLE_PRODUCTION);
		x = screen_textf(b, 1, 1, ROLE_PRODUCTION, "TARGET: PRODUCTION "
		    "(%s): actions change production", o->env);
	} else
		x = screen_textf(b, 1, 1, ROLE_NORMAL, "target: env %s",
		    o->env);
	if (o->read_only)
		x += 2 + screen_text(b, 1, x + 3, ROLE_WARN, " READ-ONLY ");
	if (o->dry_run)
		screen_text(b, 1, x + 3, ROLE_WARN, " DRY RUN ");
	runbook_run_params(r, params, sizeof params);
	x = screen_text(b, 2, 1, ROLE_MUTED, params);
	if (r->alert_name[0] != '\0')
		screen_textf(b, 2, x + 4, ROLE_MUTED, "from %s", r->alert_name);
	screen_hline(b, 3, ROLE_BORDER);
}

/* The steps' titles with the values set now, rendered again only after
 * the run changed (a new event), not on every draw. */
static void
card_titles(struct run *r)
{
	const struct engine_event	*ev;
	struct engine_render		 rd;
	struct error			 err;
	uint64_t			 seq;
	int				 i, n;

	ev = engine_events(r->e, &n);
	seq = n > 0 ? ev[n - 1].seq : 0;
	if (r->titles != NULL && seq == r->titles_seq)
		return;
	if (r->titles == NULL)
		r->titles = xcalloc(r->rb->nsteps, sizeof *r->titles);
	for (i = 0; i < r->rb->nsteps; i++) {
		free(r->titles[i]);
		if (engine_render(r->e, i, &rd, &err) == 0 && rd.title != NULL)
			r->titles[i] = xstrdup(rd.title);
		else
			r->titles[i] = xstrdup(r->rb->steps[i].id.s);
		engine_render_free(&rd);
	}
	r->titles_seq = seq;
}

/* The step list: one row per step, the one in view selected. */
static void
card_list(struct run *r, const struct tui_box *b)
{
	enum engine_step_state	 st;
	enum role		 role, mr;
	const char		*mark;
	int			 i, y, top = 0;

	card_titles(r);
	if (r->view >= b->h)
		top = r->view - b->h + 1;
	for (y = 0, i = top; y < b->h && i < r->rb->nsteps; y++, i++) {
		st = engine_step_state(r->e, i);
		mark = runbook_card_mark(st, &mr);
		if (r->unknown != NULL && r->unknown[i]) {
			mark = "?";
			mr = ROLE_WARN;
		}
		role = st == STEP_SKIPPED || st == STEP_PENDING ? ROLE_MUTED :
		    ROLE_NORMAL;
		if (i == r->view) {
			screen_fill_row(b, y, ROLE_SELECTION);
			role = mr = ROLE_SELECTION;
		}
		screen_text(b, y, 1, mr, mark);
		screen_textf(b, y, 3, role, "%2d %-7s %s", i + 1,
		    rb_step_kind_name(r->rb->steps[i].kind), r->titles[i]);
	}
}

/* "running 12s", "ok in 1.2s", ... for the step's state. */
static enum role
card_state(struct run *r, int i, char *buf, size_t len)
{
	const char	*why = engine_step_reason(r->e, i);
	char		 d[16];

	fmt_duration(d, sizeof d, engine_step_duration_ms(r->e, i) / 1000.0);
	switch (engine_step_state(r->e, i)) {
	case STEP_PENDING:
		snprintf(buf, len, "pending");
		return (ROLE_MUTED);
	case STEP_SHOWN:
		snprintf(buf, len, "%s", i == r->cur ? "waiting for you" :
		    "shown");
		return (ROLE_ACCENT);
	case STEP_RUNNING:
		snprintf(buf, len, "RUNNING %s", d);
		return (ROLE_WARN);
	case STEP_OK:
		if (r->rb->steps[i].kind == RB_STEP_MANUAL ||
		    r->rb->steps[i].kind == RB_STEP_CHOICE)
			snprintf(buf, len, "DONE");
		else
			snprintf(buf, len, "OK in %s", d);
		return (ROLE_OK);
	case STEP_FAILED:
		snprintf(buf, len, "FAILED after %s: %s", d, why ? why : "");
		return (ROLE_CRIT);
	case STEP_SKIPPED:
		snprintf(buf, len, "skipped: %s", why ? why : "");
		return (ROLE_MUTED);
	case STEP_CANCELLED:
		snprintf(buf, len, "CANCELLED after %s", d);
		return (ROLE_WARN);
	}
	buf[0] = '\0';
	return (ROLE_NORMAL);
}

/* A wait step: the condition, the value now and the time left. */
static int
card_wait(struct run *r, int i, const struct tui_box *b, int y)
{
	const struct rb_step	*s = &r->rb->steps[i];
	const char		*value, *name = cond_first_name(s->until_c);
	int64_t			 left;
	char			 l[16];

	screen_textf(b, y++, 0, ROLE_NORMAL, "until %s  (every %ds, at most "
	    "%ds)", s->until.s ? s->until.s : "?", s->interval_s, s->timeout_s);
	if (engine_wait_status(r->e, i, &value, &left) != 0)
		return (1);
	fmt_duration(l, sizeof l, left / 1000.0);
	screen_textf(b, y, 0, ROLE_WARN, "now %s = %s   %s left", name ? name :
	    "value", value, l);
	return (2);
}

/* What the step is and does: the rendered lines and what applies. */
static int
card_what(struct run *r, int i, const struct engine_render *rd,
    const struct tui_box *b, int y)
{
	const struct rb_step	*s = &r->rb->steps[i];
	char			 line[256];
	int			 k, y0 = y;

	if (rd->description != NULL)
		y += card_wrap(b, y, 0, ROLE_NORMAL, rd->description, 4);
	if (s->when.s != NULL)
		screen_textf(b, y++, 0, ROLE_MUTED, "when %s", s->when.s);
	if (rd->nlines > 0)
		screen_text(b, y++, 0, ROLE_MUTED, s->kind == RB_STEP_ACTION ||
		    s->kind == RB_STEP_NOTIFY ? "This will run:" : "Runs:");
	for (k = 0; k < rd->nlines; k++)
		screen_text(b, y++, 2, ROLE_ACCENT, rd->lines[k]);
	if (!rd->complete)
		screen_text(b, y++, 2, ROLE_WARN, "some values are not set yet: "
		    "they read {{name}} until an earlier step sets them");
	if (s->danger_high)
		screen_textf(b, y++, 0, ROLE_CRIT, "danger: high.  y asks you to "
		    "type %s.", rd->target ? rd->target : "the target");
	if (s->two_person && runbook_approval_line(r, i, line, sizeof line))
		screen_text(b, y++, 0, ROLE_WARN, line);
	else if (s->two_person)
		screen_text(b, y++, 0, ROLE_WARN, "approval: two-person (y asks "
		    "another person to approve, on their console)");
	if (s->kind == RB_STEP_WAIT)
		y += card_wait(r, i, b, y);
	if (rd->instructions != NULL)
		y += card_wrap(b, y, 0, ROLE_NORMAL, rd->instructions, 6);
	for (k = 0; k < rd->noptions && k < 9; k++)
		screen_textf(b, y++, 2, ROLE_ACCENT, "%d  %s", k + 1,
		    rd->options[k]);
	return (y - y0);
}

/* n bytes of s into buf with tabs expanded (stops every TAB_W). */
static void
card_untab(const char *s, size_t n, char *buf, size_t len)
{
	size_t	i, o = 0;

	for (i = 0; i < n && o + 1 < len; i++) {
		if (s[i] != '\t') {
			buf[o++] = s[i];
			continue;
		}
		do
			buf[o++] = ' ';
		while (o % TAB_W != 0 && o + 1 < len);
	}
	buf[o] = '\0';
}

/* The output to show with the card: the step's own, else (the step
 * waits for the operator) that of the step last run, which just moved
 * the cursor here.  -1 when there is none. */
static int
card_output_step(struct run *r)
{
	size_t	len;

	if (engine_step_output(r->e, r->view, &len) != NULL && len > 0)
		return (r->view);
	if (r->view == r->cur && r->last >= 0 && r->last != r->view &&
	    engine_step_output(r->e, r->last, &len) != NULL && len > 0)
		return (r->last);
	return (-1);
}

/* Output lines, scrolled (r->out_top, -1 = the tail), framed. */
static void
card_output(struct run *r, const struct tui_box *b)
{
	struct tui_box	 in = { b->y + 1, b->x + 1, b->h - 2, b->w - 2, 0 };
	const char	*out, *p;
	char		 pos[48], title[64], line[1024];
	size_t		 len, n;
	int		 i, nl = 0, k, top;

	if (b->h < 3 || (i = card_output_step(r)) < 0)
		return;
	out = engine_step_output(r->e, i, &len);
	for (p = out; p < out + len; p++)
		nl += *p == '\n';
	nl += out[len - 1] != '\n';
	top = r->out_top >= 0 ? r->out_top : nl - in.h;
	if (top > nl - in.h)
		top = nl - in.h;
	if (top < 0)
		top = 0;
	if (r->out_top >= 0 && top + in.h >= nl)
		r->out_top = -1;	/* at the end: follow it again */
	r->out_first = top;
	r->out_h = in.h;
	snprintf(pos, sizeof pos, "%d-%d/%d%s", top + 1, top + in.h < nl ?
	    top + in.h : nl, nl, r->out_top < 0 ? " tail" : "");
	if (i == r->view)
		snprintf(title, sizeof title, "Output");
	else
		snprintf(title, sizeof title, "Output of step %d (%s)", i + 1,
		    engine_state_name(engine_step_state(r->e, i)));
	screen_frame(b, ROLE_BORDER, title, pos);
	for (p = out, k = 0; p < out + len && k < top + in.h; k++) {
		n = strcspn(p, "\n");
		if (k >= top) {
			card_untab(p, n, line, sizeof line);
			screen_text(&in, k - top, 0, ROLE_NORMAL, line);
		}
		p += n + (p[n] == '\n');
	}
}

/* The card of the step in view. */
static void
card_step(struct run *r, const struct tui_box *b)
{
	const struct rb_step	*s = &r->rb->steps[r->view];
	struct engine_render	 rd;
	struct error		 err;
	struct tui_box		 ob;
	char			 state[320];
	enum role		 role;
	const char		*why;
	int			 y = 0;

	role = card_state(r, r->view, state, sizeof state);
	screen_textf(b, y, 0, ROLE_TITLE, "Step %d of %d  %s  %s", r->view + 1,
	    r->rb->nsteps, rb_step_kind_name(s->kind), s->id.s);
	screen_text_right(b, y++, b->w, role, state);
	if (engine_render(r->e, r->view, &rd, &err) != 0) {
		screen_text(b, y, 0, ROLE_ERROR, err.msg);
		return;
	}
	y += card_wrap(b, y, 0, ROLE_TITLE, rd.title ? rd.title : s->id.s, 2);
	y += card_what(r, r->view, &rd, b, y);
	engine_render_free(&rd);
	why = engine_step_reason(r->e, r->view);
	if (why != NULL && strncmp(why, "preview:", 8) == 0)
		y += card_wrap(b, y, 0, ROLE_ACCENT, why, 2);
	else if (why != NULL && engine_step_state(r->e, r->view) ==
	    STEP_OK)
		y += card_wrap(b, y, 0, ROLE_WARN, why, 2);
	if (r->unknown != NULL && r->unknown[r->view])
		y += card_wrap(b, y, 0, ROLE_WARN, RB_UNKNOWN_NOTE ": it was "
		    "started in the earlier run and has no finish record", 2);
	ob = (struct tui_box){ b->y + y, b->x, b->h - y, b->w, 0 };
	card_output(r, &ob);
}

/* The keys that apply to the step in view, and the last message. */
static void
card_keys(struct run *r, const struct tui_box *b, int y)
{
	const struct rb_step	*s = &r->rb->steps[r->view];
	const char		*k;

	if (r->msg[0] != '\0')
		screen_text(b, y - 1, 1, r->msg_error ? ROLE_ERROR : ROLE_ACCENT,
		    r->msg);
	if (runbook_run_over(r))
		k = "run complete: [ ] review the steps  n note  Esc back";
	else if (engine_step_state(r->e, r->view) == STEP_RUNNING)
		k = "C-c cancel  j/k scroll the output  Esc back (it keeps "
		    "running)";
	else if (r->view != r->cur)
		k = ". back to the current step  [ ] steps  Enter re-runs a "
		    "check  Esc back";
	else if (s->kind == RB_STEP_ACTION || s->kind == RB_STEP_NOTIFY)
		k = s->danger_high ? "y confirm (type the target) and run  d "
		    "preview  s skip  n note  Esc back" : "y confirm and run  d "
		    "preview  s skip  n note  Esc back (never confirms)";
	else if (s->kind == RB_STEP_MANUAL)
		k = "y done  s skip (with a reason)  n note  Esc back";
	else if (s->kind == RB_STEP_CHOICE)
		k = "1-9 choose  s skip  n note  Esc back";
	else
		k = s->kind == RB_STEP_WAIT ? "Enter start waiting  s skip  n "
		    "note  Esc back" : "Enter run the check  s skip  n note  "
		    "Esc back";
	screen_fill_row(b, y, ROLE_STATUS);
	screen_text(b, y, 1, ROLE_STATUS, k);
}

void
runbook_card_draw(struct run *r, const struct tui_box *b)
{
	struct tui_box	list, card;
	int		body = b->h - 6, lh;

	screen_erase(b);
	card_head(r, b);
	if (r->e == NULL || r->rb->nsteps == 0) {
		screen_text(b, 5, 2, ROLE_MUTED, r->e == NULL ? "The "
		    "parameters come first (Enter opens the form again)." :
		    "This runbook has no steps.");
		return;
	}
	if (b->w >= SIDE_MIN_W) {
		list = (struct tui_box){ b->y + 4, b->x, body, LIST_W, 0 };
		card = (struct tui_box){ b->y + 4, b->x + LIST_W + 2, body,
		    b->w - LIST_W - 3, 0 };
	} else {
		lh = body / 4 > 3 ? body / 4 : 3;
		lh = r->rb->nsteps < lh ? r->rb->nsteps : lh;
		list = (struct tui_box){ b->y + 4, b->x, lh, b->w, 0 };
		card = (struct tui_box){ b->y + 5 + lh, b->x + 1, body - lh - 1,
		    b->w - 2, 0 };
		screen_hline(b, 4 + lh, ROLE_BORDER);
	}
	card_list(r, &list);
	card_step(r, &card);
	card_keys(r, b, b->h - 1);
}
