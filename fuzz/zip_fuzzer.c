/*
 * zip_fuzzer.c: libFuzzer harness for the zip extractor (our own checks of
 * the end record, central directory and local headers, then libarchive)
 * and for reading the extracted flare (root finding, inventory, every text
 * parser, process discovery).
 *
 * Each input is written to a file in a private scratch folder and extracted
 * with small limits (200 entries, 8 MiB) into a fresh, empty folder, which
 * must then hold nothing but folders and regular files: whatever the
 * archive claims, extraction never leaves a symlink, device or FIFO
 * behind and never writes outside the folder (the scratch folder holds
 * only in.zip and x/, checked after every run). When extraction succeeds,
 * the folder is opened as a flare. The folder is removed after each input.
 *
 * Build and run: `make fuzz`, `make fuzz-run-zip FUZZ_SECONDS=600`
 * (fuzz/Makefile.inc). Reproduce: fuzz/zip_fuzzer FILE.
 */
#include "flare/extract.h"
#include "flare/flare.h"
#include "base/fsutil.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char scratch[4096];

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "zip_fuzzer: %s: %s\n", what, msg);
	abort();
}

static void setup(void)
{
	struct fw_error err;

	if (scratch[0])
		return;
	if (fw_tmpdir_create(NULL, "zip-fuzzer-", scratch, sizeof(scratch), &err) < 0)
		die("scratch folder", err.msg);
}

/* Everything below dir is a folder or a regular file. */
static void check_tree(int dirfd, const char *path)
{
	DIR *d = fdopendir(dirfd);
	struct dirent *e;

	if (!d)
		die(path, "fdopendir failed");
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			die(e->d_name, "fstatat failed");
		if (S_ISDIR(st.st_mode)) {
			int fd = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0)
				die(e->d_name, "cannot open an extracted folder");
			check_tree(fd, e->d_name);
		} else if (!S_ISREG(st.st_mode)) {
			die(e->d_name, "extraction left something that is neither file nor folder");
		}
	}
	closedir(d);
}

/* The scratch folder holds in.zip and, at most, x/. */
static void check_scratch(void)
{
	DIR *d = opendir(scratch);
	struct dirent *e;

	if (!d)
		die(scratch, "opendir failed");
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, "in.zip") &&
		    strcmp(e->d_name, "x"))
			die(e->d_name, "written outside the extraction folder");
	closedir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fw_archive_limits lim = { .max_entries = 200, .max_total_bytes = 8u << 20, .max_ratio = 200 };
	struct fw_error err = { { 0 } };
	char zip[4200], dir[4200];
	int fd, r;

	setup();
	snprintf(zip, sizeof(zip), "%s/in.zip", scratch);
	snprintf(dir, sizeof(dir), "%s/x", scratch);
	fd = open(zip, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || fw_write_all(fd, data, size) < 0 || close(fd) < 0)
		die(zip, "cannot write the input");
	if (mkdir(dir, 0700) < 0)
		die(dir, "mkdir failed");

	r = fw_archive_extract(zip, dir, &lim, &err);
	if (r < 0 && !err.msg[0])
		die(zip, "extraction failed without a message");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		die(dir, "the extraction folder is gone");
	check_tree(fd, dir);
	check_scratch();
	if (r == 0) {
		struct fw_flare f;
		memset(&f, 0, sizeof(f));
		if (fw_flare_open(dir, "in.zip", 10, &f, &err) == 0)
			fw_flare_free(&f);
	}
	if (fw_tree_remove(dir, &err) < 0)
		die(dir, err.msg);
	return 0;
}
