/*
 * html.h: the HTML of the investigations site (index.html, report.html, the
 * host pages): hostile text escaped for HTML, relative links that cannot
 * become another scheme, and the page frame.
 *
 * Every string from a flare goes through fw_html_text() or fw_html_attr():
 * prepared like outtext.h does (redacted, cut to max at a character
 * boundary, then "…(N bytes cut)"), each unsafe character or invalid byte
 * written as a visible escape ("\x1b", "\u202e"), and & < > " ' written as
 * character references, so that no flare text can open a tag, close an
 * attribute or start a character reference.
 *
 * A page is self-contained: fw_html_page_begin() writes a strict
 * Content-Security-Policy meta tag (default-src 'none'; the page's one
 * inline style and one inline script allowed by their sha256 hashes, never
 * 'unsafe-inline'; images only from data: URLs and the page's own files),
 * so an element that escaping missed still could not run a script, load a
 * resource or send a form. No external script, font or style. The pages
 * work from file:// and behind any web server.
 */
#ifndef FW_HTML_H
#define FW_HTML_H

#include <stddef.h>

#include "base/util.h"

/* Appends s (NULL: nothing) as HTML text content: prepared with max
 * (FW_OUT_NAME_MAX for a name, FW_OUT_TEXT_MAX for a text), unsafe
 * characters and invalid bytes as visible escapes, & < > " ' as character
 * references. Out of memory marks b failed. */
void fw_html_text(struct fw_buf *b, const char *s, size_t max);

/* The same for the value of a double-quoted attribute (title="...",
 * data-host="..."): the caller writes the quotes. Never for an href or src:
 * fw_html_href() writes those. */
void fw_html_attr(struct fw_buf *b, const char *s, size_t max);

/* Appends s[0..len) escaped as fw_html_text() does but neither redacted nor
 * cut: for text we composed that is already bounded (a report.md line being
 * rendered). Safe in text content and in a double-quoted attribute. */
void fw_html_escape(struct fw_buf *b, const char *s, size_t len);

/* Appends path, a path relative to the page ("leak/2024-10-02T14-21-52Z/
 * report.html", "heap.svg"), as the value of a double-quoted href or src
 * attribute: every byte but [A-Za-z0-9._~/-] percent-encoded (so no ':' can
 * make it a javascript: or other scheme), and "./" before a path starting
 * with '/' (so it cannot be absolute or protocol-relative). Out of memory
 * marks b failed. */
void fw_html_href(struct fw_buf *b, const char *path);

/*
 * Begins a page: doctype, <html lang="en">, <head> with the charset, the
 * Content-Security-Policy meta tag, the viewport, no referrer, <title>
 * (title escaped, capped at FW_OUT_TEXT_MAX), <style>css</style> and
 * <script>script</script>, then <body>. css and script are our own
 * constants (NULL: none, and style-src or script-src is 'none'); each is
 * allowed by the sha256 of its exact text. The script runs in <head>: it
 * waits for DOMContentLoaded before it touches the page. A css or script
 * holding "</" (which would end its element early) marks b failed.
 */
void fw_html_page_begin(struct fw_buf *b, const char *title, const char *css,
			const char *script);

/* Ends the page begun by fw_html_page_begin(): </body></html>. */
void fw_html_page_end(struct fw_buf *b);

/* The CSP source of text, "'sha256-BASE64'" (NUL-terminated), as the
 * Content-Security-Policy of fw_html_page_begin() names it. */
#define FW_HTML_CSP_HASH_LEN (8 + 44 + 1) /* 'sha256- base64 ' */
void fw_html_csp_hash(const char *text, char out[FW_HTML_CSP_HASH_LEN + 1]);

#endif
