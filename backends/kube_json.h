/* kube_json.h: Kubernetes API JSON to sitrep's structs, through cJSON.
 *
 * Pods become struct pod with STATUS computed by kstatus_compute from the
 * pod's status (kstatus.h).  Lists are read item by item, so that a 30 MB
 * PodList never becomes one 200 MB tree.  Watch streams are newline-
 * delimited events that chunks may cut anywhere: kube_lines reassembles
 * them. */
#ifndef SITREP_KUBE_JSON_H
#define SITREP_KUBE_JSON_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "snapshot.h"
#include "util.h"

/* A pod object to p (every field; mem_pct -1).  0, or -1 when it is not a
 * pod (no metadata.name). */
int		 kube_pod_from_json(const cJSON *, struct pod *p);
/* A Deployment object to d.  0 or -1. */
int		 kube_deploy_from_json(const cJSON *, struct deployment *d);
/* metadata.resourceVersion of an object, or NULL. */
const char	*kube_object_rv(const cJSON *);
/* The deployment a ReplicaSet belongs to: its name minus the
 * pod-template-hash suffix (hash may be NULL: then the last "-..."). */
void		 kube_rs_deployment(const char *rs, const char *hash,
		     char *out, size_t len);

/* A List body (PodList, DeploymentList): fn is called with each item (a
 * tree freed after the call; non-zero stops with -1).  rv and cont get
 * metadata.resourceVersion and metadata.continue ("" when absent).  0, or
 * -1 and err: "malformed JSON from the API server at byte N" (of body). */
typedef int	(*kube_item_fn)(void *arg, const cJSON *item);
int		 kube_list_parse(const char *body, size_t len, kube_item_fn,
		     void *arg, char *rv, size_t rvlen, char *cont,
		     size_t contlen, struct error *);

/* Lines of a stream. */
struct kube_lines {
	char	*buf;		/* the incomplete last line */
	size_t	 len, cap;
	size_t	 max;		/* longest line accepted, 0 = 16 MiB */
	size_t	 offset;	/* bytes of the stream before buf */
};
/* Feed a chunk: fn gets every complete line (without its '\n'; the text
 * may be modified).  0; fn's non-zero value; or -1 when a line is longer
 * than max. */
int		 kube_lines_feed(struct kube_lines *, const char *, size_t,
		     int (*fn)(void *, char *, size_t), void *arg);
/* Forget a partial line (a stream that was cut). */
void		 kube_lines_reset(struct kube_lines *);
void		 kube_lines_free(struct kube_lines *);

enum kube_event_type {
	KEV_ADDED, KEV_MODIFIED, KEV_DELETED, KEV_BOOKMARK, KEV_ERROR,
	KEV_OTHER
};

struct kube_event {
	enum kube_event_type	 type;
	cJSON			*root;		/* owned */
	const cJSON		*object;	/* in root */
	char			 rv[64];	/* the object's, "" if none */
	int			 code;		/* ERROR: Status.code */
	char			 message[256];	/* ERROR: Status.message */
};

/* One watch event line.  0, or -1 and err ("malformed JSON from the API
 * server at byte N of a watch event"). */
int		 kube_event_parse(const char *line, size_t len,
		     struct kube_event *, struct error *);
void		 kube_event_free(struct kube_event *);

#endif
