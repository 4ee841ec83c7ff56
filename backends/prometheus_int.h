/* prometheus_int.h: what the circuits source's files share: prometheus.c
 * (the source, the queries, state tracking), prometheus_polly.c (Polly's
 * events to states) and prometheus_health.c (health endpoints). */
#ifndef SITREP_PROMETHEUS_INT_H
#define SITREP_PROMETHEUS_INT_H

#include <cjson/cJSON.h>

#include "http_target.h"
#include "prometheus.h"

/* Circuit rows being built, one per (service, dependency). */
struct crows {
	struct circuit	*v;
	int		 n, cap;
	char		 note[192];
};

/* Where a row's state came from, for since_ms (prometheus.c). */
struct ctrack {
	char			 service[48];
	char			 dependency[48];
	enum circuit_state	 state;
	char			 health[16];
	int64_t			 since_ms;
};

struct prom {
	int			 present;	/* Prometheus configured */
	struct http_target	 http;
	enum circuit_preset	 preset;
	char			*query;		/* custom */
	char			*l_service;
	char			*l_dependency;
	char			*l_state;	/* NULL: the value is the state */
	struct http_target	*health;
	int			 nhealth;
	/* Worker thread only. */
	struct ctrack		*track;		/* the last snapshot's rows */
	int			 ntrack;
};

#define POLLY_WINDOW_S	900	/* how far back Polly's events are read */

/* The row for (service, dependency), added closed with ratio -1. */
struct circuit	*crows_get(struct crows *, const char *service,
		    const char *dependency);
int		 prom_rank(enum circuit_state);

/* A label's value in a result's "metric" object, or NULL. */
const char	*prom_label(const cJSON *metric, const char *name);
/* The service of a series: the service label, else job, else "-". */
const char	*prom_service(const struct prom *, const cJSON *metric);
/* Run an instant query (time_s > 0: at that time) whose result must be
 * of type ("vector", "matrix").  0 with *root (caller deletes) and *result
 * (the data.result array), -1 with err. */
int		 prom_query(const struct prom *, const char *query,
		    const char *type, double time_s, cJSON **root,
		    const cJSON **result, char *err, size_t errlen);

/* prometheus_polly.c: rows from Polly's events; track gives the state of
 * circuits with no event in the window.  0 or -1 with err. */
int		 polly_rows(const struct prom *, struct crows *, char *err,
		    size_t errlen);

/* prometheus_health.c: check every endpoint, put the results into rows. */
void		 health_rows(const struct prom *, struct crows *);

#endif
