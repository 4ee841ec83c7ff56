/* runbook_cli.h: `sitrep runbook list|show|lint|dry-run`, for scripts and
 * for authors.  sitrep.c calls runbook_cli() with the arguments from the
 * word "runbook" on (argv[0] may be "runbook" or the subcommand). */
#ifndef SITREP_RUNBOOK_CLI_H
#define SITREP_RUNBOOK_CLI_H

/* Returns the exit status: 0 fine, 1 problems found (lint, a step that
 * cannot be rendered), 2 usage or a value refused. */
int	 runbook_cli(int argc, char **argv);

#endif
