/* itest_redis.c: the Redis source against real servers (tests/lab): roles,
 * replication, AUTH from a file and a variable, wrong and missing
 * passwords, a refused and a hung port, memory, connection reuse, and the
 * primary stopped (the replica's link goes down, the primary's row shows
 * why) and started again.  Run by tests/integration/redis.sh, which
 * starts the lab and exports its ports; the cases run in order and the
 * last ones stop and restart the primary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "config.h"
#include "redis.h"
#include "source.h"
#include "store.h"

#define MIB	((int64_t)1 << 20)

static int	 primary_port, replica_port, hang_port, full_port, refused_port;
static int	 orphan_port;
static char	 lab_dir[512], password[128];
static char	 pwfile[600], badfile[600], openfile[600];

/* Setup ------------------------------------------------------------------ */

static int
env_int(const char *name)
{
	const char	*v = getenv(name);

	if (v == NULL) {
		fprintf(stderr, "itest_redis: $%s is not set (run redis.sh)\n",
		    name);
		exit(1);
	}
	return (atoi(v));
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE	*f = fopen(path, "w");

	assert_non_null(f);
	fprintf(f, "%s\n", text);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static int
setup(void **state)
{
	const char	*v;

	primary_port = env_int("REDIS_PRIMARY_PORT");
	replica_port = env_int("REDIS_REPLICA_PORT");
	hang_port = env_int("HANG_PORT");
	full_port = env_int("FULL_PORT");
	orphan_port = env_int("ORPHAN_PORT");
	refused_port = env_int("REFUSED_PORT");
	snprintf(lab_dir, sizeof lab_dir, "%s", getenv("LAB_DIR"));
	v = getenv("REDIS_PASSWORD");
	snprintf(password, sizeof password, "%s", v != NULL ? v : "");
	snprintf(pwfile, sizeof pwfile, "%s/itest-redis.pass", lab_dir);
	snprintf(badfile, sizeof badfile, "%s/itest-redis.bad", lab_dir);
	snprintf(openfile, sizeof openfile, "%s/itest-redis.open", lab_dir);
	write_file(pwfile, password, 0600);
	write_file(badfile, "not-the-password", 0600);
	write_file(openfile, password, 0644);
	return (0);
}

/* Helpers ---------------------------------------------------------------- */

static struct cfg_redis
node(const char *name, int port, const char *pw_file)
{
	struct cfg_redis	r;

	memset(&r, 0, sizeof r);
	r.name = (char *)name;
	r.host = "127.0.0.1";
	r.port = port;
	r.password_file = (char *)pw_file;
	r.connect_timeout_ms = 2000;
	r.timeout_ms = 2000;
	return (r);
}

static struct source *
src_new(struct cfg_redis *r, int n)
{
	struct cfg_env	 env;
	struct source	*src;
	struct error	 err;

	memset(&env, 0, sizeof env);
	env.name = "itest";
	env.refresh_ms = 1000;
	env.redis = r;
	env.nredis = n;
	src = redis_source_new(&env, &err);
	assert_non_null(src);
	assert_string_equal(src->cls->name, "redis");
	assert_int_equal(src->kinds, 1u << SNAP_REDIS);
	assert_int_equal(src->interval_ms, 1000);
	src->store = store_new();
	assert_int_equal(src->cls->open(src, &err), 0);
	return (src);
}

static void
src_free(struct source *src)
{
	struct store	*store = src->store;

	src->cls->close(src);
	assert_int_equal(source_stop(src, 0), 0);	/* never started */
	store_free(store);
}

/* A fetch that must succeed: the new snapshot (caller unrefs). */
static struct snapshot *
fetch(struct source *src)
{
	struct error	 err;
	uint64_t	 gen = store_generation(src->store, SNAP_REDIS);
	struct snapshot	*snap;

	err.msg[0] = '\0';
	if (src->cls->fetch(src, &err) != 0)
		fail_msg("fetch failed: %s", err.msg);
	assert_true(store_generation(src->store, SNAP_REDIS) != gen);
	snap = store_get(src->store, SNAP_REDIS, NULL);
	assert_non_null(snap);
	assert_int_equal(snap->kind, SNAP_REDIS);
	return (snap);
}

/* A fetch that must fail: its error in err. */
static void
fetch_fails(struct source *src, struct error *err)
{
	err->msg[0] = '\0';
	assert_int_equal(src->cls->fetch(src, err), -1);
	assert_true(err->msg[0] != '\0');
}

/* One node alone: its row (copied out) after a fetch that may fail. */
static void
fetch_one(struct cfg_redis *r, struct redis_node *out, struct error *err)
{
	struct source	*src = src_new(r, 1);
	struct snapshot	*snap;

	err->msg[0] = '\0';
	if (src->cls->fetch(src, err) == 0) {
		snap = store_get(src->store, SNAP_REDIS, NULL);
		*out = snap->u.redis.nodes[0];
		snapshot_unref(snap);
	} else
		memset(out, 0, sizeof *out);
	src_free(src);
}

/* A command on the lab with its own connection; the reply's integer or
 * the length of its string. */
static redisReply *
lab_cmd(int port, const char *cmd, const char *arg, const char *arg2)
{
	struct timeval	 tv = { 2, 0 };
	redisContext	*c = redisConnectWithTimeout("127.0.0.1", port, tv);
	redisReply	*r;
	const char	*argv[3] = { cmd, arg, arg2 };

	assert_non_null(c);
	assert_int_equal(c->err, 0);
	r = redisCommand(c, "AUTH %s", password);
	assert_non_null(r);
	freeReplyObject(r);
	r = redisCommandArgv(c, arg2 != NULL ? 3 : arg != NULL ? 2 : 1, argv,
	    NULL);
	assert_non_null(r);
	redisFree(c);
	return (r);
}

/* An INFO field of the lab's server, as a number. */
static int64_t
lab_info(int port, const char *key)
{
	redisReply	*r = lab_cmd(port, "INFO", "all", NULL);
	char		 pat[96];
	const char	*p;
	int64_t		 v;

	assert_int_equal(r->type, REDIS_REPLY_STRING);
	snprintf(pat, sizeof pat, "\n%s:", key);
	p = strstr(r->str, pat);
	assert_non_null(p);
	v = strtoll(p + strlen(pat), NULL, 10);
	freeReplyObject(r);
	return (v);
}

static double
elapsed_s(const struct timespec *t0)
{
	struct timespec	t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return ((double)(t1.tv_sec - t0->tv_sec) +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e9);
}

/* Tests ------------------------------------------------------------------ */

static void
test_roles_and_replication(void **state)
{
	struct cfg_redis	 r[2] = { node("redis-primary", 0, pwfile),
				     node("redis-replica", 0, pwfile) };
	char			 want[80], value[1024];
	struct source		*src;
	struct snapshot		*snap;
	const struct redis_node	*m, *s;
	int			 i;

	r[0].port = primary_port;
	r[1].port = replica_port;
	/* Some writes: offsets move, memory is used. */
	memset(value, 'x', sizeof value - 1);
	value[sizeof value - 1] = '\0';
	for (i = 0; i < 64; i++) {
		char	key[32];

		snprintf(key, sizeof key, "itest:%d", i);
		freeReplyObject(lab_cmd(primary_port, "SET", key, value));
	}
	freeReplyObject(lab_cmd(primary_port, "WAIT", "1", "2000"));
	src = src_new(r, 2);
	snap = fetch(src);
	assert_int_equal(snap->u.redis.n, 2);
	m = &snap->u.redis.nodes[0];
	s = &snap->u.redis.nodes[1];
	assert_string_equal(m->error, "");
	assert_string_equal(m->name, "redis-primary");
	snprintf(want, sizeof want, "127.0.0.1:%d", primary_port);
	assert_string_equal(m->addr, want);
	assert_string_equal(m->role, "master");
	assert_true(m->version[0] >= '2' && m->version[0] <= '9');
	assert_string_equal(m->link_status, "");
	assert_int_equal(m->nreplicas, 1);
	snprintf(want, sizeof want, "127.0.0.1:%d", replica_port);
	assert_string_equal(m->replicas[0].addr, want);
	assert_string_equal(m->replicas[0].state, "online");
	assert_true(m->replicas[0].lag_bytes >= 0);
	assert_true(m->replicas[0].lag_bytes < 64 * 1024);
	assert_true(m->replicas[0].lag_s >= 0 && m->replicas[0].lag_s < 5);
	assert_true(m->repl_offset > 64 * 1024);

	assert_string_equal(s->error, "");
	assert_string_equal(s->role, "slave");
	assert_string_equal(s->link_status, "up");
	snprintf(want, sizeof want, "127.0.0.1:%d", primary_port);
	assert_string_equal(s->master, want);
	assert_true(s->last_io_s >= 0 && s->last_io_s < 15);
	assert_int_equal(s->link_down_s, -1);
	assert_true(s->repl_offset > 64 * 1024);
	assert_true(s->repl_offset <= m->repl_offset + 1024);
	assert_int_equal(s->nreplicas, 0);
	snapshot_unref(snap);
	src_free(src);
}

static void
test_memory(void **state)
{
	struct cfg_redis	 r[2] = { node("redis-primary", 0, pwfile),
				     node("redis-replica", 0, pwfile) };
	struct source		*src;
	struct snapshot		*snap;
	const struct redis_node	*m, *s;

	r[0].port = primary_port;
	r[1].port = replica_port;
	src = src_new(r, 2);
	snap = fetch(src);
	m = &snap->u.redis.nodes[0];
	s = &snap->u.redis.nodes[1];
	assert_int_equal(m->maxmemory, 64 * MIB);	/* --maxmemory 64mb */
	assert_true(m->used_memory > 64 * 1024);
	assert_true(m->used_memory < m->maxmemory);
	assert_int_equal(s->maxmemory, 0);
	assert_true(s->used_memory > 0);
	assert_true(m->connected_clients >= 1);
	assert_int_equal(m->evicted_keys, 0);
	assert_int_equal(m->rejected_connections, 0);
	assert_int_equal(m->loading, 0);
	assert_int_equal(m->aof_enabled, 0);
	assert_int_equal(m->aof_ok, 1);
	assert_true(m->rdb_ok != 0);
	assert_true(m->rdb_last_save_age_s >= 0);
	snapshot_unref(snap);
	src_free(src);
}

/* The connection is kept across fetches: no new ones on the server. */
static void
test_connection_reused(void **state)
{
	struct cfg_redis	 r = node("redis-primary", 0, pwfile);
	struct source		*src;
	int64_t			 before, after;
	int			 i;

	r.port = primary_port;
	src = src_new(&r, 1);
	snapshot_unref(fetch(src));
	before = lab_info(primary_port, "total_connections_received");
	for (i = 0; i < 5; i++)
		snapshot_unref(fetch(src));
	after = lab_info(primary_port, "total_connections_received");
	assert_int_equal(after - before, 1);	/* lab_info's own */
	src_free(src);
}

static void
test_auth_variants(void **state)
{
	struct cfg_redis	r = node("redis-primary", 0, NULL);
	struct redis_node	n;
	struct error		err;

	r.port = primary_port;
	/* From a variable. */
	setenv("ITEST_REDIS_PW", password, 1);
	r.password_env = "ITEST_REDIS_PW";
	fetch_one(&r, &n, &err);
	assert_string_equal(err.msg, "");
	assert_string_equal(n.role, "master");
	/* With the ACL user: AUTH default password. */
	r.username = "default";
	fetch_one(&r, &n, &err);
	assert_string_equal(err.msg, "");
	assert_string_equal(n.error, "");
	/* A user that does not exist. */
	r.username = "nobody";
	fetch_one(&r, &n, &err);
	assert_non_null(strstr(err.msg, "authentication failed (WRONGPASS"));
	r.username = NULL;
	r.password_env = NULL;
	/* A password file others can read is refused before connecting. */
	r.password_file = openfile;
	fetch_one(&r, &n, &err);
	assert_non_null(strstr(err.msg, "redis-primary: password: "));
}

/* A wrong password: the node's error; the other node still reads. */
static void
test_wrong_password(void **state)
{
	struct cfg_redis	 r[2] = { node("redis-primary", 0, badfile),
				     node("redis-replica", 0, pwfile) };
	struct source		*src;
	struct snapshot		*snap;
	const struct redis_node	*m;

	r[0].port = primary_port;
	r[1].port = replica_port;
	src = src_new(r, 2);
	snap = fetch(src);
	m = &snap->u.redis.nodes[0];
	assert_true(strncmp(m->error, "authentication failed (WRONGPASS ",
	    33) == 0);
	assert_true(m->error[strlen(m->error) - 1] == ')');
	assert_string_equal(m->role, "");
	assert_string_equal(snap->u.redis.nodes[1].error, "");
	assert_string_equal(snap->u.redis.nodes[1].role, "slave");
	snapshot_unref(snap);
	src_free(src);
}

static void
test_no_password(void **state)
{
	struct cfg_redis	r = node("redis-primary", 0, NULL);
	struct redis_node	n;
	struct error		err;

	r.port = primary_port;
	fetch_one(&r, &n, &err);
	assert_string_equal(err.msg, "redis-primary: NOAUTH: a password is "
	    "needed (password_env or password_file)");
}

static void
test_select(void **state)
{
	struct cfg_redis	r = node("redis-primary", 0, pwfile);
	struct redis_node	n;
	struct error		err;

	r.port = primary_port;
	r.db = 3;
	fetch_one(&r, &n, &err);
	assert_string_equal(err.msg, "");
	assert_string_equal(n.role, "master");
	r.db = 99;
	fetch_one(&r, &n, &err);
	assert_non_null(strstr(err.msg, "SELECT 99: ERR"));
}

static void
test_refused(void **state)
{
	struct cfg_redis	 r = node("nobody-home", 0, NULL);
	struct source		*src;
	struct error		 err;
	struct timespec		 t0;

	r.port = refused_port;
	src = src_new(&r, 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fetch_fails(src, &err);
	assert_string_equal(err.msg, "nobody-home: connection refused");
	assert_true(elapsed_s(&t0) < 1.0);
	/* Nothing was published. */
	assert_null(store_get(src->store, SNAP_REDIS, NULL));
	src_free(src);
}

/* A server that accepts and never answers costs one timeout. */
static void
test_hung_server(void **state)
{
	struct cfg_redis	 r[2] = { node("hung", 0, pwfile),
				     node("redis-replica", 0, pwfile) };
	struct source		*src;
	struct snapshot		*snap;
	struct timespec		 t0;
	double			 t;

	r[0].port = hang_port;
	r[1].port = replica_port;
	src = src_new(r, 2);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	snap = fetch(src);
	t = elapsed_s(&t0);
	assert_string_equal(snap->u.redis.nodes[0].error, "timeout after 2s");
	assert_string_equal(snap->u.redis.nodes[1].error, "");
	assert_true(t >= 1.9 && t < 3.0);
	snapshot_unref(snap);
	src_free(src);

	/* A shorter bound, without a password (the first command hangs). */
	r[0].password_file = NULL;
	r[0].timeout_ms = 500;
	src = src_new(r, 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	{
		struct error	err;

		fetch_fails(src, &err);
		assert_string_equal(err.msg, "hung: timeout after 0.5s");
	}
	t = elapsed_s(&t0);
	assert_true(t >= 0.45 && t < 1.5);
	src_free(src);
}

/* A port whose accept queue is full: the connection itself times out. */
static void
test_connect_timeout(void **state)
{
	struct cfg_redis	 r = node("full", 0, pwfile);
	struct source		*src;
	struct error		 err;
	struct timespec		 t0;
	double			 t;

	r.port = full_port;
	r.connect_timeout_ms = 500;
	src = src_new(&r, 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fetch_fails(src, &err);
	t = elapsed_s(&t0);
	assert_string_equal(err.msg, "full: connect timeout after 0.5s");
	assert_true(t >= 0.45 && t < 1.5);
	src_free(src);
}

static void
test_tls_refused(void **state)
{
	struct cfg_redis	r = node("secure", 0, pwfile);
	struct redis_node	n;
	struct error		err;

	r.port = primary_port;
	r.tls = 1;
	fetch_one(&r, &n, &err);
	assert_non_null(strstr(err.msg, "secure: TLS (rediss://) is not "
	    "supported by this build"));
}

/* A replica that never reached its master: Redis gives no down-since
 * (-1), so the source counts from when it first saw the link down. */
static void
test_link_never_up(void **state)
{
	struct cfg_redis	 r = node("orphan", 0, NULL);
	struct source		*src;
	struct snapshot		*snap;
	const struct redis_node	*n;
	char			 want[80];

	r.port = orphan_port;
	src = src_new(&r, 1);
	snap = fetch(src);
	n = &snap->u.redis.nodes[0];
	assert_string_equal(n->error, "");
	assert_string_equal(n->role, "slave");
	assert_string_equal(n->link_status, "down");
	snprintf(want, sizeof want, "127.0.0.1:%d", refused_port);
	assert_string_equal(n->master, want);
	assert_int_equal(n->link_down_s, 0);
	snapshot_unref(snap);
	sleep(2);
	snap = fetch(src);
	n = &snap->u.redis.nodes[0];
	assert_true(n->link_down_s >= 1 && n->link_down_s <= 3);
	snapshot_unref(snap);
	src_free(src);
}

static pid_t
primary_pid(void)
{
	char	path[600];
	FILE	*f;
	long	pid = 0;

	snprintf(path, sizeof path, "%s/redis-primary.pid", lab_dir);
	assert_non_null(f = fopen(path, "r"));
	assert_int_equal(fscanf(f, "%ld", &pid), 1);
	fclose(f);
	assert_true(pid > 1);
	return ((pid_t)pid);
}

static void
stop_primary(void)
{
	pid_t	pid = primary_pid();
	int	i;

	assert_int_equal(kill(pid, SIGTERM), 0);
	for (i = 0; i < 100 && kill(pid, 0) == 0; i++)
		usleep(100000);
	assert_true(kill(pid, 0) == -1 && errno == ESRCH);
}

/* Kept across the last cases: the source watching both, before, during and
 * after the outage. */
static struct source	*watch;

static void
test_primary_stopped(void **state)
{
	static struct cfg_redis	 r[2];
	struct snapshot		*snap;
	const struct redis_node	*m, *s;
	int64_t			 down1;

	r[0] = node("redis-primary", primary_port, pwfile);
	r[1] = node("redis-replica", replica_port, pwfile);
	watch = src_new(r, 2);
	snap = fetch(watch);
	assert_string_equal(snap->u.redis.nodes[0].error, "");
	assert_string_equal(snap->u.redis.nodes[1].link_status, "up");
	snapshot_unref(snap);

	stop_primary();
	/* The kept connection is gone: one reconnect, refused. */
	snap = fetch(watch);
	m = &snap->u.redis.nodes[0];
	s = &snap->u.redis.nodes[1];
	assert_string_equal(m->error, "connection refused");
	assert_string_equal(s->error, "");
	assert_string_equal(s->role, "slave");
	assert_string_equal(s->link_status, "down");
	assert_int_equal(s->last_io_s, -1);
	assert_true(s->link_down_s >= 0 && s->link_down_s < 10);
	down1 = s->link_down_s;
	snapshot_unref(snap);

	sleep(2);
	snap = fetch(watch);
	s = &snap->u.redis.nodes[1];
	assert_string_equal(snap->u.redis.nodes[0].error, "connection refused");
	assert_string_equal(s->link_status, "down");
	assert_true(s->link_down_s >= down1 + 1);
	snapshot_unref(snap);
}

static void
test_primary_restarted(void **state)
{
	const char		*cmd = getenv("ITEST_REDIS_RESTART");
	struct snapshot		*snap = NULL;
	int			 i, healed = 0;

	assert_non_null(watch);
	assert_non_null(cmd);
	assert_int_equal(system(cmd), 0);
	for (i = 0; i < 40 && !healed; i++) {
		if (snap != NULL) {
			snapshot_unref(snap);
			usleep(250000);
		}
		snap = fetch(watch);
		healed = snap->u.redis.nodes[0].error[0] == '\0' &&
		    strcmp(snap->u.redis.nodes[1].link_status, "up") == 0 &&
		    snap->u.redis.nodes[0].nreplicas == 1;
	}
	assert_true(healed);
	assert_string_equal(snap->u.redis.nodes[0].role, "master");
	assert_int_equal(snap->u.redis.nodes[1].link_down_s, -1);
	snapshot_unref(snap);
	src_free(watch);
	watch = NULL;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roles_and_replication),
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_connection_reused),
		cmocka_unit_test(test_auth_variants),
		cmocka_unit_test(test_wrong_password),
		cmocka_unit_test(test_no_password),
		cmocka_unit_test(test_select),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_hung_server),
		cmocka_unit_test(test_connect_timeout),
		cmocka_unit_test(test_tls_refused),
		cmocka_unit_test(test_link_never_up),
		cmocka_unit_test(test_primary_stopped),
		cmocka_unit_test(test_primary_restarted),
	};

	/* hiredis writes with write(2): a closed peer must not kill us
	 * (sitrep ignores SIGPIPE in tui/loop.c). */
	signal(SIGPIPE, SIG_IGN);
	return (cmocka_run_group_tests(tests, setup, NULL));
}
