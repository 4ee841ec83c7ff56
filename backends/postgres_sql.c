/* postgres_sql.c: what the PostgreSQL source asks each server, per server
 * version (10 to 17: the *_wal_* and *_lsn names, never xlog), and how
 * the rows become the snapshot's pg_server, standby and repl_slot.
 *
 * Every server: pg_is_in_recovery() and whether the user may read the
 * replication statistics (pg_read_all_stats, which pg_monitor includes;
 * without it pg_stat_replication and pg_stat_wal_receiver show NULLs).
 * A standby: pg_stat_wal_receiver and its receive and replay positions.
 * The primary: pg_stat_replication and pg_replication_slots.  Positions
 * are subtracted on the server with pg_wal_lsn_diff() and ages taken with
 * the server's own now(), so the client's clock never enters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "postgres_int.h"
#include "xmalloc.h"

#define PG_MIN_VERSION		100000
/* A standby whose upstream has been silent longer than half of
 * wal_receiver_timeout (when its receiver pings) plus this is cut off. */
#define PG_SILENCE_SLACK_MS	5000

static const char sql_status[] =
    "SELECT pg_is_in_recovery(), "
    "pg_has_role('pg_read_all_stats', 'USAGE'), current_user";

/* The standby query in three versions: sender_host and sender_port came
 * in 11 (before, the host and port are read from the receiver's conninfo),
 * pg_get_wal_replay_pause_state() in 14.  Columns: receiver row present,
 * status, host, port, ms since the last message, its epoch ms, the
 * server's epoch ms, bytes received but not replayed, replay lag s (0 when
 * all that was received is replayed), paused, wal_receiver_timeout ms. */
#define SQL_STANDBY(SENDER, PAUSED)					\
	"SELECT w.pid IS NOT NULL, w.status, " SENDER ", "		\
	"(EXTRACT(EPOCH FROM now() - w.last_msg_receipt_time) * 1000)"	\
	"::bigint, "							\
	"(EXTRACT(EPOCH FROM w.last_msg_receipt_time) * 1000)::bigint, "\
	"(EXTRACT(EPOCH FROM now()) * 1000)::bigint, "			\
	"pg_wal_lsn_diff(x.rx, x.rp)::bigint, "			\
	"CASE WHEN x.rx IS NULL THEN NULL WHEN x.rx = x.rp THEN 0 "	\
	"ELSE EXTRACT(EPOCH FROM now() - "				\
	"pg_last_xact_replay_timestamp()) END, "			\
	PAUSED ", "							\
	"(SELECT setting::bigint FROM pg_settings "			\
	"WHERE name = 'wal_receiver_timeout') "			\
	"FROM (SELECT pg_last_wal_receive_lsn() AS rx, "		\
	"pg_last_wal_replay_lsn() AS rp) AS x "			\
	"LEFT JOIN pg_stat_wal_receiver AS w ON true"

#define SENDER_11	"w.sender_host, w.sender_port"
#define SENDER_10	"substring(w.conninfo FROM 'host=([^ ]*)'), "	\
			"substring(w.conninfo FROM 'port=([0-9]+)')::int"
#define PAUSED_14	"pg_get_wal_replay_pause_state() <> 'not paused'"
#define PAUSED_10	"pg_is_wal_replay_paused()"

/* pg_stat_replication; reply_time came in 12.  Columns: name, client,
 * state, sync state, the byte gaps pending, write, flush, replay, total,
 * the lags in seconds, the epoch ms of the last reply. */
#define SQL_REPLICATION(REPLY)						\
	"WITH c AS (SELECT pg_current_wal_lsn() AS lsn) "		\
	"SELECT r.application_name, "					\
	"CASE WHEN r.client_port = -1 THEN 'local' "			\
	"ELSE host(r.client_addr) END, r.state, r.sync_state, "	\
	"pg_wal_lsn_diff(c.lsn, r.sent_lsn)::bigint, "			\
	"pg_wal_lsn_diff(r.sent_lsn, r.write_lsn)::bigint, "		\
	"pg_wal_lsn_diff(r.write_lsn, r.flush_lsn)::bigint, "		\
	"pg_wal_lsn_diff(r.flush_lsn, r.replay_lsn)::bigint, "		\
	"pg_wal_lsn_diff(c.lsn, r.replay_lsn)::bigint, "		\
	"EXTRACT(EPOCH FROM r.write_lag), "				\
	"EXTRACT(EPOCH FROM r.flush_lag), "				\
	"EXTRACT(EPOCH FROM r.replay_lag), " REPLY " "			\
	"FROM pg_stat_replication AS r, c "				\
	"ORDER BY r.application_name, r.pid"

#define REPLY_12	"(EXTRACT(EPOCH FROM r.reply_time) * 1000)::bigint"
#define REPLY_10	"NULL::bigint"

/* pg_replication_slots; wal_status and safe_wal_size came in 13.  WAL
 * retained: from restart_lsn to now (NULL restart_lsn retains none). */
#define SQL_SLOTS(STATUS)						\
	"SELECT slot_name, slot_type, active, "				\
	"COALESCE(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)"	\
	"::bigint, 0), " STATUS " "					\
	"FROM pg_replication_slots ORDER BY slot_name"

#define STATUS_13	"COALESCE(wal_status, ''), safe_wal_size"
#define STATUS_10	"'', NULL::bigint"

/* Rows ------------------------------------------------------------------- */

static const char *
pg_text(const PGresult *r, int row, int col)
{
	return (PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col));
}

static int64_t
pg_int(const PGresult *r, int row, int col, int64_t null)
{
	const char	*s = pg_text(r, row, col);

	return (s != NULL ? strtoll(s, NULL, 10) : null);
}

static double
pg_real(const PGresult *r, int row, int col, double null)
{
	const char	*s = pg_text(r, row, col);

	return (s != NULL ? strtod(s, NULL) : null);
}

static int
pg_bool(const PGresult *r, int row, int col)
{
	const char	*s = pg_text(r, row, col);

	return (s != NULL && s[0] == 't');
}

static void
pg_copy(char *dst, size_t len, const PGresult *r, int row, int col)
{
	const char	*s = pg_text(r, row, col);

	strlcpy_(dst, s != NULL ? s : "", len);
}

/* The query, or NULL and err.  *lost says the connection went with it. */
static PGresult *
pg_query(struct pg_link *l, const char *sql, int *lost, struct error *err)
{
	PGresult	*r;

	r = postgres_conn_query(l, sql, 0, NULL, err);
	*lost = r == NULL && l->conn == NULL;
	return (r);
}

/* A server ------------------------------------------------------------- */

static const char *
pg_standby_sql(int v)
{
	if (v >= 140000)
		return (SQL_STANDBY(SENDER_11, PAUSED_14));
	if (v >= 110000)
		return (SQL_STANDBY(SENDER_11, PAUSED_10));
	return (SQL_STANDBY(SENDER_10, PAUSED_10));
}

/* Is the link to the upstream alive?  Row present, streaming, and not
 * silent for longer than a healthy idle link can be: the receiver pings
 * after wal_receiver_timeout / 2 without a message. */
static int
pg_receiving(const PGresult *r, int64_t age_ms)
{
	const char	*status = pg_text(r, 0, 1);
	int64_t		 wrt = pg_int(r, 0, 10, 0);

	if (status == NULL || strcmp(status, "streaming") != 0)
		return (0);
	return (wrt <= 0 || age_ms < wrt / 2 + PG_SILENCE_SLACK_MS);
}

static void
pg_read_standby(struct pg_link *l, const PGresult *r, int privileged,
    struct pg_server *o)
{
	int64_t		 age_ms = pg_int(r, 0, 4, -1);
	int64_t		 msg_ms = pg_int(r, 0, 5, 0);
	int64_t		 now_ms = pg_int(r, 0, 6, 0);
	const char	*host = pg_text(r, 0, 2);

	if (host != NULL)
		snprintf(o->upstream, sizeof o->upstream, "%s:%s", host,
		    PQgetisnull(r, 0, 3) ? "?" : PQgetvalue(r, 0, 3));
	if (msg_ms > 0)
		l->last_msg_ms = msg_ms;
	if (age_ms >= 0)
		o->last_msg_age_s = (double)age_ms / 1000;
	else if (l->last_msg_ms > 0 && now_ms >= l->last_msg_ms)
		o->last_msg_age_s = (double)(now_ms - l->last_msg_ms) / 1000;
	o->receive_replay_bytes = pg_int(r, 0, 7, -1);
	o->replay_lag_s = pg_real(r, 0, 8, -1);
	o->replay_paused = pg_bool(r, 0, 9);
	if (pg_bool(r, 0, 0) && !privileged)
		return;		/* a row with NULLs: the receiver is unknown */
	if (pg_bool(r, 0, 0) && pg_receiving(r, age_ms)) {
		strlcpy_(o->receiver, "streaming", sizeof o->receiver);
		return;
	}
	strlcpy_(o->receiver, "disconnected", sizeof o->receiver);
	/* Nothing received waits for replay, but the upstream may have
	 * moved on: the lag is unknown, not 0. */
	if (o->receive_replay_bytes <= 0)
		o->replay_lag_s = -1;
}

static void
pg_server_reset(struct pg_server *o, const char *role, const char *version)
{
	strlcpy_(o->role, role, sizeof o->role);
	strlcpy_(o->version, version, sizeof o->version);
	o->receiver[0] = o->upstream[0] = o->error[0] = '\0';
	o->receive_replay_bytes = -1;
	o->replay_lag_s = -1;
	o->last_msg_age_s = -1;
	o->replay_paused = 0;
}

void
postgres_sql_down(const struct pg_link *l, struct pg_server *o,
    const char *why)
{
	pg_server_reset(o, "down", l->version);
	strlcpy_(o->error, why, sizeof o->error);
}

int
postgres_sql_server(struct pg_link *l, struct pg_server *o,
    struct error *err)
{
	PGresult	*r;
	int		 v = PQserverVersion(l->conn), lost, standby, priv;

	pg_server_reset(o, "down", l->version);
	if (v < PG_MIN_VERSION) {
		snprintf(o->error, sizeof o->error, "PostgreSQL %s is not "
		    "supported (10 or later)", l->version);
		return (0);
	}
	if ((r = pg_query(l, sql_status, &lost, err)) == NULL) {
		strlcpy_(o->error, err->msg, sizeof o->error);
		return (lost ? -1 : 0);
	}
	standby = pg_bool(r, 0, 0);
	priv = l->privileged = pg_bool(r, 0, 1);
	strlcpy_(o->role, standby ? "standby" : "primary", sizeof o->role);
	if (!priv)
		snprintf(o->error, sizeof o->error, "permission denied: grant "
		    "pg_monitor to %s to see replication details",
		    pg_text(r, 0, 2) != NULL ? pg_text(r, 0, 2) : "the user");
	PQclear(r);
	if (!standby)
		return (0);
	if ((r = pg_query(l, pg_standby_sql(v), &lost, err)) == NULL) {
		strlcpy_(o->error, err->msg, sizeof o->error);
		return (lost ? -1 : 0);
	}
	pg_read_standby(l, r, priv, o);
	PQclear(r);
	return (0);
}

/* The primary ------------------------------------------------------------ */

static void
pg_read_standby_row(const PGresult *r, int i, struct standby *sb)
{
	pg_copy(sb->name, sizeof sb->name, r, i, 0);
	pg_copy(sb->client, sizeof sb->client, r, i, 1);
	pg_copy(sb->state, sizeof sb->state, r, i, 2);
	pg_copy(sb->sync_state, sizeof sb->sync_state, r, i, 3);
	sb->pending_bytes = pg_int(r, i, 4, -1);
	sb->write_bytes = pg_int(r, i, 5, -1);
	sb->flush_bytes = pg_int(r, i, 6, -1);
	sb->replay_bytes = pg_int(r, i, 7, -1);
	sb->total_bytes = pg_int(r, i, 8, -1);
	sb->write_lag_s = pg_real(r, i, 9, -1);
	sb->flush_lag_s = pg_real(r, i, 10, -1);
	sb->replay_lag_s = pg_real(r, i, 11, -1);
	sb->reply_ms = pg_int(r, i, 12, 0);
	/* The lags go NULL a while after a standby caught up with an idle
	 * primary: caught up and streaming is a lag of 0, not unknown. */
	if (strcmp(sb->state, "streaming") == 0 && sb->total_bytes == 0) {
		if (sb->write_lag_s < 0)
			sb->write_lag_s = 0;
		if (sb->flush_lag_s < 0)
			sb->flush_lag_s = 0;
		if (sb->replay_lag_s < 0)
			sb->replay_lag_s = 0;
	}
}

static void
pg_read_slot_row(const PGresult *r, int i, struct repl_slot *sl)
{
	pg_copy(sl->name, sizeof sl->name, r, i, 0);
	pg_copy(sl->type, sizeof sl->type, r, i, 1);
	sl->active = pg_bool(r, i, 2);
	sl->retained_bytes = pg_int(r, i, 3, 0);
	pg_copy(sl->wal_status, sizeof sl->wal_status, r, i, 4);
	sl->safe_wal_size = pg_int(r, i, 5, -1);
}

static int
pg_read_standbys(struct pg_link *l, int v, struct repl_data *d,
    struct error *err)
{
	PGresult	*r;
	int		 i, lost;

	r = pg_query(l, v >= 120000 ? SQL_REPLICATION(REPLY_12) :
	    SQL_REPLICATION(REPLY_10), &lost, err);
	if (r == NULL)
		return (-1);
	d->nstandbys = PQntuples(r);
	d->standbys = xcalloc((size_t)d->nstandbys + 1, sizeof *d->standbys);
	for (i = 0; i < d->nstandbys; i++)
		pg_read_standby_row(r, i, &d->standbys[i]);
	PQclear(r);
	return (0);
}

static int
pg_read_slots(struct pg_link *l, int v, struct repl_data *d,
    struct error *err)
{
	PGresult	*r;
	int		 i, lost;

	r = pg_query(l, v >= 130000 ? SQL_SLOTS(STATUS_13) :
	    SQL_SLOTS(STATUS_10), &lost, err);
	if (r == NULL)
		return (-1);
	d->nslots = PQntuples(r);
	d->slots = xcalloc((size_t)d->nslots + 1, sizeof *d->slots);
	for (i = 0; i < d->nslots; i++)
		pg_read_slot_row(r, i, &d->slots[i]);
	PQclear(r);
	return (0);
}

int
postgres_sql_primary(struct pg_link *l, struct repl_data *d,
    struct error *err)
{
	int	v = PQserverVersion(l->conn);

	/* Without the rights the rows hold only NULLs: leave them out
	 * (the server's row says why); slots are readable by anyone. */
	if (l->privileged && pg_read_standbys(l, v, d, err) != 0)
		return (-1);
	return (pg_read_slots(l, v, d, err));
}
