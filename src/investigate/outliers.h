/*
 * outliers.h: which hosts of an investigations tree stand out from the
 * others. Among the latest flare of each host (optionally within each agent
 * version), a host is an outlier on a figure (HeapAlloc, Sys, goroutines,
 * CPU utilisation, heap growth; per agent process) when its robust z-score
 *
 *     z = (value - median) / (1.4826 * MAD),  MAD = median |value - median|
 *
 * is above the threshold in absolute value (default 2). Median and MAD are
 * taken over all the hosts, the candidate included: one far value moves
 * neither, so an outlier cannot hide itself by widening the spread (as it
 * does with the mean and the standard deviation). 1.4826 makes the MAD
 * estimate sigma for normally distributed figures.
 *
 * When the MAD is 0 (more than half the hosts have the very same value),
 * the scale is the mean absolute deviation from the median times 1.2533
 * (sqrt(pi/2), which also estimates sigma for normal figures; Iglewicz and
 * Hoaglin's modified z-score, as IBM SPSS does). When that is 0 too, every
 * host has the same value: no outlier, every z is 0.
 *
 * Below FW_OUTLIERS_MIN_HOSTS hosts with a figure there is no "the others"
 * to speak of: that figure (or, when the group has fewer hosts, the whole
 * group) is not compared, and the result says so.
 *
 * Pure functions over arrays; fw_outliers_hosts() makes the array from the
 * tree's index (fw_index_scan()).
 */
#ifndef FW_OUTLIERS_H
#define FW_OUTLIERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

#define FW_OUTLIERS_MIN_HOSTS 5
#define FW_OUTLIERS_THRESHOLD 2.0
#define FW_OUTLIERS_MAD_SCALE 1.4826
#define FW_OUTLIERS_MEANAD_SCALE 1.2533

/* ---- the statistic ------------------------------------------------------------ */

enum fw_robust_scale_kind {
	FW_SCALE_MAD,	 /* 1.4826 * MAD */
	FW_SCALE_MEANAD, /* MAD was 0: 1.2533 * mean |x - median| */
	FW_SCALE_NONE,	 /* every value equal: z is 0 */
};

struct fw_robust {
	double median;
	double mad;    /* median |x - median| */
	double meanad; /* mean |x - median| */
	double scale;  /* the divisor of z; 0 with FW_SCALE_NONE */
	enum fw_robust_scale_kind kind;
};

/* Median, MAD and scale of v[0..n), n >= 1 (the median of an even count is
 * the mean of the two middle values). v is not changed. Returns 0, or <0
 * (n is 0, out of memory) with err saying which. */
int fw_robust_stats(const double *v, size_t n, struct fw_robust *out, struct fw_error *err);

/* x's robust z-score under s (0 when s->kind is FW_SCALE_NONE). */
double fw_robust_z(const struct fw_robust *s, double x);

/* ---- the hosts ------------------------------------------------------------------ */

enum fw_outlier_proc { FW_OP_CORE, FW_OP_TRACE, FW_OP_N };
enum fw_outlier_metric {
	FW_OM_HEAP_ALLOC,  /* memstats HeapAlloc, bytes */
	FW_OM_SYS,	   /* memstats Sys, bytes */
	FW_OM_GOROUTINES,  /* goroutines */
	FW_OM_CPU,	   /* CPU ns per second of profile (1e9 = one core) */
	FW_OM_GROWTH,	   /* in-use heap grown per 30 s, bytes (may be < 0) */
	FW_OM_N
};

/* "core", "trace" */
const char *fw_outlier_proc_name(enum fw_outlier_proc p);
/* the JSON names: "heap_alloc", "sys", "goroutines", "cpu_ns_per_s", "growth_30s" */
const char *fw_outlier_metric_id(enum fw_outlier_metric m);
/* the human names: "HeapAlloc", "Sys", "goroutines", "CPU", "heap growth/30s" */
const char *fw_outlier_metric_name(enum fw_outlier_metric m);
/* "bytes", "count", "ns/s", "bytes/30s" */
const char *fw_outlier_metric_unit(enum fw_outlier_metric m);

/* One host's latest flare. The strings are the caller's (not copied). */
struct fw_outlier_host {
	const char *hostname;
	const char *agent_version; /* "" when unknown */
	const char *time;	   /* flare time */
	const char *report;	   /* the report's .md relative to the tree */
	const char *report_dir;	   /* the report's folder relative to the tree ("" unknown) */
	bool have[FW_OP_N][FW_OM_N];
	int64_t v[FW_OP_N][FW_OM_N];
};

/* One figure of one group: its statistic, and whether it was compared. */
struct fw_outlier_series {
	size_t n;	/* hosts with the figure */
	bool compared;	/* n >= FW_OUTLIERS_MIN_HOSTS */
	struct fw_robust stats;
};

struct fw_outlier {
	size_t host; /* index into the hosts given */
	enum fw_outlier_proc proc;
	enum fw_outlier_metric metric;
	int64_t value;
	double z;
};

/* The hosts compared together: all of them, or those of one agent version. */
struct fw_outlier_group {
	const char *agent_version; /* NULL: all versions */
	size_t n_hosts;
	bool compared; /* n_hosts >= FW_OUTLIERS_MIN_HOSTS */
	struct fw_outlier_series series[FW_OP_N][FW_OM_N];
	struct fw_outlier *outliers; /* largest |z| first */
	size_t n_outliers;
};

struct fw_outliers {
	double threshold;
	size_t n_hosts;
	struct fw_outlier_group *groups; /* one (all), or one per version (sorted) */
	size_t n_groups;
};

/* Compares h[0..n) (one entry per host: the caller picks each host's latest
 * flare), all together or (per_version) within each agent_version. A host
 * is an outlier on a figure when |z| > threshold (threshold > 0). Returns 0
 * with *out filled (free with fw_outliers_free()), or <0 with err. */
int fw_outliers_find(const struct fw_outlier_host *h, size_t n, bool per_version, double threshold,
		     struct fw_outliers *out, struct fw_error *err);
void fw_outliers_free(struct fw_outliers *o);

/* ---- from the investigations tree ------------------------------------------------ */

struct fw_index_list;

/* The latest flare of each host of l (fw_index_scan(): newest first, so
 * the first entry of each hostname), sorted by hostname, with the figures
 * of its core and trace processes. *out (free() it) points into l's
 * strings. Returns 0, or <0 (out of memory). */
int fw_outliers_hosts(const struct fw_index_list *l, struct fw_outlier_host **out, size_t *n,
		      struct fw_error *err);

#endif
