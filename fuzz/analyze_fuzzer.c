/*
 * analyze_fuzzer.c: libFuzzer harness for the whole analysis: the input is
 * unpacked into a flare folder, which fw_analyze() models, analyzes per
 * process, judges and writes out (Markdown, JSON, flame graphs, index).
 *
 * Input format: a sequence of records
 *
 *     [tag: 1 byte][length: 4 bytes, little-endian][length bytes]
 *
 * (a length past the end of the input is cut to what is left; a trailing
 * partial header is ignored). tag & 0x0f picks the file (slots[] below),
 * tag & 0x80 gzips the bytes before writing them (flares hold gzipped
 * profiles; the seeds keep them decompressed with this bit set, so that
 * mutations reach the protobuf decoder rather than break the gzip CRC).
 * A later record for the same file replaces the earlier one. The files go
 * to <scratch>/in/fuzz-host/, which fw_flare_open finds as the flare root;
 * fuzz/gen_seeds.py packs every fixture flare of tests/fixtures/flares/ in
 * this format (fuzz/corpus/analyze/).
 *
 * Checks: fw_analyze succeeds unless out of memory (the flare root is
 * there, and whatever the files hold is a note in the report, never a
 * failed analysis: issue 9; build with FUZZ_DEFS=-DFUZZ_MUST_SUCCEED=0 to
 * only require that a failure carries a message); a success names a report folder
 * below the output folder holding the Markdown and JSON reports, and every
 * result string is set; with FUZZ_CLEAN_OUTPUT=1, every file of the report
 * folder (Markdown, JSON, SVG) is valid UTF-8 without a raw control
 * character (C0 but tab and newline, DEL, C1) or bidi control, however
 * hostile the flare's strings (on by default; FUZZ_DEFS=-DFUZZ_CLEAN_OUTPUT=0
 * turns it off); fw_analyze writes nothing into its temporary
 * parent. The input and output folders are removed after each run, so each
 * run starts from an empty investigations folder (index included). The
 * scratch folder is made under /dev/shm when it exists (a tmpfs: no disk
 * I/O per run), else under $TMPDIR or /tmp. Everything is freed, so
 * LeakSanitizer reports leaks as crashes. The scratch folder is removed at
 * exit (not after a crash).
 *
 * Build and run: `make fuzz`, `bash fuzz/run.sh SRCDIR SECONDS analyze`
 * (fuzz/Makefile.inc, fuzz/README.md). Reproduce: fuzz/analyze_fuzzer FILE.
 */
#include "investigate/investigate.h"
#include "base/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HOST_DIR "fuzz-host"
#define FLARE_NAME "datadog-agent-2024-10-02T14-21-52Z-info.zip"

/* tag & 0x0f -> file below the flare root; keep gen_seeds.py's SLOTS alike. */
static const char *const slots[16] = {
	"profiles/core-1st-heap.pprof",	 "profiles/core-2nd-heap.pprof",
	"profiles/core-cpu.pprof",	 "profiles/core-block.pprof",
	"profiles/core-mutex.pprof",	 "profiles/trace-1st-heap.pprof",
	"profiles/trace-2nd-heap.pprof", "profiles/trace-cpu.pprof",
	"profiles/trace-block.pprof",	 "profiles/trace-mutex.pprof",
	"expvar/memstats",		 "status.log",
	"go-routine-dump.log",		 "install_info.log",
	"profiles/process-agent-cpu.pprof", "profiles/process-agent-2nd-heap.pprof",
};
#define TAG_GZIP 0x80

#ifndef FUZZ_CLEAN_OUTPUT
#define FUZZ_CLEAN_OUTPUT 1
#endif

#ifndef FUZZ_MUST_SUCCEED
#define FUZZ_MUST_SUCCEED 1
#endif

static char scratch[4096];
static struct fw_config cfg;

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "analyze_fuzzer: %s: %s\n", what, msg);
	abort();
}

/* At exit (libFuzzer's end, or replay's): the scratch folder goes. */
static void teardown(void)
{
	struct fw_error err;
	fw_tree_remove(scratch, &err);
	fw_config_free(&cfg);
}

static void setup(void)
{
	struct fw_error err;
	struct stat st;
	char tmp[4200];

	if (scratch[0])
		return;
	fw_config_defaults(&cfg);
	if (fw_tmpdir_create(stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK) == 0
				     ? "/dev/shm"
				     : NULL,
			     "analyze-fuzzer-", scratch, sizeof(scratch), &err) < 0)
		die("scratch folder", err.msg);
	snprintf(tmp, sizeof(tmp), "%s/tmp", scratch);
	if (mkdir(tmp, 0700) < 0)
		die(tmp, "mkdir failed");
	atexit(teardown);
}

/* gzip (fixed header, like the seeds) into a malloc'd buffer. */
static uint8_t *gzip_bytes(const uint8_t *in, size_t len, size_t *out_len)
{
	z_stream zs;
	uint8_t *out;
	size_t cap;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		die("gzip", "deflateInit2 failed");
	cap = deflateBound(&zs, len);
	if (!(out = malloc(cap)))
		die("gzip", "out of memory");
	zs.next_in = (Bytef *)in;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
		die("gzip", "deflate failed");
	*out_len = zs.total_out;
	deflateEnd(&zs);
	return out;
}

static void write_slot(const char *root, unsigned tag, const uint8_t *d, size_t len)
{
	const char *rel = slots[tag & 0x0f];
	char path[4400];
	uint8_t *z = NULL;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (tag & TAG_GZIP) {
		z = gzip_bytes(d, len, &len);
		d = z;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || fw_write_all(fd, d, len) < 0 || close(fd) < 0)
		die(path, "cannot write");
	free(z);
}

static void unpack(const char *root, const uint8_t *data, size_t size)
{
	char path[4400];

	snprintf(path, sizeof(path), "%s/profiles", root);
	if (mkdir(root, 0700) < 0 || mkdir(path, 0700) < 0)
		die(path, "mkdir failed");
	snprintf(path, sizeof(path), "%s/expvar", root);
	if (mkdir(path, 0700) < 0)
		die(path, "mkdir failed");
	while (size >= 5) {
		unsigned tag = data[0];
		size_t len = (size_t)data[1] | (size_t)data[2] << 8 | (size_t)data[3] << 16 | (size_t)data[4] << 24;
		data += 5;
		size -= 5;
		if (len > size)
			len = size;
		write_slot(root, tag, data, len);
		data += len;
		size -= len;
	}
}

static bool is_regular(const char *path)
{
	struct stat st;
	return path && lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static void check_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		die(dir, "opendir failed");
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			die(e->d_name, "left behind in the analysis's temporary parent");
	closedir(d);
}

/* Length of the valid UTF-8 sequence at s (n > 0 bytes left), its code
 * point in *cp; 0 if invalid (overlong, surrogate, > U+10FFFF, truncated).
 * The harness's own decoder, so that it checks the library's escaping
 * against an independent reading. */
static size_t utf8_seq(const uint8_t *s, size_t n, uint32_t *cp)
{
	size_t len = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
	static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	uint32_t c;

	if (len == 0 || len > n)
		return 0;
	c = len == 1 ? s[0] : (uint32_t)(s[0] & (0x7f >> len));
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min[len] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Offset of the first byte of s that starts an invalid UTF-8 sequence or an
 * unsafe character (see FUZZ_CLEAN_OUTPUT), or len if there is none. */
static size_t first_unsafe(const uint8_t *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint32_t cp;
		size_t n = utf8_seq(s + i, len - i, &cp);
		if (n == 0)
			return i;
		if ((cp < 0x20 && cp != '\t' && cp != '\n') || (cp >= 0x7f && cp < 0xa0) ||
		    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e ||
		    cp == 0x200f || cp == 0x061c)
			return i;
		i += n;
	}
	return len;
}

static void check_clean(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		die(dir, "opendir failed");
	while ((e = readdir(d)) != NULL) {
		struct fw_error err;
		char path[4400];
		uint8_t *data;
		size_t len, at;
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (fw_read_file(path, (size_t)1 << 30, &data, &len, &err) < 0)
			die(path, err.msg);
		if ((at = first_unsafe(data, len)) < len) {
			fprintf(stderr, "analyze_fuzzer: %s: byte %zu: 0x%02x\n", path, at, data[at]);
			die(e->d_name, "an unsafe character or invalid UTF-8 in an output");
		}
		free(data);
	}
	closedir(d);
}

static void check_result(const struct fw_analyze_result *res, const char *out)
{
	size_t ol = strlen(out);

	if (!res->hostname || !res->agent_version || !res->summary || !res->flare_time ||
	    !res->top_growth_function || !res->top_cpu_function)
		die("result", "a result string is missing");
	if (!res->report_dir || strncmp(res->report_dir, out, ol) != 0 || res->report_dir[ol] != '/')
		die("result", "the report folder is not below the output folder");
	if (!is_regular(res->report_path))
		die("result", "the Markdown report is not a regular file");
	if (!is_regular(res->json_path))
		die("result", "report.json is not a regular file");
	if (FUZZ_CLEAN_OUTPUT)
		check_clean(res->report_dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fw_error err = { { 0 } };
	struct fw_analyze_opts o;
	struct fw_analyze_result res;
	char in[4200], root[4300], out[4200], tmp[4200];
	int r;

	setup();
	snprintf(in, sizeof(in), "%s/in", scratch);
	snprintf(root, sizeof(root), "%s/%s", in, HOST_DIR);
	snprintf(out, sizeof(out), "%s/out", scratch);
	snprintf(tmp, sizeof(tmp), "%s/tmp", scratch);
	if (mkdir(in, 0700) < 0 || mkdir(out, 0700) < 0)
		die(scratch, "mkdir failed");
	unpack(root, data, size);

	memset(&o, 0, sizeof(o));
	o.cfg = &cfg;
	o.out_dir = out;
	o.tmp_parent = tmp;
	o.display_name = FLARE_NAME;
	r = fw_analyze(in, &o, &res, &err);
	if (r < 0 && !err.msg[0])
		die("fw_analyze", "failed without a message");
	if (r < 0 && FUZZ_MUST_SUCCEED && r != -ENOMEM)
		die("fw_analyze failed on a flare that has a root", err.msg);
	if (r == 0) {
		check_result(&res, out);
		fw_analyze_result_free(&res);
	}
	check_empty(tmp);
	if (fw_tree_remove(in, &err) < 0 || fw_tree_remove(out, &err) < 0)
		die(scratch, err.msg);
	return 0;
}
