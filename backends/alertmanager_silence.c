/* alertmanager_silence.c: the silence actions (alertmanager.h).
 *
 * They run on action threads and read only the source's configuration,
 * which nothing changes while the source lives.  A change goes to the
 * first Alertmanager that answers (the cluster gossips it to the others);
 * a 5xx or a transport failure moves on to the next, any other answer is
 * final.  After a change the source is asked to refresh, so that the alert
 * shows silenced (or active again) at once. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "action.h"
#include "alertmanager.h"
#include "alertmanager_int.h"
#include "xmalloc.h"

#define SILENCE_MIN_S		60
#define SILENCE_MAX_S		(30 * 86400)
#define SILENCE_DEFAULT		"2h"

/* Talking to the first that answers -------------------------------------- */

/* 0 with *r (caller frees) and *who, or -1 with err naming every failure. */
static int
am_first_answer(const struct am *am, const char *method, const char *path,
    const char *body, struct http_response *r, const struct http_target **who,
    char *err, size_t errlen, const volatile int *cancel)
{
	char	one[256];
	size_t	off;
	int	i;

	err[0] = '\0';
	for (i = 0; i < am->n && !*cancel; i++) {
		if (http_target_request(&am->nodes[i], method, path, body, NULL,
		    r, one, sizeof one) == 0) {
			if (r->status < 500 || i == am->n - 1) {
				*who = &am->nodes[i];
				return (0);
			}
			am_explain(&am->nodes[i], r->status, r->body, path, one,
			    sizeof one);
			http_response_free(r);
		}
		off = strlen(err);
		if (off + 3 < errlen)
			snprintf(err + off, errlen - off, "%s%s", off ? "; " :
			    "", one);
	}
	if (*cancel)
		snprintf(err, errlen, "cancelled");
	return (-1);
}

/* silence.create --------------------------------------------------------- */

/* "NAME=VALUE" into a matcher object; -1 when there is no name. */
static int
silence_matcher(cJSON *arr, const char *nv, char *err, size_t errlen)
{
	const char	*eq = strchr(nv, '=');
	cJSON		*m;
	char		*name;

	if (eq == NULL || eq == nv) {
		snprintf(err, errlen, "silence.create: matcher \"%.60s\" is "
		    "not NAME=VALUE", nv);
		return (-1);
	}
	name = xstrndup(nv, (size_t)(eq - nv));
	m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "name", name);
	cJSON_AddStringToObject(m, "value", eq + 1);
	cJSON_AddFalseToObject(m, "isRegex");
	cJSON_AddTrueToObject(m, "isEqual");
	cJSON_AddItemToArray(arr, m);
	free(name);
	return (0);
}

/* The POST body, or NULL with err. */
static char *
silence_body(const struct action_req *req, int64_t secs, char *err,
    size_t errlen)
{
	cJSON		*o = cJSON_CreateObject(), *arr;
	const char	*created = action_arg(req, "created_by");
	const char	*comment = action_arg(req, "comment");
	char		 t[40], *body = NULL;
	int64_t		 now = now_ms();
	int		 i, n = 0;

	arr = cJSON_AddArrayToObject(o, "matchers");
	for (i = 0; i < req->argc; i++) {
		if (strncmp(req->argv[i], "matcher=", 8) != 0)
			continue;
		if (silence_matcher(arr, req->argv[i] + 8, err, errlen) != 0)
			goto out;
		n++;
	}
	if (n == 0) {
		snprintf(err, errlen, "silence.create: no matcher= given");
		goto out;
	}
	alertmanager_fmt_time(t, sizeof t, now);
	cJSON_AddStringToObject(o, "startsAt", t);
	alertmanager_fmt_time(t, sizeof t, now + secs * 1000);
	cJSON_AddStringToObject(o, "endsAt", t);
	cJSON_AddStringToObject(o, "createdBy", created);
	cJSON_AddStringToObject(o, "comment", comment);
	if ((body = cJSON_PrintUnformatted(o)) == NULL)
		fatalx("out of memory building a silence");
out:
	cJSON_Delete(o);
	return (body);
}

/* The arguments that are not matchers; -1 with res->summary. */
static int
silence_check(const struct action_req *req, int64_t *secs,
    struct action_result *res)
{
	const char	*d = action_arg(req, "duration");
	const char	*c = action_arg(req, "comment");
	const char	*by = action_arg(req, "created_by");

	*secs = parse_duration(d != NULL ? d : SILENCE_DEFAULT);
	if (*secs < SILENCE_MIN_S || *secs > SILENCE_MAX_S) {
		snprintf(res->summary, sizeof res->summary, "silence.create: "
		    "duration \"%.40s\" is not between 1m and 30d", d != NULL ?
		    d : SILENCE_DEFAULT);
		return (-1);
	}
	if (c == NULL || *c == '\0' || by == NULL || *by == '\0') {
		snprintf(res->summary, sizeof res->summary, "silence.create: "
		    "%s is required", c == NULL || *c == '\0' ? "comment" :
		    "created_by");
		return (-1);
	}
	return (0);
}

/* The id from {"silenceID": "..."}; -1 when the answer has none. */
static int
silence_id(const char *body, char *id, size_t len)
{
	cJSON		*j = cJSON_Parse(body);
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(j, "silenceID");
	int		 rc = -1;

	if (cJSON_IsString(v) && v->valuestring[0] != '\0') {
		strlcpy_(id, v->valuestring, len);
		rc = 0;
	}
	cJSON_Delete(j);
	return (rc);
}

static int
silence_create(void *ctx, const struct action_req *req,
    struct action_result *res, const volatile int *cancel)
{
	const struct am		*am = ctx;
	const struct http_target *who = NULL;
	struct http_response	 r;
	char			 err[400], id[80], *body;
	int64_t			 secs;
	int			 rc = -1;

	if (silence_check(req, &secs, res) != 0)
		return (-1);
	if ((body = silence_body(req, secs, res->summary,
	    sizeof res->summary)) == NULL)
		return (-1);
	if (am_first_answer(am, "POST", "/api/v2/silences", body, &r, &who,
	    err, sizeof err, cancel) != 0) {
		snprintf(res->summary, sizeof res->summary, "silence not "
		    "created: %s", err);
		free(body);
		return (-1);
	}
	if (r.status < 200 || r.status > 299) {
		am_explain(who, r.status, r.body, "creating a silence", err,
		    sizeof err);
		snprintf(res->summary, sizeof res->summary, "silence not "
		    "created: %s", err);
	} else if (silence_id(r.body, id, sizeof id) != 0)
		snprintf(res->summary, sizeof res->summary, "silence not "
		    "created: %s answered without a silenceID", who->name);
	else {
		snprintf(res->summary, sizeof res->summary, "silence %s "
		    "created on %s for %s", id, who->name,
		    action_arg(req, "duration") ? action_arg(req, "duration") :
		    SILENCE_DEFAULT);
		rc = 0;
		source_kick(am->src);
	}
	http_response_free(&r);
	free(body);
	return (rc);
}

/* silence.expire --------------------------------------------------------- */

static int
silence_expire(void *ctx, const struct action_req *req,
    struct action_result *res, const volatile int *cancel)
{
	const struct am		*am = ctx;
	const struct http_target *who = NULL;
	const char		*id = action_arg(req, "id");
	struct http_response	 r;
	char			 err[400], *esc, *path;
	int			 rc = -1;

	if (id == NULL || *id == '\0') {
		snprintf(res->summary, sizeof res->summary, "silence.expire: "
		    "id= is required");
		return (-1);
	}
	esc = http_target_escape(id);
	xasprintf(&path, "/api/v2/silence/%s", esc);
	free(esc);
	if (am_first_answer(am, "DELETE", path, NULL, &r, &who, err,
	    sizeof err, cancel) != 0) {
		snprintf(res->summary, sizeof res->summary, "silence %s not "
		    "expired: %s", id, err);
		free(path);
		return (-1);
	}
	if (r.status < 200 || r.status > 299) {
		am_explain(who, r.status, r.body, "expiring the silence", err,
		    sizeof err);
		snprintf(res->summary, sizeof res->summary, "silence %s not "
		    "expired: %s", id, err);
	} else {
		snprintf(res->summary, sizeof res->summary, "silence %s "
		    "expired on %s", id, who->name);
		rc = 0;
		source_kick(am->src);
	}
	http_response_free(&r);
	free(path);
	return (rc);
}

/* silence.list ----------------------------------------------------------- */

struct sil {
	const cJSON	*o;
	int		 rank;		/* 0 active, 1 pending, 2 expired */
	int64_t		 ends;
};

static int
sil_rank(const char *state)
{
	if (state != NULL && strcmp(state, "active") == 0)
		return (0);
	if (state != NULL && strcmp(state, "pending") == 0)
		return (1);
	return (2);
}

static int
sil_cmp(const void *va, const void *vb)
{
	const struct sil	*a = va, *b = vb;

	if (a->rank != b->rank)
		return (a->rank - b->rank);
	if (a->ends != b->ends)
		return (a->ends > b->ends ? -1 : 1);
	return (0);
}

static const char *
sil_str(const cJSON *o, const char *key)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, key);

	return (cJSON_IsString(v) ? v->valuestring : "");
}

/* Append printf text to a growing buffer. */
static void __attribute__((format(printf, 2, 3)))
sil_out(char **buf, const char *fmt, ...)
{
	va_list	 ap;
	char	*add, *joined;

	va_start(ap, fmt);
	xvasprintf(&add, fmt, ap);
	va_end(ap);
	xasprintf(&joined, "%s%s", *buf != NULL ? *buf : "", add);
	free(add);
	free(*buf);
	*buf = joined;
}

static void
sil_matchers(char **out, const cJSON *o)
{
	const cJSON	*m, *arr = cJSON_GetObjectItemCaseSensitive(o,
			    "matchers");
	const cJSON	*eq;
	int		 regex, equal;

	sil_out(out, "   ");
	cJSON_ArrayForEach(m, arr) {
		regex = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m,
		    "isRegex"));
		eq = cJSON_GetObjectItemCaseSensitive(m, "isEqual");
		equal = eq == NULL || cJSON_IsTrue(eq);
		sil_out(out, " %s%s%s\"%s\"", sil_str(m, "name"), equal ? "" :
		    "!", regex ? "=~" : "=", sil_str(m, "value"));
	}
	sil_out(out, "\n");
}

static void
sil_format(char **out, const struct sil *s, int64_t now)
{
	const cJSON	*st = cJSON_GetObjectItemCaseSensitive(s->o, "status");
	char		 left[16];

	if (s->rank < 2)
		fmt_duration(left, sizeof left, (double)(s->ends - now) / 1000);
	sil_out(out, "%s  %-8s %s%s  by %s\n", sil_str(s->o, "id"),
	    sil_str(st, "state"), s->rank < 2 ? "ends in " : "ended ",
	    s->rank < 2 ? left : sil_str(s->o, "endsAt"),
	    sil_str(s->o, "createdBy"));
	sil_matchers(out, s->o);
	sil_out(out, "    comment: %s\n", sil_str(s->o, "comment"));
}

/* The text of a GET /api/v2/silences body; -1 when it is not a list. */
static int
sil_list_text(const char *body, char **out, int *nactive, int *n)
{
	cJSON		*root = cJSON_Parse(body);
	const cJSON	*o;
	struct sil	*v;
	int		 i = 0;
	int64_t		 now = now_ms();

	if (!cJSON_IsArray(root)) {
		cJSON_Delete(root);
		return (-1);
	}
	*n = cJSON_GetArraySize(root);
	v = xcalloc(*n > 0 ? (size_t)*n : 1, sizeof *v);
	cJSON_ArrayForEach(o, root) {
		v[i].o = o;
		v[i].rank = sil_rank(sil_str(cJSON_GetObjectItemCaseSensitive(
		    o, "status"), "state"));
		v[i++].ends = alertmanager_time_ms(sil_str(o, "endsAt"));
	}
	qsort(v, (size_t)*n, sizeof *v, sil_cmp);
	*nactive = 0;
	for (i = 0; i < *n; i++) {
		*nactive += v[i].rank == 0;
		sil_format(out, &v[i], now);
	}
	if (*out == NULL)
		*out = xstrdup("no silences\n");
	free(v);
	cJSON_Delete(root);
	return (0);
}

static int
silence_list(void *ctx, const struct action_req *req,
    struct action_result *res, const volatile int *cancel)
{
	const struct am		*am = ctx;
	const struct http_target *who = NULL;
	struct http_response	 r;
	char			 err[400];
	int			 rc = -1, n = 0, active = 0;

	if (am_first_answer(am, "GET", "/api/v2/silences", NULL, &r, &who,
	    err, sizeof err, cancel) != 0) {
		snprintf(res->summary, sizeof res->summary, "silences: %s", err);
		return (-1);
	}
	if (r.status < 200 || r.status > 299) {
		am_explain(who, r.status, r.body, "listing silences", err,
		    sizeof err);
		snprintf(res->summary, sizeof res->summary, "silences: %s", err);
	} else if (sil_list_text(r.body, &res->output, &active, &n) != 0)
		snprintf(res->summary, sizeof res->summary, "silences: %s "
		    "answered with something that is not a silence list",
		    who->name);
	else {
		snprintf(res->summary, sizeof res->summary, "%d silence%s on "
		    "%s (%d active)", n, n == 1 ? "" : "s", who->name, active);
		rc = 0;
	}
	http_response_free(&r);
	return (rc);
}

void
alertmanager_register_actions(struct source *src, struct actions *actions)
{
	if (src == NULL || src->cls != &alertmanager_source)
		return;
	actions_register(actions, "silence.create", silence_create, src->priv);
	actions_register(actions, "silence.expire", silence_expire, src->priv);
	actions_register(actions, "silence.list", silence_list, src->priv);
}
