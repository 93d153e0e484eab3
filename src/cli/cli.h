/*
 * cli.h: the flarewatch command line. main.c dispatches to one function per
 * top-level command; each returns the process exit status:
 * 0 success, 1 analysis error, 2 usage error.
 */
#ifndef FW_CLI_H
#define FW_CLI_H

#define EXIT_ANALYSIS 1
#define EXIT_USAGE 2

int cli_pprof(int argc, char **argv);
int cli_analyze(int argc, char **argv);
/* exits 0 when flarewatchd runs, 3 when it does not (see status.c) */
int cli_status(int argc, char **argv);
int cli_index(int argc, char **argv);

#endif
