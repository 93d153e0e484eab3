/*
 * journal.c: builds the structured journal entries described in journal.h
 * as "FIELD=value" strings and hands them to sd_journal_sendv(). Every
 * value that came from a flare goes through fw_out_plain() (redacted, cut to
 * FW_OUT_NAME_MAX or FW_OUT_TEXT_MAX bytes, control and bidi characters
 * escaped: one line) before it is used, in a field or in MESSAGE.
 */
#define SD_JOURNAL_SUPPRESS_LOCATION

#include "daemon/journal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include "base/outtext.h"

#define MAX_FIELDS 24
#define SHORT_MAX FW_OUT_NAME_MAX /* hostname, version, hash, function names */
#define TEXT_MAX FW_OUT_TEXT_MAX  /* paths, summaries, reasons */

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
	struct fw_buf b;
	va_list ap;

	fw_buf_init(&b);
	va_start(ap, fmt);
	fw_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (b.failed)
		f->failed = true;
	else
		add(f, key, fw_buf_str(&b));
	fw_buf_free(&b);
}

/* s (NULL means "") made a safe one-line value of at most max bytes of
 * content into dst (freed by the caller with fw_buf_free); on allocation
 * failure marks f. */
static const char *clean(struct fields *f, struct fw_buf *dst, size_t max, const char *s)
{
	fw_buf_init(dst);
	fw_out_plain(dst, s ? s : "", max);
	if (dst->failed)
		f->failed = true;
	return fw_buf_str(dst);
}

/* The flare's sha256, which we computed: no flare text, so not redacted
 * (the key rule would take 64 hex digits for a key) once it is checked to
 * be 64 lowercase hex digits; anything else is cleaned as flare text. */
static const char *clean_hash(struct fields *f, struct fw_buf *dst, size_t max, const char *s)
{
	size_t n = s ? strspn(s, "0123456789abcdef") : 0;

	if (n != 64 || s[n])
		return clean(f, dst, max, s);
	fw_buf_init(dst);
	fw_buf_puts(dst, s);
	if (dst->failed)
		f->failed = true;
	return fw_buf_str(dst);
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
	case FW_VERDICT_INCONCLUSIVE: return FW_MESSAGE_ID_INCONCLUSIVE;
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
	enum { V_HOST, V_VERSION, V_HASH, V_FILE, V_SUMMARY, V_REPORT, V_GROWTH_FN, V_CPU_FN, V_DUP, V_TICKET,
	       N_VALUES };
	struct fw_buf v[N_VALUES];
	const char *host, *version, *hash, *file, *summary, *report, *growth_fn, *cpu_fn, *dup, *ticket;
	const char *id = fw_journal_message_id(r->verdict);
	const char *name = fw_verdict_name(r->verdict);
	struct fields f = { .n = 0 };
	int rc;

	if (!id)
		return -EINVAL;
	host = clean(&f, &v[V_HOST], SHORT_MAX, r->hostname);
	version = clean(&f, &v[V_VERSION], SHORT_MAX, r->agent_version);
	hash = clean_hash(&f, &v[V_HASH], SHORT_MAX, sha256);
	file = clean(&f, &v[V_FILE], TEXT_MAX, flare_file);
	summary = clean(&f, &v[V_SUMMARY], TEXT_MAX, r->summary);
	report = clean(&f, &v[V_REPORT], TEXT_MAX, r->report_path);
	growth_fn = clean(&f, &v[V_GROWTH_FN], SHORT_MAX, r->top_growth_function);
	cpu_fn = clean(&f, &v[V_CPU_FN], SHORT_MAX, r->top_cpu_function);
	dup = clean(&f, &v[V_DUP], TEXT_MAX, duplicate_of);
	ticket = clean(&f, &v[V_TICKET], SHORT_MAX, r->ticket);
	if (!*host)
		host = "unknown host";

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
	add(&f, "TICKET", ticket);
	rc = send_fields(&f);
	for (int i = 0; i < N_VALUES; i++)
		fw_buf_free(&v[i]);
	return rc;
}

int fw_journal_failure(const char *flare_file, const char *sha256, const char *reason,
		       int priority)
{
	struct fw_buf vfile, vhash, vwhy;
	struct fields f = { .n = 0 };
	const char *file, *hash, *why, *base;
	int rc;

	file = clean(&f, &vfile, TEXT_MAX, flare_file);
	hash = clean_hash(&f, &vhash, SHORT_MAX, sha256);
	why = clean(&f, &vwhy, TEXT_MAX, reason);
	if (!*why)
		why = "unknown error";
	base = strrchr(file, '/');
	addf(&f, "MESSAGE", "flare %s could not be analyzed: %s", base ? base + 1 : file, why);
	add(&f, "MESSAGE_ID", FW_MESSAGE_ID_FAILED);
	addf(&f, "PRIORITY", "%d", clamp_priority(priority));
	add(&f, "SYSLOG_IDENTIFIER", FW_JOURNAL_IDENTIFIER);
	add(&f, "FLAREWATCH_VERDICT", "failed");
	add(&f, "FLARE_FILE", file);
	add(&f, "FLARE_SHA256", *hash ? hash : NULL);
	add(&f, "FLAREWATCH_ERROR", why);
	rc = send_fields(&f);
	fw_buf_free(&vfile);
	fw_buf_free(&vhash);
	fw_buf_free(&vwhy);
	return rc;
}
