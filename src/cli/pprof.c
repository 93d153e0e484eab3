/*
 * pprof.c: `flarewatch pprof SUBCOMMAND`, the native pprof engine's command
 * line. Flags follow `go tool pprof`: single or double dash, `-flag=value`
 * or `-flag value`, and may come before or after the file names.
 */
#include "cli.h"
#include "pprof/encode.h"
#include "pprof/flamegraph.h"
#include "pprof/merge.h"
#include "pprof/meta.h"
#include "pprof/peek.h"
#include "pprof/report.h"
#include "pprof/tags.h"
#include "pprof/top.h"
#include "pprof/traces.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum cmd { CMD_TOP, CMD_PEEK, CMD_TRACES, CMD_TAGS, CMD_META, CMD_FLAMEGRAPH, CMD_COLLAPSED, CMD_MERGE };

struct command {
	const char *name;
	enum cmd cmd;
	const char *args;
	const char *summary;
};

static const struct command commands[] = {
	{ "top", CMD_TOP, "[FLAGS] FILE...", "the -top table, identical to go tool pprof -top" },
	{ "peek", CMD_PEEK, "REGEX [FLAGS] FILE...", "callers and callees of functions matching REGEX" },
	{ "traces", CMD_TRACES, "[FLAGS] FILE...", "every sample's stack with its value and labels" },
	{ "tags", CMD_TAGS, "[FLAGS] FILE...", "each label's values and their share, identical to go tool pprof -tags" },
	{ "meta", CMD_META, "FILE", "sample types, period, duration, time, counts, label keys" },
	{ "flamegraph", CMD_FLAMEGRAPH, "[FLAGS] -o OUT.svg FILE...", "a self-contained interactive SVG flame graph" },
	{ "collapsed", CMD_COLLAPSED, "[FLAGS] FILE...", "folded stacks: frame;frame;frame value" },
	{ "merge", CMD_MERGE, "-o OUT.pb.gz FILE...", "merge profiles into one gzipped profile.proto" },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char report_flags_help[] =
	"Flags (as go tool pprof):\n"
	"  -sample_index=NAME|N   sample type to report (default: the profile's default, else the last)\n"
	"  -inuse_space -inuse_objects -alloc_space -alloc_objects -total_delay -contentions\n"
	"                         shorthands for -sample_index\n"
	"  -cum                   sort by cumulative value\n"
	"  -flat                  sort by flat value (default)\n"
	"  -functions -lines -files -filefunctions -addresses   granularity (default -functions)\n"
	"  -noinlines             attribute inlined functions to their callers\n"
	"  -nodecount=N           show at most N nodes\n"
	"  -nodefraction=F        hide nodes below F of the total (default 0.005)\n"
	"  -edgefraction=F        hide edges below F of the total (default 0.001)\n"
	"  -focus=REGEX           only samples with a frame matching REGEX\n"
	"  -ignore=REGEX          drop samples with a frame matching REGEX\n"
	"  -hide=REGEX            drop the frames matching REGEX\n"
	"  -show=REGEX            keep only the frames matching REGEX\n"
	"  -show_from=REGEX       drop the frames above the outermost one matching REGEX\n"
	"  -prune_from=REGEX      drop the frames below the innermost one matching REGEX\n"
	"  -tagfocus=FILTER       only samples with a label matching FILTER: [KEY=]REGEX[,REGEX...]\n"
	"                         (without KEY every REGEX must match some \"key:value\"), or a\n"
	"                         numeric [KEY=]N[UNIT], N:, :N or N:M (e.g. bytes=1kb:2kb)\n"
	"  -tagignore=FILTER      drop samples with a label matching FILTER (as -tagfocus)\n"
	"  -tagshow=REGEX         keep only the labels whose key matches REGEX\n"
	"  -taghide=REGEX         drop the labels whose key matches REGEX\n"
	"  -diff_base=FILE        subtract FILE, percentages relative to FILE (flamegraph:\n"
	"                         red grew, blue shrank, percentages of the total growth)\n"
	"  -base=FILE             subtract FILE\n";

static const char output_flag_help[] = "  -o FILE                the output file (required)\n";

static const char regex_help[] =
	"Regular expressions use Go's RE2 syntax, as go tool pprof reads them (flags\n"
	"(?imsU), \\pL and \\p{Greek}, [[:alpha:]], \\Q...\\E, (?P<name>...), {n,m} up\n"
	"to 1000; no backreferences or lookaround), refused with Go's own message when\n"
	"invalid. focus and ignore match function names, file names and mapping file\n"
	"names, unanchored; matching takes time linear in the name.\n";

static void usage_all(FILE *f)
{
	fputs("Usage: flarewatch pprof COMMAND [FLAGS] FILE...\n\nCommands:\n", f);
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].summary);
	fputs("\nRun 'flarewatch pprof COMMAND --help' for a command's flags.\n"
	      "Exit status: 0 success, 1 analysis error, 2 usage error.\n",
	      f);
}

/* Each command lists the flags it takes: meta none, merge only -o. */
static void usage_cmd(FILE *f, const struct command *c)
{
	fprintf(f, "Usage: flarewatch pprof %s %s\n%s.\n\n", c->name, c->args, c->summary);
	if (c->cmd == CMD_META)
		return;
	if (c->cmd == CMD_MERGE) {
		fputs("Flags:\n", f);
		fputs(output_flag_help, f);
		return;
	}
	fputs(report_flags_help, f);
	if (c->cmd == CMD_FLAMEGRAPH)
		fputs(output_flag_help, f);
	fputs(regex_help, f);
}

struct args {
	struct fw_report_opts ro;
	const char **files;
	size_t n_files;
	const char **bases;
	size_t n_bases;
	bool diff_base, have_base_kind;
	const char *output;
	const char *regex;
};

static int bad_usage(const struct command *c, const char *what, const char *arg)
{
	fprintf(stderr, "flarewatch pprof %s: %s%s%s (see flarewatch pprof %s --help)\n", c->name, what,
		arg ? " " : "", arg ? arg : "", c->name);
	return EXIT_USAGE;
}

static int parse_int(const char *s, int *out)
{
	char *end;
	long v;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < -1000000000L || v > 1000000000L)
		return -1;
	*out = (int)v;
	return 0;
}

static int parse_double(const char *s, double *out)
{
	char *end;
	errno = 0;
	*out = strtod(s, &end);
	return (errno || end == s || *end) ? -1 : 0;
}

/* Parses argv (after the subcommand name). Returns 0 or an exit status. */
static int parse_args(const struct command *c, int argc, char **argv, struct args *a, bool *help)
{
	bool only_files = false;

	fw_report_opts_default(&a->ro);
	a->files = calloc((size_t)argc + 1, sizeof(char *));
	a->bases = calloc((size_t)argc + 1, sizeof(char *));
	if (!a->files || !a->bases) {
		fputs("flarewatch: out of memory\n", stderr);
		return EXIT_ANALYSIS;
	}
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i], *name, *val;
		char key[64];
		size_t klen;

		if (only_files || arg[0] != '-' || arg[1] == 0) {
			if (c->cmd == CMD_PEEK && !a->regex)
				a->regex = arg;
			else
				a->files[a->n_files++] = arg;
			continue;
		}
		if (!strcmp(arg, "--")) {
			only_files = true;
			continue;
		}
		name = arg + 1 + (arg[1] == '-');
		val = strchr(name, '=');
		klen = val ? (size_t)(val - name) : strlen(name);
		if (klen >= sizeof(key))
			return bad_usage(c, "unknown flag", arg);
		memcpy(key, name, klen);
		key[klen] = 0;
		if (val)
			val++;

#define BOOL_FLAG(n) (!strcmp(key, n) && !val)
		if (BOOL_FLAG("h") || BOOL_FLAG("help")) {
			*help = true;
			return 0;
		}
		/* what usage_cmd() lists: meta takes no flag, merge only -o */
		bool output_flag = !strcmp(key, "o") || !strcmp(key, "output");
		if (output_flag ? c->cmd != CMD_FLAMEGRAPH && c->cmd != CMD_MERGE
				: c->cmd == CMD_META || c->cmd == CMD_MERGE)
			return bad_usage(c, "unknown flag", arg);
		if (BOOL_FLAG("cum")) { a->ro.cum_sort = true; continue; }
		if (BOOL_FLAG("flat")) { a->ro.cum_sort = false; continue; }
		if (BOOL_FLAG("functions")) { a->ro.granularity = FW_GRAN_FUNCTIONS; continue; }
		if (BOOL_FLAG("lines")) { a->ro.granularity = FW_GRAN_LINES; continue; }
		if (BOOL_FLAG("files")) { a->ro.granularity = FW_GRAN_FILES; continue; }
		if (BOOL_FLAG("filefunctions")) { a->ro.granularity = FW_GRAN_FILEFUNCTIONS; continue; }
		if (BOOL_FLAG("addresses")) { a->ro.granularity = FW_GRAN_ADDRESSES; continue; }
		if (BOOL_FLAG("noinlines")) { a->ro.noinlines = true; continue; }
		if (BOOL_FLAG("inuse_space") || BOOL_FLAG("inuse_objects") || BOOL_FLAG("alloc_space") ||
		    BOOL_FLAG("alloc_objects") || BOOL_FLAG("contentions")) {
			a->ro.sample_index = name;
			continue;
		}
		if (BOOL_FLAG("total_delay")) { a->ro.sample_index = "delay"; continue; }
#undef BOOL_FLAG
		static const char *const value_flags[] = { "sample_index", "diff_base", "base", "nodecount",
							    "nodefraction", "edgefraction", "focus", "ignore",
							    "o", "output", "hide", "show", "show_from",
							    "prune_from", "tagfocus", "tagignore", "tagshow",
							    "taghide" };
		bool known = false;
		for (size_t k = 0; k < sizeof(value_flags) / sizeof(value_flags[0]); k++)
			known = known || !strcmp(key, value_flags[k]);
		if (!known)
			return bad_usage(c, "unknown flag", arg);
		if (!val) {
			if (i + 1 >= argc)
				return bad_usage(c, "missing value for flag", arg);
			val = argv[++i];
		}
		if (!strcmp(key, "sample_index")) {
			a->ro.sample_index = val;
		} else if (!strcmp(key, "diff_base") || !strcmp(key, "base")) {
			bool diff = !strcmp(key, "diff_base");
			if (a->have_base_kind && a->diff_base != diff)
				return bad_usage(c, "-base and -diff_base flags cannot both be specified", NULL);
			a->have_base_kind = true;
			a->diff_base = diff;
			a->bases[a->n_bases++] = val;
		} else if (!strcmp(key, "nodecount")) {
			if (parse_int(val, &a->ro.nodecount) < 0)
				return bad_usage(c, "invalid -nodecount value", val);
		} else if (!strcmp(key, "nodefraction")) {
			if (parse_double(val, &a->ro.nodefraction) < 0)
				return bad_usage(c, "invalid -nodefraction value", val);
		} else if (!strcmp(key, "edgefraction")) {
			if (parse_double(val, &a->ro.edgefraction) < 0)
				return bad_usage(c, "invalid -edgefraction value", val);
		} else if (!strcmp(key, "focus")) {
			a->ro.focus = val;
		} else if (!strcmp(key, "ignore")) {
			a->ro.ignore = val;
		} else if (!strcmp(key, "hide")) {
			a->ro.hide = val;
		} else if (!strcmp(key, "show")) {
			a->ro.show = val;
		} else if (!strcmp(key, "show_from")) {
			a->ro.show_from = val;
		} else if (!strcmp(key, "prune_from")) {
			a->ro.prune_from = val;
		} else if (!strcmp(key, "tagfocus")) {
			a->ro.tagfocus = val;
		} else if (!strcmp(key, "tagignore")) {
			a->ro.tagignore = val;
		} else if (!strcmp(key, "tagshow")) {
			a->ro.tagshow = val;
		} else if (!strcmp(key, "taghide")) {
			a->ro.taghide = val;
		} else {
			a->output = val;
		}
	}
	if (c->cmd == CMD_PEEK && !a->regex)
		return bad_usage(c, "missing REGEX", NULL);
	if (a->n_files == 0)
		return bad_usage(c, "missing profile FILE", NULL);
	if ((c->cmd == CMD_FLAMEGRAPH || c->cmd == CMD_MERGE) && !a->output)
		return bad_usage(c, "missing -o OUTPUT", NULL);
	if (c->cmd == CMD_META && a->n_files != 1)
		return bad_usage(c, "meta takes exactly one FILE", NULL);
	return 0;
}

static int write_all(FILE *f, const struct fw_buf *b)
{
	if (b->len && fwrite(b->data, 1, b->len, f) != b->len)
		return -1;
	return fflush(f) == 0 ? 0 : -1;
}

static int write_output(const char *path, const struct fw_buf *b)
{
	FILE *f;
	int r;

	if (!strcmp(path, "-"))
		return write_all(stdout, b);
	f = fopen(path, "we");
	if (!f) {
		fprintf(stderr, "flarewatch: %s: %s\n", path, strerror(errno));
		return -1;
	}
	r = write_all(f, b);
	if (fclose(f) != 0)
		r = -1;
	if (r < 0)
		fprintf(stderr, "flarewatch: %s: write failed: %s\n", path, strerror(errno));
	return r;
}

static int run(const struct command *c, struct args *a)
{
	struct fw_decode_limits lim = { 0 };
	struct fw_error err = { "" };
	struct fw_profile *p = NULL;
	struct fw_report rpt;
	struct fw_buf out;
	int r;

	fw_buf_init(&out);
	if (c->cmd == CMD_META) {
		if ((r = fw_profile_read(a->files[0], &lim, &p, &err)) == 0)
			r = fw_meta_write(p, a->files[0], &out, &err);
		fw_profile_free(p);
		goto done;
	}
	r = fw_profiles_load(a->files, a->n_files, a->bases, a->n_bases, a->diff_base, &lim, &p, &err);
	if (r < 0)
		goto done;
	if (c->cmd == CMD_MERGE) {
		r = fw_profile_write_file(p, a->output, &err);
		fw_profile_free(p);
		goto done;
	}
	a->ro.untrimmed_paths = c->cmd == CMD_TRACES;
	if ((r = fw_report_init(&rpt, p, &a->ro, &err)) < 0)
		goto done;
	switch (c->cmd) {
	case CMD_TOP: r = fw_top_write(&rpt, &out, &err); break;
	case CMD_PEEK: r = fw_peek_write(&rpt, a->regex, &out, &err); break;
	case CMD_TRACES: r = fw_traces_write(&rpt, &out, &err); break;
	case CMD_TAGS: r = fw_tags_write(&rpt, &out, &err); break;
	case CMD_COLLAPSED: r = fw_collapsed_write(&rpt, &out, &err); break;
	case CMD_FLAMEGRAPH: {
		/* -diff_base: the differential graph flarewatch draws for the heap
		 * growth (pprof's own flame graph cannot show a diff) */
		struct fw_flamegraph_opts fo = { .title = a->files[0], .growth = a->diff_base };
		r = fw_flamegraph_write(&rpt, &fo, &out, &err);
		break;
	}
	default: break;
	}
	fw_report_free(&rpt);
done:
	if (r == 0 && out.failed)
		r = fw_err(&err, -ENOMEM, "out of memory formatting the report");
	if (r < 0) {
		fprintf(stderr, "flarewatch: %s\n", err.msg);
		fw_buf_free(&out);
		return EXIT_ANALYSIS;
	}
	if (c->cmd == CMD_FLAMEGRAPH)
		r = write_output(a->output, &out);
	else if (c->cmd != CMD_MERGE)
		r = write_all(stdout, &out);
	fw_buf_free(&out);
	if (r < 0) {
		if (c->cmd != CMD_FLAMEGRAPH)
			fprintf(stderr, "flarewatch: writing standard output: %s\n", strerror(errno));
		return EXIT_ANALYSIS;
	}
	return 0;
}

int cli_pprof(int argc, char **argv)
{
	const struct command *c = NULL;
	struct args a;
	bool help = false;
	int r;

	if (argc < 2) {
		usage_all(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage_all(stdout);
		return 0;
	}
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (!strcmp(argv[1], commands[i].name))
			c = &commands[i];
	if (!c) {
		fprintf(stderr, "flarewatch pprof: unknown command '%s' (see flarewatch pprof --help)\n", argv[1]);
		return EXIT_USAGE;
	}
	memset(&a, 0, sizeof(a));
	r = parse_args(c, argc - 2, argv + 2, &a, &help);
	if (r == 0 && help) {
		usage_cmd(stdout, c);
	} else if (r == 0) {
		r = run(c, &a);
	}
	free(a.files);
	free(a.bases);
	return r;
}
