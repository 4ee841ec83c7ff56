/* fuzz_prometheus.c: libFuzzer target for what the circuits source reads
 * (prometheus.h): Prometheus query answers (instant vectors for
 * resilience4j, envoy and custom, the range matrix of Polly's events,
 * {"status":"error"} and other refusals) and the health endpoints' bodies
 * (JSON or ASP.NET Core's plain text), through two fetches of a real
 * source, so that since_ms tracking runs too.
 *
 *   make fuzz-build && build/fuzz/fuzz_prometheus \
 *       -dict=tests/fuzz/prometheus.dict CORPUS_DIR
 *
 * The first byte picks the configuration (below); the rest is the answers,
 * separated by NUL bytes: the Prometheus queries take them from the
 * front, health endpoint i the i-th from the end.  An answer that starts
 * with three digits and a space ("503 ...") has that HTTP status, else
 * 200; when the answers run out the request is refused.  The transport is
 * replaced at link time (-Wl,--wrap=http_target_request, mk/fuzz.mk): no
 * socket is opened.  Every input gives a snapshot that keeps the promises
 * of snapshot.h or an error that says what, and leaves nothing allocated. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "http_target.h"
#include "prometheus.h"
#include "source.h"
#include "store.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	__wrap_http_target_request(const struct http_target *, const char *,
	    const char *, const char *, const char *, struct http_response *,
	    char *, size_t);

#define FZ_HEALTH \
	"    health:\n" \
	"      - {name: billing, url: 'http://billing:8080/health'}\n" \
	"      - {name: orders, url: 'http://orders/health'}\n"

static const char *const fz_configs[] = {
	"environments:\n  e:\n    prometheus:\n"
	"      url: http://p:9090\n      circuits: resilience4j\n" FZ_HEALTH,
	"environments:\n  e:\n    prometheus:\n"
	"      url: http://p:9090\n      circuits: polly\n",
	"environments:\n  e:\n    prometheus:\n"
	"      url: http://p:9090\n      circuits: envoy\n" FZ_HEALTH,
	"environments:\n  e:\n    prometheus:\n"
	"      url: http://p:9090\n      circuits: custom\n"
	"      query: max by (svc, dep) (breaker_open)\n"
	"      labels: {service: svc, dependency: dep}\n",
	"environments:\n  e:\n    prometheus:\n"
	"      url: http://p:9090\n      circuits: custom\n"
	"      query: max by (svc, dep, st) (breaker)\n"
	"      labels: {service: svc, dependency: dep, state: st}\n",
	"environments:\n  e:\n" FZ_HEALTH,
};
#define FZ_NCONFIGS	(sizeof fz_configs / sizeof fz_configs[0])

static struct config	*fz_cfg[FZ_NCONFIGS];

/* This input's answers. */
static struct {
	const uint8_t	*seg[64];
	size_t		 len[64];
	int		 n;
	int		 next;		/* the next Prometheus answer */
} fz;

static int
fz_answer(int i, struct http_response *resp)
{
	const char	*s = (const char *)fz.seg[i];
	size_t		 n = fz.len[i];

	resp->status = 200;
	if (n >= 4 && s[0] >= '1' && s[0] <= '9' && s[1] >= '0' && s[1] <=
	    '9' && s[2] >= '0' && s[2] <= '9' && s[3] == ' ') {
		resp->status = (s[0] - '0') * 100 + (s[1] - '0') * 10 +
		    (s[2] - '0');
		s += 4;
		n -= 4;
	}
	resp->body = malloc(n + 1);
	memcpy(resp->body, s, n);
	resp->body[n] = '\0';
	resp->len = n;
	return (0);
}

/* The transport: answers from the input (health checks run on threads of
 * their own, so each has a fixed answer and fz.next is the fetch's). */
int
__wrap_http_target_request(const struct http_target *t, const char *method,
    const char *path, const char *body, const char *content_type,
    struct http_response *resp, char *err, size_t errlen)
{
	int	i = -1, k;

	memset(resp, 0, sizeof *resp);
	if (strcmp(t->name, "prometheus") == 0) {
		if (strcmp(method, "POST") != 0 || strcmp(path,
		    "/api/v1/query") != 0 || strncmp(body, "query=", 6) != 0)
			abort();
		if (fz.next < fz.n)
			i = fz.next++;
	} else {
		k = strcmp(t->name, "billing") == 0 ? 1 : 2;
		if (fz.n - k >= 0)
			i = fz.n - k;
	}
	if (i < 0) {
		snprintf(err, errlen, "%s: connection refused", t->name);
		return (-1);
	}
	return (fz_answer(i, resp));
}

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

static void
fz_init(void)
{
	struct error	err;
	size_t		i;

	for (i = 0; i < FZ_NCONFIGS; i++) {
		fz_cfg[i] = config_parse(fz_configs[i], strlen(fz_configs[i]),
		    "fuzz.yaml", &err);
		if (fz_cfg[i] == NULL) {
			fprintf(stderr, "fuzz_prometheus: %s\n", err.msg);
			abort();
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store		*st;
	struct source		*src;
	struct snapshot		*snap;
	struct source_status	 ss;
	struct error		 err;
	const uint8_t		*p, *end, *nul;
	int			 f;

	if (fz_cfg[0] == NULL)
		fz_init();
	if (size < 1)
		return (0);
	memset(&fz, 0, sizeof fz);
	for (p = data + 1, end = data + size; fz.n < 64; p = nul + 1) {
		nul = memchr(p, '\0', (size_t)(end - p));
		fz.seg[fz.n] = p;
		fz.len[fz.n++] = nul != NULL ? (size_t)(nul - p) :
		    (size_t)(end - p);
		if (nul == NULL)
			break;
	}

	src = prometheus_source_new(config_env(fz_cfg[data[0] % FZ_NCONFIGS],
	    NULL, &err), &err);
	if (src == NULL)
		abort();
	st = store_new();
	src->store = st;
	for (f = 0; f < 2; f++) {
		memset(&err, 0, sizeof err);
		if (src->cls->fetch(src, &err) != 0 && err.msg[0] == '\0')
			abort();	/* a failure says what */
		store_drain(st);
	}
	if ((snap = store_get(st, SNAP_CIRCUITS, &ss)) != NULL) {
		check_snapshot(snap);
		snapshot_unref(snap);
	}
	source_stop(src, 0);
	store_free(st);
	return (0);
}
