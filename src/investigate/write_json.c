/*
 * write_json.c: report.json, the machine-readable twin of the Markdown
 * report. Schema "flarewatch.report", version 1, documented in the README:
 * every number is raw (bytes, nanoseconds, counts), absent facts are null,
 * and every string from the flare is redacted before it is written. It
 * prints the verdict's decisions and must not make one: no threshold is
 * read here.
 */
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
	size_t len, cut;
	char *r;

	if (!s) {
		fw_buf_puts(b, "null");
		return;
	}
	if (!(r = fw_out_prepare(s, strlen(s), max, &len, &cut))) {
		b->failed = true;
		return;
	}
	fw_buf_putc(b, '"');
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = fw_utf8_decode(r + i, len - i, &cp);

		if (n == 0) {
			fw_buf_puts(b, "\\ufffd");
			i++;
			continue;
		}
		if (cp == '"' || cp == '\\') {
			fw_buf_putc(b, '\\');
			fw_buf_putc(b, (char)cp);
		} else if (fw_cp_unsafe(cp)) {
			fw_buf_printf(b, "\\u%04x", (unsigned)cp);
		} else {
			fw_buf_putn(b, r + i, n);
		}
		i += n;
	}
	fw_buf_put_cut(b, cut);
	fw_buf_putc(b, '"');
	free(r);
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

static void key(struct fw_buf *b, bool *first, const char *k)
{
	fw_buf_printf(b, "%s\"%s\":", *first ? "" : ",", k);
	*first = false;
}

static void num(struct fw_buf *b, double v)
{
	if (!isfinite(v))
		fw_buf_puts(b, "null");
	else if (v == floor(v) && fabs(v) < 9.0e15)
		fw_buf_printf(b, "%.0f", v);
	else
		fw_buf_printf(b, "%.17g", v);
}

static void opt_num(struct fw_buf *b, bool has, double v)
{
	if (has)
		num(b, v);
	else
		fw_buf_puts(b, "null");
}

static void table(struct fw_buf *b, const struct fw_top_table *t)
{
	bool first = true;

	if (!t->present) {
		fw_buf_puts(b, "null");
		return;
	}
	fw_buf_putc(b, '{');
	key(b, &first, "error");
	jtext(b, t->error);
	key(b, &first, "sample_type");
	jstr(b, t->sample_type);
	key(b, &first, "unit");
	jstr(b, t->sample_unit);
	key(b, &first, "total");
	fw_buf_printf(b, "%" PRId64, t->total);
	key(b, &first, "duration_ns");
	fw_buf_printf(b, "%" PRId64, t->duration_nanos);
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

static void process(struct fw_buf *b, const struct fw_process *p, const struct fw_process_verdict *v)
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
	jtext(b, v->leak_reason);
	fw_buf_puts(b, ",\"cpu_spike\":");
	jtext(b, v->cpu_reason);
	fw_buf_puts(b, ",\"contention\":");
	jtext(b, v->contention_reason);
	fw_buf_putc(b, '}');
	key(b, &first, "files");
	fw_buf_putc(b, '[');
	for (enum fw_profile_kind k = 0; k < FW_PK_COUNT; k++) {
		fw_buf_printf(b, "%s{\"kind\":\"%s\",\"state\":\"%s\",\"size\":%" PRIu64 ",\"error\":", k ? "," : "",
			      p->files[k].kind ? p->files[k].kind : "", state_name(p->files[k].state), p->files[k].size);
		jtext(b, p->files[k].error);
		fw_buf_putc(b, '}');
	}
	fw_buf_putc(b, ']');
	key(b, &first, "notes");
	fw_buf_putc(b, '[');
	for (size_t i = 0; i < p->n_notes; i++) {
		if (i)
			fw_buf_putc(b, ',');
		jstr(b, p->notes[i]);
	}
	fw_buf_putc(b, ']');
	key(b, &first, "heap_growth");
	if (p->have_heap_diff) {
		/* *_per_30s: a rate only when window_state is "measured", else the
		 * raw growth; window_ns: |2nd - 1st| time, 0 when absent */
		fw_buf_printf(b, "{\"window_ns\":%" PRId64 ",\"window_measured\":%s,\"window_state\":\"%s\","
				 "\"window_note\":",
			      p->heap_window_ns, v->growth_is_rate ? "true" : "false",
			      fw_heap_window_id(p->heap_window));
		jstr(b, v->growth_is_rate ? NULL : fw_heap_window_why(p->heap_window));
		fw_buf_printf(b, ",\"total_bytes\":%" PRId64 ",\"app_bytes\":%" PRId64 ",\"total_per_30s\":",
			      p->growth_total, p->growth_app);
		fw_buf_printf(b, "%" PRId64 ",\"app_per_30s\":%" PRId64, fw_figure_bytes(p->growth_total_30s),
			      fw_figure_bytes(p->growth_app_30s));
		fw_buf_puts(b, ",\"top_app_function\":");
		fn_value(b, &p->top_growth_app);
		fw_buf_putc(b, '}');
	} else {
		fw_buf_puts(b, "null");
	}
	key(b, &first, "heap_diff_inuse_space");
	table(b, &p->heap_diff_space);
	key(b, &first, "heap_diff_inuse_objects");
	table(b, &p->heap_diff_objects);
	key(b, &first, "heap");
	table(b, &p->heap_top);
	key(b, &first, "cpu");
	table(b, &p->cpu);
	key(b, &first, "cpu_facts");
	if (p->have_cpu) {
		fw_buf_printf(b, "{\"total_ns\":%" PRId64 ",\"duration_ns\":%" PRId64 ",\"app_ns\":%" PRId64
				 ",\"top_app_function\":",
			      p->cpu_total_ns, p->cpu_duration_ns, p->cpu_app_ns);
		fn_value(b, &p->top_cpu_app);
		fw_buf_putc(b, '}');
	} else {
		fw_buf_puts(b, "null");
	}
	key(b, &first, "block");
	table(b, &p->block);
	key(b, &first, "mutex");
	table(b, &p->mutex);
	key(b, &first, "contention");
	fw_buf_puts(b, "{\"block\":");
	fn_value(b, &p->top_block_app);
	fw_buf_puts(b, ",\"block_waits_in\":");
	jstr(b, p->top_block_callee);
	fw_buf_puts(b, ",\"mutex\":");
	fn_value(b, &p->top_mutex_app);
	fw_buf_puts(b, ",\"mutex_waits_in\":");
	jstr(b, p->top_mutex_callee);
	fw_buf_putc(b, '}');
	key(b, &first, "flamegraphs");
	fw_buf_putc(b, '{');
	fw_svg_name(svg, sizeof(svg), p->name, "cpu");
	fw_buf_puts(b, "\"cpu\":");
	jstr(b, p->cpu.svg ? svg : NULL);
	fw_svg_name(svg, sizeof(svg), p->name, "heap-diff");
	fw_buf_puts(b, ",\"heap_diff\":");
	jstr(b, p->heap_diff_space.svg ? svg : NULL);
	fw_buf_puts(b, "}}");
}

int fw_report_json(const struct fw_investigation *inv, struct fw_buf *b, struct fw_error *err)
{
	const struct fw_flare *f = &inv->flare;
	const struct fw_memstats *m = &f->mem;
	bool first = true, f2;
	char when[64];

	fw_buf_putc(b, '{');
	key(b, &first, "schema");
	jstr(b, "flarewatch.report");
	key(b, &first, "schema_version");
	fw_buf_puts(b, "1");
	key(b, &first, "generator");
	jstr(b, PACKAGE_STRING);

	key(b, &first, "ticket");
	jstr(b, inv->ticket[0] ? inv->ticket : NULL);

	key(b, &first, "flare");
	f2 = true;
	fw_buf_putc(b, '{');
	key(b, &f2, "file");
	jstr(b, inv->flare_name);
	key(b, &f2, "hostname");
	jstr(b, f->hostname);
	fw_utc_format(when, sizeof(when), f->time_ms, FW_UTC_ISO);
	key(b, &f2, "time");
	jstr(b, when);
	key(b, &f2, "time_source");
	jstr(b, f->time_source);
	key(b, &f2, "agent_version");
	jstr(b, f->has_status && f->status.agent_version[0] ? f->status.agent_version : NULL);
	key(b, &f2, "status_date_ms");
	opt_num(b, f->has_status && f->status.status_date.has_ms, (double)f->status.status_date.unix_ms);
	key(b, &f2, "agent_start_ms");
	opt_num(b, f->has_status && f->status.agent_start.has_ms, (double)f->status.agent_start.unix_ms);
	key(b, &f2, "uptime_seconds");
	opt_num(b, f->has_status && f->status.has_uptime, (double)f->status.uptime_sec);
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
		fw_buf_printf(b, ",\"time_ms\":%" PRId64 ",\"downgrade\":%s}", inv->upgrade.time_ms,
			      inv->upgrade.downgrade ? "true" : "false");
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
	jtext(b, inv->verdict.summary);
	fw_buf_putc(b, '}');

	key(b, &first, "memstats");
	if (f->has_memstats) {
		fw_buf_puts(b, "{\"Alloc\":");
		opt_num(b, m->has_alloc, m->alloc);
		fw_buf_puts(b, ",\"TotalAlloc\":");
		opt_num(b, m->has_total_alloc, m->total_alloc);
		fw_buf_puts(b, ",\"Sys\":");
		opt_num(b, m->has_sys, m->sys);
		fw_buf_puts(b, ",\"HeapAlloc\":");
		opt_num(b, m->has_heap_alloc, m->heap_alloc);
		fw_buf_puts(b, ",\"HeapSys\":");
		opt_num(b, m->has_heap_sys, m->heap_sys);
		fw_buf_puts(b, ",\"HeapInuse\":");
		opt_num(b, m->has_heap_inuse, m->heap_inuse);
		fw_buf_puts(b, ",\"HeapIdle\":");
		opt_num(b, m->has_heap_idle, m->heap_idle);
		fw_buf_puts(b, ",\"HeapReleased\":");
		opt_num(b, m->has_heap_released, m->heap_released);
		fw_buf_puts(b, ",\"HeapObjects\":");
		opt_num(b, m->has_heap_objects, m->heap_objects);
		fw_buf_puts(b, ",\"NumGC\":");
		opt_num(b, m->has_num_gc, m->num_gc);
		fw_buf_puts(b, ",\"PauseTotalNs\":");
		opt_num(b, m->has_pause_total_ns, m->pause_total_ns);
		fw_buf_puts(b, ",\"LastGC\":");
		opt_num(b, m->has_last_gc, m->last_gc);
		fw_buf_puts(b, ",\"NextGC\":");
		opt_num(b, m->has_next_gc, m->next_gc);
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
		opt_num(b, c->has_avg_exec, (double)c->avg_exec_ns);
		fw_buf_puts(b, ",\"last_successful_ms\":");
		opt_num(b, c->has_last_success, (double)c->last_success_ms);
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
		process(b, &inv->procs[i], &inv->verdict.procs[i]);
	}
	fw_buf_putc(b, ']');
	key(b, &first, "report");
	fw_buf_puts(b, "{\"markdown\":");
	jstr(b, inv->md_name);
	fw_buf_puts(b, "}}\n");
	if (b->failed)
		return fw_err(err, -ENOMEM, "out of memory writing report.json");
	return 0;
}
