/*
 * util.c: error messages, checked growth, whole-file reads, hashing, a
 * text buffer and the UTF-8 decoder with the output-safety helpers built on
 * it. Nothing here knows about profiles or flares.
 */
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int fw_err(struct fw_error *err, int code, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

void fw_err_prefix(struct fw_error *err, const char *fmt, ...)
{
	char prefix[512];
	size_t plen, room = sizeof(err->msg);
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	plen = strlen(prefix);
	/* Shift the old message right, dropping its tail if it no longer fits. */
	memmove(err->msg + plen + 2, err->msg, room - plen - 2);
	memcpy(err->msg, prefix, plen);
	err->msg[plen] = ':';
	err->msg[plen + 1] = ' ';
	err->msg[room - 1] = 0;
}

int fw_grow(void **buf, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *p;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 8;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return -ENOMEM;
		ncap *= 2;
	}
	if (elem && ncap > SIZE_MAX / elem)
		return -ENOMEM;
	p = realloc(*buf, ncap * elem);
	if (!p)
		return -ENOMEM;
	*buf = p;
	*cap = ncap;
	return 0;
}

int fw_open_regular(const char *path, size_t max, struct stat *st, struct fw_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	int r;

	if (fd < 0)
		return fw_err(err, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, st) < 0)
		r = fw_err(err, -errno, "%s: %s", path, strerror(errno));
	else if (!S_ISREG(st->st_mode))
		r = fw_err(err, -EINVAL, "%s: not a regular file", path);
	else if ((uint64_t)st->st_size > max)
		r = fw_err(err, -EFBIG, "%s: file is %lld bytes, the limit is %zu", path,
			   (long long)st->st_size, max);
	else
		return fd;
	close(fd);
	return r;
}

int fw_read_fd(int fd, const char *path, const struct stat *st, uint8_t **out, size_t *len,
	       struct fw_error *err)
{
	uint8_t *data = malloc((size_t)st->st_size + 1);
	size_t n = 0;

	if (!data)
		return fw_err(err, -ENOMEM, "%s: out of memory", path);
	while (n < (size_t)st->st_size) {
		ssize_t k = pread(fd, data + n, (size_t)st->st_size - n, (off_t)n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			int e = errno;
			free(data);
			return fw_err(err, -e, "%s: %s", path, strerror(e));
		}
		if (k == 0)
			break; /* file shrank under us: take what is there */
		n += (size_t)k;
	}
	data[n] = 0;
	*out = data;
	*len = n;
	return 0;
}

int fw_read_file(const char *path, size_t max, uint8_t **out, size_t *len,
		 struct fw_error *err)
{
	struct stat st;
	int fd, r;

	fd = fw_open_regular(path, max, &st, err);
	if (fd < 0)
		return fd;
	r = fw_read_fd(fd, path, &st, out, len, err);
	close(fd);
	return r;
}

uint64_t fw_hash_bytes(const void *data, size_t len, uint64_t seed)
{
	/* FNV-1a, then a final mix. Not cryptographic; only for tables. */
	const uint8_t *p = data;
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return fw_hash_u64(h, len);
}

void fw_buf_init(struct fw_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void fw_buf_free(struct fw_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

void fw_buf_putn(struct fw_buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (n > SIZE_MAX - b->len - 1 ||
	    fw_grow((void **)&b->data, &b->cap, b->len + n + 1, 1) < 0) {
		b->failed = true;
		return;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = 0;
}

void fw_buf_reserve(struct fw_buf *b, size_t n)
{
	char *p;

	if (b->failed || b->cap - b->len > n)
		return;
	if (n > SIZE_MAX - b->len - 1 || !(p = realloc(b->data, b->len + n + 1))) {
		b->failed = true;
		return;
	}
	b->data = p;
	b->cap = b->len + n + 1;
}

void fw_buf_puts(struct fw_buf *b, const char *s)
{
	fw_buf_putn(b, s, strlen(s));
}

void fw_buf_putc(struct fw_buf *b, char c)
{
	fw_buf_putn(b, &c, 1);
}

void fw_buf_vprintf(struct fw_buf *b, const char *fmt, va_list ap)
{
	char small[256];
	va_list ap2;
	int n;

	if (b->failed)
		return;
	va_copy(ap2, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		b->failed = true;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		fw_buf_putn(b, small, (size_t)n);
		return;
	}
	if (fw_grow((void **)&b->data, &b->cap, b->len + (size_t)n + 1, 1) < 0) {
		b->failed = true;
		return;
	}
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void fw_buf_printf(struct fw_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fw_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

const char *fw_buf_str(struct fw_buf *b)
{
	return b->data ? b->data : "";
}

char *fw_buf_take(struct fw_buf *b)
{
	char *s;

	if (b->failed) {
		fw_buf_free(b);
		return NULL;
	}
	s = b->data ? b->data : strdup("");
	fw_buf_init(b);
	return s;
}

int fw_buf_drain(struct fw_buf *b, FILE *f)
{
	if (b->len && fwrite(b->data, 1, b->len, f) != b->len)
		return errno ? -errno : -EIO;
	b->len = 0;
	if (b->data)
		b->data[0] = 0;
	return 0;
}

int fw_buf_stream(struct fw_buf *b, FILE *f)
{
	if (f && b->len >= FW_BUF_STREAM && !b->failed)
		return fw_buf_drain(b, f);
	return 0;
}

int fw_buf_stream_end(struct fw_buf *b, FILE *f)
{
	int rc;

	if (!f || b->failed)
		return 0;
	if ((rc = fw_buf_drain(b, f)) < 0)
		return rc;
	return fflush(f) != 0 ? (errno ? -errno : -EIO) : 0;
}

bool fw_fixed_digits(const char *s, size_t n, size_t at, size_t w, int *out)
{
	int v = 0;

	if (at > n || w > n - at)
		return false;
	for (size_t i = at; i < at + w; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
int64_t fw_days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void fw_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

bool fw_utc_format(char *out, size_t len, int64_t ms, enum fw_utc_style style)
{
	time_t t = (time_t)(ms / 1000 - (ms % 1000 < 0));
	struct tm tm;
	bool ok = gmtime_r(&t, &tm) != NULL;

	if (!ok) {
		t = 0;
		gmtime_r(&t, &tm);
	}
	if (!len)
		return ok;
	switch (style) {
	case FW_UTC_ISO:
		len = strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
		break;
	case FW_UTC_COMPACT:
		len = strftime(out, len, "%Y%m%dT%H%M%SZ", &tm);
		break;
	case FW_UTC_TEXT:
		len = strftime(out, len, "%Y-%m-%d %H:%M:%S UTC", &tm);
		break;
	default:
		len = 0;
	}
	if (len == 0)
		out[0] = 0;
	return ok;
}

char *fw_path_join(const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);
	char *p = malloc(a + 1 + b + 1);

	if (!p)
		return NULL;
	memcpy(p, dir, a);
	p[a] = '/';
	memcpy(p + a + 1, name, b + 1);
	return p;
}

const char *fw_path_base(const char *path, size_t *len)
{
	return fw_path_base_n(path, strlen(path), len);
}

const char *fw_path_base_n(const char *path, size_t n, size_t *len)
{
	const char *s;

	if (n == 0) {
		*len = 1;
		return ".";
	}
	while (n > 1 && path[n - 1] == '/')
		n--;
	if (n == 1 && path[0] == '/') {
		*len = 1;
		return path;
	}
	s = path + n;
	while (s > path && s[-1] != '/')
		s--;
	*len = (size_t)(path + n - s);
	return s;
}

void fw_qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

int fw_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t k = write(fd, p, len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		p += k;
		len -= (size_t)k;
	}
	return 0;
}

size_t fw_utf8_decode(const void *str, size_t n, uint32_t *cpp)
{
	const unsigned char *s = str;
	unsigned char c = s[0];
	size_t len;
	uint32_t cp;

	if (c < 0x80) {
		*cpp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*cpp = cp;
	return len;
}

bool fw_cp_unsafe(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfffe ||
	       cp == 0xffff;
}

size_t fw_utf8_cut(const char *s, size_t len, size_t max)
{
	size_t i = 0;

	if (len <= max)
		return len;
	while (i < max) {
		uint32_t cp;
		size_t l = fw_utf8_decode(s + i, len - i, &cp);
		if (l == 0)
			l = 1;
		if (i + l > max)
			break;
		i += l;
	}
	return i;
}

void fw_buf_put_escape(struct fw_buf *b, uint32_t c, bool invalid)
{
	if (invalid || c < 0x80)
		fw_buf_printf(b, "\\x%02x", (unsigned)(c & 0xff));
	else
		fw_buf_printf(b, "\\u%04x", (unsigned)c);
}

void fw_buf_put_cut(struct fw_buf *b, size_t cut)
{
	if (cut)
		fw_buf_printf(b, "\xe2\x80\xa6(%zu bytes cut)", cut);
}
