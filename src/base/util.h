/*
 * util.h: small helpers shared by the whole library: the error buffer that
 * every fallible function fills, checked arithmetic for sizes read from
 * input, growable arrays and string hashing.
 */
#ifndef FW_UTIL_H
#define FW_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Every fallible library function returns 0 or a negative errno and, on
 * failure, leaves a one-line message here. The library never prints. */
struct fw_error {
	char msg[1024];
};

/* Formats into err (if non-NULL) and returns code, which must be negative. */
int fw_err(struct fw_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefixes the current message with "prefix: ". */
void fw_err_prefix(struct fw_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Grows *buf (of *cap elements of size elem) so that it holds at least need
 * elements. Returns 0 or -ENOMEM (also on size overflow). */
int fw_grow(void **buf, size_t *cap, size_t need, size_t elem);

/* Opens a regular file of at most max bytes for reading: its descriptor
 * (close-on-exec) and *st, or a negative errno with an error naming it. */
struct stat;
int fw_open_regular(const char *path, size_t max, struct stat *st, struct fw_error *err);

/* Reads a whole regular file, refusing anything larger than max bytes. */
int fw_read_file(const char *path, size_t max, uint8_t **out, size_t *len,
		 struct fw_error *err);
/* The same from fd, opened by fw_open_regular() (whose *st it takes): the
 * st_size bytes from offset 0, fewer if the file shrank; *out is
 * NUL-terminated. path names the file in errors. fd stays open. */
int fw_read_fd(int fd, const char *path, const struct stat *st, uint8_t **out, size_t *len,
	       struct fw_error *err);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back (Howard
 * Hinnant's algorithms: exact for every int64 day count in range). */
int64_t fw_days_from_civil(int64_t y, int m, int d);
void fw_civil_from_days(int64_t z, int64_t *y, int *m, int *d);
/* The decimal number of the w ASCII digits at s[at] (s holds n bytes):
 * true with *out, false when they are not all digits or run past n. */
bool fw_fixed_digits(const char *s, size_t n, size_t at, size_t w, int *out);

/* The UTC time ms milliseconds after the epoch (rounded down to the second)
 * in one of the formats below. A time gmtime cannot represent formats as the
 * epoch and returns false. */
enum fw_utc_style {
	FW_UTC_ISO,	/* 2024-10-02T14:21:52Z */
	FW_UTC_COMPACT, /* 20241002T142152Z (folder names) */
	FW_UTC_TEXT,	/* 2024-10-02 14:21:52 UTC */
};
bool fw_utc_format(char *out, size_t len, int64_t ms, enum fw_utc_style style);

/* The last element of path as a slice of it, as Go's filepath.Base: trailing
 * slashes dropped, "" gives "." and a path of only slashes gives "/". */
const char *fw_path_base(const char *path, size_t *len);
/* The same for the n bytes at path, which may hold NUL bytes (a name from a
 * profile): Go's strings are counted, and pprof prints every byte. */
const char *fw_path_base_n(const char *path, size_t n, size_t *len);

/* dir + "/" + name in a new string (free it), or NULL when out of memory. */
char *fw_path_join(const char *dir, const char *name);

/* qsort, which C does not allow on a NULL array even when it is empty:
 * fewer than two elements are left as they are. */
void fw_qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

/* write() until done, retrying on EINTR. 0 or -errno. */
int fw_write_all(int fd, const void *data, size_t len);

uint64_t fw_hash_bytes(const void *data, size_t len, uint64_t seed);
static inline uint64_t fw_hash_u64(uint64_t x, uint64_t seed)
{
	x ^= seed + 0x9e3779b97f4a7c15ULL + (x << 6) + (x >> 2);
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* A hash of n 32-bit words, two per multiply (fw_hash_bytes goes a byte
 * at a time, and a profile's stacks are most of what is hashed). */
static inline uint64_t fw_hash_u32s(const uint32_t *a, size_t n)
{
	uint64_t h = 4;
	size_t i = 0;

	for (; i + 2 <= n; i += 2) {
		h = (h ^ ((uint64_t)a[i] << 32 | a[i + 1])) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	if (i < n)
		h = (h ^ a[i]) * 0x9e3779b97f4a7c15ULL;
	return fw_hash_u64(h, n);
}

/* Go's int64 addition wraps around; so does this one, without C's UB. */
static inline int64_t fw_add64(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}

static inline int64_t fw_abs64(int64_t v)
{
	/* Go's abs64 wraps for INT64_MIN; so do we, without UB. */
	return v < 0 ? (int64_t)(0 - (uint64_t)v) : v;
}

/* Go's int64(f) on amd64 (CVTTSD2SI): truncated toward zero; NaN and values
 * out of range give INT64_MIN (e.g. a cutoff of total * -nodefraction=inf). */
static inline int64_t fw_go_int64(double f)
{
	return f >= -9223372036854775808.0 && f < 9223372036854775808.0 ? (int64_t)f : INT64_MIN;
}

/* A growable byte buffer for building text. Allocation failures are sticky:
 * once one happens, the `failed` field is true and further appends are no-ops. */
struct fw_buf {
	char *data;
	size_t len, cap;
	bool failed;
};
void fw_buf_init(struct fw_buf *b);
void fw_buf_free(struct fw_buf *b);
void fw_buf_putn(struct fw_buf *b, const char *s, size_t n);
/* Makes room for exactly n more bytes (and the NUL) at once, where the
 * appends would double the buffer: for text whose size is known first. */
void fw_buf_reserve(struct fw_buf *b, size_t n);
void fw_buf_puts(struct fw_buf *b, const char *s);
void fw_buf_putc(struct fw_buf *b, char c);
void fw_buf_printf(struct fw_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void fw_buf_vprintf(struct fw_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Returns a NUL-terminated string (possibly "" if empty). */
const char *fw_buf_str(struct fw_buf *b);
/* Hands the text over (malloc'd, "" when empty) and leaves b empty; NULL,
 * with b freed, when b failed or the copy of "" cannot be made. */
char *fw_buf_take(struct fw_buf *b);
/* Writes b's bytes to f and empties b (keeping its memory), for output
 * streamed in chunks; 0 or -errno. */
int fw_buf_drain(struct fw_buf *b, FILE *f);
/* For text streamed as it is made: with f, b is written to f (and
 * emptied) once it holds FW_BUF_STREAM bytes; without f, or while b has
 * failed, nothing happens. 0 or -errno. */
#define FW_BUF_STREAM ((size_t)32 << 10)
int fw_buf_stream(struct fw_buf *b, FILE *f);
/* The end of such a stream: the rest of b written to f and f flushed
 * (nothing without f, or once b has failed). 0 or -errno. */
int fw_buf_stream_end(struct fw_buf *b, FILE *f);

/* ---- bounded, safe text for outputs ----------------------------------------
 * The one place that bounds what a flare can put into an output (report.md,
 * report.json, SVG flame graphs, journal fields, the CLI's terminal line):
 *  - FW_OUT_NAME_MAX: bytes of one string taken from a flare (a function,
 *    file, host, check or goroutine name, a message);
 *  - FW_OUT_TEXT_MAX: bytes of one text we composed around such strings (a
 *    verdict summary or reason) or of one line of pprof's own `top` text.
 * A longer string is cut at a character boundary and followed by
 * "…(N bytes cut)" (fw_buf_put_cut). The escaping helpers of each output
 * syntax (outtext.h, write_markdown.c, write_json.c, flamegraph.c) apply them. */
#define FW_OUT_NAME_MAX 1024
#define FW_OUT_TEXT_MAX 4096

/* The one UTF-8 decoder of the library. Length (1-4) of the valid UTF-8
 * sequence at s (n > 0 bytes left) and its code point in *cp; 0 for an
 * invalid one (a stray continuation byte, an overlong form, a surrogate,
 * above U+10FFFF, or truncated). U+FFFE and U+FFFF are valid here: whether a
 * syntax shows them is fw_cp_unsafe()'s business. */
size_t fw_utf8_decode(const void *s, size_t n, uint32_t *cp);

/* True for the characters no output shows as they are: C0 controls (tab and
 * newline included), DEL, C1 controls, the bidi controls U+200E, U+200F,
 * U+202A-U+202E and U+2066-U+2069, and the non-characters U+FFFE, U+FFFF
 * (not allowed in XML). */
bool fw_cp_unsafe(uint32_t cp);

/* The length of the longest prefix of s[0..len) of at most max bytes that
 * does not end inside a valid UTF-8 sequence. */
size_t fw_utf8_cut(const char *s, size_t len, size_t max);

/* Appends a visible escape for one unsafe character or invalid byte: "\xNN"
 * for an invalid byte (invalid) or a code point below 0x80, else "\uNNNN". */
void fw_buf_put_escape(struct fw_buf *b, uint32_t cp_or_byte, bool invalid);

/* Appends "…(N bytes cut)" when cut > 0. */
void fw_buf_put_cut(struct fw_buf *b, size_t cut);

#endif
