/*
 * index.c: `flarewatch index [-c FILE | -o DIR]`, regenerates the
 * investigations tree's index.md from its report.json files (the library's
 * fw_index_regenerate()), e.g. after an engineer deleted a report folder.
 * Prints how many reports are listed, per verdict, and names each report
 * folder left out (stderr).
 */
#include "investigate/index.h"
#include "investigate/site.h"
#include "investigate/verdict.h"
#include "cli.h"
#include "base/fwconfig.h"
#include "base/outtext.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* $(sysconfdir)/flarewatch/flarewatch.yaml, from src/cli/cli.mk */
#ifndef FW_CONFIG_PATH
#error "FW_CONFIG_PATH must name the default configuration file (src/cli/cli.mk defines it)"
#endif

static void usage(FILE *f)
{
	fputs("Usage: flarewatch index [-c FILE | -o DIR]\n"
	      "Regenerate DIR/index.md, the list of every report in an investigations tree,\n"
	      "and the site: DIR/index.html and each report's report.html,\n"
	      "from the report.json files of DIR/<host>/<time>/ (e.g. after deleting a report\n"
	      "folder). A report.json that cannot be read is left out and named.\n"
	      "\n"
	      "  -c, --config FILE  the tree is FILE's investigations_dir\n"
	      "                     (default " FW_CONFIG_PATH " if it exists)\n"
	      "  -o, --output DIR   the tree DIR (as given to flarewatch analyze -o)\n"
	      "  -h, --help         show this help\n"
	      "Exit status: 0 index written (some reports may be left out: see stderr),\n"
	      "1 it could not be written, 2 usage error.\n",
	      f);
}

/* s, escaped for a terminal, to f */
static void put_plain(FILE *f, const char *prefix, const char *s)
{
	struct fw_buf b;

	fw_buf_init(&b);
	fw_out_plain(&b, s, FW_OUT_TEXT_MAX);
	fprintf(f, "%s%s\n", prefix, b.failed ? "(out of memory)" : fw_buf_str(&b));
	fw_buf_free(&b);
}

int cli_index(int argc, char **argv)
{
	const char *config = NULL, *out = NULL;
	struct fw_index_list l;
	struct fw_config cfg;
	struct fw_error err;
	int rc;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if ((rc = cli_output_config_opt("index", argc, argv, &i, &out, &config)) != 0) {
			if (rc < 0)
				return EXIT_USAGE;
		} else {
			fprintf(stderr, "flarewatch index: unexpected argument '%s' (see flarewatch index --help)\n", a);
			return EXIT_USAGE;
		}
	}
	if ((rc = cli_tree_dir("index", config, out, &cfg, &out)) != 0)
		return rc;
	if (fw_index_regenerate(out, &l, &err) < 0) {
		put_plain(stderr, "flarewatch: ", err.msg);
		fw_config_free(&cfg);
		return EXIT_ANALYSIS;
	}
	for (const char *w = l.warnings, *nl; w && *w; w = nl + 1) {
		char line[1100];
		nl = strchr(w, '\n');
		if (!nl)
			break;
		snprintf(line, sizeof(line), "%.*s", (int)(nl - w), w);
		put_plain(stderr, "flarewatch: warning: left out: ", line);
	}
	{
		size_t counts[6] = { 0 };
		char path[4200];
		for (size_t i = 0; i < l.n; i++)
			for (int k = 0; k < 6; k++)
				counts[k] += strcmp(l.v[i].verdict, fw_verdict_name((enum fw_verdict_kind)k)) == 0;
		snprintf(path, sizeof(path), "%s/index.md", out);
		put_plain(stdout, "", path);
		printf("%zu report%s listed", l.n, l.n == 1 ? "" : "s");
		if (l.skipped)
			printf(", %zu report folder%s left out", l.skipped, l.skipped == 1 ? "" : "s");
		printf("\n");
		for (int k = 0; k < 6; k++)
			printf("%s: %zu\n", fw_verdict_name((enum fw_verdict_kind)k), counts[k]);
	}
	/* the site's report pages, rendered again from each report's Markdown */
	{
		int failed = fw_site_reports(out, &l, &err);
		if (failed < 0) {
			put_plain(stderr, "flarewatch: ", err.msg);
			fw_index_list_free(&l);
			fw_config_free(&cfg);
			return EXIT_ANALYSIS;
		}
		if (failed)
			put_plain(stderr, "flarewatch: warning: report.html not written: ", err.msg);
	}
	rc = fflush(stdout) == 0 ? 0 : EXIT_ANALYSIS;
	fw_index_list_free(&l);
	fw_config_free(&cfg);
	return rc;
}
