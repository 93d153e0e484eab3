/*
 * encode.c: writing a profile back out as profile.proto (see encode.h).
 *
 * The Profile message is written in field-number order, the order protobuf-c
 * and Go use. Every ValueType, Sample, Mapping, Location and Function is a
 * protobuf-c message built on the stack over the compact arrays and packed
 * by protobuf-c straight into the output as a length-delimited field, and
 * the scalar fields 7..14 (drop/keep frames, time, duration, period type,
 * period, comments, default sample type) are a Perftools__Profiles__Profile
 * packed after them. Packing a whole Profile at once gives the same bytes,
 * but would first need protobuf-c's object tree of the entire profile; this
 * way memory is the output plus one message.
 *
 * The string table (field 6) is written by hand: protobuf-c takes strings
 * as NUL-terminated char *, while a profile's strings are arbitrary bytes
 * (NUL and invalid UTF-8 included) that Go's decoder accepts as they are.
 * They are copied byte for byte.
 *
 * Ids: a table whose stored ids are all non-zero and distinct keeps them
 * (a decoded profile round-trips unchanged); otherwise its ids are index+1.
 * Every index and slice is checked before use, so a malformed in-memory
 * profile is an error, never an out-of-bounds read or an unreadable file.
 *
 * Gzipped output is compressed as it is made (zlib, default level): the
 * encoder's buffer goes through deflate every ENC_CHUNK bytes, so memory is
 * a chunk and the compressed bytes, never the whole encoded profile (the
 * 21 MB heap profile: 96 -> 63 MB peak RSS for `pprof merge`).
 * fw_profile_write_file() streams them into a temporary file beside the
 * target (mkostemp), fsyncs it and renames it over the target; on any
 * error the temporary file is removed.
 */
#include "pprof/encode.h"
#include "base/idmap.h"
#include "pprof/profile.pb-c.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* ---- output buffer ---------------------------------------------------------- */

/* Where gzipped output goes: the deflate stream and its sink (a file
 * descriptor, or memory when fd < 0). */
struct zsink {
	z_stream zs;
	int fd;
	const char *name; /* the file, for messages */
	uint8_t *mem;	  /* fd < 0: the compressed bytes */
	size_t mem_len, mem_cap;
	uint8_t out[64 << 10];
};

#define ENC_CHUNK ((size_t)256 << 10)

struct enc {
	const struct fw_profile *p;
	struct fw_error *err;
	uint8_t *buf;
	size_t len, cap;
	struct zsink *z; /* NULL: the whole encoding stays in buf */
	bool keep_map_ids, keep_func_ids, keep_loc_ids;
	/* scratch for one sample / one location / the comments */
	uint64_t *ids;
	size_t cap_ids;
	Perftools__Profiles__Label *labels;
	Perftools__Profiles__Label **label_ptrs;
	size_t cap_labels, cap_label_ptrs;
	Perftools__Profiles__Line *lines;
	Perftools__Profiles__Line **line_ptrs;
	size_t cap_lines, cap_line_ptrs;
	int64_t *comments;
	size_t cap_comments;
};

#define MAX_VARINT 10

static int nomem(struct enc *e)
{
	return fw_err(e->err, -ENOMEM, "out of memory encoding the profile");
}

static int bad(struct enc *e, const char *what, size_t i)
{
	return fw_err(e->err, -EINVAL, "cannot encode profile: %s %zu is out of range", what, i);
}

static int write_fully(int fd, const uint8_t *data, size_t len);

/* The compressed bytes zlib has made, to the sink. */
static int zsink_put(struct enc *e, size_t n)
{
	struct zsink *z = e->z;
	int r;

	if (n == 0)
		return 0;
	if (z->fd >= 0) {
		if ((r = write_fully(z->fd, z->out, n)) < 0)
			return fw_err(e->err, r, "writing %s: %s", z->name, strerror(-r));
		return 0;
	}
	if (n > SIZE_MAX - z->mem_len || fw_grow((void **)&z->mem, &z->mem_cap, z->mem_len + n, 1) < 0)
		return fw_err(e->err, -ENOMEM, "out of memory compressing the profile");
	memcpy(z->mem + z->mem_len, z->out, n);
	z->mem_len += n;
	return 0;
}

/* The encoded bytes so far through deflate (and the stream's end, when
 * finishing), and the buffer emptied. */
static int zsink_flush(struct enc *e, bool finish)
{
	struct zsink *z = e->z;
	size_t fed = 0;
	int zr, r;

	for (;;) {
		if (z->zs.avail_in == 0 && fed < e->len) {
			size_t chunk = e->len - fed > UINT32_MAX ? UINT32_MAX : e->len - fed;
			z->zs.next_in = e->buf + fed;
			z->zs.avail_in = (uInt)chunk;
			fed += chunk;
		}
		z->zs.next_out = z->out;
		z->zs.avail_out = sizeof(z->out);
		zr = deflate(&z->zs, finish && fed == e->len ? Z_FINISH : Z_NO_FLUSH);
		if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR)
			return fw_err(e->err, -EIO, "zlib: %s", z->zs.msg ? z->zs.msg : "deflate failed");
		if ((r = zsink_put(e, sizeof(z->out) - z->zs.avail_out)) < 0)
			return r;
		if (zr == Z_STREAM_END || (!finish && z->zs.avail_out != 0 && z->zs.avail_in == 0 && fed == e->len))
			break;
	}
	e->len = 0;
	return 0;
}

static int reserve(struct enc *e, size_t n)
{
	int r;

	/* streaming: what is encoded goes out before the buffer would grow */
	if (e->z && e->len > 0 && e->len + n > ENC_CHUNK && (r = zsink_flush(e, false)) < 0)
		return r;
	if (n > SIZE_MAX - e->len || fw_grow((void **)&e->buf, &e->cap, e->len + n, 1) < 0)
		return nomem(e);
	return 0;
}

/* The caller has reserved MAX_VARINT bytes. */
static void put_varint(struct enc *e, uint64_t v)
{
	while (v >= 0x80) {
		e->buf[e->len++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	e->buf[e->len++] = (uint8_t)v;
}

static int put_bytes_field(struct enc *e, unsigned field, const void *data, size_t n)
{
	int r;

	if ((r = reserve(e, 2 * MAX_VARINT + n)) < 0)
		return r;
	put_varint(e, (uint64_t)field << 3 | 2);
	put_varint(e, n);
	if (n)
		memcpy(e->buf + e->len, data, n);
	e->len += n;
	return 0;
}

/* Packs m as a length-delimited field of the enclosing Profile. */
static int put_message(struct enc *e, unsigned field, const ProtobufCMessage *m)
{
	size_t n = protobuf_c_message_get_packed_size(m), w;
	int r;

	if ((r = reserve(e, 2 * MAX_VARINT + n)) < 0)
		return r;
	put_varint(e, (uint64_t)field << 3 | 2);
	put_varint(e, n);
	w = protobuf_c_message_pack(m, e->buf + e->len);
	if (w != n)
		return fw_err(e->err, -EIO, "protobuf-c packed %zu bytes of a %zu byte message", w, n);
	e->len += n;
	return 0;
}

/* ---- references ------------------------------------------------------------- */

/* True if every id in the table (at stride bytes apart) is non-zero and
 * distinct, so the stored ids can be written as they are. */
static int ids_usable(struct enc *e, const void *base, size_t n, size_t stride, bool *ok)
{
	struct fw_idmap m;
	int r = 0;

	*ok = true;
	if (n == 0)
		return 0;
	if (n >= UINT32_MAX) {
		*ok = false;
		return 0;
	}
	if (fw_idmap_init(&m, n) < 0)
		return nomem(e);
	for (size_t i = 0; i < n && *ok; i++) {
		uint64_t id = *(const uint64_t *)((const char *)base + i * stride);
		r = fw_idmap_put(&m, id, (uint32_t)i);
		if (r == -EINVAL || r == -EEXIST) {
			*ok = false;
			r = 0;
		} else if (r < 0) {
			r = nomem(e);
			break;
		}
	}
	fw_idmap_free(&m);
	return r;
}

static uint64_t mapping_id(const struct enc *e, uint32_t i)
{
	return e->keep_map_ids ? e->p->mappings[i].id : (uint64_t)i + 1;
}

static uint64_t function_id(const struct enc *e, uint32_t i)
{
	return e->keep_func_ids ? e->p->functions[i].id : (uint64_t)i + 1;
}

static uint64_t location_id(const struct enc *e, uint32_t i)
{
	return e->keep_loc_ids ? e->p->locations[i].id : (uint64_t)i + 1;
}

static bool str_ok(const struct enc *e, uint32_t s)
{
	return s < e->p->strings.n;
}

/* ---- the messages ------------------------------------------------------------ */

static int put_value_type(struct enc *e, unsigned field, const struct fw_value_type *vt)
{
	Perftools__Profiles__ValueType m = PERFTOOLS__PROFILES__VALUE_TYPE__INIT;

	if (!str_ok(e, vt->type) || !str_ok(e, vt->unit))
		return bad(e, "value type string", vt->type > vt->unit ? vt->type : vt->unit);
	m.type = vt->type;
	m.unit = vt->unit;
	return put_message(e, field, &m.base);
}

/* Is [first, first + n) inside an array of total elements? */
static bool slice_ok(uint32_t first, uint32_t n, size_t total)
{
	return first <= total && n <= total - first;
}

static int put_sample(struct enc *e, size_t si)
{
	const struct fw_profile *p = e->p;
	const struct fw_sample *s = &p->samples[si];
	Perftools__Profiles__Sample m = PERFTOOLS__PROFILES__SAMPLE__INIT;

	if (!slice_ok(s->first_loc, s->n_locs, p->n_sample_locs) ||
	    !slice_ok(s->first_label, s->n_labels, p->n_labels))
		return bad(e, "sample", si);
	if (fw_grow((void **)&e->ids, &e->cap_ids, s->n_locs, sizeof(*e->ids)) < 0 ||
	    fw_grow((void **)&e->labels, &e->cap_labels, s->n_labels, sizeof(*e->labels)) < 0 ||
	    fw_grow((void **)&e->label_ptrs, &e->cap_label_ptrs, s->n_labels, sizeof(*e->label_ptrs)) < 0)
		return nomem(e);
	for (uint32_t k = 0; k < s->n_locs; k++) {
		uint32_t li = p->sample_locs[s->first_loc + k];
		if (li >= p->n_locations)
			return bad(e, "location index", li);
		e->ids[k] = location_id(e, li);
	}
	for (uint32_t k = 0; k < s->n_labels; k++) {
		const struct fw_label *l = &p->labels[s->first_label + k];
		Perftools__Profiles__Label *o = &e->labels[k];
		if (!str_ok(e, l->key) || !str_ok(e, l->str) || !str_ok(e, l->num_unit))
			return bad(e, "label", s->first_label + (size_t)k);
		perftools__profiles__label__init(o);
		o->key = l->key;
		o->str = l->str;
		o->num = l->num;
		o->num_unit = l->num_unit;
		e->label_ptrs[k] = o;
	}
	m.n_location_id = s->n_locs;
	m.location_id = s->n_locs ? e->ids : NULL;
	m.n_value = p->n_sample_types;
	m.value = p->n_sample_types ? (int64_t *)fw_sample_values(p, si) : NULL;
	m.n_label = s->n_labels;
	m.label = s->n_labels ? e->label_ptrs : NULL;
	return put_message(e, 2, &m.base);
}

static int put_mapping(struct enc *e, uint32_t i)
{
	const struct fw_mapping *s = &e->p->mappings[i];
	Perftools__Profiles__Mapping m = PERFTOOLS__PROFILES__MAPPING__INIT;

	if (!str_ok(e, s->filename) || !str_ok(e, s->build_id))
		return bad(e, "mapping", i);
	m.id = mapping_id(e, i);
	m.memory_start = s->start;
	m.memory_limit = s->limit;
	m.file_offset = s->offset;
	m.filename = s->filename;
	m.build_id = s->build_id;
	m.has_functions = s->has_functions;
	m.has_filenames = s->has_filenames;
	m.has_line_numbers = s->has_line_numbers;
	m.has_inline_frames = s->has_inline_frames;
	return put_message(e, 3, &m.base);
}

static int put_location(struct enc *e, uint32_t i)
{
	const struct fw_profile *p = e->p;
	const struct fw_location *s = &p->locations[i];
	Perftools__Profiles__Location m = PERFTOOLS__PROFILES__LOCATION__INIT;

	if (!slice_ok(s->first_line, s->n_lines, p->n_lines))
		return bad(e, "location", i);
	if (s->mapping != FW_NONE && s->mapping >= p->n_mappings)
		return bad(e, "mapping index", s->mapping);
	if (fw_grow((void **)&e->lines, &e->cap_lines, s->n_lines, sizeof(*e->lines)) < 0 ||
	    fw_grow((void **)&e->line_ptrs, &e->cap_line_ptrs, s->n_lines, sizeof(*e->line_ptrs)) < 0)
		return nomem(e);
	for (uint32_t k = 0; k < s->n_lines; k++) {
		const struct fw_line *ln = &p->lines[s->first_line + k];
		Perftools__Profiles__Line *o = &e->lines[k];
		if (ln->function >= p->n_functions)
			return bad(e, "function index", ln->function);
		perftools__profiles__line__init(o);
		o->function_id = function_id(e, ln->function);
		o->line = ln->line;
		e->line_ptrs[k] = o;
	}
	m.id = location_id(e, i);
	m.mapping_id = s->mapping != FW_NONE ? mapping_id(e, s->mapping) : 0;
	m.address = s->address;
	m.n_line = s->n_lines;
	m.line = s->n_lines ? e->line_ptrs : NULL;
	m.is_folded = s->is_folded;
	return put_message(e, 4, &m.base);
}

static int put_function(struct enc *e, uint32_t i)
{
	const struct fw_function *s = &e->p->functions[i];
	Perftools__Profiles__Function m = PERFTOOLS__PROFILES__FUNCTION__INIT;

	if (!str_ok(e, s->name) || !str_ok(e, s->system_name) || !str_ok(e, s->filename))
		return bad(e, "function", i);
	m.id = function_id(e, i);
	m.name = s->name;
	m.system_name = s->system_name;
	m.filename = s->filename;
	m.start_line = s->start_line;
	return put_message(e, 5, &m.base);
}

/* Fields 7..14, packed by protobuf-c as the tail of the Profile message. */
static int put_header(struct enc *e)
{
	const struct fw_profile *p = e->p;
	Perftools__Profiles__Profile m = PERFTOOLS__PROFILES__PROFILE__INIT;
	Perftools__Profiles__ValueType pt = PERFTOOLS__PROFILES__VALUE_TYPE__INIT;
	size_t n, w;
	int r;

	if (!str_ok(e, p->period_type.type) || !str_ok(e, p->period_type.unit))
		return bad(e, "period type string", p->period_type.type);
	if (!str_ok(e, p->drop_frames) || !str_ok(e, p->keep_frames) ||
	    !str_ok(e, p->default_sample_type))
		return bad(e, "header string", 0);
	if (fw_grow((void **)&e->comments, &e->cap_comments, p->n_comments, sizeof(int64_t)) < 0)
		return nomem(e);
	for (size_t i = 0; i < p->n_comments; i++) {
		if (!str_ok(e, p->comments[i]))
			return bad(e, "comment", i);
		e->comments[i] = p->comments[i];
	}
	/* Go always writes period_type (its decoder fills in an empty one). */
	pt.type = p->period_type.type;
	pt.unit = p->period_type.unit;
	m.period_type = &pt;
	m.drop_frames = p->drop_frames;
	m.keep_frames = p->keep_frames;
	m.time_nanos = p->time_nanos;
	m.duration_nanos = p->duration_nanos;
	m.period = p->period;
	m.n_comment = p->n_comments;
	m.comment = p->n_comments ? e->comments : NULL;
	m.default_sample_type = p->default_sample_type;
	n = perftools__profiles__profile__get_packed_size(&m);
	if ((r = reserve(e, n)) < 0)
		return r;
	w = perftools__profiles__profile__pack(&m, e->buf + e->len);
	if (w != n)
		return fw_err(e->err, -EIO, "protobuf-c packed %zu bytes of a %zu byte message", w, n);
	e->len += n;
	return 0;
}

static int encode_plain(struct enc *e)
{
	const struct fw_profile *p = e->p;
	int r;

	if (p->n_samples && !p->n_sample_types)
		return fw_err(e->err, -EINVAL, "cannot encode profile: samples without sample types");
	if (p->n_mappings >= UINT32_MAX || p->n_functions >= UINT32_MAX ||
	    p->n_locations >= UINT32_MAX || p->strings.n == 0)
		return fw_err(e->err, -EINVAL, "cannot encode profile: malformed tables");
	if (p->strings.len[0] != 0)
		return fw_err(e->err, -EINVAL, "cannot encode profile: string 0 is not empty");
	if ((r = ids_usable(e, p->n_mappings ? &p->mappings[0].id : NULL, p->n_mappings,
			    sizeof(*p->mappings), &e->keep_map_ids)) < 0 ||
	    (r = ids_usable(e, p->n_functions ? &p->functions[0].id : NULL, p->n_functions,
			    sizeof(*p->functions), &e->keep_func_ids)) < 0 ||
	    (r = ids_usable(e, p->n_locations ? &p->locations[0].id : NULL, p->n_locations,
			    sizeof(*p->locations), &e->keep_loc_ids)) < 0)
		return r;

	for (size_t i = 0; i < p->n_sample_types; i++)
		if ((r = put_value_type(e, 1, &p->sample_types[i])) < 0)
			return r;
	for (size_t i = 0; i < p->n_samples; i++)
		if ((r = put_sample(e, i)) < 0)
			return r;
	for (size_t i = 0; i < p->n_mappings; i++)
		if ((r = put_mapping(e, (uint32_t)i)) < 0)
			return r;
	for (size_t i = 0; i < p->n_locations; i++)
		if ((r = put_location(e, (uint32_t)i)) < 0)
			return r;
	for (size_t i = 0; i < p->n_functions; i++)
		if ((r = put_function(e, (uint32_t)i)) < 0)
			return r;
	for (size_t i = 0; i < p->strings.n; i++)
		if ((r = put_bytes_field(e, 6, fw_str(&p->strings, (uint32_t)i),
					 fw_strlen(&p->strings, (uint32_t)i))) < 0)
			return r;
	return put_header(e);
}

/* ---- public ---------------------------------------------------------------------- */

static int zsink_new(int fd, const char *name, struct zsink **out, struct fw_error *err)
{
	struct zsink *z = calloc(1, sizeof(*z));

	if (!z)
		return fw_err(err, -ENOMEM, "out of memory compressing the profile");
	z->fd = fd;
	z->name = name;
	if (deflateInit2(&z->zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK) {
		free(z);
		return fw_err(err, -ENOMEM, "cannot initialise zlib");
	}
	*out = z;
	return 0;
}

static void zsink_free(struct zsink *z)
{
	deflateEnd(&z->zs);
	free(z->mem);
	free(z);
}

/* Encodes p: into *buf (*len bytes) without z, else gzipped into z. */
static int encode(const struct fw_profile *p, struct zsink *z, uint8_t **buf, size_t *len, struct fw_error *err)
{
	struct enc e;
	int r;

	memset(&e, 0, sizeof(e));
	e.p = p;
	e.err = err;
	e.z = z;
	r = encode_plain(&e);
	if (r == 0 && z)
		r = zsink_flush(&e, true);
	free(e.ids);
	free(e.labels);
	free(e.label_ptrs);
	free(e.lines);
	free(e.line_ptrs);
	free(e.comments);
	if (r < 0 || z) {
		free(e.buf);
		e.buf = NULL;
		e.len = 0;
	}
	*buf = e.buf;
	*len = e.len;
	return r;
}

int fw_profile_encode(const struct fw_profile *p, bool gzip, uint8_t **out, size_t *len,
		      struct fw_error *err)
{
	struct zsink *z = NULL;
	uint8_t *buf;
	size_t n;
	int r;

	if (gzip && (r = zsink_new(-1, NULL, &z, err)) < 0)
		return r;
	r = encode(p, z, &buf, &n, err);
	if (r == 0 && z) { /* the compressed bytes are the caller's */
		buf = z->mem;
		n = z->mem_len;
		z->mem = NULL;
	}
	if (z)
		zsink_free(z);
	if (r < 0)
		return r;
	if (!buf && !(buf = malloc(1))) /* cannot happen: period_type is always written */
		return fw_err(err, -ENOMEM, "out of memory encoding the profile");
	*out = buf;
	*len = n;
	return 0;
}

/* The process umask, without changing it (umask() cannot be read without
 * setting it, which would race with other threads creating files). */
static mode_t current_umask(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	mode_t m = 022;

	if (!f)
		return m;
	while (fgets(line, sizeof(line), f)) {
		unsigned v;
		if (sscanf(line, "Umask: %o", &v) == 1) {
			m = (mode_t)(v & 0777);
			break;
		}
	}
	fclose(f);
	return m;
}

static int write_fully(int fd, const uint8_t *data, size_t len)
{
	while (len) {
		ssize_t k = write(fd, data, len > ((size_t)1 << 30) ? ((size_t)1 << 30) : len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			return -EIO;
		data += k;
		len -= (size_t)k;
	}
	return 0;
}

/* Makes the rename durable. Best effort: the file is in place already. */
static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return;
	(void)fsync(fd);
	close(fd);
}

int fw_profile_write_file(const struct fw_profile *p, const char *path, struct fw_error *err)
{
	const char *slash, *base;
	char *dir = NULL, *tmp = NULL;
	struct zsink *z = NULL;
	uint8_t *data = NULL;
	size_t len, dlen;
	struct stat st;
	mode_t mode;
	int fd = -1, r;

	if (!path || !*path)
		return fw_err(err, -EINVAL, "empty output file name");
	slash = strrchr(path, '/');
	base = slash ? slash + 1 : path;
	if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
		return fw_err(err, -EISDIR, "%s: is a directory", path);
	dlen = slash ? (size_t)(slash - path) : 1;
	dir = malloc(dlen + 2);
	tmp = malloc(strlen(path) + 16);
	if (!dir || !tmp) {
		r = fw_err(err, -ENOMEM, "%s: out of memory", path);
		goto out;
	}
	if (!slash)
		strcpy(dir, ".");
	else if (dlen == 0)
		strcpy(dir, "/");
	else {
		memcpy(dir, path, dlen);
		dir[dlen] = 0;
	}
	/* "DIR/.BASE.XXXXXX": hidden, and in the target's file system. */
	sprintf(tmp, "%.*s.%s.XXXXXX", (int)(base - path), path, base);

	/* A replaced file keeps its permissions; a new one gets 0666 & ~umask
	 * like any file the user creates (mkstemp's 0600 is too strict). */
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		mode = st.st_mode & 07777;
	else
		mode = 0666 & ~current_umask();

	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		r = fw_err(err, -errno, "%s: cannot create a temporary file in %s: %s", path, dir,
			   strerror(errno));
		goto out;
	}
	/* compressed into the file as it is encoded */
	if ((r = zsink_new(fd, tmp, &z, err)) < 0 || (r = encode(p, z, &data, &len, err)) < 0) {
		fw_err_prefix(err, "%s", path);
		goto fail;
	}
	if (fchmod(fd, mode) < 0) {
		r = fw_err(err, -errno, "%s: chmod %s: %s", path, tmp, strerror(errno));
		goto fail;
	}
	if (fsync(fd) < 0) {
		r = fw_err(err, -errno, "%s: fsync %s: %s", path, tmp, strerror(errno));
		goto fail;
	}
	r = close(fd);
	fd = -1;
	if (r < 0) {
		r = fw_err(err, -errno, "%s: writing %s: %s", path, tmp, strerror(errno));
		goto fail;
	}
	if (rename(tmp, path) < 0) {
		r = fw_err(err, -errno, "%s: cannot rename %s over it: %s", path, tmp,
			   strerror(errno));
		goto fail;
	}
	sync_dir(dir);
	r = 0;
	goto out;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
out:
	if (z)
		zsink_free(z);
	free(data);
	free(dir);
	free(tmp);
	return r;
}
