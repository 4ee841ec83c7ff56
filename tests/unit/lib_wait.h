/* lib_wait.h: for the unit tests that drive a runbook runner.  Its library
 * is read by the runner's loader thread (panels/runbooks.c): wait for it,
 * 5 s at most.  Include after cmocka.h and runbook_view.h. */
#ifndef SITREP_TEST_LIB_WAIT_H
#define SITREP_TEST_LIB_WAIT_H

#include <unistd.h>

static void
lib_wait(struct runbooks *h)
{
	int	i;

	for (i = 0; i < 1000 && runbooks_lib(h) == NULL; i++)
		usleep(5000);
	if (runbooks_lib(h) == NULL)
		fail_msg("the runbook library was not read in 5 s");
}

#endif
