/*
 * idmap.h: an open-addressing map from a proto id (uint64, non-zero) to an
 * array index, used to resolve references while decoding and merging.
 */
#ifndef FW_IDMAP_H
#define FW_IDMAP_H

#include <stddef.h>
#include <stdint.h>

struct fw_idmap {
	uint64_t *keys; /* 0 = empty slot */
	uint32_t *vals;
	size_t nslots, count;
};

/* Sized for n entries (it grows past that); returns 0 or -ENOMEM. */
int fw_idmap_init(struct fw_idmap *m, size_t n);
void fw_idmap_free(struct fw_idmap *m);
/* Adds id -> val. Returns 0, -EEXIST if id is present, -EINVAL for id 0,
 * -ENOMEM. */
int fw_idmap_put(struct fw_idmap *m, uint64_t id, uint32_t val);
/* Returns the index for id, or UINT32_MAX when absent. */
uint32_t fw_idmap_get(const struct fw_idmap *m, uint64_t id);

#endif
