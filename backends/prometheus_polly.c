/* prometheus_polly.c: Polly v8 circuit states from its telemetry.
 *
 * Polly has no state gauge: it counts events.  resilience_polly_strategy_
 * events_total{event_name="OnCircuitOpened" | "OnCircuitHalfOpened" |
 * "OnCircuitClosed"} grows by one at each transition.  We read the raw
 * samples of the last POLLY_WINDOW_S seconds (one instant query of a range
 * vector), turn each series into the increases it shows, and replay them
 * in time order through the breaker's cycle (closed -> open -> half-open
 * -> closed or open again).  The state after the last increase is the
 * current one; the time of the sample that showed the last transition is
 * since_ms (as precise as the scrape interval).  docs/prometheus.md says
 * why this and not a PromQL expression.
 *
 * A circuit with no event in the window keeps the state the source saw
 * before (closed if it never saw one). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prometheus_int.h"
#include "xmalloc.h"

enum { EV_OPENED, EV_HALF, EV_CLOSED, EV__COUNT };

static const char *const ev_names[EV__COUNT] = { "OnCircuitOpened",
	"OnCircuitHalfOpened", "OnCircuitClosed" };

/* One increase of one event counter. */
struct pev {
	int64_t	 ms;
	int	 ev;
	double	 delta;
};

/* One breaker instance: a pipeline in one process. */
struct pgroup {
	char			 key[320];
	char			 service[48];
	char			 dependency[48];
	struct pev		*v;
	int			 n, cap;
	enum circuit_state	 state;
	int64_t			 since_ms;
	int			 known;		/* an event was seen */
};

struct pgroups {
	struct pgroup	*g;
	int		 n, cap;
};

enum circuit_state
prometheus_polly_step(enum circuit_state s0, double opened, double half,
    double closed)
{
	/* Every OnCircuitHalfOpened leaves open; so the circuit ends open
	 * exactly when it entered open once more than it left. */
	if (opened - half + (s0 == CIRCUIT_OPEN) >= 1)
		return (CIRCUIT_OPEN);
	if (closed > 0)
		return (CIRCUIT_CLOSED);
	if (half > 0)
		return (CIRCUIT_HALF_OPEN);
	return (s0);
}

static int
ev_index(const char *name)
{
	int	i;

	for (i = 0; name != NULL && i < EV__COUNT; i++)
		if (strcmp(name, ev_names[i]) == 0)
			return (i);
	return (-1);
}

static const char *
lbl(const cJSON *metric, const char *name)
{
	const char	*s = prom_label(metric, name);

	return (s != NULL ? s : "");
}

/* The breaker instance a series belongs to: its service, dependency and
 * the labels that tell processes and pipelines apart (not the event's
 * own: event_name, event_severity, exception_type, operation_key). */
static struct pgroup *
group_of(const struct prom *p, struct pgroups *gs, const cJSON *metric)
{
	struct pgroup	*g;
	const char	*svc = prom_service(p, metric);
	const char	*dep = lbl(metric, p->l_dependency);
	char		 key[320];
	int		 i;

	snprintf(key, sizeof key, "%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s", svc, dep,
	    lbl(metric, "job"), lbl(metric, "instance"),
	    lbl(metric, "pipeline_instance"), lbl(metric, "strategy_name"));
	for (i = 0; i < gs->n; i++)
		if (strcmp(gs->g[i].key, key) == 0)
			return (&gs->g[i]);
	if (gs->n == gs->cap) {
		gs->cap = gs->cap ? gs->cap * 2 : 8;
		gs->g = xreallocarray(gs->g, (size_t)gs->cap, sizeof *gs->g);
	}
	g = &gs->g[gs->n++];
	memset(g, 0, sizeof *g);
	strlcpy_(g->key, key, sizeof g->key);
	strlcpy_(g->service, svc, sizeof g->service);
	strlcpy_(g->dependency, dep, sizeof g->dependency);
	return (g);
}

static void
group_add(struct pgroup *g, int64_t ms, int ev, double delta)
{
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 16;
		g->v = xreallocarray(g->v, (size_t)g->cap, sizeof *g->v);
	}
	g->v[g->n++] = (struct pev){ ms, ev, delta };
}

/* One sample [ts, "value"]; -1 when malformed.  ts is epoch seconds: one
 * before 1970 or from 1e11 (the year 5138) on is malformed too (the sums
 * of times in milliseconds below would overflow). */
static int
sample(const cJSON *pair, int64_t *ms, double *v)
{
	const cJSON	*t = cJSON_GetArrayItem(pair, 0);
	const cJSON	*s = cJSON_GetArrayItem(pair, 1);
	char		*end;

	if (!cJSON_IsNumber(t) || !cJSON_IsString(s) ||
	    !(t->valuedouble >= 0 && t->valuedouble < 1e11))
		return (-1);
	*ms = (int64_t)llround(t->valuedouble * 1000);
	*v = strtod(s->valuestring, &end);
	return (end == s->valuestring || !isfinite(*v) ? -1 : 0);
}

/* The smallest gap between samples: the scrape interval, about. */
static int64_t
series_step(const cJSON *values)
{
	const cJSON	*pair;
	int64_t		 ms, prev = -1, step = 0;
	double		 v;

	cJSON_ArrayForEach(pair, values) {
		if (sample(pair, &ms, &v) != 0)
			continue;
		if (prev >= 0 && ms > prev && (step == 0 || ms - prev < step))
			step = ms - prev;
		prev = ms;
	}
	return (step > 0 ? step : 60000);
}

/* The increases a counter series shows.  Its first sample counts in full
 * when the series was born inside the window (Polly's counters appear with
 * their first event), else it is the baseline.  A drop is a restart: the
 * new value counts in full. */
static void
series_events(struct pgroup *g, int ev, const cJSON *values,
    int64_t window_start)
{
	const cJSON	*pair;
	int64_t		 ms, step = series_step(values);
	double		 v, prev = 0;
	int		 first = 1;

	cJSON_ArrayForEach(pair, values) {
		if (sample(pair, &ms, &v) != 0)
			continue;
		if (first && ms > window_start + step + step / 2 && v > 0)
			group_add(g, ms, ev, v);
		else if (!first && v > prev)
			group_add(g, ms, ev, v - prev);
		else if (!first && v < prev && v > 0)
			group_add(g, ms, ev, v);
		first = 0;
		prev = v;
	}
}

static int
pev_cmp(const void *va, const void *vb)
{
	const struct pev	*a = va, *b = vb;

	return (a->ms < b->ms ? -1 : a->ms > b->ms);
}

/* Replay the increases in time order; increases of one scrape go
 * together. */
static void
group_replay(struct pgroup *g)
{
	enum circuit_state	 s = CIRCUIT_CLOSED, ns;
	double			 d[EV__COUNT];
	int			 i = 0, j;

	if (g->n > 1)		/* a series with no increase has no v */
		qsort(g->v, (size_t)g->n, sizeof *g->v, pev_cmp);
	while (i < g->n) {
		memset(d, 0, sizeof d);
		for (j = i; j < g->n && g->v[j].ms == g->v[i].ms; j++)
			d[g->v[j].ev] += g->v[j].delta;
		ns = prometheus_polly_step(s, d[EV_OPENED], d[EV_HALF],
		    d[EV_CLOSED]);
		if (ns != s || !g->known)
			g->since_ms = g->v[i].ms;
		s = ns;
		g->known = 1;
		i = j;
	}
	g->state = s;
}

/* The groups into rows: the worst known instance; since the earliest
 * among the instances in that state. */
static void
groups_rows(const struct prom *p, struct pgroups *gs, struct crows *rows)
{
	struct pgroup	*g;
	struct circuit	*c;
	int		 i, j;

	for (i = 0; i < gs->n; i++) {
		g = &gs->g[i];
		c = crows_get(rows, g->service, g->dependency);
		if (!g->known)
			continue;
		if (c->since_ms == 0 || prom_rank(g->state) >
		    prom_rank(c->state)) {
			c->state = g->state;
			c->since_ms = g->since_ms;
		} else if (g->state == c->state && g->since_ms < c->since_ms)
			c->since_ms = g->since_ms;
	}
	/* No event in the window: what we saw before. */
	for (i = 0; i < rows->n; i++) {
		c = &rows->v[i];
		if (c->since_ms != 0)
			continue;
		for (j = 0; j < p->ntrack; j++) {
			if (strcmp(p->track[j].service, c->service) == 0 &&
			    strcmp(p->track[j].dependency, c->dependency) ==
			    0) {
				c->state = p->track[j].state;
				c->since_ms = p->track[j].since_ms;
			}
		}
	}
}

static void
groups_free(struct pgroups *gs)
{
	int	i;

	for (i = 0; i < gs->n; i++)
		free(gs->g[i].v);
	free(gs->g);
}

int
polly_rows(const struct prom *p, struct crows *rows, char *err, size_t len)
{
	struct pgroups	 gs;
	cJSON		*root;
	const cJSON	*result, *item, *metric;
	const char	*dep;
	char		*q;
	int64_t		 now = now_ms();
	int		 i, ev;

	xasprintf(&q, "resilience_polly_strategy_events_total{event_name=~"
	    "\"%s|%s|%s\"}[%ds]", ev_names[0], ev_names[1], ev_names[2],
	    POLLY_WINDOW_S);
	i = prom_query(p, q, "matrix", (double)now / 1000, &root, &result,
	    err, len);
	free(q);
	if (i != 0)
		return (-1);
	memset(&gs, 0, sizeof gs);
	cJSON_ArrayForEach(item, result) {
		metric = cJSON_GetObjectItemCaseSensitive(item, "metric");
		dep = prom_label(metric, p->l_dependency);
		ev = ev_index(prom_label(metric, "event_name"));
		if (dep == NULL || *dep == '\0' || ev < 0)
			continue;
		series_events(group_of(p, &gs, metric), ev,
		    cJSON_GetObjectItemCaseSensitive(item, "values"),
		    now - (int64_t)POLLY_WINDOW_S * 1000);
	}
	cJSON_Delete(root);
	for (i = 0; i < gs.n; i++)
		group_replay(&gs.g[i]);
	groups_rows(p, &gs, rows);
	groups_free(&gs);
	return (0);
}
