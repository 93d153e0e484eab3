/*
 * test_graph.c: aggregation of samples into nodes and edges
 * (src/pprof/graph.c), following pprof's internal/graph (graph.New,
 * Nodes.Sort) and report.newTrimmedGraph as vendored in Go 1.19.
 *
 * The main profile, built by hand with profbuild.h (value column 1; column 0
 * counts 1 per sample):
 *
 *     a -> b -> c        5
 *     a -> b             3
 *     a -> c             2
 *     a -> a -> a        7   (three locations of function a)
 *     a -> [e, d]       11   (one location: d inlined into e)
 *
 * so, by pprof's rules (flat: the leaf; cum: once per sample; edges once
 * per sample, none from a node to itself; an edge into an inlined frame is
 * inline):
 *
 *     node  flat  cum          edge   weight  inline
 *     a        7   28          a->b        8  no
 *     b        3    8          b->c        5  no
 *     c        7    7          a->c        2  no
 *     d       11   11          a->e       11  no
 *     e        0   11          e->d       11  yes
 *
 * The node values and every order asserted below (including the tie
 * profile of test_sort_ties and the nodefraction/nodecount trims) were
 * checked against `go tool pprof -top -sample_index=1` (go1.19.8) on the
 * same profiles written to disk: e.g. -nodefraction=0.3 prints
 * "Dropped 1 node (cum <= 8ns)" and d a b e; -nodecount=2 keeps d, a.
 */
#include "pprof/graph.h"
#include "pprof/profile.h"

#include "../tap.h"
#include "profbuild.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- building profiles by hand --------------------------------------------- */

/* Two sample types, samples/count and cpu/nanoseconds (the period type). */
static struct fw_profile *prof2(void)
{
	return prof("cpu", "nanoseconds", 1, 2, "samples", "count", "cpu", "nanoseconds");
}

/* A location without lines in a mapping of the given file (its node is
 * named "[base name]"). */
static uint32_t loc_obj(struct fw_profile *p, const char *file)
{
	return location(p, mapping(p, file, 0, 0x1000), 0, 0, NULL, NULL);
}

static struct fw_profile *main_profile(void)
{
	struct fw_profile *p = prof2();
	uint32_t fa = func(p, "a", NULL), fb = func(p, "b", NULL), fc = func(p, "c", NULL),
		 fd = func(p, "d", NULL), fe = func(p, "e", NULL);
	uint32_t la = loc(p, fa), lb = loc(p, fb), lc = loc(p, fc);
	uint32_t la2 = loc(p, fa), la3 = loc(p, fa);
	/* d inlined into e */
	uint32_t linl = location(p, FW_NONE, 0, 2, (const uint32_t[]){ fd, fe }, NULL);

	sample(p, LOCS(lc, lb, la), VALS(1, 5), NULL);
	sample(p, LOCS(lb, la), VALS(1, 3), NULL);
	sample(p, LOCS(lc, la), VALS(1, 2), NULL);
	sample(p, LOCS(la3, la2, la), VALS(1, 7), NULL);
	sample(p, LOCS(linl, la), VALS(1, 11), NULL);
	return p;
}

/* ---- reading graphs ------------------------------------------------------------ */

static uint32_t node(const struct fw_nodetab *t, const char *name)
{
	for (uint32_t n = 0; n < t->n; n++)
		if (strcmp(fw_node_name(t, n), name) == 0)
			return n;
	return FW_NONE;
}

/* "name" or, for nodes without a function, "name@objfile". */
static const char *label(const struct fw_nodetab *t, uint32_t n)
{
	static char buf[128];
	if (t->info[n].objfile && !t->info[n].name)
		snprintf(buf, sizeof(buf), "%s@%s", fw_node_name(t, n), fw_pstr(t->p, t->info[n].objfile));
	else
		snprintf(buf, sizeof(buf), "%s", fw_node_name(t, n));
	return buf;
}

/* The graph's nodes in order, space separated. */
static const char *order(const struct fw_graph *g)
{
	static char buf[512];
	size_t n = 0;
	buf[0] = 0;
	for (size_t i = 0; i < g->n_nodes; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? " " : "", label(g->tab, g->nodes[i]));
	return buf;
}

static const struct fw_edge *edge(const struct fw_graph *g, const char *src, const char *dst)
{
	uint32_t s = node(g->tab, src), d = node(g->tab, dst);
	for (size_t e = 0; e < g->n_edges; e++)
		if (fw_graph_edge(g, e)->src == s && fw_graph_edge(g, e)->dst == d)
			return fw_graph_edge(g, e);
	return NULL;
}

static bool in_graph(const struct fw_graph *g, const char *name)
{
	uint32_t n = node(g->tab, name);
	for (size_t i = 0; i < g->n_nodes; i++)
		if (g->nodes[i] == n)
			return true;
	return false;
}

static struct fw_error err;

/* ---- tests ------------------------------------------------------------------------ */

static void test_nodetab(const struct fw_nodetab *t)
{
	/* a, b, c, d, e: the three locations of a are one node */
	TAP_EQ_UINT(t->n, 5, "five nodes for six locations (a's three locations are one node)");
	TAP_OK(node(t, "a") != FW_NONE && node(t, "e") != FW_NONE, "nodes are named by function");
	/* the inlined location has two nodes, innermost (d) first */
	TAP_EQ_UINT(t->loc_count[5], 2, "the inlined location has two nodes");
	TAP_EQ_UINT(t->loc_nodes[t->loc_first[5]], node(t, "d"), "its first node is the inlined d");
	TAP_EQ_UINT(t->loc_nodes[t->loc_first[5] + 1], node(t, "e"), "its second node is e");
	TAP_EQ_UINT(t->loc_nodes[t->loc_first[3]], node(t, "a"), "a's second location is node a");
}

static void test_flat_cum(const struct fw_nodetab *t)
{
	struct fw_graph g;
	static const struct {
		const char *name;
		int64_t flat, cum;
	} want[] = { { "a", 7, 28 }, { "b", 3, 8 }, { "c", 7, 7 }, { "d", 11, 11 }, { "e", 0, 11 } };

	if (!TAP_EQ_INT(fw_graph_build(t, 1, NULL, &g, &err), 0, "build the graph"))
		return;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		uint32_t n = node(t, want[i].name);
		TAP_EQ_INT(g.flat[n], want[i].flat, "flat(%s)", want[i].name);
		TAP_EQ_INT(g.cum[n], want[i].cum, "cum(%s)", want[i].name);
	}
	/* a appears three times in the a->a->a sample: counted once (7, not 21) */
	TAP_EQ_INT(g.cum[node(t, "a")], 5 + 3 + 2 + 7 + 11, "recursion is counted once in cum(a)");
	TAP_EQ_UINT(g.n_nodes, 5, "five nodes in the graph");
	TAP_EQ_UINT(g.n_edges, 5, "five edges (no a->a self edge)");
	TAP_OK(edge(&g, "a", "a") == NULL, "no edge from a to itself");
	{
		const struct fw_edge *ab = edge(&g, "a", "b"), *bc = edge(&g, "b", "c"), *ac = edge(&g, "a", "c"),
				     *ae = edge(&g, "a", "e"), *ed = edge(&g, "e", "d");
		TAP_OK(ab && ab->weight == 8 && !ab->is_inline, "a->b weight 8 (5 + 3), not inline");
		TAP_OK(bc && bc->weight == 5 && !bc->is_inline, "b->c weight 5");
		TAP_OK(ac && ac->weight == 2 && !ac->is_inline, "a->c weight 2");
		TAP_OK(ae && ae->weight == 11 && !ae->is_inline, "a->e weight 11, not inline");
		TAP_OK(ed && ed->weight == 11 && ed->is_inline, "e->d weight 11, inline");
		TAP_OK(edge(&g, "d", "e") == NULL, "no edge d->e (callers point to callees)");
		TAP_OK(!(ab && ab->residual) && !(ed && ed->residual), "no residual edges in the full graph");
	}
	fw_graph_free(&g);

	/* value column 0: one per sample */
	if (TAP_EQ_INT(fw_graph_build(t, 0, NULL, &g, &err), 0, "build on column 0")) {
		TAP_EQ_INT(g.flat[node(t, "c")], 2, "column 0: flat(c) counts two samples");
		TAP_EQ_INT(g.cum[node(t, "a")], 5, "column 0: cum(a) is the sample count");
		fw_graph_free(&g);
	}
}

static void test_sort(const struct fw_nodetab *t)
{
	struct fw_graph g;

	if (fw_graph_build(t, 1, NULL, &g, &err) < 0)
		return;
	/* flat desc (d 11; a 7 and c 7 by name; b 3; e 0) */
	fw_graph_sort(&g, FW_SORT_FLAT);
	TAP_EQ_STR(order(&g), "d a c b e", "sorted by flat, ties by name");
	/* cum desc (a 28; d 11 and e 11 by name; b 8; c 7) */
	fw_graph_sort(&g, FW_SORT_CUM);
	TAP_EQ_STR(order(&g), "a d e b c", "sorted by cum, ties by name");
	fw_graph_free(&g);
}

/* Ties: flat desc, then printable name asc, then cum desc. Nodes are
 * created in the reverse of the expected order, so neither node index
 * nor NodeInfo's text (pprof's last resort) can produce it by accident.
 * Two nodes print as "[lib.so]": mapping-only locations of /x/lib.so and
 * /y/lib.so (X sorts first by NodeInfo text, Y has the larger cum). */
static void test_sort_ties(void)
{
	struct fw_profile *p = prof2();
	struct fw_nodetab t;
	struct fw_graph g;
	uint32_t fbeta = func(p, "beta", NULL), falpha = func(p, "alpha", NULL),
		 fzeta = func(p, "zeta", NULL), fq = func(p, "q", NULL), fz = func(p, "z", NULL);
	uint32_t lbeta = loc(p, fbeta), lalpha = loc(p, falpha);
	uint32_t lx = loc_obj(p, "/x/lib.so"), ly = loc_obj(p, "/y/lib.so");
	uint32_t lzeta = loc(p, fzeta), lq = loc(p, fq), lz = loc(p, fz);

	sample(p, LOCS(lbeta), VALS(1, 4), NULL);
	sample(p, LOCS(lq, lbeta), VALS(1, 6), NULL); /* beta: flat 4, cum 10 */
	sample(p, LOCS(lalpha), VALS(1, 4), NULL);    /* alpha: flat 4, cum 4 */
	sample(p, LOCS(lx), VALS(1, 4), NULL);        /* X: flat 4, cum 4 */
	sample(p, LOCS(ly), VALS(1, 4), NULL);
	sample(p, LOCS(lz, ly), VALS(1, 3), NULL);    /* Y: flat 4, cum 7 */
	sample(p, LOCS(lzeta), VALS(1, 5), NULL);
	if (!TAP_EQ_INT(fw_nodetab_build(p, &t, &err), 0, "node table for the ties"))
		goto out;
	TAP_EQ_STR(fw_node_name(&t, node(&t, "q")), "q", "q's name");
	TAP_EQ_STR(fw_node_name(&t, 2), "[lib.so]", "a mapping-only location is named [base name]");
	if (fw_graph_build(&t, 1, NULL, &g, &err) == 0) {
		fw_graph_sort(&g, FW_SORT_FLAT);
		/* '[' (0x5b) sorts before 'a' */
		TAP_EQ_STR(order(&g), "q zeta [lib.so]@/y/lib.so [lib.so]@/x/lib.so alpha beta z",
			   "flat desc, then name asc (alpha before beta of larger cum), then cum desc (Y before X)");
		fw_graph_sort(&g, FW_SORT_CUM);
		TAP_EQ_STR(order(&g), "beta [lib.so]@/y/lib.so q zeta [lib.so]@/x/lib.so alpha z",
			   "cum desc, then name asc");
		fw_graph_free(&g);
	}
	fw_nodetab_free(&t);
out:
	fw_profile_free(p);
}

static void test_trim_nodefraction(const struct fw_nodetab *t)
{
	struct fw_graph g;
	struct fw_trim_opts o = { .nodefraction = 0.3, .edgefraction = 0, .nodecount = 0, .order = FW_SORT_FLAT };
	size_t orig = 99, dropped = 99;

	/* total flat 28; cutoff int64(28 * 0.3) = 8; c (cum 7) goes */
	if (!TAP_EQ_INT(fw_graph_trimmed(t, 1, &o, &g, &orig, &dropped, &err), 0, "trim with nodefraction 0.3"))
		return;
	TAP_EQ_UINT(dropped, 1, "one node dropped (c, cum 7 < 8)");
	TAP_EQ_UINT(orig, 4, "four nodes left");
	TAP_OK(!in_graph(&g, "c"), "c is not in the graph");
	/* b's flat is only a->b (3): the a->b->c sample has a dropped leaf */
	TAP_EQ_STR(order(&g), "d a b e", "kept nodes sorted by flat");
	TAP_EQ_INT(g.flat[node(t, "b")], 3, "flat(b) excludes the sample whose leaf was dropped");
	TAP_EQ_INT(g.cum[node(t, "b")], 8, "cum(b) still counts it");
	TAP_EQ_INT(g.flat[node(t, "a")], 7, "flat(a) is not given a->c's value");
	TAP_EQ_INT(g.cum[node(t, "a")], 28, "cum(a) unchanged");
	TAP_OK(edge(&g, "b", "c") == NULL && edge(&g, "a", "c") == NULL, "no edges into c");
	TAP_EQ_UINT(g.n_edges, 3, "three edges left (a->b, a->e, e->d)");
	fw_graph_free(&g);

	/* 0.29: cutoff int64(8.12) = 8 still; 0.25: int64(7) = 7 keeps c */
	o.nodefraction = 0.25;
	if (TAP_EQ_INT(fw_graph_trimmed(t, 1, &o, &g, &orig, &dropped, &err), 0, "nodefraction 0.25")) {
		TAP_EQ_UINT(dropped, 0, "cutoff 7 keeps c (cum 7 >= 7)");
		TAP_EQ_UINT(orig, 5, "all five nodes");
		fw_graph_free(&g);
	}
}

static void test_trim_nodecount(const struct fw_nodetab *t)
{
	struct fw_graph g;
	struct fw_trim_opts o = { .nodefraction = 0, .edgefraction = 0, .nodecount = 2, .order = FW_SORT_FLAT };
	size_t orig = 99, dropped = 99;
	const struct fw_edge *ad;

	if (!TAP_EQ_INT(fw_graph_trimmed(t, 1, &o, &g, &orig, &dropped, &err), 0, "trim to nodecount 2"))
		return;
	TAP_EQ_UINT(orig, 5, "orig_count counts the nodes before nodecount");
	TAP_EQ_UINT(dropped, 0, "nodecount drops are not nodefraction drops");
	TAP_EQ_STR(order(&g), "d a", "the top two by flat: d, a");
	TAP_EQ_INT(g.flat[node(t, "a")], 7, "flat(a) after nodecount");
	TAP_EQ_INT(g.cum[node(t, "a")], 28, "cum(a) after nodecount");
	/* a -> (e dropped) -> d: a residual edge, inline because d is an
	 * inlined frame */
	ad = edge(&g, "a", "d");
	TAP_OK(ad != NULL && ad->weight == 11, "edge a->d of weight 11 bridges the dropped e");
	TAP_OK(ad != NULL && ad->residual, "a->d is residual");
	TAP_OK(ad != NULL && ad->is_inline, "a->d is inline");
	TAP_EQ_UINT(g.n_edges, 1, "the only edge");
	fw_graph_free(&g);

	o.order = FW_SORT_CUM;
	o.nodecount = 3;
	if (TAP_EQ_INT(fw_graph_trimmed(t, 1, &o, &g, &orig, &dropped, &err), 0, "nodecount 3 by cum")) {
		TAP_EQ_STR(order(&g), "a d e", "the top three by cum: a, d, e");
		fw_graph_free(&g);
	}
	/* nodecount larger than the graph: nothing trimmed */
	o.nodecount = 50;
	if (TAP_EQ_INT(fw_graph_trimmed(t, 1, &o, &g, &orig, &dropped, &err), 0, "nodecount 50")) {
		TAP_EQ_UINT(g.n_nodes, 5, "nodecount above the node count keeps all");
		fw_graph_free(&g);
	}
}

static void test_trim_edges(const struct fw_nodetab *t)
{
	struct fw_graph g;
	struct fw_trim_opts o = { .nodefraction = 0, .edgefraction = 0.2, .nodecount = 0, .order = FW_SORT_FLAT };
	size_t orig, dropped;
	struct fw_edge **list = NULL;
	size_t n = 0;

	/* edge cutoff int64(28 * 0.2) = 5: a->c (2) goes, b->c (5) stays */
	if (!TAP_EQ_INT(fw_graph_trimmed(t, 1, &o, &g, &orig, &dropped, &err), 0, "edgefraction 0.2"))
		return;
	TAP_OK(edge(&g, "a", "c") && edge(&g, "a", "c")->removed, "a->c (2 < 5) is removed");
	TAP_OK(edge(&g, "b", "c") && !edge(&g, "b", "c")->removed, "b->c (5 >= 5) is kept");
	TAP_EQ_UINT(g.n_nodes, 5, "edge trimming keeps every node");
	/* a's outgoing edges, heaviest first, without the removed one */
	if (TAP_EQ_INT(fw_graph_edges_of(&g, node(t, "a"), false, &list, &n), 0, "edges out of a")) {
		TAP_EQ_UINT(n, 2, "two edges out of a survive");
		if (n == 2) {
			TAP_EQ_STR(fw_node_name(t, list[0]->dst), "e", "heaviest first: a->e (11)");
			TAP_EQ_STR(fw_node_name(t, list[1]->dst), "b", "then a->b (8)");
		}
		free(list);
	}
	if (TAP_EQ_INT(fw_graph_edges_of(&g, node(t, "c"), true, &list, &n), 0, "edges into c")) {
		TAP_EQ_UINT(n, 1, "one edge into c survives");
		if (n == 1)
			TAP_EQ_STR(fw_node_name(t, list[0]->src), "b", "it is b->c");
		free(list);
	}
	fw_graph_free(&g);
}

/* A kept mask passed to fw_graph_build directly (pprof's KeptNodes). */
static void test_kept_mask(const struct fw_nodetab *t)
{
	struct fw_graph g;
	bool *kept = calloc(t->n, sizeof(bool));

	if (!kept)
		exit(99);
	kept[node(t, "a")] = kept[node(t, "c")] = true;
	if (TAP_EQ_INT(fw_graph_build(t, 1, kept, &g, &err), 0, "build with a kept mask {a, c}")) {
		const struct fw_edge *ac = edge(&g, "a", "c");
		/* c: leaf of a->b->c (5) and a->c (2) */
		TAP_EQ_INT(g.flat[node(t, "c")], 7, "flat(c) with b skipped");
		/* a->c: 2 direct, 5 through the skipped b (residual) */
		TAP_OK(ac && ac->weight == 7, "a->c collects both paths (7)");
		TAP_OK(ac && ac->residual, "a->c is residual (one path skipped b)");
		TAP_EQ_INT(g.flat[node(t, "a")], 7, "flat(a): only the a->a->a sample");
		TAP_EQ_UINT(g.n_nodes, 2, "only kept nodes are in the graph");
		fw_graph_free(&g);
	}
	free(kept);
}

/* flat and cum without edges are the full graph's */
static void test_nodes_only(const struct fw_nodetab *t)
{
	struct fw_graph g, full;

	if (!TAP_EQ_INT(fw_graph_build_nodes(t, 1, &g, &err), 0, "build without edges"))
		return;
	if (TAP_EQ_INT(fw_graph_build(t, 1, NULL, &full, &err), 0, "build with edges")) {
		bool same = g.n_nodes == full.n_nodes;
		for (size_t i = 0; same && i < g.n_nodes; i++)
			same = g.nodes[i] == full.nodes[i] && g.flat[g.nodes[i]] == full.flat[g.nodes[i]] &&
			       g.cum[g.nodes[i]] == full.cum[g.nodes[i]];
		TAP_OK(same, "the same nodes, flat and cum");
		fw_graph_free(&full);
	}
	TAP_EQ_UINT(g.n_edges, 0, "no edges");
	fw_graph_free(&g);
}

/* edge_nodes: only the edges from or to c (b->c 5, a->c 2), nodes unchanged */
static void test_edge_nodes(const struct fw_nodetab *t)
{
	bool *only_c = calloc(t->n + 1, sizeof(bool));
	struct fw_trim_opts o = { .order = FW_SORT_FLAT, .edge_nodes = only_c };
	struct fw_graph g;
	size_t orig, dropped;

	if (!only_c)
		return;
	only_c[node(t, "c")] = true;
	if (TAP_EQ_INT(fw_graph_trimmed(t, 1, &o, &g, &orig, &dropped, &err), 0, "graph with c's edges")) {
		const struct fw_edge *bc = edge(&g, "b", "c"), *ac = edge(&g, "a", "c");
		TAP_EQ_UINT(g.n_edges, 2, "two edges: those of c");
		TAP_OK(bc && bc->weight == 5 && ac && ac->weight == 2, "b->c 5, a->c 2");
		TAP_EQ_UINT(g.n_nodes, 5, "every node");
		TAP_EQ_INT(g.cum[node(t, "a")], 28, "cum(a) unchanged");
		fw_graph_free(&g);
	}
	free(only_c);
}

/* fw_graph_sort_edge_ids: the order of the pointer sort (a stable sort),
 * ties (|+x| = |-x|) in index order */
static void test_sort_edge_ids(const struct fw_nodetab *t)
{
	struct fw_graph g;
	struct fw_edge **list = NULL;
	uint32_t ids[8];
	size_t n = 0, k = 0;

	if (fw_graph_build(t, 1, NULL, &g, &err) < 0)
		return;
	for (size_t e = 0; e < g.n_edges && k < 8; e++)
		ids[k++] = (uint32_t)e;
	fw_graph_sort_edge_ids(&g, ids, k);
	if (TAP_EQ_INT(fw_graph_edges_of(&g, node(t, "a"), false, &list, &n), 0, "edges out of a")) {
		const char *got[3] = { NULL };
		size_t m = 0;
		for (size_t i = 0; i < k && m < 3; i++)
			if (fw_graph_edge(&g, ids[i])->src == node(t, "a"))
				got[m++] = fw_node_name(t, fw_graph_edge(&g, ids[i])->dst);
		TAP_OK(n == 3 && m == 3 && !strcmp(got[0], fw_node_name(t, list[0]->dst)) &&
			       !strcmp(got[1], fw_node_name(t, list[1]->dst)) &&
			       !strcmp(got[2], fw_node_name(t, list[2]->dst)),
		       "ids sort as the pointers: a->e, a->b, a->c");
		free(list);
	}
	/* ties: Go's Less says neither of +3 and -3 is less, orders two +3 by
	 * name: no strict order, so the ids must go through the same sort as
	 * the pointers to end the same */
	fw_graph_edge(&g, 0)->weight = 3;
	fw_graph_edge(&g, 1)->weight = -3;
	fw_graph_edge(&g, 2)->weight = 5;
	fw_graph_edge(&g, 3)->weight = -3;
	fw_graph_edge(&g, 4)->weight = 3;
	{
		uint32_t tie[5] = { 0, 1, 2, 3, 4 };
		struct fw_edge *ptr[5];
		bool same = true;
		for (size_t i = 0; i < 5; i++)
			ptr[i] = fw_graph_edge(&g, i);
		fw_graph_sort_edge_ids(&g, tie, 5);
		fw_graph_sort_edges(t, ptr, 5);
		for (size_t i = 0; i < 5; i++)
			same = same && ptr[i] == fw_graph_edge(&g, tie[i]);
		TAP_OK(same && tie[0] == 2, "ties: ids end as the pointers, weight 5 first (%u %u %u %u %u)",
		       tie[0], tie[1], tie[2], tie[3], tie[4]);
	}
	fw_graph_free(&g);
}

/* More edges than a chunk holds (FW_EDGE_CHUNK): samples main -> f_i ->
 * main -> f_i (recursion) for 3 * FW_EDGE_CHUNK + 5 functions, value
 * i + 1: main -> f_i and f_i -> main, each counted once per sample. */
static void test_many_edges(void)
{
	enum { N = 3 * FW_EDGE_CHUNK + 5 };
	struct fw_profile *p = prof2();
	uint32_t lmain = loc(p, func(p, "main", NULL));
	struct fw_nodetab t;
	struct fw_graph g;
	bool ok = true;

	for (int i = 0; i < N; i++) {
		char name[32];
		uint32_t l;
		snprintf(name, sizeof(name), "f%05d", i);
		l = loc(p, func(p, name, NULL));
		sample(p, LOCS(l, lmain, l, lmain), VALS(1, i + 1), NULL);
	}
	if (!TAP_EQ_INT(fw_nodetab_build(p, &t, &err), 0, "node table of %d functions", N)) {
		fw_profile_free(p);
		return;
	}
	if (TAP_EQ_INT(fw_graph_build(&t, 1, NULL, &g, &err), 0, "graph of %d edges", 2 * N)) {
		/* main -> f_i and f_i -> main, each once per sample */
		TAP_EQ_UINT(g.n_edges, 2 * N, "two edges per function");
		for (int i = 0; i < N && ok; i++) {
			char name[32];
			const struct fw_edge *a, *b;
			snprintf(name, sizeof(name), "f%05d", i);
			a = edge(&g, "main", name);
			b = edge(&g, name, "main");
			ok = a && b && a->weight == i + 1 && b->weight == i + 1;
		}
		TAP_OK(ok, "every edge counted once per sample, across chunks");
		fw_graph_free(&g);
	}
	fw_nodetab_free(&t);
	fw_profile_free(p);
}

/* ---- the path walk against a frame-by-frame walk ------------------------------ */

/* pprof's graph.New as written, frame by frame with a per-sample seen set:
 * the reference that graph.c's walk of shared stack prefixes must equal,
 * node for node and edge for edge, in the same edge order. */
struct ref_edge {
	uint32_t src, dst;
	int64_t weight;
	bool is_inline, residual;
};
struct ref_graph {
	int64_t *flat, *cum, *flat_div, *cum_div;
	struct ref_edge *e;
	size_t n_edges;
};

static void ref_build(const struct fw_nodetab *t, size_t vi, const bool *kept,
		      const bool *edge_nodes, bool mean, struct ref_graph *r)
{
	const struct fw_profile *p = t->p;
	uint32_t *seen = calloc(t->n + 1, sizeof(*seen));
	size_t *seen_edges = NULL, n_seen = 0;

	memset(r, 0, sizeof(*r));
	r->flat = calloc(t->n + 1, sizeof(int64_t));
	r->cum = calloc(t->n + 1, sizeof(int64_t));
	r->flat_div = calloc(t->n + 1, sizeof(int64_t));
	r->cum_div = calloc(t->n + 1, sizeof(int64_t));
	for (size_t s = 0; s < p->n_samples; s++) {
		const struct fw_sample *sm = &p->samples[s];
		const int64_t *v = fw_sample_values(p, s);
		int64_t w = v[vi], dw = mean ? v[0] : 0;
		uint32_t parent = FW_NONE;
		bool residual = false;

		if (w == 0 && dw == 0)
			continue;
		n_seen = 0;
		for (uint32_t i = sm->n_locs; i-- > 0;) {
			uint32_t loc = p->sample_locs[sm->first_loc + i];
			uint32_t cnt = t->loc_count[loc];
			for (uint32_t ni = cnt; ni-- > 0;) {
				uint32_t n = t->loc_nodes[t->loc_first[loc] + ni];
				if (kept && !kept[n]) {
					residual = true;
					continue;
				}
				if (seen[n] != s + 1) {
					seen[n] = (uint32_t)s + 1;
					r->cum[n] = fw_add64(r->cum[n], w);
					r->cum_div[n] = fw_add64(r->cum_div[n], dw);
				}
				if (parent != FW_NONE && n != parent &&
				    (!edge_nodes || edge_nodes[parent] || edge_nodes[n])) {
					size_t e = 0, k = 0;
					while (e < r->n_edges && !(r->e[e].src == parent && r->e[e].dst == n))
						e++;
					while (k < n_seen && seen_edges[k] != e)
						k++;
					if (e == r->n_edges)
						*PUSH(r->e, r->n_edges) = (struct ref_edge){ parent, n, 0, true, false };
					if (k == n_seen) {
						*PUSH(seen_edges, n_seen) = e;
						r->e[e].weight = fw_add64(r->e[e].weight, w);
						if (residual)
							r->e[e].residual = true;
						if (ni == cnt - 1)
							r->e[e].is_inline = false;
					}
				}
				parent = n;
				residual = false;
			}
		}
		if (parent != FW_NONE && !residual) {
			r->flat[parent] = fw_add64(r->flat[parent], w);
			r->flat_div[parent] = fw_add64(r->flat_div[parent], dw);
		}
	}
	free(seen);
	free(seen_edges);
}

static void ref_free(struct ref_graph *r)
{
	free(r->flat);
	free(r->cum);
	free(r->flat_div);
	free(r->cum_div);
	free(r->e);
}

/* The first difference between g and r, or NULL. */
static const char *graph_differs(const struct fw_nodetab *t, const struct fw_graph *g,
				 const struct ref_graph *r, bool edges, bool mean)
{
	size_t present = 0;

	for (uint32_t n = 0; n < t->n; n++) {
		if (g->flat[n] != r->flat[n])
			return "flat";
		if (g->cum[n] != r->cum[n])
			return "cum";
		if (mean && (g->flat_div[n] != r->flat_div[n] || g->cum_div[n] != r->cum_div[n]))
			return "-mean divisor";
		present += r->flat[n] != 0 || r->cum[n] != 0;
	}
	if (g->n_nodes != present)
		return "nodes present";
	if (!edges)
		return g->n_edges ? "edges without edges" : NULL;
	if (g->n_edges != r->n_edges)
		return "edge count";
	for (size_t e = 0; e < r->n_edges; e++) {
		const struct fw_edge *x = fw_graph_edge(g, e);
		const struct ref_edge *y = &r->e[e];
		if (x->src != y->src || x->dst != y->dst)
			return "edge order";
		if (x->weight != y->weight)
			return "edge weight";
		if (x->is_inline != y->is_inline || x->residual != y->residual)
			return "edge flags";
		if (x->counted)
			return "edge left marked";
	}
	return NULL;
}

static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;
static uint32_t rnd(uint32_t n)
{
	return xorshift_below(&rnd_state, n);
}

static struct fw_profile *random_profile(void)
{
	return prof_random(&rnd_state);
}

static void test_path_walk(void)
{
	const int rounds = 400;
	int bad = 0, runs = 0;
	const char *why = NULL;

	for (int round = 0; round < rounds && !bad; round++) {
		struct fw_profile *p = random_profile();
		struct fw_nodetab t;

		if (fw_nodetab_build(p, &t, &err) < 0) {
			bad++;
			why = "node table";
			fw_profile_free(p);
			break;
		}
		for (int c = 0; c < 8 && !bad; c++) {
			bool *kept = NULL, *edge_nodes = NULL, mean = c >= 5;
			size_t vi = rnd(2);
			struct fw_graph g;
			struct ref_graph r;
			int rc;

			if (c == 1 || c == 2 || c == 6) {
				kept = calloc(t.n + 1, sizeof(bool));
				for (uint32_t n = 0; n < t.n; n++)
					kept[n] = c == 1 || rnd(3) != 0;
			}
			if (c == 7) {
				edge_nodes = calloc(t.n + 1, sizeof(bool));
				for (uint32_t n = 0; n < t.n; n++)
					edge_nodes[n] = rnd(2);
			}
			ref_build(&t, vi, kept, edge_nodes, mean, &r);
			if (c == 3) {
				rc = fw_graph_build_nodes(&t, vi, &g, &err);
			} else if (mean || edge_nodes) {
				struct fw_trim_opts o = { .order = FW_SORT_FLAT, .mean = mean,
							  .edge_nodes = edge_nodes };
				size_t orig, dropped;
				/* no node fraction: the one pass over every node */
				rc = c == 6 ? fw_graph_build(&t, vi, kept, &g, &err)
					    : fw_graph_trimmed(&t, vi, &o, &g, &orig, &dropped, &err);
				if (c == 6) /* fw_graph_build has no -mean */
					ref_free(&r), ref_build(&t, vi, kept, NULL, false, &r);
			} else {
				rc = fw_graph_build(&t, vi, kept, &g, &err);
			}
			runs++;
			if (rc < 0) {
				bad++;
				why = "build failed";
			} else {
				why = graph_differs(&t, &g, &r, c != 3, mean && c != 6);
				bad += why != NULL;
				fw_graph_free(&g);
			}
			if (bad)
				TAP_DIAG("round %d, case %d, column %zu: %s", round, c, vi, why);
			ref_free(&r);
			free(kept);
			free(edge_nodes);
		}
		fw_nodetab_free(&t);
		fw_profile_free(p);
	}
	TAP_OK(bad == 0, "%d graphs of %d random profiles equal the frame-by-frame walk "
		    "(kept sets, nodes only, -mean, edge nodes)", runs, rounds);
}

int main(void)
{
	struct fw_profile *p = main_profile();
	struct fw_nodetab t;

	if (!TAP_EQ_INT(fw_nodetab_build(p, &t, &err), 0, "node table")) {
		fw_profile_free(p);
		return tap_done();
	}
	test_nodetab(&t);
	test_flat_cum(&t);
	test_sort(&t);
	test_sort_ties();
	test_trim_nodefraction(&t);
	test_trim_nodecount(&t);
	test_trim_edges(&t);
	test_kept_mask(&t);
	test_nodes_only(&t);
	test_edge_nodes(&t);
	test_sort_edge_ids(&t);
	fw_nodetab_free(&t);
	fw_profile_free(p);
	test_many_edges();
	test_path_walk();
	return tap_done();
}
