/* sim_world.h: the demo world's state, shared by the backends/sim*.c
 * files and by nothing else (everyone else uses sim.h).
 *
 * The world is plain data advanced one simulated second at a time by
 * sim_tick() (sim.c), which calls, in order: the scenario's due events,
 * sim_kube_tick (deployments, pods, containers), sim_pg_tick (PostgreSQL),
 * sim_flow_tick (service database health, circuits, outboxes),
 * sim_redis_tick (the Redis cache) and sim_alerts_eval (the alert rules).  Every random choice comes from the
 * world's one seeded generator, so a run is a pure function of the seed,
 * the scenario and the actions applied at given simulated seconds.
 *
 * Times in the world are simulated seconds (t); a wall time is
 * epoch_ms + t * 1000 (sim_wall_ms).  The source moves epoch_ms at every
 * fetch so that the world's now is the real now (see sim.c); wall times
 * are never part of the state, nor of the digest. */
#ifndef SITREP_SIM_WORLD_H
#define SITREP_SIM_WORLD_H

#include <pthread.h>
#include <stdint.h>

#include "kstatus.h"
#include "sim.h"

#define SIM_NS			"erp-system"
#define SIM_CONTEXT		"sim-cluster"
#define SIM_MAX_DEPLOYS		8
#define SIM_MAX_PODS		256
#define SIM_MAX_REPLICAS	20
#define SIM_NNODES		4
#define SIM_PG_NODES		3
#define SIM_MAX_SLOTS		6
#define SIM_WALHIST		4096	/* s of primary LSN history (2^n) */
#define SIM_OB_QUEUE		2048	/* outbox cohorts (2^n) */
#define SIM_OB_WINDOW		300	/* processed-per-second ring, 5 min */
#define SIM_CB_WINDOW		30	/* circuit sampling window, s */
#define SIM_MAX_CIRCUITS	24
#define SIM_HIST_EVERY		5	/* s between sparkline samples */
#define SIM_RESTART_LOG		8
#define SIM_MAX_EVENT_ARGS	8
#define SIM_TICK_CAP		3600	/* most ticks one fetch advances */
#define SIM_MIB			(1024 * 1024)
#define SIM_GIB			((int64_t)1024 * SIM_MIB)

/* Generator, history ring, digest ------------------------------------- */
struct sim_rng {
	uint64_t	 s;
};
void		 sim_rng_seed(struct sim_rng *, uint64_t);
uint64_t	 sim_rng_next(struct sim_rng *);
double		 sim_rng_unit(struct sim_rng *);	/* [0, 1) */
int		 sim_rng_int(struct sim_rng *, int, int);	/* lo..hi */

struct sim_hist {
	double	 v[SPARK_LEN];
	int	 n;
	int	 head;		/* next slot written */
};
void		 sim_hist_push(struct sim_hist *, double);
int		 sim_hist_copy(const struct sim_hist *, double *);

struct sim_dg {
	uint64_t	 h;
};
void		 sim_dg_u64(struct sim_dg *, uint64_t);
void		 sim_dg_dbl(struct sim_dg *, double);
void		 sim_dg_str(struct sim_dg *, const char *);
void		 sim_dg_hist(struct sim_dg *, const struct sim_hist *);
uint64_t	 sim_hash_str(const char *);

/* Kubernetes ------------------------------------------------------------ */
struct sim_tmpl {			/* a deployment's pod template */
	int	 rev;
	char	 hash[12];		/* pod-template-hash */
	int	 limit_mib;
	int	 image_ok;
};

struct sim_ctr {			/* the app container of a pod */
	enum kstate	 state;
	char		 reason[32];
	int		 exit_code;
	int		 ready;
	int		 restarts;
	char		 last_reason[32];
	int64_t		 started;	/* running since */
	int64_t		 until;		/* the waiting state ends */
	int64_t		 finished;	/* last termination */
	int		 has_finished;
	int		 backoff;	/* kubelet back-off entry, s; 0 none */
	int64_t		 backoff_upd;	/* the entry's lastUpdate */
	double		 ws_mib;	/* working set */
	int64_t		 log[SIM_RESTART_LOG];	/* recent terminations */
	int		 nlog;
};

struct sim_pod {
	char		 name[64];
	int		 dep;
	char		 tmpl[12];	/* pod-template-hash it runs */
	int		 limit_mib;
	int		 image_ok;
	int		 node;
	int64_t		 created;
	int64_t		 scheduled;	/* Pending until then */
	int		 deleting;
	int64_t		 gone;		/* removed at */
	double		 base_mib;	/* this pod's steady working set */
	int		 sidecar_up;	/* daprd */
	struct sim_ctr	 app;
};

/* Outbox ---------------------------------------------------------------- */
struct sim_cohort {			/* messages written in one second */
	int64_t	 t;
	int64_t	 next_try;
	int	 n;
	int	 attempts;
};

struct sim_outbox {
	int			 on;	/* this service has an outbox */
	double			 rate;	/* messages/s at load 1 */
	double			 carry;
	struct sim_cohort	 q[SIM_OB_QUEUE];
	int			 head;
	int			 len;
	int64_t			 pending;
	int64_t			 failed;
	int64_t			 failed_t;	/* oldest failed message */
	int			 running;	/* the publisher */
	int			 fails;		/* consecutive failures */
	int			 done[SIM_OB_WINDOW];
	struct sim_hist		 hist;
};

struct sim_deploy {
	char		 name[32];
	int		 desired;
	int		 base_mib;	/* the app's steady working set */
	struct sim_tmpl	 cur;
	struct sim_tmpl	 prev;
	int		 rolling;	/* a rollout is in progress */
	int64_t		 progress_t;	/* its last progress */
	int		 stuck;		/* ProgressDeadlineExceeded */
	int		 cur_ready_seen;	/* for progress */
	double		 leak_rate;	/* memory-leak fault, MiB/s */
	double		 leak_max;	/* cap of the leak, MiB; 0 none */
	double		 leaked;	/* MiB every app loads at start */
	/* Counted every tick. */
	int		 updated;
	int		 ready;
	/* The service behind it. */
	double		 rps;		/* gateway calls/s at load 1 */
	int		 has_db;
	char		 db[32];
	int		 db_ok;
	int		 db_target;
	int64_t		 db_change_t;	/* db_ok becomes db_target then */
	int		 broker_ok;
	struct sim_outbox ob;
};

/* PostgreSQL ------------------------------------------------------------ */
enum sim_sb_state { SB_STREAMING, SB_CATCHUP, SB_DISCONNECTED };

struct sim_pgnode {
	char		 name[32];
	char		 addr[24];
	int		 up;
	int		 timeline;
	int64_t		 sent, write, flush, replay;	/* standby positions */
	enum sim_sb_state state;
	int64_t		 attach_t;	/* reconnects then */
	int		 paused;	/* pg_wal_replay_pause() */
	int		 stalled;	/* fault: replay blocked */
	double		 bw_mib;	/* network limit, 0 = none */
	double		 write_lag, flush_lag, replay_lag;
	int64_t		 reply_t;
	struct sim_hist	 hist;
	int64_t		 pvc_cap;
	int64_t		 pvc_data;
};

struct sim_slot {
	char		 name[32];
	int		 logical;
	int		 standby;	/* node it feeds, -1 logical */
	int		 active;
	int		 consumer_down;	/* fault: the logical consumer stopped */
	int64_t		 restart_lsn;
	int		 lost;
	int64_t		 unreserved_t;	/* -1 = within the limit */
};

struct sim_pg {
	struct sim_pgnode n[SIM_PG_NODES];
	int		 primary;	/* the primary, or the one lost */
	int		 promoting;	/* node being promoted, -1 none */
	int64_t		 promote_t;	/* the promotion ends then */
	int64_t		 lsn;		/* the primary's WAL position */
	int64_t		 walhist[SIM_WALHIST];	/* lsn at t % SIM_WALHIST */
	int64_t		 walhist_from;	/* first second held */
	double		 wal_mib;	/* WAL MiB/s at load 1 */
	struct sim_slot	 slots[SIM_MAX_SLOTS];
	int		 nslots;
	int64_t		 down_t;
	int64_t		 lost_bytes;	/* WAL lost by the last failover */
};

/* Redis ----------------------------------------------------------------- */
#define SIM_REDIS_NODES		2	/* 0 the master, 1 its replica */

struct sim_rnode {
	char		 name[32];
	char		 addr[24];
	int64_t		 used;		/* used_memory, bytes */
	int64_t		 offset;	/* replication offset */
	int64_t		 clients;
	int64_t		 changes;	/* since the last save */
	int64_t		 save_t;	/* last save, -1 none */
	int64_t		 last_io_t;	/* replica: last byte from the master */
};

struct sim_redis {
	struct sim_rng	 rng;		/* its own stream of the world's seed,
					 * so the rest of the world draws as
					 * it did before Redis existed */
	struct sim_rnode n[SIM_REDIS_NODES];
	int64_t		 maxmemory;
	int		 link_up;	/* the replica's link to the master */
	int64_t		 link_down_t;
	int64_t		 ack_t;		/* the replica's last ack */
};

/* Circuits -------------------------------------------------------------- */
struct sim_circuit {
	int			 from;	/* deployment indexes */
	int			 to;	/* -1 = the event bus */
	double			 rps;	/* calls/s at load 1, 0 = outbox */
	enum circuit_state	 state;
	int64_t			 since;
	int64_t			 open_until;
	int			 calls[SIM_CB_WINDOW];
	int			 fails[SIM_CB_WINDOW];
	int64_t			 bucket_t[SIM_CB_WINDOW];
	double			 ratio;
};

/* Alerts ---------------------------------------------------------------- */
struct sim_rule;
struct sim_alert {
	const struct sim_rule	*rule;
	char			 labels[160];
	char			 summary[160];
	uint64_t		 fp;
	int64_t			 active_t;	/* pending since */
	int64_t			 fired_t;	/* -1 = pending */
	int			 seen;
};

/* Scenario -------------------------------------------------------------- */
struct sim_event {
	int64_t	 at;
	int	 line;
	int	 is_action;
	char	 what[32];		/* fault or action name */
	int	 nargs;
	char	 args[SIM_MAX_EVENT_ARGS][96];	/* "key=value" */
};

struct sim_override {
	char	 dep[32];
	int	 line;
	int	 replicas;		/* -1 = keep */
	int	 memory_mib;
	int	 base_mib;
};

struct sim_scenario {
	char			 name[64];
	char			 description[1024];
	char			 path[512];
	uint64_t		 seed;
	int64_t			 duration;	/* suggested length, 0 */
	struct sim_event	*ev;
	int			 nev;
	int			 next;		/* next event to run */
	struct sim_override	 ov[SIM_MAX_DEPLOYS];
	int			 nov;
};

/* The world ------------------------------------------------------------- */
struct sim {
	pthread_mutex_t		*lock;
	struct sim_scenario	 sc;
	struct sim_rng		 rng;
	uint64_t		 seed;
	int64_t			 t;
	int64_t			 epoch_ms;
	double			 speed;
	double			 load;		/* load factor (fault) */
	double			 load_now;	/* with the wave and noise */
	int			 anchored;	/* source clock anchored */
	int64_t			 anchor_real;
	double			 anchor_sim;

	struct sim_deploy	 dep[SIM_MAX_DEPLOYS];
	int			 ndeps;
	struct sim_pod		 pods[SIM_MAX_PODS];
	int			 npods;
	struct sim_pg		 pg;
	struct sim_redis	 redis;
	struct sim_circuit	 cb[SIM_MAX_CIRCUITS];
	int			 ncb;
	struct sim_alert	*alerts;
	int			 nalerts;
	int			 alerts_cap;
	char			 event_error[1024];	/* last failed event */
};

int64_t		 sim_wall_ms(const struct sim *, int64_t);

/* sim_kube.c */
void		 sim_kube_init(struct sim *);
void		 sim_kube_populate(struct sim *);
void		 sim_kube_tick(struct sim *);
void		 sim_kube_snapshot(struct sim *, struct pods_data *);
void		 sim_kube_digest(const struct sim *, struct sim_dg *);
int		 sim_kube_find(const struct sim *, const char *);
int		 sim_kube_pod_find(const struct sim *, const char *);
int		 sim_kube_pod_ready(const struct sim_pod *);
int		 sim_kube_restarts_since(const struct sim_pod *, int64_t);
void		 sim_kube_scale(struct sim *, int, int);
void		 sim_kube_restart(struct sim *, int);
int		 sim_kube_rollback(struct sim *, int, struct error *);
void		 sim_kube_delete_pod(struct sim *, int);
void		 sim_kube_set_limit(struct sim *, int, int);
void		 sim_kube_bad_image(struct sim *, int);
void		 sim_kube_leak(struct sim *, int, double, double);

/* sim_pg.c */
void		 sim_pg_init(struct sim *);
void		 sim_pg_tick(struct sim *);
void		 sim_pg_snapshot(struct sim *, struct repl_data *);
void		 sim_pg_digest(const struct sim *, struct sim_dg *);
int		 sim_pg_find(const struct sim *, const char *);
int		 sim_pg_slot_find(const struct sim *, const char *);
int		 sim_pg_primary_up(const struct sim *);
int		 sim_pg_fail_primary(struct sim *, struct error *);
int		 sim_pg_promote(struct sim *, int, struct error *);
int		 sim_pg_rejoin(struct sim *, int, struct error *);
int		 sim_pg_replay(struct sim *, int, int, struct error *);
void		 sim_pg_stall(struct sim *, int);
void		 sim_pg_bandwidth(struct sim *, int, double);
void		 sim_pg_slot_consumer(struct sim *, int, int);
int		 sim_pg_drop_slot(struct sim *, int, struct error *);
int		 sim_pg_is_standby(const struct sim *, int);
void		 sim_pg_pvc(const struct sim *, int, int64_t *, int64_t *);

/* sim_redis.c */
void		 sim_redis_init(struct sim *);
void		 sim_redis_tick(struct sim *);
void		 sim_redis_snapshot(struct sim *, struct redis_data *);
void		 sim_redis_digest(const struct sim *, struct sim_dg *);
void		 sim_redis_link(struct sim *, int up);

/* sim_flow.c: service health, circuits, outboxes */
void		 sim_flow_init(struct sim *);
void		 sim_flow_tick(struct sim *);
void		 sim_flow_digest(const struct sim *, struct sim_dg *);
void		 sim_flow_db(struct sim *, int);
void		 sim_outbox_snapshot(struct sim *, struct outbox_data *);
void		 sim_circuit_snapshot(struct sim *, struct circuits_data *);
int		 sim_circuit_find(const struct sim *, const char *,
		     const char *);
void		 sim_circuit_reset(struct sim *, int);
const char	*sim_circuit_to_name(const struct sim *,
		     const struct sim_circuit *);
int		 sim_outbox_replay(struct sim *, int, struct error *);
int		 sim_outbox_resume(struct sim *, int, struct error *);
void		 sim_broker_set(struct sim *, int, int);
double		 sim_outbox_oldest(const struct sim *, const struct sim_outbox *);

/* sim_alerts.c */
void		 sim_alerts_eval(struct sim *);
void		 sim_alerts_snapshot(struct sim *, struct alerts_data *);
void		 sim_alerts_digest(const struct sim *, struct sim_dg *);
void		 sim_alerts_free(struct sim *);

/* sim_scenario.c */
int		 sim_scenario_load(struct sim_scenario *, const char *,
		     struct error *);
void		 sim_scenario_free(struct sim_scenario *);
int		 sim_scenario_check(struct sim *, struct error *);
void		 sim_scenario_apply_world(struct sim *);
void		 sim_scenario_due(struct sim *);

/* sim_args.c: the key=value arguments of actions and queries */
#define SIM_MAX_ARGS		8

struct sim_args {
	int		 n;
	char		 key[SIM_MAX_ARGS][32];
	const char	*val[SIM_MAX_ARGS];	/* into the caller's argv */
};

struct sim_args_def {			/* what an action or query takes */
	const char	*name;
	const char	*keys;		/* allowed, " a b " */
	const char	*required;	/* " a b " */
	const char	*usage;
	int		 quote_bad;	/* name a malformed argument */
};

/* Parse argv against d: 0, or -1 and a message with d's usage line. */
int		 sim_args_parse(const struct sim_args_def *, int,
		     const char *const *, struct sim_args *, struct error *);
const char	*sim_args_get(const struct sim_args *, const char *);
/* The value of key, or of its alias. */
const char	*sim_args_either(const struct sim_args *, const char *,
		     const char *);
/* The index of the deployment (with outbox_only, of one with an outbox)
 * or database server a name names, or -1 and a message that lists the
 * names there are.  name may be NULL. */
int		 sim_args_deploy(const struct sim *, const char *, int,
		     struct error *);
int		 sim_args_server(const struct sim *, const char *,
		     struct error *);

/* sim_action.c */
int		 sim_action_run(struct sim *, const char *, int,
		     const char *const *, char *, size_t, struct error *);
int		 sim_action_check(const char *, int, const char *const *,
		     struct error *);

/* sim_query.c: a query's answer as JSON text (caller frees), or NULL and
 * the reason in err.  Takes the lock (call it without). */
char		*sim_query_json(struct sim *, const char *, int,
		     const char *const *, struct error *);
/* Whether a query exists and takes these arguments (values unchecked):
 * 0, or -1 and why. */
int		 sim_query_check(const char *, int, const char *const *,
		     struct error *);

#endif
