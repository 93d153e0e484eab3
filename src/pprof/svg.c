/*
 * svg.c: graphviz's dot run on DOT text, and pprof's massageSVG (svg.h).
 */
#include "pprof/svg.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

char *fw_svg_find_dot(void)
{
	const char *path = getenv("PATH");

	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");
		char *cand = malloc(n + 5);
		struct stat st;
		if (!cand)
			return NULL;
		if (n == 0)
			memcpy(cand, ".", 2), n = 1;
		else
			memcpy(cand, path, n);
		memcpy(cand + n, "/dot", 5);
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
			return cand;
		free(cand);
		path += strcspn(path, ":");
		if (*path == ':')
			path++;
	}
	return NULL;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Kills and reaps j's child if it runs; closes its files. */
void fw_svg_cancel(struct fw_svg_job *j)
{
	if (j->pid > 0) {
		kill(j->pid, SIGKILL);
		while (waitpid(j->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	j->pid = 0;
	close_fd(&j->in_fd);
	close_fd(&j->out_fd);
	free(j->dot);
	j->dot = NULL;
}

/* Writes all of in to fd (a new memory file): 0 or an errno. */
static int write_all(int fd, const char *in, size_t n)
{
	while (n) {
		ssize_t w = write(fd, in, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? errno : EIO;
		in += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Starts `dot -Tsvg` on in: its stdin is a memory file holding all of in
 * (so nothing has to be fed to it while it runs), its stdout a pipe that
 * fw_svg_finish reads. */
int fw_svg_start(struct fw_svg_job *j, const char *in, size_t in_len, unsigned timeout_s, struct fw_error *err)
{
	int out[2] = { -1, -1 }, rc, e;

	*j = (struct fw_svg_job){ .in_fd = -1, .out_fd = -1, .in_len = in_len,
				  .timeout_s = timeout_s ? timeout_s : 60 };
	if (!(j->dot = fw_svg_find_dot()))
		return fw_err(err, -ENOENT,
			      "cannot draw the SVG: graphviz's dot is not installed (not on PATH; on "
			      "Debian: apt install graphviz)");
	j->in_fd = memfd_create("flarewatch-dot-input", MFD_CLOEXEC);
	if (j->in_fd < 0) {
		e = errno;
		rc = fw_err(err, -e, "%s: cannot create a memory file for its input: %s", j->dot, strerror(e));
		goto fail;
	}
	if ((e = write_all(j->in_fd, in, in_len)) == 0 && lseek(j->in_fd, 0, SEEK_SET) < 0)
		e = errno;
	if (e) {
		rc = fw_err(err, -e, "%s: cannot write its input to a memory file: %s", j->dot, strerror(e));
		goto fail;
	}
	if (pipe2(out, O_CLOEXEC) < 0) {
		e = errno;
		rc = fw_err(err, -e, "%s: cannot create a pipe: %s", j->dot, strerror(e));
		goto fail;
	}
	j->out_fd = out[0];
	/* room for a whole graph, so that a child not yet collected can finish
	 * (best effort: the pipe keeps its default size when that is refused) */
	(void)fcntl(out[1], F_SETPIPE_SZ, 1 << 20);
	j->deadline_ms = now_ms() + (int64_t)j->timeout_s * 1000;
	j->pid = fork();
	if (j->pid < 0) {
		e = errno;
		j->pid = 0;
		rc = fw_err(err, -e, "%s: cannot fork: %s", j->dot, strerror(e));
		close(out[1]);
		goto fail;
	}
	if (j->pid == 0) {
		char *const argv[] = { j->dot, (char *)"-Tsvg", NULL };
		if (dup2(j->in_fd, 0) < 0 || dup2(out[1], 1) < 0)
			_exit(126);
		signal(SIGPIPE, SIG_DFL);
		execv(j->dot, argv);
		dprintf(2, "flarewatch: cannot run %s: %s\n", j->dot, strerror(errno));
		_exit(127);
	}
	close(out[1]);
	return 0;
fail:
	fw_svg_cancel(j);
	return rc;
}

/* Reads j's output until it ends or j's deadline passes, then reaps it;
 * the raw SVG into out. Releases j. */
static int finish_raw(struct fw_svg_job *j, struct fw_buf *out, struct fw_error *err)
{
	const char *dot = j->dot;
	int status = 0, rc = 0;
	bool timed_out = false, rerr = false;
	off_t consumed;
	char buf[65536];

	for (;;) {
		struct pollfd pf = { .fd = j->out_fd, .events = POLLIN };
		int64_t left = j->deadline_ms - now_ms();
		int pr = poll(&pf, 1, left > 0 ? (int)left : 0);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0) {
			rerr = true;
			break;
		}
		if (pr == 0) {
			timed_out = true;
			break;
		}
		ssize_t r = read(j->out_fd, buf, sizeof(buf));
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r < 0) {
			rerr = true;
			break;
		}
		if (r == 0)
			break;
		fw_buf_putn(out, buf, (size_t)r);
	}
	close_fd(&j->out_fd);
	if (timed_out || rerr)
		kill(j->pid, SIGKILL);
	while (waitpid(j->pid, &status, 0) < 0) {
		if (errno != EINTR) {
			int e = errno;
			rc = fw_err(err, -e, "%s: waiting for it: %s", dot, strerror(e));
			j->pid = 0; /* not ours to kill any more */
			goto out;
		}
	}
	j->pid = 0;
	/* what the child read of its input: the offset it shares with in_fd */
	consumed = lseek(j->in_fd, 0, SEEK_CUR);
	if (timed_out)
		rc = fw_err(err, -ETIMEDOUT, "%s -Tsvg: killed after %u seconds", dot, j->timeout_s);
	else if (rerr)
		rc = fw_err(err, -EIO, "%s -Tsvg: reading its output failed", dot);
	else if (WIFSIGNALED(status))
		rc = fw_err(err, -EIO, "%s -Tsvg: killed by signal %d", dot, WTERMSIG(status));
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		rc = fw_err(err, -EIO, "%s -Tsvg: exited with status %d%s", dot, WEXITSTATUS(status),
			    WEXITSTATUS(status) == 127 ? " (could not be executed)" : "");
	else if (consumed < 0 || (uint64_t)consumed < j->in_len)
		rc = fw_err(err, -EIO, "%s -Tsvg: exited before reading all its input", dot);
	else if (out->failed)
		rc = fw_err(err, -ENOMEM, "out of memory reading the SVG from %s", dot);
out:
	fw_svg_cancel(j);
	return rc;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* <svg\s*width="[^"]+"\s*height="[^"]+"\s*viewBox="[^"]+" at i: its end, or 0. */
static size_t match_viewbox(const char *s, size_t n, size_t i)
{
	static const char *const attrs[] = { "width=\"", "height=\"", "viewBox=\"" };

	if (n - i < 4 || memcmp(s + i, "<svg", 4) != 0)
		return 0;
	i += 4;
	for (int a = 0; a < 3; a++) {
		size_t al = strlen(attrs[a]), k;
		while (i < n && is_space(s[i]))
			i++;
		if (n - i < al || memcmp(s + i, attrs[a], al) != 0)
			return 0;
		i += al;
		k = i;
		while (i < n && s[i] != '"')
			i++;
		if (i == k || i >= n)
			return 0;
		i++;
	}
	return i;
}

/* Finds the first match of pattern kind in s: 0 viewBox, 1 <g id="graph\d", 2 </svg>. */
static bool find(const char *s, size_t n, int kind, size_t *b, size_t *e)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '<')
			continue;
		if (kind == 0) {
			size_t end = match_viewbox(s, n, i);
			if (end) {
				*b = i;
				*e = end;
				return true;
			}
		} else if (kind == 1) {
			if (n - i >= 13 && memcmp(s + i, "<g id=\"graph", 12) == 0 && s[i + 12] >= '0' &&
			    s[i + 12] <= '9' && n - i >= 14 && s[i + 13] == '"') {
				*b = i;
				*e = i + 14;
				return true;
			}
		} else if (n - i >= 6 && memcmp(s + i, "</svg>", 6) == 0) {
			*b = i;
			*e = i + 6;
			return true;
		}
	}
	return false;
}

void fw_svg_massage(const char *svg, size_t n, struct fw_buf *out)
{
	struct fw_buf a, t;
	size_t b, e;

	fw_buf_init(&a);
	fw_buf_init(&t);
	/* strings.Replace(svg, "&;", "&amp;;", -1) */
	for (size_t i = 0; i < n; i++) {
		if (svg[i] == '&' && i + 1 < n && svg[i + 1] == ';') {
			fw_buf_puts(&a, "&amp;;");
			i++;
		} else {
			fw_buf_putc(&a, svg[i]);
		}
	}
	if (a.failed)
		goto fail;
	if (find(a.data ? a.data : "", a.len, 0, &b, &e)) {
		fw_buf_putn(&t, a.data, b);
		fw_buf_puts(&t, "<svg width=\"100%\" height=\"100%\"");
		fw_buf_putn(&t, a.data + e, a.len - e);
		fw_buf_free(&a);
		a = t;
		fw_buf_init(&t);
	}
	if (a.failed)
		goto fail;
	if (find(a.data ? a.data : "", a.len, 1, &b, &e)) {
		fw_buf_putn(&t, a.data, b);
		fw_buf_puts(&t, "<script type=\"text/ecmascript\"><![CDATA[");
		fw_buf_puts(&t, fw_svgpan_js);
		fw_buf_puts(&t, "]]></script><g id=\"viewport\" transform=\"scale(0.5,0.5) translate(0,0)\">");
		fw_buf_putn(&t, a.data + b, a.len - b);
		fw_buf_free(&a);
		a = t;
		fw_buf_init(&t);
	}
	if (a.failed)
		goto fail;
	if (find(a.data ? a.data : "", a.len, 2, &b, &e)) {
		fw_buf_putn(out, a.data, b);
		fw_buf_puts(out, "</g>");
		fw_buf_putn(out, a.data + b, a.len - b);
	} else {
		fw_buf_putn(out, a.data ? a.data : "", a.len);
	}
	fw_buf_free(&a);
	fw_buf_free(&t);
	return;
fail:
	out->failed = true;
	fw_buf_free(&a);
	fw_buf_free(&t);
}

int fw_svg_finish(struct fw_svg_job *j, struct fw_buf *svg, struct fw_error *err)
{
	struct fw_buf raw;
	int r;

	fw_buf_init(&raw);
	r = finish_raw(j, &raw, err);
	if (r == 0) {
		fw_svg_massage(raw.data ? raw.data : "", raw.len, svg);
		if (svg->failed)
			r = fw_err(err, -ENOMEM, "out of memory massaging the SVG");
	}
	fw_buf_free(&raw);
	return r;
}

int fw_svg_from_dot_timeout(struct fw_buf *io, unsigned timeout_s, struct fw_error *err)
{
	struct fw_svg_job j;
	struct fw_buf svg;
	int r = fw_svg_start(&j, io->data ? io->data : "", io->len, timeout_s, err);

	if (r < 0)
		return r;
	fw_buf_init(&svg);
	r = fw_svg_finish(&j, &svg, err);
	if (r == 0) {
		fw_buf_free(io);
		*io = svg;
	} else {
		fw_buf_free(&svg);
	}
	return r;
}

int fw_svg_from_dot(struct fw_buf *io, struct fw_error *err)
{
	return fw_svg_from_dot_timeout(io, 0, err);
}
