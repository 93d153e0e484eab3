/*
 * recommend.h: the report's recommendations as data: what to do next, how
 * urgent it is and what in the flare it rests on, decided from the flare
 * model, the per-process analyses and the verdict. Both writers print the
 * same list (write_markdown.c's "## Recommendations", report.json's
 * "recommendations"); nothing here formats Markdown or JSON, and no
 * threshold is read here (the verdict's decisions are).
 *
 * Priorities:
 *   High    a rule fired (memory leak, CPU spike, contention: one item per
 *           rule and process), or the verdict could not be established: no
 *           profiles at all, or a process whose heap pair or CPU profile is
 *           missing, empty or unreadable, or that the verdict calls
 *           INCONCLUSIVE (one item per process, naming the files).
 *   Medium  such a process in which a rule fired anyway (the finding
 *           stands), a check in error (one item per check), goroutines
 *           above the warning level.
 *   Low     information: checks with warnings (one item per check), block
 *           or mutex profiles that are unusable while heap and CPU were
 *           analyzed (one item per process), empty block/mutex profiles
 *           (profiling was off: ONE item for the whole flare), and "nothing
 *           calls for action" when there is no High or Medium item.
 * The list is ordered High, Medium, Low; within a priority, in the order
 * above and by process. No two items have the same text.
 */
#ifndef FW_RECOMMEND_H
#define FW_RECOMMEND_H

#include "flare/flare.h"
#include "investigate/process.h"
#include "investigate/verdict.h"
#include "investigate/memsanity.h"
#include "flare/versionhistory.h"

enum fw_rec_priority { FW_REC_HIGH = 0, FW_REC_MEDIUM, FW_REC_LOW };

/* "High", "Medium", "Low" */
const char *fw_rec_priority_name(enum fw_rec_priority p);
/* "high", "medium", "low" */
const char *fw_rec_priority_id(enum fw_rec_priority p);

/* What a recommendation rests on; any part may be absent. */
struct fw_rec_evidence {
	char *function;	  /* pprof's full name, or NULL */
	bool has_value;
	int64_t value;	  /* raw, in unit */
	const char *unit; /* "bytes", "nanoseconds" or "count"; NULL without a value */
	const char *measure; /* what the value is: "flat CPU time", "instances in
			      * error", ...; NULL without a value */
	char **files;	  /* flare files, relative to its root: "profiles/core-cpu.pprof", "status.log" */
	size_t n_files;
};

struct fw_recommendation {
	enum fw_rec_priority priority;
	/* stable identifier of the kind of item: "no_profiles",
	 * "process_not_analyzed", "memory_leak", "cpu_spike", "contention",
	 * "borderline_growth" (Medium), "upgrade" (Medium beside a finding or
	 * INCONCLUSIVE, else Low), "python_memory" (Low),
	 * "check_error", "goroutines", "check_warning",
	 * "contention_profiles_unusable", "contention_profiling_off",
	 * "no_action" */
	const char *kind;
	char *process;	/* the agent process it is about, or NULL */
	char *text;	/* plain text, one to three sentences, no Markdown;
			 * strings from the flare are in it as they are (the
			 * writers redact and escape) */
	char *command;	/* a command to run next, or NULL */
	struct fw_rec_evidence ev;
};

struct fw_recommendations {
	struct fw_recommendation *items;
	size_t n;
};

/* What else a recommendation may rest on: the memory sanity of each
 * process (sanity[i] is procs[i]'s; NULL when not computed) and an agent
 * version change shortly before the flare (NULL when none). */
struct fw_rec_context {
	const struct fw_memsanity *sanity;
	size_t n_sanity;
	const struct fw_vhist_change *upgrade;
};

/* Builds the list for a flare (f), its analyzed processes (procs[0..n),
 * n == v->n_procs), its verdict and ctx (NULL: none). Returns 0 or -ENOMEM
 * (err says so); on failure *out holds nothing and
 * fw_recommendations_free() is safe. */
int fw_recommend(const struct fw_flare *f, const struct fw_process *procs, size_t n,
		 const struct fw_verdict *v, const struct fw_rec_context *ctx, struct fw_recommendations *out,
		 struct fw_error *err);
void fw_recommendations_free(struct fw_recommendations *r);

/* A function name shortened to "pkg.Func" for sentences, as the flame
 * graphs label frames (fw_flame_label_offset):
 * "github.com/DataDog/datadog-agent/pkg/aggregator.(*ContextResolver).trackContext"
 * gives "aggregator.(*ContextResolver).trackContext". Returns a pointer
 * into fn. */
const char *fw_function_short_name(const char *fn);

#endif
