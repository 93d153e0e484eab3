/*
 * profile.h: a decoded pprof profile (profile.proto) in a compact,
 * validated, index-resolved form. Everything refers to other things by array
 * index, never by proto id, so consumers need no lookups and cannot follow a
 * dangling reference. Strings are indices into the profile's string table.
 *
 * profile.c decodes (gzip + protobuf-c) and validates; merge.c combines and
 * scales profiles; encode.c writes them back out.
 */
#ifndef FW_PROFILE_H
#define FW_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/strtab.h"
#include "base/util.h"

#define FW_NONE UINT32_MAX

struct fw_value_type {
	uint32_t type, unit; /* strings */
};

struct fw_mapping {
	uint64_t id, start, limit, offset;
	uint32_t filename, build_id; /* strings */
	bool has_functions, has_filenames, has_line_numbers, has_inline_frames;
};

struct fw_function {
	uint64_t id;
	uint32_t name, system_name, filename; /* strings */
	int64_t start_line;
};

struct fw_line {
	uint32_t function; /* index into functions, always valid */
	int64_t line;
};

struct fw_location {
	uint64_t id, address;
	uint32_t mapping;	     /* index into mappings, or FW_NONE */
	uint32_t first_line, n_lines; /* slice of lines; line[0] is innermost */
	bool is_folded;
};

struct fw_label {
	uint32_t key, str; /* strings; str != 0 means a string label */
	int64_t num;
	uint32_t num_unit;
};

/* Samples may share one slice of sample_locs: the decoder stores a stack
 * that an earlier sample already has once (labelled profiles repeat their
 * stacks label by label). So a slice is read-only: code that changes a
 * stack builds a new sample_locs, sized by the samples' n_locs, not by
 * n_sample_locs. */
struct fw_sample {
	uint32_t first_loc, n_locs;	/* slice of sample_locs; leaf first */
	uint32_t first_label, n_labels; /* slice of labels */
};

struct fw_profile {
	struct fw_strtab strings;

	struct fw_value_type *sample_types;
	size_t n_sample_types;
	struct fw_value_type period_type;
	int64_t period, time_nanos, duration_nanos;
	uint32_t default_sample_type, drop_frames, keep_frames; /* strings */
	uint32_t *comments; /* strings */
	size_t n_comments;

	struct fw_mapping *mappings;
	size_t n_mappings;
	struct fw_function *functions;
	size_t n_functions;
	struct fw_location *locations;
	size_t n_locations;
	struct fw_line *lines;
	size_t n_lines;

	struct fw_sample *samples;
	size_t n_samples;
	uint32_t *sample_locs; /* indices into locations */
	size_t n_sample_locs;
	int64_t *values; /* n_samples * n_sample_types, row per sample */
	struct fw_label *labels;
	size_t n_labels;
};

/* Limits applied while decoding. Zero fields take the defaults below.
 *
 * Before anything per element is allocated, the decoder counts the
 * elements of each kind and refuses (-EFBIG, an error naming the input
 * and the count) a profile whose counts are implausible for its decoded
 * size: more than FW_MAX_EMPTY_STRINGS empty strings beyond string_table[0]
 * (an encoder interns its strings: a table of empty entries is a
 * decompression bomb), or a compact profile estimated at more than
 * FW_MAX_AMPLIFICATION times the decoded bytes (plus 64 MiB), or at more
 * than max_profile_bytes. */
struct fw_decode_limits {
	size_t max_file_bytes;	   /* compressed input; default 256 MiB */
	size_t max_decoded_bytes;  /* after gunzip; default 256 MiB */
	size_t max_sample_types;   /* default 1024 */
	size_t max_profile_bytes;  /* estimated compact profile; default 1 GiB */
};

#define FW_MAX_EMPTY_STRINGS 1024
#define FW_MAX_AMPLIFICATION 16

/* Decodes a profile from memory: gzip (possibly multi-member) or raw
 * protobuf. name is used only in error messages. On success *out owns a new
 * profile to be released with fw_profile_free(). */
int fw_profile_decode(const uint8_t *data, size_t len, const char *name,
		      const struct fw_decode_limits *limits,
		      struct fw_profile **out, struct fw_error *err);
/* Reads and decodes a file. */
int fw_profile_read(const char *path, const struct fw_decode_limits *limits,
		    struct fw_profile **out, struct fw_error *err);
void fw_profile_free(struct fw_profile *p);
/* About how many bytes the file decompresses to: a gzip file's trailer
 * (ISIZE: its last member's size mod 2^32), else its size; 0 if it cannot
 * be read. A hint for sizing, never trusted. */
uint64_t fw_profile_size_hint(const char *path);

static inline const char *fw_pstr(const struct fw_profile *p, uint32_t i)
{
	return fw_str(&p->strings, i);
}
static inline const int64_t *fw_sample_values(const struct fw_profile *p, size_t s)
{
	return p->values + s * p->n_sample_types;
}

/* Gives back the unused capacity of every array. Only call it on a profile
 * that will not grow again (it resets no capacity bookkeeping). */
void fw_profile_shrink(struct fw_profile *p);

/* The sample type pprof reports when none is asked for: the one named by
 * default_sample_type, else the last. p must have a sample type. */
size_t fw_profile_default_sample(const struct fw_profile *p);

/* An exact, independent copy of p (same indices, same strings, same order;
 * nothing merged), to be released with fw_profile_free(). -ENOMEM or 0. */
int fw_profile_clone(const struct fw_profile *p, struct fw_profile **out);

/* A newly allocated empty profile (string table holds ""). */
struct fw_profile *fw_profile_new(void);

#endif
