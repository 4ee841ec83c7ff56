/* pager.c: scrollable lines of text. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "pager.h"
#include "../core/xmalloc.h"

struct pline {
	enum role	 role;
	char		*text;
};

struct pager {
	char		*title;
	struct pline	*lines;
	int		 n, cap;
	int		 top;
};

struct pager *
pager_new(const char *title)
{
	struct pager	*p = xcalloc(1, sizeof *p);

	p->title = xstrdup(title);
	return (p);
}

void
pager_clear(struct pager *p)
{
	int	i;

	for (i = 0; i < p->n; i++)
		free(p->lines[i].text);
	p->n = 0;
	p->top = 0;
}

void
pager_free(struct pager *p)
{
	if (p == NULL)
		return;
	pager_clear(p);
	free(p->lines);
	free(p->title);
	free(p);
}

void
pager_add(struct pager *p, enum role role, const char *s)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->lines = xreallocarray(p->lines, p->cap, sizeof *p->lines);
	}
	p->lines[p->n].role = role;
	p->lines[p->n].text = xstrdup(s);
	p->n++;
}

void
pager_addf(struct pager *p, enum role role, const char *fmt, ...)
{
	char	*s;
	va_list	 ap;

	va_start(ap, fmt);
	xvasprintf(&s, fmt, ap);
	va_end(ap);
	pager_add(p, role, s);
	free(s);
}

void
pager_add_wrapped(struct pager *p, enum role role, int indent, int width,
    const char *s)
{
	char		 line[1024];
	const char	*word, *end;
	int		 len, col, wl;

	if (width < indent + 10)
		width = indent + 10;
	while (*s != '\0') {
		len = snprintf(line, sizeof line, "%*s", indent, "");
		col = indent;
		while (*s == ' ')
			s++;
		while (*s != '\0') {
			word = s;
			end = strchr(word, ' ');
			if (end == NULL)
				end = word + strlen(word);
			wl = (int)(end - word);
			if (col > indent && col + 1 + wl > width)
				break;
			if (len + wl + 2 >= (int)sizeof line)
				break;
			len += snprintf(line + len, sizeof line - (size_t)len,
			    "%s%.*s", col > indent ? " " : "", wl, word);
			col += wl + (col > indent);
			s = end;
			while (*s == ' ')
				s++;
		}
		pager_add(p, role, line);
		if (col == indent && *s != '\0')
			s++;		/* a word longer than the line */
	}
}

int
pager_lines(const struct pager *p)
{
	return (p->n);
}

int
pager_key(struct pager *p, int key, int page)
{
	switch (key) {
	case 'j':
	case KEYC_DOWN:
		p->top++;
		break;
	case 'k':
	case KEYC_UP:
		p->top--;
		break;
	case KEYC_NPAGE:
	case ' ':
		p->top += page;
		break;
	case KEYC_PPAGE:
		p->top -= page;
		break;
	case 'g':
	case KEYC_HOME:
		p->top = 0;
		break;
	case 'G':
	case KEYC_END:
		p->top = p->n;
		break;
	default:
		return (0);
	}
	return (1);
}

void
pager_draw(struct pager *p, const struct tui_box *b)
{
	struct tui_box	in = { b->y + 1, b->x + 2, b->h - 2, b->w - 4, 0 };
	char		pos[32];
	int		i;

	screen_erase(b);
	if (p->top > p->n - in.h)
		p->top = p->n - in.h;
	if (p->top < 0)
		p->top = 0;
	if (p->n > in.h)
		snprintf(pos, sizeof pos, "%d-%d/%d", p->top + 1,
		    p->top + in.h < p->n ? p->top + in.h : p->n, p->n);
	else
		pos[0] = '\0';
	screen_frame(b, ROLE_FOCUS, p->title, pos);
	for (i = 0; i < in.h && p->top + i < p->n; i++)
		screen_text(&in, i, 0, p->lines[p->top + i].role,
		    p->lines[p->top + i].text);
}
