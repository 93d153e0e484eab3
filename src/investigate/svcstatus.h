/*
 * svcstatus.h: what `flarewatch status` shows, gathered from the files a
 * member of group flarewatch may read (no journal, no D-Bus):
 *
 *  - the daemon's state file, state_dir/flarewatchd.state
 *    (base/daemonstate.h), and whether its pid is still a flarewatchd;
 *  - the queue: *.zip files waiting in incoming_dir, flares in
 *    state_dir/processing/, failed/ and done/ (daemon/queue.h's layout);
 *  - the last verdicts: the reports of investigations_dir, newest flare
 *    first (investigate/index.h);
 *  - the failed flares, newest first, each with the first line of its
 *    failed/<name>.error.txt (the reason the daemon wrote there).
 *
 * Strings are kept as read; the printer escapes them (base/outtext.h).
 */
#ifndef FW_SVCSTATUS_H
#define FW_SVCSTATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "base/daemonstate.h"
#include "base/fwconfig.h"
#include "base/util.h"

struct fw_svcstatus_verdict {
	char *flare_time;	/* ISO 8601 UTC */
	char *hostname;
	char *ticket;		/* NULL: none */
	char *verdict;
	char *summary;
	char *report;		/* the Markdown report's path */
	char *flare_file;	/* NULL: unknown (an older report) */
	char *analyzed_at;	/* ISO 8601 UTC; NULL: unknown */
};

struct fw_svcstatus_failed {
	char *name;		/* in failed/ */
	char *reason;		/* first line of its .error.txt; NULL: none */
	time_t failed_at;	/* when it was filed (the .error.txt's mtime) */
};

struct fw_svcstatus {
	char *state_path;	/* state_dir/flarewatchd.state */
	bool have_state;	/* the file was read into daemon */
	struct fw_daemon_state daemon;
	bool running;		/* have_state and daemon.pid is a flarewatchd */
	/* the queue, files in each folder (a missing folder counts 0) */
	size_t n_incoming, n_processing, n_failed, n_done;
	/* the newest verdicts, at most the max asked for, of n_verdicts_total */
	struct fw_svcstatus_verdict *verdicts;
	size_t n_verdicts, n_verdicts_total;
	/* report folders the index could not read: how many, and one line
	 * per folder ("PATH: why"; NULL when none) */
	size_t n_verdicts_skipped;
	char *verdict_warnings;
	/* the newest failed flares, at most the max asked for (of n_failed) */
	struct fw_svcstatus_failed *failed;
	size_t n_failed_listed;
};

/* Gathers st for cfg, keeping at most max verdicts and max failed flares.
 * A file or folder that does not exist is not an error (no state file: the
 * daemon never ran there). Returns 0 or a negative errno; err names the
 * file or folder that could not be read (often: not in group flarewatch).
 * Free st with fw_svcstatus_free() either way. */
int fw_svcstatus_gather(const struct fw_config *cfg, size_t max, struct fw_svcstatus *st,
		     struct fw_error *err);
void fw_svcstatus_free(struct fw_svcstatus *st);

#endif
