/* kube_int.h: what the files of the Kubernetes backend share
 * (kubernetes.c the source, kube_client.c requests, kube_podtab.c the pod
 * table, kube_actions.c the actions).  Not for other modules. */
#ifndef SITREP_KUBE_INT_H
#define SITREP_KUBE_INT_H

#include <pthread.h>
#include <stddef.h>

#include "config.h"
#include "http.h"
#include "kube_json.h"
#include "kubeconfig.h"
#include "snapshot.h"
#include "source.h"

/* A list body: one page, or all of it from a server ignoring limit. */
#define KUBE_LIST_MAX_BODY	((size_t)256 << 20)
#define KUBE_PAGE		500

/* The cluster connection, shared by the source's worker and the action
 * threads. */
struct kube {
	pthread_mutex_t		 lock;	/* kc */
	struct kubeconfig	*kc;
	char			*path;	/* configured kubeconfig, or NULL */
	char			*context; /* pinned at start */
	char			*ns;	/* configured namespace, or NULL */
	int			 timeout_ms;
	struct http_pool	*pool;	/* connections reused by requests */
};

/* kubernetes.c: the connection of a kubernetes_source, or NULL. */
struct kube	*kubernetes_kube(struct source *);

/* kube_client.c */
void		 kube_init(struct kube *, const struct cfg_kubernetes *,
		     struct kubeconfig *kc);
void		 kube_done(struct kube *);
/* The current kubeconfig, a new reference (kubeconfig_unref). */
struct kubeconfig *kube_config(struct kube *);
/* Read the files again (same context); the old one stays on failure. */
int		 kube_reload(struct kube *, struct error *);
/* method server+path.  A 401 with a cached exec credential runs the
 * plugin again and retries once.  0 when an answer came (any status; resp
 * filled, caller frees), -1 and err. */
int		 kube_request(struct kube *, const char *method,
		     const char *path, const char *body, const char *ctype,
		     size_t max_body, struct http_response *, struct error *);
/* A watch: http_stream_tick on server+path. */
int		 kube_watch(struct kube *, const char *path, int idle_ms,
		     const struct http_stream_cb *, long *status,
		     struct error *);
/* curl_easy_escape'd copy, caller frees. */
char		*kube_escape(const char *);
/* "/api/v1/namespaces/NS/pods" ("/api/v1/pods" when ns is "*"); prefix
 * "/api/v1" or "/apis/apps/v1".  Caller frees. */
char		*kube_collection(const char *prefix, const char *ns,
		     const char *resource);
/* "in namespace NS" or "in all namespaces". */
void		 kube_where(const char *ns, char *buf, size_t len);

/* kube_podtab.c: pods by namespace/name. */
struct podtab {
	struct pod	*pods;
	int		 n, cap;
	int		*slots;		/* index + 1; 0 empty; -1 deleted */
	int		 nslots;	/* a power of two */
	int		 used;		/* non-empty slots */
};
void		 podtab_put(struct podtab *, const struct pod *);
int		 podtab_del(struct podtab *, const char *ns, const char *name);
void		 podtab_free(struct podtab *);
/* A sorted (namespace, name) copy of the pods, caller frees. */
struct pod	*podtab_sorted(const struct podtab *);

#endif
