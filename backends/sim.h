/* sim.h: the demo world.  A deterministic (seeded), time-advancing
 * simulation of the platform described in the seeds: a gateway and seven
 * services on Kubernetes, a PostgreSQL primary with two standbys, an outbox
 * per service database, circuits from the gateway to each service, a Redis
 * cache with a replica, and alerts derived from the platform's alert rules.
 *
 * Scenarios are data files (scenarios/NAME.yaml) that schedule faults.  The
 * world advances in whole simulated seconds; sim_advance() is pure given the
 * seed, the scenario and the actions applied, which is what the determinism
 * tests check.  The sim_source class publishes every snapshot kind. */
#ifndef SITREP_SIM_H
#define SITREP_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"
#include "source.h"
#include "util.h"

struct sim;

/* Load scenario NAME (looked up in scenarios/ via paths.h) or a path to a
 * scenario file.  seed 0 = the scenario's own seed.  epoch_ms is the wall
 * time that simulated second 0 maps to. */
struct sim	*sim_new(const char *scenario, uint64_t seed, int64_t epoch_ms,
		     struct error *);
void		 sim_free(struct sim *);

/* Simulated seconds per real second (default 1). */
void		 sim_set_speed(struct sim *, double);
double		 sim_speed(const struct sim *);
const char	*sim_scenario_name(const struct sim *);
const char	*sim_scenario_description(const struct sim *);

/* Advance the world by n simulated seconds. */
void		 sim_advance(struct sim *, int seconds);
int64_t		 sim_now(const struct sim *);	/* simulated seconds */

/* Build a snapshot of the current world (caller owns the reference). */
struct snapshot	*sim_snapshot(struct sim *, enum snap_kind);

/* A 64-bit digest of the whole world state, for determinism tests. */
uint64_t	 sim_digest(const struct sim *);

/* Actions that change the world (the runbooks' sim executor uses these).
 * name is "scale", "restart", "delete-pod", "set-memory-limit", "promote",
 * "replay-outbox", "resume-publisher", "reset-circuit", "resume-replay",
 * ...; args are "key=value" strings.  Thread-safe.  Returns 0 and a one-line
 * result in out, or -1 and the reason in err. */
int		 sim_action(struct sim *, const char *name, int argc,
		     const char *const *argv, char *out, size_t outlen,
		     struct error *);
/* The actions the world supports, NULL-terminated, with a usage line each. */
extern const char *const sim_action_usage[];

/* Register the world's actions as action kind "sim" (action=NAME plus the
 * action's key=value arguments); see core/action.h. */
struct actions;
void		 sim_register_actions(struct sim *, struct actions *);
/* Register the world's read-only queries as action kind "sim.query"
 * (query=NAME plus the query's key=value arguments; the answer is JSON in
 * the output).  The queries are listed in backends/sim_query.c. */
void		 sim_register_queries(struct sim *, struct actions *);

/* The source class: priv is a struct sim *.  Each fetch advances the world
 * to the simulated time that corresponds to now and publishes all kinds. */
extern const struct source_class sim_source;

#endif
