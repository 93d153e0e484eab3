/*
 * test_dot.c -- the call graph in DOT (dot.c) where it departs from pprof's
 * steps to hold less: when the node fraction trims nothing, the top nodes
 * found from graph.c's compact graph; a call tree walked (calltree.c), never
 * built whole. Each must draw what pprof's own steps draw
 * (fw_dot_opts.whole_graph), which the golden tests check against
 * `go tool pprof -dot`.
 */
#include "pprof/dot.h"
#include "pprof/profile.h"

#include "../tap.h"
#include "profbuild.h"

#include <stdlib.h>
#include <string.h>

/* prof_random's profile with labels on some samples: a string label (the
 * label tags) and "bytes" numeric labels (the numeric tags), in new slices. */
static struct fw_profile *labelled(uint64_t *st)
{
	struct fw_profile *p = prof_random(st);

	for (size_t s = 0; s < p->n_samples; s++) {
		struct fw_sample *sm = &p->samples[s];
		uint32_t k = xorshift_below(st, 4);

		sm->first_label = (uint32_t)p->n_labels;
		sm->n_labels = 0;
		for (uint32_t i = 0; i < k; i++) {
			struct fw_label *l = PUSH(p->labels, p->n_labels);
			memset(l, 0, sizeof(*l));
			if (xorshift_below(st, 2)) {
				l->key = S(p, i % 2 ? "shard" : "tenant");
				l->str = S(p, xorshift_below(st, 2) ? "a" : "b");
			} else {
				l->key = S(p, "bytes");
				l->num = (int64_t)xorshift_below(st, 4) * 1024;
				l->num_unit = S(p, "bytes");
			}
			sm->n_labels++;
		}
	}
	return p;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Do a and b hold the same lines, in any order? (pprof's own order of
 * edges of equal weight, +w and -w, is its maps' order: undefined.) */
static bool same_lines(const struct fw_buf *a, const struct fw_buf *b)
{
	char *x = strndup(a->data ? a->data : "", a->len), *y = strndup(b->data ? b->data : "", b->len);
	char **lx = calloc(a->len + 1, sizeof(char *)), **ly = calloc(b->len + 1, sizeof(char *));
	size_t nx = 0, ny = 0;
	bool same;

	if (!x || !y || !lx || !ly)
		exit(99);
	for (char *t = strtok(x, "\n"); t; t = strtok(NULL, "\n"))
		lx[nx++] = t;
	for (char *t = strtok(y, "\n"); t; t = strtok(NULL, "\n"))
		ly[ny++] = t;
	qsort(lx, nx, sizeof(char *), cmp_line);
	qsort(ly, ny, sizeof(char *), cmp_line);
	same = nx == ny;
	for (size_t i = 0; same && i < nx; i++)
		same = strcmp(lx[i], ly[i]) == 0;
	free(x), free(y), free(lx), free(ly);
	return same;
}

static int draw(const struct fw_profile *p, const struct fw_report_opts *o, bool whole, bool tree,
		struct fw_buf *out)
{
	struct fw_dot_opts d = { .call_tree = tree, .whole_graph = whole };
	struct fw_profile *q;
	struct fw_report r;
	struct fw_error err;
	int rc;

	if (fw_profile_clone(p, &q) < 0)
		exit(99);
	if ((rc = fw_report_init(&r, q, o, &err)) < 0) /* owns q */
		return rc;
	rc = fw_dot_write(&r, &d, out, &err);
	fw_report_free(&r);
	return rc;
}

/* Random options for a graph that the node fraction leaves whole. */
static void graph_opts(struct fw_report_opts *o, uint64_t *st)
{
	static const int counts[] = { 1, 2, 3, 5, 8, 80 };

	o->nodefraction = 0;
	o->nodecount = counts[xorshift_below(st, 6)];
}

/* Random options for a call tree: trimmed by the node fraction or not. */
static void tree_opts(struct fw_report_opts *o, uint64_t *st)
{
	static const int counts[] = { 0, 1, 2, 3, 5, 8, 80 };
	static const double fractions[] = { 0, 0, 0.005, 0.05, 0.3 };
	static const double edges[] = { 0.001, 0.05, 0.3 };

	o->nodefraction = fractions[xorshift_below(st, 5)];
	o->edgefraction = edges[xorshift_below(st, 3)];
	o->nodecount = counts[xorshift_below(st, 7)];
}

struct tally {
	int runs, bad, reordered, dropped, top;
};

/* Each of rounds random labelled profiles drawn six ways (options from
 * opts, then granularity, -mean, -drop_negative and the value), by dot.c
 * and by pprof's own steps. */
static struct tally compare(bool tree, uint64_t st, void (*opts)(struct fw_report_opts *, uint64_t *))
{
	struct tally t = { 0, 0, 0, 0, 0 };

	for (int round = 0; round < 300 && !t.bad; round++) {
		struct fw_profile *p = labelled(&st);

		for (int k = 0; k < 6 && !t.bad; k++) {
			struct fw_report_opts o;
			struct fw_buf a, b;
			int ra, rb;

			fw_report_opts_default(&o);
			opts(&o, &st);
			o.granularity = (enum fw_granularity)xorshift_below(&st, 5);
			o.mean = xorshift_below(&st, 3) == 0;
			o.drop_negative = xorshift_below(&st, 3) == 0;
			o.sample_index = xorshift_below(&st, 2) ? "0" : "1";
			fw_buf_init(&a);
			fw_buf_init(&b);
			ra = draw(p, &o, false, tree, &a);
			rb = draw(p, &o, true, tree, &b);
			t.runs++;
			if (ra == rb && a.len == b.len && (!a.len || memcmp(a.data, b.data, a.len) == 0)) {
				/* the same bytes */
			} else if (ra == rb && tree && same_lines(&a, &b)) {
				t.reordered++;
			} else {
				t.bad++;
				TAP_DIAG("round %d, nodefraction %g, edgefraction %g, nodecount %d, "
					 "granularity %d%s%s: they differ",
					 round, o.nodefraction, o.edgefraction, o.nodecount, (int)o.granularity,
					 o.mean ? ", mean" : "", o.drop_negative ? ", drop_negative" : "");
			}
			if (a.data && strstr(a.data, "Dropped "))
				t.dropped++;
			if (a.data && strstr(a.data, "Showing top"))
				t.top++;
			fw_buf_free(&a);
			fw_buf_free(&b);
		}
		fw_profile_free(p);
	}
	return t;
}

int main(void)
{
	struct tally g = compare(false, 0x853c49e6748fea9bULL, graph_opts);
	struct tally t = compare(true, 0x5851f42d4c957f2dULL, tree_opts);

	TAP_OK(g.bad == 0, "%d graphs of random labelled profiles: the top nodes found from the "
			   "compact graph draw pprof's whole-graph cut", g.runs);
	TAP_OK(g.top > g.runs / 2, "%d of them cut to the node count", g.top);
	TAP_OK(t.bad == 0, "%d call trees of random labelled profiles: the streamed tree draws "
			   "pprof's whole tree, trimmed (%d of them with edges of equal weight in another "
			   "order, which pprof leaves undefined)", t.runs, t.reordered);
	TAP_OK(t.reordered <= t.runs / 20, "few differ in that order alone");
	TAP_OK(t.dropped > t.runs / 10 && t.top > t.runs / 10, "%d of them drop nodes under the cutoff, "
							       "%d cut to the node count", t.dropped, t.top);
	return tap_done();
}
