/* audit.c: the audit viewer.  `:audit` asks the "audit.tail" action for the
 * trail's last AUDIT_VIEW_RECORDS records, formatted (core/audit_read.c);
 * the reading happens on an action thread, never on the UI thread.  The
 * answer opens in a pager, each line coloured by what it records:
 * failures and refusals critical, skips and anchor failures a warning,
 * the intent of an action accented. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "action.h"
#include "audit_view.h"
#include "pager.h"
#include "panel.h"
#include "xmalloc.h"

#define AUDIT_TAIL	"audit.tail"

static const struct {
	const char	*word;
	enum role	 role;
} audit_roles[] = {
	{ " FAILED ", ROLE_CRIT }, { " refused", ROLE_CRIT },
	{ " anchor_failed", ROLE_WARN }, { " recovered", ROLE_WARN },
	{ " skipped", ROLE_WARN }, { " cancelled", ROLE_WARN },
	{ " started ", ROLE_ACCENT }, { " session_", ROLE_MUTED },
	{ "?? ", ROLE_ERROR },
};

static enum role
audit_view_role(const char *line)
{
	size_t	i;

	for (i = 0; i < sizeof audit_roles / sizeof audit_roles[0]; i++)
		if (strstr(line, audit_roles[i].word) != NULL)
			return (audit_roles[i].role);
	return (ROLE_NORMAL);
}

static void
audit_view_done(void *arg, const struct action_req *req,
    const struct action_result *res)
{
	const struct panel_host	*host = arg;
	struct pager		*pg;
	char			 title[128], *text, *line, *nl;

	if (!res->ok || res->output == NULL) {
		host->message(host->arg, 1, res->summary);
		return;
	}
	snprintf(title, sizeof title, "Audit trail: the last %d records, "
	    "newest last (Esc closes)", AUDIT_VIEW_RECORDS);
	pg = pager_new(title);
	text = xstrdup(res->output);
	for (line = text; line != NULL && *line != '\0'; line = nl) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		pager_add(pg, audit_view_role(line), line);
	}
	if (pager_lines(pg) == 0)
		pager_add(pg, ROLE_MUTED, "(the trail is empty)");
	free(text);
	pager_key(pg, 'G', 1);
	host->pager(host->arg, pg);
	host->message(host->arg, 0, res->summary);
}

void
audit_view_open(const struct panel_host *host)
{
	char		 count[32];
	const char	*argv[1];

	if (host->actions == NULL || !actions_has(host->actions,
	    AUDIT_TAIL)) {
		host->message(host->arg, 1, "no audit trail in this session");
		return;
	}
	snprintf(count, sizeof count, "count=%d", AUDIT_VIEW_RECORDS);
	argv[0] = count;
	if (actions_run(host->actions, AUDIT_TAIL, 1, argv, audit_view_done,
	    (void *)host) < 0)
		return;
	host->message(host->arg, 0, "reading the audit trail...");
}
