/*
 * fwconfig.h: the flarewatch configuration (/etc/flarewatch/flarewatch.yaml),
 * shared by the daemon and `flarewatch analyze`: directories, worker and
 * sandbox limits, archive limits, verdict thresholds, journal priorities and
 * report wording. Loading is strict: every mistake is an error that names
 * the file, line and column. etc/flarewatch.yaml documents every key.
 */
#ifndef FW_FWCONFIG_H
#define FW_FWCONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "base/util.h"

/* Configuration files larger than this are refused. */
#define FW_CONFIG_MAX_FILE_SIZE (1024 * 1024)

struct fw_config_analysis {
	unsigned timeout_seconds; /* wall clock for one flare's child (300; 1..86400) */
	uint64_t memory_limit;	  /* RLIMIT_AS of the child, bytes (1 GiB; 64 MiB..1024 GiB) */
	unsigned cpu_seconds;	  /* RLIMIT_CPU of the child (240; 1..86400) */
};

struct fw_config_archive {
	unsigned max_entries;	      /* members in one flare zip (10000; 1..10000000) */
	uint64_t max_total_size;      /* uncompressed bytes (2 GiB; 1 MiB..1024 GiB) */
	double max_compression_ratio; /* per member (200; 1..1000000) */
};

/* The names match the YAML keys; verdict.h's struct fw_thresholds has the
 * same numbers (its *_share fields are the *_share_percent ones here). */
struct fw_config_thresholds {
	uint64_t leak_growth_per_30s;	    /* bytes (10 MiB; 0..1024 GiB) */
	double leak_function_share_percent; /* 30; 0..100 */
	uint64_t leak_min_growth_per_30s;   /* bytes (1 MiB; 0..1024 GiB) */
	double cpu_function_share_percent;  /* 50; 0..100 */
	double cpu_utilization_percent;	    /* of one core (80; 0..10000) */
	double cpu_app_share_percent;	    /* 80; 0..100 */
	double cpu_spike_min_utilization_percent; /* of one core (5; 0..10000) */
	double contention_seconds;	    /* 1.0; 0..86400 */
	unsigned goroutines_warn;	    /* 500; 0..100000000 */
	/* LONG-TERM GROWTH, across the flares of one agent process: growth
	 * per hour (least squares) above these over at least
	 * long_term_min_hours between the first and last flare */
	uint64_t long_term_heap_growth_per_hour;      /* HeapAlloc bytes (50 MiB; 0..1024 GiB) */
	uint64_t long_term_sys_growth_per_hour;	      /* Sys bytes (100 MiB; 0..1024 GiB) */
	unsigned long_term_goroutine_growth_per_hour; /* 200; 0..100000000 */
	double long_term_min_hours;		      /* 2; 0..8760 */
};

/* syslog priorities, 0 (LOG_EMERG) .. 7 (LOG_DEBUG), one per verdict. */
struct fw_config_priority {
	int memory_leak;     /* warning (4) */
	int multiple_issues; /* warning (4) */
	int cpu_spike;	     /* notice (5) */
	int contention;	     /* notice (5) */
	int normal;	     /* info (6) */
	int inconclusive;    /* notice (5): NORMAL could not be established */
	int failed;	     /* err (3): the analysis itself failed */
};

struct fw_config_journal {
	struct fw_config_priority priority;
};

struct fw_config_report {
	const char *greeting;  /* "Hi," */
	const char *signature; /* "Datadog Support" */
	bool customer_message; /* true */
};

/* tickets.pattern: a POSIX extended regular expression searched in a
 * flare's file name (base/ticket.h says how the ticket is taken from the
 * match); "" takes no ticket from names. Default FW_TICKET_DEFAULT_PATTERN. */
struct fw_config_tickets {
	const char *pattern;
};

/* state_dir's folders (daemon/queue.c moves each flare through them, and
 * `flarewatch status` counts them): a flare being analyzed is in
 * processing/, then in done/ or in failed/ with NAME + FW_FAILED_REASON_SUFFIX
 * beside it, holding why it failed. */
#define FW_STATE_PROCESSING "processing"
#define FW_STATE_DONE "done"
#define FW_STATE_FAILED "failed"
#define FW_FAILED_REASON_SUFFIX ".error.txt"

/*
 * The strings belong to the configuration: they are either the built-in
 * defaults (static) or heap copies made by fw_config_load()/fw_config_set(),
 * and fw_config_free() releases the latter. So do not assign them directly
 * (use fw_config_set()) and do not copy a struct fw_config by value and free
 * both copies. Paths are stored normalized: absolute, no "//", "." or
 * trailing '/'.
 */
struct fw_config {
	const char *incoming_dir;	/* /var/lib/flarewatch/incoming */
	const char *state_dir;		/* /var/lib/flarewatch: processing/, done/, failed/ */
	const char *investigations_dir; /* /var/lib/flarewatch/investigations */
	unsigned workers;		/* 2; 1..64 */
	unsigned settle_seconds;	/* 5; 0..3600 */
	unsigned rescan_seconds;	/* 60; 1..86400 */
	unsigned done_retention_days;	/* 0 = keep forever; 0..36500 */
	/* "" (default) = off; else the node_exporter textfile the daemon
	 * rewrites (daemon/metrics.h): outside the flare folders */
	const char *metrics_file;
	struct fw_config_analysis analysis;
	struct fw_config_archive archive;
	struct fw_config_thresholds thresholds;
	struct fw_config_journal journal;
	struct fw_config_report report;
	struct fw_config_tickets tickets;
};

/* Fills c with the built-in defaults. Allocates nothing and cannot fail;
 * fw_config_free() on the result is harmless. */
void fw_config_defaults(struct fw_config *c);

/*
 * Reads the YAML file at path: the defaults, overridden by whatever the file
 * sets, then the fw_config_validate() cross-field checks. *c is output only
 * (any previous content is not freed). On success *c must be released with
 * fw_config_free(); on failure *c holds the defaults and err a one-line
 * message "PATH:LINE:COLUMN: what is wrong" (or "PATH: ..." when there is no
 * position). Returns 0, -EINVAL for a bad file, -ENOMEM, -EFBIG (over
 * FW_CONFIG_MAX_FILE_SIZE) or the errno of opening/reading the file.
 * An empty file (or one with only comments) means all defaults.
 */
int fw_config_load(const char *path, struct fw_config *c, struct fw_error *err);

/* Releases the strings fw_config_load()/fw_config_set() allocated and sets
 * every string to NULL; call fw_config_defaults() to use c again. */
void fw_config_free(struct fw_config *c);

/*
 * Checks every value's range and the cross-field rules: paths absolute and
 * not "/"; incoming_dir neither state_dir nor inside its processing/, done/
 * or failed/, and state_dir not inside incoming_dir; investigations_dir
 * neither incoming_dir nor state_dir, not nested with incoming_dir either
 * way, not inside processing/, done/ or failed/, and not containing
 * state_dir; metrics_file, when set, none of the folders nor above one,
 * and not inside incoming_dir, investigations_dir, processing/, done/ or
 * failed/. Returns 0 or -EINVAL with the key name(s) in err.
 */
int fw_config_validate(const struct fw_config *c, struct fw_error *err);

/*
 * Sets one key, named as in the file with dots for sections
 * ("analysis.memory_limit", "journal.priority.normal"), from its text,
 * parsed as an unquoted YAML scalar would be ("2 GiB", "notice", "true");
 * a string key takes value verbatim. For command-line overrides. Runs no
 * cross-field check (call fw_config_validate()). On failure c is unchanged.
 * Returns 0, -EINVAL (unknown key, bad value) or -ENOMEM.
 */
int fw_config_set(struct fw_config *c, const char *key, const char *value,
		  struct fw_error *err);

/* True if every setting of a and b is the same. */
bool fw_config_equal(const struct fw_config *a, const struct fw_config *b);

/*
 * Appends the configuration to out as YAML that fw_config_load() reads back
 * into an equal configuration: every key, sizes with the largest exact
 * binary unit ("10 MiB"), priorities by name, strings double-quoted.
 * Returns 0 or -ENOMEM (out's sticky failure).
 */
int fw_config_render(const struct fw_config *c, struct fw_buf *out, struct fw_error *err);

/* "emerg" .. "debug" for 0..7, NULL otherwise. */
const char *fw_config_priority_name(int priority);

#endif
