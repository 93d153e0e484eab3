/*
 * fsutil.h: the file-system chores that the analyzer, the extractor
 * (flare/extract.c) and the daemon share: private temporary folders, removing a
 * tree without following symlinks, creating folder paths, and writing a
 * file atomically. Every function follows the library's convention: it
 * returns 0 or a negative errno and leaves a one-line message naming the
 * path in err (see util.h).
 */
#ifndef FW_FSUTIL_H
#define FW_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

#include "base/util.h"

/* Creates a new folder "<parent>/<prefix>XXXXXX" with mode 0700 (mkdtemp)
 * and writes its path to out. parent NULL means $TMPDIR if set and not
 * empty, else /tmp; prefix NULL means "" and may not contain '/'. On
 * failure out is "" (when outlen > 0), so it is never mistaken for a
 * folder to remove. */
int fw_tmpdir_create(const char *parent, const char *prefix, char *out, size_t outlen,
		     struct fw_error *err);

/* Removes path and everything below it; a path that does not exist is not
 * an error. Symlinks are removed, never followed (a symlink given as path
 * is removed itself). Folders of other file systems mounted below path are
 * neither entered nor removed: that is an -EXDEV error. Folders without
 * owner rwx are made accessible first. Nesting deeper than 256 folders
 * fails with -ELOOP. Removal goes on past errors, removing what it can,
 * and reports the first one. Holds one file descriptor per folder level. */
int fw_tree_remove(const char *path, struct fw_error *err);

/* mkdir -p: creates path and its missing parents. The last folder gets
 * mode (minus the umask); parents get mode plus u+wx, so that the
 * children can be created. Existing folders are left as they are. Follows
 * symlinks, like mkdir -p: only for trusted paths (configuration). */
int fw_mkdir_p(const char *path, mode_t mode, struct fw_error *err);

/* Writes data to a temporary file beside path (".<name>.XXXXXX"), sets its
 * mode (exactly, without the umask), fsyncs it, renames it over path and
 * fsyncs the folder. Readers see the old file or the new one, never a
 * partial one. The temporary file is removed on every error path. */
int fw_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
			 struct fw_error *err);

#endif
