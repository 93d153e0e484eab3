/*
 * peek.h: the `-peek REGEX` report: for every node whose name matches, its
 * callers and callees with edge weights, as pprof's printTree.
 */
#ifndef FW_PEEK_H
#define FW_PEEK_H

#include <stdio.h>

#include "pprof/report.h"

/* A report serves one peek: its trimming options are set to pprof's for
 * peek and its samples are dropped once the graph is built
 * (fw_report_drop_samples). */
int fw_peek_write(struct fw_report *r, const char *regex, struct fw_buf *out, struct fw_error *err);
/* The same report written to f as it is made, 32 KiB at a time once a node
 * has matched, then flushed; memory stays flat for a regexp matching many
 * nodes. Without a match nothing is written. */
int fw_peek_stream(struct fw_report *r, const char *regex, FILE *f, struct fw_error *err);

#endif
