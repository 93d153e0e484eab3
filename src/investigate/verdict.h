/*
 * verdict.h: the runbook's verdict rules over the per-process analyses:
 * MEMORY LEAK, CPU SPIKE, CONTENTION, MULTIPLE ISSUES or NORMAL, with the
 * numbers that made each rule fire. Thresholds come from the configuration.
 */
#ifndef FW_VERDICT_H
#define FW_VERDICT_H

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

void fw_thresholds_default(struct fw_thresholds *t);

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
};

struct fw_verdict {
	enum fw_verdict_kind kind;
	struct fw_process_verdict *procs;
	size_t n_procs;
	size_t worst; /* index of the process that set the verdict, when any */
	char *summary; /* one line for the whole flare */
};

int fw_verdict_evaluate(const struct fw_process *procs, size_t n, const struct fw_thresholds *t,
			struct fw_verdict *out, struct fw_error *err);
void fw_verdict_free(struct fw_verdict *v);

#endif
