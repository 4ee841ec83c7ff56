/* console.h: the console screen: header, the panels in their layout, the
 * status bar, the ':' command line, the '/' filter and the help overlay.
 * Owns the panels; reads the store; never talks to a server. */
#ifndef SITREP_CONSOLE_H
#define SITREP_CONSOLE_H

#include <stdint.h>

#include "engine.h"
#include "store.h"
#include "theme.h"

struct console_opts {
	const char	*env;		/* environment name */
	int		 production;	/* show it unmistakably */
	const char	*context;	/* cluster context, NULL = from data */
	const char	*demo;		/* scenario name when in demo, or NULL */
	double		 demo_speed;
	const char	*theme;		/* theme name or path, NULL = default */
	int		 exit_after;	/* leave after N data refreshes, 0 = no */
	const char	*focus;		/* panel to focus first, by name */
	unsigned	 kinds;		/* 1 << snap_kind fed by some source */
	int		 read_only;	/* runbooks: actions are refused */
	int		 dry_run;	/* runbooks: rendered, nothing runs */
	/* Subscribed to every runbook run before it begins (the audit
	 * trail); an EV_STEP_STARTED answered -1 stops the step.  NULL =
	 * none. */
	engine_event_fn	 audit_fn;
	void		*audit_arg;
	const char	*audit_trail;	/* its path: unfinished runs are
					 * offered for :resume; NULL = none */
	const char	*follow;	/* sitrep follow INCIDENT: the follow
					 * view at start, or NULL */
	const char	*drill;		/* sitrep drill start NAME, or NULL */
};

struct console;

/* Hooks the console calls into the rest of the program (sitrep.c). */
struct actions;
struct audit;
struct warroom;
struct wr_identity;

struct console_hooks {
	void		*arg;
	void		(*refresh)(void *);	/* 'r': ask every source for new data */
	struct actions	*actions;		/* for panels; may be NULL */
	const char	*operator;		/* "user@host" */
	struct audit	*audit;			/* records beyond engine
						 * events; NULL */
	struct warroom	*wr;			/* the war room; NULL */
	const struct wr_identity *self;		/* who we are */
};

struct console	*console_new(struct store *, const struct console_opts *,
		     const struct console_hooks *);
void		 console_free(struct console *);
/* Run until quit; returns the exit status (0, or 128+signal). */
int		 console_run(struct console *);
/* A message for the status bar (e.g. a start-up note). */
void		 console_message(struct console *, int error, const char *);

#endif
