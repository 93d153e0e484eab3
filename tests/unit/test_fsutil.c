/*
 * test_fsutil.c: unit tests for src/base/fsutil.c on a scratch folder under
 * $TMPDIR (default /tmp): temporary folder creation (where, mode, refusals,
 * out cleared on failure), tree removal of nested and read-only trees, mkdir
 * -p, and atomic writes (content, exact mode, replacement, no leftovers).
 * Symlink and depth cases of fw_tree_remove are in test_extract.c.
 */
#include "../tap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fsutil.h"

static char root[PATH_MAX];

static bool exists(const char *p)
{
	struct stat st;
	return lstat(p, &st) == 0;
}

static mode_t mode_of(const char *p)
{
	struct stat st;
	return lstat(p, &st) == 0 ? st.st_mode & 07777 : (mode_t)-1;
}

static void put(const char *p, const char *text)
{
	FILE *f = fopen(p, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(p);
		exit(99);
	}
}

static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
	closedir(d);
	return n;
}

static bool has_content(const char *p, const char *want)
{
	char buf[256] = "";
	FILE *f = fopen(p, "r");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	return n == strlen(want) && memcmp(buf, want, n) == 0;
}

static void test_tmpdir(void)
{
	struct fw_error err = { "" };
	char out[PATH_MAX], want[PATH_MAX + 16], small[8];
	const char *old = getenv("TMPDIR");
	char *saved = old ? strdup(old) : NULL;

	if (TAP_EQ_INT(fw_tmpdir_create(root, "fw-", out, sizeof(out), &err), 0, "a temporary folder in a parent")) {
		snprintf(want, sizeof(want), "%s/fw-", root);
		TAP_OK(strncmp(out, want, strlen(want)) == 0 && strlen(out) == strlen(want) + 6,
		       "named <parent>/<prefix>XXXXXX: %s", out);
		TAP_EQ_INT(mode_of(out), 0700, "with mode 0700");
		TAP_EQ_INT(entries(out), 0, "and empty");
	}
	setenv("TMPDIR", root, 1);
	if (TAP_EQ_INT(fw_tmpdir_create(NULL, NULL, out, sizeof(out), &err), 0, "parent NULL: in $TMPDIR"))
		TAP_OK(strncmp(out, root, strlen(root)) == 0 && out[strlen(root)] == '/', "... which is %s", root);
	setenv("TMPDIR", "", 1);
	if (TAP_EQ_INT(fw_tmpdir_create(NULL, "fwtest-", out, sizeof(out), &err), 0, "an empty $TMPDIR: in /tmp")) {
		TAP_OK(strncmp(out, "/tmp/fwtest-", 12) == 0, "... %s", out);
		rmdir(out);
	}
	if (saved) {
		setenv("TMPDIR", saved, 1);
		free(saved);
	} else {
		unsetenv("TMPDIR");
	}
	strcpy(out, "junk");
	TAP_EQ_INT(fw_tmpdir_create(root, "a/b", out, sizeof(out), &err), -EINVAL, "a prefix with '/' is refused");
	TAP_EQ_STR(out, "", "... and out is cleared");
	strcpy(small, "junk");
	TAP_OK(fw_tmpdir_create(root, "fw-", small, sizeof(small), &err) < 0, "an out buffer too small is refused");
	TAP_EQ_STR(small, "", "... and out is cleared");
	snprintf(want, sizeof(want), "%s/no/such/parent", root);
	strcpy(out, "junk");
	TAP_OK(fw_tmpdir_create(want, "fw-", out, sizeof(out), &err) < 0 && strstr(err.msg, want),
	       "a missing parent is an error naming it: %s", err.msg);
	TAP_EQ_STR(out, "", "... and out is cleared");
}

static void test_tree_remove(void)
{
	struct fw_error err = { "" };
	char tree[PATH_MAX], p[PATH_MAX + 64];
	int r;

	snprintf(tree, sizeof(tree), "%s/tree", root);
	snprintf(p, sizeof(p), "%s/a/b/c/d", tree);
	TAP_EQ_INT(fw_mkdir_p(p, 0755, &err), 0, "fw_mkdir_p makes a/b/c/d");
	TAP_EQ_INT(mode_of(p) & 0700, 0700, "... the last folder with (at least) the owner's rwx");
	TAP_EQ_INT(fw_mkdir_p(p, 0755, &err), 0, "fw_mkdir_p of an existing path is fine");
	snprintf(p, sizeof(p), "%s/a/b/c/d/file", tree);
	put(p, "x");
	chmod(p, 0400);
	snprintf(p, sizeof(p), "%s/a/b/c/d", tree);
	chmod(p, 0500); /* read-only folder holding a read-only file */
	snprintf(p, sizeof(p), "%s/a/b/c", tree);
	chmod(p, 0100); /* searchable, not readable */
	snprintf(p, sizeof(p), "%s/a/top", tree);
	put(p, "y");
	snprintf(p, sizeof(p), "%s/a", tree);
	chmod(p, 0); /* no access at all */
	r = fw_tree_remove(tree, &err);
	if (!TAP_EQ_INT(r, 0, "a nested tree with read-only and inaccessible folders is removed"))
		TAP_DIAG("%s", err.msg);
	TAP_OK(!exists(tree), "... completely");
	TAP_EQ_INT(entries(root), 0, "... and nothing beside it");

	snprintf(p, sizeof(p), "%s/plain-file", root);
	put(p, "z");
	TAP_EQ_INT(fw_tree_remove(p, &err), 0, "a plain file is removed too");
	TAP_OK(!exists(p), "... gone");
}

static void test_write_atomic(void)
{
	struct fw_error err = { "" };
	char p[PATH_MAX * 2], dir[PATH_MAX + 64];
	mode_t old = umask(077);

	snprintf(dir, sizeof(dir), "%s/w", root);
	mkdir(dir, 0700);
	snprintf(p, sizeof(p), "%s/report.json", dir);
	TAP_EQ_INT(fw_write_file_atomic(p, "first\n", 6, 0644, &err), 0, "an atomic write");
	TAP_OK(has_content(p, "first\n"), "... writes the data");
	TAP_EQ_INT(mode_of(p), 0644, "... with the mode asked, not narrowed by the umask");
	put(p, "old content that is longer\n");
	TAP_EQ_INT(fw_write_file_atomic(p, "new\n", 4, 0600, &err), 0, "an atomic write over a file");
	TAP_OK(has_content(p, "new\n"), "... replaces it whole");
	TAP_EQ_INT(mode_of(p), 0600, "... with the new mode");
	TAP_EQ_INT(fw_write_file_atomic(p, "", 0, 0640, &err), 0, "an empty write");
	TAP_OK(has_content(p, ""), "... leaves an empty file");
	TAP_EQ_INT(entries(dir), 1, "no temporary file is left beside it");

	snprintf(p, sizeof(p), "%s/sub", dir);
	mkdir(p, 0700);
	TAP_OK(fw_write_file_atomic(p, "x", 1, 0644, &err) < 0 && strstr(err.msg, "sub"),
	       "writing over a folder fails, naming it: %s", err.msg);
	TAP_EQ_INT(entries(dir), 2, "... and leaves no temporary file");
	snprintf(p, sizeof(p), "%s/missing/file", dir);
	TAP_OK(fw_write_file_atomic(p, "x", 1, 0644, &err) < 0 && strstr(err.msg, "missing"),
	       "writing into a missing folder fails, naming it: %s", err.msg);
	umask(old);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	struct fw_error err = { "" };

	snprintf(root, sizeof(root), "%s/test_fsutil.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 99;
	}
	test_tmpdir();
	{
		/* the folders test_tmpdir made: removed before the tree tests count */
		DIR *d = opendir(root);
		struct dirent *de;
		char p[PATH_MAX + 256];
		while (d && (de = readdir(d)))
			if (de->d_name[0] != '.') {
				snprintf(p, sizeof(p), "%s/%s", root, de->d_name);
				rmdir(p);
			}
		if (d)
			closedir(d);
	}
	test_tree_remove();
	test_write_atomic();
	TAP_EQ_INT(fw_tree_remove(root, &err), 0, "the scratch folder is removed");
	return tap_done();
}
