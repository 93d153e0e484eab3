/*
 * daemonstate.c: the daemon state file (see daemonstate.h).
 */
#include "base/daemonstate.h"
#include "base/fsutil.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "key=value\n", the value's control bytes as spaces. */
static void put(struct fw_buf *b, const char *key, const char *value)
{
	fw_buf_puts(b, key);
	fw_buf_putc(b, '=');
	for (const char *p = value ? value : ""; *p; p++) {
		unsigned char c = (unsigned char)*p;
		fw_buf_putc(b, c < 0x20 || c == 0x7f ? ' ' : (char)c);
	}
	fw_buf_putc(b, '\n');
}

static void put_time(struct fw_buf *b, const char *key, time_t t)
{
	fw_buf_printf(b, "%s=%lld\n", key, (long long)t);
}

char *fw_daemon_state_format(const struct fw_daemon_state *s)
{
	struct fw_buf b;

	fw_buf_init(&b);
	put(&b, "state", s->state);
	for (size_t i = 0; i < s->n_analyzing; i++)
		put(&b, "analyzing", s->analyzing[i]);
	fw_buf_printf(&b, "pid=%ld\n", s->pid);
	put(&b, "version", s->version);
	put_time(&b, "started", s->started);
	put(&b, "config", s->config);
	put_time(&b, "config_loaded", s->config_loaded);
	if (s->reload_error) {
		put_time(&b, "reload_failed", s->reload_failed);
		put(&b, "reload_error", s->reload_error);
	}
	put_time(&b, "updated", s->updated);
	put(&b, "status", s->status);
	return fw_buf_take(&b);
}

int fw_daemon_state_write(const char *path, const struct fw_daemon_state *s,
			  struct fw_error *err)
{
	char *text = fw_daemon_state_format(s);
	int r;

	if (!text)
		return fw_err(err, -ENOMEM, "%s: out of memory", path);
	r = fw_write_file_atomic(path, text, strlen(text), 0640, err);
	free(text);
	return r;
}

void fw_daemon_state_free(struct fw_daemon_state *s)
{
	free(s->state);
	for (size_t i = 0; i < s->n_analyzing; i++)
		free(s->analyzing[i]);
	free(s->analyzing);
	free(s->version);
	free(s->config);
	free(s->reload_error);
	free(s->status);
	memset(s, 0, sizeof(*s));
}

/* A decimal number (an optional '-' and digits, nothing else). */
static int parse_num(const char *v, long long *out)
{
	char *end;

	if (!*v)
		return -EINVAL;
	errno = 0;
	*out = strtoll(v, &end, 10);
	return errno || *end ? -EINVAL : 0;
}

static int set_str(char **field, const char *v)
{
	char *c = strdup(v);

	if (!c)
		return -ENOMEM;
	free(*field);
	*field = c;
	return 0;
}

/* One "key=value" line into s. */
static int parse_line(struct fw_daemon_state *s, char *line, size_t *cap)
{
	char *eq = strchr(line, '='), *v;
	long long n = 0;

	if (!eq)
		return -EINVAL;
	*eq = 0;
	v = eq + 1;
	if (!strcmp(line, "state"))
		return set_str(&s->state, v);
	if (!strcmp(line, "version"))
		return set_str(&s->version, v);
	if (!strcmp(line, "config"))
		return set_str(&s->config, v);
	if (!strcmp(line, "reload_error"))
		return set_str(&s->reload_error, v);
	if (!strcmp(line, "status"))
		return set_str(&s->status, v);
	if (!strcmp(line, "analyzing")) {
		char *c;
		if (fw_grow((void **)&s->analyzing, cap, s->n_analyzing + 1,
			    sizeof(*s->analyzing)) < 0 || !(c = strdup(v)))
			return -ENOMEM;
		s->analyzing[s->n_analyzing++] = c;
		return 0;
	}
	if (!strcmp(line, "pid") || !strcmp(line, "started") || !strcmp(line, "config_loaded") ||
	    !strcmp(line, "reload_failed") || !strcmp(line, "updated")) {
		if (parse_num(v, &n) < 0)
			return -EINVAL;
		if (!strcmp(line, "pid")) {
			if (n <= 0 || n > INT32_MAX)
				return -EINVAL;
			s->pid = (long)n;
		} else if (!strcmp(line, "started")) {
			s->started = (time_t)n;
		} else if (!strcmp(line, "config_loaded")) {
			s->config_loaded = (time_t)n;
		} else if (!strcmp(line, "reload_failed")) {
			s->reload_failed = (time_t)n;
		} else {
			s->updated = (time_t)n;
		}
	}
	return 0; /* an unknown key: a newer daemon's */
}

int fw_daemon_state_read(const char *path, struct fw_daemon_state *s, struct fw_error *err)
{
	uint8_t *data;
	size_t len, cap = 0, lineno = 0;
	int r = 0;

	memset(s, 0, sizeof(*s));
	r = fw_read_file(path, FW_DAEMON_STATE_MAX, &data, &len, err);
	if (r < 0)
		return r;
	for (char *p = (char *)data, *end = (char *)data + len; p < end && r == 0;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break; /* cannot happen after a rename over: ignored */
		*nl = 0;
		lineno++;
		if (memchr(p, 0, (size_t)(nl - p)))
			r = -EINVAL;
		else
			r = parse_line(s, p, &cap);
		p = nl + 1;
	}
	free(data);
	if (r == -ENOMEM)
		r = fw_err(err, r, "%s: out of memory", path);
	else if (r < 0)
		r = fw_err(err, r, "%s: line %zu is not a valid key=value line", path, lineno);
	else if (!s->state || s->pid == 0)
		r = fw_err(err, -EINVAL, "%s: no %s line: not a flarewatchd state file", path,
			   s->state ? "pid=" : "state=");
	if (r < 0)
		fw_daemon_state_free(s);
	return r;
}

bool fw_daemon_alive(long pid)
{
	char path[64], buf[512], *open, *close;
	FILE *f;
	size_t n;

	if (pid <= 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	/* "pid (comm) S ...": comm may itself hold ") " */
	open = strchr(buf, '(');
	close = strrchr(buf, ')');
	if (!open || !close || close < open || close[1] != ' ')
		return false;
	*close = 0;
	if (strcmp(open + 1, FW_DAEMON_COMM) != 0)
		return false;
	return close[2] != 'Z' && close[2] != 'X';
}
