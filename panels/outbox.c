/* outbox.c: the Outbox panel.  One row per service's transactional outbox:
 * how many messages wait to be published, how old the oldest is, how many
 * failed, the throughput, and the backlog's trend.  A stuck publisher shows
 * as an oldest age that keeps growing while 1M stays at zero.  A figure the
 * source does not know (negative) shows as "-"; an outbox that could not
 * be read is crit, with its error where the database name would be. */
#include <stdio.h>

#include "panel.h"
#include "util.h"

enum { C_SERVICE, C_DATABASE, C_PENDING, C_OLDEST, C_FAILED, C_1M, C_5M,
	C_TREND, C__COUNT };

static const struct table_col outbox_cols[C__COUNT] = {
	{ "SERVICE", 12, 1, 0, 0 },
	{ "DATABASE", 10, 3, 0, 3 },	/* room for an error */
	{ "PENDING", 7, 0, 1, 0 },
	{ "OLDEST", 7, 0, 1, 0 },
	{ "FAILED", 6, 0, 1, 0 },
	{ "1M", 5, 0, 1, 1 },
	{ "5M", 5, 0, 1, 2 },
	{ "TREND", 10, 2, 0, 0 },
};

#define OLDEST_WARN_S	60.0
#define OLDEST_CRIT_S	300.0
#define PENDING_WARN	100

static void
outbox_init(struct panel *p)
{
	p->table = table_new(outbox_cols, C__COUNT);
}

static int
outbox_rank(const struct outbox *o)
{
	if (o->error[0] != '\0' || o->oldest_age_s > OLDEST_CRIT_S ||
	    o->failed > 0)
		return (2);
	if (o->pending > PENDING_WARN || o->oldest_age_s > OLDEST_WARN_S)
		return (1);
	return (0);
}

/* A count, "-" when unknown (negative). */
static void
count_cell(struct panel *p, int col, enum role role, int64_t n)
{
	char	buf[16];

	if (n < 0) {
		table_cell_num(p->table, col, ROLE_MUTED, -1, "-");
		return;
	}
	fmt_count(buf, sizeof buf, n > 0 ? (uint64_t)n : 0);
	table_cell_num(p->table, col, n == 0 ? ROLE_MUTED : role, (double)n,
	    buf);
}

/* "-" when nothing is pending (there is no oldest message) or unknown. */
static void
oldest_cell(struct panel *p, const struct outbox *o)
{
	char		buf[16];
	double		age = o->oldest_age_s;
	enum role	role;

	if (o->error[0] != '\0' || (o->pending <= 0 && age <= 0)) {
		table_cell_num(p->table, C_OLDEST, ROLE_MUTED, 0, "-");
		return;
	}
	fmt_duration(buf, sizeof buf, age);
	role = age > OLDEST_CRIT_S ? ROLE_CRIT : age > OLDEST_WARN_S ?
	    ROLE_WARN : ROLE_NORMAL;
	table_cell_num(p->table, C_OLDEST, role, age, buf);
}

/* Scale the trend to its largest value but at least floor, so that a
 * single pending message does not draw as a full bar. */
static double
spark_max(const double *v, int n, double floor)
{
	double	max = floor;
	int	i;

	for (i = 0; i < n; i++)
		if (v[i] > max)
			max = v[i];
	return (max);
}

static void
outbox_row(struct panel *p, const struct outbox *o)
{
	char	key[100];
	int	rank = outbox_rank(o);

	snprintf(key, sizeof key, "%s/%s", o->service, o->database);
	table_row(p->table, key, rank);
	table_cell(p->table, C_SERVICE, rank ? panel_rank_role(rank) : ROLE_NORMAL,
	    o->service);
	if (o->error[0] != '\0')
		table_cellf(p->table, C_DATABASE, ROLE_CRIT, "%s%s%s",
		    o->database, o->database[0] ? ": " : "", o->error);
	else
		table_cell(p->table, C_DATABASE, ROLE_MUTED, o->database);
	count_cell(p, C_PENDING, o->pending > PENDING_WARN ? ROLE_WARN :
	    ROLE_NORMAL, o->pending);
	oldest_cell(p, o);
	count_cell(p, C_FAILED, ROLE_CRIT, o->failed);
	count_cell(p, C_1M, ROLE_NORMAL, o->processed_1m);
	count_cell(p, C_5M, ROLE_NORMAL, o->processed_5m);
	table_cell_spark(p->table, C_TREND, panel_rank_role(rank), o->hist, o->nhist,
	    spark_max(o->hist, o->nhist, PENDING_WARN));
}

static void
outbox_update(struct panel *p, const struct snapshot *s)
{
	const struct outbox_data	*d = &s->u.outbox;
	int				 i;

	table_begin(p->table);
	for (i = 0; i < d->n; i++)
		outbox_row(p, &d->rows[i]);
	table_end(p->table);
}

static void
outbox_summary(struct panel *p, char *buf, size_t len, enum role *role)
{
	const struct outbox_data	*d = &p->snap->u.outbox;
	char				 pending[16], oldest[16], failed[32];
	char				 bad[32];
	int64_t				 npending = 0, nfailed = 0;
	double				 worst = 0;
	int				 i, rank = 0, r, nbad = 0;

	if (d->n == 0) {
		snprintf(buf, len, "no outboxes");
		return;
	}
	for (i = 0; i < d->n; i++) {
		nbad += d->rows[i].error[0] != '\0';
		npending += d->rows[i].pending > 0 ? d->rows[i].pending : 0;
		nfailed += d->rows[i].failed > 0 ? d->rows[i].failed : 0;
		if (d->rows[i].oldest_age_s > worst)
			worst = d->rows[i].oldest_age_s;
		r = outbox_rank(&d->rows[i]);
		rank = r > rank ? r : rank;
	}
	*role = panel_rank_role(rank);
	fmt_count(pending, sizeof pending, npending > 0 ? (uint64_t)npending :
	    0);
	fmt_duration(oldest, sizeof oldest, worst);
	failed[0] = '\0';
	if (nfailed > 0)
		snprintf(failed, sizeof failed, ", %lld failed",
		    (long long)nfailed);
	bad[0] = '\0';
	if (nbad > 0)
		snprintf(bad, sizeof bad, ", %d unreadable", nbad);
	if (npending == 0)
		snprintf(buf, len, "0 pending%s%s", failed, bad);
	else
		snprintf(buf, len, "%s pending, oldest %s%s%s", pending, oldest,
		    failed, bad);
}

const struct panel_class outbox_panel = {
	.name = "outbox",
	.title = "Outbox",
	.kind = SNAP_OUTBOX,
	.init = outbox_init,
	.update = outbox_update,
	.summary = outbox_summary,
	.help = "One transactional outbox per service database. PENDING "
	    "messages wait to be published, OLDEST is the age of the oldest "
	    "of them, FAILED gave up retrying, 1M and 5M were published in "
	    "the last 1 and 5 minutes, TREND is the recent PENDING history. "
	    "Crit: a message has waited over 5 minutes or any failed; warn: "
	    "over 100 pending or the oldest over 1 minute. A growing OLDEST "
	    "with 1M at zero means the publisher is stuck. \"-\" is a figure "
	    "the table cannot tell (a MassTransit outbox deletes what it "
	    "delivered, so it has no 1M or 5M); an outbox that cannot be read "
	    "is crit, with the reason after its database name.",
};
