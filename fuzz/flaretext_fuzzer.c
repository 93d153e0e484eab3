/*
 * flaretext_fuzzer.c: libFuzzer harness for the parsers of a flare's text
 * files, which read customer bytes as they are: status.log, expvar/memstats
 * (YAML), go-routine-dump.log, install_info (YAML) and version-history.json
 * (JSON read as YAML), and the flare-name date and ticket parsers.
 *
 * Every input goes through every parser (so the seeds are the flare files
 * of tests/fixtures/flarefiles as they are). Results are checked for what the parsers promise: a parse either
 * fails with a message or fills its structure, and every string it keeps
 * is NUL-terminated within its length (touched here byte by byte, so ASan
 * sees any overrun). Everything is freed, so leaks are crashes.
 *
 * Build and run: `make fuzz`, `make fuzz-run FUZZ_SECONDS=600`
 * (fuzz/Makefile.inc). Reproduce: fuzz/flaretext_fuzzer FILE.
 */
#include "flare/flare.h"
#include "flare/goroutines.h"
#include "flare/installinfo.h"
#include "flare/memstats.h"
#include "flare/status.h"
#include "flare/versionhistory.h"
#include "base/ticket.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t sink;

static void touch(const char *s)
{
	if (s)
		sink += strlen(s);
}

static void check_error(int r, const struct fw_error *err)
{
	/* a failure always says why */
	if (r < 0 && strnlen(err->msg, sizeof(err->msg)) == 0)
		abort();
}

static void fuzz_status(const char *text, size_t len)
{
	struct fw_error err = { { 0 } };
	struct fw_status st;
	int r = fw_status_parse(text, len, &st, &err);

	check_error(r, &err);
	if (r == 0) {
		touch(st.hostname);
		touch(st.agent_version);
		touch(st.os);
		touch(st.kernel_version);
		for (size_t i = 0; i < st.n_checks; i++) {
			const struct fw_status_check *c = &st.checks[i];
			/* a check's messages lie within msgs[] */
			if (c->msg_first > st.n_msgs || c->msg_count > st.n_msgs - c->msg_first)
				abort();
			touch(c->name);
			touch(c->version);
		}
		for (size_t i = 0; i < st.n_msgs; i++)
			touch(st.msgs[i].text);
	}
	fw_status_free(&st);
}

static void fuzz_memstats(const char *text, size_t len)
{
	struct fw_error err = { { 0 } };
	struct fw_memstats ms;
	char buf[FW_MEMSTATS_TIME_BUFSZ];
	double up = 0;
	bool has_up = false;
	int r = fw_memstats_parse(text, len, &ms, &err);

	check_error(r, &err);
	if (r == 0) {
		fw_memstats_format_last_gc(ms.last_gc, buf, sizeof(buf));
		touch(buf);
	}
	/* the same bytes as expvar/trace-agent (MemStats under "memstats:") */
	memset(&err, 0, sizeof(err));
	r = fw_memstats_parse_vars(text, len, &ms, &up, &has_up, &err);
	check_error(r, &err);
	if (r == 0) {
		fw_memstats_format_last_gc(ms.last_gc, buf, sizeof(buf));
		touch(buf);
	}
}

static void fuzz_goroutines(const char *text, size_t len)
{
	struct fw_error err = { { 0 } };
	struct fw_goroutines g;
	int r = fw_goroutines_parse(text, len, 10, &g, &err);

	check_error(r, &err);
	if (r == 0)
		for (size_t i = 0; i < g.n_top; i++)
			touch(g.top[i].name);
}

static void fuzz_installinfo(const char *text, size_t len)
{
	struct fw_error err = { { 0 } };
	struct fw_installinfo ii;
	int r = fw_installinfo_parse(text, len, &ii, &err);

	check_error(r, &err);
	if (r == 0) {
		touch(ii.tool);
		touch(ii.tool_version);
		touch(ii.installer_version);
	}
}

static void fuzz_vhist(const char *text, size_t len)
{
	struct fw_error err = { { 0 } };
	struct fw_vhist vh;
	struct fw_vhist_change ch;
	int r = fw_vhist_parse(text, len, &vh, &err);

	check_error(r, &err);
	if (r == 0) {
		for (size_t i = 0; i < vh.n_entries; i++)
			touch(vh.entries[i].version);
		if (fw_vhist_recent_change(&vh, INT64_C(1727878912317), INT64_C(7) * 86400000, &ch)) {
			touch(ch.from);
			touch(ch.to);
		}
	}
	fw_vhist_free(&vh);
}

/* a file name is NUL-terminated: cut at the first NUL */
static void fuzz_name(const char *text, size_t len)
{
	char *name = strndup(text, len), ticket[FW_TICKET_BUFSZ];
	struct fw_error err = { { 0 } };
	int64_t ms;
	int r;

	if (name && fw_flare_time_from_name(name, &ms))
		sink += (size_t)ms;
	if (name) {
		r = fw_ticket_from_name(FW_TICKET_DEFAULT_PATTERN, name, ticket, &err);
		check_error(r, &err);
		/* a ticket found is in normal form: [A-Za-z0-9._-], at most 32 */
		if (r == 1 && (strspn(ticket, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") !=
				       strlen(ticket) ||
			       !ticket[0] || strlen(ticket) > FW_TICKET_MAX))
			abort();
	}
	free(name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;

	fuzz_status(text, size);
	fuzz_memstats(text, size);
	fuzz_goroutines(text, size);
	fuzz_installinfo(text, size);
	fuzz_vhist(text, size);
	fuzz_name(text, size);
	return 0;
}
