/* bench_outbox.c: how long one refresh of the outbox source takes against
 * a real table (tests/bench/bench_outbox.sh makes one with 10 million rows).
 *
 *   bench_outbox CONNINFO PASSFILE SCHEMA TABLE [FETCHES]
 *
 * Opens the source as the worker would, fetches once to warm up (and check
 * the table), then times FETCHES refreshes (default 50) and prints the
 * median, p95 and max, and the figures of the last one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "outbox.h"
#include "snapshot.h"
#include "source.h"
#include "store.h"
#include "util.h"

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

static void
report(struct store *store, double *ms, int n)
{
	struct snapshot		*snap;
	const struct outbox	*o;

	qsort(ms, n, sizeof *ms, cmp_double);
	printf("outbox refresh: %d fetches, median %.2f ms, p95 %.2f ms, "
	    "min %.2f ms, max %.2f ms\n", n, ms[n / 2],
	    ms[(int)(n * 0.95) < n ? (int)(n * 0.95) : n - 1], ms[0],
	    ms[n - 1]);
	snap = store_get(store, SNAP_OUTBOX, NULL);
	if (snap == NULL || snap->u.outbox.n < 1)
		return;
	o = &snap->u.outbox.rows[0];
	printf("figures: pending %lld, oldest %.0f s, failed %lld, "
	    "processed 1m %lld, 5m %lld%s%s\n", (long long)o->pending,
	    o->oldest_age_s, (long long)o->failed,
	    (long long)o->processed_1m, (long long)o->processed_5m,
	    o->error[0] ? ", error: " : "", o->error);
	snapshot_unref(snap);
}

int
main(int argc, char **argv)
{
	struct cfg_postgres	 pg;
	struct cfg_outbox	 ob;
	struct cfg_env		 env;
	struct source		*src;
	struct store		*store;
	struct error		 err;
	double			*ms, t0;
	int			 i, n = argc > 5 ? atoi(argv[5]) : 50;

	if (argc < 5 || n < 1) {
		fprintf(stderr, "usage: bench_outbox CONNINFO PASSFILE SCHEMA "
		    "TABLE [FETCHES]\n");
		return (2);
	}
	memset(&pg, 0, sizeof pg);
	pg.name = (char *)"bench";
	pg.conninfo = argv[1];
	pg.password_file = argv[2];
	pg.connect_timeout_s = 3;
	pg.statement_timeout_ms = 5000;
	memset(&ob, 0, sizeof ob);
	ob.service = (char *)"bench";
	ob.postgres = pg.name;
	ob.schema = argv[3];
	ob.table = argv[4];
	ob.preset = (char *)"outbox-messages";
	ob.cols.id = (char *)"Id";
	ob.cols.occurred = (char *)"OccurredOn";
	ob.cols.processed = (char *)"ProcessedOn";
	ob.cols.error = (char *)"Error";
	ob.cols.type = (char *)"Type";
	memset(&env, 0, sizeof env);
	env.name = (char *)"bench";
	env.refresh_ms = 1000;
	env.pg = &pg;
	env.npg = 1;
	env.outbox = &ob;
	env.noutbox = 1;

	if ((src = outbox_source_new(&env, &err)) == NULL) {
		fprintf(stderr, "bench_outbox: %s\n", err.msg);
		return (1);
	}
	store = store_new();
	src->store = store;
	if (src->cls->open(src, &err) != 0 || src->cls->fetch(src, &err) != 0) {
		fprintf(stderr, "bench_outbox: %s\n", err.msg);
		return (1);
	}
	ms = calloc(n, sizeof *ms);
	for (i = 0; i < n; i++) {
		t0 = now_s();
		if (src->cls->fetch(src, &err) != 0) {
			fprintf(stderr, "bench_outbox: fetch %d: %s\n", i,
			    err.msg);
			return (1);
		}
		ms[i] = (now_s() - t0) * 1000;
	}
	report(store, ms, n);
	src->cls->close(src);
	source_stop(src, 0);
	store_free(store);
	free(ms);
	return (0);
}
