/*
 * daemonstate.h: the daemon state file, state_dir/flarewatchd.state, which
 * flarewatchd rewrites atomically (fw_write_file_atomic(): rename over,
 * mode 0640, so group flarewatch reads it) whenever its state changes, and
 * `flarewatch status` reads. One "key=value" line per field, values on one
 * line (control bytes written as spaces); unknown keys are ignored, so a
 * newer daemon's file stays readable:
 *
 *   state=starting|idle|analyzing|stopping
 *   analyzing=<flare file name>      one line per running analysis
 *   pid=<flarewatchd's process id>
 *   version=<PACKAGE_VERSION>
 *   started=<unix time>              when this daemon started
 *   config=<file>                    "" for the built-in defaults
 *   config_loaded=<unix time>
 *   reload_failed=<unix time>        only after a refused reload:
 *   reload_error=<why>               its time and reason
 *   updated=<unix time>              when the file was written
 *   status=<the daemon's STATUS= line>
 *
 * The file outlives its daemon (kill -9, a crash, a stop): fw_daemon_alive()
 * tells whether its pid is still a flarewatchd.
 */
#ifndef FW_DAEMONSTATE_H
#define FW_DAEMONSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "base/util.h"

#define FW_DAEMON_STATE_FILE "flarewatchd.state"
/* the file is refused above this size */
#define FW_DAEMON_STATE_MAX (256u << 10)
/* the process name fw_daemon_alive() looks for */
#define FW_DAEMON_COMM "flarewatchd"

struct fw_daemon_state {
	char *state;		/* "starting", "idle", "analyzing", "stopping" */
	char **analyzing;	/* flare file names, n_analyzing of them */
	size_t n_analyzing;
	long pid;
	char *version;
	time_t started;
	char *config;		/* "" for the built-in defaults */
	time_t config_loaded;
	time_t reload_failed;	/* 0: no refused reload */
	char *reload_error;	/* NULL: no refused reload */
	time_t updated;
	char *status;		/* the STATUS= line */
};

/* The file's text for s (malloc'd, NUL-terminated); NULL when out of
 * memory. */
char *fw_daemon_state_format(const struct fw_daemon_state *s);

/* Writes s to path atomically, mode 0640. Returns 0 or a negative errno
 * (err names the file). */
int fw_daemon_state_write(const char *path, const struct fw_daemon_state *s,
			  struct fw_error *err);

/* Reads path into *s (every string malloc'd; free with
 * fw_daemon_state_free()). Returns 0, -ENOENT when there is no such file,
 * -EINVAL when it lacks state= or pid=, or another negative errno; err
 * names the file. */
int fw_daemon_state_read(const char *path, struct fw_daemon_state *s, struct fw_error *err);
void fw_daemon_state_free(struct fw_daemon_state *s);

/* Is pid a running (not zombie) process named FW_DAEMON_COMM? Read from
 * /proc/<pid>/stat, which every user may read unless /proc is mounted
 * with hidepid= (then it says false). */
bool fw_daemon_alive(long pid);

#endif
