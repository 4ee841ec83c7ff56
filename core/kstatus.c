/* kstatus.c: kubectl's STATUS column rules. */
#include <stdio.h>
#include <string.h>

#include "kstatus.h"
#include "util.h"

/* Init containers: returns 1 while the pod is still initialising. */
static int
kstatus_init(const struct kpod *p, struct kstatus *out)
{
	const struct kcontainer	*c;
	int			 i;

	for (i = 0; i < p->ninit_status; i++) {
		c = &p->init[i];
		out->restarts += c->restarts;
		if (c->last_reason[0] != '\0')
			strlcpy_(out->last_reason, c->last_reason,
			    sizeof out->last_reason);
		if (c->state == KSTATE_TERMINATED && c->exit_code == 0)
			continue;
		if (c->restartable && c->started) {
			/* A running sidecar counts as a container. */
			if (c->ready)
				out->ready++;
			continue;
		}
		if (c->state == KSTATE_TERMINATED) {
			if (c->reason[0] == '\0') {
				if (c->signal != 0)
					snprintf(out->status,
					    sizeof out->status,
					    "Init:Signal:%d", c->signal);
				else
					snprintf(out->status,
					    sizeof out->status,
					    "Init:ExitCode:%d", c->exit_code);
			} else
				snprintf(out->status, sizeof out->status,
				    "Init:%.42s", c->reason);
		} else if (c->state == KSTATE_WAITING && c->reason[0] != '\0' &&
		    strcmp(c->reason, "PodInitializing") != 0) {
			snprintf(out->status, sizeof out->status, "Init:%.42s",
			    c->reason);
		} else {
			snprintf(out->status, sizeof out->status, "Init:%d/%d",
			    i, p->ninit);
		}
		return (1);
	}
	return (0);
}

static void
kstatus_containers(const struct kpod *p, struct kstatus *out)
{
	const struct kcontainer	*c;
	int			 i, running = 0;

	/* Once initialised, kubectl counts the restarts of the regular
	 * containers and of the sidecars (restartable init containers). */
	out->restarts = 0;
	for (i = 0; i < p->ninit_status; i++)
		if (p->init[i].restartable)
			out->restarts += p->init[i].restarts;
	for (i = p->ncontainer_status - 1; i >= 0; i--) {
		c = &p->containers[i];
		out->restarts += c->restarts;
		if (c->last_reason[0] != '\0' && out->last_reason[0] == '\0')
			strlcpy_(out->last_reason, c->last_reason,
			    sizeof out->last_reason);
		if (c->state == KSTATE_WAITING && c->reason[0] != '\0')
			strlcpy_(out->status, c->reason, sizeof out->status);
		else if (c->state == KSTATE_TERMINATED && c->reason[0] != '\0')
			strlcpy_(out->status, c->reason, sizeof out->status);
		else if (c->state == KSTATE_TERMINATED) {
			if (c->signal != 0)
				snprintf(out->status, sizeof out->status,
				    "Signal:%d", c->signal);
			else
				snprintf(out->status, sizeof out->status,
				    "ExitCode:%d", c->exit_code);
		} else if (c->ready && c->state == KSTATE_RUNNING) {
			running = 1;
			out->ready++;
		}
	}
	/* A pod whose some containers completed but one still runs. */
	if (strcmp(out->status, "Completed") == 0 && running) {
		if (p->ready_condition)
			strlcpy_(out->status, "Running", sizeof out->status);
		else
			strlcpy_(out->status, "NotReady", sizeof out->status);
	}
}

void
kstatus_compute(const struct kpod *p, struct kstatus *out)
{
	int	i, sidecars = 0;

	memset(out, 0, sizeof *out);
	for (i = 0; i < p->ninit_status; i++)
		if (p->init[i].restartable)
			sidecars++;
	out->total = p->ncontainers + sidecars;
	strlcpy_(out->status, p->phase, sizeof out->status);
	if (p->reason[0] != '\0')
		strlcpy_(out->status, p->reason, sizeof out->status);

	if (!kstatus_init(p, out))
		kstatus_containers(p, out);
	else {
		/* kubectl counts restarts of regular containers only once
		 * initialisation is over; keep the init restarts. */
	}

	if (p->deleting && strcmp(p->reason, "NodeLost") == 0)
		strlcpy_(out->status, "Unknown", sizeof out->status);
	else if (p->deleting && strcmp(p->phase, "Succeeded") != 0 &&
	    strcmp(p->phase, "Failed") != 0)
		strlcpy_(out->status, "Terminating", sizeof out->status);
}

static const char *crit_states[] = {
	"CrashLoopBackOff", "OOMKilled", "Error", "ImagePullBackOff",
	"ErrImagePull", "CreateContainerConfigError", "InvalidImageName",
	"CreateContainerError", "RunContainerError", "Evicted", "Failed",
	"Unknown", "ContainerStatusUnknown", NULL
};

int
kstatus_severity(const char *status, int ready, int total, int restarts)
{
	int	i;

	for (i = 0; crit_states[i] != NULL; i++)
		if (strcmp(status, crit_states[i]) == 0)
			return (2);
	if (strncmp(status, "Init:", 5) == 0 &&
	    strchr(status + 5, '/') == NULL)
		return (2);		/* Init:CrashLoopBackOff, Init:Error */
	if (strncmp(status, "Signal:", 7) == 0 ||
	    strncmp(status, "ExitCode:", 9) == 0)
		return (2);
	if (strcmp(status, "Completed") == 0 || strcmp(status,
	    "Succeeded") == 0)
		return (0);
	if (strcmp(status, "Running") != 0)
		return (1);		/* Pending, ContainerCreating, ... */
	if (ready < total || restarts > 0)
		return (1);
	return (0);
}
