/* layout.c: panel geometry for a terminal size. */
#include <string.h>

#include "layout.h"

static struct layout_rect
rect(int y, int x, int h, int w)
{
	struct layout_rect	r = { y, x, h, w, 1, 0 };

	return (r);
}

/* Top row: the first panel (wide) and panel `right`; bottom row: the rest
 * in order, the first of them with a double share (the widest table). */
static void
layout_grid(struct layout *l, int top, int body, int cols, int n, int right)
{
	int	toph = (body * 55) / 100, both = body - toph;
	int	leftw = (cols * 60) / 100;
	int	i, k, nb = n - 2, x = 0, w;

	if (n == 1) {
		l->panels[0] = rect(top, 0, body, cols);
		return;
	}
	if (right <= 0 || right >= n)
		right = n - 1;
	l->panels[0] = rect(top, 0, toph, leftw);
	l->panels[right] = rect(top, leftw, toph, cols - leftw);
	if (nb <= 0) {
		l->panels[0].h = l->panels[right].h = body;
		return;
	}
	for (i = 0, k = 1; i < nb; i++, k++) {
		if (k == right)
			k++;
		w = (i == nb - 1) ? cols - x : cols * (i == 0 ? 2 : 1) /
		    (nb + 1);
		l->panels[k] = rect(top + toph, x, both, w);
		x += w;
	}
}

/* Unfocused panels are strips of LAYOUT_STRIP rows, or of two (title and
 * the worst row) when three would leave the focused panel too little. */
static void
layout_stack(struct layout *l, int top, int body, int cols, int n, int focus)
{
	int	i, y = top, strip = LAYOUT_STRIP, big;

	if (body - (n - 1) * strip < LAYOUT_MIN_FOCUS)
		strip = 2;
	big = body - (n - 1) * strip;
	for (i = 0; i < n; i++) {
		if (i == focus) {
			l->panels[i] = rect(y, 0, big, cols);
			y += big;
		} else {
			l->panels[i] = rect(y, 0, strip, cols);
			l->panels[i].strip = 1;
			y += strip;
		}
	}
}

void
layout_compute(struct layout *l, int rows, int cols, int n, int focus,
    int zoom, int right)
{
	int	i, body = rows - 2;

	memset(l, 0, sizeof *l);
	if (n > LAYOUT_MAX_PANELS)
		n = LAYOUT_MAX_PANELS;
	if (n < 1)
		n = 1;
	if (focus < 0 || focus >= n)
		focus = 0;
	l->npanels = n;
	if (rows < LAYOUT_MIN_ROWS || cols < LAYOUT_MIN_COLS) {
		l->mode = LAYOUT_TOO_SMALL;
		return;
	}
	l->header = rect(0, 0, 1, cols);
	l->status = rect(rows - 1, 0, 1, cols);
	if (zoom) {
		l->mode = LAYOUT_ZOOM;
		l->panels[focus] = rect(1, 0, body, cols);
		for (i = 0; i < n; i++)
			if (i != focus)
				l->panels[i].visible = 0;
		return;
	}
	if (cols >= LAYOUT_GRID_COLS && rows >= LAYOUT_GRID_ROWS) {
		l->mode = LAYOUT_GRID;
		layout_grid(l, 1, body, cols, n, right);
	} else {
		l->mode = LAYOUT_STACK;
		layout_stack(l, 1, body, cols, n, focus);
	}
}
