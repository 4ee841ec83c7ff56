/* kubernetes.c: the Kubernetes source (kubernetes.h): LIST then WATCH the
 * pods, LIST the deployments every interval, publish SNAP_PODS.
 *
 * fetch() blocks in the watch for as long as it lasts: the stream's tick
 * (every 20 ms) publishes coalesced changes, refreshes the deployments
 * every interval and ends the stream when the source is asked to stop.
 * fetch() returns 0 only when stopping, -1 on a failure (the worker backs
 * off, reopens, and the next fetch resumes the watch from the last
 * resourceVersion; a 410 makes it re-list). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kube_int.h"
#include "kubernetes.h"
#include "xmalloc.h"

#define COALESCE_MS		100	/* at most one publish per this */
#define TICK_MS			20
#define WATCH_TIMEOUT_S		300	/* the server ends a watch after */
#define ERRBODY_MAX		65536
#define MAX_EMPTY_RESUMES	3

enum watch_end { W_STOP, W_GONE, W_RESUME, W_FAIL };

struct ksrc {
	struct kube		 kube;
	struct source		*src;
	int			 fresh;		/* kubeconfig just loaded */
	struct podtab		 pods;
	struct deployment	*deploys;
	int			 ndeploys;
	char			 deploy_note[160];
	char			 rv[64];	/* last resourceVersion seen */
	int			 need_list;
	int			 dirty;		/* changed, not published */
	int64_t			 last_event_pub; /* mono ms: a publish
						 * for watch events */
	int64_t			 next_refresh;	/* mono ms: deployments */
	/* The current watch stream. */
	struct kube_lines	 lines;
	int64_t			 watch_sent;	/* mono ms the watch was sent */
	int			 progress;	/* bytes of a 200 answer came */
	int			 gone;		/* ERROR event with code 410 */
	char			 werr[256];	/* why the stream was ended */
	char			*errbody;	/* body of a non-200 answer */
	size_t			 errlen;
};

/* Publishing --------------------------------------------------------------- */

static void
ksrc_note(struct ksrc *ks, const struct kubeconfig *kc, char *buf,
    size_t len)
{
	snprintf(buf, len, "%s%s%.140s", kc->insecure ? "TLS NOT VERIFIED "
	    "(insecure-skip-tls-verify)" : "", kc->insecure &&
	    ks->deploy_note[0] ? "; " : "", ks->deploy_note);
}

static void
ksrc_publish(struct ksrc *ks)
{
	struct snapshot		*s = snapshot_new(SNAP_PODS);
	struct pods_data	*pd = &s->u.pods;
	struct kubeconfig	*kc = kube_config(&ks->kube);

	strlcpy_(pd->context, kc->context, sizeof pd->context);
	ksrc_note(ks, kc, pd->note, sizeof pd->note);
	kubeconfig_unref(kc);
	pd->npods = ks->pods.n;
	pd->pods = podtab_sorted(&ks->pods);
	pd->ndeploys = ks->ndeploys;
	pd->deploys = xreallocarray(NULL, (size_t)ks->ndeploys + 1,
	    sizeof *pd->deploys);
	if (ks->ndeploys > 0)
		memcpy(pd->deploys, ks->deploys, (size_t)ks->ndeploys *
		    sizeof *pd->deploys);
	source_publish(ks->src, s);
	ks->dirty = 0;
}

/* Changes from the watch: the first at once, then at most one publish per
 * COALESCE_MS while a burst lasts (the tick publishes the tail).  The
 * periodic publishes do not count: they must not delay an event. */
static void
ksrc_maybe_publish(struct ksrc *ks)
{
	int64_t	now;

	if (ks->dirty && (now = mono_ms()) - ks->last_event_pub >=
	    COALESCE_MS) {
		ksrc_publish(ks);
		ks->last_event_pub = now;
	}
}

/* Lists -------------------------------------------------------------------- */

static int
add_pod(void *arg, const cJSON *item)
{
	struct pod	p;

	if (kube_pod_from_json(item, &p) == 0)
		podtab_put(arg, &p);
	return (0);
}

struct dlist {
	struct deployment	*v;
	int			 n, cap;
};

static int
add_deploy(void *arg, const cJSON *item)
{
	struct dlist	*d = arg;

	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		d->v = xreallocarray(d->v, (size_t)d->cap, sizeof *d->v);
	}
	if (kube_deploy_from_json(item, &d->v[d->n]) == 0)
		d->n++;
	return (0);
}

/* GET one page of a list; the answer's status in *status.  0 (r to be
 * freed), or -1 and err (transport, or a body that is not a list; r is
 * freed). */
static int
list_page(struct ksrc *ks, const char *base, char *cont, size_t contlen,
    kube_item_fn fn, void *arg, char *rv, size_t rvlen, long *status,
    struct http_response *r, struct error *err)
{
	char	*path, *e = cont[0] ? kube_escape(cont) : NULL;
	int	 rc;

	xasprintf(&path, "%s?limit=%d%s%s", base, KUBE_PAGE, e ? "&continue="
	    : "", e ? e : "");
	free(e);
	rc = kube_request(&ks->kube, "GET", path, NULL, NULL,
	    KUBE_LIST_MAX_BODY, r, err);
	free(path);
	if (rc != 0)
		return (-1);
	*status = r->status;
	if (r->status == 200 && (rc = kube_list_parse(r->body, r->len, fn,
	    arg, rv, rvlen, cont, contlen, err)) != 0)
		http_response_free(r);
	return (rc);
}

/* Every page of base.  reset empties the collection when a continue
 * token expired (410) and the list starts over.  1 when stopping. */
static int
list_all(struct ksrc *ks, const char *base, const char *what,
    kube_item_fn fn, void (*reset)(void *), void *arg, char *rv,
    size_t rvlen, long *status, struct error *err)
{
	struct http_response	 r;
	char			 cont[2048];
	int			 restarted = 0, rc;

	cont[0] = '\0';
	do {
		if (source_stopping(ks->src))
			return (1);
		rc = list_page(ks, base, cont, sizeof cont, fn, arg, rv, rvlen,
		    status, &r, err);
		if (rc == 0 && *status == 410 && cont[0] && !restarted++) {
			http_response_free(&r);
			reset(arg);
			cont[0] = '\0';
			continue;
		}
		if (rc == 0 && *status != 200)
			http_explain(*status, r.body, what, err->msg,
			    sizeof err->msg);
		if (rc == 0)
			http_response_free(&r);
		if (rc != 0 || *status != 200)
			return (-1);
	} while (cont[0] != '\0');
	return (0);
}

static void
reset_pods(void *arg)
{
	podtab_free(arg);
}

static void
reset_deploys(void *arg)
{
	((struct dlist *)arg)->n = 0;
}

static void
what_of(struct ksrc *ks, const char *verb, char *buf, size_t len)
{
	struct kubeconfig	*kc = kube_config(&ks->kube);
	char			 where[96];

	kube_where(kc->namespace, where, sizeof where);
	snprintf(buf, len, "%s %s", verb, where);
	kubeconfig_unref(kc);
}

/* 0, 1 when stopping, -1 and err. */
static int
list_pods(struct ksrc *ks, struct error *err)
{
	struct kubeconfig	*kc = kube_config(&ks->kube);
	struct podtab		 fresh;
	char			*base, what[128], rv[64];
	long			 status;
	int			 rc;

	memset(&fresh, 0, sizeof fresh);
	base = kube_collection("/api/v1", kc->namespace, "pods");
	kubeconfig_unref(kc);
	what_of(ks, "listing pods", what, sizeof what);
	rc = list_all(ks, base, what, add_pod, reset_pods, &fresh, rv,
	    sizeof rv, &status, err);
	free(base);
	if (rc != 0) {
		podtab_free(&fresh);
		return (rc);
	}
	podtab_free(&ks->pods);
	ks->pods = fresh;
	strlcpy_(ks->rv, rv, sizeof ks->rv);
	ks->need_list = 0;
	ks->dirty = 1;
	return (0);
}

/* Refused deployments (RBAC) are a note, not a failure: the pods still
 * show.  0, 1 when stopping, -1 and err. */
static int
list_deploys(struct ksrc *ks, struct error *err)
{
	struct kubeconfig	*kc = kube_config(&ks->kube);
	struct dlist		 d = { NULL, 0, 0 };
	char			*base, what[128], rv[64];
	long			 status = 0;
	int			 rc;

	base = kube_collection("/apis/apps/v1", kc->namespace, "deployments");
	kubeconfig_unref(kc);
	what_of(ks, "listing deployments", what, sizeof what);
	rc = list_all(ks, base, what, add_deploy, reset_deploys, &d, rv,
	    sizeof rv, &status, err);
	free(base);
	ks->next_refresh = mono_ms() + ks->src->interval_ms;
	if (rc == -1 && (status == 401 || status == 403 || status == 404)) {
		strlcpy_(ks->deploy_note, err->msg, sizeof ks->deploy_note);
		err->msg[0] = '\0';
		free(d.v);
		d.v = NULL;
		d.n = 0;
		rc = 0;
	} else if (rc == 0)
		ks->deploy_note[0] = '\0';
	if (rc != 0) {
		free(d.v);
		return (rc);
	}
	free(ks->deploys);
	ks->deploys = d.v;
	ks->ndeploys = d.n;
	return (0);
}

/* The watch ---------------------------------------------------------------- */

static int
on_event(struct ksrc *ks, const struct kube_event *ev)
{
	struct pod	p;

	switch (ev->type) {
	case KEV_ADDED:
	case KEV_MODIFIED:
		if (kube_pod_from_json(ev->object, &p) == 0) {
			podtab_put(&ks->pods, &p);
			ks->dirty = 1;
		}
		break;
	case KEV_DELETED:
		if (kube_pod_from_json(ev->object, &p) == 0 &&
		    podtab_del(&ks->pods, p.ns, p.name))
			ks->dirty = 1;
		break;
	case KEV_BOOKMARK:
		break;
	case KEV_ERROR:
		if (ev->code == 410) {
			ks->gone = 1;
			return (1);
		}
		snprintf(ks->werr, sizeof ks->werr, "watch error from the API "
		    "server: %d %.200s", ev->code, ev->message);
		ks->need_list = 1;
		return (1);
	case KEV_OTHER:
		break;
	}
	if (ev->rv[0] != '\0')
		strlcpy_(ks->rv, ev->rv, sizeof ks->rv);
	return (0);
}

static int
on_line(void *arg, char *line, size_t len)
{
	struct ksrc		*ks = arg;
	struct kube_event	 ev;
	struct error		 err;
	int			 rc;

	if (len == 0 || (len == 1 && line[0] == '\r'))
		return (0);
	if (kube_event_parse(line, len, &ev, &err) != 0) {
		strlcpy_(ks->werr, err.msg, sizeof ks->werr);
		return (1);
	}
	rc = on_event(ks, &ev);
	kube_event_free(&ev);
	return (rc);
}

static int
on_data(void *arg, long status, const char *data, size_t n)
{
	struct ksrc	*ks = arg;
	int		 rc;

	if (status != 200) {
		if (ks->errlen + n > ERRBODY_MAX)
			return (0);
		ks->errbody = xrealloc(ks->errbody, ks->errlen + n + 1);
		memcpy(ks->errbody + ks->errlen, data, n);
		ks->errlen += n;
		ks->errbody[ks->errlen] = '\0';
		return (0);
	}
	ks->progress = 1;
	rc = kube_lines_feed(&ks->lines, data, n, on_line, ks);
	if (rc < 0)
		snprintf(ks->werr, sizeof ks->werr, "a watch event from the "
		    "API server is larger than 16 MiB");
	if (rc != 0)
		return (1);
	ksrc_maybe_publish(ks);
	return (0);
}

/* A watch the server took but has not answered (no status line yet) is
 * given the request timeout, as a list is; until it answers nothing is
 * published, so the pods age on screen instead of being shown as fresh. */
static int
watch_unanswered(struct ksrc *ks)
{
	int64_t	waited = mono_ms() - ks->watch_sent;

	if (waited < ks->kube.timeout_ms)
		return (0);
	snprintf(ks->werr, sizeof ks->werr, "the API server took the pod "
	    "watch but has not answered it in %.1fs", waited / 1000.0);
	return (1);
}

/* While the watch is open: the tail of a burst of events, and the
 * deployments every interval, once the watch has been answered (an error
 * answer is explained when it ends). */
static int
on_tick(void *arg, long status)
{
	struct ksrc	*ks = arg;
	struct error	 err;

	if (source_stopping(ks->src))
		return (1);
	ksrc_maybe_publish(ks);
	if (status == 0)
		return (watch_unanswered(ks));
	if (status != 200 || mono_ms() < ks->next_refresh)
		return (0);
	err.msg[0] = '\0';
	if (list_deploys(ks, &err) != 0) {
		strlcpy_(ks->werr, err.msg[0] ? err.msg : "stopping",
		    sizeof ks->werr);
		return (1);
	}
	ksrc_publish(ks);
	return (0);
}

static char *
watch_path(struct ksrc *ks)
{
	struct kubeconfig	*kc = kube_config(&ks->kube);
	char			*base, *rv, *path;

	base = kube_collection("/api/v1", kc->namespace, "pods");
	kubeconfig_unref(kc);
	rv = kube_escape(ks->rv);
	xasprintf(&path, "%s?watch=1&allowWatchBookmarks=true&"
	    "resourceVersion=%s&timeoutSeconds=%d", base, rv, WATCH_TIMEOUT_S);
	free(rv);
	free(base);
	return (path);
}

static enum watch_end
watch_end(struct ksrc *ks, int rc, long status, struct error *err)
{
	char	what[128];

	if (ks->dirty)
		ksrc_publish(ks);
	if (source_stopping(ks->src))
		return (W_STOP);
	if (status == 410 || ks->gone)
		return (W_GONE);
	if (ks->werr[0] != '\0') {
		error_set(err, "%s", ks->werr);
		return (W_FAIL);
	}
	if (status != 200 && status != 0) {
		what_of(ks, "watching pods", what, sizeof what);
		http_explain(status, ks->errbody, what, err->msg,
		    sizeof err->msg);
		return (W_FAIL);
	}
	/* A stream cut (even mid-event) after it began: resume from the
	 * last resourceVersion; the partial event comes again. */
	if (rc != 0 && !ks->progress)
		return (W_FAIL);
	return (W_RESUME);
}

static enum watch_end
watch_once(struct ksrc *ks, struct error *err)
{
	struct http_stream_cb	 cb = { on_data, on_tick, TICK_MS, ks };
	char			*path = watch_path(ks);
	long			 status;
	int			 rc;

	kube_lines_reset(&ks->lines);
	ks->watch_sent = mono_ms();
	ks->progress = ks->gone = 0;
	ks->werr[0] = '\0';
	ks->errlen = 0;
	if (ks->errbody != NULL)
		ks->errbody[0] = '\0';
	err->msg[0] = '\0';
	rc = kube_watch(&ks->kube, path, (WATCH_TIMEOUT_S + 30) * 1000, &cb,
	    &status, err);
	free(path);
	return (watch_end(ks, rc, status, err));
}

/* Sleep up to ms unless asked to stop. */
static void
ksrc_pause(struct ksrc *ks, int ms)
{
	struct timespec	ts = { 0, 20 * 1000 * 1000 };
	int64_t		end = mono_ms() + ms;

	while (mono_ms() < end && !source_stopping(ks->src))
		nanosleep(&ts, NULL);
}

/* The source class --------------------------------------------------------- */

static int
k8s_open(struct source *src, struct error *err)
{
	struct ksrc	*ks = src->priv;

	if (ks->fresh) {
		ks->fresh = 0;
		return (0);
	}
	return (kube_reload(&ks->kube, err));
}

/* List (when needed) and publish, or refresh the deployments.  Pods that
 * were not listed again are as old as the last watch event: they are
 * published by the watch (on_tick, an interval later), once the API server
 * has answered it; publishing them now would show them as fresh although
 * nothing has answered for them (a server refusing the token answers the
 * deployments 401, which is only a note, then refuses the watch; a server
 * may take the watch and never answer it). */
static int
k8s_sync(struct ksrc *ks, struct error *err)
{
	int	rc, listed = ks->need_list;

	if (ks->need_list && (rc = list_pods(ks, err)) != 0)
		return (rc);
	if ((rc = list_deploys(ks, err)) != 0)
		return (rc);
	if (listed)
		ksrc_publish(ks);
	return (0);
}

static int
k8s_fetch(struct source *src, struct error *err)
{
	struct ksrc	*ks = src->priv;
	int		 empty = 0, rc;

	if ((rc = k8s_sync(ks, err)) != 0)
		return (rc > 0 ? 0 : -1);
	for (;;) {
		switch (watch_once(ks, err)) {
		case W_STOP:
			return (0);
		case W_FAIL:
			return (-1);
		case W_GONE:
			ks->need_list = 1;
			if ((rc = k8s_sync(ks, err)) != 0)
				return (rc > 0 ? 0 : -1);
			empty = 0;
			break;
		case W_RESUME:
			if (ks->progress)
				empty = 0;
			else if (++empty > MAX_EMPTY_RESUMES) {
				error_set(err, "the API server keeps "
				    "ending the pod watch at once");
				return (-1);
			}
			ksrc_pause(ks, 100 * empty);
			break;
		}
	}
}

static void
k8s_free(struct source *src)
{
	struct ksrc	*ks = src->priv;

	kube_done(&ks->kube);
	podtab_free(&ks->pods);
	free(ks->deploys);
	kube_lines_free(&ks->lines);
	free(ks->errbody);
	free(ks);
}

const struct source_class kubernetes_source = {
	.name = "kubernetes",
	.open = k8s_open,
	.fetch = k8s_fetch,
	.free = k8s_free,
};

struct source *
kubernetes_source_new(const struct cfg_env *env, struct error *err)
{
	const struct cfg_kubernetes	*c = &env->kubernetes;
	struct kubeconfig		*kc;
	struct ksrc			*ks;

	err->msg[0] = '\0';
	if (!c->present)
		return (NULL);
	if ((kc = kubeconfig_load(c->kubeconfig, c->context, c->namespace,
	    err)) == NULL)
		return (NULL);
	ks = xcalloc(1, sizeof *ks);
	kube_init(&ks->kube, c, kc);
	ks->fresh = 1;
	ks->need_list = 1;
	ks->src = source_new(&kubernetes_source, "kubernetes",
	    1u << SNAP_PODS, env->refresh_ms, ks);
	return (ks->src);
}

struct kube *
kubernetes_kube(struct source *src)
{
	if (src == NULL || src->cls != &kubernetes_source)
		return (NULL);
	return (&((struct ksrc *)src->priv)->kube);
}
