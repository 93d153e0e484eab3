/*
 * components.c: the table of Datadog Agent components (see components.h).
 * Entries are tried in order and the first whose pattern matches the
 * function's package path wins, so the specific ones come first (Python
 * checks before the collector, compression before the serializer, the
 * trace-agent's writers and samplers before the trace-agent).
 */
#include "investigate/components.h"

#include <string.h>

/* A pattern is a substring of the package path; "^" anchors it at the
 * start ("^compress/" is the standard library's compress/...). */
#define FW_COMPONENT_PATTERNS 6

struct entry {
	struct fw_component c;
	const char *patterns[FW_COMPONENT_PATTERNS];
};

static const struct entry table[] = {
	{ { "python_check", "a Python check (rtloader)",
	    "find the check with the longest Average Execution Time in status.log and run it alone with "
	    "`datadog-agent check <name> -t 5`; review its configuration (instances, collection interval)",
	    "time in `runtime.cgocall` under a `_Cfunc_` frame of `pkg/collector/python` is the embedded Python "
	    "interpreter running a check (CGo/Python overhead), not Go code; its memory is outside the Go heap" },
	  { "/pkg/collector/python", "rtloader" } },
	{ { "compression", "payload compression (zlib/zstd)",
	    "compare the payload sizes with the number of metric contexts and events sent",
	    "zlib compression at a few percent of one core is usually normal: every payload is compressed "
	    "before it is sent, and the cost follows the volume of metrics, events and logs" },
	  { "/pkg/serializer/compression", "/pkg/util/compression", "/comp/serializer/compression", "^compress/",
	    "klauspost/compress", "DataDog/zstd" } },
	{ { "aggregator", "the aggregator (metric contexts)",
	    "look for high-cardinality metrics: DogStatsD clients or checks that send many unique tag "
	    "combinations. `datadog-agent dogstatsd-stats` (with `dogstatsd_stats_enable: true`) lists the busiest "
	    "metric names",
	    "the aggregator keeps one context per metric name and tag set (`trackContext` adds them), so its "
	    "memory and CPU follow the number of metric contexts: look at DogStatsD context counts and "
	    "high-cardinality tags" },
	  { "/pkg/aggregator", "/comp/aggregator" } },
	{ { "dogstatsd", "DogStatsD",
	    "check the packet rate and sizes (`datadog-agent dogstatsd-stats`) and the clients sending them",
	    "DogStatsD's cost follows the packet rate and the number of unique metric contexts clients send" },
	  { "dogstatsd" } },
	{ { "serializer", "the serializer", "compare payload sizes with the number of metric contexts",
	    "the serializer turns metric contexts into payloads: its cost follows their number" },
	  { "/pkg/serializer", "/comp/serializer" } },
	{ { "forwarder", "the forwarder",
	    "check connectivity to the intake and the retry queue size (`forwarder_retry_queue_max_size`)",
	    "memory in the forwarder is payloads waiting to be sent: it grows when the intake is slow or "
	    "unreachable (retry queue)" },
	  { "forwarder" } },
	{ { "logs", "the logs pipeline", "count the tailed files and review `logs_config` (open files limit, "
					 "processing rules)",
	    "the logs pipeline's cost follows the number of tailed files or containers and the processing rules "
	    "run on every line" },
	  { "/pkg/logs", "/comp/logs" } },
	{ { "core_check", "a core check", "run the check alone with `datadog-agent check <name> -t 5` to time it",
	    "a Go check's cost repeats every collection interval: compare with its Average Execution Time" },
	  { "/pkg/collector/corechecks" } },
	{ { "collector", "the check runner",
	    "look at the checks with the longest Average Execution Time in status.log and run them alone with "
	    "`datadog-agent check <name> -t 5`",
	    "the collector schedules and runs checks: its workers wait for jobs between runs" },
	  { "/pkg/collector", "/comp/collector" } },
	{ { "tagger", "the tagger", "look for container or pod churn on the host",
	    "the tagger keeps tags per container and pod: its size follows their number and churn" },
	  { "tagger" } },
	{ { "workloadmeta", "the workload metadata store", "look for container or pod churn on the host",
	    "workloadmeta keeps one entity per container, pod and process it watches" },
	  { "workloadmeta" } },
	{ { "trace_writer", "the trace-agent writers", "review APM traffic and the intake latency (`agent status`, "
						       "APM section)",
	    "the writers buffer and compress trace and stats payloads for the intake: their cost follows APM "
	    "traffic and intake latency" },
	  { "/pkg/trace/writer" } },
	{ { "trace_sampler", "the trace-agent samplers", "review the sampling rates and the number of services and "
							"environments",
	    "the samplers keep state per service, environment and signature" },
	  { "/pkg/trace/sampler" } },
	{ { "trace", "the trace-agent", "review APM traffic (`agent status`, APM section), sampling rates and "
					"payload sizes",
	    "the trace-agent's cost follows APM traffic: spans received per second and payload sizes" },
	  { "/pkg/trace", "/comp/trace" } },
	{ { "process_agent", "the process-agent", "review process collection settings and the number of processes "
						  "and containers",
	    "the process-agent's cost follows the number of processes and containers it collects" },
	  { "/pkg/process" } },
	{ { "network", "system-probe (network monitoring)", "review NPM/USM settings and connection counts",
	    "network monitoring's cost follows the number of connections tracked" },
	  { "/pkg/network" } },
};

void fw_package_of(const char *fn, char *out, size_t len)
{
	const char *slash = NULL, *p;
	size_t n;

	for (p = fn; *p && *p != '('; p++)
		if (*p == '/')
			slash = p;
	p = strchr(slash ? slash : fn, '.');
	n = p ? (size_t)(p - fn) : strlen(fn);
	if (n >= len)
		n = len - 1;
	memcpy(out, fn, n);
	out[n] = 0;
}

static bool matches(const char *pkg, const char *pattern)
{
	if (pattern[0] == '^')
		return strncmp(pkg, pattern + 1, strlen(pattern + 1)) == 0;
	return strstr(pkg, pattern) != NULL;
}

const struct fw_component *fw_component_of(const char *fn)
{
	char pkg[512];

	fw_package_of(fn, pkg, sizeof(pkg));
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		for (size_t k = 0; k < FW_COMPONENT_PATTERNS && table[i].patterns[k]; k++)
			if (matches(pkg, table[i].patterns[k]))
				return &table[i].c;
	return NULL;
}

const struct fw_component *fw_component_by_id(const char *id)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(table[i].c.id, id) == 0)
			return &table[i].c;
	return NULL;
}

bool fw_is_python_check_frame(const char *fn)
{
	char pkg[512];
	size_t n;

	fw_package_of(fn, pkg, sizeof(pkg));
	n = strlen(pkg);
	if (!strstr(pkg, "/pkg/collector/python") && !strstr(pkg, "rtloader"))
		return false;
	/* the function itself, right after the package: "_Cfunc_..." */
	return fn[n] == '.' && strncmp(fn + n + 1, "_Cfunc_", 7) == 0;
}
