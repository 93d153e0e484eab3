/*
 * mdtext.c: flare strings made safe for Markdown (see mdtext.h), shared by
 * the report (write_markdown.c) and the flare comparison (write_compare.c).
 */
#include "investigate/mdtext.h"
#include "base/outtext.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Appends one character of prepared text, or a visible escape ("\x1b",
 * "\u202e") when fw_cp_unsafe() or invalid UTF-8; returns its length. */
static size_t put_char_or_escape(struct fw_buf *b, const char *s, size_t n)
{
	uint32_t cp;
	size_t l = fw_utf8_decode(s, n, &cp);

	if (l == 0) {
		fw_buf_put_escape(b, (unsigned char)s[0], true);
		return 1;
	}
	if (fw_cp_unsafe(cp))
		fw_buf_put_escape(b, cp, false);
	else
		fw_buf_putn(b, s, l);
	return l;
}

/* The longest run of backticks in s[0..n). */
size_t fw_md_longest_backticks(const char *s, size_t n)
{
	size_t run = 0, longest = 0;

	for (size_t i = 0; i < n; i++) {
		run = s[i] == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	return longest;
}

/* A code span of prepared text that no content can break: unsafe characters
 * escaped, `|` escaped for tables, "…(N bytes cut)" inside, and a fence
 * longer than any backtick run of what it holds (CommonMark). Empty content
 * gives "` `", never "``". */
void fw_md_code_span(struct fw_buf *b, const char *s, size_t n, size_t cut)
{
	struct fw_buf in;
	size_t fence;
	bool pad;

	fw_buf_init(&in);
	for (size_t i = 0; i < n;) {
		if (s[i] == '|') {
			fw_buf_puts(&in, "\\|");
			i++;
		} else {
			i += put_char_or_escape(&in, s + i, n - i);
		}
	}
	fw_buf_put_cut(&in, cut);
	if (in.failed) {
		b->failed = true;
		fw_buf_free(&in);
		return;
	}
	if (in.len == 0) {
		/* "``" would open a span that a later "``" closes: a space instead */
		fw_buf_puts(b, "` `");
		fw_buf_free(&in);
		return;
	}
	fence = fw_md_longest_backticks(in.data, in.len) + 1;
	pad = in.data[0] == '`' || in.data[in.len - 1] == '`' || in.data[0] == ' ';
	for (size_t i = 0; i < fence; i++)
		fw_buf_putc(b, '`');
	if (pad)
		fw_buf_putc(b, ' ');
	fw_buf_putn(b, fw_buf_str(&in), in.len);
	if (pad)
		fw_buf_putc(b, ' ');
	for (size_t i = 0; i < fence; i++)
		fw_buf_putc(b, '`');
	fw_buf_free(&in);
}

/* Markdown text of prepared text: punctuation that could start emphasis,
 * code, links, HTML, entities or table cells is backslash-escaped, and so
 * are the ':' of "scheme://" and the '.' of "www." (GFM's bare-URL
 * autolinks); unsafe characters are escaped; "…(N bytes cut)" after. */
void fw_md_text_escaped(struct fw_buf *b, const char *s, size_t n, size_t cut)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		bool esc = c && strchr("\\`*_[]<>|&~@", c);

		if (c == ':' && i + 2 < n && s[i + 1] == '/' && s[i + 2] == '/')
			esc = true;
		if (c == '.' && i >= 3 && strncasecmp(s + i - 3, "www", 3) == 0)
			esc = true;
		if (esc) {
			fw_buf_putc(b, '\\');
			fw_buf_putc(b, (char)c);
			i++;
		} else {
			i += put_char_or_escape(b, s + i, n - i);
		}
	}
	fw_buf_put_cut(b, cut);
}

/* Text inside the escalation fence: shown as is, except unsafe characters
 * (escaped, so no newline or ESC gets through) and the cut marker. */
void fw_md_fence_text(struct fw_buf *b, const char *s, size_t n, size_t cut)
{
	for (size_t i = 0; i < n;)
		i += put_char_or_escape(b, s + i, n - i);
	fw_buf_put_cut(b, cut);
}

/* Runs emit on raw redacted and cut to max bytes. */
static void prepared(struct fw_buf *b, const char *raw, size_t max,
		     void (*emit)(struct fw_buf *, const char *, size_t, size_t))
{
	size_t n, cut;
	char *s = fw_out_prepare(raw, strlen(raw), max, &n, &cut);

	if (!s) {
		b->failed = true;
		return;
	}
	emit(b, s, n, cut);
	free(s);
}

/* A name from the flare as a code span (FW_OUT_NAME_MAX). */
void fw_md_code(struct fw_buf *b, const char *raw)
{
	prepared(b, raw, FW_OUT_NAME_MAX, fw_md_code_span);
}

/* A message or error as a code span (FW_OUT_TEXT_MAX). */
void fw_md_code_text(struct fw_buf *b, const char *raw)
{
	prepared(b, raw, FW_OUT_TEXT_MAX, fw_md_code_span);
}

/* Plain text from the flare: redacted, Markdown punctuation escaped. */
void fw_md_text(struct fw_buf *b, const char *raw)
{
	prepared(b, raw, FW_OUT_NAME_MAX, fw_md_text_escaped);
}

/* Text composed around flare strings (summaries, notes; FW_OUT_TEXT_MAX). */
void fw_md_text_long(struct fw_buf *b, const char *raw)
{
	prepared(b, raw, FW_OUT_TEXT_MAX, fw_md_text_escaped);
}

/* Reasons we composed with names in single backticks: redacted whole, cut
 * to FW_OUT_TEXT_MAX, then each backtick-delimited part becomes a code span
 * and the rest Markdown text, so whatever a name holds renders as text. */
void fw_md_composed(struct fw_buf *b, const char *raw)
{
	size_t n, cut;
	char *s = fw_out_prepare(raw, strlen(raw), FW_OUT_TEXT_MAX, &n, &cut);
	const char *p, *end, *open, *close;

	if (!s) {
		b->failed = true;
		return;
	}
	for (p = s, end = s + n; p < end;) {
		open = memchr(p, '`', (size_t)(end - p));
		close = open ? memchr(open + 1, '`', (size_t)(end - open - 1)) : NULL;
		if (!close) {
			fw_md_text_escaped(b, p, (size_t)(end - p), 0);
			break;
		}
		fw_md_text_escaped(b, p, (size_t)(open - p), 0);
		fw_md_code_span(b, open + 1, (size_t)(close - open - 1), 0);
		p = close + 1;
	}
	fw_buf_put_cut(b, cut);
	free(s);
}

/* Composed text inside the escalation fence (FW_OUT_TEXT_MAX). */
void fw_md_fence_composed(struct fw_buf *b, const char *raw)
{
	prepared(b, raw, FW_OUT_TEXT_MAX, fw_md_fence_text);
}

/* A name inside the escalation fence (FW_OUT_NAME_MAX). */
void fw_md_fence_name(struct fw_buf *b, const char *raw)
{
	prepared(b, raw, FW_OUT_NAME_MAX, fw_md_fence_text);
}
