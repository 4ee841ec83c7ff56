/* replication.c: the Replication panel.  One row per standby as
 * pg_stat_replication shows it (the byte gaps between the WAL positions,
 * the replay lag and its history), then one row per replication slot, since
 * an inactive slot retaining WAL fills the primary's disk as surely as a
 * lagging standby.  Broken standbys and slots at risk rank first. */
#include <stdio.h>
#include <string.h>

#include "panel.h"
#include "util.h"

enum { C_NAME, C_CLIENT, C_STATE, C_SYNC, C_PENDING, C_WRITE, C_FLUSH,
	C_REPLAY, C_TOTAL, C_LAG, C_HIST, C__COUNT };

static const struct table_col repl_cols[C__COUNT] = {
	{ "NAME", 20, 2, 0, 0 },
	{ "CLIENT", 11, 1, 0, 3 },
	{ "STATE", 12, 0, 0, 0 },
	{ "SYNC", 10, 0, 0, 2 },
	{ "PENDING", 8, 0, 1, 4 },
	{ "WRITE", 8, 0, 1, 4 },
	{ "FLUSH", 8, 0, 1, 4 },
	{ "REPLAY", 8, 0, 1, 2 },
	{ "TOTAL", 8, 0, 1, 1 },
	{ "REPLAY LAG", 10, 0, 1, 0 },
	{ "HISTORY", 10, 2, 0, 0 },
};

#define LAG_WARN_S	30.0
#define LAG_CRIT_S	300.0
#define SLOT_RETAIN_WARN	((int64_t)1 << 30)	/* 1 GiB */

static void
repl_init(struct panel *p)
{
	p->table = table_new(repl_cols, C__COUNT);
}

static int
lag_rank(double lag)
{
	return (lag > LAG_CRIT_S ? 2 : lag > LAG_WARN_S ? 1 : 0);
}

static int
streaming(const struct standby *sb)
{
	return (strcmp(sb->state, "streaming") == 0);
}

static int
standby_rank(const struct standby *sb)
{
	return (streaming(sb) ? lag_rank(sb->replay_lag_s) : 2);
}

static int
slot_rank(const struct repl_slot *sl)
{
	if (strcmp(sl->wal_status, "lost") == 0 ||
	    strcmp(sl->wal_status, "unreserved") == 0)
		return (2);
	if (strcmp(sl->wal_status, "extended") == 0)
		return (1);
	if (!sl->active && sl->retained_bytes > SLOT_RETAIN_WARN)
		return (1);
	return (0);
}

/* Scale a sparkline to its largest value but at least floor, so that a
 * healthy standby's lag of milliseconds draws flat, not as full bars. */
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

/* A byte gap; negative means unknown (NULL in pg_stat_replication). */
static void
bytes_cell(struct panel *p, int col, int64_t n, enum role role)
{
	char	buf[16];

	if (n < 0) {
		table_cell_num(p->table, col, ROLE_MUTED, -1, "-");
		return;
	}
	fmt_bytes(buf, sizeof buf, (uint64_t)n);
	table_cell_num(p->table, col, n == 0 ? ROLE_MUTED : role, (double)n,
	    buf);
}

static void
lag_cell(struct panel *p, double lag)
{
	char	buf[16];

	if (lag < 0) {
		table_cell_num(p->table, C_LAG, ROLE_MUTED, -1, "-");
		return;
	}
	fmt_duration(buf, sizeof buf, lag);
	table_cell_num(p->table, C_LAG, panel_rank_role(lag_rank(lag)), lag, buf);
}

static void
standby_row(struct panel *p, const struct standby *sb)
{
	int	rank = standby_rank(sb);

	table_row(p->table, sb->name, rank);
	table_cell(p->table, C_NAME, rank ? panel_rank_role(rank) : ROLE_NORMAL,
	    sb->name);
	table_cell(p->table, C_CLIENT, ROLE_MUTED, sb->client);
	table_cell(p->table, C_STATE, streaming(sb) ? ROLE_OK : ROLE_CRIT,
	    sb->state);
	table_cell(p->table, C_SYNC, ROLE_NORMAL, sb->sync_state);
	bytes_cell(p, C_PENDING, sb->pending_bytes, ROLE_NORMAL);
	bytes_cell(p, C_WRITE, sb->write_bytes, ROLE_NORMAL);
	bytes_cell(p, C_FLUSH, sb->flush_bytes, ROLE_NORMAL);
	bytes_cell(p, C_REPLAY, sb->replay_bytes, ROLE_NORMAL);
	bytes_cell(p, C_TOTAL, sb->total_bytes, ROLE_NORMAL);
	lag_cell(p, sb->replay_lag_s);
	table_cell_spark(p->table, C_HIST, panel_rank_role(lag_rank(
	    sb->replay_lag_s)), sb->hist, sb->nhist, spark_max(sb->hist,
	    sb->nhist, LAG_WARN_S));
}

static void
slot_row(struct panel *p, const struct repl_slot *sl)
{
	char		key[80];
	int		rank = slot_rank(sl);
	enum role	role = rank ? panel_rank_role(rank) : ROLE_NORMAL;

	snprintf(key, sizeof key, "slot/%s", sl->name);
	table_row(p->table, key, rank);
	table_cellf(p->table, C_NAME, rank ? role : ROLE_MUTED, "slot %s",
	    sl->name);
	table_cell(p->table, C_CLIENT, ROLE_MUTED, sl->type);
	table_cell(p->table, C_STATE, sl->active ? ROLE_OK : rank ? role :
	    ROLE_MUTED, sl->active ? "active" : "inactive");
	table_cell(p->table, C_SYNC, role, sl->wal_status);
	bytes_cell(p, C_TOTAL, sl->retained_bytes, role);
}

static void
repl_update(struct panel *p, const struct snapshot *s)
{
	const struct repl_data	*d = &s->u.repl;
	int			 i;

	table_begin(p->table);
	for (i = 0; i < d->nstandbys; i++)
		standby_row(p, &d->standbys[i]);
	for (i = 0; i < d->nslots; i++)
		slot_row(p, &d->slots[i]);
	table_end(p->table);
}

/* ", 1 not streaming, 2 slots at risk" after the lag; the worst rank. */
static int
repl_problems(const struct repl_data *d, char *buf, size_t len)
{
	int	i, down = 0, slots = 0, worst = 0, r;

	for (i = 0; i < d->nstandbys; i++) {
		r = standby_rank(&d->standbys[i]);
		worst = r > worst ? r : worst;
		down += !streaming(&d->standbys[i]);
	}
	for (i = 0; i < d->nslots; i++) {
		r = slot_rank(&d->slots[i]);
		worst = r > worst ? r : worst;
		slots += r > 0;
	}
	buf[0] = '\0';
	if (down > 0)
		snprintf(buf, len, ", %d not streaming", down);
	if (slots > 0)
		snprintf(buf + strlen(buf), len - strlen(buf),
		    ", %d slot%s at risk", slots, slots == 1 ? "" : "s");
	return (worst);
}

static void
repl_summary(struct panel *p, char *buf, size_t len, enum role *role)
{
	const struct repl_data	*d = &p->snap->u.repl;
	char			 lag[16] = "unknown", more[64];
	double			 worst = -1;
	int			 i, rank;

	if (strcmp(d->role, "down") == 0) {
		*role = ROLE_CRIT;
		snprintf(buf, len, "PRIMARY DOWN");
		return;
	}
	if (strcmp(d->role, "standby") == 0) {
		*role = ROLE_WARN;
		snprintf(buf, len, "standby (in recovery)");
		return;
	}
	if (d->nstandbys == 0) {
		*role = strcmp(d->role, "primary") == 0 ? ROLE_CRIT :
		    ROLE_MUTED;
		snprintf(buf, len, "no standbys connected");
		return;
	}
	for (i = 0; i < d->nstandbys; i++)
		if (d->standbys[i].replay_lag_s > worst)
			worst = d->standbys[i].replay_lag_s;
	if (worst >= 0)
		fmt_duration(lag, sizeof lag, worst);
	rank = repl_problems(d, more, sizeof more);
	*role = panel_rank_role(rank);
	snprintf(buf, len, "%s %s, worst lag %s%s", d->role[0] ? d->role :
	    "server", d->server, lag, more);
}

const struct panel_class replication_panel = {
	.name = "replication",
	.title = "Replication",
	.kind = SNAP_REPLICATION,
	.init = repl_init,
	.update = repl_update,
	.summary = repl_summary,
	.help = "Standbys as pg_stat_replication shows them, then the "
	    "replication slots. PENDING, WRITE, FLUSH and REPLAY are the WAL "
	    "bytes each stage is behind the one before it (sent, written, "
	    "flushed, replayed); TOTAL is how far replay is behind the "
	    "primary. REPLAY LAG is in time, HISTORY its recent trend. A "
	    "standby is crit when it is not streaming or its lag is over 5 "
	    "minutes, warn over 30 seconds. A slot row shows its type, whether "
	    "a consumer is attached, its wal_status and the WAL it retains "
	    "(TOTAL): crit when wal_status is lost or unreserved (the standby "
	    "needs a rebuild or soon will), warn when extended or when an "
	    "inactive slot holds more than 1 GiB (it is filling the primary's "
	    "disk).",
};
