/*
 * src/base/u64map.h -- a map from nonzero 64-bit keys to 32-bit values:
 * open addressing, linear probing, at most half full. The pprof engine
 * keys nodes and edges ((src+1)<<32 | (dst+1)) with it.
 */
#ifndef FW_BASE_U64MAP_H
#define FW_BASE_U64MAP_H

#include <stddef.h>
#include <stdint.h>

struct fw_u64map {
	uint64_t *keys; /* 0: empty slot */
	uint32_t *vals;
	size_t nslots, count;
};

/* Looks key (nonzero) up: returns 1 with *out its value, or inserts it
 * with new_val and returns 0 with *out = new_val; -ENOMEM when growing
 * failed (the map is unchanged). A zeroed struct is an empty map. */
int fw_u64map_find(struct fw_u64map *m, uint64_t key, uint32_t new_val, uint32_t *out);
void fw_u64map_free(struct fw_u64map *m);

#endif
