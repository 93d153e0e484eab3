/*
 * config.c: the configuration the flarewatch commands read: -c FILE, else
 * FW_CONFIG_PATH when it exists, else the built-in defaults.
 */
#include "cli.h"

#include <stdio.h>
#include <unistd.h>

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
