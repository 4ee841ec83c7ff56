/* kube_client.c: requests to the API server with the kubeconfig's TLS and
 * credentials, for the source and the actions (kube_int.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "kube_int.h"
#include "xmalloc.h"

#define KUBE_TIMEOUT_MS		10000
#define KUBE_CONNECT_MS		3000

static char *
dup_or_null(const char *s)
{
	return (s != NULL && *s != '\0' ? xstrdup(s) : NULL);
}

void
kube_init(struct kube *k, const struct cfg_kubernetes *c,
    struct kubeconfig *kc)
{
	memset(k, 0, sizeof *k);
	pthread_mutex_init(&k->lock, NULL);
	k->kc = kc;
	k->path = dup_or_null(c->kubeconfig);
	k->context = xstrdup(kc->context);
	k->ns = dup_or_null(c->namespace);
	k->timeout_ms = c->timeout_ms > 0 ? c->timeout_ms : KUBE_TIMEOUT_MS;
	k->pool = http_pool_new();
}

void
kube_done(struct kube *k)
{
	kubeconfig_unref(k->kc);
	http_pool_free(k->pool);
	free(k->path);
	free(k->context);
	free(k->ns);
	pthread_mutex_destroy(&k->lock);
}

struct kubeconfig *
kube_config(struct kube *k)
{
	struct kubeconfig	*kc;

	pthread_mutex_lock(&k->lock);
	kc = kubeconfig_ref(k->kc);
	pthread_mutex_unlock(&k->lock);
	return (kc);
}

int
kube_reload(struct kube *k, struct error *err)
{
	struct kubeconfig	*kc, *old;

	if ((kc = kubeconfig_load(k->path, k->context, k->ns, err)) == NULL)
		return (-1);
	pthread_mutex_lock(&k->lock);
	old = k->kc;
	k->kc = kc;
	pthread_mutex_unlock(&k->lock);
	kubeconfig_unref(old);
	return (0);
}

static void
kube_opts(struct kube *k, struct http_opts *o, size_t max_body)
{
	memset(o, 0, sizeof *o);
	o->timeout_ms = k->timeout_ms;
	o->connect_timeout_ms = k->timeout_ms < KUBE_CONNECT_MS ?
	    k->timeout_ms : KUBE_CONNECT_MS;
	o->max_body = max_body;
}

int
kube_request(struct kube *k, const char *method, const char *path,
    const char *body, const char *ctype, size_t max_body,
    struct http_response *r, struct error *err)
{
	struct kubeconfig	*kc = kube_config(k);
	struct kube_creds	 cr;
	struct http_opts	 o;
	char			*url;
	int			 attempt, rc = -1;

	xasprintf(&url, "%s%s", kc->server, path);
	for (attempt = 0; attempt < 2; attempt++) {
		kube_opts(k, &o, max_body);
		o.pool = k->pool;
		if (kubeconfig_http_opts(kc, &o, &cr, err) != 0)
			break;
		rc = http_request(method, url, body, ctype, &o, r);
		kube_creds_free(&cr);
		if (rc != 0) {
			error_set(err, "%s", r->error);
			http_response_free(r);
			break;
		}
		/* An exec credential the server no longer takes: once more
		 * with a fresh one. */
		if (r->status != 401 || attempt > 0 || !kubeconfig_forget(kc))
			break;
		http_response_free(r);
		rc = -1;
	}
	free(url);
	kubeconfig_unref(kc);
	return (rc);
}

int
kube_watch(struct kube *k, const char *path, int idle_ms,
    const struct http_stream_cb *cb, long *status, struct error *err)
{
	struct kubeconfig	*kc = kube_config(k);
	struct kube_creds	 cr;
	struct http_opts	 o;
	char			*url;
	int			 rc = -1;

	*status = 0;
	xasprintf(&url, "%s%s", kc->server, path);
	kube_opts(k, &o, 0);
	if (kubeconfig_http_opts(kc, &o, &cr, err) == 0) {
		rc = http_stream_tick(url, &o, idle_ms, cb, NULL, status,
		    err->msg, sizeof err->msg);
		kube_creds_free(&cr);
		if (*status == 401)
			kubeconfig_forget(kc);
	}
	free(url);
	kubeconfig_unref(kc);
	return (rc);
}

char *
kube_escape(const char *s)
{
	char	*e, *out;

	if ((e = curl_easy_escape(NULL, s, 0)) == NULL)
		fatalx("out of memory");
	out = xstrdup(e);
	curl_free(e);
	return (out);
}

char *
kube_collection(const char *prefix, const char *ns, const char *resource)
{
	char	*out, *e;

	if (strcmp(ns, "*") == 0) {
		xasprintf(&out, "%s/%s", prefix, resource);
		return (out);
	}
	e = kube_escape(ns);
	xasprintf(&out, "%s/namespaces/%s/%s", prefix, e, resource);
	free(e);
	return (out);
}

void
kube_where(const char *ns, char *buf, size_t len)
{
	if (strcmp(ns, "*") == 0)
		snprintf(buf, len, "in all namespaces");
	else
		snprintf(buf, len, "in namespace %s", ns);
}
