/*
 * merge.c: pprof's profile.Merge, ScaleN, SetLabel and
 * measurement.ScaleProfiles over the compact profile (see merge.h).
 *
 * Merge gives pprof's profileMerger's results: the sources are concatenated,
 * then equal mappings, functions and locations are unified (locations keyed
 * by content, addresses relative to their mapping) and samples with the same
 * locations and labels summed, in place. Unlike pprof, entries no sample
 * uses are kept; no report depends on them, and mapping[0], which names the
 * main binary, stays first as in pprof.
 */
#include "pprof/merge.h"
#include "base/heap.h"
#include "base/keymap.h"
#include "pprof/units.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int compact(struct fw_profile *p, bool additive, size_t split, struct fw_error *err);

static int nomem(struct fw_error *err)
{
	return fw_err(err, -ENOMEM, "out of memory while merging profiles");
}

static int label_cmp(const void *a, const void *b)
{
	const struct fw_label *x = a, *y = b;
	int xn = x->str == 0, yn = y->str == 0;
	if (xn != yn)
		return xn - yn;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return 0;
}

/* Appends src's n elements to the array *dst of *len elements, sized
 * exactly, and frees src's array. Copied a step at a time, with the pages
 * of src already copied handed back at once (base/heap.h), so that a large
 * array is not held twice while it is copied. */
#define APPEND_STEP ((size_t)1 << 20)
static int append(void **dst, size_t *len, void **srcp, size_t n, size_t elem)
{
	const size_t page = (size_t)sysconf(_SC_PAGESIZE);
	const char *src = *srcp;
	size_t bytes, released = 0;
	char *p;

	if (n > 0) {
		if (n > SIZE_MAX / elem || *len > SIZE_MAX / elem - n ||
		    !(p = realloc(*dst, (*len + n) * elem)))
			return -ENOMEM;
		*dst = p;
		bytes = n * elem;
		p += *len * elem;
		for (size_t done = 0; done < bytes; done += APPEND_STEP) {
			size_t k = bytes - done < APPEND_STEP ? bytes - done : APPEND_STEP;
			memcpy(p + done, src + done, k);
			released = fw_heap_release(*srcp, released, done + k, page, page);
		}
		*len += n;
	}
	free(*srcp);
	*srcp = NULL;
	return 0;
}

/* Appends every entry of src to out, with string references re-interned
 * into out's table and indices shifted; nothing is deduplicated yet. src's
 * arrays are freed as they are copied: only its header and string table
 * are left (to be freed), also on failure. */
static int concat(struct fw_profile *out, struct fw_profile *src)
{
	size_t m0 = out->n_mappings, f0 = out->n_functions, l0 = out->n_locations, ln0 = out->n_lines;
	size_t s0 = out->n_samples, sl0 = out->n_sample_locs, lb0 = out->n_labels;
	size_t nt = out->n_sample_types, nvalues = s0 * nt;
	uint32_t *str = malloc((src->strings.n + 1) * sizeof(*str));
	int r = -ENOMEM;

	if (!str)
		return -ENOMEM;
	/* every index stays a uint32 */
	if (src->n_mappings > UINT32_MAX - m0 || src->n_functions > UINT32_MAX - f0 ||
	    src->n_locations > UINT32_MAX - l0 || src->n_lines > UINT32_MAX - ln0 ||
	    src->n_sample_locs > UINT32_MAX - sl0 || src->n_labels > UINT32_MAX - lb0) {
		r = -E2BIG;
		goto out;
	}
	for (size_t i = 0; i < src->strings.n; i++)
		if (fw_strtab_intern(&out->strings, fw_str(&src->strings, (uint32_t)i),
				     fw_strlen(&src->strings, (uint32_t)i), &str[i]) < 0)
			goto out;
	/* the largest arrays first, while the most memory is free */
	if (append((void **)&out->sample_locs, &out->n_sample_locs, (void **)&src->sample_locs,
		   src->n_sample_locs, sizeof(*src->sample_locs)) < 0 ||
	    append((void **)&out->values, &nvalues, (void **)&src->values, src->n_samples * nt,
		   sizeof(*src->values)) < 0 ||
	    append((void **)&out->samples, &out->n_samples, (void **)&src->samples, src->n_samples,
		   sizeof(*src->samples)) < 0 ||
	    append((void **)&out->labels, &out->n_labels, (void **)&src->labels, src->n_labels,
		   sizeof(*src->labels)) < 0 ||
	    append((void **)&out->locations, &out->n_locations, (void **)&src->locations, src->n_locations,
		   sizeof(*src->locations)) < 0 ||
	    append((void **)&out->lines, &out->n_lines, (void **)&src->lines, src->n_lines,
		   sizeof(*src->lines)) < 0 ||
	    append((void **)&out->functions, &out->n_functions, (void **)&src->functions, src->n_functions,
		   sizeof(*src->functions)) < 0 ||
	    append((void **)&out->mappings, &out->n_mappings, (void **)&src->mappings, src->n_mappings,
		   sizeof(*src->mappings)) < 0)
		goto out;
	for (size_t i = m0; i < out->n_mappings; i++) {
		struct fw_mapping *m = &out->mappings[i];
		m->filename = str[m->filename];
		m->build_id = str[m->build_id];
	}
	for (size_t i = f0; i < out->n_functions; i++) {
		struct fw_function *f = &out->functions[i];
		f->name = str[f->name];
		f->system_name = str[f->system_name];
		f->filename = str[f->filename];
	}
	for (size_t i = l0; i < out->n_locations; i++) {
		struct fw_location *l = &out->locations[i];
		if (l->mapping != FW_NONE)
			l->mapping += (uint32_t)m0;
		l->first_line += (uint32_t)ln0;
	}
	for (size_t i = ln0; i < out->n_lines; i++)
		out->lines[i].function += (uint32_t)f0;
	for (size_t i = s0; i < out->n_samples; i++) {
		out->samples[i].first_loc += (uint32_t)sl0;
		out->samples[i].first_label += (uint32_t)lb0;
	}
	for (size_t i = sl0; i < out->n_sample_locs; i++)
		out->sample_locs[i] += (uint32_t)l0;
	for (size_t i = lb0; i < out->n_labels; i++) {
		struct fw_label *l = &out->labels[i];
		l->key = str[l->key];
		l->str = str[l->str];
		l->num_unit = str[l->num_unit];
	}
	r = 0;
out:
	free(str);
	return r;
}

static bool is_zero_sample(const struct fw_profile *p, size_t s)
{
	const int64_t *v = fw_sample_values(p, s);
	for (size_t i = 0; i < p->n_sample_types; i++)
		if (v[i] != 0)
			return false;
	return true;
}

/* Moves sample `from` (its record and values) down to slot `to`. */
static void move_sample(struct fw_profile *p, size_t to, size_t from)
{
	size_t nt = p->n_sample_types;

	assert(to <= from && from < p->n_samples);
	if (to != from) {
		p->samples[to] = p->samples[from];
		memmove(p->values + to * nt, p->values + from * nt, nt * sizeof(int64_t));
	}
}

/* Keeps, in order, the samples for which keep(p, s, canon) holds. */
static void keep_samples(struct fw_profile *p, bool (*keep)(const struct fw_profile *, size_t, const uint32_t *),
			 const uint32_t *canon)
{
	size_t fill = 0;

	for (size_t s = 0; s < p->n_samples; s++)
		if (keep(p, s, canon))
			move_sample(p, fill++, s);
	p->n_samples = fill;
}

static bool nonzero(const struct fw_profile *p, size_t s, const uint32_t *canon)
{
	(void)canon;
	return !is_zero_sample(p, s);
}

/* a sample that is its own canonical (first) copy and not all zero */
static bool canonical_nonzero(const struct fw_profile *p, size_t s, const uint32_t *canon)
{
	return canon[s] == s && !is_zero_sample(p, s);
}

static bool same_str(const struct fw_profile *a, uint32_t ia, const struct fw_profile *b, uint32_t ib)
{
	return fw_strlen(&a->strings, ia) == fw_strlen(&b->strings, ib) &&
	       memcmp(fw_pstr(a, ia), fw_pstr(b, ib), fw_strlen(&a->strings, ia)) == 0;
}

static bool same_vt(const struct fw_profile *a, const struct fw_value_type *x,
		    const struct fw_profile *b, const struct fw_value_type *y)
{
	return same_str(a, x->type, b, y->type) && same_str(a, x->unit, b, y->unit);
}

static int compatible(const struct fw_profile *a, const struct fw_profile *b, struct fw_error *err)
{
	if (!same_vt(a, &a->period_type, b, &b->period_type))
		return fw_err(err, -EINVAL, "incompatible period types {%s %s} and {%s %s}",
			      fw_pstr(a, a->period_type.type), fw_pstr(a, a->period_type.unit),
			      fw_pstr(b, b->period_type.type), fw_pstr(b, b->period_type.unit));
	if (a->n_sample_types != b->n_sample_types)
		return fw_err(err, -EINVAL, "incompatible sample types: %zu vs %zu types",
			      a->n_sample_types, b->n_sample_types);
	for (size_t i = 0; i < a->n_sample_types; i++)
		if (!same_vt(a, &a->sample_types[i], b, &b->sample_types[i]))
			return fw_err(err, -EINVAL, "incompatible sample types: %s/%s vs %s/%s",
				      fw_pstr(a, a->sample_types[i].type), fw_pstr(a, a->sample_types[i].unit),
				      fw_pstr(b, b->sample_types[i].type), fw_pstr(b, b->sample_types[i].unit));
	return 0;
}

/* pprof's combineHeaders, one profile at a time into o, which starts as
 * the first profile: the earliest time, the summed duration, the largest
 * period, comments without repeats (o's own repeats go when it is
 * compacted), the first non-empty default sample type; types, drop and
 * keep frames stay the first profile's. */
static int merge_header(struct fw_profile *o, const struct fw_profile *s)
{
	size_t cap = o->n_comments;

	if (o->time_nanos == 0 || s->time_nanos < o->time_nanos)
		o->time_nanos = s->time_nanos;
	o->duration_nanos = (int64_t)((uint64_t)o->duration_nanos + (uint64_t)s->duration_nanos);
	if (o->period == 0 || o->period < s->period)
		o->period = s->period;
	for (size_t c = 0; c < s->n_comments; c++) {
		uint32_t idx;
		bool seen = false;
		if (fw_strtab_intern(&o->strings, fw_pstr(s, s->comments[c]), fw_strlen(&s->strings, s->comments[c]),
				     &idx) < 0)
			return -ENOMEM;
		for (size_t k = 0; k < o->n_comments && !seen; k++)
			seen = same_str(o, o->comments[k], o, idx);
		if (seen)
			continue;
		if (fw_grow((void **)&o->comments, &cap, o->n_comments + 1, sizeof(uint32_t)) < 0)
			return -ENOMEM;
		o->comments[o->n_comments++] = idx;
	}
	if (fw_strlen(&o->strings, o->default_sample_type) == 0 &&
	    fw_strtab_intern(&o->strings, fw_pstr(s, s->default_sample_type),
			     fw_strlen(&s->strings, s->default_sample_type), &o->default_sample_type) < 0)
		return -ENOMEM;
	return 0;
}

static int all_compatible(struct fw_profile *const *ps, size_t n, struct fw_error *err)
{
	int r;

	if (n == 0)
		return fw_err(err, -EINVAL, "no profiles to merge");
	for (size_t i = 1; i < n; i++)
		if ((r = compatible(ps[0], ps[i], err)) < 0)
			return r;
	return 0;
}

int fw_profile_merge(struct fw_profile *const *srcs, size_t n, struct fw_profile **out,
		     struct fw_error *err)
{
	struct fw_profile **copies;
	int r;

	if ((r = all_compatible(srcs, n, err)) < 0)
		return r;
	if (!(copies = calloc(n, sizeof(*copies))))
		return nomem(err);
	for (size_t i = 0; i < n; i++)
		if (fw_profile_clone(srcs[i], &copies[i]) < 0) {
			for (size_t k = 0; k < i; k++)
				fw_profile_free(copies[k]);
			free(copies);
			return nomem(err);
		}
	r = fw_profiles_merge_owned(copies, n, false, out, err);
	free(copies);
	return r;
}

/* fw_profiles_merge_owned; split: ps[0] and ps[1] (n = 2) each hold no two
 * equal samples (sum_pair). */
static int merge_owned(struct fw_profile **ps, size_t n, bool additive, bool split, struct fw_profile **out,
		       struct fw_error *err)
{
	size_t first = n == 2 && split && ps[0] ? ps[0]->n_samples : 0;
	int r;

	if ((r = all_compatible(ps, n, err)) < 0)
		goto fail;
	for (size_t i = 1; i < n; i++) {
		if ((r = merge_header(ps[0], ps[i])) == 0)
			r = concat(ps[0], ps[i]);
		if (r == -E2BIG)
			r = fw_err(err, r, "merged profile too large: more than 2^32 entries of a kind");
		else if (r < 0)
			r = nomem(err);
		fw_profile_free(ps[i]);
		ps[i] = NULL;
		if (r < 0)
			goto fail;
	}
	if ((r = compact(ps[0], additive, first, err)) < 0)
		goto fail;
	*out = ps[0];
	ps[0] = NULL;
	return 0;
fail:
	for (size_t i = 0; i < n; i++) {
		fw_profile_free(ps[i]);
		ps[i] = NULL;
	}
	return r;
}

int fw_profiles_merge_owned(struct fw_profile **ps, size_t n, bool additive, struct fw_profile **out,
			    struct fw_error *err)
{
	return merge_owned(ps, n, additive, false, out, err);
}

int fw_profiles_merge_distinct(struct fw_profile *pair[2], struct fw_profile **out, struct fw_error *err)
{
	return merge_owned(pair, 2, false, true, out, err);
}

void fw_profile_scale_n(struct fw_profile *p, const double *ratios)
{
	size_t nt = p->n_sample_types, fill = 0;
	bool all_ones = true;

	for (size_t i = 0; i < nt; i++)
		if (ratios[i] != 1)
			all_ones = false;
	if (all_ones)
		return;
	for (size_t s = 0; s < p->n_samples; s++) {
		int64_t *v = p->values + s * nt;
		bool keep = false;
		for (size_t i = 0; i < nt; i++) {
			if (ratios[i] != 1) {
				double x = round((double)v[i] * ratios[i]);
				/* Go's int64(float) of an out-of-range value is
				 * implementation-defined; saturate instead of UB. */
				if (x >= 9223372036854775807.0)
					v[i] = INT64_MAX;
				else if (x <= -9223372036854775808.0)
					v[i] = INT64_MIN;
				else
					v[i] = (int64_t)x;
				keep = keep || v[i] != 0;
			}
		}
		if (keep)
			move_sample(p, fill++, s);
	}
	p->n_samples = fill;
}

int fw_profile_scale(struct fw_profile *p, double r)
{
	double *ratios = malloc((p->n_sample_types + 1) * sizeof(double));

	if (!ratios)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_sample_types; i++)
		ratios[i] = r;
	fw_profile_scale_n(p, ratios);
	free(ratios);
	return 0;
}

/* Labels with key=value in place: each sample's slice moved up, and the
 * label added after it, from the last sample back. Only when no label is
 * replaced and every sample's labels lie after the previous sample's, at
 * or below where they go (checked by the caller): then nothing is written
 * over labels not yet moved. total: the labels after. */
static int relabel_in_place(struct fw_profile *p, struct fw_label add, size_t total)
{
	struct fw_label *nl = realloc(p->labels, (total + 1) * sizeof(*nl));

	if (!nl)
		return -ENOMEM;
	p->labels = nl;
	p->n_labels = total;
	for (size_t s = p->n_samples; s-- > 0;) {
		struct fw_sample *sm = &p->samples[s];
		total -= sm->n_labels + 1;
		memmove(nl + total, nl + sm->first_label, sm->n_labels * sizeof(*nl));
		nl[total + sm->n_labels] = add;
		sm->first_label = (uint32_t)total;
		sm->n_labels++;
	}
	return 0;
}

int fw_profile_set_label(struct fw_profile *p, const char *key, const char *value,
			 struct fw_error *err)
{
	struct fw_label *nl, add = { 0 };
	size_t n = 0, prev_end = 0;
	bool replaced = false, in_place = true;

	if (fw_strtab_intern(&p->strings, key, strlen(key), &add.key) < 0 ||
	    fw_strtab_intern(&p->strings, value, strlen(value), &add.str) < 0)
		return fw_err(err, -ENOMEM, "out of memory");
	/* the labels after, and whether they can be made in place */
	for (size_t s = 0; s < p->n_samples; s++) {
		const struct fw_sample *sm = &p->samples[s];
		for (uint32_t i = 0; i < sm->n_labels; i++) {
			const struct fw_label *l = &p->labels[sm->first_label + i];
			replaced = replaced || (l->str != 0 && l->key == add.key);
		}
		if (sm->n_labels) {
			in_place = in_place && sm->first_label >= prev_end && n >= sm->first_label;
			prev_end = (size_t)sm->first_label + sm->n_labels;
		}
		n += sm->n_labels + 1;
	}
	if (n >= UINT32_MAX)
		return fw_err(err, -E2BIG, "too many labels: %zu", n);
	if (!replaced && in_place) /* the usual case: no second array */
		return relabel_in_place(p, add, n) < 0 ? fw_err(err, -ENOMEM, "out of memory") : 0;
	if (!(nl = malloc((n + 1) * sizeof(*nl))))
		return fw_err(err, -ENOMEM, "out of memory");
	n = 0;
	for (size_t s = 0; s < p->n_samples; s++) {
		struct fw_sample *sm = &p->samples[s];
		uint32_t first = (uint32_t)n;
		for (uint32_t i = 0; i < sm->n_labels; i++) {
			const struct fw_label *l = &p->labels[sm->first_label + i];
			if (l->str == 0 || l->key != add.key)
				nl[n++] = *l;
		}
		nl[n++] = add;
		sm->first_label = first;
		sm->n_labels = (uint32_t)(n - first);
	}
	free(p->labels);
	p->labels = nl;
	p->n_labels = n;
	return replaced;
}

bool fw_sample_has_label(const struct fw_profile *p, size_t s, const char *key, const char *value)
{
	const struct fw_sample *sm = &p->samples[s];
	for (uint32_t i = 0; i < sm->n_labels; i++) {
		const struct fw_label *l = &p->labels[sm->first_label + i];
		if (l->str != 0 && strcmp(fw_pstr(p, l->key), key) == 0 &&
		    strcmp(fw_pstr(p, l->str), value) == 0)
			return true;
	}
	return false;
}

/* ---- ScaleProfiles --------------------------------------------------------- */

struct vt {
	const char *type, *unit;
};

static bool compatible_vt(struct vt a, struct vt b)
{
	size_t la = strlen(a.type), lb = strlen(b.type);
	if (la && a.type[la - 1] == 's')
		la--;
	if (lb && b.type[lb - 1] == 's')
		lb--;
	if (la != lb || memcmp(a.type, b.type, la) != 0)
		return false;
	if (strcmp(a.unit, b.unit) == 0)
		return true;
	return fw_unit_same_family(a.unit, b.unit);
}

/* CommonValueType: the first type, replaced by any later one whose unit is
 * finer (one of its units is less than one of the current one's), so no
 * value loses precision when rescaled. */
static int common_vt(const struct vt *ts, size_t n, struct vt *out, char *msg, size_t msglen)
{
	struct vt min = ts[0];
	for (size_t i = 1; i < n; i++) {
		if (!compatible_vt(min, ts[i])) {
			snprintf(msg, msglen, "incompatible types: {%s %s 0 0} {%s %s 0 0}", min.type,
				 min.unit, ts[i].type, ts[i].unit);
			return -EINVAL;
		}
		if (fw_unit_scale(1, ts[i].unit, min.unit, NULL, 0) < 1)
			min = ts[i];
	}
	*out = min;
	return 0;
}

int fw_profiles_scale_units(struct fw_profile *const *ps, size_t n, struct fw_error *err)
{
	struct vt *ts, period, *common;
	size_t nt;
	char msg[512];
	int r = 0;

	if (n <= 1)
		return 0;
	nt = ps[0]->n_sample_types;
	ts = calloc(n, sizeof(*ts));
	common = calloc(nt + 1, sizeof(*common));
	if (!ts || !common) {
		r = fw_err(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		ts[i].type = fw_pstr(ps[i], ps[i]->period_type.type);
		ts[i].unit = fw_pstr(ps[i], ps[i]->period_type.unit);
	}
	if (common_vt(ts, n, &period, msg, sizeof(msg)) < 0) {
		r = fw_err(err, -EINVAL, "period type: %s", msg);
		goto out;
	}
	for (size_t i = 1; i < n; i++)
		if (ps[i]->n_sample_types != nt) {
			r = fw_err(err, -EINVAL, "inconsistent samples type count: %zu != %zu", nt,
				   ps[i]->n_sample_types);
			goto out;
		}
	for (size_t k = 0; k < nt; k++) {
		for (size_t i = 0; i < n; i++) {
			ts[i].type = fw_pstr(ps[i], ps[i]->sample_types[k].type);
			ts[i].unit = fw_pstr(ps[i], ps[i]->sample_types[k].unit);
		}
		if (common_vt(ts, n, &common[k], msg, sizeof(msg)) < 0) {
			r = fw_err(err, -EINVAL, "sample types: %s", msg);
			goto out;
		}
	}
	/* Copy the common unit names before any profile's strings change. */
	{
		char (*units)[64] = calloc(nt + 1, sizeof(*units));
		char punit[64];
		if (!units) {
			r = fw_err(err, -ENOMEM, "out of memory");
			goto out;
		}
		snprintf(punit, sizeof(punit), "%s", period.unit);
		for (size_t k = 0; k < nt; k++)
			snprintf(units[k], sizeof(units[k]), "%s", common[k].unit);
		for (size_t i = 0; i < n && r == 0; i++) {
			struct fw_profile *p = ps[i];
			double *ratios = calloc(nt + 1, sizeof(double));
			uint32_t idx;
			if (!ratios) {
				r = fw_err(err, -ENOMEM, "out of memory");
				break;
			}
			double per = fw_unit_scale(p->period, fw_pstr(p, p->period_type.unit), punit, NULL, 0);
			p->period = (per >= 9.2e18 || per <= -9.2e18) ? p->period : (int64_t)per;
			if (fw_strtab_intern(&p->strings, punit, strlen(punit), &idx) < 0)
				r = fw_err(err, -ENOMEM, "out of memory");
			p->period_type.unit = idx;
			for (size_t k = 0; k < nt && r == 0; k++) {
				ratios[k] = fw_unit_scale(1, fw_pstr(p, p->sample_types[k].unit), units[k], NULL, 0);
				if (fw_strtab_intern(&p->strings, units[k], strlen(units[k]), &idx) < 0)
					r = fw_err(err, -ENOMEM, "out of memory");
				p->sample_types[k].unit = idx;
			}
			if (r == 0)
				fw_profile_scale_n(p, ratios);
			free(ratios);
		}
		free(units);
	}
out:
	free(ts);
	free(common);
	return r;
}

/* ---- in-place merge of one profile ------------------------------------------ */

static uint64_t str_hash(const void *ctx, uint32_t i)
{
	const struct fw_strtab *t = ctx;
	return fw_hash_bytes(fw_str(t, i), fw_strlen(t, i), 1);
}

static bool str_equal(const void *ctx, uint32_t a, uint32_t b)
{
	const struct fw_strtab *t = ctx;
	return fw_strlen(t, a) == fw_strlen(t, b) && memcmp(fw_str(t, a), fw_str(t, b), fw_strlen(t, a)) == 0;
}

static uint64_t func_hash(const void *ctx, uint32_t i)
{
	const struct fw_function *f = &((const struct fw_profile *)ctx)->functions[i];
	uint64_t h = fw_hash_u64((uint64_t)f->start_line, f->name);
	return fw_hash_u64(h ^ ((uint64_t)f->system_name << 32 | f->filename), 2);
}

static bool func_equal(const void *ctx, uint32_t a, uint32_t b)
{
	const struct fw_function *x = &((const struct fw_profile *)ctx)->functions[a];
	const struct fw_function *y = &((const struct fw_profile *)ctx)->functions[b];
	return x->start_line == y->start_line && x->name == y->name && x->system_name == y->system_name &&
	       x->filename == y->filename;
}

static uint64_t map_size_key(const struct fw_mapping *m)
{
	uint64_t size = m->limit - m->start + 0xfff;
	return size - size % 0x1000;
}

static uint64_t mapping_hash(const void *ctx, uint32_t i)
{
	const struct fw_mapping *m = &((const struct fw_profile *)ctx)->mappings[i];
	return fw_hash_u64(map_size_key(m) ^ fw_hash_u64(m->offset, 3), m->build_id ? m->build_id : m->filename);
}

static bool mapping_equal(const void *ctx, uint32_t a, uint32_t b)
{
	const struct fw_mapping *x = &((const struct fw_profile *)ctx)->mappings[a];
	const struct fw_mapping *y = &((const struct fw_profile *)ctx)->mappings[b];
	return map_size_key(x) == map_size_key(y) && x->offset == y->offset &&
	       (x->build_id ? x->build_id : x->filename) == (y->build_id ? y->build_id : y->filename);
}

static uint64_t loc_rel(const struct fw_profile *p, const struct fw_location *l)
{
	return l->address - (l->mapping != FW_NONE ? p->mappings[l->mapping].start : 0);
}

static uint64_t loc_hash(const void *ctx, uint32_t i)
{
	const struct fw_profile *p = ctx;
	const struct fw_location *l = &p->locations[i];
	uint64_t h = fw_hash_u64(loc_rel(p, l), (uint64_t)l->mapping << 1 | l->is_folded);
	for (uint32_t k = 0; k < l->n_lines; k++) {
		const struct fw_line *ln = &p->lines[l->first_line + k];
		h = fw_hash_u64(h ^ ln->function, (uint64_t)ln->line);
	}
	return h;
}

static bool loc_equal(const void *ctx, uint32_t a, uint32_t b)
{
	const struct fw_profile *p = ctx;
	const struct fw_location *x = &p->locations[a], *y = &p->locations[b];
	if (x->mapping != y->mapping || x->is_folded != y->is_folded || x->n_lines != y->n_lines ||
	    loc_rel(p, x) != loc_rel(p, y))
		return false;
	for (uint32_t k = 0; k < x->n_lines; k++) {
		const struct fw_line *lx = &p->lines[x->first_line + k], *ly = &p->lines[y->first_line + k];
		if (lx->function != ly->function || lx->line != ly->line)
			return false;
	}
	return true;
}

/* Labels of a sample compare as a set of (key, kind, ordered values). With
 * canonical strings, sorting each sample's labels by (kind, key) with a
 * stable sort makes equal label sets equal sequences. */
static void sort_labels(struct fw_label *l, uint32_t n)
{
	for (uint32_t i = 1; i < n; i++) {
		struct fw_label t = l[i];
		uint32_t j = i;
		while (j > 0 && label_cmp(&l[j - 1], &t) > 0) {
			l[j] = l[j - 1];
			j--;
		}
		l[j] = t;
	}
}

static uint64_t sample_hash(const void *ctx, uint32_t i)
{
	const struct fw_profile *p = ctx;
	const struct fw_sample *s = &p->samples[i];
	/* no pointer arithmetic on a NULL array (no stacks at all) */
	uint64_t h = s->n_locs ? fw_hash_u32s(p->sample_locs + s->first_loc, s->n_locs) : fw_hash_u32s(NULL, 0);
	for (uint32_t k = 0; k < s->n_labels; k++) {
		const struct fw_label *l = &p->labels[s->first_label + k];
		h = fw_hash_u64(h ^ l->key, (uint64_t)l->str << 32 ^ (uint64_t)l->num ^ l->num_unit);
	}
	return h;
}

static bool sample_equal(const void *ctx, uint32_t a, uint32_t b)
{
	const struct fw_profile *p = ctx;
	const struct fw_sample *x = &p->samples[a], *y = &p->samples[b];
	if (x->n_locs != y->n_locs || x->n_labels != y->n_labels)
		return false;
	/* samples may share one stack (profile.h) */
	if (x->n_locs && x->first_loc != y->first_loc &&
	    memcmp(p->sample_locs + x->first_loc, p->sample_locs + y->first_loc,
				x->n_locs * sizeof(uint32_t)) != 0)
		return false;
	for (uint32_t k = 0; k < x->n_labels; k++) {
		const struct fw_label *lx = &p->labels[x->first_label + k], *ly = &p->labels[y->first_label + k];
		if (lx->key != ly->key || lx->str != ly->str || lx->num != ly->num || lx->num_unit != ly->num_unit)
			return false;
	}
	return true;
}

/* Replaces every string reference by the first equal string's index. */
static int canon_strings(struct fw_profile *p)
{
	struct fw_idxset set;
	uint32_t *c;
	int r;

	c = malloc((p->strings.n + 1) * sizeof(*c));
	if (!c)
		return -ENOMEM;
	if ((r = fw_idxset_init(&set, p->strings.n, str_hash, str_equal, &p->strings)) < 0) {
		free(c);
		return r;
	}
	for (size_t i = 0; i < p->strings.n; i++)
		if ((r = fw_idxset_canon(&set, (uint32_t)i, &c[i])) < 0)
			goto out;
#define C(x) ((x) = c[(x)])
	for (size_t i = 0; i < p->n_sample_types; i++) {
		C(p->sample_types[i].type);
		C(p->sample_types[i].unit);
	}
	C(p->period_type.type);
	C(p->period_type.unit);
	C(p->default_sample_type);
	C(p->drop_frames);
	C(p->keep_frames);
	for (size_t i = 0; i < p->n_comments; i++)
		C(p->comments[i]);
	for (size_t i = 0; i < p->n_mappings; i++) {
		C(p->mappings[i].filename);
		C(p->mappings[i].build_id);
	}
	for (size_t i = 0; i < p->n_functions; i++) {
		C(p->functions[i].name);
		C(p->functions[i].system_name);
		C(p->functions[i].filename);
	}
	for (size_t i = 0; i < p->n_labels; i++) {
		C(p->labels[i].key);
		C(p->labels[i].str);
		C(p->labels[i].num_unit);
	}
#undef C
	/* Comments are de-duplicated by merge. */
	{
		size_t fill = 0;
		for (size_t i = 0; i < p->n_comments; i++) {
			bool seen = false;
			for (size_t k = 0; k < fill && !seen; k++)
				seen = p->comments[k] == p->comments[i];
			if (!seen)
				p->comments[fill++] = p->comments[i];
		}
		p->n_comments = fill;
	}
	r = 0;
out:
	fw_idxset_free(&set);
	free(c);
	return r;
}

/* Computes canon[i] for n entries with the given set callbacks. */
static int canon_of(size_t n, uint64_t (*hash)(const void *, uint32_t),
		    bool (*equal)(const void *, uint32_t, uint32_t), const void *ctx, uint32_t **out)
{
	struct fw_idxset set;
	uint32_t *c = malloc((n + 1) * sizeof(*c));
	int r;

	if (!c)
		return -ENOMEM;
	if ((r = fw_idxset_init(&set, n, hash, equal, ctx)) < 0) {
		free(c);
		return r;
	}
	r = fw_idxset_canon_all(&set, n, c);
	fw_idxset_free(&set);
	if (r < 0) {
		free(c);
		return r;
	}
	*out = c;
	return 0;
}

/* Would summing equal samples change a sum that a report adds them into?
 * Not when every value is >= 0 and all of them together fit in an int64:
 * then no partial sum wraps or cancels to 0, and a summed sample adds
 * something exactly when one of its parts would have. */
static bool sums_unobservable(const struct fw_profile *p)
{
	size_t nv = p->n_samples * p->n_sample_types;
	uint64_t total = 0;

	for (size_t i = 0; i < nv; i++) {
		if (p->values[i] < 0)
			return false;
		/* each term is below 2^63: the sum cannot wrap before this test */
		if ((total += (uint64_t)p->values[i]) > INT64_MAX)
			return false;
	}
	return true;
}

/* Adds sample from's values into sample to's (Go's int64 sums wrap). */
static void add_values(struct fw_profile *p, size_t to, size_t from)
{
	size_t nt = p->n_sample_types;
	int64_t *dst = p->values + to * nt;
	const int64_t *src = p->values + from * nt;

	for (size_t i = 0; i < nt; i++)
		dst[i] = (int64_t)((uint64_t)dst[i] + (uint64_t)src[i]);
}

/* The samples' sums of compact for p made of two parts, [0, split) and
 * [split, n), neither of which holds two equal samples (all-zero samples
 * already dropped, labels sorted): a sample can only equal one of the
 * other part, so only the second part is hashed, and each of its samples
 * equal to one of the first is added into that one (its first occurrence)
 * and dropped. 1, with nothing summed, when the second part turns out to
 * hold two equal samples after all. */
static int sum_pair(struct fw_profile *p, size_t split)
{
	struct fw_idxset set;
	int r;

	if ((r = fw_idxset_init(&set, p->n_samples - split, sample_hash, sample_equal, p)) < 0)
		return r;
	for (size_t s = split; s < p->n_samples; s++) {
		uint32_t c;
		if ((r = fw_idxset_canon(&set, (uint32_t)s, &c)) < 0 || (r = c != s) != 0)
			goto out;
	}
	for (size_t s = 0; s < split; s++) {
		uint32_t b;
		if (!fw_idxset_find(&set, (uint32_t)s, &b))
			continue;
		add_values(p, s, b);
		/* dropped below, as a duplicate is */
		memset(p->values + (size_t)b * p->n_sample_types, 0, p->n_sample_types * sizeof(*p->values));
	}
	keep_samples(p, nonzero, NULL);
out:
	fw_idxset_free(&set);
	return r;
}

/* pprof's Merge of one profile, in place; split > 0: p is two parts,
 * [0, split) and the rest, that each hold no two equal samples (sum_pair). */
static int compact(struct fw_profile *p, bool additive, size_t split, struct fw_error *err)
{
	uint32_t *c = NULL;
	size_t kept_split = 0;
	int r;

	if ((r = canon_strings(p)) < 0)
		goto nomem;
	/* functions */
	if ((r = canon_of(p->n_functions, func_hash, func_equal, p, &c)) < 0)
		goto nomem;
	for (size_t i = 0; i < p->n_lines; i++)
		p->lines[i].function = c[p->lines[i].function];
	free(c);
	/* mappings: a location moved to an equal mapping keeps its offset */
	if ((r = canon_of(p->n_mappings, mapping_hash, mapping_equal, p, &c)) < 0)
		goto nomem;
	for (size_t i = 0; i < p->n_locations; i++) {
		struct fw_location *l = &p->locations[i];
		if (l->mapping == FW_NONE || c[l->mapping] == l->mapping)
			continue;
		l->address += p->mappings[c[l->mapping]].start - p->mappings[l->mapping].start;
		l->mapping = c[l->mapping];
	}
	free(c);
	/* locations */
	if ((r = canon_of(p->n_locations, loc_hash, loc_equal, p, &c)) < 0)
		goto nomem;
	{
		bool distinct = true; /* the usual case: nothing to rewrite */
		for (size_t i = 0; i < p->n_locations && distinct; i++)
			distinct = c[i] == i;
		for (size_t i = 0; i < p->n_sample_locs && !distinct; i++)
			p->sample_locs[i] = c[p->sample_locs[i]];
	}
	free(c);
	c = NULL;
	/* samples: drop all-zero inputs (the two parts' boundary moves with
	 * them), sum equal ones into the first */
	for (size_t s = 0; s < split && s < p->n_samples; s++)
		kept_split += !is_zero_sample(p, s);
	keep_samples(p, nonzero, NULL);
	for (size_t s = 0; s < p->n_samples; s++)
		if (p->samples[s].n_labels)
			sort_labels(p->labels + p->samples[s].first_label, p->samples[s].n_labels);
	if (kept_split > 0 && kept_split < p->n_samples && (r = sum_pair(p, kept_split)) <= 0) {
		if (r < 0)
			goto nomem;
		return 0;
	}
	if (additive && sums_unobservable(p))
		return 0;
	if ((r = canon_of(p->n_samples, sample_hash, sample_equal, p, &c)) < 0)
		goto nomem;
	for (size_t s = 0; s < p->n_samples; s++)
		if (c[s] != s)
			add_values(p, c[s], s);
	/* Compact: keep canonical, non-zero samples in order. Canonical
	 * samples come before their duplicates, so a forward pass is safe. */
	keep_samples(p, canonical_nonzero, c);
	free(c);
	return 0;
nomem:
	free(c);
	return fw_err(err, -ENOMEM, "out of memory while merging the profile");
}

int fw_profile_compact(struct fw_profile *p, struct fw_error *err)
{
	return compact(p, false, 0, err);
}

int fw_profile_compact_additive(struct fw_profile *p, struct fw_error *err)
{
	return compact(p, true, 0, err);
}
