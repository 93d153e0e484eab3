/*
 * versionhistory.c: walks version-history.json's events (flare/yamlwalk) and
 * keeps each entry's version and timestamp; finds the latest version
 * change before a date.
 */
#include "flare/versionhistory.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/redact.h"
#include "flare/yamlwalk.h"

enum role { R_OTHER, R_ROOT, R_ENTRIES, R_ENTRY };
enum key { K_NONE, K_ENTRIES, K_VERSION, K_TIMESTAMP };

struct walk {
	struct fw_vhist *vh;
	size_t cap;
	bool in_kept_entry;	/* the innermost R_ENTRY has a slot */
};

static enum key key_of(const yaml_event_t *ev, int parent)
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

static int entry_value(struct walk *w, int k, const yaml_event_t *ev)
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

/* fw_yamlwalk's node(): "entries", its entry objects and their version and
 * timestamp. */
static int node(void *ctx, struct fw_yamlwalk_frame *p, size_t depth, bool is_key,
		const yaml_event_t *ev, int *child_role)
{
	struct walk *w = ctx;

	(void)depth;
	if (is_key) {
		p->key = ev->type == YAML_SCALAR_EVENT ? key_of(ev, p->role) : K_NONE;
	} else if (p->is_map) {
		if (p->key == K_ENTRIES && ev->type == YAML_SEQUENCE_START_EVENT)
			*child_role = R_ENTRIES;
		else if (ev->type == YAML_SCALAR_EVENT)
			return entry_value(w, p->key, ev);
	} else if (p->role == R_ENTRIES && ev->type == YAML_MAPPING_START_EVENT) {
		struct fw_vhist *vh = w->vh;
		*child_role = R_ENTRY;
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
	return 0;
}

static void end_collection(void *ctx, const struct fw_yamlwalk_frame *closed)
{
	struct walk *w = ctx;

	if (closed->role == R_ENTRY)
		w->in_kept_entry = false;
}

int fw_vhist_parse(const char *text, size_t len, struct fw_vhist *vh, struct fw_error *err)
{
	struct walk w = { .vh = vh };
	struct fw_yamlwalk yw = {
		.what = "version-history.json", .json = true, .root_role = R_ROOT,
		.ctx = &w, .node = node, .end = end_collection,
	};
	int r;

	memset(vh, 0, sizeof(*vh));
	r = fw_yamlwalk(&yw, text, len, err);
	if (r) {
		fw_vhist_free(vh);
		return r;
	}
	vh->partial = yw.partial;
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
