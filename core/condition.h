/* condition.h: the small expression language of runbook `when:` and
 * `until:`, evaluated over values by our own parser (never a shell).
 *
 *   expr    := or
 *   or      := and { "or" and }
 *   and     := unary { "and" unary }
 *   unary   := "not" unary | "(" expr ")" | compare
 *   compare := operand [ op operand ]          (no op: true when the value
 *                                               is non-empty, not "0",
 *                                               "false" or "no")
 *   op      := == != < <= > >= contains | matches /ERE/
 *   operand := {{name}} | "text" | 'text' | a bare word
 *
 * < <= > >= and == != compare numerically when both sides are numbers
 * (strtod, whole string), else as strings (bytewise).  "matches" takes a
 * POSIX extended regular expression between slashes (\/ for a slash), not
 * anchored.  A placeholder whose name the lookup does not know makes the
 * evaluation an error, never silently false. */
#ifndef SITREP_CONDITION_H
#define SITREP_CONDITION_H

#include <stddef.h>

#include "util.h"

struct cond;

/* Compile text.  NULL and err (with the byte offset in *erroff, if not
 * NULL) on a syntax error or a regex that does not compile. */
struct cond	*cond_parse(const char *text, struct error *, size_t *erroff);
void		 cond_free(struct cond *);

/* The value of a placeholder name, or NULL when unknown. */
typedef const char *(*cond_lookup_fn)(void *arg, const char *name);

/* 1 true, 0 false, -1 error (an unknown name; err says which). */
int		 cond_eval(const struct cond *, cond_lookup_fn, void *arg,
		     struct error *);

/* Call fn for every placeholder name in the condition, with its byte
 * offset in the text (for lint).  Returns how many. */
int		 cond_names(const struct cond *, void (*fn)(void *,
		     const char *name, size_t off), void *arg);

/* The first placeholder name in the condition (the "current value" a wait
 * step shows), or NULL. */
const char	*cond_first_name(const struct cond *);

#endif
