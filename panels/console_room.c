/* console_room.c: what the console adds for several people and for
 * drills: the follow view (sitrep follow, :follow), the drill board
 * (sitrep drill start, :drill), joining the war room for the incident
 * this console drives, and the records those need in the trail (an
 * approver's answer, drill events), each durable before it counts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "console_int.h"
#include "drills.h"
#include "follow.h"
#include "runbooks.h"
#include "util.h"
#include "warroom.h"

/* drills_opts.record: a drill record, through the trail. */
static int
room_record(void *arg, const char *type, const char *incident, cJSON *data,
    struct error *err)
{
	struct console		*c = arg;
	struct audit_entry	 e;

	if (c->hooks.audit == NULL) {
		cJSON_Delete(data);
		error_set(err, "the audit trail is not open");
		return (-1);
	}
	memset(&e, 0, sizeof e);
	e.type = type;
	e.incident = incident;
	e.step = -1;
	e.data = data;
	return (audit_append(c->hooks.audit, &e, err));
}

/* follow_opts.answer_intent: the approver's own record, first. */
static int
room_answer_intent(void *arg, const struct wr_request *req, int approve,
    const char *reason, struct error *err)
{
	struct console	*c = arg;
	cJSON		*d = cJSON_CreateObject();

	cJSON_AddStringToObject(d, "code", req->code);
	cJSON_AddStringToObject(d, "decision", approve ? "approve" :
	    "reject");
	cJSON_AddStringToObject(d, "runbook", req->runbook);
	cJSON_AddStringToObject(d, "step_id", req->step_id);
	cJSON_AddStringToObject(d, "title", req->title);
	cJSON_AddItemToObject(d, "requester", wr_identity_json(
	    &req->requester));
	if (c->hooks.self != NULL)
		cJSON_AddItemToObject(d, "approver",
		    wr_identity_json(c->hooks.self));
	if (reason != NULL && *reason != '\0')
		cJSON_AddStringToObject(d, "reason", reason);
	return (room_record(c, "approval_answer", req->incident, d, err));
}

/* follow_opts.adopt: we were handed the wheel. */
static void
room_adopt(void *arg, const char *incident, const struct audit_run *run)
{
	struct console	*c = arg;

	if (runbooks_adopt(c->runbooks, incident, run != NULL ?
	    audit_run_json(run) : NULL) == 0)
		follow_hide(c->follow);
}

int
console_observe(void *arg, const struct engine_event *ev)
{
	struct console	*c = arg;

	if (c->drills != NULL)
		drills_engine_event(c->drills, ev);
	return (0);
}

void
console_room_new(struct console *c)
{
	struct follow_opts	fo;
	struct drills_opts	dop;

	memset(&fo, 0, sizeof fo);
	fo.host = &c->host;
	fo.wr = c->hooks.wr;
	fo.self = c->hooks.self;
	fo.adopt = room_adopt;
	fo.adopt_arg = c;
	fo.answer_intent = room_answer_intent;
	fo.answer_arg = c;
	c->follow = follow_new(&fo);
	memset(&dop, 0, sizeof dop);
	dop.host = &c->host;
	dop.hub = c->runbooks;
	dop.store = c->store;
	dop.record = room_record;
	dop.record_arg = c;
	dop.env = c->opts.env;
	c->drills = drills_new(&dop);
}

void
console_room_free(struct console *c)
{
	drills_free(c->drills);
	c->drills = NULL;
	follow_free(c->follow);
	c->follow = NULL;
}

void
console_room_start(struct console *c)
{
	if (c->opts.follow != NULL)
		console_cmd_follow(c, c->opts.follow);
	if (c->opts.drill != NULL)
		console_cmd_drill(c, c->opts.drill);
}

/* The incident this console drives is the war room's: join it (unless we
 * follow another one). */
static void
room_join(struct console *c)
{
	const char	*inc = runbooks_incident(c->runbooks);
	const char	*fol = follow_incident(c->follow);
	struct wr_view	 v;

	if (c->hooks.wr == NULL || inc == NULL)
		return;
	if (fol != NULL && strcmp(fol, inc) != 0)
		return;
	warroom_view(c->hooks.wr, &v);
	if (strcmp(v.incident, inc) == 0)
		return;
	warroom_join(c->hooks.wr, inc, WR_DRIVING);
}

void
console_room_poll(struct console *c)
{
	room_join(c);
	if (follow_poll(c->follow))
		c->all_dirty = 1;
	if (drills_poll(c->drills, now_ms()))
		c->all_dirty = 1;
}

void
console_cmd_follow(struct console *c, const char *arg)
{
	const char	*cur = follow_incident(c->follow);

	if ((arg == NULL || *arg == '\0') && cur == NULL) {
		console_message(c, 1, ":follow INCIDENT (INC-YYYYMMDD-NNNN)");
		return;
	}
	if (c->hooks.wr == NULL)
		console_message(c, 1, "no war room (warroom: in the "
		    "configuration, or --warroom URL): nothing to follow");
	runbooks_hide(c->runbooks);
	drills_hide(c->drills);
	follow_open(c->follow, arg != NULL && *arg != '\0' ? arg : cur);
	c->all_dirty = 1;
}

void
console_cmd_drill(struct console *c, const char *arg)
{
	runbooks_hide(c->runbooks);
	if (c->follow != NULL)
		follow_hide(c->follow);
	drills_open(c->drills, arg);
	c->all_dirty = 1;
}
