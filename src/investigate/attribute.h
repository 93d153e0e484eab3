/*
 * attribute.h: runtime work charged to the application code that caused it.
 * Each sample's value goes to its nearest application frame: walking from
 * the leaf up, the first function that fw_is_runtime_function() does not
 * call runtime (so `runtime.mallocgc` under `trackContext` is trackContext's,
 * and `runtime.cgocall` under `python._Cfunc_run_check` is the Python
 * check's). A `_Cfunc_` frame of the Python loader (fw_is_python_check_frame)
 * is Python check time; the sample's pprof label `check_id` (what the agent's
 * pkg/collector/python/check.go sets with pprof.Do around every run; also
 * `check_name` or `check`) names the check.
 *
 * One walk over the samples, one path per (function, call it made, leaf,
 * check); the per-function table and the contention split (contention.c)
 * are both read from those paths. It measures; it compares no threshold.
 */
#ifndef FW_ATTRIBUTE_H
#define FW_ATTRIBUTE_H

#include "pprof/report.h"

/* One way samples reached an application function. The names point into
 * the report's node table (valid while the report lives); check into its
 * profile's strings, or NULL. */
struct fw_attr_path {
	const char *fn;	   /* the nearest application function, or NULL (no application frame) */
	const char *via;   /* the frame just below it (the call it made), or NULL when fn is the leaf */
	const char *leaf;  /* the sample's leaf frame, or NULL (a sample with no frame) */
	const char *check; /* the check label's value, or NULL */
	bool python;	   /* fn is a Python check frame */
	bool outermost;	   /* no application frame above fn: its goroutine's own function */
	int64_t value;	   /* the sum of the samples' values */
	int64_t count;	   /* their column 0 (contentions in block/mutex profiles) */
};

struct fw_attribution {
	/* by value, largest first, then by names; samples with no application
	 * frame have paths too (fn NULL), for their leaf */
	struct fw_attr_path *paths;
	size_t n_paths;
	int64_t total;	      /* the sum of every sample's value */
	int64_t unattributed; /* of samples with no application frame */
	int64_t unattributed_count;
	bool overflow; /* the sum of |value| does not fit in an int64: sums wrapped */
};

/* Walks every sample of r's profile (column r->vi). */
int fw_attribute(const struct fw_report *r, struct fw_attribution *a, struct fw_error *err);
void fw_attribution_free(struct fw_attribution *a);

/* The check's name from a label value: the part before the first ':' of an
 * agent check ID ("postgres:a1b2c3" -> "postgres"), else the whole value.
 * Writes at most len-1 bytes and a NUL. */
void fw_check_name(const char *label, char *out, size_t len);

/* Per application function (and per Python check): the sum over its
 * paths, with the `via` of its largest path. */
struct fw_attr_fn {
	const char *fn, *via, *check; /* borrowed from the attribution */
	bool python;
	int64_t value, count;
};

/* Groups a's paths by (fn, check), those with an application frame; *out
 * (caller frees, not the names) by
 * value, largest first, then by names. */
int fw_attribution_by_function(const struct fw_attribution *a, struct fw_attr_fn **out, size_t *n,
			       struct fw_error *err);

#endif
