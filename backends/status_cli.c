/* status_cli.c: `sitrep status`, for tmux's status-right and for scripts.
 *
 *   sitrep status [--tmux|--json|--plain] [--no-color] [-c FILE] [-e NAME]
 *                 [--demo[=SCENARIO] [--seed=N] [--at=DURATION]]
 *                 [--timeout=DURATION] [--cache=DURATION]
 *
 * Opens the same world as the console (the configured environment, or the
 * demo), starts its sources on a store and waits, on the store's wake pipe,
 * until every kind has its first snapshot or failure, or the deadline.
 * Then it prints and stops the sources without waiting on a hung one: a
 * worker stuck in a call is left to the exit, with the world it uses.
 *
 * The output is kept in $XDG_RUNTIME_DIR/sitrep/status-HASH (else the
 * state directory), 0600, replaced by rename, and served while younger
 * than --cache: several tmux clients ask every few seconds. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "backends.h"
#include "config.h"
#include "http.h"
#include "incident.h"
#include "sim.h"
#include "status.h"
#include "status_cli.h"
#include "xmalloc.h"

#define ALL_KINDS	((1u << SNAP__COUNT) - 1)
#define STOP_WAIT_MS	50	/* past the deadline, for the workers */
#define CACHE_MAX	65536

enum scli_mode { MODE_TMUX, MODE_JSON, MODE_PLAIN };

struct scli {
	enum scli_mode	 mode;
	int		 color;
	const char	*config;	/* -c FILE */
	const char	*env;		/* -e NAME */
	const char	*scenario;	/* --demo[=SCENARIO], NULL: configured */
	uint64_t	 seed;
	int64_t		 at_s;		/* --at: the demo advanced first */
	int64_t		 timeout_ms;
	int64_t		 cache_ms;

	char		 path[PATH_MAX];	/* the configuration */
	char		 cache[PATH_MAX];	/* "" = no cache */
	struct config	*cfg;
	const struct cfg_env *cenv;
	struct sim	*sim;
	struct source_set set;
	struct store	*store;
	struct status	 st;
};

static void
scli_usage(FILE *f)
{
	fputs(
"usage: sitrep status [--tmux|--json|--plain] [options]\n"
"\n"
"The state of the world in one line for tmux's status-right (--tmux, the\n"
"default), as JSON for scripts (--json) or as a few lines (--plain).\n"
"\n"
"options:\n"
"  -c, --config=FILE    configuration (default: as the console)\n"
"  -e, --env=NAME       environment of the configuration\n"
"  --demo[=SCENARIO]    the demo world (calm, oom-crashloop,\n"
"                       replication-stall, outbox-backlog, primary-lost,\n"
"                       or a scenario file)\n"
"  --seed=N             seed of the demo world\n"
"  --at=DURATION        advance the demo world by DURATION first (5m)\n"
"  --timeout=DURATION   total deadline (default 2s; 500ms, 2s, 1m)\n"
"  --cache=DURATION     serve the last output while younger (default 5s,\n"
"                       0 = off)\n"
"  --no-color           no tmux colours in the line (also NO_COLOR=1)\n"
"  -h, --help           this text\n"
"\n"
"A source that failed or did not answer in time shows as NAME:? (its\n"
"error in --plain and --json).  Exit 0 printed, 1 configuration error,\n"
"2 usage.\n", f);
}

/* "500ms", "2s", "1.5s", "2" (seconds), "1m", "1h" -> ms; -1 on error. */
static int64_t
scli_ms(const char *s)
{
	char	*end;
	double	 v;

	if (s == NULL || *s == '\0' || *s == '-')
		return (-1);
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || !isfinite(v) || v < 0 || v > 86400e3)
		return (-1);
	if (strcmp(end, "ms") == 0)
		return ((int64_t)v);
	if (*end == '\0' || strcmp(end, "s") == 0)
		return ((int64_t)(v * 1000));
	if (strcmp(end, "m") == 0)
		return ((int64_t)(v * 60000));
	if (strcmp(end, "h") == 0)
		return ((int64_t)(v * 3600000));
	return (-1);
}

static int
scli_bad(const char *opt, const char *arg)
{
	fprintf(stderr, "sitrep status: %s: bad value '%s'\n", opt, arg);
	return (2);
}

/* 0, 2 on a usage error, -1 after --help. */
static int
scli_options(int argc, char **argv, struct scli *c)
{
	static const struct option longopts[] = {
		{ "tmux", no_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'J' },
		{ "plain", no_argument, NULL, 'P' },
		{ "no-color", no_argument, NULL, 'n' },
		{ "config", required_argument, NULL, 'c' },
		{ "env", required_argument, NULL, 'e' },
		{ "demo", optional_argument, NULL, 'd' },
		{ "seed", required_argument, NULL, 'S' },
		{ "at", required_argument, NULL, 'a' },
		{ "timeout", required_argument, NULL, 't' },
		{ "cache", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char	*end;
	int	 ch;

	while ((ch = getopt_long(argc, argv, "c:e:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'T':
			c->mode = MODE_TMUX;
			break;
		case 'J':
			c->mode = MODE_JSON;
			break;
		case 'P':
			c->mode = MODE_PLAIN;
			break;
		case 'n':
			c->color = 0;
			break;
		case 'c':
			c->config = optarg;
			break;
		case 'e':
			c->env = optarg;
			break;
		case 'd':
			c->scenario = optarg != NULL ? optarg : "calm";
			break;
		case 'S':
			errno = 0;
			/* NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker): --seed requires an argument */
			c->seed = strtoull(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || *optarg == '-')
				return (scli_bad("--seed", optarg));
			break;
		case 'a':
			if ((c->at_s = scli_ms(optarg)) < 0 ||
			    c->at_s > 86400 * 1000)
				return (scli_bad("--at", optarg));
			c->at_s /= 1000;
			break;
		case 't':
			if ((c->timeout_ms = scli_ms(optarg)) <= 0)
				return (scli_bad("--timeout", optarg));
			break;
		case 'k':
			if ((c->cache_ms = scli_ms(optarg)) < 0)
				return (scli_bad("--cache", optarg));
			break;
		case 'h':
			scli_usage(stdout);
			return (-1);
		default:
			scli_usage(stderr);
			return (2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "sitrep status: unexpected '%s'\n",
		    argv[optind]);
		scli_usage(stderr);
		return (2);
	}
	if (c->scenario == NULL && (c->seed != 0 || c->at_s != 0)) {
		fprintf(stderr, "sitrep status: --seed and --at need --demo\n");
		return (2);
	}
	return (0);
}

/* The world ---------------------------------------------------------------- */

/* Which world: the configuration's path, or the demo.  Never the demo in
 * place of a missing configuration: a status line must not show a
 * simulated world when a real one was meant. */
static int
scli_target(struct scli *c)
{
	if (c->scenario != NULL) {
		if (c->env != NULL && strcmp(c->env, "demo") != 0) {
			fprintf(stderr, "sitrep status: --env %s cannot be "
			    "used with the demo world\n", c->env);
			return (-1);
		}
		return (0);
	}
	if (config_find(c->config, c->path, sizeof c->path) == 0)
		return (0);
	if (c->path[0] != '\0')
		fprintf(stderr, "sitrep status: %s: no such configuration "
		    "file\n", c->path);
	else
		fprintf(stderr, "sitrep status: no configuration found (-c "
		    "FILE, or --demo)\n");
	return (-1);
}

static int
scli_open(struct scli *c)
{
	struct error	err;

	if (c->scenario != NULL) {
		if ((c->sim = sim_new(c->scenario, c->seed, now_ms(),
		    &err)) == NULL)
			goto fail;
		sim_advance(c->sim, (int)c->at_s);
		backends_add(&c->set, source_new(&sim_source, "sim", ALL_KINDS,
		    1000, c->sim));
		strlcpy_(c->st.env, "demo", sizeof c->st.env);
		return (0);
	}
	if ((c->cfg = config_load(c->path, &err)) == NULL ||
	    (c->cenv = config_env(c->cfg, c->env, &err)) == NULL ||
	    backends_open(c->cenv, &c->set, &err) != 0)
		goto fail;
	if (c->set.n == 0) {
		fprintf(stderr, "sitrep status: %s: environment '%s' has no "
		    "sources\n", c->path, c->cenv->name);
		return (-1);
	}
	strlcpy_(c->st.env, c->cenv->name, sizeof c->st.env);
	return (0);
fail:
	fprintf(stderr, "sitrep status: %s\n", err.msg);
	return (-1);
}

/* Every kind fed has had its first snapshot or failure. */
static int
scli_answered(struct store *store, unsigned kinds)
{
	int	k;

	for (k = 0; k < SNAP__COUNT; k++)
		if ((kinds & (1u << k)) && store_generation(store, k) == 0)
			return (0);
	return (1);
}

static void
scli_wait(struct store *store, unsigned kinds, int64_t deadline)
{
	struct pollfd	pfd;
	int64_t		left;

	pfd.fd = store_wake_fd(store);
	pfd.events = POLLIN;
	while (!scli_answered(store, kinds) &&
	    (left = deadline - mono_ms()) > 0) {
		if (poll(&pfd, 1, (int)left) > 0)
			store_drain(store);
	}
}

/* A kind whose source never reported: name the source that feeds it. */
static void
scli_names(struct scli *c)
{
	struct status_kind	*sk;
	int			 i, k;

	for (k = 0; k < SNAP__COUNT; k++) {
		sk = &c->st.k[k];
		for (i = 0; i < c->set.n && sk->source[0] == '\0'; i++)
			if (c->set.src[i]->kinds & (1u << k))
				strlcpy_(sk->source, c->set.src[i]->name,
				    sizeof sk->source);
	}
}

/* The trail the console writes: audit.path, else the default. */
static void
scli_incident(struct scli *c)
{
	struct error	err;
	char		trail[PATH_MAX];

	if (c->cfg != NULL && c->cfg->audit.path != NULL) {
		if (config_path(c->cfg->audit.path, trail, sizeof trail,
		    &err) != 0)
			return;
	} else if (audit_default_path(trail, sizeof trail, &err) != 0)
		return;
	status_incident(trail, c->st.env, c->st.time_ms, &c->st);
}

/* The cache ---------------------------------------------------------------- */

static uint64_t
scli_fnv(uint64_t h, const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return ((h ^ 0xff) * 1099511628211ULL);	/* ends every field */
}

/* mkdir -p, 0700 for what is created. */
static int
scli_mkdirs(char *dir)
{
	char	*p, ch;

	for (p = dir + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		ch = *p;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			*p = ch;
			return (-1);
		}
		if ((*p = ch) == '\0')
			return (0);
	}
}

/* The cache file of this world and form; "" when there is nowhere. */
static void
scli_cache_path(struct scli *c)
{
	const char	*run = getenv("XDG_RUNTIME_DIR");
	char		 dir[PATH_MAX - 64], real[PATH_MAX], num[64];
	uint64_t	 h = 14695981039346656037ULL;

	c->cache[0] = '\0';
	if (c->cache_ms == 0)
		return;
	if (run != NULL && run[0] == '/')
		snprintf(dir, sizeof dir, "%s/sitrep", run);
	else if (incident_state_dir(dir, sizeof dir) != 0)
		return;
	if (scli_mkdirs(dir) != 0)
		return;
	h = scli_fnv(h, c->scenario != NULL ? "demo" : realpath(c->path,
	    real) != NULL ? real : c->path);
	h = scli_fnv(h, c->env);
	h = scli_fnv(h, c->scenario);
	snprintf(num, sizeof num, "%d %d %llu %lld", (int)c->mode, c->color,
	    (unsigned long long)c->seed, (long long)c->at_s);
	h = scli_fnv(h, num);
	snprintf(c->cache, sizeof c->cache, "%s/status-%016llx", dir,
	    (unsigned long long)h);
}

/* Print the cached output if it is ours and young enough; 0 when done. */
static int
scli_cache_read(const struct scli *c)
{
	struct stat	 sb;
	char		 buf[CACHE_MAX];
	int64_t		 age;
	ssize_t		 n;
	int		 fd;

	if (c->cache[0] == '\0' ||
	    (fd = open(c->cache, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return (-1);
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_uid != getuid() || (sb.st_mode & 077) != 0)
		goto fail;
	age = now_ms() - ((int64_t)sb.st_mtim.tv_sec * 1000 +
	    sb.st_mtim.tv_nsec / 1000000);
	if (age < 0 || age >= c->cache_ms)
		goto fail;
	if ((n = read(fd, buf, sizeof buf)) <= 0 || n == sizeof buf)
		goto fail;
	close(fd);
	return (fwrite(buf, 1, (size_t)n, stdout) == (size_t)n ? 0 : -1);
fail:
	close(fd);
	return (-1);
}

/* Write atomically: a temporary file (0600) renamed over the cache. */
static void
scli_cache_write(const struct scli *c, const char *out)
{
	char	tmp[PATH_MAX + 16];
	size_t	len = strlen(out);
	int	fd;

	if (c->cache[0] == '\0' || len >= CACHE_MAX)
		return;
	snprintf(tmp, sizeof tmp, "%s.XXXXXX", c->cache);
	if ((fd = mkstemp(tmp)) == -1)
		return;
	if (fchmod(fd, 0600) != 0 || write(fd, out, len) != (ssize_t)len ||
	    close(fd) != 0 || rename(tmp, c->cache) != 0) {
		unlink(tmp);
		return;
	}
}

/* The run ------------------------------------------------------------------ */

static char *
scli_format(struct scli *c)
{
	char	*s, *out;

	switch (c->mode) {
	case MODE_JSON:
		s = status_fmt_json(&c->st);
		break;
	case MODE_PLAIN:
		return (status_fmt_plain(&c->st));
	default:
		s = status_fmt_tmux(&c->st, c->color);
		break;
	}
	xasprintf(&out, "%s\n", s);
	free(s);
	return (out);
}

/* Stop the sources, waiting at most until the deadline plus a little.  A
 * worker left in a call keeps the world, the store and the configuration,
 * and may be inside libcurl, libpq or OpenSSL: leave at once with _exit,
 * not through the exit handlers that would tear those down under it (the
 * output is flushed already). */
static void
scli_stop(struct scli *c, int64_t deadline)
{
	int64_t	wait = deadline + STOP_WAIT_MS - mono_ms();

	if (wait > STOP_WAIT_MS)
		wait = STOP_WAIT_MS;
	if (backends_stop(&c->set, wait > 0 ? (int)wait : 0) != 0)
		_exit(0);
	sim_free(c->sim);
	store_free(c->store);
	config_free(c->cfg);
}

static int
scli_run(struct scli *c, int64_t deadline)
{
	unsigned	 kinds;
	char		*out;

	if (scli_open(c) != 0) {
		backends_stop(&c->set, 0);
		sim_free(c->sim);
		config_free(c->cfg);
		return (1);
	}
	if (c->cenv != NULL && http_global_init() != 0) {
		fprintf(stderr, "sitrep status: cannot initialise libcurl\n");
		return (1);
	}
	kinds = c->set.kinds;
	c->store = store_new();
	backends_start(&c->set, c->store);
	scli_wait(c->store, kinds, deadline);
	c->st.time_ms = now_ms();
	status_collect(c->store, kinds, &c->st);
	scli_names(c);
	scli_incident(c);
	out = scli_format(c);
	scli_cache_write(c, out);
	fputs(out, stdout);
	fflush(stdout);
	free(out);
	scli_stop(c, deadline);
	return (0);
}

int
status_cli(int argc, char **argv)
{
	struct scli	 c;
	const char	*nc = getenv("NO_COLOR");
	int64_t		 start = mono_ms();
	int		 rc;

	memset(&c, 0, sizeof c);
	c.color = nc == NULL || nc[0] == '\0';
	c.timeout_ms = 2000;
	c.cache_ms = 5000;
	if ((rc = scli_options(argc, argv, &c)) != 0)
		return (rc < 0 ? 0 : rc);
	signal(SIGPIPE, SIG_IGN);
	if (scli_target(&c) != 0)
		return (1);
	scli_cache_path(&c);
	if (scli_cache_read(&c) == 0)
		return (0);
	return (scli_run(&c, start + c.timeout_ms));
}
