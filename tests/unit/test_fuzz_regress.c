/* test_fuzz_regress.c: every input the fuzzers found a bug with
 * (tests/fuzz/regress/TARGET/, docs/reliability.md "Fuzzing"), fed to its
 * parser again through the target's own harness, which aborts when a
 * promise is broken.  A sanitizer build (make test SANITIZE=...) or
 * tests/e2e/fuzz_smoke.sh (the libFuzzer binaries) also catches what only
 * a sanitizer sees; the cases below check what the fixes made of each
 * input as well.
 *
 * The harness of fuzz_prometheus answers the source's requests itself:
 * this binary is linked with -Wl,--wrap=http_target_request (mk/fuzz.mk). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LLVMFuzzerTestOneInput	fuzz_prometheus_one
#include "../fuzz/fuzz_prometheus.c"
#undef LLVMFuzzerTestOneInput

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
replay(const char *target, int (*fn)(const uint8_t *, size_t))
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
		fn((const uint8_t *)buf, len);
		free(buf);
		n++;
	}
	closedir(d);
	return (n);
}

/* The circuits of one input, read as the harness reads them. */
static struct snapshot *
circuits_of(const char *file)
{
	struct store	*st = store_new();
	struct source	*src;
	struct snapshot	*snap;
	struct error	 err;
	char		 path[256], *buf;
	size_t		 len;

	snprintf(path, sizeof path, REGRESS "fuzz_prometheus/%s", file);
	buf = slurp(path, &len);
	fuzz_prometheus_one((const uint8_t *)buf, len);	/* the answers */
	fz.next = 0;
	src = prometheus_source_new(config_env(fz_cfg[buf[0] % FZ_NCONFIGS],
	    NULL, &err), &err);
	assert_non_null(src);
	src->store = st;
	assert_int_equal(src->cls->fetch(src, &err), 0);
	snap = store_get(st, SNAP_CIRCUITS, NULL);
	source_stop(src, 0);
	store_free(st);
	free(buf);
	return (snap);
}

static void
test_prometheus(void **state)
{
	struct snapshot	*s;

	(void)state;
	assert_true(replay("fuzz_prometheus", fuzz_prometheus_one) > 0);

	/* A Polly series that never grows (qsort of no events, UBSan):
	 * the circuit is known, closed, since unknown. */
	s = circuits_of("polly-no-increase");
	assert_non_null(s);
	assert_int_equal(s->u.circuits.n, 1);
	assert_string_equal(s->u.circuits.rows[0].service, "-");
	assert_string_equal(s->u.circuits.rows[0].dependency, "b");
	assert_int_equal(s->u.circuits.rows[0].state, CIRCUIT_CLOSED);
	assert_int_equal(s->u.circuits.rows[0].since_ms, 0);
	snapshot_unref(s);

	/* Samples 292 million years apart (int64 overflow in the scrape
	 * step, UBSan): times that are no epoch are malformed samples. */
	s = circuits_of("polly-far-timestamps");
	assert_non_null(s);
	assert_int_equal(s->u.circuits.n, 1);
	assert_int_equal(s->u.circuits.rows[0].state, CIRCUIT_CLOSED);
	assert_int_equal(s->u.circuits.rows[0].since_ms, 0);
	snapshot_unref(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prometheus),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
