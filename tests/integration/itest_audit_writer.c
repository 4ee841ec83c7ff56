/* itest_audit_writer.c: a driver for tests/integration/audit.sh.
 *
 *   append TRAIL N [KEY]         N note records (several of these run at
 *                                once: the flock + tail re-read keeps the
 *                                chain whole)
 *   run TRAIL SIDE N [LIMIT]     N runbook runs through the real engine:
 *                                one action step whose executor appends
 *                                its token to SIDE, only after the intent
 *                                record was written (N = 0: forever, for
 *                                SIGKILL).  LIMIT: RLIMIT_FSIZE in bytes
 *                                (SIGXFSZ ignored): runs until the intent
 *                                is refused, prints the refusal, exit 0 if
 *                                refused with a clear reason
 *   anchor CONFIG TRAIL N        N notes with the config's audit: anchors
 *                                (and mirror), then close (final anchor);
 *                                prints "appended N in MS ms"
 *   mirror CONFIG TRAIL          no new record: wait (at most 20 s) until
 *                                the mirror's cursor reaches the trail's
 *                                last record
 *   cli ARGS...                  audit_cli(ARGS): `sitrep audit ARGS`
 *
 * Exit 0 on success; messages on stderr. */
#include <sys/resource.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "action.h"
#include "audit.h"
#include "audit_cli.h"
#include "config.h"
#include "engine.h"
#include "runbook.h"
#include "store.h"
#include "util.h"

#define INC	"INC-20261121-0042"

static const char rb_yaml[] =
"id: side-effect\ntitle: Side effect\nseverity: P3\n"
"parameters:\n  - {name: token, type: string, pattern: '^[a-z0-9-]+$'}\n"
"steps:\n"
"  - id: append\n    kind: action\n    title: Append the token\n"
"    exec:\n      argv: [append, '{{token}}']\n";

static const char *side_path;

static int
usage(void)
{
	fprintf(stderr, "usage: itest_audit_writer append TRAIL N [KEY] | "
	    "run TRAIL SIDE N [LIMIT] | anchor CONFIG TRAIL N | "
	    "mirror CONFIG TRAIL | cli ARGS...\n");
	return (2);
}

static struct audit *
open_trail(const char *trail, const char *key, const struct cfg_audit *cfg)
{
	struct audit_opts	 o;
	struct audit		*a;
	struct error		 err;

	memset(&o, 0, sizeof o);
	o.path = trail;
	o.key_file = key;
	o.cfg = cfg;
	o.incident = INC;
	o.env = "test";
	if ((a = audit_open(&o, &err)) == NULL) {
		fprintf(stderr, "audit_open: %s\n", err.msg);
		exit(1);
	}
	return (a);
}

static int
do_append(int argc, char **argv)
{
	struct audit	*a;
	struct error	 err;
	char		 text[128];
	int		 i, n;

	if (argc < 4)
		return (usage());
	a = open_trail(argv[2], argc > 4 ? argv[4] : NULL, NULL);
	n = atoi(argv[3]);
	for (i = 1; i <= n; i++) {
		snprintf(text, sizeof text, "pid %ld note %d", (long)getpid(),
		    i);
		if (audit_note(a, INC, text, &err) != 0) {
			fprintf(stderr, "append %d: %s\n", i, err.msg);
			return (1);
		}
	}
	audit_close(a);
	return (0);
}

/* The "exec" executor: append token (argv=TOKEN, the second argv) to the
 * side file.  It runs only once the engine has its intent recorded. */
static int
side_action(void *ctx, const struct action_req *req, struct action_result *res,
    const volatile int *cancel)
{
	const char	*tok = NULL;
	char		 line[256];
	int		 i, fd, n, seen = 0;

	for (i = 0; i < req->argc; i++)
		if (strncmp(req->argv[i], "argv=", 5) == 0 && seen++ == 1)
			tok = req->argv[i] + 5;
	if (tok == NULL || (fd = open(side_path, O_WRONLY | O_APPEND |
	    O_CREAT, 0600)) == -1) {
		snprintf(res->summary, sizeof res->summary, "no side file");
		return (-1);
	}
	n = snprintf(line, sizeof line, "%s\n", tok);
	if (write(fd, line, n) != n) {
		close(fd);
		snprintf(res->summary, sizeof res->summary, "write failed");
		return (-1);
	}
	close(fd);
	res->ok = 1;
	res->output = strdup(line);
	snprintf(res->summary, sizeof res->summary, "appended");
	return (0);
}

static void
settle(struct store *st, struct actions *acts, struct engine *e)
{
	struct pollfd	pfd = { store_wake_fd(st), POLLIN, 0 };
	int		i;

	for (i = 0; i < 1000 && actions_running(acts) > 0; i++) {
		poll(&pfd, 1, 10);
		store_drain(st);
	}
	actions_collect(acts);
	engine_poll(e);
}

/* One run; 0, or -1 and why when the step was refused. */
static int
one_run(struct audit *a, const struct runbook *rb, struct store *st,
    struct actions *acts, int k, char *why, size_t len)
{
	struct engine_opts	 o;
	struct engine		*e;
	struct error		 err;
	char			 tok[64];
	int			 rc = -1;

	memset(&o, 0, sizeof o);
	o.incident = INC;
	o.env_name = "test";
	if ((e = engine_new(rb, acts, &o, &err)) == NULL) {
		snprintf(why, len, "engine: %s", err.msg);
		return (-1);
	}
	engine_subscribe(e, audit_engine_event, a);
	snprintf(tok, sizeof tok, "tok-%ld-%d", (long)getpid(), k);
	if (engine_set_param(e, "token", tok, &err) != 0 ||
	    engine_begin(e, &err) != 0 || engine_current(e) != 0 ||
	    engine_confirm(e, 0, NULL, NULL, &err) != 0)
		snprintf(why, len, "setup: %s", err.msg);
	else if (engine_start(e, 0, &err) != 0)
		snprintf(why, len, "%s (%s)", err.msg, audit_error(a));
	else {
		settle(st, acts, e);
		rc = 0;
	}
	engine_free(e);
	return (rc);
}

static int
do_run(int argc, char **argv)
{
	struct rb_diags	 d;
	struct runbook	*rb;
	struct store	*st;
	struct actions	*acts;
	struct audit	*a;
	struct rlimit	 rl;
	char		 why[512];
	int		 n, k, rc;

	if (argc < 5)
		return (usage());
	side_path = argv[3];
	n = atoi(argv[4]);
	rb_diags_init(&d);
	if ((rb = runbook_parse(rb_yaml, sizeof rb_yaml - 1, "side.yaml",
	    &d)) == NULL || d.n > 0) {
		fprintf(stderr, "runbook does not parse\n");
		return (1);
	}
	st = store_new();
	acts = actions_new(st);
	actions_register(acts, "exec", side_action, NULL);
	a = open_trail(argv[2], NULL, NULL);
	if (argc > 5) {
		signal(SIGXFSZ, SIG_IGN);
		rl.rlim_cur = rl.rlim_max = strtoull(argv[5], NULL, 10);
		if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
			return (1);
	}
	rc = argc > 5 ? 1 : 0;		/* with a limit, it must refuse */
	for (k = 1; n == 0 || k <= n; k++) {
		if (one_run(a, rb, st, acts, k, why, sizeof why) == 0)
			continue;
		printf("run %d refused: %s\n", k, why);
		rc = argc > 5 && strstr(why, "file size limit") != NULL ? 0 : 1;
		break;
	}
	audit_close(a);
	actions_free(acts, 1000);
	store_free(st);
	runbook_free(rb);
	rb_diags_free(&d);
	return (rc);
}

static int
do_anchor(int argc, char **argv)
{
	struct config	*cfg;
	struct audit	*a;
	struct error	 err;
	int64_t		 t0;
	int		 i, n;

	if (argc < 5)
		return (usage());
	if ((cfg = config_load(argv[2], &err)) == NULL) {
		fprintf(stderr, "%s\n", err.msg);
		return (1);
	}
	a = open_trail(argv[3], NULL, &cfg->audit);
	n = atoi(argv[4]);
	t0 = mono_ms();
	for (i = 1; i <= n; i++) {
		if (audit_note(a, INC, "anchored note", &err) != 0) {
			fprintf(stderr, "%s\n", err.msg);
			return (1);
		}
	}
	printf("appended %d in %lld ms\n", n, (long long)(mono_ms() - t0));
	audit_close(a);
	config_free(cfg);
	return (0);
}

/* The seq of the last record of trail (0: none). */
static unsigned long long
last_seq(const char *trail)
{
	struct error		 err;
	char			**lines, *p;
	unsigned long long	 seq = 0;
	int			 n;

	if (audit_tail(trail, 1, &lines, &n, &err) != 0)
		return (0);
	if (n == 1 && (p = strstr(lines[0], "\"seq\":")) != NULL)
		seq = strtoull(p + 6, NULL, 10);
	audit_lines_free(lines, n);
	return (seq);
}

static int
do_mirror(int argc, char **argv)
{
	struct audit_opts	 o;
	struct config		*cfg;
	struct audit		*a;
	struct error		 err;
	char			 cursor[4200];
	unsigned long long	 want, got = 0;
	FILE			*f;
	int64_t			 until = mono_ms() + 20000;

	if (argc < 4)
		return (usage());
	if ((cfg = config_load(argv[2], &err)) == NULL) {
		fprintf(stderr, "%s\n", err.msg);
		return (1);
	}
	memset(&o, 0, sizeof o);
	o.path = argv[3];
	o.cfg = &cfg->audit;
	o.no_session = 1;
	if ((a = audit_open(&o, &err)) == NULL) {
		fprintf(stderr, "audit_open: %s\n", err.msg);
		return (1);
	}
	want = last_seq(argv[3]);
	snprintf(cursor, sizeof cursor, "%s.mirror", argv[3]);
	while (got < want && mono_ms() < until) {
		usleep(100000);
		if ((f = fopen(cursor, "r")) != NULL) {
			if (fscanf(f, "%llu", &got) != 1)
				got = 0;
			fclose(f);
		}
	}
	audit_close(a);
	config_free(cfg);
	printf("mirrored up to seq %llu of %llu\n", got, want);
	return (got >= want ? 0 : 1);
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		return (usage());
	if (strcmp(argv[1], "append") == 0)
		return (do_append(argc, argv));
	if (strcmp(argv[1], "run") == 0)
		return (do_run(argc, argv));
	if (strcmp(argv[1], "anchor") == 0)
		return (do_anchor(argc, argv));
	if (strcmp(argv[1], "mirror") == 0)
		return (do_mirror(argc, argv));
	if (strcmp(argv[1], "cli") == 0)
		return (audit_cli(argc - 2, argv + 2));
	return (usage());
}
