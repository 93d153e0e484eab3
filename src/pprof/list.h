/*
 * list.h: the `-list REGEX` report (pprof's printSource): for every function
 * whose name matches, per source file, "ROUTINE ======", the function's
 * flat and cum, and the source lines around its samples with each line's
 * flat and cum, byte-identical to `go tool pprof -list`.
 *
 * Source files are searched as pprof searches them (openSourceFile: the
 * path as recorded, absolute, or under each -source_path entry and its
 * parents, after trimPath); reading a candidate is the caller's callback,
 * so this file does no I/O and prints nothing.
 */
#ifndef FW_LIST_H
#define FW_LIST_H

#include "pprof/report.h"
#include <stdio.h>

/* Opens path as Go's os.Open would (following symlinks) and reads it.
 * Returns 0 when the open succeeded: data then holds the file's bytes from
 * the start, at least up to its max_lines-th newline (or all of it); a
 * folder or a file that is not a regular one opens but reads as empty (the
 * callback must never block on it: open with O_NONBLOCK, check with fstat).
 * Returns a negative errno when the open failed: the search goes on. */
typedef int (*fw_list_open_fn)(void *ctx, const char *path, uint64_t max_lines, struct fw_buf *data);

struct fw_list_opts {
	const char *source_path; /* -source_path, ':'-separated; NULL or "" = cwd */
	const char *trim_path;	 /* -trim_path, ':'-separated; NULL = none */
	const char *cwd;	 /* the current folder (pprof's default search path) */
	fw_list_open_fn open;
	void *ctx;
	/* When set, the text is written there function by function as it is
	 * made, and out holds at most a function's (the list of every
	 * function of a large profile is megabytes); a failed write is the
	 * error "writing standard output: ...". */
	FILE *stream;
	/* The report's last use: its profile's locations and samples are
	 * freed as soon as the list has what it needs from them. */
	bool drop_profile;
};

/* The report for the functions whose name matches regex (Go RE2). The
 * report must be built with FW_GRAN_LINES and the same trim_path and
 * source_path in its options (pprof trims the file names of the graph
 * with them). No match: -ENOENT with pprof's message. */
int fw_list_write(struct fw_report *r, const char *regex, const struct fw_list_opts *o,
		  struct fw_buf *out, struct fw_error *err);

/* pprof's report.trimPath: path (len bytes, may hold NUL) without the first
 * matching prefix: with no trim_path, everything up to "/BASE/" for the
 * base name of a search_path entry; else a trim_path entry (a '/' added);
 * then "/proc/self/cwd/./" or "/proc/self/cwd/". Returns a pointer into
 * path and sets *out_len. */
const char *fw_list_trim_path(const char *path, size_t len, const char *trim_path,
			      const char *search_path, size_t *out_len);

#endif
