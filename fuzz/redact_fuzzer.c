/*
 * redact_fuzzer.c: libFuzzer harness for the redactor (src/base/redact.c)
 * and the field helpers built on it.
 *
 * For every input it checks what must hold whatever the bytes:
 *  1. fw_redact() only copies and replaces, in order: its output, read as
 *     a pattern in which each "[REDACTED]" stands for any stretch (the
 *     empty one included), matches the input whole. Nothing outside a
 *     marker is added, dropped, reordered or changed, NULs and invalid
 *     UTF-8 included. fw_redact_buf() gives the same bytes.
 *  2. a second pass only replaces more: check 1 holds with the first
 *     output as the input (redact.h promises idempotence on ordinary text
 *     only, so the outputs are not compared for equality).
 *  3. a secret planted in every supported form, one form per line between
 *     the input's two halves, never survives, not even a 6-byte piece of
 *     it, whatever the halves hold. Each form is fenced by "#" lines: a
 *     "#" line is no more-indented block line, no YAML list item and no
 *     argument, so nothing before a form can treat the form's first line
 *     as its own value. Each form's last line ends with a tail taken from
 *     the input (line breaks left out): what follows a value cannot save
 *     it. The secret is 12 letters and digits taken from the input, so it
 *     is no prose word and no key-shaped hex; a piece of it that the
 *     input or the forms' own text hold is not looked for. The line ends
 *     are CRLF for odd first bytes.
 *  4. fw_redact_field() gives a NUL-terminated, printable, valid UTF-8
 *     string shorter than its buffer; fw_text_clean() gives valid UTF-8
 *     without NUL or controls other than tab, LF and CR.
 * Everything is freed, so LeakSanitizer reports leaks as crashes.
 *
 * Build and run: `make fuzz`, `make fuzz-run-redact FUZZ_SECONDS=600`
 * (fuzz/Makefile.inc). Reproduce: fuzz/redact_fuzzer CRASH-FILE.
 */
#include "base/redact.h"
#include "base/util.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MARK FW_REDACTED
#define MARK_LEN (sizeof(FW_REDACTED) - 1)
#define SECRET_LEN 12
/* the length of a piece of the secret that must not survive */
#define PIECE 6
/* the most bytes of the input appended to each form's last line */
#define TAIL_MAX 24

/* The forms a secret is planted in, at '%'; '\n' becomes the line end
 * in use. */
static const char *const forms[] = {
	"api_key: %",
	"DD_API_KEY=%",
	"{\"password\": \"%\"}",
	"https://datadog:%@proxy:3128/",
	"password: |\n  %",
	"datadog-agent run --api-key % -c /etc/datadog-agent",
	"/opt/agent -password \"%\" --verbose",
	"[\"--token\", \"%\"]",
	"args:\n  - --app-key\n  - %",
	"curl -u datadog:% https://app.datadoghq.com",
	"<password>%</password>",
	"<apiKey>\n  %\n</apiKey>",
	"env:\n- name: DD_API_KEY\n  value: %",
	"{\"name\": \"DD_API_KEY\", \"value\": \"%\"}",
	"{\"value\": \"%\", \"name\": \"DD_APP_KEY\"}",
	"<property><name>fs.s3a.secret.key</name><value>%</value></property>",
	"Authorization: Basic %",
	"Proxy-Authorization: Digest %",
};

static void die(const char *what, const uint8_t *s, size_t n)
{
	fprintf(stderr, "redact_fuzzer: %s\n", what);
	fwrite(s, 1, n, stderr);
	fputc('\n', stderr);
	abort();
}

/* Where needle[0..k) first occurs in s[0..n), or NULL. */
static const char *find(const char *s, size_t n, const char *needle, size_t k)
{
	if (k == 0)
		return s;
	return memmem(s, n, needle, k);
}

/* Does the text in[0..n) match out[0..m) read as a pattern in which each
 * marker stands for any stretch? Anchored at both ends; the segments
 * between markers are matched leftmost first, which is exact for a
 * pattern whose only wildcard is "any stretch". */
static bool matches(const char *out, size_t m, const char *in, size_t n)
{
	const char *mk = find(out, m, MARK, MARK_LEN), *last, *seg, *at;
	size_t head, tail, lo, hi;

	if (!mk)
		return m == n && memcmp(out, in, n) == 0;
	/* the first segment is a prefix, the last a suffix */
	head = (size_t)(mk - out);
	for (last = mk; (at = find(last + MARK_LEN, m - (size_t)(last + MARK_LEN - out),
				     MARK, MARK_LEN)); last = at)
		;
	tail = m - (size_t)(last + MARK_LEN - out);
	if (head + tail > n || memcmp(in, out, head) ||
	    memcmp(in + n - tail, last + MARK_LEN, tail))
		return false;
	lo = head;
	hi = n - tail;
	/* the segments between the first and the last marker, in order */
	for (seg = mk + MARK_LEN; seg < last + MARK_LEN;) {
		const char *next = find(seg, m - (size_t)(seg - out), MARK, MARK_LEN);
		size_t len = (size_t)(next - seg);
		const char *hit = find(in + lo, hi - lo, seg, len);

		if (!hit)
			return false;
		lo = (size_t)(hit - in) + len;
		seg = next + MARK_LEN;
	}
	return true;
}

/* Valid UTF-8 without NUL, C0 (but the allowed ones), DEL or C1? */
static bool clean_text(const char *s, size_t n, const char *allowed)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t l = fw_utf8_decode(p + i, n - i, &cp);

		if (!l || (cp < 0x20 && !(cp && strchr(allowed, (int)cp))) ||
		    (cp >= 0x7f && cp <= 0x9f))
			return false;
		i += l;
	}
	return true;
}

/* Checks 1 and 2 on s[0..n). */
static void check_copy(const char *s, size_t n)
{
	size_t n1, n2;
	char *r1 = fw_redact(s, n, &n1), *r2;
	struct fw_buf b;

	if (!r1)
		die("fw_redact failed", (const uint8_t *)s, n);
	if (!matches(r1, n1, s, n))
		die("output is not the input with stretches replaced", (const uint8_t *)r1, n1);
	fw_buf_init(&b);
	fw_buf_putn(&b, s, n);
	fw_redact_buf(&b);
	if (b.failed || b.len != n1 || (n1 && memcmp(b.data, r1, n1)))
		die("fw_redact_buf differs from fw_redact", (const uint8_t *)s, n);
	fw_buf_free(&b);
	if (!(r2 = fw_redact(r1, n1, &n2)))
		die("fw_redact failed (second pass)", (const uint8_t *)r1, n1);
	if (!matches(r2, n2, r1, n1))
		die("second pass is not the first with stretches replaced", (const uint8_t *)r2, n2);
	free(r2);
	free(r1);
}

/* Does a piece of the secret show in out[0..n)? Pieces that the input
 * data or the forms' text hold are not looked for. */
static bool piece_survives(const char *out, size_t n, const char *secret,
			   const uint8_t *data, size_t size)
{
	for (size_t i = 0; i + PIECE <= SECRET_LEN; i++) {
		const char *w = secret + i;
		bool ours = memmem(data, size, w, PIECE) != NULL;

		for (size_t f = 0; !ours && f < sizeof(forms) / sizeof(forms[0]); f++)
			ours = memmem(forms[f], strlen(forms[f]), w, PIECE) != NULL;
		if (!ours && memmem(out, n, w, PIECE))
			return true;
	}
	return false;
}

/* Check 3: every form, holding a secret made from the input, between its
 * halves. */
static void check_planted(const uint8_t *data, size_t size)
{
	static const char alnum[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	const char *nl = size && (data[0] & 1) ? "\r\n" : "\n";
	size_t half = size / 2, nll = strlen(nl), n, tail = 0;
	char secret[SECRET_LEN + 1], tailbuf[TAIL_MAX], *out;
	struct fw_buf in;

	/* the tail: the input's bytes after its first, up to a line break */
	for (size_t i = 1; i < size && tail < TAIL_MAX && data[i] != '\n' && data[i] != '\r'; i++)
		tailbuf[tail++] = (char)data[i];

	/* S from the input's last bytes; 'Q' at both ends keeps it from
	 * starting with a letter sequence of a prose word or a hex run */
	for (size_t i = 0; i < SECRET_LEN; i++) {
		uint8_t c = size > i ? data[size - 1 - i] : (uint8_t)i;
		secret[i] = alnum[c % (sizeof(alnum) - 1)];
	}
	secret[0] = secret[SECRET_LEN - 1] = 'Q';
	secret[SECRET_LEN] = 0;
	if (memmem(data, size, secret, SECRET_LEN))
		return;
	fw_buf_init(&in);
	fw_buf_putn(&in, (const char *)data, half);
	for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
		fw_buf_putn(&in, nl, nll);
		fw_buf_putc(&in, '#');
		fw_buf_putn(&in, nl, nll);
		for (const char *p = forms[f]; *p; p++) {
			if (*p == '\n')
				fw_buf_putn(&in, nl, nll);
			else if (*p == '%')
				fw_buf_putn(&in, secret, SECRET_LEN);
			else
				fw_buf_putc(&in, *p);
		}
		fw_buf_putn(&in, tailbuf, tail);
	}
	fw_buf_putn(&in, nl, nll);
	fw_buf_putc(&in, '#');
	fw_buf_putn(&in, nl, nll);
	fw_buf_putn(&in, (const char *)data + half, size - half);
	if (in.failed)
		die("out of memory", data, size);
	if (!(out = fw_redact(in.data, in.len, &n)))
		die("fw_redact failed", data, size);
	if (memmem(out, n, secret, SECRET_LEN) || piece_survives(out, n, secret, data, size))
		die("a planted secret survived", (const uint8_t *)out, n);
	check_copy(in.data, in.len);
	free(out);
	fw_buf_free(&in);
}

/* Check 4. */
static void check_fields(const uint8_t *data, size_t size)
{
	char field[257];
	size_t dstsz = size ? (size_t)data[0] % sizeof(field) + 1 : 1, n;
	bool cut;
	char *c;

	if (fw_redact_field(field, dstsz, (const char *)data, size) < 0)
		die("fw_redact_field failed", data, size);
	n = strnlen(field, dstsz);
	if (n >= dstsz || !clean_text(field, n, ""))
		die("fw_redact_field: not a printable string of the buffer's size",
		    (const uint8_t *)field, n);
	if (!(c = fw_text_clean((const char *)data, size, &n, &cut)))
		die("fw_text_clean failed", data, size);
	if (n > size || c[n] != 0 || !clean_text(c, n, "\t\n\r") ||
	    cut != (memchr(data, 0, size) != NULL))
		die("fw_text_clean: not clean text", (const uint8_t *)c, n);
	free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_copy((const char *)data, size);
	check_planted(data, size);
	check_fields(data, size);
	return 0;
}
