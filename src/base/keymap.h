/*
 * keymap.h: a hash map from an arbitrary byte-string key to a uint32 value.
 * Used to deduplicate mappings, functions, locations and samples (merge) and
 * graph nodes (aggregation). Keys are copied into one blob.
 */
#ifndef FW_KEYMAP_H
#define FW_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fw_keymap_slot {
	uint64_t hash;
	uint32_t off, len;
	uint32_t val; /* UINT32_MAX = empty */
};

struct fw_keymap {
	struct fw_keymap_slot *slots;
	size_t nslots, count;
	unsigned char *blob;
	size_t blob_len, blob_cap;
};

void fw_keymap_init(struct fw_keymap *m);
void fw_keymap_free(struct fw_keymap *m);
/* Looks key up; if absent inserts it with value val. *found_val receives the
 * existing value, or val when inserted. Returns 1 if found, 0 if inserted,
 * -ENOMEM on failure. */
int fw_keymap_upsert(struct fw_keymap *m, const void *key, size_t len, uint32_t val,
		     uint32_t *found_val);
/* Returns the value or UINT32_MAX. */
uint32_t fw_keymap_get(const struct fw_keymap *m, const void *key, size_t len);


/*
 * An index set: a hash set of array indices whose keys live in the caller's
 * own arrays, compared through callbacks. Nothing is copied: a slot is an
 * index and the high half of its hash (8 bytes; at most three quarters of
 * the slots are used). Used to deduplicate a profile in place.
 */
struct fw_idxset_slot {
	uint32_t idx1; /* index + 1; 0 = empty */
	uint32_t tag;  /* the hash's high 32 bits (the low bits chose the slot) */
};
struct fw_idxset {
	struct fw_idxset_slot *slots;
	size_t nslots, count;
	uint64_t (*hash)(const void *ctx, uint32_t idx);
	bool (*equal)(const void *ctx, uint32_t a, uint32_t b);
	const void *ctx;
};

/* Sized for n entries; it grows past that. */
int fw_idxset_init(struct fw_idxset *s, size_t n, uint64_t (*hash)(const void *, uint32_t),
		   bool (*equal)(const void *, uint32_t, uint32_t), const void *ctx);
void fw_idxset_free(struct fw_idxset *s);
/* Returns in *canon the first index equal to idx already in the set, or
 * inserts idx and returns it. 0 or -ENOMEM. */
int fw_idxset_canon(struct fw_idxset *s, uint32_t idx, uint32_t *canon);
/* Is an entry equal to idx (which need not be in the set) there? Its index
 * in *equal if so; nothing is inserted. */
bool fw_idxset_find(const struct fw_idxset *s, uint32_t idx, uint32_t *equal);
/* canon[i] for every index 0..n-1 in turn, as fw_idxset_canon would give
 * them; hashes are computed a few entries ahead and their slots fetched
 * into the cache early, so a large set's misses overlap. 0 or -ENOMEM. */
int fw_idxset_canon_all(struct fw_idxset *s, size_t n, uint32_t *canon);

#endif
