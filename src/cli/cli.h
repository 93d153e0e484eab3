/*
 * cli.h: the flarewatch command line. main.c dispatches to one function per
 * top-level command; each returns the process exit status:
 * 0 success, 1 analysis error, 2 usage error.
 */
#ifndef FW_CLI_H
#define FW_CLI_H

#include <stdbool.h>

#include "base/fwconfig.h"

#define EXIT_ANALYSIS 1
#define EXIT_USAGE 2

/* Loads CONFIG, or (use_default_file) FW_CONFIG_PATH when CONFIG is NULL
 * and that file exists, over the defaults. On error prints it, frees cfg
 * and returns -1 (exit status EXIT_ANALYSIS). */
int cli_config_load(const char *config, bool use_default_file, struct fw_config *cfg);

/* The options analyze, compare, history, index and outliers share: if argv[*i] is -o/--output DIR or
 * -c/--config FILE, takes the next argument as *out or *config, advances
 * *i and returns 1; returns 0 for any other argument; -1 (after the usage
 * message naming `flarewatch CMD`) when the value is missing. */
/* The investigations tree of index, history and outliers: -o DIR, else the
 * tree of -c FILE's (or the default file's) configuration, loaded into cfg
 * (free it after). Returns 0 with *dir set, or the exit status after its
 * message (EXIT_USAGE when both -c and -o are given). */
int cli_tree_dir(const char *cmd, const char *config, const char *out, struct fw_config *cfg,
		 const char **dir);

int cli_output_config_opt(const char *cmd, int argc, char **argv, int *i, const char **out,
			  const char **config);

int cli_pprof(int argc, char **argv);
int cli_analyze(int argc, char **argv);
/* exits 0 when flarewatchd runs, 3 when it does not (see status.c) */
int cli_status(int argc, char **argv);
int cli_index(int argc, char **argv);
int cli_outliers(int argc, char **argv);
int cli_history(int argc, char **argv);
int cli_compare(int argc, char **argv);

#endif
