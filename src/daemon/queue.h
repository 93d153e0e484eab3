/*
 * queue.h: the state directory and the moves of a flare through it.
 *
 *   incoming_dir/X  --claim: rename()-->  state_dir/processing/X
 *   processing/X    --finish-->           state_dir/done/X  or  state_dir/failed/X
 *                                         (+ failed/X.error.txt saying why)
 *
 * Claiming is an atomic rename(), so when two daemons watch one folder
 * exactly one of them gets each flare (the other sees ENOENT). While a
 * daemon works on a flare it also holds an flock() on it; at start a daemon
 * takes again whatever is in processing/ that nobody holds (the flares an
 * earlier run was analyzing when it crashed or was killed), so processing/
 * may be shared by several daemons. A name that is taken in the target
 * directory gets a suffix ("x.zip" -> "x-1.zip"): nothing is ever
 * overwritten, and the only things ever deleted are a done/ flare older
 * than the retention age and the claim records (below) of a flare that
 * left processing/.
 *
 * state_dir/seen/<sha256> is the dedup index: one file per analyzed content,
 * created with O_EXCL once its analysis succeeded, holding a record
 * (record.h) about that analysis, first of all its report_path.
 */
#ifndef FWD_QUEUE_H
#define FWD_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/util.h"

/* A state directory with its subdirectories open. Reference-counted: a
 * running analysis keeps the state it started in across a reload. */
struct state {
	unsigned refs;
	char *dir;		/* state_dir */
	char *processing, *done, *failed, *seen;	/* their paths */
	int dir_fd, processing_fd, done_fd, failed_fd, seen_fd;
};

/* Creates state_dir (if missing) and processing/, done/, failed/ and seen/
 * in it (mode 0770, see mkdir_shared()) and opens them. Returns 0 or a
 * negative errno. */
int state_open(const char *state_dir, struct state **out, struct fw_error *err);
struct state *state_ref(struct state *s);
void state_unref(struct state *s);

/* Creates directory path and its missing parents with mode 0770 (whatever
 * the umask), never a setgid mode (the unit's RestrictSUIDSGID=yes refuses
 * it): a folder made in a setgid folder inherits the bit and the group. Returns 0 or a
 * negative errno; err names the folder and, for EROFS, EACCES and EPERM,
 * the unit setting and the fix (mkdir_hint()). */
int mkdir_shared(const char *path, struct fw_error *err);
/* " (why, and the fix)" for a mkdir() that failed with r, or "". */
const char *mkdir_hint(int r);

/* True for names the daemon never takes: "", dotfiles (also rsync's and
 * our own temporary names) and the partial-download suffixes .part, .tmp,
 * .crdownload and .filepart. */
bool queue_name_ignored(const char *name);

/*
 * Claims incoming/name: opens it (no symlinks, regular files only), locks
 * it and renames it into processing/ under a free name (*claimed, malloc'd).
 * *lock_fd stays open, holding the lock, until the flare is finished.
 * Returns 0; -ENOENT when the file is gone (another daemon took it);
 * -EBUSY when another process holds it; -EACCES when we may not read it
 * (it stays in incoming/: not the flare's fault); -EXDEV when incoming_dir and
 * state_dir are on different file systems; another negative errno
 * otherwise (err says what failed).
 */
int queue_claim(int incoming_fd, const char *name, struct state *s, char **claimed,
		int *lock_fd, struct fw_error *err);

/* Locks processing/name for a retake at start. Returns 0, -ENOENT (gone),
 * -EBUSY (another live daemon works on it) or another negative errno. */
int queue_lock_processing(struct state *s, const char *name, int *lock_fd,
			  struct fw_error *err);

/* The regular files in processing/, sorted by name. *names is an array of
 * *n malloc'd strings (free each and the array). */
int queue_list_processing(struct state *s, char ***names, size_t *n, struct fw_error *err);

/*
 * The claim records of processing/name, beside it (dotfiles, which
 * nobody takes): processing/.<name>.report, where the analysis writes the
 * folder of its report just before publishing it (fw_analyze()'s
 * intent_path), and processing/.<name>.result, the worker's record of a
 * finished analysis. With them, a flare whose analysis was killed after
 * its report was published is filed without a second report.
 */
#define QUEUE_INTENT ".report"
#define QUEUE_RESULT ".result"
/* out = processing/.<name><kind>; -ENAMETOOLONG when it does not fit. */
int queue_claim_file(const struct state *s, const char *name, const char *kind, char *out,
		     size_t size);
/* Removes both claim records of processing/name, and the temporary files
 * of their atomic writes (once it left, or before a new flare of that name
 * is analyzed). */
void queue_forget_claim(struct state *s, const char *name);
/* Removes the claim records whose flare is no longer in processing/.
 * *removed counts them. */
int queue_cleanup_claims(struct state *s, unsigned *removed, struct fw_error *err);

/* Moves processing/name to done/ (*final: the name there, malloc'd). */
int queue_finish_done(struct state *s, const char *name, char **final, struct fw_error *err);

/* Moves processing/name to failed/ and writes failed/<final>.error.txt
 * with text. */
int queue_finish_failed(struct state *s, const char *name, const char *text, char **final,
			struct fw_error *err);

/* Reads seen/<sha256> (NUL-terminated, malloc'd). Returns 0, -ENOENT when
 * this content was never analyzed, or another negative errno. */
int queue_seen_read(const char *seen_dir, const char *sha256, char **text, size_t *len,
		    struct fw_error *err);

/* Creates seen/<sha256> holding text, atomically and without replacing an
 * existing entry. Returns 0, -EEXIST, or another negative errno. */
int queue_seen_write(struct state *s, const char *sha256, const char *text, size_t len,
		     struct fw_error *err);

/* Deletes the regular files in done/ whose last status change (the move
 * into done/) is more than days days ago. *removed counts them. */
int queue_expire_done(struct state *s, unsigned days, unsigned *removed, struct fw_error *err);

/*
 * Renames olddir/old to newdir/new without ever replacing newdir/new:
 * renameat2(RENAME_NOREPLACE), or link()+unlink() where the file system
 * lacks it. Returns 0, -EEXIST, or another negative errno.
 */
int move_noreplace(int olddir, const char *old, int newdir, const char *new_name);

#endif
