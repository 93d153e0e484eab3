/*
 * outliers_page.c: DIR/outliers.html (see outliers_page.h). It shows what
 * fw_outliers_find() found; it judges nothing itself.
 */
#include "investigate/outliers_page.h"
#include "base/fsutil.h"
#include "investigate/html.h"
#include "investigate/index.h"
#include "investigate/outliers.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char css[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}"
	"table{border-collapse:collapse;margin:.5em 0 1.5em}"
	"th,td{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}"
	"td.n{text-align:right;font-variant-numeric:tabular-nums}"
	"th{background:#f3f3f3}tr.outlier td.z{font-weight:bold;color:#a00}"
	".note{color:#555}";

/* a median or MAD: an integer, or .5 */
static void num(struct fw_buf *b, double v)
{
	if (v == floor(v))
		fw_buf_printf(b, "%.0f", v);
	else
		fw_buf_printf(b, "%.1f", v);
}

/* value with a readable form for bytes ("573890688 (547.3 MiB)") */
static void value(struct fw_buf *b, enum fw_outlier_metric m, double v)
{
	num(b, v);
	if ((m == FW_OM_HEAP_ALLOC || m == FW_OM_SYS || m == FW_OM_GROWTH) && fabs(v) >= 1024) {
		static const char *const u[] = { "KiB", "MiB", "GiB", "TiB" };
		double x = v / 1024;
		int k = 0;
		while (fabs(x) >= 1024 && k < 3) {
			x /= 1024;
			k++;
		}
		fw_buf_printf(b, " (%.1f %s)", x, u[k]);
	} else if (m == FW_OM_CPU) {
		fw_buf_printf(b, " (%.2f cores)", v / 1e9);
	}
}

static void series_table(struct fw_buf *b, const struct fw_outlier_group *g)
{
	fw_buf_puts(b, "<table class=\"series\"><thead><tr><th>Process</th><th>Figure</th><th>Hosts</th>"
		       "<th>Median</th><th>MAD</th><th>Scale of z</th></tr></thead><tbody>\n");
	for (int p = 0; p < FW_OP_N; p++)
		for (int m = 0; m < FW_OM_N; m++) {
			const struct fw_outlier_series *s = &g->series[p][m];
			if (!s->n)
				continue;
			fw_buf_printf(b, "<tr><td>%s</td><td>%s</td><td class=\"n\">%zu</td>",
				      fw_outlier_proc_name((enum fw_outlier_proc)p),
				      fw_outlier_metric_name((enum fw_outlier_metric)m), s->n);
			if (!s->compared) {
				fw_buf_printf(b, "<td colspan=\"3\" class=\"note\">fewer than %d hosts: not compared</td></tr>\n",
					      FW_OUTLIERS_MIN_HOSTS);
				continue;
			}
			fw_buf_puts(b, "<td class=\"n\">");
			value(b, (enum fw_outlier_metric)m, s->stats.median);
			fw_buf_puts(b, "</td><td class=\"n\">");
			value(b, (enum fw_outlier_metric)m, s->stats.mad);
			fw_buf_puts(b, "</td><td>");
			if (s->stats.kind == FW_SCALE_MAD)
				fw_buf_puts(b, "1.4826 &times; MAD");
			else if (s->stats.kind == FW_SCALE_MEANAD)
				fw_buf_puts(b, "MAD is 0: 1.2533 &times; mean absolute deviation");
			else
				fw_buf_puts(b, "every host equal: no outlier");
			fw_buf_puts(b, "</td></tr>\n");
		}
	fw_buf_puts(b, "</tbody></table>\n");
}

static void outlier_table(struct fw_buf *b, const struct fw_outlier_group *g, const struct fw_outlier_host *h)
{
	if (!g->n_outliers) {
		fw_buf_puts(b, "<p class=\"none\">No outlier.</p>\n");
		return;
	}
	fw_buf_puts(b, "<table class=\"outliers\"><thead><tr><th>Host</th><th>Agent</th><th>Flare time</th>"
		       "<th>Process</th><th>Figure</th><th>Value</th><th>Median</th><th>z</th><th>Report</th>"
		       "</tr></thead><tbody>\n");
	for (size_t k = 0; k < g->n_outliers; k++) {
		const struct fw_outlier *x = &g->outliers[k];
		const struct fw_outlier_host *hh = &h[x->host];
		char link[1200];
		fw_buf_puts(b, "<tr class=\"outlier\"><td class=\"host\">");
		fw_html_text(b, hh->hostname, FW_OUT_NAME_MAX);
		fw_buf_puts(b, "</td><td>");
		fw_html_text(b, hh->agent_version[0] ? hh->agent_version : "unknown", FW_OUT_NAME_MAX);
		fw_buf_puts(b, "</td><td>");
		fw_html_text(b, hh->time, FW_OUT_NAME_MAX);
		fw_buf_printf(b, "</td><td>%s</td><td>%s</td><td class=\"n\">", fw_outlier_proc_name(x->proc),
			      fw_outlier_metric_name(x->metric));
		value(b, x->metric, (double)x->value);
		fw_buf_puts(b, "</td><td class=\"n\">");
		value(b, x->metric, g->series[x->proc][x->metric].stats.median);
		fw_buf_printf(b, "</td><td class=\"n z\">%+.2f</td><td>", x->z);
		/* relative paths of safe names (fw_index_scan() checked them) */
		if (hh->report_dir[0] && snprintf(link, sizeof(link), "%s/report.html", hh->report_dir) < (int)sizeof(link)) {
			fw_buf_puts(b, "<a href=\"");
			fw_html_href(b, link);
			fw_buf_puts(b, "\">report</a> &middot; ");
		}
		fw_buf_puts(b, "<a href=\"");
		fw_html_href(b, hh->report);
		fw_buf_puts(b, "\">md</a></td></tr>\n");
	}
	fw_buf_puts(b, "</tbody></table>\n");
}

static void group(struct fw_buf *b, const struct fw_outlier_group *g, const struct fw_outlier_host *h)
{
	if (!g->compared) {
		fw_buf_printf(b,
			      "<p class=\"refused\">%zu host%s, fewer than %d: too few to tell an outlier from the "
			      "others.</p>\n",
			      g->n_hosts, g->n_hosts == 1 ? "" : "s", FW_OUTLIERS_MIN_HOSTS);
		return;
	}
	outlier_table(b, g, h);
	series_table(b, g);
}

int fw_outliers_page(struct fw_buf *b, const struct fw_index_list *l, double threshold, struct fw_error *err)
{
	struct fw_outlier_host *h = NULL;
	struct fw_outliers all, per;
	size_t n = 0;
	int r;

	if ((r = fw_outliers_hosts(l, &h, &n, err)) < 0)
		return r;
	if ((r = fw_outliers_find(h, n, false, threshold, &all, err)) < 0) {
		free(h);
		return r;
	}
	if ((r = fw_outliers_find(h, n, true, threshold, &per, err)) < 0) {
		fw_outliers_free(&all);
		free(h);
		return r;
	}
	fw_html_page_begin(b, "Outliers across hosts", css, NULL);
	fw_buf_printf(b,
		      "<h1>Outliers across hosts</h1>\n<p><a href=\"index.html\">All reports</a></p>\n"
		      "<p class=\"method\">Among the latest flare of each of the %zu host%s of this tree, the hosts "
		      "whose HeapAlloc, Sys, goroutines, CPU per second or heap growth per 30 s lies more than %g "
		      "robust z-scores from the others': z = (value &minus; median) / (1.4826 &times; MAD), MAD = "
		      "median |value &minus; median|, over all the hosts, so that one far value cannot widen the "
		      "spread and hide itself. When the MAD is 0, 1.2533 &times; the mean absolute deviation takes "
		      "its place. Fewer than %d hosts with a figure are not compared. "
		      "<code>flarewatch outliers</code> prints the same.</p>\n",
		      n, n == 1 ? "" : "s", threshold, FW_OUTLIERS_MIN_HOSTS);
	if (l->skipped)
		fw_buf_printf(b, "<p class=\"note\">%zu report folder%s could not be read and %s left out.</p>\n",
			      l->skipped, l->skipped == 1 ? "" : "s", l->skipped == 1 ? "is" : "are");
	fw_buf_puts(b, "<section id=\"all\">\n<h2>All hosts</h2>\n");
	group(b, &all.groups[0], h);
	fw_buf_puts(b, "</section>\n<section id=\"per-version\">\n<h2>Within each agent version</h2>\n");
	if (!per.n_groups)
		fw_buf_puts(b, "<p class=\"none\">No host.</p>\n");
	for (size_t i = 0; i < per.n_groups; i++) {
		const struct fw_outlier_group *g = &per.groups[i];
		fw_buf_puts(b, "<h3>Agent ");
		fw_html_text(b, g->agent_version[0] ? g->agent_version : "unknown", FW_OUT_NAME_MAX);
		fw_buf_printf(b, " (%zu host%s)</h3>\n", g->n_hosts, g->n_hosts == 1 ? "" : "s");
		group(b, g, h);
	}
	fw_buf_puts(b, "</section>\n");
	fw_html_page_end(b);
	fw_outliers_free(&per);
	fw_outliers_free(&all);
	free(h);
	if (b->failed)
		return fw_err(err, -ENOMEM, "out of memory writing outliers.html");
	return 0;
}

int fw_outliers_page_write(const char *dir, const struct fw_index_list *l, struct fw_error *err)
{
	char path[4096];
	struct fw_buf b;
	int r;

	if (snprintf(path, sizeof(path), "%s/outliers.html", dir) >= (int)sizeof(path))
		return fw_err(err, -ENAMETOOLONG, "%s: path too long", dir);
	fw_buf_init(&b);
	if ((r = fw_outliers_page(&b, l, FW_OUTLIERS_THRESHOLD, err)) == 0)
		r = fw_write_file_atomic(path, b.data, b.len, 0644, err);
	fw_buf_free(&b);
	return r;
}
