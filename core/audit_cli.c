/* audit_cli.c: `sitrep audit ...`, for auditors and scripts.
 *
 *   verify [--key FILE] [--anchors[=CONFIG]] [--anchor-file FILE]
 *          [--json] [TRAIL]        exit 0 intact, 1 tampered (the first
 *                                  bad record: line, seq, what), 2 error
 *   tail [-f] [-n N] [TRAIL]       records as human lines
 *   export --incident ID [--format md|json] [-o FILE] [TRAIL]
 *   unfinished [--json] [TRAIL]    runs left unfinished (resume)
 *   keygen FILE                    a new HMAC key (docs/audit.md)
 *
 * TRAIL defaults to audit.path of the configuration (-c FILE, or the
 * usual search), else $XDG_STATE_HOME/sitrep/audit.jsonl. */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit_cli.h"
#include "audit_int.h"
#include "config.h"
#include "xmalloc.h"

struct acli {
	const char	*config;	/* -c FILE */
	struct config	*cfg;		/* loaded when needed */
	char		 trail[PATH_MAX];
};

static void
acli_usage(FILE *f)
{
	fputs("usage: sitrep audit verify [--key FILE] [--anchors[=CONFIG]] "
	    "[--anchor-file FILE] [--json] [TRAIL]\n"
	    "       sitrep audit tail [-f] [-n N] [TRAIL]\n"
	    "       sitrep audit export --incident ID [--format md|json] "
	    "[-o FILE] [TRAIL]\n"
	    "       sitrep audit unfinished [--json] [TRAIL]\n"
	    "       sitrep audit keygen FILE\n"
	    "Options for all: -c FILE (the configuration: audit.path, "
	    "audit.anchors).\n"
	    "TRAIL: audit.path, else $XDG_STATE_HOME/sitrep/audit.jsonl.\n",
	    f);
}

static int
acli_config(struct acli *c, const char *explicit_path)
{
	struct error	err;
	char		path[PATH_MAX];

	if (c->cfg != NULL)
		return (0);
	if (config_find(explicit_path ? explicit_path : c->config, path,
	    sizeof path) != 0) {
		if (explicit_path == NULL && c->config == NULL)
			return (1);		/* none: fine */
		fprintf(stderr, "sitrep: %s: no such file\n", path[0] ? path :
		    "configuration");
		return (-1);
	}
	if ((c->cfg = config_load(path, &err)) == NULL) {
		fprintf(stderr, "sitrep: %s\n", err.msg);
		return (-1);
	}
	return (0);
}

/* The trail: the argument, audit.path, the default. */
static int
acli_trail(struct acli *c, int argc, char **argv)
{
	struct error	err;

	if (optind < argc) {
		strlcpy_(c->trail, argv[optind], sizeof c->trail);
		return (optind + 1 == argc ? 0 : -1);
	}
	if (acli_config(c, NULL) < 0)
		return (-1);
	if (c->cfg != NULL && c->cfg->audit.path != NULL) {
		if (config_path(c->cfg->audit.path, c->trail, sizeof c->trail,
		    &err) == 0)
			return (0);
	} else if (audit_default_path(c->trail, sizeof c->trail, &err) == 0)
		return (0);
	fprintf(stderr, "sitrep: %s\n", err.msg);
	return (-1);
}

/* verify ----------------------------------------------------------------- */

static void
acli_verify_json(const char *trail, const struct audit_verify_result *r)
{
	cJSON	*o = cJSON_CreateObject();
	char	*s;

	arec_add_raw(o, "trail", trail);
	cJSON_AddBoolToObject(o, "ok", r->ok);
	arec_add_int(o, "records", (int64_t)r->records);
	arec_add_int(o, "first_seq", (int64_t)r->first_seq);
	arec_add_int(o, "last_seq", (int64_t)r->last_seq);
	arec_add_raw(o, "head", r->head);
	arec_add_int(o, "keyed_unchecked", (int64_t)r->unkeyed);
	arec_add_int(o, "anchors", r->anchors);
	if (!r->ok) {
		arec_add_int(o, "line", r->bad_line);
		arec_add_int(o, "seq", (int64_t)r->bad_seq);
		arec_add_raw(o, "what", r->what);
		arec_add_raw(o, "detail", r->detail);
	}
	if (r->warning[0] != '\0')
		arec_add_raw(o, "warning", r->warning);
	s = cJSON_PrintUnformatted(o);
	printf("%s\n", s);
	cJSON_free(s);
	cJSON_Delete(o);
}

static void
acli_verify_text(const char *trail, const struct audit_verify_result *r)
{
	if (r->warning[0] != '\0')
		fprintf(stderr, "sitrep: warning: %s: %s\n", trail, r->warning);
	if (!r->ok) {
		printf("%s:%ld: seq %llu: %s: %s\n", trail, r->bad_line,
		    (unsigned long long)r->bad_seq, r->what, r->detail);
		return;
	}
	printf("ok: %s: %llu records", trail, (unsigned long long)r->records);
	if (r->records > 0)
		printf(" (seq %llu..%llu), head %s",
		    (unsigned long long)r->first_seq,
		    (unsigned long long)r->last_seq, r->head);
	if (r->anchors > 0)
		printf(", %d anchors agree", r->anchors);
	printf("\n");
	if (r->unkeyed > 0)
		fprintf(stderr, "sitrep: warning: %llu keyed records: their "
		    "HMACs were not checked (give --key with the original "
		    "key)\n", (unsigned long long)r->unkeyed);
}

static int
acli_verify(struct acli *c, int argc, char **argv)
{
	static const struct option	 lo[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "anchors", optional_argument, NULL, 'a' },
		{ "anchor-file", required_argument, NULL, 'F' },
		{ "json", no_argument, NULL, 'j' },
		{ "config", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	struct audit_verify_opts	 o;
	struct audit_verify_result	 r;
	struct error			 err;
	const char			*anchors = NULL;
	int				 ch, json = 0, want_anchors = 0;

	memset(&o, 0, sizeof o);
	while ((ch = getopt_long(argc, argv, "c:", lo, NULL)) != -1) {
		switch (ch) {
		case 'k':
			o.key_file = optarg;
			break;
		case 'a':
			want_anchors = 1;
			anchors = optarg;
			break;
		case 'F':
			o.anchor_file = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'c':
			c->config = optarg;
			break;
		default:
			acli_usage(stderr);
			return (2);
		}
	}
	if (acli_trail(c, argc, argv) != 0)
		return (2);
	if (want_anchors) {
		if (acli_config(c, anchors) != 0 || !c->cfg->audit.present) {
			fprintf(stderr, "sitrep: --anchors needs a configuration "
			    "with audit.anchors (-c FILE or --anchors=FILE)\n");
			return (2);
		}
		o.anchors = &c->cfg->audit;
	}
	if (audit_verify(c->trail, &o, &r, &err) != 0) {
		fprintf(stderr, "sitrep: %s\n", err.msg);
		return (2);
	}
	if (json)
		acli_verify_json(c->trail, &r);
	else
		acli_verify_text(c->trail, &r);
	return (r.ok ? 0 : 1);
}

/* tail ------------------------------------------------------------------- */

static void
acli_print(const char *line)
{
	char	*s = audit_format(line);

	printf("%s\n", s);
	free(s);
}

/* Follow the trail: new complete lines as they come; start again from
 * the top when it shrinks (replaced). */
static int
acli_follow(const char *trail, off_t off)
{
	struct timespec	 ts = { 0, 300000000 };
	struct areader	 rd;
	struct stat	 sb;

	for (;;) {
		fflush(stdout);
		nanosleep(&ts, NULL);
		if (stat(trail, &sb) != 0 || sb.st_size == off)
			continue;
		if (sb.st_size < off)
			off = 0;
		if (areader_open(&rd, trail) != 0 || fseeko(rd.f, off,
		    SEEK_SET) != 0) {
			areader_close(&rd);
			continue;
		}
		rd.next = off;
		while (areader_next(&rd) == 1 && rd.newline) {
			acli_print(rd.buf);
			off = rd.next;
		}
		areader_close(&rd);
	}
	return (0);
}

static int
acli_tail(struct acli *c, int argc, char **argv)
{
	static const struct option	 lo[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "lines", required_argument, NULL, 'n' },
		{ "config", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	struct error			 err;
	struct stat			 sb;
	char				**lines, *end;
	int				 ch, i, n, want = 20, follow = 0;

	while ((ch = getopt_long(argc, argv, "fn:c:", lo, NULL)) != -1) {
		switch (ch) {
		case 'f':
			follow = 1;
			break;
		case 'n':
			want = (int)strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || want < 1) {
				fprintf(stderr, "sitrep audit tail: -n wants a "
				    "positive number, not '%s'\n", optarg);
				return (2);
			}
			break;
		case 'c':
			c->config = optarg;
			break;
		default:
			acli_usage(stderr);
			return (2);
		}
	}
	if (want <= 0 || acli_trail(c, argc, argv) != 0) {
		acli_usage(stderr);
		return (2);
	}
	if (stat(c->trail, &sb) != 0 || audit_tail(c->trail, want, &lines, &n,
	    &err) != 0) {
		fprintf(stderr, "sitrep: %s: %s\n", c->trail, strerror(errno));
		return (2);
	}
	for (i = 0; i < n; i++)
		acli_print(lines[i]);
	audit_lines_free(lines, n);
	return (follow ? acli_follow(c->trail, sb.st_size) : 0);
}

/* export, unfinished, keygen --------------------------------------------- */

static int
acli_export(struct acli *c, int argc, char **argv)
{
	static const struct option	 lo[] = {
		{ "incident", required_argument, NULL, 'i' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "config", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	struct error			 err;
	const char			*inc = NULL, *fmt = "md", *path = NULL;
	FILE				*out = stdout;
	int				 ch, rc;

	while ((ch = getopt_long(argc, argv, "i:f:o:c:", lo, NULL)) != -1) {
		switch (ch) {
		case 'i':
			inc = optarg;
			break;
		case 'f':
			fmt = optarg;
			break;
		case 'o':
			path = optarg;
			break;
		case 'c':
			c->config = optarg;
			break;
		default:
			acli_usage(stderr);
			return (2);
		}
	}
	if (inc == NULL || acli_trail(c, argc, argv) != 0) {
		acli_usage(stderr);
		return (2);
	}
	if (path != NULL && (out = fopen(path, "we")) == NULL) {
		fprintf(stderr, "sitrep: %s: %s\n", path, strerror(errno));
		return (2);
	}
	rc = audit_export(c->trail, inc, fmt, out, &err);
	if (out != stdout && fclose(out) != 0 && rc == 0) {
		error_set(&err, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	if (rc != 0)
		fprintf(stderr, "sitrep: %s\n", err.msg);
	return (rc == 0 ? 0 : 2);
}

static void
acli_run_print(const struct audit_run *r)
{
	int	i;

	printf("%s %s: begun %s by %s (pid %d), last record %s\n",
	    r->incident, r->runbook_id, r->started ? r->started : "?",
	    r->actor ? r->actor : "?", r->pid, r->last ? r->last : "?");
	for (i = 0; i < r->nsteps; i++)
		printf("  %-3d %-24s %-10s %s\n", r->steps[i].index,
		    r->steps[i].id, r->steps[i].state ? r->steps[i].state : "?",
		    r->steps[i].note ? r->steps[i].note : "");
}

static cJSON *
acli_run_json(const struct audit_run *r)
{
	cJSON	*o = cJSON_CreateObject(), *steps, *s;
	int	 i;

	arec_add_raw(o, "incident", r->incident);
	arec_add_raw(o, "runbook", r->runbook_id);
	arec_add_raw(o, "runbook_sha256", r->runbook_sha256);
	arec_add_raw(o, "actor", r->actor);
	arec_add_int(o, "pid", r->pid);
	arec_add_raw(o, "started", r->started);
	arec_add_int(o, "outcome_unknown", r->nunknown);
	cJSON_AddItemToObject(o, "steps", steps = cJSON_CreateArray());
	for (i = 0; i < r->nsteps; i++) {
		cJSON_AddItemToArray(steps, s = cJSON_CreateObject());
		arec_add_int(s, "index", r->steps[i].index);
		arec_add_raw(s, "id", r->steps[i].id);
		arec_add_raw(s, "state", r->steps[i].state);
		arec_add_raw(s, "note", r->steps[i].note);
	}
	return (o);
}

static int
acli_unfinished(struct acli *c, int argc, char **argv)
{
	struct audit_run	*runs;
	cJSON			*a;
	char			*s;
	int			 i, n, json = argc > 1 && strcmp(argv[1],
	    "--json") == 0;

	optind += json;
	if (acli_trail(c, argc, argv) != 0)
		return (2);
	if (audit_unfinished(c->trail, &runs, &n) != 0) {
		fprintf(stderr, "sitrep: %s: %s\n", c->trail, strerror(errno));
		return (2);
	}
	a = cJSON_CreateArray();
	for (i = 0; i < n; i++) {
		if (json)
			cJSON_AddItemToArray(a, acli_run_json(&runs[i]));
		else
			acli_run_print(&runs[i]);
	}
	if (json) {
		s = cJSON_PrintUnformatted(a);
		printf("%s\n", s);
		cJSON_free(s);
	} else if (n == 0)
		printf("no unfinished run in %s\n", c->trail);
	cJSON_Delete(a);
	audit_runs_free(runs, n);
	return (0);
}

static int
acli_keygen(int argc, char **argv)
{
	struct error	err;

	if (argc != 2) {
		acli_usage(stderr);
		return (2);
	}
	if (audit_keygen(argv[1], &err) != 0) {
		fprintf(stderr, "sitrep: %s\n", err.msg);
		return (2);
	}
	printf("key written to %s (0600).  Copy it offline NOW, before sitrep "
	    "uses it: verification needs this original; the file on this "
	    "host is wound forward after every record.\n", argv[1]);
	return (0);
}

int
audit_cli(int argc, char **argv)
{
	struct acli	c;
	int		rc;

	memset(&c, 0, sizeof c);
	if (argc > 0 && strcmp(argv[0], "audit") == 0) {
		argc--;
		argv++;
	}
	if (argc < 1 || strcmp(argv[0], "--help") == 0 ||
	    strcmp(argv[0], "-h") == 0) {
		acli_usage(argc < 1 ? stderr : stdout);
		return (argc < 1 ? 2 : 0);
	}
	optind = 0;
	opterr = 1;
	if (strcmp(argv[0], "verify") == 0)
		rc = acli_verify(&c, argc, argv);
	else if (strcmp(argv[0], "tail") == 0)
		rc = acli_tail(&c, argc, argv);
	else if (strcmp(argv[0], "export") == 0)
		rc = acli_export(&c, argc, argv);
	else if (strcmp(argv[0], "unfinished") == 0) {
		optind = 1;
		rc = acli_unfinished(&c, argc, argv);
	} else if (strcmp(argv[0], "keygen") == 0)
		rc = acli_keygen(argc, argv);
	else {
		fprintf(stderr, "sitrep: audit: unknown command %s\n", argv[0]);
		acli_usage(stderr);
		rc = 2;
	}
	config_free(c.cfg);
	return (rc);
}
