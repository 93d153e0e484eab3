/*
 * process.c: the runbook's per-process analyses (see process.h). It
 * measures; it must not judge (no threshold: verdict.c) nor format report
 * text (the writers).
 *
 * Every table is computed exactly as `go tool pprof -top` would (the text is
 * kept verbatim for the escalation summary); the verdict inputs come from
 * the untrimmed graph, so no function is missed because pprof's node
 * fraction hid it.
 */
#include "investigate/process.h"
#include "investigate/attribute.h"
#include "investigate/components.h"
#include "pprof/dot.h"
#include "pprof/flamegraph.h"
#include "pprof/svg.h"
#include "base/keymap.h"
#include "pprof/merge.h"
#include "pprof/report.h"
#include "pprof/top.h"
#include "pprof/units.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>


bool fw_is_runtime_function(const char *name)
{
	static const char *const prefixes[] = { "runtime.", "runtime/", "internal/", "sync.",
						"syscall.", "gcBgMarkWorker" };
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

/* Flame graph colours: the runtime grey, agent components by components.h. */
static struct fw_flame_class flame_class(const char *func, void *ctx)
{
	const struct fw_component *c = fw_is_runtime_function(func) ? NULL : fw_component_of(func);

	(void)ctx;
	return (struct fw_flame_class){ c ? c->name : NULL, fw_is_runtime_function(func) };
}

static int nomem(struct fw_error *err)
{
	return fw_err(err, -ENOMEM, "out of memory analyzing profiles");
}

static int set_str(char **dst, const char *src)
{
	free(*dst);
	*dst = strdup(src ? src : "");
	return *dst ? 0 : -ENOMEM;
}

const char *fw_heap_window_id(enum fw_heap_window w)
{
	switch (w) {
	case FW_WINDOW_MEASURED: return "measured";
	case FW_WINDOW_ABSENT: return "absent";
	case FW_WINDOW_REVERSED: return "reversed";
	case FW_WINDOW_TOO_SHORT: return "too_short";
	case FW_WINDOW_TOO_LONG: return "too_long";
	}
	return "unknown";
}

const char *fw_heap_window_why(enum fw_heap_window w)
{
	switch (w) {
	case FW_WINDOW_MEASURED: return "";
	case FW_WINDOW_ABSENT: return "the snapshots carry no time";
	case FW_WINDOW_REVERSED: return "the 1st snapshot is newer than the 2nd, so the diff goes from the "
					"older (2nd) to the newer (1st) snapshot";
	case FW_WINDOW_TOO_SHORT: return "the snapshots are less than 1 s apart";
	case FW_WINDOW_TOO_LONG: return "the snapshots are more than 1 day apart";
	}
	return "";
}

/* The window between the two heap snapshots, from their time_nanos. */
static enum fw_heap_window heap_window(int64_t t1, int64_t t2, int64_t *window_ns)
{
	int64_t d;

	*window_ns = 0;
	if (t1 <= 0 || t2 <= 0)
		return FW_WINDOW_ABSENT;
	d = t2 - t1; /* both positive: no overflow */
	*window_ns = d < 0 ? -d : d;
	if (d < 0)
		return FW_WINDOW_REVERSED;
	if (d < FW_WINDOW_MIN_NS)
		return FW_WINDOW_TOO_SHORT;
	if (d > FW_WINDOW_MAX_NS)
		return FW_WINDOW_TOO_LONG;
	return FW_WINDOW_MEASURED;
}

/* Adds a note to the process; fails only for out-of-memory. */
static int add_note(struct fw_process *pr, struct fw_error *err, const char *f, ...)
	__attribute__((format(printf, 3, 4)));
static int add_note(struct fw_process *pr, struct fw_error *err, const char *f, ...)
{
	struct fw_buf b;
	va_list ap;

	if (pr->n_notes >= FW_PROCESS_NOTES)
		return 0; /* at most one per profile and rule: cannot happen */
	fw_buf_init(&b);
	va_start(ap, f);
	fw_buf_vprintf(&b, f, ap);
	va_end(ap);
	if (b.failed || !b.data) {
		fw_buf_free(&b);
		return nomem(err);
	}
	pr->notes[pr->n_notes++] = b.data;
	return 0;
}

/* Nanoseconds in one `unit` for the time units the rules read; 0 for any
 * other unit (count, bytes, ...). */
static int64_t ns_per_unit(const char *unit)
{
	static const struct {
		const char *name;
		int64_t ns;
	} units[] = {
		{ "nanoseconds", 1 },	    { "nanosecond", 1 },	 { "ns", 1 },
		{ "microseconds", 1000 },   { "microsecond", 1000 },	 { "us", 1000 },
		{ "\xce\xbcs", 1000 },	    { "milliseconds", 1000000 }, { "millisecond", 1000000 },
		{ "ms", 1000000 },	    { "seconds", 1000000000 },	 { "second", 1000000000 },
		{ "s", 1000000000 },
	};
	for (size_t i = 0; unit && i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(unit, units[i].name) == 0)
			return units[i].ns;
	return 0;
}

/* v * per, saturated at the int64 limits (*ovf set then). */
static int64_t to_ns(int64_t v, int64_t per, bool *ovf)
{
	int64_t r;
	if (__builtin_mul_overflow(v, per, &r)) {
		*ovf = true;
		return v < 0 ? INT64_MIN : INT64_MAX;
	}
	return r;
}

/* Loads one profile file, recording its state. Returns 0 with *out NULL
 * when the file is missing, empty or corrupt; <0 only for out-of-memory. */
static int load(const char *dir, const char *proc, enum fw_profile_kind k, const struct fw_decode_limits *lim,
		struct fw_process *pr, struct fw_profile **out)
{
	struct fw_error e = { "" };
	struct stat st;
	char path[4096];
	int r;

	*out = NULL;
	pr->files[k].kind = fw_profile_kind_name(k);
	if (snprintf(path, sizeof(path), "%s/%s-%s.pprof", dir, proc, fw_profile_kind_name(k)) >= (int)sizeof(path)) {
		pr->files[k].state = FW_PFILE_CORRUPT;
		return set_str(&pr->files[k].error, "path too long");
	}
	if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
		pr->files[k].state = FW_PFILE_MISSING;
		return 0;
	}
	pr->files[k].size = (uint64_t)st.st_size;
	if (st.st_size == 0) {
		pr->files[k].state = FW_PFILE_EMPTY;
		return 0;
	}
	r = fw_profile_read(path, lim, out, &e);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		/* The decoder names the full path; the report wants the file. */
		const char *msg = e.msg, *base = strrchr(path, '/');
		size_t pl = strlen(path);
		if (strncmp(msg, path, pl) == 0 && msg[pl] == ':') {
			char buf[sizeof(e.msg) + sizeof(path)];
			snprintf(buf, sizeof(buf), "%s%s", base ? base + 1 : path, msg + pl);
			pr->files[k].state = FW_PFILE_CORRUPT;
			return set_str(&pr->files[k].error, buf);
		}
		pr->files[k].state = FW_PFILE_CORRUPT;
		return set_str(&pr->files[k].error, msg);
	}
	pr->files[k].state = FW_PFILE_OK;
	return 0;
}

/* Per-function facts gathered from the untrimmed graph of a report. */
struct graph_facts {
	int64_t pos_all, pos_app, flat_app;
	struct fw_fn_value max_flat_app, max_flat_any;
	/* the sum of |value| over the samples does not fit in an int64, so
	 * some total or flat above wrapped around (as pprof's do) */
	bool overflow;
};

static int graph_facts(struct fw_report *r, struct graph_facts *f, struct fw_error *err)
{
	struct fw_graph g;
	int rc;

	memset(f, 0, sizeof(*f));
	{
		const struct fw_profile *p = r->p;
		int64_t abs_sum = 0;
		for (size_t s = 0; s < p->n_samples && !f->overflow; s++) {
			int64_t v = fw_sample_values(p, s)[r->vi];
			if (v == INT64_MIN || __builtin_add_overflow(abs_sum, v < 0 ? -v : v, &abs_sum))
				f->overflow = true;
		}
	}
	if ((rc = fw_graph_build(&r->tab, r->vi, NULL, &g, err)) < 0)
		return rc;
	for (size_t i = 0; i < g.n_nodes; i++) {
		uint32_t n = g.nodes[i];
		const char *name = fw_node_name(&r->tab, n);
		int64_t flat = g.flat[n];
		bool app = !fw_is_runtime_function(name);

		if (flat > 0) {
			f->pos_all = fw_add64(f->pos_all, flat);
			if (app)
				f->pos_app = fw_add64(f->pos_app, flat);
		}
		if (app)
			f->flat_app = fw_add64(f->flat_app, flat);
		if (app && (!f->max_flat_app.name || flat > f->max_flat_app.value ||
			    (flat == f->max_flat_app.value && strcmp(name, f->max_flat_app.name) < 0))) {
			f->max_flat_app.name = (char *)name;
			f->max_flat_app.value = flat;
		}
		if (!f->max_flat_any.name || flat > f->max_flat_any.value ||
		    (flat == f->max_flat_any.value && strcmp(name, f->max_flat_any.name) < 0)) {
			f->max_flat_any.name = (char *)name;
			f->max_flat_any.value = flat;
		}
	}
	/* Names point into the report; copy them before it goes away. */
	if (f->max_flat_app.name && !(f->max_flat_app.name = strdup(f->max_flat_app.name)))
		rc = nomem(err);
	if (f->max_flat_any.name && !(f->max_flat_any.name = strdup(f->max_flat_any.name)))
		rc = nomem(err);
	fw_graph_free(&g);
	return rc;
}

/* Fills an attributed table (attribute.h) from the report. *ovf is set
 * when the values overflow a 64-bit sum. */
static int attr_table(const struct fw_report *r, struct fw_attr_table *t, bool *ovf, struct fw_error *err)
{
	struct fw_attribution a;
	struct fw_attr_fn *rows = NULL;
	size_t n = 0;
	int rc;

	if ((rc = fw_attribute(r, &a, err)) < 0)
		return rc;
	if ((rc = fw_attribution_by_function(&a, &rows, &n, err)) < 0) {
		fw_attribution_free(&a);
		return rc;
	}
	t->present = true;
	*ovf = *ovf || a.overflow;
	t->unattributed = a.unattributed;
	t->total = a.unattributed > 0 ? a.unattributed : 0;
	for (size_t i = 0; i < n; i++) {
		if (rows[i].value > 0)
			t->total = fw_add64(t->total, rows[i].value);
		if (rows[i].python)
			t->python = fw_add64(t->python, rows[i].value);
	}
	/* rows sort by value, largest first: the table lists the positive
	 * ones (what the functions hold, use or grew), at most FW_TOP_ROWS */
	for (size_t i = 0; i < n && i < FW_TOP_ROWS && rows[i].value > 0 && rc == 0; i++) {
		struct fw_attr_row *row = &t->rows[i];
		char check[256];
		t->n_rows = i + 1; /* freed with the table even when half filled */
		row->python = rows[i].python;
		row->value = rows[i].value;
		row->name = strdup(rows[i].fn);
		row->via = strdup(rows[i].via ? rows[i].via : "");
		if (rows[i].check) {
			fw_check_name(rows[i].check, check, sizeof(check));
			if (!(row->check = strdup(check)))
				rc = nomem(err);
		}
		if (!row->name || !row->via)
			rc = nomem(err);
	}
	free(rows);
	fw_attribution_free(&a);
	return rc;
}

/* What a table's report is also asked for, before it goes away. */
struct extras {
	struct graph_facts *facts;	 /* facts of the untrimmed graph */
	struct fw_attr_table *attr;	 /* the attributed table */
	bool *attr_ovf;			 /* its values overflowed */
	struct fw_contention *wait;	 /* the delay by kind of wait */
	bool mutex;			 /* ... of a mutex profile */
	bool callgraph;			 /* draw the call graph too */
};

static void table_free(struct fw_top_table *t);
/* What drawing t's call graph ended with (rc from fw_svg_start or
 * fw_svg_finish, svg the drawing): t->callgraph, or why not in
 * t->callgraph_error (a note, not a failure). Takes svg. */
static int call_graph_done(struct fw_top_table *t, int rc, struct fw_buf *svg, struct fw_error *err)
{
	if (rc == 0 && !svg->failed) {
		t->callgraph = svg->data ? svg->data : strdup("");
		return t->callgraph ? 0 : nomem(err);
	}
	fw_buf_free(svg);
	if (rc == -ENOMEM || rc == 0)
		return nomem(err);
	return set_str(&t->callgraph_error, rc == -ENOENT ? "graphviz (dot) is not installed" : err->msg) < 0
		       ? nomem(err)
		       : 0;
}

/* Starts drawing the call graph of r as go tool pprof -svg draws it (DOT
 * strings escaped: fw_dot_opts.strict): t->drawing, which
 * fw_process_callgraphs collects. */
static int call_graph(struct fw_report *r, struct fw_top_table *t, struct fw_error *err)
{
	struct fw_dot_opts d = { .strict = true };
	struct fw_buf b, none;
	int rc;

	r->o.nodecount = 80; /* pprof's default for its graphs */
	fw_buf_init(&b);
	fw_buf_init(&none);
	rc = fw_dot_write(r, &d, &b, err);
	if (rc == 0 && b.failed)
		rc = -ENOMEM;
	if (rc == 0 && !(t->drawing = malloc(sizeof(*t->drawing))))
		rc = -ENOMEM;
	if (rc == 0 && (rc = fw_svg_start(t->drawing, b.data ? b.data : "", b.len, 30, err)) < 0) {
		free(t->drawing);
		t->drawing = NULL;
	}
	fw_buf_free(&b);
	return rc == 0 ? 0 : call_graph_done(t, rc, &none, err);
}

/* Waits for t's call graph being drawn, if any. */
static int call_graph_finish(struct fw_top_table *t, struct fw_error *err)
{
	struct fw_buf svg;
	int rc;

	if (!t->drawing)
		return 0;
	fw_buf_init(&svg);
	rc = fw_svg_finish(t->drawing, &svg, err);
	free(t->drawing);
	t->drawing = NULL;
	return call_graph_done(t, rc, &svg, err);
}

int fw_process_callgraphs(struct fw_process *p, struct fw_error *err)
{
	int rc = call_graph_finish(&p->heap_diff_space, err);

	return rc < 0 ? rc : call_graph_finish(&p->cpu, err);
}

/* Fills table t from profile p with the given sample index, and optionally
 * the facts the verdict needs. Always takes p over (fw_report_init frees it,
 * also on failure): the caller passes take(&its_pointer). */
static int top_table(struct fw_profile *p, const char *sample_index, struct fw_top_table *t,
		     const struct fw_flamegraph_opts *fg, const struct extras *x, struct fw_error *err)
{
	struct fw_report_opts o;
	struct fw_report r;
	struct fw_graph g;
	struct fw_buf text;
	size_t orig, dropped;
	int rc;

	fw_report_opts_default(&o);
	o.sample_index = sample_index;
	t->present = true;
	t->time_nanos = p->time_nanos;
	t->duration_nanos = p->duration_nanos;
	if ((rc = fw_report_init(&r, p, &o, err)) < 0) {
		if (rc == -ENOMEM)
			return rc;
		return set_str(&t->error, err->msg) < 0 ? nomem(err) : 0;
	}
	if (set_str(&t->sample_type, r.sample_type) < 0 || set_str(&t->sample_unit, r.sample_unit) < 0) {
		rc = nomem(err);
		goto out;
	}
	t->total = r.total;
	t->base_total = r.base_total;
	for (size_t s = 0; s < r.p->n_samples; s++)
		t->net_total = fw_add64(t->net_total, fw_sample_values(r.p, s)[r.vi]);
	fw_buf_init(&text);
	if ((rc = fw_top_write(&r, &text, err)) < 0 || text.failed) {
		fw_buf_free(&text);
		rc = rc < 0 ? rc : nomem(err);
		goto out;
	}
	t->text = text.data ? text.data : strdup("");
	if (!t->text) {
		rc = nomem(err);
		goto out;
	}
	/* The table's rows: pprof -top -nodecount=10. */
	r.o.nodecount = FW_TOP_ROWS;
	if ((rc = fw_report_graph(&r, &g, &orig, &dropped, err)) < 0)
		goto out;
	for (size_t i = 0; i < g.n_nodes && i < FW_TOP_ROWS; i++) {
		uint32_t n = g.nodes[i];
		t->rows[i].name = strdup(fw_node_name(&r.tab, n));
		t->rows[i].flat = g.flat[n];
		t->rows[i].cum = g.cum[n];
		if (!t->rows[i].name) {
			fw_graph_free(&g);
			rc = nomem(err);
			goto out;
		}
		t->n_rows++;
	}
	fw_graph_free(&g);
	if (fg) {
		struct fw_buf svg;
		fw_buf_init(&svg);
		rc = fw_flamegraph_write(&r, fg, &svg, err);
		if (rc == -ENOMEM || svg.failed) {
			fw_buf_free(&svg);
			rc = nomem(err);
			goto out;
		}
		if (rc < 0) {
			/* a graph that cannot be drawn is a note, not a failure */
			fw_buf_free(&svg);
			if (set_str(&t->svg_error, err->msg) < 0) {
				rc = nomem(err);
				goto out;
			}
		} else {
			t->svg = svg.data;
		}
	}
	if (x && x->facts && (rc = graph_facts(&r, x->facts, err)) < 0)
		goto out;
	if (x && x->attr && (rc = attr_table(&r, x->attr, x->attr_ovf, err)) < 0)
		goto out;
	if (x && x->wait && (rc = fw_contention_analyze(&r, x->mutex, x->wait, err)) < 0)
		goto out;
	if (x && x->callgraph && (rc = call_graph(&r, t, err)) < 0)
		goto out;
	rc = 0;
out:
	fw_report_free(&r);
	return rc;
}

/* The diff heap2 - heap1 (pprof -diff_base): a new profile; the inputs are
 * only read. 1 (with t's error set) when they cannot be combined. */
static int diff_profile(struct fw_profile *heap2, struct fw_profile *heap1, struct fw_profile **out,
			struct fw_top_table *t, struct fw_error *err)
{
	int rc = fw_profiles_combine(&heap2, 1, &heap1, 1, true, out, err);
	if (rc == -ENOMEM || rc == 0)
		return rc;
	t->present = true;
	return set_str(&t->error, err->msg) < 0 ? nomem(err) : 1;
}

/* Hands over the profile *pp to a consumer and forgets it here, so no path
 * can free it a second time. */
static struct fw_profile *take(struct fw_profile **pp)
{
	struct fw_profile *p = *pp;
	*pp = NULL;
	return p;
}

/* Moves a name out of the facts into the result (the facts forget it). */
static void take_name(struct fw_fn_value *dst, struct fw_fn_value *src)
{
	free(dst->name);
	*dst = *src;
	src->name = NULL;
}

static void facts_free(struct graph_facts *f)
{
	free(f->max_flat_app.name);
	free(f->max_flat_any.name);
	memset(f, 0, sizeof(*f));
}

/* growth * FW_RATE_WINDOW_NS / w, kept below 9.2e18 so that every writer may convert it
 * to an int64 (30 times INT64_MAX bytes over 1 s would not fit). */
static double rate30(int64_t growth, double w)
{
	double v = (double)growth * (double)FW_RATE_WINDOW_NS / w;
	return v > 9.2e18 ? 9.2e18 : v < -9.2e18 ? -9.2e18 : v;
}

/* Heap: the diff older -> newer snapshot (1st -> 2nd, unless their times
 * say the other way), by space and by objects; the profiles are only read. */
static int heap_diff(struct fw_process *pr, struct fw_profile *heap1, struct fw_profile *heap2,
		     struct fw_error *err)
{
	struct fw_profile *diff = NULL, *d = NULL, *older = heap1, *newer = heap2;
	struct graph_facts f = { 0 };
	char title[160];
	int rc;

	pr->heap_window = heap_window(heap1->time_nanos, heap2->time_nanos, &pr->heap_window_ns);
	if (pr->heap_window == FW_WINDOW_REVERSED) {
		older = heap2;
		newer = heap1;
	}
	snprintf(title, sizeof(title), "%.64s: in-use heap growth, %s snapshot", pr->name,
		 older == heap1 ? "1st to 2nd" : "2nd to 1st (by their times)");
	if ((rc = diff_profile(newer, older, &diff, &pr->heap_diff_space, err)) != 0)
		return rc < 0 ? rc : 0;
	/* two reports of one diff: the first works on a copy (fw_report_init
	 * consumes its profile), the second takes the diff itself */
	if (fw_profile_clone(diff, &d) < 0) {
		fw_profile_free(diff);
		return nomem(err);
	}
	{
		struct extras x = { .facts = &f, .attr = &pr->growth_attr, .attr_ovf = &f.overflow,
				    .callgraph = true };
		struct fw_flamegraph_opts fg = { .title = title, .growth = true };
		rc = top_table(take(&d), "inuse_space", &pr->heap_diff_space, &fg, &x, err);
	}
	if (rc == 0 && !pr->heap_diff_space.error && f.overflow) {
		rc = add_note(pr, err, "%s-1st-heap.pprof, %s-2nd-heap.pprof: the in-use space values overflow a "
			      "64-bit sum; the memory leak rules are skipped", pr->name, pr->name);
	} else if (rc == 0 && !pr->heap_diff_space.error) {
		/* a rate only over a plausible measured window; else the raw growth */
		double w = pr->heap_window == FW_WINDOW_MEASURED ? (double)pr->heap_window_ns : (double)FW_RATE_WINDOW_NS;
		pr->have_heap_diff = true;
		pr->growth_total = f.pos_all;
		pr->growth_app = f.pos_app;
		take_name(&pr->top_growth_app, &f.max_flat_app);
		pr->growth_total_30s = rate30(f.pos_all, w);
		pr->growth_app_30s = rate30(f.pos_app, w);
	}
	facts_free(&f);
	if (rc == 0 && pr->heap_diff_space.svg_error)
		rc = add_note(pr, err, "%s-1st-heap.pprof, %s-2nd-heap.pprof: no flame graph of the heap growth: %s",
			      pr->name, pr->name, pr->heap_diff_space.svg_error);
	if (rc < 0) {
		fw_profile_free(diff);
		return rc;
	}
	return top_table(take(&diff), "inuse_objects", &pr->heap_diff_objects, NULL, NULL, err);
}

/* The current heap (2nd snapshot, inuse_space): its table and what its
 * application code holds, attributed. Consumes p. */
static int heap_current(struct fw_process *pr, struct fw_profile *p, struct fw_error *err)
{
	bool ovf = false;
	struct extras x = { .attr = &pr->heap_attr, .attr_ovf = &ovf };
	int rc = top_table(p, "inuse_space", &pr->heap_top, NULL, &x, err);

	if (rc == 0 && ovf)
		rc = add_note(pr, err, "%s-2nd-heap.pprof: the in-use space values overflow a 64-bit sum; the "
			      "attributed heap table is left out", pr->name);
	if (rc == 0 && ovf)
		pr->heap_attr.present = false;
	return rc;
}

/* CPU: the table and the facts the CPU rules need, in nanoseconds.
 * Consumes p. */
static int cpu_facts(struct fw_process *pr, struct fw_profile *p, const char *title, struct fw_error *err)
{
	struct graph_facts f = { 0 };
	const char *file = fw_profile_kind_name(FW_PK_CPU);
	int64_t per;
	bool ovf = false;
	struct extras x = { .facts = &f, .attr = &pr->cpu_attr, .attr_ovf = &f.overflow, .callgraph = true };
	struct fw_flamegraph_opts fg = { .title = title, .classify = flame_class };
	int rc = top_table(p, NULL, &pr->cpu, &fg, &x, err);

	if (rc < 0 || pr->cpu.error)
		goto out;
	if (pr->cpu.svg_error && (rc = add_note(pr, err, "%s-%s.pprof: no flame graph: %s", pr->name, file,
						pr->cpu.svg_error)) < 0)
		goto out;
	per = ns_per_unit(pr->cpu.sample_unit);
	if (!per) {
		rc = add_note(pr, err, "%s-%s.pprof: the CPU samples are in \"%s\", not a unit of time; the CPU "
			      "rules are skipped", pr->name, file, pr->cpu.sample_unit);
		goto out;
	}
	pr->cpu_total_ns = to_ns(pr->cpu.total, per, &ovf);
	pr->cpu_app_ns = to_ns(f.flat_app, per, &ovf);
	take_name(&pr->top_cpu_app, &f.max_flat_app);
	take_name(&pr->top_cpu_any, &f.max_flat_any);
	pr->top_cpu_app.value = to_ns(pr->top_cpu_app.value, per, &ovf);
	pr->top_cpu_any.value = to_ns(pr->top_cpu_any.value, per, &ovf);
	if (pr->cpu_attr.n_rows) {
		const struct fw_attr_row *top = &pr->cpu_attr.rows[0];
		if (!(pr->top_cpu_attr.name = strdup(top->name))) {
			rc = nomem(err);
			goto out;
		}
		pr->top_cpu_attr.value = to_ns(top->value, per, &ovf);
		pr->top_cpu_attr_check = top->check;
		pr->top_cpu_attr_python = top->python;
	}
	pr->cpu_attr_app_ns = to_ns(pr->cpu_attr.total - (pr->cpu_attr.unattributed > 0 ? pr->cpu_attr.unattributed : 0),
				    per, &ovf);
	pr->cpu_python_ns = to_ns(pr->cpu_attr.python, per, &ovf);
	if (f.overflow || ovf) {
		rc = add_note(pr, err, "%s-%s.pprof: the CPU values overflow 64-bit nanoseconds; the CPU rules are "
			      "skipped", pr->name, file);
		goto out;
	}
	if (pr->cpu.duration_nanos > 0 &&
	    (double)pr->cpu_total_ns / (double)pr->cpu.duration_nanos > FW_CPU_MAX_CORES) {
		char a[64], b[64];
		fw_unit_label(a, sizeof(a), pr->cpu_total_ns, "nanoseconds", "auto");
		fw_unit_label(b, sizeof(b), pr->cpu.duration_nanos, "nanoseconds", "auto");
		rc = add_note(pr, err, "%s-%s.pprof: %s of CPU in %s is more than %d cores could use; the CPU rules "
			      "are skipped", pr->name, file, a, b, FW_CPU_MAX_CORES);
		goto out;
	}
	pr->cpu_duration_ns = pr->cpu.duration_nanos;
	pr->have_cpu = true;
out:
	facts_free(&f);
	if (!pr->have_cpu) {
		free(pr->top_cpu_app.name);
		free(pr->top_cpu_any.name);
		free(pr->top_cpu_attr.name);
		memset(&pr->top_cpu_app, 0, sizeof(pr->top_cpu_app));
		memset(&pr->top_cpu_any, 0, sizeof(pr->top_cpu_any));
		memset(&pr->top_cpu_attr, 0, sizeof(pr->top_cpu_attr));
		pr->top_cpu_attr_check = NULL;
		pr->top_cpu_attr_python = false;
		pr->cpu_total_ns = pr->cpu_app_ns = pr->cpu_attr_app_ns = pr->cpu_python_ns = 0;
	}
	return rc;
}

/* Block or mutex: the table, the delay by kind of wait and by function
 * (contention.h), and the largest delay the rule counts for one
 * application function, in nanoseconds. Consumes p. */
static int contention(struct fw_process *pr, struct fw_profile *p, enum fw_profile_kind k, struct fw_error *err)
{
	bool block = k == FW_PK_BLOCK;
	struct fw_top_table *t = block ? &pr->block : &pr->mutex;
	struct fw_contention *w = block ? &pr->block_wait : &pr->mutex_wait;
	struct fw_fn_value *best = block ? &pr->top_block_app : &pr->top_mutex_app;
	char **callee = block ? &pr->top_block_callee : &pr->top_mutex_callee;
	int64_t *total = block ? &pr->block_total_ns : &pr->mutex_total_ns;
	bool *have = block ? &pr->have_block : &pr->have_mutex;
	struct extras x = { .wait = w, .mutex = !block };
	bool ovf = false;
	int64_t per;
	char title[160];
	struct fw_flamegraph_opts fg = { .title = title, .classify = flame_class };
	int rc;

	/* the delay flame graph */
	snprintf(title, sizeof(title), "%.64s: %s", pr->name,
		 k == FW_PK_BLOCK ? "block delay (where goroutines waited)"
				  : "mutex delay (charged to the lock holder, where Unlock ran)");
	rc = top_table(p, NULL, t, &fg, &x, err);
	if (rc < 0 || t->error)
		return rc;
	if (t->svg_error && (rc = add_note(pr, err, "%s-%s.pprof: no flame graph: %s", pr->name,
					   fw_profile_kind_name(k), t->svg_error)) < 0)
		return rc;
	if (t->total == 0) { /* no delay (profiling off): no graph to draw */
		free(t->svg);
		t->svg = NULL;
	}
	per = ns_per_unit(t->sample_unit);
	if (!per)
		return add_note(pr, err, "%s-%s.pprof: the delay is in \"%s\", not a unit of time; the "
			       "contention rule skips this profile", pr->name, fw_profile_kind_name(k), t->sample_unit);
	if (w->top.name) {
		if (!(best->name = strdup(w->top.name)) || !(*callee = strdup(w->top.via)))
			return nomem(err);
		best->value = to_ns(w->top.counted, per, &ovf);
	}
	*total = to_ns(t->total, per, &ovf);
	if (ovf || w->overflow)
		return add_note(pr, err, "%s-%s.pprof: the delays overflow 64-bit nanoseconds; the contention "
			       "rule skips this profile", pr->name, fw_profile_kind_name(k));
	*have = true;
	return 0;
}

int fw_process_analyze(const char *dir, const char *name, const struct fw_decode_limits *lim,
		       struct fw_process *pr, struct fw_error *err)
{
	struct fw_profile *prof[FW_PK_COUNT] = { NULL };
	char cpu_title[160];
	int rc = 0;

	snprintf(cpu_title, sizeof(cpu_title), "%.64s: CPU", name);

	memset(pr, 0, sizeof(*pr));
	if (!(pr->name = strdup(name)))
		return nomem(err);
	pr->heap_window = FW_WINDOW_ABSENT;
	for (enum fw_profile_kind k = 0; k < FW_PK_COUNT && rc == 0; k++)
		rc = load(dir, name, k, lim, pr, &prof[k]);
	if (rc < 0) {
		rc = nomem(err);
		goto out;
	}
	/* Each step below either only reads a profile or takes it over (take()). */
	if (prof[FW_PK_HEAP1] && prof[FW_PK_HEAP2] && (rc = heap_diff(pr, prof[FW_PK_HEAP1], prof[FW_PK_HEAP2], err)) < 0)
		goto out;
	/* heap_diff only read the 2nd snapshot: its table takes it over,
	 * merged in place as pprof merges a single profile */
	if (prof[FW_PK_HEAP2]) {
		if ((rc = fw_profile_compact(prof[FW_PK_HEAP2], err)) < 0 ||
		    (rc = heap_current(pr, take(&prof[FW_PK_HEAP2]), err)) < 0)
			goto out;
	}
	if (prof[FW_PK_CPU] && (rc = cpu_facts(pr, take(&prof[FW_PK_CPU]), cpu_title, err)) < 0)
		goto out;
	if (prof[FW_PK_BLOCK] && (rc = contention(pr, take(&prof[FW_PK_BLOCK]), FW_PK_BLOCK, err)) < 0)
		goto out;
	if (prof[FW_PK_MUTEX] && (rc = contention(pr, take(&prof[FW_PK_MUTEX]), FW_PK_MUTEX, err)) < 0)
		goto out;
	rc = 0;
out:
	for (enum fw_profile_kind k = 0; k < FW_PK_COUNT; k++)
		fw_profile_free(prof[k]);
	if (rc < 0)
		fw_process_free(pr);
	return rc;
}

static void attr_free(struct fw_attr_table *t)
{
	for (size_t i = 0; i < t->n_rows; i++) {
		free(t->rows[i].name);
		free(t->rows[i].via);
		free(t->rows[i].check);
	}
	memset(t, 0, sizeof(*t));
}

int fw_top_table_fill(struct fw_profile *p, const char *sample_index, struct fw_top_table *t,
		      const struct fw_flamegraph_opts *fg, struct fw_error *err)
{
	return top_table(p, sample_index, t, fg, NULL, err);
}

void fw_top_table_free(struct fw_top_table *t)
{
	table_free(t);
}

static void table_free(struct fw_top_table *t)
{
	free(t->error);
	free(t->sample_type);
	free(t->sample_unit);
	free(t->text);
	free(t->svg);
	free(t->svg_error);
	free(t->callgraph);
	free(t->callgraph_error);
	if (t->drawing)
		fw_svg_cancel(t->drawing);
	free(t->drawing);
	for (size_t i = 0; i < t->n_rows; i++)
		free(t->rows[i].name);
	memset(t, 0, sizeof(*t));
}

void fw_process_free(struct fw_process *p)
{
	free(p->name);
	table_free(&p->heap_diff_space);
	table_free(&p->heap_diff_objects);
	table_free(&p->heap_top);
	table_free(&p->cpu);
	table_free(&p->block);
	table_free(&p->mutex);
	attr_free(&p->cpu_attr);
	attr_free(&p->heap_attr);
	attr_free(&p->growth_attr);
	fw_contention_free(&p->block_wait);
	fw_contention_free(&p->mutex_wait);
	free(p->top_cpu_attr.name);
	for (enum fw_profile_kind k = 0; k < FW_PK_COUNT; k++)
		free(p->files[k].error);
	free(p->top_growth_app.name);
	free(p->top_cpu_app.name);
	free(p->top_cpu_any.name);
	free(p->top_block_app.name);
	free(p->top_mutex_app.name);
	free(p->top_block_callee);
	free(p->top_mutex_callee);
	for (size_t i = 0; i < p->n_notes; i++)
		free(p->notes[i]);
	memset(p, 0, sizeof(*p));
}
