/*
 * report.c: the shared part of every report (see report.h). The order of
 * operations follows `go tool pprof`'s driver: fetch and merge, choose the
 * sample index, compute the total, filter by focus/ignore, aggregate to the
 * requested granularity, build the graph.
 */
#include "pprof/report.h"
#include "pprof/list.h"

#include "pprof/filter.h"
#include "pprof/funcname.h"
#include "pprof/labelnodes.h"
#include "pprof/merge.h"
#include "pprof/units.h"
#include "base/heap.h"
#include "base/regexp.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void fw_report_opts_default(struct fw_report_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->granularity = FW_GRAN_FUNCTIONS;
	o->nodefraction = 0.005;
	o->edgefraction = 0.001;
	o->ratio = 1;
}

/* ---- fetching --------------------------------------------------------------- */

/* pprof's Profile.Normalize: src's values scaled, per sample type, by the
 * base's sum over its own (0 when src's sum is 0), after the check that
 * both have the same period and sample types (Profile.compatible). */
static int normalize(struct fw_profile *src, const struct fw_profile *base, struct fw_error *err)
{
	size_t nt = src->n_sample_types;
	int64_t *sums;
	double *ratios;
	bool same = nt == base->n_sample_types &&
		    !strcmp(fw_pstr(src, src->period_type.type), fw_pstr(base, base->period_type.type)) &&
		    !strcmp(fw_pstr(src, src->period_type.unit), fw_pstr(base, base->period_type.unit));

	for (size_t i = 0; same && i < nt; i++)
		same = !strcmp(fw_pstr(src, src->sample_types[i].type), fw_pstr(base, base->sample_types[i].type)) &&
		       !strcmp(fw_pstr(src, src->sample_types[i].unit), fw_pstr(base, base->sample_types[i].unit));
	if (!same)
		return fw_err(err, -EINVAL, "-normalize: incompatible period or sample types");
	sums = calloc(2 * nt + 1, sizeof(*sums));
	ratios = calloc(nt + 1, sizeof(*ratios));
	if (!sums || !ratios) {
		free(sums);
		free(ratios);
		return fw_err(err, -ENOMEM, "out of memory");
	}
	/* Go's int64 sums wrap around; so do these (unsigned arithmetic) */
	for (size_t s = 0; s < base->n_samples; s++)
		for (size_t i = 0; i < nt; i++)
			sums[i] = (int64_t)((uint64_t)sums[i] + (uint64_t)fw_sample_values(base, s)[i]);
	for (size_t s = 0; s < src->n_samples; s++)
		for (size_t i = 0; i < nt; i++)
			sums[nt + i] = (int64_t)((uint64_t)sums[nt + i] + (uint64_t)fw_sample_values(src, s)[i]);
	for (size_t i = 0; i < nt; i++)
		ratios[i] = sums[nt + i] == 0 ? 0.0 : (double)sums[i] / (double)sums[nt + i];
	fw_profile_scale_n(src, ratios);
	free(sums);
	free(ratios);
	return 0;
}

static void free_all(struct fw_profile **ps, size_t n)
{
	for (size_t i = 0; ps && i < n; i++) {
		fw_profile_free(ps[i]);
		ps[i] = NULL;
	}
}

/* pprof's fetch once the profiles are read, over profiles it takes over
 * (every sources[i] and bases[i] is NULL on return): the sources made
 * unit-compatible and merged; the bases too, labelled pprof::base=true
 * for -diff_base, the sources normalized to them for -normalize, negated
 * and merged in. Each merge grows its first profile in place and frees
 * the others as they are copied. additive: as fw_profiles_load. */
static int combine_owned(struct fw_profile **sources, size_t n_sources, struct fw_profile **bases,
			 size_t n_bases, bool diff_base, bool norm, bool additive, struct fw_profile **out,
			 struct fw_error *err)
{
	struct fw_profile *pair[2] = { NULL, NULL };
	bool relabelled = false;
	int r;

	if (n_sources == 0) {
		r = fw_err(err, -EINVAL, "no source profiles");
		goto fail;
	}
	if (norm && n_bases == 0) {
		r = fw_err(err, -EINVAL, "must have base profile to normalize by");
		goto fail;
	}
	/* Sources of one kind are unit-scaled then merged, as pprof does. */
	if ((r = fw_profiles_scale_units(sources, n_sources, err)) < 0 ||
	    (r = fw_profiles_merge_owned(sources, n_sources, additive && n_bases == 0, &pair[0], err)) < 0)
		goto fail;
	if (n_bases == 0) {
		*out = pair[0];
		return 0;
	}
	if ((r = fw_profiles_scale_units(bases, n_bases, err)) < 0 ||
	    (r = fw_profiles_merge_owned(bases, n_bases, false, &pair[1], err)) < 0)
		goto fail;
	if (diff_base && (r = fw_profile_set_label(pair[1], "pprof::base", "true", err)) < 0)
		goto fail;
	relabelled = diff_base && r == 1;
	if (norm && (r = normalize(pair[0], pair[1], err)) < 0)
		goto fail;
	if ((r = fw_profile_scale(pair[1], -1)) < 0) {
		r = fw_err(err, r, "out of memory");
		goto fail;
	}
	if ((r = fw_profiles_scale_units(pair, 2, err)) < 0)
		goto fail;
	/* Each was compacted, then only scaled, or labelled: unless a label
	 * was replaced, neither holds two equal samples. */
	if (!relabelled)
		return fw_profiles_merge_distinct(pair, out, err);
	return fw_profiles_merge_owned(pair, 2, additive, out, err);
fail:
	free_all(sources, n_sources);
	free_all(bases, n_bases);
	free_all(pair, 2);
	return r;
}

/* combine_owned over copies: the caller's profiles are only read. */
static int combine(struct fw_profile *const *sources, size_t n_sources, struct fw_profile *const *bases,
		   size_t n_bases, bool diff_base, bool norm, struct fw_profile **out, struct fw_error *err)
{
	struct fw_profile **c = calloc(n_sources + n_bases + 1, sizeof(*c));
	int r = 0;

	if (!c)
		return fw_err(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n_sources + n_bases && r == 0; i++)
		r = fw_profile_clone(i < n_sources ? sources[i] : bases[i - n_sources], &c[i]);
	if (r < 0) {
		free_all(c, n_sources + n_bases);
		r = fw_err(err, r, "out of memory");
	} else {
		r = combine_owned(c, n_sources, c + n_sources, n_bases, diff_base, norm, false, out, err);
	}
	free(c);
	return r;
}

int fw_profiles_combine(struct fw_profile *const *sources, size_t n_sources,
			struct fw_profile *const *bases, size_t n_bases, bool diff_base,
			struct fw_profile **out, struct fw_error *err)
{
	return combine(sources, n_sources, bases, n_bases, diff_base, false, out, err);
}

int fw_profiles_combine_normalized(struct fw_profile *const *sources, size_t n_sources,
				   struct fw_profile *const *bases, size_t n_bases, bool diff_base,
				   struct fw_profile **out, struct fw_error *err)
{
	return combine(sources, n_sources, bases, n_bases, diff_base, true, out, err);
}

/* The reason pprof gives for a source it cannot open: Go's os.Open error,
 * "open PATH: no such file or directory" (Go's errno texts are glibc's with
 * a lowercase first letter). Other failures keep our own message. */
static void fetch_reason(const char *path, int r, const struct fw_error *err, struct fw_buf *out)
{
	static const int open_errors[] = { ENOENT, EACCES, ENOTDIR, ELOOP, ENAMETOOLONG };
	const char *text = strerror(-r);
	size_t plen = strlen(path);

	for (size_t i = 0; i < sizeof(open_errors) / sizeof(open_errors[0]); i++) {
		if (-r != open_errors[i] || strncmp(err->msg, path, plen) || strncmp(err->msg + plen, ": ", 2) ||
		    strcmp(err->msg + plen + 2, text))
			continue;
		fw_buf_printf(out, "%s: open %s: %c%s\n", path, path,
			      text[0] >= 'A' && text[0] <= 'Z' ? text[0] - 'A' + 'a' : text[0], text + 1);
		return;
	}
	fw_buf_printf(out, "%s\n", err->msg);
}

/* pprof's locateBinaries gives a profile without mappings one without a
 * file, which every location uses, before profiles are merged: a mapping
 * of its own that stays first in a merge (so no "File:" line), and is
 * written out by merge. */
static int add_fake_mapping(struct fw_profile *p)
{
	struct fw_mapping *m;

	if (p->n_mappings > 0)
		return 0;
	if (!(m = calloc(1, sizeof(*m))))
		return -ENOMEM;
	m->id = 1;
	free(p->mappings);
	p->mappings = m;
	p->n_mappings = 1;
	for (size_t i = 0; i < p->n_locations; i++)
		p->locations[i].mapping = 0;
	return 0;
}

/* Reads every path. Without warnings, the first failure is the error.
 * With warnings, as pprof's fetch: a source that cannot be read is noted
 * ("PATH: reason") and left out; *n is set to the number read (the
 * profiles are packed at the front); 0 read is not an error here. */
static int load_all(const char *const *paths, size_t *n, const struct fw_decode_limits *lim,
		    struct fw_buf *warnings, struct fw_profile ***out, struct fw_error *err)
{
	struct fw_profile **ps = calloc(*n + 1, sizeof(*ps));
	size_t ok = 0;
	int r;

	if (!ps)
		return fw_err(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < *n; i++) {
		if ((r = fw_profile_read(paths[i], lim, &ps[ok], err)) == 0) {
			if (add_fake_mapping(ps[ok]) == 0) {
				ok++;
				continue;
			}
			fw_profile_free(ps[ok]);
			ps[ok] = NULL;
			r = fw_err(err, -ENOMEM, "out of memory");
		}
		if (warnings && r != -ENOMEM) {
			fetch_reason(paths[i], r, err, warnings);
			continue;
		}
		for (size_t k = 0; k < ok; k++)
			fw_profile_free(ps[k]);
		free(ps);
		return r;
	}
	*n = ok;
	*out = ps;
	return 0;
}

int fw_profiles_load(const char *const *sources, size_t n_sources, const char *const *bases,
		     size_t n_bases, bool diff_base, bool additive,
		     const struct fw_decode_limits *lim, const char *symbolize,
		     struct fw_buf *warnings, struct fw_profile **out, struct fw_error *err)
{
	struct fw_profile **s = NULL, **b = NULL;
	size_t want_sources = n_sources, want_bases = n_bases;
	struct fw_symbolize sym;
	int r;

	/* pprof's grabSourcesAndBases: read what can be read, note the rest */
	if ((r = load_all(sources, &n_sources, lim, warnings, &s, err)) < 0)
		return r;
	if (n_bases && (r = load_all(bases, &n_bases, lim, warnings, &b, err)) < 0) {
		free_all(s, n_sources);
		free(s);
		return r;
	}
	if (n_sources == 0 || (want_bases && n_bases == 0)) {
		r = fw_err(err, -EINVAL, "failed to fetch any %s profiles", n_sources ? "base" : "source");
		goto out;
	}
	if (warnings && n_sources != want_sources)
		fw_buf_printf(warnings, "Fetched %zu source profiles out of %zu\n", n_sources, want_sources);
	if (warnings && n_bases != want_bases)
		fw_buf_printf(warnings, "Fetched %zu base profiles out of %zu\n", n_bases, want_bases);
	if (warnings && warnings->failed) {
		r = fw_err(err, -ENOMEM, "out of memory");
		goto out;
	}
	r = combine_owned(s, n_sources, b, n_bases, diff_base, false, additive, out, err);
out:
	free_all(s, n_sources);
	free_all(b, n_bases);
	free(s);
	free(b);
	if (r < 0)
		return r;
	/* pprof symbolizes the merged profile; its last step rewrites the
	 * function names for display (funcname.h), as -symbolize says. */
	fw_symbolize_parse(symbolize, &sym);
	if ((r = fw_profile_symbolize(*out, &sym, err)) < 0) {
		fw_profile_free(*out);
		*out = NULL;
	}
	return r;
}

/* ---- preparing a report ----------------------------------------------------- */

static int sample_index(const struct fw_profile *p, const char *want, size_t *out, struct fw_error *err)
{
	size_t n = p->n_sample_types;
	char *end;

	if (n == 0)
		return fw_err(err, -EINVAL, "profile has no samples"); /* pprof's sampleFormat */
	if (!want || !*want) {
		*out = fw_profile_default_sample(p);
		return 0;
	}
	errno = 0;
	long long v = strtoll(want, &end, 10);
	if (*end == 0 && errno == 0 && end != want) {
		if (v < 0 || (unsigned long long)v >= n)
			return fw_err(err, -EINVAL, "sample_index %s is outside the range [0..%zu]", want, n - 1);
		*out = (size_t)v;
		return 0;
	}
	{
		const char *no_inuse = strncmp(want, "inuse_", 6) == 0 ? want + 6 : want;
		struct fw_buf types;
		for (size_t i = 0; i < n; i++) {
			const char *t = fw_pstr(p, p->sample_types[i].type);
			if (strcmp(t, want) == 0 || strcmp(t, no_inuse) == 0) {
				*out = i;
				return 0;
			}
		}
		fw_buf_init(&types);
		for (size_t i = 0; i < n; i++)
			fw_buf_printf(&types, "%s%s", i ? " " : "", fw_pstr(p, p->sample_types[i].type));
		fw_err(err, -EINVAL, "sample_index \"%s\" must be one of: [%s]", want, fw_buf_str(&types));
		fw_buf_free(&types);
		return -EINVAL;
	}
}

/* computeTotal: sum of |v|; if any sample is a diff base sample, the sum
 * over those alone. */
static bool is_diff_base_sample(const struct fw_profile *p, size_t s)
{
	const struct fw_sample *sm = &p->samples[s];
	for (uint32_t i = 0; i < sm->n_labels; i++) {
		const struct fw_label *l = &p->labels[sm->first_label + i];
		if (l->str && strcmp(fw_pstr(p, l->key), "pprof::base") == 0 &&
		    strcmp(fw_pstr(p, l->str), "true") == 0)
			return true;
	}
	return false;
}

/* computeTotal: sum of |v|; if any sample is a diff base sample, the sum
 * over those alone. *base_total: the sum over the base samples (0: none). */
static int64_t compute_total(const struct fw_profile *p, size_t vi, bool mean, int64_t *base_total)
{
	int64_t total = 0, diff_total = 0, div = 0, diff_div = 0;

	for (size_t s = 0; s < p->n_samples; s++) {
		int64_t x = fw_abs64(fw_sample_values(p, s)[vi]);
		int64_t d = mean ? fw_sample_values(p, s)[0] : 0;
		total = fw_add64(total, x);
		div = fw_add64(div, d);
		if (is_diff_base_sample(p, s)) {
			diff_total = fw_add64(diff_total, x);
			diff_div = fw_add64(diff_div, d);
		}
	}
	*base_total = diff_total;
	if (diff_total > 0) {
		total = diff_total;
		div = diff_div;
	}
	/* -mean: pprof divides the total by the sum of the counts */
	if (div != 0 && !(div == -1 && total == INT64_MIN))
		total /= div;
	return total;
}

static bool str_matches(const struct fw_regexp *re, const char *s)
{
	return fw_regexp_match(re, s, strlen(s));
}

static bool location_matches(const struct fw_profile *p, const struct fw_location *l,
			     const struct fw_regexp *re)
{
	for (uint32_t k = 0; k < l->n_lines; k++) {
		const struct fw_function *f = &p->functions[p->lines[l->first_line + k].function];
		if (str_matches(re, fw_pstr(p, f->name)) || str_matches(re, fw_pstr(p, f->filename)))
			return true;
	}
	if (l->mapping != FW_NONE && str_matches(re, fw_pstr(p, p->mappings[l->mapping].filename)))
		return true;
	return false;
}

/* Compiles the -focus or -ignore (name) argument; on error pprof's
 * compileRegexOption message, "parsing focus regexp: error parsing …". */
static int compile_arg(struct fw_regexp **re, const char *name, const char *arg,
		       struct fw_error *err)
{
	int r = fw_regexp_compile(re, arg, err);

	if (r < 0)
		fw_err_prefix(err, "parsing %s regexp", name);
	return r;
}

/* FilterSamplesByName for focus and ignore: a sample stays if it has a
 * focused location (any, when there is no focus) and no ignored one.
 * *fm / *im: some location (of the profile, kept or not) was focused /
 * ignored, as pprof's fm and im. */
static int filter_samples(struct fw_profile *p, const char *focus, const char *ignore, bool *fm,
			  bool *im, struct fw_error *err)
{
	struct fw_regexp *fre = NULL, *ire = NULL;
	signed char *mark;
	size_t fill = 0, nt = p->n_sample_types;
	int r;

	if (!focus && !ignore)
		return 0;
	if (focus && (r = compile_arg(&fre, "focus", focus, err)) < 0)
		return r;
	if (ignore && (r = compile_arg(&ire, "ignore", ignore, err)) < 0) {
		fw_regexp_free(fre);
		return r;
	}
	mark = calloc(p->n_locations + 1, 1); /* 1 focus, -1 ignore, 0 neither */
	if (!mark) {
		r = fw_err(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < p->n_locations; i++) {
		if (ignore && location_matches(p, &p->locations[i], ire))
			mark[i] = -1, *im = true;
		else if (!focus || location_matches(p, &p->locations[i], fre))
			mark[i] = 1, *fm = true;
	}
	for (size_t s = 0; s < p->n_samples; s++) {
		const struct fw_sample *sm = &p->samples[s];
		bool focused = false, ignored = false;
		for (uint32_t k = 0; k < sm->n_locs && !ignored; k++) {
			signed char m = mark[p->sample_locs[sm->first_loc + k]];
			if (m < 0)
				ignored = true;
			else if (m > 0)
				focused = true;
		}
		if (focused && !ignored) {
			if (fill != s) {
				p->samples[fill] = p->samples[s];
				memmove(p->values + fill * nt, p->values + s * nt, nt * sizeof(int64_t));
			}
			fill++;
		}
	}
	p->n_samples = fill;
	r = 0;
out:
	free(mark);
	fw_regexp_free(fre);
	fw_regexp_free(ire);
	return r;
}

/* Go's filepath.Clean for '/'-separated paths of n bytes (NUL included). */
static void clean_path(const char *path, size_t n, struct fw_buf *out)
{
	size_t r = 0, dotdot = 0;
	bool rooted = n > 0 && path[0] == '/';
	size_t start;

	out->len = 0;
	out->failed = false;
	if (n == 0) {
		fw_buf_puts(out, ".");
		return;
	}
	if (rooted) {
		fw_buf_putc(out, '/');
		r = 1;
		dotdot = 1;
	}
	start = out->len;
	while (r < n) {
		if (path[r] == '/') {
			r++;
		} else if (path[r] == '.' && (r + 1 == n || path[r + 1] == '/')) {
			r++;
		} else if (path[r] == '.' && r + 1 < n && path[r + 1] == '.' &&
			   (r + 2 == n || path[r + 2] == '/')) {
			r += 2;
			if (out->len > dotdot) {
				size_t w = out->len - 1;
				while (w > dotdot && out->data[w] != '/')
					w--;
				out->len = w;
				out->data[w] = 0;
			} else if (!rooted) {
				if (out->len > 0)
					fw_buf_putc(out, '/');
				fw_buf_puts(out, "..");
				dotdot = out->len;
			}
		} else {
			if ((rooted && out->len != 1) || (!rooted && out->len != 0))
				fw_buf_putc(out, '/');
			for (; r < n && path[r] != '/'; r++)
				fw_buf_putc(out, path[r]);
		}
	}
	(void)start;
	if (out->len == 0)
		fw_buf_puts(out, ".");
}

void fw_path_clean(const char *path, size_t n, struct fw_buf *out)
{
	clean_path(path, n, out);
}

/* pprof's trimPath (list.c): the -trim_path prefixes, or the heuristic on
 * the -source_path base names, then the /proc/self/cwd prefixes Bazel
 * leaves behind. *len is the path's length in bytes, updated. */
static const char *trim_path(const struct fw_report_opts *o, const char *path, size_t *len)
{
	return fw_list_trim_path(path, *len, o->trim_path, o->source_path, len);
}

/* profile.Aggregate plus the file-name clean-up: filepath.Clean, which
 * graph.CreateNodes applies to every report, after trimPath, which only
 * newGraph applies (unless untrimmed). */
static int aggregate(struct fw_profile *p, enum fw_granularity g, bool noinlines,
		     const struct fw_report_opts *o, struct fw_error *err)
{
	bool function = true, filename = false, linenumber = false, address = false;
	struct fw_buf clean;

	switch (g) {
	case FW_GRAN_ADDRESSES:
		if (!noinlines)
			break;
		filename = linenumber = address = true;
		break;
	case FW_GRAN_LINES: filename = linenumber = true; break;
	case FW_GRAN_FILES: function = false; filename = true; break;
	case FW_GRAN_FUNCTIONS: break;
	case FW_GRAN_FILEFUNCTIONS: filename = true; break;
	}
	if (g == FW_GRAN_ADDRESSES && !noinlines) {
		/* pprof leaves the profile untouched at this granularity. */
		filename = linenumber = address = true;
	}
	fw_buf_init(&clean);
	for (size_t i = 0; i < p->n_functions; i++) {
		struct fw_function *f = &p->functions[i];
		if (!function) {
			f->name = 0;
			f->system_name = 0;
		}
		if (!filename) {
			f->filename = 0;
		} else if (f->filename) {
			const char *path = fw_pstr(p, f->filename);
			size_t len = fw_strlen(&p->strings, f->filename);
			if (!o->untrimmed_paths)
				path = trim_path(o, path, &len);
			clean_path(path, len, &clean);
			if (clean.failed || fw_strtab_intern(&p->strings, fw_buf_str(&clean), clean.len,
							     &f->filename) < 0) {
				fw_buf_free(&clean);
				return fw_err(err, -ENOMEM, "out of memory");
			}
		}
	}
	fw_buf_free(&clean);
	for (size_t i = 0; i < p->n_locations; i++) {
		struct fw_location *l = &p->locations[i];
		if (noinlines && l->n_lines > 1) {
			l->first_line += l->n_lines - 1;
			l->n_lines = 1;
		}
		if (!linenumber)
			for (uint32_t k = 0; k < l->n_lines; k++)
				p->lines[l->first_line + k].line = 0;
		if (!address)
			l->address = 0;
	}
	return 0;
}

/* The filters of pprof's generateRawReport: focus and ignore, then the
 * frame and tag filters (filter.c), whose notes go to r->filters. */
static int apply_filters(struct fw_report *r, struct fw_profile *p, const struct fw_report_opts *o,
			 struct fw_error *err)
{
	bool fm = false, im = false;
	int rc;

	if ((rc = filter_samples(p, o->focus, o->ignore, &fm, &im, err)) < 0)
		return rc;
	return fw_filter_apply(p, o, fm, im, &r->filters, err);
}

int fw_report_stream(struct fw_report *r, fw_report_text_fn fn, FILE *f, struct fw_error *err)
{
	struct fw_buf out;
	int rc;

	fw_buf_init(&out);
	rc = fn(r, &out, f, err);
	if (rc == 0 && out.failed)
		rc = fw_err(err, -ENOMEM, "out of memory formatting the report");
	fw_buf_free(&out);
	return rc;
}

int fw_report_stream_error(struct fw_error *err, int rc)
{
	return fw_err(err, rc, "writing standard output: %s", strerror(-rc));
}

void fw_report_drop_locations(struct fw_report *r)
{
	struct fw_profile *p = r->p;

	free(p->locations);
	free(p->lines);
	free(p->functions);
	p->locations = NULL;
	p->lines = NULL;
	p->functions = NULL;
	p->n_locations = p->n_lines = p->n_functions = 0;
}

int fw_report_init(struct fw_report *r, struct fw_profile *p, const struct fw_report_opts *o,
		   struct fw_error *err)
{
	int rc;

	assert(r && p && o);
	memset(r, 0, sizeof(*r));
	r->p = p;
	r->o = *o;
	fw_buf_init(&r->filters);
	snprintf(r->output_unit, sizeof(r->output_unit), "%s", o->unit ? o->unit : "minimum");
	/* pprof's identifyNumLabelUnits: the report's first note */
	if (fw_num_label_units_check(p, o->warnings) < 0) {
		rc = fw_err(err, -ENOMEM, "out of memory");
		goto fail;
	}
	if (o->focus)
		fw_buf_printf(&r->filters, "focus=%s\n", o->focus);
	if (o->ignore)
		fw_buf_printf(&r->filters, "ignore=%s\n", o->ignore);
	/* pprof's generateRawReport, in its order (its notes and errors come
	 * out in this order): the -tagroot/-tagleaf frames (the filters see
	 * them); with -relative_percentages the filters (focus, ignore, the
	 * frame and tag filters); the report options (sample index,
	 * divisor); else the filters now. The total is computed before the
	 * filters, unless the percentages are to be relative to what the
	 * filters keep (label frames change no value). */
	if ((rc = fw_label_nodes_add(p, o->tagroot, o->tagleaf, r->output_unit, o->warnings, err)) < 0)
		goto fail;
	if (o->relative_percentages && (rc = apply_filters(r, p, o, err)) < 0)
		goto fail;
	if ((rc = sample_index(p, o->sample_index, &r->vi, err)) < 0)
		goto fail;
	if (o->zero_divisor) {
		rc = fw_err(err, -EINVAL, "zero divisor specified");
		goto fail;
	}
	assert(r->vi < p->n_sample_types);
	r->total = compute_total(p, r->vi, o->mean, &r->base_total);
	if (!o->relative_percentages && (rc = apply_filters(r, p, o, err)) < 0)
		goto fail;
	if ((rc = aggregate(p, o->granularity, o->noinlines, o, err)) < 0)
		goto fail;
	/* the cleaned file names were the last strings added */
	fw_strtab_drop_index(&p->strings);
	if (o->no_node_table)
		goto done;
	if ((rc = fw_nodetab_nodes(p, &r->tab, err)) < 0)
		goto fail;
	if (o->drop_locations) {
		fw_report_drop_locations(r);
		/* The names of every granularity but functions are new memory
		 * about the size of what was just freed: hand that back first
		 * (top -lines on large.cpu: 11.1 -> 10.0 MB peak RSS). */
		if (o->granularity != FW_GRAN_FUNCTIONS)
			fw_heap_trim();
	}
	if ((rc = fw_nodetab_names(&r->tab, err)) < 0)
		goto fail;
done:
	/* Strings interned above may have moved the table: refresh. */
	r->sample_type = fw_pstr(p, p->sample_types[r->vi].type);
	r->sample_unit = fw_pstr(p, p->sample_types[r->vi].unit);
	return 0;
fail:
	fw_report_free(r);
	return rc;
}

void fw_report_drop_sample_rows(struct fw_report *r)
{
	struct fw_profile *p = r->p;

	free(p->samples);
	free(p->values);
	free(p->labels);
	p->samples = NULL;
	p->values = NULL;
	p->labels = NULL;
	p->n_samples = p->n_labels = 0;
}

void fw_report_drop_samples(struct fw_report *r)
{
	fw_report_drop_sample_rows(r);
	free(r->p->sample_locs);
	r->p->sample_locs = NULL;
	r->p->n_sample_locs = 0;
}

void fw_report_free(struct fw_report *r)
{
	fw_nodetab_free(&r->tab);
	fw_profile_free(r->p);
	fw_buf_free(&r->filters);
	memset(r, 0, sizeof(*r));
}

void fw_report_top_columns(const struct fw_report *r, const struct fw_graph *g, uint32_t n,
			   int64_t *flat_sum, struct fw_buf *out)
{
	char f[64], c[64], fp[32], sp[32], cp[32];
	int64_t flat, cum;

	assert(r && g && flat_sum && out && n < r->tab.n);
	flat = fw_graph_flat_value(g, n);
	cum = fw_graph_cum_value(g, n);
	*flat_sum = fw_add64(*flat_sum, flat);
	fw_report_value(r, flat, f, sizeof(f));
	fw_report_value(r, cum, c, sizeof(c));
	fw_percentage(fp, sizeof(fp), flat, r->total);
	fw_percentage(sp, sizeof(sp), *flat_sum, r->total);
	fw_percentage(cp, sizeof(cp), cum, r->total);
	fw_buf_printf(out, "%10s %s %s %10s %s", f, fp, sp, c, cp);
}

/* Go's int64(float64(v) * ratio), saturated instead of undefined. */
static int64_t apply_ratio(int64_t v, double ratio)
{
	double x;

	if (!(ratio > 0) || ratio == 1)
		return v;
	x = (double)v * ratio;
	if (x >= 9.2e18)
		return INT64_MAX;
	if (x <= -9.2e18)
		return INT64_MIN;
	return (int64_t)x;
}

int64_t fw_report_sample_value(const struct fw_report *r, size_t s)
{
	const int64_t *v = fw_sample_values(r->p, s);
	int64_t d = r->o.mean ? v[0] : 0;

	if (d == 0 || (d == -1 && v[r->vi] == INT64_MIN))
		return v[r->vi];
	return v[r->vi] / d;
}

void fw_report_value(const struct fw_report *r, int64_t v, char *out, size_t len)
{
	v = apply_ratio(v, r->o.ratio);
	fw_unit_label(out, len, v, r->sample_unit, r->output_unit);
}

static void select_output_unit(struct fw_report *r, const struct fw_graph *g)
{
	int64_t min = 0, max = r->total;
	char min_unit[32], max_unit[32], unit[32];

	if (strcmp(r->output_unit, "minimum") != 0 || g->n_nodes == 0)
		return;
	for (size_t i = 0; i < g->n_nodes; i++) {
		uint32_t n = g->nodes[i];
		int64_t v = fw_abs64(fw_graph_flat_value(g, n));
		if (v == 0)
			v = fw_abs64(fw_graph_cum_value(g, n));
		if (v > 0 && (min == 0 || v < min))
			min = v;
	}
	if (min == 0)
		min = max;
	min = apply_ratio(min, r->o.ratio);
	max = apply_ratio(max, r->o.ratio);
	fw_unit_scale(min, r->sample_unit, "minimum", min_unit, sizeof(min_unit));
	fw_unit_scale(max, r->sample_unit, "minimum", max_unit, sizeof(max_unit));
	snprintf(unit, sizeof(unit), "%s", min_unit);
	/* Go's int64 arithmetic wraps; do the same without UB. */
	if (strcmp(min_unit, max_unit) != 0 && (int64_t)((uint64_t)min * 100) < max)
		fw_unit_scale((int64_t)((uint64_t)min * 100), r->sample_unit, "minimum", unit, sizeof(unit));
	snprintf(r->output_unit, sizeof(r->output_unit), "%s", unit[0] ? unit : r->sample_unit);
}

void fw_report_select_unit(struct fw_report *r, const struct fw_graph *g)
{
	select_output_unit(r, g);
}

/* The nodes an edge can be inline into: every line of a location but its
 * outermost. The in-edges of these are all a report of nodes reads (top's
 * "(inline)"); the graph keeps no other edge. */
static bool *inline_targets(const struct fw_nodetab *t)
{
	bool *m = calloc(t->n + 1, sizeof(bool));

	if (!m)
		return NULL;
	for (size_t l = 0; l < t->n_locs; l++)
		for (uint32_t li = 0; li + 1 < t->loc_count[l]; li++)
			m[t->loc_nodes[t->loc_first[l] + li]] = true;
	return m;
}

int fw_report_graph(struct fw_report *r, struct fw_graph *g, size_t *orig_count,
		    size_t *dropped_nodes, struct fw_error *err)
{
	struct fw_trim_opts t = {
		.nodefraction = r->o.nodefraction,
		.edgefraction = r->o.edgefraction,
		.nodecount = r->o.nodecount,
		.order = r->o.cum_sort ? FW_SORT_CUM : FW_SORT_FLAT,
		.drop_negative = r->o.drop_negative,
		.mean = r->o.mean,
	};
	bool *targets = inline_targets(&r->tab);
	int rc;

	if (!targets)
		return fw_err(err, -ENOMEM, "out of memory building the call graph");
	t.edge_nodes = targets;
	rc = fw_graph_trimmed(&r->tab, r->vi, &t, g, orig_count, dropped_nodes, err);
	free(targets);
	if (rc == 0)
		select_output_unit(r, g);
	return rc;
}

/* Go's time layout "Jan 2, 2006 at 3:04pm (MST)" in the local zone. */
static void format_time(int64_t nanos, char *out, size_t len)
{
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t secs = (time_t)(nanos / 1000000000);
	struct tm tm;
	int h;

	if (nanos < 0 && nanos % 1000000000)
		secs--; /* Go floors toward the earlier second */
	if (!localtime_r(&secs, &tm)) {
		snprintf(out, len, "%" PRId64, nanos);
		return;
	}
	h = tm.tm_hour % 12;
	if (h == 0)
		h = 12;
	snprintf(out, len, "%s %d, %d at %d:%02d%s (%s)", mon[tm.tm_mon], tm.tm_mday, tm.tm_year + 1900,
		 h, tm.tm_min, tm.tm_hour < 12 ? "am" : "pm", tm.tm_zone ? tm.tm_zone : "UTC");
}

void fw_report_profile_labels(const struct fw_report *r, struct fw_buf *b)
{
	const struct fw_profile *p = r->p;
	char buf[128], v[64];

	if (p->n_mappings > 0) {
		const struct fw_mapping *m = &p->mappings[0];
		if (m->filename) {
			size_t n;
			const char *base = fw_path_base_n(fw_pstr(p, m->filename),
							  fw_strlen(&p->strings, m->filename), &n);
			fw_buf_puts(b, "File: ");
			fw_buf_putn(b, base, n);
			fw_buf_putc(b, '\n');
		}
		if (m->build_id) {
			fw_buf_puts(b, "Build ID: ");
			fw_buf_putn(b, fw_pstr(p, m->build_id), fw_strlen(&p->strings, m->build_id));
			fw_buf_putc(b, '\n');
		}
	}
	for (size_t i = 0; i < p->n_comments; i++) {
		const char *c = fw_pstr(p, p->comments[i]);
		if (c[0] != '#') {
			fw_buf_putn(b, c, fw_strlen(&p->strings, p->comments[i]));
			fw_buf_putc(b, '\n');
		}
	}
	if (r->sample_type[0] || r->o.mean)
		fw_buf_printf(b, "Type: %s%s\n", r->o.mean ? "mean_" : "", r->sample_type);
	if (p->time_nanos != 0) {
		format_time(p->time_nanos, buf, sizeof(buf));
		fw_buf_printf(b, "Time: %s\n", buf);
	}
	if (p->duration_nanos != 0) {
		char unit[32], ratio[64] = "";
		double total_ns;
		fw_unit_label(buf, sizeof(buf), p->duration_nanos, "nanoseconds", "auto");
		total_ns = fw_unit_scale(r->total, r->sample_unit, "nanoseconds", unit, sizeof(unit));
		if (strcmp(unit, "ns") == 0 && total_ns != 0) {
			char pct[32];
			int64_t tn = (total_ns >= 9.2e18 || total_ns <= -9.2e18) ? INT64_MAX : (int64_t)total_ns;
			fw_percentage(pct, sizeof(pct), tn, p->duration_nanos);
			snprintf(ratio, sizeof(ratio), "(%s)", pct);
		}
		fw_report_value(r, r->total, v, sizeof(v));
		fw_buf_printf(b, "Duration: %s, Total samples = %s %s\n", buf, v, ratio);
	}
}

static const char *trim_space(char *s)
{
	size_t n;
	while (*s == ' ')
		s++;
	n = strlen(s);
	while (n && s[n - 1] == ' ')
		s[--n] = 0;
	return s;
}

void fw_report_labels(const struct fw_report *r, const struct fw_graph *g, size_t orig_count,
		      size_t dropped_nodes, struct fw_buf *b)
{
	int64_t flat_sum = 0;
	char a[64], pct[32], t[64];

	if (!r->o.compact_labels)
		fw_report_profile_labels(r, b);
	for (size_t i = 0; i < g->n_nodes; i++)
		flat_sum = fw_add64(flat_sum, fw_graph_flat_value(g, g->nodes[i]));
	if (r->filters.len) {
		const char *s = fw_buf_str((struct fw_buf *)&r->filters);
		fw_buf_puts(b, "Active filters:\n");
		while (*s) {
			const char *nl = strchr(s, '\n');
			size_t n = nl ? (size_t)(nl - s) : strlen(s);
			/* pprof cuts filters longer than 80 bytes with an ellipsis */
			fw_buf_puts(b, "   ");
			if (n > 80) {
				fw_buf_putn(b, s, 80);
				fw_buf_puts(b, "\xe2\x80\xa6");
			} else {
				fw_buf_putn(b, s, n);
			}
			fw_buf_putc(b, '\n');
			s += n + (nl ? 1 : 0);
		}
	}
	fw_report_value(r, flat_sum, a, sizeof(a));
	fw_percentage(pct, sizeof(pct), flat_sum, r->total);
	fw_report_value(r, r->total, t, sizeof(t));
	fw_buf_printf(b, "Showing nodes accounting for %s, %s of %s total\n", a, trim_space(pct), t);
	if (r->total != 0) {
		if (dropped_nodes > 0) {
			int64_t cut = fw_abs64(fw_go_int64((double)r->total * r->o.nodefraction));
			fw_report_value(r, cut, a, sizeof(a));
			fw_buf_printf(b, "Dropped %zu node%s (cum <= %s)\n", dropped_nodes,
				      dropped_nodes > 1 ? "s" : "", a);
		}
		if (g->n_nodes > 0 && g->n_nodes < orig_count)
			fw_buf_printf(b, "Showing top %zu nodes out of %zu\n", g->n_nodes, orig_count);
	}
}
