/* circuits.c: the Circuits panel.  One row per circuit breaker (caller ->
 * dependency): its state, how long it has been in it, the failure ratio
 * that drives it, and the dependency's own health check.  Open circuits
 * rank first, then half-open ones and closed ones to an unhealthy
 * dependency. */
#include <stdio.h>
#include <string.h>

#include "panel.h"
#include "util.h"

enum { C_SERVICE, C_DEPENDENCY, C_STATE, C_SINCE, C_FAILURES, C_HEALTH,
	C__COUNT };

static const struct table_col circuits_cols[C__COUNT] = {
	{ "SERVICE", 9, 1, 0, 0 },
	{ "DEPENDENCY", 12, 2, 0, 0 },
	{ "STATE", 9, 0, 0, 0 },
	{ "SINCE", 5, 0, 1, 0 },
	{ "FAILURES", 8, 0, 1, 0 },
	{ "HEALTH", 8, 0, 0, 1 },
};

static void
circuits_init(struct panel *p)
{
	p->table = table_new(circuits_cols, C__COUNT);
}

static int
state_rank(enum circuit_state s)
{
	return (s == CIRCUIT_OPEN ? 2 : s == CIRCUIT_HALF_OPEN ? 1 : 0);
}

/* -1: no health check ("" or unknown). */
static int
health_rank(const char *h)
{
	if (strcmp(h, "up") == 0)
		return (0);
	if (strcmp(h, "degraded") == 0)
		return (1);
	if (strcmp(h, "down") == 0)
		return (2);
	return (-1);
}

/* The state decides; an unhealthy dependency behind a closed circuit is
 * at least worth a look. */
static int
circuit_rank(const struct circuit *c)
{
	int	rank = state_rank(c->state);

	if (rank == 0 && health_rank(c->health) > 0)
		rank = 1;
	return (rank);
}

static void
failures_cell(struct panel *p, double ratio)
{
	char	buf[16];

	if (ratio < 0) {
		table_cell_num(p->table, C_FAILURES, ROLE_MUTED, -1, "-");
		return;
	}
	snprintf(buf, sizeof buf, "%.0f%%", ratio * 100);
	table_cell_num(p->table, C_FAILURES, ratio > 0 ? ROLE_NORMAL :
	    ROLE_MUTED, ratio, buf);
}

static void
circuit_row(struct panel *p, const struct circuit *c, int64_t now)
{
	char	key[100], since[16];
	int	rank = circuit_rank(c), hr = health_rank(c->health);

	snprintf(key, sizeof key, "%s/%s", c->service, c->dependency);
	table_row(p->table, key, rank);
	table_cell(p->table, C_SERVICE, ROLE_MUTED, c->service);
	table_cell(p->table, C_DEPENDENCY, rank ? panel_rank_role(rank) :
	    ROLE_NORMAL, c->dependency);
	table_cell(p->table, C_STATE, panel_rank_role(state_rank(c->state)),
	    circuit_state_name(c->state));
	if (c->since_ms > 0) {
		fmt_age(since, sizeof since, (now - c->since_ms) / 1000);
		table_cell_num(p->table, C_SINCE, ROLE_NORMAL,
		    (double)(now - c->since_ms), since);
	} else
		table_cell_num(p->table, C_SINCE, ROLE_MUTED, -1, "-");
	failures_cell(p, c->failure_ratio);
	table_cell(p->table, C_HEALTH, hr < 0 ? ROLE_MUTED : panel_rank_role(hr),
	    c->health);
}

static void
circuits_update(struct panel *p, const struct snapshot *s)
{
	const struct circuits_data	*d = &s->u.circuits;
	int				 i;

	table_begin(p->table);
	for (i = 0; i < d->n; i++)
		circuit_row(p, &d->rows[i], s->fetched_ms);
	table_end(p->table);
}

static void
circuits_summary(struct panel *p, char *buf, size_t len, enum role *role)
{
	const struct circuits_data	*d = &p->snap->u.circuits;
	int				 open = 0, half = 0, sick = 0, i;
	size_t				 off;

	if (d->n == 0) {
		snprintf(buf, len, "no circuits");
		return;
	}
	for (i = 0; i < d->n; i++) {
		open += d->rows[i].state == CIRCUIT_OPEN;
		half += d->rows[i].state == CIRCUIT_HALF_OPEN;
		sick += d->rows[i].state == CIRCUIT_CLOSED &&
		    health_rank(d->rows[i].health) > 0;
	}
	*role = open ? ROLE_CRIT : half || sick ? ROLE_WARN : ROLE_OK;
	if (open && half)
		snprintf(buf, len, "%d open, %d half-open of %d", open, half,
		    d->n);
	else if (open || half)
		snprintf(buf, len, "%d %s of %d", open ? open : half,
		    open ? "open" : "half-open", d->n);
	else
		snprintf(buf, len, "all %d closed", d->n);
	off = strlen(buf);
	if (sick > 0 && off < len)
		snprintf(buf + off, len - off, ", %d unhealthy", sick);
	off = strlen(buf);
	if (d->note[0] != '\0' && off + 1 < len)
		snprintf(buf + off, len - off, "; %s", d->note);
}

const struct panel_class circuits_panel = {
	.name = "circuits",
	.title = "Circuits",
	.kind = SNAP_CIRCUITS,
	.init = circuits_init,
	.update = circuits_update,
	.summary = circuits_summary,
	.help = "Circuit breakers from each SERVICE to a DEPENDENCY it calls. "
	    "STATE is closed (calls flow), half-open (trial calls after a "
	    "break, warn) or open (calls fail fast, crit); SINCE is how long "
	    "it has been in that state, FAILURES the failure ratio that "
	    "trips it, HEALTH the dependency's own health check (up, "
	    "degraded, down; blank when it has none). A closed circuit to a "
	    "degraded or down dependency ranks as warn: it may open next. "
	    "The title counts open, half-open and such unhealthy circuits.",
};
