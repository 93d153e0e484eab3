/*
 * graph.c: building, sorting and trimming the call graph (see graph.h),
 * following pprof's internal/graph and report.newTrimmedGraph.
 */
#include "pprof/graph.h"
#include "base/keymap.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- node table ----------------------------------------------------------- */

static void printable_name(const struct fw_profile *p, const struct fw_node_info *ni, struct fw_buf *b)
{
	bool first = true;
#define SEP() do { if (!first) fw_buf_putc(b, ' '); first = false; } while (0)
	if (ni->address) {
		SEP();
		fw_buf_printf(b, "%016" PRIx64, ni->address);
	}
	if (ni->name) {
		SEP();
		fw_buf_putn(b, fw_pstr(p, ni->name), fw_strlen(&p->strings, ni->name));
	}
	if (ni->lineno) {
		SEP();
		fw_buf_putn(b, fw_pstr(p, ni->file), fw_strlen(&p->strings, ni->file));
		fw_buf_printf(b, ":%" PRId64, ni->lineno);
	} else if (ni->file) {
		SEP();
		fw_buf_putn(b, fw_pstr(p, ni->file), fw_strlen(&p->strings, ni->file));
	} else if (ni->name) {
		/* already printed */
	} else if (ni->objfile) {
		size_t bl;
		const char *base = fw_path_base_n(fw_pstr(p, ni->objfile),
						  fw_strlen(&p->strings, ni->objfile), &bl);
		SEP();
		fw_buf_putc(b, '[');
		fw_buf_putn(b, base, bl);
		fw_buf_putc(b, ']');
	} else {
		SEP();
		fw_buf_puts(b, "<unknown>");
	}
#undef SEP
}

/* A node that does not print as its bare function name. */
static bool synthesized(const struct fw_node_info *ni)
{
	return !ni->name || ni->address || ni->lineno || ni->file;
}

/* The node set: node infos are deduplicated in place in t->info (a set of
 * indices, not a copy of every key). */
static uint64_t info_hash(const void *ctx, uint32_t i)
{
	const struct fw_node_info *ni = &((const struct fw_nodetab *)ctx)->info[i];
	uint64_t h = fw_hash_u64((uint64_t)ni->name << 32 | ni->file, ni->objfile);

	h = fw_hash_u64(h ^ (uint64_t)ni->lineno, (uint64_t)ni->start_line);
	return ni->address ? fw_hash_u64(h, ni->address) : h;
}

static bool info_equal(const void *ctx, uint32_t a, uint32_t b)
{
	const struct fw_node_info *x = &((const struct fw_nodetab *)ctx)->info[a];
	const struct fw_node_info *y = &((const struct fw_nodetab *)ctx)->info[b];

	return x->name == y->name && x->file == y->file && x->objfile == y->objfile &&
	       x->lineno == y->lineno && x->start_line == y->start_line && x->address == y->address;
}

int fw_nodetab_nodes(const struct fw_profile *p, struct fw_nodetab *t, struct fw_error *err)
{
	struct fw_idxset set;
	size_t cap = 0, cap_nodes = 0, n_loc_nodes = 0;
	memset(t, 0, sizeof(*t));
	t->p = p;
	if (fw_idxset_init(&set, p->n_functions + 16, info_hash, info_equal, t) < 0)
		return fw_err(err, -ENOMEM, "out of memory building the call graph");
	t->n_locs = p->n_locations;
	t->loc_first = malloc((p->n_locations + 1) * sizeof(uint32_t));
	t->loc_count = malloc((p->n_locations + 1) * sizeof(uint32_t));
	t->loc_node1 = malloc((p->n_locations + 1) * sizeof(uint32_t));
	if (!t->loc_first || !t->loc_count || !t->loc_node1)
		goto nomem;
	/* A node per location line (one for a location without lines) at
	 * most: both arrays at that size once, instead of growing. */
	for (size_t li = 0; li < p->n_locations; li++)
		cap += p->locations[li].n_lines ? p->locations[li].n_lines : 1;
	if (cap >= FW_MAX_NODES - 1) /* more lines than a profile can hold */
		goto nomem;
	cap_nodes = ++cap;
	t->loc_nodes = malloc(cap_nodes * sizeof(uint32_t));
	t->info = malloc(cap * sizeof(*t->info));
	if (!t->loc_nodes || !t->info)
		goto nomem;
	for (size_t li = 0; li < p->n_locations; li++) {
		const struct fw_location *l = &p->locations[li];
		uint32_t nlines = l->n_lines ? l->n_lines : 1;
		uint32_t objfile = l->mapping != FW_NONE ? p->mappings[l->mapping].filename : 0;

		if (fw_grow((void **)&t->loc_nodes, &cap_nodes, n_loc_nodes + nlines, sizeof(uint32_t)) < 0)
			goto nomem;
		t->loc_first[li] = (uint32_t)n_loc_nodes;
		t->loc_count[li] = nlines;
		for (uint32_t k = 0; k < nlines; k++) {
			struct fw_node_info ni;
			uint32_t idx;

			if (t->n >= UINT32_MAX - 1 ||
			    fw_grow((void **)&t->info, &cap, t->n + 1, sizeof(ni)) < 0)
				goto nomem;
			memset(&ni, 0, sizeof(ni));
			ni.address = l->address;
			if (l->n_lines == 0) {
				ni.objfile = objfile;
			} else {
				const struct fw_line *ln = &p->lines[l->first_line + k];
				const struct fw_function *f = &p->functions[ln->function];
				ni.lineno = ln->line;
				ni.name = f->name;
				ni.file = f->filename;
				if (ni.name == 0) {
					ni.objfile = objfile;
					ni.start_line = f->start_line;
				}
			}
			/* a candidate at the end, kept if new */
			t->info[t->n] = ni;
			if (fw_idxset_canon(&set, (uint32_t)t->n, &idx) < 0)
				goto nomem;
			if (idx == t->n)
				t->n++;
			t->loc_nodes[n_loc_nodes++] = idx;
		}
		t->loc_node1[li] = nlines == 1 ? t->loc_nodes[n_loc_nodes - 1] : FW_NONE;
	}
	fw_idxset_free(&set);
	if (t->n) {
		struct fw_node_info *shrunk = realloc(t->info, t->n * sizeof(*t->info));
		if (shrunk)
			t->info = shrunk;
	}
	return 0;
nomem:
	fw_idxset_free(&set);
	fw_nodetab_free(t);
	return fw_err(err, -ENOMEM, "out of memory building the call graph");
}

int fw_nodetab_names(struct fw_nodetab *t, struct fw_error *err)
{
	const struct fw_profile *p = t->p;
	struct fw_buf names;

	fw_buf_init(&names);
	t->name_off = malloc((t->n + 1) * sizeof(uint32_t));
	t->name_len = malloc((t->n + 1) * sizeof(uint32_t));
	if (!t->name_off || !t->name_len)
		goto nomem;
	/* The synthesized names' size first, so that their buffer is made
	 * once at its size: doubling it left a copy of a megabyte or two
	 * behind with -lines on a large profile. */
	{
		struct fw_buf one;
		size_t total = 0;
		bool failed;
		fw_buf_init(&one);
		for (size_t i = 0; i < t->n; i++) {
			if (!synthesized(&t->info[i]))
				continue;
			one.len = 0;
			printable_name(p, &t->info[i], &one);
			total += one.len + 1;
		}
		failed = one.failed; /* fw_buf_free clears it */
		fw_buf_free(&one);
		if (failed)
			goto nomem;
		fw_buf_reserve(&names, total);
	}
	for (size_t i = 0; i < t->n; i++) {
		const struct fw_node_info *ni = &t->info[i];
		/* Most nodes print as their bare function name: point at the
		 * string table instead of copying it. */
		if (!synthesized(ni)) {
			t->name_off[i] = ni->name;
			t->name_len[i] = (uint32_t)fw_strlen(&p->strings, ni->name);
			continue;
		}
		if (names.len >= FW_NAME_SYNTH)
			goto nomem;
		size_t start = names.len;
		t->name_off[i] = FW_NAME_SYNTH | (uint32_t)start;
		printable_name(p, ni, &names);
		if (names.len - start > UINT32_MAX)
			goto nomem;
		t->name_len[i] = (uint32_t)(names.len - start);
		fw_buf_putc(&names, 0);
	}
	if (names.failed)
		goto nomem;
	t->names = names.data;
	if (!t->names) {
		t->names = calloc(1, 1);
		if (!t->names)
			goto nomem;
	}
	return 0;
nomem:
	fw_buf_free(&names);
	fw_nodetab_free(t);
	return fw_err(err, -ENOMEM, "out of memory building the call graph");
}

int fw_nodetab_build(const struct fw_profile *p, struct fw_nodetab *t, struct fw_error *err)
{
	int r = fw_nodetab_nodes(p, t, err);
	return r < 0 ? r : fw_nodetab_names(t, err);
}

void fw_nodetab_free(struct fw_nodetab *t)
{
	free(t->info);
	free(t->name_off);
	free(t->name_len);
	free(t->names);
	free(t->loc_first);
	free(t->loc_count);
	free(t->loc_nodes);
	free(t->loc_node1);
	memset(t, 0, sizeof(*t));
}

int fw_node_name_cmp(const struct fw_nodetab *t, uint32_t a, uint32_t b)
{
	size_t la = fw_node_name_len(t, a), lb = fw_node_name_len(t, b);
	int r = memcmp(fw_node_name(t, a), fw_node_name(t, b), la < lb ? la : lb);

	if (r)
		return r;
	return la < lb ? -1 : la > lb;
}

/* ---- accumulation ----------------------------------------------------------- */

/* The state of one build.
 *
 * Samples are walked as one path from the root: a sample shares a prefix
 * of its stack with the one before it (most of a large profile's frames
 * are shared so), and only the frames past that prefix are pushed and
 * popped. Each kept frame on the path is an element; a node's cum and an
 * edge's weight are what the running total of sample values grew by while
 * the first element of that node (edge) on the path was there. That is
 * exactly once per sample that holds it, as pprof counts, at a cost per
 * changed frame rather than per frame.
 *
 * Edges: an open-addressing set of edge indices (index + 1, 0 = empty; at
 * most 3/4 full) keyed by the edges' own src and dst, so that a slot costs
 * 4 bytes and no key is copied. fw_edge.counted marks an edge already on
 * the path. */
struct path_elem {
	uint64_t start; /* the running total when it was pushed */
	uint32_t node;	/* its node, | FIRST_NODE when the first of it on the path */
	uint32_t edge;	/* the edge from the element above when the first of it
			 * on the path, else FW_NONE */
};
#define FIRST_NODE 0x80000000u /* above FW_MAX_NODES */
struct path_loc { /* per location depth of the path, root first */
	uint32_t elems; /* elements before it */
	bool residual;	/* a dropped frame since the last element */
};
struct acc {
	uint8_t *on_path;  /* per node: an element of it is on the path */
	uint32_t *last_in; /* per node: the edge into it found last, or FW_NONE */
	uint32_t *slots;
	size_t nslots, cap_chunks;
	struct path_elem *elems;
	uint64_t *start_div; /* -mean: per element, the divisors' running total */
	size_t cap_elems, cap_start_div;
	struct path_loc *locs;
	size_t cap_locs;
};

static size_t edge_slot(uint32_t src, uint32_t dst, size_t nslots)
{
	return (size_t)fw_hash_u64((uint64_t)src << 32 | dst, 0) & (nslots - 1);
}

static int slots_grow(struct acc *a, const struct fw_graph *g)
{
	size_t ns = a->nslots ? a->nslots * 2 : 1024;
	uint32_t *slots;

	if (ns > SIZE_MAX / 2 / sizeof(*slots) || !(slots = calloc(ns, sizeof(*slots))))
		return -ENOMEM;
	for (size_t e = 0; e < g->n_edges; e++) {
		const struct fw_edge *ed = fw_graph_edge(g, e);
		size_t h = edge_slot(ed->src, ed->dst, ns);
		while (slots[h])
			h = (h + 1) & (ns - 1);
		slots[h] = (uint32_t)(e + 1);
	}
	free(a->slots);
	a->slots = slots;
	a->nslots = ns;
	return 0;
}

/* The edge parent -> n of the element being pushed: created when new;
 * when not already on the path, marked so, with the element's residual and
 * inline flags, and kept in el->edge. */
static int push_edge(struct acc *a, struct fw_graph *g, uint32_t parent, uint32_t n, bool residual,
		     bool inlined, struct path_elem *el)
{
	struct fw_edge *ed;
	size_t h, e = a->last_in[n];

	/* Stacks repeat, so the edge into n found last is nearly always the
	 * one wanted: only a different caller costs a lookup. */
	if (e != FW_NONE && (ed = fw_graph_edge(g, e))->src == parent)
		goto found;
	if ((g->n_edges + 1) * 4 > a->nslots * 3 && slots_grow(a, g) < 0)
		return -ENOMEM;
	for (h = edge_slot(parent, n, a->nslots); a->slots[h]; h = (h + 1) & (a->nslots - 1)) {
		e = a->slots[h] - 1;
		ed = fw_graph_edge(g, e);
		if (ed->src == parent && ed->dst == n)
			goto remember;
	}
	if (g->n_edges >= UINT32_MAX - 1)
		return -ENOMEM;
	e = g->n_edges;
	if (e % FW_EDGE_CHUNK == 0) {
		size_t c = e / FW_EDGE_CHUNK;
		if (fw_grow((void **)&g->edge_chunks, &a->cap_chunks, c + 1, sizeof(*g->edge_chunks)) < 0 ||
		    !(g->edge_chunks[c] = malloc(FW_EDGE_CHUNK * sizeof(struct fw_edge))))
			return -ENOMEM;
	}
	g->n_edges++;
	ed = fw_graph_edge(g, e);
	*ed = (struct fw_edge){ .src = parent, .dst = n, .is_inline = true };
	a->slots[h] = (uint32_t)(e + 1);
remember:
	a->last_in[n] = (uint32_t)e;
found:
	if (!ed->counted) {
		el->edge = (uint32_t)e;
		ed->counted = true;
		if (residual)
			ed->residual = true;
		if (!inlined) /* an inline contribution keeps the flag */
			ed->is_inline = false;
	}
	return 0;
}

/* Pops the path's top element: its node's cum and its edge's weight get
 * what the totals grew by while it was there, if it was their first. */
static inline __attribute__((always_inline)) void pop(struct acc *a, struct fw_graph *g,
						      size_t depth, uint64_t tot, uint64_t tot_div,
						      bool mean)
{
	const struct path_elem *el = &a->elems[depth];
	int64_t v = (int64_t)(tot - el->start);

	if (el->node & FIRST_NODE) {
		uint32_t n = el->node & ~FIRST_NODE;
		g->cum[n] = fw_add64(g->cum[n], v);
		if (mean)
			g->cum_div[n] = fw_add64(g->cum_div[n], (int64_t)(tot_div - a->start_div[depth]));
		a->on_path[n] = 0;
	}
	if (el->edge != FW_NONE) {
		struct fw_edge *ed = fw_graph_edge(g, el->edge);
		ed->weight = fw_add64(ed->weight, v);
		ed->counted = false;
	}
}

/* Every sample's contribution: cum once per node per sample, flat to the
 * leaf, and the edges from root to leaf once per sample (see struct acc).
 * Always inlined, so that the common passes compile to loops without the
 * tests they do not need (build()). */
static inline __attribute__((always_inline)) int accumulate(const struct fw_nodetab *t, size_t vi,
							    const bool *kept, bool with_edges,
							    const bool *edge_nodes, bool mean,
							    struct acc *a, struct fw_graph *g)
{
	const struct fw_profile *p = t->p;
	const uint32_t *loc_first = t->loc_first, *loc_count = t->loc_count, *loc_nodes = t->loc_nodes;
	const uint32_t *loc_node1 = t->loc_node1;
	const uint32_t *prev = NULL;
	uint32_t prev_n = 0;
	uint64_t tot = 0, tot_div = 0; /* wrap around, as Go's sums do */
	size_t depth = 0;

	if (fw_grow((void **)&a->locs, &a->cap_locs, 1, sizeof(*a->locs)) < 0)
		return -ENOMEM;
	a->locs[0] = (struct path_loc){ 0, false };
	for (size_t s = 0; s < p->n_samples; s++) {
		const struct fw_sample *sm = &p->samples[s];
		const uint32_t *locs = sm->n_locs ? p->sample_locs + sm->first_loc : NULL;
		const int64_t *v = fw_sample_values(p, s);
		int64_t w = v[vi], dw = mean ? v[0] : 0;
		uint32_t nl = sm->n_locs, k = 0, lim = nl < prev_n ? nl : prev_n, parent;
		bool residual;

		if (w == 0 && dw == 0)
			continue;
		/* the locations from the root this sample shares with the path:
		 * the two stacks' common tail (they are stored leaf first) */
		if (locs == prev) {
			k = lim;
		} else if (lim > 0) { /* (no offset from a NULL stack) */
			const uint32_t *x = locs + nl, *y = prev + prev_n;
			while (k + 4 <= lim && memcmp(x - k - 4, y - k - 4, 4 * sizeof(*x)) == 0)
				k += 4;
			while (k < lim && x[-1 - (int64_t)k] == y[-1 - (int64_t)k])
				k++;
		}
		while (depth > a->locs[k].elems)
			pop(a, g, --depth, tot, tot_div, mean);
		residual = a->locs[k].residual;
		parent = depth ? a->elems[depth - 1].node & ~FIRST_NODE : FW_NONE;
		if (nl >= a->cap_locs &&
		    fw_grow((void **)&a->locs, &a->cap_locs, (size_t)nl + 1, sizeof(*a->locs)) < 0)
			return -ENOMEM;
		for (uint32_t j = k; j < nl; j++) {
			uint32_t loc = locs[nl - 1 - j], n = loc_node1[loc], first = 0, cnt = 1, ni = 1;

			a->locs[j] = (struct path_loc){ (uint32_t)depth, residual };
			if (n == FW_NONE) { /* several lines: inlined calls */
				first = loc_first[loc];
				cnt = ni = loc_count[loc];
			}
			if (depth + cnt > a->cap_elems &&
			    fw_grow((void **)&a->elems, &a->cap_elems, depth + cnt, sizeof(*a->elems)) < 0)
				return -ENOMEM;
			if (mean && depth + cnt > a->cap_start_div &&
			    fw_grow((void **)&a->start_div, &a->cap_start_div, depth + cnt,
				    sizeof(*a->start_div)) < 0)
				return -ENOMEM;
			do {
				struct path_elem *el;

				if (cnt > 1)
					n = loc_nodes[first + --ni];
				else
					ni = 0;
				if (kept && !kept[n]) {
					residual = true;
					continue;
				}
				if (mean)
					a->start_div[depth] = tot_div;
				el = &a->elems[depth++];
				*el = (struct path_elem){ tot, a->on_path[n] ? n : n | FIRST_NODE, FW_NONE };
				a->on_path[n] = 1;
				if (with_edges && parent != FW_NONE && n != parent &&
				    (!edge_nodes || edge_nodes[parent] || edge_nodes[n]) &&
				    push_edge(a, g, parent, n, residual, ni != cnt - 1, el) < 0)
					return -ENOMEM;
				parent = n;
				residual = false;
			} while (ni > 0);
		}
		a->locs[nl] = (struct path_loc){ (uint32_t)depth, residual };
		prev = locs;
		prev_n = nl;
		tot += (uint64_t)w;
		tot_div += (uint64_t)dw;
		if (parent != FW_NONE && !residual) {
			g->flat[parent] = fw_add64(g->flat[parent], w);
			if (mean)
				g->flat_div[parent] = fw_add64(g->flat_div[parent], dw);
		}
	}
	while (depth > 0)
		pop(a, g, --depth, tot, tot_div, mean);
	return 0;
}

/* with_edges = false computes only flat and cum: enough to decide what to
 * trim, at a fraction of the memory a large profile's edges take. */
static int build(const struct fw_nodetab *t, size_t vi, const bool *kept, bool with_edges,
		 const struct fw_trim_opts *o, struct fw_graph *g, struct fw_error *err)
{
	struct acc a;
	bool drop_negative = o && o->drop_negative, mean = o && o->mean;
	int r;

	assert(t && g && vi < t->p->n_sample_types);
	memset(g, 0, sizeof(*g));
	memset(&a, 0, sizeof(a));
	g->tab = t;
	g->flat = calloc(t->n + 1, sizeof(int64_t));
	g->cum = calloc(t->n + 1, sizeof(int64_t));
	a.on_path = calloc(t->n + 1, 1);
	if (!g->flat || !g->cum || !a.on_path)
		goto nomem;
	if (with_edges) {
		a.last_in = malloc((t->n + 1) * sizeof(uint32_t));
		if (!a.last_in)
			goto nomem;
		memset(a.last_in, 0xff, (t->n + 1) * sizeof(uint32_t)); /* FW_NONE */
	}
	if (mean) {
		g->flat_div = calloc(t->n + 1, sizeof(int64_t));
		g->cum_div = calloc(t->n + 1, sizeof(int64_t));
		if (!g->flat_div || !g->cum_div)
			goto nomem;
	}
	/* the first pass, and the second of top, dot and the analysis */
	if (!kept && !with_edges && !mean)
		r = accumulate(t, vi, NULL, false, NULL, false, &a, g);
	else if (with_edges && !mean && !(o && o->edge_nodes))
		r = accumulate(t, vi, kept, true, NULL, false, &a, g);
	else
		r = accumulate(t, vi, kept, with_edges, o ? o->edge_nodes : NULL, mean, &a, g);
	if (r < 0)
		goto nomem;
	/* the building state's room for what follows */
	free(a.on_path);
	free(a.last_in);
	free(a.slots);
	free(a.elems);
	free(a.start_div);
	free(a.locs);
	memset(&a, 0, sizeof(a));
	if (g->n_edges % FW_EDGE_CHUNK) { /* the last chunk's unused tail back */
		size_t c = g->n_edges / FW_EDGE_CHUNK;
		struct fw_edge *shrunk =
			realloc(g->edge_chunks[c], (g->n_edges % FW_EDGE_CHUNK) * sizeof(struct fw_edge));
		if (shrunk)
			g->edge_chunks[c] = shrunk;
	}
	if (!(g->nodes = malloc((t->n + 1) * sizeof(uint32_t))))
		goto nomem;
	for (size_t n = 0; n < t->n; n++) {
		bool negative = g->flat[n] < 0 || (g->flat[n] == 0 && g->cum[n] < 0);
		if ((g->flat[n] != 0 || g->cum[n] != 0) && !(drop_negative && negative))
			g->nodes[g->n_nodes++] = (uint32_t)n;
	}
	return 0;
nomem:
	free(a.on_path);
	free(a.last_in);
	free(a.slots);
	free(a.elems);
	free(a.start_div);
	free(a.locs);
	fw_graph_free(g);
	return fw_err(err, -ENOMEM, "out of memory building the call graph");
}

int fw_graph_build(const struct fw_nodetab *t, size_t vi, const bool *kept, struct fw_graph *g,
		   struct fw_error *err)
{
	return build(t, vi, kept, true, NULL, g, err);
}

int fw_graph_build_nodes(const struct fw_nodetab *t, size_t vi, struct fw_graph *g,
			 struct fw_error *err)
{
	return build(t, vi, NULL, false, NULL, g, err);
}

int fw_graph_build_all(const struct fw_nodetab *t, size_t vi, const struct fw_trim_opts *o,
		       struct fw_graph *g, struct fw_error *err)
{
	struct fw_trim_opts only = { .mean = o->mean, .drop_negative = o->drop_negative };

	return build(t, vi, NULL, true, &only, g, err);
}

void fw_graph_free(struct fw_graph *g)
{
	free(g->flat);
	free(g->cum);
	free(g->flat_div);
	free(g->cum_div);
	free(g->nodes);
	for (size_t c = 0; c * FW_EDGE_CHUNK < g->n_edges; c++)
		free(g->edge_chunks[c]);
	free(g->edge_chunks);
	memset(g, 0, sizeof(*g));
}

/* ---- sorting ---------------------------------------------------------------- */

struct sort_ctx {
	const struct fw_graph *g;
	enum fw_sort order;
};

/* fmt.Sprint(NodeInfo): {Name OrigName Address File StartLine Lineno Objfile} */
static void sprint_info(const struct fw_nodetab *t, uint32_t n, struct fw_buf *b)
{
	const struct fw_node_info *ni = &t->info[n];
	fw_buf_printf(b, "{%s  %" PRIu64 " %s %" PRId64 " %" PRId64 " %s}", fw_pstr(t->p, ni->name),
		      ni->address, fw_pstr(t->p, ni->file), ni->start_line, ni->lineno,
		      fw_pstr(t->p, ni->objfile));
}

static int cmp_nodes(const void *a, const void *b, void *opaque)
{
	const struct sort_ctx *c = opaque;
	const struct fw_graph *g = c->g;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	int64_t k1x, k1y, k2x, k2y;
	int r;

	if (c->order == FW_SORT_FLAT) {
		k1x = fw_abs64(g->flat[x]), k1y = fw_abs64(g->flat[y]);
		k2x = fw_abs64(g->cum[x]), k2y = fw_abs64(g->cum[y]);
	} else {
		k1x = fw_abs64(g->cum[x]), k1y = fw_abs64(g->cum[y]);
		k2x = fw_abs64(g->flat[x]), k2y = fw_abs64(g->flat[y]);
	}
	if (k1x != k1y)
		return k1x > k1y ? -1 : 1;
	r = fw_node_name_cmp(g->tab, x, y);
	if (r)
		return r;
	if (k2x != k2y)
		return k2x > k2y ? -1 : 1;
	{
		struct fw_buf bx, by;
		fw_buf_init(&bx);
		fw_buf_init(&by);
		sprint_info(g->tab, x, &bx);
		sprint_info(g->tab, y, &by);
		r = strcmp(fw_buf_str(&bx), fw_buf_str(&by));
		fw_buf_free(&bx);
		fw_buf_free(&by);
	}
	return r ? r : (x < y ? -1 : x > y);
}

void fw_graph_sort(struct fw_graph *g, enum fw_sort order)
{
	struct sort_ctx c = { g, order };
	qsort_r(g->nodes, g->n_nodes, sizeof(uint32_t), cmp_nodes, &c);
}

/* ---- trimming --------------------------------------------------------------- */

static int64_t cutoff(int64_t total, double fraction)
{
	return fw_abs64(fw_go_int64((double)total * fraction));
}

static void trim_edges(struct fw_graph *g, int64_t edge_cutoff)
{
	for (size_t e = 0; e < g->n_edges; e++)
		if (fw_abs64(fw_graph_edge(g, e)->weight) < edge_cutoff)
			fw_graph_edge(g, e)->removed = true;
}

int fw_graph_trimmed(const struct fw_nodetab *t, size_t vi, const struct fw_trim_opts *o,
		     struct fw_graph *g, size_t *orig_count, size_t *dropped_nodes,
		     struct fw_error *err)
{
	int64_t total = 0, node_cut, edge_cut;
	bool *kept = NULL, one_pass = o->nodefraction == 0;
	int r;

	*dropped_nodes = 0;
	/* Without a node fraction (peek, -nodefraction=0) the cutoff is 0 and
	 * no node is dropped: the graph with its edges at once, the same as
	 * the second pass below would make. */
	if ((r = build(t, vi, NULL, one_pass, o, g, err)) < 0)
		return r;
	for (size_t i = 0; i < g->n_nodes; i++)
		total = fw_add64(total, g->flat[g->nodes[i]]);
	node_cut = cutoff(total, o->nodefraction);
	edge_cut = cutoff(total, o->edgefraction);

	if (node_cut > 0) {
		size_t nk = 0;
		kept = calloc(t->n + 1, sizeof(bool));
		if (!kept) {
			fw_graph_free(g);
			return fw_err(err, -ENOMEM, "out of memory trimming the call graph");
		}
		for (size_t i = 0; i < g->n_nodes; i++) {
			uint32_t n = g->nodes[i];
			if (fw_abs64(g->cum[n]) >= node_cut) {
				kept[n] = true;
				nk++;
			}
		}
		if (nk != g->n_nodes)
			*dropped_nodes = g->n_nodes - nk;
	}
	if (!one_pass) {
		/* The graph again, now with edges, over the kept nodes. */
		fw_graph_free(g);
		r = build(t, vi, *dropped_nodes ? kept : NULL, true, o, g, err);
		if (r < 0) {
			free(kept);
			return r;
		}
	}
	*orig_count = g->n_nodes;
	fw_graph_sort(g, o->order);
	if (o->nodecount > 0 && (size_t)o->nodecount < g->n_nodes) {
		bool *top = calloc(t->n + 1, sizeof(bool));
		if (!top) {
			free(kept);
			fw_graph_free(g);
			return fw_err(err, -ENOMEM, "out of memory trimming the call graph");
		}
		for (size_t i = 0; i < (size_t)o->nodecount; i++)
			top[g->nodes[i]] = true;
		fw_graph_free(g);
		r = build(t, vi, top, true, o, g, err);
		free(top);
		if (r < 0) {
			free(kept);
			return r;
		}
		fw_graph_sort(g, o->order);
	}
	trim_edges(g, edge_cut);
	free(kept);
	return 0;
}

/* ---- edge listing ----------------------------------------------------------- */

struct edge_sort_ctx {
	const struct fw_nodetab *t;
};

static int cmp_edge(const struct fw_nodetab *t, const struct fw_edge *x, const struct fw_edge *y)
{
	int r;

	if (x->weight != y->weight) {
		int64_t ax = fw_abs64(x->weight), ay = fw_abs64(y->weight);
		if (ax != ay)
			return ax > ay ? -1 : 1;
		/* Go's Less says "not less" both ways here; keep input order. */
		return 0;
	}
	r = fw_node_name_cmp(t, x->src, y->src);
	if (r)
		return r;
	return fw_node_name_cmp(t, x->dst, y->dst);
}

static int cmp_edges(const void *a, const void *b, void *opaque)
{
	const struct edge_sort_ctx *c = opaque;

	return cmp_edge(c->t, *(const struct fw_edge *const *)a, *(const struct fw_edge *const *)b);
}

void fw_graph_sort_edges(const struct fw_nodetab *t, struct fw_edge **list, size_t n)
{
	struct edge_sort_ctx c = { t };
	qsort_r(list, n, sizeof(*list), cmp_edges, &c);
}

static int cmp_edge_ids(const void *a, const void *b, void *opaque)
{
	const struct fw_graph *g = opaque;

	return cmp_edge(g->tab, fw_graph_edge(g, *(const uint32_t *)a), fw_graph_edge(g, *(const uint32_t *)b));
}

void fw_graph_sort_edge_ids(const struct fw_graph *g, uint32_t *ids, size_t n)
{
	/* the same sort as fw_graph_sort_edges on the same sequence: Go's
	 * Less is no strict order (|+x| = |-x| are equal, +x and +x are
	 * ordered by name), so the result is the algorithm's */
	qsort_r(ids, n, sizeof(*ids), cmp_edge_ids, (void *)g);
}

int fw_graph_edges_of(const struct fw_graph *g, uint32_t n, bool incoming, struct fw_edge ***out,
		      size_t *count)
{
	struct fw_edge **list;
	size_t k = 0;

	list = malloc((g->n_edges + 1) * sizeof(*list));
	if (!list)
		return -ENOMEM;
	for (size_t e = 0; e < g->n_edges; e++) {
		struct fw_edge *ed = fw_graph_edge(g, e);
		if (ed->removed)
			continue;
		if ((incoming ? ed->dst : ed->src) == n)
			list[k++] = ed;
	}
	fw_graph_sort_edges(g->tab, list, k);
	*out = list;
	*count = k;
	return 0;
}
