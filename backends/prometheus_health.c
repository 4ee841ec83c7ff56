/* prometheus_health.c: the dependencies' own health endpoints.
 *
 * Each configured endpoint is read with GET and its own timeouts, all at
 * once.  A 2xx answer is "up" unless its JSON says otherwise ("status":
 * "Degraded" -> "degraded"; "Unhealthy", "DOWN", "OUT_OF_SERVICE" ->
 * "down": ASP.NET Core and Spring Boot actuator bodies); any other status,
 * a refused connection or a timeout is "down"; the first problem is the
 * snapshot's note ("health billing: HTTP 503").  The result goes into every
 * circuit row whose dependency has the endpoint's name, or into a row of
 * its own (service "health") when no circuit leads there. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "prometheus_int.h"
#include "xmalloc.h"

struct hjob {
	const struct http_target *t;
	char			 health[16];
	char			 why[256];	/* when down or degraded */
};

/* What a 2xx body says: JSON {"status": ...}, or ASP.NET Core's plain
 * "Healthy" / "Degraded" / "Unhealthy". */
static const char *
health_body(const char *body)
{
	cJSON		*j = cJSON_Parse(body);
	const char	*s = prom_label(j, "status");
	const char	*h = "up";
	char		 text[32];
	size_t		 n;

	if (j == NULL && strlen(body) < sizeof text) {
		n = strlcpy_(text, body + strspn(body, " \t\r\n"), sizeof text);
		while (n > 0 && strchr(" \t\r\n", text[n - 1]) != NULL)
			text[--n] = '\0';
		s = text;
	}

	if (s != NULL && strcasecmp(s, "degraded") == 0)
		h = "degraded";
	else if (s != NULL && (strcasecmp(s, "unhealthy") == 0 ||
	    strcasecmp(s, "down") == 0 || strcasecmp(s, "out_of_service") == 0))
		h = "down";
	cJSON_Delete(j);
	return (h);
}

static void
health_one(void *arg, int i)
{
	struct hjob		*j = (struct hjob *)arg + i;
	struct http_response	 r;
	char			*url;

	strlcpy_(j->health, "down", sizeof j->health);
	if (http_target_request(j->t, "GET", "", NULL, NULL, &r, j->why,
	    sizeof j->why) != 0) {
		/* Short, for the panel's title: the name says where. */
		if ((url = strstr(j->why, " (http")) != NULL)
			*url = '\0';
		return;
	}
	if (r.status >= 200 && r.status <= 299) {
		strlcpy_(j->health, health_body(r.body), sizeof j->health);
		if (strcmp(j->health, "up") != 0)
			snprintf(j->why, sizeof j->why, "%.40s: %s",
			    j->t->name, j->health);
	} else
		snprintf(j->why, sizeof j->why, "%.40s: HTTP %ld", j->t->name,
		    r.status);
	http_response_free(&r);
}

static void
health_put(struct crows *rows, const struct hjob *j)
{
	struct circuit	*c;
	int		 i, found = 0;

	for (i = 0; i < rows->n; i++) {
		c = &rows->v[i];
		if (strcmp(c->dependency, j->t->name) != 0)
			continue;
		strlcpy_(c->health, j->health, sizeof c->health);
		found = 1;
	}
	if (!found) {
		c = crows_get(rows, "health", j->t->name);
		strlcpy_(c->health, j->health, sizeof c->health);
	}
}

void
health_rows(const struct prom *p, struct crows *rows)
{
	struct hjob	*jobs;
	int		 i, bad = 0;

	if (p->nhealth == 0)
		return;
	jobs = xcalloc((size_t)p->nhealth, sizeof *jobs);
	for (i = 0; i < p->nhealth; i++)
		jobs[i].t = &p->health[i];
	http_parallel(p->nhealth, health_one, jobs);
	for (i = 0; i < p->nhealth; i++) {
		health_put(rows, &jobs[i]);
		if (jobs[i].why[0] == '\0')
			continue;
		if (bad++ == 0)
			snprintf(rows->note, sizeof rows->note, "health %.170s",
			    jobs[i].why);
	}
	if (bad > 1) {
		i = (int)strlen(rows->note);
		snprintf(rows->note + i, sizeof rows->note - (size_t)i,
		    " (+%d more)", bad - 1);
	}
	free(jobs);
}
