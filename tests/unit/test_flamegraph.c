/*
 * test_flamegraph.c: folded stacks, the SVG flame graph and the metadata
 * summary (src/pprof/flamegraph.c, src/pprof/meta.c), on profiles built in
 * memory and on the committed cpu.pb.gz fixture: frame labels shortened to
 * the last package path element and the symbol, growth colours and
 * percentages of the total growth, colours by class (runtime grey).
 */
#include "pprof/flamegraph.h"
#include "pprof/meta.h"
#include "pprof/profile.h"
#include "pprof/report.h"

#include "../tap.h"
#include "profbuild.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- building profiles by hand --------------------------------------------- */

#define MAX_LINES 3
#define MAX_LOCS 8
#define MAX_LABELS 3

struct loc_spec {
	int funcs[MAX_LINES]; /* function indices, innermost first */
	int n;
};

struct label_spec {
	const char *key, *str, *unit; /* str NULL: numeric */
	int64_t num;
};

struct sample_spec {
	int locs[MAX_LOCS]; /* location indices, leaf first */
	int n;
	int64_t v[2];
	struct label_spec labels[MAX_LABELS];
	int n_labels;
};

/* n_types is 1 (cpu/nanoseconds) or 2 (samples/count, cpu/nanoseconds).
 * Functions are in main.go; location i is at address 0x1000 + 16 * i, its
 * lines numbered from 10. */
static struct fw_profile *build(size_t n_types, const char *const *funcs, size_t nf,
				const struct loc_spec *locs, size_t nl,
				const struct sample_spec *ss, size_t ns)
{
	struct fw_profile *p = n_types == 2
				       ? prof(NULL, NULL, 0, 2, "samples", "count", "cpu", "nanoseconds")
				       : prof(NULL, NULL, 0, 1, "cpu", "nanoseconds");

	for (size_t i = 0; i < nf; i++)
		func(p, funcs[i], "main.go");
	for (size_t i = 0; i < nl; i++) {
		uint32_t fs[MAX_LINES];
		int64_t lines[MAX_LINES];
		for (int k = 0; k < locs[i].n; k++) {
			fs[k] = (uint32_t)locs[i].funcs[k];
			lines[k] = 10 + k;
		}
		location(p, FW_NONE, 0x1000 + 16 * i, (size_t)locs[i].n, fs, lines);
	}
	for (size_t i = 0; i < ns; i++) {
		uint32_t ls[MAX_LOCS + 1];
		for (int k = 0; k < ss[i].n; k++)
			ls[k] = (uint32_t)ss[i].locs[k];
		ls[ss[i].n] = END;
		/* one sample type: only the cpu value, v[1] */
		sample(p, ls, ss[i].v + (2 - n_types), NULL);
		for (int k = 0; k < ss[i].n_labels; k++) {
			const struct label_spec *l = &ss[i].labels[k];
			if (l->str)
				str_label(p, l->key, l->str);
			else
				num_label(p, l->key, l->num, l->unit);
		}
	}
	return p;
}

#define MS 1000000LL

/* Profile A: main;a;b 5 (in two samples), main;a 3, main;c 2,
 * main;rec;rec;rec 4, main;<&>"' 1, main;outer;inner 7 (one location with
 * an inlined frame), main;z 0. Two sample types; cpu is the last. */
static const char *const a_funcs[] = { "main", "a", "b", "c", "rec", "<&>\"'", "inner", "outer", "z" };
static const struct loc_spec a_locs[] = {
	{ { 0 }, 1 }, { { 1 }, 1 }, { { 2 }, 1 }, { { 3 }, 1 }, { { 4 }, 1 }, { { 5 }, 1 },
	{ { 6, 7 }, 2 }, { { 8 }, 1 },
};
#define L(k, s) { .key = k, .str = s }
#define NL(k, u, v) { .key = k, .unit = u, .num = v }
static const struct sample_spec a_samples[] = {
	{ .locs = { 2, 1, 0 }, .n = 3, .v = { 1, 2 * MS }, .labels = { L("phase", "x") }, .n_labels = 1 },
	{ .locs = { 2, 1, 0 }, .n = 3, .v = { 1, 3 * MS },
	  .labels = { L("zone", "eu"), L("phase", "y") }, .n_labels = 2 },
	{ .locs = { 1, 0 }, .n = 2, .v = { 1, 3 * MS }, .labels = { NL("bytes", "bytes", 64) }, .n_labels = 1 },
	{ .locs = { 3, 0 }, .n = 2, .v = { 1, 2 * MS },
	  .labels = { NL("bytes", "bytes", 128), NL("count", NULL, 3) }, .n_labels = 2 },
	{ .locs = { 4, 4, 4, 0 }, .n = 4, .v = { 1, 4 * MS }, .labels = { L("phase", "x") }, .n_labels = 1 },
	{ .locs = { 5, 0 }, .n = 2, .v = { 1, 1 * MS } },
	{ .locs = { 6, 0 }, .n = 2, .v = { 1, 7 * MS } },
	{ .locs = { 7, 0 }, .n = 2, .v = { 0, 0 } },
};
#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct fw_profile *profile_a(void)
{
	return build(2, a_funcs, N(a_funcs), a_locs, N(a_locs), a_samples, N(a_samples));
}

static const char a_collapsed[] =
	"main;<&>\"' 1000000\n"
	"main;a 3000000\n"
	"main;a;b 5000000\n"
	"main;c 2000000\n"
	"main;outer;inner 7000000\n"
	"main;rec;rec;rec 4000000\n";

/* Profile B, a diff: main;a +5 -2, main;c -4, main;b +3 -3 (cancels),
 * main;bad\x01\xffname +1 (a control character and invalid UTF-8). */
static const char *const b_funcs[] = { "main", "a", "b", "c", "bad\x01\xffname" };
static const struct loc_spec b_locs[] = { { { 0 }, 1 }, { { 1 }, 1 }, { { 2 }, 1 }, { { 3 }, 1 }, { { 4 }, 1 } };
static const struct sample_spec b_samples[] = {
	{ .locs = { 1, 0 }, .n = 2, .v = { 0, 5 * MS } },
	{ .locs = { 1, 0 }, .n = 2, .v = { 0, -2 * MS } },
	{ .locs = { 3, 0 }, .n = 2, .v = { 0, -4 * MS } },
	{ .locs = { 2, 0 }, .n = 2, .v = { 0, 3 * MS } },
	{ .locs = { 2, 0 }, .n = 2, .v = { 0, -3 * MS } },
	{ .locs = { 4, 0 }, .n = 2, .v = { 0, 1 * MS } },
};

/* Profile C: one huge stack and one far below 0.1 px at 1200 px. */
static const char *const c_funcs[] = { "main", "huge", "tiny" };
static const struct loc_spec c_locs[] = { { { 0 }, 1 }, { { 1 }, 1 }, { { 2 }, 1 } };
static const struct sample_spec c_samples[] = {
	{ .locs = { 1, 0 }, .n = 2, .v = { 0, 1000000000000LL } },
	{ .locs = { 2, 0 }, .n = 2, .v = { 0, 1 } },
};

/* ---- helpers ------------------------------------------------------------------ */

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0, len = strlen(needle);
	for (const char *s = strstr(hay, needle); s; s = strstr(s + len, needle))
		n++;
	return n;
}

/* Well-formed UTF-8 with no control characters but '\n' and '\t'. */
static bool clean_utf8(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		unsigned char c = u[i];
		size_t n;
		if (c < 0x80) {
			if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
				return false;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3;
		else
			return false;
		for (size_t k = 1; k <= n; k++)
			if (i + k >= len || (u[i + k] & 0xc0) != 0x80)
				return false;
		i += n + 1;
	}
	return true;
}

/* xmllint --noout on the document, or -1 if xmllint is not installed. */
static int xmllint(const char *doc, size_t len)
{
	char path[] = "/tmp/test_flamegraph_XXXXXX";
	char cmd[128];
	FILE *f;
	int fd, rc;

	if (system("command -v xmllint >/dev/null 2>&1") != 0)
		return -1;
	fd = mkstemp(path);
	if (fd < 0 || !(f = fdopen(fd, "w")))
		return 1;
	fwrite(doc, 1, len, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "xmllint --noout %s", path);
	rc = system(cmd);
	unlink(path);
	return rc == 0 ? 0 : 1;
}

static int init_report(struct fw_report *r, struct fw_profile *p, const char *sample_index,
		       const char *focus)
{
	struct fw_report_opts o;
	struct fw_error err = { "" };
	int rc;

	fw_report_opts_default(&o);
	o.sample_index = sample_index;
	o.focus = focus;
	rc = fw_report_init(r, p, &o, &err);
	if (rc < 0)
		tap_diag("fw_report_init: %s", err.msg);
	return rc;
}

/* Runs collapsed (svg false) or flamegraph on a fresh report of p, with
 * the flame graph options fo (NULL: the title only). */
static char *run_opts(struct fw_profile *p, bool svg, const char *sample_index, const char *focus,
		      const char *title, const struct fw_flamegraph_opts *fo, size_t *len)
{
	struct fw_flamegraph_opts t = { .title = title };
	struct fw_report r;
	struct fw_error err = { "" };
	struct fw_buf out;
	int rc;

	if (init_report(&r, p, sample_index, focus) < 0)
		return NULL;
	fw_buf_init(&out);
	rc = svg ? fw_flamegraph_write(&r, fo ? fo : &t, &out, &err) : fw_collapsed_write(&r, &out, &err);
	fw_report_free(&r);
	if (rc < 0 || out.failed) {
		tap_diag("writing: %s", err.msg);
		fw_buf_free(&out);
		return NULL;
	}
	if (len)
		*len = out.len;
	if (!out.data)
		return calloc(1, 1);
	return out.data;
}

static char *run(struct fw_profile *p, bool svg, const char *sample_index, const char *focus,
		 const char *title, size_t *len)
{
	return run_opts(p, svg, sample_index, focus, title, NULL, len);
}

/* The fill of the first frame whose <title> starts with "name (", or "". */
static const char *fill_of(const char *svg, const char *name, char *out, size_t len)
{
	char key[512];
	const char *t, *f, *e;

	snprintf(out, len, "%s", "");
	snprintf(key, sizeof(key), "<title>%s (", name);
	if (!(t = strstr(svg, key)) || !(f = strstr(t, "fill=\"")) || !(e = strchr(f + 6, '"')))
		return out;
	snprintf(out, len, "%.*s", (int)(e - f - 6), f + 6);
	return out;
}

/* The text drawn in the first frame whose <title> starts with "name (". */
static const char *text_of(const char *svg, const char *name, char *out, size_t len)
{
	char key[512];
	const char *t, *g, *e;

	snprintf(out, len, "%s", "");
	snprintf(key, sizeof(key), "<title>%s (", name);
	if (!(t = strstr(svg, key)) || !(g = strstr(t, "<text ")) || !(g = strchr(g, '>')) ||
	    !(e = strstr(g, "</text>")))
		return out;
	snprintf(out, len, "%.*s", (int)(e - g - 1), g + 1);
	return out;
}

/* ---- tests --------------------------------------------------------------------- */

static void test_collapsed(void)
{
	char *s;

	s = run(profile_a(), false, NULL, NULL, NULL, NULL);
	TAP_EQ_STR(s, a_collapsed, "collapsed: sorted, summed, zero stacks left out, inline frames outer first");
	free(s);

	s = run(profile_a(), false, "samples", NULL, NULL, NULL);
	TAP_EQ_STR(s,
		   "main;<&>\"' 1\n"
		   "main;a 1\n"
		   "main;a;b 2\n"
		   "main;c 1\n"
		   "main;outer;inner 1\n"
		   "main;rec;rec;rec 1\n",
		   "collapsed: -sample_index=samples uses that column");
	free(s);

	s = run(profile_a(), false, NULL, "^rec$", NULL, NULL);
	TAP_EQ_STR(s, "main;rec;rec;rec 4000000\n", "collapsed: focus filtering applies");
	free(s);

	s = run(build(2, b_funcs, N(b_funcs), b_locs, N(b_locs), b_samples, N(b_samples)), false,
		NULL, NULL, NULL, NULL);
	TAP_EQ_STR(s,
		   "main;a 3000000\n"
		   "main;bad?\xffname 1000000\n"
		   "main;c -4000000\n",
		   "collapsed: diff keeps signs, cancelled stacks left out, control chars as '?'");
	free(s);
}

static void test_svg(void)
{
	size_t len = 0;
	char *s;

	s = run(profile_a(), true, NULL, NULL, "prof<1>.pb.gz", &len);
	if (!TAP_OK(s != NULL, "flamegraph: writes profile A"))
		return;
	TAP_OK(strncmp(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"", 36) == 0, "svg: XML declaration first");
	TAP_OK(len > 7 && strcmp(s + len - 7, "</svg>\n") == 0, "svg: ends with </svg>");
	TAP_EQ_UINT(strlen(s), len, "svg: no NUL bytes");
	TAP_OK(clean_utf8(s, len), "svg: valid UTF-8 without control characters");
	TAP_OK(strstr(s, ">prof&lt;1&gt;.pb.gz</text>") != NULL, "svg: title is the escaped file name");
	TAP_OK(strstr(s, "Type: cpu (nanoseconds), Total: 22ms<") != NULL, "svg: sample type and total");
	TAP_EQ_UINT(count(s, "<title>"), 11, "svg: 11 frames (all, main, a, b, c, 3 x rec, weird, outer, inner)");
	TAP_EQ_UINT(count(s, "<title>all ("), 1, "svg: one root frame");
	TAP_EQ_UINT(count(s, "<title>main ("), 1, "svg: main once");
	TAP_EQ_UINT(count(s, "<title>a ("), 1, "svg: a once (shared by main;a and main;a;b)");
	TAP_EQ_UINT(count(s, "<title>b ("), 1, "svg: b once");
	TAP_EQ_UINT(count(s, "<title>c ("), 1, "svg: c once");
	TAP_EQ_UINT(count(s, "<title>rec ("), 3, "svg: rec once per recursion level");
	TAP_EQ_UINT(count(s, "<title>outer ("), 1, "svg: inlined caller frame");
	TAP_EQ_UINT(count(s, "<title>inner ("), 1, "svg: inlined callee frame");
	TAP_EQ_UINT(count(s, "<title>z ("), 0, "svg: zero-valued stack has no frame");
	TAP_EQ_UINT(count(s, "<title>&lt;&amp;&gt;&quot;&apos; ("), 1, "svg: <&>\"' escaped");
	TAP_EQ_UINT(count(s, "<&>"), 0, "svg: no raw <&>");
	TAP_OK(strstr(s, "<title>all (22ms, 100%)</title>") != NULL, "svg: root title value and percentage");
	TAP_OK(strstr(s, "<title>a (8ms, 36.36%)</title>") != NULL, "svg: a title 8ms, 36.36%%");
	TAP_OK(strstr(s, "<title>b (5ms, 22.73%)</title>") != NULL, "svg: b title 5ms, 22.73%%");
	TAP_OK(strstr(s, "<title>inner (7ms, 31.82%)</title>") != NULL, "svg: inner title 7ms, 31.82%%");
	TAP_OK(strstr(s, "<script") && strstr(s, "<style"), "svg: inline script and style");
	TAP_OK(!strstr(s, "href") && !strstr(s, "http://www.w3.org/1999/xlink"), "svg: nothing external");
	{
		int x = xmllint(s, len);
		if (x < 0)
			TAP_SKIP("xmllint not installed", "svg: xmllint --noout");
		else
			TAP_EQ_INT(x, 0, "svg: xmllint --noout");
	}
	{
		/* the same input gives the same bytes */
		size_t len2 = 0;
		char *s2 = run(profile_a(), true, NULL, NULL, "prof<1>.pb.gz", &len2);
		TAP_OK(s2 && len2 == len && memcmp(s, s2, len) == 0, "svg: deterministic");
		free(s2);
	}
	free(s);

	s = run(build(2, b_funcs, N(b_funcs), b_locs, N(b_locs), b_samples, N(b_samples)), true,
		NULL, NULL, "diff", &len);
	if (!TAP_OK(s != NULL, "flamegraph: writes diff profile B"))
		return;
	TAP_OK(clean_utf8(s, len), "diff svg: valid UTF-8 without control characters");
	TAP_OK(strstr(s, "<title>a (+3ms, +") != NULL, "diff svg: growth has a + sign");
	TAP_OK(strstr(s, "<title>c (-4ms, -") != NULL, "diff svg: shrink has a - sign");
	TAP_EQ_UINT(count(s, "<title>b ("), 0, "diff svg: cancelled stack has no frame");
	TAP_OK(strstr(s, "<title>bad\\x01\\xffname (") != NULL,
	       "diff svg: control character and invalid byte shown as escapes (\\x01, \\xff)");
	TAP_OK(strstr(s, "fill=\"rgb(255,") != NULL, "diff svg: red for growth");
	TAP_OK(strstr(s, ",255)\"") != NULL, "diff svg: blue for shrink");
	{
		int x = xmllint(s, len);
		if (x < 0)
			TAP_SKIP("xmllint not installed", "diff svg: xmllint --noout");
		else
			TAP_EQ_INT(x, 0, "diff svg: xmllint --noout");
	}
	free(s);

	s = run(build(1, c_funcs, N(c_funcs), c_locs, N(c_locs), c_samples, N(c_samples)), true,
		NULL, NULL, NULL, &len);
	if (!TAP_OK(s != NULL, "flamegraph: writes profile C"))
		return;
	TAP_EQ_UINT(count(s, "<title>huge ("), 1, "svg: wide frame drawn");
	TAP_EQ_UINT(count(s, "<title>tiny ("), 0, "svg: frame under 0.1 px left out");
	TAP_OK(strstr(s, ">Flame Graph</text>") != NULL, "svg: default title without a name");
	free(s);

	s = run(build(1, c_funcs, N(c_funcs), c_locs, N(c_locs), c_samples, 0), true, NULL, NULL,
		"empty", &len);
	TAP_OK(s && strstr(s, "No samples") && strstr(s, "</svg>\n"), "svg: a profile without samples");
	if (s && xmllint(s, len) > 0)
		TAP_OK(0, "empty svg: xmllint --noout");
	free(s);
}

/* ---- labels, growth, classes ------------------------------------------------ */

static void label_case(const char *name, const char *want)
{
	char shown[160];
	size_t off = fw_flame_label_offset(name);

	snprintf(shown, sizeof(shown), "%s", name);
	for (char *c = shown; *c; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
			*c = '?';
	TAP_OK(off <= strlen(name) && strcmp(name + off, want) == 0, "label: \"%s\" -> \"%s\" (got \"%s\")",
	       shown, want, off <= strlen(name) ? name + off : "(out of range)");
}

static void test_labels(void)
{
	label_case("github.com/DataDog/datadog-agent/pkg/aggregator.(*ContextResolver).trackContext",
		   "aggregator.(*ContextResolver).trackContext");
	label_case("main.main", "main.main");				/* no slash: whole */
	label_case("runtime.mallocgc", "runtime.mallocgc");
	label_case("gopkg.in/yaml.v2.(*parser).parse", "yaml.v2.(*parser).parse"); /* dots in the path */
	label_case("github.com/x/y.Map[...].Get", "y.Map[...].Get");		   /* generics */
	label_case("github.com/x/y.F[github.com/a/b.T]", "y.F[github.com/a/b.T]"); /* '/' in brackets */
	label_case("github.com/x/y.(*T[a/b.U]).M", "y.(*T[a/b.U]).M");
	label_case("k8s.io/client-go/tools/cache.(*Reflector).ListAndWatch.func1.2",
		   "cache.(*Reflector).ListAndWatch.func1.2"); /* closures */
	label_case("github.com/a/b.F /src/github.com/a/b/f.go:12", "b.F /src/github.com/a/b/f.go:12"); /* -lines */
	label_case("struct { F a/b.T }.M", "struct { F a/b.T }.M");
	label_case("foo/", "foo/");	 /* nothing after the slash */
	label_case("a/b/", "b/");
	label_case("/", "/");
	label_case("", "");
	label_case("x/ y", "x/ y");
	label_case("a)/b", "b");	 /* a stray closing bracket is a byte */
	label_case("a[/b", "a[/b");	 /* unclosed: the rest is inside */
	label_case("x/\xff\x01/y\x1b[31m", "y\x1b[31m"); /* hostile bytes */
	label_case("/usr/lib/go/src/runtime/proc.go", "proc.go");	/* -files */
}

/* Profile D: agent-like names. runtime.main;main.work;trackContext;
 * runtime.mallocgc 5ms, runtime.main;main.work 3ms, and a hostile
 * name under a path, runtime.main;x/\x1b[31mevil 1ms. */
#define TRACK "github.com/DataDog/datadog-agent/pkg/aggregator.(*ContextResolver).trackContext"
static const char *const d_funcs[] = { "runtime.main", "main.work", TRACK, "runtime.mallocgc", "x/\x1b[31mevil" };
static const struct loc_spec d_locs[] = { { { 0 }, 1 }, { { 1 }, 1 }, { { 2 }, 1 }, { { 3 }, 1 }, { { 4 }, 1 } };
static const struct sample_spec d_samples[] = {
	{ .locs = { 3, 2, 1, 0 }, .n = 4, .v = { 0, 5 * MS } },
	{ .locs = { 1, 0 }, .n = 2, .v = { 0, 3 * MS } },
	{ .locs = { 4, 0 }, .n = 2, .v = { 0, 1 * MS } },
};

static struct fw_flame_class test_class(const char *func, void *ctx)
{
	int *calls = ctx;
	(*calls)++;
	if (!strncmp(func, "runtime.", 8))
		return (struct fw_flame_class){ NULL, true };
	if (strstr(func, "/pkg/aggregator"))
		return (struct fw_flame_class){ "aggregator", false };
	if (!strcmp(func, "main.work"))
		return (struct fw_flame_class){ "<work & co>", false };
	return (struct fw_flame_class){ NULL, false };
}

static bool warm(const char *fill)
{
	unsigned r, g, b;
	return sscanf(fill, "rgb(%u,%u,%u)", &r, &g, &b) == 3 && r >= 205 && g <= 230 && b <= 55;
}

static bool grey(const char *fill)
{
	unsigned r, g, b;
	return sscanf(fill, "rgb(%u,%u,%u)", &r, &g, &b) == 3 && r == g && g == b;
}

static void test_classes(void)
{
	int calls = 0;
	struct fw_flamegraph_opts fo = { .title = "d", .classify = test_class, .ctx = &calls };
	char a[64], b[64], c[64];
	size_t len = 0;
	char *s = run_opts(build(1, d_funcs, N(d_funcs), d_locs, N(d_locs), d_samples, N(d_samples)), true, NULL,
			   NULL, NULL, &fo, &len);

	if (!TAP_OK(s != NULL, "classes: writes profile D"))
		return;
	TAP_OK(calls > 0, "classes: the classifier was called (%d times)", calls);
	TAP_OK(strstr(s, "<title>" TRACK " (5ms, 55.56%)</title>") != NULL, "classes: full name, value, %% in <title>");
	TAP_EQ_STR(text_of(s, TRACK, a, sizeof(a)), "aggregator.(*ContextResolver).trackContext",
		   "classes: the frame shows the short label");
	TAP_OK(strstr(s, "data-label=\"aggregator.(*ContextResolver).trackContext\"") != NULL,
	       "classes: the script gets the short label");
	TAP_EQ_STR(text_of(s, "main.work", a, sizeof(a)), "main.work", "classes: a name without '/' is whole");
	TAP_OK(strstr(s, "<title>x/\\x1b[31mevil (1ms") != NULL, "classes: hostile name escaped in <title>");
	TAP_EQ_STR(text_of(s, "x/\\x1b[31mevil", a, sizeof(a)), "\\x1b[31mevil",
		   "classes: hostile name's label is the escaped suffix");
	fill_of(s, "runtime.main", a, sizeof(a));
	fill_of(s, "runtime.mallocgc", b, sizeof(b));
	TAP_OK(grey(a) && grey(b) && !strcmp(a, b), "classes: runtime frames grey (%s, %s)", a, b);
	fill_of(s, TRACK, a, sizeof(a));
	fill_of(s, "main.work", b, sizeof(b));
	fill_of(s, "x/\\x1b[31mevil", c, sizeof(c));
	TAP_OK(!grey(a) && !warm(a) && !grey(b) && !warm(b) && strcmp(a, b) != 0,
	       "classes: two components, two palette colours (%s, %s)", a, b);
	TAP_OK(warm(c), "classes: unclassified code warm (%s)", c);
	{
		/* the legend: each component with its colour, the runtime, other */
		char want[128];
		const char *lg = strstr(s, "<g id=\"legend\">"), *end = lg ? strstr(lg, "</g>") : NULL;
		fill_of(s, TRACK, a, sizeof(a));
		snprintf(want, sizeof(want), "fill=\"%s\"", a);
		TAP_OK(lg && end && strstr(lg, ">aggregator</text>") && strstr(lg, want) && strstr(lg, want) < end,
		       "classes: legend names the component with its colour");
		TAP_OK(lg && strstr(lg, ">&lt;work &amp; co&gt;</text>") && strstr(lg, ">&lt;work") < end,
		       "classes: legend labels escaped");
		TAP_OK(lg && strstr(lg, ">Go runtime</text>") && strstr(lg, ">other</text>"),
		       "classes: legend has the runtime and other code");
	}
	{
		int x = xmllint(s, len);
		if (x < 0)
			TAP_SKIP("xmllint not installed", "classes svg: xmllint --noout");
		else
			TAP_EQ_INT(x, 0, "classes svg: xmllint --noout");
	}
	free(s);
}

/* Profile E: p;f 1, p;f.func1 2, p;f;g 4 -- in byte order "p;f.func1"
 * sorts between "p;f" and "p;f;g". */
static const char *const e_funcs[] = { "p", "f", "f.func1", "g" };
static const struct loc_spec e_locs[] = { { { 0 }, 1 }, { { 1 }, 1 }, { { 2 }, 1 }, { { 3 }, 1 } };
static const struct sample_spec e_samples[] = {
	{ .locs = { 1, 0 }, .n = 2, .v = { 0, 1 * MS } },
	{ .locs = { 2, 0 }, .n = 2, .v = { 0, 2 * MS } },
	{ .locs = { 3, 1, 0 }, .n = 3, .v = { 0, 4 * MS } },
};

static void test_tree_order(void)
{
	char *s = run(build(1, e_funcs, N(e_funcs), e_locs, N(e_locs), e_samples, N(e_samples)), true, NULL, NULL,
		      "e", NULL);
	char *c = run(build(1, e_funcs, N(e_funcs), e_locs, N(e_locs), e_samples, N(e_samples)), false, NULL,
		      NULL, NULL, NULL);

	TAP_EQ_STR(c, "p;f 1000000\np;f.func1 2000000\np;f;g 4000000\n", "tree order: collapsed stays in byte order");
	TAP_OK(s && count(s, "<title>f (") == 1 && strstr(s, "<title>f (5ms, 71.43%)</title>"),
	       "tree order: f is one frame of 5ms although f.func1 sorts between its stacks");
	TAP_OK(s && strstr(s, "<title>f.func1 (2ms, 28.57%)</title>"), "tree order: f.func1 its own frame");
	free(s);
	free(c);
}

/* Profile F: names that sort across the ';' between frames, a name
 * holding ';' that prints like two frames, a control character. Leaf
 * first: p;f 1, p;f+x 2, p;f;g 4, p;"f;g" 8, p;f.func1 16, p;"\x01c" 32,
 * p 64. */
static const char *const f_funcs[] = { "p", "f", "f+x", "g", "f;g", "f.func1", "\001c" };
static const struct loc_spec f_locs[] = { { { 0 }, 1 }, { { 1 }, 1 }, { { 2 }, 1 }, { { 3 }, 1 },
					  { { 4 }, 1 }, { { 5 }, 1 }, { { 6 }, 1 } };
static const struct sample_spec f_samples[] = {
	{ .locs = { 1, 0 }, .n = 2, .v = { 0, 1 * MS } },    { .locs = { 2, 0 }, .n = 2, .v = { 0, 2 * MS } },
	{ .locs = { 3, 1, 0 }, .n = 3, .v = { 0, 4 * MS } }, { .locs = { 4, 0 }, .n = 2, .v = { 0, 8 * MS } },
	{ .locs = { 5, 0 }, .n = 2, .v = { 0, 16 * MS } },   { .locs = { 6, 0 }, .n = 2, .v = { 0, 32 * MS } },
	{ .locs = { 0 }, .n = 1, .v = { 0, 64 * MS } },
};

/* fw_collapsed_stream of p into a temporary file, read back. */
static char *run_stream(struct fw_profile *p)
{
	struct fw_report r;
	struct fw_error err = { "" };
	FILE *f = tmpfile();
	char *s = NULL;
	long n;

	if (!f || init_report(&r, p, NULL, NULL) < 0) {
		if (f)
			fclose(f);
		return NULL;
	}
	if (fw_collapsed_stream(&r, f, &err) < 0)
		tap_diag("fw_collapsed_stream: %s", err.msg);
	else if ((n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 && (s = calloc(1, (size_t)n + 1)) &&
		 fread(s, 1, (size_t)n, f) != (size_t)n) {
		free(s);
		s = NULL;
	}
	fw_report_free(&r);
	fclose(f);
	return s;
}

static void test_text_order(void)
{
	char *c = run(build(1, f_funcs, N(f_funcs), f_locs, N(f_locs), f_samples, N(f_samples)), false, NULL,
		      NULL, NULL, NULL);
	char *st = run_stream(build(1, f_funcs, N(f_funcs), f_locs, N(f_locs), f_samples, N(f_samples)));
	char *s = run(build(1, f_funcs, N(f_funcs), f_locs, N(f_locs), f_samples, N(f_samples)), true, NULL,
		      NULL, "f", NULL);

	/* the lines as `printf ... | LC_ALL=C sort` orders them: '+' (0x2b)
	 * and '.' (0x2e) below ';' (0x3b), '?' (0x3f) below 'f' */
	TAP_EQ_STR(c,
		   "p 64000000\np;?c 32000000\np;f 1000000\np;f+x 2000000\np;f.func1 16000000\n"
		   "p;f;g 12000000\n",
		   "text order: byte order of the printed stacks, equal texts summed");
	TAP_EQ_STR(st, c, "text order: the streamed output is the same");
	/* the tree: f holds p;f and p;f;g (the first of the two stacks that
	 * print "p;f;g"), f+x and f.func1 are its siblings */
	TAP_OK(s && count(s, "<title>f (") == 1 && strstr(s, "<title>f (13ms, 10.24%)</title>"),
	       "text order: f is one frame of 13ms");
	TAP_OK(s && strstr(s, "<title>f+x (2ms, 1.57%)</title>") && strstr(s, "<title>f.func1 (16ms, 12.60%)</title>"),
	       "text order: f+x and f.func1 are frames of their own");
	TAP_OK(s && strstr(s, "<title>p (127ms, 100%)</title>"), "text order: p holds every stack");
	free(c);
	free(st);
	free(s);
}

/* Every function its own component: 14 > the 12 palette colours. */
static struct fw_flame_class own_class(const char *func, void *ctx)
{
	(void)ctx;
	return (struct fw_flame_class){ func, false };
}

static void test_many_classes(void)
{
	static const char *const funcs[] = { "main", "component-01", "component-02", "component-03",
					     "component-04", "component-05", "component-06", "component-07",
					     "component-08", "component-09", "component-10", "component-11",
					     "component-12", "component-13" };
	struct loc_spec locs[N(funcs)];
	struct sample_spec ss[N(funcs) - 1];
	struct fw_flamegraph_opts fo = { .title = "many", .classify = own_class };
	char a[64], b[64], c[64];
	size_t len = 0;
	char *s;
	int height = 0;

	for (size_t i = 0; i < N(funcs); i++)
		locs[i] = (struct loc_spec){ { (int)i }, 1 };
	for (size_t i = 1; i < N(funcs); i++)
		ss[i - 1] = (struct sample_spec){ .locs = { (int)i, 0 }, .n = 2, .v = { 0, 10 * MS } };
	s = run_opts(build(1, funcs, N(funcs), locs, N(locs), ss, N(ss)), true, NULL, NULL, NULL, &fo, &len);
	if (!TAP_OK(s != NULL, "many classes: writes the graph"))
		return;
	fill_of(s, "component-01", a, sizeof(a));
	fill_of(s, "component-02", b, sizeof(b));
	fill_of(s, "component-13", c, sizeof(c));
	TAP_OK(strcmp(a, b) != 0 && strcmp(a, c) == 0, "many classes: distinct colours, repeating after 12 (%s %s %s)",
	       a, b, c);
	TAP_OK(strstr(s, ">(more components: colours repeat)</text>") != NULL, "many classes: the legend says so");
	if (sscanf(strstr(s, "height=\"") + 8, "%d", &height) != 1)
		height = -1;
	/* title area 64 px, 2 legend lines of 18, 3 frame rows of 16, 32 below */
	TAP_EQ_INT(height, 64 + 2 * 18 + 3 * 16 + 32, "many classes: the legend takes two lines");
	if (xmllint(s, len) > 0)
		TAP_OK(0, "many classes svg: xmllint --noout");
	free(s);
}

static void test_growth(void)
{
	struct fw_flamegraph_opts fo = { .title = "growth", .growth = true };
	char a[64];
	size_t len = 0;
	char *s;

	/* B: a +3 (5 - 2), c -4, b 0, bad +1: total growth 4ms, net 0 */
	s = run_opts(build(2, b_funcs, N(b_funcs), b_locs, N(b_locs), b_samples, N(b_samples)), true, NULL, NULL,
		     NULL, &fo, &len);
	if (!TAP_OK(s != NULL, "growth: writes diff profile B"))
		return;
	TAP_OK(strstr(s, "Total growth: +4ms (sum of the functions that grew), Net change: 0<") != NULL,
	       "growth: subtitle has the total growth and the net change");
	TAP_OK(strstr(s, "<title>a (+3ms, +75.00% of growth)</title>") != NULL, "growth: a is 75%% of the growth");
	TAP_OK(strstr(s, "<title>c (-4ms, -100% of growth)</title>") != NULL, "growth: c shrank by 100%% of it");
	TAP_OK(strstr(s, "<title>bad\\x01\\xffname (+1ms, +25.00% of growth)</title>") != NULL,
	       "growth: bad is 25%% of the growth");
	TAP_OK(strstr(s, "<title>all (0, 0% of growth)</title>") != NULL, "growth: root is the net change");
	fill_of(s, "a", a, sizeof(a));
	TAP_EQ_STR(a, "rgb(255,102,102)", "growth: a red (3/4 of the largest change)");
	fill_of(s, "c", a, sizeof(a));
	TAP_EQ_STR(a, "rgb(60,60,255)", "growth: c blue, the largest change");
	fill_of(s, "all", a, sizeof(a));
	TAP_EQ_STR(a, "rgb(220,220,220)", "growth: net zero is grey");
	TAP_OK(strstr(s, ">grew (the darker, the more)</text>") && strstr(s, ">shrank</text>") &&
		       strstr(s, ">percentages are of the total growth</text>"),
	       "growth: legend");
	if (xmllint(s, len) > 0)
		TAP_OK(0, "growth svg: xmllint --noout");
	free(s);

	/* growth mode on a profile that only grew: red everywhere, 100% */
	s = run_opts(profile_a(), true, NULL, NULL, NULL, &fo, &len);
	TAP_OK(s && strstr(s, "<title>all (+22ms, +100% of growth)</title>") &&
		       strstr(s, "<title>a (+8ms, +36.36% of growth)</title>"),
	       "growth: a profile without negatives is all growth");
	TAP_OK(s && !strstr(s, ",255)\" rx"), "growth: ... and nothing blue");
	free(s);
}

/* The CLI's way: collapsed streamed (fw_collapsed_stream) or the flame
 * graph with drop_samples, on a fresh report of p. *dropped: afterwards the
 * report has no sample, value or label left, and still the stacks'
 * locations. */
static char *run_drop(struct fw_profile *p, bool svg, const char *sample_index,
		      struct fw_flamegraph_opts fo, bool *dropped)
{
	struct fw_report r;
	struct fw_error err = { "" };
	struct fw_buf out;
	bool had_locs = p->n_sample_locs > 0;
	FILE *f = NULL;
	char *text = NULL;
	long n;
	int rc;

	*dropped = false;
	if (init_report(&r, p, sample_index, NULL) < 0)
		return NULL;
	fw_buf_init(&out);
	fo.drop_samples = true;
	if (svg) {
		rc = fw_flamegraph_write(&r, &fo, &out, &err);
		text = out.failed ? NULL : strdup(fw_buf_str(&out));
	} else if (!(f = tmpfile())) {
		rc = -errno;
	} else if ((rc = fw_collapsed_stream(&r, f, &err)) == 0 && (n = ftell(f)) >= 0 &&
		   fseek(f, 0, SEEK_SET) == 0 && (text = calloc(1, (size_t)n + 1)) &&
		   fread(text, 1, (size_t)n, f) != (size_t)n) {
		free(text);
		text = NULL;
	}
	if (f)
		fclose(f);
	fw_buf_free(&out);
	*dropped = !r.p->samples && !r.p->n_samples && !r.p->values && !r.p->labels && !r.p->n_labels &&
		   (r.p->sample_locs != NULL) == had_locs;
	fw_report_free(&r);
	if (rc < 0)
		tap_diag("writing: %s", err.msg);
	return rc < 0 ? NULL : text;
}

/* Each output the same whether the report keeps its samples or the
 * stacks are built in their room. */
static void drop_case(const char *what, struct fw_profile *(*make)(void), bool svg, const char *sample_index,
		      struct fw_flamegraph_opts fo)
{
	char *kept = run_opts(make(), svg, sample_index, NULL, NULL, &fo, NULL);
	bool dropped;
	char *got = run_drop(make(), svg, sample_index, fo, &dropped);

	TAP_OK(kept && got && strcmp(kept, got) == 0, "drop samples, %s: the same output", what);
	TAP_OK(dropped, "drop samples, %s: the samples, values and labels are freed, the stacks kept", what);
	free(kept);
	free(got);
}

static struct fw_profile *profile_b(void)
{
	return build(2, b_funcs, N(b_funcs), b_locs, N(b_locs), b_samples, N(b_samples));
}

static struct fw_profile *profile_f(void)
{
	return build(1, f_funcs, N(f_funcs), f_locs, N(f_locs), f_samples, N(f_samples));
}

/* Profile G: zero values between the others, in both sample types, so
 * that stacks are written over earlier samples; main;a twice. */
static const struct sample_spec g_samples[] = {
	{ .locs = { 1, 0 }, .n = 2, .v = { 0, 1 * MS } },
	{ .locs = { 2, 0 }, .n = 2, .v = { 1, 0 }, .labels = { L("phase", "x") }, .n_labels = 1 },
	{ .locs = { 3, 0 }, .n = 2, .v = { 0, 2 * MS }, .labels = { NL("bytes", "bytes", 64) }, .n_labels = 1 },
	{ .locs = { 1, 0 }, .n = 2, .v = { 1, 0 } },
	{ .locs = { 1, 0 }, .n = 2, .v = { 0, 4 * MS } },
	{ .locs = { 2, 1, 0 }, .n = 3, .v = { 0, 8 * MS } },
};

static struct fw_profile *profile_g(void)
{
	return build(2, a_funcs, N(a_funcs), a_locs, N(a_locs), g_samples, N(g_samples));
}

static void test_drop(void)
{
	struct fw_flamegraph_opts plain = { .title = "t" }, classes = { .title = "t", .classify = own_class },
				  growth = { .title = "t", .growth = true };
	bool dropped;
	char *s = run_drop(profile_a(), false, NULL, plain, &dropped);

	/* A's labels are freed; its zero sample (z) is left out as the
	 * stacks are compacted over the samples */
	TAP_EQ_STR(s, a_collapsed, "drop samples: collapsed A");
	free(s);
	s = run_drop(profile_g(), false, NULL, plain, &dropped);
	TAP_EQ_STR(s, "main;a 5000000\nmain;a;b 8000000\nmain;c 2000000\n", "drop samples: collapsed G");
	TAP_OK(dropped, "drop samples, collapsed G: the samples are freed");
	free(s);
	s = run_drop(profile_g(), false, "0", plain, &dropped);
	TAP_EQ_STR(s, "main;a 1\nmain;b 1\n", "drop samples: collapsed G -sample_index=0");
	free(s);
	drop_case("flamegraph G", profile_g, true, NULL, plain);
	drop_case("collapsed A -sample_index=0", profile_a, false, "0", plain);
	drop_case("flamegraph A", profile_a, true, NULL, plain);
	drop_case("flamegraph A, classes", profile_a, true, "0", classes);
	drop_case("collapsed B (negative values)", profile_b, false, NULL, plain);
	drop_case("flamegraph B, growth", profile_b, true, NULL, growth);
	drop_case("collapsed F (equal texts merged)", profile_f, false, NULL, plain);
	drop_case("flamegraph F", profile_f, true, NULL, plain);
}

static void test_meta(void)
{
	struct fw_profile *p = profile_a();
	struct fw_error err = { "" };
	struct fw_buf out;
	int rc;

	p->default_sample_type = S(p, "samples");
	p->period_type = (struct fw_value_type){ S(p, "cpu"), S(p, "nanoseconds") };
	p->period = 10000000;
	p->time_nanos = 1700000000123456789LL;
	p->duration_nanos = 1500000000LL;
	mapping(p, "/usr/bin/app", 0x400000, 0x500000);
	p->mappings[0].build_id = S(p, "abc123");
	comment(p, "hello\nworld");
	comment(p, "second");
	p->drop_frames = S(p, "runtime\\..*");

	fw_buf_init(&out);
	rc = fw_meta_write(p, "prof.pb.gz", &out, &err);
	TAP_EQ_INT(rc, 0, "meta: succeeds");
	TAP_EQ_STR(fw_buf_str(&out),
		   "file: prof.pb.gz\n"
		   "sample_type: samples/count (default)\n"
		   "sample_type: cpu/nanoseconds\n"
		   "period_type: cpu/nanoseconds\n"
		   "period: 10000000\n"
		   "time: 2023-11-14T22:13:20Z\n"
		   "duration: 1.50s\n"
		   "samples: 8\n"
		   "locations: 8\n"
		   "functions: 9\n"
		   "mappings: 1\n"
		   "main_mapping: /usr/bin/app\n"
		   "build_id: abc123\n"
		   "string_label_keys: phase, zone\n"
		   "numeric_label_keys: bytes (bytes), count\n"
		   "comment: hello\\x0aworld\n"
		   "comment: second\n"
		   "drop_frames: runtime\\..*\n",
		   "meta: every line of a full profile");
	fw_buf_free(&out);

	/* no default_sample_type: the last type is the default */
	p->default_sample_type = S(p, "nonesuch");
	p->time_nanos = 0;
	p->duration_nanos = 0;
	fw_buf_init(&out);
	rc = fw_meta_write(p, "x", &out, &err);
	TAP_OK(rc == 0 && strstr(fw_buf_str(&out), "sample_type: samples/count\n"
						    "sample_type: cpu/nanoseconds (default)\n"),
	       "meta: unmatched default_sample_type falls back to the last");
	TAP_OK(!strstr(fw_buf_str(&out), "time:") && !strstr(fw_buf_str(&out), "duration:"),
	       "meta: zero time and duration are left out");
	fw_buf_free(&out);
	fw_profile_free(p);
}

static void test_fixture(void)
{
	const char *top = getenv("abs_top_srcdir");
	char path[4096];
	struct fw_profile *p = NULL;
	struct fw_error err = { "" };
	struct fw_report r;
	struct fw_buf out;
	int64_t want = 0, got = 0;
	size_t lines = 0;
	bool sorted = true, nonzero = true, parsed = true;
	const char *prev = NULL;
	size_t prev_len = 0;

	snprintf(path, sizeof(path), "%s%stests/fixtures/profiles/cpu.pb.gz", top ? top : "",
		 top ? "/" : "");
	if (access(path, R_OK) != 0) {
		TAP_SKIP("fixture not found (set abs_top_srcdir)", "cpu.pb.gz: collapsed sum");
		return;
	}
	if (!TAP_EQ_INT(fw_profile_read(path, NULL, &p, &err), 0, "cpu.pb.gz: decodes"))
		return;

	fw_buf_init(&out);
	TAP_EQ_INT(fw_meta_write(p, "cpu.pb.gz", &out, &err), 0, "cpu.pb.gz: meta");
	TAP_OK(strstr(fw_buf_str(&out), "\nsample_type: cpu/nanoseconds (default)\n") != NULL,
	       "cpu.pb.gz meta: cpu/nanoseconds is the default");
	TAP_OK(strstr(fw_buf_str(&out), "\nperiod_type: cpu/nanoseconds\n") != NULL,
	       "cpu.pb.gz meta: period type");
	{
		char want_line[64];
		snprintf(want_line, sizeof(want_line), "\nsamples: %zu\n", p->n_samples);
		TAP_OK(strstr(fw_buf_str(&out), want_line) != NULL, "cpu.pb.gz meta: sample count");
	}
	fw_buf_free(&out);

	if (init_report(&r, p, NULL, NULL) < 0) {
		TAP_OK(0, "cpu.pb.gz: report");
		return;
	}
	for (size_t s = 0; s < r.p->n_samples; s++)
		want += fw_sample_values(r.p, s)[r.vi];
	fw_buf_init(&out);
	TAP_EQ_INT(fw_collapsed_write(&r, &out, &err), 0, "cpu.pb.gz: collapsed");
	for (const char *s = fw_buf_str(&out); *s;) {
		const char *nl = strchr(s, '\n'), *sp;
		char *end;
		long long v;

		if (!nl) {
			parsed = false;
			break;
		}
		sp = s;
		for (const char *q = s; q < nl; q++)
			if (*q == ' ')
				sp = q;
		v = strtoll(sp + 1, &end, 10);
		if (*sp != ' ' || end != nl)
			parsed = false;
		if (v == 0)
			nonzero = false;
		if (prev) {
			size_t n = prev_len < (size_t)(sp - s) ? prev_len : (size_t)(sp - s);
			int c = memcmp(prev, s, n);
			if (c > 0 || (c == 0 && prev_len >= (size_t)(sp - s)))
				sorted = false;
		}
		prev = s;
		prev_len = (size_t)(sp - s);
		got += v;
		lines++;
		s = nl + 1;
	}
	TAP_OK(parsed, "cpu.pb.gz collapsed: every line is \"stack value\"");
	TAP_OK(lines > 0, "cpu.pb.gz collapsed: %zu stacks", lines);
	TAP_OK(sorted, "cpu.pb.gz collapsed: strictly sorted, no duplicate stacks");
	TAP_OK(nonzero, "cpu.pb.gz collapsed: no zero values");
	TAP_EQ_INT(got, want, "cpu.pb.gz collapsed: values sum to the samples' sum");
	TAP_EQ_INT(got, r.total, "cpu.pb.gz collapsed: ... which is the report total");
	fw_buf_free(&out);

	fw_buf_init(&out);
	{
		struct fw_flamegraph_opts fo = { .title = "cpu.pb.gz" };
		TAP_EQ_INT(fw_flamegraph_write(&r, &fo, &out, &err), 0, "cpu.pb.gz: flamegraph");
	}
	TAP_OK(clean_utf8(fw_buf_str(&out), out.len), "cpu.pb.gz svg: valid UTF-8");
	{
		int x = xmllint(fw_buf_str(&out), out.len);
		if (x < 0)
			TAP_SKIP("xmllint not installed", "cpu.pb.gz svg: xmllint --noout");
		else
			TAP_EQ_INT(x, 0, "cpu.pb.gz svg: xmllint --noout");
	}
	fw_buf_free(&out);
	fw_report_free(&r);
}

int main(void)
{
	test_collapsed();
	test_svg();
	test_labels();
	test_classes();
	test_growth();
	test_many_classes();
	test_tree_order();
	test_text_order();
	test_drop();
	test_meta();
	test_fixture();
	return tap_done();
}
