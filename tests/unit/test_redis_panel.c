/* test_redis_panel.c: the Redis panel turns hand-built snapshots into the
 * rows, ranks, cell texts and title summary an on-call engineer reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "panel.h"
#include "snapshot.h"
#include "util.h"
#include "xmalloc.h"

extern const struct panel_class redis_panel;

#define NOW	((int64_t)1790000000000)
#define MIB	((int64_t)1 << 20)

/* Helpers ---------------------------------------------------------------- */

static struct snapshot *
snap_new(int n, int64_t at)
{
	struct snapshot	*s = snapshot_new(SNAP_REDIS);

	s->fetched_ms = at;
	s->u.redis.n = n;
	s->u.redis.nodes = xcalloc((size_t)n, sizeof *s->u.redis.nodes);
	return (s);
}

static struct redis_node *
master(struct snapshot *s, int i, const char *name)
{
	struct redis_node	*n = &s->u.redis.nodes[i];

	snprintf(n->name, sizeof n->name, "%s", name);
	snprintf(n->addr, sizeof n->addr, "10.0.0.%d:6379", i + 1);
	snprintf(n->role, sizeof n->role, "master");
	snprintf(n->version, sizeof n->version, "7.0.15");
	n->last_io_s = n->link_down_s = -1;
	n->used_memory = 12 * MIB;
	n->maxmemory = 64 * MIB;
	n->connected_clients = 7;
	n->rdb_ok = 1;
	n->aof_ok = 1;
	return (n);
}

static struct redis_node *
replica(struct snapshot *s, int i, const char *name, const char *link)
{
	struct redis_node	*n = master(s, i, name);

	snprintf(n->role, sizeof n->role, "slave");
	snprintf(n->link_status, sizeof n->link_status, "%s", link);
	snprintf(n->master, sizeof n->master, "10.0.0.1:6379");
	n->rdb_ok = -1;
	if (strcmp(link, "up") == 0)
		n->last_io_s = 1;
	else
		n->link_down_s = 45;
	return (n);
}

static void
add_replica(struct redis_node *m, const char *state, int64_t lag)
{
	struct redis_replica	*r = &m->replicas[m->nreplicas++];

	snprintf(r->addr, sizeof r->addr, "10.0.0.%d:6379", m->nreplicas + 1);
	snprintf(r->state, sizeof r->state, "%s", state);
	r->lag_bytes = lag;
	r->lag_s = 0;
}

static struct panel *
show(struct snapshot *snap)
{
	struct panel	*p = panel_new(&redis_panel);

	p->snap = snapshot_ref(snap);
	p->cls->update(p, snap);
	return (p);
}

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

static void
assert_summary(struct panel *p, const char *text, enum role want)
{
	char		buf[128];
	enum role	role;

	panel_summary(p, buf, sizeof buf, &role);
	assert_string_equal(buf, text);
	assert_int_equal(role, want);
}

static void
done(struct panel *p, struct snapshot *snap)
{
	panel_free(p);
	snapshot_unref(snap);
}

/* Tests ------------------------------------------------------------------ */

static void
test_class(void **state)
{
	assert_string_equal(redis_panel.name, "redis");
	assert_string_equal(redis_panel.title, "Redis");
	assert_int_equal(redis_panel.kind, SNAP_REDIS);
	assert_non_null(redis_panel.help);
	assert_non_null(redis_panel.summary);
}

static void
test_healthy_pair(void **state)
{
	struct snapshot		*s = snap_new(2, NOW);
	struct redis_node	*m = master(s, 0, "redis-primary");
	struct panel		*p;

	add_replica(m, "online", 512);
	replica(s, 1, "redis-replica", "up");
	p = show(s);
	assert_int_equal(table_rows(p->table), 2);
	assert_int_equal(table_rank_count(p->table, 0), 2);
	assert_string_equal(cell(p, 0, "NAME"), "redis-primary");
	assert_string_equal(cell(p, 0, "ADDR"), "10.0.0.1:6379");
	assert_string_equal(cell(p, 0, "ROLE"), "master");
	assert_string_equal(cell(p, 0, "LINK"), "-");
	assert_string_equal(cell(p, 0, "LAG"), "512 B");
	assert_string_equal(cell(p, 0, "MEMORY"), "12 MiB/64 MiB 18%");
	assert_string_equal(cell(p, 0, "EVICTED"), "0");
	assert_string_equal(cell(p, 0, "REJECTED"), "0");
	assert_string_equal(cell(p, 0, "CLIENTS"), "7");
	assert_string_equal(cell(p, 0, "PERSIST"), "rdb ok");
	assert_string_equal(cell(p, 1, "ROLE"), "replica");
	assert_string_equal(cell(p, 1, "LINK"), "up");
	assert_string_equal(cell(p, 1, "LAG"), "1s");
	assert_string_equal(cell(p, 1, "PERSIST"), "-");
	assert_summary(p, "master redis-primary, 1 replica up", ROLE_OK);
	done(p, s);
}

static void
test_link_down(void **state)
{
	struct snapshot		*s = snap_new(2, NOW);
	struct panel		*p;

	master(s, 0, "redis-primary");
	replica(s, 1, "redis-replica", "down");
	p = show(s);
	/* The broken replica ranks first. */
	assert_string_equal(cell(p, 0, "NAME"), "redis-replica");
	assert_string_equal(cell(p, 0, "LINK"), "DOWN 45s");
	assert_string_equal(cell(p, 0, "LAG"), "-");
	assert_int_equal(table_rank_count(p->table, 2), 1);
	assert_string_equal(cell(p, 1, "LAG"), "-");	/* no replicas */
	assert_summary(p, "replica link DOWN", ROLE_CRIT);
	done(p, s);
}

static void
test_primary_down(void **state)
{
	struct snapshot		*s = snap_new(2, NOW);
	struct redis_node	*m;
	struct panel		*p;

	m = &s->u.redis.nodes[0];
	snprintf(m->name, sizeof m->name, "redis-primary");
	snprintf(m->addr, sizeof m->addr, "127.0.0.1:6379");
	snprintf(m->error, sizeof m->error, "connection refused");
	replica(s, 1, "redis-replica", "down");
	p = show(s);
	assert_int_equal(table_rank_count(p->table, 2), 2);
	assert_string_equal(cell(p, 0, "NAME"), "redis-primary");
	assert_string_equal(cell(p, 0, "ROLE"), "down");
	assert_string_equal(cell(p, 0, "MEMORY"), "connection refused");
	assert_summary(p, "redis-primary down, replica link DOWN", ROLE_CRIT);
	/* Alone, the server's error is the summary. */
	snprintf(s->u.redis.nodes[1].link_status,
	    sizeof s->u.redis.nodes[1].link_status, "up");
	reshow(p, s);
	assert_summary(p, "redis-primary: connection refused", ROLE_CRIT);
	done(p, s);
}

static void
test_memory(void **state)
{
	struct snapshot		*s = snap_new(4, NOW);
	struct redis_node	*n;
	struct panel		*p;

	master(s, 0, "fine");
	n = master(s, 1, "warm");
	n->used_memory = 52 * MIB;		/* 81% */
	n = master(s, 2, "full");
	n->used_memory = 61 * MIB;		/* 95% */
	n = master(s, 3, "unbounded");
	n->maxmemory = 0;
	p = show(s);
	assert_string_equal(cell(p, 0, "NAME"), "full");
	assert_string_equal(cell(p, 0, "MEMORY"), "61 MiB/64 MiB 95%");
	assert_string_equal(cell(p, 1, "NAME"), "warm");
	assert_string_equal(cell(p, 1, "MEMORY"), "52 MiB/64 MiB 81%");
	assert_int_equal(table_rank_count(p->table, 2), 1);
	assert_int_equal(table_rank_count(p->table, 1), 1);
	assert_summary(p, "1 crit 1 warn of 4", ROLE_CRIT);
	/* MEMORY sorts by the percentage, not the text. */
	table_set_sort(p->table, col(p, "MEMORY"), 1);
	assert_string_equal(cell(p, 0, "NAME"), "full");
	assert_string_equal(cell(p, 1, "NAME"), "warm");
	assert_string_equal(cell(p, 2, "NAME"), "fine");
	assert_string_equal(cell(p, 3, "NAME"), "unbounded");
	assert_string_equal(cell(p, 3, "MEMORY"), "12 MiB");
	done(p, s);
}

static void
test_persistence(void **state)
{
	struct snapshot		*s = snap_new(4, NOW);
	struct redis_node	*n;
	struct panel		*p;
	int			 i;

	n = master(s, 0, "rdb-bad");
	n->rdb_ok = 0;
	n = master(s, 1, "aof-bad");
	n->aof_enabled = 1;
	n->aof_ok = 0;
	n = master(s, 2, "aof-good");
	n->aof_enabled = 1;
	n = master(s, 3, "loading");
	n->loading = 1;
	p = show(s);
	for (i = 0; i < 4; i++) {
		const char	*name = cell(p, i, "NAME");
		const char	*want = strcmp(name, "rdb-bad") == 0 ?
		    "rdb FAILED" : strcmp(name, "aof-bad") == 0 ?
		    "aof FAILED" : strcmp(name, "aof-good") == 0 ? "aof ok" :
		    "loading";

		assert_string_equal(cell(p, i, "PERSIST"), want);
	}
	assert_int_equal(table_rank_count(p->table, 2), 2);
	assert_int_equal(table_rank_count(p->table, 1), 1);
	assert_string_equal(cell(p, 2, "NAME"), "loading");
	done(p, s);
}

/* Counters rank a server while they grow, and for a while after. */
static void
test_counters_growing(void **state)
{
	struct snapshot		*s1 = snap_new(2, NOW), *s2, *s3;
	struct panel		*p;

	master(s1, 0, "a")->rejected_connections = 3;
	master(s1, 1, "b")->evicted_keys = 100;
	p = show(s1);
	/* The first sight is only a baseline. */
	assert_int_equal(table_rank_count(p->table, 0), 2);
	assert_summary(p, "2 nodes ok", ROLE_OK);

	s2 = snap_new(2, NOW + 2000);
	master(s2, 0, "a")->rejected_connections = 5;
	master(s2, 1, "b")->evicted_keys = 150;
	reshow(p, s2);
	assert_string_equal(cell(p, 0, "NAME"), "a");
	assert_string_equal(cell(p, 0, "REJECTED"), "5");
	assert_int_equal(table_rank_count(p->table, 2), 1);
	assert_int_equal(table_rank_count(p->table, 1), 1);
	assert_summary(p, "1 crit 1 warn of 2", ROLE_CRIT);

	/* Six minutes without growth: fine again. */
	s3 = snap_new(2, NOW + 362000);
	master(s3, 0, "a")->rejected_connections = 5;
	master(s3, 1, "b")->evicted_keys = 150;
	reshow(p, s3);
	assert_int_equal(table_rank_count(p->table, 0), 2);
	snapshot_unref(s1);
	snapshot_unref(s2);
	done(p, s3);
}

/* A restart resets the counters: a new baseline, not growth. */
static void
test_counter_reset(void **state)
{
	struct snapshot		*s1 = snap_new(1, NOW), *s2;
	struct panel		*p;

	master(s1, 0, "a")->rejected_connections = 50;
	p = show(s1);
	s2 = snap_new(1, NOW + 2000);
	master(s2, 0, "a")->rejected_connections = 0;
	reshow(p, s2);
	assert_int_equal(table_rank_count(p->table, 0), 1);
	assert_summary(p, "1 node ok", ROLE_OK);
	snapshot_unref(s1);
	done(p, s2);
}

static void
test_summaries(void **state)
{
	struct snapshot		*s = snap_new(0, NOW), *s2;
	struct redis_node	*n;
	struct panel		*p;

	p = show(s);
	assert_summary(p, "no servers", ROLE_MUTED);
	s2 = snap_new(3, NOW);
	n = &s2->u.redis.nodes[0];
	snprintf(n->name, sizeof n->name, "x");
	snprintf(n->error, sizeof n->error, "timeout after 2s");
	n = &s2->u.redis.nodes[1];
	snprintf(n->name, sizeof n->name, "y");
	snprintf(n->error, sizeof n->error, "connection refused");
	n = master(s2, 2, "z");
	n->used_memory = 55 * MIB;
	reshow(p, s2);
	assert_summary(p, "2 servers unreachable", ROLE_CRIT);
	snapshot_unref(s);
	done(p, s2);
}

static void
test_summary_warn_only(void **state)
{
	struct snapshot		*s = snap_new(2, NOW);
	struct redis_node	*m;
	struct panel		*p;

	m = master(s, 0, "redis-primary");
	m->used_memory = 55 * MIB;
	add_replica(m, "online", 0);
	add_replica(m, "wait_bgsave", 4096);
	replica(s, 1, "redis-replica", "up");
	p = show(s);
	assert_summary(p, "1 warn of 2", ROLE_WARN);
	assert_string_equal(cell(p, 0, "LAG"), "4.0 KiB");
	m->used_memory = 12 * MIB;
	reshow(p, s);
	assert_summary(p, "master redis-primary, 1 replica up", ROLE_OK);
	done(p, s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_class),
		cmocka_unit_test(test_healthy_pair),
		cmocka_unit_test(test_link_down),
		cmocka_unit_test(test_primary_down),
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_persistence),
		cmocka_unit_test(test_counters_growing),
		cmocka_unit_test(test_counter_reset),
		cmocka_unit_test(test_summaries),
		cmocka_unit_test(test_summary_warn_only),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
