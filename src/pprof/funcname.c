/*
 * funcname.c: pprof's display names for functions (see funcname.h). A port
 * of Go 1.19's vendored pprof internal/symbolizer/symbolizer.go:
 * looksLikeDemangledCPlusPlus, removeMatching, demangleSingleFunction.
 */
#include "pprof/funcname.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pprof/demangle.h"

/* looksLikeDemangledCPlusPlus: false if the name holds ".<" (Java's
 * "class.<init>") or "])." (Go's "foo.(*Bar[...]).Method"), else true if it
 * holds any of < > [ ] or "::". One pass: this runs for every function of
 * every profile read. */
bool fw_funcname_looks_demangled(const char *s, size_t n)
{
	bool found = false;

	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '<':
			if (i > 0 && s[i - 1] == '.')
				return false;
			found = true;
			break;
		case ']':
			if (i + 2 < n && s[i + 1] == ')' && s[i + 2] == '.')
				return false;
			found = true;
			break;
		case '>':
		case '[':
			found = true;
			break;
		case ':':
			if (i + 1 < n && s[i + 1] == ':')
				found = true;
			break;
		}
	}
	return found;
}

size_t fw_funcname_remove_matching(char *s, size_t n, char open, char close)
{
	size_t nesting = 0, first = 0, cur = 0;

	while (cur < n) {
		if (s[cur] == open) {
			if (++nesting == 1)
				first = cur;
		} else if (s[cur] == close) {
			if (nesting == 0)
				return n; /* mismatch: abort */
			if (--nesting == 0) {
				memmove(s + first, s + cur + 1, n - cur - 1);
				n -= cur + 1 - first;
				cur = first;
				continue;
			}
		}
		cur++;
	}
	return n;
}

size_t fw_funcname_simplify(char *s, size_t n, enum fw_demangle_mode mode)
{
	if (!fw_funcname_looks_demangled(s, n))
		return n;
	if (mode == FW_DEMANGLE_DEFAULT || mode == FW_DEMANGLE_TEMPLATES)
		n = fw_funcname_remove_matching(s, n, '(', ')');
	if (mode == FW_DEMANGLE_DEFAULT)
		n = fw_funcname_remove_matching(s, n, '<', '>');
	return n;
}

static enum fw_dm_mode dm_mode(enum fw_demangle_mode mode)
{
	switch (mode) {
	case FW_DEMANGLE_TEMPLATES:
		return FW_DM_TEMPLATES;
	case FW_DEMANGLE_FULL:
		return FW_DM_FULL;
	case FW_DEMANGLE_NONE:
		return FW_DM_NONE;
	case FW_DEMANGLE_DEFAULT:
	default:
		return FW_DM_DEFAULT;
	}
}

int fw_profile_demangle(struct fw_profile *p, enum fw_demangle_mode mode, bool force,
			struct fw_error *err)
{
	char *tmp = NULL;
	size_t cap = 0;
	struct fw_buf dm;

	fw_buf_init(&dm);
	for (size_t i = 0; i < p->n_functions; i++) {
		struct fw_function *f = &p->functions[i];
		size_t nlen = fw_strlen(&p->strings, f->name);
		size_t slen = fw_strlen(&p->strings, f->system_name);
		const char *sys = fw_pstr(p, f->system_name);

		if (force && nlen && slen) {
			f->name = f->system_name;
			nlen = slen;
		}
		/* A name other than the system name is already demangled. */
		if (nlen && (nlen != slen || memcmp(fw_pstr(p, f->name), sys, slen) != 0))
			continue;
		/* demangle.Filter first: a name it changes is used as is. */
		dm.len = 0;
		int r = fw_demangle(sys, slen, dm_mode(mode), &dm);
		if (r < 0) {
			free(tmp);
			fw_buf_free(&dm);
			return fw_err(err, -ENOMEM, "out of memory");
		}
		if (r > 0) {
			if (fw_strtab_intern(&p->strings, dm.len ? dm.data : "", dm.len, &f->name) < 0) {
				free(tmp);
				fw_buf_free(&dm);
				return fw_err(err, -ENOMEM, "out of memory");
			}
			continue;
		}
		if (!fw_funcname_looks_demangled(sys, slen)) {
			if (!nlen)
				f->name = f->system_name;
			continue;
		}
		if (slen > cap) {
			char *t = realloc(tmp, slen);
			if (!t) {
				free(tmp);
				fw_buf_free(&dm);
				return fw_err(err, -ENOMEM, "out of memory");
			}
			tmp = t;
			cap = slen;
		}
		memcpy(tmp, sys, slen);
		size_t n = fw_funcname_simplify(tmp, slen, mode);
		if (n == slen) {
			if (!nlen)
				f->name = f->system_name;
			continue;
		}
		if (fw_strtab_intern(&p->strings, tmp, n, &f->name) < 0) {
			free(tmp);
			fw_buf_free(&dm);
			return fw_err(err, -ENOMEM, "out of memory");
		}
	}
	free(tmp);
	fw_buf_free(&dm);
	return 0;
}

/* ---- -symbolize ------------------------------------------------------------ */

void fw_symbolize_parse(const char *mode, struct fw_symbolize *out)
{
	const char *s = mode;

	memset(out, 0, sizeof(*out));
	out->mode = FW_DEMANGLE_DEFAULT;
	out->local = true;
	while (s) {
		const char *colon = strchr(s, ':');
		size_t len = colon ? (size_t)(colon - s) : strlen(s), dl = len;
		const char *d = s;

		s = colon ? colon + 1 : NULL;
		if (len == 0)
			continue;
		if ((len == 4 && !strncasecmp(d, "none", 4)) || (len == 2 && !strncasecmp(d, "no", 2))) {
			out->skip = true;
			return;
		}
		if ((len == 5 && !strncasecmp(d, "local", 5)) || (len == 9 && !strncasecmp(d, "fastlocal", 9)) ||
		    (len == 6 && !strncasecmp(d, "remote", 6))) {
			out->local = len != 6; /* flarewatch only prints the local step's notes */
			continue;
		}
		if (len == 5 && !strncasecmp(d, "force", 5)) {
			out->force = true;
			continue;
		}
		if (len >= 9 && !strncasecmp(d, "demangle=", 9)) { /* strings.TrimPrefix */
			d += 9;
			dl -= 9;
		}
		if (dl == 7 && !strncasecmp(d, "default", 7))
			continue;
		if ((dl == 4 && !strncasecmp(d, "full", 4)) || (dl == 4 && !strncasecmp(d, "none", 4)) ||
		    (dl == 9 && !strncasecmp(d, "templates", 9))) {
			out->mode = d[0] == 'f' || d[0] == 'F' ? FW_DEMANGLE_FULL :
				    d[0] == 'n' || d[0] == 'N' ? FW_DEMANGLE_NONE : FW_DEMANGLE_TEMPLATES;
			out->force = true;
			continue;
		}
		out->unknown++;
	}
}

int fw_profile_symbolize(struct fw_profile *p, const struct fw_symbolize *s, struct fw_error *err)
{
	if (s->skip)
		return 0;
	return fw_profile_demangle(p, s->mode, s->force, err);
}

/* ---- graph.ShortenFunctionName ------------------------------------------ */

static bool is_word(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* ^(?:[\w\-\.]+\/)+(.+): the submatch starts after the last run of
 * "segment/" at which a non-newline byte follows; it ends at the first
 * newline or the end. */
static bool short_go(const char *s, size_t n, size_t *b, size_t *e)
{
	size_t i = 0, last = 0, prev = 0, k = 0;

	for (;;) {
		size_t j = i;
		while (j < n && (is_word(s[j]) || s[j] == '-' || s[j] == '.'))
			j++;
		if (j == i || j >= n || s[j] != '/')
			break;
		prev = last;
		last = j + 1;
		k++;
		i = j + 1;
	}
	if (k == 0)
		return false;
	if (last >= n || s[last] == '\n') {
		/* (.+) needs a byte: one segment fewer, which starts with one */
		if (k == 1)
			return false;
		last = prev;
	}
	*b = last;
	*e = last;
	while (*e < n && s[*e] != '\n')
		(*e)++;
	return true;
}

/* ^(?:[a-z]\w*\.)*([A-Z][\w\$]*\.(?:<init>|[a-z][\w\$]*(?:\$\d+)?))(?:(?:\()|$) */
static bool short_java(const char *s, size_t n, size_t *b, size_t *e)
{
	size_t i = 0, j;

	for (;;) {
		if (i >= n || !is_lower(s[i]))
			break;
		j = i + 1;
		while (j < n && is_word(s[j]))
			j++;
		if (j >= n || s[j] != '.')
			break;
		i = j + 1;
	}
	if (i >= n || !is_upper(s[i]))
		return false;
	*b = i;
	j = i + 1;
	while (j < n && (is_word(s[j]) || s[j] == '$'))
		j++;
	if (j >= n || s[j] != '.')
		return false;
	j++;
	if (n - j >= 6 && memcmp(s + j, "<init>", 6) == 0 && (j + 6 == n || s[j + 6] == '(')) {
		*e = j + 6;
		return true;
	}
	if (j >= n || !is_lower(s[j]))
		return false;
	j++;
	while (j < n && (is_word(s[j]) || s[j] == '$'))
		j++;
	if (j != n && s[j] != '(')
		return false;
	*e = j;
	return true;
}

/* _*[A-Z]\w*::~?[_a-zA-Z]\w*(?:<.*>)? at i: the end of the match, or 0. */
static size_t cpp_tail(const char *s, size_t n, size_t i)
{
	size_t j = i;

	while (j < n && s[j] == '_')
		j++;
	if (j >= n || !is_upper(s[j]))
		return 0;
	j++;
	while (j < n && is_word(s[j]))
		j++;
	if (n - j < 2 || s[j] != ':' || s[j + 1] != ':')
		return 0;
	j += 2;
	if (j < n && s[j] == '~')
		j++;
	if (j >= n || !(is_word(s[j]) && !is_digit(s[j])))
		return 0;
	j++;
	while (j < n && is_word(s[j]))
		j++;
	if (j < n && s[j] == '<') {
		size_t k = j + 1, gt = 0;
		bool found = false;
		while (k < n && s[k] != '\n') {
			if (s[k] == '>') {
				gt = k;
				found = true;
			}
			k++;
		}
		if (found)
			j = gt + 1;
	}
	return j;
}

/* ^(?:[_a-zA-Z]\w*::)+(_*[A-Z]\w*::~?[_a-zA-Z]\w*(?:<.*>)?) */
static bool short_cpp(const char *s, size_t n, size_t *b, size_t *e)
{
	size_t ends[64], *pos = ends, cap = 64, k = 0, i = 0;
	bool ok = false;

	for (;;) {
		size_t j = i;
		if (j >= n || !(is_word(s[j]) && !is_digit(s[j])))
			break;
		j++;
		while (j < n && is_word(s[j]))
			j++;
		if (n - j < 2 || s[j] != ':' || s[j + 1] != ':')
			break;
		if (k == cap) {
			size_t *np = malloc(2 * cap * sizeof(size_t));
			if (!np)
				break; /* keep the segments found so far */
			memcpy(np, pos, k * sizeof(size_t));
			if (pos != ends)
				free(pos);
			pos = np;
			cap *= 2;
		}
		pos[k++] = j + 2;
		i = j + 2;
	}
	while (k > 0) {
		size_t end = cpp_tail(s, n, pos[--k]);
		if (end) {
			*b = pos[k];
			*e = end;
			ok = true;
			break;
		}
	}
	if (pos != ends)
		free(pos);
	return ok;
}

void fw_funcname_shorten(const char *s, size_t n, struct fw_buf *out)
{
	static const char anon[] = "(anonymous namespace)::";
	size_t cut_b = 0, cut_e = 0, b, e;
	struct fw_buf tmp;

	if (n >= sizeof(anon) - 1 && memcmp(s, anon, sizeof(anon) - 1) == 0) {
		s += sizeof(anon) - 1;
		n -= sizeof(anon) - 1;
	}
	/* ^(.*?)/v(?:[2-9]|[1-9][0-9]+)([./].*)$ -> ${1}${2}: no newline
	 * anywhere, the first "/vN" followed by '.' or '/'. */
	if (!memchr(s, '\n', n)) {
		for (size_t i = 0; i + 2 < n; i++) {
			size_t j = i + 2, l;
			if (s[i] != '/' || s[i + 1] != 'v')
				continue;
			while (j < n && is_digit(s[j]))
				j++;
			l = j - (i + 2);
			if (j >= n || (s[j] != '.' && s[j] != '/'))
				continue;
			if ((l == 1 && s[i + 2] >= '2') || (l >= 2 && s[i + 2] >= '1')) {
				cut_b = i;
				cut_e = j;
				break;
			}
		}
	}
	fw_buf_init(&tmp);
	if (cut_e) {
		fw_buf_putn(&tmp, s, cut_b);
		fw_buf_putn(&tmp, s + cut_e, n - cut_e);
		if (tmp.failed) {
			out->failed = true;
			fw_buf_free(&tmp);
			return;
		}
		s = tmp.data;
		n = tmp.len;
	}
	if (short_go(s, n, &b, &e) || short_java(s, n, &b, &e) || short_cpp(s, n, &b, &e))
		fw_buf_putn(out, s + b, e - b);
	else
		fw_buf_putn(out, s, n);
	fw_buf_free(&tmp);
}
