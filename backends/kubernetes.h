/* kubernetes.h: the Kubernetes source and its actions (docs/kubernetes.md).
 *
 * The source reads the cluster named by the environment's kubernetes:
 * section through its kubeconfig (kubeconfig.h): it LISTs the pods of the
 * namespace (or of all, "*") page by page, then WATCHes them from the
 * list's resourceVersion, applying ADDED/MODIFIED/DELETED events, following
 * BOOKMARKs, re-listing on 410 Gone and resuming a dropped stream from the
 * last resourceVersion.  It publishes a SNAP_PODS snapshot when the pod
 * set changes (bursts coalesced to one per 100 ms) and at least every
 * refresh interval, when it also LISTs the deployments.  STATUS is
 * kubectl's (kstatus.h).
 *
 * Actions (kubernetes_register_actions), arguments "key=value":
 *   k8s.pod-detail       ns= pod= [container=]   the pod, its events and
 *                        the last 200 log lines as text (res->output)
 *   k8s.scale            ns= deployment= replicas= [dry_run=1]
 *   k8s.rollout-restart  ns= deployment= [dry_run=1]
 *   k8s.delete-pod       ns= pod= [dry_run=1]
 *   k8s.rollout-status   ns= deployment=   read-only; ok only when rolled
 *                        out; {"desired","updated","ready","available",
 *                        "rolled_out"} as JSON (res->output)
 *   k8s.get              ns= deployment=|pod=   read-only; the object as
 *                        pretty-printed JSON (res->output)
 * Values reach URLs only through curl_easy_escape and JSON only through
 * cJSON. */
#ifndef SITREP_KUBERNETES_H
#define SITREP_KUBERNETES_H

#include "action.h"
#include "config.h"
#include "source.h"
#include "util.h"

extern const struct source_class kubernetes_source;

/* A not-started source (kinds SNAP_PODS, interval env->refresh_ms) for
 * env->kubernetes, owned by the caller (source_stop frees it).  NULL with
 * err->msg "" when the environment has no kubernetes: section; NULL and
 * the reason when the kubeconfig cannot be used ("kubeconfig: context 'x'
 * not found (have: a, b)").  env may be freed afterwards. */
struct source	*kubernetes_source_new(const struct cfg_env *, struct error *);

/* Register the k8s.* actions of a source made by kubernetes_source_new
 * (anything else is ignored).  The handlers use the source's state: free
 * the actions (actions_free) before stopping the source. */
void		 kubernetes_register_actions(struct source *, struct actions *);

#endif
