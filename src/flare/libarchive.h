/*
 * libarchive.h: libarchive, loaded when a flare is first extracted.
 *
 * libarchive is opened with dlopen() instead of being linked: Debian's
 * libarchive pulls in libxml2, ICU and libstdc++, whose loading took about
 * 5 ms and 3 MB of every `flarewatch` run, the pprof commands included,
 * which never read a zip. The library's file name (its soname, e.g.
 * libarchive.so.13) is the one the build linked against, found by
 * configure; the pointers are typed from <archive.h> itself, so a
 * prototype change is a compile error, not a crash.
 */
#ifndef FW_LIBARCHIVE_H
#define FW_LIBARCHIVE_H

#include <archive.h>
#include <archive_entry.h>

#include "base/util.h"

struct fw_libarchive {
	__typeof__(&archive_error_string) error_string;
	__typeof__(&archive_filter_bytes) filter_bytes;
	__typeof__(&archive_read_data_block) read_data_block;
	__typeof__(&archive_read_free) read_free;
	__typeof__(&archive_read_new) read_new;
	__typeof__(&archive_read_next_header) read_next_header;
	__typeof__(&archive_read_open_fd) read_open_fd;
	__typeof__(&archive_read_support_format_zip_seekable) read_support_format_zip_seekable;
	__typeof__(&archive_entry_filetype) entry_filetype;
	__typeof__(&archive_entry_hardlink) entry_hardlink;
	__typeof__(&archive_entry_is_encrypted) entry_is_encrypted;
	__typeof__(&archive_entry_mtime) entry_mtime;
	__typeof__(&archive_entry_mtime_is_set) entry_mtime_is_set;
	__typeof__(&archive_entry_pathname) entry_pathname;
	__typeof__(&archive_entry_pathname_utf8) entry_pathname_utf8;
	__typeof__(&archive_entry_size) entry_size;
	__typeof__(&archive_entry_size_is_set) entry_size_is_set;
	__typeof__(&archive_entry_symlink) entry_symlink;
};

/* The loaded library's functions, or NULL with an error naming the
 * library file and what failed (not installed, a symbol missing). Loads
 * once per process; the library stays loaded. Not thread-safe: called
 * from one thread (the daemon and the CLI extract from their main one). */
const struct fw_libarchive *fw_libarchive(struct fw_error *err);

#endif
