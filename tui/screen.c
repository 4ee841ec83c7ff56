/* screen.c: curses behind a small, role-based drawing API. */
#include <curses.h>
#include <langinfo.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <term.h>
#include <unistd.h>
#include <wchar.h>

#include "keys.h"
#include "screen.h"
#include "text.h"

#define TEXT_MAX 1024

/* curses is one global terminal; this mirrors what we set on it. */
static struct {
	SCREEN			*scr;
	int			 active;
	int			 utf8;
	int			 force_mono;
	enum screen_colors	 colors;
	attr_t			 attr[ROLE__COUNT];
	short			 pair[ROLE__COUNT];
	int			 cur_y, cur_x;
} S;

/* Ask terminfo first: a newterm() that fails leaks the screen it began
 * (ncurses 6.4), setupterm() does not. */
static int
screen_try_term(const char *term)
{
	int	err;

	if (setupterm(term, STDOUT_FILENO, &err) != OK)
		return (0);
	del_curterm(cur_term);
	S.scr = newterm(term, stdout, stdin);
	return (S.scr != NULL);
}

int
screen_init(char *note, size_t notelen)
{
	const char	*term = getenv("TERM");
	const char	*cs, *nocolor;

	note[0] = '\0';
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(note, notelen, "not a terminal: the console needs "
		    "a terminal on stdin and stdout");
		return (-1);
	}
	if (getenv("ESCDELAY") == NULL)
		set_escdelay(25);
	if (term == NULL || *term == '\0' || !screen_try_term(NULL)) {
		if (screen_try_term("vt100") || screen_try_term("dumb"))
			snprintf(note, notelen, "unknown terminal type '%s', "
			    "using %s", term ? term : "", termname());
		else {
			snprintf(note, notelen, "cannot use terminal '%s'",
			    term ? term : "");
			return (-1);
		}
	}
	S.active = 1;
	cs = nl_langinfo(CODESET);
	S.utf8 = cs != NULL && strcmp(cs, "UTF-8") == 0;
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	S.cur_y = -1;
	if (has_colors() && start_color() == OK) {
		use_default_colors();
		S.colors = COLORS >= 256 ? SCREEN_256 : COLORS >= 16 ?
		    SCREEN_16 : COLORS >= 8 ? SCREEN_8 : SCREEN_MONO;
	}
	if ((nocolor = getenv("NO_COLOR")) != NULL && *nocolor != '\0')
		S.force_mono = 1;
	return (0);
}

void
screen_end(void)
{
	if (!S.active)
		return;
	S.active = 0;
	curs_set(1);
	endwin();
	fflush(stdout);
}

void
screen_size(int *rows, int *cols)
{
	getmaxyx(stdscr, *rows, *cols);
}

void
screen_resize(void)
{
	struct winsize	ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);
}

enum screen_colors
screen_colors(void)
{
	return (S.force_mono ? SCREEN_MONO : S.colors);
}

int
screen_utf8(void)
{
	return (S.utf8);
}

void
screen_force_mono(int on)
{
	S.force_mono = on;
}

static attr_t
screen_tattrs(unsigned a)
{
	attr_t	r = A_NORMAL;

	if (a & TATTR_BOLD)
		r |= A_BOLD;
	if (a & TATTR_DIM)
		r |= A_DIM;
	if (a & TATTR_REVERSE)
		r |= A_REVERSE;
	if (a & TATTR_UNDERLINE)
		r |= A_UNDERLINE;
	if (a & TATTR_ITALIC)
		r |= A_ITALIC;
	return (r);
}

static int
screen_map_color(int c)
{
	if (c < 0)
		return (-1);
	if (S.colors == SCREEN_256)
		return (c);
	return (theme_downgrade(c, S.colors == SCREEN_16 ? 16 : 8));
}

void
screen_set_theme(const struct theme *t)
{
	const struct role_style	*rs;
	int			 i;

	for (i = 0; i < ROLE__COUNT; i++) {
		rs = &t->roles[i];
		S.pair[i] = 0;
		if (screen_colors() == SCREEN_MONO) {
			S.attr[i] = screen_tattrs(rs->mono);
			continue;
		}
		S.attr[i] = screen_tattrs(rs->attrs);
		if (i + 1 < COLOR_PAIRS && init_pair((short)(i + 1),
		    (short)screen_map_color(rs->fg),
		    (short)screen_map_color(rs->bg)) == OK)
			S.pair[i] = (short)(i + 1);
	}
	if (S.active) {
		bkgdset(' ' | S.attr[ROLE_NORMAL] |
		    COLOR_PAIR(S.pair[ROLE_NORMAL]));
		clearok(curscr, TRUE);
	}
}

static void
screen_role(enum role r, int dim)
{
	if (dim && r != ROLE_SELECTION && r != ROLE_FOCUS && r != ROLE_ERROR &&
	    r != ROLE_BORDER)
		r = ROLE_MUTED;
	attrset(S.attr[r] | COLOR_PAIR(S.pair[r]));
}

void
screen_erase(const struct tui_box *b)
{
	int	y;

	screen_role(ROLE_NORMAL, 0);
	for (y = 0; y < b->h; y++)
		mvhline(b->y + y, b->x, ' ', b->w);
}

int
screen_text(const struct tui_box *b, int y, int x, enum role r,
    const char *s)
{
	wchar_t	w[TEXT_MAX];
	int	cols;

	if (y < 0 || y >= b->h || x < 0 || x >= b->w)
		return (0);
	cols = text_to_wide(s, b->w - x, w, TEXT_MAX);
	screen_role(r, b->dim);
	mvaddnwstr(b->y + y, b->x + x, w, -1);
	return (cols);
}

int
screen_textf(const struct tui_box *b, int y, int x, enum role r,
    const char *fmt, ...)
{
	char	buf[TEXT_MAX];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return (screen_text(b, y, x, r, buf));
}

int
screen_text_right(const struct tui_box *b, int y, int x_end, enum role r,
    const char *s)
{
	int	w = text_width(s);
	int	x = x_end - w;

	if (x < 0)
		x = 0;
	return (screen_text(b, y, x, r, s));
}

void
screen_fill_row(const struct tui_box *b, int y, enum role r)
{
	if (y < 0 || y >= b->h)
		return;
	screen_role(r, b->dim);
	mvhline(b->y + y, b->x, ' ', b->w);
}

void
screen_hline(const struct tui_box *b, int y, enum role r)
{
	if (y < 0 || y >= b->h)
		return;
	screen_role(r, 0);
	mvhline(b->y + y, b->x, ACS_HLINE, b->w);
}

void
screen_frame(const struct tui_box *b, enum role r, const char *title,
    const char *right)
{
	int	tw;

	if (b->h < 2 || b->w < 4)
		return;
	screen_role(r, 0);
	mvhline(b->y, b->x + 1, ACS_HLINE, b->w - 2);
	mvhline(b->y + b->h - 1, b->x + 1, ACS_HLINE, b->w - 2);
	mvvline(b->y + 1, b->x, ACS_VLINE, b->h - 2);
	mvvline(b->y + 1, b->x + b->w - 1, ACS_VLINE, b->h - 2);
	mvaddch(b->y, b->x, ACS_ULCORNER);
	mvaddch(b->y, b->x + b->w - 1, ACS_URCORNER);
	mvaddch(b->y + b->h - 1, b->x, ACS_LLCORNER);
	mvaddch(b->y + b->h - 1, b->x + b->w - 1, ACS_LRCORNER);
	tw = 0;
	if (title != NULL) {
		struct tui_box	top = { b->y, b->x + 1, 1, b->w - 2, 0 };
		tw = screen_textf(&top, 0, 1, r == ROLE_FOCUS ? ROLE_FOCUS :
		    ROLE_TITLE, " %s ", title);
	}
	if (right != NULL && *right != '\0') {
		struct tui_box	top = { b->y, b->x + 1, 1, b->w - 2, 0 };
		int		rw = text_width(right) + 2;

		if (rw + tw + 2 < top.w)
			screen_textf(&top, 0, top.w - rw - 1, ROLE_MUTED,
			    " %s ", right);
	}
}

/* Sparkline cells: eight block heights, or ASCII without UTF-8. */
void
screen_spark(const struct tui_box *b, int y, int x, enum role r, int level)
{
	static const wchar_t	 blocks[] = L" \u2581\u2582\u2583\u2584"
	    "\u2585\u2586\u2587\u2588";
	static const char	 ascii[] = " ..--==##";
	wchar_t			 w[2];

	if (y < 0 || y >= b->h || x < 0 || x >= b->w)
		return;
	if (level < 0)
		level = 0;
	if (level > 8)
		level = 8;
	screen_role(r, b->dim);
	if (S.utf8) {
		w[0] = blocks[level];
		w[1] = L'\0';
		mvaddnwstr(b->y + y, b->x + x, w, 1);
	} else
		mvaddch(b->y + y, b->x + x, (chtype)ascii[level]);
}

void
screen_cursor(int y, int x)
{
	S.cur_y = y;
	S.cur_x = x;
}

void
screen_flush(void)
{
	if (S.cur_y >= 0) {
		move(S.cur_y, S.cur_x);
		curs_set(1);
	} else
		curs_set(0);
	wnoutrefresh(stdscr);
	doupdate();
}

void
screen_redraw_all(void)
{
	clearok(curscr, TRUE);
}

static int
screen_translate(int k)
{
	switch (k) {
	case KEY_UP:		return (KEYC_UP);
	case KEY_DOWN:		return (KEYC_DOWN);
	case KEY_LEFT:		return (KEYC_LEFT);
	case KEY_RIGHT:		return (KEYC_RIGHT);
	case KEY_PPAGE:		return (KEYC_PPAGE);
	case KEY_NPAGE:		return (KEYC_NPAGE);
	case KEY_HOME:		return (KEYC_HOME);
	case KEY_END:		return (KEYC_END);
	case KEY_BTAB:		return (KEYC_BTAB);
	case KEY_BACKSPACE:	return (KEYC_BACKSPACE);
	case KEY_DC:		return (KEYC_DC);
	case KEY_F(1):		return (KEYC_F1);
	case KEY_RESIZE:	return (KEYC_RESIZE);
	case KEY_ENTER:		return (KEYC_ENTER);
	}
	return (-1);
}

int
screen_getkey(void)
{
	wint_t	wc;
	int	rc;

	rc = get_wch(&wc);
	if (rc == ERR)
		return (-1);
	if (rc == KEY_CODE_YES)
		return (screen_translate((int)wc));
	if (wc == '\r')
		return (KEYC_ENTER);
	if (wc == 127 || wc == 8)
		return (KEYC_BACKSPACE);
	return ((int)wc);
}
