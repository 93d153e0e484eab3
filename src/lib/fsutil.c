/*
 * fsutil.c: temporary folders, tree removal, mkdir -p and atomic writes
 * (see fsutil.h). Everything works relative to open folder descriptors
 * with O_NOFOLLOW, so a symlink planted in a tree is removed, not followed.
 */
#include "fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DEPTH 256

int fw_tmpdir_create(const char *parent, const char *prefix, char *out, size_t outlen,
		     struct fw_error *err)
{
	if (!parent)
		parent = getenv("TMPDIR");
	if (!parent || !*parent)
		parent = "/tmp";
	if (snprintf(out, outlen, "%s/%sXXXXXX", parent, prefix) >= (int)outlen)
		return fw_err(err, -ENAMETOOLONG, "%s: path too long", parent);
	if (!mkdtemp(out))
		return fw_err(err, -errno, "%s: cannot create a temporary folder: %s", parent, strerror(errno));
	return 0;
}

/* Empties the folder open as fd (which it closes). dev is the tree's file
 * system: a mount point below is left alone and reported. */
static int empty_dir(int fd, dev_t dev, int depth, const char *top, struct fw_error *err)
{
	DIR *d;
	struct dirent *de;
	int r = 0;

	if (depth > MAX_DEPTH) {
		close(fd);
		return fw_err(err, -ELOOP, "%s: more than %d nested folders", top, MAX_DEPTH);
	}
	d = fdopendir(fd);
	if (!d) {
		r = fw_err(err, -errno, "%s: %s", top, strerror(errno));
		close(fd);
		return r;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		struct stat st;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue;
			r = fw_err(err, -errno, "%s: %s: %s", top, de->d_name, strerror(errno));
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			int sub;
			if (st.st_dev != dev) {
				r = fw_err(err, -EXDEV, "%s: %s is another file system; not removed", top,
					   de->d_name);
				break;
			}
			/* a read-only folder cannot be emptied: make it writable */
			if (!(st.st_mode & S_IWUSR))
				fchmodat(dirfd(d), de->d_name, (st.st_mode & 07777) | S_IRWXU, 0);
			sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				r = fw_err(err, -errno, "%s: %s: %s", top, de->d_name, strerror(errno));
				break;
			}
			if ((r = empty_dir(sub, dev, depth + 1, top, err)) < 0)
				break;
			if (unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) < 0) {
				r = fw_err(err, -errno, "%s: %s: %s", top, de->d_name, strerror(errno));
				break;
			}
		} else if (unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT) {
			r = fw_err(err, -errno, "%s: %s: %s", top, de->d_name, strerror(errno));
			break;
		}
	}
	if (r == 0 && errno)
		r = fw_err(err, -errno, "%s: %s", top, strerror(errno));
	closedir(d);
	return r;
}

int fw_tree_remove(const char *path, struct fw_error *err)
{
	struct stat st;
	int fd, r;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : fw_err(err, -errno, "%s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		if (unlink(path) < 0)
			return fw_err(err, -errno, "%s: %s", path, strerror(errno));
		return 0;
	}
	if (!(st.st_mode & S_IWUSR))
		chmod(path, (st.st_mode & 07777) | S_IRWXU);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return fw_err(err, -errno, "%s: %s", path, strerror(errno));
	if ((r = empty_dir(fd, st.st_dev, 0, path, err)) < 0)
		return r;
	if (rmdir(path) < 0)
		return fw_err(err, -errno, "%s: %s", path, strerror(errno));
	return 0;
}

int fw_mkdir_p(const char *path, mode_t mode, struct fw_error *err)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return fw_err(err, -ENAMETOOLONG, "%s: invalid folder path", path);
	memcpy(buf, path, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != 0)
			continue;
		char c = buf[i];
		buf[i] = 0;
		if (mkdir(buf, mode) < 0 && errno != EEXIST) {
			int e = errno;
			return fw_err(err, -e, "%s: %s", buf, strerror(e));
		}
		buf[i] = c;
	}
	{
		struct stat st;
		if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
			return fw_err(err, -ENOTDIR, "%s: not a folder", path);
	}
	return 0;
}

int fw_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
			 struct fw_error *err)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	const unsigned char *p = data;
	size_t done = 0;
	int fd, dfd, r = 0;

	if (snprintf(tmp, sizeof(tmp), "%.*s.%s.XXXXXX", slash ? (int)(slash - path + 1) : 0, path,
		     slash ? slash + 1 : path) >= (int)sizeof(tmp))
		return fw_err(err, -ENAMETOOLONG, "%s: path too long", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return fw_err(err, -errno, "%s: cannot create a temporary file: %s", path, strerror(errno));
	while (done < len) {
		ssize_t k = write(fd, p + done, len - done);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r = fw_err(err, -errno, "%s: write failed: %s", path, strerror(errno));
			goto fail;
		}
		done += (size_t)k;
	}
	if (fchmod(fd, mode) < 0 || fsync(fd) < 0) {
		r = fw_err(err, -errno, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		r = fw_err(err, -errno, "%s: %s", path, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		r = fw_err(err, -errno, "%s: %s", path, strerror(errno));
		goto fail;
	}
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) + (slash == path) : 1,
		 slash ? path : ".");
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd); /* best effort: some file systems refuse fsync on folders */
		close(dfd);
	}
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return r;
}
