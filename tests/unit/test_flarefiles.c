/*
 * test_flarefiles.c: unit tests for the flare text parsers: status.log
 * (status.c), install_info (installinfo.c), expvar/memstats (memstats.c)
 * and go-routine-dump.log (goroutines.c), on the fixtures in
 * tests/fixtures/flarefiles/ and on generated hostile input; and the flare
 * model (flare.c) on flare folders built in a temporary folder.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "flare/flare.h"
#include "base/fsutil.h"
#include "flare/goroutines.h"
#include "flare/installinfo.h"
#include "flare/memstats.h"
#include "flare/status.h"
#include "flare/versionhistory.h"
#include "base/util.h"
#include "../tap.h"

static char *fixture(const char *name, size_t *len)
{
	const char *top = getenv("abs_top_srcdir");
	char path[4096];
	uint8_t *data;
	struct fw_error err;

	snprintf(path, sizeof(path), "%s/tests/fixtures/flarefiles/%s",
		 top && *top ? top : ".", name);
	if (fw_read_file(path, 64u << 20, &data, len, &err) < 0) {
		TAP_DIAG("%s", err.msg);
		return NULL;
	}
	return (char *)data;
}

static const struct fw_status_check *find_check(const struct fw_status *st,
						 const char *name)
{
	for (size_t i = 0; i < st->n_checks; i++)
		if (!strcmp(st->checks[i].name, name))
			return &st->checks[i];
	return NULL;
}

static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* ---- status.log ---------------------------------------------------------- */

static void test_status_current(void)
{
	struct fw_status st;
	struct fw_error err = { "" };
	const struct fw_status_check *c;
	char buf[FW_UPTIME_BUFSZ];
	size_t len;
	char *t = fixture("status-7.58.log", &len);

	if (!TAP_OK(t != NULL, "status-7.58.log fixture"))
		return;
	if (!TAP_EQ_INT(fw_status_parse(t, len, &st, &err), 0, "status 7.58 parses"))
		goto out;
	TAP_OK(!st.local_flare, "not a local flare");
	TAP_EQ_STR(st.agent_version, "7.58.2", "agent version");
	TAP_OK(st.status_date.has_ms, "status date has ms");
	TAP_EQ_INT(st.status_date.unix_ms, 1727878912317LL, "status date unix ms");
	TAP_EQ_STR(st.status_date.text, "2024-10-02 14:21:52.317 UTC", "status date text");
	TAP_EQ_INT(st.agent_start.unix_ms, 1727686931648LL, "agent start unix ms");
	TAP_OK(st.has_pid && st.pid == 2817, "pid from the header, not the Apm Agent's");
	TAP_EQ_STR(st.go_version, "go1.22.7", "go version");
	TAP_EQ_STR(st.python_version, "3.12.6", "python version");
	TAP_EQ_STR(st.hostname, "i-0abc123def4567890", "hostname (not ec2-hostname)");
	TAP_OK(st.has_uptime, "uptime computed");
	TAP_EQ_INT(st.uptime_sec, 191980, "uptime seconds");
	fw_format_uptime(st.uptime_sec, buf, sizeof(buf));
	TAP_EQ_STR(buf, "2 days 5 hours", "uptime formatted");
	TAP_OK(st.has_collector, "collector seen");
	if (TAP_EQ_UINT(st.n_checks, 9, "nine running checks")) {
		static const char *const names[] = { "cpu", "disk", "io", "load",
			"memory", "network", "ntp", "redisdb", "uptime" };
		bool order = true;
		for (size_t i = 0; i < 9; i++)
			order &= !strcmp(st.checks[i].name, names[i]);
		TAP_OK(order, "checks in file order");
	}
	c = find_check(&st, "disk");
	TAP_OK(c && !strcmp(c->version, "5.3.0") && c->n_ok == 1 &&
	       c->n_instances == 1, "disk (5.3.0): one OK instance");
	c = find_check(&st, "cpu");
	TAP_OK(c && c->version[0] == 0 && c->n_ok == 1, "cpu: no version, OK");
	TAP_OK(c && !c->python, "cpu: a Go core check (no version, no traceback)");
	c = find_check(&st, "disk");
	TAP_OK(c && c->python, "disk (5.3.0): a Python check (versioned)");
	c = find_check(&st, "redisdb");
	if (TAP_OK(c != NULL, "redisdb found")) {
		TAP_EQ_STR(c->version, "5.4.0", "redisdb version");
		TAP_OK(c->n_instances == 2 && c->n_ok == 1 && c->n_error == 1 &&
		       c->n_warning == 0, "redisdb: 1 OK, 1 ERROR");
		if (TAP_EQ_UINT(c->msg_count, 1, "redisdb: one message")) {
			const struct fw_status_msg *m = &st.msgs[c->msg_first];
			TAP_OK(m->kind == FW_CHECK_MSG_ERROR, "it is an error");
			TAP_EQ_STR(m->text, "Error 111 connecting to 10.0.3.27:6379. Connection refused.",
				   "error first line only");
			TAP_EQ_STR(m->instance, "redisdb:cache-replica:2f8e0d17c5b94a6e",
				   "error's instance id");
		}
	}
	TAP_EQ_UINT(st.n_msgs, 1, "one message in all");
	TAP_OK(st.checks_dropped == 0 && st.msgs_dropped == 0, "nothing dropped");
	/* Host Info, and the check times (lines 97-248 of the fixture) */
	TAP_EQ_STR(st.os, "linux", "Host Info os");
	TAP_EQ_STR(st.platform, "ubuntu", "Host Info platform");
	TAP_EQ_STR(st.platform_version, "24.04", "Host Info platformVersion");
	TAP_EQ_STR(st.kernel_version, "6.8.0-1015-aws", "Host Info kernelVersion");
	TAP_EQ_STR(st.kernel_arch, "x86_64", "Host Info kernelArch");
	c = find_check(&st, "cpu");
	TAP_OK(c && c->has_avg_exec && c->avg_exec_ns == 0, "cpu: Average Execution Time 0s");
	TAP_OK(c && c->has_last_success && c->last_success_ms == 1727878906000LL && !c->never_succeeded,
	       "cpu: Last Successful Execution 1727878906000");
	c = find_check(&st, "disk");
	TAP_OK(c && c->has_avg_exec && c->avg_exec_ns == 38000000, "disk: 38ms");
	c = find_check(&st, "redisdb");
	TAP_OK(c && c->has_avg_exec && c->avg_exec_ns == 3012000000LL,
	       "redisdb: the slower instance's 3.012s (the other 27ms)");
	TAP_OK(c && c->never_succeeded && c->has_last_success && c->last_success_ms == 1727878906000LL,
	       "redisdb: one instance never succeeded, the other at 1727878906000");
out:
	fw_status_free(&st);
	free(t);
}

static void test_go_duration(void)
{
	static const struct {
		const char *s;
		bool ok;
		int64_t ns;
	} cases[] = {
		{ "0s", true, 0 },
		{ "0", true, 0 },
		{ "38ms", true, 38000000 },
		{ "0ms", true, 0 },
		{ "10003ms", true, 10003000000LL },
		{ "3.012s", true, 3012000000LL },
		{ "1m2.5s", true, 62500000000LL },
		{ "2h0m0s", true, 7200000000000LL },
		{ "1.5\xc2\xb5s", true, 1500 },
		{ "250us", true, 250000 },
		{ "12ns", true, 12 },
		{ "", false, 0 },
		{ "s", false, 0 },
		{ "5", false, 0 },
		{ "5x", false, 0 },
		{ ".s", false, 0 },
		{ "-1s", false, 0 },
		{ "3.0.1s", false, 0 },
		{ "99999999999h", false, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t ns = -1;
		bool ok = fw_parse_go_duration(cases[i].s, strlen(cases[i].s), &ns);
		TAP_OK(ok == cases[i].ok && (!ok || ns == cases[i].ns), "Go duration \"%s\": %s %lld", cases[i].s,
		       ok ? "parsed" : "refused", (long long)ns);
	}
}

/* version-history.json: the fixture template, then damaged and hostile
 * copies. */
static void test_version_history(void)
{
	const char *top = getenv("abs_top_srcdir");
	char path[4096];
	uint8_t *data = NULL;
	size_t len;
	struct fw_error err;
	struct fw_vhist vh;
	struct fw_vhist_change ch;
	int64_t ms;

	snprintf(path, sizeof(path), "%s/tests/fixtures/flares/templates/version-history.json",
		 top && *top ? top : ".");
	if (TAP_EQ_INT(fw_read_file(path, 1 << 20, &data, &len, &err), 0, "read the template")) {
		if (TAP_EQ_INT(fw_vhist_parse((char *)data, len, &vh, &err), 0, "template parses") &&
		    TAP_EQ_UINT(vh.n_entries, 2, "two entries")) {
			TAP_EQ_STR(vh.entries[0].version, "7.55.1", "1st version");
			TAP_EQ_STR(vh.entries[1].version, "7.58.2", "2nd version");
			/* date -u -d 2024-09-30T09:02:13.112Z +%s%3N */
			TAP_OK(vh.entries[1].has_time && vh.entries[1].time_ms == 1727686933112LL,
			       "2nd timestamp 1727686933112 ms");
			TAP_OK(vh.entries[0].has_time && vh.entries[0].time_ms == 1721297642331LL,
			       "1st timestamp 1721297642331 ms");
			/* the fixture flares' status date */
			TAP_OK(fw_vhist_recent_change(&vh, 1727878912317LL, 7 * 86400000LL, &ch) &&
				       !strcmp(ch.from, "7.55.1") && !strcmp(ch.to, "7.58.2") && !ch.downgrade &&
				       ch.time_ms == 1727686933112LL,
			       "upgrade 7.55.1 -> 7.58.2 within 7 days of the status date");
			TAP_OK(!fw_vhist_recent_change(&vh, 1727686933112LL + 7 * 86400000LL + 1, 7 * 86400000LL, &ch),
			       "not 7 days and 1 ms later");
			TAP_OK(fw_vhist_recent_change(&vh, 1727686933112LL + 7 * 86400000LL, 7 * 86400000LL, &ch),
			       "exactly 7 days later: still named");
			TAP_OK(!fw_vhist_recent_change(&vh, 1727686933112LL - 1, 7 * 86400000LL, &ch),
			       "not before it happened");
		}
		fw_vhist_free(&vh);
	}
	free(data);

	{
		static const char down[] = "{\"entries\":[{\"version\":\"7.58.2\",\"timestamp\":\"2024-09-01T00:00:00Z\"},"
					   "{\"version\":\"7.9.0\",\"timestamp\":\"2024-09-02T02:00:00+02:00\"},"
					   "{\"version\":\"7.9.0\",\"timestamp\":\"2024-09-03T00:00:00Z\"}]}";
		TAP_EQ_INT(fw_vhist_parse(down, strlen(down), &vh, &err), 0, "downgrade history parses");
		TAP_OK(vh.n_entries == 3 && vh.entries[1].has_time && vh.entries[1].time_ms == 1725235200000LL,
		       "+02:00 offset: 2024-09-02T00:00:00Z");
		TAP_OK(fw_vhist_recent_change(&vh, 1725321600000LL, 7 * 86400000LL, &ch) && ch.downgrade &&
			       !strcmp(ch.from, "7.58.2") && !strcmp(ch.to, "7.9.0"),
		       "7.58.2 -> 7.9.0 is a downgrade; a reinstall of 7.9.0 is no change");
		fw_vhist_free(&vh);
	}
	TAP_OK(fw_version_cmp("7.58.2", "7.9.0") > 0 && fw_version_cmp("7.9.0", "7.58.2") < 0 &&
		       fw_version_cmp("7.58.2", "7.58.2") == 0 && fw_version_cmp("7.58", "7.58.0") < 0 &&
		       fw_version_cmp("07.1", "7.1") == 0 && fw_version_cmp("7.50.0-rc.1", "7.50.0") > 0,
	       "version order: numbers by value, then text");
	TAP_OK(!fw_vhist_parse_time("2024-09-30T09:02:13", 19, &ms) &&
		       !fw_vhist_parse_time("2024-02-30T09:02:13Z", 20, &ms) &&
		       !fw_vhist_parse_time("2024-09-30T09:02:13.Z", 21, &ms) &&
		       fw_vhist_parse_time("2024-09-30 09:02:13Z", 20, &ms),
	       "RFC 3339 times: zone required, dates checked");

	/* hostile: empty, not an object, broken, secrets, bombs */
	TAP_EQ_INT(fw_vhist_parse("  \n", 3, &vh, &err), -ENODATA, "blank: -ENODATA");
	TAP_EQ_INT(fw_vhist_parse("[1,2]", 5, &vh, &err), -EINVAL, "an array: -EINVAL (%s)", err.msg);
	TAP_EQ_INT(fw_vhist_parse("{\"entries\":[{\"version\":\"7.1\"}", 31, &vh, &err), 0, "truncated: kept");
	TAP_OK(vh.partial && vh.n_entries == 1 && !strcmp(vh.entries[0].version, "7.1"), "... partial, 1 entry");
	fw_vhist_free(&vh);
	{
		static const char evil[] = "{\"entries\":[{\"version\":\"api_key=0123456789abcdef0123456789abcdef\\u001b[31m\","
					   "\"timestamp\":\"2024-09-30T09:02:13Z\"},{\"version\":&a [1]},*a,"
					   "{\"version\":{\"nested\":[[[[1]]]]}}]}";
		TAP_EQ_INT(fw_vhist_parse(evil, strlen(evil), &vh, &err), 0, "hostile values parse");
		TAP_OK(vh.n_entries >= 1 && !strstr(vh.entries[0].version, "0123456789abcdef0123456789abcdef") &&
			       !strchr(vh.entries[0].version, 0x1b),
		       "a version holding a key and ESC is redacted and printable (%s)",
		       vh.n_entries ? vh.entries[0].version : "-");
		fw_vhist_free(&vh);
	}
	{
		struct fw_buf b;
		fw_buf_init(&b);
		fw_buf_puts(&b, "{\"entries\":[");
		for (int i = 0; i < FW_VHIST_MAX_ENTRIES + 5; i++)
			fw_buf_printf(&b, "%s{\"version\":\"7.%d.0\",\"timestamp\":\"2024-01-01T00:00:00Z\"}", i ? "," : "", i);
		fw_buf_puts(&b, "]}");
		TAP_EQ_INT(fw_vhist_parse(b.data, b.len, &vh, &err), 0, "many entries parse");
		TAP_OK(vh.n_entries == FW_VHIST_MAX_ENTRIES && vh.entries_dropped == 5, "%d kept, 5 counted",
		       FW_VHIST_MAX_ENTRIES);
		fw_vhist_free(&vh);
		fw_buf_free(&b);
		fw_buf_init(&b);
		for (int i = 0; i < 10000; i++)
			fw_buf_puts(&b, i ? "[" : "{\"entries\":");
		TAP_OK(fw_vhist_parse(b.data, b.len, &vh, &err) <= 0, "10000 nested arrays: no crash");
		fw_vhist_free(&vh);
		fw_buf_free(&b);
	}
}

static void test_status_tz(void)
{
	struct fw_status st;
	struct fw_error err = { "" };
	const struct fw_status_check *c;
	size_t len;
	char *t = fixture("status-tz.log", &len);

	if (!TAP_OK(t != NULL, "status-tz.log fixture"))
		return;
	if (!TAP_EQ_INT(fw_status_parse(t, len, &st, &err), 0, "status (CEST host) parses"))
		goto out;
	TAP_EQ_STR(st.agent_version, "7.59.0-rc.3", "rc version");
	TAP_EQ_INT(st.status_date.unix_ms, 1727878912317LL, "ms in parentheses win");
	TAP_EQ_STR(st.status_date.text,
		   "2024-10-02 16:21:52.317 CEST / 2024-10-02 14:21:52.317 UTC",
		   "local / UTC text kept");
	TAP_OK(st.agent_start.has_ms, "start without ms: taken from the UTC part");
	TAP_EQ_INT(st.agent_start.unix_ms, 1727686931648LL, "start from the UTC part");
	TAP_EQ_INT(st.uptime_sec, 191980, "uptime across the two forms");
	TAP_EQ_UINT(st.n_checks, 11, "eleven checks");
	c = find_check(&st, "kubernetes_state_core");
	TAP_OK(c && c->n_ok == 1 && c->n_instances == 1, "long-running check counted");
	c = find_check(&st, "postgres");
	if (TAP_OK(c != NULL, "postgres found")) {
		TAP_EQ_STR(c->version, "22.0.1", "postgres version");
		TAP_OK(c->n_instances == 2 && c->n_warning == 1 && c->n_error == 1,
		       "postgres: 1 WARNING, 1 ERROR");
		if (TAP_EQ_UINT(c->msg_count, 4, "3 warnings + 1 error, traceback skipped")) {
			const struct fw_status_msg *m = &st.msgs[c->msg_first];
			TAP_OK(m[0].kind == FW_CHECK_MSG_WARNING &&
			       !strcmp(m[0].instance, "postgres:orders:5c1d2e3f4a5b6c7d"),
			       "first warning and its instance");
			TAP_EQ_STR(m[1].text,
				   "connection to postgres://datadog:[REDACTED]@db.internal:5432/orders is slow",
				   "URL password redacted inside a message");
			TAP_OK(m[2].kind == FW_CHECK_MSG_ERROR, "then the error");
			TAP_EQ_STR(m[2].text, "password authentication failed for user \"datadog\"",
				   "error text");
			TAP_EQ_STR(m[3].text, "after the traceback, a real warning",
				   "warning after a chained traceback");
		}
	}
out:
	fw_status_free(&st);
	free(t);
}

static void test_status_old(void)
{
	struct fw_status st;
	struct fw_error err = { "" };
	const struct fw_status_check *c;
	char buf[FW_UPTIME_BUFSZ];
	size_t len;
	char *t = fixture("status-6.5.log", &len);

	if (TAP_OK(t != NULL, "status-6.5.log fixture") &&
	    TAP_EQ_INT(fw_status_parse(t, len, &st, &err), 0, "status 6.5 parses")) {
		TAP_EQ_STR(st.agent_version, "6.5.2", "6.5: version");
		TAP_EQ_INT(st.status_date.unix_ms, 1539168571449LL, "6.5: microsecond date, no ms part");
		TAP_EQ_INT(st.agent_start.unix_ms, 1538986742120LL, "6.5: '.12' is 120 ms");
		fw_format_uptime(st.uptime_sec, buf, sizeof(buf));
		TAP_EQ_STR(buf, "2 days 2 hours", "6.5: uptime");
		TAP_OK(st.has_pid && st.pid == 1234, "6.5: pid");
		TAP_EQ_STR(st.go_version, "", "6.5: no Go version line");
		TAP_EQ_STR(st.hostname, "web-01", "6.5: hostname from the Hostnames sub-block");
		TAP_EQ_UINT(st.n_checks, 3, "6.5: three checks");
		c = find_check(&st, "cpu");
		TAP_OK(c && !c->version[0] && c->n_ok == 1, "6.5: 'cpu ' title with a trailing blank");
		c = find_check(&st, "http_check");
		TAP_OK(c && !strcmp(c->version, "2.3.0") && c->n_ok == 1 &&
		       c->n_error == 1 && c->msg_count == 1,
		       "6.5: 'name  (version)' title, 8-space instances");
		c = find_check(&st, "ntp");
		TAP_OK(c && c->n_warning == 1 && c->msg_count == 1 &&
		       st.msgs[c->msg_first].kind == FW_CHECK_MSG_WARNING,
		       "6.5: warning");
		fw_status_free(&st);
	}
	free(t);

	t = fixture("status-6.0.log", &len);
	if (TAP_OK(t != NULL, "status-6.0.log fixture") &&
	    TAP_EQ_INT(fw_status_parse(t, len, &st, &err), 0, "status 6.0 parses")) {
		TAP_EQ_STR(st.agent_version, "6.0.0-beta.7", "6.0: title with a short banner");
		TAP_EQ_INT(st.status_date.unix_ms, 1512401402211LL, "6.0: date from the UTC part");
		TAP_OK(!st.agent_start.has_ms && !st.has_uptime, "6.0: no start, no uptime");
		TAP_EQ_STR(st.go_version, "go1.9.2", "6.0: go version");
		TAP_EQ_STR(st.hostname, "legacy-box", "6.0: hostname");
		if (TAP_EQ_UINT(st.n_checks, 3, "6.0: three blocks (Loading Errors not a check)")) {
			TAP_OK(st.checks[0].status_inferred && st.checks[0].n_ok == 1,
			       "6.0: block without Instance ID is one OK instance");
			TAP_OK(st.checks[1].n_error == 1 && st.checks[1].msg_count == 1,
			       "6.0: second disk block is an error");
			TAP_EQ_STR(st.msgs[st.checks[1].msg_first].text,
				   "[Errno 13] Permission denied: '/mnt/secret'", "6.0: its message");
			TAP_OK(st.checks[2].n_warning == 1, "6.0: io warning inferred");
			TAP_OK(!st.checks[0].python && st.checks[1].python && !st.checks[2].python,
			       "6.0: only the block with a Python traceback is a Python check");
		}
		fw_status_free(&st);
	}
	free(t);
}

static void test_status_odd(void)
{
	struct fw_status st;
	struct fw_error err = { "" };
	const struct fw_status_check *c;
	size_t len;
	char *t;
	int r;

	t = fixture("status-local.log", &len);
	if (TAP_OK(t != NULL, "status-local.log fixture")) {
		TAP_EQ_INT(fw_status_parse(t, len, &st, &err), 0, "local flare line parses");
		TAP_OK(st.local_flare && st.n_checks == 0 && !st.agent_version[0],
		       "local_flare set, nothing else");
		fw_status_free(&st);
	}
	free(t);

	t = fixture("status-truncated.log", &len);
	if (TAP_OK(t != NULL, "status-truncated.log fixture")) {
		TAP_EQ_INT(fw_status_parse(t, len, &st, &err), 0, "truncated status parses");
		TAP_EQ_UINT(st.n_checks, 8, "checks up to the cut");
		c = find_check(&st, "redisdb");
		TAP_OK(c && c->n_error == 1 && c->msg_count == 1, "error before the cut kept");
		TAP_EQ_STR(st.agent_version, "7.58.2", "header kept");
		fw_status_free(&st);
	}
	free(t);

	t = fixture("status-garbage.html", &len);
	if (TAP_OK(t != NULL, "status-garbage.html fixture")) {
		r = fw_status_parse(t, len, &st, &err);
		TAP_EQ_INT(r, -EINVAL, "HTML is not a status file");
		TAP_OK(strstr(err.msg, "not an agent status file") != NULL,
		       "message names the problem");
		fw_status_free(&st);
	}
	free(t);

	TAP_EQ_INT(fw_status_parse("", 0, &st, &err), -ENODATA, "empty status");
	TAP_EQ_INT(fw_status_parse(" \n\r\n\t", 5, &st, &err), -ENODATA, "blank status");
	{
		static const char bin[] = "\x00\x01\xff\xfe\n=\n\x00\n==\nAgent (v\xff\x00)\n==\n";
		r = fw_status_parse(bin, sizeof(bin) - 1, &st, &err);
		TAP_OK(r == 0 || r == -EINVAL, "binary junk: no crash (%d)", r);
		TAP_OK(printable(st.agent_version), "binary junk: version printable");
		fw_status_free(&st);
	}
}

static void test_status_hostile(void)
{
	struct fw_status st;
	struct fw_error err = { "" };
	struct fw_buf b;
	char name[400];
	int r;

	/* a long, escape-laden name with a planted key */
	fw_buf_init(&b);
	fw_buf_puts(&b, "=========\nCollector\n=========\n\n  Running Checks\n  ==============\n");
	memset(name, 'n', sizeof(name));
	{
		static const char head[] = "\x1b[31mevil\xc3\x28 0123456789abcdef0123456789abcdef ";
		memcpy(name, head, sizeof(head) - 1);
	}
	fw_buf_putn(&b, "    ", 4);
	fw_buf_putn(&b, name, 300);
	fw_buf_puts(&b, "\n    ");
	for (int i = 0; i < 300; i++)
		fw_buf_putc(&b, '-');
	fw_buf_puts(&b, "\n      Instance ID: x [OK]\n");
	r = fw_status_parse(b.data, b.len, &st, &err);
	if (TAP_EQ_INT(r, 0, "hostile check name parses") &&
	    TAP_EQ_UINT(st.n_checks, 1, "one check")) {
		const char *n = st.checks[0].name;
		TAP_OK(strlen(n) <= FW_STATUS_NAME_MAX, "name bounded to %d bytes",
		       FW_STATUS_NAME_MAX);
		TAP_OK(printable(n), "no control bytes in the name");
		TAP_OK(!strstr(n, "0123456789abcdef"), "planted key redacted before truncation");
		TAP_OK(!strncmp(n, "?[31mevil?( [REDACTED] nnn", 26), "escape and bad UTF-8 shown as '?'");
	}
	fw_status_free(&st);
	fw_buf_free(&b);

	/* more checks and messages than kept */
	fw_buf_init(&b);
	fw_buf_puts(&b, "=========\nCollector\n=========\n\n  Running Checks\n  ==============\n");
	for (int i = 0; i < 1200; i++) {
		fw_buf_printf(&b, "    c%04d\n    -----\n", i);
		fw_buf_printf(&b, "      Instance ID: c%04d [ERROR]\n      Error: boom %d\n", i, i);
	}
	r = fw_status_parse(b.data, b.len, &st, &err);
	if (!TAP_OK(!b.failed, "generated text") || !TAP_EQ_INT(r, 0, "1200 checks parse"))
		goto out;
	TAP_EQ_UINT(st.n_checks, FW_STATUS_MAX_CHECKS, "checks capped at %d", FW_STATUS_MAX_CHECKS);
	TAP_EQ_UINT(st.checks_dropped, 200, "200 checks counted as dropped");
	TAP_EQ_UINT(st.n_msgs, FW_STATUS_MAX_MSGS, "messages capped");
	TAP_EQ_STR(st.checks[999].name, "c0999", "last kept check");
	TAP_EQ_STR(st.msgs[999].text, "boom 999", "last kept message");
out:
	fw_status_free(&st);
	fw_buf_free(&b);
}

/* Every prefix and some byte flips of a fixture: never a crash. */
static void test_status_robust(void)
{
	struct fw_status st;
	struct fw_error err;
	size_t len, bad = 0, tries = 0;
	char *t = fixture("status-tz.log", &len);

	if (!TAP_OK(t != NULL, "status-tz.log for truncation"))
		return;
	for (size_t cut = 0; cut <= len; cut += 13, tries++) {
		int r = fw_status_parse(t, cut, &st, &err);
		if (r != 0 && r != -EINVAL && r != -ENODATA)
			bad++;
		fw_status_free(&st);
	}
	srand(1);
	for (int k = 0; k < 300; k++, tries++) {
		size_t at = (size_t)rand() % len;
		char save = t[at];
		int r;
		t[at] = (char)(rand() & 0xff);
		r = fw_status_parse(t, len, &st, &err);
		if (r != 0 && r != -EINVAL)
			bad++;
		fw_status_free(&st);
		t[at] = save;
	}
	TAP_EQ_UINT(bad, 0, "%zu truncations and flips: only 0/-EINVAL/-ENODATA", tries);
	free(t);
}

static void test_time_format(void)
{
	char b[FW_UTC_BUFSZ];
	char u[FW_UPTIME_BUFSZ];

	fw_format_utc_ms(1727878912317LL, b, sizeof(b));
	TAP_EQ_STR(b, "2024-10-02 14:21:52.317 UTC", "utc ms format");
	fw_format_utc_ms(0, b, sizeof(b));
	TAP_EQ_STR(b, "1970-01-01 00:00:00.000 UTC", "epoch");
	fw_format_utc_ms(-1, b, sizeof(b));
	TAP_EQ_STR(b, "1969-12-31 23:59:59.999 UTC", "one ms before the epoch");
	fw_format_utc_ms(INT64_MAX, b, sizeof(b));
	TAP_EQ_STR(b, "-", "out of range");
	fw_format_utc_ms(INT64_MIN, b, sizeof(b));
	TAP_EQ_STR(b, "-", "out of range (negative)");

	fw_format_uptime(0, u, sizeof(u));
	TAP_EQ_STR(u, "0 days 0 hours", "uptime 0");
	fw_format_uptime(3 * 3600 + 59 * 60, u, sizeof(u));
	TAP_EQ_STR(u, "0 days 3 hours", "uptime rounds down");
	fw_format_uptime(86400 + 3600, u, sizeof(u));
	TAP_EQ_STR(u, "1 day 1 hour", "singular for exactly 1");
	fw_format_uptime(2 * 86400, u, sizeof(u));
	TAP_EQ_STR(u, "2 days 0 hours", "plural otherwise");
	fw_format_uptime(-42, u, sizeof(u));
	TAP_EQ_STR(u, "0 days 0 hours", "negative shown as 0");
	fw_format_uptime(INT64_MAX, u, sizeof(u));
	TAP_EQ_STR(u, "106751991167300 days 15 hours", "huge uptime fits");
	fw_format_uptime(86400, u, 6);
	TAP_EQ_STR(u, "1 day", "small buffer truncates");
}

/* ---- install_info -------------------------------------------------------- */

static void test_installinfo(void)
{
	struct fw_installinfo ii;
	struct fw_error err = { "" };
	size_t len;
	char *t;

	t = fixture("install_info.log", &len);
	if (TAP_OK(t != NULL, "install_info.log fixture") &&
	    TAP_EQ_INT(fw_installinfo_parse(t, len, &ii, &err), 0, "install_info.log parses")) {
		TAP_EQ_STR(ii.tool, "install_script", "tool");
		TAP_EQ_STR(ii.tool_version, "install_script_agent7", "tool_version");
		TAP_EQ_STR(ii.installer_version, "install_script-1.36.0", "installer_version");
		TAP_OK(ii.has_section && !ii.partial, "section, complete");
	}
	free(t);

	t = fixture("install_info", &len);
	if (TAP_OK(t != NULL, "install_info (old name) fixture") &&
	    TAP_EQ_INT(fw_installinfo_parse(t, len, &ii, &err), 0, "install_info without --- parses")) {
		TAP_EQ_STR(ii.tool, "install_script_mac", "old: tool");
		TAP_EQ_STR(ii.installer_version, "install_script_mac-1.3.1", "old: installer_version");
	}
	free(t);

	t = fixture("install_info-nosection.log", &len);
	if (TAP_OK(t != NULL, "nosection fixture")) {
		TAP_EQ_INT(fw_installinfo_parse(t, len, &ii, &err), 0, "missing section is not an error");
		TAP_OK(!ii.has_section && !ii.tool[0] && !ii.tool_version[0] &&
		       !ii.installer_version[0], "missing section: fields empty");
	}
	free(t);

	t = fixture("install_info-toplevel.log", &len);
	if (TAP_OK(t != NULL, "toplevel fixture") &&
	    TAP_EQ_INT(fw_installinfo_parse(t, len, &ii, &err), 0, "top-level keys parse"))
		TAP_OK(!strcmp(ii.tool, "docker") && !strcmp(ii.installer_version, "docker_image"),
		       "top-level keys used without a section");
	free(t);

	t = fixture("install_info-partial.log", &len);
	if (TAP_OK(t != NULL, "partial fixture") &&
	    TAP_EQ_INT(fw_installinfo_parse(t, len, &ii, &err), 0, "truncated install_info parses")) {
		TAP_OK(ii.partial, "partial flagged");
		TAP_EQ_STR(ii.tool_version, "chef-17.10.0", "values before the damage kept");
		TAP_EQ_STR(ii.installer_version, "", "damaged value empty");
	}
	free(t);

	t = fixture("install_info-damaged.log", &len);
	if (TAP_OK(t != NULL, "damaged fixture")) {
		TAP_EQ_INT(fw_installinfo_parse(t, len, &ii, &err), 0, "damaged install_info parses");
		TAP_OK(ii.partial && ii.has_section && !ii.tool[0], "damaged: partial, empty");
	}
	free(t);

	t = fixture("install_info-invalid.log", &len);
	if (TAP_OK(t != NULL, "invalid fixture")) {
		TAP_EQ_INT(fw_installinfo_parse(t, len, &ii, &err), -EINVAL, "not YAML: -EINVAL");
		TAP_OK(strstr(err.msg, "install_info: not valid YAML (line 1") != NULL,
		       "message names YAML and the line");
	}
	free(t);

	t = fixture("status-garbage.html", &len);
	if (TAP_OK(t != NULL, "html fixture")) {
		TAP_EQ_INT(fw_installinfo_parse(t, len, &ii, &err), -EINVAL, "HTML: -EINVAL");
		TAP_OK(strstr(err.msg, "not a mapping") != NULL, "HTML: not a mapping");
	}
	free(t);

	TAP_EQ_INT(fw_installinfo_parse("", 0, &ii, &err), -ENODATA, "empty install_info");
	TAP_EQ_INT(fw_installinfo_parse("---\n", 4, &ii, &err), -EINVAL, "only ---");
	{
		static const char nul[] = "install_method:\n  tool: a\0b\n  tool_version: x\n";
		int r = fw_installinfo_parse(nul, sizeof(nul) - 1, &ii, &err);
		TAP_OK(r == 0 && ii.partial && !strcmp(ii.tool, "a") && !ii.tool_version[0],
		       "a NUL byte ends the text: partial");
	}
	{
		static const char bad[] = "install_method:\n  tool: caf\xc3\xa9\xff\x01\xc2\x85\n";
		int r = fw_installinfo_parse(bad, sizeof(bad) - 1, &ii, &err);
		TAP_OK(r == 0 && !ii.partial && !strcmp(ii.tool, "caf\xc3\xa9???"),
		       "invalid UTF-8 and controls do not stop libyaml");
	}
	{
		static const char esc[] = "install_method:\n  tool: \"a\\x1b[2Jb\"\n"
					  "  tool_version: &a x\n  installer_version: *a\n";
		int r = fw_installinfo_parse(esc, sizeof(esc) - 1, &ii, &err);
		TAP_OK(r == 0 && !strcmp(ii.tool, "a?[2Jb"), "escaped control shown as '?'");
		TAP_OK(!strcmp(ii.tool_version, "x") && !ii.installer_version[0],
		       "aliases are not expanded");
	}
}

/* ---- memstats ------------------------------------------------------------ */

static void test_memstats(void)
{
	struct fw_memstats ms;
	struct fw_error err = { "" };
	char buf[64];
	size_t len;
	char *t;

	t = fixture("memstats", &len);
	if (TAP_OK(t != NULL, "memstats fixture") &&
	    TAP_EQ_INT(fw_memstats_parse(t, len, &ms, &err), 0, "memstats parses")) {
		TAP_OK(ms.has_alloc && ms.alloc == 71238712.0, "Alloc 7.1238712e+07");
		TAP_OK(ms.has_total_alloc && ms.total_alloc == 1381225992184.0, "TotalAlloc");
		TAP_OK(ms.has_sys && ms.sys == 160881416.0, "Sys (after PauseNs)");
		TAP_OK(ms.has_heap_alloc && ms.heap_alloc == 71238712.0, "HeapAlloc");
		TAP_OK(ms.has_heap_sys && ms.heap_sys == 142147584.0, "HeapSys");
		TAP_OK(ms.has_heap_inuse && ms.heap_inuse == 83927040.0, "HeapInuse");
		TAP_OK(ms.has_heap_idle && ms.heap_idle == 58220544.0, "HeapIdle");
		TAP_OK(ms.has_heap_released && ms.heap_released == 41304064.0, "HeapReleased");
		TAP_OK(ms.has_heap_objects && ms.heap_objects == 412883.0, "HeapObjects plain");
		TAP_OK(ms.has_num_gc && ms.num_gc == 48213.0, "NumGC");
		TAP_OK(ms.has_pause_total_ns && ms.pause_total_ns == 14196579360.0, "PauseTotalNs");
		TAP_OK(ms.has_last_gc && ms.last_gc == 1.727878908504551e18, "LastGC");
		TAP_OK(ms.has_next_gc && ms.next_gc == 102391848.0, "NextGC");
		TAP_OK(ms.has_stack_inuse && ms.stack_inuse == 4915200.0, "StackInuse");
		TAP_OK(ms.has_stack_sys && ms.stack_sys == 4915200.0, "StackSys");
		TAP_OK(ms.has_mspan_inuse && ms.mspan_inuse == 1253760.0, "MSpanInuse");
		TAP_OK(ms.has_mspan_sys && ms.mspan_sys == 1583040.0, "MSpanSys");
		TAP_OK(ms.has_mcache_inuse && ms.mcache_inuse == 14400.0, "MCacheInuse plain");
		TAP_OK(ms.has_mcache_sys && ms.mcache_sys == 15600.0, "MCacheSys plain");
		TAP_OK(ms.has_buck_hash_sys && ms.buck_hash_sys == 2312417.0, "BuckHashSys");
		TAP_OK(ms.has_gc_sys && ms.gc_sys == 6420112.0, "GCSys");
		TAP_OK(ms.has_other_sys && ms.other_sys == 1887503.0, "OtherSys");
		TAP_OK(ms.has_mallocs && ms.mallocs == 328368972.0, "Mallocs");
		TAP_OK(ms.has_frees && ms.frees == 327956089.0, "Frees");
		TAP_OK(!ms.partial, "complete");
		fw_memstats_format_last_gc(ms.last_gc, buf, sizeof(buf));
		TAP_EQ_STR(buf, "2024-10-02 14:21:48 UTC", "LastGC formatted");
		fw_memstats_format_ms(ms.pause_total_ns, buf, sizeof(buf));
		TAP_EQ_STR(buf, "14196.579 ms", "PauseTotalNs as ms");
		TAP_OK(fw_memstats_ns_to_ms(ms.pause_total_ns) == 14196.57936, "ns to ms");
	}
	free(t);

	/* expvar/trace-agent: yaml.v2 of the trace-agent's /debug/vars, the
	 * MemStats nested under "memstats:" (sequences not indented), the
	 * "uptime" seconds beside it */
	{
		static const char vars[] = "cmdline:\n- trace-agent\nmemstats:\n  Alloc: 1.8734216e+07\n"
					   "  BySize:\n  - Frees: 0\n    Mallocs: 0\n    Size: 0\n"
					   "  HeapAlloc: 1.8734216e+07\n  PauseNs:\n  - 0\n  Sys: 4.2e+07\n"
					   "  StackInuse: 917504\nreceiver: []\nuptime: 192038\n"
					   "HeapAlloc: 5\n";
		double up = 0;
		bool has_up = false;
		int r = fw_memstats_parse_vars(vars, sizeof(vars) - 1, &ms, &up, &has_up, &err);
		if (TAP_EQ_INT(r, 0, "trace-agent vars parse")) {
			TAP_OK(ms.has_heap_alloc && ms.heap_alloc == 18734216.0,
			       "HeapAlloc from the nested memstats, not the top-level key");
			TAP_OK(ms.has_sys && ms.sys == 42000000.0 && ms.has_stack_inuse && ms.stack_inuse == 917504.0,
			       "keys after the nested sequences");
			TAP_OK(!ms.has_heap_sys, "absent keys stay absent");
			TAP_OK(has_up && up == 192038.0, "uptime beside memstats");
		}
		TAP_EQ_INT(fw_memstats_parse_vars("uptime: 5\ncmdline: []\n", 22, &ms, &up, &has_up, &err), -EINVAL,
			   "vars without memstats");
		TAP_OK(strstr(err.msg, "no memstats mapping") != NULL && !has_up, "says so, no uptime kept");
		TAP_EQ_INT(fw_memstats_parse_vars("Error retrieving vars: Get \"http://localhost:5012/debug/vars\": "
						  "connection refused\n", 82, &ms, &up, &has_up, &err),
			   -EINVAL, "the flare's error line is not vars");
		TAP_EQ_INT(fw_memstats_parse(vars, sizeof(vars) - 1, &ms, &err), 0,
			   "the same text read as plain memstats");
		TAP_OK(ms.heap_alloc == 5.0 && !ms.has_sys, "plain memstats reads only the top level");
	}

	t = fixture("memstats-truncated", &len);
	if (TAP_OK(t != NULL, "memstats-truncated fixture") &&
	    TAP_EQ_INT(fw_memstats_parse(t, len, &ms, &err), 0, "truncated memstats parses")) {
		TAP_OK(ms.has_alloc && ms.has_num_gc && ms.has_next_gc, "keys before the cut");
		TAP_OK(!ms.has_pause_total_ns && !ms.has_sys && !ms.has_total_alloc,
		       "keys after the cut missing");
	}
	free(t);

	t = fixture("memstats-invalid", &len);
	if (TAP_OK(t != NULL, "memstats-invalid fixture") &&
	    TAP_EQ_INT(fw_memstats_parse(t, len, &ms, &err), 0, "hostile memstats parses")) {
		TAP_OK(!ms.has_alloc, "'lots' rejected");
		TAP_OK(!ms.has_heap_sys, "a sequence rejected");
		TAP_OK(!ms.has_num_gc, "negative rejected");
		TAP_OK(!ms.has_sys, "hex rejected");
		TAP_OK(!ms.has_next_gc, ".inf rejected");
		TAP_OK(!ms.has_heap_idle, "a mapping rejected");
		TAP_OK(!ms.has_last_gc, "1e999 (overflow) rejected");
		TAP_OK(ms.has_heap_objects && ms.heap_objects == 412883.0, "quoted number accepted");
		TAP_OK(ms.has_total_alloc && ms.has_heap_alloc, "the others still read");
	}
	free(t);

	{
		static const char p[] = "Alloc: 1\nSys: \"unterminated\n";
		TAP_EQ_INT(fw_memstats_parse(p, sizeof(p) - 1, &ms, &err), 0, "YAML error after a key");
		TAP_OK(ms.partial && ms.has_alloc && ms.alloc == 1.0 && !ms.has_sys,
		       "partial: earlier keys kept");
	}
	TAP_EQ_INT(fw_memstats_parse("{}\n", 3, &ms, &err), -EINVAL, "cmdline's {} is not memstats");
	TAP_OK(strstr(err.msg, "no runtime.MemStats keys") != NULL, "message says why");
	TAP_EQ_INT(fw_memstats_parse("- 1\n- 2\n", 8, &ms, &err), -EINVAL, "a sequence is not memstats");
	TAP_EQ_INT(fw_memstats_parse(": : :\n\t{", 8, &ms, &err), -EINVAL, "broken YAML");
	TAP_EQ_INT(fw_memstats_parse("", 0, &ms, &err), -ENODATA, "empty memstats");
	{
		static const char dup[] = "NumGC: 5\nNumGC: 7\nAlloc: 1.5e3\nalloc: 9\n";
		TAP_EQ_INT(fw_memstats_parse(dup, sizeof(dup) - 1, &ms, &err), 0, "duplicates parse");
		TAP_OK(ms.num_gc == 7.0 && ms.alloc == 1500.0, "later duplicate wins; keys are case-sensitive");
	}

	fw_memstats_format_last_gc(0, buf, sizeof(buf));
	TAP_EQ_STR(buf, "never", "LastGC 0");
	fw_memstats_format_last_gc(-1, buf, sizeof(buf));
	TAP_EQ_STR(buf, "-", "LastGC negative");
	fw_memstats_format_last_gc(1e30, buf, sizeof(buf));
	TAP_EQ_STR(buf, "-", "LastGC after 9999");
	fw_memstats_format_ms(999999.6, buf, sizeof(buf));
	TAP_EQ_STR(buf, "1.000 ms", "rounding carries");
	fw_memstats_format_ms(1e300, buf, sizeof(buf));
	TAP_EQ_STR(buf, "-", "absurd pause");
}

/* ---- goroutines ---------------------------------------------------------- */

static void test_goroutines(void)
{
	struct fw_goroutines g;
	struct fw_error err = { "" };
	size_t len;
	char *t;

	t = fixture("go-routine-dump.log", &len);
	if (TAP_OK(t != NULL, "go-routine-dump.log fixture") &&
	    TAP_EQ_INT(fw_goroutines_parse(t, len, 60, &g, &err), 0, "sample dump parses")) {
		TAP_EQ_UINT(g.total, 6, "six goroutines");
		TAP_OK(g.n_states == 2 && !strcmp(g.states[0].name, "sleep") &&
		       g.states[0].count == 5 && !strcmp(g.states[1].name, "running"),
		       "states: sleep 5, running 1");
		TAP_OK(g.n_top == 2 && !strcmp(g.top[0].name, "time.Sleep") &&
		       g.top[0].count == 5 && !strcmp(g.top[1].name, "main.run"),
		       "parked in time.Sleep x5, main.run (after runtime/pprof)");
		TAP_OK(g.top_exact && g.runtime_only == 0 && g.waiting_over == 0,
		       "exact, no runtime-only, no long waits");
	}
	free(t);

	t = fixture("go-routine-dump-states.log", &len);
	if (TAP_OK(t != NULL, "go-routine-dump-states.log fixture") &&
	    TAP_EQ_INT(fw_goroutines_parse(t, len, 60, &g, &err), 0, "states dump parses")) {
		TAP_EQ_UINT(g.total, 12, "twelve goroutines (gp= header too)");
		TAP_EQ_UINT(g.n_states, 9, "nine states");
		TAP_OK(!strcmp(g.states[0].name, "select") && g.states[0].count == 3,
		       "select first with 3");
		TAP_OK(!strcmp(g.states[1].name, "sync.Mutex.Lock") && g.states[1].count == 2,
		       "state before the first comma");
		TAP_EQ_UINT(g.waiting_over, 5, "five waiting over 60 minutes");
		TAP_EQ_UINT(g.max_wait_min, 3200, "longest wait");
		TAP_EQ_UINT(g.runtime_only, 2, "two runtime-only goroutines");
		if (TAP_EQ_UINT(g.n_top, 5, "top five")) {
			TAP_EQ_STR(g.top[0].name,
				   "github.com/DataDog/datadog-agent/pkg/aggregator.(*BufferedAggregator).run",
				   "top function");
			TAP_EQ_UINT(g.top[0].count, 3, "its count");
			TAP_EQ_STR(g.top[1].name,
				   "github.com/DataDog/datadog-agent/pkg/collector/check/stats.(*Stats).Add",
				   "sync.* frames skipped");
			TAP_EQ_STR(g.top[3].name,
				   "github.com/DataDog/datadog-agent/pkg/util/log.(*Wrapper).run",
				   "inlined (...) frame name");
			TAP_EQ_STR(g.top[4].name, "net.(*netFD).Read", "internal/ frames skipped");
		}
	}
	free(t);

	TAP_EQ_INT(fw_goroutines_parse("", 0, 1, &g, &err), -ENODATA, "empty dump");
	{
		static const char e[] = "Error: Get \"http://127.0.0.1:5000/debug/pprof/"
					"goroutine?debug=2\": context deadline exceeded\n";
		TAP_EQ_INT(fw_goroutines_parse(e, sizeof(e) - 1, 1, &g, &err), -EINVAL,
			   "an error text is not a dump");
		TAP_OK(strstr(err.msg, "not a goroutine dump") != NULL, "message says so");
	}
	{
		static const char h[] = "goroutine 1 [\x1b]0;pwn\x07, 99999999999999999999999 minutes]:\n"
					"main.\xff\x1b[2J(0x1)\n\tx.go:1\n"
					"goroutine 2 []:\nmain.f()\ngoroutine x [a]:\ngoroutine 3 [s";
		TAP_EQ_INT(fw_goroutines_parse(h, sizeof(h) - 1, 1, &g, &err), 0, "hostile dump parses");
		TAP_EQ_UINT(g.total, 3, "three real headers");
		TAP_OK(g.n_states == 3 && printable(g.states[0].name) &&
		       printable(g.states[1].name) && printable(g.states[2].name),
		       "states printable");
		TAP_OK(g.waiting_over == 0, "overflowing minutes ignored");
		TAP_OK(g.n_top == 2 && printable(g.top[0].name) && printable(g.top[1].name),
		       "function names printable");
	}
}

/* Space-Saving: a heavy function arriving after the table filled up is
 * still found; many goroutines cost no memory per goroutine. */
static void test_goroutines_big(void)
{
	struct fw_goroutines g;
	struct fw_error err;
	struct fw_buf b;
	int r;

	fw_buf_init(&b);
	for (int i = 0; i < 3 * FW_GOR_TABLE; i++)
		fw_buf_printf(&b, "goroutine %d [select]:\npkg.unique%d()\n\tf.go:1\n\n", i, i);
	for (int i = 0; i < 4000; i++)
		fw_buf_printf(&b, "goroutine %d [chan receive, %d minutes]:\n"
			      "runtime.gopark(0x1)\n\tproc.go:1\nhot.spot(0x2)\n\th.go:2\n\n",
			      100000 + i, i % 100);
	if (!TAP_OK(!b.failed, "generated dump"))
		return;
	r = fw_goroutines_parse(b.data, b.len, 49, &g, &err);
	if (TAP_EQ_INT(r, 0, "big dump parses")) {
		TAP_EQ_UINT(g.total, 3 * FW_GOR_TABLE + 4000, "all counted");
		TAP_OK(!g.top_exact, "table overflowed: not exact");
		TAP_EQ_STR(g.top[0].name, "hot.spot", "late heavy hitter on top");
		TAP_OK(g.top[0].count >= 4000, "its count is an upper bound (%llu)",
		       (unsigned long long)g.top[0].count);
		TAP_EQ_UINT(g.waiting_over, 4000 / 100 * 50, "waits > 49 minutes");
	}
	fw_buf_free(&b);

	/* 20 MB of goroutines */
	fw_buf_init(&b);
	while (b.len < (20u << 20) && !b.failed)
		fw_buf_printf(&b, "goroutine %zu [IO wait, 5 minutes]:\n"
			      "internal/poll.runtime_pollWait(0x7f, 0x72)\n\tnetpoll.go:345 +0x85\n"
			      "net.(*conn).Read(0xc0, {0xc1, 0x1000, 0x1000})\n\tnet.go:179 +0x45\n\n",
			      b.len);
	if (TAP_OK(!b.failed, "20 MB dump generated")) {
		r = fw_goroutines_parse(b.data, b.len, 1, &g, &err);
		TAP_OK(r == 0 && g.top_exact && g.n_top == 1 && g.top[0].count == g.total &&
		       g.waiting_over == g.total, "20 MB dump: one function, all waiting");
	}
	fw_buf_free(&b);
}

/* ---- the flare model (flare.c) -------------------------------------------- */

static char tmproot[4096];

/* Writes root/rel (its folders created) holding text, with mtime (0: now). */
static void put(const char *root, const char *rel, const char *text, time_t mtime)
{
	char path[8192], *slash;
	FILE *fp;

	if (snprintf(path, sizeof(path), "%s/%s", root, rel) >= (int)sizeof(path))
		exit(99);
	for (slash = strchr(path + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = 0;
		mkdir(path, 0700);
		*slash = '/';
	}
	if (!(fp = fopen(path, "w")) || fputs(text, fp) < 0 || fclose(fp) != 0) {
		TAP_DIAG("cannot write %s", path);
		exit(99);
	}
	if (mtime) {
		struct timespec ts[2] = { { .tv_sec = mtime }, { .tv_sec = mtime } };
		utimensat(AT_FDCWD, path, ts, 0);
	}
}

/* A fresh flare folder under tmproot. */
static char *new_dir(const char *name)
{
	static char dir[4096 + 256];

	if (snprintf(dir, sizeof(dir), "%s/%s", tmproot, name) >= (int)sizeof(dir) || mkdir(dir, 0700) < 0) {
		TAP_DIAG("cannot create %s", dir);
		exit(99);
	}
	return dir;
}

static const char *note_with(const struct fw_flare *f, const char *frag)
{
	for (size_t i = 0; i < f->n_notes; i++)
		if (strstr(f->notes[i], frag))
			return f->notes[i];
	return NULL;
}

static void show_notes(const struct fw_flare *f)
{
	for (size_t i = 0; i < f->n_notes; i++)
		TAP_DIAG("note: %s", f->notes[i]);
}

static bool open_flare(const char *dir, const char *hint, struct fw_flare *f, const char *what)
{
	struct fw_error e;
	int r = fw_flare_open(dir, hint, 10, f, &e);

	if (!TAP_EQ_INT(r, 0, "%s: the flare opens", what)) {
		TAP_DIAG("%s", e.msg);
		return false;
	}
	return true;
}

static const char STATUS_OK[] =
	"===============\nAgent (v7.58.2)\n===============\n"
	"  Status date: 2024-10-02 14:21:52.317 UTC (1727878912317)\n"
	"  Agent start: 2024-09-30 09:02:11.648 UTC (1727686931648)\n\n"
	"========\nHostname\n========\n\n  hostname: web-01\n\n";

/* More than 4,096 files in profiles/: the same 4,096 whatever the order
 * on disk, the known processes first, and a note with the count and the
 * first names left out; a process name over 64 characters is a note. */
static void test_flare_many_profiles(void)
{
	struct fw_flare f;
	char *dir = new_dir("many"), name[256], longp[80];
	bool core = false, trace = false, last = false;
	size_t n = 5000;

	put(dir, "status.log", STATUS_OK, 0);
	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "profiles/aaa-%04zu.txt", i);
		put(dir, name, "x", 0);
	}
	put(dir, "profiles/zz-cpu.pprof", "x", 0);
	put(dir, "profiles/trace-cpu.pprof", "x", 0);
	put(dir, "profiles/core-cpu.pprof", "x", 0);
	put(dir, "profiles/adir/x", "x", 0);
	memset(longp, 'p', 70);
	longp[70] = 0;
	snprintf(name, sizeof(name), "profiles/%s-cpu.pprof", longp);
	put(dir, name, "x", 0);
	if (!open_flare(dir, "datadog-agent-2024-10-02T14-21-52Z-info.zip", &f, "5,004 profiles"))
		return;
	TAP_EQ_UINT(f.n_pfiles, 4096, "4,096 files listed");
	for (size_t i = 0; i < f.n_pfiles; i++) {
		core |= strcmp(f.pfiles[i].name, "core-cpu.pprof") == 0;
		trace |= strcmp(f.pfiles[i].name, "trace-cpu.pprof") == 0;
		last |= strcmp(f.pfiles[i].name, "aaa-4091.txt") == 0;
	}
	TAP_OK(core && trace, "core's and trace's profiles are among them");
	TAP_OK(last, "then the other files by name (aaa-4091.txt is the last one listed)");
	TAP_EQ_UINT(f.n_procs, 3, "processes core, trace, zz");
	if (f.n_procs == 3)
		TAP_OK(!strcmp(f.procs[0], "core") && !strcmp(f.procs[1], "trace") && !strcmp(f.procs[2], "zz"),
		       "in that order");
	if (!TAP_OK(note_with(&f, "908 entries over the limit of 4096 files") &&
			    note_with(&f, "\"aaa-4092.txt\", \"aaa-4093.txt\", \"aaa-4094.txt\", ..."),
		    "a note gives the count and the first names left out"))
		show_notes(&f);
	TAP_OK(note_with(&f, "1 entry of a kind other than a regular file (folder, symlink, ...), skipped: \"adir\"") != NULL,
	       "a note names the folder in profiles/");
	if (!TAP_OK(note_with(&f, "1 entry with a process name over 64 characters, not analyzed: \"ppppp"),
		    "a note names the profile whose process name is over 64 characters"))
		show_notes(&f);
	fw_flare_free(&f);
}

/* No host folder and no hostname in status.log: the flare's file name,
 * else unknown-host, never the temporary folder's name; a note says so. */
static void test_flare_hostname(void)
{
	struct fw_flare f;
	char *dir = new_dir("flarewatch-AbC123");

	put(dir, "profiles/core-cpu.pprof", "x", 0);
	if (open_flare(dir, "datadog-agent-2024-10-02T14-21-52Z-info.zip", &f, "no host folder")) {
		TAP_EQ_STR(f.hostname, "datadog-agent-2024-10-02T14-21-52Z-info", "hostname from the file name");
		TAP_OK(note_with(&f, "gives no hostname") != NULL, "with a note");
		fw_flare_free(&f);
	}
	if (open_flare(dir, NULL, &f, "no host folder, no file name")) {
		TAP_EQ_STR(f.hostname, "unknown-host", "hostname unknown-host");
		TAP_OK(note_with(&f, "hostname is unknown") != NULL, "with a note");
		fw_flare_free(&f);
	}
	dir = new_dir("hostfolder");
	put(dir, "web-02/profiles/core-cpu.pprof", "x", 0);
	if (open_flare(dir, "datadog-agent-2024-10-02T14-21-52Z-info.zip", &f, "a host folder")) {
		TAP_EQ_STR(f.hostname, "web-02", "hostname from the host folder");
		fw_flare_free(&f);
	}
}

/* status.log gives no date: the file name, else the file times (as the zip
 * dated them), else "unknown" with the analysis time; a note each time. */
static void test_flare_date(void)
{
	struct fw_flare f;
	char *dir = new_dir("dates");
	time_t t2023 = 1678000000, t2024 = 1714521600; /* 2023-03-05, 2024-05-01 */

	put(dir, "status.log", "not a status page\n", t2023);
	put(dir, "profiles/core-cpu.pprof", "x", t2024);
	if (open_flare(dir, "datadog-agent-2024-10-02T14-21-52Z-info.zip", &f, "invalid status.log")) {
		TAP_EQ_STR(f.time_source, "file name", "dated from the file name");
		TAP_EQ_INT(f.time_ms, 1727878912000LL, "2024-10-02T14:21:52Z");
		TAP_OK(note_with(&f, "dated from its file name") != NULL, "with a note");
		fw_flare_free(&f);
	}
	if (open_flare(dir, "flare.zip", &f, "invalid status.log, no date in the name")) {
		TAP_EQ_STR(f.time_source, "file time", "dated from status.log's time");
		TAP_EQ_INT(f.time_ms, (int64_t)t2023 * 1000, "2023-03-05");
		TAP_OK(note_with(&f, "modification time of status.log") != NULL, "with a note");
		fw_flare_free(&f);
	}
	/* the zip's "no time" (1980) on status.log: the newest profile */
	put(dir, "status.log", "not a status page\n", 315532800);
	if (open_flare(dir, "flare.zip", &f, "status.log dated 1980")) {
		TAP_EQ_STR(f.time_source, "file time", "dated from the newest profile's time");
		TAP_EQ_INT(f.time_ms, (int64_t)t2024 * 1000, "2024-05-01");
		TAP_OK(note_with(&f, "newest profile") != NULL, "with a note");
		fw_flare_free(&f);
	}
	put(dir, "profiles/core-cpu.pprof", "x", 315532800);
	if (open_flare(dir, "flare.zip", &f, "no date anywhere")) {
		TAP_EQ_STR(f.time_source, "unknown", "the date is unknown");
		TAP_OK(note_with(&f, "date is unknown") != NULL, "with a note");
		fw_flare_free(&f);
	}
	/* status.log a folder, not a file */
	dir = new_dir("statusdir");
	put(dir, "status.log/x", "x", 0);
	put(dir, "profiles/core-cpu.pprof", "x", t2024);
	if (open_flare(dir, "flare.zip", &f, "status.log is a folder")) {
		TAP_EQ_STR(f.time_source, "file time", "dated from the newest profile's time");
		TAP_EQ_INT(f.time_ms, (int64_t)t2024 * 1000, "2024-05-01");
		TAP_OK(note_with(&f, "status.log is not a regular file") != NULL, "a note on status.log");
		fw_flare_free(&f);
	}
}

static void test_flare_model(void)
{
	struct fw_error e;
	const char *tmp = getenv("TMPDIR");

	if (fw_tmpdir_create(tmp && *tmp ? tmp : "/tmp", "test-flarefiles-", tmproot, sizeof(tmproot), &e) < 0) {
		TAP_OK(0, "temporary folder: %s", e.msg);
		return;
	}
	test_flare_many_profiles();
	test_flare_hostname();
	test_flare_date();
	if (fw_tree_remove(tmproot, &e) < 0)
		TAP_DIAG("%s", e.msg);
}

int main(void)
{
	test_status_current();
	test_go_duration();
	test_version_history();
	test_status_tz();
	test_status_old();
	test_status_odd();
	test_status_hostile();
	test_status_robust();
	test_time_format();
	test_installinfo();
	test_memstats();
	test_goroutines();
	test_goroutines_big();
	test_flare_model();
	return tap_done();
}
