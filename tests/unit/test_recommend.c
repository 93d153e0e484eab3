/*
 * test_recommend.c: the recommendations (src/investigate/recommend.c) on
 * flares and processes built by hand, judged by the real verdict: the
 * priority of each kind of item as recommend.h documents it, the order, the
 * evidence (function, figure, files) each item cites, one line for the
 * empty block/mutex profiles of the whole flare, one line per process for
 * unusable files naming them, no text twice, no Markdown in any text, and
 * the short names of functions.
 */
#include "investigate/recommend.h"

#include "../tap.h"

#include <string.h>

static struct fw_thresholds th;

/* A process whose five profiles decoded and whose memory and CPU were
 * analyzed; nothing fires; block and mutex hold samples unless `empty`. */
static void proc(struct fw_process *p, const char *name, bool empty)
{
	memset(p, 0, sizeof(*p));
	p->name = (char *)name;
	for (enum fw_profile_kind k = 0; k < FW_PK_COUNT; k++) {
		p->files[k].kind = fw_profile_kind_name(k);
		p->files[k].state = FW_PFILE_OK;
		p->files[k].size = 1000;
	}
	p->have_heap_diff = true;
	p->heap_window = FW_WINDOW_MEASURED;
	p->heap_window_ns = 30000000000LL;
	p->have_cpu = true;
	p->cpu_total_ns = 300000000;
	p->cpu_duration_ns = 30000000000LL;
	p->cpu.present = p->block.present = p->mutex.present = true;
	p->block.total = p->mutex.total = empty ? 0 : 1000;
}

struct run {
	struct fw_verdict v;
	struct fw_recommendations r;
};

static bool run(struct run *x, const struct fw_flare *f, const struct fw_process *procs, size_t n,
		const struct fw_goroutines *gor)
{
	struct fw_error e = { { 0 } };

	if (fw_verdict_evaluate(procs, n, gor, &th, &x->v, &e) < 0) {
		TAP_DIAG("fw_verdict_evaluate: %s", e.msg);
		return false;
	}
	if (fw_recommend(f, procs, n, &x->v, NULL, &x->r, &e) < 0) {
		TAP_DIAG("fw_recommend: %s", e.msg);
		fw_verdict_free(&x->v);
		return false;
	}
	return true;
}

static void done(struct run *x)
{
	fw_recommendations_free(&x->r);
	fw_verdict_free(&x->v);
}

/* The first item of kind `kind`, or NULL. */
static const struct fw_recommendation *find(const struct run *x, const char *kind)
{
	for (size_t i = 0; i < x->r.n; i++)
		if (strcmp(x->r.items[i].kind, kind) == 0)
			return &x->r.items[i];
	return NULL;
}

static size_t count(const struct run *x, const char *kind)
{
	size_t n = 0;
	for (size_t i = 0; i < x->r.n; i++)
		n += strcmp(x->r.items[i].kind, kind) == 0;
	return n;
}

/* Properties every list has: ordered High, Medium, Low; every text plain
 * and distinct; every item has a text. */
static void invariants(const struct run *x, const char *what)
{
	bool ordered = true, plain = true, distinct = true;

	for (size_t i = 0; i < x->r.n; i++) {
		const struct fw_recommendation *a = &x->r.items[i];
		if (i && a->priority < x->r.items[i - 1].priority)
			ordered = false;
		if (!a->text || strchr(a->text, '`') || strstr(a->text, "**") || strchr(a->text, '|'))
			plain = false;
		for (size_t k = 0; k < i; k++)
			if (a->text && x->r.items[k].text && strcmp(a->text, x->r.items[k].text) == 0)
				distinct = false;
	}
	TAP_OK(ordered, "%s: High, then Medium, then Low", what);
	TAP_OK(plain, "%s: every text is plain (no backtick, bold or table)", what);
	TAP_OK(distinct, "%s: no text twice", what);
}

static void test_normal(void)
{
	struct fw_flare f = { 0 };
	struct fw_process p[2];
	struct run x;
	const struct fw_recommendation *r;

	f.has_profiles = true;
	proc(&p[0], "core", true);
	proc(&p[1], "trace", true);
	if (!TAP_OK(run(&x, &f, p, 2, NULL), "normal flare: built"))
		return;
	invariants(&x, "normal flare");
	TAP_EQ_INT(x.v.kind, FW_VERDICT_NORMAL, "normal flare: the verdict is NORMAL");
	TAP_EQ_UINT(x.r.n, 2, "normal flare: two items (profiling off, nothing to do)");
	TAP_EQ_UINT(count(&x, "contention_profiling_off"), 1, "four empty block/mutex profiles: ONE item");
	r = find(&x, "contention_profiling_off");
	if (r) {
		TAP_EQ_INT(r->priority, FW_REC_LOW, "profiling off: Low");
		TAP_EQ_UINT(r->ev.n_files, 4, "profiling off: the four files as evidence");
		TAP_EQ_STR(r->ev.n_files == 4 ? r->ev.files[3] : NULL, "profiles/trace-mutex.pprof",
			   "profiling off: files relative to the flare's root");
		TAP_OK(strstr(r->text, "core-block.pprof, core-mutex.pprof, trace-block.pprof and trace-mutex.pprof hold "
				       "no samples") != NULL,
		       "profiling off: the text names them once: %s", r->text);
	}
	r = find(&x, "no_action");
	TAP_OK(r && r->priority == FW_REC_LOW && r->command, "nothing to do: Low, with the command to use later");
	done(&x);

	/* block and mutex with samples: no profiling-off line */
	proc(&p[0], "core", false);
	proc(&p[1], "trace", false);
	if (!TAP_OK(run(&x, &f, p, 2, NULL), "normal flare with contention data: built"))
		return;
	TAP_EQ_UINT(count(&x, "contention_profiling_off"), 0, "block/mutex with samples: no profiling-off line");
	TAP_EQ_UINT(x.r.n, 1, "only the no-action line");
	done(&x);
}

static void test_findings(void)
{
	struct fw_flare f = { 0 };
	struct fw_process p;
	struct run x;
	const struct fw_recommendation *r;

	f.has_profiles = true;
	proc(&p, "core", false);
	/* 40 MiB of app growth in 30 s, all in one function: leak */
	p.growth_total = p.growth_app = 40 << 20;
	p.growth_total_30s = p.growth_app_30s = 40 << 20;
	p.top_growth_app.name = (char *)"github.com/DataDog/datadog-agent/pkg/aggregator.(*ContextResolver).trackContext";
	p.top_growth_app.value = 40 << 20;
	/* 90 % of 3 s of CPU over 30 s in one function: CPU spike */
	p.cpu_total_ns = 3000000000LL;
	p.cpu_app_ns = 2700000000LL;
	p.top_cpu_app.name = (char *)"github.com/DataDog/datadog-agent/pkg/serializer.(*Serializer).SendSeries";
	p.top_cpu_app.value = 2700000000LL;
	/* ... the figures the rules read: attributed to the nearest
	 * application frame (here the same function) */
	p.cpu_attr_app_ns = 2700000000LL;
	p.top_cpu_attr = p.top_cpu_app;
	/* 2 s of block delay charged to one function: contention */
	p.have_block = true;
	p.block_total_ns = 2000000000LL;
	p.top_block_app.name = (char *)"github.com/DataDog/datadog-agent/pkg/collector.(*Worker).Run";
	p.top_block_app.value = 2000000000LL;
	p.top_block_callee = (char *)"sync.(*Mutex).Lock";
	if (!TAP_OK(run(&x, &f, &p, 1, NULL), "three findings: built"))
		return;
	invariants(&x, "three findings");
	TAP_EQ_INT(x.v.kind, FW_VERDICT_MULTIPLE, "three findings: MULTIPLE ISSUES");
	TAP_EQ_STR(x.r.n >= 3 ? x.r.items[0].kind : NULL, "memory_leak", "the leak first");
	TAP_EQ_STR(x.r.n >= 3 ? x.r.items[1].kind : NULL, "cpu_spike", "then the CPU spike");
	TAP_EQ_STR(x.r.n >= 3 ? x.r.items[2].kind : NULL, "contention", "then the contention");
	TAP_EQ_UINT(count(&x, "no_action"), 0, "no no-action line beside findings");
	if ((r = find(&x, "memory_leak"))) {
		TAP_EQ_INT(r->priority, FW_REC_HIGH, "leak: High");
		TAP_EQ_STR(r->ev.function, p.top_growth_app.name, "leak: the function that grew, in full");
		TAP_OK(r->ev.has_value && r->ev.value == 40 << 20 && strcmp(r->ev.unit, "bytes") == 0,
		       "leak: its growth in bytes");
		TAP_OK(r->ev.n_files == 2 && strcmp(r->ev.files[0], "profiles/core-1st-heap.pprof") == 0 &&
			       strcmp(r->ev.files[1], "profiles/core-2nd-heap.pprof") == 0,
		       "leak: the two heap snapshots");
		TAP_OK(strstr(r->text, "aggregator.(*ContextResolver).trackContext (the aggregator (metric contexts))") &&
			       !strstr(r->text, "github.com/"),
		       "leak: short name and component in the text: %s", r->text);
		TAP_OK(strstr(r->text, "grew by 40MB in the 30s between the heap snapshots (40MB per 30 s)") != NULL,
		       "leak: growth, window and rate in the text");
		TAP_EQ_STR(r->command, "datadog-agent flare --profile 30", "leak: a second flare");
		TAP_EQ_STR(r->process, "core", "leak: the process");
	}
	if ((r = find(&x, "cpu_spike"))) {
		TAP_OK(r->ev.value == 2700000000LL && strcmp(r->ev.unit, "nanoseconds") == 0, "CPU: flat nanoseconds");
		TAP_OK(strstr(r->text, "uses 2.70s of the 3s of CPU time sampled (90.0%)") != NULL, "CPU: %s", r->text);
		TAP_OK(r->ev.n_files == 1 && strcmp(r->ev.files[0], "profiles/core-cpu.pprof") == 0, "CPU: the CPU profile");
	}
	if ((r = find(&x, "contention"))) {
		TAP_OK(r->ev.value == 2000000000LL && strcmp(r->ev.files[0], "profiles/core-block.pprof") == 0,
		       "contention: the delay and the block profile");
		TAP_OK(strstr(r->text, "collector.(*Worker).Run (the check runner) waited 2s in the block profile, in "
				       "sync.(*Mutex).Lock") != NULL,
		       "contention: %s", r->text);
	}
	done(&x);

	/* the mutex profile: the delay is charged to the holder */
	proc(&p, "core", false);
	p.have_mutex = true;
	p.mutex_total_ns = 3000000000LL;
	p.top_mutex_app.name = (char *)"example.com/app.(*Cache).refresh";
	p.top_mutex_app.value = 3000000000LL;
	p.top_mutex_callee = (char *)"sync.(*Mutex).Unlock";
	if (!TAP_OK(run(&x, &f, &p, 1, NULL), "mutex contention: built"))
		return;
	if ((r = find(&x, "contention"))) {
		TAP_OK(strstr(r->text, "charges 3s of delay to app.(*Cache).refresh, which holds the lock") != NULL,
		       "mutex: names the holder: %s", r->text);
		TAP_EQ_STR(r->ev.n_files ? r->ev.files[0] : NULL, "profiles/core-mutex.pprof", "mutex: the mutex profile");
	} else {
		TAP_OK(false, "mutex contention: an item");
	}
	done(&x);
}

static void test_unusable(void)
{
	struct fw_flare f = { 0 };
	struct fw_process p[2];
	struct run x;
	const struct fw_recommendation *r;

	f.has_profiles = true;
	proc(&p[0], "core", false);
	proc(&p[1], "trace", false);
	p[0].have_heap_diff = p[0].have_cpu = false;
	p[0].files[FW_PK_HEAP1].state = FW_PFILE_EMPTY;
	p[0].files[FW_PK_HEAP2].state = FW_PFILE_MISSING;
	p[0].files[FW_PK_CPU].state = FW_PFILE_CORRUPT;
	p[0].files[FW_PK_MUTEX].state = FW_PFILE_CORRUPT;
	p[1].files[FW_PK_BLOCK].state = FW_PFILE_EMPTY; /* heap and CPU fine */
	if (!TAP_OK(run(&x, &f, p, 2, NULL), "unusable profiles: built"))
		return;
	invariants(&x, "unusable profiles");
	TAP_EQ_UINT(count(&x, "process_not_analyzed"), 1, "one line for core");
	if ((r = find(&x, "process_not_analyzed"))) {
		TAP_EQ_INT(r->priority, FW_REC_HIGH, "core not analyzed, nothing fired: High");
		TAP_EQ_UINT(r->ev.n_files, 4, "core: the four unusable files");
		TAP_OK(r->ev.n_files == 4 && strcmp(r->ev.files[0], "profiles/core-1st-heap.pprof") == 0 &&
			       strcmp(r->ev.files[1], "profiles/core-2nd-heap.pprof") == 0 &&
			       strcmp(r->ev.files[2], "profiles/core-cpu.pprof") == 0 &&
			       strcmp(r->ev.files[3], "profiles/core-mutex.pprof") == 0,
		       "core: in profile order");
		TAP_EQ_STR(r->text,
			   "core: memory was not analyzed (core-1st-heap.pprof is empty (0 bytes), core-2nd-heap.pprof is "
			   "missing); CPU was not analyzed (core-cpu.pprof is unreadable); also core-mutex.pprof is "
			   "unreadable. Without both heap snapshots and the CPU profile this process cannot be called "
			   "normal: ask for a new flare made with profiling.",
			   "core: what could not be analyzed and why");
		TAP_EQ_STR(r->command, "datadog-agent flare --profile 30", "core: the remedy");
	}
	if ((r = find(&x, "contention_profiles_unusable"))) {
		TAP_EQ_INT(r->priority, FW_REC_LOW, "trace's empty block file: Low");
		TAP_EQ_STR(r->text, "trace: trace-block.pprof is empty (0 bytes), so lock contention was not measured in "
				    "this process.", "trace: the block file named");
	} else {
		TAP_OK(false, "trace: a line for its empty block file");
	}
	TAP_EQ_UINT(count(&x, "no_action"), 0, "no no-action line when a process was not analyzed");
	done(&x);

	/* a finding in a process whose CPU is unusable: the finding stands */
	proc(&p[0], "core", false);
	p[0].have_cpu = false;
	p[0].files[FW_PK_CPU].state = FW_PFILE_MISSING;
	p[0].growth_total = p[0].growth_app = 40 << 20;
	p[0].growth_total_30s = p[0].growth_app_30s = 40 << 20;
	p[0].top_growth_app.name = (char *)"main.leak";
	p[0].top_growth_app.value = 40 << 20;
	if (!TAP_OK(run(&x, &f, p, 1, NULL), "leak with the CPU missing: built"))
		return;
	invariants(&x, "leak with the CPU missing");
	TAP_EQ_STR(x.r.n ? x.r.items[0].kind : NULL, "memory_leak", "the leak first");
	if ((r = find(&x, "process_not_analyzed"))) {
		TAP_EQ_INT(r->priority, FW_REC_MEDIUM, "not analyzed beside a finding: Medium");
		TAP_OK(strstr(r->text, "core: CPU was not analyzed (core-cpu.pprof is missing). The rule that fired stands") !=
			       NULL,
		       "the finding stands: %s", r->text);
	} else {
		TAP_OK(false, "leak with the CPU missing: a not-analyzed line");
	}
	done(&x);

	/* no profiles at all */
	f.has_profiles = false;
	if (!TAP_OK(run(&x, &f, NULL, 0, NULL), "no profiles: built"))
		return;
	TAP_EQ_UINT(x.r.n, 1, "no profiles: one line");
	TAP_OK(x.r.n == 1 && strcmp(x.r.items[0].kind, "no_profiles") == 0 && x.r.items[0].priority == FW_REC_HIGH &&
		       strcmp(x.r.items[0].command, "datadog-agent flare --profile 30") == 0 && x.r.items[0].ev.n_files == 0,
	       "no profiles: High, asks for --profile 30, no file to cite");
	done(&x);
}

static void test_checks_goroutines(void)
{
	struct fw_flare f = { 0 };
	struct fw_status_check ck[3] = { 0 };
	struct fw_status_msg msgs[3] = { 0 };
	struct fw_process p;
	struct fw_goroutines gor = { 0 };
	struct run x;
	const struct fw_recommendation *r;

	f.has_profiles = f.has_status = true;
	f.status.checks = ck;
	f.status.n_checks = 3;
	f.status.msgs = msgs;
	f.status.n_msgs = 3;
	/* postgres twice (two titles, same error): one line */
	for (int i = 0; i < 2; i++) {
		snprintf(ck[i].name, sizeof(ck[i].name), "postgres");
		ck[i].n_instances = ck[i].n_error = 1;
		ck[i].msg_first = (size_t)i;
		ck[i].msg_count = 1;
		msgs[i].kind = FW_CHECK_MSG_ERROR;
		snprintf(msgs[i].text, sizeof(msgs[i].text), "connection refused");
	}
	snprintf(ck[2].name, sizeof(ck[2].name), "disk");
	ck[2].n_instances = 2;
	ck[2].n_ok = ck[2].n_warning = 1;
	ck[2].msg_first = 2;
	ck[2].msg_count = 1;
	msgs[2].kind = FW_CHECK_MSG_WARNING;
	snprintf(msgs[2].text, sizeof(msgs[2].text), "cannot read /proc/mounts");
	f.has_goroutines = true;
	gor.total = th.goroutines_warn + 1;
	gor.n_top = 1;
	gor.top_exact = true;
	snprintf(gor.top[0].name, sizeof(gor.top[0].name), "github.com/DataDog/datadog-agent/pkg/collector.(*Worker).Run");
	gor.top[0].count = 400;
	f.gor = gor;
	proc(&p, "core", false);
	if (!TAP_OK(run(&x, &f, &p, 1, &gor), "checks and goroutines: built"))
		return;
	invariants(&x, "checks and goroutines");
	TAP_EQ_UINT(count(&x, "check_error"), 1, "the same check error twice: one line");
	if ((r = find(&x, "check_error"))) {
		TAP_EQ_INT(r->priority, FW_REC_MEDIUM, "check error: Medium");
		TAP_EQ_STR(r->text, "Check postgres has 1 of 1 instance in error: connection refused. Fix its "
				    "configuration or what it connects to, then run it alone.", "check error: text");
		TAP_EQ_STR(r->command, "datadog-agent check postgres", "check error: the command");
		TAP_OK(r->ev.value == 1 && strcmp(r->ev.files[0], "status.log") == 0, "check error: 1 instance, status.log");
	}
	if ((r = find(&x, "check_warning"))) {
		TAP_EQ_INT(r->priority, FW_REC_LOW, "check warning: Low");
		TAP_OK(strstr(r->text, "Check disk has 1 of 2 instances with warnings: cannot read /proc/mounts") != NULL,
		       "check warning: %s", r->text);
	} else {
		TAP_OK(false, "a check warning line");
	}
	if ((r = find(&x, "goroutines"))) {
		TAP_EQ_INT(r->priority, FW_REC_MEDIUM, "goroutines: Medium");
		TAP_OK(r->ev.value == (int64_t)gor.total && strcmp(r->ev.files[0], "go-routine-dump.log") == 0 &&
			       strcmp(r->ev.function, gor.top[0].name) == 0,
		       "goroutines: the count, the dump and where they are parked");
		TAP_OK(strstr(r->text, "most are parked in collector.(*Worker).Run (400)") != NULL, "goroutines: %s",
		       r->text);
	} else {
		TAP_OK(false, "a goroutines line");
	}
	done(&x);
}

static void test_names(void)
{
	TAP_EQ_STR(fw_function_short_name("github.com/DataDog/datadog-agent/pkg/aggregator.(*ContextResolver).trackContext"),
		   "aggregator.(*ContextResolver).trackContext", "short name: package path dropped");
	TAP_EQ_STR(fw_function_short_name("runtime.mallocgc"), "runtime.mallocgc", "short name: no path");
	TAP_EQ_STR(fw_function_short_name("a/b.(*T[go.shape.*a/c.X]).M"), "b.(*T[go.shape.*a/c.X]).M",
		   "short name: slashes after '(' or '[' stay");
	TAP_EQ_STR(fw_function_short_name("a/b/"), "b/", "short name: a trailing slash is not cut to nothing");
	TAP_EQ_STR(fw_function_short_name(""), "", "short name: empty");
	TAP_EQ_STR(fw_rec_priority_name(FW_REC_MEDIUM), "Medium", "priority name");
	TAP_EQ_STR(fw_rec_priority_id(FW_REC_HIGH), "high", "priority id");
}

int main(void)
{
	struct fw_config cfg;

	fw_config_defaults(&cfg);
	fw_thresholds_from_config(&cfg, &th);
	test_normal();
	test_findings();
	test_unusable();
	test_checks_goroutines();
	test_names();
	return tap_done();
}
