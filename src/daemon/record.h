/*
 * record.h: the small text records flarewatchd passes around: what a worker
 * child tells its parent about one flare (over a pipe), and what the
 * dedup index (state_dir/seen/<sha256>) remembers about an analysis.
 *
 * A record is lines of "key=value". Keys are [a-z0-9_]; in values a
 * backslash is written "\\", a newline "\n" and any other control byte
 * "\xHH", so a value is always one line and the format cannot be confused
 * by what a flare contains.
 *
 * A worker's record of a failure has error= (the message), errno= and
 * fault=: "host" when the host caused it (disk full, read-only or
 * unwritable folders, no file descriptors left: the flare is retried
 * later) or "flare" (the flare goes to failed/).
 */
#ifndef FWD_RECORD_H
#define FWD_RECORD_H

#include <stddef.h>

#include "base/util.h"

#define RECORD_MAX_SIZE (64 * 1024)	/* longer input is refused */
#define RECORD_MAX_VALUE 4096		/* record_put() truncates values to this */

struct record_field {
	char *key, *value;
};

struct record {
	struct record_field *f;
	size_t n, cap;
};

/* Appends "key=escaped(value)\n" to b (value NULL: nothing is written). */
void record_put(struct fw_buf *b, const char *key, const char *value);
void record_putf(struct fw_buf *b, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Parses text[0..len). A later key overrides an earlier one. Returns 0,
 * -EINVAL (a line without '=', a bad key or escape, too long) or -ENOMEM;
 * on failure *rec is empty. */
int record_parse(const char *text, size_t len, struct record *rec);

/* The value of key, or NULL. */
const char *record_get(const struct record *rec, const char *key);

void record_free(struct record *rec);

/*
 * An analysis's result (struct fw_analyze_result, without index_warning) as
 * record fields: verdict (its id), hostname, agent_version, summary,
 * report_dir, report_path, json_path, flare_time, heap_growth_bytes,
 * top_growth_function, top_cpu_function. The worker child writes them, the
 * parent reads them back, and the dedup index keeps a copy.
 */
struct fw_analyze_result;
void record_put_result(struct fw_buf *b, const struct fw_analyze_result *r);
/* Copies rec's result fields, as they are, to b. */
void record_copy_result(struct fw_buf *b, const struct record *rec);
/* Fills *r with copies of rec's result fields (free it with
 * fw_analyze_result_free()). -EINVAL when rec has no known verdict or no
 * report_path, -ENOMEM; on failure *r is empty. */
int record_get_result(const struct record *rec, struct fw_analyze_result *r);

#endif
