/*
 * svcstatus.c: gathers what `flarewatch status` shows (see svcstatus.h).
 * Reads only; never locks, so it cannot disturb the daemon.
 */
#include "investigate/svcstatus.h"
#include "investigate/index.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* the part of an .error.txt read for its first line */
#define REASON_MAX (64u << 10)

static bool has_suffix(const char *s, const char *suffix, bool nocase)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && (nocase ? strcasecmp(s + n - m, suffix) : strcmp(s + n - m, suffix)) == 0;
}

/* What each folder counts: regular files, not dotfiles (temporary files,
 * claim records), and then: */
enum kind {
	K_ZIP,		/* incoming: the zips the daemon will take */
	K_ANY,		/* processing/, done/ */
	K_FLARE,	/* failed/: not the .error.txt files */
};

/* Calls fn(name, st, ctx) for each file of dir that kind counts; a
 * missing dir has none. Returns 0, fn's negative return, or a negative
 * errno (err names dir). */
static int each_file(const char *dir, enum kind kind,
		     int (*fn)(int dfd, const char *name, const struct stat *sb, void *ctx),
		     void *ctx, struct fw_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int r = 0;

	if (!d)
		return errno == ENOENT ? 0 : fw_err(err, -errno, "cannot read %s: %s", dir,
						    strerror(errno));
	for (errno = 0; r == 0 && (e = readdir(d)); errno = 0) {
		struct stat sb;
		if (e->d_name[0] == '.')
			continue;
		if (kind == K_ZIP && !has_suffix(e->d_name, ".zip", true))
			continue;
		if (kind == K_FLARE && has_suffix(e->d_name, FW_FAILED_REASON_SUFFIX, false))
			continue;
		if (fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT) /* taken meanwhile */
				continue;
			r = fw_err(err, -errno, "cannot read %s/%s: %s", dir, e->d_name,
				   strerror(errno));
			break;
		}
		if (S_ISREG(sb.st_mode))
			r = fn(dirfd(d), e->d_name, &sb, ctx);
	}
	if (r == 0 && errno)
		r = fw_err(err, -errno, "cannot read %s: %s", dir, strerror(errno));
	closedir(d);
	if (r == -ENOMEM)
		fw_err(err, r, "%s: out of memory", dir);
	return r;
}

static int count_one(int dfd, const char *name, const struct stat *sb, void *ctx)
{
	(void)dfd;
	(void)name;
	(void)sb;
	(*(size_t *)ctx)++;
	return 0;
}

static int count(const char *dir, enum kind kind, size_t *n, struct fw_error *err)
{
	*n = 0;
	return each_file(dir, kind, count_one, n, err);
}

/* ---- failed flares ------------------------------------------------------- */

struct failed_ctx {
	struct fw_svcstatus *st;
	size_t cap;
	const char *dir;
	struct fw_error *err;
};

/* The first line of failed/<name>.error.txt (NULL, *mtime untouched, when
 * there is none). */
static int read_reason(int dfd, const char *name, char **reason, time_t *mtime,
		       struct fw_error *err, const char *dir)
{
	char errname[NAME_MAX + sizeof(FW_FAILED_REASON_SUFFIX)];
	char buf[4096];
	struct stat sb;
	ssize_t n;
	int fd;

	*reason = NULL;
	if (snprintf(errname, sizeof(errname), "%s" FW_FAILED_REASON_SUFFIX, name) >=
	    (int)sizeof(errname))
		return 0;
	fd = openat(dfd, errname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT || errno == ELOOP
			       ? 0
			       : fw_err(err, -errno, "cannot read %s/%s: %s", dir, errname,
					strerror(errno));
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return 0;
	}
	*mtime = sb.st_mtime;
	do
		n = read(fd, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		int e = errno;
		close(fd);
		return fw_err(err, -e, "cannot read %s/%s: %s", dir, errname, strerror(e));
	}
	close(fd);
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	*reason = strdup(buf);
	return *reason ? 0 : -ENOMEM;
}

static int add_failed(int dfd, const char *name, const struct stat *sb, void *ctx)
{
	struct failed_ctx *c = ctx;
	struct fw_svcstatus *st = c->st;
	struct fw_svcstatus_failed f = { .failed_at = sb->st_mtime };
	int r;

	if (fw_grow((void **)&st->failed, &c->cap, st->n_failed_listed + 1,
		    sizeof(*st->failed)) < 0)
		return -ENOMEM;
	r = read_reason(dfd, name, &f.reason, &f.failed_at, c->err, c->dir);
	if (r < 0)
		return r;
	if (!(f.name = strdup(name))) {
		free(f.reason);
		return -ENOMEM;
	}
	st->failed[st->n_failed_listed++] = f;
	return 0;
}

static int cmp_failed(const void *a, const void *b)
{
	const struct fw_svcstatus_failed *x = a, *y = b;

	if (x->failed_at != y->failed_at)
		return x->failed_at > y->failed_at ? -1 : 1; /* newest first */
	return strcmp(x->name, y->name);
}

static void failed_free(struct fw_svcstatus_failed *f)
{
	free(f->name);
	free(f->reason);
}

/* failed/: every flare with its reason, newest first, the first max kept */
static int gather_failed(const char *dir, size_t max, struct fw_svcstatus *st, struct fw_error *err)
{
	struct failed_ctx c = { .st = st, .dir = dir, .err = err };
	int r = each_file(dir, K_FLARE, add_failed, &c, err);

	if (r < 0)
		return r;
	st->n_failed = st->n_failed_listed;
	fw_qsort(st->failed, st->n_failed_listed, sizeof(*st->failed), cmp_failed);
	while (st->n_failed_listed > max)
		failed_free(&st->failed[--st->n_failed_listed]);
	return 0;
}

/* ---- verdicts ------------------------------------------------------------ */

static void verdict_free(struct fw_svcstatus_verdict *v)
{
	free(v->flare_time);
	free(v->hostname);
	free(v->ticket);
	free(v->verdict);
	free(v->summary);
	free(v->report);
	free(v->flare_file);
	free(v->analyzed_at);
}

/* A copy of s, NULL for NULL or (when empty_null) "". */
static int dup_field(char **out, const char *s, bool empty_null)
{
	*out = NULL;
	if (!s || (empty_null && !*s))
		return 0;
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

/* The newest max reports of the investigations tree dir, through the
 * index's scan of the report folders (investigate/index.h). */
static int gather_verdicts(const char *dir, size_t max, struct fw_svcstatus *st,
			   struct fw_error *err)
{
	struct fw_index_list l;
	size_t n;
	int r;

	r = fw_index_scan(dir, &l, err);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	st->n_verdicts_total = l.n;
	st->n_verdicts_skipped = l.skipped;
	if (l.warnings && !(st->verdict_warnings = strdup(l.warnings)))
		r = -ENOMEM;
	n = l.n < max ? l.n : max;
	st->verdicts = n ? calloc(n, sizeof(*st->verdicts)) : NULL;
	if (n && !st->verdicts)
		n = 0, r = -ENOMEM;
	for (size_t i = 0; i < n && r == 0; i++) {
		const struct fw_index_entry *e = &l.v[i];
		struct fw_svcstatus_verdict *v = &st->verdicts[i];

		st->n_verdicts++;
		v->report = fw_path_join(dir, e->report ? e->report : "");
		if (!v->report || dup_field(&v->flare_time, e->time, false) < 0 ||
		    dup_field(&v->hostname, e->hostname, false) < 0 ||
		    dup_field(&v->ticket, e->ticket, true) < 0 ||
		    dup_field(&v->verdict, e->verdict, false) < 0 ||
		    dup_field(&v->summary, e->summary, false) < 0 ||
		    dup_field(&v->flare_file, e->flare_file, true) < 0 ||
		    dup_field(&v->analyzed_at, e->analyzed_at, true) < 0)
			r = -ENOMEM;
	}
	fw_index_list_free(&l);
	return r == -ENOMEM ? fw_err(err, r, "%s: out of memory", dir) : r;
}

/* ---- all of it ------------------------------------------------------------- */

int fw_svcstatus_gather(const struct fw_config *cfg, size_t max, struct fw_svcstatus *st,
		     struct fw_error *err)
{
	char *path;
	int r;

	memset(st, 0, sizeof(*st));
	st->state_path = fw_path_join(cfg->state_dir, FW_DAEMON_STATE_FILE);
	if (!st->state_path)
		return fw_err(err, -ENOMEM, "out of memory");
	r = fw_daemon_state_read(st->state_path, &st->daemon, err);
	if (r < 0 && r != -ENOENT)
		return r;
	st->have_state = r == 0;
	st->running = st->have_state && fw_daemon_alive(st->daemon.pid);

	if ((r = count(cfg->incoming_dir, K_ZIP, &st->n_incoming, err)) < 0)
		return r;
	const char *sub[] = { FW_STATE_PROCESSING, FW_STATE_DONE };
	size_t *n[] = { &st->n_processing, &st->n_done };
	for (size_t i = 0; i < 2; i++) {
		if (!(path = fw_path_join(cfg->state_dir, sub[i])))
			return fw_err(err, -ENOMEM, "out of memory");
		r = count(path, K_ANY, n[i], err);
		free(path);
		if (r < 0)
			return r;
	}
	if (!(path = fw_path_join(cfg->state_dir, FW_STATE_FAILED)))
		return fw_err(err, -ENOMEM, "out of memory");
	r = gather_failed(path, max, st, err);
	free(path);
	if (r < 0)
		return r;
	return gather_verdicts(cfg->investigations_dir, max, st, err);
}

void fw_svcstatus_free(struct fw_svcstatus *st)
{
	free(st->state_path);
	fw_daemon_state_free(&st->daemon);
	for (size_t i = 0; i < st->n_verdicts; i++)
		verdict_free(&st->verdicts[i]);
	free(st->verdicts);
	free(st->verdict_warnings);
	for (size_t i = 0; i < st->n_failed_listed; i++)
		failed_free(&st->failed[i]);
	free(st->failed);
	memset(st, 0, sizeof(*st));
}
