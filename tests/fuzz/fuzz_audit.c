/* fuzz_audit.c: libFuzzer target for the readers of the audit trail
 * (audit_int.h, audit.h): each line as a record (arec_parse, the canonical
 * form), as a human line (audit_format) and into the run builder (runs,
 * their JSON); then the bytes as a trail file for the tail search of the
 * writer (afile_tail), verification (plain, and with a key when a line
 * says hmac-sha256), `audit tail`, unfinished runs, the trail's identity
 * and the incident export (md, json).
 *
 *   make fuzz-build && build/fuzz/fuzz_audit -dict=tests/fuzz/audit.dict \
 *       CORPUS_DIR
 *
 * The committed seeds were written by audit.c (plain, keyed with the key
 * below, a finished run).  Every input is read or refused with a reason,
 * leaves nothing allocated, and keeps the readers' promises (below). */
#include <sys/stat.h>

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "audit_int.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FZ_INCIDENT	"INC-20261122-0001"
/* The original key of the keyed seed. */
#define FZ_KEY		"sitrep-audit-key-v1 0 000102030405060708090a0b0c0d" \
			"0e0f101112131415161718191a1b1c1d1e1f\n"

static char	fz_dir[] = "/tmp/fuzz-audit-XXXXXX";
static char	fz_trail[64], fz_key[64];

static void
fz_cleanup(void)
{
	unlink(fz_trail);
	unlink(fz_key);
	rmdir(fz_dir);
}

static void
fz_init(void)
{
	FILE	*fp;

	if (mkdtemp(fz_dir) == NULL)
		abort();
	snprintf(fz_trail, sizeof fz_trail, "%s/audit.jsonl", fz_dir);
	snprintf(fz_key, sizeof fz_key, "%s/key", fz_dir);
	if ((fp = fopen(fz_key, "w")) == NULL)
		abort();
	fputs(FZ_KEY, fp);
	fclose(fp);
	chmod(fz_key, 0600);
	atexit(fz_cleanup);
}

/* One line (NUL-terminated copy, len bytes) as the readers see it. */
static void
fz_line(struct audit_runs *rs, const char *line, size_t len)
{
	struct arec	 r;
	char		 why[128], *s;

	why[0] = '\0';
	if (arec_parse(line, len, &r, why, sizeof why) == 0) {
		if (r.root == NULL || r.type == NULL || r.seq < 1 ||
		    !arec_is_hex64(r.prev) || !arec_is_hex64(r.hash) ||
		    r.canon_len >= len)
			abort();
		(void)arec_is_canonical(&r, line);
		arec_free(&r);
	} else if (why[0] == '\0' || r.root != NULL)
		abort();		/* refused, with a reason */
	if ((s = audit_format(line)) == NULL || strchr(s, '\n') != NULL)
		abort();		/* one line, control characters escaped */
	free(s);
	audit_runs_feed(rs, line, len);
}

static void
fz_runs(const struct audit_run *runs, int n)
{
	cJSON	*j;
	int	 i;

	for (i = 0; i < n; i++) {
		if (runs[i].incident == NULL || runs[i].runbook_id == NULL ||
		    runs[i].nsteps < 0 || runs[i].nunknown > runs[i].nsteps)
			abort();
		if ((j = audit_run_json(&runs[i])) == NULL)
			abort();
		cJSON_Delete(j);
	}
}

static void
fz_verify(const char *key)
{
	struct audit_verify_opts	o;
	struct audit_verify_result	res;
	struct error			err;

	memset(&o, 0, sizeof o);
	o.key_file = key;
	if (audit_verify(fz_trail, &o, &res, &err) != 0)
		abort();		/* the file is there: it can be read */
	if (res.ok != (res.what[0] == '\0') || res.ok != (res.bad_line == 0))
		abort();		/* intact, or says what and where */
	if (memchr(res.detail, '\0', sizeof res.detail) == NULL ||
	    memchr(res.warning, '\0', sizeof res.warning) == NULL)
		abort();
}

static void
fz_file(const uint8_t *data, size_t size)
{
	struct audit_run	*runs;
	struct atail		 t;
	struct error		 err;
	FILE			*fp, *null;
	char			**lines, id[65];
	int			 fd, n, i;

	if ((fp = fopen(fz_trail, "w")) == NULL)
		return;
	if (fwrite(data, 1, size, fp) != size) {
		fclose(fp);
		return;
	}
	fclose(fp);

	if ((fd = open(fz_trail, O_RDONLY)) != -1) {
		if (afile_tail(fd, &t, &err) == 0 && (t.good_end > t.size ||
		    !arec_is_hex64(t.hash)))
			abort();
		close(fd);
	}
	fz_verify(NULL);
	if (memmem(data, size, AUDIT_ALG_HMAC, strlen(AUDIT_ALG_HMAC)) != NULL)
		fz_verify(fz_key);
	if (audit_tail(fz_trail, 5, &lines, &n, &err) != 0 || n < 0 || n > 5)
		abort();
	for (i = 0; i < n; i++)
		if (lines[i] == NULL || strchr(lines[i], '\n') != NULL)
			abort();
	audit_lines_free(lines, n);
	if (audit_unfinished(fz_trail, &runs, &n) == 0) {
		fz_runs(runs, n);
		audit_runs_free(runs, n);
	}
	(void)aread_trail_id(fz_trail, id);
	if ((null = fopen("/dev/null", "w")) != NULL) {
		(void)audit_export(fz_trail, FZ_INCIDENT, "md", null, &err);
		(void)audit_export(fz_trail, FZ_INCIDENT, "json", null, &err);
		fclose(null);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct audit_runs	*rs;
	struct audit_run	*runs;
	const uint8_t		*p, *nl, *end = data + size;
	char			*line;
	size_t			 len;
	int			 n;

	if (fz_trail[0] == '\0')
		fz_init();
	rs = audit_runs_new();
	for (p = data; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		len = (size_t)(nl - p);
		line = malloc(len + 1);
		memcpy(line, p, len);
		line[len] = '\0';
		fz_line(rs, line, len);
		free(line);
	}
	if (audit_runs_list(rs, &runs, &n) != 0)
		abort();
	fz_runs(runs, n);
	audit_runs_free(runs, n);
	audit_runs_release(rs);

	fz_file(data, size);
	return (0);
}
