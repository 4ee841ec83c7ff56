/* redis.h: the Redis source.  One source per environment reads every
 * configured Redis server (hiredis, blocking with connect and per-command
 * timeouts) and publishes one SNAP_REDIS snapshot with a row per server:
 * its role, replication link, replicas, memory, evictions, rejected
 * connections, clients and persistence, all from INFO (docs/redis.md).
 * A server that cannot be read is a row with its error, not a failure of
 * the source; the source fails only when no server answered. */
#ifndef SITREP_REDIS_H
#define SITREP_REDIS_H

#include "config.h"
#include "snapshot.h"
#include "source.h"
#include "util.h"

/* The source class; priv is the class's own (made by redis_source_new). */
extern const struct source_class redis_source;

/* A not-started source (kinds SNAP_REDIS, interval env->refresh_ms) for
 * every cfg_redis of env, owned by the caller (source_stop frees it).  NULL
 * with err->msg "" when env has no Redis, or NULL and the reason (e.g. TLS
 * asked of a build without TLS).  env may be freed afterwards: the source
 * keeps copies. */
struct source	*redis_source_new(const struct cfg_env *, struct error *);

/* Parse the text of INFO into the INFO-derived fields of n (name, addr and
 * error are left alone; the others are reset first, unknowns to -1 where
 * the field says so).  Lines are "key:value" ending in LF or CRLF; "#"
 * section titles, blank and malformed lines are skipped.  Ages are taken
 * against the server's own clock (server_time_usec) when present, else
 * now_s.  0, or -1 when the text has no role (not INFO). */
int		 redis_info_parse(const char *text, struct redis_node *n,
		     int64_t now_s);

#endif
