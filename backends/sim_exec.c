/* sim_exec.c: the demo world's actions as an action handler, kind "sim":
 * arguments action=NAME and the action's own key=value pairs. */
#include <stdio.h>
#include <string.h>

#include "action.h"
#include "sim.h"

static int
sim_exec(void *ctx, const struct action_req *req, struct action_result *res,
    const volatile int *cancel)
{
	const char	*name = action_arg(req, "action");
	const char	*argv[ACTION_MAX_ARGS];
	struct error	 err;
	int		 i, argc = 0;

	if (name == NULL) {
		snprintf(res->summary, sizeof res->summary,
		    "sim: no action= argument");
		return (-1);
	}
	for (i = 0; i < req->argc; i++)
		if (strncmp(req->argv[i], "action=", 7) != 0)
			argv[argc++] = req->argv[i];
	if (sim_action(ctx, name, argc, argv, res->summary,
	    sizeof res->summary, &err) != 0) {
		snprintf(res->summary, sizeof res->summary, "%s", err.msg);
		return (-1);
	}
	return (0);
}

void
sim_register_actions(struct sim *sim, struct actions *actions)
{
	actions_register(actions, "sim", sim_exec, sim);
}
