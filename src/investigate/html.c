/*
 * html.c: HTML escaping, safe relative links and the self-contained page
 * frame with its Content-Security-Policy (see html.h).
 */
#include "investigate/html.h"

#include <stdlib.h>
#include <string.h>

#include "base/outtext.h"
#include "base/sha256.h"

/* Appends s[0..len) escaped: & < > " ' as references, each unsafe character
 * or invalid byte as a visible escape. */
static void escape(struct fw_buf *b, const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t l = fw_utf8_decode(s + i, len - i, &cp);

		if (l == 0) {
			fw_buf_put_escape(b, (unsigned char)s[i], true);
			i++;
			continue;
		}
		switch (cp) {
		case '&': fw_buf_puts(b, "&amp;"); break;
		case '<': fw_buf_puts(b, "&lt;"); break;
		case '>': fw_buf_puts(b, "&gt;"); break;
		case '"': fw_buf_puts(b, "&quot;"); break;
		case '\'': fw_buf_puts(b, "&#39;"); break;
		default:
			if (fw_cp_unsafe(cp))
				fw_buf_put_escape(b, cp, false);
			else
				fw_buf_putn(b, s + i, l);
		}
		i += l;
	}
}

void fw_html_escape(struct fw_buf *b, const char *s, size_t len)
{
	escape(b, s, len);
}

void fw_html_text(struct fw_buf *b, const char *s, size_t max)
{
	size_t len, cut;
	char *r;

	if (!s)
		return;
	if (!(r = fw_out_prepare(s, strlen(s), max, &len, &cut))) {
		b->failed = true;
		return;
	}
	escape(b, r, len);
	fw_buf_put_cut(b, cut);
	free(r);
}

void fw_html_attr(struct fw_buf *b, const char *s, size_t max)
{
	/* the same escaping: '"' and '\'' are references in both contexts */
	fw_html_text(b, s, max);
}

void fw_html_href(struct fw_buf *b, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";

	if (!path)
		return;
	if (path[0] == '/')
		fw_buf_puts(b, "./");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		unsigned char c = *p;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '~' ||
		    c == '/' || c == '-') {
			fw_buf_putc(b, (char)c);
		} else {
			fw_buf_putc(b, '%');
			fw_buf_putc(b, hex[c >> 4]);
			fw_buf_putc(b, hex[c & 15]);
		}
	}
}

void fw_html_csp_hash(const char *text, char out[FW_HTML_CSP_HASH_LEN + 1])
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint8_t d[FW_SHA256_LEN];
	size_t o = 0;

	fw_sha256(text, strlen(text), d);
	memcpy(out, "'sha256-", 8);
	o = 8;
	for (size_t i = 0; i < FW_SHA256_LEN; i += 3) {
		uint32_t v = (uint32_t)d[i] << 16;
		size_t n = FW_SHA256_LEN - i;

		if (n > 1)
			v |= (uint32_t)d[i + 1] << 8;
		if (n > 2)
			v |= d[i + 2];
		out[o++] = b64[(v >> 18) & 63];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = n > 1 ? b64[(v >> 6) & 63] : '=';
		out[o++] = n > 2 ? b64[v & 63] : '=';
	}
	out[o++] = '\'';
	out[o] = 0;
}

/* Appends "NAME-src HASH" (or 'none' for no text) to the policy. */
static void csp_source(struct fw_buf *b, const char *name, const char *text)
{
	char h[FW_HTML_CSP_HASH_LEN + 1];

	fw_buf_printf(b, "; %s-src ", name);
	if (!text) {
		fw_buf_puts(b, "'none'");
		return;
	}
	fw_html_csp_hash(text, h);
	fw_buf_puts(b, h);
}

void fw_html_page_begin(struct fw_buf *b, const char *title, const char *css,
			const char *script)
{
	if ((css && strstr(css, "</")) || (script && strstr(script, "</"))) {
		b->failed = true;
		return;
	}
	fw_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
		    "<meta charset=\"utf-8\">\n"
		    "<meta http-equiv=\"Content-Security-Policy\" content=\""
		    "default-src 'none'");
	csp_source(b, "style", css);
	csp_source(b, "script", script);
	fw_buf_puts(b, "; img-src data: 'self'; base-uri 'none'; form-action 'none'\">\n"
		    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		    "<meta name=\"referrer\" content=\"no-referrer\">\n<title>");
	fw_html_text(b, title ? title : "", FW_OUT_TEXT_MAX);
	fw_buf_puts(b, "</title>\n");
	if (css) {
		fw_buf_puts(b, "<style>");
		fw_buf_puts(b, css);
		fw_buf_puts(b, "</style>\n");
	}
	if (script) {
		fw_buf_puts(b, "<script>");
		fw_buf_puts(b, script);
		fw_buf_puts(b, "</script>\n");
	}
	fw_buf_puts(b, "</head>\n<body>\n");
}

void fw_html_page_end(struct fw_buf *b)
{
	fw_buf_puts(b, "</body>\n</html>\n");
}
