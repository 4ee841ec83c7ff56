/* runbook_run.c: one run of a runbook in the console.  The parameters
 * (pre-filled from the alert's labels and the defaults, validated on a
 * scratch engine before the real one exists, so that nothing is recorded
 * for a form that is cancelled), then the operator's keys on the steps:
 * y confirms and runs an action (danger: high asks for the target's name
 * first), Enter runs a check or starts a wait, s skips with a reason, C-c
 * cancels.  Esc only ever leaves the view. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "keys.h"
#include "pager.h"
#include "runbook_view.h"
#include "util.h"
#include "xmalloc.h"

#define SCRATCH_INCIDENT	"INC-00000000-0000"

static const struct panel_host *
run_host(const struct run *r)
{
	return (r->hub->o.host);
}

void
runbook_run_say(struct run *r, int error, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof r->msg, fmt, ap);
	va_end(ap);
	r->msg_error = error;
	if (!runbooks_showing(r->hub) || r->hub->shown != r)
		runbooks_say(r->hub, error, "%s", r->msg);
}

/* An engine that records nothing: no subscribers, dry-run. */
static struct engine *
run_scratch(const struct run *r, struct error *err)
{
	struct engine_opts	 o;
	struct engine		*e;

	memset(&o, 0, sizeof o);
	o.incident = SCRATCH_INCIDENT;
	o.env_name = r->hub->o.env;
	o.production = r->hub->o.production;
	o.dry_run = 1;
	if ((e = engine_new(r->rb, NULL, &o, err)) != NULL)
		engine_prefill(e, (const char *const *)r->labels, r->nlabels);
	return (e);
}

/* The form's first values: from the alert's labels, else the default;
 * secrets start empty. */
static void
run_prefill(struct run *r)
{
	struct engine	*e = run_scratch(r, NULL);
	const char	*v;
	int		 i;

	r->nform = r->rb->nparams < DIALOG_MAX_FIELDS ? r->rb->nparams :
	    DIALOG_MAX_FIELDS;
	for (i = 0; i < r->nform; i++) {
		const struct rb_param	*p = &r->rb->params[i];

		v = NULL;
		if (!p->secret && e != NULL)
			v = engine_value_display(e, p->name.s);
		if (v == NULL && !p->secret)
			v = p->def.s;
		r->form[i] = xstrdup(v != NULL ? v : "");
	}
	engine_free(e);
}

struct run *
runbook_run_new(struct runbooks *hub, const struct runbook *rb,
    const struct alert *a)
{
	struct run	*r = xcalloc(1, sizeof *r);

	r->hub = hub;
	r->rb = rb;
	r->cur = -1;
	r->last = -1;
	r->follow = 1;
	r->out_top = -1;
	if (a != NULL) {
		runbook_alert_key(a, r->alert_key, sizeof r->alert_key);
		strlcpy_(r->alert_name, a->name, sizeof r->alert_name);
		r->nlabels = runbook_alert_labels(a, &r->labels);
	}
	run_prefill(r);
	return (r);
}

void
runbook_run_free(struct run *r)
{
	int	i;

	if (r == NULL)
		return;
	engine_free(r->e);
	cJSON_Delete(r->resume);
	free(r->unknown);
	free(r->skip_later);
	free(r->approval_typed);
	runbook_labels_free(r->titles, r->titles ? r->rb->nsteps : 0);
	runbook_labels_free(r->labels, r->nlabels);
	for (i = 0; i < r->nform; i++)
		free(r->form[i]);
	free(r);
}

/* Beginning -------------------------------------------------------------- */

/* Whether the form's value i is what the engine has or will take anyway
 * (the alert's label, the default): then it is not set again. */
static int
run_param_given(struct engine *e, const struct rb_param *p, const char *v)
{
	const char	*has = engine_value_display(e, p->name.s);

	if (has != NULL)
		return (!p->secret && strcmp(has, v) == 0);
	return (p->def.s != NULL && strcmp(p->def.s, v) == 0);
}

/* Set the form's values on e; 0, or -1 with err and the field. */
static int
run_set_params(struct run *r, struct engine *e, int *field,
    struct error *err)
{
	struct error	why;
	int		i;

	for (i = 0; i < r->nform; i++) {
		const struct rb_param	*p = &r->rb->params[i];

		*field = i;
		if (r->form[i][0] == '\0' || run_param_given(e, p, r->form[i]))
			continue;
		if (engine_set_param(e, p->name.s, r->form[i], &why) != 0) {
			error_set(err, "%s: %s", p->name.s, why.msg);
			return (-1);
		}
	}
	return (0);
}

/* The field a "parameter X is required" error is about. */
static int
run_field_of(const struct run *r, const char *msg)
{
	int	i;

	for (i = 0; i < r->nform; i++)
		if (strstr(msg, r->rb->params[i].name.s) != NULL)
			return (i);
	return (0);
}

/* Check the form on a scratch engine: 0, or -1 with err and the field. */
static int
run_check(struct run *r, int *field, struct error *err)
{
	struct engine	*e;
	int		 rc;

	*field = 0;
	if ((e = run_scratch(r, err)) == NULL)
		return (-1);
	rc = run_set_params(r, e, field, err);
	if (rc == 0 && (rc = engine_begin(e, err)) != 0)
		*field = run_field_of(r, err->msg);
	engine_free(e);
	return (rc);
}

static void	run_dry_listing(struct run *);

int
runbook_run_begin(struct run *r, int *field, struct error *err)
{
	const struct runbooks_opts	*ho = &r->hub->o;
	struct engine_opts		 o;
	struct engine			*e;

	if (run_check(r, field, err) != 0)
		return (-1);
	memset(&o, 0, sizeof o);
	o.incident = r->resume_inc[0] != '\0' ? r->resume_inc :
	    runbooks_incident_take(r->hub);
	o.env_name = ho->env;
	o.production = ho->production;
	o.read_only = ho->read_only;
	o.dry_run = ho->dry_run;
	o.operator = run_host(r)->operator;
	if ((e = engine_new(r->rb, run_host(r)->actions, &o, err)) == NULL)
		return (-1);
	if (ho->audit_fn != NULL)
		engine_subscribe(e, ho->audit_fn, ho->audit_arg);
	if (ho->observe_fn != NULL)
		engine_subscribe(e, ho->observe_fn, ho->observe_arg);
	engine_prefill(e, (const char *const *)r->labels, r->nlabels);
	if (run_set_params(r, e, field, err) != 0 ||
	    engine_begin(e, err) != 0) {
		engine_free(e);
		return (-1);
	}
	r->e = e;
	if (r->resume != NULL)
		runbook_resume_apply(r);
	runbook_run_sync(r);
	if (ho->dry_run)
		run_dry_listing(r);
	return (0);
}

/* The parameters form when there are parameters, else the first step. */
void
runbook_run_open(struct run *r)
{
	struct error	err;
	int		field;

	if (r->e != NULL)
		return;
	if (r->nform > 0) {
		runbook_form_params(r, NULL, 0);
		return;
	}
	if (runbook_run_begin(r, &field, &err) != 0) {
		runbooks_say(r->hub, 1, "%s", err.msg);
		runbooks_drop(r->hub, r);
	}
}

/* The state -------------------------------------------------------------- */

void
runbook_run_sync(struct run *r)
{
	if (r->e == NULL)
		return;
	r->cur = engine_current(r->e);
	if (r->follow && r->cur >= 0 && r->view != r->cur) {
		r->view = r->cur;
		r->out_top = -1;
	}
}

int
runbook_run_poll(struct run *r)
{
	char	*reason;
	int	 old = r->cur, changed;

	if (r->e == NULL)
		return (0);
	changed = engine_poll(r->e);
	changed |= runbook_approval_poll(r);
	if (r->skip_later != NULL && r->cur >= 0) {
		reason = r->skip_later;
		r->skip_later = NULL;
		runbook_run_skip(r, r->cur, reason);
		free(reason);
	}
	runbook_run_sync(r);
	if (old != r->cur)
		r->msg[0] = '\0';	/* "step 3 started" is over */
	return (changed || old != r->cur);
}

int
runbook_run_busy(const struct run *r)
{
	int	i;

	for (i = 0; r->e != NULL && i < r->rb->nsteps; i++)
		if (engine_step_state(r->e, i) == STEP_RUNNING)
			return (i);
	return (-1);
}

int
runbook_run_over(const struct run *r)
{
	return (r->e != NULL && engine_done(r->e) && runbook_run_busy(r) < 0);
}

void
runbook_run_params(const struct run *r, char *buf, size_t len)
{
	const char	*v;
	size_t		 off = 0;
	int		 i;

	buf[0] = '\0';
	for (i = 0; i < r->rb->nparams && off + 1 < len; i++) {
		const struct rb_param	*p = &r->rb->params[i];

		if (r->e != NULL)
			v = engine_value_display(r->e, p->name.s);
		else
			v = i < r->nform && !p->secret ? r->form[i] : NULL;
		off += (size_t)snprintf(buf + off, len - off, "%s%s=%s",
		    off ? "  " : "", p->name.s, v != NULL ? v : "?");
	}
}

/* The operator ----------------------------------------------------------- */

static const struct rb_step *
run_step(const struct run *r, int i)
{
	return (&r->rb->steps[i]);
}

/* Whether step i may be acted on now (it is the current step); says why
 * not. */
static int
run_here(struct run *r, int i)
{
	if (r->cur < 0) {
		runbook_run_say(r, 0, "the run is over: every step is done or "
		    "skipped");
		return (0);
	}
	if (i != r->cur) {
		runbook_run_say(r, 1, "step %d is not the current step (%d): "
		    ". goes back to it", i + 1, r->cur + 1);
		return (0);
	}
	return (1);
}

static void
run_start(struct run *r, int i)
{
	struct error	err;
	char		why[256];

	if (runbook_approval_may_drive(r, why, sizeof why) != 0) {
		runbook_run_say(r, 1, "%s", why);
		return;
	}
	r->last = i;
	if (engine_start(r->e, i, &err) != 0)
		runbook_run_say(r, 1, "%s", err.msg);	/* else the card says */
	r->out_top = -1;
	runbook_run_sync(r);
}

void
runbook_run_go(struct run *r, int i, const char *typed, const char *approver)
{
	struct error	err;
	char		why[256];

	if (runbook_approval_may_drive(r, why, sizeof why) != 0) {
		runbook_run_say(r, 1, "%s", why);
		return;
	}
	if (engine_confirm(r->e, i, typed, approver, &err) != 0) {
		runbook_run_say(r, 1, "%s", err.msg);
		return;
	}
	run_start(r, i);
}

void
runbook_run_skip(struct run *r, int i, const char *reason)
{
	struct error	err;

	free(r->skip_later);
	r->skip_later = NULL;
	if (engine_skip(r->e, i, reason, &err) == 0)
		runbook_run_say(r, 0, "step %d skipped: %s", i + 1, reason);
	else if (engine_step_state(r->e, i) == STEP_CANCELLED) {
		/* Its processes are still being stopped. */
		r->skip_later = xstrdup(reason);
		runbook_run_say(r, 0, "step %d is skipped once it has stopped",
		    i + 1);
	} else
		runbook_run_say(r, 1, "%s", err.msg);
	runbook_run_sync(r);
}

/* y: confirm an action or notify step (danger: high and two-person ask
 * in a dialog first); a manual step is done. */
static void
run_yes(struct run *r, int i)
{
	const struct rb_step	*s = run_step(r, i);
	struct engine_render	 rd;
	struct error		 err;

	if (s->kind == RB_STEP_MANUAL) {
		if (engine_manual_done(r->e, i, &err) != 0)
			runbook_run_say(r, 1, "%s", err.msg);
		else
			runbook_run_say(r, 0, "step %d done", i + 1);
		runbook_run_sync(r);
		return;
	}
	if (s->kind != RB_STEP_ACTION && s->kind != RB_STEP_NOTIFY) {
		runbook_run_say(r, 0, "y confirms actions: %s", s->kind ==
		    RB_STEP_CHOICE ? "1-9 choose an option" : "Enter runs it");
		return;
	}
	if (r->approval[0] != '\0') {
		runbook_run_say(r, 0, "approval %s is pending (c withdraws it)",
		    r->approval);
		return;
	}
	if (r->hub->o.read_only || !(s->danger_high || s->two_person)) {
		runbook_run_go(r, i, NULL, NULL);
		return;
	}
	if (engine_render(r->e, i, &rd, &err) != 0) {
		runbook_run_say(r, 1, "%s", err.msg);
		return;
	}
	runbook_form_confirm(r, i, &rd);
	engine_render_free(&rd);
}

/* Enter: run a check (a past one again) or start a wait. */
static void
run_enter(struct run *r, int i)
{
	const struct rb_step	*s = run_step(r, i);

	switch (s->kind) {
	case RB_STEP_CHECK:
		if (r->cur < 0 || i < r->cur || run_here(r, i))
			run_start(r, i);
		return;
	case RB_STEP_WAIT:
		if (run_here(r, i))
			run_start(r, i);
		return;
	case RB_STEP_ACTION:
	case RB_STEP_NOTIFY:
		runbook_run_say(r, 0, "y confirms and runs this %s: read "
		    "what it does first", rb_step_kind_name(s->kind));
		return;
	case RB_STEP_MANUAL:
		runbook_run_say(r, 0, "y when it is done, s to skip it");
		return;
	case RB_STEP_CHOICE:
		runbook_run_say(r, 0, "1-%d choose an option", s->noptions);
		return;
	}
}

static void
run_choose(struct run *r, int i, int option)
{
	struct error	err;

	if (run_step(r, i)->kind != RB_STEP_CHOICE) {
		runbook_run_say(r, 0, "not a choice step");
		return;
	}
	if (engine_choose(r->e, i, option, &err) != 0)
		runbook_run_say(r, 1, "%s", err.msg);
	else
		runbook_run_say(r, 0, "chose %d: %s", option + 1,
		    run_step(r, i)->options[option].label.s);
	runbook_run_sync(r);
}

static void
run_cancel(struct run *r)
{
	int	i = engine_step_state(r->e, r->view) == STEP_RUNNING ? r->view :
		    runbook_run_busy(r);

	if (i < 0) {
		runbook_run_say(r, 0, "nothing is running (C-c cancels a "
		    "running step)");
		return;
	}
	engine_cancel(r->e, i);
	runbook_run_say(r, 0, "step %d cancelled", i + 1);
	runbook_run_sync(r);
}

static void
run_preview(struct run *r, int i)
{
	struct engine_render	rd;
	struct error		err;
	int			ok;

	if (engine_render(r->e, i, &rd, &err) != 0) {
		runbook_run_say(r, 1, "%s", err.msg);
		return;
	}
	ok = rd.dry_run_ok;
	if (!ok)
		runbook_run_say(r, 0, "%s has no dry-run preview (k8s and sql "
		    "do)", rd.action_kind[0] ? rd.action_kind : "this step");
	engine_render_free(&rd);
	if (!ok)
		return;
	if (engine_preview(r->e, i, &err) != 0)
		runbook_run_say(r, 1, "%s", err.msg);
	else
		runbook_run_say(r, 0, "preview of step %d running (dry_run=1)",
		    i + 1);
	r->out_top = -1;
}

/* D: every step rendered with the values set now, in a pager. */
struct dry_listing {
	struct pager		*pg;
	const struct run	*r;
};

static void
run_dry_step(void *arg, int i, const struct engine_render *rd,
    const char *err)
{
	struct pager		*pg = ((struct dry_listing *)arg)->pg;
	const struct rb_step	*s = run_step(((struct dry_listing *)arg)->r,
				    i);
	int			 k;

	pager_addf(pg, ROLE_TITLE, "%2d. %-7s %s: %s%s%s", i + 1,
	    rb_step_kind_name(s->kind), s->id.s, rd && rd->title ? rd->title :
	    "", s->danger_high ? "  [danger: high]" : "", s->when.s ?
	    "  [when]" : "");
	if (s->when.s != NULL)
		pager_addf(pg, ROLE_MUTED, "      when %s", s->when.s);
	if (err != NULL || rd == NULL) {
		pager_addf(pg, ROLE_ERROR, "      ! %s", err ? err : "no render");
		return;
	}
	for (k = 0; k < rd->nlines; k++)
		pager_addf(pg, ROLE_NORMAL, "      %s", rd->lines[k]);
	if (rd->instructions != NULL)
		pager_add_wrapped(pg, ROLE_NORMAL, 6, 78, rd->instructions);
	for (k = 0; k < rd->noptions; k++)
		pager_addf(pg, ROLE_NORMAL, "      (%d) %s", k + 1,
		    rd->options[k]);
}

static void
run_dry_listing(struct run *r)
{
	struct dry_listing	dl;
	char			title[160];

	snprintf(title, sizeof title, "Dry run of %s: every step rendered, "
	    "nothing runs (Esc closes)", r->rb->id.s);
	dl.pg = pager_new(title);
	dl.r = r;
	engine_dry_run(r->e, run_dry_step, &dl);
	run_host(r)->pager(run_host(r)->arg, dl.pg);
}

/* Keys ------------------------------------------------------------------- */

static int
run_scroll(struct run *r, int key, int page)
{
	int	top = r->out_top >= 0 ? r->out_top : r->out_first;

	switch (key) {
	case 'j':
	case KEYC_DOWN:
		top++;
		break;
	case 'k':
	case KEYC_UP:
		top--;
		break;
	case KEYC_NPAGE:
	case KEYC_CTRL('f'):
		top += r->out_h > 1 ? r->out_h - 1 : 1;
		break;
	case KEYC_PPAGE:
	case KEYC_CTRL('b'):
		top -= r->out_h > 1 ? r->out_h - 1 : 1;
		break;
	case 'g':
	case KEYC_HOME:
		top = 0;
		break;
	case 'G':
	case KEYC_END:
		r->out_top = -1;
		return (1);
	default:
		return (0);
	}
	r->out_top = top < 0 ? 0 : top;	/* the card stops it at the end */
	return (1);
}

static int
run_browse(struct run *r, int key)
{
	int	v = r->view;

	if (key == '[' && v > 0)
		v--;
	else if (key == ']' && v + 1 < r->rb->nsteps)
		v++;
	else if (key == '.') {
		r->follow = 1;
		v = r->cur >= 0 ? r->cur : v;
	} else if (key != '[' && key != ']')
		return (0);
	if (key != '.')
		r->follow = v == r->cur;
	if (v != r->view)
		r->out_top = -1;
	r->view = v;
	return (1);
}

/* The keys that act on the step in view. */
static int
run_act(struct run *r, int key)
{
	int	i = r->view;

	switch (key) {
	case 'y':
		if (run_here(r, i) && !runbook_resume_hold(r, i))
			run_yes(r, i);
		return (1);
	case KEYC_ENTER:
		if (!runbook_resume_hold(r, i))
			run_enter(r, i);
		return (1);
	case 's':
		if (run_here(r, i))
			runbook_form_skip(r, i, NULL);
		return (1);
	case 'n':
		runbook_form_note(r, r->cur < 0 ? -1 : i);
		return (1);
	case 'd':
		run_preview(r, i);
		return (1);
	case 'D':
		run_dry_listing(r);
		return (1);
	case KEYC_CTRL('c'):
		run_cancel(r);
		return (1);
	case 'c':
		if (r->approval[0] != '\0')
			runbook_approval_withdraw(r);
		else
			runbook_run_say(r, 0, "no approval is pending");
		return (1);
	}
	if (key >= '1' && key <= '9') {
		if (run_here(r, i))
			run_choose(r, i, key - '1');
		return (1);
	}
	return (0);
}

enum runbooks_key
runbook_run_key(struct run *r, int key, int page)
{
	if (key == KEYC_ESC || key == 'q')
		return (RUNBOOKS_LEAVE);
	if (r->rb->nsteps == 0)
		return (RUNBOOKS_UNHANDLED);
	if (r->e == NULL) {
		if (key == KEYC_ENTER || key == 'y')
			runbook_form_params(r, NULL, 0);
		return (RUNBOOKS_UNHANDLED);
	}
	r->msg[0] = '\0';
	if (run_browse(r, key) || run_scroll(r, key, page) || run_act(r, key))
		return (RUNBOOKS_HANDLED);
	return (RUNBOOKS_UNHANDLED);
}
