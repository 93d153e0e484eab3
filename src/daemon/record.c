/*
 * record.c: writing and reading the key=value records of record.h.
 */
#include "record.h"
#include "investigate/investigate.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void record_put(struct fw_buf *b, const char *key, const char *value)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, n;

	if (!value)
		return;
	n = strlen(value);
	if (n > RECORD_MAX_VALUE)
		n = RECORD_MAX_VALUE;
	fw_buf_puts(b, key);
	fw_buf_putc(b, '=');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)value[i];
		if (c == '\\') {
			fw_buf_puts(b, "\\\\");
		} else if (c == '\n') {
			fw_buf_puts(b, "\\n");
		} else if (c < 0x20 || c == 0x7f) {
			char esc[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };
			fw_buf_putn(b, esc, 4);
		} else {
			fw_buf_putc(b, (char)c);
		}
	}
	fw_buf_putc(b, '\n');
}

void record_putf(struct fw_buf *b, const char *key, const char *fmt, ...)
{
	char value[RECORD_MAX_VALUE + 1];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	record_put(b, key, value);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Unescapes s[0..len) into a new string. NULL on a bad escape or ENOMEM
 * (*bad tells which). */
static char *unescape(const char *s, size_t len, int *bad)
{
	char *out = malloc(len + 1), *o = out;
	size_t i;

	if (!out)
		return NULL;
	for (i = 0; i < len; i++) {
		if (s[i] != '\\') {
			*o++ = s[i];
			continue;
		}
		if (i + 1 < len && s[i + 1] == '\\') {
			*o++ = '\\';
			i++;
		} else if (i + 1 < len && s[i + 1] == 'n') {
			*o++ = '\n';
			i++;
		} else if (i + 3 < len && s[i + 1] == 'x' && hexval(s[i + 2]) >= 0 &&
			   hexval(s[i + 3]) >= 0) {
			*o++ = (char)(hexval(s[i + 2]) << 4 | hexval(s[i + 3]));
			i += 3;
		} else {
			free(out);
			*bad = 1;
			return NULL;
		}
	}
	*o = 0;
	return out;
}

static bool key_ok(const char *k, size_t n)
{
	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
			return false;
	return true;
}

static int set(struct record *rec, const char *key, size_t klen, char *value)
{
	struct record_field *f;

	for (size_t i = 0; i < rec->n; i++) {
		if (strlen(rec->f[i].key) == klen && memcmp(rec->f[i].key, key, klen) == 0) {
			free(rec->f[i].value);
			rec->f[i].value = value;
			return 0;
		}
	}
	if (fw_grow((void **)&rec->f, &rec->cap, rec->n + 1, sizeof(*rec->f)) < 0)
		goto nomem;
	f = &rec->f[rec->n];
	f->key = strndup(key, klen);
	if (!f->key)
		goto nomem;
	f->value = value;
	rec->n++;
	return 0;
nomem:
	free(value);
	return -ENOMEM;
}

int record_parse(const char *text, size_t len, struct record *rec)
{
	size_t pos = 0;
	int r = 0;

	memset(rec, 0, sizeof(*rec));
	if (len > RECORD_MAX_SIZE)
		return -EINVAL;
	while (pos < len) {
		const char *line = text + pos, *nl = memchr(line, '\n', len - pos), *eq;
		size_t llen = nl ? (size_t)(nl - line) : len - pos;
		char *value;
		int bad = 0;

		pos += llen + (nl ? 1 : 0);
		if (llen == 0)
			continue;
		eq = memchr(line, '=', llen);
		if (!eq || !key_ok(line, (size_t)(eq - line)) || memchr(line, 0, llen)) {
			r = -EINVAL;
			break;
		}
		value = unescape(eq + 1, llen - (size_t)(eq + 1 - line), &bad);
		if (!value) {
			r = bad ? -EINVAL : -ENOMEM;
			break;
		}
		r = set(rec, line, (size_t)(eq - line), value);
		if (r < 0)
			break;
	}
	if (r < 0)
		record_free(rec);
	return r;
}

const char *record_get(const struct record *rec, const char *key)
{
	for (size_t i = 0; i < rec->n; i++)
		if (strcmp(rec->f[i].key, key) == 0)
			return rec->f[i].value;
	return NULL;
}

void record_free(struct record *rec)
{
	for (size_t i = 0; i < rec->n; i++) {
		free(rec->f[i].key);
		free(rec->f[i].value);
	}
	free(rec->f);
	memset(rec, 0, sizeof(*rec));
}

/* ---- the analysis result ---------------------------------------------------- */

enum result_type { RT_VERDICT, RT_STRING, RT_INT64 };

static const struct result_field {
	const char *key;
	enum result_type type;
	size_t off; /* in struct fw_analyze_result */
} result_fields[] = {
	{ "verdict", RT_VERDICT, offsetof(struct fw_analyze_result, verdict) },
	{ "hostname", RT_STRING, offsetof(struct fw_analyze_result, hostname) },
	{ "agent_version", RT_STRING, offsetof(struct fw_analyze_result, agent_version) },
	{ "summary", RT_STRING, offsetof(struct fw_analyze_result, summary) },
	{ "report_dir", RT_STRING, offsetof(struct fw_analyze_result, report_dir) },
	{ "report_path", RT_STRING, offsetof(struct fw_analyze_result, report_path) },
	{ "json_path", RT_STRING, offsetof(struct fw_analyze_result, json_path) },
	{ "flare_time", RT_STRING, offsetof(struct fw_analyze_result, flare_time) },
	{ "heap_growth_bytes", RT_INT64, offsetof(struct fw_analyze_result, heap_growth_bytes) },
	{ "top_growth_function", RT_STRING, offsetof(struct fw_analyze_result, top_growth_function) },
	{ "top_cpu_function", RT_STRING, offsetof(struct fw_analyze_result, top_cpu_function) },
	/* absent from records written before tickets: NULL */
	{ "ticket", RT_STRING, offsetof(struct fw_analyze_result, ticket) },
};
#define N_RESULT_FIELDS (sizeof(result_fields) / sizeof(result_fields[0]))

static bool verdict_from_id(const char *id, enum fw_verdict_kind *k)
{
	for (int v = FW_VERDICT_NORMAL; v <= FW_VERDICT_MULTIPLE; v++) {
		if (id && strcmp(fw_verdict_id((enum fw_verdict_kind)v), id) == 0) {
			*k = (enum fw_verdict_kind)v;
			return true;
		}
	}
	return false;
}

void record_put_result(struct fw_buf *b, const struct fw_analyze_result *r)
{
	assert(b && r);
	for (size_t i = 0; i < N_RESULT_FIELDS; i++) {
		const struct result_field *f = &result_fields[i];
		const char *at = (const char *)r + f->off;

		switch (f->type) {
		case RT_VERDICT:
			record_put(b, f->key, fw_verdict_id(*(const enum fw_verdict_kind *)(const void *)at));
			break;
		case RT_STRING:
			record_put(b, f->key, *(char *const *)(const void *)at);
			break;
		case RT_INT64:
			record_putf(b, f->key, "%" PRId64, *(const int64_t *)(const void *)at);
			break;
		}
	}
}

void record_copy_result(struct fw_buf *b, const struct record *rec)
{
	assert(b && rec);
	for (size_t i = 0; i < N_RESULT_FIELDS; i++)
		record_put(b, result_fields[i].key, record_get(rec, result_fields[i].key));
}

int record_get_result(const struct record *rec, struct fw_analyze_result *r)
{
	assert(rec && r);
	memset(r, 0, sizeof(*r));
	if (!record_get(rec, "report_path"))
		return -EINVAL;
	for (size_t i = 0; i < N_RESULT_FIELDS; i++) {
		const struct result_field *f = &result_fields[i];
		const char *v = record_get(rec, f->key);
		char *at = (char *)r + f->off;

		switch (f->type) {
		case RT_VERDICT:
			if (!verdict_from_id(v, (enum fw_verdict_kind *)(void *)at)) {
				fw_analyze_result_free(r);
				return -EINVAL;
			}
			break;
		case RT_STRING:
			if (v && !(*(char **)(void *)at = strdup(v))) {
				fw_analyze_result_free(r);
				return -ENOMEM;
			}
			break;
		case RT_INT64:
			*(int64_t *)(void *)at = v ? strtoll(v, NULL, 10) : 0;
			break;
		}
	}
	return 0;
}
