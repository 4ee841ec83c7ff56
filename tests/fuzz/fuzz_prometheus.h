/* fuzz_prometheus.h: a circuits source that reads its answers from a
 * buffer, for fuzz_prometheus.c and tests/unit/test_fuzz_regress.c.
 *
 * The first byte picks the configuration (fz_configs); the rest is the
 * answers, separated by NUL bytes: the Prometheus queries take them from
 * the front, health endpoint i the i-th from the end.  An answer that
 * starts with three digits and a space ("503 ...") has that HTTP status,
 * else 200; when the answers run out the request is refused.  The
 * transport is replaced at link time (-Wl,--wrap=http_target_request,
 * mk/fuzz.mk): no socket is opened. */
#ifndef SITREP_FUZZ_PROMETHEUS_H
#define SITREP_FUZZ_PROMETHEUS_H

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

/* The configurations (parsed once, kept) and this input's answers. */
static struct {
	struct config	*cfg[FZ_NCONFIGS];
	const uint8_t	*seg[64];
	size_t		 len[64];
	int		 n;
	int		 next;		/* the next Prometheus answer */
} fz;

static inline void
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
	if ((resp->body = malloc(n + 1)) == NULL)
		abort();
	memcpy(resp->body, s, n);
	resp->body[n] = '\0';
	resp->len = n;
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
	fz_answer(i, resp);
	return (0);
}

/* A new source (not started) over data's answers (size >= 1),
 * publishing to st. */
static inline struct source *
fz_source(const uint8_t *data, size_t size, struct store *st)
{
	struct source	*src;
	struct error	 err;
	const uint8_t	*p, *end, *nul;
	size_t		 i;

	for (i = 0; i < FZ_NCONFIGS && fz.cfg[FZ_NCONFIGS - 1] == NULL; i++) {
		fz.cfg[i] = config_parse(fz_configs[i], strlen(fz_configs[i]),
		    "fuzz.yaml", &err);
		if (fz.cfg[i] == NULL) {
			fprintf(stderr, "fuzz_prometheus: %s\n", err.msg);
			abort();
		}
	}
	fz.n = fz.next = 0;
	for (p = data + 1, end = data + size; fz.n < 64; p = nul + 1) {
		nul = memchr(p, '\0', (size_t)(end - p));
		fz.seg[fz.n] = p;
		fz.len[fz.n++] = nul != NULL ? (size_t)(nul - p) :
		    (size_t)(end - p);
		if (nul == NULL)
			break;
	}
	src = prometheus_source_new(config_env(fz.cfg[data[0] % FZ_NCONFIGS],
	    NULL, &err), &err);
	if (src == NULL)
		abort();
	src->store = st;
	return (src);
}

#endif
