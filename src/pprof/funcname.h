/*
 * funcname.h: the function names `go tool pprof` displays. When pprof
 * (Go 1.19) loads a profile it "symbolizes" it, and the last step rewrites
 * every function's name (internal/symbolizer: Demangle,
 * demangleSingleFunction): a function whose name is empty or equal to its
 * system name gets its system name, simplified when it looks like demangled
 * C++ (it contains "<", ">", "[", "]" or "::", but neither ".<" nor "])."):
 * the default mode removes every balanced (...) group, then every balanced
 * <...> group, so
 *   <pprof::backtrace::backtrace_rs::Trace as pprof::backtrace::Trace>::trace
 * becomes "::trace" and
 *   btree.NewG[go.shape.interface { Less(btree.Item) bool }]
 * becomes "btree.NewG[go.shape.interface { Less bool }]". Names that differ
 * from their system name count as already demangled and are kept.
 * Every report (top, peek, traces, ...) and every -focus/-ignore regexp sees
 * the rewritten names.
 *
 * Before that heuristic, pprof demangles the system name with
 * demangle.Filter (Itanium C++ _Z..., Rust _R... and legacy _ZN...17h...E):
 * demangle.h's port; a name it changes is used as it comes out.
 */
#ifndef FW_FUNCNAME_H
#define FW_FUNCNAME_H

#include <stdbool.h>
#include <stddef.h>

#include "pprof/profile.h"

/* -symbolize=demangle=MODE; DEFAULT is pprof's when none is given. */
enum fw_demangle_mode {
	FW_DEMANGLE_DEFAULT,   /* no parameters, no template parameters */
	FW_DEMANGLE_TEMPLATES, /* no parameters */
	FW_DEMANGLE_FULL,      /* demangled whole but clone suffixes; heuristic: names kept */
	FW_DEMANGLE_NONE,      /* demangled whole; heuristic: names kept */
};

/* pprof's looksLikeDemangledCPlusPlus on n bytes. */
bool fw_funcname_looks_demangled(const char *s, size_t n);
/* pprof's removeMatching: removes the balanced open...close groups of s in
 * place (stops, keeping what was removed so far, at an unbalanced close).
 * Returns the new length. */
size_t fw_funcname_remove_matching(char *s, size_t n, char open, char close);
/* The simplification of one already demangled name, in place, for mode.
 * Returns the new length. */
size_t fw_funcname_simplify(char *s, size_t n, enum fw_demangle_mode mode);

/* Rewrites the names of p's functions as pprof does after loading (force:
 * a -symbolize=demangle=MODE was given, which first resets every name that
 * has a system name to that system name). -ENOMEM or 0. */
int fw_profile_demangle(struct fw_profile *p, enum fw_demangle_mode mode, bool force,
			struct fw_error *err);

/* What pprof's -symbolize=MODE (symbolizer.Symbolize) means for
 * flarewatch, which never symbolizes: only its last step, the names'
 * rewriting (fw_profile_demangle). Options are ':'-separated, any case. */
struct fw_symbolize {
	bool skip;		    /* "none" or "no": pprof returns before the
				     * rewriting; later options are not read */
	bool local;		    /* the local step runs: not after "remote" (the
				     * default, "local", "fastlocal"; the last wins) */
	bool force;		    /* "force", or a demangle mode other than default */
	enum fw_demangle_mode mode; /* "[demangle=]full|none|templates|default" */
	unsigned unknown;	    /* options pprof warns about (once each) */
};
/* mode NULL: pprof's default (no flag). */
void fw_symbolize_parse(const char *mode, struct fw_symbolize *out);
/* fw_profile_demangle as the parsed mode says (nothing when it skips). */
int fw_profile_symbolize(struct fw_profile *p, const struct fw_symbolize *s, struct fw_error *err);

#endif

/*
 * pprof's graph.ShortenFunctionName (Go 1.19's vendored internal/graph),
 * the name a -dot node shows: drops a leading "(anonymous namespace)::",
 * a Go module version ("/v2" before "/" or "."), then keeps the first
 * submatch of the first of these that matches:
 *   go:   ^(?:[\w\-\.]+\/)+(.+)
 *   java: ^(?:[a-z]\w*\.)*([A-Z][\w\$]*\.(?:<init>|[a-z][\w\$]*(?:\$\d+)?))(?:(?:\()|$)
 *   c++:  ^(?:[_a-zA-Z]\w*::)+(_*[A-Z]\w*::~?[_a-zA-Z]\w*(?:<.*>)?)
 * (hand-written matchers with Go's leftmost-first semantics; "." never
 * matches a newline). Appends the result (n bytes of s in, NULs kept) to out.
 */
void fw_funcname_shorten(const char *s, size_t n, struct fw_buf *out);
