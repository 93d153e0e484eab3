/*
 * pprof.c: `flarewatch pprof SUBCOMMAND`, the native pprof engine's command
 * line. Flags follow `go tool pprof`: single or double dash, `-flag=value`
 * or `-flag value`, and may come before or after the file names.
 */
#include "cli.h"
#include "base/heap.h"
#include "pprof/dot.h"
#include "pprof/encode.h"
#include "pprof/svg.h"
#include "pprof/flamegraph.h"
#include "pprof/funcname.h"
#include "pprof/list.h"
#include "pprof/merge.h"
#include "pprof/meta.h"
#include "pprof/peek.h"
#include "pprof/report.h"
#include "pprof/symbolize.h"
#include "pprof/tags.h"
#include "pprof/top.h"
#include "pprof/traces.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <strings.h>

enum cmd { CMD_TOP, CMD_PEEK, CMD_TRACES, CMD_TAGS, CMD_META, CMD_FLAMEGRAPH, CMD_COLLAPSED, CMD_MERGE,
	   CMD_DOT, CMD_LIST };

struct command {
	const char *name;
	enum cmd cmd;
	const char *args;
	const char *summary;
};

static const struct command commands[] = {
	{ "top", CMD_TOP, "[FLAGS] FILE...", "the -top table, identical to go tool pprof -top" },
	{ "peek", CMD_PEEK, "REGEX [FLAGS] FILE...", "callers and callees of functions matching REGEX" },
	{ "list", CMD_LIST, "REGEX [-source_path DIR] [-trim_path PREFIX] [FLAGS] FILE...",
	  "annotated source of functions matching REGEX, identical to go tool pprof -list" },
	{ "traces", CMD_TRACES, "[FLAGS] FILE...", "every sample's stack with its value and labels" },
	{ "tags", CMD_TAGS, "[FLAGS] FILE...", "each label's values and their share, identical to go tool pprof -tags" },
	{ "meta", CMD_META, "FILE", "sample types, period, duration, time, counts, label keys" },
	{ "flamegraph", CMD_FLAMEGRAPH, "[FLAGS] -o OUT.svg FILE...", "a self-contained interactive SVG flame graph" },
	{ "collapsed", CMD_COLLAPSED, "[FLAGS] FILE...", "folded stacks: frame;frame;frame value" },
	{ "merge", CMD_MERGE, "-o OUT.pb.gz FILE...", "merge profiles into one gzipped profile.proto" },
	{ "dot", CMD_DOT, "[FLAGS] [-svg] FILE...",
	  "the call graph in DOT (identical to go tool pprof -dot), or SVG drawn by graphviz" },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

/*
 * The flags. Parsing follows Go's flag package as `go tool pprof` uses it:
 * `-flag` or `--flag`; a boolean flag takes an optional `=true`/`=false`
 * (Go's strconv.ParseBool spellings); the other flags take `=VALUE` or the
 * next argument; a repeated flag keeps its last value; `--` ends the flags.
 * Flags end at the first FILE (peek: at the first argument after REGEX),
 * as in go tool pprof, which reads every later argument as a profile
 * name; a later argument that names one of our flags is refused (pprof
 * would try to open it as a profile, warn and leave it out).
 *
 * Which flag a command takes is the cmds mask below, and usage_cmd() prints
 * exactly those flags, so --help and the parser cannot disagree.
 */
enum flag_kind { K_BOOL, K_STRING, K_INT, K_FLOAT };

#define C_(c) (1u << (c))
#define C_PPROF (C_(CMD_TOP) | C_(CMD_PEEK) | C_(CMD_TRACES) | C_(CMD_DOT) | C_(CMD_LIST)) /* pprof's own reports */
#define C_FILTER (C_PPROF | C_(CMD_TAGS)) /* the label and frame filters */
#define C_REPORT (C_FILTER | C_(CMD_FLAMEGRAPH) | C_(CMD_COLLAPSED))
#define C_OUTPUT (C_(CMD_FLAMEGRAPH) | C_(CMD_MERGE))

enum flag_id {
	F_SAMPLE_INDEX,
	F_INUSE_SPACE,
	F_INUSE_OBJECTS,
	F_ALLOC_SPACE,
	F_ALLOC_OBJECTS,
	F_TOTAL_DELAY,
	F_CONTENTIONS,
	F_MEAN_DELAY,
	F_MEAN,
	F_CUM,
	F_FLAT,
	F_FUNCTIONS,
	F_FILEFUNCTIONS,
	F_FILES,
	F_LINES,
	F_ADDRESSES,
	F_NOINLINES,
	F_NODECOUNT,
	F_NODEFRACTION,
	F_EDGEFRACTION,
	F_TRIM,
	F_DROP_NEGATIVE,
	F_FOCUS,
	F_IGNORE,
	F_HIDE,
	F_SHOW,
	F_SHOW_FROM,
	F_PRUNE_FROM,
	F_TAGFOCUS,
	F_TAGIGNORE,
	F_TAGSHOW,
	F_TAGHIDE,
	F_TAGROOT,
	F_TAGLEAF,
	F_RELATIVE_PERCENTAGES,
	F_UNIT,
	F_DIVIDE_BY,
	F_COMPACT_LABELS,
	F_CALL_TREE,
	F_SYMBOLIZE,
	F_DIFF_BASE,
	F_BASE,
	F_O,
	F_OUTPUT,
	F_SVG,
	F_SOURCE_PATH,
	F_TRIM_PATH,
	N_FLAGS
};

struct flag_def {
	const char *name;
	enum flag_kind kind;
	unsigned cmds;
	const char *arg;  /* the value's name in the help, value flags only */
	const char *help; /* continuation lines start with '\n' */
};

static const struct flag_def flag_defs[N_FLAGS] = {
	[F_SAMPLE_INDEX] = { "sample_index", K_STRING, C_REPORT, "NAME|N",
			     "sample type to report (default: the profile's default, else the last)" },
	[F_INUSE_SPACE] = { "inuse_space", K_BOOL, C_REPORT, NULL, "same as -sample_index=inuse_space" },
	[F_INUSE_OBJECTS] = { "inuse_objects", K_BOOL, C_REPORT, NULL, "same as -sample_index=inuse_objects" },
	[F_ALLOC_SPACE] = { "alloc_space", K_BOOL, C_REPORT, NULL, "same as -sample_index=alloc_space" },
	[F_ALLOC_OBJECTS] = { "alloc_objects", K_BOOL, C_REPORT, NULL, "same as -sample_index=alloc_objects" },
	[F_TOTAL_DELAY] = { "total_delay", K_BOOL, C_REPORT, NULL, "same as -sample_index=delay" },
	[F_CONTENTIONS] = { "contentions", K_BOOL, C_REPORT, NULL, "same as -sample_index=contentions" },
	[F_MEAN_DELAY] = { "mean_delay", K_BOOL, C_PPROF, NULL, "same as -mean -sample_index=delay" },
	[F_MEAN] = { "mean", K_BOOL, C_PPROF, NULL,
		     "divide each value by the sample count (value 0): the mean per event or\n"
		     "per allocation, as pprof computes it (sums of values over sums of counts)" },
	[F_CUM] = { "cum", K_BOOL, C_REPORT, NULL, "sort by cumulative value" },
	[F_FLAT] = { "flat", K_BOOL, C_REPORT, NULL, "sort by flat value (default)" },
	[F_FUNCTIONS] = { "functions", K_BOOL, C_REPORT, NULL, "granularity: functions (default)" },
	[F_FILEFUNCTIONS] = { "filefunctions", K_BOOL, C_REPORT, NULL, "granularity: function and file" },
	[F_FILES] = { "files", K_BOOL, C_REPORT, NULL, "granularity: files" },
	[F_LINES] = { "lines", K_BOOL, C_REPORT, NULL, "granularity: source lines" },
	[F_ADDRESSES] = { "addresses", K_BOOL, C_REPORT, NULL, "granularity: addresses" },
	[F_NOINLINES] = { "noinlines", K_BOOL, C_REPORT, NULL, "attribute inlined functions to their callers" },
	[F_NODECOUNT] = { "nodecount", K_INT, C_REPORT, "N", "show at most N nodes" },
	[F_NODEFRACTION] = { "nodefraction", K_FLOAT, C_REPORT, "F",
			     "hide nodes below F of the total (default 0.005)" },
	[F_EDGEFRACTION] = { "edgefraction", K_FLOAT, C_REPORT, "F",
			     "hide edges below F of the total (default 0.001)" },
	[F_TRIM] = { "trim", K_BOOL, C_PPROF, NULL,
		     "-trim=false: ignore -nodecount, -nodefraction, -edgefraction (no trimming)" },
	[F_DROP_NEGATIVE] = { "drop_negative", K_BOOL, C_PPROF, NULL,
			      "leave out nodes with a negative value (flat < 0, or flat 0 and cum < 0)" },
	[F_FOCUS] = { "focus", K_STRING, C_REPORT, "REGEX", "only samples with a frame matching REGEX" },
	[F_IGNORE] = { "ignore", K_STRING, C_REPORT, "REGEX", "drop samples with a frame matching REGEX" },
	[F_HIDE] = { "hide", K_STRING, C_REPORT, "REGEX", "drop the frames matching REGEX" },
	[F_SHOW] = { "show", K_STRING, C_REPORT, "REGEX", "keep only the frames matching REGEX" },
	[F_SHOW_FROM] = { "show_from", K_STRING, C_REPORT, "REGEX",
			  "drop the frames above the outermost one matching REGEX" },
	[F_PRUNE_FROM] = { "prune_from", K_STRING, C_REPORT, "REGEX",
			   "drop the frames below the innermost one matching REGEX" },
	[F_TAGFOCUS] = { "tagfocus", K_STRING, C_REPORT, "FILTER",
			 "only samples with a label matching FILTER: [KEY=]REGEX[,REGEX...]\n"
			 "(without KEY every REGEX must match some \"key:value\"), or a\n"
			 "numeric [KEY=]N[UNIT], N:, :N or N:M (e.g. bytes=1kb:2kb)" },
	[F_TAGIGNORE] = { "tagignore", K_STRING, C_REPORT, "FILTER",
			  "drop samples with a label matching FILTER (as -tagfocus)" },
	[F_TAGSHOW] = { "tagshow", K_STRING, C_REPORT, "REGEX", "keep only the labels whose key matches REGEX" },
	[F_TAGHIDE] = { "taghide", K_STRING, C_REPORT, "REGEX", "drop the labels whose key matches REGEX" },
	[F_TAGROOT] = { "tagroot", K_STRING, C_REPORT, "KEYS",
			"add frames of the values of these labels (comma-separated keys) at\n"
			"the root of each stack, the first key outermost" },
	[F_TAGLEAF] = { "tagleaf", K_STRING, C_REPORT, "KEYS",
			"add frames of the values of these labels at the leaf of each stack,\n"
			"the last key innermost" },
	[F_RELATIVE_PERCENTAGES] = { "relative_percentages", K_BOOL, C_PPROF, NULL,
				     "percentages of what the filters kept, not of the whole profile" },
	[F_UNIT] = { "unit", K_STRING, C_PPROF, "UNIT",
		     "print values in UNIT (B, kB, MB, ..., ns, us, ms, s, hrs); auto: each value\n"
		     "in its own unit (default: minimum, the unit of the smallest value)" },
	[F_DIVIDE_BY] = { "divide_by", K_FLOAT, C_PPROF, "F", "divide every value by F (e.g. the number of CPUs)" },
	[F_COMPACT_LABELS] = { "compact_labels", K_BOOL, C_PPROF, NULL,
			       "leave out the File/Type/Time/Duration header lines (not traces')" },
	[F_CALL_TREE] = { "call_tree", K_BOOL, C_PPROF, NULL,
			  "dot: a tree of call paths instead of a graph; top, peek and traces accept\n"
			  "it as pprof does and do not change (pprof honours it only in its graphs)" },
	[F_SYMBOLIZE] = { "symbolize", K_STRING, C_PPROF, "MODE",
			  "pprof's values (none, local, fastlocal, remote, force, demangle=...);\n"
			  "flarewatch never symbolizes, but demangles and simplifies names as the\n"
			  "mode says (none: names as the profile holds them)" },
	[F_DIFF_BASE] = { "diff_base", K_STRING, C_REPORT, "FILE",
			  "subtract FILE, percentages relative to FILE (flamegraph:\n"
			  "red grew, blue shrank, percentages of the total growth)" },
	[F_BASE] = { "base", K_STRING, C_REPORT, "FILE", "subtract FILE" },
	[F_O] = { "o", K_STRING, C_OUTPUT, "FILE", "the output file (required)" },
	[F_OUTPUT] = { "output", K_STRING, C_OUTPUT, "FILE", "same as -o" },
	[F_SVG] = { "svg", K_BOOL, C_(CMD_DOT), NULL,
		    "draw the graph with graphviz's dot (Debian package graphviz) and write\n"
		    "the SVG go tool pprof -svg writes" },
	[F_SOURCE_PATH] = { "source_path", K_STRING, C_(CMD_LIST), "DIR[:DIR...]",
			    "search source files under each DIR and its parents (default: the\n"
			    "current folder); absolute names are opened as they are" },
	[F_TRIM_PATH] = { "trim_path", K_STRING, C_(CMD_LIST), "PREFIX[:...]",
			  "remove PREFIX from the file names first (default: everything up to\n"
			  "a DIR's base name, and /proc/self/cwd/)" },
};

static const char regex_help[] =
	"Regular expressions use Go's RE2 syntax, as go tool pprof reads them (flags\n"
	"(?imsU), \\pL and \\p{Greek}, [[:alpha:]], \\Q...\\E, (?P<name>...), {n,m} up\n"
	"to 1000; no backreferences or lookaround), refused with Go's own message when\n"
	"invalid. focus and ignore match function names, file names and mapping file\n"
	"names, unanchored; matching takes time linear in the name.\n";

static const char syntax_help[] =
	"Flags are parsed as go tool pprof parses them: -flag or --flag, -flag=VALUE or\n"
	"-flag VALUE, booleans as -flag, -flag=true or -flag=false, numbers as Go writes\n"
	"them (0x10, 0b101, 0o17, 010, 1_000, 1e-3, 0x1p-6, inf); a repeated flag keeps\n"
	"its last value, but two value selections (-sample_index, -inuse_space, ...) keep\n"
	"the first, with pprof's warning, and two sort orders or two granularities are an\n"
	"error. Flags end at the first FILE, as in go tool pprof: put them before the\n"
	"files.\n";

static void usage_all(FILE *f)
{
	fputs("Usage: flarewatch pprof COMMAND [FLAGS] FILE...\n\nCommands:\n", f);
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].summary);
	fputs("\nRun 'flarewatch pprof COMMAND --help' for a command's flags.\n"
	      "Exit status: 0 success, 1 analysis error, 2 usage error.\n",
	      f);
}

/* Lists exactly the flags the command takes (flag_defs' cmds masks). */
static void usage_cmd(FILE *f, const struct command *c)
{
	bool any = false;

	fprintf(f, "Usage: flarewatch pprof %s %s\n%s.\n", c->name, c->args, c->summary);
	for (size_t i = 0; i < N_FLAGS; i++) {
		const struct flag_def *d = &flag_defs[i];
		char left[64];
		const char *h = d->help;

		if (!(d->cmds & C_(c->cmd)))
			continue;
		if (!any)
			fputs(c->cmd == CMD_MERGE ? "\nFlags:\n" : "\nFlags (as go tool pprof):\n", f);
		any = true;
		if (d->kind == K_BOOL)
			snprintf(left, sizeof(left), "-%s", d->name);
		else if (strlen(d->name) == 1)
			snprintf(left, sizeof(left), "-%s %s", d->name, d->arg);
		else
			snprintf(left, sizeof(left), "-%s=%s", d->name, d->arg);
		fprintf(f, "  %-22s ", left);
		while (*h) {
			const char *nl = strchr(h, '\n');
			size_t n = nl ? (size_t)(nl - h) : strlen(h);
			fprintf(f, "%.*s\n", (int)n, h);
			h += n;
			if (*h == '\n') {
				h++;
				fprintf(f, "  %-22s ", "");
			}
		}
	}
	if (c->cmd == CMD_LIST)
		fputs("\nAs in go tool pprof -list, the granularity is always -lines, nothing is\n"
		      "trimmed (-nodecount, -nodefraction), -cum/-flat change nothing, and the\n"
		      "values are sums (-mean changes only the total, so the percentages).\n",
		      f);
	if (any && c->cmd != CMD_MERGE) {
		fputc('\n', f);
		fputs(syntax_help, f);
		fputs(regex_help, f);
	}
}

struct args {
	struct fw_report_opts ro;
	const char **files;
	size_t n_files;
	const char *bases[1];
	size_t n_bases;
	bool diff_base;
	const char *output;
	const char *regex;
	bool call_tree, svg; /* dot */
	const char *symbolize; /* -symbolize: checked once the profiles are read */
};

static int bad_usage(const struct command *c, const char *what, const char *arg)
{
	fprintf(stderr, "flarewatch pprof %s: %s%s%s (see flarewatch pprof %s --help)\n", c->name, what,
		arg ? " " : "", arg ? arg : "", c->name);
	return EXIT_USAGE;
}

/* The text of one of Go's flag or pprof errors, then bad_usage(). */
static int bad_usagef(const struct command *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int bad_usagef(const struct command *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return bad_usage(c, msg, NULL);
}

/* strconv.ParseBool */
static int parse_bool(const char *s, bool *out)
{
	static const char *const t[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const f[] = { "0", "f", "F", "FALSE", "false", "False" };
	for (size_t i = 0; i < 6; i++) {
		if (!strcmp(s, t[i])) {
			*out = true;
			return 0;
		}
		if (!strcmp(s, f[i])) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

static int lower(int c)
{
	return c | ('x' - 'X');
}

/* strconv's underscoreOK: underscores only between digits (a base prefix
 * counts as a digit). */
static bool underscore_ok(const char *s)
{
	char saw = '^';
	bool hex = false;
	size_t i = 0, n;

	if (*s == '+' || *s == '-')
		s++;
	n = strlen(s);
	if (n >= 2 && s[0] == '0' && (lower(s[1]) == 'b' || lower(s[1]) == 'o' || lower(s[1]) == 'x')) {
		i = 2;
		saw = '0';
		hex = lower(s[1]) == 'x';
	}
	for (; i < n; i++) {
		if ((s[i] >= '0' && s[i] <= '9') || (hex && lower(s[i]) >= 'a' && lower(s[i]) <= 'f')) {
			saw = '0';
			continue;
		}
		if (s[i] == '_') {
			if (saw != '0')
				return false;
			saw = '_';
			continue;
		}
		if (saw == '_')
			return false;
		saw = '!';
	}
	return saw != '_';
}

/* Go's strconv.ParseInt(s, 0, 64), as the flag package parses an int flag:
 * an optional sign, then 0b/0o/0x or a leading 0 (octal), underscores
 * between digits. -1: syntax error, -2: out of range (Go's two messages). */
static int parse_int(const char *s, int *out)
{
	const char *d = s;
	uint64_t n = 0, cutoff, max = UINT64_MAX;
	unsigned base = 10;
	bool neg = false, underscores = false;

	if (*d == '+' || *d == '-')
		neg = *d++ == '-';
	if (!*d)
		return -1;
	if (d[0] == '0') {
		size_t len = strlen(d);
		if (len >= 3 && lower(d[1]) == 'b')
			base = 2, d += 2;
		else if (len >= 3 && lower(d[1]) == 'o')
			base = 8, d += 2;
		else if (len >= 3 && lower(d[1]) == 'x')
			base = 16, d += 2;
		else
			base = 8, d += 1;
	}
	cutoff = max / base + 1;
	for (; *d; d++) {
		unsigned v;
		if (*d == '_') {
			underscores = true;
			continue;
		}
		if (*d >= '0' && *d <= '9')
			v = (unsigned)(*d - '0');
		else if (lower(*d) >= 'a' && lower(*d) <= 'z')
			v = (unsigned)(lower(*d) - 'a' + 10);
		else
			return -1;
		if (v >= base)
			return -1;
		if (n >= cutoff)
			return -2;
		n *= base;
		if (n + v < n)
			return -2;
		n += v;
	}
	if (underscores && !underscore_ok(s))
		return -1;
	if ((!neg && n > (uint64_t)INT64_MAX) || (neg && n > (uint64_t)INT64_MAX + 1))
		return -2;
	/* our report options are ints; pprof's int is 64 bits: clamp, same effect */
	if (n > 1000000000u)
		*out = neg ? -1000000000 : 1000000000;
	else
		*out = neg ? -(int)n : (int)n;
	return 0;
}

/* The length of Go's special float spellings at s (strconv's special():
 * [+-]inf, [+-]infinity, nan, any case), 0 if none. */
static size_t float_special(const char *s)
{
	size_t sign = (*s == '+' || *s == '-');

	if (!strncasecmp(s + sign, "infinity", 8))
		return sign + 8;
	if (!strncasecmp(s + sign, "inf", 3))
		return sign + 3;
	if (!sign && !strncasecmp(s, "nan", 3))
		return 3;
	return 0;
}

/* Whether s is a whole float in Go's syntax (strconv's readFloat): decimal
 * or 0x hexadecimal mantissa (hex needs a p exponent), underscores between
 * digits. */
static bool float_syntax_ok(const char *s)
{
	size_t i = 0, n = strlen(s);
	bool hex = false, sawdot = false, sawdigits = false, underscores = false;
	char exp_char = 'e';

	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	if (i + 2 < n && s[i] == '0' && lower(s[i + 1]) == 'x') {
		hex = true;
		exp_char = 'p';
		i += 2;
	}
	for (; i < n; i++) {
		char c = s[i];
		if (c == '_') {
			underscores = true;
		} else if (c == '.') {
			if (sawdot)
				break;
			sawdot = true;
		} else if ((c >= '0' && c <= '9') || (hex && lower(c) >= 'a' && lower(c) <= 'f')) {
			sawdigits = true;
		} else {
			break;
		}
	}
	if (!sawdigits)
		return false;
	if (i < n && lower(s[i]) == exp_char) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= n || s[i] < '0' || s[i] > '9')
			return false;
		for (; i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_'); i++)
			if (s[i] == '_')
				underscores = true;
	} else if (hex) {
		return false;
	}
	if (i != n)
		return false;
	return !underscores || underscore_ok(s);
}

/* Go's strconv.ParseFloat(s, 64), as the flag package parses a float flag.
 * -1: syntax error, -2: out of range (overflow; underflow gives 0). */
static int parse_double(const char *s, double *out)
{
	char *clean, *end;
	size_t n = 0, special = float_special(s);
	int r;

	if (special && special == strlen(s)) {
		*out = strtod(s, &end); /* glibc reads the same spellings */
		return 0;
	}
	if (!float_syntax_ok(s))
		return -1;
	if (!(clean = malloc(strlen(s) + 1)))
		return -3;
	for (const char *c = s; *c; c++)
		if (*c != '_')
			clean[n++] = *c;
	clean[n] = 0;
	/* the syntax is Go's; glibc's strtod rounds it correctly as Go does */
	*out = strtod(clean, &end);
	r = *end ? -1 : isinf(*out) ? -2 : 0;
	free(clean);
	return r;
}

struct flag_vals {
	bool set[N_FLAGS];
	bool on[N_FLAGS];	 /* K_BOOL */
	const char *str[N_FLAGS]; /* the other kinds: the last value given */
	int i[N_FLAGS];
	double d[N_FLAGS];
};

static int find_flag(const struct command *c, const char *name, size_t len)
{
	for (int i = 0; i < N_FLAGS; i++)
		if ((flag_defs[i].cmds & C_(c->cmd)) && strlen(flag_defs[i].name) == len &&
		    !strncmp(flag_defs[i].name, name, len))
			return i;
	return -1;
}

/* One flag argument at argv[*i] (Go's flag.FlagSet.parseOne). Returns 0,
 * 1 for -h/-help, or an exit status via bad_usage. */
static int parse_one(const struct command *c, int argc, char **argv, int *i, struct flag_vals *fv)
{
	const char *arg = argv[*i], *name = arg + 1 + (arg[1] == '-'), *eq, *val = NULL;
	size_t len;
	int id, r;

	if (!*name || *name == '-' || *name == '=')
		return bad_usagef(c, "bad flag syntax: %s", arg);
	eq = strchr(name, '=');
	len = eq ? (size_t)(eq - name) : strlen(name);
	if (eq)
		val = eq + 1;
	id = find_flag(c, name, len);
	if (id < 0) {
		if ((len == 1 && name[0] == 'h') || (len == 4 && !strncmp(name, "help", 4)))
			return 1;
		return bad_usagef(c, "flag provided but not defined: -%.*s", (int)len, name);
	}
	if (id == F_OUTPUT)
		id = F_O; /* one flag, two names: the last given wins */
	fv->set[id] = true;
	if (flag_defs[id].kind == K_BOOL) {
		bool b = true;
		if (val && parse_bool(val, &b) < 0)
			return bad_usagef(c, "invalid boolean value \"%s\" for -%s: parse error", val,
					  flag_defs[id].name);
		fv->on[id] = b;
		return 0;
	}
	if (!val) {
		if (*i + 1 >= argc)
			return bad_usagef(c, "flag needs an argument: -%s", flag_defs[id].name);
		val = argv[++*i];
	}
	r = flag_defs[id].kind == K_INT	  ? parse_int(val, &fv->i[id])
	    : flag_defs[id].kind == K_FLOAT ? parse_double(val, &fv->d[id])
					    : 0;
	if (r == -3) {
		fputs("flarewatch: out of memory\n", stderr);
		return EXIT_ANALYSIS;
	}
	if (r < 0)
		return bad_usagef(c, "invalid value \"%s\" for flag -%s: %s", val, flag_defs[id].name,
				  r == -2 ? "value out of range" : "parse error");
	fv->str[id] = val;
	return 0;
}

/* pprof's installConfigFlags for a field with choices: at most one of
 * them may be set ("-cum=false -flat" sets one). Returns the one set, or
 * -1 (none), or an exit status (conflict, as pprof words it). */
static int choose(const struct command *c, const struct flag_vals *fv, const int *ids, size_t n, int *out)
{
	char list[256] = "";
	size_t k = 0;

	*out = -1;
	for (size_t j = 0; j < n; j++) {
		if (!fv->on[ids[j]])
			continue;
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", k ? " " : "",
			 flag_defs[ids[j]].name);
		k++;
		*out = ids[j];
	}
	/* pprof lists them in Go's random map order; we use the choices' order */
	if (k > 1)
		return bad_usagef(c, "conflicting options set: [%s]", list);
	return 0;
}

/* pprof's -symbolize modes (symbolizer.Symbolize). flarewatch never
 * symbolizes: a mode only chooses how names are rewritten (done as the
 * profiles are loaded); each option pprof does not know gets its
 * warnings, as in pprof. */
static void check_symbolize(const char *mode)
{
	struct fw_symbolize sym;

	fw_symbolize_parse(mode, &sym);
	for (unsigned i = 0; i < sym.unknown; i++) {
		fprintf(stderr, "ignoring unrecognized symbolization option: %s\n", mode);
		fputs("expecting -symbolize=[local|fastlocal|remote|none][:force][:demangle=[none|full|templates|default]\n",
		      stderr);
	}
}

/* pprof's notes on the local binaries of the profile it read (symbolize.h):
 * notes[0] those of its locateBinaries, notes[1] its symbolizer's; then
 * the URLs it takes out of the mappings (fw_symbolize_unsource). */
static int symbolize_notes(const struct args *a, struct fw_profile *p, struct fw_buf *notes,
			   struct fw_error *err)
{
	struct fw_symbolize sym;
	int r;

	fw_symbolize_parse(a->symbolize, &sym);
	r = fw_symbolize_notes(p, &sym, getenv("PPROF_BINARY_PATH"), getenv("HOME"), &notes[0], &notes[1], err);
	fw_symbolize_unsource(p);
	return r;
}

/* After parsing: pprof's parseFlags checks, in its order. */
static int apply_flags(const struct command *c, struct flag_vals *fv, struct args *a)
{
	static const int sorts[] = { F_CUM, F_FLAT };
	static const int grans[] = { F_FUNCTIONS, F_FILEFUNCTIONS, F_FILES, F_LINES, F_ADDRESSES };
	/* parseFlags' order, not the command line's: the first set one wins */
	static const struct {
		int id;
		const char *type;
	} selections[] = {
		{ F_TOTAL_DELAY, "delay" },	     { F_MEAN_DELAY, "delay" },
		{ F_CONTENTIONS, "contentions" },
		{ F_INUSE_SPACE, "inuse_space" },     { F_INUSE_OBJECTS, "inuse_objects" },
		{ F_ALLOC_SPACE, "alloc_space" },     { F_ALLOC_OBJECTS, "alloc_objects" },
	};
	const char *si;
	int r, chosen;

	if ((r = choose(c, fv, sorts, 2, &chosen)) != 0)
		return r;
	a->ro.cum_sort = chosen == F_CUM;
	if ((r = choose(c, fv, grans, 5, &chosen)) != 0)
		return r;
	switch (chosen) {
	case F_FILEFUNCTIONS: a->ro.granularity = FW_GRAN_FILEFUNCTIONS; break;
	case F_FILES: a->ro.granularity = FW_GRAN_FILES; break;
	case F_LINES: a->ro.granularity = FW_GRAN_LINES; break;
	case F_ADDRESSES: a->ro.granularity = FW_GRAN_ADDRESSES; break;
	default: a->ro.granularity = FW_GRAN_FUNCTIONS; break;
	}
	si = fv->str[F_SAMPLE_INDEX] ? fv->str[F_SAMPLE_INDEX] : "";
	for (size_t k = 0; k < sizeof(selections) / sizeof(selections[0]); k++) {
		if (!fv->on[selections[k].id])
			continue;
		if (!*si)
			si = selections[k].type;
		else
			fprintf(stderr, "Multiple value selections, ignoring -%s\n",
				flag_defs[selections[k].id].name);
	}
	a->ro.sample_index = *si ? si : NULL;
	a->ro.mean = fv->on[F_MEAN] || fv->on[F_MEAN_DELAY];
	a->ro.noinlines = fv->on[F_NOINLINES];
	if (c->cmd == CMD_DOT)
		a->ro.nodecount = 80; /* pprof's default for its graph outputs */
	if (fv->set[F_NODECOUNT])
		a->ro.nodecount = fv->i[F_NODECOUNT];
	a->call_tree = fv->on[F_CALL_TREE];
	a->svg = fv->on[F_SVG];
	if (fv->set[F_NODEFRACTION])
		a->ro.nodefraction = fv->d[F_NODEFRACTION];
	if (fv->set[F_EDGEFRACTION])
		a->ro.edgefraction = fv->d[F_EDGEFRACTION];
	/* pprof's applyCommandOverrides: -trim=false turns trimming off */
	if (fv->set[F_TRIM] && !fv->on[F_TRIM]) {
		a->ro.nodecount = 0;
		a->ro.nodefraction = 0;
		a->ro.edgefraction = 0;
	}
	/* an empty value is no filter, as in pprof */
	a->ro.focus = fv->str[F_FOCUS] && *fv->str[F_FOCUS] ? fv->str[F_FOCUS] : NULL;
	a->ro.ignore = fv->str[F_IGNORE] && *fv->str[F_IGNORE] ? fv->str[F_IGNORE] : NULL;
	a->ro.hide = fv->str[F_HIDE];
	a->ro.show = fv->str[F_SHOW];
	a->ro.show_from = fv->str[F_SHOW_FROM];
	a->ro.prune_from = fv->str[F_PRUNE_FROM];
	a->ro.tagfocus = fv->str[F_TAGFOCUS];
	a->ro.tagignore = fv->str[F_TAGIGNORE];
	a->ro.tagshow = fv->str[F_TAGSHOW];
	a->ro.taghide = fv->str[F_TAGHIDE];
	a->ro.tagroot = fv->str[F_TAGROOT];
	a->ro.tagleaf = fv->str[F_TAGLEAF];
	a->ro.drop_negative = fv->on[F_DROP_NEGATIVE];
	a->ro.relative_percentages = fv->on[F_RELATIVE_PERCENTAGES];
	a->ro.compact_labels = fv->on[F_COMPACT_LABELS];
	if (fv->str[F_UNIT] && *fv->str[F_UNIT])
		a->ro.unit = fv->str[F_UNIT];
	/* pprof's base flags: one value each (the last given), empty = none */
	{
		const char *base = fv->str[F_BASE], *diff = fv->str[F_DIFF_BASE];
		bool has_base = base && *base, has_diff = diff && *diff;
		if (has_base && has_diff)
			return bad_usagef(c, "-base and -diff_base flags cannot both be specified");
		if (has_base || has_diff) {
			a->bases[0] = has_diff ? diff : base;
			a->n_bases = 1;
			a->diff_base = has_diff;
		}
	}
	/* pprof checks these later, when fetching and then reporting */
	a->symbolize = fv->str[F_SYMBOLIZE];
	if (fv->set[F_DIVIDE_BY]) {
		/* pprof says so when it reports, after the fetch's and the
		 * symbolizer's notes (fw_report_init) */
		if (fv->d[F_DIVIDE_BY] == 0 && (c->cmd == CMD_META || c->cmd == CMD_MERGE))
			return bad_usagef(c, "zero divisor specified");
		a->ro.zero_divisor = fv->d[F_DIVIDE_BY] == 0;
		if (!a->ro.zero_divisor)
			a->ro.ratio = 1 / fv->d[F_DIVIDE_BY];
	}
	a->output = fv->str[F_O];
	/* pprof's list: lines granularity and no trimming, whatever the flags say */
	if (c->cmd == CMD_LIST) {
		a->ro.granularity = FW_GRAN_LINES;
		a->ro.nodecount = 0;
		a->ro.nodefraction = 0;
		a->ro.edgefraction = 0;
		a->ro.source_path = fv->str[F_SOURCE_PATH];
		a->ro.trim_path = fv->str[F_TRIM_PATH];
	}
	return 0;
}

/* Parses argv (after the subcommand name). Returns 0 or an exit status. */
static int parse_args(const struct command *c, int argc, char **argv, struct args *a, bool *help)
{
	struct flag_vals fv;
	int i = 0, r;

	memset(&fv, 0, sizeof(fv));
	fw_report_opts_default(&a->ro);
	a->files = calloc((size_t)argc + 1, sizeof(char *));
	if (!a->files) {
		fputs("flarewatch: out of memory\n", stderr);
		return EXIT_ANALYSIS;
	}
	for (; i < argc; i++) {
		const char *arg = argv[i];
		if (arg[0] != '-' || arg[1] == 0) {
			if ((c->cmd == CMD_PEEK || c->cmd == CMD_LIST) && !a->regex) {
				a->regex = arg;
				continue;
			}
			break;
		}
		if (!strcmp(arg, "--")) {
			i++;
			if ((c->cmd == CMD_PEEK || c->cmd == CMD_LIST) && !a->regex && i < argc)
				a->regex = argv[i++];
			break;
		}
		if ((r = parse_one(c, argc, argv, &i, &fv)) == 1) {
			*help = true;
			return 0;
		}
		if (r != 0)
			return r;
	}
	/* Everything from here on is a FILE, as for go tool pprof. */
	for (; i < argc; i++) {
		const char *arg = argv[i], *name = arg + 1 + (arg[0] == '-' && arg[1] == '-');
		if (arg[0] == '-' && arg[1] && find_flag(c, name, strcspn(name, "=")) >= 0) {
			fprintf(stderr,
				"flarewatch pprof %s: flag %s after the first FILE: flags end at the first FILE,"
				" as in go tool pprof (which would read %s as a profile name); put it before"
				" the files (see flarewatch pprof %s --help)\n",
				c->name, arg, arg, c->name);
			return EXIT_USAGE;
		}
		a->files[a->n_files++] = arg;
	}
	if ((r = apply_flags(c, &fv, a)) != 0)
		return r;
	if ((c->cmd == CMD_PEEK || c->cmd == CMD_LIST) && !a->regex)
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

/* Reading more of one source file than this is refused (pprof has no limit). */
#define LIST_MAX_SOURCE_BYTES (256u << 20)

/* list.h's fw_list_open_fn: os.Open, except that only a regular file is
 * read (O_NONBLOCK: a FIFO in the way must not hang us; pprof would). */
static int list_open(void *ctx, const char *path, uint64_t max_lines, struct fw_buf *data)
{
	struct stat st;
	char chunk[65536];
	uint64_t newlines = 0;
	int fd, e;

	(void)ctx;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		e = errno;
		close(fd);
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		/* Go opens folders too and reads no line from them */
		if (!S_ISDIR(st.st_mode))
			fprintf(stderr, "flarewatch: %s: not a regular file, not read\n", path);
		close(fd);
		return 0;
	}
	while (newlines < max_lines) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			/* bufio.Scanner keeps what it read before the error */
			fprintf(stderr, "flarewatch: %s: %s\n", path, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		if (data->len + (size_t)n > LIST_MAX_SOURCE_BYTES) {
			fprintf(stderr, "flarewatch: %s: source file larger than %u MiB, read no further\n",
				path, LIST_MAX_SOURCE_BYTES >> 20);
			break;
		}
		for (ssize_t i = 0; i < n; i++)
			newlines += chunk[i] == '\n';
		fw_buf_putn(data, chunk, (size_t)n);
		if (data->failed)
			break;
	}
	close(fd);
	return 0;
}

static int list_write(struct fw_report *rpt, const struct args *a, struct fw_buf *out, struct fw_error *err)
{
	struct fw_list_opts lo = { .source_path = a->ro.source_path, .trim_path = a->ro.trim_path,
				   .open = list_open, .stream = stdout, .drop_profile = true };
	char *cwd = NULL;
	int r;

	/* pprof's default search path, needed only without -source_path */
	if (!lo.source_path || !*lo.source_path) {
		cwd = getcwd(NULL, 0);
		lo.cwd = cwd; /* NULL: fw_list_write says pprof's "could not stat current dir" */
	}
	r = fw_list_write(rpt, a->regex, &lo, out, err);
	free(cwd);
	return r;
}

/* How much of the heap to back with huge pages (base/heap.h): what the
 * command surely fills, three times the profiles' uncompressed size (a
 * decoded profile and its call graph take about 3.4 times it: 8.3 MB for
 * large.cpu's 2.45 MB), plus 1 MiB. Advising more would take peak RSS past
 * the 3x + 4 MB that every command keeps to. */
static size_t bulk_estimate(const struct args *a)
{
	uint64_t raw = 0;

	for (size_t i = 0; i < a->n_files + a->n_bases; i++)
		raw += fw_profile_size_hint(i < a->n_files ? a->files[i] : a->bases[i - a->n_files]);
	return raw > SIZE_MAX / 4 ? SIZE_MAX : (size_t)(raw * 3) + (1u << 20);
}

static int run(const struct command *c, struct args *a)
{
	struct fw_decode_limits lim = { 0 };
	struct fw_error err = { "" };
	struct fw_profile *p = NULL;
	struct fw_report rpt;
	struct fw_buf out, warnings, symnotes[2];
	int r;

	fw_buf_init(&out);
	fw_buf_init(&warnings);
	a->ro.warnings = &warnings;
	/* one profile: a bulk heap; several are merged, growing one's arrays */
	if (a->n_files + a->n_bases > 1)
		fw_heap_mapped();
	else
		fw_heap_bulk(bulk_estimate(a));
	if (c->cmd == CMD_META) {
		if ((r = fw_profile_read(a->files[0], &lim, &p, &err)) == 0)
			r = fw_meta_write(p, a->files[0], &out, &err);
		fw_profile_free(p);
		goto done;
	}
	/* the reports read what they can, as pprof; merge must not drop an
	 * input. traces shows samples one by one and merge writes them: every
	 * other report only adds their values up. */
	r = fw_profiles_load(a->files, a->n_files, a->bases, a->n_bases, a->diff_base,
			     c->cmd != CMD_TRACES && c->cmd != CMD_MERGE, &lim, a->symbolize,
			     c->cmd == CMD_MERGE ? NULL : &warnings, &p, &err);
	/* pprof's notes on local binaries (symbolize.h), on the files it could
	 * not read, on the -symbolize mode, then its local symbolizer's */
	fw_buf_init(&symnotes[0]);
	fw_buf_init(&symnotes[1]);
	if (r == 0 && (r = symbolize_notes(a, p, symnotes, &err)) < 0)
		fw_profile_free(p);
	fputs(fw_buf_str(&symnotes[0]), stderr);
	if (warnings.len)
		fputs(fw_buf_str(&warnings), stderr);
	warnings.len = 0;
	if (r >= 0 && a->symbolize)
		check_symbolize(a->symbolize);
	fputs(fw_buf_str(&symnotes[1]), stderr);
	fw_buf_free(&symnotes[0]);
	fw_buf_free(&symnotes[1]);
	if (r < 0)
		goto done;
	if (c->cmd == CMD_MERGE) {
		r = fw_profile_write_file(p, a->output, &err);
		fw_profile_free(p);
		goto done;
	}
	a->ro.untrimmed_paths = c->cmd == CMD_TRACES;
	a->ro.drop_locations = c->cmd != CMD_LIST; /* list reads source lines */
	a->ro.no_node_table = c->cmd == CMD_LIST;  /* and makes its own graph */
	r = fw_report_init(&rpt, p, &a->ro, &err);
	/* pprof's notes, before its error or its report */
	if (warnings.len)
		fputs(fw_buf_str(&warnings), stderr);
	fw_buf_free(&warnings);
	if (r < 0)
		goto done;
	switch (c->cmd) {
	case CMD_TOP: r = fw_top_stream(&rpt, stdout, &err); break; /* streamed */
	case CMD_PEEK: r = fw_peek_stream(&rpt, a->regex, stdout, &err); break; /* streamed */
	case CMD_TRACES: r = fw_traces_stream(&rpt, stdout, &err); break; /* streamed: no copy in memory */
	case CMD_LIST: r = list_write(&rpt, a, &out, &err); break;
	case CMD_TAGS: r = fw_tags_write(&rpt, &out, &err); break;
	case CMD_COLLAPSED: r = fw_collapsed_stream(&rpt, stdout, &err); break; /* streamed */
	case CMD_DOT: {
		struct fw_dot_opts d = { .call_tree = a->call_tree };
		r = fw_dot_write(&rpt, &d, &out, &err);
		if (r == 0 && a->svg)
			r = fw_svg_from_dot(&out, &err);
		break;
	}
	case CMD_FLAMEGRAPH: {
		/* -diff_base: the differential graph flarewatch draws for the heap
		 * growth (pprof's own flame graph cannot show a diff) */
		struct fw_flamegraph_opts fo = { .title = a->files[0], .growth = a->diff_base,
						 .drop_samples = true }; /* the report's last use */
		r = fw_flamegraph_write(&rpt, &fo, &out, &err);
		break;
	}
	default: break;
	}
	fw_report_free(&rpt);
done:
	fw_buf_free(&warnings);
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
	return r;
}
