/*
 * top.h: the `-top` (text) report: one row per node with flat, flat%,
 * running sum%, cum and cum%, byte-identical to `go tool pprof -top`.
 */
#ifndef FW_TOP_H
#define FW_TOP_H

#include "pprof/report.h"

#include <stdio.h>

int fw_top_write(struct fw_report *r, struct fw_buf *out, struct fw_error *err);
/* The same written to f as it is made, 32 KiB at a time, then flushed:
 * memory stays flat however many nodes are kept (-nodefraction=0). */
int fw_top_stream(struct fw_report *r, FILE *f, struct fw_error *err);

#endif
