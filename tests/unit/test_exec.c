/* test_exec.c: the "exec" executor (backends/exec.c) with real processes,
 * and the argument checks every executor shares (executors.c): hostile
 * arguments reach the child whole, the environment is an allow-list, the
 * child has a session of its own, the timeout and a cancel kill the whole
 * group, output streams, nothing is left behind.  Also what the other
 * executors refuse before touching any server. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "action.h"
#include "config.h"
#include "executors.h"
#include "http.h"
#include "store.h"
#include "util.h"
#include "xmalloc.h"

#define WAIT_MS		15000

static char	 printer[PATH_MAX];	/* tests/fixtures/print_argv.sh */

struct seen {
	int	 calls;
	int	 ok;
	int	 exit_code;
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
	s->exit_code = res->exit_code;
	s->duration_ms = res->duration_ms;
	snprintf(s->summary, sizeof s->summary, "%s", res->summary);
	s->output = strdup(res->output != NULL ? res->output : "");
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

/* Run one request to its end. */
static void
run(struct run *r, const char *kind, int argc, const char **argv)
{
	run_start(r, kind, argc, argv);
	run_wait(r);
}

/* Whether pid is gone (or a zombie nobody reaped yet). */
static int
pid_gone(pid_t pid)
{
	char	 path[64], buf[512], *p;
	FILE	*f;
	int	 zombie = 0;

	if (kill(pid, 0) != 0)
		return (errno == ESRCH);
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return (1);
	if (fgets(buf, sizeof buf, f) != NULL &&
	    (p = strrchr(buf, ')')) != NULL)
		zombie = p[2] == 'Z' || p[2] == 'X';
	fclose(f);
	return (zombie);
}

static int
wait_gone(pid_t pid)
{
	int	i;

	for (i = 0; i < 100 && !pid_gone(pid); i++)
		usleep(20000);
	return (pid_gone(pid));
}

/* Running ---------------------------------------------------------------- */

static void
test_echo(void **state)
{
	const char	*argv[] = { "argv0=/bin/echo", "argv1=hello",
			    "argv2=world" };
	struct run	 r;

	run_open(&r, NULL);
	run(&r, "exec", 3, argv);
	assert_true(r.s.ok);
	assert_int_equal(r.s.exit_code, 0);
	assert_string_equal(r.s.output, "hello world\n");
	assert_true(strncmp(r.s.summary, "exit 0 in ", 10) == 0);
	assert_true(r.s.duration_ms >= 0 && r.s.duration_ms < 5000);
	run_close(&r);
}

static void
test_exit_status(void **state)
{
	const char	*argv[] = { "argv0=sh", "argv1=-c",
			    "argv2=echo out; echo err >&2; exit 3" };
	struct run	 r;

	run_open(&r, NULL);
	run(&r, "exec", 3, argv);
	assert_false(r.s.ok);
	assert_int_equal(r.s.exit_code, 3);
	assert_true(strncmp(r.s.summary, "exit 3 in ", 10) == 0);
	/* stderr and stdout share the pipe. */
	assert_non_null(strstr(r.s.output, "out\n"));
	assert_non_null(strstr(r.s.output, "err\n"));
	run_close(&r);
}

/* Parse print_argv.sh's LENGTH:BYTES lines back into the arguments and
 * compare with want. */
static void
check_printed(const char *out, const char *const *want, int n)
{
	const char	*p = out;
	char		*end;
	long		 len;
	int		 i;

	for (i = 0; i < n; i++) {
		len = strtol(p, &end, 10);
		assert_true(end != p && *end == ':');
		assert_int_equal((size_t)len, strlen(want[i]));
		assert_memory_equal(end + 1, want[i], (size_t)len);
		p = end + 1 + len;
		assert_int_equal(*p, '\n');
		p++;
	}
	assert_int_equal(*p, '\0');
}

static void
test_hostile_arguments(void **state)
{
	char		 pwned[64], ticked[64], subst[128], tick[128];
	char		*big, *argv[16];
	const char	*want[16];
	struct run	 r;
	size_t		 i;
	int		 n = 0, k;

	snprintf(pwned, sizeof pwned, "/tmp/sitrep-pwned.%d", (int)getpid());
	snprintf(ticked, sizeof ticked, "/tmp/sitrep-ticked.%d",
	    (int)getpid());
	unlink(pwned);
	unlink(ticked);
	snprintf(subst, sizeof subst, "$(touch %s)", pwned);
	snprintf(tick, sizeof tick, "`touch %s`", ticked);
	big = malloc(100 * 1024 + 1);
	for (i = 0; i < 100 * 1024; i++)
		big[i] = "a$`;'\"\\ |&*?\n"[i % 14];
	big[100 * 1024] = '\0';
	want[n++] = subst;
	want[n++] = tick;
	want[n++] = "; rm -rf /tmp/sitrep-nothing; echo";
	want[n++] = "line one\nline two\n";
	want[n++] = "";
	want[n++] = "  two  spaces  ";
	want[n++] = "'\"\\";
	want[n++] = "*";
	want[n++] = "~";
	want[n++] = "$HOME ${PATH} %s %n";
	want[n++] = "--option=value";
	want[n++] = "x=y=z";
	want[n++] = big;
	xasprintf(&argv[0], "argv0=%s", printer);
	for (k = 0; k < n; k++)
		xasprintf(&argv[k + 1], "argv%d=%s", k + 1, want[k]);
	run_open(&r, NULL);
	run(&r, "exec", n + 1, (const char **)argv);
	assert_true(r.s.ok);
	check_printed(r.s.output, want, n);
	/* Nothing was interpreted by a shell. */
	assert_int_equal(access(pwned, F_OK), -1);
	assert_int_equal(access(ticked, F_OK), -1);
	run_close(&r);
	for (k = 0; k <= n; k++)
		free(argv[k]);
	free(big);
}

/* The engine's form: argv= repeated, in order. */
static void
test_repeated_argv(void **state)
{
	char		*argv[4];
	const char	*want[] = { "$(id)", "two words", "" };
	struct run	 r;
	int		 k;

	xasprintf(&argv[0], "argv=%s", printer);
	for (k = 0; k < 3; k++)
		xasprintf(&argv[k + 1], "argv=%s", want[k]);
	run_open(&r, NULL);
	run(&r, "exec", 4, (const char **)argv);
	assert_true(r.s.ok);
	check_printed(r.s.output, want, 3);
	run_close(&r);
	for (k = 0; k < 4; k++)
		free(argv[k]);
}

/* Environment ------------------------------------------------------------ */

static int
has_line(const char *out, const char *line)
{
	size_t		 n = strlen(line);
	const char	*p;

	for (p = out; (p = strstr(p, line)) != NULL; p++)
		if ((p == out || p[-1] == '\n') && p[n] == '\n')
			return (1);
	return (0);
}

static void
test_env_allow_list(void **state)
{
	const char	*argv[] = { "argv0=/usr/bin/env",
			    "env_allow=SITREP_T_ALLOWED", "env.FOO=bar baz",
			    "env=BAR=$(x)", "env_allow=SITREP_T_UNSET",
			    "env.HOME=/nowhere" };
	const char	*ok[] = { "PATH=", "HOME=", "LANG=", "FOO=", "BAR=",
			    "SITREP_T_ALLOWED=", NULL };
	const char	*p;
	struct run	 r;
	int		 i, known;

	setenv("SITREP_T_ALLOWED", "yes", 1);
	setenv("SITREP_T_SECRET", "hunter2", 1);
	unsetenv("SITREP_T_UNSET");
	run_open(&r, NULL);
	run(&r, "exec", 6, argv);
	assert_true(r.s.ok);
	assert_true(has_line(r.s.output, "FOO=bar baz"));
	assert_true(has_line(r.s.output, "BAR=$(x)"));
	assert_true(has_line(r.s.output, "SITREP_T_ALLOWED=yes"));
	assert_true(has_line(r.s.output, "HOME=/nowhere"));
	assert_null(strstr(r.s.output, "SITREP_T_SECRET"));
	assert_null(strstr(r.s.output, "hunter2"));
	assert_null(strstr(r.s.output, "SITREP_T_UNSET"));
	/* Every variable is one of the allowed. */
	for (p = r.s.output; *p != '\0'; p = strchr(p, '\n') + 1) {
		for (known = 0, i = 0; ok[i] != NULL; i++)
			known |= strncmp(p, ok[i], strlen(ok[i])) == 0;
		assert_true(known);
	}
	run_close(&r);
	unsetenv("SITREP_T_SECRET");
}

static void
test_cwd(void **state)
{
	const char	*argv[] = { "argv0=/bin/pwd", "cwd=/" };
	const char	*bad[] = { "argv0=/bin/pwd", "cwd=/nonexistent/dir" };
	struct run	 r;

	run_open(&r, NULL);
	run(&r, "exec", 2, argv);
	assert_true(r.s.ok);
	assert_string_equal(r.s.output, "/\n");
	run(&r, "exec", 2, bad);
	assert_false(r.s.ok);
	assert_string_equal(r.s.summary, "exec failed: cwd /nonexistent/dir: "
	    "No such file or directory");
	run_close(&r);
}

/* The child leads a session and a process group of its own. */
static void
test_own_session(void **state)
{
	const char	*argv[] = { "argv0=/bin/cat", "argv1=/proc/self/stat" };
	struct run	 r;
	long		 pid, ppid, pgrp, sid;
	char		 st;
	const char	*p;

	run_open(&r, NULL);
	run(&r, "exec", 2, argv);
	assert_true(r.s.ok);
	pid = strtol(r.s.output, NULL, 10);
	p = strrchr(r.s.output, ')');
	assert_non_null(p);
	assert_int_equal(sscanf(p + 2, "%c %ld %ld %ld", &st, &ppid, &pgrp,
	    &sid), 4);
	assert_int_equal(pgrp, pid);
	assert_int_equal(sid, pid);
	assert_true(pgrp != (long)getpgrp());
	run_close(&r);
}

/* Killing ---------------------------------------------------------------- */

static void
test_timeout_kills_group(void **state)
{
	const char	*argv[] = { "argv0=/bin/sh", "argv1=-c",
			    "argv2=sleep 100 & echo $!; sleep 100",
			    "timeout=1s" };
	struct run	 r;
	pid_t		 grandchild;

	run_open(&r, NULL);
	run(&r, "exec", 4, argv);
	assert_false(r.s.ok);
	assert_string_equal(r.s.summary, "killed by SIGTERM after timeout 1s");
	assert_int_equal(r.s.exit_code, -1);
	assert_true(r.s.duration_ms >= 1000 && r.s.duration_ms < 3500);
	grandchild = (pid_t)atoi(r.s.output);
	assert_true(grandchild > 1);
	assert_true(wait_gone(grandchild));
	run_close(&r);
}

static void
test_timeout_escalates(void **state)
{
	const char	*argv[] = { "argv0=/bin/sh", "argv1=-c",
			    "argv2=trap '' TERM; sleep 100", "timeout=300ms" };
	struct run	 r;

	run_open(&r, NULL);
	run(&r, "exec", 4, argv);
	assert_false(r.s.ok);
	assert_string_equal(r.s.summary,
	    "killed by SIGKILL after timeout 300ms");
	assert_true(r.s.duration_ms >= 2300 && r.s.duration_ms < 5000);
	run_close(&r);
}

static void
test_cancel(void **state)
{
	const char	*argv[] = { "argv0=/bin/sh", "argv1=-c",
			    "argv2=echo started; sleep 100 & echo $!; wait" };
	struct run	 r;
	char		*out;
	size_t		 len;
	int		 i;
	pid_t		 grandchild;

	run_open(&r, NULL);
	run_start(&r, "exec", 3, argv);
	for (i = 0, out = NULL; i < 200; i++) {
		out = actions_peek_output(r.a, r.id, &len);
		if (out != NULL && strchr(out, '\n') != NULL &&
		    strchr(strchr(out, '\n') + 1, '\n') != NULL)
			break;
		free(out);
		out = NULL;
		usleep(10000);
	}
	assert_non_null(out);
	grandchild = (pid_t)atoi(strchr(out, '\n') + 1);
	free(out);
	actions_cancel(r.a, r.id);
	run_wait(&r);
	assert_false(r.s.ok);
	assert_true(strncmp(r.s.summary, "cancelled: killed by SIGTERM after ",
	    35) == 0);
	assert_true(r.s.duration_ms < 3000);
	assert_true(wait_gone(grandchild));
	run_close(&r);
}

/* What the program leaves running is killed when it ends. */
static void
test_leftovers_killed(void **state)
{
	const char	*argv[] = { "argv0=/bin/sh", "argv1=-c",
			    "argv2=sleep 100 & echo $!" };
	struct run	 r;
	pid_t		 left;

	run_open(&r, NULL);
	run(&r, "exec", 3, argv);
	assert_int_equal(r.s.exit_code, 0);
	assert_non_null(strstr(r.s.summary, "killed what it left running"));
	assert_true(r.s.duration_ms < 2000);
	left = (pid_t)atoi(r.s.output);
	assert_true(left > 1);
	assert_true(wait_gone(left));
	run_close(&r);
}

/* Output ----------------------------------------------------------------- */

static void
test_streaming(void **state)
{
	const char	*argv[] = { "argv0=/bin/sh", "argv1=-c",
			    "argv2=echo first; sleep 2; echo second" };
	struct run	 r;
	char		*out = NULL;
	size_t		 len;
	int64_t		 start = mono_ms(), seen = -1;

	run_open(&r, NULL);
	run_start(&r, "exec", 3, argv);
	while (mono_ms() - start < 1500) {
		out = actions_peek_output(r.a, r.id, &len);
		if (out != NULL && strstr(out, "first\n") != NULL) {
			seen = mono_ms() - start;
			assert_null(strstr(out, "second"));
			free(out);
			break;
		}
		free(out);
		usleep(10000);
	}
	assert_true(seen >= 0 && seen < 1500);
	run_wait(&r);
	assert_true(r.s.ok);
	assert_string_equal(r.s.output, "first\nsecond\n");
	run_close(&r);
}

static void
test_output_cap(void **state)
{
	const char	*argv[] = { "argv0=/bin/sh", "argv1=-c",
			    "argv2=head -c 3000000 /dev/zero | tr '\\0' x; "
			    "echo; echo the-end" };
	struct run	 r;
	size_t		 len;

	run_open(&r, NULL);
	run(&r, "exec", 3, argv);
	assert_true(r.s.ok);
	len = strlen(r.s.output);
	assert_non_null(strstr(r.s.output, "[output: the first "));
	assert_non_null(strstr(r.s.output, "bytes dropped, the last 1 MiB "
	    "kept]\n"));
	assert_true(len > ((size_t)1 << 20) && len < ((size_t)1 << 20) + 100);
	assert_string_equal(r.s.output + len - 9, "\nthe-end\n");
	run_close(&r);
}

/* sitrep ignores SIGPIPE; the child must not inherit that. */
static void
test_default_signals(void **state)
{
	const char	*argv[] = { "argv0=/bin/sh", "argv1=-c",
			    "argv2=yes | head -n 1" };
	struct run	 r;

	signal(SIGPIPE, SIG_IGN);
	run_open(&r, NULL);
	run(&r, "exec", 3, argv);
	assert_true(r.s.ok);
	assert_string_equal(r.s.output, "y\n");
	run_close(&r);
	signal(SIGPIPE, SIG_DFL);
}

/* Descriptors sitrep holds do not reach the child. */
static void
test_no_descriptor_leak(void **state)
{
	const char	*argv[] = { "argv0=/bin/ls", "argv1=/proc/self/fd" };
	struct run	 r;
	int		 fd = open("/dev/null", O_RDONLY);

	assert_int_equal(dup2(fd, 77), 77);
	run_open(&r, NULL);
	run(&r, "exec", 2, argv);
	assert_true(r.s.ok);
	assert_false(has_line(r.s.output, "77"));
	assert_true(has_line(r.s.output, "0"));
	run_close(&r);
	close(77);
	close(fd);
}

static void
test_not_found(void **state)
{
	const char	*path[] = { "argv0=/nonexistent/prog" };
	const char	*bare[] = { "argv0=sitrep-no-such-command" };
	const char	*dir[] = { "argv0=/tmp" };
	struct run	 r;

	run_open(&r, NULL);
	run(&r, "exec", 1, path);
	assert_false(r.s.ok);
	assert_string_equal(r.s.summary, "exec failed: /nonexistent/prog: "
	    "No such file or directory");
	run(&r, "exec", 1, bare);
	assert_false(r.s.ok);
	assert_string_equal(r.s.summary, "exec failed: sitrep-no-such-command: "
	    "No such file or directory (not in PATH)");
	run(&r, "exec", 1, dir);
	assert_false(r.s.ok);
	assert_string_equal(r.s.summary, "exec failed: /tmp: Permission "
	    "denied");
	run_close(&r);
}

/* Arguments -------------------------------------------------------------- */

static void
expect_refused(struct run *r, const char *kind, int argc, const char **argv,
    const char *summary)
{
	run(r, kind, argc, argv);
	assert_false(r->s.ok);
	assert_string_equal(r->s.summary, summary);
}

static void
test_exec_arguments(void **state)
{
	const char	*typo[] = { "argv0=/bin/true", "timout=1s" };
	const char	*gap[] = { "argv0=/bin/echo", "argv2=x" };
	const char	*zero[] = { "argv0=/bin/echo", "argv01=x" };
	const char	*mix[] = { "argv0=/bin/echo", "argv=x" };
	const char	*twice[] = { "argv0=/bin/echo", "cwd=/", "cwd=/tmp" };
	const char	*tmo[] = { "argv0=/bin/true", "timeout=soon" };
	const char	*env[] = { "argv0=/bin/true", "env.1X=y" };
	const char	*none[] = { "cwd=/" };
	const char	*ro[] = { "argv0=/bin/true", "read_only=yes" };
	const char	*plain[] = { "argv0" };
	struct run	 r;

	run_open(&r, NULL);
	expect_refused(&r, "exec", 2, typo, "exec: unknown argument timout");
	expect_refused(&r, "exec", 2, gap, "exec: argv2 given without argv1");
	expect_refused(&r, "exec", 2, zero, "exec: unknown argument argv01");
	expect_refused(&r, "exec", 2, mix, "exec: both argv= and argv0= "
	    "given");
	expect_refused(&r, "exec", 3, twice, "exec: argument cwd given twice");
	expect_refused(&r, "exec", 2, tmo, "exec: timeout=soon: want a "
	    "duration from 1ms to 24h (500ms, 30s, 5m)");
	expect_refused(&r, "exec", 2, env, "exec: env.1X=y: want "
	    "env.NAME=VALUE or env=NAME=VALUE");
	expect_refused(&r, "exec", 1, none, "exec: no argv0= (the program)");
	expect_refused(&r, "exec", 2, ro, "exec: read_only=yes: want 1 or 0");
	expect_refused(&r, "exec", 1, plain, "exec: argument 1 is not "
	    "key=value");
	run_close(&r);
}

/* The other kinds, refusing before any server ---------------------------- */

static void
test_registered_kinds(void **state)
{
	const char	*sql[] = { "target=prod-db", "query=SELECT 1" };
	const char	*redis[] = { "target=cache", "arg0=PING" };
	struct run	 r;

	run_open(&r, NULL);
	assert_true(actions_has(r.a, "exec"));
	assert_true(actions_has(r.a, "sql"));
	assert_true(actions_has(r.a, "http"));
	assert_true(actions_has(r.a, "redis"));
	assert_true(actions_has(r.a, "notify"));
	/* The demo has no environment: no targets. */
	expect_refused(&r, "sql", 2, sql, "sql: no such target in this "
	    "environment: prod-db");
	expect_refused(&r, "redis", 2, redis, "redis: no such target in this "
	    "environment: cache");
	run_close(&r);
}

static void
test_redis_read_only_refusals(void **state)
{
	struct cfg_redis	 rc;
	struct cfg_env		 env;
	const char		*set[] = { "target=cache", "read_only=1",
				    "arg0=SET", "arg1=k", "arg2=v" };
	const char		*del[] = { "target=cache", "read_only=1",
				    "arg=del", "arg=k" };
	const char		*cfg[] = { "target=cache", "read_only=1",
				    "arg0=CONFIG", "arg1=SET", "arg2=x",
				    "arg3=y" };
	const char		*mon[] = { "target=cache", "arg0=MONITOR" };
	const char		*auth[] = { "target=cache", "read_only=1",
				    "arg0=AUTH", "arg1=hunter2" };
	const char		*get[] = { "target=cache", "read_only=1",
				    "arg0=get", "arg1=k" };
	struct run		 r;

	memset(&rc, 0, sizeof rc);
	memset(&env, 0, sizeof env);
	rc.name = "cache";
	rc.host = "127.0.0.1";
	rc.port = 1;			/* nobody: a refusal never connects */
	rc.connect_timeout_ms = 500;
	env.redis = &rc;
	env.nredis = 1;
	run_open(&r, &env);
	expect_refused(&r, "redis", 5, set, "redis: SET is not a read "
	    "command: refused for a read-only step");
	expect_refused(&r, "redis", 4, del, "redis: del is not a read "
	    "command: refused for a read-only step");
	/* Arguments may be secrets: only a subcommand is named. */
	expect_refused(&r, "redis", 3, auth, "redis: AUTH is not a read "
	    "command: refused for a read-only step");
	expect_refused(&r, "redis", 6, cfg, "redis: CONFIG SET is not a read "
	    "command: refused for a read-only step");
	expect_refused(&r, "redis", 2, mon, "redis: MONITOR is refused: it "
	    "would take the connection over");
	/* A read command is allowed, and then fails to connect. */
	expect_refused(&r, "redis", 4, get, "redis: cache: connection "
	    "refused");
	run_close(&r);
}

static void
test_http_refusals(void **state)
{
	const char	*inject[] = { "url=http://127.0.0.1:1/",
			    "header.X-Note=a\r\nX-Evil: 1" };
	const char	*inject2[] = { "url=http://127.0.0.1:1/",
			    "header=X-Note: a\nb" };
	const char	*file[] = { "url=file:///etc/passwd" };
	const char	*meth[] = { "url=http://127.0.0.1:1/",
			    "method=get" };
	const char	*okst[] = { "url=http://127.0.0.1:1/",
			    "ok_status=2xy" };
	const char	*len[] = { "url=http://127.0.0.1:1/",
			    "header.Content-Length=5" };
	const char	*both[] = { "url=http://127.0.0.1:1/", "body={}",
			    "json={}" };
	const char	*refused[] = { "url=http://127.0.0.1:1/x",
			    "timeout=2s" };
	const char	*secret[] = {
			    "url=http://user:pw@127.0.0.1:1/x?token=s3cret" };
	struct run	 r;

	run_open(&r, NULL);
	expect_refused(&r, "http", 2, inject, "http: header X-Note: a line "
	    "break in the value");
	expect_refused(&r, "http", 2, inject2, "http: header X-Note: a line "
	    "break in the value");
	expect_refused(&r, "http", 1, file, "http: url= must be http:// or "
	    "https://");
	expect_refused(&r, "http", 2, meth, "http: method=get: want GET, "
	    "HEAD, POST, PUT, PATCH or DELETE");
	expect_refused(&r, "http", 2, okst, "http: ok_status=2xy: want 2xx, "
	    "200, 200-299 or a list of them");
	expect_refused(&r, "http", 2, len, "http: header Content-Length is "
	    "set by sitrep itself");
	expect_refused(&r, "http", 3, both, "http: both body= and json= "
	    "given");
	expect_refused(&r, "http", 2, refused, "http: connection refused "
	    "(http://127.0.0.1:1/x)");
	/* No credentials or query (a secret may be there) in the summary. */
	expect_refused(&r, "http", 1, secret, "http: connection refused "
	    "(http://127.0.0.1:1/x?...)");
	run_close(&r);
}

static void
test_notify_refusals(void **state)
{
	const char	*none[] = { "text=hello" };
	const char	*unset[] = { "webhook_env=SITREP_T_NO_HOOK",
			    "text=hello" };
	const char	*empty[] = { "webhook_env=SITREP_T_HOOK", "text=" };
	const char	*notobj[] = { "webhook_env=SITREP_T_HOOK",
			    "json=[1,2]" };
	const char	*refused[] = { "webhook_env=SITREP_T_HOOK",
			    "text=hello", "timeout=2s" };
	struct run	 r;

	unsetenv("SITREP_T_NO_HOOK");
	setenv("SITREP_T_HOOK", "http://127.0.0.1:1/secret-token-path", 1);
	run_open(&r, NULL);
	expect_refused(&r, "notify", 1, none, "notify: give one of "
	    "webhook_env= and webhook_file=");
	expect_refused(&r, "notify", 2, unset, "notify: webhook: "
	    "$SITREP_T_NO_HOOK is not set");
	expect_refused(&r, "notify", 2, empty, "notify: text= is empty");
	expect_refused(&r, "notify", 2, notobj, "notify: json= is not a JSON "
	    "object");
	/* The URL is a secret: never in the summary. */
	run(&r, "notify", 3, refused);
	assert_false(r.s.ok);
	assert_null(strstr(r.s.summary, "secret-token-path"));
	assert_null(strstr(r.s.output, "secret-token-path"));
	assert_non_null(strstr(r.s.summary, "<webhook>"));
	run_close(&r);
	unsetenv("SITREP_T_HOOK");
}

/* Helpers ---------------------------------------------------------------- */

static void
test_fmt(void **state)
{
	char	buf[32];

	executor_fmt_limit(buf, sizeof buf, 30000);
	assert_string_equal(buf, "30s");
	executor_fmt_limit(buf, sizeof buf, 500);
	assert_string_equal(buf, "500ms");
	executor_fmt_limit(buf, sizeof buf, 300000);
	assert_string_equal(buf, "5m");
	executor_fmt_ms(buf, sizeof buf, 120);
	assert_string_equal(buf, "120 ms");
	executor_fmt_ms(buf, sizeof buf, 1234);
	assert_string_equal(buf, "1.2s");
}

static int
setup(void **state)
{
	char	 exe[PATH_MAX], *p;
	ssize_t	 n;

	if (realpath("tests/fixtures/print_argv.sh", printer) != NULL)
		return (0);
	/* Run from elsewhere: the checkout is three levels above the binary
	 * (build/std/tests/test_exec). */
	if ((n = readlink("/proc/self/exe", exe, sizeof exe - 1)) < 0)
		return (-1);
	exe[n] = '\0';
	if ((p = strstr(exe, "/build/")) == NULL)
		return (-1);
	snprintf(p, sizeof exe - (size_t)(p - exe),
	    "/tests/fixtures/print_argv.sh");
	snprintf(printer, sizeof printer, "%s", exe);
	return (access(printer, X_OK));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo),
		cmocka_unit_test(test_exit_status),
		cmocka_unit_test(test_hostile_arguments),
		cmocka_unit_test(test_repeated_argv),
		cmocka_unit_test(test_env_allow_list),
		cmocka_unit_test(test_cwd),
		cmocka_unit_test(test_own_session),
		cmocka_unit_test(test_timeout_kills_group),
		cmocka_unit_test(test_timeout_escalates),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_leftovers_killed),
		cmocka_unit_test(test_streaming),
		cmocka_unit_test(test_output_cap),
		cmocka_unit_test(test_default_signals),
		cmocka_unit_test(test_no_descriptor_leak),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_exec_arguments),
		cmocka_unit_test(test_registered_kinds),
		cmocka_unit_test(test_redis_read_only_refusals),
		cmocka_unit_test(test_http_refusals),
		cmocka_unit_test(test_notify_refusals),
		cmocka_unit_test(test_fmt),
	};

	http_global_init();
	return (cmocka_run_group_tests(tests, setup, NULL));
}
