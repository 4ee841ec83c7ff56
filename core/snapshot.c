/* snapshot.c: snapshot allocation and reference counting. */
#include <stdio.h>
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

void
alert_runbook_name(const char *url, char *buf, size_t len)
{
	static const char *const exts[] = { ".md", ".html", ".htm", ".yaml",
	    ".yml" };
	size_t			 end = strcspn(url, "?#"), start, n, e, i;

	while (end > 0 && url[end - 1] == '/')
		end--;
	for (start = end; start > 0 && url[start - 1] != '/'; start--)
		continue;
	n = end - start;
	for (i = 0; i < sizeof exts / sizeof exts[0]; i++) {
		e = strlen(exts[i]);
		if (n > e && strncmp(url + end - e, exts[i], e) == 0) {
			n -= e;
			break;
		}
	}
	snprintf(buf, len, "%.*s", (int)n, url + start);
}

/* Bytes of value once escaped (\ and \n take two). */
static size_t
matcher_escaped_len(const char *v)
{
	size_t	n = 0;

	for (; *v != '\0'; v++)
		n += (*v == '\\' || *v == '\n') ? 2 : 1;
	return (n);
}

int
alert_matcher_add(char *m, size_t len, const char *name, const char *value)
{
	size_t	off = strlen(m), need;

	need = strlen(name) + 1 + matcher_escaped_len(value) + 1;
	if (off + need + 1 > len)
		return (-1);
	off += (size_t)sprintf(m + off, "%s=", name);
	for (; *value != '\0'; value++) {
		if (*value == '\\' || *value == '\n') {
			m[off++] = '\\';
			m[off++] = *value == '\n' ? 'n' : '\\';
		} else
			m[off++] = *value;
	}
	m[off++] = '\n';
	m[off] = '\0';
	return (0);
}

static void
matcher_put(char *out, size_t len, size_t *n, char c)
{
	if (*n + 1 < len)
		out[(*n)++] = c;
}

int
alert_matcher_next(const char *m, size_t *pos, char *name, size_t namelen,
    char *value, size_t valuelen)
{
	const char	*p = m + *pos;
	size_t		 n = 0;

	while (*p == '\n')
		p++;
	if (*p == '\0' || namelen == 0 || valuelen == 0)
		return (0);
	for (; *p != '\0' && *p != '=' && *p != '\n'; p++)
		matcher_put(name, namelen, &n, *p);
	name[n] = '\0';
	n = 0;
	if (*p == '=')
		p++;
	for (; *p != '\0' && *p != '\n'; p++) {
		if (*p == '\\' && (p[1] == 'n' || p[1] == '\\')) {
			p++;
			matcher_put(value, valuelen, &n, *p == 'n' ? '\n' :
			    '\\');
		} else
			matcher_put(value, valuelen, &n, *p);
	}
	value[n] = '\0';
	*pos = (size_t)(p - m);
	return (1);
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
