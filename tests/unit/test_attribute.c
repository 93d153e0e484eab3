/*
 * test_attribute.c: attribute.c (each sample charged to its nearest
 * application frame, Python check frames named by their check label) and
 * contention.c (block delay by kind of wait, idle-loop channel waits apart,
 * the delay the CONTENTION rule counts; mutex delay as the holder's) on
 * profiles built in memory (profbuild.h), with the sums worked out by hand
 * in the comments.
 */
#include "investigate/attribute.h"
#include "investigate/contention.h"
#include "pprof/report.h"

#include "../tap.h"
#include "profbuild.h"

#include <string.h>

/* A report over p (taken over) with sample type `index`; NULL on failure. */
static struct fw_report *report(struct fw_profile *p, const char *index)
{
	static struct fw_report r;
	struct fw_report_opts o;
	struct fw_error err = { { 0 } };

	fw_report_opts_default(&o);
	o.sample_index = index;
	if (fw_report_init(&r, p, &o, &err) < 0) {
		TAP_DIAG("fw_report_init: %s", err.msg);
		return NULL;
	}
	return &r;
}

static const struct fw_attr_fn *row_of(const struct fw_attr_fn *rows, size_t n, const char *fn, const char *check)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i].fn, fn) == 0 &&
		    ((!check && !rows[i].check) || (check && rows[i].check && strcmp(rows[i].check, check) == 0)))
			return &rows[i];
	return NULL;
}

#define PYFN "github.com/DataDog/datadog-agent/pkg/collector/python._Cfunc_run_check"

static void test_cpu(void)
{
	struct fw_profile *p = prof("cpu", "nanoseconds", 10000000, 2, "samples", "count", "cpu", "nanoseconds");
	uint32_t cgo = loc(p, func(p, "runtime.cgocall", NULL)), py = loc(p, func(p, PYFN, NULL));
	uint32_t impl = loc(p, func(p, "github.com/DataDog/datadog-agent/pkg/collector/python.(*PythonCheck).runCheckImpl",
				    NULL));
	uint32_t malloc_ = loc(p, func(p, "runtime.mallocgc", NULL)), newobj = loc(p, func(p, "runtime.newobject", NULL));
	uint32_t track = loc(p, func(p, "example.com/agg.(*ContextResolver).trackContext", NULL));
	uint32_t gc = loc(p, func(p, "runtime.gcBgMarkWorker", NULL)), main_ = loc(p, func(p, "main.main", NULL));
	struct fw_attribution a;
	struct fw_attr_fn *rows = NULL;
	struct fw_error err = { { 0 } };
	const struct fw_attr_fn *r;
	struct fw_report *rep;
	size_t n = 0;

	/* a check with its check_id label, twice (they add up), another check,
	 * a cgo call with no label, mallocgc under trackContext, trackContext's
	 * own time, GC (no application frame) */
	sample(p, LOCS(cgo, py, impl), VALS(5, 50), "check_id", "postgres:orders-db:6d1e0b9a", NULL);
	sample(p, LOCS(cgo, py, impl), VALS(2, 20), "check_id", "postgres:orders-db:6d1e0b9a", NULL);
	sample(p, LOCS(cgo, py, impl), VALS(1, 10), "check_id", "mysql:1234", NULL);
	sample(p, LOCS(cgo, py, impl), VALS(1, 5), NULL);
	sample(p, LOCS(malloc_, newobj, track, main_), VALS(3, 30), NULL);
	sample(p, LOCS(track, main_), VALS(1, 8), NULL);
	sample(p, LOCS(gc), VALS(1, 7), NULL);
	if (!(rep = report(p, "cpu")))
		return;
	if (!TAP_EQ_INT(fw_attribute(rep, &a, &err), 0, "attribute a CPU profile")) {
		fw_report_free(rep);
		return;
	}
	TAP_EQ_INT(a.total, 130, "total: 50+20+10+5+30+8+7 = 130");
	TAP_EQ_INT(a.unattributed, 7, "unattributed: the GC sample, 7");
	TAP_EQ_INT(a.unattributed_count, 1, "... 1 sample");
	TAP_OK(!a.overflow, "no overflow");
	TAP_EQ_INT(fw_attribution_by_function(&a, &rows, &n, &err), 0, "group by function");
	TAP_EQ_UINT(n, 4, "4 rows: postgres, trackContext, mysql, the unlabelled check");
	r = row_of(rows, n, PYFN, "postgres:orders-db:6d1e0b9a");
	TAP_OK(r && r->value == 70 && r->count == 7 && r->python && strcmp(r->via, "runtime.cgocall") == 0,
	       "postgres: 50+20 = 70 via runtime.cgocall, a Python check frame");
	TAP_OK(rows[0].fn == r->fn && rows[0].check == r->check, "... the largest row, first");
	r = row_of(rows, n, PYFN, "mysql:1234");
	TAP_OK(r && r->value == 10 && r->python, "mysql: its own row, 10");
	r = row_of(rows, n, PYFN, NULL);
	TAP_OK(r && r->value == 5 && r->python && !r->check, "the unlabelled cgo call: 5, no check");
	r = row_of(rows, n, "example.com/agg.(*ContextResolver).trackContext", NULL);
	TAP_OK(r && r->value == 38 && !r->python, "trackContext: 30 (mallocgc) + 8 (itself) = 38");
	TAP_OK(r && r->via && strcmp(r->via, "runtime.newobject") == 0,
	       "... via the call of its largest path, runtime.newobject");
	for (size_t i = 0; i < a.n_paths; i++)
		if (a.paths[i].fn && strcmp(a.paths[i].fn, "example.com/agg.(*ContextResolver).trackContext") == 0 && a.paths[i].value == 30)
			TAP_OK(strcmp(a.paths[i].leaf, "runtime.mallocgc") == 0 && !a.paths[i].outermost,
			       "its mallocgc path: leaf runtime.mallocgc, main.main above it");
	for (size_t i = 0; i < a.n_paths; i++)
		if (!a.paths[i].fn)
			TAP_OK(a.paths[i].value == 7 && strcmp(a.paths[i].leaf, "runtime.gcBgMarkWorker") == 0,
			       "the GC sample: a path with no function, its leaf kept");
	free(rows);
	fw_attribution_free(&a);
	fw_report_free(rep);
}

static void test_names(void)
{
	char x[32];

	fw_check_name("postgres:orders-db:6d1e0b9a", x, sizeof(x));
	TAP_EQ_STR(x, "postgres", "check name: before the first ':'");
	fw_check_name("disk", x, sizeof(x));
	TAP_EQ_STR(x, "disk", "check name: no ':'");
	fw_check_name(":odd", x, sizeof(x));
	TAP_EQ_STR(x, ":odd", "check name: nothing before ':', the whole value");
	fw_check_name("averyveryverylongcheckname:1", x, 8);
	TAP_EQ_STR(x, "averyve", "check name: cut to the buffer");

	TAP_EQ_INT(fw_wait_kind_of("sync.(*Mutex).Lock", "sync.(*Mutex).Lock"), FW_WAIT_LOCK, "Mutex.Lock: lock");
	TAP_EQ_INT(fw_wait_kind_of("sync.(*RWMutex).RLock", "sync.runtime_SemacquireRWMutexR"), FW_WAIT_LOCK,
		   "RWMutex.RLock: lock");
	TAP_EQ_INT(fw_wait_kind_of("runtime.chanrecv2", "runtime.chanrecv2"), FW_WAIT_CHAN_RECV, "chanrecv2: receive");
	TAP_EQ_INT(fw_wait_kind_of("runtime/pprof.StopCPUProfile", "runtime.chanrecv1"), FW_WAIT_CHAN_RECV,
		   "a call that names no kind: the leaf's (chanrecv1)");
	TAP_EQ_INT(fw_wait_kind_of("runtime.chansend1", "runtime.chansend1"), FW_WAIT_CHAN_SEND, "chansend1: send");
	TAP_EQ_INT(fw_wait_kind_of("runtime.selectgo", "runtime.selectgo"), FW_WAIT_SELECT, "selectgo: select");
	TAP_EQ_INT(fw_wait_kind_of("sync.(*WaitGroup).Wait", "sync.(*WaitGroup).Wait"), FW_WAIT_COND, "WaitGroup: cond");
	TAP_EQ_INT(fw_wait_kind_of("sync.(*Cond).Wait", "sync.(*Cond).Wait"), FW_WAIT_COND, "Cond.Wait: cond");
	TAP_EQ_INT(fw_wait_kind_of("internal/poll.(*FD).Read", "internal/poll.runtime_pollWait"), FW_WAIT_IO,
		   "poll: I/O");
	TAP_EQ_INT(fw_wait_kind_of(NULL, "example.com/x.F"), FW_WAIT_OTHER, "an application leaf: other");
	TAP_OK(fw_wait_is_idle(FW_WAIT_CHAN_RECV, "a.(*Worker).Run", false), "a receive in Run: idle");
	TAP_OK(fw_wait_is_idle(FW_WAIT_SELECT, "a.(*Forwarder).sendLoop", false), "a select in ...Loop: idle");
	TAP_OK(fw_wait_is_idle(FW_WAIT_CHAN_RECV, "a.process", true), "a receive in a goroutine's own function: idle");
	TAP_OK(!fw_wait_is_idle(FW_WAIT_CHAN_RECV, "a.process", false), "a receive deeper down: not idle");
	TAP_OK(!fw_wait_is_idle(FW_WAIT_CHAN_SEND, "a.(*Worker).Run", true), "a send is never idle");
	TAP_OK(!fw_wait_is_idle(FW_WAIT_LOCK, "a.(*Worker).Run", true), "a lock is never idle");
	TAP_EQ_STR(fw_wait_kind_id(FW_WAIT_CHAN_RECV), "chan_recv", "kind id");
}

/* collector.(*Worker).Run as in the contention fixture: lock waits and
 * its own loop's channel receives; a receive deeper in a call chain (not
 * idle), a send, a WaitGroup wait. */
static void test_block(void)
{
	struct fw_profile *p = prof("contentions", "count", 1, 2, "contentions", "count", "delay", "nanoseconds");
	uint32_t lock = loc(p, func(p, "sync.(*Mutex).Lock", NULL)), recv = loc(p, func(p, "runtime.chanrecv1", NULL));
	uint32_t send = loc(p, func(p, "runtime.chansend1", NULL)), wg = loc(p, func(p, "sync.(*WaitGroup).Wait", NULL));
	uint32_t run = loc(p, func(p, "x/collector.(*Worker).Run", NULL));
	uint32_t get = loc(p, func(p, "x/api.get", NULL)), handle = loc(p, func(p, "x/api.handle", NULL));
	uint32_t enq = loc(p, func(p, "x/collector.enqueue", NULL)), start = loc(p, func(p, "x/collector.Start", NULL));
	struct fw_contention c;
	struct fw_error err = { { 0 } };
	struct fw_report *rep;

	sample(p, LOCS(lock, run), VALS(160, 10290), NULL);  /* lock: counted */
	sample(p, LOCS(recv, run), VALS(131, 6160), NULL);   /* its own loop: idle */
	sample(p, LOCS(recv, get, handle), VALS(4, 2000), NULL); /* receive under handle: counted */
	sample(p, LOCS(send, enq), VALS(29, 300), NULL);     /* send: counted */
	sample(p, LOCS(wg, start), VALS(1, 500), NULL);      /* WaitGroup: not counted */
	sample(p, LOCS(recv), VALS(1, 100), NULL);	      /* no application frame: its kind only */
	sample(p, LOCS(lock, run), VALS(2, 0), NULL);	      /* contentions with no delay count too */
	if (!(rep = report(p, "delay")))
		return;
	if (!TAP_EQ_INT(fw_contention_analyze(rep, false, &c, &err), 0, "analyze a block profile")) {
		fw_report_free(rep);
		return;
	}
	TAP_EQ_INT(c.total, 19350, "total delay 10290+6160+2000+300+500+100+0");
	TAP_EQ_INT(c.total_count, 328, "contentions 160+131+4+29+1+1+2");
	TAP_EQ_INT(c.by_kind[FW_WAIT_LOCK], 10290, "lock 10290");
	TAP_EQ_INT(c.count_by_kind[FW_WAIT_LOCK], 162, "... 160+2 contentions");
	TAP_EQ_INT(c.by_kind[FW_WAIT_CHAN_RECV], 8260, "receive 6160+2000+100 (the one with no application frame)");
	TAP_EQ_INT(c.count_by_kind[FW_WAIT_CHAN_RECV], 136, "... 131+4+1 contentions");
	TAP_EQ_INT(c.by_kind[FW_WAIT_CHAN_SEND], 300, "send 300");
	TAP_EQ_INT(c.by_kind[FW_WAIT_COND], 500, "WaitGroup 500");
	TAP_EQ_INT(c.idle, 6160, "idle: Worker.Run's own receive, 6160");
	TAP_EQ_INT(c.counted, 12590, "counted: 10290 lock + 2000 receive + 300 send");
	TAP_EQ_STR(c.top.name, "x/collector.(*Worker).Run", "the rule's candidate: Worker.Run");
	TAP_EQ_INT(c.top.counted, 10290, "... with its lock waits only (10290 of 16450)");
	TAP_EQ_INT(c.top.delay, 16450, "... of 16450 in all");
	TAP_EQ_INT(c.top.count, 293, "... 160+131+2 contentions");
	TAP_EQ_INT(c.top.idle, 6160, "... 6160 idle");
	TAP_EQ_STR(c.top.via, "sync.(*Mutex).Lock", "... mostly in sync.(*Mutex).Lock");
	TAP_EQ_UINT(c.n_rows, 4, "4 functions");
	TAP_EQ_STR(c.rows[1].name, "x/api.get", "2nd by delay: api.get (not the outermost frame)");
	TAP_EQ_INT(c.rows[1].counted, 2000, "... its receive counts");
	TAP_EQ_INT(c.rows[1].kind, FW_WAIT_CHAN_RECV, "... a receive");
	TAP_EQ_STR(c.rows[2].name, "x/collector.Start", "3rd: Start (500)");
	TAP_EQ_INT(c.rows[2].counted, 0, "... its WaitGroup wait does not count");
	TAP_EQ_INT(c.rows[3].counted, 300, "4th: enqueue, its send counts");
	fw_contention_free(&c);
	fw_report_free(rep);
}

/* The other way: only a loop's idle receives, however long. */
static void test_idle_only(void)
{
	struct fw_profile *p = prof("contentions", "count", 1, 2, "contentions", "count", "delay", "nanoseconds");
	uint32_t recv = loc(p, func(p, "runtime.chanrecv2", NULL)), sel = loc(p, func(p, "runtime.selectgo", NULL));
	uint32_t run = loc(p, func(p, "x/collector.(*Worker).Run", NULL)), fn = loc(p, func(p, "x/fwd.(*F).loop", NULL));
	uint32_t outer = loc(p, func(p, "x/fwd.Start", NULL));
	struct fw_contention c;
	struct fw_error err = { { 0 } };
	struct fw_report *rep;

	sample(p, LOCS(recv, run), VALS(10, 5000000000LL), NULL);
	sample(p, LOCS(sel, fn, outer), VALS(10, 4000000000LL), NULL);
	if (!(rep = report(p, "delay")))
		return;
	if (TAP_EQ_INT(fw_contention_analyze(rep, false, &c, &err), 0, "analyze idle waits")) {
		TAP_EQ_INT(c.idle, 9000000000LL, "9 s of idle-loop waits");
		TAP_EQ_INT(c.counted, 0, "none counted");
		TAP_OK(c.top.name == NULL, "no candidate for the rule");
		fw_contention_free(&c);
	}
	fw_report_free(rep);
}

/* Mutex: all the delay is the holder's, where it unlocked. */
static void test_mutex(void)
{
	struct fw_profile *p = prof("contentions", "count", 1, 2, "contentions", "count", "delay", "nanoseconds");
	uint32_t unlock = loc(p, func(p, "sync.(*Mutex).Unlock", NULL));
	uint32_t enq = loc(p, func(p, "x/collector.(*CheckScheduler).enqueue", NULL));
	uint32_t run = loc(p, func(p, "x/collector.(*Worker).Run", NULL));
	struct fw_contention c;
	struct fw_error err = { { 0 } };
	struct fw_report *rep;

	sample(p, LOCS(unlock, enq), VALS(157, 4049), NULL);
	sample(p, LOCS(unlock, run), VALS(95, 2), NULL);
	if (!(rep = report(p, "delay")))
		return;
	if (TAP_EQ_INT(fw_contention_analyze(rep, true, &c, &err), 0, "analyze a mutex profile")) {
		TAP_OK(c.mutex, "a mutex profile");
		TAP_EQ_INT(c.by_kind[FW_WAIT_LOCK], 4051, "all lock: 4051");
		TAP_EQ_INT(c.counted, 4051, "all counted");
		TAP_EQ_STR(c.top.name, "x/collector.(*CheckScheduler).enqueue", "the holder: enqueue");
		TAP_EQ_INT(c.top.count, 157, "... 157 contentions");
		TAP_EQ_STR(c.top.via, "sync.(*Mutex).Unlock", "... where it unlocked");
		fw_contention_free(&c);
	}
	fw_report_free(rep);
}

int main(void)
{
	test_cpu();
	test_names();
	test_block();
	test_idle_only();
	test_mutex();
	return tap_done();
}
