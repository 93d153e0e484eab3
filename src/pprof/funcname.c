/*
 * funcname.c: pprof's display names for functions (see funcname.h). A port
 * of Go 1.19's vendored pprof internal/symbolizer/symbolizer.go:
 * looksLikeDemangledCPlusPlus, removeMatching, demangleSingleFunction.
 */
#include "pprof/funcname.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool contains(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(s + i, needle, k) == 0)
			return true;
	return false;
}

bool fw_funcname_looks_demangled(const char *s, size_t n)
{
	/* Java names of the form "class.<init>", Go "foo.(*Bar[...]).Method". */
	if (contains(s, n, ".<") || contains(s, n, "])."))
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '<' || s[i] == '>' || s[i] == '[' || s[i] == ']')
			return true;
	return contains(s, n, "::");
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

int fw_profile_demangle(struct fw_profile *p, enum fw_demangle_mode mode, bool force,
			struct fw_error *err)
{
	char *tmp = NULL;
	size_t cap = 0;

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
		if (!fw_funcname_looks_demangled(sys, slen)) {
			if (!nlen)
				f->name = f->system_name;
			continue;
		}
		if (slen > cap) {
			char *t = realloc(tmp, slen);
			if (!t) {
				free(tmp);
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
			return fw_err(err, -ENOMEM, "out of memory");
		}
	}
	free(tmp);
	return 0;
}
