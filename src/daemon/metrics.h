/*
 * metrics.h: flarewatchd's self-observability, in the node_exporter
 * textfile convention. When metrics_file is set, the daemon rewrites that
 * file atomically (a temporary file beside it, then rename(); mode 0644)
 * after every flare it files and every minute, with the Prometheus text
 * format: flares by verdict, failures by reason class, duplicates, an
 * analysis-time histogram, the queue, the last success, the version and
 * the start time. The counters count since the daemon started
 * (flarewatch_start_time_seconds says when); Prometheus's rate() and
 * increase() handle the reset at a restart.
 *
 * Nothing from a flare reaches the file: the labels are fixed sets (verdict
 * ids, the reason classes below) and the version.
 */
#ifndef FWD_METRICS_H
#define FWD_METRICS_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <time.h>

#include "base/util.h"

/* Why a flare went to failed/, as a fixed class (label reason=...). */
enum metrics_failure {
	METRICS_FAIL_INVALID,	/* "invalid_flare": the analysis refused its content */
	METRICS_FAIL_TOO_LARGE,	/* "too_large": a size or count limit of the flare */
	METRICS_FAIL_MEMORY,	/* "memory_limit": analysis.memory_limit */
	METRICS_FAIL_TIMEOUT,	/* "timeout": analysis.timeout_seconds */
	METRICS_FAIL_CPU,	/* "cpu_limit": analysis.cpu_seconds */
	METRICS_FAIL_KILLED,	/* "killed": another signal, from outside */
	METRICS_FAIL_HOST,	/* "host": failed because of the host again, after
				 * other flares were analyzed in between */
	METRICS_FAIL_INTERNAL,	/* "internal": the worker gave no usable result */
	METRICS_FAIL_OTHER,	/* "other": another error (I/O, permissions) */
	METRICS_FAIL_COUNT
};

/* The class of an analysis error with errno e (positive). */
enum metrics_failure metrics_failure_of_errno(int e);
/* "invalid_flare", ... */
const char *metrics_failure_id(enum metrics_failure f);

/* Upper bounds of the analysis-time buckets, seconds (+Inf is implied). */
#define METRICS_BUCKETS 11

/* Counters since the start. verdicts[] is indexed by enum fw_verdict_kind,
 * plus one last slot for a report whose verdict is unknown (published by
 * an interrupted analysis that recorded nothing else). */
#define METRICS_VERDICTS 7
struct metrics {
	time_t started;
	uint64_t verdicts[METRICS_VERDICTS];
	uint64_t failed[METRICS_FAIL_COUNT];
	uint64_t duplicates;
	uint64_t buckets[METRICS_BUCKETS]; /* not cumulative: bucket i's own count */
	uint64_t n_timed;
	double sum_seconds;
	time_t last_success;		   /* 0: none since the start */
	char *failed_path;		   /* metrics_file whose write failed, logged */
};

void metrics_init(struct metrics *m, time_t started);
/* A report was written (verdict: enum fw_verdict_kind, or -1 unknown);
 * seconds >= 0: how long its analysis took (< 0: not measured). */
void metrics_analyzed(struct metrics *m, int verdict, double seconds, time_t now);
void metrics_duplicate(struct metrics *m);
void metrics_failed(struct metrics *m, enum metrics_failure f);

/* The file's text, with the queue's current counts. Returns 0 or -ENOMEM. */
int metrics_render(const struct metrics *m, size_t incoming, size_t processing,
		   struct fw_buf *out);

#endif
