/* prompt.c: a line editor. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "prompt.h"
#include "text.h"
#include "../core/xmalloc.h"

void
prompt_open(struct prompt *p, const char *lead, const char *initial)
{
	snprintf(p->lead, sizeof p->lead, "%s", lead);
	snprintf(p->buf, sizeof p->buf, "%s", initial ? initial : "");
	p->cur = (int)strlen(p->buf);
	p->active = 1;
	p->hpos = p->nhist;
}

static void
prompt_remember(struct prompt *p)
{
	if (p->buf[0] == '\0')
		return;
	if (p->nhist > 0 && strcmp(p->hist[p->nhist - 1], p->buf) == 0)
		return;
	if (p->nhist == 32) {
		free(p->hist[0]);
		memmove(p->hist, p->hist + 1, 31 * sizeof *p->hist);
		p->nhist--;
	}
	p->hist[p->nhist++] = xstrdup(p->buf);
}

void
prompt_close(struct prompt *p)
{
	p->active = 0;
}

void
prompt_free(struct prompt *p)
{
	int	i;

	for (i = 0; i < p->nhist; i++)
		free(p->hist[i]);
	p->nhist = 0;
}

static int
utf8_prev(const char *s, int i)
{
	while (i > 0 && ((unsigned char)s[--i] & 0xc0) == 0x80)
		;
	return (i);
}

static int
utf8_next(const char *s, int i)
{
	if (s[i] == '\0')
		return (i);
	while (s[++i] != '\0' && ((unsigned char)s[i] & 0xc0) == 0x80)
		;
	return (i);
}

static void
prompt_delete(struct prompt *p, int from, int to)
{
	memmove(p->buf + from, p->buf + to, strlen(p->buf + to) + 1);
	p->cur = from;
}

static int
prompt_insert(struct prompt *p, int key)
{
	char	enc[5];
	int	n, len = (int)strlen(p->buf);

	if (key < 0x80) {
		enc[0] = (char)key;
		n = 1;
	} else if (key < 0x800) {
		enc[0] = (char)(0xc0 | (key >> 6));
		enc[1] = (char)(0x80 | (key & 0x3f));
		n = 2;
	} else if (key < 0x10000) {
		enc[0] = (char)(0xe0 | (key >> 12));
		enc[1] = (char)(0x80 | ((key >> 6) & 0x3f));
		enc[2] = (char)(0x80 | (key & 0x3f));
		n = 3;
	} else {
		enc[0] = (char)(0xf0 | (key >> 18));
		enc[1] = (char)(0x80 | ((key >> 12) & 0x3f));
		enc[2] = (char)(0x80 | ((key >> 6) & 0x3f));
		enc[3] = (char)(0x80 | (key & 0x3f));
		n = 4;
	}
	if (len + n >= PROMPT_MAX)
		return (0);
	memmove(p->buf + p->cur + n, p->buf + p->cur, (size_t)(len - p->cur)
	    + 1);
	memcpy(p->buf + p->cur, enc, (size_t)n);
	p->cur += n;
	return (1);
}

static void
prompt_history(struct prompt *p, int dir)
{
	int	to = p->hpos + dir;

	if (to < 0 || to > p->nhist)
		return;
	p->hpos = to;
	snprintf(p->buf, sizeof p->buf, "%s", to == p->nhist ? "" :
	    p->hist[to]);
	p->cur = (int)strlen(p->buf);
}

enum prompt_result
prompt_key(struct prompt *p, int key)
{
	int	w;

	switch (key) {
	case KEYC_ENTER:
		prompt_remember(p);
		return (PROMPT_DONE);
	case KEYC_ESC:
	case KEYC_CTRL('c'):
	case KEYC_CTRL('g'):
		return (PROMPT_CANCEL);
	case KEYC_BACKSPACE:
		if (p->cur == 0)
			return (p->buf[0] == '\0' ? PROMPT_CANCEL :
			    PROMPT_IGNORED);
		prompt_delete(p, utf8_prev(p->buf, p->cur), p->cur);
		return (PROMPT_EDITED);
	case KEYC_DC:
	case KEYC_CTRL('d'):
		prompt_delete(p, p->cur, utf8_next(p->buf, p->cur));
		return (PROMPT_EDITED);
	case KEYC_LEFT:
	case KEYC_CTRL('b'):
		p->cur = utf8_prev(p->buf, p->cur);
		return (PROMPT_MOVED);
	case KEYC_RIGHT:
	case KEYC_CTRL('f'):
		p->cur = utf8_next(p->buf, p->cur);
		return (PROMPT_MOVED);
	case KEYC_HOME:
	case KEYC_CTRL('a'):
		p->cur = 0;
		return (PROMPT_MOVED);
	case KEYC_END:
	case KEYC_CTRL('e'):
		p->cur = (int)strlen(p->buf);
		return (PROMPT_MOVED);
	case KEYC_CTRL('u'):
		prompt_delete(p, 0, p->cur);
		return (PROMPT_EDITED);
	case KEYC_CTRL('w'):
		w = p->cur;
		while (w > 0 && p->buf[w - 1] == ' ')
			w--;
		while (w > 0 && p->buf[w - 1] != ' ')
			w--;
		prompt_delete(p, w, p->cur);
		return (PROMPT_EDITED);
	case KEYC_UP:
		prompt_history(p, -1);
		return (PROMPT_EDITED);
	case KEYC_DOWN:
		prompt_history(p, 1);
		return (PROMPT_EDITED);
	}
	if (key >= 0x20 && key < KEYC_BASE && key != 0x7f)
		return (prompt_insert(p, key) ? PROMPT_EDITED :
		    PROMPT_IGNORED);
	return (PROMPT_IGNORED);
}

void
prompt_draw(const struct prompt *p, const struct tui_box *b, int y)
{
	char	before[PROMPT_MAX];
	int	x;

	screen_fill_row(b, y, ROLE_NORMAL);
	x = screen_text(b, y, 0, ROLE_ACCENT, p->lead);
	screen_text(b, y, x, ROLE_NORMAL, p->buf);
	memcpy(before, p->buf, (size_t)p->cur);
	before[p->cur] = '\0';
	x += text_width(before);
	if (x >= b->w)
		x = b->w - 1;
	screen_cursor(b->y + y, b->x + x);
}
