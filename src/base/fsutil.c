/*
 * fsutil.c: temporary folders, tree removal, mkdir -p and atomic writes
 * (see fsutil.h). fw_tree_remove() works relative to open folder
 * descriptors: every name is examined with AT_SYMLINK_NOFOLLOW, folders
 * are opened with O_NOFOLLOW|O_DIRECTORY and checked to be the folder
 * that was examined, so a symlink planted in a tree (by an archive or by
 * anyone racing us) is removed, never followed.
 */
#include "base/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define TREE_MAX_DEPTH 256

int fw_tmpdir_create(const char *parent, const char *prefix, char *out, size_t outlen,
		     struct fw_error *err)
{
	int n;

	if (!out || outlen == 0)
		return fw_err(err, -EINVAL, "temporary folder: no room for the path");
	out[0] = 0;
	if (!parent)
		parent = getenv("TMPDIR");
	if (!parent || !*parent)
		parent = "/tmp";
	if (!prefix)
		prefix = "";
	if (strchr(prefix, '/'))
		return fw_err(err, -EINVAL, "%s: temporary folder prefix \"%s\" contains '/'", parent,
			      prefix);
	n = snprintf(out, outlen, "%s/%sXXXXXX", parent, prefix);
	if (n < 0 || (size_t)n >= outlen) {
		out[0] = 0;
		return fw_err(err, -ENAMETOOLONG, "%s: temporary folder path too long", parent);
	}
	if (!mkdtemp(out)) {
		int e = errno;
		out[0] = 0;
		return fw_err(err, -e, "%s: cannot create a temporary folder: %s", parent, strerror(e));
	}
	return 0;
}

/* ---- fw_tree_remove ------------------------------------------------------ */

/* What we know of a name: from statx when the kernel has it (it also gives
 * the mount id, which tells bind mounts of the same file system apart),
 * else from fstatat. */
struct node {
	mode_t mode;
	dev_t dev;
	ino_t ino;
	bool has_mnt;
	uint64_t mnt;
};

static int node_stat(int dfd, const char *name, struct node *n)
{
	struct stat st;

#if defined(STATX_MNT_ID) && defined(AT_NO_AUTOMOUNT)
	struct statx sx;
	if (statx(dfd, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT,
		  STATX_TYPE | STATX_MODE | STATX_INO | STATX_MNT_ID, &sx) == 0) {
		n->mode = sx.stx_mode;
		n->dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
		n->ino = sx.stx_ino;
		n->has_mnt = (sx.stx_mask & STATX_MNT_ID) != 0;
		n->mnt = sx.stx_mnt_id;
		return 0;
	}
	if (errno != ENOSYS && errno != EINVAL)
		return -errno;
#endif
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	n->mode = st.st_mode;
	n->dev = st.st_dev;
	n->ino = st.st_ino;
	n->has_mnt = false;
	n->mnt = 0;
	return 0;
}

struct rm {
	const char *top;
	struct fw_error *err;
	int r;			/* the first error */
	struct node root;	/* the tree's own file system */
	char rel[PATH_MAX];	/* where we are below top, for messages */
	size_t len;
	int hidden;		/* levels that did not fit in rel */
};

static void note(struct rm *x, int e, const char *what)
{
	if (x->r < 0)
		return;
	x->r = fw_err(x->err, -e, "%s%s%s%s: %s", x->top, x->len ? "/" : "", x->rel,
		      x->hidden ? "/..." : "", what ? what : strerror(e));
}

static size_t push(struct rm *x, const char *name)
{
	size_t old = x->len, n = strlen(name);

	if (x->hidden || old + 1 + n >= sizeof(x->rel)) {
		x->hidden++;
		return old;
	}
	if (old)
		x->rel[x->len++] = '/';
	memcpy(x->rel + x->len, name, n + 1);
	x->len += n;
	return old;
}

static void pop(struct rm *x, size_t old)
{
	if (x->hidden) {
		x->hidden--;
		return;
	}
	x->len = old;
	x->rel[old] = 0;
}

/* Opens the folder name (in dfd) that was examined as *n, making it
 * readable and writable for us first if needed. Returns the descriptor or
 * -1 after noting the error. */
static int open_dir(struct rm *x, int dfd, const char *name, const struct node *n)
{
	const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY;
	struct stat st;
	int fd;

	fd = openat(dfd, name, flags);
	if (fd < 0 && errno == EACCES) {
		/* No read permission: only then change the mode by name.
		 * With AT_SYMLINK_NOFOLLOW, glibc refuses (EOPNOTSUPP) to
		 * change what a symlink swapped in meanwhile points to. */
		if (fchmodat(dfd, name, (n->mode & 07777) | S_IRWXU, AT_SYMLINK_NOFOLLOW) < 0) {
			note(x, errno, NULL);
			return -1;
		}
		fd = openat(dfd, name, flags);
	}
	if (fd < 0) {
		note(x, errno, NULL);
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		note(x, errno, NULL);
		close(fd);
		return -1;
	}
	if (st.st_dev != n->dev || st.st_ino != n->ino) {
		note(x, EAGAIN, "changed while it was being removed");
		close(fd);
		return -1;
	}
	/* Entries can only be removed from a folder we may write and search. */
	if ((st.st_mode & S_IRWXU) != S_IRWXU && fchmod(fd, (st.st_mode & 07777) | S_IRWXU) < 0) {
		note(x, errno, NULL);
		close(fd);
		return -1;
	}
	return fd;
}

static void remove_dir(struct rm *x, int dfd, const char *name, const struct node *n, int depth);

/* Removes everything in the folder open as fd, which it closes. */
static void empty_dir(struct rm *x, int fd, int depth)
{
	struct dirent *de;
	DIR *d;

	d = fdopendir(fd);
	if (!d) {
		note(x, errno, NULL);
		close(fd);
		return;
	}
	for (;;) {
		struct node n;
		size_t old;
		int r;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				note(x, errno, NULL);
			break;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		old = push(x, de->d_name);
		r = node_stat(dirfd(d), de->d_name, &n);
		if (r < 0) {
			if (r != -ENOENT)
				note(x, -r, NULL);
		} else if (S_ISDIR(n.mode)) {
			remove_dir(x, dirfd(d), de->d_name, &n, depth + 1);
		} else if (unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT) {
			note(x, errno, NULL);
		}
		pop(x, old);
	}
	closedir(d);
}

static void remove_dir(struct rm *x, int dfd, const char *name, const struct node *n, int depth)
{
	int fd;

	if (depth > TREE_MAX_DEPTH) {
		note(x, ELOOP, "more than 256 nested folders; the deeper ones are left in place");
		return;
	}
	if (n->dev != x->root.dev ||
	    (n->has_mnt && x->root.has_mnt && n->mnt != x->root.mnt)) {
		note(x, EXDEV, "a mount point (another file system or a bind mount); "
		     "not entered, left in place");
		return;
	}
	fd = open_dir(x, dfd, name, n);
	if (fd < 0)
		return;
	empty_dir(x, fd, depth);
	if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		note(x, errno, NULL);
}

int fw_tree_remove(const char *path, struct fw_error *err)
{
	struct rm *x;
	int r;

	if (!path || !*path)
		return fw_err(err, -EINVAL, "tree removal: empty path");
	x = calloc(1, sizeof(*x));
	if (!x)
		return fw_err(err, -ENOMEM, "%s: out of memory", path);
	x->top = path;
	x->err = err;
	r = node_stat(AT_FDCWD, path, &x->root);
	if (r == -ENOENT) {
		r = 0;
	} else if (r < 0) {
		r = fw_err(err, r, "%s: %s", path, strerror(-r));
	} else if (!S_ISDIR(x->root.mode)) {
		if (unlink(path) < 0 && errno != ENOENT)
			r = fw_err(err, -errno, "%s: %s", path, strerror(errno));
	} else {
		remove_dir(x, AT_FDCWD, path, &x->root, 0);
		r = x->r;
	}
	free(x);
	return r;
}

/* ---- fw_mkdir_p ------------------------------------------------------------ */

static int make_one(const char *dir, mode_t mode, struct fw_error *err)
{
	struct stat st;
	int e;

	if (mkdir(dir, mode) == 0)
		return 0;
	e = errno;
	/* EEXIST, but also EACCES or EROFS for a folder that already exists */
	if (stat(dir, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		return fw_err(err, -ENOTDIR, "%s: exists and is not a folder", dir);
	}
	return fw_err(err, -e, "%s: cannot create the folder: %s", dir, strerror(e));
}

int fw_mkdir_p(const char *path, mode_t mode, struct fw_error *err)
{
	char buf[PATH_MAX];
	size_t n;
	int r;

	if (!path || !*path)
		return fw_err(err, -EINVAL, "mkdir: empty path");
	n = strlen(path);
	if (n >= sizeof(buf))
		return fw_err(err, -ENAMETOOLONG, "%.200s...: path too long", path);
	memcpy(buf, path, n + 1);
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = 0;
	for (size_t i = 1; i < n; i++) {
		if (buf[i] != '/' || buf[i - 1] == '/')
			continue;
		buf[i] = 0;
		r = make_one(buf, mode | S_IWUSR | S_IXUSR, err);
		buf[i] = '/';
		if (r < 0)
			return r;
	}
	return make_one(buf, mode, err);
}

/* ---- fw_write_file_atomic ---------------------------------------------------- */

int fw_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
			 struct fw_error *err)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	const char *slash, *base;
	const unsigned char *p = data;
	size_t done = 0, dlen;
	int fd = -1, dfd, n, r;

	if (!path || !*path)
		return fw_err(err, -EINVAL, "write: empty path");
	if (!data && len)
		return fw_err(err, -EINVAL, "%s: no data to write", path);
	slash = strrchr(path, '/');
	base = slash ? slash + 1 : path;
	if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
		return fw_err(err, -EISDIR, "%s: not a file name", path);
	dlen = slash ? (size_t)(slash - path) : 0;
	if (slash == path)
		dlen = 1; /* "/name": the folder is "/" */
	if (dlen >= sizeof(dir))
		return fw_err(err, -ENAMETOOLONG, "%s: path too long", path);
	if (slash)
		memcpy(dir, path, dlen);
	else
		dir[dlen++] = '.';
	dir[dlen] = 0;
	/* ".<name>.XXXXXX" beside the file; a long name is cut to stay
	 * within NAME_MAX. */
	n = snprintf(tmp, sizeof(tmp), "%.*s.%.200s.XXXXXX", slash ? (int)(slash - path + 1) : 0,
		     path, base);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return fw_err(err, -ENAMETOOLONG, "%s: path too long", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return fw_err(err, -errno, "%s: cannot create a temporary file: %s", path,
			      strerror(errno));
	while (done < len) {
		ssize_t k = write(fd, p + done, len - done);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r = fw_err(err, -errno, "%s: write failed: %s", path, strerror(errno));
			goto fail;
		}
		if (k == 0) {
			r = fw_err(err, -EIO, "%s: write failed: wrote nothing", path);
			goto fail;
		}
		done += (size_t)k;
	}
	if (fchmod(fd, mode & 07777) < 0) {
		r = fw_err(err, -errno, "%s: cannot set the mode: %s", path, strerror(errno));
		goto fail;
	}
	if (fsync(fd) < 0) {
		r = fw_err(err, -errno, "%s: fsync failed: %s", path, strerror(errno));
		goto fail;
	}
	r = close(fd);
	fd = -1;
	if (r < 0) {
		r = fw_err(err, -errno, "%s: write failed: %s", path, strerror(errno));
		goto fail;
	}
	if (rename(tmp, path) < 0) {
		r = fw_err(err, -errno, "%s: cannot rename the temporary file into place: %s", path,
			   strerror(errno));
		goto fail;
	}
	/* The rename is durable once the folder is synced. Some file
	 * systems cannot sync a folder (EINVAL): that is not an error. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return fw_err(err, -errno, "%s: written, but its folder cannot be opened to sync: %s",
			      path, strerror(errno));
	if (fsync(dfd) < 0 && errno != EINVAL && errno != EROFS && errno != ENOTSUP) {
		r = fw_err(err, -errno, "%s: written, but syncing its folder failed: %s", path,
			   strerror(errno));
		close(dfd);
		return r;
	}
	close(dfd);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return r;
}
