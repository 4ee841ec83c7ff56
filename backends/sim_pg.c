/* sim_pg.c: the PostgreSQL part of the demo world.
 *
 * Three servers: pg-primary and two asynchronous standbys, pg-standby-1
 * and pg-standby-2, streaming WAL through physical slots; the primary also
 * has a logical slot, analytics_cdc, read by a change-data-capture
 * consumer.  WAL is generated at a rate that follows the load and the
 * number of services writing.  Each standby's sent, write, flush and replay
 * positions move every second; the lag in seconds of a position is how long
 * ago the primary was there (from a per-second history of the primary's
 * position), as pg_stat_replication measures it.
 *
 * Losing the primary disconnects the standbys and the services; promoting
 * a standby (3 s) makes it the primary on a new timeline, recreates the
 * physical slot for the other standby (which reattaches after 20 s) and
 * loses the logical slot (slots are not failed over).  The WAL the promoted
 * standby had not received is lost (lost_bytes, the RPO). */
#include <stdio.h>
#include <string.h>

#include "sim_world.h"
#include "xmalloc.h"

#define PG_VERSION	"16.4"
#define PG_START_LSN	((int64_t)0x5c3a000000LL)
#define PG_REPLAY_MIB	64	/* replay speed when catching up */
#define PG_NET_MIB	96	/* default network limit */
#define PG_MAX_WAL	SIM_GIB	/* max_wal_size */
#define PG_SLOT_KEEP	(8 * SIM_GIB)	/* max_slot_wal_keep_size */
#define PG_ATTACH_S	20
#define PG_REJOIN_S	30
#define PG_PROMOTE_S	3
#define PG_LOSE_SLOT_S	300	/* unreserved this long = lost */

static const char *const pg_names[SIM_PG_NODES] = {
	"pg-primary", "pg-standby-1", "pg-standby-2"
};

static const char *const sb_state_names[] = {
	"streaming", "catchup", "disconnected"
};

static int64_t
pg_at(const struct sim_pg *pg, int64_t t)
{
	return (pg->walhist[t & (SIM_WALHIST - 1)]);
}

static void
pg_walhist_reset(struct sim_pg *pg, int64_t t)
{
	int	i;

	for (i = 0; i < SIM_WALHIST; i++)
		pg->walhist[i] = pg->lsn;
	pg->walhist_from = t;
}

static void
pg_slot_add(struct sim_pg *pg, const char *name, int standby)
{
	struct sim_slot	*sl;
	int		 i;

	if (pg->nslots >= SIM_MAX_SLOTS)
		return;
	sl = &pg->slots[pg->nslots++];
	memset(sl, 0, sizeof *sl);
	strlcpy_(sl->name, name, sizeof sl->name);
	for (i = 0; sl->name[i] != '\0'; i++)
		if (sl->name[i] == '-')
			sl->name[i] = '_';
	sl->logical = standby < 0;
	sl->standby = standby;
	sl->active = 1;
	sl->restart_lsn = standby < 0 ? pg->lsn : pg->n[standby].flush;
	sl->unreserved_t = -1;
}

void
sim_pg_init(struct sim *s)
{
	struct sim_pg		*pg = &s->pg;
	struct sim_pgnode	*n;
	int			 i;

	pg->lsn = PG_START_LSN;
	pg->wal_mib = 4.0;
	pg->promoting = -1;
	pg_walhist_reset(pg, 0);
	for (i = 0; i < SIM_PG_NODES; i++) {
		n = &pg->n[i];
		strlcpy_(n->name, pg_names[i], sizeof n->name);
		snprintf(n->addr, sizeof n->addr, "10.42.3.%d", 11 + i);
		n->up = 1;
		n->timeline = 1;
		n->sent = n->write = n->flush = n->replay = pg->lsn;
		n->pvc_cap = 20 * SIM_GIB;
		n->pvc_data = 14 * SIM_GIB + i * 64 * (int64_t)SIM_MIB;
	}
	pg_slot_add(pg, pg_names[1], 1);
	pg_slot_add(pg, pg_names[2], 2);
	pg_slot_add(pg, "analytics_cdc", -1);
}

int
sim_pg_primary_up(const struct sim *s)
{
	return (s->pg.n[s->pg.primary].up && s->pg.promoting < 0);
}

int
sim_pg_is_standby(const struct sim *s, int i)
{
	return (i != s->pg.primary && s->pg.n[i].up);
}

/* WAL and lag ----------------------------------------------------------- */

/* WAL bytes this second: load times how much of the platform writes. */
static int64_t
pg_wal_step(struct sim *s)
{
	double	active = 0, total = 0;
	int	i;

	for (i = 0; i < s->ndeps; i++) {
		if (!s->dep[i].has_db)
			continue;
		total++;
		if (s->dep[i].db_ok && s->dep[i].ready > 0)
			active++;
	}
	if (total > 0)
		active = 0.3 + 0.7 * active / total;
	return ((int64_t)(s->pg.wal_mib * SIM_MIB * s->load_now * active));
}

/* When (fractional simulated second) the primary's position reached x. */
static double
pg_when(const struct sim_pg *pg, int64_t now, int64_t x)
{
	int64_t	lo, hi, mid, from;
	double	frac;

	from = now - SIM_WALHIST + 1;
	if (from < pg->walhist_from)
		from = pg->walhist_from;
	if (x >= pg_at(pg, now))
		return ((double)now);
	if (x <= pg_at(pg, from))
		return ((double)from);
	lo = from;
	hi = now;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (pg_at(pg, mid) < x)
			lo = mid;
		else
			hi = mid;
	}
	frac = (double)(x - pg_at(pg, lo)) /
	    (double)(pg_at(pg, hi) - pg_at(pg, lo));
	return ((double)lo + frac);
}

static double
pg_lag(struct sim *s, int64_t pos, double base)
{
	double	lag;

	lag = (double)s->t - pg_when(&s->pg, s->t, pos);
	return (lag + base * (0.8 + 0.4 * sim_rng_unit(&s->rng)));
}

static int64_t
pg_jitter(struct sim *s, int64_t step)
{
	return ((int64_t)(sim_rng_unit(&s->rng) * (double)step * 0.02));
}

static int64_t
pg_clamp(int64_t v, int64_t lo, int64_t hi)
{
	return (v < lo ? lo : v > hi ? hi : v);
}

/* One second of streaming to standby n. */
static void
pg_stream(struct sim *s, struct sim_pgnode *n, int64_t step)
{
	int64_t	bw, target;

	bw = (int64_t)((n->bw_mib > 0 ? n->bw_mib : PG_NET_MIB) * SIM_MIB);
	target = s->pg.lsn - pg_jitter(s, step);
	n->sent = pg_clamp(target, n->sent, n->sent + bw);
	n->write = pg_clamp(n->sent - pg_jitter(s, step), n->write, n->sent);
	n->flush = pg_clamp(n->write - pg_jitter(s, step), n->flush, n->write);
	if (n->paused || n->stalled)
		return;
	n->replay = pg_clamp(n->flush - pg_jitter(s, step), n->replay,
	    n->replay + (int64_t)PG_REPLAY_MIB * SIM_MIB);
	if (n->replay > n->flush)
		n->replay = n->flush;
}

static void
pg_standby_tick(struct sim *s, int i, int64_t step)
{
	struct sim_pgnode	*n = &s->pg.n[i];

	if (!sim_pg_primary_up(s)) {
		n->state = SB_DISCONNECTED;
		n->write_lag = n->flush_lag = n->replay_lag = -1;
		return;
	}
	if (n->state == SB_DISCONNECTED) {
		if (s->t < n->attach_t)
			return;
		n->state = SB_CATCHUP;
	}
	pg_stream(s, n, step);
	n->reply_t = s->t;
	if (n->state == SB_CATCHUP && s->pg.lsn - n->write < SIM_MIB)
		n->state = SB_STREAMING;
	n->write_lag = pg_lag(s, n->write, 0.0008);
	n->flush_lag = pg_lag(s, n->flush, 0.0012);
	n->replay_lag = pg_lag(s, n->replay, 0.0015);
}

static void
pg_slot_tick(struct sim *s, struct sim_slot *sl, int64_t step)
{
	struct sim_pg		*pg = &s->pg;
	struct sim_pgnode	*sb;
	int64_t			 behind;

	if (sl->lost)
		return;
	if (!sl->logical) {
		sb = &pg->n[sl->standby];
		sl->active = sim_pg_primary_up(s) && sb->up &&
		    sb->state != SB_DISCONNECTED;
		if (sl->active && sb->flush > sl->restart_lsn)
			sl->restart_lsn = sb->flush;
	} else {
		sl->active = sim_pg_primary_up(s) && !sl->consumer_down;
		behind = pg->lsn - step * sim_rng_int(&s->rng, 1, 4);
		if (sl->active && behind > sl->restart_lsn)
			sl->restart_lsn = behind;
	}
	if (pg->lsn - sl->restart_lsn <= PG_SLOT_KEEP)
		sl->unreserved_t = -1;
	else if (sl->unreserved_t < 0)
		sl->unreserved_t = s->t;
	else if (s->t - sl->unreserved_t >= PG_LOSE_SLOT_S) {
		sl->lost = 1;
		sl->active = 0;
	}
}

static void
pg_promoted(struct sim *s)
{
	struct sim_pg		*pg = &s->pg;
	struct sim_pgnode	*n = &pg->n[pg->promoting], *o;
	int			 i;

	n->replay = n->flush;
	pg->lost_bytes = pg->lsn - n->flush;
	pg->lsn = n->flush;
	n->timeline = pg->n[pg->primary].timeline + 1;
	n->paused = n->stalled = 0;
	pg->primary = pg->promoting;
	pg->promoting = -1;
	pg_walhist_reset(pg, s->t);
	pg->nslots = 0;
	for (i = 0; i < SIM_PG_NODES; i++) {
		o = &pg->n[i];
		if (i == pg->primary || !o->up)
			continue;
		o->state = SB_DISCONNECTED;
		o->attach_t = s->t + PG_ATTACH_S;
		o->timeline = n->timeline;
		o->sent = o->write = o->flush = pg_clamp(o->flush, 0, pg->lsn);
		o->replay = pg_clamp(o->replay, 0, o->flush);
		pg_slot_add(pg, o->name, i);
	}
	sim_flow_db(s, 1);
}

void
sim_pg_tick(struct sim *s)
{
	struct sim_pg	*pg = &s->pg;
	int64_t		 step = 0;
	int		 i;

	if (pg->promoting >= 0 && s->t >= pg->promote_t)
		pg_promoted(s);
	if (sim_pg_primary_up(s)) {
		step = pg_wal_step(s);
		pg->lsn += step;
	}
	pg->walhist[s->t & (SIM_WALHIST - 1)] = pg->lsn;
	for (i = 0; i < SIM_PG_NODES; i++)
		if (sim_pg_is_standby(s, i))
			pg_standby_tick(s, i, step);
	for (i = 0; i < pg->nslots; i++)
		pg_slot_tick(s, &pg->slots[i], step);
	if (s->t % SIM_HIST_EVERY != 0)
		return;
	for (i = 0; i < SIM_PG_NODES; i++)
		if (sim_pg_is_standby(s, i) &&
		    pg->n[i].state != SB_DISCONNECTED)
			sim_hist_push(&pg->n[i].hist, pg->n[i].replay_lag);
}

/* Lookups and actions --------------------------------------------------- */
int
sim_pg_find(const struct sim *s, const char *name)
{
	int	i;

	for (i = 0; i < SIM_PG_NODES; i++)
		if (strcmp(s->pg.n[i].name, name) == 0)
			return (i);
	return (-1);
}

int
sim_pg_slot_find(const struct sim *s, const char *name)
{
	int	i;

	for (i = 0; i < s->pg.nslots; i++)
		if (strcmp(s->pg.slots[i].name, name) == 0)
			return (i);
	return (-1);
}

int
sim_pg_fail_primary(struct sim *s, struct error *err)
{
	struct sim_pg	*pg = &s->pg;
	int		 i;

	if (!sim_pg_primary_up(s)) {
		error_set(err, "no primary is up (%s is down%s)",
		    pg->n[pg->primary].name,
		    pg->promoting >= 0 ? ", a promotion is running" : "");
		return (-1);
	}
	pg->n[pg->primary].up = 0;
	pg->down_t = s->t;
	for (i = 0; i < SIM_PG_NODES; i++) {
		if (!sim_pg_is_standby(s, i))
			continue;
		pg->n[i].state = SB_DISCONNECTED;
		pg->n[i].attach_t = INT64_MAX;
		pg->n[i].write_lag = pg->n[i].flush_lag = -1;
		pg->n[i].replay_lag = -1;
	}
	for (i = 0; i < pg->nslots; i++)
		pg->slots[i].active = 0;
	sim_flow_db(s, 0);
	return (0);
}

int
sim_pg_promote(struct sim *s, int i, struct error *err)
{
	struct sim_pg	*pg = &s->pg;

	if (pg->promoting >= 0) {
		error_set(err, "promotion of %s already in progress",
		    pg->n[pg->promoting].name);
		return (-1);
	}
	if (i == pg->primary) {
		error_set(err, "%s is the %s primary, not a standby",
		    pg->n[i].name, pg->n[i].up ? "current" : "failed");
		return (-1);
	}
	if (!pg->n[i].up) {
		error_set(err, "%s is down", pg->n[i].name);
		return (-1);
	}
	if (sim_pg_primary_up(s)) {
		error_set(err, "%s is up and primary: promoting %s now would "
		    "split the cluster (fail-primary first)",
		    pg->n[pg->primary].name, pg->n[i].name);
		return (-1);
	}
	pg->promoting = i;
	pg->promote_t = s->t + PG_PROMOTE_S;
	return (0);
}

/* The lost server comes back as a standby (pg_rewind, then streaming). */
int
sim_pg_rejoin(struct sim *s, int i, struct error *err)
{
	struct sim_pg		*pg = &s->pg;
	struct sim_pgnode	*n = &pg->n[i];

	if (n->up) {
		error_set(err, "%s is up", n->name);
		return (-1);
	}
	if (!sim_pg_primary_up(s)) {
		error_set(err, "no primary to follow; promote a standby first");
		return (-1);
	}
	n->up = 1;
	n->timeline = pg->n[pg->primary].timeline;
	n->sent = n->write = n->flush = n->replay = pg_at(pg,
	    s->t - PG_REJOIN_S > pg->walhist_from ? s->t - PG_REJOIN_S :
	    pg->walhist_from);
	n->state = SB_DISCONNECTED;
	n->attach_t = s->t + PG_REJOIN_S;
	n->paused = n->stalled = 0;
	memset(&n->hist, 0, sizeof n->hist);
	pg_slot_add(pg, n->name, i);
	return (0);
}

int
sim_pg_replay(struct sim *s, int i, int pause, struct error *err)
{
	struct sim_pgnode	*n = &s->pg.n[i];

	if (!sim_pg_is_standby(s, i)) {
		error_set(err, "%s is not a running standby", n->name);
		return (-1);
	}
	if (pause)
		n->paused = 1;
	else
		n->paused = n->stalled = 0;
	return (0);
}

void
sim_pg_stall(struct sim *s, int i)
{
	s->pg.n[i].stalled = 1;
}

void
sim_pg_bandwidth(struct sim *s, int i, double mib)
{
	s->pg.n[i].bw_mib = mib;
}

void
sim_pg_slot_consumer(struct sim *s, int si, int up)
{
	s->pg.slots[si].consumer_down = !up;
}

int
sim_pg_drop_slot(struct sim *s, int si, struct error *err)
{
	struct sim_pg	*pg = &s->pg;

	if (pg->slots[si].active) {
		error_set(err, "replication slot \"%s\" is active",
		    pg->slots[si].name);
		return (-1);
	}
	memmove(&pg->slots[si], &pg->slots[si + 1],
	    (size_t)(pg->nslots - si - 1) * sizeof pg->slots[0]);
	pg->nslots--;
	return (0);
}

/* The data volume of server i: data plus the WAL kept (max_wal_size, or
 * more when a slot holds it on the primary). */
void
sim_pg_pvc(const struct sim *s, int i, int64_t *used, int64_t *cap)
{
	const struct sim_pg	*pg = &s->pg;
	int64_t			 wal = PG_MAX_WAL, r;
	int			 k;

	for (k = 0; i == pg->primary && k < pg->nslots; k++) {
		if (pg->slots[k].lost)
			continue;
		r = pg->lsn - pg->slots[k].restart_lsn;
		if (r > wal)
			wal = r;
	}
	*used = pg->n[i].pvc_data + wal;
	*cap = pg->n[i].pvc_cap;
}

/* Snapshot -------------------------------------------------------------- */
static void
pg_standby_row(struct sim *s, const struct sim_pgnode *n, struct standby *o)
{
	int64_t	lsn = s->pg.lsn;

	strlcpy_(o->name, n->name, sizeof o->name);
	strlcpy_(o->client, n->addr, sizeof o->client);
	strlcpy_(o->state, sb_state_names[n->state], sizeof o->state);
	strlcpy_(o->sync_state, "async", sizeof o->sync_state);
	o->pending_bytes = lsn > n->sent ? lsn - n->sent : 0;
	o->write_bytes = n->sent - n->write;
	o->flush_bytes = n->write - n->flush;
	o->replay_bytes = n->flush - n->replay;
	o->total_bytes = lsn > n->replay ? lsn - n->replay : 0;
	if (n->state == SB_DISCONNECTED)
		o->write_lag_s = o->flush_lag_s = o->replay_lag_s = -1;
	else {
		o->write_lag_s = n->write_lag;
		o->flush_lag_s = n->flush_lag;
		o->replay_lag_s = n->replay_lag;
	}
	o->reply_ms = n->reply_t > 0 ? sim_wall_ms(s, n->reply_t) : 0;
	o->nhist = sim_hist_copy(&n->hist, o->hist);
}

static void
pg_slot_row(const struct sim_pg *pg, const struct sim_slot *sl,
    struct repl_slot *o)
{
	int64_t	r = pg->lsn - sl->restart_lsn;

	strlcpy_(o->name, sl->name, sizeof o->name);
	strlcpy_(o->type, sl->logical ? "logical" : "physical", sizeof o->type);
	o->active = sl->active;
	if (sl->lost) {
		o->retained_bytes = 0;
		strlcpy_(o->wal_status, "lost", sizeof o->wal_status);
		o->safe_wal_size = -1;
		return;
	}
	o->retained_bytes = r;
	if (r <= PG_MAX_WAL)
		strlcpy_(o->wal_status, "reserved", sizeof o->wal_status);
	else if (r <= PG_SLOT_KEEP)
		strlcpy_(o->wal_status, "extended", sizeof o->wal_status);
	else
		strlcpy_(o->wal_status, "unreserved", sizeof o->wal_status);
	o->safe_wal_size = PG_SLOT_KEEP - r;
}

/* Server i as it sees itself.  A standby's own replay lag is 0 when all it
 * received is replayed, as the postgres source measures it. */
static void
pg_server_row(struct sim *s, int i, struct pg_server *o)
{
	const struct sim_pg	*pg = &s->pg;
	const struct sim_pgnode	*n = &pg->n[i];

	strlcpy_(o->name, n->name, sizeof o->name);
	strlcpy_(o->version, PG_VERSION, sizeof o->version);
	o->receive_replay_bytes = o->replay_lag_s = o->last_msg_age_s = -1;
	if (!n->up) {
		strlcpy_(o->role, "down", sizeof o->role);
		strlcpy_(o->error, "connection refused", sizeof o->error);
		return;
	}
	if (!sim_pg_is_standby(s, i)) {
		strlcpy_(o->role, "primary", sizeof o->role);
		return;
	}
	strlcpy_(o->role, "standby", sizeof o->role);
	snprintf(o->upstream, sizeof o->upstream, "%s:5432",
	    pg->n[pg->primary].addr);
	o->receive_replay_bytes = n->flush - n->replay;
	o->replay_paused = n->paused;
	if (n->state == SB_DISCONNECTED) {
		strlcpy_(o->receiver, "disconnected", sizeof o->receiver);
		if (n->reply_t > 0)
			o->last_msg_age_s = (double)(s->t - n->reply_t);
		if (n->flush > n->replay && n->replay_lag >= 0)
			o->replay_lag_s = n->replay_lag;
		return;
	}
	strlcpy_(o->receiver, "streaming", sizeof o->receiver);
	o->last_msg_age_s = (double)(s->t - n->reply_t);
	o->replay_lag_s = n->flush == n->replay ? 0 : n->replay_lag;
}

void
sim_pg_snapshot(struct sim *s, struct repl_data *r)
{
	struct sim_pg	*pg = &s->pg;
	int		 i, n = 0;

	strlcpy_(r->server, pg->n[pg->primary].name, sizeof r->server);
	strlcpy_(r->role, sim_pg_primary_up(s) ? "primary" : "down",
	    sizeof r->role);
	strlcpy_(r->version, PG_VERSION, sizeof r->version);
	r->standbys = xcalloc(SIM_PG_NODES, sizeof *r->standbys);
	for (i = 0; i < SIM_PG_NODES; i++)
		if (sim_pg_is_standby(s, i))
			pg_standby_row(s, &pg->n[i], &r->standbys[n++]);
	r->nstandbys = n;
	r->slots = xcalloc(SIM_MAX_SLOTS, sizeof *r->slots);
	for (i = 0; i < pg->nslots; i++)
		pg_slot_row(pg, &pg->slots[i], &r->slots[i]);
	r->nslots = pg->nslots;
	r->servers = xcalloc(SIM_PG_NODES, sizeof *r->servers);
	for (i = 0; i < SIM_PG_NODES; i++)
		pg_server_row(s, i, &r->servers[i]);
	r->nservers = SIM_PG_NODES;
}

/* Digest ---------------------------------------------------------------- */
void
sim_pg_digest(const struct sim *s, struct sim_dg *g)
{
	const struct sim_pg	*pg = &s->pg;
	const struct sim_pgnode	*n;
	int			 i;

	sim_dg_u64(g, (uint64_t)pg->lsn);
	sim_dg_u64(g, (uint64_t)pg->primary);
	sim_dg_u64(g, (uint64_t)pg->promoting);
	sim_dg_u64(g, (uint64_t)pg->lost_bytes);
	for (i = 0; i < SIM_PG_NODES; i++) {
		n = &pg->n[i];
		sim_dg_u64(g, (uint64_t)n->up);
		sim_dg_u64(g, (uint64_t)n->state);
		sim_dg_u64(g, (uint64_t)n->sent);
		sim_dg_u64(g, (uint64_t)n->write);
		sim_dg_u64(g, (uint64_t)n->flush);
		sim_dg_u64(g, (uint64_t)n->replay);
		sim_dg_u64(g, (uint64_t)(n->paused | n->stalled << 1));
		sim_dg_dbl(g, n->replay_lag);
		sim_dg_hist(g, &n->hist);
	}
	for (i = 0; i < pg->nslots; i++) {
		sim_dg_str(g, pg->slots[i].name);
		sim_dg_u64(g, (uint64_t)pg->slots[i].restart_lsn);
		sim_dg_u64(g, (uint64_t)pg->slots[i].active);
	}
}
