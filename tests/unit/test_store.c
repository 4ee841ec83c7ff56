/* test_store.c: snapshot store, reference counts, workers and backoff. */
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "snapshot.h"
#include "source.h"
#include "store.h"
#include "util.h"

static int
wake_pending(struct store *s)
{
	struct pollfd	pfd = { store_wake_fd(s), POLLIN, 0 };

	return (poll(&pfd, 1, 0) == 1);
}

static void
test_publish_and_get(void **state)
{
	struct store		*s = store_new();
	struct snapshot		*snap, *got;
	struct source_status	 st;

	assert_null(store_get(s, SNAP_PODS, &st));
	assert_int_equal(st.generation, 0);
	assert_false(wake_pending(s));
	snap = snapshot_new(SNAP_PODS);
	snap->fetched_ms = 1234;
	store_publish(s, "sim", snap);
	assert_true(wake_pending(s));
	store_drain(s);
	assert_false(wake_pending(s));
	got = store_get(s, SNAP_PODS, &st);
	assert_ptr_equal(got, snap);
	assert_int_equal(got->refs, 2);
	assert_true(st.ok);
	assert_string_equal(st.source, "sim");
	assert_int_equal(st.generation, 1);
	assert_int_equal(store_generation(s, SNAP_PODS), 1);
	assert_int_equal(store_generation(s, SNAP_ALERTS), 0);
	snapshot_unref(got);
	store_free(s);
}

static void
test_fail_keeps_last_good(void **state)
{
	struct store		*s = store_new();
	struct snapshot		*snap = snapshot_new(SNAP_OUTBOX), *got;
	struct source_status	 st;

	store_fail(s, SNAP_OUTBOX, "pg", "connection refused", 0);
	got = store_get(s, SNAP_OUTBOX, &st);
	assert_null(got);
	assert_false(st.ok);
	assert_false(st.stale);
	store_publish(s, "pg", snap);
	store_fail(s, SNAP_OUTBOX, "pg", "timeout after 5s", 99);
	got = store_get(s, SNAP_OUTBOX, &st);
	assert_ptr_equal(got, snap);
	assert_false(st.ok);
	assert_true(st.stale);
	assert_string_equal(st.error, "timeout after 5s");
	assert_int_equal(st.next_retry_ms, 99);
	assert_int_equal(st.generation, 3);
	snapshot_unref(got);
	store_free(s);
}

static void
test_replace_drops_old(void **state)
{
	struct store	*s = store_new();
	struct snapshot	*a = snapshot_new(SNAP_CIRCUITS);
	struct snapshot	*b = snapshot_new(SNAP_CIRCUITS);

	snapshot_ref(a);		/* the test's own reference */
	store_publish(s, "x", a);
	assert_int_equal(a->refs, 2);
	store_publish(s, "x", b);
	assert_int_equal(a->refs, 1);	/* the store let go */
	snapshot_unref(a);
	store_free(s);
}

static void
test_backoff(void **state)
{
	unsigned	rng = 42;
	int		n, d, prev_max = 0;

	for (n = 1; n <= 12; n++) {
		d = source_backoff_ms(1000, 60000, n, &rng);
		/* Between half and all of min(interval * 2^(n-1), max). */
		long	cap = 1000L << (n - 1);

		if (cap > 60000)
			cap = 60000;
		assert_true(d >= cap / 2 && d <= cap);
		if (cap > prev_max)
			prev_max = (int)cap;
	}
	assert_int_equal(prev_max, 60000);
}

static void
test_backoff_jitters(void **state)
{
	unsigned	rng = 7;
	int		i, first, differ = 0;

	first = source_backoff_ms(1000, 60000, 5, &rng);
	for (i = 0; i < 20; i++)
		if (source_backoff_ms(1000, 60000, 5, &rng) != first)
			differ = 1;
	assert_true(differ);
}

/* A fake source: fails the first two fetches, then publishes. */
struct fake {
	int	calls;
	int	opens;
	int	closes;
};

static int
fake_open(struct source *src, struct error *err)
{
	((struct fake *)src->priv)->opens++;
	return (0);
}

static int
fake_fetch(struct source *src, struct error *err)
{
	struct fake	*f = src->priv;
	struct snapshot	*snap;

	if (++f->calls <= 2) {
		error_set(err, "refused #%d", f->calls);
		return (-1);
	}
	snap = snapshot_new(SNAP_ALERTS);
	source_publish(src, snap);
	return (0);
}

static void
fake_close(struct source *src)
{
	((struct fake *)src->priv)->closes++;
}

static const struct source_class fake_class = {
	.name = "fake",
	.open = fake_open,
	.fetch = fake_fetch,
	.close = fake_close,
};

static void
test_worker_retries_and_publishes(void **state)
{
	struct store		*s = store_new();
	struct fake		 f = { 0, 0, 0 };
	struct source		*src;
	struct source_status	 st;
	struct snapshot		*snap = NULL;
	int			 i, saw_error = 0;

	src = source_new(&fake_class, "fake", 1u << SNAP_ALERTS, 20, &f);
	src->max_backoff_ms = 40;
	source_start(src, s);
	for (i = 0; i < 200 && snap == NULL; i++) {
		usleep(10000);
		snap = store_get(s, SNAP_ALERTS, &st);
		if (snap == NULL && !st.ok && st.source[0] != '\0') {
			saw_error = 1;
			assert_non_null(strstr(st.error, "refused"));
			assert_true(st.next_retry_ms > 0);
		}
	}
	assert_non_null(snap);
	assert_true(saw_error);
	assert_true(st.ok);
	snapshot_unref(snap);
	assert_int_equal(source_stop(src, 2000), 0);
	/* Reopened after each failure; closed after the last fetch. */
	assert_true(f.opens >= 3);
	assert_int_equal(f.opens, f.closes);
	store_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_publish_and_get),
		cmocka_unit_test(test_fail_keeps_last_good),
		cmocka_unit_test(test_replace_drops_old),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_backoff_jitters),
		cmocka_unit_test(test_worker_retries_and_publishes),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
