/*
 * config.c: the configuration the flarewatch commands read: -c FILE, else
 * FW_CONFIG_PATH when it exists, else the built-in defaults.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int cli_output_config_opt(const char *cmd, int argc, char **argv, int *i, const char **out,
			  const char **config)
{
	const char *a = argv[*i];
	bool is_out = !strcmp(a, "-o") || !strcmp(a, "--output");

	if (!is_out && strcmp(a, "-c") && strcmp(a, "--config"))
		return 0;
	if (*i + 1 >= argc) {
		fprintf(stderr, "flarewatch %s: %s needs a value (see flarewatch %s --help)\n", cmd, a, cmd);
		return -1;
	}
	*(is_out ? out : config) = argv[++*i];
	return 1;
}

int cli_tree_dir(const char *cmd, const char *config, const char *out, struct fw_config *cfg,
		 const char **dir)
{
	if (config && out) {
		fprintf(stderr, "flarewatch %s: -c and -o name the tree both: give one\n", cmd);
		return EXIT_USAGE;
	}
	if (cli_config_load(config, !out, cfg) < 0)
		return EXIT_ANALYSIS;
	*dir = out ? out : cfg->investigations_dir;
	return 0;
}

int cli_config_load(const char *config, bool use_default_file, struct fw_config *cfg)
{
	struct fw_error err;

	fw_config_defaults(cfg);
	if (!config && use_default_file && access(FW_CONFIG_PATH, F_OK) == 0)
		config = FW_CONFIG_PATH;
	if (config && fw_config_load(config, cfg, &err) < 0) {
		fprintf(stderr, "flarewatch: %s\n", err.msg);
		fw_config_free(cfg);
		return -1;
	}
	return 0;
}
