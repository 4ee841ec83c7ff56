/* engine_int.h: inside the runbook engine, shared by engine.c (the run:
 * parameters, cursor, steps, actions, waits), engine_render.c (a step to
 * a request and to what the confirmation card shows), engine_event.c
 * (events, captures, redaction).  Nothing else includes it. */
#ifndef SITREP_ENGINE_INT_H
#define SITREP_ENGINE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"

#define ENGINE_MAX_SUBS	8

struct eng_value {
	char	*name;
	char	*value;
	int	 secret;
};

/* Handed to actions_run; outlives the engine if the action does. */
struct eng_token {
	struct engine	*e;		/* it frees us if it goes first */
	int		 step;
	int		 attempt;
	int		 preview;
	int		 id;		/* the action's */
};

struct eng_step {
	enum engine_step_state	 state;
	char			*reason;
	int			 confirmed;
	int			 attempt;
	struct eng_token	*tok;		/* running, or NULL */
	int64_t			 started;	/* clock ms */
	int64_t			 duration;
	char			*output;	/* raw; redacted on the way out */
	size_t			 outlen;
	char			 kind[48];	/* action kind of the last run */
	/* wait */
	int			 waiting;
	int64_t			 deadline;
	int64_t			 next_poll;
	char			*wait_value;
};

struct engine {
	const struct runbook	*rb;
	struct actions		*actions;
	char			*incident;
	char			*env_name;
	char			*operator;
	int			 production;
	int			 read_only;
	int			 dry_run;
	int64_t			(*clock)(void *);
	void			*clock_arg;
	struct eng_value	*vals;
	int			 nvals;
	struct eng_step		*st;
	int			 cursor;
	int			 began;
	int			 ended;
	struct {
		engine_event_fn	 fn;
		void		*arg;
	}			 subs[ENGINE_MAX_SUBS];
	int			 nsubs;
	struct engine_event	*evs;
	int			 nevs;
	uint64_t		 seq;
	char			*scratch;	/* engine_step_output */
};

/* A request to run (real values; never shown). */
struct eng_req {
	char	 kind[48];
	char	**argv;
	int	 argc;
	char	*target;	/* danger: high: the real word to type */
};
void		 eng_req_free(struct eng_req *);

int64_t		 eng_now(const struct engine *);
const char	*eng_lookup(struct engine *, const char *name);
const struct eng_value *eng_value(const struct engine *, const char *);
/* Set a variable or parameter value (no validation, no event). */
void		 eng_set(struct engine *, const char *name, const char *value,
		     int secret);

/* Steps (engine.c): state changes with their events, the cursor. */
void		 eng_set_reason(struct engine *, int step, const char *);
void		 eng_state(struct engine *, int step, enum engine_step_state,
		     const char *reason);
/* Step finished (ok or skipped): move the cursor on (next:). */
void		 eng_advance(struct engine *, int step);
/* 0 when step is the current one of a begun run, else -1 and err. */
int		 eng_current_check(struct engine *, int step, struct error *);

/* Build step's request (req, may be NULL) and its description (r, may be
 * NULL).  partial: unset values stay {{name}} (r->complete = 0) instead of
 * an error. */
int		 eng_build(struct engine *, int step, int partial,
		     struct eng_req *, struct engine_render *, struct error *);

/* Events: fill the run's fields, keep a copy, call the subscribers.
 * Returns -1 when a subscriber refused. */
int		 eng_emit(struct engine *, struct engine_event *);
/* An event about step (type and step fields filled). */
void		 eng_ev_step(struct engine *, struct engine_event *,
		     enum engine_ev, int step);
void		 eng_events_free(struct engine *);

/* Replace every secret value in text by [redacted] (a new string). */
char		*eng_redact(const struct engine *, const char *text,
		     size_t len, size_t *outlen);
/* A step's capture from its output: 0 and the value (caller frees), or
 * -1 and why. */
int		 eng_capture(const struct rb_capture *, const char *output,
		     char **value, struct error *);
/* SHA-256 of data as hex. */
void		 eng_sha256(const char *, size_t, char out[65]);

#endif
