/* follow_int.h: inside the follow view, shared by follow.c (the records,
 * the war room, the keys, approvals) and follow_draw.c (drawing it).
 * Nothing else includes it (tests do). */
#ifndef SITREP_FOLLOW_INT_H
#define SITREP_FOLLOW_INT_H

#include <stdint.h>

#include "follow.h"

#define FOLLOW_LINES_MAX	5000	/* timeline lines kept (the oldest
					 * go first) */

struct follow {
	struct follow_opts	 o;
	char			 inc[24];	/* followed; "" = none */
	int			 showing;
	struct audit_runs	*builder;	/* every record of inc */
	struct audit_run	*runs;		/* its runs, as of ... */
	int			 nruns;
	int			 runs_stale;	/* ... before the last record */
	char			**lines;	/* the timeline: audit_format */
	int			 nlines;
	int			 top;		/* its scroll; -1 = the tail */
	int			 page;		/* its rows when last drawn */
	uint64_t		 records;	/* fed */
	int64_t			 last_ms;	/* time of the last record, 0 */
	struct wr_view		 view;		/* the last warroom_view */
	int			 have_view;
	struct wr_request	*reqs;		/* pending, oldest first */
	int			 nreqs;
	int			 wheel;		/* a handover made us drive */
	int			 drove;		/* we drove at the last view */
	char			 code[WR_CODE_LEN];	/* a dialog's request */
};

/* follow.c */
/* The runs of the incident (rebuilt after new records). */
void		 follow_runs(struct follow *);
/* The run being driven: the open run with the latest record, or NULL. */
const struct audit_run *follow_open_run(struct follow *);
/* "2026-11-21T03:12:45.123Z" as ms since the epoch; 0 when not a time. */
int64_t		 follow_time_ms(const char *);

/* follow_draw.c */
/* The approval banner for request i ("APPROVAL K7QX-2M9D from ..."). */
void		 follow_banner(const struct follow *, int i, char *, size_t);
/* Whether a started step without a finish record is running (a driver is
 * there to finish it), rather than of unknown outcome. */
int		 follow_live(const struct follow *, const struct audit_run *);

#endif
