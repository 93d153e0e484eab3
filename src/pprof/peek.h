/*
 * peek.h: the `-peek REGEX` report: for every node whose name matches, its
 * callers and callees with edge weights, as pprof's printTree.
 */
#ifndef FW_PEEK_H
#define FW_PEEK_H

#include "pprof/report.h"

int fw_peek_write(struct fw_report *r, const char *regex, struct fw_buf *out, struct fw_error *err);

#endif
