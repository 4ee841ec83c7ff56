/* registry.c: the backends an environment can configure, in one table. */
#include <string.h>

#include "alertmanager.h"
#include "backends.h"
#include "kubernetes.h"
#include "outbox.h"
#include "postgres.h"
#include "prometheus.h"
#include "redis.h"
#include "util.h"

typedef struct source *(*source_maker)(const struct cfg_env *,
    struct error *);

static const source_maker makers[] = {
	postgres_source_new,
	outbox_source_new,
	redis_source_new,
	alertmanager_source_new,
	prometheus_source_new,
	kubernetes_source_new,
	NULL
};

void
backends_add(struct source_set *set, struct source *src)
{
	int	k;

	if (set->n >= BACKENDS_MAX)
		return;
	set->src[set->n++] = src;
	for (k = 0; k < SNAP__COUNT; k++)
		if (src->kinds & (1u << k))
			set->kinds |= 1u << k;
}

int
backends_open(const struct cfg_env *env, struct source_set *set,
    struct error *err)
{
	struct source	*src;
	int		 i;

	for (i = 0; makers[i] != NULL; i++) {
		err->msg[0] = '\0';
		src = makers[i](env, err);
		if (src != NULL)
			backends_add(set, src);
		else if (err->msg[0] != '\0')
			return (-1);
	}
	err->msg[0] = '\0';
	return (0);
}

void
backends_start(struct source_set *set, struct store *store)
{
	int	i;

	for (i = 0; i < set->n; i++)
		source_start(set->src[i], store);
}

void
backends_kick(struct source_set *set)
{
	int	i;

	for (i = 0; i < set->n; i++)
		source_kick(set->src[i]);
}

int
backends_stop(struct source_set *set, int wait_ms)
{
	int64_t	deadline = mono_ms() + wait_ms;
	int	i, left = 0, ms;

	/* Ask all first, so that they wind down together. */
	for (i = 0; i < set->n; i++)
		source_signal_stop(set->src[i]);
	for (i = 0; i < set->n; i++) {
		ms = (int)(deadline - mono_ms());
		if (source_stop(set->src[i], ms > 0 ? ms : 0) != 0)
			left++;
		set->src[i] = NULL;
	}
	set->n = 0;
	return (left ? -1 : 0);
}
