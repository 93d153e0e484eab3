/*
 * analyze.c: `flarewatch analyze PATH [-o DIR] [--json] [-c FILE]`, one
 * flare through the library's fw_analyze(). Prints the verdict and where the
 * report went, or the report's JSON with --json.
 */
#include "analyze.h"
#include "cli.h"
#include "fwconfig.h"
#include "outtext.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_CONFIG "/etc/flarewatch/flarewatch.yaml"

static void usage(FILE *f)
{
	fputs("Usage: flarewatch analyze [-o DIR] [--json] [-c FILE] PATH\n"
	      "Analyze one Datadog Agent flare (a .zip or an extracted folder) and write its\n"
	      "investigation report to DIR/<hostname>/<flare time>/.\n"
	      "\n"
	      "  -o, --output DIR   investigations folder (default ./investigations)\n"
	      "      --json         print report.json to standard output\n"
	      "  -c, --config FILE  configuration for thresholds and report texts\n"
	      "                     (default " DEFAULT_CONFIG " if it exists)\n"
	      "  -h, --help         show this help\n"
	      "Exit status: 0 analyzed (whatever the verdict), 1 analysis error, 2 usage error.\n",
	      f);
}

static int print_file(const char *path)
{
	struct fw_error err;
	uint8_t *data;
	size_t len;

	if (fw_read_file(path, 256u << 20, &data, &len, &err) < 0) {
		fprintf(stderr, "flarewatch: %s\n", err.msg);
		return -1;
	}
	if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
		free(data);
		fprintf(stderr, "flarewatch: writing standard output: %s\n", strerror(errno));
		return -1;
	}
	free(data);
	return 0;
}

int cli_analyze(int argc, char **argv)
{
	const char *out = "./investigations", *config = NULL, *path = NULL;
	struct fw_config cfg;
	struct fw_analyze_opts o;
	struct fw_analyze_result res;
	struct fw_error err;
	bool json = false;
	int rc;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--json") || !strcmp(a, "-json")) {
			json = true;
		} else if (!strcmp(a, "-o") || !strcmp(a, "--output") || !strcmp(a, "-c") || !strcmp(a, "--config")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "flarewatch analyze: %s needs a value (see flarewatch analyze --help)\n", a);
				return EXIT_USAGE;
			}
			if (a[1] == 'o' || a[2] == 'o')
				out = argv[++i];
			else
				config = argv[++i];
		} else if (!strncmp(a, "--output=", 9)) {
			out = a + 9;
		} else if (!strncmp(a, "--config=", 9)) {
			config = a + 9;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "flarewatch analyze: unknown option %s (see flarewatch analyze --help)\n", a);
			return EXIT_USAGE;
		} else if (!path) {
			path = a;
		} else {
			fprintf(stderr, "flarewatch analyze: one PATH at a time (see flarewatch analyze --help)\n");
			return EXIT_USAGE;
		}
	}
	if (!path) {
		usage(stderr);
		return EXIT_USAGE;
	}

	fw_config_defaults(&cfg);
	if (!config && access(DEFAULT_CONFIG, F_OK) == 0)
		config = DEFAULT_CONFIG;
	if (config && fw_config_load(config, &cfg, &err) < 0) {
		fprintf(stderr, "flarewatch: %s\n", err.msg);
		fw_config_free(&cfg);
		return EXIT_ANALYSIS;
	}
	memset(&o, 0, sizeof(o));
	o.cfg = &cfg;
	o.out_dir = out;
	rc = fw_analyze(path, &o, &res, &err);
	if (rc < 0) {
		struct fw_buf msg;
		fw_buf_init(&msg);
		fw_out_plain(&msg, err.msg, FW_OUT_TEXT_MAX);
		fprintf(stderr, "flarewatch: %s\n", msg.failed ? "analysis failed" : fw_buf_str(&msg));
		fw_buf_free(&msg);
		fw_config_free(&cfg);
		return EXIT_ANALYSIS;
	}
	if (json) {
		rc = print_file(res.json_path);
	} else {
		/* flare strings escaped: one line, no terminal control reaches stdout */
		struct fw_buf line;
		fw_buf_init(&line);
		fw_out_plain(&line, res.hostname, FW_OUT_NAME_MAX);
		fw_buf_printf(&line, ": %s: ", fw_verdict_name(res.verdict));
		fw_out_plain(&line, res.summary, FW_OUT_TEXT_MAX);
		fw_buf_puts(&line, "\nreport: ");
		fw_out_plain(&line, res.report_path, FW_OUT_TEXT_MAX);
		fw_buf_putc(&line, '\n');
		rc = !line.failed && fputs(fw_buf_str(&line), stdout) >= 0 && fflush(stdout) == 0 ? 0 : -1;
		fw_buf_free(&line);
		if (rc < 0)
			fprintf(stderr, "flarewatch: writing standard output: %s\n", strerror(errno));
	}
	fw_analyze_result_free(&res);
	fw_config_free(&cfg);
	return rc < 0 ? EXIT_ANALYSIS : 0;
}
