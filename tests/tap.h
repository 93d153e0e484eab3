/*
 * tap.h -- a tiny header-only TAP (Test Anything Protocol) producer for the
 * C unit tests under tests/unit/.  automake's tap-driver.sh reads the output.
 *
 *     #include "../tap.h"
 *
 *     int main(void)
 *     {
 *         TAP_OK(strtab_new() != NULL, "strtab_new allocates");
 *         TAP_EQ_INT(idmap_len(m), 3, "three ids after %d inserts", 3);
 *         TAP_EQ_STR(unit_name(u), "MB", "1e6 bytes print as MB");
 *         return tap_done();
 *     }
 *
 * prints, one line per check and the plan last:
 *
 *     ok 1 - strtab_new allocates
 *     not ok 2 - three ids after 3 inserts
 *     # tests/unit/test_idmap.c:12: idmap_len(m) == 3
 *     #   got:      2
 *     #   expected: 3
 *     ok 3 - 1e6 bytes print as MB
 *     1..3
 *
 * Every check macro takes a printf-style name and evaluates to 1 (pass) or
 * 0 (fail), so a test can stop early:
 *     if (!TAP_OK(p != NULL, "parse")) return tap_done();
 * Each argument is evaluated exactly once.  tap_done() prints the plan and
 * returns the exit status for main(): 0 iff every check passed.  Output goes
 * to stdout and is flushed after every line, so a crash (e.g. a sanitizer
 * abort) still leaves every earlier result in the log; the missing plan then
 * makes the TAP driver report an ERROR.
 *
 * State lives in a function-local static, so the header defines no globals
 * and can be included by a single test file only (one TAP stream per
 * program).
 */
#ifndef FLAREWATCH_TESTS_TAP_H
#define FLAREWATCH_TESTS_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#if defined(__GNUC__) || defined(__clang__)
#define TAP_PRINTF_(fmt_idx, arg_idx) __attribute__((format(printf, fmt_idx, arg_idx)))
#else
#define TAP_PRINTF_(fmt_idx, arg_idx)
#endif

struct tap_state_ {
	int run;    /* checks reported so far (the next number is run + 1) */
	int failed; /* checks reported as "not ok" */
};

static inline struct tap_state_ *tap_state_(void)
{
	static struct tap_state_ state;
	return &state;
}

enum tap_esc_ { TAP_ESC_TEXT_, TAP_ESC_NAME_, TAP_ESC_CSTR_ };

/* Writes s[0..len) to stdout with the characters that would break a TAP line
 * made visible: newlines and other control characters become C escapes.
 * TAP_ESC_NAME_ (a test name) also turns '#' into "\#", so a name can never
 * start a SKIP/TODO directive; TAP_ESC_CSTR_ (a value shown between double
 * quotes) also escapes backslashes and double quotes. */
static inline void tap_put_escaped_(const char *s, size_t len, enum tap_esc_ mode)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '\n': fputs("\\n", stdout); break;
		case '\r': fputs("\\r", stdout); break;
		case '\t': fputs("\\t", stdout); break;
		case '\\':
			/* tap-driver.sh: an odd number of backslashes before '#'
			 * escapes it, so "\#" in a name must become "\\\#". */
			if (mode == TAP_ESC_CSTR_ ||
			    (mode == TAP_ESC_NAME_ && i + 1 < len && s[i + 1] == '#'))
				fputs("\\\\", stdout);
			else
				putchar('\\');
			break;
		case '#':
			fputs(mode == TAP_ESC_NAME_ ? "\\#" : "#", stdout);
			break;
		case '"':
			fputs(mode == TAP_ESC_CSTR_ ? "\\\"" : "\"", stdout);
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				printf("\\x%02x", c);
			else
				putchar(c);
		}
	}
}

/* Prints "ok N - name" or "not ok N - name" and the "# file:line: what"
 * diagnostic for a failure.  Returns ok (normalized to 0/1). */
static inline int tap_vresult_(int ok, const char *file, int line, const char *what,
                               const char *fmt, va_list ap) TAP_PRINTF_(5, 0);
static inline int tap_vresult_(int ok, const char *file, int line, const char *what,
                               const char *fmt, va_list ap)
{
	struct tap_state_ *st = tap_state_();
	char name[512];

	vsnprintf(name, sizeof name, fmt, ap);
	st->run++;
	if (!ok)
		st->failed++;
	printf("%s %d - ", ok ? "ok" : "not ok", st->run);
	tap_put_escaped_(name, strlen(name), TAP_ESC_NAME_);
	putchar('\n');
	if (!ok) {
		/* what is stringified source text: it has no newlines */
		printf("# %s:%d: %s\n", file, line, what);
	}
	fflush(stdout);
	return ok != 0;
}

static inline int tap_result_(int ok, const char *file, int line, const char *what,
                              const char *fmt, ...) TAP_PRINTF_(5, 6);
static inline int tap_result_(int ok, const char *file, int line, const char *what,
                              const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ok = tap_vresult_(ok, file, line, what, fmt, ap);
	va_end(ap);
	return ok;
}

/* A free-form "# ..." diagnostic line (newlines in the text start new
 * "# " lines, so the TAP stream stays valid). */
static inline void tap_diag(const char *fmt, ...) TAP_PRINTF_(1, 2);
static inline void tap_diag(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	const char *p, *nl;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	for (p = buf;; p = nl + 1) {
		nl = strchr(p, '\n');
		fputs("# ", stdout);
		tap_put_escaped_(p, nl ? (size_t)(nl - p) : strlen(p), TAP_ESC_TEXT_);
		putchar('\n');
		if (!nl || nl[1] == '\0')
			break;
	}
	fflush(stdout);
}

static inline void tap_diag_str_(const char *label, const char *s)
{
	if (s == NULL) {
		printf("#   %s NULL\n", label);
		return;
	}
	printf("#   %s \"", label);
	tap_put_escaped_(s, strlen(s), TAP_ESC_CSTR_);
	fputs("\"\n", stdout);
}

static inline int tap_eq_int_(intmax_t got, intmax_t want, const char *file, int line,
                              const char *what, const char *fmt, ...) TAP_PRINTF_(6, 7);
static inline int tap_eq_int_(intmax_t got, intmax_t want, const char *file, int line,
                              const char *what, const char *fmt, ...)
{
	va_list ap;
	int ok = got == want;

	va_start(ap, fmt);
	tap_vresult_(ok, file, line, what, fmt, ap);
	va_end(ap);
	if (!ok) {
		printf("#   got:      %" PRIdMAX "\n", got);
		printf("#   expected: %" PRIdMAX "\n", want);
		fflush(stdout);
	}
	return ok;
}

static inline int tap_eq_uint_(uintmax_t got, uintmax_t want, const char *file, int line,
                               const char *what, const char *fmt, ...) TAP_PRINTF_(6, 7);
static inline int tap_eq_uint_(uintmax_t got, uintmax_t want, const char *file, int line,
                               const char *what, const char *fmt, ...)
{
	va_list ap;
	int ok = got == want;

	va_start(ap, fmt);
	tap_vresult_(ok, file, line, what, fmt, ap);
	va_end(ap);
	if (!ok) {
		printf("#   got:      %" PRIuMAX "\n", got);
		printf("#   expected: %" PRIuMAX "\n", want);
		fflush(stdout);
	}
	return ok;
}

/* Two NULLs are equal; NULL and a string are not. */
static inline int tap_eq_str_(const char *got, const char *want, const char *file, int line,
                              const char *what, const char *fmt, ...) TAP_PRINTF_(6, 7);
static inline int tap_eq_str_(const char *got, const char *want, const char *file, int line,
                              const char *what, const char *fmt, ...)
{
	va_list ap;
	int ok = (got == NULL || want == NULL) ? got == want : strcmp(got, want) == 0;

	va_start(ap, fmt);
	tap_vresult_(ok, file, line, what, fmt, ap);
	va_end(ap);
	if (!ok) {
		tap_diag_str_("got:     ", got);
		tap_diag_str_("expected:", want);
		fflush(stdout);
	}
	return ok;
}

/* Reports a check that was not run: "ok N - name # SKIP reason". */
static inline void tap_skip(const char *reason, const char *fmt, ...) TAP_PRINTF_(2, 3);
static inline void tap_skip(const char *reason, const char *fmt, ...)
{
	struct tap_state_ *st = tap_state_();
	char name[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof name, fmt, ap);
	va_end(ap);
	st->run++;
	printf("ok %d - ", st->run);
	tap_put_escaped_(name, strlen(name), TAP_ESC_NAME_);
	fputs(" # SKIP ", stdout);
	tap_put_escaped_(reason, strlen(reason), TAP_ESC_TEXT_);
	putchar('\n');
	fflush(stdout);
}

/* Prints the plan "1..N" and returns main()'s exit status: 0 iff every
 * check passed (no checks at all is a pass: "1..0"). */
static inline int tap_done(void)
{
	struct tap_state_ *st = tap_state_();

	printf("1..%d\n", st->run);
	if (st->failed)
		printf("# failed %d of %d\n", st->failed, st->run);
	fflush(stdout);
	return st->failed ? 1 : 0;
}

/* TAP_OK(cond, fmt, ...): passes iff cond is non-zero. */
#define TAP_OK(cond, ...) \
	tap_result_(!!(cond), __FILE__, __LINE__, "failed: " #cond, __VA_ARGS__)

/* TAP_EQ_INT(got, want, fmt, ...): signed integers, compared as intmax_t. */
#define TAP_EQ_INT(got, want, ...) \
	tap_eq_int_((intmax_t)(got), (intmax_t)(want), __FILE__, __LINE__, \
	            #got " == " #want, __VA_ARGS__)

/* TAP_EQ_UINT(got, want, fmt, ...): unsigned integers (size_t, uint64_t...). */
#define TAP_EQ_UINT(got, want, ...) \
	tap_eq_uint_((uintmax_t)(got), (uintmax_t)(want), __FILE__, __LINE__, \
	             #got " == " #want, __VA_ARGS__)

/* TAP_EQ_STR(got, want, fmt, ...): NUL-terminated strings (NULL allowed). */
#define TAP_EQ_STR(got, want, ...) \
	tap_eq_str_((got), (want), __FILE__, __LINE__, #got " == " #want, __VA_ARGS__)

/* TAP_SKIP(reason, fmt, ...): a check that was deliberately not run. */
#define TAP_SKIP(reason, ...) tap_skip((reason), __VA_ARGS__)

/* TAP_UNDER_ASAN: 1 in a build with AddressSanitizer (its own allocator,
 * no address space limit), else 0. */
#if defined(__SANITIZE_ADDRESS__)
#define TAP_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TAP_UNDER_ASAN 1
#endif
#endif
#ifndef TAP_UNDER_ASAN
#define TAP_UNDER_ASAN 0
#endif

/* TAP_DIAG(fmt, ...): a "# ..." comment line. */
#define TAP_DIAG(...) tap_diag(__VA_ARGS__)

#endif /* FLAREWATCH_TESTS_TAP_H */
