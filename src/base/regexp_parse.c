/*
 * regexp_parse.c: Go's regexp parser (see regexp_parse.h), ported from Go
 * 1.19's regexp/syntax/parse.go function by function so that what it
 * accepts, what it refuses and the words of every error are Go's. The tree
 * is Go's without its tidying (literal strings, merged alternatives): the
 * same language, and Go's size and depth limits computed on it.
 */
#include "base/regexp_parse.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Go's syntax.Flags that matter here; Perl mode (ClassNL, PerlX,
 * UnicodeGroups) is always on. */
enum {
	F_FOLD = 1,	/* FoldCase: (?i) */
	F_ONELINE = 2,	/* OneLine: ^ $ at text edges; cleared by (?m) */
	F_DOTNL = 4,	/* DotNL: (?s) */
	F_NONGREEDY = 8 /* NonGreedy: (?U), no matter to a yes/no match */
};

#define MAX_RUNE 0x10FFFF
#define MIN_FOLD 0x41
#define MAX_FOLD 0x1e943
#define MAX_HEIGHT 1000
#define MAX_SIZE ((128 << 20) / 40)
#define MAX_RUNES ((128 << 20) / 4)

static const char E_INTERNAL[] = "regexp/syntax: internal error";
static const char E_CLASS_RANGE[] = "invalid character class range";
static const char E_ESCAPE[] = "invalid escape sequence";
static const char E_NAMED[] = "invalid named capture";
static const char E_PERL_OP[] = "invalid or unsupported Perl syntax";
static const char E_REPEAT_OP[] = "invalid nested repetition operator";
static const char E_REPEAT_SIZE[] = "invalid repeat count";
static const char E_UTF8[] = "invalid UTF-8";
static const char E_BRACKET[] = "missing closing ]";
static const char E_PAREN[] = "missing closing )";
static const char E_REPEAT_ARG[] = "missing argument to repetition operator";
static const char E_BACKSLASH[] = "trailing backslash at end of expression";
static const char E_UNEXPECTED_PAREN[] = "unexpected )";
static const char E_NESTING[] = "expression nests too deeply";

struct parser {
	const char *whole, *end;
	unsigned flags;
	struct fw_re_node **stack;
	size_t n, cap;
	int64_t nrunes;
	struct fw_error *err;
};

/* A growable class: ranges in any order until cleaned. */
struct rvec {
	struct fw_re_range *r;
	size_t n, cap;
	bool failed;
};

static int fail(struct parser *p, const char *code, const char *expr, size_t len)
{
	return fw_err(p->err, -EINVAL, "error parsing regexp: %s: `%.*s`", code, (int)len, expr);
}

static int fail_to(struct parser *p, const char *code, const char *from, const char *to)
{
	return fail(p, code, from, (size_t)(to - from));
}

static int nomem(struct parser *p)
{
	return fw_err(p->err, -ENOMEM, "out of memory");
}

void fw_re_node_free(struct fw_re_node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nsub; i++)
		fw_re_node_free(n->sub[i]);
	free(n->sub);
	free(n->r);
	free(n);
}

static struct fw_re_node *node(enum fw_re_op op, unsigned flags)
{
	struct fw_re_node *n = calloc(1, sizeof(*n));

	if (n) {
		n->op = op;
		n->flags = flags;
		n->height = 1;
		n->size = 1;
	}
	return n;
}

/* ---- UTF-8 (Go's nextRune and checkUTF8) ---------------------------- */

/* The rune at *t (0xFFFD at the end, as Go's DecodeRuneInString gives),
 * moving *t past it; -EINVAL (ErrInvalidUTF8, the rest of the pattern) for
 * an invalid sequence. */
static int next_rune(struct parser *p, const char **t, uint32_t *c)
{
	size_t l;

	if (*t >= p->end) {
		*c = 0xFFFD;
		return 0;
	}
	l = fw_utf8_decode(*t, (size_t)(p->end - *t), c);
	if (l == 0)
		return fail_to(p, E_UTF8, *t, p->end);
	*t += l;
	return 0;
}

/* Go's checkUTF8 of s..e: the error names the rest of s..e. */
static int check_utf8(struct parser *p, const char *s, const char *e)
{
	while (s < e) {
		uint32_t c;
		size_t l = fw_utf8_decode(s, (size_t)(e - s), &c);
		if (l == 0)
			return fail_to(p, E_UTF8, s, e);
		s += l;
	}
	return 0;
}

/* ---- classes ---------------------------------------------------------- */

static void rv_add(struct rvec *v, uint32_t lo, uint32_t hi)
{
	if (v->n && lo <= v->r[v->n - 1].hi + 1 && v->r[v->n - 1].lo <= hi + 1) {
		if (lo < v->r[v->n - 1].lo)
			v->r[v->n - 1].lo = lo;
		if (hi > v->r[v->n - 1].hi)
			v->r[v->n - 1].hi = hi;
		return;
	}
	if (fw_grow((void **)&v->r, &v->cap, v->n + 1, sizeof(*v->r)) < 0) {
		v->failed = true;
		return;
	}
	v->r[v->n].lo = lo;
	v->r[v->n].hi = hi;
	v->n++;
}

static uint32_t simple_fold(uint32_t c)
{
	size_t lo = 0, hi = fw_re_n_folds;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (fw_re_folds[mid].r < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < fw_re_n_folds && fw_re_folds[lo].r == c ? fw_re_folds[lo].fold : c;
}

/* Go's appendFoldedRange: lo-hi and every rune fold-equivalent to one of
 * them. A rune that SimpleFold maps to itself adds nothing, so only the
 * fold table's entries within lo-hi are walked. */
static void rv_add_folded(struct rvec *v, uint32_t lo, uint32_t hi)
{
	size_t a = 0, b = fw_re_n_folds;

	rv_add(v, lo, hi);
	if (hi < MIN_FOLD || lo > MAX_FOLD || (lo <= MIN_FOLD && hi >= MAX_FOLD))
		return;
	while (a < b) {
		size_t mid = a + (b - a) / 2;
		if (fw_re_folds[mid].r < lo)
			a = mid + 1;
		else
			b = mid;
	}
	for (; a < fw_re_n_folds && fw_re_folds[a].r <= hi; a++) {
		uint32_t c = fw_re_folds[a].r;
		for (uint32_t f = fw_re_folds[a].fold; f != c; f = simple_fold(f))
			rv_add(v, f, f);
	}
}

static int range_cmp(const void *a, const void *b)
{
	const struct fw_re_range *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->hi > y->hi ? -1 : x->hi < y->hi;
}

/* Go's cleanClass: sorted, merged, disjoint. */
static void rv_clean(struct rvec *v)
{
	size_t w = 1;

	if (v->n < 2)
		return;
	qsort(v->r, v->n, sizeof(*v->r), range_cmp);
	for (size_t i = 1; i < v->n; i++) {
		if (v->r[i].lo <= v->r[w - 1].hi + 1) {
			if (v->r[i].hi > v->r[w - 1].hi)
				v->r[w - 1].hi = v->r[i].hi;
			continue;
		}
		v->r[w++] = v->r[i];
	}
	v->n = w;
}

/* Appends x (n clean ranges) to v, or its complement (Go's appendClass,
 * appendNegatedClass). */
static void rv_add_class(struct rvec *v, const struct fw_re_range *x, size_t n, bool negated)
{
	uint32_t next = 0;

	for (size_t i = 0; i < n; i++) {
		if (!negated) {
			rv_add(v, x[i].lo, x[i].hi);
			continue;
		}
		if (x[i].lo > next)
			rv_add(v, next, x[i].lo - 1);
		next = x[i].hi + 1;
	}
	if (negated && next <= MAX_RUNE)
		rv_add(v, next, MAX_RUNE);
}

/* Go's appendGroup and the folding branch of parseUnicodeClass: x (and
 * fold, runes fold-equivalent to x's, when folding) or the complement. */
static void rv_add_group(struct rvec *v, const struct fw_re_range *x, size_t n,
			 const struct fw_re_range *fold, size_t nfold, bool negated, bool fold_x)
{
	struct rvec tmp = { 0 };

	for (size_t i = 0; i < n; i++) {
		if (fold_x)
			rv_add_folded(&tmp, x[i].lo, x[i].hi);
		else
			rv_add(&tmp, x[i].lo, x[i].hi);
	}
	for (size_t i = 0; i < nfold; i++)
		rv_add(&tmp, fold[i].lo, fold[i].hi);
	rv_clean(&tmp);
	rv_add_class(v, tmp.r, tmp.n, negated);
	v->failed = v->failed || tmp.failed;
	free(tmp.r);
}

static const struct fw_re_range perl_d[] = { { '0', '9' } };
static const struct fw_re_range perl_s[] = { { '\t', '\n' }, { '\f', '\r' }, { ' ', ' ' } };
static const struct fw_re_range perl_w[] = { { '0', '9' }, { 'A', 'Z' }, { '_', '_' }, { 'a', 'z' } };

static const struct fw_re_range px_alnum[] = { { '0', '9' }, { 'A', 'Z' }, { 'a', 'z' } };
static const struct fw_re_range px_alpha[] = { { 'A', 'Z' }, { 'a', 'z' } };
static const struct fw_re_range px_ascii[] = { { 0, 0x7f } };
static const struct fw_re_range px_blank[] = { { '\t', '\t' }, { ' ', ' ' } };
static const struct fw_re_range px_cntrl[] = { { 0, 0x1f }, { 0x7f, 0x7f } };
static const struct fw_re_range px_graph[] = { { '!', '~' } };
static const struct fw_re_range px_lower[] = { { 'a', 'z' } };
static const struct fw_re_range px_print[] = { { ' ', '~' } };
static const struct fw_re_range px_punct[] = { { '!', '/' }, { ':', '@' }, { '[', '`' }, { '{', '~' } };
static const struct fw_re_range px_space[] = { { '\t', '\r' }, { ' ', ' ' } };
static const struct fw_re_range px_upper[] = { { 'A', 'Z' } };
static const struct fw_re_range px_xdigit[] = { { '0', '9' }, { 'A', 'F' }, { 'a', 'f' } };

#define GROUP(x) x, sizeof(x) / sizeof(x[0])
static const struct group {
	const char *name;
	const struct fw_re_range *r;
	size_t n;
} posix_groups[] = {
	{ "alnum", GROUP(px_alnum) }, { "alpha", GROUP(px_alpha) }, { "ascii", GROUP(px_ascii) },
	{ "blank", GROUP(px_blank) }, { "cntrl", GROUP(px_cntrl) }, { "digit", GROUP(perl_d) },
	{ "graph", GROUP(px_graph) }, { "lower", GROUP(px_lower) }, { "print", GROUP(px_print) },
	{ "punct", GROUP(px_punct) }, { "space", GROUP(px_space) }, { "upper", GROUP(px_upper) },
	{ "word", GROUP(perl_w) },    { "xdigit", GROUP(px_xdigit) },
};

/* Go's parsePerlClassEscape: \d \D \s \S \w \W at s; 1 if found (s moved). */
static int perl_class(struct parser *p, const char **s, struct rvec *v)
{
	const char *t = *s;
	const struct fw_re_range *x;
	size_t n;

	if (p->end - t < 2 || t[0] != '\\')
		return 0;
	switch (t[1] | 0x20) {
	case 'd': x = perl_d; n = 1; break;
	case 's': x = perl_s; n = 3; break;
	case 'w': x = perl_w; n = 4; break;
	default: return 0;
	}
	if (t[1] != 'd' && t[1] != 'D' && t[1] != 's' && t[1] != 'S' && t[1] != 'w' && t[1] != 'W')
		return 0;
	rv_add_group(v, x, n, NULL, 0, t[1] < 'a', p->flags & F_FOLD);
	*s = t + 2;
	return 1;
}

/* Go's parseNamedClass: [:alpha:] and [:^alpha:] at s. 1 if found, 0 if
 * not, or an error. */
static int named_class(struct parser *p, const char **s, struct rvec *v)
{
	const char *t = *s, *e;
	bool neg;
	size_t len;

	if (p->end - t < 2 || t[0] != '[' || t[1] != ':')
		return 0;
	for (e = t + 2; e + 1 < p->end && !(e[0] == ':' && e[1] == ']'); e++)
		;
	if (e + 1 >= p->end)
		return 0;
	neg = t[2] == '^';
	len = (size_t)(e - (t + 2 + neg));
	for (size_t i = 0; i < sizeof(posix_groups) / sizeof(posix_groups[0]); i++) {
		const struct group *g = &posix_groups[i];
		if (strlen(g->name) == len && memcmp(g->name, t + 2 + neg, len) == 0) {
			rv_add_group(v, g->r, g->n, NULL, 0, neg, p->flags & F_FOLD);
			*s = e + 2;
			return 1;
		}
	}
	return fail_to(p, E_CLASS_RANGE, t, e + 2);
}

static const struct fw_re_table *unicode_table(const char *name, size_t len)
{
	size_t lo = 0, hi = fw_re_n_tables;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *m = fw_re_tables[mid].name;
		int c = strncmp(m, name, len);
		if (c == 0)
			c = m[len] != 0;
		if (c == 0)
			return &fw_re_tables[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Go's parseUnicodeClass: \pL \p{Greek} \PL \p{^L} at s. 1 if found, 0 if
 * not, or an error. */
static int unicode_class(struct parser *p, const char **s, struct rvec *v)
{
	static const struct fw_re_range any[] = { { 0, MAX_RUNE } };
	const char *t = *s, *seq_end, *name, *name_end;
	const struct fw_re_range *x, *fold;
	size_t n, nfold;
	bool neg;
	uint32_t c;
	int r;

	if (p->end - t < 2 || t[0] != '\\' || (t[1] != 'p' && t[1] != 'P'))
		return 0;
	neg = t[1] == 'P';
	seq_end = t + 2;
	if ((r = next_rune(p, &seq_end, &c)) < 0)
		return r;
	if (c != '{') {
		name = t + 2;
		name_end = seq_end;
	} else {
		const char *e = memchr(t, '}', (size_t)(p->end - t));
		if (!e) {
			if ((r = check_utf8(p, t, p->end)) < 0)
				return r;
			return fail_to(p, E_CLASS_RANGE, t, p->end);
		}
		seq_end = e + 1;
		name = t + 3;
		name_end = e;
		if ((r = check_utf8(p, name, name_end)) < 0)
			return r;
	}
	if (name < name_end && name[0] == '^') {
		neg = !neg;
		name++;
	}
	n = (size_t)(name_end - name);
	if (n == 3 && memcmp(name, "Any", 3) == 0) {
		x = fold = any;
		n = nfold = 1;
	} else {
		const struct fw_re_table *tab = unicode_table(name, n);
		if (!tab)
			return fail_to(p, E_CLASS_RANGE, t, seq_end);
		x = tab->r;
		n = tab->n;
		fold = tab->fold;
		nfold = tab->nfold;
	}
	if (!(p->flags & F_FOLD) || !fold)
		rv_add_class(v, x, n, neg);
	else
		rv_add_group(v, x, n, fold, nfold, neg, false);
	*s = seq_end;
	return 1;
}

static int unhex(uint32_t c)
{
	if (c >= '0' && c <= '9')
		return (int)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (int)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (int)(c - 'A' + 10);
	return -1;
}

static bool isalnum_ascii(uint32_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Go's parseEscape: the escape at *s (a backslash), moving *s past it. */
static int parse_escape(struct parser *p, const char **s, uint32_t *out)
{
	const char *start = *s, *t = start + 1;
	uint32_t c, r;
	int e;

	if (t >= p->end)
		return fail(p, E_BACKSLASH, "", 0);
	if ((e = next_rune(p, &t, &c)) < 0)
		return e;
	switch (c) {
	case '1': case '2': case '3': case '4': case '5': case '6': case '7':
		/* a single non-zero digit is a backreference: not supported */
		if (t >= p->end || *t < '0' || *t > '7')
			break;
		/* fall through */
	case '0':
		r = c - '0';
		for (int i = 1; i < 3 && t < p->end && *t >= '0' && *t <= '7'; i++)
			r = r * 8 + (uint32_t)(*t++ - '0');
		*out = r;
		*s = t;
		return 0;
	case 'x': {
		int x, y;
		if (t >= p->end)
			break;
		if ((e = next_rune(p, &t, &c)) < 0)
			return e;
		if (c == '{') {
			int nhex = 0;
			r = 0;
			for (;;) {
				if (t >= p->end)
					goto bad;
				if ((e = next_rune(p, &t, &c)) < 0)
					return e;
				if (c == '}')
					break;
				if ((x = unhex(c)) < 0)
					goto bad;
				r = r * 16 + (uint32_t)x;
				if (r > MAX_RUNE)
					goto bad;
				nhex++;
			}
			if (nhex == 0)
				goto bad;
			*out = r;
			*s = t;
			return 0;
		}
		x = unhex(c);
		if ((e = next_rune(p, &t, &c)) < 0)
			return e;
		y = unhex(c);
		if (x < 0 || y < 0)
			break;
		*out = (uint32_t)(x * 16 + y);
		*s = t;
		return 0;
	}
	case 'a': *out = '\a'; *s = t; return 0;
	case 'f': *out = '\f'; *s = t; return 0;
	case 'n': *out = '\n'; *s = t; return 0;
	case 'r': *out = '\r'; *s = t; return 0;
	case 't': *out = '\t'; *s = t; return 0;
	case 'v': *out = '\v'; *s = t; return 0;
	default:
		/* escaped punctuation is itself */
		if (c < 0x80 && !isalnum_ascii(c)) {
			*out = c;
			*s = t;
			return 0;
		}
	}
bad:
	return fail_to(p, E_ESCAPE, start, t);
}

/* Go's parseClassChar. */
static int class_char(struct parser *p, const char **s, const char *whole_class, uint32_t *out)
{
	if (*s >= p->end)
		return fail_to(p, E_BRACKET, whole_class, p->end);
	if (**s == '\\')
		return parse_escape(p, s, out);
	return next_rune(p, s, out);
}

/* ---- the parse stack ------------------------------------------------- */

static int64_t size_of(const struct fw_re_node *n)
{
	int64_t s = 0, sub = n->nsub ? n->sub[0]->size : 0;

	switch (n->op) {
	case FW_RE_CAPTURE:
	case FW_RE_STAR: s = 2 + sub; break;
	case FW_RE_PLUS:
	case FW_RE_QUEST: s = 1 + sub; break;
	case FW_RE_CONCAT:
	case FW_RE_ALT:
		for (size_t i = 0; i < n->nsub; i++)
			s += n->sub[i]->size;
		if (n->op == FW_RE_ALT && n->nsub > 1)
			s += (int64_t)n->nsub - 1;
		break;
	case FW_RE_REPEAT:
		if (n->max == -1)
			s = n->min == 0 ? 2 + sub : 1 + n->min * sub;
		else
			s = n->max * sub + (n->max - n->min);
		break;
	default: break;
	}
	return s < 1 ? 1 : s;
}

/* Height and size of n from its subtrees', and Go's checkLimits. */
static int check_limits(struct parser *p, struct fw_re_node *n)
{
	n->height = 1;
	for (size_t i = 0; i < n->nsub; i++)
		if (n->height < 1 + n->sub[i]->height)
			n->height = 1 + n->sub[i]->height;
	n->size = size_of(n);
	if (p->nrunes > MAX_RUNES || n->size > MAX_SIZE)
		return fail_to(p, E_INTERNAL, p->whole, p->end);
	if (n->height > MAX_HEIGHT)
		return fail_to(p, E_NESTING, p->whole, p->end);
	return 0;
}

/* Pushes n (taking it; freed on failure). */
static int push(struct parser *p, struct fw_re_node *n)
{
	if (!n)
		return nomem(p);
	if (fw_grow((void **)&p->stack, &p->cap, p->n + 1, sizeof(*p->stack)) < 0) {
		fw_re_node_free(n);
		return nomem(p);
	}
	p->stack[p->n++] = n;
	p->nrunes += 2 * (int64_t)n->nr;
	return check_limits(p, n);
}

static int push_op(struct parser *p, enum fw_re_op op, unsigned mask)
{
	struct fw_re_node *n = node(op, p->flags);

	if (n)
		n->mask = mask;
	return push(p, n);
}

/* Pushes the class v (cleaned; taken). */
static int push_class(struct parser *p, struct rvec *v)
{
	struct fw_re_node *n;

	if (v->failed || !(n = node(FW_RE_CLASS, p->flags))) {
		free(v->r);
		return nomem(p);
	}
	rv_clean(v);
	n->r = v->r;
	n->nr = v->n;
	return push(p, n);
}

/* Go's literal: r, or with (?i) every rune fold-equivalent to it. */
static int push_literal(struct parser *p, uint32_t r)
{
	struct rvec v = { 0 };

	if (p->flags & F_FOLD)
		rv_add_folded(&v, r, r);
	else
		rv_add(&v, r, r);
	return push_class(p, &v);
}

/* Go's collapse: subs[0..k) under op, nested ops of the same kind
 * hoisted; one sub is itself. Takes the subs. */
static int collapse(struct parser *p, struct fw_re_node **subs, size_t k, enum fw_re_op op,
		    struct fw_re_node **out)
{
	struct fw_re_node *n;
	size_t total = 0, cap = 0;

	if (k == 1) {
		*out = subs[0];
		return 0;
	}
	if (!(n = node(op, p->flags)))
		goto oom;
	for (size_t i = 0; i < k; i++)
		total += subs[i]->op == op ? subs[i]->nsub : 1;
	if (fw_grow((void **)&n->sub, &cap, total, sizeof(*n->sub)) < 0)
		goto oom;
	for (size_t i = 0; i < k; i++) {
		if (subs[i]->op == op) {
			memcpy(n->sub + n->nsub, subs[i]->sub, subs[i]->nsub * sizeof(*n->sub));
			n->nsub += subs[i]->nsub;
			subs[i]->nsub = 0;
			fw_re_node_free(subs[i]);
		} else {
			n->sub[n->nsub++] = subs[i];
		}
	}
	*out = n;
	return 0;
oom:
	fw_re_node_free(n);
	for (size_t i = 0; i < k; i++)
		fw_re_node_free(subs[i]);
	return nomem(p);
}

/* Go's concat and alternate: the items above the topmost marker (any
 * marker for concat, '(' for alternate) replaced by their concatenation
 * or alternation. */
static int reduce(struct parser *p, enum fw_re_op op)
{
	size_t i = p->n, k;
	struct fw_re_node *n = NULL;
	int r;

	while (i > 0 && p->stack[i - 1]->op < FW_RE_PSEUDO)
		i--;
	k = p->n - i;
	p->n = i;
	if (k == 0)
		return push_op(p, op == FW_RE_CONCAT ? FW_RE_EMPTY : FW_RE_CLASS, 0);
	if ((r = collapse(p, p->stack + i, k, op, &n)) < 0)
		return r;
	return push(p, n);
}

/* Go's swapVerticalBar (without its merging of single-rune
 * alternatives): an item above a '|' goes below it. */
static bool swap_vertical_bar(struct parser *p)
{
	if (p->n >= 2 && p->stack[p->n - 2]->op == FW_RE_VBAR) {
		struct fw_re_node *t = p->stack[p->n - 1];
		p->stack[p->n - 1] = p->stack[p->n - 2];
		p->stack[p->n - 2] = t;
		return true;
	}
	return false;
}

static void pop_free(struct parser *p)
{
	fw_re_node_free(p->stack[--p->n]);
}

static int parse_vertical_bar(struct parser *p)
{
	int r;

	if ((r = reduce(p, FW_RE_CONCAT)) < 0)
		return r;
	if (!swap_vertical_bar(p))
		return push_op(p, FW_RE_VBAR, 0);
	return 0;
}

static int parse_right_paren(struct parser *p)
{
	struct fw_re_node *n1, *n2;
	int r;

	if ((r = reduce(p, FW_RE_CONCAT)) < 0)
		return r;
	if (swap_vertical_bar(p))
		pop_free(p);
	if ((r = reduce(p, FW_RE_ALT)) < 0)
		return r;
	if (p->n < 2 || p->stack[p->n - 2]->op != FW_RE_LPAREN)
		return fail_to(p, E_UNEXPECTED_PAREN, p->whole, p->end);
	n1 = p->stack[p->n - 1];
	n2 = p->stack[p->n - 2];
	p->n -= 2;
	p->flags = n2->flags;
	if (!n2->cap) {
		fw_re_node_free(n2);
		return push(p, n1);
	}
	n2->op = FW_RE_CAPTURE;
	if (!(n2->sub = malloc(sizeof(*n2->sub)))) {
		fw_re_node_free(n1);
		fw_re_node_free(n2);
		return nomem(p);
	}
	n2->sub[0] = n1;
	n2->nsub = 1;
	return push(p, n2);
}

/* Go's repeatIsValid. */
static bool repeat_is_valid(const struct fw_re_node *n, int max)
{
	if (n->op == FW_RE_REPEAT) {
		int m = n->max;
		if (m == 0)
			return true;
		if (m < 0)
			m = n->min;
		if (m > max)
			return false;
		if (m > 0)
			max /= m;
	}
	for (size_t i = 0; i < n->nsub; i++)
		if (!repeat_is_valid(n->sub[i], max))
			return false;
	return true;
}

/* Go's repeat: before is the pattern from the operator on, *after from
 * after it; last_repeat the previous operator's before (NULL: none). */
static int repeat(struct parser *p, enum fw_re_op op, int min, int max, const char *before,
		  const char **after, const char *last_repeat)
{
	struct fw_re_node *n;
	unsigned flags = p->flags;
	int r;

	if (*after < p->end && **after == '?') {
		(*after)++;
		flags ^= F_NONGREEDY;
	}
	if (last_repeat)
		return fail_to(p, E_REPEAT_OP, last_repeat, *after);
	if (p->n == 0 || p->stack[p->n - 1]->op >= FW_RE_PSEUDO)
		return fail_to(p, E_REPEAT_ARG, before, *after);
	if (!(n = node(op, flags)) || !(n->sub = malloc(sizeof(*n->sub)))) {
		free(n);
		return nomem(p);
	}
	n->min = min;
	n->max = max;
	n->sub[0] = p->stack[p->n - 1];
	n->nsub = 1;
	p->stack[p->n - 1] = n;
	if ((r = check_limits(p, n)) < 0)
		return r;
	if (op == FW_RE_REPEAT && (min >= 2 || max >= 2) && !repeat_is_valid(n, 1000))
		return fail_to(p, E_REPEAT_SIZE, before, *after);
	return 0;
}

/* Go's parseInt: decimal, no leading zeros; -1 when too big. */
static bool parse_int(struct parser *p, const char **s, int *n)
{
	const char *t = *s;

	if (t >= p->end || *t < '0' || *t > '9')
		return false;
	if (p->end - t >= 2 && t[0] == '0' && t[1] >= '0' && t[1] <= '9')
		return false;
	*n = 0;
	for (; t < p->end && *t >= '0' && *t <= '9'; t++) {
		if (*n >= 100000000)
			*n = -1;
		if (*n >= 0)
			*n = *n * 10 + (*t - '0');
	}
	*s = t;
	return true;
}

/* Go's parseRepeat: {n}, {n,} (max -1), {n,m} at *s; a number too big
 * gives min -1. */
static bool parse_repeat(struct parser *p, const char **s, int *min, int *max)
{
	const char *t = *s + 1;

	if (!parse_int(p, &t, min) || t >= p->end)
		return false;
	if (*t != ',') {
		*max = *min;
	} else {
		t++;
		if (t >= p->end)
			return false;
		if (*t == '}')
			*max = -1;
		else if (!parse_int(p, &t, max))
			return false;
		else if (*max < 0)
			*min = -1;
	}
	if (t >= p->end || *t != '}')
		return false;
	*s = t + 1;
	return true;
}

static bool valid_capture_name(const char *s, const char *e)
{
	if (s == e)
		return false;
	for (; s < e; s++)
		if (*s != '_' && !isalnum_ascii((unsigned char)*s))
			return false;
	return true;
}

/* Go's parsePerlFlags at *s ("(?"). */
static int perl_flags(struct parser *p, const char **s)
{
	const char *start = *s, *t = start;
	unsigned flags = p->flags;
	bool neg = false, saw = false;
	uint32_t c;
	int r;
	struct fw_re_node *n;

	if (p->end - t > 4 && t[2] == 'P' && t[3] == '<') {
		const char *e = memchr(t, '>', (size_t)(p->end - t));
		if (!e) {
			if ((r = check_utf8(p, t, p->end)) < 0)
				return r;
			return fail_to(p, E_NAMED, start, p->end);
		}
		if ((r = check_utf8(p, t + 4, e)) < 0)
			return r;
		if (!valid_capture_name(t + 4, e))
			return fail_to(p, E_NAMED, start, e + 1);
		if (!(n = node(FW_RE_LPAREN, p->flags)))
			return nomem(p);
		n->cap = 1;
		*s = e + 1;
		return push(p, n);
	}
	t += 2;
	while (t < p->end) {
		if ((r = next_rune(p, &t, &c)) < 0)
			return r;
		switch (c) {
		case 'i': flags |= F_FOLD; saw = true; continue;
		case 'm': flags &= ~(unsigned)F_ONELINE; saw = true; continue;
		case 's': flags |= F_DOTNL; saw = true; continue;
		case 'U': flags |= F_NONGREEDY; saw = true; continue;
		case '-':
			if (neg)
				break;
			neg = true;
			flags = ~flags;
			saw = false;
			continue;
		case ':':
		case ')':
			if (neg) {
				if (!saw)
					break;
				flags = ~flags;
			}
			if (c == ':' && (r = push(p, node(FW_RE_LPAREN, p->flags))) < 0)
				return r;
			p->flags = flags;
			*s = t;
			return 0;
		default:
			break;
		}
		break;
	}
	return fail_to(p, E_PERL_OP, start, t);
}

/* Go's parseClass at *s ('['). */
static int parse_class(struct parser *p, const char **s)
{
	const char *whole = *s, *t = *s + 1;
	struct rvec v = { 0 };
	bool neg = false, first = true;
	int r = 0;

	if (t < p->end && *t == '^') {
		neg = true; /* Perl mode: a negated class matches '\n' */
		t++;
	}
	while (t >= p->end || *t != ']' || first) {
		const char *rng;
		uint32_t lo, hi;

		first = false;
		if (p->end - t > 2 && t[0] == '[' && t[1] == ':') {
			if ((r = named_class(p, &t, &v)) < 0)
				goto out;
			if (r)
				continue;
		}
		if ((r = unicode_class(p, &t, &v)) < 0)
			goto out;
		if (r)
			continue;
		if (perl_class(p, &t, &v))
			continue;
		rng = t;
		if ((r = class_char(p, &t, whole, &lo)) < 0)
			goto out;
		hi = lo;
		if (p->end - t >= 2 && t[0] == '-' && t[1] != ']') {
			t++;
			if ((r = class_char(p, &t, whole, &hi)) < 0)
				goto out;
			if (hi < lo) {
				r = fail_to(p, E_CLASS_RANGE, rng, t);
				goto out;
			}
		}
		if (p->flags & F_FOLD)
			rv_add_folded(&v, lo, hi);
		else
			rv_add(&v, lo, hi);
	}
	*s = t + 1;
	if (neg && !v.failed) {
		struct rvec w = { 0 };
		rv_clean(&v);
		rv_add_class(&w, v.r, v.n, true);
		free(v.r);
		v = w;
	}
	return push_class(p, &v);
out:
	free(v.r);
	return r;
}

/* A backslash at *s outside a class. */
static int parse_backslash(struct parser *p, const char **s)
{
	const char *t = *s;
	struct rvec v = { 0 };
	uint32_t c;
	int r;

	if (p->end - t >= 2) {
		switch (t[1]) {
		case 'A': *s = t + 2; return push_op(p, FW_RE_ASSERT, FW_RE_BOT);
		case 'b': *s = t + 2; return push_op(p, FW_RE_ASSERT, FW_RE_WORD);
		case 'B': *s = t + 2; return push_op(p, FW_RE_ASSERT, FW_RE_NWORD);
		case 'z': *s = t + 2; return push_op(p, FW_RE_ASSERT, FW_RE_EOT);
		case 'C': return fail(p, E_ESCAPE, t, 2);
		case 'Q': {
			const char *lit = t + 2, *e = lit;
			while (e + 1 < p->end && !(e[0] == '\\' && e[1] == 'E'))
				e++;
			if (e + 1 >= p->end)
				e = p->end;
			*s = e < p->end ? e + 2 : e;
			while (lit < e) {
				const char *save_end = p->end;
				p->end = e; /* Go decodes the literal text alone */
				r = next_rune(p, &lit, &c);
				p->end = save_end;
				if (r < 0)
					return r;
				if ((r = push_literal(p, c)) < 0)
					return r;
			}
			return 0;
		}
		default: break;
		}
	}
	if ((r = unicode_class(p, s, &v)) < 0)
		return r;
	if (r)
		return push_class(p, &v);
	if (perl_class(p, s, &v))
		return push_class(p, &v);
	if ((r = parse_escape(p, s, &c)) < 0)
		return r;
	return push_literal(p, c);
}

static int parse(struct parser *p)
{
	const char *t = p->whole, *last_repeat = NULL;
	uint32_t c;
	int r = 0, min, max;

	while (t < p->end) {
		const char *rep = NULL, *before = t;

		switch (*t) {
		case '(':
			if (p->end - t >= 2 && t[1] == '?') {
				r = perl_flags(p, &t);
				break;
			}
			if (!(r = push_op(p, FW_RE_LPAREN, 0)))
				p->stack[p->n - 1]->cap = 1;
			t++;
			break;
		case '|': r = parse_vertical_bar(p); t++; break;
		case ')': r = parse_right_paren(p); t++; break;
		case '^':
			r = push_op(p, FW_RE_ASSERT, p->flags & F_ONELINE ? FW_RE_BOT : FW_RE_BOL);
			t++;
			break;
		case '$':
			r = push_op(p, FW_RE_ASSERT, p->flags & F_ONELINE ? FW_RE_EOT : FW_RE_EOL);
			t++;
			break;
		case '.':
			r = push_op(p, p->flags & F_DOTNL ? FW_RE_ANY : FW_RE_ANYNL, 0);
			t++;
			break;
		case '[': r = parse_class(p, &t); break;
		case '*':
		case '+':
		case '?':
			t++;
			r = repeat(p, *before == '*' ? FW_RE_STAR : *before == '+' ? FW_RE_PLUS : FW_RE_QUEST,
				   0, 0, before, &t, last_repeat);
			rep = before;
			break;
		case '{':
			if (!parse_repeat(p, &t, &min, &max)) {
				r = push_literal(p, '{');
				t++;
				break;
			}
			if (min < 0 || min > 1000 || max > 1000 || (max >= 0 && min > max)) {
				r = fail_to(p, E_REPEAT_SIZE, before, t);
				break;
			}
			r = repeat(p, FW_RE_REPEAT, min, max, before, &t, last_repeat);
			rep = before;
			break;
		case '\\': r = parse_backslash(p, &t); break;
		default:
			if (!(r = next_rune(p, &t, &c)))
				r = push_literal(p, c);
			break;
		}
		if (r < 0)
			return r;
		last_repeat = rep;
	}
	if ((r = reduce(p, FW_RE_CONCAT)) < 0)
		return r;
	if (swap_vertical_bar(p))
		pop_free(p);
	if ((r = reduce(p, FW_RE_ALT)) < 0)
		return r;
	if (p->n != 1)
		return fail_to(p, E_PAREN, p->whole, p->end);
	return 0;
}

int fw_re_parse(const char *pattern, struct fw_re_node **out, struct fw_error *err)
{
	struct parser p = { .whole = pattern, .end = pattern + strlen(pattern),
			    .flags = F_ONELINE, .err = err };
	int r = parse(&p);

	*out = NULL;
	if (r == 0)
		*out = p.stack[--p.n];
	while (p.n > 0)
		pop_free(&p);
	free(p.stack);
	return r;
}
