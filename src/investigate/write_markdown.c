/*
 * write_markdown.c: the investigation report in Markdown, in the support
 * runbook's order: title, agent line, verdict, memory stats, one section per
 * process (heap growth, current heap, CPU, block, mutex), traces and
 * goroutines, running checks, profile files, recommendations, customer
 * message, escalation summary. Every sentence is built from the numbers;
 * every string from the flare is redacted, then escaped for Markdown, field
 * by field (redacting the finished document would swallow table cells).
 * It prints the verdict's decisions (struct fw_verdict) and must not make
 * one: no threshold is read here. Over 1,000 lines because the runbook's
 * report has that many sections; each is one function.
 */
#include "investigate/investigation.h"
#include "base/outtext.h"
#include "base/redact.h"
#include "pprof/units.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- formatting helpers ------------------------------------------------------ */

/* Appends one character of prepared text, or a visible escape ("\x1b",
 * "\u202e") when fw_cp_unsafe() or invalid UTF-8; returns its length. */
static size_t put_char_or_escape(struct fw_buf *b, const char *s, size_t n)
{
	uint32_t cp;
	size_t l = fw_utf8_decode(s, n, &cp);

	if (l == 0) {
		fw_buf_put_escape(b, (unsigned char)s[0], true);
		return 1;
	}
	if (fw_cp_unsafe(cp))
		fw_buf_put_escape(b, cp, false);
	else
		fw_buf_putn(b, s, l);
	return l;
}

/* The longest run of backticks in s[0..n). */
static size_t longest_backticks(const char *s, size_t n)
{
	size_t run = 0, longest = 0;

	for (size_t i = 0; i < n; i++) {
		run = s[i] == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	return longest;
}

/* A code span of prepared text that no content can break: unsafe characters
 * escaped, `|` escaped for tables, "…(N bytes cut)" inside, and a fence
 * longer than any backtick run of what it holds (CommonMark). Empty content
 * gives "` `", never "``". */
static void code_span(struct fw_buf *b, const char *s, size_t n, size_t cut)
{
	struct fw_buf in;
	size_t fence;
	bool pad;

	fw_buf_init(&in);
	for (size_t i = 0; i < n;) {
		if (s[i] == '|') {
			fw_buf_puts(&in, "\\|");
			i++;
		} else {
			i += put_char_or_escape(&in, s + i, n - i);
		}
	}
	fw_buf_put_cut(&in, cut);
	if (in.failed) {
		b->failed = true;
		fw_buf_free(&in);
		return;
	}
	if (in.len == 0) {
		/* "``" would open a span that a later "``" closes: a space instead */
		fw_buf_puts(b, "` `");
		fw_buf_free(&in);
		return;
	}
	fence = longest_backticks(in.data, in.len) + 1;
	pad = in.data[0] == '`' || in.data[in.len - 1] == '`' || in.data[0] == ' ';
	for (size_t i = 0; i < fence; i++)
		fw_buf_putc(b, '`');
	if (pad)
		fw_buf_putc(b, ' ');
	fw_buf_putn(b, fw_buf_str(&in), in.len);
	if (pad)
		fw_buf_putc(b, ' ');
	for (size_t i = 0; i < fence; i++)
		fw_buf_putc(b, '`');
	fw_buf_free(&in);
}

/* Markdown text of prepared text: punctuation that could start emphasis,
 * code, links, HTML, entities or table cells is backslash-escaped, and so
 * are the ':' of "scheme://" and the '.' of "www." (GFM's bare-URL
 * autolinks); unsafe characters are escaped; "…(N bytes cut)" after. */
static void text_escaped(struct fw_buf *b, const char *s, size_t n, size_t cut)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		bool esc = c && strchr("\\`*_[]<>|&~@", c);

		if (c == ':' && i + 2 < n && s[i + 1] == '/' && s[i + 2] == '/')
			esc = true;
		if (c == '.' && i >= 3 && strncasecmp(s + i - 3, "www", 3) == 0)
			esc = true;
		if (esc) {
			fw_buf_putc(b, '\\');
			fw_buf_putc(b, (char)c);
			i++;
		} else {
			i += put_char_or_escape(b, s + i, n - i);
		}
	}
	fw_buf_put_cut(b, cut);
}

/* Text inside the escalation fence: shown as is, except unsafe characters
 * (escaped, so no newline or ESC gets through) and the cut marker. */
static void fence_text(struct fw_buf *b, const char *s, size_t n, size_t cut)
{
	for (size_t i = 0; i < n;)
		i += put_char_or_escape(b, s + i, n - i);
	fw_buf_put_cut(b, cut);
}

/* Runs emit on raw redacted and cut to max bytes. */
static void prepared(struct fw_buf *b, const char *raw, size_t max,
		     void (*emit)(struct fw_buf *, const char *, size_t, size_t))
{
	size_t n, cut;
	char *s = fw_out_prepare(raw, strlen(raw), max, &n, &cut);

	if (!s) {
		b->failed = true;
		return;
	}
	emit(b, s, n, cut);
	free(s);
}

/* A name from the flare as a code span (FW_OUT_NAME_MAX). */
static void md_code(struct fw_buf *b, const char *raw)
{
	prepared(b, raw, FW_OUT_NAME_MAX, code_span);
}

/* A message or error as a code span (FW_OUT_TEXT_MAX). */
static void md_code_text(struct fw_buf *b, const char *raw)
{
	prepared(b, raw, FW_OUT_TEXT_MAX, code_span);
}

/* Plain text from the flare: redacted, Markdown punctuation escaped. */
static void md_text(struct fw_buf *b, const char *raw)
{
	prepared(b, raw, FW_OUT_NAME_MAX, text_escaped);
}

/* Text composed around flare strings (summaries, notes; FW_OUT_TEXT_MAX). */
static void md_text_long(struct fw_buf *b, const char *raw)
{
	prepared(b, raw, FW_OUT_TEXT_MAX, text_escaped);
}

/* Reasons we composed with names in single backticks: redacted whole, cut
 * to FW_OUT_TEXT_MAX, then each backtick-delimited part becomes a code span
 * and the rest Markdown text, so whatever a name holds renders as text. */
static void md_composed(struct fw_buf *b, const char *raw)
{
	size_t n, cut;
	char *s = fw_out_prepare(raw, strlen(raw), FW_OUT_TEXT_MAX, &n, &cut);
	const char *p, *end, *open, *close;

	if (!s) {
		b->failed = true;
		return;
	}
	for (p = s, end = s + n; p < end;) {
		open = memchr(p, '`', (size_t)(end - p));
		close = open ? memchr(open + 1, '`', (size_t)(end - open - 1)) : NULL;
		if (!close) {
			text_escaped(b, p, (size_t)(end - p), 0);
			break;
		}
		text_escaped(b, p, (size_t)(open - p), 0);
		code_span(b, open + 1, (size_t)(close - open - 1), 0);
		p = close + 1;
	}
	fw_buf_put_cut(b, cut);
	free(s);
}

/* Composed text inside the escalation fence (FW_OUT_TEXT_MAX). */
static void fence_composed(struct fw_buf *b, const char *raw)
{
	prepared(b, raw, FW_OUT_TEXT_MAX, fence_text);
}

/* A name inside the escalation fence (FW_OUT_NAME_MAX). */
static void fence_name(struct fw_buf *b, const char *raw)
{
	prepared(b, raw, FW_OUT_NAME_MAX, fence_text);
}

static const char *val(char *buf, size_t len, int64_t v, const char *unit)
{
	fw_unit_label(buf, len, v, unit && *unit ? unit : "count", "auto");
	return buf;
}

/* Byte figures round as the verdict's do (fw_figure_bytes_label). */
static const char *bytes(char *buf, size_t len, double v)
{
	fw_figure_bytes_label(buf, len, v);
	return buf;
}

static const char *nanos(char *buf, size_t len, int64_t v)
{
	fw_unit_label(buf, len, v, "nanoseconds", "auto");
	return buf;
}

static const char *pct(char *buf, size_t len, int64_t v, int64_t total)
{
	char *s;
	fw_percentage(buf, len, v, total);
	s = buf;
	while (*s == ' ')
		s++;
	memmove(buf, s, strlen(s) + 1);
	return buf;
}

/* A Go duration as a support engineer reads it: "0 s", "38 ms", "5.004 s". */
static const char *exec_time(char *buf, size_t len, int64_t ns)
{
	if (ns >= 1000000000)
		snprintf(buf, len, "%.3f s", (double)ns / 1e9);
	else if (ns >= 1000000)
		snprintf(buf, len, "%.0f ms", (double)ns / 1e6);
	else if (ns > 0)
		snprintf(buf, len, "%.0f µs", (double)ns / 1e3);
	else
		snprintf(buf, len, "0 s");
	return buf;
}

/* The host's OS from status.log's Host Info, raw (redacted fields):
 * "linux ubuntu 24.04, kernel 6.8.0-1015-aws x86_64"; "" when unknown. */
static void os_raw(const struct fw_flare *f, struct fw_buf *raw)
{
	const struct fw_status *s = &f->status;
	const char *parts[] = { s->os, s->platform, s->platform_version };
	bool any = false;

	if (!f->has_status)
		return;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (parts[i][0]) {
			fw_buf_printf(raw, "%s%s", any ? " " : "", parts[i]);
			any = true;
		}
	if (s->kernel_version[0]) {
		fw_buf_printf(raw, "%skernel %s", any ? ", " : "", s->kernel_version);
		if (s->kernel_arch[0])
			fw_buf_printf(raw, " %s", s->kernel_arch);
	}
}

/* "upgrade 7.55.1 → 7.58.2 on 2024-09-30 09:02:13.112 UTC (2 days 5 hours
 * before the flare)", raw (versions are redacted fields); "" when the
 * investigation found none. */
static void upgrade_raw(const struct fw_investigation *inv, struct fw_buf *raw)
{
	char when[FW_UTC_BUFSZ], ago[FW_UPTIME_BUFSZ];

	if (!inv->has_upgrade)
		return;
	fw_format_utc_ms(inv->upgrade.time_ms, when, sizeof(when));
	fw_format_uptime((inv->flare.time_ms - inv->upgrade.time_ms) / 1000, ago, sizeof(ago));
	fw_buf_printf(raw, "%s %s → %s on %s (%s before the flare)",
		      inv->upgrade.downgrade ? "downgrade" : "upgrade", inv->upgrade.from, inv->upgrade.to, when,
		      ago);
}

/* ---- sections ----------------------------------------------------------------- */

static void title(const struct fw_investigation *inv, struct fw_buf *b)
{
	const struct fw_flare *f = &inv->flare;
	char when[64], up[FW_UPTIME_BUFSZ];

	struct fw_buf raw;

	fw_buf_printf(b, "# Flare profiling investigation: %s\n\n", f->hostname);
	if (!fw_utc_format(when, sizeof(when), f->time_ms, FW_UTC_TEXT))
		snprintf(when, sizeof(when), "-");
	if (inv->ticket[0]) {
		fw_buf_puts(b, "**Ticket:** ");
		md_text(b, inv->ticket);
		fw_buf_printf(b, " (from the %s) · ", inv->ticket_source ? inv->ticket_source : "caller");
	}
	fw_buf_puts(b, "**Agent:** ");
	if (f->has_status && f->status.agent_version[0])
		md_text(b, f->status.agent_version);
	else
		fw_buf_puts(b, "unknown");
	fw_buf_puts(b, " · **Uptime:** ");
	if (f->has_status && f->status.has_uptime) {
		fw_format_uptime(f->status.uptime_sec, up, sizeof(up));
		fw_buf_puts(b, up);
	} else {
		fw_buf_puts(b, "unknown");
	}
	fw_buf_puts(b, " · **Hostname:** ");
	md_code(b, f->has_status && f->status.hostname[0] ? f->status.hostname : f->hostname);
	fw_buf_puts(b, " · **Install:** ");
	if (f->has_install && f->install.tool[0]) {
		md_text(b, f->install.tool);
		if (f->install.tool_version[0] || f->install.installer_version[0]) {
			fw_buf_puts(b, " (");
			md_text(b, f->install.tool_version);
			if (f->install.installer_version[0]) {
				fw_buf_puts(b, f->install.tool_version[0] ? ", installer " : "installer ");
				md_text(b, f->install.installer_version);
			}
			fw_buf_putc(b, ')');
		}
	} else {
		fw_buf_puts(b, "unknown");
	}
	fw_buf_init(&raw);
	os_raw(f, &raw);
	if (raw.len) {
		fw_buf_puts(b, " · **OS:** ");
		md_text(b, fw_buf_str(&raw));
	}
	if (raw.failed)
		b->failed = true;
	fw_buf_free(&raw);
	fw_buf_printf(b, " · **Flare date:** %s", when);
	/* flare model (helper "flare"): where the date and hostname come
	 * from, and every note on the flare's files, in the header */
	if (strcmp(f->time_source, "unknown") == 0)
		fw_buf_puts(b, " (unknown: the time of the analysis)");
	else if (strcmp(f->time_source, "status.log") != 0)
		fw_buf_printf(b, " (from the %s)", f->time_source);
	fw_buf_puts(b, "\n\nFlare: ");
	md_code(b, inv->flare_name);
	fw_buf_puts(b, "\n\n");
	fw_buf_init(&raw);
	upgrade_raw(inv, &raw);
	if (raw.len) {
		fw_buf_puts(b, "**Recent agent ");
		md_text_long(b, fw_buf_str(&raw));
		fw_buf_puts(b, "** (version-history.json).\n\n");
	}
	if (raw.failed)
		b->failed = true;
	fw_buf_free(&raw);
	if (f->n_notes)
		fw_buf_puts(b, "**Flare notes:**\n\n");
	for (size_t i = 0; i < f->n_notes; i++) {
		fw_buf_puts(b, "- ");
		md_text_long(b, f->notes[i]);
		fw_buf_putc(b, '\n');
	}
	if (f->n_notes)
		fw_buf_putc(b, '\n');
}

static void verdict(const struct fw_investigation *inv, struct fw_buf *b)
{
	const struct fw_verdict *v = &inv->verdict;

	fw_buf_printf(b, "## Verdict: %s\n\n", fw_verdict_name(v->kind));
	if (!inv->flare.has_profiles) {
		fw_buf_puts(b, "No profiles/ directory found in this flare.\n\n"
			       "The agent was likely not configured with internal_profiling: enabled: true\n\n"
			       "In fact `internal_profiling` only uploads profiles to Datadog; it never adds files "
			       "to a flare. Profiles are collected into `profiles/` when the flare is created with "
			       "`datadog-agent flare --profile 30` (30 seconds or more), or by a remote-config flare "
			       "with profiling enabled. Ask for a new flare made that way.\n\n");
		return;
	}
	md_text_long(b, v->summary);
	fw_buf_puts(b, "\n\n");
	if (v->n_procs == 0) {
		fw_buf_puts(b, "profiles/ holds no profile this report can read (named "
			       "`<process>-1st-heap.pprof`, `-cpu.pprof`, `-2nd-heap.pprof`, `-block.pprof`, "
			       "`-mutex.pprof`).\n\n");
		return;
	}
	fw_buf_puts(b, "| Process | Verdict | Why |\n|---|---|---|\n");
	for (size_t i = 0; i < v->n_procs; i++) {
		const struct fw_process_verdict *pv = &v->procs[i];
		bool any = false;
		fw_buf_printf(b, "| %s | %s | ", pv->process, fw_verdict_name(pv->kind));
		if (pv->leak_reason) {
			fw_buf_puts(b, "**Memory leak:** ");
			md_composed(b, pv->leak_reason);
			any = true;
		}
		if (pv->cpu_reason) {
			fw_buf_printf(b, "%s**CPU spike:** ", any ? "<br>" : "");
			md_composed(b, pv->cpu_reason);
			any = true;
		}
		if (pv->contention_reason) {
			fw_buf_printf(b, "%s**Contention:** ", any ? "<br>" : "");
			md_composed(b, pv->contention_reason);
			any = true;
		}
		if (!any)
			fw_buf_puts(b, "no rule fired");
		fw_buf_puts(b, " |\n");
	}
	fw_buf_putc(b, '\n');
}

static void memstats(const struct fw_investigation *inv, struct fw_buf *b)
{
	const struct fw_memstats *m = &inv->flare.mem;
	char x[64];

	fw_buf_puts(b, "## Memory stats (expvar/memstats)\n\n");
	if (!inv->flare.has_memstats) {
		fw_buf_puts(b, "No expvar/memstats in this flare.\n\n");
		return;
	}
	fw_buf_puts(b, "| Metric | Value |\n|---|---|\n");
#define BYTES_ROW(name, f)                                                              \
	if (m->has_##f)                                                                 \
		fw_buf_printf(b, "| " name " | %s |\n", bytes(x, sizeof(x), m->f));
	BYTES_ROW("Alloc", alloc)
	BYTES_ROW("TotalAlloc", total_alloc)
	BYTES_ROW("Sys", sys)
	BYTES_ROW("HeapAlloc", heap_alloc)
	BYTES_ROW("HeapSys", heap_sys)
	BYTES_ROW("HeapInuse", heap_inuse)
	BYTES_ROW("HeapIdle", heap_idle)
	BYTES_ROW("HeapReleased", heap_released)
#undef BYTES_ROW
	if (m->has_heap_objects)
		fw_buf_printf(b, "| HeapObjects | %.0f |\n", m->heap_objects);
	if (m->has_num_gc)
		fw_buf_printf(b, "| NumGC | %.0f |\n", m->num_gc);
	if (m->has_pause_total_ns) {
		fw_memstats_format_ms(m->pause_total_ns, x, sizeof(x));
		fw_buf_printf(b, "| PauseTotalNs | %s |\n", x);
	}
	if (m->has_last_gc) {
		fw_memstats_format_last_gc(m->last_gc, x, sizeof(x));
		fw_buf_printf(b, "| LastGC | %s |\n", x);
	}
	if (m->has_next_gc)
		fw_buf_printf(b, "| NextGC | %s |\n", bytes(x, sizeof(x), m->next_gc));
	fw_buf_putc(b, '\n');
}

static void top_rows(struct fw_buf *b, const struct fw_top_table *t, bool with_pct)
{
	char f[64], c[64], fp[32], cp[32];

	if (with_pct)
		fw_buf_puts(b, "| Rank | Function | flat | flat% | cum | cum% |\n|---:|---|---:|---:|---:|---:|\n");
	else
		fw_buf_puts(b, "| Rank | Function | flat | cum |\n|---:|---|---:|---:|\n");
	for (size_t i = 0; i < t->n_rows; i++) {
		const struct fw_top_row *r = &t->rows[i];
		fw_buf_printf(b, "| %zu | ", i + 1);
		md_code(b, r->name);
		if (with_pct)
			fw_buf_printf(b, " | %s | %s | %s | %s |\n", val(f, sizeof(f), r->flat, t->sample_unit),
				      pct(fp, sizeof(fp), r->flat, t->total), val(c, sizeof(c), r->cum, t->sample_unit),
				      pct(cp, sizeof(cp), r->cum, t->total));
		else
			fw_buf_printf(b, " | %s | %s |\n", val(f, sizeof(f), r->flat, t->sample_unit),
				      val(c, sizeof(c), r->cum, t->sample_unit));
	}
	fw_buf_putc(b, '\n');
}

static bool table_usable(struct fw_buf *b, const struct fw_top_table *t, const char *what)
{
	if (!t->present) {
		fw_buf_printf(b, "No %s: the profile is missing or empty.\n\n", what);
		return false;
	}
	if (t->error) {
		fw_buf_printf(b, "No %s: ", what);
		md_code_text(b, t->error);
		fw_buf_puts(b, "\n\n");
		return false;
	}
	return true;
}

static void heap_section(const struct fw_process *p, const struct fw_process_verdict *v, struct fw_buf *b)
{
	const struct fw_top_table *s = &p->heap_diff_space, *o = &p->heap_diff_objects;
	char a[64], c[64], d[64], w[64], e[64];
	char svg[128];

	fw_buf_puts(b, "### Heap growth (1st → 2nd heap snapshot)\n\n");
	if (table_usable(b, s, "heap diff")) {
		bool rate = v->growth_is_rate; /* else no rate: the raw growth */
		nanos(w, sizeof(w), p->heap_window_ns);
		if (rate)
			fw_buf_printf(b, "Total growth: **%s** (sum of every function's in-use growth; %s in application "
					 "functions) over %s between the snapshots, that is **%s per 30 s** (%s per 30 s "
					 "in application functions).\n\n",
				      bytes(a, sizeof(a), (double)p->growth_total),
				      bytes(c, sizeof(c), (double)p->growth_app), w,
				      bytes(d, sizeof(d), p->growth_total_30s), bytes(e, sizeof(e), p->growth_app_30s));
		else
			fw_buf_printf(b, "Total growth: **%s** (sum of every function's in-use growth; %s in application "
					 "functions) between the snapshots. No rate per 30 s: %s%s%s%s; the rules compare "
					 "this raw growth with their per-30 s thresholds.\n\n",
				      bytes(a, sizeof(a), (double)p->growth_total),
				      bytes(c, sizeof(c), (double)p->growth_app), fw_heap_window_why(p->heap_window),
				      p->heap_window_ns ? " (" : "", p->heap_window_ns ? w : "",
				      p->heap_window_ns ? " apart)" : "");
		fw_svg_name(svg, sizeof(svg), p->name, "heap-diff");
		if (s->svg)
			fw_buf_printf(b, "Flame graph: [%s](%s)\n\n", svg, svg);
		fw_buf_puts(b, "Top 10 by in-use space growth:\n\n");
		top_rows(b, s, false);
		/* 2-3 sentences from the numbers */
		if (p->growth_total <= 0) {
			fw_buf_puts(b, "The in-use heap did not grow between the two snapshots: no function gained memory.\n\n");
		} else {
			double share = p->growth_total ? 100.0 * (double)p->top_growth_app.value / (double)p->growth_total : 0;
			fw_buf_printf(b, "%s%s the in-use heap grew by %s, %.0f%% of it in application code. ",
				      rate ? "In " : "Between the snapshots", rate ? w : "",
				      bytes(a, sizeof(a), (double)p->growth_total),
				      100.0 * (double)p->growth_app / (double)p->growth_total);
			if (p->top_growth_app.name && p->top_growth_app.value > 0) {
				fw_buf_puts(b, "The largest application contributor is ");
				md_code(b, p->top_growth_app.name);
				fw_buf_printf(b, " with %s (%.0f%% of the growth). ",
					      bytes(a, sizeof(a), (double)p->top_growth_app.value), share);
			}
			if (v->growth_over_leak && !rate)
				fw_buf_puts(b, "This growth is more than the leak threshold allows per 30 s; memory that "
					       "keeps growing like this is not released by the garbage collector.\n\n");
			else if (v->growth_over_leak)
				fw_buf_puts(b, "At this rate the process gains more than the leak threshold every 30 s; "
					       "memory that keeps growing like this is not released by the garbage collector.\n\n");
			else if (!rate)
				fw_buf_puts(b, "This growth stays under the leak threshold, which is consistent with "
					       "normal buffering between the snapshots.\n\n");
			else
				fw_buf_puts(b, "This rate stays under the leak threshold, which is consistent with normal "
					       "buffering between the snapshots.\n\n");
		}
	}
	if (table_usable(b, o, "object-count diff")) {
		fw_buf_puts(b, "Top 10 by in-use objects growth:\n\n");
		top_rows(b, o, false);
	}
	fw_buf_puts(b, "### Current heap (2nd snapshot)\n\n");
	if (table_usable(b, &p->heap_top, "current heap")) {
		fw_buf_printf(b, "In-use space: %s.\n\n", val(a, sizeof(a), p->heap_top.total, p->heap_top.sample_unit));
		top_rows(b, &p->heap_top, false);
	}
}

static void cpu_section(const struct fw_process *p, struct fw_buf *b)
{
	const struct fw_top_table *t = &p->cpu;
	char a[64], c[64], svg[128];

	fw_buf_puts(b, "### CPU\n\n");
	if (!table_usable(b, t, "CPU profile"))
		return;
	fw_buf_printf(b, "Duration: %s, total samples: %s", nanos(a, sizeof(a), t->duration_nanos),
		      val(c, sizeof(c), t->total, t->sample_unit));
	if (t->duration_nanos > 0 && p->cpu_total_ns > 0)
		fw_buf_printf(b, " (%.1f%% of one core)", 100.0 * (double)p->cpu_total_ns / (double)t->duration_nanos);
	fw_buf_puts(b, ".\n\n");
	fw_svg_name(svg, sizeof(svg), p->name, "cpu");
	if (t->svg)
		fw_buf_printf(b, "Flame graph: [%s](%s)\n\n", svg, svg);
	top_rows(b, t, true);
	if (p->cpu_total_ns > 0) {
		fw_buf_printf(b, "%.0f%% of the CPU time is in application code. ",
			      100.0 * (double)p->cpu_app_ns / (double)p->cpu_total_ns);
		if (p->top_cpu_app.name) {
			fw_buf_puts(b, "The busiest application function is ");
			md_code(b, p->top_cpu_app.name);
			fw_buf_printf(b, " with %s of flat time (%.1f%%).", nanos(a, sizeof(a), p->top_cpu_app.value),
				      100.0 * (double)p->top_cpu_app.value / (double)p->cpu_total_ns);
		}
		fw_buf_puts(b, "\n\n");
	}
}

static void contention_section(const struct fw_process *p, const struct fw_process_verdict *v,
			       struct fw_buf *b, bool block)
{
	const struct fw_top_table *t = block ? &p->block : &p->mutex;
	const struct fw_fn_value *best = block ? &p->top_block_app : &p->top_mutex_app;
	const char *callee = block ? p->top_block_callee : p->top_mutex_callee;
	const char *what = block ? "blocking" : "mutex";
	char a[64];

	fw_buf_printf(b, "### %s profile\n\n", block ? "Block" : "Mutex");
	if (!table_usable(b, t, block ? "block profile" : "mutex profile"))
		return;
	if (!(block ? v->block_significant : v->mutex_significant) || t->n_rows == 0) {
		fw_buf_printf(b, "No significant %s contention detected", what);
		if (t->total > 0)
			fw_buf_printf(b, " (%s of delay in total)", val(a, sizeof(a), t->total, t->sample_unit));
		else
			fw_buf_printf(b, " (the profile is empty: the agent collects it only with "
					 "`--profile-%s`)", block ? "blocking" : "mutex");
		fw_buf_puts(b, ".\n\n");
		return;
	}
	fw_buf_printf(b, "Total delay: %s.", val(a, sizeof(a), t->total, t->sample_unit));
	if (best->name) {
		fw_buf_puts(b, " The application function closest to the blocking calls is ");
		md_code(b, best->name);
		fw_buf_printf(b, " with %s", nanos(a, sizeof(a), best->value));
		if (callee && *callee) {
			fw_buf_puts(b, ", waiting in ");
			md_code(b, callee);
		}
		fw_buf_putc(b, '.');
	}
	fw_buf_puts(b, "\n\n");
	top_rows(b, t, true);
}

static void file_notes(const struct fw_process *p, struct fw_buf *b)
{
	bool any = false;
	for (enum fw_profile_kind k = 0; k < FW_PK_COUNT; k++) {
		const char *why = NULL;
		switch (p->files[k].state) {
		case FW_PFILE_OK: continue;
		case FW_PFILE_MISSING: why = "missing"; break;
		case FW_PFILE_EMPTY: why = "empty (0 bytes), skipped"; break;
		case FW_PFILE_CORRUPT: why = "unreadable"; break;
		}
		if (!any)
			fw_buf_puts(b, "Profile files:\n\n");
		any = true;
		fw_buf_printf(b, "- `%s-%s.pprof`: %s", p->name, p->files[k].kind, why);
		if (p->files[k].error) {
			fw_buf_puts(b, ": ");
			md_code_text(b, p->files[k].error);
		}
		fw_buf_putc(b, '\n');
	}
	for (size_t i = 0; i < p->n_notes; i++) { /* what the analysis could not do */
		if (!any)
			fw_buf_puts(b, "Profile files:\n\n");
		any = true;
		fw_buf_puts(b, "- ");
		md_text_long(b, p->notes[i]);
		fw_buf_putc(b, '\n');
	}
	if (any)
		fw_buf_putc(b, '\n');
}

static void processes(const struct fw_investigation *inv, struct fw_buf *b)
{
	for (size_t i = 0; i < inv->n_procs; i++) {
		const struct fw_process *p = &inv->procs[i];
		const struct fw_process_verdict *v = &inv->verdict.procs[i];
		fw_buf_printf(b, "## Process: %s\n\n", p->name);
		file_notes(p, b);
		heap_section(p, v, b);
		cpu_section(p, b);
		contention_section(p, v, b, true);
		contention_section(p, v, b, false);
	}
}

static void traces_goroutines(const struct fw_investigation *inv, struct fw_buf *b)
{
	const struct fw_flare *f = &inv->flare;
	const struct fw_goroutines *g = &f->gor;
	char a[64];
	bool any = false;

	fw_buf_puts(b, "## Execution traces and goroutines\n\n");
	for (size_t i = 0; i < f->n_pfiles; i++) {
		size_t n = strlen(f->pfiles[i].name);
		if (n < 6 || strcmp(f->pfiles[i].name + n - 6, ".trace") != 0)
			continue;
		if (!any)
			fw_buf_puts(b, "| Trace | Size |\n|---|---:|\n");
		any = true;
		fw_buf_puts(b, "| ");
		md_code(b, f->pfiles[i].name);
		fw_buf_printf(b, " | %s |\n", bytes(a, sizeof(a), (double)f->pfiles[i].size));
	}
	fw_buf_puts(b, any ? "\nExecution traces are listed by size only; open them with `go tool trace`.\n\n"
			   : "No execution traces in this flare.\n\n");
	if (!f->has_goroutines) {
		fw_buf_puts(b, "No go-routine-dump.log in this flare.\n\n");
		return;
	}
	fw_buf_printf(b, "| Goroutine dump | |\n|---|---|\n| Goroutines | %" PRIu64 "%s |\n", g->total,
		      inv->verdict.goroutines_above_warn ? " **(above the warning level)**" : "");
	for (size_t i = 0; i < g->n_states && i < 5; i++) {
		fw_buf_puts(b, "| State ");
		md_code(b, g->states[i].name);
		fw_buf_printf(b, " | %" PRIu64 " |\n", g->states[i].count);
	}
	if (g->waiting_over)
		fw_buf_printf(b, "| Waiting more than %" PRIu64 " minutes | %" PRIu64 " (longest %" PRIu64 " min) |\n",
			      g->wait_threshold_min, g->waiting_over, g->max_wait_min);
	for (size_t i = 0; i < g->n_top; i++) {
		fw_buf_puts(b, "| Parked in ");
		md_code(b, g->top[i].name);
		fw_buf_printf(b, " | %s%" PRIu64 " |\n", g->top_exact ? "" : "≤ ", g->top[i].count);
	}
	fw_buf_putc(b, '\n');
}

static void checks(const struct fw_investigation *inv, struct fw_buf *b)
{
	const struct fw_status *s = &inv->flare.status;

	fw_buf_puts(b, "## Running checks\n\n");
	if (!inv->flare.has_status || !s->has_collector || s->n_checks == 0) {
		fw_buf_puts(b, inv->flare.has_status && s->local_flare
				       ? "status.log says the agent was not running when the flare was made.\n\n"
				       : "No running checks found in status.log.\n\n");
		return;
	}
	fw_buf_puts(b, "Instances by status; Avg time is the slowest instance's Average Execution Time, Last "
		       "success the stalest instance's Last Successful Execution Date.\n\n");
	fw_buf_puts(b, "| Check | Version | Instances | OK | Warning | Error | Avg time | Last success |\n"
		       "|---|---|---:|---:|---:|---:|---:|---|\n");
	for (size_t i = 0; i < s->n_checks; i++) {
		const struct fw_status_check *c = &s->checks[i];
		char t[64], last[FW_UTC_BUFSZ];
		fw_buf_puts(b, "| ");
		md_code(b, c->name);
		fw_buf_puts(b, " | ");
		md_text(b, c->version[0] ? c->version : "-");
		fw_buf_printf(b, " | %zu | %zu | %zu | %zu | %s | ", c->n_instances, c->n_ok, c->n_warning, c->n_error,
			      c->has_avg_exec ? exec_time(t, sizeof(t), c->avg_exec_ns) : "-");
		if (c->never_succeeded)
			fw_buf_puts(b, "**never**");
		else if (c->has_last_success) {
			fw_format_utc_ms(c->last_success_ms, last, sizeof(last));
			fw_buf_puts(b, last);
		} else
			fw_buf_putc(b, '-');
		fw_buf_puts(b, " |\n");
	}
	if (s->checks_dropped)
		fw_buf_printf(b, "\n%zu more checks are not listed.\n", s->checks_dropped);
	fw_buf_putc(b, '\n');
	for (size_t i = 0; i < s->n_msgs; i++) {
		const struct fw_status_msg *m = &s->msgs[i];
		fw_buf_printf(b, "- %s in ", m->kind == FW_CHECK_MSG_ERROR ? "Error" : "Warning");
		md_code(b, m->instance[0] ? m->instance : "?");
		fw_buf_puts(b, ": ");
		md_code_text(b, m->text);
		fw_buf_putc(b, '\n');
	}
	if (s->n_msgs)
		fw_buf_putc(b, '\n');
}

static void profile_files(const struct fw_investigation *inv, struct fw_buf *b)
{
	const struct fw_flare *f = &inv->flare;
	char a[64];

	fw_buf_puts(b, "## Profile files\n\n");
	if (!f->has_profiles) {
		fw_buf_puts(b, "No profiles/ directory.\n\n");
		return;
	}
	if (f->n_pfiles == 0) {
		fw_buf_puts(b, "profiles/ is empty.\n\n");
		return;
	}
	fw_buf_puts(b, "| File | Size |\n|---|---:|\n");
	for (size_t i = 0; i < f->n_pfiles; i++) {
		fw_buf_puts(b, "| ");
		md_code(b, f->pfiles[i].name);
		fw_buf_printf(b, " | %s |\n", bytes(a, sizeof(a), (double)f->pfiles[i].size));
	}
	fw_buf_putc(b, '\n');
}

/* ---- recommendations -------------------------------------------------------- */

struct component {
	const char *needle, *name, *advice;
};

static const struct component components[] = {
	{ "/pkg/aggregator", "the aggregator (metric contexts)",
	  "look for high-cardinality metrics: DogStatsD clients or checks that send many unique tag "
	  "combinations. `datadog-agent dogstatsd-stats` (with `dogstatsd_stats_enable: true`) lists the busiest "
	  "metric names" },
	{ "dogstatsd", "DogStatsD", "check the packet rate and sizes (`datadog-agent dogstatsd-stats`) and the "
				    "clients sending them" },
	{ "/pkg/collector/corechecks/", "a core check", "run the check alone with `datadog-agent check <name> -t 5` "
						      "to time it" },
	{ "/pkg/collector/python", "a Python check", "run the check alone with `datadog-agent check <name> -t 5` and "
						    "review its configuration" },
	{ "/pkg/collector", "the check runner", "look at the checks with the longest Average Execution Time in "
					      "status.log and run them alone with `datadog-agent check <name> -t 5`" },
	{ "/pkg/trace", "the trace-agent", "review APM traffic (`agent status`, APM section), sampling rates and "
					 "payload sizes" },
	{ "/pkg/logs", "the logs agent", "count the tailed files and review `logs_config` (open files limit, "
				       "processing rules)" },
	{ "/comp/logs", "the logs agent", "count the tailed files and review `logs_config`" },
	{ "forwarder", "the forwarder", "check connectivity to the intake and the retry queue size "
				      "(`forwarder_retry_queue_max_size`)" },
	{ "/pkg/serializer", "the serializer", "compare payload sizes with the number of metric contexts" },
	{ "/pkg/process", "the process-agent", "review process collection settings and the number of processes "
					     "and containers" },
	{ "/pkg/network", "system-probe (network monitoring)", "review NPM/USM settings and connection counts" },
	{ "tagger", "the tagger", "look for container or pod churn on the host" },
	{ "workloadmeta", "the workload metadata store", "look for container or pod churn on the host" },
};

static const struct component *component_of(const char *fn)
{
	for (size_t i = 0; i < sizeof(components) / sizeof(components[0]); i++)
		if (strstr(fn, components[i].needle))
			return &components[i];
	return NULL;
}

/* The Go package of a function name: up to the first '.' after the last '/'. */
static void package_of(const char *fn, char *out, size_t len)
{
	const char *slash = NULL, *p;
	size_t n;

	for (p = fn; *p && *p != '('; p++)
		if (*p == '/')
			slash = p;
	p = strchr(slash ? slash : fn, '.');
	n = p ? (size_t)(p - fn) : strlen(fn);
	if (n >= len)
		n = len - 1;
	memcpy(out, fn, n);
	out[n] = 0;
}

static void where(struct fw_buf *b, const char *fn)
{
	const struct component *c = component_of(fn);
	char pkg[256];

	if (c) {
		fw_buf_printf(b, " in %s (", c->name);
		md_code(b, fn);
		fw_buf_printf(b, "): %s", c->advice);
	} else {
		package_of(fn, pkg, sizeof(pkg));
		fw_buf_puts(b, " in package ");
		md_code(b, pkg);
		fw_buf_puts(b, " (");
		md_code(b, fn);
		fw_buf_putc(b, ')');
	}
}

/* `datadog-agent check NAME` as one code span, whatever the name holds. */
static void check_command(struct fw_buf *b, const char *name)
{
	struct fw_buf cmd;

	fw_buf_init(&cmd);
	fw_buf_puts(&cmd, "datadog-agent check ");
	fw_buf_puts(&cmd, name);
	if (cmd.failed)
		b->failed = true;
	else
		md_code(b, fw_buf_str(&cmd));
	fw_buf_free(&cmd);
}

static void recommendations(const struct fw_investigation *inv, struct fw_buf *b)
{
	const struct fw_flare *f = &inv->flare;
	size_t n = 0;
	char a[64];

	fw_buf_puts(b, "## Recommendations\n\n");
	if (!f->has_profiles) {
		fw_buf_printf(b, "%zu. Ask for a new flare made with `datadog-agent flare --profile 30` so that heap, CPU, "
				 "block and mutex profiles are included.\n", ++n);
	}
	for (size_t i = 0; i < inv->n_procs; i++) {
		const struct fw_process *p = &inv->procs[i];
		const struct fw_process_verdict *v = &inv->verdict.procs[i];
		if (v->leak && v->leak_fn) {
			fw_buf_printf(b, "%zu. **%s: memory growth of %s %s**", ++n, p->name,
				      bytes(a, sizeof(a), p->growth_app_30s), v->growth_per);
			where(b, v->leak_fn);
			fw_buf_puts(b, ". Collect a second flare with `datadog-agent flare --profile 30` a few hours later "
				       "to confirm the growth continues, and note the agent's RSS over time.\n");
		}
		if (v->cpu && v->cpu_fn) {
			fw_buf_printf(b, "%zu. **%s: CPU spike**", ++n, p->name);
			where(b, v->cpu_fn);
			fw_buf_puts(b, ". Collect a longer CPU profile while the load is high: "
				       "`datadog-agent flare --profile 60`.\n");
		}
		if (v->contention && v->contention_fn) {
			fw_buf_printf(b, "%zu. **%s: contention**", ++n, p->name);
			where(b, v->contention_fn);
			fw_buf_puts(b, ". A goroutine dump taken during the slowdown shows who holds the lock: "
				       "`datadog-agent flare --profile 30 --profile-mutex --profile-blocking`.\n");
		}
		if (!v->contention && (p->block.present || p->mutex.present) &&
		    ((p->block.present && !p->block.error && p->block.total == 0) ||
		     (p->mutex.present && !p->mutex.error && p->mutex.total == 0)))
			fw_buf_printf(b, "%zu. %s: the block or mutex profile is empty; if contention is suspected, "
					 "collect a flare with `--profile-mutex --profile-blocking`.\n", ++n, p->name);
		for (enum fw_profile_kind k = 0; k < FW_PK_COUNT; k++)
			if (p->files[k].state == FW_PFILE_CORRUPT || p->files[k].state == FW_PFILE_EMPTY) {
				fw_buf_printf(b, "%zu. %s: `%s-%s.pprof` could not be used; ask for a new flare.\n", ++n,
					      p->name, p->name, p->files[k].kind);
				break;
			}
	}
	if (inv->verdict.goroutines_above_warn) {
		fw_buf_printf(b, "%zu. **%" PRIu64 " goroutines** (warning level %u)", ++n, inv->verdict.goroutines,
			      inv->verdict.goroutines_warn);
		if (f->gor.n_top) {
			fw_buf_puts(b, "; most are parked in ");
			md_code(b, f->gor.top[0].name);
			fw_buf_printf(b, " (%" PRIu64 ")", f->gor.top[0].count);
		}
		fw_buf_puts(b, ". Compare with a second goroutine dump to see whether the count keeps rising.\n");
	}
	if (f->has_status) {
		for (size_t i = 0; i < f->status.n_checks; i++) {
			const struct fw_status_check *c = &f->status.checks[i];
			if (!c->n_error)
				continue;
			fw_buf_printf(b, "%zu. Check ", ++n);
			md_code(b, c->name);
			fw_buf_printf(b, " has %zu instance%s in error", c->n_error, c->n_error > 1 ? "s" : "");
			for (size_t k = c->msg_first; k < c->msg_first + c->msg_count && k < f->status.n_msgs; k++)
				if (f->status.msgs[k].kind == FW_CHECK_MSG_ERROR) {
					fw_buf_puts(b, ": ");
					md_code_text(b, f->status.msgs[k].text);
					break;
				}
			fw_buf_puts(b, "; fix its configuration, then check with ");
			check_command(b, c->name);
			fw_buf_puts(b, ".\n");
		}
	}
	if (n == 0)
		fw_buf_puts(b, "Nothing in this flare calls for action: no rule fired, no check is in error and the "
			       "goroutine count is normal. If the customer still sees a problem, ask when it happens and "
			       "collect a flare with `datadog-agent flare --profile 30` at that time.\n");
	fw_buf_putc(b, '\n');
}

static void customer_message(const struct fw_investigation *inv, struct fw_buf *b)
{
	const struct fw_verdict *v = &inv->verdict;
	const struct fw_config_report *r = &inv->cfg->report;

	if (!r->customer_message)
		return;
	fw_buf_puts(b, "## Customer message\n\n");
	fw_buf_puts(b, r->greeting);
	fw_buf_printf(b, "\n\nThank you for the flare from `%s`. ", inv->flare.hostname);
	if (!inv->flare.has_profiles) {
		fw_buf_puts(b, "It does not contain profiles, so we cannot yet see where the Agent spends its memory "
			       "or CPU. Could you send a new flare created with `datadog-agent flare --profile 30`? "
			       "It takes about a minute longer to create.");
	} else if (v->kind == FW_VERDICT_NORMAL) {
		fw_buf_puts(b, "We analyzed the Agent's memory, CPU and lock profiles and found no sign of a leak, a "
			       "CPU spike or lock contention during the profiling window.");
	} else {
		const struct fw_process_verdict *pv = &v->procs[v->worst];
		fw_buf_printf(b, "The profiles of the `%s` process show ", pv->process);
		if (pv->leak)
			fw_buf_puts(b, "memory that keeps growing");
		if (pv->leak && (pv->cpu || pv->contention))
			fw_buf_puts(b, pv->cpu && pv->contention ? ", " : " and ");
		if (pv->cpu)
			fw_buf_puts(b, "a CPU hot spot");
		if (pv->cpu && pv->contention)
			fw_buf_puts(b, " and ");
		if (pv->contention)
			fw_buf_puts(b, "time spent waiting on locks");
		fw_buf_puts(b, ". We are looking into the cause with our engineering team and may ask for a second "
			       "flare later to confirm the trend.");
	}
	fw_buf_puts(b, "\n\n");
	fw_buf_puts(b, r->signature);
	fw_buf_puts(b, "\n\n");
}

/* The first five rows of pprof's text, with its column header, as pprof
 * wrote them except that unsafe characters are escaped and a line longer
 * than FW_OUT_TEXT_MAX is cut ("…(N bytes cut)"). The table is redacted
 * whole before it is cut into lines: a function name may hold newlines, and
 * a secret spread over them (a PEM block, "- name: DD_API_KEY" then
 * "  value: ...") is only recognized whole. */
static void raw_top(struct fw_buf *b, const char *label, const struct fw_top_table *t)
{
	const char *s, *nl, *end;
	char *red;
	size_t len, n, keep;
	int rows = -1;

	if (!t->present || t->error || !t->text)
		return;
	fw_buf_printf(b, "%s:\n", label);
	s = strstr(t->text, "      flat  flat%");
	if (!s)
		return;
	if (!(red = fw_redact(s, strlen(s), &len))) {
		b->failed = true;
		return;
	}
	/* the redacted text may hold NUL bytes: walk it by its length */
	for (s = red, end = red + len; s < end && rows < 5; rows++) {
		nl = memchr(s, '\n', (size_t)(end - s));
		n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		keep = fw_utf8_cut(s, n, FW_OUT_TEXT_MAX);
		fence_text(b, s, keep, n - keep);
		fw_buf_putc(b, '\n');
		s = nl ? nl + 1 : end;
	}
	free(red);
}

/* A top table for the escalation: left out when it has no sample (an
 * empty block or mutex profile: profiling was off), which the caller lists
 * on one line instead. */
static bool top_is_empty(const struct fw_top_table *t)
{
	return t->present && !t->error && t->total == 0;
}

/* "Profile source and window" of the escalation: the files, each CPU
 * profile's duration and the time between each pair of heap snapshots. */
static void escalation_profiles(const struct fw_investigation *inv, struct fw_buf *b)
{
	const struct fw_flare *f = &inv->flare;
	char a[64];

	fw_buf_puts(b, "Profile source: ");
	if (!f->has_profiles || f->n_pfiles == 0) {
		fw_buf_puts(b, f->has_profiles ? "profiles/ is empty\n" : "no profiles/ in the flare\n");
		return;
	}
	fw_buf_puts(b, "flare profiles/:");
	for (size_t i = 0; i < f->n_pfiles; i++) {
		fw_buf_putc(b, ' ');
		fence_name(b, f->pfiles[i].name);
	}
	fw_buf_putc(b, '\n');
	fw_buf_puts(b, "Profile window:");
	for (size_t i = 0; i < inv->n_procs; i++) {
		const struct fw_process *p = &inv->procs[i];
		fw_buf_printf(b, "%s %s CPU ", i ? ";" : "", p->name);
		if (p->cpu.present && !p->cpu.error && p->cpu.duration_nanos > 0)
			fw_buf_puts(b, nanos(a, sizeof(a), p->cpu.duration_nanos));
		else
			fw_buf_puts(b, "unknown");
		fw_buf_puts(b, ", heap snapshots ");
		if (p->have_heap_diff && p->heap_window == FW_WINDOW_MEASURED)
			fw_buf_printf(b, "%s apart", nanos(a, sizeof(a), p->heap_window_ns));
		else if (p->have_heap_diff)
			fw_buf_puts(b, fw_heap_window_why(p->heap_window));
		else
			fw_buf_puts(b, "not both usable");
	}
	fw_buf_puts(b, inv->n_procs ? "\n" : " no process profiles\n");
}

/* The escalation block, built whole, then fenced with more backticks than
 * any run inside it, so that no content can close the fence. Its fields
 * follow the runbook's template: ticket, agent + OS, uptime, symptom,
 * profile source and window, four top-5 blocks per process, memstats,
 * running checks, flare file. */
static void escalation(const struct fw_investigation *inv, struct fw_buf *out)
{
	const struct fw_flare *f = &inv->flare;
	const struct fw_memstats *m = &f->mem;
	char a[64], c[64], d[64], e[64], g[64], up[FW_UPTIME_BUFSZ];
	char label[160];
	struct fw_buf body, *b = &body, raw;
	size_t fence;
	bool any_empty = false;

	fw_buf_init(b);
	fw_buf_init(&raw);
	fw_buf_puts(b, "Ticket: ");
	fence_name(b, inv->ticket[0] ? inv->ticket : "none");
	fw_buf_puts(b, "\nHost: ");
	fence_name(b, f->hostname);
	fw_buf_puts(b, "\nAgent + OS: ");
	fence_name(b, f->has_status && f->status.agent_version[0] ? f->status.agent_version : "unknown");
	os_raw(f, &raw);
	fw_buf_puts(b, " on ");
	fence_name(b, raw.len ? fw_buf_str(&raw) : "unknown OS");
	fw_buf_puts(b, "\nUptime: ");
	if (f->has_status && f->status.has_uptime) {
		fw_format_uptime(f->status.uptime_sec, up, sizeof(up));
		fw_buf_puts(b, up);
	} else {
		fw_buf_puts(b, "unknown");
	}
	fw_buf_printf(b, "\nVerdict: %s\n", fw_verdict_name(inv->verdict.kind));
	fw_buf_puts(b, "Symptom: ");
	fence_composed(b, inv->verdict.summary);
	if (raw.failed)
		b->failed = true;
	fw_buf_free(&raw);
	fw_buf_init(&raw);
	upgrade_raw(inv, &raw);
	if (raw.len) {
		fw_buf_puts(b, "; after ");
		fence_composed(b, fw_buf_str(&raw));
	}
	if (raw.failed)
		b->failed = true;
	fw_buf_free(&raw);
	fw_buf_putc(b, '\n');
	escalation_profiles(inv, b);
	fw_buf_puts(b, "Flare: ");
	fence_composed(b, inv->flare_name);
	fw_buf_putc(b, '\n');
	if (inv->n_procs)
		fw_buf_puts(b, "\nTop 5 of `pprof -top` per process: heap diff, cpu, block and mutex delay.\n");
	for (size_t i = 0; i < inv->n_procs; i++) {
		const struct fw_process *p = &inv->procs[i];
		fw_buf_putc(b, '\n');
		snprintf(label, sizeof(label), "%s heap diff (inuse_space, 1st -> 2nd)", p->name);
		raw_top(b, label, &p->heap_diff_space);
		snprintf(label, sizeof(label), "%s cpu", p->name);
		raw_top(b, label, &p->cpu);
		if (!top_is_empty(&p->block)) {
			snprintf(label, sizeof(label), "%s block", p->name);
			raw_top(b, label, &p->block);
		}
		if (!top_is_empty(&p->mutex)) {
			snprintf(label, sizeof(label), "%s mutex", p->name);
			raw_top(b, label, &p->mutex);
		}
		any_empty = any_empty || top_is_empty(&p->block) || top_is_empty(&p->mutex);
	}
	if (any_empty) {
		fw_buf_puts(b, "\nEmpty (no sample, left out):");
		for (size_t i = 0; i < inv->n_procs; i++) {
			const struct fw_process *p = &inv->procs[i];
			if (top_is_empty(&p->block))
				fw_buf_printf(b, " %s block", p->name);
			if (top_is_empty(&p->mutex))
				fw_buf_printf(b, " %s mutex", p->name);
		}
		fw_buf_putc(b, '\n');
	}
	fw_buf_putc(b, '\n');
	if (f->has_memstats) {
		fw_memstats_format_ms(m->pause_total_ns, e, sizeof(e));
		fw_buf_printf(b, "memstats: Alloc=%s Sys=%s HeapInuse=%s HeapObjects=",
			      m->has_alloc ? bytes(a, sizeof(a), m->alloc) : "?",
			      m->has_sys ? bytes(c, sizeof(c), m->sys) : "?",
			      m->has_heap_inuse ? bytes(d, sizeof(d), m->heap_inuse) : "?");
		if (m->has_heap_objects)
			fw_buf_printf(b, "%.0f", m->heap_objects);
		else
			fw_buf_putc(b, '?');
		fw_buf_puts(b, " NumGC=");
		if (m->has_num_gc)
			fw_buf_printf(b, "%.0f", m->num_gc);
		else
			fw_buf_putc(b, '?');
		fw_buf_printf(b, " HeapAlloc=%s PauseTotal=%s\n",
			      m->has_heap_alloc ? bytes(g, sizeof(g), m->heap_alloc) : "?",
			      m->has_pause_total_ns ? e : "?");
	} else {
		fw_buf_puts(b, "memstats: not in flare\n");
	}
	if (f->has_goroutines)
		fw_buf_printf(b, "goroutines: %" PRIu64 "\n", f->gor.total);
	fw_buf_puts(b, "Running checks:");
	if (f->has_status && f->status.n_checks) {
		for (size_t i = 0; i < f->status.n_checks; i++) {
			const struct fw_status_check *ck = &f->status.checks[i];
			fw_buf_putc(b, ' ');
			fence_name(b, ck->name);
			fw_buf_printf(b, "[%s", ck->n_error ? "ERROR" : ck->n_warning ? "WARNING" : "OK");
			if (ck->has_avg_exec)
				fw_buf_printf(b, " avg %s", exec_time(a, sizeof(a), ck->avg_exec_ns));
			if (ck->n_error)
				fw_buf_printf(b, ", %zu in error", ck->n_error);
			if (ck->n_warning)
				fw_buf_printf(b, ", %zu warning", ck->n_warning);
			if (ck->never_succeeded)
				fw_buf_puts(b, ", never succeeded");
			fw_buf_putc(b, ']');
		}
		if (f->status.checks_dropped)
			fw_buf_printf(b, " (+%zu more)", f->status.checks_dropped);
	} else {
		fw_buf_puts(b, " none found");
	}
	fw_buf_putc(b, '\n');
	if (body.failed) {
		out->failed = true;
		fw_buf_free(&body);
		return;
	}
	fence = longest_backticks(body.data, body.len) + 1;
	if (fence < 3)
		fence = 3;
	fw_buf_puts(out, "## Escalation summary\n\n");
	for (size_t i = 0; i < fence; i++)
		fw_buf_putc(out, '`');
	fw_buf_putc(out, '\n');
	fw_buf_putn(out, body.data, body.len);
	for (size_t i = 0; i < fence; i++)
		fw_buf_putc(out, '`');
	fw_buf_putc(out, '\n');
	fw_buf_free(&body);
}

int fw_report_markdown(const struct fw_investigation *inv, struct fw_buf *out, struct fw_error *err)
{
	title(inv, out);
	verdict(inv, out);
	memstats(inv, out);
	processes(inv, out);
	traces_goroutines(inv, out);
	checks(inv, out);
	profile_files(inv, out);
	recommendations(inv, out);
	customer_message(inv, out);
	escalation(inv, out);
	if (out->failed)
		return fw_err(err, -ENOMEM, "out of memory writing the report");
	return 0;
}
