/*
 * index.c: the investigations index (see index.h). It lists reports that
 * are written; it must not analyze or judge a flare (its verdict column is
 * the report's own, as report.json says).
 */
#include "investigate/index.h"
#include "investigate/outliers_page.h"
#include "base/fsutil.h"
#include "base/redact.h"
#include "investigate/hostpage.h"
#include "investigate/reportread.h"
#include "investigate/site.h"
#include "investigate/verdict.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* index.md stops listing (oldest last) past this size; a row is at most a
 * few KiB (the field caps below), a usual one about 400 bytes. */
#define MAX_INDEX (32u << 20)
/* Per-field caps (bytes, before the cut marker). */
#define FIELD_MAX 256
#define SUMMARY_MAX 1024
#define NAME_MAX_ 255
/* The scan visits at most this many report folders and keeps at most this
 * many bytes of strings (derived data: bounded, and it says so). */
#define SCAN_MAX_REPORTS 200000
#define SCAN_MAX_POOL ((size_t)64 << 20)
/* Warning lines kept (the count of skipped reports is exact). */
#define MAX_WARNINGS 20
#define N_VERDICTS 6

static const char cut_mark[] = "\xe2\x80\xa6"; /* … */

/* One field: redacted, with tabs, newlines and control bytes as spaces,
 * cut to max bytes (at a UTF-8 character boundary) with "…". */
static void field(struct fw_buf *b, const char *s, size_t max)
{
	size_t len, n;
	char *r = fw_redact(s ? s : "", strlen(s ? s : ""), &len);

	if (!r) {
		b->failed = true;
		return;
	}
	n = len;
	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)r[n] & 0xc0) == 0x80)
			n--;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)r[i];
		fw_buf_putc(b, c < 0x20 || c == 0x7f ? ' ' : (char)c);
	}
	if (n < len)
		fw_buf_puts(b, cut_mark);
	free(r);
}

/* A folder or file name that may appear in a Markdown link as it is:
 * [A-Za-z0-9._-], not starting with '.', not too long. Our own names
 * (host folders, flare times, flare-profiling-<host>.md) are all such. */
static bool safe_name(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > NAME_MAX_ || s[0] == '.')
		return false;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

static bool digits(const char *s, size_t at, size_t n)
{
	for (size_t i = at; i < at + n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* "YYYY-MM-DDTHH:MM:SS[.mmm]Z", as write_json.c writes times. */
static bool iso_time(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	return (n == 20 || (n == 24 && s[19] == '.' && digits(s, 20, 3))) && digits(s, 0, 4) && s[4] == '-' &&
	       digits(s, 5, 2) && s[7] == '-' && digits(s, 8, 2) && s[10] == 'T' && digits(s, 11, 2) &&
	       s[13] == ':' && digits(s, 14, 2) && s[16] == ':' && digits(s, 17, 2) && s[n - 1] == 'Z';
}

/* The flare time from a report folder's name "YYYYmmddTHHMMSSZ[-N]"
 * (when report.json has none), else "". */
static void time_from_folder(const char *name, char out[21])
{
	out[0] = 0;
	if (strlen(name) >= 16 && digits(name, 0, 8) && name[8] == 'T' && digits(name, 9, 6) && name[15] == 'Z' &&
	    (name[16] == 0 || name[16] == '-'))
		snprintf(out, 21, "%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", name, name + 4, name + 6, name + 9, name + 11,
			 name + 13);
}

enum {
	F_TIME,
	F_HOST,
	F_AGENT,
	F_VERDICT,
	F_SUMMARY,
	F_REPORT,
	F_TICKET,
	F_FILE,
	F_ANALYZED,
	F_START,
	F_DIR,
	F_CORE_TOP,
	F_TRACE_TOP,
	N_F
};

struct row {
	size_t off[N_F]; /* offsets of the strings in the pool */
	int verdict;
	int64_t uptime_ns;
	struct fw_index_proc core, trace; /* top_growth: NULL (off[F_*_TOP]) */
};

struct scan {
	const char *dir;
	const char *only_host; /* NULL, or the one host folder to read */
	struct row *rows;
	size_t n, cap;
	size_t visited, skipped;
	bool full; /* stopped at a bound */
	struct fw_buf pool, warnings;
	size_t n_warnings;
};

static void warn(struct scan *s, const char *msg)
{
	s->skipped++;
	if (s->n_warnings++ < MAX_WARNINGS) {
		field(&s->warnings, msg, 1024);
		fw_buf_putc(&s->warnings, '\n');
	}
}

static int verdict_of(const char *name)
{
	for (int k = 0; k < N_VERDICTS; k++)
		if (strcmp(name, fw_verdict_name((enum fw_verdict_kind)k)) == 0)
			return k;
	return -1;
}

static size_t put(struct scan *s, const char *v, size_t max)
{
	size_t off = s->pool.len;
	field(&s->pool, v, max);
	fw_buf_putc(&s->pool, 0);
	return off;
}

/* A figure that cannot be negative: -1 for absent and anything below 0. */
static int64_t nonneg(int64_t v)
{
	return v < 0 ? -1 : v;
}

/* The process's figures (its function name goes to the pool apart). */
static struct fw_index_proc proc_figures(const struct fw_report_proc *p)
{
	struct fw_index_proc o = { .present = p->present,
				   .heap_alloc = nonneg(p->heap_alloc),
				   .sys = nonneg(p->sys),
				   .heap_objects = nonneg(p->heap_objects),
				   .goroutines = nonneg(p->goroutines),
				   .has_growth_30s = p->has_growth_30s,
				   .growth_30s = p->has_growth_30s ? p->growth_30s : 0,
				   .cpu_ns_per_s = -1 };
	double r;

	if (p->cpu_total_ns >= 0 && p->cpu_duration_ns > 0) {
		r = round((double)p->cpu_total_ns * 1e9 / (double)p->cpu_duration_ns);
		if (r < 9.2e18)
			o.cpu_ns_per_s = (int64_t)r;
	}
	return o;
}

/* Adds DIR/host/when's report when it has a report.json (a folder without
 * one is no report: nothing to say). */
static void scan_report(struct scan *s, const char *host, const char *when)
{
	char path[4096], rel[1024], ftime[21], start[21], msg[4200];
	struct fw_report_info ri;
	struct fw_error e;
	struct stat st;
	struct row *r;
	int v;

	if (snprintf(path, sizeof(path), "%s/%s/%s/report.json", s->dir, host, when) >= (int)sizeof(path))
		return;
	if (lstat(path, &st) < 0 && errno == ENOENT)
		return;
	s->visited++;
	if (!safe_name(host) || !safe_name(when)) {
		snprintf(msg, sizeof(msg), "%s: not a report folder's name (made by hand?)", path);
		warn(s, msg);
		return;
	}
	if (fw_report_read(path, &ri, &e) < 0) {
		warn(s, e.msg);
		return;
	}
	if ((v = verdict_of(ri.verdict_name)) < 0 || !safe_name(ri.markdown)) {
		snprintf(msg, sizeof(msg), "%s: %s", path,
			 v < 0 ? "verdict.name is not a verdict" : "report.markdown is not a file name");
		fw_report_info_free(&ri);
		warn(s, msg);
		return;
	}
	if (fw_grow((void **)&s->rows, &s->cap, s->n + 1, sizeof(*s->rows)) < 0) {
		s->pool.failed = true;
		fw_report_info_free(&ri);
		return;
	}
	r = &s->rows[s->n++];
	r->verdict = v;
	if (iso_time(ri.flare_time))
		snprintf(ftime, sizeof(ftime), "%.19sZ", ri.flare_time); /* to the second */
	else
		time_from_folder(when, ftime);
	snprintf(rel, sizeof(rel), "%s/%s/%s", host, when, ri.markdown);
	r->off[F_TIME] = put(s, ftime, FIELD_MAX);
	r->off[F_HOST] = put(s, ri.hostname, FIELD_MAX);
	r->off[F_AGENT] = put(s, ri.agent_version, FIELD_MAX);
	r->off[F_VERDICT] = put(s, ri.verdict_name, FIELD_MAX);
	r->off[F_SUMMARY] = put(s, ri.summary, SUMMARY_MAX);
	r->off[F_REPORT] = put(s, rel, sizeof(rel));
	r->off[F_TICKET] = put(s, ri.ticket, FIELD_MAX);
	r->off[F_FILE] = put(s, ri.flare_file, FIELD_MAX);
	r->off[F_ANALYZED] = put(s, iso_time(ri.analyzed_at) ? ri.analyzed_at : "", FIELD_MAX);
	start[0] = 0;
	if (iso_time(ri.agent_start))
		snprintf(start, sizeof(start), "%.19sZ", ri.agent_start); /* to the second */
	r->off[F_START] = put(s, start, FIELD_MAX);
	snprintf(rel, sizeof(rel), "%s/%s", host, when);
	r->off[F_DIR] = put(s, rel, sizeof(rel));
	r->off[F_CORE_TOP] = put(s, ri.core.top_growth, FIELD_MAX);
	r->off[F_TRACE_TOP] = put(s, ri.trace.top_growth, FIELD_MAX);
	r->uptime_ns = nonneg(ri.uptime_ns);
	r->core = proc_figures(&ri.core);
	r->trace = proc_figures(&ri.trace);
	fw_report_info_free(&ri);
}

static bool scan_full(struct scan *s)
{
	if (s->visited >= SCAN_MAX_REPORTS || s->pool.len >= SCAN_MAX_POOL)
		s->full = true;
	return s->full || s->pool.failed;
}

static bool visible_dir(int dfd, const char *name)
{
	struct stat st;
	return name[0] != '.' && fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

static int scan_tree(struct scan *s, struct fw_error *err)
{
	char path[4096];
	DIR *top;

	if (!(top = opendir(s->dir)))
		return fw_err(err, -errno, "%s: %s", s->dir, strerror(errno));
	for (struct dirent *h; !scan_full(s) && (h = readdir(top)) != NULL;) {
		DIR *hd;
		if (!visible_dir(dirfd(top), h->d_name) || (s->only_host && strcmp(h->d_name, s->only_host) != 0))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", s->dir, h->d_name) >= (int)sizeof(path) ||
		    !(hd = opendir(path)))
			continue;
		for (struct dirent *t; !scan_full(s) && (t = readdir(hd)) != NULL;) {
			if (visible_dir(dirfd(hd), t->d_name))
				scan_report(s, h->d_name, t->d_name);
		}
		closedir(hd);
	}
	closedir(top);
	if (s->pool.failed || s->warnings.failed)
		return fw_err(err, -ENOMEM, "out of memory reading the reports of %s", s->dir);
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct fw_index_entry *x = a, *y = b;
	int r = strcmp(y->time, x->time); /* newest flare first */
	if (!r)
		r = strcmp(y->analyzed_at, x->analyzed_at); /* then the latest analysis */
	return r ? r : strcmp(x->report, y->report);
}

static void scan_free(struct scan *s)
{
	free(s->rows);
	fw_buf_free(&s->pool);
	fw_buf_free(&s->warnings);
}

static int scan_list(const char *dir, const char *only_host, struct fw_index_list *out, struct fw_error *err)
{
	struct scan s = { .dir = dir, .only_host = only_host };
	int r;

	memset(out, 0, sizeof(*out));
	fw_buf_init(&s.pool);
	fw_buf_init(&s.warnings);
	if ((r = scan_tree(&s, err)) < 0) {
		scan_free(&s);
		return r;
	}
	if (s.full) {
		char msg[4200];
		snprintf(msg, sizeof(msg), "%s: more than %d report folders or %zu MiB of fields: the rest left out",
			 dir, SCAN_MAX_REPORTS, SCAN_MAX_POOL >> 20);
		warn(&s, msg);
		s.skipped--; /* not a report that could not be read */
	}
	if (s.n_warnings > MAX_WARNINGS)
		fw_buf_printf(&s.warnings, "... and %zu more\n", s.n_warnings - MAX_WARNINGS);
	if (s.pool.failed || s.warnings.failed || !(out->v = calloc(s.n + 1, sizeof(*out->v)))) {
		scan_free(&s);
		return fw_err(err, -ENOMEM, "out of memory reading the reports of %s", dir);
	}
	for (size_t i = 0; i < s.n; i++) {
		const char *f[N_F];
		for (int k = 0; k < N_F; k++)
			f[k] = s.pool.data + s.rows[i].off[k];
		const struct row *rw = &s.rows[i];
		out->v[i] = (struct fw_index_entry){ .time = f[F_TIME],
						     .hostname = f[F_HOST],
						     .agent_version = f[F_AGENT],
						     .verdict = f[F_VERDICT],
						     .summary = f[F_SUMMARY],
						     .report = f[F_REPORT],
						     .ticket = f[F_TICKET],
						     .flare_file = f[F_FILE],
						     .analyzed_at = f[F_ANALYZED],
						     .agent_start = f[F_START],
						     .uptime_ns = rw->uptime_ns,
						     .report_dir = f[F_DIR],
						     .core = rw->core,
						     .trace = rw->trace };
		out->v[i].core.top_growth = f[F_CORE_TOP];
		out->v[i].trace.top_growth = f[F_TRACE_TOP];
	}
	out->n = s.n;
	out->skipped = s.skipped;
	out->warnings = s.warnings.len ? fw_buf_take(&s.warnings) : NULL;
	out->pool = s.pool; /* the strings point into it */
	fw_buf_init(&s.pool);
	fw_qsort(out->v, out->n, sizeof(*out->v), cmp_entry);
	scan_free(&s);
	return 0;
}

int fw_index_scan(const char *dir, struct fw_index_list *out, struct fw_error *err)
{
	return scan_list(dir, NULL, out, err);
}

int fw_index_scan_host(const char *dir, const char *host_folder, struct fw_index_list *out, struct fw_error *err)
{
	return scan_list(dir, host_folder, out, err);
}

struct by_host {
	const char *hostname;
	size_t i; /* in the list: newest first */
};

static int cmp_host(const void *a, const void *b)
{
	const struct by_host *x = a, *y = b;
	int r = strcmp(x->hostname, y->hostname);
	return r ? r : (x->i > y->i) - (x->i < y->i);
}

size_t *fw_index_by_host(const struct fw_index_list *l)
{
	struct by_host *bh = malloc((l->n ? l->n : 1) * sizeof(*bh));
	size_t *order = malloc((l->n ? l->n : 1) * sizeof(*order));

	if (!bh || !order) {
		free(bh);
		free(order);
		return NULL;
	}
	for (size_t i = 0; i < l->n; i++)
		bh[i] = (struct by_host){ l->v[i].hostname, i };
	fw_qsort(bh, l->n, sizeof(*bh), cmp_host);
	for (size_t i = 0; i < l->n; i++)
		order[i] = bh[i].i;
	free(bh);
	return order;
}

void fw_index_list_free(struct fw_index_list *l)
{
	free(l->v);
	free(l->warnings);
	fw_buf_free(&l->pool);
	memset(l, 0, sizeof(*l));
}

/* ---- index.md -------------------------------------------------------------- */

/* Markdown table cell: the characters Markdown would read escaped; an
 * empty value as "-". */
static void cell(struct fw_buf *b, const char *s)
{
	if (!*s)
		fw_buf_putc(b, '-');
	for (; *s; s++) {
		if (strchr("|\\`*_[]<>#!&~", *s))
			fw_buf_putc(b, '\\');
		fw_buf_putc(b, *s);
	}
}

static int render(const char *dir, const struct fw_index_list *l, struct fw_error *err)
{
	size_t counts[N_VERDICTS] = { 0 }, listed = 0;
	struct fw_buf md;
	char path[4096];
	int r;

	for (size_t i = 0; i < l->n; i++) {
		int k = verdict_of(l->v[i].verdict); /* checked by the scan: never -1 */
		if (k >= 0)
			counts[k]++;
	}
	fw_buf_init(&md);
	fw_buf_printf(&md, "# Flare investigations\n\n%zu report%s, newest flare first.\n\n", l->n,
		      l->n == 1 ? "" : "s");
	if (l->skipped)
		fw_buf_printf(&md,
			      "%zu report folder%s could not be read and %s left out: `flarewatch index` "
			      "names %s.\n\n",
			      l->skipped, l->skipped == 1 ? "" : "s", l->skipped == 1 ? "is" : "are",
			      l->skipped == 1 ? "it" : "them");
	fw_buf_puts(&md, "| Verdict | Reports |\n|---|---:|\n");
	for (int k = 0; k < N_VERDICTS; k++)
		fw_buf_printf(&md, "| %s | %zu |\n", fw_verdict_name((enum fw_verdict_kind)k), counts[k]);
	fw_buf_puts(&md, "\n| Flare time | Host | Ticket | Agent | Verdict | Summary | Flare file | Analyzed | Report |\n"
			 "|---|---|---|---|---|---|---|---|---|\n");
	for (; listed < l->n && md.len < MAX_INDEX; listed++) {
		const struct fw_index_entry *e = &l->v[listed];
		const char *cols[] = { e->time, e->hostname, e->ticket,
				       e->agent_version[0] ? e->agent_version : "unknown" };
		for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]); k++) {
			fw_buf_puts(&md, "| ");
			cell(&md, cols[k]);
			fw_buf_putc(&md, ' ');
		}
		fw_buf_puts(&md, "| **");
		cell(&md, e->verdict);
		fw_buf_puts(&md, "** | ");
		cell(&md, e->summary);
		fw_buf_puts(&md, " | ");
		cell(&md, e->flare_file);
		fw_buf_puts(&md, " | ");
		cell(&md, e->analyzed_at);
		/* a relative path of safe names (fw_index_scan checked them) */
		fw_buf_printf(&md, " | [report](%s) |\n", e->report);
	}
	if (listed < l->n)
		fw_buf_printf(&md, "\nThe %zu oldest reports are not listed: the index is limited to %u MiB.\n",
			      l->n - listed, MAX_INDEX >> 20);
	if (md.failed) {
		fw_buf_free(&md);
		return fw_err(err, -ENOMEM, "out of memory writing the index");
	}
	snprintf(path, sizeof(path), "%s/index.md", dir);
	r = fw_write_file_atomic(path, md.data, md.len, 0644, err);
	fw_buf_free(&md);
	return r;
}

static int lock_index(const char *dir, int *lock_fd, struct fw_error *err)
{
	char lock_path[4096];

	if (snprintf(lock_path, sizeof(lock_path), "%s/.index.lock", dir) >= (int)sizeof(lock_path))
		return fw_err(err, -ENAMETOOLONG, "%s: path too long", dir);
	/* read-only: flock needs no more, and an engineer of the group can
	 * then lock the daemon's file too */
	*lock_fd = open(lock_path, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0664);
	if (*lock_fd < 0)
		return fw_err(err, -errno, "%s: %s", lock_path, strerror(errno));
	while (flock(*lock_fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			int r = fw_err(err, -errno, "%s: lock: %s", lock_path, strerror(errno));
			close(*lock_fd);
			*lock_fd = -1;
			return r;
		}
	}
	return 0;
}

int fw_index_regenerate(const char *dir, struct fw_index_list *out, struct fw_error *err)
{
	struct fw_index_list l;
	char old[4096];
	int lock_fd = -1, r;

	if (out)
		memset(out, 0, sizeof(*out));
	if ((r = lock_index(dir, &lock_fd, err)) < 0)
		return r;
	if ((r = fw_index_scan(dir, &l, err)) == 0) {
		r = render(dir, &l, err);
		if (r == 0) /* the site's outliers.html, from the same scan */
			r = fw_outliers_page_write(dir, &l, err);
		/* the host pages (hostpage.h), from the same scan */
		if (r == 0)
			r = fw_host_pages_write(dir, &l, err);
		if (r == 0) /* the site's page of the same list */
			r = fw_site_index(dir, &l, err);
		/* the append log of earlier versions: report.json replaced it */
		if (r == 0 && snprintf(old, sizeof(old), "%s/.index.tsv", dir) < (int)sizeof(old))
			(void)unlink(old);
	}
	close(lock_fd); /* releases the lock */
	if (r == 0 && out)
		*out = l;
	else
		fw_index_list_free(&l);
	return r;
}

int fw_index_rebuild(const char *dir, struct fw_error *err)
{
	struct fw_index_list l;
	int r;

	if ((r = fw_index_regenerate(dir, &l, err)) < 0)
		return r;
	if (l.skipped) {
		size_t first = strcspn(l.warnings ? l.warnings : "", "\n");
		r = fw_err(err, 1, "%s/index.md: %zu report%s listed, %zu report folder%s left out (%.*s)", dir, l.n,
			   l.n == 1 ? "" : "s", l.skipped, l.skipped == 1 ? "" : "s", (int)first,
			   l.warnings ? l.warnings : "");
	} else {
		fw_err(err, 1, "%s/index.md: %zu report%s listed", dir, l.n, l.n == 1 ? "" : "s");
		r = 0;
	}
	fw_index_list_free(&l);
	return r;
}
