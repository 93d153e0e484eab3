/*
 * tags.h: the `-tags` report: per label key, the total of the samples
 * carrying it and each value's share, as pprof's printTags.
 */
#ifndef FW_TAGS_H
#define FW_TAGS_H

#include "pprof/report.h"

int fw_tags_write(struct fw_report *r, struct fw_buf *out, struct fw_error *err);

#endif
