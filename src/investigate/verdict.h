/*
 * verdict.h: the runbook's verdict rules over the per-process analyses:
 * MEMORY LEAK, CPU SPIKE, CONTENTION, MULTIPLE ISSUES, NORMAL or
 * INCONCLUSIVE (NORMAL could not be established: profiles missing), with the
 * numbers that made each rule fire, and every other decision the writers
 * print (a figure above a threshold, a contention worth a sentence, a
 * goroutine count above the warning level). Thresholds come from the
 * configuration. This is the only place that compares a number with a
 * threshold, besides memsanity.c's judge() (memory sanity, its factors in
 * memsanity.h): the writers (write_markdown.c, write_json.c) read none.
 */
#ifndef FW_VERDICT_H
#define FW_VERDICT_H

#include "base/fwconfig.h"
#include "flare/goroutines.h"
#include "investigate/coverage.h"
#include "investigate/process.h"

struct fw_thresholds {
	double leak_growth_per_30s;	/* bytes of app growth per 30 s (10 MiB) */
	double leak_function_share;	/* percent of total growth in one app function (30) */
	double leak_min_growth_per_30s; /* bytes of total growth per 30 s for that rule (1 MiB) */
	/* app growth per 30 s from which a growth that is no leak is named
	 * "borderline": half of leak_growth_per_30s (5 MiB), the runbook's
	 * NORMAL being below 5 MB */
	double leak_borderline_per_30s;
	double cpu_function_share;	/* percent of CPU attributed to one app function or Python check (50) */
	double cpu_utilization;		/* percent of one core (80) */
	double cpu_app_share;		/* percent of CPU attributed to app functions (80) */
	double cpu_spike_min_utilization; /* the one-function rule's floor, percent of one core (5) */
	double contention_seconds;	/* delay charged to one app function (1.0) */
	unsigned goroutines_warn;	/* goroutine count flagged above (500) */
	/* LONG-TERM GROWTH (fw_verdict_long_term()) */
	double long_term_heap_per_hour;	      /* HeapAlloc bytes per hour (50 MiB) */
	double long_term_sys_per_hour;	      /* Sys bytes per hour (100 MiB) */
	double long_term_goroutines_per_hour; /* goroutines per hour (200) */
	double long_term_min_hours;	      /* first to last flare of the process (2) */
};

/* The thresholds of a configuration (fw_config_defaults() gives the
 * defaults shown above). */
void fw_thresholds_from_config(const struct fw_config *c, struct fw_thresholds *t);

/* The one rounding of byte figures (rates per 30 s are fractional): to the
 * nearest byte; NaN is 0 and beyond +-9.2e18 it clamps to +-INT64_MAX. Every
 * output prints a byte figure through these, so it reads the same
 * everywhere. */
int64_t fw_figure_bytes(double v);
/* fw_unit_label(fw_figure_bytes(v), "bytes", "auto"): "10.50MB"; returns out */
const char *fw_figure_bytes_label(char *out, size_t len, double v);
/* fw_unit_label(v, "nanoseconds", "auto"): "1.50s"; returns out */
const char *fw_figure_nanos_label(char *out, size_t len, int64_t v);

/* Ordered by seriousness: a flare's verdict is its most serious process's.
 * INCONCLUSIVE is above NORMAL (a process that could not be analyzed hides
 * nothing behind a NORMAL) and below every finding (a rule that fired
 * always wins). */
enum fw_verdict_kind {
	FW_VERDICT_NORMAL = 0,
	FW_VERDICT_INCONCLUSIVE,
	FW_VERDICT_CONTENTION,
	FW_VERDICT_CPU_SPIKE,
	FW_VERDICT_MEMORY_LEAK,
	FW_VERDICT_MULTIPLE,
};

/* "NORMAL", "INCONCLUSIVE", "CONTENTION", "CPU SPIKE", "MEMORY LEAK",
 * "MULTIPLE ISSUES" */
const char *fw_verdict_name(enum fw_verdict_kind k);
/* "normal", "inconclusive", "contention", "cpu_spike", "memory_leak",
 * "multiple_issues" */
const char *fw_verdict_id(enum fw_verdict_kind k);

struct fw_process_verdict {
	const char *process;
	enum fw_verdict_kind kind;
	bool leak, cpu, contention;
	char *leak_reason, *cpu_reason, *contention_reason; /* NULL when the rule did not fire */
	char *summary; /* one line: what fired, or why it is normal */

	/* What the writers print beside the reasons. The names are borrowed
	 * from the struct fw_process; NULL when the rule did not fire or
	 * names no function. */
	const char *leak_fn;	   /* the application function that grew most */
	const char *cpu_fn;	   /* the busiest application function (attributed), else the busiest */
	bool cpu_python;	   /* cpu_fn is a Python check frame (components.h) */
	const char *cpu_check;	   /* ... and the check it ran, when a label named it */
	const char *contention_fn; /* the application function that waited most */
	/* growth_*_30s: "per 30 s" over a measured window, else "between the
	 * snapshots" (the raw growth, see enum fw_heap_window) */
	bool growth_is_rate;
	const char *growth_per;
	bool growth_over_leak; /* growth_app_30s above leak_growth_per_30s */
	/* a profile's delay is worth a sentence above a tenth of
	 * contention_seconds */
	bool block_significant, mutex_significant;

	/* Which analyses ran (coverage.h). incomplete: the heap diff or the
	 * CPU analysis did not run, so the process cannot be NORMAL (it is
	 * INCONCLUSIVE unless a rule fired); not_analyzed names them in a few
	 * words ("heap diff (core-1st-heap.pprof empty, core-2nd-heap.pprof
	 * missing), CPU (core-cpu.pprof corrupt)"), NULL when complete. */
	struct fw_coverage coverage;
	bool incomplete;
	char *not_analyzed;
	/* No leak, but application growth of at least leak_borderline_per_30s
	 * (and at most leak_growth_per_30s) with no function above
	 * leak_function_share: worth a second flare, not a verdict.
	 * borderline_reason is the sentence, NULL when not borderline. */
	bool borderline;
	char *borderline_reason;
};

struct fw_verdict {
	enum fw_verdict_kind kind;
	struct fw_process_verdict *procs;
	size_t n_procs;
	size_t worst; /* index of the process that set the verdict, when any */
	/* one line for the whole flare: what fired, what could not be
	 * analyzed, what is borderline */
	char *summary;
	/* no analysis ran in any process (or there is none): the flare holds
	 * no usable profile */
	bool no_usable_profile;

	/* the goroutine dump (go-routine-dump.log), when the flare has one */
	bool have_goroutines;
	uint64_t goroutines;
	unsigned goroutines_warn;
	bool goroutines_above_warn; /* goroutines > goroutines_warn: a finding */

	/* LONG-TERM GROWTH (fw_verdict_long_term()): across the flares of
	 * this agent process, core's HeapAlloc, Sys or goroutine count grew
	 * faster per hour than the thresholds, over at least
	 * long_term_min_hours. Each fired figure's sentence, else NULL;
	 * long_term when any fired. */
	bool long_term;
	char *long_term_heap, *long_term_sys, *long_term_goroutines;
};

struct fw_history;

/* LONG-TERM GROWTH from the host's history (history.h): each least-squares
 * fit over the current agent process's flares (at least 2, the current
 * one included) whose slope is above its threshold while the flares span
 * at least long_term_min_hours fires. A finding makes a NORMAL or
 * INCONCLUSIVE flare MEMORY LEAK, a CPU SPIKE or CONTENTION one MULTIPLE
 * ISSUES, and adds "LONG-TERM GROWTH: ..." with the numbers to the
 * summary. Returns 0 or -ENOMEM (v is then left as it was, but for the
 * sentences, freed by fw_verdict_free()). */
int fw_verdict_long_term(struct fw_verdict *v, const struct fw_history *h, const struct fw_thresholds *t);

/* The flare's verdict is its most serious process's: a process whose heap
 * diff or CPU analysis did not run and where no rule fired is INCONCLUSIVE,
 * so a flare where every other process is NORMAL is INCONCLUSIVE too, and
 * a flare with no process at all (no profiles/, or nothing usable in it) is
 * INCONCLUSIVE. A rule that fired anywhere wins (MEMORY LEAK in core with
 * trace not analyzed is MEMORY LEAK, and the summary says trace was not
 * analyzed).
 * gor: the flare's goroutine dump, or NULL when it has none. */
int fw_verdict_evaluate(const struct fw_process *procs, size_t n, const struct fw_goroutines *gor,
			const struct fw_thresholds *t, struct fw_verdict *out, struct fw_error *err);
void fw_verdict_free(struct fw_verdict *v);

#endif
