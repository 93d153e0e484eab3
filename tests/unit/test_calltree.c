/*
 * test_calltree.c -- pprof's call tree walked depth first (calltree.c),
 * against a reference written here: every prefix of every sample's frames,
 * outermost first, summed in profile order.
 */
#include "pprof/calltree.h"
#include "profbuild.h"
#include "../tap.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 80 /* 24 locations of at most 3 lines */

struct tnode {
	uint32_t len, path[MAX_DEPTH];
	uint32_t first;
	int64_t flat, flat_div, cum, cum_div;
	bool inl, seen;
};

struct tree {
	struct tnode *n;
	size_t count;
};

static struct tnode *find(struct tree *t, const uint32_t *path, uint32_t len, bool add)
{
	for (size_t i = 0; i < t->count; i++)
		if (t->n[i].len == len && memcmp(t->n[i].path, path, len * sizeof(uint32_t)) == 0)
			return &t->n[i];
	if (!add)
		return NULL;
	struct tnode *n = PUSH(t->n, t->count);
	memset(n, 0, sizeof(*n));
	n->len = len;
	memcpy(n->path, path, len * sizeof(uint32_t));
	n->first = UINT32_MAX;
	n->inl = true;
	return n;
}

/* newTree's sums, sample by sample in profile order. */
static void reference(const struct fw_profile *p, const struct fw_nodetab *t, size_t vi, bool mean,
		      struct tree *out)
{
	for (size_t s = 0; s < p->n_samples; s++) {
		const struct fw_sample *sm = &p->samples[s];
		const int64_t *v = fw_sample_values(p, s);
		int64_t w = v[vi], dw = mean ? v[0] : 0;
		uint32_t path[MAX_DEPTH], len = 0;
		struct tnode *n = NULL;

		if (w == 0 && dw == 0)
			continue;
		for (uint32_t i = sm->n_locs; i-- > 0;) {
			uint32_t loc = p->sample_locs[sm->first_loc + i];
			uint32_t first = t->loc_first[loc], cnt = t->loc_count[loc];
			for (uint32_t li = cnt; li-- > 0;) {
				path[len++] = t->loc_nodes[first + li];
				n = find(out, path, len, true);
				n->cum = fw_add64(n->cum, w);
				n->cum_div = fw_add64(n->cum_div, dw);
				n->inl = n->inl && li != cnt - 1;
				if (s < n->first)
					n->first = (uint32_t)s;
			}
		}
		if (n) {
			n->flat = fw_add64(n->flat, w);
			n->flat_div = fw_add64(n->flat_div, dw);
		}
	}
}

struct check {
	struct tree *ref;
	uint32_t depth; /* nodes on the walk's path */
	size_t pushes, pops, samples;
	const char *why;
};

static int on_push(void *u, const struct fw_ctree_node *path, uint32_t d)
{
	struct check *c = u;

	if (d != c->depth)
		c->why = "pushed at the wrong depth";
	else if (path[d].cum || path[d].flat || path[d].cum_div || path[d].flat_div)
		c->why = "pushed with values";
	c->depth = d + 1;
	c->pushes++;
	return 0;
}

static int on_pop(void *u, const struct fw_ctree_node *path, uint32_t d)
{
	struct check *c = u;
	uint32_t key[MAX_DEPTH];
	struct tnode *n;

	c->pops++;
	if (d + 1 != c->depth) {
		c->why = "popped at the wrong depth";
		return -EINVAL;
	}
	c->depth = d;
	for (uint32_t i = 0; i <= d; i++)
		key[i] = path[i].info;
	n = find(c->ref, key, d + 1, false);
	if (!n)
		c->why = "a path the reference does not have";
	else if (n->seen)
		c->why = "a path visited twice";
	else if (n->cum != path[d].cum || n->cum_div != path[d].cum_div)
		c->why = "cum differs";
	else if (n->flat != path[d].flat || n->flat_div != path[d].flat_div)
		c->why = "flat differs";
	else if (n->first != path[d].first)
		c->why = "first sample differs";
	else if (n->inl != path[d].inl)
		c->why = "inline differs";
	if (n)
		n->seen = true;
	return 0;
}

static int on_sample(void *u, const struct fw_ctree_node *path, uint32_t d, size_t s, int64_t w,
		     int64_t dw)
{
	struct check *c = u;

	(void)path, (void)s, (void)w, (void)dw;
	if (d + 1 != c->depth)
		c->why = "a sample that does not end at the path's end";
	c->samples++;
	return 0;
}

/* The third call fails. */
static int stop_push(void *u, const struct fw_ctree_node *path, uint32_t d)
{
	(void)path, (void)d;
	return ++*(int *)u == 3 ? -ECANCELED : 0;
}

static int stop_sample(void *u, const struct fw_ctree_node *path, uint32_t d, size_t s, int64_t w,
		       int64_t dw)
{
	(void)path, (void)d, (void)s, (void)w, (void)dw;
	return ++*(int *)u == 3 ? -ECANCELED : 0;
}

static void test_random(void)
{
	const int rounds = 400;
	uint64_t st = 0x2545f4914f6cdd1dULL;
	size_t walks = 0, nodes = 0;
	const char *why = NULL;
	struct fw_error err;

	for (int round = 0; round < rounds && !why; round++) {
		struct fw_profile *p = prof_random(&st);
		struct fw_nodetab t;

		if (fw_nodetab_build(p, &t, &err) < 0) {
			why = "node table";
			fw_profile_free(p);
			break;
		}
		for (int k = 0; k < 4 && !why; k++) {
			size_t vi = (size_t)(k & 1);
			bool mean = k >= 2;
			struct tree ref = { NULL, 0 };
			struct check c = { &ref, 0, 0, 0, 0, NULL };
			struct fw_ctree_visit v = { on_push, on_pop, on_sample, &c };
			struct fw_ctree ct;

			reference(p, &t, vi, mean, &ref);
			if (fw_ctree_init(&ct, p, &t, vi, mean) < 0) {
				why = "init failed";
			} else {
				for (int pass = 0; pass < 2 && !c.why; pass++) {
					/* a second walk visits the same nodes again */
					for (size_t i = 0; i < ref.count; i++)
						ref.n[i].seen = false;
					c.pushes = c.pops = 0;
					if (fw_ctree_walk(&ct, &v) < 0 && !c.why)
						c.why = "walk failed";
					if (!c.why && (c.pushes != ref.count || c.pops != ref.count))
						c.why = "not every path visited once";
					if (!c.why && c.depth != 0)
						c.why = "the walk ended inside the tree";
				}
				why = c.why;
				walks++;
				nodes += ref.count;
				fw_ctree_free(&ct);
			}
			if (why)
				TAP_DIAG("round %d, column %zu%s: %s", round, vi, mean ? ", mean" : "", why);
			free(ref.n);
		}
		fw_nodetab_free(&t);
		fw_profile_free(p);
	}
	TAP_OK(why == NULL, "%zu walks of 400 random profiles visit each of their %zu paths once, "
			    "with the reference's flat, cum, divisors, first sample and inline flag",
	       walks, nodes);
}

/* A call's negative return ends the walk with it. */
static void test_stop(void)
{
	uint64_t st = 7;
	struct fw_profile *p;
	struct fw_nodetab t;
	struct fw_error err;
	struct fw_ctree ct;
	int count = 0;

	for (;;) { /* a profile with a path of three nodes */
		p = prof_random(&st);
		if (fw_nodetab_build(p, &t, &err) < 0 || fw_ctree_init(&ct, p, &t, 1, false) < 0)
			exit(99);
		if (ct.max_depth >= 3)
			break;
		fw_ctree_free(&ct);
		fw_nodetab_free(&t);
		fw_profile_free(p);
	}
	struct fw_ctree_visit v = { stop_push, stop_push, stop_sample, &count };
	TAP_EQ_INT(fw_ctree_walk(&ct, &v), -ECANCELED, "a call that fails ends the walk with its error");
	TAP_EQ_INT(count, 3, "no call after the failing one");
	fw_ctree_free(&ct);
	fw_nodetab_free(&t);
	fw_profile_free(p);
}

/* No sample with a value: nothing to walk. */
static void test_empty(void)
{
	struct fw_profile *p = prof("cpu", "nanoseconds", 1, 2, "samples", "count", "cpu", "nanoseconds");
	uint32_t f = func(p, "main", NULL), l = loc(p, f);
	struct fw_nodetab t;
	struct fw_error err;
	struct fw_ctree ct;
	struct check c = { NULL, 0, 0, 0, 0, NULL };
	struct fw_ctree_visit v = { on_push, on_pop, on_sample, &c };

	sample(p, LOCS(l), VALS(0, 0), NULL);
	sample(p, (const uint32_t[]){ END }, VALS(1, 5), NULL);
	if (fw_nodetab_build(p, &t, &err) < 0 || fw_ctree_init(&ct, p, &t, 1, false) < 0)
		exit(99);
	TAP_EQ_INT((int)ct.n, 0, "samples without a value or a frame are left out");
	TAP_EQ_INT(fw_ctree_walk(&ct, &v), 0, "an empty walk succeeds");
	TAP_OK(c.pushes == 0 && c.samples == 0, "and visits nothing");
	fw_ctree_free(&ct);
	fw_nodetab_free(&t);
	fw_profile_free(p);
}

int main(void)
{
	test_random();
	test_stop();
	test_empty();
	return tap_done();
}
