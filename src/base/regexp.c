/*
 * regexp.c: Go (RE2) regular expressions, for now as POSIX extended ones:
 * what Go has and ERE lacks and a pprof user is likely to type is
 * translated (a leading (?i) and other flags, (?: groups, \Q...\E, the
 * \d \s \w classes and their negations, \A and \z, lazy quantifiers,
 * escaped punctuation in brackets); what ERE cannot express is refused.
 */
#include "base/regexp.h"

#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

struct fw_regexp {
	regex_t rx;
};

/*
 * pprof compiles the argument with Go's regexp package; we match with POSIX
 * extended regexes. Translate what Go has and ERE lacks and that is likely
 * in a symbol pattern: leading (?flags), (?: groups, \Q...\E, the \d \s \w
 * classes (and negations), \A and \z, lazy quantifiers (irrelevant to
 * whether a string matches), and escaped punctuation inside brackets.
 */
static void put_class(struct fw_buf *b, char c, bool in_bracket)
{
	const char *set;
	bool neg = false;

	/* Inside brackets the caller only passes d, s and w. */

	switch (c) {
	case 'D': neg = true; /* fall through */
	case 'd': set = "0-9"; break;
	case 'S': neg = true; /* fall through */
	case 's': set = "\t\n\f\r "; break;
	case 'W': neg = true; /* fall through */
	default: set = "0-9A-Za-z_"; break;
	}
	if (in_bracket) {
		fw_buf_puts(b, set);
		return;
	}
	fw_buf_printf(b, "[%s%s]", neg ? "^" : "", set);
}

static bool is_class(char c)
{
	return c && strchr("dDsSwW", c) != NULL;
}

static void put_literal(struct fw_buf *b, char c)
{
	if (strchr("\\^$.[]|()*+?{}", c))
		fw_buf_putc(b, '\\');
	fw_buf_putc(b, c);
}

/* Translates the bracket expression at *sp (at its '['), moving *sp past
 * it. In ERE a backslash inside brackets is itself, and ']', '^' and '-'
 * are literal only in certain places: escaped ones (Go's \] \^ \-) are put
 * there (']' first, '^' not first, '-' last). -EINVAL for a negated Perl
 * class inside brackets, which ERE cannot express. */
static int put_bracket(struct fw_buf *b, const char **sp)
{
	const char *s = *sp + 1;
	bool neg = false, rbracket = false, caret = false, dash = false;
	struct fw_buf body;

	fw_buf_init(&body);
	if (*s == '^') {
		neg = true;
		s++;
	}
	if (*s == ']') {
		rbracket = true;
		s++;
	}
	while (*s && *s != ']') {
		if (s[0] == '[' && s[1] == ':') {
			const char *e = strstr(s + 2, ":]");
			size_t n = e ? (size_t)(e + 2 - s) : strlen(s);
			fw_buf_putn(&body, s, n);
			s += n;
		} else if (s[0] == '\\' && is_class(s[1])) {
			if (s[1] == 'D' || s[1] == 'S' || s[1] == 'W') {
				fw_buf_free(&body);
				return -EINVAL;
			}
			put_class(&body, s[1], true);
			s += 2;
		} else if (s[0] == '\\' && s[1]) {
			/* Escaped punctuation is the character itself. */
			rbracket = rbracket || s[1] == ']';
			caret = caret || s[1] == '^';
			dash = dash || s[1] == '-';
			if (!strchr("]^-", s[1]))
				fw_buf_putc(&body, s[1]);
			s += 2;
		} else {
			fw_buf_putc(&body, *s++);
		}
	}
	if (!neg && !rbracket && !dash && body.len == 0 && caret) {
		fw_buf_puts(b, "\\^"); /* [\^] alone: "[^]" would be a negation */
	} else {
		fw_buf_putc(b, '[');
		if (neg)
			fw_buf_putc(b, '^');
		if (rbracket)
			fw_buf_putc(b, ']');
		fw_buf_putn(b, body.data ? body.data : "", body.len);
		if (caret && !neg && !rbracket && body.len == 0) {
			fw_buf_puts(b, "-^"); /* dash is set: '-' first, then '^' */
			dash = false;
		} else if (caret) {
			fw_buf_putc(b, '^');
		}
		if (dash)
			fw_buf_putc(b, '-');
		if (*s)
			fw_buf_putc(b, ']');
	}
	if (body.failed)
		b->failed = true;
	fw_buf_free(&body);
	*sp = *s ? s + 1 : s;
	return 0;
}

/* Returns 0, -ENOMEM, or -EINVAL for what ERE cannot express (a negated
 * class inside brackets, like [\D]). */
static int to_ere(const char *re, struct fw_buf *b, int *cflags)
{
	const char *s = re;

	/* A leading flag group: (?i) is case folding, s/m/U change nothing
	 * for a single-line name tested for any match. */
	if (s[0] == '(' && s[1] == '?' && s[2] != ':') {
		const char *e = s + 2;
		while (*e && strchr("imsU", *e))
			e++;
		if (*e == ')' && e > s + 2) {
			if (memchr(s + 2, 'i', (size_t)(e - s - 2)))
				*cflags |= REG_ICASE;
			s = e + 1;
		}
	}
	while (*s) {
		char c = *s;

		if (c == '\\' && s[1] == 'Q') {
			const char *end = strstr(s + 2, "\\E");
			const char *stop = end ? end : s + strlen(s);
			for (s += 2; s < stop; s++)
				put_literal(b, *s);
			s = end ? end + 2 : stop;
		} else if (c == '\\' && is_class(s[1])) {
			put_class(b, s[1], false);
			s += 2;
		} else if (c == '\\' && s[1] == 'A') {
			fw_buf_putc(b, '^');
			s += 2;
		} else if (c == '\\' && s[1] == 'z') {
			fw_buf_putc(b, '$');
			s += 2;
		} else if (c == '\\' && s[1]) {
			fw_buf_putn(b, s, 2);
			s += 2;
		} else if (c == '(' && s[1] == '?' && s[2] == ':') {
			fw_buf_putc(b, '(');
			s += 3;
		} else if ((c == '*' || c == '+' || c == '?' || c == '}') && s[1] == '?') {
			fw_buf_putc(b, c); /* lazy: same matches */
			s += 2;
		} else if (c == '[') {
			int r = put_bracket(b, &s);
			if (r < 0)
				return r;
		} else {
			fw_buf_putc(b, *s++);
		}
	}
	return b->failed ? -ENOMEM : 0;
}

int fw_regexp_compile(struct fw_regexp **out, const char *pattern, struct fw_error *err)
{
	struct fw_regexp *re;
	struct fw_buf ere;
	int cflags = REG_EXTENDED | REG_NOSUB, rc;

	*out = NULL;
	fw_buf_init(&ere);
	rc = to_ere(pattern, &ere, &cflags);
	if (rc < 0) {
		fw_buf_free(&ere);
		if (rc == -EINVAL)
			return fw_err(err, rc, "error parsing regexp: unsupported syntax: `%s`", pattern);
		return fw_err(err, rc, "out of memory");
	}
	if (!(re = malloc(sizeof(*re)))) {
		fw_buf_free(&ere);
		return fw_err(err, -ENOMEM, "out of memory");
	}
	rc = regcomp(&re->rx, fw_buf_str(&ere), cflags);
	fw_buf_free(&ere);
	if (rc != 0) {
		char msg[256];
		regerror(rc, &re->rx, msg, sizeof(msg));
		free(re);
		return fw_err(err, -EINVAL, "error parsing regexp: %s: `%s`", msg, pattern);
	}
	*out = re;
	return 0;
}

bool fw_regexp_match(const struct fw_regexp *re, const char *s, size_t len)
{
	regmatch_t m[1];

	/* glibc's REG_STARTEND: the subject is s[0..len), not NUL-terminated */
	m[0].rm_so = 0;
	m[0].rm_eo = (regoff_t)len;
	return regexec(&re->rx, s, 1, m, REG_STARTEND) == 0;
}

void fw_regexp_free(struct fw_regexp *re)
{
	if (!re)
		return;
	regfree(&re->rx);
	free(re);
}
