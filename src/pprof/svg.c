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

/* Runs `dot -Tsvg` with in on its stdin; its stdout into out. */
static int run_dot(const char *dot, const char *in, size_t in_len, unsigned timeout_s,
		   struct fw_buf *out, struct fw_error *err)
{
	int to_child[2] = { -1, -1 }, from_child[2] = { -1, -1 }, status = 0;
	size_t written = 0;
	int64_t deadline = now_ms() + (int64_t)timeout_s * 1000;
	bool timed_out = false, rerr = false;
	pid_t pid;
	char buf[65536];

	if (pipe2(to_child, O_CLOEXEC) < 0 || pipe2(from_child, O_CLOEXEC) < 0) {
		int e = errno;
		if (to_child[0] >= 0) {
			close(to_child[0]);
			close(to_child[1]);
		}
		return fw_err(err, -e, "%s: cannot create a pipe: %s", dot, strerror(e));
	}
	pid = fork();
	if (pid < 0) {
		int e = errno;
		close(to_child[0]);
		close(to_child[1]);
		close(from_child[0]);
		close(from_child[1]);
		return fw_err(err, -e, "%s: cannot fork: %s", dot, strerror(e));
	}
	if (pid == 0) {
		char *const argv[] = { (char *)dot, (char *)"-Tsvg", NULL };
		if (dup2(to_child[0], 0) < 0 || dup2(from_child[1], 1) < 0)
			_exit(126);
		signal(SIGPIPE, SIG_DFL);
		execv(dot, argv);
		dprintf(2, "flarewatch: cannot run %s: %s\n", dot, strerror(errno));
		_exit(127);
	}
	close(to_child[0]);
	close(from_child[1]);
	/* a dot that exits early must not kill us with SIGPIPE */
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_pipe;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old_pipe);
	fcntl(to_child[1], F_SETFL, O_NONBLOCK);
	if (in_len == 0) {
		close(to_child[1]);
		to_child[1] = -1;
	}
	for (;;) {
		struct pollfd pf[2];
		int nf = 0, left = (int)(deadline - now_ms());
		if (left <= 0) {
			timed_out = true;
			break;
		}
		pf[nf++] = (struct pollfd){ .fd = from_child[0], .events = POLLIN };
		if (to_child[1] >= 0)
			pf[nf++] = (struct pollfd){ .fd = to_child[1], .events = POLLOUT };
		int pr = poll(pf, (nfds_t)nf, left);
		if (pr < 0) {
			if (errno == EINTR)
				continue;
			rerr = true;
			break;
		}
		if (nf == 2 && (pf[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
			ssize_t w = write(to_child[1], in + written, in_len - written);
			if (w > 0)
				written += (size_t)w;
			if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == in_len) {
				close(to_child[1]);
				to_child[1] = -1;
			}
		}
		if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r = read(from_child[0], buf, sizeof(buf));
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				rerr = true;
				break;
			}
			if (r == 0)
				break;
			fw_buf_putn(out, buf, (size_t)r);
		}
	}
	if (to_child[1] >= 0)
		close(to_child[1]);
	close(from_child[0]);
	sigaction(SIGPIPE, &old_pipe, NULL);
	if (timed_out || rerr)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return fw_err(err, -errno, "%s: waiting for it: %s", dot, strerror(errno));
	}
	if (timed_out)
		return fw_err(err, -ETIMEDOUT, "%s -Tsvg: killed after %u seconds", dot, timeout_s);
	if (rerr)
		return fw_err(err, -EIO, "%s -Tsvg: reading its output failed", dot);
	if (WIFSIGNALED(status))
		return fw_err(err, -EIO, "%s -Tsvg: killed by signal %d", dot, WTERMSIG(status));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return fw_err(err, -EIO, "%s -Tsvg: exited with status %d%s", dot, WEXITSTATUS(status),
			      WEXITSTATUS(status) == 127 ? " (could not be executed)" : "");
	if (written != in_len)
		return fw_err(err, -EIO, "%s -Tsvg: exited before reading all its input", dot);
	if (out->failed)
		return fw_err(err, -ENOMEM, "out of memory reading the SVG from %s", dot);
	return 0;
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

int fw_svg_from_dot_timeout(struct fw_buf *io, unsigned timeout_s, struct fw_error *err)
{
	char *dot = fw_svg_find_dot();
	struct fw_buf raw, svg;
	int r;

	if (!dot)
		return fw_err(err, -ENOENT,
			      "cannot draw the SVG: graphviz's dot is not installed (not on PATH; on "
			      "Debian: apt install graphviz)");
	fw_buf_init(&raw);
	fw_buf_init(&svg);
	r = run_dot(dot, io->data ? io->data : "", io->len, timeout_s ? timeout_s : 60, &raw, err);
	free(dot);
	if (r == 0) {
		fw_svg_massage(raw.data ? raw.data : "", raw.len, &svg);
		if (svg.failed) {
			r = fw_err(err, -ENOMEM, "out of memory massaging the SVG");
		} else {
			fw_buf_free(io);
			*io = svg;
			fw_buf_init(&svg);
		}
	}
	fw_buf_free(&raw);
	fw_buf_free(&svg);
	return r;
}

int fw_svg_from_dot(struct fw_buf *io, struct fw_error *err)
{
	return fw_svg_from_dot_timeout(io, 0, err);
}
