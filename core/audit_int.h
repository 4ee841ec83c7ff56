/* audit_int.h: inside the audit trail, shared by its parts.  Nothing else
 * includes it (tests do).
 *
 *   audit.c         open/close, the session, the engine hook, the record
 *                   helpers for the rest of sitrep, the actor
 *   audit_record.c  the record: canonical serialisation, parsing a line,
 *                   SHA-256 / HMAC-SHA256 (OpenSSL EVP), the key file and
 *                   its forward evolution, text made safe (UTF-8, length)
 *   audit_file.c    the trail file: creation and permission checks, flock,
 *                   the tail (seq, prev), torn-tail recovery, append+fsync
 *   audit_redact.c  secrets out of text
 *   audit_net.c     PostgreSQL and Redis with timeouts: anchors and mirror
 *   audit_worker.c  the worker thread feeding anchors and the mirror
 *   audit_read.c    reading a trail: lines, tail, format, unfinished runs
 *   audit_verify.c  verification
 *   audit_export.c  the incident timeline
 *   audit_cli.c     `sitrep audit ...` */
#ifndef SITREP_AUDIT_INT_H
#define SITREP_AUDIT_INT_H

#include <sys/types.h>

#include <pthread.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "audit.h"

#define AUDIT_VERSION		1
#define AUDIT_GENESIS \
	"0000000000000000000000000000000000000000000000000000000000000000"
#define AUDIT_KEY_LABEL		"sitrep-audit-key"
#define AUDIT_KEY_MAGIC		"sitrep-audit-key-v1"
#define AUDIT_ALG_PLAIN		"sha256"
#define AUDIT_ALG_HMAC		"hmac-sha256"
#define AUDIT_TAIL_MAX		(8 * 1024 * 1024)  /* tail search limit */
#define AUDIT_LOCK_WAIT_MS	10000	/* flock() gives up after this */
/* ,"hash":"<64 hex>"} */
#define AUDIT_HASH_SUFFIX	75

struct audit_worker;
struct cfg_audit_pg;

struct audit {
	char			*path;
	char			*key_path;	/* NULL: plain SHA-256 */
	int			 fd;		/* O_RDWR|O_APPEND, or -1 */
	dev_t			 dev;
	ino_t			 ino;
	pthread_mutex_t		 mu;		/* threads; flock: processes */
	cJSON			*actor;
	char			 who[320];	/* "user@host" */
	char			*incident;
	char			*env;
	int			 production;
	int			 session;	/* session_start written */
	int			 anchor_every;
	const struct cfg_audit	*cfg;
	struct audit_worker	*worker;	/* NULL: no anchors, mirror */
	char			 err[256];
	uint64_t		 tail_seq;	/* before our last append */
	uint64_t		 last_seq;	/* of our last append */
	char			 last_hash[65];
	int			 fail_next;	/* tests: fail the next append */
	audit_tap_fn		 tap;		/* every record, once durable */
	void			*tap_arg;
};

/* audit_record.c --------------------------------------------------------- */

/* A line of the trail, parsed. */
struct arec {
	cJSON		*root;		/* the canonical part (owned) */
	uint64_t	 seq;
	int		 keyed;		/* alg hmac-sha256 */
	const char	*type;		/* in root */
	char		 prev[65];
	char		 hash[65];
	size_t		 canon_len;	/* line bytes before ,"hash" */
};
/* Parse a line (without its newline).  0, or -1 and why (not a record). */
int		 arec_parse(const char *line, size_t len, struct arec *,
		     char *why, size_t);
void		 arec_free(struct arec *);
/* 1 when the line's canonical part is exactly what the writer makes of
 * the parsed record (key order, no whitespace, escapes). */
int		 arec_is_canonical(const struct arec *, const char *line);
/* The record's message digest: SHA-256 or, with key (32 bytes), HMAC-SHA256
 * over prev (64 hex characters) followed by the canonical bytes: the line
 * up to ,"hash" then "}".  0, or -1 (OpenSSL failed). */
int		 arec_digest(const unsigned char *key, const char *prev,
		     const char *line, size_t canon_len, char out[65]);
/* A record's new line (with its newline) from rec, which must hold the
 * members up to prev in order; out the hash.  Caller frees. */
char		*arec_line(cJSON *rec, const unsigned char *key, size_t *len,
		     char hash[65]);
/* "2026-11-21T03:12:45.123Z" */
void		 arec_time(int64_t ms, char buf[32]);
/* Text fit for a record: valid UTF-8 (bad bytes become U+FFFD), at most
 * max bytes (then "...[N bytes cut]").  Caller frees. */
char		*arec_text(const char *, size_t len, size_t max);
/* Add name: text (made fit, redacted) when text is not NULL. */
void		 arec_add_text(cJSON *, const char *name, const char *text);
void		 arec_add_raw(cJSON *, const char *name, const char *text);
void		 arec_add_int(cJSON *, const char *name, int64_t);
/* Redact every string under j (in place). */
void		 arec_redact_tree(cJSON *);
/* SHA-256 of buf as hex. */
void		 arec_sha256(const void *, size_t, char out[65]);
/* 1 when s is 64 lowercase hex digits. */
int		 arec_is_hex64(const char *);
const char	*arec_str(const cJSON *obj, const char *name);
int64_t		 arec_int(const cJSON *obj, const char *name, int64_t def);

/* The key file: "sitrep-audit-key-v1 SEQ HEX\n"; SEQ is the seq of the
 * record the key signs next, 0 = not bound yet. */
struct akey {
	uint64_t	 seq;
	unsigned char	 k[32];
};
int		 akey_read(const char *path, struct akey *, struct error *);
/* Atomically (temporary file, fsync, rename, fsync of the directory). */
int		 akey_write(const char *path, const struct akey *,
		     struct error *);
/* k = SHA-256("sitrep-audit-key" || k); the old value is wiped. */
void		 akey_next(unsigned char k[32]);
/* Wind a key forward to seq. */
void		 akey_advance(struct akey *, uint64_t seq);

/* audit_file.c ----------------------------------------------------------- */

struct atail {
	uint64_t	 seq;		/* 0: empty trail */
	char		 hash[65];	/* GENESIS when empty */
	int		 keyed;
	off_t		 good_end;	/* end of the last good record */
	off_t		 size;
};
/* Check the directory and the trail (creating them, 0700 / 0600), open. */
int		 afile_open(struct audit *, struct error *);
void		 afile_close(struct audit *);
/* Under the lock: the tail, completing rec (v, seq, time, type, actor and
 * context, built in order by the caller) with seq, time, alg, prev, then
 * append + fsync (and the key file wound on).  rec is consumed. */
int		 afile_append(struct audit *, cJSON *rec, struct error *);
/* At open, under the lock: what every append would refuse, refused now. */
int		 afile_precheck(struct audit *, struct error *);
/* The last good record of an open trail (no lock). */
int		 afile_tail(int fd, struct atail *, struct error *);
/* Refuse a path writable by group or others, or owned by someone else. */
int		 afile_check_dir(const char *dir, struct error *);
int		 afile_fsync_dir(const char *path, struct error *);

/* audit.c ---------------------------------------------------------------- */

/* A new record with v, seq, time, type, actor (and ctx), in order. */
cJSON		*audit_rec_new(struct audit *, const struct audit_entry *);

/* audit_worker.c --------------------------------------------------------- */

struct audit_worker	*aworker_start(struct audit *);
/* Anchor this head (when every N, or at the end). */
void		 aworker_anchor(struct audit_worker *, uint64_t seq,
		     const char *hash);
void		 aworker_wake(struct audit_worker *);
/* Stop: the queued anchors first, at most wait_ms.  0 when stopped and
 * freed; -1 when it is still in a call (then it is left running, with the
 * struct audit it uses). */
int		 aworker_stop(struct audit_worker *, int wait_ms);

/* audit_net.c ------------------------------------------------------------ */

struct anchor {
	char		 source[16];	/* file, postgres, redis */
	char		 trail[65];
	uint64_t	 seq;
	char		 hash[65];
	char		 time[40];
};
/* Store (seq, hash) of trail (its first record's hash) in each anchor
 * configured; a failure calls fail(arg, source, why) and goes on. */
void		 anet_anchor(const struct cfg_audit *, const char *trail_id,
		     uint64_t seq, const char *hash, const char *host,
		     void (*fail)(void *, const char *, const char *),
		     void *arg);
/* Every anchor of trail_id (caller frees *out).  0, or -1 and err. */
int		 anet_anchors(const struct cfg_audit *, const char *file,
		     const char *trail_id, struct anchor **out, int *n,
		     struct error *);
int		 anet_file_anchors(const char *file, const char *trail_id,
		     struct anchor **out, int *n, struct error *);
int		 anet_file_anchor(const char *file, const char *trail_id,
		     uint64_t seq, const char *hash, struct error *);

/* The mirror: one connection kept by the worker. */
struct amirror;
struct amirror	*amirror_new(const struct cfg_audit_pg *);
void		 amirror_free(struct amirror *);
/* INSERT the record (idempotent); 0, or -1 and err (connection dropped). */
int		 amirror_insert(struct amirror *, const struct arec *,
		     const char *line, const char *trail_id, struct error *);

/* audit_read.c ----------------------------------------------------------- */

/* Lines of a trail, one at a time. */
struct areader {
	FILE	*f;
	char	*buf;
	size_t	 cap;
	size_t	 len;		/* of the current line, without newline */
	long	 lineno;
	int	 newline;	/* the line ended with a newline */
	off_t	 off;		/* offset of the current line */
	off_t	 next;		/* offset after it */
};
int		 areader_open(struct areader *, const char *path);
/* 1 and the next line in r->buf, 0 at the end, -1 on a read error. */
int		 areader_next(struct areader *);
void		 areader_close(struct areader *);
/* The hash of the first record of a trail (its identity), or -1. */
int		 aread_trail_id(const char *path, char out[65]);
/* "alice@bastion-1" from a record's actor. */
void		 aread_who(const cJSON *root, char *, size_t);

#endif
