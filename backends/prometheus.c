/* prometheus.c: the circuits source (prometheus.h): the queries of each
 * preset, the rows they make, and since_ms from the states seen before.
 *
 * Every query aggregates over the instances (pods) of a service: a
 * circuit is shown in the worst state any instance has it in.  The groups
 * keep job beside the configured service label so that a series without
 * that label is still named (by its job). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "prometheus.h"
#include "prometheus_int.h"
#include "xmalloc.h"

#define PROM_FORM	"application/x-www-form-urlencoded"

/* Rows ------------------------------------------------------------------- */

int
prom_rank(enum circuit_state s)
{
	return (s == CIRCUIT_OPEN ? 2 : s == CIRCUIT_HALF_OPEN ? 1 : 0);
}

struct circuit *
crows_get(struct crows *r, const char *service, const char *dependency)
{
	struct circuit	*c;
	char		 svc[sizeof c->service], dep[sizeof c->dependency];
	int		 i;

	/* Names are compared as a row keeps them: cut to fit. */
	strlcpy_(svc, service, sizeof svc);
	strlcpy_(dep, dependency, sizeof dep);
	for (i = 0; i < r->n; i++) {
		c = &r->v[i];
		if (strcmp(c->service, svc) == 0 &&
		    strcmp(c->dependency, dep) == 0)
			return (c);
	}
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->v = xreallocarray(r->v, (size_t)r->cap, sizeof *r->v);
	}
	c = &r->v[r->n++];
	memset(c, 0, sizeof *c);
	strlcpy_(c->service, svc, sizeof c->service);
	strlcpy_(c->dependency, dep, sizeof c->dependency);
	c->state = CIRCUIT_CLOSED;
	c->failure_ratio = -1;
	return (c);
}

static void
crows_worse(struct circuit *c, enum circuit_state s)
{
	if (prom_rank(s) > prom_rank(c->state))
		c->state = s;
}

static int
crow_cmp(const void *va, const void *vb)
{
	const struct circuit	*a = va, *b = vb;
	int			 c = strcmp(a->service, b->service);

	return (c != 0 ? c : strcmp(a->dependency, b->dependency));
}

int
prometheus_state_parse(const char *s, enum circuit_state *out)
{
	static const struct {
		const char		*name;
		enum circuit_state	 state;
	} names[] = {
		{ "closed", CIRCUIT_CLOSED }, { "open", CIRCUIT_OPEN },
		{ "half_open", CIRCUIT_HALF_OPEN },
		{ "half-open", CIRCUIT_HALF_OPEN },
		{ "halfopen", CIRCUIT_HALF_OPEN },
		{ "forced_open", CIRCUIT_OPEN }, { "isolated", CIRCUIT_OPEN },
		{ "disabled", CIRCUIT_CLOSED },
		{ "metrics_only", CIRCUIT_CLOSED },
	};
	size_t	i;

	for (i = 0; s != NULL && i < sizeof names / sizeof names[0]; i++) {
		if (strcasecmp(s, names[i].name) == 0) {
			*out = names[i].state;
			return (0);
		}
	}
	return (-1);
}

/* Queries ---------------------------------------------------------------- */

const char *
prom_label(const cJSON *metric, const char *name)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(metric, name);

	return (cJSON_IsString(v) ? v->valuestring : NULL);
}

const char *
prom_service(const struct prom *p, const cJSON *metric)
{
	const char	*s = prom_label(metric, p->l_service);

	if (s == NULL || *s == '\0')
		s = prom_label(metric, "job");
	return (s != NULL && *s != '\0' ? s : "-");
}

/* An instant vector sample's value; -1 when it has none. */
static int
prom_value(const cJSON *item, double *v)
{
	const cJSON	*pair = cJSON_GetObjectItemCaseSensitive(item, "value");
	const cJSON	*s = cJSON_GetArrayItem(pair, 1);
	char		*end;

	if (!cJSON_IsString(s))
		return (-1);
	*v = strtod(s->valuestring, &end);
	return (end == s->valuestring ? -1 : 0);
}

/* The answer: data.result, or Prometheus' own error. */
static int
prom_answer(const struct prom *p, const struct http_response *r,
    const char *type, cJSON **rootp, const cJSON **resultp, char *err,
    size_t len)
{
	cJSON		*root = cJSON_Parse(r->body);
	const cJSON	*data, *result;
	const char	*status = prom_label(root, "status"), *got;
	char		 buf[256];

	if (status != NULL && strcmp(status, "error") == 0) {
		snprintf(err, len, "%.40s: query failed (%ld): %.40s: %.160s",
		    p->http.name, r->status, prom_label(root, "errorType") ?
		    prom_label(root, "errorType") : "error",
		    prom_label(root, "error") ? prom_label(root, "error") : "?");
	} else if (r->status < 200 || r->status > 299) {
		http_explain(r->status, r->body, "querying Prometheus", buf,
		    sizeof buf);
		snprintf(err, len, "%.40s: %.200s", p->http.name, buf);
	} else if (root == NULL)
		snprintf(err, len, "%.40s: the answer is not JSON",
		    p->http.name);
	else {
		data = cJSON_GetObjectItemCaseSensitive(root, "data");
		result = cJSON_GetObjectItemCaseSensitive(data, "result");
		got = prom_label(data, "resultType");
		if (cJSON_IsArray(result) && got != NULL &&
		    strcmp(got, type) == 0) {
			*rootp = root;
			*resultp = result;
			return (0);
		}
		if (got != NULL && cJSON_IsArray(result))
			snprintf(err, len, "%.40s: the query gives a %.20s, not "
			    "an instant %.20s", p->http.name, got, type);
		else
			snprintf(err, len, "%.40s: the answer is not a "
			    "Prometheus query result", p->http.name);
	}
	cJSON_Delete(root);
	return (-1);
}

int
prom_query(const struct prom *p, const char *query, const char *type,
    double time_s, cJSON **root, const cJSON **result, char *err, size_t len)
{
	struct http_response	 r;
	char			*esc, *body;
	int			 rc;

	esc = http_target_escape(query);
	if (time_s > 0)
		xasprintf(&body, "query=%s&time=%.3f", esc, time_s);
	else
		xasprintf(&body, "query=%s", esc);
	free(esc);
	rc = http_target_request(&p->http, "POST", "/api/v1/query", body,
	    PROM_FORM, &r, err, len);
	free(body);
	if (rc != 0)
		return (-1);
	rc = prom_answer(p, &r, type, root, result, err, len);
	http_response_free(&r);
	return (rc);
}

/* "service, job, name": the grouping of a preset's aggregation. */
static void
prom_by(const struct prom *p, char *buf, size_t len, const char *extra)
{
	snprintf(buf, len, "%s%s, %s%s%s", p->l_service,
	    strcmp(p->l_service, "job") != 0 ? ", job" : "", p->l_dependency,
	    extra != NULL ? ", " : "", extra != NULL ? extra : "");
}

/* Run query and call fn on every sample that names a dependency. */
static int
prom_each(const struct prom *p, const char *query, struct crows *rows,
    void (*fn)(const struct prom *, struct circuit *, const cJSON *,
    double), char *err, size_t len)
{
	cJSON		*root;
	const cJSON	*result, *item, *metric;
	const char	*dep;
	double		 v;

	if (prom_query(p, query, "vector", 0, &root, &result, err, len) != 0)
		return (-1);
	cJSON_ArrayForEach(item, result) {
		metric = cJSON_GetObjectItemCaseSensitive(item, "metric");
		dep = prom_label(metric, p->l_dependency);
		if (dep == NULL || *dep == '\0' || prom_value(item, &v) != 0)
			continue;
		fn(p, crows_get(rows, prom_service(p, metric), dep), metric, v);
	}
	cJSON_Delete(root);
	return (0);
}

/* Presets ---------------------------------------------------------------- */

/* resilience4j: the state series whose value is 1 is the current one. */
static void
r4j_state(const struct prom *p, struct circuit *c, const cJSON *metric,
    double v)
{
	enum circuit_state	s;

	if (v >= 0.5 && prometheus_state_parse(prom_label(metric,
	    p->l_state), &s) == 0)
		crows_worse(c, s);
}

/* failure_rate is a percentage, -1 until enough calls were seen. */
static void
r4j_rate(const struct prom *p, struct circuit *c, const cJSON *metric,
    double v)
{
	if (v >= 0 && v / 100 > c->failure_ratio)
		c->failure_ratio = v / 100;
}

static int
r4j_rows(const struct prom *p, struct crows *rows, char *err, size_t len)
{
	char	by[200], *q;
	int	rc;

	prom_by(p, by, sizeof by, p->l_state);
	xasprintf(&q, "max by (%s) (resilience4j_circuitbreaker_state)", by);
	rc = prom_each(p, q, rows, r4j_state, err, len);
	free(q);
	if (rc != 0)
		return (-1);
	prom_by(p, by, sizeof by, NULL);
	xasprintf(&q, "max by (%s) (resilience4j_circuitbreaker_failure_rate)",
	    by);
	rc = prom_each(p, q, rows, r4j_rate, err, len);
	free(q);
	return (rc);
}

/* Envoy: a tripped circuit breaker is open; ejected hosts alone are
 * half-open (part of the cluster is cut off, the rest takes traffic). */
static void
envoy_breaker(const struct prom *p, struct circuit *c, const cJSON *metric,
    double v)
{
	if (v > 0)
		crows_worse(c, CIRCUIT_OPEN);
}

static void
envoy_ejected(const struct prom *p, struct circuit *c, const cJSON *metric,
    double v)
{
	if (v > 0)
		crows_worse(c, CIRCUIT_HALF_OPEN);
}

static int
envoy_rows(const struct prom *p, struct crows *rows, char *err, size_t len)
{
	char	by[200], *q;
	int	rc;

	prom_by(p, by, sizeof by, NULL);
	xasprintf(&q, "max by (%s) ({__name__=~\"envoy_cluster_circuit_"
	    "breakers_default_(cx|rq|rq_pending|cx_pool)_open\"})", by);
	rc = prom_each(p, q, rows, envoy_breaker, err, len);
	free(q);
	if (rc != 0)
		return (-1);
	xasprintf(&q, "sum by (%s) (envoy_cluster_outlier_detection_"
	    "ejections_active)", by);
	rc = prom_each(p, q, rows, envoy_ejected, err, len);
	free(q);
	return (rc);
}

/* custom: the state label's text, or the value 0 closed, 1 open, 2
 * half-open. */
static void
custom_state(const struct prom *p, struct circuit *c, const cJSON *metric,
    double v)
{
	enum circuit_state	s;

	if (p->l_state != NULL) {
		if (prometheus_state_parse(prom_label(metric, p->l_state),
		    &s) == 0)
			crows_worse(c, s);
		return;
	}
	if (v > 1.5 && v < 2.5)
		crows_worse(c, CIRCUIT_HALF_OPEN);
	else if (v > 0.5 && v < 1.5)
		crows_worse(c, CIRCUIT_OPEN);
}

static int
preset_rows(const struct prom *p, struct crows *rows, char *err, size_t len)
{
	switch (p->preset) {
	case CIRCUITS_RESILIENCE4J:
		return (r4j_rows(p, rows, err, len));
	case CIRCUITS_POLLY:
		return (polly_rows(p, rows, err, len));
	case CIRCUITS_ENVOY:
		return (envoy_rows(p, rows, err, len));
	case CIRCUITS_CUSTOM:
		return (prom_each(p, p->query, rows, custom_state, err, len));
	}
	return (0);
}

/* since_ms --------------------------------------------------------------- */

static const struct ctrack *
track_find(const struct prom *p, const struct circuit *c)
{
	int	i;

	for (i = 0; i < p->ntrack; i++)
		if (strcmp(p->track[i].service, c->service) == 0 &&
		    strcmp(p->track[i].dependency, c->dependency) == 0)
			return (&p->track[i]);
	return (NULL);
}

/* A row only a health check feeds changes with its health. */
static int
track_same(const struct ctrack *t, const struct circuit *c)
{
	if (t->state != c->state)
		return (0);
	return (strcmp(c->service, "health") != 0 ||
	    strcmp(t->health, c->health) == 0);
}

/* The time a row entered its state: the data's own (Polly's events), else
 * kept from the last fetch while the state holds, now when it changed, and
 * unknown (0) the first time a circuit is seen: sitrep cannot tell how
 * long it was in that state before it looked. */
static void
prom_since(struct prom *p, struct crows *rows, int64_t now)
{
	const struct ctrack	*t;
	struct ctrack		*next;
	struct circuit		*c;
	int			 i;

	next = xcalloc(rows->n > 0 ? (size_t)rows->n : 1, sizeof *next);
	for (i = 0; i < rows->n; i++) {
		c = &rows->v[i];
		t = track_find(p, c);
		if (c->since_ms == 0 && t != NULL)
			c->since_ms = track_same(t, c) ? t->since_ms : now;
		strlcpy_(next[i].service, c->service, sizeof next[i].service);
		strlcpy_(next[i].dependency, c->dependency,
		    sizeof next[i].dependency);
		strlcpy_(next[i].health, c->health, sizeof next[i].health);
		next[i].state = c->state;
		next[i].since_ms = c->since_ms;
	}
	free(p->track);
	p->track = next;
	p->ntrack = rows->n;
}

/* The class -------------------------------------------------------------- */

static int
prom_open(struct source *src, struct error *err)
{
	return (0);
}

static int
prom_fetch(struct source *src, struct error *err)
{
	struct prom	*p = src->priv;
	struct crows	 rows;
	struct snapshot	*snap;
	char		 e[256];

	memset(&rows, 0, sizeof rows);
	if (p->present && preset_rows(p, &rows, e, sizeof e) != 0) {
		error_set(err, "%s", e);
		free(rows.v);
		return (-1);
	}
	health_rows(p, &rows);
	if (rows.n > 1)
		qsort(rows.v, (size_t)rows.n, sizeof *rows.v, crow_cmp);
	prom_since(p, &rows, now_ms());
	snap = snapshot_new(SNAP_CIRCUITS);
	snap->u.circuits.rows = rows.v != NULL ? rows.v :
	    xcalloc(1, sizeof *rows.v);
	snap->u.circuits.n = rows.n;
	strlcpy_(snap->u.circuits.note, rows.note,
	    sizeof snap->u.circuits.note);
	snap->fetched_ms = now_ms();
	source_publish(src, snap);
	return (0);
}

static void
prom_close(struct source *src)
{
}

static void
prom_free(struct source *src)
{
	struct prom	*p = src->priv;
	int		 i;

	if (p == NULL)
		return;
	http_target_free(&p->http);
	for (i = 0; i < p->nhealth; i++)
		http_target_free(&p->health[i]);
	free(p->health);
	free(p->query);
	free(p->l_service);
	free(p->l_dependency);
	free(p->l_state);
	free(p->track);
	free(p);
	src->priv = NULL;
}

const struct source_class prometheus_source = {
	.name = "prometheus",
	.open = prom_open,
	.fetch = prom_fetch,
	.close = prom_close,
	.free = prom_free,
};

/* Construction ----------------------------------------------------------- */

static int
label_ok(const char *s)
{
	return (s != NULL && *s != '\0' && (*s < '0' || *s > '9') &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_") == strlen(s));
}

/* The labels the configuration names, else the preset's. */
static void
prom_labels(struct prom *p, const struct cfg_prometheus *c)
{
	static const char *const svc[] = { "application", "service",
	    "service", "service" };
	static const char *const dep[] = { "name", "pipeline_name",
	    "envoy_cluster_name", "dependency" };
	int	i = (int)p->preset;

	p->l_service = xstrdup(c->label_service ? c->label_service : svc[i]);
	p->l_dependency = xstrdup(c->label_dependency ? c->label_dependency :
	    dep[i]);
	if (c->label_state != NULL)
		p->l_state = xstrdup(c->label_state);
	else if (p->preset == CIRCUITS_RESILIENCE4J)
		p->l_state = xstrdup("state");
}

static int
prom_check(const struct prom *p, struct error *err)
{
	if (!label_ok(p->l_service) || !label_ok(p->l_dependency) ||
	    (p->l_state != NULL && !label_ok(p->l_state))) {
		error_set(err, "prometheus: a label name is letters, digits "
		    "and '_'");
		return (-1);
	}
	if (p->preset == CIRCUITS_CUSTOM && (p->query == NULL ||
	    *p->query == '\0')) {
		error_set(err, "prometheus: circuits: custom needs a query");
		return (-1);
	}
	return (0);
}

struct source *
prometheus_source_new(const struct cfg_env *env, struct error *err)
{
	const struct cfg_prometheus	*c = &env->prometheus;
	struct prom			*p;
	struct source			*src;
	int				 i;

	err->msg[0] = '\0';
	if (!c->present && env->nhealth == 0)
		return (NULL);
	p = xcalloc(1, sizeof *p);
	p->present = c->present;
	p->preset = (unsigned)c->preset <= CIRCUITS_CUSTOM ? c->preset :
	    CIRCUITS_RESILIENCE4J;
	if (c->present)
		http_target_init(&p->http, "prometheus", &c->http);
	p->query = c->query != NULL ? xstrdup(c->query) : NULL;
	prom_labels(p, c);
	p->nhealth = env->nhealth;
	p->health = xcalloc(p->nhealth > 0 ? (size_t)p->nhealth : 1,
	    sizeof *p->health);
	for (i = 0; i < p->nhealth; i++)
		http_target_init(&p->health[i], env->health[i].name,
		    &env->health[i].http);
	src = source_new(&prometheus_source, "prometheus", 1u << SNAP_CIRCUITS,
	    env->refresh_ms, p);
	if (p->present && prom_check(p, err) != 0) {
		source_stop(src, 0);
		return (NULL);
	}
	return (src);
}
