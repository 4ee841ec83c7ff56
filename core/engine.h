/* engine.h: running a runbook.  No curses, no I/O of its own: everything
 * that touches the world is an action request (core/action.h) run off the
 * UI thread.  The runner panel drives it:
 *
 *   e = engine_new(rb, actions, &opts, &err);    refuses a runbook that
 *                                                failed lint, says why
 *   engine_subscribe(e, audit_hook, audit);      every state change
 *   engine_prefill(e, alert_labels, n);          from: alert.labels.X
 *   engine_set_param(e, "deployment", "api", &err)   validated
 *   engine_begin(e, &err)                        all required params set
 *   loop:
 *     i = engine_current(e);                     shows it (STEP_SHOWN)
 *     engine_render(e, i, &r, &err)              what EXACTLY will run
 *     engine_confirm(e, i, typed, approver, &err)   action / notify steps
 *     engine_start(e, i, &err)                   actions_run(...)
 *     ... on every UI wake (after actions_collect): engine_poll(e)
 *     engine_choose(e, i, option, &err) / engine_manual_done(e, i, ...)
 *     engine_skip(e, i, reason, &err) / engine_cancel(e, i)
 *   engine_free(e)
 *
 * Step lifecycle: PENDING -> SHOWN (the cursor reached it) -> RUNNING ->
 * OK | FAILED; or SKIPPED (with a reason: `when` was false, a branch not
 * taken, the operator's reason) or CANCELLED.  A FAILED or CANCELLED step
 * may be started again (it needs a new confirmation) or skipped.  The
 * cursor advances past OK and SKIPPED steps only; `next:` and choice
 * `goto:` move it (a backward goto resets the steps from the target on).
 *
 * Safety: --read-only is enforced HERE: engine_start() refuses every
 * action and notify step ("read-only mode: actions are refused"); checks
 * and waits still run (their requests carry read_only=1).  Dry-run mode
 * renders every step and runs nothing.  Secret parameter values never
 * appear in text meant for a screen or a log (render lines, events,
 * engine_value_display): they read "[redacted]".
 *
 * Requests sent (the contract with the executors in backends/; arguments
 * are "key=value", keys may repeat and then keep their order):
 *
 *   exec           argv=ELEM... (argv[0] first), env=NAME=VALUE...,
 *                  env_allow=NAME..., cwd=DIR, timeout=SECONDS,
 *                  read_only=1 (checks)
 *   sql            target=NAME, query=TEXT ($1..$N), param=VALUE... ($1
 *                  first), timeout=SECONDS, read_only=1 (checks: run in a
 *                  READ ONLY transaction)
 *   http           method=GET, url=URL (final: values already percent-
 *                  encoded by the engine; send it as is),
 *                  header.NAME=VALUE..., json=BODY (JSON text),
 *                  timeout=SECONDS, read_only=1
 *   k8s.VERB       VERB is scale, rollout-restart, delete-pod,
 *                  rollout-status or get; ns=NAMESPACE, deployment= or
 *                  pod=, replicas= (scale)
 *   redis          target=NAME, arg=WORD... (the command first),
 *                  timeout=SECONDS, read_only=1
 *   silence.create matcher=NAME=VALUE..., duration=2h, comment="INC-...:
 *                  TEXT", created_by=OPERATOR
 *   notify         webhook_env=NAME | webhook_file=PATH, json=BODY (Slack
 *                  compatible {"text": ...}, built with cJSON)
 *   sim            action=NAME and the action's own KEY=VALUE arguments
 *   sim.query      query=NAME and KEY=VALUE arguments (read-only; JSON
 *                  output, backends/sim_query.c)
 *
 * A preview (engine_preview) sends the same request plus dry_run=1, for
 * the kinds whose executors support it (k8s.* and sql today). */
#ifndef SITREP_ENGINE_H
#define SITREP_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "runbook.h"
#include "util.h"

struct actions;
struct engine;

enum engine_step_state {
	STEP_PENDING, STEP_SHOWN, STEP_RUNNING, STEP_OK, STEP_FAILED,
	STEP_SKIPPED, STEP_CANCELLED
};

struct engine_opts {
	const char	*incident;	/* INC-YYYYMMDD-NNNN (required) */
	const char	*env_name;	/* target environment, e.g. "prod";
					 * NULL = "default" */
	int		 production;	/* the environment is production */
	int		 read_only;	/* refuse action and notify steps */
	int		 dry_run;	/* render only, never run */
	const char	*operator;	/* "alice@bastion-1": silences' creator;
					 * NULL = "sitrep" */
	/* Clock in ms (monotonic), for tests; NULL = mono_ms(). */
	int64_t		(*clock)(void *);
	void		*clock_arg;
};

/* Events: one for every state change.  The audit trail subscribes.  All
 * pointers are valid during the callback only; text fields are already
 * redacted (secret values read "[redacted]"). */
enum engine_ev {
	EV_RUN_BEGIN,		/* parameters accepted, the run starts */
	EV_PARAM_SET,		/* param, value */
	EV_STEP_SHOWN,
	EV_STEP_CONFIRMED,	/* typed, approver */
	EV_STEP_STARTED,	/* intent: kind, argv; a subscriber returning
				 * -1 stops the action from running */
	EV_STEP_POLL,		/* a wait step's check result: value */
	EV_STEP_FINISHED,	/* ok, exit_status, duration, output */
	EV_STEP_SKIPPED,	/* reason */
	EV_STEP_CANCELLED,
	EV_STEP_REFUSED,	/* reason: read-only, dry run, lint ... */
	EV_VAR_SET,		/* param = variable name, value */
	EV_CHOICE,		/* value = the option's label, reason = its
				 * effect (goto X / var = v) */
	EV_NOTE,		/* note (step -1: the run as a whole) */
	EV_RUN_END		/* every step done or skipped */
};

#define ENGINE_HEAD_MAX	4096	/* output_head: the first bytes */

struct engine_event {
	enum engine_ev	 type;
	uint64_t	 seq;		/* 1, 2, ... within this run */
	int64_t		 time_ms;	/* epoch ms (now_ms) */
	const char	*incident;
	const char	*runbook_id;
	const char	*runbook_sha256;
	const char	*runbook_path;
	const char	*env_name;
	int		 production;
	int		 read_only;
	int		 dry_run;
	int		 step;		/* index, -1 for the run */
	const char	*step_id;	/* NULL for the run */
	const char	*step_kind;	/* "action" */
	const char	*step_title;
	const char	*action_kind;	/* STARTED/FINISHED: "k8s.scale" */
	int		 argc;		/* STARTED: the request, redacted */
	const char *const *argv;
	int		 attempt;	/* 1 for the first run of the step */
	int		 ok;		/* FINISHED */
	int		 exit_status;	/* FINISHED: 0 ok; the executor's
					 * "exit N" if it said so; else 1 */
	int64_t		 duration_ms;	/* FINISHED */
	const char	*summary;	/* FINISHED: the executor's line */
	const char	*output_sha256;	/* FINISHED: of the whole output */
	const char	*output_head;	/* FINISHED: first ENGINE_HEAD_MAX */
	size_t		 output_len;
	const char	*param;		/* PARAM_SET, VAR_SET: the name */
	const char	*value;		/* PARAM_SET, VAR_SET, POLL, CHOICE */
	int		 secret;	/* value was a secret (redacted) */
	const char	*reason;	/* SKIPPED, REFUSED, CHOICE, CANCELLED */
	const char	*note;		/* NOTE */
	const char	*typed;		/* CONFIRMED: what was typed, or NULL */
	const char	*approver;	/* CONFIRMED: second operator, or NULL */
};

/* Return 0, or -1 to refuse (only EV_STEP_STARTED is refusable: "if the
 * intent record cannot be written, the action does not run"). */
typedef int (*engine_event_fn)(void *arg, const struct engine_event *);

/* What a step will do, for the confirmation card.  Every string is for
 * display: secrets are "[redacted]"; other values are exactly what is sent
 * (compare them structurally; escape control characters when drawing, or
 * use lines[], which are already escaped). */
struct engine_render {
	enum rb_step_kind kind;
	enum rb_exec_kind exec;		/* RB_EX_NONE: manual, choice */
	char		 action_kind[48]; /* "exec", "k8s.scale", ... */
	const char	*env_name;
	int		 production;
	int		 read_only;	/* the request runs read-only */
	int		 needs_confirm;	/* action, notify */
	int		 dry_run_ok;	/* engine_preview is possible */
	int		 complete;	/* every value is set (else some
					 * still read {{name}}) */
	char		*target;	/* danger: high: the word to type */
	int		 two_person;
	char		*title;
	char		*description;
	/* The request as sent (argv of "key=value"), redacted. */
	char		**req;
	int		 nreq;
	/* Structured, redacted: */
	char		**argv;		/* exec argv / redis command words */
	int		 argc;
	char		*sql;		/* sql query text */
	char		**binds;	/* sql $1.. */
	int		 nbinds;
	char		*method;	/* http */
	char		*url;
	char		**headers;	/* "Name: value" */
	int		 nheaders;
	char		*body;		/* http json / notify payload */
	char		*object;	/* k8s "deployment/api -n erp", sim
					 * "scale deployment=api" */
	char		*instructions;	/* manual; choice: the question */
	char		**options;	/* choice labels */
	int		 noptions;
	/* Human lines for the card (escaped, redacted), e.g.
	 *   "exec  kubectl scale deployment/api --replicas=3"
	 *   "env   prod (PRODUCTION)" */
	char		**lines;
	int		 nlines;
};
void		 engine_render_free(struct engine_render *);

/* Create a run of rb (which must outlive the engine) on actions (NULL in
 * dry-run mode).  NULL and err when rb has problems ("runbook X failed
 * lint: FILE:LINE:COL: ..."), or the incident id is malformed. */
struct engine	*engine_new(const struct runbook *, struct actions *,
		     const struct engine_opts *, struct error *);
/* Cancels running actions (their callbacks become no-ops), frees. */
void		 engine_free(struct engine *);

/* The run's incident id. */
const char	*engine_incident(const struct engine *);

/* Subscribe to events (up to 8 subscribers, called in order). */
void		 engine_subscribe(struct engine *, engine_event_fn, void *);
/* Every event so far (the run's timeline); valid until the next call. */
const struct engine_event *engine_events(const struct engine *, int *n);

/* Parameters (before engine_begin) ------------------------------------- */

/* Fill parameters declared `from: alert.labels.X` from "X=value" labels
 * (only those still unset; invalid values are left unset). */
void		 engine_prefill(struct engine *, const char *const *labels,
		     int n);
/* Validate (pattern, enum, int range, duration, bool) and set.  -1 and
 * err (never containing a secret value) when invalid. */
int		 engine_set_param(struct engine *, const char *name,
		     const char *value, struct error *);
/* The value to show for a parameter or variable (secrets redacted), or
 * NULL when unset. */
const char	*engine_value_display(const struct engine *,
		     const char *name);
/* Apply defaults, check required parameters, start the run. */
int		 engine_begin(struct engine *, struct error *);

/* Steps ------------------------------------------------------------------ */

/* The step at the cursor (shown now, skipping those whose `when` is
 * false), or -1 when the run is over. */
int		 engine_current(struct engine *);
enum engine_step_state engine_step_state(const struct engine *, int step);
const char	*engine_state_name(enum engine_step_state);
/* Why a step was skipped / failed / refused: text for the screen. */
const char	*engine_step_reason(const struct engine *, int step);
/* The output so far (running: streamed; finished: the whole), redacted
 * of secret values.  Valid until the next engine call. */
const char	*engine_step_output(struct engine *, int step, size_t *len);
int64_t		 engine_step_duration_ms(const struct engine *, int step);
int		 engine_done(const struct engine *);	/* cursor at end */

/* Describe what step will run, with the values set now (unset values stay
 * as {{name}} in dry-run / show).  0, or -1 and err (e.g. a value refused
 * for an argv element). */
int		 engine_render(struct engine *, int step,
		     struct engine_render *, struct error *);

/* action and notify steps: record the operator's confirmation.  danger:
 * high needs typed == the rendered target; approval: two-person records
 * approver (not enforced yet). */
int		 engine_confirm(struct engine *, int step, const char *typed,
		     const char *approver, struct error *);
/* Run a check, action, notify (confirmed) or wait step.  -1 and err when
 * refused (read-only, dry run, not confirmed, already running, a value
 * refused, the intent could not be recorded, no executor). */
int		 engine_start(struct engine *, int step, struct error *);
/* Run the step's request with dry_run=1 (render.dry_run_ok). */
int		 engine_preview(struct engine *, int step, struct error *);
/* Cancel a running step (the executor kills the process group). */
void		 engine_cancel(struct engine *, int step);
int		 engine_skip(struct engine *, int step, const char *reason,
		     struct error *);
/* manual steps: the operator did it. */
int		 engine_manual_done(struct engine *, int step, struct error *);
/* Resume: the current step finished (ok) or failed in an earlier run (the
 * audit trail says so); recorded as finished with summary (e.g. "restored
 * from the trail"), nothing runs.  Not for choice steps. */
int		 engine_mark_done(struct engine *, int step, int ok,
		     const char *summary, struct error *);
/* choice steps: pick option (0-based). */
int		 engine_choose(struct engine *, int step, int option,
		     struct error *);
/* A note on a step (-1: on the run). */
void		 engine_note(struct engine *, int step, const char *text);

/* Call on every UI wake, after actions_collect(): starts the next poll of
 * wait steps, times them out, picks up streamed output.  Returns 1 when
 * something changed (redraw). */
int		 engine_poll(struct engine *);
/* When engine_poll next needs to run (monotonic ms), 0 = not needed. */
int64_t		 engine_next_wake(const struct engine *);

/* wait steps: the current value of the condition's first variable and the
 * time left (ms); -1 when the step is not waiting. */
int		 engine_wait_status(const struct engine *, int step,
		     const char **value, int64_t *left_ms);

/* Render every step (dry-run); calls fn for each, in order. */
int		 engine_dry_run(struct engine *, void (*fn)(void *, int step,
		     const struct engine_render *, const char *err),
		     void *arg);

#endif
