/*
 * metrics.c: the metrics file (metrics.h): the counters, their text in the
 * Prometheus exposition format, and the daemon's rewrites of the file
 * (after every flare, every minute, at start and at stop). A failed write
 * is logged once per file with the fix, and its end; the counters go on.
 *
 * $FLAREWATCHD_METRICS_SECONDS (1..3600) replaces the minute, for tests.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fsutil.h"
#include "daemon.h"
#include "investigate/verdict.h"
#include "metrics.h"

#define USEC_PER_SEC 1000000ULL
#define METRICS_PERIOD_USEC (60 * USEC_PER_SEC)

_Static_assert(FW_VERDICT_MULTIPLE + 2 == METRICS_VERDICTS,
	       "one counter per verdict, plus unknown");

/*
 * Fitted to measured analysis times: the fixture flares take 0.08-0.25 s
 * on a loaded 2-core machine, the sample agent flare 0.2 s, and the
 * target is under 1 s (tests/bench/analyze_bench.sh); flares with large
 * profiles take seconds, and analysis.timeout_seconds stops one at 300 s
 * by default. Fine below a second, coarse up to the timeout.
 */
static const double bucket_le[METRICS_BUCKETS] = { 0.05, 0.1, 0.25, 0.5, 1, 2.5,
						   5,	 10,  30,   60,	 300 };

static const char *const failure_ids[METRICS_FAIL_COUNT] = {
	[METRICS_FAIL_INVALID] = "invalid_flare",
	[METRICS_FAIL_TOO_LARGE] = "too_large",
	[METRICS_FAIL_MEMORY] = "memory_limit",
	[METRICS_FAIL_TIMEOUT] = "timeout",
	[METRICS_FAIL_CPU] = "cpu_limit",
	[METRICS_FAIL_KILLED] = "killed",
	[METRICS_FAIL_HOST] = "host",
	[METRICS_FAIL_INTERNAL] = "internal",
	[METRICS_FAIL_OTHER] = "other",
};

const char *metrics_failure_id(enum metrics_failure f)
{
	return (unsigned)f < METRICS_FAIL_COUNT ? failure_ids[f] : "other";
}

/* The analysis's errors (fw_err() in src/flare, src/pprof, src/investigate)
 * use EINVAL and the like for content it refuses, EFBIG and E2BIG for its
 * limits, ENOMEM when RLIMIT_AS (analysis.memory_limit) is reached. */
enum metrics_failure metrics_failure_of_errno(int e)
{
	switch (e) {
	case EINVAL:
	case EBADMSG:
	case EILSEQ:
	case ENODATA:
	case ENOEXEC:
	case EPROTO:
	case ENAMETOOLONG:
	case ELOOP:
	case EISDIR:
	case ENOTDIR:
	case EEXIST:
	case ERANGE:
	case EOVERFLOW:
		return METRICS_FAIL_INVALID;
	case EFBIG:
	case E2BIG:
		return METRICS_FAIL_TOO_LARGE;
	case ENOMEM:
		return METRICS_FAIL_MEMORY;
	default:
		return METRICS_FAIL_OTHER;
	}
}

void metrics_init(struct metrics *m, time_t started)
{
	memset(m, 0, sizeof(*m));
	m->started = started;
}

void metrics_analyzed(struct metrics *m, int verdict, double seconds, time_t now)
{
	m->verdicts[verdict >= 0 && verdict < METRICS_VERDICTS - 1 ? verdict
								    : METRICS_VERDICTS - 1]++;
	m->last_success = now;
	if (seconds < 0)
		return;
	m->n_timed++;
	m->sum_seconds += seconds;
	for (size_t i = 0; i < METRICS_BUCKETS; i++) {
		if (seconds <= bucket_le[i]) {
			m->buckets[i]++;
			return;
		}
	}
	/* above the last bound: only in +Inf (n_timed) */
}

void metrics_duplicate(struct metrics *m)
{
	m->duplicates++;
}

void metrics_failed(struct metrics *m, enum metrics_failure f)
{
	m->failed[(unsigned)f < METRICS_FAIL_COUNT ? f : METRICS_FAIL_OTHER]++;
}

/* A label value: \, " and newline escaped (the format's rule). */
static void put_label(struct fw_buf *out, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fw_buf_printf(out, "\\%c", *v);
		else if (*v == '\n')
			fw_buf_puts(out, "\\n");
		else
			fw_buf_putc(out, *v);
	}
}

static void head(struct fw_buf *out, const char *name, const char *type, const char *help)
{
	fw_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

int metrics_render(const struct metrics *m, size_t incoming, size_t processing,
		   struct fw_buf *out)
{
	uint64_t cumulative = 0;

	head(out, "flarewatch_build_info", "gauge",
	     "The version of the running flarewatchd; always 1.");
	fw_buf_puts(out, "flarewatch_build_info{version=\"");
	put_label(out, PACKAGE_VERSION);
	fw_buf_puts(out, "\"} 1\n");

	head(out, "flarewatch_start_time_seconds", "gauge",
	     "When flarewatchd started (Unix time); the counters count from then.");
	fw_buf_printf(out, "flarewatch_start_time_seconds %lld\n", (long long)m->started);

	head(out, "flarewatch_flares_total", "counter",
	     "Flares analyzed since flarewatchd started, by verdict (unknown: a report "
	     "published by an interrupted analysis that recorded no verdict). Duplicates "
	     "are in flarewatch_duplicates_total.");
	for (int k = 0; k < METRICS_VERDICTS; k++)
		fw_buf_printf(out, "flarewatch_flares_total{verdict=\"%s\"} %llu\n",
			      k < METRICS_VERDICTS - 1 ? fw_verdict_id((enum fw_verdict_kind)k)
						       : "unknown",
			      (unsigned long long)m->verdicts[k]);

	head(out, "flarewatch_flares_failed_total", "counter",
	     "Flares moved to failed/ since flarewatchd started, by the class of the reason "
	     "(the flare's .error.txt has the reason itself).");
	for (int f = 0; f < METRICS_FAIL_COUNT; f++)
		fw_buf_printf(out, "flarewatch_flares_failed_total{reason=\"%s\"} %llu\n",
			      failure_ids[f], (unsigned long long)m->failed[f]);

	head(out, "flarewatch_duplicates_total", "counter",
	     "Flares whose content was analyzed before (not analyzed again), since "
	     "flarewatchd started.");
	fw_buf_printf(out, "flarewatch_duplicates_total %llu\n",
		      (unsigned long long)m->duplicates);

	head(out, "flarewatch_analysis_seconds", "histogram",
	     "Wall-clock time of the analyses that wrote a report since flarewatchd "
	     "started, from the start of the worker to its end.");
	for (size_t i = 0; i < METRICS_BUCKETS; i++) {
		cumulative += m->buckets[i];
		fw_buf_printf(out, "flarewatch_analysis_seconds_bucket{le=\"%g\"} %llu\n",
			      bucket_le[i], (unsigned long long)cumulative);
	}
	fw_buf_printf(out, "flarewatch_analysis_seconds_bucket{le=\"+Inf\"} %llu\n",
		      (unsigned long long)m->n_timed);
	fw_buf_printf(out, "flarewatch_analysis_seconds_sum %.6f\n", m->sum_seconds);
	fw_buf_printf(out, "flarewatch_analysis_seconds_count %llu\n",
		      (unsigned long long)m->n_timed);

	head(out, "flarewatch_queue", "gauge",
	     "Flares waiting: incoming (seen in incoming_dir, settling or waiting for a "
	     "worker) and processing (in state_dir/processing/: being analyzed or queued "
	     "again).");
	fw_buf_printf(out, "flarewatch_queue{state=\"incoming\"} %zu\n", incoming);
	fw_buf_printf(out, "flarewatch_queue{state=\"processing\"} %zu\n", processing);

	head(out, "flarewatch_last_success_timestamp_seconds", "gauge",
	     "When the last report was written (Unix time); 0: none since flarewatchd "
	     "started.");
	fw_buf_printf(out, "flarewatch_last_success_timestamp_seconds %lld\n",
		      (long long)m->last_success);
	return out->failed ? -ENOMEM : 0;
}

/* ---- the daemon's file ------------------------------------------------ */

/* The folder of path (a normalized absolute path), into dir. */
static void folder_of(const char *path, char *dir, size_t size)
{
	const char *slash = strrchr(path, '/');
	int n = slash && slash != path ? (int)(slash - path) : 1;

	snprintf(dir, size, "%.*s", n, path);
}

static void log_failure(struct daemon *d, const char *path, int r, const char *msg)
{
	char dir[4096];

	folder_of(path, dir, sizeof(dir));
	if (r == -EROFS)
		log_msg(&d->log, LOG_ERR, "metrics_file: %s; %s is read-only for flarewatchd: "
			"under flarewatch.service (ProtectSystem=strict) allow it in a drop-in "
			"(systemctl edit flarewatch: [Service] ReadWritePaths=%s) and restart; "
			"trying again every minute, said once", msg, dir, dir);
	else if (r == -EACCES || r == -EPERM)
		log_msg(&d->log, LOG_ERR, "metrics_file: %s; the service user may not write "
			"to %s (chgrp flarewatch %s && chmod 0775 %s; under flarewatch.service "
			"also a drop-in: systemctl edit flarewatch, [Service] ReadWritePaths=%s); "
			"trying again every minute, said once", msg, dir, dir, dir, dir);
	else if (r == -ENOENT)
		log_msg(&d->log, LOG_ERR, "metrics_file: %s; the folder %s does not exist "
			"(flarewatchd does not create it: install the node exporter, or create it "
			"and give it to group flarewatch: install -d -m 0775 -g flarewatch %s); "
			"trying again every minute, said once", msg, dir, dir);
	else
		log_msg(&d->log, LOG_ERR, "metrics_file: %s; trying again every minute, said "
			"once", msg);
}

void metrics_update(struct daemon *d)
{
	const char *path = d->cfg->metrics_file;
	struct metrics *m = &d->metrics;
	struct fw_error err;
	struct fw_buf b;
	int r;

	if (!path || !*path)
		return;
	fw_buf_init(&b);
	r = metrics_render(m, watch_count_waiting(d), d->running + d->n_recovered, &b);
	if (r < 0)
		r = fw_err(&err, r, "%s: out of memory", path);
	else
		r = fw_write_file_atomic(path, b.data, b.len, 0644, &err);
	fw_buf_free(&b);
	if (r < 0) {
		/* once per file: a reload to another file is news again */
		if (m->failed_path && strcmp(m->failed_path, path) == 0)
			return;
		free(m->failed_path);
		m->failed_path = strdup(path); /* NULL (no memory): said again next time */
		log_failure(d, path, r, err.msg);
		return;
	}
	if (m->failed_path) {
		if (strcmp(m->failed_path, path) == 0)
			log_msg(&d->log, LOG_NOTICE, "metrics_file %s is written again", path);
		free(m->failed_path);
		m->failed_path = NULL;
	}
}

static uint64_t period_usec(void)
{
	const char *e = getenv("FLAREWATCHD_METRICS_SECONDS");
	char *end;
	unsigned long v;

	if (!e || !*e)
		return METRICS_PERIOD_USEC;
	v = strtoul(e, &end, 10);
	return *end || v == 0 || v > 3600 ? METRICS_PERIOD_USEC : v * USEC_PER_SEC;
}

static int on_metrics(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct daemon *d = userdata;
	int r;
	(void)usec;

	metrics_update(d);
	r = sd_event_source_set_time_relative(s, period_usec());
	if (r >= 0)
		r = sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
	if (r < 0)
		log_msg(&d->log, LOG_ERR, "cannot re-arm the metrics timer: %s", strerror(-r));
	return 0;
}

void metrics_start(struct daemon *d)
{
	int r;

	metrics_update(d);
	r = sd_event_add_time_relative(d->event, &d->metrics_src, CLOCK_MONOTONIC,
				       period_usec(), USEC_PER_SEC / 10, on_metrics, d);
	if (r < 0)
		log_msg(&d->log, LOG_ERR, "cannot add the metrics timer: %s; metrics_file is "
			"written only after each flare", strerror(-r));
}

void metrics_stop(struct daemon *d)
{
	d->metrics_src = sd_event_source_disable_unref(d->metrics_src);
	free(d->metrics.failed_path);
	d->metrics.failed_path = NULL;
}
