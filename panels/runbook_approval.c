/* runbook_approval.c: two-person steps.  A step marked `approval:
 * two-person` never runs on its driver's word alone: once the driver has
 * confirmed it (and typed the target of a danger: high step), the request
 * goes to the war room with exactly what will run and the live figures
 * that matter; a different person approves it on their own console
 * (`sitrep approve CODE`, or a in the follow view).  Only then is the step
 * confirmed, with the approver's identity, and started.  The request and
 * its answer are records of the trail; requests expire.  Without a war
 * room there is nobody to ask, and the step is refused with the reason. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "runbook_view.h"
#include "store.h"
#include "util.h"
#include "warroom.h"
#include "xmalloc.h"

struct figures {
	char	**v;
	int	  n;
};

static void
fig_add(struct figures *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
fig_add(struct figures *f, const char *fmt, ...)
{
	va_list	ap;
	char	buf[256];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	f->v = xreallocarray(f->v, f->n + 1, sizeof *f->v);
	f->v[f->n++] = xstrdup(buf);
}

/* " (data 12s old)" or " (STALE: the source fails: ...)" */
static void
fig_age(char *buf, size_t len, const struct snapshot *s,
    const struct source_status *st)
{
	char	age[16];

	fmt_age(age, sizeof age, (now_ms() - s->fetched_ms) / 1000);
	if (!st->ok)
		snprintf(buf, len, " (STALE, %s old: %.80s)", age, st->error);
	else
		snprintf(buf, len, " (%s old)", age);
}

static void
fig_alerts(struct figures *f, struct store *store, const struct run *r)
{
	struct source_status	 st;
	struct snapshot		*s = store_get(store, SNAP_ALERTS, &st);
	char			 age[128], key[RB_ALERT_KEY];
	int			 i, crit = 0, warn = 0, still = 0;

	if (s == NULL) {
		fig_add(f, "alerts: no data%s%s", st.ok ? "" : ": ",
		    st.ok ? "" : st.error);
		return;
	}
	fig_age(age, sizeof age, s, &st);
	for (i = 0; i < s->u.alerts.n; i++) {
		const struct alert	*a = &s->u.alerts.rows[i];

		if (a->state != ALERT_ACTIVE)
			continue;
		crit += alert_severity_rank(a->severity) == 2;
		warn += alert_severity_rank(a->severity) == 1;
		runbook_alert_key(a, key, sizeof key);
		if (r->alert_key[0] != '\0' && strcmp(key, r->alert_key) == 0)
			still = 1;
	}
	if (r->alert_key[0] != '\0')
		fig_add(f, "alert %s: %s%s", r->alert_name, still ?
		    "STILL FIRING" : "no longer firing", age);
	fig_add(f, "alerts firing: %d critical, %d warning%s", crit, warn, age);
	snapshot_unref(s);
}

static void
fig_repl(struct figures *f, struct store *store)
{
	struct source_status	 st;
	struct snapshot		*s = store_get(store, SNAP_REPLICATION, &st);
	const struct repl_data	*d;
	char			 age[128], bytes[32];
	int			 i, worst = -1;

	if (s == NULL)
		return;
	d = &s->u.repl;
	fig_age(age, sizeof age, s, &st);
	fig_add(f, "primary %s: %s%s", d->server, d->role, age);
	for (i = 0; i < d->nstandbys; i++)
		if (worst < 0 || d->standbys[i].total_bytes >
		    d->standbys[worst].total_bytes)
			worst = i;
	if (worst >= 0) {
		fmt_bytes(bytes, sizeof bytes, d->standbys[worst].total_bytes);
		fig_add(f, "replication lag: %s behind, replay %.1fs (%s, %s)",
		    bytes, d->standbys[worst].replay_lag_s,
		    d->standbys[worst].name, d->standbys[worst].state);
	}
	for (i = 0; i < d->nservers; i++) {
		const struct pg_server	*p = &d->servers[i];

		if (strcmp(p->role, "standby") != 0)
			continue;
		fmt_bytes(bytes, sizeof bytes, p->receive_replay_bytes);
		fig_add(f, "%s: standby, %s received not replayed, "
		    "receiver %s", p->name, bytes, p->receiver[0] ?
		    p->receiver : "?");
	}
	snapshot_unref(s);
}

static void
fig_outbox(struct figures *f, struct store *store)
{
	struct source_status	 st;
	struct snapshot		*s = store_get(store, SNAP_OUTBOX, &st);
	char			 age[128];
	int64_t			 pending = 0;
	double			 oldest = 0;
	int			 i;

	if (s == NULL)
		return;
	fig_age(age, sizeof age, s, &st);
	for (i = 0; i < s->u.outbox.n; i++) {
		if (s->u.outbox.rows[i].pending > 0)
			pending += s->u.outbox.rows[i].pending;
		if (s->u.outbox.rows[i].oldest_age_s > oldest)
			oldest = s->u.outbox.rows[i].oldest_age_s;
	}
	fig_add(f, "outbox backlog: %lld pending, oldest %.0fs%s",
	    (long long)pending, oldest, age);
	snapshot_unref(s);
}

/* The approver's identity as the engine records it with the step. */
static void
approval_who(const struct wr_answer *a, const char *code, char *buf,
    size_t len)
{
	snprintf(buf, len, "%s@%s (uid %u%s%s, approval %s)", a->who.user,
	    a->who.host, a->who.uid, a->who.ssh[0] ? ", ssh " : "",
	    a->who.ssh, code);
}

/* A record of the run in the trail: approval_requested, _answered. */
static int
approval_record(struct run *r, const char *type, cJSON *data,
    struct error *err)
{
	const struct rb_step	*s = &r->rb->steps[r->approval_step];
	struct audit_entry	 e;

	if (r->hub->o.audit == NULL) {
		cJSON_Delete(data);
		error_set(err, "the audit trail is not open");
		return (-1);
	}
	memset(&e, 0, sizeof e);
	e.type = type;
	e.incident = engine_incident(r->e);
	e.runbook_id = r->rb->id.s;
	e.runbook_sha256 = r->rb->sha256;
	e.runbook_path = r->rb->path;
	e.step = r->approval_step;
	e.step_id = s->id.s;
	e.step_kind = rb_step_kind_name(s->kind);
	e.data = data;
	return (audit_append(r->hub->o.audit, &e, err));
}

static cJSON *
approval_lines(char **v, int n)
{
	cJSON	*a = cJSON_CreateArray();
	int	 i;

	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
	return (a);
}

static void
approval_clear(struct run *r)
{
	r->approval[0] = '\0';
	free(r->approval_typed);
	r->approval_typed = NULL;
	r->approval_expires = 0;
}

/* Who may drive this run: 0, or -1 and why (someone else holds the wheel
 * of its incident).  With the war room down nobody is stopped: a Redis
 * outage must not stop an incident's response. */
int
runbook_approval_may_drive(struct run *r, char *why, size_t len)
{
	struct wr_view	v;

	if (r->hub->o.wr == NULL || r->e == NULL)
		return (0);
	warroom_view(r->hub->o.wr, &v);
	if (!v.connected || strcmp(v.incident, engine_incident(r->e)) != 0 ||
	    v.role == WR_DRIVING || v.driver[0] == '\0')
		return (0);
	snprintf(why, len, "%s is driving %s: only the driver runs steps "
	    "(they can hand over with :handover)", v.driver_name, v.incident);
	return (-1);
}

void
runbook_approval_ask(struct run *r, int step, const char *typed)
{
	struct wr_request	 req;
	struct engine_render	 rd;
	struct figures		 fig;
	struct error		 err;
	cJSON			*d;

	if (r->hub->o.wr == NULL) {
		runbook_run_say(r, 1, "two-person step: another person must "
		    "approve it, and there is no war room (warroom: in the "
		    "configuration, or --warroom URL)");
		return;
	}
	if (engine_render(r->e, step, &rd, &err) != 0) {
		runbook_run_say(r, 1, "%s", err.msg);
		return;
	}
	memset(&fig, 0, sizeof fig);
	if (r->hub->o.store != NULL) {
		fig_alerts(&fig, r->hub->o.store, r);
		fig_repl(&fig, r->hub->o.store);
		fig_outbox(&fig, r->hub->o.store);
	}
	memset(&req, 0, sizeof req);
	strlcpy_(req.incident, engine_incident(r->e), sizeof req.incident);
	strlcpy_(req.runbook, r->rb->id.s, sizeof req.runbook);
	req.step = step;
	strlcpy_(req.step_id, r->rb->steps[step].id.s, sizeof req.step_id);
	strlcpy_(req.title, rd.title ? rd.title : req.step_id,
	    sizeof req.title);
	req.lines = rd.lines;
	req.nlines = rd.nlines;
	req.figures = fig.v;
	req.nfigures = fig.n;
	if (warroom_request(r->hub->o.wr, &req) != 0) {
		runbook_run_say(r, 1, "two-person step: the war room is not "
		    "connected, the request cannot be sent; try again");
		goto out;
	}
	approval_clear(r);
	strlcpy_(r->approval, req.code, sizeof r->approval);
	r->approval_step = step;
	r->approval_typed = typed != NULL ? xstrdup(typed) : NULL;
	r->approval_expires = req.expires_ms;
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "code", req.code);
	cJSON_AddItemToObject(d, "will_run", approval_lines(rd.lines,
	    rd.nlines));
	cJSON_AddItemToObject(d, "figures", approval_lines(fig.v, fig.n));
	cJSON_AddItemToObject(d, "requester", wr_identity_json(&req.requester));
	cJSON_AddNumberToObject(d, "expires_ms", (double)req.expires_ms);
	if (approval_record(r, "approval_requested", d, &err) != 0) {
		warroom_withdraw(r->hub->o.wr, req.code);
		approval_clear(r);
		runbook_run_say(r, 1, "two-person: not asked: %s", err.msg);
		goto out;
	}
	runbook_run_say(r, 0, "approval %s requested: another person runs "
	    "`sitrep approve %s` (or a in `sitrep follow %s`)", req.code,
	    req.code, req.incident);
out:
	while (fig.n > 0)
		free(fig.v[--fig.n]);
	free(fig.v);
	engine_render_free(&rd);
}

static void
approval_answered(struct run *r, const struct wr_answer *a)
{
	struct error	 err;
	cJSON		*d = cJSON_CreateObject();
	char		 who[512];
	int		 step = r->approval_step;
	char		*typed = r->approval_typed;
	static const char *const names[] = { "pending", "approved",
	    "rejected", "expired", "failed" };

	cJSON_AddStringToObject(d, "code", r->approval);
	cJSON_AddStringToObject(d, "decision", names[a->state]);
	if (a->state == WR_APPROVED || a->state == WR_REJECTED)
		cJSON_AddItemToObject(d, "approver", wr_identity_json(&a->who));
	if (a->reason[0] != '\0')
		cJSON_AddStringToObject(d, "reason", a->reason);
	if (approval_record(r, "approval_answered", d, &err) != 0) {
		runbook_run_say(r, 1, "approval %s: %s: it cannot be recorded, "
		    "nothing runs: %s", r->approval, names[a->state], err.msg);
		approval_clear(r);
		return;
	}
	approval_who(a, r->approval, who, sizeof who);
	r->approval_typed = NULL;
	if (a->state == WR_APPROVED) {
		runbook_run_say(r, 0, "approved by %s", who);
		approval_clear(r);
		runbook_run_go(r, step, typed, who);
	} else if (a->state == WR_REJECTED)
		runbook_run_say(r, 1, "approval %s rejected by %s@%s: %s",
		    r->approval, a->who.user, a->who.host, a->reason[0] ?
		    a->reason : "no reason given");
	else
		runbook_run_say(r, 1, "approval %s %s%s%s: nothing ran (y asks "
		    "again)", r->approval, names[a->state], a->reason[0] ?
		    ": " : "", a->reason);
	free(typed);
	if (a->state != WR_APPROVED)
		approval_clear(r);
}

int
runbook_approval_poll(struct run *r)
{
	struct wr_answer	a;

	if (r->approval[0] == '\0' || r->hub->o.wr == NULL)
		return (0);
	memset(&a, 0, sizeof a);
	warroom_answer_state(r->hub->o.wr, r->approval, &a);
	if (a.state == WR_PENDING && now_ms() >= r->approval_expires) {
		a.state = WR_EXPIRED;
		warroom_withdraw(r->hub->o.wr, r->approval);
	}
	if (a.state == WR_PENDING)
		return (0);
	approval_answered(r, &a);
	return (1);
}

void
runbook_approval_withdraw(struct run *r)
{
	struct wr_answer	a;

	if (r->approval[0] == '\0')
		return;
	if (r->hub->o.wr != NULL)
		warroom_withdraw(r->hub->o.wr, r->approval);
	memset(&a, 0, sizeof a);
	a.state = WR_FAILED;
	strlcpy_(a.reason, "withdrawn by the driver", sizeof a.reason);
	approval_answered(r, &a);
}

int
runbook_approval_line(const struct run *r, int step, char *buf, size_t len)
{
	char	left[16];

	if (r->approval[0] == '\0' || r->approval_step != step)
		return (0);
	fmt_age(left, sizeof left, (r->approval_expires - now_ms()) / 1000);
	snprintf(buf, len, "waiting for approval %s from another person "
	    "(expires in %s): `sitrep approve %s`; c withdraws", r->approval,
	    left, r->approval);
	return (1);
}
