/* warroom.h: several consoles on one incident, through Redis
 * (docs/warroom.md).
 *
 * One struct warroom per process.  A worker thread owns the Redis
 * connection (connect and per-command timeouts, reconnect with backoff);
 * every call here only queues work or copies state under a mutex, so the
 * UI thread never waits on Redis.  When something changes the worker
 * calls opts.wake (store_wake) so that the UI picks it up.
 *
 *   wr = warroom_new(&opts, &err);          NULL when opts are unusable
 *   warroom_join(wr, "INC-...", WR_DRIVING);   presence, driver key,
 *                                          start following the stream
 *   warroom_publish(wr, inc, line);        an audit record (any thread)
 *   warroom_view(wr, &v);                  what to draw (a copy)
 *   warroom_take(wr, &lines, &n);          stream records not taken yet
 *   warroom_handover(wr, session);         give the wheel to a watcher
 *   warroom_request(wr, &req, code);       two-person approval request
 *   warroom_answer(wr, code, 1, NULL);     approve (or reject) a request
 *   warroom_free(wr);
 *
 * Redis keys (PREFIX is opts.prefix, default "sitrep:"):
 *   PREFIX inc:INC:log             stream; field "rec" = the audit record
 *                                  (one JSON line), "origin" = session;
 *                                  XADD ... MAXLEN ~ opts.maxlen
 *   PREFIX inc:INC:presence:SESS   JSON identity + role; PX ttl, refreshed
 *                                  every ttl/3
 *   PREFIX inc:INC:driver          the driving session; PX ttl, refreshed
 *                                  by the driver; changed only by compare-
 *                                  and-set (handover) or when it expired
 *   PREFIX approval:CODE           JSON request (struct wr_request); PX
 *                                  until it expires
 *   PREFIX approval:CODE:answer    JSON answer, SET NX (the first answer
 *                                  wins); same expiry
 * Values are JSON built with cJSON, sent as command arguments (never
 * formatted into command text). */
#ifndef SITREP_WARROOM_H
#define SITREP_WARROOM_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct cfg_warroom;
struct cJSON;
struct warroom;

#define WR_SESSION_LEN	24	/* "7f3a9c0e12b4d5e6" and the NUL */
#define WR_CODE_LEN	10	/* "K7QX-2M9D" and the NUL */
#define WR_PRESENCE_MAX	32

/* Who someone is: the audit trail records all of it for approvals. */
struct wr_identity {
	char	 session[WR_SESSION_LEN];	/* random per process */
	char	 user[64];			/* getpwuid(getuid()) */
	unsigned uid;
	char	 host[128];			/* gethostname */
	char	 ssh[96];			/* $SSH_CLIENT "ip port port",
						 * "" when local */
	char	 tty[64];			/* ttyname(0), "" */
	int	 pid;
};

/* The identity of this process (session: fresh random hex). */
void	 wr_identity_self(struct wr_identity *);
/* "alice@bastion-1" */
void	 wr_identity_name(const struct wr_identity *, char *, size_t);
/* Two identities are the same person when the user names are equal, or
 * when host and uid are both equal.  Approvals need different people. */
int	 wr_identity_same_person(const struct wr_identity *,
	    const struct wr_identity *);
/* JSON object {session,user,uid,host,ssh,tty,pid} (caller deletes), and
 * back (0, or -1 when fields are missing). */
struct cJSON *wr_identity_json(const struct wr_identity *);
int	 wr_identity_from_json(const struct cJSON *, struct wr_identity *);

enum wr_role { WR_NONE, WR_DRIVING, WR_WATCHING };

struct warroom_opts {
	const struct cfg_warroom *cfg;		/* url, password, prefix,
						 * maxlen, ttls; must outlive
						 * the warroom */
	const struct wr_identity *self;		/* copied */
	void			(*wake)(void *);	/* any thread */
	void			*wake_arg;
};

struct wr_presence {
	struct wr_identity	 who;
	enum wr_role		 role;
	int64_t			 since_ms;	/* joined, epoch ms */
	int			 driver;	/* holds the driver key */
};

/* What the UI draws; a copy, safe to keep. */
struct wr_view {
	int		 connected;
	char		 error[192];		/* why not, "" */
	char		 incident[24];		/* joined, "" = none */
	enum wr_role	 role;			/* ours, as Redis says:
						 * WR_DRIVING when our session
						 * holds the driver key */
	char		 driver[WR_SESSION_LEN];	/* "" = nobody */
	char		 driver_name[192];	/* "alice@bastion-1", "" */
	struct wr_presence people[WR_PRESENCE_MAX];	/* including us */
	int		 npeople;
	uint64_t	 records;		/* stream records received */
	uint64_t	 generation;		/* bumped on every change */
};

/* A two-person approval request: what will run, and the live figures the
 * approver should see before saying yes. */
struct wr_request {
	char			 code[WR_CODE_LEN];	/* set by warroom_request */
	char			 incident[24];
	char			 runbook[64];
	int			 step;
	char			 step_id[64];
	char			 title[160];
	char			**lines;	/* what will run, as the
						 * confirmation card shows it */
	int			 nlines;
	char			**figures;	/* "alert PostgresPrimaryDown:
						 * firing", "replication lag:
						 * 4.2 MiB / 3.1 s", ... */
	int			 nfigures;
	struct wr_identity	 requester;
	int64_t			 requested_ms;	/* epoch ms */
	int64_t			 expires_ms;
};

enum wr_answer_state { WR_PENDING, WR_APPROVED, WR_REJECTED, WR_EXPIRED,
	WR_FAILED };

struct wr_answer {
	enum wr_answer_state	 state;
	struct wr_identity	 who;		/* APPROVED, REJECTED */
	int64_t			 time_ms;
	char			 reason[192];	/* REJECTED: theirs; FAILED:
						 * why (Redis, a forged or
						 * self approval refused) */
};

/* NULL and err when there is no Redis URL or it cannot be parsed. */
struct warroom	*warroom_new(const struct warroom_opts *, struct error *);
/* Leaves (presence deleted, the driver key released if ours, bounded
 * wait), stops the worker, frees. */
void		 warroom_free(struct warroom *);

/* Join an incident (leaving the one before).  WR_DRIVING takes the driver
 * key if nobody holds it (else we watch and the view says who drives).
 * Every record of the incident's stream from the first on arrives
 * through warroom_take (a late joiner gets the run so far); after a
 * dropped connection the stream resumes after the last record seen. */
void		 warroom_join(struct warroom *, const char *incident,
		     enum wr_role);
void		 warroom_leave(struct warroom *);
/* Queue an audit record for the incident's stream.  Any thread; never
 * waits.  Records of other incidents than the joined one are published
 * too (the stream is per record's incident). */
void		 warroom_publish(struct warroom *, const char *incident,
		     const char *line);
void		 warroom_view(struct warroom *, struct wr_view *);
/* Move the stream records received since the last call (oldest first,
 * JSON lines; caller frees each and the array). 0 when none. */
int		 warroom_take(struct warroom *, char ***lines, int *n);
/* Give the wheel to session to (must be watching).  Asynchronous: the
 * view's driver changes when Redis has it; -1 now when we do not drive. */
int		 warroom_handover(struct warroom *, const char *to_session);
/* Take the wheel when the driver key has expired (its console is gone). */
int		 warroom_take_wheel(struct warroom *);

/* Publish req (code filled in, requester = self, expiry = now +
 * approval_ttl).  0, or -1 when not connected. */
int		 warroom_request(struct warroom *, struct wr_request *);
/* The answer to our request so far (polled by the worker). */
void		 warroom_answer_state(struct warroom *, const char *code,
		     struct wr_answer *);
/* Withdraw our request (cancelled). */
void		 warroom_withdraw(struct warroom *, const char *code);
/* Requests of the joined incident that are pending (for a follower's
 * approve key); copies, free with wr_requests_free. */
int		 warroom_pending(struct warroom *, struct wr_request **, int *n);
void		 wr_request_free(struct wr_request *);
void		 wr_requests_free(struct wr_request *, int n);
/* Answer someone's request from this console (asynchronous; the result
 * arrives as a message through warroom_messages). */
void		 warroom_answer(struct warroom *, const char *code, int approve,
		     const char *reason);
/* Messages for the status bar ("approved K7QX-2M9D", "refused: you
 * requested it yourself"); caller frees.  0 when none. */
int		 warroom_messages(struct warroom *, char ***msgs, int *n);

/* Synchronous, for `sitrep approve` (a command, no UI): fetch a request,
 * answer it.  Each bounded by the configured timeouts.  0, or -1 and err
 * ("no request K7QX-2M9D (expired or never made)", "you requested it:
 * another person must approve", ...). */
int		 warroom_fetch_request(const struct cfg_warroom *,
		     const char *code, struct wr_request *, struct error *);
int		 warroom_answer_sync(const struct cfg_warroom *,
		     const struct wr_identity *self, const char *code,
		     int approve, const char *reason, struct error *);

/* JSON of a request (for the stream and the key), and back. */
struct cJSON	*wr_request_json(const struct wr_request *);
int		 wr_request_from_json(const struct cJSON *, struct wr_request *);

#endif
