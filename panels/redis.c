/* redis.c: the Redis panel.  One row per configured server as its INFO
 * shows it: role, the replica's link to its master, replication lag,
 * memory against maxmemory, evictions, rejected connections, clients and
 * persistence.  Counters only mean something as they move, so the panel
 * keeps each server's previous evicted and rejected counts (priv) and
 * ranks a server by whether they grew recently.  Broken servers rank
 * first: unreachable, link down, a failed save, memory nearly full. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panel.h"
#include "util.h"
#include "xmalloc.h"

enum { C_NAME, C_ADDR, C_ROLE, C_LINK, C_LAG, C_MEMORY, C_EVICTED,
	C_REJECTED, C_CLIENTS, C_PERSIST, C__COUNT };

static const struct table_col redis_cols[C__COUNT] = {
	{ "NAME", 16, 2, 0, 0 },
	{ "ADDR", 15, 1, 0, 6 },
	{ "ROLE", 7, 0, 0, 0 },
	{ "LINK", 8, 0, 0, 0 },
	{ "LAG", 7, 0, 1, 2 },
	{ "MEMORY", 19, 1, 1, 0 },
	{ "EVICTED", 7, 0, 1, 4 },
	{ "REJECTED", 8, 0, 1, 3 },
	{ "CLIENTS", 7, 0, 1, 5 },
	{ "PERSIST", 10, 0, 0, 1 },
};

#define MEM_WARN_PCT	80
#define MEM_CRIT_PCT	95
#define GROWTH_MS	(5 * 60 * 1000)	/* a counter "growing": moved lately */

/* What the panel remembers of a server between snapshots. */
struct redis_seen {
	char	 name[64];
	int64_t	 evicted;
	int64_t	 rejected;
	int64_t	 evicted_ms;		/* when evicted last grew, 0 never */
	int64_t	 rejected_ms;
};

struct redis_priv {
	struct redis_seen	*seen;
	int			 n;
};

static void
redis_init(struct panel *p)
{
	p->table = table_new(redis_cols, C__COUNT);
	p->priv = xcalloc(1, sizeof (struct redis_priv));
}

static void
redis_free(struct panel *p)
{
	struct redis_priv	*rp = p->priv;

	free(rp->seen);
	free(rp);
	p->priv = NULL;
}

static struct redis_seen *
seen_find(struct redis_priv *rp, const char *name)
{
	int	i;

	for (i = 0; i < rp->n; i++)
		if (strcmp(rp->seen[i].name, name) == 0)
			return (&rp->seen[i]);
	return (NULL);
}

/* Note growth of the counters; the first sight is the baseline, and a
 * counter that went back (a restart) is a new baseline. */
static void
seen_update(struct redis_priv *rp, const struct redis_node *n, int64_t now)
{
	struct redis_seen	*sn;

	if (n->error[0] != '\0')
		return;
	if ((sn = seen_find(rp, n->name)) == NULL) {
		rp->seen = xreallocarray(rp->seen, (size_t)rp->n + 1,
		    sizeof *rp->seen);
		sn = &rp->seen[rp->n++];
		memset(sn, 0, sizeof *sn);
		strlcpy_(sn->name, n->name, sizeof sn->name);
	} else {
		if (n->evicted_keys > sn->evicted)
			sn->evicted_ms = now;
		if (n->rejected_connections > sn->rejected)
			sn->rejected_ms = now;
	}
	sn->evicted = n->evicted_keys;
	sn->rejected = n->rejected_connections;
}

static int
grew(const struct redis_seen *sn, int64_t at, int64_t now)
{
	return (sn != NULL && at != 0 && now - at < GROWTH_MS);
}

static int
is_replica(const struct redis_node *n)
{
	return (strcmp(n->role, "slave") == 0);
}

static int
link_down(const struct redis_node *n)
{
	return (n->error[0] == '\0' && is_replica(n) &&
	    strcmp(n->link_status, "up") != 0);
}

/* used / maxmemory in percent, -1 without a limit. */
static int
mem_pct(const struct redis_node *n)
{
	if (n->maxmemory <= 0)
		return (-1);
	return ((int)(n->used_memory * 100 / n->maxmemory));
}

static int
persist_failed(const struct redis_node *n)
{
	return (n->rdb_ok == 0 || (n->aof_enabled && !n->aof_ok));
}

static int
node_rank(const struct redis_node *n, const struct redis_seen *sn,
    int64_t now)
{
	int	pct = mem_pct(n);

	if (n->error[0] != '\0' || link_down(n) || persist_failed(n) ||
	    pct >= MEM_CRIT_PCT || grew(sn, sn ? sn->rejected_ms : 0, now))
		return (2);
	if (pct >= MEM_WARN_PCT || grew(sn, sn ? sn->evicted_ms : 0, now) ||
	    n->loading)
		return (1);
	return (0);
}

static void
link_cell(struct panel *p, const struct redis_node *n)
{
	char	age[16];

	if (!is_replica(n)) {
		table_cell(p->table, C_LINK, ROLE_MUTED, "-");
		return;
	}
	if (!link_down(n)) {
		table_cell(p->table, C_LINK, ROLE_OK, "up");
		return;
	}
	if (n->link_down_s < 0) {
		table_cell(p->table, C_LINK, ROLE_CRIT, "DOWN");
		return;
	}
	fmt_age(age, sizeof age, n->link_down_s);
	table_cellf(p->table, C_LINK, ROLE_CRIT, "DOWN %s", age);
}

/* A master: its worst replica's byte lag; a replica: since the last
 * byte from its master. */
static void
lag_cell(struct panel *p, const struct redis_node *n)
{
	char	buf[16];
	int64_t	max = -1;
	int	i;

	if (is_replica(n)) {
		if (n->last_io_s < 0) {
			table_cell_num(p->table, C_LAG, ROLE_MUTED, -1, "-");
			return;
		}
		fmt_age(buf, sizeof buf, n->last_io_s);
		table_cell_num(p->table, C_LAG, ROLE_NORMAL,
		    (double)n->last_io_s, buf);
		return;
	}
	for (i = 0; i < n->nreplicas; i++)
		if (n->replicas[i].lag_bytes > max)
			max = n->replicas[i].lag_bytes;
	if (max < 0) {
		table_cell_num(p->table, C_LAG, ROLE_MUTED, -1, "-");
		return;
	}
	fmt_bytes(buf, sizeof buf, (uint64_t)max);
	table_cell_num(p->table, C_LAG, max == 0 ? ROLE_MUTED : ROLE_NORMAL,
	    (double)max, buf);
}

static void
memory_cell(struct panel *p, const struct redis_node *n)
{
	char		used[16], max[16], buf[48];
	int		pct = mem_pct(n);
	enum role	role;

	fmt_bytes(used, sizeof used, (uint64_t)n->used_memory);
	if (pct < 0) {
		table_cell_num(p->table, C_MEMORY, ROLE_NORMAL, -1, used);
		return;
	}
	fmt_bytes(max, sizeof max, (uint64_t)n->maxmemory);
	role = pct >= MEM_CRIT_PCT ? ROLE_CRIT : pct >= MEM_WARN_PCT ?
	    ROLE_WARN : ROLE_NORMAL;
	snprintf(buf, sizeof buf, "%s/%s %d%%", used, max, pct);
	table_cell_num(p->table, C_MEMORY, role, pct, buf);
}

static void
count_cell(struct panel *p, int col, int64_t v, enum role role)
{
	char	buf[16];

	fmt_count(buf, sizeof buf, (uint64_t)(v < 0 ? 0 : v));
	table_cell_num(p->table, col, v == 0 ? ROLE_MUTED : role, (double)v,
	    buf);
}

static void
persist_cell(struct panel *p, const struct redis_node *n)
{
	if (n->loading)
		table_cell(p->table, C_PERSIST, ROLE_WARN, "loading");
	else if (n->rdb_ok == 0)
		table_cell(p->table, C_PERSIST, ROLE_CRIT, "rdb FAILED");
	else if (n->aof_enabled && !n->aof_ok)
		table_cell(p->table, C_PERSIST, ROLE_CRIT, "aof FAILED");
	else if (n->aof_enabled)
		table_cell(p->table, C_PERSIST, ROLE_OK, "aof ok");
	else if (n->rdb_ok == 1)
		table_cell(p->table, C_PERSIST, ROLE_OK, "rdb ok");
	else
		table_cell(p->table, C_PERSIST, ROLE_MUTED, "-");
}

/* A server that could not be read: its error where the data would be. */
static void
error_row(struct panel *p, const struct redis_node *n)
{
	table_cell(p->table, C_ROLE, ROLE_CRIT, "down");
	table_cell(p->table, C_LINK, ROLE_MUTED, "-");
	table_cell_num(p->table, C_MEMORY, ROLE_CRIT, -2, n->error);
}

static void
node_row(struct panel *p, const struct redis_node *n, int64_t now)
{
	struct redis_priv	*rp = p->priv;
	struct redis_seen	*sn = seen_find(rp, n->name);
	int			 rank = node_rank(n, sn, now);

	table_row(p->table, n->name, rank);
	table_cell(p->table, C_NAME, rank ? panel_rank_role(rank) :
	    ROLE_NORMAL, n->name);
	table_cell(p->table, C_ADDR, ROLE_MUTED, n->addr);
	if (n->error[0] != '\0') {
		error_row(p, n);
		return;
	}
	table_cell(p->table, C_ROLE, ROLE_NORMAL, is_replica(n) ? "replica" :
	    n->role);
	link_cell(p, n);
	lag_cell(p, n);
	memory_cell(p, n);
	count_cell(p, C_EVICTED, n->evicted_keys,
	    grew(sn, sn ? sn->evicted_ms : 0, now) ? ROLE_WARN : ROLE_NORMAL);
	count_cell(p, C_REJECTED, n->rejected_connections,
	    grew(sn, sn ? sn->rejected_ms : 0, now) ? ROLE_CRIT : ROLE_NORMAL);
	count_cell(p, C_CLIENTS, n->connected_clients, ROLE_NORMAL);
	persist_cell(p, n);
}

static void
redis_update(struct panel *p, const struct snapshot *s)
{
	const struct redis_data	*d = &s->u.redis;
	int			 i;

	for (i = 0; i < d->n; i++)
		seen_update(p->priv, &d->nodes[i], s->fetched_ms);
	table_begin(p->table);
	for (i = 0; i < d->n; i++)
		node_row(p, &d->nodes[i], s->fetched_ms);
	table_end(p->table);
}

/* "master redis-primary, 1 replica up" when one master has replicas. */
static int
master_summary(const struct redis_data *d, char *buf, size_t len)
{
	const struct redis_node	*m = NULL;
	int			 i, up = 0;

	for (i = 0; i < d->n; i++) {
		if (strcmp(d->nodes[i].role, "master") != 0 ||
		    d->nodes[i].error[0] != '\0')
			continue;
		if (m != NULL)
			return (-1);	/* several masters */
		m = &d->nodes[i];
	}
	if (m == NULL || m->nreplicas == 0)
		return (-1);
	for (i = 0; i < m->nreplicas; i++)
		up += strcmp(m->replicas[i].state, "online") == 0;
	snprintf(buf, len, "master %s, %d replica%s up", m->name, up,
	    up == 1 ? "" : "s");
	return (0);
}

/* Unreachable servers and broken links: one server alone by name with its
 * error, else short enough that "link DOWN" survives a narrow title. */
static int
outage_summary(const struct redis_data *d, char *buf, size_t len)
{
	const struct redis_node	*first = NULL;
	int			 i, down = 0, links = 0;
	size_t			 off;

	for (i = 0; i < d->n; i++) {
		if (d->nodes[i].error[0] != '\0' && down++ == 0)
			first = &d->nodes[i];
		links += link_down(&d->nodes[i]);
	}
	if (down + links == 0)
		return (-1);
	buf[0] = '\0';
	if (down == 1 && links == 0)
		snprintf(buf, len, "%s: %s", first->name, first->error);
	else if (down == 1)
		snprintf(buf, len, "%s down", first->name);
	else if (down > 1)
		snprintf(buf, len, "%d servers unreachable", down);
	off = strlen(buf);
	if (links == 1 && off + 1 < len)
		snprintf(buf + off, len - off, "%sreplica link DOWN", off ?
		    ", " : "");
	else if (links > 1 && off + 1 < len)
		snprintf(buf + off, len - off, "%s%d replica links DOWN", off ?
		    ", " : "", links);
	return (0);
}

static void
redis_summary(struct panel *p, char *buf, size_t len, enum role *role)
{
	const struct redis_data	*d = &p->snap->u.redis;
	int			 crit, warn;

	crit = table_rank_count(p->table, 2);
	warn = table_rank_count(p->table, 1);
	*role = crit ? ROLE_CRIT : warn ? ROLE_WARN : ROLE_OK;
	if (d->n == 0) {
		*role = ROLE_MUTED;
		snprintf(buf, len, "no servers");
	} else if (outage_summary(d, buf, len) == 0)
		*role = ROLE_CRIT;
	else if (crit > 0 && warn > 0)
		snprintf(buf, len, "%d crit %d warn of %d", crit, warn, d->n);
	else if (crit + warn > 0)
		snprintf(buf, len, "%d %s of %d", crit + warn, crit ? "crit" :
		    "warn", d->n);
	else if (master_summary(d, buf, len) != 0)
		snprintf(buf, len, "%d node%s ok", d->n, d->n == 1 ? "" : "s");
}

const struct panel_class redis_panel = {
	.name = "redis",
	.title = "Redis",
	.kind = SNAP_REDIS,
	.init = redis_init,
	.update = redis_update,
	.summary = redis_summary,
	.help = "Redis servers as INFO shows them; problems first. ROLE is "
	    "master or replica (down when the server cannot be read: its "
	    "error is shown in MEMORY). LINK is a replica's link to its "
	    "master: up, or DOWN with how long. LAG is, for a master, its "
	    "worst replica's lag in bytes (master offset minus the replica's "
	    "acknowledged offset); for a replica, the seconds since it last "
	    "heard from its master. MEMORY is used_memory against maxmemory: "
	    "warn from 80%, crit from 95% (with noeviction, writes fail at "
	    "100%). EVICTED and REJECTED are the evicted_keys and "
	    "rejected_connections counters: warn while evictions grow, crit "
	    "while rejections grow (within 5 minutes of the last increase). "
	    "CLIENTS is connected clients. PERSIST is the last RDB save or "
	    "AOF write: ok, FAILED (crit: the server may refuse writes), "
	    "loading (warn: the dataset is being loaded), - when nothing "
	    "has been saved yet.",
	.free = redis_free,
};
