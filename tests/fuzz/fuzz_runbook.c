/* fuzz_runbook.c: libFuzzer target for the runbook reader: YAML, the
 * model, lint (placeholders, conditions, regexes, shells, SQL, URLs), and
 * for runbooks that pass, a dry run of every step.
 *
 *   make fuzz-build && build/fuzz/fuzz_runbook \
 *       -dict=tests/fuzz/runbook.dict CORPUS_DIR runbooks/
 *
 * (make fuzz runs it, seeded with runbooks/.)  Every input must parse or
 * fail with diagnostics that say where, and leave nothing allocated. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "runbook.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
step_cb(void *arg, int step, const struct engine_render *r, const char *err)
{
	int	i;

	(void)arg;
	(void)step;
	if (r == NULL) {
		if (err == NULL)
			abort();
		return;
	}
	for (i = 0; i < r->nlines; i++)
		if (r->lines[i] == NULL)
			abort();
}

static void
dry_run(const struct runbook *rb)
{
	struct engine_opts	 o;
	struct engine		*e;
	struct error		 err;
	int			 i;

	memset(&o, 0, sizeof o);
	o.incident = "INC-20261121-0007";
	o.dry_run = 1;
	if ((e = engine_new(rb, NULL, &o, &err)) == NULL)
		abort();	/* a runbook without problems must load */
	for (i = 0; i < rb->nparams; i++)
		if (rb->params[i].def.s == NULL)
			engine_set_param(e, rb->params[i].name.s, "x-1", &err);
	engine_begin(e, &err);
	engine_dry_run(e, step_cb, NULL);
	engine_current(e);
	engine_free(e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rb_diags	 d;
	struct runbook	*rb;
	int		 i;

	rb_diags_init(&d);
	rb = runbook_parse((const char *)data, size, "fuzz.yaml", &d);
	for (i = 0; i < d.n; i++)
		if (strcmp(d.v[i].file, "fuzz.yaml") != 0 || d.v[i].line < 1)
			abort();	/* every problem says where */
	if (rb == NULL && d.n == 0)
		abort();
	if (rb != NULL && (rb->nproblems > 0) != (d.n > 0))
		abort();
	if (rb != NULL && rb->nproblems == 0)
		dry_run(rb);
	runbook_free(rb);
	rb_diags_free(&d);
	return (0);
}
