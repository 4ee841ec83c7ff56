/* drill_run.h: one DR drill being measured.  No curses, no I/O of its own:
 * the board (panels/drills.h) drives it with the operator's keys, every
 * engine event of every runbook run (it watches for the injection, the
 * RPO step and the response runbook's progress) and the store's newest
 * snapshots (the healthy: condition, the standbys' positions).
 *
 * Every change is recorded first through opts.record (the audit trail);
 * when the record cannot be written the change is refused and err says
 * why, so the trail holds everything the report needs (drill_report.h):
 *
 *   drill_start        the definition as run (targets, phases, lists)
 *   drill_checklist    an item ticked or unticked (list "pre" or a phase)
 *   drill_inject       the inject runbook's injecting step finished OK
 *   drill_declared     or the operator declared an external failure
 *   drill_phase        a phase done: start, end, actual, target, pass
 *   drill_rpo          the rpo_at step started: the RPO figures
 *   drill_healthy      healthy held again after the outage: the RTO
 *   drill_observation  went-well, went-wrong or an action
 *   drill_end          the drill ended
 *
 * Times are epoch ms (opts.clock, or the engine event's time). */
#ifndef SITREP_DRILL_RUN_H
#define SITREP_DRILL_RUN_H

#include <stdint.h>

#include "drill.h"
#include "util.h"

struct cJSON;
struct engine_event;
struct snapshot;
struct standby;

/* Append a record of type for incident with data (taken: freed whether
 * or not it was written).  0, or -1 and err: not written. */
typedef int (*drill_record_fn)(void *arg, const char *type,
		     const char *incident, struct cJSON *data, struct error *);

struct drill_run_opts {
	const struct drill	*drill;		/* must outlive the run */
	const char		*incident;	/* the drill's id */
	drill_record_fn		 record;
	void			*record_arg;
	int64_t			(*clock)(void *);	/* epoch ms; NULL =
							 * now_ms() */
	void			*clock_arg;
};

enum drill_stage {
	DRILL_PRE,		/* started: the pre-drill checklist */
	DRILL_INJECTED,		/* failure injected; not yet seen unhealthy */
	DRILL_OUTAGE,		/* healthy: is false: the outage is seen */
	DRILL_RECOVERED,	/* healthy held again: RTO measured */
	DRILL_ENDED
};

struct drill_phase_state {
	int64_t		 start_ms, end_ms;	/* 0 = not yet */
	int		 done, pass;
	unsigned char	 checked[DRILL_MAX_ITEMS];
};

struct drill_rpo {
	int		 measured;
	int64_t		 at_ms;			/* the rpo_at step started */
	char		 step[64];
	char		 standby[64];		/* the promoted server */
	/* From the primary's pg_stat_replication row for the standby, the
	 * last one seen while the primary listed it connected: */
	int64_t		 seen_ms;		/* that snapshot's time, 0 none */
	char		 seen_primary[64];
	int64_t		 unreceived_bytes;	/* pending + write + flush:
						 * current - flushed on the
						 * standby; -1 */
	int64_t		 total_bytes;		/* current - replay; -1 */
	double		 replay_lag_s;		/* -1 unknown */
	/* From the promoted server itself at failover: */
	int64_t		 unreplayed_bytes;	/* received, not replayed; -1 */
	double		 unreplayed_lag_s;	/* -1 */
	/* The figures: */
	int64_t		 bytes;			/* unreceived + unreplayed */
	double		 seconds;		/* replay_lag_s (else
						 * unreplayed_lag_s) */
	int64_t		 outbox_pending;	/* at failover, -1 */
	int		 pass;			/* within the targets */
};

#define DRILL_SEEN_MAX	8
#define DRILL_PARAMS	16

struct drill_run {
	struct drill_run_opts	 o;
	const struct drill	*d;
	char			 incident[64];
	enum drill_stage	 stage;
	int64_t			 started_ms, injected_ms, outage_ms;
	int64_t			 healthy_ms, ended_ms;
	int64_t			 rto_ms;		/* -1 until healthy */
	char			 inject_how[16];	/* inject, declared */
	char			 inject_step[64];
	int64_t			 outbox_now;		/* newest sum, -1 */
	int64_t			 outbox_at_inject;	/* -1 */
	unsigned char		 pre[DRILL_MAX_ITEMS];
	int			 phase;			/* current; nphases =
							 * all done */
	struct drill_phase_state ph[DRILL_MAX_PHASES];
	struct drill_rpo	 rpo;
	int			 nobs;
	/* The response runbook as the events show it. */
	int			 resp_runs;
	char			 resp_step[64];
	char			 resp_title[128];
	char			 resp_state[16];
	int			 resp_done;
	/* Parameters of the rpo_at runbook's run (for {{standby}}). */
	char			 pname[DRILL_PARAMS][64];
	char			 pvalue[DRILL_PARAMS][64];
	int			 nparams;
	/* The standbys as the primary last listed them connected. */
	struct {
		char	 name[64];
		char	 primary[64];
		int64_t	 seen_ms;
		int64_t	 unreceived, total;
		double	 lag_s;
	}			 seen[DRILL_SEEN_MAX];
	int			 nseen;
	/* Each server as it last saw itself (receive_replay_bytes). */
	struct {
		char	 name[64];
		int64_t	 unreplayed;
		double	 lag_s;
	}			 srv[DRILL_SEEN_MAX];
	int			 nsrv;
	char			 last_error[320];	/* of a background
							 * record that failed */
};

struct drill_run *drill_run_new(const struct drill_run_opts *);
void		 drill_run_free(struct drill_run *);

/* drill_start.  -1 and err when it could not be recorded (the run stays
 * unstarted: free it). */
int		 drill_run_start(struct drill_run *, struct error *);
/* Tick or untick item of a checklist: list -1 = pre-drill, else a phase
 * index. */
int		 drill_run_check(struct drill_run *, int list, int item,
		     struct error *);
/* The operator declares an external failure (no inject runbook). */
int		 drill_run_declare(struct drill_run *, const char *text,
		     struct error *);
/* The current phase is done (after the injection). */
int		 drill_run_phase_done(struct drill_run *, struct error *);
/* kind: went-well, went-wrong, action (owner, due, priority for
 * actions; may be "" otherwise). */
int		 drill_run_observe(struct drill_run *, const char *kind,
		     const char *text, const char *owner, const char *due,
		     const char *priority, struct error *);
int		 drill_run_end(struct drill_run *, const char *reason,
		     struct error *);

/* Every engine event of every run: the injection, the RPO moment, the
 * response runbook's progress.  Returns 1 when something changed.  A
 * record that fails leaves the moment unmeasured; last_error says why. */
int		 drill_run_event(struct drill_run *, const struct engine_event *);
/* The store's newest snapshots (by snap_kind, each may be NULL): the
 * standbys' last positions and the healthy: condition.  1 = changed. */
int		 drill_run_snapshots(struct drill_run *,
		     struct snapshot *const snaps[]);

/* The current phase's elapsed ms (0 before the injection or after the
 * last phase). */
int64_t		 drill_run_phase_elapsed(const struct drill_run *);
/* The RTO so far: final once recovered, running since the injection,
 * -1 before. */
int64_t		 drill_run_rto(const struct drill_run *);
const char	*drill_stage_name(enum drill_stage);

#endif
