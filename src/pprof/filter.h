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
 * as pprof's does. 0 or -ENOMEM. */
int fw_num_label_units(const struct fw_profile *p, const char ***out);

#endif
