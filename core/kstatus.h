/* kstatus.h: the pod STATUS column, computed the way kubectl computes it
 * (printPod in kubernetes/pkg/printers/internalversion/printers.go), from
 * the fields of a pod's status.  Used by the sim and the Kubernetes source. */
#ifndef SITREP_KSTATUS_H
#define SITREP_KSTATUS_H

#include <stddef.h>

enum kstate { KSTATE_NONE, KSTATE_WAITING, KSTATE_RUNNING, KSTATE_TERMINATED };

struct kcontainer {
	enum kstate	 state;
	char		 reason[48];	/* waiting or terminated reason */
	int		 exit_code;	/* terminated */
	int		 signal;	/* terminated, 0 = none */
	int		 ready;
	int		 restarts;
	int		 restartable;	/* init container with restartPolicy Always (sidecar) */
	int		 started;	/* sidecar started */
	char		 last_reason[48];	/* lastState.terminated.reason */
};

struct kpod {
	char			 phase[24];	/* Pending, Running, Succeeded, Failed, Unknown */
	char			 reason[48];	/* status.reason, e.g. Evicted, NodeLost */
	int			 deleting;	/* metadata.deletionTimestamp set */
	int			 ready_condition;	/* condition Ready == True */
	int			 ninit;		/* spec.initContainers */
	const struct kcontainer	*init;		/* initContainerStatuses */
	int			 ninit_status;
	int			 ncontainers;	/* spec.containers */
	const struct kcontainer	*containers;	/* containerStatuses */
	int			 ncontainer_status;
};

struct kstatus {
	char	 status[48];	/* STATUS */
	int	 ready;		/* READY x */
	int	 total;		/* READY /y */
	int	 restarts;
	char	 last_reason[48];	/* most recent last termination reason */
};

void	 kstatus_compute(const struct kpod *, struct kstatus *);
/* 2 = crit (CrashLoopBackOff, OOMKilled, Error, ImagePullBackOff, ...),
 * 1 = warn (Pending, ContainerCreating, Terminating, not all ready, restarts),
 * 0 = fine (Running and ready, Completed). */
int	 kstatus_severity(const char *status, int ready, int total,
	    int restarts);

#endif
