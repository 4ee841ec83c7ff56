/* audit_export.c: `sitrep audit export --incident ID --format md|json`:
 * an incident's timeline for the post-incident review, following the
 * platform's template (summary, timeline, actions with durations and
 * outcomes, skipped steps with reasons, notes, what is unknown, the
 * post-incident action checklist), with the trail's verification. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit_int.h"
#include "xmalloc.h"

/* What the timeline leaves out: bookkeeping, not decisions. */
static const char *const x_quiet[] = { "session_start", "session_end",
	"step_shown", "poll", "anchor_failed", "recovered", NULL };

static const char *const x_checklist[] = {
	"Create incident report",
	"Schedule post-mortem (within 48 hours)",
	"Document root cause",
	"Create action items in Jira",
	"Update runbook if gaps found",
	"Communicate resolution to stakeholders",
	NULL
};

struct xport {
	struct arec	*v;
	int		 n;
	const char	*incident;
};

/* Records ---------------------------------------------------------------- */

static int
x_load(struct xport *x, const char *trail, struct error *err)
{
	struct areader	 rd;
	struct arec	 r;
	const char	*inc;
	char		 why[64];

	if (areader_open(&rd, trail) != 0) {
		error_set(err, "%s: %s", trail, strerror(errno));
		return (-1);
	}
	while (areader_next(&rd) == 1) {
		if (!rd.newline || arec_parse(rd.buf, rd.len, &r, why,
		    sizeof why) != 0)
			continue;
		if ((inc = arec_str(r.root, "incident")) == NULL ||
		    strcmp(inc, x->incident) != 0) {
			arec_free(&r);
			continue;
		}
		x->v = xreallocarray(x->v, x->n + 1, sizeof *x->v);
		x->v[x->n++] = r;
	}
	areader_close(&rd);
	if (x->n == 0) {
		error_set(err, "no record of incident %s in %s", x->incident,
		    trail);
		return (-1);
	}
	return (0);
}

static const cJSON *
x_obj(const struct arec *r, const char *name)
{
	return (cJSON_GetObjectItemCaseSensitive(r->root, name));
}

static const char *
x_data(const struct arec *r, const char *name)
{
	return (arec_str(x_obj(r, "data"), name));
}

static int
x_is(const struct arec *r, const char *type)
{
	return (strcmp(r->type, type) == 0);
}

static int
x_quiet_type(const char *type)
{
	int	i;

	for (i = 0; x_quiet[i] != NULL; i++)
		if (strcmp(x_quiet[i], type) == 0)
			return (1);
	return (0);
}

/* RFC 3339 UTC with ms to epoch ms; -1 when it is not one. */
static int64_t
x_ms(const char *t)
{
	struct tm	tm;
	int		ms = 0;

	memset(&tm, 0, sizeof tm);
	if (t == NULL || sscanf(t, "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year,
	    &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
	    &ms) < 6)
		return (-1);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return ((int64_t)timegm(&tm) * 1000 + ms);
}

static const char *
x_time(const struct arec *r)
{
	const char	*t = arec_str(r->root, "time");

	return (t != NULL ? t : "?");
}

/* "pg-failover/promote" or "-" */
static void
x_where(const struct arec *r, char *buf, size_t len)
{
	const cJSON	*rb = x_obj(r, "runbook"), *st = x_obj(r, "step");

	snprintf(buf, len, "%s%s%s", rb ? arec_str(rb, "id") : "-",
	    st ? "/" : "", st && arec_str(st, "id") ? arec_str(st, "id") : "");
}

/* A one-line description of what the record says. */
static char *
x_detail(const struct arec *r)
{
	const cJSON	*d = x_obj(r, "data"), *it;
	char		*s = NULL, *t;

	if (x_is(r, "started")) {
		xasprintf(&s, "%s", x_data(r, "action") ? x_data(r, "action") :
		    "?");
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(d,
		    "request")) {
			if (!cJSON_IsString(it))
				continue;
			xasprintf(&t, "%s %s", s, it->valuestring);
			free(s);
			s = t;
		}
		return (s);
	}
	if (x_is(r, "finished"))
		xasprintf(&s, "%s, exit %lld, %lld ms%s%s",
		    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "ok")) ?
		    "ok" : "failed", (long long)arec_int(d, "exit_status", -1),
		    (long long)arec_int(d, "duration_ms", 0),
		    x_data(r, "summary") ? ": " : "",
		    x_data(r, "summary") ? x_data(r, "summary") : "");
	else if (x_data(r, "name") != NULL)
		xasprintf(&s, "%s = %s", x_data(r, "name"),
		    x_data(r, "value") ? x_data(r, "value") : "");
	else if (x_is(r, "silence_created") || x_is(r, "silence_expired"))
		xasprintf(&s, "%s %s %s", x_data(r, "id") ? x_data(r, "id") :
		    "", x_data(r, "matchers") ? x_data(r, "matchers") : "",
		    x_data(r, "comment") ? x_data(r, "comment") : "");
	else {
		t = (char *)(x_data(r, "reason") ? x_data(r, "reason") :
		    x_data(r, "text") ? x_data(r, "text") : x_data(r,
		    "option") ? x_data(r, "option") : x_data(r, "typed"));
		s = xstrdup(t != NULL ? t : "");
	}
	return (s);
}

/* The finish record of the action started at v[i], or -1. */
static int
x_finish_of(const struct xport *x, int i)
{
	const struct arec	*s = &x->v[i], *f;
	const cJSON		*ss = x_obj(s, "step"), *fs;
	const char		*a = x_data(s, "action");
	int			 k;

	for (k = i + 1; k < x->n; k++) {
		f = &x->v[k];
		if (!x_is(f, "finished") && !x_is(f, "silence_created") &&
		    !x_is(f, "silence_expired"))
			continue;
		fs = x_obj(f, "step");
		if (ss != NULL && fs != NULL && arec_int(ss, "index", -1) ==
		    arec_int(fs, "index", -2) && arec_int(ss, "attempt", 0) ==
		    arec_int(fs, "attempt", 0))
			return (k);
		if (ss == NULL && fs == NULL && a != NULL && x_data(f,
		    "action") != NULL && strcmp(a, x_data(f, "action")) == 0)
			return (k);
	}
	return (-1);
}

static const char *
x_outcome(const struct xport *x, int f)
{
	if (f < 0)
		return ("outcome unknown");
	return (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(x_obj(&x->v[f],
	    "data"), "ok")) ? "ok" : "failed");
}

/* Summary ---------------------------------------------------------------- */

struct xsum {
	const char	*opened, *closed, *resolution, *env;
	int		 production;
	int64_t		 duration_ms;
	char		 who[1024];
	char		 runbooks[1024];
	int		 actions, ok, failed, unknown, skipped;
};

static void
x_list_add(char *list, size_t len, const char *item)
{
	char	pat[400];

	snprintf(pat, sizeof pat, "%s, ", item);
	if (strstr(list, pat) != NULL)
		return;
	strncat(list, pat, len - strlen(list) - 1);
}

static void
x_list_end(char *list)
{
	size_t	n = strlen(list);

	if (n >= 2)
		list[n - 2] = '\0';
}

static void
x_summary(const struct xport *x, struct xsum *s)
{
	const struct arec	*r;
	const cJSON		*rb;
	char			 buf[400];
	int			 i, f;

	memset(s, 0, sizeof s[0]);
	s->opened = x_time(&x->v[0]);
	for (i = 0; i < x->n; i++) {
		r = &x->v[i];
		if (x_is(r, "incident_opened"))
			s->opened = x_time(r);
		if (x_is(r, "incident_closed")) {
			s->closed = x_time(r);
			s->resolution = x_data(r, "text");
		}
		if (arec_str(r->root, "env") != NULL)
			s->env = arec_str(r->root, "env");
		s->production |= cJSON_IsTrue(x_obj(r, "production"));
		if (!x_quiet_type(r->type)) {
			aread_who(r->root, buf, sizeof buf);
			x_list_add(s->who, sizeof s->who, buf);
		}
		if ((rb = x_obj(r, "runbook")) != NULL) {
			snprintf(buf, sizeof buf, "%s (sha256 %.12s)",
			    arec_str(rb, "id") ? arec_str(rb, "id") : "?",
			    arec_str(rb, "sha256") ? arec_str(rb, "sha256") :
			    "?");
			x_list_add(s->runbooks, sizeof s->runbooks, buf);
		}
		s->skipped += x_is(r, "skipped");
		if (!x_is(r, "started") || x_data(r, "reason") != NULL)
			continue;
		s->actions++;
		f = x_finish_of(x, i);
		s->unknown += f < 0;
		s->ok += f >= 0 && strcmp(x_outcome(x, f), "ok") == 0;
		s->failed += f >= 0 && strcmp(x_outcome(x, f), "failed") == 0;
	}
	x_list_end(s->who);
	x_list_end(s->runbooks);
	s->duration_ms = x_ms(s->closed ? s->closed : x_time(&x->v[x->n - 1])) -
	    x_ms(s->opened);
}

/* Markdown --------------------------------------------------------------- */

/* A table cell: one line, | escaped, control characters dropped. */
static void
md_cell(FILE *out, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		if (*s == '|')
			fputs("\\|", out);
		else if ((unsigned char)*s < 0x20)
			fputc(' ', out);
		else
			fputc(*s, out);
	}
}

static void
md_row(FILE *out, int n, ...)
{
	va_list	ap;
	int	i;

	va_start(ap, n);
	fputs("|", out);
	for (i = 0; i < n; i++) {
		fputs(" ", out);
		md_cell(out, va_arg(ap, const char *));
		fputs(" |", out);
	}
	fputs("\n", out);
	va_end(ap);
}

static void
md_summary(FILE *out, const struct xport *x, const struct xsum *s)
{
	char	dur[32], env[160], acts[160];

	fmt_duration(dur, sizeof dur, s->duration_ms / 1000.0);
	snprintf(env, sizeof env, "%s%s", s->env ? s->env : "-",
	    s->production ? " (production)" : "");
	snprintf(acts, sizeof acts, "%d run: %d ok, %d failed, %d outcome "
	    "unknown", s->actions, s->ok, s->failed, s->unknown);
	fprintf(out, "# Post-incident review: %s\n\n## Summary\n\n"
	    "| | |\n| --- | --- |\n", x->incident);
	md_row(out, 2, "Incident", x->incident);
	md_row(out, 2, "Environment", env);
	md_row(out, 2, "Opened", s->opened);
	md_row(out, 2, "Resolved", s->closed ? s->closed :
	    "not closed in the trail");
	md_row(out, 2, s->closed ? "Duration" : "Duration so far", dur);
	md_row(out, 2, "Responders", s->who);
	md_row(out, 2, "Runbooks", s->runbooks[0] ? s->runbooks : "none");
	md_row(out, 2, "Actions", acts);
	snprintf(acts, sizeof acts, "%d", s->skipped);
	md_row(out, 2, "Skipped steps", acts);
	md_row(out, 2, "Root cause", "_to be documented_");
	md_row(out, 2, "Resolution", s->resolution ? s->resolution :
	    "_to be documented_");
}

static void
md_timeline(FILE *out, const struct xport *x)
{
	char	who[320], where[300], *d;
	int	i;

	fputs("\n## Timeline (UTC)\n\n| Time | Who | Runbook / step | Event "
	    "| Detail |\n| --- | --- | --- | --- | --- |\n", out);
	for (i = 0; i < x->n; i++) {
		if (x_quiet_type(x->v[i].type))
			continue;
		aread_who(x->v[i].root, who, sizeof who);
		x_where(&x->v[i], where, sizeof where);
		d = x_detail(&x->v[i]);
		md_row(out, 5, x_time(&x->v[i]), who, where, x->v[i].type, d);
		free(d);
	}
}

static void
md_actions(FILE *out, const struct xport *x)
{
	char	who[320], where[300], dur[32], *d;
	int	i, f;

	fputs("\n## Actions taken\n\n| Started | Who | Runbook / step | "
	    "Action | Duration | Outcome |\n| --- | --- | --- | --- | --- | "
	    "--- |\n", out);
	for (i = 0; i < x->n; i++) {
		if (!x_is(&x->v[i], "started") || x_data(&x->v[i], "reason"))
			continue;
		f = x_finish_of(x, i);
		aread_who(x->v[i].root, who, sizeof who);
		x_where(&x->v[i], where, sizeof where);
		if (f >= 0)
			fmt_duration(dur, sizeof dur, arec_int(x_obj(&x->v[f],
			    "data"), "duration_ms", 0) / 1000.0);
		else
			strlcpy_(dur, "?", sizeof dur);
		d = x_detail(&x->v[i]);
		md_row(out, 6, x_time(&x->v[i]), who, where, d, dur,
		    x_outcome(x, f));
		free(d);
	}
}

static void
md_list(FILE *out, const struct xport *x, const char *title,
    const char *type, const char *key)
{
	char	who[320], where[300];
	int	i, any = 0;

	fprintf(out, "\n## %s\n\n", title);
	for (i = 0; i < x->n; i++) {
		if (!x_is(&x->v[i], type))
			continue;
		aread_who(x->v[i].root, who, sizeof who);
		x_where(&x->v[i], where, sizeof where);
		fprintf(out, "- %s %s, %s: ", x_time(&x->v[i]), who, where);
		md_cell(out, x_data(&x->v[i], key));
		fputs("\n", out);
		any = 1;
	}
	if (!any)
		fputs("None.\n", out);
}

static void
md_unknown(FILE *out, const struct xport *x)
{
	char	who[320], where[300];
	int	i, any = 0;

	fputs("\n## Outcome unknown\n\n", out);
	for (i = 0; i < x->n; i++) {
		if (!x_is(&x->v[i], "started") || x_data(&x->v[i], "reason") ||
		    x_finish_of(x, i) >= 0)
			continue;
		aread_who(x->v[i].root, who, sizeof who);
		x_where(&x->v[i], where, sizeof where);
		fprintf(out, "- %s started by %s at %s, no finish record: "
		    "check before running again\n", where, who,
		    x_time(&x->v[i]));
		any = 1;
	}
	if (!any)
		fputs("None: every action started has its outcome.\n", out);
}

static void
md_tail(FILE *out, const char *trail, const char *verdict)
{
	int	i;

	fputs("\n## Post-incident actions\n\n", out);
	for (i = 0; x_checklist[i] != NULL; i++)
		fprintf(out, "- [ ] %s\n", x_checklist[i]);
	fprintf(out, "\n## Audit trail\n\nFrom `%s`: %s\n", trail, verdict);
}

/* JSON ------------------------------------------------------------------- */

static cJSON *
js_event(const struct xport *x, int i)
{
	const struct arec	*r = &x->v[i];
	cJSON			*o = cJSON_CreateObject();
	char			 who[320], where[300], *d;

	aread_who(r->root, who, sizeof who);
	x_where(r, where, sizeof where);
	d = x_detail(r);
	arec_add_int(o, "seq", (int64_t)r->seq);
	arec_add_raw(o, "time", x_time(r));
	arec_add_raw(o, "who", who);
	arec_add_raw(o, "where", where);
	arec_add_raw(o, "type", r->type);
	arec_add_raw(o, "detail", d);
	free(d);
	return (o);
}

static cJSON *
js_actions(const struct xport *x)
{
	cJSON	*a = cJSON_CreateArray(), *o;
	int	 i, f;

	for (i = 0; i < x->n; i++) {
		if (!x_is(&x->v[i], "started") || x_data(&x->v[i], "reason"))
			continue;
		f = x_finish_of(x, i);
		cJSON_AddItemToArray(a, o = js_event(x, i));
		arec_add_raw(o, "outcome", x_outcome(x, f));
		if (f < 0)
			continue;
		arec_add_raw(o, "finished", x_time(&x->v[f]));
		arec_add_int(o, "duration_ms", arec_int(x_obj(&x->v[f], "data"),
		    "duration_ms", 0));
		arec_add_int(o, "exit_status", arec_int(x_obj(&x->v[f], "data"),
		    "exit_status", -1));
		arec_add_raw(o, "output_sha256", x_data(&x->v[f],
		    "output_sha256"));
	}
	return (a);
}

static cJSON *
js_of(const struct xport *x, const char *type)
{
	cJSON	*a = cJSON_CreateArray();
	int	 i;

	for (i = 0; i < x->n; i++) {
		if (type != NULL ? x_is(&x->v[i], type) :
		    !x_quiet_type(x->v[i].type))
			cJSON_AddItemToArray(a, js_event(x, i));
	}
	return (a);
}

static void
js_write(FILE *out, const struct xport *x, const struct xsum *s,
    const char *trail, const char *verdict)
{
	cJSON	*o = cJSON_CreateObject(), *sum;
	char	*text;
	int	 i;

	arec_add_raw(o, "incident", x->incident);
	cJSON_AddItemToObject(o, "summary", sum = cJSON_CreateObject());
	arec_add_raw(sum, "environment", s->env);
	cJSON_AddBoolToObject(sum, "production", s->production);
	arec_add_raw(sum, "opened", s->opened);
	arec_add_raw(sum, "resolved", s->closed);
	arec_add_int(sum, "duration_ms", s->duration_ms);
	arec_add_raw(sum, "responders", s->who);
	arec_add_raw(sum, "runbooks", s->runbooks);
	arec_add_int(sum, "actions", s->actions);
	arec_add_int(sum, "actions_ok", s->ok);
	arec_add_int(sum, "actions_failed", s->failed);
	arec_add_int(sum, "actions_unknown", s->unknown);
	arec_add_raw(sum, "resolution", s->resolution);
	cJSON_AddItemToObject(o, "timeline", js_of(x, NULL));
	cJSON_AddItemToObject(o, "actions", js_actions(x));
	cJSON_AddItemToObject(o, "skipped", js_of(x, "skipped"));
	cJSON_AddItemToObject(o, "notes", js_of(x, "note"));
	cJSON_AddItemToObject(o, "checklist", sum = cJSON_CreateArray());
	for (i = 0; x_checklist[i] != NULL; i++)
		cJSON_AddItemToArray(sum, cJSON_CreateString(x_checklist[i]));
	cJSON_AddItemToObject(o, "trail", sum = cJSON_CreateObject());
	arec_add_raw(sum, "path", trail);
	arec_add_raw(sum, "verification", verdict);
	if ((text = cJSON_Print(o)) == NULL)
		fatalx("audit: out of memory");
	fprintf(out, "%s\n", text);
	cJSON_free(text);
	cJSON_Delete(o);
}

/* The export ------------------------------------------------------------- */

static void
x_verdict(const char *trail, char *buf, size_t len)
{
	struct audit_verify_opts	o;
	struct audit_verify_result	r;
	struct error			err;

	memset(&o, 0, sizeof o);
	if (audit_verify(trail, &o, &r, &err) != 0)
		snprintf(buf, len, "not verified (%s)", err.msg);
	else if (!r.ok)
		snprintf(buf, len, "VERIFICATION FAILED at line %ld: %s: %s",
		    r.bad_line, r.what, r.detail);
	else
		snprintf(buf, len, "intact, %llu records, head %s%s",
		    (unsigned long long)r.records, r.head, r.unkeyed ?
		    " (HMACs not checked: verify with --key)" : "");
}

int
audit_export(const char *trail, const char *incident, const char *format,
    FILE *out, struct error *err)
{
	struct xport	x;
	struct xsum	s;
	char		verdict[512];
	int		i, json = strcmp(format, "json") == 0;

	if (!json && strcmp(format, "md") != 0) {
		error_set(err, "unknown format %s (md or json)", format);
		return (-1);
	}
	memset(&x, 0, sizeof x);
	x.incident = incident;
	if (x_load(&x, trail, err) != 0)
		return (-1);
	x_summary(&x, &s);
	x_verdict(trail, verdict, sizeof verdict);
	if (json)
		js_write(out, &x, &s, trail, verdict);
	else {
		md_summary(out, &x, &s);
		md_timeline(out, &x);
		md_actions(out, &x);
		md_list(out, &x, "Skipped steps", "skipped", "reason");
		md_list(out, &x, "Notes", "note", "text");
		md_unknown(out, &x);
		md_tail(out, trail, verdict);
	}
	for (i = 0; i < x.n; i++)
		arec_free(&x.v[i]);
	free(x.v);
	return (0);
}
