/*
 * process.h: the support runbook's profile analyses for one agent process
 * (core, trace, process, ...): heap diff between the two heap snapshots by
 * inuse_space and inuse_objects, the current heap, CPU, block and mutex
 * tops, plus the numbers the verdict rules need. Built on the pprof engine
 * (report.c, graph.c); it formats nothing itself beyond pprof's own text,
 * and compares nothing with a threshold (verdict.h does).
 */
#ifndef FW_ANALYSIS_H
#define FW_ANALYSIS_H

#include "flare/flare.h"
#include "investigate/contention.h"
#include "pprof/profile.h"

#define FW_TOP_ROWS 10

struct fw_svg_job;

struct fw_top_row {
	char *name; /* pprof's printable name */
	int64_t flat, cum;
};

/* One `top` analysis of one profile (or of a diff). */
struct fw_top_table {
	bool present;	  /* the input profile(s) existed and were non-empty */
	char *error;	  /* why it could not be computed, or NULL */
	char *sample_type, *sample_unit;
	int64_t total;	  /* pprof's total (percentages refer to it) */
	/* a diff's own totals: the sum of its values (newer - older) and the
	 * base (older) snapshot's total, pprof's total for a diff */
	int64_t net_total, base_total;
	int64_t time_nanos, duration_nanos;
	struct fw_top_row rows[FW_TOP_ROWS];
	size_t n_rows;
	char *text;	  /* the full `pprof -top` text, byte-identical to Go's */
	char *svg;	  /* a flame graph of it (CPU, heap diff, block, mutex); or NULL */
	char *svg_error;  /* why that flame graph could not be drawn, or NULL */
	/* the call graph (go tool pprof -svg; CPU, heap diff) when graphviz's
	 * dot is installed, else why it was not drawn */
	char *callgraph, *callgraph_error;
	/* that call graph while dot draws it (fw_process_callgraphs), or NULL */
	struct fw_svg_job *drawing;
};

/* Per-function facts over the whole (untrimmed) graph. */
struct fw_fn_value {
	char *name;
	int64_t value;
};

/* One row of an attributed table (attribute.h): an application function,
 * or one Python check (python, with the check's name when a label gave it),
 * and what its samples were charged through. */
struct fw_attr_row {
	char *name;
	char *via;   /* the call below it of its largest path ("runtime.cgocall"), "" when it is the leaf */
	char *check; /* the Python check's name (fw_check_name of its label), or NULL */
	bool python; /* a Python check frame (fw_is_python_check_frame) */
	int64_t value; /* in the profile's unit */
};

/* Top FW_TOP_ROWS application functions by attributed value (positive
 * values only: what they use, hold or grew). */
struct fw_attr_table {
	bool present;
	/* what shares refer to: the sum of the positive attributed values plus
	 * the positive unattributed value (for CPU and the current heap, the
	 * profile's total) */
	int64_t total;
	int64_t unattributed; /* samples with no application frame */
	int64_t python;	      /* charged to Python check frames */
	struct fw_attr_row rows[FW_TOP_ROWS];
	size_t n_rows;
};

enum fw_pfile_state { FW_PFILE_OK, FW_PFILE_MISSING, FW_PFILE_EMPTY, FW_PFILE_CORRUPT };

/* What the heap snapshots' times (time_nanos) say about the window between
 * them. Only a measured window scales the growth to a rate per 30 s. */
enum fw_heap_window {
	FW_WINDOW_MEASURED,  /* the 2nd is 1 s to 1 day newer than the 1st */
	FW_WINDOW_ABSENT,    /* a snapshot carries no time */
	FW_WINDOW_REVERSED,  /* the 1st is newer than the 2nd: diffed older to newer */
	FW_WINDOW_TOO_SHORT, /* less than 1 s apart (or the same time) */
	FW_WINDOW_TOO_LONG,  /* more than 1 day apart */
};
#define FW_WINDOW_MIN_NS 1000000000LL	   /* 1 s */
#define FW_WINDOW_MAX_NS 86400000000000LL /* 1 day */
/* The runbook states heap growth per 30 s: the rate's reference window, and
 * the window assumed when the snapshots give none (growth then stays raw). */
#define FW_RATE_WINDOW_NS 30000000000LL /* 30 s */

/* "measured", "absent", "reversed", "too_short", "too_long" */
const char *fw_heap_window_id(enum fw_heap_window w);
/* Why the growth is not a rate, as a clause ("the 1st snapshot is newer
 * than the 2nd"); "" for a measured window. */
const char *fw_heap_window_why(enum fw_heap_window w);

#define FW_PROCESS_NOTES 8
/* More CPU than this many cores over the profile's duration is not a
 * measurement: the CPU rules skip such a profile (with a note). */
#define FW_CPU_MAX_CORES 1000

struct fw_process {
	char *name; /* "core", "trace", ... */

	struct fw_top_table heap_diff_space, heap_diff_objects, heap_top, cpu, block, mutex;
	/* attributed to the nearest application frame: CPU, the 2nd heap
	 * snapshot's inuse_space, and the growth (the inuse_space diff) */
	struct fw_attr_table cpu_attr, heap_attr, growth_attr;
	/* the block and mutex delay by kind of wait and by function */
	struct fw_contention block_wait, mutex_wait;

	/* profile files this process should have and what was found */
	struct {
		const char *kind; /* "1st-heap", "cpu", "2nd-heap", "block", "mutex" */
		enum fw_pfile_state state;
		uint64_t size;
		char *error;
	} files[FW_PK_COUNT]; /* by enum fw_profile_kind */

	/* heap growth: window between snapshots and growth scaled to 30 s */
	bool have_heap_diff;
	enum fw_heap_window heap_window;
	int64_t heap_window_ns; /* |2nd - 1st| time when both carry one, else 0 */
	int64_t growth_total;	/* sum of positive flat diffs, all functions */
	int64_t growth_app;	/* the same, application functions only */
	struct fw_fn_value top_growth_app; /* largest positive app flat diff */
	/* the growth scaled to 30 s over a measured window; otherwise the raw
	 * growth between the snapshots, unscaled (see heap_window). Always
	 * within +-9.2e18, so it converts to an int64. */
	double growth_total_30s, growth_app_30s;

	/* CPU: every value converted to nanoseconds from the profile's unit;
	 * have_cpu is false (with a note) when that is impossible */
	bool have_cpu;
	int64_t cpu_total_ns, cpu_duration_ns, cpu_app_ns;
	struct fw_fn_value top_cpu_app; /* largest flat among app functions */
	struct fw_fn_value top_cpu_any; /* largest flat overall */
	/* attributed (attribute.h), in nanoseconds: to application code, to
	 * Python checks, and the largest application function or Python
	 * check (cpu_attr.rows[0]) */
	int64_t cpu_attr_app_ns, cpu_python_ns;
	struct fw_fn_value top_cpu_attr;
	const char *top_cpu_attr_check; /* borrowed from cpu_attr.rows[0], or NULL */
	bool top_cpu_attr_python;

	/* contention (contention.h): the application function with the
	 * largest delay the rule counts: in the block profile its lock waits
	 * and non-idle channel waits, in the mutex profile the delay charged to
	 * it as the lock's holder. In nanoseconds, like the totals;
	 * have_block/have_mutex are false (with a note) when the delay is not
	 * in a time unit */
	bool have_block, have_mutex;
	struct fw_fn_value top_block_app, top_mutex_app;
	char *top_block_callee, *top_mutex_callee; /* the blocking call it made */
	int64_t block_total_ns, mutex_total_ns;

	/* What the analysis could not do with usable files, each naming the
	 * profile file ("core-cpu.pprof: no flame graph: ..."). */
	char *notes[FW_PROCESS_NOTES];
	size_t n_notes;
};

/* True for Go runtime and standard-library synchronisation functions:
 * names starting with runtime., runtime/, internal/, sync., syscall. or
 * gcBgMarkWorker. Everything else is application code. */
bool fw_is_runtime_function(const char *name);

struct fw_decode_limits;
struct fw_flamegraph_opts;

/* One `pprof -top` table of p with the given sample index (NULL: the
 * default), its first FW_TOP_ROWS rows and, when fg is not NULL, its flame
 * graph: what every table of a process is made with, for other callers
 * (compare.c). Takes p over (also on failure); a profile pprof refuses
 * leaves t->error set and returns 0; <0 only for out-of-memory. */
int fw_top_table_fill(struct fw_profile *p, const char *sample_index, struct fw_top_table *t,
		      const struct fw_flamegraph_opts *fg, struct fw_error *err);
void fw_top_table_free(struct fw_top_table *t);

/* Analyzes process `name` from the files `<dir>/<name>-{1st-heap,cpu,
 * 2nd-heap,block,mutex}.pprof`. Missing, empty or corrupt files are recorded
 * in the result, never an error; only out-of-memory fails. Its call graphs
 * are left being drawn (up to two dot children running):
 * fw_process_callgraphs waits for them, fw_process_free kills them. */
int fw_process_analyze(const char *dir, const char *name, const struct fw_decode_limits *lim,
		       struct fw_process *out, struct fw_error *err);
/* Waits for the call graphs fw_process_analyze started: each becomes
 * callgraph or callgraph_error. Only out-of-memory fails. */
int fw_process_callgraphs(struct fw_process *p, struct fw_error *err);
void fw_process_free(struct fw_process *p);

#endif
