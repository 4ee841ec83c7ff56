/* engine_run.c: running steps.  Confirmation, the refusals (read-only,
 * dry run, unconfirmed, a value refused, the intent not recorded), the
 * action request and its completion (output, exit status, capture), wait
 * steps polling their check, cancelling. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "action.h"
#include "condition.h"
#include "engine_int.h"
#include "xmalloc.h"

#define ENG_READ_ONLY	"read-only mode: actions are refused"

static int
eng_refuse(struct engine *e, int i, const char *reason, struct error *err)
{
	struct engine_event	ev;

	eng_ev_step(e, &ev, EV_STEP_REFUSED, i);
	ev.reason = reason;
	eng_emit(e, &ev);
	if (err != NULL && err->msg != reason)
		error_set(err, "%s", reason);
	return (-1);
}

static int
eng_mutates(const struct rb_step *s)
{
	return (s->kind == RB_STEP_ACTION || s->kind == RB_STEP_NOTIFY);
}

/* "exit 3", "exit status 3", "exited with code 3" in a summary. */
static int
eng_exit_status(const struct action_result *res)
{
	const char	*p = strstr(res->summary, "exit");
	int		 n;

	if (res->ok)
		return (0);
	if (p == NULL)
		return (1);
	p += 4;
	p += strspn(p, "abcdefghijklmnopqrstuvwxyz ");
	if (sscanf(p, "%d", &n) == 1 && n >= 0)
		return (n);
	return (1);
}

static void
eng_finished(struct engine *e, int i, int ok, int status, const char *summary,
    const char *reason)
{
	struct eng_step		*st = &e->st[i];
	struct engine_event	 ev;
	char			 sha[65], *red, *sum;
	size_t			 n = 0;

	red = eng_redact(e, st->output ? st->output : "", st->outlen, &n);
	sum = eng_redact(e, summary ? summary : "", summary ? strlen(summary) :
	    0, NULL);
	eng_sha256(st->output ? st->output : "", st->outlen, sha);
	if (n > ENGINE_HEAD_MAX)
		red[ENGINE_HEAD_MAX] = '\0';
	eng_ev_step(e, &ev, EV_STEP_FINISHED, i);
	ev.action_kind = st->kind[0] ? st->kind : NULL;
	ev.ok = ok;
	ev.exit_status = status;
	ev.duration_ms = st->duration;
	ev.summary = sum;
	ev.output_sha256 = sha;
	ev.output_head = red;
	ev.output_len = st->outlen;
	ev.reason = reason;
	eng_emit(e, &ev);
	free(red);
	free(sum);
}

static void
eng_set_output(struct eng_step *st, const char *s, size_t n)
{
	free(st->output);
	st->output = xmalloc(n + 1);
	memcpy(st->output, s, n);
	st->output[n] = '\0';
	st->outlen = n;
}

/* Variables -------------------------------------------------------------- */

static const char *
eng_cond_lookup(void *arg, const char *name)
{
	return (eng_lookup(arg, name));
}

/* Parameters declared from: step.ID.VAR, filled when VAR is captured. */
static void
eng_from_step(struct engine *e, int i, const char *var, const char *value)
{
	struct error	 err;
	char		 want[200];
	int		 k;

	snprintf(want, sizeof want, "step.%s.%s", e->rb->steps[i].id.s, var);
	for (k = 0; k < e->rb->nparams; k++) {
		const struct rb_param	*p = &e->rb->params[k];
		char			 why[256];

		if (p->from.s == NULL || strcmp(p->from.s, want) != 0 ||
		    eng_value(e, p->name.s) != NULL)
			continue;
		if (rb_param_check(p, value, why, sizeof why) == 0)
			engine_set_param(e, p->name.s, value, &err);
	}
}

/* Capture the step's variable from its output; 0, or -1 and why. */
static int
eng_capture_var(struct engine *e, int i, int event, struct error *err)
{
	const struct rb_capture	*c = &e->rb->steps[i].capture;
	struct engine_event	 ev;
	char			*v, *red;

	if (c->var.s == NULL)
		return (0);
	if (eng_capture(c, e->st[i].output ? e->st[i].output : "", &v,
	    err) != 0)
		return (-1);
	red = eng_redact(e, v, strlen(v), NULL);
	/* A value that holds a secret is a secret. */
	eng_set(e, c->var.s, v, strcmp(red, v) != 0);
	if (event) {
		eng_ev_step(e, &ev, EV_VAR_SET, i);
		ev.param = c->var.s;
		ev.value = red;
		eng_emit(e, &ev);
	}
	free(red);
	eng_from_step(e, i, c->var.s, v);
	free(v);
	return (0);
}

/* Launching -------------------------------------------------------------- */

static void	eng_done(void *, const struct action_req *,
		    const struct action_result *);

static int
eng_launch(struct engine *e, int i, const struct eng_req *req, int preview,
    struct error *err)
{
	struct eng_step		*st = &e->st[i];
	struct eng_token	*tok;
	const char		*argv[ACTION_MAX_ARGS];
	int			 k, argc = 0, id;

	for (k = 0; k < req->argc && argc < ACTION_MAX_ARGS; k++)
		argv[argc++] = req->argv[k];
	if (preview && argc < ACTION_MAX_ARGS)
		argv[argc++] = "dry_run=1";
	if (argc != req->argc + preview) {
		error_set(err, "%s: too many arguments for one request",
		    req->kind);
		return (-1);
	}
	tok = xcalloc(1, sizeof *tok);
	tok->e = e;
	tok->step = i;
	tok->attempt = st->attempt;
	tok->preview = preview;
	if ((id = actions_run(e->actions, req->kind, argc, argv, eng_done,
	    tok)) < 0) {
		free(tok);
		error_set(err, "no executor for %s", req->kind);
		return (-1);
	}
	tok->id = id;
	st->tok = tok;
	strlcpy_(st->kind, req->kind, sizeof st->kind);
	if (!st->waiting) {
		free(st->output);
		st->output = NULL;
		st->outlen = 0;
	}
	return (0);
}

static void
eng_fail(struct engine *e, int i, const char *why)
{
	struct eng_step	*st = &e->st[i];

	st->waiting = 0;
	st->state = STEP_FAILED;
	st->duration = eng_now(e) - st->started;
	eng_set_reason(e, i, why);
	eng_finished(e, i, 0, 1, why, why);
}

/* Waits ------------------------------------------------------------------ */

/* Stop waiting for a running request: cancel it and take back its token
 * (its completion is never called). */
static void
eng_detach(struct engine *e, int i)
{
	struct eng_step	*st = &e->st[i];

	if (st->tok == NULL)
		return;
	actions_forget(e->actions, st->tok->id);
	free(st->tok);
	st->tok = NULL;
}

static void
eng_wait_timeout(struct engine *e, int i)
{
	const struct rb_step	*s = &e->rb->steps[i];
	struct eng_step		*st = &e->st[i];
	char			 why[300], age[16];

	eng_detach(e, i);
	fmt_duration(age, sizeof age, s->timeout_s);
	snprintf(why, sizeof why, "timed out after %s (%s = %s)", age,
	    cond_first_name(s->until_c) ? cond_first_name(s->until_c) : "value",
	    st->wait_value ? st->wait_value : "?");
	eng_fail(e, i, why);
}

static void
eng_wait_poll(struct engine *e, int i)
{
	struct eng_req	req;
	struct error	err;

	if (eng_now(e) >= e->st[i].deadline) {
		eng_wait_timeout(e, i);
		return;
	}
	if (eng_build(e, i, 0, &req, NULL, &err) != 0) {
		eng_fail(e, i, err.msg);
		return;
	}
	if (eng_launch(e, i, &req, 0, &err) != 0)
		eng_fail(e, i, err.msg);
	eng_req_free(&req);
}

static void
eng_wait_value(struct engine *e, int i)
{
	const char	*name = cond_first_name(e->rb->steps[i].until_c);
	const char	*v = name ? engine_value_display(e, name) : NULL;

	free(e->st[i].wait_value);
	e->st[i].wait_value = xstrdup(v ? v : "?");
}

static void
eng_wait_result(struct engine *e, int i, const struct action_result *res)
{
	const struct rb_step	*s = &e->rb->steps[i];
	struct eng_step		*st = &e->st[i];
	struct engine_event	 ev;
	struct error		 err;
	int			 rc = -1;

	error_set(&err, "the check failed: %s", res->summary);
	if (res->ok && eng_capture_var(e, i, 0, &err) == 0)
		rc = cond_eval(s->until_c, eng_cond_lookup, e, &err);
	eng_wait_value(e, i);
	eng_ev_step(e, &ev, EV_STEP_POLL, i);
	ev.ok = res->ok;
	ev.value = st->wait_value;
	ev.summary = res->summary;
	ev.reason = rc < 0 ? err.msg : NULL;
	eng_emit(e, &ev);
	eng_set_reason(e, i, rc < 0 ? err.msg : NULL);
	if (rc == 1) {
		st->waiting = 0;
		st->state = STEP_OK;
		st->duration = eng_now(e) - st->started;
		eng_capture_var(e, i, 1, &err);
		eng_finished(e, i, 1, 0, "the condition holds", s->until.s);
		eng_advance(e, i);
		return;
	}
	st->next_poll = eng_now(e) + (int64_t)s->interval_s * 1000;
	if (st->next_poll > st->deadline)
		st->next_poll = st->deadline;
}

/* Completion (UI thread, from actions_collect) --------------------------- */

static void
eng_done_step(struct engine *e, int i, const struct eng_token *tok,
    const struct action_result *res)
{
	struct eng_step	*st = &e->st[i];
	struct error	 err;
	char		 why[600];
	int		 ok = res->ok;

	st->duration = eng_now(e) - st->started;
	if (st->state == STEP_CANCELLED) {
		eng_finished(e, i, 0, eng_exit_status(res), res->summary,
		    "cancelled");
		return;
	}
	if (tok->preview) {
		st->state = STEP_SHOWN;
		snprintf(why, sizeof why, "preview: %s", res->summary);
		eng_set_reason(e, i, why);
		eng_finished(e, i, ok, eng_exit_status(res), res->summary,
		    "preview (dry_run=1)");
		return;
	}
	eng_set_reason(e, i, ok ? NULL : res->summary);
	if (ok && eng_capture_var(e, i, 1, &err) != 0)
		eng_set_reason(e, i, err.msg);
	st->state = ok ? STEP_OK : STEP_FAILED;
	eng_finished(e, i, ok, eng_exit_status(res), res->summary, NULL);
	if (ok)
		eng_advance(e, i);
}

static void
eng_done(void *arg, const struct action_req *req,
    const struct action_result *res)
{
	struct eng_token	*tok = arg;
	struct engine		*e = tok->e;
	struct eng_step		*st;

	if (e->st[tok->step].tok != tok) {
		free(tok);
		return;
	}
	st = &e->st[tok->step];
	st->tok = NULL;
	if (res->output != NULL)
		eng_set_output(st, res->output, strlen(res->output));
	else if (st->output == NULL || st->outlen == 0 || st->waiting)
		eng_set_output(st, res->summary, strlen(res->summary));
	if (st->waiting && st->state == STEP_RUNNING)
		eng_wait_result(e, tok->step, res);
	else
		eng_done_step(e, tok->step, tok, res);
	free(tok);
}

/* The operator ----------------------------------------------------------- */

int
engine_confirm(struct engine *e, int i, const char *typed,
    const char *approver, struct error *err)
{
	const struct rb_step	*s;
	struct engine_event	 ev;
	struct eng_req		 req;

	if (eng_current_check(e, i, err) != 0)
		return (-1);
	s = &e->rb->steps[i];
	if (!eng_mutates(s)) {
		error_set(err, "a %s step needs no confirmation",
		    rb_step_kind_name(s->kind));
		return (-1);
	}
	if (e->read_only)
		return (eng_refuse(e, i, ENG_READ_ONLY, err));
	if (eng_build(e, i, 0, &req, NULL, err) != 0)
		return (eng_refuse(e, i, err->msg, err));
	if (s->danger_high && (typed == NULL || req.target == NULL ||
	    strcmp(typed, req.target) != 0)) {
		eng_req_free(&req);
		error_set(err, "type the target's name exactly to confirm");
		return (-1);
	}
	eng_req_free(&req);
	e->st[i].confirmed = 1;
	eng_ev_step(e, &ev, EV_STEP_CONFIRMED, i);
	ev.typed = typed;
	ev.approver = approver;
	eng_emit(e, &ev);
	return (0);
}

static int
eng_may_run(struct engine *e, int i, int preview, struct error *err)
{
	const struct rb_step	*s;

	if (!e->began || i < 0 || i >= e->rb->nsteps) {
		error_set(err, "no step %d in a begun run", i);
		return (-1);
	}
	s = &e->rb->steps[i];
	if (!(s->kind == RB_STEP_CHECK && i < e->cursor) &&
	    eng_current_check(e, i, err) != 0)
		return (-1);
	if (e->st[i].tok != NULL || e->st[i].waiting) {
		error_set(err, "the step is still running");
		return (-1);
	}
	if (s->exec.kind == RB_EX_NONE) {
		error_set(err, "a %s step does not run anything",
		    rb_step_kind_name(s->kind));
		return (-1);
	}
	if (e->dry_run)
		return (eng_refuse(e, i, "dry-run mode: nothing runs", err));
	if (e->read_only && eng_mutates(s))
		return (eng_refuse(e, i, ENG_READ_ONLY, err));
	if (!preview && eng_mutates(s) && !e->st[i].confirmed) {
		error_set(err, "confirm the step first");
		return (-1);
	}
	return (0);
}

static int
eng_intent(struct engine *e, int i, const struct engine_render *r,
    int preview)
{
	struct engine_event	ev;

	eng_ev_step(e, &ev, EV_STEP_STARTED, i);
	ev.action_kind = r->action_kind;
	ev.argc = r->nreq;
	ev.argv = (const char *const *)r->req;
	ev.reason = preview ? "preview (dry_run=1)" : NULL;
	return (eng_emit(e, &ev));
}

static int
eng_run(struct engine *e, int i, int preview, struct error *err)
{
	struct eng_step		*st;
	struct engine_render	 r;
	struct eng_req		 req;
	int			 rc = -1;

	if (eng_may_run(e, i, preview, err) != 0)
		return (-1);
	st = &e->st[i];
	if (eng_build(e, i, 0, &req, &r, err) != 0)
		return (eng_refuse(e, i, err->msg, err));
	if (preview && !r.dry_run_ok) {
		error_set(err, "%s has no dry run", r.action_kind);
		goto out;
	}
	st->attempt++;
	st->started = eng_now(e);
	if (eng_intent(e, i, &r, preview) != 0) {
		error_set(err, "the intent could not be recorded: not run");
		eng_fail(e, i, err->msg);
		goto out;
	}
	st->state = STEP_RUNNING;
	eng_set_reason(e, i, NULL);
	if (e->rb->steps[i].kind == RB_STEP_WAIT) {
		st->waiting = 1;
		st->deadline = st->started +
		    (int64_t)e->rb->steps[i].timeout_s * 1000;
		free(st->wait_value);
		st->wait_value = NULL;
		eng_wait_poll(e, i);
		rc = st->state == STEP_FAILED ? -1 : 0;
		if (rc != 0)
			error_set(err, "%s", st->reason ? st->reason :
			    "failed");
		goto out;
	}
	if ((rc = eng_launch(e, i, &req, preview, err)) != 0)
		eng_fail(e, i, err->msg);
	else if (!preview)
		st->confirmed = 0;
out:
	eng_req_free(&req);
	engine_render_free(&r);
	return (rc);
}

int
engine_start(struct engine *e, int i, struct error *err)
{
	return (eng_run(e, i, 0, err));
}

int
engine_preview(struct engine *e, int i, struct error *err)
{
	return (eng_run(e, i, 1, err));
}

void
engine_cancel(struct engine *e, int i)
{
	struct eng_step	*st;

	if (i < 0 || i >= e->rb->nsteps)
		return;
	st = &e->st[i];
	if (st->tok == NULL && !st->waiting)
		return;
	if (st->tok != NULL)
		actions_cancel(e->actions, st->tok->id);
	st->waiting = 0;
	st->duration = eng_now(e) - st->started;
	eng_state(e, i, STEP_CANCELLED, "cancelled by the operator");
}

/* The loop --------------------------------------------------------------- */

int
engine_poll(struct engine *e)
{
	struct eng_step	*st;
	char		*out;
	size_t		 len;
	int		 i, changed = 0;

	for (i = 0; i < e->rb->nsteps; i++) {
		st = &e->st[i];
		if (st->tok != NULL && !st->waiting && (out =
		    actions_peek_output(e->actions, st->tok->id, &len)) !=
		    NULL) {
			if (len != st->outlen)
				changed = 1;
			free(st->output);
			st->output = out;
			st->outlen = len;
		}
		if (st->waiting && st->tok == NULL &&
		    eng_now(e) >= st->next_poll) {
			eng_wait_poll(e, i);
			changed = 1;
		} else if (st->waiting && eng_now(e) >= st->deadline) {
			eng_wait_timeout(e, i);	/* a check that hangs */
			changed = 1;
		}
	}
	return (changed);
}

int64_t
engine_next_wake(const struct engine *e)
{
	int64_t	when = 0;
	int	i;

	for (i = 0; i < e->rb->nsteps; i++) {
		const struct eng_step	*st = &e->st[i];

		int64_t			 t = st->tok == NULL ?
					     st->next_poll : st->deadline;

		if (st->waiting && (when == 0 || t < when))
			when = t;
	}
	return (when);
}

int
engine_wait_status(const struct engine *e, int i, const char **value,
    int64_t *left_ms)
{
	if (i < 0 || i >= e->rb->nsteps || !e->st[i].waiting)
		return (-1);
	*value = e->st[i].wait_value ? e->st[i].wait_value : "?";
	*left_ms = e->st[i].deadline - eng_now(e);
	if (*left_ms < 0)
		*left_ms = 0;
	return (0);
}
