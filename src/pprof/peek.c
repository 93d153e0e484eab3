/*
 * peek.c: pprof's printTree with a symbol regex, the `-peek REGEX` report
 * (see peek.h). For every node of the untrimmed graph whose printable name
 * matches, in graph order: its callers, the node itself, its callees, each
 * edge with its weight and share of the node's cum. Streamed, the report
 * is written every 32 KiB, inside a node's edges too (one node of
 * large.cpu has 4 MB of them).
 */
#include "pprof/peek.h"
#include "base/regexp.h"
#include "pprof/units.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char separator[] =
	"----------------------------------------------------------+-------------\n";
static const char legend[] =
	"      flat  flat%   sum%        cum   cum%   calls calls% + context \t \t \n";

/* ---- edges per node --------------------------------------------------------- */

/* Every kept edge, bucketed by destination (in) and by source (out), as
 * indices into the graph's edges; a node's bucket is sorted in place when
 * it is printed. */
struct adjacency {
	uint32_t *in_first, *out_first; /* per node index, n + 1 entries */
	uint32_t *in, *out;
};

static void adjacency_free(struct adjacency *a)
{
	free(a->in_first);
	free(a->out_first);
	free(a->in);
	free(a->out);
}

static int adjacency_build(const struct fw_graph *g, size_t n_tab, struct adjacency *a)
{
	memset(a, 0, sizeof(*a));
	if (g->n_edges >= UINT32_MAX)
		return -ENOMEM;
	a->in_first = calloc(n_tab + 2, sizeof(uint32_t));
	a->out_first = calloc(n_tab + 2, sizeof(uint32_t));
	a->in = malloc((g->n_edges + 1) * sizeof(*a->in));
	a->out = malloc((g->n_edges + 1) * sizeof(*a->out));
	if (!a->in_first || !a->out_first || !a->in || !a->out) {
		adjacency_free(a);
		return -ENOMEM;
	}
	/* Counting sort: count node n's edges at [n + 1], prefix sums make
	 * [n] the start of n's bucket; placing advances [n] to the start of
	 * n + 1's, so shift everything back one slot afterwards. */
	for (size_t e = 0; e < g->n_edges; e++) {
		const struct fw_edge *ed = fw_graph_edge(g, e);
		if (ed->removed)
			continue;
		a->in_first[ed->dst + 1]++;
		a->out_first[ed->src + 1]++;
	}
	for (size_t i = 1; i <= n_tab; i++) {
		a->in_first[i] += a->in_first[i - 1];
		a->out_first[i] += a->out_first[i - 1];
	}
	for (size_t e = 0; e < g->n_edges; e++) {
		const struct fw_edge *ed = fw_graph_edge(g, e);
		if (ed->removed)
			continue;
		a->in[a->in_first[ed->dst]++] = (uint32_t)e;
		a->out[a->out_first[ed->src]++] = (uint32_t)e;
	}
	for (size_t i = n_tab; i > 0; i--) {
		a->in_first[i] = a->in_first[i - 1];
		a->out_first[i] = a->out_first[i - 1];
	}
	a->in_first[0] = a->out_first[0] = 0;
	return 0;
}

/* Node n's incoming or outgoing edges, sorted, into out. */
static int print_edges(const struct fw_report *r, struct fw_graph *g, struct adjacency *a, uint32_t node,
		       bool incoming, struct fw_buf *out, FILE *f)
{
	const uint32_t *first = incoming ? a->in_first : a->out_first;
	uint32_t *idx = (incoming ? a->in : a->out) + first[node];
	size_t n = first[node + 1] - first[node];
	int64_t cum = fw_graph_cum_value(g, node);
	int rc;

	fw_graph_sort_edge_ids(g, idx, n);
	for (size_t i = 0; i < n; i++) {
		const struct fw_edge *ed = fw_graph_edge(g, idx[i]);
		char w[64], pct[32];

		if ((rc = fw_buf_stream(out, f)) < 0)
			return rc;

		fw_report_value(r, ed->weight, w, sizeof(w));
		fw_percentage(pct, sizeof(pct), ed->weight, cum);
		uint32_t other = incoming ? ed->src : ed->dst;

		fw_buf_printf(out, "%50s %s |   ", w, pct);
		fw_buf_putn(out, fw_node_name(&r->tab, other), fw_node_name_len(&r->tab, other));
		fw_buf_printf(out, "%s\n", ed->is_inline ? " (inline)" : "");
	}
	return 0;
}

/* The report's graph as fw_report_graph() makes it with trimming off (as
 * pprof makes it for peek, whatever the flags say), but holding only the
 * edges from or to a node in `match`: the only ones printed. */
static int peek_graph(struct fw_report *r, const bool *match, struct fw_graph *g, size_t *orig,
		      size_t *dropped, struct fw_error *err)
{
	struct fw_trim_opts t = {
		.order = r->o.cum_sort ? FW_SORT_CUM : FW_SORT_FLAT,
		.drop_negative = r->o.drop_negative,
		.mean = r->o.mean,
		.edge_nodes = match,
	};
	int rc;

	r->o.nodecount = 0;
	r->o.nodefraction = 0;
	r->o.edgefraction = 0;
	if ((rc = fw_graph_trimmed(&r->tab, r->vi, &t, g, orig, dropped, err)) == 0)
		fw_report_select_unit(r, g);
	return rc;
}

/* The report into out; with f, written to f 32 KiB at a time once a node
 * has matched (no match is an error, and then nothing is written). */
static int peek(struct fw_report *r, const char *regex, struct fw_buf *out, FILE *f,
		struct fw_error *err)
{
	struct fw_graph g;
	struct adjacency adj;
	size_t orig, dropped, matched = 0;
	int64_t flat_sum = 0;
	struct fw_regexp *rx;
	bool *match;
	int rc;

	if ((rc = fw_regexp_compile(&rx, regex, err)) < 0) {
		fw_err_prefix(err, "parsing argument regexp %s", regex);
		return rc;
	}
	if (!(match = calloc(r->tab.n + 1, sizeof(*match)))) {
		fw_regexp_free(rx);
		return fw_err(err, -ENOMEM, "out of memory");
	}
	for (uint32_t n = 0; n < r->tab.n; n++) {
		const char *name = fw_node_name(&r->tab, n);
		match[n] = fw_regexp_match(rx, name, strlen(name));
	}
	fw_regexp_free(rx);
	if ((rc = peek_graph(r, match, &g, &orig, &dropped, err)) < 0) {
		free(match);
		return rc;
	}
	/* what follows reads the graph, the node table and the header only:
	 * the samples' room is the edge lists' (large.cpu: 11.8 -> 10.x MB) */
	fw_report_drop_samples(r);
	if (adjacency_build(&g, r->tab.n, &adj) < 0) {
		fw_graph_free(&g);
		free(match);
		return fw_err(err, -ENOMEM, "out of memory");
	}
	fw_report_labels(r, &g, orig, dropped, out);
	fw_buf_puts(out, separator);
	fw_buf_puts(out, legend);
	for (size_t i = 0; i < g.n_nodes; i++) {
		uint32_t n = g.nodes[i];
		const char *name = fw_node_name(&r->tab, n);

		if (!match[n])
			continue;
		/* before the first match, the header stays: no match, no output */
		if (matched && (rc = fw_buf_stream(out, f)) < 0)
			break;
		matched++;
		fw_buf_puts(out, separator);
		if ((rc = print_edges(r, &g, &adj, n, true, out, f)) < 0)
			break;
		fw_report_top_columns(r, &g, n, &flat_sum, out);
		fw_buf_puts(out, "                | ");
		fw_buf_putn(out, name, fw_node_name_len(&r->tab, n));
		fw_buf_putc(out, '\n');
		if ((rc = print_edges(r, &g, &adj, n, false, out, f)) < 0)
			break;
	}
	if (g.n_nodes > 0 && rc >= 0)
		fw_buf_puts(out, separator);
	adjacency_free(&adj);
	fw_graph_free(&g);
	free(match);
	if (rc < 0)
		return fw_report_stream_error(err, rc);
	if (matched == 0)
		return fw_err(err, -ENOENT, "no matches found for regexp: %s", regex);
	if ((rc = fw_buf_stream_end(out, f)) < 0)
		return fw_report_stream_error(err, rc);
	return 0;
}

int fw_peek_write(struct fw_report *r, const char *regex, struct fw_buf *out, struct fw_error *err)
{
	return peek(r, regex, out, NULL, err);
}

int fw_peek_stream(struct fw_report *r, const char *regex, FILE *f, struct fw_error *err)
{
	struct fw_buf out;
	int rc;

	fw_buf_init(&out);
	rc = peek(r, regex, &out, f, err);
	if (rc == 0 && out.failed)
		rc = fw_err(err, -ENOMEM, "out of memory formatting the report");
	fw_buf_free(&out);
	return rc;
}
