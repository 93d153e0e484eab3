/*
 * fwconfig.c: loads, checks and renders the flarewatch configuration (see
 * fwconfig.h). One table describes every key (section, name, type, range,
 * default, where it lives in struct fw_config); defaults, parsing, range
 * checks, comparison and rendering all walk it. The YAML is read event by
 * event with libyaml, so anchors, aliases, tags and extra documents can be
 * refused where they appear and every error carries the file's line and
 * column.
 *
 * Over 1,000 lines: the key table, the YAML event walk and the renderer
 * belong together (every key's checks and its rendering come from one
 * table entry).
 */
#include "base/fwconfig.h"
#include "base/ticket.h"

#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#define KIB ((uint64_t)1024)
#define MIB (1024 * KIB)
#define GIB (1024 * MIB)

#define PATH_LEN_MAX 4095 /* bytes of a normalized path */
#define TEXT_LEN_MAX 4096 /* bytes of greeting/signature */

/* ---- the key table ---------------------------------------------------------- */

enum section_id {
	S_TOP,
	S_ANALYSIS,
	S_ARCHIVE,
	S_THRESHOLDS,
	S_JOURNAL,
	S_PRIORITY,
	S_REPORT,
	S_TICKETS,
	S_COUNT
};

struct section {
	const char *name;  /* the key that opens it; NULL for the top level */
	const char *label; /* for messages and fw_config_set(): "journal.priority" */
	int parent;	   /* -1 for the top level */
};

static const struct section sections[S_COUNT] = {
	[S_TOP] = { NULL, "top level", -1 },
	[S_ANALYSIS] = { "analysis", "analysis", S_TOP },
	[S_ARCHIVE] = { "archive", "archive", S_TOP },
	[S_THRESHOLDS] = { "thresholds", "thresholds", S_TOP },
	[S_JOURNAL] = { "journal", "journal", S_TOP },
	[S_PRIORITY] = { "priority", "journal.priority", S_JOURNAL },
	[S_REPORT] = { "report", "report", S_TOP },
	[S_TICKETS] = { "tickets", "tickets", S_TOP },
};

enum kind {
	T_PATH,	    /* const char *, absolute path ("" allowed when .optional) */
	T_TEXT,	    /* const char *, free text */
	T_UINT,	    /* unsigned */
	T_SIZE,	    /* uint64_t, bytes; integer or "N unit" */
	T_NUMBER,   /* double */
	T_BOOL,	    /* bool */
	T_PRIORITY, /* int, 0..7 */
	T_REGEX,    /* const char *, a POSIX ERE (base/ticket.h), "" for none */
};

/* Render order: keys of one section stay together, sections in file order. */
enum key_id {
	K_INCOMING_DIR,
	K_STATE_DIR,
	K_INVESTIGATIONS_DIR,
	K_WORKERS,
	K_SETTLE_SECONDS,
	K_RESCAN_SECONDS,
	K_DONE_RETENTION_DAYS,
	K_METRICS_FILE,
	K_TIMEOUT_SECONDS,
	K_MEMORY_LIMIT,
	K_CPU_SECONDS,
	K_MAX_ENTRIES,
	K_MAX_TOTAL_SIZE,
	K_MAX_COMPRESSION_RATIO,
	K_LEAK_GROWTH,
	K_LEAK_FUNCTION_SHARE,
	K_LEAK_MIN_GROWTH,
	K_CPU_FUNCTION_SHARE,
	K_CPU_UTILIZATION,
	K_CPU_APP_SHARE,
	K_CPU_SPIKE_MIN_UTIL,
	K_CONTENTION_SECONDS,
	K_GOROUTINES_WARN,
	K_LT_HEAP,
	K_LT_SYS,
	K_LT_GOROUTINES,
	K_LT_MIN_HOURS,
	K_PRIO_MEMORY_LEAK,
	K_PRIO_MULTIPLE_ISSUES,
	K_PRIO_CPU_SPIKE,
	K_PRIO_CONTENTION,
	K_PRIO_NORMAL,
	K_PRIO_INCONCLUSIVE,
	K_PRIO_FAILED,
	K_GREETING,
	K_SIGNATURE,
	K_CUSTOMER_MESSAGE,
	K_TICKET_PATTERN,
	K_COUNT
};

struct key {
	int section;
	const char *name;
	enum kind kind;
	size_t off;
	uint64_t umin, umax, udef; /* T_UINT, T_SIZE, T_PRIORITY (udef), T_BOOL (udef) */
	double dmin, dmax, ddef;   /* T_NUMBER */
	const char *sdef;	   /* T_PATH, T_TEXT, T_REGEX */
	bool optional;		   /* T_PATH: "" means unset (off) */
};

#define OFF(field) offsetof(struct fw_config, field)
#define KPATH(sec, nm, field, def) \
	{ .section = sec, .name = nm, .kind = T_PATH, .off = OFF(field), .sdef = def }
/* an optional file: "" (the default) means off */
#define KFILE(sec, nm, field) \
	{ .section = sec, .name = nm, .kind = T_PATH, .off = OFF(field), .sdef = "", \
	  .optional = true }
#define KTEXT(sec, nm, field, def) \
	{ .section = sec, .name = nm, .kind = T_TEXT, .off = OFF(field), .sdef = def }
#define KUINT(sec, nm, field, def, lo, hi)                                     \
	{ .section = sec, .name = nm, .kind = T_UINT, .off = OFF(field), .udef = def, \
	  .umin = lo, .umax = hi }
#define KSIZE(sec, nm, field, def, lo, hi)                                     \
	{ .section = sec, .name = nm, .kind = T_SIZE, .off = OFF(field), .udef = def, \
	  .umin = lo, .umax = hi }
#define KNUM(sec, nm, field, def, lo, hi)                                        \
	{ .section = sec, .name = nm, .kind = T_NUMBER, .off = OFF(field), .ddef = def, \
	  .dmin = lo, .dmax = hi }
#define KREGEX(sec, nm, field, def) \
	{ .section = sec, .name = nm, .kind = T_REGEX, .off = OFF(field), .sdef = def }
#define KBOOL(sec, nm, field, def) \
	{ .section = sec, .name = nm, .kind = T_BOOL, .off = OFF(field), .udef = def }
#define KPRIO(sec, nm, field, def)                                                \
	{ .section = sec, .name = nm, .kind = T_PRIORITY, .off = OFF(field), .udef = def, \
	  .umin = 0, .umax = 7 }

static const struct key keys[K_COUNT] = {
	[K_INCOMING_DIR] = KPATH(S_TOP, "incoming_dir", incoming_dir,
				 "/var/lib/flarewatch/incoming"),
	[K_STATE_DIR] = KPATH(S_TOP, "state_dir", state_dir, "/var/lib/flarewatch"),
	[K_INVESTIGATIONS_DIR] = KPATH(S_TOP, "investigations_dir", investigations_dir,
				       "/var/lib/flarewatch/investigations"),
	[K_WORKERS] = KUINT(S_TOP, "workers", workers, 2, 1, 64),
	[K_SETTLE_SECONDS] = KUINT(S_TOP, "settle_seconds", settle_seconds, 5, 0, 3600),
	[K_RESCAN_SECONDS] = KUINT(S_TOP, "rescan_seconds", rescan_seconds, 60, 1, 86400),
	[K_DONE_RETENTION_DAYS] = KUINT(S_TOP, "done_retention_days", done_retention_days,
					0, 0, 36500),
	[K_METRICS_FILE] = KFILE(S_TOP, "metrics_file", metrics_file),

	[K_TIMEOUT_SECONDS] = KUINT(S_ANALYSIS, "timeout_seconds", analysis.timeout_seconds,
				    300, 1, 86400),
	[K_MEMORY_LIMIT] = KSIZE(S_ANALYSIS, "memory_limit", analysis.memory_limit, 1 * GIB,
				 64 * MIB, 1024 * GIB),
	[K_CPU_SECONDS] = KUINT(S_ANALYSIS, "cpu_seconds", analysis.cpu_seconds, 240, 1,
				86400),

	[K_MAX_ENTRIES] = KUINT(S_ARCHIVE, "max_entries", archive.max_entries, 10000, 1,
				10000000),
	[K_MAX_TOTAL_SIZE] = KSIZE(S_ARCHIVE, "max_total_size", archive.max_total_size,
				   2 * GIB, 1 * MIB, 1024 * GIB),
	[K_MAX_COMPRESSION_RATIO] = KNUM(S_ARCHIVE, "max_compression_ratio",
					 archive.max_compression_ratio, 200, 1, 1000000),

	[K_LEAK_GROWTH] = KSIZE(S_THRESHOLDS, "leak_growth_per_30s",
				thresholds.leak_growth_per_30s, 10 * MIB, 0, 1024 * GIB),
	[K_LEAK_FUNCTION_SHARE] = KNUM(S_THRESHOLDS, "leak_function_share_percent",
				       thresholds.leak_function_share_percent, 30, 0, 100),
	[K_LEAK_MIN_GROWTH] = KSIZE(S_THRESHOLDS, "leak_min_growth_per_30s",
				    thresholds.leak_min_growth_per_30s, 1 * MIB, 0,
				    1024 * GIB),
	[K_CPU_FUNCTION_SHARE] = KNUM(S_THRESHOLDS, "cpu_function_share_percent",
				      thresholds.cpu_function_share_percent, 50, 0, 100),
	[K_CPU_UTILIZATION] = KNUM(S_THRESHOLDS, "cpu_utilization_percent",
				   thresholds.cpu_utilization_percent, 80, 0, 10000),
	[K_CPU_APP_SHARE] = KNUM(S_THRESHOLDS, "cpu_app_share_percent",
				 thresholds.cpu_app_share_percent, 80, 0, 100),
	[K_CPU_SPIKE_MIN_UTIL] = KNUM(S_THRESHOLDS, "cpu_spike_min_utilization_percent",
				      thresholds.cpu_spike_min_utilization_percent, 5, 0, 10000),
	[K_CONTENTION_SECONDS] = KNUM(S_THRESHOLDS, "contention_seconds",
				      thresholds.contention_seconds, 1.0, 0, 86400),
	[K_GOROUTINES_WARN] = KUINT(S_THRESHOLDS, "goroutines_warn", thresholds.goroutines_warn,
				    500, 0, 100000000),
	[K_LT_HEAP] = KSIZE(S_THRESHOLDS, "long_term_heap_growth_per_hour",
			    thresholds.long_term_heap_growth_per_hour, 50 * MIB, 0, 1024 * GIB),
	[K_LT_SYS] = KSIZE(S_THRESHOLDS, "long_term_sys_growth_per_hour",
			   thresholds.long_term_sys_growth_per_hour, 100 * MIB, 0, 1024 * GIB),
	[K_LT_GOROUTINES] = KUINT(S_THRESHOLDS, "long_term_goroutine_growth_per_hour",
				  thresholds.long_term_goroutine_growth_per_hour, 200, 0, 100000000),
	[K_LT_MIN_HOURS] = KNUM(S_THRESHOLDS, "long_term_min_hours", thresholds.long_term_min_hours, 2, 0,
				8760),

	[K_PRIO_MEMORY_LEAK] = KPRIO(S_PRIORITY, "memory_leak", journal.priority.memory_leak, 4),
	[K_PRIO_MULTIPLE_ISSUES] = KPRIO(S_PRIORITY, "multiple_issues",
					 journal.priority.multiple_issues, 4),
	[K_PRIO_CPU_SPIKE] = KPRIO(S_PRIORITY, "cpu_spike", journal.priority.cpu_spike, 5),
	[K_PRIO_CONTENTION] = KPRIO(S_PRIORITY, "contention", journal.priority.contention, 5),
	[K_PRIO_NORMAL] = KPRIO(S_PRIORITY, "normal", journal.priority.normal, 6),
	[K_PRIO_INCONCLUSIVE] = KPRIO(S_PRIORITY, "inconclusive", journal.priority.inconclusive, 5),
	[K_PRIO_FAILED] = KPRIO(S_PRIORITY, "failed", journal.priority.failed, 3),

	[K_GREETING] = KTEXT(S_REPORT, "greeting", report.greeting, "Hi,"),
	[K_SIGNATURE] = KTEXT(S_REPORT, "signature", report.signature, "Datadog Support"),
	[K_CUSTOMER_MESSAGE] = KBOOL(S_REPORT, "customer_message", report.customer_message, 1),

	[K_TICKET_PATTERN] = KREGEX(S_TICKETS, "pattern", tickets.pattern, FW_TICKET_DEFAULT_PATTERN),
};

static const char *const priority_names[8] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

static const struct {
	const char *name;
	uint64_t mult;
} size_units[] = {
	{ "B", 1 },	  { "kB", KIB },  { "KB", KIB },  { "KiB", KIB },
	{ "MB", MIB },	  { "MiB", MIB }, { "GB", GIB },  { "GiB", GIB },
};

#define FIELD(c, k, type) ((type *)(void *)((char *)(c) + (k)->off))
#define CFIELD(c, k, type) ((type const *)(const void *)((const char *)(c) + (k)->off))

/* "analysis.memory_limit"; "workers" at the top level. */
static void key_fullname(const struct key *k, char *out, size_t len)
{
	if (k->section == S_TOP)
		snprintf(out, len, "%s", k->name);
	else
		snprintf(out, len, "%s.%s", sections[k->section].label, k->name);
}

const char *fw_config_priority_name(int priority)
{
	if (priority < 0 || priority > 7)
		return NULL;
	return priority_names[priority];
}

/* ---- small text helpers ------------------------------------------------------- */

/* Copies n bytes of untrusted text for a message: at most 60 of them, control
 * characters, '"' and '\\' escaped, "..." when cut. */
static void quote_text(const char *s, size_t n, char *out, size_t len)
{
	size_t o = 0, i;

	for (i = 0; i < n && i < 60 && o + 5 < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch < 0x20 || ch == 0x7f) {
			o += (size_t)snprintf(out + o, len - o, "\\x%02x", ch);
		} else if (ch == '"' || ch == '\\') {
			out[o++] = '\\';
			out[o++] = (char)ch;
		} else {
			out[o++] = (char)ch;
		}
	}
	if (i < n && o + 4 <= len) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = 0;
}

/* strtod() and "%g" follow LC_NUMERIC; the file always uses '.'. */
static double c_strtod(const char *s)
{
	const char *dp = localeconv()->decimal_point;
	char buf[128];
	size_t o = 0, dl = dp ? strlen(dp) : 0;

	if (!dl || !strcmp(dp, "."))
		return strtod(s, NULL);
	for (; *s && o + dl + 1 < sizeof(buf); s++) {
		if (*s == '.') {
			memcpy(buf + o, dp, dl);
			o += dl;
		} else {
			buf[o++] = *s;
		}
	}
	buf[o] = 0;
	return strtod(buf, NULL);
}

static void c_double_print(char *out, size_t len, int prec, double v)
{
	const char *dp = localeconv()->decimal_point;
	char *p;
	size_t dl;

	snprintf(out, len, "%.*g", prec, v);
	if (!dp || !*dp || !strcmp(dp, "."))
		return;
	dl = strlen(dp);
	p = strstr(out, dp);
	if (p) {
		*p = '.';
		memmove(p + 1, p + dl, strlen(p + dl) + 1);
	}
}

/* Whole numbers as integers ("200"), others in the shortest "%g" form that
 * reads back as v ("0.1", "12.5", "1e-07"). */
static void fmt_double(double v, char *out, size_t len)
{
	if (v > -1e15 && v < 1e15 && v == (double)(int64_t)v) {
		snprintf(out, len, "%.0f", v);
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		c_double_print(out, len, prec, v);
		if (c_strtod(out) == v)
			return;
	}
}

/* "10 MiB" when exact, otherwise "N B". */
static void fmt_size(uint64_t v, char *out, size_t len)
{
	if (v && v % GIB == 0)
		snprintf(out, len, "%" PRIu64 " GiB", v / GIB);
	else if (v && v % MIB == 0)
		snprintf(out, len, "%" PRIu64 " MiB", v / MIB);
	else if (v && v % KIB == 0)
		snprintf(out, len, "%" PRIu64 " KiB", v / KIB);
	else
		snprintf(out, len, "%" PRIu64 " B", v);
}

/*
 * Normalizes the absolute path s[0..n): collapses "//" and "/./", drops a
 * trailing '/'. Refuses relative paths, "..", control characters (NUL
 * included) and results over PATH_LEN_MAX bytes. out has PATH_LEN_MAX + 1
 * bytes. On failure *why says what is wrong.
 */
static int path_normalize(const char *s, size_t n, char *out, const char **why)
{
	size_t i = 0, o = 0;

	if (n == 0 || s[0] != '/') {
		*why = "must be an absolute path";
		return -EINVAL;
	}
	for (size_t j = 0; j < n; j++) {
		unsigned char ch = (unsigned char)s[j];
		if (ch < 0x20 || ch == 0x7f) {
			*why = "must not contain control characters";
			return -EINVAL;
		}
	}
	while (i < n) {
		size_t start, clen;

		while (i < n && s[i] == '/')
			i++;
		start = i;
		while (i < n && s[i] != '/')
			i++;
		clen = i - start;
		if (clen == 0 || (clen == 1 && s[start] == '.'))
			continue;
		if (clen == 2 && s[start] == '.' && s[start + 1] == '.') {
			*why = "must not contain \"..\"";
			return -EINVAL;
		}
		if (o + 1 + clen > PATH_LEN_MAX) {
			*why = "is too long";
			return -EINVAL;
		}
		out[o++] = '/';
		memcpy(out + o, s + start, clen);
		o += clen;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = 0;
	return 0;
}

/* ---- parsing one value -------------------------------------------------------- */

static bool all_digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* [-+]?[0-9]+ into *out; -EINVAL for another shape, -ERANGE past int64. */
static int parse_int(const char *s, size_t n, int64_t *out)
{
	bool neg = false;
	uint64_t v = 0, limit;

	if (n && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		s++;
		n--;
	}
	if (!all_digits(s, n))
		return -EINVAL;
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (limit - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

/* YAML 1.2 core floats without .inf/.nan: [-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)? */
static int parse_number(const char *s, size_t n, double *out)
{
	size_t i = 0, mant = 0;
	char buf[64];

	if (n >= sizeof(buf))
		return -EINVAL;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++, mant++;
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++, mant++;
	}
	if (!mant)
		return -EINVAL;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t exp = 0;
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++, exp++;
		if (!exp)
			return -EINVAL;
	}
	if (i != n)
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = 0;
	*out = c_strtod(buf);
	if (!isfinite(*out))
		return -ERANGE;
	return 0;
}

/* "N", "N unit" or "Nunit", N a decimal integer; -ERANGE past uint64. */
static int parse_size(const char *s, size_t n, uint64_t *out)
{
	size_t i = 0, ulen;
	uint64_t v = 0, mult = 0;

	while (i < n && s[i] >= '0' && s[i] <= '9') {
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
		i++;
	}
	if (i == 0)
		return -EINVAL;
	if (i == n) {
		*out = v;
		return 0;
	}
	while (i < n && s[i] == ' ')
		i++;
	ulen = n - i;
	for (size_t u = 0; u < sizeof(size_units) / sizeof(size_units[0]); u++) {
		if (strlen(size_units[u].name) == ulen && !memcmp(size_units[u].name, s + i, ulen)) {
			mult = size_units[u].mult;
			break;
		}
	}
	if (!mult)
		return -EINVAL;
	if (v > UINT64_MAX / mult)
		return -ERANGE;
	*out = v * mult;
	return 0;
}

static int parse_priority(const char *s, size_t n, bool plain, int *out)
{
	int64_t v;

	if (plain && parse_int(s, n, &v) == 0) {
		if (v < 0 || v > 7)
			return -ERANGE;
		*out = (int)v;
		return 0;
	}
	for (int p = 0; p < 8; p++) {
		if (strlen(priority_names[p]) == n && !strncasecmp(priority_names[p], s, n)) {
			*out = p;
			return 0;
		}
	}
	return -EINVAL;
}

static bool text_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if ((ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7f)
			return false;
	}
	return true;
}

static void set_string(struct fw_config *c, const struct key *k, char *v)
{
	const char **f = FIELD(c, k, const char *);

	if (*f && *f != k->sdef)
		free((void *)*f);
	*f = v;
}

static const char *kind_expect(enum kind kind)
{
	switch (kind) {
	case T_PATH: return "an absolute path";
	case T_TEXT: return "a string";
	case T_REGEX: return "a POSIX extended regular expression";
	case T_UINT: return "an integer";
	case T_SIZE: return "a size (bytes, or an integer with B, kB, KB, KiB, MB, MiB, GB or GiB)";
	case T_NUMBER: return "a number";
	case T_BOOL: return "true or false";
	case T_PRIORITY:
		return "a priority (emerg, alert, crit, err, warning, notice, info, debug or 0..7)";
	}
	return "a value";
}

/* The two ways a scalar of the wrong form is refused, worded once. */
static int not_quoted(struct fw_error *err, const char *name, const struct key *k)
{
	return fw_err(err, -EINVAL, "invalid value for \"%s\": expected %s, got a quoted string", name,
		      kind_expect(k->kind));
}

static int not_a(struct fw_error *err, const char *name, const struct key *k, const char *shown)
{
	return fw_err(err, -EINVAL, "invalid value for \"%s\": expected %s, got \"%s\"", name,
		      kind_expect(k->kind), shown);
}

/*
 * Parses the scalar s[0..n) (plain: it was unquoted) for key k and stores it
 * in c, only on success. On failure err says
 * `invalid value for "KEY": what is wrong` and c is unchanged.
 */
static int parse_value(const struct key *k, const char *s, size_t n, bool plain,
		       struct fw_config *c, struct fw_error *err)
{
	char name[96], shown[256], lo[32], hi[32];
	const char *why = NULL;
	int64_t iv;
	uint64_t uv;
	double dv;
	int r, pv;

	key_fullname(k, name, sizeof(name));
	quote_text(s, n, shown, sizeof(shown));
	switch (k->kind) {
	case T_PATH: {
		char *norm;
		if (n == 0 && k->optional) {
			set_string(c, k, (char *)k->sdef);
			return 0;
		}
		norm = malloc(PATH_LEN_MAX + 1);
		if (!norm)
			return fw_err(err, -ENOMEM, "out of memory");
		if (path_normalize(s, n, norm, &why) < 0) {
			free(norm);
			return fw_err(err, -EINVAL, "invalid value for \"%s\": \"%s\" %s", name,
				      shown, why);
		}
		if (!strcmp(norm, "/")) {
			free(norm);
			return fw_err(err, -EINVAL,
				      "invalid value for \"%s\": must not be the root directory",
				      name);
		}
		/* Give back the unused part of the PATH_LEN_MAX buffer. */
		char *shrunk = realloc(norm, strlen(norm) + 1);
		set_string(c, k, shrunk ? shrunk : norm);
		return 0;
	}
	case T_REGEX:
	case T_TEXT: {
		char *copy;
		if (k->kind == T_REGEX) {
			struct fw_error re;
			if (memchr(s, 0, n) || !text_ok(s, n) || memchr(s, '\n', n))
				return fw_err(err, -EINVAL,
					      "invalid value for \"%s\": control characters are not allowed",
					      name);
			copy = strndup(s, n);
			if (!copy)
				return fw_err(err, -ENOMEM, "out of memory");
			if (fw_ticket_pattern_check(copy, &re) < 0) {
				free(copy);
				return fw_err(err, -EINVAL, "invalid value for \"%s\": %s", name, re.msg);
			}
			set_string(c, k, copy);
			return 0;
		}
		if (n > TEXT_LEN_MAX)
			return fw_err(err, -EINVAL,
				      "invalid value for \"%s\": longer than %d bytes", name,
				      TEXT_LEN_MAX);
		if (!text_ok(s, n))
			return fw_err(err, -EINVAL,
				      "invalid value for \"%s\": control characters other than "
				      "newline and tab are not allowed",
				      name);
		copy = malloc(n + 1);
		if (!copy)
			return fw_err(err, -ENOMEM, "out of memory");
		memcpy(copy, s, n);
		copy[n] = 0;
		set_string(c, k, copy);
		return 0;
	}
	case T_UINT:
		if (!plain)
			return not_quoted(err, name, k);
		r = parse_int(s, n, &iv);
		if (r == -EINVAL)
			return not_a(err, name, k, shown);
		if (r < 0 || iv < 0 || (uint64_t)iv < k->umin || (uint64_t)iv > k->umax)
			return fw_err(err, -EINVAL,
				      "invalid value for \"%s\": must be between %" PRIu64 " and %" PRIu64
				      ", got %s",
				      name, k->umin, k->umax, shown);
		*FIELD(c, k, unsigned) = (unsigned)iv;
		return 0;
	case T_SIZE:
		if (n && s[0] == '-')
			r = -ERANGE;
		else
			r = parse_size(s, n, &uv);
		if (r == -EINVAL)
			return not_a(err, name, k, shown);
		if (r < 0 || uv < k->umin || uv > k->umax) {
			fmt_size(k->umin, lo, sizeof(lo));
			fmt_size(k->umax, hi, sizeof(hi));
			return fw_err(err, -EINVAL,
				      "invalid value for \"%s\": must be between %s and %s, got %s",
				      name, lo, hi, shown);
		}
		*FIELD(c, k, uint64_t) = uv;
		return 0;
	case T_NUMBER:
		if (!plain)
			return not_quoted(err, name, k);
		r = parse_number(s, n, &dv);
		if (r == -EINVAL)
			return not_a(err, name, k, shown);
		if (r < 0 || !(dv >= k->dmin && dv <= k->dmax)) {
			fmt_double(k->dmin, lo, sizeof(lo));
			fmt_double(k->dmax, hi, sizeof(hi));
			return fw_err(err, -EINVAL,
				      "invalid value for \"%s\": must be between %s and %s, got %s",
				      name, lo, hi, shown);
		}
		*FIELD(c, k, double) = dv;
		return 0;
	case T_BOOL:
		if (plain && ((n == 4 && (!memcmp(s, "true", 4) || !memcmp(s, "True", 4) ||
					   !memcmp(s, "TRUE", 4))))) {
			*FIELD(c, k, bool) = true;
			return 0;
		}
		if (plain && ((n == 5 && (!memcmp(s, "false", 5) || !memcmp(s, "False", 5) ||
					   !memcmp(s, "FALSE", 5))))) {
			*FIELD(c, k, bool) = false;
			return 0;
		}
		return fw_err(err, -EINVAL, "invalid value for \"%s\": expected %s, got %s%s%s", name,
			      kind_expect(k->kind), plain ? "\"" : "a quoted string",
			      plain ? shown : "", plain ? "\"" : "");
	case T_PRIORITY:
		r = parse_priority(s, n, plain, &pv);
		if (r == -ERANGE)
			return fw_err(err, -EINVAL,
				      "invalid value for \"%s\": must be between 0 and 7, got %s", name,
				      shown);
		if (r < 0)
			return not_a(err, name, k, shown);
		*FIELD(c, k, int) = pv;
		return 0;
	}
	return fw_err(err, -EINVAL, "invalid value for \"%s\"", name);
}

/* ---- defaults, free, equal, set ------------------------------------------------ */

void fw_config_defaults(struct fw_config *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < K_COUNT; i++) {
		const struct key *k = &keys[i];
		switch (k->kind) {
		case T_PATH:
		case T_TEXT:
		case T_REGEX: *FIELD(c, k, const char *) = k->sdef; break;
		case T_UINT: *FIELD(c, k, unsigned) = (unsigned)k->udef; break;
		case T_SIZE: *FIELD(c, k, uint64_t) = k->udef; break;
		case T_NUMBER: *FIELD(c, k, double) = k->ddef; break;
		case T_BOOL: *FIELD(c, k, bool) = k->udef != 0; break;
		case T_PRIORITY: *FIELD(c, k, int) = (int)k->udef; break;
		}
	}
}

void fw_config_free(struct fw_config *c)
{
	for (size_t i = 0; i < K_COUNT; i++)
		if (keys[i].kind == T_PATH || keys[i].kind == T_TEXT || keys[i].kind == T_REGEX)
			set_string(c, &keys[i], NULL);
}

bool fw_config_equal(const struct fw_config *a, const struct fw_config *b)
{
#define SAME(type) (*CFIELD(a, k, type) == *CFIELD(b, k, type))
	for (size_t i = 0; i < K_COUNT; i++) {
		const struct key *k = &keys[i];
		bool same = false;
		switch (k->kind) {
		case T_PATH:
		case T_TEXT:
		case T_REGEX: {
			const char *x = *CFIELD(a, k, const char *), *y = *CFIELD(b, k, const char *);
			same = x == y || (x && y && !strcmp(x, y));
			break;
		}
		case T_UINT: same = SAME(unsigned); break;
		case T_SIZE: same = SAME(uint64_t); break;
		case T_NUMBER: same = SAME(double); break;
		case T_BOOL: same = SAME(bool); break;
		case T_PRIORITY: same = SAME(int); break;
		}
		if (!same)
			return false;
	}
	return true;
#undef SAME
}

int fw_config_set(struct fw_config *c, const char *key, const char *value,
		  struct fw_error *err)
{
	char name[96];

	for (size_t i = 0; i < K_COUNT; i++) {
		key_fullname(&keys[i], name, sizeof(name));
		if (!strcmp(name, key))
			return parse_value(&keys[i], value, strlen(value), true, c, err);
	}
	quote_text(key, strlen(key), name, sizeof(name));
	return fw_err(err, -EINVAL, "unknown configuration key \"%s\"", name);
}

/* ---- validation ------------------------------------------------------------------ */

struct mark {
	int line, col; /* 1-based; line 0: not set in the file */
};

/* a is b or inside it (both normalized, b not "/"). */
static bool path_within(const char *a, const char *b)
{
	size_t n = strlen(b);
	return !strncmp(a, b, n) && (a[n] == 0 || a[n] == '/');
}

/* a is base/sub or inside it. */
static bool path_within_sub(const char *a, const char *base, const char *sub)
{
	size_t n = strlen(base), m = strlen(sub);
	return path_within(a, base) && a[n] == '/' && !strncmp(a + n + 1, sub, m) &&
	       (a[n + 1 + m] == 0 || a[n + 1 + m] == '/');
}

/*
 * Formats a validation error; with path, prefixes "PATH:LINE:COL" of the
 * first of key ids a, b that the file set (or just "PATH").
 */
static int verr(struct fw_error *err, const char *path, const struct mark *marks, int a, int b,
		const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static int verr(struct fw_error *err, const char *path, const struct mark *marks, int a, int b,
		const char *fmt, ...)
{
	const struct mark *m = NULL;
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	if (!path)
		return -EINVAL;
	if (marks && a >= 0 && marks[a].line)
		m = &marks[a];
	else if (marks && b >= 0 && marks[b].line)
		m = &marks[b];
	if (m)
		fw_err_prefix(err, "%s:%d:%d", path, m->line, m->col);
	else
		fw_err_prefix(err, "%s", path);
	return -EINVAL;
}

static int validate_values(const struct fw_config *c, struct fw_error *err)
{
	char name[96], shown[256], lo[32], hi[32], v[32];
	char *norm = NULL;
	const char *why;
	int r = 0;

	for (size_t i = 0; i < K_COUNT && !r; i++) {
		const struct key *k = &keys[i];
		key_fullname(k, name, sizeof(name));
		switch (k->kind) {
		case T_PATH: {
			const char *p = *CFIELD(c, k, const char *);
			if (!p) {
				r = fw_err(err, -EINVAL, "%s is not set", name);
				break;
			}
			if (!*p && k->optional)
				break;
			if (!norm && !(norm = malloc(PATH_LEN_MAX + 1)))
				return fw_err(err, -ENOMEM, "out of memory");
			quote_text(p, strlen(p), shown, sizeof(shown));
			if (path_normalize(p, strlen(p), norm, &why) < 0)
				r = fw_err(err, -EINVAL, "%s \"%s\" %s", name, shown, why);
			else if (!strcmp(norm, "/"))
				r = fw_err(err, -EINVAL, "%s must not be the root directory", name);
			else if (strcmp(norm, p))
				r = fw_err(err, -EINVAL, "%s \"%s\" is not in normal form (\"%s\")", name,
					   shown, norm);
			break;
		}
		case T_REGEX: {
			const char *t = *CFIELD(c, k, const char *);
			struct fw_error re;
			if (!t)
				r = fw_err(err, -EINVAL, "%s is not set", name);
			else if (strchr(t, '\n') || !text_ok(t, strlen(t)))
				r = fw_err(err, -EINVAL, "%s has control characters", name);
			else if (fw_ticket_pattern_check(t, &re) < 0)
				r = fw_err(err, -EINVAL, "%s: %s", name, re.msg);
			break;
		}
		case T_TEXT: {
			const char *t = *CFIELD(c, k, const char *);
			if (!t)
				r = fw_err(err, -EINVAL, "%s is not set", name);
			else if (strlen(t) > TEXT_LEN_MAX || !text_ok(t, strlen(t)))
				r = fw_err(err, -EINVAL,
					   "%s is longer than %d bytes or has control characters",
					   name, TEXT_LEN_MAX);
			break;
		}
		case T_UINT: {
			unsigned u = *CFIELD(c, k, unsigned);
			if (u < k->umin || u > k->umax)
				r = fw_err(err, -EINVAL,
					   "%s must be between %" PRIu64 " and %" PRIu64 ", got %u", name,
					   k->umin, k->umax, u);
			break;
		}
		case T_SIZE: {
			uint64_t u = *CFIELD(c, k, uint64_t);
			if (u < k->umin || u > k->umax) {
				fmt_size(k->umin, lo, sizeof(lo));
				fmt_size(k->umax, hi, sizeof(hi));
				fmt_size(u, v, sizeof(v));
				r = fw_err(err, -EINVAL, "%s must be between %s and %s, got %s", name,
					   lo, hi, v);
			}
			break;
		}
		case T_NUMBER: {
			double d = *CFIELD(c, k, double);
			if (!(d >= k->dmin && d <= k->dmax)) {
				fmt_double(k->dmin, lo, sizeof(lo));
				fmt_double(k->dmax, hi, sizeof(hi));
				fmt_double(d, v, sizeof(v));
				r = fw_err(err, -EINVAL, "%s must be between %s and %s, got %s", name,
					   lo, hi, v);
			}
			break;
		}
		case T_BOOL:
			break;
		case T_PRIORITY: {
			int p = *CFIELD(c, k, int);
			if (p < 0 || p > 7)
				r = fw_err(err, -EINVAL, "%s must be between 0 and 7, got %d", name, p);
			break;
		}
		}
	}
	free(norm);
	return r;
}

/* metrics_file: a file outside the flare folders, and none of them. */
static int validate_metrics_file(const struct fw_config *c, const char *path,
				 const struct mark *marks, struct fw_error *err)
{
	static const char *const subs[] = { FW_STATE_PROCESSING, FW_STATE_DONE, FW_STATE_FAILED };
	const char *mf = c->metrics_file;
	const char *dirs[] = { c->incoming_dir, c->state_dir, c->investigations_dir };
	static const char *const names[] = { "incoming_dir", "state_dir", "investigations_dir" };
	static const int ids[] = { K_INCOMING_DIR, K_STATE_DIR, K_INVESTIGATIONS_DIR };

	if (!mf || !*mf)
		return 0;
	for (size_t i = 0; i < 3; i++)
		if (path_within(dirs[i], mf))
			return verr(err, path, marks, K_METRICS_FILE, ids[i],
				    "metrics_file \"%s\" must be a file, not %s or a folder above "
				    "it (\"%s\")", mf, names[i], dirs[i]);
	if (path_within(mf, c->incoming_dir))
		return verr(err, path, marks, K_METRICS_FILE, K_INCOMING_DIR,
			    "metrics_file \"%s\" must not be inside incoming_dir (\"%s\")", mf,
			    c->incoming_dir);
	if (path_within(mf, c->investigations_dir))
		return verr(err, path, marks, K_METRICS_FILE, K_INVESTIGATIONS_DIR,
			    "metrics_file \"%s\" must not be inside investigations_dir (\"%s\")",
			    mf, c->investigations_dir);
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (path_within_sub(mf, c->state_dir, subs[i]))
			return verr(err, path, marks, K_METRICS_FILE, K_STATE_DIR,
				    "metrics_file \"%s\" must not be inside state_dir's %s/ "
				    "(\"%s/%s\")", mf, subs[i], c->state_dir, subs[i]);
	return 0;
}

static int validate_impl(const struct fw_config *c, const char *path, const struct mark *marks,
			 struct fw_error *err)
{
	static const char *const subs[] = { FW_STATE_PROCESSING, FW_STATE_DONE, FW_STATE_FAILED };
	const char *in, *st, *inv;
	int r;

	r = validate_values(c, err);
	if (r < 0) {
		if (path)
			fw_err_prefix(err, "%s", path);
		return r;
	}
	in = c->incoming_dir;
	st = c->state_dir;
	inv = c->investigations_dir;

	if (path_within(st, in))
		return verr(err, path, marks, K_STATE_DIR, K_INCOMING_DIR,
			    "state_dir \"%s\" must not be incoming_dir or inside it (\"%s\")", st, in);
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (path_within_sub(in, st, subs[i]))
			return verr(err, path, marks, K_INCOMING_DIR, K_STATE_DIR,
				    "incoming_dir \"%s\" must not be inside state_dir's %s/ (\"%s/%s\")",
				    in, subs[i], st, subs[i]);
	if (!strcmp(inv, in))
		return verr(err, path, marks, K_INVESTIGATIONS_DIR, K_INCOMING_DIR,
			    "investigations_dir and incoming_dir must differ (both are \"%s\")", in);
	if (path_within(inv, in) || path_within(in, inv))
		return verr(err, path, marks, K_INVESTIGATIONS_DIR, K_INCOMING_DIR,
			    "investigations_dir \"%s\" and incoming_dir \"%s\" must not be inside "
			    "one another",
			    inv, in);
	if (path_within(st, inv))
		return verr(err, path, marks, K_INVESTIGATIONS_DIR, K_STATE_DIR,
			    "investigations_dir \"%s\" must not be state_dir or contain it (\"%s\")",
			    inv, st);
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (path_within_sub(inv, st, subs[i]))
			return verr(err, path, marks, K_INVESTIGATIONS_DIR, K_STATE_DIR,
				    "investigations_dir \"%s\" must not be inside state_dir's %s/ "
				    "(\"%s/%s\")",
				    inv, subs[i], st, subs[i]);
	return validate_metrics_file(c, path, marks, err);
}

int fw_config_validate(const struct fw_config *c, struct fw_error *err)
{
	return validate_impl(c, NULL, NULL, err);
}

/* ---- rendering ------------------------------------------------------------------- */

static void put_quoted(struct fw_buf *b, const char *s)
{
	fw_buf_putc(b, '"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		switch (ch) {
		case '"': fw_buf_puts(b, "\\\""); break;
		case '\\': fw_buf_puts(b, "\\\\"); break;
		case '\n': fw_buf_puts(b, "\\n"); break;
		case '\t': fw_buf_puts(b, "\\t"); break;
		default:
			if (ch < 0x20 || ch == 0x7f)
				fw_buf_printf(b, "\\x%02x", ch);
			else
				fw_buf_putc(b, (char)ch);
		}
	}
	fw_buf_putc(b, '"');
}

/* The sections from the top level down to s (S_TOP excluded); returns the depth. */
static int section_chain(int s, int chain[4])
{
	int tmp[4], n = 0, d = 0;

	for (; s > S_TOP && n < 4; s = sections[s].parent)
		tmp[n++] = s;
	while (n)
		chain[d++] = tmp[--n];
	return d;
}

int fw_config_render(const struct fw_config *c, struct fw_buf *out, struct fw_error *err)
{
	int cur[4], ncur = 0;
	char v[64];

	for (size_t i = 0; i < K_COUNT; i++) {
		const struct key *k = &keys[i];
		int want[4], nwant = section_chain(k->section, want), common = 0;

		while (common < ncur && common < nwant && cur[common] == want[common])
			common++;
		for (int d = common; d < nwant; d++)
			fw_buf_printf(out, "%*s%s:\n", 2 * d, "", sections[want[d]].name);
		memcpy(cur, want, sizeof(want));
		ncur = nwant;

		fw_buf_printf(out, "%*s%s: ", 2 * nwant, "", k->name);
		switch (k->kind) {
		case T_PATH:
		case T_TEXT:
		case T_REGEX: {
			const char *s = *CFIELD(c, k, const char *);
			put_quoted(out, s ? s : "");
			break;
		}
		case T_UINT: fw_buf_printf(out, "%u", *CFIELD(c, k, unsigned)); break;
		case T_SIZE:
			fmt_size(*CFIELD(c, k, uint64_t), v, sizeof(v));
			fw_buf_puts(out, v);
			break;
		case T_NUMBER:
			fmt_double(*CFIELD(c, k, double), v, sizeof(v));
			fw_buf_puts(out, v);
			break;
		case T_BOOL: fw_buf_puts(out, *CFIELD(c, k, bool) ? "true" : "false"); break;
		case T_PRIORITY: {
			const char *pn = fw_config_priority_name(*CFIELD(c, k, int));
			if (pn)
				fw_buf_puts(out, pn);
			else
				fw_buf_printf(out, "%d", *CFIELD(c, k, int));
			break;
		}
		}
		fw_buf_putc(out, '\n');
	}
	if (out->failed)
		return fw_err(err, -ENOMEM, "out of memory");
	return 0;
}

/* ---- loading ----------------------------------------------------------------------- */

struct loader {
	yaml_parser_t parser;
	const char *path;
	const uint8_t *data;
	size_t len;
	struct fw_config *c;
	struct fw_error *err;
	struct mark key_at[K_COUNT];
	struct mark section_at[S_COUNT];
};

static struct mark mark_of(yaml_mark_t m)
{
	struct mark r = { (int)m.line + 1, (int)m.column + 1 };
	return r;
}

static int load_err(struct loader *ld, yaml_mark_t m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int load_err(struct loader *ld, yaml_mark_t m, const char *fmt, ...)
{
	va_list ap;

	if (ld->err) {
		va_start(ap, fmt);
		vsnprintf(ld->err->msg, sizeof(ld->err->msg), fmt, ap);
		va_end(ap);
		fw_err_prefix(ld->err, "%s:%zu:%zu", ld->path, m.line + 1, m.column + 1);
	}
	return -EINVAL;
}

static int syntax_error(struct loader *ld)
{
	const yaml_parser_t *p = &ld->parser;
	const char *problem = p->problem ? p->problem : "unknown error";

	if (p->error == YAML_MEMORY_ERROR)
		return fw_err(ld->err, -ENOMEM, "%s: out of memory", ld->path);
	if (p->error == YAML_READER_ERROR) {
		/* The reader reports a byte offset, not a mark. */
		size_t line = 1, col = 1, end = p->problem_offset < ld->len ? p->problem_offset : ld->len;
		for (size_t i = 0; i < end; i++) {
			if (ld->data[i] == '\n') {
				line++;
				col = 1;
			} else {
				col++;
			}
		}
		if (p->problem_value != -1)
			return fw_err(ld->err, -EINVAL, "%s:%zu:%zu: %s (byte 0x%02x)", ld->path, line,
				      col, problem, (unsigned)p->problem_value & 0xffu);
		return fw_err(ld->err, -EINVAL, "%s:%zu:%zu: %s", ld->path, line, col, problem);
	}
	if (p->context)
		return fw_err(ld->err, -EINVAL, "%s:%zu:%zu: YAML syntax error: %s (%s at %zu:%zu)",
			      ld->path, p->problem_mark.line + 1, p->problem_mark.column + 1,
			      problem, p->context, p->context_mark.line + 1,
			      p->context_mark.column + 1);
	return fw_err(ld->err, -EINVAL, "%s:%zu:%zu: YAML syntax error: %s", ld->path,
		      p->problem_mark.line + 1, p->problem_mark.column + 1, problem);
}

/* The next event, refusing aliases, anchors and tags. */
static int next_event(struct loader *ld, yaml_event_t *ev)
{
	const yaml_char_t *anchor = NULL, *tag = NULL;
	char shown[256];
	int r = 0;

	if (!yaml_parser_parse(&ld->parser, ev))
		return syntax_error(ld);
	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		quote_text((const char *)ev->data.alias.anchor, strlen((const char *)ev->data.alias.anchor),
			   shown, sizeof(shown));
		r = load_err(ld, ev->start_mark, "aliases are not allowed (\"*%s\")", shown);
		break;
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor;
		tag = ev->data.scalar.tag;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
		break;
	default:
		break;
	}
	if (!r && anchor) {
		quote_text((const char *)anchor, strlen((const char *)anchor), shown, sizeof(shown));
		r = load_err(ld, ev->start_mark, "anchors are not allowed (\"&%s\")", shown);
	} else if (!r && tag) {
		quote_text((const char *)tag, strlen((const char *)tag), shown, sizeof(shown));
		r = load_err(ld, ev->start_mark, "tags are not allowed (\"%s\")", shown);
	}
	if (r)
		yaml_event_delete(ev);
	return r;
}

static bool is_plain(const yaml_event_t *ev)
{
	return ev->type == YAML_SCALAR_EVENT && ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

static bool is_null(const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;

	if (!is_plain(ev))
		return false;
	return n == 0 || (n == 1 && v[0] == '~') ||
	       (n == 4 && (!memcmp(v, "null", 4) || !memcmp(v, "Null", 4) || !memcmp(v, "NULL", 4)));
}

/* What the event is, for "got ..." in messages: "a sequence", "\"text\"". */
static const char *event_desc(const yaml_event_t *ev, char *buf, size_t len)
{
	char shown[256];

	switch (ev->type) {
	case YAML_SEQUENCE_START_EVENT: return "a sequence";
	case YAML_MAPPING_START_EVENT: return "a mapping";
	case YAML_SCALAR_EVENT:
		if (is_null(ev))
			return "nothing (null)";
		if (!is_plain(ev))
			return "a quoted string";
		quote_text((const char *)ev->data.scalar.value, ev->data.scalar.length, shown,
			   sizeof(shown));
		snprintf(buf, len, "\"%s\"", shown);
		return buf;
	default: return "something else";
	}
}

static int load_mapping(struct loader *ld, int sec);

/* The value of key (leaf index ki, or section si when ki < 0). */
static int load_value(struct loader *ld, int ki, int si, const char *name)
{
	yaml_event_t ev;
	char desc[300];
	int r;

	r = next_event(ld, &ev);
	if (r < 0)
		return r;
	if (ki < 0) {
		if (ev.type == YAML_MAPPING_START_EVENT)
			r = load_mapping(ld, si);
		else if (!(ev.type == YAML_SCALAR_EVENT && is_null(&ev)))
			r = load_err(ld, ev.start_mark, "section \"%s\" must be a mapping, got %s",
				     sections[si].label, event_desc(&ev, desc, sizeof(desc)));
	} else if (ev.type != YAML_SCALAR_EVENT) {
		r = load_err(ld, ev.start_mark, "invalid value for \"%s\": expected %s, got %s", name,
			     kind_expect(keys[ki].kind), event_desc(&ev, desc, sizeof(desc)));
	} else if (is_null(&ev)) {
		r = load_err(ld, ev.start_mark,
			     "no value for \"%s\" (remove the line to use the default)", name);
	} else {
		r = parse_value(&keys[ki], (const char *)ev.data.scalar.value, ev.data.scalar.length,
				is_plain(&ev), ld->c, ld->err);
		if (r == -EINVAL)
			fw_err_prefix(ld->err, "%s:%zu:%zu", ld->path, ev.start_mark.line + 1,
				      ev.start_mark.column + 1);
		else if (r < 0)
			fw_err_prefix(ld->err, "%s", ld->path);
	}
	yaml_event_delete(&ev);
	return r;
}

/* The body of a mapping of section sec, after its MAPPING-START. */
static int load_mapping(struct loader *ld, int sec)
{
	for (;;) {
		yaml_event_t ev;
		const char *kname;
		char shown[256], full[96], desc[300];
		struct mark *seen, at;
		size_t klen;
		int ki = -1, si = -1, r;

		r = next_event(ld, &ev);
		if (r < 0)
			return r;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		if (ev.type != YAML_SCALAR_EVENT) {
			r = load_err(ld, ev.start_mark, "keys must be scalars, got %s in section \"%s\"",
				     event_desc(&ev, desc, sizeof(desc)), sections[sec].label);
			yaml_event_delete(&ev);
			return r;
		}
		kname = (const char *)ev.data.scalar.value;
		klen = ev.data.scalar.length;
		for (int i = 0; i < K_COUNT && ki < 0; i++)
			if (keys[i].section == sec && strlen(keys[i].name) == klen &&
			    !memcmp(keys[i].name, kname, klen))
				ki = i;
		for (int i = 0; i < S_COUNT && ki < 0 && si < 0; i++)
			if (sections[i].parent == sec && strlen(sections[i].name) == klen &&
			    !memcmp(sections[i].name, kname, klen))
				si = i;
		quote_text(kname, klen, shown, sizeof(shown));
		if (ki < 0 && si < 0) {
			r = load_err(ld, ev.start_mark, "unknown key \"%s\" in section \"%s\"", shown,
				     sections[sec].label);
			yaml_event_delete(&ev);
			return r;
		}
		seen = ki >= 0 ? &ld->key_at[ki] : &ld->section_at[si];
		if (seen->line) {
			r = load_err(ld, ev.start_mark,
				     "duplicate key \"%s\" in section \"%s\" (first at line %d)", shown,
				     sections[sec].label, seen->line);
			yaml_event_delete(&ev);
			return r;
		}
		at = mark_of(ev.start_mark);
		*seen = at;
		yaml_event_delete(&ev);
		full[0] = 0;
		if (ki >= 0)
			key_fullname(&keys[ki], full, sizeof(full));
		r = load_value(ld, ki, si, full);
		if (r < 0)
			return r;
	}
}

/* The whole stream: nothing, or one document whose root is a mapping (or null). */
static int load_stream(struct loader *ld)
{
	yaml_event_t ev;
	char desc[300];
	int r;

	r = next_event(ld, &ev); /* STREAM-START */
	if (r < 0)
		return r;
	yaml_event_delete(&ev);
	r = next_event(ld, &ev);
	if (r < 0)
		return r;
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		return 0;
	}
	yaml_event_delete(&ev); /* DOCUMENT-START */

	r = next_event(ld, &ev);
	if (r < 0)
		return r;
	if (ev.type == YAML_MAPPING_START_EVENT)
		r = load_mapping(ld, S_TOP);
	else if (!(ev.type == YAML_SCALAR_EVENT && is_null(&ev)))
		r = load_err(ld, ev.start_mark,
			     "the configuration must be a mapping of keys to values, got %s",
			     event_desc(&ev, desc, sizeof(desc)));
	yaml_event_delete(&ev);
	if (r < 0)
		return r;

	r = next_event(ld, &ev); /* DOCUMENT-END */
	if (r < 0)
		return r;
	yaml_event_delete(&ev);
	r = next_event(ld, &ev);
	if (r < 0)
		return r;
	if (ev.type == YAML_DOCUMENT_START_EVENT)
		r = load_err(ld, ev.start_mark, "only one YAML document is allowed");
	yaml_event_delete(&ev);
	return r;
}

int fw_config_load(const char *path, struct fw_config *c, struct fw_error *err)
{
	struct loader *ld;
	struct fw_config tmp;
	uint8_t *data = NULL;
	size_t len = 0;
	int r;

	fw_config_defaults(c);
	r = fw_read_file(path, FW_CONFIG_MAX_FILE_SIZE, &data, &len, err);
	if (r < 0)
		return r;
	ld = calloc(1, sizeof(*ld));
	if (!ld) {
		free(data);
		return fw_err(err, -ENOMEM, "%s: out of memory", path);
	}
	if (!yaml_parser_initialize(&ld->parser)) {
		free(ld);
		free(data);
		return fw_err(err, -ENOMEM, "%s: out of memory", path);
	}
	yaml_parser_set_input_string(&ld->parser, data, len);
	ld->path = path;
	ld->data = data;
	ld->len = len;
	ld->err = err;
	fw_config_defaults(&tmp);
	ld->c = &tmp;

	r = load_stream(ld);
	if (r == 0)
		r = validate_impl(&tmp, path, ld->key_at, err);
	if (r == 0)
		*c = tmp;
	else
		fw_config_free(&tmp);
	yaml_parser_delete(&ld->parser);
	free(ld);
	free(data);
	return r;
}
