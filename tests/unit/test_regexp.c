/*
 * test_regexp.c: unit tests for src/base/regexp.c (Go's regexps). Every
 * case of tests/fixtures/regexp/golden.tsv, written by Go's own regexp
 * package (tests/fixtures/regexp/gen.go), must come out the same: the same
 * compile error, word for word, or the same match / no match on every
 * subject (invalid UTF-8 and NUL bytes included). When go is installed the
 * generator is run again and its output must be the committed golden. Then
 * what Go's tests cannot show: the subject is s[0..len), and matching stays
 * linear on patterns that make backtracking matchers explode.
 */
#include "../tap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/regexp.h"
#include "base/util.h"

#define GOLDEN "tests/fixtures/regexp/golden.tsv"

static void put_utf8(struct fw_buf *b, uint32_t c)
{
	if (c < 0x80) {
		fw_buf_putc(b, (char)c);
	} else if (c < 0x800) {
		fw_buf_putc(b, (char)(0xC0 | c >> 6));
		fw_buf_putc(b, (char)(0x80 | (c & 0x3F)));
	} else if (c < 0x10000) {
		fw_buf_putc(b, (char)(0xE0 | c >> 12));
		fw_buf_putc(b, (char)(0x80 | ((c >> 6) & 0x3F)));
		fw_buf_putc(b, (char)(0x80 | (c & 0x3F)));
	} else {
		fw_buf_putc(b, (char)(0xF0 | c >> 18));
		fw_buf_putc(b, (char)(0x80 | ((c >> 12) & 0x3F)));
		fw_buf_putc(b, (char)(0x80 | ((c >> 6) & 0x3F)));
		fw_buf_putc(b, (char)(0x80 | (c & 0x3F)));
	}
}

/* Reads one Go-quoted string (strconv.Quote's output) at *s into b. */
static bool unquote(const char **s, struct fw_buf *b)
{
	const char *p = *s;

	b->len = 0;
	if (b->data)
		b->data[0] = 0;
	if (*p++ != '"')
		return false;
	while (*p && *p != '"') {
		unsigned long v;
		char hex[9];
		int n;

		if (*p != '\\') {
			fw_buf_putc(b, *p++);
			continue;
		}
		p++;
		switch (*p) {
		case 'a': fw_buf_putc(b, '\a'); p++; continue;
		case 'b': fw_buf_putc(b, '\b'); p++; continue;
		case 'f': fw_buf_putc(b, '\f'); p++; continue;
		case 'n': fw_buf_putc(b, '\n'); p++; continue;
		case 'r': fw_buf_putc(b, '\r'); p++; continue;
		case 't': fw_buf_putc(b, '\t'); p++; continue;
		case 'v': fw_buf_putc(b, '\v'); p++; continue;
		case '\\': case '"': fw_buf_putc(b, *p++); continue;
		case 'x': n = 2; break;
		case 'u': n = 4; break;
		case 'U': n = 8; break;
		default: return false;
		}
		p++;
		if ((int)strnlen(p, (size_t)n) < n)
			return false;
		memcpy(hex, p, (size_t)n);
		hex[n] = 0;
		v = strtoul(hex, NULL, 16);
		p += n;
		if (n == 2)
			fw_buf_putc(b, (char)v);
		else
			put_utf8(b, (uint32_t)v);
	}
	if (*p != '"')
		return false;
	*s = p + 1;
	return !b->failed;
}

struct golden_case {
	struct fw_buf pattern, subject, result;
};

static bool read_case(const char **line, struct golden_case *c)
{
	const char *p = *line;

	if (!unquote(&p, &c->pattern) || *p++ != '\t' || !unquote(&p, &c->subject) ||
	    *p++ != '\t' || !unquote(&p, &c->result) || *p++ != '\n')
		return false;
	*line = p;
	return true;
}

static char *read_golden(const char *top, size_t *len)
{
	char path[4096];
	uint8_t *data = NULL;
	struct fw_error err;

	snprintf(path, sizeof(path), "%s/%s", top, GOLDEN);
	if (fw_read_file(path, 64 << 20, &data, len, &err) < 0) {
		TAP_DIAG("%s", err.msg);
		return NULL;
	}
	return (char *)data;
}

/* One test per pattern of the golden: Go's error, or Go's answer on every
 * subject. */
static void test_golden(const char *data)
{
	struct golden_case c, first;
	const char *p = data;
	size_t patterns = 0, cases = 0;

	fw_buf_init(&c.pattern);
	fw_buf_init(&c.subject);
	fw_buf_init(&c.result);
	fw_buf_init(&first.pattern);
	while (*p) {
		struct fw_regexp *re = NULL;
		struct fw_error err = { "" };
		size_t bad = 0, n = 0;
		int rc;

		if (!TAP_OK(read_case(&p, &c), "golden line %zu reads", cases + 1))
			break;
		first.pattern.len = 0;
		if (first.pattern.data)
			first.pattern.data[0] = 0;
		fw_buf_putn(&first.pattern, c.pattern.data, c.pattern.len);
		patterns++;
		rc = fw_regexp_compile(&re, fw_buf_str(&c.pattern), &err);
		if (strcmp(fw_buf_str(&c.result), "0") && strcmp(fw_buf_str(&c.result), "1")) {
			cases++;
			if (!TAP_EQ_INT(rc, -EINVAL, "%s: refused like Go", fw_buf_str(&c.pattern)))
				fw_regexp_free(re);
			else
				TAP_EQ_STR(err.msg, fw_buf_str(&c.result), "... with Go's error");
			continue;
		}
		if (!TAP_EQ_INT(rc, 0, "%s compiles (Go accepts it)", fw_buf_str(&c.pattern)))
			TAP_DIAG("%s", err.msg);
		for (;;) {
			bool want = strcmp(fw_buf_str(&c.result), "1") == 0;
			cases++;
			n++;
			if (rc == 0 && fw_regexp_match(re, c.subject.data ? c.subject.data : "", c.subject.len) != want) {
				bad++;
				TAP_DIAG("%s on \"%s\": Go says %s", fw_buf_str(&first.pattern), fw_buf_str(&c.subject),
					 want ? "match" : "no match");
			}
			if (!*p)
				break;
			{
				const char *q = p;
				if (!read_case(&q, &c) || c.pattern.len != first.pattern.len ||
				    memcmp(c.pattern.data, first.pattern.data, c.pattern.len))
					break;
				p = q;
			}
		}
		fw_regexp_free(re);
		if (rc == 0)
			TAP_EQ_UINT(bad, 0, "%s matches like Go on %zu subjects", fw_buf_str(&first.pattern), n);
	}
	TAP_OK(patterns > 250 && cases > 20000, "the golden holds %zu patterns, %zu cases", patterns, cases);
	fw_buf_free(&c.pattern);
	fw_buf_free(&c.subject);
	fw_buf_free(&c.result);
	fw_buf_free(&first.pattern);
}

/* With go installed, gen.go still writes the committed golden. */
static void test_generator(const char *top, const char *golden, size_t len)
{
	char cmd[4200];
	struct fw_buf out;
	char buf[65536];
	size_t n;
	FILE *f;
	int st;

	if (system("command -v go >/dev/null 2>&1") != 0) {
		TAP_SKIP("go is not installed", "go run gen.go writes the committed golden");
		return;
	}
	snprintf(cmd, sizeof(cmd), "cd '%s/tests/fixtures/regexp' && GO111MODULE=off go run gen.go", top);
	if (!(f = popen(cmd, "r"))) {
		TAP_OK(0, "popen %s", cmd);
		return;
	}
	fw_buf_init(&out);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fw_buf_putn(&out, buf, n);
	st = pclose(f);
	TAP_OK(st == 0 && out.len == len && memcmp(out.data, golden, len) == 0,
	       "go run gen.go writes the committed golden (%zu bytes, exit %d)", out.len, st);
	fw_buf_free(&out);
}

/* The subject is s[0..len): a NUL inside it is a character, what follows
 * len is not looked at. */
static void test_length(void)
{
	struct fw_error err = { "" };
	struct fw_regexp *re = NULL;

	if (!TAP_EQ_INT(fw_regexp_compile(&re, "ab$", &err), 0, "ab$ compiles"))
		return;
	TAP_OK(fw_regexp_match(re, "xabc", 3), "ab$ matches \"xab\" (len 3 of \"xabc\")");
	TAP_OK(!fw_regexp_match(re, "xabc", 4), "ab$ does not match \"xabc\"");
	TAP_OK(fw_regexp_match(re, "\0ab", 3), "ab$ matches \"\\0ab\"");
	fw_regexp_free(re);
	if (!TAP_EQ_INT(fw_regexp_compile(&re, "^a\\x00b$", &err), 0, "^a\\x00b$ compiles"))
		return;
	TAP_OK(fw_regexp_match(re, "a\0b", 3), "^a\\x00b$ matches \"a\\0b\"");
	fw_regexp_free(re);
}

static double seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Patterns that take a backtracking matcher exponential time on a run of
 * a's without the final character: here the time grows with the length
 * (the diagnostics show it for 1x, 4x, 16x), and 256 KiB takes well under
 * the 30 s bound (a backtracker would not finish). */
static void test_linear(void)
{
	static const char *const pats[] = { "(a*)*b", "(a|aa)+b", "(a+)+b", "^(a?){25}a{25}$",
					    "(?:a*){100}b" };
	size_t max = 256 << 10;
	char *s = malloc(max);

	if (!TAP_OK(s != NULL, "allocates the subject"))
		return;
	memset(s, 'a', max);
	for (size_t i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
		struct fw_error err = { "" };
		struct fw_regexp *re = NULL;
		double t[3], total = 0;
		bool any = false;

		if (!TAP_EQ_INT(fw_regexp_compile(&re, pats[i], &err), 0, "%s compiles", pats[i]))
			continue;
		for (int k = 0; k < 3; k++) {
			size_t len = max >> (4 - 2 * k); /* 16 KiB, 64 KiB, 256 KiB */
			double t0 = seconds();
			any = fw_regexp_match(re, s, len) || any;
			t[k] = seconds() - t0;
			total += t[k];
		}
		TAP_DIAG("%s on 16/64/256 KiB of a's: %.4f %.4f %.4f s", pats[i], t[0], t[1], t[2]);
		TAP_OK(!any && total < 30, "%s: no match on a's, in %.3f s", pats[i], total);
		fw_regexp_free(re);
	}
	free(s);
}

int main(void)
{
	const char *top = getenv("abs_top_srcdir");
	size_t len = 0;
	char *golden;

	if (!top)
		top = ".";
	golden = read_golden(top, &len);
	if (TAP_OK(golden != NULL, "reads %s", GOLDEN)) {
		test_golden(golden);
		test_generator(top, golden, len);
	}
	free(golden);
	test_length();
	test_linear();
	return tap_done();
}
