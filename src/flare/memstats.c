/*
 * memstats.c: reads expvar/memstats (runtime.MemStats as yaml.v2 wrote it)
 * through flare/yamlwalk's event walk, keeping the top-level numbers a report needs,
 * and formats LastGC and pause totals.
 */
#include "flare/memstats.h"

#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flare/yamlwalk.h"

/* Every key of Go's runtime.MemStats: one of them must be present for the
 * file to count as memstats. */
static const char *const all_keys[] = {
	"Alloc", "BuckHashSys", "BySize", "DebugGC", "EnableGC", "Frees",
	"GCCPUFraction", "GCSys", "HeapAlloc", "HeapIdle", "HeapInuse",
	"HeapObjects", "HeapReleased", "HeapSys", "LastGC", "Lookups",
	"MCacheInuse", "MCacheSys", "MSpanInuse", "MSpanSys", "Mallocs",
	"NextGC", "NumForcedGC", "NumGC", "OtherSys", "PauseEnd", "PauseNs",
	"PauseTotalNs", "StackInuse", "StackSys", "Sys", "TotalAlloc",
};

struct want {
	const char *key;
	size_t val, has;	/* offsets into struct fw_memstats */
};

#define W(k, f) { k, offsetof(struct fw_memstats, f), offsetof(struct fw_memstats, has_##f) }
static const struct want wanted[] = {
	W("Alloc", alloc), W("TotalAlloc", total_alloc), W("Sys", sys),
	W("HeapAlloc", heap_alloc), W("HeapSys", heap_sys),
	W("HeapInuse", heap_inuse), W("HeapIdle", heap_idle),
	W("HeapReleased", heap_released), W("HeapObjects", heap_objects),
	W("NumGC", num_gc), W("PauseTotalNs", pause_total_ns),
	W("LastGC", last_gc), W("NextGC", next_gc),
	W("StackInuse", stack_inuse), W("StackSys", stack_sys),
	W("MSpanInuse", mspan_inuse), W("MSpanSys", mspan_sys),
	W("MCacheInuse", mcache_inuse), W("MCacheSys", mcache_sys),
	W("BuckHashSys", buck_hash_sys), W("GCSys", gc_sys),
	W("OtherSys", other_sys), W("Mallocs", mallocs), W("Frees", frees),
};
#undef W

static bool key_is(const yaml_event_t *ev, const char *k)
{
	size_t n = strlen(k);
	return ev->data.scalar.length == n &&
	       memcmp(ev->data.scalar.value, k, n) == 0;
}

/* A plain decimal: digits with an optional '.', then an optional exponent.
 * strtod() alone would also take "inf", "nan", hex and a sign. */
static bool parse_number(const char *s, size_t n, double *out)
{
	char buf[80];
	const char *dp = localeconv()->decimal_point;
	size_t i = 0, o = 0, digits = 0, dl = dp ? strlen(dp) : 0;
	char *end;
	double v;

	if (!dl)
		dp = ".", dl = 1;
	if (n == 0 || n > 64)
		return false;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		digits++;
	if (i < n && s[i] == '.')
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			digits++;
	if (!digits)
		return false;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t ed = 0;
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			ed++;
		if (!ed)
			return false;
	}
	if (i != n)
		return false;
	/* strtod follows LC_NUMERIC; the file always uses '.' */
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (o + dl >= sizeof(buf))
				return false;
			memcpy(buf + o, dp, dl);
			o += dl;
		} else {
			if (o + 1 >= sizeof(buf))
				return false;
			buf[o++] = s[i];
		}
	}
	buf[o] = 0;
	v = strtod(buf, &end);
	if (end != buf + o || !isfinite(v) || v < 0)
		return false;
	*out = v;
	return true;
}

enum role { R_OTHER, R_VARS, R_MEMSTATS };	/* R_VARS: the root, when `under` */

struct walk {
	const char *under;
	struct fw_memstats *ms;
	double *uptime;
	bool *has_uptime;
	bool known;		/* a runtime.MemStats key was seen */
	bool target_seen;	/* a MemStats mapping was seen */
	bool want_under, want_uptime; /* R_VARS: the pending key */
	const struct want *pending; /* key of the MemStats value to come */
};

/* fw_yamlwalk's node(): the MemStats mapping's keys and values, and under
 * `under` the vars' top-level "uptime" and `under` keys. */
static int node(void *ctx, struct fw_yamlwalk_frame *p, size_t depth, bool is_key,
		const yaml_event_t *ev, int *child_role)
{
	struct walk *w = ctx;

	(void)depth;
	if (p->role == R_VARS) {
		if (is_key) {
			w->want_under = ev->type == YAML_SCALAR_EVENT && key_is(ev, w->under);
			w->want_uptime = ev->type == YAML_SCALAR_EVENT && key_is(ev, "uptime");
		} else if (w->want_under && ev->type == YAML_MAPPING_START_EVENT) {
			*child_role = R_MEMSTATS;
			w->target_seen = true;
			memset(w->ms, 0, sizeof(*w->ms)); /* a later duplicate replaces */
			w->known = false;
		} else if (w->want_uptime && w->uptime && w->has_uptime) {
			double v = 0;
			*w->has_uptime = ev->type == YAML_SCALAR_EVENT &&
					 parse_number((const char *)ev->data.scalar.value,
						      ev->data.scalar.length, &v);
			*w->uptime = *w->has_uptime ? v : 0;
		}
	} else if (p->role == R_MEMSTATS) {
		if (is_key) {
			w->pending = NULL;
			if (ev->type == YAML_SCALAR_EVENT) {
				for (size_t i = 0; i < sizeof(all_keys) / sizeof(all_keys[0]); i++)
					if (key_is(ev, all_keys[i]))
						w->known = true;
				for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++)
					if (key_is(ev, wanted[i].key))
						w->pending = &wanted[i];
			}
		} else if (w->pending) {
			double v = 0;
			bool ok = ev->type == YAML_SCALAR_EVENT &&
				  parse_number((const char *)ev->data.scalar.value,
					       ev->data.scalar.length, &v);
			*(double *)((char *)w->ms + w->pending->val) = ok ? v : 0;
			*(bool *)((char *)w->ms + w->pending->has) = ok;
		}
	}
	return 0;
}

/* after a syntax error, what was read counts once a MemStats key was seen */
static bool keep(void *ctx)
{
	return ((struct walk *)ctx)->known;
}

/* Reads the MemStats mapping: the top-level one (under NULL), or the
 * mapping that is the value of the top-level key `under` (expvar/trace-agent:
 * "memstats:"), whose top-level "uptime" number goes to *uptime. */
static int parse(const char *text, size_t len, const char *under, struct fw_memstats *ms, double *uptime,
		 bool *has_uptime, struct fw_error *err)
{
	const char *what = under ? "trace-agent vars" : "memstats";
	struct walk w = {
		.under = under, .ms = ms, .uptime = uptime, .has_uptime = has_uptime,
		.target_seen = !under,
	};
	struct fw_yamlwalk yw = {
		.what = what, .root_role = under ? R_VARS : R_MEMSTATS,
		.ctx = &w, .node = node, .keep = keep,
	};
	int r;

	memset(ms, 0, sizeof(*ms));
	if (has_uptime)
		*has_uptime = false;
	r = fw_yamlwalk(&yw, text, len, err);
	if (!r && !w.known)
		r = fw_err(err, -EINVAL,
			   !w.target_seen ? "%s: no memstats mapping in the vars"
					  : "%s: no runtime.MemStats keys in the mapping",
			   what);
	if (r) {
		memset(ms, 0, sizeof(*ms));
		if (has_uptime)
			*has_uptime = false;
	} else {
		ms->partial = yw.partial;
	}
	return r;
}

int fw_memstats_parse(const char *text, size_t len, struct fw_memstats *ms,
		      struct fw_error *err)
{
	return parse(text, len, NULL, ms, NULL, NULL, err);
}

int fw_memstats_parse_vars(const char *text, size_t len, struct fw_memstats *ms,
			   double *uptime_sec, bool *has_uptime, struct fw_error *err)
{
	return parse(text, len, "memstats", ms, uptime_sec, has_uptime, err);
}

void fw_memstats_format_last_gc(double last_gc_ns, char *out, size_t outsz)
{
	int64_t sec, y;
	int m, d, rem;

	if (!outsz)
		return;
	if (last_gc_ns == 0) {
		snprintf(out, outsz, "never");
		return;
	}
	/* 253402300799 s is 9999-12-31 23:59:59 */
	if (!isfinite(last_gc_ns) || last_gc_ns < 0 ||
	    last_gc_ns / 1e9 >= 253402300800.0) {
		snprintf(out, outsz, "-");
		return;
	}
	sec = (int64_t)(last_gc_ns / 1e9);
	rem = (int)(sec % 86400);
	fw_civil_from_days(sec / 86400, &y, &m, &d);
	snprintf(out, outsz, "%04" PRId64 "-%02d-%02d %02d:%02d:%02d UTC", y, m, d,
		 rem / 3600, rem / 60 % 60, rem % 60);
}

double fw_memstats_ns_to_ms(double ns)
{
	return ns / 1e6;
}

void fw_memstats_format_ms(double ns, char *out, size_t outsz)
{
	double ms = ns / 1e6;
	uint64_t w, frac;

	if (!outsz)
		return;
	if (!isfinite(ns) || ns < 0 || ms >= 1e18) {
		snprintf(out, outsz, "-");
		return;
	}
	/* integer arithmetic keeps the '.' whatever LC_NUMERIC says */
	w = (uint64_t)ms;
	frac = (uint64_t)((ms - (double)w) * 1000.0 + 0.5);
	if (frac >= 1000) {
		w++;
		frac -= 1000;
	}
	snprintf(out, outsz, "%" PRIu64 ".%03" PRIu64 " ms", w, frac);
}
