/*
 * test_html.c: src/investigate/html.c -- hostile text escaped for HTML text
 * and attributes (markup, quotes, control bytes, bidi controls, invalid
 * UTF-8, redaction and the cut), links percent-encoded so that no scheme or
 * absolute path can form, and the page frame: its Content-Security-Policy
 * names the sha256 of the inline style and script, checked against the
 * SHA-256 test vectors of FIPS 180-4 in base64 (as `python3 -c "import
 * hashlib,base64; print(base64.b64encode(hashlib.sha256(b'abc').digest()))"`
 * prints them).
 */
#include "../tap.h"

#include <stdlib.h>
#include <string.h>

#include "investigate/html.h"

static char *text(const char *s, size_t max)
{
	struct fw_buf b;

	fw_buf_init(&b);
	fw_html_text(&b, s, max);
	return fw_buf_take(&b);
}

static void check_text(const char *s, size_t max, const char *want, const char *what)
{
	char *got = text(s, max);

	TAP_EQ_STR(got ? got : "(null)", want, "fw_html_text: %s", what);
	free(got);
}

static void check_href(const char *s, const char *want)
{
	struct fw_buf b;
	char *got;

	fw_buf_init(&b);
	fw_html_href(&b, s);
	got = fw_buf_take(&b);
	TAP_EQ_STR(got ? got : "(null)", want, "fw_html_href(\"%s\")", s);
	free(got);
}

int main(void)
{
	struct fw_buf b;
	char h[FW_HTML_CSP_HASH_LEN + 1];
	const char *page;

	check_text("<script>alert(1)</script>", 100,
		   "&lt;script&gt;alert(1)&lt;/script&gt;", "a script tag is text");
	check_text("\"><img src=x onerror=alert(1)>", 100,
		   "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;", "an attribute break is text");
	check_text("a'b&amp;c", 100, "a&#39;b&amp;amp;c", "quote and ampersand");
	check_text("line\nnext\x1b[31m", 100, "line\\x0anext\\x1b[31m", "newline and ESC visible");
	check_text("abc\xe2\x80\xae" "cba", 100, "abc\\u202ecba", "bidi override visible");
	check_text("bad\xff\xc3(", 100, "bad\\xff\\xc3(", "invalid UTF-8 bytes visible");
	check_text("h\xc3\xa9llo", 100, "h\xc3\xa9llo", "valid UTF-8 kept");
	check_text("abcdefgh", 4, "abcd\xe2\x80\xa6(4 bytes cut)", "cut at max with the marker");
	check_text("\xc3\xa9\xc3\xa9", 3, "\xc3\xa9\xe2\x80\xa6(2 bytes cut)", "cut at a character boundary");
	check_text("api_key: 0123456789abcdef", 100, "api_key: [REDACTED]", "secrets redacted");
	check_text(NULL, 100, "", "NULL writes nothing");

	fw_buf_init(&b);
	fw_html_attr(&b, "x\" onmouseover=\"alert(1)", 100);
	TAP_EQ_STR(fw_buf_str(&b), "x&quot; onmouseover=&quot;alert(1)", "fw_html_attr escapes quotes");
	fw_buf_free(&b);

	fw_buf_init(&b);
	fw_html_escape(&b, "<b>\0x", 5);
	TAP_EQ_STR(fw_buf_str(&b), "&lt;b&gt;\\x00x", "fw_html_escape: NUL byte visible, length-bounded");
	fw_buf_free(&b);

	check_href("leak/2024-10-02T14-21-52Z/report.html", "leak/2024-10-02T14-21-52Z/report.html");
	check_href("javascript:alert(1)", "javascript%3Aalert%281%29");
	check_href("//evil.example/x", ".///evil.example/x");
	check_href("/etc/passwd", ".//etc/passwd");
	check_href("a\"b<c> d", "a%22b%3Cc%3E%20d");
	check_href("h\xc3\xa9", "h%C3%A9");

	fw_html_csp_hash("", h);
	TAP_EQ_STR(h, "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='", "CSP hash of \"\"");
	fw_html_csp_hash("abc", h);
	TAP_EQ_STR(h, "'sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='", "CSP hash of \"abc\"");

	fw_buf_init(&b);
	fw_html_page_begin(&b, "<x> & \"y\"", "abc", "");
	fw_buf_puts(&b, "<p>body</p>\n");
	fw_html_page_end(&b);
	page = fw_buf_str(&b);
	TAP_OK(!b.failed, "page written");
	TAP_OK(strncmp(page, "<!DOCTYPE html>\n", 16) == 0, "page starts with the doctype");
	TAP_OK(strstr(page, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
			    "style-src 'sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='; "
			    "script-src 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='; "
			    "img-src data: 'self'; base-uri 'none'; form-action 'none'\">") != NULL,
	       "CSP names the style's and the script's hashes");
	TAP_OK(strstr(page, "<title>&lt;x&gt; &amp; &quot;y&quot;</title>") != NULL, "title escaped");
	TAP_OK(strstr(page, "<style>abc</style>") && strstr(page, "<script></script>"),
	       "style and script inline");
	TAP_OK(strstr(page, "<p>body</p>\n</body>\n</html>\n") != NULL, "page ends the body and html");
	fw_buf_free(&b);

	fw_buf_init(&b);
	fw_html_page_begin(&b, "t", NULL, NULL);
	TAP_OK(strstr(fw_buf_str(&b), "style-src 'none'; script-src 'none'") != NULL,
	       "no style, no script: 'none'");
	TAP_OK(!strstr(fw_buf_str(&b), "<script") && !strstr(fw_buf_str(&b), "<style"),
	       "no style or script element");
	fw_buf_free(&b);

	fw_buf_init(&b);
	fw_html_page_begin(&b, "t", NULL, "x='</script><script>alert(1)'");
	TAP_OK(b.failed, "a script holding </ is refused");
	fw_buf_free(&b);

	return tap_done();
}
