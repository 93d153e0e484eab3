/*
 * test_units.c: value scaling and formatting (src/pprof/units.c).
 *
 * Every expected string below is what Go 1.19's vendored pprof
 * (cmd/vendor/github.com/google/pprof/internal/measurement) returns for the
 * same input: measurement.ScaledLabel(v, from, to), measurement.Scale and
 * measurement.Percentage. They were checked by running a copy of
 * measurement.go under go1.19.8; the reasoning for each is in the comments.
 */
#include "pprof/units.h"

#include "../tap.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

static char buf[128];

static const char *label(int64_t v, const char *from, const char *to)
{
	memset(buf, 'X', sizeof(buf));
	fw_unit_label(buf, sizeof(buf), v, from, to);
	return buf;
}

static const char *pct(int64_t v, int64_t total)
{
	memset(buf, 'X', sizeof(buf));
	fw_percentage(buf, sizeof(buf), v, total);
	return buf;
}

/* ---- bytes: powers of 1024, "%.2f" minus a trailing ".00" ------------------- */

static void test_bytes(void)
{
	/* 1023 < 1024: no larger unit keeps the value >= 1 */
	TAP_EQ_STR(label(1023, "bytes", "auto"), "1023B", "1023 bytes stay bytes");
	/* exactly one kB: "1.00" loses its ".00" */
	TAP_EQ_STR(label(1024, "bytes", "auto"), "1kB", "1024 bytes are 1kB");
	TAP_EQ_STR(label(1536, "bytes", "auto"), "1.50kB", "1536 bytes are 1.50kB (two decimals kept)");
	TAP_EQ_STR(label(2560 * 1024, "bytes", "auto"), "2.50MB", "2560 KiB are 2.50MB");
	/* 2^50 is one PB; 2^60 is 1024 PB (PB is the largest unit) */
	TAP_EQ_STR(label(INT64_C(1) << 50, "bytes", "auto"), "1PB", "2^50 bytes are 1PB");
	TAP_EQ_STR(label(INT64_C(1) << 60, "bytes", "auto"), "1024PB", "2^60 bytes are 1024PB");
	/* a fixed target unit: 2048 B = 0.00195 MB, which prints as "0.00" -> "0" */
	TAP_EQ_STR(label(2048, "bytes", "MB"), "0", "2048 bytes in MB round to 0");
	/* "kb" is an alias of kB: 1024 kB = 1 MB */
	TAP_EQ_STR(label(1024, "kb", "auto"), "1MB", "1024 kb are 1MB");
}

/* ---- time: ns .. hrs ------------------------------------------------------------ */

static void test_time(void)
{
	TAP_EQ_STR(label(1500000, "nanoseconds", "auto"), "1.50ms", "1.5e6 ns are 1.50ms");
	/* 90 s < 1 hour: seconds is the largest unit with a value >= 1 */
	TAP_EQ_STR(label(INT64_C(90000000000), "nanoseconds", "auto"), "90s", "90e9 ns are 90s");
	TAP_EQ_STR(label(90, "s", "auto"), "90s", "90 s are 90s");
	/* 5400 s = 1.5 h; the hour unit's name is "hrs" */
	TAP_EQ_STR(label(5400, "seconds", "auto"), "1.50hrs", "5400 seconds are 1.50hrs");
	TAP_EQ_STR(label(7200, "s", "auto"), "2hrs", "7200 s are 2hrs");
	TAP_EQ_STR(label(3, "ms", "us"), "3000us", "3 ms in us");
	TAP_EQ_STR(label(999, "ms", "auto"), "999ms", "999 ms stay ms");
	TAP_EQ_STR(label(1, "hour", "minimum"), "1hrs", "\"minimum\" autoscales like \"auto\"");
	/* a time value asked for in a non-time unit is given in the type's
	 * default unit, seconds: 5 ns = 5e-9 s -> "0" */
	TAP_EQ_STR(label(5, "nanoseconds", "widgets"), "0",
		   "an unknown target unit falls back to the default unit (s)");
}

/* ---- zero and negative values ---------------------------------------------- */

static void test_zero_negative(void)
{
	char unit[16];
	double v;

	TAP_EQ_STR(label(0, "nanoseconds", "auto"), "0", "0 ns prints as bare 0");
	TAP_EQ_STR(label(0, "bytes", "auto"), "0", "0 bytes prints as bare 0");
	TAP_EQ_STR(label(0, "count", "auto"), "0", "0 count prints as 0");
	/* -1 ms in s is -0.001: "%.2f" gives "-0.00", trimmed to "-0", shown as "0" */
	TAP_EQ_STR(label(-1, "ms", "s"), "0", "-0.001 s prints as 0, not -0");
	/* Scale(-v) is -Scale(v): the unit is chosen by the magnitude */
	TAP_EQ_STR(label(-1536, "bytes", "auto"), "-1.50kB", "-1536 bytes are -1.50kB");
	TAP_EQ_STR(label(-1500000, "nanoseconds", "auto"), "-1.50ms", "-1.5e6 ns are -1.50ms");
	/* INT64_MIN cannot be negated; Go falls through with the negative
	 * value, which no unit keeps >= 1, so the default unit B is used */
	TAP_EQ_STR(label(INT64_MIN, "bytes", "auto"), "-9223372036854775808B",
		   "INT64_MIN bytes stay in B");

	/* autoscaling 0 finds no unit >= 1 and falls back to the type's
	 * default unit: "s" for time (not "ns"), "B" for bytes */
	memset(unit, 'X', sizeof(unit));
	v = fw_unit_scale(0, "nanoseconds", "auto", unit, sizeof(unit));
	TAP_OK(v == 0.0, "0 ns scales to 0");
	TAP_EQ_STR(unit, "s", "0 ns autoscale to the default time unit s");
	v = fw_unit_scale(-5400, "seconds", "auto", unit, sizeof(unit));
	TAP_OK(v == -1.5, "-5400 s scale to -1.5 (got %g)", v);
	TAP_EQ_STR(unit, "hrs", "-5400 s scale to hrs");
}

/* ---- counts and unknown units ------------------------------------------------ */

static void test_counts_unknown(void)
{
	char unit[16];
	double v;

	/* "count", "sample", "unit", "minimum", "auto" as target: no suffix */
	TAP_EQ_STR(label(5, "count", "count"), "5", "count values print bare");
	TAP_EQ_STR(label(5, "count", "auto"), "5", "count autoscaled prints bare");
	TAP_EQ_STR(label(7, "count", "sample"), "7", "\"sample\" target prints bare");
	TAP_EQ_STR(label(12345, "count", "unit"), "12345", "\"unit\" target prints bare");
	/* any other target unit is appended verbatim */
	TAP_EQ_STR(label(5, "widgets", "widgets"), "5widgets", "unknown unit appended verbatim");
	TAP_EQ_STR(label(5, "widgets", "auto"), "5", "unknown unit autoscaled prints bare");
	TAP_EQ_STR(label(5, "widgets", "minimum"), "5", "unknown unit with minimum prints bare");
	TAP_EQ_STR(label(1500, "count", "auto"), "1500", "counts are not scaled by 1000");

	memset(unit, 'X', sizeof(unit));
	v = fw_unit_scale(5, "widgets", "gizmos", unit, sizeof(unit));
	TAP_OK(v == 5.0, "unknown units are not converted (got %g)", v);
	TAP_EQ_STR(unit, "gizmos", "unknown target unit is returned verbatim");
	v = fw_unit_scale(42, "count", "auto", unit, sizeof(unit));
	TAP_OK(v == 42.0, "count value unchanged");
	TAP_EQ_STR(unit, "", "count autoscaled has an empty unit");
	/* unit_out may be NULL with length 0 (merge.c calls it that way) */
	v = fw_unit_scale(1, "kilobytes", "bytes", NULL, 0);
	TAP_OK(v == 1024.0, "1 kilobyte is 1024 bytes, no unit buffer (got %g)", v);
	v = fw_unit_scale(1, "bytes", "kilobytes", NULL, 0);
	TAP_OK(v == 1.0 / 1024, "1 byte is 1/1024 kilobyte (got %g)", v);
	/* a short buffer truncates the unit name and stays terminated */
	memset(unit, 'X', sizeof(unit));
	fw_unit_scale(5400, "s", "auto", unit, 3);
	TAP_EQ_STR(unit, "hr", "unit name is truncated to the buffer");
}

/* ---- GCU ----------------------------------------------------------------------- */

static void test_gcu(void)
{
	/* 1500 GCU = 1.5 k*GCU */
	TAP_EQ_STR(label(1500, "gcu", "auto"), "1.50k*GCU", "1500 gcu are 1.50k*GCU");
	TAP_EQ_STR(label(1, "milligcu", "auto"), "1m*GCU", "1 milligcu is 1m*GCU");
}

/* ---- case and plural forms (sniffUnit) ------------------------------------------- */

static void test_case_plural(void)
{
	/* lower-cased, one trailing 's' dropped when longer than 2 bytes */
	TAP_EQ_STR(label(1500, "Nanoseconds", "auto"), "1.50us", "\"Nanoseconds\" is ns");
	TAP_EQ_STR(label(2048, "bytes", "auto"), "2kB", "\"bytes\" is B");
	TAP_EQ_STR(label(2048, "BYTES", "auto"), "2kB", "\"BYTES\" is B");
	TAP_EQ_STR(label(1, "kilobytes", "bytes"), "1024B", "\"kilobytes\" is kB");
	TAP_EQ_STR(label(1, "us", "auto"), "1us", "\"us\" (two bytes) keeps its s");
	TAP_EQ_STR(label(3, "MS", "auto"), "3ms", "\"MS\" is ms");
	/* pprof quirk: "\xce\xbcs" is three bytes, so sniffUnit trims its 's'
	 * and looks up "\xce\xbc", which is no alias: the unit is unknown */
	TAP_EQ_STR(label(3, "\xce\xbcs", "auto"), "3", "\"\xce\xbcs\" (micro sign) is not recognised, as in pprof");
	TAP_EQ_STR(label(2, "hrs", "auto"), "2hrs", "\"hrs\" is hour");
	/* "seconds" -> "second"; but "ss" (two bytes) is not trimmed */
	TAP_EQ_STR(label(4, "ss", "auto"), "4", "\"ss\" is not a unit");
}

/* ---- percentages -------------------------------------------------------------- */

static void test_percentage(void)
{
	TAP_EQ_STR(pct(100, 100), "  100%", "100%% is \"  100%%\"");
	/* 99.95 .. 100.05 all print as "  100%" */
	TAP_EQ_STR(pct(9996, 10000), "  100%", "99.96%% prints as 100%%");
	TAP_EQ_STR(pct(99951, 100000), "  100%", "99.951%% prints as 100%%");
	TAP_EQ_STR(pct(100049, 100000), "  100%", "100.049%% prints as 100%%");
	/* just outside the band: "%5.2f" (which rounds 99.949 up) */
	TAP_EQ_STR(pct(99949, 100000), "99.95%", "99.949%% prints as 99.95%%");
	TAP_EQ_STR(pct(100051, 100000), "100.05%", "100.051%% prints as 100.05%%");
	TAP_EQ_STR(pct(7744, 10000), "77.44%", "77.44%%");
	TAP_EQ_STR(pct(301, 10000), " 3.01%", "3.01%% is padded to width 5");
	TAP_EQ_STR(pct(1, 100), " 1.00%", "exactly 1%% uses %%5.2f");
	TAP_EQ_STR(pct(1, 3), "33.33%", "one third");
	TAP_EQ_STR(pct(200, 100), "200.00%", "200%% is not capped");
	/* below 1%: "%5.2g" */
	TAP_EQ_STR(pct(56, 10000), " 0.56%", "0.56%% uses %%5.2g");
	TAP_EQ_STR(pct(99, 10000), " 0.99%", "0.99%% uses %%5.2g");
	TAP_EQ_STR(pct(1, 1000), "  0.1%", "0.1%% uses %%5.2g (no trailing zero)");
	TAP_EQ_STR(pct(0, 100), "    0%", "0%% is \"    0%%\"");
	TAP_EQ_STR(pct(5, 0), "    0%", "a zero total gives 0%%");
	TAP_EQ_STR(pct(95, INT64_C(1000000000000)), "9.5e-09%", "tiny ratios use an exponent");
	/* the magnitude is used */
	TAP_EQ_STR(pct(-50, 100), "50.00%", "negative values print their magnitude");
	TAP_EQ_STR(pct(-7744, 10000), "77.44%", "negative value, positive percentage");
}

/* ---- families ------------------------------------------------------------------- */

static void test_families(void)
{
	TAP_OK(fw_unit_same_family("bytes", "kilobytes"), "bytes and kilobytes are one family");
	TAP_OK(fw_unit_same_family("nanoseconds", "hrs"), "nanoseconds and hrs are one family");
	TAP_OK(fw_unit_same_family("gcu", "milligcu"), "gcu and milligcu are one family");
	TAP_OK(!fw_unit_same_family("bytes", "nanoseconds"), "bytes and nanoseconds are not");
	TAP_OK(!fw_unit_same_family("count", "count"), "count is in no family, even with itself");
	TAP_OK(!fw_unit_same_family("bytes", "count"), "bytes and count are not");

	TAP_OK(fw_unit_is_time("nanoseconds"), "nanoseconds is time");
	TAP_OK(fw_unit_is_time("Seconds"), "Seconds is time");
	TAP_OK(fw_unit_is_time("s"), "s is time");
	TAP_OK(fw_unit_is_time("hour"), "hour is time");
	TAP_OK(!fw_unit_is_time("\xce\xbcs"), "micro sign s is not time (pprof trims its s)");
	TAP_OK(!fw_unit_is_time("bytes"), "bytes is not time");
	TAP_OK(!fw_unit_is_time("count"), "count is not time");
	TAP_OK(!fw_unit_is_time(""), "the empty unit is not time");
	TAP_OK(!fw_unit_is_time("minutes"), "minutes is not a pprof unit");
}

int main(void)
{
	test_bytes();
	test_time();
	test_zero_negative();
	test_counts_unknown();
	test_gcu();
	test_case_plural();
	test_percentage();
	test_families();
	return tap_done();
}
