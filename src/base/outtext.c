/*
 * outtext.c: flare strings bounded and redacted for the outputs, and the
 * plain-text escaper (see outtext.h).
 */
#include "base/outtext.h"

#include <stdlib.h>
#include <string.h>

#include "base/redact.h"

char *fw_out_prepare(const char *s, size_t len, size_t max, size_t *outlen, size_t *cut)
{
	size_t rlen, keep;
	char *r = fw_redact(s, len, &rlen);

	if (!r)
		return NULL;
	keep = fw_utf8_cut(r, rlen, max);
	r[keep] = 0;
	*outlen = keep;
	*cut = rlen - keep;
	return r;
}

void fw_out_plain(struct fw_buf *b, const char *s, size_t max)
{
	size_t len, cut;
	char *r;

	if (!s)
		return;
	if (!(r = fw_out_prepare(s, strlen(s), max, &len, &cut))) {
		b->failed = true;
		return;
	}
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t l = fw_utf8_decode(r + i, len - i, &cp);

		if (l == 0) {
			fw_buf_put_escape(b, (unsigned char)r[i], true);
			i++;
		} else if (fw_cp_unsafe(cp)) {
			fw_buf_put_escape(b, cp, false);
			i += l;
		} else {
			fw_buf_putn(b, r + i, l);
			i += l;
		}
	}
	fw_buf_put_cut(b, cut);
	free(r);
}

void fw_out_json(struct fw_buf *b, const char *s, size_t max)
{
	size_t len, cut;
	char *r;

	if (!s) {
		fw_buf_puts(b, "null");
		return;
	}
	if (!(r = fw_out_prepare(s, strlen(s), max, &len, &cut))) {
		b->failed = true;
		return;
	}
	fw_buf_putc(b, '"');
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = fw_utf8_decode(r + i, len - i, &cp);

		if (n == 0) {
			fw_buf_puts(b, "\\ufffd");
			i++;
			continue;
		}
		if (cp == '"' || cp == '\\') {
			fw_buf_putc(b, '\\');
			fw_buf_putc(b, (char)cp);
		} else if (fw_cp_unsafe(cp)) {
			fw_buf_printf(b, "\\u%04x", (unsigned)cp);
		} else {
			fw_buf_putn(b, r + i, n);
		}
		i += n;
	}
	fw_buf_put_cut(b, cut);
	fw_buf_putc(b, '"');
	free(r);
}
