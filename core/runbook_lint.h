/* runbook_lint.h: inside lint, shared by runbook_lint.c (names, steps,
 * parameters, placeholders) and runbook_lint_exec.c (executor bodies).
 * Nothing else includes it. */
#ifndef SITREP_RUNBOOK_LINT_H
#define SITREP_RUNBOOK_LINT_H

#include <stddef.h>

#include "runbook_int.h"

struct lint {
	struct rb_ctx		*ctx;
	const struct runbook	*rb;
};

/* A word: a letter or _, then letters, digits, _ (and - when dash). */
int		 rbl_ident(const char *, int dash);
/* Whether name is a parameter, a variable or a built-in. */
int		 rbl_known(const struct runbook *, const char *name);
const struct rb_step *rbl_var_step(const struct runbook *, const char *);
/* The line and column of byte off of a string from the file. */
void		 rbl_pos(const struct rb_str *, size_t off, int *line,
		     int *col);
/* Check the placeholders of s: known names; with forbid, none at all
 * (forbid says why).  Returns how many there are. */
int		 rbl_ph(struct lint *, const struct rb_str *, const char *where,
		     const char *forbid);
/* The same for an exec argv element (string parameters need a pattern). */
int		 rbl_ph_argv(struct lint *, const struct rb_str *,
		     const char *where);
/* An executor body; check: it runs in a check or wait step. */
void		 rbl_exec(struct lint *, const struct rb_step *, int check);

#endif
