/*
 * history.h: a host's history across flares, from the report.json files of
 * its earlier reports in the investigations tree (fw_index_scan_host()),
 * plus the flare being analyzed: one row per flare, oldest first, each
 * saying whether the agent process is the one of the flare before (same
 * start time and version), restarted or upgraded; and, over the flares of
 * the current agent process only, the least-squares growth per hour of
 * core's HeapAlloc, Sys and goroutine count. These are facts: verdict.c's
 * fw_verdict_long_term() compares them with the thresholds.
 */
#ifndef FW_HISTORY_H
#define FW_HISTORY_H

#include <stdbool.h>
#include <stdint.h>

#include "investigate/index.h"

/* At most this many earlier flares are listed (the newest ones). */
#define FW_HISTORY_MAX_ROWS 100

enum fw_history_change {
	FW_HIST_FIRST,	 /* the oldest flare listed */
	FW_HIST_SAME,	 /* the agent process of the flare before: same start time and version */
	FW_HIST_RESTART, /* another start time, the same version */
	FW_HIST_UPGRADE, /* another version (upgrade or downgrade) */
	FW_HIST_UNKNOWN, /* a start time or version is unknown: cannot tell */
};

/* "first", "same_process", "restarted", "upgraded", "unknown" */
const char *fw_history_change_id(enum fw_history_change c);

struct fw_history_row {
	const char *time;	   /* flare time "YYYY-MM-DDTHH:MM:SSZ" */
	int64_t time_ms;
	const char *agent_version; /* "" when unknown */
	const char *agent_start;   /* "" when unknown */
	int64_t uptime_ns;	   /* -1 when unknown */
	struct fw_index_proc core; /* core's figures (index.h) */
	const char *verdict;	   /* fw_verdict_name() */
	const char *report;	   /* the report's .md relative to the tree ("<host>/<time>/<md>"), "" for the current */
	const char *analyzed_at;   /* when the report was written, "" for the current */
	bool current;		   /* the flare being analyzed */
	enum fw_history_change change;
	const char *prev_version; /* the flare before's version (UPGRADE), else "" */
};

/* The least-squares line through (flare time in hours, figure) over the
 * current agent process's flares that have the figure. */
struct fw_history_fit {
	size_t n;	 /* points */
	double span_h;	 /* hours from the first to the last point */
	double per_hour; /* the slope; 0 unless fitted */
	bool fitted;	 /* n >= 2 and span_h > 0 */
	double first, last; /* the figure at the first and last point */
};

struct fw_history {
	struct fw_history_row *rows; /* oldest first; the current flare is rows[cur] */
	size_t n, cur;
	size_t omitted; /* earlier flares left out (FW_HISTORY_MAX_ROWS) */
	size_t skipped; /* report folders of the tree that could not be read */
	/* the current agent process's flares are rows[seg_first..cur]; when
	 * the current flare's start time or version is unknown, only itself */
	bool process_known;
	size_t seg_first;
	struct fw_history_fit heap_alloc, sys, goroutines;
	/* the last flare before the current process (restart or upgrade), for
	 * the before/after comparison */
	bool has_before;
	size_t before;
	struct fw_index_list list; /* owns the earlier rows' strings */
};

/* Builds the history of hostname: the reports in DIR/host_folder/ (the
 * report folder's parent, investigate.c's host_dir_name()) whose hostname
 * is hostname and whose flare time is before current->time, then current
 * (its fields filled by the caller, current set). A DIR or host folder that
 * does not exist gives a history of the current flare alone. Returns 0, or
 * <0 (out of memory, DIR unreadable). */
int fw_history_build(const char *dir, const char *host_folder, const char *hostname,
		     const struct fw_history_row *current, struct fw_history *out, struct fw_error *err);

/* The same from a list already scanned (fw_index_scan() or
 * fw_index_scan_host(); entries of other hosts are ignored), taking
 * ownership of *list. current may be NULL: then the newest flare of the
 * list is the current one (flarewatch history, the host page). */
int fw_history_from_list(struct fw_index_list *list, const char *hostname, const struct fw_history_row *current,
			 struct fw_history *out, struct fw_error *err);

/* The same without taking the list: out's strings point into list, which
 * must outlive out (out->list stays empty). */
int fw_history_of(const struct fw_index_list *list, const char *hostname, const struct fw_history_row *current,
		  struct fw_history *out, struct fw_error *err);

void fw_history_free(struct fw_history *h);

/* "YYYY-MM-DDTHH:MM:SS[.mmm]Z" to ms since the epoch; false when s is not
 * such a time. */
bool fw_history_parse_time(const char *s, int64_t *ms);

#endif
