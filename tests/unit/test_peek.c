/*
 * test_peek.c -- `flarewatch pprof peek` written to a stream: a node whose
 * edges print far more than the 32 KiB the report is written in gives the
 * same bytes as the report made in memory, every edge once, and a regexp
 * without a match writes nothing.
 */
#include "pprof/peek.h"
#include "pprof/profile.h"
#include "pprof/report.h"

#include "../tap.h"
#include "profbuild.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CALLERS 3000
#define MS 1000000LL

/* main -> caller_i -> hub for CALLERS callers with long names, caller i
 * (i + 1) ms: hub's peek block alone is ~300 KiB. */
static struct fw_profile *hub_profile(void)
{
	struct fw_profile *p = prof("cpu", "nanoseconds", 1, 1, "cpu", "nanoseconds");
	uint32_t lmain = loc(p, func(p, "main.main", "main.go"));
	uint32_t lhub = loc(p, func(p, "main.hub", "main.go"));

	for (int i = 0; i < CALLERS; i++) {
		char name[128];
		uint32_t lc;
		int64_t v = (i + 1) * MS;
		snprintf(name, sizeof(name), "github.com/example/a/very/long/package/path.(*Caller).Method%04d", i);
		lc = loc(p, func(p, name, "main.go"));
		sample(p, LOCS(lhub, lc, lmain), VALS(v), NULL);
	}
	return p;
}

static char *peek_mem(const char *regex, int *rc)
{
	struct fw_report r;
	struct fw_report_opts o;
	struct fw_error err = { "" };
	struct fw_buf out;

	fw_report_opts_default(&o);
	if ((*rc = fw_report_init(&r, hub_profile(), &o, &err)) < 0)
		return NULL;
	fw_buf_init(&out);
	*rc = fw_peek_write(&r, regex, &out, &err);
	fw_report_free(&r);
	if (*rc < 0 || out.failed) {
		fw_buf_free(&out);
		return NULL;
	}
	return out.data;
}

/* The streamed report, read back from a temporary file. */
static char *peek_file(const char *regex, int *rc, long *len)
{
	struct fw_report r;
	struct fw_report_opts o;
	struct fw_error err = { "" };
	FILE *f = tmpfile();
	char *s = NULL;

	*len = -1;
	fw_report_opts_default(&o);
	if (!f || (*rc = fw_report_init(&r, hub_profile(), &o, &err)) < 0) {
		if (f)
			fclose(f);
		*rc = -EIO;
		return NULL;
	}
	*rc = fw_peek_stream(&r, regex, f, &err);
	fw_report_free(&r);
	if ((*len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 && (s = calloc(1, (size_t)*len + 1)) &&
	    fread(s, 1, (size_t)*len, f) != (size_t)*len) {
		free(s);
		s = NULL;
	}
	fclose(f);
	return s;
}

static size_t count(const char *s, const char *needle)
{
	size_t n = 0;

	for (const char *p = s; p && (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

int main(void)
{
	int rc_mem, rc_file;
	long len;
	char *mem = peek_mem("^main\\.hub$", &rc_mem);
	char *file = peek_file("^main\\.hub$", &rc_file, &len);

	TAP_EQ_INT(rc_mem, 0, "peek in memory succeeds");
	TAP_EQ_INT(rc_file, 0, "peek streamed succeeds");
	TAP_OK(len > (256 << 10), "the report is over 256 KiB (%ld bytes): written in several pieces", len);
	TAP_OK(mem && file && strcmp(mem, file) == 0, "streamed bytes are the report's");
	TAP_EQ_UINT(count(file, "|   github.com/example/a/very/long/package/path.(*Caller).Method"), CALLERS,
		    "every caller listed once");
	/* the heaviest caller first (pprof's order), its share of hub's cum
	 * 3000 / 4501500 as pprof's %5.2g */
	{
		static const char want[] =
			" 3000ms 0.067% |   github.com/example/a/very/long/package/path.(*Caller).Method2999\n";
		const char *first = file ? strstr(file, "ms 0.0") : NULL; /* the first edge line */
		TAP_OK(first && strncmp(first - 5, want, strlen(want)) == 0,
		       "caller 2999 first, with its 3000ms (the report in ms: 4501500ms in all)");
	}
	free(mem);
	free(file);

	file = peek_file("^nothing$", &rc_file, &len);
	TAP_EQ_INT(rc_file, -ENOENT, "no match: an error");
	TAP_EQ_INT(len, 0, "no match: nothing written");
	free(file);
	return tap_done();
}
