/*
 * filter.h: pprof's filters beyond focus/ignore (those stay in report.c),
 * applied in the order of Go 1.19 pprof's applyFocus: -hide and -show
 * (FilterSamplesByName), -show_from (ShowFrom), -tagfocus and -tagignore
 * (compileTagFilter, FilterSamplesByTag), -tagshow and -taghide
 * (FilterTagsByName), -prune_from (PruneFrom).
 */
#ifndef FW_FILTER_H
#define FW_FILTER_H

#include "pprof/profile.h"

struct fw_report_opts;

/* Applies the filters of o (NULL or "" fields are off) to p and appends
 * their "name=value\n" lines to active (pprof's "Active filters:"). fm and
 * im: whether -focus and -ignore (applied before, in report.c) matched a
 * location. Appends pprof's notes to o->warnings (when not NULL), in
 * pprof's order: "tagfocus:Interpreted '...' as range, not regexp", then
 * "Focus expression matched no samples" and the same for Ignore, Hide,
 * Show, ShowFrom, TagFocus, TagIgnore, TagShow, TagHide. Errors are
 * pprof's: "parsing tagfocus regexp: ...". */
int fw_filter_apply(struct fw_profile *p, const struct fw_report_opts *o, bool fm, bool im,
		    struct fw_buf *active, struct fw_error *err);

/* pprof's Profile.NumLabelUnits: per label key (indexed by the key's string
 * index), the first non-empty unit seen in p->labels, else "bytes" for
 * alignment and request, else the key itself; NULL for keys without a
 * numeric label. Free *out with free(). Computed on p->labels, which
 * fw_filter_apply only appends to, so it describes the unfiltered profile
 * as pprof's does (once fw_num_label_units_check has run). 0 or -ENOMEM. */
int fw_num_label_units(const struct fw_profile *p, const char ***out);

/* pprof's identifyNumLabelUnits, on the profile before any filter (the
 * first thing fw_report_init does): the labels no sample refers to (the
 * all-zero samples the merge dropped, pprof's Merge drops them too) lose
 * their unit, so that fw_num_label_units' first unit is pprof's; then, when
 * warnings is not NULL, appends for each label key whose numeric labels
 * (in sample order) carry more than one non-empty unit "For tag KEY used
 * unit FIRST, also encountered unit(s) A, B\n" (the others sorted, once
 * each). pprof prints the keys in Go's random map order; here they are
 * sorted. 0 or -ENOMEM. */
int fw_num_label_units_check(struct fw_profile *p, struct fw_buf *warnings);

#endif
