/* exec.c: action kind "exec": run one program, never a shell.
 *
 * argv0=, argv1=, ... are the program's argv, each one whole element.
 * The child gets a minimal environment (PATH, HOME, LANG), the variables
 * named by env_allow= and those set by env.NAME=; stdin is /dev/null;
 * stdout and stderr share one pipe, read with poll() and streamed with
 * action_emit() as it comes.  It starts in a session of its own (setsid:
 * a new process group, and no controlling terminal, so nothing can read
 * or scribble on the operator's tty).  The timeout and a cancel send
 * SIGTERM to the whole group and SIGKILL 2 s later.  When the program
 * ends, whatever it left running in its group is killed: nothing outlives
 * the step.  docs/executors.md is the contract. */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "executors.h"
#include "xmalloc.h"

#define EXEC_TIMEOUT_MS		30000
#define EXEC_TIMEOUT_MAX_MS	(24LL * 3600 * 1000)
#define EXEC_KILL_GRACE_MS	2000	/* SIGTERM, then SIGKILL */
#define EXEC_DRAIN_MS		500	/* reading after the program ended */
#define EXEC_ABANDON_MS		5000	/* after SIGKILL: stuck in the kernel */
#define EXEC_OUTPUT_MAX		((size_t)1 << 20)	/* res->output keeps */
#define EXEC_CHUNK		65536
#define EXEC_DEFAULT_PATH	"/usr/local/bin:/usr/bin:/bin"

enum exec_why { EXEC_RUN, EXEC_TIMEOUT, EXEC_CANCEL };

struct exec_job {
	const struct action_req	*req;
	char			**argv;		/* into req, NULL-terminated */
	char			**envp;		/* owned, NULL-terminated */
	int			  nenv;
	const char		 *cwd;
	int64_t			  timeout_ms;
	char			  path[PATH_MAX];

	pid_t			  pid;
	int			  fd;		/* pipe, -1 once closed */
	char			 *out;		/* the last EXEC_OUTPUT_MAX */
	size_t			  outlen, dropped;

	int64_t			  start, ended, term_at, kill_at;
	enum exec_why		  why;
	int			  killed;	/* SIGKILL sent */
	int			  reaped;	/* status is known */
	int			  abandoned;	/* did not die after SIGKILL */
	int			  strays;	/* it left processes behind */
	int			  cut;		/* output cut by a process that
						 * escaped the group */
	int			  status;	/* from waitpid */
};

static const char *const exec_keys[] = {
	"cwd", "timeout", "read_only", "env_allow", "argv", "env", NULL
};
static const char *const exec_prefixes[] = { "argv", "env.", NULL };
static const char *const exec_repeat[] = {
	"env_allow", "argv", "env", NULL
};

/* The environment ------------------------------------------------------- */

static int
exec_env_name(const char *s, size_t n)
{
	size_t	i;

	if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
		return (0);
	for (i = 0; i < n; i++)
		if (!(s[i] == '_' || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
			return (0);
	return (1);
}

/* Set NAME=value in the child's environment, replacing an earlier one. */
static void
exec_env_set(struct exec_job *job, const char *name, size_t n,
    const char *value)
{
	char	*entry;
	int	 i;

	xasprintf(&entry, "%.*s=%s", (int)n, name, value);
	for (i = 0; i < job->nenv; i++) {
		if (strncmp(job->envp[i], entry, n + 1) == 0) {
			free(job->envp[i]);
			job->envp[i] = entry;
			return;
		}
	}
	job->envp = xreallocarray(job->envp, (size_t)job->nenv + 2,
	    sizeof *job->envp);
	job->envp[job->nenv++] = entry;
	job->envp[job->nenv] = NULL;
}

static void
exec_env_pass(struct exec_job *job, const char *name)
{
	const char	*v = getenv(name);

	if (v != NULL)
		exec_env_set(job, name, strlen(name), v);
}

static const char *
exec_env_get(const struct exec_job *job, const char *name)
{
	size_t	n = strlen(name);
	int	i;

	for (i = 0; i < job->nenv; i++)
		if (strncmp(job->envp[i], name, n) == 0 &&
		    job->envp[i][n] == '=')
			return (job->envp[i] + n + 1);
	return (NULL);
}

/* env.NAME=VALUE, or env=NAME=VALUE: the name's start and length and
 * the value; 0, or -1 when the argument is not one of them. */
static int
exec_env_arg(const char *arg, const char **name, size_t *n,
    const char **value)
{
	const char	*eq;

	if (strncmp(arg, "env.", 4) == 0)
		*name = arg + 4;
	else if (strncmp(arg, "env=", 4) == 0)
		*name = arg + 4;
	else
		return (-1);
	if ((eq = strchr(*name, '=')) == NULL)
		eq = *name + strlen(*name);
	*n = (size_t)(eq - *name);
	*value = *eq == '=' ? eq + 1 : NULL;
	return (0);
}

/* Defaults, then env_allow= in order, then env.NAME= (which win). */
static int
exec_env_build(struct exec_job *job, struct action_result *res)
{
	const char	*arg, *eq, *name, *value;
	size_t		 n;
	int		 i;

	job->envp = xcalloc(1, sizeof *job->envp);
	exec_env_set(job, "PATH", 4, getenv("PATH") != NULL ?
	    getenv("PATH") : EXEC_DEFAULT_PATH);
	exec_env_pass(job, "HOME");
	exec_env_pass(job, "LANG");
	for (i = 0; i < job->req->argc; i++) {
		arg = job->req->argv[i];
		eq = strchr(arg, '=');
		if (strncmp(arg, "env_allow=", 10) == 0) {
			if (!exec_env_name(eq + 1, strlen(eq + 1)))
				return (executor_fail(res, "exec: env_allow="
				    "%.64s: not a variable name", eq + 1));
			exec_env_pass(job, eq + 1);
		}
	}
	for (i = 0; i < job->req->argc; i++) {
		if (exec_env_arg(job->req->argv[i], &name, &n, &value) != 0)
			continue;
		if (!exec_env_name(name, n) || value == NULL)
			return (executor_fail(res, "exec: %.64s: want "
			    "env.NAME=VALUE or env=NAME=VALUE",
			    job->req->argv[i]));
		exec_env_set(job, name, n, value);
	}
	return (0);
}

/* The program ------------------------------------------------------------ */

static int
exec_is_program(const char *path)
{
	struct stat	sb;

	return (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    access(path, X_OK) == 0);
}

/* A name with a slash is used as it is (relative to cwd=); a bare name is
 * looked up in the child's PATH, absolute directories only. */
static int
exec_resolve(struct exec_job *job, struct action_result *res)
{
	const char	*name = job->argv[0], *p, *end, *path;
	size_t		 n;

	if (strchr(name, '/') != NULL) {
		if (strlcpy_(job->path, name, sizeof job->path) >=
		    sizeof job->path)
			return (executor_fail(res, "exec failed: %s",
			    strerror(ENAMETOOLONG)));
		return (0);
	}
	if ((path = exec_env_get(job, "PATH")) == NULL)
		path = EXEC_DEFAULT_PATH;
	for (p = path; *p != '\0'; p = *end == '\0' ? end : end + 1) {
		end = strchr(p, ':');
		if (end == NULL)
			end = p + strlen(p);
		n = (size_t)(end - p);
		if (n == 0 || *p != '/')
			continue;
		if ((size_t)snprintf(job->path, sizeof job->path, "%.*s/%s",
		    (int)n, p, name) >= sizeof job->path)
			continue;
		if (exec_is_program(job->path))
			return (0);
	}
	return (executor_fail(res, "exec failed: %.64s: %s (not in PATH)",
	    name, strerror(ENOENT)));
}

static int
exec_prepare(struct exec_job *job, struct action_result *res)
{
	struct stat	 sb;
	const char	*argv[ACTION_MAX_ARGS];
	int		 argc, i;

	if (executor_check_keys(job->req, exec_keys, exec_prefixes,
	    exec_repeat, res) != 0 ||
	    (argc = executor_values(job->req, "argv", 0, argv, res)) < 0 ||
	    executor_duration(job->req, "timeout", EXEC_TIMEOUT_MS,
	    EXEC_TIMEOUT_MAX_MS, &job->timeout_ms, res) != 0 ||
	    executor_read_only(job->req, &i, res) != 0)
		return (-1);
	if (argc == 0)
		return (executor_fail(res, "exec: no argv0= (the program)"));
	if (*argv[0] == '\0')
		return (executor_fail(res, "exec: the program name is empty"));
	job->argv = xcalloc((size_t)argc + 1, sizeof *job->argv);
	for (i = 0; i < argc; i++)
		job->argv[i] = (char *)argv[i];
	job->cwd = action_arg(job->req, "cwd");
	if (job->cwd != NULL && stat(job->cwd, &sb) != 0)
		return (executor_fail(res, "exec failed: cwd %.200s: %s",
		    job->cwd, strerror(errno)));
	if (job->cwd != NULL && !S_ISDIR(sb.st_mode))
		return (executor_fail(res, "exec failed: cwd %.200s: %s",
		    job->cwd, strerror(ENOTDIR)));
	if (exec_env_build(job, res) != 0)
		return (-1);
	return (exec_resolve(job, res));
}

/* Starting --------------------------------------------------------------- */

static int
exec_actions(posix_spawn_file_actions_t *fa, const struct exec_job *job,
    int null, int wr)
{
	int	rc;

	if ((rc = posix_spawn_file_actions_adddup2(fa, null, 0)) != 0 ||
	    (rc = posix_spawn_file_actions_adddup2(fa, wr, 1)) != 0 ||
	    (rc = posix_spawn_file_actions_adddup2(fa, wr, 2)) != 0)
		return (rc);
	if (job->cwd != NULL &&
	    (rc = posix_spawn_file_actions_addchdir_np(fa, job->cwd)) != 0)
		return (rc);
	/* Every other descriptor sitrep holds (sockets, the tty) stays
	 * behind, inherited or not. */
	return (posix_spawn_file_actions_addclosefrom_np(fa, 3));
}

/* A session of its own (so a group of its own), default signal
 * dispositions (sitrep ignores SIGPIPE) and an empty signal mask. */
static int
exec_attrs(posix_spawnattr_t *at)
{
	sigset_t	none, all;

	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(at, &none);
	posix_spawnattr_setsigdefault(at, &all);
	return (posix_spawnattr_setflags(at, POSIX_SPAWN_SETSID |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF));
}

static int
exec_spawn(struct exec_job *job, struct action_result *res)
{
	posix_spawn_file_actions_t	 fa;
	posix_spawnattr_t		 at;
	int				 p[2], null, rc;

	if (pipe2(p, O_CLOEXEC) != 0)
		return (executor_fail(res, "exec failed: pipe: %s",
		    strerror(errno)));
	if ((null = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1) {
		rc = errno;
		close(p[0]);
		close(p[1]);
		return (executor_fail(res, "exec failed: /dev/null: %s",
		    strerror(rc)));
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	if ((rc = exec_actions(&fa, job, null, p[1])) == 0 &&
	    (rc = exec_attrs(&at)) == 0)
		rc = posix_spawn(&job->pid, job->path, &fa, &at, job->argv,
		    job->envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(null);
	close(p[1]);
	job->start = mono_ms();
	if (rc != 0) {
		close(p[0]);
		return (executor_fail(res, "exec failed: %.64s: %s",
		    job->argv[0], strerror(rc)));
	}
	job->fd = p[0];
	fcntl(job->fd, F_SETFL, fcntl(job->fd, F_GETFL) | O_NONBLOCK);
	return (0);
}

/* Output ----------------------------------------------------------------- */

/* Keep the last EXEC_OUTPUT_MAX bytes (compacting at twice that). */
static void
exec_keep(struct exec_job *job, const char *data, size_t len)
{
	size_t	drop;

	if (job->outlen + len > 2 * EXEC_OUTPUT_MAX) {
		drop = job->outlen + len - EXEC_OUTPUT_MAX;
		if (drop > job->outlen)
			drop = job->outlen;
		memmove(job->out, job->out + drop, job->outlen - drop);
		job->outlen -= drop;
		job->dropped += drop;
	}
	if (job->out == NULL)
		job->out = xmalloc(2 * EXEC_OUTPUT_MAX + EXEC_CHUNK);
	memcpy(job->out + job->outlen, data, len);
	job->outlen += len;
}

/* Read what the pipe holds: 1 more may come, 0 end of file. */
static int
exec_drain(struct exec_job *job)
{
	char	buf[EXEC_CHUNK];
	ssize_t	n;

	for (;;) {
		n = read(job->fd, buf, sizeof buf);
		if (n > 0) {
			action_emit(job->req, buf, (size_t)n);
			exec_keep(job, buf, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return (1);
		close(job->fd);
		job->fd = -1;
		return (0);
	}
}

/* Wait up to ms for output (or just wait, once the pipe is closed). */
static void
exec_read(struct exec_job *job, int ms)
{
	struct pollfd	pfd;

	if (job->fd == -1) {
		poll(NULL, 0, ms);
		return;
	}
	pfd.fd = job->fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (poll(&pfd, 1, ms) > 0)
		exec_drain(job);
}

/* Running ---------------------------------------------------------------- */

static void
exec_kill(struct exec_job *job, int sig)
{
	/* The program is not reaped yet, so its pid still names the group. */
	if (job->pid > 1)
		kill(-job->pid, sig);
}

/* Whether the program has ended, leaving it unreaped (WNOWAIT): 1 yes,
 * 0 no, -1 it is gone (reaped by someone else: the status is lost). */
static int
exec_ended(struct exec_job *job)
{
	siginfo_t	si;

	memset(&si, 0, sizeof si);
	if (waitid(P_PID, (id_t)job->pid, &si, WEXITED | WNOHANG |
	    WNOWAIT) != 0)
		return (errno == ECHILD ? -1 : 0);
	return (si.si_pid != 0);
}

static void
exec_deadlines(struct exec_job *job, int64_t now, const volatile int *cancel)
{
	if (job->why == EXEC_RUN && (*cancel ||
	    now - job->start >= job->timeout_ms)) {
		job->why = *cancel ? EXEC_CANCEL : EXEC_TIMEOUT;
		job->term_at = now;
		exec_kill(job, SIGTERM);
	}
	if (job->why != EXEC_RUN && !job->killed &&
	    now - job->term_at >= EXEC_KILL_GRACE_MS) {
		job->killed = 1;
		job->kill_at = now;
		exec_kill(job, SIGKILL);
	}
}

/* The program ended: kill what it left in its group, read the rest.
 * lost: it was reaped elsewhere, its pid no longer names our group. */
static void
exec_finish(struct exec_job *job, int lost)
{
	int64_t	until;

	job->ended = mono_ms();
	if (job->fd != -1 && exec_drain(job) != 0)
		job->strays = 1;	/* someone else holds the pipe */
	if (!lost)
		exec_kill(job, SIGKILL);
	until = mono_ms() + EXEC_DRAIN_MS;
	while (job->fd != -1 && mono_ms() < until)
		exec_read(job, 20);
	if (job->fd != -1) {
		job->cut = 1;		/* escaped the group, still writing */
		close(job->fd);
		job->fd = -1;
	}
	if (lost)
		return;
	while (waitpid(job->pid, &job->status, 0) == -1 && errno == EINTR)
		;
	job->reaped = 1;
}

static void
exec_wait(struct exec_job *job, const volatile int *cancel)
{
	int64_t	now;
	int	r;

	for (;;) {
		if ((r = exec_ended(job)) != 0) {
			exec_finish(job, r < 0);
			return;
		}
		now = mono_ms();
		if (job->killed && now - job->kill_at >= EXEC_ABANDON_MS) {
			job->ended = now;
			job->abandoned = 1;	/* uninterruptible: leave it */
			return;
		}
		exec_deadlines(job, now, cancel);
		exec_read(job, job->fd != -1 ? 50 : 10);
	}
}

/* The result ------------------------------------------------------------- */

static const char *
exec_signame(int sig, char *buf, size_t len)
{
	const char	*abbrev = sigabbrev_np(sig);

	if (abbrev != NULL)
		snprintf(buf, len, "SIG%s", abbrev);
	else
		snprintf(buf, len, "signal %d", sig);
	return (buf);
}

/* "exit 3" or "killed by SIGTERM". */
static void
exec_how(const struct exec_job *job, char *buf, size_t len)
{
	char	sig[32];

	if (job->abandoned)
		snprintf(buf, len, "pid %d did not die after SIGKILL "
		    "(left behind)", (int)job->pid);
	else if (!job->reaped)
		snprintf(buf, len, "ended (status lost)");
	else if (WIFEXITED(job->status))
		snprintf(buf, len, "exit %d", WEXITSTATUS(job->status));
	else if (WIFSIGNALED(job->status))
		snprintf(buf, len, "killed by %s", exec_signame(
		    WTERMSIG(job->status), sig, sizeof sig));
	else
		snprintf(buf, len, "ended");
}

static void
exec_summary(const struct exec_job *job, struct action_result *res)
{
	char	how[64], took[32], limit[32], sent[32];

	exec_how(job, how, sizeof how);
	executor_fmt_ms(took, sizeof took, res->duration_ms);
	executor_fmt_limit(limit, sizeof limit, job->timeout_ms);
	exec_signame(job->killed ? SIGKILL : SIGTERM, sent, sizeof sent);
	if (job->why == EXEC_TIMEOUT && (!job->reaped ||
	    WIFSIGNALED(job->status)))
		snprintf(res->summary, sizeof res->summary, "%s after timeout "
		    "%s", how, limit);
	else if (job->why == EXEC_TIMEOUT)
		snprintf(res->summary, sizeof res->summary, "%s after timeout "
		    "%s (%s sent)", how, limit, sent);
	else if (job->why == EXEC_CANCEL)
		snprintf(res->summary, sizeof res->summary, "cancelled: %s "
		    "after %s", how, took);
	else
		snprintf(res->summary, sizeof res->summary, "%s in %s", how,
		    took);
	if (job->strays)
		strlcpy_(res->summary + strlen(res->summary), "; killed what "
		    "it left running", sizeof res->summary -
		    strlen(res->summary));
}

static void
exec_result(struct exec_job *job, struct action_result *res)
{
	const char	*note = "";
	char		*head = NULL;

	res->duration_ms = job->ended - job->start;
	res->exit_code = job->reaped && WIFEXITED(job->status) ?
	    WEXITSTATUS(job->status) : -1;
	res->ok = job->why == EXEC_RUN && res->exit_code == 0;
	exec_summary(job, res);
	if (job->cut)
		note = "[output cut: a process outside the group still "
		    "held it]\n";
	if (job->outlen > EXEC_OUTPUT_MAX) {
		job->dropped += job->outlen - EXEC_OUTPUT_MAX;
		memmove(job->out, job->out + job->outlen - EXEC_OUTPUT_MAX,
		    EXEC_OUTPUT_MAX);
		job->outlen = EXEC_OUTPUT_MAX;
	}
	if (job->dropped > 0)
		xasprintf(&head, "[output: the first %zu bytes dropped, the "
		    "last 1 MiB kept]\n", job->dropped);
	else
		head = xstrdup("");
	/* Bytes as the program wrote them (a NUL ends the text early). */
	res->output = xmalloc(strlen(head) + job->outlen + strlen(note) + 1);
	memcpy(res->output, head, strlen(head));
	if (job->outlen > 0)
		memcpy(res->output + strlen(head), job->out, job->outlen);
	memcpy(res->output + strlen(head) + job->outlen, note,
	    strlen(note) + 1);
	free(head);
}

static void
exec_job_free(struct exec_job *job)
{
	int	i;

	for (i = 0; i < job->nenv; i++)
		free(job->envp[i]);
	free(job->envp);
	free(job->argv);
	free(job->out);
	if (job->fd != -1)
		close(job->fd);
}

static int
exec_run(void *ctx, const struct action_req *req, struct action_result *res,
    const volatile int *cancel)
{
	struct exec_job	job;
	int		rc = -1;

	memset(&job, 0, sizeof job);
	job.req = req;
	job.fd = -1;
	if (exec_prepare(&job, res) == 0 && exec_spawn(&job, res) == 0) {
		exec_wait(&job, cancel);
		exec_result(&job, res);
		rc = res->ok ? 0 : -1;
	}
	exec_job_free(&job);
	return (rc);
}

void
exec_register(struct actions *a)
{
	actions_register(a, "exec", exec_run, NULL);
}
