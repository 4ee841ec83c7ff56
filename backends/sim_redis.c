/* sim_redis.c: the Redis part of the demo world.
 *
 * redis-cache, the platform's shared cache (sessions, read-through
 * caching), and its replica redis-cache-replica, Redis 7.2.  The master
 * takes writes at a rate that follows the load; the replica follows it
 * within a few KiB while its link is up.  maxmemory is 256 MiB and the
 * dataset sits near 60% of it, growing slowly (about 1% an hour).  The
 * master saves an RDB every 5 minutes when something changed; the replica
 * does not persist.  Redis does not depend on PostgreSQL: losing the
 * database primary leaves it alone.
 *
 * The fault redis-replica-link-down cuts the replica off its master (the
 * master lists no replica, the replica's link is down and counts the
 * seconds); redis-replica-link-up reconnects it with a partial resync.
 *
 * Random draws come from the part's own generator, seeded from the
 * world's seed: the world stays a pure function of the seed, and the other
 * parts draw exactly what they drew before this part existed. */
#include <string.h>

#include "sim_world.h"
#include "xmalloc.h"

#define RD_VERSION	"7.2.4"
#define RD_MAXMEMORY	(256 * (int64_t)SIM_MIB)
#define RD_START_PCT	60
#define RD_GROW_B	750		/* mean dataset growth, bytes/s */
#define RD_WRITE_B	(48 * 1024)	/* replication stream, bytes/s */
#define RD_REPLICA_GAP	(900 * 1024)	/* master's backlog and buffers */
#define RD_SAVE_EVERY	300		/* s between RDB saves */

static const char *const rd_names[SIM_REDIS_NODES] = {
	"redis-cache", "redis-cache-replica"
};
static const char *const rd_addrs[SIM_REDIS_NODES] = {
	"10.42.4.21:6379", "10.42.4.22:6379"
};

void
sim_redis_init(struct sim *s)
{
	struct sim_redis	*r = &s->redis;
	int			 i;

	memset(r, 0, sizeof *r);
	sim_rng_seed(&r->rng, s->seed ^ sim_hash_str("redis"));
	r->maxmemory = RD_MAXMEMORY;
	r->link_up = 1;
	for (i = 0; i < SIM_REDIS_NODES; i++) {
		strlcpy_(r->n[i].name, rd_names[i], sizeof r->n[i].name);
		strlcpy_(r->n[i].addr, rd_addrs[i], sizeof r->n[i].addr);
		r->n[i].offset = 0x3a2f1c0;
		r->n[i].save_t = -1;
	}
	r->n[0].used = RD_MAXMEMORY * RD_START_PCT / 100;
	r->n[1].used = r->n[0].used - RD_REPLICA_GAP;
	r->n[0].clients = 42;
	r->n[1].clients = 4;
	r->n[0].save_t = 0;
}

/* A bounded random walk of the client count. */
static void
rd_clients(struct sim_redis *r, struct sim_rnode *n, int lo, int hi)
{
	n->clients += sim_rng_int(&r->rng, -1, 1);
	if (n->clients < lo)
		n->clients = lo;
	if (n->clients > hi)
		n->clients = hi;
}

static void
rd_master_tick(struct sim *s, struct sim_redis *r)
{
	struct sim_rnode	*m = &r->n[0];
	int64_t			 w;

	w = (int64_t)(RD_WRITE_B * s->load_now *
	    (0.8 + 0.4 * sim_rng_unit(&r->rng)));
	m->offset += w;
	m->changes += w / 200;		/* ~200 bytes a key */
	m->used += (int64_t)(RD_GROW_B * (0.5 + sim_rng_unit(&r->rng)));
	if (m->used > r->maxmemory * 3 / 4)	/* TTLs balance it there */
		m->used = r->maxmemory * 3 / 4;
	if (s->t % RD_SAVE_EVERY == 0 && m->changes > 0) {
		m->save_t = s->t;
		m->changes = 0;
	}
	rd_clients(r, m, 36, 48);
}

static void
rd_replica_tick(struct sim *s, struct sim_redis *r)
{
	struct sim_rnode	*m = &r->n[0], *rp = &r->n[1];

	rd_clients(r, rp, 3, 6);
	if (!r->link_up)
		return;
	rp->offset = m->offset - sim_rng_int(&r->rng, 0, 4096);
	rp->used = m->used - RD_REPLICA_GAP;
	rp->last_io_t = s->t;
	r->ack_t = s->t;
}

void
sim_redis_tick(struct sim *s)
{
	rd_master_tick(s, &s->redis);
	rd_replica_tick(s, &s->redis);
}

void
sim_redis_link(struct sim *s, int up)
{
	struct sim_redis	*r = &s->redis;

	if (up == r->link_up)
		return;
	r->link_up = up;
	if (!up)
		r->link_down_t = s->t;
	else {
		/* A partial resync from the backlog: caught up at once. */
		r->n[1].offset = r->n[0].offset;
		r->n[1].last_io_t = r->ack_t = s->t;
	}
}

static void
rd_node_common(const struct sim_redis *r, const struct sim_rnode *sn,
    struct redis_node *n)
{
	strlcpy_(n->name, sn->name, sizeof n->name);
	strlcpy_(n->addr, sn->addr, sizeof n->addr);
	strlcpy_(n->version, RD_VERSION, sizeof n->version);
	n->repl_offset = sn->offset;
	n->used_memory = sn->used;
	n->maxmemory = r->maxmemory;
	n->connected_clients = sn->clients;
	n->last_io_s = n->link_down_s = -1;
	n->rdb_changes = sn->changes;
	n->rdb_ok = sn->save_t >= 0 ? 1 : -1;
	n->aof_ok = 1;
}

static void
rd_master(const struct sim *s, const struct sim_redis *r,
    struct redis_node *n)
{
	struct redis_replica	*rp;

	rd_node_common(r, &r->n[0], n);
	strlcpy_(n->role, "master", sizeof n->role);
	n->rdb_last_save_age_s = s->t - r->n[0].save_t;
	if (!r->link_up)
		return;
	rp = &n->replicas[n->nreplicas++];
	strlcpy_(rp->addr, r->n[1].addr, sizeof rp->addr);
	strlcpy_(rp->state, "online", sizeof rp->state);
	rp->lag_bytes = r->n[0].offset - r->n[1].offset;
	rp->lag_s = s->t - r->ack_t;
}

static void
rd_replica(const struct sim *s, const struct sim_redis *r,
    struct redis_node *n)
{
	rd_node_common(r, &r->n[1], n);
	strlcpy_(n->role, "slave", sizeof n->role);
	strlcpy_(n->master, r->n[0].addr, sizeof n->master);
	n->rdb_last_save_age_s = -1;
	if (r->link_up) {
		strlcpy_(n->link_status, "up", sizeof n->link_status);
		n->last_io_s = s->t - r->n[1].last_io_t;
	} else {
		strlcpy_(n->link_status, "down", sizeof n->link_status);
		n->link_down_s = s->t - r->link_down_t;
	}
}

void
sim_redis_snapshot(struct sim *s, struct redis_data *d)
{
	d->n = SIM_REDIS_NODES;
	d->nodes = xcalloc(SIM_REDIS_NODES, sizeof *d->nodes);
	rd_master(s, &s->redis, &d->nodes[0]);
	rd_replica(s, &s->redis, &d->nodes[1]);
}

void
sim_redis_digest(const struct sim *s, struct sim_dg *g)
{
	const struct sim_redis	*r = &s->redis;
	int			 i;

	sim_dg_u64(g, r->rng.s);
	sim_dg_u64(g, (uint64_t)r->link_up);
	sim_dg_u64(g, (uint64_t)r->link_down_t);
	sim_dg_u64(g, (uint64_t)r->ack_t);
	for (i = 0; i < SIM_REDIS_NODES; i++) {
		sim_dg_u64(g, (uint64_t)r->n[i].used);
		sim_dg_u64(g, (uint64_t)r->n[i].offset);
		sim_dg_u64(g, (uint64_t)r->n[i].clients);
		sim_dg_u64(g, (uint64_t)r->n[i].changes);
		sim_dg_u64(g, (uint64_t)r->n[i].save_t);
		sim_dg_u64(g, (uint64_t)r->n[i].last_io_t);
	}
}
