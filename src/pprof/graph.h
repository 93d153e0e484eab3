/*
 * graph.h: aggregation of samples into nodes and edges, as pprof's
 * internal/graph does. A node is one distinct NodeInfo (function name, file,
 * line, address, object file, start line) of a (location, line) pair after
 * the profile's granularity has been applied (report.c does that).
 *
 *  - flat: the value of samples whose leaf frame is the node;
 *  - cum:  the value of samples whose stack contains the node, counted once
 *          per sample even under recursion;
 *  - edges caller -> callee, counted once per sample, marked inline when
 *          every contribution came from an inlined frame.
 */
#ifndef FW_GRAPH_H
#define FW_GRAPH_H

#include <assert.h>
#include "pprof/profile.h"

struct fw_node_info {
	uint32_t name, file, objfile; /* strings */
	int64_t lineno, start_line;
	uint64_t address;
};

/* Every possible node of a profile, and which node each location line is. */
struct fw_nodetab {
	const struct fw_profile *p;
	struct fw_node_info *info;
	size_t n;
	uint32_t *name_off; /* FW_NAME_SYNTH|offset in names, or a string index */
	char *names;	    /* printable names that are not a bare function name */
	uint32_t *name_len; /* bytes of each printable name (names may hold NUL) */
	size_t n_locs;		/* locations: the length of the loc_ arrays */
	uint32_t *loc_first;	/* per location: first entry in loc_nodes */
	uint32_t *loc_count;	/* per location: number of entries */
	uint32_t *loc_nodes;	/* node index per line (innermost first) */
	uint32_t *loc_node1;	/* per location: its node when it has one line (or
				 * none), else FW_NONE: the common case in one load */
};

int fw_nodetab_build(const struct fw_profile *p, struct fw_nodetab *t, struct fw_error *err);
/* The same in its two steps: the nodes, and which nodes each location's
 * lines are (reads the profile's locations, lines, functions and
 * mappings); then the nodes' printable names (reads only its strings), so
 * that a caller can free what it no longer needs in between. On failure
 * either step leaves t empty. */
int fw_nodetab_nodes(const struct fw_profile *p, struct fw_nodetab *t, struct fw_error *err);
int fw_nodetab_names(struct fw_nodetab *t, struct fw_error *err);
void fw_nodetab_free(struct fw_nodetab *t);
#define FW_NAME_SYNTH 0x80000000u

/* pprof's PrintableName of node n. */
static inline const char *fw_node_name(const struct fw_nodetab *t, uint32_t n)
{
	uint32_t ref;

	assert(n < t->n);
	ref = t->name_off[n];
	return ref & FW_NAME_SYNTH ? t->names + (ref & ~FW_NAME_SYNTH) : fw_pstr(t->p, ref);
}

/* Its length in bytes: a name may hold NUL bytes, which pprof prints. */
static inline size_t fw_node_name_len(const struct fw_nodetab *t, uint32_t n)
{
	assert(n < t->n);
	return t->name_len[n];
}
/* Go's string comparison of the printable names of nodes a and b. */
int fw_node_name_cmp(const struct fw_nodetab *t, uint32_t a, uint32_t b);

/* Node indices are below FW_MAX_NODES: an edge holds two in 16 bytes,
 * with its flags (a large profile's graph has hundreds of thousands). */
#define FW_MAX_NODES (1u << 30)

struct fw_edge {
	int64_t weight;
	uint32_t src : 30, is_inline : 1, residual : 1; /* src, dst: node indices */
	uint32_t dst : 30, removed : 1, counted : 1;	/* counted: building's own */
};
static_assert(sizeof(struct fw_edge) == 16, "an edge is 16 bytes");

/* Edges are held in chunks of FW_EDGE_CHUNK: one array grown by doubling
 * would need a free block twice its size, where chunks fit in the holes
 * the profile's decoding left in the heap. */
#define FW_EDGE_CHUNK 4096

struct fw_graph {
	const struct fw_nodetab *tab;
	int64_t *flat, *cum; /* per node index */
	/* -mean: per node, the sums of the divisor column (pprof's FlatDiv,
	 * CumDiv); NULL without -mean. Trimming and sorting use flat and cum as
	 * they are, printing uses fw_graph_flat_value()/fw_graph_cum_value(). */
	int64_t *flat_div, *cum_div;
	uint32_t *nodes;     /* nodes present in the graph, in sort order */
	size_t n_nodes;
	struct fw_edge **edge_chunks; /* edge e: fw_graph_edge(g, e) */
	size_t n_edges;
};

static inline struct fw_edge *fw_graph_edge(const struct fw_graph *g, size_t e)
{
	assert(e < g->n_edges);
	return &g->edge_chunks[e / FW_EDGE_CHUNK][e % FW_EDGE_CHUNK];
}

/* pprof's Node.FlatValue()/CumValue(): the value, divided by its divisor
 * sum under -mean when that is not 0. */
static inline int64_t fw_graph_div(int64_t v, const int64_t *div, uint32_t n)
{
	if (!div || div[n] == 0 || (div[n] == -1 && v == INT64_MIN))
		return v;
	return v / div[n];
}
static inline int64_t fw_graph_flat_value(const struct fw_graph *g, uint32_t n)
{
	return fw_graph_div(g->flat[n], g->flat_div, n);
}
static inline int64_t fw_graph_cum_value(const struct fw_graph *g, uint32_t n)
{
	return fw_graph_div(g->cum[n], g->cum_div, n);
}

/* Accumulates samples (value column vi) into a graph. kept, if non-NULL,
 * is a per-node mask; frames whose node is not kept are skipped, and a
 * sample whose leaf is skipped adds no flat value (pprof's residuals). */
int fw_graph_build(const struct fw_nodetab *t, size_t vi, const bool *kept,
		   struct fw_graph *g, struct fw_error *err);
/* The same without edges (flat and cum only): for what needs no more. */
int fw_graph_build_nodes(const struct fw_nodetab *t, size_t vi, struct fw_graph *g,
			 struct fw_error *err);
void fw_graph_free(struct fw_graph *g);

enum fw_sort { FW_SORT_FLAT, FW_SORT_CUM };
void fw_graph_sort(struct fw_graph *g, enum fw_sort order);

/* pprof's newTrimmedGraph: drop nodes below the node fraction, sort, keep
 * the first nodecount (when > 0), trim low edges. */
struct fw_trim_opts {
	double nodefraction, edgefraction;
	int nodecount;
	enum fw_sort order;
	bool drop_negative; /* pprof's DropNegative: leave out nodes with flat < 0,
			     * or flat 0 and cum < 0 */
	bool mean;	    /* -mean: divisor sums from value column 0 (the count) */
	/* Per node index, or NULL: only the edges from or to a node marked
	 * here are kept (peek lists the edges of the nodes it matched). */
	const bool *edge_nodes;
};
int fw_graph_trimmed(const struct fw_nodetab *t, size_t vi, const struct fw_trim_opts *o,
		     struct fw_graph *g, size_t *orig_count, size_t *dropped_nodes,
		     struct fw_error *err);
/* fw_graph_build of every node under o's -mean and -drop_negative (the
 * rest of o is not used); g->nodes are then pprof's selectNodesForGraph,
 * in node index order. */
int fw_graph_build_all(const struct fw_nodetab *t, size_t vi, const struct fw_trim_opts *o,
		       struct fw_graph *g, struct fw_error *err);

/* Sorted incoming or outgoing edges of node n that were not trimmed
 * (pprof's EdgeMap.Sort order). Caller frees *out. */
int fw_graph_edges_of(const struct fw_graph *g, uint32_t n, bool incoming, struct fw_edge ***out,
		      size_t *count);
/* Sorts edges in pprof's EdgeMap.Sort order (heaviest first, then by
 * source and destination name). For callers that list many nodes' edges. */
void fw_graph_sort_edges(const struct fw_nodetab *t, struct fw_edge **list, size_t n);
/* The same sort of n indices into g's edges, in place. */
void fw_graph_sort_edge_ids(const struct fw_graph *g, uint32_t *ids, size_t n);

#endif
