/*
 * ticket.c: the support ticket of a flare (see ticket.h): normal form,
 * validation, and the search of a file name with tickets.pattern (POSIX
 * ERE through regcomp/regexec).
 */
#include "base/ticket.h"
#include "base/redact.h"

#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DIGITS 12
#define MAX_GROUPS 16	/* groups past the 15th are not looked at */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool all_digits(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	return true;
}

int fw_ticket_normalize(const char *s, size_t n, char out[FW_TICKET_BUFSZ], struct fw_error *err)
{
	const char *d = NULL;
	size_t dn = 0;

	out[0] = 0;
	if (n && s[0] == '#') {
		s++;
		n--;
	}
	if (n == 0)
		return fw_err(err, -EINVAL, "the ticket is empty");
	if (n > FW_TICKET_MAX)
		return fw_err(err, -EINVAL, "the ticket is longer than %d characters", FW_TICKET_MAX);
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-')
			return fw_err(err, -EINVAL,
				      "the ticket may only hold letters, digits, '.', '_' and '-' "
				      "(and a leading '#')");
	if (!is_alnum(s[0]))
		return fw_err(err, -EINVAL, "the ticket must start with a letter or a digit");
	if (all_digits(s, n)) {
		d = s;
		dn = n;
	} else if (n > 2 && (s[0] == 'z' || s[0] == 'Z') && (s[1] == 'd' || s[1] == 'D')) {
		size_t at = s[2] == '-' ? 3 : 2;
		if (all_digits(s + at, n - at)) {
			d = s + at;
			dn = n - at;
		}
	}
	if (d) {
		if (dn > MAX_DIGITS)
			return fw_err(err, -EINVAL, "a ticket number has at most %d digits", MAX_DIGITS);
		snprintf(out, FW_TICKET_BUFSZ, "ZD-%.*s", (int)dn, d);
		return 0;
	}
	memcpy(out, s, n);
	out[n] = 0;
	{
		size_t rl;
		char *red = fw_redact(out, n, &rl);
		bool same = red && rl == n && memcmp(red, out, n) == 0;
		free(red);
		if (!red)
			return fw_err(err, -ENOMEM, "out of memory");
		if (!same) {
			out[0] = 0;
			return fw_err(err, -EINVAL, "the ticket looks like a secret (an API or application key)");
		}
	}
	return 0;
}

static int compile(const char *pattern, regex_t *re, struct fw_error *err)
{
	int rc = regcomp(re, pattern, REG_EXTENDED | REG_ICASE);
	char msg[256];

	if (rc == 0)
		return 0;
	if (rc == REG_ESPACE)
		return fw_err(err, -ENOMEM, "out of memory compiling the ticket pattern");
	regerror(rc, re, msg, sizeof(msg));
	regfree(re);
	return fw_err(err, -EINVAL, "not a POSIX extended regular expression: %s", msg);
}

int fw_ticket_pattern_check(const char *pattern, struct fw_error *err)
{
	regex_t re;
	int r;

	if (!pattern || !*pattern)
		return 0;
	if (strlen(pattern) > FW_TICKET_PATTERN_MAX)
		return fw_err(err, -EINVAL, "longer than %d bytes", FW_TICKET_PATTERN_MAX);
	if ((r = compile(pattern, &re, err)) < 0)
		return r;
	regfree(&re);
	return 0;
}

int fw_ticket_from_name(const char *pattern, const char *name, char out[FW_TICKET_BUFSZ],
			struct fw_error *err)
{
	regmatch_t m[MAX_GROUPS];
	regex_t re;
	struct fw_error ignored;
	size_t g;
	int r;

	out[0] = 0;
	if (!pattern || !*pattern || !name)
		return 0;
	if (strlen(pattern) > FW_TICKET_PATTERN_MAX)
		return fw_err(err, -EINVAL, "the ticket pattern is longer than %d bytes",
			      FW_TICKET_PATTERN_MAX);
	if ((r = compile(pattern, &re, err)) < 0)
		return r;
	r = regexec(&re, name, MAX_GROUPS, m, 0);
	regfree(&re);
	if (r == REG_ESPACE)
		return fw_err(err, -ENOMEM, "out of memory matching the ticket pattern");
	if (r != 0)
		return 0;
	/* the last group that took part in the match, else the match */
	for (g = MAX_GROUPS - 1; g > 0 && m[g].rm_so < 0; g--)
		;
	if (fw_ticket_normalize(name + m[g].rm_so, (size_t)(m[g].rm_eo - m[g].rm_so), out, &ignored) < 0)
		return 0;
	return 1;
}
