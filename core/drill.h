/* drill.h: DR drills as data (docs/drills.md).  A drill is a YAML file in
 * a runbook directory's drills/ subdirectory (or $SITREP_DRILLS): what is
 * drilled (type, scenario, targets, success criteria, the pre-drill
 * checklist, the phases with their targets and checklists), which runbook
 * injects the failure, which runbook responds, the step at which the RPO
 * is measured, and the condition over live figures that says the platform
 * is healthy again (the end of the RTO).
 *
 * This module reads a drill (libyaml, through the runbook reader's YAML
 * tree), checks it (diagnostics "FILE:LINE:COL: message", like
 * runbook_lint), checks its references against a runbook library, finds
 * the drills on disk, and computes the live figures a `healthy:`
 * condition names from the store's snapshots.  The measuring itself is
 * core/drill_run.h; the report core/drill_report.h. */
#ifndef SITREP_DRILL_H
#define SITREP_DRILL_H

#include "runbook.h"

struct cond;
struct snapshot;

enum drill_type { DRILL_FULL_FAILOVER, DRILL_DB_RESTORE, DRILL_PARTIAL_OUTAGE };

#define DRILL_MAX_PHASES	16
#define DRILL_MAX_ITEMS		32	/* per checklist */

struct drill_phase {
	struct rb_str	 id;
	struct rb_str	 title;
	int		 target_min;	/* minutes, > 0 */
	struct rb_str	*checklist;
	int		 nchecklist;
	int		 line, col;
};

/* A runbook and the steps of it that mark a moment (the injection, the
 * failover). */
struct drill_ref {
	struct rb_str	 runbook;
	struct rb_str	*steps;
	int		 nsteps;
	struct rb_str	 standby;	/* rpo_at: the promoted server, fixed or
					 * "{{param}}" of the run; NULL = the
					 * most advanced standby */
	int		 line, col;
};

struct drill {
	char		*path;
	char		 sha256[65];	/* of the file's bytes */
	struct rb_str	 id;
	struct rb_str	 title;
	enum drill_type	 type;
	struct rb_str	 scenario;
	int		 rto_min;
	long long	 rpo_s;		/* -1 = no target in seconds */
	long long	 rpo_bytes;	/* -1 = no target in bytes */
	struct rb_str	*criteria;	/* success_criteria */
	int		 ncriteria;
	struct rb_str	*pre;		/* pre_drill checklist */
	int		 npre;
	struct drill_ref inject;
	struct rb_str	 runbook;	/* the response runbook */
	struct drill_ref rpo_at;	/* runbook.s NULL: no RPO measured */
	struct rb_str	 healthy;
	struct cond	*healthy_c;
	struct drill_phase *phases;
	int		 nphases;
	struct rb_str	*post;		/* post_drill actions */
	int		 npost;
	struct rb_str	*signoff;	/* roles that sign */
	int		 nsignoff;
	int		 nproblems;
	char		*first_problem;
};

/* Parse and lint text (no file system, no library).  NULL only when the
 * text is not a YAML mapping at all (the reason is in diags). */
struct drill	*drill_parse(const char *buf, size_t len, const char *name,
		     struct rb_diags *);
/* Read (at most RB_MAX_FILE bytes; a file writable by group or others is
 * refused unless RB_NO_PERM_CHECK) and parse. */
struct drill	*drill_load(const char *path, int flags, struct rb_diags *);
void		 drill_free(struct drill *);
/* The references: the inject, response and rpo_at runbooks exist in lib,
 * the named steps exist in them.  Adds to nproblems. */
int		 drill_check_refs(struct drill *, const struct rb_library *,
		     struct rb_diags *);

const char	*drill_type_name(enum drill_type);	/* "full-failover" */
const char	*drill_type_title(enum drill_type);	/* "Full Failover" */
int		 drill_ref_has_step(const struct drill_ref *, const char *);

/* The library ------------------------------------------------------------ */

/* Directories: $SITREP_DRILLS (':'-separated), then DIR/drills for every
 * runbook directory (dirs, or runbook_dirs() when NULL).  Fills up to n
 * malloc'ed paths; returns how many. */
int		 drill_dirs(char **dirs, int ndirs, char **out, int n);

struct drill_library {
	struct drill	**v;		/* sorted by id */
	int		  n;
};
/* Every *.yaml / *.yml of the drill directories; references checked
 * against rbl (may be NULL: not checked). */
struct drill_library *drill_library_load(char **dirs, int ndirs, int flags,
		     const struct rb_library *rbl, struct rb_diags *);
/* Exactly the drill directories given (lint DIR). */
struct drill_library *drill_library_load_from(char **drilldirs, int n,
		     int flags, const struct rb_library *rbl, struct rb_diags *);
void		 drill_library_free(struct drill_library *);
const struct drill *drill_library_find(const struct drill_library *,
		     const char *id);

/* Live figures ------------------------------------------------------------ */

/* The names a healthy: condition may use, " a b c ". */
extern const char drill_var_names[];

#define DRILL_NVARS	16
struct drill_vars {
	char	 name[DRILL_NVARS][32];
	char	 value[DRILL_NVARS][24];
	int	 n;
};
/* Fill the figures from the newest snapshots (each may be NULL: its
 * figures stay unset, and a condition naming them is an error). */
void		 drill_vars_fill(struct drill_vars *,
		     struct snapshot *const snaps[]);	/* by snap_kind */
/* A cond_lookup_fn over struct drill_vars. */
const char	*drill_vars_lookup(void *vars, const char *name);

#endif
