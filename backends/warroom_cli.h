/* warroom_cli.h: `sitrep approve [options] CODE`, the second person of a
 * two-person step (docs/warroom.md): fetch the request from the war room,
 * show what will run and the live figures, ask, write the approver's own
 * audit record, then answer.  Exit 0 answered as asked, 1 error or not
 * answered, 2 usage. */
#ifndef SITREP_WARROOM_CLI_H
#define SITREP_WARROOM_CLI_H

/* argv[0] is "approve". */
int	 warroom_cli(int argc, char **argv);

#endif
