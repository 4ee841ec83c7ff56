/* engine_event.c: the run's events (kept as a timeline and handed to the
 * subscribers: the audit trail, the war-room stream), what a step captures
 * from its output, and the redaction of secret values from any text that
 * leaves the engine. */
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "engine_int.h"
#include "xmalloc.h"

#define EV_MAX_KEEP	100000	/* a longer run keeps the last */

static char *
dup_or_null(const char *s)
{
	return (s != NULL ? xstrdup(s) : NULL);
}

/* The fields an event owns (the rest point into the engine or runbook). */
static void
ev_own(struct engine_event *ev)
{
	char	**argv = NULL;
	int	  i;

	ev->action_kind = dup_or_null(ev->action_kind);
	if (ev->argc > 0) {
		argv = xcalloc(ev->argc, sizeof *argv);
		for (i = 0; i < ev->argc; i++)
			argv[i] = xstrdup(ev->argv[i]);
	}
	ev->argv = (const char *const *)argv;
	ev->summary = dup_or_null(ev->summary);
	ev->output_sha256 = dup_or_null(ev->output_sha256);
	ev->output_head = dup_or_null(ev->output_head);
	ev->param = dup_or_null(ev->param);
	ev->value = dup_or_null(ev->value);
	ev->reason = dup_or_null(ev->reason);
	ev->note = dup_or_null(ev->note);
	ev->typed = dup_or_null(ev->typed);
	ev->approver = dup_or_null(ev->approver);
}

static void
ev_free(struct engine_event *ev)
{
	int	i;

	free((char *)ev->action_kind);
	for (i = 0; i < ev->argc; i++)
		free((char *)ev->argv[i]);
	free((char **)ev->argv);
	free((char *)ev->summary);
	free((char *)ev->output_sha256);
	free((char *)ev->output_head);
	free((char *)ev->param);
	free((char *)ev->value);
	free((char *)ev->reason);
	free((char *)ev->note);
	free((char *)ev->typed);
	free((char *)ev->approver);
}

void
eng_events_free(struct engine *e)
{
	int	i;

	for (i = 0; i < e->nevs; i++)
		ev_free(&e->evs[i]);
	free(e->evs);
	e->evs = NULL;
	e->nevs = 0;
}

void
eng_ev_step(struct engine *e, struct engine_event *ev, enum engine_ev type,
    int step)
{
	const struct rb_step	*s;

	memset(ev, 0, sizeof *ev);
	ev->type = type;
	ev->step = step;
	if (step < 0 || step >= e->rb->nsteps)
		return;
	s = &e->rb->steps[step];
	ev->step_id = s->id.s;
	ev->step_kind = rb_step_kind_name(s->kind);
	ev->step_title = s->title.s ? s->title.s : s->id.s;
	ev->attempt = e->st[step].attempt;
}

int
eng_emit(struct engine *e, struct engine_event *tmpl)
{
	struct engine_event	*ev;
	int			 i, rc = 0;

	tmpl->seq = ++e->seq;
	tmpl->time_ms = now_ms();
	tmpl->incident = e->incident;
	tmpl->runbook_id = e->rb->id.s;
	tmpl->runbook_sha256 = e->rb->sha256;
	tmpl->runbook_path = e->rb->path;
	tmpl->env_name = e->env_name;
	tmpl->production = e->production;
	tmpl->read_only = e->read_only;
	tmpl->dry_run = e->dry_run;
	if (e->nevs == EV_MAX_KEEP) {
		ev_free(&e->evs[0]);
		memmove(e->evs, e->evs + 1, (e->nevs - 1) * sizeof *e->evs);
		e->nevs--;
	}
	if ((e->nevs & 63) == 0)
		e->evs = xreallocarray(e->evs, e->nevs + 64, sizeof *e->evs);
	ev = &e->evs[e->nevs++];
	*ev = *tmpl;
	ev_own(ev);
	for (i = 0; i < e->nsubs; i++)
		if (e->subs[i].fn(e->subs[i].arg, ev) != 0)
			rc = -1;
	return (rc);
}

void
engine_subscribe(struct engine *e, engine_event_fn fn, void *arg)
{
	if (e->nsubs == ENGINE_MAX_SUBS)
		fatalx("engine: too many subscribers");
	e->subs[e->nsubs].fn = fn;
	e->subs[e->nsubs].arg = arg;
	e->nsubs++;
}

const struct engine_event *
engine_events(const struct engine *e, int *n)
{
	*n = e->nevs;
	return (e->evs);
}

/* Redaction -------------------------------------------------------------- */

char *
eng_redact(const struct engine *e, const char *text, size_t len,
    size_t *outlen)
{
	static const char	 mark[] = "[redacted]";
	char			*out = xmalloc(len + 1), *o;
	size_t			 i = 0, cap = len + 1, n = 0, vl;
	int			 k, hit;

	while (i < len) {
		hit = 0;
		for (k = 0; k < e->nvals && !hit; k++) {
			if (!e->vals[k].secret || (vl = strlen(
			    e->vals[k].value)) == 0 || vl > len - i ||
			    memcmp(text + i, e->vals[k].value, vl) != 0)
				continue;
			if (n + sizeof mark > cap) {
				cap = cap * 2 + sizeof mark;
				out = xrealloc(out, cap);
			}
			memcpy(out + n, mark, sizeof mark - 1);
			n += sizeof mark - 1;
			i += vl;
			hit = 1;
		}
		if (hit)
			continue;
		if (n + 2 > cap) {
			cap *= 2;
			out = xrealloc(out, cap);
		}
		o = out + n++;
		*o = text[i++];
	}
	out[n] = '\0';
	if (outlen != NULL)
		*outlen = n;
	return (out);
}

void
eng_sha256(const char *buf, size_t len, char out[65])
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen = 0, i;

	out[0] = '\0';
	if (EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL) != 1)
		return;
	for (i = 0; i < mdlen && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* Captures --------------------------------------------------------------- */

static int
cap_regex(const struct rb_capture *c, const char *out, char **value,
    struct error *err)
{
	regmatch_t	m[2];
	int		g;

	if (!c->has_re || regexec(&c->re, out, 2, m, 0) != 0) {
		error_set(err, "capture %s: no match", c->var.s);
		return (-1);
	}
	g = m[1].rm_so >= 0 ? 1 : 0;
	*value = xstrndup(out + m[g].rm_so, (size_t)(m[g].rm_eo -
	    m[g].rm_so));
	return (0);
}

static const cJSON *
cap_walk(const cJSON *j, const char *path)
{
	char		 name[128];
	const char	*p = path;
	size_t		 n;
	long		 idx;

	while (j != NULL && *p != '\0') {
		n = strcspn(p, ".[");
		if (n >= sizeof name)
			return (NULL);
		if (n > 0) {
			memcpy(name, p, n);
			name[n] = '\0';
			j = cJSON_GetObjectItemCaseSensitive(j, name);
			p += n;
		}
		while (j != NULL && *p == '[') {
			idx = strtol(p + 1, (char **)&p, 10);
			if (*p++ != ']' || idx < 0 || idx > 1000000)
				return (NULL);
			j = cJSON_GetArrayItem(j, (int)idx);
		}
		if (*p == '.')
			p++;
	}
	return (j);
}

static char *
cap_json_value(const cJSON *v)
{
	char	*s, *copy;
	double	 d;

	if (cJSON_IsString(v))
		return (xstrdup(v->valuestring));
	if (cJSON_IsBool(v))
		return (xstrdup(cJSON_IsTrue(v) ? "true" : "false"));
	if (cJSON_IsNull(v))
		return (xstrdup(""));
	if (cJSON_IsNumber(v)) {
		d = v->valuedouble;
		if (d == floor(d) && fabs(d) < 1e15)
			xasprintf(&s, "%lld", (long long)d);
		else
			xasprintf(&s, "%.17g", d);
		return (s);
	}
	if ((s = cJSON_PrintUnformatted(v)) == NULL)
		fatalx("cJSON: out of memory");
	copy = xstrdup(s);
	cJSON_free(s);
	return (copy);
}

int
eng_capture(const struct rb_capture *c, const char *out, char **value,
    struct error *err)
{
	const cJSON	*v;
	cJSON		*root;

	*value = NULL;
	if (c->regex.s != NULL)
		return (cap_regex(c, out, value, err));
	if ((root = cJSON_Parse(out)) == NULL) {
		error_set(err, "capture %s: the output is not JSON", c->var.s);
		return (-1);
	}
	if ((v = cap_walk(root, c->json.s)) == NULL)
		error_set(err, "capture %s: no %s in the output", c->var.s,
		    c->json.s);
	else
		*value = cap_json_value(v);
	cJSON_Delete(root);
	return (*value != NULL ? 0 : -1);
}
