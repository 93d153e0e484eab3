/*
 * test_util.c: src/base/util.c -- the base-name helper against the examples of
 * Go's path/filepath documentation (pprof prints filepath.Base of mapping
 * files), the UTC formatter and the civil-date conversions against the C
 * library's gmtime_r, wrapping arithmetic, fw_grow's overflow checks, the
 * sticky failure of fw_buf, and the output-safety helpers: the one UTF-8
 * decoder (against the Unicode standard's well-formed byte sequences, table
 * 3-7), the unsafe-character set, cutting at character boundaries, the
 * visible escapes and the cut marker, and outtext.c's redact-then-cut and
 * plain-text escaper.
 */
#include "../tap.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/outtext.h"
#include "base/heap.h"
#include "base/util.h"

static void check_base(const char *path, const char *want)
{
	size_t n;
	const char *b = fw_path_base(path, &n);
	char got[256];

	snprintf(got, sizeof(got), "%.*s", (int)n, b);
	TAP_EQ_STR(got, want, "fw_path_base(\"%s\")", path);
}

static void test_path_base(void)
{
	/* ExampleBase in Go's path/filepath (Unix) */
	check_base("/foo/bar/baz.js", "baz.js");
	check_base("/foo/bar/baz", "baz");
	check_base("/foo/bar/baz/", "baz");
	check_base("dev.txt", "dev.txt");
	check_base("../todo.txt", "todo.txt");
	check_base("..", "..");
	check_base(".", ".");
	check_base("/", "/");
	check_base("", ".");
	/* the rules of filepath.Base's comment: trailing slashes go first */
	check_base("//", "/");
	check_base("a//b///", "b");
	check_base("/usr/lib/x86_64-linux-gnu/libc.so.6", "libc.so.6");
	/* the slice points into the argument, except for "." of "" */
	{
		const char *p = "dir/flare.zip/";
		size_t n;
		TAP_OK(fw_path_base(p, &n) == p + 4 && n == 9, "the base is a slice of the path");
	}
	/* counted: a NUL byte is part of the name, as in Go */
	{
		static const char p[] = "/opt/a\0b/c\0d";
		size_t n;
		const char *b = fw_path_base_n(p, sizeof(p) - 1, &n);
		TAP_OK(b == p + 9 && n == 3 && memcmp(b, "c\0d", 3) == 0,
		       "fw_path_base_n keeps the bytes after a NUL");
	}
}

static void test_path_join(void)
{
	char *p = fw_path_join("/var/lib/flarewatch", "incoming");
	TAP_EQ_STR(p, "/var/lib/flarewatch/incoming", "fw_path_join: dir/name");
	free(p);
	p = fw_path_join("", "x");
	TAP_EQ_STR(p, "/x", "fw_path_join: an empty dir gives /name");
	free(p);
}

static void test_utc_format(void)
{
	char s[64];

	TAP_OK(fw_utc_format(s, sizeof(s), 0, FW_UTC_ISO), "the epoch formats");
	TAP_EQ_STR(s, "1970-01-01T00:00:00Z", "ISO of 0 ms");
	/* the bundled leak fixture's flare time, 2024-10-02T14:21:52Z */
	fw_utc_format(s, sizeof(s), 1727878912999, FW_UTC_ISO);
	TAP_EQ_STR(s, "2024-10-02T14:21:52Z", "ISO of a flare time (milliseconds dropped)");
	fw_utc_format(s, sizeof(s), 1727878912000, FW_UTC_COMPACT);
	TAP_EQ_STR(s, "20241002T142152Z", "compact form for folder names");
	fw_utc_format(s, sizeof(s), 1727878912000, FW_UTC_TEXT);
	TAP_EQ_STR(s, "2024-10-02 14:21:52 UTC", "text form for reports");
	fw_utc_format(s, sizeof(s), -1, FW_UTC_ISO);
	TAP_EQ_STR(s, "1969-12-31T23:59:59Z", "-1 ms rounds down to the second before the epoch");
	fw_utc_format(s, sizeof(s), -1000, FW_UTC_ISO);
	TAP_EQ_STR(s, "1969-12-31T23:59:59Z", "-1000 ms is exactly one second before");
	fw_utc_format(s, 5, 0, FW_UTC_ISO);
	TAP_EQ_STR(s, "", "a buffer too small gives an empty string");
	TAP_OK(fw_utc_format(s, 0, 0, FW_UTC_ISO), "a zero-length buffer is left alone");
	fw_utc_format(s, sizeof(s), INT64_MAX, FW_UTC_ISO);
	TAP_OK(s[0] != 0, "INT64_MAX ms formats (%s)", s);
	fw_utc_format(s, sizeof(s), INT64_MIN, FW_UTC_ISO);
	TAP_OK(s[0] != 0, "INT64_MIN ms formats (%s)", s);
}

/* fw_civil_from_days and fw_days_from_civil against gmtime_r, on days
 * spread over +-1 million years and every day of 1900-2100. */
static void test_civil(void)
{
	int64_t day, step;
	int bad = 0, n = 0;

	for (int pass = 0; pass < 2; pass++) {
		int64_t lo = pass ? -25567 : -365250000, hi = pass ? 47482 : 365250000;
		step = pass ? 1 : 9973;
		for (day = lo; day <= hi; day += step, n++) {
			time_t t = (time_t)(day * 86400);
			struct tm tm;
			int64_t y;
			int m, d;

			fw_civil_from_days(day, &y, &m, &d);
			if (!gmtime_r(&t, &tm) || y != (int64_t)tm.tm_year + 1900 || m != tm.tm_mon + 1 ||
			    d != tm.tm_mday || fw_days_from_civil(y, m, d) != day) {
				if (bad++ < 3)
					tap_diag("day %" PRId64 ": %" PRId64 "-%d-%d", day, y, m, d);
			}
		}
	}
	TAP_EQ_INT(bad, 0, "civil dates agree with gmtime_r and round-trip on %d days", n);
}

static void test_arith(void)
{
	TAP_EQ_INT(fw_add64(INT64_MAX, 1), INT64_MIN, "fw_add64 wraps like Go");
	TAP_EQ_INT(fw_add64(-5, 3), -2, "fw_add64 adds");
	TAP_EQ_INT(fw_abs64(INT64_MIN), INT64_MIN, "fw_abs64(INT64_MIN) wraps like Go");
	TAP_EQ_INT(fw_abs64(-7), 7, "fw_abs64(-7)");
}

static void test_grow(void)
{
	int *a = NULL;
	size_t cap = 0;

	TAP_EQ_INT(fw_grow((void **)&a, &cap, 10, sizeof(*a)), 0, "fw_grow to 10");
	TAP_OK(a != NULL && cap >= 10, "holds at least 10 (cap %zu)", cap);
	TAP_EQ_INT(fw_grow((void **)&a, &cap, SIZE_MAX / 2, sizeof(*a)), -ENOMEM,
		   "fw_grow refuses a size that overflows");
	TAP_OK(a != NULL && cap >= 10, "and keeps the old array");
	free(a);
}

/* fw_buf_take of an empty buffer is "", of a failed one NULL. */
static void t_empty_take(struct fw_buf *b)
{
	char *t;

	fw_buf_init(b);
	t = fw_buf_take(b);
	TAP_EQ_STR(t, "", "take of an empty buffer is \"\"");
	free(t);
	fw_buf_puts(b, "x");
	b->failed = true;
	TAP_OK(fw_buf_take(b) == NULL && b->data == NULL, "take of a failed buffer is NULL, and frees it");
}

static void test_buf(void)
{
	struct fw_buf b;

	fw_buf_init(&b);
	TAP_EQ_STR(fw_buf_str(&b), "", "an empty buffer is \"\"");
	fw_buf_puts(&b, "heap ");
	fw_buf_printf(&b, "+%d%s", 30, "MB");
	fw_buf_putc(&b, '!');
	fw_buf_putn(&b, "xyz", 1);
	TAP_EQ_STR(fw_buf_str(&b), "heap +30MB!x", "puts, printf, putc, putn append");
	TAP_EQ_INT(b.len, 12, "length");
	TAP_OK(!b.failed, "no failure");
	{
		char *t = fw_buf_take(&b);
		TAP_EQ_STR(t, "heap +30MB!x", "take hands the text over");
		TAP_OK(b.data == NULL && b.len == 0, "... and leaves the buffer empty");
		free(t);
	}
	t_empty_take(&b);
	fw_buf_free(&b);
}

/* fw_utf8_decode on one sequence: its length (0: invalid) and code point. */
static void check_decode(const char *s, size_t n, size_t want_len, uint32_t want_cp, const char *what)
{
	uint32_t cp = 0xdeadbeef;
	size_t l = fw_utf8_decode(s, n, &cp);

	if (want_len)
		TAP_OK(l == want_len && cp == want_cp, "utf8: %s -> length %zu, U+%04X (got %zu, U+%04X)", what,
		       want_len, (unsigned)want_cp, l, (unsigned)cp);
	else
		TAP_EQ_UINT(l, 0, "utf8: %s is invalid", what);
}

static void test_utf8(void)
{
	check_decode("A", 1, 1, 0x41, "ASCII");
	check_decode("\x1b", 1, 1, 0x1b, "ESC decodes (escaping is the caller's)");
	check_decode("\xc2\x80", 2, 2, 0x80, "first 2-byte (C1)");
	check_decode("\xdf\xbf", 2, 2, 0x7ff, "last 2-byte");
	check_decode("\xe0\xa0\x80", 3, 3, 0x800, "first 3-byte");
	check_decode("\xe2\x80\xae", 3, 3, 0x202e, "U+202E RLO");
	check_decode("\xef\xbf\xbe", 3, 3, 0xfffe, "U+FFFE is well-formed");
	check_decode("\xef\xbf\xbf", 3, 3, 0xffff, "U+FFFF is well-formed");
	check_decode("\xf0\x90\x80\x80", 4, 4, 0x10000, "first 4-byte");
	check_decode("\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff, "U+10FFFF");
	check_decode("\x80", 1, 0, 0, "a lone continuation byte");
	check_decode("\x9b", 1, 0, 0, "a lone 0x9b (8-bit CSI)");
	check_decode("\xc0\xaf", 2, 0, 0, "overlong '/' (C0 AF)");
	check_decode("\xc1\xbf", 2, 0, 0, "overlong C1 BF");
	check_decode("\xe0\x9f\xbf", 3, 0, 0, "overlong 3-byte (E0 9F BF)");
	check_decode("\xed\xa0\x80", 3, 0, 0, "surrogate U+D800");
	check_decode("\xed\xbf\xbf", 3, 0, 0, "surrogate U+DFFF");
	check_decode("\xf0\x8f\xbf\xbf", 4, 0, 0, "overlong 4-byte (F0 8F BF BF)");
	check_decode("\xf4\x90\x80\x80", 4, 0, 0, "above U+10FFFF (F4 90 80 80)");
	check_decode("\xf5\x80\x80\x80", 4, 0, 0, "F5 lead byte");
	check_decode("\xe2\x80", 2, 0, 0, "a truncated sequence");
	check_decode("\xe2\x80\xae", 2, 0, 0, "a sequence longer than the bytes left");
	check_decode("\xe2\x41\xae", 3, 0, 0, "a bad continuation byte");
}

static void test_unsafe(void)
{
	static const uint32_t bad[] = { 0, 9, 0x0a, 0x1b, 0x1f, 0x7f, 0x80, 0x85, 0x9b, 0x9f, 0x200e, 0x200f,
					0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069,
					0xfffe, 0xffff };
	static const uint32_t good[] = { 0x20, 'a', '~', 0xa0, 0xe9, 0x200d, 0x2010, 0x2029, 0x202f,
					 0x2065, 0x206a, 0xfffd, 0x10000, 0x10ffff };
	size_t n = 0;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		n += fw_cp_unsafe(bad[i]);
	TAP_EQ_UINT(n, sizeof(bad) / sizeof(bad[0]), "unsafe: C0, DEL, C1, bidi controls, U+FFFE/U+FFFF");
	n = 0;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		n += fw_cp_unsafe(good[i]);
	TAP_EQ_UINT(n, 0, "unsafe: their neighbours and ordinary text are safe");
}

static void test_cut(void)
{
	const char *s = "ab\xe2\x80\xae" "cd"; /* a, b, U+202E (3 bytes), c, d */
	struct fw_buf b;

	TAP_EQ_UINT(fw_utf8_cut(s, 7, 100), 7, "cut: shorter than max, whole");
	TAP_EQ_UINT(fw_utf8_cut(s, 7, 7), 7, "cut: exactly max, whole");
	TAP_EQ_UINT(fw_utf8_cut(s, 7, 4), 2, "cut: never inside a sequence (max 4 -> 2)");
	TAP_EQ_UINT(fw_utf8_cut(s, 7, 5), 5, "cut: after the sequence (max 5 -> 5)");
	TAP_EQ_UINT(fw_utf8_cut("\xff\xff\xff", 3, 2), 2, "cut: invalid bytes are one byte each");
	TAP_EQ_UINT(fw_utf8_cut(s, 7, 0), 0, "cut: max 0");

	fw_buf_init(&b);
	fw_buf_put_escape(&b, 0x1b, false);
	fw_buf_put_escape(&b, 0x7f, false);
	fw_buf_put_escape(&b, 0x9b, true);
	fw_buf_put_escape(&b, 0x85, false);
	fw_buf_put_escape(&b, 0x202e, false);
	fw_buf_put_cut(&b, 0);
	TAP_EQ_STR(fw_buf_str(&b), "\\x1b\\x7f\\x9b\\u0085\\u202e", "escapes: \\xNN for bytes and ASCII, \\uNNNN above");
	fw_buf_put_cut(&b, 12345);
	TAP_EQ_STR(fw_buf_str(&b), "\\x1b\\x7f\\x9b\\u0085\\u202e\xe2\x80\xa6(12345 bytes cut)", "cut marker");
	fw_buf_free(&b);
}

static void test_outtext(void)
{
	const char *key = "5f8c9a2b7d1e4f60a3b2c1d0e9f8a7b6";
	char in[2048], *r;
	size_t len, cut;
	struct fw_buf b;

	/* a key straddling the cut is redacted first, so no half of it shows */
	memset(in, 'x', sizeof(in));
	memcpy(in + 1010, " ", 1);
	memcpy(in + 1011, key, 32);
	in[1043] = ' ';
	in[sizeof(in) - 1] = 0;
	r = fw_out_prepare(in, strlen(in), 1024, &len, &cut);
	TAP_OK(r && len == 1024 && !strstr(r, "5f8c9a2b") && strncmp(r + 1011, "[REDACTED]", 10) == 0,
	       "prepare: redacted before it is cut");
	TAP_EQ_UINT(cut, strlen(in) - 32 + strlen("[REDACTED]") - 1024, "prepare: cut counts redacted bytes");
	free(r);
	r = fw_out_prepare("ab\xe2\x80\xae", 5, 4, &len, &cut);
	TAP_OK(r && len == 2 && cut == 3 && strcmp(r, "ab") == 0, "prepare: cut at a character boundary");
	free(r);

	fw_buf_init(&b);
	fw_out_plain(&b, "host\n\x1b]0;t\a\x1b[2J\xc2\x9b\x9b \xe2\x80\xae\xe2\x81\xa6\xe2\x80\x8f\x7f\t\xef\xbf\xbe ok \xc3\xa9", 100);
	TAP_EQ_STR(fw_buf_str(&b),
		   "host\\x0a\\x1b]0;t\\x07\\x1b[2J\\u009b\\x9b \\u202e\\u2066\\u200f\\x7f\\x09\\ufffe ok \xc3\xa9",
		   "plain: every control, bidi control and invalid byte shown as an escape; the rest as is");
	fw_buf_free(&b);
	fw_buf_init(&b);
	fw_out_plain(&b, "abcdef", 4);
	fw_out_plain(&b, NULL, 4);
	TAP_EQ_STR(fw_buf_str(&b), "abcd\xe2\x80\xa6(2 bytes cut)", "plain: cut with a marker; NULL adds nothing");
	fw_buf_free(&b);
}

/* fw_heap_reserve without fw_heap_bulk() does nothing: the daemon's heap
 * keeps glibc's defaults. */
static void test_heap_reserve(void)
{
	struct mallinfo2 before = mallinfo2(), after;

	fw_heap_reserve((size_t)64 << 20);
	after = mallinfo2();
	TAP_EQ_UINT(after.arena, before.arena, "no heap growth without a bulk heap");
}

/* After fw_heap_bulk() every block comes from the one heap, even one far
 * over glibc's mmap threshold (so freeing it gives nothing back), and a
 * reserve grows that heap by its size. In a child: the bulk heap is for
 * the rest of a process's life. */
static void test_heap_bulk(void)
{
	pid_t pid;
	int status = 0;

	if (TAP_UNDER_ASAN) {
		TAP_SKIP("AddressSanitizer has its own allocator", "bulk heap");
		return;
	}
	pid = fork();
	if (pid == 0) {
		struct mallinfo2 m0, m1, m2;
		char *big;
		fw_heap_bulk(0);
		m0 = mallinfo2();
		fw_heap_reserve((size_t)8 << 20);
		m1 = mallinfo2();
		big = malloc((size_t)40 << 20);
		if (!big)
			_exit(3);
		big[0] = 1;
		m2 = mallinfo2();
		free(big);
		if (m1.arena < m0.arena + ((size_t)8 << 20))
			_exit(4); /* the reserve did not grow the heap */
		if (m2.hblkhd != 0 || m2.arena < ((size_t)40 << 20))
			_exit(5); /* mapped on its own */
		_exit(0);
	}
	if (!TAP_OK(pid > 0, "fork"))
		return;
	waitpid(pid, &status, 0);
	TAP_OK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "bulk heap: a reserve grows the heap, a 40 MiB block comes from it (status %d)",
	       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

int main(void)
{
	test_path_base();
	test_path_join();
	test_utc_format();
	test_civil();
	test_arith();
	test_grow();
	test_buf();
	test_utf8();
	test_unsafe();
	test_cut();
	test_outtext();
	test_heap_reserve();
	test_heap_bulk();
	return tap_done();
}
