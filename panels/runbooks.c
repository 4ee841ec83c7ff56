/* runbooks.c: the runbook runner the console offers (runbooks.h): the
 * library (read by a loader thread started with the runner: no disk call
 * on the UI thread), the open incident, the runs, which view shows (the
 * picker or a run), and the suggestion for a newly firing alert.  One
 * run's steps are runbook_run.c; drawing is runbook_card.c. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "keys.h"
#include "audit.h"
#include "paths.h"
#include "runbook_view.h"
#include "store.h"
#include "util.h"
#include "xmalloc.h"

const struct keyhelp runbooks_keys[] = {
	{ "Enter", "run a check / start a wait (picker: open the runbook)" },
	{ "y", "confirm the action and run it; a manual step is done" },
	{ "1-9", "choose an option of a choice step" },
	{ "s", "skip the step (a reason is required)" },
	{ "n", "add a note to the step" },
	{ "C-c", "cancel the running step" },
	{ "d", "dry-run preview of the step (k8s, sql)" },
	{ "D", "every step rendered (dry run)" },
	{ "[ / ]", "look at the previous / next step; . back to the current" },
	{ "j k / PgUp PgDn", "scroll the output" },
	{ "Esc / q", "back to the panels (the run keeps running)" },
	{ "R", "open the suggested runbook, else the last open run" },
	{ "/", "picker: search runbooks by id, title or alert" },
	{ NULL, NULL }
};

const char runbooks_help[] =
    "A run of a runbook: its title, severity, incident and the target "
    "environment on top; the steps with their state (pending, shown, "
    "running, ok, failed, skipped, cancelled) on the left or above; the "
    "step's card: exactly what will run, the preview, a wait's condition, "
    "value and time left, the output.  Nothing changes the world without a "
    "confirmation: y for an action, the target's name typed for danger: "
    "high.  Esc never confirms: it leaves the view and the run goes on; "
    ":runbook, R or the picker bring it back.";

/* The library loader ----------------------------------------------------
 *
 * runbooks_new starts a thread that reads the library (every YAML file,
 * the regexes compiled) into its own rb_loader; the UI thread adopts the
 * result in runbooks_lib once the state says LD_DONE, and until then
 * every caller treats a NULL library as "not read yet".  The loader and
 * the runner share nothing but the rb_loader, under its lock; the loader
 * never touches the runner.  Quitting joins the loader; one stuck on a
 * hung disk for LOADER_WAIT_MS is left behind (detached) and frees its
 * rb_loader itself when it ends, so quitting never waits on a disk. */

#define LOADER_WAIT_MS	3000

enum rb_loader_state { LD_READING, LD_DONE, LD_ABANDONED };

struct rb_loader {
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;		/* state changed */
	enum rb_loader_state	 state;		/* under lock */
	pthread_t		 thread;
	char			**dirs;		/* copies; NULL = runbook_dirs() */
	int			 ndirs;
	struct store		*store;		/* woken when read; NULL */
	struct rb_library	*lib;		/* the loader's until LD_DONE */
	struct rb_diags		 diags;		/* likewise */
};

static struct rb_loader *
loader_new(const struct runbooks_opts *o)
{
	struct rb_loader	*ld = xcalloc(1, sizeof *ld);
	int			 i;

	pthread_mutex_init(&ld->lock, NULL);
	pthread_cond_init(&ld->cond, NULL);
	ld->state = LD_READING;
	ld->store = o->store;
	rb_diags_init(&ld->diags);
	if (o->dirs != NULL && o->ndirs > 0) {
		ld->dirs = xcalloc(o->ndirs, sizeof *ld->dirs);
		for (i = 0; i < o->ndirs; i++)
			ld->dirs[i] = xstrdup(o->dirs[i]);
		ld->ndirs = o->ndirs;
	} else if (o->dirs == NULL) {
		const char	*unused[4];

		/* paths.c computes its directories once, on first use: do
		 * that here (no disk: /proc/self/exe) so that the loader
		 * only reads them. */
		paths_datadirs(unused, 4);
	}
	return (ld);
}

/* Frees the loader and whatever it still owns. */
static void
loader_free(struct rb_loader *ld)
{
	int	i;

	for (i = 0; i < ld->ndirs; i++)
		free(ld->dirs[i]);
	free(ld->dirs);
	rb_library_free(ld->lib);
	rb_diags_free(&ld->diags);
	pthread_cond_destroy(&ld->cond);
	pthread_mutex_destroy(&ld->lock);
	free(ld);
}

/* Read the library; publish it (LD_DONE) and wake the UI, or, when the
 * runner has gone (LD_ABANDONED), free it all. */
static void *
loader_main(void *arg)
{
	struct rb_loader	*ld = arg;
	struct rb_library	*lib;
	struct store		*store = ld->store;
	int			 abandoned;

	lib = rb_library_load(ld->dirs, ld->dirs != NULL ? ld->ndirs : 0, 0,
	    &ld->diags);
	pthread_mutex_lock(&ld->lock);
	ld->lib = lib;
	abandoned = ld->state == LD_ABANDONED;
	ld->state = LD_DONE;
	pthread_cond_broadcast(&ld->cond);
	pthread_mutex_unlock(&ld->lock);
	if (abandoned)
		loader_free(ld);
	else if (store != NULL)
		store_wake(store);
	return (NULL);
}

/* The library has just been adopted: the picker lists it, and the last
 * alerts snapshot kept meanwhile gets its suggestion. */
static void
runbooks_lib_arrived(struct runbooks *h)
{
	if (h->picker != NULL)
		runbook_picker_fill(h->picker, h->lib, &h->diags, h->runs,
		    h->nruns);
	if (h->alerts != NULL) {
		rb_suggest_update(&h->sug, h->lib, &h->alerts->u.alerts);
		snapshot_unref(h->alerts);
		h->alerts = NULL;
	}
}

/* Take the loader's library and diagnostics (it has finished). */
static void
runbooks_adopt_lib(struct runbooks *h)
{
	struct rb_loader	*ld = h->loader;

	pthread_join(ld->thread, NULL);
	h->lib = ld->lib;
	rb_diags_free(&h->diags);
	h->diags = ld->diags;
	ld->lib = NULL;
	rb_diags_init(&ld->diags);
	loader_free(ld);
	h->loader = NULL;
	runbooks_lib_arrived(h);
}

/* Wait a bounded time for the loader, then join it, or leave it behind
 * to free itself. */
static void
runbooks_loader_stop(struct runbooks *h)
{
	struct rb_loader	*ld = h->loader;
	struct timespec		 ts;
	pthread_t		 t = ld->thread;
	int			 left;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += LOADER_WAIT_MS / 1000;
	ts.tv_nsec += (long)(LOADER_WAIT_MS % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&ld->lock);
	while (ld->state == LD_READING && pthread_cond_timedwait(&ld->cond,
	    &ld->lock, &ts) != ETIMEDOUT)
		;
	if ((left = ld->state == LD_READING))
		ld->state = LD_ABANDONED;
	pthread_mutex_unlock(&ld->lock);
	h->loader = NULL;
	if (left) {
		pthread_detach(t);	/* it frees ld, maybe already has */
		return;
	}
	pthread_join(t, NULL);
	loader_free(ld);
}

/* The runner ------------------------------------------------------------- */

struct runbooks *
runbooks_new(const struct runbooks_opts *o)
{
	struct runbooks		*h = xcalloc(1, sizeof *h);
	struct rb_loader	*ld;

	h->o = *o;
	h->next_id = 1;
	rb_diags_init(&h->diags);
	ld = loader_new(o);
	if (pthread_create(&ld->thread, NULL, loader_main, ld) == 0) {
		h->loader = ld;
		return (h);
	}
	/* No thread to be had: read the library here, on the UI thread,
	 * as before the loader (slow, but the runner works). */
	loader_free(ld);
	h->lib = rb_library_load(o->dirs, o->dirs != NULL ? o->ndirs : 0, 0,
	    &h->diags);
	return (h);
}

void
runbooks_free(struct runbooks *h)
{
	int	i;

	if (h == NULL)
		return;
	if (h->loader != NULL)
		runbooks_loader_stop(h);
	for (i = 0; i < h->nruns; i++)
		runbook_run_free(h->runs[i]);
	table_free(h->picker);
	rb_suggest_free(&h->sug);
	rb_library_free(h->lib);
	rb_diags_free(&h->diags);
	snapshot_unref(h->alerts);
	cJSON_Delete(h->unfinished);
	free(h);
}

void
runbooks_say(struct runbooks *h, int error, const char *fmt, ...)
{
	char	buf[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (h->o.host != NULL && h->o.host->message != NULL)
		h->o.host->message(h->o.host->arg, error, buf);
}

const struct rb_library *
runbooks_lib(struct runbooks *h)
{
	int	done;

	if (h->lib != NULL || h->loader == NULL)
		return (h->lib);
	pthread_mutex_lock(&h->loader->lock);
	done = h->loader->state == LD_DONE;
	pthread_mutex_unlock(&h->loader->lock);
	if (done)
		runbooks_adopt_lib(h);
	return (h->lib);
}

int
runbooks_lib_unread(struct runbooks *h)
{
	if (runbooks_lib(h) != NULL)
		return (0);
	runbooks_say(h, 1, "%s", RB_LIB_UNREAD);
	return (1);
}

/* Incidents -------------------------------------------------------------- */

/* incident_opened / incident_closed in the trail (sitrep status and the
 * export read them). */
static void
runbooks_incident_record(struct runbooks *h, int closed)
{
	struct error	err;

	if (h->o.audit != NULL && audit_incident(h->o.audit, closed,
	    h->inc.id, h->inc.title[0] ? h->inc.title : NULL, &err) != 0)
		runbooks_say(h, 1, "incident %s: not recorded: %s", h->inc.id,
		    err.msg);
}

static int
runbooks_incident_open(struct runbooks *h, const char *title)
{
	struct error	err;
	char		dir[1024];
	int64_t		now = now_ms();

	if (h->o.state_dir != NULL)
		strlcpy_(dir, h->o.state_dir, sizeof dir);
	else if (incident_state_dir(dir, sizeof dir) != 0)
		dir[0] = '\0';
	if (dir[0] == '\0' || incident_next(dir, now, h->inc.id,
	    sizeof h->inc.id, &err) != 0) {
		incident_fallback(now, h->inc.id, sizeof h->inc.id);
		runbooks_say(h, 1, "incident %s: %s", h->inc.id, dir[0] ?
		    err.msg : "no $XDG_STATE_HOME or $HOME to keep the "
		    "incident numbers in");
	} else
		runbooks_say(h, 0, "incident %s opened", h->inc.id);
	strlcpy_(h->inc.title, title ? title : "", sizeof h->inc.title);
	h->inc.opened_ms = now;
	runbooks_incident_record(h, 0);
	return (0);
}

const char *
runbooks_incident_take(struct runbooks *h)
{
	if (h->inc.id[0] == '\0')
		runbooks_incident_open(h, NULL);
	return (h->inc.id);
}

const char *
runbooks_incident(const struct runbooks *h)
{
	return (h->inc.id[0] != '\0' ? h->inc.id : NULL);
}

void
runbooks_incident_cmd(struct runbooks *h, const char *arg)
{
	char	age[16];

	if (arg != NULL && strcmp(arg, "close") == 0) {
		if (h->inc.id[0] == '\0')
			runbooks_say(h, 0, "no incident is open");
		else {
			runbooks_incident_record(h, 1);
			runbooks_say(h, 0, "incident %s closed; the next run "
			    "opens a new one", h->inc.id);
		}
		memset(&h->inc, 0, sizeof h->inc);
		return;
	}
	if (h->inc.id[0] == '\0') {
		runbooks_incident_open(h, arg);
		return;
	}
	if (arg != NULL && *arg != '\0') {
		strlcpy_(h->inc.title, arg, sizeof h->inc.title);
		runbooks_say(h, 0, "incident %s: %s", h->inc.id, arg);
		return;
	}
	fmt_age(age, sizeof age, (now_ms() - h->inc.opened_ms) / 1000);
	runbooks_say(h, 0, "incident %s%s%s, open for %s (:incident close "
	    "ends it)", h->inc.id, h->inc.title[0] ? ": " : "", h->inc.title,
	    age);
}

/* Runs ------------------------------------------------------------------- */

void
runbooks_show(struct runbooks *h, struct run *r)
{
	h->shown = r;
	h->view = RV_RUN;
}

static int
runbooks_index(const struct runbooks *h, const struct run *r)
{
	int	i;

	for (i = 0; i < h->nruns; i++)
		if (h->runs[i] == r)
			return (i);
	return (-1);
}

static void
runbooks_remove(struct runbooks *h, int i)
{
	if (h->shown == h->runs[i]) {
		h->shown = NULL;
		if (h->view == RV_RUN)
			h->view = RV_NONE;
	}
	runbook_run_free(h->runs[i]);
	memmove(&h->runs[i], &h->runs[i + 1], (h->nruns - i - 1) *
	    sizeof *h->runs);
	h->nruns--;
}

void
runbooks_drop(struct runbooks *h, struct run *r)
{
	int	i = runbooks_index(h, r);

	if (i >= 0)
		runbooks_remove(h, i);
}

/* Room for one more run: the oldest finished one goes.  0, or -1. */
static int
runbooks_room(struct runbooks *h)
{
	int	i;

	if (h->nruns < RUNS_MAX)
		return (0);
	for (i = 0; i < h->nruns; i++) {
		if (runbook_run_over(h->runs[i])) {
			runbooks_remove(h, i);
			return (0);
		}
	}
	runbooks_say(h, 1, "%d runs are open: finish or skip through one "
	    "first", RUNS_MAX);
	return (-1);
}

/* The newest unfinished run of rb (opened from alert key, if not NULL). */
static struct run *
runbooks_find(struct runbooks *h, const struct runbook *rb, const char *key)
{
	int	i;

	for (i = h->nruns - 1; i >= 0; i--) {
		struct run	*r = h->runs[i];

		if (r->rb == rb && !runbook_run_over(r) && (key == NULL ||
		    strcmp(r->alert_key, key) == 0))
			return (r);
	}
	return (NULL);
}

/* Open rb: the unfinished run (of that alert) if there is one, else a new
 * run, which asks for its parameters first. */
static int
runbooks_start(struct runbooks *h, const struct runbook *rb,
    const struct alert *a)
{
	struct run	*r;
	char		 key[RB_ALERT_KEY];

	if (rb->nproblems > 0) {
		runbooks_say(h, 1, "runbook %s is broken, it cannot run: %s",
		    rb->id.s ? rb->id.s : rb->path, rb->first_problem ?
		    rb->first_problem : "lint problems");
		return (-1);
	}
	if (a != NULL)
		runbook_alert_key(a, key, sizeof key);
	if ((r = runbooks_find(h, rb, a != NULL ? key : NULL)) != NULL) {
		runbooks_show(h, r);
		return (0);
	}
	if (runbooks_room(h) != 0)
		return (-1);
	r = runbook_run_new(h, rb, a);
	r->id = h->next_id++;
	h->runs[h->nruns++] = r;
	runbooks_show(h, r);
	runbook_run_open(r);
	return (0);
}

int
runbooks_open_name(struct runbooks *h, const char *id)
{
	const struct runbook	*rb;

	if (runbooks_lib_unread(h))
		return (-1);
	if ((rb = rb_library_find(runbooks_lib(h), id)) == NULL) {
		runbooks_say(h, 1, "no runbook '%s' (:runbook lists them)", id);
		return (-1);
	}
	return (runbooks_start(h, rb, NULL));
}

int
runbooks_open_alert(struct runbooks *h, const struct alert *a)
{
	const struct runbook	*rb;

	if (runbooks_lib_unread(h))
		return (-1);
	if ((rb = runbook_for_alert(runbooks_lib(h), a)) == NULL) {
		runbooks_say(h, 1, "no runbook for %s%s%s (:runbook lists "
		    "them)", a->name, a->runbook[0] ? ": none is named " : "",
		    a->runbook);
		return (-1);
	}
	if (h->sug.on && strcmp(h->sug.runbook, rb->id.s) == 0)
		rb_suggest_dismiss(&h->sug);
	return (runbooks_start(h, rb, a));
}

int
runbooks_open_suggested(struct runbooks *h)
{
	struct alert	a;
	int		i;

	if (h->sug.on) {
		a = h->sug.alert;
		rb_suggest_dismiss(&h->sug);
		return (runbooks_open_alert(h, &a));
	}
	for (i = h->nruns - 1; i >= 0; i--) {
		if (!runbook_run_over(h->runs[i])) {
			runbooks_show(h, h->runs[i]);
			return (0);
		}
	}
	if (runbooks_lib_unread(h))	/* the suggestion waits for it */
		return (-1);
	runbooks_say(h, 0, "no runbook suggested and no run open (:runbook "
	    "lists the runbooks)");
	return (-1);
}

/* The picker ------------------------------------------------------------- */

int
runbooks_open_picker(struct runbooks *h)
{
	if (h->picker == NULL)
		h->picker = runbook_picker_new();
	runbook_picker_fill(h->picker, runbooks_lib(h), &h->diags, h->runs,
	    h->nruns);
	h->view = RV_PICKER;
	return (0);
}

static int
runbooks_pick(struct runbooks *h)
{
	const char	*sel = table_selected(h->picker);
	char		 key[1100];
	int		 i, id;

	if (sel == NULL) {
		runbooks_say(h, 0, "no runbook matches the search");
		return (-1);
	}
	/* A copy: adopting the library (runbooks_lib) refills the picker. */
	strlcpy_(key, sel, sizeof key);
	if (sscanf(key, "run:%d", &id) == 1) {
		for (i = 0; i < h->nruns; i++)
			if (h->runs[i]->id == id)
				runbooks_show(h, h->runs[i]);
		return (0);
	}
	if (strncmp(key, "rb:", 3) == 0)
		return (runbooks_open_name(h, key + 3));
	if (runbooks_lib_unread(h))		/* the "unread:" row */
		return (-1);
	if (strncmp(key, "bad:", 4) != 0) {
		runbooks_say(h, 0, "the runbook library has been read: choose "
		    "a runbook");
		return (-1);
	}
	for (i = 0; i < h->lib->n; i++)
		if (strcmp(h->lib->v[i]->path, key + 4) == 0)
			return (runbooks_start(h, h->lib->v[i], NULL));
	runbooks_say(h, 1, "%s cannot be read: sitrep runbook lint says why",
	    key + 4);
	return (-1);
}

static enum runbooks_key
runbooks_picker_key(struct runbooks *h, int key, int page)
{
	switch (key) {
	case KEYC_ESC:
		if (*table_filter(h->picker) != '\0') {
			table_set_filter(h->picker, "");
			return (RUNBOOKS_HANDLED);
		}
		/* FALLTHROUGH */
	case 'q':
		h->view = RV_NONE;
		return (RUNBOOKS_LEAVE);
	case KEYC_ENTER:
		runbooks_pick(h);
		return (RUNBOOKS_HANDLED);
	}
	if (table_key(h->picker, key, page))
		return (RUNBOOKS_HANDLED);
	return (RUNBOOKS_UNHANDLED);
}

/* The view --------------------------------------------------------------- */

void
runbooks_hide(struct runbooks *h)
{
	h->view = RV_NONE;
}

int
runbooks_showing(const struct runbooks *h)
{
	return (h->view != RV_NONE);
}

enum runbooks_key
runbooks_key(struct runbooks *h, int key, int page)
{
	enum runbooks_key	r;

	if (h->view == RV_PICKER)
		return (runbooks_picker_key(h, key, page));
	if (h->view != RV_RUN || h->shown == NULL)
		return (RUNBOOKS_UNHANDLED);
	if ((r = runbook_run_key(h->shown, key, page)) == RUNBOOKS_LEAVE)
		h->view = RV_NONE;
	return (r);
}

void
runbooks_draw(struct runbooks *h, const struct tui_box *b)
{
	if (h->view == RV_PICKER)
		runbook_picker_draw(h->picker, b);
	else if (h->view == RV_RUN && h->shown != NULL)
		runbook_card_draw(h->shown, b);
}

const char *
runbooks_filter(const struct runbooks *h)
{
	return (h->view == RV_PICKER ? table_filter(h->picker) : NULL);
}

void
runbooks_set_filter(struct runbooks *h, const char *f)
{
	if (h->view == RV_PICKER)
		table_set_filter(h->picker, f);
}

/* The loop --------------------------------------------------------------- */

int
runbooks_poll(struct runbooks *h)
{
	int	i, changed = 0;

	/* The library's arrival wakes the loop (store_wake); its picker
	 * and suggestion are done in runbooks_lib. */
	if (h->lib == NULL && runbooks_lib(h) != NULL)
		changed = 1;
	for (i = 0; i < h->nruns; i++)
		changed |= runbook_run_poll(h->runs[i]);
	return (changed);
}

void
runbooks_alerts(struct runbooks *h, const struct snapshot *s)
{
	if (s == NULL || s->kind != SNAP_ALERTS)
		return;
	if (runbooks_lib(h) != NULL) {
		rb_suggest_update(&h->sug, h->lib, &s->u.alerts);
		return;
	}
	/* Not read yet: keep the newest for runbooks_lib_arrived. */
	snapshot_unref(h->alerts);
	h->alerts = snapshot_ref((struct snapshot *)s);
}

int
runbooks_banner(const struct runbooks *h, char *buf, size_t len)
{
	rb_suggest_text(&h->sug, buf, len);
	if (!h->sug.on)
		return (runbook_resume_banner(h, buf, len));
	return (h->sug.rank);
}

int
runbooks_running(const struct runbooks *h, char *buf, size_t len)
{
	int	i, s;

	for (i = 0; i < h->nruns; i++) {
		if ((s = runbook_run_busy(h->runs[i])) < 0)
			continue;
		snprintf(buf, len, "%s step %d (%s)", h->runs[i]->rb->id.s,
		    s + 1, h->runs[i]->rb->steps[s].id.s);
		return (1);
	}
	return (0);
}
