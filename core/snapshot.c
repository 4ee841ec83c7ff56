/* snapshot.c: snapshot allocation and reference counting. */
#include <stdlib.h>
#include <string.h>

#include "snapshot.h"
#include "xmalloc.h"

static const char *kind_names[SNAP__COUNT] = {
	"pods", "replication", "outbox", "circuits", "alerts", "redis"
};

const char *
snap_kind_name(enum snap_kind k)
{
	return ((unsigned)k < SNAP__COUNT ? kind_names[k] : "?");
}

const char *
circuit_state_name(enum circuit_state s)
{
	switch (s) {
	case CIRCUIT_CLOSED:
		return ("closed");
	case CIRCUIT_HALF_OPEN:
		return ("half-open");
	case CIRCUIT_OPEN:
		return ("open");
	}
	return ("?");
}

const char *
alert_state_name(enum alert_state s)
{
	switch (s) {
	case ALERT_ACTIVE:
		return ("active");
	case ALERT_SILENCED:
		return ("silenced");
	case ALERT_INHIBITED:
		return ("inhibited");
	}
	return ("?");
}

int
alert_severity_rank(const char *sev)
{
	if (strcmp(sev, "critical") == 0 || strcmp(sev, "page") == 0)
		return (2);
	if (strcmp(sev, "warning") == 0)
		return (1);
	return (0);
}

struct snapshot *
snapshot_new(enum snap_kind kind)
{
	struct snapshot	*s;

	s = xcalloc(1, sizeof *s);
	s->refs = 1;
	s->kind = kind;
	return (s);
}

struct snapshot *
snapshot_ref(struct snapshot *s)
{
	if (s != NULL)
		__atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
	return (s);
}

static void
snapshot_free_data(struct snapshot *s)
{
	switch (s->kind) {
	case SNAP_PODS:
		free(s->u.pods.pods);
		free(s->u.pods.deploys);
		break;
	case SNAP_REPLICATION:
		free(s->u.repl.standbys);
		free(s->u.repl.slots);
		free(s->u.repl.servers);
		break;
	case SNAP_OUTBOX:
		free(s->u.outbox.rows);
		break;
	case SNAP_CIRCUITS:
		free(s->u.circuits.rows);
		break;
	case SNAP_ALERTS:
		free(s->u.alerts.rows);
		break;
	case SNAP_REDIS:
		free(s->u.redis.nodes);
		break;
	case SNAP__COUNT:
		break;
	}
}

void
snapshot_unref(struct snapshot *s)
{
	if (s == NULL)
		return;
	if (__atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	snapshot_free_data(s);
	free(s);
}
