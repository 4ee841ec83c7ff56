/* fuzz_prometheus.c: libFuzzer target for what the circuits source reads
 * (prometheus.h): Prometheus query answers (instant vectors for
 * resilience4j, envoy and custom, the range matrix of Polly's events,
 * {"status":"error"} and other refusals) and the health endpoints' bodies
 * (JSON or ASP.NET Core's plain text), through two fetches of a real
 * source, so that since_ms tracking runs too.  The input's layout is in
 * fuzz_prometheus.h.
 *
 *   make fuzz-build && build/fuzz/fuzz_prometheus \
 *       -dict=tests/fuzz/prometheus.dict CORPUS_DIR
 *
 * Every input gives a snapshot that keeps the promises of snapshot.h or
 * an error that says what, and leaves nothing allocated. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_prometheus.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_str(const char *s, size_t size)
{
	if (memchr(s, '\0', size) == NULL)
		abort();
}

static void
check_snapshot(const struct snapshot *s)
{
	const struct circuits_data	*d = &s->u.circuits;
	const struct circuit		*c;
	int				 i, k;

	check_str(d->note, sizeof d->note);
	if (d->n < 0 || (d->n > 0 && d->rows == NULL))
		abort();
	for (i = 0; i < d->n; i++) {
		c = &d->rows[i];
		check_str(c->service, sizeof c->service);
		check_str(c->dependency, sizeof c->dependency);
		check_str(c->health, sizeof c->health);
		if (c->service[0] == '\0' || c->dependency[0] == '\0')
			abort();
		if (c->state != CIRCUIT_CLOSED && c->state != CIRCUIT_OPEN &&
		    c->state != CIRCUIT_HALF_OPEN)
			abort();
		if (c->health[0] != '\0' && strcmp(c->health, "up") != 0 &&
		    strcmp(c->health, "down") != 0 && strcmp(c->health,
		    "degraded") != 0)
			abort();
		if (i == 0)
			continue;
		k = strcmp(c[-1].service, c->service);
		if (k > 0 || (k == 0 && strcmp(c[-1].dependency,
		    c->dependency) >= 0))
			abort();	/* sorted, each circuit once */
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store		*st;
	struct source		*src;
	struct snapshot		*snap;
	struct error		 err;
	int			 f;

	if (size < 1)
		return (0);
	st = store_new();
	src = fz_source(data, size, st);
	for (f = 0; f < 2; f++) {
		memset(&err, 0, sizeof err);
		if (src->cls->fetch(src, &err) != 0 && err.msg[0] == '\0')
			abort();	/* a failure says what */
		store_drain(st);
	}
	if ((snap = store_get(st, SNAP_CIRCUITS, NULL)) != NULL) {
		check_snapshot(snap);
		snapshot_unref(snap);
	}
	source_stop(src, 0);
	store_free(st);
	return (0);
}
