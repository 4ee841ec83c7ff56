/* test_alertmanager.c: what the Alertmanager and Prometheus backends make
 * of their servers' answers without a server: RFC 3339 times, the v2
 * alert list, the HA merge, the matchers encoding, runbook names, breaker
 * state names and Polly's transitions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alertmanager.h"
#include "prometheus.h"
#include "snapshot.h"
#include "util.h"

/* 2026-11-21T09:15:02Z */
#define T0	((int64_t)1795252502000)

static void
test_times(void **state)
{
	char	buf[40];

	assert_int_equal(alertmanager_time_ms("2026-11-21T09:15:02Z"), T0);
	assert_int_equal(alertmanager_time_ms("2026-11-21T09:15:02.5Z"),
	    T0 + 500);
	assert_int_equal(alertmanager_time_ms(
	    "2026-11-21T09:15:02.123456789Z"), T0 + 123);
	assert_int_equal(alertmanager_time_ms("2026-11-21T10:15:02+01:00"),
	    T0);
	assert_int_equal(alertmanager_time_ms("2026-11-21T04:45:02.000-04:30"),
	    T0);
	assert_int_equal(alertmanager_time_ms("0001-01-01T00:00:00Z") < 0, 1);
	assert_int_equal(alertmanager_time_ms(NULL), -1);
	assert_int_equal(alertmanager_time_ms(""), -1);
	assert_int_equal(alertmanager_time_ms("2026-11-21 09:15:02Z"), -1);
	assert_int_equal(alertmanager_time_ms("2026-13-21T09:15:02Z"), -1);
	assert_int_equal(alertmanager_time_ms("2026-11-21T09:15:02"), -1);
	assert_int_equal(alertmanager_time_ms("2026-11-21T09:15:02.Z"), -1);
	assert_int_equal(alertmanager_time_ms("2026-11-21T09:15:02Zjunk"), -1);
	alertmanager_fmt_time(buf, sizeof buf, T0 + 42);
	assert_string_equal(buf, "2026-11-21T09:15:02.042Z");
	assert_int_equal(alertmanager_time_ms(buf), T0 + 42);
}

static const char list[] =
    "[{\"annotations\":{\"summary\":\"Pod finance-1 crash looping\","
    "\"runbook\":\"https://runbooks.chiroerp.com/pod-crash-loop\"},"
    "\"endsAt\":\"2026-11-21T09:20:02Z\",\"fingerprint\":\"8cbb2256f256921e\","
    "\"receivers\":[{\"name\":\"null\"}],\"startsAt\":\"2026-11-21T09:15:02Z\","
    "\"status\":{\"inhibitedBy\":[],\"silencedBy\":[],\"state\":\"active\"},"
    "\"updatedAt\":\"2026-11-21T09:15:02Z\",\"labels\":{\"alertname\":"
    "\"PodCrashLooping\",\"container\":\"app\",\"job\":\"kube-state-metrics\","
    "\"namespace\":\"erp-system\",\"pod\":\"finance-1\",\"severity\":"
    "\"warning\"}},"
    "{\"annotations\":{\"description\":\"no summary here\",\"runbook_url\":"
    "\"https://wiki/runbooks/replica-mismatch.md?x=1#top\"},"
    "\"fingerprint\":\"00000000000000aa\",\"startsAt\":\"bogus\","
    "\"status\":{\"inhibitedBy\":[],\"silencedBy\":[\"sil-1\",\"sil-2\"],"
    "\"state\":\"suppressed\"},\"labels\":{\"alertname\":\"Replicas\","
    "\"deployment\":\"sales\",\"note\":\"line1\\nline2 \\\\ end\"}},"
    "{\"fingerprint\":\"00000000000000bb\",\"status\":{\"inhibitedBy\":"
    "[\"x\"],\"silencedBy\":[],\"state\":\"suppressed\"},\"labels\":"
    "{\"alertname\":\"Inhibited\"}}]";

static void
test_parse_alerts(void **state)
{
	struct alert	*rows;
	int64_t		*upd;
	char		 err[200], name[64], value[64];
	size_t		 pos = 0;
	int		 n;

	assert_int_equal(alertmanager_parse_alerts(list, &rows, &upd, &n, err,
	    sizeof err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(rows[0].name, "PodCrashLooping");
	assert_string_equal(rows[0].severity, "warning");
	assert_string_equal(rows[0].labels, "namespace=erp-system "
	    "pod=finance-1 job=kube-state-metrics");
	assert_string_equal(rows[0].summary, "Pod finance-1 crash looping");
	assert_string_equal(rows[0].runbook, "pod-crash-loop");
	assert_string_equal(rows[0].fingerprint, "8cbb2256f256921e");
	assert_int_equal(rows[0].starts_ms, T0);
	assert_int_equal(upd[0], T0);
	assert_int_equal(rows[0].state, ALERT_ACTIVE);
	assert_string_equal(rows[0].matchers, "alertname=PodCrashLooping\n"
	    "container=app\njob=kube-state-metrics\nnamespace=erp-system\n"
	    "pod=finance-1\nseverity=warning\n");

	assert_string_equal(rows[1].summary, "no summary here");
	assert_string_equal(rows[1].runbook, "replica-mismatch");
	assert_int_equal(rows[1].starts_ms, 0);
	assert_int_equal(rows[1].state, ALERT_SILENCED);
	assert_string_equal(rows[1].silenced_by, "sil-1");
	assert_string_equal(rows[1].labels, "deployment=sales");
	/* A newline and a backslash survive the matchers' encoding. */
	assert_true(alert_matcher_next(rows[1].matchers, &pos, name,
	    sizeof name, value, sizeof value));
	assert_string_equal(name, "alertname");
	assert_true(alert_matcher_next(rows[1].matchers, &pos, name,
	    sizeof name, value, sizeof value));
	assert_true(alert_matcher_next(rows[1].matchers, &pos, name,
	    sizeof name, value, sizeof value));
	assert_string_equal(name, "note");
	assert_string_equal(value, "line1\nline2 \\ end");
	assert_false(alert_matcher_next(rows[1].matchers, &pos, name,
	    sizeof name, value, sizeof value));

	assert_int_equal(rows[2].state, ALERT_INHIBITED);
	assert_string_equal(rows[2].runbook, "");
	free(rows);
	free(upd);
}

static void
test_parse_refuses(void **state)
{
	static const char *const bad[] = { "", "[", "{}", "\"x\"",
	    "[{\"labels\":1}]", "[1]", "<html>" };
	struct alert	*rows = NULL;
	char		 err[200];
	size_t		 i;
	int		 n;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		assert_int_equal(alertmanager_parse_alerts(bad[i], &rows, NULL,
		    &n, err, sizeof err), -1);
		assert_true(err[0] != '\0');
	}
	assert_int_equal(alertmanager_parse_alerts("[]", &rows, NULL, &n, err,
	    sizeof err), 0);
	assert_int_equal(n, 0);
	free(rows);
}

/* The key labels are never cut: one that does not fit is left out. */
static void
test_key_labels_fit(void **state)
{
	char		 body[1024], long_pod[200];
	struct alert	*rows;
	char		 err[200];
	int		 n;

	memset(long_pod, 'p', 150);
	long_pod[150] = '\0';
	snprintf(body, sizeof body, "[{\"labels\":{\"alertname\":\"A\","
	    "\"namespace\":\"erp-system\",\"pod\":\"%s\",\"job\":\"kubelet\"}}]",
	    long_pod);
	assert_int_equal(alertmanager_parse_alerts(body, &rows, NULL, &n, err,
	    sizeof err), 0);
	assert_string_equal(rows[0].labels, "namespace=erp-system job=kubelet");
	free(rows);
}

static struct alert
mk(const char *fp, enum alert_state st, const char *name)
{
	struct alert	a;

	memset(&a, 0, sizeof a);
	snprintf(a.fingerprint, sizeof a.fingerprint, "%s", fp);
	snprintf(a.name, sizeof a.name, "%s", name);
	a.state = st;
	return (a);
}

static void
test_dedupe(void **state)
{
	struct alert	rows[6];
	int64_t		upd[6] = { 100, 200, 50, 300, 300, 7 };
	int		n, i, seen = 0;

	rows[0] = mk("aa", ALERT_ACTIVE, "old-a");
	rows[1] = mk("aa", ALERT_ACTIVE, "new-a");
	rows[2] = mk("bb", ALERT_ACTIVE, "only-b");
	rows[3] = mk("cc", ALERT_ACTIVE, "tie-active");
	rows[4] = mk("cc", ALERT_SILENCED, "tie-silenced");
	rows[5] = mk("", ALERT_ACTIVE, "no-fp");
	n = alertmanager_dedupe(rows, upd, 6);
	assert_int_equal(n, 4);
	for (i = 0; i < n; i++) {
		if (strcmp(rows[i].fingerprint, "aa") == 0) {
			assert_string_equal(rows[i].name, "new-a");
			assert_int_equal(upd[i], 200);
			seen++;
		} else if (strcmp(rows[i].fingerprint, "cc") == 0) {
			assert_string_equal(rows[i].name, "tie-silenced");
			seen++;
		} else if (strcmp(rows[i].fingerprint, "bb") == 0 ||
		    rows[i].fingerprint[0] == '\0')
			seen++;
	}
	assert_int_equal(seen, 4);
	assert_int_equal(alertmanager_dedupe(rows, NULL, 1), 1);
}

static void
test_matchers_fit(void **state)
{
	char	m[32] = "";

	assert_int_equal(alert_matcher_add(m, sizeof m, "alertname", "Abc"),
	    0);
	assert_string_equal(m, "alertname=Abc\n");
	/* 14 + "x=0123456789abcdef\n" (19) + NUL does not fit in 32. */
	assert_int_equal(alert_matcher_add(m, sizeof m, "x",
	    "0123456789abcdef"), -1);
	assert_string_equal(m, "alertname=Abc\n");
	assert_int_equal(alert_matcher_add(m, sizeof m, "x", "0123456789a"),
	    0);
	assert_int_equal(strlen(m), 28);
}

static void
test_runbook_names(void **state)
{
	static const char *const cases[][2] = {
		{ "https://runbooks.chiroerp.com/pod-crash-loop",
		  "pod-crash-loop" },
		{ "https://x/runbooks/dr-failover.md", "dr-failover" },
		{ "https://x/runbooks/outbox-backlog.yaml?ref=main",
		  "outbox-backlog" },
		{ "https://x/replica-mismatch/", "replica-mismatch" },
		{ "https://x/a.html#steps", "a" },
		{ "pvc-filling-up", "pvc-filling-up" },
		{ "", "" },
	};
	char	buf[64];
	size_t	i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		alert_runbook_name(cases[i][0], buf, sizeof buf);
		assert_string_equal(buf, cases[i][1]);
	}
}

static void
test_state_names(void **state)
{
	static const struct {
		const char		*name;
		enum circuit_state	 st;
	} ok[] = {
		{ "closed", CIRCUIT_CLOSED }, { "open", CIRCUIT_OPEN },
		{ "half_open", CIRCUIT_HALF_OPEN },
		{ "HALF-OPEN", CIRCUIT_HALF_OPEN },
		{ "forced_open", CIRCUIT_OPEN }, { "disabled", CIRCUIT_CLOSED },
		{ "metrics_only", CIRCUIT_CLOSED }, { "Isolated", CIRCUIT_OPEN },
	};
	enum circuit_state	s;
	size_t			i;

	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		assert_int_equal(prometheus_state_parse(ok[i].name, &s), 0);
		assert_int_equal(s, ok[i].st);
	}
	assert_int_equal(prometheus_state_parse("opened", &s), -1);
	assert_int_equal(prometheus_state_parse(NULL, &s), -1);
}

/* One scrape's increases from a known state: the breaker's cycle. */
static void
test_polly_steps(void **state)
{
	enum circuit_state	C = CIRCUIT_CLOSED, O = CIRCUIT_OPEN;
	enum circuit_state	H = CIRCUIT_HALF_OPEN;

	assert_int_equal(prometheus_polly_step(C, 1, 0, 0), O);
	assert_int_equal(prometheus_polly_step(O, 0, 1, 0), H);
	assert_int_equal(prometheus_polly_step(H, 0, 0, 1), C);
	assert_int_equal(prometheus_polly_step(H, 1, 0, 0), O);
	assert_int_equal(prometheus_polly_step(C, 1, 1, 0), H);	/* O H */
	assert_int_equal(prometheus_polly_step(C, 1, 1, 1), C);	/* O H C */
	assert_int_equal(prometheus_polly_step(C, 2, 1, 0), O);	/* O H O */
	assert_int_equal(prometheus_polly_step(O, 1, 1, 0), O);	/* H O */
	assert_int_equal(prometheus_polly_step(O, 0, 1, 1), C);	/* H C */
	assert_int_equal(prometheus_polly_step(H, 1, 0, 1), O);	/* C O */
	assert_int_equal(prometheus_polly_step(O, 0, 0, 0), O);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_parse_alerts),
		cmocka_unit_test(test_parse_refuses),
		cmocka_unit_test(test_key_labels_fit),
		cmocka_unit_test(test_dedupe),
		cmocka_unit_test(test_matchers_fit),
		cmocka_unit_test(test_runbook_names),
		cmocka_unit_test(test_state_names),
		cmocka_unit_test(test_polly_steps),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
