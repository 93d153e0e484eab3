/*
 * compare.c: two flares compared (see compare.h). It opens the inputs,
 * runs the pprof engine on each process's profile pairs and gathers the
 * figures; it decides nothing beyond "slower" for a check, and formats
 * nothing (write_compare.c does).
 */
#include "investigate/compare.h"
#include "investigate/components.h"
#include "investigate/investigate.h"
#include "investigate/reportread.h"
#include "base/fsutil.h"
#include "base/keymap.h"
#include "base/redact.h"
#include "flare/extract.h"
#include "pprof/flamegraph.h"
#include "pprof/merge.h"
#include "pprof/report.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* goroutine dumps: as investigate.c reads them */
#define GOROUTINE_WAIT_MINUTES 30

static int nomem(struct fw_error *err)
{
	return fw_err(err, -ENOMEM, "out of memory comparing flares");
}

static char *redacted(const char *s)
{
	size_t len;
	return fw_redact(s, strlen(s), &len);
}

const char *fw_cmp_mem_name(enum fw_cmp_mem_field f)
{
	static const char *const names[FW_CMP_MEM_FIELDS] = { "HeapAlloc",   "Sys",	  "HeapInuse",
							       "HeapObjects", "NumGC", "goroutines" };
	return f < FW_CMP_MEM_FIELDS ? names[f] : "";
}

const char *fw_cmp_check_change_id(enum fw_cmp_check_change c)
{
	switch (c) {
	case FW_CMP_CHECK_ADDED:
		return "added";
	case FW_CMP_CHECK_REMOVED:
		return "removed";
	case FW_CMP_CHECK_SLOWER:
		return "slower";
	}
	return "";
}

void fw_compare_svg_name(char *out, size_t len, const char *proc, const char *what)
{
	/* a file name whatever the process is called: [A-Za-z0-9_-] kept,
	 * every other byte (a '.', a '/', a control) becomes '_' */
	char safe[65];
	size_t n = 0;

	for (; proc[n] && n < sizeof(safe) - 1; n++) {
		char ch = proc[n];
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
			  ch == '-';
		safe[n] = ok ? ch : '_';
	}
	safe[n] = 0;
	snprintf(out, len, "%s-%s-diff.svg", n ? safe : "_", what);
}

/* ---- opening an input ---------------------------------------------------------- */

/* A report folder's flare file name must be one plain file name of done/. */
static bool plain_name(const char *s)
{
	return s && *s && s[0] != '.' && !strchr(s, '/') && strlen(s) <= 255;
}

/* The flare of a report folder: done/<name>, or done/<stem>-N<ext> (the
 * daemon's suffix for a name taken), whose SHA-256 is the report's. */
static int find_done_flare(const char *report_dir, const struct fw_report_info *ri, const char *done,
			   char *out, size_t outlen, struct fw_error *err)
{
	const char *name = ri->flare_file, *dot;
	size_t stem;
	DIR *d;
	struct dirent *de;
	char hex[FW_SHA256_HEX_LEN + 1];
	bool seen_name = false;
	int r;

	if (!plain_name(name))
		return fw_err(err, -EINVAL, "%s/report.json: flare.file is not a plain file name; give the flare itself",
			      report_dir);
	if (!ri->flare_sha256 || strlen(ri->flare_sha256) != FW_SHA256_HEX_LEN ||
	    strspn(ri->flare_sha256, "0123456789abcdef") != FW_SHA256_HEX_LEN)
		return fw_err(err, -EINVAL,
			      "%s/report.json: no flare.sha256 (the report was made from a folder); give the flare itself",
			      report_dir);
	dot = strrchr(name, '.');
	stem = dot && dot != name ? (size_t)(dot - name) : strlen(name);
	if (!(d = opendir(done)))
		return fw_err(err, -errno,
			      "%s: the flare %s (sha256 %.16s…) is needed, and %s cannot be read: %s", report_dir, name,
			      ri->flare_sha256, done, strerror(errno));
	r = -ENOENT;
	while (r == -ENOENT && (errno = 0, de = readdir(d))) {
		const char *n = de->d_name;
		struct stat st;
		bool exact = strcmp(n, name) == 0;
		/* name itself, or stem-N + the same extension */
		if (!exact) {
			size_t nl = strlen(n), el = strlen(name) - stem, k = stem + 1;
			if (nl <= stem + el + 1 || strncmp(n, name, stem) != 0 || n[stem] != '-' ||
			    strcmp(n + nl - el, name + stem) != 0)
				continue;
			while (k < nl - el && n[k] >= '0' && n[k] <= '9')
				k++;
			if (k != nl - el || k == stem + 1)
				continue;
		}
		if (snprintf(out, outlen, "%s/%s", done, n) >= (int)outlen ||
		    fstatat(dirfd(d), n, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
			continue;
		seen_name = seen_name || exact;
		if (fw_sha256_path(out, O_NOFOLLOW, hex, err) < 0) {
			closedir(d);
			return -EIO;
		}
		if (strcmp(hex, ri->flare_sha256) == 0)
			r = 0;
	}
	if (r == -ENOENT && errno != 0) {
		r = fw_err(err, -errno, "%s: %s", done, strerror(errno));
		closedir(d);
		return r;
	}
	closedir(d);
	if (r == 0)
		return 0;
	/* the hash's first 16 digits: a whole one is a 64-hex run, which
	 * the redactor of every output takes for a key */
	if (seen_name)
		return fw_err(err, -ENOENT,
			      "%s: its flare %s/%s has changed (its sha256 does not begin %.16s…, the report's); "
			      "give the flare itself", report_dir, done, name, ri->flare_sha256);
	return fw_err(err, -ENOENT,
		      "%s: its flare %s (sha256 %.16s…) is not in %s; put that file there or give the flare itself",
		      report_dir, name, ri->flare_sha256, done);
}

static int open_side(const char *path, const struct fw_compare_opts *o, struct fw_cmp_side *s,
		     struct fw_error *err)
{
	struct stat st;
	const char *flare = path, *dir = path;
	char found[4096], rj[4096];
	size_t name_len;
	const char *name;
	int r;

	name = fw_path_base(path, &name_len);
	{
		char base[4096];
		snprintf(base, sizeof(base), "%.*s", (int)(name_len < sizeof(base) ? name_len : sizeof(base) - 1), name);
		if (!(s->input = redacted(base)))
			return nomem(err);
	}
	if (stat(path, &st) < 0)
		return fw_err(err, -errno, "%s: %s", path, strerror(errno));
	s->kind = S_ISREG(st.st_mode) ? "zip" : "folder";
	if (S_ISDIR(st.st_mode) && snprintf(rj, sizeof(rj), "%s/report.json", path) < (int)sizeof(rj) &&
	    access(rj, F_OK) == 0) {
		struct fw_report_info ri;
		char done[4200];
		if ((r = fw_report_read(rj, &ri, err)) < 0)
			return r;
		snprintf(done, sizeof(done), "%s/done", o->cfg->state_dir);
		r = find_done_flare(path, &ri, done, found, sizeof(found), err);
		fw_report_info_free(&ri);
		if (r < 0)
			return r;
		s->kind = "report folder";
		flare = dir = found;
		if (stat(flare, &st) < 0)
			return fw_err(err, -errno, "%s: %s", flare, strerror(errno));
		name = fw_path_base(flare, &name_len);
	}
	if (S_ISREG(st.st_mode)) {
		struct fw_archive_limits lim;
		fw_archive_limits_config(&lim, o->cfg);
		if ((r = fw_sha256_path(flare, O_NOFOLLOW, s->sha256, err)) < 0 ||
		    (r = fw_tmpdir_create(o->tmp_parent, "flarewatch-compare-", s->tmp, sizeof(s->tmp), err)) < 0)
			return r;
		if ((r = fw_archive_extract(flare, s->tmp, &lim, err)) < 0)
			return r;
		dir = s->tmp;
	} else if (!S_ISDIR(st.st_mode)) {
		return fw_err(err, -EINVAL, "%s: not a zip file, a flare folder or a report folder", path);
	}
	{
		char base[4096];
		snprintf(base, sizeof(base), "%.*s", (int)(name_len < sizeof(base) ? name_len : sizeof(base) - 1), name);
		if (!(s->flare_name = redacted(base)))
			return nomem(err);
	}
	if ((r = fw_flare_open(dir, s->flare_name, GOROUTINE_WAIT_MINUTES, &s->flare, err)) < 0) {
		fw_err_prefix(err, "%s", s->input);
		return r;
	}
	return 0;
}

/* ---- profiles ------------------------------------------------------------------- */

/* Reads <profiles>/<proc>-<kind>.pprof. 0 with *out NULL and *why set
 * when the flare has no usable file; <0 only for out-of-memory. */
static int load(const struct fw_flare *f, const char *side, const char *proc, enum fw_profile_kind k,
		const struct fw_decode_limits *lim, struct fw_profile **out, char **why, struct fw_error *err)
{
	struct fw_error e = { "" };
	char path[4096];
	struct stat st;
	int r;

	*out = NULL;
	if (*why)
		return 0; /* the other side's reason is kept */
	if (!f->has_profiles || snprintf(path, sizeof(path), "%s/%s-%s.pprof", f->profiles_dir, proc,
					 fw_profile_kind_name(k)) >= (int)sizeof(path) ||
	    lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
		r = asprintf(why, "the %s flare has no %s-%s.pprof", side, proc, fw_profile_kind_name(k));
	else if (st.st_size == 0)
		r = asprintf(why, "the %s flare's %s-%s.pprof is empty", side, proc, fw_profile_kind_name(k));
	else if ((r = fw_profile_read(path, lim, out, &e)) == -ENOMEM)
		return nomem(err);
	else if (r < 0) {
		/* the decoder names the full path: the file name is enough */
		const char *msg = strncmp(e.msg, path, strlen(path)) == 0 ? e.msg + strlen(path) : e.msg;
		r = asprintf(why, "the %s flare's %s-%s.pprof cannot be read%s", side, proc, fw_profile_kind_name(k),
			     msg);
	} else {
		return 0;
	}
	if (r < 0) {
		*why = NULL;
		return nomem(err);
	}
	return 0;
}

/* The flat value of every function of p (taken over) in sample column
 * `si` (NULL: default), in *map (name -> index) and *vals; *total is the
 * report's total and *unit its sample unit. 1 when pprof refuses the
 * profile (*why set). */
struct fn_vals {
	struct fw_keymap map;
	int64_t *v;
	size_t n, cap;
	char unit[64];
};

static int fn_vals_of(struct fw_profile *p, const char *si, struct fn_vals *fv, char **why, struct fw_error *err)
{
	struct fw_report_opts o;
	struct fw_report r;
	struct fw_graph g;
	int rc;

	fw_report_opts_default(&o);
	o.sample_index = si;
	if ((rc = fw_report_init(&r, p, &o, err)) < 0) {
		if (rc == -ENOMEM)
			return rc;
		return asprintf(why, "%s", err->msg) < 0 ? nomem(err) : 1;
	}
	snprintf(fv->unit, sizeof(fv->unit), "%s", r.sample_unit);
	if ((rc = fw_graph_build(&r.tab, r.vi, NULL, &g, err)) < 0) {
		fw_report_free(&r);
		return rc;
	}
	for (size_t i = 0; i < g.n_nodes && rc == 0; i++) {
		uint32_t n = g.nodes[i], at;
		const char *name = fw_node_name(&r.tab, n);
		size_t len = fw_node_name_len(&r.tab, n);
		if (fv->n == fv->cap) {
			size_t cap = fv->cap ? 2 * fv->cap : 64;
			int64_t *nv = realloc(fv->v, cap * sizeof(*nv));
			if (!nv) {
				rc = nomem(err);
				break;
			}
			fv->v = nv;
			fv->cap = cap;
		}
		if ((rc = fw_keymap_upsert(&fv->map, name, len, (uint32_t)fv->n, &at)) < 0) {
			rc = nomem(err);
			break;
		}
		if (rc == 0)
			fv->v[fv->n++] = 0;
		fv->v[at] = fw_add64(fv->v[at], g.flat[n]);
		rc = 0;
	}
	fw_graph_free(&g);
	fw_report_free(&r);
	return rc;
}

static void fn_vals_free(struct fn_vals *fv)
{
	fw_keymap_free(&fv->map);
	free(fv->v);
}

/* The by-component sums of a diff (its untrimmed graph). */
static void add_component(struct fw_cmp_diff *d, const char *fn, int64_t flat)
{
	const struct fw_component *c = fw_is_runtime_function(fn) ? NULL : fw_component_of(fn);
	const char *id = fw_is_runtime_function(fn) ? "go_runtime" : c ? c->id : "other";
	const char *name = fw_is_runtime_function(fn) ? "the Go runtime" : c ? c->name : "other code";
	size_t i;

	if (flat > 0)
		d->grew = fw_add64(d->grew, flat);
	else
		d->shrank = fw_add64(d->shrank, flat);
	for (i = 0; i < d->n_comps && strcmp(d->comps[i].id, id) != 0; i++)
		;
	if (i == d->n_comps) {
		if (i == FW_CMP_COMPONENTS)
			return; /* more components than the table lists: cannot happen with components.c's */
		d->comps[i].id = id;
		d->comps[i].name = name;
		d->n_comps++;
	}
	if (flat > 0)
		d->comps[i].grew = fw_add64(d->comps[i].grew, flat);
	else
		d->comps[i].shrank = fw_add64(d->comps[i].shrank, flat);
}

static int comp_cmp(const void *a, const void *b)
{
	const struct fw_cmp_component *x = a, *y = b;
	int64_t nx = fw_add64(x->grew, x->shrank), ny = fw_add64(y->grew, y->shrank);
	return nx > ny ? -1 : nx < ny ? 1 : strcmp(x->id, y->id);
}

/* d from the combined profile `diff` (taken over): the pprof -top table,
 * its flame graph and the sums by component. */
static int diff_tables(struct fw_profile *diff, const char *si, const char *title, struct fw_cmp_diff *d,
		       struct fw_error *err)
{
	struct fw_profile *copy = NULL;
	struct fn_vals fv;
	char *why = NULL;
	int rc;

	memset(&fv, 0, sizeof(fv));
	fw_keymap_init(&fv.map);
	if (fw_profile_clone(diff, &copy) < 0) {
		fw_profile_free(diff);
		return nomem(err);
	}
	{
		struct fw_flamegraph_opts fg = { .title = title, .growth = true };
		if ((rc = fw_top_table_fill(diff, si, &d->top, &fg, err)) < 0) {
			fw_profile_free(copy);
			return rc;
		}
	}
	if (d->top.error) {
		fw_profile_free(copy);
		return (d->why_not = strdup(d->top.error)) ? 0 : nomem(err);
	}
	rc = fn_vals_of(copy, si, &fv, &why, err);
	if (rc == 0) {
		for (size_t i = 0; i < fv.map.nslots; i++) {
			const struct fw_keymap_slot *sl = &fv.map.slots[i];
			char name[4096];
			if (sl->val == UINT32_MAX)
				continue;
			snprintf(name, sizeof(name), "%.*s", (int)(sl->len < sizeof(name) ? sl->len : sizeof(name) - 1),
				 (const char *)fv.map.blob + sl->off);
			add_component(d, name, fv.v[sl->val]);
		}
		qsort(d->comps, d->n_comps, sizeof(d->comps[0]), comp_cmp);
		d->done = true;
	} else if (rc == 1) {
		d->why_not = why;
		rc = 0;
	}
	fn_vals_free(&fv);
	return rc;
}

static int heap_compare(struct fw_profile *old2, struct fw_profile *new2, const char *proc, struct fw_cmp_diff *d,
			struct fw_error *err)
{
	struct fw_profile *diff = NULL;
	char title[200];
	int rc = fw_profiles_combine(&new2, 1, &old2, 1, true, &diff, err);

	if (rc == -ENOMEM)
		return rc;
	if (rc < 0)
		return (d->why_not = strdup(err->msg)) ? 0 : nomem(err);
	snprintf(title, sizeof(title), "%.64s: in-use heap, new flare's 2nd snapshot against the old flare's", proc);
	if (asprintf(&d->command, "go tool pprof -top -sample_index=inuse_space -diff_base=OLD/profiles/%s-2nd-heap.pprof "
		     "NEW/profiles/%s-2nd-heap.pprof", proc, proc) < 0) {
		d->command = NULL;
		fw_profile_free(diff);
		return nomem(err);
	}
	return diff_tables(diff, "inuse_space", title, d, err);
}

static int cpu_norm_compare(struct fw_profile *oldc, struct fw_profile *newc, const char *proc,
			    struct fw_cmp_diff *d, struct fw_error *err)
{
	struct fw_profile *diff = NULL;
	char title[200];
	/* the merged copy is normalized: newc and oldc stay as read */
	int rc = fw_profiles_combine_normalized(&newc, 1, &oldc, 1, true, &diff, err);

	if (rc == -ENOMEM)
		return rc;
	if (rc < 0)
		return (d->why_not = strdup(err->msg)) ? 0 : nomem(err);
	snprintf(title, sizeof(title), "%.64s: CPU, new flare's profile scaled to the old one's total", proc);
	if (asprintf(&d->command, "go tool pprof -top -normalize -diff_base=OLD/profiles/%s-cpu.pprof "
		     "NEW/profiles/%s-cpu.pprof", proc, proc) < 0) {
		d->command = NULL;
		fw_profile_free(diff);
		return nomem(err);
	}
	return diff_tables(diff, NULL, title, d, err);
}

/* Nanoseconds per unit of a time unit; 0 when the unit is not a time. */
static int64_t ns_per(const char *unit)
{
	static const struct {
		const char *u;
		int64_t ns;
	} t[] = { { "nanoseconds", 1 },	  { "ns", 1 }, { "microseconds", 1000 }, { "us", 1000 },
		  { "milliseconds", 1000000 }, { "ms", 1000000 }, { "seconds", 1000000000 }, { "s", 1000000000 } };
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(unit, t[i].u) == 0)
			return t[i].ns;
	return 0;
}

static int row_cmp(const void *a, const void *b)
{
	const struct fw_cmp_fn_rate *x = a, *y = b;
	double dx = fabs(x->new_ps - x->old_ps), dy = fabs(y->new_ps - y->old_ps);
	return dx > dy ? -1 : dx < dy ? 1 : strcmp(x->name, y->name);
}

/* The uptime of a process in seconds (the divisor of cumulative delay
 * profiles): core's from status.log, trace's from expvar/trace-agent. */
static bool uptime_of(const struct fw_flare *f, const char *proc, double *sec)
{
	if (!strcmp(proc, "core") && f->has_status && f->status.has_uptime && f->status.uptime_sec > 0) {
		*sec = (double)f->status.uptime_sec;
		return true;
	}
	if (!strcmp(proc, "trace") && f->has_trace_uptime && f->trace_uptime_sec > 0) {
		*sec = f->trace_uptime_sec;
		return true;
	}
	return false;
}

/* Rates of the time column (CPU, delay) of old and new (both taken over). */
static int rate_compare(struct fw_profile *oldp, struct fw_profile *newp, const struct fw_flare *of,
			const struct fw_flare *nf, const char *proc, enum fw_profile_kind kind, const char *si,
			struct fw_cmp_rate *rt, struct fw_error *err)
{
	const char *file = fw_profile_kind_name(kind);
	struct fn_vals ov, nv;
	struct fw_profile *ps[2] = { oldp, newp };
	const struct fw_flare *fs[2] = { of, nf };
	struct fn_vals *vs[2] = { &ov, &nv };
	double sec[2];
	const char *per[2];
	int64_t total[2] = { 0, 0 };
	struct fw_cmp_fn_rate *all = NULL;
	size_t n_all = 0;
	int rc = 0;

	memset(&ov, 0, sizeof(ov));
	memset(&nv, 0, sizeof(nv));
	fw_keymap_init(&ov.map);
	fw_keymap_init(&nv.map);
	for (int k = 0; k < 2; k++) {
		int64_t dur = ps[k]->duration_nanos, per_ns;
		if (dur > 0) {
			sec[k] = (double)dur / 1e9;
			per[k] = "profile";
		} else if (uptime_of(fs[k], proc, &sec[k])) {
			per[k] = "uptime";
		} else {
			rc = asprintf(&rt->why_not, "the %s flare's %s-%s.pprof has no duration and the flare gives no "
				      "uptime of %s to divide by", k ? "new" : "old", proc, file, proc) < 0 ? nomem(err) : 1;
			break;
		}
		rc = fn_vals_of(ps[k], si, vs[k], &rt->why_not, err);
		ps[k] = NULL;
		if (rc != 0)
			break;
		per_ns = ns_per(vs[k]->unit);
		if (!per_ns) {
			rc = asprintf(&rt->why_not, "the %s flare's %s-%s.pprof is in \"%s\", not a time",
				      k ? "new" : "old", proc, file, vs[k]->unit) < 0 ? nomem(err) : 1;
			break;
		}
		/* to nanoseconds (a unit other than ns multiplies: no rounding) */
		for (size_t i = 0; i < vs[k]->n; i++) {
			vs[k]->v[i] = (int64_t)((uint64_t)vs[k]->v[i] * (uint64_t)per_ns); /* wraps as Go's */
			total[k] = fw_add64(total[k], vs[k]->v[i]);
		}
	}
	fw_profile_free(ps[0]);
	fw_profile_free(ps[1]);
	if (rc != 0)
		goto out;
	rt->has_old = rt->has_new = true;
	rt->old_sec = sec[0];
	rt->new_sec = sec[1];
	rt->per_old = per[0];
	rt->per_new = per[1];
	rt->old_ns = total[0];
	rt->new_ns = total[1];
	/* every function of either, with both rates */
	all = calloc(ov.n + nv.n + 1, sizeof(*all));
	if (!all) {
		rc = nomem(err);
		goto out;
	}
	for (int k = 0; k < 2; k++) {
		const struct fw_keymap *m = &vs[k]->map;
		for (size_t i = 0; i < m->nslots; i++) {
			const struct fw_keymap_slot *sl = &m->slots[i];
			const char *key = (const char *)m->blob + sl->off;
			uint32_t other;
			if (sl->val == UINT32_MAX)
				continue;
			other = fw_keymap_get(&vs[1 - k]->map, key, sl->len);
			if (k == 1 && other != UINT32_MAX)
				continue; /* listed from the old side */
			all[n_all].name = strndup(key, sl->len);
			if (!all[n_all].name) {
				rc = nomem(err);
				goto out;
			}
			if (k == 0) {
				all[n_all].old_ps = (double)ov.v[sl->val] / sec[0];
				all[n_all].new_ps = other != UINT32_MAX ? (double)nv.v[other] / sec[1] : 0;
			} else {
				all[n_all].new_ps = (double)nv.v[sl->val] / sec[1];
			}
			n_all++;
		}
	}
	qsort(all, n_all, sizeof(*all), row_cmp);
	for (size_t i = 0; i < n_all && rt->n_rows < FW_TOP_ROWS; i++) {
		if (all[i].new_ps == all[i].old_ps)
			break;
		rt->rows[rt->n_rows++] = all[i];
		all[i].name = NULL;
	}
out:
	for (size_t i = 0; i < n_all; i++)
		free(all[i].name);
	free(all);
	fn_vals_free(&ov);
	fn_vals_free(&nv);
	return rc < 0 ? rc : 0;
}

static int proc_compare(struct fw_comparison *c, struct fw_cmp_proc *pc, const struct fw_decode_limits *lim,
			struct fw_error *err)
{
	const struct fw_flare *of = &c->old.flare, *nf = &c->new.flare;
	struct fw_profile *o = NULL, *n = NULL;
	int rc;

	/* heap: the 2nd snapshots */
	if ((rc = load(of, "old", pc->name, FW_PK_HEAP2, lim, &o, &pc->heap.why_not, err)) < 0 ||
	    (rc = load(nf, "new", pc->name, FW_PK_HEAP2, lim, &n, &pc->heap.why_not, err)) < 0)
		goto out;
	if (o && n && (rc = heap_compare(o, n, pc->name, &pc->heap, err)) < 0)
		goto out;
	fw_profile_free(o);
	fw_profile_free(n);
	o = n = NULL;

	/* CPU: the normalized diff, then the rates (which take both over) */
	if ((rc = load(of, "old", pc->name, FW_PK_CPU, lim, &o, &pc->cpu_norm.why_not, err)) < 0 ||
	    (rc = load(nf, "new", pc->name, FW_PK_CPU, lim, &n, &pc->cpu_norm.why_not, err)) < 0)
		goto out;
	if (o && n) {
		if ((rc = cpu_norm_compare(o, n, pc->name, &pc->cpu_norm, err)) < 0)
			goto out;
		rc = rate_compare(o, n, of, nf, pc->name, FW_PK_CPU, NULL, &pc->cpu, err);
		o = n = NULL;
		if (rc < 0)
			goto out;
	} else if (!(pc->cpu.why_not = strdup(pc->cpu_norm.why_not))) {
		rc = nomem(err);
		goto out;
	}
	fw_profile_free(o);
	fw_profile_free(n);
	o = n = NULL;

	for (int k = 0; k < 2; k++) {
		enum fw_profile_kind kind = k ? FW_PK_MUTEX : FW_PK_BLOCK;
		struct fw_cmp_rate *rt = k ? &pc->mutex : &pc->block;
		if ((rc = load(of, "old", pc->name, kind, lim, &o, &rt->why_not, err)) < 0 ||
		    (rc = load(nf, "new", pc->name, kind, lim, &n, &rt->why_not, err)) < 0)
			goto out;
		if (o && n) {
			rc = rate_compare(o, n, of, nf, pc->name, kind, "delay", rt, err);
			o = n = NULL;
			if (rc < 0)
				goto out;
		}
		fw_profile_free(o);
		fw_profile_free(n);
		o = n = NULL;
	}
	rc = 0;
out:
	fw_profile_free(o);
	fw_profile_free(n);
	return rc;
}

/* ---- the agent's figures ------------------------------------------------------------ */

static void mem_side(const struct fw_memstats *m, bool has, const struct fw_flare *f, bool core, bool *h, double *v)
{
	if (has) {
		h[FW_CMP_HEAP_ALLOC] = m->has_heap_alloc, v[FW_CMP_HEAP_ALLOC] = m->heap_alloc;
		h[FW_CMP_SYS] = m->has_sys, v[FW_CMP_SYS] = m->sys;
		h[FW_CMP_HEAP_INUSE] = m->has_heap_inuse, v[FW_CMP_HEAP_INUSE] = m->heap_inuse;
		h[FW_CMP_HEAP_OBJECTS] = m->has_heap_objects, v[FW_CMP_HEAP_OBJECTS] = m->heap_objects;
		h[FW_CMP_NUM_GC] = m->has_num_gc, v[FW_CMP_NUM_GC] = m->num_gc;
	}
	if (core && f->has_goroutines) {
		h[FW_CMP_GOROUTINES] = true;
		v[FW_CMP_GOROUTINES] = (double)f->gor.total;
	}
}

static void mem_compare(struct fw_comparison *c)
{
	const struct fw_flare *of = &c->old.flare, *nf = &c->new.flare;

	c->mem[0].process = "core";
	mem_side(&of->mem, of->has_memstats, of, true, c->mem[0].has_old, c->mem[0].old_v);
	mem_side(&nf->mem, nf->has_memstats, nf, true, c->mem[0].has_new, c->mem[0].new_v);
	c->mem[1].process = "trace";
	mem_side(&of->trace_mem, of->has_trace_memstats, of, false, c->mem[1].has_old, c->mem[1].old_v);
	mem_side(&nf->trace_mem, nf->has_trace_memstats, nf, false, c->mem[1].has_new, c->mem[1].new_v);
}

static const struct fw_status_check *find_check(const struct fw_status *s, const char *name)
{
	for (size_t i = 0; i < s->n_checks; i++)
		if (strcmp(s->checks[i].name, name) == 0)
			return &s->checks[i];
	return NULL;
}

static int checks_compare(struct fw_comparison *c, struct fw_error *err)
{
	const struct fw_status *os = &c->old.flare.status, *ns = &c->new.flare.status;

	c->checks_known = c->old.flare.has_status && c->new.flare.has_status && os->has_collector &&
			  ns->has_collector;
	if (!c->checks_known)
		return 0;
	c->checks = calloc(os->n_checks + ns->n_checks + 1, sizeof(*c->checks));
	if (!c->checks)
		return nomem(err);
	for (size_t i = 0; i < ns->n_checks; i++) {
		const struct fw_status_check *nc = &ns->checks[i], *oc = find_check(os, nc->name);
		struct fw_cmp_check *x = &c->checks[c->n_checks];
		if (find_check(ns, nc->name) != nc)
			continue; /* a repeated title: its first one is compared */
		x->name = nc->name;
		x->has_new = nc->has_avg_exec;
		x->new_ns = nc->avg_exec_ns;
		if (!oc) {
			x->change = FW_CMP_CHECK_ADDED;
			c->n_checks++;
			continue;
		}
		x->has_old = oc->has_avg_exec;
		x->old_ns = oc->avg_exec_ns;
		if (x->has_old && x->has_new && x->new_ns - x->old_ns >= FW_CMP_SLOWER_MIN_NS &&
		    (double)x->new_ns >= (double)x->old_ns * (1.0 + FW_CMP_SLOWER_PCT / 100.0)) {
			x->change = FW_CMP_CHECK_SLOWER;
			c->n_checks++;
		}
	}
	for (size_t i = 0; i < os->n_checks; i++) {
		const struct fw_status_check *oc = &os->checks[i];
		struct fw_cmp_check *x = &c->checks[c->n_checks];
		if (find_check(ns, oc->name) || find_check(os, oc->name) != oc)
			continue;
		x->name = oc->name;
		x->change = FW_CMP_CHECK_REMOVED;
		x->has_old = oc->has_avg_exec;
		x->old_ns = oc->avg_exec_ns;
		c->n_checks++;
	}
	return 0;
}

/* The processes of either flare: old's order, then new's others. */
static int procs_of(struct fw_comparison *c, struct fw_error *err)
{
	const struct fw_flare *fs[2] = { &c->old.flare, &c->new.flare };

	c->procs = calloc(fs[0]->n_procs + fs[1]->n_procs + 1, sizeof(*c->procs));
	if (!c->procs)
		return nomem(err);
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < fs[k]->n_procs; i++) {
			const char *name = fs[k]->procs[i];
			size_t j;
			for (j = 0; j < c->n_procs && strcmp(c->procs[j].name, name) != 0; j++)
				;
			if (j == c->n_procs) {
				if (!(c->procs[j].name = strdup(name)))
					return nomem(err);
				c->n_procs++;
			}
			if (k)
				c->procs[j].in_new = true;
			else
				c->procs[j].in_old = true;
		}
	return 0;
}

int fw_compare(const char *old_path, const char *new_path, const struct fw_compare_opts *o,
	       struct fw_comparison *c, struct fw_error *err)
{
	struct fw_decode_limits lim;
	int r;

	memset(c, 0, sizeof(*c));
	if ((r = open_side(old_path, o, &c->old, err)) < 0)
		return r;
	if ((r = open_side(new_path, o, &c->new, err)) < 0)
		return r;
	if (c->old.sha256[0])
		c->same_content = strcmp(c->old.sha256, c->new.sha256) == 0;
	else if (!c->new.sha256[0]) {
		char *a = realpath(c->old.flare.root, NULL), *b = realpath(c->new.flare.root, NULL);
		c->same_content = a && b && strcmp(a, b) == 0;
		free(a);
		free(b);
	}
	c->hosts_differ = strcmp(c->old.flare.hostname, c->new.flare.hostname) != 0;
	c->version_changed = c->old.flare.has_status && c->new.flare.has_status &&
			     c->old.flare.status.agent_version[0] && c->new.flare.status.agent_version[0] &&
			     strcmp(c->old.flare.status.agent_version, c->new.flare.status.agent_version) != 0;
	mem_compare(c);
	if ((r = checks_compare(c, err)) < 0 || (r = procs_of(c, err)) < 0)
		return r;
	fw_analyze_decode_limits(o->cfg, &lim);
	for (size_t i = 0; i < c->n_procs; i++) {
		struct fw_cmp_proc *pc = &c->procs[i];
		if (!pc->in_old || !pc->in_new) {
			const char *side = pc->in_old ? "new" : "old";
			char *why;
			if (asprintf(&why, "the %s flare has no profiles of %s", side, pc->name) < 0)
				return nomem(err);
			pc->heap.why_not = why;
			if (!(pc->cpu_norm.why_not = strdup(why)) || !(pc->cpu.why_not = strdup(why)) ||
			    !(pc->block.why_not = strdup(why)) || !(pc->mutex.why_not = strdup(why)))
				return nomem(err);
			continue;
		}
		if ((r = proc_compare(c, pc, &lim, err)) < 0)
			return r;
	}
	return 0;
}

static void side_free(struct fw_cmp_side *s)
{
	struct fw_error e;

	free(s->input);
	free(s->flare_name);
	fw_flare_free(&s->flare);
	if (s->tmp[0])
		(void)fw_tree_remove(s->tmp, &e);
	memset(s, 0, sizeof(*s));
}

static void diff_free(struct fw_cmp_diff *d)
{
	free(d->why_not);
	free(d->command);
	fw_top_table_free(&d->top);
	memset(d, 0, sizeof(*d));
}

static void rate_free(struct fw_cmp_rate *r)
{
	free(r->why_not);
	for (size_t i = 0; i < r->n_rows; i++)
		free(r->rows[i].name);
	memset(r, 0, sizeof(*r));
}

void fw_compare_free(struct fw_comparison *c)
{
	for (size_t i = 0; i < c->n_procs; i++) {
		free(c->procs[i].name);
		diff_free(&c->procs[i].heap);
		diff_free(&c->procs[i].cpu_norm);
		rate_free(&c->procs[i].cpu);
		rate_free(&c->procs[i].block);
		rate_free(&c->procs[i].mutex);
	}
	free(c->procs);
	free(c->checks);
	side_free(&c->old);
	side_free(&c->new);
	memset(c, 0, sizeof(*c));
}
