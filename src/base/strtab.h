/*
 * strtab.h: a profile's string table. Strings are referred to by index, as
 * in profile.proto; index 0 is always "". Strings live in one blob, so a
 * large table costs its bytes plus four bytes of offset per string.
 */
#ifndef FW_STRTAB_H
#define FW_STRTAB_H

#include <stddef.h>
#include <stdint.h>

struct fw_strtab {
	char *blob;
	size_t blob_len, blob_cap;
	uint32_t *off; /* off[i] = start of string i in blob */
	uint32_t *len; /* len[i] = its length (strings may hold NUL bytes) */
	size_t n, cap;
	uint32_t *slots; /* intern hash: index+1, 0 = empty; built on demand */
	size_t nslots;
};

/* Starts an empty table holding only "" at index 0. */
int fw_strtab_init(struct fw_strtab *t);
void fw_strtab_free(struct fw_strtab *t);
/* Appends a string, duplicates allowed (decoding). */
int fw_strtab_add(struct fw_strtab *t, const char *s, size_t n, uint32_t *idx);
/* Returns the index of an equal string, adding it if absent (building). */
int fw_strtab_intern(struct fw_strtab *t, const char *s, size_t n, uint32_t *idx);

/* Releases unused capacity; the table can still grow afterwards. */
void fw_strtab_shrink(struct fw_strtab *t);
/* Frees the intern hash, for a table that is done growing; the next
 * intern builds it again. */
void fw_strtab_drop_index(struct fw_strtab *t);

static inline const char *fw_str(const struct fw_strtab *t, uint32_t i)
{
	return t->blob + t->off[i];
}
static inline size_t fw_strlen(const struct fw_strtab *t, uint32_t i)
{
	return t->len[i];
}

#endif
