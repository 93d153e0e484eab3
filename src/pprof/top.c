/*
 * top.c: pprof's printText (see top.h).
 */
#include "pprof/top.h"
#include "pprof/units.h"

#include <errno.h>

#include <stdlib.h>

static int top(struct fw_report *r, struct fw_buf *out, FILE *f, struct fw_error *err)
{
	struct fw_graph g;
	size_t orig, dropped;
	int64_t flat_sum = 0;
	unsigned char *inl, *noinl;
	int rc;

	if ((rc = fw_report_graph(r, &g, &orig, &dropped, err)) < 0)
		return rc;
	fw_report_labels(r, &g, orig, dropped, out);
	fw_buf_printf(out, "%10s %5s%% %5s%% %10s %5s%%\n", "flat", "flat", "sum", "cum", "cum");
	/* One pass over the edges: does each node have inline and non-inline
	 * callers? (pprof looks at the in-edges left after trimming.) */
	inl = calloc(r->tab.n + 1, 1);
	noinl = calloc(r->tab.n + 1, 1);
	if (!inl || !noinl) {
		free(inl);
		free(noinl);
		fw_graph_free(&g);
		return fw_err(err, -ENOMEM, "out of memory");
	}
	for (size_t e = 0; e < g.n_edges; e++) {
		const struct fw_edge *ed = fw_graph_edge(&g, e);
		if (ed->removed)
			continue;
		if (ed->is_inline)
			inl[ed->dst] = 1;
		else
			noinl[ed->dst] = 1;
	}
	for (size_t i = 0; i < g.n_nodes && rc == 0; i++) {
		uint32_t n = g.nodes[i];

		fw_report_top_columns(r, &g, n, &flat_sum, out);
		fw_buf_puts(out, "  ");
		fw_buf_putn(out, fw_node_name(&r->tab, n), fw_node_name_len(&r->tab, n));
		fw_buf_printf(out, "%s\n", inl[n] ? (noinl[n] ? " (partial-inline)" : " (inline)") : "");
		rc = fw_buf_stream(out, f);
	}
	if (rc == 0)
		rc = fw_buf_stream_end(out, f);
	free(inl);
	free(noinl);
	fw_graph_free(&g);
	if (rc < 0)
		return fw_report_stream_error(err, rc);
	return 0;
}

int fw_top_write(struct fw_report *r, struct fw_buf *out, struct fw_error *err)
{
	return top(r, out, NULL, err);
}

int fw_top_stream(struct fw_report *r, FILE *f, struct fw_error *err)
{
	return fw_report_stream(r, top, f, err);
}
