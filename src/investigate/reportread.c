/*
 * reportread.c: reads back a report.json (see reportread.h).
 *
 * Why libyaml and not a JSON parser of our own: we already link it (the
 * configuration and the flare's YAML files), it is a mature parser with an
 * event API that allocates on the heap (no recursion, so a deep document
 * cannot overflow the stack), and JSON's syntax is, for what write_json.c
 * writes, YAML's flow syntax. The differences that matter are handled
 * here, each checked by tests/unit/test_reportread.c:
 *  - "\uD83D\uDE00" (a UTF-16 surrogate pair, valid JSON) is refused by
 *    libyaml: the pass below rewrites each pair to YAML's "\U0001F600"
 *    before parsing (a lone surrogate stays, and libyaml refuses it);
 *  - "\/" is decoded by libyaml 0.2.5 as JSON does;
 *  - "\u0000" decodes to a NUL inside the string: refused;
 *  - YAML's extras (anchors, aliases, tags, several documents) are not
 *    JSON: refused; block style and single quotes are accepted, which
 *    costs nothing (the caller checks every field's type, and nothing
 *    here trusts more than that);
 *  - libyaml has no nesting limit: the event loop counts depth and stops
 *    at FW_REPORT_READ_DEPTH, before libyaml reads further.
 * The input must be valid UTF-8 (libyaml checks it, and is told the
 * encoding so that a UTF-16 byte order mark does not switch it).
 */
#include "investigate/reportread.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

enum ftype { F_STR, F_I64 };

/* A "processes" item being read. */
struct item {
	char *name;
	struct fw_report_proc p;
};

/* The fields read: the path of keys from the top-level object ("[]" for
 * an array item). A field of a "processes" item (proc) goes to the item's
 * struct fw_report_proc, kept when the item is "core" or "trace". */
#define NO_HAS ((size_t)-1)
static const struct field {
	const char *path;
	enum ftype type;
	size_t off;
	bool required;
	bool proc;
	size_t has_off; /* proc F_I64: the bool set when not null, or NO_HAS */
} fields[] = {
#define S(p, m, req) { p, F_STR, offsetof(struct fw_report_info, m), req, false, NO_HAS }
	S("schema", schema, true),
	{ "schema_version", F_I64, offsetof(struct fw_report_info, schema_version), true, false, NO_HAS },
	S("analyzed_at", analyzed_at, false),
	S("ticket", ticket, false),
	S("flare.file", flare_file, false),
	S("flare.sha256", flare_sha256, false),
	S("flare.hostname", hostname, true),
	S("flare.time", flare_time, false),
	S("flare.agent_version", agent_version, false),
	S("flare.agent_start", agent_start, false),
	{ "flare.uptime_ns", F_I64, offsetof(struct fw_report_info, uptime_ns), false, false, NO_HAS },
	S("verdict.kind", verdict_kind, true),
	S("verdict.name", verdict_name, true),
	S("verdict.summary", summary, false),
	S("report.markdown", markdown, true),
#undef S
#define P(p, t, m, h) { "processes[]." p, t, offsetof(struct item, m), false, true, h }
	P("name", F_STR, name, NO_HAS),
	P("memory_sanity.heap_alloc_bytes", F_I64, p.heap_alloc, NO_HAS),
	P("memory_sanity.sys_bytes", F_I64, p.sys, NO_HAS),
	P("memory_sanity.heap_objects", F_I64, p.heap_objects, NO_HAS),
	P("memory_sanity.goroutines", F_I64, p.goroutines, NO_HAS),
	P("heap_growth.total_per_30s", F_I64, p.growth_30s, offsetof(struct item, p.has_growth_30s)),
	P("heap_growth.top_app_function.function", F_STR, p.top_growth, NO_HAS),
	P("cpu_facts.total_ns", F_I64, p.cpu_total_ns, NO_HAS),
	P("cpu_facts.duration_ns", F_I64, p.cpu_duration_ns, NO_HAS),
#undef P
};
#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

static void proc_init(struct fw_report_proc *p)
{
	*p = (struct fw_report_proc){ .heap_alloc = -1,	  .sys = -1,		.heap_objects = -1,
				      .goroutines = -1,	  .cpu_total_ns = -1, .cpu_duration_ns = -1 };
}

static void item_free(struct item *it)
{
	free(it->name);
	free(it->p.top_growth);
	memset(it, 0, sizeof(*it));
}

static char **str_field(struct fw_report_info *out, size_t i)
{
	return (char **)((char *)out + fields[i].off);
}

static bool is_hex4(const char *s)
{
	for (int k = 0; k < 4; k++)
		if (!isxdigit((unsigned char)s[k]))
			return false;
	return true;
}

/* Rewrites each "\uD8xx\uDCxx" pair in s[0..*len) to "\U000XXXXX" (two
 * bytes shorter), in place. Backslashes are read in pairs, so an escaped
 * backslash followed by "u" is left alone. */
static void join_surrogates(char *s, size_t *len)
{
	size_t i = 0, o = 0, n = *len;

	while (i < n) {
		unsigned long hi, lo;
		char h[5] = "", l[5] = "";
		if (s[i] != '\\' || i + 1 >= n) {
			s[o++] = s[i++];
			continue;
		}
		if (s[i + 1] == 'u' && i + 12 <= n && s[i + 6] == '\\' && s[i + 7] == 'u' && is_hex4(s + i + 2) &&
		    is_hex4(s + i + 8)) {
			memcpy(h, s + i + 2, 4);
			memcpy(l, s + i + 8, 4);
			hi = strtoul(h, NULL, 16);
			lo = strtoul(l, NULL, 16);
			if (hi >= 0xd800 && hi <= 0xdbff && lo >= 0xdc00 && lo <= 0xdfff) {
				unsigned long cp = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
				char u[11];
				snprintf(u, sizeof(u), "\\U%08lX", cp);
				memcpy(s + o, u, 10);
				o += 10;
				i += 12;
				continue;
			}
		}
		s[o++] = s[i++];
		s[o++] = s[i++];
	}
	*len = o;
}

/* A plain scalar that is a JSON integer (optional '-', digits, no leading
 * zero), in int64 range. */
static bool parse_i64(const char *s, size_t n, int64_t *out)
{
	char buf[24];
	char *end;
	size_t d = n && s[0] == '-';

	if (n == d || n >= sizeof(buf) || (s[d] == '0' && n > d + 1))
		return false;
	for (size_t i = d; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	memcpy(buf, s, n);
	buf[n] = 0;
	errno = 0;
	*out = strtoll(buf, &end, 10);
	return errno == 0 && *end == 0;
}

struct level {
	bool mapping;
	bool want_key;	/* mapping: the next scalar is a key */
	size_t path_len; /* length of the path up to this level */
};

struct reader {
	const char *name;
	struct fw_report_info *out;
	bool seen[N_FIELDS]; /* proc fields: in the current item */
	bool in_item;	     /* inside a "processes" item (depth 3) */
	struct item cur;
	char path[512]; /* keys from the top, '.'-joined; "[]" for array items */
	struct level st[FW_REPORT_READ_DEPTH + 1];
	size_t depth;
	struct fw_error *err;
};

/* The field whose path is the current path, or -1. */
static int find_field(const struct reader *r)
{
	for (size_t i = 0; i < N_FIELDS; i++)
		if (strcmp(fields[i].path, r->path) == 0)
			return (int)i;
	return -1;
}

/* The current value is at path r->path; sets the field it names. */
static int take_scalar(struct reader *r, const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	bool quoted = ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE ||
		      ev->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE;
	bool null = !quoted && n == 4 && memcmp(v, "null", 4) == 0;
	int i = find_field(r);
	char *base;
	char **sp;

	if (memchr(v, 0, n))
		return fw_err(r->err, -EINVAL, "%s: %s: a string holds NUL", r->name, r->path);
	if (i < 0 || (fields[i].proc && !r->in_item))
		return 0;
	if (r->seen[i])
		return fw_err(r->err, -EINVAL, "%s: %s appears twice", r->name, r->path);
	r->seen[i] = true;
	if (null)
		return 0;
	base = fields[i].proc ? (char *)&r->cur : (char *)r->out;
	if (fields[i].type == F_I64) {
		if (quoted || !parse_i64(v, n, (int64_t *)(base + fields[i].off)))
			return fw_err(r->err, -EINVAL, "%s: %s is not an integer", r->name, r->path);
		if (fields[i].has_off != NO_HAS)
			*(bool *)(base + fields[i].has_off) = true;
		return 0;
	}
	if (!quoted)
		return fw_err(r->err, -EINVAL, "%s: %s is not a string", r->name, r->path);
	sp = (char **)(base + fields[i].off);
	if (!(*sp = strndup(v, n)))
		return fw_err(r->err, -ENOMEM, "%s: out of memory", r->name);
	return 0;
}

/* A value that is an object or array where a field is expected. */
static int check_not_field(struct reader *r)
{
	int i = find_field(r);
	if (i >= 0)
		return fw_err(r->err, -EINVAL, "%s: %s is not a %s", r->name, r->path,
			      fields[i].type == F_I64 ? "number" : "string");
	return 0;
}

/* After a value at the current level: the parent mapping wants a key
 * again, and the path drops the value's key. */
static void value_done(struct reader *r)
{
	struct level *l = &r->st[r->depth];
	if (r->depth && l->mapping)
		l->want_key = true;
	r->path[l->path_len] = 0;
}

static int on_key(struct reader *r, const yaml_event_t *ev)
{
	struct level *l = &r->st[r->depth];
	size_t n = ev->data.scalar.length, at = l->path_len;

	if (ev->data.scalar.style != YAML_DOUBLE_QUOTED_SCALAR_STYLE &&
	    ev->data.scalar.style != YAML_SINGLE_QUOTED_SCALAR_STYLE)
		return fw_err(r->err, -EINVAL, "%s: an object key is not a string", r->name);
	if (memchr(ev->data.scalar.value, 0, n))
		return fw_err(r->err, -EINVAL, "%s: an object key holds NUL", r->name);
	l->want_key = false;
	/* a key too long for the path is no field's: keep a path no field
	 * has ("~") */
	if (at + 1 + n + 1 > sizeof(r->path)) {
		snprintf(r->path + at, sizeof(r->path) - at, "%s~", at ? "." : "");
		return 0;
	}
	if (at)
		r->path[at++] = '.';
	memcpy(r->path + at, ev->data.scalar.value, n);
	r->path[at + n] = 0;
	return 0;
}

static int on_start(struct reader *r, bool mapping)
{
	int ret;
	size_t len = strlen(r->path);

	if ((ret = check_not_field(r)) < 0)
		return ret;
	if (r->depth == FW_REPORT_READ_DEPTH)
		return fw_err(r->err, -EINVAL, "%s: nested deeper than %d", r->name, FW_REPORT_READ_DEPTH);
	if (!r->depth && !mapping)
		return fw_err(r->err, -EINVAL, "%s: not a JSON object", r->name);
	if (r->depth && !r->st[r->depth].mapping) {
		/* an array item: a path no field has */
		if (len + 3 < sizeof(r->path))
			memcpy(r->path + len, "[]", 3);
		len = strlen(r->path);
	}
	if (r->depth == 2 && mapping && strcmp(r->path, "processes[]") == 0) {
		/* a "processes" item: its fields are seen afresh */
		r->in_item = true;
		item_free(&r->cur);
		proc_init(&r->cur.p);
		for (size_t i = 0; i < N_FIELDS; i++)
			if (fields[i].proc)
				r->seen[i] = false;
	}
	r->depth++;
	r->st[r->depth] = (struct level){ mapping, mapping, len };
	return 0;
}

/* The end of a "processes" item: keeps core's and trace's figures. */
static int end_item(struct reader *r)
{
	struct fw_report_proc *dst = NULL;
	const char *n = r->cur.name;

	r->in_item = false;
	if (n && strcmp(n, "core") == 0)
		dst = &r->out->core;
	else if (n && strcmp(n, "trace") == 0)
		dst = &r->out->trace;
	if (!dst) {
		item_free(&r->cur);
		return 0;
	}
	if (dst->present)
		return fw_err(r->err, -EINVAL, "%s: two processes named \"%s\"", r->name, n);
	*dst = r->cur.p;
	dst->present = true;
	r->cur.p.top_growth = NULL; /* now dst's */
	item_free(&r->cur);
	return 0;
}

static int on_event(struct reader *r, const yaml_event_t *ev)
{
	struct level *l = &r->st[r->depth];
	int ret;

	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		return fw_err(r->err, -EINVAL, "%s: a YAML alias, not JSON", r->name);
	case YAML_SCALAR_EVENT:
		if (ev->data.scalar.anchor || ev->data.scalar.tag)
			return fw_err(r->err, -EINVAL, "%s: a YAML anchor or tag, not JSON", r->name);
		if (!r->depth)
			return fw_err(r->err, -EINVAL, "%s: not a JSON object", r->name);
		if (l->mapping && l->want_key)
			return on_key(r, ev);
		if (!l->mapping) {
			size_t len = strlen(r->path);
			if (len + 3 < sizeof(r->path))
				memcpy(r->path + len, "[]", 3);
		}
		ret = take_scalar(r, ev);
		value_done(r);
		return ret;
	case YAML_MAPPING_START_EVENT:
	case YAML_SEQUENCE_START_EVENT: {
		bool mapping = ev->type == YAML_MAPPING_START_EVENT;
		const yaml_char_t *anchor = mapping ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
		const yaml_char_t *tag = mapping ? ev->data.mapping_start.tag : ev->data.sequence_start.tag;
		if (anchor || tag)
			return fw_err(r->err, -EINVAL, "%s: a YAML anchor or tag, not JSON", r->name);
		return on_start(r, mapping);
	}
	case YAML_MAPPING_END_EVENT:
	case YAML_SEQUENCE_END_EVENT:
		ret = r->in_item && r->depth == 3 ? end_item(r) : 0;
		r->depth--;
		value_done(r);
		return ret;
	default:
		return 0;
	}
}

void fw_report_info_free(struct fw_report_info *r)
{
	for (size_t i = 0; i < N_FIELDS; i++)
		if (fields[i].type == F_STR && !fields[i].proc)
			free(*str_field(r, i));
	free(r->core.top_growth);
	free(r->trace.top_growth);
	memset(r, 0, sizeof(*r));
}

static void info_init(struct fw_report_info *out)
{
	memset(out, 0, sizeof(*out));
	out->uptime_ns = -1;
	proc_init(&out->core);
	proc_init(&out->trace);
}

int fw_report_parse(const char *data, size_t len, const char *name, struct fw_report_info *out,
		    struct fw_error *err)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	struct reader *r;
	char *copy;
	int ret = 0, docs = 0;
	bool done = false;

	info_init(out);
	if (len > FW_REPORT_READ_MAX)
		return fw_err(err, -EFBIG, "%s: %zu bytes, the limit is %zu", name, len, FW_REPORT_READ_MAX);
	if (!(copy = malloc(len + 1)) || !(r = calloc(1, sizeof(*r)))) {
		free(copy);
		return fw_err(err, -ENOMEM, "%s: out of memory", name);
	}
	memcpy(copy, data, len);
	join_surrogates(copy, &len);
	*r = (struct reader){ .name = name, .out = out, .err = err };
	if (!yaml_parser_initialize(&parser)) {
		free(copy);
		free(r);
		return fw_err(err, -ENOMEM, "%s: out of memory", name);
	}
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
	yaml_parser_set_input_string(&parser, (const unsigned char *)copy, len);
	while (!done && ret == 0) {
		if (!yaml_parser_parse(&parser, &ev)) {
			ret = fw_err(err, -EINVAL, "%s: not JSON: %s at byte %zu", name,
				     parser.problem ? parser.problem : "parse error", parser.problem_mark.index);
			break;
		}
		if (ev.type == YAML_DOCUMENT_START_EVENT && ++docs > 1)
			ret = fw_err(err, -EINVAL, "%s: more than one document", name);
		else if (ev.type == YAML_STREAM_END_EVENT)
			done = true;
		else
			ret = on_event(r, &ev);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	free(copy);
	if (ret == 0 && !docs)
		ret = fw_err(err, -EINVAL, "%s: empty", name);
	item_free(&r->cur);
	for (size_t i = 0; ret == 0 && i < N_FIELDS; i++) {
		if (fields[i].required && (!r->seen[i] || (fields[i].type == F_STR && !*str_field(out, i))))
			ret = fw_err(err, -EINVAL, "%s: no %s", name, fields[i].path);
	}
	if (ret == 0 && strcmp(out->schema, "flarewatch.report") != 0)
		ret = fw_err(err, -EINVAL, "%s: schema is not flarewatch.report", name);
	free(r);
	if (ret < 0)
		fw_report_info_free(out);
	return ret;
}

int fw_report_read(const char *path, struct fw_report_info *out, struct fw_error *err)
{
	struct stat st;
	char *data;
	size_t len = 0;
	int fd, r;

	info_init(out);
	/* not followed if a symlink; O_NONBLOCK: a planted FIFO does not
	 * block the open */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return fw_err(err, -errno, "%s: %s", path,
			      errno == ELOOP ? "a symbolic link, not a report" : strerror(errno));
	if (fstat(fd, &st) < 0) {
		r = fw_err(err, -errno, "%s: %s", path, strerror(errno));
		close(fd);
		return r;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return fw_err(err, -EINVAL, "%s: not a regular file", path);
	}
	if ((uint64_t)st.st_size > FW_REPORT_READ_MAX) {
		close(fd);
		return fw_err(err, -EFBIG, "%s: %" PRIu64 " bytes, the limit is %zu", path, (uint64_t)st.st_size,
			      FW_REPORT_READ_MAX);
	}
	/* one byte more than the size: a file that grew is noticed */
	if (!(data = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return fw_err(err, -ENOMEM, "%s: out of memory", path);
	}
	for (;;) {
		ssize_t n = read(fd, data + len, (size_t)st.st_size + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = fw_err(err, -errno, "%s: %s", path, strerror(errno));
			free(data);
			close(fd);
			return r;
		}
		if (n == 0 || (len += (size_t)n) > (size_t)st.st_size)
			break;
	}
	close(fd);
	if (len > (size_t)st.st_size) {
		free(data);
		return fw_err(err, -EAGAIN, "%s: the file grew while read", path);
	}
	r = fw_report_parse(data, len, path, out, err);
	free(data);
	return r;
}
