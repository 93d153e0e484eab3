/*
 * flamegraph.h: folded stacks ("frame;frame;frame value", root first, one
 * line per distinct stack) and a self-contained interactive SVG flame graph
 * built from them.
 */
#ifndef FW_FLAMEGRAPH_H
#define FW_FLAMEGRAPH_H

#include <stdio.h>

#include "pprof/report.h"

/* What a frame's function is, for its colour and the legend. */
struct fw_flame_class {
	const char *component; /* legend label (static text), or NULL: other code */
	bool runtime;	       /* Go runtime / standard library: drawn grey */
};
typedef struct fw_flame_class (*fw_flame_classify_fn)(const char *func, void *ctx);

struct fw_flamegraph_opts {
	const char *title; /* NULL: "Flame Graph" */
	/* A diff (pprof -diff_base): always in growth colours, red for frames
	 * that grew and blue for frames that shrank, the intensity by |change|;
	 * the percentages are of the total growth, the sum of the positive flat
	 * values of the (untrimmed) graph, as `pprof -top` prints them. */
	bool growth;
	/* Outside growth mode: colours by class (a legend lists the classes
	 * drawn). NULL: flamegraph.pl's warm colours, hashed from the name. */
	fw_flame_classify_fn classify;
	void *ctx;
	/* The report serves this graph only: its samples, values and labels
	 * are freed once their stacks are read (fw_report_drop_sample_rows),
	 * and the graph is built in their room (the CLI). */
	bool drop_samples;
};

/* The label drawn for a frame is a suffix of its name: name + this offset.
 * The name's head, up to its first space outside brackets ((), [], {}),
 * loses everything up to and including the last '/' outside brackets that
 * more of the head follows; the rest of the name is kept. So a Go
 * function keeps the last element of its package path and its symbol
 * ("github.com/DataDog/datadog-agent/pkg/aggregator.(*ContextResolver).trackContext"
 * -> "aggregator.(*ContextResolver).trackContext", "gopkg.in/yaml.v2.(*parser).parse"
 * -> "yaml.v2.(*parser).parse", "x/y.F[a/b.T]" -> "y.F[a/b.T]"), a name
 * without a '/' is whole, and a -lines name keeps its file path
 * ("a/b.F /src/a/b/f.go:12" -> "b.F /src/a/b/f.go:12"). A closing bracket
 * without an opening one is an ordinary byte. */
size_t fw_flame_label_offset(const char *name);

int fw_collapsed_write(struct fw_report *r, struct fw_buf *out, struct fw_error *err);
/* The same written to f as it is made, 32 KiB at a time, then flushed:
 * memory stays flat however large the output. The report serves this
 * output only: its samples are dropped once their stacks are read
 * (fw_report_drop_sample_rows). */
int fw_collapsed_stream(struct fw_report *r, FILE *f, struct fw_error *err);
/* o may be NULL (no title, warm colours, growth colours only if some stack
 * is negative). Frames show the short label (fw_flame_label_offset); their
 * <title>, shown on hover, has the full name, the value and the percentage. */
int fw_flamegraph_write(struct fw_report *r, const struct fw_flamegraph_opts *o, struct fw_buf *out,
			struct fw_error *err);

#endif
