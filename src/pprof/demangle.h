/*
 * demangle.h: what `go tool pprof` (Go 1.19) shows for a mangled symbol
 * name. A C port of the demangler it vendors,
 * github.com/ianlancetaylor/demangle (cmd/vendor in Go 1.19): Filter for
 * Itanium C++ names (_Z..., ___Z..._block_invoke, _GLOBAL_...) and Rust
 * names (_R... v0, and legacy _ZN...17h<16 hex>E), with the options of each
 * of pprof's -symbolize=demangle= modes (internal/symbolizer).
 *
 * Names come from customer profiles: recursion depth, work and output size
 * are bounded. A name that passes a bound (Go would demangle it, slowly or
 * hugely, or crash) is "not demangled", as is every name Go's Filter returns
 * unchanged.
 */
#ifndef FW_DEMANGLE_H
#define FW_DEMANGLE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/util.h"

/* pprof's demangler modes (demanglerModeToOptions). */
enum fw_dm_mode {
	FW_DM_DEFAULT,   /* NoParams, NoTemplateParams */
	FW_DM_TEMPLATES, /* NoParams */
	FW_DM_FULL,      /* NoClones */
	FW_DM_NONE,      /* no options: everything, clone suffixes included */
};

/* Bounds: longer names, deeper nesting, more work or a longer result are
 * not demangled. */
#define FW_DM_MAX_INPUT 65536
#define FW_DM_MAX_OUTPUT 262144
#define FW_DM_MAX_DEPTH 600

/* Demangles the n bytes of name as Go's demangle.Filter(name, options of
 * mode) does. Returns 1 and appends the result to out when Filter returns
 * something other than name, 0 when it returns name (not a mangled name,
 * an error, or a bound passed: out unchanged), -ENOMEM. */
int fw_demangle(const char *name, size_t n, enum fw_dm_mode mode, struct fw_buf *out);

#endif
