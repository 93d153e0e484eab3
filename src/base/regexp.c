/*
 * regexp.c: Go's regexps (see regexp.h): the tree of regexp_parse.c
 * compiled to a program of a few instruction kinds and run by a Pike VM,
 * the NFA simulation that keeps every live state of the program at once:
 * time linear in the subject (times the program size), no backtracking,
 * and memory fixed at compile time, proportional to the program, which
 * Go's own size limit bounds.
 */
#include "base/regexp.h"
#include "base/regexp_parse.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum inst_op {
	I_CLASS,  /* consume a rune of class x */
	I_ANY,	  /* consume any rune */
	I_ANYNL,  /* consume any rune but '\n' */
	I_ASSERT, /* go on if the position has every bit of x */
	I_SPLIT,  /* go on at x and at y */
	I_JMP,	  /* go on at x */
	I_MATCH,
};

struct inst {
	uint32_t op, x, y;
};

struct fw_regexp {
	struct fw_re_node *tree;		/* owns the classes' ranges */
	const struct fw_re_node **classes;	/* I_CLASS x: its node (at most n) */
	struct inst *prog;
	uint32_t n;
	/* The VM's state: two lists of program counters (sparse sets), a
	 * stack for following the non-consuming instructions (6n + 1
	 * entries: dense and sparse arrays of n, a stack of 2n + 1). Allocated
	 * here so that a match cannot fail; one match at a time. */
	uint32_t *work;
};

struct compiler {
	struct fw_regexp *re;
	uint32_t pc;
	size_t class;
};

/* The number of instructions n compiles to. */
static uint64_t prog_size(const struct fw_re_node *n)
{
	uint64_t s = 0, sub = n->nsub ? prog_size(n->sub[0]) : 0;

	switch (n->op) {
	case FW_RE_CLASS:
	case FW_RE_ANY:
	case FW_RE_ANYNL:
	case FW_RE_ASSERT: return 1;
	case FW_RE_CONCAT:
	case FW_RE_ALT:
		for (size_t i = 0; i < n->nsub; i++)
			s += prog_size(n->sub[i]);
		return n->op == FW_RE_ALT ? s + 2 * (n->nsub - 1) : s;
	case FW_RE_STAR: return 2 + sub;
	case FW_RE_PLUS:
	case FW_RE_QUEST: return 1 + sub;
	case FW_RE_CAPTURE: return sub;
	case FW_RE_REPEAT:
		if (n->max == -1)
			return n->min == 0 ? 2 + sub : (uint64_t)n->min * sub + 1;
		return (uint64_t)n->min * sub + (uint64_t)(n->max - n->min) * (1 + sub);
	default: return 0;
	}
}

static uint32_t emit(struct compiler *c, uint32_t op, uint32_t x, uint32_t y)
{
	struct inst *i = &c->re->prog[c->pc];

	i->op = op;
	i->x = x;
	i->y = y;
	return c->pc++;
}

static void compile(struct compiler *c, const struct fw_re_node *n);

/* sub{min,} and sub{min,max} as copies of sub: sub...sub (sub)?...(sub)?,
 * or sub...sub+ (the same language as Go's nested form). */
static void compile_repeat(struct compiler *c, const struct fw_re_node *n)
{
	const struct fw_re_node *sub = n->sub[0];
	uint32_t l = c->pc;

	if (n->max == -1 && n->min == 0) {
		l = emit(c, I_SPLIT, 0, 0);
		c->re->prog[l].x = c->pc;
		compile(c, sub);
		emit(c, I_JMP, l, 0);
		c->re->prog[l].y = c->pc;
		return;
	}
	for (int i = 0; i < n->min; i++) {
		l = c->pc;
		compile(c, sub);
	}
	if (n->max == -1) {
		emit(c, I_SPLIT, l, c->pc + 1);
		return;
	}
	for (int i = n->min; i < n->max; i++) {
		l = emit(c, I_SPLIT, c->pc + 1, 0);
		compile(c, sub);
		c->re->prog[l].y = c->pc;
	}
}

static void compile(struct compiler *c, const struct fw_re_node *n)
{
	uint32_t l, j;

	switch (n->op) {
	case FW_RE_CLASS:
		c->re->classes[c->class] = n;
		emit(c, I_CLASS, (uint32_t)c->class++, 0);
		break;
	case FW_RE_ANY: emit(c, I_ANY, 0, 0); break;
	case FW_RE_ANYNL: emit(c, I_ANYNL, 0, 0); break;
	case FW_RE_ASSERT: emit(c, I_ASSERT, n->mask, 0); break;
	case FW_RE_CONCAT:
		for (size_t i = 0; i < n->nsub; i++)
			compile(c, n->sub[i]);
		break;
	case FW_RE_ALT: {
		/* split L1, next; L1: e1; jmp end; next: split L2, ...; ek. The
		 * jumps are chained through their x until the end is known. */
		uint32_t jumps = UINT32_MAX;
		for (size_t i = 0; i + 1 < n->nsub; i++) {
			l = emit(c, I_SPLIT, c->pc + 1, 0);
			compile(c, n->sub[i]);
			j = emit(c, I_JMP, jumps, 0);
			jumps = j;
			c->re->prog[l].y = c->pc;
		}
		compile(c, n->sub[n->nsub - 1]);
		while (jumps != UINT32_MAX) {
			uint32_t next = c->re->prog[jumps].x;
			c->re->prog[jumps].x = c->pc;
			jumps = next;
		}
		break;
	}
	case FW_RE_STAR:
		l = emit(c, I_SPLIT, c->pc + 1, 0);
		compile(c, n->sub[0]);
		emit(c, I_JMP, l, 0);
		c->re->prog[l].y = c->pc;
		break;
	case FW_RE_PLUS:
		l = c->pc;
		compile(c, n->sub[0]);
		emit(c, I_SPLIT, l, c->pc + 1);
		break;
	case FW_RE_QUEST:
		l = emit(c, I_SPLIT, c->pc + 1, 0);
		compile(c, n->sub[0]);
		c->re->prog[l].y = c->pc;
		break;
	case FW_RE_REPEAT: compile_repeat(c, n); break;
	case FW_RE_CAPTURE: compile(c, n->sub[0]); break;
	default: break; /* EMPTY */
	}
}

void fw_regexp_free(struct fw_regexp *re)
{
	if (!re)
		return;
	fw_re_node_free(re->tree);
	free(re->classes);
	free(re->prog);
	free(re->work);
	free(re);
}

int fw_regexp_compile(struct fw_regexp **out, const char *pattern, struct fw_error *err)
{
	struct fw_regexp *re;
	struct compiler c = { 0 };
	uint64_t n;
	int r;

	*out = NULL;
	if (!(re = calloc(1, sizeof(*re))))
		return fw_err(err, -ENOMEM, "out of memory");
	if ((r = fw_re_parse(pattern, &re->tree, err)) < 0) {
		free(re);
		return r;
	}
	/* Go's size limit keeps this far below 2^32. */
	n = prog_size(re->tree) + 1;
	if (n >= UINT32_MAX / 8 ||
	    !(re->prog = calloc(n, sizeof(*re->prog))) ||
	    !(re->classes = calloc(n, sizeof(*re->classes))) ||
	    !(re->work = calloc(6 * n + 1, sizeof(*re->work)))) {
		fw_regexp_free(re);
		return fw_err(err, -ENOMEM, "out of memory");
	}
	re->n = (uint32_t)n;
	c.re = re;
	compile(&c, re->tree);
	emit(&c, I_MATCH, 0, 0);
	*out = re;
	return 0;
}

/* ---- the Pike VM ---------------------------------------------------------- */

struct list {
	uint32_t *dense, *sparse, n;
};

static bool word_char(int32_t r)
{
	return (r >= '0' && r <= '9') || (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z') || r == '_';
}

/* Go's EmptyOpContext: the assertions true between runes r1 and r2 (-1:
 * the text's edge). */
static uint32_t context(int32_t r1, int32_t r2)
{
	uint32_t f = 0;

	if (r1 < 0)
		f |= FW_RE_BOT | FW_RE_BOL;
	if (r1 == '\n')
		f |= FW_RE_BOL;
	if (r2 < 0)
		f |= FW_RE_EOT | FW_RE_EOL;
	if (r2 == '\n')
		f |= FW_RE_EOL;
	f |= word_char(r1) != word_char(r2) ? FW_RE_WORD : FW_RE_NWORD;
	return f;
}

/* The rune at s[i] (U+FFFD for an invalid byte, as Go decodes), its
 * length in *w; -1 at the end. */
static int32_t rune_at(const char *s, size_t len, size_t i, size_t *w)
{
	uint32_t c;

	*w = 0;
	if (i >= len)
		return -1;
	*w = fw_utf8_decode(s + i, len - i, &c);
	if (*w == 0) {
		*w = 1;
		return 0xFFFD;
	}
	return (int32_t)c;
}

static bool in_class(const struct fw_re_node *n, uint32_t r)
{
	size_t lo = 0, hi = n->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (n->r[mid].hi < r)
			lo = mid + 1;
		else if (n->r[mid].lo > r)
			hi = mid;
		else
			return true;
	}
	return false;
}

/* Adds pc and what it leads to without consuming to l, at a position with
 * context ctx; true when that reaches the match. */
static bool add(const struct fw_regexp *re, struct list *l, uint32_t *stack, uint32_t pc,
		uint32_t ctx)
{
	uint32_t top = 0;

	stack[top++] = pc;
	while (top > 0) {
		const struct inst *in;

		pc = stack[--top];
		if (l->sparse[pc] < l->n && l->dense[l->sparse[pc]] == pc)
			continue;
		l->sparse[pc] = l->n;
		l->dense[l->n++] = pc;
		in = &re->prog[pc];
		switch (in->op) {
		case I_MATCH: return true;
		case I_JMP: stack[top++] = in->x; break;
		case I_SPLIT:
			stack[top++] = in->y;
			stack[top++] = in->x;
			break;
		case I_ASSERT:
			if ((in->x & ctx) == in->x)
				stack[top++] = pc + 1;
			break;
		default: break;
		}
	}
	return false;
}

bool fw_regexp_match(const struct fw_regexp *re, const char *s, size_t len)
{
	uint32_t *w = re->work, n = re->n;
	struct list a = { w, w + n, 0 }, b = { w + 2 * n, w + 3 * n, 0 }, *cl = &a, *nl = &b, *t;
	uint32_t *stack = w + 4 * n;
	size_t i = 0, width, nwidth;
	int32_t r = rune_at(s, len, 0, &width);

	/* add() visits each pc at most once per list and pushes at most two
	 * pcs per visit: its stack (2n + 1 entries) cannot overflow. */
	if (add(re, cl, stack, 0, context(-1, r)))
		return true;
	while (r >= 0) {
		int32_t next = rune_at(s, len, i + width, &nwidth);
		uint32_t ctx = context(r, next);

		nl->n = 0;
		for (uint32_t k = 0; k < cl->n; k++) {
			uint32_t pc = cl->dense[k];
			const struct inst *in = &re->prog[pc];
			bool ok;

			switch (in->op) {
			case I_CLASS: ok = in_class(re->classes[in->x], (uint32_t)r); break;
			case I_ANY: ok = true; break;
			case I_ANYNL: ok = r != '\n'; break;
			default: ok = false; break;
			}
			if (ok && add(re, nl, stack, pc + 1, ctx))
				return true;
		}
		/* unanchored: a match may start at the next position too */
		if (add(re, nl, stack, 0, ctx))
			return true;
		t = cl;
		cl = nl;
		nl = t;
		i += width;
		width = nwidth;
		r = next;
	}
	return false;
}
