/*
 * peek.c: pprof's `-peek REGEX` (printTree): for each node whose printable
 * name matches, its callers with edge weights, the node itself, and its
 * callees. peek never trims: node and edge fractions are zero, as pprof's
 * command overrides set them.
 */
#include "peek.h"
#include "units.h"

#include <errno.h>
#include <regex.h>
#include <stdlib.h>

static const char separator[] = "----------------------------------------------------------+-------------\n";

static int edges(struct fw_report *r, const struct fw_graph *g, uint32_t n, bool incoming, int64_t cum,
		 struct fw_buf *out)
{
	struct fw_edge **list;
	size_t count;
	char v[64], p[32];

	if (fw_graph_edges_of(g, n, incoming, &list, &count) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < count; i++) {
		const struct fw_edge *e = list[i];
		fw_report_value(r, e->weight, v, sizeof(v));
		fw_percentage(p, sizeof(p), e->weight, cum);
		fw_buf_printf(out, "%50s %s |   %s%s\n", v, p, fw_node_name(&r->tab, incoming ? e->src : e->dst),
			      e->is_inline ? " (inline)" : "");
	}
	free(list);
	return 0;
}

int fw_peek_write(struct fw_report *r, const char *regex, struct fw_buf *out, struct fw_error *err)
{
	struct fw_graph g;
	size_t orig, dropped;
	int64_t flat_sum = 0;
	regex_t re;
	int rc;

	rc = regcomp(&re, regex, REG_EXTENDED | REG_NOSUB);
	if (rc != 0) {
		char msg[256];
		regerror(rc, &re, msg, sizeof(msg));
		return fw_err(err, -EINVAL, "invalid peek regexp %s: %s", regex, msg);
	}
	r->o.nodecount = 0;
	r->o.nodefraction = 0;
	r->o.edgefraction = 0;
	if ((rc = fw_report_graph(r, &g, &orig, &dropped, err)) < 0) {
		regfree(&re);
		return rc;
	}
	/* pprof refuses a regexp that matches no node, printing nothing. */
	{
		size_t matches = 0;
		for (size_t i = 0; i < g.n_nodes; i++)
			matches += regexec(&re, fw_node_name(&r->tab, g.nodes[i]), 0, NULL, 0) == 0;
		if (matches == 0) {
			fw_graph_free(&g);
			regfree(&re);
			return fw_err(err, -ENOENT, "no matches found for regexp: %s", regex);
		}
	}
	fw_report_labels(r, &g, orig, dropped, out);
	fw_buf_puts(out, separator);
	fw_buf_puts(out, "      flat  flat%   sum%        cum   cum%   calls calls% + context \t \t \n");
	for (size_t i = 0; i < g.n_nodes; i++) {
		uint32_t n = g.nodes[i];
		const char *name = fw_node_name(&r->tab, n);
		char f[64], c[64], fp[32], sp[32], cp[32];

		if (regexec(&re, name, 0, NULL, 0) != 0)
			continue;
		fw_buf_puts(out, separator);
		if ((rc = edges(r, &g, n, true, g.cum[n], out)) < 0)
			break;
		flat_sum = fw_add64(flat_sum, g.flat[n]);
		fw_report_value(r, g.flat[n], f, sizeof(f));
		fw_report_value(r, g.cum[n], c, sizeof(c));
		fw_percentage(fp, sizeof(fp), g.flat[n], r->total);
		fw_percentage(sp, sizeof(sp), flat_sum, r->total);
		fw_percentage(cp, sizeof(cp), g.cum[n], r->total);
		fw_buf_printf(out, "%10s %s %s %10s %s                | %s\n", f, fp, sp, c, cp, name);
		if ((rc = edges(r, &g, n, false, g.cum[n], out)) < 0)
			break;
	}
	if (rc == 0 && g.n_nodes > 0)
		fw_buf_puts(out, separator);
	fw_graph_free(&g);
	regfree(&re);
	return rc < 0 ? fw_err(err, rc, "out of memory writing the peek report") : 0;
}
