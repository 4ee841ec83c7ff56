/* pods.c: the Pods panel.  kubectl's columns (STATUS computed the kubectl
 * way, see core/kstatus.c) plus the last termination reason, so that an
 * OOMKilled container shows beside its CrashLoopBackOff.  Problem pods rank
 * first; degraded deployments are named in the title. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "action.h"
#include "keys.h"
#include "kstatus.h"
#include "pager.h"
#include "panel.h"
#include "util.h"
#include "xmalloc.h"

enum { C_NS, C_NAME, C_READY, C_STATUS, C_RESTARTS, C_LAST, C_AGE, C_NODE,
	C__COUNT };

static const struct table_col pods_cols[C__COUNT] = {
	{ "NAMESPACE", 10, 0, 0, 2 },
	{ "NAME", 24, 4, 0, 0 },
	{ "READY", 5, 0, 1, 0 },
	{ "STATUS", 17, 0, 0, 0 },
	{ "RESTARTS", 8, 0, 1, 0 },
	{ "LAST", 10, 0, 0, 1 },
	{ "AGE", 4, 0, 1, 1 },
	{ "NODE", 8, 1, 0, 3 },
};

#define RECENT_RESTART_S	(15 * 60)

static void
pods_init(struct panel *p)
{
	p->table = table_new(pods_cols, C__COUNT);
}

static int
pod_rank(const struct pod *pod, int64_t now)
{
	int	rank = pod->problem;

	if (rank == 0 && pod->last_restart_ms != 0 &&
	    (now - pod->last_restart_ms) / 1000 < RECENT_RESTART_S)
		rank = 1;
	return (rank);
}

static void
pods_row(struct panel *p, const struct pod *pod, int64_t now)
{
	char	key[200], age[16], restarts[32], ago[16];
	int	rank = pod_rank(pod, now);

	snprintf(key, sizeof key, "%s/%s", pod->ns, pod->name);
	table_row(p->table, key, rank);
	table_cell(p->table, C_NS, ROLE_MUTED, pod->ns);
	table_cell(p->table, C_NAME, rank ? panel_rank_role(rank) : ROLE_NORMAL,
	    pod->name);
	table_cellf(p->table, C_READY, pod->ready < pod->total ? ROLE_WARN :
	    ROLE_NORMAL, "%d/%d", pod->ready, pod->total);
	table_cell(p->table, C_STATUS, panel_rank_role(pod->problem), pod->status);
	if (pod->last_restart_ms != 0 && pod->restarts > 0) {
		fmt_age(ago, sizeof ago, (now - pod->last_restart_ms) / 1000);
		snprintf(restarts, sizeof restarts, "%d (%s)", pod->restarts,
		    ago);
	} else
		snprintf(restarts, sizeof restarts, "%d", pod->restarts);
	table_cell_num(p->table, C_RESTARTS, pod->restarts ? ROLE_WARN :
	    ROLE_NORMAL, pod->restarts, restarts);
	table_cell(p->table, C_LAST, strcmp(pod->last_reason, "OOMKilled") ==
	    0 ? ROLE_CRIT : ROLE_MUTED, pod->last_reason);
	fmt_age(age, sizeof age, (now - pod->created_ms) / 1000);
	table_cell_num(p->table, C_AGE, ROLE_NORMAL,
	    (double)(now - pod->created_ms), age);
	table_cell(p->table, C_NODE, ROLE_MUTED, pod->node);
}

static void
pods_update(struct panel *p, const struct snapshot *s)
{
	const struct pods_data	*d = &s->u.pods;
	int64_t			 now = s->fetched_ms;
	int			 i;

	table_begin(p->table);
	for (i = 0; i < d->npods; i++)
		pods_row(p, &d->pods[i], now);
	table_end(p->table);
}

static void
pods_summary(struct panel *p, char *buf, size_t len, enum role *role)
{
	const struct pods_data	*d = &p->snap->u.pods;
	int			 crit, warn, i, n;
	size_t			 off;

	crit = table_rank_count(p->table, 2);
	warn = table_rank_count(p->table, 1);
	if (crit > 0)
		*role = ROLE_CRIT;
	else if (warn > 0)
		*role = ROLE_WARN;
	else
		*role = ROLE_OK;
	/* A note (TLS not verified, deployments not readable) comes first:
	 * it qualifies everything after it. */
	off = 0;
	if (d->note[0] != '\0') {
		if (*role == ROLE_OK)
			*role = ROLE_WARN;
		n = snprintf(buf, len, "%s; ", d->note);
		off = n > 0 && (size_t)n < len ? (size_t)n : len - 1;
	}
	if (crit + warn == 0)
		n = snprintf(buf + off, len - off, "%d pods ok", d->npods);
	else if (crit > 0 && warn > 0)
		n = snprintf(buf + off, len - off, "%d crit %d warn of %d",
		    crit, warn, d->npods);
	else
		n = snprintf(buf + off, len - off, "%d %s of %d", crit + warn,
		    crit ? "crit" : "warn", d->npods);
	off += n > 0 && (size_t)n < len - off ? (size_t)n : len - off - 1;
	for (i = 0; i < d->ndeploys && off + 1 < len; i++) {
		const struct deployment	*dp = &d->deploys[i];

		if (dp->available >= dp->desired)
			continue;
		n = snprintf(buf + off, len - off, ", %s %d/%d", dp->name,
		    dp->available, dp->desired);
		if (n < 0 || (size_t)n >= len - off)
			break;
		off += (size_t)n;
	}
}

/* Pod details -------------------------------------------------------------- */

#define POD_DETAIL	"k8s.pod-detail"

/* Headings start in the first column; the rest is indented. */
static enum role
detail_role(const char *line)
{
	if (line[0] != ' ' && line[0] != '\0')
		return (ROLE_TITLE);
	if (strstr(line, "  Warning  ") != NULL || strstr(line,
	    "OOMKilled") != NULL || strstr(line, "CrashLoopBackOff") != NULL)
		return (ROLE_WARN);
	return (ROLE_NORMAL);
}

/* UI thread, when the action ends: show its text in a pager. */
static void
pods_detail_done(void *arg, const struct action_req *req,
    const struct action_result *res)
{
	struct panel	*p = arg;
	struct pager	*pg;
	char		 title[256], *text, *line, *nl;

	if (!res->ok || res->output == NULL) {
		p->host->message(p->host->arg, 1, res->summary);
		return;
	}
	snprintf(title, sizeof title, "Pod %s/%s (Esc closes)",
	    action_arg(req, "ns"), action_arg(req, "pod"));
	pg = pager_new(title);
	text = xstrdup(res->output);
	for (line = text; line != NULL && *line != '\0'; line = nl) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		pager_add(pg, detail_role(line), line);
	}
	free(text);
	p->host->pager(p->host->arg, pg);
	p->host->message(p->host->arg, 0, res->summary);
}

/* Enter: the selected pod's detail view, read off the UI thread. */
static int
pods_detail(struct panel *p)
{
	const char	*key = table_selected(p->table), *slash;
	const char	*argv[2];
	char		 ns[80], pod[160], a0[96], a1[176], msg[300];

	if (p->host == NULL || key == NULL ||
	    (slash = strchr(key, '/')) == NULL)
		return (0);
	if (p->host->actions == NULL || !actions_has(p->host->actions,
	    POD_DETAIL)) {
		p->host->message(p->host->arg, 1, "pod details need a "
		    "Kubernetes source");
		return (1);
	}
	snprintf(ns, sizeof ns, "%.*s", (int)(slash - key), key);
	snprintf(pod, sizeof pod, "%s", slash + 1);
	snprintf(a0, sizeof a0, "ns=%s", ns);
	snprintf(a1, sizeof a1, "pod=%s", pod);
	argv[0] = a0;
	argv[1] = a1;
	if (actions_run(p->host->actions, POD_DETAIL, 2, argv,
	    pods_detail_done, p) < 0)
		return (1);
	snprintf(msg, sizeof msg, "loading pod %s/%s details...", ns, pod);
	p->host->message(p->host->arg, 0, msg);
	return (1);
}

static int
pods_key(struct panel *p, int key)
{
	if (key == KEYC_ENTER)
		return (pods_detail(p));
	return (0);
}

static const struct keyhelp pods_keys[] = {
	{ "Enter", "the pod's containers, events and last log lines" },
	{ "s / S", "sort by the next column / reverse the order" },
	{ NULL, NULL }
};

const struct panel_class pods_panel = {
	.name = "pods",
	.title = "Pods",
	.kind = SNAP_PODS,
	.init = pods_init,
	.update = pods_update,
	.summary = pods_summary,
	.key = pods_key,
	.keys = pods_keys,
	.help = "Pods as kubectl shows them; problem pods first. LAST is the "
	    "last termination reason (OOMKilled), RESTARTS shows how long "
	    "ago the last one was. The title names degraded deployments "
	    "(available/desired).",
};
