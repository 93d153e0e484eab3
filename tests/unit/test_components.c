/*
 * test_components.c: the component table (src/investigate/components.c):
 * real agent function names map to the component the runbook names, the
 * specific entries win over the general ones (Python checks over the
 * collector, compression over the serializer, trace writers over the
 * trace-agent), runtime and unknown packages map to none, and the Python
 * check frame test.
 */
#include "investigate/components.h"

#include "../tap.h"

#include <string.h>

static const char *id_of(const char *fn)
{
	const struct fw_component *c = fw_component_of(fn);
	return c ? c->id : "(none)";
}

int main(void)
{
	static const struct {
		const char *fn, *id;
	} cases[] = {
		{ "github.com/DataDog/datadog-agent/pkg/aggregator.(*ContextResolver).trackContext", "aggregator" },
		{ "flaregen/pkg/aggregator.(*BufferedAggregator).flushSeries", "aggregator" },
		{ "github.com/DataDog/datadog-agent/comp/dogstatsd/server.(*server).handleMessages", "dogstatsd" },
		{ "github.com/DataDog/datadog-agent/pkg/serializer.(*Serializer).SendSeries", "serializer" },
		{ "flaregen/pkg/serializer/compression.(*ZlibStrategy).Compress", "compression" },
		{ "github.com/DataDog/datadog-agent/pkg/util/compression/impl-zlib.(*ZlibStrategy).Compress",
		  "compression" },
		{ "compress/flate.(*compressor).deflate", "compression" },
		{ "github.com/klauspost/compress/zstd.(*Encoder).EncodeAll", "compression" },
		{ "github.com/DataDog/datadog-agent/comp/forwarder/defaultforwarder.(*Worker).process", "forwarder" },
		{ "github.com/DataDog/datadog-agent/pkg/logs/tailers/file.(*Tailer).readForever", "logs" },
		{ "github.com/DataDog/datadog-agent/comp/logs/agent.(*logAgent).start", "logs" },
		{ "github.com/DataDog/datadog-agent/pkg/collector/python._Cfunc_run_check", "python_check" },
		{ "github.com/DataDog/datadog-agent/pkg/collector/python.(*PythonCheck).runCheckImpl", "python_check" },
		{ "github.com/DataDog/datadog-agent/rtloader/three.(*Three).run", "python_check" },
		{ "github.com/DataDog/datadog-agent/pkg/collector/corechecks/system/cpu.(*Check).Run", "core_check" },
		{ "github.com/DataDog/datadog-agent/pkg/collector/worker.(*Worker).Run", "collector" },
		{ "github.com/DataDog/datadog-agent/comp/core/tagger/impl.(*TaggerWrapper).Tag", "tagger" },
		{ "github.com/DataDog/datadog-agent/comp/core/workloadmeta/impl.(*workloadmeta).handleEvents",
		  "workloadmeta" },
		{ "github.com/DataDog/datadog-agent/pkg/trace/writer.(*TraceWriter).flush", "trace_writer" },
		{ "github.com/DataDog/datadog-agent/pkg/trace/sampler.(*PrioritySampler).Sample", "trace_sampler" },
		{ "github.com/DataDog/datadog-agent/pkg/trace/agent.(*Agent).Process", "trace" },
		{ "runtime.mallocgc", "(none)" },
		{ "sync.(*Mutex).Lock", "(none)" },
		{ "main.main", "(none)" },
		{ "example.com/compressor.Run", "(none)" },
		/* a component word in the method name is not the package */
		{ "example.com/app.(*T).forwarder", "(none)" },
	};
	char pkg[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		TAP_EQ_STR(id_of(cases[i].fn), cases[i].id, "%s", cases[i].fn);

	/* every entry has a name, advice and an interpretation, and is found by its id */
	for (const char *const *id = (const char *const[]){ "python_check", "compression", "aggregator", "dogstatsd",
							     "serializer", "forwarder", "logs", "core_check",
							     "collector", "tagger", "workloadmeta", "trace_writer",
							     "trace_sampler", "trace", NULL };
	     *id; id++) {
		const struct fw_component *c = fw_component_by_id(*id);
		TAP_OK(c && c->name[0] && c->advice[0] && c->interpretation[0], "component %s is complete", *id);
	}
	TAP_OK(fw_component_by_id("nope") == NULL, "an unknown id: NULL");
	TAP_OK(strstr(fw_component_by_id("aggregator")->interpretation, "DogStatsD context counts") != NULL,
	       "trackContext is read as metric contexts: DogStatsD context counts");
	TAP_OK(strstr(fw_component_by_id("compression")->interpretation, "usually normal") != NULL,
	       "zlib compression: usually normal");

	fw_package_of("a/b/pkg.(*T).M", pkg, sizeof(pkg));
	TAP_EQ_STR(pkg, "a/b/pkg", "package of a method");
	fw_package_of("a/b.c/pkg.F.func1", pkg, sizeof(pkg));
	TAP_EQ_STR(pkg, "a/b.c/pkg", "package with a dot in a path element");
	fw_package_of("main.main", pkg, sizeof(pkg));
	TAP_EQ_STR(pkg, "main", "package main");
	fw_package_of("0123456789012345678901234567890123456789/0123456789012345678901234567890.F", pkg, 16);
	TAP_EQ_STR(pkg, "012345678901234", "a long package is cut to the buffer");

	TAP_OK(fw_is_python_check_frame("github.com/DataDog/datadog-agent/pkg/collector/python._Cfunc_run_check"),
	       "_Cfunc_run_check under pkg/collector/python is a Python check frame");
	TAP_OK(fw_is_python_check_frame("flaregen/pkg/collector/python._Cfunc_run_check"),
	       "... under any module path ending in pkg/collector/python");
	TAP_OK(fw_is_python_check_frame("github.com/DataDog/datadog-agent/rtloader/x._Cfunc_get_check"),
	       "... and under rtloader");
	TAP_OK(!fw_is_python_check_frame("github.com/DataDog/datadog-agent/pkg/collector/python.(*PythonCheck).Run"),
	       "a Go function of the package is not");
	TAP_OK(!fw_is_python_check_frame("example.com/sqlite._Cfunc_sqlite3_step"), "another package's cgo call is not");
	TAP_OK(!fw_is_python_check_frame("runtime.cgocall"), "runtime.cgocall is not");
	return tap_done();
}
