/*
 * calltree.h: pprof's call tree (internal/graph's newTree) walked depth
 * first, one node at a time, without being built.
 *
 * A tree node is a call path from a root: the node table indices of a
 * sample's frames, outermost first, up to some depth (report.c applied the
 * granularity). The samples are grouped once so that each path's samples
 * lie together; a walk then visits them in that order and holds only the
 * current path. large.cpu's tree has 425,051 nodes for 20,362 samples:
 * what -dot -call_tree keeps of it after trimming is a few hundred.
 */
#ifndef FW_CALLTREE_H
#define FW_CALLTREE_H

#include <stdbool.h>

#include "pprof/graph.h"

/* A node on the current path. Its values are complete when it is popped. */
struct fw_ctree_node {
	uint32_t info;	/* node table index */
	uint32_t first; /* the first sample, in profile order, through it: pprof
			 * creates the tree's nodes in (first, depth) order */
	int64_t flat, flat_div, cum, cum_div;
	bool inl;	/* pprof's Inline of the edge from its parent: the frame is
			 * an inlined line in every sample through it */
};

struct fw_ctree {
	const struct fw_profile *p;
	const struct fw_nodetab *t;
	size_t vi; /* the value shown */
	bool mean; /* divisors are value 0 (-mean) */
	uint32_t *ord; /* the samples with a value and a frame, grouped by path */
	size_t n;
	uint32_t max_depth; /* the longest path */
};

/* The walk's calls. path[0..depth] is the current path; a call's node is
 * path[depth]. A negative return ends the walk with that value. */
struct fw_ctree_visit {
	int (*push)(void *u, const struct fw_ctree_node *path, uint32_t depth);
	int (*pop)(void *u, const struct fw_ctree_node *path, uint32_t depth);
	/* sample s (weights w, dw) ends at path[depth]; its values are added */
	int (*sample)(void *u, const struct fw_ctree_node *path, uint32_t depth, size_t s, int64_t w,
		      int64_t dw);
	void *u;
};

/* Groups the samples of p by path. -ENOMEM or 0. */
int fw_ctree_init(struct fw_ctree *ct, const struct fw_profile *p, const struct fw_nodetab *t, size_t vi,
		  bool mean);
/* Visits the tree. Each node is pushed and popped once, parents before
 * their children, in the same order on every walk. */
int fw_ctree_walk(const struct fw_ctree *ct, const struct fw_ctree_visit *v);
void fw_ctree_free(struct fw_ctree *ct);

#endif
