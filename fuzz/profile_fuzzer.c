/*
 * profile_fuzzer.c: libFuzzer harness for the profile decoder and
 * everything downstream of it.
 *
 * Each input is decoded with small limits. When decoding succeeds:
 *  1. encode round trip: encode(p) (gzipped or not, chosen by the input)
 *     must decode again, and re-encoding that must give exactly the bytes
 *     of encode(p), else the harness aborts;
 *  2. fw_meta_write on the decoded profile; then the profile combined with
 *     itself as a -diff_base or -base (fw_profiles_combine: merged in place,
 *     the pair hashing only the base's samples), through fw_report_init
 *     with default options and each report writer below (top, collapsed,
 *     the SVG flame graph, peek, traces, dot: graph and call tree in
 *     strict mode, whose lines must keep their strings closed; list), one fresh
 *     report per writer (a report is built for one writer, as the CLI
 *     does);
 *  3. the profile merged in place (fw_profile_compact, the CLI's path for a
 *     single file) through one writer, with the writer and the options
 *     (sample index, granularity, sort, noinlines, nodecount, focus/ignore,
 *     the CLI's dropping of what a writer no longer reads) taken from the
 *     input's last bytes.
 * 0. a gzipped input is also written to a memfd and read back with
 *    fw_profile_read(), which inflates a file 64 KiB at a time: it must
 *    succeed or fail exactly as decoding from memory, with the same
 *    profile (same encoding), else the harness aborts.
 * Everything is freed, so LeakSanitizer reports leaks as crashes.
 *
 * Build and run: `make fuzz`, `make fuzz-run FUZZ_SECONDS=600`
 * (fuzz/Makefile.inc). Reproduce: fuzz/profile_fuzzer CRASH-FILE.
 */
#include "pprof/dot.h"
#include "pprof/encode.h"
#include "pprof/flamegraph.h"
#include "pprof/list.h"
#include "pprof/merge.h"
#include "pprof/meta.h"
#include "pprof/peek.h"
#include "pprof/report.h"
#include "pprof/svg.h"
#include "pprof/top.h"
#include "pprof/traces.h"

#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct fw_decode_limits limits = {
	.max_file_bytes = 64u << 20,
	.max_decoded_bytes = 64u << 20,
	.max_sample_types = 64,
};

static int write_top(struct fw_report *r, struct fw_buf *out, struct fw_error *err)
{
	return fw_top_write(r, out, err);
}

/*
 * Report writers the harness drives; set one to 0 to leave it out of a
 * run (`make fuzz FUZZ_DEFS='-DFUZZ_PEEK=0'`).
 */
#ifndef FUZZ_PEEK
#define FUZZ_PEEK 1 /* fw_peek_write(r, ".", ...) */
#endif
#ifndef FUZZ_TRACES
#define FUZZ_TRACES 1 /* fw_traces_write */
#endif
#ifndef FUZZ_COLLAPSED
#define FUZZ_COLLAPSED 1 /* fw_collapsed_write: src/pprof/flamegraph.c */
#endif
#ifndef FUZZ_FLAMEGRAPH
#define FUZZ_FLAMEGRAPH 1 /* fw_flamegraph_write (SVG): src/pprof/flamegraph.c */
#endif
#ifndef FUZZ_DOT
#define FUZZ_DOT 1 /* fw_dot_write (graph and call tree): src/pprof/dot.c */
#endif
#ifndef FUZZ_LIST
#define FUZZ_LIST 1 /* fw_list_write(r, ".", ...): src/pprof/list.c, sources from fuzz_open */
#endif
#ifndef FUZZ_META
#define FUZZ_META 1 /* fw_meta_write on the decoded profile: src/pprof/meta.c */
#endif

#if FUZZ_PEEK
static int write_peek(struct fw_report *r, struct fw_buf *out, struct fw_error *err)
{
	return fw_peek_write(r, ".", out, err);
}
#endif
#if FUZZ_TRACES
static int write_traces(struct fw_report *r, struct fw_buf *out, struct fw_error *err)
{
	return fw_traces_write(r, out, err);
}
#endif
#if FUZZ_LIST
/* list.h's open callback without I/O: what a path "holds" follows from a
 * hash of its bytes: not found, a folder (empty), short lines with CRLF
 * and no final newline, or a line of 64 KiB in the middle. */
static int fuzz_open(void *ctx, const char *path, uint64_t max_lines, struct fw_buf *data)
{
	unsigned h = 5381;

	(void)ctx;
	(void)max_lines;
	for (const char *c = path; *c; c++)
		h = h * 33 + (unsigned char)*c;
	switch (h % 5) {
	case 0: return -ENOENT;
	case 1: return 0;
	case 2:
		for (int i = 1; i <= 60; i++)
			fw_buf_printf(data, "line %d\t<&>\r\n", i);
		fw_buf_puts(data, "last line without newline");
		return 0;
	case 3:
		for (int i = 1; i <= 30; i++) {
			if (i == 12)
				for (int k = 0; k < 65536; k++)
					fw_buf_putc(data, 'x');
			fw_buf_printf(data, "src %d\n", i);
		}
		return 0;
	default:
		fw_buf_putn(data, "a\0b\n\n\n", 6);
		return 0;
	}
}

static int write_list(struct fw_report *r, struct fw_buf *out, struct fw_error *err)
{
	struct fw_list_opts a = { .cwd = "/work/agent", .open = fuzz_open };
	/* the last use of the report: the CLI's, dropping the profile's arrays */
	struct fw_list_opts b = { .source_path = "src:/opt/x/:", .trim_path = "/omnibus/src:",
				  .open = fuzz_open, .drop_profile = true };
	int rc = fw_list_write(r, ".", &a, out, err);

	return rc < 0 ? rc : fw_list_write(r, "^$|main", &b, out, err);
}
#endif
#if FUZZ_COLLAPSED
static int write_collapsed(struct fw_report *r, struct fw_buf *out, struct fw_error *err)
{
	return fw_collapsed_write(r, out, err);
}
#endif
#if FUZZ_FLAMEGRAPH
/* Classes from the names themselves: some runtime, some a component named
 * by the (hostile) function name, the rest other code. */
static struct fw_flame_class fuzz_class(const char *fn, void *ctx)
{
	(void)ctx;
	switch ((unsigned char)fn[0] % 3) {
	case 0: return (struct fw_flame_class){ NULL, true };
	case 1: return (struct fw_flame_class){ fn, false };
	default: return (struct fw_flame_class){ NULL, false };
	}
}

static int write_flamegraph(struct fw_report *r, struct fw_buf *out, struct fw_error *err)
{
	struct fw_flamegraph_opts classes = { .title = "fuzz <&\"'>", .classify = fuzz_class };
	struct fw_flamegraph_opts growth = { .title = "fuzz growth", .growth = true };
	int rc = fw_flamegraph_write(r, &classes, out, err);

	return rc < 0 ? rc : fw_flamegraph_write(r, &growth, out, err);
}
#endif

#if FUZZ_DOT
/* In strict mode every DOT line must keep its strings closed: an even
 * number of unescaped '"' (a hostile name must not end a string). */
static void check_dot_quoting(const struct fw_buf *b)
{
	size_t quotes = 0, line = 1;

	for (size_t i = 0; i < b->len; i++) {
		if (b->data[i] == '\\') {
			i++;
		} else if (b->data[i] == '"') {
			quotes++;
		} else if (b->data[i] == '\n') {
			if (quotes % 2) {
				fprintf(stderr, "dot: line %zu leaves a string open\n", line);
				abort();
			}
			quotes = 0;
			line++;
		}
	}
}

static int write_dot(struct fw_report *r, struct fw_buf *out, struct fw_error *err)
{
	struct fw_dot_opts graph = { .strict = true }, tree = { .call_tree = true, .strict = true };
	struct fw_buf svg;
	int rc;

	r->o.nodecount = 80;
	rc = fw_dot_write(r, &graph, out, err);
	if (rc == 0 && !out->failed)
		check_dot_quoting(out);
	/* pprof's massageSVG on whatever text (no graphviz here) */
	fw_buf_init(&svg);
	fw_svg_massage(out->data ? out->data : "", out->len, &svg);
	fw_buf_free(&svg);
	out->len = 0;
	if (rc == 0)
		rc = fw_dot_write(r, &tree, out, err);
	if (rc == 0 && !out->failed)
		check_dot_quoting(out);
	return rc;
}
#endif

/* The report writers run on every decoded profile. */
static const struct writer {
	const char *name;
	int (*write)(struct fw_report *r, struct fw_buf *out, struct fw_error *err);
} writers[] = {
	{ "top", write_top },
#if FUZZ_PEEK
	{ "peek", write_peek },
#endif
#if FUZZ_TRACES
	{ "traces", write_traces },
#endif
#if FUZZ_LIST
	{ "list", write_list },
#endif
#if FUZZ_COLLAPSED
	{ "collapsed", write_collapsed },
#endif
#if FUZZ_FLAMEGRAPH
	{ "flamegraph", write_flamegraph },
#endif
#if FUZZ_DOT
	{ "dot", write_dot },
#endif
};

static void check_round_trip(const struct fw_profile *p, bool gzip)
{
	struct fw_profile *q = NULL;
	struct fw_error err;
	uint8_t *a = NULL, *b = NULL, *z = NULL;
	size_t alen, blen, zlen;

	if (fw_profile_encode(p, false, &a, &alen, &err) < 0) {
		/* Only allocation failures are acceptable for a decoded profile. */
		fprintf(stderr, "encode failed: %s\n", err.msg);
		abort();
	}
	if (gzip && fw_profile_encode(p, true, &z, &zlen, &err) < 0) {
		fprintf(stderr, "gzip encode failed: %s\n", err.msg);
		abort();
	}
	if (fw_profile_decode(gzip ? z : a, gzip ? zlen : alen, "round-trip", &limits, &q, &err) < 0) {
		fprintf(stderr, "decode(encode(p)) failed: %s\n", err.msg);
		abort();
	}
	if (fw_profile_encode(q, false, &b, &blen, &err) < 0) {
		fprintf(stderr, "re-encode failed: %s\n", err.msg);
		abort();
	}
	if (alen != blen || memcmp(a, b, alen) != 0) {
		fprintf(stderr, "encode(decode(encode(p))) != encode(p): %zu vs %zu bytes\n", blen, alen);
		abort();
	}
	fw_profile_free(q);
	free(a);
	free(b);
	free(z);
}

/* fw_profile_read of the same bytes, put in a memfd, agrees with p / rc. */
static void check_file_path(const uint8_t *data, size_t size, const struct fw_profile *p, int rc)
{
	struct fw_profile *q = NULL;
	struct fw_error err;
	uint8_t *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;
	char path[64];
	int fd, rq;

	if (size < 2 || data[0] != 0x1f || data[1] != 0x8b)
		return;
	fd = memfd_create("fuzz", MFD_CLOEXEC);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	rq = fw_profile_read(path, &limits, &q, &err);
	close(fd);
	if ((rq < 0) != (rc < 0) || (rq < 0 && rq != rc)) {
		fprintf(stderr, "file read gives %d, memory %d: %s\n", rq, rc, err.msg);
		abort();
	}
	if (rq < 0)
		return;
	if (fw_profile_encode(p, false, &a, &alen, &err) < 0 ||
	    fw_profile_encode(q, false, &b, &blen, &err) < 0 || alen != blen || memcmp(a, b, alen)) {
		fprintf(stderr, "file read and memory decode give different profiles\n");
		abort();
	}
	free(a);
	free(b);
	fw_profile_free(q);
}

static void run_writer(struct fw_profile *p, const struct writer *w, bool diff)
{
	struct fw_report_opts o;
	struct fw_report r;
	struct fw_profile *c = NULL;
	struct fw_error err;
	struct fw_buf out;

	if (fw_profiles_combine(&p, 1, &p, 1, diff, &c, &err) < 0)
		return;
	fw_report_opts_default(&o);
	if (fw_report_init(&r, c, &o, &err) < 0) /* owns c even on failure */
		return;
	fw_buf_init(&out);
	(void)w->write(&r, &out, &err);
	fw_buf_free(&out);
	fw_report_free(&r);
}

/* Report options from the input's last bytes, so the corpus explores them. */
static void opts_from(const uint8_t *data, size_t size, struct fw_report_opts *o)
{
	static const char *const indexes[] = { NULL, "0", "1", "2", "alloc_space", "inuse_objects", "-1" };
	static const char *const regexes[] = { NULL, "main", "runtime\\.", "(", "." };
	uint8_t a = size > 0 ? data[size - 1] : 0, b = size > 1 ? data[size - 2] : 0;
	uint8_t c = size > 3 ? data[size - 4] : 0; /* bits 0, 1: LLVMFuzzerTestOneInput's */

	fw_report_opts_default(o);
	o->granularity = (enum fw_granularity)(a % 5);
	o->cum_sort = a & 0x08;
	o->noinlines = a & 0x10;
	o->nodecount = a & 0x20 ? (b & 0x0f) : 0;
	if (a & 0x40)
		o->nodefraction = o->edgefraction = 0;
	else if (c & 0x10) /* a cut that drops more, and with it nodes between kept ones */
		o->nodefraction = 0.05;
	o->drop_negative = c & 0x04;
	o->mean = c & 0x08;
	o->sample_index = indexes[(b >> 4) % (sizeof(indexes) / sizeof(indexes[0]))];
	if (a & 0x80) {
		o->focus = regexes[b % 5];
		o->ignore = regexes[(b >> 2) % 5];
	}
	/* pprof's trimPath of the file names (-trim_path, -source_path) */
	if (b & 0x01)
		o->trim_path = "/omnibus/src:/:";
	if (b & 0x02)
		o->source_path = "/work/datadog-agent:src";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const size_t n_writers = sizeof(writers) / sizeof(writers[0]);
	struct fw_profile *p = NULL;
	const struct writer *w;
	struct fw_report_opts o;
	struct fw_report r;
	struct fw_error err;
	struct fw_buf out;

	int rc = fw_profile_decode(data, size, "fuzz", &limits, &p, &err);

	check_file_path(data, size, p, rc);
	if (rc < 0)
		return 0;
	check_round_trip(p, size & 1);
#if FUZZ_META
	fw_buf_init(&out);
	(void)fw_meta_write(p, "fuzz", &out, &err);
	fw_buf_free(&out);
#endif
	for (size_t i = 0; i < n_writers; i++)
		run_writer(p, &writers[i], !(size > 3 && (data[size - 4] & 1)));
	if (fw_profile_compact(p, &err) < 0) {
		fw_profile_free(p);
		return 0;
	}
	opts_from(data, size, &o);
	w = &writers[(size > 2 ? data[size - 3] : 0) % n_writers];
	/* as the CLI: list makes its own graph and reads the locations, every
	 * other writer can have them freed */
	if (size > 3 && (data[size - 4] & 2)) {
#if FUZZ_LIST
		o.no_node_table = w->write == write_list;
#endif
		o.drop_locations = !o.no_node_table;
	}
	if (fw_report_init(&r, p, &o, &err) < 0)
		return 0;
	fw_buf_init(&out);
	(void)w->write(&r, &out, &err);
	fw_buf_free(&out);
	fw_report_free(&r);
	return 0;
}
