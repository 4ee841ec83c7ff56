/* drill_report.c: reading a drill back from the trail.  Two passes over
 * the JSON lines: the first finds the drill (its incident, or the latest
 * drill_start of a definition id), the second applies its records in
 * order.  Lines that are not JSON objects (a torn tail) are skipped: the
 * trail's integrity is `sitrep audit verify`'s business.  The formats are
 * drill_report_fmt.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "drill_report.h"
#include "json_num.h"
#include "xmalloc.h"

static const char *
rp_s(const cJSON *o, const char *k)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, k);

	return (cJSON_IsString(v) ? v->valuestring : NULL);
}

/* Call fn for every record of the trail; 0, or -1 and err. */
static int
rp_each(const char *trail, void (*fn)(void *, cJSON *), void *arg,
    struct error *err)
{
	FILE	*f;
	char	*line = NULL;
	size_t	 cap = 0;
	cJSON	*j;

	if ((f = fopen(trail, "r")) == NULL) {
		error_set(err, "%s: %s", trail, strerror(errno));
		return (-1);
	}
	while (getline(&line, &cap, f) > 0) {
		if ((j = cJSON_Parse(line)) == NULL)
			continue;
		if (cJSON_IsObject(j))
			fn(arg, j);
		cJSON_Delete(j);
	}
	free(line);
	fclose(f);
	return (0);
}

/* Pass 1 ------------------------------------------------------------------- */

struct rp_find {
	const char	*id;
	char		 incident[64];
};

static void
rp_find(void *arg, cJSON *j)
{
	struct rp_find	*f = arg;
	const cJSON	*d = cJSON_GetObjectItemCaseSensitive(j, "data");
	const char	*type = rp_s(j, "type"), *inc = rp_s(j, "incident");
	const char	*drill = rp_s(d, "drill");

	if (type == NULL || strcmp(type, "drill_start") != 0 || inc == NULL)
		return;
	if (strcmp(inc, f->id) == 0 || (drill != NULL &&
	    strcmp(drill, f->id) == 0))
		snprintf(f->incident, sizeof f->incident, "%s", inc);
}

/* Pass 2 ------------------------------------------------------------------- */

/* A participant: a record's actor, or the approver of a two-person step
 * (who wrote no record in this trail but took part). */
static void
rp_who(struct drill_report *r, const cJSON *a)
{
	const char	*u = rp_s(a, "user"), *h = rp_s(a, "host");
	char		*who;
	int		 i;

	if (u == NULL)
		return;
	xasprintf(&who, "%s@%s", u, h ? h : "?");
	for (i = 0; i < r->nactors; i++)
		if (strcmp(r->actors[i], who) == 0) {
			free(who);
			return;
		}
	r->actors = xreallocarray(r->actors, r->nactors + 1,
	    sizeof *r->actors);
	r->actors[r->nactors++] = who;
}

static void
rp_actor(struct drill_report *r, const cJSON *j)
{
	const cJSON	*d = cJSON_GetObjectItemCaseSensitive(j, "data");
	const char	*type = rp_s(j, "type");

	rp_who(r, cJSON_GetObjectItemCaseSensitive(j, "actor"));
	if (type != NULL && strcmp(type, "approval_answered") == 0)
		rp_who(r, cJSON_GetObjectItemCaseSensitive(d, "approver"));
}

static int
rp_phase_index(const struct drill_report *r, const char *id)
{
	const cJSON	*ph = cJSON_GetObjectItemCaseSensitive(r->def,
			    "phases");
	int		 i = 0;
	const cJSON	*p;

	cJSON_ArrayForEach(p, ph) {
		if (id != NULL && rp_s(p, "id") != NULL &&
		    strcmp(rp_s(p, "id"), id) == 0)
			return (i);
		i++;
	}
	return (-1);
}

static void
rp_checklist(struct drill_report *r, const cJSON *d)
{
	const char	*list = rp_s(d, "list");
	int64_t		 item = json_int64(d, "item", -1);
	int		 done = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d,
			    "done")), k;

	if (list == NULL || item < 0 || item >= DRILL_MAX_ITEMS)
		return;
	if (strcmp(list, "pre") == 0)
		r->pre[item] = done;
	else if ((k = rp_phase_index(r, list)) >= 0)
		r->ph[k].checked[item] = done;
}

static void
rp_phase(struct drill_report *r, const cJSON *d)
{
	int	k = rp_phase_index(r, rp_s(d, "phase"));

	if (k < 0)
		return;
	r->ph[k].done = 1;
	r->ph[k].pass = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d,
	    "pass"));
	r->ph[k].start_ms = json_int64(d, "start_ms", 0);
	r->ph[k].end_ms = json_int64(d, "end_ms", 0);
	r->ph[k].actual_ms = json_int64(d, "actual_ms", 0);
}

static void
rp_keep(cJSON **slot, const cJSON *d)
{
	cJSON_Delete(*slot);
	*slot = cJSON_Duplicate(d, 1);
}

static void
rp_start(struct drill_report *r, const cJSON *d)
{
	cJSON	*ph;

	/* A drill started again under the same incident starts afresh. */
	cJSON_Delete(r->inject);
	cJSON_Delete(r->healthy);
	cJSON_Delete(r->rpo);
	r->inject = r->healthy = r->rpo = NULL;
	cJSON_Delete(r->obs);
	r->obs = cJSON_CreateArray();
	memset(r->pre, 0, sizeof r->pre);
	memset(r->ph, 0, sizeof r->ph);
	r->end_ms = 0;
	rp_keep(&r->def, d);
	snprintf(r->drill, sizeof r->drill, "%s", rp_s(d, "drill") ?
	    rp_s(d, "drill") : "");
	r->start_ms = json_int64(d, "at_ms", 0);
	ph = cJSON_GetObjectItemCaseSensitive(r->def, "phases");
	r->nphases = cJSON_GetArraySize(ph);
	if (r->nphases > DRILL_MAX_PHASES)
		r->nphases = DRILL_MAX_PHASES;
}

static void
rp_apply(void *arg, cJSON *j)
{
	struct drill_report	*r = arg;
	const cJSON		*d = cJSON_GetObjectItemCaseSensitive(j,
				    "data");
	const char		*type = rp_s(j, "type"), *inc;
	int64_t			 ob;

	if ((inc = rp_s(j, "incident")) == NULL ||
	    strcmp(inc, r->incident) != 0 || type == NULL)
		return;
	rp_actor(r, j);
	if (strcmp(type, "drill_start") == 0)
		rp_start(r, d);
	if (r->def == NULL || strncmp(type, "drill_", 6) != 0)
		return;
	if ((ob = json_int64(d, "outbox_pending", -1)) >= 0)
		r->outbox_end = ob;
	if (strcmp(type, "drill_checklist") == 0)
		rp_checklist(r, d);
	else if (strcmp(type, "drill_inject") == 0 ||
	    strcmp(type, "drill_declared") == 0) {
		rp_keep(&r->inject, d);
		r->declared = type[6] == 'd';
	} else if (strcmp(type, "drill_phase") == 0)
		rp_phase(r, d);
	else if (strcmp(type, "drill_rpo") == 0)
		rp_keep(&r->rpo, d);
	else if (strcmp(type, "drill_healthy") == 0)
		rp_keep(&r->healthy, d);
	else if (strcmp(type, "drill_observation") == 0)
		cJSON_AddItemToArray(r->obs, cJSON_Duplicate(d, 1));
	else if (strcmp(type, "drill_end") == 0) {
		r->end_ms = json_int64(d, "at_ms", 0);
		snprintf(r->end_reason, sizeof r->end_reason, "%s",
		    rp_s(d, "reason") ? rp_s(d, "reason") : "");
	}
}

struct drill_report *
drill_report_read(const char *trail, const char *id, struct error *err)
{
	struct drill_report	*r;
	struct rp_find		 f;

	memset(&f, 0, sizeof f);
	f.id = id;
	if (rp_each(trail, rp_find, &f, err) != 0)
		return (NULL);
	if (f.incident[0] == '\0') {
		error_set(err, "%s: no drill %s in the trail", trail, id);
		return (NULL);
	}
	r = xcalloc(1, sizeof *r);
	snprintf(r->incident, sizeof r->incident, "%s", f.incident);
	r->outbox_end = -1;
	if (rp_each(trail, rp_apply, r, err) != 0 || r->def == NULL) {
		if (r->def == NULL)
			error_set(err, "%s: no drill %s in the trail", trail,
			    id);
		drill_report_free(r);
		return (NULL);
	}
	return (r);
}

void
drill_report_free(struct drill_report *r)
{
	int	i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nactors; i++)
		free(r->actors[i]);
	free(r->actors);
	cJSON_Delete(r->def);
	cJSON_Delete(r->inject);
	cJSON_Delete(r->healthy);
	cJSON_Delete(r->rpo);
	cJSON_Delete(r->obs);
	free(r);
}
