/* runbook_form.c: a run's dialogs: the parameters form, the confirmation
 * of a danger: high or two-person action, the reason for a skip, a note.
 * The console shows them modally; on_close runs on the UI thread with the
 * run riding on the dialog (dialog_set_data).  Esc cancels every one of
 * them: it never confirms anything. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "runbook_view.h"
#include "util.h"
#include "xmalloc.h"

#define WRAP	66	/* dialog text, to fit an 80-column terminal */

static void
form_show(struct run *r, struct dialog *d,
    void (*closed)(struct panel *, struct dialog *, int))
{
	const struct panel_host	*h = r->hub->o.host;

	dialog_set_data(d, r);
	h->dialog(h->arg, d, NULL, closed);
}

/* Text in lines of at most WRAP bytes, cut at spaces. */
static void
form_wrapped(struct dialog *d, enum role role, const char *indent,
    const char *text)
{
	size_t	n, cut;

	while (*text != '\0') {
		n = strcspn(text, "\n");
		cut = n;
		if (n > WRAP) {
			for (cut = WRAP; cut > 0 && text[cut] != ' '; cut--)
				continue;
			if (cut == 0)
				cut = WRAP;
		}
		dialog_line(d, role, "%s%.*s", indent, (int)cut, text);
		text += cut;
		text += strspn(text, " ");
		if (*text == '\n')
			text++;
	}
}

/* The environment the run acts on, unmistakable when production. */
static void
form_target(struct run *r, struct dialog *d)
{
	const struct runbooks_opts	*o = &r->hub->o;

	if (o->production)
		dialog_line(d, ROLE_PRODUCTION, " target: PRODUCTION (%s) ",
		    o->env);
	else
		dialog_line(d, ROLE_NORMAL, "target: env %s", o->env);
	if (o->read_only)
		dialog_line(d, ROLE_WARN, "read-only: actions will be refused");
	if (o->dry_run)
		dialog_line(d, ROLE_WARN, "dry run: steps are rendered, nothing "
		    "runs");
}

static int
form_blank(const char *s)
{
	return (s == NULL || s[strspn(s, " \t")] == '\0');
}

/* Parameters ------------------------------------------------------------- */

static void
form_params_closed(struct panel *p, struct dialog *d, int result)
{
	struct run	*r = dialog_data(d);
	struct error	 err;
	int		 i, field = 0;

	for (i = 0; i < r->nform; i++) {
		free(r->form[i]);
		r->form[i] = xstrdup(dialog_value(d, i));
	}
	if (result != DIALOG_CONFIRM) {
		runbooks_say(r->hub, 0, "runbook %s not started", r->rb->id.s);
		runbooks_drop(r->hub, r);
		return;
	}
	if (runbook_run_begin(r, &field, &err) != 0)
		runbook_form_params(r, err.msg, field);
	else if (r->unknown == NULL)	/* a resumed run said what it is */
		runbook_run_say(r, 0, "run %d of %s begun (%s)", r->id,
		    r->rb->id.s, runbooks_incident(r->hub));
}

static void
form_param_line(struct dialog *d, const struct rb_param *p)
{
	char	*line;

	xasprintf(&line, "%s (%s%s%s)%s%s", p->name.s, rb_ptype_name(p->type),
	    p->required ? ", required" : "", p->secret ? ", secret" : "",
	    p->description.s ? ": " : "", p->description.s ? p->description.s :
	    "");
	form_wrapped(d, ROLE_MUTED, "  ", line);
	free(line);
}

void
runbook_form_params(struct run *r, const char *error, int field)
{
	const char	*inc = runbooks_incident(r->hub);
	struct dialog	*d;
	char		 title[128];
	int		 i;

	snprintf(title, sizeof title, "Run %s: parameters", r->rb->id.s);
	d = dialog_new(title);
	form_wrapped(d, ROLE_TITLE, "", r->rb->title.s);
	dialog_line(d, ROLE_NORMAL, "severity %s, incident %s",
	    rb_severity_name(r->rb->severity), inc ? inc : "(a new one opens)");
	form_target(r, d);
	if (r->alert_name[0] != '\0')
		dialog_line(d, ROLE_MUTED, "from the alert %s: its labels filled "
		    "what they could", r->alert_name);
	for (i = 0; i < r->nform; i++)
		form_param_line(d, &r->rb->params[i]);
	if (r->rb->nparams > r->nform)
		dialog_line(d, ROLE_WARN, "%d more parameters take their "
		    "defaults", r->rb->nparams - r->nform);
	for (i = 0; i < r->nform; i++)
		dialog_field(d, r->rb->params[i].name.s, r->form[i]);
	for (i = 0; i < field && i < r->nform; i++)
		dialog_key(d, KEYC_TAB);
	if (error != NULL)
		dialog_error(d, error);
	dialog_hint(d, "Enter next field / begin the run  Tab field  Esc "
	    "cancel");
	form_show(r, d, form_params_closed);
}

/* Confirming a danger: high or two-person action ------------------------- */

static void
form_confirm_closed(struct panel *p, struct dialog *d, int result)
{
	struct run		*r = dialog_data(d);
	const struct rb_step	*s = &r->rb->steps[r->pending];
	const char		*typed = NULL;

	if (result != DIALOG_CONFIRM) {
		runbook_run_say(r, 0, "step %d not confirmed: nothing ran",
		    r->pending + 1);
		return;
	}
	if (s->danger_high)
		typed = dialog_value(d, 0);
	if (s->two_person)
		runbook_approval_ask(r, r->pending, typed);
	else
		runbook_run_go(r, r->pending, typed, NULL);
}

void
runbook_form_confirm(struct run *r, int step, const struct engine_render *rd)
{
	const struct rb_step	*s = &r->rb->steps[step];
	struct dialog		*d;
	char			 title[128];
	int			 i;

	snprintf(title, sizeof title, "Confirm step %d: %s", step + 1,
	    rb_step_kind_name(s->kind));
	d = dialog_new(title);
	form_wrapped(d, ROLE_TITLE, "", rd->title ? rd->title : s->id.s);
	form_target(r, d);
	dialog_line(d, ROLE_NORMAL, "This will run:");
	for (i = 0; i < rd->nlines; i++)
		dialog_line(d, ROLE_ACCENT, "  %s", rd->lines[i]);
	if (s->danger_high) {
		dialog_line(d, ROLE_CRIT, "danger: high.  Type %s to confirm.",
		    rd->target ? rd->target : "?");
		dialog_require_typed(d, rd->target ? rd->target : "");
	}
	if (s->two_person)
		dialog_line(d, ROLE_WARN, "approval: two-person.  Another "
		    "person approves it on their console before it runs.");
	if (s->two_person && !s->danger_high)
		dialog_hint(d, "y ask another person to approve  Esc cancel: "
		    "nothing runs");
	else
		dialog_hint(d, s->two_person ? "Enter ask for approval (when "
		    "typed exactly)  Esc cancel: nothing runs" : "Enter run it "
		    "(when typed exactly)  Esc cancel: nothing runs");
	r->pending = step;
	form_show(r, d, form_confirm_closed);
}

/* Skipping and notes ----------------------------------------------------- */

static void
form_skip_closed(struct panel *p, struct dialog *d, int result)
{
	struct run	*r = dialog_data(d);
	const char	*reason = dialog_value(d, 0);

	if (result != DIALOG_CONFIRM) {
		runbook_run_say(r, 0, "step %d not skipped", r->pending + 1);
		return;
	}
	if (form_blank(reason)) {
		runbook_form_skip(r, r->pending, "a reason is required to skip "
		    "a step");
		return;
	}
	runbook_run_skip(r, r->pending, reason + strspn(reason, " \t"));
}

void
runbook_form_skip(struct run *r, int step, const char *error)
{
	struct dialog	*d;
	char		 title[64];

	snprintf(title, sizeof title, "Skip step %d?", step + 1);
	d = dialog_new(title);
	dialog_line(d, ROLE_NORMAL, "%s: %s", r->rb->steps[step].id.s,
	    rb_step_kind_name(r->rb->steps[step].kind));
	dialog_line(d, ROLE_MUTED, "Why?  The reason goes into the audit "
	    "trail with your name.");
	dialog_field(d, "reason", "");
	if (error != NULL)
		dialog_error(d, error);
	dialog_hint(d, "Enter skip the step  Esc cancel");
	r->pending = step;
	form_show(r, d, form_skip_closed);
}

static void
form_note_closed(struct panel *p, struct dialog *d, int result)
{
	struct run	*r = dialog_data(d);
	const char	*text = dialog_value(d, 0);

	if (result != DIALOG_CONFIRM || form_blank(text)) {
		runbook_run_say(r, 0, "no note added");
		return;
	}
	engine_note(r->e, r->pending, text);
	if (r->pending < 0)
		runbook_run_say(r, 0, "note added to the run");
	else
		runbook_run_say(r, 0, "note added to step %d", r->pending + 1);
}

void
runbook_form_note(struct run *r, int step)
{
	struct dialog	*d;
	char		 title[64];

	if (step < 0)
		snprintf(title, sizeof title, "Note on the run");
	else
		snprintf(title, sizeof title, "Note on step %d", step + 1);
	d = dialog_new(title);
	dialog_line(d, ROLE_MUTED, "What you saw or decided, for the audit "
	    "trail and the post-incident review.");
	dialog_field(d, "note", "");
	dialog_hint(d, "Enter add the note  Esc cancel");
	r->pending = step;
	form_show(r, d, form_note_closed);
}
