/* runbook_picker.c: the list :runbook opens.  The open runs first, then
 * every runbook of the library (id, severity, title, the alerts that
 * suggest it), then those that cannot run, with the reason: a runbook
 * that fails lint is listed as broken and never run; while the library
 * is being read, one row says so.  / searches id, title and alerts (the
 * table's filter); Enter opens. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runbook_view.h"
#include "util.h"
#include "xmalloc.h"

enum { P_ID, P_SEV, P_TITLE, P_ALERTS, P_STATE, P__COUNT };

static const struct table_col picker_cols[P__COUNT] = {
	{ "ID", 18, 1, 0, 0 },
	{ "SEV", 3, 0, 0, 0 },
	{ "TITLE", 20, 3, 0, 0 },
	{ "ALERTS", 14, 2, 0, 1 },
	{ "STATE", 8, 0, 0, 2 },
};

struct table *
runbook_picker_new(void)
{
	return (table_new(picker_cols, P__COUNT));
}

static void
picker_alerts(const struct runbook *rb, char *buf, size_t len)
{
	size_t	off = 0;
	int	i;

	buf[0] = '\0';
	for (i = 0; i < rb->nalerts && off + 1 < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? ", " :
		    "", rb->alerts[i].s);
}

static void
picker_run(struct table *t, const struct run *r)
{
	char	key[32], what[512], params[256], alerts[256];

	snprintf(key, sizeof key, "run:%d", r->id);
	table_row(t, key, 1);
	runbook_run_params(r, params, sizeof params);
	if (r->cur >= 0)
		snprintf(what, sizeof what, "run %d, step %d of %d: %s", r->id,
		    r->cur + 1, r->rb->nsteps, params);
	else
		snprintf(what, sizeof what, "run %d: %s", r->id, params);
	picker_alerts(r->rb, alerts, sizeof alerts);
	table_cell(t, P_ID, ROLE_ACCENT, r->rb->id.s);
	table_cell(t, P_SEV, ROLE_NORMAL, rb_severity_name(r->rb->severity));
	table_cell(t, P_TITLE, ROLE_ACCENT, what);
	table_cell(t, P_ALERTS, ROLE_MUTED, alerts);
	table_cell(t, P_STATE, runbook_run_busy(r) >= 0 ? ROLE_WARN :
	    ROLE_ACCENT, runbook_run_busy(r) >= 0 ? "running" : "open");
}

/* The first problem without the file's directory: "x.yaml:3:11: ...". */
static const char *
picker_problem(const struct runbook *rb)
{
	const char	*p = rb->first_problem, *base = strrchr(rb->path, '/');
	size_t		 n = strlen(rb->path);

	if (p == NULL)
		return ("lint problems");
	if (base != NULL && strncmp(p, rb->path, n) == 0)
		return (p + (base + 1 - rb->path));
	return (p);
}

static void
picker_runbook(struct table *t, const struct runbook *rb)
{
	char		 key[1100], alerts[256];
	const char	*base = strrchr(rb->path, '/');
	int		 broken = rb->nproblems > 0;

	if (!broken)
		snprintf(key, sizeof key, "rb:%s", rb->id.s);
	else
		snprintf(key, sizeof key, "bad:%s", rb->path);
	table_row(t, key, 0);
	picker_alerts(rb, alerts, sizeof alerts);
	table_cell(t, P_ID, broken ? ROLE_ERROR : ROLE_NORMAL, rb->id.s ?
	    rb->id.s : base ? base + 1 : rb->path);
	table_cell(t, P_SEV, ROLE_NORMAL, rb_severity_name(rb->severity));
	table_cell(t, P_TITLE, broken ? ROLE_ERROR : ROLE_NORMAL, broken ?
	    picker_problem(rb) : rb->title.s);
	table_cell(t, P_ALERTS, ROLE_MUTED, alerts);
	table_cell(t, P_STATE, broken ? ROLE_ERROR : ROLE_MUTED, broken ?
	    "broken" : "");
}

/* A file the library could not read at all (not even an id). */
static void
picker_unreadable(struct table *t, const struct rb_library *lib,
    const struct rb_diag *dg)
{
	char		 key[1100], msg[1200];
	const char	*base = strrchr(dg->file, '/');
	int		 i;

	for (i = 0; i < lib->n; i++)
		if (strcmp(lib->v[i]->path, dg->file) == 0)
			return;		/* listed with its runbook */
	snprintf(key, sizeof key, "bad:%s", dg->file);
	table_row(t, key, 0);
	rb_diag_format(dg, msg, sizeof msg);
	table_cell(t, P_ID, ROLE_ERROR, base ? base + 1 : dg->file);
	table_cell(t, P_SEV, ROLE_MUTED, "-");
	table_cell(t, P_TITLE, ROLE_ERROR, msg);
	table_cell(t, P_ALERTS, ROLE_MUTED, "");
	table_cell(t, P_STATE, ROLE_ERROR, "unreadable");
}

/* The library is being read (runbooks.c refills the picker when it is). */
static void
picker_unread(struct table *t)
{
	table_row(t, "unread:", 0);
	table_cell(t, P_ID, ROLE_MUTED, "...");
	table_cell(t, P_SEV, ROLE_MUTED, "-");
	table_cell(t, P_TITLE, ROLE_MUTED, "the runbook library is being "
	    "read");
	table_cell(t, P_ALERTS, ROLE_MUTED, "");
	table_cell(t, P_STATE, ROLE_MUTED, "reading");
}

void
runbook_picker_fill(struct table *t, const struct rb_library *lib,
    const struct rb_diags *diags, struct run *const *runs, int nruns)
{
	int	i, j;

	table_begin(t);
	for (i = nruns - 1; i >= 0; i--)
		if (runs[i]->e != NULL && !runbook_run_over(runs[i]))
			picker_run(t, runs[i]);
	if (lib == NULL) {
		picker_unread(t);
		table_end(t);
		return;
	}
	for (i = 0; i < lib->n; i++)
		if (lib->v[i]->nproblems == 0)
			picker_runbook(t, lib->v[i]);
	for (i = 0; i < lib->n; i++)
		if (lib->v[i]->nproblems > 0)
			picker_runbook(t, lib->v[i]);
	for (i = 0; i < diags->n; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(diags->v[j].file, diags->v[i].file) == 0)
				break;
		if (j == i)
			picker_unreadable(t, lib, &diags->v[i]);
	}
	table_end(t);
}

void
runbook_picker_draw(struct table *t, const struct tui_box *b)
{
	struct tui_box	in = { b->y + 1, b->x + 1, b->h - 2, b->w - 2, 0 };
	char		right[160];

	screen_erase(b);
	if (*table_filter(t) != '\0')
		snprintf(right, sizeof right, "/%s: %d of %d", table_filter(t),
		    table_rows(t), table_rows_total(t));
	else
		snprintf(right, sizeof right, "%d", table_rows_total(t));
	screen_frame(b, ROLE_FOCUS, "Runbooks: Enter open  / search  Esc back",
	    right);
	if (table_rows_total(t) == 0)
		screen_text(&in, 1, 1, ROLE_MUTED, "No runbooks: none in "
		    "$SITREP_RUNBOOKS, or in runbooks/ of the data directories "
		    "(sitrep runbook list).");
	else
		table_draw(t, &in, 1, 1);
}
