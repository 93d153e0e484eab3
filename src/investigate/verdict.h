/*
 * verdict.h: the runbook's verdict rules over the per-process analyses:
 * MEMORY LEAK, CPU SPIKE, CONTENTION, MULTIPLE ISSUES or NORMAL, with the
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
#include "investigate/process.h"

struct fw_thresholds {
	double leak_growth_per_30s;	/* bytes of app growth per 30 s (10 MiB) */
	double leak_function_share;	/* percent of total growth in one app function (30) */
	double leak_min_growth_per_30s; /* bytes of total growth per 30 s for that rule (1 MiB) */
	double cpu_function_share;	/* percent of CPU flat in one app function (50) */
	double cpu_utilization;		/* percent of one core (80) */
	double cpu_app_share;		/* percent of CPU in app functions (80) */
	double cpu_spike_min_utilization; /* the one-function rule's floor, percent of one core (5) */
	double contention_seconds;	/* delay charged to one app function (1.0) */
	unsigned goroutines_warn;	/* goroutine count flagged above (500) */
};

/* The thresholds of a configuration (fw_config_defaults() gives the
 * defaults shown above). */
void fw_thresholds_from_config(const struct fw_config *c, struct fw_thresholds *t);

/* The one rounding of byte figures (rates per 30 s are fractional): to the
 * nearest byte; NaN is 0 and beyond +-9.2e18 it clamps to +-INT64_MAX. Every
 * output prints a byte figure through these, so it reads the same
 * everywhere. */
int64_t fw_figure_bytes(double v);
/* fw_unit_label(fw_figure_bytes(v), "bytes", "auto"): "10.50MB" */
void fw_figure_bytes_label(char *out, size_t len, double v);

/* Ordered by seriousness: a flare's verdict is its most serious process's. */
enum fw_verdict_kind {
	FW_VERDICT_NORMAL = 0,
	FW_VERDICT_CONTENTION,
	FW_VERDICT_CPU_SPIKE,
	FW_VERDICT_MEMORY_LEAK,
	FW_VERDICT_MULTIPLE,
};

/* "NORMAL", "CONTENTION", "CPU SPIKE", "MEMORY LEAK", "MULTIPLE ISSUES" */
const char *fw_verdict_name(enum fw_verdict_kind k);
/* "normal", "contention", "cpu_spike", "memory_leak", "multiple_issues" */
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
	const char *cpu_fn;	   /* the busiest application function, else the busiest */
	const char *contention_fn; /* the application function that waited most */
	/* growth_*_30s: "per 30 s" over a measured window, else "between the
	 * snapshots" (the raw growth, see enum fw_heap_window) */
	bool growth_is_rate;
	const char *growth_per;
	bool growth_over_leak; /* growth_app_30s above leak_growth_per_30s */
	/* a profile's delay is worth a sentence above a tenth of
	 * contention_seconds */
	bool block_significant, mutex_significant;
};

struct fw_verdict {
	enum fw_verdict_kind kind;
	struct fw_process_verdict *procs;
	size_t n_procs;
	size_t worst; /* index of the process that set the verdict, when any */
	char *summary; /* one line for the whole flare */

	/* the goroutine dump (go-routine-dump.log), when the flare has one */
	bool have_goroutines;
	uint64_t goroutines;
	unsigned goroutines_warn;
	bool goroutines_above_warn; /* goroutines > goroutines_warn: a finding */
};

/* gor: the flare's goroutine dump, or NULL when it has none. */
int fw_verdict_evaluate(const struct fw_process *procs, size_t n, const struct fw_goroutines *gor,
			const struct fw_thresholds *t, struct fw_verdict *out, struct fw_error *err);
void fw_verdict_free(struct fw_verdict *v);

#endif
