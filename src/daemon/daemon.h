/*
 * daemon.h: struct daemon, the one piece of state flarewatchd has, passed
 * to every handler of its sd-event loop, and the functions the files of
 * src/daemon/ offer each other:
 *
 *   main.c    command line, configuration file, start-up
 *   folders.c --check-config's checks of the folders
 *   loop.c    the event loop: signals (stop, reload), sd_notify, STATUS=,
 *             the watchdog, retention, handing ready flares to workers,
 *             and the retries after host faults
 *   watch.c   the incoming folder: inotify, rescans (which also notice a
 *             replaced or re-pointed folder), settling
 *   queue.c   the state directory and the moves of a flare through it
 *   worker.c  one child process per analysis, and what happens after it;
 *             the daemon's temporary folders
 *   record.c  the key=value records between child and parent
 *   log.c     one-line log messages to the journal or stderr
 *   metrics.c the metrics file (metrics.h)
 */
#ifndef FWD_DAEMON_H
#define FWD_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <systemd/sd-event.h>
#include <time.h>

#include "base/fwconfig.h"
#include "log.h"
#include "metrics.h"
#include "queue.h"

/* A file seen in the incoming folder, waiting to settle or for a worker. */
struct candidate {
	char *name;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	uint64_t changed_usec;	/* CLOCK_MONOTONIC of the last change we saw */
	uint64_t scan_gen;	/* the last rescan that listed it */
	bool ready;		/* stable for settle_seconds */
};

/* Something in the incoming folder that is not taken (watch.c), logged
 * once: remembered while it stays that file and that kind. */
struct noted {
	char *name;
	dev_t dev;
	ino_t ino;
	int kind;
	uint64_t scan_gen;	/* the last rescan or look that saw it */
};

struct job;

struct daemon {
	sd_event *event;
	struct logger log;
	const char *config_path; /* NULL: built-in defaults */
	struct fw_config *cfg;	 /* current configuration (heap) */
	struct state *state;	 /* cfg->state_dir, open */

	/* watch.c */
	int incoming_fd;
	char *incoming_dir;	 /* the folder incoming_fd and the watch are on */
	sd_event_source *inotify_src, *rescan_src, *settle_src;
	struct candidate *cands;
	size_t n_cands, cap_cands;
	struct noted *noted;
	size_t n_noted, cap_noted;
	uint64_t scan_gen;
	bool watch_broken;	 /* the inotify watch died or incoming_dir names another
				  * folder: re-open both at the next rescan */
	bool watch_error_logged; /* re-opening failed, and that was logged */

	/* loop.c */
	sd_event_source *retention_src;
	char **recovered;	 /* names in state->processing/ to take again first */
	size_t n_recovered, cap_recovered;
	bool stopping;
	char *last_status;
	time_t config_time;	 /* when the configuration in use was loaded */
	char *reload_error;	 /* why the last reload failed (NULL: it worked) */
	time_t reload_error_time;
	time_t start_time;
	char *last_state_file;	 /* the state file's text last written, minus updated= */
	bool state_file_error_logged;
	/* A host fault (disk full, read-only or unwritable folders, no file
	 * descriptors): no analysis starts before fault_retry_usec. */
	bool fault;
	unsigned fault_retries;
	uint64_t fault_backoff_usec, fault_retry_usec, fault_bumped_usec;
	sd_event_source *fault_src;
	uint64_t fault_episode;	 /* how many fault episodes ended */
	struct faulted {	 /* flares queued again after a host fault */
		char *name;	 /* in processing/ */
		uint64_t episode; /* fault_episode then */
	} *faulted;
	size_t n_faulted, cap_faulted;

	/* worker.c */
	char *tmp_parent;	 /* $TMPDIR/flarewatchd-<pid>-XXXXXX, 0700, ours */
	int tmp_lock_fd;	 /* flock()ed while we live: tells it is not stale */
	struct job *jobs;
	unsigned running;
	uint64_t n_analyzed, n_duplicates, n_failed;

	/* metrics.c */
	struct metrics metrics;
	sd_event_source *metrics_src;
};

/* main.c */
/* Reads path (NULL: the built-in defaults) into a new configuration. */
int daemon_load_config(const char *path, struct fw_config **out, struct fw_error *err);

/* folders.c */
/* --check-config's look at the folders of cfg (nothing is created): each
 * exists and is writable by user (NULL: the service user "flarewatch" when
 * run as root and it exists, else the user running it), or can be
 * created by it; incoming_dir and state_dir on one file system. Prints a
 * line per folder to out. Returns 0 or a negative errno (err names the
 * folder and the fix). */
int folders_check(const struct fw_config *cfg, const char *user, FILE *out,
		  struct fw_error *err);

/* loop.c */
int daemon_run(struct daemon *d);
void daemon_free(struct daemon *d);
/* Starts analyses while workers are free; then updates STATUS= and the
 * state file. Called whenever a flare became ready or a worker finished. */
void daemon_dispatch(struct daemon *d);
void daemon_update_status(struct daemon *d);
/* Puts processing/name (malloc'd; taken) back in the queue of flares to
 * take again first. */
void daemon_requeue(struct daemon *d, char *name);
/*
 * An analysis started at started_usec failed (or could not start) because
 * of the host, not of its flare (what: why). The first one of an episode
 * is logged; from then on no analysis starts until a backoff passed (30 s,
 * doubled after each failed retry up to 10 min; $FLAREWATCHD_RETRY_SECONDS
 * sets the first wait); the flares wait in incoming/ and processing/.
 */
void daemon_host_fault(struct daemon *d, const char *what, uint64_t started_usec);
/* An analysis wrote its report: a fault episode is over. */
void daemon_host_ok(struct daemon *d);
/* processing/name failed because of the host: true if it may be retried.
 * False when it failed so in an earlier episode too: other analyses
 * worked in between, so the cause is this flare (too big for the disk,
 * say), and it goes to failed/. This bounds the retries of each flare. */
bool daemon_fault_note(struct daemon *d, const char *name);
/* processing/name left processing/: forgets its host faults. */
void daemon_fault_forget(struct daemon *d, const char *name);
uint64_t now_usec(void); /* CLOCK_MONOTONIC */

/* watch.c */
/* Starts watching cfg->incoming_dir and scans it. On failure the rescan
 * timer is still set, and every rescan tries again. */
int watch_start(struct daemon *d, struct fw_error *err);
/* Could dir be the incoming folder of state s? Creates it if missing. */
int watch_check(const char *dir, const struct state *s, struct fw_error *err);
void watch_stop(struct daemon *d);
int watch_scan(struct daemon *d);
/* Removes and returns (malloc'd) the oldest ready candidate's name, or
 * NULL when none is ready. */
char *watch_take_ready(struct daemon *d);
size_t watch_count_waiting(const struct daemon *d);
/* Applies a new rescan_seconds/settle_seconds after a reload. */
void watch_config_changed(struct daemon *d);

/* metrics.c */
/* Writes cfg->metrics_file now (when set); a failure is logged once. */
void metrics_update(struct daemon *d);
/* Writes it, then every minute. */
void metrics_start(struct daemon *d);
void metrics_stop(struct daemon *d);

/* worker.c */
/* Starts the analysis of state->processing/name in a child. Takes
 * ownership of lock_fd (closed on failure too). */
int worker_start(struct daemon *d, struct state *s, const char *name,
		 const char *display_name, int lock_fd, struct fw_error *err);
/* Removes the temporary folders that earlier daemons left (after kill -9)
 * in $TMPDIR, and creates this daemon's private one, under which every
 * analysis extracts. A failure is logged: creating it is tried again for
 * each analysis. */
void worker_tmp_setup(struct daemon *d);
/* Removes this daemon's temporary folder. */
void worker_tmp_teardown(struct daemon *d);
/* Kills every running analysis (SIGKILL); their flares stay in
 * processing/ to be taken again at the next start. */
void worker_abandon_all(struct daemon *d);
/* The names (as they arrived) of the flares being analyzed, at most max
 * of them in names (pointers into the jobs); returns how many there are. */
size_t worker_running_names(const struct daemon *d, const char **names, size_t max);
/* False in an AddressSanitizer build, where analysis.memory_limit cannot
 * be applied. */
bool worker_memory_limit_applies(void);

#endif
