/*
 * test_symbolize.c -- src/pprof/symbolize.c where go tool pprof gives no
 * golden (tests/golden/symnotes.sh has those): flarewatch's limit on the
 * files tried for one profile, the modes that print no local notes, a
 * profile without mappings, pprof's unsourceMappings (which file names Go's
 * net/url.Parse takes for absolute URLs: as go tool pprof showed, by the
 * url-* goldens and by hand), long names cut.
 */
#include "pprof/symbolize.h"
#include "../tap.h"
#include "profbuild.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static size_t count_lines(const char *s, const char *prefix)
{
	size_t n = 0, pl = strlen(prefix);

	for (const char *l = s; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, prefix, pl))
			n++;
	return n;
}

/* A CPU profile with one sample whose location is in mapping 0. */
static struct fw_profile *one_sample(const char *file)
{
	struct fw_profile *p = prof("cpu", "nanoseconds", 1, 1, "cpu", "nanoseconds");
	uint32_t m = mapping(p, file, 0x1000, 0x2000);
	uint32_t l = location(p, m, 0x1100, 0, NULL, NULL);

	sample(p, LOCS(l), VALS(10), NULL);
	return p;
}

static void run(struct fw_profile *p, const char *mode, const char *bp, struct fw_buf *loc, struct fw_buf *notes)
{
	struct fw_symbolize s;
	struct fw_error err = { "" };

	fw_symbolize_parse(mode, &s);
	fw_buf_init(loc);
	fw_buf_init(notes);
	TAP_EQ_INT(fw_symbolize_notes(p, &s, bp, NULL, loc, notes, &err), 0, "notes for -symbolize=%s",
		   mode ? mode : "(default)");
}

/* 400 mappings with a build ID whose folder holds 200 files that start
 * like ELF objects: 80,000 candidates, cut at 65,536 with one note. */
static void test_budget(void)
{
	char dir[] = "/tmp/fw-symbolize.XXXXXX", path[256];
	struct fw_profile *p;
	struct fw_buf loc, notes;
	size_t ignoring;

	if (!mkdtemp(dir)) {
		TAP_OK(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/bid", dir);
	mkdir(path, 0700);
	for (int i = 0; i < 200; i++) {
		snprintf(path, sizeof(path), "%s/bid/f%03d", dir, i);
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || write(fd, "\177ELF\2\1\1\0", 8) != 8)
			TAP_OK(0, "writing %s", path);
		if (fd >= 0)
			close(fd);
	}
	p = one_sample("");
	for (int i = 0; i < 400; i++) {
		uint32_t m = mapping(p, "", 0x10000 * (uint64_t)(i + 1), 0x10000 * (uint64_t)(i + 1) + 0x1000);
		p->mappings[m].build_id = S(p, "bid");
	}
	run(p, "none", dir, &loc, &notes);
	ignoring = count_lines(fw_buf_str(&loc), "Ignoring local file ");
	TAP_EQ_INT(count_lines(fw_buf_str(&loc), "flarewatch: not looking for more local binaries (65536 files tried)"),
		   1, "one note when the limit is reached");
	TAP_OK(ignoring > 60000 && ignoring < 65536, "%zu build-id mismatches before the limit", ignoring);
	TAP_EQ_INT(notes.len, 0, "-symbolize=none: no local notes");
	fw_buf_free(&loc);
	fw_buf_free(&notes);
	fw_profile_free(p);
	for (int i = 0; i < 200; i++) {
		snprintf(path, sizeof(path), "%s/bid/f%03d", dir, i);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/bid", dir);
	rmdir(path);
	rmdir(dir);
}

static void test_modes(void)
{
	struct fw_profile *p = one_sample("/nonexistent/app");
	struct fw_buf loc, notes;
	static const char want[] =
		"Local symbolization failed for app: open /nonexistent/app: no such file or directory\n"
		"Some binary filenames not available. Symbolization may be incomplete.\n"
		"Try setting PPROF_BINARY_PATH to the search path for local binaries.\n";

	run(p, NULL, "/nonexistent", &loc, &notes);
	TAP_EQ_STR(fw_buf_str(&notes), want, "default: pprof's notes");
	fw_buf_free(&notes);
	fw_buf_free(&loc);
	run(p, "local:remote", "/nonexistent", &loc, &notes);
	TAP_EQ_INT(notes.len, 0, "remote (the last wins): no local notes");
	fw_buf_free(&notes);
	fw_buf_free(&loc);
	p->mappings[0].has_functions = true;
	run(p, "fastlocal", "/nonexistent", &loc, &notes);
	TAP_EQ_INT(notes.len, 0, "a symbolized mapping: no notes");
	fw_buf_free(&notes);
	fw_buf_free(&loc);
	run(p, "fastlocal:force", "/nonexistent", &loc, &notes);
	TAP_EQ_STR(fw_buf_str(&notes), want, "force: the symbolized mapping too");
	fw_buf_free(&notes);
	fw_buf_free(&loc);
	fw_profile_free(p);
}

static void test_no_mappings(void)
{
	struct fw_profile *p = prof("cpu", "nanoseconds", 1, 1, "cpu", "nanoseconds");
	uint32_t l = location(p, FW_NONE, 0x1100, 0, NULL, NULL);
	struct fw_buf loc, notes;

	sample(p, LOCS(l), VALS(10), NULL);
	run(p, NULL, NULL, &loc, &notes);
	TAP_EQ_STR(fw_buf_str(&notes), "Main binary filename not available.\n",
		   "no mappings: pprof's fake main mapping has no file");
	fw_buf_free(&notes);
	fw_buf_free(&loc);
	fw_profile_free(p);
}

static void test_unsource(void)
{
	static const struct {
		const char *file, *build_id;
		bool cleared;
	} cases[] = {
		{ "http://example.com/app", "", true },
		{ "https://example.com/app", "abc", false },
		{ "C:\\Program Files\\app.exe", "", true },
		{ "mailto:x", "", true },
		{ "/usr/bin/app", "", false },
		{ "1http://example.com/app", "", false },
		{ "http://ex ample.com/app", "", false },
		{ "http://example.com/a%zz", "", false },
		{ "http://example.com/app#50%", "", false },
		{ "http://h:8x/app", "", false },
		{ "http://[fe80::1%25en0]:80/app", "", true },
		{ "http://a b@h/app", "", false },
		{ "http://u:p@h/app", "", true },
	};
	struct fw_profile *p = prof("cpu", "nanoseconds", 1, 1, "cpu", "nanoseconds");

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t m = mapping(p, cases[i].file, 0, 0);
		p->mappings[m].build_id = S(p, cases[i].build_id);
	}
	fw_symbolize_unsource(p);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		TAP_EQ_INT(p->mappings[i].filename == 0, cases[i].cleared, "%s%s%s: %s", cases[i].file,
			   *cases[i].build_id ? " build ID " : "", cases[i].build_id,
			   cases[i].cleared ? "an absolute URL, cleared" : "kept");
	fw_profile_free(p);
}

static void test_long_name(void)
{
	char name[6001];
	struct fw_profile *p;
	struct fw_buf loc, notes;

	memset(name, 'a', sizeof(name) - 1);
	name[0] = '/';
	name[sizeof(name) - 1] = 0;
	p = one_sample(name);
	run(p, NULL, "/nonexistent", &loc, &notes);
	TAP_OK(strstr(fw_buf_str(&notes), ": file name too long\n") && strstr(fw_buf_str(&notes), "bytes cut)") &&
		       notes.len < 2 * 4096 + 400,
	       "a 6000-byte name: pprof's error, the names cut (%zu bytes)", notes.len);
	fw_buf_free(&notes);
	fw_buf_free(&loc);
	fw_profile_free(p);
}

int main(void)
{
	test_budget();
	test_modes();
	test_no_mappings();
	test_unsource();
	test_long_name();
	return tap_done();
}
