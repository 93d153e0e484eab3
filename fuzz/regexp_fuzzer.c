/*
 * regexp_fuzzer.c: libFuzzer harness for Go's regexps (src/base/regexp.c):
 * the parser, the compiler and the Pike VM.
 *
 * The input is a pattern, a NUL byte and a subject (no NUL: all pattern,
 * empty subject); the pattern is cut at 1 KiB and the subject at 512
 * bytes, so that a slow input means a super-linear matcher, not a big
 * one. For every input:
 *  1. compiling succeeds, or fails with Go's "error parsing regexp: "
 *     prefix (or out of memory);
 *  2. a compiled pattern matches the subject, the subject with bytes
 *     before and after it, and the empty string without crashing; a
 *     pattern that matches the subject matches it inside any text unless
 *     it holds an anchor or a word boundary (^ $ \A \z \b \B);
 *  3. the subject, when valid UTF-8 without "\E", is matched by
 *     \Q<subject>\E, by (?i)\Q<subject>\E and, after arbitrary text, by
 *     \Q<subject>\E\z; a pattern that compiles also compiles as (?:P)
 *     and (?:P)|x and matches the same.
 * Everything is freed, so LeakSanitizer reports leaks as crashes.
 *
 * Build and run: `make fuzz`, `make fuzz-run FUZZERS=regexp` (fuzz/Makefile.inc).
 */
#include "base/regexp.h"
#include "base/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PATTERN 1024
#define MAX_SUBJECT 512

static void die(const char *what, const char *pat, const char *s, size_t n)
{
	fprintf(stderr, "regexp_fuzzer: %s\npattern: %s\nsubject (%zu bytes): ", what, pat, n);
	fwrite(s, 1, n, stderr);
	fputc('\n', stderr);
	abort();
}

static struct fw_regexp *compile(const char *pat, bool must)
{
	struct fw_regexp *re = NULL;
	struct fw_error err = { "" };
	int r = fw_regexp_compile(&re, pat, &err);

	if (r < 0) {
		if (strncmp(err.msg, "error parsing regexp: ", 22) != 0 && strcmp(err.msg, "out of memory") != 0)
			die("an error without Go's prefix", pat, err.msg, strlen(err.msg));
		if (must && strcmp(err.msg, "out of memory") != 0)
			die("refused", pat, err.msg, strlen(err.msg));
		return NULL;
	}
	return re;
}

static bool valid_utf8(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint32_t c;
		size_t l = fw_utf8_decode(s + i, n - i, &c);
		if (!l)
			return false;
		i += l;
	}
	return true;
}

static void check_literal(const char *s, size_t n)
{
	static const char *const pre[] = { "\\Q", "(?i)\\Q", "\\Q" };
	static const char *const post[] = { "\\E", "\\E", "\\E\\z" };
	char pat[MAX_SUBJECT + 16], text[MAX_SUBJECT + 8];

	if (memchr(s, 0, n) || !valid_utf8(s, n) || memmem(s, n, "\\E", 2))
		return;
	memcpy(text, "x\n\xff", 3);
	memcpy(text + 3, s, n);
	for (size_t f = 0; f < sizeof(pre) / sizeof(pre[0]); f++) {
		struct fw_regexp *re;
		snprintf(pat, sizeof(pat), "%s%.*s%s", pre[f], (int)n, s, post[f]);
		if (!(re = compile(pat, true)))
			continue;
		if (!fw_regexp_match(re, s, n) || !fw_regexp_match(re, text, n + 3))
			die("a quoted literal does not match itself", pat, s, n);
		fw_regexp_free(re);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nul = memchr(data, 0, size);
	size_t plen = nul ? (size_t)(nul - (const char *)data) : size;
	const char *s = nul ? nul + 1 : "";
	size_t n = nul ? size - plen - 1 : 0;
	char pat[MAX_PATTERN + 1], wrapped[MAX_PATTERN + 32], text[MAX_SUBJECT + 8];
	struct fw_regexp *re, *re2;
	bool m;

	if (plen > MAX_PATTERN)
		plen = MAX_PATTERN;
	if (n > MAX_SUBJECT)
		n = MAX_SUBJECT;
	memcpy(pat, data, plen);
	pat[plen] = 0;
	check_literal(s, n);
	if (!(re = compile(pat, false)))
		return 0;
	m = fw_regexp_match(re, s, n);
	(void)fw_regexp_match(re, "", 0);
	memcpy(text, "a\n\xc3", 3);
	memcpy(text + 3, s, n);
	memcpy(text + 3 + n, "\xff\nb", 3);
	if (m && !fw_regexp_match(re, text, n + 6) && !strpbrk(pat, "^$\\"))
		die("a match is lost inside longer text", pat, s, n);
	for (int k = 0; k < 2; k++) {
		snprintf(wrapped, sizeof(wrapped), "(?:%s)%s", pat, k ? "|\\x{10FFFF}\\x00" : "");
		/* (?:P) of a P that ends inside a group or \Q is not P */
		if (strstr(pat, "\\Q") || !(re2 = compile(wrapped, false)))
			continue;
		if (fw_regexp_match(re2, s, n) != m && !memmem(s, n, "\xf4\x8f\xbf\xbf", 4))
			die("(?:P) matches differently", wrapped, s, n);
		fw_regexp_free(re2);
	}
	fw_regexp_free(re);
	return 0;
}
