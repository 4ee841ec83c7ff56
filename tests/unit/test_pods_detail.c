/* test_pods_detail.c: Enter on the Pods panel runs k8s.pod-detail off the
 * UI thread for the selected pod and shows its text in a pager; without a
 * Kubernetes source it says so; a TLS note leads the title summary. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "action.h"
#include "keys.h"
#include "pager.h"
#include "panel.h"
#include "snapshot.h"
#include "util.h"
#include "xmalloc.h"

extern const struct panel_class pods_panel;

struct fake_host {
	char		 message[512];
	int		 error;
	struct pager	*pager;
	char		 ns[64], pod[128];	/* what the handler was asked */
};

static void
fake_message(void *arg, int error, const char *msg)
{
	struct fake_host	*h = arg;

	h->error = error;
	strlcpy_(h->message, msg, sizeof h->message);
}

static void
fake_pager(void *arg, struct pager *pg)
{
	struct fake_host	*h = arg;

	pager_free(h->pager);
	h->pager = pg;
}

static int
fake_detail(void *ctx, const struct action_req *req,
    struct action_result *res, const volatile int *cancel)
{
	struct fake_host	*h = ctx;

	strlcpy_(h->ns, action_arg(req, "ns"), sizeof h->ns);
	strlcpy_(h->pod, action_arg(req, "pod"), sizeof h->pod);
	res->output = xstrdup("Pod x\n  status Running\n\nEvents (0)\n"
	    "  (none)\n");
	snprintf(res->summary, sizeof res->summary, "pod details read");
	return (0);
}

static struct snapshot *
two_pods(const char *note)
{
	struct snapshot		*s = snapshot_new(SNAP_PODS);
	struct pods_data	*d = &s->u.pods;
	int			 i;

	s->fetched_ms = 1790000000000;
	d->npods = 2;
	d->pods = xcalloc(2, sizeof *d->pods);
	for (i = 0; i < 2; i++) {
		strlcpy_(d->pods[i].ns, "erp-system", sizeof d->pods[i].ns);
		snprintf(d->pods[i].name, sizeof d->pods[i].name, "api-%d", i);
		strlcpy_(d->pods[i].status, "Running", sizeof d->pods[i].status);
		d->pods[i].ready = d->pods[i].total = 1;
		d->pods[i].created_ms = s->fetched_ms - 60000;
	}
	strlcpy_(d->note, note, sizeof d->note);
	return (s);
}

static struct panel *
pods_showing(struct snapshot *s, struct panel_host *host)
{
	struct panel	*p = panel_new(&pods_panel);

	p->snap = snapshot_ref(s);
	p->cls->update(p, s);
	p->host = host;
	return (p);
}

static void
test_enter_opens_detail(void **state)
{
	struct fake_host	 fh;
	struct panel_host	 host;
	struct store		*store = store_new();
	struct actions		*a = actions_new(store);
	struct snapshot		*s = two_pods("");
	struct panel		*p;
	int64_t			 end;
	struct timespec		 ts = { 0, 5 * 1000 * 1000 };

	memset(&fh, 0, sizeof fh);
	memset(&host, 0, sizeof host);
	host.arg = &fh;
	host.message = fake_message;
	host.pager = fake_pager;
	host.actions = a;
	actions_register(a, "k8s.pod-detail", fake_detail, &fh);
	p = pods_showing(s, &host);
	assert_int_equal(panel_key(p, 'j', 10), 1);	/* the second pod */
	assert_int_equal(panel_key(p, KEYC_ENTER, 10), 1);
	assert_string_equal(fh.message, "loading pod erp-system/api-1 "
	    "details...");
	for (end = mono_ms() + 5000; fh.pager == NULL && mono_ms() < end;) {
		actions_collect(a);
		nanosleep(&ts, NULL);
	}
	assert_non_null(fh.pager);
	assert_string_equal(fh.ns, "erp-system");
	assert_string_equal(fh.pod, "api-1");
	assert_int_equal(pager_lines(fh.pager), 5);
	assert_string_equal(fh.message, "pod details read");
	assert_int_equal(fh.error, 0);
	pager_free(fh.pager);
	panel_free(p);
	snapshot_unref(s);
	assert_int_equal(actions_free(a, 1000), 0);
	store_free(store);
}

static void
test_enter_without_kubernetes(void **state)
{
	struct fake_host	 fh;
	struct panel_host	 host;
	struct store		*store = store_new();
	struct actions		*a = actions_new(store);
	struct snapshot		*s = two_pods("");
	struct panel		*p;

	memset(&fh, 0, sizeof fh);
	memset(&host, 0, sizeof host);
	host.arg = &fh;
	host.message = fake_message;
	host.pager = fake_pager;
	host.actions = a;
	p = pods_showing(s, &host);
	assert_int_equal(panel_key(p, KEYC_ENTER, 10), 1);
	assert_string_equal(fh.message, "pod details need a Kubernetes source");
	assert_int_equal(fh.error, 1);
	assert_null(fh.pager);
	panel_free(p);
	snapshot_unref(s);
	assert_int_equal(actions_free(a, 1000), 0);
	store_free(store);
}

static void
test_note_leads_summary(void **state)
{
	struct snapshot	*s = two_pods("TLS NOT VERIFIED "
			    "(insecure-skip-tls-verify)");
	struct panel	*p = pods_showing(s, NULL);
	char		 buf[160];
	enum role	 role;

	panel_summary(p, buf, sizeof buf, &role);
	assert_string_equal(buf, "TLS NOT VERIFIED (insecure-skip-tls-verify); "
	    "2 pods ok");
	assert_int_equal(role, ROLE_WARN);
	/* Without a host, Enter is not the panel's. */
	assert_int_equal(p->cls->key(p, KEYC_ENTER), 0);
	panel_free(p);
	snapshot_unref(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enter_opens_detail),
		cmocka_unit_test(test_enter_without_kubernetes),
		cmocka_unit_test(test_note_leads_summary),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
