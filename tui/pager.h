/* pager.h: a scrollable box of text lines (help overlay, logs, step output).
 * Lines may carry a role; j/k, arrows, PgUp/PgDn, g/G scroll. */
#ifndef SITREP_PAGER_H
#define SITREP_PAGER_H

#include "role.h"
#include "screen.h"

struct pager;

struct pager	*pager_new(const char *title);
void		 pager_free(struct pager *);
void		 pager_clear(struct pager *);
void		 pager_add(struct pager *, enum role, const char *);
void		 pager_addf(struct pager *, enum role, const char *, ...)
		     __attribute__((format(printf, 3, 4)));
/* Word-wrapped to width columns, continuation lines indented. */
void		 pager_add_wrapped(struct pager *, enum role, int indent,
		     int width, const char *);
int		 pager_lines(const struct pager *);
/* 1 = handled. */
int		 pager_key(struct pager *, int key, int page);
/* Framed, in box. */
void		 pager_draw(struct pager *, const struct tui_box *);

#endif
