/* warroom_int.h: inside the war room (warroom.h).  Shared by its files:
 * warroom.c (the worker, its queue, the public calls of the stream and
 * the driver key), warroom_follow.c (the joined incident on the worker),
 * warroom_approval.c (two-person approvals), warroom_answer.c (answers on
 * one connection), warroom_conn.c (that connection), warroom_json.c,
 * warroom_ident.c; and warroom_cli.c and the tests.  Nothing else
 * includes it.
 *
 * Locking: everything under "shared" is read and written with wr->lock
 * held; the worker's own state (the connection, what Redis has of us,
 * the stream position) is touched by the worker thread only. */
#ifndef SITREP_WARROOM_INT_H
#define SITREP_WARROOM_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

#include "config.h"
#include "warroom.h"

#define WR_TICK_MS		200
#define WR_SLOW_MS		1000	/* presence SCAN, pending requests */
#define WR_BACKOFF_MIN_MS	500
#define WR_BACKOFF_MAX_MS	5000
#define WR_FREE_WAIT_MS		500
#define WR_XREAD_COUNT		"500"
#define WR_QUEUE_MAX		10000	/* jobs; more publishes are dropped */
#define WR_TAKE_MAX		50000	/* records not taken; oldest dropped */
#define WR_MESSAGES_MAX		64
#define WR_REQUESTS_MAX		64	/* our own, kept for answer_state */
#define WR_PENDING_MAX		64
#define WR_PENDING_MAX_S	"64"
#define WR_LINES_MAX		200	/* of a request, and its figures */
#define WR_ERRLEN		192
#define WR_ARGS_MAX		16	/* of wr_conn_cmdl */

/* One connection to the war room's Redis. */
struct wr_conn {
	redisContext		*ctx;		/* NULL: not connected */
	const struct cfg_redis	*cfg;
	char			 err[WR_ERRLEN];	/* the last failure */
};

/* Connect (connect timeout, command timeout, AUTH, SELECT): 0, or -1 and
 * c->err ("redis 127.0.0.1:6390: Connection refused"). */
int		 wr_conn_open(struct wr_conn *, const struct cfg_redis *);
void		 wr_conn_close(struct wr_conn *);
/* One command, each argument whole.  The reply (caller frees), or NULL
 * and c->err: on an I/O error the connection is closed (c->ctx NULL), on
 * an error reply it stays. */
redisReply	*wr_conn_cmd(struct wr_conn *, int argc, const char **argv);
/* The same for commands whose reply is only checked. */
int		 wr_conn_do(struct wr_conn *, int argc, const char **argv);
/* Both with the arguments listed, up to a NULL: wr_conn_cmdl(c, "GET",
 * key, NULL).  At most WR_ARGS_MAX. */
redisReply	*wr_conn_cmdl(struct wr_conn *, const char *, ...)
		     __attribute__((sentinel));
int		 wr_conn_dol(struct wr_conn *, const char *, ...)
		     __attribute__((sentinel));
/* A deep copy of a server's configuration (the worker may outlive the
 * caller's configuration), and freeing it. */
void		 wr_cfg_copy(struct cfg_redis *, const struct cfg_redis *);
void		 wr_cfg_free(struct cfg_redis *);

/* PREFIX inc:INC:what, PREFIX approval:CODE[:answer] (caller frees). */
char		*wr_key_inc(const char *prefix, const char *inc,
		     const char *what);
char		*wr_key_approval(const char *prefix, const char *code,
		     int answer);

/* Work for the worker, in order. */
enum wr_job_kind { WJ_PUBLISH, WJ_HANDOVER, WJ_TAKE_WHEEL, WJ_REQUEST,
	WJ_WITHDRAW, WJ_ANSWER };

struct wr_job {
	enum wr_job_kind	 kind;
	char			*incident;	/* PUBLISH */
	char			*text;		/* line, session, code */
	char			*reason;	/* ANSWER */
	int			 approve;
	struct wr_request	*req;		/* REQUEST */
	struct wr_job		*next;
};

/* One of our own requests and its answer so far. */
struct wr_own {
	struct wr_request	 req;
	struct wr_answer	 ans;
	int			 withdrawn;
};

struct warroom {
	/* Set once by warroom_new. */
	struct cfg_redis	 redis;		/* copies */
	char			*prefix;
	int			 maxlen;
	int			 presence_ttl_ms;
	int			 approval_ttl_ms;
	struct wr_identity	 self;

	pthread_t		 thread;
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;		/* work queued, stop; done */

	/* Shared (lock). */
	void			(*wake)(void *);	/* NULL once detached */
	void			*wake_arg;
	struct wr_job		*head, *tail;
	int			 njobs;
	int			 closing;
	int			 done;		/* the worker has ended */
	int			 detached;	/* the worker frees */
	char			 want_inc[24];	/* "" = none */
	enum wr_role		 want_role;
	struct wr_view		 view;
	char			**take;
	int			 ntake;
	char			**msgs;
	int			 nmsgs;
	struct wr_own		*own;
	int			 nown;
	struct wr_request	*pending;
	int			 npending;
	uint64_t		 dropped;	/* publishes over WR_QUEUE_MAX */

	/* The worker's own. */
	struct wr_conn		 conn;
	int64_t			 next_connect_ms;	/* mono */
	int			 backoff_ms;
	char			 have_inc[24];	/* our presence is there */
	enum wr_role		 have_role;	/* as asked when joining */
	int64_t			 next_tick_ms;	/* mono: the next tick */
	int64_t			 next_slow_ms;	/* mono: the next slow tick */
	int			 slow;		/* this tick is one: SCAN the
						 * presence keys, read the
						 * pending requests */
	int			 was_driver;	/* held the key before a drop */
	char			 last_id[48];	/* stream position */
	int64_t			 next_presence_ms;	/* mono */
	int64_t			 since_ms;	/* joined, epoch */
	char			 cmd_err[WR_ERRLEN];	/* the last error reply */
	struct wr_view		 wv;		/* connected, error, role,
						 * driver, people: copied to
						 * view with the rest */
};

/* warroom.c, for the approvals: a message for the status bar (lock
 * held), and the wake call (lock held). */
void		 wr_message(struct warroom *, const char *fmt, ...)
		     __attribute__((format(printf, 2, 3)));
void		 wr_wake(struct warroom *);
void		 wr_job_free(struct wr_job *);
/* Queue a job (lock held; taken) and wake the worker. */
void		 wr_enqueue(struct warroom *, struct wr_job *);

void		 wr_strv_free(char **, int);

/* warroom_follow.c, on the worker: make Redis have the incident and role
 * asked for; a tick of the joined incident (the stream, the driver key,
 * presence, into wr->wv); the jobs of the stream and the driver key.
 * Each -1 when it failed (the connection is closed on an I/O error). */
int		 wr_membership(struct warroom *);
/* A command failed: -1; an error reply is kept for the view. */
int		 wr_failed(struct warroom *);
int		 wr_tick_incident(struct warroom *, struct wr_view *);
int		 wr_publish(struct warroom *, const struct wr_job *);
int		 wr_handover(struct warroom *, const struct wr_job *);
int		 wr_take_wheel_job(struct warroom *);
int		 wr_driver_set_nx(struct warroom *, const char *inc, int *got);
/* A presence value {who,role,since} (0, or -1); also for fuzz_warroom. */
int		 wr_presence_parse(const char *, struct wr_presence *);

/* warroom_approval.c, on the worker: run one job, then poll the answers
 * to our requests and the incident's pending requests.  -1 when the
 * connection failed (the job is run again after reconnecting). */
int		 wr_approval_job(struct warroom *, struct wr_job *);
int		 wr_approval_tick(struct warroom *);
/* warroom_json.c: a request from its JSON text (0, or -1), a deep copy
 * (free with wr_request_free); an answer's JSON text (cJSON_free) and
 * back (0, or -1 when it is not one); a code as typed -> "K7QX-2M9D". */
int		 wr_request_parse(const char *, struct wr_request *);
void		 wr_request_copy(struct wr_request *, const struct wr_request *);
char		*wr_answer_text(const char *code, int approve,
		     const struct wr_identity *, const char *reason,
		     int64_t time_ms);
int		 wr_answer_parse(const char *, char *code, size_t,
		     struct wr_answer *);
int		 wr_code_normalize(const char *, char *, size_t);

/* warroom_answer.c, for the worker and `sitrep approve`: answer code as
 * self on connection c.  0, or -1 and err (c->ctx NULL when the
 * connection failed). */
int		 wr_answer_do(struct wr_conn *, const char *prefix,
		     const struct wr_identity *self, const char *code,
		     int approve, const char *reason, char *err, size_t);

/* warroom_ident.c: a fresh random code "K7QX-2M9D" and session "7f3a9c0e12b4d5e6". */
void		 wr_random_code(char *, size_t);
void		 wr_random_hex(char *, size_t nhex);

#endif
