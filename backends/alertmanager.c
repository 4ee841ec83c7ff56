/* alertmanager.c: the Alertmanager source (alertmanager.h).
 *
 * Every fetch asks each Alertmanager of the cluster at once (one thread per
 * extra instance; each request has its connect and total timeouts), parses
 * the answers with cJSON, merges them by fingerprint and publishes one
 * snapshot.  An instance that fails while another answers becomes the
 * snapshot's note; the fetch fails only when none answered. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "alertmanager.h"
#include "alertmanager_int.h"
#include "http.h"
#include "xmalloc.h"

#define AM_ALERTS_PATH	"/api/v2/alerts?active=true&silenced=true&" \
			"inhibited=true"
#define AM_MAX_NODES	16

/* Times ------------------------------------------------------------------ */

static int
am_digits(const char *s, int n, int *out)
{
	int	i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (-1);
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return (0);
}

/* "+01:00" / "-05:30" / "Z" into seconds east of UTC; -1 when malformed. */
static int
am_zone(const char *p, int *off)
{
	int	h, m;

	if ((p[0] == 'Z' || p[0] == 'z') && p[1] == '\0') {
		*off = 0;
		return (0);
	}
	if ((p[0] != '+' && p[0] != '-') || am_digits(p + 1, 2, &h) != 0 ||
	    p[3] != ':' || am_digits(p + 4, 2, &m) != 0 || p[6] != '\0' ||
	    h > 23 || m > 59)
		return (-1);
	*off = (h * 3600 + m * 60) * (p[0] == '-' ? -1 : 1);
	return (0);
}

int64_t
alertmanager_time_ms(const char *s)
{
	struct tm	 tm;
	int		 v[6], ms = 0, i, off;
	const char	*p;

	if (s == NULL || strlen(s) < 20 || am_digits(s, 4, &v[0]) != 0 ||
	    s[4] != '-' || am_digits(s + 5, 2, &v[1]) != 0 || s[7] != '-' ||
	    am_digits(s + 8, 2, &v[2]) != 0 || (s[10] != 'T' && s[10] != 't') ||
	    am_digits(s + 11, 2, &v[3]) != 0 || s[13] != ':' ||
	    am_digits(s + 14, 2, &v[4]) != 0 || s[16] != ':' ||
	    am_digits(s + 17, 2, &v[5]) != 0)
		return (-1);
	if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 ||
	    v[4] > 59 || v[5] > 60)
		return (-1);
	p = s + 19;
	if (*p == '.') {
		for (p++, i = 0; *p >= '0' && *p <= '9'; p++, i++)
			if (i < 3)
				ms = ms * 10 + (*p - '0');
		if (i == 0)
			return (-1);
		for (; i < 3; i++)
			ms *= 10;
	}
	if (am_zone(p, &off) != 0)
		return (-1);
	memset(&tm, 0, sizeof tm);
	tm.tm_year = v[0] - 1900;
	tm.tm_mon = v[1] - 1;
	tm.tm_mday = v[2];
	tm.tm_hour = v[3];
	tm.tm_min = v[4];
	tm.tm_sec = v[5];
	return (((int64_t)timegm(&tm) - off) * 1000 + ms);
}

void
alertmanager_fmt_time(char *buf, size_t len, int64_t ms)
{
	time_t		t = (time_t)(ms / 1000);
	struct tm	tm;
	char		s[32];

	gmtime_r(&t, &tm);
	strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03dZ", s, (int)(ms % 1000));
}

/* Parsing ---------------------------------------------------------------- */

static const char *
am_str(const cJSON *obj, const char *key)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return (cJSON_IsString(v) ? v->valuestring : NULL);
}

static void
am_copy(char *dst, size_t len, const char *src)
{
	strlcpy_(dst, src != NULL ? src : "", len);
}

/* The key labels that fit whole, "k=v k=v". */
static void
am_key_labels(struct alert *a, const cJSON *labels)
{
	static const char *const keys[] = { "namespace", "service",
	    "deployment", "pod", "instance", "job" };
	const char	*v;
	size_t		 i, off = 0, need;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if ((v = am_str(labels, keys[i])) == NULL)
			continue;
		need = (off ? 1 : 0) + strlen(keys[i]) + 1 + strlen(v);
		if (off + need + 1 > sizeof a->labels)
			continue;
		off += (size_t)snprintf(a->labels + off, sizeof a->labels - off,
		    "%s%s=%s", off ? " " : "", keys[i], v);
	}
}

/* Every label as matchers, alertname first. */
static void
am_matchers(struct alert *a, const cJSON *labels)
{
	const cJSON	*l;
	const char	*name = am_str(labels, "alertname");

	if (name != NULL)
		alert_matcher_add(a->matchers, sizeof a->matchers, "alertname",
		    name);
	cJSON_ArrayForEach(l, labels) {
		if (!cJSON_IsString(l) || l->string == NULL ||
		    strcmp(l->string, "alertname") == 0)
			continue;
		alert_matcher_add(a->matchers, sizeof a->matchers, l->string,
		    l->valuestring);
	}
}

static const char *
am_first_id(const cJSON *status, const char *key)
{
	const cJSON	*arr = cJSON_GetObjectItemCaseSensitive(status, key);
	const cJSON	*first = cJSON_IsArray(arr) ? cJSON_GetArrayItem(arr, 0) :
			    NULL;

	return (first != NULL && cJSON_IsString(first) ? first->valuestring :
	    NULL);
}

/* "suppressed" is a silence when silencedBy names one, else an inhibition
 * (or a mute time interval, which is not ours to lift either). */
static void
am_state(struct alert *a, const cJSON *status)
{
	const char	*state = am_str(status, "state");
	const char	*silence = am_first_id(status, "silencedBy");

	am_copy(a->silenced_by, sizeof a->silenced_by, silence);
	if (state == NULL || strcmp(state, "suppressed") != 0)
		a->state = ALERT_ACTIVE;
	else
		a->state = a->silenced_by[0] != '\0' ? ALERT_SILENCED :
		    ALERT_INHIBITED;
}

static int
am_parse_one(const cJSON *o, struct alert *a, int64_t *updated)
{
	const cJSON	*labels, *ann;
	const char	*s;

	labels = cJSON_GetObjectItemCaseSensitive(o, "labels");
	ann = cJSON_GetObjectItemCaseSensitive(o, "annotations");
	if (!cJSON_IsObject(o) || !cJSON_IsObject(labels))
		return (-1);
	am_copy(a->name, sizeof a->name, am_str(labels, "alertname"));
	am_copy(a->severity, sizeof a->severity, am_str(labels, "severity"));
	am_key_labels(a, labels);
	am_matchers(a, labels);
	if ((s = am_str(ann, "summary")) == NULL)
		s = am_str(ann, "description");
	am_copy(a->summary, sizeof a->summary, s);
	if ((s = am_str(ann, "runbook_url")) == NULL)
		s = am_str(ann, "runbook");
	am_copy(a->runbook_url, sizeof a->runbook_url, s);
	alert_runbook_name(a->runbook_url, a->runbook, sizeof a->runbook);
	am_copy(a->fingerprint, sizeof a->fingerprint, am_str(o,
	    "fingerprint"));
	if ((a->starts_ms = alertmanager_time_ms(am_str(o, "startsAt"))) < 0)
		a->starts_ms = 0;
	*updated = alertmanager_time_ms(am_str(o, "updatedAt"));
	am_state(a, cJSON_GetObjectItemCaseSensitive(o, "status"));
	return (0);
}

int
alertmanager_parse_alerts(const char *body, struct alert **rowsp,
    int64_t **updatedp, int *np, char *err, size_t errlen)
{
	cJSON		*root, *o;
	const char	*end = NULL;
	struct alert	*rows;
	int64_t		*upd;
	int		 n, i = 0;

	root = cJSON_ParseWithOpts(body, &end, 0);
	if (root == NULL) {
		snprintf(err, errlen, "the answer is not JSON (at byte %zu)",
		    end != NULL ? (size_t)(end - body) : (size_t)0);
		return (-1);
	}
	if (!cJSON_IsArray(root)) {
		snprintf(err, errlen, "the answer is not an Alertmanager API "
		    "v2 alert list");
		cJSON_Delete(root);
		return (-1);
	}
	n = cJSON_GetArraySize(root);
	rows = xcalloc(n > 0 ? (size_t)n : 1, sizeof *rows);
	upd = xcalloc(n > 0 ? (size_t)n : 1, sizeof *upd);
	cJSON_ArrayForEach(o, root) {
		if (am_parse_one(o, &rows[i], &upd[i]) != 0) {
			snprintf(err, errlen, "alert %d of the answer has no "
			    "labels: not an Alertmanager API v2 alert list", i);
			free(rows);
			free(upd);
			cJSON_Delete(root);
			return (-1);
		}
		i++;
	}
	cJSON_Delete(root);
	*rowsp = rows;
	*np = n;
	if (updatedp != NULL)
		*updatedp = upd;
	else
		free(upd);
	return (0);
}

/* Merging an HA cluster's answers ---------------------------------------- */

struct am_ref {
	struct alert	*a;
	int64_t		 updated;
};

/* By fingerprint, then the preferred copy first. */
static int
am_ref_cmp(const void *va, const void *vb)
{
	const struct am_ref	*a = va, *b = vb;
	int			 c = strcmp(a->a->fingerprint, b->a->fingerprint);

	if (c != 0)
		return (c);
	if (a->updated != b->updated)
		return (a->updated > b->updated ? -1 : 1);
	if ((a->a->state != ALERT_ACTIVE) != (b->a->state != ALERT_ACTIVE))
		return (a->a->state != ALERT_ACTIVE ? -1 : 1);
	return (0);
}

int
alertmanager_dedupe(struct alert *rows, int64_t *updated, int n)
{
	struct am_ref	*refs;
	struct alert	*out;
	int		 i, m = 0;

	if (n < 2)
		return (n);
	refs = xcalloc((size_t)n, sizeof *refs);
	for (i = 0; i < n; i++) {
		refs[i].a = &rows[i];
		refs[i].updated = updated != NULL ? updated[i] : 0;
	}
	qsort(refs, (size_t)n, sizeof *refs, am_ref_cmp);
	out = xcalloc((size_t)n, sizeof *out);
	for (i = 0; i < n; i++) {
		if (i > 0 && refs[i].a->fingerprint[0] != '\0' &&
		    strcmp(refs[i].a->fingerprint,
		    refs[i - 1].a->fingerprint) == 0)
			continue;
		if (updated != NULL)
			updated[m] = refs[i].updated;
		out[m++] = *refs[i].a;
	}
	memcpy(rows, out, (size_t)m * sizeof *rows);
	free(out);
	free(refs);
	return (m);
}

/* Fetching --------------------------------------------------------------- */

/* Alertmanager's API answers errors with a bare JSON string; proxies in
 * front of it with their own bodies (http_explain reads those). */
void
am_explain(const struct http_target *t, long status, const char *body,
    const char *what, char *err, size_t errlen)
{
	cJSON	*j = cJSON_Parse(body != NULL ? body : "");
	char	 buf[256];

	if (cJSON_IsString(j)) {
		http_explain(status, NULL, what, buf, sizeof buf);
		snprintf(err, errlen, "%.40s: %.100s: %.100s", t->name, buf,
		    j->valuestring);
	} else {
		http_explain(status, body, what, buf, sizeof buf);
		snprintf(err, errlen, "%.40s: %.200s", t->name, buf);
	}
	cJSON_Delete(j);
}

struct am_job {
	const struct http_target *t;
	struct alert		*rows;
	int64_t			*updated;
	int			 n;
	int			 ok;
	char			 err[256];
};

static void
am_job_run(void *arg, int i)
{
	struct am_job		*j = (struct am_job *)arg + i;
	struct http_response	 r;
	char			 why[200];

	if (http_target_request(j->t, "GET", AM_ALERTS_PATH, NULL, NULL, &r,
	    j->err, sizeof j->err) != 0)
		return;
	if (r.status < 200 || r.status > 299)
		am_explain(j->t, r.status, r.body, "reading alerts", j->err,
		    sizeof j->err);
	else if (alertmanager_parse_alerts(r.body, &j->rows, &j->updated,
	    &j->n, why, sizeof why) != 0)
		snprintf(j->err, sizeof j->err, "%s: GET /api/v2/alerts: %s",
		    j->t->name, why);
	else
		j->ok = 1;
	http_response_free(&r);
}

/* The note for instances that failed: the first one's error, without its
 * URL ("am-2: connection refused"), after a count when several did. */
static void
am_note(const struct am_job *jobs, int n, char *buf, size_t len)
{
	const struct am_job	*first = NULL;
	char			*url;
	size_t			 off = 0;
	int			 i, failed = 0;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (jobs[i].ok)
			continue;
		if (first == NULL)
			first = &jobs[i];
		failed++;
	}
	if (first == NULL)
		return;
	if (failed > 1)
		off = (size_t)snprintf(buf, len, "%d of %d Alertmanagers not "
		    "answering; ", failed, n);
	if (off < len)
		strlcpy_(buf + off, first->err, len - off);
	/* The instance's name says where; the URL would crowd the title. */
	if ((url = strstr(buf, " (http")) != NULL)
		*url = '\0';
}

/* The merged snapshot, or NULL when no instance answered. */
static struct snapshot *
am_merge(struct am_job *jobs, int n)
{
	struct snapshot	*snap;
	struct alert	*rows;
	int64_t		*upd;
	int		 i, total = 0, off = 0;

	for (i = 0; i < n; i++)
		if (jobs[i].ok)
			total += jobs[i].n;
	for (i = 0; i < n && !jobs[i].ok; i++)
		continue;
	if (i == n)
		return (NULL);
	rows = xcalloc(total > 0 ? (size_t)total : 1, sizeof *rows);
	upd = xcalloc(total > 0 ? (size_t)total : 1, sizeof *upd);
	for (i = 0; i < n; i++) {
		if (!jobs[i].ok)
			continue;
		memcpy(rows + off, jobs[i].rows, (size_t)jobs[i].n *
		    sizeof *rows);
		memcpy(upd + off, jobs[i].updated, (size_t)jobs[i].n *
		    sizeof *upd);
		off += jobs[i].n;
	}
	snap = snapshot_new(SNAP_ALERTS);
	snap->u.alerts.rows = rows;
	snap->u.alerts.n = alertmanager_dedupe(rows, upd, total);
	am_note(jobs, n, snap->u.alerts.note, sizeof snap->u.alerts.note);
	free(upd);
	return (snap);
}

static void
am_fail_text(const struct am_job *jobs, int n, struct error *err)
{
	size_t	off;
	int	i;

	if (n == 1) {
		error_set(err, "%s", jobs[0].err);
		return;
	}
	error_set(err, "no Alertmanager answered:");
	for (i = 0; i < n; i++) {
		off = strlen(err->msg);
		off += strlcpy_(err->msg + off, i ? "; " : " ",
		    sizeof err->msg - off);
		if (off + 1 >= sizeof err->msg)
			break;
		strlcpy_(err->msg + off, jobs[i].err, sizeof err->msg - off);
	}
}

/* The class -------------------------------------------------------------- */

static int
am_open(struct source *src, struct error *err)
{
	return (0);
}

static int
am_fetch(struct source *src, struct error *err)
{
	struct am	*am = src->priv;
	struct am_job	 jobs[AM_MAX_NODES];
	struct snapshot	*snap;
	int		 i;

	memset(jobs, 0, sizeof jobs);
	for (i = 0; i < am->n; i++)
		jobs[i].t = &am->nodes[i];
	http_parallel(am->n, am_job_run, jobs);
	snap = am_merge(jobs, am->n);
	if (snap == NULL)
		am_fail_text(jobs, am->n, err);
	for (i = 0; i < am->n; i++) {
		free(jobs[i].rows);
		free(jobs[i].updated);
	}
	if (snap == NULL)
		return (-1);
	snap->fetched_ms = now_ms();
	source_publish(src, snap);
	return (0);
}

static void
am_close(struct source *src)
{
}

static void
am_free(struct source *src)
{
	struct am	*am = src->priv;
	int		 i;

	if (am == NULL)
		return;
	for (i = 0; i < am->n; i++)
		http_target_free(&am->nodes[i]);
	free(am->nodes);
	free(am);
	src->priv = NULL;
}

const struct source_class alertmanager_source = {
	.name = "alertmanager",
	.open = am_open,
	.fetch = am_fetch,
	.close = am_close,
	.free = am_free,
};

struct source *
alertmanager_source_new(const struct cfg_env *env, struct error *err)
{
	struct am	*am;
	char		 name[32];
	int		 i;

	err->msg[0] = '\0';
	if (env->nalertmanager == 0)
		return (NULL);
	if (env->nalertmanager > AM_MAX_NODES) {
		error_set(err, "alertmanager: at most %d instances in one "
		    "environment", AM_MAX_NODES);
		return (NULL);
	}
	am = xcalloc(1, sizeof *am);
	am->n = env->nalertmanager;
	am->nodes = xcalloc((size_t)am->n, sizeof *am->nodes);
	for (i = 0; i < am->n; i++) {
		snprintf(name, sizeof name, "am-%d", i + 1);
		http_target_init(&am->nodes[i], env->alertmanager[i].name ?
		    env->alertmanager[i].name : name,
		    &env->alertmanager[i].http);
	}
	am->src = source_new(&alertmanager_source, "alertmanager",
	    1u << SNAP_ALERTS, env->refresh_ms, am);
	return (am->src);
}
