/* drills_int.h: inside the drill board, shared by drill_board.c (the
 * drills, the run, keys and dialogs) and drill_draw.c (drawing: reads
 * only).  Nothing else includes it. */
#ifndef SITREP_DRILLS_INT_H
#define SITREP_DRILLS_INT_H

#include "drill.h"
#include "drill_run.h"
#include "drills.h"

enum drills_view { DV_NONE, DV_LIST, DV_BOARD };
enum drills_dlg { DLG_DECLARE, DLG_PHASE, DLG_OBSERVE, DLG_END };

struct drills {
	struct drills_opts	 o;
	struct drill_library	*lib;
	char			 problem[512];	/* loading: the first one */
	enum drills_view	 view;
	int			 sel;		/* the list's selection */
	const struct drill	*cur;		/* on the board */
	struct drill_run	*run;		/* the drill running (or ended) */
	int			 cursor;	/* in the checklist shown */
	int			 cursor_list;	/* which one (drills_list) */
	enum drills_dlg		 dlg;		/* the dialog open */
	char			 said[320];	/* last background error said */
};

int64_t		 drills_now(const struct drills *);
/* The checklist the board shows: -1 pre-drill, else a phase index; its
 * items and count. */
int		 drills_list(const struct drills *, const struct rb_str **,
		     int *n);
/* Drawing (drill_draw.c). */
void		 drills_draw_list(struct drills *, const struct tui_box *);
void		 drills_draw_board(struct drills *, const struct tui_box *);

#endif
