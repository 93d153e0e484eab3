/*
 * contention.c: block and mutex delay by kind of wait and by application
 * function (see contention.h), from attribute.c's paths.
 */
#include "investigate/contention.h"
#include "base/keymap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *fw_wait_kind_id(enum fw_wait_kind k)
{
	switch (k) {
	case FW_WAIT_LOCK: return "lock";
	case FW_WAIT_CHAN_RECV: return "chan_recv";
	case FW_WAIT_CHAN_SEND: return "chan_send";
	case FW_WAIT_SELECT: return "select";
	case FW_WAIT_COND: return "cond";
	case FW_WAIT_IO: return "io";
	case FW_WAIT_OTHER:
	case FW_WAIT_COUNT: break;
	}
	return "other";
}

const char *fw_wait_kind_name(enum fw_wait_kind k)
{
	switch (k) {
	case FW_WAIT_LOCK: return "mutex/RWMutex lock";
	case FW_WAIT_CHAN_RECV: return "channel receive";
	case FW_WAIT_CHAN_SEND: return "channel send";
	case FW_WAIT_SELECT: return "select";
	case FW_WAIT_COND: return "sync.Cond/WaitGroup wait";
	case FW_WAIT_IO: return "I/O or syscall";
	case FW_WAIT_OTHER:
	case FW_WAIT_COUNT: break;
	}
	return "other";
}

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The kind of one frame, or FW_WAIT_OTHER when it names none. */
static enum fw_wait_kind kind_of_frame(const char *f)
{
	if (starts(f, "sync.(*Mutex).") || starts(f, "sync.(*RWMutex).") || starts(f, "sync.runtime_SemacquireMutex") ||
	    starts(f, "sync.runtime_SemacquireRWMutex"))
		return FW_WAIT_LOCK;
	if (starts(f, "runtime.chanrecv"))
		return FW_WAIT_CHAN_RECV;
	if (starts(f, "runtime.chansend"))
		return FW_WAIT_CHAN_SEND;
	if (starts(f, "runtime.selectgo") || starts(f, "runtime.block") || starts(f, "reflect.rselect"))
		return FW_WAIT_SELECT;
	if (starts(f, "sync.(*Cond).") || starts(f, "sync.(*WaitGroup).") || starts(f, "sync.runtime_notifyList") ||
	    starts(f, "sync.runtime_Semacquire"))
		return FW_WAIT_COND;
	if (starts(f, "syscall.") || starts(f, "internal/poll.") || starts(f, "runtime.netpoll") ||
	    starts(f, "internal/syscall"))
		return FW_WAIT_IO;
	return FW_WAIT_OTHER;
}

enum fw_wait_kind fw_wait_kind_of(const char *via, const char *leaf)
{
	enum fw_wait_kind k = via ? kind_of_frame(via) : FW_WAIT_OTHER;

	if (k == FW_WAIT_OTHER && leaf)
		k = kind_of_frame(leaf);
	return k;
}

/* The function's own name: after the last '.' that follows the package
 * and any receiver ("pkg.(*T).Run" -> "Run"). */
static const char *own_name(const char *fn)
{
	const char *dot = strrchr(fn, '.');
	return dot ? dot + 1 : fn;
}

static bool ends(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

bool fw_wait_is_idle(enum fw_wait_kind k, const char *fn, bool outermost)
{
	static const char *const loops[] = { "Run", "run", "Start", "start", "Serve", "serve", "loop" };
	const char *own;

	if (k != FW_WAIT_CHAN_RECV && k != FW_WAIT_SELECT)
		return false;
	if (outermost)
		return true;
	own = own_name(fn);
	for (size_t i = 0; i < sizeof(loops) / sizeof(loops[0]); i++)
		if (strcmp(own, loops[i]) == 0)
			return true;
	return ends(own, "Loop") || ends(own, "loop");
}

static int cmp_delay(const void *x, const void *y)
{
	const struct fw_contention_row *a = x, *b = y;
	if (a->delay != b->delay)
		return a->delay > b->delay ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* A row's names are borrowed from the attribution until copied. */
struct acc {
	struct fw_contention_row r;
	int64_t by_kind[FW_WAIT_COUNT];
	int64_t via_best;
};

static int copy_row(struct fw_contention_row *dst, const struct fw_contention_row *src)
{
	*dst = *src;
	dst->name = strdup(src->name);
	dst->via = strdup(src->via ? src->via : "");
	return dst->name && dst->via ? 0 : -ENOMEM;
}

int fw_contention_analyze(const struct fw_report *r, bool mutex, struct fw_contention *c, struct fw_error *err)
{
	struct fw_attribution a;
	struct acc *acc = NULL;
	struct fw_keymap km;
	size_t n = 0;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	c->mutex = mutex;
	if ((rc = fw_attribute(r, &a, err)) < 0)
		return rc;
	fw_keymap_init(&km);
	c->present = true;
	c->overflow = a.overflow;
	c->total = a.total;
	c->total_count = 0;
	if (a.n_paths && !(acc = calloc(a.n_paths, sizeof(*acc)))) {
		fw_attribution_free(&a);
		fw_keymap_free(&km);
		return fw_err(err, -ENOMEM, "out of memory analyzing contention");
	}
	for (size_t i = 0; i < a.n_paths; i++) {
		const struct fw_attr_path *pa = &a.paths[i];
		enum fw_wait_kind k = mutex ? FW_WAIT_LOCK : fw_wait_kind_of(pa->via, pa->leaf);
		bool idle = !mutex && pa->fn && fw_wait_is_idle(k, pa->fn, pa->outermost);
		bool counted = pa->fn && (mutex || k == FW_WAIT_LOCK ||
					  ((k == FW_WAIT_CHAN_RECV || k == FW_WAIT_CHAN_SEND || k == FW_WAIT_SELECT) &&
					   !idle));
		size_t j;

		c->total_count = fw_add64(c->total_count, pa->count);
		c->by_kind[k] = fw_add64(c->by_kind[k], pa->value);
		c->count_by_kind[k] = fw_add64(c->count_by_kind[k], pa->count);
		if (!pa->fn)
			continue; /* no application frame: its kind only */
		if (idle) {
			c->idle = fw_add64(c->idle, pa->value);
			c->idle_count = fw_add64(c->idle_count, pa->count);
		}
		if (counted)
			c->counted = fw_add64(c->counted, pa->value);
		uint32_t slot;
		int ins = fw_keymap_upsert(&km, pa->fn, strlen(pa->fn), (uint32_t)n, &slot);
		if (ins < 0) {
			rc = -ENOMEM;
			break;
		}
		j = slot;
		if (ins == 0) {
			acc[n].r.name = (char *)pa->fn;
			acc[n].r.via = (char *)(pa->via ? pa->via : pa->leaf);
			acc[n].via_best = pa->value;
			n++;
		} else if (pa->value > acc[j].via_best) {
			acc[j].r.via = (char *)(pa->via ? pa->via : pa->leaf);
			acc[j].via_best = pa->value;
		}
		acc[j].r.delay = fw_add64(acc[j].r.delay, pa->value);
		acc[j].r.count = fw_add64(acc[j].r.count, pa->count);
		acc[j].by_kind[k] = fw_add64(acc[j].by_kind[k], pa->value);
		if (counted)
			acc[j].r.counted = fw_add64(acc[j].r.counted, pa->value);
		if (k == FW_WAIT_LOCK)
			acc[j].r.lock = fw_add64(acc[j].r.lock, pa->value);
		if (idle)
			acc[j].r.idle = fw_add64(acc[j].r.idle, pa->value);
	}
	fw_keymap_free(&km);
	for (size_t j = 0; j < n && rc == 0; j++) {
		enum fw_wait_kind best = FW_WAIT_LOCK;
		for (enum fw_wait_kind k = 0; k < FW_WAIT_COUNT; k++)
			if (acc[j].by_kind[k] > acc[j].by_kind[best])
				best = k;
		acc[j].r.kind = best;
		if (acc[j].r.counted > 0 &&
		    (!c->top.name || acc[j].r.counted > c->top.counted ||
		     (acc[j].r.counted == c->top.counted && strcmp(acc[j].r.name, c->top.name) < 0)))
			c->top = acc[j].r; /* borrowed names: copied below */
	}
	if (rc == 0 && c->top.name && copy_row(&c->top, &c->top) < 0)
		rc = -ENOMEM;
	/* the table: by delay, as pprof's top sorts by flat */
	if (n)
		qsort(acc, n, sizeof(*acc), cmp_delay);
	for (size_t j = 0; j < n && j < FW_CONTENTION_ROWS && rc == 0; j++) {
		if (copy_row(&c->rows[j], &acc[j].r) < 0)
			rc = -ENOMEM;
		c->n_rows = j + 1; /* freed by fw_contention_free even when half copied */
	}
	free(acc);
	fw_attribution_free(&a);
	if (rc < 0) {
		fw_contention_free(c);
		return fw_err(err, -ENOMEM, "out of memory analyzing contention");
	}
	return 0;
}

void fw_contention_free(struct fw_contention *c)
{
	for (size_t i = 0; i < c->n_rows; i++) {
		free(c->rows[i].name);
		free(c->rows[i].via);
	}
	free(c->top.name);
	free(c->top.via);
	memset(c, 0, sizeof(*c));
}
