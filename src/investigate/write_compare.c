/*
 * write_compare.c: the flare comparison (compare.h) as Markdown (compare.md)
 * and JSON (compare.json, schema/compare.schema.json). It prints the
 * figures compare.c gathered; every flare string is redacted, cut and
 * escaped field by field (mdtext.h, base/outtext.h).
 */
#include "investigate/compare.h"
#include "investigate/mdtext.h"
#include "investigate/verdict.h"
#include "base/outtext.h"
#include "pprof/units.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- Markdown ------------------------------------------------------------------- */

/* A value of the diff's unit, as pprof prints it ("30.42MB", "-160ms"). */
static const char *val(char *buf, size_t len, int64_t v, const char *unit)
{
	fw_unit_label(buf, len, v, unit && *unit ? unit : "count", "auto");
	return buf;
}

/* A rate in nanoseconds per second, in the largest of ms/s, µs/s, ns/s that
 * keeps it at 1 or more; 0 is "0". */
static const char *ms_ps(char *buf, size_t len, double ns_ps)
{
	double a = fabs(ns_ps);

	if (ns_ps == 0)
		snprintf(buf, len, "0");
	else if (a >= 1e6)
		snprintf(buf, len, "%.2f ms/s", ns_ps / 1e6);
	else if (a >= 1e3)
		snprintf(buf, len, "%.2f µs/s", ns_ps / 1e3);
	else
		snprintf(buf, len, "%.2f ns/s", ns_ps);
	return buf;
}

static void side_md(struct fw_buf *b, const char *label, const struct fw_cmp_side *s)
{
	const struct fw_flare *f = &s->flare;
	char when[64];

	fw_buf_printf(b, "**%s:** ", label);
	fw_md_code(b, s->input);
	fw_buf_printf(b, " (%s", s->kind);
	if (strcmp(s->kind, "folder") != 0) {
		fw_buf_puts(b, ": flare ");
		fw_md_code(b, s->flare_name);
	}
	fw_buf_puts(b, ") · **Hostname:** ");
	fw_md_code(b, f->has_status && f->status.hostname[0] ? f->status.hostname : f->hostname);
	fw_buf_puts(b, " · **Agent:** ");
	if (f->has_status && f->status.agent_version[0])
		fw_md_text(b, f->status.agent_version);
	else
		fw_buf_puts(b, "unknown");
	if (!fw_utc_format(when, sizeof(when), f->time_ms, FW_UTC_TEXT))
		snprintf(when, sizeof(when), "-");
	fw_buf_printf(b, " · **Flare date:** %s (%s)", when, f->time_source);
	if (s->sha256[0])
		fw_buf_printf(b, " · **SHA-256:** `%s`", s->sha256);
	fw_buf_puts(b, "\n\n");
}

static void mem_md(struct fw_buf *b, const struct fw_comparison *c)
{
	bool any = false;

	fw_buf_puts(b, "## Memory stats (expvar)\n\n");
	for (int p = 0; p < 2; p++) {
		const struct fw_cmp_mem *m = &c->mem[p];
		for (int k = 0; k < FW_CMP_MEM_FIELDS; k++) {
			char o[64] = "–", n[64] = "–", d[96] = "–";
			bool bytes = k == FW_CMP_HEAP_ALLOC || k == FW_CMP_SYS || k == FW_CMP_HEAP_INUSE;
			if (!m->has_old[k] && !m->has_new[k])
				continue;
			if (!any)
				fw_buf_puts(b, "| Process | Figure | Old | New | Change |\n|---|---|---:|---:|---:|\n");
			any = true;
			if (m->has_old[k]) {
				if (bytes)
					fw_figure_bytes_label(o, sizeof(o), m->old_v[k]);
				else
					snprintf(o, sizeof(o), "%.0f", m->old_v[k]);
			}
			if (m->has_new[k]) {
				if (bytes)
					fw_figure_bytes_label(n, sizeof(n), m->new_v[k]);
				else
					snprintf(n, sizeof(n), "%.0f", m->new_v[k]);
			}
			if (m->has_old[k] && m->has_new[k]) {
				double delta = m->new_v[k] - m->old_v[k];
				char x[64];
				if (bytes)
					fw_figure_bytes_label(x, sizeof(x), delta);
				else
					snprintf(x, sizeof(x), "%.0f", delta);
				if (m->old_v[k] != 0)
					snprintf(d, sizeof(d), "%s%s (%+.1f %%)", delta > 0 ? "+" : "", x,
						 100.0 * delta / m->old_v[k]);
				else
					snprintf(d, sizeof(d), "%s%s", delta > 0 ? "+" : "", x);
			}
			fw_buf_printf(b, "| %s | %s | %s | %s | %s |\n", m->process, fw_cmp_mem_name(k), o, n, d);
		}
	}
	fw_buf_puts(b, any ? "\n" : "Neither flare has expvar memstats or a goroutine dump.\n\n");
}

static const char *exec_time(char *buf, size_t len, bool has, int64_t ns)
{
	if (!has)
		snprintf(buf, len, "–");
	else
		snprintf(buf, len, "%.3f s", (double)ns / 1e9);
	return buf;
}

static void checks_md(struct fw_buf *b, const struct fw_comparison *c)
{
	char o[32], n[32];

	fw_buf_puts(b, "## Checks\n\n");
	if (!c->checks_known) {
		fw_buf_puts(b, "Not compared: a flare has no status.log with the running checks.\n\n");
		return;
	}
	if (c->n_checks == 0) {
		fw_buf_printf(b, "No check added, removed, or slower (Average Execution Time up by %d %% and %d ms).\n\n",
			      FW_CMP_SLOWER_PCT, (int)(FW_CMP_SLOWER_MIN_NS / 1000000));
		return;
	}
	fw_buf_puts(b, "| Check | Change | Average execution time, old | new |\n|---|---|---:|---:|\n");
	for (size_t i = 0; i < c->n_checks; i++) {
		const struct fw_cmp_check *x = &c->checks[i];
		fw_buf_puts(b, "| ");
		fw_md_code(b, x->name);
		fw_buf_printf(b, " | %s | %s | %s |\n", fw_cmp_check_change_id(x->change),
			      exec_time(o, sizeof(o), x->has_old, x->old_ns), exec_time(n, sizeof(n), x->has_new, x->new_ns));
	}
	fw_buf_printf(b, "\n\"slower\": the Average Execution Time grew by at least %d %% and %d ms.\n\n",
		      FW_CMP_SLOWER_PCT, (int)(FW_CMP_SLOWER_MIN_NS / 1000000));
}

static void diff_md(struct fw_buf *b, const char *proc, const char *what, const char *svg_what,
		    const struct fw_cmp_diff *d)
{
	const struct fw_top_table *t = &d->top;
	const char *unit = t->sample_unit;
	char v1[64], v2[64], v3[64], pc[32], svg[160];

	fw_buf_printf(b, "### %s\n\n", what);
	if (!d->done) {
		fw_buf_puts(b, "Not compared: ");
		fw_md_text_long(b, d->why_not ? d->why_not : "no result");
		fw_buf_puts(b, "\n\n");
		return;
	}
	fw_buf_printf(b, "Grew %s, shrank %s, net %s%s (functions' flat values; pprof's total, the old flare's, is %s).\n\n",
		      val(v1, sizeof(v1), d->grew, unit), val(v2, sizeof(v2), -d->shrank, unit),
		      fw_add64(d->grew, d->shrank) > 0 ? "+" : "", val(v3, sizeof(v3), fw_add64(d->grew, d->shrank), unit),
		      val(pc, sizeof(pc), t->total, unit));
	if (d->n_comps) {
		fw_buf_puts(b, "| Component | Grew | Shrank | Net |\n|---|---:|---:|---:|\n");
		for (size_t i = 0; i < d->n_comps; i++) {
			const struct fw_cmp_component *k = &d->comps[i];
			fw_buf_puts(b, "| ");
			fw_md_text(b, k->name);
			fw_buf_printf(b, " | %s | %s | %s |\n", val(v1, sizeof(v1), k->grew, unit),
				      val(v2, sizeof(v2), -k->shrank, unit),
				      val(v3, sizeof(v3), fw_add64(k->grew, k->shrank), unit));
		}
		fw_buf_putc(b, '\n');
	}
	if (t->n_rows) {
		fw_buf_puts(b, "| Function | Flat | Flat % | Cum | Cum % |\n|---|---:|---:|---:|---:|\n");
		for (size_t i = 0; i < t->n_rows; i++) {
			char p1[32], p2[32];
			fw_buf_puts(b, "| ");
			fw_md_code(b, t->rows[i].name);
			fw_percentage(p1, sizeof(p1), t->rows[i].flat, t->total);
			fw_percentage(p2, sizeof(p2), t->rows[i].cum, t->total);
			fw_buf_printf(b, " | %s | %s | %s | %s |\n", val(v1, sizeof(v1), t->rows[i].flat, unit), p1,
				      val(v2, sizeof(v2), t->rows[i].cum, unit), p2);
		}
		fw_buf_putc(b, '\n');
	}
	fw_buf_puts(b, "The same table: `");
	fw_buf_puts(b, d->command);
	fw_buf_puts(b, "`");
	if (t->svg) {
		fw_compare_svg_name(svg, sizeof(svg), proc, svg_what);
		fw_buf_puts(b, " · differential flame graph: ");
		fw_md_code(b, svg);
	}
	fw_buf_puts(b, "\n\n");
}

static void rate_md(struct fw_buf *b, const char *what, bool cpu, const struct fw_cmp_rate *r)
{
	char o[48], n[48], d[48], oc[48] = "", nc[48] = "";

	fw_buf_printf(b, "### %s per second\n\n", what);
	if (!r->has_old || !r->has_new) {
		fw_buf_puts(b, "Not compared: ");
		fw_md_text_long(b, r->why_not ? r->why_not : "no result");
		fw_buf_puts(b, "\n\n");
		return;
	}
	if (cpu) {
		snprintf(oc, sizeof(oc), " (%.1f %% of a core)", (double)r->old_ns / r->old_sec / 1e7);
		snprintf(nc, sizeof(nc), " (%.1f %% of a core)", (double)r->new_ns / r->new_sec / 1e7);
	}
	fw_buf_printf(b, "Old %s%s over %.2f s of %s; new %s%s over %.2f s of %s.\n\n",
		      ms_ps(o, sizeof(o), (double)r->old_ns / r->old_sec), oc, r->old_sec,
		      !strcmp(r->per_old, "uptime") ? "uptime (the profile counts since the start)" : "profile",
		      ms_ps(n, sizeof(n), (double)r->new_ns / r->new_sec), nc, r->new_sec,
		      !strcmp(r->per_new, "uptime") ? "uptime (the profile counts since the start)" : "profile");
	if (!r->n_rows)
		return;
	fw_buf_puts(b, "| Function (flat) | Old | New | Change |\n|---|---:|---:|---:|\n");
	for (size_t i = 0; i < r->n_rows; i++) {
		const struct fw_cmp_fn_rate *x = &r->rows[i];
		fw_buf_puts(b, "| ");
		fw_md_code(b, x->name);
		ms_ps(d, sizeof(d), x->new_ps - x->old_ps);
		fw_buf_printf(b, " | %s | %s | %s%s |\n", ms_ps(o, sizeof(o), x->old_ps), ms_ps(n, sizeof(n), x->new_ps),
			      x->new_ps > x->old_ps ? "+" : "", d);
	}
	fw_buf_putc(b, '\n');
}

int fw_compare_markdown(const struct fw_comparison *c, struct fw_buf *b, struct fw_error *err)
{
	const struct fw_flare *of = &c->old.flare, *nf = &c->new.flare;

	fw_buf_puts(b, "# Flare comparison: ");
	fw_md_text(b, of->hostname);
	if (c->hosts_differ) {
		fw_buf_puts(b, " → ");
		fw_md_text(b, nf->hostname);
	}
	fw_buf_puts(b, "\n\n");
	side_md(b, "Old", &c->old);
	side_md(b, "New", &c->new);
	if (c->hosts_differ) {
		fw_buf_puts(b, "**These flares come from two different hosts** (");
		fw_md_code(b, of->hostname);
		fw_buf_puts(b, " and ");
		fw_md_code(b, nf->hostname);
		fw_buf_puts(b, "): the differences below are between two agents, not one agent over time.\n\n");
	}
	if (c->same_content)
		fw_buf_puts(b, "**Both inputs are the same flare**: every difference below is zero.\n\n");
	if (c->version_changed) {
		fw_buf_puts(b, "**Agent version changed:** ");
		fw_md_text(b, of->status.agent_version);
		fw_buf_puts(b, " → ");
		fw_md_text(b, nf->status.agent_version);
		fw_buf_puts(b, "\n\n");
	} else if (of->has_status && of->status.agent_version[0] && nf->has_status && nf->status.agent_version[0]) {
		fw_buf_puts(b, "Agent version unchanged: ");
		fw_md_text(b, nf->status.agent_version);
		fw_buf_puts(b, "\n\n");
	}
	mem_md(b, c);
	checks_md(b, c);
	for (size_t i = 0; i < c->n_procs; i++) {
		const struct fw_cmp_proc *p = &c->procs[i];
		fw_buf_puts(b, "## Process ");
		fw_md_code(b, p->name);
		fw_buf_puts(b, "\n\n");
		if (!p->in_old || !p->in_new) {
			fw_buf_printf(b, "Only in the %s flare: not compared.\n\n", p->in_old ? "old" : "new");
			continue;
		}
		diff_md(b, p->name, "Heap in use: the new flare's 2nd snapshot against the old flare's", "heap", &p->heap);
		rate_md(b, "CPU", true, &p->cpu);
		diff_md(b, p->name, "CPU shares: the new profile scaled to the old one's total (pprof -normalize)", "cpu",
			&p->cpu_norm);
		rate_md(b, "Block delay", false, &p->block);
		rate_md(b, "Mutex delay", false, &p->mutex);
	}
	if (b->failed)
		return fw_err(err, -ENOMEM, "out of memory writing the comparison");
	return 0;
}

/* ---- JSON ------------------------------------------------------------------------ */

static void key(struct fw_buf *b, bool *first, const char *k)
{
	fw_buf_printf(b, "%s\"%s\":", *first ? "" : ",", k);
	*first = false;
}

static void jstr(struct fw_buf *b, const char *s)
{
	fw_out_json(b, s, FW_OUT_NAME_MAX);
}

static void jtext(struct fw_buf *b, const char *s)
{
	fw_out_json(b, s, FW_OUT_TEXT_MAX);
}

/* A finite number, or null. */
static void jnum(struct fw_buf *b, bool has, double v)
{
	if (has && isfinite(v))
		fw_buf_printf(b, "%.17g", v);
	else
		fw_buf_puts(b, "null");
}

static void side_json(struct fw_buf *b, const struct fw_cmp_side *s)
{
	const struct fw_flare *f = &s->flare;
	char when[64];
	bool first = true;

	fw_buf_putc(b, '{');
	key(b, &first, "input");
	jstr(b, s->input);
	key(b, &first, "kind");
	jstr(b, s->kind);
	key(b, &first, "flare_file");
	jstr(b, s->flare_name);
	key(b, &first, "sha256");
	if (s->sha256[0])
		fw_buf_printf(b, "\"%s\"", s->sha256);
	else
		fw_buf_puts(b, "null");
	key(b, &first, "hostname");
	jstr(b, f->hostname);
	key(b, &first, "agent_version");
	jstr(b, f->has_status && f->status.agent_version[0] ? f->status.agent_version : NULL);
	key(b, &first, "flare_time");
	if (fw_utc_format(when, sizeof(when), f->time_ms, FW_UTC_ISO))
		fw_buf_printf(b, "\"%s\"", when);
	else
		fw_buf_puts(b, "null");
	key(b, &first, "time_source");
	jstr(b, f->time_source);
	fw_buf_putc(b, '}');
}

static void diff_json(struct fw_buf *b, const char *proc, const char *svg_what, const struct fw_cmp_diff *d)
{
	const struct fw_top_table *t = &d->top;
	bool first = true;
	char svg[160];

	fw_buf_putc(b, '{');
	key(b, &first, "done");
	fw_buf_puts(b, d->done ? "true" : "false");
	key(b, &first, "why_not");
	jtext(b, d->done ? NULL : d->why_not ? d->why_not : "no result");
	if (!d->done) {
		fw_buf_putc(b, '}');
		return;
	}
	key(b, &first, "command");
	jtext(b, d->command);
	key(b, &first, "sample_type");
	jstr(b, t->sample_type);
	key(b, &first, "unit");
	jstr(b, t->sample_unit);
	key(b, &first, "total");
	fw_buf_printf(b, "%" PRId64, t->total);
	key(b, &first, "grew");
	fw_buf_printf(b, "%" PRId64, d->grew);
	key(b, &first, "shrank");
	fw_buf_printf(b, "%" PRId64, d->shrank);
	key(b, &first, "net");
	fw_buf_printf(b, "%" PRId64, fw_add64(d->grew, d->shrank));
	key(b, &first, "top");
	fw_buf_putc(b, '[');
	for (size_t i = 0; i < t->n_rows; i++) {
		fw_buf_puts(b, i ? ",{\"function\":" : "{\"function\":");
		jstr(b, t->rows[i].name);
		fw_buf_printf(b, ",\"flat\":%" PRId64 ",\"cum\":%" PRId64 "}", t->rows[i].flat, t->rows[i].cum);
	}
	fw_buf_putc(b, ']');
	key(b, &first, "components");
	fw_buf_putc(b, '[');
	for (size_t i = 0; i < d->n_comps; i++)
		fw_buf_printf(b, "%s{\"id\":\"%s\",\"grew\":%" PRId64 ",\"shrank\":%" PRId64 "}", i ? "," : "",
			      d->comps[i].id, d->comps[i].grew, d->comps[i].shrank);
	fw_buf_putc(b, ']');
	key(b, &first, "pprof_top");
	/* pprof's own text, function names included: redacted and escaped
	 * as a whole, never cut (its numbers are what tests compare) */
	fw_out_json(b, t->text, (size_t)-1 / 2);
	key(b, &first, "flamegraph");
	if (t->svg) {
		fw_compare_svg_name(svg, sizeof(svg), proc, svg_what);
		jstr(b, svg);
	} else {
		fw_buf_puts(b, "null");
	}
	fw_buf_putc(b, '}');
}

static void rate_side_json(struct fw_buf *b, const char *per, double sec, int64_t ns)
{
	fw_buf_printf(b, "{\"per\":\"%s\",\"seconds\":", per);
	jnum(b, true, sec);
	fw_buf_printf(b, ",\"total_ns\":%" PRId64 ",\"ns_per_second\":", ns);
	jnum(b, true, (double)ns / sec);
	fw_buf_putc(b, '}');
}

static void rate_json(struct fw_buf *b, const struct fw_cmp_rate *r)
{
	bool ok = r->has_old && r->has_new;

	fw_buf_printf(b, "{\"done\":%s,\"why_not\":", ok ? "true" : "false");
	jtext(b, ok ? NULL : r->why_not ? r->why_not : "no result");
	if (!ok) {
		fw_buf_putc(b, '}');
		return;
	}
	fw_buf_puts(b, ",\"old\":");
	rate_side_json(b, r->per_old, r->old_sec, r->old_ns);
	fw_buf_puts(b, ",\"new\":");
	rate_side_json(b, r->per_new, r->new_sec, r->new_ns);
	fw_buf_puts(b, ",\"functions\":[");
	for (size_t i = 0; i < r->n_rows; i++) {
		fw_buf_puts(b, i ? ",{\"function\":" : "{\"function\":");
		jstr(b, r->rows[i].name);
		fw_buf_puts(b, ",\"old_ns_per_second\":");
		jnum(b, true, r->rows[i].old_ps);
		fw_buf_puts(b, ",\"new_ns_per_second\":");
		jnum(b, true, r->rows[i].new_ps);
		fw_buf_putc(b, '}');
	}
	fw_buf_puts(b, "]}");
}

int fw_compare_json(const struct fw_comparison *c, struct fw_buf *b, struct fw_error *err)
{
	bool first = true, f2;

	fw_buf_putc(b, '{');
	key(b, &first, "schema");
	fw_buf_puts(b, "\"flarewatch.compare\"");
	key(b, &first, "schema_version");
	fw_buf_puts(b, "1");
	key(b, &first, "old");
	side_json(b, &c->old);
	key(b, &first, "new");
	side_json(b, &c->new);
	key(b, &first, "same_content");
	fw_buf_puts(b, c->same_content ? "true" : "false");
	key(b, &first, "hosts_differ");
	fw_buf_puts(b, c->hosts_differ ? "true" : "false");
	key(b, &first, "version_changed");
	fw_buf_puts(b, c->version_changed ? "true" : "false");
	key(b, &first, "memstats");
	fw_buf_putc(b, '[');
	f2 = true;
	for (int p = 0; p < 2; p++)
		for (int k = 0; k < FW_CMP_MEM_FIELDS; k++) {
			const struct fw_cmp_mem *m = &c->mem[p];
			if (!m->has_old[k] && !m->has_new[k])
				continue;
			fw_buf_printf(b, "%s{\"process\":\"%s\",\"field\":\"%s\",\"old\":", f2 ? "" : ",", m->process,
				      fw_cmp_mem_name(k));
			f2 = false;
			jnum(b, m->has_old[k], m->old_v[k]);
			fw_buf_puts(b, ",\"new\":");
			jnum(b, m->has_new[k], m->new_v[k]);
			fw_buf_puts(b, ",\"delta\":");
			jnum(b, m->has_old[k] && m->has_new[k], m->new_v[k] - m->old_v[k]);
			fw_buf_putc(b, '}');
		}
	fw_buf_putc(b, ']');
	key(b, &first, "checks_compared");
	fw_buf_puts(b, c->checks_known ? "true" : "false");
	key(b, &first, "checks");
	fw_buf_putc(b, '[');
	for (size_t i = 0; i < c->n_checks; i++) {
		const struct fw_cmp_check *x = &c->checks[i];
		fw_buf_puts(b, i ? ",{\"name\":" : "{\"name\":");
		jstr(b, x->name);
		fw_buf_printf(b, ",\"change\":\"%s\",\"old_avg_exec_ns\":", fw_cmp_check_change_id(x->change));
		if (x->has_old)
			fw_buf_printf(b, "%" PRId64, x->old_ns);
		else
			fw_buf_puts(b, "null");
		fw_buf_puts(b, ",\"new_avg_exec_ns\":");
		if (x->has_new)
			fw_buf_printf(b, "%" PRId64, x->new_ns);
		else
			fw_buf_puts(b, "null");
		fw_buf_putc(b, '}');
	}
	fw_buf_putc(b, ']');
	key(b, &first, "processes");
	fw_buf_putc(b, '[');
	for (size_t i = 0; i < c->n_procs; i++) {
		const struct fw_cmp_proc *p = &c->procs[i];
		fw_buf_puts(b, i ? ",{\"name\":" : "{\"name\":");
		jstr(b, p->name);
		fw_buf_printf(b, ",\"in_old\":%s,\"in_new\":%s", p->in_old ? "true" : "false",
			      p->in_new ? "true" : "false");
		fw_buf_puts(b, ",\"heap\":");
		diff_json(b, p->name, "heap", &p->heap);
		fw_buf_puts(b, ",\"cpu_normalized\":");
		diff_json(b, p->name, "cpu", &p->cpu_norm);
		fw_buf_puts(b, ",\"cpu\":");
		rate_json(b, &p->cpu);
		fw_buf_puts(b, ",\"block\":");
		rate_json(b, &p->block);
		fw_buf_puts(b, ",\"mutex\":");
		rate_json(b, &p->mutex);
		fw_buf_putc(b, '}');
	}
	fw_buf_puts(b, "]}\n");
	if (b->failed)
		return fw_err(err, -ENOMEM, "out of memory writing the comparison");
	return 0;
}
