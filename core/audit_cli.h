/* audit_cli.h: `sitrep audit verify|tail|export|unfinished|keygen`.
 * sitrep.c calls audit_cli() with the arguments from the word "audit" on
 * (argv[0] is "audit", argv[1] the subcommand). */
#ifndef SITREP_AUDIT_CLI_H
#define SITREP_AUDIT_CLI_H

/* The exit status: 0 fine (verify: intact), 1 verify found tampering,
 * 2 usage, or a file or server that could not be read. */
int	 audit_cli(int argc, char **argv);

#endif
