/* runbook_alert.h: from alerts to runbooks.  Which runbook an alert
 * suggests, the labels that fill its parameters, and the suggestion the
 * console shows for a newly firing alert ("PodCrashLooping firing: press R
 * to open runbook pod-crash-loop").  No drawing, no I/O: unit-tested. */
#ifndef SITREP_RUNBOOK_ALERT_H
#define SITREP_RUNBOOK_ALERT_H

#include <stddef.h>

#include "runbook.h"
#include "snapshot.h"

#define RB_ALERT_KEY	256

/* An alert's identity across refreshes: "NAME/FINGERPRINT" (or the labels
 * when there is no fingerprint), as the alerts panel keys its rows. */
void		 runbook_alert_key(const struct alert *, char *, size_t);

/* The runbook of an alert: the one its runbook annotation names if the
 * library has it, else the first (by id) whose `alerts:` lists the
 * alertname; NULL when none.  Broken runbooks are returned too (the
 * caller says why they cannot run). */
const struct runbook *runbook_for_alert(const struct rb_library *,
		     const struct alert *);

/* The alert's labels as "name=value" strings (caller frees each and the
 * array): every label from its matchers, else the "k=v k=v" labels text.
 * Returns how many. */
int		 runbook_alert_labels(const struct alert *, char ***);
void		 runbook_labels_free(char **, int);

/* The suggestion for a newly firing alert.  update() with every alerts
 * snapshot: an active critical or warning alert that was not active in
 * the previous snapshot, and has a runbook, becomes the suggestion unless
 * one of a higher severity is already showing; the suggestion goes away
 * when its alert stops firing (resolved, silenced) or is dismissed (the
 * operator opened it). */
struct rb_suggest {
	int		 on;		/* a suggestion is showing */
	struct alert	 alert;		/* a copy of the alert */
	char		 key[RB_ALERT_KEY];
	char		 runbook[64];	/* its runbook's id */
	int		 rank;		/* 2 critical, 1 warning */
	char		**seen;		/* keys active in the last snapshot */
	int		 nseen;
};

/* Every alerts snapshot; lib NULL (not read yet) changes nothing. */
void		 rb_suggest_update(struct rb_suggest *,
		     const struct rb_library *, const struct alerts_data *);
void		 rb_suggest_dismiss(struct rb_suggest *);
void		 rb_suggest_free(struct rb_suggest *);
/* "PodCrashLooping firing: press R to open runbook pod-crash-loop". */
void		 rb_suggest_text(const struct rb_suggest *, char *, size_t);

#endif
