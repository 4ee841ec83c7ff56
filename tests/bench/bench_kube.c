/* bench_kube.c: the Kubernetes source against the fixture API server
 * (tests/bench/kube.sh starts it) with 10,000 pods (~30 MB of PodList):
 *   open to first snapshot   source start to the first SNAP_PODS with
 *                            every pod (kubeconfig, paged LIST, deployments,
 *                            publish); target < 1.5 s
 *   peak RSS                 VmHWM of this process; target < 60 MB
 *   watch event latency      the server writing the event to the watch
 *                            stream (it records when) to this process
 *                            seeing the snapshot with the change (woken by
 *                            the store's pipe); target < 50 ms.  Also the
 *                            whole round trip from the admin request that
 *                            changes the pod (the fixture's own HTTP
 *                            handling included).
 * Usage: bench_kube KUBECONFIG CA-FILE ADMIN-URL [ROUNDS [one-body]]
 * one-body: the server ignores limit and sends the list as one body. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "http.h"
#include "kubernetes.h"
#include "snapshot.h"
#include "source.h"
#include "store.h"
#include "util.h"

#define NPODS	10000

static const char	*ca_file, *admin_url;

/* An admin request; its JSON answer (caller frees). */
static cJSON *
admin(const char *method, const char *path, const char *body)
{
	struct http_opts	 o;
	struct http_response	 r;
	char			 url[512];
	cJSON			*j;

	memset(&o, 0, sizeof o);
	o.ca_file = ca_file;
	o.timeout_ms = 60000;
	snprintf(url, sizeof url, "%s%s", admin_url, path);
	if (http_request(method, url, body, NULL, &o, &r) != 0 ||
	    r.status != 200 || (j = cJSON_Parse(r.body)) == NULL) {
		fprintf(stderr, "bench_kube: admin %s: %s %s\n", path, r.error,
		    r.body ? r.body : "");
		exit(1);
	}
	http_response_free(&r);
	return (j);
}

/* Epoch microseconds, to compare with the server's time.time(). */
static double
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((double)ts.tv_sec * 1e6 + ts.tv_nsec / 1e3);
}

static long
vm_hwm_kb(void)
{
	FILE	*fp = fopen("/proc/self/status", "r");
	char	 line[256];
	long	 kb = -1;

	while (fp != NULL && fgets(line, sizeof line, fp) != NULL)
		if (strncmp(line, "VmHWM:", 6) == 0)
			kb = strtol(line + 6, NULL, 10);
	if (fp != NULL)
		fclose(fp);
	return (kb);
}

/* Wait on the store's wake pipe until pred holds; the time it did. */
static int64_t
wait_pods(struct store *st, int (*pred)(const struct pods_data *, int),
    int arg, int timeout_ms)
{
	struct pollfd	 pfd = { store_wake_fd(st), POLLIN, 0 };
	struct snapshot	*s;
	int64_t		 end = mono_ms() + timeout_ms, t;
	int		 ok;

	for (;;) {
		s = store_get(st, SNAP_PODS, NULL);
		t = mono_ms();
		ok = s != NULL && pred(&s->u.pods, arg);
		if (s != NULL)
			snapshot_unref(s);
		if (ok)
			return (t);
		if (t >= end)
			return (-1);
		poll(&pfd, 1, (int)(end - t));
		store_drain(st);
	}
}

static int
all_pods(const struct pods_data *d, int n)
{
	return (d->npods >= n);
}

/* Pod number i of the bulk set is crashing. */
static int
crashing(const struct pods_data *d, int i)
{
	char	name[64];
	int	lo = 0, hi = d->npods - 1, mid, c;

	snprintf(name, sizeof name, "bulk-7d9f8c6b5-%05d", i);
	while (lo <= hi) {		/* the pods come sorted by name */
		mid = (lo + hi) / 2;
		if ((c = strcmp(d->pods[mid].name, name)) == 0)
			return (strcmp(d->pods[mid].status,
			    "CrashLoopBackOff") == 0);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return (0);
}

static int
cmp_d(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

static void
nap(int ms)
{
	struct timespec	ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static void
report(const char *what, double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_d);
	printf("%s (%d events): median %.1f ms, p95 %.1f ms, max %.1f ms\n",
	    what, n, v[n / 2] / 1e3, v[n * 95 / 100] / 1e3, v[n - 1] / 1e3);
}

/* One pod changes, rounds times: when did we see each? */
static void
latency(struct store *st, int rounds)
{
	double	*seen = calloc((size_t)rounds, sizeof *seen);
	double	*trip = calloc((size_t)rounds, sizeof *trip);
	double	*lat = calloc((size_t)rounds, sizeof *lat), t0;
	int	*rv = calloc((size_t)rounds, sizeof *rv);
	char	 body[160], key[32];
	cJSON	*j, *sent;
	int	 i, n = 0, pod;

	for (i = 0; i < rounds; i++) {
		nap(150);	/* each event a fresh one, not a burst */
		pod = i * 97 % NPODS;
		snprintf(body, sizeof body, "{\"ns\":\"bulk\",\"name\":"
		    "\"bulk-7d9f8c6b5-%05d\",\"state\":\"crashloop\","
		    "\"restarts\":1,\"deployment\":\"bulk\"}", pod);
		t0 = now_us();
		j = admin("POST", "/_admin/pod", body);
		rv[i] = cJSON_GetObjectItem(j, "rv")->valueint;
		cJSON_Delete(j);
		if (wait_pods(st, crashing, pod, 5000) < 0) {
			fprintf(stderr, "bench_kube: event %d never showed\n",
			    i);
			exit(1);
		}
		seen[i] = now_us();
		trip[i] = seen[i] - t0;
	}
	sent = admin("GET", "/_admin/sent", NULL);
	for (i = 0; i < rounds; i++) {
		snprintf(key, sizeof key, "%d", rv[i]);
		if ((j = cJSON_GetObjectItem(sent, key)) != NULL)
			lat[n++] = seen[i] - j->valuedouble * 1e6;
	}
	cJSON_Delete(sent);
	if (n > 0)
		report("watch event written to snapshot seen (target < 50 ms)",
		    lat, n);
	report("admin change request to snapshot seen", trip, rounds);
	free(seen);
	free(trip);
	free(lat);
	free(rv);
}

int
main(int argc, char **argv)
{
	struct cfg_env	 env;
	struct error	 err;
	struct store	*st;
	struct source	*src;
	int64_t		 t0, t1;
	int		 rounds = argc > 4 ? atoi(argv[4]) : 50;
	int		 one = argc > 5 && strcmp(argv[5], "one-body") == 0;

	if (argc < 4) {
		fprintf(stderr, "usage: bench_kube KUBECONFIG CA ADMIN-URL "
		    "[ROUNDS]\n");
		return (2);
	}
	ca_file = argv[2];
	admin_url = argv[3];
	http_global_init();
	cJSON_Delete(admin("POST", "/_admin/bulk",
	    "{\"ns\":\"bulk\",\"count\":10000}"));
	if (one)
		cJSON_Delete(admin("POST", "/_admin/fault", "{\"mode\":"
		    "\"huge\",\"path\":\"/namespaces/bulk/pods\"}"));
	memset(&env, 0, sizeof env);
	env.refresh_ms = 2000;
	env.kubernetes.present = 1;
	env.kubernetes.kubeconfig = argv[1];
	env.kubernetes.namespace = "bulk";
	st = store_new();
	t0 = mono_ms();
	if ((src = kubernetes_source_new(&env, &err)) == NULL) {
		fprintf(stderr, "bench_kube: %s\n", err.msg);
		return (1);
	}
	source_start(src, st);
	if ((t1 = wait_pods(st, all_pods, NPODS, 30000)) < 0) {
		fprintf(stderr, "bench_kube: no snapshot with %d pods\n", NPODS);
		return (1);
	}
	printf("open to first snapshot (%d pods, %s): %lld ms (target < 1500 "
	    "ms)\n", NPODS, one ? "one body" : "pages of 500",
	    (long long)(t1 - t0));
	printf("peak RSS after the list: %.1f MB\n", vm_hwm_kb() / 1024.0);
	if (rounds > 0)
		latency(st, rounds);
	printf("peak RSS (VmHWM): %.1f MB (target < 60 MB)\n",
	    vm_hwm_kb() / 1024.0);
	if (source_stop(src, 2000) != 0)
		fprintf(stderr, "bench_kube: the source did not stop\n");
	else
		store_free(st);
	return (0);
}
