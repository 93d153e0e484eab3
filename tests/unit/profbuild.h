/*
 * profbuild.h -- building struct fw_profile values in memory for the C unit
 * tests (test_graph.c, test_merge.c, test_flamegraph.c), without going
 * through the decoder:
 *
 *     #include "pprof/profile.h"
 *     #include "profbuild.h"
 *
 *     struct fw_profile *p = prof("cpu", "nanoseconds", 1, 2, "samples", "count",
 *                                 "cpu", "nanoseconds");
 *     uint32_t fmain = func(p, "main", "main.go"), fa = func(p, "a", NULL);
 *     uint32_t lmain = loc(p, fmain), la = loc(p, fa);
 *     sample(p, LOCS(la, lmain), VALS(1, 10), "thread", "t1", NULL);
 *
 * func, mapping, location (loc, loc_at) and sample append one element and
 * return its index; ids are 1..n in the order of creation, strings are
 * interned (S), and arrays grow one element at a time (PUSH). The caller
 * frees the profile with fw_profile_free(). Running out of memory exits
 * with status 99 (a hard error for automake's test driver).
 *
 * Everything is static inline, so a test that uses only some of the
 * builders gets no unused-function warnings.
 */
#ifndef FLAREWATCH_TESTS_PROFBUILD_H
#define FLAREWATCH_TESTS_PROFBUILD_H

#include "pprof/profile.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Terminates the location lists of sample(). */
#define END UINT32_MAX
/* sample()'s arguments as literals: LOCS(leaf, ..., root), VALS(v0, v1, ...). */
#define LOCS(...) ((const uint32_t[]){ __VA_ARGS__, END })
#define VALS(...) ((const int64_t[]){ __VA_ARGS__ })

static inline void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fprintf(stderr, "out of memory\n");
		exit(99);
	}
	return p;
}

/* Grows arr by one element and evaluates to a pointer to it (not zeroed). */
#define PUSH(arr, count) ((arr) = xrealloc((arr), ((count) + 1) * sizeof(*(arr))), &(arr)[(count)++])

/* The string table index of s, added if new. */
static inline uint32_t S(struct fw_profile *p, const char *s)
{
	uint32_t i;
	if (fw_strtab_intern(&p->strings, s, strlen(s), &i) < 0)
		exit(99);
	return i;
}

/* A profile with n_types sample types given as "type", "unit" pairs; the
 * period type is per_type/per_unit (per_type NULL: none, left zero). */
static inline struct fw_profile *prof(const char *per_type, const char *per_unit, int64_t period,
				      size_t n_types, ...)
{
	struct fw_profile *p = fw_profile_new();
	va_list ap;

	if (!p)
		exit(99);
	va_start(ap, n_types);
	for (size_t i = 0; i < n_types; i++) {
		const char *t = va_arg(ap, const char *), *u = va_arg(ap, const char *);
		struct fw_value_type *vt = PUSH(p->sample_types, p->n_sample_types);
		vt->type = S(p, t);
		vt->unit = S(p, u);
	}
	va_end(ap);
	if (per_type) {
		p->period_type.type = S(p, per_type);
		p->period_type.unit = S(p, per_unit);
	}
	p->period = period;
	return p;
}

/* A function (system name = name) in source file file (NULL: none). */
static inline uint32_t func(struct fw_profile *p, const char *name, const char *file)
{
	struct fw_function *f = PUSH(p->functions, p->n_functions);
	memset(f, 0, sizeof(*f));
	f->id = p->n_functions;
	f->name = S(p, name);
	f->system_name = f->name;
	if (file)
		f->filename = S(p, file);
	return (uint32_t)(p->n_functions - 1);
}

static inline uint32_t mapping(struct fw_profile *p, const char *file, uint64_t start, uint64_t limit)
{
	struct fw_mapping *m = PUSH(p->mappings, p->n_mappings);
	memset(m, 0, sizeof(*m));
	m->id = p->n_mappings;
	m->start = start;
	m->limit = limit;
	m->filename = S(p, file);
	return (uint32_t)(p->n_mappings - 1);
}

/* A location at addr in mapping map (or FW_NONE) with n lines: function
 * funcs[i] at line lines[i] (lines NULL: all 0), innermost first. */
static inline uint32_t location(struct fw_profile *p, uint32_t map, uint64_t addr, size_t n,
				const uint32_t *funcs, const int64_t *lines)
{
	struct fw_location *l = PUSH(p->locations, p->n_locations);

	memset(l, 0, sizeof(*l));
	l->id = p->n_locations;
	l->address = addr;
	l->mapping = map;
	l->first_line = (uint32_t)p->n_lines;
	l->n_lines = (uint32_t)n;
	for (size_t i = 0; i < n; i++) {
		struct fw_line *ln = PUSH(p->lines, p->n_lines);
		ln->function = funcs[i];
		ln->line = lines ? lines[i] : 0;
	}
	return (uint32_t)(p->n_locations - 1);
}

/* A location with one line of function f. */
static inline uint32_t loc_at(struct fw_profile *p, uint32_t f, int64_t line, uint32_t map, uint64_t addr)
{
	return location(p, map, addr, 1, &f, &line);
}

/* A location with one line of function f, at line 0, address 0, no mapping. */
static inline uint32_t loc(struct fw_profile *p, uint32_t f)
{
	return loc_at(p, f, 0, FW_NONE, 0);
}

/* A string label key=value on the last sample (its labels are the last ones). */
static inline void str_label(struct fw_profile *p, const char *key, const char *value)
{
	struct fw_label *l = PUSH(p->labels, p->n_labels);
	memset(l, 0, sizeof(*l));
	l->key = S(p, key);
	l->str = S(p, value);
	p->samples[p->n_samples - 1].n_labels++;
}

/* A numeric label key=num (unit NULL: none) on the last sample. */
static inline void num_label(struct fw_profile *p, const char *key, int64_t num, const char *unit)
{
	struct fw_label *l = PUSH(p->labels, p->n_labels);
	memset(l, 0, sizeof(*l));
	l->key = S(p, key);
	l->num = num;
	l->num_unit = unit ? S(p, unit) : 0;
	p->samples[p->n_samples - 1].n_labels++;
}

/* A sample: locations leaf first (terminated by END), values (one per
 * sample type), then string labels as key, value pairs (NULL ends).
 * Returns the sample's index. */
static inline size_t sample(struct fw_profile *p, const uint32_t *locs, const int64_t *vals, ...)
{
	struct fw_sample *s = PUSH(p->samples, p->n_samples);
	size_t nv = p->n_samples * p->n_sample_types;
	va_list ap;
	const char *k;

	s->first_loc = (uint32_t)p->n_sample_locs;
	s->n_locs = 0;
	for (size_t i = 0; locs[i] != END; i++) {
		*PUSH(p->sample_locs, p->n_sample_locs) = locs[i];
		s->n_locs++;
	}
	p->values = xrealloc(p->values, nv * sizeof(*p->values));
	memcpy(p->values + nv - p->n_sample_types, vals, p->n_sample_types * sizeof(*vals));
	s->first_label = (uint32_t)p->n_labels;
	s->n_labels = 0;
	va_start(ap, vals);
	while ((k = va_arg(ap, const char *)) != NULL)
		str_label(p, k, va_arg(ap, const char *));
	va_end(ap);
	return p->n_samples - 1;
}

/* A xorshift64 draw below n from *state (a fixed seed: runs repeat). */
static inline uint32_t xorshift_below(uint64_t *state, uint32_t n)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return (uint32_t)(*state % n);
}

static inline void comment(struct fw_profile *p, const char *c)
{
	*PUSH(p->comments, p->n_comments) = S(p, c);
}

/* A random profile (samples/count and cpu/nanoseconds) whose stacks share
 * prefixes with the one before (as a real profile's do), with recursion,
 * inlined and lineless locations, shared stack slices, zero, negative and
 * wrapping values. *st: the generator's state. */
#define RND(n) xorshift_below(st, (n))
static inline struct fw_profile *prof_random(uint64_t *st)
{
	static const int64_t big[] = { 0, 1, 7, -5, INT64_MAX, INT64_MIN, INT64_MAX / 3 * 2 };
	struct fw_profile *p = prof("cpu", "nanoseconds", 1, 2, "samples", "count", "cpu",
				    "nanoseconds");
	uint32_t f[8], locs[16], n_locs = 4 + RND(12), stack[24], depth = 0;
	size_t n_samples = 1 + RND(40);
	char name[8];

	for (uint32_t i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "f%u", i);
		f[i] = func(p, name, NULL);
	}
	for (uint32_t i = 0; i < n_locs; i++) {
		uint32_t kind = RND(6);
		if (kind == 0)
			locs[i] = location(p, mapping(p, i % 2 ? "/lib/x.so" : "/bin/y", 0, 0x1000), 0, 0,
					   NULL, NULL);
		else if (kind == 1) {
			/* one call per statement: the same profile from every compiler */
			uint32_t n = 2 + RND(2), fs[3];
			for (int k = 0; k < 3; k++)
				fs[k] = f[RND(8)];
			locs[i] = location(p, FW_NONE, 0, n, fs, NULL);
		}
		else
			locs[i] = loc(p, f[RND(8)]);
	}
	for (size_t s = 0; s < n_samples; s++) {
		uint32_t leaf_first[25];
		int64_t v0 = (int64_t)RND(3), v1;

		v0 -= RND(5) == 0;
		if (RND(3) == 0) {
			v1 = big[RND(7)];
		} else {
			v1 = (int64_t)RND(100);
			v1 -= 20 * (RND(4) == 0);
		}
		depth = depth ? RND(depth + 1) : 0; /* keep a prefix of the last stack */
		while (depth < 24 && RND(4) != 0)
			stack[depth++] = locs[RND(n_locs)];
		for (uint32_t i = 0; i < depth; i++)
			leaf_first[i] = stack[depth - 1 - i];
		leaf_first[depth] = END;
		sample(p, leaf_first, (const int64_t[]){ v0, v1 }, NULL);
		if (s > 0 && RND(6) == 0) { /* the last sample's slice, shared */
			p->samples[s] = p->samples[s - 1];
			p->values[s * 2] = v0;
			p->values[s * 2 + 1] = v1;
			depth = p->samples[s].n_locs;
			for (uint32_t i = 0; i < depth; i++)
				stack[i] = p->sample_locs[p->samples[s].first_loc + depth - 1 - i];
		}
	}
	return p;
}
#undef RND

#endif
