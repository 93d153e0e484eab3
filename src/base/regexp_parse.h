/*
 * regexp_parse.h: the parser of Go's regexp syntax (a port of Go 1.19's
 * regexp/syntax/parse.go with the flags regexp.Compile uses: Perl
 * extensions, Unicode groups, one-line mode by default), to the tree that
 * regexp.c compiles. Errors are Go's, word for word.
 */
#ifndef FW_REGEXP_PARSE_H
#define FW_REGEXP_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "base/regexp_tables.h"
#include "base/util.h"

enum fw_re_op {
	FW_RE_CLASS,   /* one rune of r[0..nr) (sorted, disjoint; nr 0: none) */
	FW_RE_ANYNL,   /* any rune but '\n' */
	FW_RE_ANY,     /* any rune */
	FW_RE_EMPTY,   /* the empty string */
	FW_RE_ASSERT,  /* an empty-width assertion: every bit of mask */
	FW_RE_CONCAT,  /* sub[0] sub[1] ... */
	FW_RE_ALT,     /* sub[0] | sub[1] | ... */
	FW_RE_STAR,    /* sub[0]* */
	FW_RE_PLUS,    /* sub[0]+ */
	FW_RE_QUEST,   /* sub[0]? */
	FW_RE_REPEAT,  /* sub[0]{min,max}, max -1: no bound */
	FW_RE_CAPTURE, /* (sub[0]) */
	FW_RE_PSEUDO,  /* parse-stack markers from here on */
	FW_RE_LPAREN = FW_RE_PSEUDO,
	FW_RE_VBAR,
};

/* Empty-width assertions (FW_RE_ASSERT masks and match contexts). */
enum {
	FW_RE_BOL = 1,	 /* beginning of line: text start or after '\n' ((?m)^) */
	FW_RE_EOL = 2,	 /* end of line ((?m)$) */
	FW_RE_BOT = 4,	 /* beginning of text (^, \A) */
	FW_RE_EOT = 8,	 /* end of text ($, \z) */
	FW_RE_WORD = 16,  /* \b (ASCII word characters) */
	FW_RE_NWORD = 32, /* \B */
};

struct fw_re_node {
	enum fw_re_op op;
	unsigned flags;	  /* the parse flags in force (LPAREN: those to restore) */
	int cap;	  /* LPAREN: 1 for a capturing group */
	int min, max;	  /* REPEAT */
	unsigned mask;	  /* ASSERT */
	struct fw_re_range *r;
	size_t nr;
	struct fw_re_node **sub;
	size_t nsub;
	int height;	  /* of the tree below, this node included (Go's calcHeight) */
	int64_t size;	  /* Go's calcSize: its estimate of the compiled size */
};

/* Parses pattern; *out is the tree (free with fw_re_node_free). 0, -EINVAL
 * with Go's "error parsing regexp: CODE: `EXPR`", or -ENOMEM. */
int fw_re_parse(const char *pattern, struct fw_re_node **out, struct fw_error *err);
void fw_re_node_free(struct fw_re_node *n);

#endif
