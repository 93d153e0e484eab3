/*
 * verdict.c: the verdict rules (see verdict.h). Each rule that fires leaves
 * a sentence with the measured numbers and the threshold it crossed, so the
 * report can say exactly why. The writers read no threshold: every decision
 * they print is made here. It must not format a report (only the
 * sentences of its own reasons).
 */
#include "investigate/verdict.h"
#include "pprof/units.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "investigate/history.h"

void fw_thresholds_from_config(const struct fw_config *c, struct fw_thresholds *t)
{
	t->leak_growth_per_30s = (double)c->thresholds.leak_growth_per_30s;
	t->leak_function_share = c->thresholds.leak_function_share_percent;
	t->leak_min_growth_per_30s = (double)c->thresholds.leak_min_growth_per_30s;
	t->leak_borderline_per_30s = t->leak_growth_per_30s / 2;
	t->cpu_function_share = c->thresholds.cpu_function_share_percent;
	t->cpu_utilization = c->thresholds.cpu_utilization_percent;
	t->cpu_app_share = c->thresholds.cpu_app_share_percent;
	t->cpu_spike_min_utilization = c->thresholds.cpu_spike_min_utilization_percent;
	t->contention_seconds = c->thresholds.contention_seconds;
	t->goroutines_warn = c->thresholds.goroutines_warn;
	t->long_term_heap_per_hour = (double)c->thresholds.long_term_heap_growth_per_hour;
	t->long_term_sys_per_hour = (double)c->thresholds.long_term_sys_growth_per_hour;
	t->long_term_goroutines_per_hour = c->thresholds.long_term_goroutine_growth_per_hour;
	t->long_term_min_hours = c->thresholds.long_term_min_hours;
}

int64_t fw_figure_bytes(double v)
{
	if (!(v == v))
		return 0;
	/* beyond the int64 range llround's result is unspecified */
	if (v > 9.2e18)
		return INT64_MAX;
	if (v < -9.2e18)
		return -INT64_MAX;
	return (int64_t)llround(v);
}

const char *fw_figure_bytes_label(char *out, size_t len, double v)
{
	fw_unit_label(out, len, fw_figure_bytes(v), "bytes", "auto");
	return out;
}

const char *fw_figure_nanos_label(char *out, size_t len, int64_t v)
{
	fw_unit_label(out, len, v, "nanoseconds", "auto");
	return out;
}

const char *fw_verdict_name(enum fw_verdict_kind k)
{
	switch (k) {
	case FW_VERDICT_NORMAL: return "NORMAL";
	case FW_VERDICT_INCONCLUSIVE: return "INCONCLUSIVE";
	case FW_VERDICT_CONTENTION: return "CONTENTION";
	case FW_VERDICT_CPU_SPIKE: return "CPU SPIKE";
	case FW_VERDICT_MEMORY_LEAK: return "MEMORY LEAK";
	case FW_VERDICT_MULTIPLE: return "MULTIPLE ISSUES";
	}
	return "UNKNOWN";
}

const char *fw_verdict_id(enum fw_verdict_kind k)
{
	switch (k) {
	case FW_VERDICT_NORMAL: return "normal";
	case FW_VERDICT_INCONCLUSIVE: return "inconclusive";
	case FW_VERDICT_CONTENTION: return "contention";
	case FW_VERDICT_CPU_SPIKE: return "cpu_spike";
	case FW_VERDICT_MEMORY_LEAK: return "memory_leak";
	case FW_VERDICT_MULTIPLE: return "multiple_issues";
	}
	return "unknown";
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	struct fw_buf b;
	va_list ap;

	fw_buf_init(&b);
	va_start(ap, f);
	fw_buf_vprintf(&b, f, ap);
	va_end(ap);
	return fw_buf_take(&b);
}

static void bytes(char *out, size_t len, double v)
{
	fw_figure_bytes_label(out, len, v);
}

static void nanos(char *out, size_t len, int64_t v)
{
	fw_unit_label(out, len, v, "nanoseconds", "auto");
}

static double pct(double part, double whole)
{
	return whole > 0 ? part * 100.0 / whole : 0;
}

/* A rule that fired: its flag is set before its reason is allocated, so a
 * failed allocation (reason NULL) is seen below and fails the evaluation
 * instead of quietly turning the rule off. */
static int judge(const struct fw_process *p, const struct fw_thresholds *t, struct fw_process_verdict *v)
{
	char a[64], b[64], c[64], window[192];
	struct fw_buf why; /* the short phrases for the one-line summary */
	int fired = 0;

	fw_buf_init(&why);
	v->process = p->name;
	/* growth_*_30s is a rate only over a measured window; otherwise it is
	 * the raw growth between the snapshots (process.h) */
	v->growth_is_rate = p->heap_window == FW_WINDOW_MEASURED;
	v->growth_per = v->growth_is_rate ? "per 30 s" : "between the snapshots";
	if (p->have_heap_diff) {
		const char *per = v->growth_per;
		double share = pct((double)p->top_growth_app.value, (double)p->growth_total);
		nanos(c, sizeof(c), p->heap_window_ns);
		if (v->growth_is_rate)
			snprintf(window, sizeof(window), "measured window between snapshots %s", c);
		else if (p->heap_window_ns)
			snprintf(window, sizeof(window), "not a rate: %s, %s apart", fw_heap_window_why(p->heap_window), c);
		else
			snprintf(window, sizeof(window), "not a rate: %s", fw_heap_window_why(p->heap_window));
		v->growth_over_leak = p->growth_app_30s > t->leak_growth_per_30s;
		if (v->growth_over_leak) {
			v->leak = true;
			v->leak_fn = p->top_growth_app.name;
			bytes(a, sizeof(a), p->growth_app_30s);
			bytes(b, sizeof(b), t->leak_growth_per_30s);
			v->leak_reason = fmt("application functions grew the in-use heap by %s %s "
					     "(threshold %s; %s), most in `%s`",
					     a, per, b, window, p->top_growth_app.name ? p->top_growth_app.name : "?");
			fw_buf_printf(&why, "memory leak, heap +%s %s in %s", a, per,
				      p->top_growth_app.name ? p->top_growth_app.name : "?");
		} else if (p->top_growth_app.name && p->top_growth_app.value > 0 &&
			   share > t->leak_function_share && p->growth_total_30s >= t->leak_min_growth_per_30s) {
			v->leak = true;
			v->leak_fn = p->top_growth_app.name;
			bytes(a, sizeof(a), p->growth_total_30s);
			v->leak_reason = fmt("`%s` holds %.1f%% of the in-use heap growth (threshold %.0f%%), "
					     "which is %s %s (%s)",
					     p->top_growth_app.name, share, t->leak_function_share, a, per, window);
			fw_buf_printf(&why, "memory leak, %.0f%% of heap growth (%s %s) in %s", share, a, per,
				      p->top_growth_app.name);
		}
	}
	if (p->have_cpu && p->cpu_total_ns > 0) {
		/* Both CPU rules read the attributed figures (attribute.h): each
		 * sample is charged to its nearest application frame, so
		 * runtime.cgocall under a Python check's _Cfunc_ frame is that
		 * check's, and runtime.mallocgc is its caller's. */
		const struct fw_fn_value *top = &p->top_cpu_attr;
		double share = pct((double)top->value, (double)p->cpu_total_ns);
		bool util_known = p->cpu_duration_ns > 0;
		double util = util_known ? pct((double)p->cpu_total_ns, (double)p->cpu_duration_ns) : 0;
		double app = pct((double)p->cpu_attr_app_ns, (double)p->cpu_total_ns);
		/* one busy function is a spike only in a process that is busy:
		 * the floor needs a duration unless it is 0 */
		bool busy = t->cpu_spike_min_utilization <= 0 || (util_known && util >= t->cpu_spike_min_utilization);
		char who[384];

		if (p->top_cpu_attr_python && p->top_cpu_attr_check)
			snprintf(who, sizeof(who), "Python check `%s` (`%s`)", p->top_cpu_attr_check,
				 top->name ? top->name : "?");
		else if (p->top_cpu_attr_python)
			snprintf(who, sizeof(who), "a Python check (`%s`)", top->name ? top->name : "?");
		else
			snprintf(who, sizeof(who), "`%s`", top->name ? top->name : "?");
		if (top->name && share > t->cpu_function_share && busy) {
			v->cpu = true;
			nanos(a, sizeof(a), top->value);
			nanos(b, sizeof(b), p->cpu_total_ns);
			v->cpu_reason = fmt("%s uses %.1f%% of the CPU samples, attributed to its nearest application "
					    "frame (%s of %s; threshold %.0f%%) while the process uses %.1f%% of one core "
					    "(floor %.3g%%)",
					    who, share, a, b, t->cpu_function_share, util, t->cpu_spike_min_utilization);
			fw_buf_printf(&why, "%sCPU spike, %.0f%% of CPU in %s%s%s", why.len ? "; " : "", share,
				      p->top_cpu_attr_python ? "Python check " : "",
				      p->top_cpu_attr_python && p->top_cpu_attr_check ? p->top_cpu_attr_check : "",
				      p->top_cpu_attr_python && p->top_cpu_attr_check ? "" : top->name);
		} else if (util > t->cpu_utilization && app > t->cpu_app_share) {
			v->cpu = true;
			v->cpu_reason = fmt("CPU utilisation is %.1f%% of one core (threshold %.0f%%), %.1f%% of it "
					    "attributed to application functions (threshold %.0f%%), most to %s",
					    util, t->cpu_utilization, app, t->cpu_app_share, who);
			fw_buf_printf(&why, "%sCPU spike, %.0f%% of a core, %.0f%% in application code",
				      why.len ? "; " : "", util, app);
		}
		if (v->cpu) {
			v->cpu_fn = top->name ? top->name : p->top_cpu_any.name;
			v->cpu_python = p->top_cpu_attr_python && top->name;
			v->cpu_check = v->cpu_python ? p->top_cpu_attr_check : NULL;
		}
	}
	{
		const struct fw_fn_value *best = NULL;
		const char *prof = NULL, *callee = NULL;
		double floor = t->contention_seconds * 1e9 / 10;
		v->block_significant = (double)p->block_total_ns > floor;
		v->mutex_significant = (double)p->mutex_total_ns > floor;
		if (p->have_block && p->top_block_app.name) {
			best = &p->top_block_app;
			prof = "block";
			callee = p->top_block_callee;
		}
		if (p->have_mutex && p->top_mutex_app.name &&
		    (!best || p->top_mutex_app.value > best->value)) {
			best = &p->top_mutex_app;
			prof = "mutex";
			callee = p->top_mutex_callee;
		}
		if (best && (double)best->value > t->contention_seconds * 1e9) {
			v->contention = true;
			v->contention_fn = best->name;
			nanos(a, sizeof(a), best->value);
			/* block: the waiter's lock and non-idle channel waits;
			 * mutex: the delay charged to the lock's holder */
			v->contention_reason = fmt(best == &p->top_mutex_app
							   ? "`%s` held a lock others waited %s for (mutex profile, "
							     "charged where it unlocked%s%s%s; threshold %.3gs)"
							   : "`%s` waited %s on locks and busy channels (block profile, "
							     "most%s%s%s; idle-loop channel waits not counted; threshold %.3gs)",
						   best->name, a, callee && *callee ? " in `" : "",
						   callee && *callee ? callee : "", callee && *callee ? "`" : "",
						   t->contention_seconds);
			fw_buf_printf(&why, "%scontention, %s waited %s (%s profile)", why.len ? "; " : "",
				      best->name, a, prof);
		}
	}
	fired = v->leak + v->cpu + v->contention;
	if ((v->leak && !v->leak_reason) || (v->cpu && !v->cpu_reason) ||
	    (v->contention && !v->contention_reason) || why.failed) {
		fw_buf_free(&why);
		return -ENOMEM;
	}
	if (fired > 1)
		v->kind = FW_VERDICT_MULTIPLE;
	else if (v->leak)
		v->kind = FW_VERDICT_MEMORY_LEAK;
	else if (v->cpu)
		v->kind = FW_VERDICT_CPU_SPIKE;
	else if (v->contention)
		v->kind = FW_VERDICT_CONTENTION;
	else
		v->kind = FW_VERDICT_NORMAL;

	if (v->kind == FW_VERDICT_NORMAL) {
		if (!p->have_heap_diff && !p->have_cpu && !p->have_block && !p->have_mutex)
			v->summary = fmt("%s: no usable profiles", p->name);
		else
			v->summary = fmt("%s: no rule fired", p->name);
	} else {
		v->summary = fmt("%s: %s", p->name, fw_buf_str(&why));
	}
	fw_buf_free(&why);
	return v->summary ? 0 : -ENOMEM;
}

/* After the rules (judge()): what could not be analyzed, and the borderline
 * note. A process whose heap diff or CPU analysis did not run is
 * INCONCLUSIVE when no rule fired; its summary says what was not analyzed
 * either way. */
static int coverage_verdict(const struct fw_process *p, const struct fw_thresholds *t, struct fw_process_verdict *v)
{
	static const enum fw_analysis needed[] = { FW_AN_HEAP_DIFF, FW_AN_CPU };
	struct fw_buf na, s;
	char a[64], b[64], c[64];
	char *sum;

	if (fw_coverage_of(p, &v->coverage) < 0)
		return -ENOMEM;
	fw_buf_init(&na);
	for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
		const struct fw_coverage_item *it = &v->coverage.a[needed[i]];
		if (it->ran)
			continue;
		v->incomplete = true;
		fw_buf_printf(&na, "%s%s (%s)", na.len ? ", " : "", fw_analysis_name(needed[i]), it->brief);
	}
	if (v->incomplete && !(v->not_analyzed = fw_buf_take(&na)))
		return -ENOMEM;
	fw_buf_free(&na);
	if (p->have_heap_diff && !v->leak && t->leak_borderline_per_30s > 0 &&
	    p->growth_app_30s >= t->leak_borderline_per_30s && p->growth_app_30s <= t->leak_growth_per_30s) {
		v->borderline = true;
		bytes(a, sizeof(a), p->growth_app_30s);
		bytes(b, sizeof(b), t->leak_borderline_per_30s);
		bytes(c, sizeof(c), t->leak_growth_per_30s);
		v->borderline_reason = fmt("application functions grew the in-use heap by %s %s: not a leak (threshold "
					   "%s, and no function holds more than %.0f%% of the growth), but not clearly "
					   "normal either (%s or more)",
					   a, v->growth_per, c, t->leak_function_share, b);
		if (!v->borderline_reason)
			return -ENOMEM;
	}
	if (v->kind == FW_VERDICT_NORMAL && v->incomplete)
		v->kind = FW_VERDICT_INCONCLUSIVE;
	if (!v->incomplete && !v->borderline)
		return 0;
	/* the summary judge() wrote, completed */
	fw_buf_init(&s);
	if (v->kind == FW_VERDICT_INCONCLUSIVE)
		fw_buf_printf(&s, "%s: not analyzed: %s", p->name, v->not_analyzed);
	else if (v->incomplete)
		fw_buf_printf(&s, "%s; not analyzed: %s", v->summary, v->not_analyzed);
	else
		fw_buf_puts(&s, v->summary);
	if (v->borderline)
		fw_buf_printf(&s, "; borderline heap growth, +%s %s", a, v->growth_per);
	if (!(sum = fw_buf_take(&s)))
		return -ENOMEM;
	free(v->summary);
	v->summary = sum;
	return 0;
}

int fw_verdict_evaluate(const struct fw_process *procs, size_t n, const struct fw_goroutines *gor,
			const struct fw_thresholds *t, struct fw_verdict *out, struct fw_error *err)
{
	struct fw_buf b;
	size_t n_ran = 0;

	memset(out, 0, sizeof(*out));
	out->goroutines_warn = t->goroutines_warn;
	if (gor) {
		out->have_goroutines = true;
		out->goroutines = gor->total;
		out->goroutines_above_warn = gor->total > t->goroutines_warn;
	}
	out->procs = calloc(n + 1, sizeof(*out->procs));
	if (!out->procs)
		return fw_err(err, -ENOMEM, "out of memory evaluating the verdict");
	out->n_procs = n;
	for (size_t i = 0; i < n; i++) {
		if (judge(&procs[i], t, &out->procs[i]) < 0 || coverage_verdict(&procs[i], t, &out->procs[i]) < 0) {
			fw_verdict_free(out);
			return fw_err(err, -ENOMEM, "out of memory evaluating the verdict");
		}
		n_ran += out->procs[i].coverage.n_ran;
		if (out->procs[i].kind > out->kind) {
			out->kind = out->procs[i].kind;
			out->worst = i;
		}
	}
	/* no profile (no profiles/, or nothing usable in it): nothing is known */
	out->no_usable_profile = n_ran == 0;
	if (out->no_usable_profile && out->kind == FW_VERDICT_NORMAL)
		out->kind = FW_VERDICT_INCONCLUSIVE;
	fw_buf_init(&b);
	if (out->kind == FW_VERDICT_NORMAL) {
		fw_buf_puts(&b, "no rule fired for ");
		for (size_t i = 0; i < n; i++)
			fw_buf_printf(&b, "%s%s", i ? ", " : "", procs[i].name);
		for (size_t i = 0; i < n; i++) {
			char a[64];
			if (!out->procs[i].borderline)
				continue;
			bytes(a, sizeof(a), procs[i].growth_app_30s);
			fw_buf_printf(&b, "; %s: borderline heap growth, +%s %s", procs[i].name, a,
				      out->procs[i].growth_per);
		}
	} else {
		bool first = true, listed = false;
		for (size_t i = 0; i < n; i++) {
			if (out->procs[i].kind == FW_VERDICT_NORMAL && !out->procs[i].borderline)
				continue;
			fw_buf_printf(&b, "%s%s", first ? "" : "; ", out->procs[i].summary);
			first = false;
		}
		/* INCONCLUSIVE: name the processes fully analyzed with no finding */
		for (size_t i = 0; out->kind == FW_VERDICT_INCONCLUSIVE && i < n; i++) {
			if (out->procs[i].kind != FW_VERDICT_NORMAL || out->procs[i].borderline)
				continue;
			fw_buf_printf(&b, "%s%s", listed ? ", " : "; no rule fired for ", procs[i].name);
			listed = true;
		}
		if (out->no_usable_profile)
			fw_buf_printf(&b, "%sno usable profile in this flare: ask for one made with "
					  "datadog-agent flare --profile 30", n ? "; " : "");
	}
	if (!(out->summary = fw_buf_take(&b))) {
		fw_verdict_free(out);
		return fw_err(err, -ENOMEM, "out of memory evaluating the verdict");
	}
	return 0;
}

/* One figure's LONG-TERM GROWTH sentence when its fit fires, else NULL
 * (*failed set when out of memory). */
static char *long_term_one(const struct fw_history_fit *f, const char *what, bool is_bytes, double threshold,
			   const struct fw_thresholds *t, bool *failed)
{
	char a[64], b[64], x[64], y[64];
	char *r;

	if (!f->fitted || f->span_h < t->long_term_min_hours || !(f->per_hour > threshold))
		return NULL;
	if (is_bytes) {
		bytes(a, sizeof(a), f->per_hour);
		bytes(b, sizeof(b), threshold);
		bytes(x, sizeof(x), f->first);
		bytes(y, sizeof(y), f->last);
	} else {
		snprintf(a, sizeof(a), "%.1f", f->per_hour);
		snprintf(b, sizeof(b), "%.0f", threshold);
		snprintf(x, sizeof(x), "%.0f", f->first);
		snprintf(y, sizeof(y), "%.0f", f->last);
	}
	r = fmt("core's %s grew %s%s per hour (least squares over %zu flares of this agent process, %.1f h, "
		"from %s to %s; threshold %s per hour over at least %.3g h)",
		what, f->per_hour >= 0 ? "+" : "", a, f->n, f->span_h, x, y, b, t->long_term_min_hours);
	if (!r)
		*failed = true;
	return r;
}

int fw_verdict_long_term(struct fw_verdict *v, const struct fw_history *h, const struct fw_thresholds *t)
{
	bool failed = false;
	struct fw_buf b;
	char *sum;

	v->long_term_heap = long_term_one(&h->heap_alloc, "HeapAlloc", true, t->long_term_heap_per_hour, t, &failed);
	v->long_term_sys = long_term_one(&h->sys, "Sys", true, t->long_term_sys_per_hour, t, &failed);
	v->long_term_goroutines =
		long_term_one(&h->goroutines, "goroutine count", false, t->long_term_goroutines_per_hour, t, &failed);
	if (failed)
		return -ENOMEM;
	v->long_term = v->long_term_heap || v->long_term_sys || v->long_term_goroutines;
	if (!v->long_term)
		return 0;
	fw_buf_init(&b);
	if (v->kind == FW_VERDICT_NORMAL || v->kind == FW_VERDICT_INCONCLUSIVE)
		fw_buf_puts(&b, "LONG-TERM GROWTH: ");
	else
		fw_buf_printf(&b, "%s; LONG-TERM GROWTH: ", v->summary);
	{
		/* short: the sentences are in long_term_* */
		const struct fw_history_fit *fits[] = { &h->heap_alloc, &h->sys, &h->goroutines };
		const char *parts[] = { v->long_term_heap, v->long_term_sys, v->long_term_goroutines };
		const char *names[] = { "HeapAlloc", "Sys", "goroutines" };
		bool first = true;
		char a[64];
		for (size_t i = 0; i < 3; i++) {
			if (!parts[i])
				continue;
			if (i < 2)
				bytes(a, sizeof(a), fits[i]->per_hour);
			else
				snprintf(a, sizeof(a), "%.1f", fits[i]->per_hour);
			fw_buf_printf(&b, "%score %s +%s per hour over %zu flares (%.1f h)", first ? "" : ", ", names[i], a,
				      fits[i]->n, fits[i]->span_h);
			first = false;
		}
	}
	if (v->kind == FW_VERDICT_NORMAL || v->kind == FW_VERDICT_INCONCLUSIVE)
		fw_buf_printf(&b, "; this flare alone: %s", v->summary);
	if (!(sum = fw_buf_take(&b)))
		return -ENOMEM;
	free(v->summary);
	v->summary = sum;
	if (v->kind == FW_VERDICT_NORMAL || v->kind == FW_VERDICT_INCONCLUSIVE)
		v->kind = FW_VERDICT_MEMORY_LEAK;
	else if (v->kind == FW_VERDICT_CPU_SPIKE || v->kind == FW_VERDICT_CONTENTION)
		v->kind = FW_VERDICT_MULTIPLE;
	return 0;
}

void fw_verdict_free(struct fw_verdict *v)
{
	free(v->long_term_heap);
	free(v->long_term_sys);
	free(v->long_term_goroutines);
	for (size_t i = 0; v->procs && i < v->n_procs; i++) {
		free(v->procs[i].leak_reason);
		free(v->procs[i].cpu_reason);
		free(v->procs[i].contention_reason);
		free(v->procs[i].summary);
		fw_coverage_free(&v->procs[i].coverage);
		free(v->procs[i].not_analyzed);
		free(v->procs[i].borderline_reason);
	}
	free(v->procs);
	free(v->summary);
	memset(v, 0, sizeof(*v));
}
