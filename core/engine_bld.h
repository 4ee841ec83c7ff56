/* engine_bld.h: inside rendering, shared by engine_render.c (placeholder
 * substitution, the step, the render API) and engine_req.c (each
 * executor's request).  A build makes the real request and its redacted
 * description in one pass.  Nothing else includes it. */
#ifndef SITREP_ENGINE_BLD_H
#define SITREP_ENGINE_BLD_H

#include "engine_int.h"

#define SUB_URL		0x1	/* percent-encode values */
#define SUB_ARGV	0x2	/* a whole argv element: no leading '-' */
#define SUB_NOCTL	0x4	/* no control characters */
#define SUB_NAME	0x8	/* an object name: no leading '-' */

struct sv {
	char	*real;
	char	*disp;
};

struct bld {
	struct engine		*e;
	int			 partial;
	int			 incomplete;
	int			 failed;
	struct error		*err;
	struct eng_req		 req;		/* real */
	struct engine_render	*r;		/* display */
};

void	 bld_push(char ***, int *, char *);
void	 bld_fail(struct bld *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* A line of the card (already escaped by the caller). */
void	 bld_line(struct bld *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Each line of s, escaped, prefixed, as lines of the card. */
void	 bld_text_lines(struct bld *, const char *s, const char *prefix);
/* t with its placeholders replaced (flags SUB_*): out->real for the
 * request, out->disp for the screen.  0, or -1 (bld_fail). */
int	 bld_subst(struct bld *, const char *t, int flags, struct sv *out);
void	 bld_sv_free(struct sv *);
/* Add "key=real" to the request and "key=disp" to its description. */
void	 bld_arg(struct bld *, const char *key, const char *real,
	    const char *disp);
void	 bld_lit(struct bld *, const char *key, const char *v);
/* Substitute t and add it as key; the display copy into *disp (caller
 * frees) unless disp is NULL.  t NULL: nothing. */
int	 bld_sub(struct bld *, const char *key, const char *t, int flags,
	    char **disp);
/* timeout= and read_only=1 (checks). */
void	 bld_timeout(struct bld *, const struct rb_exec *, int check);
/* The request of an executor body (engine_req.c). */
void	 bld_exec_body(struct bld *, const struct rb_exec *, int check);

#endif
