/*
 * calltree.c: the call tree walked depth first (see calltree.h).
 *
 * Grouping is a most-significant-first radix sort on the paths: a range of
 * samples that share the first d frames is sorted by frame d, and each run
 * of three or more that share it is sorted again on frame d + 1. Each
 * sample keeps a cursor on its next frame, so no frame is read twice.
 */
#include "pprof/calltree.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The frames of a sample from its root: locations taken, lines left in
 * the last one taken. */
struct cursor {
	uint32_t k, left;
};

/* The next frame's node, or FW_NONE at the sample's end. *inl: the frame is
 * not its location's outermost line. */
static uint32_t next_frame(const struct fw_ctree *ct, const struct fw_sample *sm, struct cursor *cu,
			   bool *inl)
{
	const struct fw_nodetab *t = ct->t;
	uint32_t loc;

	while (cu->left == 0) {
		if (cu->k == sm->n_locs)
			return FW_NONE;
		cu->k++;
		cu->left = t->loc_count[ct->p->sample_locs[sm->first_loc + sm->n_locs - cu->k]];
	}
	loc = ct->p->sample_locs[sm->first_loc + sm->n_locs - cu->k];
	cu->left--;
	*inl = cu->left != t->loc_count[loc] - 1;
	return t->loc_nodes[t->loc_first[loc] + cu->left];
}

static void weights(const struct fw_ctree *ct, size_t s, int64_t *w, int64_t *dw)
{
	const int64_t *v = fw_sample_values(ct->p, s);
	*w = v[ct->vi];
	*dw = ct->mean ? v[0] : 0;
}

/* Each sample's cursor: 4 bytes (k << 8 | left) when every location has
 * fewer than 256 lines and every sample fewer than 2^24 locations, as in
 * every real profile; else 8. */
struct cursors {
	uint32_t *small;
	struct cursor *big;
};

static struct cursor cursor_get(const struct cursors *cs, uint32_t s)
{
	if (cs->big)
		return cs->big[s];
	return (struct cursor){ cs->small[s] >> 8, cs->small[s] & 0xff };
}

static void cursor_set(struct cursors *cs, uint32_t s, struct cursor cu)
{
	if (cs->big)
		cs->big[s] = cu;
	else
		cs->small[s] = cu.k << 8 | cu.left;
}

static uint64_t xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

#define PAIR(i) ((uint64_t)key[i] << 32 | ord[i])

static void swap_pair(uint32_t *key, uint32_t *ord, size_t i, size_t j)
{
	uint32_t k = key[i], o = ord[i];
	key[i] = key[j];
	ord[i] = ord[j];
	key[j] = k;
	ord[j] = o;
}

static void sift_down(uint32_t *key, uint32_t *ord, size_t i, size_t n)
{
	for (size_t c; (c = 2 * i + 1) < n; i = c) {
		if (c + 1 < n && PAIR(c + 1) > PAIR(c))
			c++;
		if (PAIR(i) >= PAIR(c))
			return;
		swap_pair(key, ord, i, c);
	}
}

static void heap_sort(uint32_t *key, uint32_t *ord, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(key, ord, i, n);
	for (size_t i = n; i-- > 1;) {
		swap_pair(key, ord, 0, i);
		sift_down(key, ord, 0, i);
	}
}

/* Sorts the pairs (key[i], ord[i]), all distinct, in place with no
 * scratch array of the samples' size: an introsort. Pivots are the median
 * of three places drawn from *seed (a fixed median of three is quadratic
 * on the runs that grouping meets); past 2 log2 n levels, a heap sort. */
static void sort_pairs(uint32_t *key, uint32_t *ord, size_t n, unsigned levels, uint64_t *seed)
{
	while (n > 12) {
		uint64_t a, b, c, piv;
		size_t i = 0, j = n - 1;

		if (levels-- == 0) {
			heap_sort(key, ord, n);
			return;
		}
		i = (size_t)(xorshift(seed) % n);
		a = PAIR(i);
		i = (size_t)(xorshift(seed) % n);
		b = PAIR(i);
		i = (size_t)(xorshift(seed) % n);
		c = PAIR(i);
		i = 0;
		piv = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
		for (;;) {
			while (PAIR(i) < piv)
				i++;
			while (PAIR(j) > piv)
				j--;
			if (i >= j)
				break;
			swap_pair(key, ord, i++, j--);
		}
		/* [0, j] <= piv <= [j + 1, n), both sides non-empty */
		if (j + 1 < n - j - 1) {
			sort_pairs(key, ord, j + 1, levels, seed);
			key += j + 1;
			ord += j + 1;
			n -= j + 1;
		} else {
			sort_pairs(key + j + 1, ord + j + 1, n - j - 1, levels, seed);
			n = j + 1;
		}
	}
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && PAIR(j - 1) > PAIR(j); j--)
			swap_pair(key, ord, j - 1, j);
}

struct range {
	size_t a, b;
};

/* Sorts ord[a, b), samples whose cursors stand at the same depth, by their
 * next frame, and pushes each run of three or more that has one (two
 * samples lie together whatever their order). key: the scratch keys, as
 * long as ord. */
static int group(struct fw_ctree *ct, struct cursors *cs, uint32_t *key, size_t a, size_t b,
		 struct range **st, size_t *n_st, size_t *cap_st)
{
	const struct fw_profile *p = ct->p;
	uint32_t *ord = ct->ord + a;
	size_t n = b - a;
	bool inl;

	key += a;
	for (size_t i = 0; i < n; i++) {
		struct cursor cu = cursor_get(cs, ord[i]);
		/* a sample that ends here sorts first: FW_NONE + 1 is 0 */
		key[i] = next_frame(ct, &p->samples[ord[i]], &cu, &inl) + 1;
		cursor_set(cs, ord[i], cu);
	}
	unsigned levels = 0;
	uint64_t seed = 0x9e3779b97f4a7c15u;
	for (size_t m = n; m > 1; m >>= 1)
		levels += 2;
	sort_pairs(key, ord, n, levels, &seed);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && key[j] == key[i]; j++)
			;
		if (key[i] == 0 || j - i < 3)
			continue;
		if (fw_grow((void **)st, cap_st, *n_st + 1, sizeof(struct range)) < 0)
			return -ENOMEM;
		(*st)[(*n_st)++] = (struct range){ a + i, a + j };
	}
	return 0;
}

int fw_ctree_init(struct fw_ctree *ct, const struct fw_profile *p, const struct fw_nodetab *t, size_t vi,
		  bool mean)
{
	struct cursors cs = { NULL, NULL };
	uint32_t *key = NULL, max_lines = 0, max_locs = 0;
	struct range *st = NULL;
	size_t n_st = 0, cap_st = 0;
	int r = -ENOMEM;

	memset(ct, 0, sizeof(*ct));
	ct->p = p;
	ct->t = t;
	ct->vi = vi;
	ct->mean = mean;
	ct->ord = malloc((p->n_samples + 1) * sizeof(uint32_t));
	if (!ct->ord)
		goto out;
	for (size_t s = 0; s < p->n_samples; s++) {
		const struct fw_sample *sm = &p->samples[s];
		uint64_t len = 0;
		int64_t w, dw;

		weights(ct, s, &w, &dw);
		if (w == 0 && dw == 0)
			continue;
		for (uint32_t i = 0; i < sm->n_locs; i++) {
			uint32_t lines = t->loc_count[p->sample_locs[sm->first_loc + i]];
			len += lines;
			if (lines > max_lines)
				max_lines = lines;
		}
		if (len == 0)
			continue;
		if (len >= UINT32_MAX) {
			r = -E2BIG;
			goto out;
		}
		if (len > ct->max_depth)
			ct->max_depth = (uint32_t)len;
		if (sm->n_locs > max_locs)
			max_locs = sm->n_locs;
		ct->ord[ct->n++] = (uint32_t)s;
	}
	if (max_lines < 256 && max_locs < (1u << 24))
		cs.small = calloc(p->n_samples + 1, sizeof(uint32_t));
	else
		cs.big = calloc(p->n_samples + 1, sizeof(struct cursor));
	key = malloc((ct->n + 1) * sizeof(uint32_t));
	if ((!cs.small && !cs.big) || !key)
		goto out;
	if (ct->n > 1) {
		if (fw_grow((void **)&st, &cap_st, 1, sizeof(struct range)) < 0)
			goto out;
		st[n_st++] = (struct range){ 0, ct->n };
	}
	while (n_st > 0) {
		struct range g = st[--n_st];
		if ((r = group(ct, &cs, key, g.a, g.b, &st, &n_st, &cap_st)) < 0)
			goto out;
	}
	r = 0;
out:
	free(cs.small);
	free(cs.big);
	free(key);
	free(st);
	if (r < 0)
		fw_ctree_free(ct);
	return r;
}

/* A sample's frames from its root, and whether each is an inlined line. */
static uint32_t frames(const struct fw_ctree *ct, const struct fw_sample *sm, uint32_t *info, bool *inl)
{
	const struct fw_nodetab *t = ct->t;
	const uint32_t *locs = ct->p->sample_locs + sm->first_loc;
	uint32_t len = 0;

	for (uint32_t i = sm->n_locs; i-- > 0;) {
		uint32_t loc = locs[i], one = t->loc_node1[loc];
		if (one != FW_NONE) {
			info[len] = one;
			inl[len++] = false;
			continue;
		}
		for (uint32_t li = t->loc_count[loc]; li-- > 0;) {
			info[len] = t->loc_nodes[t->loc_first[loc] + li];
			inl[len++] = li != t->loc_count[loc] - 1;
		}
	}
	return len;
}

int fw_ctree_walk(const struct fw_ctree *ct, const struct fw_ctree_visit *v)
{
	const struct fw_profile *p = ct->p;
	struct fw_ctree_node *path = calloc((size_t)ct->max_depth + 1, sizeof(*path));
	uint32_t *info = malloc(((size_t)ct->max_depth + 1) * sizeof(uint32_t));
	bool *inl = malloc((size_t)ct->max_depth + 1);
	uint32_t depth = 0; /* nodes on the path */
	int r = -ENOMEM;

	if (!path || !info || !inl)
		goto out;
	for (size_t k = 0; k < ct->n; k++) {
		uint32_t s = ct->ord[k], len, same = 0;
		int64_t w, dw;

		len = frames(ct, &p->samples[s], info, inl);
		while (same < depth && same < len && path[same].info == info[same])
			same++;
		while (depth > same)
			if ((r = v->pop(v->u, path, --depth)) < 0)
				goto out;
		for (; depth < len; depth++) {
			path[depth] = (struct fw_ctree_node){ .info = info[depth], .first = s, .inl = true };
			if ((r = v->push(v->u, path, depth)) < 0)
				goto out;
		}
		weights(ct, s, &w, &dw);
		for (uint32_t d = 0; d < len; d++) {
			struct fw_ctree_node *n = &path[d];
			n->cum = fw_add64(n->cum, w);
			n->cum_div = fw_add64(n->cum_div, dw);
			n->inl = n->inl && inl[d];
			if (s < n->first)
				n->first = s;
		}
		path[len - 1].flat = fw_add64(path[len - 1].flat, w);
		path[len - 1].flat_div = fw_add64(path[len - 1].flat_div, dw);
		if ((r = v->sample(v->u, path, len - 1, s, w, dw)) < 0)
			goto out;
	}
	while (depth > 0)
		if ((r = v->pop(v->u, path, --depth)) < 0)
			goto out;
	r = 0;
out:
	free(path);
	free(info);
	free(inl);
	return r;
}

void fw_ctree_free(struct fw_ctree *ct)
{
	free(ct->ord);
	ct->ord = NULL;
	ct->n = 0;
}
