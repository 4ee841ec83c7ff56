/* replication.c: the Replication panel.  First one row per configured
 * server as it sees itself (primary, standby with its WAL receiver and its
 * own replay lag, or down with the reason), then one row per standby as
 * the primary's pg_stat_replication shows it (the byte gaps between the
 * WAL positions, the replay lag and its history), then one row per
 * replication slot, since an inactive slot retaining WAL fills the
 * primary's disk as surely as a lagging standby.  Servers down, standbys
 * cut off and slots at risk rank first. */
#include <stdio.h>
#include <string.h>

#include "panel.h"
#include "util.h"

enum { C_NAME, C_CLIENT, C_STATE, C_SYNC, C_PENDING, C_WRITE, C_FLUSH,
	C_REPLAY, C_TOTAL, C_LAG, C_HIST, C__COUNT };

static const struct table_col repl_cols[C__COUNT] = {
	{ "NAME", 20, 2, 0, 0 },
	{ "CLIENT", 11, 1, 0, 3 },
	{ "STATE", 24, 2, 0, 0 },
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

static int
is_role(const struct pg_server *sv, const char *role)
{
	return (strcmp(sv->role, role) == 0);
}

/* A standby whose receiver is known and not streaming. */
static int
cut_off(const struct pg_server *sv)
{
	return (is_role(sv, "standby") && sv->receiver[0] != '\0' &&
	    strcmp(sv->receiver, "streaming") != 0);
}

static int
count_primaries(const struct repl_data *d)
{
	int	i, n = 0;

	for (i = 0; i < d->nservers; i++)
		n += is_role(&d->servers[i], "primary");
	return (n);
}

/* primaries > 1 is a split brain: every primary is crit. */
static int
server_rank(const struct pg_server *sv, int primaries)
{
	int	rank = 0;

	if (is_role(sv, "down") || cut_off(sv) ||
	    (is_role(sv, "primary") && primaries > 1))
		return (2);
	if (is_role(sv, "standby"))
		rank = lag_rank(sv->replay_lag_s);
	if ((sv->replay_paused || sv->error[0] != '\0') && rank < 1)
		rank = 1;
	return (rank);
}

/* "standby streaming", "standby DISCONNECTED 45s", "down: why". */
static void
server_state(const struct pg_server *sv, char *buf, size_t len)
{
	char	age[16];
	size_t	n;

	if (is_role(sv, "down")) {
		snprintf(buf, len, "down%s%s", sv->error[0] ? ": " : "",
		    sv->error);
		return;
	}
	if (cut_off(sv)) {
		age[0] = '\0';
		if (sv->last_msg_age_s >= 0)
			fmt_age(age, sizeof age, (int64_t)sv->last_msg_age_s);
		snprintf(buf, len, "standby DISCONNECTED%s%s", age[0] ? " " :
		    "", age);
	} else
		snprintf(buf, len, "%s%s%s", sv->role, sv->receiver[0] ? " " :
		    "", sv->receiver);
	n = strlen(buf);
	if (sv->replay_paused && n < len)
		n += (size_t)snprintf(buf + n, len - n, ", replay paused");
	if (sv->error[0] != '\0' && n < len)
		snprintf(buf + n, len - n, ": %s", sv->error);
}

static void
server_row(struct panel *p, const struct pg_server *sv, int primaries)
{
	char		key[80], state[256];
	int		rank = server_rank(sv, primaries);
	enum role	role = rank ? panel_rank_role(rank) : ROLE_OK;

	snprintf(key, sizeof key, "server/%s", sv->name);
	table_row(p->table, key, rank);
	table_cell(p->table, C_NAME, rank ? role : ROLE_NORMAL, sv->name);
	if (is_role(sv, "standby"))
		table_cell(p->table, C_CLIENT, ROLE_MUTED, sv->upstream);
	else
		table_cell(p->table, C_CLIENT, ROLE_MUTED, sv->version);
	server_state(sv, state, sizeof state);
	table_cell(p->table, C_STATE, role, state);
	if (!is_role(sv, "standby"))
		return;
	bytes_cell(p, C_TOTAL, sv->receive_replay_bytes, ROLE_NORMAL);
	lag_cell(p, sv->replay_lag_s);
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
	for (i = 0; i < d->nservers; i++)
		server_row(p, &d->servers[i], count_primaries(d));
	for (i = 0; i < d->nstandbys; i++)
		standby_row(p, &d->standbys[i]);
	for (i = 0; i < d->nslots; i++)
		slot_row(p, &d->slots[i]);
	table_end(p->table);
}

/* Append ", N what" or ", NAME one" (for a single one) to buf. */
static void
more_add(char *buf, size_t len, int n, const char *name, const char *one,
    const char *many)
{
	size_t	o = strlen(buf);

	if (n == 1 && name != NULL)
		snprintf(buf + o, len - o, ", %s %s", name, one);
	else if (n > 0)
		snprintf(buf + o, len - o, ", %d %s", n, many);
}

/* The servers' problems into buf; the worst rank. */
static int
server_problems(const struct repl_data *d, char *buf, size_t len)
{
	const struct pg_server	*sv, *cut = NULL, *down = NULL, *paused = NULL;
	int			 i, ncut = 0, ndown = 0, npaused = 0, worst = 0;
	int			 primaries = count_primaries(d), r;

	for (i = 0; i < d->nservers; i++) {
		sv = &d->servers[i];
		r = server_rank(sv, primaries);
		worst = r > worst ? r : worst;
		if (cut_off(sv)) {
			ncut++;
			cut = sv;
		}
		if (is_role(sv, "down")) {
			ndown++;
			down = sv;
		}
		if (sv->replay_paused) {
			npaused++;
			paused = sv;
		}
	}
	if (primaries > 1)
		more_add(buf, len, primaries, NULL, "", "primaries");
	more_add(buf, len, ndown, down ? down->name : NULL, "down",
	    "servers down");
	more_add(buf, len, ncut, cut ? cut->name : NULL, "disconnected",
	    "standbys disconnected");
	more_add(buf, len, npaused, paused ? paused->name : NULL,
	    "replay paused", "standbys paused");
	return (worst);
}

/* ", 1 not streaming, lab-b disconnected, 2 slots at risk" after the
 * lag; the worst rank. */
static int
repl_problems(const struct repl_data *d, char *buf, size_t len)
{
	int	i, down = 0, slots = 0, worst, r;

	buf[0] = '\0';
	worst = server_problems(d, buf, len);
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
	more_add(buf, len, down, NULL, "", "not streaming");
	more_add(buf, len, slots, NULL, "", slots == 1 ? "slot at risk" :
	    "slots at risk");
	return (worst);
}

/* The worst replay lag of any standby, either side; -1 unknown. */
static double
worst_lag(const struct repl_data *d)
{
	double	worst = -1;
	int	i;

	for (i = 0; i < d->nstandbys; i++)
		if (d->standbys[i].replay_lag_s > worst)
			worst = d->standbys[i].replay_lag_s;
	for (i = 0; i < d->nservers; i++)
		if (is_role(&d->servers[i], "standby") &&
		    d->servers[i].replay_lag_s > worst)
			worst = d->servers[i].replay_lag_s;
	return (worst);
}

/* Any standby seen at all: in pg_stat_replication or streaming itself. */
static int
any_standby(const struct repl_data *d)
{
	int	i;

	for (i = 0; i < d->nservers; i++)
		if (is_role(&d->servers[i], "standby") &&
		    strcmp(d->servers[i].receiver, "streaming") == 0)
			return (1);
	return (d->nstandbys > 0);
}

/* The primary's own row when it has something to say, else NULL. */
static const struct pg_server *
primary_error(const struct repl_data *d)
{
	int	i;

	for (i = 0; i < d->nservers; i++)
		if (strcmp(d->servers[i].name, d->server) == 0 &&
		    d->servers[i].error[0] != '\0')
			return (&d->servers[i]);
	return (NULL);
}

static void
repl_summary(struct panel *p, char *buf, size_t len, enum role *role)
{
	const struct repl_data	*d = &p->snap->u.repl;
	const struct pg_server	*pe;
	char			 lag[16] = "unknown", more[128];
	double			 worst = worst_lag(d);
	int			 rank;

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
	rank = repl_problems(d, more, sizeof more);
	if ((pe = primary_error(d)) != NULL) {
		*role = panel_rank_role(rank > 1 ? 2 : 1);
		snprintf(buf, len, "primary %s: %s", pe->name, pe->error);
		return;
	}
	if (!any_standby(d)) {
		*role = strcmp(d->role, "primary") == 0 ? ROLE_CRIT :
		    ROLE_MUTED;
		snprintf(buf, len, "no standbys connected%s", more);
		return;
	}
	if (worst >= 0)
		fmt_duration(lag, sizeof lag, worst);
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
	.help = "First every configured PostgreSQL server as it sees "
	    "itself: the primary (CLIENT is its version), a standby (CLIENT "
	    "is the server it streams from, STATE its WAL receiver, REPLAY "
	    "LAG and TOTAL what it received but has not replayed yet, in time "
	    "and bytes; 0 when all it received is replayed, so an idle "
	    "primary shows no lag), or a server that cannot be read (STATE "
	    "says why). A server is crit when it is down or a standby is "
	    "DISCONNECTED (no WAL receiver, or nothing heard from its primary "
	    "for longer than a healthy link stays silent), warn when replay is "
	    "paused or it cannot show everything (e.g. a user without "
	    "pg_monitor). Then the standbys as the primary's "
	    "pg_stat_replication shows them, then the replication slots. "
	    "PENDING, WRITE, FLUSH and REPLAY are the WAL "
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
