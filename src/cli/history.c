/*
 * history.c: `flarewatch history HOST [-c FILE | -o DIR] [--json]`, the
 * flares of one host in the investigations tree, oldest first, with core's
 * figures, restarts and upgrades, and the least-squares growth per hour
 * over the newest flare's agent process (investigate/history.h), judged
 * against the configuration's thresholds.long_term_* (verdict.c). --json
 * writes schema "flarewatch.history" (schema/history.schema.json).
 */
#include "investigate/history.h"
#include "investigate/verdict.h"
#include "cli.h"
#include "base/fwconfig.h"
#include "base/outtext.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FW_CONFIG_PATH
#error "FW_CONFIG_PATH must name the default configuration file (src/cli/cli.mk defines it)"
#endif

static void usage(FILE *f)
{
	fputs("Usage: flarewatch history HOST [-c FILE | -o DIR] [--json]\n"
	      "The flares of HOST in an investigations tree, oldest first: agent version and\n"
	      "start time, uptime, core's HeapAlloc, Sys, HeapObjects, goroutines, heap growth\n"
	      "per 30 s and its top function, verdict and report; restarts and upgrades marked,\n"
	      "and the growth per hour (least squares) over the flares of the newest flare's\n"
	      "agent process, with the LONG-TERM GROWTH findings of thresholds.long_term_*.\n"
	      "\n"
	      "  -c, --config FILE  the tree is FILE's investigations_dir, thresholds from FILE\n"
	      "                     (default " FW_CONFIG_PATH " if it exists)\n"
	      "  -o, --output DIR   the tree DIR (as given to flarewatch analyze -o)\n"
	      "      --json         write JSON (schema flarewatch.history, version 1)\n"
	      "  -h, --help         show this help\n"
	      "Exit status: 0 printed, 1 the tree could not be read or HOST has no report,\n"
	      "2 usage error.\n",
	      f);
}

static void plain(struct fw_buf *b, const char *s)
{
	fw_out_plain(b, s && *s ? s : "-", FW_OUT_NAME_MAX);
}

static void js(struct fw_buf *b, const char *s)
{
	fw_out_json(b, s && *s ? s : NULL, FW_OUT_TEXT_MAX);
}

static void ji(struct fw_buf *b, bool has, int64_t v)
{
	if (has)
		fw_buf_printf(b, "%" PRId64, v);
	else
		fw_buf_puts(b, "null");
}

static void fit_text(struct fw_buf *b, const char *what, const struct fw_history_fit *f, const char *unit)
{
	fw_buf_printf(b, "  %s: ", what);
	if (f->fitted)
		fw_buf_printf(b, "%+.1f %s per hour (least squares over %zu flares, %.1f h)\n", f->per_hour, unit, f->n,
			      f->span_h);
	else
		fw_buf_printf(b, "no trend (%zu flare%s with the figure)\n", f->n, f->n == 1 ? "" : "s");
}

static void text(struct fw_buf *b, const char *host, const struct fw_history *h, const struct fw_verdict *v)
{
	const char *lt[] = { v->long_term_heap, v->long_term_sys, v->long_term_goroutines };

	fw_buf_puts(b, "host ");
	plain(b, host);
	fw_buf_printf(b, ": %zu flare%s%s\n", h->n, h->n == 1 ? "" : "s", h->omitted ? " (the oldest left out)" : "");
	fw_buf_puts(b, "time\tversion\tagent start\tuptime s\tprocess\tHeapAlloc\tSys\tHeapObjects\tgoroutines\t"
		       "growth/30s\ttop growth function\tverdict\treport\n");
	for (size_t i = 0; i < h->n; i++) {
		const struct fw_history_row *r = &h->rows[i];
		plain(b, r->time);
		fw_buf_putc(b, '\t');
		plain(b, r->agent_version);
		fw_buf_putc(b, '\t');
		plain(b, r->agent_start);
		fw_buf_putc(b, '\t');
		if (r->uptime_ns >= 0)
			fw_buf_printf(b, "%" PRId64, r->uptime_ns / 1000000000);
		else
			fw_buf_putc(b, '-');
		fw_buf_putc(b, '\t');
		if (r->change == FW_HIST_UPGRADE) {
			fw_buf_puts(b, "upgraded ");
			plain(b, r->prev_version);
			fw_buf_puts(b, " -> ");
			plain(b, r->agent_version);
		} else {
			fw_buf_puts(b, r->change == FW_HIST_RESTART ? "agent restarted" :
				       r->change == FW_HIST_SAME    ? "same process" :
				       r->change == FW_HIST_FIRST   ? "-" : "unknown");
		}
		fw_buf_printf(b, "\t%" PRId64 "\t%" PRId64 "\t%" PRId64 "\t%" PRId64 "\t", r->core.heap_alloc, r->core.sys,
			      r->core.heap_objects, r->core.goroutines);
		if (r->core.has_growth_30s)
			fw_buf_printf(b, "%" PRId64, r->core.growth_30s);
		else
			fw_buf_putc(b, '-');
		fw_buf_putc(b, '\t');
		plain(b, r->core.top_growth);
		fw_buf_putc(b, '\t');
		plain(b, r->verdict);
		fw_buf_putc(b, '\t');
		plain(b, r->report);
		fw_buf_putc(b, '\n');
	}
	if (!h->n)
		return;
	fw_buf_printf(b, "(-1: unknown)\nnewest flare's agent process: %zu flare%s\n", h->cur - h->seg_first + 1,
		      h->cur == h->seg_first ? "" : "s");
	fit_text(b, "HeapAlloc", &h->heap_alloc, "bytes");
	fit_text(b, "Sys", &h->sys, "bytes");
	fit_text(b, "goroutines", &h->goroutines, "goroutines");
	for (size_t i = 0; i < 3; i++) {
		if (!lt[i])
			continue;
		fw_buf_puts(b, "LONG-TERM GROWTH: ");
		fw_out_plain(b, lt[i], FW_OUT_TEXT_MAX);
		fw_buf_putc(b, '\n');
	}
}

static void fit_json(struct fw_buf *b, const char *k, const struct fw_history_fit *f)
{
	fw_buf_printf(b, ",\"%s\":{\"points\":%zu,\"span_ns\":", k, f->n);
	ji(b, f->n > 0, (int64_t)llround(f->span_h * 3600e9));
	fw_buf_puts(b, ",\"per_hour\":");
	if (f->fitted)
		fw_buf_printf(b, "%.17g", f->per_hour);
	else
		fw_buf_puts(b, "null");
	fw_buf_putc(b, '}');
}

static void json(struct fw_buf *b, const char *host, const struct fw_history *h, const struct fw_verdict *v)
{
	fw_buf_puts(b, "{\"schema\":\"flarewatch.history\",\"schema_version\":1,\"generator\":");
	js(b, PACKAGE_STRING);
	fw_buf_puts(b, ",\"hostname\":");
	js(b, host);
	fw_buf_printf(b, ",\"omitted\":%zu,\"skipped\":%zu,\"flares\":[", h->omitted, h->skipped);
	for (size_t i = 0; i < h->n; i++) {
		const struct fw_history_row *r = &h->rows[i];
		fw_buf_puts(b, i ? ",{\"time\":" : "{\"time\":");
		js(b, r->time);
		fw_buf_puts(b, ",\"agent_version\":");
		js(b, r->agent_version);
		fw_buf_puts(b, ",\"agent_start\":");
		js(b, r->agent_start);
		fw_buf_puts(b, ",\"uptime_ns\":");
		ji(b, r->uptime_ns >= 0, r->uptime_ns);
		fw_buf_printf(b, ",\"process_change\":\"%s\",\"previous_version\":", fw_history_change_id(r->change));
		js(b, r->prev_version);
		fw_buf_puts(b, ",\"heap_alloc_bytes\":");
		ji(b, r->core.heap_alloc >= 0, r->core.heap_alloc);
		fw_buf_puts(b, ",\"sys_bytes\":");
		ji(b, r->core.sys >= 0, r->core.sys);
		fw_buf_puts(b, ",\"heap_objects\":");
		ji(b, r->core.heap_objects >= 0, r->core.heap_objects);
		fw_buf_puts(b, ",\"goroutines\":");
		ji(b, r->core.goroutines >= 0, r->core.goroutines);
		fw_buf_puts(b, ",\"heap_growth_per_30s_bytes\":");
		ji(b, r->core.has_growth_30s, r->core.growth_30s);
		fw_buf_puts(b, ",\"top_growth_function\":");
		js(b, r->core.top_growth);
		fw_buf_puts(b, ",\"verdict\":");
		js(b, r->verdict);
		fw_buf_puts(b, ",\"report\":");
		js(b, r->report);
		fw_buf_printf(b, ",\"in_fit\":%s}", i >= h->seg_first && h->process_known ? "true" : "false");
	}
	fw_buf_puts(b, "],\"long_term\":");
	if (!h->n) {
		fw_buf_puts(b, "null}\n");
		return;
	}
	fw_buf_printf(b, "{\"process_known\":%s,\"flares\":%zu", h->process_known ? "true" : "false",
		      h->cur - h->seg_first + 1);
	fit_json(b, "heap_alloc", &h->heap_alloc);
	fit_json(b, "sys", &h->sys);
	fit_json(b, "goroutines", &h->goroutines);
	fw_buf_puts(b, ",\"findings\":[");
	{
		const char *lt[] = { v->long_term_heap, v->long_term_sys, v->long_term_goroutines };
		const char *id[] = { "heap_alloc", "sys", "goroutines" };
		bool first = true;
		for (size_t i = 0; i < 3; i++) {
			if (!lt[i])
				continue;
			fw_buf_printf(b, "%s{\"figure\":\"%s\",\"text\":", first ? "" : ",", id[i]);
			js(b, lt[i]);
			fw_buf_putc(b, '}');
			first = false;
		}
	}
	fw_buf_puts(b, "]}}\n");
}

int cli_history(int argc, char **argv)
{
	const char *config = NULL, *out = NULL, *host = NULL;
	bool as_json = false;
	struct fw_index_list l;
	struct fw_history h;
	struct fw_thresholds th;
	struct fw_verdict v;
	struct fw_config cfg;
	struct fw_error err;
	struct fw_buf b;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--json")) {
			as_json = true;
		} else if ((rc = cli_output_config_opt("history", argc, argv, &i, &out, &config)) != 0) {
			if (rc < 0)
				return EXIT_USAGE;
		} else if (a[0] != '-' && !host) {
			host = a;
		} else {
			fprintf(stderr, "flarewatch history: unexpected argument '%s' (see flarewatch history --help)\n", a);
			return EXIT_USAGE;
		}
	}
	if (!host) {
		fprintf(stderr, "flarewatch history: which HOST? (see flarewatch history --help)\n");
		return EXIT_USAGE;
	}
	if ((rc = cli_tree_dir("history", config, out, &cfg, &out)) != 0)
		return rc;
	fw_buf_init(&b);
	if (fw_index_scan(out, &l, &err) < 0 || fw_history_from_list(&l, host, NULL, &h, &err) < 0) {
		fw_buf_puts(&b, "flarewatch: ");
		fw_out_plain(&b, err.msg, FW_OUT_TEXT_MAX);
		fprintf(stderr, "%s\n", fw_buf_str(&b));
		fw_buf_free(&b);
		fw_config_free(&cfg);
		return EXIT_ANALYSIS;
	}
	fw_thresholds_from_config(&cfg, &th);
	memset(&v, 0, sizeof(v));
	if (!(v.summary = strdup("")) || (h.n && fw_verdict_long_term(&v, &h, &th) < 0)) {
		fprintf(stderr, "flarewatch: out of memory\n");
		rc = EXIT_ANALYSIS;
		goto done;
	}
	if (!h.n) {
		fw_buf_puts(&b, "flarewatch history: no report of host ");
		fw_out_plain(&b, host, FW_OUT_NAME_MAX);
		fw_buf_puts(&b, " in ");
		fw_out_plain(&b, out, FW_OUT_TEXT_MAX);
		fprintf(stderr, "%s\n", b.failed ? "flarewatch: out of memory" : fw_buf_str(&b));
		rc = EXIT_ANALYSIS;
		goto done;
	}
	if (as_json)
		json(&b, host, &h, &v);
	else
		text(&b, host, &h, &v);
	if (b.failed) {
		fprintf(stderr, "flarewatch: out of memory\n");
		rc = EXIT_ANALYSIS;
		goto done;
	}
	fputs(fw_buf_str(&b), stdout);
	if (fflush(stdout) != 0)
		rc = EXIT_ANALYSIS;
done:
	fw_verdict_free(&v);
	fw_history_free(&h);
	fw_buf_free(&b);
	fw_config_free(&cfg);
	return rc;
}
