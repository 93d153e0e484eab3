/*
 * extract.c: flare zip extraction (see extract.h).
 *
 * The compression ratio of an entry is measured while it is written: the
 * bytes libarchive has read from the file since the entry's header
 * (archive_filter_bytes) against the bytes written so far. Read-ahead only
 * makes the measured ratio smaller, so the check can be late by one
 * buffer, never wrong. Entries below 1 MiB are exempt: small text files of
 * repeated characters legitimately compress beyond 200:1.
 */
#include "extract.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RATIO_EXEMPT (1u << 20)
#define MAX_COMPONENTS 64

void fw_archive_limits_default(struct fw_archive_limits *l)
{
	l->max_entries = 10000;
	l->max_total_bytes = (uint64_t)2 << 30;
	l->max_ratio = 200;
}

/* The entry name for messages: printable, bounded. */
static void shown(char *out, size_t len, const char *name)
{
	size_t k = 0;
	for (size_t i = 0; name[i] && k + 4 < len; i++) {
		unsigned char c = (unsigned char)name[i];
		out[k++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
		if (i >= 200) {
			memcpy(out + k, "...", 3);
			k += 3;
			break;
		}
	}
	out[k] = 0;
}

/* Splits a relative name into components, refusing anything that could
 * leave the destination or that no agent writes. */
static const char *check_name(const char *name, char *copy, size_t copylen, char **comps, int *n)
{
	size_t len = strlen(name);
	char *save = NULL, *tok;

	*n = 0;
	if (len == 0)
		return "empty name";
	if (len >= copylen || len >= PATH_MAX)
		return "name too long";
	if (name[0] == '/')
		return "absolute path";
	if (strchr(name, '\\'))
		return "backslash in name (Windows path separators are not accepted)";
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)name[i] < 0x20)
			return "control character in name";
	memcpy(copy, name, len + 1);
	for (tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (!strcmp(tok, ".."))
			return "\"..\" in path";
		if (!strcmp(tok, "."))
			continue;
		if (*n >= MAX_COMPONENTS)
			return "path too deep";
		comps[(*n)++] = tok;
	}
	if (*n == 0)
		return "empty name";
	return NULL;
}

/* Opens (creating as needed) the folder of components [0, n) under root. */
static int open_parent(int root, char **comps, int n, int *out)
{
	int fd = dup(root);

	if (fd < 0)
		return -errno;
	for (int i = 0; i < n; i++) {
		int sub;
		if (mkdirat(fd, comps[i], 0700) < 0 && errno != EEXIST) {
			int e = errno;
			close(fd);
			return -e;
		}
		sub = openat(fd, comps[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		if (sub < 0)
			return errno == ELOOP || errno == ENOTDIR ? -ENOTDIR : -errno;
		fd = sub;
	}
	*out = fd;
	return 0;
}

struct extract {
	const char *path;
	struct fw_error *err;
	const struct fw_archive_limits *lim;
	struct archive *a;
	uint64_t total;
};

static int refuse(struct extract *x, const char *entry, const char *why)
{
	char name[256];
	shown(name, sizeof(name), entry);
	return fw_err(x->err, -EINVAL, "%s: refused: entry \"%s\": %s", x->path, name, why);
}

static int write_entry(struct extract *x, int fd, const char *entry)
{
	int64_t start = archive_filter_bytes(x->a, -1);
	uint64_t written = 0;

	for (;;) {
		const void *buf;
		size_t size;
		la_int64_t off;
		int r = archive_read_data_block(x->a, &buf, &size, &off);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			char name[256];
			shown(name, sizeof(name), entry);
			return fw_err(x->err, -EINVAL, "%s: corrupt or truncated archive at entry \"%s\": %s",
				      x->path, name, archive_error_string(x->a) ? archive_error_string(x->a) : "?");
		}
		if (size > x->lim->max_total_bytes - x->total)
			return refuse(x, entry, "the archive expands to more than the total size limit");
		if (off < 0)
			return refuse(x, entry, "invalid data offset");
		for (size_t done = 0; done < size;) {
			ssize_t k = pwrite(fd, (const char *)buf + done, size - done, (off_t)off + (off_t)done);
			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0)
				return fw_err(x->err, -errno, "%s: writing %s: %s", x->path, entry, strerror(errno));
			done += (size_t)k;
		}
		x->total += size;
		written += size;
		if (written > RATIO_EXEMPT) {
			int64_t raw = archive_filter_bytes(x->a, -1) - start;
			if (raw < 1)
				raw = 1;
			if (written / (uint64_t)raw > x->lim->max_ratio) {
				char why[128];
				snprintf(why, sizeof(why), "compression ratio above %u:1 (an archive bomb?)",
					 x->lim->max_ratio);
				return refuse(x, entry, why);
			}
		}
	}
}

int fw_archive_extract(const char *path, const char *dir, const struct fw_archive_limits *limits,
		       struct fw_error *err)
{
	struct fw_archive_limits lim;
	struct extract x = { 0 };
	struct archive_entry *e;
	uint64_t count = 0;
	int root, r = 0;

	if (limits)
		lim = *limits;
	else
		fw_archive_limits_default(&lim);
	x.path = path;
	x.err = err;
	x.lim = &lim;
	root = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (root < 0)
		return fw_err(err, -errno, "%s: %s", dir, strerror(errno));
	x.a = archive_read_new();
	if (!x.a) {
		close(root);
		return fw_err(err, -ENOMEM, "%s: out of memory", path);
	}
	archive_read_support_format_zip(x.a);
	if (archive_read_open_filename(x.a, path, 64 * 1024) != ARCHIVE_OK) {
		r = fw_err(err, -EINVAL, "%s: not a readable zip archive: %s", path,
			   archive_error_string(x.a) ? archive_error_string(x.a) : "?");
		goto out;
	}
	for (;;) {
		char copy[PATH_MAX], *comps[MAX_COMPONENTS];
		const char *name, *why;
		int n, ret, parent, fd;
		mode_t type;

		ret = archive_read_next_header(x.a, &e);
		if (ret == ARCHIVE_EOF)
			break;
		if (ret != ARCHIVE_OK && ret != ARCHIVE_WARN) {
			r = fw_err(err, -EINVAL, "%s: corrupt or truncated archive: %s", path,
				   archive_error_string(x.a) ? archive_error_string(x.a) : "?");
			goto out;
		}
		if (++count > lim.max_entries) {
			r = fw_err(err, -E2BIG, "%s: refused: more than %llu entries", path,
				   (unsigned long long)lim.max_entries);
			goto out;
		}
		name = archive_entry_pathname(e);
		if (!name) {
			r = refuse(&x, "?", "entry without a usable name");
			goto out;
		}
		if ((why = check_name(name, copy, sizeof(copy), comps, &n)) != NULL) {
			r = refuse(&x, name, why);
			goto out;
		}
		if (archive_entry_is_encrypted(e)) {
			r = refuse(&x, name, "encrypted entry");
			goto out;
		}
		if (archive_entry_hardlink(e)) {
			r = refuse(&x, name, "hard link");
			goto out;
		}
		type = archive_entry_filetype(e);
		if (type == AE_IFLNK || archive_entry_symlink(e)) {
			r = refuse(&x, name, "symbolic link");
			goto out;
		}
		if (type != AE_IFREG && type != AE_IFDIR) {
			r = refuse(&x, name, "device, FIFO or socket entry");
			goto out;
		}
		if (type == AE_IFDIR) {
			if ((ret = open_parent(root, comps, n, &parent)) < 0) {
				r = refuse(&x, name, ret == -ENOTDIR ? "a folder where a file is" : strerror(-ret));
				goto out;
			}
			close(parent);
			continue;
		}
		if ((ret = open_parent(root, comps, n - 1, &parent)) < 0) {
			r = refuse(&x, name, ret == -ENOTDIR ? "a path through a file" : strerror(-ret));
			goto out;
		}
		fd = openat(parent, comps[n - 1], O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		ret = errno;
		close(parent);
		if (fd < 0) {
			r = refuse(&x, name, ret == EEXIST ? "duplicate entry" : strerror(ret));
			goto out;
		}
		r = write_entry(&x, fd, name);
		if (close(fd) < 0 && r == 0)
			r = fw_err(err, -errno, "%s: writing %s: %s", path, name, strerror(errno));
		if (r < 0)
			goto out;
	}
	r = 0;
out:
	archive_read_free(x.a);
	close(root);
	return r;
}
