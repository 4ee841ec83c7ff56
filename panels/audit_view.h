/* audit_view.h: the audit trail in the console (panels/audit.c): the
 * trail's last records in a pager, read off the UI thread through the
 * "audit.tail" action (core/audit.c registers it). */
#ifndef SITREP_AUDIT_VIEW_H
#define SITREP_AUDIT_VIEW_H

struct panel_host;

#define AUDIT_VIEW_RECORDS	200

/* Ask for the last records; the pager opens when they arrive.  Without an
 * audit trail, says so on the status bar.  host must outlive the request
 * (the console's does). */
void	 audit_view_open(const struct panel_host *);

#endif
