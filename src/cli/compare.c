/*
 * compare.c: `flarewatch compare OLD NEW [-o DIR] [-c FILE] [--json]`, two
 * flares (zips, extracted folders or report folders) compared by the
 * library's fw_compare(). Without -o the Markdown (or, with --json, the
 * JSON) goes to stdout; with -o DIR, DIR gets compare.md, compare.json and
 * a differential flame graph per process and diff.
 */
#include "investigate/compare.h"
#include "cli.h"
#include "base/fsutil.h"
#include "base/limits.h"
#include "base/outtext.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static void usage(FILE *f)
{
	fputs("Usage: flarewatch compare OLD NEW [-o DIR] [-c FILE] [--json]\n"
	      "Compare two flares of an agent: what grew in the heap between them (the new\n"
	      "flare's 2nd heap snapshot against the old one's, by function and component), CPU\n"
	      "per second and where it moved (pprof -normalize), block and mutex delay per\n"
	      "second, expvar memstats, goroutines, checks added, removed or slower, and the\n"
	      "agent version. OLD and NEW are flare zips, extracted flare folders, or report\n"
	      "folders of the investigations tree (their flare is taken from state_dir/done/).\n"
	      "\n"
	      "  -o, --output DIR   write DIR/compare.md, DIR/compare.json and the differential\n"
	      "                     flame graphs <process>-heap-diff.svg, <process>-cpu-diff.svg\n"
	      "  -c, --config FILE  configuration (archive limits, state_dir)\n"
	      "                     (default " FW_CONFIG_PATH " if it exists)\n"
	      "      --json         print compare.json instead of the Markdown\n"
	      "  -h, --help         show this help\n"
	      "Exit status: 0 compared, 1 an input could not be read or compared, 2 usage error.\n",
	      f);
}

static void put_error(const char *msg)
{
	struct fw_buf b;

	fw_buf_init(&b);
	fw_out_plain(&b, msg, FW_OUT_TEXT_MAX);
	fprintf(stderr, "flarewatch compare: %s\n", b.failed ? "(out of memory)" : fw_buf_str(&b));
	fw_buf_free(&b);
}

static int write_one(const char *dir, const char *name, const char *data, size_t len, struct fw_error *err)
{
	char path[4400];

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return fw_err(err, -ENAMETOOLONG, "%s/%s: path too long", dir, name);
	return fw_write_file_atomic(path, data, len, 0644, err);
}

static int write_dir(const struct fw_comparison *c, const char *dir, const struct fw_buf *md,
		     const struct fw_buf *js, struct fw_error *err)
{
	int r;

	if ((r = fw_mkdir_p(dir, 0755, err)) < 0 || (r = write_one(dir, "compare.md", md->data, md->len, err)) < 0 ||
	    (r = write_one(dir, "compare.json", js->data, js->len, err)) < 0)
		return r;
	for (size_t i = 0; i < c->n_procs; i++) {
		const struct fw_cmp_proc *p = &c->procs[i];
		const struct fw_cmp_diff *d[2] = { &p->heap, &p->cpu_norm };
		const char *what[2] = { "heap", "cpu" };
		for (int k = 0; k < 2; k++) {
			char name[160];
			if (!d[k]->done || !d[k]->top.svg)
				continue;
			fw_compare_svg_name(name, sizeof(name), p->name, what[k]);
			if ((r = write_one(dir, name, d[k]->top.svg, strlen(d[k]->top.svg), err)) < 0)
				return r;
		}
	}
	return 0;
}

int cli_compare(int argc, char **argv)
{
	const char *config = NULL, *out = NULL, *paths[2] = { NULL, NULL };
	bool json = false;
	size_t n_paths = 0;
	struct fw_config cfg;
	struct fw_compare_opts o;
	struct fw_comparison c;
	struct fw_error err;
	struct fw_buf md, js;
	int rc = EXIT_ANALYSIS, r;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--json")) {
			json = true;
		} else if ((r = cli_output_config_opt("compare", argc, argv, &i, &out, &config)) != 0) {
			if (r < 0)
				return EXIT_USAGE;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "flarewatch compare: unknown option '%s' (see flarewatch compare --help)\n", a);
			return EXIT_USAGE;
		} else if (n_paths < 2) {
			paths[n_paths++] = a;
		} else {
			fprintf(stderr, "flarewatch compare: one OLD and one NEW, not more (see flarewatch compare --help)\n");
			return EXIT_USAGE;
		}
	}
	if (n_paths != 2) {
		fprintf(stderr, "flarewatch compare: needs OLD and NEW (see flarewatch compare --help)\n");
		return EXIT_USAGE;
	}
	if (cli_config_load(config, true, &cfg) < 0)
		return EXIT_ANALYSIS;
	/* the analysis memory limit, as flarewatch analyze's child runs under */
	if (fw_memory_limit_applies() &&
	    fw_rlimit_lower(RLIMIT_AS, "analysis.memory_limit", cfg.analysis.memory_limit, cfg.analysis.memory_limit,
			    &err) < 0) {
		put_error(err.msg);
		fw_config_free(&cfg);
		return EXIT_ANALYSIS;
	}
	memset(&o, 0, sizeof(o));
	o.cfg = &cfg;
	fw_buf_init(&md);
	fw_buf_init(&js);
	if (fw_compare(paths[0], paths[1], &o, &c, &err) < 0) {
		put_error(err.msg);
		goto out;
	}
	if ((!json || out) && fw_compare_markdown(&c, &md, &err) < 0) {
		put_error(err.msg);
		goto out;
	}
	if ((json || out) && fw_compare_json(&c, &js, &err) < 0) {
		put_error(err.msg);
		goto out;
	}
	if (out && write_dir(&c, out, &md, &js, &err) < 0) {
		put_error(err.msg);
		goto out;
	}
	if (json)
		fwrite(js.data, 1, js.len, stdout);
	else if (out)
		printf("%s/compare.md\n", out);
	else
		fwrite(md.data, 1, md.len, stdout);
	rc = fflush(stdout) == 0 ? 0 : EXIT_ANALYSIS;
out:
	fw_compare_free(&c);
	fw_buf_free(&md);
	fw_buf_free(&js);
	fw_config_free(&cfg);
	return rc;
}
