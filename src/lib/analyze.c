/*
 * analyze.c: one flare end to end (see analyze.h): open, model, analyze,
 * judge, write. The only place that knows the order of the stages; each
 * stage lives in its own file.
 */
#include "analyze.h"
#include "extract.h"
#include "fsutil.h"
#include "index.h"
#include "investigation.h"
#include "redact.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define GOROUTINE_WAIT_MINUTES 10

static int nomem(struct fw_error *err)
{
	return fw_err(err, -ENOMEM, "out of memory analyzing the flare");
}

static void thresholds_from(const struct fw_config *c, struct fw_thresholds *t)
{
	t->leak_growth_per_30s = (double)c->thresholds.leak_growth_per_30s;
	t->leak_function_share = c->thresholds.leak_function_share_percent;
	t->leak_min_growth_per_30s = (double)c->thresholds.leak_min_growth_per_30s;
	t->cpu_function_share = c->thresholds.cpu_function_share_percent;
	t->cpu_utilization = c->thresholds.cpu_utilization_percent;
	t->cpu_app_share = c->thresholds.cpu_app_share_percent;
	t->contention_seconds = c->thresholds.contention_seconds;
	t->goroutines_warn = c->thresholds.goroutines_warn;
}

/* Creates DIR/<host>/<time>, adding -2, -3, ... when it exists: mkdir is
 * atomic, so concurrent workers never share (or overwrite) a folder. */
static int report_dir(const char *out, const char *host, const char *when, char **dir, struct fw_error *err)
{
	char path[4096];
	int r;

	if (snprintf(path, sizeof(path), "%s/%s", out, host) >= (int)sizeof(path))
		return fw_err(err, -ENAMETOOLONG, "%s: path too long", out);
	if ((r = fw_mkdir_p(path, 0755, err)) < 0)
		return r;
	for (int i = 1; i < 10000; i++) {
		if (i == 1)
			snprintf(path, sizeof(path), "%s/%s/%s", out, host, when);
		else
			snprintf(path, sizeof(path), "%s/%s/%s-%d", out, host, when, i);
		if (mkdir(path, 0755) == 0) {
			if (!(*dir = strdup(path)))
				return nomem(err);
			return 0;
		}
		if (errno != EEXIST)
			return fw_err(err, -errno, "%s: %s", path, strerror(errno));
	}
	return fw_err(err, -EEXIST, "%s/%s/%s: too many reports for one flare time", out, host, when);
}

static int write_file(const char *dir, const char *name, const char *data, size_t len, struct fw_error *err)
{
	char path[4096];
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return fw_err(err, -ENAMETOOLONG, "%s: path too long", dir);
	return fw_write_file_atomic(path, data, len, 0644, err);
}

static int write_outputs(struct fw_investigation *inv, const char *out_dir, struct fw_analyze_result *res,
			 struct fw_error *err)
{
	struct fw_buf md, js;
	char svg[160], rel[4096];
	const char *sub;
	int r;

	fw_buf_init(&md);
	fw_buf_init(&js);
	if ((r = report_dir(out_dir, inv->flare.hostname, inv->flare_time, &res->report_dir, err)) < 0)
		goto out;
	if ((r = fw_report_markdown(inv, &md, err)) < 0 || (r = fw_report_json(inv, &js, err)) < 0)
		goto out;
	if ((r = write_file(res->report_dir, inv->md_name, md.data, md.len, err)) < 0 ||
	    (r = write_file(res->report_dir, "report.json", js.data, js.len, err)) < 0)
		goto out;
	for (size_t i = 0; i < inv->n_procs; i++) {
		const struct fw_process *p = &inv->procs[i];
		if (p->cpu.svg) {
			fw_svg_name(svg, sizeof(svg), p->name, "cpu");
			if ((r = write_file(res->report_dir, svg, p->cpu.svg, strlen(p->cpu.svg), err)) < 0)
				goto out;
		}
		if (p->heap_diff_space.svg) {
			fw_svg_name(svg, sizeof(svg), p->name, "heap-diff");
			if ((r = write_file(res->report_dir, svg, p->heap_diff_space.svg,
					    strlen(p->heap_diff_space.svg), err)) < 0)
				goto out;
		}
	}
	if (asprintf(&res->report_path, "%s/%s", res->report_dir, inv->md_name) < 0 ||
	    asprintf(&res->json_path, "%s/report.json", res->report_dir) < 0) {
		res->report_path = res->json_path = NULL;
		r = nomem(err);
		goto out;
	}
	/* the index links reports relative to its own folder */
	sub = res->report_dir + strlen(out_dir);
	while (*sub == '/')
		sub++;
	snprintf(rel, sizeof(rel), "%s/%s", sub, inv->md_name);
	{
		char when[32];
		struct fw_index_entry e = { 0 };
		fw_utc_format(when, sizeof(when), inv->flare.time_ms, FW_UTC_ISO);
		e.time = when;
		e.hostname = inv->flare.hostname;
		e.agent_version = res->agent_version;
		e.verdict = fw_verdict_name(inv->verdict.kind);
		e.summary = inv->verdict.summary;
		e.report = rel;
		r = fw_index_add(out_dir, &e, err);
	}
out:
	fw_buf_free(&md);
	fw_buf_free(&js);
	return r;
}

static int fill_result(const struct fw_investigation *inv, struct fw_analyze_result *res)
{
	const struct fw_flare *f = &inv->flare;
	const struct fw_process *grow = NULL, *cpu = NULL;
	size_t len;

	res->verdict = inv->verdict.kind;
	for (size_t i = 0; i < inv->n_procs; i++) {
		const struct fw_process *p = &inv->procs[i];
		if (p->have_heap_diff && (!grow || p->growth_app_30s > grow->growth_app_30s))
			grow = p;
		if (p->have_cpu && p->top_cpu_app.name && !cpu)
			cpu = p; /* core comes first */
	}
	res->heap_growth_bytes = grow ? (int64_t)grow->growth_app_30s : 0;
	res->hostname = strdup(f->hostname);
	res->agent_version = strdup(f->has_status ? f->status.agent_version : "");
	res->summary = fw_redact(inv->verdict.summary, strlen(inv->verdict.summary), &len);
	res->flare_time = strdup(inv->flare_time);
	res->top_growth_function = grow && grow->top_growth_app.name
					   ? fw_redact(grow->top_growth_app.name, strlen(grow->top_growth_app.name), &len)
					   : strdup("");
	res->top_cpu_function = cpu ? fw_redact(cpu->top_cpu_app.name, strlen(cpu->top_cpu_app.name), &len)
				    : strdup("");
	if (!res->hostname || !res->agent_version || !res->summary || !res->flare_time ||
	    !res->top_growth_function || !res->top_cpu_function)
		return -ENOMEM;
	return 0;
}

static void investigation_free(struct fw_investigation *inv)
{
	for (size_t i = 0; i < inv->n_procs; i++)
		fw_process_free(&inv->procs[i]);
	free(inv->procs);
	fw_verdict_free(&inv->verdict);
	fw_flare_free(&inv->flare);
	free(inv->flare_name);
	free(inv->flare_time);
	free(inv->md_name);
}

int fw_analyze(const char *path, const struct fw_analyze_opts *o, struct fw_analyze_result *res,
	       struct fw_error *err)
{
	struct fw_investigation inv;
	struct fw_thresholds th;
	struct stat st;
	char tmp[4096] = "", when[32];
	const char *dir = path, *name;
	const char *out_dir = o->out_dir ? o->out_dir : o->cfg->investigations_dir;
	size_t len, name_len;
	int r;

	if (o->display_name) {
		name = o->display_name;
		name_len = strlen(name);
	} else {
		name = fw_path_base(path, &name_len);
	}
	memset(res, 0, sizeof(*res));
	memset(&inv, 0, sizeof(inv));
	inv.cfg = o->cfg;
	if (stat(path, &st) < 0)
		return fw_err(err, -errno, "%s: %s", path, strerror(errno));
	if (S_ISREG(st.st_mode)) {
		struct fw_archive_limits lim;
		fw_archive_limits_default(&lim);
		lim.max_entries = o->cfg->archive.max_entries;
		lim.max_total_bytes = o->cfg->archive.max_total_size;
		lim.max_ratio = (uint32_t)o->cfg->archive.max_compression_ratio;
		if ((r = fw_tmpdir_create(o->tmp_parent, "flarewatch-", tmp, sizeof(tmp), err)) < 0)
			return r;
		if ((r = fw_archive_extract(path, tmp, &lim, err)) < 0)
			goto out;
		dir = tmp;
	} else if (!S_ISDIR(st.st_mode)) {
		return fw_err(err, -EINVAL, "%s: not a zip file or a folder", path);
	}

	if (!(inv.flare_name = fw_redact(name, name_len, &len))) {
		r = nomem(err);
		goto out;
	}
	if ((r = fw_flare_open(dir, inv.flare_name, GOROUTINE_WAIT_MINUTES, &inv.flare, err)) < 0) {
		fw_err_prefix(err, "%s", inv.flare_name);
		goto out;
	}
	fw_utc_format(when, sizeof(when), inv.flare.time_ms, FW_UTC_COMPACT);
	if (!(inv.flare_time = strdup(when)) ||
	    asprintf(&inv.md_name, "flare-profiling-%s.md", inv.flare.hostname) < 0) {
		inv.md_name = NULL;
		r = nomem(err);
		goto out;
	}
	inv.procs = calloc(inv.flare.n_procs + 1, sizeof(*inv.procs));
	if (!inv.procs) {
		r = nomem(err);
		goto out;
	}
	for (size_t i = 0; i < inv.flare.n_procs; i++) {
		if ((r = fw_process_analyze(inv.flare.profiles_dir, inv.flare.procs[i], NULL, &inv.procs[i], err)) < 0)
			goto out;
		inv.n_procs++;
	}
	thresholds_from(o->cfg, &th);
	if ((r = fw_verdict_evaluate(inv.procs, inv.n_procs, &th, &inv.verdict, err)) < 0)
		goto out;
	if (fill_result(&inv, res) < 0) {
		r = nomem(err);
		goto out;
	}
	r = write_outputs(&inv, out_dir, res, err);
out:
	if (tmp[0]) {
		struct fw_error e2;
		if (fw_tree_remove(tmp, &e2) < 0 && r == 0)
			r = fw_err(err, -EIO, "%s", e2.msg);
	}
	investigation_free(&inv);
	if (r < 0)
		fw_analyze_result_free(res);
	return r;
}

void fw_analyze_result_free(struct fw_analyze_result *res)
{
	free(res->hostname);
	free(res->agent_version);
	free(res->summary);
	free(res->report_dir);
	free(res->report_path);
	free(res->json_path);
	free(res->flare_time);
	free(res->top_growth_function);
	free(res->top_cpu_function);
	memset(res, 0, sizeof(*res));
}
