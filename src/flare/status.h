/*
 * status.h: parser for a flare's status.log, the text of `agent status`
 * (header block, Hostname section, Collector's Running Checks). See
 * flare-format.md section 3.
 *
 * The parser is line-based and tolerant: it takes the first value of each
 * header field from the header block (before the first section that is not
 * the "Agent (v...)" title), accepts the pre-7.50 layouts (Hostnames as a
 * sub-block of the header, 8-space "Instance ID" lines, per-instance check
 * blocks without "Instance ID", "name  (version)" titles), and leaves
 * anything it cannot find empty. Every string it returns went through
 * fw_redact_field(): redacted, printable, bounded. The input may hold NUL
 * bytes and invalid UTF-8.
 */
#ifndef FW_STATUS_H
#define FW_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

#define FW_STATUS_MAX_CHECKS	1000	/* further checks are only counted */
#define FW_STATUS_MAX_MSGS	1000	/* further messages are only counted */
#define FW_STATUS_NAME_MAX	256	/* bytes: check names, instance ids, hostname */
#define FW_STATUS_MSG_MAX	512	/* bytes: an Error:/Warning: first line */
#define FW_STATUS_FIELD_MAX	128	/* bytes: versions, dates */

/* A header timestamp such as
 *   2024-10-02 14:21:52.317 UTC (1727878912317)
 *   2024-10-02 16:21:52.317 CEST / 2024-10-02 14:21:52.317 UTC (1727878912317)
 *   2018-10-10 10:49:31.449541 UTC                 (old agents: no ms)
 * unix_ms comes from the parenthesised milliseconds when present, else from
 * the " / <UTC time>" part, else from the time itself if its zone is UTC or
 * GMT. */
struct fw_status_time {
	bool has_ms;			/* unix_ms is valid */
	int64_t unix_ms;		/* milliseconds since the epoch */
	char text[FW_STATUS_FIELD_MAX + 1]; /* as printed, minus " (ms)"; "" if absent */
};

enum fw_check_msg_kind {
	FW_CHECK_MSG_ERROR,
	FW_CHECK_MSG_WARNING,
};

/* The first line of an instance's "Error:" or one of its "Warning:" lines
 * (at most one error per instance: the traceback is skipped). */
struct fw_status_msg {
	enum fw_check_msg_kind kind;
	char instance[FW_STATUS_NAME_MAX + 1];	/* Instance ID, "" if none */
	char text[FW_STATUS_MSG_MAX + 1];	/* message after "Error: " */
};

/* One check title of Running Checks, in file order (the agent sorts them by
 * name). Instances are counted from their "Instance ID: <id> [STATUS]"
 * lines; a block with no such line (old agents: one block per instance) is
 * counted as one instance per "Total Runs:" line, ERROR if it shows an
 * Error:, else WARNING if it shows a Warning:, else OK (status_inferred). */
struct fw_status_check {
	char name[FW_STATUS_NAME_MAX + 1];
	char version[FW_STATUS_FIELD_MAX + 1];	/* "5.3.0", "" for core checks */
	size_t n_instances;
	size_t n_ok, n_warning, n_error;
	size_t n_other;			/* any other [STATUS] or none */
	bool status_inferred;
	/* A Python check (it runs in the core agent's embedded Python, its
	 * memory outside the Go heap): its title carries a version (only
	 * Python integrations have one; Go core checks print none) or its
	 * block shows a Python traceback. A custom Python check without a
	 * version and without an error is not recognised. */
	bool python;
	size_t msg_first, msg_count;	/* its messages: msgs[msg_first..+count) */
	/* "Average Execution Time : 3.012s" (a Go duration): the largest of
	 * its instances', in nanoseconds */
	bool has_avg_exec;
	int64_t avg_exec_ns;
	/* "Last Successful Execution Date : <time> (ms)": the oldest of its
	 * instances' (the most stale); never_succeeded when one says "Never" */
	bool has_last_success;
	int64_t last_success_ms;
	bool never_succeeded;
};

struct fw_status {
	/* "unable to get the status of the agent, is it running?": a local
	 * flare made while the agent was down. Nothing else is set. */
	bool local_flare;

	char agent_version[FW_STATUS_FIELD_MAX + 1];	/* "7.58.2" from "Agent (v7.58.2)" */
	struct fw_status_time status_date;
	struct fw_status_time agent_start;
	bool has_pid;
	int64_t pid;
	char go_version[FW_STATUS_FIELD_MAX + 1];	/* "go1.22.7" */
	char python_version[FW_STATUS_FIELD_MAX + 1];
	char hostname[FW_STATUS_NAME_MAX + 1];		/* "hostname:" of Hostname(s) */
	/* the Host Info block: "os: linux", "platform: ubuntu",
	 * "platformVersion: 24.04", "kernelVersion: 6.8.0-1015-aws",
	 * "kernelArch: x86_64"; "" when absent */
	char os[FW_STATUS_FIELD_MAX + 1];
	char platform[FW_STATUS_FIELD_MAX + 1];
	char platform_version[FW_STATUS_FIELD_MAX + 1];
	char kernel_version[FW_STATUS_FIELD_MAX + 1];
	char kernel_arch[FW_STATUS_FIELD_MAX + 1];

	/* agent_start -> status_date, whole seconds; false when either time is
	 * missing or the start is after the status date. */
	bool has_uptime;
	int64_t uptime_sec;

	bool has_collector;		/* a Collector section or Running Checks seen */
	struct fw_status_check *checks;	/* malloc'd, n_checks entries */
	size_t n_checks;
	size_t checks_dropped;		/* titles beyond FW_STATUS_MAX_CHECKS */
	struct fw_status_msg *msgs;	/* malloc'd, n_msgs entries */
	size_t n_msgs;
	/* messages of kept checks beyond FW_STATUS_MAX_MSGS (those of
	 * dropped checks are neither kept nor counted) */
	size_t msgs_dropped;
};

/* Parses status.log text[0..len). Always starts by clearing *st. Returns 0
 * (even for a truncated file: whatever was found is set), -ENOMEM, -ENODATA
 * for an empty (or all-blank) file, or -EINVAL when the text has none of the
 * status landmarks ("Agent (v", "Status date:", "Agent start:", a Collector
 * section, "Running Checks") and is not the local-flare line. On error *st
 * holds nothing and fw_status_free() is still safe. */
int fw_status_parse(const char *text, size_t len, struct fw_status *st,
		    struct fw_error *err);
void fw_status_free(struct fw_status *st);

/* Formats a duration as "<D> day(s) <H> hour(s)": "0 days 3 hours",
 * "1 day 1 hour", "2 days 0 hours". The unit is singular only for exactly
 * 1; hours are whole hours, rounded down; a negative duration is shown as
 * 0. out gets at most outsz - 1 bytes (FW_UPTIME_BUFSZ always suffices). */
#define FW_UPTIME_BUFSZ 64
void fw_format_uptime(int64_t seconds, char *out, size_t outsz);

/* Formats unix milliseconds as "2024-10-02 14:21:52.317 UTC" (the ".317"
 * is always three digits). Out-of-range values (before year 0 or after
 * 9999) give "-". FW_UTC_BUFSZ always suffices. */
#define FW_UTC_BUFSZ 40
void fw_format_utc_ms(int64_t unix_ms, char *out, size_t outsz);

/* Parses a Go time.Duration string ("0s", "38ms", "3.012s", "1m2.5s",
 * "1.5µs", "2h0m0s") into nanoseconds. False for anything else or a value
 * over about 292 years. */
bool fw_parse_go_duration(const char *s, size_t n, int64_t *ns);

#endif
