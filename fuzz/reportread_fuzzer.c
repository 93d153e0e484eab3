/*
 * reportread_fuzzer.c: libFuzzer harness for the report.json reader
 * (src/investigate/reportread.c), a decoder of hostile input: the
 * investigations tree is group-writable, so any report.json may be planted.
 *
 * For every input it checks what must hold whatever the bytes:
 *  1. fw_report_parse() returns 0 or an error whose message starts with the
 *     file's name; it never crashes, leaks or reads out of bounds (ASan,
 *     LeakSanitizer).
 *  2. on success: the required fields are there, schema is
 *     "flarewatch.report", and every string is valid UTF-8 without NUL.
 *  3. on success, the fields written back as a new JSON document, with
 *     every character outside printable ASCII as a \uXXXX escape (a
 *     surrogate pair above U+FFFF) and '/' as "\/", parse to the very same
 *     fields: the reader's JSON escapes agree with JSON's.
 *
 * Build and run: `make fuzz`, `make fuzz-run FUZZERS=reportread`
 * (fuzz/Makefile.inc). Reproduce: fuzz/reportread_fuzzer CRASH-FILE.
 */
#include "investigate/reportread.h"
#include "base/util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what, const char *s)
{
	fprintf(stderr, "reportread_fuzzer: %s%s%s\n", what, s ? ": " : "", s ? s : "");
	abort();
}

static bool utf8_ok(const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t l = fw_utf8_decode(s + i, n - i, &cp);
		if (!l)
			return false;
		i += l;
	}
	return true;
}

/* s as a JSON string, ASCII only; NULL as null */
static void jstr(struct fw_buf *b, const char *s)
{
	size_t n;

	if (!s) {
		fw_buf_puts(b, "null");
		return;
	}
	n = strlen(s);
	fw_buf_putc(b, '"');
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t l = fw_utf8_decode(s + i, n - i, &cp);
		if (!l)
			die("invalid UTF-8 in a field", s);
		if (cp == '"' || cp == '\\')
			fw_buf_printf(b, "\\%c", (char)cp);
		else if (cp == '/')
			fw_buf_puts(b, "\\/");
		else if (cp >= 0x20 && cp < 0x7f)
			fw_buf_putc(b, (char)cp);
		else if (cp < 0x10000)
			fw_buf_printf(b, "\\u%04" PRIx32, cp);
		else
			fw_buf_printf(b, "\\u%04" PRIx32 "\\u%04" PRIx32, 0xd800 + ((cp - 0x10000) >> 10),
				      0xdc00 + ((cp - 0x10000) & 0x3ff));
		i += l;
	}
	fw_buf_putc(b, '"');
}

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void check_roundtrip(const struct fw_report_info *ri)
{
	struct fw_report_info again;
	struct fw_error err;
	struct fw_buf b;

	fw_buf_init(&b);
	fw_buf_puts(&b, "{\"schema\":");
	jstr(&b, ri->schema);
	fw_buf_printf(&b, ",\"schema_version\":%" PRId64 ",\"analyzed_at\":", ri->schema_version);
	jstr(&b, ri->analyzed_at);
	fw_buf_puts(&b, ",\"ticket\":");
	jstr(&b, ri->ticket);
	fw_buf_puts(&b, ",\"flare\":{\"file\":");
	jstr(&b, ri->flare_file);
	fw_buf_puts(&b, ",\"hostname\":");
	jstr(&b, ri->hostname);
	fw_buf_puts(&b, ",\"time\":");
	jstr(&b, ri->flare_time);
	fw_buf_puts(&b, ",\"agent_version\":");
	jstr(&b, ri->agent_version);
	fw_buf_puts(&b, "},\"verdict\":{\"kind\":");
	jstr(&b, ri->verdict_kind);
	fw_buf_puts(&b, ",\"name\":");
	jstr(&b, ri->verdict_name);
	fw_buf_puts(&b, ",\"summary\":");
	jstr(&b, ri->summary);
	fw_buf_puts(&b, "},\"report\":{\"markdown\":");
	jstr(&b, ri->markdown);
	fw_buf_puts(&b, "}}");
	if (b.failed)
		die("out of memory", NULL);
	if (fw_report_parse(b.data, b.len, "again", &again, &err) < 0) {
		fprintf(stderr, "%.*s\n", (int)(b.len < 4000 ? b.len : 4000), b.data);
		die("the fields written back as JSON do not parse", err.msg);
	}
	if (!same(ri->schema, again.schema) || ri->schema_version != again.schema_version ||
	    !same(ri->analyzed_at, again.analyzed_at) || !same(ri->ticket, again.ticket) ||
	    !same(ri->flare_file, again.flare_file) || !same(ri->hostname, again.hostname) ||
	    !same(ri->flare_time, again.flare_time) || !same(ri->agent_version, again.agent_version) ||
	    !same(ri->verdict_kind, again.verdict_kind) || !same(ri->verdict_name, again.verdict_name) ||
	    !same(ri->summary, again.summary) || !same(ri->markdown, again.markdown))
		die("the fields written back as JSON parse to other fields", NULL);
	fw_report_info_free(&again);
	fw_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fw_report_info ri;
	struct fw_error err;
	const char *const strs[] = { "schema", "analyzed_at", "ticket", "flare.file", "flare.hostname", "flare.time",
				     "flare.agent_version", "verdict.kind", "verdict.name", "verdict.summary",
				     "report.markdown" };

	if (fw_report_parse((const char *)data, size, "F.json", &ri, &err) < 0) {
		if (strncmp(err.msg, "F.json: ", 8) != 0)
			die("an error that does not name the file", err.msg);
		return 0;
	}
	if (!ri.schema || strcmp(ri.schema, "flarewatch.report") != 0 || !ri.hostname || !ri.verdict_kind ||
	    !ri.verdict_name || !ri.markdown)
		die("accepted without a required field", NULL);
	{
		const char *v[] = { ri.schema,	       ri.analyzed_at,	 ri.ticket,	  ri.flare_file,
				    ri.hostname,       ri.flare_time,	 ri.agent_version, ri.verdict_kind,
				    ri.verdict_name, ri.summary, ri.markdown };
		for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
			if (v[i] && !utf8_ok(v[i]))
				die("a field that is not valid UTF-8", strs[i]);
	}
	check_roundtrip(&ri);
	fw_report_info_free(&ri);
	return 0;
}
