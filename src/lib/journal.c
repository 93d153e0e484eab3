/*
 * journal.c: builds the structured journal entries described in journal.h
 * as "FIELD=value" strings and hands them to sd_journal_sendv(). Every
 * value that came from a flare goes through fw_redact_field() (redacted,
 * printable, bounded) before it is used, in a field or in MESSAGE.
 */
#define SD_JOURNAL_SUPPRESS_LOCATION

#include "journal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include "redact.h"

#define MAX_FIELDS 24
#define SHORT_MAX 512	/* hostname, version, hash */
#define TEXT_MAX 4096	/* paths, summaries, function names, reasons */

struct fields {
	struct iovec iov[MAX_FIELDS];
	size_t n;
	bool failed;
};

static void fields_free(struct fields *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->iov[i].iov_base);
	f->n = 0;
}

/* Adds "key=value"; an empty value is added too (the verdict entry keeps
 * one shape), a NULL one is not. */
static void add(struct fields *f, const char *key, const char *value)
{
	size_t klen, vlen;
	char *s;

	if (f->failed || !value)
		return;
	if (f->n == MAX_FIELDS) {
		f->failed = true;
		return;
	}
	klen = strlen(key);
	vlen = strlen(value);
	s = malloc(klen + 1 + vlen + 1);
	if (!s) {
		f->failed = true;
		return;
	}
	memcpy(s, key, klen);
	s[klen] = '=';
	memcpy(s + klen + 1, value, vlen + 1);
	f->iov[f->n].iov_base = s;
	f->iov[f->n].iov_len = klen + 1 + vlen;
	f->n++;
}

static void addf(struct fields *f, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void addf(struct fields *f, const char *key, const char *fmt, ...)
{
	char buf[TEXT_MAX * 3];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	add(f, key, buf);
}

/* Redacts s (NULL means "") into dst; on allocation failure marks f. */
static const char *clean(struct fields *f, char *dst, size_t dstsz, const char *s)
{
	if (!s)
		s = "";
	if (fw_redact_field(dst, dstsz, s, strlen(s)) < 0)
		f->failed = true;
	return dst;
}

/* The flare's sha256, which we computed: no flare text, so not redacted
 * (the key rule would take 64 hex digits for a key) once it is checked to
 * be 64 lowercase hex digits; anything else is cleaned as flare text. */
static const char *clean_hash(struct fields *f, char *dst, size_t dstsz, const char *s)
{
	size_t n = s ? strspn(s, "0123456789abcdef") : 0;

	if (n == 64 && !s[n] && dstsz > n) {
		memcpy(dst, s, n + 1);
		return dst;
	}
	return clean(f, dst, dstsz, s);
}

static int clamp_priority(int priority)
{
	return priority < 0 ? 0 : priority > 7 ? 7 : priority;
}

static int send_fields(struct fields *f)
{
	int r;

	if (f->failed) {
		fields_free(f);
		return -ENOMEM;
	}
	r = sd_journal_sendv(f->iov, (int)f->n);
	fields_free(f);
	return r;
}

const char *fw_journal_message_id(enum fw_verdict_kind k)
{
	switch (k) {
	case FW_VERDICT_NORMAL: return FW_MESSAGE_ID_NORMAL;
	case FW_VERDICT_CONTENTION: return FW_MESSAGE_ID_CONTENTION;
	case FW_VERDICT_CPU_SPIKE: return FW_MESSAGE_ID_CPU_SPIKE;
	case FW_VERDICT_MEMORY_LEAK: return FW_MESSAGE_ID_MEMORY_LEAK;
	case FW_VERDICT_MULTIPLE: return FW_MESSAGE_ID_MULTIPLE;
	}
	return NULL;
}

int fw_journal_verdict(const struct fw_analyze_result *r, const char *flare_file,
		       const char *sha256, int priority, const char *duplicate_of)
{
	char host[SHORT_MAX], version[SHORT_MAX], hash[SHORT_MAX], file[TEXT_MAX];
	char summary[TEXT_MAX], report[TEXT_MAX], growth_fn[TEXT_MAX], cpu_fn[TEXT_MAX];
	char dup[TEXT_MAX];
	const char *id = fw_journal_message_id(r->verdict);
	const char *name = fw_verdict_name(r->verdict);
	struct fields f = { .n = 0 };

	if (!id)
		return -EINVAL;
	clean(&f, host, sizeof(host), r->hostname);
	clean(&f, version, sizeof(version), r->agent_version);
	clean_hash(&f, hash, sizeof(hash), sha256);
	clean(&f, file, sizeof(file), flare_file);
	clean(&f, summary, sizeof(summary), r->summary);
	clean(&f, report, sizeof(report), r->report_path);
	clean(&f, growth_fn, sizeof(growth_fn), r->top_growth_function);
	clean(&f, cpu_fn, sizeof(cpu_fn), r->top_cpu_function);
	clean(&f, dup, sizeof(dup), duplicate_of);
	if (!*host)
		snprintf(host, sizeof(host), "unknown host");

	if (duplicate_of) {
		const char *base = strrchr(file, '/');
		addf(&f, "MESSAGE", "%s: duplicate of a flare already analyzed: %s: %s (report %s)",
		     base ? base + 1 : file, host, name, dup);
		add(&f, "MESSAGE_ID", FW_MESSAGE_ID_DUPLICATE);
		add(&f, "FLARE_DUPLICATE_OF", dup);
	} else {
		addf(&f, "MESSAGE", "%s: %s%s%s (report %s)", host, name, *summary ? " - " : "",
		     summary, *report ? report : "none");
		add(&f, "MESSAGE_ID", id);
	}
	addf(&f, "PRIORITY", "%d", clamp_priority(priority));
	add(&f, "SYSLOG_IDENTIFIER", FW_JOURNAL_IDENTIFIER);
	add(&f, "FLAREWATCH_VERDICT", fw_verdict_id(r->verdict));
	add(&f, "FLARE_HOSTNAME", host);
	add(&f, "FLARE_FILE", file);
	add(&f, "FLARE_SHA256", *hash ? hash : NULL);
	add(&f, "AGENT_VERSION", version);
	add(&f, "REPORT_PATH", report);
	addf(&f, "HEAP_GROWTH_BYTES", "%" PRId64, r->heap_growth_bytes);
	add(&f, "TOP_GROWTH_FUNCTION", growth_fn);
	add(&f, "TOP_CPU_FUNCTION", cpu_fn);
	return send_fields(&f);
}

int fw_journal_failure(const char *flare_file, const char *sha256, const char *reason,
		       int priority)
{
	char file[TEXT_MAX], hash[SHORT_MAX], why[TEXT_MAX];
	struct fields f = { .n = 0 };
	const char *base;

	clean(&f, file, sizeof(file), flare_file);
	clean_hash(&f, hash, sizeof(hash), sha256);
	clean(&f, why, sizeof(why), reason);
	if (!*why)
		snprintf(why, sizeof(why), "unknown error");
	base = strrchr(file, '/');
	addf(&f, "MESSAGE", "flare %s could not be analyzed: %s", base ? base + 1 : file, why);
	add(&f, "MESSAGE_ID", FW_MESSAGE_ID_FAILED);
	addf(&f, "PRIORITY", "%d", clamp_priority(priority));
	add(&f, "SYSLOG_IDENTIFIER", FW_JOURNAL_IDENTIFIER);
	add(&f, "FLAREWATCH_VERDICT", "failed");
	add(&f, "FLARE_FILE", file);
	add(&f, "FLARE_SHA256", *hash ? hash : NULL);
	add(&f, "FLAREWATCH_ERROR", why);
	return send_fields(&f);
}
