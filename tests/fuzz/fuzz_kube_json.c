/* fuzz_kube_json.c: libFuzzer target for what the Kubernetes backend reads
 * from an API server (kube_json.h): the bytes as a List body (PodList,
 * DeploymentList: kube_list_parse item by item, each item as a pod and as
 * a deployment), then as a watch stream cut into chunks (kube_lines_feed,
 * kube_event_parse), the events applied to the pod table as the source
 * applies them (kube_podtab.c).
 *
 *   make fuzz-build && build/fuzz/fuzz_kube_json \
 *       -dict=tests/fuzz/kube_json.dict CORPUS_DIR
 *
 * Every input parses or fails with "malformed JSON from the API server at
 * byte N" inside the body, leaves nothing allocated, and what parses
 * keeps the promises of snapshot.h (below). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kube_int.h"
#include "kube_json.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FZ_LINE_MAX	4096	/* kube_lines' limit here, to reach it */

static void
check_str(const char *s, size_t size)
{
	if (memchr(s, '\0', size) == NULL)
		abort();
}

static void
check_pod(const struct pod *p)
{
	check_str(p->ns, sizeof p->ns);
	check_str(p->name, sizeof p->name);
	check_str(p->deployment, sizeof p->deployment);
	check_str(p->node, sizeof p->node);
	check_str(p->status, sizeof p->status);
	check_str(p->last_reason, sizeof p->last_reason);
	if (p->name[0] == '\0' && p->status[0] == '\0')
		abort();
	if (p->problem < 0 || p->problem > 2 || p->mem_pct != -1)
		abort();
}

/* A list item, as kubernetes.c reads pods and deployments. */
static int
on_item(void *arg, const cJSON *item)
{
	struct podtab		*t = arg;
	struct pod		 p;
	struct deployment	 d;
	const char		*rv;

	if (kube_pod_from_json(item, &p) == 0) {
		check_pod(&p);
		podtab_put(t, &p);
	}
	if (kube_deploy_from_json(item, &d) == 0) {
		check_str(d.ns, sizeof d.ns);
		check_str(d.name, sizeof d.name);
	}
	if ((rv = kube_object_rv(item)) != NULL)
		(void)strlen(rv);
	return (0);
}

/* A watch event line, as kubernetes.c applies it. */
static int
on_line(void *arg, char *line, size_t len)
{
	struct podtab		*t = arg;
	struct kube_event	 ev;
	struct error		 err;
	struct pod		 p;

	if (line[len] != '\0' || memchr(line, '\n', len) != NULL)
		abort();
	memset(&err, 0, sizeof err);
	if (kube_event_parse(line, len, &ev, &err) != 0) {
		if (strncmp(err.msg, "malformed JSON", 14) != 0 ||
		    ev.root != NULL)
			abort();
		return (0);
	}
	check_str(ev.rv, sizeof ev.rv);
	check_str(ev.message, sizeof ev.message);
	switch (ev.type) {
	case KEV_ADDED:
	case KEV_MODIFIED:
		if (kube_pod_from_json(ev.object, &p) == 0) {
			check_pod(&p);
			podtab_put(t, &p);
		}
		break;
	case KEV_DELETED:
		if (kube_pod_from_json(ev.object, &p) == 0)
			podtab_del(t, p.ns, p.name);
		break;
	default:
		break;
	}
	kube_event_free(&ev);
	return (0);
}

/* Sorted by (namespace, name), no pod twice. */
static void
check_table(const struct podtab *t)
{
	struct pod	*v = podtab_sorted(t);
	int		 i, c;

	for (i = 1; i < t->n; i++) {
		c = strcmp(v[i - 1].ns, v[i].ns);
		if (c > 0 || (c == 0 && strcmp(v[i - 1].name, v[i].name) >= 0))
			abort();
	}
	free(v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t	 cuts[] = { 1, 7, 64, 1000, 4096 };
	struct podtab		 t;
	struct kube_lines	 l;
	struct error		 err;
	char			*body, rv[64], cont[256];
	size_t			 off, n;
	int			 i;

	/* A List body: exactly size bytes, no terminator to lean on. */
	memset(&t, 0, sizeof t);
	memset(&err, 0, sizeof err);
	body = malloc(size > 0 ? size : 1);
	memcpy(body, data, size);
	if (kube_list_parse(body, size, on_item, &t, rv, sizeof rv, cont,
	    sizeof cont, &err) != 0) {
		if (strncmp(err.msg, "malformed JSON from the API server at "
		    "byte ", 38) != 0 || strtoul(err.msg + 38, NULL, 10) > size)
			abort();
	}
	check_str(rv, sizeof rv);
	check_str(cont, sizeof cont);
	check_table(&t);
	free(body);

	/* A watch stream, in chunks cut anywhere. */
	memset(&l, 0, sizeof l);
	l.max = FZ_LINE_MAX;
	for (off = 0, i = 0; off < size; off += n, i++) {
		n = cuts[i % 5] < size - off ? cuts[i % 5] : size - off;
		if (kube_lines_feed(&l, (const char *)data + off, n, on_line,
		    &t) != 0) {
			if (l.len > FZ_LINE_MAX)
				abort();
			kube_lines_reset(&l);	/* as the source: a new watch */
		}
	}
	check_table(&t);
	kube_lines_free(&l);
	podtab_free(&t);
	return (0);
}
