/*
 * keymap.c: byte-string keyed hash map (see keymap.h). Linear probing,
 * doubling at half load.
 */
#include "base/keymap.h"
#include "base/util.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

void fw_keymap_init(struct fw_keymap *m)
{
	memset(m, 0, sizeof(*m));
}

void fw_keymap_free(struct fw_keymap *m)
{
	free(m->slots);
	free(m->blob);
	memset(m, 0, sizeof(*m));
}

static int resize(struct fw_keymap *m, size_t ns)
{
	struct fw_keymap_slot *s = malloc(ns * sizeof(*s));

	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < ns; i++)
		s[i].val = UINT32_MAX;
	for (size_t i = 0; i < m->nslots; i++) {
		size_t h;
		if (m->slots[i].val == UINT32_MAX)
			continue;
		h = m->slots[i].hash & (ns - 1);
		while (s[h].val != UINT32_MAX)
			h = (h + 1) & (ns - 1);
		s[h] = m->slots[i];
	}
	free(m->slots);
	m->slots = s;
	m->nslots = ns;
	return 0;
}

int fw_keymap_upsert(struct fw_keymap *m, const void *key, size_t len, uint32_t val,
		     uint32_t *found_val)
{
	uint64_t hash = fw_hash_bytes(key, len, 0);
	size_t h;

	if ((m->count + 1) * 2 > m->nslots) {
		size_t ns = m->nslots ? m->nslots * 2 : 64;
		if (ns > SIZE_MAX / sizeof(*m->slots) || resize(m, ns) < 0)
			return -ENOMEM;
	}
	h = hash & (m->nslots - 1);
	while (m->slots[h].val != UINT32_MAX) {
		struct fw_keymap_slot *s = &m->slots[h];
		if (s->hash == hash && s->len == len && memcmp(m->blob + s->off, key, len) == 0) {
			*found_val = s->val;
			return 1;
		}
		h = (h + 1) & (m->nslots - 1);
	}
	if (len > UINT32_MAX || m->blob_len > UINT32_MAX - len ||
	    fw_grow((void **)&m->blob, &m->blob_cap, m->blob_len + len + 1, 1) < 0)
		return -ENOMEM;
	if (len)
		memcpy(m->blob + m->blob_len, key, len);
	m->slots[h].hash = hash;
	m->slots[h].off = (uint32_t)m->blob_len;
	m->slots[h].len = (uint32_t)len;
	m->slots[h].val = val;
	m->blob_len += len;
	m->count++;
	*found_val = val;
	return 0;
}

uint32_t fw_keymap_get(const struct fw_keymap *m, const void *key, size_t len)
{
	uint64_t hash;
	size_t h;

	if (!m->nslots)
		return UINT32_MAX;
	hash = fw_hash_bytes(key, len, 0);
	h = hash & (m->nslots - 1);
	while (m->slots[h].val != UINT32_MAX) {
		const struct fw_keymap_slot *s = &m->slots[h];
		if (s->hash == hash && s->len == len && memcmp(m->blob + s->off, key, len) == 0)
			return s->val;
		h = (h + 1) & (m->nslots - 1);
	}
	return UINT32_MAX;
}

/* ---- index set ---------------------------------------------------------- */

int fw_idxset_init(struct fw_idxset *s, size_t n, uint64_t (*hash)(const void *, uint32_t),
		   bool (*equal)(const void *, uint32_t, uint32_t), const void *ctx)
{
	size_t ns = 16;

	memset(s, 0, sizeof(*s));
	/* at most three quarters full: a profile's 300,000 samples take
	 * 2^19 slots of 8 bytes, not 2^20 of 12 */
	while (ns / 4 * 3 < n) {
		if (ns > SIZE_MAX / 16)
			return -ENOMEM;
		ns *= 2;
	}
	s->slots = calloc(ns, sizeof(*s->slots));
	if (!s->slots)
		return -ENOMEM;
	s->nslots = ns;
	s->hash = hash;
	s->equal = equal;
	s->ctx = ctx;
	return 0;
}

void fw_idxset_free(struct fw_idxset *s)
{
	free(s->slots);
	s->slots = NULL;
	s->nslots = s->count = 0;
}

/* A slot is chosen by the hash's low bits; its high half, the tag, is kept
 * beside the index (one cache line for both) to skip most unequal entries
 * without calling back. */
static inline uint32_t idxset_tag(uint64_t h)
{
	return (uint32_t)(h >> 32);
}

static void idxset_place(struct fw_idxset_slot *slots, size_t ns, struct fw_idxset_slot v,
			 size_t home)
{
	size_t i = home & (ns - 1);
	while (slots[i].idx1)
		i = (i + 1) & (ns - 1);
	slots[i] = v;
}

/* The slot of an entry equal to idx (*found), or the empty slot where idx
 * would go; h is idx's hash. */
static size_t idxset_probe(const struct fw_idxset *s, uint32_t idx, uint64_t h, bool *found)
{
	uint32_t tag = idxset_tag(h);
	size_t i = h & (s->nslots - 1);

	while (s->slots[i].idx1) {
		if (s->slots[i].tag == tag && s->equal(s->ctx, s->slots[i].idx1 - 1, idx)) {
			*found = true;
			return i;
		}
		i = (i + 1) & (s->nslots - 1);
	}
	*found = false;
	return i;
}

/* fw_idxset_canon with idx's hash h already computed. */
static int idxset_canon_h(struct fw_idxset *s, uint32_t idx, uint64_t h, uint32_t *canon)
{
	bool found;
	size_t i;

	if ((s->count + 1) * 4 > s->nslots * 3) {
		size_t ns = s->nslots * 2;
		struct fw_idxset_slot *slots = calloc(ns, sizeof(*slots));
		if (!slots)
			return -ENOMEM;
		/* the low bits are not kept: each entry's hash is computed again */
		for (size_t k = 0; k < s->nslots; k++)
			if (s->slots[k].idx1)
				idxset_place(slots, ns, s->slots[k],
					     (size_t)s->hash(s->ctx, s->slots[k].idx1 - 1));
		free(s->slots);
		s->slots = slots;
		s->nslots = ns;
	}
	i = idxset_probe(s, idx, h, &found);
	if (found) {
		*canon = s->slots[i].idx1 - 1;
		return 0;
	}
	s->slots[i].idx1 = idx + 1;
	s->slots[i].tag = idxset_tag(h);
	s->count++;
	*canon = idx;
	return 0;
}

bool fw_idxset_find(const struct fw_idxset *s, uint32_t idx, uint32_t *equal)
{
	bool found;
	size_t i = idxset_probe(s, idx, s->hash(s->ctx, idx), &found);

	if (found)
		*equal = s->slots[i].idx1 - 1;
	return found;
}

int fw_idxset_canon(struct fw_idxset *s, uint32_t idx, uint32_t *canon)
{
	return idxset_canon_h(s, idx, s->hash(s->ctx, idx), canon);
}

/* How many entries ahead hashes are computed: enough misses in flight to
 * hide most of a random slot's latency, few enough that the prefetched
 * lines are still cached when their turn comes. */
#define IDXSET_AHEAD 16

int fw_idxset_canon_all(struct fw_idxset *s, size_t n, uint32_t *canon)
{
	uint64_t ahead[IDXSET_AHEAD];
	int r;

	assert(n <= UINT32_MAX);
	for (size_t i = 0; i < n && i < IDXSET_AHEAD; i++) {
		ahead[i] = s->hash(s->ctx, (uint32_t)i);
		__builtin_prefetch(&s->slots[ahead[i] & (s->nslots - 1)]);
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t h = ahead[i % IDXSET_AHEAD];
		if (i + IDXSET_AHEAD < n) {
			uint64_t next = s->hash(s->ctx, (uint32_t)(i + IDXSET_AHEAD));
			ahead[i % IDXSET_AHEAD] = next;
			/* a hint only: a set that grows meanwhile probes afresh */
			__builtin_prefetch(&s->slots[next & (s->nslots - 1)]);
		}
		if ((r = idxset_canon_h(s, (uint32_t)i, h, &canon[i])) < 0)
			return r;
	}
	return 0;
}
