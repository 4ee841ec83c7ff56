/* table.c: rows of styled cells with selection, sort and filter. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "table.h"
#include "text.h"
#include "../core/xmalloc.h"

#define SPARK_MAX 120

struct cell {
	char		*text;
	enum role	 role;
	int		 has_num;
	double		 num;
	double		*spark;
	int		 nspark;
	double		 spark_max;
};

struct row {
	char		*key;
	int		 rank;
	int		 order;
	struct cell	*cells;
};

struct table {
	const struct table_col	*cols;
	int			 ncols;
	struct row		*rows;
	int			 nrows, cap;
	int			*vis;		/* visible rows, sorted */
	int			 nvis;
	int			 sel;		/* index into vis */
	int			 top;		/* first visible index drawn */
	char			*sel_key;	/* kept across rebuilds */
	char			 filter[128];
	int			 sort_col;	/* -1 = default */
	int			 sort_desc;
};

struct table *
table_new(const struct table_col *cols, int ncols)
{
	struct table	*t;

	t = xcalloc(1, sizeof *t);
	t->cols = cols;
	t->ncols = ncols;
	t->sort_col = -1;
	return (t);
}

static void
table_clear(struct table *t)
{
	int	i, c;

	for (i = 0; i < t->nrows; i++) {
		for (c = 0; c < t->ncols; c++) {
			free(t->rows[i].cells[c].text);
			free(t->rows[i].cells[c].spark);
		}
		free(t->rows[i].cells);
		free(t->rows[i].key);
	}
	t->nrows = 0;
}

void
table_free(struct table *t)
{
	if (t == NULL)
		return;
	table_clear(t);
	free(t->rows);
	free(t->vis);
	free(t->sel_key);
	free(t);
}

void
table_begin(struct table *t)
{
	const char	*k = table_selected(t);

	if (k != NULL) {
		free(t->sel_key);
		t->sel_key = xstrdup(k);
	}
	table_clear(t);
}

void
table_row(struct table *t, const char *key, int rank)
{
	struct row	*r;

	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 32;
		t->rows = xreallocarray(t->rows, t->cap, sizeof *t->rows);
	}
	r = &t->rows[t->nrows];
	r->key = xstrdup(key);
	r->rank = rank;
	r->order = t->nrows++;
	r->cells = xcalloc(t->ncols, sizeof *r->cells);
}

static struct cell *
table_cur(struct table *t, int col)
{
	if (t->nrows == 0 || col < 0 || col >= t->ncols)
		return (NULL);
	return (&t->rows[t->nrows - 1].cells[col]);
}

void
table_cell(struct table *t, int col, enum role role, const char *text)
{
	struct cell	*c = table_cur(t, col);

	if (c == NULL)
		return;
	free(c->text);
	c->text = xstrdup(text);
	c->role = role;
}

void
table_cellf(struct table *t, int col, enum role role, const char *fmt, ...)
{
	char	buf[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	table_cell(t, col, role, buf);
}

void
table_cell_num(struct table *t, int col, enum role role, double v,
    const char *text)
{
	struct cell	*c = table_cur(t, col);

	table_cell(t, col, role, text);
	if (c != NULL) {
		c->has_num = 1;
		c->num = v;
	}
}

void
table_cell_spark(struct table *t, int col, enum role role, const double *v,
    int n, double max)
{
	struct cell	*c = table_cur(t, col);

	if (c == NULL)
		return;
	if (n > SPARK_MAX) {
		v += n - SPARK_MAX;
		n = SPARK_MAX;
	}
	table_cell(t, col, role, "");
	free(c->spark);
	c->spark = xcalloc(n > 0 ? n : 1, sizeof *c->spark);
	memcpy(c->spark, v, (size_t)n * sizeof *v);
	c->nspark = n;
	c->spark_max = max;
	c->has_num = 1;
	c->num = n > 0 ? v[n - 1] : 0;
}

static int
row_matches(const struct table *t, const struct row *r)
{
	int	c;

	if (t->filter[0] == '\0')
		return (1);
	if (text_contains(r->key, t->filter))
		return (1);
	for (c = 0; c < t->ncols; c++)
		if (r->cells[c].text != NULL &&
		    text_contains(r->cells[c].text, t->filter))
			return (1);
	return (0);
}

/* qsort has no context argument in C11; sort with an explicit one. */
static int
row_cmp(const struct table *t, int a, int b)
{
	const struct row	*ra = &t->rows[a], *rb = &t->rows[b];
	const struct cell	*ca, *cb;
	int			 d;

	if (t->sort_col < 0) {
		if (ra->rank != rb->rank)
			return (rb->rank - ra->rank);
		return (ra->order - rb->order);
	}
	ca = &ra->cells[t->sort_col];
	cb = &rb->cells[t->sort_col];
	if (ca->has_num && cb->has_num)
		d = ca->num < cb->num ? -1 : ca->num > cb->num;
	else
		d = strcmp(ca->text ? ca->text : "", cb->text ? cb->text : "");
	if (t->sort_desc)
		d = -d;
	return (d != 0 ? d : ra->order - rb->order);
}

static void
table_sort(struct table *t)
{
	int	i, j, v;

	/* Insertion sort is stable; merge for big tables. */
	if (t->nvis > 64) {
		int	*tmp = xcalloc(t->nvis, sizeof *tmp);
		int	 w, lo, mid, hi, a, b, k;

		for (w = 1; w < t->nvis; w *= 2) {
			for (lo = 0; lo < t->nvis; lo += 2 * w) {
				mid = lo + w < t->nvis ? lo + w : t->nvis;
				hi = lo + 2 * w < t->nvis ? lo + 2 * w :
				    t->nvis;
				a = lo; b = mid; k = lo;
				while (a < mid && b < hi)
					tmp[k++] = row_cmp(t, t->vis[a],
					    t->vis[b]) <= 0 ? t->vis[a++] :
					    t->vis[b++];
				while (a < mid)
					tmp[k++] = t->vis[a++];
				while (b < hi)
					tmp[k++] = t->vis[b++];
			}
			memcpy(t->vis, tmp, (size_t)t->nvis * sizeof *tmp);
		}
		free(tmp);
		return;
	}
	for (i = 1; i < t->nvis; i++) {
		v = t->vis[i];
		for (j = i; j > 0 && row_cmp(t, t->vis[j - 1], v) > 0; j--)
			t->vis[j] = t->vis[j - 1];
		t->vis[j] = v;
	}
}

static void
table_refilter(struct table *t)
{
	int	i;

	t->vis = xreallocarray(t->vis, t->nrows ? t->nrows : 1,
	    sizeof *t->vis);
	t->nvis = 0;
	for (i = 0; i < t->nrows; i++)
		if (row_matches(t, &t->rows[i]))
			t->vis[t->nvis++] = i;
	table_sort(t);
	t->sel = 0;
	if (t->sel_key != NULL) {
		for (i = 0; i < t->nvis; i++)
			if (strcmp(t->rows[t->vis[i]].key, t->sel_key) == 0) {
				t->sel = i;
				break;
			}
	}
	if (t->sel >= t->nvis)
		t->sel = t->nvis > 0 ? t->nvis - 1 : 0;
}

void
table_end(struct table *t)
{
	table_refilter(t);
}

static void
table_remember(struct table *t)
{
	const char	*k = table_selected(t);

	if (k != NULL) {
		free(t->sel_key);
		t->sel_key = xstrdup(k);
	}
}

static void
table_move(struct table *t, int to)
{
	if (to >= t->nvis)
		to = t->nvis - 1;
	if (to < 0)
		to = 0;
	t->sel = to;
	table_remember(t);
}

int
table_key(struct table *t, int key, int page)
{
	if (page < 1)
		page = 1;
	switch (key) {
	case 'j':
	case KEYC_DOWN:
		table_move(t, t->sel + 1);
		return (1);
	case 'k':
	case KEYC_UP:
		table_move(t, t->sel - 1);
		return (1);
	case KEYC_NPAGE:
	case KEYC_CTRL('f'):
		table_move(t, t->sel + page);
		return (1);
	case KEYC_PPAGE:
	case KEYC_CTRL('b'):
		table_move(t, t->sel - page);
		return (1);
	case 'g':
	case KEYC_HOME:
		table_move(t, 0);
		return (1);
	case 'G':
	case KEYC_END:
		table_move(t, t->nvis - 1);
		return (1);
	case 's':
		table_set_sort(t, t->sort_col + 1 >= t->ncols ? -1 :
		    t->sort_col + 1, t->sort_desc);
		return (1);
	case 'S':
		table_set_sort(t, t->sort_col, !t->sort_desc);
		return (1);
	}
	return (0);
}

void
table_set_filter(struct table *t, const char *f)
{
	table_remember(t);
	snprintf(t->filter, sizeof t->filter, "%s", f ? f : "");
	table_refilter(t);
}

const char *
table_filter(const struct table *t)
{
	return (t->filter);
}

void
table_set_sort(struct table *t, int col, int desc)
{
	if (col >= t->ncols)
		col = -1;
	table_remember(t);
	t->sort_col = col;
	t->sort_desc = desc;
	table_refilter(t);
}

const char *
table_col_title(const struct table *t, int col)
{
	return (col >= 0 && col < t->ncols ? t->cols[col].title : "default");
}

int
table_ncols(const struct table *t)
{
	return (t->ncols);
}

int
table_rows(const struct table *t)
{
	return (t->nvis);
}

int
table_rows_total(const struct table *t)
{
	return (t->nrows);
}

const char *
table_selected(const struct table *t)
{
	if (t->nvis == 0 || t->sel >= t->nvis)
		return (NULL);
	return (t->rows[t->vis[t->sel]].key);
}

int
table_selected_index(const struct table *t)
{
	return (t->nvis ? t->sel : -1);
}

const char *
table_text(const struct table *t, int i, int col)
{
	const char	*s;

	if (i < 0 || i >= t->nvis || col < 0 || col >= t->ncols)
		return (NULL);
	s = t->rows[t->vis[i]].cells[col].text;
	return (s ? s : "");
}

int
table_rank_count(const struct table *t, int rank)
{
	int	i, n = 0;

	for (i = 0; i < t->nrows; i++)
		if (t->rows[i].rank == rank)
			n++;
	return (n);
}

static void
table_widths(const struct table *t, int total, int *w)
{
	int	c, used = 0, flex = 0, spare, give;

	for (c = 0; c < t->ncols; c++) {
		w[c] = t->cols[c].minw;
		used += w[c] + (c > 0);
		flex += t->cols[c].flex;
	}
	/* Too narrow: drop columns, highest drop value first, then from
	 * the right; the first column always stays. */
	while (used > total) {
		int	victim = -1;

		for (c = t->ncols - 1; c > 0; c--) {
			if (w[c] == 0)
				continue;
			if (victim == -1 || t->cols[c].drop >
			    t->cols[victim].drop)
				victim = c;
		}
		if (victim == -1)
			break;
		used -= w[victim] + 1;
		w[victim] = 0;
	}
	spare = total - used;
	for (c = 0; c < t->ncols && spare > 0 && flex > 0; c++) {
		if (w[c] == 0 || t->cols[c].flex == 0)
			continue;
		give = (total - used) * t->cols[c].flex / flex;
		if (give > spare)
			give = spare;
		w[c] += give;
		spare -= give;
	}
}

static void
draw_spark(const struct tui_box *b, int y, int x, int w, const struct cell *c)
{
	double	max = c->spark_max;
	int	i, n = c->nspark < w ? c->nspark : w;
	int	off = c->nspark - n;

	if (max <= 0) {
		for (i = 0; i < c->nspark; i++)
			if (c->spark[i] > max)
				max = c->spark[i];
	}
	for (i = 0; i < n; i++) {
		double	v = c->spark[off + i];
		int	lvl = max > 0 ? (int)(v / max * 8 + 0.5) : 0;

		if (v > 0 && lvl == 0)
			lvl = 1;
		screen_spark(b, y, x + (w - n) + i, c->role, lvl);
	}
}

static void
draw_cell(const struct tui_box *b, int y, int x, int w, const struct table_col
    *col, const struct cell *c, enum role over)
{
	struct tui_box	cb = { b->y + y, b->x + x, 1, w, b->dim };
	enum role	role = over != ROLE_NORMAL ? over : c->role;

	if (c->spark != NULL) {
		draw_spark(&cb, 0, 0, w, c);
		return;
	}
	if (c->text == NULL)
		return;
	if (col->right)
		screen_text_right(&cb, 0, w, role, c->text);
	else
		screen_text(&cb, 0, 0, role, c->text);
}

static void
draw_header(const struct table *t, const struct tui_box *b, const int *w)
{
	const char	*mark;
	char		 title[64];
	int		 c, x = 0, n;

	for (c = 0; c < t->ncols; c++) {
		struct tui_box	cb = { b->y, b->x + x, 1, w[c], 0 };

		if (w[c] == 0)
			continue;
		mark = "";
		if (c == t->sort_col && screen_utf8())
			mark = t->sort_desc ? "\u25bc" : "\u25b2";
		else if (c == t->sort_col)
			mark = t->sort_desc ? "v" : "^";
		/* Titles are ASCII; keep room for the sort mark. */
		n = (int)strlen(t->cols[c].title);
		if (*mark != '\0' && n + 1 > w[c])
			n = w[c] - 1;
		snprintf(title, sizeof title, "%.*s%s", n, t->cols[c].title,
		    mark);
		if (t->cols[c].right)
			screen_text_right(&cb, 0, w[c], ROLE_COLHEAD, title);
		else
			screen_text(&cb, 0, 0, ROLE_COLHEAD, title);
		x += w[c] + 1;
	}
}

void
table_draw(struct table *t, const struct tui_box *b, int header, int focused)
{
	int	 w[32], c, i, y, x, body, top, ncols = t->ncols > 32 ? 32 : t->ncols;
	enum role over;

	if (b->h <= 0 || b->w <= 0)
		return;
	table_widths(t, b->w, w);
	if (header)
		draw_header(t, b, w);
	body = b->h - (header != 0);
	if (t->sel < t->top)
		t->top = t->sel;
	if (t->sel >= t->top + body)
		t->top = t->sel - body + 1;
	if (t->top > t->nvis - body)
		t->top = t->nvis - body;
	if (t->top < 0)
		t->top = 0;
	top = focused ? t->top : 0;	/* a strip shows the first rows */
	for (i = 0; i < body && top + i < t->nvis; i++) {
		const struct row	*r = &t->rows[t->vis[top + i]];

		y = i + (header != 0);
		over = ROLE_NORMAL;
		if (focused && top + i == t->sel) {
			screen_fill_row(b, y, ROLE_SELECTION);
			over = ROLE_SELECTION;
		}
		for (c = 0, x = 0; c < ncols; c++) {
			if (w[c] == 0)
				continue;
			draw_cell(b, y, x, w[c], &t->cols[c], &r->cells[c],
			    over);
			x += w[c] + 1;
		}
	}
}
