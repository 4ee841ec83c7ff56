/* prompt.h: a one-line editor for the ':' command line and the '/' filter.
 * UTF-8 aware, with history (Up/Down) and the usual editing keys
 * (Left/Right, Home/End, C-a, C-e, C-u, C-w, BSpace, Delete). */
#ifndef SITREP_PROMPT_H
#define SITREP_PROMPT_H

#include "screen.h"

#define PROMPT_MAX 256

enum prompt_result {
	PROMPT_EDITED,		/* the text changed (live filter) */
	PROMPT_MOVED,		/* cursor only */
	PROMPT_DONE,		/* Enter */
	PROMPT_CANCEL,		/* Esc or C-c */
	PROMPT_IGNORED
};

struct prompt {
	char	 lead[8];		/* ":" or "/" */
	char	 buf[PROMPT_MAX];	/* UTF-8 */
	int	 cur;			/* byte offset of the cursor */
	int	 active;
	char	*hist[32];
	int	 nhist;
	int	 hpos;
};

void	 prompt_open(struct prompt *, const char *lead, const char *initial);
void	 prompt_close(struct prompt *);
void	 prompt_free(struct prompt *);	/* history */
enum prompt_result prompt_key(struct prompt *, int key);
/* Draw on row y of box and place the cursor. */
void	 prompt_draw(const struct prompt *, const struct tui_box *, int y);

#endif
