/* panel.h: the views.  One file per panel (panels/pods.c, ...), each
 * exporting a const struct panel_class listed once in panel_registry.
 *
 * A panel turns the last good snapshot of its kind into table rows
 * (update), names a one-line summary for its title, and may handle keys of
 * its own.  The chrome every panel shares (frame, title, data age, error
 * line and retry time, dimming of stale data, strips) is drawn here, in
 * panel.c, not in each panel. */
#ifndef SITREP_PANEL_H
#define SITREP_PANEL_H

#include <stddef.h>
#include <stdint.h>

#include "role.h"
#include "screen.h"
#include "snapshot.h"
#include "store.h"
#include "table.h"

struct actions;
struct dialog;
struct pager;
struct panel;

/* What the console offers panels: messages, modal dialogs, detail pagers
 * and actions run off the UI thread (core/action.h). */
struct panel_host {
	void		*arg;
	void		(*message)(void *, int error, const char *);
	/* Show d modally; the host owns it.  on_close runs on the UI thread
	 * with the decision, before the host frees d. */
	void		(*dialog)(void *, struct dialog *, struct panel *,
			    void (*on_close)(struct panel *, struct dialog *,
			    int result));
	/* Show a pager full screen (a detail view); the host owns it. */
	void		(*pager)(void *, struct pager *);
	/* Open the runbook of an alert (the runner fills its parameters
	 * from the alert's labels); NULL when there is no runner. */
	void		(*runbook)(void *, const struct alert *);
	struct actions	*actions;	/* NULL when there are none */
	const char	*operator;	/* "alice@bastion-1" */
};

struct keyhelp {
	const char	*key;
	const char	*desc;
};

struct panel_class {
	const char		*name;		/* "pods": :pods */
	const char		*title;		/* "Pods" */
	enum snap_kind		 kind;		/* the data it shows */
	/* Create p->table (and p->priv). */
	void			(*init)(struct panel *);
	/* Rebuild the table from a snapshot (never NULL). */
	void			(*update)(struct panel *,
				    const struct snapshot *);
	/* Title badge, e.g. "2 crashing" with a role; optional. */
	void			(*summary)(struct panel *, char *, size_t,
				    enum role *);
	/* Panel keys beyond the list keys; 1 = handled.  Optional. */
	int			(*key)(struct panel *, int key);
	/* Panel keys, for the help overlay; NULL-terminated, optional. */
	const struct keyhelp	*keys;
	/* What the panel's rows mean, for the help overlay. */
	const char		*help;
	void			(*free)(struct panel *);
};

struct panel {
	const struct panel_class *cls;
	struct table		*table;
	struct snapshot		*snap;		/* last good, a reference */
	struct source_status	 st;
	uint64_t		 generation;
	int			 dirty;
	int			 unconfigured;	/* no source feeds this kind */
	const struct panel_host	*host;		/* set by the console */
	void			*priv;		/* the class's */
};

/* The panels in display order, NULL-terminated. */
extern const struct panel_class *const panel_registry[];

struct panel	*panel_new(const struct panel_class *);
void		 panel_free(struct panel *);
/* Take the store's newest data if it changed; 1 if the panel is dirty. */
int		 panel_refresh(struct panel *, struct store *);
/* Draw with the shared chrome.  number is the focus key (1-5); strip draws
 * the short form; now_ms for data ages. */
void		 panel_draw(struct panel *, const struct tui_box *, int number,
		     int focused, int strip, int64_t now_ms);
/* List keys, then the class's.  1 = handled. */
int		 panel_key(struct panel *, int key, int page);
/* ROLE_CRIT for rank 2, ROLE_WARN for 1, ROLE_OK for 0. */
enum role	 panel_rank_role(int rank);
/* The summary text for headers and tmux lines. */
void		 panel_summary(struct panel *, char *, size_t, enum role *);

#endif
