/* runbook_view.h: inside the runbook runner, shared by runbooks.c (the
 * library, the incident, the runs, which view shows), runbook_run.c (one
 * run: the operator's keys on its steps), runbook_form.c (its dialogs:
 * parameters, confirmation, skip, note), runbook_card.c (drawing a run)
 * and runbook_picker.c (the list of runbooks).  Nothing else includes it. */
#ifndef SITREP_RUNBOOK_VIEW_H
#define SITREP_RUNBOOK_VIEW_H

#include <stdarg.h>
#include <stdint.h>

#include "dialog.h"
#include "engine.h"
#include "incident.h"
#include "runbook.h"
#include "runbook_alert.h"
#include "runbooks.h"
#include "table.h"

#define RUNS_MAX	16

/* What the runner says while its library is being read (runbooks_lib
 * returns NULL until the loader is done). */
#define RB_LIB_UNREAD	"the runbook library is still being read; try " \
			"again in a moment"

struct cJSON;
struct rb_loader;
struct snapshot;

/* One run of a runbook, from the parameters form to its end. */
struct run {
	struct runbooks		*hub;
	const struct runbook	*rb;		/* in hub->lib */
	struct engine		*e;		/* NULL until the parameters
						 * are accepted */
	int			 id;		/* 1, 2, ... in this console */
	char			 alert_key[RB_ALERT_KEY];	/* "" = none */
	char			 alert_name[64];
	char			**labels;	/* the alert's "name=value" */
	int			 nlabels;
	char			*form[DIALOG_MAX_FIELDS];	/* as typed */
	int			 nform;		/* parameters in the form */
	int			 cur;		/* engine_current; -1 = over */
	int			 view;		/* the step in the card */
	int			 follow;	/* view follows cur */
	int			 out_top;	/* output scroll; -1 = the tail */
	int			 out_first;	/* the first line drawn, and */
	int			 out_h;		/* how many fit (runbook_card) */
	int			 pending;	/* the step a dialog is about */
	int			 last;		/* the step last started, -1 */
	char			*skip_later;	/* a skip waiting for a
						 * cancelled step to stop */
	char			**titles;	/* rendered step titles, as of */
	uint64_t		 titles_seq;	/* this event (runbook_card) */
	char			 msg[256];	/* the last refusal or error */
	int			 msg_error;
	/* Resumed from the trail (runbook_resume.c): */
	struct cJSON		*resume;	/* the recorded run, until the
						 * engine begins; owned */
	char			 resume_inc[INCIDENT_ID_LEN];	/* "" = no */
	unsigned char		*unknown;	/* per step: started, no
						 * finish record; NULL */
	/* Two-person approval asked for (runbook_approval.c): */
	char			 approval[12];	/* its code, "" = none */
	int			 approval_step;
	char			*approval_typed;	/* danger: high's word */
	int64_t			 approval_expires;	/* epoch ms */
};

enum rb_view { RV_NONE, RV_PICKER, RV_RUN };

struct runbooks {
	struct runbooks_opts	 o;
	struct rb_library	*lib;		/* NULL until the loader is done */
	struct rb_diags		 diags;		/* problems found reading it */
	struct rb_loader	*loader;	/* reading it; NULL once
						 * adopted (runbooks.c) */
	struct snapshot		*alerts;	/* the last alerts snapshot
						 * while lib is NULL; a ref */
	struct incident		 inc;
	struct run		*runs[RUNS_MAX];	/* oldest first */
	int			 nruns;
	int			 next_id;
	enum rb_view		 view;
	struct run		*shown;		/* RV_RUN */
	struct table		*picker;	/* RV_PICKER */
	struct rb_suggest	 sug;
	struct cJSON		*unfinished;	/* runs left unfinished in the
						 * trail (runbook_resume.c) */
};

/* runbooks.c */
void		 runbooks_say(struct runbooks *, int error, const char *, ...)
		     __attribute__((format(printf, 3, 4)));
/* The library, or NULL while the loader thread is still reading it (the
 * first call after it is done adopts it: the picker is refilled and the
 * suggestion computed).  Never blocks. */
const struct rb_library *runbooks_lib(struct runbooks *);
/* 1 when the library is not read yet (RB_LIB_UNREAD went to the status
 * bar), else 0. */
int		 runbooks_lib_unread(struct runbooks *);
/* The open incident's id, opening one if none is (into hub->inc). */
const char	*runbooks_incident_take(struct runbooks *);
/* Show run r (it is in hub->runs). */
void		 runbooks_show(struct runbooks *, struct run *);
/* Forget r (its parameters were cancelled) and free it. */
void		 runbooks_drop(struct runbooks *, struct run *);

/* runbook_run.c */
struct run	*runbook_run_new(struct runbooks *, const struct runbook *,
		     const struct alert *);
void		 runbook_run_free(struct run *);
/* The parameters form, or straight to the first step when there are no
 * parameters. */
void		 runbook_run_open(struct run *);
/* Begin: the engine with the form's values.  0, or -1 and err (and the
 * form field at fault). */
int		 runbook_run_begin(struct run *, int *field, struct error *);
enum runbooks_key runbook_run_key(struct run *, int key, int page);
/* Confirm step (typed: danger: high; approver: two-person) and run it. */
void		 runbook_run_go(struct run *, int step, const char *typed,
		     const char *approver);
void		 runbook_run_skip(struct run *, int step, const char *reason);
int		 runbook_run_poll(struct run *);
/* The step running (or waiting) now, -1 when none. */
int		 runbook_run_busy(const struct run *);
int		 runbook_run_over(const struct run *);
/* After anything changed: the cursor, and the view following it. */
void		 runbook_run_sync(struct run *);
/* A message for the card and the status bar. */
void		 runbook_run_say(struct run *, int error, const char *, ...)
		     __attribute__((format(printf, 3, 4)));
/* "deployment=inventory memory_mib=1024" (values redacted). */
void		 runbook_run_params(const struct run *, char *, size_t);

/* runbook_form.c */
void		 runbook_form_params(struct run *, const char *error,
		     int field);
void		 runbook_form_confirm(struct run *, int step,
		     const struct engine_render *);
void		 runbook_form_skip(struct run *, int step, const char *error);
void		 runbook_form_note(struct run *, int step);

/* runbook_card.c */
void		 runbook_card_draw(struct run *, const struct tui_box *);
/* The state mark: "✓" (or "+" without UTF-8) and its role. */
const char	*runbook_card_mark(enum engine_step_state, enum role *);

/* runbook_resume.c */
#define RB_UNKNOWN_NOTE	"outcome unknown: check before running again"
/* After engine_begin of a resumed run: restore the steps that finished,
 * mark those whose outcome is unknown, note the resume in the trail. */
void		 runbook_resume_apply(struct run *);
/* A step whose outcome is unknown: 1 when it may not run yet (a dialog
 * asks for an explicit y that says so). */
int		 runbook_resume_hold(struct run *, int step);
/* The banner for runs left unfinished ("" and 0 when none). */
int		 runbook_resume_banner(const struct runbooks *, char *, size_t);

/* runbook_approval.c */
/* After the driver confirmed a two-person step: ask the war room. */
void		 runbook_approval_ask(struct run *, int step,
		     const char *typed);
/* The answer, when it came: recorded, then the step runs (approved) or
 * the card says why not.  1 when something changed. */
int		 runbook_approval_poll(struct run *);
/* c on the step: withdraw the request (recorded). */
void		 runbook_approval_withdraw(struct run *);
/* The card's line for step while it waits; 0 when it does not. */
int		 runbook_approval_line(const struct run *, int step, char *,
		     size_t);
/* 0 when this console may run the run's steps, -1 and why (someone
 * else drives its incident). */
int		 runbook_approval_may_drive(struct run *, char *, size_t);

/* runbook_picker.c */
struct table	*runbook_picker_new(void);
/* lib NULL (not read yet): the open runs and one row that says so. */
void		 runbook_picker_fill(struct table *, const struct rb_library *,
		     const struct rb_diags *, struct run *const *, int nruns);
void		 runbook_picker_draw(struct table *, const struct tui_box *);

#endif
