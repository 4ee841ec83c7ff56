/* screen.h: the terminal.  The only module (with tui/loop.c) that calls
 * curses.  Everything above draws through these functions into boxes, by
 * role, and calls screen_flush() once per loop pass.
 *
 * The screen keeps the state curses itself keeps: there is one terminal. */
#ifndef SITREP_SCREEN_H
#define SITREP_SCREEN_H

#include <stddef.h>

#include "role.h"
#include "theme.h"

/* A rectangle of the screen, absolute coordinates.  Drawing is clipped to
 * it.  dim draws every role as muted (stale data). */
struct tui_box {
	int	 y, x, h, w;
	int	 dim;
};

enum screen_colors { SCREEN_MONO = 0, SCREEN_8 = 8, SCREEN_16 = 16,
	SCREEN_256 = 256 };

/* Start curses.  Returns 0, or -1 with a message (no terminal).  An unknown
 * TERM falls back to "vt100" or "dumb" and says so in note. */
int	 screen_init(char *note, size_t notelen);
/* Restore the terminal; safe to call twice and from the fatal hook. */
void	 screen_end(void);

void	 screen_size(int *rows, int *cols);
/* After SIGWINCH: read the new size and tell curses. */
void	 screen_resize(void);

enum screen_colors screen_colors(void);
int	 screen_utf8(void);		/* the locale and terminal take UTF-8 */
/* Use a theme (colours mapped to what the terminal has, NO_COLOR honoured). */
void	 screen_set_theme(const struct theme *);
/* Force mono (NO_COLOR, --no-color). */
void	 screen_force_mono(int);

/* Drawing, clipped to the box; y and x are relative to it. */
void	 screen_erase(const struct tui_box *);
/* Text (UTF-8); returns the columns drawn. */
int	 screen_text(const struct tui_box *, int y, int x, enum role,
	    const char *);
int	 screen_textf(const struct tui_box *, int y, int x, enum role,
	    const char *, ...) __attribute__((format(printf, 5, 6)));
/* Right-aligned so that the text ends at column x_end (exclusive). */
int	 screen_text_right(const struct tui_box *, int y, int x_end,
	    enum role, const char *);
/* Paint a whole row of the box in a role (spaces), e.g. a selection bar. */
void	 screen_fill_row(const struct tui_box *, int y, enum role);
/* Frame around the box with a title; focused frames use ROLE_FOCUS. */
void	 screen_frame(const struct tui_box *, enum role, const char *title,
	    const char *right);
void	 screen_hline(const struct tui_box *, int y, enum role);
/* One cell of a sparkline: level 0..8 (0 = empty). */
void	 screen_spark(const struct tui_box *, int y, int x, enum role,
	    int level);

/* Send what changed to the terminal. */
void	 screen_flush(void);
/* Forget what the terminal shows and repaint all (Ctrl-L). */
void	 screen_redraw_all(void);

/* The next key (keys.h), or -1 when none is waiting.  Never blocks. */
int	 screen_getkey(void);
/* Where the cursor rests (for the prompt); -1 hides it. */
void	 screen_cursor(int y, int x);

#endif
