/*
 * src/base/u64map.c -- see u64map.h.
 */
#include "base/u64map.h"
#include "base/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int fw_u64map_find(struct fw_u64map *m, uint64_t key, uint32_t new_val, uint32_t *out)
{
	size_t h;

	if ((m->count + 1) * 2 > m->nslots) {
		size_t ns = m->nslots ? m->nslots * 2 : 256;
		uint64_t *k = calloc(ns, sizeof(*k));
		uint32_t *v = calloc(ns, sizeof(*v));
		if (!k || !v) {
			free(k);
			free(v);
			return -ENOMEM;
		}
		for (size_t i = 0; i < m->nslots; i++) {
			if (!m->keys[i])
				continue;
			size_t j = fw_hash_u64(m->keys[i], 0) & (ns - 1);
			while (k[j])
				j = (j + 1) & (ns - 1);
			k[j] = m->keys[i];
			v[j] = m->vals[i];
		}
		free(m->keys);
		free(m->vals);
		m->keys = k;
		m->vals = v;
		m->nslots = ns;
	}
	h = fw_hash_u64(key, 0) & (m->nslots - 1);
	while (m->keys[h]) {
		if (m->keys[h] == key) {
			*out = m->vals[h];
			return 1;
		}
		h = (h + 1) & (m->nslots - 1);
	}
	m->keys[h] = key;
	m->vals[h] = new_val;
	m->count++;
	*out = new_val;
	return 0;
}

void fw_u64map_free(struct fw_u64map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}
