/*
 * status.c: reads a flare's status.log (the `agent status` text) line by
 * line: header fields, hostname, and the Running Checks of the Collector
 * section with their instance statuses and error/warning messages.
 *
 * Sections are recognised by their underline: a title line followed by a
 * line of '=' of the same length and indentation (indentation 0 is a
 * top-level section, more is a sub-block). Check titles in Running Checks
 * are underlined with '-'. Nothing is read by fixed position, so both the
 * current and the older layouts parse.
 */
#include "flare/status.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/redact.h"

#define LOCAL_FLARE_LINE "unable to get the status of the agent"

struct line {
	const char *t;	/* text without indentation and trailing blanks */
	size_t tlen;
	size_t indent;	/* leading spaces (tabs count as one) */
	bool valid;	/* false past the end of input */
};

static bool is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Reads the line at *pos and advances *pos past its newline. */
static void next_line(const char *text, size_t len, size_t *pos, struct line *l)
{
	const char *p = text + *pos, *nl;
	size_t n, i = 0;

	if (*pos >= len) {
		l->valid = false;
		l->t = text + len;
		l->tlen = l->indent = 0;
		return;
	}
	nl = memchr(p, '\n', len - *pos);
	n = nl ? (size_t)(nl - p) : len - *pos;
	*pos += nl ? n + 1 : n;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	while (n > i && is_blank((unsigned char)p[n - 1]))
		n--;
	l->valid = true;
	l->t = p + i;
	l->tlen = n - i;
	l->indent = i;
}

static bool all_of(const struct line *l, char c)
{
	if (!l->valid || !l->tlen)
		return false;
	for (size_t i = 0; i < l->tlen; i++)
		if (l->t[i] != c)
			return false;
	return true;
}

static bool starts(const char *s, size_t n, const char *p)
{
	size_t pl = strlen(p);
	return n >= pl && memcmp(s, p, pl) == 0;
}

static bool equals(const char *s, size_t n, const char *p)
{
	return strlen(p) == n && memcmp(s, p, n) == 0;
}

static bool ci_equals(const char *s, size_t n, const char *p)
{
	if (strlen(p) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char a = s[i];
		if (a >= 'a' && a <= 'z')
			a = (char)(a - 'a' + 'A');
		if (a != p[i])
			return false;
	}
	return true;
}

static const char *find(const char *s, size_t n, const char *p)
{
	size_t pl = strlen(p);

	for (size_t i = 0; i + pl <= n; i++)
		if (s[i] == p[0] && memcmp(s + i, p, pl) == 0)
			return s + i;
	return NULL;
}

/* Drops leading and trailing blanks of s[0..*n). */
static const char *trim(const char *s, size_t *n)
{
	while (*n && is_blank((unsigned char)*s)) {
		s++;
		(*n)--;
	}
	while (*n && is_blank((unsigned char)s[*n - 1]))
		(*n)--;
	return s;
}

/* Parses 1..18 decimal digits (no sign) exactly. */
static bool parse_digits(const char *s, size_t n, int64_t *out)
{
	int64_t v = 0;

	if (n == 0 || n > 18)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* ---- calendar ---------------------------------------------------------- */

/* "2024-10-02 14:21:52[.317...] UTC": true (and *ms) only for a valid time
 * whose zone is UTC or GMT. */
static bool parse_utc_time(const char *s, size_t n, int64_t *ms)
{
	int y, mo, d, h, mi, se, frac = 0, fdig = 0;
	size_t p = 19;
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	s = trim(s, &n);
	if (!fw_fixed_digits(s, n, 0, 4, &y) || n < 19 || s[4] != '-' ||
	    !fw_fixed_digits(s, n, 5, 2, &mo) || s[7] != '-' || !fw_fixed_digits(s, n, 8, 2, &d) ||
	    s[10] != ' ' || !fw_fixed_digits(s, n, 11, 2, &h) || s[13] != ':' ||
	    !fw_fixed_digits(s, n, 14, 2, &mi) || s[16] != ':' || !fw_fixed_digits(s, n, 17, 2, &se))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 ||
	    mi > 59 || se > 60)
		return false;
	if (p < n && s[p] == '.') {
		for (p++; p < n && s[p] >= '0' && s[p] <= '9'; p++)
			if (fdig < 3) {
				frac = frac * 10 + (s[p] - '0');
				fdig++;
			}
		for (; fdig < 3; fdig++)
			frac *= 10;
	}
	if (p >= n || s[p] != ' ')
		return false;
	p++;
	if (!equals(s + p, n - p, "UTC") && !equals(s + p, n - p, "GMT") &&
	    !equals(s + p, n - p, "+0000") && !equals(s + p, n - p, "Z"))
		return false;
	*ms = ((fw_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se) *
	       1000) + frac;
	return true;
}

void fw_format_utc_ms(int64_t unix_ms, char *out, size_t outsz)
{
	int64_t sec, days, rem, y;
	int m, d, msec;

	if (!outsz)
		return;
	/* 0000-01-01 .. 9999-12-31 23:59:59.999 */
	if (unix_ms < INT64_C(-62167219200000) ||
	    unix_ms > INT64_C(253402300799999)) {
		snprintf(out, outsz, "-");
		return;
	}
	sec = unix_ms / 1000;
	msec = (int)(unix_ms % 1000);
	if (msec < 0) {
		msec += 1000;
		sec--;
	}
	days = sec / 86400;
	rem = sec % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	fw_civil_from_days(days, &y, &m, &d);
	snprintf(out, outsz, "%04" PRId64 "-%02d-%02d %02d:%02d:%02d.%03d UTC",
		 y, m, d, (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60),
		 msec);
}

void fw_format_uptime(int64_t seconds, char *out, size_t outsz)
{
	int64_t days, hours;

	if (!outsz)
		return;
	if (seconds < 0)
		seconds = 0;
	days = seconds / 86400;
	hours = seconds % 86400 / 3600;
	snprintf(out, outsz, "%" PRId64 " day%s %" PRId64 " hour%s", days,
		 days == 1 ? "" : "s", hours, hours == 1 ? "" : "s");
}

bool fw_parse_go_duration(const char *s, size_t n, int64_t *ns)
{
	static const struct {
		const char *name;
		double mult;
	} units[] = {
		/* longest first: "ms" before "m" */
		{ "ns", 1 }, { "us", 1e3 }, { "\xc2\xb5s", 1e3 }, { "\xce\xbcs", 1e3 },
		{ "ms", 1e6 }, { "s", 1e9 }, { "m", 60e9 }, { "h", 3600e9 },
	};
	double total = 0;
	size_t i = 0;

	if (n == 1 && s[0] == '0') {
		*ns = 0;
		return true;
	}
	if (n == 0)
		return false;
	while (i < n) {
		double v = 0, scale = 1;
		size_t start = i, best = 0, u;
		bool frac = false;

		for (; i < n && ((s[i] >= '0' && s[i] <= '9') || (s[i] == '.' && !frac)); i++) {
			if (s[i] == '.') {
				frac = true;
			} else if (frac) {
				scale /= 10;
				v += (s[i] - '0') * scale;
			} else {
				v = v * 10 + (s[i] - '0');
			}
		}
		if (i == start || (i == start + 1 && s[start] == '.'))
			return false;
		/* the first unit that matches: "ms" is listed before "m" */
		for (u = 0; u < sizeof(units) / sizeof(units[0]) && !best; u++) {
			size_t ul = strlen(units[u].name);
			if (ul <= n - i && memcmp(s + i, units[u].name, ul) == 0) {
				best = ul;
				total += v * units[u].mult;
			}
		}
		if (!best)
			return false;
		i += best;
		if (total > 9.2e18)
			return false;
	}
	*ns = (int64_t)(total + 0.5);
	return true;
}

/* ---- parser state ------------------------------------------------------- */

struct parser {
	struct fw_status *st;
	size_t checks_cap, msgs_cap;
	bool in_header;		/* before the first non-title section */
	bool in_collector;	/* top-level Collector */
	bool in_running;	/* its Running Checks sub-block */
	bool in_host_top, in_host_sub;
	bool in_hostinfo;	/* the Host Info block */
	bool seen_title, seen_date, seen_start;

	/* the current check block */
	bool in_check;
	struct fw_status_check *check;	/* NULL for a dropped one */
	bool explicit_inst;		/* saw an "Instance ID:" line */
	bool inst_has_error;		/* current instance printed its Error: */
	bool in_tb;			/* inside a Python traceback */
	size_t tb_indent;		/* its "Traceback" line's indentation */
	char instance[FW_STATUS_NAME_MAX + 1];
	/* old layout: instances opened by "Total Runs:" */
	bool implicit_open;
	int implicit_status;		/* 0 OK, 1 WARNING, 2 ERROR */
	size_t imp_ok, imp_warning, imp_error;
};

static void close_implicit(struct parser *ps)
{
	if (!ps->implicit_open)
		return;
	if (ps->implicit_status == 2)
		ps->imp_error++;
	else if (ps->implicit_status == 1)
		ps->imp_warning++;
	else
		ps->imp_ok++;
	ps->implicit_open = false;
	ps->implicit_status = 0;
}

static void end_check(struct parser *ps)
{
	struct fw_status_check *c = ps->check;

	close_implicit(ps);
	if (c && !ps->explicit_inst &&
	    ps->imp_ok + ps->imp_warning + ps->imp_error > 0) {
		c->n_ok += ps->imp_ok;
		c->n_warning += ps->imp_warning;
		c->n_error += ps->imp_error;
		c->n_instances += ps->imp_ok + ps->imp_warning + ps->imp_error;
		c->status_inferred = true;
	}
	ps->in_check = false;
	ps->check = NULL;
	ps->explicit_inst = false;
	ps->inst_has_error = false;
	ps->in_tb = false;
	ps->instance[0] = 0;
	ps->imp_ok = ps->imp_warning = ps->imp_error = 0;
}

/* A title "name", "name (version)" or "name  (version)" underlined by
 * dashes: the dash count must match the title, the name, or (as the
 * templates print it) name + version + 3. */
static int start_check(struct parser *ps, const struct line *title,
		       size_t dashes, bool *is_title)
{
	const char *t = title->t, *name = t, *ver = NULL;
	size_t tl = title->tlen, nl = tl, vl = 0;
	struct fw_status *st = ps->st;
	struct fw_status_check *c;
	int r;

	*is_title = false;
	if (tl && t[tl - 1] == ')') {
		const char *open = NULL;
		for (size_t i = tl; i-- > 0;)
			if (t[i] == '(') {
				open = t + i;
				break;
			}
		if (open && open > t) {
			ver = open + 1;
			vl = (size_t)(t + tl - 1 - ver);
			nl = (size_t)(open - t);
			name = trim(t, &nl);
			ver = trim(ver, &vl);
		}
	}
	if (dashes != tl && dashes != nl && !(ver && dashes == nl + vl + 3))
		return 0;
	if (!nl)
		return 0;
	*is_title = true;
	end_check(ps);
	ps->in_check = true;
	if (st->n_checks >= FW_STATUS_MAX_CHECKS) {
		st->checks_dropped++;
		return 0;
	}
	if (fw_grow((void **)&st->checks, &ps->checks_cap, st->n_checks + 1,
		    sizeof(*st->checks)) < 0)
		return -ENOMEM;
	c = &st->checks[st->n_checks];
	memset(c, 0, sizeof(*c));
	r = fw_redact_field(c->name, sizeof(c->name), name, nl);
	if (!r && ver)
		r = fw_redact_field(c->version, sizeof(c->version), ver, vl);
	if (r)
		return r;
	c->python = c->version[0] != 0;
	c->msg_first = st->n_msgs;
	st->n_checks++;
	ps->check = c;
	return 0;
}

static int add_msg(struct parser *ps, enum fw_check_msg_kind kind,
		   const char *s, size_t n)
{
	struct fw_status *st = ps->st;
	struct fw_status_msg *m;
	int r;

	if (!ps->check)
		return 0;
	if (st->n_msgs >= FW_STATUS_MAX_MSGS) {
		st->msgs_dropped++;
		return 0;
	}
	if (fw_grow((void **)&st->msgs, &ps->msgs_cap, st->n_msgs + 1,
		    sizeof(*st->msgs)) < 0)
		return -ENOMEM;
	m = &st->msgs[st->n_msgs];
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	memcpy(m->instance, ps->instance, sizeof(m->instance));
	s = trim(s, &n);
	r = fw_redact_field(m->text, sizeof(m->text), s, n);
	if (r)
		return r;
	st->n_msgs++;
	ps->check->msg_count++;
	return 0;
}

static int parse_time_field(const char *s, size_t n, struct fw_status_time *tm);

/* "Instance ID: <id> [STATUS]" (text after the colon in s) */
static int instance_line(struct parser *ps, const char *s, size_t n)
{
	struct fw_status_check *c = ps->check;
	const char *id = s, *stat = NULL;
	size_t idl, sl = 0;

	close_implicit(ps);
	ps->explicit_inst = true;
	ps->inst_has_error = false;
	ps->in_tb = false;
	s = trim(s, &n);
	id = s;
	idl = n;
	if (n && s[n - 1] == ']') {
		for (size_t i = n - 1; i-- > 0;)
			if (s[i] == '[') {
				stat = s + i + 1;
				sl = n - i - 2;
				idl = i;
				break;
			}
	}
	id = trim(id, &idl);
	if (fw_redact_field(ps->instance, sizeof(ps->instance), id, idl) < 0)
		return -ENOMEM;
	if (!c)
		return 0;
	c->n_instances++;
	if (stat && ci_equals(stat, sl, "OK"))
		c->n_ok++;
	else if (stat && ci_equals(stat, sl, "WARNING"))
		c->n_warning++;
	else if (stat && ci_equals(stat, sl, "ERROR"))
		c->n_error++;
	else
		c->n_other++;
	return 0;
}

/* " : <value>" after a check field's name: the value, trimmed */
static const char *field_value(const char *s, size_t n, size_t *vl)
{
	s = trim(s, &n);
	if (!n || s[0] != ':')
		return NULL;
	s++;
	n--;
	*vl = n;
	return trim(s, vl);
}

static int avg_exec_line(struct parser *ps, const char *s, size_t n)
{
	struct fw_status_check *c = ps->check;
	const char *v;
	size_t vl;
	int64_t ns;

	if (!c || !(v = field_value(s, n, &vl)) || !fw_parse_go_duration(v, vl, &ns))
		return 0;
	if (!c->has_avg_exec || ns > c->avg_exec_ns)
		c->avg_exec_ns = ns;
	c->has_avg_exec = true;
	return 0;
}

static int last_success_line(struct parser *ps, const char *s, size_t n)
{
	struct fw_status_check *c = ps->check;
	struct fw_status_time tm;
	const char *v;
	size_t vl;

	if (!c || !(v = field_value(s, n, &vl)))
		return 0;
	if (equals(v, vl, "Never")) {
		c->never_succeeded = true;
		return 0;
	}
	memset(&tm, 0, sizeof(tm));
	if (parse_time_field(v, vl, &tm) < 0)
		return -ENOMEM;
	if (tm.has_ms && (!c->has_last_success || tm.unix_ms < c->last_success_ms)) {
		c->last_success_ms = tm.unix_ms;
		c->has_last_success = true;
	}
	return 0;
}

static int check_line(struct parser *ps, const struct line *l)
{
	const char *t = l->t;
	size_t n = l->tlen;

	/* A Python traceback follows an Error: line: its frames are indented
	 * deeper than "Traceback (most recent call last):", and it ends with
	 * the exception line at that indentation. */
	if (starts(t, n, "Traceback (most recent call last):")) {
		if (ps->check)
			ps->check->python = true;
		ps->in_tb = true;
		ps->tb_indent = l->indent;
		return 0;
	}
	if (ps->in_tb) {
		if (!n || l->indent > ps->tb_indent ||
		    starts(t, n, "During handling of the above exception") ||
		    starts(t, n, "The above exception was the direct cause"))
			return 0;
		ps->in_tb = false;
		if (!starts(t, n, "Instance ID:") && !starts(t, n, "Total Runs:"))
			return 0; /* the exception line itself */
	}
	if (starts(t, n, "Instance ID:"))
		return instance_line(ps, t + 12, n - 12);
	if (starts(t, n, "Total Runs:") && !ps->explicit_inst) {
		close_implicit(ps);
		ps->implicit_open = true;
		ps->inst_has_error = false;
		return 0;
	}
	if (starts(t, n, "Average Execution Time"))
		return avg_exec_line(ps, t + 22, n - 22);
	if (starts(t, n, "Last Successful Execution Date"))
		return last_success_line(ps, t + 30, n - 30);
	if (starts(t, n, "Error:")) {
		/* one per instance */
		if (ps->inst_has_error)
			return 0;
		ps->inst_has_error = true;
		if (ps->implicit_open)
			ps->implicit_status = 2;
		return add_msg(ps, FW_CHECK_MSG_ERROR, t + 6, n - 6);
	}
	if (starts(t, n, "Warning:")) {
		if (ps->implicit_open && ps->implicit_status < 1)
			ps->implicit_status = 1;
		return add_msg(ps, FW_CHECK_MSG_WARNING, t + 8, n - 8);
	}
	return 0;
}

/* "Status date: <time>" value */
static int parse_time_field(const char *s, size_t n, struct fw_status_time *tm)
{
	const char *slash;
	size_t tl;

	s = trim(s, &n);
	tl = n;
	if (n && s[n - 1] == ')') {
		for (size_t i = n - 1; i-- > 0;)
			if (s[i] == '(') {
				int64_t ms;
				if (parse_digits(s + i + 1, n - i - 2, &ms)) {
					tm->has_ms = true;
					tm->unix_ms = ms;
				}
				tl = i;
				break;
			}
	}
	s = trim(s, &tl);
	if (!tm->has_ms) {
		slash = find(s, tl, " / ");
		if (slash) {
			size_t off = (size_t)(slash - s) + 3;
			tm->has_ms = parse_utc_time(slash + 3, tl - off, &tm->unix_ms);
		} else {
			tm->has_ms = parse_utc_time(s, tl, &tm->unix_ms);
		}
	}
	return fw_redact_field(tm->text, sizeof(tm->text), s, tl);
}

static int header_line(struct parser *ps, const struct line *l)
{
	struct fw_status *st = ps->st;
	const char *t = l->t;
	size_t n = l->tlen;

	if (!ps->seen_date && starts(t, n, "Status date:")) {
		ps->seen_date = true;
		return parse_time_field(t + 12, n - 12, &st->status_date);
	}
	if (!ps->seen_start && starts(t, n, "Agent start:")) {
		ps->seen_start = true;
		return parse_time_field(t + 12, n - 12, &st->agent_start);
	}
	if (!st->has_pid && starts(t, n, "Pid:")) {
		size_t vl = n - 4;
		const char *v = trim(t + 4, &vl);
		st->has_pid = parse_digits(v, vl, &st->pid);
		return 0;
	}
	if (!st->go_version[0] && starts(t, n, "Go Version:")) {
		size_t vl = n - 11;
		const char *v = trim(t + 11, &vl);
		return fw_redact_field(st->go_version, sizeof(st->go_version), v, vl);
	}
	if (!st->python_version[0] && starts(t, n, "Python Version:")) {
		size_t vl = n - 15;
		const char *v = trim(t + 15, &vl);
		return fw_redact_field(st->python_version,
				       sizeof(st->python_version), v, vl);
	}
	return 0;
}

/* "Agent (v7.58.2)" or "Datadog Cluster Agent (v1.2.3)" */
static int agent_title(struct parser *ps, const struct line *l, bool *is_agent)
{
	const char *v = find(l->t, l->tlen, "Agent (v"), *e;
	size_t rest;

	*is_agent = v != NULL;
	if (!v || ps->seen_title)
		return 0;
	ps->seen_title = true;
	v += 8;
	rest = (size_t)(l->t + l->tlen - v);
	e = memchr(v, ')', rest);
	return fw_redact_field(ps->st->agent_version,
			       sizeof(ps->st->agent_version), v,
			       e ? (size_t)(e - v) : rest);
}

static int section(struct parser *ps, const struct line *l)
{
	const char *t = l->t;
	size_t n = l->tlen;
	bool agent = false;
	int r;

	end_check(ps);
	if (l->indent == 0) {
		r = agent_title(ps, l, &agent);
		if (r)
			return r;
		ps->in_header = agent;
		ps->in_collector = equals(t, n, "Collector");
		ps->in_running = false;
		ps->in_host_top = equals(t, n, "Hostname") ||
				  equals(t, n, "Hostnames");
		ps->in_host_sub = false;
		ps->in_hostinfo = equals(t, n, "Host Info");
		if (ps->in_collector)
			ps->st->has_collector = true;
		return 0;
	}
	ps->in_running = ps->in_collector && equals(t, n, "Running Checks");
	if (ps->in_running)
		ps->st->has_collector = true;
	ps->in_host_sub = equals(t, n, "Hostnames") || equals(t, n, "Hostname");
	ps->in_hostinfo = equals(t, n, "Host Info");
	return 0;
}

/* "os: linux", "kernelVersion: 6.8.0" ... of Host Info: the first of each */
static int hostinfo_line(struct parser *ps, const struct line *l)
{
	static const struct {
		const char *key;
		size_t off;
	} fields[] = {
		{ "os:", offsetof(struct fw_status, os) },
		{ "platform:", offsetof(struct fw_status, platform) },
		{ "platformVersion:", offsetof(struct fw_status, platform_version) },
		{ "kernelVersion:", offsetof(struct fw_status, kernel_version) },
		{ "kernelArch:", offsetof(struct fw_status, kernel_arch) },
	};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		size_t kl = strlen(fields[i].key), vl;
		char *dst = (char *)ps->st + fields[i].off;
		const char *v;

		if (!starts(l->t, l->tlen, fields[i].key) || dst[0])
			continue;
		vl = l->tlen - kl;
		v = trim(l->t + kl, &vl);
		return fw_redact_field(dst, FW_STATUS_FIELD_MAX + 1, v, vl);
	}
	return 0;
}

static bool only_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_blank((unsigned char)s[i]) && s[i] != '\n')
			return false;
	return true;
}

int fw_status_parse(const char *text, size_t len, struct fw_status *st,
		    struct fw_error *err)
{
	struct parser ps;
	struct line cur, nxt;
	size_t pos = 0, tl = len;
	const char *t;
	int r = 0;

	memset(st, 0, sizeof(*st));
	if (!text || only_blank(text, len))
		return fw_err(err, -ENODATA, "status: the file is empty");
	t = trim(text, &tl);
	if (starts(t, tl, LOCAL_FLARE_LINE)) {
		st->local_flare = true;
		return 0;
	}
	memset(&ps, 0, sizeof(ps));
	ps.st = st;
	ps.in_header = true;

	next_line(text, len, &pos, &cur);
	while (cur.valid) {
		bool skip_next = false;

		next_line(text, len, &pos, &nxt);
		if (cur.tlen && !all_of(&cur, '=') && all_of(&nxt, '=') &&
		    nxt.tlen == cur.tlen && nxt.indent == cur.indent) {
			r = section(&ps, &cur);
			skip_next = true;
		} else if (ps.in_running && cur.tlen && cur.indent <= 4 &&
			   all_of(&nxt, '-') && nxt.indent == cur.indent) {
			bool is_title;
			r = start_check(&ps, &cur, nxt.tlen, &is_title);
			skip_next = is_title;
			if (!r && !is_title && ps.in_check)
				r = check_line(&ps, &cur);
		} else {
			if (ps.in_header)
				r = header_line(&ps, &cur);
			if (!r && (ps.in_host_top || ps.in_host_sub) &&
			    !st->hostname[0] && starts(cur.t, cur.tlen, "hostname:")) {
				size_t vl = cur.tlen - 9;
				const char *v = trim(cur.t + 9, &vl);
				r = fw_redact_field(st->hostname,
						    sizeof(st->hostname), v, vl);
			}
			if (!r && ps.in_hostinfo)
				r = hostinfo_line(&ps, &cur);
			if (!r && ps.in_running && ps.in_check)
				r = check_line(&ps, &cur);
			/* a title-less file may still say who it is */
			if (!r && cur.indent == 0 && !ps.seen_title &&
			    find(cur.t, cur.tlen, "Agent (v") &&
			    cur.tlen && cur.t[cur.tlen - 1] == ')') {
				bool agent;
				r = agent_title(&ps, &cur, &agent);
			}
		}
		if (r)
			goto fail;
		if (skip_next)
			next_line(text, len, &pos, &cur);
		else
			cur = nxt;
	}
	end_check(&ps);

	if (!ps.seen_title && !ps.seen_date && !ps.seen_start &&
	    !st->has_collector) {
		fw_status_free(st);
		return fw_err(err, -EINVAL,
			      "status: not an agent status file (no \"Agent (v...)\" "
			      "title, Status date, Agent start or Collector section)");
	}
	if (st->status_date.has_ms && st->agent_start.has_ms &&
	    st->status_date.unix_ms >= st->agent_start.unix_ms) {
		st->has_uptime = true;
		st->uptime_sec = (st->status_date.unix_ms -
				  st->agent_start.unix_ms) / 1000;
	}
	return 0;
fail:
	fw_status_free(st);
	return fw_err(err, r, "status: out of memory");
}

void fw_status_free(struct fw_status *st)
{
	free(st->checks);
	free(st->msgs);
	memset(st, 0, sizeof(*st));
}
