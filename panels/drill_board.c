/* drill_board.c: the drill board's operator side: the drills (read in
 * drills_new), starting one under the incident, the keys, the dialogs
 * (declare, phase done, observation, end), and what it hears from the
 * engines and the store.  Measuring and recording are core/drill_run.c;
 * drawing is drill_draw.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialog.h"
#include "drills_int.h"
#include "keys.h"
#include "util.h"
#include "xmalloc.h"

const struct keyhelp drills_keys[] = {
	{ "j k / Up Down", "move in the checklist shown" },
	{ "Space / x", "tick or untick the checklist item (recorded)" },
	{ "i", "inject: open the drill's inject runbook (confirm its steps)" },
	{ "D", "declare the failure (an external injection)" },
	{ "p", "the current phase is done (recorded with its time)" },
	{ "r", "open the response runbook" },
	{ "o", "add an observation: went-well, went-wrong or an action" },
	{ "E", "end the drill (recorded; sitrep drill report ID)" },
	{ "Enter", "list: start the drill selected" },
	{ "Esc / q", "back to the panels (the drill keeps running)" },
	{ NULL, NULL }
};

const char drills_help[] =
    "A disaster-recovery drill (docs/drills.md): its scenario and targets "
    "on top; the phases with their target, actual time and pass or fail; "
    "the checklist of the current phase (the pre-drill checklist before "
    "the failure); the RTO, running from the injection (or the declared "
    "failure) until the healthy condition holds again after the outage "
    "was seen, and the RPO measured when the failover step starts.  Every "
    "change is in the audit trail before it counts: sitrep drill report "
    "builds the report from the trail alone.";

static void
drills_say(struct drills *ds, int error, const char *fmt, ...)
{
	char	buf[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (ds->o.host != NULL && ds->o.host->message != NULL)
		ds->o.host->message(ds->o.host->arg, error, buf);
}

int64_t
drills_now(const struct drills *ds)
{
	return (ds->o.clock != NULL ? ds->o.clock(ds->o.clock_arg) :
	    now_ms());
}

static int64_t
drills_clock(void *arg)
{
	return (drills_now(arg));
}

struct drills *
drills_new(const struct drills_opts *o)
{
	struct drills	*ds = xcalloc(1, sizeof *ds);
	struct rb_diags	 d;

	ds->o = *o;
	rb_diags_init(&d);
	ds->lib = drill_library_load(o->dirs, o->dirs ? o->ndirs : 0, 0,
	    NULL, &d);
	if (d.n > 0)
		rb_diag_format(&d.v[0], ds->problem, sizeof ds->problem);
	rb_diags_free(&d);
	return (ds);
}

void
drills_free(struct drills *ds)
{
	if (ds == NULL)
		return;
	drill_run_free(ds->run);
	drill_library_free(ds->lib);
	free(ds);
}

const char *
drills_active(const struct drills *ds)
{
	if (ds == NULL || ds->run == NULL || ds->run->stage == DRILL_ENDED)
		return (NULL);
	return (ds->run->incident);
}

int
drills_showing(const struct drills *ds)
{
	return (ds != NULL && ds->view != DV_NONE);
}

void
drills_hide(struct drills *ds)
{
	if (ds != NULL)
		ds->view = DV_NONE;
}

/* Starting ----------------------------------------------------------------- */

static int
drills_start(struct drills *ds, const struct drill *d)
{
	struct drill_run_opts	 ro;
	struct error		 err;
	const char		*inc;
	char			 title[160];

	if (d->nproblems > 0) {
		drills_say(ds, 1, "drill %s has problems: %s (sitrep drill "
		    "lint)", d->id.s, d->first_problem ? d->first_problem :
		    "?");
		return (-1);
	}
	if ((inc = runbooks_incident(ds->o.hub)) == NULL) {
		snprintf(title, sizeof title, "DR drill: %s", d->title.s);
		runbooks_incident_cmd(ds->o.hub, title);
		if ((inc = runbooks_incident(ds->o.hub)) == NULL) {
			drills_say(ds, 1, "drill %s: no incident could be "
			    "opened", d->id.s);
			return (-1);
		}
	}
	memset(&ro, 0, sizeof ro);
	ro.drill = d;
	ro.incident = inc;
	ro.record = ds->o.record;
	ro.record_arg = ds->o.record_arg;
	ro.clock = drills_clock;
	ro.clock_arg = ds;
	drill_run_free(ds->run);
	ds->run = drill_run_new(&ro);
	if (drill_run_start(ds->run, &err) != 0) {
		drills_say(ds, 1, "drill %s not started: %s", d->id.s,
		    err.msg);
		drill_run_free(ds->run);
		ds->run = NULL;
		return (-1);
	}
	ds->cur = d;
	ds->cursor = 0;
	ds->cursor_list = -1;
	ds->said[0] = '\0';
	drills_say(ds, 0, "drill %s started as %s: tick the pre-drill "
	    "checklist, then i to inject (or D to declare)", d->id.s, inc);
	return (0);
}

int
drills_open(struct drills *ds, const char *name)
{
	const struct drill	*d;

	if (drills_active(ds) != NULL && (name == NULL || *name == '\0' ||
	    strcmp(name, ds->cur->id.s) == 0 ||
	    strcmp(name, ds->run->incident) == 0)) {
		ds->view = DV_BOARD;
		return (0);
	}
	if (name == NULL || *name == '\0') {
		if (ds->lib->n == 0) {
			drills_say(ds, 1, "no drills (runbooks/drills/*.yaml, "
			    "$SITREP_DRILLS)%s%s", ds->problem[0] ? ": " : "",
			    ds->problem);
			return (-1);
		}
		ds->view = DV_LIST;
		return (0);
	}
	if (drills_active(ds) != NULL) {
		drills_say(ds, 1, "drill %s is running: end it (E) before "
		    "starting %s", ds->cur->id.s, name);
		ds->view = DV_BOARD;
		return (0);
	}
	if ((d = drill_library_find(ds->lib, name)) == NULL) {
		drills_say(ds, 1, "no drill %s (:drill lists them)", name);
		return (-1);
	}
	if (drills_start(ds, d) != 0)
		return (-1);
	ds->view = DV_BOARD;
	return (0);
}

/* Dialogs ------------------------------------------------------------------ */

static void
drills_closed(struct panel *p, struct dialog *d, int result)
{
	struct drills		*ds = dialog_data(d);
	struct error		 err;
	int			 rc = 0;

	(void)p;
	if (result != DIALOG_CONFIRM || ds->run == NULL)
		return;
	switch (ds->dlg) {
	case DLG_DECLARE:
		rc = drill_run_declare(ds->run, dialog_value(d, 0), &err);
		break;
	case DLG_PHASE:
		rc = drill_run_phase_done(ds->run, &err);
		ds->cursor = 0;
		break;
	case DLG_OBSERVE:
		rc = drill_run_observe(ds->run, dialog_value(d, 0),
		    dialog_value(d, 1), dialog_value(d, 2),
		    dialog_value(d, 3), dialog_value(d, 4), &err);
		break;
	case DLG_END:
		rc = drill_run_end(ds->run, "ended by the operator", &err);
		break;
	}
	if (rc != 0)
		drills_say(ds, 1, "not recorded, not done: %s", err.msg);
	else if (ds->dlg == DLG_END)
		drills_say(ds, 0, "drill ended: sitrep drill report %s",
		    ds->run->incident);
}

/* The board rides on the dialog; ds->dlg says which one it is (the host
 * shows one dialog at a time). */
static void
drills_dialog(struct drills *ds, struct dialog *d, enum drills_dlg kind)
{
	ds->dlg = kind;
	dialog_set_data(d, ds);
	ds->o.host->dialog(ds->o.host->arg, d, NULL, drills_closed);
}

static void
drills_ask_phase(struct drills *ds)
{
	const struct drill_phase	*p;
	struct dialog			*d;
	int64_t				 el;

	if (ds->run->stage == DRILL_PRE) {
		drills_say(ds, 1, "inject (i) or declare (D) the failure "
		    "first: the phases are timed from it");
		return;
	}
	if (ds->run->phase >= ds->cur->nphases) {
		drills_say(ds, 1, "every phase is done: E ends the drill");
		return;
	}
	p = &ds->cur->phases[ds->run->phase];
	el = drill_run_phase_elapsed(ds->run);
	d = dialog_new("Phase done");
	dialog_line(d, ROLE_NORMAL, "Phase %d, %s, is done.", ds->run->phase +
	    1, p->title.s);
	dialog_line(d, el <= (int64_t)p->target_min * 60000 ? ROLE_OK :
	    ROLE_CRIT, "Actual %.1f min, target %d min.", (double)el / 60000,
	    p->target_min);
	dialog_hint(d, "y phase done  Esc cancel");
	drills_dialog(ds, d, DLG_PHASE);
}

static void
drills_ask_declare(struct drills *ds)
{
	struct dialog	*d;

	if (ds->run->stage != DRILL_PRE) {
		drills_say(ds, 1, "the failure was already %s",
		    ds->run->inject_how);
		return;
	}
	d = dialog_new("Declare the failure");
	dialog_line(d, ROLE_NORMAL, "The failure was injected outside "
	    "sitrep: the RTO clock and the phases start now.");
	dialog_field(d, "What failed", "");
	dialog_hint(d, "Enter declare  Esc cancel");
	drills_dialog(ds, d, DLG_DECLARE);
}

static void
drills_ask_observe(struct drills *ds)
{
	struct dialog	*d = dialog_new("Observation");

	dialog_line(d, ROLE_NORMAL, "Kind: went-well, went-wrong or action "
	    "(owner, due date and priority for an action).");
	dialog_field(d, "Kind", "went-well");
	dialog_field(d, "Text", "");
	dialog_field(d, "Owner", "");
	dialog_field(d, "Due date", "");
	dialog_field(d, "Priority", "");
	dialog_hint(d, "Tab next field  Enter on the last records  Esc "
	    "cancel");
	drills_dialog(ds, d, DLG_OBSERVE);
}

static void
drills_ask_end(struct drills *ds)
{
	struct dialog	*d = dialog_new("End the drill");

	dialog_line(d, ROLE_NORMAL, "End drill %s (%s)?", ds->cur->id.s,
	    ds->run->incident);
	if (ds->run->phase < ds->cur->nphases)
		dialog_line(d, ROLE_WARN, "%d of %d phases are not done.",
		    ds->cur->nphases - ds->run->phase, ds->cur->nphases);
	if (ds->run->rto_ms < 0)
		dialog_line(d, ROLE_WARN, "The RTO was not measured.");
	dialog_hint(d, "y end the drill  Esc cancel");
	drills_dialog(ds, d, DLG_END);
}

/* Keys --------------------------------------------------------------------- */

int
drills_list(const struct drills *ds, const struct rb_str **items, int *n)
{
	const struct drill	*d = ds->cur;
	int			 k;

	if (ds->run == NULL || ds->run->stage == DRILL_PRE ||
	    ds->run->phase >= d->nphases) {
		*items = d->pre;
		*n = d->npre;
		return (-1);
	}
	k = ds->run->phase;
	*items = d->phases[k].checklist;
	*n = d->phases[k].nchecklist;
	return (k);
}

/* The checklist shown changes by itself (the injection, a declared
 * failure, a phase done): the cursor goes back to its first item, so that
 * it never points past the end of the new list. */
static void
drills_sync_cursor(struct drills *ds)
{
	const struct rb_str	*items;
	int			 n, list;

	if (ds->run == NULL || ds->cur == NULL)
		return;
	list = drills_list(ds, &items, &n);
	if (list != ds->cursor_list || ds->cursor >= n) {
		ds->cursor = 0;
		ds->cursor_list = list;
	}
}

static void
drills_toggle(struct drills *ds)
{
	const struct rb_str	*items;
	struct error		 err;
	int			 n, list = drills_list(ds, &items, &n);

	if (ds->cursor >= n)
		return;
	if (drill_run_check(ds->run, list, ds->cursor, &err) != 0)
		drills_say(ds, 1, "not recorded, not ticked: %s", err.msg);
}

static void
drills_runbook(struct drills *ds, const char *id, const char *what)
{
	if (id == NULL) {
		drills_say(ds, 1, "the drill names no %s runbook", what);
		return;
	}
	runbooks_open_name(ds->o.hub, id);
}

static enum runbooks_key
drills_key_list(struct drills *ds, int key)
{
	switch (key) {
	case 'j':
	case KEYC_DOWN:
		if (ds->sel + 1 < ds->lib->n)
			ds->sel++;
		return (RUNBOOKS_HANDLED);
	case 'k':
	case KEYC_UP:
		if (ds->sel > 0)
			ds->sel--;
		return (RUNBOOKS_HANDLED);
	case KEYC_ENTER:
	case '\r':
		if (ds->sel < ds->lib->n && drills_start(ds,
		    ds->lib->v[ds->sel]) == 0)
			ds->view = DV_BOARD;
		return (RUNBOOKS_HANDLED);
	case KEYC_ESC:
	case 'q':
		return (RUNBOOKS_LEAVE);
	}
	return (RUNBOOKS_UNHANDLED);
}

static enum runbooks_key
drills_key_board(struct drills *ds, int key)
{
	const struct rb_str	*items;
	int			 n, live = drills_active(ds) != NULL;

	drills_sync_cursor(ds);
	drills_list(ds, &items, &n);
	if (key == KEYC_ESC || key == 'q')
		return (RUNBOOKS_LEAVE);
	if (!live && key != 'j' && key != 'k') {
		drills_say(ds, 1, "the drill has ended: :drill NAME starts "
		    "another");
		return (RUNBOOKS_HANDLED);
	}
	switch (key) {
	case 'j':
	case KEYC_DOWN:
		if (ds->cursor + 1 < n)
			ds->cursor++;
		break;
	case 'k':
	case KEYC_UP:
		if (ds->cursor > 0)
			ds->cursor--;
		break;
	case ' ':
	case 'x':
		drills_toggle(ds);
		break;
	case 'i':
		drills_runbook(ds, ds->cur->inject.runbook.s, "inject");
		break;
	case 'r':
		drills_runbook(ds, ds->cur->runbook.s, "response");
		break;
	case 'D':
		drills_ask_declare(ds);
		break;
	case 'p':
		drills_ask_phase(ds);
		break;
	case 'o':
		drills_ask_observe(ds);
		break;
	case 'E':
		drills_ask_end(ds);
		break;
	default:
		return (RUNBOOKS_UNHANDLED);
	}
	return (RUNBOOKS_HANDLED);
}

enum runbooks_key
drills_key(struct drills *ds, int key, int page)
{
	(void)page;
	if (ds->view == DV_LIST)
		return (drills_key_list(ds, key));
	if (ds->view == DV_BOARD && ds->run != NULL)
		return (drills_key_board(ds, key));
	return (RUNBOOKS_UNHANDLED);
}

void
drills_draw(struct drills *ds, const struct tui_box *b)
{
	screen_erase(b);
	if (ds->view == DV_LIST)
		drills_draw_list(ds, b);
	else if (ds->view == DV_BOARD && ds->run != NULL) {
		drills_sync_cursor(ds);
		drills_draw_board(ds, b);
	}
}

/* What the board hears ------------------------------------------------------ */

/* The store's newest good snapshots; a kind whose source is failing is
 * left out (its figures unknown, never stale data taken as live).  The
 * event path (only_repl) takes the replication and outbox kinds only: the
 * positions the RPO needs, as new as they come. */
static void
drills_feed(struct drills *ds, int only_repl)
{
	struct snapshot		*s[SNAP__COUNT];
	struct source_status	 st;
	int			 k;

	memset(s, 0, sizeof s);
	for (k = 0; k < SNAP__COUNT && ds->o.store != NULL; k++) {
		if (only_repl && k != SNAP_REPLICATION && k != SNAP_OUTBOX)
			continue;
		s[k] = store_get(ds->o.store, (enum snap_kind)k, &st);
		if (s[k] != NULL && !st.ok) {
			snapshot_unref(s[k]);
			s[k] = NULL;
		}
	}
	drill_run_snapshots(ds->run, s);
	for (k = 0; k < SNAP__COUNT; k++)
		if (s[k] != NULL)
			snapshot_unref(s[k]);
}

int
drills_poll(struct drills *ds, int64_t now)
{
	(void)now;
	if (ds == NULL || ds->run == NULL || ds->run->stage == DRILL_ENDED)
		return (0);
	drills_feed(ds, 0);
	if (ds->run->last_error[0] != '\0' &&
	    strcmp(ds->run->last_error, ds->said) != 0) {
		snprintf(ds->said, sizeof ds->said, "%s", ds->run->last_error);
		drills_say(ds, 1, "drill: not recorded: %s", ds->said);
	}
	return (ds->view == DV_BOARD);
}

int
drills_engine_event(void *arg, const struct engine_event *ev)
{
	struct drills	*ds = arg;

	if (ds == NULL || ds->run == NULL || ds->run->stage == DRILL_ENDED)
		return (0);
	drills_feed(ds, 1);
	drill_run_event(ds->run, ev);
	return (0);
}
