/*
 * units.c: unit detection, automatic scaling and number formatting, matching
 * pprof's internal/measurement package (Go 1.19's vendored copy) so that
 * every value prints exactly as `go tool pprof` prints it.
 */
#include "pprof/units.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct unit {
	const char *name;
	const char *aliases[4];
	double factor;
};

struct unit_type {
	struct unit units[9];
	size_t n;
	struct unit def;
};

static const struct unit_type unit_types[] = {
	{ { { "B", { "b", "byte" }, 1 },
	    { "kB", { "kb", "kbyte", "kilobyte" }, 1024.0 },
	    { "MB", { "mb", "mbyte", "megabyte" }, 1048576.0 },
	    { "GB", { "gb", "gbyte", "gigabyte" }, 1073741824.0 },
	    { "TB", { "tb", "tbyte", "terabyte" }, 1099511627776.0 },
	    { "PB", { "pb", "pbyte", "petabyte" }, 1125899906842624.0 } },
	  6, { "B", { "b", "byte" }, 1 } },
	{ { { "ns", { "ns", "nanosecond" }, 1 },
	    { "us", { "\xce\xbcs", "us", "microsecond" }, 1e3 },
	    { "ms", { "ms", "millisecond" }, 1e6 },
	    { "s", { "s", "sec", "second" }, 1e9 },
	    { "hrs", { "hour", "hr" }, 3600e9 } },
	  5, { "s", { NULL }, 1e9 } },
	{ { { "n*GCU", { "nanogcu" }, 0.001 },
	    { "u*GCU", { "microgcu" }, 1 },
	    { "m*GCU", { "milligcu" }, 1000 },
	    { "GCU", { "gcu" }, 1e6 },
	    { "k*GCU", { "kilogcu" }, 1e9 },
	    { "M*GCU", { "megagcu" }, 1e12 },
	    { "G*GCU", { "gigagcu" }, 1e15 },
	    { "T*GCU", { "teragcu" }, 1e18 },
	    { "P*GCU", { "petagcu" }, 1e21 } },
	  9, { "GCU", { NULL }, 1e6 } },
};

#define N_TYPES (sizeof(unit_types) / sizeof(unit_types[0]))

/* sniffUnit: lower-case, drop one trailing 's' when longer than 2 bytes,
 * then look the result up among the aliases of one unit type. */
static const struct unit *sniff(const struct unit_type *ut, const char *unit)
{
	char low[64];
	size_t n = strlen(unit);

	if (n >= sizeof(low))
		return NULL;
	for (size_t i = 0; i < n; i++)
		low[i] = (unit[i] >= 'A' && unit[i] <= 'Z') ? (char)(unit[i] - 'A' + 'a') : unit[i];
	low[n] = 0;
	if (n > 2 && low[n - 1] == 's')
		low[--n] = 0;
	for (size_t i = 0; i < ut->n; i++)
		for (size_t k = 0; k < 4 && ut->units[i].aliases[k]; k++)
			if (strcmp(low, ut->units[i].aliases[k]) == 0)
				return &ut->units[i];
	return NULL;
}

static void set_unit(char *out, size_t len, const char *name)
{
	if (len)
		snprintf(out, len, "%s", name);
}

static double scale_pos(int64_t value, const char *from, const char *to, char *uo, size_t ul)
{
	for (size_t t = 0; t < N_TYPES; t++) {
		const struct unit_type *ut = &unit_types[t];
		const struct unit *fu = sniff(ut, from), *tu;
		double v;

		if (!fu)
			continue;
		v = (double)value * fu->factor;
		if (strcmp(to, "minimum") == 0 || strcmp(to, "auto") == 0) {
			double f = 0;
			const char *name = NULL;
			for (size_t i = 0; i < ut->n; i++) {
				if (ut->units[i].factor >= f && v / ut->units[i].factor >= 1.0) {
					f = ut->units[i].factor;
					name = ut->units[i].name;
				}
			}
			if (name) {
				set_unit(uo, ul, name);
				return v / f;
			}
			set_unit(uo, ul, ut->def.name);
			return v / ut->def.factor;
		}
		tu = sniff(ut, to);
		if (!tu) {
			set_unit(uo, ul, ut->def.name);
			return v / ut->def.factor;
		}
		set_unit(uo, ul, tu->name);
		return v / tu->factor;
	}
	if (!strcmp(to, "count") || !strcmp(to, "sample") || !strcmp(to, "unit") ||
	    !strcmp(to, "minimum") || !strcmp(to, "auto"))
		set_unit(uo, ul, "");
	else
		set_unit(uo, ul, to);
	return (double)value;
}

double fw_unit_scale(int64_t value, const char *from, const char *to, char *unit_out, size_t unit_len)
{
	/* Go: if value < 0 && -value > 0, scale the magnitude and negate. For
	 * INT64_MIN, -value overflows to itself and Go falls through. */
	if (value < 0 && value != INT64_MIN)
		return -scale_pos(-value, from, to, unit_out, unit_len);
	return scale_pos(value, from, to, unit_out, unit_len);
}

void fw_unit_label(char *out, size_t len, int64_t value, const char *from, const char *to)
{
	char unit[32], num[64];
	double v = fw_unit_scale(value, from, to, unit, sizeof(unit));
	size_t n;

	snprintf(num, sizeof(num), "%.2f", v);
	n = strlen(num);
	if (n >= 3 && strcmp(num + n - 3, ".00") == 0)
		num[n - 3] = 0;
	if (strcmp(num, "0") == 0 || strcmp(num, "-0") == 0) {
		snprintf(out, len, "0");
		return;
	}
	snprintf(out, len, "%s%s", num, unit);
}

void fw_percentage(char *out, size_t len, int64_t value, int64_t total)
{
	double ratio = 0;

	if (total != 0)
		ratio = fabs((double)value / (double)total) * 100;
	if (ratio >= 99.95 && ratio <= 100.05)
		snprintf(out, len, "  100%%");
	else if (ratio >= 1.0)
		snprintf(out, len, "%5.2f%%", ratio);
	else
		snprintf(out, len, "%5.2g%%", ratio);
}

int fw_unit_same_family(const char *a, const char *b)
{
	for (size_t t = 0; t < N_TYPES; t++)
		if (sniff(&unit_types[t], a) && sniff(&unit_types[t], b))
			return 1;
	return 0;
}

int fw_unit_is_time(const char *unit)
{
	return sniff(&unit_types[1], unit) != NULL;
}
