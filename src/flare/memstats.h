/*
 * memstats.h: parser for a flare's expvar/memstats, Go's runtime.MemStats
 * as the agent writes it: JSON numbers turned float64 and marshalled by
 * gopkg.in/yaml.v2, so large values come in exponent form
 * ("Alloc: 7.1238712e+07") and BySize/PauseNs/PauseEnd are unindented block
 * sequences. See flare-format.md section 4.
 *
 * Read with libyaml's event API; only the top-level mapping's scalar values
 * are looked at, everything nested is skipped without being stored. libyaml
 * gets a copy cleaned by fw_text_clean() (cut at a NUL byte, bad bytes and
 * control characters turned into '?'), so one stray byte does not cost the
 * whole file.
 */
#ifndef FW_MEMSTATS_H
#define FW_MEMSTATS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/util.h"

/* Each value is a non-negative finite number; has_x is false when the key
 * is missing, its value is not a decimal number (digits, '.', an exponent;
 * no sign other than the exponent's, no hex, inf or nan; quoted or not),
 * it overflows a double, or it is a sequence, mapping or alias. Keys are
 * case-sensitive; a later duplicate key replaces an earlier one. */
struct fw_memstats {
	double alloc;		bool has_alloc;
	double total_alloc;	bool has_total_alloc;
	double sys;		bool has_sys;
	double heap_alloc;	bool has_heap_alloc;
	double heap_sys;	bool has_heap_sys;
	double heap_inuse;	bool has_heap_inuse;
	double heap_idle;	bool has_heap_idle;
	double heap_released;	bool has_heap_released;
	double heap_objects;	bool has_heap_objects;
	double num_gc;		bool has_num_gc;
	double pause_total_ns;	bool has_pause_total_ns;
	double last_gc;		bool has_last_gc;	/* ns since the epoch */
	double next_gc;		bool has_next_gc;
	/* what Sys is made of besides the heap (HeapSys): goroutine stacks,
	 * the runtime's own metadata and the rest */
	double stack_inuse;	bool has_stack_inuse;
	double stack_sys;	bool has_stack_sys;
	double mspan_inuse;	bool has_mspan_inuse;
	double mspan_sys;	bool has_mspan_sys;
	double mcache_inuse;	bool has_mcache_inuse;
	double mcache_sys;	bool has_mcache_sys;
	double buck_hash_sys;	bool has_buck_hash_sys;
	double gc_sys;		bool has_gc_sys;
	double other_sys;	bool has_other_sys;
	double mallocs;		bool has_mallocs;
	double frees;		bool has_frees;
	/* A YAML error or a NUL byte stopped the parse after some MemStats
	 * keys had been read (truncated or damaged file): those are kept. */
	bool partial;
};

/* Parses text[0..len) into *ms (cleared first). Returns 0, -ENOMEM,
 * -ENODATA for an empty or all-blank file, or -EINVAL when the text is not
 * YAML, its top level is not a mapping, or the mapping has none of
 * runtime.MemStats' key names (e.g. expvar/cmdline's "{}"). */
int fw_memstats_parse(const char *text, size_t len, struct fw_memstats *ms,
		      struct fw_error *err);

/* The same for a process's whole expvar set as the flare stores it
 * (expvar/trace-agent: the trace-agent's /debug/vars through yaml.v2): the
 * MemStats mapping is the value of the top-level key "memstats"; the
 * top-level "uptime" (seconds, the trace-agent publishes it) goes to
 * *uptime_sec with *has_uptime. -EINVAL also when there is no "memstats"
 * mapping, or the file is the flare's "Error retrieving vars: ..." line. */
int fw_memstats_parse_vars(const char *text, size_t len, struct fw_memstats *ms,
			   double *uptime_sec, bool *has_uptime, struct fw_error *err);

/* Formats LastGC (ns since the epoch) as "2024-10-02 14:21:48 UTC"
 * (rounded down to the second). 0 gives "never" (Go's value before the
 * first GC); negative, non-finite or after-9999 values give "-".
 * FW_MEMSTATS_TIME_BUFSZ always suffices. */
#define FW_MEMSTATS_TIME_BUFSZ 32
void fw_memstats_format_last_gc(double last_gc_ns, char *out, size_t outsz);

/* Nanoseconds to milliseconds (PauseTotalNs). */
double fw_memstats_ns_to_ms(double ns);

/* Formats nanoseconds as milliseconds with three decimals: 1.419657936e+10
 * gives "14196.579 ms". Non-finite or negative values give "-". */
#define FW_MEMSTATS_MS_BUFSZ 48
void fw_memstats_format_ms(double ns, char *out, size_t outsz);

#endif
