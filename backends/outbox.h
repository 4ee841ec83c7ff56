/* outbox.h: the outbox backlog source.  One source per environment reads
 * every configured outbox table (cfg_outbox) with one query per table per
 * refresh and publishes one SNAP_OUTBOX snapshot with a row per outbox:
 * pending messages, the age of the oldest, failed ones, those processed in
 * the last 1 and 5 minutes, and the pending trend (docs/outbox.md).
 *
 * Connections are libpq, non-blocking and bounded on the client side: the
 * connect by connect_timeout, each query by statement_timeout + 1 s (the
 * server cancels at statement_timeout; past the client deadline sitrep
 * sends a cancel and drops the connection).  One connection serves every
 * outbox of the same server and database.  An outbox that cannot be read
 * is a row with its error, not a failure of the source; the source fails
 * only when no outbox could be read. */
#ifndef SITREP_OUTBOX_H
#define SITREP_OUTBOX_H

#include "config.h"
#include "source.h"
#include "util.h"

/* The source class; priv is the class's own (made by outbox_source_new). */
extern const struct source_class outbox_source;

/* A not-started source (kinds SNAP_OUTBOX, interval env->refresh_ms) for
 * every cfg_outbox of env, owned by the caller (source_stop frees it).
 * NULL with err->msg "" when env has no outbox, or NULL and the reason.
 * env may be freed afterwards: the source keeps copies. */
struct source	*outbox_source_new(const struct cfg_env *, struct error *);

#endif
