/*
 * coverage.h: what could be analyzed in one process. For each of the
 * runbook's analyses (heap diff, heap top, CPU, block, mutex): whether it
 * ran and, when it did not, the profile file at fault, its state and why.
 * Computed from a struct fw_process (its files[], tables and notes); it
 * judges nothing: verdict.c reads it (a process whose heap diff or CPU
 * analysis did not run cannot be NORMAL) and the writers print it.
 */
#ifndef FW_COVERAGE_H
#define FW_COVERAGE_H

#include "investigate/process.h"

enum fw_analysis { FW_AN_HEAP_DIFF, FW_AN_HEAP_TOP, FW_AN_CPU, FW_AN_BLOCK, FW_AN_MUTEX, FW_AN_COUNT };

/* "heap_diff", "heap_top", "cpu", "block", "mutex" (report.json keys) */
const char *fw_analysis_id(enum fw_analysis a);
/* "heap diff", "heap top", "CPU", "block", "mutex" (for sentences) */
const char *fw_analysis_name(enum fw_analysis a);

struct fw_coverage_item {
	/* its results are in the report and the rules read them */
	bool ran;
	/* the file it reads ("core-cpu.pprof"; the heap diff's two files as
	 * "core-1st-heap.pprof, core-2nd-heap.pprof"), or when it did not run
	 * the first file at fault */
	char *file;
	enum fw_pfile_state state; /* that file's state */
	/* why it did not run, naming every file at fault, with the decoder's
	 * error or the analysis's note ("core-1st-heap.pprof is empty (0
	 * bytes); core-2nd-heap.pprof is missing"); NULL when it ran */
	char *reason;
	/* the same in a few words for one-line summaries ("core-1st-heap.pprof
	 * empty, core-2nd-heap.pprof missing"); NULL when it ran */
	char *brief;
};

struct fw_coverage {
	struct fw_coverage_item a[FW_AN_COUNT]; /* by enum fw_analysis */
	size_t n_ran;
};

/* The coverage of p. Returns 0, or -ENOMEM with *out cleared. The file
 * names are built from p->name, a flare string: writers escape them. */
int fw_coverage_of(const struct fw_process *p, struct fw_coverage *out);
void fw_coverage_free(struct fw_coverage *c);

#endif
