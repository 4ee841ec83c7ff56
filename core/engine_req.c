/* engine_req.c: each executor body to its action request (the contract
 * in engine.h) and the lines of the confirmation card: exec, sql, http
 * (JSON bodies built with cJSON), k8s, redis, silence, notify (the seeds'
 * status template), sim. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "engine_bld.h"
#include "engine_text.h"
#include "xmalloc.h"

/* Executors -------------------------------------------------------------- */

static void
b_exec(struct bld *b, const struct rb_exec *ex, int check)
{
	struct engine_render	*r = b->r;
	struct text		 cmd;
	char			*d, *s;
	int			 i;

	text_init(&cmd);
	for (i = 0; i < ex->argc && !b->failed; i++) {
		if (bld_sub(b, "argv", ex->argv[i].s, i ? SUB_ARGV : 0, &d))
			break;
		bld_push(&r->argv, &r->argc, d);
		text_shquote(&cmd, d, i > 0);
	}
	s = text_take(&cmd);
	bld_line(b, "$ %s", s);
	free(s);
	for (i = 0; i < ex->nenv && !b->failed; i++) {
		struct sv	v;

		if (bld_subst(b, ex->env[i].value.s, 0, &v) == 0) {
			xasprintf(&s, "%s=%s", ex->env[i].key.s, v.real);
			xasprintf(&d, "%s=%s", ex->env[i].key.s, v.disp);
			bld_arg(b, "env", s, d);
			free(s);
			s = text_escape(d);
			bld_line(b, "  env %s", s);
			free(s);
			free(d);
		}
		bld_sv_free(&v);
	}
	for (i = 0; i < ex->nenv_allow; i++)
		bld_lit(b, "env_allow", ex->env_allow[i].s);
	if (ex->cwd.s != NULL && bld_sub(b, "cwd", ex->cwd.s, 0, &d) == 0) {
		s = text_escape(d);
		bld_line(b, "  in %s", s);
		free(s);
		free(d);
	}
	bld_timeout(b, ex, check);
}

static void
b_sql(struct bld *b, const struct rb_exec *ex, int check)
{
	struct engine_render	*r = b->r;
	char			*d, *s;
	int			 i;

	if (bld_sub(b, "target", ex->target.s, SUB_NOCTL, &d) != 0)
		return;
	bld_line(b, "sql on %s%s", d, check ? " (read-only transaction)" : "");
	free(d);
	bld_lit(b, "query", ex->query.s);
	r->sql = xstrdup(ex->query.s);
	bld_text_lines(b, ex->query.s, "  ");
	for (i = 0; i < ex->nparams && !b->failed; i++) {
		if (bld_sub(b, "param", ex->params[i].s, 0, &d) != 0)
			break;
		bld_push(&r->binds, &r->nbinds, d);
		s = text_escape(d);
		bld_line(b, "  $%d = %s", i + 1, s);
		free(s);
	}
	bld_timeout(b, ex, check);
}

static void
b_k8s(struct bld *b, const struct rb_exec *ex)
{
	const int	 f = SUB_NOCTL | SUB_NAME;
	char		*ns = NULL, *obj = NULL, *rep = NULL;
	const char	*type = ex->pod.s != NULL ? "pod" : "deployment";

	snprintf(b->req.kind, sizeof b->req.kind, "k8s.%s", ex->verb.s);
	if (bld_sub(b, "ns", ex->namespace.s, f, &ns) == 0 &&
	    bld_sub(b, type, ex->pod.s != NULL ? ex->pod.s :
	    ex->deployment.s, f, &obj) == 0 &&
	    bld_sub(b, "replicas", ex->replicas.s, f, &rep) == 0 &&
	    rep != NULL && !b->incomplete && rep[strspn(rep, "0123456789")] !=
	    '\0')
		bld_fail(b, "replicas is not a whole number");
	if (!b->failed) {
		xasprintf(&b->r->object, "%s/%s%s%s", type, obj ? obj : "?",
		    ns ? " -n " : "", ns ? ns : "");
		bld_line(b, "k8s %s %s%s%s", ex->verb.s, b->r->object,
		    rep ? " --replicas=" : "", rep ? rep : "");
	}
	free(ns);
	free(obj);
	free(rep);
}

static void
b_redis(struct bld *b, const struct rb_exec *ex, int check)
{
	struct text	 cmd;
	char		*d, *s;
	int		 i;

	text_init(&cmd);
	if (bld_sub(b, "target", ex->target.s, SUB_NOCTL, &d) != 0)
		return;
	text_add(&cmd, d, strlen(d));
	text_add(&cmd, ">", 1);
	free(d);
	for (i = 0; i < ex->ncommand && !b->failed; i++) {
		if (bld_sub(b, "arg", ex->command[i].s, 0, &d) != 0)
			break;
		bld_push(&b->r->argv, &b->r->argc, d);
		text_shquote(&cmd, d, 1);
	}
	s = text_take(&cmd);
	bld_line(b, "redis %s", s);
	free(s);
	bld_timeout(b, ex, check);
}

/* "INC-...: comment" (default: the runbook's id). */
static int
b_silence_comment(struct bld *b, const struct rb_exec *ex, char **disp)
{
	struct sv	 v;
	char		*r, *d;

	*disp = NULL;
	if (bld_subst(b, ex->comment.s ? ex->comment.s :
	    "runbook {{runbook}}", 0, &v) != 0) {
		bld_sv_free(&v);
		return (-1);
	}
	xasprintf(&r, "%s: %s", b->e->incident, v.real);
	xasprintf(&d, "%s: %s", b->e->incident, v.disp);
	bld_arg(b, "comment", r, d);
	free(r);
	*disp = d;
	bld_sv_free(&v);
	return (0);
}

static void
b_silence(struct bld *b, const struct rb_exec *ex)
{
	struct engine	*e = b->e;
	char		*d, *s;
	int		 i;

	for (i = 0; i < ex->nmatchers && !b->failed; i++) {
		struct sv	v;

		if (bld_subst(b, ex->matchers[i].value.s, SUB_NOCTL, &v) == 0) {
			xasprintf(&s, "%s=%s", ex->matchers[i].key.s, v.real);
			xasprintf(&d, "%s=%s", ex->matchers[i].key.s, v.disp);
			bld_arg(b, "matcher", s, d);
			bld_line(b, "silence %s", d);
			free(s);
			free(d);
		}
		bld_sv_free(&v);
	}
	bld_lit(b, "duration", ex->duration.s);
	if (b_silence_comment(b, ex, &d) != 0)
		return;
	s = text_escape(d);
	bld_line(b, "  for %s: %s", ex->duration.s, s);
	free(s);
	free(d);
	bld_lit(b, "created_by", e->operator);
}

static void
b_sim(struct bld *b, const struct rb_exec *ex)
{
	struct text	 obj;
	struct sv	 v;
	char		*s, *d;
	int		 i;

	text_init(&obj);
	strlcpy_(b->req.kind, ex->action.s ? "sim" : "sim.query",
	    sizeof b->req.kind);
	bld_lit(b, ex->action.s ? "action" : "query", ex->action.s ?
	    ex->action.s : ex->sim_query.s);
	text_add(&obj, ex->action.s ? ex->action.s : ex->sim_query.s,
	    strlen(ex->action.s ? ex->action.s : ex->sim_query.s));
	for (i = 0; i < ex->nargs && !b->failed; i++) {
		if (bld_subst(b, ex->args[i].value.s, 0, &v) == 0) {
			bld_arg(b, ex->args[i].key.s, v.real, v.disp);
			xasprintf(&d, "%s=%s", ex->args[i].key.s, v.disp);
			text_shquote(&obj, d, 1);
			free(d);
		}
		bld_sv_free(&v);
	}
	b->r->object = text_take(&obj);
	s = b->r->object;
	bld_line(b, "sim %s%s", ex->action.s ? "" : "query ", s);
}

/* JSON ------------------------------------------------------------------- */

static int
json_number(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		s += strspn(s, "0123456789");
	else
		return (0);
	if (*s == '.') {
		if (!isdigit((unsigned char)s[1]))
			return (0);
		s += 1 + strspn(s + 1, "0123456789");
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!isdigit((unsigned char)*s))
			return (0);
		s += strspn(s, "0123456789");
	}
	return (*s == '\0');
}

/* A scalar without placeholders: numbers, true, false, null as JSON. */
static cJSON *
json_literal(const struct rb_node *n)
{
	const char	*s = n->scalar.s;

	if (!n->plain)
		return (cJSON_CreateString(s));
	if (strcmp(s, "true") == 0)
		return (cJSON_CreateTrue());
	if (strcmp(s, "false") == 0)
		return (cJSON_CreateFalse());
	if (strcmp(s, "null") == 0 || strcmp(s, "~") == 0)
		return (cJSON_CreateNull());
	if (json_number(s) && strlen(s) < 64)
		return (cJSON_CreateRaw(s));
	return (cJSON_CreateString(s));
}

static void
b_json(struct bld *b, const struct rb_node *n, cJSON **real, cJSON **disp)
{
	struct sv	v;
	cJSON		*r1, *d1;
	int		 i, map = n->type == RB_NODE_MAP;

	if (n->type == RB_NODE_SCALAR) {
		if (rb_placeholders(n->scalar.s, NULL, NULL) == 0) {
			*real = json_literal(n);
			*disp = json_literal(n);
			return;
		}
		bld_subst(b, n->scalar.s, 0, &v);
		*real = cJSON_CreateString(v.real ? v.real : "");
		*disp = cJSON_CreateString(v.disp ? v.disp : "");
		bld_sv_free(&v);
		return;
	}
	*real = map ? cJSON_CreateObject() : cJSON_CreateArray();
	*disp = map ? cJSON_CreateObject() : cJSON_CreateArray();
	for (i = map; i < n->nitems && !b->failed; i += 1 + map) {
		const struct rb_node	*k = map ? n->items[i - 1] : NULL;

		if (map && (k == NULL || k->type != RB_NODE_SCALAR)) {
			bld_fail(b, "http json: keys are strings");
			break;
		}
		b_json(b, n->items[i], &r1, &d1);
		if (map) {
			cJSON_AddItemToObject(*real, k->scalar.s, r1);
			cJSON_AddItemToObject(*disp, k->scalar.s, d1);
		} else {
			cJSON_AddItemToArray(*real, r1);
			cJSON_AddItemToArray(*disp, d1);
		}
	}
}

/* Add key=JSON of real / disp; frees them. */
static void
b_json_arg(struct bld *b, const char *key, cJSON *real, cJSON *disp)
{
	char	*pr = cJSON_PrintUnformatted(real);
	char	*pd = cJSON_PrintUnformatted(disp);
	char	*s;

	if (pr == NULL || pd == NULL)
		fatalx("cJSON: out of memory");
	bld_arg(b, key, pr, pd);
	b->r->body = xstrdup(pd);
	s = text_escape(pd);
	bld_line(b, "  body %s", s);
	free(s);
	cJSON_free(pr);
	cJSON_free(pd);
	cJSON_Delete(real);
	cJSON_Delete(disp);
}

static void
b_http(struct bld *b, const struct rb_exec *ex, int check)
{
	struct engine_render	*r = b->r;
	cJSON			*jr, *jd;
	char			*d, *s;
	int			 i;

	bld_lit(b, "method", ex->method.s);
	r->method = xstrdup(ex->method.s);
	if (bld_sub(b, "url", ex->url.s, SUB_URL, &r->url) != 0)
		return;
	s = text_escape(r->url);
	bld_line(b, "%s %s", ex->method.s, s);
	free(s);
	for (i = 0; i < ex->nheaders && !b->failed; i++) {
		struct sv	v;

		if (bld_subst(b, ex->headers[i].value.s, SUB_NOCTL, &v) == 0) {
			/* header.NAME=VALUE: the value travels verbatim. */
			xasprintf(&s, "header.%s", ex->headers[i].key.s);
			bld_arg(b, s, v.real, v.disp);
			free(s);
			xasprintf(&d, "%s: %s", ex->headers[i].key.s, v.disp);
			bld_push(&r->headers, &r->nheaders, d);
			s = text_escape(d);
			bld_line(b, "  %s", s);
			free(s);
		}
		bld_sv_free(&v);
	}
	if (ex->json != NULL && !b->failed) {
		b_json(b, ex->json, &jr, &jd);
		if (!b->failed)
			b_json_arg(b, "json", jr, jd);
		else {
			cJSON_Delete(jr);
			cJSON_Delete(jd);
		}
	}
	bld_timeout(b, ex, check);
}

/* The seeds' communication template (Slack #incidents). */
static char *
b_notify_head(struct bld *b, const char *status)
{
	struct engine	*e = b->e;
	const char	*title = e->rb->title.s ? e->rb->title.s :
			    e->rb->id.s;
	char		*s;

	if (status == NULL)
		return (xstrdup(""));
	if (strcmp(status, "investigating") == 0)
		xasprintf(&s, "\xf0\x9f\x9a\xa8 INCIDENT: %s (%s)\n"
		    "\xe2\x80\xa2 Incident: %s\n\xe2\x80\xa2 Environment: %s\n"
		    "\xe2\x80\xa2 Status: Investigating\n", title,
		    rb_severity_name(e->rb->severity), e->incident,
		    e->env_name);
	else if (strcmp(status, "resolved") == 0)
		xasprintf(&s, "\xe2\x9c\x85 RESOLVED: %s\n\xe2\x80\xa2 "
		    "Incident: %s\n", title, e->incident);
	else
		xasprintf(&s, "\xf0\x9f\x93\x8a UPDATE: %s\n\xe2\x80\xa2 "
		    "Incident: %s\n", title, e->incident);
	return (s);
}

static void
b_notify(struct bld *b, const struct rb_exec *ex)
{
	const char	*via = ex->webhook_env.s ? ex->webhook_env.s :
			    ex->webhook_file.s;
	cJSON		*jr, *jd;
	struct sv	 v;
	char		*head, *real, *disp;

	bld_lit(b, ex->webhook_env.s ? "webhook_env" : "webhook_file", via);
	bld_line(b, "notify via %s%s", ex->webhook_env.s ? "$" : "", via);
	if (bld_subst(b, ex->text.s, 0, &v) != 0) {
		bld_sv_free(&v);
		return;
	}
	head = b_notify_head(b, ex->status.s);
	xasprintf(&real, "%s%s", head, v.real);
	xasprintf(&disp, "%s%s", head, v.disp);
	bld_text_lines(b, disp, "  ");
	jr = cJSON_CreateObject();
	jd = cJSON_CreateObject();
	cJSON_AddStringToObject(jr, "text", real);
	cJSON_AddStringToObject(jd, "text", disp);
	b_json_arg(b, "json", jr, jd);
	b->r->nlines--;
	free(b->r->lines[b->r->nlines]);
	free(head);
	free(real);
	free(disp);
	bld_sv_free(&v);
}

void
bld_exec_body(struct bld *b, const struct rb_exec *ex, int check)
{
	strlcpy_(b->req.kind, rb_exec_kind_name(ex->kind), sizeof b->req.kind);
	switch (ex->kind) {
	case RB_EX_EXEC:
		b_exec(b, ex, check);
		break;
	case RB_EX_SQL:
		b_sql(b, ex, check);
		b->r->dry_run_ok = !check;
		break;
	case RB_EX_HTTP:
		b_http(b, ex, check);
		break;
	case RB_EX_K8S:
		b_k8s(b, ex);
		b->r->dry_run_ok = !check;
		break;
	case RB_EX_REDIS:
		b_redis(b, ex, check);
		break;
	case RB_EX_SILENCE:
		strlcpy_(b->req.kind, "silence.create", sizeof b->req.kind);
		b_silence(b, ex);
		break;
	case RB_EX_NOTIFY:
		b_notify(b, ex);
		break;
	case RB_EX_SIM:
		b_sim(b, ex);
		break;
	case RB_EX_NONE:
		break;
	}
	strlcpy_(b->r->action_kind, b->req.kind, sizeof b->r->action_kind);
}

