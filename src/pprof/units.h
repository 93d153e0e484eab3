/*
 * units.h: pprof's value scaling and formatting (measurement.go): bytes in
 * powers of 1024, time from ns to hours, GCU, counts as bare numbers, and
 * pprof's percentage format.
 */
#ifndef FW_UNITS_H
#define FW_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* Scales value from unit `from` to unit `to` ("minimum"/"auto" choose the
 * largest unit that keeps the value >= 1). Writes the resulting unit name
 * (possibly "") to unit_out and returns the scaled value. */
double fw_unit_scale(int64_t value, const char *from, const char *to,
		     char *unit_out, size_t unit_len);

/* ScaledLabel: "%.2f" minus a trailing ".00", plus the unit; 0 prints "0". */
void fw_unit_label(char *out, size_t len, int64_t value, const char *from, const char *to);

/* pprof's percentage(): "  100%", "%5.2f%%" or "%5.2g%%". */
void fw_percentage(char *out, size_t len, int64_t value, int64_t total);

/* True if both units belong to one family (bytes, time, GCU). */
int fw_unit_same_family(const char *a, const char *b);
/* True if the unit is a time unit (converts to nanoseconds). */
int fw_unit_is_time(const char *unit);

#endif
