/* test_fuzz_regress.c: every input the fuzzers found a bug with
 * (tests/fuzz/regress/TARGET/, docs/reliability.md "Fuzzing") fed to its
 * parser again, as the fuzz target feeds it, and what the fix makes of
 * it.  What only a sanitizer sees is caught by a sanitizer build (make
 * test SANITIZE=address,undefined) and by tests/e2e/fuzz_smoke.sh, which
 * replays the same files through the libFuzzer binaries.
 *
 * The circuits source reads its answers from the input
 * (tests/fuzz/fuzz_prometheus.h): this binary is linked with
 * -Wl,--wrap=http_target_request (mk/fuzz.mk). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../fuzz/fuzz_prometheus.h"
#include "audit.h"

#define REGRESS	"tests/fuzz/regress/"

static char *
slurp(const char *path, size_t *len)
{
	FILE	*fp;
	char	*buf;
	long	 n;

	if ((fp = fopen(path, "rb")) == NULL)
		fail_msg("%s: cannot open (run from the repository root)", path);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	buf[n] = '\0';
	*len = (size_t)n;
	return (buf);
}

/* Feed every file of REGRESS/target/ to fn; the number fed. */
static int
replay(const char *target, void (*fn)(const char *, const uint8_t *,
    size_t))
{
	DIR		*d;
	struct dirent	*e;
	char		 path[512], *buf;
	size_t		 len;
	int		 n = 0;

	snprintf(path, sizeof path, REGRESS "%s", target);
	if ((d = opendir(path)) == NULL)
		fail_msg("%s: cannot open (run from the repository root)", path);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, REGRESS "%s/%s", target, e->d_name);
		print_message("# %s\n", path);
		buf = slurp(path, &len);
		fn(e->d_name, (const uint8_t *)buf, len);
		free(buf);
		n++;
	}
	closedir(d);
	return (n);
}

/* The circuits of one input after two fetches, as fuzz_prometheus reads
 * them (a new reference), or NULL when both failed. */
static struct snapshot *
circuits_of(const uint8_t *data, size_t size)
{
	struct store	*st = store_new();
	struct source	*src;
	struct snapshot	*snap;
	struct error	 err;
	int		 f;

	assert_true(size >= 1);
	src = fz_source(data, size, st);
	for (f = 0; f < 2; f++) {
		memset(&err, 0, sizeof err);
		if (src->cls->fetch(src, &err) != 0)
			assert_true(err.msg[0] != '\0');
	}
	snap = store_get(st, SNAP_CIRCUITS, NULL);
	source_stop(src, 0);
	store_free(st);
	return (snap);
}

/* Every regression input of fuzz_prometheus: rows sorted, strings ended,
 * and what the fixes made of each. */
static void
prometheus_one(const char *name, const uint8_t *data, size_t size)
{
	struct snapshot		*s = circuits_of(data, size);
	const struct circuit	*c;
	int			 i;

	if (s == NULL)
		return;
	for (i = 0; i < s->u.circuits.n; i++) {
		c = &s->u.circuits.rows[i];
		assert_non_null(memchr(c->service, '\0', sizeof c->service));
		assert_non_null(memchr(c->dependency, '\0',
		    sizeof c->dependency));
		if (i > 0)
			assert_true(strcmp(c[-1].service, c->service) < 0 ||
			    (strcmp(c[-1].service, c->service) == 0 &&
			    strcmp(c[-1].dependency, c->dependency) < 0));
	}
	/* A Polly series that never grows (qsort of no events, UBSan), and
	 * samples 292 million years apart (int64 overflow in the scrape
	 * step, UBSan; such times are now malformed samples): the circuit
	 * is listed, closed, since unknown. */
	if (strcmp(name, "polly-no-increase") == 0 ||
	    strcmp(name, "polly-far-timestamps") == 0) {
		assert_int_equal(s->u.circuits.n, 1);
		assert_string_equal(s->u.circuits.rows[0].service, "-");
		assert_string_equal(s->u.circuits.rows[0].dependency, "b");
		assert_int_equal(s->u.circuits.rows[0].state, CIRCUIT_CLOSED);
		assert_int_equal(s->u.circuits.rows[0].since_ms, 0);
	}
	/* One dependency named twice with a name longer than a row keeps
	 * (two rows, the same circuit, unsorted): one row, the worst state. */
	if (strcmp(name, "long-dependency-twice") == 0) {
		assert_int_equal(s->u.circuits.n, 1);
		assert_int_equal(strlen(s->u.circuits.rows[0].dependency),
		    sizeof s->u.circuits.rows[0].dependency - 1);
		assert_int_equal(s->u.circuits.rows[0].state, CIRCUIT_OPEN);
	}
	snapshot_unref(s);
}

static void
test_prometheus(void **state)
{
	(void)state;
	assert_true(replay("fuzz_prometheus", prometheus_one) >= 3);
}

/* Every regression input of fuzz_audit, line by line into the run builder
 * (as fuzz_audit and a follower feed it).  A pid of 2.7e62 and a step
 * index of 1e300 (a double cast to an integer out of range, UBSan, found
 * by CI's short fuzz run): the run is built, with no pid and the step
 * kept apart under index -1. */
static void
audit_one(const char *name, const uint8_t *data, size_t size)
{
	struct audit_runs	*rs = audit_runs_new();
	struct audit_run	*runs;
	const char		*p = (const char *)data, *end = p + size, *nl;
	int			 n, i, odd = 0;

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		audit_runs_feed(rs, p, (size_t)(nl - p));
	}
	assert_int_equal(audit_runs_list(rs, &runs, &n), 0);
	if (strcmp(name, "huge-numbers") == 0) {
		assert_int_equal(n, 1);
		assert_string_equal(runs[0].runbook_id, "pg-failover");
		assert_int_equal(runs[0].pid, 0);
		for (i = 0; i < runs[0].nsteps; i++)
			odd += runs[0].steps[i].index == -1;
		assert_int_equal(odd, 1);
	}
	audit_runs_free(runs, n);
	audit_runs_release(rs);
}

static void
test_audit(void **state)
{
	(void)state;
	assert_true(replay("fuzz_audit", audit_one) >= 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prometheus),
		cmocka_unit_test(test_audit),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
