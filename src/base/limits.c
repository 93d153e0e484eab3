/*
 * limits.c: see limits.h.
 */
#include "base/limits.h"

#include <errno.h>
#include <string.h>
#include <sys/resource.h>

/* AddressSanitizer reserves terabytes of address space up front, so a
 * sanitizer build cannot run under RLIMIT_AS. */
#if defined(__SANITIZE_ADDRESS__)
#define ASAN_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ASAN_BUILD 1
#endif
#endif
#ifndef ASAN_BUILD
#define ASAN_BUILD 0
#endif

bool fw_memory_limit_applies(void)
{
	return !ASAN_BUILD;
}

int fw_rlimit_lower(int resource, const char *name, uint64_t soft, uint64_t hard, struct fw_error *err)
{
	struct rlimit cur, want;

	if (getrlimit(resource, &cur) < 0)
		return fw_err(err, -errno, "cannot read %s: %s", name, strerror(errno));
	want.rlim_max = cur.rlim_max != RLIM_INFINITY && cur.rlim_max < hard ? cur.rlim_max : (rlim_t)hard;
	want.rlim_cur = soft < want.rlim_max ? (rlim_t)soft : want.rlim_max;
	if (setrlimit(resource, &want) < 0)
		return fw_err(err, -errno, "cannot set %s: %s", name, strerror(errno));
	return 0;
}
