/* kube_json.c: Kubernetes API JSON to pods and deployments (kube_json.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_num.h"
#include "kstatus.h"
#include "kube_json.h"
#include "kubeconfig.h"
#include "xmalloc.h"

#define LINE_MAX_DEFAULT	((size_t)16 << 20)

/* cJSON accessors ---------------------------------------------------------- */

static const cJSON *
jobj(const cJSON *o, const char *key)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, key);

	return (cJSON_IsObject(v) ? v : NULL);
}

static const cJSON *
jarr(const cJSON *o, const char *key)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, key);

	return (cJSON_IsArray(v) ? v : NULL);
}

static const char *
jstr(const cJSON *o, const char *key)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, key);

	return (cJSON_IsString(v) ? v->valuestring : NULL);
}

static int
jbool(const cJSON *o, const char *key)
{
	return (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key)));
}

static void
jcopy(char *dst, size_t len, const cJSON *o, const char *key)
{
	const char	*v = jstr(o, key);

	strlcpy_(dst, v != NULL ? v : "", len);
}

const char *
kube_object_rv(const cJSON *o)
{
	return (jstr(jobj(o, "metadata"), "resourceVersion"));
}

/* Pods --------------------------------------------------------------------- */

/* One containerStatuses entry; *last gets lastState.terminated.finishedAt
 * when it is later. */
static void
kube_container(const cJSON *cs, struct kcontainer *c, int64_t *last)
{
	const cJSON	*state = jobj(cs, "state"), *s, *lt;
	int64_t		 t;

	memset(c, 0, sizeof *c);
	if ((s = jobj(state, "waiting")) != NULL) {
		c->state = KSTATE_WAITING;
		jcopy(c->reason, sizeof c->reason, s, "reason");
	} else if ((s = jobj(state, "terminated")) != NULL) {
		c->state = KSTATE_TERMINATED;
		jcopy(c->reason, sizeof c->reason, s, "reason");
		c->exit_code = json_int(s, "exitCode", 0);
		c->signal = json_int(s, "signal", 0);
	} else if (jobj(state, "running") != NULL)
		c->state = KSTATE_RUNNING;
	c->ready = jbool(cs, "ready");
	c->started = jbool(cs, "started");
	c->restarts = json_int(cs, "restartCount", 0);
	if ((lt = jobj(jobj(cs, "lastState"), "terminated")) != NULL) {
		jcopy(c->last_reason, sizeof c->last_reason, lt, "reason");
		t = kube_time_ms(jstr(lt, "finishedAt"));
		if (t > *last)
			*last = t;
	}
}

/* restartPolicy Always on the spec of init container name: a sidecar. */
static int
kube_sidecar(const cJSON *specs, const char *name)
{
	const cJSON	*c;
	const char	*n, *rp;

	cJSON_ArrayForEach(c, specs) {
		n = jstr(c, "name");
		if (n == NULL || name == NULL || strcmp(n, name) != 0)
			continue;
		rp = jstr(c, "restartPolicy");
		return (rp != NULL && strcmp(rp, "Always") == 0);
	}
	return (0);
}

/* A statuses array to kcontainers (caller frees). */
static struct kcontainer *
kube_containers(const cJSON *statuses, const cJSON *init_specs, int *n,
    int64_t *last)
{
	struct kcontainer	*v;
	const cJSON		*cs;
	int			 i = 0;

	*n = cJSON_GetArraySize(statuses);
	v = xcalloc((size_t)*n + 1, sizeof *v);
	cJSON_ArrayForEach(cs, statuses) {
		kube_container(cs, &v[i], last);
		if (init_specs != NULL)
			v[i].restartable = kube_sidecar(init_specs,
			    jstr(cs, "name"));
		i++;
	}
	return (v);
}

static int
kube_ready_condition(const cJSON *status)
{
	const cJSON	*c;
	const char	*t, *s;

	cJSON_ArrayForEach(c, jarr(status, "conditions")) {
		t = jstr(c, "type");
		s = jstr(c, "status");
		if (t != NULL && s != NULL && strcmp(t, "Ready") == 0)
			return (strcmp(s, "True") == 0);
	}
	return (0);
}

void
kube_rs_deployment(const char *rs, const char *hash, char *out, size_t len)
{
	size_t		 n = strlen(rs), h;
	const char	*dash;

	if (hash != NULL && (h = strlen(hash)) > 0 && n > h + 1 &&
	    rs[n - h - 1] == '-' && strcmp(rs + n - h, hash) == 0)
		n -= h + 1;
	else if ((dash = strrchr(rs, '-')) != NULL && dash != rs)
		n = (size_t)(dash - rs);
	snprintf(out, len, "%.*s", (int)n, rs);
}

static void
kube_owner(const cJSON *meta, struct pod *p)
{
	const cJSON	*ref;
	const char	*kind, *name;

	p->deployment[0] = '\0';
	cJSON_ArrayForEach(ref, jarr(meta, "ownerReferences")) {
		kind = jstr(ref, "kind");
		name = jstr(ref, "name");
		if (kind == NULL || name == NULL || strcmp(kind,
		    "ReplicaSet") != 0)
			continue;
		kube_rs_deployment(name, jstr(jobj(meta, "labels"),
		    "pod-template-hash"), p->deployment, sizeof p->deployment);
		return;
	}
}

static void
kube_pod_status(const cJSON *spec, const cJSON *st, int deleting,
    struct pod *p)
{
	struct kpod		 kp;
	struct kstatus		 ks;
	struct kcontainer	*init, *ctrs;
	const cJSON		*init_specs = jarr(spec, "initContainers");
	int64_t			 last = 0;

	memset(&kp, 0, sizeof kp);
	jcopy(kp.phase, sizeof kp.phase, st, "phase");
	jcopy(kp.reason, sizeof kp.reason, st, "reason");
	kp.deleting = deleting;
	kp.ready_condition = kube_ready_condition(st);
	kp.ninit = cJSON_GetArraySize(init_specs);
	kp.ncontainers = cJSON_GetArraySize(jarr(spec, "containers"));
	init = kube_containers(jarr(st, "initContainerStatuses"),
	    init_specs != NULL ? init_specs : NULL, &kp.ninit_status, &last);
	ctrs = kube_containers(jarr(st, "containerStatuses"), NULL,
	    &kp.ncontainer_status, &last);
	kp.init = init;
	kp.containers = ctrs;
	kstatus_compute(&kp, &ks);
	strlcpy_(p->status, ks.status[0] ? ks.status : "Unknown",
	    sizeof p->status);
	strlcpy_(p->last_reason, ks.last_reason, sizeof p->last_reason);
	p->ready = ks.ready;
	p->total = ks.total;
	p->restarts = ks.restarts;
	p->last_restart_ms = last;
	p->problem = kstatus_severity(p->status, p->ready, p->total,
	    p->restarts);
	free(init);
	free(ctrs);
}

int
kube_pod_from_json(const cJSON *o, struct pod *p)
{
	const cJSON	*meta = jobj(o, "metadata"), *spec = jobj(o, "spec");
	const char	*name = jstr(meta, "name"), *del;

	memset(p, 0, sizeof *p);
	if (name == NULL)
		return (-1);
	strlcpy_(p->name, name, sizeof p->name);
	jcopy(p->ns, sizeof p->ns, meta, "namespace");
	jcopy(p->node, sizeof p->node, spec, "nodeName");
	kube_owner(meta, p);
	p->created_ms = kube_time_ms(jstr(meta, "creationTimestamp"));
	p->mem_pct = -1;
	del = jstr(meta, "deletionTimestamp");
	kube_pod_status(spec, jobj(o, "status"), del != NULL && *del != '\0',
	    p);
	return (0);
}

int
kube_deploy_from_json(const cJSON *o, struct deployment *d)
{
	const cJSON	*meta = jobj(o, "metadata"), *st = jobj(o, "status");
	const char	*name = jstr(meta, "name");

	memset(d, 0, sizeof *d);
	if (name == NULL)
		return (-1);
	strlcpy_(d->name, name, sizeof d->name);
	jcopy(d->ns, sizeof d->ns, meta, "namespace");
	d->desired = json_int(jobj(o, "spec"), "replicas", 1);
	d->updated = json_int(st, "updatedReplicas", 0);
	d->ready = json_int(st, "readyReplicas", 0);
	d->available = json_int(st, "availableReplicas", 0);
	return (0);
}

/* Lists -------------------------------------------------------------------- */

/* Walking a list's top level: cJSON parses every value (one at a time);
 * this only steps over the punctuation between them. */
struct lscan {
	const char	*buf, *p, *end;
	struct error	*err;
};

static void
lscan_ws(struct lscan *s)
{
	while (s->p < s->end && isspace((unsigned char)*s->p))
		s->p++;
}

static int
lscan_fail(struct lscan *s, const char *at)
{
	if (at >= s->end)
		error_set(s->err, "malformed JSON from the API server at byte "
		    "%zu: the body ends early", (size_t)(s->end - s->buf));
	else
		error_set(s->err, "malformed JSON from the API server at byte "
		    "%zu", (size_t)(at - s->buf));
	return (-1);
}

/* Punctuation c next?  Consumes it. */
static int
lscan_char(struct lscan *s, char c)
{
	lscan_ws(s);
	if (s->p < s->end && *s->p == c) {
		s->p++;
		return (1);
	}
	return (0);
}

static cJSON *
lscan_value(struct lscan *s)
{
	const char	*end = NULL;
	cJSON		*v;

	lscan_ws(s);
	v = cJSON_ParseWithLengthOpts(s->p, (size_t)(s->end - s->p), &end, 0);
	if (v == NULL) {
		lscan_fail(s, end != NULL ? end : s->p);
		return (NULL);
	}
	s->p = end;
	return (v);
}

static int
lscan_items(struct lscan *s, kube_item_fn fn, void *arg)
{
	cJSON	*item;
	int	 rc;

	if (lscan_char(s, ']'))
		return (0);
	for (;;) {
		if ((item = lscan_value(s)) == NULL)
			return (-1);
		rc = fn(arg, item);
		cJSON_Delete(item);
		if (rc != 0) {
			if (s->err->msg[0] == '\0')
				error_set(s->err, "list item refused");
			return (-1);
		}
		if (lscan_char(s, ']'))
			return (0);
		if (!lscan_char(s, ','))
			return (lscan_fail(s, s->p));
	}
}

static void
lscan_meta(const cJSON *meta, char *rv, size_t rvlen, char *cont,
    size_t contlen)
{
	jcopy(rv, rvlen, meta, "resourceVersion");
	jcopy(cont, contlen, meta, "continue");
}

int
kube_list_parse(const char *body, size_t len, kube_item_fn fn, void *arg,
    char *rv, size_t rvlen, char *cont, size_t contlen, struct error *err)
{
	struct lscan	 s = { body, body, body + len, err };
	cJSON		*key, *v;
	int		 rc;

	rv[0] = cont[0] = '\0';
	if (!lscan_char(&s, '{'))
		return (lscan_fail(&s, s.p));
	if (lscan_char(&s, '}'))
		goto end;
	for (;;) {
		if ((key = lscan_value(&s)) == NULL)
			return (-1);
		if (!cJSON_IsString(key) || !lscan_char(&s, ':')) {
			cJSON_Delete(key);
			return (lscan_fail(&s, s.p));
		}
		if (strcmp(key->valuestring, "items") == 0 &&
		    lscan_char(&s, '['))
			rc = lscan_items(&s, fn, arg);
		else if ((v = lscan_value(&s)) == NULL)
			rc = -1;
		else {
			if (strcmp(key->valuestring, "metadata") == 0)
				lscan_meta(v, rv, rvlen, cont, contlen);
			cJSON_Delete(v);
			rc = 0;
		}
		cJSON_Delete(key);
		if (rc != 0)
			return (-1);
		if (lscan_char(&s, '}'))
			break;
		if (!lscan_char(&s, ','))
			return (lscan_fail(&s, s.p));
	}
end:
	lscan_ws(&s);
	if (s.p != s.end)
		return (lscan_fail(&s, s.p));
	return (0);
}

/* Watch streams ------------------------------------------------------------ */

static int
lines_append(struct kube_lines *l, const char *data, size_t n)
{
	size_t	max = l->max ? l->max : LINE_MAX_DEFAULT;

	if (l->len + n > max)
		return (-1);
	if (l->len + n + 1 > l->cap) {
		while (l->len + n + 1 > l->cap)
			l->cap = l->cap ? l->cap * 2 : 4096;
		l->buf = xrealloc(l->buf, l->cap);
	}
	memcpy(l->buf + l->len, data, n);
	l->len += n;
	l->buf[l->len] = '\0';
	return (0);
}

int
kube_lines_feed(struct kube_lines *l, const char *data, size_t n,
    int (*fn)(void *, char *, size_t), void *arg)
{
	const char	*nl;
	size_t		 k;
	int		 rc;

	while (n > 0) {
		if ((nl = memchr(data, '\n', n)) == NULL)
			return (lines_append(l, data, n));
		k = (size_t)(nl - data);
		if (lines_append(l, data, k) != 0)
			return (-1);
		data += k + 1;
		n -= k + 1;
		rc = fn(arg, l->buf, l->len);
		l->offset += l->len + 1;
		l->len = 0;
		if (rc != 0)
			return (rc);
	}
	return (0);
}

void
kube_lines_reset(struct kube_lines *l)
{
	l->len = 0;
	l->offset = 0;
}

void
kube_lines_free(struct kube_lines *l)
{
	free(l->buf);
	memset(l, 0, sizeof *l);
}

static enum kube_event_type
event_type(const char *t)
{
	static const char *const names[] = { "ADDED", "MODIFIED", "DELETED",
	    "BOOKMARK", "ERROR" };
	size_t			 i;

	for (i = 0; t != NULL && i < sizeof names / sizeof names[0]; i++)
		if (strcmp(t, names[i]) == 0)
			return ((enum kube_event_type)i);
	return (KEV_OTHER);
}

int
kube_event_parse(const char *line, size_t len, struct kube_event *ev,
    struct error *err)
{
	const char	*end = NULL, *rv;

	memset(ev, 0, sizeof *ev);
	ev->root = cJSON_ParseWithLengthOpts(line, len, &end, 0);
	if (ev->root == NULL || !cJSON_IsObject(ev->root)) {
		error_set(err, "malformed JSON from the API server at byte %zu "
		    "of a watch event", ev->root == NULL && end != NULL ?
		    (size_t)(end - line) : (size_t)0);
		kube_event_free(ev);
		return (-1);
	}
	ev->type = event_type(jstr(ev->root, "type"));
	ev->object = jobj(ev->root, "object");
	if ((rv = kube_object_rv(ev->object)) != NULL)
		strlcpy_(ev->rv, rv, sizeof ev->rv);
	if (ev->type == KEV_ERROR) {
		ev->code = json_int(ev->object, "code", 0);
		jcopy(ev->message, sizeof ev->message, ev->object, "message");
	}
	return (0);
}

void
kube_event_free(struct kube_event *ev)
{
	cJSON_Delete(ev->root);
	ev->root = NULL;
	ev->object = NULL;
}
