/* runbook_cli.c: `sitrep runbook list|show|lint|dry-run`.
 *
 *   list [--json]                 id, severity, title, alerts
 *   show ID|FILE                  the steps in order, rendered with the
 *                                 defaults (unset values read {{name}})
 *   lint [FILE|DIR...]            every problem as FILE:LINE:COL; exit 1
 *   dry-run ID|FILE [--incident INC-...] [--env NAME] [--production]
 *           [name=value...]       every step rendered, nothing run
 *
 * Runbooks come from $SITREP_RUNBOOKS (':'-separated directories), else
 * runbooks/ in the data directories.  --test-no-perm-check (tests only)
 * skips the refusal of group- or world-writable files. */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "engine.h"
#include "runbook.h"
#include "runbook_cli.h"
#include "xmalloc.h"

#define CLI_INCIDENT	"INC-00000000-0000"

struct cli {
	int		 flags;
	int		 json;
	const char	*incident;
	const char	*env;
	int		 production;
	char		**rest;		/* positional arguments */
	int		 nrest;
};

static void
cli_usage(FILE *f)
{
	fputs("usage: sitrep runbook list [--json]\n"
	    "       sitrep runbook show ID|FILE\n"
	    "       sitrep runbook lint [FILE|DIR...]\n"
	    "       sitrep runbook dry-run ID|FILE "
	    "[--incident INC-YYYYMMDD-NNNN]\n"
	    "           [--env NAME] [--production] [name=value...]\n"
	    "Runbooks: $SITREP_RUNBOOKS (dirs separated by ':'), else "
	    "runbooks/ in the data directories.\n", f);
}

static void
cli_diags(const struct rb_diags *d)
{
	char	line[1200];
	int	i;

	for (i = 0; i < d->n; i++) {
		rb_diag_format(&d->v[i], line, sizeof line);
		printf("%s\n", line);
	}
}

/* The problems of file (NULL: all), on stderr. */
static void
cli_diags_of(const struct rb_diags *d, const char *file)
{
	char	line[1200];
	int	i;

	for (i = 0; i < d->n; i++) {
		if (file != NULL && strcmp(d->v[i].file, file) != 0)
			continue;
		rb_diag_format(&d->v[i], line, sizeof line);
		fprintf(stderr, "%s\n", line);
	}
}

static int
cli_is_path(const char *s)
{
	size_t	n = strlen(s);

	return (strchr(s, '/') != NULL || (n > 5 && strcmp(s + n - 5,
	    ".yaml") == 0) || (n > 4 && strcmp(s + n - 4, ".yml") == 0));
}

/* list ------------------------------------------------------------------- */

static void
cli_list_json(const struct rb_library *lib)
{
	cJSON	*arr = cJSON_CreateArray(), *o, *alerts;
	char	*s;
	int	 i, j;

	for (i = 0; i < lib->n; i++) {
		const struct runbook	*rb = lib->v[i];

		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", rb->id.s ? rb->id.s : "");
		cJSON_AddStringToObject(o, "severity",
		    rb_severity_name(rb->severity));
		cJSON_AddStringToObject(o, "title", rb->title.s ? rb->title.s :
		    "");
		cJSON_AddStringToObject(o, "path", rb->path);
		cJSON_AddNumberToObject(o, "problems", rb->nproblems);
		alerts = cJSON_AddArrayToObject(o, "alerts");
		for (j = 0; j < rb->nalerts; j++)
			cJSON_AddItemToArray(alerts,
			    cJSON_CreateString(rb->alerts[j].s));
		cJSON_AddItemToArray(arr, o);
	}
	if ((s = cJSON_Print(arr)) != NULL)
		printf("%s\n", s);
	cJSON_free(s);
	cJSON_Delete(arr);
}

static int
cli_list(struct cli *c)
{
	struct rb_diags		 d;
	struct rb_library	*lib;
	int			 i, j, bad = 0;

	rb_diags_init(&d);
	lib = rb_library_load(NULL, 0, c->flags, &d);
	if (c->json)
		cli_list_json(lib);
	else
		printf("%-28s %-4s %-40s %s\n", "ID", "SEV", "TITLE", "ALERTS");
	for (i = 0; i < lib->n && !c->json; i++) {
		const struct runbook	*rb = lib->v[i];

		printf("%-28s %-4s %-40.40s ", rb->id.s ? rb->id.s : "?",
		    rb_severity_name(rb->severity), rb->title.s ? rb->title.s :
		    "");
		for (j = 0; j < rb->nalerts; j++)
			printf("%s%s", j ? ", " : "", rb->alerts[j].s);
		printf("%s\n", rb->nproblems ? "  (has problems)" : "");
	}
	bad = d.n;
	if (bad > 0)
		fprintf(stderr, "sitrep: %d problem%s in the library; see "
		    "sitrep runbook lint\n", bad, bad == 1 ? "" : "s");
	rb_library_free(lib);
	rb_diags_free(&d);
	return (0);
}

/* lint ------------------------------------------------------------------- */

static int
cli_lint_one(const char *path, int flags, struct rb_diags *d, int *files)
{
	struct rb_library	*lib;
	struct runbook		*rb;
	struct stat		 st;
	char			*dirs[1];

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		dirs[0] = (char *)path;
		lib = rb_library_load(dirs, 1, flags, d);
		*files += lib->n;
		rb_library_free(lib);
		return (0);
	}
	(*files)++;
	rb = runbook_load(path, flags, d);
	runbook_free(rb);
	return (0);
}

static int
cli_lint(struct cli *c)
{
	struct rb_diags		 d;
	struct rb_library	*lib;
	int			 i, files = 0;

	rb_diags_init(&d);
	if (c->nrest == 0) {
		char	*dirs[16];
		int	 n = runbook_dirs(dirs, 16);

		if (n == 0) {
			fprintf(stderr, "sitrep: no runbook directory "
			    "($SITREP_RUNBOOKS or runbooks/)\n");
			return (1);
		}
		lib = rb_library_load(dirs, n, c->flags, &d);
		files = lib->n;
		rb_library_free(lib);
		for (i = 0; i < n; i++)
			free(dirs[i]);
	}
	for (i = 0; i < c->nrest; i++)
		cli_lint_one(c->rest[i], c->flags, &d, &files);
	cli_diags(&d);
	fprintf(stderr, "%d runbook%s, %d problem%s\n", files, files == 1 ?
	    "" : "s", d.n, d.n == 1 ? "" : "s");
	i = d.n > 0 || files == 0;
	rb_diags_free(&d);
	return (i);
}

/* show, dry-run ---------------------------------------------------------- */

/* The runbook a path or a library id names, and in *lib the library that
 * holds it (NULL for a path): the caller frees both with cli_free().  NULL
 * when there is none, with nothing left to free. */
static struct runbook *
cli_load(const struct cli *c, const char *what, struct rb_library **lib)
{
	struct rb_diags		 d;
	struct runbook		*rb = NULL;
	const struct runbook	*found;

	rb_diags_init(&d);
	*lib = NULL;
	if (cli_is_path(what))
		rb = runbook_load(what, c->flags, &d);
	else {
		*lib = rb_library_load(NULL, 0, c->flags, &d);
		if ((found = rb_library_find(*lib, what)) == NULL) {
			fprintf(stderr, "sitrep: no runbook '%s' (sitrep "
			    "runbook list)\n", what);
			rb_library_free(*lib);
			*lib = NULL;
		}
		rb = (struct runbook *)found;
	}
	if (rb != NULL && rb->nproblems > 0) {
		fprintf(stderr, "sitrep: %s has problems:\n", rb->path);
		cli_diags_of(&d, rb->path);
	} else if (rb == NULL && cli_is_path(what))
		cli_diags_of(&d, NULL);
	rb_diags_free(&d);
	return (rb);
}

static void
cli_free(struct runbook *rb, struct rb_library *lib)
{
	if (lib != NULL)
		rb_library_free(lib);
	else
		runbook_free(rb);
}

static void
cli_header(const struct runbook *rb)
{
	size_t	n;
	int	i;

	printf("%s  %s  %s\n", rb->id.s, rb_severity_name(rb->severity),
	    rb->title.s);
	printf("  file: %s (sha256 %.16s...)\n", rb->path, rb->sha256);
	if (rb->summary.s != NULL) {
		n = strlen(rb->summary.s);
		while (n > 0 && rb->summary.s[n - 1] == '\n')
			n--;
		printf("  %.*s\n", (int)n, rb->summary.s);
	}
	for (i = 0; i < rb->nalerts; i++)
		printf("%s%s", i ? ", " : "  alerts: ", rb->alerts[i].s);
	if (rb->nalerts)
		printf("\n");
	for (i = 0; i < rb->nparams; i++) {
		const struct rb_param	*p = &rb->params[i];

		printf("%s  %-16s %-8s%s%s%s%s%s%s\n", i ? "" :
		    "parameters:\n", p->name.s, rb_ptype_name(p->type),
		    p->required ? " required" : "", p->secret ? " secret" : "",
		    p->def.s ? " default=" : "", p->def.s ? p->def.s : "",
		    p->from.s ? " from=" : "", p->from.s ? p->from.s : "");
	}
}

static void
cli_step(void *arg, int i, const struct engine_render *r, const char *err)
{
	const struct runbook	*rb = arg;
	const struct rb_step	*s = &rb->steps[i];
	int			 k;

	printf("%2d. %-7s %s: %s", i + 1, rb_step_kind_name(s->kind),
	    s->id.s, r != NULL && r->title ? r->title : "");
	if (s->when.s != NULL)
		printf("  [when %s]", s->when.s);
	if (s->danger_high)
		printf("  [danger: high, type %s]", r && r->target ? r->target :
		    "?");
	if (s->two_person)
		printf("  [two-person]");
	printf("\n");
	if (err != NULL) {
		printf("      ! %s\n", err);
		return;
	}
	if (r == NULL)
		return;
	for (k = 0; k < r->nlines; k++)
		printf("      %s\n", r->lines[k]);
	if (r->instructions != NULL)
		printf("      %s\n", r->instructions);
	for (k = 0; k < r->noptions; k++)
		printf("      (%d) %s\n", k + 1, r->options[k]);
}

static struct engine *
cli_engine(const struct cli *c, const struct runbook *rb)
{
	struct engine_opts	 o;
	struct error		 err;
	struct engine		*e;

	memset(&o, 0, sizeof o);
	o.incident = c->incident ? c->incident : CLI_INCIDENT;
	o.env_name = c->env;
	o.production = c->production;
	o.dry_run = 1;
	if ((e = engine_new(rb, NULL, &o, &err)) == NULL)
		fprintf(stderr, "sitrep: %s\n", err.msg);
	return (e);
}

static int
cli_show(struct cli *c, int dry)
{
	struct rb_library	*lib;
	struct runbook		*rb;
	struct engine		*e;
	struct error		 err;
	int			 i, rc = 0;

	if (c->nrest < 1) {
		cli_usage(stderr);
		return (2);
	}
	if ((rb = cli_load(c, c->rest[0], &lib)) == NULL)
		return (1);
	if (rb->nproblems > 0 || (e = cli_engine(c, rb)) == NULL) {
		cli_free(rb, lib);
		return (1);
	}
	for (i = 1; i < c->nrest && rc == 0; i++) {
		char	*eq = strchr(c->rest[i], '=');

		if (eq == NULL) {
			fprintf(stderr, "sitrep: '%s' is not name=value\n",
			    c->rest[i]);
			rc = 2;
			break;
		}
		*eq = '\0';
		if (engine_set_param(e, c->rest[i], eq + 1, &err) != 0) {
			fprintf(stderr, "sitrep: %s\n", err.msg);
			rc = 2;
		}
	}
	if (rc == 0 && dry && engine_begin(e, &err) != 0) {
		fprintf(stderr, "sitrep: %s\n", err.msg);
		rc = 2;
	}
	for (i = 0; !dry && i < rb->nparams; i++)
		if (rb->params[i].def.s != NULL)
			engine_set_param(e, rb->params[i].name.s,
			    rb->params[i].def.s, &err);
	if (rc == 0) {
		cli_header(rb);
		printf("steps%s:\n", dry ? " (dry run: nothing is run)" : "");
		rc = engine_dry_run(e, cli_step, rb) > 0 ? 1 : 0;
	}
	engine_free(e);
	cli_free(rb, lib);
	return (rc);
}

/* Arguments -------------------------------------------------------------- */

static int
cli_args(struct cli *c, int argc, char **argv)
{
	int	i;

	c->rest = xcalloc(argc + 1, sizeof *c->rest);
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--test-no-perm-check") == 0)
			c->flags |= RB_NO_PERM_CHECK;
		else if (strcmp(argv[i], "--json") == 0)
			c->json = 1;
		else if (strcmp(argv[i], "--production") == 0)
			c->production = 1;
		else if (strcmp(argv[i], "--incident") == 0 && i + 1 < argc)
			c->incident = argv[++i];
		else if (strcmp(argv[i], "--env") == 0 && i + 1 < argc)
			c->env = argv[++i];
		else if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0)
			return (1);
		else if (argv[i][0] == '-' && argv[i][1] == '-') {
			fprintf(stderr, "sitrep: unknown option %s\n", argv[i]);
			return (-1);
		} else
			c->rest[c->nrest++] = argv[i];
	}
	return (0);
}

int
runbook_cli(int argc, char **argv)
{
	struct cli	 c;
	const char	*cmd;
	int		 rc;

	if (argc > 0 && strcmp(argv[0], "runbook") == 0) {
		argc--;
		argv++;
	}
	memset(&c, 0, sizeof c);
	if (argc < 1) {
		cli_usage(stderr);
		return (2);
	}
	if (strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "--help") == 0) {
		cli_usage(stdout);
		return (0);
	}
	cmd = argv[0];
	if ((rc = cli_args(&c, argc - 1, argv + 1)) != 0) {
		cli_usage(rc > 0 ? stdout : stderr);
		free(c.rest);
		return (rc > 0 ? 0 : 2);
	}
	if (strcmp(cmd, "list") == 0)
		rc = cli_list(&c);
	else if (strcmp(cmd, "lint") == 0)
		rc = cli_lint(&c);
	else if (strcmp(cmd, "show") == 0)
		rc = cli_show(&c, 0);
	else if (strcmp(cmd, "dry-run") == 0)
		rc = cli_show(&c, 1);
	else {
		cli_usage(stderr);
		rc = 2;
	}
	free(c.rest);
	return (rc);
}
