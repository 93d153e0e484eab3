/*
 * recommend.c: the recommendations (see recommend.h): one function per kind
 * of item, each appending to the list; fw_recommend() calls them in priority
 * order. Every text is plain (no Markdown): commands go to the item's
 * command, names are shortened in the text and given whole as evidence.
 */
#include "investigate/recommend.h"
#include "investigate/components.h"
#include "pprof/flamegraph.h"
#include "pprof/units.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *fw_rec_priority_name(enum fw_rec_priority p)
{
	switch (p) {
	case FW_REC_HIGH: return "High";
	case FW_REC_MEDIUM: return "Medium";
	case FW_REC_LOW: return "Low";
	}
	return "Low";
}

const char *fw_rec_priority_id(enum fw_rec_priority p)
{
	switch (p) {
	case FW_REC_HIGH: return "high";
	case FW_REC_MEDIUM: return "medium";
	case FW_REC_LOW: return "low";
	}
	return "low";
}

const char *fw_function_short_name(const char *fn)
{
	return fn + fw_flame_label_offset(fn);
}

/* ---- agent components ------------------------------------------------------------ */

/* Our own table's advice (components.h) as a plain sentence: its `code`
 * spans without the backticks, capitalised, with a full stop. */
static void put_static_plain(struct fw_buf *t, const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i++)
		if (s[i] != '`')
			fw_buf_putc(t, i == 0 && s[i] >= 'a' && s[i] <= 'z' ? (char)(s[i] - 'a' + 'A') : s[i]);
	if (n && s[n - 1] != '.')
		fw_buf_putc(t, '.');
}

/* ---- building items ------------------------------------------------------------ */

static void item_free(struct fw_recommendation *x)
{
	free(x->process);
	free(x->text);
	free(x->command);
	free(x->ev.function);
	for (size_t k = 0; k < x->ev.n_files; k++)
		free(x->ev.files[k]);
	free(x->ev.files);
	memset(x, 0, sizeof(*x));
}

struct builder {
	struct fw_recommendations *out;
	size_t cap;
	bool failed;
};

/* A new item at the end of the list (zeroed), or NULL (b->failed). */
static struct fw_recommendation *add(struct builder *b, enum fw_rec_priority prio, const char *kind,
				     const char *process)
{
	struct fw_recommendation *r;

	if (b->failed)
		return NULL;
	if (b->out->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 8;
		struct fw_recommendation *items = realloc(b->out->items, cap * sizeof(*items));
		if (!items) {
			b->failed = true;
			return NULL;
		}
		b->out->items = items;
		b->cap = cap;
	}
	r = &b->out->items[b->out->n++];
	memset(r, 0, sizeof(*r));
	r->priority = prio;
	r->kind = kind;
	if (process && !(r->process = strdup(process)))
		b->failed = true;
	return r;
}

static void set_text(struct builder *b, struct fw_recommendation *r, struct fw_buf *t)
{
	if (!(r->text = fw_buf_take(t)))
		b->failed = true;
}

static void set_command(struct builder *b, struct fw_recommendation *r, const char *cmd)
{
	if (!(r->command = strdup(cmd)))
		b->failed = true;
}

static void set_function(struct builder *b, struct fw_recommendation *r, const char *fn)
{
	if (fn && !(r->ev.function = strdup(fn)))
		b->failed = true;
}

static void set_value(struct fw_recommendation *r, int64_t v, const char *unit, const char *measure)
{
	r->ev.has_value = true;
	r->ev.value = v;
	r->ev.unit = unit;
	r->ev.measure = measure;
}

static void add_file(struct builder *b, struct fw_recommendation *r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add_file(struct builder *b, struct fw_recommendation *r, const char *fmt, ...)
{
	char **files;
	char *s;
	va_list ap;
	int n;

	if (b->failed)
		return;
	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return;
	}
	if (!(files = realloc(r->ev.files, (r->ev.n_files + 1) * sizeof(*files)))) {
		free(s);
		b->failed = true;
		return;
	}
	r->ev.files = files;
	files[r->ev.n_files++] = s;
}

static void profile_file(struct builder *b, struct fw_recommendation *r, const struct fw_process *p,
			 enum fw_profile_kind k)
{
	add_file(b, r, "profiles/%s-%s.pprof", p->name, fw_profile_kind_name(k));
}

/* A function for sentences: its short name, then " (<component>)" when
 * known. */
static void function_name(struct fw_buf *t, const char *fn)
{
	const struct fw_component *c = fw_component_of(fn);

	fw_buf_puts(t, fw_function_short_name(fn));
	if (c)
		fw_buf_printf(t, " (%s)", c->name);
}

/* " <advice>" of the function's component, when known. */
static void advice(struct fw_buf *t, const char *fn)
{
	const struct fw_component *c = fw_component_of(fn);

	if (c) {
		fw_buf_putc(t, ' ');
		put_static_plain(t, c->advice);
	}
}

/* "why" of a profile file that is not OK: "missing", "empty (0 bytes)",
 * "unreadable"; NULL for an OK file. */
static const char *file_state(enum fw_pfile_state s)
{
	switch (s) {
	case FW_PFILE_OK: return NULL;
	case FW_PFILE_MISSING: return "missing";
	case FW_PFILE_EMPTY: return "empty (0 bytes)";
	case FW_PFILE_CORRUPT: return "unreadable";
	}
	return NULL;
}

/* ---- the items, in priority order ------------------------------------------------- */

static void no_profiles(struct builder *b, const struct fw_flare *f, size_t n)
{
	struct fw_recommendation *r;
	struct fw_buf t;

	if (f->has_profiles && n > 0)
		return;
	if (!(r = add(b, FW_REC_HIGH, "no_profiles", NULL)))
		return;
	fw_buf_init(&t);
	if (!f->has_profiles)
		fw_buf_puts(&t, "The flare has no profiles/ folder, so neither memory nor CPU could be analyzed. Ask "
				"for a new flare made with profiling (30 seconds or more) so that heap, CPU, block "
				"and mutex profiles are included.");
	else
		fw_buf_puts(&t, "profiles/ holds no profile named <process>-1st-heap.pprof, -cpu.pprof, "
				"-2nd-heap.pprof, -block.pprof or -mutex.pprof, so neither memory nor CPU could be "
				"analyzed. Ask for a new flare made with profiling (30 seconds or more).");
	set_text(b, r, &t);
	set_command(b, r, "datadog-agent flare --profile 30");
	if (f->has_profiles)
		add_file(b, r, "profiles/");
}

/* The files of kinds[0..nk) that are not OK, as "core-1st-heap.pprof is
 * empty (0 bytes)" clauses joined by ", " on t, each also listed as the
 * item's evidence; returns how many. */
static size_t bad_files(struct builder *b, struct fw_recommendation *r, struct fw_buf *t,
			const struct fw_process *p, const enum fw_profile_kind *kinds, size_t nk)
{
	size_t n = 0;

	for (size_t i = 0; i < nk; i++) {
		const char *why = file_state(p->files[kinds[i]].state);
		if (!why)
			continue;
		fw_buf_printf(t, "%s%s-%s.pprof is %s", n ? ", " : "", p->name, fw_profile_kind_name(kinds[i]), why);
		profile_file(b, r, p, kinds[i]);
		n++;
	}
	return n;
}

/* A process whose memory or CPU was not analyzed, or that the verdict
 * found INCONCLUSIVE: one item naming every file that could not be used
 * (block and mutex too). High, unless a rule fired in the process anyway
 * (its own item is High and the verdict stands): then Medium. Called once
 * per priority (pass), so that the list stays in priority order. */
static void not_analyzed(struct builder *b, const struct fw_process *p, const struct fw_process_verdict *v,
			 enum fw_rec_priority pass)
{
	static const enum fw_profile_kind heap[] = { FW_PK_HEAP1, FW_PK_HEAP2 }, cpu[] = { FW_PK_CPU },
					  cont[] = { FW_PK_BLOCK, FW_PK_MUTEX };
	bool mem = v->coverage.a[FW_AN_HEAP_DIFF].ran, cp = v->coverage.a[FW_AN_CPU].ran;
	bool finding = v->leak || v->cpu || v->contention;
	struct fw_recommendation *r;
	struct fw_buf t;

	if ((mem && cp && v->kind != FW_VERDICT_INCONCLUSIVE) || pass != (finding ? FW_REC_MEDIUM : FW_REC_HIGH))
		return;
	if (!(r = add(b, pass, "process_not_analyzed", p->name)))
		return;
	fw_buf_init(&t);
	fw_buf_printf(&t, "%s: ", p->name);
	if (mem && cp) /* the verdict's coverage rule saw more than the files */
		fw_buf_printf(&t, "the verdict is %s (%s)", fw_verdict_name(v->kind), v->summary ? v->summary : "");
	if (!mem) {
		fw_buf_puts(&t, "memory was not analyzed (");
		if (!bad_files(b, r, &t, p, heap, 2)) {
			fw_buf_printf(&t, "%s-1st-heap.pprof and %s-2nd-heap.pprof could not be compared, see the "
					  "process's notes", p->name, p->name);
			profile_file(b, r, p, FW_PK_HEAP1);
			profile_file(b, r, p, FW_PK_HEAP2);
		}
		fw_buf_putc(&t, ')');
	}
	if (!cp) {
		fw_buf_puts(&t, !mem ? "; CPU was not analyzed (" : "CPU was not analyzed (");
		if (!bad_files(b, r, &t, p, cpu, 1)) {
			fw_buf_printf(&t, "%s-cpu.pprof gives no CPU time, see the process's notes", p->name);
			profile_file(b, r, p, FW_PK_CPU);
		}
		fw_buf_putc(&t, ')');
	}
	{
		struct fw_buf c;
		fw_buf_init(&c);
		if (bad_files(b, r, &c, p, cont, 2))
			fw_buf_printf(&t, "; also %s", fw_buf_str(&c));
		if (c.failed)
			t.failed = true;
		fw_buf_free(&c);
	}
	fw_buf_puts(&t, finding ? ". The rule that fired stands; a new flare made with profiling would cover the rest."
				: ". Without both heap snapshots and the CPU profile this process cannot be called normal: "
				  "ask for a new flare made with profiling.");
	set_text(b, r, &t);
	set_command(b, r, "datadog-agent flare --profile 30");
}

/* Application growth that is no leak but above the runbook's NORMAL
 * (verdict.h's borderline): watch it with a second flare. */
static void borderline(struct builder *b, const struct fw_process *p, const struct fw_process_verdict *v)
{
	struct fw_recommendation *r;
	struct fw_buf t;
	char a[64];

	if (!v->borderline || !(r = add(b, FW_REC_MEDIUM, "borderline_growth", p->name)))
		return;
	fw_buf_init(&t);
	fw_buf_printf(&t, "Watch: collect a second flare in a few hours. %s: application heap growth of %s %s is "
			  "borderline (not a leak, not clearly normal); a second flare shows whether it continues.",
		      p->name, fw_figure_bytes_label(a, sizeof(a), p->growth_app_30s), v->growth_per);
	set_text(b, r, &t);
	set_command(b, r, "datadog-agent flare --profile 30");
	if (p->top_growth_app.name) {
		set_function(b, r, p->top_growth_app.name);
		set_value(r, fw_figure_bytes(p->growth_app_30s), "bytes",
			  v->growth_is_rate ? "application heap growth per 30 s" : "application heap growth between the snapshots");
	}
	profile_file(b, r, p, FW_PK_HEAP1);
	profile_file(b, r, p, FW_PK_HEAP2);
}

static void leak(struct builder *b, const struct fw_process *p, const struct fw_process_verdict *v,
		 const struct fw_memsanity *ms)
{
	struct fw_recommendation *r;
	struct fw_buf t;
	char a[64], c[64];

	if (!v->leak || !(r = add(b, FW_REC_HIGH, "memory_leak", p->name)))
		return;
	fw_buf_init(&t);
	fw_buf_printf(&t, "%s: the in-use heap of application functions grew by %s", p->name,
		      fw_figure_bytes_label(a, sizeof(a), (double)p->growth_app));
	if (v->growth_is_rate)
		fw_buf_printf(&t, " in the %s between the heap snapshots (%s per 30 s)",
			      fw_figure_nanos_label(c, sizeof(c), p->heap_window_ns), fw_figure_bytes_label(a, sizeof(a), p->growth_app_30s));
	else
		fw_buf_printf(&t, " between the heap snapshots (no rate: %s)", fw_heap_window_why(p->heap_window));
	if (v->leak_fn && p->top_growth_app.name && p->top_growth_app.value > 0) {
		fw_buf_printf(&t, "; the largest part, %s, is in ", fw_figure_bytes_label(c, sizeof(c), (double)p->top_growth_app.value));
		function_name(&t, v->leak_fn);
		fw_buf_putc(&t, '.');
		advice(&t, v->leak_fn);
		set_function(b, r, v->leak_fn);
		set_value(r, p->top_growth_app.value, "bytes", "flat in-use growth between the heap snapshots");
	} else {
		fw_buf_putc(&t, '.');
	}
	if (ms && ms->steadiness == FW_STEADY_NOT && ms->has_projection && ms->heap_alloc.has)
		fw_buf_printf(&t, " At this rate the heap would have grown by %s since the agent started, while HeapAlloc "
				  "is %s: the growth is recent or bursty, not steady.",
			      fw_figure_bytes_label(a, sizeof(a), ms->projected_growth), fw_figure_bytes_label(c, sizeof(c), (double)ms->heap_alloc.v));
	fw_buf_puts(&t, " Collect a second flare a few hours later to see whether the growth continues, and note the "
			"agent's memory (RSS) over time.");
	set_text(b, r, &t);
	set_command(b, r, "datadog-agent flare --profile 30");
	profile_file(b, r, p, FW_PK_HEAP1);
	profile_file(b, r, p, FW_PK_HEAP2);
}

/* The CPU spike: the application function or Python check the verdict
 * named, with the CPU time attributed to it (its nearest application
 * frame's samples, attribute.h), so a check's runtime.cgocall is its own. */
static void cpu(struct builder *b, const struct fw_process *p, const struct fw_process_verdict *v)
{
	const struct fw_fn_value *fv = NULL;
	struct fw_recommendation *r;
	struct fw_buf t;
	char a[64], c[64];

	if (!v->cpu || !(r = add(b, FW_REC_HIGH, "cpu_spike", p->name)))
		return;
	if (v->cpu_fn)
		fv = v->cpu_fn == p->top_cpu_attr.name ? &p->top_cpu_attr : &p->top_cpu_any;
	fw_buf_init(&t);
	fw_buf_printf(&t, "%s: CPU spike", p->name);
	if (fv && fv->name && p->cpu_total_ns > 0) {
		fw_buf_puts(&t, "; ");
		if (v->cpu_python)
			fw_buf_printf(&t, "Python check %s%s(", v->cpu_check ? v->cpu_check : "", v->cpu_check ? " " : "");
		function_name(&t, fv->name);
		if (v->cpu_python)
			fw_buf_putc(&t, ')');
		fw_buf_printf(&t, " uses %s of the %s of CPU time sampled (%.1f%%).", fw_figure_nanos_label(a, sizeof(a), fv->value),
			      fw_figure_nanos_label(c, sizeof(c), p->cpu_total_ns), 100.0 * (double)fv->value / (double)p->cpu_total_ns);
		if (v->cpu_python)
			fw_buf_puts(&t, " The time is spent in the embedded Python interpreter (runtime.cgocall): review "
					"the check's instances and collection interval.");
		else
			advice(&t, fv->name);
		set_function(b, r, fv->name);
		set_value(r, fv->value, "nanoseconds",
			  fv == &p->top_cpu_attr ? "CPU time charged to it (nearest application frame)" : "flat CPU time");
	} else {
		fw_buf_putc(&t, '.');
	}
	if (v->cpu_python && v->cpu_check) {
		char cmd[320];
		snprintf(cmd, sizeof(cmd), "datadog-agent check %.256s -t 5", v->cpu_check);
		fw_buf_puts(&t, " Time the check alone.");
		set_command(b, r, cmd);
	} else {
		fw_buf_puts(&t, " Collect a longer CPU profile while the load is high.");
		set_command(b, r, "datadog-agent flare --profile 60");
	}
	set_text(b, r, &t);
	profile_file(b, r, p, FW_PK_CPU);
}

static void contention(struct builder *b, const struct fw_process *p, const struct fw_process_verdict *v)
{
	struct fw_recommendation *r;
	struct fw_buf t;
	bool mutex;
	const struct fw_fn_value *fv;
	const char *callee;
	char a[64];

	if (!v->contention || !v->contention_fn || !(r = add(b, FW_REC_HIGH, "contention", p->name)))
		return;
	mutex = v->contention_fn == p->top_mutex_app.name;
	fv = mutex ? &p->top_mutex_app : &p->top_block_app;
	callee = mutex ? p->top_mutex_callee : p->top_block_callee;
	fw_buf_init(&t);
	fw_buf_printf(&t, "%s: ", p->name);
	if (mutex) { /* the mutex profile charges the delay where the lock is released */
		fw_buf_printf(&t, "lock contention; the mutex profile charges %s of delay to ", fw_figure_nanos_label(a, sizeof(a), fv->value));
		function_name(&t, fv->name);
		fw_buf_puts(&t, ", which holds the lock others wait on");
		if (callee && *callee)
			fw_buf_printf(&t, " (released in %s)", fw_function_short_name(callee));
	} else {
		function_name(&t, fv->name);
		fw_buf_printf(&t, " waited %s in the block profile", fw_figure_nanos_label(a, sizeof(a), fv->value));
		if (callee && *callee)
			fw_buf_printf(&t, ", in %s", fw_function_short_name(callee));
		if (p->have_mutex && p->top_mutex_app.name && p->top_mutex_app.value > 0) {
			fw_buf_printf(&t, "; the mutex profile charges %s to ", fw_figure_nanos_label(a, sizeof(a), p->top_mutex_app.value));
			function_name(&t, p->top_mutex_app.name);
			fw_buf_puts(&t, ", where a contended lock is released");
		}
	}
	fw_buf_putc(&t, '.');
	advice(&t, fv->name);
	fw_buf_puts(&t, " A flare made during the slowdown with block and mutex profiling on shows who holds the "
			"lock.");
	set_text(b, r, &t);
	set_command(b, r, "datadog-agent flare --profile 30 --profile-blocking --profile-mutex");
	set_function(b, r, fv->name);
	set_value(r, fv->value, "nanoseconds",
		  mutex ? "mutex delay charged to it as the nearest application frame"
			: "block delay charged to it as the nearest application frame");
	profile_file(b, r, p, mutex ? FW_PK_MUTEX : FW_PK_BLOCK);
}

/* The first Error: line of check c, or NULL. */
static const char *check_error(const struct fw_status *s, const struct fw_status_check *c,
			       enum fw_check_msg_kind kind)
{
	for (size_t k = c->msg_first; k < c->msg_first + c->msg_count && k < s->n_msgs; k++)
		if (s->msgs[k].kind == kind)
			return s->msgs[k].text;
	return NULL;
}

static void checks(struct builder *b, const struct fw_flare *f, bool errors)
{
	if (!f->has_status)
		return;
	for (size_t i = 0; i < f->status.n_checks; i++) {
		const struct fw_status_check *c = &f->status.checks[i];
		size_t n = errors ? c->n_error : c->n_warning;
		const char *msg = check_error(&f->status, c, errors ? FW_CHECK_MSG_ERROR : FW_CHECK_MSG_WARNING);
		struct fw_recommendation *r;
		struct fw_buf t, cmd;

		if (!n || !(r = add(b, errors ? FW_REC_MEDIUM : FW_REC_LOW, errors ? "check_error" : "check_warning",
				    NULL)))
			continue;
		fw_buf_init(&t);
		fw_buf_printf(&t, "Check %s has %zu of %zu instance%s %s", c->name, n, c->n_instances,
			      c->n_instances == 1 ? "" : "s", errors ? "in error" : "with warnings");
		if (msg)
			fw_buf_printf(&t, ": %s", msg);
		if (errors && (c->has_avg_exec || c->never_succeeded)) {
			char a[64];
			fw_buf_puts(&t, " (");
			if (c->has_avg_exec)
				fw_buf_printf(&t, "average execution time %s", fw_figure_nanos_label(a, sizeof(a), c->avg_exec_ns));
			if (c->never_succeeded)
				fw_buf_printf(&t, "%snever succeeded", c->has_avg_exec ? ", " : "");
			fw_buf_putc(&t, ')');
		}
		fw_buf_puts(&t, errors ? ". Fix its configuration or what it connects to, then run it alone."
				       : ". Review the warning; the check still runs.");
		set_text(b, r, &t);
		fw_buf_init(&cmd);
		fw_buf_printf(&cmd, "datadog-agent check %s", c->name);
		if (cmd.failed || !(r->command = strdup(fw_buf_str(&cmd))))
			b->failed = true;
		fw_buf_free(&cmd);
		set_value(r, (int64_t)n, "count", errors ? "instances in error" : "instances with warnings");
		add_file(b, r, "status.log");
	}
}

static void goroutines(struct builder *b, const struct fw_flare *f, const struct fw_verdict *v)
{
	struct fw_recommendation *r;
	struct fw_buf t;

	if (!v->goroutines_above_warn || !(r = add(b, FW_REC_MEDIUM, "goroutines", NULL)))
		return;
	fw_buf_init(&t);
	fw_buf_printf(&t, "%" PRIu64 " goroutines, above the warning level of %u", v->goroutines, v->goroutines_warn);
	if (f->has_goroutines && f->gor.n_top) {
		fw_buf_printf(&t, "; most are parked in %s (%s%" PRIu64 ")",
			      fw_function_short_name(f->gor.top[0].name), f->gor.top_exact ? "" : "at most ",
			      f->gor.top[0].count);
		set_function(b, r, f->gor.top[0].name);
	}
	fw_buf_puts(&t, ". Compare with a second goroutine dump to see whether the count keeps rising.");
	set_text(b, r, &t);
	set_value(r, (int64_t)v->goroutines, "count", "goroutines");
	add_file(b, r, "go-routine-dump.log");
}

/* Block or mutex files unusable in a process whose memory and CPU were
 * analyzed (otherwise not_analyzed() named them already). */
static void contention_unusable(struct builder *b, const struct fw_process *p, const struct fw_process_verdict *v)
{
	static const enum fw_profile_kind cont[] = { FW_PK_BLOCK, FW_PK_MUTEX };
	struct fw_recommendation *r;
	struct fw_buf t;

	if (!v->coverage.a[FW_AN_HEAP_DIFF].ran || !v->coverage.a[FW_AN_CPU].ran)
		return;
	if (!file_state(p->files[FW_PK_BLOCK].state) && !file_state(p->files[FW_PK_MUTEX].state))
		return;
	if (!(r = add(b, FW_REC_LOW, "contention_profiles_unusable", p->name)))
		return;
	fw_buf_init(&t);
	fw_buf_printf(&t, "%s: ", p->name);
	bad_files(b, r, &t, p, cont, 2);
	fw_buf_puts(&t, ", so lock contention was not measured in this process.");
	set_text(b, r, &t);
}

/* An agent version change shortly before the flare: worth asking whether
 * the problem started then. Medium beside a finding or INCONCLUSIVE. */
static void upgrade(struct builder *b, const struct fw_verdict *v, const struct fw_vhist_change *u)
{
	struct fw_recommendation *r;
	struct fw_buf t;

	if (!u || !(r = add(b, v->kind == FW_VERDICT_NORMAL ? FW_REC_LOW : FW_REC_MEDIUM, "upgrade", NULL)))
		return;
	fw_buf_init(&t);
	fw_buf_printf(&t, "The Agent was %s from %s to %s shortly before this flare (version-history.json): ask "
			  "whether the problem started then, and compare with that release's notes and the previous "
			  "version's behaviour.",
		      u->downgrade ? "downgraded" : "upgraded", u->from, u->to);
	set_text(b, r, &t);
	add_file(b, r, "version-history.json");
}

/* Python checks run inside the agent: their memory is outside the Go heap,
 * so where memstats and the profiles disagree they are a suspect. */
static void python_memory(struct builder *b, const struct fw_memsanity *ms)
{
	struct fw_recommendation *r;
	struct fw_buf t;
	char cmd[320];

	if (!ms || !ms->n_python || !(ms->heap_mismatch || ms->sys_mismatch) ||
	    !(r = add(b, FW_REC_LOW, "python_memory", ms->process)))
		return;
	fw_buf_init(&t);
	fw_buf_printf(&t, "%zu Python check%s run%s in the agent (", ms->n_python, ms->n_python == 1 ? "" : "s",
		      ms->n_python == 1 ? "s" : "");
	for (size_t i = 0; i < ms->n_python && i < FW_MEMSANITY_MAX_PYTHON; i++)
		fw_buf_printf(&t, "%s%s", i ? ", " : "", ms->python[i]);
	fw_buf_puts(&t, "): their memory is outside the Go heap and invisible to the profiles, which disagree with "
			"memstats here. Compare the process's RSS with Sys and measure each check's memory.");
	set_text(b, r, &t);
	snprintf(cmd, sizeof(cmd), "datadog-agent check %.256s -m", ms->python[0]);
	set_command(b, r, cmd);
	add_file(b, r, "status.log");
	add_file(b, r, "expvar/memstats");
}

/* Empty block or mutex profiles (no samples): one line for the flare. */
static void profiling_off(struct builder *b, const struct fw_process *procs, size_t n)
{
	struct fw_recommendation *r = NULL;
	struct fw_buf t;

	for (size_t i = 0; i < n; i++) {
		const struct fw_process *p = &procs[i];
		bool blk = p->block.present && !p->block.error && p->block.total == 0;
		bool mtx = p->mutex.present && !p->mutex.error && p->mutex.total == 0;
		if (!blk && !mtx)
			continue;
		if (!r && !(r = add(b, FW_REC_LOW, "contention_profiling_off", NULL)))
			return;
		if (blk)
			profile_file(b, r, p, FW_PK_BLOCK);
		if (mtx)
			profile_file(b, r, p, FW_PK_MUTEX);
	}
	if (!r || b->failed)
		return;
	fw_buf_init(&t);
	for (size_t i = 0; i < r->ev.n_files; i++) /* "a, b and c" without "profiles/" */
		fw_buf_printf(&t, "%s%s", i == 0 ? "" : i + 1 == r->ev.n_files ? " and " : ", ",
			      r->ev.files[i] + strlen("profiles/"));
	fw_buf_printf(&t, " hold%s no samples: the agent records block and mutex profiles only when the flare is "
			  "made with block and mutex profiling on, so waits on locks were not measured there. If "
			  "contention is suspected, collect a flare with them on.",
		      r->ev.n_files > 1 ? "" : "s");
	set_text(b, r, &t);
	set_command(b, r, "datadog-agent flare --profile 30 --profile-blocking --profile-mutex");
}

/* Drops an item whose text an earlier item has (two check titles with the
 * same name and message, say): the list never says one thing twice. */
static void dedupe(struct fw_recommendations *out)
{
	size_t k = 0;

	for (size_t i = 0; i < out->n; i++) {
		bool dup = false;
		for (size_t j = 0; j < k && !dup; j++)
			dup = strcmp(out->items[j].text, out->items[i].text) == 0;
		if (dup)
			item_free(&out->items[i]);
		else
			out->items[k++] = out->items[i];
	}
	out->n = k;
}

static void no_action(struct builder *b)
{
	struct fw_recommendation *r;
	struct fw_buf t;

	for (size_t i = 0; i < b->out->n; i++)
		if (b->out->items[i].priority != FW_REC_LOW)
			return;
	if (b->failed || !(r = add(b, FW_REC_LOW, "no_action", NULL)))
		return;
	fw_buf_init(&t);
	fw_buf_puts(&t, "Nothing in this flare calls for action: no rule fired, memory and CPU were analyzed for "
			"every process, no check is in error and the goroutine count is under the warning level. If the "
			"customer still sees a problem, ask when it happens and collect a flare with profiling at that "
			"time.");
	set_text(b, r, &t);
	set_command(b, r, "datadog-agent flare --profile 30");
}

/* procs[i]'s memory sanity, or NULL */
static const struct fw_memsanity *sanity_of(const struct fw_rec_context *ctx, size_t i)
{
	return ctx && ctx->sanity && i < ctx->n_sanity ? &ctx->sanity[i] : NULL;
}

int fw_recommend(const struct fw_flare *f, const struct fw_process *procs, size_t n, const struct fw_verdict *v,
		 const struct fw_rec_context *ctx, struct fw_recommendations *out, struct fw_error *err)
{
	struct builder b = { out, 0, false };

	memset(out, 0, sizeof(*out));
	if (n > v->n_procs)
		n = v->n_procs;
	/* High */
	no_profiles(&b, f, n);
	for (size_t i = 0; i < n; i++)
		not_analyzed(&b, &procs[i], &v->procs[i], FW_REC_HIGH);
	for (size_t i = 0; i < n; i++) {
		leak(&b, &procs[i], &v->procs[i], sanity_of(ctx, i));
		cpu(&b, &procs[i], &v->procs[i]);
		contention(&b, &procs[i], &v->procs[i]);
	}
	/* Medium */
	for (size_t i = 0; i < n; i++)
		not_analyzed(&b, &procs[i], &v->procs[i], FW_REC_MEDIUM);
	for (size_t i = 0; i < n; i++)
		borderline(&b, &procs[i], &v->procs[i]);
	checks(&b, f, true);
	goroutines(&b, f, v);
	if (v->kind != FW_VERDICT_NORMAL)
		upgrade(&b, v, ctx ? ctx->upgrade : NULL);
	/* Low */
	checks(&b, f, false);
	for (size_t i = 0; i < n; i++)
		contention_unusable(&b, &procs[i], &v->procs[i]);
	profiling_off(&b, procs, n);
	if (v->kind == FW_VERDICT_NORMAL)
		upgrade(&b, v, ctx ? ctx->upgrade : NULL);
	for (size_t i = 0; ctx && i < ctx->n_sanity; i++)
		python_memory(&b, &ctx->sanity[i]);
	no_action(&b);
	if (!b.failed)
		dedupe(out);
	if (b.failed) {
		fw_recommendations_free(out);
		return fw_err(err, -ENOMEM, "out of memory building the recommendations");
	}
	return 0;
}

void fw_recommendations_free(struct fw_recommendations *r)
{
	for (size_t i = 0; r->items && i < r->n; i++)
		item_free(&r->items[i]);
	free(r->items);
	memset(r, 0, sizeof(*r));
}
