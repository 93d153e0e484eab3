/*
 * filter.c: -hide, -show, -show_from, -tagfocus, -tagignore, -tagshow,
 * -taghide and -prune_from, ported from Go 1.19's vendored pprof
 * (internal/driver/driver_focus.go, profile/filter.go, profile/prune.go).
 * Locations, lines, samples and labels are edited the way pprof edits its
 * Profile; the arrays that shrink per element are rebuilt, never shared.
 */
#include "pprof/filter.h"
#include "pprof/report.h"
#include "pprof/units.h"
#include "base/regexp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- regular expressions ------------------------------------------------------ */

/* compileRegexOption: Go's regexp, errors "parsing NAME regexp: ..." */
static int rx_compile(const char *name, const char *pattern, struct fw_regexp **out,
		      struct fw_error *err)
{
	int r = fw_regexp_compile(out, pattern, err);
	if (r < 0 && r != -ENOMEM)
		fw_err_prefix(err, "parsing %s regexp", name);
	return r;
}

static bool rx_match(const struct fw_regexp *x, const char *s)
{
	return fw_regexp_match(x, s, strlen(s));
}

static bool set(const char *s)
{
	return s && *s;
}

/* ---- numeric label units -------------------------------------------------------- */

static bool is_num_label(const struct fw_label *l)
{
	return l->str == 0;
}

int fw_num_label_units(const struct fw_profile *p, const char ***out)
{
	const char **unit_of = calloc(p->strings.n + 1, sizeof(*unit_of));

	if (!unit_of)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_labels; i++) {
		const struct fw_label *l = &p->labels[i];
		if (is_num_label(l) && l->num_unit && !unit_of[l->key])
			unit_of[l->key] = fw_pstr(p, l->num_unit);
	}
	for (size_t i = 0; i < p->n_labels; i++) {
		const struct fw_label *l = &p->labels[i];
		const char *key = fw_pstr(p, l->key);
		if (!is_num_label(l) || unit_of[l->key])
			continue;
		if (!strcmp(key, "alignment") || !strcmp(key, "request"))
			unit_of[l->key] = "bytes";
		else
			unit_of[l->key] = key;
	}
	*out = unit_of;
	return 0;
}

/* A numeric label's unit, where it was seen (the sample order). */
struct seen_unit {
	const char *key, *unit;
	size_t seq;
};

static int cmp_seen_unit(const void *a, const void *b)
{
	const struct seen_unit *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int fw_num_label_units_check(struct fw_profile *p, struct fw_buf *warnings)
{
	struct seen_unit *seen = NULL;
	const char **others = NULL;
	bool *live = NULL;
	size_t n = 0;

	for (size_t i = 0; i < p->n_labels; i++)
		n += is_num_label(&p->labels[i]) && *fw_pstr(p, p->labels[i].num_unit);
	if (n == 0)
		return 0;
	/* the labels no sample refers to (all-zero samples that pprof's merge
	 * drops, copies summed into their first) lose their unit */
	if (!(live = calloc(p->n_labels, sizeof(*live))))
		return -ENOMEM;
	for (size_t s = 0; s < p->n_samples; s++)
		for (uint32_t k = 0; k < p->samples[s].n_labels; k++)
			live[p->samples[s].first_label + k] = true;
	n = 0;
	for (size_t i = 0; i < p->n_labels; i++) {
		if (!live[i])
			p->labels[i].num_unit = 0;
		n += is_num_label(&p->labels[i]) && *fw_pstr(p, p->labels[i].num_unit);
	}
	free(live);
	if (!warnings || n == 0)
		return 0;
	seen = malloc(n * sizeof(*seen));
	others = malloc(n * sizeof(*others));
	if (!seen || !others) {
		free(seen);
		free(others);
		return -ENOMEM;
	}
	n = 0;
	for (size_t s = 0; s < p->n_samples; s++)
		for (uint32_t k = 0; k < p->samples[s].n_labels; k++) {
			const struct fw_label *l = &p->labels[p->samples[s].first_label + k];
			if (is_num_label(l) && *fw_pstr(p, l->num_unit)) {
				seen[n] = (struct seen_unit){ fw_pstr(p, l->key), fw_pstr(p, l->num_unit), n };
				n++;
			}
		}
	/* per key (pprof: Go's map order; here sorted), the first unit seen
	 * is used, the others are listed sorted and once each */
	qsort(seen, n, sizeof(*seen), cmp_seen_unit);
	for (size_t i = 0, j; i < n; i = j) {
		size_t n_others = 0, n_print = 0;
		for (j = i; j < n && !strcmp(seen[j].key, seen[i].key); j++)
			if (strcmp(seen[j].unit, seen[i].unit))
				others[n_others++] = seen[j].unit;
		if (n_others == 0)
			continue;
		qsort(others, n_others, sizeof(*others), cmp_str);
		fw_buf_printf(warnings, "For tag %s used unit %s, also encountered unit(s) ", seen[i].key,
			      seen[i].unit);
		for (size_t u = 0; u < n_others; u++) {
			if (u > 0 && !strcmp(others[u], others[u - 1]))
				continue;
			fw_buf_printf(warnings, "%s%s", n_print++ ? ", " : "", others[u]);
		}
		fw_buf_putc(warnings, '\n');
	}
	free(seen);
	free(others);
	return warnings->failed ? -ENOMEM : 0;
}

/* ---- helpers ------------------------------------------------------------------- */

/* Keeps the samples s with keep[s] (their values with them). */
static void keep_samples(struct fw_profile *p, const bool *keep)
{
	size_t fill = 0, nt = p->n_sample_types;

	for (size_t s = 0; s < p->n_samples; s++) {
		if (!keep[s])
			continue;
		if (fill != s) {
			p->samples[fill] = p->samples[s];
			memmove(p->values + fill * nt, p->values + s * nt, nt * sizeof(int64_t));
		}
		fill++;
	}
	p->n_samples = fill;
}

static bool line_matches(const struct fw_profile *p, const struct fw_line *ln, const struct fw_regexp *x)
{
	const struct fw_function *f = &p->functions[ln->function];
	return rx_match(x, fw_pstr(p, f->name)) || rx_match(x, fw_pstr(p, f->filename));
}

static bool mapping_matches(const struct fw_profile *p, const struct fw_location *l, const struct fw_regexp *x)
{
	return l->mapping != FW_NONE && rx_match(x, fw_pstr(p, p->mappings[l->mapping].filename));
}

/* ---- -hide, -show (FilterSamplesByName) ------------------------------------------ */

/* The slice a shared stack became (src1: its first entry + 1, 0 = none):
 * a direct-mapped cache of at most 2^16 entries, so that samples sharing a
 * stack (profile.h) share the filtered one. */
struct slice_memo {
	uint32_t src1, src_n, out, out_n;
};

static int hide_show(struct fw_profile *p, const struct fw_regexp *hide, const struct fw_regexp *show,
		     bool *hm, bool *hnm, struct fw_error *err)
{
	size_t total_lines = 0, total_locs = 0, nl = 0, ns = 0, memo_mask = 0;
	struct fw_line *lines = NULL;
	uint32_t *locs = NULL;
	struct slice_memo *memo = NULL;
	bool *hidden = calloc(p->n_locations + 1, sizeof(*hidden));
	bool *keep = calloc(p->n_samples + 1, sizeof(*keep));
	int r = -ENOMEM;

	for (size_t i = 0; i < p->n_locations; i++)
		total_lines += p->locations[i].n_lines;
	/* every sample's own copy: samples may share stacks (profile.h) */
	for (size_t s = 0; s < p->n_samples; s++)
		total_locs += p->samples[s].n_locs;
	if (total_locs >= UINT32_MAX)
		goto out;
	lines = malloc((total_lines + 1) * sizeof(*lines));
	locs = malloc((total_locs + 1) * sizeof(*locs));
	if (!hidden || !keep || !lines || !locs)
		goto out;
	if (total_locs > p->n_sample_locs) { /* some stacks are shared */
		memo_mask = 1;
		while (memo_mask < p->n_samples && memo_mask < ((size_t)1 << 16))
			memo_mask *= 2;
		if (!(memo = calloc(memo_mask--, sizeof(*memo))))
			goto out;
	}
	for (size_t i = 0; i < p->n_locations; i++) {
		struct fw_location *l = &p->locations[i];
		size_t first = nl, after_hide = 0;
		bool hide_mapping = hide && mapping_matches(p, l, hide);
		bool show_mapping = show && mapping_matches(p, l, show);
		bool hide_hit = hide_mapping;
		for (uint32_t k = 0; k < l->n_lines; k++) {
			const struct fw_line *ln = &p->lines[l->first_line + k];
			/* unmatchedLines(hide), then matchedLines(show) */
			if (hide && (hide_mapping || line_matches(p, ln, hide))) {
				hide_hit = true;
				continue;
			}
			after_hide++;
			if (show && !show_mapping && !line_matches(p, ln, show))
				continue;
			lines[nl++] = *ln;
		}
		l->first_line = (uint32_t)first;
		l->n_lines = (uint32_t)(nl - first);
		if (hide_hit)
			*hm = true;
		if (show && l->n_lines > 0)
			*hnm = true;
		/* A location without lines (not symbolized) is hidden by -show,
		 * never by -hide unless its mapping matches. */
		hidden[i] = (hide_hit && after_hide == 0) || (show && l->n_lines == 0);
	}
	for (size_t s = 0; s < p->n_samples; s++) {
		struct fw_sample *sm = &p->samples[s];
		struct slice_memo *m = memo ? &memo[sm->first_loc & memo_mask] : NULL;
		size_t first = ns;
		if (m && m->src1 == sm->first_loc + 1 && m->src_n == sm->n_locs) {
			/* a stack shared with an earlier sample stays shared */
			sm->first_loc = m->out;
			sm->n_locs = m->out_n;
			keep[s] = sm->n_locs > 0;
			continue;
		}
		for (uint32_t k = 0; k < sm->n_locs; k++) {
			uint32_t loc = p->sample_locs[sm->first_loc + k];
			if (!hidden[loc])
				locs[ns++] = loc;
		}
		if (m) {
			m->src1 = sm->first_loc + 1;
			m->src_n = sm->n_locs;
			m->out = (uint32_t)first;
			m->out_n = (uint32_t)(ns - first);
		}
		sm->first_loc = (uint32_t)first;
		sm->n_locs = (uint32_t)(ns - first);
		keep[s] = sm->n_locs > 0;
	}
	free(p->lines);
	p->lines = lines;
	p->n_lines = nl;
	free(p->sample_locs);
	p->sample_locs = locs;
	p->n_sample_locs = ns;
	lines = NULL;
	locs = NULL;
	keep_samples(p, keep);
	r = 0;
out:
	free(hidden);
	free(keep);
	free(lines);
	free(locs);
	free(memo);
	return r < 0 ? fw_err(err, r, "out of memory") : 0;
}

/* ---- -show_from (ShowFrom) ------------------------------------------------------- */

static int show_from(struct fw_profile *p, const struct fw_regexp *x, bool *sfm, struct fw_error *err)
{
	bool *matched = calloc(p->n_locations + 1, sizeof(*matched));
	bool *keep = calloc(p->n_samples + 1, sizeof(*keep));

	if (!matched || !keep) {
		free(matched);
		free(keep);
		return fw_err(err, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < p->n_locations; i++) {
		struct fw_location *l = &p->locations[i];
		if (mapping_matches(p, l, x)) {
			matched[i] = *sfm = true;
			continue;
		}
		/* lastMatchedLineIndex: keep the lines up to the outermost match */
		for (uint32_t k = l->n_lines; k-- > 0;) {
			if (line_matches(p, &p->lines[l->first_line + k], x)) {
				l->n_lines = k + 1;
				matched[i] = *sfm = true;
				break;
			}
		}
	}
	for (size_t s = 0; s < p->n_samples; s++) {
		struct fw_sample *sm = &p->samples[s];
		for (uint32_t k = sm->n_locs; k-- > 0;) {
			if (matched[p->sample_locs[sm->first_loc + k]]) {
				sm->n_locs = k + 1;
				keep[s] = true;
				break;
			}
		}
	}
	keep_samples(p, keep);
	free(matched);
	free(keep);
	return 0;
}

/* ---- -tagfocus, -tagignore (compileTagFilter, FilterSamplesByTag) ----------------- */

enum range_kind { RANGE_EQ, RANGE_GE, RANGE_LE, RANGE_BETWEEN };

struct tagfilter {
	char *key; /* "key=" given: only labels with this key; else NULL */
	bool numeric;
	/* numeric */
	enum range_kind kind;
	double lo, hi;
	char unit[32];
	/* string: comma-separated regexps */
	struct fw_regexp **rx;
	size_t n_rx;
};

static void tagfilter_free(struct tagfilter *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_rx; i++)
		fw_regexp_free(t->rx[i]);
	free(t->rx);
	free(t->key);
	free(t);
}

/* One match of tagFilterRangeRx "([+-]?[[:digit:]]+)([[:alpha:]]+)?" at or
 * after *pos: [*start, *end) the match, num_end the end of the number. */
static bool next_range(const char *s, size_t *pos, size_t *start, size_t *num_end, size_t *end)
{
	size_t n = strlen(s);
	for (size_t i = *pos; i < n; i++) {
		size_t k = i;
		if ((s[k] == '+' || s[k] == '-') && s[k + 1] >= '0' && s[k + 1] <= '9')
			k++;
		if (!(s[k] >= '0' && s[k] <= '9'))
			continue;
		while (s[k] >= '0' && s[k] <= '9')
			k++;
		*start = i;
		*num_end = k;
		while ((s[k] >= 'a' && s[k] <= 'z') || (s[k] >= 'A' && s[k] <= 'Z'))
			k++;
		*end = k;
		*pos = k;
		return true;
	}
	return false;
}

static int parse_int(const char *s, size_t a, size_t b, int64_t *out, struct fw_error *err)
{
	char num[64], *end;
	long long v;

	if (b - a >= sizeof(num))
		return fw_err(err, -EINVAL, "failed to parse int %.*s: value out of range", (int)(b - a), s + a);
	memcpy(num, s + a, b - a);
	num[b - a] = 0;
	errno = 0;
	v = strtoll(num, &end, 10);
	if (errno || *end)
		return fw_err(err, -EINVAL,
			      "failed to parse int %s: strconv.ParseInt: parsing \"%s\": value out of range",
			      num, num);
	*out = v;
	return 0;
}

/* parseTagFilterRange: 1 and *t filled if value is a numeric range, 0 if it
 * is to be read as regexps, <0 on error (pprof panics there). */
static int parse_range(const char *value, struct tagfilter *t, struct fw_error *err)
{
	size_t pos = 0, s0, n0, e0, s1, n1, e1;
	char unit0[32], unit2[32];
	int64_t v;
	double scaled;
	int r;

	if (!next_range(value, &pos, &s0, &n0, &e0))
		return 0;
	if ((r = parse_int(value, s0, n0, &v, err)) < 0)
		return r;
	snprintf(unit0, sizeof(unit0), "%.*s", (int)(e0 - n0), value + n0);
	scaled = fw_unit_scale(v, unit0, unit0, t->unit, sizeof(t->unit));
	if (!next_range(value, &pos, &s1, &n1, &e1)) {
		size_t len = strlen(value), m = e0 - s0;
		if (s0 == 0 && len == m)
			t->kind = RANGE_EQ;
		else if (s0 == 0 && len == m + 1 && value[m] == ':')
			t->kind = RANGE_GE;
		else if (s0 == 1 && len == m + 1 && value[0] == ':')
			t->kind = RANGE_LE;
		else
			return 0;
		t->lo = t->hi = scaled;
		return 1;
	}
	if (!(s0 == 0 && value[e0] == ':' && s1 == e0 + 1 && value[e1] == 0))
		return 0;
	t->lo = scaled;
	if ((r = parse_int(value, s1, n1, &v, err)) < 0)
		return r;
	{
		char u1[32];
		snprintf(u1, sizeof(u1), "%.*s", (int)(e1 - n1), value + n1);
		t->hi = fw_unit_scale(v, u1, t->unit, unit2, sizeof(unit2));
	}
	if (strcmp(unit2, t->unit) != 0)
		return 0;
	t->kind = RANGE_BETWEEN;
	return 1;
}

static int compile_tag_filter(const char *name, const char *value, struct tagfilter **out,
			      struct fw_buf *warnings, struct fw_error *err)
{
	struct tagfilter *t = calloc(1, sizeof(*t));
	const char *eq = strchr(value, '=');
	int r;

	*out = NULL;
	if (!t)
		return fw_err(err, -ENOMEM, "out of memory");
	if (eq) {
		if (!(t->key = strndup(value, (size_t)(eq - value)))) {
			r = fw_err(err, -ENOMEM, "out of memory");
			goto fail;
		}
		value = eq + 1;
	}
	if ((r = parse_range(value, t, err)) < 0)
		goto fail;
	if (r == 1) {
		if (warnings)
			fw_buf_printf(warnings, "%s:Interpreted '%s' as range, not regexp\n", name, value);
		t->numeric = true;
		*out = t;
		return 0;
	}
	for (const char *s = value;; ) {
		const char *comma = strchr(s, ',');
		size_t n = comma ? (size_t)(comma - s) : strlen(s);
		char *pat = strndup(s, n);
		struct fw_regexp **grown;
		if (!pat || !(grown = realloc(t->rx, (t->n_rx + 1) * sizeof(*grown)))) {
			free(pat);
			r = fw_err(err, -ENOMEM, "out of memory");
			goto fail;
		}
		t->rx = grown;
		r = rx_compile(name, pat, &t->rx[t->n_rx], err);
		free(pat);
		if (r < 0)
			goto fail;
		t->n_rx++;
		if (!comma)
			break;
		s = comma + 1;
	}
	*out = t;
	return 0;
fail:
	tagfilter_free(t);
	return r;
}

static bool num_matches(const struct tagfilter *t, int64_t v, const char *unit)
{
	char su[32];
	double sv = fw_unit_scale(v, unit ? unit : "", t->unit, su, sizeof(su));

	if (strcmp(su, t->unit) != 0)
		return false;
	switch (t->kind) {
	case RANGE_EQ: return sv == t->lo;
	case RANGE_GE: return sv >= t->lo;
	case RANGE_LE: return sv <= t->lo;
	case RANGE_BETWEEN: return sv >= t->lo && sv <= t->hi;
	}
	return false;
}

static bool tag_matches(const struct fw_profile *p, size_t s, const struct tagfilter *t,
			const char *const *unit_of, struct fw_buf *scratch)
{
	const struct fw_sample *sm = &p->samples[s];
	const struct fw_label *ls = p->labels + sm->first_label;

	if (t->numeric) {
		for (uint32_t i = 0; i < sm->n_labels; i++) {
			const char *key = fw_pstr(p, ls[i].key);
			if (!is_num_label(&ls[i]) || (t->key && strcmp(key, t->key) != 0))
				continue;
			if (num_matches(t, ls[i].num, unit_of[ls[i].key]))
				return true;
		}
		return false;
	}
	if (t->key) {
		for (size_t k = 0; k < t->n_rx; k++)
			for (uint32_t i = 0; i < sm->n_labels; i++)
				if (!is_num_label(&ls[i]) && !strcmp(fw_pstr(p, ls[i].key), t->key) &&
				    rx_match(t->rx[k], fw_pstr(p, ls[i].str)))
					return true;
		return false;
	}
	/* every regexp matches some "key:value" */
	for (size_t k = 0; k < t->n_rx; k++) {
		bool found = false;
		for (uint32_t i = 0; i < sm->n_labels && !found; i++) {
			if (is_num_label(&ls[i]))
				continue;
			scratch->len = 0;
			fw_buf_printf(scratch, "%s:%s", fw_pstr(p, ls[i].key), fw_pstr(p, ls[i].str));
			found = rx_match(t->rx[k], fw_buf_str(scratch));
		}
		if (!found)
			return false;
	}
	return true;
}

static int filter_by_tag(struct fw_profile *p, const struct tagfilter *focus,
			 const struct tagfilter *ignore, const char *const *unit_of, bool *tfm, bool *tim,
			 struct fw_error *err)
{
	bool *keep = calloc(p->n_samples + 1, sizeof(*keep));
	struct fw_buf scratch;

	if (!keep)
		return fw_err(err, -ENOMEM, "out of memory");
	fw_buf_init(&scratch);
	for (size_t s = 0; s < p->n_samples; s++) {
		bool focused = !focus || tag_matches(p, s, focus, unit_of, &scratch);
		bool ignored = ignore && tag_matches(p, s, ignore, unit_of, &scratch);
		keep[s] = focused && !ignored;
		*tfm = *tfm || focused;
		*tim = *tim || ignored;
	}
	if (scratch.failed) {
		free(keep);
		fw_buf_free(&scratch);
		return fw_err(err, -ENOMEM, "out of memory");
	}
	keep_samples(p, keep);
	free(keep);
	fw_buf_free(&scratch);
	return 0;
}

/* ---- -tagshow, -taghide (FilterTagsByName) ---------------------------------------- */

/* The kept labels are appended after the existing ones, which stay (for
 * fw_num_label_units). */
static int filter_tags(struct fw_profile *p, const struct fw_regexp *show, const struct fw_regexp *hide,
		       bool *tns, bool *tnh, struct fw_error *err)
{
	size_t extra = 0, n;
	struct fw_label *labels;

	for (size_t s = 0; s < p->n_samples; s++)
		extra += p->samples[s].n_labels;
	labels = malloc((p->n_labels + extra + 1) * sizeof(*labels));
	if (!labels)
		return fw_err(err, -ENOMEM, "out of memory");
	if (p->n_labels)
		memcpy(labels, p->labels, p->n_labels * sizeof(*labels));
	n = p->n_labels;
	for (size_t s = 0; s < p->n_samples; s++) {
		struct fw_sample *sm = &p->samples[s];
		size_t first = n;
		for (uint32_t i = 0; i < sm->n_labels; i++) {
			const struct fw_label *l = &p->labels[sm->first_label + i];
			const char *key = fw_pstr(p, l->key);
			bool shown = !show || rx_match(show, key), hidden = hide && rx_match(hide, key);
			*tns = *tns || shown;
			*tnh = *tnh || hidden;
			if (!shown || hidden)
				continue;
			labels[n++] = *l;
		}
		sm->first_label = (uint32_t)first;
		sm->n_labels = (uint32_t)(n - first);
	}
	free(p->labels);
	p->labels = labels;
	p->n_labels = n;
	return 0;
}

/* ---- -prune_from (PruneFrom) ----------------------------------------------------- */

/* simplifyFunc: drop a leading '.', cut at the first '(' that does not
 * start "(anonymous namespace)" or belong to "operator()". */
static void simplify_func(const char *name, struct fw_buf *out)
{
	static const char anon[] = "(anonymous namespace)", op[] = "operator()";
	size_t n, i = 0;

	if (name[0] == '.')
		name++;
	n = strlen(name);
	while (i < n) {
		if (!strncmp(name + i, anon, sizeof(anon) - 1)) {
			i += sizeof(anon) - 1;
		} else if (!strncmp(name + i, op, sizeof(op) - 1)) {
			i += sizeof(op) - 1;
		} else if (name[i] == '(') {
			n = i;
			break;
		} else {
			i++;
		}
	}
	out->len = 0;
	fw_buf_putn(out, name, n);
}

static int prune_from(struct fw_profile *p, const struct fw_regexp *x, struct fw_error *err)
{
	bool *beneath = calloc(p->n_locations + 1, sizeof(*beneath));
	struct fw_buf fn;

	if (!beneath)
		return fw_err(err, -ENOMEM, "out of memory");
	fw_buf_init(&fn);
	for (size_t i = 0; i < p->n_locations; i++) {
		struct fw_location *l = &p->locations[i];
		for (uint32_t k = 0; k < l->n_lines; k++) {
			const char *name = fw_pstr(p, p->functions[p->lines[l->first_line + k].function].name);
			if (!name[0])
				continue;
			simplify_func(name, &fn);
			if (rx_match(x, fw_buf_str(&fn))) {
				beneath[i] = true;
				l->first_line += k;
				l->n_lines -= k;
				break;
			}
		}
	}
	for (size_t s = 0; s < p->n_samples; s++) {
		struct fw_sample *sm = &p->samples[s];
		for (uint32_t k = 0; k < sm->n_locs; k++) {
			if (beneath[p->sample_locs[sm->first_loc + k]]) {
				sm->first_loc += k;
				sm->n_locs -= k;
				break;
			}
		}
	}
	free(beneath);
	if (fn.failed) {
		fw_buf_free(&fn);
		return fw_err(err, -ENOMEM, "out of memory");
	}
	fw_buf_free(&fn);
	return 0;
}

/* ---- applyFocus, after focus/ignore ----------------------------------------------- */

/* warnNoMatches */
static void warn_no_matches(struct fw_buf *warnings, bool given, bool matched, const char *option)
{
	if (warnings && given && !matched)
		fw_buf_printf(warnings, "%s expression matched no samples\n", option);
}

int fw_filter_apply(struct fw_profile *p, const struct fw_report_opts *o, bool fm, bool im,
		    struct fw_buf *active, struct fw_error *err)
{
	struct fw_regexp *hide = NULL, *show = NULL, *from = NULL, *prune = NULL, *tshow = NULL, *thide = NULL;
	struct tagfilter *tfocus = NULL, *tignore = NULL;
	const char **unit_of = NULL;
	struct fw_buf *w = o->warnings;
	bool hm = false, hnm = false, sfm = false, tfm = false, tim = false, tns = false, tnh = false;
	int r = 0, rx_err = 0;

	static const char *const names[] = { "hide", "show", "show_from", "tagfocus", "tagignore",
					     "tagshow", "taghide" };
	const char *values[] = { o->hide, o->show, o->show_from, o->tagfocus, o->tagignore,
				 o->tagshow, o->taghide };
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		if (set(values[i]))
			fw_buf_printf(active, "%s=%s\n", names[i], values[i]);

	/* pprof's order: compile the name filters, the tag filters (noting a
	 * numeric range) and prune_from; filter by name, show_from and tags,
	 * each followed by its warnings; then compile and apply tagshow and
	 * taghide (an invalid one is reported after the warnings), then
	 * prune_from. */
	if ((set(o->hide) && (r = rx_compile("hide", o->hide, &hide, err)) < 0) ||
	    (set(o->show) && (r = rx_compile("show", o->show, &show, err)) < 0) ||
	    (set(o->show_from) && (r = rx_compile("show_from", o->show_from, &from, err)) < 0) ||
	    (set(o->tagfocus) && (r = compile_tag_filter("tagfocus", o->tagfocus, &tfocus, w, err)) < 0) ||
	    (set(o->tagignore) && (r = compile_tag_filter("tagignore", o->tagignore, &tignore, w, err)) < 0) ||
	    (set(o->prune_from) && (r = rx_compile("prune_from", o->prune_from, &prune, err)) < 0))
		goto out;
	if ((tfocus || tignore) && fw_num_label_units(p, &unit_of) < 0) {
		r = fw_err(err, -ENOMEM, "out of memory");
		goto out;
	}
	if ((hide || show) && (r = hide_show(p, hide, show, &hm, &hnm, err)) < 0)
		goto out;
	warn_no_matches(w, set(o->focus), fm, "Focus");
	warn_no_matches(w, set(o->ignore), im, "Ignore");
	warn_no_matches(w, hide, hm, "Hide");
	warn_no_matches(w, show, hnm, "Show");
	if (from && (r = show_from(p, from, &sfm, err)) < 0)
		goto out;
	warn_no_matches(w, from, sfm, "ShowFrom");
	if ((tfocus || tignore) && (r = filter_by_tag(p, tfocus, tignore, unit_of, &tfm, &tim, err)) < 0)
		goto out;
	warn_no_matches(w, tfocus, tfm, "TagFocus");
	warn_no_matches(w, tignore, tim, "TagIgnore");
	/* as pprof: a bad taghide still lets a good tagshow filter and warn */
	if (set(o->tagshow))
		rx_err = rx_compile("tagshow", o->tagshow, &tshow, err);
	if (!rx_err && set(o->taghide))
		rx_err = rx_compile("taghide", o->taghide, &thide, err);
	if (rx_err == -ENOMEM) {
		r = rx_err;
		goto out;
	}
	if ((tshow || thide) && (r = filter_tags(p, tshow, thide, &tns, &tnh, err)) < 0)
		goto out;
	warn_no_matches(w, tshow, tns, "TagShow");
	warn_no_matches(w, thide, tnh, "TagHide");
	if ((r = rx_err) < 0)
		goto out;
	if (prune && (r = prune_from(p, prune, err)) < 0)
		goto out;
	if (active->failed || (w && w->failed))
		r = fw_err(err, -ENOMEM, "out of memory");
out:
	fw_regexp_free(hide);
	fw_regexp_free(show);
	fw_regexp_free(from);
	fw_regexp_free(prune);
	fw_regexp_free(tshow);
	fw_regexp_free(thide);
	tagfilter_free(tfocus);
	tagfilter_free(tignore);
	free(unit_of);
	return r;
}
