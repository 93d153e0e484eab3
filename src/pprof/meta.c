/*
 * meta.c: a stable, human-readable summary of a profile's metadata (see
 * meta.h). The output is one "key: value" line per fact, in this order:
 *
 *   file: NAME                         the name the caller passed
 *   sample_type: TYPE/UNIT[ (default)] one line per sample type, in profile
 *                                      order; "(default)" marks the one
 *                                      `pprof -top` uses: default_sample_type
 *                                      if a type of that name exists, else
 *                                      the last
 *   period_type: TYPE/UNIT             omitted when both are empty
 *   period: N                          integer, in the period type's unit
 *   time: 2006-01-02T15:04:05Z         RFC 3339, UTC, whole seconds;
 *                                      omitted when the profile has none
 *   duration: 30.01s                   pprof's duration format; omitted
 *                                      when zero
 *   samples: N
 *   locations: N
 *   functions: N
 *   mappings: N
 *   main_mapping: PATH                 the first mapping's file (pprof's
 *                                      "File:"); omitted when empty
 *   build_id: ID                       the first mapping's build id;
 *                                      omitted when empty
 *   string_label_keys: K1, K2          sorted (byte order), deduplicated;
 *                                      omitted when there are none
 *   numeric_label_keys: K1 (UNIT), K2  the same; distinct (key, unit) pairs,
 *                                      the unit in parentheses when the
 *                                      profile names one
 *   comment: TEXT                      one line per comment, in order
 *   drop_frames: REGEX                 only when set
 *   keep_frames: REGEX                 only when set
 *
 * Keys never change; values come from the profile verbatim except that
 * control characters (bytes < 0x20 and 0x7f) are written as \xNN, so every
 * fact stays on its own line whatever the input holds. Backslashes are not
 * doubled (regexes stay readable), so that escape is for display only.
 */
#include "pprof/meta.h"
#include "pprof/units.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void put_value(struct fw_buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f)
			fw_buf_printf(b, "\\x%02x", c);
		else
			fw_buf_putc(b, (char)c);
	}
}

static void put_line(struct fw_buf *b, const char *key, const char *value)
{
	fw_buf_puts(b, key);
	fw_buf_puts(b, ": ");
	put_value(b, value);
	fw_buf_putc(b, '\n');
}

static void put_time(struct fw_buf *b, int64_t nanos)
{
	int64_t secs = nanos / 1000000000;
	time_t t;
	struct tm tm;

	if (nanos < 0 && nanos % 1000000000)
		secs--; /* floor, as Go does */
	t = (time_t)secs;
	if ((int64_t)t != secs || !gmtime_r(&t, &tm) || tm.tm_year + 1900 < 0 ||
	    tm.tm_year + 1900 > 9999) {
		fw_buf_printf(b, "time: %" PRId64 "ns since the epoch\n", nanos);
		return;
	}
	fw_buf_printf(b, "time: %04d-%02d-%02dT%02d:%02d:%02dZ\n", tm.tm_year + 1900,
		      tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

struct key_unit {
	const char *key, *unit;
};

static int cmp_key_unit(const void *a, const void *b)
{
	const struct key_unit *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : strcmp(x->unit, y->unit);
}

/* Sorts the n pairs, drops duplicates and writes "key: k1 (u1), k2". */
static void put_keys(struct fw_buf *b, const char *name, struct key_unit *ku, size_t n)
{
	if (n == 0)
		return;
	fw_qsort(ku, n, sizeof(*ku), cmp_key_unit);
	fw_buf_puts(b, name);
	fw_buf_puts(b, ": ");
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && cmp_key_unit(&ku[i - 1], &ku[i]) == 0)
			continue;
		if (i > 0)
			fw_buf_puts(b, ", ");
		put_value(b, ku[i].key);
		if (ku[i].unit[0]) {
			fw_buf_puts(b, " (");
			put_value(b, ku[i].unit);
			fw_buf_putc(b, ')');
		}
	}
	fw_buf_putc(b, '\n');
}

static int put_label_keys(const struct fw_profile *p, struct fw_buf *b, struct fw_error *err)
{
	struct key_unit *str_keys, *num_keys;
	size_t n_str = 0, n_num = 0;
	bool *used;

	/* Only labels some sample refers to count (a label array may hold
	 * slices no sample uses any more, e.g. after filtering). */
	str_keys = malloc((p->n_labels + 1) * sizeof(*str_keys));
	num_keys = malloc((p->n_labels + 1) * sizeof(*num_keys));
	used = calloc(p->n_labels + 1, sizeof(*used));
	if (!str_keys || !num_keys || !used) {
		free(str_keys);
		free(num_keys);
		free(used);
		return fw_err(err, -ENOMEM, "out of memory");
	}
	for (size_t s = 0; s < p->n_samples; s++)
		for (uint32_t k = 0; k < p->samples[s].n_labels; k++)
			used[p->samples[s].first_label + k] = true;
	for (size_t i = 0; i < p->n_labels; i++) {
		const struct fw_label *l = &p->labels[i];
		if (!used[i])
			continue;
		if (l->str) {
			str_keys[n_str].key = fw_pstr(p, l->key);
			str_keys[n_str++].unit = "";
		} else {
			num_keys[n_num].key = fw_pstr(p, l->key);
			num_keys[n_num++].unit = fw_pstr(p, l->num_unit);
		}
	}
	free(used);
	put_keys(b, "string_label_keys", str_keys, n_str);
	put_keys(b, "numeric_label_keys", num_keys, n_num);
	free(str_keys);
	free(num_keys);
	return 0;
}

int fw_meta_write(const struct fw_profile *p, const char *name, struct fw_buf *out,
		  struct fw_error *err)
{
	size_t def;
	int r;

	if (p->n_sample_types == 0)
		return fw_err(err, -EINVAL, "%s: profile has no sample types", name);
	def = fw_profile_default_sample(p);
	put_line(out, "file", name);
	for (size_t i = 0; i < p->n_sample_types; i++) {
		fw_buf_puts(out, "sample_type: ");
		put_value(out, fw_pstr(p, p->sample_types[i].type));
		fw_buf_putc(out, '/');
		put_value(out, fw_pstr(p, p->sample_types[i].unit));
		fw_buf_puts(out, i == def ? " (default)\n" : "\n");
	}
	if (p->period_type.type || p->period_type.unit) {
		fw_buf_puts(out, "period_type: ");
		put_value(out, fw_pstr(p, p->period_type.type));
		fw_buf_putc(out, '/');
		put_value(out, fw_pstr(p, p->period_type.unit));
		fw_buf_putc(out, '\n');
	}
	fw_buf_printf(out, "period: %" PRId64 "\n", p->period);
	if (p->time_nanos != 0)
		put_time(out, p->time_nanos);
	if (p->duration_nanos != 0) {
		char d[64];
		fw_unit_label(d, sizeof(d), p->duration_nanos, "nanoseconds", "auto");
		put_line(out, "duration", d);
	}
	fw_buf_printf(out, "samples: %zu\n", p->n_samples);
	fw_buf_printf(out, "locations: %zu\n", p->n_locations);
	fw_buf_printf(out, "functions: %zu\n", p->n_functions);
	fw_buf_printf(out, "mappings: %zu\n", p->n_mappings);
	if (p->n_mappings > 0) {
		const struct fw_mapping *m = &p->mappings[0];
		if (m->filename && fw_pstr(p, m->filename)[0])
			put_line(out, "main_mapping", fw_pstr(p, m->filename));
		if (m->build_id && fw_pstr(p, m->build_id)[0])
			put_line(out, "build_id", fw_pstr(p, m->build_id));
	}
	if ((r = put_label_keys(p, out, err)) < 0)
		return r;
	for (size_t i = 0; i < p->n_comments; i++)
		put_line(out, "comment", fw_pstr(p, p->comments[i]));
	if (p->drop_frames)
		put_line(out, "drop_frames", fw_pstr(p, p->drop_frames));
	if (p->keep_frames)
		put_line(out, "keep_frames", fw_pstr(p, p->keep_frames));
	if (out->failed)
		return fw_err(err, -ENOMEM, "out of memory");
	return 0;
}
