/* warroom_cli.c: `sitrep approve` (warroom_cli.h).
 *
 * The request is printed whole (every line of what will run, every live
 * figure, who asked and from where, the time left) with control
 * characters made visible: it comes from Redis, and anyone who can write
 * there could otherwise send escapes to the approver's terminal.  The
 * approver's own audit record is on disk before the answer is sent; if
 * the trail cannot be written nothing is answered. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "config.h"
#include "connstr.h"
#include "warroom.h"
#include "warroom_cli.h"
#include "xmalloc.h"

struct cli_opts {
	const char	*config;
	const char	*url;
	const char	*audit;
	const char	*reason;
	const char	*code;
	int		 reject;
	int		 yes;
};

/* The war room and audit settings in use, and what they came from. */
struct cli_cfg {
	struct config		*cfg;		/* or NULL */
	struct cfg_warroom	 own;		/* from --warroom */
	const struct cfg_warroom *wr;
};

static const char cli_usage[] =
"usage: sitrep approve [options] CODE\n"
"\n"
"Approve (or reject) a two-person step another engineer requested in the\n"
"war room.  The request is shown in full; the answer is recorded in your\n"
"own audit trail first, then sent.\n"
"\n"
"  -c, --config FILE    the configuration (its warroom: and audit:\n"
"                       sections)\n"
"      --warroom URL    the war room's Redis (redis://host:port[/db]);\n"
"                       password from $SITREP_WARROOM_PASSWORD\n"
"      --audit FILE     your audit trail (default: the configured one,\n"
"                       else ~/.local/state/sitrep/audit.jsonl)\n"
"      --reject[=WHY]   reject it (no question asked)\n"
"      --yes            approve without asking\n"
"  -h, --help           this text\n"
"\n"
"Exit status: 0 answered as asked, 1 an error or not answered, 2 usage.\n";

static int
cli_parse(int argc, char **argv, struct cli_opts *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "warroom", required_argument, NULL, 'W' },
		{ "audit", required_argument, NULL, 'A' },
		{ "reject", optional_argument, NULL, 'R' },
		{ "yes", no_argument, NULL, 'y' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int	ch;

	memset(o, 0, sizeof *o);
	optind = 0;
	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': o->config = optarg; break;
		case 'W': o->url = optarg; break;
		case 'A': o->audit = optarg; break;
		case 'R': o->reject = 1; o->reason = optarg; break;
		case 'y': o->yes = 1; break;
		case 'h':
			fputs(cli_usage, stdout);
			return (0);
		default:
			fputs(cli_usage, stderr);
			return (2);
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "sitrep approve: %s\n%s", optind >= argc ?
		    "no CODE" : "one CODE only", cli_usage);
		return (2);
	}
	o->code = argv[optind];
	return (-1);
}

/* The configuration, then --warroom over its warroom: section. */
static int
cli_config(const struct cli_opts *o, struct cli_cfg *c, struct error *err)
{
	const struct cfg_warroom	*base = NULL;
	char				 path[1024], why[128];

	memset(c, 0, sizeof *c);
	path[0] = '\0';
	if (config_find(o->config, path, sizeof path) == 0) {
		if ((c->cfg = config_load(path, err)) == NULL)
			return (-1);
		if (c->cfg->warroom.present)
			base = c->wr = &c->cfg->warroom;
	} else if (path[0] != '\0') {
		error_set(err, "%s: no such configuration file", path);
		return (-1);
	}
	if (o->url == NULL) {
		if (c->wr == NULL)
			error_set(err, "no war room: give --warroom URL or a "
			    "warroom: section in the configuration");
		return (c->wr != NULL ? 0 : -1);
	}
	if (base != NULL)
		c->own = *base;
	memset(&c->own.redis, 0, sizeof c->own.redis);
	c->own.redis.port = 6379;
	if (base != NULL) {
		c->own.redis.connect_timeout_ms = base->redis.connect_timeout_ms;
		c->own.redis.timeout_ms = base->redis.timeout_ms;
		c->own.redis.password_env = base->redis.password_env;
		c->own.redis.password_file = base->redis.password_file;
	} else if (getenv("SITREP_WARROOM_PASSWORD") != NULL)
		c->own.redis.password_env = "SITREP_WARROOM_PASSWORD";
	if (connstr_redis(o->url, &c->own.redis, why, sizeof why) != 0) {
		error_set(err, "--warroom %s: %s", o->url, why);
		return (-1);
	}
	c->own.redis.url = (char *)o->url;
	c->own.present = 1;
	c->wr = &c->own;
	return (0);
}

static void
cli_config_free(struct cli_cfg *c)
{
	/* The strings of own other than host and username are borrowed. */
	free(c->own.redis.host);
	free(c->own.redis.username);
	config_free(c->cfg);
}

/* Printing ---------------------------------------------------------------- */

/* s with control characters as \xNN. */
static void
cli_put(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			fprintf(f, "\\x%02x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
}

static void
cli_field(FILE *f, const char *name, const char *value)
{
	fprintf(f, "  %-11s", name);
	cli_put(f, value);
	fputc('\n', f);
}

static void
cli_list(FILE *f, const char *title, char *const *v, int n)
{
	int	i;

	fprintf(f, "\n  %s\n", title);
	if (n == 0)
		fprintf(f, "    (none given)\n");
	for (i = 0; i < n; i++) {
		fputs("    ", f);
		cli_put(f, v[i]);
		fputc('\n', f);
	}
}

static void
cli_show(FILE *f, const struct wr_request *r)
{
	const struct wr_identity	*q = &r->requester;
	char				 buf[768], left[32], at[16];

	fprintf(f, "Two-person approval requested: %s\n\n", r->code);
	cli_field(f, "incident", r->incident);
	cli_field(f, "runbook", r->runbook);
	snprintf(buf, sizeof buf, "%d %s", r->step + 1, r->step_id);
	cli_field(f, "step", buf);
	cli_field(f, "title", r->title);
	snprintf(buf, sizeof buf, "%s@%s (uid %u, host %s, ssh %s, tty %s, "
	    "pid %d, session %s)", q->user, q->host, q->uid, q->host,
	    q->ssh[0] != '\0' ? q->ssh : "none (local)", q->tty[0] != '\0' ?
	    q->tty : "none", q->pid, q->session);
	cli_field(f, "requester", buf);
	fmt_duration(left, sizeof left, (double)(r->expires_ms - now_ms()) /
	    1000.0);
	fmt_clock_utc(at, sizeof at, r->expires_ms);
	snprintf(buf, sizeof buf, "in %s (%s UTC)", left, at);
	cli_field(f, "expires", buf);
	cli_list(f, "What will run:", r->lines, r->nlines);
	cli_list(f, "Live figures when requested:", r->figures, r->nfigures);
	fputc('\n', f);
}

/* "Approve? [y/N]" on the terminal: 1 yes, 0 no, -1 no terminal. */
static int
cli_ask(void)
{
	FILE	*tty = fopen("/dev/tty", "r+");
	char	 line[64];
	int	 yes = 0;

	if (tty == NULL)
		return (-1);
	fputs("Approve? [y/N] ", tty);
	fflush(tty);
	if (fgets(line, sizeof line, tty) != NULL)
		yes = strcasecmp(line, "y\n") == 0 ||
		    strcasecmp(line, "yes\n") == 0;
	fclose(tty);
	return (yes);
}

/* The approver's record ----------------------------------------------------- */

static int
cli_record(const struct cli_opts *o, const struct cli_cfg *c,
    const struct wr_request *r, const struct wr_identity *self,
    const char *type, const char *why, struct error *err)
{
	struct audit_opts	 ao;
	struct audit_entry	 e;
	struct audit		*a;
	cJSON			*d;
	int			 rc;

	memset(&ao, 0, sizeof ao);
	ao.path = o->audit;
	ao.cfg = c->cfg != NULL ? &c->cfg->audit : NULL;
	ao.incident = r->incident;
	ao.no_session = 1;
	if ((a = audit_open(&ao, err)) == NULL)
		return (-1);
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "code", r->code);
	cJSON_AddStringToObject(d, "decision", o->reject ? "rejected" :
	    "approved");
	cJSON_AddStringToObject(d, "runbook", r->runbook);
	cJSON_AddStringToObject(d, "step_id", r->step_id);
	cJSON_AddItemToObject(d, "requester", wr_identity_json(&r->requester));
	cJSON_AddItemToObject(d, "approver", wr_identity_json(self));
	cJSON_AddStringToObject(d, "reason", o->reason != NULL ? o->reason :
	    "");
	if (why != NULL)
		cJSON_AddStringToObject(d, "error", why);
	memset(&e, 0, sizeof e);
	e.type = type;
	e.incident = r->incident;
	e.runbook_id = r->runbook;
	e.step = r->step;
	e.step_id = r->step_id;
	e.step_title = r->title;
	e.data = d;
	rc = audit_append(a, &e, err);
	audit_close(a);
	return (rc);
}

/* Decide and answer: the exit status. */
static int
cli_answer(const struct cli_opts *o, const struct cli_cfg *c,
    const struct wr_request *r, const struct wr_identity *self)
{
	struct error	err;
	int		yes;

	if (wr_identity_same_person(self, &r->requester)) {
		fprintf(stderr, "sitrep approve: %s: you requested it: another "
		    "person must approve\n", r->code);
		return (1);
	}
	if (!o->reject && !o->yes) {
		if ((yes = cli_ask()) < 0) {
			fprintf(stderr, "sitrep approve: no terminal to ask "
			    "on: give --yes or --reject\n");
			return (1);
		}
		if (!yes) {
			fprintf(stderr, "sitrep approve: %s not answered\n",
			    r->code);
			return (1);
		}
	}
	if (cli_record(o, c, r, self, "approval_answer", NULL, &err) != 0) {
		fprintf(stderr, "sitrep approve: your audit trail: %s: not "
		    "answered\n", err.msg);
		return (1);
	}
	if (warroom_answer_sync(c->wr, self, r->code, !o->reject, o->reason,
	    &err) != 0) {
		fprintf(stderr, "sitrep approve: %s: %s\n", r->code, err.msg);
		cli_record(o, c, r, self, "approval_answer_failed", err.msg,
		    &err);
		return (1);
	}
	printf("%s %s (%s@%s will see it)\n", o->reject ? "rejected" :
	    "approved", r->code, r->requester.user, r->requester.host);
	return (0);
}

int
warroom_cli(int argc, char **argv)
{
	struct cli_opts		o;
	struct cli_cfg		c;
	struct wr_request	r;
	struct wr_identity	self;
	struct error		err;
	int			rc;

	if ((rc = cli_parse(argc, argv, &o)) >= 0)
		return (rc);
	if (cli_config(&o, &c, &err) != 0) {
		fprintf(stderr, "sitrep approve: %s\n", err.msg);
		cli_config_free(&c);
		return (1);
	}
	wr_identity_self(&self);
	if (warroom_fetch_request(c.wr, o.code, &r, &err) != 0) {
		fprintf(stderr, "sitrep approve: %s\n", err.msg);
		cli_config_free(&c);
		return (1);
	}
	cli_show(stdout, &r);
	fflush(stdout);
	rc = cli_answer(&o, &c, &r, &self);
	wr_request_free(&r);
	cli_config_free(&c);
	return (rc);
}
