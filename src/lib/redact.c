/*
 * redact.c: a hand-written, single-pass secret redactor (see redact.h for
 * the rules) and the printable-field helper built on it.
 *
 * The scanner walks the input once. At each byte it tries, in order: a PEM
 * block, a "://" URL authority, the start of a [A-Za-z0-9_-] run (secret
 * key or "Bearer"), the start of an alphanumeric run (32/40 hex). A rule
 * looks ahead either over bytes it then consumes, or over a stretch that
 * no other look-ahead shares (the blanks after a key, one URL authority,
 * one token, the line after a block key), so each byte is looked at a
 * bounded number of times and the total work is linear.
 *
 * Text is only ever copied or replaced in order: s[0..done) is written,
 * and a rule that declines (returns 0) must not have replaced anything.
 */
#include "redact.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define RED_LEN (sizeof(FW_REDACTED) - 1)
/* Keys longer than this are not treated as setting names. */
#define KEY_MAX 128

static bool is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

static bool is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static bool is_keych(unsigned char c)
{
	return is_alnum(c) || c == '_' || c == '-';
}

static bool is_hspace(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static bool is_lower(unsigned char c)
{
	return c >= 'a' && c <= 'z';
}

static unsigned char to_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

static bool has_prefix(const char *s, size_t n, const char *p)
{
	size_t pl = strlen(p);
	return n >= pl && memcmp(s, p, pl) == 0;
}

static bool has_suffix(const char *s, size_t n, const char *suf)
{
	size_t sl = strlen(suf);
	return n >= sl && memcmp(s + n - sl, suf, sl) == 0;
}

/* Is s[0..n), a maximal [A-Za-z0-9_-] run, the name of a secret setting? */
static bool key_is_secret(const char *s, size_t n)
{
	static const char *const exact[] = {
		"api_key", "app_key", "apikey", "appkey", "authkey", "privkey",
		"password", "passwd", "pwd", "token", "secret",
	};
	static const char *const suffix[] = {
		"_key", "_token", "_secret", "_pwd", "password", "passwd",
	};
	static const char *const camel[] = { "Key", "Token", "Secret" };
	char k[KEY_MAX];
	size_t m;
	unsigned char last;

	/* every secret name ends in y, n, t or d (key, token, secret, pwd...) */
	if (n == 0 || n > KEY_MAX)
		return false;
	last = to_lower((unsigned char)s[n - 1]);
	if (last != 'y' && last != 'n' && last != 't' && last != 'd')
		return false;
	while (n && (*s == '-' || *s == '_')) {
		s++;
		n--;
	}
	if (n == 0 || n > KEY_MAX)
		return false;
	for (m = 0; m < n; m++)
		k[m] = s[m] == '-' ? '_' : (char)to_lower((unsigned char)s[m]);
	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (strlen(exact[i]) == n && memcmp(k, exact[i], n) == 0)
			return true;
	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++)
		if (has_suffix(k, n, suffix[i]))
			return true;
	for (size_t i = 0; i < sizeof(camel) / sizeof(camel[0]); i++) {
		size_t cl = strlen(camel[i]);
		if (n > cl && has_suffix(s, n, camel[i]) &&
		    (is_lower((unsigned char)s[n - cl - 1]) ||
		     (s[n - cl - 1] >= '0' && s[n - cl - 1] <= '9')))
			return true;
	}
	return false;
}

struct red {
	const char *s;
	size_t n;
	size_t done; /* s[0..done) has been written to out */
	bool replaced; /* out ends with a marker if done has not moved since */
	struct fw_buf *out;
};

/* Writes the input up to a, then the marker in place of s[a..b). Two
 * replaced stretches that touch share one marker, as a second pass would
 * see them. */
static void replace(struct red *r, size_t a, size_t b)
{
	if (!(r->replaced && a == r->done)) {
		fw_buf_putn(r->out, r->s + r->done, a - r->done);
		fw_buf_putn(r->out, FW_REDACTED, RED_LEN);
	}
	r->replaced = true;
	r->done = b;
}

/* Applies the 32/40-hex rule to s[a..b), a stretch some other rule is
 * about to skip over (a key name, a URL user name). */
static void hex_runs(struct red *r, size_t a, size_t b)
{
	size_t i = a;

	while (i < b) {
		size_t k = i;
		bool hex = true;

		if (!is_alnum((unsigned char)r->s[i])) {
			i++;
			continue;
		}
		while (k < b && is_alnum((unsigned char)r->s[k])) {
			if (!is_hex((unsigned char)r->s[k]))
				hex = false;
			k++;
		}
		/* bounded on both sides by non-alphanumerics (b is one) */
		if (hex && (k - i == 32 || k - i == 40) &&
		    (i == 0 || !is_alnum((unsigned char)r->s[i - 1])))
			replace(r, i, k);
		i = k;
	}
}

static size_t line_end(const struct red *r, size_t p)
{
	const char *nl = memchr(r->s + p, '\n', r->n - p);
	return nl ? (size_t)(nl - r->s) : r->n;
}

/* "-----BEGIN " at i: returns the end of the block. */
static size_t pem_end(const struct red *r, size_t i)
{
	static const char end[] = "-----END ";
	size_t p = i + 11, e;

	for (; p + sizeof(end) - 1 <= r->n; p++) {
		if (r->s[p] != '-' || memcmp(r->s + p, end, sizeof(end) - 1))
			continue;
		/* the closing dashes of the END line, else its end */
		for (e = p + sizeof(end) - 1; e < r->n && r->s[e] != '\n'; e++)
			if (r->s[e] == '-' && e + 5 <= r->n &&
			    memcmp(r->s + e, "-----", 5) == 0)
				return e + 5;
		return e;
	}
	return r->n;
}

static bool is_pem(const struct red *r, size_t p);

/* At p in a URL authority: the end of a PEM block or of an earlier
 * "[REDACTED]" that starts there (both are opaque: a second pass sees the
 * one where the first saw the other), or p. */
static size_t url_opaque(const struct red *r, size_t p)
{
	if (is_pem(r, p))
		return pem_end(r, p);
	if (r->s[p] == '[' && has_prefix(r->s + p, r->n - p, FW_REDACTED))
		return p + RED_LEN;
	return p;
}

/* "://" at i. Returns where to continue. */
static size_t do_url(struct red *r, size_t i)
{
	const char *s = r->s;
	size_t a = i + 3, j, at = 0, colon, o;
	bool have_at = false;

	for (j = a; j < r->n; j++) {
		unsigned char c = (unsigned char)s[j];

		if ((o = url_opaque(r, j)) > j) {
			j = o - 1;
			continue;
		}
		if (c == '/' || c == '?' || c == '#' || c <= ' ' || c == '"' ||
		    c == '\'' || c == '<' || c == '>' || c == '`' || c == 0x7f ||
		    c == '[' || c == ']')
			break;
		if (c == '@') {
			at = j;
			have_at = true;
		}
	}
	if (!have_at)
		return a;
	for (colon = a; colon < at && s[colon] != ':'; colon++)
		if ((o = url_opaque(r, colon)) > colon)
			colon = o - 1;
	if (colon + 1 >= at)
		return a; /* no password (or an empty one) */
	/* the user name is skipped: redact what it holds */
	for (j = a; j < colon;) {
		if (is_pem(r, j)) {
			o = pem_end(r, j);
			replace(r, j, o);
			j = o;
		} else if (is_alnum((unsigned char)s[j])) {
			for (o = j; o < colon && is_alnum((unsigned char)s[o]); o++)
				;
			hex_runs(r, j, o);
			j = o;
		} else {
			j++;
		}
	}
	replace(r, colon + 1, at);
	return at;
}

/* A YAML block scalar indicator (|, >-, |2+ ...) alone on its line? */
static bool is_block_indicator(const char *s, size_t n)
{
	size_t i = 1;

	if (n == 0 || (s[0] != '|' && s[0] != '>'))
		return false;
	for (int k = 0; k < 2 && i < n; k++)
		if (s[i] == '+' || s[i] == '-' || (s[i] >= '1' && s[i] <= '9'))
			i++;
	while (i < n && is_hspace((unsigned char)s[i]))
		i++;
	return i == n || s[i] == '#';
}

/* The key line ended at e (on '\n' or at the end) and its value is a block
 * scalar whose key starts at column col: redact the more-indented lines
 * that follow. Returns where to continue. */
static size_t do_block(struct red *r, size_t e, size_t col)
{
	size_t p = e, first = 0, last = 0;
	bool any = false;

	while (p < r->n) {
		size_t ls = p + 1, q = ls, le;

		if (ls > r->n)
			break;
		le = line_end(r, ls);
		while (q < le && r->s[q] == ' ')
			q++;
		if (q < le && r->s[q] != '\r') {
			if (q - ls <= col)
				break;
			if (!any)
				first = q;
			any = true;
			last = le;
			if (last > first && r->s[last - 1] == '\r')
				last--;
		}
		p = le;
		if (p >= r->n)
			break;
	}
	if (!any)
		return e;
	replace(r, first, last);
	return last;
}

static bool is_pem(const struct red *r, size_t p)
{
	return r->s[p] == '-' && has_prefix(r->s + p, r->n - p, "-----BEGIN ");
}

/* The first "-----BEGIN " that starts in s[a..b), or b. */
static size_t pem_in(const struct red *r, size_t a, size_t b)
{
	for (size_t p = a; p < b; p++)
		if (is_pem(r, p))
			return p;
	return b;
}

/* The column of the key starting at s[i] (of its opening quote, if any).
 * Called at most once per line: the key's line ends right after it. */
static size_t key_col(const char *s, size_t i)
{
	size_t ls = i, col;

	while (ls > 0 && s[ls - 1] != '\n')
		ls--;
	col = i - ls;
	if (col > 0 && (s[i - 1] == '"' || s[i - 1] == '\''))
		col--;
	return col;
}

/* The start of a key-like run s[i..k). Returns where to continue, or 0 if
 * the run is not a secret setting followed by its value. */
static size_t do_key(struct red *r, size_t i, size_t k)
{
	const char *s = r->s;
	size_t n = r->n, p = k, v, e, a, b, ret;
	bool closed = false;
	char sep, q;

	if (p < n && (s[p] == '"' || s[p] == '\''))
		p++;
	while (p < n && is_hspace((unsigned char)s[p]))
		p++;
	if (p >= n || (s[p] != ':' && s[p] != '='))
		return 0;
	if (!key_is_secret(s + i, k - i))
		return 0;
	sep = s[p++];
	/* "::", "==", ":=" and "://" are not assignments */
	if (p < n && (s[p] == sep || s[p] == '=' || (sep == ':' && s[p] == '/')))
		return 0;
	while (p < n && is_hspace((unsigned char)s[p]))
		p++;
	v = p;
	/* Past each "return 0" nothing may have been replaced: the caller
	 * then scans the key itself. Once handled, the key is skipped, so
	 * its 32/40-hex parts are redacted here (hex_runs). */
	if (v >= n || s[v] == '\n' || s[v] == '\r') {
		if (sep == '=')
			return 0; /* "key=" and nothing */
		/* "key:" alone: what is indented under it is its value */
		hex_runs(r, i, k);
		return do_block(r, line_end(r, v), key_col(s, i));
	}
	/* The value's end is searched for with any PEM block inside it
	 * skipped whole: it is part of the value (and its body is never
	 * left behind because the value's end came first). */
	q = s[v];
	if (q == '"' || q == '\'') {
		a = v + 1;
		for (e = a; e < n && s[e] != '\n' && s[e] != q; e++) {
			if (is_pem(r, e))
				e = pem_end(r, e) - 1;
			else if (q == '"' && s[e] == '\\' && e + 1 < n && s[e + 1] != '\n')
				e++;
		}
		closed = e < n && s[e] == q;
		b = e;
		if (!closed && b > a && s[b - 1] == '\r')
			b--;
		ret = closed ? e + 1 : b;
	} else if (sep == '=') {
		a = v;
		for (e = v; e < n; e++) {
			unsigned char c = (unsigned char)s[e];
			if (is_pem(r, e)) {
				e = pem_end(r, e) - 1;
				continue;
			}
			if (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
			    c == '\v' || c == '\f' || c == '&' || c == '"' ||
			    c == '\'' || c == '`')
				break;
		}
		if (e == v)
			return 0;
		b = ret = e;
	} else {
		/* "key: value": the rest of the line, less trailing blanks */
		size_t le;

		for (le = v; le < n && s[le] != '\n'; le++)
			if (is_pem(r, le))
				le = pem_end(r, le) - 1;
		a = v;
		b = le;
		while (b > a && (is_hspace((unsigned char)s[b - 1]) || s[b - 1] == '\r'))
			b--;
		if (is_block_indicator(s + a, b - a)) {
			hex_runs(r, i, k);
			hex_runs(r, a, b); /* a trailing comment */
			return do_block(r, le, key_col(s, i));
		}
		ret = b;
	}
	hex_runs(r, i, k);
	if (b > a || closed)
		replace(r, a, b);
	return ret;
}

/* "Bearer" run ending at k: redact the token after it. Returns where to
 * continue, or 0. */
static size_t do_bearer(struct red *r, size_t k)
{
	const char *s = r->s;
	size_t p = k, t, e;
	bool nonletter = false;

	while (p < r->n && is_hspace((unsigned char)s[p]))
		p++;
	if (p == k)
		return 0;
	for (t = e = p; e < r->n; e++) {
		unsigned char c = (unsigned char)s[e];
		if (!is_alnum(c) && !strchr("-._~+/=", c))
			break;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			nonletter = true;
	}
	if (e == t || (e - t < 16 && !nonletter))
		return 0;
	e = pem_in(r, t, e);
	if (e == t)
		return 0;
	replace(r, t, e);
	return e;
}

static bool ci_equal(const char *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);

	if (n != l)
		return false;
	for (size_t i = 0; i < n; i++)
		if (to_lower((unsigned char)s[i]) != (unsigned char)lit[i])
			return false;
	return true;
}

static void redact_into(const char *s, size_t n, struct fw_buf *out)
{
	struct red r = { .s = s, .n = n, .done = 0, .replaced = false, .out = out };
	size_t i = 0, run_end = 0; /* end of the last key-like run examined */

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		/* Right after a replacement the output shows "]": treat it as
		 * a boundary, so that a second pass sees what the first did.
		 * Not inside a key-like run already examined from its start
		 * (a hex key replaced within it): examining the rest again
		 * would cost time quadratic in the run's length. */
		bool fresh = i == 0 || (i == r.done && i >= run_end);

		if (c == '-' && is_pem(&r, i)) {
			size_t e = pem_end(&r, i);
			replace(&r, i, e);
			i = e;
			continue;
		}
		if (c == ':' && i + 2 < n && s[i + 1] == '/' && s[i + 2] == '/') {
			i = do_url(&r, i);
			continue;
		}
		if (is_keych(c) && (fresh || !is_keych((unsigned char)s[i - 1]))) {
			size_t k = i, next;

			while (k < n && is_keych((unsigned char)s[k]))
				k++;
			run_end = k;
			next = do_key(&r, i, k);
			if (!next && ci_equal(s + i, k - i, "bearer"))
				next = do_bearer(&r, k);
			if (next) {
				i = next;
				continue;
			}
		}
		if (is_alnum(c) && (fresh || !is_alnum((unsigned char)s[i - 1]))) {
			size_t k = i;
			bool hex = true;

			while (k < n && is_alnum((unsigned char)s[k])) {
				if (!is_hex((unsigned char)s[k]))
					hex = false;
				k++;
			}
			if (hex && (k - i == 32 || k - i == 40))
				replace(&r, i, k);
			i = k;
			continue;
		}
		i++;
	}
	fw_buf_putn(out, s + r.done, n - r.done);
}

char *fw_redact(const char *s, size_t len, size_t *outlen)
{
	struct fw_buf b;

	fw_buf_init(&b);
	if (len)
		redact_into(s, len, &b);
	/* an empty result still needs its NUL */
	if (!b.failed && !b.data)
		fw_buf_putn(&b, "", 0);
	if (b.failed || !b.data) {
		fw_buf_free(&b);
		return NULL;
	}
	if (outlen)
		*outlen = b.len;
	return b.data;
}

void fw_redact_buf(struct fw_buf *b)
{
	struct fw_buf out;

	if (b->failed) {
		if (b->data && b->cap)
			memset(b->data, 0, b->cap);
		b->len = 0;
		return;
	}
	if (!b->len)
		return;
	fw_buf_init(&out);
	redact_into(b->data, b->len, &out);
	if (out.failed) {
		fw_buf_free(&out);
		memset(b->data, 0, b->cap);
		b->len = 0;
		b->failed = true;
		return;
	}
	free(b->data);
	*b = out;
}

/* Length of the valid UTF-8 sequence at s (n > 0 bytes left) and its code
 * point, or 0 for an invalid one. */
static size_t utf8_decode(const unsigned char *s, size_t n, unsigned *cpp)
{
	unsigned char c = s[0];
	size_t len;
	unsigned cp;

	if (c < 0x80) {
		*cpp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*cpp = cp;
	return len;
}

char *fw_text_clean(const char *s, size_t len, size_t *outlen, bool *nul_cut)
{
	const unsigned char *p = (const unsigned char *)s;
	const char *nul = len ? memchr(s, 0, len) : NULL;
	size_t n = nul ? (size_t)(nul - s) : len, i = 0, o = 0;
	char *out = malloc(n + 1);

	if (!out)
		return NULL;
	if (nul_cut)
		*nul_cut = nul != NULL;
	while (i < n) {
		unsigned cp;
		size_t l = utf8_decode(p + i, n - i, &cp);

		if (l == 0 || (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
		    (cp >= 0x7f && cp <= 0x9f) || cp == 0xfffe || cp == 0xffff) {
			out[o++] = '?';
			i += l ? l : 1;
			continue;
		}
		memcpy(out + o, p + i, l);
		o += l;
		i += l;
	}
	out[o] = 0;
	if (outlen)
		*outlen = o;
	return out;
}

int fw_redact_field(char *dst, size_t dstsz, const char *src, size_t len)
{
	const unsigned char *p;
	size_t rlen, i = 0, o = 0;
	char *red;

	if (!dstsz)
		return 0;
	dst[0] = 0;
	red = fw_redact(src, len, &rlen);
	if (!red)
		return -ENOMEM;
	p = (const unsigned char *)red;
	while (i < rlen && o + 1 < dstsz) {
		unsigned cp;
		size_t l = utf8_decode(p + i, rlen - i, &cp);

		if (l == 0 || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) {
			dst[o++] = (l == 1 && cp == '\t') ? ' ' : '?';
			i += l ? l : 1;
			continue;
		}
		if (o + l >= dstsz)
			break; /* would split a sequence: stop here */
		memcpy(dst + o, p + i, l);
		o += l;
		i += l;
	}
	dst[o] = 0;
	free(red);
	return 0;
}
