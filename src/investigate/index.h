/*
 * index.h: DIR/index.md, the list of every report in an investigations
 * tree, newest flare first, with host, agent version, verdict and summary.
 * Entries are kept in DIR/.index.tsv (one line per report, appended under
 * an flock so concurrent workers and daemons never lose one) and the
 * Markdown is regenerated from it after every addition.
 *
 * A row is time, hostname, agent version, verdict, summary, report and
 * ticket, tab-separated; rows written before the ticket column (six
 * fields) are read with no ticket.
 *
 * The index is derived data: each report folder also holds its own row
 * (FW_INDEX_ROW_FILE, the report field being the Markdown file's name), and
 * when .index.tsv cannot be used (unreadable, over its size limit) it is
 * rebuilt from DIR/<host>/<time>/ folders that hold a report.json.
 */
#ifndef FW_INDEX_H
#define FW_INDEX_H

#include "base/util.h"

/* A report folder's own index row. */
#define FW_INDEX_ROW_FILE ".index-row.tsv"
/* Upper bound of one row as fw_index_row() writes it (fields are cut). */
#define FW_INDEX_ROW_MAX 8192

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

/* Appends e's row to out: fields redacted, control bytes as spaces, each
 * cut (with "…") so that the row stays under FW_INDEX_ROW_MAX, ending in
 * '\n'. Returns 0 or -ENOMEM. */
int fw_index_row(const struct fw_index_entry *e, struct fw_buf *out);

/* Adds e to DIR's index. Returns 0; 1 when the index had to be rebuilt
 * from the reports (err says why: the entry is in the rebuilt index when
 * its report folder is published); <0 when the index could not be
 * updated. */
int fw_index_add(const char *dir, const struct fw_index_entry *e, struct fw_error *err);

/* Rebuilds DIR's index from its reports now. Returns 1 (err says how many
 * reports) or <0. */
int fw_index_rebuild(const char *dir, struct fw_error *err);

#endif
