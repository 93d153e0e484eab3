/*
 * traces.h: the `-traces` report: every sample's stack with its value and
 * string labels, as pprof's printTraces.
 */
#ifndef FW_TRACES_H
#define FW_TRACES_H

#include "pprof/report.h"

int fw_traces_write(struct fw_report *r, struct fw_buf *out, struct fw_error *err);

#endif
