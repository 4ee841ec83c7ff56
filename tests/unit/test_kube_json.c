/* test_kube_json.c: Kubernetes API JSON to struct pod (STATUS the kubectl
 * way), deployments, lists read item by item, and watch events cut into
 * chunks anywhere. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kube_json.h"
#include "kubeconfig.h"
#include "util.h"

/* A pod object from its status (and spec/metadata extras) as JSON text. */
static struct pod
pod_of(const char *json)
{
	struct pod	 p;
	cJSON		*j = cJSON_Parse(json);

	if (j == NULL)
		fail_msg("test JSON does not parse: %s", json);
	assert_int_equal(kube_pod_from_json(j, &p), 0);
	cJSON_Delete(j);
	return (p);
}

#define META(extra) "\"metadata\":{\"name\":\"api-7d9f8c6b5-x2k4q\"," \
	"\"namespace\":\"erp-system\",\"creationTimestamp\":" \
	"\"2026-11-22T08:00:00Z\",\"labels\":{\"pod-template-hash\":" \
	"\"7d9f8c6b5\"},\"ownerReferences\":[{\"kind\":\"ReplicaSet\"," \
	"\"name\":\"api-7d9f8c6b5\",\"controller\":true}]" extra "}"
#define SPEC1 "\"spec\":{\"nodeName\":\"worker-2\",\"containers\":" \
	"[{\"name\":\"app\"}]}"

static void
test_running(void **state)
{
	struct pod	p = pod_of("{" META("") "," SPEC1 ",\"status\":{"
	    "\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\","
	    "\"status\":\"True\"}],\"containerStatuses\":[{\"name\":\"app\","
	    "\"ready\":true,\"restartCount\":0,\"state\":{\"running\":{}}}]}}");

	assert_string_equal(p.ns, "erp-system");
	assert_string_equal(p.name, "api-7d9f8c6b5-x2k4q");
	assert_string_equal(p.node, "worker-2");
	assert_string_equal(p.deployment, "api");
	assert_string_equal(p.status, "Running");
	assert_int_equal(p.ready, 1);
	assert_int_equal(p.total, 1);
	assert_int_equal(p.restarts, 0);
	assert_int_equal(p.problem, 0);
	assert_int_equal(p.mem_pct, -1);
	assert_true(p.created_ms == INT64_C(1795334400000));
	assert_true(p.last_restart_ms == 0);
}

static void
test_crashloop_oomkilled(void **state)
{
	struct pod	p = pod_of("{" META("") "," SPEC1 ",\"status\":{"
	    "\"phase\":\"Running\",\"containerStatuses\":[{\"name\":\"app\","
	    "\"ready\":false,\"restartCount\":7,\"state\":{\"waiting\":"
	    "{\"reason\":\"CrashLoopBackOff\"}},\"lastState\":{\"terminated\":"
	    "{\"reason\":\"OOMKilled\",\"exitCode\":137,\"finishedAt\":"
	    "\"2026-11-22T09:00:05.250Z\"}}}]}}");

	assert_string_equal(p.status, "CrashLoopBackOff");
	assert_string_equal(p.last_reason, "OOMKilled");
	assert_int_equal(p.restarts, 7);
	assert_int_equal(p.ready, 0);
	assert_int_equal(p.problem, 2);
	assert_true(p.last_restart_ms == INT64_C(1795338005250));
}

static void
test_init_and_sidecar(void **state)
{
	struct pod	p;

	/* Second of two init containers running: Init:1/2. */
	p = pod_of("{" META("") ",\"spec\":{\"initContainers\":[{\"name\":"
	    "\"migrate\"},{\"name\":\"seed\"}],\"containers\":[{\"name\":"
	    "\"app\"}]},\"status\":{\"phase\":\"Pending\","
	    "\"initContainerStatuses\":[{\"name\":\"migrate\",\"state\":"
	    "{\"terminated\":{\"exitCode\":0,\"reason\":\"Completed\"}}},"
	    "{\"name\":\"seed\",\"state\":{\"running\":{}}}],"
	    "\"containerStatuses\":[{\"name\":\"app\",\"state\":{\"waiting\":"
	    "{\"reason\":\"PodInitializing\"}}}]}}");
	assert_string_equal(p.status, "Init:1/2");
	assert_int_equal(p.problem, 1);

	/* An init container failing. */
	p = pod_of("{" META("") ",\"spec\":{\"initContainers\":[{\"name\":"
	    "\"migrate\"}],\"containers\":[{\"name\":\"app\"}]},\"status\":{"
	    "\"phase\":\"Pending\",\"initContainerStatuses\":[{\"name\":"
	    "\"migrate\",\"restartCount\":3,\"state\":{\"waiting\":{\"reason\":"
	    "\"CrashLoopBackOff\"}}}]}}");
	assert_string_equal(p.status, "Init:CrashLoopBackOff");
	assert_int_equal(p.problem, 2);

	/* A restartPolicy Always init container is a sidecar: it counts in
	 * READY and the pod runs. */
	p = pod_of("{" META("") ",\"spec\":{\"initContainers\":[{\"name\":"
	    "\"proxy\",\"restartPolicy\":\"Always\"}],\"containers\":[{\"name\":"
	    "\"app\"}]},\"status\":{\"phase\":\"Running\",\"conditions\":[{"
	    "\"type\":\"Ready\",\"status\":\"True\"}],\"initContainerStatuses\":"
	    "[{\"name\":\"proxy\",\"ready\":true,\"started\":true,"
	    "\"restartCount\":1,\"state\":{\"running\":{}}}],"
	    "\"containerStatuses\":[{\"name\":\"app\",\"ready\":true,"
	    "\"state\":{\"running\":{}}}]}}");
	assert_string_equal(p.status, "Running");
	assert_int_equal(p.total, 2);
	assert_int_equal(p.ready, 2);
	assert_int_equal(p.restarts, 1);
}

static void
test_terminating_evicted_completed(void **state)
{
	struct pod	p;

	p = pod_of("{" META(",\"deletionTimestamp\":\"2026-11-22T09:00:00Z\"")
	    "," SPEC1 ",\"status\":{\"phase\":\"Running\",\"containerStatuses\":"
	    "[{\"name\":\"app\",\"ready\":true,\"state\":{\"running\":{}}}]}}");
	assert_string_equal(p.status, "Terminating");
	assert_int_equal(p.problem, 1);

	p = pod_of("{" META("") "," SPEC1 ",\"status\":{\"phase\":\"Failed\","
	    "\"reason\":\"Evicted\",\"message\":\"low on memory\"}}");
	assert_string_equal(p.status, "Evicted");
	assert_int_equal(p.problem, 2);

	p = pod_of("{" META("") "," SPEC1 ",\"status\":{\"phase\":"
	    "\"Succeeded\",\"containerStatuses\":[{\"name\":\"app\",\"state\":"
	    "{\"terminated\":{\"exitCode\":0,\"reason\":\"Completed\"}}}]}}");
	assert_string_equal(p.status, "Completed");
	assert_int_equal(p.problem, 0);

	/* A terminated container without a reason: ExitCode:N. */
	p = pod_of("{" META("") "," SPEC1 ",\"status\":{\"phase\":\"Running\","
	    "\"containerStatuses\":[{\"name\":\"app\",\"state\":{\"terminated\":"
	    "{\"exitCode\":2}}}]}}");
	assert_string_equal(p.status, "ExitCode:2");
	assert_int_equal(p.problem, 2);

	/* Nothing reported yet (just scheduled): the phase. */
	p = pod_of("{" META("") "," SPEC1 ",\"status\":{\"phase\":\"Pending\"}}");
	assert_string_equal(p.status, "Pending");
	assert_int_equal(p.total, 1);
}

static void
test_not_a_pod(void **state)
{
	struct pod	 p;
	cJSON		*j = cJSON_Parse("{\"kind\":\"Status\",\"code\":410}");

	assert_int_equal(kube_pod_from_json(j, &p), -1);
	cJSON_Delete(j);
}

static void
test_rs_deployment(void **state)
{
	char	buf[64];

	kube_rs_deployment("api-7d9f8c6b5", "7d9f8c6b5", buf, sizeof buf);
	assert_string_equal(buf, "api");
	kube_rs_deployment("order-sync-5c8d7", NULL, buf, sizeof buf);
	assert_string_equal(buf, "order-sync");
	/* The hash label wins over the last dash. */
	kube_rs_deployment("my-app-v2-abc12", "abc12", buf, sizeof buf);
	assert_string_equal(buf, "my-app-v2");
	kube_rs_deployment("nodash", "zzz", buf, sizeof buf);
	assert_string_equal(buf, "nodash");
}

static void
test_deployment(void **state)
{
	struct deployment	 d;
	cJSON			*j;

	j = cJSON_Parse("{\"metadata\":{\"name\":\"api\",\"namespace\":\"erp\"},"
	    "\"spec\":{\"replicas\":3},\"status\":{\"updatedReplicas\":3,"
	    "\"readyReplicas\":2,\"availableReplicas\":1}}");
	assert_int_equal(kube_deploy_from_json(j, &d), 0);
	assert_string_equal(d.name, "api");
	assert_string_equal(d.ns, "erp");
	assert_int_equal(d.desired, 3);
	assert_int_equal(d.updated, 3);
	assert_int_equal(d.ready, 2);
	assert_int_equal(d.available, 1);
	cJSON_Delete(j);
	/* No spec.replicas means 1; no status means 0 of each. */
	j = cJSON_Parse("{\"metadata\":{\"name\":\"w\",\"namespace\":\"e\"}}");
	assert_int_equal(kube_deploy_from_json(j, &d), 0);
	assert_int_equal(d.desired, 1);
	assert_int_equal(d.available, 0);
	cJSON_Delete(j);
}

/* Lists -------------------------------------------------------------------- */

struct names {
	char	v[8][64];
	int	n;
};

static int
collect(void *arg, const cJSON *item)
{
	struct names	*ns = arg;
	const cJSON	*m = cJSON_GetObjectItem(item, "metadata");

	if (ns->n < 8)
		strlcpy_(ns->v[ns->n++], cJSON_GetObjectItem(m,
		    "name")->valuestring, 64);
	return (0);
}

static int
list(const char *body, struct names *ns, char *rv, char *cont,
    struct error *err)
{
	memset(ns, 0, sizeof *ns);
	err->msg[0] = '\0';
	return (kube_list_parse(body, strlen(body), collect, ns, rv, 64, cont,
	    256, err));
}

static void
test_list(void **state)
{
	struct names	ns;
	struct error	err;
	char		rv[64], cont[256];

	assert_int_equal(list(" {\"kind\" : \"PodList\", \"apiVersion\":\"v1\","
	    "\"metadata\":{\"resourceVersion\":\"4711\",\"continue\":\"abc=\"},"
	    "\"items\": [ {\"metadata\":{\"name\":\"a\"}} ,\n{\"metadata\":"
	    "{\"name\":\"b\"}}]}\n", &ns, rv, cont, &err), 0);
	assert_int_equal(ns.n, 2);
	assert_string_equal(ns.v[0], "a");
	assert_string_equal(ns.v[1], "b");
	assert_string_equal(rv, "4711");
	assert_string_equal(cont, "abc=");

	/* items before metadata, an empty list, no continue. */
	assert_int_equal(list("{\"items\":[],\"metadata\":{\"resourceVersion\":"
	    "\"9\"}}", &ns, rv, cont, &err), 0);
	assert_int_equal(ns.n, 0);
	assert_string_equal(rv, "9");
	assert_string_equal(cont, "");
	assert_int_equal(list("{}", &ns, rv, cont, &err), 0);
}

static void
test_list_malformed(void **state)
{
	struct names	ns;
	struct error	err;
	char		rv[64], cont[256];
	const char	*bad = "{\"items\":[{\"metadata\":{\"name\":\"a\"}},"
			    "{\"metadata\":{\"name\": oops}}]}";

	assert_int_equal(list(bad, &ns, rv, cont, &err), -1);
	/* The error points into the second item, after what parsed. */
	assert_non_null(strstr(err.msg, "malformed JSON from the API server "
	    "at byte "));
	assert_true(atoi(strstr(err.msg, "byte ") + 5) >= 40);
	assert_int_equal(ns.n, 1);

	/* A body cut short. */
	assert_int_equal(list("{\"items\":[{\"metadata\":{\"name\":\"a\"}},{\"me",
	    &ns, rv, cont, &err), -1);
	assert_non_null(strstr(err.msg, "malformed JSON"));
	assert_int_equal(list("{\"items\":[{\"metadata\":{\"name\":\"a\"}}",
	    &ns, rv, cont, &err), -1);
	assert_non_null(strstr(err.msg, "ends early"));

	/* Not JSON at all, and trailing rubbish. */
	assert_int_equal(list("<html>502 Bad Gateway</html>", &ns, rv, cont,
	    &err), -1);
	assert_non_null(strstr(err.msg, "at byte 0"));
	assert_int_equal(list("{\"items\":[]} x", &ns, rv, cont, &err), -1);
	assert_non_null(strstr(err.msg, "at byte 13"));
}

/* Watch streams ------------------------------------------------------------ */

struct seen {
	char	lines[8][512];
	int	n;
};

static int
on_line(void *arg, char *line, size_t len)
{
	struct seen	*s = arg;

	assert_true(s->n < 8);
	assert_true(len < 512);
	memcpy(s->lines[s->n], line, len);
	s->lines[s->n++][len] = '\0';
	return (0);
}

static const char stream[] =
    "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"a\","
    "\"resourceVersion\":\"11\"}}}\n"
    "{\"type\":\"BOOKMARK\",\"object\":{\"metadata\":{\"resourceVersion\":"
    "\"12\"}}}\n"
    "{\"type\":\"DELETED\",\"object\":{\"metadata\":{\"name\":\"a\","
    "\"resourceVersion\":\"13\"}}}\n";

/* Every way of cutting the stream in two, and byte by byte. */
static void
test_lines_split_anywhere(void **state)
{
	struct kube_lines	l;
	struct seen		s;
	size_t			cut, n = strlen(stream), i;

	for (cut = 0; cut <= n; cut++) {
		memset(&l, 0, sizeof l);
		memset(&s, 0, sizeof s);
		assert_int_equal(kube_lines_feed(&l, stream, cut, on_line, &s),
		    0);
		assert_int_equal(kube_lines_feed(&l, stream + cut, n - cut,
		    on_line, &s), 0);
		assert_int_equal(s.n, 3);
		assert_int_equal(strncmp(s.lines[1], "{\"type\":\"BOOKMARK\"",
		    18), 0);
		assert_int_equal(l.len, 0);
		kube_lines_free(&l);
	}
	memset(&l, 0, sizeof l);
	memset(&s, 0, sizeof s);
	for (i = 0; i < n; i++)
		assert_int_equal(kube_lines_feed(&l, stream + i, 1, on_line,
		    &s), 0);
	assert_int_equal(s.n, 3);
	assert_true(l.offset == n);
	kube_lines_free(&l);
}

/* A stream cut mid-event keeps the half; a reset (new stream) drops it. */
static void
test_lines_cut_and_limit(void **state)
{
	struct kube_lines	l;
	struct seen		s;

	memset(&l, 0, sizeof l);
	memset(&s, 0, sizeof s);
	assert_int_equal(kube_lines_feed(&l, stream, 40, on_line, &s), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(l.len, 40);
	kube_lines_reset(&l);
	assert_int_equal(kube_lines_feed(&l, stream, strlen(stream), on_line,
	    &s), 0);
	assert_int_equal(s.n, 3);
	kube_lines_free(&l);

	/* A line longer than the limit is refused. */
	memset(&l, 0, sizeof l);
	l.max = 16;
	memset(&s, 0, sizeof s);
	assert_int_equal(kube_lines_feed(&l, "short\n", 6, on_line, &s), 0);
	assert_int_equal(kube_lines_feed(&l, "0123456789abcdefXYZ", 19,
	    on_line, &s), -1);
	kube_lines_free(&l);
}

static void
test_events(void **state)
{
	struct kube_event	ev;
	struct error		err;
	const char		*e;

	e = "{\"type\":\"MODIFIED\",\"object\":{\"metadata\":{\"name\":\"p\","
	    "\"namespace\":\"n\",\"resourceVersion\":\"77\"}}}";
	assert_int_equal(kube_event_parse(e, strlen(e), &ev, &err), 0);
	assert_int_equal(ev.type, KEV_MODIFIED);
	assert_string_equal(ev.rv, "77");
	assert_non_null(ev.object);
	kube_event_free(&ev);

	e = "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Pod\",\"metadata\":"
	    "{\"resourceVersion\":\"90\"}}}";
	assert_int_equal(kube_event_parse(e, strlen(e), &ev, &err), 0);
	assert_int_equal(ev.type, KEV_BOOKMARK);
	assert_string_equal(ev.rv, "90");
	kube_event_free(&ev);

	e = "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"code\":410,"
	    "\"reason\":\"Expired\",\"message\":\"too old resource version: "
	    "5 (80)\"}}";
	assert_int_equal(kube_event_parse(e, strlen(e), &ev, &err), 0);
	assert_int_equal(ev.type, KEV_ERROR);
	assert_int_equal(ev.code, 410);
	assert_string_equal(ev.message, "too old resource version: 5 (80)");
	kube_event_free(&ev);

	/* Only the first len bytes count: a half event is malformed. */
	e = "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"p\"}}}";
	assert_int_equal(kube_event_parse(e, 20, &ev, &err), -1);
	assert_non_null(strstr(err.msg, "malformed JSON from the API server"));
	assert_non_null(strstr(err.msg, "watch event"));
}

static void
test_time(void **state)
{
	assert_true(kube_time_ms("2026-11-22T08:00:00Z") ==
	    INT64_C(1795334400000));
	assert_true(kube_time_ms("2026-11-22T08:00:00.5Z") ==
	    INT64_C(1795334400500));
	assert_true(kube_time_ms("2026-11-22T08:00:00.123456789Z") ==
	    INT64_C(1795334400123));
	assert_true(kube_time_ms("2026-11-22T09:00:00+01:00") ==
	    INT64_C(1795334400000));
	assert_true(kube_time_ms("2026-11-22T07:30:00-00:30") ==
	    INT64_C(1795334400000));
	assert_true(kube_time_ms("yesterday") == 0);
	assert_true(kube_time_ms("2026-11-22T08:00:00") == 0);
	assert_true(kube_time_ms(NULL) == 0);
	assert_true(kube_time_ms("") == 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_running),
		cmocka_unit_test(test_crashloop_oomkilled),
		cmocka_unit_test(test_init_and_sidecar),
		cmocka_unit_test(test_terminating_evicted_completed),
		cmocka_unit_test(test_not_a_pod),
		cmocka_unit_test(test_rs_deployment),
		cmocka_unit_test(test_deployment),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_list_malformed),
		cmocka_unit_test(test_lines_split_anywhere),
		cmocka_unit_test(test_lines_cut_and_limit),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_time),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
