/* bench_audit.c: audit trail appends per second, each record fsync'ed
 * (flock, tail re-read, write, fsync; with a key also the key file
 * replaced and its directory fsync'ed), and verify's speed.
 *
 *   bench_audit [N] [DIR]     N records (default 2000) in a new directory
 *                             under DIR (default $TMPDIR, else /var/tmp:
 *                             a real disk, not tmpfs) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "util.h"

static double
bench_append(const char *trail, const char *key, int n)
{
	struct audit_opts	 o;
	struct audit		*a;
	struct error		 err;
	int64_t			 t0;
	int			 i;

	memset(&o, 0, sizeof o);
	o.path = trail;
	o.key_file = key;
	o.incident = "INC-20261122-0001";
	o.no_session = 1;
	if ((a = audit_open(&o, &err)) == NULL) {
		fprintf(stderr, "bench_audit: %s\n", err.msg);
		exit(1);
	}
	t0 = mono_ms();
	for (i = 0; i < n; i++) {
		if (audit_note(a, NULL, "a benchmark note of about the size "
		    "of a step record's text", &err) != 0) {
			fprintf(stderr, "bench_audit: %s\n", err.msg);
			exit(1);
		}
	}
	t0 = mono_ms() - t0;
	audit_close(a);
	return (t0 > 0 ? t0 / 1000.0 : 0.001);
}

static double
bench_verify(const char *trail, const char *key, uint64_t *records)
{
	struct audit_verify_opts	o = { key, NULL, NULL };
	struct audit_verify_result	r;
	struct error			err;
	int64_t				t0 = mono_ms();

	if (audit_verify(trail, &o, &r, &err) != 0 || !r.ok) {
		fprintf(stderr, "bench_audit: verify failed: %s %s\n",
		    err.msg, r.detail);
		exit(1);
	}
	*records = r.records;
	t0 = mono_ms() - t0;
	return (t0 > 0 ? t0 / 1000.0 : 0.001);
}

int
main(int argc, char **argv)
{
	const char	*base = argc > 2 ? argv[2] : getenv("TMPDIR");
	char		 dir[512], trail[600], key[600], orig[600], cmd[1300];
	struct error	 err;
	uint64_t	 recs;
	double		 s;
	int		 n = argc > 1 ? atoi(argv[1]) : 2000;

	snprintf(dir, sizeof dir, "%s/sitrep-bench-audit.XXXXXX",
	    base != NULL ? base : "/var/tmp");
	if (n <= 0 || mkdtemp(dir) == NULL) {
		fprintf(stderr, "usage: bench_audit [N] [DIR]\n");
		return (2);
	}
	snprintf(trail, sizeof trail, "%s/plain.jsonl", dir);
	s = bench_append(trail, NULL, n);
	printf("audit append, fsync each: %d records in %.2f s = %.0f "
	    "records/s\n", n, s, n / s);
	s = bench_verify(trail, NULL, &recs);
	printf("audit verify: %llu records in %.3f s = %.0f records/s\n",
	    (unsigned long long)recs, s, recs / s);
	snprintf(key, sizeof key, "%s/audit.key", dir);
	snprintf(orig, sizeof orig, "%s/original.key", dir);
	snprintf(cmd, sizeof cmd, "cp -p '%s' '%s'", key, orig);
	snprintf(trail, sizeof trail, "%s/keyed.jsonl", dir);
	if (audit_keygen(key, &err) != 0 || system(cmd) != 0) {
		fprintf(stderr, "bench_audit: %s\n", err.msg);
		return (1);
	}
	s = bench_append(trail, key, n);
	printf("audit append, HMAC + key wound on, fsync each: %d records in "
	    "%.2f s = %.0f records/s\n", n, s, n / s);
	s = bench_verify(trail, orig, &recs);
	printf("audit verify --key: %llu records in %.3f s = %.0f "
	    "records/s\n", (unsigned long long)recs, s, recs / s);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return (system(cmd) == 0 ? 0 : 1);
}
