/*
 * outtext.h: a string from a flare made ready for an output. Every writer
 * (write_markdown.c, write_json.c, flamegraph.c, journal.c, the CLI) starts
 * from fw_out_prepare(): redacted whole (a secret cut in half is never
 * shown), then cut to a bound of util.h (FW_OUT_NAME_MAX, FW_OUT_TEXT_MAX)
 * at a character boundary. Each output syntax then escapes what it must,
 * decoding with fw_utf8_decode() and escaping every fw_cp_unsafe()
 * character and invalid byte. fw_out_plain() is the escaper of plain
 * one-line text (terminal, journal fields).
 */
#ifndef FW_OUTTEXT_H
#define FW_OUTTEXT_H

#include <stddef.h>

#include "base/util.h"

/* A malloc'd, NUL-terminated copy of s[0..len), redacted, then cut to at
 * most max bytes without splitting a UTF-8 sequence. *outlen gets its
 * length (it may hold NUL bytes), *cut the number of redacted bytes left
 * out (0 if none). NULL when out of memory. */
char *fw_out_prepare(const char *s, size_t len, size_t max, size_t *outlen, size_t *cut);

/* Appends s (NULL: nothing) as plain one-line text: prepared with max, each
 * unsafe character or invalid byte written as a visible escape ("\x1b",
 * "\u202e"), then "…(N bytes cut)" if it was cut. No newline, no ESC, no
 * bidi control ever gets through. Out of memory marks b failed. */
void fw_out_plain(struct fw_buf *b, const char *s, size_t max);

/* Appends s as a JSON string ("null" for NULL): prepared with max, '"' and
 * '\\' escaped, each unsafe character as "\\uXXXX", an invalid byte as
 * "\\ufffd", then "…(N bytes cut)" if it was cut (inside the quotes). The
 * escaper of report.json (write_json.c) and of `flarewatch status --json`.
 * Out of memory marks b failed. */
void fw_out_json(struct fw_buf *b, const char *s, size_t max);

#endif
