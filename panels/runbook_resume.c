/* runbook_resume.c: runs left unfinished in the audit trail (a crash, a
 * dropped SSH session).  At start the trail is read off the UI thread (the
 * "runbooks.unfinished" action: audit_unfinished, handed back as JSON);
 * the status bar offers :resume.  A resumed run takes the recorded
 * parameters (secrets are asked again) and incident, the steps that
 * finished are restored from the trail (recorded as such, nothing runs),
 * and a step that was started without a finish record is held: "outcome
 * unknown: check before running again", and it runs again only after an
 * explicit y on a dialog that says so.  Never re-run automatically. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "action.h"
#include "audit.h"
#include "json_num.h"
#include "runbook_view.h"
#include "util.h"
#include "xmalloc.h"

#define RESUME_KIND	"runbooks.unfinished"

static const char *
js(const cJSON *o, const char *name)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, name);

	return (cJSON_IsString(v) ? v->valuestring : NULL);
}

/* Off the UI thread: the trail's unfinished runs as a JSON array. */
static int
resume_scan_action(void *ctx, const struct action_req *req,
    struct action_result *res, const volatile int *cancel)
{
	const char		*trail = action_arg(req, "trail");
	struct audit_run	*runs;
	cJSON			*all;
	int			 n, i;

	if (trail == NULL || audit_unfinished(trail, &runs, &n) != 0) {
		snprintf(res->summary, sizeof res->summary, "cannot read the "
		    "trail for unfinished runs");
		return (-1);
	}
	all = cJSON_CreateArray();
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(all, audit_run_json(&runs[i]));
	audit_runs_free(runs, n);
	res->output = cJSON_PrintUnformatted(all);
	cJSON_Delete(all);
	res->ok = 1;
	snprintf(res->summary, sizeof res->summary, "%d unfinished runs", n);
	return (0);
}

static void
resume_scan_done(void *arg, const struct action_req *req,
    const struct action_result *res)
{
	struct runbooks	*h = arg;
	char		 banner[256];

	if (!res->ok || res->output == NULL)
		return;
	cJSON_Delete(h->unfinished);
	h->unfinished = cJSON_Parse(res->output);
	if (runbook_resume_banner(h, banner, sizeof banner) > 0)
		runbooks_say(h, 0, "%s", banner);
}

void
runbooks_resume_scan(struct runbooks *h)
{
	struct actions	*acts = h->o.host ? h->o.host->actions : NULL;
	char		*arg;

	if (h->o.audit_trail == NULL || acts == NULL)
		return;
	if (!actions_has(acts, RESUME_KIND))
		actions_register(acts, RESUME_KIND, resume_scan_action, NULL);
	xasprintf(&arg, "trail=%s", h->o.audit_trail);
	actions_run(acts, RESUME_KIND, 1, (const char *const *)&arg,
	    resume_scan_done, h);
	free(arg);
}

int
runbook_resume_banner(const struct runbooks *h, char *buf, size_t len)
{
	const cJSON	*o;
	int		 n = cJSON_GetArraySize(h->unfinished);

	if (n <= 0) {
		if (len > 0)
			buf[0] = '\0';
		return (0);
	}
	o = cJSON_GetArrayItem(h->unfinished, 0);
	if (n == 1)
		snprintf(buf, len, "unfinished run: %s (%s) — :resume to "
		    "reopen", js(o, "runbook"), js(o, "incident"));
	else
		snprintf(buf, len, "unfinished run: %s (%s) and %d more — "
		    ":resume N to reopen", js(o, "runbook"), js(o, "incident"),
		    n - 1);
	return (1);
}

/* The recorded state of step i, or NULL. */
static const cJSON *
resume_step(const cJSON *run, int i)
{
	const cJSON	*s;

	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(run, "steps"))
		if (json_int(s, "index", 0) == i)
			return (s);
	return (NULL);
}

int
runbooks_resume(struct runbooks *h, const char *arg)
{
	const struct runbook	*rb;
	const cJSON		*rp;
	cJSON			*o;
	struct run		*r;
	const char		*id, *sha, *inc, *v;
	int			 n = arg != NULL && *arg != '\0' ? atoi(arg) : 1;
	int			 i;

	if (cJSON_GetArraySize(h->unfinished) <= 0) {
		runbooks_say(h, 0, "no unfinished run in the audit trail");
		return (-1);
	}
	if (n < 1 || n > cJSON_GetArraySize(h->unfinished)) {
		runbooks_say(h, 1, "no unfinished run %s (1-%d)", arg,
		    cJSON_GetArraySize(h->unfinished));
		return (-1);
	}
	if (runbooks_lib_unread(h))	/* the run stays unfinished */
		return (-1);
	o = cJSON_GetArrayItem(h->unfinished, n - 1);
	id = js(o, "runbook");
	sha = js(o, "sha256");
	inc = js(o, "incident");
	if (id == NULL || (rb = rb_library_find(runbooks_lib(h), id)) ==
	    NULL) {
		runbooks_say(h, 1, "no runbook '%s' any more: the run cannot "
		    "be resumed", id ? id : "?");
		return (-1);
	}
	if (rb->nproblems > 0) {
		runbooks_say(h, 1, "runbook %s is broken, it cannot run", id);
		return (-1);
	}
	if (sha != NULL && *sha != '\0' && strcmp(sha, rb->sha256) != 0) {
		runbooks_say(h, 1, "runbook %s changed since that run (its "
		    "sha256 differs): start it anew with :runbook %s", id, id);
		return (-1);
	}
	if (inc == NULL || !incident_id_ok(inc)) {
		runbooks_say(h, 1, "the run has no valid incident id");
		return (-1);
	}
	if (h->nruns >= RUNS_MAX) {
		runbooks_say(h, 1, "too many runs open (%d)", RUNS_MAX);
		return (-1);
	}
	r = runbook_run_new(h, rb, NULL);
	r->id = h->next_id++;
	strlcpy_(r->resume_inc, inc, sizeof r->resume_inc);
	if (h->inc.id[0] == '\0') {
		strlcpy_(h->inc.id, inc, sizeof h->inc.id);
		h->inc.opened_ms = now_ms();
	}
	/* The recorded values; secrets are asked again (left empty). */
	for (i = 0; i < r->nform; i++) {
		const struct rb_param	*pa = &rb->params[i];

		if (pa->secret) {
			r->form[i][0] = '\0';
			continue;
		}
		cJSON_ArrayForEach(rp, cJSON_GetObjectItemCaseSensitive(o,
		    "params")) {
			if ((v = js(rp, "name")) == NULL ||
			    strcmp(v, pa->name.s) != 0 || json_int(rp, "secret", 0))
				continue;
			free(r->form[i]);
			r->form[i] = xstrdup(js(rp, "value") ? js(rp, "value") :
			    "");
		}
	}
	r->resume = cJSON_DetachItemFromArray(h->unfinished, n - 1);
	h->runs[h->nruns++] = r;
	runbooks_show(h, r);
	runbook_run_open(r);
	return (0);
}

void
runbook_resume_apply(struct run *r)
{
	const cJSON	*s;
	const char	*st;
	struct error	 err;
	char		 note[512];
	int		 i, guard, restored = 0, unknown = 0;

	r->unknown = xcalloc((size_t)r->rb->nsteps + 1, 1);
	for (guard = 0; guard < 2 * r->rb->nsteps + 2; guard++) {
		if ((i = engine_current(r->e)) < 0 ||
		    (s = resume_step(r->resume, i)) == NULL ||
		    (st = js(s, "state")) == NULL)
			break;
		if (strcmp(st, "ok") == 0 && r->rb->steps[i].kind !=
		    RB_STEP_CHOICE) {
			if (engine_mark_done(r->e, i, 1, "restored from the "
			    "trail: finished ok before the resume", &err) != 0)
				break;
		} else if (strcmp(st, "skipped") == 0) {
			if (engine_skip(r->e, i, "restored from the trail: "
			    "skipped before the resume", &err) != 0)
				break;
		} else
			break;
		restored++;
	}
	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(r->resume,
	    "steps")) {
		i = json_int(s, "index", 0);
		if (json_int(s, "unknown", 0) && i >= 0 && i < r->rb->nsteps) {
			r->unknown[i] = 1;
			unknown++;
		}
	}
	snprintf(note, sizeof note, "resumed from the trail: the run begun %s "
	    "by %s; %d steps restored, %d with outcome unknown",
	    js(r->resume, "started") ? js(r->resume, "started") : "?",
	    js(r->resume, "actor") ? js(r->resume, "actor") : "?", restored,
	    unknown);
	engine_note(r->e, -1, note);
	cJSON_Delete(r->resume);
	r->resume = NULL;
	for (i = 0; i < r->rb->nsteps; i++)
		if (r->unknown[i]) {
			runbook_run_say(r, 1, "resumed: step %d: "
			    RB_UNKNOWN_NOTE, i + 1);
			return;
		}
	runbook_run_say(r, 0, "resumed: %d steps restored from the trail",
	    restored);
}

static void
resume_hold_closed(struct panel *p, struct dialog *d, int result)
{
	struct run	*r = dialog_data(d);
	int		 i = r->pending;
	char		 note[200];

	if (result != DIALOG_CONFIRM || r->unknown == NULL || i < 0 ||
	    i >= r->rb->nsteps)
		return;
	r->unknown[i] = 0;
	snprintf(note, sizeof note, "outcome unknown acknowledged by %s: "
	    "checked, may run again", r->hub->o.host->operator ?
	    r->hub->o.host->operator : "the operator");
	engine_note(r->e, i, note);
	runbook_run_say(r, 0, "step %d: checked; y / Enter now runs it "
	    "again (with its own confirmation)", i + 1);
}

int
runbook_resume_hold(struct run *r, int i)
{
	const struct panel_host	*h = r->hub->o.host;
	struct dialog		*d;
	char			 title[64];

	if (r->unknown == NULL || i < 0 || i >= r->rb->nsteps ||
	    !r->unknown[i])
		return (0);
	snprintf(title, sizeof title, "Step %d: outcome unknown", i + 1);
	d = dialog_new(title);
	dialog_line(d, ROLE_WARN, "%s: %s", r->rb->steps[i].id.s,
	    RB_UNKNOWN_NOTE ".");
	dialog_line(d, ROLE_NORMAL, "It was started before sitrep stopped and "
	    "the trail has no finish record:");
	dialog_line(d, ROLE_NORMAL, "it may have run.  Check its effect before "
	    "running it again.");
	dialog_hint(d, "y I checked: it may run again  n/Esc not now");
	dialog_set_data(d, r);
	r->pending = i;
	if (h == NULL || h->dialog == NULL) {
		dialog_free(d);
		return (1);
	}
	h->dialog(h->arg, d, NULL, resume_hold_closed);
	return (1);
}
