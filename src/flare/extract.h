/*
 * extract.h: safe extraction of a flare zip (a Datadog Agent flare, sent by
 * a customer: every byte of it is hostile). fw_archive_extract() checks the
 * zip's own directory before writing anything, then lets libarchive decode
 * the entries and writes them itself, relative to a descriptor of the
 * destination folder, so nothing can ever be created outside it. The
 * analyzer extracts into a fw_tmpdir_create() folder and removes it with
 * fw_tree_remove() (fsutil.h) whatever happens.
 */
#ifndef FW_EXTRACT_H
#define FW_EXTRACT_H

#include <stdint.h>

#include "base/fwconfig.h"
#include "base/util.h"

struct fw_archive_limits {
	uint64_t max_entries;	  /* entries in the archive, folders included: 10000 */
	uint64_t max_total_bytes; /* uncompressed bytes of all files: 2 GiB */
	uint32_t max_ratio;	  /* uncompressed / compressed bytes per entry: 200;
				   * entries of at most 1 MiB are exempt */
};

/* Fills l with the defaults above. */
void fw_archive_limits_default(struct fw_archive_limits *l);
/* Fills l with the configuration's archive limits (archive.max_entries,
 * max_total_size, max_compression_ratio). */
void fw_archive_limits_config(struct fw_archive_limits *l, const struct fw_config *cfg);

/* Extracts the zip archive at path into dir, an existing, empty, private
 * folder (owned by us, not writable by group or others). lim NULL means
 * the defaults; a limit is used as given (0 entries allows none).
 * Folders are created with mode 0700 and files with 0600; modification
 * times, owners and modes in the archive are ignored.
 *
 * The whole archive is refused, with a message naming the archive and
 * (where there is one) the entry and the reason, on: an absolute name, a
 * "..", "." or empty component, an empty name, a NUL, control character
 * or backslash in a name, a name of PATH_MAX bytes or more, of more than
 * 64 components or with a component longer than NAME_MAX; symbolic links,
 * hard links, devices, FIFOs and sockets; encrypted entries; compression
 * other than stored and deflate; duplicate names and names that clash
 * (a file where a folder must go); more entries than lim->max_entries;
 * more than lim->max_total_bytes of files; an entry above 1 MiB that
 * expands more than lim->max_ratio times; and anything truncated, corrupt
 * (including bad CRCs) or inconsistent (local headers that disagree with
 * the central directory, overlapping entries, data before the first
 * entry, zip64 records that do not add up, multi-volume archives).
 *
 * Returns 0, or a negative errno with err filled: -EINVAL (unsafe name or
 * entry type), -EEXIST (duplicate), -E2BIG (too many entries), -EFBIG
 * (size or ratio limit), -ENOTSUP (encryption, compression method),
 * -EBADMSG (truncated, corrupt or inconsistent archive), -ENOTEMPTY or
 * -EPERM (destination not empty or not private), or the error of a system
 * call (-ENOENT, -ENOSPC, -ENOMEM, ...). On failure dir may hold part of
 * the archive: the caller removes it (fw_tree_remove). */
int fw_archive_extract(const char *path, const char *dir, const struct fw_archive_limits *lim,
		       struct fw_error *err);

#endif
