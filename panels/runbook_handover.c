/* runbook_handover.c: passing the wheel of an incident.  The driver runs
 * :handover NAME; after a y the war room moves the driver key to that
 * watcher's session and both consoles record it in their trails
 * ("handover" on the giver's, "handover_taken" on the taker's).  From
 * then on the giver's runs refuse to take steps (runbook_approval.c:
 * runbook_approval_may_drive), and the taker's follow view offers T: the
 * incident's open run, rebuilt from the records of the stream, reopens
 * here as a resumed run (finished steps restored, a step started without
 * a finish record held: outcome unknown). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "dialog.h"
#include "runbook_view.h"
#include "util.h"
#include "warroom.h"
#include "xmalloc.h"

struct handover {
	struct runbooks		*hub;
	struct wr_presence	 to;
	char			 incident[24];
};

static int
handover_record(struct runbooks *h, const char *type, const char *incident,
    const struct wr_identity *from, const struct wr_identity *to,
    struct error *err)
{
	struct audit_entry	e;
	cJSON			*d = cJSON_CreateObject();

	if (h->o.audit == NULL) {
		cJSON_Delete(d);
		error_set(err, "the audit trail is not open");
		return (-1);
	}
	if (from != NULL)
		cJSON_AddItemToObject(d, "from", wr_identity_json(from));
	if (to != NULL)
		cJSON_AddItemToObject(d, "to", wr_identity_json(to));
	memset(&e, 0, sizeof e);
	e.type = type;
	e.incident = incident;
	e.step = -1;
	e.data = d;
	return (audit_append(h->o.audit, &e, err));
}

/* The watcher NAME means: user, user@host or a session prefix. */
static int
handover_match(const struct wr_presence *p, const char *name)
{
	char	who[256];

	wr_identity_name(&p->who, who, sizeof who);
	return (strcmp(p->who.user, name) == 0 || strcmp(who, name) == 0 ||
	    strncmp(p->who.session, name, strlen(name)) == 0);
}

static void
handover_closed(struct panel *p, struct dialog *d, int result)
{
	struct handover	*ho = dialog_data(d);
	struct runbooks	*h = ho->hub;
	struct error	 err;
	char		 who[256];

	wr_identity_name(&ho->to.who, who, sizeof who);
	if (result != DIALOG_CONFIRM) {
		runbooks_say(h, 0, "no handover: you still drive %s",
		    ho->incident);
		free(ho);
		return;
	}
	if (handover_record(h, "handover", ho->incident, h->o.self,
	    &ho->to.who, &err) != 0)
		runbooks_say(h, 1, "handover not recorded, so not done: %s",
		    err.msg);
	else if (warroom_handover(h->o.wr, ho->to.who.session) != 0)
		runbooks_say(h, 1, "handover to %s refused: you do not hold "
		    "the wheel of %s", who, ho->incident);
	else
		runbooks_say(h, 0, "the wheel of %s goes to %s: they take "
		    "over with T in their follow view", ho->incident, who);
	free(ho);
}

static void
handover_watchers(char *buf, size_t len, const struct wr_view *v)
{
	char	who[256];
	int	i;

	buf[0] = '\0';
	for (i = 0; i < v->npeople; i++) {
		if (v->people[i].role != WR_WATCHING)
			continue;
		wr_identity_name(&v->people[i].who, who, sizeof who);
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
		    buf[0] ? ", " : "", who);
	}
}

void
runbooks_handover_cmd(struct runbooks *h, const char *arg)
{
	struct wr_view		 v;
	struct handover		*ho;
	struct dialog		*d;
	char			 list[512], who[256];
	int			 i, found = -1, n = 0;

	if (h->o.wr == NULL) {
		runbooks_say(h, 1, "no war room: nobody to hand over to");
		return;
	}
	warroom_view(h->o.wr, &v);
	if (v.incident[0] == '\0' || v.role != WR_DRIVING) {
		runbooks_say(h, 1, "you do not drive an incident%s%s",
		    v.driver_name[0] ? ": " : "", v.driver_name[0] ?
		    v.driver_name : "");
		return;
	}
	handover_watchers(list, sizeof list, &v);
	if (arg == NULL || *arg == '\0') {
		runbooks_say(h, 0, list[0] ? "watching %s: %s  (:handover "
		    "NAME)" : "nobody watches %s%s yet", v.incident, list);
		return;
	}
	for (i = 0; i < v.npeople; i++)
		if (v.people[i].role == WR_WATCHING &&
		    handover_match(&v.people[i], arg)) {
			found = i;
			n++;
		}
	if (n != 1) {
		runbooks_say(h, 1, n == 0 ? "nobody called '%s' watches; "
		    "watching: %s" : "'%s' names several watchers: %s", arg,
		    list[0] ? list : "nobody");
		return;
	}
	ho = xcalloc(1, sizeof *ho);
	ho->hub = h;
	ho->to = v.people[found];
	strlcpy_(ho->incident, v.incident, sizeof ho->incident);
	wr_identity_name(&ho->to.who, who, sizeof who);
	d = dialog_new("Hand over the wheel?");
	dialog_line(d, ROLE_NORMAL, "Incident %s goes to %s (uid %u%s%s).",
	    v.incident, who, ho->to.who.uid, ho->to.who.ssh[0] ? ", ssh " :
	    "", ho->to.who.ssh);
	dialog_line(d, ROLE_WARN, "Your runs stop taking steps; they take "
	    "over the open run from the records.");
	dialog_hint(d, "y hand over  n/Esc keep the wheel");
	dialog_set_data(d, ho);
	h->o.host->dialog(h->o.host->arg, d, NULL, handover_closed);
}

void
runbooks_take_wheel_cmd(struct runbooks *h)
{
	struct wr_view	v;

	if (h->o.wr == NULL) {
		runbooks_say(h, 1, "no war room");
		return;
	}
	warroom_view(h->o.wr, &v);
	if (v.role == WR_DRIVING) {
		runbooks_say(h, 0, "you already drive %s", v.incident);
		return;
	}
	if (v.driver[0] != '\0') {
		runbooks_say(h, 1, "%s drives %s: ask them to :handover",
		    v.driver_name, v.incident);
		return;
	}
	if (warroom_take_wheel(h->o.wr) != 0)
		runbooks_say(h, 1, "cannot take the wheel now (not joined "
		    "or not connected)");
	else
		runbooks_say(h, 0, "taking the wheel of %s (its driver left)",
		    v.incident);
}

int
runbooks_adopt(struct runbooks *h, const char *incident, struct cJSON *run)
{
	struct error		 err;

	if (run == NULL) {
		runbooks_say(h, 0, "%s has no open run to take over; you "
		    "drive it now", incident);
		return (-1);
	}
	if (h->unfinished == NULL)
		h->unfinished = cJSON_CreateArray();
	if (!cJSON_InsertItemInArray(h->unfinished, 0, run)) {
		cJSON_Delete(run);
		return (-1);
	}
	if (h->inc.id[0] == '\0' || strcmp(h->inc.id, incident) != 0) {
		memset(&h->inc, 0, sizeof h->inc);
		strlcpy_(h->inc.id, incident, sizeof h->inc.id);
		h->inc.opened_ms = now_ms();
	}
	if (handover_record(h, "handover_taken", incident, NULL, h->o.self,
	    &err) != 0)
		runbooks_say(h, 1, "taking over is not recorded: %s", err.msg);
	return (runbooks_resume(h, "1"));
}
