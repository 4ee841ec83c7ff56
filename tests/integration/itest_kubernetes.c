/* itest_kubernetes.c: the Kubernetes source and actions against the fixture
 * API server (tests/fixtures/kube_api_server.py, started by
 * tests/integration/kubernetes.sh with a kubeconfig that has one context
 * per way in).  Every case resets the server's world, drives it through
 * /_admin/ and watches what the source publishes to a real store. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "action.h"
#include "config.h"
#include "http.h"
#include "kubernetes.h"
#include "snapshot.h"
#include "source.h"
#include "store.h"
#include "util.h"

/* AddressSanitizer makes the 10,000-pod lists several times slower. */
#if defined(__SANITIZE_ADDRESS__)
#define WAIT_MS		60000
#else
#define WAIT_MS		8000
#endif

static char	kdir[512];
static char	kubeconfig[600];
static char	admin_url[128];
static char	ca_file[600];

/* The fixture's admin API -------------------------------------------------- */

static cJSON *
admin(const char *method, const char *path, const char *body)
{
	struct http_opts	 o;
	struct http_response	 r;
	char			 url[512];
	cJSON			*j;

	memset(&o, 0, sizeof o);
	o.ca_file = ca_file;
	o.timeout_ms = 30000;
	snprintf(url, sizeof url, "%s%s", admin_url, path);
	if (http_request(method, url, body, NULL, &o, &r) != 0)
		fail_msg("admin %s %s: %s", method, path, r.error);
	if (r.status != 200)
		fail_msg("admin %s %s: %ld %s", method, path, r.status, r.body);
	j = cJSON_Parse(r.body);
	http_response_free(&r);
	if (j == NULL)
		fail_msg("admin %s %s: not JSON", method, path);
	return (j);
}

static void
admin_do(const char *method, const char *path, const char *body)
{
	cJSON_Delete(admin(method, path, body));
}

static int
admin_int(const char *method, const char *path, const char *body,
    const char *key)
{
	cJSON	*j = admin(method, path, body);
	int	 v = cJSON_GetObjectItem(j, key)->valueint;

	cJSON_Delete(j);
	return (v);
}

static void
fault(const char *json)
{
	admin_do("POST", "/_admin/fault", json);
}

/* The first recorded request matching method and path, or NULL. */
static cJSON *
find_request(cJSON *all, const char *method, const char *path)
{
	cJSON	*r;

	cJSON_ArrayForEach(r, cJSON_GetObjectItem(all, "requests")) {
		if (strcmp(cJSON_GetObjectItem(r, "method")->valuestring,
		    method) == 0 && strcmp(cJSON_GetObjectItem(r,
		    "path")->valuestring, path) == 0)
			return (r);
	}
	return (NULL);
}

static const char *
rstr(cJSON *o, const char *key)
{
	cJSON	*v = cJSON_GetObjectItem(o, key);

	return (cJSON_IsString(v) ? v->valuestring : "");
}

/* Running a source --------------------------------------------------------- */

struct run {
	struct store	*store;
	struct source	*src;
};

static struct cfg_env
env_of(const char *context, const char *ns, int timeout_ms)
{
	struct cfg_env	env;

	memset(&env, 0, sizeof env);
	env.name = "itest";
	env.refresh_ms = 1000;
	env.kubernetes.present = 1;
	env.kubernetes.kubeconfig = kubeconfig;
	env.kubernetes.context = (char *)context;
	env.kubernetes.namespace = (char *)ns;
	env.kubernetes.timeout_ms = timeout_ms;
	return (env);
}

static struct run
start(const char *context, const char *ns, int timeout_ms)
{
	struct cfg_env	env = env_of(context, ns, timeout_ms);
	struct error	err;
	struct run	r;

	r.store = store_new();
	if ((r.src = kubernetes_source_new(&env, &err)) == NULL)
		fail_msg("kubernetes_source_new: %s", err.msg);
	source_start(r.src, r.store);
	return (r);
}

static void
stop(struct run *r, int wait_ms)
{
	int64_t	t0 = mono_ms();

	if (source_stop(r->src, wait_ms) != 0)
		fail_msg("the source did not stop within %d ms", wait_ms);
	if (wait_ms <= 1000 && mono_ms() - t0 > 500)
		fail_msg("stopping took %lld ms", (long long)(mono_ms() - t0));
	store_free(r->store);
}

static const struct pod *
find_pod(const struct pods_data *d, const char *name)
{
	int	i;

	for (i = 0; i < d->npods; i++)
		if (strcmp(d->pods[i].name, name) == 0)
			return (&d->pods[i]);
	return (NULL);
}

typedef int (*pred_fn)(const struct pods_data *, const void *);

static void
nap(int ms)
{
	struct timespec	ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Wait for a published snapshot satisfying fn; a new reference. */
static struct snapshot *
wait_for(struct run *r, pred_fn fn, const void *arg, const char *what)
{
	struct source_status	 st;
	struct snapshot		*s;
	int64_t			 end = mono_ms() + WAIT_MS;

	memset(&st, 0, sizeof st);
	while (mono_ms() < end) {
		s = store_get(r->store, SNAP_PODS, &st);
		if (s != NULL && fn(&s->u.pods, arg))
			return (s);
		if (s != NULL)
			snapshot_unref(s);
		nap(10);
	}
	fail_msg("timed out waiting for %s (last error: %s)", what, st.error);
	return (NULL);
}

static void
wait_error(struct run *r, const char *want)
{
	struct source_status	 st;
	struct snapshot		*s;
	int64_t			 end = mono_ms() + WAIT_MS;

	memset(&st, 0, sizeof st);
	while (mono_ms() < end) {
		s = store_get(r->store, SNAP_PODS, &st);
		if (s != NULL)
			snapshot_unref(s);
		if (!st.ok && strstr(st.error, want) != NULL)
			return;
		nap(10);
	}
	fail_msg("timed out waiting for an error with '%s' (last: '%s')",
	    want, st.ok ? "(ok)" : st.error);
}

/* Wait until pods fetched after since_ms are published, with no error. */
static void
wait_fresh(struct run *r, int64_t since_mono, const char *what)
{
	struct source_status	 st;
	struct snapshot		*s;
	int64_t			 end = mono_ms() + WAIT_MS;
	int64_t			 since = now_ms() - (mono_ms() - since_mono);
	int			 fresh;

	memset(&st, 0, sizeof st);
	while (mono_ms() < end) {
		s = store_get(r->store, SNAP_PODS, &st);
		fresh = s != NULL && st.ok && s->fetched_ms >= since;
		if (s != NULL)
			snapshot_unref(s);
		if (fresh)
			return;
		nap(10);
	}
	fail_msg("timed out waiting for %s (last error: %s)", what, st.error);
}

static int
has_pod(const struct pods_data *d, const void *name)
{
	return (find_pod(d, name) != NULL);
}

static int
lacks_pod(const struct pods_data *d, const void *name)
{
	return (find_pod(d, name) == NULL);
}

static int
pod_status_is(const struct pods_data *d, const void *arg)
{
	const char *const	*v = arg;
	const struct pod	*p = find_pod(d, v[0]);

	return (p != NULL && strcmp(p->status, v[1]) == 0);
}

static int
npods_at_least(const struct pods_data *d, const void *n)
{
	return (d->npods >= *(const int *)n);
}

static int
any(const struct pods_data *d, const void *arg)
{
	return (1);
}

/* Cases -------------------------------------------------------------------- */

static int
reset(void **state)
{
	admin_do("POST", "/_admin/reset", NULL);
	return (0);
}

static void
test_list(void **state)
{
	struct run		 r = start("token", NULL, 0);
	struct snapshot		*s = wait_for(&r, any, NULL, "pods");
	const struct pods_data	*d = &s->u.pods;
	const struct pod	*p;
	cJSON			*req, *list;
	int			 i, worker = -1;

	assert_string_equal(d->context, "token");
	assert_int_equal(d->npods, 5);
	assert_string_equal(d->pods[0].name, "api-7d9f8c6b5-a0");
	assert_string_equal(d->note, "");
	p = find_pod(d, "worker-7d9f8c6b5-w1");
	assert_non_null(p);
	assert_string_equal(p->ns, "erp-system");
	assert_string_equal(p->status, "CrashLoopBackOff");
	assert_string_equal(p->last_reason, "OOMKilled");
	assert_string_equal(p->deployment, "worker");
	assert_string_equal(p->node, "worker-1");
	assert_int_equal(p->restarts, 5);
	assert_int_equal(p->problem, 2);
	assert_true(p->last_restart_ms > 0);
	p = find_pod(d, "api-7d9f8c6b5-a1");
	assert_string_equal(p->status, "Running");
	assert_int_equal(p->ready, 1);
	assert_int_equal(p->problem, 0);
	assert_null(find_pod(d, "web-7d9f8c6b5-x0"));
	assert_int_equal(d->ndeploys, 2);
	for (i = 0; i < d->ndeploys; i++)
		if (strcmp(d->deploys[i].name, "worker") == 0)
			worker = i;
	assert_true(worker >= 0);
	assert_int_equal(d->deploys[worker].desired, 2);
	assert_int_equal(d->deploys[worker].available, 1);
	snapshot_unref(s);
	stop(&r, 1000);
	/* Paged, in the namespace, with the token. */
	list = admin("GET", "/_admin/requests", NULL);
	req = find_request(list, "GET", "/api/v1/namespaces/erp-system/pods");
	assert_non_null(req);
	assert_string_equal(rstr(cJSON_GetObjectItem(req, "query"), "limit"),
	    "500");
	assert_string_equal(rstr(req, "auth"), "bearer:itest-token");
	assert_non_null(find_request(list, "GET",
	    "/apis/apps/v1/namespaces/erp-system/deployments"));
	cJSON_Delete(list);
}

static void
test_all_namespaces(void **state)
{
	struct run	 r = start("token", "*", 0);
	struct snapshot	*s = wait_for(&r, has_pod, "web-7d9f8c6b5-x0",
			    "a pod of erp-web");
	cJSON		*list;

	assert_int_equal(s->u.pods.npods, 6);
	assert_int_equal(s->u.pods.ndeploys, 3);
	snapshot_unref(s);
	stop(&r, 1000);
	list = admin("GET", "/_admin/requests", NULL);
	assert_non_null(find_request(list, "GET", "/api/v1/pods"));
	assert_non_null(find_request(list, "GET", "/apis/apps/v1/deployments"));
	cJSON_Delete(list);
}

static void
test_watch_add_modify_delete(void **state)
{
	struct run		 r = start("token", NULL, 0);
	struct snapshot		*s;
	const char		*crash[] = { "new-1", "CrashLoopBackOff" };

	snapshot_unref(wait_for(&r, any, NULL, "the first list"));
	admin_do("POST", "/_admin/pod", "{\"name\":\"new-1\"}");
	s = wait_for(&r, has_pod, "new-1", "new-1 added");
	assert_string_equal(find_pod(&s->u.pods, "new-1")->status, "Running");
	assert_int_equal(s->u.pods.npods, 6);
	snapshot_unref(s);
	admin_do("POST", "/_admin/pod", "{\"name\":\"new-1\",\"state\":"
	    "\"crashloop\",\"restarts\":3}");
	snapshot_unref(wait_for(&r, pod_status_is, crash, "new-1 crashing"));
	admin_do("DELETE", "/_admin/pod?ns=erp-system&name=new-1", NULL);
	s = wait_for(&r, lacks_pod, "new-1", "new-1 deleted");
	assert_int_equal(s->u.pods.npods, 5);
	snapshot_unref(s);
	stop(&r, 1000);
	/* All through one list and the watch. */
	assert_int_equal(admin_int("GET", "/_admin/requests", NULL, "lists"),
	    1);
}

/* A bookmark moves the resourceVersion the next watch starts from. */
static void
test_bookmark(void **state)
{
	struct run	 r = start("token", NULL, 0);
	cJSON		*list, *w;
	int		 rv, n = 0, last = 0;
	int64_t		 end;

	snapshot_unref(wait_for(&r, any, NULL, "the first list"));
	nap(200);
	rv = admin_int("POST", "/_admin/bookmark", NULL, "rv");
	nap(300);
	admin_do("POST", "/_admin/close", NULL);
	for (end = mono_ms() + WAIT_MS; mono_ms() < end; nap(20)) {
		list = admin("GET", "/_admin/requests", NULL);
		w = cJSON_GetObjectItem(list, "watches");
		n = cJSON_GetArraySize(w);
		last = n > 0 ? cJSON_GetArrayItem(w, n - 1)->valueint : 0;
		cJSON_Delete(list);
		if (n >= 2)
			break;
	}
	stop(&r, 1000);
	assert_true(n >= 2);
	assert_int_equal(last, rv);
}

static void
gone_relists(const char *how, const char *silent)
{
	struct run	 r = start("token", NULL, 0);
	char		 body[256];

	snapshot_unref(wait_for(&r, any, NULL, "the first list"));
	nap(100);
	/* The pod changes while history is compacted: no watch event
	 * carries it, only a new list can show it. */
	snprintf(body, sizeof body, "{\"how\":\"%s\",\"pod\":{\"name\":\"%s\"}}",
	    how, silent);
	admin_do("POST", "/_admin/gone", body);
	snapshot_unref(wait_for(&r, has_pod, silent, "the silent pod"));
	stop(&r, 1000);
	assert_int_equal(admin_int("GET", "/_admin/requests", NULL, "lists"),
	    2);
}

static void
test_gone_event_relists(void **state)
{
	gone_relists("event", "silent-1");
}

static void
test_gone_status_relists(void **state)
{
	gone_relists("status", "silent-2");
}

/* A stream cut in the middle of an event: resume from the last
 * resourceVersion, lose nothing, no re-list. */
static void
test_cut_stream_resumes(void **state)
{
	struct run	 r = start("token", NULL, 0);
	cJSON		*list, *w;

	snapshot_unref(wait_for(&r, any, NULL, "the first list"));
	nap(100);
	admin_do("POST", "/_admin/cut", NULL);
	admin_do("POST", "/_admin/pod", "{\"name\":\"cut-1\"}");
	admin_do("POST", "/_admin/pod", "{\"name\":\"cut-2\"}");
	snapshot_unref(wait_for(&r, has_pod, "cut-1", "cut-1 after the cut"));
	snapshot_unref(wait_for(&r, has_pod, "cut-2", "cut-2 after the cut"));
	stop(&r, 1000);
	list = admin("GET", "/_admin/requests", NULL);
	assert_int_equal(cJSON_GetObjectItem(list, "lists")->valueint, 1);
	w = cJSON_GetObjectItem(list, "watches");
	/* Exactly one resume: the half event was dropped, not glued to the
	 * next stream's first (which would fail and retry). */
	assert_int_equal(cJSON_GetArraySize(w), 2);
	/* The second watch starts where the first did: cut-1 never
	 * arrived whole. */
	assert_int_equal(cJSON_GetArrayItem(w, 1)->valueint,
	    cJSON_GetArrayItem(w, 0)->valueint);
	cJSON_Delete(list);
}

static void
test_401(void **state)
{
	struct run	r = start("badtoken", NULL, 0);

	wait_error(&r, "401 unauthorized: token expired or invalid");
	stop(&r, 1000);
}

static void
test_403_names_namespace(void **state)
{
	struct run	r;

	fault("{\"mode\":\"403\",\"path\":\"/pods\"}");
	r = start("token", NULL, 0);
	wait_error(&r, "403 forbidden: RBAC forbids listing pods in namespace "
	    "erp-system: pods is forbidden: User \"system:serviceaccount:ops:"
	    "sitrep\" cannot list resource \"pods\"");
	stop(&r, 1000);
}

/* Deployments the account may not list: the pods still show, with a
 * note that says why the deployments do not. */
static void
test_deployments_forbidden(void **state)
{
	struct run	 r;
	struct snapshot	*s;

	fault("{\"mode\":\"403\",\"path\":\"/deployments\"}");
	r = start("token", NULL, 0);
	s = wait_for(&r, any, NULL, "pods without deployments");
	assert_int_equal(s->u.pods.npods, 5);
	assert_int_equal(s->u.pods.ndeploys, 0);
	assert_non_null(strstr(s->u.pods.note, "403 forbidden: RBAC forbids "
	    "listing deployments in namespace erp-system"));
	snapshot_unref(s);
	stop(&r, 1000);
}

static void
test_500_and_404(void **state)
{
	struct run	r;

	fault("{\"mode\":\"500\",\"path\":\"/pods\"}");
	r = start("token", NULL, 0);
	wait_error(&r, "500 server error listing pods in namespace erp-system: "
	    "etcdserver: request timed out");
	/* The fault clears: the source recovers by itself. */
	fault("{\"mode\":\"none\"}");
	snapshot_unref(wait_for(&r, any, NULL, "pods after the 500s"));
	stop(&r, 1000);
	fault("{\"mode\":\"404\",\"path\":\"/pods\"}");
	r = start("token", NULL, 0);
	wait_error(&r, "404 not found listing pods");
	stop(&r, 1000);
}

static void
test_unknown_ca(void **state)
{
	struct run	r = start("unknown-ca", NULL, 0);

	wait_error(&r, "TLS: certificate for 127.0.0.1 signed by unknown "
	    "authority");
	stop(&r, 1000);
}

static void
test_insecure_flagged(void **state)
{
	struct run	 r = start("insecure", NULL, 0);
	struct snapshot	*s = wait_for(&r, any, NULL, "pods without TLS checks");

	assert_int_equal(s->u.pods.npods, 5);
	assert_non_null(strstr(s->u.pods.note, "TLS NOT VERIFIED"));
	snapshot_unref(s);
	stop(&r, 1000);
}

static void
auth_used(const char *want)
{
	cJSON	*list = admin("GET", "/_admin/requests", NULL);
	cJSON	*req = find_request(list, "GET",
		    "/api/v1/namespaces/erp-system/pods");

	assert_non_null(req);
	assert_string_equal(rstr(req, "auth"), want);
	cJSON_Delete(list);
}

static void
test_client_cert(void **state)
{
	struct run	r = start("cert", NULL, 0);

	snapshot_unref(wait_for(&r, any, NULL, "pods with a client cert"));
	stop(&r, 1000);
	auth_used("cert:sitrep-test");
}

static void
test_token(void **state)
{
	struct run	r = start("token", NULL, 0);

	snapshot_unref(wait_for(&r, any, NULL, "pods with a token"));
	stop(&r, 1000);
	auth_used("bearer:itest-token");
}

static void
test_exec_plugin(void **state)
{
	struct run	r = start("exec", NULL, 0);

	snapshot_unref(wait_for(&r, any, NULL, "pods with an exec token"));
	stop(&r, 1000);
	auth_used("bearer:exec-token");
}

/* The default kubeconfig ($KUBECONFIG) and its current-context. */
static void
test_kubeconfig_env(void **state)
{
	struct cfg_env	 env = env_of(NULL, NULL, 0);
	struct error	 err;
	struct source	*src;

	env.kubernetes.kubeconfig = NULL;
	src = kubernetes_source_new(&env, &err);
	assert_non_null(src);
	assert_int_equal(source_stop(src, 0), 0);
	env.kubernetes.context = "nope";
	assert_null(kubernetes_source_new(&env, &err));
	assert_non_null(strstr(err.msg, "kubeconfig: context 'nope' not found "
	    "(have: token, cert, exec, unknown-ca, insecure, badtoken)"));
	env.kubernetes.present = 0;
	assert_null(kubernetes_source_new(&env, &err));
	assert_string_equal(err.msg, "");
}

static void
test_slow_within_timeout(void **state)
{
	struct run	 r;
	int64_t		 t0 = mono_ms();

	fault("{\"mode\":\"slow\",\"seconds\":5,\"path\":\"/pods\","
	    "\"times\":1}");
	r = start("token", NULL, 0);
	snapshot_unref(wait_for(&r, any, NULL, "pods from a slow server"));
	assert_true(mono_ms() - t0 >= 4900);
	stop(&r, 1000);
}

static void
test_slow_beyond_timeout(void **state)
{
	struct run	r;

	fault("{\"mode\":\"slow\",\"seconds\":5,\"path\":\"/pods\"}");
	r = start("token", NULL, 1500);
	wait_error(&r, "timeout after 1.5s");
	fault("{\"mode\":\"none\"}");
	stop(&r, 6000);
}

/* A server that takes the pod watch and does not answer it (the lists are
 * answered): nothing is published while it says nothing, so the pods age
 * instead of being shown as fresh by the deployments refresh; after the
 * request timeout it is an error; then the watch is sent again and the
 * pods are fresh once more. */
static void
test_watch_never_answered(void **state)
{
	struct source_status	 st;
	struct snapshot		*s, *t;
	struct run		 r;

	fault("{\"mode\":\"slow\",\"seconds\":8,\"path\":\"watch=1\","
	    "\"times\":1}");
	r = start("token", NULL, 3000);
	s = wait_for(&r, any, NULL, "the pods listed");
	nap(2500);		/* two refresh intervals, the watch unanswered */
	t = store_get(r.store, SNAP_PODS, &st);
	assert_non_null(t);
	assert_true(st.ok);
	assert_true(t->fetched_ms == s->fetched_ms);
	snapshot_unref(t);
	wait_error(&r, "the API server took the pod watch but has not "
	    "answered it in 3.");
	snapshot_unref(s);
	wait_fresh(&r, mono_ms() + 500, "the pods again, the watch answered");
	stop(&r, 1000);
}

static void
test_malformed_json(void **state)
{
	struct run	r;

	fault("{\"mode\":\"malformed\",\"path\":\"/pods\"}");
	r = start("token", NULL, 0);
	wait_error(&r, "malformed JSON from the API server at byte 128");
	stop(&r, 1000);
}

static void
test_truncated_body(void **state)
{
	struct run	r;

	fault("{\"mode\":\"truncated\",\"path\":\"/pods\"}");
	r = start("token", NULL, 0);
	wait_error(&r, "connection closed mid-response");
	stop(&r, 1000);
}

static void
big_list(const char *faultjson)
{
	struct run	 r;
	struct snapshot	*s;
	int		 want = 10000;
	int64_t		 t0;

	admin_do("POST", "/_admin/bulk", "{\"ns\":\"bulk\",\"count\":10000}");
	if (faultjson != NULL)
		fault(faultjson);
	t0 = mono_ms();
	r = start("token", "bulk", 30000);
	s = wait_for(&r, npods_at_least, &want, "10,000 pods");
	assert_int_equal(s->u.pods.npods, 10000);
	assert_string_equal(s->u.pods.pods[0].name, "bulk-7d9f8c6b5-00000");
	assert_string_equal(s->u.pods.pods[9999].name, "bulk-7d9f8c6b5-09999");
	assert_string_equal(s->u.pods.pods[123].deployment, "bulk");
	print_message("# 10,000 pods listed in %lld ms\n",
	    (long long)(mono_ms() - t0));
	snapshot_unref(s);
	stop(&r, 1000);
}

static void
test_big_list_paged(void **state)
{
	big_list(NULL);
}

/* A server that ignores limit: one 30 MB body, under the body cap. */
static void
test_big_list_one_body(void **state)
{
	big_list("{\"mode\":\"huge\",\"path\":\"/namespaces/bulk/pods\"}");
}

/* Actions ------------------------------------------------------------------ */

struct done {
	int	 called;
	int	 ok;
	char	 summary[512];
	char	*output;
};

static void
on_done(void *arg, const struct action_req *req,
    const struct action_result *res)
{
	struct done	*d = arg;

	d->called = 1;
	d->ok = res->ok;
	strlcpy_(d->summary, res->summary, sizeof d->summary);
	d->output = res->output ? strdup(res->output) : NULL;
}

/* Run one action to its end, as the UI would. */
static struct done
act(const char *kind, int argc, const char **argv)
{
	struct store	*store = store_new();
	struct actions	*a = actions_new(store);
	struct run	 r;
	struct done	 d;
	int64_t		 end = mono_ms() + WAIT_MS;
	struct cfg_env	 env = env_of("token", NULL, 0);
	struct error	 err;

	memset(&d, 0, sizeof d);
	r.store = store;
	if ((r.src = kubernetes_source_new(&env, &err)) == NULL)
		fail_msg("%s", err.msg);
	kubernetes_register_actions(r.src, a);
	assert_true(actions_has(a, kind));
	assert_true(actions_run(a, kind, argc, argv, on_done, &d) > 0);
	while (!d.called && mono_ms() < end) {
		actions_collect(a);
		nap(10);
	}
	assert_int_equal(actions_free(a, 1000), 0);
	assert_int_equal(source_stop(r.src, 0), 0);
	store_free(store);
	if (!d.called)
		fail_msg("%s did not finish", kind);
	return (d);
}

static void
test_pod_detail(void **state)
{
	const char	*argv[] = { "ns=erp-system", "pod=worker-7d9f8c6b5-w1" };
	struct done	 d = act("k8s.pod-detail", 2, argv);
	const char	*o = d.output, *sched, *pulled, *backoff;

	if (!d.ok)
		fail_msg("pod-detail: %s", d.summary);
	assert_non_null(o);
	assert_non_null(strstr(o, "Pod erp-system/worker-7d9f8c6b5-w1"));
	assert_non_null(strstr(o, "CrashLoopBackOff"));
	assert_non_null(strstr(o, "Terminated: OOMKilled, exit code 137"));
	assert_non_null(strstr(o, "restarts 5"));
	/* Events, newest last. */
	assert_non_null(strstr(o, "Events (3, oldest first)"));
	sched = strstr(o, "Scheduled");
	pulled = strstr(o, "Pulled");
	backoff = strstr(o, "Back-off restarting failed container app");
	assert_non_null(sched);
	assert_non_null(pulled);
	assert_non_null(backoff);
	assert_true(sched < pulled && pulled < backoff);
	assert_non_null(strstr(o, "(x12)"));
	/* The previous instance's logs (it restarted), then the current. */
	assert_non_null(strstr(o, "System.OutOfMemoryException"));
	assert_non_null(strstr(o, "INFO line 499 of worker-7d9f8c6b5-w1"));
	assert_non_null(strstr(o, "INFO line 300 of worker-7d9f8c6b5-w1"));
	assert_null(strstr(o, "INFO line 299 of worker-7d9f8c6b5-w1"));
	assert_true(strstr(o, "(previous)") < strstr(o, "INFO line 300"));
	assert_non_null(strstr(d.summary, "3 events"));
	free(d.output);
}

static void
test_pod_detail_missing(void **state)
{
	const char	*argv[] = { "ns=erp-system", "pod=no-such-pod" };
	struct done	 d = act("k8s.pod-detail", 2, argv);

	assert_int_equal(d.ok, 0);
	assert_non_null(strstr(d.summary, "404 not found reading pod "
	    "erp-system/no-such-pod"));
	free(d.output);
}

static cJSON *
last_request(cJSON **all, const char *method)
{
	cJSON	*r, *found = NULL;

	*all = admin("GET", "/_admin/requests", NULL);
	cJSON_ArrayForEach(r, cJSON_GetObjectItem(*all, "requests"))
		if (strcmp(rstr(r, "method"), method) == 0)
			found = r;
	if (found == NULL)
		fail_msg("no %s request reached the server", method);
	return (found);
}

static void
test_scale(void **state)
{
	const char	*argv[] = { "ns=erp-system", "deployment=api",
			    "replicas=5" };
	const char	*dry[] = { "ns=erp-system", "deployment=api",
			    "replicas=0", "dry_run=1" };
	struct done	 d = act("k8s.scale", 3, argv);
	cJSON		*all, *req;

	assert_int_equal(d.ok, 1);
	assert_string_equal(d.summary, "scaled deployment erp-system/api to 5");
	req = last_request(&all, "PATCH");
	assert_string_equal(rstr(req, "path"),
	    "/apis/apps/v1/namespaces/erp-system/deployments/api/scale");
	assert_string_equal(rstr(req, "content_type"),
	    "application/merge-patch+json");
	assert_string_equal(rstr(req, "body"), "{\"spec\":{\"replicas\":5}}");
	assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(req, "query"),
	    "dryRun"));
	cJSON_Delete(all);
	d = act("k8s.scale", 4, dry);
	assert_int_equal(d.ok, 1);
	assert_non_null(strstr(d.summary, "dry run, nothing changed"));
	req = last_request(&all, "PATCH");
	assert_string_equal(rstr(cJSON_GetObjectItem(req, "query"), "dryRun"),
	    "All");
	assert_string_equal(rstr(req, "body"), "{\"spec\":{\"replicas\":0}}");
	cJSON_Delete(all);
}

static void
test_rollout_restart(void **state)
{
	const char	*argv[] = { "ns=erp-system", "deployment=worker",
			    "dry_run=1" };
	struct done	 d = act("k8s.rollout-restart", 3, argv);
	cJSON		*all, *req, *body, *ann;
	const char	*stamp;

	if (!d.ok)
		fail_msg("%s", d.summary);
	req = last_request(&all, "PATCH");
	assert_string_equal(rstr(req, "path"),
	    "/apis/apps/v1/namespaces/erp-system/deployments/worker");
	assert_string_equal(rstr(req, "content_type"),
	    "application/strategic-merge-patch+json");
	assert_string_equal(rstr(cJSON_GetObjectItem(req, "query"), "dryRun"),
	    "All");
	body = cJSON_Parse(rstr(req, "body"));
	ann = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(
	    cJSON_GetObjectItem(body, "spec"), "template"), "metadata"),
	    "annotations");
	stamp = rstr(ann, "kubectl.kubernetes.io/restartedAt");
	assert_int_equal(strlen(stamp), 20);
	assert_int_equal(stamp[10], 'T');
	assert_int_equal(stamp[19], 'Z');
	cJSON_Delete(body);
	cJSON_Delete(all);
}

static void
test_delete_pod(void **state)
{
	const char	*dry[] = { "ns=erp-system", "pod=api-7d9f8c6b5-a0",
			    "dry_run=1" };
	const char	*real[] = { "ns=erp-system", "pod=api-7d9f8c6b5-a0" };
	const char	*bad[] = { "ns=erp-system; rm -rf /",
			    "pod=api-7d9f8c6b5-a0" };
	struct done	 d = act("k8s.delete-pod", 3, dry);
	cJSON		*all, *req;

	assert_int_equal(d.ok, 1);
	req = last_request(&all, "DELETE");
	assert_string_equal(rstr(req, "path"),
	    "/api/v1/namespaces/erp-system/pods/api-7d9f8c6b5-a0");
	assert_string_equal(rstr(cJSON_GetObjectItem(req, "query"), "dryRun"),
	    "All");
	assert_int_equal(cJSON_GetObjectItem(all, "pods")->valueint, 6);
	cJSON_Delete(all);
	d = act("k8s.delete-pod", 2, real);
	assert_int_equal(d.ok, 1);
	assert_string_equal(d.summary, "deleted pod erp-system/api-7d9f8c6b5-a0");
	assert_int_equal(admin_int("GET", "/_admin/requests", NULL, "pods"), 5);
	/* A name that is not one never reaches the server. */
	d = act("k8s.delete-pod", 2, bad);
	assert_int_equal(d.ok, 0);
	assert_non_null(strstr(d.summary, "needs ns= and pod="));
}

/* Reads ------------------------------------------------------------------- */

static int
jnum(cJSON *o, const char *key)
{
	cJSON	*v = cJSON_GetObjectItem(o, key);

	if (!cJSON_IsNumber(v))
		fail_msg("no number %s in the output", key);
	return (v->valueint);
}

static void
test_rollout_status_done(void **state)
{
	const char	*argv[] = { "ns=erp-system", "deployment=api" };
	struct done	 d = act("k8s.rollout-status", 2, argv);
	cJSON		*all, *req, *out;

	assert_int_equal(d.ok, 1);
	assert_string_equal(d.summary,
	    "deployment \"api\" successfully rolled out");
	assert_non_null(d.output);
	out = cJSON_Parse(d.output);
	assert_non_null(out);
	assert_int_equal(jnum(out, "desired"), 3);
	assert_int_equal(jnum(out, "updated"), 3);
	assert_int_equal(jnum(out, "ready"), 3);
	assert_int_equal(jnum(out, "available"), 3);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(out, "rolled_out")));
	cJSON_Delete(out);
	free(d.output);
	/* One GET, nothing changed. */
	req = last_request(&all, "GET");
	assert_string_equal(rstr(req, "path"),
	    "/apis/apps/v1/namespaces/erp-system/deployments/api");
	assert_null(find_request(all, "PATCH",
	    "/apis/apps/v1/namespaces/erp-system/deployments/api"));
	cJSON_Delete(all);
}

/* The rollout status after changing the deployment with body; want is
 * the summary, rolled_out is then false and ok 0. */
static void
rollout_waits(const char *body, const char *want)
{
	const char	*argv[] = { "ns=erp-system", "deployment=api" };
	struct done	 d;
	cJSON		*out;

	if (body != NULL)
		admin_do("POST", "/_admin/deployment", body);
	d = act("k8s.rollout-status", 2, argv);
	assert_int_equal(d.ok, 0);
	assert_string_equal(d.summary, want);
	assert_non_null(d.output);
	out = cJSON_Parse(d.output);
	assert_non_null(out);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(out, "rolled_out")));
	cJSON_Delete(out);
	free(d.output);
}

static void
test_rollout_status_progress(void **state)
{
	const char	*worker[] = { "ns=erp-system", "deployment=worker" };
	const char	*restart[] = { "ns=erp-system", "deployment=api" };
	struct done	 d = act("k8s.rollout-status", 2, worker);
	cJSON		*out;

	/* Seeded: worker has 1 of 2 available. */
	assert_int_equal(d.ok, 0);
	assert_string_equal(d.summary, "Waiting for deployment \"worker\" "
	    "rollout to finish: 1 of 2 updated replicas are available...");
	out = cJSON_Parse(d.output);
	assert_int_equal(jnum(out, "desired"), 2);
	assert_int_equal(jnum(out, "available"), 1);
	cJSON_Delete(out);
	free(d.output);
	/* A real restart: the new generation is not observed yet. */
	d = act("k8s.rollout-restart", 2, restart);
	assert_int_equal(d.ok, 1);
	rollout_waits(NULL, "Waiting for deployment spec update to be "
	    "observed...");
	/* Observed; the new ReplicaSet comes up and the old one goes. */
	rollout_waits("{\"name\":\"api\",\"observedGeneration\":2,"
	    "\"updated\":1,\"replicas\":4,\"available\":3}",
	    "Waiting for deployment \"api\" rollout to finish: 1 out of 3 "
	    "new replicas have been updated...");
	rollout_waits("{\"name\":\"api\",\"updated\":3,\"replicas\":4,"
	    "\"available\":3}", "Waiting for deployment \"api\" rollout to "
	    "finish: 1 old replicas are pending termination...");
	rollout_waits("{\"name\":\"api\",\"replicas\":3,\"available\":2}",
	    "Waiting for deployment \"api\" rollout to finish: 2 of 3 updated "
	    "replicas are available...");
	rollout_waits("{\"name\":\"api\",\"deadline\":true}",
	    "deployment \"api\" exceeded its progress deadline");
}

static void
test_rollout_status_missing(void **state)
{
	const char	*argv[] = { "ns=erp-system", "deployment=nope" };
	const char	*bad[] = { "ns=erp-system", "deployment=api/../x" };
	struct done	 d = act("k8s.rollout-status", 2, argv);

	assert_int_equal(d.ok, 0);
	assert_string_equal(d.summary, "404 not found reading deployment "
	    "erp-system/nope: deployments.apps \"nope\" not found");
	assert_null(d.output);
	/* Not a name: refused before any request. */
	d = act("k8s.rollout-status", 2, bad);
	assert_int_equal(d.ok, 0);
	assert_non_null(strstr(d.summary, "needs ns= and deployment="));
	assert_null(d.output);
}

static void
test_get_deployment(void **state)
{
	const char	*argv[] = { "ns=erp-system", "deployment=worker" };
	const char	*both[] = { "ns=erp-system", "deployment=worker",
			    "pod=api-7d9f8c6b5-a0" };
	const char	*none[] = { "ns=erp-system" };
	struct done	 d = act("k8s.get", 2, argv);
	cJSON		*o;

	assert_int_equal(d.ok, 1);
	assert_string_equal(d.summary, "deployment erp-system/worker: 1/2 "
	    "available");
	assert_non_null(d.output);
	assert_non_null(strstr(d.output, "\n\t"));	/* pretty-printed */
	o = cJSON_Parse(d.output);
	assert_non_null(o);
	assert_string_equal(rstr(o, "kind"), "Deployment");
	assert_string_equal(rstr(cJSON_GetObjectItem(o, "metadata"), "name"),
	    "worker");
	assert_int_equal(jnum(cJSON_GetObjectItem(o, "spec"), "replicas"), 2);
	cJSON_Delete(o);
	free(d.output);
	d = act("k8s.get", 3, both);
	assert_int_equal(d.ok, 0);
	assert_string_equal(d.summary, "k8s.get: needs ns= and one of "
	    "deployment= or pod=, got both");
	d = act("k8s.get", 1, none);
	assert_int_equal(d.ok, 0);
	assert_non_null(strstr(d.summary, "got neither"));
}

static void
test_get_pod(void **state)
{
	const char	*crash[] = { "ns=erp-system", "pod=worker-7d9f8c6b5-w1" };
	const char	*run[] = { "ns=erp-system", "pod=api-7d9f8c6b5-a1" };
	const char	*gone[] = { "ns=erp-system", "pod=no-such-pod" };
	struct done	 d = act("k8s.get", 2, crash);
	cJSON		*o, *all, *req;

	assert_int_equal(d.ok, 1);
	assert_string_equal(d.summary, "pod erp-system/worker-7d9f8c6b5-w1: "
	    "CrashLoopBackOff 0/1");
	o = cJSON_Parse(d.output);
	assert_non_null(o);
	assert_string_equal(rstr(o, "kind"), "Pod");
	/* As kubectl shows it: without managedFields. */
	assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "metadata"),
	    "managedFields"));
	assert_non_null(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "status"),
	    "containerStatuses"));
	cJSON_Delete(o);
	free(d.output);
	req = last_request(&all, "GET");
	assert_string_equal(rstr(req, "path"),
	    "/api/v1/namespaces/erp-system/pods/worker-7d9f8c6b5-w1");
	cJSON_Delete(all);
	d = act("k8s.get", 2, run);
	assert_int_equal(d.ok, 1);
	assert_string_equal(d.summary, "pod erp-system/api-7d9f8c6b5-a1: "
	    "Running 1/1");
	free(d.output);
	d = act("k8s.get", 2, gone);
	assert_int_equal(d.ok, 0);
	assert_string_equal(d.summary, "404 not found reading pod "
	    "erp-system/no-such-pod: pods \"no-such-pod\" not found");
	assert_null(d.output);
}

int
main(void)
{
	const char	*dir = getenv("KUBE_ITEST_DIR");
	const char	*port = getenv("KUBE_ITEST_PORT");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_list, reset),
		cmocka_unit_test_setup(test_all_namespaces, reset),
		cmocka_unit_test_setup(test_watch_add_modify_delete, reset),
		cmocka_unit_test_setup(test_bookmark, reset),
		cmocka_unit_test_setup(test_gone_event_relists, reset),
		cmocka_unit_test_setup(test_gone_status_relists, reset),
		cmocka_unit_test_setup(test_cut_stream_resumes, reset),
		cmocka_unit_test_setup(test_401, reset),
		cmocka_unit_test_setup(test_403_names_namespace, reset),
		cmocka_unit_test_setup(test_deployments_forbidden, reset),
		cmocka_unit_test_setup(test_500_and_404, reset),
		cmocka_unit_test_setup(test_unknown_ca, reset),
		cmocka_unit_test_setup(test_insecure_flagged, reset),
		cmocka_unit_test_setup(test_client_cert, reset),
		cmocka_unit_test_setup(test_token, reset),
		cmocka_unit_test_setup(test_exec_plugin, reset),
		cmocka_unit_test_setup(test_kubeconfig_env, reset),
		cmocka_unit_test_setup(test_slow_within_timeout, reset),
		cmocka_unit_test_setup(test_slow_beyond_timeout, reset),
		cmocka_unit_test_setup(test_watch_never_answered, reset),
		cmocka_unit_test_setup(test_malformed_json, reset),
		cmocka_unit_test_setup(test_truncated_body, reset),
		cmocka_unit_test_setup(test_big_list_paged, reset),
		cmocka_unit_test_setup(test_big_list_one_body, reset),
		cmocka_unit_test_setup(test_pod_detail, reset),
		cmocka_unit_test_setup(test_pod_detail_missing, reset),
		cmocka_unit_test_setup(test_scale, reset),
		cmocka_unit_test_setup(test_rollout_restart, reset),
		cmocka_unit_test_setup(test_delete_pod, reset),
		cmocka_unit_test_setup(test_rollout_status_done, reset),
		cmocka_unit_test_setup(test_rollout_status_progress, reset),
		cmocka_unit_test_setup(test_rollout_status_missing, reset),
		cmocka_unit_test_setup(test_get_deployment, reset),
		cmocka_unit_test_setup(test_get_pod, reset),
	};

	if (dir == NULL || port == NULL) {
		fprintf(stderr, "run through tests/integration/kubernetes.sh\n");
		return (1);
	}
	http_global_init();
	snprintf(kdir, sizeof kdir, "%s", dir);
	snprintf(kubeconfig, sizeof kubeconfig, "%s/kubeconfig", kdir);
	snprintf(ca_file, sizeof ca_file, "%s/certs/ca.pem", kdir);
	snprintf(admin_url, sizeof admin_url, "https://127.0.0.1:%s", port);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
