/* runbooks.h: the runbook runner the console offers: the library, the
 * open incident, the runs, the picker and the full-screen run view, and
 * the suggestion for a newly firing alert.
 *
 * The console owns one `struct runbooks`.  It forwards keys while a view
 * is showing (runbooks_showing), draws the view in place of the panels,
 * calls runbooks_poll() on every wake and every second tick (engine_poll:
 * wait steps, streamed output), and hands over every alerts snapshot.  A
 * run keeps running when its view is left; :runbook, R or the picker
 * bring it back.  Everything runs on the UI thread but the reading of
 * the library (a loader thread started by runbooks_new: until it is
 * done, opening refuses and says so) and the actions (core/action.h). */
#ifndef SITREP_RUNBOOKS_H
#define SITREP_RUNBOOKS_H

#include <stdint.h>

#include "engine.h"
#include "panel.h"
#include "screen.h"
#include "snapshot.h"

struct audit;
struct runbooks;
struct store;
struct warroom;
struct wr_identity;
struct cJSON;

struct runbooks_opts {
	const struct panel_host	*host;		/* messages, dialogs, pagers,
						 * actions, operator */
	const char		*env;		/* environment name */
	int			 production;
	int			 read_only;	/* engine refuses actions */
	int			 dry_run;	/* render only, run nothing */
	engine_event_fn		 audit_fn;	/* subscribed to every run
						 * before it begins; NULL */
	void			*audit_arg;
	engine_event_fn		 observe_fn;	/* also subscribed (after the
						 * trail): the drill board
						 * watches runs; NULL */
	void			*observe_arg;
	const char		*state_dir;	/* incidents; NULL = the XDG
						 * state directory */
	const char		*audit_trail;	/* its path, for resume; NULL =
						 * none */
	char			**dirs;		/* runbook directories; NULL =
						 * runbook_dirs() */
	int			 ndirs;
	struct audit		*audit;		/* records beyond engine
						 * events (approvals,
						 * handovers); NULL */
	struct store		*store;		/* live figures for approval
						 * requests; NULL */
	struct warroom		*wr;		/* the war room: approvals,
						 * who drives; NULL = none */
	const struct wr_identity *self;		/* who we are (with wr) */
};

/* What a key did in a view. */
enum runbooks_key { RUNBOOKS_UNHANDLED, RUNBOOKS_HANDLED, RUNBOOKS_LEAVE };

/* opts (and the strings it points to) must outlive the runbooks.  Starts
 * the thread that reads the library (it wakes opts->store when done). */
struct runbooks	*runbooks_new(const struct runbooks_opts *);
/* Cancels running steps, frees every run, joins the library's loader
 * (one stuck on a hung disk for 3 s is left to free itself). */
void		 runbooks_free(struct runbooks *);

/* Opening.  Each returns 0 when a view is now showing, -1 when not (the
 * reason went to host->message: "the runbook library is still being
 * read" while it is; the picker then shows a row saying so). */
int		 runbooks_open_picker(struct runbooks *);
/* By runbook id: its unfinished run if there is one, else a new run. */
int		 runbooks_open_name(struct runbooks *, const char *id);
/* The alert's runbook, parameters filled from its labels. */
int		 runbooks_open_alert(struct runbooks *, const struct alert *);
/* R: the suggested runbook, else the last unfinished run. */
int		 runbooks_open_suggested(struct runbooks *);

/* Resume: read the trail's unfinished runs off the UI thread (an action,
 * "runbooks.unfinished"); when there are some the status bar says so. */
void		 runbooks_resume_scan(struct runbooks *);
/* :resume [N]: reopen unfinished run N (1 = the first): its recorded
 * parameters (secrets are asked again), its incident, the finished steps
 * restored, a step with no finish record held (outcome unknown). */
int		 runbooks_resume(struct runbooks *, const char *arg);

/* The view ------------------------------------------------------------- */

int		 runbooks_showing(const struct runbooks *);
enum runbooks_key runbooks_key(struct runbooks *, int key, int page);
void		 runbooks_draw(struct runbooks *, const struct tui_box *);
/* The picker's search text, or NULL when the view has no search. */
const char	*runbooks_filter(const struct runbooks *);
void		 runbooks_set_filter(struct runbooks *, const char *);
/* The view's keys and what it shows, for the help overlay. */
extern const struct keyhelp runbooks_keys[];
extern const char runbooks_help[];

/* The loop ------------------------------------------------------------- */

/* engine_poll every run; 1 when something changed.  The console calls
 * it on every wake and every second: no engine_next_wake() is finer than
 * a second (wait steps poll every interval_s seconds). */
int		 runbooks_poll(struct runbooks *);
/* Every alerts snapshot: the suggestion for a newly firing alert. */
void		 runbooks_alerts(struct runbooks *, const struct snapshot *);
/* The suggestion's text ("" = none); returns its alert's rank (2
 * critical, 1 warning, 0 none). */
int		 runbooks_banner(const struct runbooks *, char *, size_t);
/* Whether a step of some run is running (quitting would cancel it);
 * which one goes into buf. */
int		 runbooks_running(const struct runbooks *, char *, size_t);

/* Leave the view (the runs go on). */
void		 runbooks_hide(struct runbooks *);

/* The war room (runbook_handover.c) ------------------------------------ */

/* :handover [NAME]: give the wheel of the incident we drive to a watcher
 * (after a y; recorded); no NAME lists the watchers. */
void		 runbooks_handover_cmd(struct runbooks *, const char *arg);
/* :wheel: take the wheel of the joined incident when its driver left. */
void		 runbooks_take_wheel_cmd(struct runbooks *);
/* We were handed the wheel: reopen the incident's open run (run: its
 * recorded state, audit_run_json's shape; taken) as a resumed run. */
int		 runbooks_adopt(struct runbooks *, const char *incident,
		     struct cJSON *run);

/* Incidents ------------------------------------------------------------ */

/* The open incident's id, or NULL. */
const char	*runbooks_incident(const struct runbooks *);
/* :incident [TITLE | close]: open one (or retitle it), close it, or say
 * which is open. */
void		 runbooks_incident_cmd(struct runbooks *, const char *arg);

#endif
