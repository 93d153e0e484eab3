/*
 * test_verdict.c: the verdict rules (src/investigate/verdict.c) at, just below and
 * just above each default threshold, on processes built by hand: the leak
 * rules (app growth per 30 s; one function's share with a minimum total),
 * the CPU rules (one function's share with the utilisation floor;
 * utilisation with the application share), the contention rule, the
 * wording for heap windows that are not a rate, INCONCLUSIVE (heap diff or
 * CPU not analyzed, or no process) and the borderline growth note.
 */
#include "investigate/verdict.h"

#include "../tap.h"

#include <inttypes.h>
#include <string.h>

#define MIB (1024.0 * 1024.0)

static struct fw_thresholds th;

/* The verdict kind for one process (and its leak reason in *why). */
static enum fw_verdict_kind judge(const struct fw_process *p, char *why, size_t len)
{
	struct fw_verdict v;
	struct fw_error e = { { 0 } };
	enum fw_verdict_kind k;

	if (fw_verdict_evaluate(p, 1, NULL, &th, &v, &e) < 0) {
		TAP_DIAG("fw_verdict_evaluate: %s", e.msg);
		return (enum fw_verdict_kind)-1;
	}
	k = v.kind;
	if (why)
		snprintf(why, len, "%s", v.procs[0].leak_reason ? v.procs[0].leak_reason : "");
	fw_verdict_free(&v);
	return k;
}

/* A process whose app growth is `app` per 30 s, all in one function that
 * holds `share` percent of a total growth of `total` per 30 s (and a CPU
 * profile with no sample: both analyses ran). */
static void heap(struct fw_process *p, double app, double total, double share)
{
	memset(p, 0, sizeof(*p));
	p->name = (char *)"core";
	p->have_cpu = true;
	p->have_heap_diff = true;
	p->heap_window = FW_WINDOW_MEASURED;
	p->heap_window_ns = 30000000000LL;
	p->growth_total = (int64_t)total;
	p->growth_app = (int64_t)app;
	p->growth_total_30s = total;
	p->growth_app_30s = app;
	p->top_growth_app.name = (char *)"main.leak";
	p->top_growth_app.value = (int64_t)(total * share / 100.0);
}

static void test_leak(void)
{
	struct fw_process p;
	double t = th.leak_growth_per_30s;

	/* rule 1: app growth per 30 s > 10 MiB (the share kept under 30 %) */
	heap(&p, t, 10 * t, 10);
	TAP_EQ_INT(judge(&p, NULL, 0), FW_VERDICT_NORMAL, "app growth at 10 MiB/30 s: normal");
	heap(&p, t - 1, 10 * t, 10);
	TAP_EQ_INT(judge(&p, NULL, 0), FW_VERDICT_NORMAL, "app growth just below: normal");
	heap(&p, t + 1, 10 * t, 10);
	TAP_EQ_INT(judge(&p, NULL, 0), FW_VERDICT_MEMORY_LEAK, "app growth just above: leak");

	/* rule 2: one app function > 30 % of a total of at least 1 MiB/30 s */
	heap(&p, 0, 4 * MIB, 30);
	TAP_EQ_INT(judge(&p, NULL, 0), FW_VERDICT_NORMAL, "share at 30 %%: normal");
	heap(&p, 0, 4 * MIB, 29.9);
	TAP_EQ_INT(judge(&p, NULL, 0), FW_VERDICT_NORMAL, "share just below 30 %%: normal");
	heap(&p, 0, 4 * MIB, 30.1);
	TAP_EQ_INT(judge(&p, NULL, 0), FW_VERDICT_MEMORY_LEAK, "share just above 30 %%: leak");
	heap(&p, 0, MIB, 90);
	TAP_EQ_INT(judge(&p, NULL, 0), FW_VERDICT_MEMORY_LEAK, "total at 1 MiB/30 s: leak (at least)");
	heap(&p, 0, MIB - 1, 90);
	TAP_EQ_INT(judge(&p, NULL, 0), FW_VERDICT_NORMAL, "total just below 1 MiB/30 s: normal");
}

static void test_windows(void)
{
	static const enum fw_heap_window w[] = { FW_WINDOW_ABSENT, FW_WINDOW_REVERSED, FW_WINDOW_TOO_SHORT,
						 FW_WINDOW_TOO_LONG };
	struct fw_process p;
	char why[1024];

	heap(&p, 2 * th.leak_growth_per_30s, 2 * th.leak_growth_per_30s, 100);
	TAP_EQ_INT(judge(&p, why, sizeof(why)), FW_VERDICT_MEMORY_LEAK, "measured window: leak");
	TAP_OK(strstr(why, "per 30 s") && strstr(why, "measured window between snapshots 30s"),
	       "measured window: a rate per 30 s over the window (%s)", why);
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		p.heap_window = w[i];
		p.heap_window_ns = w[i] == FW_WINDOW_ABSENT ? 0 : 1;
		TAP_EQ_INT(judge(&p, why, sizeof(why)), FW_VERDICT_MEMORY_LEAK, "%s window: raw growth, leak",
			   fw_heap_window_id(w[i]));
		TAP_OK(strstr(why, "between the snapshots") && strstr(why, "not a rate") &&
			       strstr(why, fw_heap_window_why(w[i])) && !strstr(why, "per 30 s ("),
		       "%s window: says why it is not a rate (%s)", fw_heap_window_id(w[i]), why);
	}
	TAP_EQ_STR(fw_heap_window_why(FW_WINDOW_ABSENT), "the snapshots carry no time", "absent: no time");
	TAP_EQ_STR(fw_heap_window_why(FW_WINDOW_MEASURED), "", "measured: nothing to explain");
}

/* A CPU profile of `total_ns` over `dur_ns`, `app_pct` of it attributed to
 * app code and `share` percent attributed to one app function (the flat
 * figures are the same: a profile with no runtime frame). */
static void cpu(struct fw_process *p, int64_t total_ns, int64_t dur_ns, double app_pct, double share)
{
	memset(p, 0, sizeof(*p));
	p->name = (char *)"core";
	p->have_heap_diff = true; /* no growth: both analyses ran */
	p->heap_window = FW_WINDOW_MEASURED;
	p->have_cpu = true;
	p->cpu_total_ns = total_ns;
	p->cpu_duration_ns = dur_ns;
	p->cpu_app_ns = p->cpu_attr_app_ns = (int64_t)((double)total_ns * app_pct / 100.0);
	p->top_cpu_app.name = p->top_cpu_attr.name = (char *)"main.spin";
	p->top_cpu_app.value = p->top_cpu_attr.value = (int64_t)((double)total_ns * share / 100.0);
}

/* A Python check behind runtime.cgocall: by flat time all the CPU is in
 * the runtime (no application function, 0 % in app code); attributed, it
 * is the check's. `share` percent of `total_ns` over `dur_ns`. */
static void cgo(struct fw_process *p, int64_t total_ns, int64_t dur_ns, double share, const char *check)
{
	memset(p, 0, sizeof(*p));
	p->name = (char *)"core";
	p->have_heap_diff = true; /* no growth: both analyses ran */
	p->heap_window = FW_WINDOW_MEASURED;
	p->have_cpu = true;
	p->cpu_total_ns = total_ns;
	p->cpu_duration_ns = dur_ns;
	p->cpu_app_ns = 0;
	p->top_cpu_any.name = (char *)"runtime.cgocall";
	p->top_cpu_any.value = total_ns;
	p->cpu_attr_app_ns = p->cpu_python_ns = (int64_t)((double)total_ns * share / 100.0);
	p->top_cpu_attr.name = (char *)"github.com/DataDog/datadog-agent/pkg/collector/python._Cfunc_run_check";
	p->top_cpu_attr.value = p->cpu_python_ns;
	p->top_cpu_attr_python = true;
	p->top_cpu_attr_check = check;
}

static void test_cpu_attributed(void)
{
	struct fw_process p;
	struct fw_verdict v;
	struct fw_error e = { { 0 } };
	const int64_t s = 1000000000LL;

	/* rule 1 on the attributed share: a check at 97 % of the samples */
	cgo(&p, 3 * s / 10, s, 97, "postgres");
	TAP_EQ_INT(judge(&p, NULL, 0), FW_VERDICT_CPU_SPIKE, "97 %% attributed to a Python check: CPU spike");
	if (fw_verdict_evaluate(&p, 1, NULL, &th, &v, &e) == 0) {
		TAP_OK(v.procs[0].cpu_python, "the spike is a Python check's");
		TAP_EQ_STR(v.procs[0].cpu_check, "postgres", "... named by its label");
		TAP_OK(strstr(v.procs[0].cpu_reason, "Python check `postgres`") != NULL, "the reason names it: %s",
		       v.procs[0].cpu_reason);
		TAP_OK(strstr(v.procs[0].summary, "Python check postgres") != NULL, "so does the summary: %s",
		       v.procs[0].summary);
		fw_verdict_free(&v);
	}
	cgo(&p, 3 * s / 10, s, 50, "postgres");
	TAP_EQ_INT(judge(&p, NULL, 0), FW_VERDICT_NORMAL, "a check at 50 %% (the threshold): normal");
	cgo(&p, 3 * s / 10, s, 97, NULL);
	if (fw_verdict_evaluate(&p, 1, NULL, &th, &v, &e) == 0) {
		TAP_OK(v.procs[0].cpu && v.procs[0].cpu_python && !v.procs[0].cpu_check,
		       "no label: a Python check, unnamed");
		TAP_OK(strstr(v.procs[0].cpu_reason, "a Python check (`") != NULL, "... said so: %s",
		       v.procs[0].cpu_reason);
		fw_verdict_free(&v);
	}
	/* rule 2 on the attributed application share: 90 % of a core, the
	 * check at 45 % (under rule 1), all of it in application code once
	 * attributed (0 % by flat time) */
	cgo(&p, 9 * s / 10, s, 45, "mysql");
	p.cpu_attr_app_ns = 9 * s / 10;
	TAP_EQ_INT(judge(&p, NULL, 0), FW_VERDICT_CPU_SPIKE, "90 %% of a core, 100 %% attributed to app code: spike");
	p.cpu_attr_app_ns = 7 * s / 10; /* 77.8 % */
	TAP_EQ_INT(judge(&p, NULL, 0), FW_VERDICT_NORMAL, "... 77.8 %% attributed to app code: normal");
	/* the old flat figures alone no longer decide */
	cgo(&p, 3 * s / 10, s, 10, NULL);
	p.top_cpu_app.name = (char *)"main.flat";
	p.top_cpu_app.value = 3 * s / 10;
	TAP_EQ_INT(judge(&p, NULL, 0), FW_VERDICT_NORMAL, "100 %% flat but 10 %% attributed in one function: normal");
}

static void test_cpu(void)
{
	struct fw_process p;
	const int64_t s = 1000000000LL;

	/* one function > 50 % of the CPU, in a process at >= 5 % of a core */
	cpu(&p, s, 10 * s, 60, 50);
	TAP_EQ_INT(judge(&p, NULL, 0), FW_VERDICT_NORMAL, "one function at 50 %%: normal");
	cpu(&p, s, 10 * s, 60, 50.1);
	TAP_EQ_INT(judge(&p, NULL, 0), FW_VERDICT_CPU_SPIKE, "one function just above 50 %%: spike");
	cpu(&p, s, 10 * s, 60, 49.9);
	TAP_EQ_INT(judge(&p, NULL, 0), FW_VERDICT_NORMAL, "one function just below 50 %%: normal");
	cpu(&p, 5 * s / 100, s, 100, 90); /* 5 % of a core: at the floor */
	TAP_EQ_INT(judge(&p, NULL, 0), FW_VERDICT_CPU_SPIKE, "90 %% in one function at 5 %% of a core: spike");
	cpu(&p, 49 * s / 1000, s, 100, 90);
	TAP_EQ_INT(judge(&p, NULL, 0), FW_VERDICT_NORMAL, "... at 4.9 %% of a core: normal");
	cpu(&p, 3 * s / 1000, s, 100, 90);
	TAP_EQ_INT(judge(&p, NULL, 0), FW_VERDICT_NORMAL, "... at 0.3 %% of a core: normal");
	cpu(&p, s, 0, 100, 90);
	TAP_EQ_INT(judge(&p, NULL, 0), FW_VERDICT_NORMAL, "... with no duration (floor unknown): normal");
	th.cpu_spike_min_utilization = 0;
	TAP_EQ_INT(judge(&p, NULL, 0), FW_VERDICT_CPU_SPIKE, "... with the floor set to 0: spike");
	th.cpu_spike_min_utilization = 5;

	/* utilisation > 80 % of a core with > 80 % of it in app code */
	cpu(&p, 80 * s / 100, s, 90, 10);
	TAP_EQ_INT(judge(&p, NULL, 0), FW_VERDICT_NORMAL, "utilisation at 80 %%: normal");
	cpu(&p, 81 * s / 100, s, 90, 10);
	TAP_EQ_INT(judge(&p, NULL, 0), FW_VERDICT_CPU_SPIKE, "utilisation just above 80 %%: spike");
	cpu(&p, 81 * s / 100, s, 80, 10);
	TAP_EQ_INT(judge(&p, NULL, 0), FW_VERDICT_NORMAL, "... with the app share at 80 %%: normal");
	cpu(&p, 81 * s / 100, s, 80.5, 10);
	TAP_EQ_INT(judge(&p, NULL, 0), FW_VERDICT_CPU_SPIKE, "... with the app share just above 80 %%: spike");
}

static void test_contention(void)
{
	struct fw_process p;

	memset(&p, 0, sizeof(p));
	p.name = (char *)"core";
	p.have_heap_diff = p.have_cpu = true; /* nothing in them */
	p.have_block = true;
	p.top_block_app.name = (char *)"main.wait";
	p.top_block_app.value = 1000000000LL;
	TAP_EQ_INT(judge(&p, NULL, 0), FW_VERDICT_NORMAL, "1 s of delay: normal");
	p.top_block_app.value = 999999999LL;
	TAP_EQ_INT(judge(&p, NULL, 0), FW_VERDICT_NORMAL, "just below 1 s: normal");
	p.top_block_app.value = 1000000001LL;
	TAP_EQ_INT(judge(&p, NULL, 0), FW_VERDICT_CONTENTION, "just above 1 s: contention");
	p.have_block = false; /* e.g. the delay was a count: skipped with a note */
	TAP_EQ_INT(judge(&p, NULL, 0), FW_VERDICT_NORMAL, "a skipped block profile: normal");
}

static void test_huge(void)
{
	struct fw_process p;
	char why[1024];

	/* a rate beyond the int64 range (INT64_MAX bytes over 1 s is 30 times
	 * that per 30 s): the labels clamp, no UB */
	heap(&p, 0, 0, 0);
	p.growth_total = p.growth_app = p.top_growth_app.value = INT64_MAX;
	p.growth_total_30s = p.growth_app_30s = 30.0 * (double)INT64_MAX;
	TAP_EQ_INT(judge(&p, why, sizeof(why)), FW_VERDICT_MEMORY_LEAK, "30 x INT64_MAX bytes per 30 s: leak, no UB");
	TAP_OK(strstr(why, "EB") || strstr(why, "PB"), "30 x INT64_MAX bytes: a clamped label (%s)", why);
}

/* The decisions the writers print: the verdict makes them, at the same
 * thresholds. */
static void test_decisions(void)
{
	struct fw_process p;
	struct fw_verdict v;
	struct fw_goroutines g;
	struct fw_error e = { { 0 } };
	char x[64];

	/* goroutines: above goroutines_warn (500) is a finding */
	heap(&p, 0, 0, 0);
	memset(&g, 0, sizeof(g));
	const uint64_t counts[] = { 499, 500, 501 };
	for (size_t i = 0; i < 3; i++) {
		g.total = counts[i];
		if (!TAP_EQ_INT(fw_verdict_evaluate(&p, 1, &g, &th, &v, &e), 0, "evaluate with %" PRIu64 " goroutines",
				g.total))
			continue;
		TAP_OK(v.have_goroutines && v.goroutines == g.total && v.goroutines_warn == 500,
		       "%" PRIu64 " goroutines: the count and the warning level", g.total);
		TAP_EQ_INT(v.goroutines_above_warn, g.total > 500, "%" PRIu64 " goroutines: above the warning level: %s",
			   g.total, g.total > 500 ? "yes" : "no");
		fw_verdict_free(&v);
	}
	if (TAP_EQ_INT(fw_verdict_evaluate(&p, 1, NULL, &th, &v, &e), 0, "evaluate without a goroutine dump")) {
		TAP_OK(!v.have_goroutines && !v.goroutines_above_warn, "no dump: no goroutine finding");
		fw_verdict_free(&v);
	}

	/* the growth's wording and the leak threshold for the heap prose */
	heap(&p, th.leak_growth_per_30s + 1, th.leak_growth_per_30s + 1, 10);
	if (TAP_EQ_INT(fw_verdict_evaluate(&p, 1, NULL, &th, &v, &e), 0, "evaluate a leak")) {
		TAP_OK(v.procs[0].growth_is_rate && v.procs[0].growth_over_leak, "measured, above: a rate over the threshold");
		TAP_EQ_STR(v.procs[0].growth_per, "per 30 s", "measured: per 30 s");
		TAP_EQ_STR(v.procs[0].leak_fn, "main.leak", "the leak names its function");
		fw_verdict_free(&v);
	}
	p.heap_window = FW_WINDOW_ABSENT;
	p.growth_app_30s = th.leak_growth_per_30s;
	if (TAP_EQ_INT(fw_verdict_evaluate(&p, 1, NULL, &th, &v, &e), 0, "evaluate raw growth at the threshold")) {
		TAP_OK(!v.procs[0].growth_is_rate && !v.procs[0].growth_over_leak, "absent, at: raw, not over");
		TAP_EQ_STR(v.procs[0].growth_per, "between the snapshots", "absent: between the snapshots");
		fw_verdict_free(&v);
	}

	/* contention worth a sentence: above a tenth of contention_seconds */
	memset(&p, 0, sizeof(p));
	p.name = (char *)"core";
	p.have_heap_diff = p.have_cpu = true;
	p.have_block = p.have_mutex = true;
	p.block_total_ns = 100000000LL;
	p.mutex_total_ns = 100000001LL;
	p.top_block_app.name = (char *)"main.b";
	p.top_block_app.value = 1500000000LL;
	p.top_mutex_app.name = (char *)"main.m";
	p.top_mutex_app.value = 1500000000LL;
	if (TAP_EQ_INT(fw_verdict_evaluate(&p, 1, NULL, &th, &v, &e), 0, "evaluate contention")) {
		TAP_OK(!v.procs[0].block_significant, "block delay at 0.1 s: not significant");
		TAP_OK(v.procs[0].mutex_significant, "mutex delay just above 0.1 s: significant");
		/* equal delays: the block profile's function, as the reason says */
		TAP_EQ_STR(v.procs[0].contention_fn, "main.b", "contention names the function of its reason");
		TAP_OK(strstr(v.procs[0].contention_reason, "main.b") != NULL, "... which the reason names (%s)",
		       v.procs[0].contention_reason);
		fw_verdict_free(&v);
	}

	/* one rounding: half a byte rounds up, as the Markdown always did */
	TAP_EQ_INT(fw_figure_bytes(1023.5), 1024, "1023.5 bytes round to 1024");
	TAP_EQ_INT(fw_figure_bytes(1023.4), 1023, "1023.4 bytes round to 1023");
	TAP_EQ_INT(fw_figure_bytes(0.0 / 0.0), 0, "NaN is 0");
	TAP_EQ_INT(fw_figure_bytes(1e19), INT64_MAX, "beyond the int64 range: clamped");
	fw_figure_bytes_label(x, sizeof(x), 10485759.6);
	TAP_EQ_STR(x, "10MB", "10485759.6 bytes: 10MB");
}

/* Evaluates n processes; the verdict in *v (freed by the caller) */
static bool eval(const struct fw_process *p, size_t n, struct fw_verdict *v, const char *what)
{
	struct fw_error e = { { 0 } };

	if (fw_verdict_evaluate(p, n, NULL, &th, v, &e) == 0)
		return true;
	TAP_DIAG("%s: fw_verdict_evaluate: %s", what, e.msg);
	return false;
}

/* A process where every analysis ran and no rule fires. */
static void complete(struct fw_process *p, const char *name)
{
	heap(p, 0, 0, 0);
	p->name = (char *)name;
	p->have_block = p->have_mutex = true;
	p->heap_top.present = true;
}

static void test_inconclusive(void)
{
	struct fw_process p[2];
	struct fw_verdict v;
	const struct fw_coverage_item *it;

	complete(&p[0], "core");
	if (eval(p, 1, &v, "complete")) {
		TAP_EQ_INT(v.kind, FW_VERDICT_NORMAL, "every analysis ran, no rule fired: NORMAL");
		TAP_OK(v.procs[0].coverage.n_ran == FW_AN_COUNT && !v.procs[0].incomplete && !v.procs[0].not_analyzed,
		       "... coverage complete");
		TAP_EQ_STR(v.summary, "no rule fired for core", "... summary");
		fw_verdict_free(&v);
	}
	p[0].have_block = false;
	p[0].files[FW_PK_BLOCK].state = FW_PFILE_MISSING;
	if (eval(p, 1, &v, "no block")) {
		TAP_EQ_INT(v.kind, FW_VERDICT_NORMAL, "block profile missing: still NORMAL (heap and CPU ran)");
		it = &v.procs[0].coverage.a[FW_AN_BLOCK];
		TAP_OK(!it->ran && it->state == FW_PFILE_MISSING, "... block: not ran, missing");
		TAP_EQ_STR(it->reason, "core-block.pprof is missing", "... its reason");
		TAP_EQ_STR(it->file, "core-block.pprof", "... its file");
		fw_verdict_free(&v);
	}

	/* the CPU profile unreadable */
	complete(&p[0], "core");
	p[0].have_cpu = false;
	p[0].files[FW_PK_CPU].state = FW_PFILE_CORRUPT;
	p[0].files[FW_PK_CPU].error = (char *)"core-cpu.pprof: unknown wire type 7 at byte 3";
	if (eval(p, 1, &v, "corrupt CPU")) {
		TAP_EQ_INT(v.kind, FW_VERDICT_INCONCLUSIVE, "CPU profile corrupt, no rule fired: INCONCLUSIVE");
		it = &v.procs[0].coverage.a[FW_AN_CPU];
		TAP_OK(!it->ran && it->state == FW_PFILE_CORRUPT, "... cpu: not ran, corrupt");
		TAP_EQ_STR(it->reason, "core-cpu.pprof is unreadable: unknown wire type 7 at byte 3",
			   "... the reason names the file once, with the decoder's error");
		TAP_EQ_STR(v.procs[0].not_analyzed, "CPU (core-cpu.pprof corrupt)", "... not_analyzed");
		TAP_EQ_STR(v.summary, "core: not analyzed: CPU (core-cpu.pprof corrupt)", "... the summary says so");
		TAP_OK(!v.no_usable_profile, "... other analyses ran: not 'no usable profile'");
		fw_verdict_free(&v);
	}
	/* ... read, but the rules skipped it (a note says why) */
	complete(&p[0], "core");
	p[0].have_cpu = false;
	char *note = (char *)"core-cpu.pprof: the CPU samples are in \"count\", not a unit of time; the CPU rules are skipped";
	p[0].notes[0] = note;
	p[0].n_notes = 1;
	if (eval(p, 1, &v, "CPU in counts")) {
		TAP_EQ_INT(v.kind, FW_VERDICT_INCONCLUSIVE, "CPU rules skipped: INCONCLUSIVE");
		it = &v.procs[0].coverage.a[FW_AN_CPU];
		TAP_OK(!it->ran && it->state == FW_PFILE_OK, "... the file is ok, the analysis did not run");
		TAP_EQ_STR(it->reason, note, "... the reason is the note");
		TAP_EQ_STR(v.procs[0].not_analyzed, "CPU (core-cpu.pprof unusable)", "... not_analyzed");
		fw_verdict_free(&v);
	}

	/* the heap pair: 1st empty, 2nd missing */
	complete(&p[0], "core");
	p[0].have_heap_diff = false;
	p[0].heap_top.present = false;
	p[0].files[FW_PK_HEAP1].state = FW_PFILE_EMPTY;
	p[0].files[FW_PK_HEAP2].state = FW_PFILE_MISSING;
	if (eval(p, 1, &v, "no heap pair")) {
		TAP_EQ_INT(v.kind, FW_VERDICT_INCONCLUSIVE, "heap pair unusable: INCONCLUSIVE");
		it = &v.procs[0].coverage.a[FW_AN_HEAP_DIFF];
		TAP_OK(!it->ran && it->state == FW_PFILE_EMPTY, "... heap diff: not ran, state of its first bad file");
		TAP_EQ_STR(it->file, "core-1st-heap.pprof", "... that file");
		TAP_EQ_STR(it->reason, "core-1st-heap.pprof is empty (0 bytes) and core-2nd-heap.pprof is missing",
			   "... the reason names both");
		it = &v.procs[0].coverage.a[FW_AN_HEAP_TOP];
		TAP_OK(!it->ran && it->state == FW_PFILE_MISSING, "... heap top: the 2nd heap is missing");
		fw_verdict_free(&v);
	}

	/* a finding wins; the summary still says what was not analyzed */
	heap(&p[0], th.leak_growth_per_30s * 3, th.leak_growth_per_30s * 3, 100);
	p[0].have_cpu = false;
	p[0].files[FW_PK_CPU].state = FW_PFILE_MISSING;
	if (eval(p, 1, &v, "leak without CPU")) {
		TAP_EQ_INT(v.kind, FW_VERDICT_MEMORY_LEAK, "leak with the CPU profile missing: MEMORY LEAK");
		TAP_OK(v.procs[0].incomplete, "... incomplete");
		TAP_OK(strstr(v.summary, "; not analyzed: CPU (core-cpu.pprof missing)") != NULL,
		       "... the summary says CPU was not analyzed (%s)", v.summary);
		fw_verdict_free(&v);
	}

	/* two processes: the flare takes the most serious */
	complete(&p[0], "core");
	complete(&p[1], "trace");
	p[1].have_heap_diff = p[1].have_cpu = false;
	p[1].files[FW_PK_HEAP1].state = FW_PFILE_CORRUPT;
	p[1].files[FW_PK_CPU].state = FW_PFILE_MISSING;
	if (eval(p, 2, &v, "core NORMAL, trace incomplete")) {
		TAP_EQ_INT(v.kind, FW_VERDICT_INCONCLUSIVE, "core NORMAL and complete, trace not analyzed: INCONCLUSIVE");
		TAP_EQ_INT(v.worst, 1, "... set by trace");
		TAP_EQ_STR(v.summary,
			   "trace: not analyzed: heap diff (trace-1st-heap.pprof corrupt), CPU (trace-cpu.pprof missing); "
			   "no rule fired for core",
			   "... the summary names both");
		fw_verdict_free(&v);
	}
	heap(&p[0], th.leak_growth_per_30s * 3, th.leak_growth_per_30s * 3, 100);
	if (eval(p, 2, &v, "core leak, trace incomplete")) {
		TAP_EQ_INT(v.kind, FW_VERDICT_MEMORY_LEAK, "core leaks, trace not analyzed: MEMORY LEAK");
		TAP_EQ_INT(v.procs[1].kind, FW_VERDICT_INCONCLUSIVE, "... trace INCONCLUSIVE");
		TAP_OK(strstr(v.summary, "; trace: not analyzed: heap diff") != NULL,
		       "... the summary says trace was not analyzed (%s)", v.summary);
		fw_verdict_free(&v);
	}

	/* nothing usable */
	if (eval(p, 0, &v, "no process")) {
		TAP_EQ_INT(v.kind, FW_VERDICT_INCONCLUSIVE, "no process: INCONCLUSIVE");
		TAP_OK(v.no_usable_profile, "... no usable profile");
		TAP_EQ_STR(v.summary, "no usable profile in this flare: ask for one made with datadog-agent flare --profile 30",
			   "... the summary gives the remedy");
		fw_verdict_free(&v);
	}
	memset(&p[0], 0, sizeof(p[0]));
	p[0].name = (char *)"core";
	for (enum fw_profile_kind k = 0; k < FW_PK_COUNT; k++)
		p[0].files[k].state = FW_PFILE_EMPTY;
	if (eval(p, 1, &v, "all empty")) {
		TAP_EQ_INT(v.kind, FW_VERDICT_INCONCLUSIVE, "every file empty: INCONCLUSIVE");
		TAP_OK(v.no_usable_profile && v.procs[0].coverage.n_ran == 0, "... no usable profile, nothing ran");
		TAP_OK(strstr(v.summary, "no usable profile in this flare") != NULL, "... said in the summary (%s)",
		       v.summary);
		fw_verdict_free(&v);
	}
	TAP_OK(FW_VERDICT_NORMAL < FW_VERDICT_INCONCLUSIVE && FW_VERDICT_INCONCLUSIVE < FW_VERDICT_CONTENTION,
	       "INCONCLUSIVE is above NORMAL, below every finding");
	TAP_EQ_STR(fw_verdict_name(FW_VERDICT_INCONCLUSIVE), "INCONCLUSIVE", "its name");
	TAP_EQ_STR(fw_verdict_id(FW_VERDICT_INCONCLUSIVE), "inconclusive", "its id");
}

/* Application growth from half the leak threshold up to it, with no
 * dominant function: a note, not a verdict. */
static void test_borderline(void)
{
	struct fw_process p;
	struct fw_verdict v;
	double lo = th.leak_growth_per_30s / 2, hi = th.leak_growth_per_30s;
	const struct {
		double app, share;
		bool borderline;
		enum fw_verdict_kind kind;
		const char *what;
	} cases[] = {
		{ lo - 1, 10, false, FW_VERDICT_NORMAL, "just below 5 MiB/30 s: normal, no note" },
		{ lo, 10, true, FW_VERDICT_NORMAL, "at 5 MiB/30 s: borderline" },
		{ hi, 10, true, FW_VERDICT_NORMAL, "at 10 MiB/30 s (not above the leak threshold): borderline" },
		{ hi + 1, 10, false, FW_VERDICT_MEMORY_LEAK, "just above 10 MiB/30 s: a leak, no note" },
		{ lo + 1, 31, false, FW_VERDICT_MEMORY_LEAK, "6 MiB/30 s with one function at 31 %: a leak, no note" },
	};

	TAP_OK(th.leak_borderline_per_30s == 5 * MIB, "the borderline is half the leak threshold: 5 MiB");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		heap(&p, cases[i].app, cases[i].app, cases[i].share);
		if (!eval(&p, 1, &v, cases[i].what))
			continue;
		TAP_OK(v.kind == cases[i].kind && v.procs[0].borderline == cases[i].borderline &&
			       (v.procs[0].borderline_reason != NULL) == cases[i].borderline,
		       "%s", cases[i].what);
		if (cases[i].borderline)
			TAP_OK(strstr(v.summary, "; core: borderline heap growth, +") == v.summary + strlen("no rule fired for core"),
			       "... named in the summary (%s)", v.summary);
		fw_verdict_free(&v);
	}
}

int main(void)
{
	struct fw_config cfg;

	fw_config_defaults(&cfg);
	fw_thresholds_from_config(&cfg, &th);
	TAP_OK(th.cpu_spike_min_utilization == 5, "the CPU floor defaults to 5 %% of a core");
	test_leak();
	test_windows();
	test_cpu();
	test_cpu_attributed();
	test_contention();
	test_huge();
	test_decisions();
	test_inconclusive();
	test_borderline();
	return tap_done();
}
