/* snapshot.h: the immutable, refcounted data a source publishes.
 *
 * A source builds a snapshot on its worker thread, publishes it to the store
 * and never touches it again; the UI thread only reads it.  One snapshot
 * carries one kind of data (pods, replication, ...).  Failures are not
 * snapshots: they are a source_status kept beside the last good snapshot
 * (see store.h), so that a panel can show the old data dimmed. */
#ifndef SITREP_SNAPSHOT_H
#define SITREP_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

enum snap_kind {
	SNAP_PODS,
	SNAP_REPLICATION,
	SNAP_OUTBOX,
	SNAP_CIRCUITS,
	SNAP_ALERTS,
	SNAP_REDIS,
	SNAP__COUNT
};
const char	*snap_kind_name(enum snap_kind);

#define SPARK_LEN 60		/* samples of history carried for sparklines */

/* Pods ------------------------------------------------------------------ */
struct pod {
	char	 ns[64];
	char	 name[128];
	char	 deployment[64];	/* owning deployment, "" if none */
	char	 node[64];
	char	 status[48];		/* as kubectl STATUS (kstatus.h) */
	char	 last_reason[48];	/* last termination reason, e.g. OOMKilled */
	int	 ready;			/* ready containers */
	int	 total;			/* containers */
	int	 restarts;
	int64_t	 created_ms;		/* epoch ms */
	int64_t	 last_restart_ms;	/* epoch ms of last termination, 0 = none */
	int	 problem;		/* 0 fine, 1 warn, 2 crit (kstatus_severity) */
	int	 mem_pct;		/* working set / limit, -1 unknown */
};

struct deployment {
	char	 ns[64];
	char	 name[64];
	int	 desired;
	int	 updated;
	int	 ready;
	int	 available;
};

struct pods_data {
	char			 context[64];	/* cluster context name */
	int			 npods;
	struct pod		*pods;
	int			 ndeploys;
	struct deployment	*deploys;
	char			 note[192];	/* partial trouble or a warning
						 * (TLS not verified), "" = none */
};

/* Replication ------------------------------------------------------------ */
struct standby {
	char	 name[64];		/* application_name */
	char	 client[64];		/* client address */
	char	 state[32];		/* streaming, catchup, ..., disconnected */
	char	 sync_state[16];	/* async, sync, potential, quorum */
	int64_t	 pending_bytes;		/* sent vs current */
	int64_t	 write_bytes;		/* write vs sent */
	int64_t	 flush_bytes;		/* flush vs write */
	int64_t	 replay_bytes;		/* replay vs flush */
	int64_t	 total_bytes;		/* replay vs current */
	double	 write_lag_s;		/* -1 = unknown / NULL */
	double	 flush_lag_s;
	double	 replay_lag_s;
	int64_t	 reply_ms;		/* epoch ms of last reply, 0 unknown */
	int	 nhist;
	double	 hist[SPARK_LEN];	/* replay lag in seconds, oldest first */
};

struct repl_slot {
	char	 name[64];
	char	 type[16];		/* physical, logical */
	int	 active;
	int64_t	 retained_bytes;
	char	 wal_status[16];	/* reserved, extended, unreserved, lost, "" */
	int64_t	 safe_wal_size;		/* -1 unknown */
};

/* One configured PostgreSQL server as it sees itself. */
struct pg_server {
	char	 name[64];		/* configured name */
	char	 role[16];		/* primary, standby, down */
	char	 version[16];		/* "15.4" */
	char	 error[192];		/* why it is down or partial, "" = fine */
	/* Standby side (pg_stat_wal_receiver, pg_last_wal_*_lsn()). */
	char	 receiver[24];		/* streaming, disconnected, starting, ... */
	char	 upstream[64];		/* sender host:port */
	int64_t	 receive_replay_bytes;	/* received but not yet replayed */
	double	 replay_lag_s;		/* 0 when all received is replayed; -1 */
	double	 last_msg_age_s;	/* since the last message from the primary; -1 */
	int	 replay_paused;
};

struct repl_data {
	char		 server[64];	/* the primary's name */
	char		 role[16];	/* primary, standby, down */
	char		 version[16];
	int		 nstandbys;	/* pg_stat_replication on the primary */
	struct standby	*standbys;
	int		 nslots;
	struct repl_slot *slots;
	int		 nservers;	/* every configured server */
	struct pg_server *servers;
};

/* Outbox ----------------------------------------------------------------- */
struct outbox {
	char	 service[48];
	char	 database[48];
	int64_t	 pending;		/* -1 unknown (unreadable) */
	double	 oldest_age_s;		/* age of the oldest pending, 0 if none */
	int64_t	 failed;		/* -1 unknown */
	int64_t	 processed_1m;		/* -1 unknown (e.g. MassTransit) */
	int64_t	 processed_5m;		/* -1 unknown */
	int	 nhist;
	double	 hist[SPARK_LEN];	/* pending count, oldest first */
	char	 error[192];		/* why it could not be read, "" = fine */
};

struct outbox_data {
	int		 n;
	struct outbox	*rows;
};

/* Circuits --------------------------------------------------------------- */
enum circuit_state { CIRCUIT_CLOSED, CIRCUIT_HALF_OPEN, CIRCUIT_OPEN };
const char	*circuit_state_name(enum circuit_state);

struct circuit {
	char			 service[48];	/* caller, e.g. gateway */
	char			 dependency[48];	/* callee */
	enum circuit_state	 state;
	int64_t			 since_ms;	/* epoch ms of last transition */
	double			 failure_ratio;	/* 0..1, -1 unknown */
	char			 health[16];	/* "", "up", "down", "degraded" */
};

struct circuits_data {
	int		 n;
	struct circuit	*rows;
	char		 note[192];	/* partial trouble (a health check's
					 * error), "" = none */
};

/* Alerts ----------------------------------------------------------------- */
enum alert_state { ALERT_ACTIVE, ALERT_SILENCED, ALERT_INHIBITED };
const char	*alert_state_name(enum alert_state);

struct alert {
	char		 name[64];	/* alertname */
	char		 severity[16];	/* critical, warning, info */
	char		 labels[160];	/* key labels, "k=v k=v" */
	char		 summary[160];
	char		 runbook_url[160];
	char		 runbook[64];	/* local runbook name, from runbook_url
					 * (alert_runbook_name), "" = none */
	char		 fingerprint[32];
	/* Every label, one "name=value\n" line each (alertname first), for
	 * silence matchers.  A backslash or newline in a value is written
	 * as \\ or \n (alert_matcher_next undoes it).  A label whose line
	 * does not fit is left out whole, never cut. */
	char		 matchers[512];
	char		 silenced_by[64];	/* first silence id, "" = none */
	int64_t		 starts_ms;
	enum alert_state state;
};

struct alerts_data {
	int		 n;
	struct alert	*rows;
	char		 note[192];	/* partial trouble (one Alertmanager of
					 * a cluster not answering), "" = none */
};

/* Redis ------------------------------------------------------------------ */
struct redis_replica {
	char	 addr[64];		/* ip:port */
	char	 state[16];		/* online, wait_bgsave, send_bulk */
	int64_t	 lag_bytes;		/* master offset - replica offset, -1 */
	int64_t	 lag_s;			/* seconds since its last ack, -1 */
};

#define REDIS_MAX_REPLICAS 8

struct redis_node {
	char	 name[64];		/* configured name */
	char	 addr[80];		/* host:port */
	char	 error[192];		/* "" = reachable */
	char	 role[16];		/* master, slave */
	char	 version[16];
	/* As a replica. */
	char	 link_status[8];	/* up, down, "" when master */
	char	 master[80];		/* its master host:port */
	int64_t	 last_io_s;		/* master_last_io_seconds_ago, -1 */
	int64_t	 link_down_s;		/* master_link_down_since_seconds, -1 */
	int64_t	 repl_offset;
	/* As a master. */
	int	 nreplicas;
	struct redis_replica replicas[REDIS_MAX_REPLICAS];
	/* Health. */
	int64_t	 used_memory;
	int64_t	 maxmemory;		/* 0 = no limit */
	int64_t	 evicted_keys;
	int64_t	 rejected_connections;
	int64_t	 connected_clients;
	int	 rdb_ok;		/* last save: 1 ok, 0 failed, -1 none */
	int64_t	 rdb_changes;		/* rdb_changes_since_last_save */
	int64_t	 rdb_last_save_age_s;
	int	 aof_enabled;
	int	 aof_ok;		/* aof_last_write_status:ok */
	int	 loading;
};

struct redis_data {
	int			 n;
	struct redis_node	*nodes;
};

/* The snapshot ----------------------------------------------------------- */
struct snapshot {
	int		 refs;		/* atomic; snapshot_ref/unref */
	enum snap_kind	 kind;
	int64_t		 fetched_ms;	/* epoch ms the data was read */
	union {
		struct pods_data	 pods;
		struct repl_data	 repl;
		struct outbox_data	 outbox;
		struct circuits_data	 circuits;
		struct alerts_data	 alerts;
		struct redis_data	 redis;
	} u;
};

/* Returns a zeroed snapshot with one reference, owned by the caller. */
struct snapshot	*snapshot_new(enum snap_kind);
struct snapshot	*snapshot_ref(struct snapshot *);
void		 snapshot_unref(struct snapshot *);

/* Severity of an alert's severity label: 2 critical, 1 warning, 0 other. */
int		 alert_severity_rank(const char *);
/* The local runbook an annotation names: the last path component without
 * query, fragment or a .md/.html/.htm/.yaml/.yml extension.
 * "https://runbooks.example.com/pod-crash-loop.md?x#y" -> "pod-crash-loop". */
void		 alert_runbook_name(const char *url, char *, size_t);
/* Append "name=value\n" (escaped) to an alert's matchers (size len) if the
 * whole line fits; 0, or -1 when it does not (nothing is written). */
int		 alert_matcher_add(char *matchers, size_t len, const char *name,
		     const char *value);
/* Walk the matchers: *pos starts at 0; fills name and value (unescaped,
 * cut to their sizes) and returns 1, or 0 at the end. */
int		 alert_matcher_next(const char *matchers, size_t *pos,
		     char *name, size_t namelen, char *value, size_t valuelen);

#endif
