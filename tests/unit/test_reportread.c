/*
 * test_reportread.c -- reading back report.json (investigate/reportread.h):
 * the fields, JSON's escapes through libyaml (\/, surrogate pairs, an
 * escaped backslash before "u"), and every kind of bad input refused with
 * the file's name: truncated, too deep, YAML-only syntax, wrong types,
 * NUL, another schema, a symlink, a FIFO, a file over the size limit.
 */
#include "../tap.h"

#include "investigate/reportread.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HEAD "{\"schema\":\"flarewatch.report\",\"schema_version\":2,\"analyzed_at\":\"2026-01-02T03:04:05Z\","
#define FLARE                                                                                              \
	"\"flare\":{\"file\":\"ZD-1_a.zip\",\"sha256\":null,\"hostname\":\"web-1\",\"time\":\"2024-10-02T14:21:52Z\"," \
	"\"agent_version\":\"7.58.2\",\"host_os\":{\"os\":\"linux\"},\"profile_files\":[\"a\",\"b\"]},"
#define SHA "8df28a2583fa9d1f46ac0829e10458b5518f00180093bea236da5017f8fabdc3"
#define VERDICT "\"verdict\":{\"kind\":\"memory_leak\",\"name\":\"MEMORY LEAK\",\"summary\":\"core grows\"},"
#define TAIL "\"processes\":[{\"name\":\"core\",\"rows\":[[1,2],{\"x\":null}]}],\"report\":{\"markdown\":\"r.md\"}}\n"

static int parse(const char *doc, struct fw_report_info *ri, struct fw_error *err)
{
	err->msg[0] = 0;
	return fw_report_parse(doc, strlen(doc), "T.json", ri, err);
}

/* doc is refused, and the message names the file and says why */
static void refused(const char *doc, const char *why, const char *what)
{
	struct fw_report_info ri;
	struct fw_error err;
	int r = parse(doc, &ri, &err);

	TAP_OK(r < 0 && strncmp(err.msg, "T.json: ", 8) == 0 && strstr(err.msg, why), "%s: refused (%s)", what,
	       err.msg);
	if (r == 0)
		fw_report_info_free(&ri);
}

static void test_fields(void)
{
	struct fw_report_info ri;
	struct fw_error err;

	if (!TAP_EQ_INT(parse(HEAD "\"ticket\":\"ZD-1\"," FLARE VERDICT TAIL, &ri, &err), 0, "parsed (%s)", err.msg))
		return;
	TAP_EQ_STR(ri.schema, "flarewatch.report", "schema");
	TAP_EQ_INT(ri.schema_version, 2, "schema_version");
	TAP_EQ_STR(ri.analyzed_at, "2026-01-02T03:04:05Z", "analyzed_at");
	TAP_EQ_STR(ri.ticket, "ZD-1", "ticket");
	TAP_EQ_STR(ri.flare_file, "ZD-1_a.zip", "flare.file");
	TAP_OK(!ri.flare_sha256, "flare.sha256 null: NULL");
	TAP_EQ_STR(ri.hostname, "web-1", "flare.hostname");
	TAP_EQ_STR(ri.flare_time, "2024-10-02T14:21:52Z", "flare.time");
	TAP_EQ_STR(ri.agent_version, "7.58.2", "flare.agent_version");
	TAP_EQ_STR(ri.verdict_kind, "memory_leak", "verdict.kind");
	TAP_EQ_STR(ri.verdict_name, "MEMORY LEAK", "verdict.name");
	TAP_EQ_STR(ri.summary, "core grows", "verdict.summary");
	TAP_EQ_STR(ri.markdown, "r.md", "report.markdown");
	fw_report_info_free(&ri);

	/* flare.sha256 (flarewatch compare finds a report's flare by it) */
	if (TAP_EQ_INT(parse(HEAD "\"flare\":{\"sha256\":\"" SHA "\",\"hostname\":\"h\"}," VERDICT TAIL, &ri, &err), 0,
		       "with a sha256 (%s)", err.msg)) {
		TAP_EQ_STR(ri.flare_sha256, SHA, "flare.sha256");
		fw_report_info_free(&ri);
	}

	/* nulls and absent optional fields; keys in another order, spaces */
	if (TAP_EQ_INT(parse("{ \"report\" : {\"markdown\": \"m.md\"}, \"verdict\": {\"name\": \"NORMAL\", "
			     "\"kind\": \"normal\", \"summary\": null}, \"flare\": {\"hostname\": \"h\", "
			     "\"time\": null, \"file\": null}, \"ticket\": null, \"schema_version\": 1, "
			     "\"schema\": \"flarewatch.report\"}",
			     &ri, &err),
		       0, "another order, nulls (%s)", err.msg)) {
		TAP_OK(!ri.ticket && !ri.flare_time && !ri.flare_file && !ri.summary && !ri.analyzed_at &&
			       !ri.agent_version,
		       "null and absent fields are NULL");
		TAP_EQ_INT(ri.schema_version, 1, "schema_version 1");
		fw_report_info_free(&ri);
	}
}

static void test_escapes_json(void)
{
	struct fw_report_info ri;
	struct fw_error err;

	if (!TAP_EQ_INT(parse(HEAD FLARE "\"verdict\":{\"kind\":\"normal\",\"name\":\"NORMAL\",\"summary\":"
				       "\"a\\/b \\u00e9 \\ud83d\\ude00 \\uD83D\\uDE00 \\\\ud83d\\\\ude00 \\\"q\\\" \\t\\n\"}," TAIL,
			      &ri, &err),
			0, "JSON escapes parsed (%s)", err.msg))
		return;
	TAP_EQ_STR(ri.summary,
		   "a/b \xc3\xa9 \xf0\x9f\x98\x80 \xf0\x9f\x98\x80 \\ud83d\\ude00 \"q\" \t\n",
		   "\\/, \\u00e9, surrogate pairs (both cases), escaped backslashes, quotes, \\t \\n");
	fw_report_info_free(&ri);
}

static void test_refused(void)
{
	char deep[4096];
	size_t n = 0;

	refused("", "empty", "an empty file");
	refused(HEAD FLARE VERDICT "\"report\":{\"markd", "not JSON", "a truncated file");
	refused(HEAD FLARE VERDICT, "not JSON", "a file cut after a comma");
	refused("[1,2]", "not a JSON object", "an array");
	refused("\"x\"", "not a JSON object", "a string");
	refused(HEAD FLARE VERDICT "\"summary\":\"\\ud83d\"," TAIL, "not JSON", "a lone surrogate");
	refused(HEAD FLARE "\"verdict\":{\"kind\":\"normal\",\"name\":\"NOR\\u0000MAL\"}," TAIL, "NUL",
		"a NUL in a field");
	refused(HEAD FLARE VERDICT "\"x\":\"a\\u0000\"," TAIL, "NUL", "a NUL in another string");
	refused(HEAD FLARE VERDICT "\"x\": &a [1], \"y\": *a," TAIL, "anchor", "a YAML anchor");
	refused(HEAD FLARE VERDICT "\"y\": *a," TAIL, "not JSON", "an undefined alias");
	refused(HEAD FLARE VERDICT "\"x\": !!str 1," TAIL, "tag", "a YAML tag");
	refused(HEAD FLARE VERDICT TAIL "---\n{}\n", "more than one document", "two documents");
	refused(HEAD "\"flare\":{\"hostname\":7}," VERDICT TAIL, "flare.hostname is not a string",
		"a number for a string");
	refused(HEAD "\"flare\":{\"hostname\":[\"h\"]}," VERDICT TAIL, "flare.hostname is not a string",
		"an array for a string");
	refused(HEAD "\"flare\":{\"hostname\":\"h\",\"hostname\":\"i\"}," VERDICT TAIL, "appears twice",
		"a field twice");
	refused("{\"schema\":\"flarewatch.report\",\"schema_version\":\"2\"," FLARE VERDICT TAIL,
		"schema_version is not an integer", "a string for a number");
	refused("{\"schema\":\"flarewatch.report\",\"schema_version\":2.5," FLARE VERDICT TAIL,
		"schema_version is not an integer", "a fraction for an integer");
	refused("{\"schema\":\"other\",\"schema_version\":2," FLARE VERDICT TAIL, "schema is not", "another schema");
	refused(HEAD FLARE TAIL, "no verdict.kind", "no verdict");
	refused(HEAD "\"flare\":{\"hostname\":null}," VERDICT TAIL, "no flare.hostname", "a null hostname");
	refused(HEAD FLARE VERDICT "\"report\":{}}", "no report.markdown", "no report.markdown");
	refused(HEAD FLARE VERDICT "\"x\":\"\xff\"," TAIL, "not JSON", "invalid UTF-8");
	refused(HEAD FLARE VERDICT "\"x\":[{" "\"y\":[1]}]," TAIL "x", "not JSON", "junk after the object");

	n += (size_t)snprintf(deep, sizeof(deep), HEAD FLARE VERDICT "\"x\":");
	for (int i = 0; i < 1000; i++)
		deep[n++] = '[';
	deep[n] = 0;
	refused(deep, "nested deeper than", "1000 open brackets");
	n = (size_t)snprintf(deep, sizeof(deep), HEAD FLARE VERDICT "\"x\":");
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "{\"a\":");
	deep[n] = 0;
	refused(deep, "nested deeper than", "40 nested objects");
}

static void test_files(void)
{
	char dir[1024], path[1100], link[1100];
	struct fw_report_info ri;
	struct fw_error err;
	const char *tmp = getenv("TMPDIR");
	FILE *f;
	int fd;

	snprintf(dir, sizeof(dir), "%s/test_reportread.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!TAP_OK(mkdtemp(dir) != NULL, "scratch folder"))
		return;
	snprintf(path, sizeof(path), "%s/report.json", dir);
	f = fopen(path, "w");
	fputs(HEAD FLARE VERDICT TAIL, f);
	fclose(f);
	if (TAP_EQ_INT(fw_report_read(path, &ri, &err), 0, "a file read (%s)", err.msg)) {
		TAP_EQ_STR(ri.hostname, "web-1", "its hostname");
		fw_report_info_free(&ri);
	}
	snprintf(link, sizeof(link), "%s/link.json", dir);
	TAP_OK(symlink(path, link) == 0, "symlink made");
	TAP_OK(fw_report_read(link, &ri, &err) < 0 && strstr(err.msg, "link.json: a symbolic link"),
	       "a symlink is refused (%s)", err.msg);
	unlink(link);
	TAP_OK(mkfifo(link, 0600) == 0, "FIFO made");
	TAP_OK(fw_report_read(link, &ri, &err) < 0 && strstr(err.msg, "not a regular file"),
	       "a FIFO is refused without blocking (%s)", err.msg);
	unlink(link);
	fd = open(link, O_WRONLY | O_CREAT, 0600);
	TAP_OK(fd >= 0 && ftruncate(fd, (off_t)FW_REPORT_READ_MAX + 1) == 0, "a sparse file over the limit");
	if (fd >= 0)
		close(fd);
	TAP_OK(fw_report_read(link, &ri, &err) < 0 && strstr(err.msg, "the limit is"),
	       "a file over the limit is refused (%s)", err.msg);
	unlink(link);
	TAP_OK(fw_report_read(link, &ri, &err) < 0 && strstr(err.msg, "link.json: No such file"),
	       "a missing file (%s)", err.msg);
	unlink(path);
	rmdir(dir);
}

/* The per-process figures of "core" and "trace" (other processes and
 * unknown keys ignored), nulls as -1, a negative growth, two "core" items
 * refused. */
#define PROCS                                                                                                   \
	"\"processes\":[{\"name\":\"core\",\"heap_growth\":{\"total_per_30s\":-5,\"top_app_function\":"                \
	"{\"function\":\"main.grow\",\"value\":7}},\"memory_sanity\":{\"heap_alloc_bytes\":100,\"sys_bytes\":200,"     \
	"\"heap_objects\":3,\"goroutines\":42,\"sys_breakdown\":{\"heap_sys\":1}},\"cpu_facts\":{\"total_ns\":"          \
	"15000000000,\"duration_ns\":30000000000}},{\"name\":\"process-agent\",\"memory_sanity\":{\"heap_alloc_bytes\":" \
	"9}},{\"memory_sanity\":{\"sys_bytes\":9},\"name\":\"trace\",\"heap_growth\":null,\"cpu_facts\":null}],"
static void test_processes(void)
{
	struct fw_report_info ri;
	struct fw_error err;

	if (!TAP_EQ_INT(parse(HEAD "\"ticket\":null," FLARE VERDICT PROCS "\"report\":{\"markdown\":\"r.md\"}}", &ri, &err), 0,
			"with processes (%s)", err.msg))
		return;
	TAP_OK(ri.core.present && ri.trace.present, "core and trace present");
	TAP_EQ_INT(ri.core.heap_alloc, 100, "core HeapAlloc");
	TAP_EQ_INT(ri.core.sys, 200, "core Sys");
	TAP_EQ_INT(ri.core.heap_objects, 3, "core HeapObjects");
	TAP_EQ_INT(ri.core.goroutines, 42, "core goroutines");
	TAP_OK(ri.core.has_growth_30s && ri.core.growth_30s == -5, "core growth -5 per 30 s");
	TAP_EQ_STR(ri.core.top_growth, "main.grow", "core top growth function");
	TAP_OK(ri.core.cpu_total_ns == 15000000000 && ri.core.cpu_duration_ns == 30000000000, "core CPU facts");
	TAP_OK(ri.trace.sys == 9 && ri.trace.heap_alloc == -1 && ri.trace.heap_objects == -1 &&
		       ri.trace.goroutines == -1 && !ri.trace.has_growth_30s && !ri.trace.top_growth &&
		       ri.trace.cpu_total_ns == -1,
	       "trace: Sys (before its name), the rest unknown; process-agent's not taken");
	TAP_OK(ri.uptime_ns == -1 && !ri.agent_start, "no uptime, no agent start");
	fw_report_info_free(&ri);

	if (TAP_EQ_INT(parse(HEAD "\"flare\":{\"hostname\":\"h\",\"agent_start\":\"2024-10-01T00:00:00Z\","
			     "\"uptime_ns\":3600000000000}," VERDICT TAIL,
			     &ri, &err),
		       0, "agent start and uptime (%s)", err.msg)) {
		TAP_EQ_STR(ri.agent_start, "2024-10-01T00:00:00Z", "flare.agent_start");
		TAP_EQ_INT(ri.uptime_ns, 3600000000000, "flare.uptime_ns");
		TAP_OK(ri.core.present && ri.core.heap_alloc == -1 && !ri.trace.present,
		       "core without figures; no trace");
		fw_report_info_free(&ri);
	}
	refused(HEAD FLARE VERDICT "\"processes\":[{\"name\":\"core\"},{\"name\":\"core\"}],\"report\":{\"markdown\":\"r.md\"}}",
		"two processes named \"core\"", "two core items");
	refused(HEAD FLARE VERDICT "\"processes\":[{\"name\":\"core\",\"memory_sanity\":{\"sys_bytes\":\"1\"}}],"
			"\"report\":{\"markdown\":\"r.md\"}}",
		"processes[].memory_sanity.sys_bytes is not an integer", "a figure as a string");
	refused(HEAD FLARE VERDICT "\"processes\":[{\"name\":\"core\",\"heap_growth\":{\"top_app_function\":"
			"{\"function\":{}}}}],\"report\":{\"markdown\":\"r.md\"}}",
		"is not a string", "a function name as an object");
	refused(HEAD FLARE VERDICT "\"processes\":[{\"name\":\"core\",\"name\":\"trace\"}],\"report\":{\"markdown\":\"r.md\"}}",
		"processes[].name appears twice", "a name twice in one item");
}

int main(void)
{
	test_fields();
	test_processes();
	test_escapes_json();
	test_refused();
	test_files();
	return tap_done();
}
