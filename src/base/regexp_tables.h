/*
 * regexp_tables.h: the Unicode data of the Go regexp engine (regexp.c),
 * generated from Go 1.19's unicode package by regexp_tables_gen.go into
 * regexp_tables.c.
 */
#ifndef FW_REGEXP_TABLES_H
#define FW_REGEXP_TABLES_H

#include <stdint.h>

struct fw_re_range {
	uint32_t lo, hi;
};

/* A \p{name} class: unicode.Categories or unicode.Scripts (sorted, disjoint
 * ranges) and the unicode.FoldCategory / FoldScript table (fold, or NULL). */
struct fw_re_table {
	const char *name;
	const struct fw_re_range *r;
	unsigned n;
	const struct fw_re_range *fold;
	unsigned nfold;
};

/* Sorted by name (strcmp). */
extern const struct fw_re_table fw_re_tables[];
extern const unsigned fw_re_n_tables;

/* unicode.SimpleFold(r) for every r it does not map to itself, sorted by r. */
struct fw_re_fold {
	uint32_t r, fold;
};
extern const struct fw_re_fold fw_re_folds[];
extern const unsigned fw_re_n_folds;

#endif
