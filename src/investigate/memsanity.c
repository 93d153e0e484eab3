/*
 * memsanity.c: memory sanity facts for one process (see memsanity.h):
 * first the facts, copied or derived from the profiles, memstats,
 * status.log and the goroutine dump, then judge(), the only function here
 * that compares a number with a threshold.
 */
#include "investigate/memsanity.h"

#include <math.h>
#include <string.h>

#include "investigate/verdict.h"

const char *fw_steadiness_id(enum fw_steadiness s)
{
	switch (s) {
	case FW_STEADY_UNKNOWN: return "unknown";
	case FW_STEADY_NO_GROWTH: return "no_growth";
	case FW_STEADY_POSSIBLE: return "possible";
	case FW_STEADY_NOT: return "not_steady";
	}
	return "unknown";
}

const char *fw_sys_part_id(enum fw_sys_part p)
{
	switch (p) {
	case FW_SYS_PART_NONE: return "none";
	case FW_SYS_PART_IDLE_HEAP: return "idle_heap";
	case FW_SYS_PART_RELEASED: return "released_heap";
	case FW_SYS_PART_FRAGMENTATION: return "fragmentation";
	case FW_SYS_PART_STACKS: return "stacks";
	case FW_SYS_PART_RUNTIME: return "runtime_metadata";
	}
	return "none";
}

static struct fw_opt_bytes opt(bool has, double v)
{
	struct fw_opt_bytes o = { false, 0 };

	if (has && isfinite(v) && v >= 0) {
		o.has = true;
		o.v = fw_figure_bytes(v);
	}
	return o;
}

/* a - b, clamped at 0 (Go keeps both orders true; a damaged file may not) */
static struct fw_opt_bytes diff(struct fw_opt_bytes a, struct fw_opt_bytes b)
{
	struct fw_opt_bytes o = { a.has && b.has, 0 };

	if (o.has && a.v > b.v)
		o.v = a.v - b.v;
	return o;
}

static void memstats_facts(const struct fw_memstats *m, struct fw_memsanity *s)
{
	s->heap_alloc = opt(m->has_heap_alloc, m->heap_alloc);
	s->sys = opt(m->has_sys, m->sys);
	s->heap_objects = opt(m->has_heap_objects, m->heap_objects);
	s->heap_sys = opt(m->has_heap_sys, m->heap_sys);
	s->heap_inuse = opt(m->has_heap_inuse, m->heap_inuse);
	s->heap_idle = opt(m->has_heap_idle, m->heap_idle);
	s->heap_released = opt(m->has_heap_released, m->heap_released);
	s->stack_inuse = opt(m->has_stack_inuse, m->stack_inuse);
	s->stack_sys = opt(m->has_stack_sys, m->stack_sys);
	s->gc_sys = opt(m->has_gc_sys, m->gc_sys);
	s->mspan_sys = opt(m->has_mspan_sys, m->mspan_sys);
	s->mcache_sys = opt(m->has_mcache_sys, m->mcache_sys);
	s->buck_hash_sys = opt(m->has_buck_hash_sys, m->buck_hash_sys);
	s->other_sys = opt(m->has_other_sys, m->other_sys);
	s->next_gc = opt(m->has_next_gc, m->next_gc);
	s->runtime_meta = opt(m->has_gc_sys && m->has_mspan_sys && m->has_mcache_sys && m->has_buck_hash_sys &&
				      m->has_other_sys,
			      m->gc_sys + m->mspan_sys + m->mcache_sys + m->buck_hash_sys + m->other_sys);
	s->unaccounted.has = s->sys.has && s->heap_sys.has && s->stack_sys.has && s->runtime_meta.has;
	if (s->unaccounted.has)
		s->unaccounted.v = s->sys.v - s->heap_sys.v - s->stack_sys.v - s->runtime_meta.v;
	s->idle_retained = diff(s->heap_idle, s->heap_released);
	s->fragmentation = diff(s->heap_inuse, s->heap_alloc);
}

static void largest_part(struct fw_memsanity *s)
{
	const struct {
		const struct fw_opt_bytes *v;
		enum fw_sys_part part;
	} parts[] = {
		{ &s->idle_retained, FW_SYS_PART_IDLE_HEAP }, { &s->heap_released, FW_SYS_PART_RELEASED },
		{ &s->fragmentation, FW_SYS_PART_FRAGMENTATION }, { &s->stack_sys, FW_SYS_PART_STACKS },
		{ &s->runtime_meta, FW_SYS_PART_RUNTIME },
	};
	int64_t best = -1;

	s->largest_part = FW_SYS_PART_NONE;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (!parts[i].v->has)
			return; /* all five or none: they add up to Sys - HeapAlloc */
		if (parts[i].v->v > best) {
			best = parts[i].v->v;
			s->largest_part = parts[i].part;
		}
	}
}

/* The judgement: every threshold comparison of the memory sanity. */
static void judge(struct fw_memsanity *s)
{
	const double k = FW_MEMSANITY_MISMATCH_FACTOR;

	s->steadiness = FW_STEADY_UNKNOWN;
	if (s->has_growth_rate && s->growth_per_30s <= 0)
		s->steadiness = FW_STEADY_NO_GROWTH;
	else if (s->has_projection)
		s->steadiness = s->projected_growth > FW_MEMSANITY_STEADY_FACTOR * (double)s->heap_alloc.v
					? FW_STEADY_NOT
					: FW_STEADY_POSSIBLE;
	if (s->profile_inuse.has && s->heap_alloc.has)
		s->heap_mismatch = (double)s->heap_alloc.v > k * (double)s->profile_inuse.v ||
				   (double)s->profile_inuse.v > k * (double)s->heap_alloc.v;
	if (s->profile_inuse.has && s->sys.has)
		s->sys_mismatch = (double)s->sys.v > k * (double)s->profile_inuse.v;
}

void fw_memsanity_compute(const struct fw_process *p, const char *name, const struct fw_flare *f,
			  struct fw_memsanity *s)
{
	const struct fw_top_table *h = p ? &p->heap_top : NULL;
	bool is_trace;

	memset(s, 0, sizeof(*s));
	s->process = p ? p->name : name;
	s->is_core = s->process && strcmp(s->process, "core") == 0;

	if (h && h->present && !h->error && h->sample_unit && strcmp(h->sample_unit, "bytes") == 0 &&
	    h->total >= 0) {
		s->profile_inuse.has = true;
		s->profile_inuse.v = h->total;
	}
	if (p && p->have_heap_diff && p->heap_window == FW_WINDOW_MEASURED) {
		s->has_growth_rate = true;
		s->growth_per_30s = p->growth_total_30s;
	}
	is_trace = s->process && strcmp(s->process, "trace") == 0;
	if (s->is_core && f->has_memstats) {
		s->have_memstats = true;
		s->memstats_source = "expvar/memstats";
		memstats_facts(&f->mem, s);
		largest_part(s);
	} else if (is_trace && f->has_trace_memstats) {
		s->have_memstats = true;
		s->memstats_source = "expvar/trace-agent";
		memstats_facts(&f->trace_mem, s);
		largest_part(s);
	}
	if (s->is_core && f->has_goroutines) {
		s->has_goroutines = true;
		s->goroutines = f->gor.total;
		if (s->stack_inuse.has && s->goroutines > 0)
			s->stack_per_goroutine = opt(true, (double)s->stack_inuse.v / (double)s->goroutines);
	}
	if (s->is_core && f->has_status && f->status.has_uptime && f->status.uptime_sec >= 0 &&
	    f->status.uptime_sec <= INT64_MAX / 1000000000) {
		s->has_uptime = true;
		s->uptime_ns = f->status.uptime_sec * 1000000000;
	} else if (is_trace && f->has_trace_uptime && f->trace_uptime_sec >= 0 &&
		   f->trace_uptime_sec < (double)(INT64_MAX / 1000000000)) {
		s->has_uptime = true;
		s->uptime_ns = (int64_t)f->trace_uptime_sec * 1000000000;
	}
	if (s->has_growth_rate && s->growth_per_30s > 0 && s->has_uptime && s->heap_alloc.has && s->heap_alloc.v > 0) {
		s->has_projection = true;
		s->projected_growth = s->growth_per_30s * ((double)s->uptime_ns / (double)FW_RATE_WINDOW_NS);
		s->projection_ratio = s->projected_growth / (double)s->heap_alloc.v;
	}
	if (s->profile_inuse.has && s->profile_inuse.v > 0) {
		if (s->heap_alloc.has) {
			s->has_heap_ratio = true;
			s->heap_ratio = (double)s->heap_alloc.v / (double)s->profile_inuse.v;
		}
		if (s->sys.has) {
			s->has_sys_ratio = true;
			s->sys_ratio = (double)s->sys.v / (double)s->profile_inuse.v;
		}
	}
	if (s->is_core && f->has_status) {
		for (size_t i = 0; i < f->status.n_checks; i++) {
			bool seen = false;
			if (!f->status.checks[i].python)
				continue;
			/* old agents print one block per instance */
			for (size_t k = 0; k < s->n_python && k < FW_MEMSANITY_MAX_PYTHON; k++)
				seen |= strcmp(s->python[k], f->status.checks[i].name) == 0;
			if (seen)
				continue;
			if (s->n_python < FW_MEMSANITY_MAX_PYTHON)
				s->python[s->n_python] = f->status.checks[i].name;
			s->n_python++;
		}
	}
	judge(s);
}

bool fw_memsanity_growth_may_be_steady(const struct fw_memsanity *s)
{
	return !s || s->steadiness != FW_STEADY_NOT;
}
