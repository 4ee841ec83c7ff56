/* sim_flow.c: what flows between the services of the demo world: their
 * database connections, the calls through Polly-style circuit breakers,
 * and the transactional outbox of each service database.
 *
 * Circuits: every second a caller makes about rps * load calls; each fails
 * with a probability that follows the callee's health.  A closed circuit
 * opens when at least 10 calls in the last 30 s failed at a ratio of 0.5 or
 * more; it stays open 30 s (calls fail fast), then is half-open: the next
 * call decides, closed on success, open again on failure.
 *
 * Outbox: the service writes messages with its transactions (only while it
 * has ready pods and its database); the publisher sends the oldest batch
 * of 100 each second, in 10 calls through the service's event-bus circuit.
 * A failed batch is retried after 5 s * attempts; after 5 attempts its
 * messages are marked failed (replay-outbox puts them back); after 20
 * consecutive failures the publisher halts (resume-publisher starts it
 * again). */
#include <stdio.h>
#include <string.h>

#include "sim_world.h"
#include "xmalloc.h"

#define DB_LOSS_MIN		5	/* s for a service to notice */
#define DB_LOSS_MAX		15
#define DB_BACK_MIN		5	/* s to reconnect its pool */
#define DB_BACK_MAX		25
#define CB_RATIO		0.5
#define CB_MIN_CALLS		10
#define CB_BREAK_S		30
#define OB_BATCH		100
#define OB_MAX_ATTEMPTS		5
#define OB_RETRY_S		5
#define OB_HALT_AFTER		20
#define OB_CALLS		10	/* publish calls a batch makes */
#define EVENT_BUS		"event-bus"

struct flow_link {
	const char	*from, *to;
	double		 rps;
};

static const struct flow_link flow_links[] = {
	{ "sales",	 "inventory", 15 },
	{ "procurement", "finance",    5 },
	{ "production",	 "inventory",  6 },
};

static void
flow_add(struct sim *s, int from, int to, double rps)
{
	struct sim_circuit	*c;

	if (from < 0 || s->ncb >= SIM_MAX_CIRCUITS)
		return;
	c = &s->cb[s->ncb++];
	memset(c, 0, sizeof *c);
	c->from = from;
	c->to = to;
	c->rps = rps;
	c->state = CIRCUIT_CLOSED;
	c->since = -(int64_t)sim_rng_int(&s->rng, 3600, 86400);
}

void
sim_flow_init(struct sim *s)
{
	int	i, gw = sim_kube_find(s, "gateway");
	size_t	k;

	for (i = 0; i < s->ndeps; i++)
		if (i != gw)
			flow_add(s, gw, i, s->dep[i].rps);
	for (k = 0; k < sizeof flow_links / sizeof flow_links[0]; k++)
		flow_add(s, sim_kube_find(s, flow_links[k].from),
		    sim_kube_find(s, flow_links[k].to), flow_links[k].rps);
	for (i = 0; i < s->ndeps; i++)
		if (s->dep[i].ob.on)
			flow_add(s, i, -1, 0);
}

/* Database health ------------------------------------------------------- */
void
sim_flow_db(struct sim *s, int up)
{
	struct sim_deploy	*d;
	int			 i;

	for (i = 0; i < s->ndeps; i++) {
		d = &s->dep[i];
		if (!d->has_db)
			continue;
		d->db_target = up;
		d->db_change_t = s->t + (up ?
		    sim_rng_int(&s->rng, DB_BACK_MIN, DB_BACK_MAX) :
		    sim_rng_int(&s->rng, DB_LOSS_MIN, DB_LOSS_MAX));
	}
}

static void
flow_db_tick(struct sim *s)
{
	struct sim_deploy	*d;
	int			 i;

	for (i = 0; i < s->ndeps; i++) {
		d = &s->dep[i];
		if (d->db_ok != d->db_target && s->t >= d->db_change_t)
			d->db_ok = d->db_target;
	}
}

/* Circuits -------------------------------------------------------------- */
int
sim_circuit_find(const struct sim *s, const char *from, const char *to)
{
	int	i;

	for (i = 0; i < s->ncb; i++)
		if (strcmp(s->dep[s->cb[i].from].name, from) == 0 &&
		    strcmp(sim_circuit_to_name(s, &s->cb[i]), to) == 0)
			return (i);
	return (-1);
}

const char *
sim_circuit_to_name(const struct sim *s, const struct sim_circuit *c)
{
	return (c->to < 0 ? EVENT_BUS : s->dep[c->to].name);
}

static void
cb_open(struct sim *s, struct sim_circuit *c)
{
	c->state = CIRCUIT_OPEN;
	c->since = s->t;
	c->open_until = s->t + CB_BREAK_S;
}

void
sim_circuit_reset(struct sim *s, int i)
{
	struct sim_circuit	*c = &s->cb[i];
	int			 b;

	c->state = CIRCUIT_CLOSED;
	c->since = s->t;
	for (b = 0; b < SIM_CB_WINDOW; b++) {
		c->calls[b] = c->fails[b] = 0;
		c->bucket_t[b] = -1;
	}
}

/* Closed: add a second of calls to the window, open past the ratio. */
static void
cb_record(struct sim *s, struct sim_circuit *c, int calls, int fails)
{
	int	b = (int)(s->t % SIM_CB_WINDOW), tc = 0, tf = 0;

	if (c->bucket_t[b] != s->t) {
		c->bucket_t[b] = s->t;
		c->calls[b] = c->fails[b] = 0;
	}
	c->calls[b] += calls;
	c->fails[b] += fails;
	for (b = 0; b < SIM_CB_WINDOW; b++) {
		if (c->bucket_t[b] > s->t - SIM_CB_WINDOW) {
			tc += c->calls[b];
			tf += c->fails[b];
		}
	}
	if (tc > 0)
		c->ratio = (double)tf / tc;
	if (tc >= CB_MIN_CALLS && c->ratio >= CB_RATIO)
		cb_open(s, c);
}

/* n calls failing with probability p; returns the failures, counting the
 * calls an open circuit rejects. */
static int
cb_call(struct sim *s, struct sim_circuit *c, int n, double p)
{
	int	i, f = 0;

	if (c->state == CIRCUIT_OPEN && s->t >= c->open_until) {
		c->state = CIRCUIT_HALF_OPEN;
		c->since = c->open_until;
	}
	if (n <= 0 || c->state == CIRCUIT_OPEN)
		return (n);
	if (c->state == CIRCUIT_HALF_OPEN) {
		if (sim_rng_unit(&s->rng) < p) {
			cb_open(s, c);
			return (n);
		}
		sim_circuit_reset(s, (int)(c - s->cb));
		n--;
	}
	for (i = 0; i < n; i++)
		if (sim_rng_unit(&s->rng) < p)
			f++;
	cb_record(s, c, n, f);
	return (f);
}

static int
flow_circuit_open(const struct sim *s, int from)
{
	int	i, n = 0;

	for (i = 0; i < s->ncb; i++)
		if (s->cb[i].from == from && s->cb[i].to >= 0 &&
		    s->cb[i].state != CIRCUIT_CLOSED)
			n++;
	return (n);
}

/* How likely a call to service di fails now. */
static double
flow_pfail(const struct sim *s, int di)
{
	const struct sim_deploy	*d = &s->dep[di];
	double			 p = 0.003;

	if (d->ready == 0)
		return (1.0);
	if (d->has_db && !d->db_ok)
		return (0.97);
	if (d->ready < d->desired)
		p += 0.05 * (d->desired - d->ready) / d->desired;
	p += 0.3 * flow_circuit_open(s, di);
	return (p > 1.0 ? 1.0 : p);
}

static void
flow_traffic(struct sim *s, struct sim_circuit *c)
{
	double	x;

	if (s->dep[c->from].ready == 0) {
		cb_call(s, c, 0, 0);
		return;
	}
	x = c->rps * s->load_now * (0.85 + 0.3 * sim_rng_unit(&s->rng));
	cb_call(s, c, (int)(x + 0.5), flow_pfail(s, c->to));
}

static const char *
flow_health(const struct sim *s, const struct sim_circuit *c)
{
	const struct sim_deploy	*d;

	if (c->to < 0)
		return (s->dep[c->from].broker_ok ? "up" : "down");
	d = &s->dep[c->to];
	if (d->ready == 0 || (d->has_db && !d->db_ok))
		return ("down");
	if (d->ready < d->desired || flow_pfail(s, c->to) >= 0.1)
		return ("degraded");
	return ("up");
}

/* Outbox ---------------------------------------------------------------- */
static struct sim_cohort *
ob_at(struct sim_outbox *o, int i)
{
	return (&o->q[(o->head + i) & (SIM_OB_QUEUE - 1)]);
}

static void
ob_push(struct sim_outbox *o, int64_t t, int n)
{
	struct sim_cohort	*c;

	o->pending += n;
	if (o->len == SIM_OB_QUEUE) {
		ob_at(o, o->len - 1)->n += n;
		return;
	}
	c = ob_at(o, o->len++);
	c->t = c->next_try = t;
	c->n = n;
	c->attempts = 0;
}

static void
ob_push_front(struct sim_outbox *o, int64_t t, int n)
{
	struct sim_cohort	*c;

	o->pending += n;
	if (o->len == SIM_OB_QUEUE) {
		ob_at(o, 0)->n += n;
		return;
	}
	o->head = (o->head - 1) & (SIM_OB_QUEUE - 1);
	o->len++;
	c = ob_at(o, 0);
	c->t = c->next_try = t;
	c->n = n;
	c->attempts = 0;
}

static void
ob_produce(struct sim *s, struct sim_outbox *o)
{
	double	x;
	int	n;

	x = o->rate * s->load_now * (0.7 + 0.6 * sim_rng_unit(&s->rng)) +
	    o->carry;
	n = (int)x;
	o->carry = x - n;
	if (n > 0)
		ob_push(o, s->t, n);
}

static void
ob_deliver(struct sim *s, struct sim_outbox *o)
{
	struct sim_cohort	*c;
	int			 left = OB_BATCH, k;

	while (left > 0 && o->len > 0) {
		c = ob_at(o, 0);
		k = c->n < left ? c->n : left;
		c->n -= k;
		left -= k;
		o->pending -= k;
		o->done[s->t % SIM_OB_WINDOW] += k;
		if (c->n == 0) {
			o->head = (o->head + 1) & (SIM_OB_QUEUE - 1);
			o->len--;
		}
	}
}

/* A failed batch: its cohorts wait to be retried, or fail for good. */
static void
ob_fail_batch(struct sim *s, struct sim_outbox *o)
{
	struct sim_cohort	*c;
	int			 i, sum = 0;

	for (i = 0; i < o->len && sum < OB_BATCH; i++) {
		c = ob_at(o, i);
		if (c->next_try > s->t)
			break;
		sum += c->n;
		c->attempts++;
		c->next_try = s->t + (int64_t)OB_RETRY_S * c->attempts;
	}
	while (o->len > 0 && ob_at(o, 0)->attempts >= OB_MAX_ATTEMPTS) {
		c = ob_at(o, 0);
		if (o->failed == 0 || c->t < o->failed_t)
			o->failed_t = c->t;
		o->failed += c->n;
		o->pending -= c->n;
		o->head = (o->head + 1) & (SIM_OB_QUEUE - 1);
		o->len--;
	}
}

static int
flow_bus(const struct sim *s, int di)
{
	int	i;

	for (i = 0; i < s->ncb; i++)
		if (s->cb[i].from == di && s->cb[i].to < 0)
			return (i);
	return (-1);
}

static void
ob_publish(struct sim *s, int di)
{
	struct sim_deploy	*d = &s->dep[di];
	struct sim_outbox	*o = &d->ob;
	int			 bus, failed, calls;

	if (o->len == 0 || ob_at(o, 0)->next_try > s->t ||
	    (bus = flow_bus(s, di)) == -1)
		return;
	calls = o->pending < OB_CALLS ? (int)o->pending : OB_CALLS;
	failed = cb_call(s, &s->cb[bus], calls, d->broker_ok ? 0.0005 :
	    1.0) > 0;
	if (!failed) {
		ob_deliver(s, o);
		o->fails = 0;
		return;
	}
	ob_fail_batch(s, o);
	if (++o->fails >= OB_HALT_AFTER)
		o->running = 0;
}

static void
ob_tick(struct sim *s, int di)
{
	struct sim_deploy	*d = &s->dep[di];
	struct sim_outbox	*o = &d->ob;
	int			 alive;

	o->done[s->t % SIM_OB_WINDOW] = 0;
	alive = d->ready > 0 && (!d->has_db || d->db_ok);
	if (alive)
		ob_produce(s, o);
	if (alive && o->running)
		ob_publish(s, di);
	else if (flow_bus(s, di) != -1)
		cb_call(s, &s->cb[flow_bus(s, di)], 0, 0);
	if (s->t % SIM_HIST_EVERY == 0)
		sim_hist_push(&o->hist, (double)o->pending);
}

void
sim_flow_tick(struct sim *s)
{
	int	i;

	flow_db_tick(s);
	for (i = 0; i < s->ncb; i++)
		if (s->cb[i].to >= 0)
			flow_traffic(s, &s->cb[i]);
	for (i = 0; i < s->ndeps; i++)
		if (s->dep[i].ob.on)
			ob_tick(s, i);
}

int
sim_outbox_replay(struct sim *s, int di, struct error *err)
{
	struct sim_outbox	*o = &s->dep[di].ob;

	if (!o->on) {
		error_set(err, "%s has no outbox", s->dep[di].name);
		return (-1);
	}
	if (o->failed > 0)
		ob_push_front(o, o->failed_t, (int)o->failed);
	o->failed = 0;
	return (0);
}

int
sim_outbox_resume(struct sim *s, int di, struct error *err)
{
	struct sim_outbox	*o = &s->dep[di].ob;

	if (!o->on) {
		error_set(err, "%s has no outbox", s->dep[di].name);
		return (-1);
	}
	o->running = 1;
	o->fails = 0;
	return (0);
}

void
sim_broker_set(struct sim *s, int di, int ok)
{
	s->dep[di].broker_ok = ok;
}

double
sim_outbox_oldest(const struct sim *s, const struct sim_outbox *o)
{
	if (o->len == 0)
		return (0);
	return ((double)(s->t - o->q[o->head].t));
}

/* Snapshots ------------------------------------------------------------- */
static int64_t
ob_sum(const struct sim *s, const struct sim_outbox *o, int secs)
{
	int64_t	sum = 0;
	int	i;

	for (i = 0; i < secs && i <= s->t; i++)
		sum += o->done[(s->t - i) % SIM_OB_WINDOW];
	return (sum);
}

void
sim_outbox_snapshot(struct sim *s, struct outbox_data *od)
{
	struct sim_deploy	*d;
	struct outbox		*r;
	int			 i;

	od->rows = xcalloc(s->ndeps, sizeof *od->rows);
	for (i = 0; i < s->ndeps; i++) {
		d = &s->dep[i];
		if (!d->ob.on)
			continue;
		r = &od->rows[od->n++];
		strlcpy_(r->service, d->name, sizeof r->service);
		strlcpy_(r->database, d->db, sizeof r->database);
		r->pending = d->ob.pending;
		r->oldest_age_s = sim_outbox_oldest(s, &d->ob);
		r->failed = d->ob.failed;
		r->processed_1m = ob_sum(s, &d->ob, 60);
		r->processed_5m = ob_sum(s, &d->ob, SIM_OB_WINDOW);
		r->nhist = sim_hist_copy(&d->ob.hist, r->hist);
	}
}

void
sim_circuit_snapshot(struct sim *s, struct circuits_data *cd)
{
	struct sim_circuit	*c;
	struct circuit		*r;
	int			 i;

	cd->rows = xcalloc(s->ncb > 0 ? s->ncb : 1, sizeof *cd->rows);
	cd->n = s->ncb;
	for (i = 0; i < s->ncb; i++) {
		c = &s->cb[i];
		r = &cd->rows[i];
		strlcpy_(r->service, s->dep[c->from].name, sizeof r->service);
		strlcpy_(r->dependency, sim_circuit_to_name(s, c),
		    sizeof r->dependency);
		r->state = c->state;
		if (c->state == CIRCUIT_OPEN && s->t >= c->open_until)
			r->state = CIRCUIT_HALF_OPEN;
		r->since_ms = sim_wall_ms(s, c->state == CIRCUIT_OPEN &&
		    s->t >= c->open_until ? c->open_until : c->since);
		r->failure_ratio = c->ratio;
		strlcpy_(r->health, flow_health(s, c), sizeof r->health);
	}
}

/* Digest ---------------------------------------------------------------- */
static void
flow_digest_outbox(const struct sim_outbox *o, struct sim_dg *g)
{
	const struct sim_cohort	*c;
	int			 i;

	sim_dg_u64(g, (uint64_t)o->pending);
	sim_dg_u64(g, (uint64_t)o->failed);
	sim_dg_u64(g, (uint64_t)(o->running | o->fails << 1));
	sim_dg_u64(g, (uint64_t)o->len);
	sim_dg_dbl(g, o->carry);
	for (i = 0; i < o->len; i++) {
		c = &o->q[(o->head + i) & (SIM_OB_QUEUE - 1)];
		sim_dg_u64(g, (uint64_t)c->t);
		sim_dg_u64(g, (uint64_t)c->n);
		sim_dg_u64(g, (uint64_t)c->attempts);
	}
	sim_dg_hist(g, &o->hist);
}

void
sim_flow_digest(const struct sim *s, struct sim_dg *g)
{
	const struct sim_deploy		*d;
	const struct sim_circuit	*c;
	int				 i;

	for (i = 0; i < s->ndeps; i++) {
		d = &s->dep[i];
		sim_dg_u64(g, (uint64_t)(d->db_ok | d->db_target << 1 |
		    d->broker_ok << 2));
		sim_dg_u64(g, (uint64_t)d->db_change_t);
		if (d->ob.on)
			flow_digest_outbox(&d->ob, g);
	}
	for (i = 0; i < s->ncb; i++) {
		c = &s->cb[i];
		sim_dg_u64(g, (uint64_t)c->state);
		sim_dg_u64(g, (uint64_t)c->since);
		sim_dg_dbl(g, c->ratio);
	}
}
