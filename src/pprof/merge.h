/*
 * merge.h: combining and rescaling profiles, as pprof does before every
 * report: Merge (dedup mappings, functions, locations; sum samples with the
 * same stack and labels), ScaleProfiles (make units of several profiles
 * compatible), Scale/ScaleN (multiply values), SetLabel.
 */
#ifndef FW_MERGE_H
#define FW_MERGE_H

#include "pprof/profile.h"

/* Merges n >= 1 profiles into a new one (pprof's profile.Merge). The sources
 * must have identical period and sample types. Samples whose values are all
 * zero are dropped. The sources are not modified. */
int fw_profile_merge(struct fw_profile *const *srcs, size_t n, struct fw_profile **out,
		     struct fw_error *err);

/* The same merge of the n >= 1 profiles ps[], which it takes over: the
 * others are merged into ps[0], each freed as soon as it is copied, and
 * ps[0] becomes *out (every ps[i] is NULL on return, success or not). Peak
 * memory is the inputs plus the largest array of one of them, where
 * fw_profile_merge needs them twice. additive: compacted with
 * fw_profile_compact_additive, for a report that only adds values up. */
int fw_profiles_merge_owned(struct fw_profile **ps, size_t n, bool additive, struct fw_profile **out,
			    struct fw_error *err);

/* The same merge of two profiles that each hold no two samples with the
 * same stack and labels (each compacted, and since then only scaled, or
 * labelled without replacing a label): only pair[1]'s samples are hashed
 * to find pair[0]'s equals, about half the memory of hashing both (the
 * -diff_base of the 21 MB profile with itself: 124 -> 120 MB peak RSS). */
int fw_profiles_merge_distinct(struct fw_profile *pair[2], struct fw_profile **out, struct fw_error *err);

/* The same result as merging p alone (fw_profile_merge(&p, 1)), computed
 * in place without a second copy: equal strings, functions, mappings and
 * locations are unified, samples with the same stack and labels summed,
 * all-zero samples dropped. Entries no sample uses are left in place. */
int fw_profile_compact(struct fw_profile *p, struct fw_error *err);
/* The same for a report that only adds sample values up (a call graph,
 * tags, stacks), except that samples with the same stack and labels stay
 * apart when summing them could not change any such sum (every value
 * >= 0, all of them together within an int64): the 21 MB heap profile's
 * 334,140 samples are not hashed a second time. Not for anything that
 * shows samples one by one (traces) or writes the profile (merge). */
int fw_profile_compact_additive(struct fw_profile *p, struct fw_error *err);

/* Multiplies column i by ratios[i], rounding half away from zero; drops
 * samples that become all zero in the scaled columns (pprof's ScaleN). */
void fw_profile_scale_n(struct fw_profile *p, const double *ratios);
/* Scale(r): every column by r. */
int fw_profile_scale(struct fw_profile *p, double r);

/* Sets string label key=value on every sample, replacing other values of
 * the same key (pprof's SetLabel): 1 when a sample had a string label of
 * that key (two samples may then have become equal), else 0; or -ENOMEM. */
int fw_profile_set_label(struct fw_profile *p, const char *key, const char *value,
			 struct fw_error *err);
/* True if sample s carries string label key=value. */
bool fw_sample_has_label(const struct fw_profile *p, size_t s, const char *key, const char *value);

/* measurement.ScaleProfiles: checks that period and sample types of the n
 * profiles are compatible, and rescales them to common units. */
int fw_profiles_scale_units(struct fw_profile *const *ps, size_t n, struct fw_error *err);

#endif
