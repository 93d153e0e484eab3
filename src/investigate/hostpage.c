/*
 * hostpage.c: DIR/<host>/index.html (see hostpage.h). The charts are SVG
 * drawn here: one polyline per agent process (a restart or an upgrade
 * starts a new one, so no line joins two processes), a circle per flare
 * with a <title> giving its time and value, a dashed vertical marker at
 * each restart or upgrade. Presentation attributes only (no style
 * attribute: the CSP allows none).
 */
#include "investigate/hostpage.h"
#include "base/fsutil.h"
#include "investigate/html.h"
#include "investigate/index.h"
#include "investigate/verdict.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define W 640
#define H 180
#define LEFT 90
#define RIGHT 20
#define TOP 16
#define BOTTOM 28
/* a page larger than this is not read back for the unchanged check */
#define PAGE_MAX ((size_t)8 << 20)

static const char css[] =
	"body{font-family:sans-serif;margin:1em 2em;color:#222}"
	"table{border-collapse:collapse;font-size:90%}"
	"td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}"
	"td.n{text-align:right}"
	".charts{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0}"
	".change{font-weight:bold}";

enum metric { M_HEAP, M_SYS, M_GOROUTINES, M_GROWTH, N_M };

static const char *const m_title[N_M] = { "HeapAlloc", "Sys", "Goroutines", "Heap growth per 30 s" };
static const char *const m_id[N_M] = { "heap_alloc", "sys", "goroutines", "growth" };

static bool value(const struct fw_history_row *r, enum metric m, double *v)
{
	switch (m) {
	case M_HEAP: *v = (double)r->core.heap_alloc; return r->core.heap_alloc >= 0;
	case M_SYS: *v = (double)r->core.sys; return r->core.sys >= 0;
	case M_GOROUTINES: *v = (double)r->core.goroutines; return r->core.goroutines >= 0;
	case M_GROWTH: *v = (double)r->core.growth_30s; return r->core.has_growth_30s;
	default: return false;
	}
}

static void label(char *out, size_t len, enum metric m, double v)
{
	if (m == M_GOROUTINES)
		snprintf(out, len, "%.0f", v);
	else if (v < 0)
		snprintf(out, len, "-%s", fw_figure_bytes_label((char[64]){ 0 }, 64, -v));
	else
		fw_figure_bytes_label(out, len, v);
}

static void chart(struct fw_buf *b, const struct fw_history *h, enum metric m)
{
	double lo = 0, hi = 0, v, t0 = 0, t1 = 0;
	bool any = false, open = false;
	char a[64];

	for (size_t i = 0; i < h->n; i++) {
		if (!value(&h->rows[i], m, &v))
			continue;
		lo = any && lo < v ? lo : (v < 0 ? v : 0);
		hi = any && hi > v ? hi : v;
		any = true;
	}
	if (h->n) {
		t0 = (double)h->rows[0].time_ms;
		t1 = (double)h->rows[h->n - 1].time_ms;
	}
	fw_buf_printf(b, "<figure><figcaption>%s</figcaption><svg class=\"chart\" id=\"chart-%s\" width=\"%d\" height=\"%d\" "
			 "viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\">",
		      m_title[m], m_id[m], W, H, W, H);
	fw_buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fafafa\" stroke=\"#bbb\"/>", LEFT, TOP,
		      W - LEFT - RIGHT, H - TOP - BOTTOM);
	if (!any) {
		fw_buf_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"12\">no figure</text></svg></figure>", LEFT + 10,
			      H / 2);
		return;
	}
	if (hi <= lo)
		hi = lo + 1;
#define X(t) (LEFT + (t1 > t0 ? ((t) - t0) / (t1 - t0) : 0.5) * (W - LEFT - RIGHT))
#define Y(v) (TOP + (1 - ((v) - lo) / (hi - lo)) * (H - TOP - BOTTOM))
	label(a, sizeof(a), m, hi);
	fw_buf_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%s</text>", LEFT - 4, TOP + 8, a);
	label(a, sizeof(a), m, lo);
	fw_buf_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%s</text>", LEFT - 4,
		      H - BOTTOM, a);
	/* the time axis: first and last flare */
	fw_buf_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"10\">", LEFT, H - BOTTOM + 12);
	fw_html_text(b, h->rows[0].time, FW_OUT_NAME_MAX);
	fw_buf_printf(b, "</text><text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\">", W - RIGHT,
		      H - BOTTOM + 12);
	fw_html_text(b, h->rows[h->n - 1].time, FW_OUT_NAME_MAX);
	fw_buf_puts(b, "</text>");
	/* restarts and upgrades */
	for (size_t i = 1; i < h->n; i++) {
		const struct fw_history_row *r = &h->rows[i];
		double x;
		if (r->change != FW_HIST_RESTART && r->change != FW_HIST_UPGRADE)
			continue;
		x = X((double)r->time_ms + (double)(h->rows[i - 1].time_ms - r->time_ms) / 2);
		fw_buf_printf(b, "<line class=\"change-marker\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#c00\" "
				 "stroke-dasharray=\"4 3\"><title>",
			      x, TOP, x, H - BOTTOM);
		if (r->change == FW_HIST_UPGRADE) {
			fw_buf_puts(b, "upgraded ");
			fw_html_text(b, r->prev_version, FW_OUT_NAME_MAX);
			fw_buf_puts(b, " \xe2\x86\x92 ");
			fw_html_text(b, r->agent_version, FW_OUT_NAME_MAX);
		} else {
			fw_buf_puts(b, "agent restarted");
		}
		fw_buf_printf(b, "</title></line><text x=\"%.1f\" y=\"%d\" font-size=\"10\" fill=\"#c00\" "
				 "text-anchor=\"middle\">%s</text>",
			      x, H - 6, r->change == FW_HIST_UPGRADE ? "upgrade" : "restart");
	}
	/* one polyline per agent process */
	for (size_t i = 0; i < h->n; i++) {
		const struct fw_history_row *r = &h->rows[i];
		if (open && r->change != FW_HIST_SAME) {
			fw_buf_puts(b, "\"/>");
			open = false;
		}
		if (!value(r, m, &v))
			continue;
		if (!open) {
			fw_buf_puts(b, "<polyline class=\"series\" fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"2\" points=\"");
			open = true;
		}
		fw_buf_printf(b, "%.1f,%.1f ", X((double)r->time_ms), Y(v));
	}
	if (open)
		fw_buf_puts(b, "\"/>");
	for (size_t i = 0; i < h->n; i++) {
		const struct fw_history_row *r = &h->rows[i];
		if (!value(r, m, &v))
			continue;
		label(a, sizeof(a), m, v);
		fw_buf_printf(b, "<circle class=\"point\" cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"#1f5fa8\"><title>",
			      X((double)r->time_ms), Y(v));
		fw_html_text(b, r->time, FW_OUT_NAME_MAX);
		fw_buf_printf(b, ": %s</title></circle>", a);
	}
#undef X
#undef Y
	fw_buf_puts(b, "</svg></figure>");
}

static void cell_i64(struct fw_buf *b, int64_t v, bool is_bytes)
{
	char a[64];

	fw_buf_puts(b, "<td class=\"n\">");
	if (v < 0)
		fw_buf_puts(b, "-");
	else if (is_bytes)
		fw_buf_puts(b, fw_figure_bytes_label(a, sizeof(a), (double)v));
	else
		fw_buf_printf(b, "%" PRId64, v);
	fw_buf_puts(b, "</td>");
}

static void fit_line(struct fw_buf *b, const char *what, const struct fw_history_fit *f, bool is_bytes)
{
	char a[64];

	fw_buf_printf(b, "<li>%s: ", what);
	if (!f->fitted) {
		fw_buf_printf(b, "no trend (%zu flare%s)</li>", f->n, f->n == 1 ? "" : "s");
		return;
	}
	if (is_bytes)
		fw_buf_printf(b, "%s%s per hour", f->per_hour < 0 ? "-" : "+",
			      fw_figure_bytes_label(a, sizeof(a), fabs(f->per_hour)));
	else
		fw_buf_printf(b, "%+.1f per hour", f->per_hour);
	fw_buf_printf(b, " (least squares over %zu flares, %.1f h)</li>", f->n, f->span_h);
}

void fw_host_page(struct fw_buf *b, const char *hostname, const struct fw_history *h)
{
	struct fw_buf title;

	fw_buf_init(&title);
	fw_buf_puts(&title, "Flare history of ");
	fw_buf_puts(&title, hostname);
	fw_html_page_begin(b, fw_buf_str(&title), css, NULL);
	if (title.failed)
		b->failed = true;
	fw_buf_free(&title);
	fw_buf_puts(b, "<p><a href=\"../index.html\">All reports</a></p><h1>Flare history of <span id=\"host\">");
	fw_html_text(b, hostname, FW_OUT_NAME_MAX);
	fw_buf_printf(b, "</span></h1><p>%zu flare%s, oldest first%s; core's figures from each report.json.</p>", h->n,
		      h->n == 1 ? "" : "s", h->omitted ? " (the oldest left out)" : "");
	if (h->n) {
		fw_buf_printf(b, "<p>The newest flare's agent process (%zu flare%s; a restart or an upgrade starts "
				 "a new one, never fitted across):</p><ul id=\"trend\">",
			      h->cur - h->seg_first + 1, h->cur == h->seg_first ? "" : "s");
		fit_line(b, "HeapAlloc", &h->heap_alloc, true);
		fit_line(b, "Sys", &h->sys, true);
		fit_line(b, "Goroutines", &h->goroutines, false);
		fw_buf_puts(b, "</ul><div class=\"charts\">");
		for (enum metric m = 0; m < N_M; m++)
			chart(b, h, m);
		fw_buf_puts(b, "</div>");
	}
	fw_buf_puts(b, "<table id=\"history\"><thead><tr><th>Flare time</th><th>Agent</th><th>Agent start</th>"
		       "<th>Uptime (s)</th><th>Process</th><th>HeapAlloc</th><th>Sys</th><th>HeapObjects</th>"
		       "<th>Goroutines</th><th>Heap growth /30 s</th><th>Top growth function</th><th>Verdict</th>"
		       "<th>Report</th></tr></thead><tbody>");
	for (size_t i = h->n; i-- > 0;) { /* newest first */
		const struct fw_history_row *r = &h->rows[i];
		const char *rel = strchr(r->report, '/');
		fw_buf_puts(b, "<tr class=\"flare\"><td>");
		fw_html_text(b, r->time, FW_OUT_NAME_MAX);
		fw_buf_puts(b, "</td><td>");
		fw_html_text(b, r->agent_version[0] ? r->agent_version : "unknown", FW_OUT_NAME_MAX);
		fw_buf_puts(b, "</td><td>");
		fw_html_text(b, r->agent_start[0] ? r->agent_start : "unknown", FW_OUT_NAME_MAX);
		fw_buf_puts(b, "</td>");
		cell_i64(b, r->uptime_ns >= 0 ? r->uptime_ns / 1000000000 : -1, false);
		fw_buf_puts(b, "<td>");
		if (r->change == FW_HIST_UPGRADE) {
			fw_buf_puts(b, "<span class=\"change\">upgraded ");
			fw_html_text(b, r->prev_version, FW_OUT_NAME_MAX);
			fw_buf_puts(b, " \xe2\x86\x92 ");
			fw_html_text(b, r->agent_version, FW_OUT_NAME_MAX);
			fw_buf_puts(b, "</span>");
		} else {
			fw_buf_puts(b, r->change == FW_HIST_RESTART ? "<span class=\"change\">agent restarted</span>"
				       : r->change == FW_HIST_SAME  ? "same process"
				       : r->change == FW_HIST_FIRST ? "-"
								    : "unknown");
		}
		fw_buf_puts(b, "</td>");
		cell_i64(b, r->core.heap_alloc, true);
		cell_i64(b, r->core.sys, true);
		cell_i64(b, r->core.heap_objects, false);
		cell_i64(b, r->core.goroutines, false);
		fw_buf_puts(b, "<td class=\"n\">");
		if (r->core.has_growth_30s) {
			char a[64];
			label(a, sizeof(a), M_GROWTH, (double)r->core.growth_30s);
			fw_buf_puts(b, a);
		} else {
			fw_buf_puts(b, "-");
		}
		fw_buf_puts(b, "</td><td><code>");
		fw_html_text(b, r->core.top_growth[0] ? r->core.top_growth : "-", FW_OUT_NAME_MAX);
		fw_buf_puts(b, "</code></td><td>");
		fw_html_text(b, r->verdict, FW_OUT_NAME_MAX);
		fw_buf_puts(b, "</td><td>");
		if (rel) {
			fw_buf_puts(b, "<a href=\"");
			fw_html_href(b, rel + 1);
			fw_buf_puts(b, "\">report</a>");
		}
		fw_buf_puts(b, "</td></tr>");
	}
	fw_buf_puts(b, "</tbody></table>");
	fw_html_page_end(b);
}

/* Writes path unless it already holds exactly b. */
static int write_if_changed(const char *path, const struct fw_buf *b, struct fw_error *err)
{
	uint8_t *old = NULL;
	size_t len = 0;
	struct fw_error e;
	bool same;

	if (fw_read_file(path, PAGE_MAX, &old, &len, &e) == 0) {
		same = len == b->len && memcmp(old, b->data, len) == 0;
		free(old);
		if (same)
			return 0;
	}
	return fw_write_file_atomic(path, b->data, b->len, 0644, err);
}

/* A report's host folder: the "<host>" of report_dir "<host>/<time>"; its
 * length, 0 when report_dir has no such folder. */
static size_t host_folder_len(const struct fw_index_entry *e)
{
	size_t n = strcspn(e->report_dir, "/");

	return e->report_dir[n] == '/' ? n : 0;
}

struct by_folder {
	const char *dir;
	size_t len, i; /* i: in the list, newest first */
};

static int cmp_folder(const void *a, const void *b)
{
	const struct by_folder *x = a, *y = b;
	int r = memcmp(x->dir, y->dir, x->len < y->len ? x->len : y->len);

	if (!r)
		r = (x->len > y->len) - (x->len < y->len);
	return r ? r : (x->i > y->i) - (x->i < y->i);
}

/* newest[i]: entry i is the newest report of its host folder. */
static int mark_newest(const struct fw_index_list *l, bool *newest)
{
	struct by_folder *bf = malloc((l->n ? l->n : 1) * sizeof(*bf));

	if (!bf)
		return -ENOMEM;
	for (size_t i = 0; i < l->n; i++)
		bf[i] = (struct by_folder){ l->v[i].report_dir, host_folder_len(&l->v[i]), i };
	fw_qsort(bf, l->n, sizeof(*bf), cmp_folder);
	for (size_t i = 0; i < l->n; i++)
		newest[bf[i].i] = bf[i].len && (i == 0 || bf[i].len != bf[i - 1].len ||
						 memcmp(bf[i].dir, bf[i - 1].dir, bf[i].len) != 0);
	free(bf);
	return 0;
}

int fw_host_pages_write(const char *dir, const struct fw_index_list *l, struct fw_error *err)
{
	size_t *order = fw_index_by_host(l);
	bool *newest = calloc(l->n ? l->n : 1, sizeof(*newest));
	struct fw_index_entry *sub = malloc((l->n ? l->n : 1) * sizeof(*sub));
	int first = 0;

	if (!order || !newest || !sub || mark_newest(l, newest) < 0) {
		free(order);
		free(newest);
		free(sub);
		return fw_err(err, -ENOMEM, "out of memory writing the host pages of %zu reports", l->n);
	}
	/* one history per hostname (its reports only: one pass over the list
	 * in all), written into each host folder whose newest report has it */
	for (size_t g = 0, end; g < l->n; g = end) {
		const char *host = l->v[order[g]].hostname;
		struct fw_index_list hl;
		struct fw_history h;
		struct fw_error e2;
		struct fw_buf b;
		bool any = false;
		size_t m = 0;
		int r;

		for (end = g; end < l->n && strcmp(l->v[order[end]].hostname, host) == 0; end++) {
			sub[m++] = l->v[order[end]];
			any = any || newest[order[end]];
		}
		if (!any)
			continue;
		memset(&hl, 0, sizeof(hl));
		hl.v = sub;
		hl.n = m;
		hl.skipped = l->skipped;
		if ((r = fw_history_of(&hl, host, NULL, &h, &e2)) < 0) {
			if (!first)
				first = fw_err(err, r, "%s", e2.msg);
			continue;
		}
		fw_buf_init(&b);
		fw_host_page(&b, host, &h);
		for (size_t k = g; k < end; k++) {
			const struct fw_index_entry *e = &l->v[order[k]];
			char path[4096];

			if (!newest[order[k]] ||
			    snprintf(path, sizeof(path), "%s/%.*s/index.html", dir, (int)host_folder_len(e),
				     e->report_dir) >= (int)sizeof(path))
				continue;
			if (b.failed)
				r = fw_err(&e2, -ENOMEM, "%s: out of memory", path);
			else
				r = write_if_changed(path, &b, &e2);
			if (r < 0 && !first)
				first = fw_err(err, r, "%s", e2.msg);
		}
		fw_buf_free(&b);
		fw_history_free(&h);
	}
	free(order);
	free(newest);
	free(sub);
	return first;
}
