/* sim.c: the demo world: its life cycle, its clock, its generator, the
 * digest and the sim_source data source.
 *
 * The parts of the world live in sim_kube.c (Kubernetes), sim_pg.c
 * (PostgreSQL), sim_flow.c (service health, circuits, outboxes),
 * sim_redis.c (the Redis cache) and sim_alerts.c (alert rules);
 * scenarios in sim_scenario.c and actions in sim_action.c.  One mutex guards the whole world: sim_advance,
 * sim_snapshot, sim_action and sim_digest take it; the internal functions
 * (sim_world.h) expect it held. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim_world.h"
#include "xmalloc.h"

/* Generator: splitmix64, small and good enough for a world. */
void
sim_rng_seed(struct sim_rng *r, uint64_t seed)
{
	r->s = seed ^ 0x5d1a3c0ffee5eedULL;
}

uint64_t
sim_rng_next(struct sim_rng *r)
{
	uint64_t	z;

	z = (r->s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31));
}

double
sim_rng_unit(struct sim_rng *r)
{
	return ((double)(sim_rng_next(r) >> 11) / 9007199254740992.0);
}

int
sim_rng_int(struct sim_rng *r, int lo, int hi)
{
	if (hi <= lo)
		return (lo);
	return (lo + (int)(sim_rng_next(r) % (uint64_t)(hi - lo + 1)));
}

/* History ring for sparklines. */
void
sim_hist_push(struct sim_hist *h, double v)
{
	h->v[h->head] = v;
	h->head = (h->head + 1) % SPARK_LEN;
	if (h->n < SPARK_LEN)
		h->n++;
}

int
sim_hist_copy(const struct sim_hist *h, double *out)
{
	int	i, first;

	first = (h->head - h->n + SPARK_LEN) % SPARK_LEN;
	for (i = 0; i < h->n; i++)
		out[i] = h->v[(first + i) % SPARK_LEN];
	return (h->n);
}

/* Digest: a 64-bit mix of every value fed, in order. */
void
sim_dg_u64(struct sim_dg *d, uint64_t v)
{
	d->h ^= v + 0x9e3779b97f4a7c15ULL + (d->h << 6) + (d->h >> 2);
	d->h *= 0xff51afd7ed558ccdULL;
	d->h ^= d->h >> 33;
}

void
sim_dg_dbl(struct sim_dg *d, double v)
{
	uint64_t	bits;

	memcpy(&bits, &v, sizeof bits);
	sim_dg_u64(d, bits);
}

uint64_t
sim_hash_str(const char *s)
{
	uint64_t	h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return (h);
}

void
sim_dg_str(struct sim_dg *d, const char *s)
{
	sim_dg_u64(d, sim_hash_str(s));
}

void
sim_dg_hist(struct sim_dg *d, const struct sim_hist *h)
{
	double	v[SPARK_LEN];
	int	i, n;

	n = sim_hist_copy(h, v);
	sim_dg_u64(d, (uint64_t)n);
	for (i = 0; i < n; i++)
		sim_dg_dbl(d, v[i]);
}

int64_t
sim_wall_ms(const struct sim *s, int64_t t)
{
	return (s->epoch_ms + t * 1000);
}

/* Life cycle ------------------------------------------------------------ */
struct sim *
sim_new(const char *scenario, uint64_t seed, int64_t epoch_ms,
    struct error *err)
{
	struct sim	*s;

	s = xcalloc(1, sizeof *s);
	s->lock = xmalloc(sizeof (pthread_mutex_t));
	pthread_mutex_init(s->lock, NULL);
	if (sim_scenario_load(&s->sc, scenario, err) != 0)
		goto fail;
	s->seed = seed != 0 ? seed : s->sc.seed;
	sim_rng_seed(&s->rng, s->seed);
	s->epoch_ms = epoch_ms;
	s->speed = 1.0;
	s->load = s->load_now = 1.0;
	sim_kube_init(s);
	sim_pg_init(s);
	sim_redis_init(s);
	if (sim_scenario_check(s, err) != 0)
		goto fail;
	sim_scenario_apply_world(s);
	sim_kube_populate(s);
	sim_flow_init(s);
	sim_scenario_due(s);
	return (s);
fail:
	sim_free(s);
	return (NULL);
}

void
sim_free(struct sim *s)
{
	if (s == NULL)
		return;
	sim_scenario_free(&s->sc);
	sim_alerts_free(s);
	pthread_mutex_destroy(s->lock);
	free(s->lock);
	free(s);
}

const char *
sim_scenario_name(const struct sim *s)
{
	return (s->sc.name);
}

const char *
sim_scenario_description(const struct sim *s)
{
	return (s->sc.description);
}

/* Clock ----------------------------------------------------------------- */

/* The simulated time the source should have reached at wall time now. */
static double
sim_target(const struct sim *s, int64_t now)
{
	return (s->anchor_sim + (double)(now - s->anchor_real) * s->speed /
	    1000.0);
}

void
sim_set_speed(struct sim *s, double speed)
{
	int64_t	now = now_ms();

	if (speed <= 0 || !isfinite(speed))
		return;
	pthread_mutex_lock(s->lock);
	if (s->anchored) {
		s->anchor_sim = sim_target(s, now);
		s->anchor_real = now;
	}
	s->speed = speed;
	pthread_mutex_unlock(s->lock);
}

double
sim_speed(const struct sim *s)
{
	double	v;

	pthread_mutex_lock(s->lock);
	v = s->speed;
	pthread_mutex_unlock(s->lock);
	return (v);
}

/* The daily wave of load, with a little noise, times the fault factor. */
static void
sim_load_update(struct sim *s)
{
	double	wave;

	wave = 1.0 + 0.08 * sin(2.0 * M_PI * (double)s->t / 1200.0);
	s->load_now = s->load * wave * (0.97 + 0.06 * sim_rng_unit(&s->rng));
}

static void
sim_tick(struct sim *s)
{
	s->t++;
	sim_load_update(s);
	sim_scenario_due(s);
	sim_kube_tick(s);
	sim_pg_tick(s);
	sim_flow_tick(s);
	sim_redis_tick(s);
	sim_alerts_eval(s);
}

void
sim_advance(struct sim *s, int seconds)
{
	int	i;

	pthread_mutex_lock(s->lock);
	for (i = 0; i < seconds; i++)
		sim_tick(s);
	pthread_mutex_unlock(s->lock);
}

int64_t
sim_now(const struct sim *s)
{
	int64_t	t;

	pthread_mutex_lock(s->lock);
	t = s->t;
	pthread_mutex_unlock(s->lock);
	return (t);
}

/* Snapshots ------------------------------------------------------------- */
static struct sim *
sim_unconst(const struct sim *s)
{
	union {
		const struct sim	*c;
		struct sim		*m;
	} u;

	u.c = s;
	return (u.m);
}

static struct snapshot *
sim_snapshot_locked(struct sim *s, enum snap_kind kind)
{
	struct snapshot	*snap;

	snap = snapshot_new(kind);
	snap->fetched_ms = sim_wall_ms(s, s->t);
	switch (kind) {
	case SNAP_PODS:
		sim_kube_snapshot(s, &snap->u.pods);
		break;
	case SNAP_REPLICATION:
		sim_pg_snapshot(s, &snap->u.repl);
		break;
	case SNAP_OUTBOX:
		sim_outbox_snapshot(s, &snap->u.outbox);
		break;
	case SNAP_CIRCUITS:
		sim_circuit_snapshot(s, &snap->u.circuits);
		break;
	case SNAP_ALERTS:
		sim_alerts_snapshot(s, &snap->u.alerts);
		break;
	case SNAP_REDIS:
		sim_redis_snapshot(s, &snap->u.redis);
		break;
	case SNAP__COUNT:
		break;
	}
	return (snap);
}

struct snapshot *
sim_snapshot(struct sim *s, enum snap_kind kind)
{
	struct snapshot	*snap;

	pthread_mutex_lock(s->lock);
	snap = sim_snapshot_locked(s, kind);
	pthread_mutex_unlock(s->lock);
	return (snap);
}

uint64_t
sim_digest(const struct sim *cs)
{
	struct sim	*s = sim_unconst(cs);
	struct sim_dg	 d = { 0xcbf29ce484222325ULL };

	pthread_mutex_lock(s->lock);
	sim_dg_u64(&d, (uint64_t)s->t);
	sim_dg_u64(&d, s->rng.s);
	sim_dg_dbl(&d, s->load);
	sim_dg_dbl(&d, s->load_now);
	sim_dg_u64(&d, (uint64_t)s->sc.next);
	sim_kube_digest(s, &d);
	sim_pg_digest(s, &d);
	sim_flow_digest(s, &d);
	sim_redis_digest(s, &d);
	sim_alerts_digest(s, &d);
	pthread_mutex_unlock(s->lock);
	return (d.h);
}

int
sim_action(struct sim *s, const char *name, int argc,
    const char *const *argv, char *out, size_t outlen, struct error *err)
{
	int	rc;

	pthread_mutex_lock(s->lock);
	rc = sim_action_run(s, name, argc, argv, out, outlen, err);
	pthread_mutex_unlock(s->lock);
	return (rc);
}

/* The source ------------------------------------------------------------ */

/* Anchors the simulated clock to the wall clock on the first open; the
 * world may already be ahead of 0 (advanced by the caller). */
static int
sim_src_open(struct source *src, struct error *err)
{
	struct sim	*s = src->priv;

	if (s == NULL) {
		error_set(err, "sim: no world");
		return (-1);
	}
	pthread_mutex_lock(s->lock);
	if (!s->anchored) {
		s->anchored = 1;
		s->anchor_real = now_ms();
		s->anchor_sim = (double)s->t;
	}
	pthread_mutex_unlock(s->lock);
	return (0);
}

static int
sim_src_fetch(struct source *src, struct error *err)
{
	struct sim	*s = src->priv;
	struct snapshot	*snap[SNAP__COUNT];
	int64_t		 now = now_ms(), n;
	double		 target;
	int		 k;

	pthread_mutex_lock(s->lock);
	target = sim_target(s, now);
	n = (int64_t)floor(target) - s->t;
	if (n > SIM_TICK_CAP)
		n = SIM_TICK_CAP;
	for (; n > 0; n--)
		sim_tick(s);
	/* The world's now is the real now: at speed 1 this is the epoch of
	 * the anchor; faster, the past stretches so that ages read in
	 * simulated time ("fired 5m ago"). */
	s->epoch_ms = now - (int64_t)llround(target * 1000.0);
	for (k = 0; k < SNAP__COUNT; k++) {
		snap[k] = sim_snapshot_locked(s, k);
		snap[k]->fetched_ms = now;
	}
	pthread_mutex_unlock(s->lock);
	for (k = 0; k < SNAP__COUNT; k++)
		source_publish(src, snap[k]);
	return (0);
}

/* The world belongs to whoever made it (sitrep.c); close keeps it. */
static void
sim_src_close(struct source *src)
{
}

const struct source_class sim_source = {
	.name = "sim",
	.open = sim_src_open,
	.fetch = sim_src_fetch,
	.close = sim_src_close,
};
