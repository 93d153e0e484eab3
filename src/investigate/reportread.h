/*
 * reportread.h: reads back a report.json that flarewatch wrote (schema
 * "flarewatch.report", write_json.c), keeping the few fields a caller
 * needs: today the index's (index.c); later, e.g., the memstats figures of
 * a host's old reports. It is a decoder of hostile input: the
 * investigations tree is group-writable, so any file may be planted or
 * truncated. The file is bounded (FW_REPORT_READ_MAX bytes, nesting depth
 * FW_REPORT_READ_DEPTH), parsed with libyaml's event API (see
 * reportread.c for why), and any surprise is an error naming the file;
 * nothing read is trusted beyond its type (callers escape and cap strings
 * before output).
 *
 * To read one more field: add a member to struct fw_report_info (or
 * fw_report_proc, for a field of a "processes" item) and a line to the
 * table in reportread.c (its JSON path and type).
 */
#ifndef FW_REPORTREAD_H
#define FW_REPORTREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

/* Larger report.json files are refused (ours are a few hundred KiB). */
#define FW_REPORT_READ_MAX ((size_t)16 << 20)
/* Deeper nesting is refused (ours is under 10). */
#define FW_REPORT_READ_DEPTH 32

/* One agent process's figures, from its item of "processes" (the item whose
 * "name" is "core" or "trace"). Numbers are -1 when absent or null (but
 * see has_growth_30s: a growth may be negative). */
struct fw_report_proc {
	bool present;		 /* the report has this process */
	int64_t heap_alloc;	 /* "memory_sanity.heap_alloc_bytes" */
	int64_t sys;		 /* "memory_sanity.sys_bytes" */
	int64_t heap_objects;	 /* "memory_sanity.heap_objects" */
	int64_t goroutines;	 /* "memory_sanity.goroutines" (core only) */
	bool has_growth_30s;
	int64_t growth_30s;	 /* "heap_growth.total_per_30s" (a measured rate) */
	char *top_growth;	 /* "heap_growth.top_app_function.function", or NULL */
	int64_t cpu_total_ns;	 /* "cpu_facts.total_ns" */
	int64_t cpu_duration_ns; /* "cpu_facts.duration_ns" */
};

/* The fields read. Strings are malloc'd, valid UTF-8 without NUL, or NULL
 * when the field is absent or null. */
struct fw_report_info {
	char *schema;		 /* "schema": always "flarewatch.report" */
	int64_t schema_version;	 /* "schema_version" */
	char *analyzed_at;	 /* "analyzed_at" */
	char *ticket;		 /* "ticket" */
	char *flare_file;	 /* "flare.file" */
	char *flare_sha256;	 /* "flare.sha256" (null for a folder) */
	char *hostname;		 /* "flare.hostname" */
	char *flare_time;	 /* "flare.time" (RFC 3339 UTC) */
	char *agent_version;	 /* "flare.agent_version" */
	char *agent_start;	 /* "flare.agent_start" (RFC 3339 UTC) */
	int64_t uptime_ns;	 /* "flare.uptime_ns", -1 when absent or null */
	char *verdict_kind;	 /* "verdict.kind" (fw_verdict_id()) */
	char *verdict_name;	 /* "verdict.name" (fw_verdict_name()) */
	char *summary;		 /* "verdict.summary" */
	char *markdown;		 /* "report.markdown": the Markdown file's name */
	struct fw_report_proc core, trace;
};

/* Parses data[0..len) (name: the file, for messages). Returns 0 with *out
 * filled, or <0 with err naming name and what was wrong: not JSON, too
 * large or deep, not schema "flarewatch.report", a field of the wrong
 * type, a string holding NUL, two "processes" items of the same name
 * ("core" or "trace"). A required field missing (flare.hostname,
 * verdict.kind, verdict.name, report.markdown) is an error too. */
int fw_report_parse(const char *data, size_t len, const char *name, struct fw_report_info *out,
		    struct fw_error *err);

/* Reads the file at path (a regular file, not followed if a symlink, at
 * most FW_REPORT_READ_MAX bytes) and parses it. */
int fw_report_read(const char *path, struct fw_report_info *out, struct fw_error *err);

void fw_report_info_free(struct fw_report_info *r);

#endif
