/*
 * test_extract.c: unit tests for the flare zip extractor (src/flare/extract.c)
 * and the file-system helpers it relies on (src/base/fsutil.c).
 *
 * Every hostile archive in tests/fixtures/hostile/ (written by
 * make-hostile.py; see its README.md) must be refused with the right errno
 * and a message naming the archive and the problem, without creating
 * anything outside the destination folder: the archives aim at
 * "<tmp>/escaped" (beside the destination) and /tmp/flarewatch-escape-test,
 * and the test checks that neither appears and that the temporary folder
 * holds nothing but destinations. The good archives must extract exactly.
 * Fixtures are read from $abs_top_srcdir (exported by `make check`), else
 * from the current folder; scratch files go below $TMPDIR (or /tmp).
 */
#include "../tap.h"

#include "flare/extract.h"
#include "base/fsutil.h"
#include "base/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define ESCAPE_ABS "/tmp/flarewatch-escape-test"

static char fixtures[PATH_MAX];
static char base[PATH_MAX];	/* this run's private temporary folder */
static char escape_rel[PATH_MAX];	/* <base>/escaped */

static const char status_log[] =
	"===============\n"
	"Agent (v7.58.2)\n"
	"===============\n"
	"  Status date: 2024-10-02 14:21:52.317 UTC (1727878912317)\n";

static void pathf(char *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void pathf(char *out, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, PATH_MAX, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= PATH_MAX) {
		fprintf(stderr, "path too long\n");
		exit(99);
	}
}

static bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* Entries in a folder, or -1. */
static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static unsigned long long tree_bytes_sum;
static int add_bytes(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)path;
	(void)ftw;
	if (flag == FTW_F && S_ISREG(st->st_mode))
		tree_bytes_sum += (unsigned long long)st->st_size;
	return 0;
}

/* Bytes in the regular files below dir. */
static unsigned long long tree_bytes(const char *dir)
{
	tree_bytes_sum = 0;
	nftw(dir, add_bytes, 16, FTW_PHYS);
	return tree_bytes_sum;
}

/* Nothing but "out-*" folders in base: the archives created nothing beside
 * their destinations, and nothing at the absolute sentinel. */
static bool nothing_escaped(void)
{
	DIR *d = opendir(base);
	struct dirent *de;
	bool ok = true;

	if (!d)
		return false;
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (strncmp(de->d_name, "out-", 4) && strcmp(de->d_name, "keep")) {
			TAP_DIAG("unexpected %s/%s", base, de->d_name);
			ok = false;
		}
	}
	closedir(d);
	return ok && !exists(escape_rel) && !exists(ESCAPE_ABS);
}

static bool file_equals(const char *path, const void *want, size_t len)
{
	struct fw_error err;
	uint8_t *data;
	size_t n;
	bool ok;

	if (fw_read_file(path, 1 << 20, &data, &n, &err) < 0) {
		TAP_DIAG("%s", err.msg);
		return false;
	}
	ok = n == len && !memcmp(data, want, len);
	free(data);
	return ok;
}

static mode_t mode_of(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 ? st.st_mode : 0;
}

/* A fresh, private, empty destination "<base>/out-<tag>". */
static void make_dest(char *dest, const char *tag)
{
	pathf(dest, "%s/out-%s", base, tag);
	if (mkdir(dest, 0700) < 0) {
		fprintf(stderr, "%s: %s\n", dest, strerror(errno));
		exit(99);
	}
}

static void remove_dest(const char *dest, const char *tag)
{
	struct fw_error err;
	int r = fw_tree_remove(dest, &err);

	if (!TAP_EQ_INT(r, 0, "%s: fw_tree_remove cleans the destination", tag))
		TAP_DIAG("%s", err.msg);
	TAP_OK(!exists(dest), "%s: destination gone", tag);
}

/* ---- hostile archives ------------------------------------------------------ */

struct hostile {
	const char *file;
	int code;
	const char *what;	/* in the message */
	bool entry;		/* the message names an entry */
	bool early;		/* refused before anything is written */
	unsigned long long max_bytes; /* written at most (when not early) */
};

static const struct hostile hostile[] = {
	{ "abs-path.zip", -EINVAL, "absolute path", true, true, 0 },
	{ "dotdot.zip", -EINVAL, "\"..\" path component", true, true, 0 },
	{ "backslash.zip", -EINVAL, "backslash in the name", true, true, 0 },
	{ "empty-name.zip", -EINVAL, "empty name", true, true, 0 },
	{ "dot-component.zip", -EINVAL, "\".\" path component", true, true, 0 },
	{ "too-deep.zip", -EINVAL, "more than 64 path components", true, true, 0 },
	{ "long-name.zip", -EINVAL, "longer than NAME_MAX", true, true, 0 },
	{ "nul-name.zip", -EINVAL, "NUL byte in the name", true, true, 0 },
	{ "symlink.zip", -EINVAL, "symbolic link", true, true, 0 },
	{ "device.zip", -EINVAL, "character device", true, true, 0 },
	{ "fifo.zip", -EINVAL, "FIFO", true, true, 0 },
	{ "duplicate.zip", -EEXIST, "duplicate entry", true, true, 0 },
	{ "file-then-dir.zip", -EEXIST, "name clash", true, false, 7 },
	{ "encrypted.zip", -ENOTSUP, "encrypted entry", true, true, 0 },
	{ "bzip2.zip", -ENOTSUP, "compression method 12 (bzip2)", true, true, 0 },
	{ "truncated.zip", -EBADMSG, "truncated", false, true, 0 },
	{ "corrupt.zip", -EBADMSG, "not a zip archive", false, true, 0 },
	{ "bad-crc.zip", -EBADMSG, "CRC", true, false, 107 },
	{ "too-many-entries.zip", -E2BIG, "10001 entries, more than the limit of 10000", false,
	  true, 0 },
	{ "zip-bomb.zip", -EFBIG, "more than 200:1", true, true, 0 },
	{ "padded-bomb.zip", -EFBIG, "expands more than 200:1", true, false, 1u << 20 },
	{ "size-lie.zip", -EBADMSG, "more data than the 1000 bytes", true, false, 1000 },
	{ "overlap.zip", -EBADMSG, "overlaps the next entry", true, true, 0 },
	{ "local-name.zip", -EBADMSG, "local header disagrees", true, true, 0 },
	{ "prefix.zip", -EBADMSG, "data before the first entry", false, true, 0 },
};

static void test_hostile(const struct hostile *h)
{
	char zip[PATH_MAX], dest[PATH_MAX];
	struct fw_error err = { "" };
	int r;

	pathf(zip, "%s/%s", fixtures, h->file);
	make_dest(dest, h->file);
	r = fw_archive_extract(zip, dest, NULL, &err);
	TAP_DIAG("%s", err.msg);
	TAP_EQ_INT(r, h->code, "%s: refused with %s", h->file, strerror(-h->code));
	TAP_OK(strstr(err.msg, zip) != NULL, "%s: the message names the archive", h->file);
	TAP_OK(strstr(err.msg, h->what) != NULL, "%s: the message says \"%s\"", h->file, h->what);
	if (h->entry)
		TAP_OK(strstr(err.msg, ": entry \"") != NULL, "%s: the message names the entry",
		       h->file);
	TAP_OK(nothing_escaped(), "%s: nothing created outside the destination", h->file);
	if (h->early)
		TAP_EQ_INT(count_entries(dest), 0, "%s: refused before writing anything", h->file);
	else
		TAP_OK(tree_bytes(dest) <= h->max_bytes, "%s: at most %llu bytes written (%llu)",
		       h->file, h->max_bytes, tree_bytes(dest));
	remove_dest(dest, h->file);
}

/* ---- good archives ------------------------------------------------------------ */

static void test_good(const char *file)
{
	char zip[PATH_MAX], dest[PATH_MAX], p[PATH_MAX];
	uint8_t pprof[1024];
	struct fw_error err = { "" };
	int r;

	for (size_t i = 0; i < sizeof(pprof); i++)
		pprof[i] = (uint8_t)i;
	pathf(zip, "%s/%s", fixtures, file);
	make_dest(dest, file);
	r = fw_archive_extract(zip, dest, NULL, &err);
	if (!TAP_EQ_INT(r, 0, "%s: extracts", file))
		TAP_DIAG("%s", err.msg);
	pathf(p, "%s/host/status.log", dest);
	TAP_OK(file_equals(p, status_log, strlen(status_log)), "%s: host/status.log content", file);
	TAP_EQ_UINT(mode_of(p) & 07777, 0600, "%s: files are 0600", file);
	pathf(p, "%s/host/profiles/x.pprof", dest);
	TAP_OK(file_equals(p, pprof, sizeof(pprof)), "%s: host/profiles/x.pprof content", file);
	pathf(p, "%s/host/profiles", dest);
	TAP_EQ_UINT(mode_of(p) & 07777, 0700, "%s: folders are 0700", file);
	TAP_EQ_INT(count_entries(dest), 1, "%s: only host/ at the top", file);
	pathf(p, "%s/host", dest);
	TAP_EQ_INT(count_entries(p), 2, "%s: host/ holds status.log and profiles/", file);
	TAP_OK(nothing_escaped(), "%s: nothing outside the destination", file);
	remove_dest(dest, file);
}

/* The committed sample flares must all extract with the default limits. */
static void test_sample_flares(void)
{
	char dir[PATH_MAX], zip[PATH_MAX], dest[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int n = 0;

	pathf(dir, "%s/../flares", fixtures);
	d = opendir(dir);
	if (!d) {
		TAP_SKIP("no tests/fixtures/flares", "sample flares extract");
		return;
	}
	while ((de = readdir(d)) != NULL) {
		struct fw_error err = { "" };
		size_t len = strlen(de->d_name);
		int r;

		if (len < 5 || strcmp(de->d_name + len - 4, ".zip"))
			continue;
		pathf(zip, "%s/%s", dir, de->d_name);
		make_dest(dest, de->d_name);
		r = fw_archive_extract(zip, dest, NULL, &err);
		if (!TAP_EQ_INT(r, 0, "sample flare %s extracts", de->d_name))
			TAP_DIAG("%s", err.msg);
		TAP_OK(count_entries(dest) == 1, "sample flare %s: one top-level folder", de->d_name);
		remove_dest(dest, de->d_name);
		n++;
	}
	closedir(d);
	TAP_OK(n > 0, "found %d sample flares", n);
}

static void test_limits(void)
{
	char zip[PATH_MAX], dest[PATH_MAX];
	struct fw_archive_limits lim;
	struct fw_error err = { "" };
	int r;

	fw_archive_limits_default(&lim);
	TAP_EQ_UINT(lim.max_entries, 10000, "default max_entries");
	TAP_EQ_UINT(lim.max_total_bytes, 2ULL << 30, "default max_total_bytes");
	TAP_EQ_UINT(lim.max_ratio, 200, "default max_ratio");

	pathf(zip, "%s/good.zip", fixtures);
	make_dest(dest, "limit-entries");
	lim.max_entries = 1;
	r = fw_archive_extract(zip, dest, &lim, &err);
	TAP_DIAG("%s", err.msg);
	TAP_EQ_INT(r, -E2BIG, "max_entries 1 refuses good.zip");
	TAP_OK(strstr(err.msg, zip) && strstr(err.msg, "4 entries, more than the limit of 1"),
	       "the message gives the count and the limit");
	TAP_EQ_INT(count_entries(dest), 0, "nothing written");
	remove_dest(dest, "limit-entries");

	fw_archive_limits_default(&lim);
	lim.max_total_bytes = 10;
	make_dest(dest, "limit-bytes");
	r = fw_archive_extract(zip, dest, &lim, &err);
	TAP_DIAG("%s", err.msg);
	TAP_EQ_INT(r, -EFBIG, "max_total_bytes 10 refuses good.zip");
	TAP_OK(strstr(err.msg, zip) && strstr(err.msg, "more than 10 bytes"),
	       "the message gives the limit");
	TAP_OK(tree_bytes(dest) <= 10, "at most 10 bytes written");
	remove_dest(dest, "limit-bytes");

	/* Both limits at once, as the brief's "tiny limits" */
	lim.max_entries = 1;
	make_dest(dest, "limit-both");
	r = fw_archive_extract(zip, dest, &lim, &err);
	TAP_OK(r == -E2BIG || r == -EFBIG, "max_entries 1 + max_total_bytes 10 refuse good.zip");
	remove_dest(dest, "limit-both");

	/* Entries up to 1 MiB are exempt from the ratio check. */
	fw_archive_limits_default(&lim);
	lim.max_ratio = 1;
	pathf(zip, "%s/good-streamed.zip", fixtures);
	make_dest(dest, "limit-ratio");
	r = fw_archive_extract(zip, dest, &lim, &err);
	if (!TAP_EQ_INT(r, 0, "max_ratio 1: small deflated entries are exempt"))
		TAP_DIAG("%s", err.msg);
	remove_dest(dest, "limit-ratio");

	/* With the ratio allowed, the zip bomb's 300 MiB hit a 64 MiB total. */
	fw_archive_limits_default(&lim);
	lim.max_ratio = 1000000;
	lim.max_total_bytes = 64 << 20;
	pathf(zip, "%s/zip-bomb.zip", fixtures);
	make_dest(dest, "limit-bomb-total");
	r = fw_archive_extract(zip, dest, &lim, &err);
	TAP_DIAG("%s", err.msg);
	TAP_EQ_INT(r, -EFBIG, "zip-bomb.zip with no ratio limit: refused by the total");
	TAP_EQ_INT(count_entries(dest), 0, "nothing written");
	remove_dest(dest, "limit-bomb-total");
}

static void test_arguments(void)
{
	char zip[PATH_MAX], dest[PATH_MAX], p[PATH_MAX];
	struct fw_error err = { "" };
	int r;

	pathf(zip, "%s/good.zip", fixtures);

	make_dest(dest, "not-empty");
	pathf(p, "%s/already", dest);
	close(open(p, O_WRONLY | O_CREAT, 0600));
	r = fw_archive_extract(zip, dest, NULL, &err);
	TAP_EQ_INT(r, -ENOTEMPTY, "a destination that is not empty is refused");
	remove_dest(dest, "not-empty");

	make_dest(dest, "shared");
	chmod(dest, 0777);
	r = fw_archive_extract(zip, dest, NULL, &err);
	TAP_EQ_INT(r, -EPERM, "a world-writable destination is refused");
	TAP_EQ_INT(count_entries(dest), 0, "nothing written there");
	remove_dest(dest, "shared");

	make_dest(dest, "missing-zip");
	pathf(p, "%s/no-such.zip", fixtures);
	r = fw_archive_extract(p, dest, NULL, &err);
	TAP_EQ_INT(r, -ENOENT, "a missing archive: -ENOENT");
	TAP_OK(strstr(err.msg, p) != NULL, "the message names it");
	r = fw_archive_extract(fixtures, dest, NULL, &err);
	TAP_EQ_INT(r, -EINVAL, "a folder as the archive is refused");
	TAP_OK(strstr(err.msg, "not a regular file") != NULL, "\"not a regular file\"");
	remove_dest(dest, "missing-zip");

	pathf(p, "%s/out-none", base);
	r = fw_archive_extract(zip, p, NULL, &err);
	TAP_EQ_INT(r, -ENOENT, "a missing destination: -ENOENT");

	TAP_SKIP("zip cannot express hard links (libarchive's zip reader never returns one)",
		 "hardlink.zip");
}

/* ---- fsutil -------------------------------------------------------------------- */

static void touch(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		exit(99);
	}
	close(fd);
}

static void test_tree_remove(void)
{
	char outside[PATH_MAX], keep[PATH_MAX], tree[PATH_MAX], p[PATH_MAX], q[PATH_MAX];
	struct fw_error err = { "" };
	int r;

	/* base/keep: the outside folder the tree's symlinks point at */
	pathf(outside, "%s/keep", base);
	pathf(keep, "%s/keep.txt", outside);
	mkdir(outside, 0700);
	touch(keep, "keep me\n");

	pathf(tree, "%s/out-tree", base);
	pathf(p, "%s/a/b/c", tree);
	TAP_EQ_INT(fw_mkdir_p(p, 0700, &err), 0, "fw_mkdir_p builds a/b/c");
	pathf(p, "%s/a/b/c/file", tree);
	touch(p, "x");
	pathf(p, "%s/link-to-outside", tree);
	symlink(outside, p);
	pathf(p, "%s/a/link-to-file", tree);
	symlink(keep, p);
	pathf(p, "%s/a/dangling", tree);
	symlink("/nonexistent/flarewatch", p);
	pathf(p, "%s/fifo", tree);
	mkfifo(p, 0600);
	/* folders we may not write, or not even read */
	pathf(p, "%s/ro", tree);
	mkdir(p, 0700);
	pathf(q, "%s/ro/file", tree);
	touch(q, "x");
	chmod(p, 0500);
	pathf(p, "%s/a/noperm", tree);
	mkdir(p, 0700);
	pathf(q, "%s/a/noperm/sub", tree);
	mkdir(q, 0700);
	pathf(q, "%s/a/noperm/sub/file", tree);
	touch(q, "x");
	chmod(p, 0);

	r = fw_tree_remove(tree, &err);
	if (!TAP_EQ_INT(r, 0, "fw_tree_remove removes a tree with symlinks, a FIFO and "
			"read-only folders"))
		TAP_DIAG("%s", err.msg);
	TAP_OK(!exists(tree), "the tree is gone");
	TAP_OK(file_equals(keep, "keep me\n", 8), "the symlinks' target is untouched");
	TAP_EQ_INT(count_entries(outside), 1, "the outside folder still holds its file");

	/* a symlink given as the path: removed, not followed */
	pathf(p, "%s/out-toplink", base);
	symlink(outside, p);
	r = fw_tree_remove(p, &err);
	TAP_EQ_INT(r, 0, "fw_tree_remove on a symlink to a folder");
	TAP_OK(!exists(p) && file_equals(keep, "keep me\n", 8), "the link is gone, not its target");

	pathf(p, "%s/out-nothing", base);
	TAP_EQ_INT(fw_tree_remove(p, &err), 0, "fw_tree_remove of a missing path is not an error");
	TAP_EQ_INT(fw_tree_remove("", &err), -EINVAL, "fw_tree_remove(\"\") is refused");

	/* deeper than 256 folders: a clear error, then removal in two steps */
	{
		char *deep = malloc(PATH_MAX);
		size_t len;

		pathf(tree, "%s/out-deep", base);
		len = strlen(tree);
		memcpy(deep, tree, len + 1);
		mkdir(deep, 0700);
		for (int i = 0; i < 300; i++) {
			memcpy(deep + len, "/d", 3);
			len += 2;
			if (mkdir(deep, 0700) < 0) {
				fprintf(stderr, "%s: %s\n", deep, strerror(errno));
				exit(99);
			}
		}
		r = fw_tree_remove(tree, &err);
		TAP_DIAG("%s", err.msg);
		TAP_EQ_INT(r, -ELOOP, "a tree 300 folders deep: -ELOOP");
		TAP_OK(strstr(err.msg, "more than 256 nested folders") != NULL,
		       "the message says why");
		deep[strlen(tree) + 2 * 150] = 0;
		r = fw_tree_remove(deep, &err);
		TAP_EQ_INT(r, 0, "its lower 150 levels can be removed");
		r = fw_tree_remove(tree, &err);
		TAP_EQ_INT(r, 0, "then the rest");
		TAP_OK(!exists(tree), "the deep tree is gone");
		free(deep);
	}

	/* another file system mounted inside the tree is not entered */
	pathf(tree, "%s/out-mount", base);
	pathf(p, "%s/mnt", tree);
	fw_mkdir_p(p, 0700, &err);
	if (mount("tmpfs", p, "tmpfs", 0, "size=64k") < 0) {
		TAP_SKIP("cannot mount a tmpfs here", "fw_tree_remove stops at a mount point");
	} else {
		pathf(q, "%s/mnt/inside", tree);
		touch(q, "x");
		r = fw_tree_remove(tree, &err);
		TAP_DIAG("%s", err.msg);
		TAP_EQ_INT(r, -EXDEV, "fw_tree_remove stops at a mount point: -EXDEV");
		TAP_OK(exists(q), "the mounted file system's files are untouched");
		umount(p);
		TAP_EQ_INT(fw_tree_remove(tree, &err), 0, "after umount the tree goes");
	}

	/* A bind mount of the outside folder: the same file system (st_dev),
	 * only the mount id tells it apart. */
	pathf(tree, "%s/out-bind", base);
	pathf(p, "%s/bind", tree);
	fw_mkdir_p(p, 0700, &err);
	if (mount(outside, p, NULL, MS_BIND, NULL) < 0) {
		TAP_SKIP("cannot bind-mount here", "fw_tree_remove stops at a bind mount");
	} else {
		r = fw_tree_remove(tree, &err);
		TAP_DIAG("%s", err.msg);
		TAP_EQ_INT(r, -EXDEV, "fw_tree_remove stops at a bind mount: -EXDEV");
		TAP_OK(file_equals(keep, "keep me\n", 8), "the bind-mounted folder is untouched");
		umount(p);
		TAP_EQ_INT(fw_tree_remove(tree, &err), 0, "after umount the tree goes");
	}
}

static void test_write_atomic(void)
{
	char dir[PATH_MAX], p[PATH_MAX];
	struct fw_error err = { "" };
	int r;

	pathf(dir, "%s/out-atomic/sub", base);
	TAP_EQ_INT(fw_mkdir_p(dir, 0700, &err), 0, "fw_mkdir_p");
	TAP_EQ_INT(fw_mkdir_p(dir, 0700, &err), 0, "fw_mkdir_p again (exists)");
	pathf(p, "%s/file.txt", dir);
	r = fw_write_file_atomic(p, "hello\n", 6, 0640, &err);
	TAP_EQ_INT(r, 0, "fw_write_file_atomic writes");
	TAP_OK(file_equals(p, "hello\n", 6), "round trip");
	TAP_EQ_UINT(mode_of(p) & 07777, 0640, "with the mode asked");
	r = fw_write_file_atomic(p, "bye\n", 4, 0600, &err);
	TAP_OK(r == 0 && file_equals(p, "bye\n", 4), "and replaces");
	r = fw_write_file_atomic(p, NULL, 0, 0600, &err);
	TAP_OK(r == 0 && file_equals(p, "", 0), "an empty file");
	TAP_EQ_INT(count_entries(dir), 1, "no temporary file left behind");

	pathf(p, "%s/missing/file.txt", dir);
	r = fw_write_file_atomic(p, "x", 1, 0600, &err);
	TAP_EQ_INT(r, -ENOENT, "into a missing folder: -ENOENT");
	TAP_OK(strstr(err.msg, p) != NULL, "the message names the path");

	pathf(p, "%s/adir", dir);
	mkdir(p, 0700);
	r = fw_write_file_atomic(p, "x", 1, 0600, &err);
	TAP_OK(r < 0 && strstr(err.msg, p), "over a folder: refused (%s)", err.msg);
	TAP_EQ_INT(count_entries(dir), 2, "no temporary file left behind after a failed rename");
	pathf(p, "%s/", dir);
	TAP_EQ_INT(fw_write_file_atomic(p, "x", 1, 0600, &err), -EISDIR, "a path ending in '/'");

	pathf(p, "%s/file.txt/below", dir);
	r = fw_mkdir_p(p, 0700, &err);
	TAP_EQ_INT(r, -ENOTDIR, "fw_mkdir_p through a file: -ENOTDIR");
	TAP_OK(strstr(err.msg, "file.txt") != NULL, "the message names the file");
}

static void test_tmpdir(void)
{
	char out[PATH_MAX], small[8];
	struct fw_error err = { "" };
	int r;

	r = fw_tmpdir_create(base, "out-t-", out, sizeof(out), &err);
	TAP_EQ_INT(r, 0, "fw_tmpdir_create");
	TAP_OK(!strncmp(out, base, strlen(base)) && strstr(out, "/out-t-"), "below parent: %s",
	       out);
	TAP_EQ_UINT(mode_of(out) & 07777, 0700, "mode 0700");
	TAP_OK(S_ISDIR(mode_of(out)), "a folder");
	r = fw_tmpdir_create(base, "a/b", out, sizeof(out), &err);
	TAP_OK(r == -EINVAL && out[0] == 0, "a prefix with '/' is refused, out is \"\"");
	r = fw_tmpdir_create(base, "x", small, sizeof(small), &err);
	TAP_OK(r == -ENAMETOOLONG && small[0] == 0, "too small a buffer, out is \"\"");
	setenv("TMPDIR", base, 1);
	r = fw_tmpdir_create(NULL, "out-env-", out, sizeof(out), &err);
	TAP_OK(r == 0 && !strncmp(out, base, strlen(base)), "parent NULL uses $TMPDIR");
}

int main(void)
{
	const char *top = getenv("abs_top_srcdir");
	struct fw_error err = { "" };
	int r;

	umask(022);
	pathf(fixtures, "%s/tests/fixtures/hostile", top && *top ? top : ".");
	/* a leftover from an earlier, broken run would be blamed on this one */
	if (unlink(ESCAPE_ABS) == 0)
		TAP_DIAG("removed a stale %s", ESCAPE_ABS);
	if (fw_tmpdir_create(NULL, "flarewatch-test-archive-", base, sizeof(base), &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 99;
	}
	pathf(escape_rel, "%s/escaped", base);

	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++)
		test_hostile(&hostile[i]);
	test_good("good.zip");
	test_good("good-streamed.zip");
	test_good("good-zip64.zip");
	test_good("good-zip64-local.zip");
	test_sample_flares();
	test_limits();
	test_arguments();
	test_tree_remove();
	test_write_atomic();
	test_tmpdir();

	TAP_OK(nothing_escaped(), "in the end, nothing escaped");
	r = fw_tree_remove(base, &err);
	if (!TAP_EQ_INT(r, 0, "the test's temporary folder is removed"))
		TAP_DIAG("%s", err.msg);
	return tap_done();
}
