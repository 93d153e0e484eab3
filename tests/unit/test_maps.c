/*
 * test_maps.c: the hash maps of src/base/idmap.c and src/base/keymap.c:
 * fw_idmap (proto id -> index), fw_keymap (byte string -> value) and
 * fw_idxset (index set compared through callbacks).
 */
#include "base/idmap.h"
#include "base/keymap.h"

#include "../tap.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- idmap ------------------------------------------------------------------ */

static void test_idmap_basic(void)
{
	struct fw_idmap m;

	if (!TAP_EQ_INT(fw_idmap_init(&m, 4), 0, "idmap init"))
		return;
	TAP_EQ_UINT(fw_idmap_get(&m, 7), UINT32_MAX, "absent id gives UINT32_MAX");
	TAP_EQ_INT(fw_idmap_put(&m, 7, 70), 0, "put 7");
	TAP_EQ_INT(fw_idmap_put(&m, 1, 10), 0, "put 1");
	TAP_EQ_INT(fw_idmap_put(&m, UINT64_MAX, 99), 0, "put UINT64_MAX");
	TAP_EQ_UINT(fw_idmap_get(&m, 7), 70, "get 7");
	TAP_EQ_UINT(fw_idmap_get(&m, 1), 10, "get 1");
	TAP_EQ_UINT(fw_idmap_get(&m, UINT64_MAX), 99, "get UINT64_MAX");
	TAP_EQ_UINT(fw_idmap_get(&m, 2), UINT32_MAX, "get 2 (absent)");
	TAP_EQ_UINT(m.count, 3, "three entries");
	/* value 0 is a value like any other */
	TAP_EQ_INT(fw_idmap_put(&m, 5, 0), 0, "put 5 -> 0");
	TAP_EQ_UINT(fw_idmap_get(&m, 5), 0, "value 0 is stored");
	fw_idmap_free(&m);
}

static void test_idmap_duplicate_zero(void)
{
	struct fw_idmap m;

	fw_idmap_init(&m, 0);
	TAP_EQ_INT(fw_idmap_put(&m, 42, 1), 0, "put 42");
	TAP_EQ_INT(fw_idmap_put(&m, 42, 2), -EEXIST, "a duplicate id is -EEXIST");
	TAP_EQ_UINT(fw_idmap_get(&m, 42), 1, "the first value is kept");
	TAP_EQ_UINT(m.count, 1, "the duplicate was not counted");
	TAP_EQ_INT(fw_idmap_put(&m, 0, 3), -EINVAL, "id 0 is -EINVAL");
	TAP_EQ_UINT(fw_idmap_get(&m, 0), UINT32_MAX, "id 0 is never found");
	TAP_EQ_UINT(m.count, 1, "id 0 was not counted");
	fw_idmap_free(&m);

	/* a zeroed, never initialised map answers "absent" */
	memset(&m, 0, sizeof(m));
	TAP_EQ_UINT(fw_idmap_get(&m, 1), UINT32_MAX, "get on an empty zeroed map");
}

static void test_idmap_growth(void)
{
	struct fw_idmap m;
	size_t bad = 0, missing = 0, dups = 0;
	size_t first_slots;

	fw_idmap_init(&m, 4);
	first_slots = m.nslots;
	/* sparse, large ids: multiples of a big odd number */
	for (uint32_t i = 0; i < 50000; i++)
		if (fw_idmap_put(&m, (uint64_t)(i + 1) * 0x9e3779b97f4aULL, i) != 0)
			bad++;
	TAP_EQ_UINT(bad, 0, "50000 puts into a map sized for 4");
	TAP_OK(m.nslots > first_slots, "the table grew (%zu -> %zu slots)", first_slots, m.nslots);
	TAP_OK(m.nslots >= 2 * m.count, "load stays at most one half");
	TAP_EQ_UINT(m.count, 50000, "count after growth");
	for (uint32_t i = 0; i < 50000; i++) {
		if (fw_idmap_get(&m, (uint64_t)(i + 1) * 0x9e3779b97f4aULL) != i)
			missing++;
		if (fw_idmap_put(&m, (uint64_t)(i + 1) * 0x9e3779b97f4aULL, 0) != -EEXIST)
			dups++;
	}
	TAP_EQ_UINT(missing, 0, "every id maps to its value after growth");
	TAP_EQ_UINT(dups, 0, "every id is still a duplicate after growth");
	TAP_EQ_UINT(fw_idmap_get(&m, 0x9e3779b97f4aULL + 1), UINT32_MAX, "an id never put is absent");
	fw_idmap_free(&m);
}

/* ---- keymap ------------------------------------------------------------------- */

static void test_keymap_basic(void)
{
	struct fw_keymap m;
	uint32_t v = 12345;

	fw_keymap_init(&m);
	TAP_EQ_UINT(fw_keymap_get(&m, "a", 1), UINT32_MAX, "get on an empty map");
	TAP_EQ_INT(fw_keymap_upsert(&m, "alpha", 5, 1, &v), 0, "upsert alpha inserts (0)");
	TAP_EQ_UINT(v, 1, "inserted value returned");
	TAP_EQ_INT(fw_keymap_upsert(&m, "alpha", 5, 2, &v), 1, "upsert alpha again finds it (1)");
	TAP_EQ_UINT(v, 1, "the existing value is returned, not the new one");
	TAP_EQ_UINT(fw_keymap_get(&m, "alpha", 5), 1, "get alpha");
	TAP_EQ_UINT(fw_keymap_get(&m, "alph", 4), UINT32_MAX, "a prefix is another key");
	TAP_EQ_UINT(fw_keymap_get(&m, "alphab", 6), UINT32_MAX, "a longer key is another key");
	/* the empty key and keys with NUL bytes */
	TAP_EQ_INT(fw_keymap_upsert(&m, "", 0, 7, &v), 0, "upsert the empty key");
	TAP_EQ_UINT(fw_keymap_get(&m, "", 0), 7, "get the empty key");
	TAP_EQ_INT(fw_keymap_upsert(&m, "x\0y", 3, 8, &v), 0, "upsert x\\0y");
	TAP_EQ_INT(fw_keymap_upsert(&m, "x\0z", 3, 9, &v), 0, "upsert x\\0z is a new key");
	TAP_EQ_UINT(fw_keymap_get(&m, "x\0y", 3), 8, "get x\\0y");
	TAP_EQ_UINT(fw_keymap_get(&m, "x\0z", 3), 9, "get x\\0z");
	TAP_EQ_UINT(fw_keymap_get(&m, "x", 1), UINT32_MAX, "x alone is absent");
	TAP_EQ_UINT(m.count, 4, "four keys");
	fw_keymap_free(&m);
}

static void test_keymap_many(void)
{
	struct fw_keymap m;
	char k[32];
	uint32_t v;
	size_t bad = 0, missing = 0, found = 0;

	fw_keymap_init(&m);
	for (uint32_t i = 0; i < 100000; i++) {
		int n = snprintf(k, sizeof(k), "key-%u", i);
		if (fw_keymap_upsert(&m, k, (size_t)n, i * 3, &v) != 0 || v != i * 3)
			bad++;
	}
	TAP_EQ_UINT(bad, 0, "100000 distinct keys inserted");
	TAP_EQ_UINT(m.count, 100000, "count");
	for (uint32_t i = 0; i < 100000; i++) {
		int n = snprintf(k, sizeof(k), "key-%u", i);
		if (fw_keymap_get(&m, k, (size_t)n) != i * 3)
			missing++;
		if (fw_keymap_upsert(&m, k, (size_t)n, 0, &v) != 1 || v != i * 3)
			found++;
	}
	TAP_EQ_UINT(missing, 0, "every key reads back its value after growth");
	TAP_EQ_UINT(found, 0, "every key upserts as found with its first value");
	TAP_EQ_UINT(m.count, 100000, "count unchanged by re-upserts");
	/* structured binary keys, as graph.c uses (structs with zero bytes) */
	{
		struct { uint32_t a, b; uint64_t c; } key;
		size_t wrong = 0;
		for (uint32_t i = 0; i < 1000; i++) {
			memset(&key, 0, sizeof(key));
			key.a = i % 7;
			key.b = i / 7;
			key.c = (uint64_t)i << 40;
			if (fw_keymap_upsert(&m, &key, sizeof(key), 1000000 + i, &v) != 0)
				wrong++;
		}
		for (uint32_t i = 0; i < 1000; i++) {
			memset(&key, 0, sizeof(key));
			key.a = i % 7;
			key.b = i / 7;
			key.c = (uint64_t)i << 40;
			if (fw_keymap_get(&m, &key, sizeof(key)) != 1000000 + i)
				wrong++;
		}
		TAP_EQ_UINT(wrong, 0, "binary struct keys");
	}
	fw_keymap_free(&m);
}

/* ---- idxset ------------------------------------------------------------------- */

struct words {
	const char *const *w;
};

static uint64_t word_hash(const void *ctx, uint32_t i)
{
	const struct words *c = ctx;
	uint64_t h = 1469598103934665603ULL;
	for (const char *s = c->w[i]; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* every index collides: the set must rely on equal() alone */
static uint64_t const_hash(const void *ctx, uint32_t i)
{
	(void)ctx;
	(void)i;
	return 42;
}

static bool word_equal(const void *ctx, uint32_t a, uint32_t b)
{
	const struct words *c = ctx;
	return strcmp(c->w[a], c->w[b]) == 0;
}

static void check_canon(uint64_t (*hash)(const void *, uint32_t), const char *what)
{
	static const char *const w[] = { "b", "a", "b", "c", "a", "a", "d", "c" };
	/* the first index holding each word */
	static const uint32_t want[] = { 0, 1, 0, 3, 1, 1, 6, 3 };
	struct words ctx = { w };
	struct fw_idxset s;
	size_t wrong = 0;

	if (!TAP_EQ_INT(fw_idxset_init(&s, 8, hash, word_equal, &ctx), 0, "idxset init (%s)", what))
		return;
	for (uint32_t i = 0; i < 8; i++) {
		uint32_t c = UINT32_MAX;
		if (fw_idxset_canon(&s, i, &c) != 0 || c != want[i]) {
			TAP_DIAG("%s: canon(%u) = %u, want %u", what, i, c, want[i]);
			wrong++;
		}
	}
	TAP_EQ_UINT(wrong, 0, "canon gives the first equal index (%s)", what);
	TAP_EQ_UINT(s.count, 4, "four distinct words stored (%s)", what);
	/* asking again for an index already canonical returns it */
	{
		uint32_t c = UINT32_MAX;
		fw_idxset_canon(&s, 6, &c);
		TAP_EQ_UINT(c, 6, "a stored index is its own canon (%s)", what);
		TAP_EQ_UINT(s.count, 4, "and is not stored twice (%s)", what);
	}
	fw_idxset_free(&s);
	TAP_OK(s.slots == NULL && s.count == 0, "free clears the set (%s)", what);
}

/* Many entries, sized for 0, with a custom hash, then a constant hash. */
static const char *many[3000];
static char many_buf[3000][16];

static void check_growth(uint64_t (*hash)(const void *, uint32_t), uint32_t n, const char *what)
{
	struct words ctx = { many };
	struct fw_idxset s;
	size_t wrong = 0;

	/* entry i holds word i % 100: canon is i % 100 */
	for (uint32_t i = 0; i < n; i++) {
		snprintf(many_buf[i], sizeof(many_buf[i]), "w%u", i % 100);
		many[i] = many_buf[i];
	}
	fw_idxset_init(&s, 0, hash, word_equal, &ctx);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t c = UINT32_MAX;
		if (fw_idxset_canon(&s, i, &c) != 0 || c != i % 100)
			wrong++;
	}
	TAP_EQ_UINT(wrong, 0, "%u entries, 100 distinct, grown from 0 (%s)", n, what);
	TAP_EQ_UINT(s.count, 100, "100 entries stored (%s)", what);
	TAP_OK(s.nslots >= 200, "set grew to at least 200 slots (%s: %zu)", what, s.nslots);
	fw_idxset_free(&s);
}

int main(void)
{
	test_idmap_basic();
	test_idmap_duplicate_zero();
	test_idmap_growth();
	test_keymap_basic();
	test_keymap_many();
	check_canon(word_hash, "word hash");
	check_canon(const_hash, "constant hash");
	check_growth(word_hash, 3000, "word hash");
	check_growth(const_hash, 1000, "constant hash");
	return tap_done();
}
