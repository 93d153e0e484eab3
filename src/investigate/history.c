/*
 * history.c: a host's history across flares (see history.h). Facts only:
 * which flares belong to the same agent process, and the least-squares
 * growth per hour over them; no threshold is read here.
 */
#include "investigate/history.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *fw_history_change_id(enum fw_history_change c)
{
	switch (c) {
	case FW_HIST_FIRST: return "first";
	case FW_HIST_SAME: return "same_process";
	case FW_HIST_RESTART: return "restarted";
	case FW_HIST_UPGRADE: return "upgraded";
	case FW_HIST_UNKNOWN: return "unknown";
	}
	return "unknown";
}

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

bool fw_history_parse_time(const char *s, int64_t *ms)
{
	size_t n = s ? strlen(s) : 0;
	struct tm tm = { 0 };
	int64_t frac = 0;
	time_t t;

	if ((n != 20 && n != 24) || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
	    !digits(s + 8, 2) || s[10] != 'T' || !digits(s + 11, 2) || s[13] != ':' || !digits(s + 14, 2) ||
	    s[16] != ':' || !digits(s + 17, 2) || s[n - 1] != 'Z')
		return false;
	if (n == 24) {
		if (s[19] != '.' || !digits(s + 20, 3))
			return false;
		frac = (s[20] - '0') * 100 + (s[21] - '0') * 10 + (s[22] - '0');
	}
	tm.tm_year = atoi(s) - 1900;
	tm.tm_mon = atoi(s + 5) - 1;
	tm.tm_mday = atoi(s + 8);
	tm.tm_hour = atoi(s + 11);
	tm.tm_min = atoi(s + 14);
	tm.tm_sec = atoi(s + 17);
	if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
	    tm.tm_min > 59 || tm.tm_sec > 60)
		return false;
	t = timegm(&tm);
	*ms = (int64_t)t * 1000 + frac;
	return true;
}

static void row_from_entry(const struct fw_index_entry *e, int64_t ms, struct fw_history_row *r)
{
	*r = (struct fw_history_row){ .time = e->time,
				      .time_ms = ms,
				      .agent_version = e->agent_version,
				      .agent_start = e->agent_start,
				      .uptime_ns = e->uptime_ns,
				      .core = e->core,
				      .verdict = e->verdict,
				      .report = e->report,
				      .analyzed_at = e->analyzed_at,
				      .prev_version = "" };
}

/* The same agent process: both start times and versions known and equal. */
static enum fw_history_change change(const struct fw_history_row *prev, const struct fw_history_row *r)
{
	if (!r->agent_version[0] || !prev->agent_version[0])
		return FW_HIST_UNKNOWN;
	if (strcmp(r->agent_version, prev->agent_version) != 0)
		return FW_HIST_UPGRADE;
	if (!r->agent_start[0] || !prev->agent_start[0])
		return FW_HIST_UNKNOWN;
	return strcmp(r->agent_start, prev->agent_start) == 0 ? FW_HIST_SAME : FW_HIST_RESTART;
}

enum figure { FIG_HEAP, FIG_SYS, FIG_GOROUTINES };

static int64_t figure(const struct fw_history_row *r, enum figure f)
{
	switch (f) {
	case FIG_HEAP: return r->core.heap_alloc;
	case FIG_SYS: return r->core.sys;
	case FIG_GOROUTINES: return r->core.goroutines;
	}
	return -1;
}

/* Least squares over rows[first..last] that have the figure, x in hours
 * from the first point (centred sums: no cancellation at epoch scale). */
static void fit(const struct fw_history *h, size_t first, size_t last, enum figure f, struct fw_history_fit *out)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0, t0 = 0, tmin = 0, tmax = 0, mx, my;
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = first; i <= last; i++) {
		int64_t v = figure(&h->rows[i], f);
		double x;
		if (v < 0)
			continue;
		if (!n) {
			t0 = (double)h->rows[i].time_ms;
			out->first = (double)v;
		}
		x = ((double)h->rows[i].time_ms - t0) / 3600e3;
		if (!n || x < tmin)
			tmin = x;
		if (!n || x > tmax)
			tmax = x;
		sx += x;
		sy += (double)v;
		out->last = (double)v;
		n++;
	}
	out->n = n;
	out->span_h = tmax - tmin;
	if (n < 2 || out->span_h <= 0)
		return;
	mx = sx / (double)n;
	my = sy / (double)n;
	for (size_t i = first; i <= last; i++) {
		int64_t v = figure(&h->rows[i], f);
		double x;
		if (v < 0)
			continue;
		x = ((double)h->rows[i].time_ms - t0) / 3600e3;
		sxx += (x - mx) * (x - mx);
		sxy += (x - mx) * ((double)v - my);
	}
	out->per_hour = sxy / sxx;
	out->fitted = true;
}

static int cmp_row(const void *a, const void *b)
{
	const struct fw_history_row *x = a, *y = b;
	int r;
	if (x->time_ms != y->time_ms)
		return x->time_ms < y->time_ms ? -1 : 1;
	r = strcmp(x->analyzed_at, y->analyzed_at); /* the latest analysis last */
	return r ? r : strcmp(x->report, y->report);
}

int fw_history_from_list(struct fw_index_list *list, const char *hostname, const struct fw_history_row *current,
			 struct fw_history *out, struct fw_error *err)
{
	int r = fw_history_of(list, hostname, current, out, err);

	out->list = *list; /* the rows point into it */
	memset(list, 0, sizeof(*list));
	return r;
}

int fw_history_of(const struct fw_index_list *list, const char *hostname, const struct fw_history_row *current,
		  struct fw_history *out, struct fw_error *err)
{
	size_t n = 0, keep;

	memset(out, 0, sizeof(*out));
	out->skipped = list->skipped;
	if (!(out->rows = calloc(list->n + 2, sizeof(*out->rows))))
		return fw_err(err, -ENOMEM, "out of memory building the host's history");
	for (size_t i = 0; i < list->n; i++) {
		const struct fw_index_entry *e = &list->v[i];
		int64_t ms;
		if (strcmp(e->hostname, hostname) != 0 || !fw_history_parse_time(e->time, &ms))
			continue;
		/* earlier flares only: the same flare analyzed again is not its
		 * own history */
		if (current && ms >= current->time_ms)
			continue;
		row_from_entry(e, ms, &out->rows[n++]);
	}
	fw_qsort(out->rows, n, sizeof(*out->rows), cmp_row);
	/* a flare analyzed twice ("<time>" and "<time>-2"): the last report */
	{
		size_t o = 0;
		for (size_t i = 0; i < n; i++) {
			if (o && out->rows[o - 1].time_ms == out->rows[i].time_ms)
				o--;
			out->rows[o++] = out->rows[i];
		}
		n = o;
	}
	/* without a current flare, the newest listed is the current one */
	keep = current ? FW_HISTORY_MAX_ROWS : FW_HISTORY_MAX_ROWS + 1;
	if (n > keep) {
		out->omitted = n - keep;
		memmove(out->rows, out->rows + out->omitted, keep * sizeof(*out->rows));
		n = keep;
	}
	if (current) {
		out->rows[n] = *current;
		out->rows[n].current = true;
		out->rows[n].report = "";
		out->rows[n].analyzed_at = "";
		n++;
	} else if (n) {
		out->rows[n - 1].current = true;
	}
	out->n = n;
	if (!n)
		return 0;
	out->cur = n - 1;
	for (size_t i = 0; i < n; i++) {
		out->rows[i].prev_version = "";
		out->rows[i].change = i ? change(&out->rows[i - 1], &out->rows[i]) : FW_HIST_FIRST;
		if (out->rows[i].change == FW_HIST_UPGRADE)
			out->rows[i].prev_version = out->rows[i - 1].agent_version;
	}
	/* the current process: back from the current flare while the flare
	 * before is the same process */
	out->seg_first = out->cur;
	out->process_known = out->rows[out->cur].agent_start[0] && out->rows[out->cur].agent_version[0];
	while (out->process_known && out->seg_first > 0 && out->rows[out->seg_first].change == FW_HIST_SAME)
		out->seg_first--;
	if (out->seg_first > 0) {
		out->has_before = true;
		out->before = out->seg_first - 1;
	}
	fit(out, out->seg_first, out->cur, FIG_HEAP, &out->heap_alloc);
	fit(out, out->seg_first, out->cur, FIG_SYS, &out->sys);
	fit(out, out->seg_first, out->cur, FIG_GOROUTINES, &out->goroutines);
	return 0;
}

int fw_history_build(const char *dir, const char *host_folder, const char *hostname,
		     const struct fw_history_row *current, struct fw_history *out, struct fw_error *err)
{
	struct fw_index_list l;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = fw_index_scan_host(dir, host_folder, &l, err)) < 0) {
		if (r != -ENOENT)
			return r;
		memset(&l, 0, sizeof(l)); /* no tree yet: no earlier flare */
	}
	return fw_history_from_list(&l, hostname, current, out, err);
}

void fw_history_free(struct fw_history *h)
{
	free(h->rows);
	fw_index_list_free(&h->list);
	memset(h, 0, sizeof(*h));
}
