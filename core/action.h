/* action.h: things that change (or read) the world on request: a silence,
 * a pod's logs, a runbook step.  Backends register handlers by kind
 * ("silence.create", "k8s.pod-detail", "sim.scale", ...); the UI asks for
 * one with actions_run() and is called back on the UI thread when it ends.
 * A handler runs on its own thread, never on the UI thread, and must bound
 * its own time (every backend call has timeouts).
 *
 * Arguments are "key=value" strings, kept as whole values: a handler puts
 * them into argv elements, bind parameters or JSON values, never into a
 * shell or SQL text. */
#ifndef SITREP_ACTION_H
#define SITREP_ACTION_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define ACTION_MAX_ARGS 128

struct action_req {
	char	 kind[48];
	int	 argc;
	char	*argv[ACTION_MAX_ARGS];		/* "key=value", owned */
};

struct action_result {
	int	 ok;
	char	 summary[512];			/* one line for the status bar */
	char	*output;			/* longer text (logs), or NULL */
	int	 exit_code;			/* a process's exit status; -1
						 * unknown, not a process, or
						 * killed by a signal */
	int64_t	 duration_ms;			/* how long it ran: the
						 * handler's, or measured
						 * around it when left 0 */
};

/* Runs on a worker thread.  cancel becomes non-zero when the operator
 * cancels.  Fill res; return 0 or -1 (res->summary says why). */
typedef int (*action_fn)(void *ctx, const struct action_req *,
    struct action_result *, const volatile int *cancel);
typedef void (*action_done_fn)(void *arg, const struct action_req *,
    const struct action_result *);

struct actions;

/* Completion wakes the UI through the store's wake pipe. */
struct actions	*actions_new(struct store *);
/* Cancel and wait at most wait_ms for running actions, then free: 0, or
 * -1 when a handler is still running (then nothing is freed). */
int		 actions_free(struct actions *, int wait_ms);
void		 actions_register(struct actions *, const char *kind,
		     action_fn, void *ctx);
int		 actions_has(const struct actions *, const char *kind);

/* Start kind with argc "key=value" strings (copied).  done runs later on
 * the UI thread, from actions_collect().  Returns an id > 0, or -1 when no
 * handler has that kind (done is not called). */
int		 actions_run(struct actions *, const char *kind, int argc,
		     const char *const *argv, action_done_fn done, void *arg);
/* The guard: records an action's intent before it runs (fsync'ed) and its
 * result after.  intent returning -1 (with a reason in err) refuses it. */
typedef int (*action_intent_fn)(void *, const struct action_req *,
    char *err, size_t errlen);
typedef void (*action_result_fn)(void *, const struct action_req *,
    const struct action_result *);
void		 actions_set_guard(struct actions *, action_intent_fn,
		     action_result_fn, void *);
/* As actions_run, for an action that changes the world outside a runbook
 * (a silence): the guard records the intent first.  -1: no handler; -2:
 * the intent could not be recorded (err says why), nothing runs. */
int		 actions_run_guarded(struct actions *, const char *kind,
		     int argc, const char *const *argv, action_done_fn done,
		     void *arg, char *err, size_t errlen);
void		 actions_cancel(struct actions *, int id);
/* UI thread: cancel id and never call its done: the caller takes back the
 * arg it handed to actions_run. */
void		 actions_forget(struct actions *, int id);
/* UI thread: call done for every finished action.  Returns how many. */
int		 actions_collect(struct actions *);
int		 actions_running(const struct actions *);

/* From a handler: append output as it comes (a process's stdout, rows of
 * a query), so the UI can show it while the action runs.  Thread-safe. */
void		 action_emit(const struct action_req *, const char *, size_t);
/* UI thread: a copy of what action id has emitted so far (caller frees),
 * or NULL when the id is unknown or finished. */
char		*actions_peek_output(struct actions *, int id, size_t *len);

/* The value of key in a request, or NULL. */
const char	*action_arg(const struct action_req *, const char *key);

#endif
