/*
 * outliers.c: `flarewatch outliers [-c FILE | -o DIR] [--per-version]
 * [--threshold Z] [--json]`: the hosts of an investigations tree whose
 * latest flare stands out from the others' (investigate/outliers.h: robust
 * z-score over median and MAD). Every flare string printed goes through
 * fw_out_plain() or fw_out_json().
 */
#include "investigate/index.h"
#include "investigate/outliers.h"
#include "cli.h"
#include "base/fwconfig.h"
#include "base/outtext.h"

#include <errno.h>
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
	fprintf(f,
		"Usage: flarewatch outliers [-c FILE | -o DIR] [--per-version] [--threshold Z] [--json]\n"
		"Among the latest flare of each host of an investigations tree, the hosts whose\n"
		"HeapAlloc, Sys, goroutines, CPU per second or heap growth per 30 s (core and\n"
		"trace processes) lie far from the others': robust z-score\n"
		"  z = (value - median) / (1.4826 * MAD),  MAD = median |value - median|,\n"
		"over all the hosts, so that one outlier cannot widen the spread and hide.\n"
		"When the MAD is 0 (most hosts equal), 1.2533 * the mean absolute deviation\n"
		"from the median takes its place; when that is 0 too, no host differs.\n"
		"Fewer than %d hosts (with a figure) are not compared.\n"
		"\n"
		"  -c, --config FILE   the tree is FILE's investigations_dir\n"
		"                      (default " FW_CONFIG_PATH " if it exists)\n"
		"  -o, --output DIR    the tree DIR (as given to flarewatch analyze -o)\n"
		"      --per-version   compare the hosts of each agent version apart\n"
		"  -t, --threshold Z   an outlier has |z| > Z (default %g)\n"
		"      --json          print JSON (schema/outliers.schema.json)\n"
		"  -h, --help          show this help\n"
		"Output: one line per outlier, tab-separated: host, process, metric, value,\n"
		"median, z, report (largest |z| first).\n"
		"Exit status: 0 compared (outliers or none), 1 the tree could not be read or\n"
		"has fewer than %d hosts, 2 usage error.\n",
		FW_OUTLIERS_MIN_HOSTS, FW_OUTLIERS_THRESHOLD, FW_OUTLIERS_MIN_HOSTS);
}

static void put_plain(struct fw_buf *b, const char *s)
{
	fw_out_plain(b, s, FW_OUT_NAME_MAX);
}

/* a median or MAD: an integer, or .5 (the mean of two integers) */
static void put_num(struct fw_buf *b, double v)
{
	if (v == floor(v))
		fw_buf_printf(b, "%.0f", v);
	else
		fw_buf_printf(b, "%.1f", v);
}

static const char *scale_name(enum fw_robust_scale_kind k)
{
	return k == FW_SCALE_MAD ? "mad" : k == FW_SCALE_MEANAD ? "mean_abs_dev" : "none";
}

/* ---- text -------------------------------------------------------------------- */

static void text(struct fw_buf *b, const char *dir, const struct fw_outliers *o,
		 const struct fw_outlier_host *h, size_t skipped)
{
	fw_buf_puts(b, "# ");
	put_plain(b, dir);
	fw_buf_printf(b, ": %zu host%s (the latest flare of each), outlier when |z| > %g", o->n_hosts,
		      o->n_hosts == 1 ? "" : "s", o->threshold);
	if (skipped)
		fw_buf_printf(b, "; %zu report folder%s could not be read", skipped, skipped == 1 ? "" : "s");
	fw_buf_puts(b, "\n");
	for (size_t gi = 0; gi < o->n_groups; gi++) {
		const struct fw_outlier_group *g = &o->groups[gi];
		if (g->agent_version) {
			fw_buf_puts(b, "# agent ");
			put_plain(b, g->agent_version[0] ? g->agent_version : "unknown");
			fw_buf_printf(b, ": %zu host%s", g->n_hosts, g->n_hosts == 1 ? "" : "s");
			if (!g->compared)
				fw_buf_printf(b, ", fewer than %d: not compared", FW_OUTLIERS_MIN_HOSTS);
			else
				fw_buf_printf(b, ", %zu outlier%s", g->n_outliers, g->n_outliers == 1 ? "" : "s");
			fw_buf_puts(b, "\n");
		}
		if (!g->compared)
			continue;
		for (int p = 0; p < FW_OP_N; p++)
			for (int m = 0; m < FW_OM_N; m++) {
				const struct fw_outlier_series *s = &g->series[p][m];
				if (s->n > 0 && !s->compared)
					fw_buf_printf(b, "# %s %s: %zu host%s with the figure, fewer than %d: not compared\n",
						      fw_outlier_proc_name((enum fw_outlier_proc)p),
						      fw_outlier_metric_name((enum fw_outlier_metric)m), s->n,
						      s->n == 1 ? "" : "s", FW_OUTLIERS_MIN_HOSTS);
				else if (s->compared && s->stats.kind != FW_SCALE_MAD)
					fw_buf_printf(b, "# %s %s: MAD is 0, %s\n",
						      fw_outlier_proc_name((enum fw_outlier_proc)p),
						      fw_outlier_metric_name((enum fw_outlier_metric)m),
						      s->stats.kind == FW_SCALE_MEANAD
							      ? "scaled by 1.2533 * the mean absolute deviation"
							      : "every host has the same value");
			}
		for (size_t k = 0; k < g->n_outliers; k++) {
			const struct fw_outlier *x = &g->outliers[k];
			const struct fw_outlier_host *hh = &h[x->host];
			put_plain(b, hh->hostname);
			fw_buf_printf(b, "\t%s\t%s\t%" PRId64 "\t", fw_outlier_proc_name(x->proc),
				      fw_outlier_metric_name(x->metric), x->value);
			put_num(b, g->series[x->proc][x->metric].stats.median);
			fw_buf_printf(b, "\t%+.2f\t", x->z);
			put_plain(b, dir);
			fw_buf_puts(b, "/");
			put_plain(b, hh->report);
			fw_buf_puts(b, "\n");
		}
	}
}

/* ---- JSON (schema/outliers.schema.json) ---------------------------------------- */

static void jstr(struct fw_buf *b, const char *s)
{
	fw_out_json(b, s, FW_OUT_NAME_MAX);
}

static void json(struct fw_buf *b, const char *dir, const struct fw_outliers *o, const struct fw_outlier_host *h,
		 size_t skipped, bool per_version)
{
	fw_buf_puts(b, "{\"schema\":\"flarewatch.outliers\",\"schema_version\":1,\"dir\":");
	fw_out_json(b, dir, FW_OUT_TEXT_MAX);
	fw_buf_printf(b,
		      ",\"threshold\":%.17g,\"min_hosts\":%d,\"mad_scale\":%g,\"mean_abs_dev_scale\":%g,"
		      "\"per_version\":%s,\"hosts\":%zu,\"skipped_reports\":%zu,\"groups\":[",
		      o->threshold, FW_OUTLIERS_MIN_HOSTS, FW_OUTLIERS_MAD_SCALE, FW_OUTLIERS_MEANAD_SCALE,
		      per_version ? "true" : "false", o->n_hosts, skipped);
	for (size_t gi = 0; gi < o->n_groups; gi++) {
		const struct fw_outlier_group *g = &o->groups[gi];
		bool first = true;
		fw_buf_puts(b, gi ? ",{\"agent_version\":" : "{\"agent_version\":");
		if (g->agent_version)
			jstr(b, g->agent_version);
		else
			fw_buf_puts(b, "null");
		fw_buf_printf(b, ",\"hosts\":%zu,\"compared\":%s,\"series\":[", g->n_hosts,
			      g->compared ? "true" : "false");
		for (int p = 0; p < FW_OP_N; p++)
			for (int m = 0; m < FW_OM_N; m++) {
				const struct fw_outlier_series *s = &g->series[p][m];
				fw_buf_printf(b,
					      "%s{\"process\":\"%s\",\"metric\":\"%s\",\"unit\":\"%s\",\"hosts\":%zu,"
					      "\"compared\":%s",
					      first ? "" : ",", fw_outlier_proc_name((enum fw_outlier_proc)p),
					      fw_outlier_metric_id((enum fw_outlier_metric)m),
					      fw_outlier_metric_unit((enum fw_outlier_metric)m), s->n,
					      s->compared ? "true" : "false");
				first = false;
				if (s->compared) {
					fw_buf_puts(b, ",\"median\":");
					put_num(b, s->stats.median);
					fw_buf_puts(b, ",\"mad\":");
					put_num(b, s->stats.mad);
					fw_buf_printf(b, ",\"scale_kind\":\"%s\",\"scale\":%.6f}",
						      scale_name(s->stats.kind), s->stats.scale);
				} else {
					fw_buf_puts(b, ",\"median\":null,\"mad\":null,\"scale_kind\":null,\"scale\":null}");
				}
			}
		fw_buf_puts(b, "],\"outliers\":[");
		for (size_t k = 0; k < g->n_outliers; k++) {
			const struct fw_outlier *x = &g->outliers[k];
			const struct fw_outlier_host *hh = &h[x->host];
			fw_buf_puts(b, k ? ",{\"hostname\":" : "{\"hostname\":");
			jstr(b, hh->hostname);
			fw_buf_puts(b, ",\"agent_version\":");
			jstr(b, hh->agent_version);
			fw_buf_puts(b, ",\"flare_time\":");
			jstr(b, hh->time);
			fw_buf_puts(b, ",\"report\":");
			jstr(b, hh->report);
			fw_buf_printf(b, ",\"process\":\"%s\",\"metric\":\"%s\",\"unit\":\"%s\",\"value\":%" PRId64
				      ",\"median\":",
				      fw_outlier_proc_name(x->proc), fw_outlier_metric_id(x->metric),
				      fw_outlier_metric_unit(x->metric), x->value);
			put_num(b, g->series[x->proc][x->metric].stats.median);
			fw_buf_printf(b, ",\"z\":%.4f}", x->z);
		}
		fw_buf_puts(b, "]}");
	}
	fw_buf_puts(b, "]}\n");
}

/* ---- the command ---------------------------------------------------------------- */

static int parse_threshold(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return !errno && end != s && !*end && isfinite(*out) && *out > 0 ? 0 : -1;
}

int cli_outliers(int argc, char **argv)
{
	const char *config = NULL, *dir = NULL;
	double threshold = FW_OUTLIERS_THRESHOLD;
	bool as_json = false, per_version = false, compared = false;
	struct fw_outlier_host *h = NULL;
	struct fw_outliers o;
	struct fw_index_list l;
	struct fw_config cfg;
	struct fw_error err;
	struct fw_buf b;
	size_t n = 0;
	int rc;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--json")) {
			as_json = true;
		} else if (!strcmp(a, "--per-version")) {
			per_version = true;
		} else if ((rc = cli_output_config_opt("outliers", argc, argv, &i, &dir, &config)) != 0) {
			if (rc < 0)
				return EXIT_USAGE;
		} else if (!strcmp(a, "-t") || !strcmp(a, "--threshold")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "flarewatch outliers: %s needs a value (see flarewatch outliers --help)\n",
					a);
				return EXIT_USAGE;
			}
			if (parse_threshold(argv[++i], &threshold) < 0) {
				fprintf(stderr, "flarewatch outliers: %s: not a positive number\n", a);
				return EXIT_USAGE;
			}
		} else {
			fprintf(stderr, "flarewatch outliers: unexpected argument (see flarewatch outliers --help)\n");
			return EXIT_USAGE;
		}
	}
	if ((rc = cli_tree_dir("outliers", config, dir, &cfg, &dir)) != 0)
		return rc;

	fw_buf_init(&b);
	if (fw_index_scan(dir, &l, &err) < 0) {
		fw_out_plain(&b, err.msg, FW_OUT_TEXT_MAX);
		fprintf(stderr, "flarewatch: %s\n", b.failed ? "(out of memory)" : fw_buf_str(&b));
		fw_buf_free(&b);
		fw_config_free(&cfg);
		return EXIT_ANALYSIS;
	}
	if (fw_outliers_hosts(&l, &h, &n, &err) < 0 || fw_outliers_find(h, n, per_version, threshold, &o, &err) < 0) {
		fprintf(stderr, "flarewatch: %s\n", err.msg);
		free(h);
		fw_index_list_free(&l);
		fw_buf_free(&b);
		fw_config_free(&cfg);
		return EXIT_ANALYSIS;
	}
	for (size_t i = 0; i < o.n_groups; i++)
		compared |= o.groups[i].compared;
	/* the report folders left out, as flarewatch index names them */
	for (const char *w = l.warnings, *nl; w && (nl = strchr(w, '\n')) != NULL; w = nl + 1) {
		struct fw_buf wb;
		fw_buf_init(&wb);
		fw_buf_putn(&wb, w, (size_t)(nl - w));
		fw_buf_putc(&wb, 0);
		if (!wb.failed) {
			struct fw_buf pb;
			fw_buf_init(&pb);
			fw_out_plain(&pb, wb.data, FW_OUT_TEXT_MAX);
			fprintf(stderr, "flarewatch: warning: left out: %s\n", pb.failed ? "(out of memory)" : fw_buf_str(&pb));
			fw_buf_free(&pb);
		}
		fw_buf_free(&wb);
	}
	if (as_json)
		json(&b, dir, &o, h, l.skipped, per_version);
	else
		text(&b, dir, &o, h, l.skipped);
	rc = 0;
	if (b.failed) {
		fprintf(stderr, "flarewatch: out of memory writing the outliers\n");
		rc = EXIT_ANALYSIS;
	} else if (fwrite(b.data, 1, b.len, stdout) != b.len || fflush(stdout) != 0) {
		fprintf(stderr, "flarewatch: writing the outliers: %s\n", strerror(errno));
		rc = EXIT_ANALYSIS;
	}
	if (rc == 0 && !compared) {
		struct fw_buf b2;
		fw_buf_init(&b2);
		fw_out_plain(&b2, dir, FW_OUT_TEXT_MAX);
		if (per_version)
			fprintf(stderr,
				"flarewatch outliers: %s: no agent version has %d hosts or more: too few to tell "
				"an outlier from the others\n",
				b2.failed ? "(out of memory)" : fw_buf_str(&b2), FW_OUTLIERS_MIN_HOSTS);
		else
			fprintf(stderr,
				"flarewatch outliers: %s: %zu host%s, fewer than %d: too few to tell an outlier "
				"from the others\n",
				b2.failed ? "(out of memory)" : fw_buf_str(&b2), n, n == 1 ? "" : "s",
				FW_OUTLIERS_MIN_HOSTS);
		fw_buf_free(&b2);
		rc = EXIT_ANALYSIS;
	}
	fw_outliers_free(&o);
	free(h);
	fw_index_list_free(&l);
	fw_buf_free(&b);
	fw_config_free(&cfg);
	return rc;
}
