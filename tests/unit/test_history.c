/*
 * test_history.c -- a host's history (investigate/history.h) and the
 * LONG-TERM GROWTH rule (fw_verdict_long_term()): rows oldest first, other
 * hosts and later flares left out, a flare analyzed twice listed once (the
 * latest analysis), restart / upgrade / unknown marked, the least-squares
 * slope of exactly linear figures, no fit across a restart or with an
 * unknown start time; the rule strictly above its threshold and only over
 * long_term_min_hours, and the verdict kinds it makes.
 */
#include "../tap.h"

#include "investigate/history.h"
#include "investigate/verdict.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MIB (1024.0 * 1024.0)

static struct fw_index_entry entry(const char *host, const char *time, const char *ver, const char *start,
				   int64_t heap, const char *analyzed, const char *report)
{
	struct fw_index_entry e = { .time = time,
				    .hostname = host,
				    .agent_version = ver,
				    .verdict = "NORMAL",
				    .summary = "",
				    .report = report,
				    .ticket = "",
				    .flare_file = "",
				    .analyzed_at = analyzed,
				    .agent_start = start,
				    .uptime_ns = -1,
				    .report_dir = "" };
	e.core = (struct fw_index_proc){ .present = 1, .heap_alloc = heap, .sys = heap * 2, .heap_objects = -1,
					 .goroutines = -1, .top_growth = "", .cpu_ns_per_s = -1 };
	return e;
}

static void test_rows(void)
{
	/* newest first, as fw_index_scan() gives them */
	struct fw_index_entry v[] = {
		entry("h", "2024-10-02T16:00:00Z", "7.59.0", "2024-10-02T15:00:00Z", 5, "2024-10-03T00:00:00Z",
		      "h/20241002T160000Z/r.md"),
		entry("h", "2024-10-02T14:00:00Z", "7.58.2", "2024-10-02T13:00:00Z", 4, "2024-10-03T00:00:00Z",
		      "h/20241002T140000Z/r.md"),
		entry("other", "2024-10-02T13:00:00Z", "7.58.2", "2024-10-02T08:00:00Z", 99, "2024-10-03T00:00:00Z",
		      "other/20241002T130000Z/r.md"),
		entry("h", "2024-10-02T12:00:00Z", "7.58.2", "2024-10-02T08:00:00Z", (int64_t)(300 * MIB),
		      "2024-10-03T00:00:00Z", "h/20241002T120000Z/r.md"),
		/* the same flare analyzed twice: the latest analysis is kept */
		entry("h", "2024-10-02T10:00:00Z", "7.58.2", "2024-10-02T08:00:00Z", 1, "2024-10-02T11:00:00Z",
		      "h/20241002T100000Z/r.md"),
		entry("h", "2024-10-02T10:00:00Z", "7.58.2", "2024-10-02T08:00:00Z", (int64_t)(200 * MIB),
		      "2024-10-02T12:00:00Z", "h/20241002T100000Z-2/r.md"),
		entry("h", "2024-10-02T09:00:00Z", "7.58.2", "2024-10-02T08:00:00Z", (int64_t)(150 * MIB),
		      "2024-10-03T00:00:00Z", "h/20241002T090000Z/r.md"),
		entry("h", "2024-10-02T07:00:00Z", "7.58.2", "", 7, "2024-10-03T00:00:00Z", "h/20241002T070000Z/r.md"),
	};
	struct fw_index_list l = { .v = v, .n = sizeof(v) / sizeof(v[0]) };
	struct fw_history_row cur = { .time = "2024-10-02T12:00:00Z",
				      .agent_version = "7.58.2",
				      .agent_start = "2024-10-02T08:00:00Z",
				      .uptime_ns = -1,
				      .verdict = "NORMAL",
				      .report = "",
				      .analyzed_at = "",
				      .prev_version = "" };
	struct fw_history h;
	struct fw_error err;

	/* no current flare: the newest is (flarewatch history) */
	if (!TAP_EQ_INT(fw_history_of(&l, "h", NULL, &h, &err), 0, "history of h"))
		return;
	TAP_EQ_INT(h.n, 6, "six flares of h (other host left out, the flare analyzed twice once)");
	TAP_EQ_STR(h.rows[0].time, "2024-10-02T07:00:00Z", "oldest first");
	TAP_EQ_STR(h.rows[2].report, "h/20241002T100000Z-2/r.md", "the latest analysis of a flare is kept");
	TAP_OK(h.rows[0].change == FW_HIST_FIRST && h.rows[1].change == FW_HIST_UNKNOWN &&
		       h.rows[2].change == FW_HIST_SAME && h.rows[3].change == FW_HIST_SAME &&
		       h.rows[4].change == FW_HIST_RESTART && h.rows[5].change == FW_HIST_UPGRADE,
	       "first, unknown (no start time), same, same, restarted, upgraded");
	TAP_EQ_STR(h.rows[5].prev_version, "7.58.2", "upgraded from 7.58.2");
	TAP_OK(h.rows[5].current && h.cur == 5 && h.seg_first == 5 && h.has_before && h.before == 4,
	       "the newest flare is current, alone in its process, compared with the flare before");
	TAP_OK(!h.heap_alloc.fitted && h.heap_alloc.n == 1, "no fit across the upgrade");
	fw_history_free(&h);

	/* the 12:00 flare being analyzed: the report of that flare time and
	 * later ones are not its history */
	cur.time_ms = 1727870400000; /* 2024-10-02T12:00:00Z */
	cur.core = (struct fw_index_proc){ .present = 1, .heap_alloc = (int64_t)(250 * MIB), .sys = -1,
					   .heap_objects = -1, .goroutines = -1, .top_growth = "", .cpu_ns_per_s = -1 };
	if (!TAP_EQ_INT(fw_history_of(&l, "h", &cur, &h, &err), 0, "history with a current flare"))
		return;
	TAP_EQ_INT(h.n, 4, "three earlier flares and the current one");
	TAP_OK(h.rows[3].current && !strcmp(h.rows[3].report, "") && h.seg_first == 1,
	       "the current process: 09:00, 10:00, 12:00 (07:00 has no start time)");
	/* 150, 200, 250 MiB at 9, 10, 12 h: least squares by hand */
	{
		double x[] = { 0, 1, 3 }, y[] = { 150 * MIB, 200 * MIB, 250 * MIB }, mx = 4.0 / 3, my = 200 * MIB;
		double sxx = 0, sxy = 0;
		for (int i = 0; i < 3; i++) {
			sxx += (x[i] - mx) * (x[i] - mx);
			sxy += (x[i] - mx) * (y[i] - my);
		}
		TAP_OK(h.heap_alloc.fitted && h.heap_alloc.n == 3 && fabs(h.heap_alloc.per_hour - sxy / sxx) < 1e-3 &&
			       fabs(h.heap_alloc.span_h - 3) < 1e-9,
		       "HeapAlloc slope %.1f per hour = %.1f over 3 h", h.heap_alloc.per_hour, sxy / sxx);
		TAP_OK(h.sys.n == 2 && h.sys.fitted, "Sys: the current flare has none, 2 points");
	}
	{
		struct fw_thresholds t = { .long_term_heap_per_hour = 20 * MIB, .long_term_sys_per_hour = 1e18,
					   .long_term_goroutines_per_hour = 1e18, .long_term_min_hours = 2 };
		struct fw_verdict vd = { .kind = FW_VERDICT_NORMAL, .summary = strdup("no rule fired for core") };
		double rate = h.heap_alloc.per_hour;
		TAP_EQ_INT(fw_verdict_long_term(&vd, &h, &t), 0, "long-term rule");
		TAP_OK(vd.long_term && vd.kind == FW_VERDICT_MEMORY_LEAK && vd.long_term_heap && !vd.long_term_sys &&
			       strstr(vd.summary, "LONG-TERM GROWTH: core HeapAlloc +") &&
			       strstr(vd.summary, "this flare alone: no rule fired for core"),
		       "fired: NORMAL becomes MEMORY LEAK (%s)", vd.summary);
		fw_verdict_free(&vd);
		t.long_term_heap_per_hour = rate; /* exactly the rate: not above */
		vd = (struct fw_verdict){ .kind = FW_VERDICT_NORMAL, .summary = strdup("x") };
		fw_verdict_long_term(&vd, &h, &t);
		TAP_OK(!vd.long_term && vd.kind == FW_VERDICT_NORMAL && !strcmp(vd.summary, "x"),
		       "a rate equal to the threshold does not fire");
		fw_verdict_free(&vd);
		t.long_term_heap_per_hour = 20 * MIB;
		t.long_term_min_hours = 3.01;
		vd = (struct fw_verdict){ .kind = FW_VERDICT_NORMAL, .summary = strdup("x") };
		fw_verdict_long_term(&vd, &h, &t);
		TAP_OK(!vd.long_term, "3 h of flares under long_term_min_hours 3.01: does not fire");
		fw_verdict_free(&vd);
		t.long_term_min_hours = 2;
		vd = (struct fw_verdict){ .kind = FW_VERDICT_CPU_SPIKE, .summary = strdup("core: CPU spike") };
		fw_verdict_long_term(&vd, &h, &t);
		TAP_OK(vd.kind == FW_VERDICT_MULTIPLE && !strncmp(vd.summary, "core: CPU spike; LONG-TERM GROWTH", 33),
		       "CPU SPIKE becomes MULTIPLE ISSUES (%s)", vd.summary);
		fw_verdict_free(&vd);
	}
	fw_history_free(&h);

	/* an unknown start time: no trend */
	cur.agent_start = "";
	if (TAP_EQ_INT(fw_history_of(&l, "h", &cur, &h, &err), 0, "history, start time unknown")) {
		TAP_OK(!h.process_known && h.seg_first == h.cur && !h.heap_alloc.fitted,
		       "start time unknown: the current flare alone, no fit");
		fw_history_free(&h);
	}
}

static void test_time(void)
{
	int64_t ms = 0;

	TAP_OK(fw_history_parse_time("2024-10-02T14:21:52Z", &ms) && ms == 1727878912000, "ISO time");
	TAP_OK(fw_history_parse_time("2024-10-02T14:21:52.317Z", &ms) && ms == 1727878912317, "with milliseconds");
	TAP_OK(!fw_history_parse_time("2024-10-02 14:21:52Z", &ms) && !fw_history_parse_time("", &ms) &&
		       !fw_history_parse_time(NULL, &ms) && !fw_history_parse_time("2024-13-02T14:21:52Z", &ms),
	       "not times");
}

int main(void)
{
	test_time();
	test_rows();
	return tap_done();
}
