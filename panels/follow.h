/* follow.h: following an incident from any machine (`sitrep follow INC`,
 * :follow INC): the runs of the incident as they progress, read-only, and
 * who is there (docs/user-guide.md, "Following an incident").
 *
 * Every audit record of the incident arrives through the war room's stream
 * (warroom_take; a late joiner gets every record from the first on) and is
 * fed to follow_feed: the runs are rebuilt from the records
 * (audit_runs_feed), the timeline shows them as audit_format lines.  The
 * view never runs anything.  It answers two-person approval requests of
 * the incident (a reviews, y approves; x rejects with a reason) and, when
 * the driver hands the wheel over to this console, T takes over the open
 * run (the adopt hook).
 *
 * The console owns one `struct follow`: it forwards keys while it shows
 * (follow_showing), draws it in place of the panels and calls follow_poll
 * on every wake and every second tick.  Everything runs on the UI thread;
 * without a war room (wr NULL) the view says so and shows what is fed. */
#ifndef SITREP_FOLLOW_H
#define SITREP_FOLLOW_H

#include "audit.h"
#include "panel.h"
#include "runbooks.h"
#include "screen.h"
#include "warroom.h"

struct follow;

struct follow_opts {
	const struct panel_host	*host;		/* messages, dialogs, pagers */
	struct warroom		*wr;		/* NULL: no war room (the view
						 * says so; tests feed records) */
	const struct wr_identity *self;		/* who we are; NULL = unknown
						 * (then nobody can approve) */
	/* T: we were handed the wheel: take over the incident's open run
	 * (run is valid during the call only). */
	void			(*adopt)(void *arg, const char *incident,
				    const struct audit_run *run);
	void			*adopt_arg;
	/* Before answering a request: the approver's own audit record
	 * (durable); -1 = do not answer, err says why.  NULL: requests
	 * cannot be answered from this console. */
	int			(*answer_intent)(void *arg,
				    const struct wr_request *, int approve,
				    const char *reason, struct error *);
	void			*answer_arg;
};

/* opts (and what it points to) must outlive the follow. */
struct follow	*follow_new(const struct follow_opts *);
/* Frees the view; the war room is left as it is (warroom_free leaves). */
void		 follow_free(struct follow *);

/* :follow INC: join the incident as a watcher (warroom_join, WR_WATCHING)
 * and show it; the same incident again only shows it.  0 = showing, -1
 * (not an incident id) with a message. */
int		 follow_open(struct follow *, const char *incident);
int		 follow_showing(const struct follow *);
/* Leave the view; the incident is still followed. */
void		 follow_hide(struct follow *);
/* The incident followed, or NULL. */
const char	*follow_incident(const struct follow *);

enum runbooks_key follow_key(struct follow *, int key, int page);
void		 follow_draw(struct follow *, const struct tui_box *);
/* warroom_take (records), warroom_view (presence, the driver, a
 * handover to us), warroom_pending (requests), warroom_messages (to
 * host->message).  1 when something changed. */
int		 follow_poll(struct follow *);
/* One record (a JSON line); records of other incidents are ignored. */
void		 follow_feed(struct follow *, const char *line);

/* The view's keys and what it shows, for the help overlay. */
extern const struct keyhelp follow_keys[];
extern const char follow_help[];

#endif
