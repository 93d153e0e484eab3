/*
 * attribute.c: each sample charged to its nearest application frame (see
 * attribute.h). Generalises what process.c's contention facts did: one
 * walk, keyed by (function, call below it, leaf, check label).
 */
#include "investigate/attribute.h"
#include "base/keymap.h"
#include "investigate/components.h"
#include "investigate/process.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The labels that name a check, most specific first: datadog-agent's
 * PythonCheck.runCheck sets `check_id` ("<name>:<digest>"). */
static const char *const check_keys[] = { "check_id", "check_name", "check" };

void fw_check_name(const char *label, char *out, size_t len)
{
	const char *colon = strchr(label, ':');
	size_t n = colon ? (size_t)(colon - label) : strlen(label);

	if (n == 0) /* ":x": no name before the colon, keep the whole value */
		n = strlen(label);
	if (n >= len)
		n = len - 1;
	memcpy(out, label, n);
	out[n] = 0;
}

/* The string index of the sample's check label, or 0 (the empty string). */
static uint32_t check_label(const struct fw_profile *p, const struct fw_sample *sm)
{
	for (size_t k = 0; k < sizeof(check_keys) / sizeof(check_keys[0]); k++)
		for (uint32_t i = 0; i < sm->n_labels; i++) {
			const struct fw_label *l = &p->labels[sm->first_label + i];
			if (l->str && strcmp(fw_pstr(p, l->key), check_keys[k]) == 0 && fw_pstr(p, l->str)[0])
				return l->str;
		}
	return 0;
}

struct key {
	uint32_t fn, via, leaf, check, outermost;
};

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int cmp_path(const void *x, const void *y)
{
	const struct fw_attr_path *a = x, *b = y;
	int c;

	if (a->value != b->value)
		return a->value > b->value ? -1 : 1;
	if ((c = cmp_str(a->fn, b->fn)) || (c = cmp_str(a->check, b->check)) || (c = cmp_str(a->via, b->via)))
		return c;
	return cmp_str(a->leaf, b->leaf);
}

int fw_attribute(const struct fw_report *r, struct fw_attribution *a, struct fw_error *err)
{
	const struct fw_profile *p = r->p;
	const struct fw_nodetab *t = &r->tab;
	struct fw_keymap km;
	struct key *keys = NULL;
	size_t cap = 0, kcap = 0, n = 0;
	int64_t abs_sum = 0;

	memset(a, 0, sizeof(*a));
	fw_keymap_init(&km);
	for (size_t s = 0; s < p->n_samples; s++) {
		const struct fw_sample *sm = &p->samples[s];
		int64_t w = fw_sample_values(p, s)[r->vi], c = fw_sample_values(p, s)[0];
		struct key k = { FW_NONE, FW_NONE, FW_NONE, 0, 1 };
		uint32_t prev = FW_NONE, slot;
		int ins;

		if (w == 0 && c == 0)
			continue;
		/* no sum below can wrap while the sum of |w| fits in an int64 */
		if (w == INT64_MIN || __builtin_add_overflow(abs_sum, w < 0 ? -w : w, &abs_sum))
			a->overflow = true;
		a->total = fw_add64(a->total, w);
		for (uint32_t i = 0; i < sm->n_locs && k.outermost; i++) {
			uint32_t loc = p->sample_locs[sm->first_loc + i];
			for (uint32_t j = 0; j < t->loc_count[loc]; j++) {
				uint32_t node = t->loc_nodes[t->loc_first[loc] + j];
				bool app = !fw_is_runtime_function(fw_node_name(t, node));
				if (k.leaf == FW_NONE)
					k.leaf = node;
				if (app && k.fn != FW_NONE) {
					k.outermost = 0; /* an application caller above fn */
					break;
				}
				if (app) {
					k.fn = node;
					k.via = prev;
				}
				prev = node;
			}
		}
		if (k.fn == FW_NONE) {
			/* a path all the same (fn NULL), for its leaf */
			a->unattributed = fw_add64(a->unattributed, w);
			a->unattributed_count = fw_add64(a->unattributed_count, c);
			k.via = FW_NONE;
			k.outermost = 0;
		} else if (fw_is_python_check_frame(fw_node_name(t, k.fn)))
			k.check = check_label(p, sm);
		ins = fw_keymap_upsert(&km, &k, sizeof(k), (uint32_t)n, &slot);
		if (ins < 0)
			goto oom;
		if (ins == 0) {
			if (fw_grow((void **)&a->paths, &cap, n + 1, sizeof(*a->paths)) < 0 ||
			    fw_grow((void **)&keys, &kcap, n + 1, sizeof(*keys)) < 0)
				goto oom;
			keys[n] = k;
			memset(&a->paths[n], 0, sizeof(a->paths[n]));
			a->paths[n].fn = k.fn != FW_NONE ? fw_node_name(t, k.fn) : NULL;
			a->paths[n].via = k.via != FW_NONE ? fw_node_name(t, k.via) : NULL;
			a->paths[n].leaf = k.leaf != FW_NONE ? fw_node_name(t, k.leaf) : NULL;
			a->paths[n].check = k.check ? fw_pstr(p, k.check) : NULL;
			a->paths[n].python = a->paths[n].fn && fw_is_python_check_frame(a->paths[n].fn);
			a->paths[n].outermost = k.outermost;
			n++;
			a->n_paths = n;
		}
		a->paths[slot].value = fw_add64(a->paths[slot].value, w);
		a->paths[slot].count = fw_add64(a->paths[slot].count, c);
	}
	fw_keymap_free(&km);
	free(keys);
	if (n)
		qsort(a->paths, n, sizeof(*a->paths), cmp_path);
	return 0;
oom:
	fw_keymap_free(&km);
	free(keys);
	fw_attribution_free(a);
	return fw_err(err, -ENOMEM, "out of memory attributing samples");
}

void fw_attribution_free(struct fw_attribution *a)
{
	free(a->paths);
	memset(a, 0, sizeof(*a));
}

static int cmp_fn(const void *x, const void *y)
{
	const struct fw_attr_fn *a = x, *b = y;
	int c;

	if (a->value != b->value)
		return a->value > b->value ? -1 : 1;
	if ((c = cmp_str(a->fn, b->fn)))
		return c;
	return cmp_str(a->check, b->check);
}

int fw_attribution_by_function(const struct fw_attribution *a, struct fw_attr_fn **out, size_t *n_out,
			       struct fw_error *err)
{
	struct fw_attr_fn *rows = NULL;
	int64_t *best = NULL; /* the value of each row's `via` path */
	struct fw_keymap km;
	struct fw_buf key;
	size_t n = 0;

	*out = NULL;
	*n_out = 0;
	if (a->n_paths == 0)
		return 0;
	fw_keymap_init(&km);
	fw_buf_init(&key);
	rows = calloc(a->n_paths, sizeof(*rows));
	best = calloc(a->n_paths, sizeof(*best));
	if (!rows || !best)
		goto oom;
	for (size_t i = 0; i < a->n_paths; i++) {
		const struct fw_attr_path *pa = &a->paths[i];
		uint32_t j;
		int ins;

		if (!pa->fn)
			continue; /* no application frame */
		/* the key: the function's name, a NUL, the check's (or none) */
		key.len = 0;
		fw_buf_putn(&key, pa->fn, strlen(pa->fn) + 1);
		if (pa->check)
			fw_buf_putn(&key, pa->check, strlen(pa->check) + 1);
		if (key.failed || (ins = fw_keymap_upsert(&km, key.data, key.len, (uint32_t)n, &j)) < 0)
			goto oom;
		if (ins == 0) {
			rows[n].fn = pa->fn;
			rows[n].check = pa->check;
			rows[n].python = pa->python;
			rows[n].via = pa->via;
			best[n] = pa->value;
			n++;
		} else if (pa->value > best[j]) {
			rows[j].via = pa->via;
			best[j] = pa->value;
		}
		rows[j].value = fw_add64(rows[j].value, pa->value);
		rows[j].count = fw_add64(rows[j].count, pa->count);
	}
	fw_keymap_free(&km);
	fw_buf_free(&key);
	free(best);
	qsort(rows, n, sizeof(*rows), cmp_fn);
	*out = rows;
	*n_out = n;
	return 0;
oom:
	fw_keymap_free(&km);
	fw_buf_free(&key);
	free(rows);
	free(best);
	return fw_err(err, -ENOMEM, "out of memory attributing samples");
}
