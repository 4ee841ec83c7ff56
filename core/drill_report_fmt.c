/* drill_report_fmt.c: a drill report as Markdown (the seeds' quarterly DR
 * drill checklist, filled in) and as JSON.  Both come from one list of
 * metrics (rp_metrics) so they never disagree.  Times are UTC. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "drill_report.h"
#include "json_num.h"

#define RP_MAX_METRICS	(DRILL_MAX_PHASES + 4)

struct rp_metric {
	char	 name[96];
	char	 target[48];
	char	 actual[64];
	int	 pass;		/* 1, 0, -1 not measured */
};

static const char *
rp_s(const cJSON *o, const char *k)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, k);

	return (cJSON_IsString(v) ? v->valuestring : NULL);
}

static const char *
rp_or(const char *s, const char *def)
{
	return (s != NULL ? s : def);
}

static int
rp_b(const cJSON *o, const char *k)
{
	return (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, k)));
}

enum rp_tfmt { RP_DATE, RP_HM, RP_HMS, RP_HMS_UTC };

static void
rp_time(char *buf, size_t len, int64_t ms, enum rp_tfmt f)
{
	time_t		t = (time_t)(ms / 1000);
	struct tm	tm;

	if (ms <= 0 || gmtime_r(&t, &tm) == NULL) {
		snprintf(buf, len, "-");
		return;
	}
	if (f == RP_DATE)
		snprintf(buf, len, "%04d-%02d-%02d", tm.tm_year + 1900,
		    tm.tm_mon + 1, tm.tm_mday);
	else if (f == RP_HM)
		snprintf(buf, len, "%02d:%02d UTC", tm.tm_hour, tm.tm_min);
	else
		snprintf(buf, len, "%02d:%02d:%02d%s", tm.tm_hour, tm.tm_min,
		    tm.tm_sec, f == RP_HMS_UTC ? " UTC" : "");
}

static void
rp_min(char *buf, size_t len, int64_t ms)
{
	if (ms < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f min", (double)ms / 60000.0);
}

static const char *
rp_pass(int pass)
{
	return (pass > 0 ? "PASS" : pass == 0 ? "FAIL" : "not measured");
}

/* The metrics table: each phase, the total RTO, the RPO. */
static int
rp_metrics(const struct drill_report *r, struct rp_metric *m)
{
	const cJSON	*ph = cJSON_GetObjectItemCaseSensitive(r->def,
			    "phases"), *p;
	int64_t		 rpo_s = json_int64(r->def, "rpo_seconds", -1);
	int64_t		 rpo_b = json_int64(r->def, "rpo_bytes", -1);
	int		 n = 0, i = 0;

	cJSON_ArrayForEach(p, ph) {
		if (i >= DRILL_MAX_PHASES)
			break;
		snprintf(m[n].name, sizeof m[n].name, "%s Time",
		    rp_s(p, "title") ? rp_s(p, "title") : "?");
		snprintf(m[n].target, sizeof m[n].target, "%lld min",
		    (long long)json_int64(p, "target_minutes", 0));
		rp_min(m[n].actual, sizeof m[n].actual, r->ph[i].done ?
		    r->ph[i].actual_ms : -1);
		m[n++].pass = r->ph[i].done ? r->ph[i].pass : -1;
		i++;
	}
	snprintf(m[n].name, sizeof m[n].name, "Total RTO");
	snprintf(m[n].target, sizeof m[n].target, "%lld min",
	    (long long)json_int64(r->def, "rto_minutes", 0));
	rp_min(m[n].actual, sizeof m[n].actual, r->healthy ?
	    json_int64(r->healthy, "rto_ms", -1) : -1);
	m[n++].pass = r->healthy ? rp_b(r->healthy, "pass") : -1;
	if (rpo_s >= 0 || rpo_b < 0) {
		snprintf(m[n].name, sizeof m[n].name, "Data Loss (RPO), time");
		if (rpo_s >= 0)
			snprintf(m[n].target, sizeof m[n].target, "%lld s",
			    (long long)rpo_s);
		else
			snprintf(m[n].target, sizeof m[n].target, "-");
		if (r->rpo != NULL && json_int64(r->rpo, "lag_ms", -1) >= 0)
			snprintf(m[n].actual, sizeof m[n].actual, "%.1f s",
			    (double)json_int64(r->rpo, "lag_ms", 0) / 1000.0);
		else
			snprintf(m[n].actual, sizeof m[n].actual, "-");
		m[n++].pass = r->rpo ? rp_b(r->rpo, "pass") : -1;
	}
	snprintf(m[n].name, sizeof m[n].name, "Data Loss (RPO), bytes");
	if (rpo_b >= 0)
		snprintf(m[n].target, sizeof m[n].target, "%lld bytes",
		    (long long)rpo_b);
	else
		snprintf(m[n].target, sizeof m[n].target, "-");
	if (r->rpo != NULL && json_int64(r->rpo, "bytes", -1) >= 0)
		snprintf(m[n].actual, sizeof m[n].actual, "%lld bytes",
		    (long long)json_int64(r->rpo, "bytes", 0));
	else
		snprintf(m[n].actual, sizeof m[n].actual, "-");
	m[n++].pass = r->rpo ? rp_b(r->rpo, "pass") : -1;
	return (n);
}

/* Markdown ---------------------------------------------------------------- */

/* One line of text: newlines become spaces, | is escaped (tables). */
static void
rp_md_text(FILE *out, const char *s)
{
	const char	*end;

	if (s == NULL)
		return;
	for (end = s + strlen(s); end > s && strchr(" \n\r\t", end[-1]);)
		end--;
	for (; s < end; s++) {
		if (*s == '\n' || *s == '\r')
			fputc(' ', out);
		else if (*s == '|')
			fputs("\\|", out);
		else
			fputc(*s, out);
	}
}

/* A list; with boxes, "- [x] " for the items done (done may be NULL:
 * none is). */
static void
rp_md_list(FILE *out, const cJSON *list, int boxes,
    const unsigned char *done)
{
	const cJSON	*it;
	int		 i = 0;

	cJSON_ArrayForEach(it, list) {
		if (boxes)
			fprintf(out, "- [%c] ", done != NULL &&
			    i < DRILL_MAX_ITEMS && done[i] ? 'x' : ' ');
		else
			fprintf(out, "- ");
		rp_md_text(out, cJSON_IsString(it) ? it->valuestring : "");
		fputc('\n', out);
		i++;
	}
}

static const char *
rp_type_title(const char *name)
{
	int	t;

	for (t = 0; name != NULL && t < 3; t++)
		if (strcmp(drill_type_name((enum drill_type)t), name) == 0)
			return (drill_type_title((enum drill_type)t));
	return (name != NULL ? name : "?");
}

static void
rp_md_header(const struct drill_report *r, FILE *out)
{
	char	date[16], t0[16], t1[16];
	int	i;

	rp_time(date, sizeof date, r->start_ms, RP_DATE);
	rp_time(t0, sizeof t0, r->start_ms, RP_HM);
	rp_time(t1, sizeof t1, r->end_ms, RP_HM);
	fprintf(out, "# Disaster Recovery Drill - ");
	rp_md_text(out, rp_s(r->def, "title"));
	fprintf(out, "\n\n**Date**: %s\n**Drill**: %s (%s)\n", date,
	    r->drill, r->incident);
	fprintf(out, "**Drill Type**: %s", rp_type_title(rp_s(r->def,
	    "type")));
	fprintf(out, "\n**Participants**: ");
	for (i = 0; i < r->nactors; i++)
		fprintf(out, "%s%s", i ? ", " : "", r->actors[i]);
	fprintf(out, "%s\n**Start Time**: %s\n**End Time**: %s%s\n\n",
	    r->nactors ? "" : "-", t0, r->end_ms ? t1 : "not ended",
	    r->end_ms ? "" : " (the drill was not ended)");
	fprintf(out, "### Pre-Drill Checklist\n\n");
	rp_md_list(out, cJSON_GetObjectItemCaseSensitive(r->def, "pre_drill"),
	    1, r->pre);
}

static void
rp_md_scenario(const struct drill_report *r, FILE *out)
{
	int64_t	rs = json_int64(r->def, "rpo_seconds", -1);
	int64_t	rb = json_int64(r->def, "rpo_bytes", -1);

	fprintf(out, "\n### Drill Scenario\n\n**Scenario**: ");
	rp_md_text(out, rp_s(r->def, "scenario"));
	fprintf(out, "\n**Expected RTO**: %lld minutes\n**Expected RPO**: ",
	    (long long)json_int64(r->def, "rto_minutes", 0));
	if (rs >= 0)
		fprintf(out, "%lld seconds%s", (long long)rs, rb >= 0 ?
		    ", " : "");
	if (rb >= 0)
		fprintf(out, "%lld bytes", (long long)rb);
	fprintf(out, "\n**Success Criteria**:\n");
	rp_md_list(out, cJSON_GetObjectItemCaseSensitive(r->def,
	    "success_criteria"), 0, NULL);
	fprintf(out, "\n**Healthy when**: `");
	rp_md_text(out, rp_s(r->def, "healthy"));
	fprintf(out, "`\n");
}

static void
rp_md_phases(const struct drill_report *r, FILE *out)
{
	const cJSON	*p;
	char		 act[32], t0[16], t1[16];
	int		 i = 0;

	fprintf(out, "\n### Execution Steps\n\n");
	if (r->inject != NULL) {
		rp_time(t0, sizeof t0, json_int64(r->inject, "at_ms", 0),
		    RP_HMS_UTC);
		fprintf(out, "Failure %s at %s", r->declared ? "declared" :
		    "injected", t0);
		if (!r->declared)
			fprintf(out, " (runbook %s, step %s)",
			    rp_or(rp_s(r->inject, "runbook"), "?"),
			    rp_or(rp_s(r->inject, "step"), "?"));
		fprintf(out, ".\n\n");
	} else
		fprintf(out, "The failure was never injected.\n\n");
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(r->def,
	    "phases")) {
		if (i >= DRILL_MAX_PHASES)
			break;
		fprintf(out, "### Phase %d: ", i + 1);
		rp_md_text(out, rp_s(p, "title"));
		fprintf(out, " (Target: %lld minutes)\n",
		    (long long)json_int64(p, "target_minutes", 0));
		rp_md_list(out, cJSON_GetObjectItemCaseSensitive(p,
		    "checklist"), 1, r->ph[i].checked);
		rp_min(act, sizeof act, r->ph[i].done ? r->ph[i].actual_ms :
		    -1);
		rp_time(t0, sizeof t0, r->ph[i].start_ms, RP_HMS);
		rp_time(t1, sizeof t1, r->ph[i].end_ms, RP_HMS);
		fprintf(out, "- **Actual ");
		rp_md_text(out, rp_s(p, "title"));
		if (r->ph[i].done)
			fprintf(out, " Time**: %s (%s to %s UTC): %s\n\n", act,
			    t0, t1, r->ph[i].pass ? "PASS" : "FAIL");
		else
			fprintf(out, " Time**: not done\n\n");
		i++;
	}
}

/* A figure of the RPO record: -1 is unknown (docs/drills.md, the records),
 * said so rather than printed as a number. */
static const char *
rp_md_bytes(char *buf, size_t len, int64_t v)
{
	if (v < 0)
		snprintf(buf, len, "unknown bytes");
	else
		snprintf(buf, len, "%lld bytes", (long long)v);
	return (buf);
}

static const char *
rp_md_secs(char *buf, size_t len, int64_t ms)
{
	if (ms < 0)
		snprintf(buf, len, "unknown");
	else
		snprintf(buf, len, "%.1f s", (double)ms / 1000.0);
	return (buf);
}

static void
rp_md_measures(const struct drill_report *r, FILE *out)
{
	char	t[32], b1[48], s1[48];

	fprintf(out, "### Measurements\n\n");
	if (r->healthy != NULL) {
		rp_time(t, sizeof t, json_int64(r->healthy, "healthy_ms", 0),
		    RP_HMS_UTC);
		fprintf(out, "- RTO: %.1f min (%.0f s), from the %s failure "
		    "to %s, when `", (double)json_int64(r->healthy, "rto_ms", 0) /
		    60000.0, (double)json_int64(r->healthy, "rto_ms", 0) / 1000.0,
		    r->declared ? "declared" : "injected", t);
		rp_md_text(out, rp_s(r->healthy, "condition"));
		fprintf(out, "` held again.\n");
	} else
		fprintf(out, "- RTO: not measured (healthy never held again "
		    "after the outage was seen).\n");
	if (r->rpo == NULL) {
		fprintf(out, "- RPO: not measured (%s).\n",
		    rp_s(r->def, "rpo_at") ? "the failover step never ran" :
		    "the drill has no rpo_at step");
		return;
	}
	rp_time(t, sizeof t, json_int64(r->rpo, "at_ms", 0), RP_HMS_UTC);
	fprintf(out, "- RPO at failover (%s, step %s, promoting %s): %s, %s.\n",
	    t, rp_or(rp_s(r->rpo, "step"), "?"),
	    rp_or(rp_s(r->rpo, "standby"), "?"),
	    rp_md_bytes(b1, sizeof b1, json_int64(r->rpo, "bytes", -1)),
	    rp_md_secs(s1, sizeof s1, json_int64(r->rpo, "lag_ms", -1)));
	rp_time(t, sizeof t, json_int64(r->rpo, "seen_ms", 0), RP_HMS_UTC);
	fprintf(out, "  - not received by the standby: %s "
	    "(pg_stat_replication on %s, last seen connected at %s; "
	    "replay lag %s)\n",
	    rp_md_bytes(b1, sizeof b1, json_int64(r->rpo, "unreceived_bytes", -1)),
	    rp_or(rp_s(r->rpo, "seen_primary"), "?"),
	    json_int64(r->rpo, "seen_ms", -1) > 0 ? t : "(unknown)",
	    rp_md_secs(s1, sizeof s1, json_int64(r->rpo, "replay_lag_ms", -1)));
	fprintf(out, "  - received, not yet replayed on %s at failover: "
	    "%s (replay lag %s)\n", rp_or(rp_s(r->rpo, "standby"), "?"),
	    rp_md_bytes(b1, sizeof b1, json_int64(r->rpo, "unreplayed_bytes", -1)),
	    rp_md_secs(s1, sizeof s1, json_int64(r->rpo, "unreplayed_lag_ms", -1)));
	fprintf(out, "  - outbox pending: %lld at injection, %lld at "
	    "failover, %lld at the end\n",
	    (long long)json_int64(r->rpo, "outbox_pending_at_inject", -1),
	    (long long)json_int64(r->rpo, "outbox_pending", -1),
	    (long long)r->outbox_end);
}

static void
rp_md_observations(const struct drill_report *r, FILE *out)
{
	static const char *const kinds[][2] = {
		{ "went-well", "What Went Well" },
		{ "went-wrong", "What Went Wrong" },
	};
	const cJSON	*o;
	int		 k, n;

	fprintf(out, "\n### Observations\n");
	for (k = 0; k < 2; k++) {
		fprintf(out, "\n### %s\n", kinds[k][1]);
		n = 0;
		cJSON_ArrayForEach(o, r->obs) {
			if (rp_s(o, "kind") == NULL ||
			    strcmp(rp_s(o, "kind"), kinds[k][0]) != 0)
				continue;
			fprintf(out, "- ");
			rp_md_text(out, rp_s(o, "text"));
			fputc('\n', out);
			n++;
		}
		if (n == 0)
			fprintf(out, "- \n");
	}
	fprintf(out, "\n### Improvement Actions\n| Action | Owner | Due Date "
	    "| Priority |\n|--------|-------|----------|----------|\n");
	cJSON_ArrayForEach(o, r->obs) {
		if (rp_s(o, "kind") == NULL ||
		    strcmp(rp_s(o, "kind"), "action") != 0)
			continue;
		fprintf(out, "| ");
		rp_md_text(out, rp_s(o, "text"));
		fprintf(out, " | ");
		rp_md_text(out, rp_s(o, "owner"));
		fprintf(out, " | ");
		rp_md_text(out, rp_s(o, "due"));
		fprintf(out, " | ");
		rp_md_text(out, rp_s(o, "priority"));
		fprintf(out, " |\n");
	}
}

int
drill_report_md(const struct drill_report *r, FILE *out)
{
	struct rp_metric	 m[RP_MAX_METRICS];
	const cJSON		*it;
	int			 i, n = rp_metrics(r, m);

	rp_md_header(r, out);
	rp_md_scenario(r, out);
	rp_md_phases(r, out);
	rp_md_measures(r, out);
	rp_md_observations(r, out);
	fprintf(out, "\n### Metrics\n\n| Metric | Target | Actual | "
	    "Pass/Fail |\n|--------|--------|--------|-----------|\n");
	for (i = 0; i < n; i++)
		fprintf(out, "| %s | %s | %s | %s |\n", m[i].name,
		    m[i].target, m[i].actual, rp_pass(m[i].pass));
	fprintf(out, "\n### Post-Drill Actions\n\n");
	rp_md_list(out, cJSON_GetObjectItemCaseSensitive(r->def,
	    "post_drill"), 1, NULL);
	fprintf(out, "\n**Sign-off**:\n");
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(r->def,
	    "signoff")) {
		fprintf(out, "- ");
		rp_md_text(out, cJSON_IsString(it) ? it->valuestring : "");
		fprintf(out, ": ___________________\n");
	}
	return (ferror(out) ? -1 : 0);
}

/* JSON --------------------------------------------------------------------- */

static cJSON *
rp_json_list(const cJSON *list, const unsigned char *done)
{
	cJSON		*a = cJSON_CreateArray(), *o;
	const cJSON	*it;
	int		 i = 0;

	cJSON_ArrayForEach(it, list) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "item", cJSON_IsString(it) ?
		    it->valuestring : "");
		cJSON_AddBoolToObject(o, "done", i < DRILL_MAX_ITEMS &&
		    done[i]);
		cJSON_AddItemToArray(a, o);
		i++;
	}
	return (a);
}

static cJSON *
rp_json_phases(const struct drill_report *r)
{
	cJSON		*a = cJSON_CreateArray(), *o;
	const cJSON	*p;
	int		 i = 0;

	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(r->def,
	    "phases")) {
		if (i >= DRILL_MAX_PHASES)
			break;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", rp_or(rp_s(p, "id"), ""));
		cJSON_AddStringToObject(o, "title", rp_or(rp_s(p, "title"), ""));
		cJSON_AddNumberToObject(o, "target_minutes",
		    (double)json_int64(p, "target_minutes", 0));
		cJSON_AddBoolToObject(o, "done", r->ph[i].done);
		if (r->ph[i].done) {
			cJSON_AddNumberToObject(o, "start_ms",
			    (double)r->ph[i].start_ms);
			cJSON_AddNumberToObject(o, "end_ms",
			    (double)r->ph[i].end_ms);
			cJSON_AddNumberToObject(o, "actual_ms",
			    (double)r->ph[i].actual_ms);
			cJSON_AddBoolToObject(o, "pass", r->ph[i].pass);
		}
		cJSON_AddItemToObject(o, "checklist", rp_json_list(
		    cJSON_GetObjectItemCaseSensitive(p, "checklist"),
		    r->ph[i].checked));
		cJSON_AddItemToArray(a, o);
		i++;
	}
	return (a);
}

static cJSON *
rp_json_metrics(const struct drill_report *r)
{
	struct rp_metric	 m[RP_MAX_METRICS];
	cJSON			*a = cJSON_CreateArray(), *o;
	int			 i, n = rp_metrics(r, m);

	for (i = 0; i < n; i++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "metric", m[i].name);
		cJSON_AddStringToObject(o, "target", m[i].target);
		cJSON_AddStringToObject(o, "actual", m[i].actual);
		if (m[i].pass < 0)
			cJSON_AddNullToObject(o, "pass");
		else
			cJSON_AddBoolToObject(o, "pass", m[i].pass);
		cJSON_AddItemToArray(a, o);
	}
	return (a);
}

static void
rp_json_copy(cJSON *j, const char *k, const cJSON *v)
{
	if (v != NULL)
		cJSON_AddItemToObject(j, k, cJSON_Duplicate(v, 1));
	else
		cJSON_AddNullToObject(j, k);
}

cJSON *
drill_report_to_json(const struct drill_report *r)
{
	cJSON	*j = cJSON_CreateObject(), *a;
	int	 i;

	cJSON_AddStringToObject(j, "drill", r->drill);
	cJSON_AddStringToObject(j, "incident", r->incident);
	rp_json_copy(j, "definition", r->def);
	cJSON_AddNumberToObject(j, "start_ms", (double)r->start_ms);
	if (r->end_ms > 0)
		cJSON_AddNumberToObject(j, "end_ms", (double)r->end_ms);
	else
		cJSON_AddNullToObject(j, "end_ms");
	a = cJSON_AddArrayToObject(j, "participants");
	for (i = 0; i < r->nactors; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(r->actors[i]));
	cJSON_AddItemToObject(j, "pre_drill", rp_json_list(
	    cJSON_GetObjectItemCaseSensitive(r->def, "pre_drill"), r->pre));
	cJSON_AddItemToObject(j, "phases", rp_json_phases(r));
	cJSON_AddStringToObject(j, "failure", r->inject == NULL ? "none" :
	    r->declared ? "declared" : "injected");
	rp_json_copy(j, "inject", r->inject);
	rp_json_copy(j, "rto", r->healthy);
	rp_json_copy(j, "rpo", r->rpo);
	if (r->outbox_end >= 0)
		cJSON_AddNumberToObject(j, "outbox_pending_end",
		    (double)r->outbox_end);
	rp_json_copy(j, "observations", r->obs);
	cJSON_AddItemToObject(j, "metrics", rp_json_metrics(r));
	return (j);
}

int
drill_report_json(const struct drill_report *r, FILE *out)
{
	cJSON	*j = drill_report_to_json(r);
	char	*s = cJSON_Print(j);

	fprintf(out, "%s\n", s);
	free(s);
	cJSON_Delete(j);
	return (ferror(out) ? -1 : 0);
}
