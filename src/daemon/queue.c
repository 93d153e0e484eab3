/*
 * queue.c: the state directory (processing/, done/, failed/, seen/) and
 * every move of a flare through it; see queue.h for the rules. All moves
 * are renames inside one file system through directory descriptors, and
 * none of them replaces an existing file.
 */
#include "queue.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "record.h"
#include "base/fwconfig.h"
#include "base/sha256.h"

/* The folders the daemon creates: plain 0770, whatever the umask. Never a
 * setgid mode: flarewatch.service's RestrictSUIDSGID=yes refuses mkdir()
 * and chmod() with S_ISGID (EPERM). A folder created inside a setgid
 * folder inherits the bit and the group from the kernel, so the tree that
 * tmpfiles.d (or the administrator) made setgid stays so. */
#define DIR_MODE 0770
#define FILE_MODE 0660
#define MAX_SUFFIX 100000

const char *mkdir_hint(int r)
{
	switch (r) {
	case -EROFS:
		return " (read-only here: flarewatch.service's ProtectSystem=strict lets "
		       "the daemon write only below /var/lib/flarewatch and the paths of "
		       "ReadWritePaths=; add the folder in a drop-in: systemctl edit "
		       "flarewatch, [Service] ReadWritePaths=FOLDER; see flarewatch.yaml(5))";
	case -EACCES:
		return " (the service user may not write to the folder above it: create "
		       "the folder as root, install -d -m 2770 -o flarewatch -g flarewatch "
		       "FOLDER, or with a tmpfiles.d line; see flarewatch.yaml(5))";
	case -EPERM:
		return " (refused by the system call filter: flarewatch.service's "
		       "RestrictSUIDSGID= and SystemCallFilter= forbid setuid/setgid modes; "
		       "create the folder as root, install -d -m 2770 -o flarewatch -g "
		       "flarewatch FOLDER; see flarewatch.yaml(5))";
	default:
		return "";
	}
}

/* mkdir of one folder with DIR_MODE. 1 created, 0 existed, or -errno. */
static int mkdirat_shared(int dirfd, const char *path)
{
	struct stat st;

	/* An existing folder is not created again: under systemd's sandbox
	 * the state folder may sit on a read-only or foreign-owned parent,
	 * where mkdir() of an existing name can fail with EROFS or EPERM
	 * instead of EEXIST. */
	if (fstatat(dirfd, path, &st, 0) == 0)
		return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
	if (errno != ENOENT)
		return -errno;
	/* exactly DIR_MODE (plus an inherited setgid bit) whatever the
	 * umask: the group must be able to write (a chmod afterwards would
	 * clear the inherited bit, and may not set it). The daemon is single-
	 * threaded, so the process-wide umask is ours for the call. */
	mode_t old = umask(0);
	int r = mkdirat(dirfd, path, DIR_MODE) == 0 ? 1 : -errno;

	umask(old);
	if (r != -EEXIST)
		return r;
	if (fstatat(dirfd, path, &st, 0) < 0) /* created meanwhile by another daemon */
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

int mkdir_shared(const char *path, struct fw_error *err)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);
	int r;

	if (len == 0 || len >= sizeof(buf))
		return fw_err(err, -ENAMETOOLONG, "%s: bad directory name", path);
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		r = mkdirat_shared(AT_FDCWD, buf);
		*p = '/';
		if (r < 0)
			goto fail;
	}
	r = mkdirat_shared(AT_FDCWD, buf);
	if (r >= 0)
		return 0;
fail:
	return fw_err(err, r, "cannot create %s: %s%s", buf, strerror(-r), mkdir_hint(r));
}

static int open_sub(struct state *s, const char *sub, int *fd, char **path, struct fw_error *err)
{
	int r = mkdirat_shared(s->dir_fd, sub);

	if (r < 0)
		return fw_err(err, r, "cannot create %s/%s: %s%s", s->dir, sub, strerror(-r),
			      mkdir_hint(r));
	*fd = openat(s->dir_fd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0)
		return fw_err(err, -errno, "cannot open %s/%s: %s", s->dir, sub, strerror(errno));
	*path = fw_path_join(s->dir, sub);
	if (!*path)
		return fw_err(err, -ENOMEM, "out of memory");
	return 0;
}

int state_open(const char *state_dir, struct state **out, struct fw_error *err)
{
	struct state *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return fw_err(err, -ENOMEM, "out of memory");
	s->refs = 1;
	s->dir_fd = s->processing_fd = s->done_fd = s->failed_fd = s->seen_fd = -1;
	s->dir = strdup(state_dir);
	if (!s->dir) {
		r = fw_err(err, -ENOMEM, "out of memory");
		goto fail;
	}
	r = mkdir_shared(state_dir, err);
	if (r < 0)
		goto fail;
	s->dir_fd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dir_fd < 0) {
		r = fw_err(err, -errno, "cannot open %s: %s", state_dir, strerror(errno));
		goto fail;
	}
	if ((r = open_sub(s, FW_STATE_PROCESSING, &s->processing_fd, &s->processing, err)) < 0 ||
	    (r = open_sub(s, FW_STATE_DONE, &s->done_fd, &s->done, err)) < 0 ||
	    (r = open_sub(s, FW_STATE_FAILED, &s->failed_fd, &s->failed, err)) < 0 ||
	    (r = open_sub(s, "seen", &s->seen_fd, &s->seen, err)) < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	state_unref(s);
	return r;
}

struct state *state_ref(struct state *s)
{
	assert(s && s->refs > 0); /* only a live state gains references */
	s->refs++;
	return s;
}

void state_unref(struct state *s)
{
	if (!s)
		return;
	assert(s->refs > 0); /* an unref without its ref */
	if (--s->refs > 0)
		return;
	if (s->dir_fd >= 0)
		close(s->dir_fd);
	if (s->processing_fd >= 0)
		close(s->processing_fd);
	if (s->done_fd >= 0)
		close(s->done_fd);
	if (s->failed_fd >= 0)
		close(s->failed_fd);
	if (s->seen_fd >= 0)
		close(s->seen_fd);
	free(s->dir);
	free(s->processing);
	free(s->done);
	free(s->failed);
	free(s->seen);
	free(s);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

bool queue_name_ignored(const char *name)
{
	static const char *const partial[] = { ".part", ".tmp", ".crdownload", ".filepart" };

	if (name[0] == 0 || name[0] == '.')
		return true;
	for (size_t i = 0; i < sizeof(partial) / sizeof(partial[0]); i++)
		if (ends_with(name, partial[i]))
			return true;
	return false;
}

/*
 * The i-th candidate name for name in a target directory: name itself, then
 * "stem-1.ext", "stem-2.ext"... The stem is shortened (on a UTF-8 character
 * boundary) so that the result is at most max bytes.
 */
static int suffixed(const char *name, unsigned i, size_t max, char out[NAME_MAX + 1])
{
	const char *dot = strrchr(name, '.');
	size_t stem, ext, sfx;
	char num[16] = "";

	if (!dot || dot == name)
		dot = name + strlen(name);
	if (i > 0)
		snprintf(num, sizeof(num), "-%u", i);
	stem = (size_t)(dot - name);
	assert(stem <= strlen(name));
	ext = strlen(dot);
	sfx = strlen(num);
	if (max > NAME_MAX)
		max = NAME_MAX;
	if (ext + sfx + 1 > max)
		return -ENAMETOOLONG;
	while (stem + sfx + ext > max || (stem > 0 && (name[stem] & 0xc0) == 0x80))
		stem--;
	if (stem == 0)
		return -ENAMETOOLONG;
	assert(stem + sfx + ext <= NAME_MAX);
	memcpy(out, name, stem);
	memcpy(out + stem, num, sfx);
	memcpy(out + stem + sfx, dot, ext + 1);
	return 0;
}

int move_noreplace(int olddir, const char *old, int newdir, const char *new_name)
{
	struct stat st;

	if (renameat2(olddir, old, newdir, new_name, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
		return -errno;
	/* No RENAME_NOREPLACE here (some network file systems): a hard link
	 * fails atomically when the target exists. */
	if (linkat(olddir, old, newdir, new_name, 0) == 0) {
		if (unlinkat(olddir, old, 0) < 0) {
			int e = errno;
			(void)unlinkat(newdir, new_name, 0);
			return -e;
		}
		return 0;
	}
	if (errno != EPERM && errno != EOPNOTSUPP && errno != EMLINK)
		return -errno;
	/* No hard links either: check, then rename (a narrow race). */
	if (fstatat(newdir, new_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return -EEXIST;
	if (errno != ENOENT)
		return -errno;
	return renameat(olddir, old, newdir, new_name) == 0 ? 0 : -errno;
}

/* Opens dir/name for locking: regular files only, never through a
 * symlink. When we may not read the file: -EACCES if must_read, else *fd
 * is -1 (and 0 returned): it can still be moved, and its analysis will
 * say why it failed. */
static int open_flare(int dirfd, const char *dirname, const char *name, bool must_read,
		      int *fd, struct stat *st, struct fw_error *err)
{
	*fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (*fd < 0) {
		if (errno == EACCES && must_read)
			return fw_err(err, -EACCES, "%s/%s: %s", dirname, name, strerror(EACCES));
		if (errno == EACCES) {
			if (fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW) < 0)
				return errno == ENOENT ? -ENOENT :
					fw_err(err, -errno, "%s/%s: %s", dirname, name, strerror(errno));
			return S_ISREG(st->st_mode) ? 0 :
				fw_err(err, -EINVAL, "%s/%s: not a regular file", dirname, name);
		}
		if (errno == ENOENT)
			return -ENOENT;
		if (errno == ELOOP)
			return fw_err(err, -EINVAL, "%s/%s: is a symbolic link", dirname, name);
		return fw_err(err, -errno, "%s/%s: %s", dirname, name, strerror(errno));
	}
	if (fstat(*fd, st) < 0 || !S_ISREG(st->st_mode)) {
		int r = S_ISREG(st->st_mode) ? -errno : -EINVAL;
		close(*fd);
		*fd = -1;
		return fw_err(err, r, "%s/%s: not a regular file", dirname, name);
	}
	if (flock(*fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK) {
		close(*fd);
		*fd = -1;
		return -EBUSY;
	}
	/* Other flock() errors (NFS without lock support): go on unlocked;
	 * the rename below still decides who gets the flare. */
	return 0;
}

/* The lock is on the inode we opened: make sure name still is that file. */
static bool still_there(int dirfd, const char *name, const struct stat *st)
{
	struct stat now;

	return fstatat(dirfd, name, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
	       now.st_dev == st->st_dev && now.st_ino == st->st_ino;
}

int queue_claim(int incoming_fd, const char *name, struct state *s, char **claimed,
		int *lock_fd, struct fw_error *err)
{
	char target[NAME_MAX + 1];
	struct stat st;
	int fd, r;

	r = open_flare(incoming_fd, "incoming", name, true, &fd, &st, err);
	if (r < 0)
		return r;
	if (fd >= 0 && !still_there(incoming_fd, name, &st)) {
		close(fd);
		return -ENOENT;
	}
	for (unsigned i = 0; i < MAX_SUFFIX; i++) {
		r = suffixed(name, i, NAME_MAX - strlen(FW_FAILED_REASON_SUFFIX), target);
		if (r < 0)
			break;
		r = move_noreplace(incoming_fd, name, s->processing_fd, target);
		if (r != -EEXIST)
			break;
	}
	if (r < 0) {
		if (fd >= 0)
			close(fd);
		if (r == -ENOENT)
			return r;
		if (r == -EXDEV)
			return fw_err(err, r, "cannot move %s into %s: incoming_dir and "
				      "state_dir are on different file systems", name, s->processing);
		return fw_err(err, r, "cannot move %s into %s: %s", name, s->processing,
			      strerror(-r));
	}
	*claimed = strdup(target);
	if (!*claimed) {
		if (fd >= 0)
			close(fd);
		return fw_err(err, -ENOMEM, "out of memory");
	}
	*lock_fd = fd;
	return 0;
}

int queue_lock_processing(struct state *s, const char *name, int *lock_fd,
			  struct fw_error *err)
{
	struct stat st;
	int fd, r;

	r = open_flare(s->processing_fd, s->processing, name, false, &fd, &st, err);
	if (r < 0)
		return r;
	if (fd >= 0 && !still_there(s->processing_fd, name, &st)) {
		close(fd);
		return -ENOENT;
	}
	*lock_fd = fd;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory stream on a new descriptor of the folder dirfd (so it starts
 * at the beginning), or NULL with err set (naming dir) and errno kept. */
static DIR *open_listing(int dirfd, const char *dir, struct fw_error *err)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), e;
	DIR *d = fd < 0 ? NULL : fdopendir(fd);

	if (d)
		return d;
	e = errno;
	if (fd >= 0)
		close(fd);
	fw_err(err, -e, "%s: %s", dir, strerror(e));
	errno = e;
	return NULL;
}

/* readdir() with its error: 1 with *de, 0 at the end, or <0 with err set. */
static int next_entry(DIR *d, const char *dir, struct dirent **de, struct fw_error *err)
{
	errno = 0;
	*de = readdir(d);
	if (*de)
		return 1;
	return errno ? fw_err(err, -errno, "%s: %s", dir, strerror(errno)) : 0;
}

int queue_list_processing(struct state *s, char ***names, size_t *n, struct fw_error *err)
{
	char **v = NULL;
	size_t cap = 0, len = 0;
	struct dirent *de;
	struct stat st;
	DIR *d = open_listing(s->processing_fd, s->processing, err);
	int r = 0;

	if (!d)
		return -errno;
	while ((r = next_entry(d, s->processing, &de, err)) > 0) {
		if (de->d_name[0] == '.' ||
		    fstatat(s->processing_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (fw_grow((void **)&v, &cap, len + 1, sizeof(*v)) < 0 ||
		    !(v[len] = strdup(de->d_name))) {
			r = fw_err(err, -ENOMEM, "out of memory");
			break;
		}
		len++;
	}
	closedir(d);
	if (r < 0) {
		while (len > 0)
			free(v[--len]);
		free(v);
		return r;
	}
	if (len > 1)
		fw_qsort(v, len, sizeof(*v), cmp_names);
	*names = v;
	*n = len;
	return 0;
}

int queue_claim_file(const struct state *s, const char *name, const char *kind, char *out,
		     size_t size)
{
	int n;

	assert(s && name && kind && out);
	n = snprintf(out, size, "%s/.%s%s", s->processing, name, kind);

	return n < 0 || (size_t)n >= size || strlen(name) + 1 + strlen(kind) > NAME_MAX ?
		       -ENAMETOOLONG : 0;
}

static bool claim_of(const char *name, char out[NAME_MAX + 1]);

void queue_forget_claim(struct state *s, const char *name)
{
	static const char *const kinds[] = { QUEUE_INTENT, QUEUE_RESULT };
	char file[NAME_MAX + 2], owner[NAME_MAX + 1];
	struct fw_error err;
	struct dirent *de;
	DIR *d;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (snprintf(file, sizeof(file), ".%s%s", name, kinds[i]) < (int)sizeof(file))
			(void)unlinkat(s->processing_fd, file, 0);
	}
	/* and the temporary files of their atomic writes that a worker
	 * killed while writing one left (kill -9 loops find them); best
	 * effort: a leftover is removed again at the next start */
	if (!(d = open_listing(s->processing_fd, s->processing, &err)))
		return;
	while (next_entry(d, s->processing, &de, &err) > 0) {
		if (de->d_name[0] == '.' && de->d_name[1] == '.' && claim_of(de->d_name, owner) &&
		    strcmp(owner, name) == 0)
			(void)unlinkat(s->processing_fd, de->d_name, 0);
	}
	closedir(d);
}

/* The flare name of a claim record ".<name>.report" or ".<name>.result",
 * or of the temporary file of its atomic write ("..<name>.result.XXXXXX",
 * left by a killed worker), into out; false for other names. */
static bool claim_of(const char *name, char out[NAME_MAX + 1])
{
	char file[NAME_MAX + 1];
	size_t len = strlen(name), k;

	if (len > NAME_MAX)
		return false;
	memcpy(file, name, len + 1);
	if (len > 9 && file[0] == '.' && file[1] == '.' && file[len - 7] == '.') {
		memmove(file, file + 1, len - 7);
		len -= 8;
		file[len] = 0;
	}
	if (file[0] != '.')
		return false;
	if (ends_with(file, QUEUE_INTENT))
		k = strlen(QUEUE_INTENT);
	else if (ends_with(file, QUEUE_RESULT))
		k = strlen(QUEUE_RESULT);
	else
		return false;
	if (len < k + 2)
		return false;
	memcpy(out, file + 1, len - k - 1);
	out[len - k - 1] = 0;
	return true;
}

int queue_cleanup_claims(struct state *s, unsigned *removed, struct fw_error *err)
{
	char name[NAME_MAX + 1];
	struct dirent *de;
	struct stat st;
	DIR *d = open_listing(s->processing_fd, s->processing, err);
	int r = 0;

	*removed = 0;
	if (!d)
		return -errno;
	while ((r = next_entry(d, s->processing, &de, err)) > 0) {
		if (!claim_of(de->d_name, name) ||
		    fstatat(s->processing_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 ||
		    errno != ENOENT)
			continue;
		if (unlinkat(s->processing_fd, de->d_name, 0) == 0)
			(*removed)++;
	}
	closedir(d);
	return r;
}

int queue_finish_done(struct state *s, const char *name, char **final, struct fw_error *err)
{
	char target[NAME_MAX + 1];
	int r = -EEXIST;

	assert(s && name && final);
	for (unsigned i = 0; i < MAX_SUFFIX && r == -EEXIST; i++) {
		r = suffixed(name, i, NAME_MAX, target);
		if (r < 0)
			break;
		r = move_noreplace(s->processing_fd, name, s->done_fd, target);
	}
	if (r < 0)
		return fw_err(err, r, "cannot move %s/%s into %s: %s", s->processing, name,
			      s->done, strerror(-r));
	*final = strdup(target);
	return *final ? 0 : fw_err(err, -ENOMEM, "out of memory");
}

int queue_finish_failed(struct state *s, const char *name, const char *text, char **final,
			struct fw_error *err)
{
	char target[NAME_MAX + 1], errname[NAME_MAX + sizeof(FW_FAILED_REASON_SUFFIX)];
	int r = -EEXIST, fd;

	for (unsigned i = 0; i < MAX_SUFFIX && r == -EEXIST; i++) {
		r = suffixed(name, i, NAME_MAX - strlen(FW_FAILED_REASON_SUFFIX), target);
		if (r < 0)
			break;
		snprintf(errname, sizeof(errname), "%s" FW_FAILED_REASON_SUFFIX, target);
		/* Take the .error.txt name first, then the flare's. */
		fd = openat(s->failed_fd, errname,
			    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, FILE_MODE);
		if (fd < 0) {
			r = -errno;
			continue;
		}
		r = fw_write_all(fd, text, strlen(text));
		if (close(fd) < 0 && r == 0)
			r = -errno;
		if (r == 0)
			r = move_noreplace(s->processing_fd, name, s->failed_fd, target);
		if (r < 0)
			(void)unlinkat(s->failed_fd, errname, 0);
	}
	if (r < 0)
		return fw_err(err, r, "cannot move %s/%s into %s: %s", s->processing, name,
			      s->failed, strerror(-r));
	*final = strdup(target);
	return *final ? 0 : fw_err(err, -ENOMEM, "out of memory");
}

static bool is_sha256(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return i == FW_SHA256_HEX_LEN;
}

int queue_seen_read(const char *seen_dir, const char *sha256, char **text, size_t *len,
		    struct fw_error *err)
{
	uint8_t *data;
	char *path;
	int r;

	if (!is_sha256(sha256))
		return fw_err(err, -EINVAL, "bad content hash \"%s\"", sha256);
	path = fw_path_join(seen_dir, sha256);
	if (!path)
		return fw_err(err, -ENOMEM, "out of memory");
	r = fw_read_file(path, RECORD_MAX_SIZE, &data, len, err);
	free(path);
	if (r < 0)
		return r;
	*text = (char *)data;
	return 0;
}

int queue_seen_write(struct state *s, const char *sha256, const char *text, size_t len,
		     struct fw_error *err)
{
	char tmp[NAME_MAX + 1];
	int fd, r;

	if (!is_sha256(sha256))
		return fw_err(err, -EINVAL, "bad content hash \"%s\"", sha256);
	snprintf(tmp, sizeof(tmp), ".tmp-%s-%ld", sha256, (long)getpid());
	fd = openat(s->seen_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		    FILE_MODE);
	if (fd < 0)
		return fw_err(err, -errno, "%s/%s: %s", s->seen, tmp, strerror(errno));
	r = fw_write_all(fd, text, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0)
		r = move_noreplace(s->seen_fd, tmp, s->seen_fd, sha256);
	if (r < 0) {
		(void)unlinkat(s->seen_fd, tmp, 0);
		if (r == -EEXIST)
			return r;
		return fw_err(err, r, "%s/%s: %s", s->seen, sha256, strerror(-r));
	}
	return 0;
}

int queue_expire_done(struct state *s, unsigned days, unsigned *removed, struct fw_error *err)
{
	time_t cutoff = time(NULL) - (time_t)days * 86400;
	struct dirent *de;
	struct stat st;
	DIR *d;
	int r = 0;

	*removed = 0;
	if (days == 0)
		return 0;
	if (!(d = open_listing(s->done_fd, s->done, err)))
		return -errno;
	while ((r = next_entry(d, s->done, &de, err)) > 0) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		/* ctime: a rename updates it, so it is the time of the move
		 * into done/ (mtime is the flare's own, often much older). */
		if (fstatat(s->done_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode) || st.st_ctime >= cutoff)
			continue;
		if (unlinkat(s->done_fd, de->d_name, 0) < 0) {
			r = fw_err(err, -errno, "%s/%s: %s", s->done, de->d_name, strerror(errno));
			break;
		}
		(*removed)++;
	}
	closedir(d);
	return r;
}
