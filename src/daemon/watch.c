/*
 * watch.c: finding flares in the incoming folder. inotify (IN_CLOSE_WRITE,
 * IN_MOVED_TO, IN_ATTRIB, and IN_CREATE of what is not a regular file)
 * says when something arrived or changed; a full rescan at start, every
 * rescan_seconds and after an inotify queue overflow finds what inotify
 * cannot see (flares from while the daemon was down, network file
 * systems). A flare is a regular file named *.zip (any case) whose name is
 * not ignored (queue_name_ignored()) and that the daemon may read; it
 * becomes a candidate, and a candidate is ready once two looks
 * settle_seconds apart found the same inode, size and mtime: a slow copy
 * over SMB or NFS is only taken once it stopped growing.
 *
 * Everything else stays where it is, and is logged once per file identity
 * (name, device, inode, kind) while it stays: an unreadable zip (warning,
 * with the chgrp/chmod that fixes it; taken as soon as it is readable:
 * IN_ATTRIB or the next rescan), and at notice a file that is no .zip, a
 * folder (only zips are taken, not extracted flares), a symbolic link
 * (never followed) or another kind of file.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"

#define USEC_PER_SEC 1000000ULL

static uint64_t settle_usec(const struct daemon *d)
{
	return (uint64_t)d->cfg->settle_seconds * USEC_PER_SEC;
}

static struct candidate *find(struct daemon *d, const char *name)
{
	for (size_t i = 0; i < d->n_cands; i++)
		if (strcmp(d->cands[i].name, name) == 0)
			return &d->cands[i];
	return NULL;
}

static void drop(struct daemon *d, struct candidate *c)
{
	size_t i = (size_t)(c - d->cands);

	free(c->name);
	/* keep arrival order: flares are taken oldest first */
	memmove(c, c + 1, (d->n_cands - i - 1) * sizeof(*c));
	d->n_cands--;
}

static bool same_file(const struct candidate *c, const struct stat *st)
{
	return c->dev == st->st_dev && c->ino == st->st_ino && c->size == st->st_size &&
	       c->mtime.tv_sec == st->st_mtim.tv_sec && c->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

static void remember(struct candidate *c, const struct stat *st, uint64_t now)
{
	c->dev = st->st_dev;
	c->ino = st->st_ino;
	c->size = st->st_size;
	c->mtime = st->st_mtim;
	c->changed_usec = now;
	c->ready = false;
}

enum kind { K_FLARE, K_UNREADABLE, K_NOT_ZIP, K_FOLDER, K_SYMLINK, K_OTHER };

static bool is_zip_name(const char *name)
{
	size_t n = strlen(name);
	return n > 4 && strcasecmp(name + n - 4, ".zip") == 0;
}

/* What incoming/name is: a kind, or -1 when it is gone (or cannot be
 * looked at: logged). */
static int classify(struct daemon *d, const char *name, struct stat *st)
{
	int fd;

	if (fstatat(d->incoming_fd, name, st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT)
			log_msg(&d->log, LOG_WARNING, "%s/%s: %s", d->incoming_dir, name,
				strerror(errno));
		return -1;
	}
	if (S_ISLNK(st->st_mode))
		return K_SYMLINK;
	if (S_ISDIR(st->st_mode))
		return K_FOLDER;
	if (!S_ISREG(st->st_mode))
		return K_OTHER;
	if (!is_zip_name(name))
		return K_NOT_ZIP;
	/* may we read it? open() says it exactly (ACLs, read-only mounts) */
	fd = openat(d->incoming_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
		    O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		return K_FLARE;
	}
	if (errno == EACCES || errno == EPERM)
		return K_UNREADABLE;
	if (errno == ENOENT)
		return -1;
	if (errno == ELOOP) /* replaced by a symlink meanwhile */
		return K_SYMLINK;
	log_msg(&d->log, LOG_WARNING, "%s/%s: %s", d->incoming_dir, name, strerror(errno));
	return -1;
}

static struct noted *find_noted(struct daemon *d, const char *name)
{
	for (size_t i = 0; i < d->n_noted; i++)
		if (strcmp(d->noted[i].name, name) == 0)
			return &d->noted[i];
	return NULL;
}

static void forget_noted(struct daemon *d, struct noted *n)
{
	free(n->name);
	*n = d->noted[--d->n_noted];
}

/* 'path', quoted for a shell command line */
static void shell_quote(const char *path, struct fw_buf *b)
{
	fw_buf_printf(b, "'");
	for (const char *p = path; *p; p++) {
		if (*p == '\'')
			fw_buf_printf(b, "'\\''");
		else
			fw_buf_printf(b, "%c", *p);
	}
	fw_buf_printf(b, "'");
}

static void log_unreadable(struct daemon *d, const char *name, const struct stat *st)
{
	struct group *g = getgrgid(getegid());
	const char *group = g && g->gr_name ? g->gr_name : "flarewatch";
	char *path = fw_path_join(d->incoming_dir, name);
	struct fw_buf q;

	fw_buf_init(&q);
	shell_quote(path ? path : name, &q);
	log_msg(&d->log, LOG_WARNING, "%s/%s: cannot read it (owner uid %u, group gid %u, mode "
		"%04o; this daemon runs as uid %u, group %s); it stays in %s and is taken as "
		"soon as it is readable: chgrp %s %s && chmod g+r %s",
		d->incoming_dir, name, (unsigned)st->st_uid, (unsigned)st->st_gid,
		(unsigned)(st->st_mode & 07777), (unsigned)geteuid(), group, d->incoming_dir,
		group, q.failed ? name : q.data, q.failed ? name : q.data);
	fw_buf_free(&q);
	free(path);
}

/* Logs once what incoming/name is when it is not a flare we may take:
 * again only when it is another file, or of another kind, than the one
 * logged under that name. */
static void note(struct daemon *d, const char *name, const struct stat *st, int kind)
{
	struct noted *n = find_noted(d, name);

	if (n && n->dev == st->st_dev && n->ino == st->st_ino && n->kind == kind) {
		n->scan_gen = d->scan_gen;
		return;
	}
	if (!n) {
		char *copy = strdup(name);
		if (!copy || fw_grow((void **)&d->noted, &d->cap_noted, d->n_noted + 1,
				     sizeof(*d->noted)) < 0) {
			free(copy);
			log_msg(&d->log, LOG_ERR, "out of memory");
			return;
		}
		n = &d->noted[d->n_noted++];
		n->name = copy;
	}
	n->dev = st->st_dev;
	n->ino = st->st_ino;
	n->kind = kind;
	n->scan_gen = d->scan_gen;
	switch (kind) {
	case K_UNREADABLE:
		log_unreadable(d, name, st);
		break;
	case K_NOT_ZIP:
		log_msg(&d->log, LOG_NOTICE, "%s/%s: not a .zip file; only flares (*.zip) are "
			"taken, it is left alone", d->incoming_dir, name);
		break;
	case K_FOLDER:
		log_msg(&d->log, LOG_NOTICE, "%s/%s: a folder; only flare zips (*.zip) are "
			"taken, not folders or extracted flares: it is left alone (drop the "
			"flare's .zip instead)", d->incoming_dir, name);
		break;
	case K_SYMLINK:
		log_msg(&d->log, LOG_NOTICE, "%s/%s: a symbolic link; links are never followed, "
			"it is left alone (move or copy the flare itself into %s)",
			d->incoming_dir, name, d->incoming_dir);
		break;
	default:
		log_msg(&d->log, LOG_NOTICE, "%s/%s: not a regular file; it is left alone",
			d->incoming_dir, name);
		break;
	}
}

/* Looks at incoming/name. 1: a flare we may take, 0: gone, or not one
 * (then logged once). */
static int look(struct daemon *d, const char *name, struct stat *st)
{
	int kind = classify(d, name, st);
	struct noted *n = find_noted(d, name);

	if (kind == K_FLARE || kind < 0) {
		if (n) {
			if (kind == K_FLARE && n->kind == K_UNREADABLE)
				log_msg(&d->log, LOG_INFO, "%s/%s: readable now, taken",
					d->incoming_dir, name);
			forget_noted(d, n);
		}
		return kind == K_FLARE;
	}
	note(d, name, st, kind);
	return 0;
}

/* A look at incoming/name: adds, updates, readies or forgets its candidate. */
static void observe(struct daemon *d, const char *name, uint64_t now)
{
	struct candidate *c = find(d, name);
	struct stat st;

	if (!look(d, name, &st)) {
		if (c)
			drop(d, c);
		return;
	}
	if (!c) {
		char *copy = strdup(name);
		if (!copy || fw_grow((void **)&d->cands, &d->cap_cands, d->n_cands + 1,
				     sizeof(*d->cands)) < 0) {
			free(copy);
			log_msg(&d->log, LOG_ERR, "out of memory; %s is taken at a later rescan",
				name);
			return;
		}
		c = &d->cands[d->n_cands++];
		memset(c, 0, sizeof(*c));
		c->name = copy;
		remember(c, &st, now);
		log_msg(&d->log, LOG_DEBUG, "new flare %s, waiting %u s for it to settle", name,
			d->cfg->settle_seconds);
	} else if (!same_file(c, &st)) {
		remember(c, &st, now);
	}
	c->scan_gen = d->scan_gen;
	if (!c->ready && c->changed_usec + settle_usec(d) <= now)
		c->ready = true;
}

/* Arms the settle timer for the earliest candidate still settling. */
static void arm_settle(struct daemon *d);

static int on_settle(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct daemon *d = userdata;
	uint64_t now = now_usec();
	(void)s;
	(void)usec;

	for (size_t i = 0; i < d->n_cands;) {
		struct candidate *c = &d->cands[i];
		size_t before = d->n_cands;

		if (!c->ready && c->changed_usec + settle_usec(d) <= now)
			observe(d, c->name, now);
		if (d->n_cands == before)
			i++;
	}
	arm_settle(d);
	daemon_dispatch(d);
	return 0;
}

static void arm_settle(struct daemon *d)
{
	uint64_t next = UINT64_MAX;
	int r;

	for (size_t i = 0; i < d->n_cands; i++)
		if (!d->cands[i].ready && d->cands[i].changed_usec + settle_usec(d) < next)
			next = d->cands[i].changed_usec + settle_usec(d);
	if (next == UINT64_MAX || d->stopping) {
		if (d->settle_src)
			(void)sd_event_source_set_enabled(d->settle_src, SD_EVENT_OFF);
		return;
	}
	if (!d->settle_src) {
		r = sd_event_add_time(d->event, &d->settle_src, CLOCK_MONOTONIC, next,
				      100 * 1000, on_settle, d);
	} else {
		r = sd_event_source_set_time(d->settle_src, next);
		if (r >= 0)
			r = sd_event_source_set_enabled(d->settle_src, SD_EVENT_ONESHOT);
	}
	if (r < 0)
		log_msg(&d->log, LOG_ERR, "cannot arm the settle timer: %s; "
			"waiting flares are taken at the next rescan", strerror(-r));
}

static void close_watch(struct daemon *d)
{
	d->inotify_src = sd_event_source_disable_unref(d->inotify_src);
	if (d->incoming_fd >= 0)
		close(d->incoming_fd);
	d->incoming_fd = -1;
}

/* Moves the next rescan to now (it re-opens a broken watch). */
static void rescan_now(struct daemon *d)
{
	int r = -ENOENT;

	if (d->rescan_src) {
		r = sd_event_source_set_time(d->rescan_src, 0);
		if (r >= 0)
			r = sd_event_source_set_enabled(d->rescan_src, SD_EVENT_ONESHOT);
	}
	if (r < 0)
		log_msg(&d->log, LOG_ERR, "cannot schedule a rescan of %s: %s; it is done "
			"at the next one", d->incoming_dir, strerror(-r));
}

static int on_inotify(sd_event_source *s, const struct inotify_event *ev, void *userdata)
{
	struct daemon *d = userdata;

	if (ev->mask & IN_Q_OVERFLOW) {
		log_msg(&d->log, LOG_NOTICE, "inotify queue overflow on %s; rescanning",
			d->incoming_dir);
		(void)watch_scan(d);
		daemon_dispatch(d);
		return 0;
	}
	if (ev->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT)) {
		if (!d->watch_broken)
			log_msg(&d->log, LOG_WARNING, "%s was removed, moved or unmounted; "
				"watching the folder it names now", d->incoming_dir);
		d->watch_broken = true;
		(void)sd_event_source_set_enabled(s, SD_EVENT_OFF);
		rescan_now(d);
		return 0;
	}
	if (ev->len == 0 || queue_name_ignored(ev->name))
		return 0;
	/* a regular file being created is looked at once it is written */
	if ((ev->mask & (IN_CREATE | IN_ISDIR)) == IN_CREATE) {
		struct stat st;
		if (fstatat(d->incoming_fd, ev->name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    S_ISREG(st.st_mode))
			return 0;
	}
	observe(d, ev->name, now_usec());
	arm_settle(d);
	daemon_dispatch(d);
	return 0;
}

/* Creates (if missing) and opens the incoming folder dir, which must be on
 * the file system of s's processing/ (claims are renames). */
static int open_incoming(const char *dir, const struct state *s, int *fd, struct fw_error *err)
{
	struct stat in, st;
	int r;

	r = mkdir_shared(dir, err);
	if (r < 0)
		return r;
	*fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0)
		return fw_err(err, -errno, "cannot open %s: %s", dir, strerror(errno));
	if (fstat(*fd, &in) < 0 || fstat(s->processing_fd, &st) < 0) {
		r = fw_err(err, -errno, "%s: %s", dir, strerror(errno));
		goto fail;
	}
	if (in.st_dev != st.st_dev) {
		r = fw_err(err, -EXDEV, "%s and %s are on different file systems: flares are "
			   "claimed with rename(), which cannot cross them", dir, s->processing);
		goto fail;
	}
	return 0;
fail:
	close(*fd);
	*fd = -1;
	return r;
}

int watch_check(const char *dir, const struct state *s, struct fw_error *err)
{
	int fd, r = open_incoming(dir, s, &fd, err);

	if (r == 0)
		close(fd);
	return r;
}

/* (Re)opens the incoming folder and its inotify watch. The watch is put
 * on the folder incoming_fd holds (through /proc/self/fd), so the two
 * cannot be different folders even when the path changes meanwhile. */
static int open_watch(struct daemon *d, struct fw_error *err)
{
	char fdpath[64];
	int r;

	close_watch(d);
	r = open_incoming(d->incoming_dir, d->state, &d->incoming_fd, err);
	if (r < 0)
		return r;
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", d->incoming_fd);
	r = sd_event_add_inotify(d->event, &d->inotify_src, fdpath,
				 IN_CLOSE_WRITE | IN_MOVED_TO | IN_ATTRIB | IN_CREATE |
					 IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR,
				 on_inotify, d);
	if (r < 0)
		return fw_err(err, r, "cannot watch %s: %s", d->incoming_dir, strerror(-r));
	d->watch_broken = false;
	return 0;
}

/*
 * Is the folder we hold still the one incoming_dir names? rm -rf and mkdir
 * of the folder, or a symlink in its path re-pointed, leave incoming_fd on
 * the old folder, and inotify says nothing: the removed folder is not
 * freed (and IN_DELETE_SELF not sent) while we hold it open, and a symlink
 * is not watched at all. So every rescan compares the (dev, ino) of
 * incoming_fd with a fresh stat() of the path.
 */
static bool watch_stale(struct daemon *d)
{
	struct stat held, now;

	if (d->incoming_fd < 0)
		return true;
	if (fstat(d->incoming_fd, &held) < 0 || stat(d->incoming_dir, &now) < 0)
		return true;
	return held.st_dev != now.st_dev || held.st_ino != now.st_ino;
}

int watch_scan(struct daemon *d)
{
	struct fw_error err;
	struct dirent *de;
	uint64_t now = now_usec();
	DIR *dir;
	int fd, r = 0;

	if (!d->watch_broken && watch_stale(d)) {
		log_msg(&d->log, LOG_WARNING, "%s was removed, replaced or re-pointed; "
			"watching the folder it names now", d->incoming_dir);
		d->watch_broken = true;
	}
	if (d->watch_broken) {
		if (open_watch(d, &err) < 0) {
			/* once per episode, not at every rescan */
			if (!d->watch_error_logged)
				log_msg(&d->log, LOG_ERR, "%s; trying again at every rescan",
					err.msg);
			d->watch_error_logged = true;
			return -EIO;
		}
		d->watch_error_logged = false;
		log_msg(&d->log, LOG_NOTICE, "watching %s again", d->incoming_dir);
	}
	fd = openat(d->incoming_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dir = fd >= 0 ? fdopendir(fd) : NULL;
	if (!dir) {
		r = -errno;
		if (fd >= 0)
			close(fd);
		log_msg(&d->log, LOG_ERR, "cannot scan %s: %s", d->incoming_dir, strerror(-r));
		return r;
	}
	d->scan_gen++;
	for (;;) {
		errno = 0;
		de = readdir(dir);
		if (!de) {
			r = -errno;
			break;
		}
		if (!queue_name_ignored(de->d_name))
			observe(d, de->d_name, now);
	}
	closedir(dir);
	if (r < 0) {
		log_msg(&d->log, LOG_ERR, "cannot scan %s: %s", d->incoming_dir, strerror(-r));
		return r;
	}
	/* what this scan did not list is gone */
	for (size_t i = 0; i < d->n_cands;) {
		if (d->cands[i].scan_gen != d->scan_gen)
			drop(d, &d->cands[i]);
		else
			i++;
	}
	for (size_t i = 0; i < d->n_noted;) {
		if (d->noted[i].scan_gen != d->scan_gen)
			forget_noted(d, &d->noted[i]);
		else
			i++;
	}
	arm_settle(d);
	return 0;
}

static int on_rescan(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct daemon *d = userdata;
	int r;
	(void)usec;

	(void)watch_scan(d);
	r = sd_event_source_set_time_relative(s, (uint64_t)d->cfg->rescan_seconds * USEC_PER_SEC);
	if (r >= 0)
		r = sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
	if (r < 0)
		log_msg(&d->log, LOG_ERR, "cannot re-arm the rescan timer: %s", strerror(-r));
	daemon_dispatch(d);
	return 0;
}

int watch_start(struct daemon *d, struct fw_error *err)
{
	int r;

	d->incoming_dir = strdup(d->cfg->incoming_dir);
	if (!d->incoming_dir)
		return fw_err(err, -ENOMEM, "out of memory");
	r = sd_event_add_time_relative(d->event, &d->rescan_src, CLOCK_MONOTONIC,
				       (uint64_t)d->cfg->rescan_seconds * USEC_PER_SEC,
				       USEC_PER_SEC, on_rescan, d);
	if (r < 0)
		return fw_err(err, r, "cannot add the rescan timer: %s", strerror(-r));
	r = open_watch(d, err);
	if (r < 0) {
		d->watch_broken = true;
		return r;
	}
	r = watch_scan(d);
	if (r < 0)
		return fw_err(err, r, "cannot scan %s: %s", d->incoming_dir, strerror(-r));
	return 0;
}

void watch_stop(struct daemon *d)
{
	close_watch(d);
	d->rescan_src = sd_event_source_disable_unref(d->rescan_src);
	d->settle_src = sd_event_source_disable_unref(d->settle_src);
	for (size_t i = 0; i < d->n_cands; i++)
		free(d->cands[i].name);
	free(d->cands);
	d->cands = NULL;
	d->n_cands = d->cap_cands = 0;
	for (size_t i = 0; i < d->n_noted; i++)
		free(d->noted[i].name);
	free(d->noted);
	d->noted = NULL;
	d->n_noted = d->cap_noted = 0;
	free(d->incoming_dir);
	d->incoming_dir = NULL;
}

void watch_config_changed(struct daemon *d)
{
	int r = 0;

	if (d->rescan_src)
		r = sd_event_source_set_time_relative(
			d->rescan_src, (uint64_t)d->cfg->rescan_seconds * USEC_PER_SEC);
	if (r < 0)
		log_msg(&d->log, LOG_ERR, "cannot re-arm the rescan timer: %s", strerror(-r));
	arm_settle(d);
}

char *watch_take_ready(struct daemon *d)
{
	struct stat st;

	for (size_t i = 0; i < d->n_cands;) {
		struct candidate *c = &d->cands[i];
		char *name;

		if (!c->ready) {
			i++;
			continue;
		}
		/* one last look: still the same file, unchanged? */
		if (!look(d, c->name, &st)) {
			drop(d, c);
			continue;
		}
		if (!same_file(c, &st)) {
			remember(c, &st, now_usec());
			arm_settle(d);
			i++;
			continue;
		}
		name = c->name;
		c->name = NULL;
		drop(d, c);
		return name;
	}
	return NULL;
}

size_t watch_count_waiting(const struct daemon *d)
{
	return d->n_cands;
}
