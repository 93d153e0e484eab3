/*
 * idmap.c: id -> index map (see idmap.h). Sized up front from the expected
 * number of entries; doubles when half full.
 */
#include "base/idmap.h"
#include "base/util.h"

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

static int grow(struct fw_idmap *m)
{
	struct fw_idmap n;
	int r;

	if ((r = fw_idmap_init(&n, m->nslots)) < 0)
		return r;
	for (size_t i = 0; i < m->nslots; i++)
		if (m->keys[i] && (r = fw_idmap_put(&n, m->keys[i], m->vals[i])) < 0) {
			fw_idmap_free(&n);
			return r;
		}
	fw_idmap_free(m);
	*m = n;
	return 0;
}

int fw_idmap_put(struct fw_idmap *m, uint64_t id, uint32_t val)
{
	size_t h;
	int r;

	if (id == 0)
		return -EINVAL;
	if ((m->count + 1) * 2 > m->nslots && (r = grow(m)) < 0)
		return r;
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
