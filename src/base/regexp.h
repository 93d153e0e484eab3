/*
 * regexp.h: Go's regular expressions (the RE2 syntax of Go's regexp
 * package), as `go tool pprof` compiles its regexp arguments (peek, -focus,
 * -ignore, the tag filters). Only whether a string matches is answered.
 */
#ifndef FW_REGEXP_H
#define FW_REGEXP_H

#include <stdbool.h>
#include <stddef.h>

#include "base/util.h"

struct fw_regexp;

/* Compiles a Go (RE2) regexp; on error err says what, in Go's words, naming the pattern. */
int fw_regexp_compile(struct fw_regexp **out, const char *pattern, struct fw_error *err);
/* Go's MatchString: unanchored, UTF-8 (invalid bytes match as U+FFFD, as Go does).
 * Time linear in len; no allocation (re holds the matcher's scratch space,
 * so one match at a time per compiled regexp). */
bool fw_regexp_match(const struct fw_regexp *re, const char *s, size_t len);
void fw_regexp_free(struct fw_regexp *re);

#endif
