/*
 * versionhistory.h: parser for a flare's version-history.json, the agent's
 * record of every version installed on the host, oldest first
 * (pkg/util/installinfo):
 *
 *   {"entries":[{"version":"7.55.1","timestamp":"2024-07-18T10:14:02.331920114Z",
 *                "install_method":{"tool":...,"tool_version":...,"installer_version":...}},
 *               ...]}
 *
 * JSON is YAML's flow style, so the file is read with libyaml's event API
 * (as install_info is), from a copy cleaned by fw_text_clean(): aliases are
 * never expanded, collections deeper than 64 are skipped, at most
 * FW_VHIST_MAX_ENTRIES entries are kept (the rest are counted). Unknown
 * keys are ignored. Every string kept went through fw_redact_field().
 */
#ifndef FW_VERSIONHISTORY_H
#define FW_VERSIONHISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

#define FW_VHIST_MAX_ENTRIES 1000
#define FW_VHIST_FIELD_MAX 64	/* bytes kept of a version */

struct fw_vhist_entry {
	char version[FW_VHIST_FIELD_MAX + 1];	/* "" when absent */
	bool has_time;				/* time_ms is valid */
	int64_t time_ms;			/* unix milliseconds */
};

struct fw_vhist {
	struct fw_vhist_entry *entries;	/* malloc'd, file order */
	size_t n_entries;
	size_t entries_dropped;		/* beyond FW_VHIST_MAX_ENTRIES */
	bool partial;			/* a JSON error stopped the parse after the
					 * top-level object had started */
};

/* Parses text[0..len) into *vh (cleared first). Returns 0, -ENOMEM,
 * -ENODATA for an empty or all-blank file, or -EINVAL when the text is not
 * JSON/YAML or its top level is not an object. fw_vhist_free() is always
 * safe afterwards. */
int fw_vhist_parse(const char *text, size_t len, struct fw_vhist *vh, struct fw_error *err);
void fw_vhist_free(struct fw_vhist *vh);

/* Parses an RFC 3339 time, "2024-09-30T09:02:13.112374001Z" or with a
 * "+02:00"/"-05:00" offset (fraction optional, cut to milliseconds). */
bool fw_vhist_parse_time(const char *s, size_t n, int64_t *ms);

/* -1, 0 or 1 as version a is older, the same or newer than b, comparing
 * the dot-separated numbers ("7.58.2" > "7.9.0"); a part that is not a
 * number compares as text. */
int fw_version_cmp(const char *a, const char *b);

/* The latest version change (an entry whose version differs from the one
 * before it in the file) dated in [at_ms - window_ms, at_ms]. */
struct fw_vhist_change {
	const char *from, *to;	/* into vh's entries */
	int64_t time_ms;
	bool downgrade;		/* to is older than from */
};
bool fw_vhist_recent_change(const struct fw_vhist *vh, int64_t at_ms, int64_t window_ms,
			    struct fw_vhist_change *out);

#endif
