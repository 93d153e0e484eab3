/*
 * test_profile.c: the profile.proto decoder (src/pprof/profile.c).
 *
 * Every input is built here with a tiny hand-written protobuf encoder (not
 * with the library's own encoder), so the decoder is checked against the
 * wire format itself: a full profile with every field, packed and unpacked
 * repeated fields, sparse ids, gzip (one or several members), unknown
 * fields, and each malformed input with the error it must produce.
 */
#include "pprof/profile.h"

#include "../tap.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define UNDER_ASAN TAP_UNDER_ASAN

#define NAME "test.pb"

/* ---- a minimal protobuf writer --------------------------------------------- */

struct pb {
	uint8_t *d;
	size_t len, cap;
};

static void pb_raw(struct pb *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t nc = b->cap ? b->cap : 256;
		while (nc < b->len + n)
			nc *= 2;
		b->d = realloc(b->d, nc);
		if (!b->d) {
			fprintf(stderr, "out of memory\n");
			exit(99);
		}
		b->cap = nc;
	}
	if (n)
		memcpy(b->d + b->len, p, n);
	b->len += n;
}

static void pb_varint(struct pb *b, uint64_t v)
{
	uint8_t tmp[10];
	size_t n = 0;
	do {
		tmp[n] = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v)
			tmp[n] |= 0x80;
		n++;
	} while (v);
	pb_raw(b, tmp, n);
}

static void pb_key(struct pb *b, unsigned field, unsigned wt)
{
	pb_varint(b, (uint64_t)field << 3 | wt);
}

/* A varint field, written even when zero. */
static void pb_u(struct pb *b, unsigned field, uint64_t v)
{
	pb_key(b, field, 0);
	pb_varint(b, v);
}

static void pb_bytes(struct pb *b, unsigned field, const void *p, size_t n)
{
	pb_key(b, field, 2);
	pb_varint(b, n);
	pb_raw(b, p, n);
}

static void pb_str(struct pb *b, const char *s)
{
	pb_bytes(b, 6, s, strlen(s));
}

/* Appends sub as a length-delimited field and frees it. */
static void pb_sub(struct pb *b, unsigned field, struct pb *sub)
{
	pb_bytes(b, field, sub->d, sub->len);
	free(sub->d);
	memset(sub, 0, sizeof(*sub));
}

static void pb_packed(struct pb *b, unsigned field, const uint64_t *v, size_t n)
{
	struct pb s = { 0 };
	for (size_t i = 0; i < n; i++)
		pb_varint(&s, v[i]);
	pb_sub(b, field, &s);
}

static void pb_repeated(struct pb *b, unsigned field, const uint64_t *v, size_t n, bool packed)
{
	if (packed) {
		pb_packed(b, field, v, n);
		return;
	}
	for (size_t i = 0; i < n; i++)
		pb_u(b, field, v[i]);
}

static void pb_free(struct pb *b)
{
	free(b->d);
	memset(b, 0, sizeof(*b));
}

static void pb_vt(struct pb *b, unsigned field, int64_t type, int64_t unit)
{
	struct pb m = { 0 };
	pb_u(&m, 1, (uint64_t)type);
	pb_u(&m, 2, (uint64_t)unit);
	pb_sub(b, field, &m);
}

static void pb_function(struct pb *b, uint64_t id, int64_t name, int64_t sys, int64_t file,
			int64_t start)
{
	struct pb m = { 0 };
	pb_u(&m, 1, id);
	pb_u(&m, 2, (uint64_t)name);
	pb_u(&m, 3, (uint64_t)sys);
	pb_u(&m, 4, (uint64_t)file);
	pb_u(&m, 5, (uint64_t)start);
	pb_sub(b, 5, &m);
}

/* A location with one line per (func id, line) pair. */
static void pb_location(struct pb *b, uint64_t id, uint64_t mapping, uint64_t addr,
			const uint64_t *funcs, const int64_t *lines, size_t n)
{
	struct pb m = { 0 };
	pb_u(&m, 1, id);
	if (mapping)
		pb_u(&m, 2, mapping);
	pb_u(&m, 3, addr);
	for (size_t i = 0; i < n; i++) {
		struct pb l = { 0 };
		pb_u(&l, 1, funcs[i]);
		pb_u(&l, 2, (uint64_t)lines[i]);
		pb_sub(&m, 4, &l);
	}
	pb_sub(b, 4, &m);
}

static void pb_sample(struct pb *b, const uint64_t *locs, size_t nl, const int64_t *vals, size_t nv)
{
	struct pb m = { 0 };
	pb_packed(&m, 1, locs, nl);
	pb_packed(&m, 2, (const uint64_t *)vals, nv);
	pb_sub(b, 2, &m);
}

static void pb_strings(struct pb *b, const char *const *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pb_str(b, s[i]);
}

/* gzip (one member) of data, with zlib's deflate and a gzip wrapper. */
static void gzip_into(struct pb *out, const uint8_t *data, size_t len)
{
	z_stream zs;
	uint8_t chunk[4096];
	int zr;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		exit(99);
	zs.next_in = (Bytef *)data;
	zs.avail_in = (uInt)len;
	do {
		zs.next_out = chunk;
		zs.avail_out = sizeof(chunk);
		zr = deflate(&zs, Z_FINISH);
		pb_raw(out, chunk, sizeof(chunk) - zs.avail_out);
	} while (zr == Z_OK || zr == Z_BUF_ERROR);
	if (zr != Z_STREAM_END)
		exit(99);
	deflateEnd(&zs);
}

/* ---- decoding helpers ------------------------------------------------------------ */

static struct fw_error err;

/* When set, decode() writes the input to the file NAME (in the test's own
 * temporary folder, the working directory) and reads it with
 * fw_profile_read(), which inflates from the file as it reads it. */
static bool via_file;

static int decode(const struct pb *b, const struct fw_decode_limits *lim, struct fw_profile **p)
{
	memset(&err, 0, sizeof(err));
	*p = NULL;
	if (via_file) {
		FILE *f = fopen(NAME, "wb");
		if (!f || fwrite(b->d, 1, b->len, f) != b->len || fclose(f) != 0)
			exit(99);
		return fw_profile_read(NAME, lim, p, &err);
	}
	return fw_profile_decode(b->d, b->len, NAME, lim, p, &err);
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Decoding must fail with code, leave *out NULL, and give a message that
 * starts with the input's name and contains frag. */
static void expect_err(const struct pb *b, const struct fw_decode_limits *lim, int code,
		       const char *frag, const char *what)
{
	struct fw_profile *p;
	int r = decode(b, lim, &p);

	TAP_EQ_INT(r, code, "%s: error code", what);
	if (!TAP_OK(starts_with(err.msg, NAME ": ") && strstr(err.msg, frag) != NULL,
		    "%s: message names the input and says \"%s\"", what, frag))
		TAP_DIAG("message was: %s", err.msg);
	if (p) {
		TAP_OK(0, "%s: no profile returned", what);
		fw_profile_free(p);
	}
}

static const char *ps(const struct fw_profile *p, uint32_t i)
{
	return i < p->strings.n ? fw_pstr(p, i) : "<out of range>";
}

/* ---- the full profile ---------------------------------------------------------- */

enum {
	S_EMPTY, S_SAMPLES, S_COUNT, S_CPU, S_NS, S_MAIN, S_MAINGO, S_BIN, S_BUILDID, S_COMMENT,
	S_THREAD, S_WORKER, S_BYTES, S_HELPER, S_SYSMAIN, S_SIZE, S_DROP, S_KEEP, S_COMMENT2, S_N
};
static const char *const full_strings[S_N] = {
	"", "samples", "count", "cpu", "nanoseconds", "main.main", "main.go", "/bin/app",
	"abc123", "a comment", "thread", "worker", "bytes", "main.helper", "runtime.main",
	"size", "drop.*", "keep.*", "another comment",
};

struct ids {
	uint64_t map, fn1, fn2, loc1, loc2;
};
static const struct ids dense_ids = { 1, 1, 2, 1, 2 };
/* Not 1..n, and referred to (by the samples) before they are defined. */
static const struct ids sparse_ids = { 77, 900, 31, 1000, 5 };

#define TIME_NANOS INT64_C(1700000000123456789)

/* Options for variants of the full profile. */
struct full_opts {
	bool unpacked;	     /* repeated scalars written one field each */
	bool unknown_fields; /* extra fields the decoder must skip */
	bool types_last;     /* sample types after everything else */
};

/* Writes the full profile. Fields are in Go's order except the string
 * table, which comes last: string indices can only be checked at the end. */
static void build_full(struct pb *b, const struct ids *id, const struct full_opts *o)
{
	bool packed = !o->unpacked;

	if (!o->types_last) {
		pb_vt(b, 1, S_SAMPLES, S_COUNT);
		pb_vt(b, 1, S_CPU, S_NS);
	}
	if (o->unknown_fields) {
		pb_u(b, 15, 12345);		  /* unknown varint */
		pb_bytes(b, 20, "\x08\x01junk", 6); /* unknown bytes */
		pb_key(b, 16, 1);		  /* unknown fixed64 */
		pb_raw(b, "\1\2\3\4\5\6\7\x08", 8);
		pb_key(b, 17, 5); /* unknown fixed32 */
		pb_raw(b, "\1\2\3\4", 4);
	}
	/* sample 0: loc1 (leaf), loc2; values 5, 5ms; a string label, a
	 * numeric label with a unit, and an empty label (dropped) */
	{
		struct pb m = { 0 }, l = { 0 };
		uint64_t locs[] = { id->loc1, id->loc2 };
		int64_t vals[] = { 5, 5000000 };
		pb_repeated(&m, 1, locs, 2, packed);
		pb_repeated(&m, 2, (const uint64_t *)vals, 2, packed);
		pb_u(&l, 1, S_THREAD);
		pb_u(&l, 2, S_WORKER);
		pb_sub(&m, 3, &l);
		pb_u(&l, 1, S_SIZE);
		pb_u(&l, 3, 64);
		pb_u(&l, 4, S_BYTES);
		pb_sub(&m, 3, &l);
		pb_u(&l, 1, S_THREAD);
		pb_sub(&m, 3, &l);
		if (o->unknown_fields) {
			pb_u(&m, 9, 1);
			pb_bytes(&m, 10, "xyz", 3);
		}
		pb_sub(b, 2, &m);
	}
	/* sample 1: loc2 only; a negative value */
	{
		struct pb m = { 0 };
		uint64_t locs[] = { id->loc2 };
		int64_t vals[] = { -1, 1000 };
		pb_repeated(&m, 1, locs, 1, packed);
		pb_repeated(&m, 2, (const uint64_t *)vals, 2, packed);
		pb_sub(b, 2, &m);
	}
	/* mapping */
	{
		struct pb m = { 0 };
		pb_u(&m, 1, id->map);
		pb_u(&m, 2, 0x400000);
		pb_u(&m, 3, 0x500000);
		pb_u(&m, 4, 0x1000);
		pb_u(&m, 5, S_BIN);
		pb_u(&m, 6, S_BUILDID);
		pb_u(&m, 7, 1);
		pb_u(&m, 8, 1);
		pb_u(&m, 9, 1);
		pb_u(&m, 10, 0);
		if (o->unknown_fields)
			pb_u(&m, 30, 7);
		pb_sub(b, 3, &m);
	}
	/* loc1: in the mapping, helper inlined into main (innermost first), folded */
	{
		struct pb m = { 0 }, l = { 0 };
		pb_u(&m, 1, id->loc1);
		pb_u(&m, 2, id->map);
		pb_u(&m, 3, 0x401234);
		pb_u(&l, 1, id->fn2);
		pb_u(&l, 2, 20);
		pb_sub(&m, 4, &l);
		pb_u(&l, 1, id->fn1);
		pb_u(&l, 2, 12);
		if (o->unknown_fields)
			pb_u(&l, 5, 99);
		pb_sub(&m, 4, &l);
		pb_u(&m, 5, 1);
		pb_sub(b, 4, &m);
	}
	/* loc2: no mapping */
	{
		uint64_t f[] = { id->fn1 };
		int64_t ln[] = { 15 };
		pb_location(b, id->loc2, 0, 0x10, f, ln, 1);
	}
	pb_function(b, id->fn1, S_MAIN, S_SYSMAIN, S_MAINGO, 10);
	pb_function(b, id->fn2, S_HELPER, S_HELPER, S_MAINGO, 18);
	pb_u(b, 7, S_DROP);
	pb_u(b, 8, S_KEEP);
	pb_u(b, 9, (uint64_t)TIME_NANOS);
	pb_u(b, 10, 10000000000ULL);
	pb_vt(b, 11, S_CPU, S_NS);
	pb_u(b, 12, 10000000);
	{
		uint64_t c[] = { S_COMMENT, S_COMMENT2 };
		pb_repeated(b, 13, c, 2, packed);
	}
	pb_u(b, 14, S_CPU);
	pb_strings(b, full_strings, S_N);
	if (o->types_last) {
		pb_vt(b, 1, S_SAMPLES, S_COUNT);
		pb_vt(b, 1, S_CPU, S_NS);
	}
}

/* Checks every field of the decoded full profile; returns the number of
 * mismatches (each reported as a diagnostic). */
static int check_full(const struct fw_profile *p, const struct ids *id)
{
	int bad = 0;
#define CHK(cond)                                                         \
	do {                                                              \
		if (!(cond)) {                                            \
			bad++;                                            \
			TAP_DIAG("mismatch: %s", #cond);                  \
		}                                                         \
	} while (0)
#define CHKS(idx, want) CHK(strcmp(ps(p, (idx)), (want)) == 0)
	CHK(p->strings.n == S_N);
	if (p->strings.n == S_N)
		for (size_t i = 0; i < S_N; i++)
			CHKS((uint32_t)i, full_strings[i]);
	CHK(p->n_sample_types == 2);
	if (p->n_sample_types == 2) {
		CHKS(p->sample_types[0].type, "samples");
		CHKS(p->sample_types[0].unit, "count");
		CHKS(p->sample_types[1].type, "cpu");
		CHKS(p->sample_types[1].unit, "nanoseconds");
	}
	CHKS(p->period_type.type, "cpu");
	CHKS(p->period_type.unit, "nanoseconds");
	CHK(p->period == 10000000);
	CHK(p->time_nanos == TIME_NANOS);
	CHK(p->duration_nanos == 10000000000);
	CHKS(p->default_sample_type, "cpu");
	CHKS(p->drop_frames, "drop.*");
	CHKS(p->keep_frames, "keep.*");
	CHK(p->n_comments == 2);
	if (p->n_comments == 2) {
		CHKS(p->comments[0], "a comment");
		CHKS(p->comments[1], "another comment");
	}

	CHK(p->n_mappings == 1);
	if (p->n_mappings == 1) {
		const struct fw_mapping *m = &p->mappings[0];
		CHK(m->id == id->map);
		CHK(m->start == 0x400000);
		CHK(m->limit == 0x500000);
		CHK(m->offset == 0x1000);
		CHKS(m->filename, "/bin/app");
		CHKS(m->build_id, "abc123");
		CHK(m->has_functions && m->has_filenames && m->has_line_numbers);
		CHK(!m->has_inline_frames);
	}

	CHK(p->n_functions == 2);
	if (p->n_functions == 2) {
		const struct fw_function *f = p->functions;
		CHK(f[0].id == id->fn1);
		CHKS(f[0].name, "main.main");
		CHKS(f[0].system_name, "runtime.main");
		CHKS(f[0].filename, "main.go");
		CHK(f[0].start_line == 10);
		CHK(f[1].id == id->fn2);
		CHKS(f[1].name, "main.helper");
		CHKS(f[1].system_name, "main.helper");
		CHK(f[1].start_line == 18);
	}

	CHK(p->n_locations == 2 && p->n_lines == 3);
	if (p->n_locations == 2 && p->n_lines == 3) {
		const struct fw_location *l = p->locations;
		CHK(l[0].id == id->loc1);
		CHK(l[0].address == 0x401234);
		CHK(l[0].mapping == 0);
		CHK(l[0].is_folded);
		CHK(l[0].n_lines == 2);
		CHK(l[0].first_line + 1 < p->n_lines);
		if (l[0].first_line + 1 < p->n_lines) {
			/* line[0] is the innermost: helper (function index 1) */
			CHK(p->lines[l[0].first_line].function == 1);
			CHK(p->lines[l[0].first_line].line == 20);
			CHK(p->lines[l[0].first_line + 1].function == 0);
			CHK(p->lines[l[0].first_line + 1].line == 12);
		}
		CHK(l[1].id == id->loc2);
		CHK(l[1].address == 0x10);
		CHK(l[1].mapping == FW_NONE);
		CHK(!l[1].is_folded);
		CHK(l[1].n_lines == 1);
		if (l[1].first_line < p->n_lines) {
			CHK(p->lines[l[1].first_line].function == 0);
			CHK(p->lines[l[1].first_line].line == 15);
		}
	}

	CHK(p->n_samples == 2 && p->n_sample_locs == 3 && p->n_labels == 2);
	if (p->n_samples == 2 && p->n_sample_locs == 3 && p->n_labels == 2) {
		const struct fw_sample *s = p->samples;
		CHK(s[0].n_locs == 2);
		CHK(p->sample_locs[s[0].first_loc] == 0);     /* loc1 */
		CHK(p->sample_locs[s[0].first_loc + 1] == 1); /* loc2 */
		CHK(fw_sample_values(p, 0)[0] == 5);
		CHK(fw_sample_values(p, 0)[1] == 5000000);
		CHK(s[0].n_labels == 2); /* the empty third label is dropped */
		if (s[0].n_labels == 2) {
			const struct fw_label *lb = &p->labels[s[0].first_label];
			CHKS(lb[0].key, "thread");
			CHKS(lb[0].str, "worker");
			CHK(lb[0].num == 0 && lb[0].num_unit == 0);
			CHKS(lb[1].key, "size");
			CHK(lb[1].str == 0);
			CHK(lb[1].num == 64);
			CHKS(lb[1].num_unit, "bytes");
		}
		CHK(s[1].n_locs == 1);
		CHK(p->sample_locs[s[1].first_loc] == 1);
		CHK(fw_sample_values(p, 1)[0] == -1);
		CHK(fw_sample_values(p, 1)[1] == 1000);
		CHK(s[1].n_labels == 0);
	}
#undef CHK
#undef CHKS
	return bad;
}

static void test_full(void)
{
	struct pb b = { 0 };
	struct fw_profile *p;
	struct full_opts o = { 0 };
	int r;

	build_full(&b, &dense_ids, &o);
	r = decode(&b, NULL, &p);
	if (!TAP_EQ_INT(r, 0, "full profile decodes")) {
		TAP_DIAG("error: %s", err.msg);
		pb_free(&b);
		return;
	}
	/* the headline fields as separate checks, then everything */
	TAP_EQ_UINT(p->n_sample_types, 2, "two sample types");
	TAP_EQ_STR(ps(p, p->sample_types[1].type), "cpu", "second sample type is cpu");
	TAP_EQ_INT(p->time_nanos, TIME_NANOS, "time_nanos");
	TAP_EQ_INT(p->duration_nanos, 10000000000, "duration_nanos");
	TAP_EQ_INT(p->period, 10000000, "period");
	TAP_EQ_UINT(p->n_samples, 2, "two samples");
	TAP_EQ_UINT(p->locations[0].mapping, 0, "location 1's mapping id resolves to index 0");
	TAP_EQ_UINT(p->locations[1].mapping, FW_NONE, "a location without mapping has FW_NONE");
	TAP_EQ_UINT(p->lines[p->locations[0].first_line].function, 1,
		    "function id 2 resolves to index 1");
	TAP_EQ_INT(fw_sample_values(p, 1)[0], -1, "negative values decode");
	TAP_EQ_UINT(p->samples[0].n_labels, 2, "a label with neither string nor number is dropped");
	TAP_EQ_INT(check_full(p, &dense_ids), 0, "every field of the full profile");
	fw_profile_free(p);
	pb_free(&b);
}

static void test_variant(const struct ids *id, const struct full_opts *o, bool gz, bool split,
			 const char *what)
{
	struct pb b = { 0 }, z = { 0 };
	struct fw_profile *p;
	int r;

	build_full(&b, id, o);
	if (gz && !split) {
		gzip_into(&z, b.d, b.len);
		pb_free(&b);
		b = z;
	} else if (gz) {
		/* two gzip members, split in the middle of a field */
		size_t half = b.len / 2 + 1;
		gzip_into(&z, b.d, half);
		gzip_into(&z, b.d + half, b.len - half);
		pb_free(&b);
		b = z;
	}
	r = decode(&b, NULL, &p);
	if (TAP_EQ_INT(r, 0, "%s: decodes", what)) {
		TAP_EQ_INT(check_full(p, id), 0, "%s: every field as in the full profile", what);
		fw_profile_free(p);
	} else {
		TAP_DIAG("error: %s", err.msg);
	}
	pb_free(&b);
}

static void test_variants(void)
{
	struct full_opts packed = { 0 }, unpacked = { .unpacked = true },
			 unknown = { .unknown_fields = true }, types_last = { .types_last = true };

	test_variant(&dense_ids, &unpacked, false, false, "unpacked repeated fields");
	test_variant(&sparse_ids, &packed, false, false, "sparse ids referred to before definition");
	test_variant(&sparse_ids, &unpacked, false, false, "sparse ids, unpacked");
	test_variant(&dense_ids, &unknown, false, false, "unknown fields are skipped");
	test_variant(&sparse_ids, &types_last, false, false, "sample types after the samples");
	test_variant(&dense_ids, &packed, true, false, "gzip");
	test_variant(&dense_ids, &packed, true, true, "two concatenated gzip members");
	test_variant(&sparse_ids, &unknown, true, true, "gzip members, sparse ids, unknown fields");
}

/* ---- a small valid profile for the error cases -------------------------------- */

static const char *const small_strings[] = { "", "cpu", "nanoseconds", "f" };

/* One sample type, function 1, location 1, a sample at location 1. */
static void small_header(struct pb *b)
{
	pb_vt(b, 1, 1, 2);
}

static void small_body(struct pb *b)
{
	uint64_t f[] = { 1 };
	int64_t ln[] = { 3 };
	pb_location(b, 1, 0, 0x100, f, ln, 1);
	pb_function(b, 1, 3, 3, 0, 0);
	pb_strings(b, small_strings, 4);
}

static void test_small_ok(void)
{
	struct pb b = { 0 };
	struct fw_profile *p;
	uint64_t loc[] = { 1 };
	int64_t v[] = { 7 };

	small_header(&b);
	pb_sample(&b, loc, 1, v, 1);
	small_body(&b);
	if (TAP_EQ_INT(decode(&b, NULL, &p), 0, "the small profile decodes")) {
		TAP_EQ_INT(fw_sample_values(p, 0)[0], 7, "small profile's value");
		fw_profile_free(p);
	}
	pb_free(&b);

	/* samples with equal stacks share one slice of sample_locs, with
	 * sparse location ids defined after the samples (each shared entry
	 * resolved once: twice would map an index through the table again) */
	{
		static const uint64_t ids[] = { 70, 3, 900 };
		uint64_t s1[] = { 70, 3, 900 }, s2[] = { 3, 900 }, f[] = { 1 };
		int64_t ln[] = { 3 }, v1[] = { 1 }, v2[] = { 2 }, v3[] = { 3 };
		small_header(&b);
		pb_sample(&b, s1, 3, v1, 1);
		pb_sample(&b, s2, 2, v2, 1);
		pb_sample(&b, s1, 3, v3, 1); /* = sample 0 */
		pb_sample(&b, s2, 2, v1, 1); /* = sample 1 */
		pb_sample(&b, s1, 2, v2, 1); /* a prefix of sample 0: its own */
		for (size_t i = 0; i < 3; i++)
			pb_location(&b, ids[i], 0, 0x100 + i, f, ln, 1);
		pb_function(&b, 1, 3, 3, 0, 0);
		pb_strings(&b, small_strings, 4);
		if (TAP_EQ_INT(decode(&b, NULL, &p), 0, "samples with equal stacks decode")) {
			static const uint32_t want_n[] = { 3, 2, 3, 2, 2 };
			const uint64_t *want_ids[] = { s1, s2, s1, s2, s1 };
			size_t wrong = 0;
			for (size_t i = 0; i < 5 && p->n_samples == 5; i++) {
				const struct fw_sample *sm = &p->samples[i];
				wrong += sm->n_locs != want_n[i];
				for (uint32_t k = 0; k < sm->n_locs && k < want_n[i]; k++)
					wrong += p->locations[p->sample_locs[sm->first_loc + k]].id != want_ids[i][k];
			}
			TAP_OK(p->n_samples == 5 && wrong == 0, "every sample's stack, by location id (%zu wrong)", wrong);
			TAP_OK(p->samples[2].first_loc == p->samples[0].first_loc &&
				       p->samples[3].first_loc == p->samples[1].first_loc,
			       "a repeated stack is the first one's slice");
			TAP_EQ_UINT(p->n_sample_locs, 3 + 2 + 2, "and is not stored again");
			fw_profile_free(p);
		}
		pb_free(&b);
	}

	/* only a string table: a valid, empty profile */
	pb_strings(&b, small_strings, 1);
	if (TAP_EQ_INT(decode(&b, NULL, &p), 0, "a lone string table \"\" decodes")) {
		TAP_EQ_UINT(p->n_samples + p->n_sample_types + p->n_locations, 0, "to an empty profile");
		fw_profile_free(p);
	}
	pb_free(&b);
}

/* ---- errors ------------------------------------------------------------------ */

static void test_errors_structure(void)
{
	struct pb b = { 0 };

	/* empty input */
	expect_err(&b, NULL, -EINVAL, "empty input", "empty input");

	/* string_table[0] not "" */
	{
		static const char *const s[] = { "x", "cpu" };
		pb_strings(&b, s, 2);
		expect_err(&b, NULL, -EINVAL, "string_table[0] must be ''", "string_table[0] is \"x\"");
		pb_free(&b);
	}
	/* no string table at all */
	pb_u(&b, 12, 5);
	expect_err(&b, NULL, -EINVAL, "string_table[0] must be ''", "no string table");
	pb_free(&b);

	/* a string index past the table: function name 99 of 4 strings */
	small_header(&b);
	pb_function(&b, 1, 99, 3, 0, 0);
	pb_strings(&b, small_strings, 4);
	expect_err(&b, NULL, -EINVAL, "function name refers to string 99, but the string table has 4 entries",
		   "string index out of range");
	pb_free(&b);

	/* a negative string index (a ten-byte varint) */
	pb_vt(&b, 1, -1, 2);
	pb_strings(&b, small_strings, 4);
	expect_err(&b, NULL, -EINVAL, "string index -1 out of range", "negative string index");
	pb_free(&b);

	/* sample value count differs from the sample type count */
	{
		uint64_t loc[] = { 1 };
		int64_t v[] = { 1, 2 };
		small_header(&b);
		pb_sample(&b, loc, 1, v, 2);
		small_body(&b);
		expect_err(&b, NULL, -EINVAL, "sample 0 has 2 values vs. 1 types", "value count mismatch");
		pb_free(&b);
	}
	/* the first sample whose count is wrong is named, whichever it is:
	 * samples 0 and 1 right, 2 and 3 wrong */
	{
		uint64_t loc[] = { 1 };
		int64_t v[] = { 1, 2, 3 };
		small_header(&b);
		pb_sample(&b, loc, 1, v, 1);
		pb_sample(&b, loc, 1, v, 1);
		pb_sample(&b, loc, 1, v, 3);
		pb_sample(&b, loc, 1, v, 2);
		small_body(&b);
		expect_err(&b, NULL, -EINVAL, "sample 2 has 3 values vs. 1 types",
			   "value count mismatch after good samples");
		pb_free(&b);
	}
	/* ...and sample 0 wrong, sample 1 right by itself */
	{
		uint64_t loc[] = { 1 };
		int64_t v[] = { 1, 2 };
		small_header(&b);
		pb_sample(&b, loc, 1, v, 2);
		pb_sample(&b, loc, 1, v, 1);
		small_body(&b);
		expect_err(&b, NULL, -EINVAL, "sample 0 has 2 values vs. 1 types",
			   "value count mismatch in the first sample only");
		pb_free(&b);
	}
	/* every sample with the same wrong count, the types after them */
	{
		uint64_t loc[] = { 1 };
		int64_t v[] = { 1, 2 };
		pb_sample(&b, loc, 1, v, 2);
		pb_sample(&b, loc, 1, v, 2);
		small_header(&b);
		small_body(&b);
		expect_err(&b, NULL, -EINVAL, "sample 0 has 2 values vs. 1 types",
			   "value count mismatch, sample types after the samples");
		pb_free(&b);
	}
	/* a sample at a location id that no location has (sparse range) */
	{
		uint64_t loc[] = { 1, 9 };
		int64_t v[] = { 1 };
		small_header(&b);
		pb_sample(&b, loc, 1, v, 1);
		pb_sample(&b, loc, 2, v, 1);
		small_body(&b);
		expect_err(&b, NULL, -EINVAL, "sample 1 refers to unknown location id 9",
			   "unknown location id in a sample");
		pb_free(&b);
	}
	/* ...and inside the dense range 1..n_locations: locations 2 and 7,
	 * a sample at 1 */
	{
		uint64_t loc[] = { 1 }, f[] = { 1 };
		int64_t v[] = { 1 }, ln[] = { 1 };
		small_header(&b);
		pb_sample(&b, loc, 1, v, 1);
		pb_location(&b, 2, 0, 0, f, ln, 1);
		pb_location(&b, 7, 0, 0, f, ln, 1);
		pb_function(&b, 1, 3, 3, 0, 0);
		pb_strings(&b, small_strings, 4);
		expect_err(&b, NULL, -EINVAL, "sample 0 refers to unknown location id 1",
			   "unknown location id below the location count");
		pb_free(&b);
	}
	/* location id 0 referred to by a sample */
	{
		uint64_t loc[] = { 0 };
		int64_t v[] = { 1 };
		small_header(&b);
		pb_sample(&b, loc, 1, v, 1);
		small_body(&b);
		expect_err(&b, NULL, -EINVAL, "reference to location id 0", "sample at location id 0");
		pb_free(&b);
	}
	/* a location with id 0 */
	{
		uint64_t f[] = { 1 };
		int64_t ln[] = { 1 };
		small_header(&b);
		pb_location(&b, 0, 0, 0, f, ln, 1);
		pb_function(&b, 1, 3, 3, 0, 0);
		pb_strings(&b, small_strings, 4);
		expect_err(&b, NULL, -EINVAL, "location with reserved id 0", "location id 0");
		pb_free(&b);
	}
	/* two locations with one id */
	{
		uint64_t f[] = { 1 };
		int64_t ln[] = { 1 };
		small_header(&b);
		pb_location(&b, 2, 0, 0, f, ln, 1);
		pb_location(&b, 2, 0, 0, f, ln, 1);
		pb_function(&b, 1, 3, 3, 0, 0);
		pb_strings(&b, small_strings, 4);
		expect_err(&b, NULL, -EINVAL, "two locations with id 2", "duplicate location id");
		pb_free(&b);
	}
	/* two functions with one id */
	small_header(&b);
	pb_function(&b, 3, 3, 3, 0, 0);
	pb_function(&b, 3, 1, 1, 0, 0);
	pb_strings(&b, small_strings, 4);
	expect_err(&b, NULL, -EINVAL, "two functions with id 3", "duplicate function id");
	pb_free(&b);
	/* a function with id 0 */
	small_header(&b);
	pb_function(&b, 0, 3, 3, 0, 0);
	pb_strings(&b, small_strings, 4);
	expect_err(&b, NULL, -EINVAL, "function with reserved id 0", "function id 0");
	pb_free(&b);
	/* two mappings with one id */
	{
		struct pb m = { 0 };
		small_header(&b);
		pb_u(&m, 1, 4);
		pb_sub(&b, 3, &m);
		pb_u(&m, 1, 4);
		pb_sub(&b, 3, &m);
		pb_strings(&b, small_strings, 4);
		expect_err(&b, NULL, -EINVAL, "two mappings with id 4", "duplicate mapping id");
		pb_free(&b);
	}
	/* a line naming a function that does not exist */
	{
		uint64_t f[] = { 77 };
		int64_t ln[] = { 1 };
		small_header(&b);
		pb_location(&b, 1, 0, 0, f, ln, 1);
		pb_function(&b, 1, 3, 3, 0, 0);
		pb_strings(&b, small_strings, 4);
		expect_err(&b, NULL, -EINVAL, "location id 1 has a line with unknown function id 77",
			   "line with an unknown function");
		pb_free(&b);
	}
	/* samples without sample types */
	{
		uint64_t loc[] = { 1 };
		pb_sample(&b, loc, 1, NULL, 0);
		small_body(&b);
		expect_err(&b, NULL, -EINVAL, "missing sample type information", "samples without types");
		pb_free(&b);
	}
}

static void test_errors_wire(void)
{
	struct pb b = { 0 };

	/* "" then field 9 (time_nanos, varint) whose value never ends:
	 * the field starts at byte 2 */
	pb_strings(&b, small_strings, 1);
	pb_key(&b, 9, 0);
	pb_raw(&b, "\x80\x80", 2);
	expect_err(&b, NULL, -EINVAL, "truncated varint at byte 2", "truncated varint");
	pb_free(&b);

	/* a field of profile.proto as fixed64 or fixed32: pprof's decoder
	 * says "type mismatch" (an unknown field so is skipped: the full
	 * profile's field 17 above) */
	pb_strings(&b, small_strings, 1);
	pb_key(&b, 6, 1);
	pb_raw(&b, "\1\2\3\4\5\6\7\x08", 8);
	expect_err(&b, NULL, -EINVAL, "field 6 has the wrong wire type at byte 2",
		   "string_table as fixed64");
	pb_free(&b);
	pb_strings(&b, small_strings, 1);
	pb_key(&b, 12, 5);
	pb_raw(&b, "\1\2\3\4", 4);
	expect_err(&b, NULL, -EINVAL, "field 12 has the wrong wire type at byte 2",
		   "period as fixed32");
	pb_free(&b);

	/* an eleven-byte varint is malformed too */
	pb_strings(&b, small_strings, 1);
	pb_key(&b, 9, 0);
	pb_raw(&b, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11);
	expect_err(&b, NULL, -EINVAL, "at byte 2", "an over-long varint");
	pb_free(&b);

	/* a key that is cut off */
	pb_strings(&b, small_strings, 1);
	pb_raw(&b, "\x80", 1);
	expect_err(&b, NULL, -EINVAL, "truncated field key at byte 2", "truncated key");
	pb_free(&b);

	/* a length past the end: field 2 at byte 0 claims 100 bytes, 3 follow */
	pb_key(&b, 2, 2);
	pb_varint(&b, 100);
	pb_raw(&b, "abc", 3);
	expect_err(&b, NULL, -EINVAL, "field 2 at byte 0 claims 100 bytes, past the end of the data",
		   "length past the end");
	pb_free(&b);

	/* unknown wire types 7 and 3 (groups are not supported) */
	pb_strings(&b, small_strings, 1);
	pb_key(&b, 15, 7);
	expect_err(&b, NULL, -EINVAL, "unknown wire type 7 at byte 2", "wire type 7");
	pb_free(&b);
	pb_strings(&b, small_strings, 1);
	pb_key(&b, 15, 3);
	expect_err(&b, NULL, -EINVAL, "unknown wire type 3 at byte 2", "wire type 3");
	pb_free(&b);

	/* a message field sent as a varint */
	pb_strings(&b, small_strings, 1);
	pb_u(&b, 2, 1);
	expect_err(&b, NULL, -EINVAL, "field 2 has the wrong wire type at byte 2", "sample as a varint");
	pb_free(&b);

	/* field number 0 */
	pb_strings(&b, small_strings, 1);
	pb_u(&b, 0, 1);
	expect_err(&b, NULL, -EINVAL, "invalid field number 0 at byte 2", "field number 0");
	pb_free(&b);

	/* truncated fixed64 */
	pb_strings(&b, small_strings, 1);
	pb_key(&b, 16, 1);
	pb_raw(&b, "1234", 4);
	expect_err(&b, NULL, -EINVAL, "truncated fixed64 at byte 2", "truncated fixed64");
	pb_free(&b);

	/* a malformed submessage: a sample whose packed values claim more
	 * bytes than the sample holds */
	{
		struct pb m = { 0 };
		small_header(&b);
		pb_key(&m, 2, 2);
		pb_varint(&m, 50);
		pb_raw(&m, "\x01", 1);
		pb_sub(&b, 2, &m);
		small_body(&b);
		expect_err(&b, NULL, -EINVAL, "malformed sample 0", "malformed sample");
		pb_free(&b);
	}
}

static void test_sample_type_limit(void)
{
	struct pb b = { 0 };
	struct fw_profile *p;
	struct fw_decode_limits lim = { .max_sample_types = 2000 };

	for (int i = 0; i < 2000; i++)
		pb_vt(&b, 1, 1, 2);
	pb_strings(&b, small_strings, 4);
	/* the default limit is 1024 */
	expect_err(&b, NULL, -E2BIG, "more than 1024 sample types", "2000 sample types, default limit");
	if (TAP_EQ_INT(decode(&b, &lim, &p), 0, "2000 sample types with a limit of 2000")) {
		TAP_EQ_UINT(p->n_sample_types, 2000, "all 2000 sample types kept");
		fw_profile_free(p);
	}
	lim.max_sample_types = 1999;
	expect_err(&b, &lim, -E2BIG, "more than 1999 sample types", "2000 sample types, limit 1999");
	pb_free(&b);
}

/* ---- gzip errors and limits ---------------------------------------------------- */

static void test_gzip_limits(void)
{
	struct pb b = { 0 }, z = { 0 };
	struct fw_profile *p;
	struct fw_decode_limits lim = { 0 };
	struct full_opts o = { 0 };

	/* the decompressed size limit is inclusive */
	build_full(&b, &dense_ids, &o);
	gzip_into(&z, b.d, b.len);
	lim.max_decoded_bytes = b.len;
	if (TAP_EQ_INT(decode(&z, &lim, &p), 0, "gzip exactly at max_decoded_bytes decodes"))
		fw_profile_free(p);
	lim.max_decoded_bytes = b.len - 1;
	{
		char frag[128];
		snprintf(frag, sizeof(frag), "decompressed profile exceeds the limit of %zu bytes", b.len - 1);
		expect_err(&z, &lim, -EFBIG, frag, "gzip one byte over max_decoded_bytes");
	}
	/* a plain profile over the limit */
	{
		char frag[128];
		snprintf(frag, sizeof(frag), "profile exceeds the limit of %zu bytes", b.len - 1);
		expect_err(&b, &lim, -EFBIG, frag, "plain profile over max_decoded_bytes");
	}
	pb_free(&z);

	/* a gzip bomb: 64 MiB of zeros, compressed to some 64 KiB, against a
	 * limit of 10 MiB */
	{
		static uint8_t zeros[1 << 20];
		z_stream zs;
		uint8_t out[1 << 16];
		struct timespec t0, t1;
		double secs;

		memset(&zs, 0, sizeof(zs));
		deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
		for (int i = 0; i < 64; i++) {
			zs.next_in = zeros;
			zs.avail_in = sizeof(zeros);
			do {
				zs.next_out = out;
				zs.avail_out = sizeof(out);
				deflate(&zs, i == 63 ? Z_FINISH : Z_NO_FLUSH);
				pb_raw(&z, out, sizeof(out) - zs.avail_out);
			} while (zs.avail_out == 0);
		}
		deflateEnd(&zs);
		TAP_OK(z.len < (1 << 20), "the bomb is small (%zu bytes)", z.len);
		lim.max_decoded_bytes = 10 << 20;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		expect_err(&z, &lim, -EFBIG, "decompressed profile exceeds the limit of 10485760 bytes",
			   "gzip bomb against a 10 MiB limit");
		clock_gettime(CLOCK_MONOTONIC, &t1);
		secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		TAP_OK(secs < 5, "the bomb is rejected quickly (%.2f s)", secs);
		pb_free(&z);
	}

	/* corrupt gzip: a valid header, then bytes that are not deflate data
	 * (block type 3 is reserved) */
	gzip_into(&z, b.d, b.len);
	z.d[10] = 0xff;
	expect_err(&z, NULL, -EINVAL, "corrupt gzip data: ", "corrupt deflate data");
	pb_free(&z);
	/* a wrong CRC in the trailer */
	gzip_into(&z, b.d, b.len);
	z.d[z.len - 8] ^= 0x55;
	expect_err(&z, NULL, -EINVAL, "corrupt gzip data: ", "wrong gzip CRC");
	pb_free(&z);
	/* truncated gzip: the trailer and some data cut off */
	gzip_into(&z, b.d, b.len);
	z.len -= 12;
	expect_err(&z, NULL, -EINVAL, "truncated gzip data", "truncated gzip");
	/* cut to just the header */
	z.len = 10;
	expect_err(&z, NULL, -EINVAL, "truncated gzip data", "gzip header only");
	pb_free(&z);
	/* Go's gzip reader (and so pprof) rejects bytes after the last member
	 * that are not another member: "gzip: invalid header" */
	gzip_into(&z, b.d, b.len);
	pb_raw(&z, "garbage!!!!!!", 13);
	{
		int r = decode(&z, NULL, &p);
		if (!TAP_OK(r < 0, "trailing garbage after the gzip member is an error (as in Go)"))
			fw_profile_free(p);
		else
			TAP_OK(starts_with(err.msg, NAME ": "), "the message names the input");
	}
	pb_free(&z);
	pb_free(&b);
}

/* ---- implausible element counts ----------------------------------------------- */

static double now_secs(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* n copies of the bytes rec[0..rn) after an optional valid prefix */
static void repeat(struct pb *b, const void *rec, size_t rn, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pb_raw(b, rec, rn);
}

/* Counts that no real profile of that size has are refused before any
 * per-element array is allocated, with the count in the message. */
static void test_implausible_counts(void)
{
	static const uint8_t empty_str[] = { 0x32, 0x00 }, empty_loc[] = { 0x22, 0x00 },
			     empty_sample[] = { 0x12, 0x00 };
	struct pb b = { 0 }, z = { 0 };
	struct fw_profile *p;
	struct fw_decode_limits lim = { 0 };
	struct full_opts o = { 0 };
	double t0;

	/* the string-table bomb: 1 Mi empty strings (2 MiB), gzipped */
	repeat(&b, empty_str, 2, 1 << 20);
	gzip_into(&z, b.d, b.len);
	t0 = now_secs();
	expect_err(&z, NULL, -EFBIG, "string_table holds 1048575 empty strings",
		   "1 Mi empty strings (gzipped)");
	TAP_OK(now_secs() - t0 < 5, "refused quickly (%.2f s)", now_secs() - t0);
	pb_free(&z);
	pb_free(&b);
	/* a few empty strings are tolerated (an encoder that does not intern) */
	repeat(&b, empty_str, 2, FW_MAX_EMPTY_STRINGS + 1);
	if (TAP_EQ_INT(decode(&b, NULL, &p), 0, "%d empty strings beyond the first decode",
		       FW_MAX_EMPTY_STRINGS))
		fw_profile_free(p);
	pb_raw(&b, empty_str, 2);
	expect_err(&b, NULL, -EFBIG, "string_table holds 1025 empty strings",
		   "one empty string more than tolerated");
	pb_free(&b);

	/* 3 Mi empty locations: 6 MiB of input for some 170 MB of arrays */
	pb_strings(&b, small_strings, 1);
	repeat(&b, empty_loc, 2, 3 << 20);
	expect_err(&b, NULL, -EFBIG, "3145728 locations", "3 Mi empty locations");
	pb_free(&b);

	/* 1,000 sample types and 1 Mi empty samples: 8 GB of values */
	for (int i = 0; i < 1000; i++)
		pb_vt(&b, 1, 1, 2);
	pb_strings(&b, small_strings, 4);
	repeat(&b, empty_sample, 2, 1 << 20);
	expect_err(&b, NULL, -EFBIG, "1048576 samples", "1 Mi empty samples of 1,000 types");
	pb_free(&b);

	/* the caller's budget for the decoded profile */
	build_full(&b, &dense_ids, &o);
	lim.max_profile_bytes = 100;
	expect_err(&b, &lim, -EFBIG, "over the limit of 100 bytes", "a real profile over max_profile_bytes");
	lim.max_profile_bytes = 1 << 20;
	if (TAP_EQ_INT(decode(&b, &lim, &p), 0, "the same profile within a 1 MiB budget"))
		fw_profile_free(p);
	pb_free(&b);
}

/* A field claiming 2 GiB must fail as "past the end" without allocating it.
 * The decode runs in a child whose address space is limited to 512 MiB
 * (not under ASan, whose shadow memory needs far more): an attempt to
 * allocate the claimed size would fail with -ENOMEM instead. */
static void test_absurd_length(void)
{
	static const struct {
		unsigned field;
		const char *frag, *what;
	} cases[] = {
		{ 2, "field 2 at byte 2 claims 2147483648 bytes", "a sample claiming 2 GiB" },
		{ 6, "field 6 at byte 2 claims 2147483648 bytes", "a string claiming 2 GiB" },
		{ 13, "field 13 at byte 2 claims 2147483648 bytes", "comments claiming 2 GiB" },
	};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct pb b = { 0 };
		struct timespec t0, t1;
		pid_t pid;
		int status = 0;
		double secs;

		pb_strings(&b, small_strings, 1);
		pb_key(&b, cases[c].field, 2);
		pb_varint(&b, UINT64_C(1) << 31);
		pb_raw(&b, "\x08\x01\x10\x02", 4);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			struct fw_profile *p = NULL;
			int r;
			if (!UNDER_ASAN) {
				struct rlimit rl = { 512u << 20, 512u << 20 };
				setrlimit(RLIMIT_AS, &rl);
			}
			r = fw_profile_decode(b.d, b.len, NAME, NULL, &p, &err);
			_exit(r == -EINVAL && p == NULL && strstr(err.msg, cases[c].frag) &&
					      starts_with(err.msg, NAME ": ")
				      ? 0
				      : 1);
		}
		if (!TAP_OK(pid > 0, "fork")) {
			pb_free(&b);
			continue;
		}
		waitpid(pid, &status, 0);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		TAP_OK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		       "%s fails with \"%s\"%s", cases[c].what, cases[c].frag,
		       UNDER_ASAN ? "" : " under a 512 MiB address space limit");
		TAP_OK(secs < 2, "%s is rejected quickly (%.3f s)", cases[c].what, secs);
		pb_free(&b);
	}

	/* inside a submessage: a sample's label claiming 2 GiB */
	{
		struct pb b = { 0 }, m = { 0 };
		small_header(&b);
		pb_key(&m, 3, 2);
		pb_varint(&m, UINT64_C(1) << 31);
		pb_raw(&m, "\x08\x01", 2);
		pb_sub(&b, 2, &m);
		small_body(&b);
		expect_err(&b, NULL, -EINVAL, "malformed sample 0", "a label claiming 2 GiB inside a sample");
		pb_free(&b);
	}
	/* a label with neither string nor number is left out, but pprof
	 * refuses its key all the same when it names no string (and so does
	 * a key that cannot be an index at all) */
	for (int huge = 0; huge < 2; huge++) {
		struct pb b = { 0 }, m = { 0 }, l = { 0 };
		uint64_t loc[] = { 1 };
		int64_t v[] = { 1 };
		small_header(&b);
		pb_repeated(&m, 1, loc, 1, true);
		pb_repeated(&m, 2, (const uint64_t *)v, 1, true);
		pb_u(&l, 1, huge ? UINT64_C(1) << 40 : 99);
		pb_sub(&m, 3, &l);
		pb_sub(&b, 2, &m);
		small_body(&b);
		if (huge)
			expect_err(&b, NULL, -EINVAL, "label key: string index 1099511627776 out of range",
				   "an empty label's key beyond any index");
		else
			expect_err(&b, NULL, -EINVAL,
				   "label key refers to string 99, but the string table has 4 entries",
				   "an empty label's key past the string table");
		pb_free(&b);
		pb_free(&m);
	}
}

/* The size of a gzip member of data[0..n). */
static size_t gz_size(const uint8_t *data, size_t n)
{
	struct pb z = { 0 };
	size_t len;

	gzip_into(&z, data, n);
	len = z.len;
	pb_free(&z);
	return len;
}

/* fw_profile_read inflates a file 64 KiB at a time: a member that ends,
 * and a next member's magic or trailing garbage that begins, on either
 * side of a read boundary must decode exactly as from memory. The profile
 * carries 200 KB of incompressible bytes in an unknown field, so that a
 * member's compressed size follows its input size. */
static void test_gzip_chunks(void)
{
	struct pb b = { 0 }, plain = { 0 };
	struct full_opts o = { 0 };
	uint8_t *junk = malloc(200000);
	uint32_t x = 12345;
	size_t bad = 0, tried = 0;

	if (!junk)
		exit(99);
	for (size_t i = 0; i < 200000; i++) {
		x = x * 1103515245u + 12345u;
		junk[i] = (uint8_t)(x >> 23);
	}
	pb_bytes(&plain, 100, junk, 200000);
	build_full(&plain, &dense_ids, &o);
	via_file = true;
	for (int delta = -4; delta <= 4; delta++) {
		/* the first member's compressed size: 64 KiB + delta */
		size_t want = 65536 + (size_t)(delta + 4) - 4, lo = 1, hi = plain.len - 1;
		struct pb z = { 0 };
		struct fw_profile *p = NULL;

		while (lo < hi) { /* smallest input whose member is >= want */
			size_t mid = lo + (hi - lo) / 2;
			if (gz_size(plain.d, mid) < want)
				lo = mid + 1;
			else
				hi = mid;
		}
		gzip_into(&z, plain.d, lo);
		gzip_into(&z, plain.d + lo, plain.len - lo);
		tried++;
		if (decode(&z, NULL, &p) != 0 || check_full(p, &dense_ids) != 0) {
			bad++;
			TAP_DIAG("first member of %zu bytes: %s", gz_size(plain.d, lo), err.msg);
		}
		fw_profile_free(p);
		/* the same with garbage after the last member */
		pb_raw(&z, "garbage!", 8);
		tried++;
		p = NULL;
		if (decode(&z, NULL, &p) != -EINVAL || !strstr(err.msg, "8 bytes after the last member")) {
			bad++;
			TAP_DIAG("garbage after a member ending at %zu: %s", z.len - 8, err.msg);
			fw_profile_free(p);
		}
		pb_free(&z);
	}
	via_file = false;
	TAP_OK(bad == 0, "gzip members and trailing garbage across the 64 KiB reads: %zu cases", tried);
	/* 6 MB of an unknown field first: the decoder hands the bytes it has
	 * walked back to the kernel in whole 2 MiB-aligned ranges (6 MB hold
	 * at least two wherever the buffer lies), and what it reads after
	 * them must be intact, from a file and from memory */
	{
		struct pb big = { 0 }, z = { 0 };
		struct fw_profile *p = NULL;
		uint8_t *pad = calloc(6u << 20, 1);
		if (!pad)
			exit(99);
		memcpy(pad, junk, 200000);
		pb_bytes(&big, 100, pad, 6u << 20);
		build_full(&big, &dense_ids, &o);
		gzip_into(&z, big.d, big.len);
		for (int f = 0; f < 2; f++) {
			via_file = f;
			if (TAP_EQ_INT(decode(&z, NULL, &p), 0, "a 6 MB profile decodes (%s)", f ? "file" : "memory"))
				TAP_EQ_INT(check_full(p, &dense_ids), 0, "every field after the released bytes intact");
			fw_profile_free(p);
			p = NULL;
		}
		via_file = false;
		free(pad);
		pb_free(&z);
		pb_free(&big);
	}
	free(junk);
	pb_free(&plain);
	pb_free(&b);
}

/* fw_profile_read: a file on disk, and a missing file. */
static void test_read_file(void)
{
	struct pb b = { 0 }, z = { 0 };
	struct full_opts o = { 0 };
	struct fw_profile *p = NULL;
	const char *tmp = getenv("TMPDIR");
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/fw_test_profile_XXXXXX", tmp && *tmp ? tmp : "/tmp");
	fd = mkstemp(path);

	if (!TAP_OK(fd >= 0, "temporary file"))
		return;
	build_full(&b, &dense_ids, &o);
	gzip_into(&z, b.d, b.len);
	TAP_EQ_INT(write(fd, z.d, z.len), (long)z.len, "write the gzipped profile");
	close(fd);
	memset(&err, 0, sizeof(err));
	TAP_EQ_INT((long)fw_profile_size_hint(path), (long)b.len, "size hint: the gzip trailer's size");
	if (TAP_EQ_INT(fw_profile_read(path, NULL, &p, &err), 0, "fw_profile_read of a gzip file")) {
		TAP_EQ_INT(check_full(p, &dense_ids), 0, "the file decodes to the full profile");
		fw_profile_free(p);
	}
	unlink(path);
	p = NULL;
	TAP_OK(fw_profile_read(path, NULL, &p, &err) < 0 && p == NULL, "a missing file fails");
	TAP_EQ_INT((long)fw_profile_size_hint(path), 0, "size hint of a missing file: 0");
	TAP_EQ_INT((long)fw_profile_size_hint("/"), 0, "size hint of a folder: 0");
	TAP_OK(strstr(err.msg, path) != NULL, "and the message names the path (%s)", err.msg);
	pb_free(&b);
	pb_free(&z);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	char dir[512];
	int rc;

	/* decode() writes its files here */
	snprintf(dir, sizeof(dir), "%s/fw_test_profile_XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir) || chdir(dir) != 0)
		return 99;
	test_full();
	test_variants();
	test_small_ok();
	test_errors_structure();
	test_errors_wire();
	test_sample_type_limit();
	test_gzip_limits();
	test_implausible_counts();
	test_absurd_length();
	test_read_file();
	test_gzip_chunks();
	/* the gzip cases again, read from a file as it is inflated */
	via_file = true;
	test_variants();
	test_gzip_limits();
	via_file = false;
	rc = tap_done();
	unlink(NAME);
	if (chdir("/") != 0 || rmdir(dir) != 0)
		rc = 1;
	return rc;
}
