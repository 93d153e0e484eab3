/*
 * mkprofile.c -- writes a gzipped profile.proto whose busiest function has
 * a name read byte for byte from a file, for tests/analyze/injection.sh:
 *
 *     mkprofile KIND OUT NAMEFILE TIME_NANOS SCALE
 *
 * KIND is cpu (samples/count, cpu/nanoseconds), heap (alloc_objects,
 * alloc_space, inuse_objects, inuse_space) or delay (contentions/count,
 * delay/nanoseconds, for block and mutex profiles). Two stacks:
 * NAME <- main.main with value 9 * SCALE and
 * github.com/DataDog/datadog-agent/pkg/ok.Run <- main.main with SCALE (in
 * every column, times 10 ms for nanoseconds and 4 KiB for bytes). The name
 * may hold any byte but NUL (C strings end there). Exit status 0, or 1 with
 * a message.
 */
#include "pprof/encode.h"
#include "pprof/profile.h"
#include "profbuild.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_name(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s = NULL;
	size_t n = 0, cap = 0;
	int c;

	if (!f)
		return NULL;
	while ((c = getc(f)) != EOF) {
		if (n + 2 > cap) {
			cap = cap ? cap * 2 : 4096;
			s = xrealloc(s, cap);
		}
		s[n++] = (char)c;
	}
	fclose(f);
	s = xrealloc(s, n + 1);
	s[n] = 0;
	return s;
}

int main(int argc, char **argv)
{
	struct fw_profile *p;
	struct fw_error err = { { 0 } };
	char *name;
	int64_t t, k;
	uint32_t fmain, fname, fok, lmain, lname, lok;

	if (argc != 6) {
		fprintf(stderr, "usage: mkprofile cpu|heap|delay OUT NAMEFILE TIME_NANOS SCALE\n");
		return 1;
	}
	if (!(name = read_name(argv[3]))) {
		fprintf(stderr, "mkprofile: %s: %s\n", argv[3], strerror(errno));
		return 1;
	}
	t = strtoll(argv[4], NULL, 10);
	k = strtoll(argv[5], NULL, 10);
	if (strcmp(argv[1], "cpu") == 0) {
		p = prof("cpu", "nanoseconds", 10000000, 2, "samples", "count", "cpu", "nanoseconds");
		p->duration_nanos = 30000000000LL;
	} else if (strcmp(argv[1], "heap") == 0) {
		p = prof("space", "bytes", 524288, 4, "alloc_objects", "count", "alloc_space", "bytes",
			 "inuse_objects", "count", "inuse_space", "bytes");
	} else if (strcmp(argv[1], "delay") == 0) {
		p = prof("contentions", "count", 1, 2, "contentions", "count", "delay", "nanoseconds");
	} else {
		fprintf(stderr, "mkprofile: unknown kind %s\n", argv[1]);
		return 1;
	}
	p->time_nanos = t;
	fmain = func(p, "main.main", "main.go");
	fname = func(p, name, "evil/evil.go");
	fok = func(p, "github.com/DataDog/datadog-agent/pkg/ok.Run", "pkg/ok/run.go");
	lmain = loc(p, fmain);
	lname = loc(p, fname);
	lok = loc(p, fok);
	if (p->n_sample_types == 2) {
		sample(p, LOCS(lname, lmain), VALS(9 * k, 9 * k * 10000000), NULL);
		sample(p, LOCS(lok, lmain), VALS(k, k * 10000000), NULL);
	} else {
		sample(p, LOCS(lname, lmain), VALS(9 * k, 9 * k * 4096, 9 * k, 9 * k * 4096), NULL);
		sample(p, LOCS(lok, lmain), VALS(k, k * 4096, k, k * 4096), NULL);
	}
	if (fw_profile_write_file(p, argv[2], &err) < 0) {
		fprintf(stderr, "mkprofile: %s\n", err.msg);
		return 1;
	}
	fw_profile_free(p);
	free(name);
	return 0;
}
