/*
 * contention.h: the block and mutex profiles read with the right semantics,
 * on top of attribute.h (each sample's delay charged to its nearest
 * application frame).
 *
 * Block profile: the delay is the waiter's. Each wait is classified by the
 * call the application made (the frame below it), else by the leaf: a
 * mutex/RWMutex lock, a channel receive or send, a select, a
 * sync.Cond/WaitGroup wait, I/O or a syscall, or other. A channel receive
 * or select of a goroutine's own loop waiting for work is idle, not
 * contention: the waiting function is the outermost application frame of
 * its goroutine, or its name is a loop's (Run, run, Start, start, Serve,
 * serve, loop or a name ending in Loop/loop). The delay the CONTENTION rule
 * counts for a function is its lock waits plus its channel waits (receive,
 * send, select) that are not idle; Cond/WaitGroup, I/O and other waits are
 * not counted.
 *
 * Mutex profile: the delay is charged where Unlock ran, to the goroutine
 * that *held* the lock; all of it counts.
 *
 * Contentions are the samples' column 0, delay the report's column.
 */
#ifndef FW_CONTENTION_H
#define FW_CONTENTION_H

#include "investigate/attribute.h"

enum fw_wait_kind {
	FW_WAIT_LOCK,
	FW_WAIT_CHAN_RECV,
	FW_WAIT_CHAN_SEND,
	FW_WAIT_SELECT,
	FW_WAIT_COND,
	FW_WAIT_IO,
	FW_WAIT_OTHER,
	FW_WAIT_COUNT
};

/* "lock", "chan_recv", "chan_send", "select", "cond", "io", "other" */
const char *fw_wait_kind_id(enum fw_wait_kind k);
/* "mutex/RWMutex lock", "channel receive", ... */
const char *fw_wait_kind_name(enum fw_wait_kind k);
/* The kind of a wait from the call the application made (via, may be
 * NULL) and the sample's leaf. */
enum fw_wait_kind fw_wait_kind_of(const char *via, const char *leaf);
/* True for a channel receive or select of a goroutine's own loop waiting
 * for work (see above). outermost: fn has no application frame above it. */
bool fw_wait_is_idle(enum fw_wait_kind k, const char *fn, bool outermost);

#define FW_CONTENTION_ROWS 10

/* One application function's waits (block) or held locks (mutex). */
struct fw_contention_row {
	char *name;
	char *via;	  /* the blocking call of its largest path ("sync.(*Mutex).Lock") */
	int64_t delay;	  /* all its delay, profile units */
	int64_t count;	  /* its contentions */
	int64_t counted;  /* the delay the CONTENTION rule counts */
	int64_t lock;	  /* of which lock waits (block) */
	int64_t idle;	  /* channel waits of its own idle loop (block) */
	enum fw_wait_kind kind; /* the kind of most of its delay */
};

struct fw_contention {
	bool present;
	bool mutex;		    /* a mutex profile: delays are the holders' */
	int64_t total, total_count; /* every sample's delay and contentions */
	int64_t by_kind[FW_WAIT_COUNT], count_by_kind[FW_WAIT_COUNT];
	int64_t idle, idle_count;   /* idle-loop channel waits (within by_kind) */
	int64_t counted;	    /* what the rule counts, all functions */
	struct fw_contention_row rows[FW_CONTENTION_ROWS]; /* by delay, largest first */
	size_t n_rows;
	/* the function with the largest counted delay (the rule's candidate) */
	struct fw_contention_row top;
	bool overflow;
};

/* Splits the report's delay (r from a block profile, or a mutex profile
 * when mutex). */
int fw_contention_analyze(const struct fw_report *r, bool mutex, struct fw_contention *c, struct fw_error *err);
void fw_contention_free(struct fw_contention *c);

#endif
