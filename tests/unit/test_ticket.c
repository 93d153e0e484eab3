/*
 * test_ticket.c: the support ticket (base/ticket.c): each form the default
 * tickets.pattern finds in a file name, names it must not take a ticket
 * from, a configured pattern, the normal form, and hostile tickets.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/ticket.h"
#include "base/util.h"
#include "../tap.h"

static void from_name(const char *pattern, const char *name, int want_r, const char *want)
{
	char t[FW_TICKET_BUFSZ];
	struct fw_error err = { "" };
	int r = fw_ticket_from_name(pattern, name, t, &err);

	TAP_OK(r == want_r && !strcmp(t, want), "\"%s\" -> %d \"%s\" (want %d \"%s\") %s", name, r, t, want_r,
	       want, err.msg);
}

static void test_default(void)
{
	const char *p = FW_TICKET_DEFAULT_PATTERN;

	/* the four forms of the issue, anywhere they may appear */
	from_name(p, "ZD-12345_datadog-agent-2024-10-02T14-21-52Z-info.zip", 1, "ZD-12345");
	from_name(p, "zd12345-datadog-agent-2024-10-02T14-21-52Z-info.zip", 1, "ZD-12345");
	from_name(p, "datadog-agent-2024-10-02T14-21-52Z-info-zd-987654.zip", 1, "ZD-987654");
	from_name(p, "#12345 datadog-agent.zip", 1, "ZD-12345");
	from_name(p, "customer_#4242_flare.zip", 1, "ZD-4242");
	from_name(p, "12345_datadog-agent-2024-10-02T14-21-52Z-info.zip", 1, "ZD-12345");
	from_name(p, "1234567-flare.zip", 1, "ZD-1234567");
	from_name(p, "Zd00042.zip", 1, "ZD-00042");
	/* no ticket */
	from_name(p, "datadog-agent-2024-10-02T14-21-52Z-info.zip", 0, "");
	from_name(p, "2024-10-02-flare.zip", 0, "");
	from_name(p, "1234_flare.zip", 0, "");		 /* 4 digits: too short to be leading */
	from_name(p, "flare-12345_x.zip", 0, "");	 /* a number, but not leading */
	from_name(p, "wizd12345.zip", 0, "");		 /* zd after a letter */
	from_name(p, "x9#12345.zip", 0, "");		 /* # after a digit */
	from_name(p, "zd.zip", 0, "");
	from_name(p, "", 0, "");
	/* more than 12 digits is no ticket number */
	from_name(p, "ZD-1234567890123.zip", 0, "");
	from_name(p, "1234567890123_flare.zip", 0, "");
	/* the first match wins */
	from_name(p, "55555_zd-66666.zip", 1, "ZD-55555");
}

static void test_configured(void)
{
	char t[FW_TICKET_BUFSZ];
	struct fw_error err = { "" };

	/* a Jira-style pattern: the group is kept as given */
	from_name("(SUP-[0-9]+)", "flare-sup-42-host.zip", 1, "sup-42");
	from_name("ticket=([A-Z]+-[0-9]+)", "x-ticket=OPS-7.zip", 1, "OPS-7");
	/* no group: the whole match */
	from_name("[0-9]{6}", "flare 123456.zip", 1, "ZD-123456");
	/* the last group that took part */
	from_name("(a)|(b)(c)", "xbc", 1, "c");
	from_name("(a)|(b)(c)", "xa", 1, "a");
	/* an empty pattern takes no ticket */
	from_name("", "ZD-12345.zip", 0, "");
	/* a match that is no valid ticket is no ticket */
	from_name("flare(.*)\\.zip", "flare bad name.zip", 0, "");
	from_name("(.*)", "ZD-1;rm -rf.zip", 0, "");
	TAP_EQ_INT(fw_ticket_from_name("([0-9]", "x1", t, &err), -EINVAL, "a bad pattern: -EINVAL (%s)", err.msg);
	TAP_EQ_INT(fw_ticket_pattern_check("([0-9]", &err), -EINVAL, "pattern check refuses \"([0-9]\"");
	TAP_OK(strstr(err.msg, "regular expression") != NULL, "... saying why: %s", err.msg);
	TAP_EQ_INT(fw_ticket_pattern_check("", &err), 0, "the empty pattern is valid");
	TAP_EQ_INT(fw_ticket_pattern_check(FW_TICKET_DEFAULT_PATTERN, &err), 0, "the default compiles");
}

static void norm(const char *in, int want_r, const char *want)
{
	char t[FW_TICKET_BUFSZ];
	struct fw_error err = { "" };
	int r = fw_ticket_normalize(in, strlen(in), t, &err);

	TAP_OK(r == want_r && !strcmp(t, want), "normalize \"%s\" -> %d \"%s\" (%s)", in, r, t, err.msg);
}

static void test_normalize(void)
{
	char t[FW_TICKET_BUFSZ], nul[] = "ZD-1\0x";
	struct fw_error err;

	norm("ZD-12345", 0, "ZD-12345");
	norm("zd-12345", 0, "ZD-12345");
	norm("zd12345", 0, "ZD-12345");
	norm("#12345", 0, "ZD-12345");
	norm("12345", 0, "ZD-12345");
	norm("#zd12345", 0, "ZD-12345");
	norm("SUP-42", 0, "SUP-42");
	norm("case_7.b", 0, "case_7.b");
	norm("123456789012", 0, "ZD-123456789012");
	norm("abcdefghijabcdefghijabcdefghij12", 0, "abcdefghijabcdefghijabcdefghij12");
	/* hostile */
	norm("", -EINVAL, "");
	norm("#", -EINVAL, "");
	norm("1234567890123", -EINVAL, "");
	norm("abcdefghijabcdefghijabcdefghij123", -EINVAL, "");
	norm("ZD 12345", -EINVAL, "");
	norm("ZD-1\n2", -EINVAL, "");
	norm("ZD-1\x1b[31m", -EINVAL, "");
	norm("../../etc", -EINVAL, "");
	norm("-rf", -EINVAL, "");
	norm(".hidden", -EINVAL, "");
	norm("a|b", -EINVAL, "");
	norm("`x`", -EINVAL, "");
	norm("\xe2\x80\xae" "123", -EINVAL, "");
	/* what the redactor would hide (a 32-hex API key) is no ticket */
	norm("0123456789abcdef0123456789abcdef", -EINVAL, "");
	TAP_EQ_INT(fw_ticket_normalize(nul, 6, t, &err), -EINVAL, "a NUL byte inside: refused");
}

int main(void)
{
	test_default();
	test_configured();
	test_normalize();
	return tap_done();
}
