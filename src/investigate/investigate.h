/*
 * investigate.h: one flare, end to end: open it (a zip through
 * flare/extract.c into a private temporary folder, or an already extracted
 * folder), find its root, parse its files, analyze every agent process's
 * profiles, judge, and write the investigation (Markdown, JSON, flame
 * graphs, index). This is the call both `flarewatch analyze` and
 * flarewatchd's workers make. It orders the stages; it must not analyze,
 * decide or format anything itself (process.c, verdict.c and the writers do).
 */
#ifndef FW_ANALYZE_H
#define FW_ANALYZE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/fwconfig.h"
#include "investigate/verdict.h"

struct fw_decode_limits;

struct fw_analyze_opts {
	const struct fw_config *cfg; /* thresholds, archive limits, report texts */
	const char *out_dir;	     /* investigations tree; NULL: cfg->investigations_dir */
	const char *tmp_parent;	     /* where to extract zips; NULL: $TMPDIR or /tmp */
	const char *display_name;    /* the flare's name in the report; NULL: basename of path */
	/* When not NULL: just before the rename that publishes the report,
	 * the final report folder's path and the folder's identity are
	 * written there ("<path>\n<st_dev> <st_ino>\n", atomically), so that
	 * a caller that crashes can tell with fw_analyze_published() whether
	 * its report exists (and is not another analysis's, published at
	 * that path after a crash before the rename). */
	const char *intent_path;
	/* The zip's SHA-256 (64 lowercase hex digits) when the caller has
	 * hashed it already (flarewatchd's workers); NULL: hashed here. */
	const char *sha256;
	/* The support ticket, already normalised (fw_ticket_normalize());
	 * NULL: taken from the flare's name with cfg->tickets.pattern. */
	const char *ticket;
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
	char *index_warning;	   /* NULL, or why DIR/index.md could not simply be
				    * updated (the report is published all the same) */
	char *ticket;		   /* "" when none (base/ticket.h normal form) */
};

/* Analyzes the flare at path (a zip or a folder) and publishes its report:
 * every file is written into a hidden DIR/<host>/.tmp-<time>-XXXXXX folder
 * that is renamed to DIR/<host>/<time>[-N] only when complete, so a killed
 * analysis leaves no visible report (fw_investigations_cleanup() removes
 * the hidden folder). <host> is the hostname, with a '_' in front when it
 * starts with '.' or '_' or is a name of the tree itself ("index.md", "outliers.html").
 * Returns 0 with *res filled, or <0; an index problem after publishing is
 * not an error (res->index_warning). */
int fw_analyze(const char *path, const struct fw_analyze_opts *o, struct fw_analyze_result *res,
	       struct fw_error *err);
void fw_analyze_result_free(struct fw_analyze_result *res);

/* 1 with *report_dir (malloc'd) when intent_path (see fw_analyze_opts)
 * names a folder holding a report.json that is the very folder the
 * analysis made: its report was published. 0 when intent_path does not
 * exist, or its folder or report.json does not, or the folder there is
 * another one (another analysis's report); <0 when it cannot be read or is
 * not a path line and an identity line. */
int fw_analyze_published(const char *intent_path, char **report_dir, struct fw_error *err);

/* Removes the hidden temporary report folders (DIR/<host>/.tmp-*) that no
 * live analysis holds (each writer holds an flock on its folder's .lock
 * until it publishes; a folder without a lock file is a writer's killed
 * before making it: writers hold DIR/.tmp.lock shared until it is there,
 * and this holds it exclusively; where DIR/.tmp.lock cannot be made, such a
 * folder goes once it is an hour old). Returns how many were removed, or
 * the first error (after trying them all). A DIR that does not exist is
 * not an error. */
int fw_investigations_cleanup(const char *out_dir, struct fw_error *err);

/* ---- resource bounds, the same for the daemon's workers and the CLI ---- */

/* The decoded-profile limit is analysis.memory_limit / FW_DECODED_SHARE
 * (peak memory is the gunzipped bytes plus the decoded profile and its
 * analysis), at most FW_DECODED_MAX; the compressed file limit is
 * archive.max_total_size, at most FW_DECODED_MAX. */
#define FW_DECODED_SHARE 4
#define FW_DECODED_MAX ((uint64_t)1 << 30)
void fw_analyze_decode_limits(const struct fw_config *cfg, struct fw_decode_limits *lim);

#endif
