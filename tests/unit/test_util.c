/*
 * test_util.c: src/lib/util.c -- the base-name helper against the examples of
 * Go's path/filepath documentation (pprof prints filepath.Base of mapping
 * files), the UTC formatter and the civil-date conversions against the C
 * library's gmtime_r, wrapping arithmetic, fw_grow's overflow checks and the
 * sticky failure of fw_buf.
 */
#include "../tap.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "util.h"

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
	fw_buf_free(&b);
}

int main(void)
{
	test_path_base();
	test_utc_format();
	test_civil();
	test_arith();
	test_grow();
	test_buf();
	return tap_done();
}
