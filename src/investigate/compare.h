/*
 * compare.h: two flares side by side (`flarewatch compare OLD NEW`): what
 * changed between them, per agent process and for the agent as a whole.
 * Each input is a flare zip, an extracted flare folder, or a report folder
 * of the investigations tree (its report.json names the flare and its
 * SHA-256; the flare is looked up in state_dir/done/ and its hash checked).
 *
 * Per process (core, trace, ...), every figure comes from the pprof engine
 * exactly as `go tool pprof` computes it:
 *  - heap: NEW's 2nd heap snapshot with OLD's 2nd as the base
 *    (`-top -sample_index=inuse_space -diff_base=OLD NEW`): what grew
 *    between the flares, by function and by agent component;
 *  - CPU: NEW's profile scaled to OLD's total, with OLD as the base
 *    (`-top -normalize -diff_base=OLD NEW`: where the CPU moved), and each
 *    profile's CPU per second of its duration, by function;
 *  - block and mutex: the delay per second (of the profile's duration, or
 *    of the process's uptime for the agent's cumulative profiles).
 * For the agent: expvar/memstats deltas (HeapAlloc, Sys, HeapInuse,
 * HeapObjects, NumGC) and goroutines, the checks added, removed and slower
 * (status.log), the agent version, and whether the hosts differ.
 * It measures; write_compare.c writes; nothing here prints.
 */
#ifndef FW_COMPARE_H
#define FW_COMPARE_H

#include "base/fwconfig.h"
#include "base/sha256.h"
#include "flare/flare.h"
#include "investigate/process.h"

/* One input, opened. */
struct fw_cmp_side {
	char *input;	   /* the argument's base name, redacted */
	const char *kind;  /* "zip", "folder", "report folder" */
	char *flare_name;  /* the flare read: the zip's or folder's name, redacted
			    * (for a report folder, its flare in done/) */
	char sha256[FW_SHA256_HEX_LEN + 1]; /* the zip's hash; "" for a folder */
	char tmp[4096];	   /* extraction folder ("" when none); removed by fw_compare_free */
	struct fw_flare flare;
};

/* The growth of one agent component in a diff (components.h; the Go
 * runtime and code of no known component have their own rows). */
#define FW_CMP_COMPONENTS 48
struct fw_cmp_component {
	const char *id, *name; /* static text */
	int64_t grew, shrank;  /* sums of its functions' positive / negative flat values */
};

/* One `pprof -diff_base` comparison: NEW with OLD as its base. */
struct fw_cmp_diff {
	bool done;	      /* the table below was computed */
	char *why_not;	      /* why not (a file missing, unreadable, ...), or NULL */
	char *command;	      /* the go tool pprof command that prints top.text */
	struct fw_top_table top; /* text, rows, totals and the differential flame graph */
	int64_t grew, shrank; /* sums of the positive / negative flat values, untrimmed */
	struct fw_cmp_component comps[FW_CMP_COMPONENTS];
	size_t n_comps;	      /* by grew - shrank, largest first */
};

/* One function's rate in both flares. */
struct fw_cmp_fn_rate {
	char *name;
	double old_ps, new_ps; /* nanoseconds per second */
};

/* A time (CPU or delay) per second in each flare. */
struct fw_cmp_rate {
	bool has_old, has_new;
	char *why_not;		  /* why a side is missing, or NULL */
	const char *per_old, *per_new; /* "profile" (its duration) or "uptime" */
	double old_sec, new_sec;  /* the seconds divided by */
	int64_t old_ns, new_ns;	  /* the profile's total */
	/* the functions whose flat rate changed most (by |new - old|) */
	struct fw_cmp_fn_rate rows[FW_TOP_ROWS];
	size_t n_rows;
};

struct fw_cmp_proc {
	char *name;
	bool in_old, in_new; /* the flare has profiles of this process */
	struct fw_cmp_diff heap, cpu_norm;
	struct fw_cmp_rate cpu, block, mutex;
};

/* expvar/memstats figures (and the goroutine count), per process. */
enum fw_cmp_mem_field {
	FW_CMP_HEAP_ALLOC, FW_CMP_SYS, FW_CMP_HEAP_INUSE, FW_CMP_HEAP_OBJECTS, FW_CMP_NUM_GC,
	FW_CMP_GOROUTINES, FW_CMP_MEM_FIELDS
};
/* "HeapAlloc", "Sys", "HeapInuse", "HeapObjects", "NumGC", "goroutines" */
const char *fw_cmp_mem_name(enum fw_cmp_mem_field f);
struct fw_cmp_mem {
	const char *process; /* "core" (expvar/memstats, the goroutine dump) or "trace" (expvar/trace-agent) */
	bool has_old[FW_CMP_MEM_FIELDS], has_new[FW_CMP_MEM_FIELDS];
	double old_v[FW_CMP_MEM_FIELDS], new_v[FW_CMP_MEM_FIELDS];
};

/* A check is slower when its Average Execution Time grew by at least
 * FW_CMP_SLOWER_PCT percent and FW_CMP_SLOWER_MIN_NS. */
#define FW_CMP_SLOWER_PCT 50
#define FW_CMP_SLOWER_MIN_NS 100000000LL /* 100 ms */
enum fw_cmp_check_change { FW_CMP_CHECK_ADDED, FW_CMP_CHECK_REMOVED, FW_CMP_CHECK_SLOWER };
/* "added", "removed", "slower" */
const char *fw_cmp_check_change_id(enum fw_cmp_check_change c);
struct fw_cmp_check {
	const char *name; /* borrowed from the flare's status */
	enum fw_cmp_check_change change;
	bool has_old, has_new; /* its Average Execution Time in each */
	int64_t old_ns, new_ns;
};

struct fw_comparison {
	struct fw_cmp_side old, new;
	bool same_content;	/* the two inputs hold the same flare (one hash, or one folder) */
	bool hosts_differ;	/* their hostnames differ */
	bool version_changed;	/* both status.logs name a version, and they differ */
	struct fw_cmp_mem mem[2]; /* core, trace */
	struct fw_cmp_proc *procs;
	size_t n_procs;
	struct fw_cmp_check *checks;
	size_t n_checks;
	bool checks_known; /* both flares have status.log's checks */
};

struct fw_compare_opts {
	const struct fw_config *cfg; /* archive limits, state_dir (done/) */
	const char *tmp_parent;	     /* where to extract zips; NULL: $TMPDIR or /tmp */
};

/* Opens both inputs and compares them. Errors (an input that is no flare,
 * a report folder whose flare is gone or changed) name the input and what
 * is needed; a process's missing or unreadable profile is a why_not, not
 * an error. fw_compare_free() is safe after a failure. */
int fw_compare(const char *old_path, const char *new_path, const struct fw_compare_opts *o,
	       struct fw_comparison *c, struct fw_error *err);
void fw_compare_free(struct fw_comparison *c);

/* compare.md and compare.json (schema "flarewatch.compare" version 1,
 * schema/compare.schema.json), write_compare.c. Flare strings are
 * redacted and escaped field by field. */
int fw_compare_markdown(const struct fw_comparison *c, struct fw_buf *out, struct fw_error *err);
int fw_compare_json(const struct fw_comparison *c, struct fw_buf *out, struct fw_error *err);
/* The differential flame graph file of a process and a diff ("heap",
 * "cpu"): "<proc>-<what>-diff.svg". */
void fw_compare_svg_name(char *out, size_t len, const char *proc, const char *what);

#endif
