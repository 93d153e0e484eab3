/*
 * extract.c: flare zip extraction (see extract.h).
 *
 * Two passes over the archive:
 *
 * 1. scan(): our own reading of the zip structure, before anything is
 *    written. The end of central directory record (and its zip64 form),
 *    every central directory record and every local header are read with
 *    bounds checks, and the whole archive is refused on any bad name, entry
 *    type, encryption flag, compression method, duplicate, on too many
 *    entries, on declared sizes above the limits, and on any inconsistency:
 *    a central directory that is not where the end record says, a local
 *    header that disagrees with its central record, entries that overlap
 *    (a known zip-bomb construction) or data before the first entry. Doing
 *    this ourselves matters because libarchive hides some of it: it cuts
 *    names at a NUL, turns '\' into '/' in names from MS-DOS systems,
 *    reports FIFOs as regular files and prefers the local header's name.
 *
 * 2. extract(): libarchive decodes the entries (seekable zip reader only,
 *    which reads the central directory, so it sees the same entries as
 *    scan(), in local header order). Every entry it returns is matched
 *    against scan()'s record for that position (name and size) and checked
 *    again (type, encryption, name), and then written by us: folders
 *    created one component at a time with mkdirat() and opened with
 *    O_NOFOLLOW|O_DIRECTORY, files created with openat(O_CREAT|O_EXCL|
 *    O_NOFOLLOW), all relative to a descriptor of the destination. Nothing
 *    ever follows a symlink, and archive_write_disk is not used. A file
 *    gets its entry's modification time (flare.c may date a flare by it).
 *
 * Sizes and ratios: headers are only ever trusted to refuse. scan()
 * refuses an archive whose declared sizes exceed the total limit or whose
 * entries declare a ratio above max_ratio; while writing, we count the
 * bytes actually decoded and stop before writing a block that would take an
 * entry past its declared size or the archive past max_total_bytes. The
 * compression ratio is also measured while writing: libarchive does not
 * expose an entry's compressed size, so we take the bytes it has consumed
 * from the file since the entry's data began (archive_filter_bytes(a, -1)
 * deltas; its deflate reader consumes only what zlib used) and refuse as
 * soon as written / consumed exceeds max_ratio. Entries of at most 1 MiB
 * are exempt from both ratio checks: small text files (a log of repeated
 * lines, an empty YAML map padded with spaces) legitimately compress
 * beyond 200:1, and 10000 exempt entries still cannot write more than
 * max_total_bytes.
 *
 * Only zip is accepted (the contract: flares are zips); tar and tar.gz are
 * not, and neither are compression methods other than stored (0) and
 * deflate (8), which is all Go's archive/zip writes: libarchive's bzip2,
 * lzma, xz, ppmd and zstd decoders are never reached.
 */
#include "flare/extract.h"
#include "base/redact.h"

#include "flare/libarchive.h"

#ifndef ARCHIVE_VERSION_NUMBER
#error "libarchive's archive.h is missing: compile with the libarchive pkg-config flags"
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RATIO_EXEMPT	(1u << 20)	/* entries up to 1 MiB skip the ratio checks */
#define MAX_COMPONENTS	64
#define MAX_CD_SIZE	(64u << 20)	/* 10000 entries with PATH_MAX names fit */
#define EOCD_LEN	22
#define EOCD_SEARCH	(EOCD_LEN + 65535)	/* the record plus the longest comment */
#define EOCD64_LEN	56
#define LOC64_LEN	20
#define CEN_LEN		46
#define LOC_LEN		30

void fw_archive_limits_default(struct fw_archive_limits *l)
{
	l->max_entries = 10000;
	l->max_total_bytes = (uint64_t)2 << 30;
	l->max_ratio = 200;
}

void fw_archive_limits_config(struct fw_archive_limits *l, const struct fw_config *cfg)
{
	fw_archive_limits_default(l);
	l->max_entries = cfg->archive.max_entries;
	l->max_total_bytes = cfg->archive.max_total_size;
	l->max_ratio = (uint32_t)cfg->archive.max_compression_ratio;
}

/* One entry as the central directory describes it. */
struct zrec {
	uint64_t local;		/* offset of the local header */
	uint64_t csize, usize;	/* compressed and uncompressed sizes */
	const char *name;	/* in the central directory buffer, not NUL-terminated */
	uint32_t crc;
	uint16_t nlen;
	uint16_t flags;
	uint16_t method;
};

struct ex {
	const char *path;	/* the archive, for messages */
	struct fw_error *err;
	struct fw_archive_limits lim;
	int fd;			/* the archive */
	uint64_t size;		/* its size */
	uint8_t *cd;		/* the central directory */
	size_t n_cd;		/* its size */
	struct zrec *recs;	/* in local header order, as libarchive reads them */
	size_t n;
	const struct fw_libarchive *la; /* libarchive, loaded by extract() */
	struct archive *a;
	int root;		/* the destination folder */
	uint64_t total;		/* bytes written so far */
};

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* ---- messages ---------------------------------------------------------- */

/* An entry name for messages: redacted first (a key must not survive by
 * being cut or escaped apart), then printable ASCII as is, anything else
 * as \xNN, cut after 160 bytes. */
static void shown(char *out, size_t outlen, const char *name, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t k = 0, rlen;
	char *red = fw_redact(name, len, &rlen);

	if (!red) {
		snprintf(out, outlen, "?");
		return;
	}
	for (size_t i = 0; i < rlen; i++) {
		unsigned char c = (unsigned char)red[i];
		if (k + 8 >= outlen || i >= 160) {
			memcpy(out + k, "...", 3);
			k += 3;
			break;
		}
		if (c >= 0x20 && c < 0x7f) {
			out[k++] = (char)c;
		} else {
			out[k++] = '\\';
			out[k++] = 'x';
			out[k++] = hex[c >> 4];
			out[k++] = hex[c & 15];
		}
	}
	out[k] = 0;
	free(red);
}

static int refuse(struct ex *x, int code, const struct zrec *r, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Fails the archive: "<archive>: entry "<name>": <why>" (r NULL: no entry). */
static int refuse(struct ex *x, int code, const struct zrec *r, const char *fmt, ...)
{
	char why[512], name[700];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (!r)
		return fw_err(x->err, code, "%s: %s", x->path, why);
	shown(name, sizeof(name), r->name, r->nlen);
	return fw_err(x->err, code, "%s: entry \"%s\": %s", x->path, name, why);
}

static const char *la_error(const struct ex *x)
{
	const char *s = x->la->error_string(x->a);
	return s ? s : "unknown libarchive error";
}

/* ---- names ---------------------------------------------------------------- */

/* Checks a name (len bytes) and splits it into components, copied into
 * buf (PATH_MAX bytes). *dir is set when the name ends in '/'. Returns
 * NULL, or why the name is refused. */
static const char *split_name(const char *name, size_t len, char *buf, char **comps, int *ncomps,
			      bool *dir)
{
	char *p, *end;

	*ncomps = 0;
	*dir = false;
	if (len == 0)
		return "empty name";
	if (len >= PATH_MAX)
		return "name of PATH_MAX bytes or more";
	if (memchr(name, 0, len))
		return "NUL byte in the name";
	if (name[0] == '/')
		return "absolute path";
	if (memchr(name, '\\', len))
		return "backslash in the name (Windows path separators are not accepted)";
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return "control character in the name";
	memcpy(buf, name, len);
	buf[len] = 0;
	if (buf[len - 1] == '/') {
		*dir = true;
		buf[--len] = 0;
		if (len == 0)
			return "empty name";
	}
	for (p = buf; p; p = end) {
		end = strchr(p, '/');
		if (end)
			*end++ = 0;
		if (!*p)
			return "empty path component (\"//\")";
		if (!strcmp(p, "."))
			return "\".\" path component";
		if (!strcmp(p, ".."))
			return "\"..\" path component";
		if (strlen(p) > NAME_MAX)
			return "path component longer than NAME_MAX";
		if (*ncomps == MAX_COMPONENTS)
			return "more than 64 path components";
		comps[(*ncomps)++] = p;
	}
	return NULL;
}

/* ---- pass 1: the zip structure ---------------------------------------------- */

static int read_at(struct ex *x, void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;

	if (off > x->size || len > x->size - off)
		return refuse(x, -EBADMSG, NULL, "truncated archive (a record at byte %llu "
			      "runs past its end)", (unsigned long long)off);
	while (len) {
		ssize_t k = pread(x->fd, p, len, (off_t)off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return fw_err(x->err, -errno, "%s: %s", x->path, strerror(errno));
		if (k == 0)
			return refuse(x, -EBADMSG, NULL, "archive shrank while being read");
		p += k;
		off += (uint64_t)k;
		len -= (size_t)k;
	}
	return 0;
}

static const char *method_name(unsigned m)
{
	switch (m) {
	case 1: return "shrink";
	case 6: return "implode";
	case 9: return "deflate64";
	case 12: return "bzip2";
	case 14: return "lzma";
	case 93: return "zstd";
	case 95: return "xz";
	case 98: return "ppmd";
	case 99: return "AES encryption";
	default: return "unknown";
	}
}

/* Finds the central directory: sets *cd_off, *cd_size, *count. */
static int find_cd(struct ex *x, uint64_t *cd_off, uint64_t *cd_size, uint64_t *count)
{
	uint8_t *tail, *e, loc[LOC64_LEN], e64[EOCD64_LEN];
	uint64_t tlen, eocd, cd_end, n_disk;
	size_t i;
	bool found = false;
	int r;

	if (x->size < EOCD_LEN)
		return refuse(x, -EBADMSG, NULL, "not a zip archive (%llu bytes)",
			      (unsigned long long)x->size);
	/* The end record is the last thing in the file but a comment of at
	 * most 65535 bytes. Take the last signature, as libarchive does. */
	tlen = x->size < EOCD_SEARCH ? x->size : EOCD_SEARCH;
	tail = malloc(tlen);
	if (!tail)
		return fw_err(x->err, -ENOMEM, "%s: out of memory", x->path);
	if ((r = read_at(x, tail, tlen, x->size - tlen)) < 0)
		goto out;
	for (i = tlen - EOCD_LEN + 1; i-- > 0;) {
		if (!memcmp(tail + i, "PK\5\6", 4)) {
			found = true;
			break;
		}
	}
	if (!found) {
		r = refuse(x, -EBADMSG, NULL, "not a zip archive, or truncated "
			   "(no end of central directory record)");
		goto out;
	}
	e = tail + i;
	eocd = x->size - tlen + i;
	if (eocd + EOCD_LEN + le16(e + 20) > x->size) {
		r = refuse(x, -EBADMSG, NULL, "truncated archive (the archive comment is cut)");
		goto out;
	}
	if (i < LOC64_LEN || memcmp(e - LOC64_LEN, "PK\6\7", 4)) {
		if (le16(e + 4) != 0 || le16(e + 6) != 0 || le16(e + 8) != le16(e + 10)) {
			r = refuse(x, -ENOTSUP, NULL, "multi-volume archives are not supported");
			goto out;
		}
		*count = le16(e + 10);
		*cd_size = le32(e + 12);
		*cd_off = le32(e + 16);
		cd_end = eocd;
	} else {
		/* zip64: the locator just before the end record points at
		 * the zip64 end record, which must sit just before it; the
		 * 32-bit fields are then 0xffff(ffff) and not used. */
		uint64_t e64_off, e64_len;

		memcpy(loc, e - LOC64_LEN, LOC64_LEN);
		e64_off = le64(loc + 8);
		if (le32(loc + 4) != 0 || le32(loc + 16) > 1) {
			r = refuse(x, -ENOTSUP, NULL, "multi-volume archives are not supported");
			goto out;
		}
		if (e64_off > eocd - LOC64_LEN || eocd - LOC64_LEN - e64_off < EOCD64_LEN) {
			r = refuse(x, -EBADMSG, NULL, "bad zip64 end of central directory locator");
			goto out;
		}
		if ((r = read_at(x, e64, EOCD64_LEN, e64_off)) < 0)
			goto out;
		e64_len = le64(e64 + 4);
		if (memcmp(e64, "PK\6\6", 4) || e64_len > UINT64_MAX - 12 ||
		    e64_off + 12 + e64_len != eocd - LOC64_LEN) {
			r = refuse(x, -EBADMSG, NULL, "bad zip64 end of central directory record");
			goto out;
		}
		n_disk = le64(e64 + 24);
		if (le32(e64 + 16) != 0 || le32(e64 + 20) != 0 || n_disk != le64(e64 + 32)) {
			r = refuse(x, -ENOTSUP, NULL, "multi-volume archives are not supported");
			goto out;
		}
		*count = le64(e64 + 32);
		*cd_size = le64(e64 + 40);
		*cd_off = le64(e64 + 48);
		cd_end = e64_off;
	}
	/* The central directory ends where the end records begin: no
	 * self-extractor stub or other data shifts the offsets. */
	if (*cd_off > cd_end || cd_end - *cd_off != *cd_size) {
		r = refuse(x, -EBADMSG, NULL, "the central directory is not where the end record "
			   "says (truncated, or data added to the archive)");
		goto out;
	}
	r = 0;
out:
	free(tail);
	return r;
}

/* Reads the zip64 extended information of a central record: the fields
 * whose 32-bit values are 0xffffffff follow in this order. */
static int zip64_extra(struct ex *x, const struct zrec *r, const uint8_t *xf, size_t xlen,
		       bool want_u, bool want_c, bool want_l, struct zrec *out)
{
	size_t p = 0;

	while (p + 4 <= xlen) {
		uint16_t id = le16(xf + p), len = le16(xf + p + 2);
		const uint8_t *d = xf + p + 4;
		size_t need = 8 * ((size_t)want_u + want_c + want_l);

		if (len > xlen - p - 4)
			break;
		if (id == 1) {
			if (len < need)
				break;
			if (want_u) {
				out->usize = le64(d);
				d += 8;
			}
			if (want_c) {
				out->csize = le64(d);
				d += 8;
			}
			if (want_l)
				out->local = le64(d);
			return 0;
		}
		p += 4 + (size_t)len;
	}
	return refuse(x, -EBADMSG, r, "zip64 sizes missing or cut (corrupt central directory)");
}

static const char *unix_type(uint32_t ext, uint8_t system)
{
	/* Only Unix archivers (system 3) store a file type: S_IFMT in the
	 * high half of the external attributes. */
	if (system != 3)
		return NULL;
	switch ((ext >> 16) & S_IFMT) {
	case 0: case S_IFREG: case S_IFDIR: return NULL;
	case S_IFLNK: return "symbolic link";
	case S_IFCHR: return "character device";
	case S_IFBLK: return "block device";
	case S_IFIFO: return "FIFO";
	case S_IFSOCK: return "socket";
	default: return "unknown file type";
	}
}

/* Checks one central record at cd[p], fills *r and returns its length
 * (> 0), or a negative errno. */
static long parse_record(struct ex *x, size_t p, struct zrec *r)
{
	const uint8_t *c = x->cd + p;
	size_t avail = x->n_cd - p, nlen, xlen, clen;
	uint32_t csize, usize, local;
	char buf[PATH_MAX], *comps[MAX_COMPONENTS];
	const char *why;
	int ncomps;
	bool dir;

	if (avail < CEN_LEN || memcmp(c, "PK\1\2", 4))
		return refuse(x, -EBADMSG, NULL, "corrupt central directory (record %zu)", x->n);
	nlen = le16(c + 28);
	xlen = le16(c + 30);
	clen = le16(c + 32);
	if (CEN_LEN + nlen + xlen + clen > avail)
		return refuse(x, -EBADMSG, NULL, "corrupt central directory (record %zu is cut)",
			      x->n);
	memset(r, 0, sizeof(*r));
	r->name = (const char *)c + CEN_LEN;
	r->nlen = (uint16_t)nlen;
	r->flags = le16(c + 8);
	r->method = le16(c + 10);
	r->crc = le32(c + 16);
	csize = le32(c + 20);
	usize = le32(c + 24);
	local = le32(c + 42);
	r->csize = csize;
	r->usize = usize;
	r->local = local;
	if (csize == UINT32_MAX || usize == UINT32_MAX || local == UINT32_MAX) {
		int e = zip64_extra(x, r, c + CEN_LEN + nlen, xlen, usize == UINT32_MAX,
				    csize == UINT32_MAX, local == UINT32_MAX, r);
		if (e < 0)
			return e;
	}
	if (le16(c + 34) != 0 && le16(c + 34) != UINT16_MAX)
		return refuse(x, -ENOTSUP, r, "multi-volume archives are not supported");
	if ((why = split_name(r->name, r->nlen, buf, comps, &ncomps, &dir)) != NULL)
		return refuse(x, -EINVAL, r, "%s", why);
	/* bit 0: encrypted; bit 6: strong encryption; method 99: AES */
	if ((r->flags & 0x41) || r->method == 99)
		return refuse(x, -ENOTSUP, r, "encrypted entry");
	if (r->method != 0 && r->method != 8)
		return refuse(x, -ENOTSUP, r, "compression method %u (%s) is not accepted, only "
			      "stored and deflate", r->method, method_name(r->method));
	if ((why = unix_type(le32(c + 38), c[5])) != NULL)
		return refuse(x, -EINVAL, r, "%s", why);
	if (r->usize > RATIO_EXEMPT &&
	    (r->csize == 0 || r->usize / r->csize > x->lim.max_ratio))
		return refuse(x, -EFBIG, r, "declares %llu bytes compressed to %llu: more than "
			      "%u:1 (an archive bomb?)", (unsigned long long)r->usize,
			      (unsigned long long)r->csize, x->lim.max_ratio);
	return (long)(CEN_LEN + nlen + xlen + clen);
}

static int cmp_local(const void *a, const void *b)
{
	const struct zrec *p = a, *q = b;
	return p->local < q->local ? -1 : p->local > q->local;
}

/* Names compare without a trailing '/': "a" and "a/" clash. */
static size_t base_len(const struct zrec *r)
{
	return r->nlen && r->name[r->nlen - 1] == '/' ? r->nlen - 1u : r->nlen;
}

static int cmp_name(const void *a, const void *b)
{
	const struct zrec *p = *(const struct zrec *const *)a, *q = *(const struct zrec *const *)b;
	size_t lp = base_len(p), lq = base_len(q);
	int c = memcmp(p->name, q->name, lp < lq ? lp : lq);
	return c ? c : (lp > lq) - (lp < lq);
}

static int check_duplicates(struct ex *x)
{
	const struct zrec **v;
	int r = 0;

	if (x->n < 2)
		return 0;
	v = malloc(x->n * sizeof(*v));
	if (!v)
		return fw_err(x->err, -ENOMEM, "%s: out of memory", x->path);
	for (size_t i = 0; i < x->n; i++)
		v[i] = &x->recs[i];
	fw_qsort(v, x->n, sizeof(*v), cmp_name);
	for (size_t i = 1; i < x->n; i++) {
		if (!cmp_name(&v[i - 1], &v[i])) {
			r = refuse(x, -EEXIST, v[i], "duplicate entry");
			break;
		}
	}
	free(v);
	return r;
}

/* A local header with 0xffffffff sizes has both in a zip64 extra field
 * (uncompressed first); libarchive reads them, so they must agree with the
 * central directory. 0 means "in the data descriptor". buf: 64 KiB. */
static int check_local_zip64(struct ex *x, const struct zrec *z, char *buf, uint16_t xlen)
{
	const uint8_t *xf = (const uint8_t *)buf;
	size_t p = 0;
	int r;

	if ((r = read_at(x, buf, xlen, z->local + LOC_LEN + z->nlen)) < 0)
		return r;
	while (p + 4 <= xlen) {
		uint16_t id = le16(xf + p), len = le16(xf + p + 2);
		if (len > xlen - p - 4)
			break;
		if (id == 1 && len >= 16) {
			uint64_t u = le64(xf + p + 4), c = le64(xf + p + 12);
			if ((u && u != z->usize) || (c && c != z->csize))
				return refuse(x, -EBADMSG, z, "local header disagrees with the "
					      "central directory (zip64 sizes)");
			return 0;
		}
		p += 4 + (size_t)len;
	}
	return refuse(x, -EBADMSG, z, "local header without its zip64 sizes");
}

/* Checks each local header against its central record, and that entries
 * neither overlap nor run into the central directory. recs are sorted. */
static int check_locals(struct ex *x, uint64_t cd_off)
{
	uint8_t h[LOC_LEN];
	char *name = NULL;
	int r = 0;

	if (x->n && x->recs[0].local != 0)
		return refuse(x, -EBADMSG, NULL, "data before the first entry");
	name = malloc(UINT16_MAX);
	if (!name)
		return fw_err(x->err, -ENOMEM, "%s: out of memory", x->path);
	for (size_t i = 0; i < x->n; i++) {
		const struct zrec *z = &x->recs[i];
		uint64_t end = i + 1 < x->n ? x->recs[i + 1].local : cd_off, data;
		uint32_t lc, lu, crc;

		if (z->local > end || end - z->local < LOC_LEN) {
			r = refuse(x, -EBADMSG, z, "local header overlaps the next entry or the "
				   "central directory");
			break;
		}
		if ((r = read_at(x, h, LOC_LEN, z->local)) < 0)
			break;
		if (memcmp(h, "PK\3\4", 4)) {
			r = refuse(x, -EBADMSG, z, "no local header where the central directory "
				   "says");
			break;
		}
		if (le16(h + 6) & 0x41) {
			r = refuse(x, -ENOTSUP, z, "encrypted entry (local header)");
			break;
		}
		if (le16(h + 8) != z->method || le16(h + 26) != z->nlen) {
			r = refuse(x, -EBADMSG, z, "local header disagrees with the central "
				   "directory (method or name)");
			break;
		}
		/* With bit 3 (Go's archive/zip) these are 0 and the data
		 * descriptor has them; zip64 puts 0xffffffff. */
		crc = le32(h + 14);
		lc = le32(h + 18);
		lu = le32(h + 22);
		if ((crc && crc != z->crc) || (lc && lc != UINT32_MAX && lc != z->csize) ||
		    (lu && lu != UINT32_MAX && lu != z->usize)) {
			r = refuse(x, -EBADMSG, z, "local header disagrees with the central "
				   "directory (CRC or sizes)");
			break;
		}
		if ((r = read_at(x, name, z->nlen, z->local + LOC_LEN)) < 0)
			break;
		if (memcmp(name, z->name, z->nlen)) {
			r = refuse(x, -EBADMSG, z, "local header disagrees with the central "
				   "directory (name)");
			break;
		}
		data = z->local + LOC_LEN + z->nlen + le16(h + 28);
		if (data > end) {
			r = refuse(x, -EBADMSG, z, "local header overlaps the next entry or the "
				   "central directory");
			break;
		}
		if ((lc == UINT32_MAX || lu == UINT32_MAX) &&
		    (r = check_local_zip64(x, z, name, le16(h + 28))) < 0)
			break;
		if (end - data < z->csize) {
			r = refuse(x, -EBADMSG, z, "data overlaps the next entry or the central "
				   "directory (overlapping entries are an archive-bomb technique)");
			break;
		}
	}
	free(name);
	return r;
}

static int scan(struct ex *x)
{
	uint64_t cd_off = 0, cd_size = 0, count = 0, declared = 0;
	size_t p = 0;
	int r;

	if ((r = find_cd(x, &cd_off, &cd_size, &count)) < 0)
		return r;
	if (count > x->lim.max_entries)
		return refuse(x, -E2BIG, NULL, "%llu entries, more than the limit of %llu",
			      (unsigned long long)count, (unsigned long long)x->lim.max_entries);
	if (cd_size > MAX_CD_SIZE)
		return refuse(x, -E2BIG, NULL, "central directory of %llu bytes, more than %u",
			      (unsigned long long)cd_size, MAX_CD_SIZE);
	if (count > cd_size / CEN_LEN)
		return refuse(x, -EBADMSG, NULL, "the central directory is too small for %llu "
			      "entries", (unsigned long long)count);
	x->n_cd = (size_t)cd_size;
	x->cd = malloc(x->n_cd ? x->n_cd : 1);
	x->recs = calloc(count ? (size_t)count : 1, sizeof(*x->recs));
	if (!x->cd || !x->recs)
		return fw_err(x->err, -ENOMEM, "%s: out of memory", x->path);
	if ((r = read_at(x, x->cd, x->n_cd, cd_off)) < 0)
		return r;
	while (x->n < count) {
		struct zrec *z = &x->recs[x->n];
		long len = parse_record(x, p, z);
		if (len < 0)
			return (int)len;
		p += (size_t)len;
		x->n++;
		if (z->usize > x->lim.max_total_bytes - declared)
			return refuse(x, -EFBIG, z, "the archive declares more than %llu bytes "
				      "in total (the limit)",
				      (unsigned long long)x->lim.max_total_bytes);
		declared += z->usize;
	}
	if (p != x->n_cd)
		return refuse(x, -EBADMSG, NULL, "the central directory holds more than the %llu "
			      "entries it declares", (unsigned long long)count);
	if ((r = check_duplicates(x)) < 0)
		return r;
	fw_qsort(x->recs, x->n, sizeof(*x->recs), cmp_local);
	return check_locals(x, cd_off);
}

/* ---- pass 2: decoding and writing ------------------------------------------- */

/* Opens the folder comps[0..n) below root, creating what is missing.
 * Returns a descriptor, -ENOTDIR when a component exists and is not a
 * folder, or another negative errno. */
static int open_folder(int root, char *const *comps, int n)
{
	int fd = fcntl(root, F_DUPFD_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	for (int i = 0; i < n; i++) {
		int sub, e;

		if (mkdirat(fd, comps[i], 0700) < 0 && errno != EEXIST) {
			e = errno;
			close(fd);
			return -e;
		}
		sub = openat(fd, comps[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
		e = errno;
		close(fd);
		if (sub < 0)
			return e == ELOOP ? -ENOTDIR : -e;
		fd = sub;
	}
	return fd;
}

static int folder_error(struct ex *x, const struct zrec *z, int e)
{
	if (e == -ENOTDIR)
		return refuse(x, -EEXIST, z, "name clash: its path goes through a file");
	return refuse(x, e, z, "cannot create its folder: %s", strerror(-e));
}

static int write_all(struct ex *x, const struct zrec *z, int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t k = write(fd, p, len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return refuse(x, -errno, z, "write failed: %s", strerror(errno));
		if (k == 0)
			return refuse(x, -EIO, z, "write failed: wrote nothing");
		p += k;
		len -= (size_t)k;
	}
	return 0;
}

static int write_data(struct ex *x, const struct zrec *z, int fd)
{
	int64_t start = x->la->filter_bytes(x->a, -1);
	uint64_t written = 0;

	for (;;) {
		const void *buf;
		size_t size;
		la_int64_t off;
		int r = x->la->read_data_block(x->a, &buf, &size, &off);

		if (r == ARCHIVE_EOF)
			break;
		/* ARCHIVE_WARN too: that is how a bad CRC is reported */
		if (r != ARCHIVE_OK)
			return refuse(x, -EBADMSG, z, "corrupt data: %s", la_error(x));
		if (off < 0 || (uint64_t)off != written)
			return refuse(x, -EBADMSG, z, "corrupt data: out of order");
		/* Every check runs before the block is written. */
		if (size > z->usize - written)
			return refuse(x, -EBADMSG, z, "more data than the %llu bytes the central "
				      "directory declares", (unsigned long long)z->usize);
		if (size > x->lim.max_total_bytes - x->total)
			return refuse(x, -EFBIG, z, "the archive expands to more than %llu bytes "
				      "(the limit)", (unsigned long long)x->lim.max_total_bytes);
		if (written + size > RATIO_EXEMPT) {
			int64_t used = x->la->filter_bytes(x->a, -1) - start;
			uint64_t u = used > 0 ? (uint64_t)used : 1;

			if ((written + size) / u > x->lim.max_ratio)
				return refuse(x, -EFBIG, z, "expands more than %u:1 (%llu bytes "
					      "from %llu; an archive bomb?)", x->lim.max_ratio,
					      (unsigned long long)(written + size),
					      (unsigned long long)u);
		}
		if ((r = write_all(x, z, fd, buf, size)) < 0)
			return r;
		written += size;
		x->total += size;
	}
	if (written != z->usize)
		return refuse(x, -EBADMSG, z, "%llu bytes of data, the central directory declares "
			      "%llu", (unsigned long long)written, (unsigned long long)z->usize);
	return 0;
}

static int extract_entry(struct ex *x, const struct zrec *z, struct archive_entry *e)
{
	char buf[PATH_MAX], *comps[MAX_COMPONENTS];
	mode_t type = x->la->entry_filetype(e);
	const char *name, *why;
	int ncomps, parent, fd, r, errnum;
	bool dir;

	/* libarchive must be reading the entry that scan() checked. Its
	 * name is NULL when it cannot be converted to the locale (UTF-8
	 * names in the C locale): the position and size then match it. */
	name = x->la->entry_pathname(e);
	if (!name && (z->flags & 0x800))
		name = x->la->entry_pathname_utf8(e);
	if (name && (strlen(name) != z->nlen || memcmp(name, z->name, z->nlen))) {
		char other[700];
		shown(other, sizeof(other), name, strlen(name));
		return refuse(x, -EBADMSG, z, "libarchive reads it as \"%s\" (inconsistent "
			      "archive)", other);
	}
	if (x->la->entry_size_is_set(e) && (uint64_t)x->la->entry_size(e) != z->usize)
		return refuse(x, -EBADMSG, z, "libarchive reads a size of %lld, the central "
			      "directory declares %llu", (long long)x->la->entry_size(e),
			      (unsigned long long)z->usize);
	if (x->la->entry_is_encrypted(e))
		return refuse(x, -ENOTSUP, z, "encrypted entry");
	if (x->la->entry_hardlink(e))
		return refuse(x, -EINVAL, z, "hard link");
	if (type == AE_IFLNK || x->la->entry_symlink(e))
		return refuse(x, -EINVAL, z, "symbolic link");
	if (type != AE_IFREG && type != AE_IFDIR)
		return refuse(x, -EINVAL, z, "device, FIFO or socket");
	if ((why = split_name(z->name, z->nlen, buf, comps, &ncomps, &dir)) != NULL)
		return refuse(x, -EINVAL, z, "%s", why);
	if (type == AE_IFDIR) {
		fd = open_folder(x->root, comps, ncomps);
		if (fd < 0)
			return folder_error(x, z, fd);
		close(fd);
		return 0;
	}
	if (dir)
		return refuse(x, -EINVAL, z, "a file with a folder name (ending in '/')");
	parent = open_folder(x->root, comps, ncomps - 1);
	if (parent < 0)
		return folder_error(x, z, parent);
	fd = openat(parent, comps[ncomps - 1],
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	errnum = errno;
	close(parent);
	if (fd < 0 && errnum == EEXIST)
		return refuse(x, -EEXIST, z, "duplicate entry (a file or folder of that name "
			      "exists)");
	if (fd < 0)
		return refuse(x, -errnum, z, "cannot create the file: %s", strerror(errnum));
	r = write_data(x, z, fd);
	/* the entry's time, not the extraction's: it may date the flare */
	if (r == 0 && x->la->entry_mtime_is_set(e)) {
		struct timespec ts[2] = { { .tv_sec = x->la->entry_mtime(e) },
					  { .tv_sec = x->la->entry_mtime(e) } };
		if (futimens(fd, ts) < 0)
			r = refuse(x, -errno, z, "cannot set the file time: %s", strerror(errno));
	}
	if (close(fd) < 0 && r == 0)
		r = refuse(x, -errno, z, "write failed: %s", strerror(errno));
	return r;
}

static int extract(struct ex *x)
{
	struct archive_entry *e;
	int r;

	x->la = fw_libarchive(x->err);
	if (!x->la) {
		fw_err_prefix(x->err, "%s", x->path);
		return -ENOENT;
	}
	x->a = x->la->read_new();
	if (!x->a)
		return fw_err(x->err, -ENOMEM, "%s: out of memory", x->path);
	/* The seekable reader works from the central directory, as scan()
	 * did; the streaming one would trust the local headers instead. */
	if (x->la->read_support_format_zip_seekable(x->a) != ARCHIVE_OK)
		return fw_err(x->err, -ENOTSUP, "%s: libarchive: %s", x->path, la_error(x));
	if (x->la->read_open_fd(x->a, x->fd, 64 * 1024) != ARCHIVE_OK)
		return refuse(x, -EBADMSG, NULL, "not a readable zip archive: %s", la_error(x));
	for (size_t i = 0; i < x->n; i++) {
		const struct zrec *z = &x->recs[i];

		r = x->la->read_next_header(x->a, &e);
		if (r == ARCHIVE_EOF)
			return refuse(x, -EBADMSG, NULL, "libarchive read %zu entries, the central "
				      "directory lists %zu", i, x->n);
		/* ARCHIVE_WARN is accepted here: it reports names that cannot
		 * be converted to the locale; everything else about the
		 * entry is checked by extract_entry() and scan(). */
		if (r < ARCHIVE_WARN)
			return refuse(x, -EBADMSG, z, "corrupt entry: %s", la_error(x));
		if ((r = extract_entry(x, z, e)) < 0)
			return r;
	}
	r = x->la->read_next_header(x->a, &e);
	if (r != ARCHIVE_EOF)
		return refuse(x, -EBADMSG, NULL, "libarchive finds more than the %zu entries of "
			      "the central directory%s%s", x->n, r < ARCHIVE_WARN ? ": " : "",
			      r < ARCHIVE_WARN ? la_error(x) : "");
	return 0;
}

/* The destination must be ours, private and empty. */
static int check_destination(struct ex *x, const char *dir)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd, r = 0;

	if (fstat(x->root, &st) < 0)
		return fw_err(x->err, -errno, "%s: %s", dir, strerror(errno));
	if (st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH)))
		return fw_err(x->err, -EPERM, "%s: the destination folder is not private (owner "
			      "%u, mode %04o)", dir, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
	fd = openat(x->root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return fw_err(x->err, -errno, "%s: %s", dir, strerror(errno));
	d = fdopendir(fd);
	if (!d) {
		r = fw_err(x->err, -errno, "%s: %s", dir, strerror(errno));
		close(fd);
		return r;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				r = fw_err(x->err, -errno, "%s: %s", dir, strerror(errno));
			break;
		}
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			r = fw_err(x->err, -ENOTEMPTY, "%s: the destination folder is not empty", dir);
			break;
		}
	}
	closedir(d);
	return r;
}

int fw_archive_extract(const char *path, const char *dir, const struct fw_archive_limits *lim,
		       struct fw_error *err)
{
	struct ex x;
	struct stat st;
	int r;

	memset(&x, 0, sizeof(x));
	x.fd = -1;
	x.root = -1;
	x.path = path;
	x.err = err;
	if (!path || !dir)
		return fw_err(err, -EINVAL, "archive extraction: no archive or no destination");
	if (lim)
		x.lim = *lim;
	else
		fw_archive_limits_default(&x.lim);

	x.root = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (x.root < 0) {
		r = fw_err(err, -errno, "%s: %s", dir, strerror(errno));
		goto out;
	}
	if ((r = check_destination(&x, dir)) < 0)
		goto out;
	/* O_NONBLOCK: opening a FIFO put in the archive's place must not hang */
	x.fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (x.fd < 0) {
		r = fw_err(err, -errno, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (fstat(x.fd, &st) < 0) {
		r = fw_err(err, -errno, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = fw_err(err, -EINVAL, "%s: not a regular file", path);
		goto out;
	}
	if (fcntl(x.fd, F_SETFL, 0) < 0) {
		r = fw_err(err, -errno, "%s: %s", path, strerror(errno));
		goto out;
	}
	x.size = (uint64_t)st.st_size;
	if ((r = scan(&x)) < 0)
		goto out;
	r = extract(&x);
out:
	if (x.a)
		x.la->read_free(x.a);
	free(x.cd);
	free(x.recs);
	if (x.fd >= 0)
		close(x.fd);
	if (x.root >= 0)
		close(x.root);
	return r;
}
