/*
 * report.h: what every pprof-style report shares: loading the source (and
 * base) profiles the way `go tool pprof` fetches them, choosing the sample
 * type, computing the total that percentages refer to, filtering, applying
 * the granularity, choosing the output unit and printing the header lines.
 * The individual reports (top.c, peek.c, traces.c, ...) build on this.
 */
#ifndef FW_REPORT_H
#define FW_REPORT_H

#include "pprof/graph.h"
#include "pprof/profile.h"

#include <stdio.h>

enum fw_granularity {
	FW_GRAN_FUNCTIONS,
	FW_GRAN_FILEFUNCTIONS,
	FW_GRAN_FILES,
	FW_GRAN_LINES,
	FW_GRAN_ADDRESSES,
};

struct fw_report_opts {
	const char *sample_index; /* name or number; NULL = the profile's default */
	bool cum_sort;
	enum fw_granularity granularity;
	bool noinlines;
	int nodecount;	     /* 0 = no limit */
	double nodefraction; /* pprof default 0.005 */
	double edgefraction; /* pprof default 0.001 */
	const char *focus, *ignore; /* Go regexps (base/regexp.h), or NULL */
	/* filter.c: -hide -show -show_from -prune_from (regexps), -tagfocus
	 * -tagignore (pprof's tag filters), -tagshow -taghide; NULL or "" off */
	const char *hide, *show, *show_from, *prune_from;
	const char *tagfocus, *tagignore, *tagshow, *taghide;
	/* labelnodes.c: -tagroot -tagleaf, comma-separated label keys; NULL off */
	const char *tagroot, *tagleaf;
	/* pprof's notes on stderr (ui.PrintErr: "Focus expression matched no
	 * samples", ...), appended one per line in pprof's order; NULL: dropped */
	struct fw_buf *warnings;
	/* Keep source paths as recorded (only cleaned): pprof's traces report
	 * skips the /proc/self/cwd/ trimming of its graph reports. */
	bool untrimmed_paths;
	/* -trim_path and -source_path (':'-separated lists, NULL = none):
	 * pprof's trimPath of the file names (see list.h) */
	const char *trim_path, *source_path;
	/* pprof's display options */
	const char *unit;	   /* -unit: output unit; NULL = "minimum" */
	double ratio;		   /* 1 / -divide_by (default 1) */
	bool zero_divisor;	   /* -divide_by=0: pprof's error, after the sample index */
	bool drop_negative;	   /* leave nodes with a negative value out of the graph */
	bool relative_percentages; /* total computed after focus/ignore */
	bool compact_labels;	   /* no File/Type/... lines in top and peek */
	bool mean;		   /* -mean: values divided by value column 0 (the count) */
	/* The caller reads nothing of the profile after fw_report_init but
	 * its samples, labels, mappings and strings (every report but list):
	 * its locations, lines and functions are freed once the node table
	 * has its nodes, before their names are made (top -lines on
	 * large.cpu: 11.4 -> 10.0 MB peak RSS, with the heap trimmed for
	 * the names of a granularity other than functions). */
	bool drop_locations;
	/* No node table (r->tab stays empty): for list, which makes its own
	 * graph of the profile's locations. */
	bool no_node_table;
};

void fw_report_opts_default(struct fw_report_opts *o);

/* fw_profiles_combine with pprof's -normalize: the merged sources are
 * scaled, per sample type, so that their sum equals the merged bases'
 * (Profile.Normalize) before the bases are subtracted. Needs a base. */
int fw_profiles_combine_normalized(struct fw_profile *const *sources, size_t n_sources,
				   struct fw_profile *const *bases, size_t n_bases, bool diff_base,
				   struct fw_profile **out, struct fw_error *err);

/* pprof's fetch: merges the sources; when bases are given, merges them,
 * marks them with the pprof::base label if diff_base, negates them and
 * merges everything (after making units compatible). Finally applies the
 * profile's drop_frames/keep_frames. Without warnings (NULL), a file that
 * cannot be read is the error; with warnings, as pprof: it is noted
 * ("PATH: open PATH: no such file or directory") and left out, then
 * "Fetched 1 source profiles out of 2"; the error is pprof's "failed to
 * fetch any source profiles" (or base) when none of a kind could be read.
 * additive: the report only adds sample values up (fw_profile_compact_additive). */
int fw_profiles_load(const char *const *sources, size_t n_sources, const char *const *bases,
		     size_t n_bases, bool diff_base, bool additive,
		     const struct fw_decode_limits *lim, const char *symbolize,
		     struct fw_buf *warnings, struct fw_profile **out, struct fw_error *err);
/* The same for profiles already decoded (they are not modified). */
int fw_profiles_combine(struct fw_profile *const *sources, size_t n_sources,
			struct fw_profile *const *bases, size_t n_bases, bool diff_base,
			struct fw_profile **out, struct fw_error *err);

struct fw_report {
	struct fw_profile *p; /* owned */
	struct fw_report_opts o;
	size_t vi;
	const char *sample_type, *sample_unit;
	int64_t total;
	int64_t base_total; /* -diff_base: sum of |v| over the base samples; else 0 */
	char output_unit[32];
	struct fw_nodetab tab;
	struct fw_buf filters; /* "focus=..." lines, each ending in '\n' */
};

/* A report that writes its text to out and, given f, to f as it goes
 * (fw_buf_stream); 0 or an error. */
typedef int (*fw_report_text_fn)(struct fw_report *r, struct fw_buf *out, FILE *f, struct fw_error *err);
/* Runs it with a buffer of its own, streaming to f: running out of memory
 * while formatting is the error. */
int fw_report_stream(struct fw_report *r, fw_report_text_fn fn, FILE *f, struct fw_error *err);
/* The error of a report whose stream failed (rc: -errno): "writing
 * standard output: REASON", the CLI's stream. Returns rc. */
int fw_report_stream_error(struct fw_error *err, int rc);

/* Takes ownership of p (also on failure) and changes it (filters,
 * aggregates). A caller that needs p afterwards passes a copy made with
 * fw_profile_clone() (profile.h). */
int fw_report_init(struct fw_report *r, struct fw_profile *p, const struct fw_report_opts *o,
		   struct fw_error *err);
void fw_report_free(struct fw_report *r);
/* For a report that needs no sample once its graph is built (peek): the
 * samples' arrays (stacks, values, labels) go back to the heap for what
 * follows to reuse; locations, functions, strings and the header stay. */
void fw_report_drop_samples(struct fw_report *r);
/* For a report whose stacks were copied out as sample_locs slices
 * (collapsed, flamegraph): the samples, their values and labels go back to
 * the heap; sample_locs stays, with what fw_report_drop_samples keeps. */
void fw_report_drop_sample_rows(struct fw_report *r);
/* For a report whose node table (or list's graph) has every node: the
 * profile's locations, lines and functions go back to the heap. */
void fw_report_drop_locations(struct fw_report *r);

/* The trimmed graph for this report, with the output unit selected: its
 * nodes, and of its edges only those from or to a node that is some
 * location's inlined line (what top's "(inline)" reads). */
int fw_report_graph(struct fw_report *r, struct fw_graph *g, size_t *orig_count,
		    size_t *dropped_nodes, struct fw_error *err);
/* pprof's selectOutputUnit over g's nodes (for graphs built elsewhere: dot.c). */
void fw_report_select_unit(struct fw_report *r, const struct fw_graph *g);

/* Go's filepath.Clean of path (n bytes, NUL included) into out. */
void fw_path_clean(const char *path, size_t n, struct fw_buf *out);

void fw_report_value(const struct fw_report *r, int64_t v, char *out, size_t len);
/* Sample s's value in the report's column (under -mean, divided by its
 * count when that is not 0, as pprof's traces print it). */
int64_t fw_report_sample_value(const struct fw_report *r, size_t s);
/* Appends the columns of a `top` row for node n of g, as pprof prints them:
 * "flat flat% sum% cum cum%" (no newline). *flat_sum is the flat of the rows
 * printed before; n's flat is added to it. */
void fw_report_top_columns(const struct fw_report *r, const struct fw_graph *g, uint32_t n,
			   int64_t *flat_sum, struct fw_buf *out);
/* ProfileLabels: File, Build ID, comments, Type, Time, Duration lines. */
void fw_report_profile_labels(const struct fw_report *r, struct fw_buf *b);
/* reportLabels: the above plus filters, "Showing nodes ...", "Dropped ..." */
void fw_report_labels(const struct fw_report *r, const struct fw_graph *g, size_t orig_count,
		      size_t dropped_nodes, struct fw_buf *b);

#endif
