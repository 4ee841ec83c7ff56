/* drills.h: the DR drill board the console offers (docs/drills.md): a
 * full-screen view, like the runbook runner's, that runs one drill at a
 * time: the pre-drill checklist, the injection (a runbook the operator
 * confirms like any other, or a declared external failure), the phases
 * timed against their targets, the live RTO and the RPO measured at the
 * failover step, the response runbook's progress, observations, the end.
 *
 * The measuring is core/drill_run.h; this is its operator and its
 * drawing.  Every change is recorded through opts.record before it is
 * made (a record that fails refuses the change and says why).  The drill
 * files are read in drills_new (small local files, before the loop); the
 * board then touches no disk and no network: the records are the trail's
 * append the console already makes, the figures the store's newest
 * snapshots (in memory). */
#ifndef SITREP_DRILLS_H
#define SITREP_DRILLS_H

#include <stdint.h>

#include "engine.h"
#include "panel.h"
#include "runbooks.h"
#include "screen.h"
#include "store.h"

struct cJSON;
struct drills;

struct drills_opts {
	const struct panel_host	*host;		/* messages, dialogs, operator */
	struct runbooks		*hub;		/* the incident, opening runs */
	struct store		*store;		/* newest snapshots */
	/* Append to the audit trail (takes data); -1 = not written. */
	int			(*record)(void *arg, const char *type,
				    const char *incident, struct cJSON *data,
				    struct error *err);
	void			*record_arg;
	const char		*env;		/* "demo" in the demo world */
	char			**dirs;		/* runbook dirs; NULL =
						 * runbook_dirs() */
	int			 ndirs;
	/* Clock in epoch ms, for tests; NULL = now_ms(). */
	int64_t			(*clock)(void *);
	void			*clock_arg;
};

/* opts (and what it points to) must outlive the drills. */
struct drills	*drills_new(const struct drills_opts *);
void		 drills_free(struct drills *);

/* :drill NAME: the running drill's board, else start drill NAME (its
 * incident: the open one, else a new "DR drill: TITLE").  NULL or "": the
 * list of drills to pick from (or the running drill's board).  0 when a
 * view is showing, -1 when not (the reason went to host->message). */
int		 drills_open(struct drills *, const char *name);
int		 drills_showing(const struct drills *);
void		 drills_hide(struct drills *);
enum runbooks_key drills_key(struct drills *, int key, int page);
void		 drills_draw(struct drills *, const struct tui_box *);
/* Every wake and every second: the snapshots (healthy:, the standbys'
 * positions), the clocks.  1 = redraw. */
int		 drills_poll(struct drills *, int64_t now_ms);
/* runbooks_opts.observe_fn's work: every engine event of every run (the
 * injection, the RPO step, the response runbook's progress).  0. */
int		 drills_engine_event(void *drills, const struct engine_event *);
/* The running drill's incident id, or NULL. */
const char	*drills_active(const struct drills *);

extern const struct keyhelp drills_keys[];
extern const char drills_help[];

#endif
