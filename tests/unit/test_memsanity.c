/*
 * test_memsanity.c: the memory sanity facts and judgement
 * (src/investigate/memsanity.c) on processes and flares built by hand: the
 * Sys breakdown adds up, stacks per goroutine, the projection over the
 * uptime at, just below and just above FW_MEMSANITY_STEADY_FACTOR x
 * HeapAlloc, the mismatch at the factor either way, memstats applying to
 * core only, and the Python checks of status.log.
 */
#include "investigate/memsanity.h"

#include "../tap.h"

#include <inttypes.h>
#include <string.h>

#define MIB (1024.0 * 1024.0)

static struct fw_status_check checks[4];

/* A core process whose 2nd heap shows `inuse` bytes and whose heap grows
 * by `rate` bytes per 30 s over a measured window. */
static void proc(struct fw_process *p, const char *name, int64_t inuse, double rate)
{
	memset(p, 0, sizeof(*p));
	p->name = (char *)name;
	p->heap_top.present = true;
	p->heap_top.sample_unit = (char *)"bytes";
	p->heap_top.total = inuse;
	p->have_heap_diff = true;
	p->heap_window = FW_WINDOW_MEASURED;
	p->heap_window_ns = 30000000000LL;
	p->growth_total_30s = rate;
	p->growth_total = (int64_t)rate;
}

/* The leak fixture's memstats (tests/fixtures/flares/gen/memstats.go makes
 * them consistent: Sys is the sum of the *Sys fields), 1 h of uptime, 52
 * goroutines, checks cpu (Go) and disk, postgres (Python). */
static void flare(struct fw_flare *f)
{
	struct fw_memstats *m = &f->mem;

	memset(f, 0, sizeof(*f));
	f->has_memstats = true;
#define SET(k, v) (m->k = (v), m->has_##k = true)
	SET(heap_alloc, 1000 * MIB);
	SET(heap_inuse, 1100 * MIB);
	SET(heap_idle, 600 * MIB);
	SET(heap_released, 400 * MIB);
	SET(heap_sys, 1700 * MIB);
	SET(stack_inuse, 1.5 * MIB);
	SET(stack_sys, 2 * MIB);
	SET(gc_sys, 70 * MIB);
	SET(mspan_sys, 20 * MIB);
	SET(mcache_sys, 15600);
	SET(buck_hash_sys, 2 * MIB);
	SET(other_sys, 1.5 * MIB);
	SET(next_gc, 1900 * MIB);
	SET(sys, m->heap_sys + m->stack_sys + m->gc_sys + m->mspan_sys + m->mcache_sys + m->buck_hash_sys +
			 m->other_sys);
#undef SET
	f->has_goroutines = true;
	f->gor.total = 48;
	f->has_status = true;
	f->status.has_uptime = true;
	f->status.uptime_sec = 3600;
	memset(checks, 0, sizeof(checks));
	strcpy(checks[0].name, "cpu");
	strcpy(checks[1].name, "disk");
	checks[1].python = true;
	strcpy(checks[2].name, "postgres");
	checks[2].python = true;
	strcpy(checks[3].name, "disk"); /* an old agent's second block of disk */
	checks[3].python = true;
	f->status.checks = checks;
	f->status.n_checks = 4;
}

static void test_facts(void)
{
	struct fw_process p;
	struct fw_flare f;
	struct fw_memsanity s;

	flare(&f);
	proc(&p, "core", 500 * MIB, 0);
	fw_memsanity_compute(&p, p.name, &f, &s);
	TAP_OK(s.is_core && s.have_memstats && !strcmp(s.memstats_source, "expvar/memstats"), "core: memstats apply");
	TAP_OK(s.profile_inuse.has && s.profile_inuse.v == (int64_t)(500 * MIB), "profile in-use");
	TAP_OK(s.heap_alloc.has && s.heap_alloc.v == (int64_t)(1000 * MIB), "HeapAlloc");
	TAP_OK(s.has_heap_ratio && s.heap_ratio == 2.0, "HeapAlloc / in-use = 2");
	TAP_OK(!s.heap_mismatch, "2x exactly is not a mismatch");
	TAP_OK(s.idle_retained.v == (int64_t)(200 * MIB), "idle kept = HeapIdle - HeapReleased");
	TAP_OK(s.fragmentation.v == (int64_t)(100 * MIB), "fragmentation = HeapInuse - HeapAlloc");
	TAP_OK(s.runtime_meta.v == (int64_t)(70 * MIB + 20 * MIB + 15600 + 2 * MIB + 1.5 * MIB),
	       "runtime metadata = GCSys + MSpanSys + MCacheSys + BuckHashSys + OtherSys");
	TAP_EQ_INT(s.heap_alloc.v + s.fragmentation.v + s.idle_retained.v + s.heap_released.v + s.stack_sys.v +
			   s.runtime_meta.v,
		   s.sys.v, "the parts add up to Sys");
	TAP_OK(s.unaccounted.has && s.unaccounted.v == 0, "nothing unaccounted");
	TAP_EQ_INT(s.largest_part, FW_SYS_PART_RELEASED, "largest part beyond the live heap: released (400 MiB)");
	TAP_OK(s.sys_mismatch, "Sys (~1.8 GiB) above 2x 500 MiB: mismatch");
	TAP_OK(s.has_goroutines && s.goroutines == 48, "goroutines");
	TAP_EQ_INT(s.stack_per_goroutine.v, (int64_t)(1.5 * MIB / 48 + 0.5), "StackInuse / goroutines, rounded");
	TAP_EQ_INT(s.steadiness, FW_STEADY_NO_GROWTH, "no growth");
	TAP_OK(!s.has_projection, "no projection without growth");
	if (TAP_EQ_UINT(s.n_python, 2, "two Python checks (disk once)")) {
		TAP_EQ_STR(s.python[0], "disk", "disk");
		TAP_EQ_STR(s.python[1], "postgres", "postgres");
	}

	proc(&p, "core", 499 * MIB, 0);
	fw_memsanity_compute(&p, p.name, &f, &s);
	TAP_OK(s.heap_mismatch, "HeapAlloc just above 2x the in-use: mismatch");
	proc(&p, "core", 2000 * MIB, 0);
	fw_memsanity_compute(&p, p.name, &f, &s);
	TAP_OK(!s.heap_mismatch, "in-use at 2x HeapAlloc: no mismatch");
	proc(&p, "core", 2000 * MIB + 1, 0);
	fw_memsanity_compute(&p, p.name, &f, &s);
	TAP_OK(s.heap_mismatch, "in-use just above 2x HeapAlloc: mismatch the other way");
	TAP_OK(!s.sys_mismatch, "Sys below the in-use: no Sys mismatch");

	/* another process: nothing of core's applies */
	proc(&p, "trace", 3 * MIB, 1 * MIB);
	fw_memsanity_compute(&p, p.name, &f, &s);
	TAP_OK(!s.is_core && !s.have_memstats && !s.heap_alloc.has && !s.sys.has, "trace: no memstats");
	TAP_OK(!s.has_goroutines && !s.has_uptime && s.n_python == 0, "trace: no goroutines, uptime, Python");
	TAP_OK(s.profile_inuse.has && s.has_growth_rate, "trace: its own profile and growth");
	TAP_EQ_INT(s.steadiness, FW_STEADY_UNKNOWN, "trace: steadiness unknown");
	TAP_OK(!s.heap_mismatch && !s.sys_mismatch, "trace: no mismatch without memstats");

	/* trace with the trace-agent's own expvars */
	f.has_trace_memstats = true;
	f.trace_mem.heap_alloc = 16 * MIB;
	f.trace_mem.has_heap_alloc = true;
	f.trace_mem.sys = 40 * MIB;
	f.trace_mem.has_sys = true;
	f.has_trace_uptime = true;
	f.trace_uptime_sec = 3600;
	proc(&p, "trace", 3 * MIB, 1 * MIB);
	fw_memsanity_compute(&p, p.name, &f, &s);
	TAP_OK(s.have_memstats && s.memstats_source && !strcmp(s.memstats_source, "expvar/trace-agent"),
	       "trace: memstats from expvar/trace-agent");
	TAP_OK(s.heap_alloc.v == (int64_t)(16 * MIB) && s.sys.v == (int64_t)(40 * MIB), "trace: its HeapAlloc and Sys");
	TAP_OK(s.has_uptime && s.uptime_ns == 3600000000000LL, "trace: its uptime");
	/* 1 MiB per 30 s over 120 windows = 120 MiB > 2 x 16 MiB */
	TAP_EQ_INT(s.steadiness, FW_STEADY_NOT, "trace: projection 120 MiB against HeapAlloc 16 MiB: not steady");
	TAP_OK(!s.has_goroutines && s.n_python == 0, "trace: still no goroutines or Python checks");
	TAP_OK(s.heap_mismatch && s.sys_mismatch, "trace: 16 MiB and 40 MiB against 3 MiB: mismatches");
	f.has_trace_memstats = f.has_trace_uptime = false;

	/* core without its profiles (a flare with memstats, no profiles) */
	fw_memsanity_compute(NULL, "core", &f, &s);
	TAP_OK(s.is_core && s.have_memstats && !s.profile_inuse.has, "core without profiles");
	TAP_OK(!s.has_heap_ratio && !s.heap_mismatch && !s.sys_mismatch, "nothing to compare");
	TAP_EQ_INT(s.steadiness, FW_STEADY_UNKNOWN, "no rate: unknown");

	/* a flare without memstats */
	f.has_memstats = false;
	proc(&p, "core", 500 * MIB, MIB);
	fw_memsanity_compute(&p, p.name, &f, &s);
	TAP_OK(s.is_core && !s.have_memstats && !s.heap_alloc.has && !s.stack_per_goroutine.has,
	       "no memstats: no HeapAlloc, no stacks per goroutine");
	TAP_OK(s.has_goroutines && s.goroutines == 48, "goroutines still counted");
	TAP_OK(s.has_uptime && !s.has_projection, "uptime but no projection without HeapAlloc");
	TAP_EQ_INT(s.steadiness, FW_STEADY_UNKNOWN, "steadiness unknown");
	TAP_EQ_INT(s.largest_part, FW_SYS_PART_NONE, "no Sys part");

	/* a Sys that is not the sum of the *Sys fields (the shared sample
	 * flare's is 1,599,960 bytes above it) */
	flare(&f);
	f.mem.sys += 1599960;
	fw_memsanity_compute(&p, p.name, &f, &s);
	TAP_OK(s.unaccounted.has && s.unaccounted.v == 1599960, "Sys above the sum: unaccounted");
	f.mem.sys -= 2 * 1599960;
	fw_memsanity_compute(&p, p.name, &f, &s);
	TAP_OK(s.unaccounted.has && s.unaccounted.v == -1599960, "Sys below the sum: negative");

	/* a damaged profile: no in-use figure */
	flare(&f);
	proc(&p, "core", 500 * MIB, 0);
	p.heap_top.error = (char *)"corrupt";
	fw_memsanity_compute(&p, p.name, &f, &s);
	TAP_OK(!s.profile_inuse.has && !s.has_heap_ratio && !s.heap_mismatch, "unreadable 2nd heap: no comparison");
}

static void test_projection(void)
{
	struct fw_process p;
	struct fw_flare f;
	struct fw_memsanity s;
	/* 1 h = 120 windows of 30 s; HeapAlloc 600 MiB: the boundary is a
	 * rate of 2 x 600 MiB / 120 = 10 MiB per 30 s (exact in binary) */
	double edge = FW_MEMSANITY_STEADY_FACTOR * 600 * MIB / 120.0;

	flare(&f);
	f.mem.heap_alloc = 600 * MIB;
	proc(&p, "core", 1000 * MIB, edge);
	fw_memsanity_compute(&p, p.name, &f, &s);
	TAP_OK(s.has_uptime && s.uptime_ns == 3600000000000LL, "uptime in ns");
	TAP_OK(s.has_projection, "projection");
	TAP_OK(edge == 10 * MIB && s.projected_growth == 1200 * MIB, "projection = rate x uptime / 30 s");
	TAP_EQ_INT(s.steadiness, FW_STEADY_POSSIBLE, "projection at 2x HeapAlloc: may be steady");
	TAP_OK(fw_memsanity_growth_may_be_steady(&s), "may be called steady");

	proc(&p, "core", 1000 * MIB, edge * 0.999);
	fw_memsanity_compute(&p, p.name, &f, &s);
	TAP_EQ_INT(s.steadiness, FW_STEADY_POSSIBLE, "just below: may be steady");

	proc(&p, "core", 1000 * MIB, edge * 1.001);
	fw_memsanity_compute(&p, p.name, &f, &s);
	TAP_EQ_INT(s.steadiness, FW_STEADY_NOT, "just above: not steady");
	TAP_OK(!fw_memsanity_growth_may_be_steady(&s), "must not be called steady");
	TAP_OK(s.projection_ratio > 2.0 && s.projection_ratio < 2.01, "ratio just above 2");

	/* the shared flare's numbers: 53 h, HeapAlloc 68 MB, +370 MB per 30 s */
	f.status.uptime_sec = 191980;
	f.mem.heap_alloc = 71238712;
	proc(&p, "core", 55942414, 388709546);
	fw_memsanity_compute(&p, p.name, &f, &s);
	TAP_EQ_INT(s.steadiness, FW_STEADY_NOT, "53 h at +370 MB/30 s with HeapAlloc 68 MB: not steady");

	/* a window that is not measured gives no rate */
	proc(&p, "core", 1000 * MIB, edge * 10);
	p.heap_window = FW_WINDOW_ABSENT;
	fw_memsanity_compute(&p, p.name, &f, &s);
	TAP_OK(!s.has_growth_rate && !s.has_projection, "no measured window: no rate, no projection");
	TAP_EQ_INT(s.steadiness, FW_STEADY_UNKNOWN, "unknown");

	/* no uptime */
	flare(&f);
	f.status.has_uptime = false;
	proc(&p, "core", 1000 * MIB, edge * 10);
	fw_memsanity_compute(&p, p.name, &f, &s);
	TAP_OK(!s.has_uptime && !s.has_projection, "no uptime: no projection");
	TAP_EQ_INT(s.steadiness, FW_STEADY_UNKNOWN, "unknown");
	TAP_OK(fw_memsanity_growth_may_be_steady(&s), "unknown is not contradicted");

	TAP_EQ_STR(fw_steadiness_id(FW_STEADY_NOT), "not_steady", "id not_steady");
	TAP_EQ_STR(fw_sys_part_id(FW_SYS_PART_RUNTIME), "runtime_metadata", "id runtime_metadata");
}

int main(void)
{
	test_facts();
	test_projection();
	return tap_done();
}
