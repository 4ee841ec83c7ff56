/* test_status.c: `sitrep status`'s figures and forms: the tmux line stays
 * under 80 characters with every figure at its widest, failed kinds show
 * as NAME:?, the open incident from an audit trail. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "status.h"
#include "util.h"

static void
all_ok(struct status *st)
{
	int	k;

	memset(st, 0, sizeof *st);
	strlcpy_(st->env, "prod", sizeof st->env);
	st->time_ms = now_ms();
	st->lag_bytes = st->lag_s = -1;
	for (k = 0; k < SNAP__COUNT; k++) {
		st->k[k].state = STATUS_OK;
		strlcpy_(st->k[k].source, "x", sizeof st->k[k].source);
	}
	strlcpy_(st->primary_role, "primary", sizeof st->primary_role);
}

/* Characters without the #[...] colours. */
static int
visible(const char *s)
{
	int	w = 0;

	for (; *s != '\0'; s++) {
		if (s[0] == '#' && s[1] == '[') {
			s = strchr(s, ']');
			assert_non_null(s);
			continue;
		}
		w += ((unsigned char)*s & 0xc0) != 0x80;
	}
	return (w);
}

static void
test_tmux_calm(void **state)
{
	struct status	 st;
	char		*s;

	all_ok(&st);
	st.standbys = 2;
	st.lag_bytes = 12 * 1024 * 1024 + 300 * 1024;
	st.lag_s = 4;
	st.outboxes = 3;
	st.pending = 1234;
	s = status_fmt_tmux(&st, 0);
	assert_string_equal(s, "0 alerts \xc2\xb7 lag 12.3M/4.0s \xc2\xb7 "
	    "outbox 1.2k");
	free(s);
}

static void
test_tmux_widest(void **state)
{
	struct status	 st;
	char		*s;

	all_ok(&st);
	st.crit = st.warn = 999;
	st.standbys = 3;
	st.not_streaming = 2;
	st.lag_bytes = (int64_t)999 << 30;
	st.lag_s = 7 * 3600 + 59 * 60;
	st.outboxes = 9;
	st.pending = 999999;
	st.failed = 1;
	st.open = st.half_open = 99;
	st.crashing = st.not_ready = 999;
	st.redis_down = 9;
	strlcpy_(st.incident, "INC-20261122-0003", sizeof st.incident);
	s = status_fmt_tmux(&st, 1);
	assert_true(visible(s) <= STATUS_LINE_MAX);
	/* The alerts, the lag, the outbox and the incident stay. */
	assert_non_null(strstr(s, "#[fg=red]999 crit#[default]"));
	assert_non_null(strstr(s, "lag "));
	assert_non_null(strstr(s, "outbox "));
	assert_non_null(strstr(s, "INC-20261122-0003"));
	assert_null(strstr(s, "redis"));
	free(s);
}

static void
test_tmux_failed(void **state)
{
	struct status	 st;
	char		*s;

	all_ok(&st);
	st.k[SNAP_ALERTS].state = STATUS_FAILED;
	st.k[SNAP_REPLICATION].state = STATUS_NO_ANSWER;
	st.k[SNAP_PODS].state = STATUS_NONE;
	st.crit = 5;			/* never shown: the kind failed */
	st.outboxes = 1;
	s = status_fmt_tmux(&st, 0);
	assert_string_equal(s, "alerts:? \xc2\xb7 lag:? \xc2\xb7 outbox 0");
	free(s);
}

static void
test_tmux_primary_down(void **state)
{
	struct status	 st;
	char		*s;

	all_ok(&st);
	strlcpy_(st.primary_role, "down", sizeof st.primary_role);
	st.crit = 1;
	st.open = 2;
	s = status_fmt_tmux(&st, 1);
	assert_string_equal(s, "#[fg=red]1 crit#[default] \xc2\xb7 "
	    "#[fg=red]PRIMARY DOWN#[default] \xc2\xb7 #[fg=red]2 open#[default]");
	free(s);
}

static void
test_json_failed(void **state)
{
	struct status	 st;
	char		*s;

	all_ok(&st);
	st.k[SNAP_OUTBOX].state = STATUS_FAILED;
	strlcpy_(st.k[SNAP_OUTBOX].error, "pg: refused",
	    sizeof st.k[0].error);
	st.k[SNAP_PODS].state = STATUS_NONE;
	s = status_fmt_json(&st);
	assert_non_null(strstr(s, "\"outbox\":{\"ok\":false,\"source\":\"x\","
	    "\"error\":\"pg: refused\"}"));
	assert_non_null(strstr(s, "\"pods\":null"));
	assert_non_null(strstr(s, "\"stale\":[\"outbox\"]"));
	free(s);
}

static void
trail_line(FILE *f, const char *type, const char *inc, const char *env,
    int64_t ms)
{
	char	when[32];
	time_t	t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
	fprintf(f, "{\"v\":1,\"seq\":1,\"time\":\"%s\",\"type\":\"%s\","
	    "\"incident\":\"%s\",\"env\":\"%s\"}\n", when, type, inc, env);
}

static void
test_incident(void **state)
{
	char		 path[] = "/tmp/test_status.XXXXXX";
	struct status	 st;
	int64_t		 now = now_ms();
	FILE		*f;
	int		 fd;

	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	trail_line(f, "incident_opened", "INC-20261122-0001", "prod", now);
	trail_line(f, "step_shown", "INC-20261122-0002", "prod", now);
	trail_line(f, "incident_opened", "INC-20261122-0007", "stage", now);
	fflush(f);
	all_ok(&st);
	status_incident(path, "prod", now, &st);
	assert_string_equal(st.incident, "INC-20261122-0002");
	trail_line(f, "incident_closed", "INC-20261122-0002", "prod", now);
	fflush(f);
	all_ok(&st);
	status_incident(path, "prod", now, &st);
	assert_string_equal(st.incident, "");
	all_ok(&st);
	status_incident(path, "prod", now + 2 * STATUS_INCIDENT_MAX_AGE_MS,
	    &st);
	assert_string_equal(st.incident, "");
	all_ok(&st);
	status_incident("/nonexistent/trail", "prod", now, &st);
	assert_string_equal(st.incident, "");
	fclose(f);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tmux_calm),
		cmocka_unit_test(test_tmux_widest),
		cmocka_unit_test(test_tmux_failed),
		cmocka_unit_test(test_tmux_primary_down),
		cmocka_unit_test(test_json_failed),
		cmocka_unit_test(test_incident),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
