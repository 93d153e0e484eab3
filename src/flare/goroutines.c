/*
 * goroutines.c: one pass over a Go debug=2 goroutine dump, counting
 * goroutines, their states and long waits, and the functions they are
 * parked in (Space-Saving top-k over a fixed-size table: a hash for lookup
 * and a min-heap on count for eviction).
 */
#include "flare/goroutines.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/redact.h"

#define NSLOTS (2 * FW_GOR_TABLE)	/* power of two, load <= 1/2 */
#define TOO_LONG "(name too long)"

struct ent {
	char *name;		/* raw bytes, not NUL-terminated */
	size_t len;
	uint64_t hash;
	uint64_t count;
	size_t heap;		/* position in the heap */
};

struct table {
	struct ent ent[FW_GOR_TABLE];
	size_t n;
	uint32_t slot[NSLOTS];	/* entry index + 1, 0 = empty */
	size_t heap[FW_GOR_TABLE];	/* entry indices, min count first */
	bool evicted;
};

struct rawstate {
	char name[FW_GOR_STATE_MAX];
	size_t len;
	uint64_t count;
};

bool fw_gor_is_runtime(const char *s, size_t n)
{
	static const char *const pre[] = {
		"runtime.", "runtime/", "internal/", "sync.", "syscall.",
	};

	for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
		size_t pl = strlen(pre[i]);
		if (n >= pl && memcmp(s, pre[i], pl) == 0)
			return true;
	}
	return false;
}

/* ---- min-heap on count ---- */

static void heap_swap(struct table *t, size_t a, size_t b)
{
	size_t x = t->heap[a];

	t->heap[a] = t->heap[b];
	t->heap[b] = x;
	t->ent[t->heap[a]].heap = a;
	t->ent[t->heap[b]].heap = b;
}

static void sift_up(struct table *t, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (t->ent[t->heap[p]].count <= t->ent[t->heap[i]].count)
			break;
		heap_swap(t, i, p);
		i = p;
	}
}

static void sift_down(struct table *t, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < t->n && t->ent[t->heap[l]].count < t->ent[t->heap[m]].count)
			m = l;
		if (r < t->n && t->ent[t->heap[r]].count < t->ent[t->heap[m]].count)
			m = r;
		if (m == i)
			return;
		heap_swap(t, i, m);
		i = m;
	}
}

/* ---- hash with linear probing ---- */

static size_t find_slot(const struct table *t, const char *s, size_t n,
			uint64_t h, bool *found)
{
	size_t i = (size_t)h & (NSLOTS - 1);

	for (;;) {
		uint32_t e = t->slot[i];
		if (!e) {
			*found = false;
			return i;
		}
		const struct ent *x = &t->ent[e - 1];
		if (x->hash == h && x->len == n && memcmp(x->name, s, n) == 0) {
			*found = true;
			return i;
		}
		i = (i + 1) & (NSLOTS - 1);
	}
}

/* Removes the slot at i, shifting later members of its run back. */
static void slot_delete(struct table *t, size_t i)
{
	size_t j = i;

	t->slot[i] = 0;
	for (;;) {
		size_t k;

		j = (j + 1) & (NSLOTS - 1);
		if (!t->slot[j])
			return;
		k = (size_t)t->ent[t->slot[j] - 1].hash & (NSLOTS - 1);
		/* move j to i unless its home k lies cyclically in (i, j] */
		if ((i <= j) ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		t->slot[i] = t->slot[j];
		t->slot[j] = 0;
		i = j;
	}
}

static int count_func(struct table *t, const char *s, size_t n)
{
	uint64_t h = fw_hash_bytes(s, n, 0x676f72);
	bool found;
	size_t slot = find_slot(t, s, n, h, &found), e;
	struct ent *x;
	char *copy;

	if (found) {
		x = &t->ent[t->slot[slot] - 1];
		x->count++;
		sift_down(t, x->heap);
		return 0;
	}
	copy = malloc(n ? n : 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, s, n);
	if (t->n < FW_GOR_TABLE) {
		e = t->n++;
		x = &t->ent[e];
		x->name = copy;
		x->len = n;
		x->hash = h;
		x->count = 1;
		x->heap = e;
		t->heap[e] = e;
		t->slot[slot] = (uint32_t)(e + 1);
		sift_up(t, e);
		return 0;
	}
	/* Space-Saving: the least counted entry gives up its place, and the
	 * newcomer takes over its count plus one. */
	e = t->heap[0];
	x = &t->ent[e];
	slot = find_slot(t, x->name, x->len, x->hash, &found);
	if (found)
		slot_delete(t, slot);
	free(x->name);
	x->name = copy;
	x->len = n;
	x->hash = h;
	x->count++;
	t->evicted = true;
	slot = find_slot(t, s, n, h, &found);
	t->slot[slot] = (uint32_t)(e + 1);
	sift_down(t, x->heap);
	return 0;
}

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->ent[i].name);
}

/* ---- states ---- */

static void count_state(struct rawstate *st, size_t *nst, uint64_t *other,
			const char *s, size_t n)
{
	size_t i;

	if (n > FW_GOR_STATE_MAX) {
		(*other)++;
		return;
	}
	for (i = 0; i < *nst; i++)
		if (st[i].len == n && memcmp(st[i].name, s, n) == 0) {
			st[i].count++;
			return;
		}
	if (*nst >= FW_GOR_MAX_STATES) {
		(*other)++;
		return;
	}
	memcpy(st[*nst].name, s, n);
	st[*nst].len = n;
	st[*nst].count = 1;
	(*nst)++;
}

/* ---- lines ---- */

static bool starts(const char *s, size_t n, const char *p)
{
	size_t pl = strlen(p);
	return n >= pl && memcmp(s, p, pl) == 0;
}

/* "goroutine <N> [..." (or "goroutine <N> gp=... [..."): returns the
 * offset just after '[' or 0. */
static size_t header(const char *s, size_t n)
{
	size_t p = 10, d;

	if (!starts(s, n, "goroutine "))
		return 0;
	for (d = p; d < n && s[d] >= '0' && s[d] <= '9'; d++)
		;
	if (d == p || d + 1 >= n || s[d] != ' ')
		return 0;
	if (s[d + 1] == '[')
		return d + 2;
	if (!starts(s + d + 1, n - d - 1, "gp="))
		return 0;
	for (p = d + 1; p < n && s[p] != '['; p++)
		;
	return p < n ? p + 1 : 0;
}

/* The function of a frame line "pkg.(*T).f(0x1, {0x2, 0x3})": everything
 * before the argument list that closes the line. */
static size_t func_len(const char *s, size_t n)
{
	if (n && s[n - 1] == ')') {
		size_t depth = 0;
		for (size_t i = n; i-- > 0;) {
			if (s[i] == ')')
				depth++;
			else if (s[i] == '(' && --depth == 0)
				return i;
		}
	}
	for (size_t i = n; i-- > 0;)
		if (s[i] == '(')
			return i;
	return n;
}

/* Parses " 3200 minutes" segments of the bracket text s[0..n) after the
 * state. Returns true with *min when one is present. */
static bool wait_minutes(const char *s, size_t n, uint64_t *min)
{
	size_t i = 0;

	while (i < n) {
		const char *c = memchr(s + i, ',', n - i);
		size_t j, seg;
		uint64_t v = 0;
		bool ok = true;

		if (!c)
			return false;
		i = (size_t)(c - s) + 1;
		while (i < n && s[i] == ' ')
			i++;
		for (j = i; j < n && s[j] >= '0' && s[j] <= '9'; j++) {
			if (v > (UINT64_MAX - 9) / 10)
				ok = false;
			else
				v = v * 10 + (uint64_t)(s[j] - '0');
		}
		seg = j - i;
		if (seg && ok && starts(s + j, n - j, " minutes") &&
		    (j + 8 == n || s[j + 8] == ',' || s[j + 8] == ']')) {
			*min = v;
			return true;
		}
	}
	return false;
}

static int cmp_state(const void *a, const void *b)
{
	const struct fw_gor_state *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->name, y->name);
}

static int cmp_ent(const struct ent *x, const struct ent *y)
{
	size_t m = x->len < y->len ? x->len : y->len;
	int c;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	c = memcmp(x->name, y->name, m);
	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

static bool only_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return false;
	return true;
}

int fw_goroutines_parse(const char *text, size_t len, uint64_t wait_min,
			struct fw_goroutines *g, struct fw_error *err)
{
	struct rawstate raw[FW_GOR_MAX_STATES];
	size_t nraw = 0, pos = 0;
	struct table *t;
	bool in_block = false, have_func = false, frames_done = false;
	int r = 0;

	memset(g, 0, sizeof(*g));
	g->wait_threshold_min = wait_min;
	if (!text || only_blank(text, len))
		return fw_err(err, -ENODATA, "goroutines: the file is empty");
	t = calloc(1, sizeof(*t));
	if (!t)
		return fw_err(err, -ENOMEM, "goroutines: out of memory");

	while (pos < len && !r) {
		const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos, b;

		pos += nl ? n + 1 : n;
		if (n && s[n - 1] == '\r')
			n--;
		b = header(s, n);
		if (b) {
			const char *close = memchr(s + b, ']', n - b);
			size_t bl = close ? (size_t)(close - (s + b)) : n - b;
			const char *comma = memchr(s + b, ',', bl);
			size_t sl = comma ? (size_t)(comma - (s + b)) : bl;
			uint64_t m;

			if (in_block && !have_func)
				g->runtime_only++;
			in_block = true;
			have_func = frames_done = false;
			g->total++;
			count_state(raw, &nraw, &g->states_other, s + b, sl);
			if (wait_minutes(s + b, bl, &m)) {
				if (m > wait_min)
					g->waiting_over++;
				if (m > g->max_wait_min)
					g->max_wait_min = m;
			}
			continue;
		}
		if (!in_block)
			continue;
		if (n == 0) {
			if (!have_func)
				g->runtime_only++;
			in_block = false;
			continue;
		}
		if (have_func || frames_done || s[0] == '\t' || s[0] == ' ')
			continue;
		if (starts(s, n, "created by ")) {
			frames_done = true;
			continue;
		}
		if (starts(s, n, "...") ||
		    starts(s, n, "goroutine running on other thread"))
			continue;
		if (fw_gor_is_runtime(s, n))
			continue;
		n = func_len(s, n);
		have_func = true;
		if (n > FW_GOR_RAW_MAX)
			r = count_func(t, TOO_LONG, strlen(TOO_LONG));
		else
			r = count_func(t, s, n);
	}
	if (!r && in_block && !have_func)
		g->runtime_only++;
	if (r) {
		r = fw_err(err, r, "goroutines: out of memory");
		goto out;
	}
	if (!g->total) {
		r = fw_err(err, -EINVAL,
			   "goroutines: not a goroutine dump (no \"goroutine N [state]:\" line)");
		goto out;
	}

	for (size_t i = 0; i < nraw && !r; i++) {
		r = fw_redact_field(g->states[i].name, sizeof(g->states[i].name),
				    raw[i].name, raw[i].len);
		if (!raw[i].len)
			strcpy(g->states[i].name, "(none)");
		g->states[i].count = raw[i].count;
	}
	g->n_states = nraw;
	fw_qsort(g->states, g->n_states, sizeof(g->states[0]), cmp_state);

	/* the FW_GOR_TOP largest entries, by insertion */
	{
		const struct ent *best[FW_GOR_TOP];
		size_t nb = 0;

		for (size_t i = 0; i < t->n; i++) {
			const struct ent *x = &t->ent[i];
			size_t k;

			if (nb < FW_GOR_TOP)
				nb++;
			else if (cmp_ent(x, best[nb - 1]) >= 0)
				continue;
			for (k = nb - 1; k > 0 && cmp_ent(x, best[k - 1]) < 0; k--)
				best[k] = best[k - 1];
			best[k] = x;
		}
		for (size_t i = 0; i < nb && !r; i++) {
			r = fw_redact_field(g->top[i].name, sizeof(g->top[i].name),
					    best[i]->name, best[i]->len);
			g->top[i].count = best[i]->count;
		}
		g->n_top = nb;
	}
	g->top_exact = !t->evicted;
	if (r)
		r = fw_err(err, r, "goroutines: out of memory");
out:
	table_free(t);
	free(t);
	if (r)
		memset(g, 0, sizeof(*g));
	return r;
}
