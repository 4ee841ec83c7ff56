/* alertmanager.h: the Alertmanager source and the silence actions.
 *
 * The source reads GET /api/v2/alerts?active=true&silenced=true&
 * inhibited=true from every configured Alertmanager of the environment
 * (the list is one HA cluster, asked in parallel), merges the answers by
 * fingerprint (the copy with the newest updatedAt wins) and publishes one
 * SNAP_ALERTS snapshot.  One instance failing while another answers is a
 * note in the snapshot, not a failure; the source fails only when none
 * answered.  docs/alertmanager.md says what is read and why.
 *
 * The actions, registered by alertmanager_register_actions():
 *   silence.create  matcher=NAME=VALUE (repeatable), duration=2h,
 *                   comment=TEXT, created_by=USER@HOST
 *                   -> POST /api/v2/silences to the first instance that
 *                   answers; the summary names the silence id
 *   silence.expire  id=SILENCE-ID -> DELETE /api/v2/silence/ID
 *   silence.list    -> GET /api/v2/silences; res->output is the text */
#ifndef SITREP_ALERTMANAGER_H
#define SITREP_ALERTMANAGER_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "snapshot.h"
#include "source.h"
#include "util.h"

struct actions;

extern const struct source_class alertmanager_source;

/* A not-started source (kinds SNAP_ALERTS, interval env->refresh_ms) over
 * every cfg_alertmanager of env, owned by the caller (source_stop frees
 * it).  NULL with err->msg "" when env has none.  env may be freed
 * afterwards: the source keeps copies. */
struct source	*alertmanager_source_new(const struct cfg_env *,
		     struct error *);

/* Register silence.create, silence.expire and silence.list on actions,
 * run against src's Alertmanagers.  Does nothing when src is not an
 * alertmanager_source, so that a caller may offer it every source.  src
 * must outlive actions (free actions first, as sitrep.c does). */
void		 alertmanager_register_actions(struct source *,
		     struct actions *);

/* Parsing, for the tests and the fuzzer ----------------------------------- */

/* An RFC 3339 time ("2026-11-21T09:15:02.123456789Z", "...+01:00") in
 * epoch ms, or -1. */
int64_t		 alertmanager_time_ms(const char *);
/* Epoch ms as RFC 3339 UTC with milliseconds. */
void		 alertmanager_fmt_time(char *, size_t, int64_t ms);

/* The body of GET /api/v2/alerts into *rows (caller frees, never NULL on
 * success) and *n; updated (may be NULL) receives each row's updatedAt in
 * epoch ms (caller frees).  0, or -1 with err when the body is not an
 * Alertmanager v2 alert list. */
int		 alertmanager_parse_alerts(const char *body, struct alert **rows,
		     int64_t **updated, int *n, char *err, size_t errlen);
/* Merge rows from several instances in place: one row per fingerprint,
 * the one with the newest updated (ties: the suppressed one, which has
 * heard of the silence or inhibition).  Returns the new count. */
int		 alertmanager_dedupe(struct alert *rows, int64_t *updated, int n);

#endif
