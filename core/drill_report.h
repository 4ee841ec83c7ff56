/* drill_report.h: a drill's report, built from the audit trail alone (the
 * drill_* records of drill_run.h, and the actors of every record of the
 * drill's incident), in the layout of the seeds' quarterly DR drill
 * checklist: Markdown for people, JSON with the same figures for tools.
 *
 *   struct drill_report *rep = drill_report_read(trail, id, &err);
 *   drill_report_md(rep, out);  drill_report_json(rep, out);
 *   drill_report_free(rep);
 *
 * id is the drill's incident (INC-...), or a drill definition's id (its
 * latest run in the trail). */
#ifndef SITREP_DRILL_REPORT_H
#define SITREP_DRILL_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "drill.h"
#include "util.h"

struct cJSON;

struct drill_report_phase {
	int		 done, pass;
	int64_t		 start_ms, end_ms, actual_ms;
	unsigned char	 checked[DRILL_MAX_ITEMS];
};

struct drill_report {
	char			 incident[64];
	char			 drill[64];
	struct cJSON		*def;		/* drill_start's data */
	int64_t			 start_ms, end_ms;	/* end 0: not ended */
	char			 end_reason[256];
	char			**actors;	/* "user@host", in order seen */
	int			 nactors;
	unsigned char		 pre[DRILL_MAX_ITEMS];
	struct drill_report_phase ph[DRILL_MAX_PHASES];
	int			 nphases;	/* in the definition */
	struct cJSON		*inject;	/* drill_inject / drill_declared
						 * data, or NULL */
	int			 declared;
	struct cJSON		*healthy;	/* drill_healthy data, or NULL */
	struct cJSON		*rpo;		/* drill_rpo data, or NULL */
	struct cJSON		*obs;		/* array of observation data */
	int64_t			 outbox_end;	/* newest outbox figure, -1 */
};

/* 0, or -1 and err (the trail unreadable, no drill of that id in it). */
struct drill_report *drill_report_read(const char *trail, const char *id,
		     struct error *);
void		 drill_report_free(struct drill_report *);
int		 drill_report_md(const struct drill_report *, FILE *);
int		 drill_report_json(const struct drill_report *, FILE *);
/* The JSON object itself (caller deletes). */
struct cJSON	*drill_report_to_json(const struct drill_report *);

#endif
