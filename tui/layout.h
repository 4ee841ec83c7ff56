/* layout.h: where the panels go for a terminal size.  Pure arithmetic,
 * unit-tested; knows nothing of what the panels show.
 *
 *   >= 160 columns (and >= 30 rows): GRID, every panel with full rows.  The
 *      first panel and panel `right` (-1 = the last) share the top row
 *      (first gets ~60%); the others split the bottom row in order.
 *   >= 80x24: STACK, the focused panel large, every other panel a strip of
 *      LAYOUT_STRIP rows (title + its most important rows), or 2 rows when
 *      there are so many panels that the focused one would get fewer than
 *      LAYOUT_MIN_FOCUS rows.
 *   smaller: TOO_SMALL, nothing but a message.
 *   zoom: the focused panel takes the whole body. */
#ifndef SITREP_LAYOUT_H
#define SITREP_LAYOUT_H

#define LAYOUT_MIN_COLS		80
#define LAYOUT_MIN_ROWS		24
#define LAYOUT_GRID_COLS	160
#define LAYOUT_GRID_ROWS	30
#define LAYOUT_STRIP		3	/* rows of an unfocused panel in STACK */
#define LAYOUT_MIN_FOCUS	10	/* rows the focused panel keeps, else
					 * strips shrink to 2 */
#define LAYOUT_MAX_PANELS	16

enum layout_mode { LAYOUT_TOO_SMALL, LAYOUT_GRID, LAYOUT_STACK, LAYOUT_ZOOM };

struct layout_rect {
	int	 y, x, h, w;
	int	 visible;
	int	 strip;		/* drawn as a strip (title + few rows) */
};

struct layout {
	enum layout_mode	 mode;
	struct layout_rect	 header;	/* top bar */
	struct layout_rect	 status;	/* bottom bar */
	struct layout_rect	 panels[LAYOUT_MAX_PANELS];
	int			 npanels;
};

/* Compute the layout of n panels for rows x cols. */
void	 layout_compute(struct layout *, int rows, int cols, int n, int focus,
	    int zoom, int right);

#endif
