/* itest_prometheus.c: the circuits source against a real Prometheus that
 * scrapes tests/fixtures/circuit_exporter.py every second (run by
 * tests/integration/prometheus.sh).  Each case changes the exporter's
 * metrics through its admin endpoint, then reads the source the way its
 * worker does, again and again, until the change shows (or 15 s pass):
 * the panel's data follows the breakers, preset by preset.  Each case
 * uses services of its own. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "http.h"
#include "prometheus.h"
#include "snapshot.h"
#include "source.h"
#include "store.h"
#include "util.h"
#include "xmalloc.h"

static char	prom[64], exporter[64], promerr[64], hang[64], refused[64];
static char	bad[64];

/* The configuration, as config.c would build it --------------------------- */

struct env {
	struct cfg_env		env;
	struct cfg_health	health[8];
	char			urls[8][128];
};

static void
env_init(struct env *e, enum circuit_preset preset, const char *url)
{
	memset(e, 0, sizeof *e);
	e->env.name = (char *)"itest";
	e->env.refresh_ms = 1000;
	e->env.health = e->health;
	if (url == NULL)
		return;
	e->env.prometheus.present = 1;
	e->env.prometheus.preset = preset;
	e->env.prometheus.http.url = (char *)url;
	e->env.prometheus.http.connect_timeout_ms = 1000;
	e->env.prometheus.http.timeout_ms = 3000;
}

/* A health endpoint: path under the exporter, or a full URL. */
static void
env_health(struct env *e, const char *name, const char *path, int timeout_ms)
{
	int			 i = e->env.nhealth++;
	struct cfg_health	*h = &e->health[i];

	if (strncmp(path, "http", 4) == 0)
		snprintf(e->urls[i], sizeof e->urls[i], "%s", path);
	else
		snprintf(e->urls[i], sizeof e->urls[i], "%s%s", exporter, path);
	h->name = (char *)name;
	h->http.url = e->urls[i];
	h->http.connect_timeout_ms = 1000;
	h->http.timeout_ms = timeout_ms;
}

/* Reading through the source ---------------------------------------------- */

struct rd {
	struct source	*src;
	struct store	*store;
	struct snapshot	*snap;
	struct error	 err;
	int		 rc;
	int64_t		 took_ms;
};

static void
rd_fetch(struct rd *d)
{
	int64_t	t0 = mono_ms();

	snapshot_unref(d->snap);
	d->snap = NULL;
	d->err.msg[0] = '\0';
	d->rc = d->src->cls->fetch(d->src, &d->err);
	d->took_ms = mono_ms() - t0;
	if (d->rc == 0)
		d->snap = store_get(d->store, SNAP_CIRCUITS, NULL);
}

static void
rd_open(struct rd *d, const struct env *e)
{
	struct error	err;

	memset(d, 0, sizeof *d);
	if ((d->src = prometheus_source_new(&e->env, &err)) == NULL)
		fail_msg("prometheus_source_new: %s", err.msg);
	assert_string_equal(d->src->cls->name, "prometheus");
	assert_int_equal(d->src->kinds, 1u << SNAP_CIRCUITS);
	d->store = store_new();
	d->src->store = d->store;
	assert_int_equal(d->src->cls->open(d->src, &d->err), 0);
}

static void
rd_done(struct rd *d)
{
	snapshot_unref(d->snap);
	d->src->cls->close(d->src);
	assert_int_equal(source_stop(d->src, 0), 0);
	store_free(d->store);
}

static const struct circuit *
find(const struct snapshot *s, const char *svc, const char *dep)
{
	int	i;

	for (i = 0; s != NULL && i < s->u.circuits.n; i++)
		if (strcmp(s->u.circuits.rows[i].service, svc) == 0 &&
		    strcmp(s->u.circuits.rows[i].dependency, dep) == 0)
			return (&s->u.circuits.rows[i]);
	return (NULL);
}

static const struct circuit *
must_find(const struct snapshot *s, const char *svc, const char *dep)
{
	static const struct circuit	 none;
	const struct circuit		*c = find(s, svc, dep);

	if (c == NULL) {
		fail_msg("no circuit %s -> %s", svc, dep);
		return (&none);
	}
	return (c);
}

/* Fetch until svc -> dep is in state st (the scrape, then the query). */
static const struct circuit *
wait_state(struct rd *d, const char *svc, const char *dep,
    enum circuit_state st)
{
	const struct circuit	*c = NULL;
	int			 i;

	for (i = 0; i < 60; i++) {
		rd_fetch(d);
		if (d->rc != 0)
			fail_msg("fetch: %s", d->err.msg);
		if ((c = find(d->snap, svc, dep)) != NULL && c->state == st)
			return (c);
		usleep(250000);
	}
	fail_msg("%s -> %s never became %s (is %s)", svc, dep,
	    circuit_state_name(st), c ? circuit_state_name(c->state) : "none");
	return (NULL);
}

static void
say(const char *what, const char *msg)
{
	printf("# %s: %s\n", what, msg);
	fflush(stdout);
}

/* The exporter's admin endpoint ------------------------------------------- */

static void __attribute__((format(printf, 1, 2)))
admin(const char *fmt, ...)
{
	struct http_opts	o;
	struct http_response	r;
	char			url[160], *body;
	va_list			ap;

	va_start(ap, fmt);
	xvasprintf(&body, fmt, ap);
	va_end(ap);
	memset(&o, 0, sizeof o);
	o.timeout_ms = 3000;
	snprintf(url, sizeof url, "%s/admin", exporter);
	if (http_request("POST", url, body, NULL, &o, &r) != 0 ||
	    r.status != 200)
		fail_msg("admin %s: %s %s", body, r.error, r.body);
	http_response_free(&r);
	free(body);
}

static void
r4j(const char *svc, const char *dep, const char *state)
{
	admin("{\"kind\":\"r4j\",\"service\":\"%s\",\"dep\":\"%s\","
	    "\"state\":\"%s\"}", svc, dep, state);
}

static void
polly(const char *svc, const char *dep, const char *inst, const char *ev)
{
	admin("{\"kind\":\"polly\",\"service\":\"%s\",\"dep\":\"%s\","
	    "\"instance\":\"%s\",\"event\":\"OnCircuit%s\"}", svc, dep, inst,
	    ev);
}

/* The since of a transition seen between t0 and now. */
static void
assert_since(const struct circuit *c, int64_t t0)
{
	if (c->since_ms < t0 - 1500 || c->since_ms > now_ms())
		fail_msg("since %lld not in [%lld, %lld]",
		    (long long)c->since_ms, (long long)t0 - 1500,
		    (long long)now_ms());
}

/* Cases ------------------------------------------------------------------- */

static void
test_nothing_configured(void **state)
{
	struct env	e;
	struct error	err;

	env_init(&e, CIRCUITS_RESILIENCE4J, NULL);
	assert_null(prometheus_source_new(&e.env, &err));
	assert_string_equal(err.msg, "");
}

static void
test_resilience4j(void **state)
{
	struct env		 e;
	struct rd		 d;
	const struct circuit	*c;
	int64_t			 t0;

	r4j("gateway", "finance", "closed");
	r4j("gateway", "inventory", "closed");
	admin("{\"kind\":\"r4j_rate\",\"service\":\"gateway\",\"dep\":"
	    "\"inventory\",\"value\":12.5}");
	admin("{\"kind\":\"r4j_rate\",\"service\":\"gateway\",\"dep\":"
	    "\"finance\",\"value\":-1}");
	env_init(&e, CIRCUITS_RESILIENCE4J, prom);
	rd_open(&d, &e);
	c = wait_state(&d, "gateway", "finance", CIRCUIT_CLOSED);
	assert_int_equal(c->since_ms, 0);	/* unknown at first sight */
	assert_true(c->failure_ratio < 0);	/* not enough calls */
	c = must_find(d.snap, "gateway", "inventory");
	assert_true(c->failure_ratio > 0.124 && c->failure_ratio < 0.126);

	t0 = now_ms();
	r4j("gateway", "finance", "open");
	c = wait_state(&d, "gateway", "finance", CIRCUIT_OPEN);
	assert_since(c, t0);
	t0 = now_ms();
	r4j("gateway", "finance", "half_open");
	assert_since(wait_state(&d, "gateway", "finance", CIRCUIT_HALF_OPEN),
	    t0);
	r4j("gateway", "finance", "forced_open");
	wait_state(&d, "gateway", "finance", CIRCUIT_OPEN);
	r4j("gateway", "finance", "disabled");
	wait_state(&d, "gateway", "finance", CIRCUIT_CLOSED);
	/* A state that holds keeps its since. */
	r4j("gateway", "finance", "closed");
	c = must_find(d.snap, "gateway", "finance");
	t0 = c->since_ms;
	usleep(1500000);
	rd_fetch(&d);
	assert_int_equal(must_find(d.snap, "gateway", "finance")->since_ms, t0);
	assert_int_equal(must_find(d.snap, "gateway", "inventory")->state,
	    CIRCUIT_CLOSED);
	rd_done(&d);
}

static void
test_polly(void **state)
{
	struct env		 e;
	struct rd		 d, d2;
	const struct circuit	*c;
	int64_t			 t0, since;

	env_init(&e, CIRCUITS_POLLY, prom);
	rd_open(&d, &e);
	t0 = now_ms();
	polly("sales", "inventory-api", "pod-a", "Opened");
	c = wait_state(&d, "sales", "inventory-api", CIRCUIT_OPEN);
	assert_since(c, t0);
	assert_true(c->failure_ratio < 0);
	t0 = now_ms();
	polly("sales", "inventory-api", "pod-a", "HalfOpened");
	assert_since(wait_state(&d, "sales", "inventory-api",
	    CIRCUIT_HALF_OPEN), t0);
	polly("sales", "inventory-api", "pod-a", "Closed");
	wait_state(&d, "sales", "inventory-api", CIRCUIT_CLOSED);

	/* A failed trial call: half-open, then open again, in one scrape. */
	polly("sales", "inventory-api", "pod-a", "Opened");
	polly("sales", "inventory-api", "pod-a", "HalfOpened");
	polly("sales", "inventory-api", "pod-a", "Opened");
	wait_state(&d, "sales", "inventory-api", CIRCUIT_OPEN);
	/* Then a good one: half-open and closed. */
	polly("sales", "inventory-api", "pod-a", "HalfOpened");
	polly("sales", "inventory-api", "pod-a", "Closed");
	c = wait_state(&d, "sales", "inventory-api", CIRCUIT_CLOSED);
	since = c->since_ms;

	/* Another pod of sales has it open: the worst instance shows. */
	polly("sales", "inventory-api", "pod-b", "Opened");
	wait_state(&d, "sales", "inventory-api", CIRCUIT_OPEN);
	polly("sales", "inventory-api", "pod-b", "HalfOpened");
	polly("sales", "inventory-api", "pod-b", "Closed");
	c = wait_state(&d, "sales", "inventory-api", CIRCUIT_CLOSED);
	assert_true(c->since_ms >= since);

	/* A console started now reads the same from the window. */
	polly("sales", "finance-api", "pod-a", "Opened");
	wait_state(&d, "sales", "finance-api", CIRCUIT_OPEN);
	since = must_find(d.snap, "sales", "finance-api")->since_ms;
	rd_open(&d2, &e);
	rd_fetch(&d2);
	assert_int_equal(d2.rc, 0);
	assert_int_equal(must_find(d2.snap, "sales", "finance-api")->state,
	    CIRCUIT_OPEN);
	assert_int_equal(must_find(d2.snap, "sales", "finance-api")->since_ms,
	    since);
	assert_int_equal(must_find(d2.snap, "sales", "inventory-api")->state,
	    CIRCUIT_CLOSED);
	rd_done(&d2);
	rd_done(&d);
}

static void
envoy(const char *svc, const char *dep, const char *metric, int v)
{
	admin("{\"kind\":\"envoy\",\"service\":\"%s\",\"dep\":\"%s\","
	    "\"metric\":\"%s\",\"value\":%d}", svc, dep, metric, v);
}

static void
test_envoy(void **state)
{
	struct env	e;
	struct rd	d;

	envoy("frontend", "outbound|8080||orders", "cx_open", 0);
	envoy("frontend", "outbound|8080||orders", "rq_open", 0);
	envoy("frontend", "outbound|8080||orders", "ejections", 0);
	env_init(&e, CIRCUITS_ENVOY, prom);
	rd_open(&d, &e);
	wait_state(&d, "frontend", "outbound|8080||orders", CIRCUIT_CLOSED);
	envoy("frontend", "outbound|8080||orders", "rq_open", 1);
	wait_state(&d, "frontend", "outbound|8080||orders", CIRCUIT_OPEN);
	envoy("frontend", "outbound|8080||orders", "rq_open", 0);
	envoy("frontend", "outbound|8080||orders", "ejections", 2);
	wait_state(&d, "frontend", "outbound|8080||orders", CIRCUIT_HALF_OPEN);
	envoy("frontend", "outbound|8080||orders", "cx_open", 1);
	wait_state(&d, "frontend", "outbound|8080||orders", CIRCUIT_OPEN);
	envoy("frontend", "outbound|8080||orders", "cx_open", 0);
	envoy("frontend", "outbound|8080||orders", "ejections", 0);
	wait_state(&d, "frontend", "outbound|8080||orders", CIRCUIT_CLOSED);
	rd_done(&d);
}

static void
test_custom(void **state)
{
	struct env	e;
	struct rd	d;

	admin("{\"kind\":\"custom\",\"service\":\"billing\",\"dep\":\"tax\","
	    "\"value\":0}");
	env_init(&e, CIRCUITS_CUSTOM, prom);
	e.env.prometheus.query = (char *)"max by (service, dependency) "
	    "(breaker_state)";
	rd_open(&d, &e);
	wait_state(&d, "billing", "tax", CIRCUIT_CLOSED);
	admin("{\"kind\":\"custom\",\"service\":\"billing\",\"dep\":\"tax\","
	    "\"value\":2}");
	wait_state(&d, "billing", "tax", CIRCUIT_HALF_OPEN);
	admin("{\"kind\":\"custom\",\"service\":\"billing\",\"dep\":\"tax\","
	    "\"value\":1}");
	wait_state(&d, "billing", "tax", CIRCUIT_OPEN);
	rd_done(&d);

	/* The state in a label, the labels renamed. */
	admin("{\"kind\":\"custom_text\",\"service\":\"billing\",\"dep\":"
	    "\"fx\",\"state\":\"HALF_OPEN\"}");
	env_init(&e, CIRCUITS_CUSTOM, prom);
	e.env.prometheus.query = (char *)"breaker_state_text == 1";
	e.env.prometheus.label_state = (char *)"state";
	e.env.prometheus.label_service = (char *)"job";
	rd_open(&d, &e);
	wait_state(&d, "circuits", "fx", CIRCUIT_HALF_OPEN);
	rd_done(&d);
}

static void
health(const char *name, const char *mode)
{
	admin("{\"kind\":\"health\",\"name\":\"%s\",\"mode\":\"%s\"}", name,
	    mode);
}

static const char *
health_of(const struct snapshot *s, const char *svc, const char *dep)
{
	return (must_find(s, svc, dep)->health);
}

static void
test_health(void **state)
{
	struct env	e;
	struct rd	d;
	char		url[128];
	int64_t		since;

	health("h-finance", "up");
	health("h-sales", "degraded");
	health("h-billing", "down");
	health("h-reporting", "text-degraded");
	health("h-hr", "hang");
	health("h-auth", "unauthorized");
	env_init(&e, CIRCUITS_RESILIENCE4J, NULL);
	env_health(&e, "finance", "/health/h-finance", 2000);
	env_health(&e, "sales", "/health/h-sales", 2000);
	env_health(&e, "billing", "/health/h-billing", 2000);
	env_health(&e, "reporting", "/health/h-reporting", 2000);
	env_health(&e, "hr", "/health/h-hr", 1000);
	env_health(&e, "auth", "/health/h-auth", 2000);
	snprintf(url, sizeof url, "%s/health", refused);
	env_health(&e, "legacy", url, 2000);
	rd_open(&d, &e);
	rd_fetch(&d);
	assert_int_equal(d.rc, 0);
	assert_int_equal(d.snap->u.circuits.n, 7);
	assert_string_equal(health_of(d.snap, "health", "finance"), "up");
	assert_string_equal(health_of(d.snap, "health", "sales"), "degraded");
	assert_string_equal(health_of(d.snap, "health", "billing"), "down");
	assert_string_equal(health_of(d.snap, "health", "reporting"),
	    "degraded");
	assert_string_equal(health_of(d.snap, "health", "hr"), "down");
	assert_string_equal(health_of(d.snap, "health", "auth"), "down");
	assert_string_equal(health_of(d.snap, "health", "legacy"), "down");
	/* All at once: the hung one costs its timeout, not the sum. */
	assert_true(d.took_ms >= 900 && d.took_ms < 1900);
	say("note", d.snap->u.circuits.note);
	assert_non_null(strstr(d.snap->u.circuits.note, "(+5 more)"));
	assert_int_equal(must_find(d.snap, "health", "billing")->since_ms, 0);

	/* Health changes show, with since from the change. */
	health("h-billing", "up");
	rd_fetch(&d);
	assert_string_equal(health_of(d.snap, "health", "billing"), "up");
	since = must_find(d.snap, "health", "billing")->since_ms;
	assert_true(since > now_ms() - 3000);
	health("h-hr", "up");
	rd_fetch(&d);
	assert_string_equal(health_of(d.snap, "health", "hr"), "up");
	assert_int_equal(must_find(d.snap, "health", "billing")->since_ms,
	    since);
	rd_done(&d);

	/* With circuits: the health goes into the rows of that dependency. */
	r4j("checkout", "h-pay", "closed");
	health("h-pay", "down");
	env_init(&e, CIRCUITS_RESILIENCE4J, prom);
	env_health(&e, "h-pay", "/health/h-pay", 2000);
	rd_open(&d, &e);
	wait_state(&d, "checkout", "h-pay", CIRCUIT_CLOSED);
	assert_string_equal(health_of(d.snap, "checkout", "h-pay"), "down");
	assert_null(find(d.snap, "health", "h-pay"));
	rd_done(&d);
}

static void
expect_error(const char *url, enum circuit_preset preset, const char *query,
    const char *want, int timeout_ms)
{
	struct env	e;
	struct rd	d;

	env_init(&e, preset, url);
	e.env.prometheus.query = (char *)query;
	e.env.prometheus.http.timeout_ms = timeout_ms;
	rd_open(&d, &e);
	rd_fetch(&d);
	assert_int_equal(d.rc, -1);
	say(want, d.err.msg);
	if (strstr(d.err.msg, want) == NULL)
		fail_msg("\"%s\" has no \"%s\"", d.err.msg, want);
	assert_true(d.took_ms < timeout_ms + 1500);
	rd_done(&d);
}

static void
test_errors(void **state)
{
	/* Prometheus' own error JSON, from the real one and a fake. */
	expect_error(prom, CIRCUITS_CUSTOM, "rate(breaker_state[",
	    "prometheus: query failed (400): bad_data: ", 3000);
	expect_error(promerr, CIRCUITS_RESILIENCE4J, NULL,
	    "prometheus: query failed (400): bad_data: 1:6: parse error", 3000);
	expect_error(refused, CIRCUITS_POLLY, NULL,
	    "prometheus: connection refused", 3000);
	expect_error(hang, CIRCUITS_ENVOY, NULL,
	    "prometheus: timeout after 1.0s", 1000);
	expect_error(bad, CIRCUITS_RESILIENCE4J, NULL,
	    "prometheus: the answer is not JSON", 3000);
	/* A query that is not an instant vector. */
	expect_error(prom, CIRCUITS_CUSTOM, "breaker_state[1m]",
	    "prometheus: the query gives a matrix, not an instant vector",
	    3000);
}

static void
url(char *buf, size_t len, const char *var)
{
	const char	*p = getenv(var);

	if (p == NULL) {
		fprintf(stderr, "%s is not set (run prometheus.sh)\n", var);
		exit(1);
	}
	snprintf(buf, len, "http://127.0.0.1:%s", p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing_configured),
		cmocka_unit_test(test_resilience4j),
		cmocka_unit_test(test_polly),
		cmocka_unit_test(test_envoy),
		cmocka_unit_test(test_custom),
		cmocka_unit_test(test_health),
		cmocka_unit_test(test_errors),
	};

	url(prom, sizeof prom, "PROM_PORT");
	url(exporter, sizeof exporter, "EXPORTER_PORT");
	url(promerr, sizeof promerr, "PROMERR_PORT");
	url(hang, sizeof hang, "HANG_PORT");
	url(refused, sizeof refused, "REFUSED_PORT");
	url(bad, sizeof bad, "BAD_PORT");
	http_global_init();
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
