/*
 * versionhistory.c: walks version-history.json's events with libyaml and
 * keeps each entry's version and timestamp; finds the latest version
 * change before a date.
 */
#include "flare/versionhistory.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "base/redact.h"

#define MAX_FRAMES 64	/* collections deeper than this are only counted */

enum role { R_OTHER, R_ROOT, R_ENTRIES, R_ENTRY };
enum key { K_NONE, K_ENTRIES, K_VERSION, K_TIMESTAMP };

struct frame {
	bool is_map;
	bool expect_key;	/* mappings: the next node is a key */
	enum role role;
	enum key key;		/* mappings: the key of the pending value */
};

struct walk {
	struct fw_vhist *vh;
	size_t cap;
	struct frame f[MAX_FRAMES];
	size_t depth;		/* open collections */
	bool root_seen, root_is_map;
	bool in_kept_entry;	/* the innermost R_ENTRY has a slot */
};

static enum key key_of(const yaml_event_t *ev, enum role parent)
{
	const char *v = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;

#define IS(s) (n == sizeof(s) - 1 && memcmp(v, s, n) == 0)
	if (parent == R_ROOT && IS("entries"))
		return K_ENTRIES;
	if (parent == R_ENTRY && IS("version"))
		return K_VERSION;
	if (parent == R_ENTRY && IS("timestamp"))
		return K_TIMESTAMP;
#undef IS
	return K_NONE;
}

static int entry_value(struct walk *w, enum key k, const yaml_event_t *ev)
{
	struct fw_vhist_entry *e;
	const char *v = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;

	if (!w->in_kept_entry || !w->vh->n_entries)
		return 0;
	e = &w->vh->entries[w->vh->n_entries - 1];
	if (k == K_VERSION)
		return fw_redact_field(e->version, sizeof(e->version), v, n) < 0 ? -ENOMEM : 0;
	if (k == K_TIMESTAMP)
		e->has_time = fw_vhist_parse_time(v, n, &e->time_ms);
	return 0;
}

/* A node (scalar, alias or collection start) arrived. Returns 0, -ENOMEM,
 * or 1 when the root is not a mapping. */
static int node(struct walk *w, const yaml_event_t *ev)
{
	bool start = ev->type == YAML_MAPPING_START_EVENT || ev->type == YAML_SEQUENCE_START_EVENT;
	enum role child = R_OTHER;
	int r;

	if (w->depth == 0) {
		if (w->root_seen)
			return 0;
		w->root_seen = true;
		w->root_is_map = ev->type == YAML_MAPPING_START_EVENT;
		if (!w->root_is_map)
			return 1;
		child = R_ROOT;
	} else if (w->depth <= MAX_FRAMES) {
		struct frame *p = &w->f[w->depth - 1];

		if (p->is_map && p->expect_key) {
			p->key = ev->type == YAML_SCALAR_EVENT ? key_of(ev, p->role) : K_NONE;
			p->expect_key = false;
		} else if (p->is_map) {
			p->expect_key = true;
			if (p->key == K_ENTRIES && ev->type == YAML_SEQUENCE_START_EVENT)
				child = R_ENTRIES;
			else if (ev->type == YAML_SCALAR_EVENT && (r = entry_value(w, p->key, ev)) < 0)
				return r;
		} else if (p->role == R_ENTRIES && ev->type == YAML_MAPPING_START_EVENT) {
			struct fw_vhist *vh = w->vh;
			child = R_ENTRY;
			w->in_kept_entry = false;
			if (vh->n_entries >= FW_VHIST_MAX_ENTRIES) {
				vh->entries_dropped++;
			} else {
				if (fw_grow((void **)&vh->entries, &w->cap, vh->n_entries + 1,
					    sizeof(*vh->entries)) < 0)
					return -ENOMEM;
				memset(&vh->entries[vh->n_entries], 0, sizeof(*vh->entries));
				vh->n_entries++;
				w->in_kept_entry = true;
			}
		}
	}
	if (start) {
		if (w->depth < MAX_FRAMES) {
			struct frame *f = &w->f[w->depth];
			memset(f, 0, sizeof(*f));
			f->is_map = ev->type == YAML_MAPPING_START_EVENT;
			f->expect_key = true;
			f->role = child;
		}
		w->depth++;
	}
	return 0;
}

static void end_collection(struct walk *w)
{
	if (!w->depth)
		return;
	w->depth--;
	if (w->depth < MAX_FRAMES && w->f[w->depth].role == R_ENTRY)
		w->in_kept_entry = false;
}

static bool blank_only(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return false;
	return true;
}

int fw_vhist_parse(const char *text, size_t len, struct fw_vhist *vh, struct fw_error *err)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	struct walk w;
	char *clean;
	size_t clen;
	bool cut, done = false;
	int r = 0;

	memset(vh, 0, sizeof(*vh));
	if (!text || blank_only(text, len))
		return fw_err(err, -ENODATA, "version-history.json: the file is empty");
	memset(&w, 0, sizeof(w));
	w.vh = vh;
	if (!yaml_parser_initialize(&parser))
		return fw_err(err, -ENOMEM, "version-history.json: out of memory");
	clean = fw_text_clean(text, len, &clen, &cut);
	if (!clean) {
		yaml_parser_delete(&parser);
		return fw_err(err, -ENOMEM, "version-history.json: out of memory");
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)clean, clen);
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			if (parser.error == YAML_MEMORY_ERROR)
				r = fw_err(err, -ENOMEM, "version-history.json: out of memory");
			else if (w.root_is_map)
				vh->partial = true;
			else
				r = fw_err(err, -EINVAL, "version-history.json: not valid JSON (line %lu: %s)",
					   (unsigned long)parser.problem_mark.line + 1,
					   parser.problem ? parser.problem : "error");
			break;
		}
		switch (ev.type) {
		case YAML_SCALAR_EVENT:
		case YAML_ALIAS_EVENT:
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			r = node(&w, &ev);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			end_collection(&w);
			break;
		case YAML_DOCUMENT_END_EVENT:
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
		if (r < 0) {
			r = fw_err(err, r, "version-history.json: out of memory");
			break;
		}
		if (r > 0) {
			r = fw_err(err, -EINVAL, "version-history.json: the top level is not an object");
			break;
		}
	}
	yaml_parser_delete(&parser);
	free(clean);
	if (!r && !w.root_seen)
		r = fw_err(err, -EINVAL, "version-history.json: the file holds no JSON object");
	if (r) {
		fw_vhist_free(vh);
		return r;
	}
	if (cut)
		vh->partial = true;
	return 0;
}

void fw_vhist_free(struct fw_vhist *vh)
{
	free(vh->entries);
	memset(vh, 0, sizeof(*vh));
}

bool fw_vhist_parse_time(const char *s, size_t n, int64_t *ms)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, se, frac = 0, fdig = 0, oh = 0, om = 0, sign = 0;
	size_t p = 19;

	if (!fw_fixed_digits(s, n, 0, 4, &y) || n < 20 || s[4] != '-' || !fw_fixed_digits(s, n, 5, 2, &mo) ||
	    s[7] != '-' || !fw_fixed_digits(s, n, 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    !fw_fixed_digits(s, n, 11, 2, &h) || s[13] != ':' || !fw_fixed_digits(s, n, 14, 2, &mi) ||
	    s[16] != ':' || !fw_fixed_digits(s, n, 17, 2, &se))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || se > 60)
		return false;
	if (p < n && s[p] == '.') {
		size_t start = ++p;
		for (; p < n && s[p] >= '0' && s[p] <= '9'; p++)
			if (fdig < 3) {
				frac = frac * 10 + (s[p] - '0');
				fdig++;
			}
		if (p == start)
			return false;
		for (; fdig < 3; fdig++)
			frac *= 10;
	}
	if (p + 1 == n && (s[p] == 'Z' || s[p] == 'z')) {
		sign = 0;
	} else if (p + 6 == n && (s[p] == '+' || s[p] == '-') && fw_fixed_digits(s, n, p + 1, 2, &oh) &&
		   s[p + 3] == ':' && fw_fixed_digits(s, n, p + 4, 2, &om) && oh <= 23 && om <= 59) {
		sign = s[p] == '+' ? 1 : -1;
	} else {
		return false;
	}
	*ms = (fw_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - sign * (oh * 3600 + om * 60)) *
		      1000 + frac;
	return true;
}

int fw_version_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		size_t la = strcspn(a, "."), lb = strcspn(b, ".");
		bool na = la && strspn(a, "0123456789") == la, nb = lb && strspn(b, "0123456789") == lb;
		int c;

		if (na && nb) {
			/* compare numbers of any length: no leading zeros, then longer is larger */
			while (la > 1 && *a == '0')
				a++, la--;
			while (lb > 1 && *b == '0')
				b++, lb--;
			c = la != lb ? (la < lb ? -1 : 1) : memcmp(a, b, la);
		} else {
			size_t m = la < lb ? la : lb;
			c = memcmp(a, b, m);
			if (!c && la != lb)
				c = la < lb ? -1 : 1;
		}
		if (c)
			return c < 0 ? -1 : 1;
		a += la;
		b += lb;
		if (*a == '.')
			a++;
		if (*b == '.')
			b++;
	}
	return 0;
}

bool fw_vhist_recent_change(const struct fw_vhist *vh, int64_t at_ms, int64_t window_ms,
			    struct fw_vhist_change *out)
{
	const struct fw_vhist_entry *best = NULL, *best_prev = NULL;

	for (size_t i = 1; i < vh->n_entries; i++) {
		const struct fw_vhist_entry *e = &vh->entries[i], *prev = &vh->entries[i - 1];
		if (!e->has_time || !e->version[0] || !prev->version[0] || !strcmp(e->version, prev->version))
			continue;
		if (e->time_ms > at_ms || e->time_ms < at_ms - window_ms)
			continue;
		if (!best || e->time_ms >= best->time_ms) {
			best = e;
			best_prev = prev;
		}
	}
	if (!best)
		return false;
	out->from = best_prev->version;
	out->to = best->version;
	out->time_ms = best->time_ms;
	out->downgrade = fw_version_cmp(best->version, best_prev->version) < 0;
	return true;
}
