/* drill_int.h: inside the drill run, shared by drill_run.c (the
 * operator's moves, the records) and drill_watch.c (what the engine
 * events and the snapshots say).  Nothing else includes it. */
#ifndef SITREP_DRILL_INT_H
#define SITREP_DRILL_INT_H

#include "drill_run.h"

struct cJSON;

int64_t		 dr_now(const struct drill_run *);
/* {"drill": ID, "at_ms": at}: the members every drill record has. */
struct cJSON	*dr_data(const struct drill_run *, int64_t at);
void		 dr_num(struct cJSON *, const char *, int64_t);
void		 dr_str(struct cJSON *, const char *, const char *);
/* Record (takes data); -1 and err (also in r->last_error) when not. */
int		 dr_record(struct drill_run *, const char *type, struct cJSON *,
		     struct error *);
/* The failure is in: phases start, the RTO clock runs. */
void		 dr_injected(struct drill_run *, const char *how,
		     const char *step, int64_t at);

#endif
