/* console_int.h: what console.c (state, keys, commands, loop hooks) and
 * console_draw.c (layout and drawing) share.  Internal to the console. */
#ifndef SITREP_CONSOLE_INT_H
#define SITREP_CONSOLE_INT_H

#include <stdint.h>

#include "console.h"
#include "dialog.h"
#include "layout.h"
#include "pager.h"
#include "panel.h"
#include "prompt.h"

#define MAX_PANELS 16

/* What shows between header and status bar: the panels, or one view. */
enum console_view { VIEW_PANELS, VIEW_RUNBOOK, VIEW_DRILL, VIEW_FOLLOW };

enum console_mode { MODE_NORMAL, MODE_COMMAND, MODE_FILTER, MODE_HELP,
	MODE_DIALOG, MODE_PAGER };

struct console {
	struct store		*store;
	struct console_opts	 opts;
	struct console_hooks	 hooks;
	struct panel		*panels[MAX_PANELS];
	int			 npanels;
	int			 focus;
	int			 zoom;
	struct layout		 layout;
	int			 rows, cols;
	int			 all_dirty;
	enum console_mode	 mode;
	struct prompt		 prompt;
	struct pager		*help;
	struct pager		*detail;	/* a panel's detail view */
	struct dialog		*dialog;
	struct panel		*dialog_panel;
	void			(*dialog_close)(struct panel *,
				    struct dialog *, int);
	struct panel_host	 host;
	struct runbooks		*runbooks;	/* the runner: its views */
	struct drills		*drills;	/* the drill board */
	struct follow		*follow;	/* following an incident */
	int			 showing;	/* the view last drawn */
	struct theme		 theme;
	char			 msg[256];
	int			 msg_error;
	int64_t			 msg_until;
	int			 refreshes;
	int			 quit;
	int			 status;
};

/* console.c */
enum console_view console_view(const struct console *);

/* console_room.c: the war room, the follow view, the drill board */
void		 console_room_new(struct console *);
void		 console_room_free(struct console *);
/* --follow / drill start: open their views */
void		 console_room_start(struct console *);
/* On every wake and tick: the views, joining the incident we drive. */
void		 console_room_poll(struct console *);
void		 console_cmd_follow(struct console *, const char *);
void		 console_cmd_drill(struct console *, const char *);
/* runbooks_opts.observe_fn: every engine event, to the drill board. */
int		 console_observe(void *, const struct engine_event *);

/* console_draw.c */
void		 console_layout(struct console *);
void		 console_draw(void *);	/* the loop's draw hook */

#endif
