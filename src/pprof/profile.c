/*
 * profile.c: decoding and validating profile.proto.
 *
 * Input is gunzipped (zlib) when it starts with the gzip magic, then walked
 * one top-level field at a time. Sample, Location (with its Lines) and
 * Function, nearly all of a profile, are decoded straight from the wire by
 * the small strict decoder below; the rare others (ValueType, Mapping) by
 * protobuf-c's generated code into a small arena that is reset after every
 * message. Everything is copied into the compact form of profile.h. Peak
 * memory is therefore the decompressed bytes plus the compact profile, never
 * protobuf-c's whole object tree. After the walk every cross-reference is
 * resolved and checked: string indices, mapping/function/location ids, and
 * the number of values per sample. Anything wrong is an error that names the
 * input and the problem; nothing is trusted before it is checked.
 *
 * Over 1,000 lines: one decoder for the ten message kinds of profile.proto,
 * with the counting pass, the plausibility checks and the cross-reference
 * validation that must all see the same compact form.
 */
#include "pprof/profile.h"
#include "base/heap.h"
#include "base/idmap.h"
#include "pprof/profile.pb-c.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_MAX_FILE (256u << 20)
#define DEFAULT_MAX_DECODED ((size_t)256 << 20)
#define DEFAULT_MAX_PROFILE ((size_t)1 << 30)
#define DEFAULT_MAX_TYPES 1024

/* ---- protobuf-c arena --------------------------------------------------- */

struct chunk {
	struct chunk *next;
	max_align_t data[];
};

struct arena {
	unsigned char *buf;
	size_t used, cap;
	struct chunk *extra;
	size_t extra_bytes;
};

static void *arena_alloc(void *opaque, size_t size)
{
	struct arena *a = opaque;
	size_t al = (size + 15) & ~(size_t)15;
	struct chunk *c;

	if (al < size)
		return NULL;
	if (a->cap - a->used >= al) {
		void *p = a->buf + a->used;
		a->used += al;
		return p;
	}
	if (al > SIZE_MAX - sizeof(*c))
		return NULL;
	c = malloc(sizeof(*c) + al);
	if (!c)
		return NULL;
	c->next = a->extra;
	a->extra = c;
	a->extra_bytes += al;
	return c->data;
}

static void arena_free(void *opaque, void *ptr)
{
	(void)opaque;
	(void)ptr; /* released all at once by arena_reset() */
}

static void arena_release_extra(struct arena *a)
{
	while (a->extra) {
		struct chunk *c = a->extra;
		a->extra = c->next;
		free(c);
	}
}

static void arena_reset(struct arena *a)
{
	size_t want = a->used + a->extra_bytes;

	arena_release_extra(a);
	a->used = 0;
	/* Grow the main block toward the largest message seen, up to 1 MiB;
	 * larger messages keep using one-off chunks. */
	if (want > a->cap && want <= (1u << 20)) {
		unsigned char *nb = realloc(a->buf, want);
		if (nb) {
			a->buf = nb;
			a->cap = want;
		}
	}
	a->extra_bytes = 0;
}

static void arena_destroy(struct arena *a)
{
	arena_release_extra(a);
	free(a->buf);
	memset(a, 0, sizeof(*a));
}

/* ---- gzip ---------------------------------------------------------------- */

/* Compressed input: all of it in memory, or a file read CHUNK bytes at a
 * time (the compressed bytes are never held whole). */
#define CHUNK (64 * 1024)

struct gz_src {
	const uint8_t *mem; /* the input in memory, or NULL for fd */
	size_t len;	    /* its size (the file's size when it was opened) */
	int fd;
	uint8_t *chunk;	    /* fd's read buffer, CHUNK bytes */
	uint64_t taken;	    /* bytes handed to zlib so far */
	bool eof;
	const char *name;
};

/* Gives zlib more input after the avail_in bytes it has not used yet (kept
 * in front). At the end of the input, sets eof. */
static int gz_refill(struct gz_src *g, z_stream *zs, struct fw_error *err)
{
	if (g->mem) {
		size_t rest = g->len - (size_t)(zs->next_in - g->mem);
		zs->avail_in = rest > UINT32_MAX ? UINT32_MAX : (uInt)rest;
		g->eof = rest <= UINT32_MAX;
		return 0;
	}
	if (zs->avail_in)
		memmove(g->chunk, zs->next_in, zs->avail_in);
	zs->next_in = g->chunk;
	while (!g->eof && zs->avail_in < CHUNK) {
		ssize_t k = read(g->fd, g->chunk + zs->avail_in, CHUNK - zs->avail_in);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return fw_err(err, -errno, "%s: %s", g->name, strerror(errno));
		if (k == 0)
			g->eof = true;
		zs->avail_in += (uInt)k;
		g->taken += (uint64_t)k;
		if (k > 0)
			break; /* enough to go on with */
	}
	return 0;
}

/* Initial output size: the gzip trailer's ISIZE (the last member's size mod
 * 2^32) when it is plausible, that is within deflate's maximum ratio of
 * about 1032:1, else four times the input. */
static size_t first_guess(const uint8_t *trailer, size_t inlen)
{
	uint32_t isize;

	if (inlen >= 18 && trailer) {
		isize = (uint32_t)trailer[0] | (uint32_t)trailer[1] << 8 |
			(uint32_t)trailer[2] << 16 | (uint32_t)trailer[3] << 24;
		if (isize > 0 && isize / 1032 <= inlen)
			return (size_t)isize + 1;
	}
	return inlen < (SIZE_MAX / 8) ? inlen * 4 + 64 : inlen;
}

static int gunzip(struct gz_src *g, const uint8_t *trailer, size_t max, uint8_t **out,
		  size_t *outlen, struct fw_error *err)
{
	const char *name = g->name;
	z_stream zs;
	uint8_t *buf = NULL;
	size_t cap = 0, len = 0;
	int zr, r;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
		return fw_err(err, -ENOMEM, "%s: cannot initialise zlib", name);
	zs.next_in = (Bytef *)g->mem;
	if ((r = gz_refill(g, &zs, err)) < 0)
		goto fail;
	for (;;) {
		if (zs.avail_in == 0 && !g->eof && (r = gz_refill(g, &zs, err)) < 0)
			goto fail;
		if (len == cap) {
			size_t want = cap ? cap * 2 : first_guess(trailer, g->len);
			if (want > max + 1)
				want = max + 1;
			if (want <= cap) {
				r = fw_err(err, -EFBIG,
					   "%s: decompressed profile exceeds the limit of %zu bytes",
					   name, max);
				goto fail;
			}
			uint8_t *nb = realloc(buf, want);
			if (!nb) {
				r = fw_err(err, -ENOMEM, "%s: out of memory decompressing", name);
				goto fail;
			}
			buf = nb;
			cap = want;
		}
		zs.next_out = buf + len;
		zs.avail_out = (cap - len) > UINT32_MAX ? UINT32_MAX : (uInt)(cap - len);
		size_t before = zs.avail_out;
		zr = inflate(&zs, Z_NO_FLUSH);
		len += before - zs.avail_out;
		if (len > max) {
			r = fw_err(err, -EFBIG,
				   "%s: decompressed profile exceeds the limit of %zu bytes",
				   name, max);
			goto fail;
		}
		if (zr == Z_STREAM_END) {
			/* Concatenated gzip members are one stream, as in Go:
			 * look at the next two bytes, reading on if needed. */
			while (zs.avail_in < 2 && !g->eof)
				if ((r = gz_refill(g, &zs, err)) < 0)
					goto fail;
			if (zs.avail_in >= 2 && zs.next_in[0] == 0x1f && zs.next_in[1] == 0x8b) {
				if (inflateReset(&zs) != Z_OK) {
					r = fw_err(err, -EINVAL, "%s: corrupt gzip stream", name);
					goto fail;
				}
				continue;
			}
			/* Go's gzip reader refuses anything else after a member. */
			if (zs.avail_in > 0) {
				uint64_t left = zs.avail_in;
				if (!g->mem && g->len > g->taken)
					left += g->len - g->taken; /* not read yet */
				r = fw_err(err, -EINVAL, "%s: corrupt gzip data: %llu bytes after the last member",
					   name, (unsigned long long)left);
				goto fail;
			}
			break;
		}
		if (zr == Z_OK)
			continue;
		if (zr == Z_BUF_ERROR && zs.avail_out == 0)
			continue;
		if (zr == Z_BUF_ERROR && zs.avail_in == 0 && !g->eof)
			continue;
		if (zr == Z_BUF_ERROR) {
			r = fw_err(err, -EINVAL, "%s: truncated gzip data", name);
			goto fail;
		}
		r = fw_err(err, zr == Z_MEM_ERROR ? -ENOMEM : -EINVAL,
			   "%s: corrupt gzip data: %s", name,
			   zs.msg ? zs.msg : "inflate failed");
		goto fail;
	}
	inflateEnd(&zs);
	*out = buf;
	*outlen = len;
	return 0;
fail:
	inflateEnd(&zs);
	free(buf);
	return r;
}

/* ---- wire walking -------------------------------------------------------- */

static int read_varint(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
	const uint8_t *p = *pp;
	uint64_t x = 0;

	for (unsigned shift = 0; shift < 64; shift += 7) {
		if (p >= end)
			return -1;
		uint8_t b = *p++;
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*pp = p;
			*v = x;
			return 0;
		}
	}
	return -1;
}

/* read_varint with the one- and two-byte varints inline: location ids,
 * string indices and message lengths are nearly all that short. */
static inline int read_varint_fast(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
	const uint8_t *p = *pp;

	if (p < end && p[0] < 0x80) {
		*v = p[0];
		*pp = p + 1;
		return 0;
	}
	if (end - p >= 2 && p[1] < 0x80) { /* p[0] >= 0x80 here */
		*v = (uint64_t)(p[0] & 0x7f) | (uint64_t)p[1] << 7;
		*pp = p + 2;
		return 0;
	}
	return read_varint(pp, end, v);
}

struct stack_slot {
	uint32_t tag;	  /* the stack hash's high half */
	uint32_t sample1; /* the sample holding it, + 1; 0 = empty */
};

/* Everything decoded before references are resolved. Raw ids wait here. */
struct decoder {
	struct fw_profile *p;
	uint8_t *own;	  /* the input, when it is ours to give back as it is read */
	size_t released;  /* own[KEEP..released) handed back to the kernel, in whole
			   * release_align-aligned ranges every release_step bytes */
	size_t release_step, release_align;
	const char *name;
	struct fw_error *err;
	const struct fw_decode_limits *lim;
	struct arena arena;
	ProtobufCAllocator alloc;
	bool have_strings;

	size_t cap_types, cap_comments, cap_mappings, cap_functions, cap_locations;
	size_t cap_lines, cap_samples, cap_locs, cap_values, cap_labels;
	/* Location ids are numbered in order of first sight (in a sample or
	 * a Location), so samples can hold 32-bit ordinals until resolve(). */
	/* Ids 1..dense (the location count, as writers number them) map to
	 * ordinal id-1 directly; any other id gets the next ordinal through
	 * loc_ord, and ord_id remembers it for error messages. */
	size_t dense;
	struct fw_idmap loc_ord; /* sparse location id -> ordinal */
	uint64_t *ord_id;	 /* ordinal - dense -> sparse location id */
	uint32_t *ord_loc;	 /* ordinal -> location index, or FW_NONE */
	size_t n_ord, cap_ord_id, cap_ord_loc;
	uint64_t *raw_loc_mapping;  /* per location */
	size_t cap_raw_loc_mapping;
	uint64_t *raw_line_func;    /* per line */
	size_t cap_raw_line_func;
	/* Values per sample, checked against the sample types once they are
	 * all known: the first sample's count, and the first sample whose
	 * count differs from it (odd_sample = SIZE_MAX: none) with its count.
	 * The first sample without one value per type is one of those two. */
	uint32_t first_count, odd_count;
	size_t odd_sample;
	uint32_t dropped_key_max; /* the largest key of the labels left out */
	size_t n_values;
	struct stack_slot *stacks; /* share_stack's cache, stack_mask + 1 slots */
	size_t stack_mask;
	size_t pending;	      /* the sample share_stack looks up next, + 1; 0 = none */
	uint64_t pending_hash; /* its stack's hash */
};

#define NOMEM(d) fw_err((d)->err, -ENOMEM, "%s: out of memory", (d)->name)

/* A string index from the wire: negative or huge indices can never be valid.
 * The upper bound against the table is checked once the table is complete. */
static int str_index(struct decoder *d, int64_t v, uint32_t *out, const char *what)
{
	if (v < 0 || v >= (int64_t)UINT32_MAX)
		return fw_err(d->err, -EINVAL, "%s: %s: string index %lld out of range",
			      d->name, what, (long long)v);
	*out = (uint32_t)v;
	return 0;
}

static int add_value_type(struct decoder *d, const Perftools__Profiles__ValueType *vt,
			  struct fw_value_type *out, const char *what)
{
	int r;
	if ((r = str_index(d, vt->type, &out->type, what)) < 0 ||
	    (r = str_index(d, vt->unit, &out->unit, what)) < 0)
		return r;
	return 0;
}

static int location_ordinal(struct decoder *d, uint64_t id, uint32_t *ord)
{
	uint32_t o;

	if (id >= 1 && id <= d->dense) {
		*ord = (uint32_t)(id - 1);
		return 0;
	}
	o = fw_idmap_get(&d->loc_ord, id);
	if (o != UINT32_MAX) {
		*ord = o;
		return 0;
	}
	if (id == 0)
		return fw_err(d->err, -EINVAL, "%s: reference to location id 0", d->name);
	if (d->n_ord >= UINT32_MAX - 1)
		return fw_err(d->err, -E2BIG, "%s: too many locations", d->name);
	if (fw_grow((void **)&d->ord_id, &d->cap_ord_id, d->n_ord - d->dense + 1, sizeof(uint64_t)) < 0 ||
	    fw_grow((void **)&d->ord_loc, &d->cap_ord_loc, d->n_ord + 1, sizeof(uint32_t)) < 0 ||
	    fw_idmap_put(&d->loc_ord, id, (uint32_t)d->n_ord) < 0)
		return NOMEM(d);
	d->ord_id[d->n_ord - d->dense] = id;
	d->ord_loc[d->n_ord] = FW_NONE;
	*ord = (uint32_t)d->n_ord++;
	return 0;
}

static uint64_t ordinal_id(const struct decoder *d, uint32_t ord)
{
	return ord < d->dense ? (uint64_t)ord + 1 : d->ord_id[ord - d->dense];
}

static int take_sample_type(struct decoder *d, const uint8_t *b, size_t n)
{
	struct fw_profile *p = d->p;
	Perftools__Profiles__ValueType *m;
	int r;

	if (p->n_sample_types >= d->lim->max_sample_types)
		return fw_err(d->err, -E2BIG, "%s: more than %zu sample types", d->name,
			      d->lim->max_sample_types);
	m = perftools__profiles__value_type__unpack(&d->alloc, n, b);
	if (!m)
		return fw_err(d->err, -EINVAL, "%s: malformed sample_type", d->name);
	if (fw_grow((void **)&p->sample_types, &d->cap_types, p->n_sample_types + 1,
		    sizeof(*p->sample_types)) < 0)
		return NOMEM(d);
	r = add_value_type(d, m, &p->sample_types[p->n_sample_types], "sample_type");
	if (r == 0)
		p->n_sample_types++;
	return r;
}

/* ---- hand-written decoding of the hot messages ---------------------------
 *
 * Sample, Location (with its Lines) and Function make up nearly all of a
 * profile; they are decoded here directly from the wire, without protobuf-c's
 * per-message allocations. The rules are protobuf-c's, at least as strict:
 * a known scalar field must be a varint; a repeated scalar may be a varint or
 * a packed run whose varints end exactly at its end; a submessage must be
 * length-delimited; an unknown field is skipped when its wire type is 0, 1,
 * 2 or 5 and refused otherwise; field number 0, a varint longer than ten
 * bytes, and anything running past the message's end are malformed. For a
 * scalar field given twice, the last value wins. */

struct pb_field {
	unsigned num, wt;
	uint64_t v;	     /* wire type 0 */
	const uint8_t *b;    /* wire type 2 */
	size_t n;
};

/* The next field of [*pp, end): 1, or 0 at the end, or -1 if malformed. */
static int pb_next(const uint8_t **pp, const uint8_t *end, struct pb_field *f)
{
	uint64_t key, n;

	if (*pp >= end)
		return 0;
	if (**pp < 0x80) { /* one-byte key: the common case */
		key = *(*pp)++;
	} else if (read_varint(pp, end, &key) < 0 || key > UINT32_MAX) {
		return -1;
	}
	f->num = (unsigned)(key >> 3);
	f->wt = (unsigned)(key & 7);
	if (f->num == 0)
		return -1;
	switch (f->wt) {
	case 0:
		return read_varint_fast(pp, end, &f->v) < 0 ? -1 : 1;
	case 1:
		if (end - *pp < 8)
			return -1;
		*pp += 8;
		return 1;
	case 5:
		if (end - *pp < 4)
			return -1;
		*pp += 4;
		return 1;
	case 2:
		if (read_varint_fast(pp, end, &n) < 0 || n > (uint64_t)(end - *pp))
			return -1;
		f->b = *pp;
		f->n = (size_t)n;
		*pp += n;
		return 1;
	}
	return -1;
}

/* A scalar (varint) field's value, or -1 if it has another wire type. */
static int pb_scalar(const struct pb_field *f, uint64_t *v)
{
	if (f->wt != 0)
		return -1;
	*v = f->v;
	return 0;
}

/* The elements of a repeated varint field: the one varint of wire type 0,
 * or every varint of a packed run (wire type 2). */
struct pb_varints {
	const uint8_t *q, *end;
	uint64_t one;
	int left; /* wire type 0: 1 until taken; -1 = a packed run */
};

/* 0, or -1 if the field has another wire type. */
static int pb_varints_init(struct pb_varints *it, const struct pb_field *f)
{
	it->q = it->end = NULL;
	it->one = f->v;
	it->left = f->wt == 0 ? 1 : -1;
	if (f->wt == 2) {
		it->q = f->b;
		it->end = f->b + f->n;
	}
	return f->wt == 0 || f->wt == 2 ? 0 : -1;
}

/* The next element: 1, 0 at the end, -1 for a truncated varint. */
static inline int pb_varints_next(struct pb_varints *it, uint64_t *v)
{
	if (it->left >= 0) {
		*v = it->one;
		return it->left-- > 0;
	}
	if (it->q >= it->end)
		return 0;
	return read_varint_fast(&it->q, it->end, v) < 0 ? -1 : 1;
}

/* The bytes of p[0..n) without the continuation bit, eight at a time. */
static size_t count_varint_ends(const uint8_t *p, size_t n)
{
	size_t c = n, i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		/* the eight high bits as 0/1 bytes, summed by the multiply into
		 * the top byte (no popcount instruction assumed) */
		c -= (size_t)((((w & 0x8080808080808080ULL) >> 7) * 0x0101010101010101ULL) >> 56);
	}
	for (; i < n; i++)
		c -= p[i] >> 7;
	return c;
}

/* How many elements a field holds at most: a packed varint takes a byte
 * at least. */
static size_t pb_varints_max(const struct pb_field *f)
{
	return f->wt == 2 ? f->n : 1;
}

/* Room for the elements of f at array[used..]: the byte bound while it
 * fits, else their exact count (the varints that end in the run; a
 * truncated last one is an error before it is stored), so that an array
 * sized by the counting pass never grows for its last elements. */
static size_t pb_varints_room(const struct pb_field *f, size_t used, size_t cap)
{
	size_t most = pb_varints_max(f);
	return used + most <= cap || f->wt != 2 ? most : count_varint_ends(f->b, f->n);
}

/* fw_grow, with the common case (room already there) inline. */
static inline int grow(void **buf, size_t *cap, size_t need, size_t elem)
{
	return need <= *cap ? 0 : fw_grow(buf, cap, need, elem);
}

/* Stores location id v as an ordinal at locs[*at] (room made by the
 * caller): ids 1..dense directly, as writers number them, others through
 * location_ordinal, whose first error goes to *bad; nothing is stored
 * after that (the sample is still read to its end, to report a malformed
 * message first). */
static inline __attribute__((always_inline)) void store_loc(struct decoder *d, uint64_t v,
							    uint32_t *locs, size_t *at, int *bad)
{
	if (v - 1 < d->dense) {
		locs[(*at)++] = (uint32_t)(v - 1);
		return;
	}
	if (!*bad && (*bad = location_ordinal(d, v, &locs[*at])) == 0)
		(*at)++;
}

/* The location ids of a packed run (store_loc). -1 if a varint is
 * truncated. Most of a profile's bytes. */
static int take_packed_locs(struct decoder *d, const uint8_t *q, size_t n, int *bad)
{
	struct fw_profile *p = d->p;
	const uint8_t *end = q + n;
	uint32_t *locs = p->sample_locs; /* NULL when there is no room: nothing is stored then */
	size_t at = p->n_sample_locs;

	while (q < end) {
		uint64_t v;
		if (read_varint_fast(&q, end, &v) < 0)
			return -1;
		store_loc(d, v, locs, &at, bad);
	}
	p->n_sample_locs = at;
	return 0;
}

/* A sample whose stack an earlier sample has is pointed at that one's
 * slice, and its own copy given back (profile.h: slices are read-only).
 * The earlier stacks are found through a cache of 2^16 slots at most,
 * keyed by the stack's hash, the last sample seen in each: bounded
 * memory, and a stack repeated label by label, as labelled profiles do,
 * is nearly always found (a 16-copy merge of large.cpu: 32 -> 2 MB of
 * stacks). A miss only costs a copy.
 *
 * A slot is a cache miss of its own (the input streams through the cache
 * meanwhile), so the lookup is one sample late: a sample's slot is
 * fetched when it is decoded and looked up once the next sample's stack
 * is decoded, whose stack then moves down if the copy is given back.
 * share_stack(d, s) looks up the pending sample, then makes s (the last
 * decoded; NULL at the end) the pending one. */
static void share_stack(struct decoder *d, struct fw_sample *next)
{
	struct fw_profile *p = d->p;

	if (!d->stacks)
		return;
	if (d->pending) {
		struct fw_sample *s = &p->samples[d->pending - 1];
		struct stack_slot *slot = &d->stacks[d->pending_hash & d->stack_mask];
		const struct fw_sample *o;
		uint32_t tag = (uint32_t)(d->pending_hash >> 32);

		if (slot->sample1 && slot->tag == tag) {
			o = &p->samples[slot->sample1 - 1];
			if (o->n_locs == s->n_locs &&
			    memcmp(p->sample_locs + o->first_loc, p->sample_locs + s->first_loc,
				   s->n_locs * sizeof(uint32_t)) == 0) {
				/* s's copy back: the next stack, right after it, moves down */
				assert(!next || next->first_loc == s->first_loc + s->n_locs);
				if (next && next->n_locs)
					memmove(p->sample_locs + s->first_loc, p->sample_locs + next->first_loc,
						next->n_locs * sizeof(uint32_t));
				if (next)
					next->first_loc = s->first_loc;
				p->n_sample_locs -= s->n_locs;
				s->first_loc = o->first_loc;
				slot = NULL;
			}
		}
		if (slot) {
			slot->tag = tag;
			slot->sample1 = (uint32_t)d->pending;
		}
		d->pending = 0;
	}
	if (next && next->n_locs) {
		d->pending_hash = fw_hash_u32s(p->sample_locs + next->first_loc, next->n_locs);
		d->pending = (size_t)(next - p->samples) + 1;
		__builtin_prefetch(&d->stacks[d->pending_hash & d->stack_mask]);
	}
}

static int take_sample(struct decoder *d, const uint8_t *b, size_t n)
{
	struct fw_profile *p = d->p;
	const uint8_t *q = b, *end = b + n;
	struct pb_field f;
	struct fw_sample *s;
	size_t n_values = 0, locs0 = p->n_sample_locs, labels0 = p->n_labels;
	int k, bad = 0;

	if (p->n_samples >= UINT32_MAX - 1)
		return fw_err(d->err, -E2BIG, "%s: too many samples", d->name);
	if (grow((void **)&p->samples, &d->cap_samples, p->n_samples + 1, sizeof(*p->samples)) < 0)
		return NOMEM(d);
	while ((k = pb_next(&q, end, &f)) > 0) {
		switch (f.num) {
		case 1: /* location_id */
		case 2: { /* value */
			struct pb_varints it;
			size_t most = f.num == 1 ? pb_varints_room(&f, p->n_sample_locs, d->cap_locs) :
					 pb_varints_room(&f, d->n_values, d->cap_values);
			uint64_t v;
			int kv;
			if (pb_varints_init(&it, &f) < 0)
				goto malformed;
			if (f.num == 1) {
				if (p->n_sample_locs + most > UINT32_MAX)
					return fw_err(d->err, -E2BIG, "%s: too many samples", d->name);
				if (grow((void **)&p->sample_locs, &d->cap_locs, p->n_sample_locs + most,
					    sizeof(uint32_t)) < 0)
					return NOMEM(d);
				if (f.wt == 2) { /* a packed run: nearly every stack */
					if (take_packed_locs(d, f.b, f.n, &bad) < 0)
						goto malformed;
					break;
				}
				while ((kv = pb_varints_next(&it, &v)) > 0) /* one id a field */
					store_loc(d, v, p->sample_locs, &p->n_sample_locs, &bad);
			} else {
				if (grow((void **)&p->values, &d->cap_values, d->n_values + most,
					    sizeof(int64_t)) < 0)
					return NOMEM(d);
				while ((kv = pb_varints_next(&it, &v)) > 0) {
					p->values[d->n_values++] = (int64_t)v;
					n_values++;
				}
			}
			if (kv < 0)
				goto malformed;
			break;
		}
		case 3: { /* label */
			const uint8_t *lq, *le;
			struct pb_field g;
			uint64_t key = 0, str = 0, num = 0, unit = 0;
			struct fw_label *o;
			int kk;
			if (f.wt != 2)
				goto malformed;
			for (lq = f.b, le = f.b + f.n; (kk = pb_next(&lq, le, &g)) > 0;) {
				uint64_t *dst = g.num == 1 ? &key : g.num == 2 ? &str :
						g.num == 3 ? &num : g.num == 4 ? &unit : NULL;
				if (dst && pb_scalar(&g, dst) < 0)
					goto malformed;
			}
			if (kk < 0)
				goto malformed;
			/* pprof keeps a label only if it has a string or a number;
			 * its key must name a string all the same (Go's postDecode
			 * looks every label's key up) */
			if (str == 0 && num == 0 && unit == 0) {
				uint32_t k32 = 0;
				if (!bad && (bad = str_index(d, (int64_t)key, &k32, "label key")) == 0 &&
				    k32 > d->dropped_key_max)
					d->dropped_key_max = k32;
				break;
			}
			if (p->n_labels >= UINT32_MAX - 1)
				return fw_err(d->err, -E2BIG, "%s: too many samples", d->name);
			if (grow((void **)&p->labels, &d->cap_labels, p->n_labels + 1, sizeof(*p->labels)) < 0)
				return NOMEM(d);
			o = &p->labels[p->n_labels];
			if (!bad && (bad = str_index(d, (int64_t)key, &o->key, "label key")) == 0 &&
			    (bad = str_index(d, (int64_t)str, &o->str, "label value")) == 0 &&
			    (bad = str_index(d, (int64_t)unit, &o->num_unit, "label unit")) == 0) {
				o->num = (int64_t)num;
				p->n_labels++;
			}
			break;
		}
		}
	}
	if (k < 0)
		goto malformed;
	if (bad) /* reported only for a well-formed message, as protobuf-c decodes it whole first */
		return bad;
	s = &p->samples[p->n_samples];
	s->first_loc = (uint32_t)locs0;
	s->n_locs = (uint32_t)(p->n_sample_locs - locs0);
	share_stack(d, s);
	s->first_label = (uint32_t)labels0;
	s->n_labels = (uint32_t)(p->n_labels - labels0);
	{
		uint32_t nv = n_values > UINT32_MAX ? UINT32_MAX : (uint32_t)n_values;
		if (p->n_samples == 0)
			d->first_count = nv;
		else if (nv != d->first_count && d->odd_sample == SIZE_MAX) {
			d->odd_sample = p->n_samples;
			d->odd_count = nv;
		}
	}
	p->n_samples++;
	return 0;
malformed:
	return fw_err(d->err, -EINVAL, "%s: malformed sample %zu", d->name, p->n_samples);
}

static int take_mapping(struct decoder *d, const uint8_t *b, size_t n)
{
	struct fw_profile *p = d->p;
	Perftools__Profiles__Mapping *m;
	struct fw_mapping *o;
	int r;

	m = perftools__profiles__mapping__unpack(&d->alloc, n, b);
	if (!m)
		return fw_err(d->err, -EINVAL, "%s: malformed mapping %zu", d->name, p->n_mappings);
	if (p->n_mappings >= UINT32_MAX - 1)
		return fw_err(d->err, -E2BIG, "%s: too many mappings", d->name);
	if (grow((void **)&p->mappings, &d->cap_mappings, p->n_mappings + 1, sizeof(*p->mappings)) < 0)
		return NOMEM(d);
	o = &p->mappings[p->n_mappings];
	memset(o, 0, sizeof(*o));
	o->id = m->id;
	o->start = m->memory_start;
	o->limit = m->memory_limit;
	o->offset = m->file_offset;
	if ((r = str_index(d, m->filename, &o->filename, "mapping filename")) < 0 ||
	    (r = str_index(d, m->build_id, &o->build_id, "mapping build_id")) < 0)
		return r;
	o->has_functions = m->has_functions;
	o->has_filenames = m->has_filenames;
	o->has_line_numbers = m->has_line_numbers;
	o->has_inline_frames = m->has_inline_frames;
	p->n_mappings++;
	return 0;
}

static int take_location(struct decoder *d, const uint8_t *b, size_t n)
{
	struct fw_profile *p = d->p;
	const uint8_t *q = b, *end = b + n;
	struct pb_field f;
	struct fw_location *o;
	uint64_t id = 0, mapping_id = 0, address = 0, folded = 0;
	size_t lines0 = p->n_lines;
	uint32_t ord;
	int k, r;

	if (p->n_locations >= UINT32_MAX - 1)
		return fw_err(d->err, -E2BIG, "%s: too many locations", d->name);
	if (grow((void **)&p->locations, &d->cap_locations, p->n_locations + 1,
		    sizeof(*p->locations)) < 0 ||
	    grow((void **)&d->raw_loc_mapping, &d->cap_raw_loc_mapping, p->n_locations + 1,
		    sizeof(uint64_t)) < 0)
		return NOMEM(d);
	while ((k = pb_next(&q, end, &f)) > 0) {
		switch (f.num) {
		case 1: if (pb_scalar(&f, &id) < 0) goto malformed; break;
		case 2: if (pb_scalar(&f, &mapping_id) < 0) goto malformed; break;
		case 3: if (pb_scalar(&f, &address) < 0) goto malformed; break;
		case 5: if (pb_scalar(&f, &folded) < 0) goto malformed; break;
		case 4: { /* line */
			const uint8_t *lq, *le;
			struct pb_field g;
			uint64_t func = 0, line = 0;
			int kk;
			if (f.wt != 2)
				goto malformed;
			for (lq = f.b, le = f.b + f.n; (kk = pb_next(&lq, le, &g)) > 0;) {
				if ((g.num == 1 && pb_scalar(&g, &func) < 0) ||
				    (g.num == 2 && pb_scalar(&g, &line) < 0))
					goto malformed;
			}
			if (kk < 0)
				goto malformed;
			if (p->n_lines >= UINT32_MAX - 1)
				return fw_err(d->err, -E2BIG, "%s: too many locations", d->name);
			if (grow((void **)&p->lines, &d->cap_lines, p->n_lines + 1, sizeof(*p->lines)) < 0 ||
			    grow((void **)&d->raw_line_func, &d->cap_raw_line_func, p->n_lines + 1,
				    sizeof(uint64_t)) < 0)
				return NOMEM(d);
			p->lines[p->n_lines].function = FW_NONE;
			p->lines[p->n_lines].line = (int64_t)line;
			d->raw_line_func[p->n_lines] = func;
			p->n_lines++;
			break;
		}
		}
	}
	if (k < 0)
		goto malformed;
	if (id == 0)
		return fw_err(d->err, -EINVAL, "%s: location with reserved id 0", d->name);
	if ((r = location_ordinal(d, id, &ord)) < 0)
		return r;
	if (d->ord_loc[ord] != FW_NONE)
		return fw_err(d->err, -EINVAL, "%s: two locations with id %llu", d->name,
			      (unsigned long long)id);
	d->ord_loc[ord] = (uint32_t)p->n_locations;
	o = &p->locations[p->n_locations];
	memset(o, 0, sizeof(*o));
	o->id = id;
	o->address = address;
	o->mapping = FW_NONE;
	o->is_folded = folded != 0;
	o->first_line = (uint32_t)lines0;
	o->n_lines = (uint32_t)(p->n_lines - lines0);
	d->raw_loc_mapping[p->n_locations] = mapping_id;
	p->n_locations++;
	return 0;
malformed:
	return fw_err(d->err, -EINVAL, "%s: malformed location %zu", d->name, p->n_locations);
}

static int take_function(struct decoder *d, const uint8_t *b, size_t n)
{
	struct fw_profile *p = d->p;
	const uint8_t *q = b, *end = b + n;
	struct pb_field f;
	struct fw_function *o;
	uint64_t v[6] = { 0 };
	int k, r;

	while ((k = pb_next(&q, end, &f)) > 0)
		if (f.num >= 1 && f.num <= 5 && pb_scalar(&f, &v[f.num]) < 0)
			return fw_err(d->err, -EINVAL, "%s: malformed function %zu", d->name, p->n_functions);
	if (k < 0)
		return fw_err(d->err, -EINVAL, "%s: malformed function %zu", d->name, p->n_functions);
	if (p->n_functions >= UINT32_MAX - 1)
		return fw_err(d->err, -E2BIG, "%s: too many functions", d->name);
	if (grow((void **)&p->functions, &d->cap_functions, p->n_functions + 1,
		    sizeof(*p->functions)) < 0)
		return NOMEM(d);
	o = &p->functions[p->n_functions];
	o->id = v[1];
	o->start_line = (int64_t)v[5];
	if ((r = str_index(d, (int64_t)v[2], &o->name, "function name")) < 0 ||
	    (r = str_index(d, (int64_t)v[3], &o->system_name, "function system_name")) < 0 ||
	    (r = str_index(d, (int64_t)v[4], &o->filename, "function filename")) < 0)
		return r;
	p->n_functions++;
	return 0;
}

static int take_string(struct decoder *d, const uint8_t *b, size_t n)
{
	uint32_t idx;

	if (!d->have_strings) {
		/* Entry 0 is the table's fixed "", already present. */
		d->have_strings = true;
		if (n != 0)
			return fw_err(d->err, -EINVAL, "%s: string_table[0] must be ''", d->name);
		return 0;
	}
	if (fw_strtab_add(&d->p->strings, (const char *)b, n, &idx) < 0)
		return NOMEM(d);
	return 0;
}

static int take_comment(struct decoder *d, uint64_t v)
{
	struct fw_profile *p = d->p;
	if (fw_grow((void **)&p->comments, &d->cap_comments, p->n_comments + 1, sizeof(uint32_t)) < 0)
		return NOMEM(d);
	return str_index(d, (int64_t)v, &p->comments[p->n_comments++], "comment");
}

static int take_scalar(struct decoder *d, unsigned field, uint64_t v)
{
	struct fw_profile *p = d->p;

	switch (field) {
	case 7: return str_index(d, (int64_t)v, &p->drop_frames, "drop_frames");
	case 8: return str_index(d, (int64_t)v, &p->keep_frames, "keep_frames");
	case 9: p->time_nanos = (int64_t)v; return 0;
	case 10: p->duration_nanos = (int64_t)v; return 0;
	case 12: p->period = (int64_t)v; return 0;
	case 13: return take_comment(d, v);
	case 14: return str_index(d, (int64_t)v, &p->default_sample_type, "default_sample_type");
	}
	return 0;
}

/* While the decoded bytes are walked, the part already read is handed back
 * to the kernel every RELEASE_STEP bytes (madvise(MADV_DONTNEED): the
 * pages read as zeros if touched again, and are freed with the buffer
 * later): the decoded profile grows as the bytes it comes from go, so
 * peak memory is about the larger of the two, not their sum (a 21 MB heap
 * allocation profile: 78 -> 70 MB peak RSS). From a buffer of
 * HUGE_INPUT bytes or more, whole 2 MiB-aligned ranges only: a transparent
 * huge page given back in part is split into 4 KiB pages for good, and the
 * blocks allocated there later fault 512 times where they would fault
 * once (the 21 MB profile: 3,200 -> 1,900 faults). A smaller buffer spans
 * a few huge pages at most, and its memory matters more than their faults:
 * 4 KiB pages every MiB (large.cpu's 2.45 MB: 11.2 -> 10.6 MB peak). The
 * first KEEP bytes stay: an error message looks at them to name a legacy
 * format. Only for a buffer the decoder owns. */
#define HUGE_INPUT ((size_t)16 << 20)
#define KEEP ((size_t)64 << 10)

static void release_read(struct decoder *d, size_t upto)
{
	d->released = fw_heap_release(d->own, d->released, upto, KEEP, d->release_align);
}

static int walk(struct decoder *d, const uint8_t *buf, size_t len)
{
	const uint8_t *p = buf, *end = buf + len;
	int r = 0;

	while (p < end) {
		size_t at = (size_t)(p - buf);
		uint64_t key, v, n = 0;
		unsigned field, wt;

		if (read_varint_fast(&p, end, &key) < 0)
			return fw_err(d->err, -EINVAL, "%s: truncated field key at byte %zu", d->name, at);
		field = key >> 3 > UINT32_MAX ? 0 : (unsigned)(key >> 3);
		wt = key & 7;
		if (field == 0)
			return fw_err(d->err, -EINVAL, "%s: invalid field number 0 at byte %zu", d->name, at);
		switch (wt) {
		case 0:
			if (read_varint_fast(&p, end, &v) < 0)
				return fw_err(d->err, -EINVAL, "%s: truncated varint at byte %zu", d->name, at);
			if ((field >= 1 && field <= 6) || field == 11)
				return fw_err(d->err, -EINVAL,
					      "%s: field %u has the wrong wire type at byte %zu", d->name, field, at);
			r = take_scalar(d, field, v);
			break;
		case 1:
		case 5:
			/* no field of profile.proto is fixed-size: pprof refuses
			 * one of its fields given so ("type mismatch"), skips
			 * any other */
			if (field <= 14)
				return fw_err(d->err, -EINVAL,
					      "%s: field %u has the wrong wire type at byte %zu", d->name, field, at);
			if (end - p < (wt == 1 ? 8 : 4))
				return fw_err(d->err, -EINVAL, "%s: truncated %s at byte %zu", d->name,
					      wt == 1 ? "fixed64" : "fixed32", at);
			p += wt == 1 ? 8 : 4;
			break;
		case 2: {
			const uint8_t *b;
			if (read_varint_fast(&p, end, &n) < 0 || n > (uint64_t)(end - p))
				return fw_err(d->err, -EINVAL,
					      "%s: field %u at byte %zu claims %llu bytes, past the end of the data",
					      d->name, field, at, (unsigned long long)n);
			b = p;
			p += n;
			switch (field) {
			case 1: r = take_sample_type(d, b, n); break;
			case 2: r = take_sample(d, b, n); break;
			case 3: r = take_mapping(d, b, n); break;
			case 4: r = take_location(d, b, n); break;
			case 5: r = take_function(d, b, n); break;
			case 6: r = take_string(d, b, n); break;
			case 11: {
				Perftools__Profiles__ValueType *m =
					perftools__profiles__value_type__unpack(&d->alloc, n, b);
				if (!m)
					return fw_err(d->err, -EINVAL, "%s: malformed period_type", d->name);
				r = add_value_type(d, m, &d->p->period_type, "period_type");
				break;
			}
			case 13: { /* packed comments */
				const uint8_t *q = b, *qe = b + n;
				while (r == 0 && q < qe) {
					if (read_varint(&q, qe, &v) < 0)
						return fw_err(d->err, -EINVAL, "%s: malformed comment list", d->name);
					r = take_comment(d, v);
				}
				break;
			}
			case 7: case 8: case 9: case 10: case 12: case 14:
				return fw_err(d->err, -EINVAL,
					      "%s: field %u has the wrong wire type at byte %zu", d->name, field, at);
			default:
				break; /* unknown field: skipped, as pprof does */
			}
			arena_reset(&d->arena);
			break;
		}
		default:
			return fw_err(d->err, -EINVAL, "%s: unknown wire type %u at byte %zu", d->name, wt, at);
		}
		if (r < 0)
			return r;
		if (d->own && (size_t)(p - buf) >= d->released + d->release_step)
			release_read(d, (size_t)(p - buf));
	}
	return 0;
}

/* ---- sizing pass ------------------------------------------------------------ */

struct counts {
	size_t types, samples, sample_locs, labels, mappings, locations, lines, functions;
	size_t strings, string_bytes, empty_strings;
};

/* Counts what one message holds of the repeated fields a and b:
 * unpacked occurrences, or for field 1 of a Sample (its location ids) the
 * varints of a packed run (bytes without the continuation bit). One pass
 * over the message for both. */
static void count_fields(const uint8_t *p, size_t n, unsigned a, unsigned b, bool packed_a,
			 size_t *ca, size_t *cb)
{
	const uint8_t *end = p + n;

	while (p < end) {
		uint64_t key, v;
		unsigned num;
		if (read_varint_fast(&p, end, &key) < 0)
			return;
		num = key >> 3 > UINT32_MAX ? 0 : (unsigned)(key >> 3);
		switch (key & 7) {
		case 0:
			if (read_varint_fast(&p, end, &v) < 0)
				return;
			*ca += num == a;
			*cb += num == b;
			break;
		case 1:
			if (end - p < 8)
				return;
			p += 8;
			break;
		case 5:
			if (end - p < 4)
				return;
			p += 4;
			break;
		case 2:
			if (read_varint_fast(&p, end, &v) < 0 || v > (uint64_t)(end - p))
				return;
			if (num == a)
				*ca += packed_a ? count_varint_ends(p, (size_t)v) : 1;
			*cb += num == b;
			p += v;
			break;
		default:
			return;
		}
	}
}

/* A quick pass over the top-level fields so that every array is allocated
 * once at its final size: no growth slack, no copies while growing. It
 * stops quietly at malformed data; walk() reports the error. */
static void count_all(const uint8_t *p, size_t len, struct counts *c)
{
	const uint8_t *end = p + len;

	memset(c, 0, sizeof(*c));
	while (p < end) {
		uint64_t key, v;
		if (read_varint_fast(&p, end, &key) < 0)
			return;
		switch (key & 7) {
		case 0:
			if (read_varint_fast(&p, end, &v) < 0)
				return;
			break;
		case 1:
			if (end - p < 8)
				return;
			p += 8;
			break;
		case 5:
			if (end - p < 4)
				return;
			p += 4;
			break;
		case 2:
			if (read_varint_fast(&p, end, &v) < 0 || v > (uint64_t)(end - p))
				return;
			switch (key >> 3) {
			case 1: c->types++; break;
			case 2:
				c->samples++;
				count_fields(p, v, 1, 3, true, &c->sample_locs, &c->labels);
				break;
			case 3: c->mappings++; break;
			case 4: {
				size_t none = 0;
				c->locations++;
				count_fields(p, v, 4, 0, false, &c->lines, &none);
				break;
			}
			case 5: c->functions++; break;
			case 6:
				/* string_table[0] is the one "" expected */
				c->empty_strings += v == 0 && c->strings > 0;
				c->strings++;
				c->string_bytes += v + 1;
				break;
			}
			p += v;
			break;
		default:
			return;
		}
	}
}

/* Allocates an array of exactly n elements (fw_grow would round up). */
#define PRESIZE(ptr, capv, n) \
	do { \
		if ((n) && (n) <= SIZE_MAX / sizeof(*(ptr))) { \
			void *q_ = realloc((ptr), (n) * sizeof(*(ptr))); \
			if (!q_) \
				return -ENOMEM; \
			(ptr) = q_; \
			(capv) = (n); \
		} \
	} while (0)

/* a + b and a * b, saturating at SIZE_MAX */
static size_t sat_add(size_t a, size_t b)
{
	return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

static size_t sat_mul(size_t a, size_t b)
{
	return b && a > SIZE_MAX / b ? SIZE_MAX : a * b;
}

/* What the compact profile and the decoder's own per-element arrays will
 * take for these counts (location and function ids: one hash slot each). */
static size_t estimate_bytes(const struct decoder *d, const struct counts *c)
{
	const struct fw_profile *p = d->p;
	size_t types = c->types < d->lim->max_sample_types ? c->types : d->lim->max_sample_types;
	size_t e = 0;

	e = sat_add(e, sat_mul(types, sizeof(*p->sample_types)));
	e = sat_add(e, sat_mul(c->samples, sizeof(*p->samples)));
	e = sat_add(e, sat_mul(sat_mul(c->samples, types), sizeof(*p->values)));
	e = sat_add(e, sat_mul(c->sample_locs, sizeof(*p->sample_locs)));
	e = sat_add(e, sat_mul(c->labels, sizeof(*p->labels)));
	e = sat_add(e, sat_mul(c->mappings, sizeof(*p->mappings)));
	e = sat_add(e, sat_mul(c->locations, sizeof(*p->locations) + sizeof(*d->raw_loc_mapping) +
						     sizeof(*d->ord_loc) + sizeof(uint64_t) + sizeof(uint32_t)));
	e = sat_add(e, sat_mul(c->lines, sizeof(*p->lines) + sizeof(*d->raw_line_func)));
	e = sat_add(e, sat_mul(c->functions, sizeof(*p->functions) + sizeof(uint64_t) + sizeof(uint32_t)));
	e = sat_add(e, sat_mul(c->strings, 2 * sizeof(uint32_t)));
	return sat_add(e, c->string_bytes);
}

/* Refuses, before anything per element is allocated, counts that no
 * profile of len decoded bytes plausibly has (see fw_decode_limits). */
static int check_plausible(struct decoder *d, const struct counts *c, size_t len)
{
	size_t est = estimate_bytes(d, c);
	size_t amp = sat_add(sat_mul(len, FW_MAX_AMPLIFICATION), (size_t)64 << 20);

	if (c->empty_strings > FW_MAX_EMPTY_STRINGS)
		return fw_err(d->err, -EFBIG,
			      "%s: string_table holds %zu empty strings beyond the first (of %zu entries "
			      "in %zu decoded bytes): implausible for a profile (at most %u), refused",
			      d->name, c->empty_strings, c->strings, len, FW_MAX_EMPTY_STRINGS);
	if (est > amp)
		return fw_err(d->err, -EFBIG,
			      "%s: %zu samples, %zu locations, %zu lines, %zu functions, %zu mappings and "
			      "%zu strings in %zu decoded bytes would take about %zu bytes decoded: "
			      "implausible for a profile (more than %u times its size), refused",
			      d->name, c->samples, c->locations, c->lines, c->functions, c->mappings,
			      c->strings, len, est, FW_MAX_AMPLIFICATION);
	if (est > d->lim->max_profile_bytes)
		return fw_err(d->err, -EFBIG,
			      "%s: %zu samples, %zu locations and %zu strings in %zu decoded bytes would "
			      "take about %zu bytes decoded, over the limit of %zu bytes; refused",
			      d->name, c->samples, c->locations, c->strings, len, est,
			      d->lim->max_profile_bytes);
	return 0;
}

static int presize(struct decoder *d, const struct counts *c, size_t len)
{
	struct fw_profile *p = d->p;
	size_t types = c->types < d->lim->max_sample_types ? c->types : d->lim->max_sample_types;

	/* the arrays below are filled whole by the walk (fw_heap_reserve) */
	fw_heap_reserve(estimate_bytes(d, c));
	PRESIZE(p->sample_types, d->cap_types, types);
	PRESIZE(p->samples, d->cap_samples, c->samples);
	PRESIZE(p->sample_locs, d->cap_locs, c->sample_locs);
	PRESIZE(p->labels, d->cap_labels, c->labels);
	PRESIZE(p->mappings, d->cap_mappings, c->mappings);
	PRESIZE(p->locations, d->cap_locations, c->locations);
	PRESIZE(d->raw_loc_mapping, d->cap_raw_loc_mapping, c->locations);
	PRESIZE(p->lines, d->cap_lines, c->lines);
	PRESIZE(d->raw_line_func, d->cap_raw_line_func, c->lines);
	PRESIZE(p->functions, d->cap_functions, c->functions);
	PRESIZE(d->ord_loc, d->cap_ord_loc, c->locations);
	if (c->samples > 1) {
		size_t ns = 16;
		while (ns < c->samples && ns < ((size_t)1 << 16))
			ns *= 2;
		if (!(d->stacks = calloc(ns, sizeof(*d->stacks))))
			return -ENOMEM;
		d->stack_mask = ns - 1;
	}
	for (size_t i = 0; i < c->locations; i++)
		d->ord_loc[i] = FW_NONE;
	d->dense = d->n_ord = c->locations;
	/* Every value takes at least one byte on the wire, so a sane profile
	 * has fewer values than input bytes; do not trust the counts beyond. */
	if (types && c->samples <= len / types) {
		size_t nvalues = c->samples * types;
		PRESIZE(p->values, d->cap_values, nvalues);
	}
	PRESIZE(p->strings.blob, p->strings.blob_cap, c->string_bytes);
	if (c->strings) {
		size_t cap_off = p->strings.cap, cap_len = p->strings.cap;
		PRESIZE(p->strings.off, cap_off, c->strings);
		PRESIZE(p->strings.len, cap_len, c->strings);
		p->strings.cap = cap_off < cap_len ? cap_off : cap_len;
	}
	return 0;
}

/* ---- resolution and validation ------------------------------------------ */

static int check_str(struct decoder *d, uint32_t idx, const char *what)
{
	if (idx >= d->p->strings.n)
		return fw_err(d->err, -EINVAL,
			      "%s: %s refers to string %u, but the string table has %zu entries",
			      d->name, what, idx, d->p->strings.n);
	return 0;
}

static int check_strings(struct decoder *d)
{
	struct fw_profile *p = d->p;
	int r = 0;

#define CHK(idx, what) do { if ((r = check_str(d, (idx), (what))) < 0) return r; } while (0)
	for (size_t i = 0; i < p->n_sample_types; i++) {
		CHK(p->sample_types[i].type, "sample_type");
		CHK(p->sample_types[i].unit, "sample_type unit");
	}
	CHK(p->period_type.type, "period_type");
	CHK(p->period_type.unit, "period_type unit");
	CHK(p->default_sample_type, "default_sample_type");
	CHK(p->drop_frames, "drop_frames");
	CHK(p->keep_frames, "keep_frames");
	for (size_t i = 0; i < p->n_comments; i++)
		CHK(p->comments[i], "comment");
	for (size_t i = 0; i < p->n_mappings; i++) {
		CHK(p->mappings[i].filename, "mapping filename");
		CHK(p->mappings[i].build_id, "mapping build_id");
	}
	for (size_t i = 0; i < p->n_functions; i++) {
		CHK(p->functions[i].name, "function name");
		CHK(p->functions[i].system_name, "function system_name");
		CHK(p->functions[i].filename, "function filename");
	}
	CHK(d->dropped_key_max, "label key");
	for (size_t i = 0; i < p->n_labels; i++) {
		CHK(p->labels[i].key, "label key");
		CHK(p->labels[i].str, "label value");
		CHK(p->labels[i].num_unit, "label unit");
	}
#undef CHK
	return r;
}

/* Indexes the ids of n entries. When they are exactly 1..n in order, as Go
 * writes them, no table is built and lookups are direct (*dense = true). */
static int index_ids(struct decoder *d, struct fw_idmap *m, size_t n, const void *base,
		     size_t stride, const char *what, bool *dense)
{
	*dense = true;
	for (size_t i = 0; i < n && *dense; i++)
		*dense = *(const uint64_t *)((const char *)base + i * stride) == i + 1;
	if (*dense)
		return 0;
	if (fw_idmap_init(m, n) < 0)
		return NOMEM(d);
	for (size_t i = 0; i < n; i++) {
		uint64_t id = *(const uint64_t *)((const char *)base + i * stride);
		int r = fw_idmap_put(m, id, (uint32_t)i);
		if (r == -EINVAL)
			return fw_err(d->err, -EINVAL, "%s: %s with reserved id 0", d->name, what);
		if (r == -EEXIST)
			return fw_err(d->err, -EINVAL, "%s: two %ss with id %llu", d->name, what,
				      (unsigned long long)id);
		if (r < 0)
			return NOMEM(d);
	}
	return 0;
}

static uint32_t lookup_id(const struct fw_idmap *m, bool dense, size_t n, uint64_t id)
{
	if (dense)
		return id >= 1 && id <= n ? (uint32_t)(id - 1) : FW_NONE;
	return fw_idmap_get(m, id);
}

static int resolve(struct decoder *d)
{
	struct fw_profile *p = d->p;
	struct fw_idmap maps, funcs;
	bool maps_dense, funcs_dense;
	int r;

	memset(&maps, 0, sizeof(maps));
	memset(&funcs, 0, sizeof(funcs));

	if (!d->have_strings)
		return fw_err(d->err, -EINVAL, "%s: string_table[0] must be ''", d->name);
	if (p->n_sample_types == 0 && p->n_samples != 0)
		return fw_err(d->err, -EINVAL, "%s: missing sample type information", d->name);
	if (p->n_samples && d->first_count != p->n_sample_types)
		return fw_err(d->err, -EINVAL, "%s: sample %zu has %u values vs. %zu types",
			      d->name, (size_t)0, d->first_count, p->n_sample_types);
	if (p->n_samples && d->odd_sample != SIZE_MAX)
		return fw_err(d->err, -EINVAL, "%s: sample %zu has %u values vs. %zu types",
			      d->name, d->odd_sample, d->odd_count, p->n_sample_types);
	if ((r = check_strings(d)) < 0)
		return r;

	if ((r = index_ids(d, &maps, p->n_mappings, p->n_mappings ? &p->mappings[0].id : NULL,
			   sizeof(*p->mappings), "mapping", &maps_dense)) < 0 ||
	    (r = index_ids(d, &funcs, p->n_functions, p->n_functions ? &p->functions[0].id : NULL,
			   sizeof(*p->functions), "function", &funcs_dense)) < 0)
		goto out;

	for (size_t i = 0; i < p->n_locations; i++) {
		struct fw_location *l = &p->locations[i];
		l->mapping = lookup_id(&maps, maps_dense, p->n_mappings, d->raw_loc_mapping[i]); /* unknown: none */
		for (uint32_t k = 0; k < l->n_lines; k++) {
			struct fw_line *ln = &p->lines[l->first_line + k];
			ln->function = lookup_id(&funcs, funcs_dense, p->n_functions,
						 d->raw_line_func[l->first_line + k]);
			if (ln->function == FW_NONE) {
				r = fw_err(d->err, -EINVAL,
					   "%s: location id %llu has a line with unknown function id %llu",
					   d->name, (unsigned long long)l->id,
					   (unsigned long long)d->raw_line_func[l->first_line + k]);
				goto out;
			}
		}
	}
	/* Locations written in the order of their ids 1..n, as Go writes
	 * them, have ordinal = index: the samples already hold indices, and
	 * each one has a location. */
	{
		bool identity = true;
		for (size_t o = 0; o < d->n_ord && identity; o++)
			identity = d->ord_loc[o] == o;
		if (identity) {
			r = 0;
			goto out;
		}
	}
	for (size_t i = 0; i < p->n_samples; i++) {
		const struct fw_sample *s = &p->samples[i];
		for (uint32_t k = 0; k < s->n_locs; k++) {
			uint32_t ord = p->sample_locs[s->first_loc + k];
			if (d->ord_loc[ord] == FW_NONE) {
				r = fw_err(d->err, -EINVAL, "%s: sample %zu refers to unknown location id %llu",
					   d->name, i, (unsigned long long)ordinal_id(d, ord));
				goto out;
			}
		}
	}
	/* every entry once: samples may share them */
	for (size_t i = 0; i < p->n_sample_locs; i++)
		p->sample_locs[i] = d->ord_loc[p->sample_locs[i]];
	r = 0;
out:
	fw_idmap_free(&maps);
	fw_idmap_free(&funcs);
	return r;
}

static void shrink(void **ptr, size_t n, size_t elem)
{
	void *q;
	if (!*ptr || n == 0)
		return;
	q = realloc(*ptr, n * elem);
	if (q) /* a failed shrink keeps the larger block, which is fine */
		*ptr = q;
}

void fw_profile_shrink(struct fw_profile *p)
{
	shrink((void **)&p->sample_types, p->n_sample_types, sizeof(*p->sample_types));
	shrink((void **)&p->comments, p->n_comments, sizeof(*p->comments));
	shrink((void **)&p->mappings, p->n_mappings, sizeof(*p->mappings));
	shrink((void **)&p->functions, p->n_functions, sizeof(*p->functions));
	shrink((void **)&p->locations, p->n_locations, sizeof(*p->locations));
	shrink((void **)&p->lines, p->n_lines, sizeof(*p->lines));
	shrink((void **)&p->samples, p->n_samples, sizeof(*p->samples));
	shrink((void **)&p->sample_locs, p->n_sample_locs, sizeof(*p->sample_locs));
	shrink((void **)&p->values, p->n_samples * p->n_sample_types, sizeof(*p->values));
	shrink((void **)&p->labels, p->n_labels, sizeof(*p->labels));
	fw_strtab_shrink(&p->strings);
}

struct fw_profile *fw_profile_new(void)
{
	struct fw_profile *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	if (fw_strtab_init(&p->strings) < 0) {
		free(p);
		return NULL;
	}
	return p;
}

void fw_profile_free(struct fw_profile *p)
{
	if (!p)
		return;
	fw_strtab_free(&p->strings);
	free(p->sample_types);
	free(p->comments);
	free(p->mappings);
	free(p->functions);
	free(p->locations);
	free(p->lines);
	free(p->samples);
	free(p->sample_locs);
	free(p->values);
	free(p->labels);
	free(p);
}

/* *dst = a copy of src[0..n) elements (NULL when n is 0). */
static int dup_array(void **dst, const void *src, size_t n, size_t elem)
{
	*dst = NULL;
	if (n == 0)
		return 0;
	if (!(*dst = malloc(n * elem)))
		return -ENOMEM;
	memcpy(*dst, src, n * elem);
	return 0;
}

int fw_profile_clone(const struct fw_profile *p, struct fw_profile **out)
{
	struct fw_profile *c = calloc(1, sizeof(*c));

	assert(p && out);
	*out = NULL;
	if (!c)
		return -ENOMEM;
	*c = *p;
	memset(&c->strings, 0, sizeof(c->strings));
	c->sample_types = NULL;
	c->comments = NULL;
	c->mappings = NULL;
	c->functions = NULL;
	c->locations = NULL;
	c->lines = NULL;
	c->samples = NULL;
	c->sample_locs = NULL;
	c->values = NULL;
	c->labels = NULL;
	if (fw_strtab_init(&c->strings) < 0) {
		free(c);
		return -ENOMEM;
	}
	/* index 0 is "" in both tables; the rest keep their indices */
	for (size_t i = 1; i < p->strings.n; i++) {
		uint32_t idx;
		if (fw_strtab_add(&c->strings, fw_pstr(p, (uint32_t)i), fw_strlen(&p->strings, (uint32_t)i), &idx) < 0)
			goto nomem;
		assert(idx == i);
	}
	if (dup_array((void **)&c->sample_types, p->sample_types, p->n_sample_types, sizeof(*p->sample_types)) < 0 ||
	    dup_array((void **)&c->comments, p->comments, p->n_comments, sizeof(*p->comments)) < 0 ||
	    dup_array((void **)&c->mappings, p->mappings, p->n_mappings, sizeof(*p->mappings)) < 0 ||
	    dup_array((void **)&c->functions, p->functions, p->n_functions, sizeof(*p->functions)) < 0 ||
	    dup_array((void **)&c->locations, p->locations, p->n_locations, sizeof(*p->locations)) < 0 ||
	    dup_array((void **)&c->lines, p->lines, p->n_lines, sizeof(*p->lines)) < 0 ||
	    dup_array((void **)&c->samples, p->samples, p->n_samples, sizeof(*p->samples)) < 0 ||
	    dup_array((void **)&c->sample_locs, p->sample_locs, p->n_sample_locs, sizeof(*p->sample_locs)) < 0 ||
	    dup_array((void **)&c->values, p->values, p->n_samples * p->n_sample_types, sizeof(*p->values)) < 0 ||
	    dup_array((void **)&c->labels, p->labels, p->n_labels, sizeof(*p->labels)) < 0)
		goto nomem;
	*out = c;
	return 0;
nomem:
	fw_profile_free(c);
	return -ENOMEM;
}

static void limits_or_defaults(const struct fw_decode_limits *in, struct fw_decode_limits *out)
{
	memset(out, 0, sizeof(*out));
	if (in)
		*out = *in;
	if (!out->max_file_bytes)
		out->max_file_bytes = DEFAULT_MAX_FILE;
	if (!out->max_decoded_bytes)
		out->max_decoded_bytes = DEFAULT_MAX_DECODED;
	if (!out->max_sample_types)
		out->max_sample_types = DEFAULT_MAX_TYPES;
	if (!out->max_profile_bytes)
		out->max_profile_bytes = DEFAULT_MAX_PROFILE;
}

/* Legacy pprof inputs: text dumps ("heap profile: ...", "--- contention",
 * "goroutine profile: ...") or gperftools' binary CPU format, whose header
 * starts with a zero word. Used only to explain a decoding failure. */
static bool looks_legacy(const uint8_t *buf, size_t len)
{
	size_t n = len < 64 ? len : 64, printable = 0;

	if (len >= 8 && !buf[0] && !buf[1] && !buf[2] && !buf[3])
		return true;
	for (size_t i = 0; i < n; i++)
		printable += (buf[i] >= 0x20 && buf[i] < 0x7f) || buf[i] == '\n' || buf[i] == '\t';
	return n > 0 && printable == n;
}

static bool starts_with(const uint8_t *buf, size_t len, const char *prefix)
{
	size_t k = strlen(prefix);

	return len >= k && memcmp(buf, prefix, k) == 0;
}

/* Which legacy format a looks_legacy() input is (the headers pprof's
 * profile/legacy_profile.go recognizes), and how to get a profile.proto
 * instead. */
static const char *legacy_kind(const uint8_t *buf, size_t len)
{
	size_t skip = 0;

	if (len >= 8 && !buf[0] && !buf[1] && !buf[2] && !buf[3])
		return "it looks like a gperftools (legacy binary) CPU profile; convert it with "
		       "`go tool pprof -proto BINARY FILE > FILE.pb.gz`";
	while (skip < len && (buf[skip] == ' ' || buf[skip] == '\t'))
		skip++;
	buf += skip;
	len -= skip;
	if (starts_with(buf, len, "goroutine profile:"))
		return "it looks like a goroutine dump taken with debug=1; fetch "
		       "/debug/pprof/goroutine without ?debug=1 (debug=0) for a profile.proto";
	if (starts_with(buf, len, "goroutine ") )
		return "it looks like a goroutine stack dump (debug=2), which is not a profile; fetch "
		       "/debug/pprof/goroutine without ?debug for a profile.proto";
	if (starts_with(buf, len, "heap profile:"))
		return "it looks like a legacy text heap profile (debug=1); fetch /debug/pprof/heap "
		       "without ?debug=1, or convert it with `go tool pprof -proto FILE > FILE.pb.gz`";
	if (starts_with(buf, len, "--- contention") || starts_with(buf, len, "--- mutex") ||
	    starts_with(buf, len, "--- delay"))
		return "it looks like a legacy text contention profile (debug=1); fetch "
		       "/debug/pprof/mutex or /debug/pprof/block without ?debug=1, or convert it "
		       "with `go tool pprof -proto FILE > FILE.pb.gz`";
	if (starts_with(buf, len, "--- threadz") || starts_with(buf, len, "threadcreate profile:"))
		return "it looks like a legacy text thread profile (debug=1); fetch "
		       "/debug/pprof/threadcreate without ?debug=1, or convert it with "
		       "`go tool pprof -proto FILE > FILE.pb.gz`";
	return "it looks like text (a debug=1 dump or pprof's text output, e.g. pprof.txt); fetch "
	       "the profile without ?debug=1, or convert a legacy profile with "
	       "`go tool pprof -proto FILE > FILE.pb.gz`";
}

/* own: buf is the decoder's to release as it reads it (see release_read). */
static int decode_plain(const uint8_t *buf, size_t len, bool own, const char *name,
			const struct fw_decode_limits *lim, struct fw_profile **out,
			struct fw_error *err)
{
	struct decoder d;
	int r;

	if (len == 0)
		return fw_err(err, -EINVAL, "%s: empty input", name);
	if (len > lim->max_decoded_bytes)
		return fw_err(err, -EFBIG, "%s: profile exceeds the limit of %zu bytes", name,
			      lim->max_decoded_bytes);
	memset(&d, 0, sizeof(d));
	d.own = own ? (uint8_t *)buf : NULL;
	d.odd_sample = SIZE_MAX;
	d.release_step = len >= HUGE_INPUT ? (size_t)2 << 20 : (size_t)1 << 20;
	d.release_align = len >= HUGE_INPUT ? (size_t)2 << 20 : 4096;
	d.name = name;
	d.err = err;
	d.lim = lim;
	d.alloc.alloc = arena_alloc;
	d.alloc.free = arena_free;
	d.alloc.allocator_data = &d.arena;
	d.p = fw_profile_new();
	if (!d.p)
		return fw_err(err, -ENOMEM, "%s: out of memory", name);
	{
		struct counts c;
		count_all(buf, len, &c);
		r = check_plausible(&d, &c, len);
		if (r == 0 && presize(&d, &c, len) < 0)
			r = fw_err(err, -ENOMEM, "%s: out of memory", name);
	}
	if (r == 0) {
		if ((r = walk(&d, buf, len)) == 0)
			share_stack(&d, NULL); /* the last sample's lookup */
		else if (looks_legacy(buf, len))
			fw_err(err, r,
			       "%s: not a profile.proto; legacy (pre-proto) pprof formats are not supported: %s",
			       name, legacy_kind(buf, len));
	}
	arena_destroy(&d.arena);
	if (r == 0)
		r = resolve(&d);
	fw_idmap_free(&d.loc_ord);
	free(d.ord_id);
	free(d.ord_loc);
	free(d.raw_loc_mapping);
	free(d.raw_line_func);
	free(d.stacks);
	if (r < 0) {
		fw_profile_free(d.p);
		return r;
	}
	fw_profile_shrink(d.p);
	*out = d.p;
	return 0;
}

static bool is_gzip(const uint8_t *data, size_t len)
{
	return len >= 2 && data[0] == 0x1f && data[1] == 0x8b;
}

int fw_profile_decode(const uint8_t *data, size_t len, const char *name,
		      const struct fw_decode_limits *limits, struct fw_profile **out,
		      struct fw_error *err)
{
	struct fw_decode_limits lim;
	uint8_t *plain;
	size_t plain_len;
	int r;

	limits_or_defaults(limits, &lim);
	if (!name)
		name = "profile";
	if (!is_gzip(data, len))
		return decode_plain(data, len, false, name, &lim, out, err);
	{
		struct gz_src g = { .mem = data, .len = len, .fd = -1, .name = name };
		r = gunzip(&g, data + len - 4, lim.max_decoded_bytes, &plain, &plain_len, err);
	}
	if (r < 0)
		return r;
	r = decode_plain(plain, plain_len, true, name, &lim, out, err);
	free(plain);
	return r;
}

/* Exactly n bytes at offset off of fd: 0, or -1 (short file, or an error
 * reported by the read that follows). */
static int pread_all(int fd, void *buf, size_t n, off_t off)
{
	while (n > 0) {
		ssize_t k = pread(fd, buf, n, off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		buf = (uint8_t *)buf + k;
		n -= (size_t)k;
		off += k;
	}
	return 0;
}

uint64_t fw_profile_size_hint(const char *path)
{
	uint8_t head[2], t[4];
	struct stat st;
	uint64_t size = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		size = (uint64_t)st.st_size;
		if (st.st_size >= 18 && pread_all(fd, head, 2, 0) == 0 && is_gzip(head, 2) &&
		    pread_all(fd, t, 4, st.st_size - 4) == 0)
			size = (uint64_t)t[0] | (uint64_t)t[1] << 8 | (uint64_t)t[2] << 16 |
			       (uint64_t)t[3] << 24;
	}
	close(fd);
	return size;
}

int fw_profile_read(const char *path, const struct fw_decode_limits *limits,
		    struct fw_profile **out, struct fw_error *err)
{
	struct fw_decode_limits lim;
	struct gz_src g = { .name = path };
	uint8_t head[2], trailer[4], *plain = NULL, *data;
	struct stat st;
	size_t plain_len, len;
	bool have_trailer;
	int fd, r;

	limits_or_defaults(limits, &lim);
	fd = fw_open_regular(path, lim.max_file_bytes, &st, err);
	if (fd < 0)
		return fd;
	if (pread_all(fd, head, 2, 0) < 0 || !is_gzip(head, 2)) {
		/* raw protobuf (or too short to be gzip): read whole from the
		 * descriptor already open, decoded in place */
		r = fw_read_fd(fd, path, &st, &data, &len, err);
		close(fd);
		if (r < 0)
			return r;
		r = decode_plain(data, len, true, path, &lim, out, err);
		free(data);
		return r;
	}
	/* gzip: inflated from the file as it is read, so that the compressed
	 * bytes are never held whole (peak memory: the plain bytes plus the
	 * decoded profile) */
	have_trailer = st.st_size >= 18 && pread_all(fd, trailer, 4, st.st_size - 4) == 0;
	g.fd = fd;
	g.len = (size_t)st.st_size;
	g.chunk = malloc(CHUNK);
	if (!g.chunk) {
		r = fw_err(err, -ENOMEM, "%s: out of memory", path);
		goto out;
	}
	r = gunzip(&g, have_trailer ? trailer : NULL, lim.max_decoded_bytes, &plain, &plain_len, err);
	free(g.chunk);
	close(fd);
	fd = -1;
	if (r == 0)
		r = decode_plain(plain, plain_len, true, path, &lim, out, err);
	free(plain);
out:
	if (fd >= 0)
		close(fd);
	return r;
}

size_t fw_profile_default_sample(const struct fw_profile *p)
{
	assert(p && p->n_sample_types > 0);
	if (p->default_sample_type) {
		const char *want = fw_pstr(p, p->default_sample_type);
		for (size_t i = 0; i < p->n_sample_types; i++)
			if (strcmp(fw_pstr(p, p->sample_types[i].type), want) == 0)
				return i;
	}
	return p->n_sample_types - 1;
}
