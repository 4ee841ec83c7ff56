/* sim_alerts.c: alerts derived from the demo world, as Prometheus would
 * derive them from the platform's rules (seeds: prometheus/alerts.yml,
 * group deployment_health) plus the rules for the database, the outbox and
 * the circuits.  Every rule is evaluated each simulated second; a true
 * condition is pending until it has held for the rule's `for:` duration,
 * then firing.  Only firing alerts are in the snapshot (as Alertmanager
 * sees them), with starts_ms the time they started firing; an alert whose
 * condition is false is resolved and disappears.
 *
 * PodCrashLooping: the seeds' expression, rate(restarts[15m]) > 0.05, means
 * more than 45 restarts in 15 minutes, which a container under the
 * kubelet's back-off cannot reach; the world uses the rule's description
 * instead: more than 3 restarts in 15 minutes. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_world.h"
#include "xmalloc.h"

#define RUNBOOK_BASE	"https://runbooks.chiroerp.com/"

struct sim_rule {
	const char	*name;
	const char	*severity;
	int		 for_s;
	const char	*slug;
	void		(*eval)(struct sim *, const struct sim_rule *);
	double		 threshold;
};

static void	rule_rollout(struct sim *, const struct sim_rule *);
static void	rule_crashloop(struct sim *, const struct sim_rule *);
static void	rule_health(struct sim *, const struct sim_rule *);
static void	rule_memory(struct sim *, const struct sim_rule *);
static void	rule_pvc(struct sim *, const struct sim_rule *);
static void	rule_replicas(struct sim *, const struct sim_rule *);
static void	rule_lag(struct sim *, const struct sim_rule *);
static void	rule_primary(struct sim *, const struct sim_rule *);
static void	rule_backlog(struct sim *, const struct sim_rule *);
static void	rule_failing(struct sim *, const struct sim_rule *);
static void	rule_circuit(struct sim *, const struct sim_rule *);

static const struct sim_rule sim_rules[] = {
	{ "DeploymentRolloutFailed", "critical", 300,
	  "deployment-rollout-failed", rule_rollout, 0 },
	{ "PodCrashLooping", "warning", 300, "pod-crash-loop",
	  rule_crashloop, 3 },
	{ "HealthCheckFailing", "critical", 120, "health-check-failed",
	  rule_health, 0 },
	{ "HighMemoryUsage", "warning", 300, "high-memory-usage",
	  rule_memory, 0.85 },
	{ "PersistentVolumeFillingUp", "warning", 600, "pvc-filling-up",
	  rule_pvc, 0.80 },
	{ "DeploymentReplicasMismatch", "warning", 600, "replica-mismatch",
	  rule_replicas, 0 },
	{ "PostgresReplicationLagHigh", "warning", 60, "replication-lag",
	  rule_lag, 30 },
	{ "PostgresReplicationLagHigh", "critical", 60, "replication-lag",
	  rule_lag, 300 },
	{ "PostgresPrimaryDown", "critical", 30, "dr-failover",
	  rule_primary, 0 },
	{ "OutboxBacklogHigh", "warning", 120, "outbox-backlog",
	  rule_backlog, 1000 },
	{ "OutboxMessagesFailing", "warning", 60, "outbox-backlog",
	  rule_failing, 0 },
	{ "CircuitBreakerOpen", "warning", 60, "circuit-breaker-open",
	  rule_circuit, 0 },
};
#define NRULES	((int)(sizeof sim_rules / sizeof sim_rules[0]))

static struct sim_alert *
alert_find(struct sim *s, const struct sim_rule *r, const char *labels)
{
	struct sim_alert	*a;
	char			 key[256];
	int			 i;

	for (i = 0; i < s->nalerts; i++) {
		a = &s->alerts[i];
		if (a->rule == r && strcmp(a->labels, labels) == 0)
			return (a);
	}
	if (s->nalerts == s->alerts_cap) {
		s->alerts_cap = s->alerts_cap ? s->alerts_cap * 2 : 32;
		s->alerts = xreallocarray(s->alerts, s->alerts_cap,
		    sizeof *s->alerts);
	}
	a = &s->alerts[s->nalerts++];
	memset(a, 0, sizeof *a);
	a->rule = r;
	strlcpy_(a->labels, labels, sizeof a->labels);
	snprintf(key, sizeof key, "%s %s severity=%s", r->name, labels,
	    r->severity);
	a->fp = sim_hash_str(key);
	a->active_t = s->t;
	a->fired_t = -1;
	return (a);
}

static void __attribute__((format(printf, 4, 5)))
alert_hit(struct sim *s, const struct sim_rule *r, const char *labels,
    const char *fmt, ...)
{
	struct sim_alert	*a;
	va_list			 ap;

	a = alert_find(s, r, labels);
	a->seen = 1;
	va_start(ap, fmt);
	vsnprintf(a->summary, sizeof a->summary, fmt, ap);
	va_end(ap);
}

static void
pod_labels(const struct sim *s, const struct sim_pod *p, char *buf,
    size_t len, int container)
{
	snprintf(buf, len, "namespace=%s deployment=%s pod=%s%s", SIM_NS,
	    s->dep[p->dep].name, p->name, container ? " container=app" : "");
}

/* Kubernetes rules ------------------------------------------------------ */
static void
rule_rollout(struct sim *s, const struct sim_rule *r)
{
	char	labels[160];
	int	i;

	for (i = 0; i < s->ndeps; i++) {
		if (!s->dep[i].stuck)
			continue;
		snprintf(labels, sizeof labels, "namespace=%s deployment=%s",
		    SIM_NS, s->dep[i].name);
		alert_hit(s, r, labels, "Deployment %s rollout failed "
		    "(progress deadline exceeded)", s->dep[i].name);
	}
}

static void
rule_crashloop(struct sim *s, const struct sim_rule *r)
{
	const struct sim_pod	*p;
	char			 labels[160];
	int			 i, n;

	for (i = 0; i < s->npods; i++) {
		p = &s->pods[i];
		n = sim_kube_restarts_since(p, s->t - 900);
		if (n <= (int)r->threshold)
			continue;
		pod_labels(s, p, labels, sizeof labels, 1);
		alert_hit(s, r, labels, "Pod %s crash looping (%d restarts "
		    "in 15m, last %s)", p->name, n, p->app.last_reason);
	}
}

static void
rule_health(struct sim *s, const struct sim_rule *r)
{
	const struct sim_pod	*p;
	char			 labels[160];
	int			 i;

	for (i = 0; i < s->npods; i++) {
		p = &s->pods[i];
		if (p->deleting || sim_kube_pod_ready(p))
			continue;
		pod_labels(s, p, labels, sizeof labels, 0);
		alert_hit(s, r, labels, "Health check failing for %s",
		    p->name);
	}
}

static void
rule_memory(struct sim *s, const struct sim_rule *r)
{
	const struct sim_pod	*p;
	char			 labels[160];
	double			 f;
	int			 i;

	for (i = 0; i < s->npods; i++) {
		p = &s->pods[i];
		if (p->app.state != KSTATE_RUNNING)
			continue;
		f = p->app.ws_mib / p->limit_mib;
		if (f <= r->threshold)
			continue;
		pod_labels(s, p, labels, sizeof labels, 1);
		alert_hit(s, r, labels, "High memory usage in %s (%.0f%% of "
		    "%d MiB limit)", p->name, 100 * f, p->limit_mib);
	}
}

static void
rule_pvc(struct sim *s, const struct sim_rule *r)
{
	char	labels[160];
	int64_t	used, cap;
	int	i;

	for (i = 0; i < SIM_PG_NODES; i++) {
		if (!s->pg.n[i].up)
			continue;
		sim_pg_pvc(s, i, &used, &cap);
		if ((double)used / cap <= r->threshold)
			continue;
		snprintf(labels, sizeof labels, "namespace=%s "
		    "persistentvolumeclaim=data-%s-0", SIM_NS, s->pg.n[i].name);
		alert_hit(s, r, labels, "PVC data-%s-0 filling up (%.0f%% "
		    "full)", s->pg.n[i].name, 100.0 * used / cap);
	}
}

static void
rule_replicas(struct sim *s, const struct sim_rule *r)
{
	const struct sim_deploy	*d;
	char			 labels[160];
	int			 i;

	for (i = 0; i < s->ndeps; i++) {
		d = &s->dep[i];
		if (d->desired == d->ready)
			continue;
		snprintf(labels, sizeof labels, "namespace=%s deployment=%s",
		    SIM_NS, d->name);
		alert_hit(s, r, labels, "Deployment %s replicas mismatch "
		    "(%d available, %d desired)", d->name, d->ready,
		    d->desired);
	}
}

/* Database, outbox and circuit rules ------------------------------------ */
static void
rule_lag(struct sim *s, const struct sim_rule *r)
{
	const struct sim_pgnode	*n;
	char			 labels[160], d[16];
	int			 i;

	for (i = 0; i < SIM_PG_NODES; i++) {
		n = &s->pg.n[i];
		if (!sim_pg_is_standby(s, i) || n->state == SB_DISCONNECTED ||
		    n->replay_lag <= r->threshold)
			continue;
		snprintf(labels, sizeof labels, "cluster=erp-pg server=%s "
		    "application_name=%s", s->pg.n[s->pg.primary].name,
		    n->name);
		fmt_duration(d, sizeof d, n->replay_lag);
		alert_hit(s, r, labels, "Standby %s replay lag %s (over "
		    "%.0fs)", n->name, d, r->threshold);
	}
}

static void
rule_primary(struct sim *s, const struct sim_rule *r)
{
	const char	*name = s->pg.n[s->pg.primary].name;
	char		 labels[160];

	if (sim_pg_primary_up(s))
		return;
	snprintf(labels, sizeof labels, "cluster=erp-pg instance=%s", name);
	alert_hit(s, r, labels, "PostgreSQL primary %s is down: writes are "
	    "failing", name);
}

static void
rule_backlog(struct sim *s, const struct sim_rule *r)
{
	const struct sim_deploy	*d;
	char			 labels[160], age[16];
	double			 oldest;
	int			 i;

	for (i = 0; i < s->ndeps; i++) {
		d = &s->dep[i];
		if (!d->ob.on)
			continue;
		oldest = sim_outbox_oldest(s, &d->ob);
		if (d->ob.pending <= r->threshold && oldest <= 300)
			continue;
		snprintf(labels, sizeof labels, "namespace=%s service=%s "
		    "database=%s", SIM_NS, d->name, d->db);
		fmt_duration(age, sizeof age, oldest);
		alert_hit(s, r, labels, "Outbox of %s backed up: %lld pending, "
		    "oldest %s", d->name, (long long)d->ob.pending, age);
	}
}

static void
rule_failing(struct sim *s, const struct sim_rule *r)
{
	const struct sim_deploy	*d;
	char			 labels[160];
	int			 i;

	for (i = 0; i < s->ndeps; i++) {
		d = &s->dep[i];
		if (!d->ob.on || d->ob.failed == 0)
			continue;
		snprintf(labels, sizeof labels, "namespace=%s service=%s "
		    "database=%s", SIM_NS, d->name, d->db);
		alert_hit(s, r, labels, "Outbox of %s: %lld messages failed "
		    "(replay needed)", d->name, (long long)d->ob.failed);
	}
}

static void
rule_circuit(struct sim *s, const struct sim_rule *r)
{
	const struct sim_circuit	*c;
	char				 labels[160];
	const char			*to;
	int				 i;

	for (i = 0; i < s->ncb; i++) {
		c = &s->cb[i];
		if (c->state == CIRCUIT_CLOSED)
			continue;
		to = sim_circuit_to_name(s, c);
		snprintf(labels, sizeof labels, "namespace=%s service=%s "
		    "dependency=%s", SIM_NS, s->dep[c->from].name, to);
		alert_hit(s, r, labels, "Circuit %s -> %s is %s (failure "
		    "ratio %.0f%%)", s->dep[c->from].name, to,
		    c->state == CIRCUIT_OPEN && s->t < c->open_until ? "open" :
		    "half-open", 100 * c->ratio);
	}
}

/* Evaluation ------------------------------------------------------------ */
void
sim_alerts_eval(struct sim *s)
{
	struct sim_alert	*a;
	int			 i, j = 0;

	for (i = 0; i < s->nalerts; i++)
		s->alerts[i].seen = 0;
	for (i = 0; i < NRULES; i++)
		sim_rules[i].eval(s, &sim_rules[i]);
	for (i = 0; i < s->nalerts; i++) {
		a = &s->alerts[i];
		if (!a->seen)
			continue;
		if (a->fired_t < 0 && s->t - a->active_t >= a->rule->for_s)
			a->fired_t = s->t;
		if (i != j)
			s->alerts[j] = *a;
		j++;
	}
	s->nalerts = j;
}

/* Every label as silence matchers, as Alertmanager would have them:
 * alertname, then the key labels, then severity. */
static void
alert_matchers(struct alert *o, const char *labels)
{
	char	 buf[160], *p, *kv, *eq;

	alert_matcher_add(o->matchers, sizeof o->matchers, "alertname",
	    o->name);
	strlcpy_(buf, labels, sizeof buf);
	for (p = buf; (kv = strsep(&p, " ")) != NULL;) {
		if ((eq = strchr(kv, '=')) == NULL)
			continue;
		*eq = '\0';
		alert_matcher_add(o->matchers, sizeof o->matchers, kv, eq + 1);
	}
	alert_matcher_add(o->matchers, sizeof o->matchers, "severity",
	    o->severity);
}

void
sim_alerts_snapshot(struct sim *s, struct alerts_data *ad)
{
	const struct sim_alert	*a;
	struct alert		*o;
	int			 i;

	ad->rows = xcalloc(s->nalerts > 0 ? s->nalerts : 1, sizeof *ad->rows);
	for (i = 0; i < s->nalerts; i++) {
		a = &s->alerts[i];
		if (a->fired_t < 0)
			continue;
		o = &ad->rows[ad->n++];
		strlcpy_(o->name, a->rule->name, sizeof o->name);
		strlcpy_(o->severity, a->rule->severity, sizeof o->severity);
		strlcpy_(o->labels, a->labels, sizeof o->labels);
		strlcpy_(o->summary, a->summary, sizeof o->summary);
		snprintf(o->runbook_url, sizeof o->runbook_url, "%s%s",
		    RUNBOOK_BASE, a->rule->slug);
		alert_runbook_name(o->runbook_url, o->runbook,
		    sizeof o->runbook);
		alert_matchers(o, a->labels);
		snprintf(o->fingerprint, sizeof o->fingerprint, "%016llx",
		    (unsigned long long)a->fp);
		o->starts_ms = sim_wall_ms(s, a->fired_t);
		o->state = ALERT_ACTIVE;
	}
}

void
sim_alerts_digest(const struct sim *s, struct sim_dg *g)
{
	const struct sim_alert	*a;
	int			 i;

	sim_dg_u64(g, (uint64_t)s->nalerts);
	for (i = 0; i < s->nalerts; i++) {
		a = &s->alerts[i];
		sim_dg_u64(g, a->fp);
		sim_dg_u64(g, (uint64_t)a->active_t);
		sim_dg_u64(g, (uint64_t)a->fired_t);
		sim_dg_str(g, a->summary);
	}
}

void
sim_alerts_free(struct sim *s)
{
	free(s->alerts);
	s->alerts = NULL;
	s->nalerts = s->alerts_cap = 0;
}
