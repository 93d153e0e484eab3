/*
 * strtab.c: the string table behind every profile (see strtab.h).
 */
#include "base/strtab.h"
#include "base/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int fw_strtab_init(struct fw_strtab *t)
{
	uint32_t idx;

	memset(t, 0, sizeof(*t));
	return fw_strtab_add(t, "", 0, &idx);
}

void fw_strtab_free(struct fw_strtab *t)
{
	free(t->blob);
	free(t->off);
	free(t->len);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

static int rehash(struct fw_strtab *t, size_t nslots)
{
	uint32_t *slots = calloc(nslots, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < t->n; i++) {
		size_t h = fw_hash_bytes(fw_str(t, (uint32_t)i), t->len[i], 0) & (nslots - 1);
		while (slots[h])
			h = (h + 1) & (nslots - 1);
		slots[h] = (uint32_t)i + 1;
	}
	free(t->slots);
	t->slots = slots;
	t->nslots = nslots;
	return 0;
}

int fw_strtab_add(struct fw_strtab *t, const char *s, size_t n, uint32_t *idx)
{
	size_t cap_off = t->cap, cap_len = t->cap;

	if (t->n >= UINT32_MAX || n >= UINT32_MAX - t->blob_len - 1)
		return -E2BIG;
	if (fw_grow((void **)&t->blob, &t->blob_cap, t->blob_len + n + 1, 1) < 0 ||
	    fw_grow((void **)&t->off, &cap_off, t->n + 1, sizeof(uint32_t)) < 0 ||
	    fw_grow((void **)&t->len, &cap_len, t->n + 1, sizeof(uint32_t)) < 0)
		return -ENOMEM;
	/* off and len grow in step; a failure between them leaves the larger
	 * capacity unused, which is harmless. */
	t->cap = cap_off < cap_len ? cap_off : cap_len;
	if (n)
		memcpy(t->blob + t->blob_len, s, n);
	t->blob[t->blob_len + n] = 0;
	t->off[t->n] = (uint32_t)t->blob_len;
	t->len[t->n] = (uint32_t)n;
	t->blob_len += n + 1;
	*idx = (uint32_t)t->n++;
	/* Keep the intern table, once built, in step with added strings. An
	 * equal string already there stays the one intern returns. */
	if (t->nslots) {
		size_t h;
		if (t->n * 2 > t->nslots)
			return rehash(t, t->nslots * 2);
		h = fw_hash_bytes(s, n, 0) & (t->nslots - 1);
		while (t->slots[h])
			h = (h + 1) & (t->nslots - 1);
		t->slots[h] = *idx + 1;
	}
	return 0;
}

int fw_strtab_intern(struct fw_strtab *t, const char *s, size_t n, uint32_t *idx)
{
	size_t h;
	int r;

	if (n == 0) {
		*idx = 0;
		return 0;
	}
	if ((t->n + 1) * 2 > t->nslots) {
		size_t ns = t->nslots ? t->nslots : 64;
		while ((t->n + 1) * 2 > ns)
			ns *= 2;
		if ((r = rehash(t, ns)) < 0)
			return r;
	}
	h = fw_hash_bytes(s, n, 0) & (t->nslots - 1);
	while (t->slots[h]) {
		uint32_t i = t->slots[h] - 1;
		if (t->len[i] == n && memcmp(fw_str(t, i), s, n) == 0) {
			*idx = i;
			return 0;
		}
		h = (h + 1) & (t->nslots - 1);
	}
	/* Capacity was ensured above: add() takes the empty slot found. */
	return fw_strtab_add(t, s, n, idx);
}

void fw_strtab_drop_index(struct fw_strtab *t)
{
	free(t->slots);
	t->slots = NULL;
	t->nslots = 0;
}

void fw_strtab_shrink(struct fw_strtab *t)
{
	char *b;
	uint32_t *o, *l;

	if (t->blob_len && (b = realloc(t->blob, t->blob_len)) != NULL) {
		t->blob = b;
		t->blob_cap = t->blob_len;
	}
	if (t->n && (o = realloc(t->off, t->n * sizeof(*o))) != NULL)
		t->off = o;
	if (t->n && (l = realloc(t->len, t->n * sizeof(*l))) != NULL)
		t->len = l;
	if (t->n)
		t->cap = t->n;
}
