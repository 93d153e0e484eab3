/*
 * analyze.h: one flare, end to end: open it (zip through archive.c into a
 * private temporary folder, or an already extracted folder), find its root,
 * parse its files, analyze every agent process's profiles, judge, and write
 * the investigation (Markdown, JSON, flame graphs, index). This is the call
 * both `flarewatch analyze` and flarewatchd's workers make.
 */
#ifndef FW_ANALYZE_H
#define FW_ANALYZE_H

#include "fwconfig.h"
#include "verdict.h"

struct fw_analyze_opts {
	const struct fw_config *cfg; /* thresholds, archive limits, report texts */
	const char *out_dir;	     /* investigations tree; NULL: cfg->investigations_dir */
	const char *tmp_parent;	     /* where to extract zips; NULL: $TMPDIR or /tmp */
	const char *display_name;    /* the flare's name in the report; NULL: basename of path */
};

/* What the caller (CLI output, journal entry) needs to know. Strings are
 * redacted and owned by the result. */
struct fw_analyze_result {
	enum fw_verdict_kind verdict;
	char *hostname;
	char *agent_version;	   /* "" when unknown */
	char *summary;		   /* one line */
	char *report_dir;	   /* DIR/<host>/<time>[-N] */
	char *report_path;	   /* .../flare-profiling-<host>.md */
	char *json_path;	   /* .../report.json */
	char *flare_time;	   /* YYYYmmddTHHMMSSZ */
	int64_t heap_growth_bytes; /* largest per-process app growth per 30 s, rounded */
	char *top_growth_function; /* "" when none */
	char *top_cpu_function;	   /* "" when none */
};

int fw_analyze(const char *path, const struct fw_analyze_opts *o, struct fw_analyze_result *res,
	       struct fw_error *err);
void fw_analyze_result_free(struct fw_analyze_result *res);

#endif
