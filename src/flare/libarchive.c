/*
 * libarchive.c: dlopen() of libarchive (see libarchive.h).
 */
#include "flare/libarchive.h"

#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#ifndef FW_LIBARCHIVE_SONAME
#error "FW_LIBARCHIVE_SONAME is set by configure (config.h)"
#endif

static const struct {
	const char *name;
	size_t offset;
} symbols[] = {
#define SYM(field, sym) { #sym, offsetof(struct fw_libarchive, field) }
	SYM(error_string, archive_error_string),
	SYM(filter_bytes, archive_filter_bytes),
	SYM(read_data_block, archive_read_data_block),
	SYM(read_free, archive_read_free),
	SYM(read_new, archive_read_new),
	SYM(read_next_header, archive_read_next_header),
	SYM(read_open_fd, archive_read_open_fd),
	SYM(read_support_format_zip_seekable, archive_read_support_format_zip_seekable),
	SYM(entry_filetype, archive_entry_filetype),
	SYM(entry_hardlink, archive_entry_hardlink),
	SYM(entry_is_encrypted, archive_entry_is_encrypted),
	SYM(entry_mtime, archive_entry_mtime),
	SYM(entry_mtime_is_set, archive_entry_mtime_is_set),
	SYM(entry_pathname, archive_entry_pathname),
	SYM(entry_pathname_utf8, archive_entry_pathname_utf8),
	SYM(entry_size, archive_entry_size),
	SYM(entry_size_is_set, archive_entry_size_is_set),
	SYM(entry_symlink, archive_entry_symlink),
#undef SYM
};

_Static_assert(sizeof(void *) == sizeof(void (*)(void)), "dlsym() results are stored as function pointers");
/* every field of struct fw_libarchive is in the table */
_Static_assert(sizeof(struct fw_libarchive) == sizeof(symbols) / sizeof(symbols[0]) * sizeof(void (*)(void)),
	       "struct fw_libarchive and the symbol table disagree");

static struct fw_libarchive lib;
static bool loaded;

const struct fw_libarchive *fw_libarchive(struct fw_error *err)
{
	void *h;

	if (loaded)
		return &lib;
	dlerror();
	h = dlopen(FW_LIBARCHIVE_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *e = dlerror();
		fw_err(err, -ENOENT, "cannot load %s (Debian package libarchive13): %s",
		       FW_LIBARCHIVE_SONAME, e ? e : "dlopen failed");
		return NULL;
	}
	for (size_t i = 0; i < sizeof(symbols) / sizeof(symbols[0]); i++) {
		void *f;
		dlerror();
		f = dlsym(h, symbols[i].name);
		if (!f) {
			const char *e = dlerror();
			fw_err(err, -ENOENT, "%s: %s missing: %s", FW_LIBARCHIVE_SONAME,
			       symbols[i].name, e ? e : "no such symbol");
			dlclose(h);
			return NULL;
		}
		/* POSIX: a data pointer from dlsym() converts to the function
		 * pointer it addresses; stored through memcpy, which C allows. */
		memcpy((char *)&lib + symbols[i].offset, &f, sizeof(f));
	}
	loaded = true;
	return &lib;
}
