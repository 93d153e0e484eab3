/*
 * write_json.c: report.json, the machine-readable twin of the Markdown
 * report. Schema "flarewatch.report", version 2, documented in the README
 * and defined by schema/report.schema.json (JSON Schema 2020-12; the test
 * suite validates every report it writes against it: change both
 * together). Every number is an integer: bytes, counts, durations in
 * nanoseconds (*_ns); points in time are RFC 3339 UTC strings; a fact that
 * is absent or unknown is null, never 0. Every string from the flare is
 * redacted before it is written, and text is plain (no Markdown). It
 * prints the verdict's decisions and must not make one: no threshold is
 * read here.
 */
#include "investigate/components.h"
#include "investigate/investigation.h"
#include "base/outtext.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A JSON string of a flare string (or of text composed around them): redacted,
 * cut to max bytes (util.h) with "…(N bytes cut)" after, '"' and '\\'
 * escaped, every fw_cp_unsafe() character as \\uXXXX (controls, bidi
 * controls, U+FFFE/U+FFFF), each invalid UTF-8 byte as \\ufffd. */
static void jstr_max(struct fw_buf *b, const char *s, size_t max)
{
	fw_out_json(b, s, max);
}

/* A name from the flare (FW_OUT_NAME_MAX). */
static void jstr(struct fw_buf *b, const char *s)
{
	jstr_max(b, s, FW_OUT_NAME_MAX);
}

/* Text composed around flare strings: reasons, summaries, notes, errors
 * (FW_OUT_TEXT_MAX). */
static void jtext(struct fw_buf *b, const char *s)
{
	jstr_max(b, s, FW_OUT_TEXT_MAX);
}

/* Text that verdict.c composed with names in single backticks (the
 * reasons and summaries), as plain text: the backticks that
 * write_markdown.c's md_composed() reads as a code span's delimiters (the
 * 1st and 2nd, the 3rd and 4th... of the text) are dropped, an unpaired
 * last one is kept. A name that itself holds a backtick may lose one here;
 * the name fields (top_app_function...) carry every name exactly. */
static void jplain(struct fw_buf *b, const char *s)
{
	const char *p, *open, *close;
	struct fw_buf t;

	if (!s) {
		fw_buf_puts(b, "null");
		return;
	}
	fw_buf_init(&t);
	for (p = s; *p;) {
		open = strchr(p, '`');
		close = open ? strchr(open + 1, '`') : NULL;
		if (!close) {
			fw_buf_puts(&t, p);
			break;
		}
		fw_buf_putn(&t, p, (size_t)(open - p));
		fw_buf_putn(&t, open + 1, (size_t)(close - open - 1));
		p = close + 1;
	}
	if (t.failed)
		b->failed = true;
	else
		jtext(b, t.data ? t.data : "");
	fw_buf_free(&t);
}

static void key(struct fw_buf *b, bool *first, const char *k)
{
	fw_buf_printf(b, "%s\"%s\":", *first ? "" : ",", k);
	*first = false;
}

/* A runtime.MemStats value (a uint64 that the agent wrote as a float64):
 * its integer digits, or null when absent or not a whole number in the
 * uint64 range. */
static void opt_uint(struct fw_buf *b, bool has, double v)
{
	if (has && isfinite(v) && v >= 0 && v == floor(v) && v < 18446744073709551616.0)
		fw_buf_printf(b, "%.0f", v);
	else
		fw_buf_puts(b, "null");
}

static void opt_i64(struct fw_buf *b, bool has, int64_t v)
{
	if (has)
		fw_buf_printf(b, "%" PRId64, v);
	else
		fw_buf_puts(b, "null");
}

/* A duration a profile records (duration_nanos): 0 or less is "not
 * recorded", null. */
static void duration_ns(struct fw_buf *b, int64_t v)
{
	opt_i64(b, v > 0, v);
}

/* A point in time (ms since the epoch) as RFC 3339 UTC,
 * "2024-10-02T14:21:52Z" or with ".317" milliseconds when it has some;
 * null when absent or outside 1970..9999. */
static void jtime(struct fw_buf *b, bool has, int64_t ms)
{
	char s[64];

	if (!has || ms < 0 || ms > INT64_C(253402300799999) || !fw_utc_format(s, sizeof(s), ms, FW_UTC_ISO) ||
	    strlen(s) != 20) {
		fw_buf_puts(b, "null");
		return;
	}
	if (ms % 1000)
		fw_buf_printf(b, "\"%.19s.%03dZ\"", s, (int)(ms % 1000));
	else
		fw_buf_printf(b, "\"%s\"", s);
}

/* A `top` table; diff (pprof -diff_base) tables give their own net total
 * and the base snapshot's total (what pprof's percentages of a diff refer
 * to), the others pprof's total and base_total null. A table that could
 * not be computed has its error and nulls. */
static void table(struct fw_buf *b, const struct fw_top_table *t, bool diff)
{
	bool first = true, ok;

	if (!t->present) {
		fw_buf_puts(b, "null");
		return;
	}
	ok = !t->error;
	fw_buf_putc(b, '{');
	key(b, &first, "error");
	jtext(b, t->error);
	key(b, &first, "sample_type");
	jstr(b, ok ? t->sample_type : NULL);
	key(b, &first, "unit");
	jstr(b, ok ? t->sample_unit : NULL);
	key(b, &first, "total");
	opt_i64(b, ok, diff ? t->net_total : t->total);
	key(b, &first, "base_total");
	opt_i64(b, ok && diff, t->base_total);
	key(b, &first, "duration_ns");
	duration_ns(b, ok ? t->duration_nanos : 0);
	key(b, &first, "rows");
	fw_buf_putc(b, '[');
	for (size_t i = 0; i < t->n_rows; i++) {
		fw_buf_printf(b, "%s{\"rank\":%zu,\"function\":", i ? "," : "", i + 1);
		jstr(b, t->rows[i].name);
		fw_buf_printf(b, ",\"flat\":%" PRId64 ",\"cum\":%" PRId64 "}", t->rows[i].flat, t->rows[i].cum);
	}
	fw_buf_puts(b, "]}");
}

static void fn_value(struct fw_buf *b, const struct fw_fn_value *v)
{
	if (!v->name) {
		fw_buf_puts(b, "null");
		return;
	}
	fw_buf_puts(b, "{\"function\":");
	jstr(b, v->name);
	fw_buf_printf(b, ",\"value\":%" PRId64 "}", v->value);
}

static const char *state_name(enum fw_pfile_state s)
{
	switch (s) {
	case FW_PFILE_OK: return "ok";
	case FW_PFILE_MISSING: return "missing";
	case FW_PFILE_EMPTY: return "empty";
	case FW_PFILE_CORRUPT: return "corrupt";
	}
	return "unknown";
}

/* An attributed table (process.h): null when not computed. Values in the
 * profile's unit; a row's share is its value over `total`. */
static void attr_json(struct fw_buf *b, const struct fw_attr_table *t, const char *unit)
{
	if (!t->present) {
		fw_buf_puts(b, "null");
		return;
	}
	fw_buf_puts(b, "{\"unit\":");
	jstr(b, unit);
	fw_buf_printf(b, ",\"total\":%" PRId64 ",\"unattributed\":%" PRId64 ",\"python_checks\":%" PRId64
			 ",\"rows\":[",
		      t->total, t->unattributed, t->python);
	for (size_t i = 0; i < t->n_rows; i++) {
		const struct fw_attr_row *r = &t->rows[i];
		const struct fw_component *c = fw_component_of(r->name);
		fw_buf_printf(b, "%s{\"rank\":%zu,\"function\":", i ? "," : "", i + 1);
		jstr(b, r->name);
		fw_buf_puts(b, ",\"component\":");
		jstr(b, c ? c->id : NULL);
		fw_buf_puts(b, ",\"via\":");
		jstr(b, r->via && *r->via ? r->via : NULL);
		fw_buf_printf(b, ",\"python_check\":%s,\"check\":", r->python ? "true" : "false");
		jstr(b, r->check);
		/* its share is value / total (report.json holds integers only) */
		fw_buf_printf(b, ",\"value\":%" PRId64 "}", r->value);
	}
	fw_buf_puts(b, "]}");
}

static void opt_bytes(struct fw_buf *b, const char *k, struct fw_opt_bytes v)
{
	fw_buf_printf(b, ",\"%s\":", k);
	if (v.has)
		fw_buf_printf(b, "%" PRId64, v.v);
	else
		fw_buf_puts(b, "null");
}

/* memory_sanity: memsanity.c's facts; bytes and ns as integers, null when
 * unknown (the ratios the report prints are these bytes' quotients: JSON
 * holds integers only) */
static void memory_sanity(struct fw_buf *b, const struct fw_memsanity *s)
{
	fw_buf_printf(b, "{\"is_core\":%s,\"have_memstats\":%s,\"memstats_source\":", s->is_core ? "true" : "false",
		      s->have_memstats ? "true" : "false");
	jstr(b, s->memstats_source);
	opt_bytes(b, "profile_inuse_bytes", s->profile_inuse);
	opt_bytes(b, "heap_alloc_bytes", s->heap_alloc);
	opt_bytes(b, "sys_bytes", s->sys);
	opt_bytes(b, "heap_objects", s->heap_objects);
	fw_buf_puts(b, ",\"sys_breakdown\":{\"heap_sys\":");
	if (s->heap_sys.has)
		fw_buf_printf(b, "%" PRId64, s->heap_sys.v);
	else
		fw_buf_puts(b, "null");
	opt_bytes(b, "heap_inuse", s->heap_inuse);
	opt_bytes(b, "heap_idle", s->heap_idle);
	opt_bytes(b, "heap_released", s->heap_released);
	opt_bytes(b, "heap_idle_retained", s->idle_retained);
	opt_bytes(b, "heap_fragmentation", s->fragmentation);
	opt_bytes(b, "stack_sys", s->stack_sys);
	opt_bytes(b, "stack_inuse", s->stack_inuse);
	opt_bytes(b, "runtime_metadata", s->runtime_meta);
	opt_bytes(b, "gc_sys", s->gc_sys);
	opt_bytes(b, "mspan_sys", s->mspan_sys);
	opt_bytes(b, "mcache_sys", s->mcache_sys);
	opt_bytes(b, "buck_hash_sys", s->buck_hash_sys);
	opt_bytes(b, "other_sys", s->other_sys);
	opt_bytes(b, "unaccounted", s->unaccounted);
	fw_buf_printf(b, ",\"largest_beyond_live_heap\":\"%s\"}", fw_sys_part_id(s->largest_part));
	fw_buf_puts(b, ",\"goroutines\":");
	opt_uint(b, s->has_goroutines, (double)s->goroutines);
	opt_bytes(b, "stack_bytes_per_goroutine", s->stack_per_goroutine);
	fw_buf_puts(b, ",\"growth_per_30s_bytes\":");
	if (s->has_growth_rate)
		fw_buf_printf(b, "%" PRId64, fw_figure_bytes(s->growth_per_30s));
	else
		fw_buf_puts(b, "null");
	fw_buf_puts(b, ",\"uptime_ns\":");
	if (s->has_uptime)
		fw_buf_printf(b, "%" PRId64, s->uptime_ns);
	else
		fw_buf_puts(b, "null");
	fw_buf_puts(b, ",\"projected_growth_bytes\":");
	if (s->has_projection)
		fw_buf_printf(b, "%" PRId64, fw_figure_bytes(s->projected_growth));
	else
		fw_buf_puts(b, "null");
	fw_buf_printf(b, ",\"growth_steadiness\":\"%s\",\"heap_mismatch\":%s,\"sys_mismatch\":%s",
		      fw_steadiness_id(s->steadiness), s->heap_mismatch ? "true" : "false",
		      s->sys_mismatch ? "true" : "false");
	fw_buf_printf(b, ",\"python_checks_count\":%zu,\"python_checks\":[", s->n_python);
	for (size_t i = 0; i < s->n_python && i < FW_MEMSANITY_MAX_PYTHON; i++) {
		if (i)
			fw_buf_putc(b, ',');
		jstr(b, s->python[i]);
	}
	fw_buf_puts(b, "]}");
}

/* The block or mutex delay by kind of wait and by function (contention.h):
 * null when not computed. Delays in the profile's unit. */
static void wait_json(struct fw_buf *b, const struct fw_contention *w, const char *unit)
{
	if (!w->present) {
		fw_buf_puts(b, "null");
		return;
	}
	fw_buf_puts(b, "{\"unit\":");
	jstr(b, unit);
	fw_buf_printf(b, ",\"delay_charged_to\":\"%s\",\"total_delay\":%" PRId64 ",\"contentions\":%" PRId64
			 ",\"idle_loop_delay\":%" PRId64 ",\"idle_loop_contentions\":%" PRId64
			 ",\"counted_delay\":%" PRId64 ",\"by_kind\":{",
		      w->mutex ? "holder" : "waiter", w->total, w->total_count, w->idle, w->idle_count, w->counted);
	for (enum fw_wait_kind k = 0; k < FW_WAIT_COUNT; k++)
		fw_buf_printf(b, "%s\"%s\":{\"delay\":%" PRId64 ",\"contentions\":%" PRId64 "}", k ? "," : "",
			      fw_wait_kind_id(k), w->by_kind[k], w->count_by_kind[k]);
	fw_buf_puts(b, "},\"rows\":[");
	for (size_t i = 0; i < w->n_rows; i++) {
		const struct fw_contention_row *r = &w->rows[i];
		const struct fw_component *c = fw_component_of(r->name);
		fw_buf_printf(b, "%s{\"rank\":%zu,\"function\":", i ? "," : "", i + 1);
		jstr(b, r->name);
		fw_buf_puts(b, ",\"component\":");
		jstr(b, c ? c->id : NULL);
		fw_buf_puts(b, ",\"via\":");
		jstr(b, r->via && *r->via ? r->via : NULL);
		fw_buf_printf(b, ",\"kind\":\"%s\",\"contentions\":%" PRId64 ",\"delay\":%" PRId64
				 ",\"counted_delay\":%" PRId64 ",\"lock_delay\":%" PRId64 ",\"idle_loop_delay\":%" PRId64 "}",
			      fw_wait_kind_id(r->kind), r->count, r->delay, r->counted, r->lock, r->idle);
	}
	fw_buf_puts(b, "]}");
}

static void process(struct fw_buf *b, const struct fw_process *p, const struct fw_process_verdict *v,
		    const struct fw_memsanity *ms)
{
	bool first = true;
	char svg[128];

	fw_buf_putc(b, '{');
	key(b, &first, "name");
	jstr(b, p->name);
	key(b, &first, "verdict");
	jstr(b, fw_verdict_id(v->kind));
	key(b, &first, "rules");
	fw_buf_putc(b, '{');
	fw_buf_puts(b, "\"memory_leak\":");
	jplain(b, v->leak_reason);
	fw_buf_puts(b, ",\"cpu_spike\":");
	jplain(b, v->cpu_reason);
	fw_buf_puts(b, ",\"contention\":");
	jplain(b, v->contention_reason);
	fw_buf_putc(b, '}');
	/* what could not be analyzed (heap diff, CPU), in a few words; null
	 * when both ran */
	key(b, &first, "not_analyzed");
	jtext(b, v->not_analyzed);
	key(b, &first, "borderline");
	jtext(b, v->borderline_reason);
	key(b, &first, "coverage");
	fw_buf_putc(b, '{');
	for (enum fw_analysis a = 0; a < FW_AN_COUNT; a++) {
		const struct fw_coverage_item *it = &v->coverage.a[a];
		fw_buf_printf(b, "%s\"%s\":{\"ran\":%s,\"file\":", a ? "," : "", fw_analysis_id(a),
			      it->ran ? "true" : "false");
		jtext(b, it->file);
		fw_buf_printf(b, ",\"state\":\"%s\",\"reason\":", state_name(it->state));
		jtext(b, it->reason);
		fw_buf_putc(b, '}');
	}
	fw_buf_putc(b, '}');
	key(b, &first, "files");
	fw_buf_putc(b, '[');
	for (enum fw_profile_kind k = 0; k < FW_PK_COUNT; k++) {
		fw_buf_printf(b, "%s{\"kind\":", k ? "," : "");
		jstr(b, p->files[k].kind);
		fw_buf_printf(b, ",\"state\":\"%s\",\"size\":", state_name(p->files[k].state));
		if (p->files[k].state == FW_PFILE_MISSING)
			fw_buf_puts(b, "null");
		else
			fw_buf_printf(b, "%" PRIu64, p->files[k].size);
		fw_buf_puts(b, ",\"error\":");
		jtext(b, p->files[k].error);
		fw_buf_putc(b, '}');
	}
	fw_buf_putc(b, ']');
	key(b, &first, "notes");
	fw_buf_putc(b, '[');
	for (size_t i = 0; i < p->n_notes; i++) {
		if (i)
			fw_buf_putc(b, ',');
		jtext(b, p->notes[i]);
	}
	fw_buf_putc(b, ']');
	key(b, &first, "heap_growth");
	if (p->have_heap_diff) {
		/* window_ns: |2nd - 1st| time, null when a snapshot carries
		 * none; *_per_30s: the rate, null unless window_state is
		 * "measured" (the growth is then only total_bytes/app_bytes) */
		fw_buf_puts(b, "{\"window_ns\":");
		opt_i64(b, p->heap_window != FW_WINDOW_ABSENT, p->heap_window_ns);
		fw_buf_printf(b, ",\"window_measured\":%s,\"window_state\":\"%s\",\"window_note\":",
			      v->growth_is_rate ? "true" : "false", fw_heap_window_id(p->heap_window));
		jtext(b, v->growth_is_rate ? NULL : fw_heap_window_why(p->heap_window));
		fw_buf_printf(b, ",\"total_bytes\":%" PRId64 ",\"app_bytes\":%" PRId64 ",\"total_per_30s\":",
			      p->growth_total, p->growth_app);
		opt_i64(b, v->growth_is_rate, fw_figure_bytes(p->growth_total_30s));
		fw_buf_puts(b, ",\"app_per_30s\":");
		opt_i64(b, v->growth_is_rate, fw_figure_bytes(p->growth_app_30s));
		fw_buf_puts(b, ",\"top_app_function\":");
		fn_value(b, &p->top_growth_app);
		fw_buf_putc(b, '}');
	} else {
		fw_buf_puts(b, "null");
	}
	key(b, &first, "heap_diff_inuse_space");
	table(b, &p->heap_diff_space, true);
	key(b, &first, "heap_diff_inuse_objects");
	table(b, &p->heap_diff_objects, true);
	key(b, &first, "heap");
	table(b, &p->heap_top, false);
	key(b, &first, "cpu");
	table(b, &p->cpu, false);
	key(b, &first, "cpu_facts");
	if (p->have_cpu) {
		fw_buf_printf(b, "{\"total_ns\":%" PRId64 ",\"duration_ns\":", p->cpu_total_ns);
		duration_ns(b, p->cpu_duration_ns);
		fw_buf_printf(b, ",\"app_ns\":%" PRId64 ",\"top_app_function\":", p->cpu_app_ns);
		fn_value(b, &p->top_cpu_app);
		/* attributed to the nearest application frame (attribute.h) */
		fw_buf_printf(b, ",\"attributed_app_ns\":%" PRId64 ",\"python_checks_ns\":%" PRId64
				 ",\"top_attributed\":",
			      p->cpu_attr_app_ns, p->cpu_python_ns);
		if (p->top_cpu_attr.name) {
			fw_buf_puts(b, "{\"function\":");
			jstr(b, p->top_cpu_attr.name);
			fw_buf_printf(b, ",\"value\":%" PRId64 ",\"python_check\":%s,\"check\":", p->top_cpu_attr.value,
				      p->top_cpu_attr_python ? "true" : "false");
			jstr(b, p->top_cpu_attr_check);
			fw_buf_putc(b, '}');
		} else {
			fw_buf_puts(b, "null");
		}
		fw_buf_putc(b, '}');
	} else {
		fw_buf_puts(b, "null");
	}
	key(b, &first, "block");
	table(b, &p->block, false);
	key(b, &first, "mutex");
	table(b, &p->mutex, false);
	key(b, &first, "contention");
	fw_buf_puts(b, "{\"block\":");
	fn_value(b, &p->top_block_app);
	fw_buf_puts(b, ",\"block_waits_in\":");
	jstr(b, p->top_block_callee && *p->top_block_callee ? p->top_block_callee : NULL);
	fw_buf_puts(b, ",\"mutex\":");
	fn_value(b, &p->top_mutex_app);
	fw_buf_puts(b, ",\"mutex_waits_in\":");
	jstr(b, p->top_mutex_callee && *p->top_mutex_callee ? p->top_mutex_callee : NULL);
	fw_buf_puts(b, ",\"block_by_wait\":");
	wait_json(b, &p->block_wait, p->block.sample_unit);
	fw_buf_puts(b, ",\"mutex_by_holder\":");
	wait_json(b, &p->mutex_wait, p->mutex.sample_unit);
	fw_buf_putc(b, '}');
	key(b, &first, "attributed");
	fw_buf_puts(b, "{\"cpu\":");
	attr_json(b, &p->cpu_attr, p->cpu.sample_unit);
	fw_buf_puts(b, ",\"heap\":");
	attr_json(b, &p->heap_attr, p->heap_top.sample_unit);
	fw_buf_puts(b, ",\"heap_growth\":");
	attr_json(b, &p->growth_attr, p->heap_diff_space.sample_unit);
	fw_buf_putc(b, '}');
	key(b, &first, "memory_sanity");
	if (ms)
		memory_sanity(b, ms);
	else
		fw_buf_puts(b, "null");
	key(b, &first, "flamegraphs");
	fw_buf_putc(b, '{');
	fw_svg_name(svg, sizeof(svg), p->name, "cpu");
	fw_buf_puts(b, "\"cpu\":");
	jstr(b, p->cpu.svg ? svg : NULL);
	fw_svg_name(svg, sizeof(svg), p->name, "heap-diff");
	fw_buf_puts(b, ",\"heap_diff\":");
	jstr(b, p->heap_diff_space.svg ? svg : NULL);
	fw_svg_name(svg, sizeof(svg), p->name, "block-delay");
	fw_buf_puts(b, ",\"block_delay\":");
	jstr(b, p->block.svg ? svg : NULL);
	fw_svg_name(svg, sizeof(svg), p->name, "mutex-delay");
	fw_buf_puts(b, ",\"mutex_delay\":");
	jstr(b, p->mutex.svg ? svg : NULL);
	fw_buf_putc(b, '}');
	key(b, &first, "callgraphs");
	fw_svg_name(svg, sizeof(svg), p->name, "cpu-callgraph");
	fw_buf_puts(b, "{\"cpu\":");
	jstr(b, p->cpu.callgraph ? svg : NULL);
	fw_svg_name(svg, sizeof(svg), p->name, "heap-diff-callgraph");
	fw_buf_puts(b, ",\"heap_diff\":");
	jstr(b, p->heap_diff_space.callgraph ? svg : NULL);
	fw_buf_puts(b, ",\"not_drawn\":");
	jstr(b, p->cpu.callgraph_error ? p->cpu.callgraph_error : p->heap_diff_space.callgraph_error);
	fw_buf_puts(b, "}}");
}

/* recommend.c's list: priority ("high", "medium", "low"), kind, process,
 * plain text, command, evidence {function, value, unit, measure, files}. */
static void recommendations(struct fw_buf *b, const struct fw_recommendations *rs)
{
	fw_buf_putc(b, '[');
	for (size_t i = 0; i < rs->n; i++) {
		const struct fw_recommendation *r = &rs->items[i];
		fw_buf_printf(b, "%s{\"priority\":\"%s\",\"kind\":\"%s\",\"process\":", i ? "," : "",
			      fw_rec_priority_id(r->priority), r->kind);
		jstr(b, r->process);
		fw_buf_puts(b, ",\"text\":");
		jtext(b, r->text);
		fw_buf_puts(b, ",\"command\":");
		jtext(b, r->command);
		fw_buf_puts(b, ",\"evidence\":{\"function\":");
		jstr(b, r->ev.function);
		fw_buf_puts(b, ",\"value\":");
		if (r->ev.has_value)
			fw_buf_printf(b, "%" PRId64, r->ev.value);
		else
			fw_buf_puts(b, "null");
		fw_buf_puts(b, ",\"unit\":");
		jstr(b, r->ev.has_value ? r->ev.unit : NULL);
		fw_buf_puts(b, ",\"measure\":");
		jstr(b, r->ev.has_value ? r->ev.measure : NULL);
		fw_buf_puts(b, ",\"files\":[");
		for (size_t k = 0; k < r->ev.n_files; k++) {
			if (k)
				fw_buf_putc(b, ',');
			jstr(b, r->ev.files[k]);
		}
		fw_buf_puts(b, "]}}");
	}
	fw_buf_putc(b, ']');
}

/* A history figure: null when unknown (-1). */
static void hist_i64(struct fw_buf *b, int64_t v)
{
	opt_i64(b, v >= 0, v);
}

/* "history": history.c's rows, oldest first, this flare last. */
static void history_rows(struct fw_buf *b, const struct fw_history *h)
{
	fw_buf_putc(b, '[');
	for (size_t i = 0; i < h->n; i++) {
		const struct fw_history_row *r = &h->rows[i];
		const char *rel = strchr(r->report, '/');
		fw_buf_puts(b, i ? ",{\"time\":" : "{\"time\":");
		jstr(b, r->time);
		fw_buf_puts(b, ",\"agent_version\":");
		jstr(b, r->agent_version[0] ? r->agent_version : NULL);
		fw_buf_puts(b, ",\"agent_start\":");
		jstr(b, r->agent_start[0] ? r->agent_start : NULL);
		fw_buf_puts(b, ",\"uptime_ns\":");
		hist_i64(b, r->uptime_ns);
		fw_buf_printf(b, ",\"process_change\":\"%s\",\"previous_version\":", fw_history_change_id(r->change));
		jstr(b, r->prev_version[0] ? r->prev_version : NULL);
		fw_buf_puts(b, ",\"heap_alloc_bytes\":");
		hist_i64(b, r->core.heap_alloc);
		fw_buf_puts(b, ",\"sys_bytes\":");
		hist_i64(b, r->core.sys);
		fw_buf_puts(b, ",\"heap_objects\":");
		hist_i64(b, r->core.heap_objects);
		fw_buf_puts(b, ",\"goroutines\":");
		hist_i64(b, r->core.goroutines);
		fw_buf_puts(b, ",\"heap_growth_per_30s_bytes\":");
		opt_i64(b, r->core.has_growth_30s, r->core.growth_30s);
		fw_buf_puts(b, ",\"top_growth_function\":");
		jstr(b, r->core.top_growth[0] ? r->core.top_growth : NULL);
		fw_buf_puts(b, ",\"verdict\":");
		jstr(b, r->verdict);
		/* our own folder and file names (index.c checked them) */
		fw_buf_puts(b, ",\"report\":");
		if (r->current || !rel) {
			fw_buf_puts(b, "null");
		} else {
			fw_buf_puts(b, "\"../");
			fw_buf_puts(b, rel + 1);
			fw_buf_putc(b, '"');
		}
		fw_buf_printf(b, ",\"current\":%s}", r->current ? "true" : "false");
	}
	fw_buf_putc(b, ']');
}

static void fit_json(struct fw_buf *b, const char *k, const struct fw_history_fit *f)
{
	fw_buf_printf(b, ",\"%s\":", k);
	opt_i64(b, f->fitted, f->fitted ? (int64_t)llround(f->per_hour) : 0);
}

/* "long_term": the fits over the current agent process's flares and the
 * LONG-TERM GROWTH sentences (verdict.c), the comparison across a restart
 * or upgrade. */
static void long_term(struct fw_buf *b, const struct fw_history *h, const struct fw_verdict *v)
{
	const struct fw_history_row *c = &h->rows[h->cur];

	fw_buf_printf(b, "{\"process\":\"core\",\"process_known\":%s,\"flares\":%zu,\"span_ns\":",
		      h->process_known ? "true" : "false", h->cur - h->seg_first + 1);
	opt_i64(b, h->heap_alloc.n > 0, (int64_t)llround(h->heap_alloc.span_h * 3600e9));
	fw_buf_puts(b, ",\"agent_start\":");
	jstr(b, c->agent_start[0] ? c->agent_start : NULL);
	fw_buf_puts(b, ",\"agent_version\":");
	jstr(b, c->agent_version[0] ? c->agent_version : NULL);
	fit_json(b, "heap_alloc_per_hour_bytes", &h->heap_alloc);
	fit_json(b, "sys_per_hour_bytes", &h->sys);
	fit_json(b, "goroutines_per_hour", &h->goroutines);
	fw_buf_puts(b, ",\"heap_alloc_points\":");
	fw_buf_printf(b, "%zu,\"sys_points\":%zu,\"goroutines_points\":%zu", h->heap_alloc.n, h->sys.n,
		      h->goroutines.n);
	fw_buf_printf(b, ",\"fired\":%s,\"heap_alloc\":", v->long_term ? "true" : "false");
	jplain(b, v->long_term_heap);
	fw_buf_puts(b, ",\"sys\":");
	jplain(b, v->long_term_sys);
	fw_buf_puts(b, ",\"goroutines\":");
	jplain(b, v->long_term_goroutines);
	fw_buf_puts(b, ",\"before\":");
	if (h->has_before) {
		const struct fw_history_row *o = &h->rows[h->before];
		fw_buf_printf(b, "{\"change\":\"%s\",\"time\":", fw_history_change_id(h->rows[h->seg_first].change));
		jstr(b, o->time);
		fw_buf_puts(b, ",\"heap_alloc_bytes\":");
		hist_i64(b, o->core.heap_alloc);
		fw_buf_puts(b, ",\"sys_bytes\":");
		hist_i64(b, o->core.sys);
		fw_buf_puts(b, ",\"goroutines\":");
		hist_i64(b, o->core.goroutines);
		fw_buf_putc(b, '}');
	} else {
		fw_buf_puts(b, "null");
	}
	fw_buf_putc(b, '}');
}

int fw_report_json(const struct fw_investigation *inv, struct fw_buf *b, struct fw_error *err)
{
	const struct fw_flare *f = &inv->flare;
	const struct fw_memstats *m = &f->mem;
	bool first = true, f2, uptime_ok;

	fw_buf_putc(b, '{');
	key(b, &first, "schema");
	jstr(b, "flarewatch.report");
	key(b, &first, "schema_version");
	fw_buf_puts(b, "2");
	key(b, &first, "generator");
	jstr(b, PACKAGE_STRING);
	key(b, &first, "analyzed_at");
	jtime(b, true, inv->analyzed_ms);

	key(b, &first, "ticket");
	jstr(b, inv->ticket[0] ? inv->ticket : NULL);

	key(b, &first, "flare");
	f2 = true;
	fw_buf_putc(b, '{');
	key(b, &f2, "file");
	jstr(b, inv->flare_name);
	/* our own hash, lowercase hex (investigate.c): not flare text, and
	 * the redactor would take it for a key */
	key(b, &f2, "sha256");
	if (inv->sha256[0])
		fw_buf_printf(b, "\"%s\"", inv->sha256);
	else
		fw_buf_puts(b, "null");
	key(b, &f2, "hostname");
	jstr(b, f->hostname);
	key(b, &f2, "time");
	jtime(b, f->time_source && strcmp(f->time_source, "unknown") != 0, f->time_ms);
	key(b, &f2, "time_source");
	jstr(b, f->time_source);
	key(b, &f2, "agent_version");
	jstr(b, f->has_status && f->status.agent_version[0] ? f->status.agent_version : NULL);
	key(b, &f2, "status_date");
	jtime(b, f->has_status && f->status.status_date.has_ms, f->status.status_date.unix_ms);
	key(b, &f2, "agent_start");
	jtime(b, f->has_status && f->status.agent_start.has_ms, f->status.agent_start.unix_ms);
	key(b, &f2, "uptime_ns");
	uptime_ok = f->has_status && f->status.has_uptime && f->status.uptime_sec >= 0 &&
		    f->status.uptime_sec <= INT64_MAX / 1000000000;
	opt_i64(b, uptime_ok, uptime_ok ? f->status.uptime_sec * 1000000000 : 0);
	key(b, &f2, "host_os");
	if (f->has_status && (f->status.os[0] || f->status.platform[0] || f->status.kernel_version[0])) {
		fw_buf_puts(b, "{\"os\":");
		jstr(b, f->status.os[0] ? f->status.os : NULL);
		fw_buf_puts(b, ",\"platform\":");
		jstr(b, f->status.platform[0] ? f->status.platform : NULL);
		fw_buf_puts(b, ",\"platform_version\":");
		jstr(b, f->status.platform_version[0] ? f->status.platform_version : NULL);
		fw_buf_puts(b, ",\"kernel_version\":");
		jstr(b, f->status.kernel_version[0] ? f->status.kernel_version : NULL);
		fw_buf_puts(b, ",\"kernel_arch\":");
		jstr(b, f->status.kernel_arch[0] ? f->status.kernel_arch : NULL);
		fw_buf_putc(b, '}');
	} else {
		fw_buf_puts(b, "null");
	}
	key(b, &f2, "upgrade");
	if (inv->has_upgrade) {
		fw_buf_puts(b, "{\"from\":");
		jstr(b, inv->upgrade.from);
		fw_buf_puts(b, ",\"to\":");
		jstr(b, inv->upgrade.to);
		fw_buf_puts(b, ",\"time\":");
		jtime(b, true, inv->upgrade.time_ms);
		fw_buf_printf(b, ",\"downgrade\":%s}", inv->upgrade.downgrade ? "true" : "false");
	} else {
		fw_buf_puts(b, "null");
	}
	key(b, &f2, "install");
	if (f->has_install) {
		fw_buf_puts(b, "{\"tool\":");
		jstr(b, f->install.tool);
		fw_buf_puts(b, ",\"tool_version\":");
		jstr(b, f->install.tool_version);
		fw_buf_puts(b, ",\"installer_version\":");
		jstr(b, f->install.installer_version);
		fw_buf_putc(b, '}');
	} else {
		fw_buf_puts(b, "null");
	}
	key(b, &f2, "has_profiles");
	fw_buf_puts(b, f->has_profiles ? "true" : "false");
	key(b, &f2, "profile_files");
	fw_buf_putc(b, '[');
	for (size_t i = 0; i < f->n_pfiles; i++) {
		fw_buf_printf(b, "%s{\"name\":", i ? "," : "");
		jstr(b, f->pfiles[i].name);
		fw_buf_printf(b, ",\"size\":%" PRIu64 "}", f->pfiles[i].size);
	}
	fw_buf_putc(b, ']');
	key(b, &f2, "notes");
	fw_buf_putc(b, '[');
	for (size_t i = 0; i < f->n_notes; i++) {
		if (i)
			fw_buf_putc(b, ',');
		jtext(b, f->notes[i]);
	}
	fw_buf_puts(b, "]}");

	key(b, &first, "verdict");
	fw_buf_puts(b, "{\"kind\":");
	jstr(b, fw_verdict_id(inv->verdict.kind));
	fw_buf_puts(b, ",\"name\":");
	jstr(b, fw_verdict_name(inv->verdict.kind));
	fw_buf_puts(b, ",\"summary\":");
	jplain(b, inv->verdict.summary);
	fw_buf_printf(b, ",\"no_usable_profile\":%s}", inv->verdict.no_usable_profile ? "true" : "false");

	key(b, &first, "memstats");
	if (f->has_memstats) {
		fw_buf_puts(b, "{\"Alloc\":");
		opt_uint(b, m->has_alloc, m->alloc);
		fw_buf_puts(b, ",\"TotalAlloc\":");
		opt_uint(b, m->has_total_alloc, m->total_alloc);
		fw_buf_puts(b, ",\"Sys\":");
		opt_uint(b, m->has_sys, m->sys);
		fw_buf_puts(b, ",\"HeapAlloc\":");
		opt_uint(b, m->has_heap_alloc, m->heap_alloc);
		fw_buf_puts(b, ",\"HeapSys\":");
		opt_uint(b, m->has_heap_sys, m->heap_sys);
		fw_buf_puts(b, ",\"HeapInuse\":");
		opt_uint(b, m->has_heap_inuse, m->heap_inuse);
		fw_buf_puts(b, ",\"HeapIdle\":");
		opt_uint(b, m->has_heap_idle, m->heap_idle);
		fw_buf_puts(b, ",\"HeapReleased\":");
		opt_uint(b, m->has_heap_released, m->heap_released);
		fw_buf_puts(b, ",\"HeapObjects\":");
		opt_uint(b, m->has_heap_objects, m->heap_objects);
		fw_buf_puts(b, ",\"NumGC\":");
		opt_uint(b, m->has_num_gc, m->num_gc);
		fw_buf_puts(b, ",\"PauseTotalNs\":");
		opt_uint(b, m->has_pause_total_ns, m->pause_total_ns);
		fw_buf_puts(b, ",\"LastGC\":");
		opt_uint(b, m->has_last_gc, m->last_gc);
		fw_buf_puts(b, ",\"NextGC\":");
		opt_uint(b, m->has_next_gc, m->next_gc);
#define MS_KEY(name, f)                                \
	fw_buf_puts(b, ",\"" name "\":");              \
	opt_uint(b, m->has_##f, m->f);
		MS_KEY("StackInuse", stack_inuse)
		MS_KEY("StackSys", stack_sys)
		MS_KEY("MSpanInuse", mspan_inuse)
		MS_KEY("MSpanSys", mspan_sys)
		MS_KEY("MCacheInuse", mcache_inuse)
		MS_KEY("MCacheSys", mcache_sys)
		MS_KEY("BuckHashSys", buck_hash_sys)
		MS_KEY("GCSys", gc_sys)
		MS_KEY("OtherSys", other_sys)
		MS_KEY("Mallocs", mallocs)
		MS_KEY("Frees", frees)
#undef MS_KEY
		fw_buf_putc(b, '}');
	} else {
		fw_buf_puts(b, "null");
	}

	key(b, &first, "goroutines");
	if (f->has_goroutines) {
		fw_buf_printf(b, "{\"total\":%" PRIu64 ",\"above_warning\":%s,\"states\":[", f->gor.total,
			      inv->verdict.goroutines_above_warn ? "true" : "false");
		for (size_t i = 0; i < f->gor.n_states; i++) {
			fw_buf_printf(b, "%s{\"state\":", i ? "," : "");
			jstr(b, f->gor.states[i].name);
			fw_buf_printf(b, ",\"count\":%" PRIu64 "}", f->gor.states[i].count);
		}
		fw_buf_puts(b, "],\"parked_in\":[");
		for (size_t i = 0; i < f->gor.n_top; i++) {
			fw_buf_printf(b, "%s{\"function\":", i ? "," : "");
			jstr(b, f->gor.top[i].name);
			fw_buf_printf(b, ",\"count\":%" PRIu64 "}", f->gor.top[i].count);
		}
		fw_buf_puts(b, "]}");
	} else {
		fw_buf_puts(b, "null");
	}

	key(b, &first, "checks");
	fw_buf_putc(b, '[');
	for (size_t i = 0; f->has_status && i < f->status.n_checks; i++) {
		const struct fw_status_check *c = &f->status.checks[i];
		fw_buf_printf(b, "%s{\"name\":", i ? "," : "");
		jstr(b, c->name);
		fw_buf_puts(b, ",\"version\":");
		jstr(b, c->version[0] ? c->version : NULL);
		fw_buf_printf(b, ",\"instances\":%zu,\"ok\":%zu,\"warning\":%zu,\"error\":%zu",
			      c->n_instances, c->n_ok, c->n_warning, c->n_error);
		fw_buf_puts(b, ",\"avg_execution_ns\":");
		opt_i64(b, c->has_avg_exec, c->avg_exec_ns);
		fw_buf_puts(b, ",\"last_successful\":");
		jtime(b, c->has_last_success, c->last_success_ms);
		fw_buf_printf(b, ",\"never_succeeded\":%s,\"messages\":[", c->never_succeeded ? "true" : "false");
		for (size_t k = c->msg_first; k < c->msg_first + c->msg_count && k < f->status.n_msgs; k++) {
			fw_buf_printf(b, "%s{\"kind\":\"%s\",\"instance\":", k > c->msg_first ? "," : "",
				      f->status.msgs[k].kind == FW_CHECK_MSG_ERROR ? "error" : "warning");
			jstr(b, f->status.msgs[k].instance);
			fw_buf_puts(b, ",\"text\":");
			jtext(b, f->status.msgs[k].text);
			fw_buf_putc(b, '}');
		}
		fw_buf_puts(b, "]}");
	}
	fw_buf_putc(b, ']');

	key(b, &first, "processes");
	fw_buf_putc(b, '[');
	for (size_t i = 0; i < inv->n_procs; i++) {
		if (i)
			fw_buf_putc(b, ',');
		process(b, &inv->procs[i], &inv->verdict.procs[i], inv->sanity ? &inv->sanity[i] : NULL);
	}
	fw_buf_putc(b, ']');
	key(b, &first, "recommendations");
	recommendations(b, &inv->recs);
	key(b, &first, "history");
	history_rows(b, &inv->history);
	key(b, &first, "long_term");
	if (inv->history.n)
		long_term(b, &inv->history, &inv->verdict);
	else
		fw_buf_puts(b, "null");
	key(b, &first, "report");
	fw_buf_puts(b, "{\"markdown\":");
	jstr(b, inv->md_name);
	fw_buf_puts(b, "}}\n");
	if (b->failed)
		return fw_err(err, -ENOMEM, "out of memory writing report.json");
	return 0;
}
