/* postgres.h: the PostgreSQL replication source.  One source per
 * environment watches every configured PostgreSQL server (cfg_postgres),
 * keeps one connection to each across refreshes, and publishes one
 * SNAP_REPLICATION snapshot: a row per server as it sees itself (primary,
 * standby with its WAL receiver and replay lag, or down with the reason),
 * and from the primary its pg_stat_replication rows and replication slots
 * (docs/postgres.md).
 *
 * Every connect and query is bounded on the client side: the connect by
 * connect_timeout, each query by statement_timeout + 1 s (past it sitrep
 * cancels the query and drops the connection).  A server that cannot be
 * read is a row with its error, not a failure of the source; the source
 * fails only when no server answered. */
#ifndef SITREP_POSTGRES_H
#define SITREP_POSTGRES_H

#include "config.h"
#include "source.h"
#include "util.h"

/* The source class; priv is the class's own (made by
 * postgres_source_new, freed through cls->free by source_stop). */
extern const struct source_class postgres_source;

/* A not-started source (kinds SNAP_REPLICATION, interval env->refresh_ms)
 * for every cfg_postgres of env, owned by the caller (source_stop frees
 * it).  NULL with err->msg "" when env has no PostgreSQL server, or NULL
 * and the reason (a conninfo libpq cannot parse).  env may be freed
 * afterwards: the source keeps copies. */
struct source	*postgres_source_new(const struct cfg_env *, struct error *);

#endif
