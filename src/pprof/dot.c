/*
 * dot.c: `go tool pprof -dot` (see dot.h). Go 1.19's vendored pprof:
 * report.go (newTrimmedGraph, newGraph, GetDOT, reportLabels),
 * internal/graph/graph.go (newGraph, newTree, addSample, TrimTree,
 * TrimLowFrequencyTags/Edges, selectTopNodes, RemoveRedundantEdges, the
 * entropy order) and internal/graph/dotgraph.go (ComposeDot).
 *
 * Nodes are identified by their node table index (report.c applied the
 * granularity); in a call tree by their call path. A call tree is walked
 * (calltree.h) and only the nodes that survive its first trim are built,
 * with what TrimTree makes of their edges: large.cpu's whole tree has
 * 425,051 nodes. Edges live in one array; each node lists the indices of
 * its live in and out edges (pprof's In and Out maps; their order never
 * matters, every use sorts or only tests reachability).
 */
#include "pprof/dot.h"
#include "pprof/calltree.h"
#include "base/u64map.h"
#include "pprof/funcname.h"
#include "pprof/units.h"
#include "base/keymap.h"
#include "base/outtext.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NODELETS 4

struct tag {
	uint64_t first; /* the first (sample << 32 | place in it) adding to it: its creation order */
	uint32_t lab;  /* label string id (0: none); a label tag's own name */
	uint32_t name; /* numeric tags: the formatted value's string id */
	bool numeric;
	int64_t value;
	int64_t flat, flat_div, cum, cum_div;
};

struct node {
	uint32_t info; /* node table index */
	int64_t flat, flat_div, cum, cum_div;
	struct tag *tags;
	size_t n_tags, cap_tags;
	uint32_t *in, *out; /* edge indices */
	size_t n_in, n_out, cap_in, cap_out;
};

struct edge {
	uint32_t src, dst;
	int64_t w, wdiv;
	bool residual, inl;
	bool gone; /* building a call tree: trimmed before its TrimTree */
};

/* Strings the tags show: label strings and formatted numeric values. */
struct strs {
	struct fw_keymap km;
	struct fw_buf pool;
	size_t *off, *len;
	size_t n, cap;
};

struct ctx {
	struct fw_report *r;
	const struct fw_dot_opts *o;
	const struct fw_nodetab *tab;
	const struct fw_profile *p;
	bool tree;
	struct strs s;
	uint32_t *sample_lab; /* per sample: its joined label string id (0: none) */
	uint32_t *num_name;   /* per label: its "bytes" tag name id, or FW_NONE */
	const char *num_unit; /* pprof's NumLabelUnits()["bytes"] */
	/* the graph */
	struct node *nodes;
	size_t n_nodes, cap_nodes;
	struct edge *edges;
	size_t n_edges, cap_edges;
	uint32_t *list; /* pprof's g.Nodes */
	size_t n_list;
	bool sorted;	/* list is in pprof's order already (a call tree ranked whole) */
	int64_t *score; /* per node, for sorting */
};

static int nomem(struct fw_error *err)
{
	return fw_err(err, -ENOMEM, "out of memory drawing the call graph");
}

/* ---- small containers ------------------------------------------------------ */

static int strs_intern(struct strs *s, const char *str, size_t n, uint32_t *id)
{
	uint32_t v;
	int r = fw_keymap_upsert(&s->km, str, n, (uint32_t)s->n, &v);

	if (r < 0)
		return r;
	if (r == 0) {
		if (fw_grow((void **)&s->off, &s->cap, s->n + 1, sizeof(size_t)) < 0)
			return -ENOMEM;
		size_t c = s->cap;
		/* len grows with off: same capacity */
		size_t *nl = realloc(s->len, c * sizeof(size_t));
		if (!nl)
			return -ENOMEM;
		s->len = nl;
		s->off[s->n] = s->pool.len;
		s->len[s->n] = n;
		fw_buf_putn(&s->pool, str, n);
		if (s->pool.failed)
			return -ENOMEM;
		s->n++;
	}
	*id = v;
	return 0;
}

static const char *str_of(const struct ctx *c, uint32_t id, size_t *n)
{
	*n = c->s.len[id];
	return c->s.pool.data ? c->s.pool.data + c->s.off[id] : "";
}

static int push_u32(uint32_t **a, size_t *n, size_t *cap, uint32_t v)
{
	if (fw_grow((void **)a, cap, *n + 1, sizeof(uint32_t)) < 0)
		return -ENOMEM;
	(*a)[(*n)++] = v;
	return 0;
}

static void drop_u32(uint32_t *a, size_t *n, uint32_t v)
{
	for (size_t i = 0; i < *n; i++)
		if (a[i] == v) {
			a[i] = a[--*n];
			return;
		}
}

/* Go's string comparison. */
static int bytes_cmp(const char *a, size_t la, const char *b, size_t lb)
{
	int r = memcmp(a, b, la < lb ? la : lb);
	if (r)
		return r;
	return la < lb ? -1 : la > lb;
}

/* ---- labels of samples ---------------------------------------------------------- */

struct kv {
	const char *k, *v;
	size_t kl, vl;
};

static int cmp_kv(const void *a, const void *b)
{
	const struct kv *x = a, *y = b;
	/* "key:value" strings compared as Go strings */
	size_t lx = x->kl + 1 + x->vl, ly = y->kl + 1 + y->vl;
	for (size_t i = 0; i < lx && i < ly; i++) {
		unsigned char cx = (unsigned char)(i < x->kl ? x->k[i] : i == x->kl ? ':' : x->v[i - x->kl - 1]);
		unsigned char cy = (unsigned char)(i < y->kl ? y->k[i] : i == y->kl ? ':' : y->v[i - y->kl - 1]);
		if (cx != cy)
			return cx < cy ? -1 : 1;
	}
	return lx < ly ? -1 : lx > ly;
}

/* joinLabels for every sample, and the "bytes" numeric tag names. */
static int prepare_labels(struct ctx *c, struct fw_error *err)
{
	const struct fw_profile *p = c->p;
	struct kv *kv = NULL;
	size_t cap_kv = 0;
	struct fw_buf b;
	const char *ounit = c->r->o.unit ? c->r->o.unit : "minimum";
	uint32_t id;

	fw_buf_init(&b);
	c->sample_lab = calloc(p->n_samples + 1, sizeof(uint32_t));
	c->num_name = malloc((p->n_labels + 1) * sizeof(uint32_t));
	if (!c->sample_lab || !c->num_name)
		return nomem(err);
	/* string id 0 is "": no labels */
	if (strs_intern(&c->s, "", 0, &id) < 0)
		return nomem(err);
	c->num_unit = NULL;
	for (size_t i = 0; i < p->n_labels; i++) {
		const struct fw_label *l = &p->labels[i];
		if (!l->str && l->num_unit && !strcmp(fw_pstr(p, l->key), "bytes") &&
		    fw_strlen(&p->strings, l->num_unit)) {
			c->num_unit = fw_pstr(p, l->num_unit);
			break;
		}
	}
	/* first unit seen in sample order: labels are stored in sample order */
	if (!c->num_unit)
		c->num_unit = "bytes";
	for (size_t s = 0; s < p->n_samples; s++) {
		const struct fw_sample *sm = &p->samples[s];
		size_t nkv = 0;

		for (uint32_t i = 0; i < sm->n_labels; i++) {
			uint32_t li = sm->first_label + i;
			const struct fw_label *l = &p->labels[li];
			c->num_name[li] = FW_NONE;
			if (l->str) {
				const char *k = fw_pstr(p, l->key);
				size_t kl = fw_strlen(&p->strings, l->key);
				if (kl == 11 && !memcmp(k, "pprof::base", 11))
					continue;
				if (fw_grow((void **)&kv, &cap_kv, nkv + 1, sizeof(*kv)) < 0)
					goto oom;
				kv[nkv].k = k;
				kv[nkv].kl = kl;
				kv[nkv].v = fw_pstr(p, l->str);
				kv[nkv].vl = fw_strlen(&p->strings, l->str);
				nkv++;
			} else if (fw_strlen(&p->strings, l->key) == 5 &&
				   !memcmp(fw_pstr(p, l->key), "bytes", 5)) {
				char name[96];
				fw_unit_label(name, sizeof(name), l->num, c->num_unit, ounit);
				if (strs_intern(&c->s, name, strlen(name), &c->num_name[li]) < 0)
					goto oom;
			}
		}
		if (!nkv)
			continue;
		qsort(kv, nkv, sizeof(*kv), cmp_kv);
		b.len = 0;
		for (size_t i = 0; i < nkv; i++) {
			if (i)
				fw_buf_puts(&b, "\\n");
			fw_buf_putn(&b, kv[i].k, kv[i].kl);
			fw_buf_putc(&b, ':');
			fw_buf_putn(&b, kv[i].v, kv[i].vl);
		}
		if (b.failed || strs_intern(&c->s, b.data, b.len, &c->sample_lab[s]) < 0)
			goto oom;
	}
	free(kv);
	fw_buf_free(&b);
	return 0;
oom:
	free(kv);
	fw_buf_free(&b);
	return nomem(err);
}

/* ---- building ---------------------------------------------------------------------- */

static int new_node(struct ctx *c, uint32_t info, uint32_t *out)
{
	if (c->n_nodes >= UINT32_MAX - 1 ||
	    fw_grow((void **)&c->nodes, &c->cap_nodes, c->n_nodes + 1, sizeof(struct node)) < 0)
		return -ENOMEM;
	memset(&c->nodes[c->n_nodes], 0, sizeof(struct node));
	c->nodes[c->n_nodes].info = info;
	*out = (uint32_t)c->n_nodes++;
	return 0;
}

static struct tag *find_tag(struct node *n, bool numeric, uint32_t lab, uint32_t name, int64_t value,
			    uint64_t first)
{
	for (size_t i = 0; i < n->n_tags; i++) {
		struct tag *t = &n->tags[i];
		if (t->numeric == numeric && t->lab == lab && t->name == name) {
			if (first < t->first)
				t->first = first;
			return t;
		}
	}
	if (fw_grow((void **)&n->tags, &n->cap_tags, n->n_tags + 1, sizeof(struct tag)) < 0)
		return NULL;
	struct tag *t = &n->tags[n->n_tags++];
	memset(t, 0, sizeof(*t));
	t->numeric = numeric;
	t->lab = lab;
	t->name = name;
	t->value = value;
	t->first = first;
	return t;
}

static void add_to(int64_t *v, int64_t *dv, int64_t w, int64_t dw)
{
	*v = fw_add64(*v, w);
	*dv = fw_add64(*dv, dw);
}

/* pprof's Node.addSample. */
static int add_sample_to(const struct ctx *c, struct node *n, size_t s, int64_t dw, int64_t w, bool flat)
{
	const struct fw_sample *sm = &c->p->samples[s];
	uint32_t lab = c->sample_lab[s];
	struct tag *t;

	if (flat)
		add_to(&n->flat, &n->flat_div, w, dw);
	else
		add_to(&n->cum, &n->cum_div, w, dw);
	if (lab) {
		if (!(t = find_tag(n, false, lab, 0, 0, (uint64_t)s << 32)))
			return -ENOMEM;
		if (flat)
			add_to(&t->flat, &t->flat_div, w, dw);
		else
			add_to(&t->cum, &t->cum_div, w, dw);
	}
	for (uint32_t i = 0; i < sm->n_labels; i++) {
		uint32_t li = sm->first_label + i, name = c->num_name[li];
		if (name == FW_NONE)
			continue;
		if (!(t = find_tag(n, true, lab, name, c->p->labels[li].num, (uint64_t)s << 32 | (i + 1))))
			return -ENOMEM;
		if (flat)
			add_to(&t->flat, &t->flat_div, w, dw);
		else
			add_to(&t->cum, &t->cum_div, w, dw);
	}
	return 0;
}

static int add_sample(struct ctx *c, uint32_t ni, size_t s, int64_t dw, int64_t w, bool flat)
{
	return add_sample_to(c, &c->nodes[ni], s, dw, w, flat);
}

/* pprof's AddToEdgeDiv. */
static int add_edge(struct ctx *c, struct fw_u64map *em, uint32_t src, uint32_t dst, int64_t dw,
		    int64_t w, bool residual, bool inl, uint32_t *e_out)
{
	uint32_t e;
	int r = fw_u64map_find(em, ((uint64_t)(src + 1) << 32) | (uint64_t)(dst + 1),
			    (uint32_t)c->n_edges, &e);

	if (r < 0)
		return r;
	if (r == 0) {
		if (fw_grow((void **)&c->edges, &c->cap_edges, c->n_edges + 1, sizeof(struct edge)) < 0)
			return -ENOMEM;
		c->edges[e] = (struct edge){ src, dst, w, dw, residual, inl, false };
		c->n_edges++;
		if (push_u32(&c->nodes[src].out, &c->nodes[src].n_out, &c->nodes[src].cap_out, e) < 0 ||
		    push_u32(&c->nodes[dst].in, &c->nodes[dst].n_in, &c->nodes[dst].cap_in, e) < 0)
			return -ENOMEM;
	} else {
		struct edge *ed = &c->edges[e];
		ed->wdiv = fw_add64(ed->wdiv, dw);
		ed->w = fw_add64(ed->w, w);
		if (residual)
			ed->residual = true;
		if (!inl)
			ed->inl = false;
	}
	if (e_out)
		*e_out = e;
	return 0;
}

static void clear_graph(struct ctx *c)
{
	for (size_t i = 0; i < c->n_nodes; i++) {
		free(c->nodes[i].tags);
		free(c->nodes[i].in);
		free(c->nodes[i].out);
	}
	free(c->nodes);
	free(c->edges);
	free(c->list);
	free(c->score);
	c->nodes = NULL;
	c->edges = NULL;
	c->list = NULL;
	c->score = NULL;
	c->n_nodes = c->cap_nodes = c->n_edges = c->cap_edges = c->n_list = 0;
}

/* Does selectNodesForGraph list a node of these values: one with a value,
 * not negative under -drop_negative? */
static bool listed(int64_t flat, int64_t cum, bool drop_negative)
{
	return (flat != 0 || cum != 0) && !(drop_negative && (flat < 0 || (flat == 0 && cum < 0)));
}

/* selectNodesForGraph: every node with a value, in creation order (pprof's
 * is a map's: the list is sorted before anything depends on its order). */
static int select_nodes(struct ctx *c)
{
	c->list = malloc((c->n_nodes + 1) * sizeof(uint32_t));
	if (!c->list)
		return -ENOMEM;
	c->n_list = 0;
	for (size_t i = 0; i < c->n_nodes; i++)
		if (listed(c->nodes[i].flat, c->nodes[i].cum, c->r->o.drop_negative))
			c->list[c->n_list++] = (uint32_t)i;
	return 0;
}

static void sample_weights(const struct ctx *c, size_t s, int64_t *w, int64_t *dw)
{
	const int64_t *v = fw_sample_values(c->p, s);
	*w = v[c->r->vi];
	*dw = c->r->o.mean ? v[0] : 0;
}

/* pprof's newGraph; kept (per node table index) or NULL for all. */
static int build_graph(struct ctx *c, const bool *kept)
{
	const struct fw_nodetab *t = c->tab;
	const struct fw_profile *p = c->p;
	uint32_t *node_of = NULL, *seen = NULL, *edge_seen = NULL;
	size_t cap_es = 0;
	struct fw_u64map em = { 0 };
	int r = -ENOMEM;

	node_of = malloc((t->n + 1) * sizeof(uint32_t));
	seen = calloc(t->n + 1, sizeof(uint32_t));
	if (!node_of || !seen)
		goto out;
	for (size_t i = 0; i < t->n; i++)
		node_of[i] = FW_NONE;
	for (size_t s = 0; s < p->n_samples; s++) {
		const struct fw_sample *sm = &p->samples[s];
		uint32_t stamp = (uint32_t)s + 1, parent = FW_NONE;
		bool residual = false;
		int64_t w, dw;

		sample_weights(c, s, &w, &dw);
		if (w == 0 && dw == 0)
			continue;
		for (uint32_t i = sm->n_locs; i-- > 0;) {
			uint32_t loc = p->sample_locs[sm->first_loc + i];
			uint32_t first = t->loc_first[loc], cnt = t->loc_count[loc];
			for (uint32_t li = cnt; li-- > 0;) {
				uint32_t info = t->loc_nodes[first + li], n;
				if (kept && !kept[info]) {
					residual = true;
					continue;
				}
				if (node_of[info] == FW_NONE && new_node(c, info, &node_of[info]) < 0)
					goto out;
				n = node_of[info];
				if (seen[info] != stamp) {
					seen[info] = stamp;
					if (add_sample(c, n, s, dw, w, false) < 0)
						goto out;
				}
				if (parent != FW_NONE && n != parent) {
					uint32_t e;
					uint64_t key = ((uint64_t)(parent + 1) << 32) | (uint64_t)(n + 1);
					uint32_t found;
					/* seenEdge: once per sample */
					int fr = fw_u64map_find(&em, key, (uint32_t)c->n_edges, &found);
					if (fr < 0)
						goto out;
					if (fr == 0) {
						/* fw_u64map_find inserted; let add_edge see it as new */
						e = found;
						if (fw_grow((void **)&c->edges, &c->cap_edges, c->n_edges + 1,
							    sizeof(struct edge)) < 0 ||
						    fw_grow((void **)&edge_seen, &cap_es, c->n_edges + 1,
							    sizeof(uint32_t)) < 0)
							goto out;
						c->edges[e] = (struct edge){ parent, n, 0, 0, false, true, false };
						edge_seen[e] = 0;
						c->n_edges++;
						if (push_u32(&c->nodes[parent].out, &c->nodes[parent].n_out,
							     &c->nodes[parent].cap_out, e) < 0 ||
						    push_u32(&c->nodes[n].in, &c->nodes[n].n_in,
							     &c->nodes[n].cap_in, e) < 0)
							goto out;
					} else {
						e = found;
					}
					if (edge_seen[e] != stamp) {
						struct edge *ed = &c->edges[e];
						edge_seen[e] = stamp;
						ed->wdiv = fw_add64(ed->wdiv, dw);
						ed->w = fw_add64(ed->w, w);
						if (residual)
							ed->residual = true;
						if (li == cnt - 1)
							ed->inl = false;
					}
				}
				parent = n;
				residual = false;
			}
		}
		if (parent != FW_NONE && !residual && add_sample(c, parent, s, dw, w, true) < 0)
			goto out;
	}
	r = select_nodes(c);
out:
	free(node_of);
	free(seen);
	free(edge_seen);
	fw_u64map_free(&em);
	return r;
}

/* pprof's newTree, whole (fw_dot_opts.whole_graph). */
static int build_tree(struct ctx *c)
{
	const struct fw_nodetab *t = c->tab;
	const struct fw_profile *p = c->p;
	struct fw_u64map nm = { 0 }, em = { 0 };
	int r = -ENOMEM;

	for (size_t s = 0; s < p->n_samples; s++) {
		const struct fw_sample *sm = &p->samples[s];
		uint32_t parent = FW_NONE;
		int64_t w, dw;

		sample_weights(c, s, &w, &dw);
		if (w == 0 && dw == 0)
			continue;
		for (uint32_t i = sm->n_locs; i-- > 0;) {
			uint32_t loc = p->sample_locs[sm->first_loc + i];
			uint32_t first = t->loc_first[loc], cnt = t->loc_count[loc];
			for (uint32_t li = cnt; li-- > 0;) {
				uint32_t info = t->loc_nodes[first + li], n;
				uint64_t key = ((uint64_t)(parent == FW_NONE ? 0 : parent + 1) << 32) |
					       (uint64_t)(info + 1);
				int fr = fw_u64map_find(&nm, key, (uint32_t)c->n_nodes, &n);
				if (fr < 0)
					goto out;
				if (fr == 0 && new_node(c, info, &n) < 0)
					goto out;
				if (add_sample(c, n, s, dw, w, false) < 0)
					goto out;
				if (parent != FW_NONE &&
				    add_edge(c, &em, parent, n, dw, w, false, li != cnt - 1, NULL) < 0)
					goto out;
				parent = n;
			}
		}
		if (parent != FW_NONE && add_sample(c, parent, s, dw, w, true) < 0)
			goto out;
	}
	r = select_nodes(c);
out:
	fw_u64map_free(&nm);
	fw_u64map_free(&em);
	return r;
}

/* newGraph over the kept nodes (all when kept is NULL). */
static int build(struct ctx *c, const bool *kept)
{
	clear_graph(c);
	return build_graph(c, kept);
}

/* ---- sorting ------------------------------------------------------------------------- */

static int name_cmp(const struct ctx *c, uint32_t a, uint32_t b)
{
	return fw_node_name_cmp(c->tab, c->nodes[a].info, c->nodes[b].info);
}

/* fmt.Sprint(NodeInfo) compared: {Name OrigName Address File StartLine
 * Lineno Objfile}, of node table entries a and b */
static int info_cmp(const struct ctx *c, uint32_t a, uint32_t b)
{
	const struct fw_node_info *x = &c->tab->info[a], *y = &c->tab->info[b];
	struct fw_buf bx, by;
	int r;

	fw_buf_init(&bx);
	fw_buf_init(&by);
	fw_buf_printf(&bx, "{%s  %" PRIu64 " %s %" PRId64 " %" PRId64 " %s}", fw_pstr(c->p, x->name),
		      x->address, fw_pstr(c->p, x->file), x->start_line, x->lineno, fw_pstr(c->p, x->objfile));
	fw_buf_printf(&by, "{%s  %" PRIu64 " %s %" PRId64 " %" PRId64 " %s}", fw_pstr(c->p, y->name),
		      y->address, fw_pstr(c->p, y->file), y->start_line, y->lineno, fw_pstr(c->p, y->objfile));
	r = bytes_cmp(bx.data ? bx.data : "", bx.len, by.data ? by.data : "", by.len);
	fw_buf_free(&bx);
	fw_buf_free(&by);
	return r;
}

/* edgeEntropyScore's sums, for every place that scores nodes: the total
 * (weights > 0 and the self value; it wraps, as Go's), then a term per
 * weight, in the edge list's order, and the self value's when > 0. */
static int64_t entropy_total(int64_t total, int64_t w)
{
	return w > 0 ? fw_add64(total, fw_abs64(w)) : total;
}

static double entropy_term(int64_t w, int64_t total)
{
	double frac = (double)fw_abs64(w) / (double)total;
	return -frac * log2(frac);
}

static double edge_entropy(const struct ctx *c, const uint32_t *edges, size_t n, int64_t self)
{
	double score = 0;
	int64_t total = self;

	for (size_t i = 0; i < n; i++)
		total = entropy_total(total, c->edges[edges[i]].w);
	if (total != 0) {
		for (size_t i = 0; i < n; i++)
			score += entropy_term(c->edges[edges[i]].w, total);
		if (self > 0)
			score += entropy_term(self, total);
	}
	return score;
}

/* Go's int64(float64): amd64's CVTTSD2SQ gives INT64_MIN out of range. */
static int64_t go_int64(double v)
{
	if (isnan(v) || v >= 9223372036854775808.0 || v < -9223372036854775808.0)
		return INT64_MIN;
	return (int64_t)v;
}

/* entropyScore from a node's two edge entropies (a side without edges
 * counts 1), its cum and its flat. */
static int64_t entropy_value(bool has_in, double in, bool has_out, double out, int64_t cum, int64_t flat)
{
	double score = 0;

	if (!has_in)
		score++;
	else
		score += in;
	if (!has_out)
		score++;
	else
		score += out;
	return (int64_t)((uint64_t)go_int64(score * (double)cum) + (uint64_t)flat);
}

static int64_t entropy_score(const struct ctx *c, const struct node *n)
{
	return entropy_value(n->n_in > 0, n->n_in ? edge_entropy(c, n->in, n->n_in, 0) : 0, n->n_out > 0,
			     n->n_out ? edge_entropy(c, n->out, n->n_out, n->flat) : 0, n->cum, n->flat);
}

static const struct ctx *sort_ctx;

/* A node as pprof's EntropyOrder compares it. */
struct ranking {
	int64_t score, flat;
	uint32_t info; /* node table index */
};

/* EntropyOrder but for its last key (the nodes' order in the graph, which
 * pprof leaves to its maps): |score| down, the name, |flat| down, then
 * fmt.Sprint of the NodeInfo. */
static int entropy_cmp(const struct ctx *c, struct ranking x, struct ranking y)
{
	int64_t sx = fw_abs64(x.score), sy = fw_abs64(y.score);
	int r;

	if (sx != sy)
		return sx > sy ? -1 : 1;
	if ((r = fw_node_name_cmp(c->tab, x.info, y.info)) != 0)
		return r;
	sx = fw_abs64(x.flat);
	sy = fw_abs64(y.flat);
	if (sx != sy)
		return sx > sy ? -1 : 1;
	return info_cmp(c, x.info, y.info);
}

static int cmp_entropy(const void *a, const void *b)
{
	const struct ctx *c = sort_ctx;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	int r = entropy_cmp(c, (struct ranking){ c->score[x], c->nodes[x].flat, c->nodes[x].info },
			    (struct ranking){ c->score[y], c->nodes[y].flat, c->nodes[y].info });

	return r ? r : x < y ? -1 : x > y;
}

/* SortNodes in visual mode: EntropyOrder. */
static int sort_nodes(struct ctx *c)
{
	free(c->score);
	c->score = malloc((c->n_nodes + 1) * sizeof(int64_t));
	if (!c->score)
		return -ENOMEM;
	for (size_t i = 0; i < c->n_list; i++)
		c->score[c->list[i]] = entropy_score(c, &c->nodes[c->list[i]]);
	sort_ctx = c;
	if (c->n_list > 1)
		qsort(c->list, c->n_list, sizeof(uint32_t), cmp_entropy);
	sort_ctx = NULL;
	return 0;
}

/* edgeList.Less */
static int cmp_edge(const void *a, const void *b)
{
	const struct ctx *c = sort_ctx;
	const struct edge *x = &c->edges[*(const uint32_t *)a], *y = &c->edges[*(const uint32_t *)b];
	int r;

	if (x->w != y->w) {
		int64_t ax = fw_abs64(x->w), ay = fw_abs64(y->w);
		if (ax != ay)
			return ax > ay ? -1 : 1;
		return 0; /* pprof's order is undefined here too */
	}
	if ((r = name_cmp(c, x->src, y->src)) != 0)
		return r;
	return name_cmp(c, x->dst, y->dst);
}

static void sort_edges(const struct ctx *c, uint32_t *e, size_t n)
{
	sort_ctx = c;
	if (n > 1)
		qsort(e, n, sizeof(uint32_t), cmp_edge);
	sort_ctx = NULL;
}

/* ---- trimming --------------------------------------------------------------------------- */

static void remove_edge(struct ctx *c, uint32_t e)
{
	struct edge *ed = &c->edges[e];
	drop_u32(c->nodes[ed->src].out, &c->nodes[ed->src].n_out, e);
	drop_u32(c->nodes[ed->dst].in, &c->nodes[ed->dst].n_in, e);
}

static bool is_redundant_edge(struct ctx *c, uint32_t e, uint32_t *queue, uint8_t *seen)
{
	uint32_t src = c->edges[e].src;
	size_t qh = 0, qt = 0;
	bool found = false;

	queue[qt++] = c->edges[e].dst;
	seen[c->edges[e].dst] = 1;
	while (qh < qt && !found) {
		const struct node *n = &c->nodes[queue[qh++]];
		for (size_t i = 0; i < n->n_in; i++) {
			uint32_t ie = n->in[i], s = c->edges[ie].src;
			if (ie == e || seen[s])
				continue;
			if (s == src) {
				found = true;
				break;
			}
			seen[s] = 1;
			queue[qt++] = s;
		}
	}
	for (size_t i = 0; i < qt; i++)
		seen[queue[i]] = 0;
	return found;
}

/* RemoveRedundantEdges */
static int remove_redundant_edges(struct ctx *c)
{
	uint32_t *queue = malloc((c->n_nodes + 1) * sizeof(uint32_t));
	uint8_t *seen = calloc(c->n_nodes + 1, 1);
	uint32_t *in = NULL;
	size_t cap = 0;

	if (!queue || !seen)
		goto oom;
	for (size_t i = c->n_list; i > 0; i--) {
		struct node *n = &c->nodes[c->list[i - 1]];
		size_t k = n->n_in;
		if (fw_grow((void **)&in, &cap, k + 1, sizeof(uint32_t)) < 0)
			goto oom;
		if (k)
			memcpy(in, n->in, k * sizeof(uint32_t));
		sort_edges(c, in, k);
		for (size_t j = k; j > 0; j--) {
			uint32_t e = in[j - 1];
			if (!c->edges[e].residual)
				break;
			if (is_redundant_edge(c, e, queue, seen))
				remove_edge(c, e);
		}
	}
	free(queue);
	free(seen);
	free(in);
	return 0;
oom:
	free(queue);
	free(seen);
	free(in);
	return -ENOMEM;
}

/* TrimTree */
static int trim_tree(struct ctx *c, const bool *kept)
{
	size_t k = 0;

	for (size_t i = 0; i < c->n_list; i++) {
		uint32_t cur = c->list[i];
		struct node *n = &c->nodes[cur];
		if (kept[cur]) {
			c->list[k++] = cur;
			continue;
		}
		if (n->n_in == 0) {
			for (size_t j = 0; j < n->n_out; j++) {
				struct edge *oe = &c->edges[n->out[j]];
				drop_u32(c->nodes[oe->dst].in, &c->nodes[oe->dst].n_in, n->out[j]);
			}
			continue;
		}
		/* a tree node has one parent */
		uint32_t pe = n->in[0], parent = c->edges[pe].src;
		bool parent_inline = c->edges[pe].inl;
		drop_u32(c->nodes[parent].out, &c->nodes[parent].n_out, pe);
		for (size_t j = 0; j < n->n_out; j++) {
			uint32_t e = n->out[j];
			struct edge *oe = &c->edges[e];
			/* child.In keeps e (now from parent) */
			if (push_u32(&c->nodes[parent].out, &c->nodes[parent].n_out,
				     &c->nodes[parent].cap_out, e) < 0)
				return -ENOMEM;
			oe = &c->edges[e];
			oe->src = parent;
			oe->residual = true;
			oe->inl = parent_inline && oe->inl;
		}
		n = &c->nodes[cur];
		n->n_out = 0; /* its edges moved to the parent */
	}
	c->n_list = k;
	return remove_redundant_edges(c);
}

static int64_t cutoff(int64_t total, double fraction)
{
	return fw_abs64(go_int64((double)total * fraction));
}

/* Does TrimLowFrequencyTags(cut) keep the tag? */
static bool tag_kept(const struct tag *t, int64_t cut)
{
	return fw_abs64(t->flat) >= cut || fw_abs64(t->cum) >= cut;
}

static void trim_tags(struct ctx *c, int64_t cut)
{
	for (size_t i = 0; i < c->n_list; i++) {
		struct node *n = &c->nodes[c->list[i]];
		size_t k = 0;
		for (size_t j = 0; j < n->n_tags; j++)
			if (tag_kept(&n->tags[j], cut))
				n->tags[k++] = n->tags[j];
		n->n_tags = k;
	}
}

static size_t trim_edges(struct ctx *c, int64_t cut)
{
	size_t dropped = 0;

	for (size_t i = 0; i < c->n_list; i++) {
		struct node *n = &c->nodes[c->list[i]];
		for (size_t j = 0; j < n->n_in;) {
			uint32_t e = n->in[j];
			if (fw_abs64(c->edges[e].w) < cut) {
				remove_edge(c, e); /* swaps the last into j */
				dropped++;
				n = &c->nodes[c->list[i]];
				continue;
			}
			j++;
		}
	}
	return dropped;
}

static size_t count_tags(const struct node *n)
{
	size_t k = 0;
	for (size_t i = 0; i < n->n_tags; i++)
		if (n->tags[i].flat != 0)
			k++;
	return k;
}

/* selectTopNodes in visual mode: how many of the sorted nodes to keep. */
/* selectTopNodes' count: a node and its nodelets, at most MAX_NODELETS.
 * True when the count reaches max_nodes with this node. */
static bool count_reaches(size_t *count, size_t tags, int max_nodes)
{
	*count += (tags > MAX_NODELETS ? MAX_NODELETS : tags) + 1;
	return *count >= (size_t)max_nodes;
}

static size_t select_top(const struct ctx *c, int max_nodes)
{
	size_t m = (size_t)max_nodes, count = 0;

	for (size_t i = 0; i < c->n_list; i++)
		if (count_reaches(&count, count_tags(&c->nodes[c->list[i]]), max_nodes)) {
			m = i + 1;
			break;
		}
	return m < c->n_list ? m : c->n_list;
}

/* A mask of the first upto listed nodes: per node table index (graph),
 * per node (tree). */
static bool *keep_mask(struct ctx *c, size_t upto)
{
	size_t n = c->tree ? c->n_nodes : c->tab->n;
	bool *kept = calloc(n + 1, sizeof(bool));

	if (!kept)
		return NULL;
	for (size_t i = 0; i < upto; i++) {
		uint32_t x = c->list[i];
		kept[c->tree ? x : c->nodes[x].info] = true;
	}
	return kept;
}

/* ---- the whole graph's top nodes, without the whole graph ------------------------------ */

/* cmp_entropy over node table indices (no two nodes of a node table print
 * alike, so the last test never decides) */
static int cmp_scored(const struct ctx *c, const void *a, const void *b)
{
	const struct ranking *x = a, *y = b;
	int r = entropy_cmp(c, *x, *y);

	return r ? r : x->info < y->info ? -1 : x->info > y->info;
}

/* The first k of many elements in an order: a heap whose top is the last
 * of them. */
struct best {
	int (*cmp)(const struct ctx *c, const void *x, const void *y); /* < 0: x first */
	const struct ctx *c;
	char *h;
	size_t size, n, k, cap;
};

static void *best_at(const struct best *b, size_t i)
{
	return b->h + i * b->size;
}

static int best_cmp(const struct best *b, size_t i, size_t j)
{
	return b->cmp(b->c, best_at(b, i), best_at(b, j));
}

static void best_swap(struct best *b, size_t i, size_t j)
{
	char t[64];

	assert(b->size <= sizeof(t));
	memcpy(t, best_at(b, i), b->size);
	memcpy(best_at(b, i), best_at(b, j), b->size);
	memcpy(best_at(b, j), t, b->size);
}

static void best_sift(struct best *b, size_t i)
{
	for (size_t m; (m = 2 * i + 1) < b->n; i = m) {
		if (m + 1 < b->n && best_cmp(b, m + 1, m) > 0)
			m++;
		if (best_cmp(b, i, m) >= 0)
			return;
		best_swap(b, i, m);
	}
}

/* x offered: kept when among the first k so far. */
static int best_add(struct best *b, const void *x)
{
	if (b->n < b->k) {
		size_t i = b->n;
		if (fw_grow((void **)&b->h, &b->cap, i + 1, b->size) < 0)
			return -ENOMEM;
		b->n++;
		memcpy(best_at(b, i), x, b->size);
		for (; i > 0 && best_cmp(b, (i - 1) / 2, i) < 0; i = (i - 1) / 2)
			best_swap(b, i, (i - 1) / 2);
	} else if (b->k > 0 && b->cmp(b->c, x, best_at(b, 0)) < 0) {
		memcpy(best_at(b, 0), x, b->size);
		best_sift(b, 0);
	}
	return 0;
}

/* The heap's elements in order, first first. */
static void best_sort(struct best *b)
{
	size_t n = b->n;

	while (b->n > 1) {
		best_swap(b, 0, b->n - 1); /* the last of them to the end */
		b->n--;
		best_sift(b, 0);
	}
	b->n = n;
}

#define SCORE_BLOCK 4096

/* entropy_score of g's listed nodes in [lo, hi), offered to b: edge_entropy
 * over the in-edges, then over the out-edges and the flat value, each
 * summed in edge creation order as a node's edge lists hold them (g's
 * edges are in that order too). A block at a time, over all the edges for
 * each: no array of the nodes' size. */
static int score_block(const struct fw_graph *g, uint32_t lo, uint32_t hi, const uint32_t *listed_from,
			const uint32_t *listed_to, struct best *b)
{
	double part[2][SCORE_BLOCK];
	int64_t total[SCORE_BLOCK];
	uint8_t has[SCORE_BLOCK];

	memset(has, 0, sizeof(has));
	for (int out = 0; out < 2; out++) {
		for (uint32_t n = lo; n < hi; n++) {
			total[n - lo] = out ? g->flat[n] : 0; /* the self value */
			part[out][n - lo] = 0;
		}
		for (size_t e = 0; e < g->n_edges; e++) {
			const struct fw_edge *ed = fw_graph_edge(g, e);
			uint32_t n = out ? ed->src : ed->dst;
			if (n < lo || n >= hi)
				continue;
			has[n - lo] |= (uint8_t)(1 << out);
			total[n - lo] = entropy_total(total[n - lo], ed->weight);
		}
		for (size_t e = 0; e < g->n_edges; e++) {
			const struct fw_edge *ed = fw_graph_edge(g, e);
			uint32_t n = out ? ed->src : ed->dst;
			if (n >= lo && n < hi && total[n - lo] != 0)
				part[out][n - lo] += entropy_term(ed->weight, total[n - lo]);
		}
		if (out)
			for (uint32_t n = lo; n < hi; n++)
				if (total[n - lo] != 0 && g->flat[n] > 0)
					part[1][n - lo] += entropy_term(g->flat[n], total[n - lo]);
	}
	for (const uint32_t *l = listed_from; l < listed_to; l++) {
		uint32_t n = *l;
		int64_t score = entropy_value(has[n - lo] & 1, part[0][n - lo], has[n - lo] & 2, part[1][n - lo],
					      g->cum[n], g->flat[n]);
		if (best_add(b, &(struct ranking){ score, g->flat[n], n }) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* The nodelets each of the first k sorted nodes counts for in
 * selectTopNodes (countTags: its tags with a flat value, at most
 * MAX_NODELETS): their flat tags, from the samples they are the leaf of.
 * -1 when a tag's flat is INT64_MIN, whose trimming would depend on its
 * cum. */
static int whole_nodelets(struct ctx *c, const uint32_t *sorted, size_t k, size_t *count)
{
	const struct fw_nodetab *t = c->tab;
	const struct fw_profile *p = c->p;
	uint32_t *slot = malloc((t->n + 1) * sizeof(uint32_t));
	int r = 0;

	if (!slot)
		return -ENOMEM;
	memset(slot, 0xff, (t->n + 1) * sizeof(uint32_t)); /* FW_NONE */
	for (size_t i = 0; i < k && r == 0; i++)
		if (new_node(c, sorted[i], &slot[sorted[i]]) < 0)
			r = -ENOMEM;
	for (size_t s = 0; s < p->n_samples && r == 0; s++) {
		const struct fw_sample *sm = &p->samples[s];
		uint32_t leaf;
		int64_t w, dw;

		if (sm->n_locs == 0)
			continue;
		sample_weights(c, s, &w, &dw);
		if (w == 0 && dw == 0)
			continue;
		/* the last frame newGraph visits: the innermost line of the leaf */
		leaf = t->loc_nodes[t->loc_first[p->sample_locs[sm->first_loc]]];
		if (slot[leaf] != FW_NONE && add_sample(c, slot[leaf], s, dw, w, true) < 0)
			r = -ENOMEM;
	}
	for (size_t i = 0; i < k && r == 0; i++) {
		const struct node *n = &c->nodes[slot[sorted[i]]];
		for (size_t j = 0; j < n->n_tags; j++)
			if (n->tags[j].flat == INT64_MIN)
				r = -1;
		count[i] = count_tags(n);
	}
	clear_graph(c);
	free(slot);
	return r;
}

/* newTrimmedGraph when the node fraction drops nothing and the node count
 * is set: SortNodes over the whole graph, then selectTopNodes. pprof builds
 * the whole graph, with its tags and edge maps, for that. The entropy order
 * needs only each node's flat, cum and edge weights, held by graph.c's
 * compact graph, and the node count only the first nodecount nodes' flat
 * tags. *kept: the top nodes, per node table index; NULL when they are
 * all the nodes, or the case is one left to the whole graph (a tag's flat
 * of INT64_MIN). *n_list: the whole graph's node count. */
static int select_whole(struct ctx *c, bool **kept, size_t *n_list)
{
	const struct fw_report_opts *ro = &c->r->o;
	const struct fw_nodetab *t = c->tab;
	struct fw_trim_opts o = { .mean = ro->mean, .drop_negative = ro->drop_negative };
	struct fw_error err;
	struct fw_graph g;
	struct best b = { cmp_scored, c, NULL, sizeof(struct ranking), 0, 0, 0 };
	uint32_t *top = NULL;
	size_t *count = NULL, m, sum = 0, at = 0;
	int r = -ENOMEM;

	*kept = NULL;
	if (fw_graph_build_all(t, c->r->vi, &o, &g, &err) < 0)
		return -ENOMEM;
	*n_list = g.n_nodes;
	b.k = (size_t)ro->nodecount < g.n_nodes ? (size_t)ro->nodecount : g.n_nodes;
	top = malloc((b.k + 1) * sizeof(uint32_t));
	count = calloc(b.k + 1, sizeof(size_t));
	if (!top || !count)
		goto out;
	for (size_t lo = 0; lo < t->n; lo += SCORE_BLOCK) { /* g.nodes: in node order */
		size_t hi = lo + SCORE_BLOCK < t->n ? lo + SCORE_BLOCK : t->n, end = at;
		while (end < g.n_nodes && g.nodes[end] < hi)
			end++;
		if (end > at &&
		    score_block(&g, (uint32_t)lo, (uint32_t)hi, g.nodes + at, g.nodes + end, &b) < 0)
			goto out;
		at = end;
	}
	best_sort(&b);
	for (size_t i = 0; i < b.k; i++)
		top[i] = ((const struct ranking *)best_at(&b, i))->info;
	if ((r = whole_nodelets(c, top, b.k, count)) != 0) {
		r = r == -1 ? 0 : r;
		goto out;
	}
	m = (size_t)ro->nodecount; /* select_top */
	for (size_t i = 0; i < b.k; i++)
		if (count_reaches(&sum, count[i], ro->nodecount)) {
			m = i + 1;
			break;
		}
	if (m < g.n_nodes) {
		if (!(*kept = calloc(t->n + 1, sizeof(bool)))) {
			r = -ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < m; i++)
			(*kept)[top[i]] = true;
	}
	r = 0;
out:
	fw_graph_free(&g);
	free(b.h);
	free(top);
	free(count);
	return r;
}

/* ---- the call tree --------------------------------------------------------------------- */

/* What newTrimmedGraph makes of each node of pprof's newTree: dropped by
 * the first TrimTree (listed, under the node cutoff), kept, or unlisted
 * (no value, or negative under -drop_negative: not in g.Nodes, so never
 * trimmed, but still an end of edges). */
enum { TN_DROPPED, TN_KEPT, TN_UNLISTED, TN_NONE };

struct tree_rec {
	uint32_t pre; /* preorder number */
	uint8_t cls;
	bool adj; /* unlisted, with a kept node among its nearest surviving descendants */
};

/* The tree is walked three times (calltree.h): for the total that gives
 * the cutoff, for what becomes of each node, and to build the nodes that
 * matter: the kept ones and the unlisted ones next to them once the
 * dropped nodes are gone. An unlisted node elsewhere has no effect on the
 * output: only g.Nodes' edges and scores are ever read. */
struct tree_walk {
	struct ctx *c;
	int64_t node_cut; /* 0: nothing is dropped */
	uint64_t total;
	size_t n_list, n_kept;
	uint32_t npre;
	struct tree_rec *rec;
	size_t n_rec, cap_rec, at;
	/* per depth on the current path */
	uint32_t *pre, *mat, *up_mat, *in_edge;
	uint8_t *cls, *up_cls;
	bool *below;
	size_t *pend_at;
	/* materialized nodes on the path (depths); edges waiting for their
	 * chain of dropped nodes to close (the Inline of TrimTree's moves) */
	uint32_t *on_path, *pend;
	size_t n_on_path, n_pend, cap_pend;
	struct built *built; /* per built node, in the order built (preorder) */
	size_t cap_built;
	uint32_t *moved;     /* per built node: its index once in creation order */
	/* No node cutoff and a node count: what is kept is pprof's
	 * selectTopNodePtrs of the whole tree in entropy order (rank), and
	 * TrimTree comes after TrimLowFrequencyEdges(edge_cut). */
	bool rank, all;	   /* all: every listed node is among the top */
	int64_t edge_cut;
	uint32_t *sel;	   /* preorder numbers of the top nodes, sorted */
	size_t n_sel;
	struct node *tn;   /* ranking: per depth, the node's tags */
	struct kid *kids;  /* ranking: the children of the nodes on the path */
	size_t n_kids, cap_kids, *kid_at;
	struct best top;
	uint32_t max_depth;
};

/* A built node: pprof's creation order, (first, depth), and its preorder
 * number. */
struct built {
	uint32_t first, depth, pre;
};

/* A popped child: its cum (its in-edge's weight) and creation order. */
struct kid {
	int64_t cum;
	uint32_t first;
};

/* A node of the whole tree ranked for selectTopNodePtrs. */
struct ranked {
	struct ranking r;
	uint32_t pre, first, depth;
	size_t tags; /* countTags after TrimLowFrequencyTags(0) */
};

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static uint8_t tree_class(const struct tree_walk *tw, const struct fw_ctree_node *n, uint32_t pre)
{
	if (!listed(n->flat, n->cum, tw->c->r->o.drop_negative))
		return TN_UNLISTED;
	if (tw->rank)
		return tw->all || bsearch(&pre, tw->sel, tw->n_sel, sizeof(uint32_t), cmp_u32) ? TN_KEPT
											  : TN_DROPPED;
	if (tw->node_cut == 0 || fw_abs64(n->cum) >= tw->node_cut)
		return TN_KEPT;
	return TN_DROPPED;
}

/* edge_entropy of a node's in-edge (one weight, self 0) or out-edges (its
 * children's, self its flat), as the edge lists hold them. */
static double kids_entropy(const struct kid *k, size_t n, int64_t self)
{
	double score = 0;
	int64_t total = self;

	for (size_t i = 0; i < n; i++)
		total = entropy_total(total, k[i].cum);
	if (total != 0) {
		for (size_t i = 0; i < n; i++)
			score += entropy_term(k[i].cum, total);
		if (self > 0)
			score += entropy_term(self, total);
	}
	return score;
}

static int cmp_kid(const void *a, const void *b)
{
	uint32_t x = ((const struct kid *)a)->first, y = ((const struct kid *)b)->first;
	return x < y ? -1 : x > y;
}

/* cmp_entropy over tree nodes: ties last by creation order */
static int cmp_ranked(const struct ctx *c, const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	int r = entropy_cmp(c, x->r, y->r);

	if (r)
		return r;
	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return x->depth < y->depth ? -1 : x->depth > y->depth;
}

/* pass 0 under rank: each listed node's entropy score and nodelets, the
 * first nodecount kept */
static int rank_push(void *u, const struct fw_ctree_node *path, uint32_t d)
{
	struct tree_walk *tw = u;

	(void)path;
	tw->pre[d] = tw->npre++;
	tw->kid_at[d] = tw->n_kids;
	if (tw->tn)
		tw->tn[d].n_tags = 0;
	return 0;
}

static int rank_sample(void *u, const struct fw_ctree_node *path, uint32_t d, size_t s, int64_t w,
		       int64_t dw)
{
	struct tree_walk *tw = u;

	(void)path;
	if (!tw->tn) /* no labels: no tags */
		return 0;
	for (uint32_t i = 0; i <= d; i++)
		if (add_sample_to(tw->c, &tw->tn[i], s, dw, w, false) < 0)
			return -ENOMEM;
	return add_sample_to(tw->c, &tw->tn[d], s, dw, w, true);
}

static int rank_pop(void *u, const struct fw_ctree_node *path, uint32_t d)
{
	struct tree_walk *tw = u;
	const struct fw_ctree_node *n = &path[d];
	struct kid *kids = tw->kids ? tw->kids + tw->kid_at[d] : NULL; /* (no offset from NULL) */
	size_t nk = tw->n_kids - tw->kid_at[d];

	if (nk > 1)
		qsort(kids, nk, sizeof(struct kid), cmp_kid);
	if (listed(n->flat, n->cum, tw->c->r->o.drop_negative)) {
		struct ranked x = { { 0, n->flat, n->info }, tw->pre[d], n->first, d, 0 };

		tw->n_list++;
		x.r.score = entropy_value(d > 0, d > 0 ? kids_entropy(&(struct kid){ n->cum, 0 }, 1, 0) : 0, nk > 0,
					  nk > 0 ? kids_entropy(kids, nk, n->flat) : 0, n->cum, n->flat);
		for (size_t i = 0; tw->tn && i < tw->tn[d].n_tags; i++) {
			const struct tag *t = &tw->tn[d].tags[i];
			if (t->flat != 0 && tag_kept(t, 0)) /* countTags after TrimLowFrequencyTags(0) */
				x.tags++;
		}
		if (best_add(&tw->top, &x) < 0)
			return -ENOMEM;
	}
	tw->n_kids = tw->kid_at[d];
	if (d > 0) {
		if (fw_grow((void **)&tw->kids, &tw->cap_kids, tw->n_kids + 1, sizeof(struct kid)) < 0)
			return -ENOMEM;
		tw->kids[tw->n_kids++] = (struct kid){ n->cum, n->first };
	}
	return 0;
}

/* selectTopNodePtrs over the ranked nodes: tw->sel, or tw->all. */
static int rank_select(struct tree_walk *tw)
{
	const struct fw_report_opts *ro = &tw->c->r->o;
	size_t m = (size_t)ro->nodecount, count = 0;

	best_sort(&tw->top);
	for (size_t i = 0; i < tw->top.n; i++)
		if (count_reaches(&count, ((const struct ranked *)best_at(&tw->top, i))->tags, ro->nodecount)) {
			m = i + 1;
			break;
		}
	if (m >= tw->n_list) {
		tw->all = true;
		return 0;
	}
	if (!(tw->sel = malloc((m + 1) * sizeof(uint32_t))))
		return -ENOMEM;
	for (size_t i = 0; i < m; i++)
		tw->sel[i] = ((const struct ranked *)best_at(&tw->top, i))->pre;
	tw->n_sel = m;
	qsort(tw->sel, m, sizeof(uint32_t), cmp_u32);
	return 0;
}

static int tree_nop_push(void *u, const struct fw_ctree_node *path, uint32_t d)
{
	(void)u, (void)path, (void)d;
	return 0;
}

static int tree_nop_sample(void *u, const struct fw_ctree_node *path, uint32_t d, size_t s, int64_t w,
			   int64_t dw)
{
	(void)u, (void)path, (void)d, (void)s, (void)w, (void)dw;
	return 0;
}

/* pass 1, under -drop_negative only: g.Nodes.Sum() */
static int total_pop(void *u, const struct fw_ctree_node *path, uint32_t d)
{
	struct tree_walk *tw = u;

	if (listed(path[d].flat, path[d].cum, tw->c->r->o.drop_negative))
		tw->total += (uint64_t)path[d].flat;
	return 0;
}

/* pass 2: each node's fate, recorded for the kept and unlisted ones */
static int class_push(void *u, const struct fw_ctree_node *path, uint32_t d)
{
	struct tree_walk *tw = u;

	(void)path;
	tw->pre[d] = tw->npre++;
	tw->below[d] = false;
	return 0;
}

static int class_pop(void *u, const struct fw_ctree_node *path, uint32_t d)
{
	struct tree_walk *tw = u;
	uint8_t cls = tree_class(tw, &path[d], tw->pre[d]);

	if (cls != TN_UNLISTED)
		tw->n_list++;
	if (cls == TN_DROPPED) {
		if (d > 0 && tw->below[d])
			tw->below[d - 1] = true;
		return 0;
	}
	if (cls == TN_KEPT) {
		tw->n_kept++;
		if (d > 0)
			tw->below[d - 1] = true;
	}
	if (fw_grow((void **)&tw->rec, &tw->cap_rec, tw->n_rec + 1, sizeof(struct tree_rec)) < 0)
		return -ENOMEM;
	tw->rec[tw->n_rec++] = (struct tree_rec){ tw->pre[d], cls, cls == TN_UNLISTED && tw->below[d] };
	return 0;
}

static int cmp_rec(const void *a, const void *b)
{
	uint32_t x = ((const struct tree_rec *)a)->pre, y = ((const struct tree_rec *)b)->pre;
	return x < y ? -1 : x > y;
}

/* pass 3: the nodes built, each with the edge from its nearest surviving
 * ancestor (TrimTree's result: residual past a dropped node, inline when
 * every edge on the way was) */
static int build_push(void *u, const struct fw_ctree_node *path, uint32_t d)
{
	struct tree_walk *tw = u;
	struct ctx *c = tw->c;
	uint32_t pre = tw->npre++, idx = FW_NONE;
	uint8_t cls = TN_DROPPED, anc_cls = d > 0 ? tw->up_cls[d - 1] : TN_NONE;
	uint32_t anc_mat = d > 0 ? tw->up_mat[d - 1] : FW_NONE;
	bool adj = false;

	if (tw->at < tw->n_rec && tw->rec[tw->at].pre == pre) {
		cls = tw->rec[tw->at].cls;
		adj = tw->rec[tw->at++].adj;
	}
	tw->cls[d] = cls;
	tw->in_edge[d] = FW_NONE;
	if (cls == TN_KEPT || (cls == TN_UNLISTED && (anc_cls == TN_KEPT || adj))) {
		if (new_node(c, path[d].info, &idx) < 0 ||
		    fw_grow((void **)&tw->built, &tw->cap_built, c->n_nodes, sizeof(struct built)) < 0)
			return -ENOMEM;
		tw->built[idx] = (struct built){ 0, d, pre }; /* first: when popped */
		tw->on_path[tw->n_on_path++] = d;
		if (anc_mat != FW_NONE) {
			if (fw_grow((void **)&c->edges, &c->cap_edges, c->n_edges + 1, sizeof(struct edge)) < 0)
				return -ENOMEM;
			c->edges[c->n_edges] = (struct edge){ anc_mat, idx, 0, 0,
							      d > 0 && tw->cls[d - 1] == TN_DROPPED, true, false };
			tw->in_edge[d] = (uint32_t)c->n_edges++;
		}
	}
	tw->mat[d] = idx;
	if (cls == TN_DROPPED) {
		tw->up_cls[d] = anc_cls;
		tw->up_mat[d] = anc_mat;
		tw->pend_at[d] = tw->n_pend;
	} else {
		tw->up_cls[d] = cls;
		tw->up_mat[d] = idx;
	}
	return 0;
}

static int build_sample(void *u, const struct fw_ctree_node *path, uint32_t d, size_t s, int64_t w,
			int64_t dw)
{
	struct tree_walk *tw = u;

	(void)path;
	for (size_t i = 0; i < tw->n_on_path; i++)
		if (add_sample(tw->c, tw->mat[tw->on_path[i]], s, dw, w, false) < 0)
			return -ENOMEM;
	if (tw->mat[d] != FW_NONE && add_sample(tw->c, tw->mat[d], s, dw, w, true) < 0)
		return -ENOMEM;
	return 0;
}

static int build_pop(void *u, const struct fw_ctree_node *path, uint32_t d)
{
	struct tree_walk *tw = u;
	struct ctx *c = tw->c;
	bool parent_dropped = d > 0 && tw->cls[d - 1] == TN_DROPPED;

	if (tw->mat[d] != FW_NONE) {
		const struct node *n = &c->nodes[tw->mat[d]];
		uint32_t e = tw->in_edge[d];
		tw->built[tw->mat[d]].first = path[d].first;
		tw->n_on_path--;
		if (e != FW_NONE) {
			/* the edge that stays is the node's own: its weight is the node's cum */
			c->edges[e].w = n->cum;
			c->edges[e].wdiv = n->cum_div;
			c->edges[e].inl = c->edges[e].inl && path[d].inl;
			if (tw->rank && tw->cls[d] == TN_KEPT && fw_abs64(n->cum) < tw->edge_cut)
				c->edges[e].gone = true;
			if (parent_dropped) {
				if (fw_grow((void **)&tw->pend, &tw->cap_pend, tw->n_pend + 1, sizeof(uint32_t)) < 0)
					return -ENOMEM;
				tw->pend[tw->n_pend++] = e;
			}
		}
	}
	if (tw->cls[d] == TN_DROPPED) {
		/* under rank, a dropped node whose own edge was trimmed is a
		 * root when TrimTree comes: its descendants' edges go */
		bool cut = tw->rank && fw_abs64(path[d].cum) < tw->edge_cut;
		for (size_t i = tw->pend_at[d]; i < tw->n_pend; i++) {
			struct edge *ed = &c->edges[tw->pend[i]];
			ed->inl = ed->inl && path[d].inl;
			ed->gone = ed->gone || cut;
		}
		if (!parent_dropped)
			tw->n_pend = tw->pend_at[d];
	}
	return 0;
}

static const struct tree_walk *order_tw;

static int cmp_creation(const void *a, const void *b)
{
	const struct built *x = &order_tw->built[*(const uint32_t *)a], *y = &order_tw->built[*(const uint32_t *)b];

	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return x->depth < y->depth ? -1 : x->depth > y->depth;
}

static int cmp_tag_first(const void *a, const void *b)
{
	uint64_t x = ((const struct tag *)a)->first, y = ((const struct tag *)b)->first;
	return x < y ? -1 : x > y;
}

static int cmp_edge_dst(const void *a, const void *b)
{
	uint32_t x = ((const struct edge *)a)->dst, y = ((const struct edge *)b)->dst;
	return x < y ? -1 : x > y;
}

/* The built nodes put in pprof's creation order (tw->moved), their tags
 * too, and each node's edge lists made: out-edges in their targets'
 * creation order. */
static int tree_order(struct tree_walk *tw)
{
	struct ctx *c = tw->c;
	size_t n = c->n_nodes, k = 0;
	uint32_t *ord = malloc((n + 1) * sizeof(uint32_t)), *rank = malloc((n + 1) * sizeof(uint32_t));
	struct node *nodes = malloc((n + 1) * sizeof(struct node));
	int r = -ENOMEM;

	tw->moved = rank;
	if (!ord || !rank || !nodes)
		goto out;
	for (size_t i = 0; i < n; i++)
		ord[i] = (uint32_t)i;
	order_tw = tw;
	if (n > 1)
		qsort(ord, n, sizeof(uint32_t), cmp_creation);
	order_tw = NULL;
	for (size_t i = 0; i < n; i++) {
		rank[ord[i]] = (uint32_t)i;
		nodes[i] = c->nodes[ord[i]];
		if (nodes[i].n_tags > 1)
			qsort(nodes[i].tags, nodes[i].n_tags, sizeof(struct tag), cmp_tag_first);
	}
	free(c->nodes);
	c->nodes = nodes;
	c->cap_nodes = n + 1;
	nodes = NULL;
	for (size_t e = 0; e < c->n_edges; e++) /* the trimmed ones out */
		if (!c->edges[e].gone) {
			c->edges[k] = c->edges[e];
			c->edges[k].src = rank[c->edges[e].src];
			c->edges[k++].dst = rank[c->edges[e].dst];
		}
	c->n_edges = k;
	if (c->n_edges > 1)
		qsort(c->edges, c->n_edges, sizeof(struct edge), cmp_edge_dst);
	for (size_t e = 0; e < c->n_edges; e++) {
		struct node *s = &c->nodes[c->edges[e].src], *d = &c->nodes[c->edges[e].dst];
		if (push_u32(&s->out, &s->n_out, &s->cap_out, (uint32_t)e) < 0 ||
		    push_u32(&d->in, &d->n_in, &d->cap_in, (uint32_t)e) < 0)
			goto out;
	}
	r = 0;
out:
	free(ord);
	free(nodes);
	return r;
}

/* When the node count keeps every node of the whole tree, pprof sorts
 * the nodes once, by their entropy in the whole tree: the ranking's order,
 * which holds them all. The list put in it. Nodes are built in preorder, so
 * tw->built is sorted by preorder number. */
static void ranked_list(struct tree_walk *tw)
{
	struct ctx *c = tw->c;

	assert(tw->top.n == c->n_list);
	for (size_t i = 0; i < tw->top.n; i++) {
		uint32_t pre = ((const struct ranked *)best_at(&tw->top, i))->pre;
		size_t lo = 0, hi = c->n_nodes;
		while (lo < hi) { /* the built node of that preorder number */
			size_t mid = lo + (hi - lo) / 2;
			if (tw->built[mid].pre < pre)
				lo = mid + 1;
			else
				hi = mid;
		}
		assert(lo < c->n_nodes && tw->built[lo].pre == pre);
		c->list[i] = tw->moved[lo];
	}
	c->sorted = true;
}

static void tree_walk_free(struct tree_walk *tw)
{
	free(tw->rec);
	free(tw->pre);
	free(tw->mat);
	free(tw->up_mat);
	free(tw->in_edge);
	free(tw->cls);
	free(tw->up_cls);
	free(tw->below);
	free(tw->pend_at);
	free(tw->on_path);
	free(tw->pend);
	free(tw->built);
	free(tw->moved);
	free(tw->sel);
	free(tw->kids);
	free(tw->kid_at);
	free(tw->top.h);
	if (tw->tn) {
		for (uint32_t i = 0; i < tw->max_depth; i++)
			free(tw->tn[i].tags);
		free(tw->tn);
	}
}

/* newTrimmedGraph's first steps for a call tree: newTree, then TrimTree
 * of the nodes under the cutoff, with only what stays ever built.
 * *total: the sum of the whole tree's flat values. */
static int tree_graph(struct ctx *c, int64_t *total, size_t *dropped_nodes, size_t *whole_count)
{
	struct fw_ctree ct;
	struct tree_walk tw;
	struct fw_ctree_visit v;
	size_t depth;
	int r;

	if ((r = fw_ctree_init(&ct, c->p, c->tab, c->r->vi, c->r->o.mean)) < 0)
		return r;
	memset(&tw, 0, sizeof(tw));
	tw.c = c;
	depth = (size_t)ct.max_depth + 1;
	tw.pre = malloc(depth * sizeof(uint32_t));
	tw.mat = malloc(depth * sizeof(uint32_t));
	tw.up_mat = malloc(depth * sizeof(uint32_t));
	tw.in_edge = malloc(depth * sizeof(uint32_t));
	tw.on_path = malloc(depth * sizeof(uint32_t));
	tw.cls = malloc(depth);
	tw.up_cls = malloc(depth);
	tw.below = malloc(depth);
	tw.pend_at = malloc(depth * sizeof(size_t));
	r = -ENOMEM;
	if (!tw.pre || !tw.mat || !tw.up_mat || !tw.in_edge || !tw.on_path || !tw.cls || !tw.up_cls ||
	    !tw.below || !tw.pend_at)
		goto out;
	if (c->r->o.drop_negative) {
		v = (struct fw_ctree_visit){ tree_nop_push, total_pop, tree_nop_sample, &tw };
		if ((r = fw_ctree_walk(&ct, &v)) < 0)
			goto out;
	} else {
		/* every node with a flat value is listed: the sum is the samples' */
		for (size_t k = 0; k < ct.n; k++)
			tw.total += (uint64_t)fw_sample_values(c->p, ct.ord[k])[c->r->vi];
	}
	*total = (int64_t)tw.total;
	tw.node_cut = cutoff(*total, c->r->o.nodefraction);
	tw.rank = tw.node_cut == 0 && c->r->o.nodecount > 0;
	if (tw.rank) {
		tw.edge_cut = cutoff(*total, c->r->o.edgefraction);
		tw.top = (struct best){ cmp_ranked, c, NULL, sizeof(struct ranked), 0,
					(size_t)c->r->o.nodecount, 0 };
		tw.max_depth = (uint32_t)depth;
		if (!(tw.kid_at = malloc(depth * sizeof(size_t))) ||
		    (c->p->n_labels > 0 && !(tw.tn = calloc(depth, sizeof(struct node)))))
			goto out;
		v = (struct fw_ctree_visit){ rank_push, rank_pop, rank_sample, &tw };
		if ((r = fw_ctree_walk(&ct, &v)) < 0 || (r = rank_select(&tw)) < 0)
			goto out;
		r = -ENOMEM;
		tw.npre = 0;
		tw.n_list = 0;
	}
	v = (struct fw_ctree_visit){ class_push, class_pop, tree_nop_sample, &tw };
	if ((r = fw_ctree_walk(&ct, &v)) < 0)
		goto out;
	if (tw.n_list > 0) {
		if (tw.n_rec > 1)
			qsort(tw.rec, tw.n_rec, sizeof(struct tree_rec), cmp_rec);
		tw.npre = 0;
		v = (struct fw_ctree_visit){ build_push, build_pop, build_sample, &tw };
		if ((r = fw_ctree_walk(&ct, &v)) < 0 || (r = tree_order(&tw)) < 0)
			goto out;
	}
	if (tw.rank) /* selectTopNodePtrs is done */
		*whole_count = tw.n_list;
	else if (tw.n_kept != tw.n_list)
		*dropped_nodes = tw.n_list - tw.n_kept;
	if ((r = select_nodes(c)) == 0 && tw.all)
		ranked_list(&tw);
out:
	tree_walk_free(&tw);
	fw_ctree_free(&ct);
	return r;
}

/* pprof's own steps for a call tree (fw_dot_opts.whole_graph): newTree
 * whole, then TrimTree of the nodes under the node cutoff. */
static int whole_tree(struct ctx *c, int64_t *total, size_t *dropped_nodes)
{
	int64_t node_cut;
	int r;

	clear_graph(c);
	if ((r = build_tree(c)) < 0)
		return r;
	*total = 0;
	for (size_t i = 0; i < c->n_list; i++)
		*total = fw_add64(*total, c->nodes[c->list[i]].flat);
	node_cut = cutoff(*total, c->r->o.nodefraction);
	if (node_cut > 0) {
		bool *kept = calloc(c->n_nodes + 1, sizeof(bool));
		size_t nk = 0;
		if (!kept)
			return -ENOMEM;
		for (size_t i = 0; i < c->n_list; i++)
			if (fw_abs64(c->nodes[c->list[i]].cum) >= node_cut) {
				kept[c->list[i]] = true;
				nk++;
			}
		if (nk != c->n_list) {
			*dropped_nodes = c->n_list - nk;
			r = trim_tree(c, kept);
		}
		free(kept);
	}
	return r;
}

/* newTrimmedGraph's first steps for a graph: newGraph(nil), whose nodes'
 * flat and cum decide which are kept (DiscardLowFrequencyNodes), then
 * newGraph(kept) when that drops any. Only the graph that stays is built
 * with its edges and tags: the first is flat and cum per node (graph.c),
 * where all of large.cpu's 23,000 nodes with their edges took 10 MB.
 * *total: the sum of the first graph's flat values. */
static int first_graph(struct ctx *c, int64_t *total, size_t *dropped_nodes, size_t *whole_count)
{
	const struct fw_nodetab *t = c->tab;
	const struct fw_report_opts *ro = &c->r->o;
	struct fw_error err;
	struct fw_graph g;
	size_t n_list = 0, n_kept = 0;
	bool *kept = NULL;
	int64_t node_cut;
	int r;

	if (fw_graph_build_nodes(t, c->r->vi, &g, &err) < 0)
		return -ENOMEM;
	*total = 0;
	for (size_t n = 0; n < t->n; n++) /* selectNodesForGraph */
		if (listed(g.flat[n], g.cum[n], ro->drop_negative)) {
			n_list++;
			*total = (int64_t)((uint64_t)*total + (uint64_t)g.flat[n]);
		}
	node_cut = cutoff(*total, ro->nodefraction);
	if (node_cut > 0) {
		if (!(kept = calloc(t->n + 1, sizeof(bool)))) {
			fw_graph_free(&g);
			return -ENOMEM;
		}
		for (size_t n = 0; n < t->n; n++)
			if (listed(g.flat[n], g.cum[n], ro->drop_negative) && fw_abs64(g.cum[n]) >= node_cut) {
				kept[n] = true;
				n_kept++;
			}
	}
	fw_graph_free(&g);
	if (kept && n_kept != n_list) {
		*dropped_nodes = n_list - n_kept;
		r = build(c, kept);
	} else if (n_list == 0) { /* nothing to draw: no node has a value */
		clear_graph(c);
		r = select_nodes(c);
	} else if (node_cut == 0 && ro->nodecount > 0 && !c->o->whole_graph) {
		size_t whole;
		if ((r = select_whole(c, &kept, &whole)) == 0) {
			if (kept)
				*whole_count = whole;
			r = build(c, kept);
		}
	} else {
		r = build(c, NULL);
	}
	free(kept);
	return r;
}

/* report.newTrimmedGraph for -dot. */
static int trimmed_graph(struct ctx *c, size_t *orig_count, size_t *dropped_nodes,
			 size_t *dropped_edges)
{
	const struct fw_report_opts *ro = &c->r->o;
	int64_t total = 0, node_cut, edge_cut;
	size_t whole = 0;
	bool *kept;
	int r;

	*dropped_nodes = *dropped_edges = 0;
	/* a graph or a tree is built over its kept nodes at once; a graph
	 * that trims nothing, over its top nodes at once (whole: how many
	 * nodes the whole graph has) */
	if (c->tree && c->o->whole_graph)
		r = whole_tree(c, &total, dropped_nodes);
	else if (c->tree)
		r = tree_graph(c, &total, dropped_nodes, &whole);
	else
		r = first_graph(c, &total, dropped_nodes, &whole);
	if (r < 0)
		return r;
	node_cut = cutoff(total, ro->nodefraction);
	edge_cut = cutoff(total, ro->edgefraction);
	*orig_count = whole ? whole : c->n_list;
	if (!c->sorted && (r = sort_nodes(c)) < 0)
		return r;
	if (ro->nodecount > 0 && !whole) {
		trim_tags(c, node_cut);
		trim_edges(c, edge_cut);
		size_t top = select_top(c, ro->nodecount);
		if (top != c->n_list) {
			if (!(kept = keep_mask(c, top)))
				return -ENOMEM;
			r = c->tree ? trim_tree(c, kept) : build(c, kept);
			free(kept);
			if (r < 0 || (r = sort_nodes(c)) < 0)
				return r;
		}
	}
	trim_tags(c, node_cut);
	*dropped_edges = trim_edges(c, edge_cut);
	return remove_redundant_edges(c);
}

/* ---- output -------------------------------------------------------------------------------- */

void fw_dot_escape(struct fw_buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\')
			fw_buf_puts(b, "\\\\");
		else if (s[i] == '"')
			fw_buf_puts(b, "\\\"");
		else if (s[i] == '\n')
			fw_buf_puts(b, "\\l");
		else
			fw_buf_putc(b, s[i]);
	}
}

/* Strict mode: s made safe for an output (fw_out_plain: redacted, capped,
 * control and bidi characters and invalid bytes as visible escapes; up to
 * a NUL byte), appended to out. '&' becomes "&amp;": graphviz reads
 * entities in labels, and a name holding the text "&#x202e;" would
 * otherwise come out of `dot -Tsvg` as a raw bidi override. */
static void plain(struct fw_buf *out, const char *s, size_t n)
{
	char *z = malloc(n + 1);
	struct fw_buf t;

	if (!z) {
		out->failed = true;
		return;
	}
	if (n)
		memcpy(z, s, n);
	z[n] = 0;
	fw_buf_init(&t);
	fw_out_plain(&t, z, FW_OUT_NAME_MAX);
	free(z);
	for (size_t i = 0; i < t.len; i++) {
		if (t.data[i] == '&')
			fw_buf_puts(out, "&amp;");
		else
			fw_buf_putc(out, t.data[i]);
	}
	if (t.failed)
		out->failed = true;
	fw_buf_free(&t);
}

/* Strict mode: s made plain, then DOT-escaped. */
static void put_strict(struct fw_buf *b, const char *s, size_t n)
{
	struct fw_buf t;

	fw_buf_init(&t);
	plain(&t, s, n);
	fw_dot_escape(b, t.data ? t.data : "", t.len);
	if (t.failed)
		b->failed = true;
	fw_buf_free(&t);
}

/* A string pprof writes unescaped; made plain and escaped in strict mode. */
static void put_raw(const struct ctx *c, struct fw_buf *b, const char *s, size_t n)
{
	if (c->o->strict)
		put_strict(b, s, n);
	else
		fw_buf_putn(b, s, n);
}

/* A string pprof escapes (escapeForDot); made plain first in strict mode. */
static void put_escaped(const struct ctx *c, struct fw_buf *b, const char *s, size_t n)
{
	if (c->o->strict)
		put_strict(b, s, n);
	else
		fw_dot_escape(b, s, n);
}

/* rpt.formatValue: the number and the profile's unit, which pprof writes
 * unescaped; made plain and escaped in strict mode (cut, if it must be,
 * never after a lone backslash). */
static void value_str(const struct ctx *c, int64_t v, char *out, size_t len)
{
	struct fw_buf t;
	size_t n;

	fw_report_value(c->r, v, out, len);
	if (!c->o->strict)
		return;
	fw_buf_init(&t);
	put_raw(c, &t, out, strlen(out));
	n = t.failed ? 0 : t.len < len - 1 ? t.len : len - 1;
	for (;;) {
		size_t bs = 0;
		while (bs < n && t.data[n - 1 - bs] == '\\')
			bs++;
		if (bs % 2 == 0)
			break;
		n--;
	}
	if (n)
		memcpy(out, t.data, n);
	out[n] = 0;
	fw_buf_free(&t);
}

static void pct_str(int64_t v, int64_t total, char *out, size_t len)
{
	char p[32];
	const char *s = p;
	size_t n;

	fw_percentage(p, sizeof(p), v, total);
	while (*s == ' ')
		s++;
	n = strlen(s);
	while (n && s[n - 1] == ' ')
		n--;
	snprintf(out, len, "%.*s", (int)n, s);
}

static int64_t div_value(int64_t v, int64_t d)
{
	if (d == 0)
		return v;
	if (d == -1 && v == INT64_MIN)
		return v;
	return v / d;
}

static uint8_t go_uint8(double f)
{
	if (isnan(f))
		return 0;
	return (uint8_t)(int64_t)f;
}

/* dotColor */
static void dot_color(double score, bool bg, char out[8])
{
	double sat = bg ? 0.1 : 1.0, val = bg ? 0.93 : 0.7, r, g, b;

	/* math.Max(-1, math.Min(1, score)), NaN kept */
	if (!isnan(score)) {
		if (score > 1.0)
			score = 1.0;
		if (score < -1.0)
			score = -1.0;
	}
	if (fabs(score) < 0.2)
		sat *= fabs(score) / 0.2;
	if (score > 0.0)
		score = pow(score, 1.0 - 0.7);
	if (score < 0.0)
		score = -pow(-score, 1.0 - 0.7);
	if (score < 0.0) {
		g = val;
		r = val * (1 + sat * score);
	} else {
		r = val;
		g = val * (1 - sat * score);
	}
	b = val * (1 - sat);
	snprintf(out, 8, "#%02x%02x%02x", go_uint8(r * 255.0), go_uint8(g * 255.0), go_uint8(b * 255.0));
}

/* Replaces every `from` in b (from offset start) by `to`. */
static void replace_all(struct fw_buf *b, size_t start, const char *from, const char *to)
{
	struct fw_buf t;
	size_t fl = strlen(from), i = start;

	fw_buf_init(&t);
	while (i < b->len) {
		if (b->len - i >= fl && memcmp(b->data + i, from, fl) == 0) {
			fw_buf_puts(&t, to);
			i += fl;
		} else {
			fw_buf_putc(&t, b->data[i++]);
		}
	}
	if (t.failed) {
		b->failed = true;
	} else {
		b->len = start;
		if (t.len)
			fw_buf_putn(b, t.data, t.len);
	}
	fw_buf_free(&t);
}

/* Go's filepath.Base of a string (a name may hold NUL bytes). */
static void put_base(const struct ctx *c, struct fw_buf *b, uint32_t str)
{
	size_t n;
	const char *base = fw_path_base_n(fw_pstr(c->p, str), fw_strlen(&c->p->strings, str), &n);

	put_raw(c, b, base, n);
}

void fw_dot_label_name(struct fw_buf *b, const char *name, size_t n)
{
	struct fw_buf sh;
	size_t start = b->len;

	fw_buf_init(&sh);
	fw_funcname_shorten(name, n, &sh);
	fw_dot_escape(b, sh.data ? sh.data : "", sh.len);
	if (sh.failed)
		b->failed = true;
	fw_buf_free(&sh);
	replace_all(b, start, "::", "\\n");
	replace_all(b, start, "[...]", "[\xe2\x80\xa6]");
	replace_all(b, start, ".", "\\n");
}

/* multilinePrintableName */
static void multiline_name(const struct ctx *c, uint32_t info, struct fw_buf *b)
{
	const struct fw_node_info *ni = &c->tab->info[info];
	struct fw_buf nm;
	bool first = true, has_name;

	fw_buf_init(&nm);
	if (c->o->strict) {
		struct fw_buf t;
		fw_buf_init(&t);
		plain(&t, fw_pstr(c->p, ni->name), fw_strlen(&c->p->strings, ni->name));
		fw_dot_label_name(&nm, t.data ? t.data : "", t.len);
		if (t.failed)
			nm.failed = true;
		fw_buf_free(&t);
	} else {
		fw_dot_label_name(&nm, fw_pstr(c->p, ni->name), fw_strlen(&c->p->strings, ni->name));
	}
	if (nm.failed)
		b->failed = true;
	has_name = nm.len > 0;
#define SEP() do { if (!first) fw_buf_puts(b, "\\n"); first = false; } while (0)
	if (ni->address) {
		SEP();
		fw_buf_printf(b, "%016" PRIx64, ni->address);
	}
	if (has_name) {
		SEP();
		fw_buf_putn(b, nm.data, nm.len);
	}
	if (ni->lineno) {
		SEP();
		if (fw_strlen(&c->p->strings, ni->file))
			put_base(c, b, ni->file);
		fw_buf_printf(b, ":%" PRId64, ni->lineno);
	} else if (fw_strlen(&c->p->strings, ni->file)) {
		SEP();
		put_base(c, b, ni->file);
	} else if (has_name) {
	} else if (fw_strlen(&c->p->strings, ni->objfile)) {
		SEP();
		fw_buf_putc(b, '[');
		put_base(c, b, ni->objfile);
		fw_buf_putc(b, ']');
	} else {
		SEP();
		fw_buf_puts(b, "<unknown>");
	}
#undef SEP
	fw_buf_puts(b, "\\n");
	fw_buf_free(&nm);
}

static void printable_escaped(const struct ctx *c, uint32_t node, struct fw_buf *b)
{
	uint32_t info = c->nodes[node].info;
	put_escaped(c, b, fw_node_name(c->tab, info), fw_node_name_len(c->tab, info));
}

static void add_node(const struct ctx *c, uint32_t ni, size_t id, double max_flat, struct fw_buf *b)
{
	const struct node *n = &c->nodes[ni];
	int64_t flat = div_value(n->flat, n->flat_div), cum = div_value(n->cum, n->cum_div);
	int64_t total = c->r->total;
	char fv[64], cv[64], pct[32], col[8], fill[8];
	int64_t font = 8;
	double score;

	fw_buf_printf(b, "N%zu [label=\"", id);
	multiline_name(c, n->info, b);
	value_str(c, flat, fv, sizeof(fv));
	if (flat != 0) {
		pct_str(flat, total, pct, sizeof(pct));
		fw_buf_printf(b, "%s (%s)", fv, pct);
	} else {
		fw_buf_puts(b, "0");
	}
	snprintf(cv, sizeof(cv), "%s", fv);
	if (cum != flat) {
		fw_buf_puts(b, flat != 0 ? "\\n" : " ");
		value_str(c, cum, cv, sizeof(cv));
		pct_str(cum, total, pct, sizeof(pct));
		fw_buf_printf(b, "of %s (%s)", cv, pct);
	}
	if (max_flat != 0 && flat != 0 && (double)fw_abs64(flat) <= max_flat)
		/* Go's int(): a flat of INT64_MIN has a negative abs64, a NaN root */
		font = fw_add64(font, go_int64(ceil(16.0 * sqrt((double)fw_abs64(flat) / max_flat))));
	score = (double)cum / (double)fw_abs64(total);
	dot_color(score, false, col);
	dot_color(score, true, fill);
	fw_buf_printf(b, "\" id=\"node%zu\" fontsize=%" PRId64 " shape=box tooltip=\"", id, font);
	printable_escaped(c, ni, b);
	fw_buf_printf(b, " (%s)\" color=\"%s\" fillcolor=\"%s\"]\n", cv, col, fill);
}

static int64_t tag_flat(const struct tag *t)
{
	return div_value(t->flat, t->flat_div);
}

static int64_t tag_cum(const struct tag *t)
{
	return div_value(t->cum, t->cum_div);
}

/* A tag's name: the labels, or the formatted numeric value. */
static const char *tag_name(const struct ctx *c, const struct tag *t, size_t *n)
{
	return str_of(c, t->numeric ? t->name : t->lab, n);
}

static bool sort_flat;

/* tags.Less */
static int cmp_tag(const void *a, const void *b)
{
	const struct tag *x = *(const struct tag *const *)a, *y = *(const struct tag *const *)b;
	size_t lx, ly;
	const char *nx, *ny;

	if (!sort_flat && x->cum != y->cum) {
		int64_t ax = fw_abs64(x->cum), ay = fw_abs64(y->cum);
		if (ax != ay)
			return ax > ay ? -1 : 1;
		return 0;
	}
	if (x->flat != y->flat) {
		int64_t ax = fw_abs64(x->flat), ay = fw_abs64(y->flat);
		if (ax != ay)
			return ax > ay ? -1 : 1;
		return 0;
	}
	nx = tag_name(sort_ctx, x, &lx);
	ny = tag_name(sort_ctx, y, &ly);
	return bytes_cmp(nx, lx, ny, ly);
}

static void sort_tags(const struct ctx *c, struct tag **ts, size_t n, bool flat)
{
	sort_ctx = c;
	sort_flat = flat;
	if (n > 1)
		qsort(ts, n, sizeof(*ts), cmp_tag);
	sort_ctx = NULL;
}

/* tagDistance(t, u) */
static double tag_distance(const struct ctx *c, const struct tag *t, const struct tag *u)
{
	char unit[32];
	double v = fw_unit_scale(u->value, c->num_unit, c->num_unit, unit, sizeof(unit));
	(void)t;
	if (v < (double)t->value)
		return (double)t->value - v;
	return v - (double)t->value;
}

static void numeric_nodelets(const struct ctx *c, struct tag **ts, size_t n, bool flat_tags,
			     const char *source, struct fw_buf *b)
{
	/* collapsedTags */
	struct tag groups[MAX_NODELETS];
	struct tag *gp[MAX_NODELETS];
	char labels[MAX_NODELETS][160];
	size_t ng;

	sort_tags(c, ts, n, flat_tags);
	if (n <= MAX_NODELETS) {
		ng = n;
		for (size_t i = 0; i < n; i++) {
			size_t l;
			const char *s = tag_name(c, ts[i], &l);
			groups[i] = *ts[i];
			snprintf(labels[i], sizeof(labels[i]), "%.*s", (int)l, s);
		}
	} else {
		size_t *which = malloc(n * sizeof(size_t));
		if (!which) {
			b->failed = true;
			return;
		}
		for (size_t i = 0; i < n; i++) {
			if (i < MAX_NODELETS) {
				which[i] = i;
				continue;
			}
			size_t g = 0;
			double d = tag_distance(c, ts[i], ts[0]);
			for (size_t k = 1; k < MAX_NODELETS; k++) {
				double nd = tag_distance(c, ts[i], ts[k]);
				if (nd < d) {
					g = k;
					d = nd;
				}
			}
			which[i] = g;
		}
		ng = MAX_NODELETS;
		for (size_t g = 0; g < MAX_NODELETS; g++) {
			/* tagGroupLabel */
			const struct tag *mn = ts[g], *mx = ts[g];
			int64_t f = ts[g]->flat, df = ts[g]->flat_div, cu = ts[g]->cum, dc = ts[g]->cum_div;
			size_t members = 1;
			char a[64], z[64];
			for (size_t i = MAX_NODELETS; i < n; i++) {
				const struct tag *t = ts[i];
				if (which[i] != g)
					continue;
				members++;
				if (t->value < mn->value)
					mn = t;
				if (t->value > mx->value)
					mx = t;
				f = fw_add64(f, t->flat);
				df = fw_add64(df, t->flat_div);
				cu = fw_add64(cu, t->cum);
				dc = fw_add64(dc, t->cum_div);
			}
			memset(&groups[g], 0, sizeof(groups[g]));
			groups[g].numeric = true;
			if (members == 1) {
				fw_unit_label(labels[g], sizeof(labels[g]), ts[g]->value, c->num_unit, "auto");
				groups[g].flat = tag_flat(ts[g]);
				groups[g].cum = tag_cum(ts[g]);
				continue;
			}
			if (df != 0)
				f = div_value(f, df);
			if (dc != 0)
				cu = div_value(cu, dc);
			fw_unit_label(a, sizeof(a), mn->value, c->num_unit, "auto");
			fw_unit_label(z, sizeof(z), mx->value, c->num_unit, "auto");
			snprintf(labels[g], sizeof(labels[g]), "%s..%s", a, z);
			groups[g].flat = f;
			groups[g].cum = cu;
		}
		free(which);
	}
	/* SortTags(nts) by the group names: sort an index by the same rule */
	for (size_t i = 0; i < ng; i++)
		gp[i] = &groups[i];
	for (size_t i = 1; i < ng; i++) {
		for (size_t j = i; j > 0; j--) {
			const struct tag *x = gp[j], *y = gp[j - 1];
			int less;
			if (!flat_tags && x->cum != y->cum)
				less = fw_abs64(x->cum) > fw_abs64(y->cum);
			else if (x->flat != y->flat)
				less = fw_abs64(x->flat) > fw_abs64(y->flat);
			else
				less = strcmp(labels[x - groups], labels[y - groups]) < 0;
			if (!less)
				break;
			struct tag *tmp = gp[j];
			gp[j] = gp[j - 1];
			gp[j - 1] = tmp;
		}
	}
	for (size_t j = 0; j < ng; j++) {
		const struct tag *t = gp[j];
		int64_t fl = tag_flat(t), cu = tag_cum(t);
		int64_t w = cu;
		const char *attr = " style=\"dotted\"";
		char wv[64];
		if (flat_tags || fl == cu) {
			w = fl;
			attr = "";
		}
		if (w == 0)
			continue;
		value_str(c, w, wv, sizeof(wv));
		fw_buf_printf(b, "N%s_%zu [label = \"", source, j);
		put_raw(c, b, labels[t - groups], strlen(labels[t - groups]));
		fw_buf_printf(b, "\" id=\"N%s_%zu\" fontsize=8 shape=box3d tooltip=\"%s\"]\n", source, j, wv);
		fw_buf_printf(b, "%s -> N%s_%zu [label=\" %s\" weight=100 tooltip=\"%s\" labeltooltip=\"%s\"%s]\n",
			      source, source, j, wv, wv, wv, attr);
	}
}

/* addNodelets: returns whether any was written. */
static bool add_nodelets(const struct ctx *c, uint32_t ni, size_t id, struct fw_buf *b)
{
	const struct node *n = &c->nodes[ni];
	struct tag **ts = malloc((n->n_tags + 1) * sizeof(*ts));
	struct tag **nts = malloc((n->n_tags + 1) * sizeof(*nts));
	size_t k = 0, start = b->len;
	bool flat_tags = n->n_out > 0;
	char src[64];

	if (!ts || !nts) {
		free(ts);
		free(nts);
		b->failed = true;
		return false;
	}
	for (size_t i = 0; i < n->n_tags; i++)
		if (!n->tags[i].numeric)
			ts[k++] = &n->tags[i];
	sort_tags(c, ts, k, flat_tags);
	if (k > MAX_NODELETS)
		k = MAX_NODELETS;
	for (size_t i = 0; i < k; i++) {
		const struct tag *t = ts[i];
		int64_t w = flat_tags ? tag_flat(t) : tag_cum(t);
		size_t nl, m = 0;
		const char *name;
		char wv[64];
		if (w == 0)
			continue;
		value_str(c, w, wv, sizeof(wv));
		name = str_of(c, t->lab, &nl);
		fw_buf_printf(b, "N%zu_%zu [label = \"", id, i);
		put_raw(c, b, name, nl);
		fw_buf_printf(b, "\" id=\"N%zu_%zu\" fontsize=8 shape=box3d tooltip=\"%s\"]\n", id, i, wv);
		fw_buf_printf(b, "N%zu -> N%zu_%zu [label=\" %s\" weight=100 tooltip=\"%s\" labeltooltip=\"%s\"]\n",
			      id, id, i, wv, wv, wv);
		for (size_t j = 0; j < n->n_tags; j++)
			if (n->tags[j].numeric && n->tags[j].lab == t->lab)
				nts[m++] = &n->tags[j];
		if (m) {
			snprintf(src, sizeof(src), "N%zu_%zu", id, i);
			numeric_nodelets(c, nts, m, flat_tags, src, b);
		}
	}
	{
		size_t m = 0;
		for (size_t j = 0; j < n->n_tags; j++)
			if (n->tags[j].numeric && n->tags[j].lab == 0)
				nts[m++] = &n->tags[j];
		if (m) {
			snprintf(src, sizeof(src), "N%zu", id);
			numeric_nodelets(c, nts, m, flat_tags, src, b);
		}
	}
	free(ts);
	free(nts);
	return b->len != start;
}

static void add_edge_line(const struct ctx *c, uint32_t e, size_t from, size_t to, bool has_nodelets,
			  struct fw_buf *b)
{
	const struct edge *ed = &c->edges[e];
	int64_t wv = div_value(ed->w, ed->wdiv), total = c->r->total;
	char w[64], col[8];
	struct fw_buf tip;

	value_str(c, wv, w, sizeof(w));
	fw_buf_printf(b, "N%zu -> N%zu [label=\" %s%s\"", from, to, w, ed->inl ? "\\n (inline)" : "");
	if (total != 0) {
		int64_t x = (int64_t)((uint64_t)wv * 100u), y = (int64_t)((uint64_t)wv * 5u);
		x = fw_abs64(div_value(x, total));
		y = fw_abs64(div_value(y, total));
		int64_t weight = 1 + (x < 100 ? x : 100), width = 1 + (y < 5 ? y : 5);
		if (weight > 1)
			fw_buf_printf(b, " weight=%" PRId64, weight);
		if (width > 1)
			fw_buf_printf(b, " penwidth=%" PRId64, width);
		dot_color((double)wv / (double)fw_abs64(total), false, col);
		fw_buf_printf(b, " color=\"%s\"", col);
	}
	fw_buf_init(&tip);
	fw_buf_putc(&tip, '"');
	printable_escaped(c, ed->src, &tip);
	fw_buf_puts(&tip, ed->residual ? " ... " : " -> ");
	printable_escaped(c, ed->dst, &tip);
	fw_buf_printf(&tip, " (%s)\"", w);
	if (tip.failed)
		b->failed = true;
	fw_buf_puts(b, " tooltip=");
	fw_buf_putn(b, tip.data, tip.len);
	fw_buf_puts(b, " labeltooltip=");
	fw_buf_putn(b, tip.data, tip.len);
	fw_buf_free(&tip);
	if (ed->residual)
		fw_buf_puts(b, " style=\"dotted\"");
	if (has_nodelets)
		fw_buf_puts(b, " minlen=2");
	fw_buf_puts(b, "]\n");
}

/* reportLabels(..., fullHeaders=true), each label ending in '\n'. */
static void legend_labels(const struct ctx *c, size_t orig_count, size_t dropped_nodes,
			  size_t dropped_edges, struct fw_buf *b)
{
	const struct fw_report *r = c->r;
	int64_t flat_sum = 0;
	char a[64], pct[32], t[64];

	fw_report_profile_labels(r, b);
	for (size_t i = 0; i < c->n_list; i++) {
		const struct node *n = &c->nodes[c->list[i]];
		flat_sum = (int64_t)((uint64_t)flat_sum + (uint64_t)div_value(n->flat, n->flat_div));
	}
	if (r->filters.len) {
		const char *s = r->filters.data;
		size_t left = r->filters.len;
		fw_buf_puts(b, "Active filters:\n");
		while (left) {
			const char *nl = memchr(s, '\n', left);
			size_t n = nl ? (size_t)(nl - s) : left;
			fw_buf_puts(b, "   ");
			if (n > 80) {
				fw_buf_putn(b, s, 80);
				fw_buf_puts(b, "\xe2\x80\xa6");
			} else {
				fw_buf_putn(b, s, n);
			}
			fw_buf_putc(b, '\n');
			s += n + (nl ? 1 : 0);
			left -= n + (nl ? 1 : 0);
		}
	}
	fw_report_value(c->r, flat_sum, a, sizeof(a));
	pct_str(flat_sum, r->total, pct, sizeof(pct));
	fw_report_value(c->r, r->total, t, sizeof(t));
	fw_buf_printf(b, "Showing nodes accounting for %s, %s of %s total\n", a, pct, t);
	if (r->total != 0) {
		if (dropped_nodes > 0) {
			fw_report_value(c->r, cutoff(r->total, r->o.nodefraction), a, sizeof(a));
			fw_buf_printf(b, "Dropped %zu node%s (cum <= %s)\n", dropped_nodes,
				      dropped_nodes > 1 ? "s" : "", a);
		}
		if (dropped_edges > 0) {
			fw_report_value(c->r, cutoff(r->total, r->o.edgefraction), a, sizeof(a));
			fw_buf_printf(b, "Dropped %zu edge%s (freq <= %s)\n", dropped_edges,
				      dropped_edges > 1 ? "s" : "", a);
		}
		if (c->n_list > 0 && c->n_list < orig_count)
			fw_buf_printf(b, "Showing top %zu nodes out of %zu\n", c->n_list, orig_count);
	}
	fw_buf_puts(b, "\nSee https://git.io/JfYMW for how to read the graph\n");
}

/* ComposeDot */
static int compose(struct ctx *c, size_t orig_count, size_t dropped_nodes, size_t dropped_edges,
		   struct fw_buf *b)
{
	const struct fw_profile *p = c->p;
	struct fw_buf labels, title;
	size_t *id = NULL, first_len;
	bool *has_nodelets = NULL;
	uint32_t *edges = NULL;
	size_t n_edges = 0, cap_edges = 0;
	double max_flat;

	fw_buf_init(&labels);
	fw_buf_init(&title);
	if (p->n_mappings > 0 && fw_strlen(&p->strings, p->mappings[0].filename))
		put_base(c, &title, p->mappings[0].filename);
	fw_buf_puts(b, "digraph \"");
	if (title.len)
		fw_buf_putn(b, title.data, title.len);
	else
		fw_buf_puts(b, "unnamed");
	fw_buf_puts(b, "\" {\nnode [style=filled fillcolor=\"#f8f8f8\"]\n");
	legend_labels(c, orig_count, dropped_nodes, dropped_edges, &labels);
	if (c->o->strict && !labels.failed) {
		/* each line made plain (comments, filters, file names) */
		struct fw_buf t;
		size_t i = 0;
		fw_buf_init(&t);
		while (i < labels.len) {
			size_t e = i;
			while (e < labels.len && labels.data[e] != '\n')
				e++;
			plain(&t, labels.data + i, e - i);
			if (e < labels.len)
				fw_buf_putc(&t, '\n');
			i = e + 1;
		}
		fw_buf_free(&labels);
		labels = t;
	}
	if (labels.failed)
		goto oom;
	/* the first line (a name in it may hold NUL bytes) */
	first_len = 0;
	while (first_len < labels.len && labels.data[first_len] != '\n')
		first_len++;
	/* labels end in '\n': joined with "\l" and ended with "\l" alike */
	fw_buf_puts(b, "subgraph cluster_L { \"");
	fw_dot_escape(b, labels.data, first_len);
	fw_buf_puts(b, "\" [shape=box fontsize=16 label=\"");
	fw_dot_escape(b, labels.data, labels.len);
	fw_buf_puts(b, "\"");
	if (title.len) {
		fw_buf_puts(b, " tooltip=\"");
		fw_buf_putn(b, title.data, title.len);
		fw_buf_puts(b, "\"");
	}
	fw_buf_puts(b, "] }\n");
	if (c->n_list == 0)
		goto done;
	id = calloc(c->n_nodes + 1, sizeof(size_t));
	has_nodelets = calloc(c->n_nodes + 1, sizeof(bool));
	if (!id || !has_nodelets)
		goto oom;
	max_flat = (double)fw_abs64(div_value(c->nodes[c->list[0]].flat, c->nodes[c->list[0]].flat_div));
	for (size_t i = 0; i < c->n_list; i++) {
		const struct node *n = &c->nodes[c->list[i]];
		double f = (double)fw_abs64(div_value(n->flat, n->flat_div));
		id[c->list[i]] = i + 1;
		if (f > max_flat)
			max_flat = f;
	}
	for (size_t i = 0; i < c->n_list; i++) {
		uint32_t ni = c->list[i];
		const struct node *n = &c->nodes[ni];
		add_node(c, ni, i + 1, max_flat, b);
		has_nodelets[ni] = add_nodelets(c, ni, i + 1, b);
		if (fw_grow((void **)&edges, &cap_edges, n_edges + n->n_out + 1, sizeof(uint32_t)) < 0)
			goto oom;
		if (n->n_out)
			memcpy(edges + n_edges, n->out, n->n_out * sizeof(uint32_t));
		n_edges += n->n_out;
	}
	sort_edges(c, edges, n_edges);
	for (size_t i = 0; i < n_edges; i++) {
		const struct edge *e = &c->edges[edges[i]];
		add_edge_line(c, edges[i], id[e->src], id[e->dst], has_nodelets[e->src], b);
	}
done:
	fw_buf_puts(b, "}\n");
	fw_buf_free(&labels);
	fw_buf_free(&title);
	free(id);
	free(has_nodelets);
	free(edges);
	return b->failed ? -ENOMEM : 0;
oom:
	fw_buf_free(&labels);
	fw_buf_free(&title);
	free(id);
	free(has_nodelets);
	free(edges);
	return -ENOMEM;
}

/* The output unit pprof's selectOutputUnit picks from the graph's nodes. */
static int select_unit(struct ctx *c)
{
	struct fw_graph g;
	int r = 0;

	memset(&g, 0, sizeof(g));
	g.flat = malloc((c->n_list + 1) * sizeof(int64_t));
	g.cum = malloc((c->n_list + 1) * sizeof(int64_t));
	g.nodes = malloc((c->n_list + 1) * sizeof(uint32_t));
	if (!g.flat || !g.cum || !g.nodes) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < c->n_list; i++) {
		const struct node *n = &c->nodes[c->list[i]];
		g.flat[i] = div_value(n->flat, n->flat_div);
		g.cum[i] = div_value(n->cum, n->cum_div);
		g.nodes[i] = (uint32_t)i;
	}
	g.n_nodes = c->n_list;
	fw_report_select_unit(c->r, &g);
out:
	free(g.flat);
	free(g.cum);
	free(g.nodes);
	return r;
}

int fw_dot_write(struct fw_report *r, const struct fw_dot_opts *o, struct fw_buf *out,
		 struct fw_error *err)
{
	struct ctx c;
	size_t orig = 0, dn = 0, de = 0;
	int rc;

	memset(&c, 0, sizeof(c));
	c.r = r;
	c.o = o;
	c.tab = &r->tab;
	c.p = r->p;
	c.tree = o->call_tree;
	fw_keymap_init(&c.s.km);
	fw_buf_init(&c.s.pool);
	rc = prepare_labels(&c, err);
	if (rc == 0 && (trimmed_graph(&c, &orig, &dn, &de) < 0 || select_unit(&c) < 0 ||
			compose(&c, orig, dn, de, out) < 0))
		rc = nomem(err);
	clear_graph(&c);
	free(c.sample_lab);
	free(c.num_name);
	fw_keymap_free(&c.s.km);
	fw_buf_free(&c.s.pool);
	free(c.s.off);
	free(c.s.len);
	return rc;
}
