/*
 * test_demangle.c: src/pprof/demangle.c against the goldens of
 * tests/fixtures/demangle (Go 1.19's vendored demangle.Filter with the
 * options of each `go tool pprof -symbolize=demangle=MODE`, made by
 * tests/fixtures/demangle/regen.sh from real symbol names of this
 * machine's C++ and Rust libraries, and from damaged copies of them), then
 * hostile names: bounded time, depth and output, no crash.
 *
 * Fixtures are read from $abs_top_srcdir (exported by `make check`), else ".".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pprof/demangle.h"
#include "../tap.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		if (n == cap) {
			char *b = realloc(buf, cap * 2);
			if (!b) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = b;
			cap *= 2;
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		if (r == 0)
			break;
		n += r;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* Splits s into lines in place; returns the count. */
static size_t lines(char *s, size_t len, char ***out)
{
	size_t n = 0, cap = 1024;
	char **v = malloc(cap * sizeof(*v));
	char *p = s, *end = s + len;
	while (v && p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		*nl = 0;
		if (n == cap) {
			char **w = realloc(v, cap * 2 * sizeof(*v));
			if (!w) {
				free(v);
				return 0;
			}
			v = w;
			cap *= 2;
		}
		v[n++] = p;
		p = nl + 1;
	}
	*out = v;
	return v ? n : 0;
}

static bool is_rust(const char *s)
{
	if (strncmp(s, "_R", 2) == 0)
		return true;
	/* legacy: _ZN...17h<16 hex>E */
	const char *h = strstr(s, "17h");
	while (h) {
		size_t i = 3;
		while (i < 19 && ((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f')))
			i++;
		if (i == 19 && h[19] == 'E' && strncmp(s, "_ZN", 3) == 0)
			return true;
		h = strstr(h + 1, "17h");
	}
	return false;
}

/* golden: the golden file's name before ".<mode>.txt" */
static void golden_mode(const char *top, const char *golden, const char *mode_name,
			enum fw_dm_mode mode, char **names, size_t n)
{
	char path[4096];
	size_t len;
	snprintf(path, sizeof(path), "%s/tests/fixtures/demangle/%s.%s.txt", top, golden, mode_name);
	char *text = slurp(path, &len);
	if (!TAP_OK(text != NULL, "read %s", path))
		return;
	char **want;
	size_t m = lines(text, len, &want);
	if (!TAP_EQ_UINT(m, n, "%s %s: one golden line per name", golden, mode_name)) {
		free(want);
		free(text);
		return;
	}
	struct fw_buf b;
	fw_buf_init(&b);
	size_t match = 0, wrong = 0, declined = 0, rust_declined = 0, demangled = 0;
	for (size_t i = 0; i < n; i++) {
		b.len = 0;
		int r = fw_demangle(names[i], strlen(names[i]), mode, &b);
		/* "!panic": Go's Filter panics (pprof would crash); the
		 * name must be kept */
		bool go_changed = strcmp(want[i], "-") != 0 && strcmp(want[i], "!panic") != 0;
		demangled += go_changed;
		if (r == 1 && go_changed && b.len == strlen(want[i]) &&
		    memcmp(b.data, want[i], b.len) == 0) {
			match++;
		} else if (r == 0 && !go_changed) {
			match++;
		} else if (r == 0) {
			rust_declined += is_rust(names[i]);
			declined++;
			if (declined <= 5)
				TAP_DIAG("%s: declined %s (Go: %s)", mode_name, names[i], want[i]);
		} else {
			wrong++;
			if (wrong <= 5)
				TAP_DIAG("%s: %s: got %.*s, Go %s", mode_name, names[i], (int)b.len,
					 b.data ? b.data : "", want[i]);
		}
	}
	fw_buf_free(&b);
	TAP_DIAG("%s %s: %zu names, Go demangles %zu, %zu identical, %zu declined (%zu Rust)",
		 golden, mode_name, n, demangled, match, declined, rust_declined);
	TAP_EQ_UINT(wrong, 0, "%s %s: no name demangled differently from Go", golden, mode_name);
	TAP_EQ_UINT(declined, 0, "%s %s: every name handled", golden, mode_name);
	TAP_EQ_UINT(match, n, "%s %s: every name identical to Go", golden, mode_name);
	free(want);
	free(text);
}

/* A hostile name: must come back (declined or demangled) quickly. */
static void hostile(const char *what, const char *pre, const char *unit, size_t reps,
		    const char *post)
{
	size_t pl = strlen(pre), ul = strlen(unit), ql = strlen(post);
	size_t n = pl + ul * reps + ql;
	char *s = malloc(n + 1);
	if (!TAP_OK(s != NULL, "%s: allocate", what))
		return;
	memcpy(s, pre, pl);
	for (size_t i = 0; i < reps; i++)
		memcpy(s + pl + i * ul, unit, ul);
	memcpy(s + pl + reps * ul, post, ql);
	s[n] = 0;
	struct fw_buf b;
	fw_buf_init(&b);
	clock_t t0 = clock();
	int r[4];
	for (int m = 0; m < 4; m++)
		r[m] = fw_demangle(s, n, (enum fw_dm_mode)m, &b);
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	TAP_OK(r[0] >= 0 && r[1] >= 0 && r[2] >= 0 && r[3] >= 0 && b.len <= 4 * FW_DM_MAX_OUTPUT,
	       "%s (%zu bytes): returns, output bounded (%zu bytes)", what, n, b.len);
	TAP_OK(secs < 5.0, "%s: in %.2f s for the 4 modes", what, secs);
	fw_buf_free(&b);
	free(s);
}

int main(void)
{
	const char *top = getenv("abs_top_srcdir");
	if (!top || !*top)
		top = ".";
	static const char *const sets[][2] = { { "names", "golden" }, { "mutated", "golden-mutated" } };
	for (size_t k = 0; k < 2; k++) {
		char path[4096];
		size_t len;
		snprintf(path, sizeof(path), "%s/tests/fixtures/demangle/%s.txt", top, sets[k][0]);
		char *text = slurp(path, &len);
		if (!TAP_OK(text != NULL, "read %s", path))
			return tap_done();
		char **names;
		size_t n = lines(text, len, &names);
		TAP_OK(n > 1000, "%zu names in %s.txt", n, sets[k][0]);
		golden_mode(top, sets[k][1], "default", FW_DM_DEFAULT, names, n);
		golden_mode(top, sets[k][1], "templates", FW_DM_TEMPLATES, names, n);
		golden_mode(top, sets[k][1], "full", FW_DM_FULL, names, n);
		golden_mode(top, sets[k][1], "none", FW_DM_NONE, names, n);
		free(names);
		free(text);
	}

	/* A few exact cases, checked by hand against `go tool pprof`'s
	 * demangler (the goldens above hold thousands more). */
	struct fw_buf b;
	fw_buf_init(&b);
	TAP_EQ_INT(fw_demangle("main.main", 9, FW_DM_DEFAULT, &b), 0, "a Go name is not mangled");
	TAP_EQ_INT(fw_demangle("_Z", 2, FW_DM_DEFAULT, &b), 0, "_Z alone is not demangled");
	b.len = 0;
	const char *v = "_ZNSt6vectorIiSaIiEE9push_backERKi";
	if (TAP_EQ_INT(fw_demangle(v, strlen(v), FW_DM_DEFAULT, &b), 1, "vector::push_back"))
		TAP_EQ_STR(fw_buf_str(&b), "std::vector::push_back", "default mode drops templates");
	fw_buf_free(&b);

	/* Just under FW_DM_MAX_INPUT, so that each reaches the demangler. */
	hostile("deep pointers", "_Z1fP", "P", 65000, "i");
	hostile("deep templates", "_Z1f", "I1a", 21000, "");
	hostile("many qualifiers", "_Z1fP", "rVK", 21000, "i");
	hostile("substitution doubling", "_Z1fIiE", "S_", 32000, "");
	hostile("substitution chain", "_Z1f", "PS_", 21000, "");
	hostile("nested functions", "_Z1f", "PFv", 21000, "");
	hostile("nested local names", "_Z", "Z1f", 21000, "E1x");
	hostile("long expression", "_Z1fIXpl", "plLi1E", 10000, "Li2EEEvv");
	hostile("pair doubling", "_Z1fISt4pairIiiE", "St4pairIS0_S0_E", 4000, "Evv");
	hostile("template arguments", "_Z1fI", "T_", 32000, "Ev");
	hostile("rust deep", "_RNv", "Nv", 32000, "C1a");
	hostile("rust backrefs", "_RINvC1a1f", "B3_", 21000, "E");
	hostile("rust types", "_RINvC1a1f", "A", 60000, "E");
	return tap_done();
}
