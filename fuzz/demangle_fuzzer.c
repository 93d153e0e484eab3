/*
 * demangle_fuzzer.c: libFuzzer harness for the symbol demangler
 * (src/pprof/demangle.c), which reads every function name of a customer's
 * profile.
 *
 * For every input, in each of pprof's four modes, it checks what must hold
 * whatever the bytes:
 *  1. fw_demangle() returns 0 or 1 (never -ENOMEM here), leaves the buffer
 *     untouched when it returns 0, and appends at most FW_DM_MAX_OUTPUT
 *     bytes, other than the input, when it returns 1;
 *  2. it is deterministic: a second call gives the same bytes;
 *  3. a name that is no _Z/_R/___Z/_GLOBAL_ name is never demangled.
 * Crashes, sanitizer reports, timeouts (the bounds on depth and work) and
 * leaks (every call frees its arena) are the rest.
 *
 * Build and run: `make fuzz`, `make fuzz-run FUZZERS=demangle FUZZ_SECONDS=600`
 * (fuzz/Makefile.inc). Reproduce: fuzz/demangle_fuzzer CRASH-FILE.
 */
#include "pprof/demangle.h"
#include "base/util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool mangled_prefix(const char *s, size_t n)
{
	return (n >= 2 && (memcmp(s, "_Z", 2) == 0 || memcmp(s, "_R", 2) == 0)) ||
	       (n >= 4 && memcmp(s, "___Z", 4) == 0) || (n >= 8 && memcmp(s, "_GLOBAL_", 8) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct fw_buf a, b;

	for (int m = 0; m < 4; m++) {
		fw_buf_init(&a);
		fw_buf_init(&b);
		int r1 = fw_demangle(s, size, (enum fw_dm_mode)m, &a);
		int r2 = fw_demangle(s, size, (enum fw_dm_mode)m, &b);
		if (r1 != 0 && r1 != 1)
			abort();
		if (r1 != r2 || a.len != b.len || (a.len && memcmp(a.data, b.data, a.len) != 0))
			abort(); /* 2 */
		if (r1 == 0 && a.len != 0)
			abort(); /* 1 */
		if (r1 == 1 && (a.len > FW_DM_MAX_OUTPUT ||
				(a.len == size && memcmp(a.data, s, size) == 0)))
			abort(); /* 1 */
		if (r1 == 1 && !mangled_prefix(s, size))
			abort(); /* 3 */
		fw_buf_free(&a);
		fw_buf_free(&b);
	}
	return 0;
}
