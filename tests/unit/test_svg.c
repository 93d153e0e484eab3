/*
 * test_svg.c: the dot runner of src/pprof/svg.c (fw_svg_start,
 * fw_svg_finish, fw_svg_cancel, fw_svg_from_dot_timeout) with stand-in
 * `dot` programs, small shell scripts written under $TMPDIR and found on
 * PATH as graphviz's would be: one that copies its input (so the SVG is
 * the input itself, which massageSVG leaves alone when it has no '<'), one
 * that fails, one killed by a signal, one that never reads its input, one
 * that hangs. Several children run at once and are collected in any order;
 * afterwards no child is left (waitpid says ECHILD) and no file descriptor
 * is left open (/proc/self/fd counted before and after). What graphviz
 * draws is checked against go tool pprof -svg by tests/integration/dot_svg.sh.
 */
#include "pprof/svg.h"
#include "base/fsutil.h"
#include "base/util.h"

#include "../tap.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

static char tmp[512];

/* Writes <tmp>/<name>/dot, a shell script with body; returns its folder
 * (static: one per name). */
static const char *fake_dot(int slot, const char *name, const char *body)
{
	static char dirs[5][600];
	char *dir = dirs[slot], path[700];
	FILE *f;

	snprintf(dir, sizeof(dirs[0]), "%s/%s", tmp, name);
	snprintf(path, sizeof(path), "%s/dot", dir);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return NULL;
	if (!(f = fopen(path, "w")))
		return NULL;
	fprintf(f, "#!/bin/sh\nPATH=/usr/bin:/bin\n%s\n", body);
	if (fclose(f) != 0 || chmod(path, 0700) < 0)
		return NULL;
	return dir;
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own descriptor */
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One run of fw_svg_from_dot_timeout with the fake dot of folder dir. */
static int run_one(const char *dir, const char *in, unsigned timeout_s, struct fw_buf *out, struct fw_error *e)
{
	setenv("PATH", dir, 1);
	fw_buf_init(out);
	fw_buf_puts(out, in);
	return fw_svg_from_dot_timeout(out, timeout_s, e);
}

int main(void)
{
	const char *t = getenv("TMPDIR");
	const char *copy, *fail, *sig, *noread, *hang;
	struct fw_error e = { { 0 } };
	struct fw_buf out;
	int fds0 = open_fds(), r;
	char big[3][300000];
	struct fw_svg_job jobs[3];
	bool started = true;

	if (fw_tmpdir_create(t && *t ? t : "/tmp", "fw-test-svg-", tmp, sizeof(tmp), &e) < 0) {
		TAP_DIAG("%s", e.msg);
		return tap_done();
	}
	copy = fake_dot(0, "copy", "exec cat");
	fail = fake_dot(1, "fail", "cat >/dev/null; echo 'dot: syntax error' >&2; exit 3");
	sig = fake_dot(2, "sig", "cat >/dev/null; kill -TERM $$");
	noread = fake_dot(3, "noread", "exit 0");
	hang = fake_dot(4, "hang", "exec sleep 30");
	if (!TAP_OK(copy && fail && sig && noread && hang, "the stand-in dot programs are written"))
		goto out;

	/* one child: the output is the input (no '<': massageSVG changes nothing) */
	r = run_one(copy, "digraph { a -> b }\n", 0, &out, &e);
	TAP_EQ_INT(r, 0, "a dot that copies its input: no error (%s)", r ? e.msg : "");
	TAP_EQ_STR(fw_buf_str(&out), "digraph { a -> b }\n", "... its output is the SVG");
	fw_buf_free(&out);

	/* three at once, larger than a pipe's default 64 KiB each way, collected
	 * in reverse order: no deadlock, each gets its own output */
	setenv("PATH", copy, 1);
	for (int i = 0; i < 3; i++) {
		memset(big[i], 'a' + i, sizeof(big[i]) - 1);
		big[i][sizeof(big[i]) - 1] = '\0';
		if (fw_svg_start(&jobs[i], big[i], strlen(big[i]), 0, &e) < 0) {
			TAP_DIAG("%s", e.msg);
			started = false;
		}
	}
	if (TAP_OK(started, "three dot children started at once")) {
		for (int i = 2; i >= 0; i--) {
			fw_buf_init(&out);
			r = fw_svg_finish(&jobs[i], &out, &e);
			TAP_EQ_INT(r, 0, "child %d collected (%s)", i, r ? e.msg : "");
			TAP_OK(out.len == strlen(big[i]) && memcmp(out.data, big[i], out.len) == 0,
			       "child %d: its own %zu bytes back (got %zu)", i, strlen(big[i]), out.len);
			fw_buf_free(&out);
		}
	}

	/* every failure is an error naming dot and what went wrong */
	r = run_one(fail, "digraph { a -> b }\n", 0, &out, &e);
	TAP_EQ_INT(r, -EIO, "a dot that exits 3 fails");
	TAP_OK(strstr(e.msg, "/fail/dot -Tsvg: exited with status 3") != NULL, "... saying so: %s", e.msg);
	TAP_EQ_STR(fw_buf_str(&out), "digraph { a -> b }\n", "... and io is left as it was");
	fw_buf_free(&out);

	r = run_one(sig, "digraph { a -> b }\n", 0, &out, &e);
	TAP_EQ_INT(r, -EIO, "a dot killed by SIGTERM fails");
	TAP_OK(strstr(e.msg, "/sig/dot -Tsvg: killed by signal 15") != NULL, "... saying so: %s", e.msg);
	fw_buf_free(&out);

	r = run_one(noread, "digraph { a -> b }\n", 0, &out, &e);
	TAP_EQ_INT(r, -EIO, "a dot that exits without reading its input fails");
	TAP_OK(strstr(e.msg, "/noread/dot -Tsvg: exited before reading all its input") != NULL, "... saying so: %s",
	       e.msg);
	fw_buf_free(&out);

	{
		double t0 = now_s(), dt;
		r = run_one(hang, "digraph { a -> b }\n", 1, &out, &e);
		dt = now_s() - t0;
		TAP_EQ_INT(r, -ETIMEDOUT, "a dot that hangs is killed at its timeout");
		TAP_OK(strstr(e.msg, "/hang/dot -Tsvg: killed after 1 seconds") != NULL, "... saying so: %s", e.msg);
		TAP_OK(dt >= 0.9 && dt < 10, "... after about 1 s (%.2f s)", dt);
		fw_buf_free(&out);
	}

	{
		char empty[700];
		snprintf(empty, sizeof(empty), "%s/empty", tmp);
		mkdir(empty, 0700);
		r = run_one(empty, "digraph { a -> b }\n", 0, &out, &e);
		TAP_EQ_INT(r, -ENOENT, "no dot on PATH: -ENOENT");
		TAP_OK(strstr(e.msg, "graphviz's dot is not installed") != NULL, "... saying so: %s", e.msg);
		fw_buf_free(&out);
	}

	/* cancelling a running child kills and reaps it at once */
	setenv("PATH", hang, 1);
	if (TAP_EQ_INT(fw_svg_start(&jobs[0], "x", 1, 0, &e), 0, "a hanging dot started")) {
		pid_t pid = jobs[0].pid;
		double t0 = now_s();
		fw_svg_cancel(&jobs[0]);
		TAP_OK(now_s() - t0 < 5, "cancelled without waiting for it");
		TAP_OK(waitpid(pid, NULL, WNOHANG) < 0 && errno == ECHILD, "... and reaped");
	}

	TAP_OK(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD, "no child left behind");
	TAP_EQ_INT(open_fds(), fds0, "no file descriptor left open");
out:
	fw_tree_remove(tmp, &e);
	return tap_done();
}
