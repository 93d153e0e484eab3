/*
 * index.h: DIR/index.md, the list of every report in an investigations
 * tree, newest flare first, with host, agent version, verdict and summary.
 * Entries are kept in DIR/.index.tsv (one line per report, appended under
 * an flock so concurrent workers and daemons never lose one) and the
 * Markdown is regenerated from it after every addition.
 */
#ifndef FW_INDEX_H
#define FW_INDEX_H

#include "util.h"

struct fw_index_entry {
	const char *time;	   /* ISO 8601 UTC flare time, sorts as text */
	const char *hostname;
	const char *agent_version; /* "" when unknown */
	const char *verdict;	   /* fw_verdict_name() */
	const char *summary;
	const char *report;	   /* path of the .md relative to DIR */
};

int fw_index_add(const char *dir, const struct fw_index_entry *e, struct fw_error *err);

#endif
