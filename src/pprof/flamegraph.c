/*
 * flamegraph.c: folded stacks and an SVG flame graph (see flamegraph.h).
 *
 * Both outputs start from the same list of stacks. Every sample of the
 * report's (filtered, aggregated) profile with a non-zero value in the
 * selected column becomes a sequence of nodes, root first: its locations
 * from the outermost caller to the leaf and, within a location, its lines
 * from the outermost (caller) to the innermost inlined frame. Equal node
 * sequences are summed in a hash table, sorted by their text
 * "name;name;name" (byte order; for the SVG, with ';' below every other
 * byte) and summed again where different nodes print the same (names are
 * what the formats compare). Stacks whose sum
 * is zero are left out. Neither the text nor the nodes are stored: a stack
 * is read from the locations of its first sample through the node table,
 * comparisons skip the locations two stacks share and read the names from
 * the first frame whose nodes differ, and the output prints them, so that
 * memory holds 16 bytes per distinct stack. When the report serves one
 * output (the CLI's), the stacks are built in the samples' own array and
 * the samples' values and labels are freed before the hash table is made:
 * the table and the output reuse their room, and the command's peak is
 * the decoded profile's (21 MB heap profile: 67.5 -> 63.4 MB).
 *
 * Collapsed output is Brendan Gregg's folded format, one "stack value" line
 * per stack; control characters in names print as '?' so that a line stays
 * a line. The SVG is drawn from the stacks in tree order the way
 * flamegraph.pl's flow() does it: consecutive stacks share the frames of
 * their common prefix, so every frame is one rectangle whose width is the
 * sum of |value| of the stacks through it; only the frames drawn are kept
 * (build_frames). Names are redacted, cut to
 * FW_OUT_NAME_MAX bytes, made valid UTF-8 with control and bidi characters
 * shown as escapes, and XML-escaped; frames narrower than MIN_PX are left
 * out. A frame shows the short label (fw_flame_label_offset) and has the
 * full name in its <title>.
 *
 * Colours: growth mode (a diff) red/blue by the sign and size of the
 * change, percentages of the total growth; with a classifier, one palette
 * colour per component, grey for the runtime, warm for the rest; else
 * flamegraph.pl's warm colours. A legend under the subtitle says which.
 *
 * Over 1,000 lines: about 150 of them are the SVG's embedded script and
 * style, which must match the markup drawn here (ids, the <title> and
 * data-label conventions); the folded stacks are the SVG's input.
 */
#include "pprof/flamegraph.h"
#include "base/outtext.h"
#include "pprof/units.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- stacks ----------------------------------------------------------------- */

/* A distinct node sequence: the frames of the locations of the first
 * sample seen with it, read through the node table (struct frames). Its
 * text ("name;name;name") is made from the node names when compared or
 * written, never stored, and its nodes are not copied: 16 bytes a stack. */
struct stack {
	int64_t value;		    /* summed; wraps like Go's int64 */
	uint32_t first_loc, n_locs; /* the sample's slice of sample_locs */
};

struct stacks {
	const struct fw_profile *p;
	const struct fw_nodetab *t;
	uint8_t *plain; /* per node: its name has no control byte and no ';' */
	struct stack *s; /* a stack per sample with a value, merged in place */
	size_t n, cap;	 /* built: the merged stacks with non-zero sums, sorted */
	/* while building: the hash of each stack's node sequence, and a hash
	 * set of stack indices (index + 1, 0 = empty; at most half full) */
	uint32_t *hash;
	uint32_t *slots;
	size_t nslots;
	uint32_t *scratch; /* the nodes of the sample being added */
	size_t cap_scratch;
};

static void stacks_free(struct stacks *st)
{
	free(st->s);
	free(st->hash);
	free(st->slots);
	free(st->scratch);
	free(st->plain);
	memset(st, 0, sizeof(*st));
}

/* Reads the nodes of a sample's stack root first: its locations from the
 * outermost caller to the leaf and, within a location, its lines from the
 * outermost (caller) to the innermost inlined frame. */
struct frames {
	const struct fw_nodetab *t;
	const uint32_t *locs;  /* the sample's locations, leaf first */
	uint32_t li;	       /* locations not read: locs[0, li) */
	const uint32_t *nodes; /* the current location's, innermost first */
	uint32_t ni;	       /* its nodes not read: nodes[0, ni) */
};

static void frames_init(struct frames *f, const struct stacks *st, const struct stack *s)
{
	f->t = st->t;
	f->locs = s->n_locs ? st->p->sample_locs + s->first_loc : NULL;
	f->li = s->n_locs;
	f->nodes = NULL;
	f->ni = 0;
}

/* The next node, or FW_NONE after the last. */
static inline uint32_t frames_next(struct frames *f)
{
	while (f->ni == 0) {
		uint32_t loc;
		if (f->li == 0)
			return FW_NONE;
		loc = f->locs[--f->li];
		f->nodes = f->t->loc_nodes + f->t->loc_first[loc];
		f->ni = f->t->loc_count[loc]; /* at least 1 */
	}
	return f->nodes[--f->ni];
}

/* Between locations, a and b skip the locations they share: the same
 * location is the same nodes. */
static inline bool frames_skip_same(struct frames *a, struct frames *b)
{
	bool skipped = false;

	if (a->ni || b->ni)
		return false;
	while (a->li && b->li && a->locs[a->li - 1] == b->locs[b->li - 1]) {
		a->li--;
		b->li--;
		skipped = true;
	}
	return skipped;
}

/* No node left (every location has at least one). */
static inline bool frames_done(const struct frames *f)
{
	return f->ni == 0 && f->li == 0;
}

static int slots_grow(struct stacks *st)
{
	size_t ns = st->nslots ? st->nslots * 2 : 1024;
	uint32_t *slots;

	if (ns > SIZE_MAX / sizeof(*slots) || ns < st->nslots)
		return -ENOMEM;
	slots = calloc(ns, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < st->n; i++) {
		size_t h = st->hash[i] & (ns - 1);
		while (slots[h])
			h = (h + 1) & (ns - 1);
		slots[h] = (uint32_t)(i + 1);
	}
	free(st->slots);
	st->slots = slots;
	st->nslots = ns;
	return 0;
}

/* Stack s has the len nodes of st->scratch. */
static bool stack_is_scratch(const struct stacks *st, const struct stack *s, uint32_t len)
{
	struct frames f;
	uint32_t k = 0, n;

	frames_init(&f, st, s);
	while ((n = frames_next(&f)) != FW_NONE)
		if (k == len || st->scratch[k++] != n)
			return false;
	return k == len;
}

/* Sample stack st->s[i] (i >= st->n) is added to the stack of its node
 * sequence: to an equal one, or as a new one, st->s[st->n]. */
static int stacks_add(struct stacks *st, size_t i)
{
	const struct stack new = st->s[i];
	struct frames f;
	uint32_t len = 0, n, hash;
	size_t h;

	if ((st->n + 1) * 2 > st->nslots && slots_grow(st) < 0)
		return -ENOMEM;
	frames_init(&f, st, &new);
	while ((n = frames_next(&f)) != FW_NONE) {
		if (len >= UINT32_MAX - 1 ||
		    fw_grow((void **)&st->scratch, &st->cap_scratch, (size_t)len + 1, sizeof(uint32_t)) < 0)
			return -ENOMEM;
		st->scratch[len++] = n;
	}
	hash = (uint32_t)fw_hash_bytes(st->scratch, len * sizeof(uint32_t), 0x666c616d65ULL);
	for (h = hash & (st->nslots - 1); st->slots[h]; h = (h + 1) & (st->nslots - 1)) {
		struct stack *s = &st->s[st->slots[h] - 1];
		if (st->hash[st->slots[h] - 1] == hash && stack_is_scratch(st, s, len)) {
			s->value = fw_add64(s->value, new.value);
			return 0;
		}
	}
	assert(st->n <= i && i < st->cap);
	st->s[st->n] = new;
	st->hash[st->n] = hash;
	st->slots[h] = (uint32_t)(st->n + 1);
	st->n++;
	return 0;
}

static bool folded_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

static void put_folded_name(struct fw_buf *b, const char *name)
{
	const char *s = name;

	for (;;) {
		size_t n = 0;
		while (s[n] && !folded_ctl((unsigned char)s[n]))
			n++;
		fw_buf_putn(b, s, n);
		if (!s[n])
			break;
		fw_buf_putc(b, '?');
		s += n + 1;
	}
}

/* A stack's folded text: its names, control characters as '?', joined by
 * ';' (a stack with no frames is ""). */
static void put_folded_stack(struct fw_buf *b, const struct stacks *st, const struct stack *s)
{
	struct frames f;
	uint32_t id;
	bool first = true;

	frames_init(&f, st, s);
	while ((id = frames_next(&f)) != FW_NONE) {
		if (!first)
			fw_buf_putc(b, ';');
		first = false;
		if (st->plain[id])
			fw_buf_putn(b, fw_node_name(st->t, id), fw_node_name_len(st->t, id));
		else
			put_folded_name(b, fw_node_name(st->t, id));
	}
}

size_t fw_flame_label_offset(const char *name)
{
	size_t depth = 0, cut = 0;

	for (size_t i = 0; name[i]; i++) {
		char c = name[i];

		if (c == '(' || c == '[' || c == '{')
			depth++;
		else if ((c == ')' || c == ']' || c == '}') && depth > 0)
			depth--;
		else if (depth == 0 && c == ' ')
			break;
		else if (depth == 0 && c == '/' && name[i + 1] && name[i + 1] != ' ')
			cut = i + 1;
	}
	return cut;
}

/* Reads a stack's folded text byte by byte, from a frame on. */
struct text_cursor {
	const struct stacks *st;
	struct frames *f; /* the frames after the current one */
	const char *p;	  /* in the current frame's name */
	bool end;
};

/* At node u (FW_NONE: the text's end), the frames after it in f. */
static void cursor_init(struct text_cursor *c, const struct stacks *st, struct frames *f, uint32_t u)
{
	c->st = st;
	c->f = f;
	c->end = u == FW_NONE;
	c->p = c->end ? "" : fw_node_name(st->t, u);
}

/* The next byte of the text, or -1 at its end. */
static int cursor_next(struct text_cursor *c)
{
	unsigned char b;

	if (c->end)
		return -1;
	if (!*c->p) {
		uint32_t n = frames_next(c->f);
		if (n == FW_NONE) {
			c->end = true;
			return -1;
		}
		c->p = fw_node_name(c->st->t, n);
		return ';';
	}
	b = (unsigned char)*c->p++;
	return folded_ctl(b) ? '?' : b;
}

/* The folded texts of x and y in byte order (the shorter first where one
 * starts the other); with tree, ';' below every other byte. Frames with
 * the same node print the same: the texts are read from the first frame
 * whose nodes differ. */
static int cmp_text(const struct stacks *st, const struct stack *x, const struct stack *y, bool tree)
{
	struct frames fx, fy;
	struct text_cursor a, b;
	uint32_t u, v;
	bool first = true; /* at the first frame */

	frames_init(&fx, st, x);
	frames_init(&fy, st, y);
	for (;;) {
		const char *nu, *nv;
		size_t lu, lv;
		int c;

		if (frames_skip_same(&fx, &fy))
			first = false;
		u = frames_next(&fx);
		v = frames_next(&fy);
		if (u == v) {
			if (u == FW_NONE)
				return 0; /* the same nodes */
			first = false;
			continue;
		}
		if (u == FW_NONE || v == FW_NONE)
			break; /* one ended */
		if (!st->plain[u] || !st->plain[v])
			break; /* read byte by byte */
		/* two names of ordinary bytes: the first difference decides,
		 * else the shorter name's end (';' or the text's end) */
		nu = fw_node_name(st->t, u);
		nv = fw_node_name(st->t, v);
		lu = fw_node_name_len(st->t, u);
		lv = fw_node_name_len(st->t, v);
		if ((c = memcmp(nu, nv, lu < lv ? lu : lv)) != 0)
			return c < 0 ? -1 : 1;
		if (lu < lv)
			return frames_done(&fx) || tree || ';' < (unsigned char)nv[lu] ? -1 : 1;
		if (lv < lu)
			return frames_done(&fy) || tree || ';' < (unsigned char)nu[lv] ? 1 : -1;
		first = false; /* the same name: on to the next frame */
	}
	/* the same bytes up to frames u and v: both texts go on with ';'
	 * there, unless one ended */
	if (!first && (u == FW_NONE || v == FW_NONE))
		return u == FW_NONE ? (v == FW_NONE ? 0 : -1) : 1;
	cursor_init(&a, st, &fx, u);
	cursor_init(&b, st, &fy, v);
	for (;;) {
		int c = cursor_next(&a), d = cursor_next(&b);
		if (c != d) {
			if (c < 0 || d < 0)
				return c < d ? -1 : 1;
			if (tree) {
				c = c == ';' ? 0 : c + 1;
				d = d == ';' ? 0 : d + 1;
			}
			return c < d ? -1 : 1;
		}
		if (c < 0)
			return 0;
	}
}

/* qsort_r orders of stacks (context: the stacks). Stacks of equal texts
 * are merged after sorting, and no two merged stacks print the same, so
 * that the order is the same however the sort breaks ties. */
static int cmp_item(const void *a, const void *b, void *ctx)
{
	return cmp_text(ctx, a, b, false);
}

/* Byte order with ';' below every other byte: frame by frame, a name
 * before any longer name it starts ("f" < "f.func1"), so that all the
 * stacks through one frame are consecutive. */
static int cmp_tree(const void *a, const void *b, void *ctx)
{
	return cmp_text(ctx, a, b, true);
}

/* With drop, the sample stacks are written over the report's samples (a
 * stack is no larger than a sample), whose array becomes the stacks', and
 * the samples' values and labels go back to the heap
 * (fw_report_drop_sample_rows) before the hash table is made: the table
 * and what follows reuse their room, and no new memory is touched. */
static int stacks_build(struct fw_report *r, struct stacks *st, bool drop, bool tree, struct fw_error *err)
{
	const struct fw_profile *p = r->p;
	const struct fw_nodetab *t = &r->tab;
	const struct fw_sample *sm = p->samples;
	size_t kept = 0;

	static_assert(sizeof(struct stack) <= sizeof(struct fw_sample), "a stack fits in a sample");

	memset(st, 0, sizeof(*st));
	st->p = p;
	st->t = t;
	if (p->n_samples >= UINT32_MAX || !(st->plain = malloc(t->n + 1)))
		goto nomem;
	for (uint32_t i = 0; i < t->n; i++) {
		const char *name = fw_node_name(t, i);
		size_t len = fw_node_name_len(t, i), j = 0;
		while (j < len && !folded_ctl((unsigned char)name[j]) && name[j] != ';')
			j++;
		st->plain[i] = j == len;
	}
	/* a stack per sample with a value, merged in place below */
	for (size_t si = 0; si < p->n_samples; si++)
		st->cap += fw_sample_values(p, si)[r->vi] != 0;
	drop = drop && sm;
	if (drop) {
		st->s = (struct stack *)(void *)r->p->samples;
		r->p->samples = NULL; /* the stacks' now */
	} else if (!(st->s = malloc((st->cap + 1) * sizeof(*st->s)))) {
		goto nomem;
	}
	/* with drop, stack i is written over sample i, i <= si: read already */
	for (size_t si = 0, i = 0; si < p->n_samples; si++) {
		int64_t v = fw_sample_values(p, si)[r->vi];
		if (v != 0) {
			struct stack s = { v, sm[si].first_loc, sm[si].n_locs };
			st->s[i++] = s;
		}
	}
	if (drop)
		fw_report_drop_sample_rows(r);
	if (!(st->hash = malloc((st->cap + 1) * sizeof(*st->hash))))
		goto nomem;
	for (size_t i = 0; i < st->cap; i++)
		if (stacks_add(st, i) < 0)
			goto nomem;
	/* the hash table's work is done */
	free(st->hash);
	free(st->slots);
	free(st->scratch);
	st->hash = st->slots = st->scratch = NULL;
	st->nslots = st->cap_scratch = 0;
	if (st->n < st->cap) {
		struct stack *shrunk = realloc(st->s, (st->n + 1) * sizeof(*st->s));
		if (shrunk) {
			st->s = shrunk;
			st->cap = st->n + 1;
		}
	}
	qsort_r(st->s, st->n, sizeof(*st->s), tree ? cmp_tree : cmp_item, st);
	/* stacks of different nodes that print the same are one (equal in
	 * either order); the list is compacted in place (a group is read
	 * before its slot is written) */
	for (size_t i = 0, j; i < st->n; i = j) {
		struct stack first = st->s[i];
		for (j = i + 1; j < st->n && cmp_text(st, &st->s[j], &first, tree) == 0; j++)
			first.value = fw_add64(first.value, st->s[j].value);
		if (first.value != 0)
			st->s[kept++] = first;
	}
	st->n = kept;
	return 0;
nomem:
	stacks_free(st);
	return fw_err(err, -ENOMEM, "out of memory collecting stacks");
}

/* The folded stacks into out; with f, written to f 32 KiB at a time and
 * the report's samples dropped (fw_collapsed_stream serves one output). */
static int collapsed(struct fw_report *r, struct fw_buf *out, FILE *f, struct fw_error *err)
{
	struct stacks st;
	int rc = 0;

	if ((rc = stacks_build(r, &st, f != NULL, false, err)) < 0)
		return rc;
	for (size_t i = 0; i < st.n; i++) {
		const struct stack *s = &st.s[i];
		if ((rc = fw_buf_stream(out, f)) < 0)
			break;
		put_folded_stack(out, &st, s);
		fw_buf_printf(out, " %" PRId64 "\n", s->value);
	}
	stacks_free(&st);
	if (rc == 0)
		rc = fw_buf_stream_end(out, f);
	if (rc < 0)
		return fw_report_stream_error(err, rc);
	if (out->failed)
		return fw_err(err, -ENOMEM, "out of memory");
	return 0;
}

int fw_collapsed_write(struct fw_report *r, struct fw_buf *out, struct fw_error *err)
{
	return collapsed(r, out, NULL, err);
}

int fw_collapsed_stream(struct fw_report *r, FILE *f, struct fw_error *err)
{
	return fw_report_stream(r, collapsed, f, err);
}

/* ---- SVG -------------------------------------------------------------------- */

#define SVG_W 1200
#define PAD 10
#define FRAME_H 16
#define TOP 64
#define BOTTOM 32
#define FONT_PX 12
#define CHAR_W (FONT_PX * 0.59) /* flamegraph.pl's average glyph width */
#define MIN_PX 0.1
#define STR_(x) #x
#define STR(x) STR_(x)

struct frame {
	const char *name; /* NULL for the root, "all" */
	uint32_t depth;
	uint64_t x, w;	  /* in units of |value| */
	int64_t delta;	  /* signed sum */
};

/* Appends str, redacted (function names come from the customer's
 * profile) and cut to FW_OUT_NAME_MAX bytes with "…(N bytes cut)" after,
 * with every invalid UTF-8 byte and every fw_cp_unsafe() character (C0, DEL,
 * C1, bidi controls, U+FFFE/U+FFFF) written as a visible escape ("\x1b",
 * "\u202e"): text any XML 1.0 document can hold once the five special
 * characters are escaped. */
static void put_clean_utf8(struct fw_buf *b, const char *str)
{
	size_t n, cut;
	char *s = fw_out_prepare(str, strlen(str), FW_OUT_NAME_MAX, &n, &cut);

	if (!s) {
		b->failed = true;
		return;
	}
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t l = fw_utf8_decode(s + i, n - i, &cp);

		if (l == 0) {
			fw_buf_put_escape(b, (unsigned char)s[i], true);
			i++;
		} else if (fw_cp_unsafe(cp)) {
			fw_buf_put_escape(b, cp, false);
			i += l;
		} else {
			fw_buf_putn(b, s + i, l);
			i += l;
		}
	}
	fw_buf_put_cut(b, cut);
	free(s);
}

/* Appends n bytes of valid UTF-8 with XML's special characters escaped. */
static void put_xml(struct fw_buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': fw_buf_puts(b, "&amp;"); break;
		case '<': fw_buf_puts(b, "&lt;"); break;
		case '>': fw_buf_puts(b, "&gt;"); break;
		case '"': fw_buf_puts(b, "&quot;"); break;
		case '\'': fw_buf_puts(b, "&apos;"); break;
		default: fw_buf_putc(b, s[i]);
		}
	}
}

/* Any string, made valid and escaped. tmp is scratch space. */
static void put_text(struct fw_buf *b, struct fw_buf *tmp, const char *s)
{
	tmp->len = 0;
	put_clean_utf8(tmp, s);
	if (tmp->failed) {
		b->failed = true;
		return;
	}
	put_xml(b, fw_buf_str(tmp), tmp->len);
}

/* The label drawn inside a frame of px pixels: the whole (clean) name if
 * it fits, else as many characters as fit followed by "..", else nothing.
 * The script redoes this when zooming. */
static void put_label(struct fw_buf *b, const char *clean, size_t len, double px)
{
	size_t fit = px > 6 ? (size_t)((px - 6) / CHAR_W) : 0, chars = 0, i;

	for (i = 0; i < len; i++)
		if (((unsigned char)clean[i] & 0xc0) != 0x80)
			chars++;
	if (chars <= fit) {
		put_xml(b, clean, len);
		return;
	}
	if (fit < 3)
		return;
	/* keep fit - 2 characters */
	chars = 0;
	for (i = 0; i < len; i++) {
		if (((unsigned char)clean[i] & 0xc0) != 0x80 && chars++ == fit - 2)
			break;
	}
	put_xml(b, clean, i);
	fw_buf_puts(b, "..");
}

static void warm_color(const char *name, char *out, size_t len)
{
	uint64_t h = fw_hash_bytes(name, strlen(name), 0x686f74ULL);
	snprintf(out, len, "rgb(%u,%u,%u)", 205 + (unsigned)(h % 51), (unsigned)((h >> 16) % 231),
		 (unsigned)((h >> 32) % 56));
}

static void diff_color(int64_t delta, uint64_t max_abs, char *out, size_t len)
{
	double ratio;
	unsigned c;

	if (delta == 0 || max_abs == 0) {
		snprintf(out, len, "rgb(220,220,220)");
		return;
	}
	ratio = (double)(uint64_t)fw_abs64(delta) / (double)max_abs;
	if (ratio > 1)
		ratio = 1;
	c = (unsigned)(230.0 - 170.0 * ratio); /* light enough for black text */
	if (delta > 0)
		snprintf(out, len, "rgb(255,%u,%u)", c, c); /* growth */
	else
		snprintf(out, len, "rgb(%u,%u,255)", c, c); /* shrink */
}

/* Class colours: grey for the runtime, one of these per component (in the
 * components' byte order, repeating after 12), warm colours for the rest.
 * None is grey, and none is in the warm range (red > 200, blue < 56). */
#define RUNTIME_COLOR "rgb(190,190,190)"
static const char *const palette[] = {
	"rgb(110,160,240)", "rgb(110,200,110)", "rgb(180,130,230)", "rgb(80,190,190)",
	"rgb(240,140,200)", "rgb(170,200,80)",	"rgb(130,200,245)", "rgb(210,170,255)",
	"rgb(130,230,180)", "rgb(150,120,90)",	"rgb(140,150,225)", "rgb(100,140,110)",
};
#define N_PALETTE (sizeof(palette) / sizeof(palette[0]))
#define CLASS_OTHER (-2)
#define CLASS_RUNTIME (-1)

struct legend_item {
	const char *label, *color; /* color NULL: text only */
};

struct classes {
	int *of;	     /* per frame: CLASS_*, or an index into comp */
	const char **comp;   /* distinct component labels, sorted */
	size_t n_comp;
	bool any_runtime, any_other;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* pprof's percentage without its padding. */
static void pct_label(int64_t v, int64_t total, char *out, size_t len)
{
	char p[32];
	const char *s = p;

	fw_percentage(p, sizeof(p), v, total);
	while (*s == ' ')
		s++;
	snprintf(out, len, "%s", s);
}

/* The width of the root frame, "all": the sum of |value| of the stacks. */
static uint64_t stacks_width(const struct stacks *st)
{
	uint64_t w = 0;

	for (size_t i = 0; i < st->n; i++)
		w += (uint64_t)fw_abs64(st->s[i].value);
	return w;
}

/* flamegraph.pl's flow(): one frame per (prefix of the sorted stacks),
 * kept only if at least min_w wide (the root always). A frame's width is
 * known when the stacks leave it; its descendants were made after it and
 * are narrower, so a narrow frame is dropped with them by cutting the list
 * back to it. */
static int build_frames(const struct fw_report *r, const struct stacks *st, uint64_t min_w,
			struct frame **out, size_t *n_out, bool *diff, struct fw_error *err)
{
	const struct fw_nodetab *t = &r->tab;
	struct frame *f = NULL;
	size_t n = 0, cap = 0, *open = NULL, cap_open = 0, depth = 0, cap_path = 0;
	uint32_t *path = NULL; /* the nodes of the previous stack, root first */
	uint64_t x = 0;

	*diff = false;
	if (fw_grow((void **)&f, &cap, 1, sizeof(*f)) < 0 ||
	    fw_grow((void **)&open, &cap_open, 1, sizeof(*open)) < 0)
		goto nomem;
	f[n++] = (struct frame){ .name = NULL };
	open[0] = 0;
	for (size_t i = 0; i <= st->n; i++) {
		const struct stack *s = i < st->n ? &st->s[i] : NULL;
		struct frames fr = { .t = NULL };
		uint32_t node = FW_NONE;
		uint64_t w;
		size_t common = 0, k;

		/* frames shared with the previous stack (none after the last) */
		if (s) {
			frames_init(&fr, st, s);
			node = frames_next(&fr);
		}
		while (s && common < depth && node != FW_NONE) {
			uint32_t a = path[common];
			if (a != node && strcmp(fw_node_name(t, a), fw_node_name(t, node)) != 0)
				break;
			path[common++] = node;
			node = frames_next(&fr);
		}
		/* the others are closed, the deepest first */
		for (k = depth; k > common; k--)
			if (f[open[k]].w < min_w)
				n = open[k];
		if (!s)
			break;
		w = (uint64_t)fw_abs64(s->value);
		if (s->value < 0)
			*diff = true;
		for (k = common; node != FW_NONE; k++, node = frames_next(&fr)) {
			if (fw_grow((void **)&open, &cap_open, k + 2, sizeof(*open)) < 0 ||
			    fw_grow((void **)&path, &cap_path, k + 1, sizeof(*path)) < 0 ||
			    fw_grow((void **)&f, &cap, n + 1, sizeof(*f)) < 0)
				goto nomem;
			f[n] = (struct frame){ .name = fw_node_name(t, node), .depth = (uint32_t)(k + 1), .x = x };
			open[k + 1] = n++;
			path[k] = node;
		}
		depth = k;
		for (k = 0; k <= depth; k++) {
			struct frame *fp = &f[open[k]];
			fp->w += w;
			fp->delta = fw_add64(fp->delta, s->value);
		}
		x += w;
	}
	free(open);
	free(path);
	*out = f;
	*n_out = n;
	return 0;
nomem:
	free(f);
	free(open);
	free(path);
	return fw_err(err, -ENOMEM, "out of memory building the flame graph");
}

static const char style[] =
	"<style type=\"text/css\"><![CDATA[\n"
	"text { font-family: Verdana, \"DejaVu Sans\", sans-serif; font-size: 12px; fill: #000; }\n"
	"#title { font-size: 17px; text-anchor: middle; }\n"
	"#subtitle { text-anchor: middle; fill: #333; }\n"
	"#frames text { pointer-events: none; }\n"
	"#frames g { cursor: pointer; }\n"
	"#frames rect { stroke: #fff; stroke-width: 0.5; }\n"
	"#frames g:hover rect { stroke: #000; stroke-width: 0.5; }\n"
	".parent { opacity: 0.5; }\n"
	".hide { display: none; }\n"
	".btn { cursor: pointer; fill: #336; text-decoration: underline; }\n"
	"]]></style>\n";

/* Everything interactive: hover details, click to zoom, reset, regex
 * search. Names come from each frame's <title> ("name (value, pct)"), the
 * short label drawn from its text's data-label (absent: the name). */
static const char script[] =
	"<script type=\"text/ecmascript\"><![CDATA[\n"
	"(function () {\n"
	"\"use strict\";\n"
	"var W = " STR(SVG_W) ", PAD = " STR(PAD) ", FW = W - 2 * PAD, CW = " STR(CHAR_W) ", EPS = 0.02;\n"
	"var doc = document, frames = doc.getElementById(\"frames\");\n"
	"var details = doc.getElementById(\"details\"), matched = doc.getElementById(\"matched\");\n"
	"var unzoomBtn = doc.getElementById(\"unzoom\"), searchBtn = doc.getElementById(\"search\");\n"
	"var all = [], zoomed = null, re = null;\n"
	"function fit(f, x, w) {\n"
	"\tvar n = f.label || f.name, max = Math.floor((w - 6) / CW), chars = Array.from(n);\n"
	"\tf.text.setAttribute(\"x\", (x + 3).toFixed(2));\n"
	"\tif (chars.length <= max) f.text.textContent = n;\n"
	"\telse if (max < 3) f.text.textContent = \"\";\n"
	"\telse f.text.textContent = chars.slice(0, max - 2).join(\"\") + \"..\";\n"
	"}\n"
	"function place(f, x, w) {\n"
	"\tf.rect.setAttribute(\"x\", x.toFixed(2));\n"
	"\tf.rect.setAttribute(\"width\", w.toFixed(2));\n"
	"\tfit(f, x, w);\n"
	"}\n"
	"var gs = frames.getElementsByTagName(\"g\");\n"
	"for (var i = 0; i < gs.length; i++) {\n"
	"\tvar g = gs[i], rect = g.getElementsByTagName(\"rect\")[0];\n"
	"\tvar title = g.getElementsByTagName(\"title\")[0].textContent;\n"
	"\tvar f = { g: g, rect: rect, text: g.getElementsByTagName(\"text\")[0],\n"
	"\t\tname: title.substring(0, title.lastIndexOf(\" (\")), title: title,\n"
	"\t\tlabel: g.getElementsByTagName(\"text\")[0].getAttribute(\"data-label\"),\n"
	"\t\tx: +rect.getAttribute(\"x\"), w: +rect.getAttribute(\"width\"),\n"
	"\t\ty: +rect.getAttribute(\"y\"), fill: rect.getAttribute(\"fill\") };\n"
	"\tg.fwFrame = f;\n"
	"\tall.push(f);\n"
	"}\n"
	"function frameOf(e) {\n"
	"\tfor (var n = e.target; n && n !== frames; n = n.parentNode)\n"
	"\t\tif (n.fwFrame) return n.fwFrame;\n"
	"\treturn null;\n"
	"}\n"
	"function zoom(z) {\n"
	"\tvar s = FW / z.w;\n"
	"\tzoomed = z;\n"
	"\tall.forEach(function (f) {\n"
	"\t\tf.g.classList.remove(\"parent\", \"hide\");\n"
	"\t\tif (f.y > z.y && f.x <= z.x + EPS && f.x + f.w >= z.x + z.w - EPS) {\n"
	"\t\t\tf.g.classList.add(\"parent\");\n"
	"\t\t\tplace(f, PAD, FW);\n"
	"\t\t} else if (f.y <= z.y && f.x >= z.x - EPS && f.x + f.w <= z.x + z.w + EPS) {\n"
	"\t\t\tplace(f, PAD + (f.x - z.x) * s, f.w * s);\n"
	"\t\t} else {\n"
	"\t\t\tf.g.classList.add(\"hide\");\n"
	"\t\t}\n"
	"\t});\n"
	"\tunzoomBtn.classList.remove(\"hide\");\n"
	"}\n"
	"function unzoom() {\n"
	"\tzoomed = null;\n"
	"\tall.forEach(function (f) {\n"
	"\t\tf.g.classList.remove(\"parent\", \"hide\");\n"
	"\t\tplace(f, f.x, f.w);\n"
	"\t});\n"
	"\tunzoomBtn.classList.add(\"hide\");\n"
	"}\n"
	"function search(pattern) {\n"
	"\tvar spans = [], sum = 0, end = -1;\n"
	"\tre = null;\n"
	"\tif (pattern) {\n"
	"\t\ttry { re = new RegExp(pattern); } catch (err) { matched.textContent = \"bad regex: \" + err.message; return; }\n"
	"\t}\n"
	"\tall.forEach(function (f) {\n"
	"\t\tvar hit = re !== null && re.test(f.name);\n"
	"\t\tf.rect.setAttribute(\"fill\", hit ? \"rgb(230,0,230)\" : f.fill);\n"
	"\t\tif (hit) spans.push([f.x, f.x + f.w]);\n"
	"\t});\n"
	"\tspans.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });\n"
	"\tspans.forEach(function (sp) {\n"
	"\t\tif (sp[0] >= end - EPS) { sum += sp[1] - sp[0]; end = sp[1]; }\n"
	"\t\telse if (sp[1] > end) { sum += sp[1] - end; end = sp[1]; }\n"
	"\t});\n"
	"\tmatched.textContent = re ? \"Matched: \" + (100 * sum / FW).toFixed(1) + \"%\" : \"\";\n"
	"\tsearchBtn.textContent = re ? \"Reset Search\" : \"Search\";\n"
	"}\n"
	"frames.addEventListener(\"mouseover\", function (e) {\n"
	"\tvar f = frameOf(e);\n"
	"\tif (f) details.textContent = f.title;\n"
	"});\n"
	"frames.addEventListener(\"mouseout\", function () { details.textContent = \" \"; });\n"
	"frames.addEventListener(\"click\", function (e) {\n"
	"\tvar f = frameOf(e);\n"
	"\tif (f) zoom(f);\n"
	"});\n"
	"unzoomBtn.addEventListener(\"click\", unzoom);\n"
	"searchBtn.addEventListener(\"click\", function () {\n"
	"\tif (re) { search(\"\"); return; }\n"
	"\tvar p = window.prompt(\"Search for a function (regular expression):\", \"\");\n"
	"\tif (p) search(p);\n"
	"});\n"
	"window.addEventListener(\"keydown\", function (e) {\n"
	"\tif ((e.ctrlKey || e.metaKey) && e.keyCode === 70) {\n"
	"\t\te.preventDefault();\n"
	"\t\tvar p = window.prompt(\"Search for a function (regular expression):\", \"\");\n"
	"\t\tif (p) search(p);\n"
	"\t} else if (e.keyCode === 27) {\n"
	"\t\tif (zoomed) unzoom(); else search(\"\");\n"
	"\t}\n"
	"});\n"
	"})();\n"
	"]]></script>\n";

/* Sorts the classes of the frames drawn (w >= min_w) into cl. */
static int classify_frames(const struct frame *f, size_t n, uint64_t min_w,
			   const struct fw_flamegraph_opts *o, struct classes *cl)
{
	size_t cap = 0;

	memset(cl, 0, sizeof(*cl));
	if (!(cl->of = calloc(n ? n : 1, sizeof(*cl->of))))
		return -ENOMEM;
	for (size_t i = 1; i < n; i++) {
		struct fw_flame_class c;
		size_t k;

		if (f[i].w < min_w)
			continue;
		c = o->classify(f[i].name, o->ctx);
		if (c.runtime) {
			cl->of[i] = CLASS_RUNTIME;
			cl->any_runtime = true;
			continue;
		}
		if (!c.component || !*c.component) {
			cl->of[i] = CLASS_OTHER;
			cl->any_other = true;
			continue;
		}
		for (k = 0; k < cl->n_comp && strcmp(cl->comp[k], c.component) != 0; k++)
			;
		if (k == cl->n_comp) {
			if (fw_grow((void **)&cl->comp, &cap, k + 1, sizeof(*cl->comp)) < 0)
				return -ENOMEM;
			cl->comp[cl->n_comp++] = c.component;
		}
		cl->of[i] = (int)k;
	}
	cl->of[0] = CLASS_OTHER;
	/* indices into the sorted labels, so that colours do not depend on the
	 * order frames come in */
	if (cl->n_comp > 1) {
		const char **sorted = malloc(cl->n_comp * sizeof(*sorted));
		if (!sorted)
			return -ENOMEM;
		memcpy(sorted, cl->comp, cl->n_comp * sizeof(*sorted));
		qsort(sorted, cl->n_comp, sizeof(*sorted), cmp_str);
		for (size_t i = 1; i < n; i++) {
			if (cl->of[i] < 0 || f[i].w < min_w)
				continue;
			for (size_t k = 0; k < cl->n_comp; k++)
				if (!strcmp(sorted[k], cl->comp[cl->of[i]])) {
					cl->of[i] = (int)k;
					break;
				}
		}
		free(cl->comp);
		cl->comp = sorted;
	}
	return 0;
}

static void classes_free(struct classes *cl)
{
	free(cl->of);
	free(cl->comp);
	memset(cl, 0, sizeof(*cl));
}

#define LEGEND_LINE 18
#define LEGEND_BOX 11

/* x of every legend item, wrapping lines at the width; returns the number
 * of lines (0 without items). */
static int legend_layout(const struct legend_item *it, size_t n, double *x, int *line)
{
	double at = PAD;
	int lines = n ? 1 : 0;

	for (size_t i = 0; i < n; i++) {
		double w = (it[i].color ? LEGEND_BOX + 4 : 0) + CHAR_W * (double)strlen(it[i].label) + 16;
		if (at > PAD && at + w > SVG_W - PAD) {
			lines++;
			at = PAD;
		}
		x[i] = at;
		line[i] = lines - 1;
		at += w;
	}
	return lines;
}

static void put_legend(struct fw_buf *b, struct fw_buf *tmp, const struct legend_item *it, size_t n,
		       const double *x, const int *line, int y0)
{
	fw_buf_puts(b, "<g id=\"legend\">\n");
	for (size_t i = 0; i < n; i++) {
		int y = y0 + line[i] * LEGEND_LINE;
		if (it[i].color)
			fw_buf_printf(b,
				      "<rect x=\"%.2f\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" "
				      "stroke=\"#666\" stroke-width=\"0.5\"/>",
				      x[i], y - LEGEND_BOX + 1, LEGEND_BOX, LEGEND_BOX, it[i].color);
		fw_buf_printf(b, "<text x=\"%.2f\" y=\"%d\">", x[i] + (it[i].color ? LEGEND_BOX + 4 : 0), y);
		put_text(b, tmp, it[i].label);
		fw_buf_puts(b, "</text>\n");
	}
	fw_buf_puts(b, "</g>\n");
}

struct header {
	const char *title;
	int height;
	int64_t shown, total;
	bool diff, growth;
	int64_t growth_total; /* growth mode: the percentages' reference */
};

static void put_header(struct fw_buf *b, struct fw_buf *tmp, const struct fw_report *r,
		       const struct header *h)
{
	char v[64], t[64], pct[32];

	fw_buf_printf(b,
		      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
		      "<svg version=\"1.1\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		      "xmlns=\"http://www.w3.org/2000/svg\">\n",
		      SVG_W, h->height, SVG_W, h->height);
	fw_buf_puts(b, style);
	fw_buf_printf(b,
		      "<defs><linearGradient id=\"bg\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"1\">"
		      "<stop stop-color=\"#eeeeee\" offset=\"5%%\"/>"
		      "<stop stop-color=\"#eeeeb0\" offset=\"95%%\"/></linearGradient></defs>\n"
		      "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"url(#bg)\"/>\n",
		      SVG_W, h->height);
	fw_buf_printf(b, "<text id=\"title\" x=\"%d\" y=\"24\">", SVG_W / 2);
	put_text(b, tmp, h->title ? h->title : "Flame Graph");
	fw_buf_puts(b, "</text>\n");

	fw_buf_printf(b, "<text id=\"subtitle\" x=\"%d\" y=\"44\">Type: ", SVG_W / 2);
	put_text(b, tmp, r->sample_type[0] ? r->sample_type : "samples");
	if (r->sample_unit[0]) {
		fw_buf_puts(b, " (");
		put_text(b, tmp, r->sample_unit);
		fw_buf_putc(b, ')');
	}
	if (h->growth) {
		/* the percentages' reference first, then the net change */
		fw_unit_label(t, sizeof(t), h->growth_total, r->sample_unit, "auto");
		fw_unit_label(v, sizeof(v), h->shown, r->sample_unit, "auto");
		fw_buf_puts(b, ", Total growth: +");
		put_xml(b, t, strlen(t));
		fw_buf_puts(b, " (sum of the functions that grew), Net change: ");
		if (h->shown > 0)
			fw_buf_putc(b, '+');
		put_xml(b, v, strlen(v));
		fw_buf_puts(b, "</text>\n");
		goto buttons;
	}
	fw_unit_label(t, sizeof(t), h->total, r->sample_unit, "auto");
	fw_buf_puts(b, ", Total: ");
	put_xml(b, t, strlen(t));
	if ((uint64_t)fw_abs64(h->shown) != (uint64_t)fw_abs64(h->total) || h->diff) {
		fw_unit_label(v, sizeof(v), h->shown, r->sample_unit, "auto");
		pct_label(h->shown, h->total, pct, sizeof(pct));
		fw_buf_puts(b, h->diff ? ", Net change shown: " : ", Shown: ");
		if (h->diff && h->shown > 0)
			fw_buf_putc(b, '+');
		put_xml(b, v, strlen(v));
		fw_buf_printf(b, " (%s%s)", h->diff && h->shown > 0 ? "+" : h->diff && h->shown < 0 ? "-" : "",
			      pct);
	}
	if (h->diff)
		fw_buf_puts(b, " \xe2\x80\x94 red: growth, blue: shrink");
	fw_buf_puts(b, "</text>\n");
buttons:
	fw_buf_printf(b,
		      "<text id=\"unzoom\" class=\"btn hide\" x=\"%d\" y=\"44\">Reset Zoom</text>\n"
		      "<text id=\"search\" class=\"btn\" x=\"%d\" y=\"44\" text-anchor=\"end\">Search</text>\n",
		      PAD, SVG_W - PAD);
}

/* The sum of the positive flat values of the untrimmed graph: what
 * `pprof -top` lists, so the growth is the report's. */
static int growth_total(struct fw_report *r, int64_t *out, struct fw_error *err)
{
	struct fw_graph g;
	int rc;

	*out = 0;
	if ((rc = fw_graph_build_nodes(&r->tab, r->vi, &g, err)) < 0)
		return rc;
	for (size_t i = 0; i < g.n_nodes; i++)
		if (g.flat[g.nodes[i]] > 0)
			*out = fw_add64(*out, g.flat[g.nodes[i]]);
	fw_graph_free(&g);
	return 0;
}

int fw_flamegraph_write(struct fw_report *r, const struct fw_flamegraph_opts *opts, struct fw_buf *out,
			struct fw_error *err)
{
	static const struct fw_flamegraph_opts none = { 0 };
	const struct fw_flamegraph_opts *o = opts ? opts : &none;
	struct stacks st;
	struct frame *f = NULL;
	struct classes cl = { 0 };
	struct legend_item legend[N_PALETTE + 4];
	double legend_x[N_PALETTE + 4];
	int legend_line[N_PALETTE + 4], legend_lines;
	size_t n = 0, n_legend = 0;
	struct fw_buf tmp;
	struct header h = { .title = o->title };
	uint32_t max_depth = 0;
	uint64_t max_abs = 0, min_w, all_w;
	double scale = 0;
	int rc, top;

	/* the growth is read from the samples, before they may be dropped */
	h.growth = o->growth;
	if (h.growth && (rc = growth_total(r, &h.growth_total, err)) < 0)
		return rc;
	/* in tree order (cmp_tree): in plain byte order a function's own
	 * stack "p;f" and its children "p;f;g" would sit on both sides of
	 * "p;f.func1", and f would be drawn twice */
	if ((rc = stacks_build(r, &st, o->drop_samples, true, err)) < 0)
		return rc;
	all_w = stacks_width(&st);
	if (all_w > 0)
		scale = (SVG_W - 2.0 * PAD) / (double)all_w;
	/* the narrowest frame drawn: MIN_PX wide at this scale */
	min_w = scale > 0 ? (uint64_t)(MIN_PX / scale) : 0;
	while (scale > 0 && (double)min_w * scale < MIN_PX)
		min_w++;
	if ((rc = build_frames(r, &st, min_w, &f, &n, &h.diff, err)) < 0) {
		stacks_free(&st);
		return rc;
	}
	stacks_free(&st); /* the frames point at the node table's names */
	h.shown = f[0].delta;
	h.total = r->total ? r->total : (int64_t)f[0].w;
	for (size_t i = 0; i < n; i++) {
		if (f[i].w < min_w)
			continue;
		if (f[i].depth > max_depth)
			max_depth = f[i].depth;
		if (i > 0 && (uint64_t)fw_abs64(f[i].delta) > max_abs)
			max_abs = (uint64_t)fw_abs64(f[i].delta);
	}
	if (max_abs == 0)
		max_abs = (uint64_t)fw_abs64(f[0].delta);
	if (max_depth > 100000) {
		rc = fw_err(err, -E2BIG, "stacks too deep for a flame graph (%" PRIu32 " frames)", max_depth);
		goto out;
	}
	if (h.growth) {
		legend[n_legend++] = (struct legend_item){ "grew (the darker, the more)", "rgb(255,60,60)" };
		legend[n_legend++] = (struct legend_item){ "shrank", "rgb(60,60,255)" };
		legend[n_legend++] = (struct legend_item){ "unchanged", "rgb(220,220,220)" };
		legend[n_legend++] = (struct legend_item){ "percentages are of the total growth", NULL };
	} else if (o->classify && f[0].w > 0) {
		if (classify_frames(f, n, min_w, o, &cl) < 0) {
			rc = fw_err(err, -ENOMEM, "out of memory colouring the flame graph");
			goto out;
		}
		for (size_t k = 0; k < cl.n_comp && k < N_PALETTE; k++)
			legend[n_legend++] = (struct legend_item){ cl.comp[k], palette[k] };
		if (cl.n_comp > N_PALETTE)
			legend[n_legend++] = (struct legend_item){ "(more components: colours repeat)", NULL };
		if (cl.any_runtime)
			legend[n_legend++] = (struct legend_item){ "Go runtime", RUNTIME_COLOR };
		if (cl.any_other)
			legend[n_legend++] = (struct legend_item){ "other", "rgb(230,120,30)" };
	}
	legend_lines = legend_layout(legend, n_legend, legend_x, legend_line);
	top = TOP + legend_lines * LEGEND_LINE;
	h.height = top + (int)(max_depth + 1) * FRAME_H + BOTTOM;

	fw_buf_init(&tmp);
	put_header(out, &tmp, r, &h);
	if (n_legend)
		put_legend(out, &tmp, legend, n_legend, legend_x, legend_line, TOP - 4);
	fw_buf_puts(out, "<g id=\"frames\">\n");
	for (size_t i = 0; i < n && f[0].w > 0; i++) {
		const struct frame *fr = &f[i];
		double px = (double)fr->w * scale, x = PAD + (double)fr->x * scale;
		int y = h.height - BOTTOM - (int)(fr->depth + 1) * FRAME_H;
		const char *name = fr->name ? fr->name : "all";
		char color[32], v[64], pct[32];
		const char *label;
		bool signs = h.diff || h.growth;

		if (fr->w < min_w)
			continue;
		tmp.len = 0;
		put_clean_utf8(&tmp, name);
		if (tmp.failed)
			break;
		label = fw_buf_str(&tmp) + fw_flame_label_offset(fw_buf_str(&tmp));
		if (signs)
			diff_color(fr->delta, max_abs, color, sizeof(color));
		else if (cl.of && i == 0)
			snprintf(color, sizeof(color), "rgb(225,225,225)"); /* "all" */
		else if (cl.of && cl.of[i] == CLASS_RUNTIME)
			snprintf(color, sizeof(color), RUNTIME_COLOR);
		else if (cl.of && cl.of[i] >= 0)
			snprintf(color, sizeof(color), "%s", palette[(size_t)cl.of[i] % N_PALETTE]);
		else
			warm_color(name, color, sizeof(color));
		fw_unit_label(v, sizeof(v), fr->delta, r->sample_unit, "auto");
		fw_buf_puts(out, "<g><title>");
		put_xml(out, tmp.data, tmp.len);
		/* pprof's percentages are of |value|: a diff shows the sign */
		fw_buf_printf(out, " (%s%s", signs && fr->delta > 0 ? "+" : "", v);
		if (h.growth && h.growth_total > 0) {
			pct_label(fr->delta, h.growth_total, pct, sizeof(pct));
			fw_buf_printf(out, ", %s%s of growth", fr->delta > 0 ? "+" : fr->delta < 0 ? "-" : "", pct);
		} else if (!h.growth) {
			pct_label(fr->delta, h.total, pct, sizeof(pct));
			fw_buf_printf(out, ", %s%s", signs && fr->delta > 0 ? "+" : signs && fr->delta < 0 ? "-" : "",
				      pct);
		}
		fw_buf_printf(out,
			      ")</title><rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"%s\" "
			      "rx=\"2\" ry=\"2\"/><text x=\"%.2f\" y=\"%.1f\"",
			      x, y, px, FRAME_H - 1, color, x + 3, y + FRAME_H - 4.5);
		if (label != fw_buf_str(&tmp)) {
			fw_buf_puts(out, " data-label=\"");
			put_xml(out, label, strlen(label));
			fw_buf_putc(out, '"');
		}
		fw_buf_putc(out, '>');
		put_label(out, label, strlen(label), px);
		fw_buf_puts(out, "</text></g>\n");
	}
	fw_buf_puts(out, "</g>\n");
	if (f[0].w == 0)
		fw_buf_printf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">No samples</text>\n",
			      SVG_W / 2, h.height - BOTTOM - FRAME_H / 2);
	fw_buf_printf(out, "<text id=\"details\" x=\"%d\" y=\"%d\"> </text>\n", PAD, h.height - 12);
	fw_buf_printf(out, "<text id=\"matched\" x=\"%d\" y=\"%d\" text-anchor=\"end\"></text>\n",
		      SVG_W - PAD, h.height - 12);
	fw_buf_puts(out, script);
	fw_buf_puts(out, "</svg>\n");
	if (tmp.failed)
		out->failed = true;
	fw_buf_free(&tmp);
	rc = out->failed ? fw_err(err, -ENOMEM, "out of memory") : 0;
out:
	classes_free(&cl);
	free(f);
	stacks_free(&st);
	return rc;
}
