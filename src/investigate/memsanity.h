/*
 * memsanity.h: memory sanity for one agent process: what the heap profiles
 * show read against what the Go runtime says (expvar/memstats) and against
 * how long the agent has run. Facts only, no text: the 2nd heap profile's
 * in-use space next to HeapAlloc, Sys broken into heap, stacks and runtime
 * metadata, stack bytes per goroutine, the heap growth rate projected over
 * the uptime, and the Python checks whose memory no Go figure shows.
 *
 * expvar/memstats is the core agent's (the flare reads it from the core
 * agent's expvar server): it applies to the "core" process only. The
 * uptime (status.log's Agent start) and the goroutine dump are the core
 * agent's too; Python checks run inside the core agent. The "trace"
 * process gets the MemStats and uptime of expvar/trace-agent when the
 * flare has them (the trace-agent's own expvars); no other process has
 * any.
 *
 * The judgement (fw_memsanity_compute's last step) is the one other place
 * besides verdict.c that compares numbers with thresholds; the thresholds
 * are the constants below. The writers print what it decided.
 */
#ifndef FW_MEMSANITY_H
#define FW_MEMSANITY_H

#include <stdbool.h>
#include <stdint.h>

#include "flare/flare.h"
#include "investigate/process.h"

/* The growth is called "not steady" when the rate per 30 s, kept up over
 * the whole uptime, would have grown the heap by more than this many
 * times HeapAlloc: a live heap cannot have grown by more than it holds, so
 * such a rate cannot have held since the start (the growth is recent or
 * bursty). At or under it the rate may have held since the start. */
#define FW_MEMSANITY_STEADY_FACTOR 2.0
/* Profiles and memstats "mismatch" when HeapAlloc and the 2nd heap
 * profile's in-use space differ by more than this factor either way (the
 * heap profile is as of the last GC, HeapAlloc also counts the garbage
 * made since, which GOGC=100 lets reach the live heap's size: up to 2x is
 * expected), or when Sys is more than this factor above the profile's
 * in-use space. */
#define FW_MEMSANITY_MISMATCH_FACTOR 2.0
/* Python checks named in the report; further ones are only counted. */
#define FW_MEMSANITY_MAX_PYTHON 16

struct fw_opt_bytes {
	bool has;
	int64_t v; /* bytes */
};

enum fw_steadiness {
	FW_STEADY_UNKNOWN,   /* no growth rate, no uptime or no HeapAlloc */
	FW_STEADY_NO_GROWTH, /* the heap did not grow between the snapshots */
	FW_STEADY_POSSIBLE,  /* projection <= FACTOR x HeapAlloc */
	FW_STEADY_NOT,	     /* projection > FACTOR x HeapAlloc: recent or bursty */
};

/* "unknown", "no_growth", "possible", "not_steady" */
const char *fw_steadiness_id(enum fw_steadiness s);

/* Where Sys goes beyond the live heap: the largest of these parts. */
enum fw_sys_part {
	FW_SYS_PART_NONE,	   /* not computable */
	FW_SYS_PART_IDLE_HEAP,	   /* HeapIdle - HeapReleased: kept, not in use */
	FW_SYS_PART_RELEASED,	   /* HeapReleased: returned to the OS (not in RSS) */
	FW_SYS_PART_FRAGMENTATION, /* HeapInuse - HeapAlloc: in-use spans' free space */
	FW_SYS_PART_STACKS,	   /* StackSys */
	FW_SYS_PART_RUNTIME,	   /* GCSys + MSpanSys + MCacheSys + BuckHashSys + OtherSys */
};

/* "none", "idle_heap", "released_heap", "fragmentation", "stacks",
 * "runtime_metadata" */
const char *fw_sys_part_id(enum fw_sys_part p);

struct fw_memsanity {
	const char *process;	/* borrowed: the process's name */
	bool is_core;		/* expvar/memstats, status.log's uptime, the goroutine dump */
	/* the flare has this process's MemStats: memstats_source names the
	 * file ("expvar/memstats" for core, "expvar/trace-agent" for trace),
	 * NULL when none */
	bool have_memstats;
	const char *memstats_source;

	/* the 2nd heap profile's inuse_space total, bytes as pprof scales
	 * them (has: that profile was read and its unit is bytes) */
	struct fw_opt_bytes profile_inuse;

	/* memstats, rounded to whole bytes */
	struct fw_opt_bytes heap_alloc, sys, heap_sys, heap_inuse, heap_idle, heap_released, stack_inuse,
		stack_sys, gc_sys, mspan_sys, mcache_sys, buck_hash_sys, other_sys, next_gc;
	struct fw_opt_bytes heap_objects;  /* HeapObjects (a count, rounded) */
	struct fw_opt_bytes runtime_meta;  /* GCSys + MSpanSys + MCacheSys + BuckHashSys + OtherSys */
	struct fw_opt_bytes idle_retained; /* HeapIdle - HeapReleased (>= 0) */
	struct fw_opt_bytes fragmentation; /* HeapInuse - HeapAlloc (>= 0) */
	/* Sys - (HeapSys + StackSys + the runtime metadata): 0 in Go's
	 * own figures; may be negative in a damaged or synthetic file */
	struct fw_opt_bytes unaccounted;
	/* the largest of idle_retained, heap_released, fragmentation,
	 * stack_sys and runtime_meta: Sys = HeapAlloc + those five */
	enum fw_sys_part largest_part;

	/* HeapAlloc / profile in-use and Sys / profile in-use; has only when
	 * both are known and the profile's in-use is above 0 */
	bool has_heap_ratio, has_sys_ratio;
	double heap_ratio, sys_ratio;

	/* StackInuse / goroutines of go-routine-dump.log (core only) */
	bool has_goroutines;
	uint64_t goroutines;
	struct fw_opt_bytes stack_per_goroutine; /* rounded */

	/* the process's heap growth per 30 s (all functions, process.c's
	 * growth_total_30s), only over a measured window */
	bool has_growth_rate;
	double growth_per_30s;
	/* core: status.log's Agent start to Status date; trace: the
	 * trace-agent's expvar "uptime" (whole seconds either way) */
	bool has_uptime;
	int64_t uptime_ns;
	/* growth_per_30s x uptime / 30 s, and that over HeapAlloc; has when
	 * the rate, the uptime and HeapAlloc (> 0) are known and the rate > 0 */
	bool has_projection;
	double projected_growth, projection_ratio;

	/* the judgement */
	enum fw_steadiness steadiness;
	bool heap_mismatch; /* HeapAlloc vs profile in-use beyond the factor either way */
	bool sys_mismatch;  /* Sys above FACTOR x profile in-use */

	/* Python checks of status.log (core only), each name once, borrowed
	 * from the flare's status; n_python counts them all (a name beyond
	 * the first FW_MEMSANITY_MAX_PYTHON may be counted twice) */
	const char *python[FW_MEMSANITY_MAX_PYTHON];
	size_t n_python;
};

/* Computes the facts and the judgement for process p of flare f; p may be
 * NULL (a flare with memstats but without that process's profiles: name
 * says which, e.g. "core"). Never fails. */
void fw_memsanity_compute(const struct fw_process *p, const char *name, const struct fw_flare *f,
			  struct fw_memsanity *out);

/* True when the growth may be called steady or continuing: anything but
 * FW_STEADY_NOT, and for s NULL (no memory sanity computed). An unknown
 * steadiness contradicts nothing: the text stays as it was. */
bool fw_memsanity_growth_may_be_steady(const struct fw_memsanity *s);

#endif
