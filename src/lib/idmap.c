/*
 * idmap.c: id -> index map (see idmap.h). Fixed size, chosen up front from
 * the number of entries, so it never rehashes.
 */
#include "idmap.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int fw_idmap_init(struct fw_idmap *m, size_t n)
{
	size_t ns = 16;

	memset(m, 0, sizeof(*m));
	while (ns < n * 2) {
		if (ns > SIZE_MAX / 4)
			return -ENOMEM;
		ns *= 2;
	}
	m->keys = calloc(ns, sizeof(*m->keys));
	m->vals = calloc(ns, sizeof(*m->vals));
	if (!m->keys || !m->vals) {
		fw_idmap_free(m);
		return -ENOMEM;
	}
	m->nslots = ns;
	return 0;
}

void fw_idmap_free(struct fw_idmap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

int fw_idmap_put(struct fw_idmap *m, uint64_t id, uint32_t val)
{
	size_t h;

	if (id == 0)
		return -EINVAL;
	if ((m->count + 1) * 2 > m->nslots)
		return -ENOSPC;
	h = fw_hash_u64(id, 0) & (m->nslots - 1);
	while (m->keys[h]) {
		if (m->keys[h] == id)
			return -EEXIST;
		h = (h + 1) & (m->nslots - 1);
	}
	m->keys[h] = id;
	m->vals[h] = val;
	m->count++;
	return 0;
}

uint32_t fw_idmap_get(const struct fw_idmap *m, uint64_t id)
{
	size_t h;

	if (id == 0 || !m->nslots)
		return UINT32_MAX;
	h = fw_hash_u64(id, 0) & (m->nslots - 1);
	while (m->keys[h]) {
		if (m->keys[h] == id)
			return m->vals[h];
		h = (h + 1) & (m->nslots - 1);
	}
	return UINT32_MAX;
}
