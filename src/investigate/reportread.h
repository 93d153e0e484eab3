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
 * To read one more field: add a member to struct fw_report_info and a line
 * to the table in reportread.c (its JSON path and type).
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
	char *verdict_kind;	 /* "verdict.kind" (fw_verdict_id()) */
	char *verdict_name;	 /* "verdict.name" (fw_verdict_name()) */
	char *summary;		 /* "verdict.summary" */
	char *markdown;		 /* "report.markdown": the Markdown file's name */
};

/* Parses data[0..len) (name: the file, for messages). Returns 0 with *out
 * filled, or <0 with err naming name and what was wrong: not JSON, too
 * large or deep, not schema "flarewatch.report", a field of the wrong
 * type, a string holding NUL. A required field missing (flare.hostname,
 * verdict.kind, verdict.name, report.markdown) is an error too. */
int fw_report_parse(const char *data, size_t len, const char *name, struct fw_report_info *out,
		    struct fw_error *err);

/* Reads the file at path (a regular file, not followed if a symlink, at
 * most FW_REPORT_READ_MAX bytes) and parses it. */
int fw_report_read(const char *path, struct fw_report_info *out, struct fw_error *err);

void fw_report_info_free(struct fw_report_info *r);

#endif
