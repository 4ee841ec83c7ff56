/* sim_kube.c: the Kubernetes part of the demo world.
 *
 * Eight deployments in namespace erp-system, each pod with two containers
 * (the app and the daprd sidecar) on nodes node-1..node-4.  The deployment
 * controller is a small RollingUpdate (maxSurge 25% rounded up,
 * maxUnavailable 25% rounded down, progress deadline 600s); the kubelet
 * restarts dead containers with its crash back-off (at once, then 10s, 20s,
 * 40s ... 300s; reset after 10 minutes without a crash).  The app's working
 * set is its base plus the deployment's leaked cache, loaded over the first
 * WARMUP seconds after every start: past the memory limit it is OOMKilled.
 * A pod's STATUS is kubectl's, computed by kstatus_compute(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_world.h"
#include "xmalloc.h"

#define CREATE_MIN		2	/* s in ContainerCreating */
#define CREATE_MAX		4
#define READY_DELAY		15	/* s to the first passing probe */
#define WARMUP			15	/* s to load the cache at start */
#define BACKOFF_FIRST		10
#define BACKOFF_MAX		300
#define PROGRESS_DEADLINE	600

struct kube_def {
	const char	*name;
	int		 replicas;
	int		 limit_mib;
	int		 base_mib;
	int		 has_db;
	double		 outbox_rate;	/* messages/s, 0 = no outbox */
	double		 rps;		/* gateway calls/s */
};

static const struct kube_def kube_defs[] = {
	{ "gateway",	 3,  256, 150, 0,  0.0,  0 },
	{ "finance",	 2,  512, 300, 1,  8.0, 25 },
	{ "inventory",	 3,  512, 330, 1, 12.0, 40 },
	{ "sales",	 2,  512, 290, 1, 14.0, 35 },
	{ "procurement", 2,  512, 260, 1,  5.0, 12 },
	{ "production",	 2,  512, 280, 1,  6.0, 10 },
	{ "identity",	 2,  256, 140, 1,  3.0, 30 },
	{ "reporting",	 2, 1024, 520, 1,  0.0,  8 },
};
#define NDEFS	((int)(sizeof kube_defs / sizeof kube_defs[0]))

/* The alphabet Kubernetes uses for generated names. */
static const char kube_alnum[] = "bcdfghjklmnpqrstvwxz2456789";

struct kube_count {
	int	cur, old, cur_ready, old_ready;
};

static void
kube_encode(char *out, int len, uint64_t v)
{
	struct sim_rng	r;
	int		i;

	sim_rng_seed(&r, v);
	for (i = 0; i < len; i++)
		out[i] = kube_alnum[sim_rng_next(&r) % (sizeof kube_alnum - 1)];
	out[len] = '\0';
}

/* A new pod template (a new ReplicaSet): starts a rollout. */
static void
kube_tmpl_new(struct sim *s, struct sim_deploy *d, int limit, int image_ok)
{
	d->prev = d->cur;
	d->cur.rev++;
	d->cur.limit_mib = limit;
	d->cur.image_ok = image_ok;
	kube_encode(d->cur.hash, 10, sim_hash_str(d->name) ^ s->seed ^
	    ((uint64_t)d->cur.rev << 40));
	d->rolling = 1;
	d->progress_t = s->t;
	d->stuck = 0;
}

void
sim_kube_init(struct sim *s)
{
	const struct kube_def	*k;
	struct sim_deploy	*d;
	int			 i;

	for (i = 0; i < NDEFS && i < SIM_MAX_DEPLOYS; i++) {
		k = &kube_defs[i];
		d = &s->dep[i];
		strlcpy_(d->name, k->name, sizeof d->name);
		d->desired = k->replicas;
		d->base_mib = k->base_mib;
		d->cur.limit_mib = k->limit_mib;
		d->cur.image_ok = 1;
		d->has_db = k->has_db;
		if (d->has_db)
			snprintf(d->db, sizeof d->db, "%s_db", k->name);
		d->db_ok = d->db_target = 1;
		d->broker_ok = 1;
		d->rps = k->rps;
		d->ob.on = k->outbox_rate > 0;
		d->ob.rate = k->outbox_rate;
		d->ob.running = 1;
	}
	s->ndeps = i;
}

static int
kube_pick_node(const struct sim *s, int di)
{
	int	load[SIM_NNODES] = { 0 }, same[SIM_NNODES] = { 0 };
	int	i, best = 0;

	for (i = 0; i < s->npods; i++) {
		if (s->pods[i].deleting)
			continue;
		load[s->pods[i].node]++;
		if (s->pods[i].dep == di)
			same[s->pods[i].node]++;
	}
	for (i = 1; i < SIM_NNODES; i++) {
		if (same[i] < same[best] ||
		    (same[i] == same[best] && load[i] < load[best]))
			best = i;
	}
	return (best);
}

static struct sim_pod *
kube_pod_new(struct sim *s, int di)
{
	struct sim_deploy	*d = &s->dep[di];
	struct sim_pod		*p;
	char			 sfx[8], name[64];

	if (s->npods >= SIM_MAX_PODS)
		return (NULL);
	p = &s->pods[s->npods];
	memset(p, 0, sizeof *p);
	p->node = kube_pick_node(s, di);
	s->npods++;
	kube_encode(sfx, 5, sim_rng_next(&s->rng));
	snprintf(name, sizeof name, "%s-%s-%s", d->name, d->cur.hash, sfx);
	strlcpy_(p->name, name, sizeof p->name);
	p->dep = di;
	strlcpy_(p->tmpl, d->cur.hash, sizeof p->tmpl);
	p->limit_mib = d->cur.limit_mib;
	p->image_ok = d->cur.image_ok;
	p->created = s->t;
	p->base_mib = d->base_mib * (0.96 + 0.08 * sim_rng_unit(&s->rng));
	return (p);
}

/* A pod the deployment controller creates now. */
static void
kube_pod_create(struct sim *s, int di)
{
	struct sim_pod	*p;

	if ((p = kube_pod_new(s, di)) == NULL)
		return;
	p->scheduled = s->t + 1;
	p->app.state = KSTATE_WAITING;
	strlcpy_(p->app.reason, "ContainerCreating", sizeof p->app.reason);
	p->app.until = p->scheduled + sim_rng_int(&s->rng, CREATE_MIN,
	    CREATE_MAX);
}

/* A pod that has been running for days when the world starts. */
static void
kube_pod_seed(struct sim *s, int di)
{
	struct sim_pod	*p;

	if ((p = kube_pod_new(s, di)) == NULL)
		return;
	p->created = -(int64_t)sim_rng_int(&s->rng, 86400, 6 * 86400);
	p->scheduled = p->created + 1;
	p->sidecar_up = 1;
	p->app.state = KSTATE_RUNNING;
	p->app.started = p->created + 4;
	p->app.ready = 1;
	p->app.ws_mib = p->base_mib;
}

void
sim_kube_populate(struct sim *s)
{
	struct sim_deploy	*d;
	int			 i, j;

	for (i = 0; i < s->ndeps; i++) {
		d = &s->dep[i];
		kube_tmpl_new(s, d, d->cur.limit_mib, 1);
		d->rolling = 0;
		d->prev.rev = 0;
		for (j = 0; j < d->desired; j++)
			kube_pod_seed(s, i);
		d->updated = d->ready = d->cur_ready_seen = d->desired;
	}
}

/* Containers ------------------------------------------------------------ */
static void
kube_ctr_wait(struct sim_ctr *c, const char *reason, int64_t until)
{
	c->state = KSTATE_WAITING;
	strlcpy_(c->reason, reason, sizeof c->reason);
	c->until = until;
	c->ready = 0;
}

static void
kube_ctr_start(struct sim *s, struct sim_pod *p)
{
	struct sim_ctr	*c = &p->app;

	if (!p->image_ok) {
		kube_ctr_wait(c, "ErrImagePull", s->t + 2);
		return;
	}
	c->state = KSTATE_RUNNING;
	c->reason[0] = '\0';
	c->exit_code = 0;
	c->started = s->t;
	c->ready = 0;
	c->ws_mib = p->base_mib * 0.7;
}

static void
kube_ctr_die(struct sim *s, struct sim_ctr *c, const char *reason, int code)
{
	c->state = KSTATE_TERMINATED;
	strlcpy_(c->reason, reason, sizeof c->reason);
	c->exit_code = code;
	c->ready = 0;
	c->finished = s->t;
	c->has_finished = 1;
}

/* The kubelet's next sync after a container died: count the restart and
 * start again at once, or wait out the crash back-off. */
static void
kube_ctr_sync_dead(struct sim *s, struct sim_pod *p)
{
	struct sim_ctr	*c = &p->app;

	c->restarts++;
	strlcpy_(c->last_reason, c->reason, sizeof c->last_reason);
	c->log[c->nlog++ % SIM_RESTART_LOG] = s->t;
	if (c->backoff == 0 || c->finished - c->backoff_upd >
	    2 * BACKOFF_MAX) {
		c->backoff = BACKOFF_FIRST;
		c->backoff_upd = c->finished;
		kube_ctr_start(s, p);
		return;
	}
	kube_ctr_wait(c, "CrashLoopBackOff", c->finished + c->backoff);
}

static void
kube_backoff_next(struct sim_ctr *c, int64_t upd)
{
	c->backoff = c->backoff == 0 ? BACKOFF_FIRST : c->backoff * 2;
	if (c->backoff > BACKOFF_MAX)
		c->backoff = BACKOFF_MAX;
	c->backoff_upd = upd;
}

static void
kube_ctr_waiting(struct sim *s, struct sim_pod *p)
{
	struct sim_ctr	*c = &p->app;

	if (s->t < c->until)
		return;
	if (strcmp(c->reason, "ErrImagePull") == 0) {
		kube_backoff_next(c, s->t);
		kube_ctr_wait(c, "ImagePullBackOff", s->t + c->backoff);
		return;
	}
	if (strcmp(c->reason, "CrashLoopBackOff") == 0)
		kube_backoff_next(c, c->finished);
	if (strcmp(c->reason, "ContainerCreating") == 0)
		p->sidecar_up = 1;
	kube_ctr_start(s, p);
}

static void
kube_ctr_running(struct sim *s, struct sim_pod *p)
{
	struct sim_deploy	*d = &s->dep[p->dep];
	struct sim_ctr		*c = &p->app;
	double			 up, warm;

	up = (double)(s->t - c->started);
	warm = up >= WARMUP ? 1.0 : up / WARMUP;
	c->ws_mib = p->base_mib * (0.7 + 0.3 * warm) *
	    (0.985 + 0.03 * sim_rng_unit(&s->rng)) + d->leaked * warm;
	if (c->ws_mib >= p->limit_mib) {
		c->ws_mib = p->limit_mib;
		kube_ctr_die(s, c, "OOMKilled", 137);
		return;
	}
	c->ready = up >= READY_DELAY && (!d->has_db || d->db_ok) &&
	    !p->deleting;
}

static void
kube_pod_tick(struct sim *s, struct sim_pod *p)
{
	if (s->t < p->scheduled)
		return;
	switch (p->app.state) {
	case KSTATE_WAITING:
		if (!p->deleting)
			kube_ctr_waiting(s, p);
		break;
	case KSTATE_RUNNING:
		kube_ctr_running(s, p);
		break;
	case KSTATE_TERMINATED:
		if (!p->deleting)
			kube_ctr_sync_dead(s, p);
		break;
	case KSTATE_NONE:
		break;
	}
}

int
sim_kube_pod_ready(const struct sim_pod *p)
{
	return (!p->deleting && p->sidecar_up && p->app.ready);
}

int
sim_kube_restarts_since(const struct sim_pod *p, int64_t since)
{
	int	i, n = 0, max;

	max = p->app.nlog < SIM_RESTART_LOG ? p->app.nlog : SIM_RESTART_LOG;
	for (i = 0; i < max; i++)
		if (p->app.log[i] > since)
			n++;
	return (n);
}

/* The deployment controller --------------------------------------------- */
static void
kube_count(const struct sim *s, int di, struct kube_count *k)
{
	const struct sim_pod	*p;
	int			 i, cur;

	memset(k, 0, sizeof *k);
	for (i = 0; i < s->npods; i++) {
		p = &s->pods[i];
		if (p->dep != di || p->deleting)
			continue;
		cur = strcmp(p->tmpl, s->dep[di].cur.hash) == 0;
		if (cur) {
			k->cur++;
			k->cur_ready += sim_kube_pod_ready(p);
		} else {
			k->old++;
			k->old_ready += sim_kube_pod_ready(p);
		}
	}
}

/* The pod to delete first, as the ReplicaSet controller ranks them: not
 * ready before ready, more restarts first, newer first.  want_cur picks the
 * current template's pods or the old ones; unready_only skips ready pods. */
static int
kube_victim(const struct sim *s, int di, int want_cur, int unready_only)
{
	const struct sim_pod	*p, *b;
	int			 i, best = -1, cur;

	for (i = 0; i < s->npods; i++) {
		p = &s->pods[i];
		if (p->dep != di || p->deleting)
			continue;
		cur = strcmp(p->tmpl, s->dep[di].cur.hash) == 0;
		if (cur != want_cur || (unready_only && sim_kube_pod_ready(p)))
			continue;
		if (best == -1) {
			best = i;
			continue;
		}
		b = &s->pods[best];
		if (sim_kube_pod_ready(p) != sim_kube_pod_ready(b)) {
			if (!sim_kube_pod_ready(p))
				best = i;
		} else if (p->app.restarts != b->app.restarts) {
			if (p->app.restarts > b->app.restarts)
				best = i;
		} else if (p->created >= b->created)
			best = i;
	}
	return (best);
}

static void
kube_pod_delete(struct sim *s, int pi)
{
	struct sim_pod	*p = &s->pods[pi];

	if (p->deleting)
		return;
	p->deleting = 1;
	p->app.ready = 0;
	if (p->app.state == KSTATE_RUNNING)
		p->gone = s->t + sim_rng_int(&s->rng, 2, 5);
	else
		p->gone = s->t + 1;
}

static int
kube_delete_one(struct sim *s, int di, int want_cur, int unready_only)
{
	int	i;

	if ((i = kube_victim(s, di, want_cur, unready_only)) == -1)
		return (0);
	kube_pod_delete(s, i);
	return (1);
}

/* Scale the old ReplicaSets down as far as availability allows. */
static void
kube_scale_old(struct sim *s, int di, int min_avail)
{
	struct kube_count	k;
	int			max_down;

	kube_count(s, di, &k);
	max_down = k.cur + k.old - min_avail - (k.cur - k.cur_ready);
	while (max_down-- > 0 && kube_delete_one(s, di, 0, 1))
		;
	kube_count(s, di, &k);
	while (k.old > 0 && k.cur_ready + k.old_ready > min_avail &&
	    kube_delete_one(s, di, 0, 0))
		kube_count(s, di, &k);
}

static void
kube_rollout_status(struct sim *s, struct sim_deploy *d,
    const struct kube_count *k)
{
	if (k->cur_ready > d->cur_ready_seen)
		d->progress_t = s->t;
	d->cur_ready_seen = k->cur_ready;
	if (!d->rolling)
		return;
	if (k->old == 0 && k->cur == d->desired && k->cur_ready == d->desired) {
		d->rolling = 0;
		d->stuck = 0;
	} else if (s->t - d->progress_t > PROGRESS_DEADLINE)
		d->stuck = 1;
}

static void
kube_reconcile(struct sim *s, int di)
{
	struct sim_deploy	*d = &s->dep[di];
	struct kube_count	 k;
	int			 surge, min_avail;

	surge = (d->desired + 3) / 4;
	min_avail = d->desired - d->desired / 4;
	kube_count(s, di, &k);
	while (k.cur < d->desired && k.cur + k.old < d->desired + surge &&
	    s->npods < SIM_MAX_PODS) {
		kube_pod_create(s, di);
		d->progress_t = s->t;
		k.cur++;
	}
	while (k.cur > d->desired && kube_delete_one(s, di, 1, 0))
		k.cur--;
	if (k.old > 0)
		kube_scale_old(s, di, min_avail);
	kube_count(s, di, &k);
	kube_rollout_status(s, d, &k);
	d->updated = k.cur;
	d->ready = k.cur_ready + k.old_ready;
}

static void
kube_leak_tick(struct sim_deploy *d)
{
	if (d->leak_rate <= 0)
		return;
	d->leaked += d->leak_rate;
	if (d->leak_max > 0 && d->leaked > d->leak_max)
		d->leaked = d->leak_max;
}

/* Drop the pods whose deletion finished. */
static void
kube_compact(struct sim *s)
{
	int	i, j = 0;

	for (i = 0; i < s->npods; i++) {
		if (s->pods[i].deleting && s->t >= s->pods[i].gone)
			continue;
		if (i != j)
			s->pods[j] = s->pods[i];
		j++;
	}
	s->npods = j;
}

void
sim_kube_tick(struct sim *s)
{
	int	i;

	for (i = 0; i < s->ndeps; i++)
		kube_leak_tick(&s->dep[i]);
	for (i = 0; i < s->npods; i++)
		kube_pod_tick(s, &s->pods[i]);
	kube_compact(s);
	for (i = 0; i < s->ndeps; i++)
		kube_reconcile(s, i);
}

/* Lookups and actions --------------------------------------------------- */
int
sim_kube_find(const struct sim *s, const char *name)
{
	int	i;

	for (i = 0; i < s->ndeps; i++)
		if (strcmp(s->dep[i].name, name) == 0)
			return (i);
	return (-1);
}

int
sim_kube_pod_find(const struct sim *s, const char *name)
{
	int	i;

	for (i = 0; i < s->npods; i++)
		if (strcmp(s->pods[i].name, name) == 0)
			return (i);
	return (-1);
}

void
sim_kube_scale(struct sim *s, int di, int n)
{
	struct sim_deploy	*d = &s->dep[di];

	if (d->desired == n)
		return;
	d->desired = n;
	d->rolling = 1;
	d->progress_t = s->t;
	d->stuck = 0;
}

void
sim_kube_restart(struct sim *s, int di)
{
	struct sim_deploy	*d = &s->dep[di];

	kube_tmpl_new(s, d, d->cur.limit_mib, d->cur.image_ok);
}

int
sim_kube_rollback(struct sim *s, int di, struct error *err)
{
	struct sim_deploy	*d = &s->dep[di];
	struct sim_tmpl		 tmp;

	if (d->prev.rev == 0) {
		error_set(err, "deployment %s has no previous revision",
		    d->name);
		return (-1);
	}
	tmp = d->cur;
	d->cur = d->prev;
	d->prev = tmp;
	d->rolling = 1;
	d->progress_t = s->t;
	d->stuck = 0;
	return (0);
}

void
sim_kube_delete_pod(struct sim *s, int pi)
{
	kube_pod_delete(s, pi);
}

void
sim_kube_set_limit(struct sim *s, int di, int mib)
{
	struct sim_deploy	*d = &s->dep[di];

	kube_tmpl_new(s, d, mib, d->cur.image_ok);
}

void
sim_kube_bad_image(struct sim *s, int di)
{
	struct sim_deploy	*d = &s->dep[di];

	kube_tmpl_new(s, d, d->cur.limit_mib, 0);
}

void
sim_kube_leak(struct sim *s, int di, double rate, double max)
{
	s->dep[di].leak_rate = rate;
	s->dep[di].leak_max = max;
}

/* Snapshot -------------------------------------------------------------- */
static void
kube_kpod(const struct sim_pod *p, int64_t t, struct kcontainer c[2],
    struct kpod *kp)
{
	memset(kp, 0, sizeof *kp);
	memset(c, 0, 2 * sizeof *c);
	kp->deleting = p->deleting;
	kp->ready_condition = sim_kube_pod_ready(p);
	kp->ncontainers = 2;
	kp->containers = c;
	if (t < p->scheduled) {
		strlcpy_(kp->phase, "Pending", sizeof kp->phase);
		return;
	}
	strlcpy_(kp->phase, p->sidecar_up ? "Running" : "Pending",
	    sizeof kp->phase);
	kp->ncontainer_status = 2;
	c[0].state = p->app.state;
	strlcpy_(c[0].reason, p->app.reason, sizeof c[0].reason);
	c[0].exit_code = p->app.exit_code;
	c[0].ready = p->app.ready;
	c[0].restarts = p->app.restarts;
	strlcpy_(c[0].last_reason, p->app.last_reason, sizeof c[0].last_reason);
	c[1].state = p->sidecar_up ? KSTATE_RUNNING : KSTATE_WAITING;
	if (!p->sidecar_up)
		strlcpy_(c[1].reason, "ContainerCreating", sizeof c[1].reason);
	c[1].ready = p->sidecar_up && !p->deleting;
}

static void
kube_pod_row(const struct sim *s, const struct sim_pod *p, struct pod *o)
{
	struct kcontainer	c[2];
	struct kpod		kp;
	struct kstatus		ks;

	kube_kpod(p, s->t, c, &kp);
	kstatus_compute(&kp, &ks);
	strlcpy_(o->ns, SIM_NS, sizeof o->ns);
	strlcpy_(o->name, p->name, sizeof o->name);
	strlcpy_(o->deployment, s->dep[p->dep].name, sizeof o->deployment);
	snprintf(o->node, sizeof o->node, "node-%d", p->node + 1);
	strlcpy_(o->status, ks.status, sizeof o->status);
	strlcpy_(o->last_reason, ks.last_reason, sizeof o->last_reason);
	o->ready = ks.ready;
	o->total = ks.total;
	o->restarts = ks.restarts;
	o->created_ms = sim_wall_ms(s, p->created);
	o->last_restart_ms = p->app.has_finished ?
	    sim_wall_ms(s, p->app.finished) : 0;
	o->problem = kstatus_severity(ks.status, ks.ready, ks.total,
	    ks.restarts);
	o->mem_pct = p->app.state == KSTATE_RUNNING ?
	    (int)(100.0 * p->app.ws_mib / p->limit_mib + 0.5) : -1;
}

static int
kube_pod_cmp(const void *a, const void *b)
{
	const struct pod	*pa = a, *pb = b;
	int			 r;

	if ((r = strcmp(pa->ns, pb->ns)) != 0)
		return (r);
	return (strcmp(pa->name, pb->name));
}

void
sim_kube_snapshot(struct sim *s, struct pods_data *pd)
{
	struct sim_deploy	*d;
	struct deployment	*o;
	int			 i;

	strlcpy_(pd->context, SIM_CONTEXT, sizeof pd->context);
	pd->npods = s->npods;
	pd->pods = xcalloc(s->npods > 0 ? s->npods : 1, sizeof *pd->pods);
	for (i = 0; i < s->npods; i++)
		kube_pod_row(s, &s->pods[i], &pd->pods[i]);
	qsort(pd->pods, pd->npods, sizeof *pd->pods, kube_pod_cmp);
	pd->ndeploys = s->ndeps;
	pd->deploys = xcalloc(s->ndeps, sizeof *pd->deploys);
	for (i = 0; i < s->ndeps; i++) {
		d = &s->dep[i];
		o = &pd->deploys[i];
		strlcpy_(o->ns, SIM_NS, sizeof o->ns);
		strlcpy_(o->name, d->name, sizeof o->name);
		o->desired = d->desired;
		o->updated = d->updated;
		o->ready = d->ready;
		o->available = d->ready;
	}
}

/* Digest ---------------------------------------------------------------- */
static void
kube_digest_pod(const struct sim_pod *p, struct sim_dg *g)
{
	const struct sim_ctr	*c = &p->app;
	int			 i;

	sim_dg_str(g, p->name);
	sim_dg_u64(g, (uint64_t)p->node);
	sim_dg_u64(g, (uint64_t)p->limit_mib);
	sim_dg_u64(g, (uint64_t)p->scheduled);
	sim_dg_u64(g, (uint64_t)p->deleting);
	sim_dg_u64(g, (uint64_t)p->gone);
	sim_dg_dbl(g, p->base_mib);
	sim_dg_u64(g, (uint64_t)p->sidecar_up);
	sim_dg_u64(g, (uint64_t)c->state);
	sim_dg_str(g, c->reason);
	sim_dg_u64(g, (uint64_t)c->ready);
	sim_dg_u64(g, (uint64_t)c->restarts);
	sim_dg_u64(g, (uint64_t)c->until);
	sim_dg_u64(g, (uint64_t)c->backoff);
	sim_dg_dbl(g, c->ws_mib);
	for (i = 0; i < SIM_RESTART_LOG; i++)
		sim_dg_u64(g, (uint64_t)c->log[i]);
}

void
sim_kube_digest(const struct sim *s, struct sim_dg *g)
{
	const struct sim_deploy	*d;
	int			 i;

	for (i = 0; i < s->ndeps; i++) {
		d = &s->dep[i];
		sim_dg_u64(g, (uint64_t)d->desired);
		sim_dg_str(g, d->cur.hash);
		sim_dg_u64(g, (uint64_t)d->cur.limit_mib);
		sim_dg_u64(g, (uint64_t)d->rolling);
		sim_dg_u64(g, (uint64_t)d->stuck);
		sim_dg_dbl(g, d->leaked);
	}
	sim_dg_u64(g, (uint64_t)s->npods);
	for (i = 0; i < s->npods; i++)
		kube_digest_pod(&s->pods[i], g);
}
