/*
 * index.c: the investigations index (see index.h). It lists reports that
 * are written; it must not analyze or judge a flare (its verdict column is
 * the report's own).
 */
#include "investigate/index.h"
#include "base/fsutil.h"
#include "base/redact.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Rows are at most FW_INDEX_ROW_MAX bytes, so this holds tens of
 * thousands of reports; past it the index is rebuilt from the reports,
 * newest first, as many as fit. */
#define MAX_INDEX (64u << 20)
/* Per-field caps of a row (bytes, before the cut marker). */
#define FIELD_MAX 256
#define SUMMARY_MAX 1024
#define REPORT_MAX 1024
/* The rebuild reads at most this many report folders, and stops once it
 * holds this many bytes of rows (it is derived data: bounded, not exact). */
#define REBUILD_MAX_REPORTS 200000
#define REBUILD_MAX_BYTES (2 * (size_t)MAX_INDEX)

static const char cut_mark[] = "\xe2\x80\xa6"; /* … */

/* One TSV field: redacted, with tabs, newlines and control bytes as
 * spaces, cut to max bytes (at a UTF-8 character boundary) with "…". */
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

/* time, hostname, agent_version, verdict, summary, report, ticket,
 * flare_file, analyzed_at */
#define N_FIELDS 9
#define N_FIELDS_V1 6 /* rows written before the ticket column */
#define F_REPORT 5
#define F_TICKET 6
#define F_FLARE_FILE 7
#define F_ANALYZED_AT 8

int fw_index_row(const struct fw_index_entry *e, struct fw_buf *out)
{
	const char *const v[N_FIELDS] = { e->time,    e->hostname, e->agent_version, e->verdict,    e->summary,
					  e->report,  e->ticket,   e->flare_file,    e->analyzed_at };
	static const size_t max[N_FIELDS] = { FIELD_MAX, FIELD_MAX, FIELD_MAX, FIELD_MAX, SUMMARY_MAX,
					      REPORT_MAX, FIELD_MAX, FIELD_MAX, FIELD_MAX };

	for (int k = 0; k < N_FIELDS; k++) {
		field(out, v[k], max[k]);
		fw_buf_putc(out, k == N_FIELDS - 1 ? '\n' : '\t');
	}
	return out->failed ? -ENOMEM : 0;
}

struct line {
	char *f[N_FIELDS];
};

static int cmp_line(const void *a, const void *b)
{
	const struct line *x = a, *y = b;
	int r = strcmp(y->f[0], x->f[0]); /* newest first */
	return r ? r : strcmp(x->f[F_REPORT], y->f[F_REPORT]);
}

/* Markdown table cell: pipes escaped, nothing else needed after field(). */
static void cell(struct fw_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '|' || *s == '\\' || *s == '`' || *s == '*' || *s == '_' || *s == '[' || *s == ']' ||
		    *s == '<' || *s == '>')
			fw_buf_putc(b, '\\');
		fw_buf_putc(b, *s);
	}
}

/* Splits tsv (modified in place) into rows of N_FIELDS fields (older rows
 * have fewer, down to N_FIELDS_V1: the missing ones are ""); a torn last
 * line and rows of fewer fields are ignored. */
static int parse(char *tsv, size_t len, struct line **out, size_t *n_out)
{
	struct line *lines = NULL;
	size_t n = 0, cap = 0;

	for (char *p = tsv, *end = tsv + len; p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		struct line l;
		int k = 0;
		if (!nl)
			break;
		*nl = 0;
		for (char *q = p; k < N_FIELDS; k++) {
			char *tab = strchr(q, '\t');
			l.f[k] = q;
			if (!tab) {
				k++;
				break;
			}
			*tab = 0;
			q = tab + 1;
		}
		for (int m = k; m < N_FIELDS; m++)
			l.f[m] = nl; /* "": the line's end */
		if (k >= N_FIELDS_V1) {
			if (fw_grow((void **)&lines, &cap, n + 1, sizeof(*lines)) < 0) {
				free(lines);
				return -ENOMEM;
			}
			lines[n++] = l;
		}
		p = nl + 1;
	}
	*out = lines;
	*n_out = n;
	return 0;
}

static int render(const char *dir, struct line *lines, size_t n, struct fw_error *err)
{
	struct fw_buf md;
	char path[4096];
	int r;

	fw_qsort(lines, n, sizeof(*lines), cmp_line);
	fw_buf_init(&md);
	fw_buf_printf(&md, "# Flare investigations\n\n%zu report%s, newest flare first.\n\n", n, n == 1 ? "" : "s");
	fw_buf_puts(&md, "| Flare time | Host | Agent | Verdict | Summary | Report | Ticket |\n"
			 "|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < n; i++) {
		fw_buf_puts(&md, "| ");
		cell(&md, lines[i].f[0]);
		fw_buf_puts(&md, " | ");
		cell(&md, lines[i].f[1]);
		fw_buf_puts(&md, " | ");
		cell(&md, lines[i].f[2][0] ? lines[i].f[2] : "unknown");
		fw_buf_puts(&md, " | **");
		cell(&md, lines[i].f[3]);
		fw_buf_puts(&md, "** | ");
		cell(&md, lines[i].f[4]);
		fw_buf_puts(&md, " | [report](");
		/* a relative path of safe characters (host and time names) */
		fw_buf_puts(&md, lines[i].f[F_REPORT]);
		fw_buf_puts(&md, ") | ");
		/* last: the columns before it kept their places */
		cell(&md, lines[i].f[F_TICKET][0] ? lines[i].f[F_TICKET] : "-");
		fw_buf_puts(&md, " |\n");
	}
	if (md.failed) {
		fw_buf_free(&md);
		return fw_err(err, -ENOMEM, "out of memory writing the index");
	}
	snprintf(path, sizeof(path), "%s/index.md", dir);
	r = fw_write_file_atomic(path, md.data, md.len, 0644, err);
	fw_buf_free(&md);
	return r;
}

/* ---- rebuilding from the reports ------------------------------------------ */

struct scan {
	struct fw_buf tsv;
	size_t reports, skipped;
};

/* Appends DIR/host/when's row (its FW_INDEX_ROW_FILE, with the report
 * field made relative to DIR) if it is a published report. */
static void scan_report(struct scan *s, const char *dir, const char *host, const char *when)
{
	char path[4096];
	struct stat st;
	uint8_t *data = NULL;
	size_t len;
	struct fw_error e;
	char *tab, *md, *rest;
	int k;

	if (snprintf(path, sizeof(path), "%s/%s/%s/report.json", dir, host, when) >= (int)sizeof(path) ||
	    lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return; /* not a report */
	snprintf(path, sizeof(path), "%s/%s/%s/" FW_INDEX_ROW_FILE, dir, host, when);
	if (fw_read_file(path, FW_INDEX_ROW_MAX, &data, &len, &e) < 0 || !len || data[len - 1] != '\n' ||
	    memchr(data, 0, len) || memchr(data, '\n', len - 1)) {
		free(data);
		s->skipped++;
		return;
	}
	data[len - 1] = 0;
	/* the report field (the 6th) is the Markdown file's name; the ticket
	 * follows it in rows that have one */
	for (k = 0, tab = NULL, md = (char *)data; k < F_REPORT && (tab = strchr(md, '\t')); k++)
		md = tab + 1;
	rest = k == F_REPORT ? strchr(md, '\t') : NULL;
	if (rest)
		*rest++ = 0;
	if (k != F_REPORT || !*md || strchr(md, '/') || md[0] == '.') {
		free(data);
		s->skipped++;
		return;
	}
	fw_buf_putn(&s->tsv, (const char *)data, (size_t)(tab - (char *)data));
	fw_buf_printf(&s->tsv, "\t%s/%s/%s\t%s\n", host, when, md, rest ? rest : "");
	free(data);
	s->reports++;
}

static bool scan_full(const struct scan *s)
{
	return s->reports + s->skipped >= REBUILD_MAX_REPORTS || s->tsv.len >= REBUILD_MAX_BYTES;
}

static bool visible_dir(int dfd, const char *name)
{
	struct stat st;
	return name[0] != '.' && fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

/* Reads the rows of DIR/<host>/<time>/ into s->tsv. */
static int scan_tree(const char *dir, struct scan *s, struct fw_error *err)
{
	char path[4096];
	DIR *top;

	fw_buf_init(&s->tsv);
	s->reports = s->skipped = 0;
	if (!(top = opendir(dir)))
		return fw_err(err, -errno, "%s: %s", dir, strerror(errno));
	for (struct dirent *h; !scan_full(s) && (h = readdir(top)) != NULL;) {
		DIR *hd;
		if (!visible_dir(dirfd(top), h->d_name))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, h->d_name) >= (int)sizeof(path) ||
		    !(hd = opendir(path)))
			continue;
		for (struct dirent *t; !scan_full(s) && (t = readdir(hd)) != NULL;) {
			if (visible_dir(dirfd(hd), t->d_name))
				scan_report(s, dir, h->d_name, t->d_name);
		}
		closedir(hd);
	}
	closedir(top);
	return 0;
}

/* Rebuilds .index.tsv and index.md from DIR/<host>/<time>/ under the lock
 * (lock_fd held by the caller). Keeps the newest rows that fit in
 * MAX_INDEX. *dropped counts rows left out for size. */
static int rebuild_locked(const char *dir, struct scan *s, size_t *dropped, struct fw_error *err)
{
	char tsv_path[4096];
	struct line *lines = NULL;
	size_t n = 0, keep_bytes = 0, keep = 0, budget;
	struct fw_buf out;
	int r;

	*dropped = 0;
	if ((r = scan_tree(dir, s, err)) < 0)
		return r;
	if (s->tsv.failed || parse(s->tsv.data ? s->tsv.data : (char *)"", s->tsv.len, &lines, &n) < 0) {
		fw_buf_free(&s->tsv);
		return fw_err(err, -ENOMEM, "out of memory rebuilding the index");
	}
	fw_qsort(lines, n, sizeof(*lines), cmp_line);
	/* Newest first: keep a prefix that fits. When all do not, keep half
	 * the limit, so that the next additions do not rebuild again. */
	budget = s->tsv.len <= MAX_INDEX ? MAX_INDEX : MAX_INDEX / 2;
	for (; keep < n; keep++) {
		size_t b = N_FIELDS;
		for (int k = 0; k < N_FIELDS; k++)
			b += strlen(lines[keep].f[k]);
		if (keep_bytes + b > budget)
			break;
		keep_bytes += b;
	}
	*dropped = n - keep;
	fw_buf_init(&out);
	for (size_t i = keep; i-- > 0;) { /* oldest first, as appends would be */
		for (int k = 0; k < N_FIELDS; k++) {
			fw_buf_puts(&out, lines[i].f[k]);
			fw_buf_putc(&out, k == N_FIELDS - 1 ? '\n' : '\t');
		}
	}
	snprintf(tsv_path, sizeof(tsv_path), "%s/.index.tsv", dir);
	if (out.failed)
		r = fw_err(err, -ENOMEM, "out of memory rebuilding the index");
	else if ((r = fw_write_file_atomic(tsv_path, out.data ? out.data : "", out.len, 0644, err)) == 0)
		r = render(dir, lines, keep, err);
	fw_buf_free(&out);
	free(lines);
	fw_buf_free(&s->tsv);
	return r;
}

static int lock_index(const char *dir, int *lock_fd, struct fw_error *err)
{
	char lock_path[4096];

	if (snprintf(lock_path, sizeof(lock_path), "%s/.index.lock", dir) >= (int)sizeof(lock_path))
		return fw_err(err, -ENAMETOOLONG, "%s: path too long", dir);
	*lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
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

/* Rebuilds after `why` (already in err->msg); returns 1 with err saying
 * what happened, or <0 if the rebuild failed too. */
static int rebuild_after(const char *dir, struct fw_error *err)
{
	char why[sizeof(err->msg)];
	struct scan s;
	size_t dropped;
	int r;

	snprintf(why, sizeof(why), "%s", err->msg);
	if ((r = rebuild_locked(dir, &s, &dropped, err)) < 0) {
		fw_err_prefix(err, "%s; rebuilding it from the reports failed", why);
		return r;
	}
	return fw_err(err, 1, "%s; index rebuilt from %zu report%s%s%s", why, s.reports, s.reports == 1 ? "" : "s",
		      dropped ? " (the oldest left out: the index is full)" : "",
		      s.skipped ? " (report folders without an index row left out)" : "");
}

int fw_index_rebuild(const char *dir, struct fw_error *err)
{
	int lock_fd, r;

	if ((r = lock_index(dir, &lock_fd, err)) < 0)
		return r;
	fw_err(err, 1, "%s: index rebuild requested", dir);
	r = rebuild_after(dir, err);
	close(lock_fd);
	return r;
}

int fw_index_add(const char *dir, const struct fw_index_entry *e, struct fw_error *err)
{
	char tsv_path[4096];
	struct fw_buf line;
	struct line *lines = NULL;
	uint8_t *data = NULL;
	size_t len = 0, n;
	struct stat st;
	int lock_fd, fd, r;

	if (snprintf(tsv_path, sizeof(tsv_path), "%s/.index.tsv", dir) >= (int)sizeof(tsv_path))
		return fw_err(err, -ENAMETOOLONG, "%s: path too long", dir);
	fw_buf_init(&line);
	if (fw_index_row(e, &line) < 0) {
		fw_buf_free(&line);
		return fw_err(err, -ENOMEM, "out of memory writing the index");
	}
	if ((r = lock_index(dir, &lock_fd, err)) < 0) {
		fw_buf_free(&line);
		return r;
	}
	fd = open(tsv_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		fw_err(err, -errno, "%s: %s", tsv_path, strerror(errno));
		r = rebuild_after(dir, err);
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size + line.len > MAX_INDEX) {
		close(fd);
		fw_err(err, -EFBIG, "%s: not a file or over %u MiB", tsv_path, MAX_INDEX >> 20);
		r = rebuild_after(dir, err);
		goto out;
	}
	if (write(fd, line.data, line.len) != (ssize_t)line.len || fsync(fd) < 0) {
		r = fw_err(err, -EIO, "%s: write failed: %s", tsv_path, strerror(errno));
		close(fd);
		goto out;
	}
	close(fd);
	if ((r = fw_read_file(tsv_path, MAX_INDEX, &data, &len, err)) < 0) {
		r = rebuild_after(dir, err);
		goto out;
	}
	if (parse((char *)data, len, &lines, &n) < 0) {
		r = fw_err(err, -ENOMEM, "out of memory writing the index");
		goto out;
	}
	r = render(dir, lines, n, err);
out:
	free(lines);
	free(data);
	fw_buf_free(&line);
	close(lock_fd); /* releases the lock */
	return r;
}

int fw_index_scan(const char *dir, struct fw_index_list *out, struct fw_error *err)
{
	struct scan s;
	struct line *lines = NULL;
	size_t n = 0;
	int r;

	memset(out, 0, sizeof(*out));
	fw_buf_init(&out->pool);
	if ((r = scan_tree(dir, &s, err)) < 0)
		return r;
	fw_buf_putc(&s.tsv, 0);
	if (s.tsv.failed || parse(s.tsv.data, s.tsv.len - 1, &lines, &n) < 0 ||
	    !(out->v = calloc(n + 1, sizeof(*out->v)))) {
		free(lines);
		fw_buf_free(&s.tsv);
		return fw_err(err, -ENOMEM, "out of memory reading the index of %s", dir);
	}
	fw_qsort(lines, n, sizeof(*lines), cmp_line);
	for (size_t i = 0; i < n; i++) {
		const char *const *f = (const char *const *)lines[i].f;
		out->v[i] = (struct fw_index_entry){ f[0], f[1], f[2], f[3], f[4],
						     f[F_REPORT], f[F_TICKET], f[F_FLARE_FILE], f[F_ANALYZED_AT] };
	}
	out->n = n;
	out->skipped = s.skipped;
	out->pool = s.tsv; /* the strings point into it */
	free(lines);
	return 0;
}

void fw_index_list_free(struct fw_index_list *l)
{
	free(l->v);
	free(l->warnings);
	fw_buf_free(&l->pool);
	memset(l, 0, sizeof(*l));
}
