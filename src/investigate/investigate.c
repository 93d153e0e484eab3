/*
 * investigate.c: one flare end to end (see investigate.h): open, model,
 * analyze, judge, write, publish. The only place that knows the order of
 * the stages; each stage lives in its own file, and nothing here compares a
 * number with a threshold or formats report text.
 */
#include "investigate/investigate.h"
#include "flare/extract.h"
#include "base/fsutil.h"
#include "investigate/index.h"
#include "investigate/site.h"
#include "investigate/investigation.h"
#include "pprof/profile.h"
#include "base/redact.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define GOROUTINE_WAIT_MINUTES 10

static int nomem(struct fw_error *err)
{
	return fw_err(err, -ENOMEM, "out of memory analyzing the flare");
}

/* The report folder's name for a hostname: hostnames are already of
 * [A-Za-z0-9._-] (flare.c), but one starting with '.' or '_' or equal to a
 * name the investigations tree uses for itself gets a '_' in front. The
 * mapping is one-to-one: only names starting with '_' are changed names. */
static void host_dir_name(const char *host, char *out, size_t outlen)
{
	static const char *const reserved[] = { "index.md", "index.html", "outliers.html" };
	bool prefix = host[0] == '.' || host[0] == '_' || !host[0];

	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]) && !prefix; i++)
		prefix = strcmp(host, reserved[i]) == 0;
	snprintf(out, outlen, "%s%s", prefix ? "_" : "", host);
}

/* The report being written: a hidden folder beside its final place, and
 * the flock that tells fw_investigations_cleanup() it is alive. */
struct pending {
	char host_dir[4096]; /* DIR/<host folder> */
	char tmp[4096];	     /* DIR/<host folder>/.tmp-<time>-XXXXXX, "" when none */
	int lock_fd;
};

#define TMP_PREFIX ".tmp-"
#define TMP_LOCK ".lock"
/* DIR/.tmp.lock: writers hold it shared from mkdtemp until their folder's
 * TMP_LOCK is in place, fw_investigations_cleanup() exclusively while it
 * looks; so a folder without a lock file that it sees is a dead writer's
 * (killed between the two), whatever its age. */
#define TMP_TREE_LOCK ".tmp.lock"
/* Without DIR/.tmp.lock (it cannot be created), a temporary folder without
 * its lock file is removed once it is this old. */
#define TMP_UNLOCKED_AGE_S 3600

/* Opens and flocks DIR/.tmp.lock (op: LOCK_SH or LOCK_EX); the fd or
 * -errno. */
static int tree_lock(const char *out, int op)
{
	char path[4200];
	int fd;

	if (snprintf(path, sizeof(path), "%s/" TMP_TREE_LOCK, out) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	/* read-only: flock needs no more, and another user's file does */
	fd = open(path, O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	while (flock(fd, op) < 0) {
		if (errno != EINTR) {
			int e = errno;
			close(fd);
			return -e;
		}
	}
	return fd;
}

/* mkdir(path, 0770) whatever the umask, so that engineers of the group can
 * delete a report (see the README). Never a setgid mode: under the unit's
 * RestrictSUIDSGID=yes mkdir() and chmod() with S_ISGID fail; a folder
 * made inside a setgid folder inherits the bit and the group from the
 * kernel, so a tree made 2770 stays so (a chmod afterwards would clear the
 * inherited bit). The CLI and flarewatchd's workers are single-threaded,
 * so the process-wide umask is ours for the call. 0 or -errno. */
static int mkdir_group(const char *path)
{
	mode_t old = umask(0);
	int r = mkdir(path, 0770) == 0 ? 0 : -errno;

	umask(old);
	return r;
}

/* mkdtemp() (which makes 0700 folders) with mkdir_group(): tmpl ends in
 * "XXXXXX". 0 or -errno. */
static int mkdtemp_group(char *tmpl)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	size_t n = strlen(tmpl);
	uint64_t seed = (uint64_t)getpid() * 0x9e3779b97f4a7c15u;
	struct timespec ts;
	int r = -EEXIST;

	if (n < 6 || strcmp(tmpl + n - 6, "XXXXXX") != 0)
		return -EINVAL;
	for (int tries = 0; tries < 100 && r == -EEXIST; tries++) {
		clock_gettime(CLOCK_REALTIME, &ts);
		uint64_t x = fw_hash_u64((uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30), seed + (uint64_t)tries);
		for (int i = 0; i < 6; i++, x /= sizeof(chars) - 1)
			tmpl[n - 6 + i] = chars[x % (sizeof(chars) - 1)];
		r = mkdir_group(tmpl);
	}
	return r;
}

static int pending_create(const char *out, const char *host, const char *when, struct pending *p,
			  struct fw_error *err)
{
	char dname[128], lock[4200], final[4200], tmpl[4096];
	int r, tree_fd;

	p->tmp[0] = 0;
	p->lock_fd = -1;
	host_dir_name(host, dname, sizeof(dname));
	if (snprintf(p->host_dir, sizeof(p->host_dir), "%s/%s", out, dname) >= (int)sizeof(p->host_dir) ||
	    snprintf(p->tmp, sizeof(p->tmp), "%s/" TMP_PREFIX "%s-XXXXXX", p->host_dir, when) >=
		    (int)sizeof(p->tmp)) {
		p->tmp[0] = 0;
		return fw_err(err, -ENAMETOOLONG, "%s: path too long", out);
	}
	snprintf(tmpl, sizeof(tmpl), "%s", p->tmp);
	p->tmp[0] = 0;
	if ((r = fw_mkdir_p(out, 0755, err)) < 0)
		return r;
	if ((tree_fd = tree_lock(out, LOCK_SH)) < 0)
		return fw_err(err, tree_fd, "%s/" TMP_TREE_LOCK ": %s", out, strerror(-tree_fd));
	/* a concurrent pending_abandon() may remove the host folder
	 * between the two calls: then create it again */
	for (int tries = 0;; tries++) {
		if ((r = mkdir_group(p->host_dir)) < 0 && r != -EEXIST) {
			r = fw_err(err, r, "%s: cannot create the host folder: %s", p->host_dir, strerror(-r));
			goto out;
		}
		snprintf(p->tmp, sizeof(p->tmp), "%s", tmpl);
		if ((r = mkdtemp_group(p->tmp)) == 0)
			break;
		if (r != -ENOENT || tries == 10) {
			r = fw_err(err, r, "%s: cannot create a temporary report folder: %s", p->host_dir,
				   strerror(-r));
			p->tmp[0] = 0;
			goto out;
		}
	}
	/* The lock file appears under its final name already locked, so
	 * fw_investigations_cleanup() never takes a live folder for a dead one. */
	snprintf(lock, sizeof(lock), "%s/" TMP_LOCK ".XXXXXX", p->tmp);
	p->lock_fd = mkostemp(lock, O_CLOEXEC);
	if (p->lock_fd < 0) {
		r = fw_err(err, -errno, "%s: %s", lock, strerror(errno));
		goto out;
	}
	if (flock(p->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		r = fw_err(err, -errno, "%s: lock: %s", lock, strerror(errno));
		goto out;
	}
	snprintf(final, sizeof(final), "%s/" TMP_LOCK, p->tmp);
	if (rename(lock, final) < 0) {
		r = fw_err(err, -errno, "%s: %s", final, strerror(errno));
		goto out;
	}
	r = 0;
out:
	close(tree_fd);
	return r;
}

/* Removes the unpublished folder (on every error path). */
static void pending_abandon(struct pending *p)
{
	struct fw_error e;

	if (p->tmp[0]) {
		(void)fw_tree_remove(p->tmp, &e);
		(void)rmdir(p->host_dir); /* only if no other report is there */
	}
	p->tmp[0] = 0;
	if (p->lock_fd >= 0)
		close(p->lock_fd);
	p->lock_fd = -1;
}

/* Moves p->tmp to DIR/<host>/<time>[-N], the first name that is free,
 * writing that name to intent_path (when given) just before each rename.
 * RENAME_NOREPLACE never replaces a concurrent worker's report; where the
 * file system lacks it, mkdir reserves the name and rename() replaces
 * that empty folder. */
static int pending_publish(struct pending *p, const char *when, const char *intent_path, char **dir,
			   struct fw_error *err)
{
	char path[4200], lock[4300];
	bool noreplace = true;
	struct stat self;
	int r;

	if (lstat(p->tmp, &self) < 0)
		return fw_err(err, -errno, "%s: %s", p->tmp, strerror(errno));
	for (int i = 1; i < 10000; i++) {
		struct stat st;
		if (i == 1)
			snprintf(path, sizeof(path), "%s/%s", p->host_dir, when);
		else
			snprintf(path, sizeof(path), "%s/%s-%d", p->host_dir, when, i);
		if (lstat(path, &st) == 0)
			continue;
		if (intent_path) {
			/* the path, and the folder's identity: a kill before
			 * the rename leaves an intent whose path another
			 * analysis may publish a report at */
			char line[4300];
			int n = snprintf(line, sizeof(line), "%s\n%llu %llu\n", path,
					 (unsigned long long)self.st_dev, (unsigned long long)self.st_ino);
			if ((r = fw_write_file_atomic(intent_path, line, (size_t)n, 0644, err)) < 0)
				return r;
		}
		if (noreplace) {
			if (renameat2(AT_FDCWD, p->tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
				goto published;
			if (errno == EEXIST)
				continue;
			if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
				return fw_err(err, -errno, "%s: cannot publish the report: %s", path,
					      strerror(errno));
			noreplace = false;
		}
		if ((r = mkdir_group(path)) < 0) {
			if (r == -EEXIST)
				continue;
			return fw_err(err, r, "%s: %s", path, strerror(-r));
		}
		if (rename(p->tmp, path) == 0)
			goto published;
		r = fw_err(err, -errno, "%s: cannot publish the report: %s", path, strerror(errno));
		rmdir(path);
		return r;
	}
	return fw_err(err, -EEXIST, "%s/%s: too many reports for one flare time", p->host_dir, when);
published:
	p->tmp[0] = 0;
	snprintf(lock, sizeof(lock), "%s/" TMP_LOCK, path);
	(void)unlink(lock);
	close(p->lock_fd);
	p->lock_fd = -1;
	{
		int dfd = open(p->host_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			(void)fsync(dfd);
			close(dfd);
		}
	}
	if (!(*dir = strdup(path)))
		return nomem(err);
	return 0;
}

static int write_file(const char *dir, const char *name, const char *data, size_t len, struct fw_error *err)
{
	char path[4096];
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return fw_err(err, -ENAMETOOLONG, "%s: path too long", dir);
	return fw_write_file_atomic(path, data, len, 0644, err);
}

/* Writes every file of the report into a hidden folder, publishes it, then
 * adds it to the index. Once the report is published nothing fails: an
 * index problem becomes res->index_warning. */
static int write_outputs(struct fw_investigation *inv, const char *out_dir, const char *intent_path,
			 struct fw_analyze_result *res, struct fw_error *err)
{
	struct fw_buf md, js;
	struct pending p;
	char svg[160];
	int r;

	fw_buf_init(&md);
	fw_buf_init(&js);
	if ((r = pending_create(out_dir, inv->flare.hostname, inv->flare_time, &p, err)) < 0)
		goto out;
	{
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		inv->analyzed_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
	}
	if ((r = fw_report_markdown(inv, &md, err)) < 0 || (r = fw_report_json(inv, &js, err)) < 0)
		goto out;
	if ((r = write_file(p.tmp, inv->md_name, md.data, md.len, err)) < 0 ||
	    (r = write_file(p.tmp, "report.json", js.data, js.len, err)) < 0)
		goto out;
	for (size_t i = 0; i < inv->n_procs; i++) {
		const struct fw_process *pr = &inv->procs[i];
		if (pr->cpu.svg) {
			fw_svg_name(svg, sizeof(svg), pr->name, "cpu");
			if ((r = write_file(p.tmp, svg, pr->cpu.svg, strlen(pr->cpu.svg), err)) < 0)
				goto out;
		}
		if (pr->heap_diff_space.svg) {
			fw_svg_name(svg, sizeof(svg), pr->name, "heap-diff");
			if ((r = write_file(p.tmp, svg, pr->heap_diff_space.svg, strlen(pr->heap_diff_space.svg),
					    err)) < 0)
				goto out;
		}
		for (int k = 0; k < 2; k++) { /* the call graphs */
			const char *d = k ? pr->heap_diff_space.callgraph : pr->cpu.callgraph;
			fw_svg_name(svg, sizeof(svg), pr->name, k ? "heap-diff-callgraph" : "cpu-callgraph");
			if (d && (r = write_file(p.tmp, svg, d, strlen(d), err)) < 0)
				goto out;
		}
		for (int k = 0; k < 2; k++) { /* the delay flame graphs */
			const char *d = k ? pr->mutex.svg : pr->block.svg;
			fw_svg_name(svg, sizeof(svg), pr->name, k ? "mutex-delay" : "block-delay");
			if (d && (r = write_file(p.tmp, svg, d, strlen(d), err)) < 0)
				goto out;
		}
	}
	/* the site's page of the report, from the Markdown just written */
	if ((r = fw_site_report(p.tmp, inv->md_name, err)) < 0)
		goto out;
	if ((r = pending_publish(&p, inv->flare_time, intent_path, &res->report_dir, err)) < 0)
		goto out;
	if (asprintf(&res->report_path, "%s/%s", res->report_dir, inv->md_name) < 0 ||
	    asprintf(&res->json_path, "%s/report.json", res->report_dir) < 0) {
		res->report_path = res->json_path = NULL;
		r = nomem(err);
		goto out;
	}
	/* the index is regenerated from the reports, this one included */
	{
		struct fw_error ie = { "" };
		if (fw_index_rebuild(out_dir, &ie) != 0) {
			char *msg = fw_redact(ie.msg, strlen(ie.msg), NULL);
			if (!msg || asprintf(&res->index_warning, "%s/index.md: %s", out_dir, msg) < 0) {
				res->index_warning = NULL;
				free(msg);
				r = nomem(err);
				goto out;
			}
			free(msg);
		}
	}
	r = 0;
out:
	pending_abandon(&p);
	fw_buf_free(&md);
	fw_buf_free(&js);
	return r;
}

static int fill_result(const struct fw_investigation *inv, struct fw_analyze_result *res)
{
	const struct fw_flare *f = &inv->flare;
	const struct fw_process *grow = NULL, *cpu = NULL;
	size_t len;

	res->verdict = inv->verdict.kind;
	for (size_t i = 0; i < inv->n_procs; i++) {
		const struct fw_process *p = &inv->procs[i];
		if (p->have_heap_diff && (!grow || p->growth_app_30s > grow->growth_app_30s))
			grow = p;
		if (p->have_cpu && p->top_cpu_attr.name && !cpu)
			cpu = p; /* core comes first; attributed, as the CPU rules read it */
	}
	res->heap_growth_bytes = grow ? (int64_t)grow->growth_app_30s : 0;
	res->hostname = strdup(f->hostname);
	res->agent_version = strdup(f->has_status ? f->status.agent_version : "");
	res->summary = fw_redact(inv->verdict.summary, strlen(inv->verdict.summary), &len);
	res->flare_time = strdup(inv->flare_time);
	res->top_growth_function = grow && grow->top_growth_app.name
					   ? fw_redact(grow->top_growth_app.name, strlen(grow->top_growth_app.name), &len)
					   : strdup("");
	res->top_cpu_function = cpu ? fw_redact(cpu->top_cpu_attr.name, strlen(cpu->top_cpu_attr.name), &len)
				    : strdup("");
	res->ticket = strdup(inv->ticket);
	if (!res->ticket || !res->hostname || !res->agent_version || !res->summary || !res->flare_time ||
	    !res->top_growth_function || !res->top_cpu_function)
		return -ENOMEM;
	return 0;
}

/* The ticket: the caller's (already normal), else the one in the flare's
 * file name (the raw name: the ticket pattern must see what was dropped). */
static int find_ticket(struct fw_investigation *inv, const struct fw_analyze_opts *o, const char *name,
		       size_t name_len, struct fw_error *err)
{
	char copy[4096], base[4096];
	size_t n;
	const char *b;
	int r;

	if (o->ticket) {
		if ((r = fw_ticket_normalize(o->ticket, strlen(o->ticket), inv->ticket, err)) < 0)
			return r;
		inv->ticket_source = "--ticket";
		return 0;
	}
	snprintf(copy, sizeof(copy), "%.*s", (int)(name_len < sizeof(copy) ? name_len : sizeof(copy) - 1), name);
	b = fw_path_base(copy, &n);
	snprintf(base, sizeof(base), "%.*s", (int)(n < sizeof(base) ? n : sizeof(base) - 1), b);
	r = fw_ticket_from_name(o->cfg->tickets.pattern, base, inv->ticket, err);
	if (r < 0)
		return r;
	inv->ticket_source = r ? "file name" : NULL;
	return 0;
}

/* The host's history (history.h): the earlier reports of this host in
 * out_dir, and this flare's own figures (core's, as report.json writes
 * them), then the LONG-TERM GROWTH rule over them. */
static int host_history(struct fw_investigation *inv, const char *out_dir, const struct fw_thresholds *th,
			struct fw_error *err)
{
	const struct fw_flare *f = &inv->flare;
	struct fw_history_row cur = { .time = inv->hist_time,
				      .time_ms = f->time_ms,
				      .agent_version = f->has_status ? f->status.agent_version : "",
				      .agent_start = inv->hist_start,
				      .uptime_ns = -1,
				      .verdict = fw_verdict_name(inv->verdict.kind),
				      .report = "",
				      .analyzed_at = "",
				      .prev_version = "",
				      .core = { .heap_alloc = -1, .sys = -1, .heap_objects = -1, .goroutines = -1,
						.top_growth = "", .cpu_ns_per_s = -1 } };
	char host_dir[512];
	int r;

	fw_utc_format(inv->hist_time, sizeof(inv->hist_time), f->time_ms, FW_UTC_ISO);
	if (f->has_status && f->status.agent_start.has_ms)
		fw_utc_format(inv->hist_start, sizeof(inv->hist_start), f->status.agent_start.unix_ms, FW_UTC_ISO);
	if (f->has_status && f->status.has_uptime && f->status.uptime_sec >= 0 &&
	    f->status.uptime_sec <= INT64_MAX / 1000000000)
		cur.uptime_ns = f->status.uptime_sec * 1000000000;
	for (size_t i = 0; i < inv->n_sanity; i++) {
		const struct fw_memsanity *s = &inv->sanity[i];
		if (!s->is_core)
			continue;
		cur.core.present = i < inv->n_procs;
		cur.core.heap_alloc = s->heap_alloc.has ? s->heap_alloc.v : -1;
		cur.core.sys = s->sys.has ? s->sys.v : -1;
		cur.core.heap_objects = s->heap_objects.has ? s->heap_objects.v : -1;
		cur.core.goroutines = s->has_goroutines && s->goroutines <= INT64_MAX ? (int64_t)s->goroutines : -1;
		if (i < inv->n_procs) {
			const struct fw_process *p = &inv->procs[i];
			cur.core.has_growth_30s = p->have_heap_diff && p->heap_window == FW_WINDOW_MEASURED;
			cur.core.growth_30s = cur.core.has_growth_30s ? fw_figure_bytes(p->growth_total_30s) : 0;
			cur.core.top_growth = p->have_heap_diff && p->top_growth_app.name ? p->top_growth_app.name : "";
			if (p->have_cpu && p->cpu_duration_ns > 0 && p->cpu_total_ns >= 0)
				cur.core.cpu_ns_per_s =
					(int64_t)((double)p->cpu_total_ns * 1e9 / (double)p->cpu_duration_ns + 0.5);
		}
	}
	host_dir_name(f->hostname, host_dir, sizeof(host_dir));
	if ((r = fw_history_build(out_dir, host_dir, f->hostname, &cur, &inv->history, err)) < 0)
		return r;
	if (fw_verdict_long_term(&inv->verdict, &inv->history, th) < 0)
		return nomem(err);
	/* the current row's verdict is the flare's, long-term finding included */
	inv->history.rows[inv->history.cur].verdict = fw_verdict_name(inv->verdict.kind);
	return 0;
}

static void investigation_free(struct fw_investigation *inv)
{
	fw_history_free(&inv->history);
	for (size_t i = 0; i < inv->n_procs; i++)
		fw_process_free(&inv->procs[i]);
	free(inv->procs);
	free(inv->sanity);
	fw_verdict_free(&inv->verdict);
	fw_recommendations_free(&inv->recs);
	fw_flare_free(&inv->flare);
	free(inv->flare_name);
	free(inv->flare_time);
	free(inv->md_name);
}

/* The zip's SHA-256 for report.json: the caller's (checked) or hashed
 * here, from the file the extraction then reads. */
static int flare_sha256(const char *path, const char *given, char hex[FW_SHA256_HEX_LEN + 1],
			struct fw_error *err)
{
	if (given) {
		if (strlen(given) != FW_SHA256_HEX_LEN || strspn(given, "0123456789abcdef") != FW_SHA256_HEX_LEN)
			return fw_err(err, -EINVAL, "%s: not a SHA-256 in lowercase hex: \"%.80s\"", path, given);
		memcpy(hex, given, FW_SHA256_HEX_LEN + 1);
		return 0;
	}
	return fw_sha256_path(path, 0, hex, err);
}

int fw_analyze(const char *path, const struct fw_analyze_opts *o, struct fw_analyze_result *res,
	       struct fw_error *err)
{
	struct fw_investigation inv;
	struct fw_thresholds th;
	struct fw_decode_limits dlim;
	struct stat st;
	char tmp[4096] = "", when[32];
	const char *dir = path, *name;
	const char *out_dir = o->out_dir ? o->out_dir : o->cfg->investigations_dir;
	size_t len, name_len;
	int r;

	if (o->display_name) {
		name = o->display_name;
		name_len = strlen(name);
	} else {
		name = fw_path_base(path, &name_len);
	}
	memset(res, 0, sizeof(*res));
	memset(&inv, 0, sizeof(inv));
	inv.cfg = o->cfg;
	if (stat(path, &st) < 0)
		return fw_err(err, -errno, "%s: %s", path, strerror(errno));
	if (S_ISREG(st.st_mode)) {
		struct fw_archive_limits lim;
		fw_archive_limits_config(&lim, o->cfg);
		if ((r = flare_sha256(path, o->sha256, inv.sha256, err)) < 0 ||
		    (r = fw_tmpdir_create(o->tmp_parent, "flarewatch-", tmp, sizeof(tmp), err)) < 0)
			return r;
		if ((r = fw_archive_extract(path, tmp, &lim, err)) < 0)
			goto out;
		dir = tmp;
	} else if (!S_ISDIR(st.st_mode)) {
		return fw_err(err, -EINVAL, "%s: not a zip file or a folder", path);
	}

	if (!(inv.flare_name = fw_redact(name, name_len, &len))) {
		r = nomem(err);
		goto out;
	}
	if ((r = fw_flare_open(dir, inv.flare_name, GOROUTINE_WAIT_MINUTES, &inv.flare, err)) < 0) {
		fw_err_prefix(err, "%s", inv.flare_name);
		goto out;
	}
	if ((r = find_ticket(&inv, o, name, name_len, err)) < 0)
		goto out;
	inv.has_upgrade = inv.flare.has_vhist &&
			  fw_vhist_recent_change(&inv.flare.vhist, inv.flare.time_ms,
						 (int64_t)FW_UPGRADE_WINDOW_DAYS * 86400 * 1000, &inv.upgrade);
	fw_utc_format(when, sizeof(when), inv.flare.time_ms, FW_UTC_COMPACT);
	if (!(inv.flare_time = strdup(when)) ||
	    asprintf(&inv.md_name, "flare-profiling-%s.md", inv.flare.hostname) < 0) {
		inv.md_name = NULL;
		r = nomem(err);
		goto out;
	}
	fw_analyze_decode_limits(o->cfg, &dlim);
	inv.procs = calloc(inv.flare.n_procs + 1, sizeof(*inv.procs));
	if (!inv.procs) {
		r = nomem(err);
		goto out;
	}
	/* each process's call graphs are drawn (dot) while the next one is
	 * analyzed: at most two processes' dot children run at once */
	for (size_t i = 0; i < inv.flare.n_procs; i++) {
		if ((r = fw_process_analyze(inv.flare.profiles_dir, inv.flare.procs[i], &dlim, &inv.procs[i], err)) < 0)
			goto out;
		inv.n_procs++;
		if (i > 0 && (r = fw_process_callgraphs(&inv.procs[i - 1], err)) < 0)
			goto out;
	}
	if (inv.n_procs && (r = fw_process_callgraphs(&inv.procs[inv.n_procs - 1], err)) < 0)
		goto out;
	inv.sanity = calloc(inv.n_procs + 1, sizeof(*inv.sanity));
	if (!inv.sanity) {
		r = nomem(err);
		goto out;
	}
	{
		bool core = false;
		for (size_t i = 0; i < inv.n_procs; i++) {
			fw_memsanity_compute(&inv.procs[i], inv.procs[i].name, &inv.flare, &inv.sanity[i]);
			core |= inv.sanity[i].is_core;
		}
		inv.n_sanity = inv.n_procs;
		if (!core && inv.flare.has_memstats)
			fw_memsanity_compute(NULL, "core", &inv.flare, &inv.sanity[inv.n_sanity++]);
	}
	fw_thresholds_from_config(o->cfg, &th);
	struct fw_rec_context ctx = { inv.sanity, inv.n_sanity, inv.has_upgrade ? &inv.upgrade : NULL };
	r = fw_verdict_evaluate(inv.procs, inv.n_procs, inv.flare.has_goroutines ? &inv.flare.gor : NULL, &th,
				&inv.verdict, err);
	if (r == 0)
		r = host_history(&inv, out_dir, &th, err);
	if (r < 0 || (r = fw_recommend(&inv.flare, inv.procs, inv.n_procs, &inv.verdict, &ctx, &inv.recs, err)) < 0)
		goto out;
	if (fill_result(&inv, res) < 0) {
		r = nomem(err);
		goto out;
	}
	r = write_outputs(&inv, out_dir, o->intent_path, res, err);
out:
	if (tmp[0]) {
		struct fw_error e2;
		if (fw_tree_remove(tmp, &e2) < 0 && r == 0)
			r = fw_err(err, -EIO, "%s", e2.msg);
	}
	investigation_free(&inv);
	if (r < 0)
		fw_analyze_result_free(res);
	return r;
}

void fw_analyze_result_free(struct fw_analyze_result *res)
{
	free(res->hostname);
	free(res->agent_version);
	free(res->summary);
	free(res->report_dir);
	free(res->report_path);
	free(res->json_path);
	free(res->flare_time);
	free(res->top_growth_function);
	free(res->top_cpu_function);
	free(res->index_warning);
	free(res->ticket);
	memset(res, 0, sizeof(*res));
}

/* ---- limits ---------------------------------------------------------------------- */

void fw_analyze_decode_limits(const struct fw_config *cfg, struct fw_decode_limits *lim)
{
	uint64_t decoded = cfg->analysis.memory_limit / FW_DECODED_SHARE;
	uint64_t file = cfg->archive.max_total_size;

	memset(lim, 0, sizeof(*lim));
	if (decoded > FW_DECODED_MAX)
		decoded = FW_DECODED_MAX;
	if (file > FW_DECODED_MAX)
		file = FW_DECODED_MAX;
	lim->max_decoded_bytes = (size_t)decoded;
	lim->max_file_bytes = (size_t)file;
}

/* ---- the investigations tree's own chores ---------------------------------------- */

/* Removes DIR/host/name (a ".tmp-" folder) unless its writer is alive:
 * the writer holds an flock on its TMP_LOCK until the folder is
 * published. A folder without TMP_LOCK is a dead writer's when tree_locked
 * (DIR/.tmp.lock held exclusively), else only once it is old. Returns 1
 * removed, 0 left, <0 error. */
static int cleanup_one(int hfd, const char *host_path, const char *name, bool tree_locked,
		       struct fw_error *err)
{
	char path[4096], lock[4200];
	struct stat st;
	int fd, r;

	if (snprintf(path, sizeof(path), "%s/%s", host_path, name) >= (int)sizeof(path))
		return 0;
	if (fstatat(hfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	snprintf(lock, sizeof(lock), "%s/" TMP_LOCK, path);
	fd = open(lock, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		/* a crash before the lock was made (no writer holds the
		 * tree lock), or, without the tree lock, maybe no lock yet:
		 * then only an old one goes */
		if (errno != ENOENT || (!tree_locked && time(NULL) - st.st_mtime < TMP_UNLOCKED_AGE_S))
			return 0;
	} else if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		return 0; /* its writer is alive */
	}
	r = fw_tree_remove(path, err);
	if (fd >= 0)
		close(fd);
	return r < 0 ? r : 1;
}

int fw_investigations_cleanup(const char *out_dir, struct fw_error *err)
{
	DIR *top;
	int removed = 0, first = 0, tree_fd;
	struct fw_error e;

	if (!(top = opendir(out_dir))) {
		if (errno == ENOENT)
			return 0;
		return fw_err(err, -errno, "%s: %s", out_dir, strerror(errno));
	}
	tree_fd = tree_lock(out_dir, LOCK_EX);
	for (struct dirent *h; (h = readdir(top)) != NULL;) {
		char host_path[4096];
		struct stat st;
		DIR *hd;
		int removed_here = 0;
		if (h->d_name[0] == '.' || fstatat(dirfd(top), h->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		if (snprintf(host_path, sizeof(host_path), "%s/%s", out_dir, h->d_name) >= (int)sizeof(host_path) ||
		    !(hd = opendir(host_path)))
			continue;
		for (struct dirent *t; (t = readdir(hd)) != NULL;) {
			int r;
			if (strncmp(t->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) != 0)
				continue;
			r = cleanup_one(dirfd(hd), host_path, t->d_name, tree_fd >= 0, &e);
			if (r > 0)
				removed_here++;
			else if (r < 0 && !first)
				first = fw_err(err, r, "%s", e.msg);
		}
		closedir(hd);
		if (removed_here)
			(void)rmdir(host_path); /* only if no report is there */
		removed += removed_here;
	}
	closedir(top);
	if (tree_fd >= 0)
		close(tree_fd);
	return first ? first : removed;
}

int fw_analyze_published(const char *intent_path, char **report_dir, struct fw_error *err)
{
	uint8_t *data = NULL;
	size_t len;
	struct stat st;
	char json[4200], *nl, tail;
	unsigned long long dev, ino;
	int r;

	*report_dir = NULL;
	if ((r = fw_read_file(intent_path, 4300, &data, &len, err)) < 0) {
		if (r == -ENOENT)
			return 0;
		return r;
	}
	/* "<path>\n<st_dev> <st_ino>\n" */
	nl = len > 2 && data[len - 1] == '\n' && !memchr(data, 0, len) ? memchr(data, '\n', len - 1) : NULL;
	if (nl)
		data[len - 1] = 0;
	if (!nl || nl == (char *)data || sscanf(nl + 1, "%llu %llu%c", &dev, &ino, &tail) != 2 ||
	    strchr(nl + 1, '\n')) {
		free(data);
		return fw_err(err, -EINVAL, "%s: not a report folder path and identity", intent_path);
	}
	*nl = 0;
	/* another analysis's report at the path this one meant to take */
	if (lstat((char *)data, &st) < 0 || !S_ISDIR(st.st_mode) || (unsigned long long)st.st_dev != dev ||
	    (unsigned long long)st.st_ino != ino) {
		free(data);
		return 0;
	}
	snprintf(json, sizeof(json), "%s/report.json", (char *)data);
	if (stat(json, &st) < 0) {
		r = errno;
		if (r == ENOENT || r == ENOTDIR) {
			free(data);
			return 0;
		}
		free(data);
		return fw_err(err, -r, "%s: %s", json, strerror(r));
	}
	if (!S_ISREG(st.st_mode)) {
		free(data);
		return 0;
	}
	*report_dir = (char *)data;
	return 1;
}
