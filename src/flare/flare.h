/*
 * flare.h: the model of one extracted Datadog Agent flare: where its root
 * is, what its text files say (status.log, install_info, expvar/memstats,
 * go-routine-dump.log, version-history.json, parsed by their own modules), which files profiles/
 * holds and which agent processes they belong to. Nothing here analyzes a
 * profile; investigate/process.c does that per process.
 */
#ifndef FW_FLARE_H
#define FW_FLARE_H

#include "flare/goroutines.h"
#include "flare/installinfo.h"
#include "flare/memstats.h"
#include "flare/status.h"
#include "flare/versionhistory.h"

/* The profile kinds the runbook reads, one file "<proc>-<name>.pprof" each,
 * in the order the analyses and the reports list them. */
enum fw_profile_kind { FW_PK_HEAP1, FW_PK_CPU, FW_PK_HEAP2, FW_PK_BLOCK, FW_PK_MUTEX, FW_PK_COUNT };

/* "1st-heap", "cpu", "2nd-heap", "block", "mutex"; NULL for anything else. */
const char *fw_profile_kind_name(enum fw_profile_kind k);

struct fw_flare_file {
	char *name; /* file name inside profiles/, redacted for display */
	uint64_t size;
};

struct fw_flare {
	char *root;	/* the folder holding status.log and/or profiles/ */
	char *hostname; /* safe for paths: [A-Za-z0-9._-], never empty; from
			 * status.log, else the host folder, else the flare's
			 * file name, else "unknown-host" */
	int64_t time_ms; /* when the flare was made (status date, name, mtime) */
	/* where time_ms comes from: "status.log", "file name", "file time"
	 * (status.log's or the newest profile's, as the zip dated them), or
	 * "unknown" (the time of the analysis); anything but status.log has a
	 * note saying so. */
	const char *time_source;

	bool has_status, has_install, has_memstats, has_goroutines;
	struct fw_status status;
	struct fw_installinfo install;
	struct fw_memstats mem;
	struct fw_goroutines gor;
	/* expvar/trace-agent (the trace-agent's own expvars): its MemStats
	 * and its "uptime" in seconds, when the flare has them */
	bool has_trace_memstats, has_trace_uptime;
	struct fw_memstats trace_mem;
	double trace_uptime_sec;
	bool has_vhist;			/* version-history.json parsed */
	struct fw_vhist vhist;

	bool has_profiles;		/* a profiles/ folder exists */
	char *profiles_dir;
	/* the regular files of profiles/, by name: at most 4,096, chosen by
	 * process (core, trace, others) then name; the rest are in a note */
	struct fw_flare_file *pfiles;
	size_t n_pfiles;
	char **procs;			/* process prefixes: core, trace, then others */
	size_t n_procs;

	/* one-line remarks for the report, redacted: unreadable or skipped
	 * files (each group of profiles/ entries left out, with its count and
	 * first names), where the hostname and the date come from when
	 * status.log gives none */
	char **notes;
	size_t n_notes;
};

/* Finds the flare root under dir (dir itself, or the folder a few levels
 * down that holds status.log and/or profiles/), then reads and parses its
 * files. name_hint (the zip's or folder's name, may be NULL) helps date the
 * flare when status.log does not. Only a missing root or out-of-memory is
 * an error; unreadable or odd files become notes. */
int fw_flare_open(const char *dir, const char *name_hint, unsigned goroutine_wait_minutes,
		  struct fw_flare *f, struct fw_error *err);
void fw_flare_free(struct fw_flare *f);

/* Parses "datadog-agent-2024-10-02T14-21-52Z..." (or the older
 * "datadog-agent-2006-01-02-15-04-05") anywhere in name. */
bool fw_flare_time_from_name(const char *name, int64_t *ms);

#endif
