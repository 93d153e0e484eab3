/*
 * index.h: DIR/index.md, the list of every report in an investigations
 * tree, newest flare first, with the counts per verdict on top.
 *
 * The index is derived data, regenerated whole from the report.json files
 * of DIR/<host>/<time>/ (read with reportread.h) under DIR/.index.lock:
 * after each report, when flarewatchd starts, and by `flarewatch index`.
 * So deleting a report folder and regenerating gives a correct index;
 * there is no second source of truth to keep in step. A report.json that
 * cannot be read (planted, truncated: the tree is group-writable) is left
 * out and named in the warnings.
 */
#ifndef FW_INDEX_H
#define FW_INDEX_H

#include "base/util.h"

/* One agent process's figures as its report.json gives them
 * (reportread.h): -1 when the report did not have the figure (the growth:
 * has_growth_30s false), "" for no function. */
struct fw_index_proc {
	int present;		/* the report has this process */
	int64_t heap_alloc;	/* memstats HeapAlloc, bytes */
	int64_t sys;		/* memstats Sys, bytes */
	int64_t heap_objects;	/* memstats HeapObjects */
	int64_t goroutines;	/* goroutine count (core only) */
	int has_growth_30s;	/* the heap diff's window was measured */
	int64_t growth_30s;	/* heap diff: in-use bytes grown per 30 s (may be < 0) */
	const char *top_growth; /* application function that grew most, "" */
	int64_t cpu_ns_per_s;	/* CPU ns per second of profile (1e9 = one core) */
};

struct fw_index_entry {
	const char *time;	   /* ISO 8601 UTC flare time, sorts as text */
	const char *hostname;
	const char *agent_version; /* "" when unknown */
	const char *verdict;	   /* fw_verdict_name() */
	const char *summary;
	const char *report;	   /* path of the .md relative to DIR */
	const char *ticket;	   /* "" or NULL when none */
	const char *flare_file;	   /* the flare zip's (or folder's) file name, "" when unknown */
	const char *analyzed_at;   /* ISO 8601 UTC time of the analysis, "" when unknown */
	const char *agent_start;   /* ISO 8601 UTC start of the agent process (status.log), "" */
	int64_t uptime_ns;	   /* the agent's uptime (status.log), -1 when unknown */
	const char *report_dir;	   /* the report's folder relative to DIR ("<host>/<time>") */
	struct fw_index_proc core, trace;
};

/* Every report of a tree, as fw_index_scan() found it. The strings are
 * owned by the list (redacted, control bytes as spaces, capped). */
struct fw_index_list {
	struct fw_index_entry *v;
	size_t n;
	size_t skipped;	  /* report folders that could not be read */
	char *warnings;	  /* NULL, or one line per skipped report ("PATH: why"),
			   * at most a few dozen lines */
	struct fw_buf pool; /* owns the strings */
};

/* Every report in the investigations tree DIR (DIR/<host>/<time>/report.json),
 * newest flare first. Returns 0 with *out filled (free it with
 * fw_index_list_free()), or <0 (DIR unreadable, out of memory). A report
 * that cannot be read is skipped, counted and named in out->warnings. */
int fw_index_scan(const char *dir, struct fw_index_list *out, struct fw_error *err);
void fw_index_list_free(struct fw_index_list *l);

/* The positions of l's entries ordered by hostname and, within one
 * hostname, newest first (the list's own order): the first position of
 * each run is the host's latest report. NULL when out of memory; free it. */
size_t *fw_index_by_host(const struct fw_index_list *l);

/* fw_index_scan() of the reports in DIR/host_folder/ only (one host's
 * folder: see investigate.h for how a hostname names it). */
int fw_index_scan_host(const char *dir, const char *host_folder, struct fw_index_list *out, struct fw_error *err);

/* Regenerates DIR/index.md, and the site's DIR/index.html (site.h), from
 * DIR's reports, under DIR/.index.lock
 * (the scan too, so that concurrent regenerations do not interleave).
 * Returns 0 with *out (when not NULL; free it) the reports listed and
 * those left out, or <0. */
int fw_index_regenerate(const char *dir, struct fw_index_list *out, struct fw_error *err);

/* fw_index_regenerate() for callers that only log: 0 (err says how many
 * reports are listed), 1 when some report folders were left out (err says
 * how many, names the first and why), or <0. */
int fw_index_rebuild(const char *dir, struct fw_error *err);

#endif
