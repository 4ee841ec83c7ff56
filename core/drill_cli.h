/* drill_cli.h: `sitrep drill ...` (docs/drills.md):
 *
 *   sitrep drill list [--json]            id, type, title, file
 *   sitrep drill show NAME|FILE           the drill as sitrep reads it
 *   sitrep drill lint [FILE|DIR...]       FILE:LINE:COL: message; exit 1
 *   sitrep drill report ID [--audit TRAIL] [--format md|json] [-o FILE]
 *                                         the report, from the trail only
 *
 * `sitrep drill start NAME` opens the console on the drill board; sitrep.c
 * handles it (the console's options), never drill_cli: drill_cli_is_start
 * says whether argv is that command and which drill it names.
 *
 * argv[0] is "drill".  Returns the exit status: 0 ok, 1 problems found
 * (lint) or the drill / its records not found (show, report), 2 usage or
 * an I/O error. */
#ifndef SITREP_DRILL_CLI_H
#define SITREP_DRILL_CLI_H

int	drill_cli(int argc, char **argv);
/* 1 when argv (argv[0] = "drill") is `drill start NAME`: *name = NAME. */
int	drill_cli_is_start(int argc, char **argv, const char **name);

#endif
