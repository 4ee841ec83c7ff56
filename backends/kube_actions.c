/* kube_actions.c: the k8s.* actions (kubernetes.h): a pod's detail view
 * (the pod, its events, its logs), the reads runbook checks and waits make
 * (rollout status, get a deployment or a pod) and the changes runbooks
 * make (scale, rollout restart, delete a pod), each with dry_run=1
 * (dryRun=All).
 * Values go into URLs through curl_easy_escape and into JSON through
 * cJSON only. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kube_int.h"
#include "kubernetes.h"
#include "xmalloc.h"

#define LOG_LINES	200
#define LOG_MAX_BODY	((size_t)8 << 20)
#define DETAIL_MAX_BODY	((size_t)32 << 20)

/* Text --------------------------------------------------------------------- */

struct tbuf {
	char	*s;
	size_t	 len, cap;
};

static void tbuf_printf(struct tbuf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
tbuf_add(struct tbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		while (b->len + n + 1 > b->cap)
			b->cap = b->cap ? b->cap * 2 : 4096;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
tbuf_printf(struct tbuf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	n = xvasprintf(&s, fmt, ap);
	va_end(ap);
	tbuf_add(b, s, (size_t)n);
	free(s);
}

/* JSON --------------------------------------------------------------------- */

static const cJSON *
jget(const cJSON *o, const char *key)
{
	return (cJSON_GetObjectItemCaseSensitive(o, key));
}

static const char *
jstr(const cJSON *o, const char *key)
{
	const cJSON	*v = jget(o, key);

	return (cJSON_IsString(v) ? v->valuestring : "");
}

static int
jint(const cJSON *o, const char *key)
{
	const cJSON	*v = jget(o, key);

	return (cJSON_IsNumber(v) ? v->valueint : 0);
}

/* Arguments ---------------------------------------------------------------- */

/* A DNS-1123 name (namespaces, pods, deployments): [a-z0-9.-]. */
static int
valid_name(const char *s, size_t max)
{
	size_t	n;

	if (s == NULL || (n = strlen(s)) == 0 || n > max)
		return (0);
	return (strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-.") == n &&
	    s[0] != '-' && s[0] != '.');
}

static int
need_names(const struct action_req *req, struct action_result *res,
    const char *k1, const char *k2)
{
	const char	*a = action_arg(req, k1), *b = action_arg(req, k2);

	if (!valid_name(a, 63) || !valid_name(b, 253)) {
		snprintf(res->summary, sizeof res->summary, "%s: needs %s= and "
		    "%s= (lowercase names), got %s=%.60s %s=%.60s", req->kind,
		    k1, k2, k1, a ? a : "", k2, b ? b : "");
		return (-1);
	}
	return (0);
}

static int
dry_run(const struct action_req *req)
{
	const char	*v = action_arg(req, "dry_run");

	return (v != NULL && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 ||
	    strcmp(v, "yes") == 0));
}

/* "/api/v1/namespaces/NS/RES/NAME[SUFFIX]", escaped; caller frees. */
static char *
object_path(const char *prefix, const char *ns, const char *res,
    const char *name, const char *suffix)
{
	char	*e_ns = kube_escape(ns), *e_name = kube_escape(name), *p;

	xasprintf(&p, "%s/namespaces/%s/%s/%s%s", prefix, e_ns, res, e_name,
	    suffix);
	free(e_ns);
	free(e_name);
	return (p);
}

/* A request whose answer should be 2xx; else res->summary says why. */
static int
call(struct kube *k, const char *method, const char *path, const char *body,
    const char *ctype, size_t max, const char *what, struct http_response *r,
    struct action_result *res)
{
	struct error	err;

	if (kube_request(k, method, path, body, ctype, max, r, &err) != 0) {
		snprintf(res->summary, sizeof res->summary, "%s: %s", what,
		    err.msg);
		return (-1);
	}
	if (r->status < 200 || r->status > 299) {
		http_explain(r->status, r->body, what, res->summary,
		    sizeof res->summary);
		http_response_free(r);
		return (-1);
	}
	return (0);
}

/* j as compact JSON text, caller frees; j is deleted. */
static char *
json_print(cJSON *j)
{
	char	*s = cJSON_PrintUnformatted(j);

	cJSON_Delete(j);
	if (s == NULL)
		fatalx("out of memory");
	return (s);
}

/* GET path as JSON (a new tree, caller deletes); NULL and res->summary. */
static cJSON *
fetch(struct kube *k, const char *path, const char *what,
    struct action_result *res)
{
	struct http_response	 r;
	cJSON			*j;

	if (call(k, "GET", path, NULL, NULL, DETAIL_MAX_BODY, what, &r,
	    res) != 0)
		return (NULL);
	if ((j = cJSON_ParseWithLength(r.body, r.len)) == NULL)
		snprintf(res->summary, sizeof res->summary, "%s: malformed "
		    "JSON from the API server", what);
	http_response_free(&r);
	return (j);
}

/* Pod detail: the pod ------------------------------------------------------ */

static void
age_of(const char *ts, int64_t now, char *buf, size_t len)
{
	int64_t	t = kube_time_ms(ts);

	if (t == 0)
		strlcpy_(buf, "?", len);
	else
		fmt_age(buf, len, (now - t) / 1000);
}

static void
detail_state(struct tbuf *b, const char *label, const cJSON *state,
    int64_t now)
{
	const cJSON	*s;
	char		 age[16];

	if ((s = jget(state, "waiting")) != NULL)
		tbuf_printf(b, "    %-9s Waiting: %s%s%s\n", label,
		    *jstr(s, "reason") ? jstr(s, "reason") : "-",
		    *jstr(s, "message") ? " - " : "", jstr(s, "message"));
	else if ((s = jget(state, "running")) != NULL) {
		age_of(jstr(s, "startedAt"), now, age, sizeof age);
		tbuf_printf(b, "    %-9s Running since %s (%s ago)\n", label,
		    jstr(s, "startedAt"), age);
	} else if ((s = jget(state, "terminated")) != NULL) {
		age_of(jstr(s, "finishedAt"), now, age, sizeof age);
		tbuf_printf(b, "    %-9s Terminated: %s, exit code %d%s, "
		    "finished %s (%s ago)%s%s\n", label, *jstr(s, "reason") ?
		    jstr(s, "reason") : "-", jint(s, "exitCode"),
		    jint(s, "signal") ? " (signal)" : "", jstr(s, "finishedAt"),
		    age, *jstr(s, "message") ? " - " : "", jstr(s, "message"));
	}
}

static void
detail_containers(struct tbuf *b, const cJSON *statuses, const char *kind,
    int64_t now)
{
	const cJSON	*cs;

	cJSON_ArrayForEach(cs, statuses) {
		tbuf_printf(b, "  %s%s (%s)\n", jstr(cs, "name"), kind,
		    jstr(cs, "image"));
		detail_state(b, "state", jget(cs, "state"), now);
		tbuf_printf(b, "    %-9s %s, restarts %d\n", "ready",
		    cJSON_IsTrue(jget(cs, "ready")) ? "true" : "false",
		    jint(cs, "restartCount"));
		detail_state(b, "last", jget(cs, "lastState"), now);
	}
}

static void
detail_pod(struct tbuf *b, const cJSON *pod, int64_t now)
{
	const cJSON	*st = jget(pod, "status");
	struct pod	 p;
	char		 age[16];

	kube_pod_from_json(pod, &p);
	fmt_age(age, sizeof age, p.created_ms ? (now - p.created_ms) / 1000 :
	    0);
	tbuf_printf(b, "Pod %s/%s\n", p.ns, p.name);
	tbuf_printf(b, "  status   %s   ready %d/%d   restarts %d   age %s\n",
	    p.status, p.ready, p.total, p.restarts, age);
	tbuf_printf(b, "  node     %s   pod IP %s   phase %s\n",
	    p.node[0] ? p.node : "-", *jstr(st, "podIP") ? jstr(st, "podIP") :
	    "-", jstr(st, "phase"));
	if (p.deployment[0] != '\0')
		tbuf_printf(b, "  owner    deployment %s\n", p.deployment);
	if (*jstr(st, "message"))
		tbuf_printf(b, "  message  %s: %s\n", jstr(st, "reason"),
		    jstr(st, "message"));
	tbuf_printf(b, "\nContainers\n");
	detail_containers(b, jget(st, "initContainerStatuses"), " [init]",
	    now);
	detail_containers(b, jget(st, "containerStatuses"), "", now);
}

/* Pod detail: events ------------------------------------------------------- */

struct ev_at {
	int64_t		 t;
	const cJSON	*e;
};

static int
ev_cmp(const void *a, const void *b)
{
	const struct ev_at	*x = a, *y = b;

	return (x->t < y->t ? -1 : x->t > y->t);
}

static int64_t
event_time(const cJSON *e)
{
	int64_t	t;

	if ((t = kube_time_ms(jstr(e, "lastTimestamp"))) == 0 &&
	    (t = kube_time_ms(jstr(e, "eventTime"))) == 0 &&
	    (t = kube_time_ms(jstr(e, "firstTimestamp"))) == 0)
		t = kube_time_ms(jstr(jget(e, "metadata"),
		    "creationTimestamp"));
	return (t);
}

/* Oldest first, so the newest is last, next to the logs. */
static int
detail_events(struct tbuf *b, const cJSON *list, int64_t now)
{
	const cJSON	*items = jget(list, "items"), *e;
	struct ev_at	*v;
	char		 age[16], count[24];
	int		 n = cJSON_GetArraySize(items), i = 0, c;

	tbuf_printf(b, "\nEvents (%d, oldest first)\n", n);
	if (n == 0) {
		tbuf_printf(b, "  (none)\n");
		return (0);
	}
	v = xcalloc((size_t)n, sizeof *v);
	cJSON_ArrayForEach(e, items) {
		v[i].t = event_time(e);
		v[i++].e = e;
	}
	qsort(v, (size_t)n, sizeof *v, ev_cmp);
	for (i = 0; i < n; i++) {
		e = v[i].e;
		fmt_age(age, sizeof age, v[i].t ? (now - v[i].t) / 1000 : 0);
		c = jint(e, "count");
		if (c == 0)
			c = jint(jget(e, "series"), "count");
		count[0] = '\0';
		if (c > 1)
			snprintf(count, sizeof count, " (x%d)", c);
		tbuf_printf(b, "  %4s  %-7s  %-18s %s%s\n", v[i].t ? age : "?",
		    jstr(e, "type"), jstr(e, "reason"), jstr(e, "message"),
		    count);
	}
	free(v);
	return (n);
}

/* Pod detail: logs --------------------------------------------------------- */

/* The container kubectl logs would pick: the default-container annotation,
 * else the first. */
static const char *
main_container(const cJSON *pod, const char *asked)
{
	const cJSON	*c, *ctrs = jget(jget(pod, "spec"), "containers");
	const char	*dflt = jstr(jget(jget(pod, "metadata"), "annotations"),
			    "kubectl.kubernetes.io/default-container");

	if (asked != NULL && *asked != '\0')
		return (asked);
	cJSON_ArrayForEach(c, ctrs)
		if (*dflt != '\0' && strcmp(jstr(c, "name"), dflt) == 0)
			return (dflt);
	c = cJSON_GetArrayItem(ctrs, 0);
	return (c != NULL ? jstr(c, "name") : "");
}

static int
container_restarts(const cJSON *pod, const char *name)
{
	const cJSON	*cs;

	cJSON_ArrayForEach(cs, jget(jget(pod, "status"), "containerStatuses"))
		if (strcmp(jstr(cs, "name"), name) == 0)
			return (jint(cs, "restartCount"));
	return (0);
}

/* Each line indented by two, so that headings stand out. */
static int
add_log_lines(struct tbuf *b, const char *text)
{
	const char	*p = text, *nl;
	int		 n = 0;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		tbuf_add(b, "  ", 2);
		tbuf_add(b, p, nl ? (size_t)(nl - p) : strlen(p));
		tbuf_add(b, "\n", 1);
		n++;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	if (n == 0)
		tbuf_printf(b, "  (empty)\n");
	return (n);
}

static int
detail_logs(struct kube *k, struct tbuf *b, const char *ns, const char *pod,
    const char *ctr, int previous)
{
	struct http_response	 r;
	struct action_result	 res;
	char			*path, *q, *e_ctr = kube_escape(ctr), what[96];
	int			 n = 0;

	xasprintf(&q, "/log?container=%s&tailLines=%d%s", e_ctr, LOG_LINES,
	    previous ? "&previous=true" : "");
	path = object_path("/api/v1", ns, "pods", pod, q);
	tbuf_printf(b, "\nLogs of %s%s (last %d lines)\n", ctr, previous ?
	    ", the instance before the last restart" : "", LOG_LINES);
	snprintf(what, sizeof what, "reading logs of %s", ctr);
	memset(&res, 0, sizeof res);
	if (call(k, "GET", path, NULL, NULL, LOG_MAX_BODY, what, &r,
	    &res) != 0)
		tbuf_printf(b, "  (%s)\n", res.summary);
	else {
		n = add_log_lines(b, r.body);
		http_response_free(&r);
	}
	free(path);
	free(q);
	free(e_ctr);
	return (n);
}

static int
detail_event_list(struct kube *k, struct tbuf *b, const char *ns,
    const char *pod, int64_t now)
{
	struct http_response	 r;
	struct action_result	 res;
	cJSON			*j;
	char			*sel, *e_sel, *e_ns, *path;
	int			 n = 0;

	xasprintf(&sel, "involvedObject.name=%s", pod);
	e_sel = kube_escape(sel);
	e_ns = kube_escape(ns);
	xasprintf(&path, "/api/v1/namespaces/%s/events?fieldSelector=%s", e_ns,
	    e_sel);
	memset(&res, 0, sizeof res);
	if (call(k, "GET", path, NULL, NULL, DETAIL_MAX_BODY, "listing events",
	    &r, &res) != 0)
		tbuf_printf(b, "\nEvents\n  (%s)\n", res.summary);
	else {
		if ((j = cJSON_ParseWithLength(r.body, r.len)) == NULL)
			tbuf_printf(b, "\nEvents\n  (malformed JSON from the "
			    "API server)\n");
		else
			n = detail_events(b, j, now);
		cJSON_Delete(j);
		http_response_free(&r);
	}
	free(path);
	free(e_ns);
	free(e_sel);
	free(sel);
	return (n);
}

static int
act_pod_detail(void *ctx, const struct action_req *req,
    struct action_result *res, const volatile int *cancel)
{
	struct kube		*k = ctx;
	struct tbuf		 b = { NULL, 0, 0 };
	const char		*ns = action_arg(req, "ns");
	const char		*pod = action_arg(req, "pod"), *ctr;
	cJSON			*j;
	char			*path, what[160];
	int64_t			 now = now_ms();
	int			 nev, nlog = 0;

	if (need_names(req, res, "ns", "pod") != 0)
		return (-1);
	path = object_path("/api/v1", ns, "pods", pod, "");
	snprintf(what, sizeof what, "reading pod %s/%s", ns, pod);
	j = fetch(k, path, what, res);
	free(path);
	if (j == NULL)
		return (-1);
	detail_pod(&b, j, now);
	nev = *cancel ? 0 : detail_event_list(k, &b, ns, pod, now);
	ctr = main_container(j, action_arg(req, "container"));
	if (!*cancel && *ctr != '\0' && container_restarts(j, ctr) > 0)
		nlog += detail_logs(k, &b, ns, pod, ctr, 1);
	if (!*cancel && *ctr != '\0')
		nlog += detail_logs(k, &b, ns, pod, ctr, 0);
	cJSON_Delete(j);
	res->output = b.s;
	snprintf(res->summary, sizeof res->summary, "pod %s/%s: %d events, "
	    "%d log lines", ns, pod, nev, nlog);
	return (0);
}

/* Reads: rollout status, get ---------------------------------------------- */

/* One look, as `kubectl rollout status --watch=false` words it
 * (kubectl/pkg/polymorphichelpers/rollout_status.go): 1 when rolled out,
 * 0 while in progress, -1 when the progress deadline has passed. */
static int
rollout_verdict(const cJSON *o, const struct deployment *d, char *buf,
    size_t len)
{
	const cJSON	*st = jget(o, "status"), *c;
	int		 replicas = jint(st, "replicas");

	if (jint(jget(o, "metadata"), "generation") >
	    jint(st, "observedGeneration")) {
		snprintf(buf, len, "Waiting for deployment spec update to be "
		    "observed...");
		return (0);
	}
	cJSON_ArrayForEach(c, jget(st, "conditions"))
		if (strcmp(jstr(c, "type"), "Progressing") == 0 &&
		    strcmp(jstr(c, "reason"), "ProgressDeadlineExceeded") ==
		    0) {
			snprintf(buf, len, "deployment \"%s\" exceeded its "
			    "progress deadline", d->name);
			return (-1);
		}
	if (d->updated < d->desired)
		snprintf(buf, len, "Waiting for deployment \"%s\" rollout to "
		    "finish: %d out of %d new replicas have been updated...",
		    d->name, d->updated, d->desired);
	else if (replicas > d->updated)
		snprintf(buf, len, "Waiting for deployment \"%s\" rollout to "
		    "finish: %d old replicas are pending termination...",
		    d->name, replicas - d->updated);
	else if (d->available < d->updated)
		snprintf(buf, len, "Waiting for deployment \"%s\" rollout to "
		    "finish: %d of %d updated replicas are available...",
		    d->name, d->available, d->updated);
	else {
		snprintf(buf, len, "deployment \"%s\" successfully rolled out",
		    d->name);
		return (1);
	}
	return (0);
}

/* Read-only: ok only when rolled out; the counts in the output as JSON
 * for a wait step's capture. */
static int
act_rollout_status(void *ctx, const struct action_req *req,
    struct action_result *res, const volatile int *cancel)
{
	const char		*ns = action_arg(req, "ns");
	const char		*dep = action_arg(req, "deployment");
	struct deployment	 d;
	cJSON			*j, *out;
	char			*path, what[192];
	int			 v;

	if (need_names(req, res, "ns", "deployment") != 0)
		return (-1);
	path = object_path("/apis/apps/v1", ns, "deployments", dep, "");
	snprintf(what, sizeof what, "reading deployment %s/%s", ns, dep);
	j = fetch(ctx, path, what, res);
	free(path);
	if (j == NULL)
		return (-1);
	if (kube_deploy_from_json(j, &d) != 0) {
		snprintf(res->summary, sizeof res->summary, "%s: not a "
		    "deployment (no metadata.name)", what);
		cJSON_Delete(j);
		return (-1);
	}
	v = rollout_verdict(j, &d, res->summary, sizeof res->summary);
	cJSON_Delete(j);
	out = cJSON_CreateObject();
	cJSON_AddNumberToObject(out, "desired", d.desired);
	cJSON_AddNumberToObject(out, "updated", d.updated);
	cJSON_AddNumberToObject(out, "ready", d.ready);
	cJSON_AddNumberToObject(out, "available", d.available);
	cJSON_AddBoolToObject(out, "rolled_out", v == 1);
	res->output = json_print(out);
	res->ok = v == 1;
	return (0);
}

/* Read-only: the object as the API server has it (managedFields dropped,
 * as kubectl does), pretty-printed. */
static int
act_get(void *ctx, const struct action_req *req, struct action_result *res,
    const volatile int *cancel)
{
	const char		*ns = action_arg(req, "ns");
	const char		*dep = action_arg(req, "deployment");
	const char		*pod = action_arg(req, "pod");
	const char		*type = pod != NULL ? "pod" : "deployment";
	const char		*name = pod != NULL ? pod : dep;
	struct deployment	 d;
	struct pod		 p;
	cJSON			*j;
	char			*path, what[192];

	if ((dep == NULL) == (pod == NULL)) {
		snprintf(res->summary, sizeof res->summary, "k8s.get: needs "
		    "ns= and one of deployment= or pod=, got %s",
		    dep != NULL ? "both" : "neither");
		return (-1);
	}
	if (need_names(req, res, "ns", type) != 0)
		return (-1);
	path = object_path(pod != NULL ? "/api/v1" : "/apis/apps/v1", ns,
	    pod != NULL ? "pods" : "deployments", name, "");
	snprintf(what, sizeof what, "reading %s %s/%s", type, ns, name);
	j = fetch(ctx, path, what, res);
	free(path);
	if (j == NULL)
		return (-1);
	if (pod != NULL && kube_pod_from_json(j, &p) == 0)
		snprintf(res->summary, sizeof res->summary, "pod %s/%s: %s "
		    "%d/%d", ns, pod, p.status, p.ready, p.total);
	else if (pod == NULL && kube_deploy_from_json(j, &d) == 0)
		snprintf(res->summary, sizeof res->summary, "deployment %s/%s: "
		    "%d/%d available", ns, dep, d.available, d.desired);
	else {
		snprintf(res->summary, sizeof res->summary, "%s: not a %s "
		    "(no metadata.name)", what, type);
		cJSON_Delete(j);
		return (-1);
	}
	cJSON_DeleteItemFromObjectCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(j, "metadata"), "managedFields");
	if ((res->output = cJSON_Print(j)) == NULL)
		fatalx("out of memory");
	cJSON_Delete(j);
	return (0);
}

/* Changes ------------------------------------------------------------------ */

/* PATCH or DELETE path (with ?dryRun=All when asked). */
static int
change(struct kube *k, const struct action_req *req, const char *method,
    const char *path, const char *body, const char *ctype, const char *doing,
    const char *done, struct action_result *res)
{
	struct http_response	 r;
	char			*full;
	int			 rc;

	xasprintf(&full, "%s%s", path, dry_run(req) ? "?dryRun=All" : "");
	rc = call(k, method, full, body, ctype, DETAIL_MAX_BODY, doing, &r,
	    res);
	free(full);
	if (rc == 0) {
		snprintf(res->summary, sizeof res->summary, "%s%s",
		    dry_run(req) ? "dry run, nothing changed: " : "", done);
		http_response_free(&r);
	}
	return (rc);
}

static int
act_scale(void *ctx, const struct action_req *req, struct action_result *res,
    const volatile int *cancel)
{
	const char	*ns = action_arg(req, "ns");
	const char	*dep = action_arg(req, "deployment");
	const char	*rep = action_arg(req, "replicas");
	char		*path, *body, *end, doing[192], done[192];
	cJSON		*j;
	long		 n;
	int		 rc;

	if (need_names(req, res, "ns", "deployment") != 0)
		return (-1);
	n = rep != NULL ? strtol(rep, &end, 10) : -1;
	if (rep == NULL || *rep == '\0' || *end != '\0' || n < 0 ||
	    n > 100000) {
		snprintf(res->summary, sizeof res->summary, "k8s.scale: "
		    "replicas= must be a whole number from 0, got '%.40s'",
		    rep ? rep : "");
		return (-1);
	}
	j = cJSON_CreateObject();
	cJSON_AddNumberToObject(cJSON_AddObjectToObject(j, "spec"), "replicas",
	    (double)n);
	body = json_print(j);
	path = object_path("/apis/apps/v1", ns, "deployments", dep, "/scale");
	snprintf(doing, sizeof doing, "scaling deployment %s/%s to %ld", ns,
	    dep, n);
	snprintf(done, sizeof done, "scaled deployment %s/%s to %ld", ns, dep,
	    n);
	rc = change(ctx, req, "PATCH", path, body,
	    "application/merge-patch+json", doing, done, res);
	free(path);
	free(body);
	return (rc);
}

static int
act_restart(void *ctx, const struct action_req *req,
    struct action_result *res, const volatile int *cancel)
{
	const char	*ns = action_arg(req, "ns");
	const char	*dep = action_arg(req, "deployment");
	char		*path, *body, stamp[32], doing[192], done[192];
	cJSON		*j, *ann;
	time_t		 t = time(NULL);
	struct tm	 tm;
	int		 rc;

	if (need_names(req, res, "ns", "deployment") != 0)
		return (-1);
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	/* As kubectl rollout restart: a new template annotation. */
	j = cJSON_CreateObject();
	ann = cJSON_AddObjectToObject(cJSON_AddObjectToObject(
	    cJSON_AddObjectToObject(cJSON_AddObjectToObject(j, "spec"),
	    "template"), "metadata"), "annotations");
	cJSON_AddStringToObject(ann, "kubectl.kubernetes.io/restartedAt",
	    stamp);
	body = json_print(j);
	path = object_path("/apis/apps/v1", ns, "deployments", dep, "");
	snprintf(doing, sizeof doing, "restarting deployment %s/%s", ns, dep);
	snprintf(done, sizeof done, "restarted deployment %s/%s (rollout "
	    "started)", ns, dep);
	rc = change(ctx, req, "PATCH", path, body,
	    "application/strategic-merge-patch+json", doing, done, res);
	free(path);
	free(body);
	return (rc);
}

static int
act_delete_pod(void *ctx, const struct action_req *req,
    struct action_result *res, const volatile int *cancel)
{
	const char	*ns = action_arg(req, "ns");
	const char	*pod = action_arg(req, "pod");
	char		*path, doing[192], done[192];
	int		 rc;

	if (need_names(req, res, "ns", "pod") != 0)
		return (-1);
	path = object_path("/api/v1", ns, "pods", pod, "");
	snprintf(doing, sizeof doing, "deleting pod %s/%s", ns, pod);
	snprintf(done, sizeof done, "deleted pod %s/%s", ns, pod);
	rc = change(ctx, req, "DELETE", path, NULL, NULL, doing, done, res);
	free(path);
	return (rc);
}

void
kubernetes_register_actions(struct source *src, struct actions *a)
{
	struct kube	*k = kubernetes_kube(src);

	if (k == NULL)
		return;
	actions_register(a, "k8s.pod-detail", act_pod_detail, k);
	actions_register(a, "k8s.rollout-status", act_rollout_status, k);
	actions_register(a, "k8s.get", act_get, k);
	actions_register(a, "k8s.scale", act_scale, k);
	actions_register(a, "k8s.rollout-restart", act_restart, k);
	actions_register(a, "k8s.delete-pod", act_delete_pod, k);
}
