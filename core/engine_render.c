/* engine_render.c: a step to the action request that runs it and to the
 * description the confirmation card shows, in one pass so the two cannot
 * differ except for redaction.  Every {{name}} becomes part of exactly one
 * whole value: an argv element, a bind parameter, a JSON string, a header
 * value, a percent-encoded URL segment, a k8s name; never shell or SQL
 * text.  Values that would change meaning there are refused: a whole argv
 * element starting with '-' (unless the parameter says options_ok), control
 * characters in header values and names.  Messages never quote values. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "engine_int.h"
#include "engine_text.h"
#include "xmalloc.h"

#define SUB_URL		0x1	/* percent-encode values */
#define SUB_ARGV	0x2	/* a whole argv element: no leading '-' */
#define SUB_NOCTL	0x4	/* no control characters */
#define SUB_NAME	0x8	/* an object name: no leading '-' */

struct sv {
	char	*real;
	char	*disp;
};

struct bld {
	struct engine		*e;
	int			 partial;
	int			 incomplete;
	int			 failed;
	struct error		*err;
	struct eng_req		 req;		/* real */
	struct engine_render	*r;		/* display */
};

static void
vpush(char ***v, int *n, char *s)
{
	if ((*n & 7) == 0)
		*v = xreallocarray(*v, *n + 8, sizeof **v);
	(*v)[(*n)++] = s;
}

static void
vfree(char **v, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
b_fail(struct bld *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
b_fail(struct bld *b, const char *fmt, ...)
{
	va_list	ap;

	if (b->failed++)
		return;
	va_start(ap, fmt);
	vsnprintf(b->err->msg, sizeof b->err->msg, fmt, ap);
	va_end(ap);
}

static void
b_line(struct bld *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
b_line(struct bld *b, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	xvasprintf(&s, fmt, ap);
	va_end(ap);
	vpush(&b->r->lines, &b->r->nlines, s);
}

/* Each line of s, escaped, as a line of the card. */
static void
b_text_lines(struct bld *b, const char *s, const char *prefix)
{
	struct text	t;
	size_t		n;
	char		*l;

	for (;;) {
		n = strcspn(s, "\n");
		text_init(&t);
		text_escape_add(&t, s, n);
		l = text_take(&t);
		b_line(b, "%s%s", prefix, l);
		free(l);
		if (s[n] == '\0' || s[n + 1] == '\0')
			break;
		s += n + 1;
	}
}

/* Substitution ----------------------------------------------------------- */

struct phs {
	size_t	off[64], len[64];
	char	name[64][128];
	int	n, over;
};

static void
phs_add(void *arg, const char *name, size_t off, size_t len)
{
	struct phs	*p = arg;

	if (p->n == 64) {
		p->over = 1;
		return;
	}
	p->off[p->n] = off;
	p->len[p->n] = len;
	strlcpy_(p->name[p->n], name ? name : "", sizeof p->name[0]);
	p->n++;
}

static int
b_value_ok(struct bld *b, const char *name, const char *v, int flags,
    int whole)
{
	const struct rb_param	*p = runbook_param(b->e->rb, name);
	const char		*s;

	if ((flags & SUB_ARGV) && whole && v[0] == '-' && (p == NULL ||
	    !p->options_ok)) {
		b_fail(b, "the value of %s starts with '-' and would be read "
		    "as an option (the parameter needs options_ok: true)",
		    name);
		return (0);
	}
	if ((flags & SUB_NAME) && v[0] == '-') {
		b_fail(b, "the value of %s starts with '-'", name);
		return (0);
	}
	for (s = v; (flags & (SUB_NOCTL | SUB_NAME)) && *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f) {
			b_fail(b, "the value of %s has a control character",
			    name);
			return (0);
		}
	}
	return (1);
}

static void
b_append(struct text *real, struct text *disp, const char *v, int secret,
    int flags)
{
	if (flags & SUB_URL)
		text_percent(real, v);
	else
		text_add(real, v, strlen(v));
	if (secret)
		text_add(disp, "[redacted]", 10);
	else if (flags & SUB_URL)
		text_percent(disp, v);
	else
		text_add(disp, v, strlen(v));
}

/* t with its placeholders replaced, into out (both owned). */
static int
subst(struct bld *b, const char *t, int flags, struct sv *out)
{
	struct text		 real, disp;
	struct phs		 p;
	const struct eng_value	*ev;
	const char		*v;
	size_t			 at = 0;
	int			 i;

	memset(out, 0, sizeof *out);
	p.n = p.over = 0;
	rb_placeholders(t, phs_add, &p);
	text_init(&real);
	text_init(&disp);
	for (i = 0; i < p.n && !b->failed; i++) {
		text_add(&real, t + at, p.off[i] - at);
		text_add(&disp, t + at, p.off[i] - at);
		at = p.off[i] + p.len[i];
		v = p.name[i][0] ? eng_lookup(b->e, p.name[i]) : NULL;
		if (v == NULL && (b->partial || p.name[i][0] == '\0')) {
			text_add(&real, t + p.off[i], p.len[i]);
			text_add(&disp, t + p.off[i], p.len[i]);
			b->incomplete = 1;
			continue;
		}
		if (v == NULL) {
			b_fail(b, "%s is not set", p.name[i]);
			break;
		}
		if (!b_value_ok(b, p.name[i], v, flags, p.n == 1 &&
		    p.off[i] == 0 && p.len[i] == strlen(t)))
			break;
		ev = eng_value(b->e, p.name[i]);
		b_append(&real, &disp, v, ev != NULL && ev->secret, flags);
	}
	if (p.over)
		b_fail(b, "too many placeholders in one value");
	text_add(&real, t + at, strlen(t + at));
	text_add(&disp, t + at, strlen(t + at));
	out->real = text_take(&real);
	out->disp = text_take(&disp);
	return (b->failed ? -1 : 0);
}

static void
sv_free(struct sv *v)
{
	free(v->real);
	free(v->disp);
	memset(v, 0, sizeof *v);
}

/* Add "key=value" to the request (real) and its display. */
static void
b_arg(struct bld *b, const char *key, const char *real, const char *disp)
{
	char	*s;

	xasprintf(&s, "%s=%s", key, real);
	vpush(&b->req.argv, &b->req.argc, s);
	xasprintf(&s, "%s=%s", key, disp);
	vpush(&b->r->req, &b->r->nreq, s);
}

static void
b_lit(struct bld *b, const char *key, const char *v)
{
	b_arg(b, key, v, v);
}

/* Substitute t and add it as key; the display copy is returned in *disp
 * (owned by the caller) when disp is not NULL. */
static int
b_sub(struct bld *b, const char *key, const char *t, int flags, char **disp)
{
	struct sv	v;

	if (t == NULL)
		return (0);
	if (subst(b, t, flags, &v) == 0)
		b_arg(b, key, v.real, v.disp);
	if (disp != NULL && !b->failed) {
		*disp = v.disp;
		v.disp = NULL;
	}
	sv_free(&v);
	return (b->failed ? -1 : 0);
}

static void
b_timeout(struct bld *b, const struct rb_exec *ex, int check)
{
	char	n[24];

	if (ex->timeout_s > 0) {
		snprintf(n, sizeof n, "%d", ex->timeout_s);
		b_lit(b, "timeout", n);
	}
	if (check)
		b_lit(b, "read_only", "1");
}

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
		if (b_sub(b, "argv", ex->argv[i].s, i ? SUB_ARGV : 0, &d))
			break;
		vpush(&r->argv, &r->argc, d);
		text_shquote(&cmd, d, i > 0);
	}
	s = text_take(&cmd);
	b_line(b, "$ %s", s);
	free(s);
	for (i = 0; i < ex->nenv && !b->failed; i++) {
		struct sv	v;

		if (subst(b, ex->env[i].value.s, 0, &v) == 0) {
			xasprintf(&s, "%s=%s", ex->env[i].key.s, v.real);
			xasprintf(&d, "%s=%s", ex->env[i].key.s, v.disp);
			b_arg(b, "env", s, d);
			free(s);
			s = text_escape(d);
			b_line(b, "  env %s", s);
			free(s);
			free(d);
		}
		sv_free(&v);
	}
	for (i = 0; i < ex->nenv_allow; i++)
		b_lit(b, "env_allow", ex->env_allow[i].s);
	if (ex->cwd.s != NULL && b_sub(b, "cwd", ex->cwd.s, 0, &d) == 0) {
		s = text_escape(d);
		b_line(b, "  in %s", s);
		free(s);
		free(d);
	}
	b_timeout(b, ex, check);
}

static void
b_sql(struct bld *b, const struct rb_exec *ex, int check)
{
	struct engine_render	*r = b->r;
	char			*d, *s;
	int			 i;

	if (b_sub(b, "target", ex->target.s, SUB_NOCTL, &d) != 0)
		return;
	b_line(b, "sql on %s%s", d, check ? " (read-only transaction)" : "");
	free(d);
	b_lit(b, "query", ex->query.s);
	r->sql = xstrdup(ex->query.s);
	b_text_lines(b, ex->query.s, "  ");
	for (i = 0; i < ex->nparams && !b->failed; i++) {
		if (b_sub(b, "param", ex->params[i].s, 0, &d) != 0)
			break;
		vpush(&r->binds, &r->nbinds, d);
		s = text_escape(d);
		b_line(b, "  $%d = %s", i + 1, s);
		free(s);
	}
	b_timeout(b, ex, check);
}

static void
b_k8s(struct bld *b, const struct rb_exec *ex)
{
	const int	 f = SUB_NOCTL | SUB_NAME;
	char		*ns = NULL, *obj = NULL, *rep = NULL;
	const char	*type = ex->pod.s != NULL ? "pod" : "deployment";

	snprintf(b->req.kind, sizeof b->req.kind, "k8s.%s", ex->verb.s);
	if (b_sub(b, "ns", ex->namespace.s, f, &ns) == 0 &&
	    b_sub(b, type, ex->pod.s != NULL ? ex->pod.s : ex->deployment.s, f,
	    &obj) == 0 && b_sub(b, "replicas", ex->replicas.s, f, &rep) == 0 &&
	    rep != NULL && !b->incomplete && rep[strspn(rep, "0123456789")] !=
	    '\0')
		b_fail(b, "replicas is not a whole number");
	if (!b->failed) {
		xasprintf(&b->r->object, "%s/%s%s%s", type, obj ? obj : "?",
		    ns ? " -n " : "", ns ? ns : "");
		b_line(b, "k8s %s %s%s%s", ex->verb.s, b->r->object,
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
	if (b_sub(b, "target", ex->target.s, SUB_NOCTL, &d) != 0)
		return;
	text_add(&cmd, d, strlen(d));
	text_add(&cmd, ">", 1);
	free(d);
	for (i = 0; i < ex->ncommand && !b->failed; i++) {
		if (b_sub(b, "arg", ex->command[i].s, 0, &d) != 0)
			break;
		vpush(&b->r->argv, &b->r->argc, d);
		text_shquote(&cmd, d, 1);
	}
	s = text_take(&cmd);
	b_line(b, "redis %s", s);
	free(s);
	b_timeout(b, ex, check);
}

/* "INC-...: comment" (default: the runbook's id). */
static int
b_silence_comment(struct bld *b, const struct rb_exec *ex, char **disp)
{
	struct sv	 v;
	char		*r, *d;

	*disp = NULL;
	if (subst(b, ex->comment.s ? ex->comment.s : "runbook {{runbook}}", 0,
	    &v) != 0) {
		sv_free(&v);
		return (-1);
	}
	xasprintf(&r, "%s: %s", b->e->incident, v.real);
	xasprintf(&d, "%s: %s", b->e->incident, v.disp);
	b_arg(b, "comment", r, d);
	free(r);
	*disp = d;
	sv_free(&v);
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

		if (subst(b, ex->matchers[i].value.s, SUB_NOCTL, &v) == 0) {
			xasprintf(&s, "%s=%s", ex->matchers[i].key.s, v.real);
			xasprintf(&d, "%s=%s", ex->matchers[i].key.s, v.disp);
			b_arg(b, "matcher", s, d);
			b_line(b, "silence %s", d);
			free(s);
			free(d);
		}
		sv_free(&v);
	}
	b_lit(b, "duration", ex->duration.s);
	if (b_silence_comment(b, ex, &d) != 0)
		return;
	s = text_escape(d);
	b_line(b, "  for %s: %s", ex->duration.s, s);
	free(s);
	free(d);
	b_lit(b, "created_by", e->operator);
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
	b_lit(b, ex->action.s ? "action" : "query", ex->action.s ?
	    ex->action.s : ex->sim_query.s);
	text_add(&obj, ex->action.s ? ex->action.s : ex->sim_query.s,
	    strlen(ex->action.s ? ex->action.s : ex->sim_query.s));
	for (i = 0; i < ex->nargs && !b->failed; i++) {
		if (subst(b, ex->args[i].value.s, 0, &v) == 0) {
			b_arg(b, ex->args[i].key.s, v.real, v.disp);
			xasprintf(&d, "%s=%s", ex->args[i].key.s, v.disp);
			text_shquote(&obj, d, 1);
			free(d);
		}
		sv_free(&v);
	}
	b->r->object = text_take(&obj);
	s = b->r->object;
	b_line(b, "sim %s%s", ex->action.s ? "" : "query ", s);
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
		subst(b, n->scalar.s, 0, &v);
		*real = cJSON_CreateString(v.real ? v.real : "");
		*disp = cJSON_CreateString(v.disp ? v.disp : "");
		sv_free(&v);
		return;
	}
	*real = map ? cJSON_CreateObject() : cJSON_CreateArray();
	*disp = map ? cJSON_CreateObject() : cJSON_CreateArray();
	for (i = map; i < n->nitems && !b->failed; i += 1 + map) {
		const struct rb_node	*k = map ? n->items[i - 1] : NULL;

		if (k != NULL && k->type != RB_NODE_SCALAR) {
			b_fail(b, "http json: keys are strings");
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
	b_arg(b, key, pr, pd);
	b->r->body = xstrdup(pd);
	s = text_escape(pd);
	b_line(b, "  body %s", s);
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

	b_lit(b, "method", ex->method.s);
	r->method = xstrdup(ex->method.s);
	if (b_sub(b, "url", ex->url.s, SUB_URL, &r->url) != 0)
		return;
	s = text_escape(r->url);
	b_line(b, "%s %s", ex->method.s, s);
	free(s);
	for (i = 0; i < ex->nheaders && !b->failed; i++) {
		struct sv	v;

		if (subst(b, ex->headers[i].value.s, SUB_NOCTL, &v) == 0) {
			xasprintf(&s, "%s: %s", ex->headers[i].key.s, v.real);
			xasprintf(&d, "%s: %s", ex->headers[i].key.s, v.disp);
			b_arg(b, "header", s, d);
			vpush(&r->headers, &r->nheaders, d);
			free(s);
			s = text_escape(d);
			b_line(b, "  %s", s);
			free(s);
		}
		sv_free(&v);
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
	b_timeout(b, ex, check);
}

/* The seeds' communication template (Slack #incidents). */
static char *
b_notify_head(struct bld *b, const char *status)
{
	struct engine	*e = b->e;
	const char	*title = e->rb->title.s ? e->rb->title.s : e->rb->id.s;
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

	b_lit(b, ex->webhook_env.s ? "webhook_env" : "webhook_file", via);
	b_line(b, "notify via %s%s", ex->webhook_env.s ? "$" : "", via);
	if (subst(b, ex->text.s, 0, &v) != 0) {
		sv_free(&v);
		return;
	}
	head = b_notify_head(b, ex->status.s);
	xasprintf(&real, "%s%s", head, v.real);
	xasprintf(&disp, "%s%s", head, v.disp);
	b_text_lines(b, disp, "  ");
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
	sv_free(&v);
}

static void
b_exec_body(struct bld *b, const struct rb_exec *ex, int check)
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

/* Steps ------------------------------------------------------------------ */

/* A display-only text (title, ...): unset values stay {{name}}. */
static char *
b_show(struct bld *b, const char *t)
{
	struct sv	v;
	size_t		n;
	int		partial = b->partial, incomplete = b->incomplete;

	if (t == NULL)
		return (NULL);
	b->partial = 1;
	subst(b, t, 0, &v);
	b->partial = partial;
	b->incomplete = incomplete;
	free(v.real);
	n = strlen(v.disp);
	while (n > 0 && (v.disp[n - 1] == '\n' || v.disp[n - 1] == ' '))
		v.disp[--n] = '\0';
	return (v.disp);
}

static void
b_target(struct bld *b, const struct rb_step *s)
{
	struct sv	v;

	if (s->target.s == NULL)
		return;
	if (subst(b, s->target.s, 0, &v) == 0) {
		b->req.target = v.real;
		b->r->target = v.disp;
		v.real = v.disp = NULL;
	}
	sv_free(&v);
}

static void
b_step(struct bld *b, const struct rb_step *s)
{
	struct engine_render	*r = b->r;
	int			 i, check = s->kind == RB_STEP_CHECK ||
				     s->kind == RB_STEP_WAIT;

	r->kind = s->kind;
	r->exec = s->exec.kind;
	r->env_name = b->e->env_name;
	r->production = b->e->production;
	r->read_only = check;
	r->needs_confirm = s->kind == RB_STEP_ACTION ||
	    s->kind == RB_STEP_NOTIFY;
	r->two_person = s->two_person;
	r->title = b_show(b, s->title.s ? s->title.s : s->id.s);
	r->description = b_show(b, s->description.s);
	if (s->kind == RB_STEP_MANUAL)
		r->instructions = b_show(b, s->instructions.s);
	if (s->kind == RB_STEP_CHOICE) {
		r->instructions = b_show(b, s->question.s);
		for (i = 0; i < s->noptions; i++)
			vpush(&r->options, &r->noptions,
			    b_show(b, s->options[i].label.s));
	}
	if (s->exec.kind != RB_EX_NONE)
		b_exec_body(b, &s->exec, check);
	if (s->danger_high)
		b_target(b, s);
	if (s->exec.kind != RB_EX_NONE)
		b_line(b, "env %s%s", b->e->env_name, b->e->production ?
		    " (PRODUCTION)" : "");
}

void
eng_req_free(struct eng_req *q)
{
	vfree(q->argv, q->argc);
	free(q->target);
	memset(q, 0, sizeof *q);
}

void
engine_render_free(struct engine_render *r)
{
	if (r == NULL)
		return;
	free(r->target);
	free(r->title);
	free(r->description);
	vfree(r->req, r->nreq);
	vfree(r->argv, r->argc);
	free(r->sql);
	vfree(r->binds, r->nbinds);
	free(r->method);
	free(r->url);
	vfree(r->headers, r->nheaders);
	free(r->body);
	free(r->object);
	free(r->instructions);
	vfree(r->options, r->noptions);
	vfree(r->lines, r->nlines);
	memset(r, 0, sizeof *r);
}

int
eng_build(struct engine *e, int step, int partial, struct eng_req *req,
    struct engine_render *r, struct error *err)
{
	struct engine_render	 mine;
	struct error		 myerr;
	struct bld		 b;

	memset(&b, 0, sizeof b);
	b.e = e;
	b.partial = partial;
	b.err = err != NULL ? err : &myerr;
	b.r = r != NULL ? r : &mine;
	memset(b.r, 0, sizeof *b.r);
	b_step(&b, &e->rb->steps[step]);
	b.r->complete = !b.incomplete;
	if (b.failed) {
		eng_req_free(&b.req);
		engine_render_free(b.r);
		return (-1);
	}
	if (req != NULL)
		*req = b.req;
	else
		eng_req_free(&b.req);
	if (r == NULL)
		engine_render_free(&mine);
	return (0);
}

int
engine_render(struct engine *e, int step, struct engine_render *r,
    struct error *err)
{
	if (step < 0 || step >= e->rb->nsteps) {
		memset(r, 0, sizeof *r);
		error_set(err, "no step %d", step);
		return (-1);
	}
	return (eng_build(e, step, 1, NULL, r, err));
}

int
engine_dry_run(struct engine *e, void (*fn)(void *, int,
    const struct engine_render *, const char *), void *arg)
{
	struct engine_render	r;
	struct error		err;
	int			i, bad = 0;

	for (i = 0; i < e->rb->nsteps; i++) {
		if (engine_render(e, i, &r, &err) != 0) {
			fn(arg, i, NULL, err.msg);
			bad++;
			continue;
		}
		fn(arg, i, &r, NULL);
		engine_render_free(&r);
	}
	return (bad);
}
