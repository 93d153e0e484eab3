/*
 * components.h: which Datadog Agent component a Go function belongs to,
 * from its package path (aggregator, DogStatsD, serializer, compression,
 * forwarder, logs pipeline, Python checks, collector, tagger, workloadmeta,
 * trace-agent writers and samplers, ...), with the runbook's advice for it
 * and its interpretation guide ("zlib compression at a few percent of one
 * core is usually normal"). One table, read by every writer and rule that
 * names a component. Pure data: no threshold, no formatting.
 */
#ifndef FW_COMPONENTS_H
#define FW_COMPONENTS_H

#include <stdbool.h>
#include <stddef.h>

struct fw_component {
	const char *id;		    /* stable identifier: "aggregator", "python_check", ... */
	const char *name;	    /* display name for sentences: "the aggregator (metric contexts)" */
	const char *advice;	    /* what to look at next (may hold `code` spans) */
	const char *interpretation; /* how to read a cost there (may hold `code` spans) */
};

/* The component of a function name as pprof prints it
 * ("github.com/DataDog/datadog-agent/pkg/aggregator.(*ContextResolver).trackContext"),
 * matched on its package path, the most specific entry first; NULL when
 * none matches (runtime, standard library other than compression, unknown
 * packages). The returned pointer is static. */
const struct fw_component *fw_component_of(const char *fn);

/* The component whose id is `id`, or NULL. */
const struct fw_component *fw_component_by_id(const char *id);

/* The Go package of a function name: everything before the first '.' after
 * the last '/' of the part before any '(' ("a/b/pkg.(*T).M" -> "a/b/pkg").
 * Writes at most len-1 bytes and a NUL; len must be > 0. */
void fw_package_of(const char *fn, char *out, size_t len);

/* True for a cgo call into the Python runtime: a `_Cfunc_` function of a
 * package whose path contains "/pkg/collector/python" or "rtloader"
 * ("github.com/DataDog/datadog-agent/pkg/collector/python._Cfunc_run_check"). */
bool fw_is_python_check_frame(const char *fn);

#endif
