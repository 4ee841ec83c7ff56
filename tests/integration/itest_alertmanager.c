/* itest_alertmanager.c: the Alertmanager source and the silence actions
 * against two real Alertmanagers in an HA cluster (run by
 * tests/integration/alertmanager.sh, which starts them and the fake
 * servers).  Alerts are POSTed to /api/v2/alerts as Prometheus would post
 * them; the source is read the way its worker does (one fetch), and the
 * actions run through core/action.c as the console runs them.  Each case
 * uses alert names of its own, so the cases do not see each other. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "action.h"
#include "alertmanager.h"
#include "config.h"
#include "http.h"
#include "snapshot.h"
#include "source.h"
#include "store.h"
#include "util.h"
#include "xmalloc.h"

static char	am1[64], am2[64], auth[64], bad[64], hang[64], refused[64];

/* The configuration, as config.c would build it --------------------------- */

struct env {
	struct cfg_env		env;
	struct cfg_alertmanager	am[4];
};

static void
env_init(struct env *e)
{
	memset(e, 0, sizeof *e);
	e->env.name = (char *)"itest";
	e->env.refresh_ms = 1000;
	e->env.alertmanager = e->am;
}

static void
env_add(struct env *e, const char *name, const char *url, int timeout_ms)
{
	struct cfg_alertmanager	*a = &e->am[e->env.nalertmanager++];

	a->name = (char *)name;
	a->http.url = (char *)url;
	a->http.connect_timeout_ms = 1000;
	a->http.timeout_ms = timeout_ms;
}

/* One fetch through a fresh source ---------------------------------------- */

struct rd {
	struct source	*src;
	struct store	*store;
	struct snapshot	*snap;
	struct error	 err;
	int		 rc;
	int64_t		 took_ms;
};

static void
rd_fetch(struct rd *d)
{
	int64_t	t0 = mono_ms();

	snapshot_unref(d->snap);
	d->snap = NULL;
	d->err.msg[0] = '\0';
	d->rc = d->src->cls->fetch(d->src, &d->err);
	d->took_ms = mono_ms() - t0;
	if (d->rc == 0)
		d->snap = store_get(d->store, SNAP_ALERTS, NULL);
}

static void
rd_open(struct rd *d, const struct env *e)
{
	struct error	err;

	memset(d, 0, sizeof *d);
	d->src = alertmanager_source_new(&e->env, &err);
	if (d->src == NULL)
		fail_msg("alertmanager_source_new: %s", err.msg);
	assert_string_equal(d->src->cls->name, "alertmanager");
	assert_int_equal(d->src->kinds, 1u << SNAP_ALERTS);
	d->store = store_new();
	d->src->store = d->store;
	assert_int_equal(d->src->cls->open(d->src, &d->err), 0);
}

static void
rd_read(struct rd *d, const struct env *e)
{
	rd_open(d, e);
	rd_fetch(d);
}

static void
rd_done(struct rd *d)
{
	snapshot_unref(d->snap);
	d->src->cls->close(d->src);
	assert_int_equal(source_stop(d->src, 0), 0);
	store_free(d->store);
}

static const struct alert *
find(const struct snapshot *s, const char *name)
{
	int	i;

	for (i = 0; s != NULL && i < s->u.alerts.n; i++)
		if (strcmp(s->u.alerts.rows[i].name, name) == 0)
			return (&s->u.alerts.rows[i]);
	return (NULL);
}

/* find() that fails the case when the alert is not there. */
static const struct alert *
must_find(const struct snapshot *s, const char *name)
{
	static const struct alert	 none;
	const struct alert		*a = find(s, name);

	if (a == NULL) {
		fail_msg("no alert %s", name);
		return (&none);
	}
	return (a);
}

static int
count(const struct snapshot *s, const char *name)
{
	int	i, n = 0;

	for (i = 0; s != NULL && i < s->u.alerts.n; i++)
		n += strcmp(s->u.alerts.rows[i].name, name) == 0;
	return (n);
}

/* A message the user would read, into the TAP log. */
static void
say(const char *what, const char *msg)
{
	const char	*nl;

	printf("# %s:", what);
	while ((nl = strchr(msg, '\n')) != NULL && nl[1] != '\0') {
		printf(" %.*s\n#  ", (int)(nl - msg), msg);
		msg = nl + 1;
	}
	printf(" %s%s", msg, nl == NULL ? "\n" : "");
	fflush(stdout);
}

/* Talking to Alertmanager as Prometheus does ------------------------------ */

static void
am_post(const char *base, const char *path, const char *body, long want)
{
	struct http_opts	o;
	struct http_response	r;
	char			url[256];

	memset(&o, 0, sizeof o);
	o.timeout_ms = 5000;
	snprintf(url, sizeof url, "%s%s", base, path);
	if (http_request("POST", url, body, NULL, &o, &r) != 0)
		fail_msg("POST %s: %s", url, r.error);
	if (r.status != want)
		fail_msg("POST %s: %ld %s", url, r.status, r.body);
	http_response_free(&r);
}

/* An alert as Prometheus sends it; ends_in_s < 0 resolves it. */
static void
fire(const char *base, const char *name, const char *severity,
    const char *pod, const char *runbook_key, const char *runbook,
    int ends_in_s)
{
	cJSON	*arr = cJSON_CreateArray(), *a = cJSON_CreateObject();
	cJSON	*l, *ann;
	char	 t[40], *body;

	l = cJSON_AddObjectToObject(a, "labels");
	cJSON_AddStringToObject(l, "alertname", name);
	cJSON_AddStringToObject(l, "severity", severity);
	cJSON_AddStringToObject(l, "namespace", "erp-system");
	cJSON_AddStringToObject(l, "pod", pod);
	cJSON_AddStringToObject(l, "container", "app");
	cJSON_AddStringToObject(l, "component", "pod");
	ann = cJSON_AddObjectToObject(a, "annotations");
	cJSON_AddStringToObject(ann, "summary", "Pod crash looping");
	cJSON_AddStringToObject(ann, "description", "restarts > 3 in 15m");
	if (runbook != NULL)
		cJSON_AddStringToObject(ann, runbook_key, runbook);
	alertmanager_fmt_time(t, sizeof t, now_ms() - 60000);
	cJSON_AddStringToObject(a, "startsAt", t);
	alertmanager_fmt_time(t, sizeof t, now_ms() + ends_in_s * 1000);
	cJSON_AddStringToObject(a, "endsAt", t);
	cJSON_AddStringToObject(a, "generatorURL", "http://prometheus/graph");
	cJSON_AddItemToArray(arr, a);
	body = cJSON_PrintUnformatted(arr);
	am_post(base, "/api/v2/alerts", body, 200);
	free(body);
	cJSON_Delete(arr);
}

/* Actions ----------------------------------------------------------------- */

struct act {
	int	 done;
	int	 ok;
	char	 summary[512];
	char	*output;
};

static void
act_done(void *arg, const struct action_req *req,
    const struct action_result *res)
{
	struct act	*a = arg;

	a->done = 1;
	a->ok = res->ok;
	strlcpy_(a->summary, res->summary, sizeof a->summary);
	a->output = res->output != NULL ? xstrdup(res->output) : NULL;
}

static void
act_run(struct actions *acts, const char *kind, int argc,
    const char *const *argv, struct act *out)
{
	int	i;

	free(out->output);
	memset(out, 0, sizeof *out);
	assert_true(actions_run(acts, kind, argc, argv, act_done, out) > 0);
	for (i = 0; i < 1500 && !out->done; i++) {
		actions_collect(acts);
		if (!out->done)
			usleep(10000);
	}
	if (!out->done)
		fail_msg("%s did not end in 15 s", kind);
}

/* matcher= arguments from an alert's matchers, then extra args. */
static int
silence_args(const struct alert *a, char **argv, int max)
{
	char	name[128], value[512];
	size_t	pos = 0;
	int	n = 0;

	while (n < max && alert_matcher_next(a->matchers, &pos, name,
	    sizeof name, value, sizeof value))
		xasprintf(&argv[n++], "matcher=%s=%s", name, value);
	return (n);
}

/* The id in "silence ID created on ...". */
static void
summary_id(const char *summary, char *id, size_t len)
{
	if (sscanf(summary, "silence %63s created", id) != 1)
		fail_msg("no id in \"%s\"", summary);
	(void)len;
}

/* Fetch until the alert has the state (gossip and the API take a moment).
 * Returns the last read (caller unrefs). */
static int
wait_state(struct rd *d, const char *name, enum alert_state st)
{
	const struct alert	*a;
	int			 i;

	for (i = 0; i < 100; i++) {
		rd_fetch(d);
		if (d->rc == 0 && (a = find(d->snap, name)) != NULL &&
		    a->state == st)
			return (0);
		usleep(100000);
	}
	return (-1);
}

/* Cases ------------------------------------------------------------------- */

static void
test_alerts_appear(void **state)
{
	struct env		 e;
	struct rd		 d;
	const struct alert	*a, *b;
	int64_t			 now = now_ms();

	fire(am1, "ItPodCrashLooping", "warning", "finance-7d9-x1", "runbook",
	    "https://runbooks.chiroerp.com/pod-crash-loop", 300);
	fire(am1, "ItHighMemoryUsage", "critical", "sales-5c-x2", "runbook_url",
	    "https://git.example.com/runbooks/high-memory-usage.md#steps", 300);
	env_init(&e);
	env_add(&e, "am-1", am1, 5000);
	rd_read(&d, &e);
	assert_int_equal(d.rc, 0);
	a = must_find(d.snap, "ItPodCrashLooping");
	assert_string_equal(a->severity, "warning");
	assert_string_equal(a->labels, "namespace=erp-system pod=finance-7d9-x1");
	assert_string_equal(a->summary, "Pod crash looping");
	assert_string_equal(a->runbook_url,
	    "https://runbooks.chiroerp.com/pod-crash-loop");
	assert_string_equal(a->runbook, "pod-crash-loop");
	assert_int_equal(strlen(a->fingerprint), 16);
	assert_int_equal(a->state, ALERT_ACTIVE);
	assert_string_equal(a->silenced_by, "");
	assert_true(llabs(a->starts_ms - (now - 60000)) < 5000);
	assert_string_equal(a->matchers, "alertname=ItPodCrashLooping\n"
	    "component=pod\ncontainer=app\nnamespace=erp-system\n"
	    "pod=finance-7d9-x1\nseverity=warning\n");
	b = must_find(d.snap, "ItHighMemoryUsage");
	assert_string_equal(b->runbook, "high-memory-usage");
	assert_string_equal(b->severity, "critical");
	assert_string_equal(d.snap->u.alerts.note, "");
	rd_done(&d);
}

static void
test_alerts_resolve(void **state)
{
	struct env	e;
	struct rd	d;

	fire(am1, "ItResolves", "warning", "pod-r", "runbook", "rb", 300);
	env_init(&e);
	env_add(&e, "am-1", am1, 5000);
	rd_read(&d, &e);
	assert_int_equal(d.rc, 0);
	assert_int_equal(count(d.snap, "ItResolves"), 1);
	assert_string_equal(must_find(d.snap, "ItResolves")->runbook, "rb");
	/* endsAt in the past: resolved, gone from the list. */
	fire(am1, "ItResolves", "warning", "pod-r", "runbook", "rb", -5);
	rd_fetch(&d);
	assert_int_equal(d.rc, 0);
	assert_int_equal(count(d.snap, "ItResolves"), 0);
	rd_done(&d);
}

static void
test_ha_dedupe(void **state)
{
	struct env		 e;
	struct rd		 d;
	const struct alert	*a;

	/* Prometheus sends every alert to every Alertmanager. */
	fire(am1, "ItHaPair", "critical", "pod-h1", "runbook", "ha", 300);
	fire(am2, "ItHaPair", "critical", "pod-h1", "runbook", "ha", 300);
	fire(am1, "ItHaPair", "critical", "pod-h2", "runbook", "ha", 300);
	fire(am2, "ItHaOnlyTwo", "warning", "pod-h3", "runbook", "ha", 300);
	env_init(&e);
	env_add(&e, "am-1", am1, 5000);
	env_add(&e, "am-2", am2, 5000);
	rd_read(&d, &e);
	assert_int_equal(d.rc, 0);
	assert_int_equal(count(d.snap, "ItHaPair"), 2);	/* two pods */
	assert_int_equal(count(d.snap, "ItHaOnlyTwo"), 1);
	a = must_find(d.snap, "ItHaOnlyTwo");
	assert_string_equal(a->labels, "namespace=erp-system pod=pod-h3");
	assert_string_equal(d.snap->u.alerts.note, "");
	rd_done(&d);
}

static void
test_silence_create_expire(void **state)
{
	struct env		 e, e2;
	struct rd		 d, d2;
	struct store		*st = store_new();
	struct actions		*acts = actions_new(st);
	struct act		 r;
	const struct alert	*a;
	char			*argv[16], id[64], arg[96];
	const char		*av[1];
	int			 n, i;

	memset(&r, 0, sizeof r);
	fire(am1, "ItSilenceMe", "critical", "pod-s", "runbook", "sil", 300);
	fire(am2, "ItSilenceMe", "critical", "pod-s", "runbook", "sil", 300);
	env_init(&e);
	env_add(&e, "am-1", am1, 5000);
	env_add(&e, "am-2", am2, 5000);
	rd_read(&d, &e);
	a = must_find(d.snap, "ItSilenceMe");
	alertmanager_register_actions(d.src, acts);
	assert_true(actions_has(acts, "silence.create"));
	n = silence_args(a, argv, 12);
	assert_int_equal(n, 6);
	argv[n++] = xstrdup("duration=2h");
	argv[n++] = xstrdup("comment=itest: known issue, INC-1");
	argv[n++] = xstrdup("created_by=alice@bastion-1");
	act_run(acts, "silence.create", n, (const char *const *)argv, &r);
	for (i = 0; i < n; i++)
		free(argv[i]);
	if (!r.ok)
		fail_msg("silence.create: %s", r.summary);
	say("created", r.summary);
	assert_non_null(strstr(r.summary, "created on am-1 for 2h"));
	summary_id(r.summary, id, sizeof id);

	assert_int_equal(wait_state(&d, "ItSilenceMe", ALERT_SILENCED), 0);
	assert_string_equal(must_find(d.snap, "ItSilenceMe")->silenced_by, id);
	/* The cluster gossiped it: am-2 alone says silenced too. */
	env_init(&e2);
	env_add(&e2, "am-2", am2, 5000);
	rd_open(&d2, &e2);
	assert_int_equal(wait_state(&d2, "ItSilenceMe", ALERT_SILENCED), 0);
	rd_done(&d2);

	act_run(acts, "silence.list", 0, NULL, &r);
	assert_true(r.ok);
	say("list", r.summary);
	say("list output", r.output);
	assert_non_null(r.output);
	assert_non_null(strstr(r.output, id));
	assert_non_null(strstr(r.output, "comment: itest: known issue, INC-1"));
	assert_non_null(strstr(r.output, "alertname=\"ItSilenceMe\""));
	assert_non_null(strstr(r.output, "by alice@bastion-1"));

	snprintf(arg, sizeof arg, "id=%s", id);
	av[0] = arg;
	act_run(acts, "silence.expire", 1, av, &r);
	if (!r.ok)
		fail_msg("silence.expire: %s", r.summary);
	assert_non_null(strstr(r.summary, "expired on am-1"));
	assert_int_equal(wait_state(&d, "ItSilenceMe", ALERT_ACTIVE), 0);
	assert_string_equal(must_find(d.snap, "ItSilenceMe")->silenced_by, "");
	free(r.output);
	assert_int_equal(actions_free(acts, 1000), 0);
	store_free(st);
	rd_done(&d);
}

static void
test_silence_refused(void **state)
{
	static const char *const bad_args[][4] = {
		{ "matcher=alertname=X", "duration=2h", "created_by=a@b",
		  NULL },					/* comment */
		{ "matcher=alertname=X", "duration=10s", "comment=c",
		  "created_by=a@b" },				/* too short */
		{ "matcher=alertname=X", "duration=31d", "comment=c",
		  "created_by=a@b" },				/* too long */
		{ "duration=2h", "comment=c", "created_by=a@b", NULL },
		{ "matcher==X", "duration=2h", "comment=c", "created_by=a@b" },
	};
	static const char *const why[] = { "comment is required",
	    "not between 1m and 30d", "not between 1m and 30d",
	    "no matcher", "not NAME=VALUE" };
	struct env	 e;
	struct rd	 d;
	struct store	*st = store_new();
	struct actions	*acts = actions_new(st);
	struct act	 r;
	const char	*av[4];
	size_t		 i;
	int		 n;

	memset(&r, 0, sizeof r);
	env_init(&e);
	env_add(&e, "am-1", am1, 5000);
	rd_open(&d, &e);
	alertmanager_register_actions(d.src, acts);
	for (i = 0; i < sizeof why / sizeof why[0]; i++) {
		for (n = 0; n < 4 && bad_args[i][n] != NULL; n++)
			av[n] = bad_args[i][n];
		act_run(acts, "silence.create", n, av, &r);
		assert_false(r.ok);
		say("refused", r.summary);
		if (strstr(r.summary, why[i]) == NULL)
			fail_msg("case %zu: \"%s\"", i, r.summary);
	}
	/* Alertmanager's own refusal (a matcher that matches everything),
	 * in words. */
	av[0] = "matcher=alertname=";
	av[1] = "duration=1h";
	av[2] = "comment=c";
	av[3] = "created_by=a@b";
	act_run(acts, "silence.create", 4, av, &r);
	assert_false(r.ok);
	say("refused by Alertmanager", r.summary);
	if (strstr(r.summary, "am-1: 400") == NULL)
		fail_msg("\"%s\"", r.summary);
	av[0] = "id=00000000-0000-0000-0000-000000000000";
	act_run(acts, "silence.expire", 1, av, &r);
	assert_false(r.ok);
	say("expire unknown", r.summary);
	assert_non_null(strstr(r.summary, "not expired: am-1:"));
	assert_int_equal(actions_free(acts, 1000), 0);
	store_free(st);
	rd_done(&d);
}

static void
test_silence_first_that_answers(void **state)
{
	struct env	 e;
	struct rd	 d;
	struct store	*st = store_new();
	struct actions	*acts = actions_new(st);
	struct act	 r;
	const char	*av[4] = { "matcher=alertname=ItFailover",
	    "duration=5m", "comment=failover", "created_by=a@b" };
	char		 id[64], arg[96];

	memset(&r, 0, sizeof r);
	env_init(&e);
	env_add(&e, "am-down", refused, 2000);
	env_add(&e, "am-2", am2, 5000);
	rd_open(&d, &e);
	alertmanager_register_actions(d.src, acts);
	act_run(acts, "silence.create", 4, av, &r);
	if (!r.ok)
		fail_msg("silence.create: %s", r.summary);
	assert_non_null(strstr(r.summary, "created on am-2 for 5m"));
	summary_id(r.summary, id, sizeof id);
	snprintf(arg, sizeof arg, "id=%s", id);
	av[0] = arg;
	act_run(acts, "silence.expire", 1, av, &r);
	assert_true(r.ok);
	assert_int_equal(actions_free(acts, 1000), 0);
	store_free(st);
	rd_done(&d);
}

static void
test_one_down(void **state)
{
	struct env	e;
	struct rd	d;

	fire(am1, "ItOneDown", "warning", "pod-o", "runbook", "x", 300);
	env_init(&e);
	env_add(&e, "am-1", am1, 5000);
	env_add(&e, "am-down", refused, 2000);
	rd_read(&d, &e);
	assert_int_equal(d.rc, 0);
	assert_int_equal(count(d.snap, "ItOneDown"), 1);
	say("note", d.snap->u.alerts.note);
	if (strstr(d.snap->u.alerts.note, "am-down: connection refused") ==
	    NULL)
		fail_msg("note \"%s\"", d.snap->u.alerts.note);
	rd_done(&d);
}

static void
test_all_down(void **state)
{
	struct env	e;
	struct rd	d;

	env_init(&e);
	env_add(&e, "am-a", refused, 2000);
	env_add(&e, "am-b", refused, 2000);
	rd_read(&d, &e);
	assert_int_equal(d.rc, -1);
	assert_null(d.snap);
	say("all down", d.err.msg);
	if (strncmp(d.err.msg, "no Alertmanager answered: am-a: connection "
	    "refused", 50) != 0 || strstr(d.err.msg, "; am-b:") == NULL)
		fail_msg("\"%s\"", d.err.msg);
	rd_done(&d);
}

static void
test_unauthorized(void **state)
{
	struct env	e;
	struct rd	d;

	env_init(&e);
	env_add(&e, "am-auth", auth, 2000);
	rd_read(&d, &e);
	assert_int_equal(d.rc, -1);
	say("401", d.err.msg);
	if (strstr(d.err.msg, "am-auth: 401 unauthorized") == NULL ||
	    strstr(d.err.msg, "bearer token required") == NULL)
		fail_msg("\"%s\"", d.err.msg);
	rd_done(&d);

	/* With the token (from a variable) it answers. */
	setenv("ITEST_AM_TOKEN", "s3cret-token", 1);
	e.am[0].http.token_env = (char *)"ITEST_AM_TOKEN";
	rd_read(&d, &e);
	if (d.rc != 0)
		fail_msg("with token: %s", d.err.msg);
	assert_int_equal(d.snap->u.alerts.n, 0);
	rd_done(&d);
	/* A token variable that is not set is said, not sent empty. */
	unsetenv("ITEST_AM_TOKEN");
	rd_read(&d, &e);
	assert_int_equal(d.rc, -1);
	assert_non_null(strstr(d.err.msg, "am-auth: token:"));
	rd_done(&d);
}

static void
test_malformed(void **state)
{
	struct env	e;
	struct rd	d;

	env_init(&e);
	env_add(&e, "am-bad", bad, 2000);
	rd_read(&d, &e);
	assert_int_equal(d.rc, -1);
	say("malformed", d.err.msg);
	if (strstr(d.err.msg, "am-bad: GET /api/v2/alerts: the answer is not "
	    "JSON") == NULL)
		fail_msg("\"%s\"", d.err.msg);
	rd_done(&d);
}

static void
test_timeout(void **state)
{
	struct env	e;
	struct rd	d;

	env_init(&e);
	env_add(&e, "am-hung", hang, 1500);
	env_add(&e, "am-1", am1, 5000);
	rd_read(&d, &e);
	/* The hung one costs its timeout, in parallel with the other. */
	assert_int_equal(d.rc, 0);
	assert_true(d.took_ms >= 1400 && d.took_ms < 3000);
	assert_non_null(strstr(d.snap->u.alerts.note, "am-hung: timeout after "
	    "1.5s"));
	rd_done(&d);

	env_init(&e);
	env_add(&e, "am-hung", hang, 1500);
	rd_read(&d, &e);
	assert_int_equal(d.rc, -1);
	assert_true(d.took_ms < 3000);
	say("hung", d.err.msg);
	assert_non_null(strstr(d.err.msg, "am-hung: timeout after 1.5s"));
	rd_done(&d);
}

static void
test_no_alertmanager(void **state)
{
	struct env	 e;
	struct error	 err;

	env_init(&e);
	assert_null(alertmanager_source_new(&e.env, &err));
	assert_string_equal(err.msg, "");
}

static void
url(char *buf, size_t len, const char *var)
{
	const char	*p = getenv(var);

	if (p == NULL) {
		fprintf(stderr, "%s is not set (run alertmanager.sh)\n", var);
		exit(1);
	}
	snprintf(buf, len, "http://127.0.0.1:%s", p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_alertmanager),
		cmocka_unit_test(test_alerts_appear),
		cmocka_unit_test(test_alerts_resolve),
		cmocka_unit_test(test_ha_dedupe),
		cmocka_unit_test(test_silence_create_expire),
		cmocka_unit_test(test_silence_refused),
		cmocka_unit_test(test_silence_first_that_answers),
		cmocka_unit_test(test_one_down),
		cmocka_unit_test(test_all_down),
		cmocka_unit_test(test_unauthorized),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_timeout),
	};

	url(am1, sizeof am1, "AM1_PORT");
	url(am2, sizeof am2, "AM2_PORT");
	url(auth, sizeof auth, "AUTH_PORT");
	url(bad, sizeof bad, "BAD_PORT");
	url(hang, sizeof hang, "HANG_PORT");
	url(refused, sizeof refused, "REFUSED_PORT");
	http_global_init();
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
