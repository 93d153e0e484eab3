/*
 * keymap.h: a hash map from an arbitrary byte-string key to a uint32 value.
 * Used to deduplicate mappings, functions, locations and samples (merge) and
 * graph nodes (aggregation). Keys are copied into one blob.
 */
#ifndef FW_KEYMAP_H
#define FW_KEYMAP_H

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

#endif
