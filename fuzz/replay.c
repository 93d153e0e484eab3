/*
 * replay.c: a main() for a libFuzzer harness built without libFuzzer, so
 * that `make check` (and its ASan+UBSan build) runs every harness over its
 * seed corpus and over the inputs that once crashed it.
 *
 *     replay_zip [FILE_OR_FOLDER...]
 *
 * Without arguments it replays the folders compiled in as REPLAY_DIRS
 * (colon-separated, relative to $abs_top_srcdir, which `make check` sets;
 * a folder that does not exist is skipped, so a harness may list its
 * regressions folder before it holds anything). Feeds each file (each regular file of each folder, sorted by name) to
 * LLVMFuzzerTestOneInput once and prints one TAP line per input; a
 * harness that finds a broken property aborts, which the TAP driver
 * reports with the inputs that passed before it. Inputs larger than
 * 16 MiB are refused.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_MAX_BYTES (16u << 20)

static int n_run, n_failed;

static void run_file(const char *path)
{
	struct fw_error err;
	uint8_t *data = NULL;
	size_t len = 0;
	int r;

	r = fw_read_file(path, REPLAY_MAX_BYTES, &data, &len, &err);
	n_run++;
	if (r < 0) {
		n_failed++;
		printf("not ok %d - %s\n# %s\n", n_run, path, err.msg);
		fflush(stdout);
		return;
	}
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	printf("ok %d - %s (%zu bytes)\n", n_run, path, len);
	fflush(stdout);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_folder(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;

	if (!d) {
		n_run++;
		n_failed++;
		printf("not ok %d - %s\n# %s\n", n_run, dir, strerror(errno));
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (fw_grow((void **)&names, &cap, n + 1, sizeof(*names)) < 0 ||
		    !(names[n] = malloc(strlen(dir) + strlen(e->d_name) + 2))) {
			fprintf(stderr, "replay: out of memory\n");
			exit(99);
		}
		sprintf(names[n++], "%s/%s", dir, e->d_name);
	}
	closedir(d);
	fw_qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
			run_file(names[i]);
		free(names[i]);
	}
	free(names);
}

static void run_arg(const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		run_folder(path);
	else
		run_file(path);
}

/* The compiled-in folders below $abs_top_srcdir (or the working folder). */
static void run_default(void)
{
#ifdef REPLAY_DIRS
	const char *top = getenv("abs_top_srcdir");
	const char *s = REPLAY_DIRS;
	char path[4096];

	while (*s) {
		size_t n = strcspn(s, ":");
		struct stat st;
		snprintf(path, sizeof(path), "%s/%.*s", top && *top ? top : ".", (int)n, s);
		if (stat(path, &st) == 0)
			run_arg(path);
		else
			printf("# %s: not there, skipped\n", path);
		s += n + (s[n] == ':');
	}
#endif
}

int main(int argc, char **argv)
{
	if (argc == 1)
		run_default();
	for (int i = 1; i < argc; i++)
		run_arg(argv[i]);
	printf("1..%d\n", n_run);
	return n_failed ? 1 : 0;
}
