/*
 * folders.c: what `flarewatchd --check-config` checks of the folders of a
 * configuration, without creating or changing anything: each folder the
 * daemon needs (state_dir and its processing/, done/, failed/, seen/,
 * incoming_dir, investigations_dir) exists and is a folder the service
 * user may write to, or does not exist yet and its nearest existing parent
 * is one (the daemon creates it); incoming_dir and state_dir are on one
 * file system (claims are renames); the folder of metrics_file, when set,
 * exists and is writable too.
 *
 * For whom: --user NAME; by default, run as root, the service user
 * FW_SERVICE_USER ("flarewatch") when it exists, else the user running it.
 * Another user is judged by owner, group and mode bits (and a read-only
 * mount); the user running it by access(2), which also sees the read-only
 * folders of the unit's sandbox when ExecReload= runs it there.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "daemon.h"

#define FW_SERVICE_USER "flarewatch"
#define DEFAULT_TOP "/var/lib/flarewatch"
#define MAX_GROUPS 256

struct who {
	bool by_mode;		/* judge by mode bits (root checking for the user) */
	const char *name;
	char name_buf[64];
	uid_t uid;
	gid_t groups[MAX_GROUPS];
	int n_groups;
};

static int who_init(struct who *w, const char *user, struct fw_error *err)
{
	struct passwd *pw = NULL;

	memset(w, 0, sizeof(*w));
	if (user) {
		errno = 0;
		pw = getpwnam(user);
		if (!pw)
			return fw_err(err, errno ? -errno : -ENOENT, "--user %s: no such user%s%s",
				      user, errno ? ": " : "", errno ? strerror(errno) : "");
	} else if (geteuid() == 0) {
		pw = getpwnam(FW_SERVICE_USER);
	}
	if (pw && pw->pw_uid != geteuid()) {
		w->by_mode = true;
		w->uid = pw->pw_uid;
		w->n_groups = MAX_GROUPS;
		if (getgrouplist(pw->pw_name, pw->pw_gid, w->groups, &w->n_groups) < 0) {
			w->groups[0] = pw->pw_gid;
			w->n_groups = 1;
		}
		snprintf(w->name_buf, sizeof(w->name_buf), "%s", pw->pw_name);
		w->name = w->name_buf;
		return 0;
	}
	pw = getpwuid(geteuid());
	if (pw && pw->pw_name)
		snprintf(w->name_buf, sizeof(w->name_buf), "%s", pw->pw_name);
	else
		snprintf(w->name_buf, sizeof(w->name_buf), "uid %u", (unsigned)geteuid());
	w->name = w->name_buf;
	return 0;
}

/* 0 when w may create and remove entries in folder path, or -errno. */
static int writable(const struct who *w, const char *path, const struct stat *st)
{
	struct statvfs vfs;
	unsigned bits;

	if (!w->by_mode)
		return faccessat(AT_FDCWD, path, W_OK | X_OK, AT_EACCESS) == 0 ? 0 : -errno;
	if (statvfs(path, &vfs) == 0 && (vfs.f_flag & ST_RDONLY))
		return -EROFS;
	if (st->st_uid == w->uid) {
		bits = (st->st_mode >> 6) & 7;
	} else {
		bits = st->st_mode & 7;
		for (int i = 0; i < w->n_groups; i++)
			if (w->groups[i] == st->st_gid)
				bits = (st->st_mode >> 3) & 7;
	}
	return (bits & 3) == 3 ? 0 : -EACCES;
}

/* path, or its nearest existing parent (into at, *exists false), stat()ed. */
static int nearest(const char *path, char at[PATH_MAX], struct stat *st, bool *exists)
{
	size_t len = strlen(path);
	char *slash;

	if (len == 0 || len >= PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(at, path, len + 1);
	*exists = true;
	for (;;) {
		if (stat(at, st) == 0)
			return 0;
		if (errno != ENOENT)
			return -errno;
		*exists = false;
		slash = strrchr(at, '/');
		if (!slash)
			return -ENOENT;
		if (slash == at)
			slash[1] = 0;
		else
			*slash = 0;
	}
}

/* Checks one folder; *dev is the device it is (or will be) on. Prints a
 * line about it. Returns 0 or a negative errno with err set. */
static int check_one(const struct who *w, const char *key, const char *path, dev_t *dev,
		     FILE *out, struct fw_error *err)
{
	char at[PATH_MAX];
	struct stat st;
	bool exists;
	int r;

	r = nearest(path, at, &st, &exists);
	if (r < 0)
		return fw_err(err, r, "%s %s: %s", key, path, strerror(-r));
	if (!S_ISDIR(st.st_mode))
		return fw_err(err, -ENOTDIR, "%s %s: %s is not a folder", key, path, at);
	*dev = st.st_dev;
	r = writable(w, at, &st);
	if (r == -EACCES && exists)
		return fw_err(err, r, "%s %s: user %s may not write to it (owner uid %u, group "
			      "gid %u, mode %04o): %s (give it to the service user: chown "
			      "flarewatch:flarewatch %s && chmod 2770 %s)", key, path, w->name,
			      (unsigned)st.st_uid, (unsigned)st.st_gid,
			      (unsigned)(st.st_mode & 07777), strerror(-r), path, path);
	if (r < 0 && exists)
		return fw_err(err, r, "%s %s: user %s may not write to it: %s%s", key, path,
			      w->name, strerror(-r), mkdir_hint(r));
	if (r < 0)
		return fw_err(err, r, "%s %s does not exist, and user %s cannot create it in %s "
			      "(owner uid %u, group gid %u, mode %04o): %s%s", key, path, w->name,
			      at, (unsigned)st.st_uid, (unsigned)st.st_gid,
			      (unsigned)(st.st_mode & 07777), strerror(-r), mkdir_hint(r));
	if (exists)
		fprintf(out, "  %s %s: a folder user %s may write to%s\n", key, path, w->name,
			(st.st_mode & S_ISGID) ? " (setgid)" : "");
	else
		fprintf(out, "  %s %s: does not exist yet; flarewatchd creates it in %s%s\n",
			key, path, at, (st.st_mode & S_ISGID) ? " (setgid, like it)" : "");
	return 0;
}

/* metrics_file: its folder exists (flarewatchd does not create it: the
 * node exporter's package does) and user w may write there. */
static int check_metrics(const struct who *w, const char *file, FILE *out, struct fw_error *err)
{
	const char *slash = strrchr(file, '/');
	char dir[PATH_MAX];
	struct stat st;
	int r;

	snprintf(dir, sizeof(dir), "%.*s", slash && slash != file ? (int)(slash - file) : 1, file);
	if (stat(dir, &st) < 0)
		return fw_err(err, -errno, "metrics_file %s: its folder %s: %s (flarewatchd does "
			      "not create it: install -d -m 0775 -g flarewatch %s)", file, dir,
			      strerror(errno), dir);
	if (!S_ISDIR(st.st_mode))
		return fw_err(err, -ENOTDIR, "metrics_file %s: %s is not a folder", file, dir);
	r = writable(w, dir, &st);
	if (r == -EACCES)
		return fw_err(err, r, "metrics_file %s: user %s may not write to its folder %s "
			      "(owner uid %u, group gid %u, mode %04o): %s (the file is replaced "
			      "by a rename: chgrp flarewatch %s && chmod 0775 %s)", file, w->name,
			      dir, (unsigned)st.st_uid, (unsigned)st.st_gid,
			      (unsigned)(st.st_mode & 07777), strerror(-r), dir, dir);
	if (r < 0)
		return fw_err(err, r, "metrics_file %s: user %s may not write to its folder %s: "
			      "%s%s", file, w->name, dir, strerror(-r), mkdir_hint(r));
	if (lstat(file, &st) == 0 && !S_ISREG(st.st_mode))
		return fw_err(err, -EEXIST, "metrics_file %s exists and is not a regular file",
			      file);
	fprintf(out, "  metrics_file %s: in a folder user %s may write to\n", file, w->name);
	r = (int)strlen(file);
	if (r < 5 || strcmp(file + r - 5, ".prom") != 0)
		fprintf(out, "note: node_exporter's textfile collector reads only files named "
			"*.prom\n");
	if (strncmp(dir, DEFAULT_TOP, strlen(DEFAULT_TOP)) != 0 ||
	    (dir[strlen(DEFAULT_TOP)] != 0 && dir[strlen(DEFAULT_TOP)] != '/'))
		fprintf(out, "note: under flarewatch.service (ProtectSystem=strict) the daemon "
			"can write metrics_file only where a drop-in allows it\n"
			"(systemctl edit flarewatch: [Service] ReadWritePaths=%s)\n", dir);
	return 0;
}

static bool outside_default(const char *path)
{
	return strcmp(path, DEFAULT_TOP) != 0 &&
	       strncmp(path, DEFAULT_TOP "/", strlen(DEFAULT_TOP) + 1) != 0;
}

int folders_check(const struct fw_config *cfg, const char *user, FILE *out,
		  struct fw_error *err)
{
	static const char *const subs[] = { FW_STATE_PROCESSING, FW_STATE_DONE, FW_STATE_FAILED, "seen" };
	struct who w;
	dev_t in_dev = 0, proc_dev = 0, dev;
	int r;

	if ((r = who_init(&w, user, err)) < 0)
		return r;
	fprintf(out, "folders, for user %s:\n", w.name);
	if ((r = check_one(&w, "state_dir", cfg->state_dir, &dev, out, err)) < 0)
		return r;
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		char *p = fw_path_join(cfg->state_dir, subs[i]);
		if (!p)
			return fw_err(err, -ENOMEM, "out of memory");
		r = check_one(&w, subs[i], p, i == 0 ? &proc_dev : &dev, out, err);
		free(p);
		if (r < 0)
			return r;
	}
	if ((r = check_one(&w, "incoming_dir", cfg->incoming_dir, &in_dev, out, err)) < 0 ||
	    (r = check_one(&w, "investigations_dir", cfg->investigations_dir, &dev, out, err)) < 0)
		return r;
	if (outside_default(cfg->state_dir) || outside_default(cfg->incoming_dir) ||
	    outside_default(cfg->investigations_dir))
		fprintf(out, "note: under flarewatch.service (ProtectSystem=strict) the daemon "
			"writes outside " DEFAULT_TOP " only where a drop-in allows it\n"
			"(systemctl edit flarewatch: [Service] ReadWritePaths=FOLDER, an existing "
			"folder that holds these)\n");
	if (cfg->metrics_file && *cfg->metrics_file &&
	    (r = check_metrics(&w, cfg->metrics_file, out, err)) < 0)
		return r;
	if (in_dev != proc_dev)
		return fw_err(err, -EXDEV, "incoming_dir %s and state_dir %s are (or would be) on "
			      "different file systems: flares are claimed with rename(), which "
			      "cannot cross them", cfg->incoming_dir, cfg->state_dir);
	return 0;
}
