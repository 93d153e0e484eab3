/*
 * traces.h: the `-traces` report: every sample's stack with its value and
 * string labels, as pprof's printTraces.
 */
#ifndef FW_TRACES_H
#define FW_TRACES_H

#include <stdio.h>

#include "pprof/report.h"

int fw_traces_write(struct fw_report *r, struct fw_buf *out, struct fw_error *err);
/* The same report written to f as it is made (32 KiB at a time, then
 * flushed): memory stays flat however many samples the profile has. A
 * failed write is an error naming errno. */
int fw_traces_stream(struct fw_report *r, FILE *f, struct fw_error *err);

#endif
