/* status.h: the figures of `sitrep status` (status_cli.c), read from a
 * store the sources filled, and their three forms: one tmux status line,
 * a few lines for a person, JSON for scripts (status_fmt.c).
 *
 *   status_collect(store, kinds, &st);     every kind: ok, failed (error),
 *                                          no answer yet, not configured
 *   status_incident(trail, env, now, &st); the open incident, if any
 *   s = status_fmt_tmux(&st, color);       caller frees */
#ifndef SITREP_STATUS_H
#define SITREP_STATUS_H

#include <stdint.h>

#include "incident.h"
#include "snapshot.h"
#include "store.h"

#define STATUS_LINE_MAX	79	/* visible width of the tmux line */
#define STATUS_INCIDENT_MAX_AGE_MS	(24 * 3600 * 1000LL)

enum status_state {
	STATUS_NONE,		/* no source configured for the kind */
	STATUS_OK,		/* fresh data */
	STATUS_FAILED,		/* the first attempt failed: error */
	STATUS_NO_ANSWER	/* nothing by the deadline */
};

struct status_kind {
	enum status_state state;
	char		 source[32];
	char		 error[256];
	char		 note[192];	/* partial trouble, "" = none */
	int64_t		 fetched_ms;
};

struct status {
	int64_t			 time_ms;	/* epoch ms */
	char			 env[64];
	char			 incident[INCIDENT_ID_LEN];	/* "" = none */
	struct status_kind	 k[SNAP__COUNT];

	/* Alerts: active ones by severity; silenced and inhibited apart. */
	int		 crit, warn, info, silenced, inhibited;
	/* Replication. */
	char		 primary[64];
	char		 primary_role[16];	/* primary, standby, down */
	char		 primary_error[192];
	char		 worst[64];		/* the standby lagging most */
	int64_t		 lag_bytes;		/* -1 unknown */
	double		 lag_s;			/* -1 unknown */
	int		 standbys;		/* seen by the primary or streaming */
	int		 not_streaming;		/* standbys cut off */
	/* Outbox. */
	int		 outboxes;
	int64_t		 pending, failed;
	char		 worst_service[48];	/* the most pending */
	int64_t		 worst_pending;
	double		 oldest_s;		/* the oldest pending message */
	int		 unreadable;
	/* Circuits. */
	int		 circuits, open, half_open;
	/* Pods. */
	int		 pods, not_ready, crashing;
	/* Redis. */
	int		 redis_nodes, redis_down;
};

/* Fill st from the store for the kinds fed (1 << snap_kind). */
void	 status_collect(struct store *, unsigned kinds, struct status *);
/* The kind has data that can be shown as fresh. */
int	 status_fresh(const struct status *, enum snap_kind);

/* The open incident from the audit trail: the incident of the newest
 * record (of env, when the record names one) not followed by its
 * incident_closed, if that record is younger than a day.  Nothing when
 * the trail is missing or unreadable. */
void	 status_incident(const char *trail, const char *env, int64_t now_ms,
	    struct status *);

/* The forms (caller frees).  tmux: one line, tmux #[fg=...] colours
 * unless !color, at most STATUS_LINE_MAX visible characters. */
char	*status_fmt_tmux(const struct status *, int color);
char	*status_fmt_plain(const struct status *);
char	*status_fmt_json(const struct status *);

#endif
