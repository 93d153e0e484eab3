/*
 * limits.h: process resource limits, set the same way by the daemon's
 * workers and by `flarewatch analyze` before an analysis.
 */
#ifndef FW_LIMITS_H
#define FW_LIMITS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/util.h"

/* False in an AddressSanitizer build, whose shadow memory needs terabytes
 * of address space: analysis.memory_limit (RLIMIT_AS) cannot apply. */
bool fw_memory_limit_applies(void);

/* Lowers resource (RLIMIT_AS, RLIMIT_CPU...) to soft/hard, never above the
 * current hard limit. name is for the message. Returns 0 or -errno. */
int fw_rlimit_lower(int resource, const char *name, uint64_t soft, uint64_t hard, struct fw_error *err);

#endif
