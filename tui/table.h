/* table.h: the list widget every panel uses.
 *
 * A panel rebuilds the rows from each snapshot between table_begin() and
 * table_end(); the table keeps the selection (by row key), the scroll
 * position, the sort column and the filter across rebuilds.  Rows carry a
 * rank (2 crit, 1 warn, 0 fine): by default problems sort to the top.
 * The table handles the list keys (j/k, arrows, PgUp/PgDn, g/G, s/S). */
#ifndef SITREP_TABLE_H
#define SITREP_TABLE_H

#include "role.h"
#include "screen.h"

struct table_col {
	const char	*title;
	int		 minw;		/* columns always given */
	int		 flex;		/* share of the spare width, 0 = none */
	int		 right;		/* right-aligned (numbers) */
	int		 drop;		/* when too narrow, higher drops first;
					 * 0 = only after every droppable one */
};

struct table;

/* cols must outlive the table (a static const array). */
struct table	*table_new(const struct table_col *cols, int ncols);
void		 table_free(struct table *);

void		 table_begin(struct table *);
/* Start a row; key identifies it across rebuilds (kept selected). */
void		 table_row(struct table *, const char *key, int rank);
/* Cells of the current row, by column. */
void		 table_cell(struct table *, int col, enum role, const char *);
void		 table_cellf(struct table *, int col, enum role, const char *,
		     ...) __attribute__((format(printf, 4, 5)));
/* A cell that sorts by a number rather than its text. */
void		 table_cell_num(struct table *, int col, enum role,
		     double sortval, const char *);
/* A sparkline filling the cell; max <= 0 scales to the largest value. */
void		 table_cell_spark(struct table *, int col, enum role,
		     const double *v, int n, double max);
void		 table_end(struct table *);

/* List keys; page is the number of rows a page moves.  1 = handled. */
int		 table_key(struct table *, int key, int page);
void		 table_set_filter(struct table *, const char *);
const char	*table_filter(const struct table *);
/* col -1 = default order (rank, then as added). */
void		 table_set_sort(struct table *, int col, int desc);
const char	*table_col_title(const struct table *, int);
int		 table_ncols(const struct table *);

int		 table_rows(const struct table *);	/* after the filter */
int		 table_rows_total(const struct table *);
/* The selected row's key, or NULL. */
const char	*table_selected(const struct table *);
int		 table_selected_index(const struct table *);
/* Text of a cell of the row at visible index i (for tests and details). */
const char	*table_text(const struct table *, int i, int col);
int		 table_rank_count(const struct table *, int rank);

/* Draw into box.  header: draw column titles; focused: show the selection.
 * In a strip (header 0, focused 0) the first rows are shown. */
void		 table_draw(struct table *, const struct tui_box *,
		     int header, int focused);

#endif
