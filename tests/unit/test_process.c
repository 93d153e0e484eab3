/*
 * test_process.c: the per-process analyses (src/investigate/process.c) on
 * the committed profiles of tests/fixtures/profiles/ (written by a Go
 * program, see that folder), copied as one process "core". The expected
 * numbers come from `go tool pprof` (Go 1.x), not from our own output:
 *
 *   P="go tool pprof -top -nodecount=100000 -nodefraction=0 -edgefraction=0"
 *   heap growth: $P -unit=B -sample_index=inuse_space -diff_base=heap1.pb.gz heap2.pb.gz
 *     the sum of the positive flat values (all: 4086441 B; application
 *     functions, i.e. not runtime./runtime//internal//sync./syscall./
 *     gcBgMarkWorker: 4086441 B) and the largest application one
 *     (main.leakyCache, 4076967 B)
 *   CPU: $P -unit=ns cpu.pb.gz: total 2940000000 ns, all of it in
 *     application functions (time.Now is not runtime), the largest flat
 *     main.(*Hasher).Sum 1460000000 ns
 *   block: $P -unit=ns block.pb.gz: total 5508879529 ns; the largest delay
 *     (`-traces`) is sync.(*Mutex).Lock 2749733175 ns called from
 *     main.(*Counter).Inc, the application function closest to it
 *   mutex: $P -unit=ns mutex.pb.gz: total 923853585 ns, all in
 *     sync.(*Mutex).Unlock from main.(*Counter).Inc
 */
#include "investigate/process.h"
#include "base/fsutil.h"
#include "base/util.h"

#include "../tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int copy(const char *from, const char *to)
{
	struct fw_error e;
	uint8_t *data;
	size_t len;
	int r;

	if (fw_read_file(from, 1u << 20, &data, &len, &e) < 0) {
		TAP_DIAG("%s", e.msg);
		return -1;
	}
	r = fw_write_file_atomic(to, data, len, 0600, &e);
	if (r < 0)
		TAP_DIAG("%s", e.msg);
	free(data);
	return r;
}

int main(void)
{
	static const char *const files[][2] = {
		{ "heap1.pb.gz", "core-1st-heap.pprof" }, { "heap2.pb.gz", "core-2nd-heap.pprof" },
		{ "cpu.pb.gz", "core-cpu.pprof" },	  { "block.pb.gz", "core-block.pprof" },
		{ "mutex.pb.gz", "core-mutex.pprof" },
	};
	const char *top = getenv("abs_top_srcdir");
	const char *tmp = getenv("TMPDIR");
	char dir[1024], from[2048], to[2048];
	struct fw_error e = { { 0 } };
	struct fw_process p;

	if (fw_tmpdir_create(tmp && *tmp ? tmp : "/tmp", "fw-test-process-", dir, sizeof(dir), &e) < 0) {
		TAP_DIAG("%s", e.msg);
		return tap_done();
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (snprintf(from, sizeof(from), "%.1500s/tests/fixtures/profiles/%s", top && *top ? top : ".",
			     files[i][0]) >= (int)sizeof(from) ||
		    snprintf(to, sizeof(to), "%.1500s/%s", dir, files[i][1]) >= (int)sizeof(to))
			return tap_done();
		TAP_EQ_INT(copy(from, to), 0, "copy %s as %s", files[i][0], files[i][1]);
	}
	if (!TAP_EQ_INT(fw_process_analyze(dir, "core", NULL, &p, &e), 0, "analyze the process")) {
		TAP_DIAG("%s", e.msg);
		fw_tree_remove(dir, &e);
		return tap_done();
	}
	for (int k = 0; k < 5; k++)
		TAP_EQ_INT(p.files[k].state, FW_PFILE_OK, "%s: found and read", p.files[k].kind);

	/* heap growth, 1st -> 2nd snapshot (go tool pprof -diff_base) */
	TAP_OK(p.have_heap_diff, "the heap diff is computed");
	TAP_OK(p.heap_window != FW_WINDOW_REVERSED, "the snapshots are in order (%s)", fw_heap_window_id(p.heap_window));
	TAP_EQ_INT(p.growth_total, 4086441, "heap growth, all functions: 4086441 B");
	TAP_EQ_INT(p.growth_app, 4086441, "heap growth, application functions: 4086441 B");
	TAP_EQ_STR(p.top_growth_app.name, "main.leakyCache", "largest application growth: main.leakyCache");
	TAP_EQ_INT(p.top_growth_app.value, 4076967, "... of 4076967 B");
	if (p.heap_window != FW_WINDOW_MEASURED)
		TAP_OK(p.growth_total_30s == 4086441.0, "no measured window: the raw growth (%s)",
		       fw_heap_window_id(p.heap_window));
	else
		TAP_OK(p.growth_total_30s > 0, "a measured window: a positive rate");

	/* CPU (go tool pprof -unit=ns) */
	TAP_OK(p.have_cpu, "the CPU facts are computed");
	TAP_EQ_INT(p.cpu_total_ns, 2940000000LL, "CPU total: 2940000000 ns");
	TAP_EQ_INT(p.cpu_app_ns, 2940000000LL, "CPU in application functions: 2940000000 ns");
	TAP_EQ_STR(p.top_cpu_app.name, "main.(*Hasher).Sum", "busiest application function: main.(*Hasher).Sum");
	TAP_EQ_INT(p.top_cpu_app.value, 1460000000LL, "... with 1460000000 ns flat");
	TAP_OK(p.cpu_duration_ns >= 1595000000LL && p.cpu_duration_ns < 1605000000LL,
	       "duration: 1.60s as pprof prints it (%lld ns)", (long long)p.cpu_duration_ns);

	/* contention (go tool pprof -unit=ns, -traces) */
	TAP_OK(p.have_block && p.have_mutex, "the block and mutex facts are computed");
	TAP_EQ_INT(p.block_total_ns, 5508879529LL, "block delay total: 5508879529 ns");
	TAP_EQ_STR(p.top_block_app.name, "main.(*Counter).Inc", "block: closest application function");
	TAP_EQ_INT(p.top_block_app.value, 2749733175LL, "... waited 2749733175 ns");
	TAP_EQ_STR(p.top_block_callee, "sync.(*Mutex).Lock", "... in sync.(*Mutex).Lock");
	TAP_EQ_INT(p.mutex_total_ns, 923853585LL, "mutex delay total: 923853585 ns");
	TAP_EQ_STR(p.top_mutex_app.name, "main.(*Counter).Inc", "mutex: closest application function");
	TAP_EQ_INT(p.top_mutex_app.value, 923853585LL, "... held 923853585 ns");
	TAP_EQ_STR(p.top_mutex_callee, "sync.(*Mutex).Unlock", "... in sync.(*Mutex).Unlock");

	/* the call graphs dot was drawing meanwhile (their SVG is compared with
	 * go tool pprof -svg by tests/integration/dot_svg.sh) */
	TAP_EQ_INT(fw_process_callgraphs(&p, &e), 0, "collect the call graphs");
	for (int k = 0; k < 2; k++) {
		const struct fw_top_table *t = k ? &p.heap_diff_space : &p.cpu;
		TAP_OK(!t->drawing && ((t->callgraph && strstr(t->callgraph, "</svg>")) ||
				       (t->callgraph_error && !strcmp(t->callgraph_error, "graphviz (dot) is not installed"))),
		       "%s call graph: an SVG, or graphviz is not installed (%s)", k ? "heap diff" : "CPU",
		       t->callgraph_error ? t->callgraph_error : "drawn");
	}

	fw_process_free(&p);
	TAP_EQ_INT(fw_tree_remove(dir, &e), 0, "remove the temporary folder");
	return tap_done();
}
