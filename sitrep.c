/* sitrep.c: the entry point.  Command line, subcommands, and the wiring of
 * store, sources and console.  The top floor: nothing below includes this. */
#include <getopt.h>
#include <pwd.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "action.h"
#include "alertmanager.h"
#include "audit.h"
#include "audit_cli.h"
#include "backends.h"
#include "executors.h"
#include "config.h"
#include "connstr.h"
#include "drill_cli.h"
#include "http.h"
#include "kubernetes.h"
#include "runbook_cli.h"
#include "console.h"
#include "loop.h"
#include "screen.h"
#include "sim.h"
#include "source.h"
#include "status_cli.h"
#include "store.h"
#include "util.h"
#include "warroom.h"
#include "warroom_cli.h"
#include "xmalloc.h"

#define ALL_KINDS ((1u << SNAP__COUNT) - 1)

struct options {
	const char	*config;	/* --config FILE */
	const char	*context;	/* --context: kubeconfig context */
	const char	*audit;		/* --audit FILE: the trail */
	const char	*scenario;	/* demo scenario */
	double		 speed;
	uint64_t	 seed;
	const char	*theme;
	const char	*env;
	const char	*focus;
	int		 production;
	int		 read_only;	/* --read-only: checks only */
	int		 dry_run;	/* --dry-run: render, run nothing */
	int		 no_color;
	int		 exit_after;
	int		 refresh_ms;
	const char	*warroom;	/* --warroom URL */
	const char	*follow;	/* sitrep follow INCIDENT */
	const char	*drill;		/* sitrep drill start NAME */
};

static void
usage(FILE *f)
{
	fputs(
"usage: sitrep [options]\n"
"\n"
"A full-screen incident console for a Kubernetes / PostgreSQL / Redis\n"
"platform.  Without a configuration it opens the built-in demo world.\n"
"\n"
"options:\n"
"  -c, --config=FILE    configuration (default: $SITREP_CONFIG, ./sitrep.yaml,\n"
"                       $XDG_CONFIG_HOME/sitrep/config.yaml,\n"
"                       /etc/sitrep/config.yaml)\n"
"  -e, --env=NAME       environment of the configuration (default: its\n"
"                       default_environment, else the first)\n"
"  --context=NAME       kubeconfig context (default: the configuration's,\n"
"                       else the kubeconfig's current-context)\n"
"  --demo[=SCENARIO]    run against the simulated platform (default calm;\n"
"                       calm, oom-crashloop, replication-stall,\n"
"                       outbox-backlog, primary-lost, or a scenario file)\n"
"  --demo-speed=N       simulated seconds per real second (default 1)\n"
"  --seed=N             seed of the demo world (default: the scenario's)\n"
"  --theme=NAME         default, light, high-contrast, mono, or a file\n"
"  --no-color           no colours (also NO_COLOR=1)\n"

"  --production         mark the environment as production (red header)\n"
"  --audit=FILE         the audit trail (default: the configuration's,\n"
"                       else $XDG_STATE_HOME/sitrep/audit.jsonl)\n"
"  --read-only          runbooks run checks only: every action is refused\n"
"  --dry-run            runbooks show what each step would run, run nothing\n"
"  --focus=PANEL        panel focused at start (pods, replication, outbox,\n"
"                       circuits, alerts)\n"
"  --refresh=MS         refresh period of the sources (default 1000)\n"
"  --warroom=URL        the war room's Redis (redis://host:port[/db]; the\n"
"                       password from $SITREP_WARROOM_PASSWORD), overriding\n"
"                       the configuration's warroom: section\n"
"  --exit-after=N       leave after N data refreshes (tests, benchmarks)\n"
"  -h, --help           this text\n"
"  -V, --version        the version\n"
"\n"
"\n"
"commands:\n"
"  sitrep runbook list|show|lint|dry-run ...   the runbook library\n"
"  sitrep audit verify|tail|export|unfinished ... the audit trail\n"
"  sitrep follow INCIDENT [options]            follow an incident, read-only\n"
"  sitrep approve CODE                         approve a two-person step\n"
"  sitrep status [--tmux|--json]               one line for tmux, or JSON\n"
"  sitrep drill start|list|show|lint|report ... disaster-recovery drills\n"
"\n"
"Keys: ? in the console.  Manual: man sitrep.\n", f);
}

static int
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "context", required_argument, NULL, 'C' },
		{ "audit", required_argument, NULL, 'A' },
		{ "demo", optional_argument, NULL, 'd' },
		{ "demo-speed", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'S' },
		{ "theme", required_argument, NULL, 't' },
		{ "no-color", no_argument, NULL, 'n' },
		{ "env", required_argument, NULL, 'e' },
		{ "production", no_argument, NULL, 'P' },
		{ "read-only", no_argument, NULL, 'R' },
		{ "dry-run", no_argument, NULL, 'D' },
		{ "focus", required_argument, NULL, 'f' },
		{ "refresh", required_argument, NULL, 'r' },
		{ "exit-after", required_argument, NULL, 'x' },
		{ "warroom", required_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int	ch;

	while ((ch = getopt_long(argc, argv, "c:e:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->config = optarg;
			break;
		case 'C':
			o->context = optarg;
			break;
		case 'A':
			o->audit = optarg;
			break;
		case 'd':
			o->scenario = optarg ? optarg : "calm";
			break;
		case 's':
			o->speed = strtod(optarg, NULL);
			if (o->speed <= 0 || o->speed > 3600) {
				fprintf(stderr, "sitrep: --demo-speed must be "
				    "between 0 and 3600\n");
				return (2);
			}
			break;
		case 'S':
			o->seed = strtoull(optarg, NULL, 10);
			break;
		case 't':
			o->theme = optarg;
			break;
		case 'n':
			o->no_color = 1;
			break;
		case 'e':
			o->env = optarg;
			break;
		case 'P':
			o->production = 1;
			break;
		case 'R':
			o->read_only = 1;
			break;
		case 'D':
			o->dry_run = 1;
			break;
		case 'f':
			o->focus = optarg;
			break;
		case 'r':
			o->refresh_ms = atoi(optarg);
			if (o->refresh_ms < 100)
				o->refresh_ms = 100;
			break;
		case 'x':
			o->exit_after = atoi(optarg);
			break;
		case 'W':
			o->warroom = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("sitrep %s\n", SITREP_VERSION);
			exit(0);
		default:
			usage(stderr);
			return (2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "sitrep: unknown command '%s'\n", argv[optind]);
		usage(stderr);
		return (2);
	}
	return (0);
}

static void
on_fatal(void)
{
	screen_end();
}

static void
refresh_hook(void *arg)
{
	backends_kick(arg);
}

/* --context NAME: the kubeconfig context for this run (and Kubernetes on,
 * with the default kubeconfig, when the environment has no section). */
static void
override_context(struct config *cfg, const struct cfg_env *env,
    const char *context)
{
	int	i;

	for (i = 0; i < cfg->nenvs; i++) {
		if (&cfg->envs[i] != env)
			continue;
		free(cfg->envs[i].kubernetes.context);
		cfg->envs[i].kubernetes.context = xstrdup(context);
		cfg->envs[i].kubernetes.present = 1;
	}
}

/* The world behind the console: the demo, or the configured environment.
 * Fills set and copts; the demo world is returned in *simp. */
static int
open_world(struct options *o, struct source_set *set,
    struct console_opts *copts, struct sim **simp, struct config **cfgp,
    const struct cfg_env **envp, char *note, size_t notelen)
{
	char			 path[1024];
	struct error		 err;
	const struct cfg_env	*env;
	struct sim		*sim;

	path[0] = '\0';
	if (o->scenario == NULL && config_find(o->config, path,
	    sizeof path) == 0) {
		if ((*cfgp = config_load(path, &err)) == NULL ||
		    (env = config_env(*cfgp, o->env, &err)) == NULL) {
			fprintf(stderr, "sitrep: %s\n", err.msg);
			return (-1);
		}
		if (o->context != NULL)
			override_context(*cfgp, env, o->context);
		if (backends_open(env, set, &err) != 0) {
			fprintf(stderr, "sitrep: %s\n", err.msg);
			return (-1);
		}
		if (set->n == 0) {
			fprintf(stderr, "sitrep: %s: environment '%s' has no "
			    "sources\n", path, env->name);
			return (-1);
		}
		*envp = env;
		copts->env = env->name;
		copts->context = env->kubernetes.context;
		copts->production = env->production || o->production;
		copts->kinds = set->kinds;
		return (0);
	}
	if (o->scenario == NULL && path[0] != '\0') {
		/* --config or $SITREP_CONFIG names a file that is not there:
		 * never fall back to the demo when production was meant. */
		fprintf(stderr, "sitrep: %s: no such configuration file\n",
		    path);
		return (-1);
	}
	if (o->scenario == NULL) {
		snprintf(note, notelen, "no configuration found (sitrep.yaml, "
		    "$XDG_CONFIG_HOME/sitrep/config.yaml, ...): showing the "
		    "demo world");
		o->scenario = "calm";
	}
	/* --demo with --config: the demo world, with the configuration's
	 * audit: and warroom: sections (a team's war room for a drill). */
	if (o->config != NULL && (*cfgp = config_load(o->config, &err)) ==
	    NULL) {
		fprintf(stderr, "sitrep: %s\n", err.msg);
		return (-1);
	}
	if (o->env != NULL && strcmp(o->env, "demo") != 0) {
		fprintf(stderr, "sitrep: --env %s cannot be used with the demo "
		    "world (it is always environment 'demo')\n", o->env);
		return (-1);
	}
	if ((sim = sim_new(o->scenario, o->seed, now_ms(), &err)) == NULL) {
		fprintf(stderr, "sitrep: %s\n", err.msg);
		return (-1);
	}
	sim_set_speed(sim, o->speed);
	backends_add(set, source_new(&sim_source, "sim", ALL_KINDS,
	    o->refresh_ms, sim));
	*simp = sim;
	/* Always "demo": runbooks take their live (not simulated) steps in
	 * any other environment, and the demo must never reach real systems. */
	copts->env = "demo";
	copts->production = o->production;
	copts->demo = sim_scenario_name(sim);
	copts->demo_speed = o->speed;
	copts->kinds = set->kinds;
	return (0);
}

/* "user@host", as the audit trail and the silences name the operator. */
static void
operator_name(char *buf, size_t len)
{
	struct passwd	*pw = getpwuid(getuid());
	char		 host[256];

	if (gethostname(host, sizeof host) != 0)
		strlcpy_(host, "localhost", sizeof host);
	host[sizeof host - 1] = '\0';
	snprintf(buf, len, "%s@%s", pw != NULL ? pw->pw_name : "unknown",
	    host);
}

/* The action guard: silences and other actions outside a runbook get their
 * intent recorded (fsync'ed) before they run, their result after. */
static int
guard_intent(void *arg, const struct action_req *req, char *err,
    size_t errlen)
{
	struct error	e;

	if (arg == NULL) {
		snprintf(err, errlen, "the audit trail is not open");
		return (-1);
	}
	if (audit_action_intent(arg, NULL, req, &e) != 0) {
		snprintf(err, errlen, "%s", e.msg);
		return (-1);
	}
	return (0);
}

static void
guard_result(void *arg, const struct action_req *req,
    const struct action_result *res)
{
	if (arg != NULL)
		audit_action_result(arg, NULL, req, res);
}

/* Open the trail; without one nothing may change the world, so the run is
 * read-only and the status bar says why. */
static struct audit *
open_audit(struct options *o, struct config *cfg, const struct cfg_env *env,
    struct console_opts *copts, struct actions *actions, char *note,
    size_t notelen)
{
	struct audit_opts	ao;
	struct audit		*audit;
	struct error		 err;

	memset(&ao, 0, sizeof ao);
	ao.path = o->audit;
	ao.cfg = cfg != NULL ? &cfg->audit : NULL;
	ao.env = copts->env;
	ao.production = copts->production;
	if ((audit = audit_open(&ao, &err)) == NULL) {
		snprintf(note, notelen, "audit trail unavailable (%s): "
		    "read-only, every action is refused", err.msg);
		copts->read_only = 1;
		actions_set_guard(actions, guard_intent, guard_result, NULL);
		return (NULL);
	}
	audit_register_actions(audit, actions);
	actions_set_guard(actions, guard_intent, guard_result, audit);
	copts->audit_fn = audit_engine_event;
	copts->audit_arg = audit;
	copts->audit_trail = audit_path(audit);
	(void)env;
	return (audit);
}

/* The war room's settings from --warroom URL (defaults as the
 * configuration's section has them). */
static int
warroom_from_url(const char *url, struct cfg_warroom *w, char *why,
    size_t len)
{
	memset(w, 0, sizeof *w);
	w->redis.port = 6379;
	if (connstr_redis(url, &w->redis, why, len) != 0)
		return (-1);
	w->redis.url = xstrdup(url);
	if (getenv("SITREP_WARROOM_PASSWORD") != NULL)
		w->redis.password_env = xstrdup("SITREP_WARROOM_PASSWORD");
	w->prefix = xstrdup("sitrep:");
	w->maxlen = 10000;
	w->presence_ttl_ms = 15000;
	w->approval_ttl_ms = 300000;
	w->present = 1;
	return (0);
}

static void
warroom_url_free(struct cfg_warroom *w)
{
	free(w->redis.url);
	free(w->redis.host);
	free(w->redis.username);
	free(w->redis.password_env);
	free(w->prefix);
}

static void
warroom_tap(void *arg, const char *incident, const char *line)
{
	if (incident != NULL)
		warroom_publish(arg, incident, line);
}

static void
warroom_wake(void *arg)
{
	store_wake(arg);
}

/* The war room, when --warroom or the configuration names one.  NULL
 * (and a note when it was asked for) otherwise. */
static struct warroom *
open_warroom(struct options *o, struct config *cfg, struct cfg_warroom *own,
    const struct wr_identity *self, struct store *store, char *note,
    size_t len)
{
	const struct cfg_warroom	*wc = NULL;
	struct warroom_opts		 wo;
	struct warroom			*wr;
	struct error			 err;
	char				 why[256];

	if (o->warroom != NULL) {
		if (warroom_from_url(o->warroom, own, why, sizeof why) != 0) {
			snprintf(note, len, "--warroom %s: %s", o->warroom,
			    why);
			return (NULL);
		}
		wc = own;
	} else if (cfg != NULL && cfg->warroom.present)
		wc = &cfg->warroom;
	if (wc == NULL)
		return (NULL);
	memset(&wo, 0, sizeof wo);
	wo.cfg = wc;
	wo.self = self;
	wo.wake = warroom_wake;
	wo.wake_arg = store;
	if ((wr = warroom_new(&wo, &err)) == NULL)
		snprintf(note, len, "war room: %s", err.msg);
	return (wr);
}

static int
run_console(struct options *o)
{
	struct store		*store;
	struct sim		*sim = NULL;
	struct config		*cfg = NULL;
	const struct cfg_env	*env = NULL;
	struct source_set	 set;
	struct console		*con;
	struct console_opts	 copts;
	struct console_hooks	 hooks;
	struct actions		*actions;
	struct audit		*audit;
	struct warroom		*wr;
	struct cfg_warroom	 wrown;
	struct wr_identity	 self;
	char			 note[256], startup[256], operator[320];
	char			 auditnote[512], wrnote[320];
	int			 status, i;

	memset(&set, 0, sizeof set);
	memset(&copts, 0, sizeof copts);
	startup[0] = '\0';
	if (open_world(o, &set, &copts, &sim, &cfg, &env, startup,
	    sizeof startup) != 0) {
		backends_stop(&set, 0);
		config_free(cfg);
		return (1);
	}
	copts.theme = o->theme;
	copts.read_only = o->read_only;
	copts.dry_run = o->dry_run;
	copts.exit_after = o->exit_after;
	copts.focus = o->focus;
	copts.follow = o->follow;
	copts.drill = o->drill;
	if (screen_init(note, sizeof note) != 0) {
		fprintf(stderr, "sitrep: %s\n", note);
		backends_stop(&set, 0);
		sim_free(sim);
		config_free(cfg);
		return (1);
	}
	xfatal_set_hook(on_fatal);
	if (o->no_color)
		screen_force_mono(1);
	store = store_new();
	actions = actions_new(store);
	audit = open_audit(o, cfg, env, &copts, actions, auditnote,
	    sizeof auditnote);
	executors_register(actions, env);
	if (sim != NULL) {
		sim_register_actions(sim, actions);
		sim_register_queries(sim, actions);
	}
	for (i = 0; i < set.n; i++) {
		alertmanager_register_actions(set.src[i], actions);
		kubernetes_register_actions(set.src[i], actions);
	}
	backends_start(&set, store);
	operator_name(operator, sizeof operator);
	wr_identity_self(&self);
	memset(&wrown, 0, sizeof wrown);
	wrnote[0] = '\0';
	if ((wr = open_warroom(o, cfg, &wrown, &self, store, wrnote,
	    sizeof wrnote)) != NULL && audit != NULL)
		audit_set_tap(audit, warroom_tap, wr);
	memset(&hooks, 0, sizeof hooks);
	hooks.wr = wr;
	hooks.self = &self;
	hooks.audit = audit;
	hooks.arg = &set;
	hooks.refresh = refresh_hook;
	hooks.actions = actions;
	hooks.operator = operator;
	con = console_new(store, &copts, &hooks);
	if (startup[0] != '\0')
		console_message(con, 0, startup);
	if (note[0] != '\0')
		console_message(con, 1, note);
	if (audit == NULL)
		console_message(con, 1, auditnote);
	if (wrnote[0] != '\0')
		console_message(con, 1, wrnote);
	status = console_run(con);
	screen_end();
	console_free(con);
	/* A worker or action stuck in a call keeps its store, world and
	 * configuration: leave them to the exit. */
	if (actions_free(actions, 300) == 0) {
		if (audit != NULL)
			audit_set_tap(audit, NULL, NULL);
		audit_close(audit);
		warroom_free(wr);
		warroom_url_free(&wrown);
		if (backends_stop(&set, 500) == 0) {
			sim_free(sim);
			store_free(store);
			config_free(cfg);
		}
	}
	return (status);
}

/* The commands that open the console: sitrep [options], sitrep follow
 * INCIDENT [options], sitrep drill start NAME [options]; the other drill
 * commands are drill_cli's. */
static int
console_command(int argc, char **argv, struct options *o)
{
	int	skip = 0;

	if (argc > 2 && strcmp(argv[1], "follow") == 0 &&
	    (strcmp(argv[2], "-h") == 0 || strcmp(argv[2], "--help") == 0)) {
		printf("usage: sitrep follow INCIDENT [options]\n\n"
		    "The console, on the follow view of INCIDENT (read-only):\n"
		    "its runbook progress live through the war room.  Takes\n"
		    "the console's options (sitrep --help), --warroom first.\n");
		exit(0);
	}
	if (argc > 3 && strcmp(argv[1], "drill") == 0 &&
	    strcmp(argv[2], "start") == 0 && (strcmp(argv[3], "-h") == 0 ||
	    strcmp(argv[3], "--help") == 0)) {
		printf("usage: sitrep drill start NAME [options]\n\n"
		    "The console, on the drill board of NAME (sitrep drill\n"
		    "list).  Takes the console's options (sitrep --help).\n");
		exit(0);
	}
	if (argc > 1 && strcmp(argv[1], "follow") == 0) {
		if (argc < 3 || argv[2][0] == '-') {
			fprintf(stderr, "usage: sitrep follow INCIDENT "
			    "[options]\n");
			return (2);
		}
		o->follow = argv[2];
		skip = 2;
	} else if (argc > 1 && strcmp(argv[1], "drill") == 0) {
		if (argc < 3 || strcmp(argv[2], "start") != 0)
			exit(drill_cli(argc - 1, argv + 1));
		if (argc < 4 || argv[3][0] == '-') {
			fprintf(stderr, "usage: sitrep drill start NAME "
			    "[options]\n");
			return (2);
		}
		o->drill = argv[3];
		skip = 3;
	}
	return (parse_options(argc - skip, argv + skip, o));
}

int
main(int argc, char **argv)
{
	struct options	o;
	int		rc;

	setlocale(LC_ALL, "");
	if (argc > 1 && strcmp(argv[1], "runbook") == 0)
		return (runbook_cli(argc - 1, argv + 1));
	if (argc > 1 && strcmp(argv[1], "audit") == 0)
		return (audit_cli(argc - 1, argv + 1));
	if (argc > 1 && strcmp(argv[1], "approve") == 0)
		return (warroom_cli(argc - 1, argv + 1));
	if (argc > 1 && strcmp(argv[1], "status") == 0)
		return (status_cli(argc - 1, argv + 1));
	memset(&o, 0, sizeof o);
	o.speed = 1;
	o.refresh_ms = 1000;
	if ((rc = console_command(argc, argv, &o)) != 0)
		return (rc);
	if (http_global_init() != 0) {
		fprintf(stderr, "sitrep: cannot initialise libcurl\n");
		return (1);
	}
	loop_signals_init();
	return (run_console(&o));
}
