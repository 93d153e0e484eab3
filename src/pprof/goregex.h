/*
 * goregex.h: pprof compiles its regexp arguments with Go's regexp package;
 * we match with POSIX extended regexes (regcomp). fw_regex_compile()
 * translates what Go has and ERE lacks and a pprof user is likely to type:
 * a leading (?i) and other flags, (?: groups, \Q...\E, the \d \s \w classes
 * and their negations, \A and \z, lazy quantifiers, escaped punctuation in
 * brackets. What ERE cannot express (a negated class inside brackets) is a
 * clear error.
 */
#ifndef FW_GOREGEX_H
#define FW_GOREGEX_H

#include <regex.h>

#include "base/util.h"

/* Translates re into b; *cflags gains REG_ICASE for (?i). 0, -ENOMEM or
 * -EINVAL (unsupported syntax). */
int fw_regex_to_ere(const char *re, struct fw_buf *b, int *cflags);

/* regcomp() of the translation with REG_EXTENDED|REG_NOSUB; errors name the
 * pattern. Free with regfree(). */
int fw_regex_compile(regex_t *rx, const char *regex, struct fw_error *err);

#endif
