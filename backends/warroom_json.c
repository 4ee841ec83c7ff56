/* warroom_json.c: the war room's approval records as JSON (warroom.h,
 * warroom_int.h): a request and back, its deep copy and freeing, an
 * answer and back, and approval codes as people type them. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "json_num.h"
#include "warroom_int.h"
#include "xmalloc.h"

static cJSON *
wj_strings(char *const *v, int n)
{
	cJSON	*a = cJSON_CreateArray();
	int	 i;

	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
	return (a);
}

struct cJSON *
wr_request_json(const struct wr_request *r)
{
	cJSON	*o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "code", r->code);
	cJSON_AddStringToObject(o, "incident", r->incident);
	cJSON_AddStringToObject(o, "runbook", r->runbook);
	cJSON_AddNumberToObject(o, "step", r->step);
	cJSON_AddStringToObject(o, "step_id", r->step_id);
	cJSON_AddStringToObject(o, "title", r->title);
	cJSON_AddItemToObject(o, "lines", wj_strings(r->lines, r->nlines));
	cJSON_AddItemToObject(o, "figures", wj_strings(r->figures,
	    r->nfigures));
	cJSON_AddItemToObject(o, "requester", wr_identity_json(&r->requester));
	cJSON_AddNumberToObject(o, "requested", (double)r->requested_ms);
	cJSON_AddNumberToObject(o, "expires", (double)r->expires_ms);
	return (o);
}

static void
wj_str(const cJSON *o, const char *name, char *buf, size_t len)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, name);

	strlcpy_(buf, cJSON_IsString(v) && v->valuestring != NULL ?
	    v->valuestring : "", len);
}

/* An array of strings (at most WR_LINES_MAX; others are skipped). */
static void
wj_str_array(const cJSON *o, const char *name, char ***v, int *n)
{
	const cJSON	*a = cJSON_GetObjectItemCaseSensitive(o, name), *e;

	*v = NULL;
	*n = 0;
	cJSON_ArrayForEach(e, a) {
		if (!cJSON_IsString(e) || *n == WR_LINES_MAX)
			continue;
		*v = xreallocarray(*v, (size_t)*n + 1, sizeof **v);
		(*v)[(*n)++] = xstrdup(e->valuestring);
	}
}

int
wr_request_from_json(const struct cJSON *o, struct wr_request *r)
{
	memset(r, 0, sizeof *r);
	if (!cJSON_IsObject(o) || wr_identity_from_json(
	    cJSON_GetObjectItemCaseSensitive(o, "requester"),
	    &r->requester) != 0)
		return (-1);
	wj_str(o, "code", r->code, sizeof r->code);
	wj_str(o, "incident", r->incident, sizeof r->incident);
	if (r->code[0] == '\0' || r->incident[0] == '\0' ||
	    (r->expires_ms = json_int64(o, "expires", 0)) <= 0)
		return (-1);
	wj_str(o, "runbook", r->runbook, sizeof r->runbook);
	r->step = json_int(o, "step", 0);
	wj_str(o, "step_id", r->step_id, sizeof r->step_id);
	wj_str(o, "title", r->title, sizeof r->title);
	wj_str_array(o, "lines", &r->lines, &r->nlines);
	wj_str_array(o, "figures", &r->figures, &r->nfigures);
	r->requested_ms = json_int64(o, "requested", 0);
	return (0);
}

/* A request from its JSON text. */
int
wr_request_parse(const char *s, struct wr_request *r)
{
	cJSON	*o = cJSON_Parse(s);
	int	 rc;

	rc = wr_request_from_json(o, r);
	cJSON_Delete(o);
	if (rc != 0)
		wr_request_free(r);
	return (rc);
}

static char **
wj_strv_copy(char *const *v, int n)
{
	char	**c;
	int	  i;

	if (n <= 0)
		return (NULL);
	c = xcalloc((size_t)n, sizeof *c);
	for (i = 0; i < n; i++)
		c[i] = xstrdup(v[i] != NULL ? v[i] : "");
	return (c);
}

void
wr_request_copy(struct wr_request *dst, const struct wr_request *src)
{
	*dst = *src;
	dst->nlines = src->nlines > 0 ? src->nlines : 0;
	dst->nfigures = src->nfigures > 0 ? src->nfigures : 0;
	dst->lines = wj_strv_copy(src->lines, dst->nlines);
	dst->figures = wj_strv_copy(src->figures, dst->nfigures);
}

void
wr_request_free(struct wr_request *r)
{
	if (r == NULL)
		return;
	wr_strv_free(r->lines, r->nlines);
	wr_strv_free(r->figures, r->nfigures);
	r->lines = r->figures = NULL;
	r->nlines = r->nfigures = 0;
}

void
wr_requests_free(struct wr_request *v, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		wr_request_free(&v[i]);
	free(v);
}

/* The answer's JSON text (caller frees with cJSON_free). */
char *
wr_answer_text(const char *code, int approve, const struct wr_identity *who,
    const char *reason, int64_t time_ms)
{
	cJSON	*o = cJSON_CreateObject();
	char	*s;

	cJSON_AddStringToObject(o, "code", code);
	cJSON_AddStringToObject(o, "decision", approve ? "approved" :
	    "rejected");
	cJSON_AddItemToObject(o, "who", wr_identity_json(who));
	cJSON_AddNumberToObject(o, "time", (double)time_ms);
	cJSON_AddStringToObject(o, "reason", reason != NULL ? reason : "");
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (s == NULL)
		fatalx("war room: out of memory");
	return (s);
}

int
wr_answer_parse(const char *s, char *code, size_t len, struct wr_answer *a)
{
	cJSON	*o = cJSON_Parse(s);
	char	 decision[16];
	int	 rc = -1;

	memset(a, 0, sizeof *a);
	if (o != NULL && wr_identity_from_json(cJSON_GetObjectItemCaseSensitive(
	    o, "who"), &a->who) == 0) {
		wj_str(o, "code", code, len);
		wj_str(o, "decision", decision, sizeof decision);
		wj_str(o, "reason", a->reason, sizeof a->reason);
		a->time_ms = json_int64(o, "time", 0);
		if (strcmp(decision, "approved") == 0)
			a->state = WR_APPROVED;
		else if (strcmp(decision, "rejected") == 0)
			a->state = WR_REJECTED;
		rc = a->state != WR_PENDING ? 0 : -1;
	}
	cJSON_Delete(o);
	return (rc);
}

/* "k7qx2m9d", "K7QX-2M9D", " k7qx-2m9d " -> "K7QX-2M9D"; -1 when it is
 * not 8 characters of the code alphabet. */
int
wr_code_normalize(const char *in, char *out, size_t len)
{
	static const char	 ok[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
	char			 c[9];
	size_t			 n = 0;

	for (; *in != '\0'; in++) {
		if (*in == '-' || isspace((unsigned char)*in))
			continue;
		if (n == 8 || strchr(ok, toupper((unsigned char)*in)) == NULL)
			return (-1);
		c[n++] = (char)toupper((unsigned char)*in);
	}
	if (n != 8 || len < WR_CODE_LEN)
		return (-1);
	snprintf(out, len, "%.4s-%.4s", c, c + 4);
	return (0);
}
