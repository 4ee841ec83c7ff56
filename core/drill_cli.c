/* drill_cli.c: `sitrep drill list|show|lint|report` (drill_cli.h).  The
 * runbook library is read to check each drill's references (inject,
 * runbook, rpo_at); the report reads the audit trail only. */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "drill.h"
#include "drill_cli.h"
#include "drill_report.h"
#include "xmalloc.h"

struct dcli {
	int	 flags;		/* RB_NO_PERM_CHECK */
	int	 json;
	char	*audit;
	char	*format;
	char	*out;
	char	*rest[64];
	int	 nrest;
};

static int
dcli_usage_to(FILE *f, int rc)
{
	fprintf(f, "usage: sitrep drill list [--json]\n"
	    "       sitrep drill show NAME|FILE\n"
	    "       sitrep drill lint [FILE|DIR...]\n"
	    "       sitrep drill report ID [--audit TRAIL] [--format md|json] "
	    "[-o FILE]\n"
	    "       sitrep drill start NAME [options]   (the console)\n");
	return (rc);
}

static int
dcli_usage(void)
{
	return (dcli_usage_to(stderr, 2));
}

int
drill_cli_is_start(int argc, char **argv, const char **name)
{
	if (argc < 3 || strcmp(argv[1], "start") != 0 || argv[2][0] == '-')
		return (0);
	*name = argv[2];
	return (1);
}

static int
dcli_args(struct dcli *c, int argc, char **argv)
{
	int	i;

	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			c->json = 1;
		else if (strcmp(argv[i], "--test-no-perm-check") == 0)
			c->flags |= RB_NO_PERM_CHECK;
		else if ((strcmp(argv[i], "--audit") == 0 ||
		    strcmp(argv[i], "--format") == 0 ||
		    strcmp(argv[i], "-o") == 0) && i + 1 < argc) {
			if (argv[i][1] == 'o')
				c->out = argv[++i];
			else if (argv[i][2] == 'a')
				c->audit = argv[++i];
			else
				c->format = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "sitrep drill: unknown option %s\n",
			    argv[i]);
			return (-1);
		} else if (c->nrest < 64)
			c->rest[c->nrest++] = argv[i];
	}
	return (0);
}

static void
dcli_diags(const struct rb_diags *d)
{
	char	line[1200];
	int	i;

	for (i = 0; i < d->n; i++) {
		rb_diag_format(&d->v[i], line, sizeof line);
		fprintf(stderr, "%s\n", line);
	}
}

static struct rb_library *
dcli_runbooks(int flags)
{
	struct rb_diags		 ignore;
	struct rb_library	*lib;

	rb_diags_init(&ignore);
	lib = rb_library_load(NULL, 0, flags, &ignore);
	rb_diags_free(&ignore);
	return (lib);
}

/* lint --------------------------------------------------------------------- */

static void
dcli_lint_one(char *path, const struct dcli *c, const struct rb_library *rbl,
    struct rb_diags *d, int *files)
{
	struct drill_library	*lib;
	struct drill		*dr;
	struct stat		 st;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		lib = drill_library_load_from(&path, 1, c->flags, rbl, d);
		*files += lib->n;
		drill_library_free(lib);
		return;
	}
	(*files)++;
	if ((dr = drill_load(path, c->flags, d)) != NULL)
		drill_check_refs(dr, rbl, d);
	drill_free(dr);
}

static int
dcli_lint(const struct dcli *c)
{
	struct rb_diags		 d;
	struct rb_library	*rbl = dcli_runbooks(c->flags);
	struct drill_library	*lib;
	int			 i, files = 0;

	rb_diags_init(&d);
	if (c->nrest == 0) {
		lib = drill_library_load(NULL, 0, c->flags, rbl, &d);
		files = lib->n;
		drill_library_free(lib);
	}
	for (i = 0; i < c->nrest; i++)
		dcli_lint_one(c->rest[i], c, rbl, &d, &files);
	dcli_diags(&d);
	fprintf(stderr, "%d drill%s, %d problem%s\n", files, files == 1 ?
	    "" : "s", d.n, d.n == 1 ? "" : "s");
	i = d.n > 0 || files == 0;
	rb_diags_free(&d);
	rb_library_free(rbl);
	return (i);
}

/* list, show ----------------------------------------------------------------- */

static int
dcli_list(const struct dcli *c)
{
	struct drill_library	*lib;
	cJSON			*a = cJSON_CreateArray(), *o;
	char			*s;
	int			 i;

	lib = drill_library_load(NULL, 0, c->flags, NULL, NULL);
	for (i = 0; i < lib->n; i++) {
		const struct drill	*d = lib->v[i];

		if (d->id.s == NULL)
			continue;
		if (!c->json) {
			printf("%-24s %-17s %s%s\n", d->id.s,
			    drill_type_name(d->type), d->title.s ?
			    d->title.s : "", d->nproblems ? "  (problems: "
			    "sitrep drill lint)" : "");
			continue;
		}
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", d->id.s);
		cJSON_AddStringToObject(o, "type", drill_type_name(d->type));
		cJSON_AddStringToObject(o, "title", d->title.s ? d->title.s :
		    "");
		cJSON_AddStringToObject(o, "file", d->path);
		cJSON_AddBoolToObject(o, "ok", d->nproblems == 0);
		cJSON_AddItemToArray(a, o);
	}
	if (c->json) {
		s = cJSON_Print(a);
		printf("%s\n", s);
		free(s);
	}
	cJSON_Delete(a);
	drill_library_free(lib);
	return (0);
}

static void
dcli_show_list(const char *what, const struct rb_str *v, int n)
{
	int	i;

	if (n > 0)
		printf("%s:\n", what);
	for (i = 0; i < n; i++)
		printf("  - %s\n", v[i].s);
}

static void
dcli_show_ref(const char *what, const struct drill_ref *r)
{
	int	i;

	if (r->runbook.s == NULL)
		return;
	printf("%s: runbook %s, step", what, r->runbook.s);
	for (i = 0; i < r->nsteps; i++)
		printf("%s %s", i ? "," : "", r->steps[i].s);
	printf("%s%s\n", r->standby.s ? ", standby " : "",
	    r->standby.s ? r->standby.s : "");
}

static void
dcli_show(const struct drill *d)
{
	int	i;

	printf("%s: %s (%s)\n", d->id.s ? d->id.s : "?",
	    d->title.s ? d->title.s : "", drill_type_title(d->type));
	printf("scenario: %.*s\n", d->scenario.s ? (int)strcspn(d->scenario.s,
	    "\n") : 0, d->scenario.s ? d->scenario.s : "");
	printf("targets: RTO %d min", d->rto_min);
	if (d->rpo_s >= 0)
		printf(", RPO %lld s", d->rpo_s);
	if (d->rpo_bytes >= 0)
		printf(", RPO %lld bytes", d->rpo_bytes);
	printf("\n");
	dcli_show_list("success criteria", d->criteria, d->ncriteria);
	dcli_show_list("pre-drill", d->pre, d->npre);
	dcli_show_ref("inject", &d->inject);
	printf("response: runbook %s\n", d->runbook.s ? d->runbook.s : "?");
	dcli_show_ref("rpo at", &d->rpo_at);
	printf("healthy when: %s\n", d->healthy.s ? d->healthy.s : "?");
	for (i = 0; i < d->nphases; i++) {
		char	what[160];

		snprintf(what, sizeof what, "phase %d %s: %s (target %d min)",
		    i + 1, d->phases[i].id.s ? d->phases[i].id.s : "?",
		    d->phases[i].title.s ? d->phases[i].title.s : "",
		    d->phases[i].target_min);
		printf("%s\n", what);
		dcli_show_list("  checklist", d->phases[i].checklist,
		    d->phases[i].nchecklist);
	}
	dcli_show_list("post-drill", d->post, d->npost);
}

static int
dcli_show_cmd(const struct dcli *c)
{
	struct drill_library	*lib = NULL;
	struct drill		*own = NULL;
	const struct drill	*d;
	struct rb_diags		 diags;
	int			 rc = 0;

	if (c->nrest != 1)
		return (dcli_usage());
	rb_diags_init(&diags);
	if (strchr(c->rest[0], '/') != NULL || strstr(c->rest[0], ".y"))
		d = own = drill_load(c->rest[0], c->flags, &diags);
	else {
		lib = drill_library_load(NULL, 0, c->flags, NULL, NULL);
		d = drill_library_find(lib, c->rest[0]);
	}
	dcli_diags(&diags);
	if (d == NULL) {
		fprintf(stderr, "sitrep: no drill %s (sitrep drill list)\n",
		    c->rest[0]);
		rc = 1;
	} else
		dcli_show(d);
	rb_diags_free(&diags);
	drill_free(own);
	drill_library_free(lib);
	return (rc);
}

/* report ------------------------------------------------------------------- */

static int
dcli_report(const struct dcli *c)
{
	struct drill_report	*rep;
	struct error		 err;
	char			 trail[4096];
	FILE			*out = stdout;
	int			 rc;

	if (c->nrest != 1)
		return (dcli_usage());
	if (c->format != NULL && strcmp(c->format, "md") != 0 &&
	    strcmp(c->format, "json") != 0) {
		fprintf(stderr, "sitrep: --format md or json\n");
		return (2);
	}
	if (c->audit != NULL)
		snprintf(trail, sizeof trail, "%s", c->audit);
	else if (audit_default_path(trail, sizeof trail, &err) != 0) {
		fprintf(stderr, "sitrep: %s\n", err.msg);
		return (2);
	}
	if ((rep = drill_report_read(trail, c->rest[0], &err)) == NULL) {
		fprintf(stderr, "sitrep: %s\n", err.msg);
		return (strstr(err.msg, "no drill") != NULL ? 1 : 2);
	}
	if (c->out != NULL && (out = fopen(c->out, "w")) == NULL) {
		fprintf(stderr, "sitrep: %s: %s\n", c->out, strerror(errno));
		drill_report_free(rep);
		return (2);
	}
	if (c->format != NULL && strcmp(c->format, "json") == 0)
		rc = drill_report_json(rep, out);
	else
		rc = drill_report_md(rep, out);
	if (out != stdout && fclose(out) != 0)
		rc = -1;
	drill_report_free(rep);
	if (rc != 0)
		fprintf(stderr, "sitrep: %s: write failed\n", c->out ?
		    c->out : "stdout");
	return (rc != 0 ? 2 : 0);
}

int
drill_cli(int argc, char **argv)
{
	struct dcli	 c;
	const char	*cmd;

	if (argc < 2)
		return (dcli_usage());
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		return (dcli_usage_to(stdout, 0));
	memset(&c, 0, sizeof c);
	cmd = argv[1];
	if (dcli_args(&c, argc, argv) != 0)
		return (2);
	if (strcmp(cmd, "list") == 0)
		return (dcli_list(&c));
	if (strcmp(cmd, "show") == 0)
		return (dcli_show_cmd(&c));
	if (strcmp(cmd, "lint") == 0)
		return (dcli_lint(&c));
	if (strcmp(cmd, "report") == 0)
		return (dcli_report(&c));
	if (strcmp(cmd, "start") == 0)
		fprintf(stderr, "sitrep drill start NAME opens the console\n");
	return (dcli_usage());
}
