/*
 * goroutines.h: summary of a flare's go-routine-dump.log, Go's
 * /debug/pprof/goroutine?debug=2 text: how many goroutines, in which
 * states, how many have waited long, and where they are parked.
 *
 * A goroutine is a line that starts with "goroutine <N> [" (the Go 1.23
 * "goroutine <N> gp=... [" variant too); its state is the bracket text up
 * to the first comma, its wait the ", <M> minutes" part. The block runs to
 * the next header or blank line; its frames are the lines that are not
 * tab-indented file lines, "created by ..." or "...frames elided...". A
 * goroutine is "parked in" the first frame whose function is not runtime
 * code, "runtime" meaning a name that starts with runtime. runtime/
 * internal/ sync. or syscall. (so time.Sleep and sync/atomic count as
 * user code).
 *
 * Memory is bounded whatever the dump size: at most FW_GOR_MAX_STATES
 * distinct states (more go to states_other) and FW_GOR_TABLE distinct
 * functions, tracked with the Space-Saving algorithm: while there are no
 * more distinct functions than that the counts are exact; past it, every
 * function parked in more than total/FW_GOR_TABLE goroutines is still
 * listed, with an upper-bound count (top_exact false).
 */
#ifndef FW_GOROUTINES_H
#define FW_GOROUTINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

#define FW_GOR_TOP		5
#define FW_GOR_MAX_STATES	32	/* distinct states kept */
#define FW_GOR_STATE_MAX	64	/* bytes; longer bracket texts go to states_other */
#define FW_GOR_TABLE		2048	/* distinct functions tracked at once */
#define FW_GOR_RAW_MAX		1024	/* bytes; longer names count as one "(name too long)" */
#define FW_GOR_FUNC_MAX		256	/* bytes of a function name shown */

struct fw_gor_state {
	char name[FW_GOR_STATE_MAX + 1];	/* "select", "IO wait", ... */
	uint64_t count;
};

struct fw_gor_func {
	char name[FW_GOR_FUNC_MAX + 1];		/* "main.run", "time.Sleep", ... */
	uint64_t count;
};

/* All strings went through fw_redact_field(). No heap memory is left
 * behind: the struct needs no freeing. */
struct fw_goroutines {
	uint64_t total;			/* goroutine headers */
	uint64_t wait_threshold_min;	/* the N passed to the parser */
	uint64_t waiting_over;		/* goroutines with M minutes, M > N */
	uint64_t max_wait_min;		/* largest M seen (0 if none) */

	struct fw_gor_state states[FW_GOR_MAX_STATES];	/* by count, descending */
	size_t n_states;
	uint64_t states_other;		/* goroutines whose state was not kept */

	struct fw_gor_func top[FW_GOR_TOP];	/* by count, descending, then name */
	size_t n_top;
	bool top_exact;			/* false: counts are Space-Saving upper bounds */
	uint64_t runtime_only;		/* goroutines with no non-runtime frame
					 * (GC workers, or no stack printed) */
};

/* Summarises text[0..len); wait_minutes is N for waiting_over. Returns 0,
 * -ENOMEM, -ENODATA for an empty or all-blank file, or -EINVAL when there is
 * no goroutine header at all (e.g. the agent wrote an HTTP error instead). */
int fw_goroutines_parse(const char *text, size_t len, uint64_t wait_minutes,
			struct fw_goroutines *g, struct fw_error *err);

/* Is this function name runtime code (see above)? */
bool fw_gor_is_runtime(const char *name, size_t len);

#endif
