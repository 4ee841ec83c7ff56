/* itest_executors.c: the sql, redis, http and notify executors against real
 * servers (tests/lab: PostgreSQL primary and standby, Redis primary and
 * replica; tests/fixtures/echo_http.py; tests/fixtures/blackhole.py).
 * Run by tests/integration/executors.sh, which starts them and exports
 * LAB_DIR, the ports and HTTP_RECORD (the last request the echo server
 * received, as JSON).  The cases run in order: the first creates the
 * table the others use. */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <cjson/cJSON.h>
#include <hiredis/hiredis.h>

#include "action.h"
#include "config.h"
#include "executors.h"
#include "http.h"
#include "store.h"
#include "util.h"
#include "xmalloc.h"

#define WAIT_MS		20000

static struct config	*cfg;
static const struct cfg_env *lab;
static struct cfg_env	 hang_env;	/* targets that never answer */
static struct cfg_postgres hang_pg;
static struct cfg_redis	 hang_redis;
static int		 http_port, redis_port;
static char		 lab_dir[512], record[600], hook_file[600];

/* Running actions -------------------------------------------------------- */

struct seen {
	int	 calls;
	int	 ok;
	int64_t	 duration_ms;
	char	 summary[512];
	char	*output;
};

struct run {
	struct store	*st;
	struct actions	*a;
	struct seen	 s;
	int		 id;
};

static void
on_done(void *arg, const struct action_req *req,
    const struct action_result *res)
{
	struct seen	*s = arg;

	s->calls++;
	s->ok = res->ok;
	s->duration_ms = res->duration_ms;
	snprintf(s->summary, sizeof s->summary, "%s", res->summary);
	s->output = xstrdup(res->output != NULL ? res->output : "");
}

static void
run_open(struct run *r, const struct cfg_env *env)
{
	memset(r, 0, sizeof *r);
	r->st = store_new();
	r->a = actions_new(r->st);
	executors_register(r->a, env);
}

static void
run_close(struct run *r)
{
	assert_int_equal(actions_free(r->a, 5000), 0);
	store_free(r->st);
	free(r->s.output);
}

static void
run_wait(struct run *r)
{
	struct pollfd	pfd = { store_wake_fd(r->st), POLLIN, 0 };
	int64_t		end = mono_ms() + WAIT_MS;

	while (r->s.calls == 0 && mono_ms() < end) {
		poll(&pfd, 1, 20);
		store_drain(r->st);
		actions_collect(r->a);
	}
	assert_int_equal(r->s.calls, 1);
}

static void
run_start(struct run *r, const char *kind, int argc, const char **argv)
{
	free(r->s.output);
	memset(&r->s, 0, sizeof r->s);
	r->id = actions_run(r->a, kind, argc, argv, on_done, &r->s);
	assert_true(r->id > 0);
}

static void
run(struct run *r, const char *kind, int argc, const char **argv)
{
	run_start(r, kind, argc, argv);
	run_wait(r);
}

#define RUN(r, kind, ...) do {						\
	const char *argv_[] = { __VA_ARGS__ };				\
	run((r), (kind), (int)(sizeof argv_ / sizeof argv_[0]), argv_);	\
} while (0)

static void
expect_ok(struct run *r, const char *summary)
{
	if (!r->s.ok || (summary != NULL &&
	    strcmp(r->s.summary, summary) != 0))
		fail_msg("want ok \"%s\", got %s \"%s\"\n%s", summary != NULL ?
		    summary : "", r->s.ok ? "ok" : "failed", r->s.summary,
		    r->s.output);
}

static void
expect_fail(struct run *r, const char *summary)
{
	if (r->s.ok || strstr(r->s.summary, summary) == NULL)
		fail_msg("want a failure with \"%s\", got %s \"%s\"", summary,
		    r->s.ok ? "ok" : "failed", r->s.summary);
}

/* SQL -------------------------------------------------------------------- */

static void
test_sql_action_creates_and_updates(void **state)
{
	struct run	r;

	run_open(&r, lab);
	RUN(&r, "sql", "target=lab-primary", "query=CREATE TABLE exec_t "
	    "(id int PRIMARY KEY, v text, n numeric)");
	expect_ok(&r, "CREATE TABLE");
	RUN(&r, "sql", "target=lab-primary", "query=INSERT INTO exec_t "
	    "VALUES ($1, $2, $3)", "param1=1", "param2=first", "param3=2.5");
	expect_ok(&r, "INSERT 0 1");
	RUN(&r, "sql", "target=lab-primary", "query=UPDATE exec_t SET v = $1 "
	    "WHERE id = $2", "param1=updated", "param2=1");
	expect_ok(&r, "UPDATE 1");
	/* The engine's form: param= repeated, timeout=. */
	RUN(&r, "sql", "target=lab-primary", "query=INSERT INTO exec_t "
	    "VALUES ($1, $2, NULL)", "param=2", "param=second", "timeout=5");
	expect_ok(&r, "INSERT 0 1");
	run_close(&r);
}

static void
test_sql_read_only_refuses_writes(void **state)
{
	struct run	r;

	run_open(&r, lab);
	RUN(&r, "sql", "target=lab-primary", "read_only=1",
	    "query=UPDATE exec_t SET v = 'hacked'");
	expect_fail(&r, "ERROR: cannot execute UPDATE in a read-only "
	    "transaction (25006)");
	RUN(&r, "sql", "target=lab-primary", "read_only=1",
	    "query=SELECT count(*) = 0 AS untouched FROM exec_t "
	    "WHERE v = 'hacked'");
	expect_ok(&r, "1 row");
	assert_non_null(strstr(r.s.output, "\n t\n"));
	/* Not even through a function with side effects. */
	RUN(&r, "sql", "target=lab-primary", "read_only=1",
	    "query=SELECT nextval('pg_catalog.pg_class_oid_seq')");
	assert_false(r.s.ok);
	run_close(&r);
}

static void
test_sql_table_output(void **state)
{
	struct run	r;

	run_open(&r, lab);
	RUN(&r, "sql", "target=lab-primary", "read_only=1",
	    "query=SELECT id, v, n FROM exec_t ORDER BY id");
	expect_ok(&r, "2 rows");
	assert_string_equal(r.s.output,
	    " id | v       | n\n"
	    "----+---------+-----\n"
	    "  1 | updated | 2.5\n"
	    "  2 | second  |\n"
	    "(2 rows)\n");
	RUN(&r, "sql", "target=lab-primary", "read_only=1",
	    "query=SELECT g FROM generate_series(1, 5000) g");
	expect_ok(&r, "5000 rows");
	assert_non_null(strstr(r.s.output, "(5000 rows; the first 1000 "
	    "shown)\n"));
	assert_null(strstr(r.s.output, " 1001\n"));
	run_close(&r);
}

static void
test_sql_hostile_parameters(void **state)
{
	static const char *const hostile[] = {
		"'); DROP TABLE exec_t; --",
		"\\'; SELECT pg_sleep(10); --",
		"$1 $2 %s %n \"quoted\" `tick` $(id)",
		"line one\nline two\ttab",
		"caf\xc3\xa9 \xe2\x9c\x93",
	};
	struct run	 r;
	char		*p1, *p2, *p3;
	size_t		 i;

	run_open(&r, lab);
	for (i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
		xasprintf(&p1, "param1=%zu", 100 + i);
		xasprintf(&p2, "param2=%s", hostile[i]);
		RUN(&r, "sql", "target=lab-primary", "query=INSERT INTO exec_t "
		    "(id, v) VALUES ($1, $2)", p1, p2);
		expect_ok(&r, "INSERT 0 1");
		/* Read back equal, byte for byte (and length), on the
		 * server. */
		xasprintf(&p3, "param3=%zu", strlen(hostile[i]));
		RUN(&r, "sql", "target=lab-primary", "read_only=1",
		    "query=SELECT v = $2 AND octet_length(v) = $3 AS same "
		    "FROM exec_t WHERE id = $1", p1, p2, p3);
		expect_ok(&r, "1 row");
		assert_non_null(strstr(r.s.output, "\n t\n"));
		free(p1);
		free(p2);
		free(p3);
	}
	/* The table is still there, with every row. */
	RUN(&r, "sql", "target=lab-primary", "read_only=1",
	    "query=SELECT count(*) = 7 AS all_rows FROM exec_t");
	expect_ok(&r, "1 row");
	assert_non_null(strstr(r.s.output, "\n t\n"));
	run_close(&r);
}

/* The value bound equals what a direct comparison with the literal finds:
 * the parameter compared in SQL with itself as a second parameter. */
static void
test_sql_parameter_roundtrip(void **state)
{
	struct run	r;

	run_open(&r, lab);
	RUN(&r, "sql", "target=lab-primary", "read_only=1",
	    "query=SELECT v = $1 AS same FROM exec_t WHERE id = 100",
	    "param1='); DROP TABLE exec_t; --");
	expect_ok(&r, "1 row");
	assert_non_null(strstr(r.s.output, "\n t\n"));
	run_close(&r);
}

static void
test_sql_one_statement_only(void **state)
{
	struct run	r;

	run_open(&r, lab);
	RUN(&r, "sql", "target=lab-primary",
	    "query=SELECT 1; DROP TABLE exec_t");
	expect_fail(&r, "cannot insert multiple commands into a prepared "
	    "statement (42601)");
	run_close(&r);
}

static void
test_sql_statement_timeout(void **state)
{
	struct run	r;

	run_open(&r, lab);
	RUN(&r, "sql", "target=lab-primary", "read_only=1",
	    "statement_timeout=500ms", "query=SELECT pg_sleep(10)");
	expect_fail(&r, "canceling statement due to statement timeout "
	    "(57014)");
	assert_true(r.s.duration_ms >= 500 && r.s.duration_ms < 3000);
	run_close(&r);
}

static void
test_sql_cancel(void **state)
{
	const char	*argv[] = { "target=lab-primary", "read_only=1",
			    "statement_timeout=60s",
			    "query=SELECT pg_sleep(30) AS itest_cancel" };
	struct run	 r;
	int		 i;

	run_open(&r, lab);
	run_start(&r, "sql", 4, argv);
	usleep(500000);
	actions_cancel(r.a, r.id);
	run_wait(&r);
	expect_fail(&r, "cancelled after ");
	assert_true(r.s.duration_ms < 2500);
	/* The server stopped it too. */
	for (i = 0; i < 50; i++) {
		RUN(&r, "sql", "target=lab-primary", "read_only=1",
		    "query=SELECT count(*) = 0 AS gone FROM pg_stat_activity "
		    "WHERE query = $1 AND state = 'active'",
		    "param1=SELECT pg_sleep(30) AS itest_cancel");
		expect_ok(&r, "1 row");
		if (strstr(r.s.output, "\n t\n") != NULL)
			break;
		usleep(100000);
	}
	assert_non_null(strstr(r.s.output, "\n t\n"));
	run_close(&r);
}

static void
test_sql_dry_run(void **state)
{
	struct run	r;

	run_open(&r, lab);
	RUN(&r, "sql", "target=lab-primary", "dry_run=1",
	    "query=UPDATE exec_t SET v = 'dry' WHERE id = $1", "param1=1");
	expect_ok(&r, "UPDATE 1 (dry run: rolled back)");
	RUN(&r, "sql", "target=lab-primary", "read_only=1",
	    "query=SELECT v FROM exec_t WHERE id = 1");
	expect_ok(&r, "1 row");
	assert_non_null(strstr(r.s.output, " updated\n"));
	run_close(&r);
}

static void
test_sql_standby(void **state)
{
	struct run	r;

	run_open(&r, lab);
	RUN(&r, "sql", "target=lab-standby", "read_only=1",
	    "query=SELECT pg_is_in_recovery() AS standby");
	expect_ok(&r, "1 row");
	assert_non_null(strstr(r.s.output, "\n t\n"));
	RUN(&r, "sql", "target=lab-standby",
	    "query=UPDATE exec_t SET v = 'x' WHERE id = 1");
	expect_fail(&r, "cannot execute UPDATE in a read-only transaction");
	run_close(&r);
}

static void
test_sql_unreachable(void **state)
{
	struct run	r;

	run_open(&r, &hang_env);
	RUN(&r, "sql", "target=hang", "query=SELECT 1");
	expect_fail(&r, "sql: hang: timeout after 1s");
	assert_true(r.s.duration_ms < 3000);
	RUN(&r, "sql", "target=lab-primary", "query=SELECT 1");
	expect_fail(&r, "sql: no such target in this environment: "
	    "lab-primary");
	run_close(&r);
}

/* Redis ------------------------------------------------------------------ */

static redisContext *
redis_direct(void)
{
	redisContext	*c = redisConnect("127.0.0.1", redis_port);
	redisReply	*r;

	assert_non_null(c);
	assert_int_equal(c->err, 0);
	r = redisCommand(c, "AUTH %s", getenv("REDIS_PASSWORD"));
	assert_non_null(r);
	freeReplyObject(r);
	return (c);
}

static void
test_redis_read_only(void **state)
{
	struct run	r;

	run_open(&r, lab);
	RUN(&r, "redis", "target=redis-primary", "read_only=1", "arg0=SET",
	    "arg1=itest:ro", "arg2=x");
	expect_fail(&r, "redis: SET is not a read command: refused for a "
	    "read-only step");
	RUN(&r, "redis", "target=redis-primary", "read_only=1", "arg0=DEL",
	    "arg1=itest:ro");
	expect_fail(&r, "redis: DEL is not a read command");
	RUN(&r, "redis", "target=redis-primary", "read_only=1", "arg0=GET",
	    "arg1=itest:ro");
	expect_ok(&r, "(nil)");
	assert_string_equal(r.s.output, "(nil)\n");
	RUN(&r, "redis", "target=redis-primary", "read_only=1", "arg0=INFO",
	    "arg1=server");
	expect_ok(&r, NULL);
	assert_true(strncmp(r.s.output, "# Server\n", 9) == 0);
	assert_null(strchr(r.s.output, '\r'));
	RUN(&r, "redis", "target=redis-primary", "read_only=1", "arg=ping");
	expect_ok(&r, "PONG");
	run_close(&r);
}

static void
test_redis_action(void **state)
{
	struct run	r;

	run_open(&r, lab);
	RUN(&r, "redis", "target=redis-primary", "arg0=SET", "arg1=itest:k",
	    "arg2=hello world");
	expect_ok(&r, "OK");
	RUN(&r, "redis", "target=redis-primary", "read_only=1", "arg0=GET",
	    "arg1=itest:k");
	expect_ok(&r, "\"hello world\"");
	RUN(&r, "redis", "target=redis-primary", "arg0=RPUSH", "arg1=itest:l",
	    "arg2=a", "arg3=b c", "arg4=d\"e");
	expect_ok(&r, "(integer) 3");
	RUN(&r, "redis", "target=redis-primary", "read_only=1",
	    "arg0=LRANGE", "arg1=itest:l", "arg2=0", "arg3=-1");
	expect_ok(&r, "3 elements");
	assert_string_equal(r.s.output, "1) \"a\"\n2) \"b c\"\n"
	    "3) \"d\\\"e\"\n");
	RUN(&r, "redis", "target=redis-replica", "arg0=SET", "arg1=itest:k",
	    "arg2=on the replica");
	expect_fail(&r, "(error) READONLY");
	RUN(&r, "redis", "target=redis-primary", "arg0=NOSUCHCOMMAND");
	expect_fail(&r, "(error) ERR unknown command");
	run_close(&r);
}

static void
test_redis_hostile_arguments(void **state)
{
	static const char	key[] = "itest:k\r\n*1\r\n$8\r\nFLUSHALL\r\n";
	static const char	val[] = "'; FLUSHALL; \" \\ $(id) \r\n"
				    "*1\r\n$8\r\nFLUSHALL\r\n";
	struct run		 r;
	redisContext		*c;
	redisReply		*rep;
	char			*k, *v;

	run_open(&r, lab);
	RUN(&r, "redis", "target=redis-primary", "arg0=SET",
	    "arg1=itest:sentinel", "arg2=still here");
	expect_ok(&r, "OK");
	xasprintf(&k, "arg1=%s", key);
	xasprintf(&v, "arg2=%s", val);
	RUN(&r, "redis", "target=redis-primary", "arg0=SET", k, v);
	expect_ok(&r, "OK");
	/* Read back with hiredis directly: exactly the bytes sent. */
	c = redis_direct();
	rep = redisCommand(c, "GET %b", key, sizeof key - 1);
	assert_non_null(rep);
	assert_int_equal(rep->type, REDIS_REPLY_STRING);
	assert_int_equal(rep->len, sizeof val - 1);
	assert_memory_equal(rep->str, val, sizeof val - 1);
	freeReplyObject(rep);
	rep = redisCommand(c, "GET itest:sentinel");
	assert_non_null(rep);
	assert_string_equal(rep->str, "still here");
	freeReplyObject(rep);
	redisFree(c);
	free(k);
	free(v);
	run_close(&r);
}

static void
test_redis_unreachable(void **state)
{
	struct run	r;

	run_open(&r, &hang_env);
	RUN(&r, "redis", "target=hang", "arg0=PING");
	expect_fail(&r, "redis: hang: timeout after 500ms");
	assert_true(r.s.duration_ms < 2500);
	run_close(&r);
}

/* HTTP ------------------------------------------------------------------- */

/* The last request the echo server received. */
static cJSON *
http_record(void)
{
	FILE	*f = fopen(record, "r");
	char	 buf[65536];
	size_t	 n;
	cJSON	*j;

	assert_non_null(f);
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	j = cJSON_Parse(buf);
	assert_non_null(j);
	unlink(record);
	return (j);
}

static const char *
json_str(const cJSON *j, const char *a, const char *b)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(j, a);

	if (b != NULL)
		v = cJSON_GetObjectItemCaseSensitive(v, b);
	assert_true(cJSON_IsString(v));
	return (v->valuestring);
}

static char *
http_url(const char *path)
{
	char	*url;

	xasprintf(&url, "url=http://127.0.0.1:%d%s", http_port, path);
	return (url);
}

static void
test_http_body_arrives_intact(void **state)
{
	static const char	 body[] = "{\"text\":\"it's \\\"quoted\\\" \\\\ "
				     "and\\nnewline; $(id) `x`\",\"n\":[1,2,"
				     "{\"a\":null}],\"u\":\"caf\xc3\xa9\"}";
	struct run		 r;
	char			*url = http_url("/hooks/x?a=1&b=%20"), *b;
	cJSON			*j;

	xasprintf(&b, "body=%s", body);
	run_open(&r, NULL);
	RUN(&r, "http", "method=POST", url, b, "header.X-Incident=INC-1 ; x",
	    "header=X-Other: two words");
	expect_ok(&r, NULL);
	assert_true(strncmp(r.s.summary, "200 OK in ", 10) == 0);
	assert_true(strncmp(r.s.output, "HTTP 200 OK\n\n{\n", 15) == 0);
	j = http_record();
	assert_string_equal(json_str(j, "method", NULL), "POST");
	assert_string_equal(json_str(j, "path", NULL), "/hooks/x?a=1&b=%20");
	assert_string_equal(json_str(j, "body", NULL), body);
	assert_string_equal(json_str(j, "headers", "X-Incident"), "INC-1 ; x");
	assert_string_equal(json_str(j, "headers", "X-Other"), "two words");
	assert_string_equal(json_str(j, "headers", "Content-Type"),
	    "application/json");
	cJSON_Delete(j);
	free(b);
	free(url);
	run_close(&r);
}

static void
test_http_status(void **state)
{
	struct run	 r;
	char		*url = http_url("/status/503");

	run_open(&r, NULL);
	RUN(&r, "http", url);
	expect_fail(&r, "503 Service Unavailable in ");
	assert_non_null(strstr(r.s.summary, "(expected 2xx)"));
	RUN(&r, "http", url, "ok_status=200,500-503");
	expect_ok(&r, NULL);
	RUN(&r, "http", "method=DELETE", url, "ok_status=5xx");
	expect_ok(&r, NULL);
	free(url);
	url = http_url("/status/404");
	RUN(&r, "http", "method=HEAD", url, "ok_status=404");
	expect_ok(&r, NULL);
	assert_true(strncmp(r.s.summary, "404 Not Found in ", 17) == 0);
	free(url);
	run_close(&r);
}

static void
test_http_timeout_and_cancel(void **state)
{
	const char	*argv[2];
	struct run	 r;
	char		*url = http_url("/sleep/5");

	run_open(&r, NULL);
	RUN(&r, "http", url, "timeout=500ms");
	expect_fail(&r, "http: timeout after 500ms (GET http://127.0.0.1:");
	assert_true(r.s.duration_ms < 2000);
	argv[0] = url;
	argv[1] = "timeout=30s";
	run_start(&r, "http", 2, argv);
	usleep(300000);
	actions_cancel(r.a, r.id);
	run_wait(&r);
	expect_fail(&r, "cancelled after ");
	assert_true(r.s.duration_ms < 2000);
	free(url);
	run_close(&r);
}

/* Notify ----------------------------------------------------------------- */

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE	*f = fopen(path, "w");

	assert_non_null(f);
	fprintf(f, "%s\n", text);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static void
check_posted(const char *text)
{
	cJSON	*j = http_record(), *body;

	assert_string_equal(json_str(j, "method", NULL), "POST");
	assert_string_equal(json_str(j, "path", NULL), "/hook/T000/secret");
	body = cJSON_Parse(json_str(j, "body", NULL));
	assert_non_null(body);
	assert_true(cJSON_IsObject(body));
	assert_int_equal(cJSON_GetArraySize(body), 1);
	assert_string_equal(json_str(body, "text", NULL), text);
	cJSON_Delete(body);
	cJSON_Delete(j);
}

static void
test_notify_posts_text(void **state)
{
	static const char	 text[] = "INC-1: failover \"done\"; $(id)\n"
				     "next: <check> & `verify` caf\xc3\xa9";
	struct run		 r;
	char			*t, *url, *hf;

	xasprintf(&url, "http://127.0.0.1:%d/hook/T000/secret", http_port);
	write_file(hook_file, url, 0600);
	xasprintf(&t, "text=%s", text);
	xasprintf(&hf, "webhook_file=%s", hook_file);
	run_open(&r, NULL);
	RUN(&r, "notify", hf, t);
	expect_ok(&r, "posted (200)");
	assert_null(strstr(r.s.output, "secret"));
	check_posted(text);
	setenv("ITEST_HOOK", url, 1);
	RUN(&r, "notify", "webhook_env=ITEST_HOOK", t);
	expect_ok(&r, "posted (200)");
	check_posted(text);
	/* The engine's form: the JSON already built. */
	RUN(&r, "notify", "webhook_env=ITEST_HOOK",
	    "json={\"text\":\"built \\\"elsewhere\\\"\"}");
	expect_ok(&r, "posted (200)");
	check_posted("built \"elsewhere\"");
	run_close(&r);
	unsetenv("ITEST_HOOK");
	free(url);
	free(t);
	free(hf);
}

static void
test_notify_failures(void **state)
{
	struct run	 r;
	char		*url, *hf;

	xasprintf(&url, "http://127.0.0.1:%d/status/500/secret", http_port);
	write_file(hook_file, url, 0600);
	xasprintf(&hf, "webhook_file=%s", hook_file);
	run_open(&r, NULL);
	RUN(&r, "notify", hf, "text=x");
	expect_fail(&r, "notify: 500 server error posting to the webhook");
	assert_null(strstr(r.s.summary, "secret"));
	free(url);
	xasprintf(&url, "http://127.0.0.1:%d/hook", http_port + 2);
	write_file(hook_file, url, 0600);
	RUN(&r, "notify", hf, "text=x");
	expect_fail(&r, "notify: connection refused (<webhook>)");
	write_file(hook_file, url, 0644);
	RUN(&r, "notify", hf, "text=x");
	expect_fail(&r, "is readable by others; chmod 600");
	run_close(&r);
	free(url);
	free(hf);
}

/* Setup ------------------------------------------------------------------ */

static int
env_int(const char *name)
{
	const char	*v = getenv(name);

	if (v == NULL) {
		fprintf(stderr, "itest_executors: $%s is not set (run "
		    "executors.sh)\n", name);
		exit(1);
	}
	return (atoi(v));
}

static int
setup(void **state)
{
	static char	 conninfo[128];
	struct error	 err;
	char		 path[600];
	const char	*v;

	http_port = env_int("HTTP_PORT");
	redis_port = env_int("REDIS_PRIMARY_PORT");
	snprintf(lab_dir, sizeof lab_dir, "%s", (v = getenv("LAB_DIR")) !=
	    NULL ? v : "/tmp");
	snprintf(record, sizeof record, "%s", (v = getenv("HTTP_RECORD")) !=
	    NULL ? v : "/tmp/http-record.json");
	snprintf(hook_file, sizeof hook_file, "%s/itest-hook", lab_dir);
	snprintf(path, sizeof path, "%s/sitrep.yaml", lab_dir);
	if ((cfg = config_load(path, &err)) == NULL ||
	    (lab = config_env(cfg, NULL, &err)) == NULL) {
		fprintf(stderr, "itest_executors: %s\n", err.msg);
		return (-1);
	}
	snprintf(conninfo, sizeof conninfo, "host=127.0.0.1 port=%d "
	    "dbname=x user=x", env_int("HANG_PORT"));
	hang_pg.name = "hang";
	hang_pg.conninfo = conninfo;
	hang_pg.connect_timeout_s = 1;
	hang_redis.name = "hang";
	hang_redis.host = "127.0.0.1";
	hang_redis.port = env_int("HANG_PORT");
	hang_redis.connect_timeout_ms = 500;
	hang_redis.timeout_ms = 500;
	hang_env.name = "hang";
	hang_env.pg = &hang_pg;
	hang_env.npg = 1;
	hang_env.redis = &hang_redis;
	hang_env.nredis = 1;
	return (0);
}

static int
teardown(void **state)
{
	config_free(cfg);
	return (0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sql_action_creates_and_updates),
		cmocka_unit_test(test_sql_read_only_refuses_writes),
		cmocka_unit_test(test_sql_table_output),
		cmocka_unit_test(test_sql_hostile_parameters),
		cmocka_unit_test(test_sql_parameter_roundtrip),
		cmocka_unit_test(test_sql_one_statement_only),
		cmocka_unit_test(test_sql_statement_timeout),
		cmocka_unit_test(test_sql_cancel),
		cmocka_unit_test(test_sql_dry_run),
		cmocka_unit_test(test_sql_standby),
		cmocka_unit_test(test_sql_unreachable),
		cmocka_unit_test(test_redis_read_only),
		cmocka_unit_test(test_redis_action),
		cmocka_unit_test(test_redis_hostile_arguments),
		cmocka_unit_test(test_redis_unreachable),
		cmocka_unit_test(test_http_body_arrives_intact),
		cmocka_unit_test(test_http_status),
		cmocka_unit_test(test_http_timeout_and_cancel),
		cmocka_unit_test(test_notify_posts_text),
		cmocka_unit_test(test_notify_failures),
	};

	http_global_init();
	return (cmocka_run_group_tests(tests, setup, teardown));
}
