/* test_panels.c: the five data panels turn hand-built snapshots into the
 * rows, order, cell texts and title summaries an on-call engineer reads. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "panel.h"
#include "snapshot.h"
#include "util.h"
#include "xmalloc.h"

extern const struct panel_class replication_panel;
extern const struct panel_class outbox_panel;
extern const struct panel_class circuits_panel;
extern const struct panel_class alerts_panel;

#define NOW	((int64_t)1790000000000)	/* the snapshots' fetched_ms */
#define GIB	((int64_t)1 << 30)

/* Helpers ---------------------------------------------------------------- */

/* A panel showing snap (the panel takes its own reference). */
static struct panel *
show(const struct panel_class *cls, struct snapshot *snap)
{
	struct panel	*p = panel_new(cls);

	p->snap = snapshot_ref(snap);
	p->cls->update(p, snap);
	return (p);
}

/* Replace the panel's data, as panel_refresh does. */
static void
reshow(struct panel *p, struct snapshot *snap)
{
	snapshot_unref(p->snap);
	p->snap = snapshot_ref(snap);
	p->cls->update(p, snap);
}

static int
col(const struct panel *p, const char *title)
{
	int	c;

	for (c = 0; c < table_ncols(p->table); c++)
		if (strcmp(table_col_title(p->table, c), title) == 0)
			return (c);
	fail_msg("no column %s", title);
	return (-1);
}

static const char *
cell(const struct panel *p, int row, const char *title)
{
	const char	*s = table_text(p->table, row, col(p, title));

	assert_non_null(s);
	return (s);
}

/* The visible row whose column title has text, or -1. */
static int
find(const struct panel *p, const char *title, const char *text)
{
	int	i;

	for (i = 0; i < table_rows(p->table); i++)
		if (strcmp(cell(p, i, title), text) == 0)
			return (i);
	return (-1);
}

static void
assert_summary(struct panel *p, const char *text, enum role want)
{
	char		buf[96];
	enum role	role;

	panel_summary(p, buf, sizeof buf, &role);
	assert_string_equal(buf, text);
	assert_int_equal(role, want);
}

static void
assert_column(const struct panel *p, const char *title, const char *const *want,
    int n)
{
	int	i;

	assert_int_equal(table_rows(p->table), n);
	for (i = 0; i < n; i++)
		assert_string_equal(cell(p, i, title), want[i]);
}

static void
done(struct panel *p, struct snapshot *snap)
{
	panel_free(p);
	snapshot_unref(snap);
}

/* Registry --------------------------------------------------------------- */

static void
test_registry_order(void **state)
{
	static const char *const names[] = { "pods", "replication", "outbox",
	    "circuits", "alerts", "redis" };
	int	i;

	for (i = 0; i < 6; i++) {
		const struct panel_class *c = panel_registry[i];

		assert_non_null(c);
		assert_string_equal(c->name, names[i]);
		assert_int_equal(c->kind, i);
		assert_non_null(c->help);
		assert_non_null(c->summary);
	}
	assert_null(panel_registry[6]);
}

/* Replication ------------------------------------------------------------ */

static void
standby(struct standby *sb, const char *name, const char *state, double lag,
    int64_t replay)
{
	snprintf(sb->name, sizeof sb->name, "%s", name);
	snprintf(sb->client, sizeof sb->client, "10.0.0.%zu", strlen(name));
	snprintf(sb->state, sizeof sb->state, "%s", state);
	snprintf(sb->sync_state, sizeof sb->sync_state, "async");
	sb->replay_bytes = replay;
	sb->total_bytes = replay;
	sb->replay_lag_s = lag;
	sb->write_lag_s = sb->flush_lag_s = -1;
	sb->nhist = 3;
	sb->hist[0] = 0.5;
	sb->hist[1] = lag > 0 ? lag : 0;
	sb->hist[2] = lag > 0 ? lag : 0;
}

static void
slot(struct repl_slot *sl, const char *name, int active, int64_t retained,
    const char *wal_status)
{
	snprintf(sl->name, sizeof sl->name, "%s", name);
	snprintf(sl->type, sizeof sl->type, "physical");
	sl->active = active;
	sl->retained_bytes = retained;
	snprintf(sl->wal_status, sizeof sl->wal_status, "%s", wal_status);
	sl->safe_wal_size = -1;
}

static struct snapshot *
repl_snap(const char *role, int nstandbys, int nslots)
{
	struct snapshot	*s = snapshot_new(SNAP_REPLICATION);
	struct repl_data *d = &s->u.repl;

	s->fetched_ms = NOW;
	snprintf(d->server, sizeof d->server, "pg-primary");
	snprintf(d->role, sizeof d->role, "%s", role);
	d->nstandbys = nstandbys;
	d->standbys = xcalloc(nstandbys ? nstandbys : 1, sizeof *d->standbys);
	d->nslots = nslots;
	d->slots = xcalloc(nslots ? nslots : 1, sizeof *d->slots);
	return (s);
}

/* The troubled world: every kind of standby and slot problem. */
static struct snapshot *
repl_troubled(void)
{
	struct snapshot	 *s = repl_snap("primary", 4, 3);
	struct repl_data *d = &s->u.repl;

	standby(&d->standbys[0], "pg-ok", "streaming", 1.2, 512);
	standby(&d->standbys[1], "pg-gone", "disconnected", -1, -1);
	standby(&d->standbys[2], "pg-slow", "streaming", 45, 2048);
	standby(&d->standbys[3], "pg-late", "streaming", 400, 10 << 20);
	slot(&d->slots[0], "s_fine", 1, 10 << 20, "reserved");
	slot(&d->slots[1], "s_stale", 0, 2 * GIB, "reserved");
	slot(&d->slots[2], "s_lost", 0, 0, "lost");
	return (s);
}

static void
test_replication_problems_first(void **state)
{
	static const char *const order[] = { "pg-gone", "pg-late",
	    "slot s_lost", "pg-slow", "slot s_stale", "pg-ok", "slot s_fine" };
	struct snapshot	*s = repl_troubled();
	struct panel	*p = show(&replication_panel, s);

	assert_column(p, "NAME", order, 7);
	assert_string_equal(table_selected(p->table), "pg-gone");
	assert_string_equal(cell(p, 0, "STATE"), "disconnected");
	assert_string_equal(cell(p, 0, "REPLAY LAG"), "-");
	assert_string_equal(cell(p, 0, "REPLAY"), "-");
	assert_string_equal(cell(p, 1, "REPLAY LAG"), "6m40s");
	assert_string_equal(cell(p, 3, "REPLAY LAG"), "45s");
	assert_string_equal(cell(p, 5, "REPLAY LAG"), "1.2s");
	assert_string_equal(cell(p, 5, "REPLAY"), "512 B");
	assert_string_equal(cell(p, 5, "CLIENT"), "10.0.0.5");
	assert_int_equal(table_rank_count(p->table, 2), 3);
	assert_int_equal(table_rank_count(p->table, 1), 2);
	assert_int_equal(table_rank_count(p->table, 0), 2);
	assert_summary(p, "primary pg-primary, worst lag 6m40s, 1 not "
	    "streaming, 2 slots at risk", ROLE_CRIT);
	done(p, s);
}

static void
test_replication_slot_rows(void **state)
{
	struct snapshot	*s = repl_troubled();
	struct panel	*p = show(&replication_panel, s);
	int		 i = find(p, "NAME", "slot s_stale");

	assert_true(i >= 0);
	assert_string_equal(cell(p, i, "CLIENT"), "physical");
	assert_string_equal(cell(p, i, "STATE"), "inactive");
	assert_string_equal(cell(p, i, "SYNC"), "reserved");
	assert_string_equal(cell(p, i, "TOTAL"), "2.0 GiB");
	assert_string_equal(cell(p, i, "REPLAY LAG"), "");
	i = find(p, "NAME", "slot s_fine");
	assert_string_equal(cell(p, i, "STATE"), "active");
	assert_string_equal(cell(p, i, "TOTAL"), "10 MiB");
	/* Slot keys are "slot/NAME". */
	table_set_filter(p->table, "slot/s_lost");
	assert_int_equal(table_rows(p->table), 1);
	assert_string_equal(table_selected(p->table), "slot/s_lost");
	done(p, s);
}

static void
test_replication_extended_slot_warns(void **state)
{
	struct snapshot	*s = repl_snap("primary", 1, 2);
	struct panel	*p;

	standby(&s->u.repl.standbys[0], "pg-a", "streaming", 0.3, 0);
	slot(&s->u.repl.slots[0], "s_ext", 1, 100, "extended");
	slot(&s->u.repl.slots[1], "s_unres", 1, 100, "unreserved");
	p = show(&replication_panel, s);
	assert_string_equal(cell(p, 0, "NAME"), "slot s_unres");
	assert_string_equal(cell(p, 1, "NAME"), "slot s_ext");
	assert_string_equal(cell(p, 2, "NAME"), "pg-a");
	assert_int_equal(table_rank_count(p->table, 2), 1);
	assert_int_equal(table_rank_count(p->table, 1), 1);
	done(p, s);
}

static void
test_replication_summaries(void **state)
{
	struct snapshot	*s = repl_snap("primary", 2, 0);
	struct panel	*p;

	standby(&s->u.repl.standbys[0], "pg-a", "streaming", 1.2, 0);
	standby(&s->u.repl.standbys[1], "pg-b", "streaming", 0.4, 0);
	p = show(&replication_panel, s);
	assert_summary(p, "primary pg-primary, worst lag 1.2s", ROLE_OK);
	snapshot_unref(s);

	s = repl_snap("primary", 1, 0);
	standby(&s->u.repl.standbys[0], "pg-a", "streaming", 31, 0);
	reshow(p, s);
	assert_summary(p, "primary pg-primary, worst lag 31s", ROLE_WARN);
	snapshot_unref(s);

	s = repl_snap("down", 0, 0);
	reshow(p, s);
	assert_summary(p, "PRIMARY DOWN", ROLE_CRIT);
	snapshot_unref(s);

	s = repl_snap("standby", 0, 0);
	reshow(p, s);
	assert_summary(p, "standby (in recovery)", ROLE_WARN);
	done(p, s);
}

static void
test_replication_no_standbys(void **state)
{
	struct snapshot	*s = repl_snap("primary", 0, 0);
	struct panel	*p = show(&replication_panel, s);

	assert_int_equal(table_rows(p->table), 0);
	assert_int_equal(table_rows_total(p->table), 0);
	assert_null(table_selected(p->table));
	assert_summary(p, "no standbys connected", ROLE_CRIT);
	done(p, s);
}

static void
test_replication_sort_numeric(void **state)
{
	static const char *const asc[] = { "-", "512 B", "2.0 KiB", "10 MiB" };
	static const char *const desc[] = { "10 MiB", "2.0 KiB", "512 B", "-" };
	struct snapshot	*s = repl_snap("primary", 4, 0);
	struct panel	*p;

	standby(&s->u.repl.standbys[0], "pg-a", "streaming", 1, 10 << 20);
	standby(&s->u.repl.standbys[1], "pg-b", "streaming", 1, 512);
	standby(&s->u.repl.standbys[2], "pg-c", "streaming", 1, 2048);
	standby(&s->u.repl.standbys[3], "pg-d", "streaming", 1, -1);
	p = show(&replication_panel, s);
	table_set_sort(p->table, col(p, "REPLAY"), 0);
	assert_column(p, "REPLAY", asc, 4);
	table_set_sort(p->table, col(p, "REPLAY"), 1);
	assert_column(p, "REPLAY", desc, 4);
	done(p, s);
}

static void
test_replication_selection_survives_update(void **state)
{
	struct snapshot	*s = repl_troubled();
	struct panel	*p = show(&replication_panel, s);

	assert_int_equal(table_key(p->table, 'j', 10), 1);
	assert_int_equal(table_key(p->table, 'j', 10), 1);
	assert_string_equal(table_selected(p->table), "slot/s_lost");
	/* The standby recovers: the rows move, the selection stays. */
	snprintf(s->u.repl.standbys[1].state, 32, "streaming");
	s->u.repl.standbys[1].replay_lag_s = 0.1;
	reshow(p, s);
	assert_string_equal(table_selected(p->table), "slot/s_lost");
	assert_string_equal(cell(p, table_selected_index(p->table), "NAME"),
	    "slot s_lost");
	assert_int_equal(table_selected_index(p->table), 1);
	done(p, s);
}

/* A configured server as it sees itself. */
static struct pg_server *
server(struct repl_data *d, const char *name, const char *role,
    const char *receiver, double lag, int64_t bytes)
{
	struct pg_server	*sv;

	d->servers = xreallocarray(d->servers, (size_t)d->nservers + 1,
	    sizeof *d->servers);
	sv = &d->servers[d->nservers++];
	memset(sv, 0, sizeof *sv);
	snprintf(sv->name, sizeof sv->name, "%s", name);
	snprintf(sv->role, sizeof sv->role, "%s", role);
	snprintf(sv->version, sizeof sv->version, "16.4");
	snprintf(sv->receiver, sizeof sv->receiver, "%s", receiver);
	if (strcmp(role, "standby") == 0)
		snprintf(sv->upstream, sizeof sv->upstream, "10.0.0.1:5432");
	sv->replay_lag_s = lag;
	sv->receive_replay_bytes = bytes;
	sv->last_msg_age_s = strcmp(receiver, "streaming") == 0 ? 0.5 : -1;
	return (sv);
}

static void
test_replication_server_rows(void **state)
{
	static const char *const order[] = { "pg-c", "pg-d", "pg-e",
	    "pg-a", "pg-b", "pg-b" };
	struct snapshot		*s = repl_snap("primary", 1, 0);
	struct repl_data	*d = &s->u.repl;
	struct panel		*p;
	struct pg_server	*sv;
	int			 i;

	server(d, "pg-a", "primary", "", -1, -1);
	server(d, "pg-b", "standby", "streaming", 0, 0);
	sv = server(d, "pg-c", "standby", "disconnected", -1, 0);
	sv->last_msg_age_s = 45;
	sv = server(d, "pg-d", "down", "", -1, -1);
	snprintf(sv->error, sizeof sv->error, "connection refused");
	sv = server(d, "pg-e", "standby", "streaming", 12, 3 << 20);
	sv->replay_paused = 1;
	standby(&d->standbys[0], "pg-b", "streaming", 0.2, 0);
	p = show(&replication_panel, s);
	assert_column(p, "NAME", order, 6);
	assert_string_equal(table_selected(p->table), "server/pg-c");
	assert_string_equal(cell(p, 0, "STATE"), "standby DISCONNECTED 45s");
	assert_string_equal(cell(p, 0, "REPLAY LAG"), "-");
	assert_string_equal(cell(p, 1, "STATE"), "down: connection refused");
	assert_string_equal(cell(p, 1, "CLIENT"), "16.4");
	assert_string_equal(cell(p, 1, "REPLAY LAG"), "");
	assert_string_equal(cell(p, 2, "STATE"),
	    "standby streaming, replay paused");
	assert_string_equal(cell(p, 2, "REPLAY LAG"), "12s");
	assert_string_equal(cell(p, 2, "TOTAL"), "3.0 MiB");
	assert_string_equal(cell(p, 3, "STATE"), "primary");
	assert_string_equal(cell(p, 3, "CLIENT"), "16.4");
	assert_string_equal(cell(p, 4, "STATE"), "standby streaming");
	assert_string_equal(cell(p, 4, "CLIENT"), "10.0.0.1:5432");
	assert_string_equal(cell(p, 4, "REPLAY LAG"), "0.0s");
	assert_string_equal(cell(p, 5, "STATE"), "streaming");
	assert_int_equal(table_rank_count(p->table, 2), 2);
	assert_int_equal(table_rank_count(p->table, 1), 1);
	/* Server keys are "server/NAME", apart from the standby rows. */
	table_set_filter(p->table, "server/pg-b");
	assert_int_equal(table_rows(p->table), 1);
	i = table_selected_index(p->table);
	assert_string_equal(cell(p, i, "STATE"), "standby streaming");
	assert_summary(p, "primary pg-primary, worst lag 12s, pg-d down, "
	    "pg-c disconnected, pg-e replay paused", ROLE_CRIT);
	done(p, s);
}

static void
test_replication_server_summaries(void **state)
{
	struct snapshot		*s = repl_snap("primary", 1, 0);
	struct repl_data	*d = &s->u.repl;
	struct panel		*p;
	struct pg_server	*sv;

	server(d, "pg-primary", "primary", "", -1, -1);
	server(d, "pg-b", "standby", "streaming", 1.2, 100);
	standby(&d->standbys[0], "pg-b", "streaming", 0.4, 0);
	p = show(&replication_panel, s);
	assert_summary(p, "primary pg-primary, worst lag 1.2s", ROLE_OK);
	snapshot_unref(s);

	/* The primary cannot read pg_stat_replication: it says why. */
	s = repl_snap("primary", 0, 0);
	d = &s->u.repl;
	sv = server(d, "pg-primary", "primary", "", -1, -1);
	snprintf(sv->error, sizeof sv->error, "permission denied: grant "
	    "pg_monitor to nomon");
	server(d, "pg-b", "standby", "", 0, 0);
	reshow(p, s);
	assert_summary(p, "primary pg-primary: permission denied: grant "
	    "pg_monitor to nomon", ROLE_WARN);
	snapshot_unref(s);

	/* Standby rows missing but a standby streams: no false alarm. */
	s = repl_snap("primary", 0, 0);
	d = &s->u.repl;
	server(d, "pg-primary", "primary", "", -1, -1);
	server(d, "pg-b", "standby", "streaming", 0, 0);
	reshow(p, s);
	assert_summary(p, "primary pg-primary, worst lag 0.0s", ROLE_OK);
	snapshot_unref(s);

	/* Its only standby is cut off. */
	s = repl_snap("primary", 0, 0);
	d = &s->u.repl;
	server(d, "pg-primary", "primary", "", -1, -1);
	server(d, "pg-b", "standby", "disconnected", -1, 0);
	reshow(p, s);
	assert_summary(p, "no standbys connected, pg-b disconnected",
	    ROLE_CRIT);
	snapshot_unref(s);

	/* Two primaries. */
	s = repl_snap("primary", 1, 0);
	d = &s->u.repl;
	standby(&d->standbys[0], "pg-c", "streaming", 0.1, 0);
	server(d, "pg-primary", "primary", "", -1, -1);
	sv = server(d, "pg-b", "primary", "", -1, -1);
	reshow(p, s);
	assert_summary(p, "primary pg-primary, worst lag 0.1s, 2 primaries",
	    ROLE_CRIT);
	assert_string_equal(cell(p, 0, "NAME"), "pg-primary");
	assert_string_equal(cell(p, 1, "NAME"), "pg-b");
	assert_int_equal(table_rank_count(p->table, 2), 2);
	snapshot_unref(s);

	/* Nobody is primary. */
	s = repl_snap("down", 0, 0);
	d = &s->u.repl;
	sv = server(d, "pg-primary", "down", "", -1, -1);
	snprintf(sv->error, sizeof sv->error, "timeout after 3s");
	server(d, "pg-b", "standby", "disconnected", -1, 0);
	reshow(p, s);
	assert_summary(p, "PRIMARY DOWN", ROLE_CRIT);
	assert_string_equal(cell(p, 0, "STATE"), "down: timeout after 3s");
	assert_string_equal(cell(p, 1, "STATE"), "standby DISCONNECTED");
	done(p, s);
}

/* Outbox ----------------------------------------------------------------- */

static void
outbox(struct outbox *o, const char *svc, int64_t pending, double oldest,
    int64_t failed)
{
	int	i;

	snprintf(o->service, sizeof o->service, "%s", svc);
	snprintf(o->database, sizeof o->database, "%s_db", svc);
	o->pending = pending;
	o->oldest_age_s = oldest;
	o->failed = failed;
	o->processed_1m = 60;
	o->processed_5m = 300;
	o->nhist = 10;
	for (i = 0; i < o->nhist; i++)
		o->hist[i] = (double)pending * i / 10;
}

static struct snapshot *
outbox_snap(int n)
{
	struct snapshot	*s = snapshot_new(SNAP_OUTBOX);

	s->fetched_ms = NOW;
	s->u.outbox.n = n;
	s->u.outbox.rows = xcalloc(n ? n : 1, sizeof *s->u.outbox.rows);
	return (s);
}

static void
test_outbox_ranks(void **state)
{
	static const char *const order[] = { "orders", "billing", "stock",
	    "mail", "users" };
	struct snapshot	*s = outbox_snap(5);
	struct outbox	*r = s->u.outbox.rows;
	struct panel	*p;

	outbox(&r[0], "users", 5, 2, 0);		/* ok */
	outbox(&r[1], "orders", 3, 10, 1);		/* crit: failed */
	outbox(&r[2], "stock", 1234, 20, 0);		/* warn: pending */
	outbox(&r[3], "mail", 4, 90, 0);		/* warn: oldest */
	outbox(&r[4], "billing", 9, 400, 0);		/* crit: oldest */
	p = show(&outbox_panel, s);
	assert_column(p, "SERVICE", order, 5);
	assert_int_equal(table_rank_count(p->table, 2), 2);
	assert_int_equal(table_rank_count(p->table, 1), 2);
	assert_string_equal(cell(p, 2, "PENDING"), "1.2k");
	assert_string_equal(cell(p, 1, "OLDEST"), "6m40s");
	assert_string_equal(cell(p, 0, "FAILED"), "1");
	assert_string_equal(cell(p, 0, "DATABASE"), "orders_db");
	assert_string_equal(cell(p, 0, "1M"), "60");
	assert_string_equal(cell(p, 0, "5M"), "300");
	assert_string_equal(table_selected(p->table), "orders/orders_db");
	assert_summary(p, "1.3k pending, oldest 6m40s, 1 failed", ROLE_CRIT);
	done(p, s);
}

static void
test_outbox_sort_and_filter(void **state)
{
	static const char *const asc[] = { "5", "9", "950", "1.2k" };
	struct snapshot	*s = outbox_snap(4);
	struct outbox	*r = s->u.outbox.rows;
	struct panel	*p;

	outbox(&r[0], "users", 950, 1, 0);
	outbox(&r[1], "orders", 5, 1, 0);
	outbox(&r[2], "stock", 1234, 1, 0);
	outbox(&r[3], "mail", 9, 1, 0);
	p = show(&outbox_panel, s);
	table_set_sort(p->table, col(p, "PENDING"), 0);
	assert_column(p, "PENDING", asc, 4);
	table_set_filter(p->table, "orders");
	assert_int_equal(table_rows(p->table), 1);
	assert_int_equal(table_rows_total(p->table), 4);
	assert_string_equal(cell(p, 0, "SERVICE"), "orders");
	table_set_filter(p->table, "");
	assert_int_equal(table_rows(p->table), 4);
	done(p, s);
}

static void
test_outbox_summaries(void **state)
{
	struct snapshot	*s = outbox_snap(2);
	struct panel	*p;

	outbox(&s->u.outbox.rows[0], "users", 3, 2.5, 0);
	outbox(&s->u.outbox.rows[1], "orders", 150, 1, 0);
	p = show(&outbox_panel, s);
	assert_summary(p, "153 pending, oldest 2.5s", ROLE_WARN);
	snapshot_unref(s);

	s = outbox_snap(1);
	outbox(&s->u.outbox.rows[0], "users", 0, 0, 0);
	reshow(p, s);
	assert_summary(p, "0 pending", ROLE_OK);
	assert_string_equal(cell(p, 0, "OLDEST"), "-");
	snapshot_unref(s);

	s = outbox_snap(0);
	reshow(p, s);
	assert_int_equal(table_rows(p->table), 0);
	assert_summary(p, "no outboxes", ROLE_MUTED);
	done(p, s);
}

/* An unreadable outbox is crit with its error after the database name and
 * "-" figures; unknown throughput (MassTransit) is "-", not "0". */
static void
test_outbox_errors_and_unknowns(void **state)
{
	struct snapshot	*s = outbox_snap(3);
	struct outbox	*r = s->u.outbox.rows;
	struct panel	*p;
	int		 i;

	outbox(&r[0], "users", 5, 2, 0);
	outbox(&r[1], "orders", 40, 30, 0);			/* MassTransit */
	r[1].processed_1m = r[1].processed_5m = -1;
	outbox(&r[2], "finance", 0, 0, 0);
	r[2].pending = r[2].failed = -1;
	r[2].processed_1m = r[2].processed_5m = -1;
	snprintf(r[2].error, sizeof r[2].error, "outbox[finance].table: "
	    "table public.\"OutboxMessages\" not found");
	p = show(&outbox_panel, s);
	assert_int_equal(table_rank_count(p->table, 2), 1);
	assert_string_equal(cell(p, 0, "SERVICE"), "finance");
	assert_string_equal(cell(p, 0, "DATABASE"), "finance_db: "
	    "outbox[finance].table: table public.\"OutboxMessages\" not found");
	assert_string_equal(cell(p, 0, "PENDING"), "-");
	assert_string_equal(cell(p, 0, "OLDEST"), "-");
	assert_string_equal(cell(p, 0, "FAILED"), "-");
	assert_string_equal(cell(p, 0, "1M"), "-");
	i = find(p, "SERVICE", "orders");
	assert_true(i > 0);
	assert_string_equal(cell(p, i, "PENDING"), "40");
	assert_string_equal(cell(p, i, "FAILED"), "0");
	assert_string_equal(cell(p, i, "1M"), "-");
	assert_string_equal(cell(p, i, "5M"), "-");
	assert_string_equal(cell(p, find(p, "SERVICE", "users"), "1M"), "60");
	assert_summary(p, "45 pending, oldest 30s, 1 unreadable", ROLE_CRIT);
	/* Sorting by 1M puts the unknowns below every known count. */
	table_set_sort(p->table, col(p, "1M"), 1);
	assert_string_equal(cell(p, 0, "SERVICE"), "users");
	done(p, s);

	s = outbox_snap(1);
	r = s->u.outbox.rows;
	outbox(&r[0], "finance", 0, 0, 0);
	r[0].pending = -1;
	snprintf(r[0].error, sizeof r[0].error, "postgres erp: timeout");
	r[0].database[0] = '\0';
	p = show(&outbox_panel, s);
	assert_string_equal(cell(p, 0, "DATABASE"), "postgres erp: timeout");
	assert_summary(p, "0 pending, 1 unreadable", ROLE_CRIT);
	done(p, s);
}

/* Circuits --------------------------------------------------------------- */

static struct snapshot *
circuits_snap(int n)
{
	struct snapshot	*s = snapshot_new(SNAP_CIRCUITS);
	int		 i;

	s->fetched_ms = NOW;
	s->u.circuits.n = n;
	s->u.circuits.rows = xcalloc(n ? n : 1, sizeof *s->u.circuits.rows);
	for (i = 0; i < n; i++) {
		struct circuit	*c = &s->u.circuits.rows[i];

		snprintf(c->service, sizeof c->service, "gateway");
		snprintf(c->dependency, sizeof c->dependency, "svc-%02d", i);
		c->state = CIRCUIT_CLOSED;
		c->since_ms = NOW - (int64_t)(i + 1) * 60 * 1000;
		c->failure_ratio = 0;
		snprintf(c->health, sizeof c->health, "up");
	}
	return (s);
}

static void
test_circuits_counts(void **state)
{
	struct snapshot	*s = circuits_snap(12);
	struct circuit	*c = s->u.circuits.rows;
	struct panel	*p;

	c[3].state = CIRCUIT_OPEN;
	c[3].failure_ratio = 0.37;
	snprintf(c[3].health, sizeof c[3].health, "down");
	c[7].state = CIRCUIT_OPEN;
	c[9].state = CIRCUIT_OPEN;
	c[5].state = CIRCUIT_HALF_OPEN;
	snprintf(c[5].health, sizeof c[5].health, "degraded");
	c[0].failure_ratio = -1;
	c[1].health[0] = '\0';
	p = show(&circuits_panel, s);
	assert_summary(p, "3 open, 1 half-open of 12", ROLE_CRIT);
	assert_string_equal(cell(p, 0, "DEPENDENCY"), "svc-03");
	assert_string_equal(cell(p, 0, "STATE"), "open");
	assert_string_equal(cell(p, 0, "FAILURES"), "37%");
	assert_string_equal(cell(p, 0, "HEALTH"), "down");
	assert_string_equal(cell(p, 0, "SINCE"), "4m");
	assert_string_equal(cell(p, 1, "DEPENDENCY"), "svc-07");
	assert_string_equal(cell(p, 2, "DEPENDENCY"), "svc-09");
	assert_string_equal(cell(p, 3, "STATE"), "half-open");
	assert_string_equal(cell(p, 4, "DEPENDENCY"), "svc-00");
	assert_string_equal(cell(p, 4, "FAILURES"), "-");
	assert_string_equal(cell(p, 5, "HEALTH"), "");
	assert_string_equal(table_selected(p->table), "gateway/svc-03");
	done(p, s);
}

static void
test_circuits_summaries(void **state)
{
	struct snapshot	*s = circuits_snap(12);
	struct panel	*p = show(&circuits_panel, s);

	assert_summary(p, "all 12 closed", ROLE_OK);
	assert_int_equal(table_rank_count(p->table, 0), 12);
	snapshot_unref(s);

	s = circuits_snap(4);
	s->u.circuits.rows[2].state = CIRCUIT_HALF_OPEN;
	reshow(p, s);
	assert_summary(p, "1 half-open of 4", ROLE_WARN);
	snapshot_unref(s);

	/* A closed circuit to a down dependency is a warning, first. */
	s = circuits_snap(4);
	snprintf(s->u.circuits.rows[2].health, 16, "down");
	reshow(p, s);
	assert_summary(p, "all 4 closed, 1 unhealthy", ROLE_WARN);
	assert_string_equal(cell(p, 0, "DEPENDENCY"), "svc-02");
	snapshot_unref(s);

	s = circuits_snap(0);
	reshow(p, s);
	assert_summary(p, "no circuits", ROLE_MUTED);
	done(p, s);
}

static void
test_circuits_sort_since(void **state)
{
	static const char *const asc[] = { "-", "60s", "2m", "3m" };
	static const char *const desc[] = { "3m", "2m", "60s", "-" };
	struct snapshot	*s = circuits_snap(4);
	struct panel	*p;

	s->u.circuits.rows[3].since_ms = 0;
	p = show(&circuits_panel, s);
	table_set_sort(p->table, col(p, "SINCE"), 0);
	assert_column(p, "SINCE", asc, 4);
	table_set_sort(p->table, col(p, "SINCE"), 1);
	assert_column(p, "SINCE", desc, 4);
	table_set_sort(p->table, -1, 0);
	assert_string_equal(cell(p, 0, "DEPENDENCY"), "svc-00");
	done(p, s);
}

/* Alerts ----------------------------------------------------------------- */

static void
alert(struct alert *a, const char *name, const char *sev, int ago_min,
    enum alert_state st)
{
	snprintf(a->name, sizeof a->name, "%s", name);
	snprintf(a->severity, sizeof a->severity, "%s", sev);
	snprintf(a->labels, sizeof a->labels, "namespace=erp pod=%s-1", name);
	snprintf(a->summary, sizeof a->summary, "%s is firing", name);
	snprintf(a->runbook_url, sizeof a->runbook_url,
	    "https://runbooks.chiroerp.com/%s", name);
	alert_runbook_name(a->runbook_url, a->runbook, sizeof a->runbook);
	snprintf(a->fingerprint, sizeof a->fingerprint, "fp%s", name);
	a->starts_ms = NOW - (int64_t)ago_min * 60 * 1000;
	a->state = st;
}

static struct snapshot *
alerts_snap(int n)
{
	struct snapshot	*s = snapshot_new(SNAP_ALERTS);

	s->fetched_ms = NOW;
	s->u.alerts.n = n;
	s->u.alerts.rows = xcalloc(n ? n : 1, sizeof *s->u.alerts.rows);
	return (s);
}

static void
test_alerts_grouped(void **state)
{
	static const char *const order[] = { "CritNew", "CritOld", "WarnOld",
	    "InfoOne", "CritSilenced", "WarnInhibited" };
	struct snapshot	*s = alerts_snap(6);
	struct alert	*a = s->u.alerts.rows;
	struct panel	*p;

	alert(&a[0], "WarnOld", "warning", 50, ALERT_ACTIVE);
	alert(&a[1], "CritOld", "critical", 30, ALERT_ACTIVE);
	alert(&a[2], "CritSilenced", "critical", 1, ALERT_SILENCED);
	alert(&a[3], "CritNew", "critical", 5, ALERT_ACTIVE);
	alert(&a[4], "InfoOne", "info", 2, ALERT_ACTIVE);
	alert(&a[5], "WarnInhibited", "warning", 3, ALERT_INHIBITED);
	p = show(&alerts_panel, s);
	assert_column(p, "ALERTNAME", order, 6);
	assert_int_equal(table_rank_count(p->table, 2), 2);
	assert_int_equal(table_rank_count(p->table, 1), 1);
	assert_int_equal(table_rank_count(p->table, 0), 3);
	assert_string_equal(cell(p, 0, "SEV"), "critical");
	assert_string_equal(cell(p, 0, "SINCE"), "5m");
	assert_string_equal(cell(p, 0, "STATE"), "active");
	assert_string_equal(cell(p, 0, "LABELS"), "namespace=erp pod=CritNew-1");
	assert_string_equal(cell(p, 0, "SUMMARY"), "CritNew is firing");
	assert_string_equal(cell(p, 4, "STATE"), "silenced");
	assert_string_equal(cell(p, 5, "STATE"), "inhibited");
	assert_string_equal(table_selected(p->table), "CritNew/fpCritNew");
	assert_summary(p, "2 critical, 1 warning, 1 silenced, 1 inhibited",
	    ROLE_CRIT);
	done(p, s);
}

static void
test_alerts_runbook_names(void **state)
{
	static const char *const urls[] = {
		"https://runbooks.chiroerp.com/pod-crash-loop",
		"https://wiki/x/replica-mismatch/",
		"https://git/runbooks/pvc-filling-up.md?plain=1#steps",
		"",
	};
	static const char *const names[] = { "pod-crash-loop",
	    "replica-mismatch", "pvc-filling-up", "" };
	struct snapshot	*s = alerts_snap(4);
	struct panel	*p;
	int		 i;

	for (i = 0; i < 4; i++) {
		alert(&s->u.alerts.rows[i], "A", "warning", 10 - i,
		    ALERT_ACTIVE);
		snprintf(s->u.alerts.rows[i].fingerprint, 32, "f%d", i);
		snprintf(s->u.alerts.rows[i].runbook_url, 160, "%s", urls[i]);
		alert_runbook_name(urls[i], s->u.alerts.rows[i].runbook,
		    sizeof s->u.alerts.rows[i].runbook);
	}
	p = show(&alerts_panel, s);
	/* Newest first: rows[3] is the newest. */
	for (i = 0; i < 4; i++)
		assert_string_equal(cell(p, 3 - i, "RUNBOOK"), names[i]);
	done(p, s);
}

static void
test_alerts_summaries(void **state)
{
	struct snapshot	*s = alerts_snap(0);
	struct panel	*p = show(&alerts_panel, s);

	assert_int_equal(table_rows(p->table), 0);
	assert_summary(p, "no alerts firing", ROLE_OK);
	snapshot_unref(s);

	s = alerts_snap(2);
	alert(&s->u.alerts.rows[0], "W", "warning", 1, ALERT_ACTIVE);
	alert(&s->u.alerts.rows[1], "C", "critical", 1, ALERT_SILENCED);
	reshow(p, s);
	assert_summary(p, "1 warning, 1 silenced", ROLE_WARN);
	snapshot_unref(s);

	s = alerts_snap(1);
	alert(&s->u.alerts.rows[0], "C", "critical", 1, ALERT_SILENCED);
	reshow(p, s);
	assert_summary(p, "no alerts firing, 1 silenced", ROLE_OK);
	done(p, s);
}

static void
test_alerts_filter(void **state)
{
	struct snapshot	*s = alerts_snap(3);
	struct panel	*p;

	alert(&s->u.alerts.rows[0], "PodCrashLooping", "critical", 1,
	    ALERT_ACTIVE);
	alert(&s->u.alerts.rows[1], "HighMemoryUsage", "warning", 2,
	    ALERT_ACTIVE);
	alert(&s->u.alerts.rows[2], "PodNotReady", "warning", 3,
	    ALERT_ACTIVE);
	p = show(&alerts_panel, s);
	table_set_filter(p->table, "pod");
	assert_int_equal(table_rows(p->table), 3);	/* labels say pod= */
	table_set_filter(p->table, "crash");
	assert_int_equal(table_rows(p->table), 1);
	assert_string_equal(cell(p, 0, "ALERTNAME"), "PodCrashLooping");
	done(p, s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry_order),
		cmocka_unit_test(test_replication_problems_first),
		cmocka_unit_test(test_replication_slot_rows),
		cmocka_unit_test(test_replication_extended_slot_warns),
		cmocka_unit_test(test_replication_summaries),
		cmocka_unit_test(test_replication_no_standbys),
		cmocka_unit_test(test_replication_sort_numeric),
		cmocka_unit_test(test_replication_selection_survives_update),
		cmocka_unit_test(test_replication_server_rows),
		cmocka_unit_test(test_replication_server_summaries),
		cmocka_unit_test(test_outbox_ranks),
		cmocka_unit_test(test_outbox_sort_and_filter),
		cmocka_unit_test(test_outbox_summaries),
		cmocka_unit_test(test_outbox_errors_and_unknowns),
		cmocka_unit_test(test_circuits_counts),
		cmocka_unit_test(test_circuits_summaries),
		cmocka_unit_test(test_circuits_sort_since),
		cmocka_unit_test(test_alerts_grouped),
		cmocka_unit_test(test_alerts_runbook_names),
		cmocka_unit_test(test_alerts_summaries),
		cmocka_unit_test(test_alerts_filter),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
