/*
 * fsutil.h: the file-system chores the analyzer and the daemon share:
 * private temporary folders, removing a tree without following symlinks,
 * creating folder paths, and writing a file atomically.
 */
#ifndef FW_FSUTIL_H
#define FW_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

#include "util.h"

/* Creates a new mode-0700 folder "<parent>/<prefix>XXXXXX" (parent NULL:
 * $TMPDIR, else /tmp) and writes its path to out. */
int fw_tmpdir_create(const char *parent, const char *prefix, char *out, size_t outlen,
		     struct fw_error *err);

/* Removes path and everything below it. Symlinks are removed, never
 * followed; other file systems mounted below are not entered. */
int fw_tree_remove(const char *path, struct fw_error *err);

/* mkdir -p: creates path and its missing parents with mode. */
int fw_mkdir_p(const char *path, mode_t mode, struct fw_error *err);

/* Writes data to a temporary file beside path, fsyncs it, renames it over
 * path and fsyncs the folder. Readers see the old file or the new one. */
int fw_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
			 struct fw_error *err);

#endif
