/* kube_podtab.c: pods by namespace/name for the watch (kube_int.h): an
 * array of pods and an open-addressing index into it, so that an event
 * among 10,000 pods costs a hash, not a scan. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kube_int.h"
#include "xmalloc.h"

static uint32_t
pod_hash(const char *ns, const char *name)
{
	uint32_t	 h = 2166136261u;
	const char	*s;

	for (s = ns; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	h = (h ^ '/') * 16777619u;
	for (s = name; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return (h);
}

/* The slot holding ns/name, or -1. */
static int
podtab_slot(const struct podtab *t, const char *ns, const char *name)
{
	uint32_t		 mask, i;
	int			 v;
	const struct pod	*p;

	if (t->nslots == 0)
		return (-1);
	mask = (uint32_t)t->nslots - 1;
	for (i = pod_hash(ns, name) & mask;; i = (i + 1) & mask) {
		if ((v = t->slots[i]) == 0)
			return (-1);
		if (v < 0)
			continue;
		p = &t->pods[v - 1];
		if (strcmp(p->name, name) == 0 && strcmp(p->ns, ns) == 0)
			return ((int)i);
	}
}

static void
podtab_link(struct podtab *t, int idx)
{
	uint32_t	mask = (uint32_t)t->nslots - 1, i;

	i = pod_hash(t->pods[idx].ns, t->pods[idx].name) & mask;
	while (t->slots[i] > 0)
		i = (i + 1) & mask;
	if (t->slots[i] == 0)
		t->used++;
	t->slots[i] = idx + 1;
}

/* Keep the index under 60% full (deleted slots count). */
static void
podtab_grow(struct podtab *t)
{
	int	i, want = 64;

	if ((t->used + 1) * 10 < t->nslots * 6)
		return;
	while (want * 6 <= (t->n + 1) * 10 * 2)
		want *= 2;
	free(t->slots);
	t->slots = xcalloc((size_t)want, sizeof *t->slots);
	t->nslots = want;
	t->used = 0;
	for (i = 0; i < t->n; i++)
		podtab_link(t, i);
}

void
podtab_put(struct podtab *t, const struct pod *p)
{
	int	s = podtab_slot(t, p->ns, p->name);

	if (s >= 0) {
		t->pods[t->slots[s] - 1] = *p;
		return;
	}
	podtab_grow(t);
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->pods = xreallocarray(t->pods, (size_t)t->cap,
		    sizeof *t->pods);
	}
	t->pods[t->n] = *p;
	podtab_link(t, t->n++);
}

int
podtab_del(struct podtab *t, const char *ns, const char *name)
{
	int	s = podtab_slot(t, ns, name), idx, last;

	if (s < 0)
		return (0);
	idx = t->slots[s] - 1;
	t->slots[s] = -1;
	last = t->n - 1;
	if (idx != last) {
		/* The last pod moves into the hole. */
		s = podtab_slot(t, t->pods[last].ns, t->pods[last].name);
		t->pods[idx] = t->pods[last];
		t->slots[s] = idx + 1;
	}
	t->n--;
	return (1);
}

void
podtab_free(struct podtab *t)
{
	free(t->pods);
	free(t->slots);
	memset(t, 0, sizeof *t);
}

static int
pod_cmp(const void *a, const void *b)
{
	const struct pod	*x = a, *y = b;
	int			 c = strcmp(x->ns, y->ns);

	return (c != 0 ? c : strcmp(x->name, y->name));
}

struct pod *
podtab_sorted(const struct podtab *t)
{
	struct pod	*v = xreallocarray(NULL, (size_t)t->n + 1, sizeof *v);

	if (t->n > 0)
		memcpy(v, t->pods, (size_t)t->n * sizeof *v);
	qsort(v, (size_t)t->n, sizeof *v, pod_cmp);
	return (v);
}
