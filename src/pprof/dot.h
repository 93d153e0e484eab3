/*
 * dot.h: the call graph in Graphviz's DOT language, byte for byte what
 * `go tool pprof -dot` (Go 1.19) writes: a port of the vendored pprof's
 * report.newTrimmedGraph (visual mode: entropy order, tags counted as
 * nodes), internal/graph's graph and tree builders with their label and
 * "bytes" tags, TrimTree, RemoveRedundantEdges, and dotgraph.go's
 * ComposeDot (legend, node sizes and colours, nodelets, edge weights).
 */
#ifndef FW_DOT_H
#define FW_DOT_H

#include <stdbool.h>

#include "pprof/report.h"

struct fw_dot_opts {
	bool call_tree; /* -call_tree: a tree of call paths instead of a graph */
	/* pprof writes file names, the mapping file name (the title) and label
	 * values into DOT strings without escaping them. strict escapes them
	 * too (an output that differs from pprof's only where pprof's DOT would
	 * let a hostile name end the string): for graphs drawn from a flare. */
	bool strict;
	/* pprof's own steps: the whole graph built, sorted and cut to
	 * nodecount when the node fraction trims nothing, where dot.c
	 * otherwise finds the top nodes from graph.c's compact graph; a call
	 * tree built whole and trimmed, where dot.c otherwise walks it
	 * (calltree.h). The same output; for the tests that compare them. */
	bool whole_graph;
};

/* The DOT text for r (its nodecount is used as given: pprof's default for
 * -dot is 80, which the caller sets). -ENOMEM or 0. */
int fw_dot_write(struct fw_report *r, const struct fw_dot_opts *o, struct fw_buf *out,
		 struct fw_error *err);

/* escapeForDot: '\\' and '"' escaped, newlines as "\l". */
void fw_dot_escape(struct fw_buf *b, const char *s, size_t n);

/* The function name part of a node's label, appended to b: ShortenFunctionName,
 * escaped, "::" and "." as "\n", "[...]" as "[…]" (multilinePrintableName). */
void fw_dot_label_name(struct fw_buf *b, const char *name, size_t n);

#endif
