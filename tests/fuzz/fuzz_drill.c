/* fuzz_drill.c: libFuzzer target for the drill reader (YAML, the model,
 * lint: keys, phases, targets, step lists, the healthy: condition) and,
 * for drills that pass, a scripted run of the measuring state machine
 * over synthetic snapshots; the same bytes are then read as an audit
 * trail by the report reader and rendered as Markdown and JSON.
 *
 *   make fuzz-build && build/fuzz/fuzz_drill \
 *       -dict=tests/fuzz/runbook.dict CORPUS_DIR runbooks/drills/
 *
 * (make fuzz runs it, seeded with runbooks/drills/.)  Every input must
 * parse or fail with diagnostics that say where, and leave nothing
 * allocated. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "drill.h"
#include "drill_report.h"
#include "drill_run.h"
#include "engine.h"
#include "snapshot.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int64_t	fz_now;

static int64_t
fz_clock(void *arg)
{
	(void)arg;
	return (fz_now);
}

static int
fz_record(void *arg, const char *type, const char *incident, cJSON *data,
    struct error *err)
{
	(void)arg;
	(void)err;
	if (type == NULL || incident == NULL || data == NULL)
		abort();
	cJSON_Delete(data);
	return (0);
}

static void
fz_feed(struct drill_run *r, int up)
{
	struct snapshot	*s[SNAP__COUNT];
	int		 k;

	memset(s, 0, sizeof s);
	s[SNAP_REPLICATION] = snapshot_new(SNAP_REPLICATION);
	snprintf(s[SNAP_REPLICATION]->u.repl.role, 16, "%s", up ? "primary" :
	    "down");
	s[SNAP_ALERTS] = snapshot_new(SNAP_ALERTS);
	s[SNAP_CIRCUITS] = snapshot_new(SNAP_CIRCUITS);
	s[SNAP_PODS] = snapshot_new(SNAP_PODS);
	drill_run_snapshots(r, s);
	for (k = 0; k < SNAP__COUNT; k++)
		if (s[k] != NULL)
			snapshot_unref(s[k]);
}

static void
fz_run(const struct drill *d)
{
	struct drill_run_opts	 o;
	struct drill_run	*r;
	struct engine_event	 ev;
	struct error		 err;
	int			 i;

	memset(&o, 0, sizeof o);
	o.drill = d;
	o.incident = "INC-20261122-0001";
	o.record = fz_record;
	o.clock = fz_clock;
	fz_now = 1700000000000LL;
	r = drill_run_new(&o);
	if (drill_run_start(r, &err) != 0)
		abort();
	drill_run_check(r, -1, 0, &err);
	memset(&ev, 0, sizeof ev);
	ev.type = EV_STEP_FINISHED;
	ev.ok = 1;
	ev.incident = o.incident;
	ev.runbook_id = d->inject.runbook.s;
	ev.step_id = d->inject.nsteps > 0 ? d->inject.steps[0].s : "x";
	ev.time_ms = fz_now;
	drill_run_event(r, &ev);
	fz_feed(r, 0);
	for (i = 0; i < d->nphases; i++) {
		fz_now += 60000;
		drill_run_phase_done(r, &err);
	}
	fz_feed(r, 1);
	drill_run_observe(r, "action", "x", "o", "d", "p", &err);
	drill_run_end(r, "fuzz", &err);
	drill_run_free(r);
}

/* The bytes as a trail: the reader and both formats. */
static void
fz_report(const uint8_t *data, size_t size)
{
	struct drill_report	*rep;
	struct error		 err;
	char			 path[] = "/tmp/fuzz-drill-XXXXXX";
	FILE			*null;
	int			 fd;

	if ((fd = mkstemp(path)) < 0)
		return;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		unlink(path);
		return;
	}
	close(fd);
	rep = drill_report_read(path, "INC-20261122-0001", &err);
	unlink(path);
	if (rep == NULL)
		return;
	if ((null = fopen("/dev/null", "w")) != NULL) {
		drill_report_md(rep, null);
		drill_report_json(rep, null);
		fclose(null);
	}
	drill_report_free(rep);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rb_diags	 d;
	struct drill	*dr;
	int		 i;

	rb_diags_init(&d);
	dr = drill_parse((const char *)data, size, "fuzz.yaml", &d);
	for (i = 0; i < d.n; i++)
		if (strcmp(d.v[i].file, "fuzz.yaml") != 0 || d.v[i].line < 1)
			abort();	/* every problem says where */
	if (dr == NULL && d.n == 0)
		abort();
	if (dr != NULL && (dr->nproblems > 0) != (d.n > 0))
		abort();
	if (dr != NULL && dr->nproblems == 0)
		fz_run(dr);
	drill_free(dr);
	rb_diags_free(&d);
	fz_report(data, size);
	return (0);
}
