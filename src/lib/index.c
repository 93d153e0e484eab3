/*
 * index.c: the investigations index (see index.h).
 */
#include "index.h"
#include "fsutil.h"
#include "redact.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define MAX_INDEX (64u << 20)

/* One TSV field: redacted, with tabs, newlines and control bytes as spaces. */
static void field(struct fw_buf *b, const char *s)
{
	size_t len;
	char *r = fw_redact(s ? s : "", strlen(s ? s : ""), &len);

	if (!r) {
		b->failed = true;
		return;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)r[i];
		fw_buf_putc(b, c < 0x20 || c == 0x7f ? ' ' : (char)c);
	}
	free(r);
}

struct line {
	char *f[6];
};

static int cmp_line(const void *a, const void *b)
{
	const struct line *x = a, *y = b;
	int r = strcmp(y->f[0], x->f[0]); /* newest first */
	return r ? r : strcmp(x->f[5], y->f[5]);
}

/* Markdown table cell: pipes escaped, nothing else needed after field(). */
static void cell(struct fw_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '|' || *s == '\\' || *s == '`' || *s == '*' || *s == '_' || *s == '[' || *s == ']' ||
		    *s == '<' || *s == '>')
			fw_buf_putc(b, '\\');
		fw_buf_putc(b, *s);
	}
}

static int render(const char *dir, char *tsv, size_t len, struct fw_error *err)
{
	struct line *lines = NULL;
	size_t n = 0, cap = 0;
	struct fw_buf md;
	char path[4096];
	int r;

	for (char *p = tsv, *end = tsv + len; p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		struct line l;
		int k = 0;
		if (!nl)
			break; /* a torn last line is ignored */
		*nl = 0;
		for (char *q = p; k < 6; k++) {
			char *tab = strchr(q, '\t');
			l.f[k] = q;
			if (!tab) {
				k++;
				break;
			}
			*tab = 0;
			q = tab + 1;
		}
		if (k == 6) {
			if (fw_grow((void **)&lines, &cap, n + 1, sizeof(*lines)) < 0) {
				free(lines);
				return fw_err(err, -ENOMEM, "out of memory writing the index");
			}
			lines[n++] = l;
		}
		p = nl + 1;
	}
	fw_qsort(lines, n, sizeof(*lines), cmp_line);
	fw_buf_init(&md);
	fw_buf_printf(&md, "# Flare investigations\n\n%zu report%s, newest flare first.\n\n", n, n == 1 ? "" : "s");
	fw_buf_puts(&md, "| Flare time | Host | Agent | Verdict | Summary | Report |\n|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < n; i++) {
		fw_buf_puts(&md, "| ");
		cell(&md, lines[i].f[0]);
		fw_buf_puts(&md, " | ");
		cell(&md, lines[i].f[1]);
		fw_buf_puts(&md, " | ");
		cell(&md, lines[i].f[2][0] ? lines[i].f[2] : "unknown");
		fw_buf_puts(&md, " | **");
		cell(&md, lines[i].f[3]);
		fw_buf_puts(&md, "** | ");
		cell(&md, lines[i].f[4]);
		fw_buf_puts(&md, " | [report](");
		/* a relative path of safe characters (host and time names) */
		fw_buf_puts(&md, lines[i].f[5]);
		fw_buf_puts(&md, ") |\n");
	}
	free(lines);
	if (md.failed) {
		fw_buf_free(&md);
		return fw_err(err, -ENOMEM, "out of memory writing the index");
	}
	snprintf(path, sizeof(path), "%s/index.md", dir);
	r = fw_write_file_atomic(path, md.data, md.len, 0644, err);
	fw_buf_free(&md);
	return r;
}

int fw_index_add(const char *dir, const struct fw_index_entry *e, struct fw_error *err)
{
	char lock_path[4096], tsv_path[4096];
	struct fw_buf line;
	uint8_t *data = NULL;
	size_t len = 0;
	int lock_fd, fd, r;

	if (snprintf(lock_path, sizeof(lock_path), "%s/.index.lock", dir) >= (int)sizeof(lock_path) ||
	    snprintf(tsv_path, sizeof(tsv_path), "%s/.index.tsv", dir) >= (int)sizeof(tsv_path))
		return fw_err(err, -ENAMETOOLONG, "%s: path too long", dir);
	fw_buf_init(&line);
	field(&line, e->time);
	fw_buf_putc(&line, '\t');
	field(&line, e->hostname);
	fw_buf_putc(&line, '\t');
	field(&line, e->agent_version);
	fw_buf_putc(&line, '\t');
	field(&line, e->verdict);
	fw_buf_putc(&line, '\t');
	field(&line, e->summary);
	fw_buf_putc(&line, '\t');
	field(&line, e->report);
	fw_buf_putc(&line, '\n');
	if (line.failed) {
		fw_buf_free(&line);
		return fw_err(err, -ENOMEM, "out of memory writing the index");
	}

	lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (lock_fd < 0) {
		r = fw_err(err, -errno, "%s: %s", lock_path, strerror(errno));
		fw_buf_free(&line);
		return r;
	}
	while (flock(lock_fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			r = fw_err(err, -errno, "%s: lock: %s", lock_path, strerror(errno));
			goto out;
		}
	}
	fd = open(tsv_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		r = fw_err(err, -errno, "%s: %s", tsv_path, strerror(errno));
		goto out;
	}
	if (write(fd, line.data, line.len) != (ssize_t)line.len || fsync(fd) < 0) {
		r = fw_err(err, -EIO, "%s: write failed: %s", tsv_path, strerror(errno));
		close(fd);
		goto out;
	}
	close(fd);
	if ((r = fw_read_file(tsv_path, MAX_INDEX, &data, &len, err)) < 0)
		goto out;
	r = render(dir, (char *)data, len, err);
out:
	free(data);
	fw_buf_free(&line);
	close(lock_fd); /* releases the lock */
	return r;
}
