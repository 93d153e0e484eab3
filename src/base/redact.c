/*
 * redact.c: a hand-written, single-pass secret redactor (see redact.h for
 * the rules) and the printable-field helper built on it.
 *
 * The scanner walks the input once. At each byte it tries, in order: a PEM
 * block, a "://" URL authority, the '>' ending the start tag of an element
 * noted at its name, the start of a [A-Za-z0-9_-] run (a setting's key, a
 * record's "name"/"value", a command-line flag, an element's name, or
 * "Bearer"), the start of an alphanumeric run (the key rule, key_run()). Every key-like
 * run is classified once, by key_kind().
 *
 * A rule looks ahead either over bytes it then consumes, or over a stretch
 * that no other look-ahead of its kind shares: the blanks after a key, one
 * URL authority, one token, the line after a block key, a start tag up to
 * the next '<', the stretch between a record's name and its value (each
 * byte once: pend_from only moves forward), a JSON record up to its '}'
 * and the next "</" (both cached, so that keys sharing the stretch share
 * the walk), the way back to a line's start (cached), and a stretch being
 * replaced, for the record names it holds (names_in(): bytes are replaced
 * once). So each byte is looked at a bounded number of times and the
 * total work is linear.
 *
 * Text is only ever copied or replaced in order: s[0..done) is written,
 * and a rule that declines (returns 0) must not have replaced anything.
 * Declining may leave state for later bytes (a record's secret name, an
 * element's start tag), never output.
 *
 * Over 1,000 lines: the rules share the scanner's state and its linear-time
 * look-ahead bookkeeping, so they stay in one file.
 */
#include "base/redact.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define RED_LEN (sizeof(FW_REDACTED) - 1)
/* Keys longer than this are not treated as setting names. */
#define KEY_MAX 128
/* An Authorization scheme ("Basic", "Digest") is a word of at most this
 * many letters; a longer one may be the credential itself. */
#define SCHEME_MAX 15
#define NOPOS SIZE_MAX

static bool is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

static bool is_letter(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
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

/* Any ASCII white space, the line breaks included. */
static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

static bool is_quote(unsigned char c)
{
	return c == '"' || c == '\'';
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

/* Does s[0..n) spell lit (lower case) in any case? */
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

/* What a key-like run (or the name a record gives) means to the redactor. */
enum key_kind {
	KEY_PLAIN,  /* nothing */
	KEY_SECRET, /* a secret setting: its value goes */
	KEY_AUTH,   /* an Authorization header: its value less the scheme */
	KEY_NAMING, /* "name" or "key": its value may name a secret setting */
	KEY_VALUE,  /* "value": a secret when its record's name is one */
	KEY_USER,   /* curl's -u/--user, -U/--proxy-user: user:password */
};

/* Is s[0..n) the name of a secret setting, or of an Authorization header?
 * s is a maximal [A-Za-z0-9_-] run, or the name a record gives ("name:
 * DD_API_KEY"), where '.' and '/' count as '_' (fs.s3a.secret.key,
 * /prod/api_key). */
static enum key_kind secret_kind(const char *s, size_t n)
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

	/* every secret name ends in y, n, t or d (key, token, secret, pwd,
	 * authorization...) */
	if (n == 0 || n > KEY_MAX)
		return KEY_PLAIN;
	last = to_lower((unsigned char)s[n - 1]);
	if (last != 'y' && last != 'n' && last != 't' && last != 'd')
		return KEY_PLAIN;
	while (n && (*s == '-' || *s == '_')) {
		s++;
		n--;
	}
	if (n == 0)
		return KEY_PLAIN;
	for (m = 0; m < n; m++)
		k[m] = (s[m] == '-' || s[m] == '.' || s[m] == '/')
			       ? '_' : (char)to_lower((unsigned char)s[m]);
	/* Authorization, Proxy-Authorization, X-Authorization */
	if (has_suffix(k, n, "authorization"))
		return KEY_AUTH;
	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (strlen(exact[i]) == n && memcmp(k, exact[i], n) == 0)
			return KEY_SECRET;
	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++)
		if (has_suffix(k, n, suffix[i]))
			return KEY_SECRET;
	for (size_t i = 0; i < sizeof(camel) / sizeof(camel[0]); i++) {
		size_t cl = strlen(camel[i]);
		if (n > cl && has_suffix(s, n, camel[i]) &&
		    (is_lower((unsigned char)s[n - cl - 1]) ||
		     (s[n - cl - 1] >= '0' && s[n - cl - 1] <= '9')))
			return KEY_SECRET;
	}
	return KEY_PLAIN;
}

/* The kind of the maximal [A-Za-z0-9_-] run s[0..n). */
static enum key_kind key_kind(const char *s, size_t n)
{
	/* only as flags: "u: x" and "user=bob" are ordinary settings */
	if ((n == 2 && s[0] == '-' && (s[1] == 'u' || s[1] == 'U')) ||
	    ci_equal(s, n, "--user") || ci_equal(s, n, "--proxy-user"))
		return KEY_USER;
	if (ci_equal(s, n, "name") || ci_equal(s, n, "key"))
		return KEY_NAMING;
	if (ci_equal(s, n, "value"))
		return KEY_VALUE;
	return secret_kind(s, n);
}

/* How far a record named by a secret key reaches (pend_in_scope()). */
enum rec_mode {
	REC_NONE,   /* no such record is open */
	REC_QUOTED, /* {"name": "DD_API_KEY", ...}: to the '}' */
	REC_PLAIN,  /* "- name: DD_API_KEY", {Name:X ...}, name=X: to the '}'
		     * or a line indented less than the "name" key */
	REC_XML,    /* <name>DD_API_KEY</name>: to the next naming key */
};

struct red {
	const char *s;
	size_t n;
	size_t done; /* s[0..done) has been written to out */
	bool replaced; /* out ends with a marker if done has not moved since */
	struct fw_buf *out;
	/* line_start() cache: s[lstart..lpos) holds no newline */
	size_t lstart, lpos;
	/* The open record whose name is a secret key (its "value" is then
	 * the secret): how far it reaches, the kind of its name, the column
	 * of its "name" key (REC_PLAIN) and how far its scope was checked. */
	enum rec_mode pend;
	enum key_kind pend_kind;
	size_t pend_col, pend_from;
	/* ahead_name() cache: from ahead_from to ahead_end (a '}' if
	 * ahead_closed, else the end), the last "name" key giving a secret
	 * name starts at ahead_last (NOPOS: none), of kind ahead_kind */
	size_t ahead_from, ahead_end, ahead_last;
	bool ahead_closed;
	enum key_kind ahead_kind;
	/* the '>' ending the start tag of an element of kind xml_kind */
	size_t xml_gt;
	enum key_kind xml_kind;
	/* next_close() cache: no "</" in s[close_from..close_at) */
	size_t close_from, close_at;
	/* quote_end() cache, per quote character: a quote in
	 * (unpaired_from, unpaired_to) has no partner on its line */
	size_t unpaired_from[2], unpaired_to[2];
};

static void names_in(struct red *r, size_t a, size_t b);

/* Writes the input up to a, then the marker in place of s[a..b). Two
 * replaced stretches that touch share one marker, as a second pass would
 * see them. */
static void replace(struct red *r, size_t a, size_t b)
{
	names_in(r, a, b);
	if (!(r->replaced && a == r->done)) {
		fw_buf_putn(r->out, r->s + r->done, a - r->done);
		fw_buf_putn(r->out, FW_REDACTED, RED_LEN);
	}
	r->replaced = true;
	r->done = b;
}

/* The key rule: does the alphanumeric run s[i..k) hold a key? It does
 * when one of its stretches of hex digits (as long as possible within the
 * run) is exactly 32 or 40 digits long, or longer than 32 with at least
 * one letter among them: a key glued to other hex or letters ("0x<key>",
 * "<key>9", "abc<key>") is then found, at the price of also redacting
 * long hex strings (SHA-256s, container ids). A longer stretch of decimal
 * digits only is a number. One pass over the run. */
static bool key_run(const char *s, size_t i, size_t k)
{
	size_t len = 0;
	bool letter = false;

	for (size_t p = i; p <= k; p++) {
		unsigned char c = p < k ? (unsigned char)s[p] : 0;

		if (p < k && is_hex(c)) {
			len++;
			letter = letter || !(c >= '0' && c <= '9');
			continue;
		}
		if (len == 32 || len == 40 || (len > 32 && letter))
			return true;
		len = 0;
		letter = false;
	}
	return false;
}

/* Applies the key rule to s[a..b), a stretch some other rule is about to
 * skip over (a key name, a URL user name). */
static void hex_runs(struct red *r, size_t a, size_t b)
{
	size_t i = a;

	while (i < b) {
		size_t k = i;

		if (!is_alnum((unsigned char)r->s[i])) {
			i++;
			continue;
		}
		while (k < b && is_alnum((unsigned char)r->s[k]))
			k++;
		/* bounded on both sides by non-alphanumerics (b is one) */
		if ((i == 0 || !is_alnum((unsigned char)r->s[i - 1])) && key_run(r->s, i, k))
			replace(r, i, k);
		i = k;
	}
}

static size_t line_end(const struct red *r, size_t p)
{
	const char *nl = memchr(r->s + p, '\n', r->n - p);
	return nl ? (size_t)(nl - r->s) : r->n;
}

/* The start of the line holding s[i]. The scanner asks with i never
 * decreasing, so with the cache the walks back cost linear time in all. */
static size_t line_start(struct red *r, size_t i)
{
	size_t p = i, stop = 0, ls = 0;

	if (i >= r->lpos) {
		stop = r->lpos;
		ls = r->lstart;
	}
	for (; p > stop; p--)
		if (r->s[p - 1] == '\n') {
			ls = p;
			break;
		}
	r->lpos = i;
	r->lstart = ls;
	return ls;
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

/* The column of the key starting at s[i] (of its opening quote, if any). */
static size_t key_col(struct red *r, size_t i)
{
	size_t col = i - line_start(r, i);

	if (col > 0 && is_quote((unsigned char)r->s[i - 1]))
		col--;
	return col;
}

/* The end of an unquoted value after '=' starting at v: white space, '&',
 * a quote or a backquote ends it; a PEM block inside it is part of it. */
static size_t eq_value_end(const struct red *r, size_t v)
{
	size_t e;

	for (e = v; e < r->n; e++) {
		unsigned char c = (unsigned char)r->s[e];
		if (is_pem(r, e)) {
			e = pem_end(r, e) - 1;
			continue;
		}
		if (is_space(c) || c == '&' || is_quote(c) || c == '`')
			break;
	}
	return e;
}

/* s[q] is a quote: the quote that closes it on its line before lim ('\\'
 * escapes within double quotes), or NOPOS. Used where a record's extent
 * is looked for, so that a '}' inside a string does not end it. A quote
 * without a partner makes the later ones of its kind on its line plain
 * characters, so no stretch is searched twice. */
static size_t quote_end(struct red *r, size_t q, size_t lim)
{
	const char *s = r->s;
	int w = s[q] == '"' ? 0 : 1;
	size_t e;

	if (q > r->unpaired_from[w] && q < r->unpaired_to[w])
		return NOPOS;
	for (e = q + 1; e < lim && s[e] != '\n'; e++) {
		if (s[e] == s[q])
			return e;
		if (w == 0 && s[e] == '\\' && e + 1 < lim && s[e + 1] != '\n')
			e++;
	}
	r->unpaired_from[w] = q;
	r->unpaired_to[w] = e;
	return NOPOS;
}

/* The name a record gives at s[p] ("name: DD_API_KEY", quoted or not) as
 * a key: KEY_SECRET, KEY_AUTH or KEY_PLAIN. *end is where the name ends
 * (past its closing quote). */
static enum key_kind name_kind(const struct red *r, size_t p, size_t *end)
{
	const char *s = r->s;
	size_t t = p, e;
	char q = 0;

	*end = p;
	if (t < r->n && is_quote((unsigned char)s[t]))
		q = s[t++];
	for (e = t; e < r->n && (is_keych((unsigned char)s[e]) || s[e] == '.' ||
				 s[e] == '/'); e++)
		;
	if (e == t || (q && (e >= r->n || s[e] != q)))
		return KEY_PLAIN;
	*end = q ? e + 1 : e;
	return secret_kind(s + t, e - t);
}

/* A naming key ("name", "key", <name>) whose value starts at v: opens, or
 * closes, the record whose "value" is a secret. i is the key's start. */
static void note_name(struct red *r, size_t i, size_t v, enum rec_mode mode, bool anycol)
{
	size_t end;
	enum key_kind kind = name_kind(r, v, &end);

	if (kind == KEY_PLAIN) {
		r->pend = REC_NONE;
		return;
	}
	r->pend = mode;
	r->pend_kind = kind;
	r->pend_col = mode == REC_PLAIN && !anycol ? key_col(r, i) : 0;
	r->pend_from = end;
}

/* Is the record named by a secret key still open at upto, where a "value"
 * key starts? Looks at s[pend_from..upto) once (pend_from then moves to
 * upto): a '}' outside quotes closes the record, and in REC_PLAIN so does
 * a line indented less than its "name" key (blank and '#' lines aside). */
static bool pend_in_scope(struct red *r, size_t upto)
{
	const char *s = r->s;
	size_t q = r->pend_from;

	if (r->pend != REC_QUOTED && r->pend != REC_PLAIN)
		return false;
	while (q < upto) {
		unsigned char c = (unsigned char)s[q];
		size_t e;

		if (c == '}') {
			r->pend = REC_NONE;
			return false;
		}
		if (is_quote(c) && (e = quote_end(r, q, upto)) != NOPOS) {
			q = e + 1;
			continue;
		}
		if (c == '\n' && r->pend == REC_PLAIN) {
			size_t t = q + 1;

			while (t < upto && is_hspace((unsigned char)s[t]))
				t++;
			if ((t == upto || (s[t] != '\n' && s[t] != '\r' && s[t] != '#')) &&
			    t - (q + 1) < r->pend_col) {
				r->pend = REC_NONE;
				return false;
			}
			q = t;
			continue;
		}
		q++;
	}
	if (upto > r->pend_from)
		r->pend_from = upto;
	return true;
}

/* The quoted key s[a..e) ends at e: is it "name"/"key" giving a secret
 * name? Sets *kind. */
static bool names_secret(const struct red *r, size_t a, size_t e, enum key_kind *kind)
{
	const char *s = r->s;
	size_t p = e + 1, end;

	if (!ci_equal(s + a, e - a, "name") && !ci_equal(s + a, e - a, "key"))
		return false;
	while (p < r->n && is_hspace((unsigned char)s[p]))
		p++;
	if (p >= r->n || (s[p] != ':' && s[p] != '='))
		return false;
	p++;
	while (p < r->n && is_hspace((unsigned char)s[p]))
		p++;
	*kind = name_kind(r, p, &end);
	return *kind != KEY_PLAIN;
}

/* A quoted "value" key's value starts at v with no record name seen yet:
 * does a quoted "name"/"key" giving a secret name follow before the '}'
 * closing the record ({"value": "x", "name": "DD_API_KEY"})? Returns its
 * kind, or KEY_PLAIN. A walk is cached: the "value" keys of one record
 * share it. */
static enum key_kind ahead_name(struct red *r, size_t v)
{
	const char *s = r->s;

	if (!(v >= r->ahead_from && v < r->ahead_end)) {
		size_t q = v, last = NOPOS, e;
		enum key_kind kind = KEY_PLAIN, k;

		while (q < r->n && s[q] != '}') {
			if (!is_quote((unsigned char)s[q]) ||
			    (e = quote_end(r, q, r->n)) == NOPOS) {
				q++;
				continue;
			}
			if (names_secret(r, q + 1, e, &k)) {
				last = q;
				kind = k;
			}
			q = e + 1;
		}
		r->ahead_from = v;
		r->ahead_end = q;
		r->ahead_closed = q < r->n;
		r->ahead_last = last;
		r->ahead_kind = kind;
	}
	if (r->ahead_closed && r->ahead_last != NOPOS && r->ahead_last > v)
		return r->ahead_kind;
	return KEY_PLAIN;
}

/* The value of a "value" key that starts at ks (its opening quote, if
 * quoted) is at v: what it is, judging by its record's name. */
static enum key_kind value_kind(struct red *r, size_t ks, size_t v, bool quoted)
{
	if (pend_in_scope(r, ks))
		return r->pend_kind;
	if (quoted)
		return ahead_name(r, v);
	return KEY_PLAIN;
}

/* The value s[*a..*b) of an Authorization key: a leading scheme word
 * ("Basic", "Digest", "Bearer") stays and what follows it is the secret.
 * An unquoted value after '=' (eq) ends at a blank: "authorization=Basic
 * x" takes the token after the scheme as the value. Without a scheme (or
 * with nothing after it) the whole value stays the secret. */
static void auth_value(const struct red *r, size_t *a, size_t *b, size_t *ret, bool eq)
{
	const char *s = r->s;
	size_t w = *a, t, e;

	while (w < *b && w - *a <= SCHEME_MAX && is_letter((unsigned char)s[w]))
		w++;
	if (w == *a || w - *a > SCHEME_MAX)
		return;
	if (eq) {
		if (w != *b)
			return;
		for (t = w; t < r->n && is_hspace((unsigned char)s[t]); t++)
			;
		if (t == w || (e = eq_value_end(r, t)) == t)
			return;
		*a = t;
		*b = *ret = e;
		return;
	}
	if (w >= *b || !is_hspace((unsigned char)s[w]))
		return;
	for (t = w; t < *b && is_hspace((unsigned char)s[t]); t++)
		;
	if (t < *b)
		*a = t;
}

/* How an argument after a flag ends when it is not quoted. */
enum arg_form {
	ARG_WORD, /* --token X: at white space ("\ " does not end it) */
	ARG_LIST, /* ["--token", "X"], [--token, X]: also at , ] } or a quote */
	ARG_LINE, /* YAML "- --token" then "- X": at the end of the line */
};

/* Words that follow a flag's name in prose or help text rather than a
 * value: "the --token flag is required", "--password or --password-file",
 * "use --api-key to set it", cobra's "--token string". A secret that is
 * one of these words is no secret. */
static bool prose_word(const char *t, size_t n)
{
	static const char *const words[] = {
		"a", "an", "and", "are", "arg", "argument", "as", "be", "bool",
		"can", "cannot", "flag", "flags", "for", "from", "if", "in",
		"instead", "int", "is", "must", "not", "of", "on", "option",
		"options", "or", "parameter", "should", "string", "switch", "the",
		"to", "value", "was", "when", "will", "with",
	};

	while (n && t[n - 1] && strchr(".,;:!?)", t[n - 1]))
		n--;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (ci_equal(t, n, words[i]))
			return true;
	return false;
}

/* The argument at s[p] (quoted or not): its redactable part s[*a..*b),
 * whether it was a closed quote, and where to continue. False if it is not
 * a value: empty, another long flag ("--verbose") or a prose word. */
static bool arg_value(const struct red *r, size_t p, enum arg_form form,
		      size_t *a, size_t *b, size_t *ret, bool *closed)
{
	const char *s = r->s;
	size_t n = r->n, e, o;
	char q = s[p];

	*closed = false;
	if (is_quote((unsigned char)q)) {
		*a = p + 1;
		for (e = *a; e < n && s[e] != '\n' && s[e] != q; e++) {
			if (is_pem(r, e))
				e = pem_end(r, e) - 1;
			else if (q == '"' && s[e] == '\\' && e + 1 < n && s[e + 1] != '\n')
				e++;
		}
		*closed = e < n && s[e] == q;
		*b = e;
		if (!*closed && *b > *a && s[*b - 1] == '\r')
			(*b)--;
		*ret = *closed ? e + 1 : *b;
	} else {
		*a = p;
		for (e = p; e < n; e++) {
			unsigned char c = (unsigned char)s[e];

			/* an earlier marker is opaque: its ']' ends no list */
			if ((o = url_opaque(r, e)) > e) {
				e = o - 1;
				continue;
			}
			if (c == '\n' || (form != ARG_LINE && is_space(c)))
				break;
			if (form == ARG_WORD && c == '\\' && e + 1 < n &&
			    is_hspace((unsigned char)s[e + 1]))
				e++;
			else if (form == ARG_LIST && (c == ',' || c == ']' || c == '}' || is_quote(c)))
				break;
		}
		*b = e;
		while (form == ARG_LINE && *b > *a &&
		       (is_hspace((unsigned char)s[*b - 1]) || s[*b - 1] == '\r'))
			(*b)--;
		*ret = *b;
	}
	if (*b - *a >= 2 && s[*a] == '-' && s[*a + 1] == '-')
		return false;
	if (*b == *a || prose_word(s + *a, *b - *a))
		return false;
	return true;
}

/* The flag or key s[i..k) of the given kind takes the argument at p:
 * redact it (for KEY_USER, what follows its first ':'). Returns where to
 * continue, or 0. */
static size_t redact_arg(struct red *r, size_t i, size_t k, size_t p,
			 enum arg_form form, enum key_kind kind)
{
	size_t a, b, ret;
	bool closed;

	if (p >= r->n || !arg_value(r, p, form, &a, &b, &ret, &closed))
		return 0;
	if (kind == KEY_USER) {
		const char *colon = memchr(r->s + a, ':', b - a);

		/* "-u bob": no password given (curl asks for one) */
		if (!colon || (size_t)(colon - r->s) + 1 >= b)
			return 0;
		a = (size_t)(colon - r->s) + 1;
		closed = false;
	} else if (kind == KEY_AUTH) {
		auth_value(r, &a, &b, &ret, !closed && !is_quote((unsigned char)r->s[p]));
	}
	hex_runs(r, i, k);
	if (b > a || closed)
		replace(r, a, b);
	return ret;
}

/* Does the flag starting at f (its quote, if quoted) make a YAML list
 * item of its own ("  - --api-key")? */
static bool yaml_item(const struct red *r, size_t f)
{
	const char *s = r->s;
	size_t j = f;

	while (j > 0 && is_hspace((unsigned char)s[j - 1]))
		j--;
	if (j == 0 || s[j - 1] != '-' || j == f)
		return false;
	j--;
	while (j > 0 && s[j - 1] == ' ')
		j--;
	return j == 0 || s[j - 1] == '\n';
}

/* A run s[i..k) starting with '-' and followed by neither ':' nor '=': a
 * command-line flag. If it names a secret (--api-key, -password) or is
 * curl's -u, the argument after it is redacted: after blanks
 * (--token X), after a comma in a list (["--token", "X"], possibly on
 * the next line), or on the next line as the next YAML list item
 * ("- --token" / "- X"). Returns where to continue, or 0. */
static size_t do_flag(struct red *r, size_t i, size_t k)
{
	const char *s = r->s;
	size_t n = r->n, p = k, f = i, h;
	enum key_kind kind = key_kind(s + i, k - i);

	if (kind != KEY_SECRET && kind != KEY_AUTH && kind != KEY_USER)
		return 0;
	if (i > 0 && p < n && is_quote((unsigned char)s[p]) && s[i - 1] == s[p]) {
		p++;
		f = i - 1;
	}
	for (h = p; p < n && is_hspace((unsigned char)s[p]); p++)
		;
	if (p >= n)
		return 0;
	if (s[p] == ',') {
		for (p++; p < n && is_space((unsigned char)s[p]); p++)
			;
		return redact_arg(r, i, k, p, ARG_LIST, kind);
	}
	if (s[p] == '\n' || s[p] == '\r') {
		if (!yaml_item(r, f))
			return 0;
		while (p < n && is_space((unsigned char)s[p]))
			p++;
		if (p + 1 >= n || s[p] != '-' || !is_hspace((unsigned char)s[p + 1]))
			return 0;
		for (p++; p < n && is_hspace((unsigned char)s[p]); p++)
			;
		return redact_arg(r, i, k, p, ARG_LINE, kind);
	}
	if (p == h)
		return 0; /* "--token)", "--token/--password" */
	return redact_arg(r, i, k, p, ARG_WORD, kind);
}

/* An element's name s[i..k) follows '<': note where its start tag ends,
 * if that '>' is on the same line, so that the scanner, arriving there,
 * handles the content (do_element()). The attributes in between are
 * scanned as any text. */
static void note_tag(struct red *r, size_t i, size_t k)
{
	const char *s = r->s;
	enum key_kind kind = key_kind(s + i, k - i);
	size_t e;

	if (kind == KEY_USER)
		kind = KEY_PLAIN;
	if (kind == KEY_PLAIN && r->pend != REC_XML)
		return;
	if (k >= r->n || (s[k] != '>' && !is_hspace((unsigned char)s[k])))
		return; /* <password/>, <password.x>, <ns:password> */
	/* stops at the next '<': each stretch is walked for one tag only */
	for (e = k; e < r->n && s[e] != '>' && s[e] != '<' && s[e] != '\n'; e++)
		;
	if (e >= r->n || s[e] != '>' || s[e - 1] == '/')
		return;
	r->xml_gt = e;
	r->xml_kind = kind;
}

/* The first "</" at or after p, or NOPOS. Cached: the elements whose
 * content starts on a later line share one walk. */
static size_t next_close(struct red *r, size_t p)
{
	size_t q;

	if (p >= r->close_from && p <= r->close_at)
		q = r->close_at;
	else
		for (q = p; q + 1 < r->n && !(r->s[q] == '<' && r->s[q + 1] == '/'); q++)
			;
	r->close_from = p;
	r->close_at = q;
	return q + 1 < r->n ? q : NOPOS;
}

/* The scanner is at gt, the '>' of a start tag noted by note_tag(). A
 * secret element's content goes: to the closing "</" or the end of the
 * line; when the tag ends its line, from the next line to the next "</".
 * A <name>/<key> element opens (or closes) a record named by a secret,
 * whose later elements are then secret. Returns where to continue. */
static size_t do_element(struct red *r, size_t gt)
{
	const char *s = r->s;
	enum key_kind kind = r->xml_kind;
	size_t n = r->n, p = gt + 1, a, b, e, ret;
	bool close = false;

	r->xml_gt = NOPOS;
	while (p < n && is_hspace((unsigned char)s[p]))
		p++;
	if (kind == KEY_NAMING) {
		note_name(r, gt, p, REC_XML, false);
		return gt + 1;
	}
	if (kind == KEY_PLAIN || kind == KEY_VALUE) {
		if (r->pend != REC_XML)
			return gt + 1;
		kind = r->pend_kind;
	}
	/* the rest of the line, a PEM block in it included, up to "</" */
	for (e = p; e < n && s[e] != '\n'; e++) {
		if (is_pem(r, e)) {
			e = pem_end(r, e) - 1;
		} else if (s[e] == '<' && e + 1 < n && s[e + 1] == '/') {
			close = true;
			break;
		}
	}
	a = p;
	b = ret = e;
	while (b > a && (is_hspace((unsigned char)s[b - 1]) || s[b - 1] == '\r'))
		b--;
	if (b == a && !close) {
		/* <password> ending its line: the content is below */
		size_t c = next_close(r, e);

		if (c == NOPOS)
			return gt + 1;
		for (a = e; a < c && is_space((unsigned char)s[a]); a++)
			;
		for (b = c; b > a && is_space((unsigned char)s[b - 1]); b--)
			;
		ret = c;
	}
	if (b == a)
		return gt + 1;
	if (kind == KEY_AUTH)
		auth_value(r, &a, &b, &ret, false);
	replace(r, a, b);
	return ret;
}

/* A key-like run s[i..k) followed by neither ':' nor '=': an element's
 * name or a flag. Returns where to continue, or 0. */
static size_t no_separator(struct red *r, size_t i, size_t k)
{
	if (i > 0 && r->s[i - 1] == '<') {
		note_tag(r, i, k);
		return 0;
	}
	if (r->s[i] == '-')
		return do_flag(r, i, k);
	return 0;
}

/* What follows the key-like run s[i..k): a closing quote, blanks, ':' or
 * '=' and blanks. Returns where the value starts, or NOPOS; *sep is the
 * separator (0 if there is none) and *quoted says whether the key was in
 * quotes. "::", "==", ":=" and "://" are not assignments. */
static size_t assignment(const struct red *r, size_t i, size_t k, bool *quoted, char *sep)
{
	const char *s = r->s;
	size_t n = r->n, p = k;

	*quoted = i > 0 && p < n && is_quote((unsigned char)s[p]) && s[i - 1] == s[p];
	*sep = 0;
	if (p < n && is_quote((unsigned char)s[p]))
		p++;
	while (p < n && is_hspace((unsigned char)s[p]))
		p++;
	if (p >= n || (s[p] != ':' && s[p] != '='))
		return NOPOS;
	*sep = s[p++];
	if (p < n && (s[p] == *sep || s[p] == '=' || (*sep == ':' && s[p] == '/')))
		return NOPOS;
	while (p < n && is_hspace((unsigned char)s[p]))
		p++;
	return p;
}

/* s[a..b) is being replaced. A record's name in it ("name: DD_API_KEY",
 * <name>..., as the scanner would have seen it) still opens its record,
 * whose "value" may come after b: a secret element's content may run over
 * the <name> of the next record. Each byte is replaced at most once, so
 * this look costs linear time in all. */
static void names_in(struct red *r, size_t a, size_t b)
{
	const char *s = r->s;
	size_t i = a, k, v;
	bool quoted;
	char sep;

	while (i < b) {
		if (!is_keych((unsigned char)s[i]) || (i > 0 && is_keych((unsigned char)s[i - 1]))) {
			i++;
			continue;
		}
		for (k = i; k < b && is_keych((unsigned char)s[k]); k++)
			;
		if (ci_equal(s + i, k - i, "name") || ci_equal(s + i, k - i, "key")) {
			if (i > 0 && s[i - 1] == '<' && k < r->n && s[k] == '>') {
				for (v = k + 1; v < r->n && is_hspace((unsigned char)s[v]); v++)
					;
				note_name(r, i, v, REC_XML, true);
			} else if ((v = assignment(r, i, k, &quoted, &sep)) != NOPOS) {
				/* its column says nothing: the record reaches
				 * lines of any indentation */
				note_name(r, i, v, quoted ? REC_QUOTED : REC_PLAIN, true);
			}
		}
		i = k;
	}
}

/* The start of a key-like run s[i..k). Returns where to continue, or 0 if
 * the run is not a secret setting followed by its value. */
static size_t do_key(struct red *r, size_t i, size_t k)
{
	const char *s = r->s;
	size_t n = r->n, v, e, a, b, ret;
	bool closed = false, quoted;
	enum key_kind kind;
	char sep, q;

	v = assignment(r, i, k, &quoted, &sep);
	if (!sep)
		return no_separator(r, i, k);
	if (v == NOPOS || (kind = key_kind(s + i, k - i)) == KEY_PLAIN)
		return 0;
	if (kind == KEY_NAMING) {
		note_name(r, i, v, quoted ? REC_QUOTED : REC_PLAIN, false);
		return 0;
	}
	if (kind == KEY_USER)
		return sep == '=' ? redact_arg(r, i, k, v, ARG_WORD, kind) : 0;
	if (kind == KEY_VALUE &&
	    (kind = value_kind(r, quoted ? i - 1 : i, v, quoted)) == KEY_PLAIN)
		return 0;
	/* Past each "return 0" nothing may have been replaced: the caller
	 * then scans the key itself. Once handled, the key is skipped, so
	 * its 32/40-hex parts are redacted here (hex_runs). */
	if (v >= n || s[v] == '\n' || s[v] == '\r') {
		if (sep == '=')
			return 0; /* "key=" and nothing */
		/* "key:" alone: what is indented under it is its value */
		hex_runs(r, i, k);
		return do_block(r, line_end(r, v), key_col(r, i));
	}
	/* The value's end is searched for with any PEM block inside it
	 * skipped whole: it is part of the value (and its body is never
	 * left behind because the value's end came first). */
	q = s[v];
	if (is_quote((unsigned char)q)) {
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
		if ((e = eq_value_end(r, v)) == v)
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
			return do_block(r, le, key_col(r, i));
		}
		ret = b;
	}
	if (kind == KEY_AUTH)
		auth_value(r, &a, &b, &ret, sep == '=' && !is_quote((unsigned char)q));
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
		if (!is_letter(c))
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

static void redact_into(const char *s, size_t n, struct fw_buf *out)
{
	struct red r = {
		.s = s, .n = n, .done = 0, .replaced = false, .out = out,
		.lstart = 0, .lpos = 0,
		.pend = REC_NONE, .pend_kind = KEY_PLAIN,
		.ahead_from = 1, .ahead_end = 0, .ahead_last = NOPOS,
		.xml_gt = NOPOS, .xml_kind = KEY_PLAIN,
		.close_from = 1, .close_at = 0,
		.unpaired_from = { NOPOS, NOPOS }, .unpaired_to = { 0, 0 },
	};
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
		if (c == '>' && i == r.xml_gt) {
			i = do_element(&r, i);
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

			while (k < n && is_alnum((unsigned char)s[k]))
				k++;
			if (key_run(s, i, k))
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
		uint32_t cp;
		size_t l = fw_utf8_decode(p + i, n - i, &cp);

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
		uint32_t cp;
		size_t l = fw_utf8_decode(p + i, rlen - i, &cp);

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
