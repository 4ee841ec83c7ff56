/* status_cli.h: `sitrep status [--tmux|--json|--plain] ...`, the figures
 * of the world in one short line (tmux's status-right), JSON or a few
 * lines, within a deadline and from a short-lived cache.  argv[0] is
 * "status".  Exit 0 printed (failed sources are in the output), 1 a
 * configuration error, 2 usage. */
#ifndef SITREP_STATUS_CLI_H
#define SITREP_STATUS_CLI_H

int	 status_cli(int argc, char **argv);

#endif
