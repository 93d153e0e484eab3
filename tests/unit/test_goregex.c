/*
 * test_goregex.c: unit tests for src/pprof/goregex.c. Every pattern of
 * goregex_cases.h (the Go constructs the translation accepts) must match
 * exactly the subjects Go's regexp matches; the expectations are generated
 * by tests/fixtures/goregex/gen.go with Go itself, never typed by hand. Then
 * the translation's own promises: (?i) becomes REG_ICASE, what ERE cannot
 * express is refused with an error naming the pattern.
 */
#include "../tap.h"

#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "pprof/goregex.h"
#include "goregex_cases.h"

#define N_CASES (sizeof(goregex_cases) / sizeof(goregex_cases[0]))

/* One test per pattern: compiled, and matching like Go on every subject. */
static void test_like_go(void)
{
	size_t i = 0;

	while (i < N_CASES) {
		const char *pat = goregex_cases[i].pattern;
		struct fw_error err = { "" };
		size_t bad = 0, n = 0;
		regex_t rx;
		int rc = fw_regex_compile(&rx, pat, &err);

		for (; i < N_CASES && strcmp(goregex_cases[i].pattern, pat) == 0; i++, n++) {
			int m;
			if (rc < 0)
				continue;
			m = regexec(&rx, goregex_cases[i].subject, 0, NULL, 0) == 0;
			if (m != goregex_cases[i].match) {
				bad++;
				TAP_DIAG("%s on \"%s\": Go says %s, we say %s", pat, goregex_cases[i].subject,
					 goregex_cases[i].match ? "match" : "no match", m ? "match" : "no match");
			}
		}
		if (rc < 0) {
			TAP_DIAG("%s", err.msg);
			TAP_OK(0, "%s compiles (Go accepts it)", pat);
			continue;
		}
		regfree(&rx);
		TAP_EQ_UINT(bad, 0, "%s matches like Go on %zu subjects", pat, n);
	}
}

static void check_ere(const char *re, const char *want, int want_flags)
{
	struct fw_buf b;
	int flags = 0;

	fw_buf_init(&b);
	if (TAP_EQ_INT(fw_regex_to_ere(re, &b, &flags), 0, "%s translates", re)) {
		TAP_EQ_STR(fw_buf_str(&b), want, "%s -> %s", re, want);
		TAP_EQ_INT(flags, want_flags, "%s: cflags", re);
	}
	fw_buf_free(&b);
}

static void test_translation(void)
{
	check_ere("(?i)abc", "abc", REG_ICASE);
	check_ere("(?s)abc", "abc", 0);
	check_ere("\\d\\S", "[0-9][^\t\n\f\r ]", 0);
	check_ere("\\Qa.b\\E+", "a\\.b+", 0);
	check_ere("\\Aa\\z", "^a$", 0);
	check_ere("(?:a|b)*?", "(a|b)*", 0);
	check_ere("[\\.\\d]", "[.0-9]", 0);
}

static void test_refused(void)
{
	static const char *const refused[] = { "[\\D]", "[a\\S]", "[\\W_]" };
	struct fw_error err = { "" };
	regex_t rx;

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		if (!TAP_EQ_INT(fw_regex_compile(&rx, refused[i], &err), -EINVAL,
				"%s (a negated class in brackets) is refused", refused[i]))
			regfree(&rx);
		else
			TAP_OK(strstr(err.msg, refused[i]) && strstr(err.msg, "unsupported"),
			       "... with an error naming the pattern: %s", err.msg);
	}
	if (!TAP_EQ_INT(fw_regex_compile(&rx, "a(b", &err), -EINVAL, "an unbalanced group is refused"))
		regfree(&rx);
	else
		TAP_OK(strstr(err.msg, "a(b") != NULL, "... naming the pattern: %s", err.msg);
}

int main(void)
{
	test_like_go();
	test_translation();
	test_refused();
	return tap_done();
}
