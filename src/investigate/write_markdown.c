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
#include "investigate/components.h"
#include "investigate/investigation.h"
#include "investigate/mdtext.h"
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

/* The shared Markdown escapers (mdtext.h), under this file's short names. */
static void md_code(struct fw_buf *b, const char *raw) { fw_md_code(b, raw); }
static void md_code_text(struct fw_buf *b, const char *raw) { fw_md_code_text(b, raw); }
static void md_text(struct fw_buf *b, const char *raw) { fw_md_text(b, raw); }
static void md_text_long(struct fw_buf *b, const char *raw) { fw_md_text_long(b, raw); }
static void md_composed(struct fw_buf *b, const char *raw) { fw_md_composed(b, raw); }
static void fence_composed(struct fw_buf *b, const char *raw) { fw_md_fence_composed(b, raw); }
static void fence_name(struct fw_buf *b, const char *raw) { fw_md_fence_name(b, raw); }

/* The call graph's link (go tool pprof -svg, <proc>-<what>-callgraph.svg),
 * or why it was not drawn. */
static void callgraph_line(struct fw_buf *b, const char *proc, const struct fw_top_table *t,
			   const char *what)
{
	char svg[160];

	fw_svg_name(svg, sizeof(svg), proc, what);
	if (t->callgraph) {
		fw_buf_printf(b, "Call graph: [%s](%s)\n\n", svg, svg);
	} else if (t->callgraph_error) {
		fw_buf_puts(b, "Call graph not drawn: ");
		md_text(b, t->callgraph_error);
		fw_buf_puts(b, ".\n\n");
	}
}

static const char *val(char *buf, size_t len, int64_t v, const char *unit)
{
	fw_unit_label(buf, len, v, unit && *unit ? unit : "count", "auto");
	return buf;
}

/* Byte figures round as the verdict's do (fw_figure_bytes_label). */
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

/* Which analyses ran in each process, and why the others did not
 * (coverage.h): one row per process. */
static void coverage_table(const struct fw_verdict *v, struct fw_buf *b)
{
	fw_buf_puts(b, "**Coverage:**\n\n| Process | Analyzed | Not analyzed, and why |\n|---|---|---|\n");
	for (size_t i = 0; i < v->n_procs; i++) {
		const struct fw_coverage *c = &v->procs[i].coverage;
		bool any = false;
		fw_buf_puts(b, "| ");
		md_text(b, v->procs[i].process);
		fw_buf_puts(b, " | ");
		for (enum fw_analysis a = 0; a < FW_AN_COUNT; a++)
			if (c->a[a].ran) {
				fw_buf_printf(b, "%s%s", any ? ", " : "", fw_analysis_name(a));
				any = true;
			}
		fw_buf_puts(b, any ? " | " : "nothing | ");
		any = false;
		for (enum fw_analysis a = 0; a < FW_AN_COUNT; a++)
			if (!c->a[a].ran) {
				fw_buf_printf(b, "%s%s: ", any ? "<br>" : "", fw_analysis_name(a));
				md_text_long(b, c->a[a].reason);
				any = true;
			}
		fw_buf_puts(b, any ? " |\n" : "– |\n");
	}
	fw_buf_putc(b, '\n');
	if (v->no_usable_profile)
		fw_buf_puts(b, "No profile in this flare could be used, so nothing is known about the Agent's memory, "
			       "CPU or locks. Ask for a new flare made with `datadog-agent flare --profile 30`.\n\n");
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
	if (v->long_term) {
		const char *lt[] = { v->long_term_heap, v->long_term_sys, v->long_term_goroutines };
		for (size_t i = 0; i < 3; i++) {
			if (!lt[i])
				continue;
			fw_buf_puts(b, "**LONG-TERM GROWTH:** ");
			md_composed(b, lt[i]);
			fw_buf_puts(b, " (see History of this host).\n\n");
		}
	}
	if (v->n_procs == 0) {
		fw_buf_puts(b, "profiles/ holds no profile this report can read (named "
			       "`<process>-1st-heap.pprof`, `-cpu.pprof`, `-2nd-heap.pprof`, `-block.pprof`, "
			       "`-mutex.pprof`). Ask for a new flare made with `datadog-agent flare --profile 30`.\n\n");
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
		if (pv->incomplete) {
			fw_buf_printf(b, "%s**Not analyzed:** ", any ? "<br>" : "");
			md_text_long(b, pv->not_analyzed);
		} else if (!any) {
			fw_buf_puts(b, "no rule fired");
		}
		if (pv->borderline_reason) {
			fw_buf_puts(b, "<br>**Borderline:** ");
			md_text_long(b, pv->borderline_reason);
		}
		fw_buf_puts(b, " |\n");
	}
	fw_buf_putc(b, '\n');
	coverage_table(v, b);
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
		fw_buf_printf(b, "| " name " | %s |\n", fw_figure_bytes_label(x, sizeof(x), m->f));
	BYTES_ROW("Alloc", alloc)
	BYTES_ROW("TotalAlloc", total_alloc)
	BYTES_ROW("Sys", sys)
	BYTES_ROW("HeapAlloc", heap_alloc)
	BYTES_ROW("HeapSys", heap_sys)
	BYTES_ROW("HeapInuse", heap_inuse)
	BYTES_ROW("HeapIdle", heap_idle)
	BYTES_ROW("HeapReleased", heap_released)
	BYTES_ROW("StackInuse", stack_inuse)
	BYTES_ROW("StackSys", stack_sys)
	BYTES_ROW("MSpanInuse", mspan_inuse)
	BYTES_ROW("MSpanSys", mspan_sys)
	BYTES_ROW("MCacheInuse", mcache_inuse)
	BYTES_ROW("MCacheSys", mcache_sys)
	BYTES_ROW("BuckHashSys", buck_hash_sys)
	BYTES_ROW("GCSys", gc_sys)
	BYTES_ROW("OtherSys", other_sys)
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
		fw_buf_printf(b, "| NextGC | %s |\n", fw_figure_bytes_label(x, sizeof(x), m->next_gc));
	fw_buf_putc(b, '\n');
}

/* The component of a function for a table cell: its display name, or "-". */
static const char *component_cell(const char *fn)
{
	const struct fw_component *c = fw_component_of(fn);
	return c ? c->name : "-";
}

/* ---- memory sanity (facts and judgement from memsanity.c) ---- */

static const char *ratio(char *buf, size_t len, double r)
{
	snprintf(buf, len, r >= 100 ? "%.0f×" : "%.1f×", r);
	return buf;
}

static void sys_row(struct fw_buf *b, const char *what, struct fw_opt_bytes v, const struct fw_opt_bytes *sys)
{
	char a[64], p[32];

	if (!v.has)
		return;
	fw_buf_printf(b, "| %s | %s | %s |\n", what, fw_figure_bytes_label(a, sizeof(a), (double)v.v),
		      sys->has && sys->v > 0 ? pct(p, sizeof(p), v.v, sys->v) : "-");
}

static const char *sys_part_text(enum fw_sys_part part)
{
	switch (part) {
	case FW_SYS_PART_IDLE_HEAP: return "idle heap the runtime keeps (HeapIdle − HeapReleased)";
	case FW_SYS_PART_RELEASED: return "heap returned to the OS (HeapReleased; counted in Sys, not in RSS)";
	case FW_SYS_PART_FRAGMENTATION: return "free space inside in-use heap spans (HeapInuse − HeapAlloc: fragmentation)";
	case FW_SYS_PART_STACKS: return "goroutine stacks (StackSys)";
	case FW_SYS_PART_RUNTIME: return "GC and runtime metadata";
	case FW_SYS_PART_NONE: break;
	}
	return "";
}

static struct fw_opt_bytes part_value(const struct fw_memsanity *s, enum fw_sys_part part)
{
	struct fw_opt_bytes none = { false, 0 };

	switch (part) {
	case FW_SYS_PART_IDLE_HEAP: return s->idle_retained;
	case FW_SYS_PART_RELEASED: return s->heap_released;
	case FW_SYS_PART_FRAGMENTATION: return s->fragmentation;
	case FW_SYS_PART_STACKS: return s->stack_sys;
	case FW_SYS_PART_RUNTIME: return s->runtime_meta;
	case FW_SYS_PART_NONE: break;
	}
	return none;
}

/* `datadog-agent check NAME -m` as one code span, whatever the name holds. */
static void check_memory_command(struct fw_buf *b, const char *name)
{
	struct fw_buf cmd;

	fw_buf_init(&cmd);
	fw_buf_printf(&cmd, "datadog-agent check %s -m", name);
	if (cmd.failed)
		b->failed = true;
	else
		md_code(b, fw_buf_str(&cmd));
	fw_buf_free(&cmd);
}

static void sanity_one(const struct fw_investigation *inv, const struct fw_memsanity *s, bool with_profiles,
		       struct fw_buf *b)
{
	const struct fw_status *st = &inv->flare.status;
	char a[64], c[64], d[64], r[32];
	const char *sep = "";

	fw_buf_printf(b, "### %s%s\n\n", s->process, with_profiles ? "" : " (no profiles)");
	if (!s->is_core && !s->have_memstats) {
		fw_buf_puts(b, "expvar/memstats, the uptime and the goroutine dump in a flare are the core agent's: "
			       "this flare has none for this process, so only its profiles speak for it.");
		sep = " ";
	} else if (!s->is_core) {
		fw_buf_printf(b, "memstats and uptime from %s (the core agent's expvar/memstats is not this "
				 "process's).", s->memstats_source);
		sep = " ";
	}
	if (s->profile_inuse.has) {
		fw_buf_printf(b, "%sThe 2nd heap profile shows **%s** in use (inuse\\_space total).", sep,
			      fw_figure_bytes_label(a, sizeof(a), (double)s->profile_inuse.v));
		sep = " ";
	} else if (with_profiles) {
		fw_buf_printf(b, "%sThe 2nd heap profile could not be read: no in-use figure to compare.", sep);
		sep = " ";
	}
	if (s->is_core && !s->have_memstats) {
		fw_buf_printf(b, "%sNo expvar/memstats in this flare: nothing to compare the profiles with.", sep);
		sep = " ";
	}
	if (s->have_memstats && s->heap_alloc.has) {
		fw_buf_printf(b, "%s%s: HeapAlloc is **%s**", sep, s->is_core ? "memstats" : s->memstats_source,
			      fw_figure_bytes_label(c, sizeof(c), (double)s->heap_alloc.v));
		if (s->sys.has)
			fw_buf_printf(b, ", Sys **%s**", fw_figure_bytes_label(d, sizeof(d), (double)s->sys.v));
		if (s->has_heap_ratio)
			fw_buf_printf(b, "; HeapAlloc is %s the profile's in-use", ratio(r, sizeof(r), s->heap_ratio));
		if (s->has_sys_ratio)
			fw_buf_printf(b, ", Sys %s", ratio(r, sizeof(r), s->sys_ratio));
		fw_buf_putc(b, '.');
		sep = " ";
	}
	if (*sep)
		fw_buf_puts(b, "\n\n");

	if (s->have_memstats && s->sys.has) {
		fw_buf_puts(b, "| Part of Sys | Bytes | Share |\n|---|---:|---:|\n");
		sys_row(b, "Live heap (HeapAlloc)", s->heap_alloc, &s->sys);
		sys_row(b, "Fragmentation (HeapInuse − HeapAlloc)", s->fragmentation, &s->sys);
		sys_row(b, "Idle heap kept (HeapIdle − HeapReleased)", s->idle_retained, &s->sys);
		sys_row(b, "Heap released to the OS (HeapReleased)", s->heap_released, &s->sys);
		sys_row(b, "Goroutine stacks (StackSys)", s->stack_sys, &s->sys);
		sys_row(b, "GC and runtime metadata", s->runtime_meta, &s->sys);
		sys_row(b, "· GCSys", s->gc_sys, &s->sys);
		sys_row(b, "· MSpanSys", s->mspan_sys, &s->sys);
		sys_row(b, "· MCacheSys", s->mcache_sys, &s->sys);
		sys_row(b, "· BuckHashSys", s->buck_hash_sys, &s->sys);
		sys_row(b, "· OtherSys", s->other_sys, &s->sys);
		if (s->unaccounted.has && s->unaccounted.v > 0)
			sys_row(b, "Not in the Sys fields above (Sys − their sum)", s->unaccounted, &s->sys);
		else if (s->unaccounted.has && s->unaccounted.v < 0)
			fw_buf_printf(b, "| The Sys fields above add up to more than Sys, by | %s | - |\n",
				      fw_figure_bytes_label(a, sizeof(a), (double)-s->unaccounted.v));
		sys_row(b, "**Sys**", s->sys, &s->sys);
		fw_buf_putc(b, '\n');
	}
	if (s->stack_per_goroutine.has)
		fw_buf_printf(b, "Stacks: StackInuse %s for %" PRIu64 " goroutines (go-routine-dump.log), **%s per "
				 "goroutine**.\n\n",
			      fw_figure_bytes_label(a, sizeof(a), (double)s->stack_inuse.v), s->goroutines,
			      fw_figure_bytes_label(c, sizeof(c), (double)s->stack_per_goroutine.v));

	switch (s->steadiness) {
	case FW_STEADY_NOT:
	case FW_STEADY_POSSIBLE:
		{
			char up[FW_UPTIME_BUFSZ];
			fw_format_uptime(s->uptime_ns / 1000000000, up, sizeof(up));
			fw_buf_printf(b, "**Growth over the uptime:** at %s per 30 s, the heap would have grown by **%s** "
					 "in the %s since the agent started, %s HeapAlloc (%s). ",
				      fw_figure_bytes_label(a, sizeof(a), s->growth_per_30s), fw_figure_bytes_label(c, sizeof(c), s->projected_growth), up,
				      ratio(r, sizeof(r), s->projection_ratio), fw_figure_bytes_label(d, sizeof(d), (double)s->heap_alloc.v));
		}
		if (s->steadiness == FW_STEADY_NOT)
			fw_buf_printf(b, "The growth is recent or bursty, not steady: had this rate held since the start, "
					 "the heap would have grown by more than %.0f× what it holds now.\n\n",
				      FW_MEMSANITY_STEADY_FACTOR);
		else
			fw_buf_printf(b, "This rate may have held since the start (the projection is within %.0f× "
					 "HeapAlloc): a steady growth fits these numbers.\n\n",
				      FW_MEMSANITY_STEADY_FACTOR);
		break;
	case FW_STEADY_NO_GROWTH:
		fw_buf_puts(b, "**Growth over the uptime:** the heap did not grow between the snapshots.\n\n");
		break;
	case FW_STEADY_UNKNOWN:
		if (!with_profiles)
			fw_buf_puts(b, "**Growth over the uptime:** not projected: no heap profiles.\n\n");
		else if (!s->has_growth_rate)
			fw_buf_puts(b, "**Growth over the uptime:** not projected: no heap growth rate per 30 s "
				       "(see the heap growth section).\n\n");
		else if (!s->has_uptime)
			fw_buf_puts(b, "**Growth over the uptime:** not projected: the process's uptime is unknown.\n\n");
		else
			fw_buf_puts(b, "**Growth over the uptime:** not projected: HeapAlloc is unknown.\n\n");
		break;
	}

	if (s->heap_mismatch || s->sys_mismatch) {
		fw_buf_printf(b, "**Profiles and memstats disagree** (more than %.0f×): ", FW_MEMSANITY_MISMATCH_FACTOR);
		if (s->heap_mismatch && s->has_heap_ratio)
			fw_buf_printf(b, "HeapAlloc is %s the 2nd heap profile's in-use", ratio(r, sizeof(r), s->heap_ratio));
		else if (s->heap_mismatch)
			fw_buf_puts(b, "the 2nd heap profile shows nothing in use while HeapAlloc does not");
		if (s->sys_mismatch && s->has_sys_ratio)
			fw_buf_printf(b, "%sSys is %s the profile's in-use", s->heap_mismatch ? "; " : "",
				      ratio(r, sizeof(r), s->sys_ratio));
		fw_buf_puts(b, ". Likely causes:\n\n");
		fw_buf_puts(b, "- memstats and the profiles are taken at different times (the flare reads expvar "
			       "separately from the profiles), and the heap profile is as of the last GC while HeapAlloc "
			       "also counts the garbage made since");
		if (s->next_gc.has)
			fw_buf_printf(b, " (the next GC is due at %s)", fw_figure_bytes_label(a, sizeof(a), (double)s->next_gc.v));
		fw_buf_puts(b, ";\n");
		if (s->sys_mismatch && s->largest_part != FW_SYS_PART_NONE) {
			struct fw_opt_bytes v = part_value(s, s->largest_part);
			fw_buf_printf(b, "- the largest part of Sys beyond the live heap is %s: %s;\n",
				      sys_part_text(s->largest_part), fw_figure_bytes_label(a, sizeof(a), (double)v.v));
		}
		fw_buf_puts(b, "- cgo and Python checks allocate with C malloc: that memory is in neither the profiles "
			       "nor memstats (only the process RSS shows it)");
		fw_buf_puts(b, ".\n\n");
	}

	if (s->n_python) {
		size_t shown = s->n_python < FW_MEMSANITY_MAX_PYTHON ? s->n_python : FW_MEMSANITY_MAX_PYTHON;
		fw_buf_printf(b, "**Python checks:** %zu running (", s->n_python);
		for (size_t i = 0; i < shown; i++) {
			if (i)
				fw_buf_puts(b, ", ");
			md_code(b, s->python[i]);
		}
		if (shown < s->n_python)
			fw_buf_printf(b, ", and %zu more", s->n_python - shown);
		fw_buf_puts(b, "). Their memory is allocated by the embedded Python interpreter, outside the Go heap: "
			       "the heap profiles and memstats do not show it. Measure a check's memory with ");
		check_memory_command(b, s->python[0]);
		fw_buf_puts(b, " (and likewise for the others), and compare the process RSS");
		if (inv->flare.has_status && st->has_pid)
			fw_buf_printf(b, " (`ps -o rss= -p %" PRId64 "`)", st->pid);
		fw_buf_puts(b, " with Sys.\n\n");
	}
}

static void memory_sanity(const struct fw_investigation *inv, struct fw_buf *b)
{
	fw_buf_puts(b, "## Memory sanity\n\n");
	if (inv->n_sanity == 0 || !inv->sanity) {
		fw_buf_puts(b, "No profiles and no expvar/memstats: nothing to read against each other.\n\n");
		return;
	}
	for (size_t i = 0; i < inv->n_sanity; i++)
		sanity_one(inv, &inv->sanity[i], i < inv->n_procs, b);
}

/* A figure of the history: bytes as pprof prints them, a count as is, "-"
 * when unknown. */
static void hist_figure(struct fw_buf *b, int64_t v, bool is_bytes)
{
	char x[64];

	if (v < 0)
		fw_buf_puts(b, "-");
	else if (is_bytes)
		fw_buf_puts(b, fw_figure_bytes_label(x, sizeof(x), (double)v));
	else
		fw_buf_printf(b, "%" PRId64, v);
}

static void hist_rate(struct fw_buf *b, const char *what, const struct fw_history_fit *f, bool is_bytes)
{
	char x[64];

	fw_buf_printf(b, "- %s: ", what);
	if (!f->fitted) {
		fw_buf_printf(b, "no trend (%zu flare%s with the figure)\n", f->n, f->n == 1 ? "" : "s");
		return;
	}
	if (is_bytes)
		fw_buf_printf(b, "%s%s per hour", f->per_hour >= 0 ? "+" : "-",
			      fw_figure_bytes_label(x, sizeof(x), fabs(f->per_hour)));
	else
		fw_buf_printf(b, "%+.1f per hour", f->per_hour);
	fw_buf_printf(b, " (least squares over %zu flares, %.1f h)\n", f->n, f->span_h);
}

/* "## History of this host": the earlier flares of this hostname in the
 * investigations tree and this one, whether the agent process is the same
 * (start time and version), and the growth per hour over the flares of the
 * current process (history.h; the verdict section says whether it fired). */
static void history(const struct fw_investigation *inv, struct fw_buf *b)
{
	const struct fw_history *h = &inv->history;
	char up[FW_UPTIME_BUFSZ];

	fw_buf_puts(b, "## History of this host\n\n");
	if (h->n <= 1) {
		fw_buf_puts(b, "No earlier flare of this host in the investigations tree.\n\n");
		return;
	}
	fw_buf_printf(b, "%zu earlier flare%s of this host in the investigations tree%s, oldest first "
			 "(core's figures; the growth is in-use heap per 30 s between the two snapshots).\n\n",
		      h->n - 1, h->n == 2 ? "" : "s", h->omitted ? " (the oldest left out)" : "");
	fw_buf_puts(b, "| Flare time | Agent | Agent start | Uptime | Process | HeapAlloc | Sys | HeapObjects | Goroutines "
		       "| Heap growth /30 s | Top growth function | Verdict | Report |\n"
		       "|---|---|---|---|---|---:|---:|---:|---:|---:|---|---|---|\n");
	for (size_t i = 0; i < h->n; i++) {
		const struct fw_history_row *r = &h->rows[i];
		fw_buf_puts(b, "| ");
		md_text(b, r->time);
		fw_buf_puts(b, " | ");
		md_text(b, r->agent_version[0] ? r->agent_version : "unknown");
		fw_buf_puts(b, " | ");
		md_text(b, r->agent_start[0] ? r->agent_start : "unknown");
		fw_buf_puts(b, " | ");
		if (r->uptime_ns >= 0) {
			fw_format_uptime(r->uptime_ns / 1000000000, up, sizeof(up));
			fw_buf_puts(b, up);
		} else {
			fw_buf_puts(b, "-");
		}
		fw_buf_puts(b, " | ");
		switch (r->change) {
		case FW_HIST_FIRST: fw_buf_puts(b, "-"); break;
		case FW_HIST_SAME: fw_buf_puts(b, "same process"); break;
		case FW_HIST_RESTART: fw_buf_puts(b, "**agent restarted**"); break;
		case FW_HIST_UPGRADE:
			fw_buf_puts(b, "**upgraded ");
			md_text(b, r->prev_version);
			fw_buf_puts(b, " → ");
			md_text(b, r->agent_version);
			fw_buf_puts(b, "**");
			break;
		case FW_HIST_UNKNOWN: fw_buf_puts(b, "unknown (no start time or version)"); break;
		}
		fw_buf_puts(b, " | ");
		hist_figure(b, r->core.heap_alloc, true);
		fw_buf_puts(b, " | ");
		hist_figure(b, r->core.sys, true);
		fw_buf_puts(b, " | ");
		hist_figure(b, r->core.heap_objects, false);
		fw_buf_puts(b, " | ");
		hist_figure(b, r->core.goroutines, false);
		fw_buf_puts(b, " | ");
		if (r->core.has_growth_30s) {
			char x[64];
			fw_buf_printf(b, "%s%s", r->core.growth_30s < 0 ? "-" : "+",
				      fw_figure_bytes_label(x, sizeof(x), fabs((double)r->core.growth_30s)));
		} else {
			fw_buf_puts(b, "-");
		}
		fw_buf_puts(b, " | ");
		if (r->core.top_growth[0])
			md_code(b, r->core.top_growth);
		else
			fw_buf_puts(b, "-");
		fw_buf_puts(b, " | ");
		md_text(b, r->verdict);
		/* our own folder and file names (index.c checked them) */
		if (r->current)
			fw_buf_puts(b, " | this report |\n");
		else
			fw_buf_printf(b, " | [report](../%s) |\n", strchr(r->report, '/') ? strchr(r->report, '/') + 1 : r->report);
	}
	fw_buf_putc(b, '\n');
	if (!h->process_known) {
		fw_buf_puts(b, "This flare's agent start time or version is unknown: no trend across flares.\n\n");
		return;
	}
	fw_buf_printf(b, "Across the %zu flare%s of this agent process (started ", h->cur - h->seg_first + 1,
		      h->cur == h->seg_first ? "" : "s");
	md_text(b, h->rows[h->cur].agent_start);
	fw_buf_puts(b, ", version ");
	md_text(b, h->rows[h->cur].agent_version);
	fw_buf_puts(b, "; flares before a restart or an upgrade are not fitted):\n\n");
	hist_rate(b, "HeapAlloc", &h->heap_alloc, true);
	hist_rate(b, "Sys", &h->sys, true);
	hist_rate(b, "Goroutines", &h->goroutines, false);
	fw_buf_putc(b, '\n');
	if (h->has_before) {
		const struct fw_history_row *o = &h->rows[h->before], *c = &h->rows[h->cur];
		const struct fw_history_row *f = &h->rows[h->seg_first];
		fw_buf_puts(b, f->change == FW_HIST_UPGRADE ? "Before and after the upgrade" :
			       f->change == FW_HIST_RESTART ? "Before and after the restart" :
							      "Before and after the change of process");
		fw_buf_puts(b, " (the last flare of the previous process, ");
		md_text(b, o->time);
		fw_buf_puts(b, ", and this flare): HeapAlloc ");
		hist_figure(b, o->core.heap_alloc, true);
		fw_buf_puts(b, " → ");
		hist_figure(b, c->core.heap_alloc, true);
		fw_buf_puts(b, ", Sys ");
		hist_figure(b, o->core.sys, true);
		fw_buf_puts(b, " → ");
		hist_figure(b, c->core.sys, true);
		fw_buf_puts(b, ", goroutines ");
		hist_figure(b, o->core.goroutines, false);
		fw_buf_puts(b, " → ");
		hist_figure(b, c->core.goroutines, false);
		fw_buf_puts(b, ".\n\n");
	}
}

static void top_rows(struct fw_buf *b, const struct fw_top_table *t, bool with_pct)
{
	char f[64], c[64], fp[32], cp[32];

	if (with_pct)
		fw_buf_puts(b, "| Rank | Function | Component | flat | flat% | cum | cum% |\n"
			       "|---:|---|---|---:|---:|---:|---:|\n");
	else
		fw_buf_puts(b, "| Rank | Function | Component | flat | cum |\n|---:|---|---|---:|---:|\n");
	for (size_t i = 0; i < t->n_rows; i++) {
		const struct fw_top_row *r = &t->rows[i];
		fw_buf_printf(b, "| %zu | ", i + 1);
		md_code(b, r->name);
		fw_buf_printf(b, " | %s", component_cell(r->name));
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

/* An attributed table (process.h): each row an application function or
 * a Python check, the value charged to it, its share and the runtime call
 * it was charged through. */
static void attr_rows(struct fw_buf *b, const struct fw_attr_table *t, const char *unit, const char *what)
{
	char v[64], sh[32];

	fw_buf_printf(b, "| Rank | Application function | Component | %s | Share | Charged via |\n"
			 "|---:|---|---|---:|---:|---|\n", what);
	for (size_t i = 0; i < t->n_rows; i++) {
		const struct fw_attr_row *r = &t->rows[i];
		fw_buf_printf(b, "| %zu | ", i + 1);
		if (r->python) {
			fw_buf_puts(b, "Python check ");
			if (r->check) {
				md_code(b, r->check);
				fw_buf_putc(b, ' ');
			}
			fw_buf_puts(b, "(");
			md_code(b, r->name);
			fw_buf_putc(b, ')');
		} else {
			md_code(b, r->name);
		}
		fw_buf_printf(b, " | %s | %s | %s | ", component_cell(r->name), val(v, sizeof(v), r->value, unit),
			      pct(sh, sizeof(sh), r->value, t->total));
		if (r->via && *r->via)
			md_code(b, r->via);
		else
			fw_buf_puts(b, "(its own code)");
		fw_buf_puts(b, " |\n");
	}
	fw_buf_putc(b, '\n');
}

/* "`fn` is in <component>: <interpretation>. " when a component is known. */
static void interpret(struct fw_buf *b, const char *fn)
{
	const struct fw_component *c = fw_component_of(fn);

	if (!c)
		return;
	md_code(b, fn);
	fw_buf_printf(b, " is in %s: ", c->name);
	md_composed(b, c->interpretation);
	fw_buf_puts(b, ". ");
}

static void heap_section(const struct fw_process *p, const struct fw_process_verdict *v,
			 const struct fw_memsanity *ms, struct fw_buf *b)
{
	const struct fw_top_table *s = &p->heap_diff_space, *o = &p->heap_diff_objects;
	char a[64], c[64], d[64], w[64], e[64];
	char svg[128];

	fw_buf_puts(b, "### Heap growth (1st → 2nd heap snapshot)\n\n");
	if (table_usable(b, s, "heap diff")) {
		bool rate = v->growth_is_rate; /* else no rate: the raw growth */
		fw_figure_nanos_label(w, sizeof(w), p->heap_window_ns);
		if (rate)
			fw_buf_printf(b, "Total growth: **%s** (sum of every function's in-use growth; %s in application "
					 "functions) over %s between the snapshots, that is **%s per 30 s** (%s per 30 s "
					 "in application functions).\n\n",
				      fw_figure_bytes_label(a, sizeof(a), (double)p->growth_total),
				      fw_figure_bytes_label(c, sizeof(c), (double)p->growth_app), w,
				      fw_figure_bytes_label(d, sizeof(d), p->growth_total_30s), fw_figure_bytes_label(e, sizeof(e), p->growth_app_30s));
		else
			fw_buf_printf(b, "Total growth: **%s** (sum of every function's in-use growth; %s in application "
					 "functions) between the snapshots. No rate per 30 s: %s%s%s%s; the rules compare "
					 "this raw growth with their per-30 s thresholds.\n\n",
				      fw_figure_bytes_label(a, sizeof(a), (double)p->growth_total),
				      fw_figure_bytes_label(c, sizeof(c), (double)p->growth_app), fw_heap_window_why(p->heap_window),
				      p->heap_window_ns ? " (" : "", p->heap_window_ns ? w : "",
				      p->heap_window_ns ? " apart)" : "");
		fw_svg_name(svg, sizeof(svg), p->name, "heap-diff");
		if (s->svg)
			fw_buf_printf(b, "Flame graph: [%s](%s)\n\n", svg, svg);
		callgraph_line(b, p->name, s, "heap-diff-callgraph");
		fw_buf_puts(b, "Top 10 by in-use space growth:\n\n");
		top_rows(b, s, false);
		/* 2-3 sentences from the numbers */
		if (p->growth_total <= 0) {
			fw_buf_puts(b, "The in-use heap did not grow between the two snapshots: no function gained memory.\n\n");
		} else {
			double share = p->growth_total ? 100.0 * (double)p->top_growth_app.value / (double)p->growth_total : 0;
			fw_buf_printf(b, "%s%s the in-use heap grew by %s, %.0f%% of it in application code. ",
				      rate ? "In " : "Between the snapshots", rate ? w : "",
				      fw_figure_bytes_label(a, sizeof(a), (double)p->growth_total),
				      100.0 * (double)p->growth_app / (double)p->growth_total);
			if (p->top_growth_app.name && p->top_growth_app.value > 0) {
				fw_buf_puts(b, "The largest application contributor is ");
				md_code(b, p->top_growth_app.name);
				fw_buf_printf(b, " with %s (%.0f%% of the growth). ",
					      fw_figure_bytes_label(a, sizeof(a), (double)p->top_growth_app.value), share);
				interpret(b, p->top_growth_app.name);
			}
			/* "keeps growing" only where the memory sanity's
			 * projection over the uptime allows a steady growth */
			if (v->growth_over_leak && !fw_memsanity_growth_may_be_steady(ms))
				fw_buf_puts(b, "At this rate the process gains more than the leak threshold every 30 s, "
					       "but the rate cannot have held since the agent started (see Memory sanity): "
					       "the growth is recent or bursty, not steady. Memory held this way is live: "
					       "the garbage collector does not release it while it is referenced.\n\n");
			else if (v->growth_over_leak && !rate)
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
	if (s->present && !s->error && p->growth_attr.present && p->growth_attr.n_rows) {
		fw_buf_puts(b, "Growth attributed to the nearest application frame (allocations in the runtime, "
			       "such as `runtime.mallocgc`, charged to the code that asked for them):\n\n");
		attr_rows(b, &p->growth_attr, s->sample_unit, "Growth");
	}
	if (table_usable(b, o, "object-count diff")) {
		fw_buf_puts(b, "Top 10 by in-use objects growth:\n\n");
		top_rows(b, o, false);
	}
	fw_buf_puts(b, "### Current heap (2nd snapshot)\n\n");
	if (table_usable(b, &p->heap_top, "current heap")) {
		fw_buf_printf(b, "In-use space: %s.\n\n", val(a, sizeof(a), p->heap_top.total, p->heap_top.sample_unit));
		top_rows(b, &p->heap_top, false);
		if (p->heap_attr.present && p->heap_attr.n_rows) {
			fw_buf_puts(b, "In-use space attributed to the nearest application frame:\n\n");
			attr_rows(b, &p->heap_attr, p->heap_top.sample_unit, "In use");
		}
	}
}

static void cpu_section(const struct fw_process *p, struct fw_buf *b)
{
	const struct fw_top_table *t = &p->cpu;
	const struct fw_attr_table *at = &p->cpu_attr;
	char a[64], c[64], svg[128];

	fw_buf_puts(b, "### CPU\n\n");
	if (!table_usable(b, t, "CPU profile"))
		return;
	fw_buf_printf(b, "Duration: %s, total samples: %s", fw_figure_nanos_label(a, sizeof(a), t->duration_nanos),
		      val(c, sizeof(c), t->total, t->sample_unit));
	if (t->duration_nanos > 0 && p->cpu_total_ns > 0)
		fw_buf_printf(b, " (%.1f%% of one core)", 100.0 * (double)p->cpu_total_ns / (double)t->duration_nanos);
	fw_buf_puts(b, ".\n\n");
	fw_svg_name(svg, sizeof(svg), p->name, "cpu");
	if (t->svg)
		fw_buf_printf(b, "Flame graph: [%s](%s)\n\n", svg, svg);
	callgraph_line(b, p->name, t, "cpu-callgraph");
	top_rows(b, t, true);
	if (at->present && at->n_rows) {
		fw_buf_puts(b, "CPU attributed to the nearest application frame (runtime work such as `runtime.cgocall` "
			       "or `runtime.mallocgc` charged to the code that caused it):\n\n");
		attr_rows(b, at, t->sample_unit, "CPU");
	}
	if (p->cpu_total_ns > 0) {
		fw_buf_printf(b, "%.0f%% of the CPU time is in application code by flat time, %.0f%% once runtime work "
				 "is charged to the application code that caused it. ",
			      100.0 * (double)p->cpu_app_ns / (double)p->cpu_total_ns,
			      100.0 * (double)p->cpu_attr_app_ns / (double)p->cpu_total_ns);
		if (p->top_cpu_attr.name) {
			double share = 100.0 * (double)p->top_cpu_attr.value / (double)p->cpu_total_ns;
			if (p->top_cpu_attr_python) {
				fw_buf_puts(b, "The busiest is a Python check");
				if (p->top_cpu_attr_check) {
					fw_buf_putc(b, ' ');
					md_code(b, p->top_cpu_attr_check);
				}
				fw_buf_puts(b, ", running in the embedded interpreter through ");
				md_code(b, p->top_cpu_attr.name);
			} else {
				fw_buf_puts(b, "The busiest application function is ");
				md_code(b, p->top_cpu_attr.name);
			}
			fw_buf_printf(b, " with %s (%.1f%% of the samples", fw_figure_nanos_label(a, sizeof(a), p->top_cpu_attr.value), share);
			if (t->duration_nanos > 0)
				fw_buf_printf(b, ", %.1f%% of one core",
					      100.0 * (double)p->top_cpu_attr.value / (double)t->duration_nanos);
			fw_buf_puts(b, "). ");
			interpret(b, p->top_cpu_attr.name);
		}
		if (p->cpu_python_ns > 0 && !(p->top_cpu_attr_python && p->cpu_python_ns == p->top_cpu_attr.value))
			fw_buf_printf(b, "Python checks (`_Cfunc_` calls into the interpreter) use %s in all (%.1f%%). ",
				      fw_figure_nanos_label(a, sizeof(a), p->cpu_python_ns),
				      100.0 * (double)p->cpu_python_ns / (double)p->cpu_total_ns);
		fw_buf_puts(b, "\n\n");
	}
}

/* The block or mutex delay per application function, with the runbook's
 * Contentions and Delay columns (contention.h). */
static void contention_rows(struct fw_buf *b, const struct fw_contention *w, const char *unit)
{
	char d[64], c[64], dp[32], n[64];

	fw_buf_printf(b, "| Rank | Application function | Component | Contentions | Delay | Delay%% | %s |\n"
			 "|---:|---|---|---:|---:|---:|---|\n", w->mutex ? "Unlocked in" : "Waiting in");
	for (size_t i = 0; i < w->n_rows; i++) {
		const struct fw_contention_row *r = &w->rows[i];
		fw_buf_printf(b, "| %zu | ", i + 1);
		md_code(b, r->name);
		fw_buf_printf(b, " | %s | %s | %s | %s | ", component_cell(r->name),
			      val(c, sizeof(c), r->count, "count"), val(d, sizeof(d), r->delay, unit),
			      pct(dp, sizeof(dp), r->delay, w->total));
		md_code(b, r->via && *r->via ? r->via : "?");
		if (!w->mutex && r->idle > 0)
			fw_buf_printf(b, " (%s idle-loop channel wait)", val(n, sizeof(n), r->idle, unit));
		fw_buf_puts(b, " |\n");
	}
	fw_buf_putc(b, '\n');
}

static void wait_kinds(struct fw_buf *b, const struct fw_contention *w, const char *unit)
{
	char d[64], c[64], dp[32];

	fw_buf_puts(b, "| Kind of wait | Contentions | Delay | Delay% |\n|---|---:|---:|---:|\n");
	for (enum fw_wait_kind k = 0; k < FW_WAIT_COUNT; k++) {
		if (!w->by_kind[k] && !w->count_by_kind[k])
			continue;
		fw_buf_printf(b, "| %s | %s | %s | %s |\n", fw_wait_kind_name(k),
			      val(c, sizeof(c), w->count_by_kind[k], "count"), val(d, sizeof(d), w->by_kind[k], unit),
			      pct(dp, sizeof(dp), w->by_kind[k], w->total));
	}
	fw_buf_printf(b, "\nOf the channel waits, %s are goroutines' own loops waiting for work (idle, not "
			 "contention). Counted as contention: %s (lock waits and the other channel waits).\n\n",
		      val(d, sizeof(d), w->idle, unit), val(c, sizeof(c), w->counted, unit));
}

/* The link to a block or mutex profile's delay flame graph, if drawn. */
static void delay_svg_link(const struct fw_process *p, struct fw_buf *b, bool block)
{
	char svg[128];

	fw_svg_name(svg, sizeof(svg), p->name, block ? "block-delay" : "mutex-delay");
	if ((block ? p->block.svg : p->mutex.svg) != NULL)
		fw_buf_printf(b, "Delay flame graph: [%s](%s)\n\n", svg, svg);
}

static void contention_section(const struct fw_process *p, const struct fw_process_verdict *v,
			       struct fw_buf *b, bool block)
{
	const struct fw_top_table *t = block ? &p->block : &p->mutex;
	const struct fw_contention *w = block ? &p->block_wait : &p->mutex_wait;
	const struct fw_fn_value *best = block ? &p->top_block_app : &p->top_mutex_app;
	const char *callee = block ? p->top_block_callee : p->top_mutex_callee;
	const char *what = block ? "blocking" : "mutex";
	char a[64], c[64];

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
		delay_svg_link(p, b, block);
		return;
	}
	fw_buf_printf(b, "Total delay: %s in %s contentions.", val(a, sizeof(a), t->total, t->sample_unit),
		      val(c, sizeof(c), w->total_count, "count"));
	if (best->name && block) {
		fw_buf_puts(b, " The application function that waited most on locks and busy channels is ");
		md_code(b, best->name);
		fw_buf_printf(b, " with %s", fw_figure_nanos_label(a, sizeof(a), best->value));
		if (callee && *callee) {
			fw_buf_puts(b, ", most in ");
			md_code(b, callee);
		}
		fw_buf_putc(b, '.');
	} else if (best->name) {
		fw_buf_puts(b, " The mutex profile charges the delay to the goroutine that held the lock, where it "
			       "unlocked: ");
		md_code(b, best->name);
		fw_buf_printf(b, " held locks others waited %s for", fw_figure_nanos_label(a, sizeof(a), best->value));
		if (callee && *callee) {
			fw_buf_puts(b, " (in ");
			md_code(b, callee);
			fw_buf_putc(b, ')');
		}
		fw_buf_putc(b, '.');
		if (p->have_block && p->block_wait.top.name && p->block_wait.top.lock > 0) {
			fw_buf_putc(b, ' ');
			md_code(b, best->name);
			fw_buf_puts(b, " holds the lock that ");
			md_code(b, p->block_wait.top.name);
			fw_buf_printf(b, " waits on (the block profile shows it waiting %s in lock calls; the profiles do "
					 "not name the lock: the largest holder and the largest waiter are paired).",
				      val(a, sizeof(a), p->block_wait.top.lock, p->block.sample_unit));
		}
	}
	fw_buf_puts(b, "\n\n");
	delay_svg_link(p, b, block);
	contention_rows(b, w, t->sample_unit);
	if (block)
		wait_kinds(b, w, t->sample_unit);
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

/* "Analyzed: heap diff, CPU. Not analyzed: block because ...; mutex
 * because ...." */
static void coverage_line(const struct fw_coverage *c, struct fw_buf *b)
{
	size_t n = 0;

	fw_buf_puts(b, "Analyzed: ");
	for (enum fw_analysis a = 0; a < FW_AN_COUNT; a++)
		if (c->a[a].ran)
			fw_buf_printf(b, "%s%s", n++ ? ", " : "", fw_analysis_name(a));
	if (!n)
		fw_buf_puts(b, "nothing");
	n = 0;
	for (enum fw_analysis a = 0; a < FW_AN_COUNT; a++)
		if (!c->a[a].ran) {
			fw_buf_printf(b, "%s%s because ", n++ ? "; " : ". Not analyzed: ", fw_analysis_name(a));
			md_text_long(b, c->a[a].reason);
		}
	fw_buf_puts(b, ".\n\n");
}

static void processes(const struct fw_investigation *inv, struct fw_buf *b)
{
	for (size_t i = 0; i < inv->n_procs; i++) {
		const struct fw_process *p = &inv->procs[i];
		const struct fw_process_verdict *v = &inv->verdict.procs[i];
		fw_buf_printf(b, "## Process: %s\n\n", p->name);
		coverage_line(&v->coverage, b);
		file_notes(p, b);
		heap_section(p, v, inv->sanity ? &inv->sanity[i] : NULL, b);
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
		fw_buf_printf(b, " | %s |\n", fw_figure_bytes_label(a, sizeof(a), (double)f->pfiles[i].size));
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
		fw_buf_printf(b, " | %s |\n", fw_figure_bytes_label(a, sizeof(a), (double)f->pfiles[i].size));
	}
	fw_buf_putc(b, '\n');
}

/* ---- recommendations -------------------------------------------------------- */

/* The evidence's figure in its unit. */
static const char *evidence_value(char *buf, size_t len, const struct fw_rec_evidence *ev)
{
	if (ev->unit && strcmp(ev->unit, "bytes") == 0)
		return fw_figure_bytes_label(buf, len, (double)ev->value);
	if (ev->unit && strcmp(ev->unit, "nanoseconds") == 0)
		return fw_figure_nanos_label(buf, len, ev->value);
	snprintf(buf, len, "%" PRId64, ev->value);
	return buf;
}

/* recommend.c's list, High first: the priority, the text, the command to
 * run and the evidence (function, figure, files) on a nested line. */
static void recommendations(const struct fw_investigation *inv, struct fw_buf *b)
{
	char a[64];

	fw_buf_puts(b, "## Recommendations\n\n");
	for (size_t i = 0; i < inv->recs.n; i++) {
		const struct fw_recommendation *r = &inv->recs.items[i];
		const struct fw_rec_evidence *ev = &r->ev;
		int indent = snprintf(a, sizeof(a), "%zu. ", i + 1);
		bool any = false;

		fw_buf_printf(b, "%s**%s:** ", a, fw_rec_priority_name(r->priority));
		md_text_long(b, r->text);
		if (r->command) {
			fw_buf_puts(b, " Run: ");
			md_code(b, r->command);
		}
		fw_buf_putc(b, '\n');
		if (!ev->function && !ev->has_value && !ev->n_files)
			continue;
		fw_buf_printf(b, "%*s- Evidence: ", indent, "");
		if (ev->function) {
			md_code(b, ev->function);
			any = true;
		}
		if (ev->has_value) {
			fw_buf_printf(b, "%s%s", any ? ", " : "", evidence_value(a, sizeof(a), ev));
			if (ev->measure)
				fw_buf_printf(b, " (%s)", ev->measure);
			any = true;
		}
		for (size_t k = 0; k < ev->n_files; k++) {
			fw_buf_puts(b, k ? ", " : any ? " in " : "");
			md_code(b, ev->files[k]);
		}
		fw_buf_putc(b, '\n');
	}
	fw_buf_putc(b, '\n');
}

/* "`core-1st-heap.pprof` is empty (0 bytes), ..." for the files of kinds
 * that are not OK; false when all are OK. */
static bool unusable_files(struct fw_buf *b, const struct fw_process *p, const enum fw_profile_kind *kinds, size_t nk)
{
	bool any = false;

	for (size_t i = 0; i < nk; i++) {
		const char *why = NULL;
		char name[160];
		switch (p->files[kinds[i]].state) {
		case FW_PFILE_OK: continue;
		case FW_PFILE_MISSING: why = "missing"; break;
		case FW_PFILE_EMPTY: why = "empty"; break;
		case FW_PFILE_CORRUPT: why = "unreadable"; break;
		}
		snprintf(name, sizeof(name), "%s-%s.pprof", p->name, fw_profile_kind_name(kinds[i]));
		fw_buf_puts(b, any ? ", " : "");
		md_code(b, name);
		fw_buf_printf(b, " is %s", why);
		any = true;
	}
	return any;
}

/* A function as the customer reads it: its short name in a code span. */
static void short_fn(struct fw_buf *b, const char *fn)
{
	md_code(b, fw_function_short_name(fn));
}

/* One process's overview: memory growth over the window (or in use) with
 * its top two functions, then CPU utilisation with its top function and
 * whether the CPU rules found it normal. */
static void customer_process(const struct fw_process *p, const struct fw_process_verdict *v, struct fw_buf *b)
{
	static const enum fw_profile_kind heap[] = { FW_PK_HEAP1, FW_PK_HEAP2 }, cpu[] = { FW_PK_CPU };
	const struct fw_top_table *t = NULL;
	char x[64], y[64];
	size_t shown = 0;

	fw_buf_puts(b, "- ");
	md_code(b, p->name);
	fw_buf_puts(b, ": ");
	if (!v->coverage.a[FW_AN_HEAP_DIFF].ran) {
		fw_buf_puts(b, "its memory could not be analyzed");
		fw_buf_puts(b, " (");
		if (!unusable_files(b, p, heap, 2))
			fw_buf_puts(b, "the two heap profiles could not be compared");
		fw_buf_puts(b, ").");
	} else {
		if (v->growth_is_rate)
			fw_buf_printf(b, "in the %s between the two heap profiles", fw_figure_nanos_label(x, sizeof(x), p->heap_window_ns));
		else
			fw_buf_printf(b, "between the two heap profiles (%s, so no time window is known)",
				      fw_heap_window_why(p->heap_window));
		if (p->growth_total > 0) {
			fw_buf_printf(b, " its in-use heap grew by %s (summed over the functions that grew)",
				      fw_figure_bytes_label(x, sizeof(x), (double)p->growth_total));
			t = &p->heap_diff_space;
		} else {
			fw_buf_puts(b, " its in-use heap did not grow");
			if (p->heap_top.present && !p->heap_top.error)
				t = &p->heap_top;
		}
		/* the top two rows that hold memory (a diff's rows are ordered by
		 * |flat|: the first two positive ones are the largest) */
		for (size_t i = 0; t && i < t->n_rows && shown < 2; i++) {
			if (t->rows[i].flat <= 0)
				continue;
			fw_buf_puts(b, shown ? " and " : t == &p->heap_top ? "; most memory in use is in " : ", most in ");
			short_fn(b, t->rows[i].name);
			fw_buf_printf(b, " (%s)", fw_figure_bytes_label(y, sizeof(y), (double)t->rows[i].flat));
			shown++;
		}
		fw_buf_putc(b, '.');
	}
	fw_buf_putc(b, ' ');
	if (!v->coverage.a[FW_AN_CPU].ran) {
		fw_buf_puts(b, "Its CPU usage could not be analyzed (");
		if (!unusable_files(b, p, cpu, 1))
			fw_buf_puts(b, "the CPU profile gives no CPU time");
		fw_buf_puts(b, ").\n");
		return;
	}
	fw_buf_puts(b, "It used ");
	if (p->cpu_duration_ns > 0)
		fw_buf_printf(b, "%.1f%% of one CPU core during the %s CPU profile",
			      100.0 * (double)p->cpu_total_ns / (double)p->cpu_duration_ns,
			      fw_figure_nanos_label(x, sizeof(x), p->cpu_duration_ns));
	else
		fw_buf_printf(b, "%s of CPU time in its CPU profile", fw_figure_nanos_label(x, sizeof(x), p->cpu_total_ns));
	/* the function (or Python check) its samples are charged to most: the
	 * nearest application frame, so a check's runtime.cgocall is its own */
	if (p->top_cpu_attr.name && p->top_cpu_attr.value > 0 && p->cpu_total_ns > 0) {
		fw_buf_puts(b, ", most for ");
		if (p->top_cpu_attr_python) {
			fw_buf_puts(b, "the Python check ");
			if (p->top_cpu_attr_check) {
				md_code(b, p->top_cpu_attr_check);
				fw_buf_putc(b, ' ');
			}
			fw_buf_putc(b, '(');
			short_fn(b, p->top_cpu_attr.name);
			fw_buf_putc(b, ')');
		} else {
			short_fn(b, p->top_cpu_attr.name);
		}
		fw_buf_printf(b, " (%.1f%% of the samples)", 100.0 * (double)p->top_cpu_attr.value / (double)p->cpu_total_ns);
	}
	fw_buf_puts(b, v->cpu ? ": **abnormal**, a CPU spike.\n" : ": normal.\n");
}

/* "the memory and CPU of `core`, the CPU of `trace`": the processes whose
 * memory and/or CPU were (analyzed) or were not (!analyzed) analyzed;
 * false when there is none. */
static bool coverage_list(const struct fw_investigation *inv, bool analyzed, struct fw_buf *b)
{
	size_t n = 0;

	for (size_t i = 0; i < inv->n_procs && i < inv->verdict.n_procs; i++) {
		const struct fw_process *p = &inv->procs[i];
		const struct fw_coverage *c = &inv->verdict.procs[i].coverage;
		bool mem = c->a[FW_AN_HEAP_DIFF].ran == analyzed, cpu = c->a[FW_AN_CPU].ran == analyzed;
		if (!mem && !cpu)
			continue;
		fw_buf_puts(b, n ? ", " : "");
		fw_buf_puts(b, mem && cpu ? "the memory and CPU of " : mem ? "the memory of " : "the CPU of ");
		md_code(b, p->name);
		n++;
	}
	return n > 0;
}

/* The finding (what fired, per process) and the next step, in 1-2
 * sentences; "memory that keeps growing" only where the leak rule fired.
 * When memory or CPU could not be analyzed somewhere (the verdict's
 * INCONCLUSIVE), it says what could and what could not. */
static void customer_finding(const struct fw_investigation *inv, struct fw_buf *b)
{
	const struct fw_verdict *v = &inv->verdict;
	bool leak = false, cpu = false, contention = false, first = true, partial;
	struct fw_buf ok, missing;

	fw_buf_init(&ok);
	fw_buf_init(&missing);
	coverage_list(inv, true, &ok);
	partial = coverage_list(inv, false, &missing);
	for (size_t i = 0; i < inv->n_procs && i < v->n_procs; i++) {
		const struct fw_process *p = &inv->procs[i];
		const struct fw_process_verdict *pv = &v->procs[i];
		int k = 0;
		if (!pv->leak && !pv->cpu && !pv->contention)
			continue;
		fw_buf_puts(b, first ? "The profiles of " : "; those of ");
		md_code(b, p->name);
		fw_buf_puts(b, " show ");
		if (pv->leak) {
			/* "keeps growing" only where the rate could have held
			 * since the agent started (memsanity.h) */
			fw_buf_puts(b, fw_memsanity_growth_may_be_steady(inv->sanity && i < inv->n_sanity ? &inv->sanity[i]
													 : NULL)
					       ? "memory that keeps growing"
					       : "memory that grew quickly while the profiles were taken");
			if (pv->leak_fn) {
				fw_buf_puts(b, " (most in ");
				short_fn(b, pv->leak_fn);
				fw_buf_putc(b, ')');
			}
			k++;
		}
		if (pv->cpu) {
			fw_buf_puts(b, k ? (pv->contention ? ", " : " and ") : "");
			fw_buf_puts(b, "a CPU hot spot");
			if (pv->cpu_fn) {
				fw_buf_puts(b, " in ");
				short_fn(b, pv->cpu_fn);
			}
			k++;
		}
		if (pv->contention) {
			fw_buf_puts(b, k ? " and " : "");
			fw_buf_puts(b, "time spent waiting on locks");
			if (pv->contention_fn) {
				fw_buf_puts(b, " in ");
				short_fn(b, pv->contention_fn);
			}
		}
		leak |= pv->leak;
		cpu |= pv->cpu;
		contention |= pv->contention;
		first = false;
	}
	if (!first)
		fw_buf_puts(b, ". ");
	if (v->long_term) {
		/* LONG-TERM GROWTH (verdict.h): across flares, not this window */
		const struct fw_history_fit *f = v->long_term_heap ? &inv->history.heap_alloc : &inv->history.sys;
		char x[64];
		fw_buf_puts(b, "Compared with your earlier flares of this host from the same running Agent, its memory "
			       "keeps growing from one flare to the next");
		if (v->long_term_heap || v->long_term_sys)
			fw_buf_printf(b, " (Go %s: about +%s per hour over %.1f hours)",
				      v->long_term_heap ? "heap, HeapAlloc" : "memory, Sys",
				      fw_figure_bytes_label(x, sizeof(x), f->per_hour), f->span_h);
		fw_buf_puts(b, ". ");
		leak = true;
		first = false;
	}
	if (leak)
		fw_buf_puts(b, "Could you send a second flare made with `datadog-agent flare --profile 30` in a few hours, "
			       "and tell us how the Agent's memory use (RSS) evolves, so that we can confirm whether the "
			       "growth continues?");
	else if (cpu)
		fw_buf_puts(b, "Could you send a flare with a longer CPU profile, made with "
			       "`datadog-agent flare --profile 60` while the CPU usage is high?");
	else if (contention)
		fw_buf_puts(b, "Could you send a flare made with `datadog-agent flare --profile 30 --profile-blocking "
			       "--profile-mutex` while the slowdown happens?");
	if (!first && partial) {
		fw_buf_puts(b, " We could not analyze ");
		fw_buf_puts(b, fw_buf_str(&missing));
		fw_buf_puts(b, "; that flare will cover it too.");
	} else if (partial || v->kind == FW_VERDICT_INCONCLUSIVE) {
		if (ok.len) {
			fw_buf_puts(b, "We could analyze ");
			fw_buf_puts(b, fw_buf_str(&ok));
			fw_buf_puts(b, partial ? " but not " : ", ");
		} else {
			fw_buf_puts(b, "We could not analyze ");
		}
		fw_buf_puts(b, partial ? fw_buf_str(&missing) : "");
		fw_buf_puts(b, partial ? ", so we cannot tell yet whether the Agent behaves normally. "
				       : "but these profiles do not allow a conclusion yet. ");
		fw_buf_puts(b, "Could you send a new flare made with `datadog-agent flare --profile 30`?");
	} else if (first) {
		fw_buf_puts(b, "We found no sign of a memory leak, a CPU spike or lock contention in these profiles. If "
			       "you still see the problem, could you tell us when it happens and send a flare made with "
			       "`datadog-agent flare --profile 30` at that time?");
	}
	if (ok.failed || missing.failed)
		b->failed = true;
	fw_buf_free(&ok);
	fw_buf_free(&missing);
}

static void customer_message(const struct fw_investigation *inv, struct fw_buf *b)
{
	const struct fw_config_report *r = &inv->cfg->report;
	const struct fw_flare *f = &inv->flare;
	const struct fw_memstats *m = &f->mem;
	bool ver = f->has_status && f->status.agent_version[0], up = f->has_status && f->status.has_uptime;
	char x[64], upt[FW_UPTIME_BUFSZ];

	if (!r->customer_message)
		return;
	fw_buf_puts(b, "## Customer message\n\n");
	fw_buf_puts(b, r->greeting);
	fw_buf_puts(b, "\n\nThank you for the flare from ");
	md_code(b, f->has_status && f->status.hostname[0] ? f->status.hostname : f->hostname);
	if (ver || up) {
		fw_buf_puts(b, " (");
		if (ver) {
			fw_buf_puts(b, "Agent ");
			md_text(b, f->status.agent_version);
		}
		if (up) {
			fw_format_uptime(f->status.uptime_sec, upt, sizeof(upt));
			fw_buf_printf(b, "%srunning for %s", ver ? ", " : "", upt);
		}
		fw_buf_putc(b, ')');
	}
	fw_buf_puts(b, ". ");
	if (!f->has_profiles || inv->n_procs == 0) {
		fw_buf_puts(b, f->has_profiles ? "Its profiles/ folder holds no profile we can read"
					       : "It does not contain profiles");
		fw_buf_puts(b, ", so we cannot yet see where the Agent spends its memory or CPU. Could you send a new "
			       "flare created with `datadog-agent flare --profile 30`? It takes about a minute longer to "
			       "create.\n\n");
	} else {
		fw_buf_puts(b, "Here is what it shows:\n\n");
		if (f->has_memstats && (m->has_heap_inuse || m->has_heap_objects)) {
			fw_buf_puts(b, "- The Agent's Go heap (expvar/memstats) holds ");
			if (m->has_heap_inuse)
				fw_buf_printf(b, "%s in use (HeapInuse)", fw_figure_bytes_label(x, sizeof(x), m->heap_inuse));
			if (m->has_heap_objects)
				fw_buf_printf(b, "%s%.0f objects (HeapObjects)", m->has_heap_inuse ? " in " : "",
					      m->heap_objects);
			fw_buf_puts(b, ".\n");
		}
		for (size_t i = 0; i < inv->n_procs && i < inv->verdict.n_procs; i++)
			customer_process(&inv->procs[i], &inv->verdict.procs[i], b);
		fw_buf_putc(b, '\n');
		customer_finding(inv, b);
		fw_buf_puts(b, "\n\n");
	}
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
		fw_md_fence_text(b, s, keep, n - keep);
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
			fw_buf_puts(b, fw_figure_nanos_label(a, sizeof(a), p->cpu.duration_nanos));
		else
			fw_buf_puts(b, "unknown");
		fw_buf_puts(b, ", heap snapshots ");
		if (p->have_heap_diff && p->heap_window == FW_WINDOW_MEASURED)
			fw_buf_printf(b, "%s apart", fw_figure_nanos_label(a, sizeof(a), p->heap_window_ns));
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
			      m->has_alloc ? fw_figure_bytes_label(a, sizeof(a), m->alloc) : "?",
			      m->has_sys ? fw_figure_bytes_label(c, sizeof(c), m->sys) : "?",
			      m->has_heap_inuse ? fw_figure_bytes_label(d, sizeof(d), m->heap_inuse) : "?");
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
			      m->has_heap_alloc ? fw_figure_bytes_label(g, sizeof(g), m->heap_alloc) : "?",
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
	fence = fw_md_longest_backticks(body.data, body.len) + 1;
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
	memory_sanity(inv, out);
	history(inv, out);
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
