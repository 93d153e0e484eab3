/*
 * flamegraph.h: folded stacks ("frame;frame;frame value", root first, one
 * line per distinct stack) and a self-contained interactive SVG flame graph
 * built from them.
 */
#ifndef FW_FLAMEGRAPH_H
#define FW_FLAMEGRAPH_H

#include "pprof/report.h"

int fw_collapsed_write(struct fw_report *r, struct fw_buf *out, struct fw_error *err);
int fw_flamegraph_write(struct fw_report *r, const char *title, struct fw_buf *out,
			struct fw_error *err);

#endif
