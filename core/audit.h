/* audit.h: the audit trail (docs/audit.md).  Append-only JSON Lines, one
 * record per event, each chained to the one before by prev/hash (SHA-256,
 * or HMAC-SHA256 with a key that evolves forward after every record).
 *
 *   a = audit_open(&opts, &err);           session_start; NULL and why
 *   engine_subscribe(e, audit_engine_event, a);   every engine event; the
 *                                          intent (EV_STEP_STARTED) is on
 *                                          disk (fsync) before it returns
 *                                          0, else -1: the action does not
 *                                          run, audit_error(a) says why
 *   audit_register_actions(a, actions);    "audit.tail" for the console
 *   audit_action_intent(a, ...), audit_note(a, ...), ...
 *   audit_close(a);                        session_end, anchors, worker
 *
 * Several processes may append to one trail: every append takes flock()
 * and re-reads the tail for seq and prev.  Anchors (a file, a PostgreSQL
 * table, a Redis key) and the PostgreSQL mirror are fed by a worker
 * thread; their failures become records, never waits.
 *
 * The readers (verify, tail, export, unfinished runs) work on a path and
 * need no struct audit. */
#ifndef SITREP_AUDIT_H
#define SITREP_AUDIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util.h"

struct action_req;
struct action_result;
struct actions;
struct cJSON;
struct cfg_audit;
struct engine_event;
struct audit;

#define AUDIT_HEAD_MAX		4096	/* output head kept in a record */
#define AUDIT_TEXT_MAX		16384	/* any other string, then cut */
#define AUDIT_ANCHOR_EVERY	100	/* default audit.anchor_every */

struct audit_opts {
	const char		*path;		/* NULL: cfg->path, else the
						 * default (audit_default_path) */
	const char		*key_file;	/* NULL: cfg->key_file, else
						 * none */
	const struct cfg_audit	*cfg;		/* anchors, mirror; may be NULL;
						 * must outlive the audit */
	const char		*incident;	/* the session's, or NULL */
	const char		*env;		/* environment name, or NULL */
	int			 production;
	int			 no_session;	/* no session_start/end */
};

/* Open (create, 0600, its directory fsync'ed) the trail, check it and the
 * key file, write session_start.  NULL and err when the trail cannot be
 * used (a directory or file writable by group or others, a keyed trail
 * without the key, a damaged tail, ...). */
struct audit	*audit_open(const struct audit_opts *, struct error *);
/* session_end, the final anchors (bounded wait), frees. */
void		 audit_close(struct audit *);
const char	*audit_path(const struct audit *);
/* Why the last failed write failed ("" when none has); it stays until
 * the next failure, so read it right after a refusal. */
const char	*audit_error(const struct audit *);
/* $XDG_STATE_HOME/sitrep/audit.jsonl (~/.local/state/sitrep/...). */
int		 audit_default_path(char *, size_t, struct error *);

/* An engine_event_fn: one record per event (the first event of a run also
 * writes runbook_opened).  Returns -1 when the record could not be written;
 * for EV_STEP_STARTED that refuses the action. */
int		 audit_engine_event(void *audit, const struct engine_event *);

/* Records from elsewhere in sitrep.  0, or -1 and err (and audit_error). */
int		 audit_incident(struct audit *, int closed, const char *incident,
		     const char *text, struct error *);
int		 audit_note(struct audit *, const char *incident,
		     const char *text, struct error *);
/* Actions run outside a runbook (silence.create, silence.expire, ...):
 * the intent before (fsync'ed; -1 = do not run it), the result after. */
int		 audit_action_intent(struct audit *, const char *incident,
		     const struct action_req *, struct error *);
void		 audit_action_result(struct audit *, const char *incident,
		     const struct action_req *, const struct action_result *);

/* Any record: type, the run context (each may be NULL) and data (taken,
 * may be NULL; strings in it are redacted).  sync: fsync before return
 * (every record is fsync'ed today; kept for callers that must be sure). */
struct audit_entry {
	const char	*type;
	const char	*incident;
	const char	*env;
	int		 production;
	const char	*runbook_id;
	const char	*runbook_sha256;
	const char	*runbook_path;
	int		 step;		/* -1: none */
	const char	*step_id;
	const char	*step_kind;
	const char	*step_title;
	int		 attempt;
	struct cJSON	*data;
};
int		 audit_append(struct audit *, struct audit_entry *,
		     struct error *);

/* The console's "audit.tail" action: count=N (default 200) formatted
 * records of the trail, newest last, in the result's output. */
void		 audit_register_actions(struct audit *, struct actions *);

/* A tap: fn(arg, incident, line) for every record written, after it is
 * durable, with the record's incident (NULL when it has none) and its
 * JSON line (no newline).  Called on the thread that appended, under the
 * trail's lock: fn must only queue (the war room's publisher does). */
typedef void (*audit_tap_fn)(void *arg, const char *incident,
		     const char *line);
void		 audit_set_tap(struct audit *, audit_tap_fn, void *arg);

/* Redaction: a copy of s with passwords (password=..., URL user:pw@),
 * tokens (token=..., Authorization: Bearer ...) and other secrets replaced
 * by "[redacted]".  Caller frees. */
char		*audit_redact(const char *s);

/* Readers ---------------------------------------------------------------- */

/* The last n lines (records) of a trail, oldest first (caller frees with
 * audit_lines_free).  0, or -1 and err. */
int		 audit_tail(const char *trail, int n, char ***lines, int *count,
		     struct error *);
void		 audit_lines_free(char **, int);
/* One record as a human line: "2026-11-21 03:12:45.123  #12  alice@b1
 * INC-...  started  pg-failover/promote  exec argv=kubectl ..." (caller
 * frees).  Control characters are escaped. */
char		*audit_format(const char *line);

struct audit_verify_opts {
	const char		*key_file;	/* the ORIGINAL key, or NULL */
	const struct cfg_audit	*anchors;	/* check its anchors, or NULL */
	const char		*anchor_file;	/* an anchor file, or NULL */
};
struct audit_verify_result {
	int		 ok;		/* 1: intact */
	uint64_t	 records;
	uint64_t	 first_seq, last_seq;
	char		 head[65];	/* hash of the last record */
	uint64_t	 unkeyed;	/* keyed records not checked (no key) */
	int		 anchors;	/* anchors checked */
	int		 torn;		/* an unfinished last line (warning) */
	long		 bad_line;	/* 1-based; 0 when ok */
	uint64_t	 bad_seq;
	char		 what[24];	/* edited, deleted, reordered, inserted,
					 * truncated, damaged */
	char		 detail[320];
	char		 warning[320];	/* anchors unreachable, torn tail */
};
/* 0 when the trail could be read (res says intact or not), -1 and err when
 * it could not (missing, unreadable, a bad key file). */
int		 audit_verify(const char *trail, const struct audit_verify_opts *,
		     struct audit_verify_result *, struct error *);

/* Runs from records ------------------------------------------------------
 *
 * A run is what the records of one incident and runbook say (the latest
 * run_begin wins): who began it, its parameters, each step's state.
 * Resume reads the runs left unfinished (a run_begin without run_end);
 * following an incident builds them as the records arrive. */
struct audit_step {
	int		 index;
	char		*id;
	char		*title;
	char		*state;		/* shown, confirmed, started, ok,
					 * failed, skipped, cancelled,
					 * refused */
	int		 unknown;	/* started, no finished record */
	char		*note;		/* "outcome unknown: check before
					 * running again", or NULL */
	char		*time;		/* of its last record */
	char		*actor;		/* "user@host" of its last record */
	uint64_t	 seq;		/* its last record */
};
struct audit_param {
	char		*name;
	char		*value;		/* "[redacted]" for secrets */
	int		 secret;
};
struct audit_run {
	char			*incident;
	char			*runbook_id;
	char			*runbook_sha256;
	char			*env;
	char			*actor;		/* who began the run */
	int			 pid;		/* of the process that began it */
	char			*host;
	char			*started;	/* time of run_begin */
	char			*last;		/* time of its last record */
	uint64_t		 begin_seq, last_seq;
	struct audit_param	*params;
	int			 nparams;
	struct audit_step	*steps;		/* in index order */
	int			 nsteps;
	int			 nunknown;	/* steps with outcome unknown */
	int			 open;		/* 1: no run_end yet */
};
/* The runs left unfinished in a trail.  0 (a missing trail has none), or
 * -1 with errno. */
int		 audit_unfinished(const char *trail, struct audit_run **runs,
		     int *n);
void		 audit_runs_free(struct audit_run *, int n);

/* A run builder fed one record at a time (a trail read line by line, a war
 * room's stream): feeding every record at once or one by one gives the
 * same runs. */
struct audit_runs;
struct audit_runs *audit_runs_new(void);
/* One line (a trailing newline is allowed); what is not a record, or not a
 * runbook's record, is ignored. */
void		 audit_runs_feed(struct audit_runs *, const char *line,
		     size_t len);
/* Every run seen, finished ones too, in the order first seen: copies (a
 * step started without a finish record has its note), free with
 * audit_runs_free.  0. */
int		 audit_runs_list(const struct audit_runs *,
		     struct audit_run **, int *n);
void		 audit_runs_release(struct audit_runs *);
/* A run as JSON (incident, runbook, sha256, actor, started, params [name,
 * value ("" for secrets), secret], steps [index, state, unknown]): what
 * resume keeps of it.  Caller deletes. */
struct cJSON	*audit_run_json(const struct audit_run *);

/* Export an incident's timeline (format "md" or "json") to out. */
int		 audit_export(const char *trail, const char *incident,
		     const char *format, FILE *out, struct error *);

/* A new key file (0600, 32 random bytes, not bound to a seq yet).  The
 * caller copies it offline BEFORE first use (docs/audit.md). */
int		 audit_keygen(const char *path, struct error *);

#endif
