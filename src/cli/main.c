/*
 * main.c: flarewatch, the command-line tool. Thin: parses the command name
 * and hands over to the library through cli_*().
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
	fputs("Usage: flarewatch COMMAND [ARGS]\n"
	      "\n"
	      "Commands:\n"
	      "  pprof SUBCOMMAND ...   native pprof engine: top, peek, traces, meta,\n"
	      "                         flamegraph, collapsed, merge (see flarewatch pprof --help)\n"
	      "\n"
	      "Options:\n"
	      "  --help      show this help\n"
	      "  --version   print the version\n",
	      f);
}

int main(int argc, char **argv)
{
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
	if (!strcmp(argv[1], "pprof"))
		return cli_pprof(argc - 1, argv + 1);
	fprintf(stderr, "flarewatch: unknown command '%s' (see flarewatch --help)\n", argv[1]);
	return EXIT_USAGE;
}
