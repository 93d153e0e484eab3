/*
 * test_daemonstate.c -- the daemon state file (src/base/daemonstate.c):
 * what fw_daemon_state_write() writes fw_daemon_state_read() reads back,
 * control bytes (a hostile flare file name) stay on their line, a file
 * without state= or pid= or with a bad line is refused naming the file,
 * and fw_daemon_alive() is true only for a live process named flarewatchd
 * (checked on this test program, on a pid that does not exist, and on a
 * child that renamed itself flarewatchd).
 */
#include "base/daemonstate.h"
#include "base/fsutil.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../tap.h"

static char dir[4096];

static char *path_of(const char *name)
{
	static char p[4200];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static int write_text(const char *name, const char *text)
{
	FILE *f = fopen(path_of(name), "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

int main(void)
{
	struct fw_error err;
	struct fw_daemon_state in = { 0 }, out;
	char *names[] = { "a.zip", "evil\n\x1b]0;x\a.zip" };
	int r;

	if (!TAP_OK(fw_tmpdir_create(NULL, "test_daemonstate-", dir, sizeof(dir), &err) == 0,
		    "temporary folder"))
		return tap_done();

	in.state = "analyzing";
	in.analyzing = names;
	in.n_analyzing = 2;
	in.pid = 4242;
	in.version = "1.2.3";
	in.started = 1700000000;
	in.config = "/etc/flarewatch/flarewatch.yaml";
	in.config_loaded = 1700000001;
	in.reload_failed = 1700000002;
	in.reload_error = "x.yaml:1:2: bad\nvalue";
	in.updated = 1700000003;
	in.status = "watching /in; 1 analyzed";
	r = fw_daemon_state_write(path_of(FW_DAEMON_STATE_FILE), &in, &err);
	TAP_EQ_INT(r, 0, "write");
	r = fw_daemon_state_read(path_of(FW_DAEMON_STATE_FILE), &out, &err);
	if (TAP_EQ_INT(r, 0, "read back")) {
		TAP_EQ_STR(out.state, "analyzing", "state");
		TAP_EQ_INT((long long)out.n_analyzing, 2, "two analyzing= lines");
		TAP_EQ_STR(out.analyzing[1], "evil  ]0;x .zip", "control bytes as spaces, on one line");
		TAP_EQ_INT(out.pid, 4242, "pid");
		TAP_EQ_STR(out.version, "1.2.3", "version");
		TAP_EQ_INT((long long)out.started, 1700000000, "started");
		TAP_EQ_STR(out.config, "/etc/flarewatch/flarewatch.yaml", "config");
		TAP_EQ_INT((long long)out.config_loaded, 1700000001, "config_loaded");
		TAP_EQ_INT((long long)out.reload_failed, 1700000002, "reload_failed");
		TAP_EQ_STR(out.reload_error, "x.yaml:1:2: bad value", "reload_error, one line");
		TAP_EQ_INT((long long)out.updated, 1700000003, "updated");
		TAP_EQ_STR(out.status, "watching /in; 1 analyzed", "status");
		fw_daemon_state_free(&out);
	}

	/* no refused reload: no reload_* lines, read back as none */
	in.reload_error = NULL;
	in.n_analyzing = 0;
	in.state = "idle";
	char *text = fw_daemon_state_format(&in);
	TAP_OK(text && !strstr(text, "reload_") && !strstr(text, "analyzing="),
	       "no reload_ or analyzing= lines when there is none");
	free(text);
	TAP_EQ_INT(fw_daemon_state_write(path_of(FW_DAEMON_STATE_FILE), &in, &err), 0, "rewrite");
	if (TAP_EQ_INT(fw_daemon_state_read(path_of(FW_DAEMON_STATE_FILE), &out, &err), 0, "read")) {
		TAP_OK(out.reload_error == NULL && out.reload_failed == 0 && out.n_analyzing == 0,
		       "no refused reload, nothing analyzing");
		fw_daemon_state_free(&out);
	}

	/* refusals name the file */
	TAP_EQ_INT(fw_daemon_state_read(path_of("missing"), &out, &err), -ENOENT, "missing: -ENOENT");
	write_text("nopid", "state=idle\nversion=1\n");
	TAP_EQ_INT(fw_daemon_state_read(path_of("nopid"), &out, &err), -EINVAL, "no pid=: -EINVAL");
	TAP_OK(strstr(err.msg, path_of("nopid")) && strstr(err.msg, "pid="), "... naming the file and pid= (%s)", err.msg);
	write_text("badpid", "state=idle\npid=12x\n");
	TAP_EQ_INT(fw_daemon_state_read(path_of("badpid"), &out, &err), -EINVAL, "pid=12x: -EINVAL");
	TAP_OK(strstr(err.msg, "line 2") != NULL, "... at line 2 (%s)", err.msg);
	write_text("noeq", "state=idle\npid=1\ngarbage\n");
	TAP_EQ_INT(fw_daemon_state_read(path_of("noeq"), &out, &err), -EINVAL, "a line without '=': -EINVAL");
	write_text("newer", "state=idle\npid=7\nfuture_key=x\n");
	if (TAP_EQ_INT(fw_daemon_state_read(path_of("newer"), &out, &err), 0, "an unknown key is ignored"))
		fw_daemon_state_free(&out);

	/* liveness */
	TAP_OK(!fw_daemon_alive((long)getpid()), "this test program is no flarewatchd");
	TAP_OK(!fw_daemon_alive(0) && !fw_daemon_alive(-1), "pid 0 and -1 are none");
	TAP_OK(!fw_daemon_alive(4194304 + 1), "a pid above pid_max is none");
	int pfd[2];
	if (TAP_OK(pipe(pfd) == 0, "pipe")) {
		pid_t c = fork();
		if (c == 0) {
			prctl(PR_SET_NAME, FW_DAEMON_COMM);
			close(pfd[0]);
			if (write(pfd[1], "x", 1) != 1)
				_exit(1);
			pause();
			_exit(0);
		}
		char b;
		close(pfd[1]);
		TAP_OK(c > 0 && read(pfd[0], &b, 1) == 1, "a child renamed itself " FW_DAEMON_COMM);
		TAP_OK(fw_daemon_alive((long)c), "a live process named flarewatchd is alive");
		kill(c, SIGKILL);
		/* a zombie is not alive (polled: the kill takes a moment) */
		bool dead = false;
		for (int i = 0; i < 500 && !(dead = !fw_daemon_alive((long)c)); i++)
			usleep(10000);
		TAP_OK(dead, "... once killed (a zombie), it is not");
		waitpid(c, NULL, 0);
		TAP_OK(!fw_daemon_alive((long)c), "... nor once reaped");
		close(pfd[0]);
	}
	fw_tree_remove(dir, &err);
	return tap_done();
}
