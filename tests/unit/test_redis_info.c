/* test_redis_info.c: the INFO parser (backends/redis_info.c) on INFO text
 * captured from Redis 7.0 (trimmed), and on text that is not quite INFO. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "redis.h"

#define NOW_S	1795306500LL

/* A master with one replica, as the lab's primary answers (CRLF). */
static const char info_master[] =
    "# Server\r\n"
    "redis_version:7.0.15\r\n"
    "redis_mode:standalone\r\n"
    "os:Linux 6.18.44 x86_64\r\n"
    "tcp_port:31402\r\n"
    "server_time_usec:1795306433548449\r\n"
    "uptime_in_seconds:5\r\n"
    "executable:/usr/bin/redis-server\r\n"
    "\r\n"
    "# Clients\r\n"
    "connected_clients:7\r\n"
    "maxclients:10000\r\n"
    "\r\n"
    "# Memory\r\n"
    "used_memory:12582912\r\n"
    "used_memory_human:12.00M\r\n"
    "used_memory_peak_perc:100.24%\r\n"
    "maxmemory:67108864\r\n"
    "maxmemory_human:64.00M\r\n"
    "maxmemory_policy:noeviction\r\n"
    "\r\n"
    "# Persistence\r\n"
    "loading:0\r\n"
    "rdb_changes_since_last_save:42\r\n"
    "rdb_bgsave_in_progress:0\r\n"
    "rdb_last_save_time:1795306428\r\n"
    "rdb_last_bgsave_status:ok\r\n"
    "rdb_last_bgsave_time_sec:0\r\n"
    "aof_enabled:0\r\n"
    "aof_last_bgrewrite_status:ok\r\n"
    "aof_last_write_status:ok\r\n"
    "\r\n"
    "# Stats\r\n"
    "total_connections_received:2\r\n"
    "rejected_connections:3\r\n"
    "expired_keys:0\r\n"
    "evicted_keys:17\r\n"
    "slave_expires_tracked_keys:0\r\n"
    "\r\n"
    "# Replication\r\n"
    "role:master\r\n"
    "connected_slaves:2\r\n"
    "slave0:ip=127.0.0.1,port=31403,state=online,offset=1000,lag=0\r\n"
    "slave1:ip=::1,port=31404,state=wait_bgsave,offset=0,lag=12\r\n"
    "master_failover_state:no-failover\r\n"
    "master_replid:334b5bdf6efda2fa87a5e8ffbcbe991ca4eeecd7\r\n"
    "master_repl_offset:1500\r\n"
    "second_repl_offset:-1\r\n"
    "\r\n"
    "# CPU\r\n"
    "used_cpu_sys:0.005005\r\n"
    "\r\n"
    "# Errorstats\r\n"
    "errorstat_NOAUTH:count=1\r\n"
    "\r\n"
    "# Keyspace\r\n";

/* The lab's replica after its master was killed. */
static const char info_replica_down[] =
    "# Server\r\n"
    "redis_version:7.0.15\r\n"
    "server_time_usec:1795306442532632\r\n"
    "# Clients\r\n"
    "connected_clients:1\r\n"
    "# Memory\r\n"
    "used_memory:1009960\r\n"
    "maxmemory:0\r\n"
    "# Persistence\r\n"
    "loading:0\r\n"
    "rdb_changes_since_last_save:0\r\n"
    "rdb_last_save_time:1795306428\r\n"
    "rdb_last_bgsave_status:ok\r\n"
    "rdb_last_bgsave_time_sec:-1\r\n"
    "aof_enabled:0\r\n"
    "aof_last_write_status:ok\r\n"
    "# Stats\r\n"
    "rejected_connections:0\r\n"
    "evicted_keys:0\r\n"
    "# Replication\r\n"
    "role:slave\r\n"
    "master_host:127.0.0.1\r\n"
    "master_port:31402\r\n"
    "master_link_status:down\r\n"
    "master_last_io_seconds_ago:-1\r\n"
    "master_sync_in_progress:0\r\n"
    "slave_read_repl_offset:4242\r\n"
    "slave_repl_offset:4242\r\n"
    "master_link_down_since_seconds:7\r\n"
    "slave_priority:100\r\n"
    "connected_slaves:0\r\n"
    "master_repl_offset:4242\r\n";

static void
parse_ok(const char *text, struct redis_node *n)
{
	memset(n, 0, sizeof *n);
	assert_int_equal(redis_info_parse(text, n, NOW_S), 0);
}

static void
test_master(void **state)
{
	struct redis_node	n;

	parse_ok(info_master, &n);
	assert_string_equal(n.role, "master");
	assert_string_equal(n.version, "7.0.15");
	assert_string_equal(n.link_status, "");
	assert_string_equal(n.master, "");
	assert_int_equal(n.repl_offset, 1500);
	assert_int_equal(n.nreplicas, 2);
	assert_string_equal(n.replicas[0].addr, "127.0.0.1:31403");
	assert_string_equal(n.replicas[0].state, "online");
	assert_int_equal(n.replicas[0].lag_bytes, 500);
	assert_int_equal(n.replicas[0].lag_s, 0);
	assert_string_equal(n.replicas[1].addr, "[::1]:31404");
	assert_string_equal(n.replicas[1].state, "wait_bgsave");
	assert_int_equal(n.replicas[1].lag_bytes, 1500);
	assert_int_equal(n.replicas[1].lag_s, 12);
	assert_int_equal(n.used_memory, 12582912);
	assert_int_equal(n.maxmemory, 67108864);
	assert_int_equal(n.evicted_keys, 17);
	assert_int_equal(n.rejected_connections, 3);
	assert_int_equal(n.connected_clients, 7);
	assert_int_equal(n.rdb_ok, 1);
	assert_int_equal(n.rdb_changes, 42);
	/* Against the server's clock (server_time_usec), not NOW_S. */
	assert_int_equal(n.rdb_last_save_age_s, 1795306433 - 1795306428);
	assert_int_equal(n.aof_enabled, 0);
	assert_int_equal(n.aof_ok, 1);
	assert_int_equal(n.loading, 0);
	assert_int_equal(n.last_io_s, -1);
	assert_int_equal(n.link_down_s, -1);
}

static void
test_replica_link_down(void **state)
{
	struct redis_node	n;

	parse_ok(info_replica_down, &n);
	assert_string_equal(n.role, "slave");
	assert_string_equal(n.link_status, "down");
	assert_string_equal(n.master, "127.0.0.1:31402");
	assert_int_equal(n.last_io_s, -1);
	assert_int_equal(n.link_down_s, 7);
	assert_int_equal(n.repl_offset, 4242);
	assert_int_equal(n.nreplicas, 0);
	assert_int_equal(n.maxmemory, 0);
	/* No save has run: neither ok nor failed. */
	assert_int_equal(n.rdb_ok, -1);
}

static void
test_replica_up_lf(void **state)
{
	static const char text[] =
	    "# Replication\n"
	    "role:slave\n"
	    "master_host:10.0.0.1\n"
	    "master_port:6379\n"
	    "master_link_status:up\n"
	    "master_last_io_seconds_ago:1\n"
	    "slave_repl_offset:99\n"
	    "master_repl_offset:99";	/* no final newline */
	struct redis_node	n;

	parse_ok(text, &n);
	assert_string_equal(n.link_status, "up");
	assert_string_equal(n.master, "10.0.0.1:6379");
	assert_int_equal(n.last_io_s, 1);
	assert_int_equal(n.link_down_s, -1);
	assert_int_equal(n.repl_offset, 99);
}

/* Failed saves and writes, loading, AOF on. */
static void
test_persistence_failures(void **state)
{
	static const char text[] =
	    "role:master\r\n"
	    "loading:1\r\n"
	    "rdb_last_bgsave_status:err\r\n"
	    "rdb_last_bgsave_time_sec:3\r\n"
	    "aof_enabled:1\r\n"
	    "aof_last_write_status:err\r\n";
	struct redis_node	n;

	parse_ok(text, &n);
	assert_int_equal(n.rdb_ok, 0);
	assert_int_equal(n.aof_enabled, 1);
	assert_int_equal(n.aof_ok, 0);
	assert_int_equal(n.loading, 1);
}

/* Garbage lines are skipped, good ones around them still count. */
static void
test_garbage(void **state)
{
	static const char text[] =
	    "no colon at all\r\n"
	    ":value without a key\r\n"
	    "used_memory:12abc\r\n"
	    "maxmemory:\r\n"
	    "role:master\r\n"
	    "evicted_keys:-\r\n"
	    "rejected_connections:99999999999999999999999\r\n"
	    "slave0:garbage\r\n"
	    "slave1:ip=10.1.1.1\r\n"
	    "slaveX:ip=10.1.1.2,port=1\r\n"
	    "connected_clients:5\r\n"
	    "\r\n\r\n\n"
	    "averyveryveryveryveryveryveryveryveryveryveryveryvery"
	    "veryverylongkey:1\r\n"
	    "redis_version:7.0.15-but-much-too-long-for-the-field\r\n";
	struct redis_node	n;

	parse_ok(text, &n);
	assert_int_equal(n.used_memory, 0);
	assert_int_equal(n.maxmemory, 0);
	assert_int_equal(n.evicted_keys, 0);
	assert_int_equal(n.rejected_connections, 0);
	assert_int_equal(n.connected_clients, 5);
	/* slave0 had no ip=; slave1 has an ip but no offset: lag unknown. */
	assert_int_equal(n.nreplicas, 1);
	assert_string_equal(n.replicas[0].addr, "10.1.1.1:");
	assert_int_equal(n.replicas[0].lag_bytes, -1);
	assert_int_equal(n.replicas[0].lag_s, -1);
	assert_int_equal(strlen(n.version), sizeof n.version - 1);
}

/* A negative master offset (found by fuzzing, tests/fuzz/regress/
 * fuzz_redis_info/): no lag from it, and no signed overflow. */
static void
test_negative_master_offset(void **state)
{
	static const char text[] =
	    "role:master\r\n"
	    "master_repl_offset:-9223372036854775808\r\n"
	    "slave0:ip=10.0.0.2,port=6379,state=online,offset=1,lag=0\r\n";
	struct redis_node	n;

	parse_ok(text, &n);
	assert_int_equal(n.nreplicas, 1);
	assert_int_equal(n.replicas[0].lag_bytes, -1);
	assert_int_equal(n.replicas[0].lag_s, 0);
}

/* Too many replicas: the first REDIS_MAX_REPLICAS are kept. */
static void
test_many_replicas(void **state)
{
	char			 text[4096];
	struct redis_node	 n;
	size_t			 off;
	int			 i;

	off = (size_t)snprintf(text, sizeof text, "role:master\r\n");
	for (i = 0; i < REDIS_MAX_REPLICAS + 4; i++)
		off += (size_t)snprintf(text + off, sizeof text - off,
		    "slave%d:ip=10.0.0.%d,port=6379,state=online,offset=%d,"
		    "lag=1\r\n", i, i, i * 10);
	snprintf(text + off, sizeof text - off, "master_repl_offset:1000\r\n");
	parse_ok(text, &n);
	assert_int_equal(n.nreplicas, REDIS_MAX_REPLICAS);
	assert_int_equal(n.replicas[3].lag_bytes, 970);
}

/* Not INFO: -1; the name, address and error are never touched. */
static void
test_not_info(void **state)
{
	struct redis_node	n;

	memset(&n, 0, sizeof n);
	snprintf(n.name, sizeof n.name, "keep");
	snprintf(n.addr, sizeof n.addr, "h:1");
	assert_int_equal(redis_info_parse("", &n, NOW_S), -1);
	assert_int_equal(redis_info_parse("+OK\r\n", &n, NOW_S), -1);
	assert_int_equal(redis_info_parse("role:", &n, NOW_S), -1);
	assert_string_equal(n.name, "keep");
	assert_string_equal(n.addr, "h:1");
}

/* Missing fields keep their "unknown" values; ages use now_s without
 * server_time_usec. */
static void
test_missing_fields(void **state)
{
	struct redis_node	n;

	parse_ok("role:master\r\nrdb_last_save_time:1795306400\r\n", &n);
	assert_int_equal(n.last_io_s, -1);
	assert_int_equal(n.link_down_s, -1);
	assert_int_equal(n.rdb_ok, -1);
	assert_int_equal(n.aof_ok, 1);
	assert_int_equal(n.rdb_last_save_age_s, NOW_S - 1795306400);
	assert_int_equal(n.nreplicas, 0);
	/* A second parse resets what the first filled. */
	parse_ok(info_master, &n);
	parse_ok("role:slave\r\nmaster_link_status:up\r\n", &n);
	assert_int_equal(n.nreplicas, 0);
	assert_int_equal(n.used_memory, 0);
	assert_int_equal(n.rdb_last_save_age_s, -1);
	assert_string_equal(n.version, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_master),
		cmocka_unit_test(test_replica_link_down),
		cmocka_unit_test(test_replica_up_lf),
		cmocka_unit_test(test_persistence_failures),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_negative_master_offset),
		cmocka_unit_test(test_many_replicas),
		cmocka_unit_test(test_not_info),
		cmocka_unit_test(test_missing_fields),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
