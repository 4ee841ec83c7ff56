/* prometheus.h: the circuits source.  Circuit-breaker states read from
 * Prometheus (POST /api/v1/query) with one of four presets (resilience4j,
 * polly, envoy, custom: see docs/prometheus.md for the exact queries), and
 * the dependencies' own health endpoints, in one SNAP_CIRCUITS snapshot.
 *
 * A Prometheus failure (transport, HTTP status, {"status":"error"}) fails
 * the fetch: the panel keeps the last good data dimmed with the error.  A
 * health endpoint that fails is data ("down", the reason in the note). */
#ifndef SITREP_PROMETHEUS_H
#define SITREP_PROMETHEUS_H

#include "config.h"
#include "snapshot.h"
#include "source.h"
#include "util.h"

extern const struct source_class prometheus_source;

/* A not-started source (kinds SNAP_CIRCUITS, interval env->refresh_ms),
 * owned by the caller (source_stop frees it).  NULL with err->msg "" when
 * env has neither a prometheus section nor health entries; NULL with the
 * reason when a label name is not a Prometheus label name.  env may be
 * freed afterwards. */
struct source	*prometheus_source_new(const struct cfg_env *, struct error *);

/* For the tests ---------------------------------------------------------- */

/* A breaker's state name (resilience4j's closed, open, half_open,
 * forced_open, disabled, metrics_only; "half-open"; any case): 0 and *s, or
 * -1 when unknown. */
int		 prometheus_state_parse(const char *, enum circuit_state *);

/* Polly: the state after one scrape interval in which the circuit's
 * OnCircuitOpened, OnCircuitHalfOpened and OnCircuitClosed counters grew
 * by opened, half and closed, from state s0 (docs/prometheus.md). */
enum circuit_state prometheus_polly_step(enum circuit_state s0,
		     double opened, double half, double closed);

#endif
