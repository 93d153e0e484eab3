/*
 * meta.h: a summary of a profile's metadata: sample types and the default,
 * period, duration, time, counts of samples, locations, functions and
 * mappings, label keys, comments.
 */
#ifndef FW_META_H
#define FW_META_H

#include "pprof/profile.h"

int fw_meta_write(const struct fw_profile *p, const char *name, struct fw_buf *out,
		  struct fw_error *err);

#endif
