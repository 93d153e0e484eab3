/*
 * demangle.c: a C port of Go 1.19's vendored
 * github.com/ianlancetaylor/demangle (demangle.go, ast.go, rust.go), the
 * parts `go tool pprof` uses: Filter with the options NoParams,
 * NoTemplateParams and NoClones (never Verbose, LLVMStyle or NoRust, so
 * their branches are left out). The Go code's structure is kept: a parser
 * that builds an AST (the C++ names), the AST's Copy and Traverse, and a
 * printer; function and type names follow Go's. Go's panics become a
 * longjmp to the call's entry. Every allocation comes from one arena freed
 * at the end of the call; depth, work ("fuel") and output are bounded
 * (demangle.h), and a call that passes a bound returns "not demangled".
 */
#include "pprof/demangle.h"

#include <errno.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- arena, failures, bounds --------------------------------------------- */

/* Units of work (nodes made, visited or printed, output bytes, 32 bytes
 * allocated) a name may cost: linear in its length. The real names of
 * tests/fixtures/demangle cost at most 84 a byte (98 for the shortest). */
#define DM_FUEL_BASE 2000L
#define DM_FUEL_PER_BYTE 256L
#define DM_FUEL_MAX 2000000L

enum { DM_ERR = 1, DM_LIMIT = 2, DM_NOMEM = 3 };

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, cap;
	max_align_t data[];
};

struct dm {
	struct arena_chunk *chunks;
	size_t allocated;
	jmp_buf *jb;
	long fuel;
	int depth;
};

static _Noreturn void dm_throw(struct dm *d, int code)
{
	longjmp(*d->jb, code);
}

static void dm_burn(struct dm *d, long n);

static void *dm_alloc(struct dm *d, size_t n)
{
	n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
	dm_burn(d, (long)(n / 32));
	struct arena_chunk *c = d->chunks;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > 65536 ? n : 65536;
		if (d->allocated + cap > (size_t)64 << 20)
			dm_throw(d, DM_LIMIT);
		c = malloc(sizeof(*c) + cap);
		if (!c)
			dm_throw(d, DM_NOMEM);
		c->next = d->chunks;
		c->used = 0;
		c->cap = cap;
		d->chunks = c;
		d->allocated += cap;
	}
	void *p = (char *)c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

static void dm_free(struct dm *d)
{
	while (d->chunks) {
		struct arena_chunk *c = d->chunks;
		d->chunks = c->next;
		free(c);
	}
}

static void dm_burn(struct dm *d, long n)
{
	d->fuel -= n;
	if (d->fuel < 0)
		dm_throw(d, DM_LIMIT);
}

static void dm_enter(struct dm *d)
{
	if (++d->depth > FW_DM_MAX_DEPTH)
		dm_throw(d, DM_LIMIT);
	dm_burn(d, 1);
}

static void dm_leave(struct dm *d)
{
	d->depth--;
}

static char *dm_strdup(struct dm *d, const char *s, size_t n)
{
	char *p = dm_alloc(d, n + 1);
	memcpy(p, s, n);
	return p;
}

/* A Go string: bytes and length. */
struct str {
	const char *p;
	size_t n;
};

#define S(lit) ((struct str){ (lit), sizeof(lit) - 1 })

static bool str_eq(struct str a, const char *lit)
{
	size_t n = strlen(lit);
	return a.n == n && memcmp(a.p, lit, n) == 0;
}

static bool has_prefix(const char *s, size_t n, const char *lit)
{
	size_t m = strlen(lit);
	return n >= m && memcmp(s, lit, m) == 0;
}

static bool isDigit(int c)
{
	return c >= '0' && c <= '9';
}

static bool isUpper(int c)
{
	return c >= 'A' && c <= 'Z';
}

static bool isLower(int c)
{
	return c >= 'a' && c <= 'z';
}

/* ---- the AST ------------------------------------------------------------- */

enum kind {
	K_Name, K_Typed, K_Qualified, K_Template, K_TemplateParam, K_LambdaAuto,
	K_Qualifiers, K_Qualifier, K_TypeWithQualifiers, K_MethodWithQualifiers,
	K_BuiltinType, K_PointerType, K_ReferenceType, K_RvalueReferenceType,
	K_ComplexType, K_ImaginaryType, K_VendorQualifier, K_ArrayType,
	K_FunctionType, K_FunctionParam, K_PtrMem, K_FixedType, K_BinaryFP,
	K_VectorType, K_ElaboratedType, K_Decltype, K_Operator, K_Constructor,
	K_Destructor, K_GlobalCDtor, K_TaggedName, K_PackExpansion,
	K_ArgumentPack, K_SizeofPack, K_SizeofArgs, K_TemplateParamName,
	K_TypeTemplateParam, K_NonTypeTemplateParam, K_TemplateTemplateParam,
	K_TemplateParamPack, K_Cast, K_Nullary, K_Unary, K_Binary, K_Trinary,
	K_Fold, K_Subobject, K_PtrMemCast, K_New, K_Literal, K_StringLiteral,
	K_LambdaExpr, K_ExprList, K_InitializerList, K_DefaultArg, K_Closure,
	K_StructuredBindings, K_UnnamedType, K_Clone, K_Special, K_Special2,
	K_EnableIf, K__COUNT
};

typedef struct node node;

/* A Go slice of AST: appends write in place while there is room. */
struct list {
	node **v;
	int n, cap;
};

/*
 * One AST node. The fields each kind uses (Go's field names):
 *  c[]: its AST children in Copy's order (see nchild), l1 then l2 its AST
 *  lists; s (and s2) its strings; i1 its int; b1, b2 its bools; ref the
 *  AST a field points to without owning it (TemplateParam.Template,
 *  PackExpansion.Pack, SizeofPack.Pack).
 */
struct node {
	enum kind kind;
	bool b1, b2;
	int i1;
	struct str s, s2;
	node *c[4];
	struct list l1, l2;
	node *ref;
};

/* Children in c[] per kind; the lists follow them. */
static const unsigned char nchild[K__COUNT] = {
	[K_Typed] = 2, [K_Qualified] = 2, [K_Template] = 1,
	[K_TypeWithQualifiers] = 2, [K_MethodWithQualifiers] = 2,
	[K_PointerType] = 1, [K_ReferenceType] = 1, [K_RvalueReferenceType] = 1,
	[K_ComplexType] = 1, [K_ImaginaryType] = 1, [K_VendorQualifier] = 2,
	[K_ArrayType] = 2, [K_FunctionType] = 1, [K_PtrMem] = 2, [K_FixedType] = 1,
	[K_VectorType] = 2, [K_ElaboratedType] = 1, [K_Decltype] = 1,
	[K_Constructor] = 2, [K_Destructor] = 1, [K_GlobalCDtor] = 1,
	[K_TaggedName] = 2, [K_PackExpansion] = 1, [K_TypeTemplateParam] = 1,
	[K_NonTypeTemplateParam] = 2, [K_TemplateTemplateParam] = 1,
	[K_TemplateParamPack] = 1, [K_Cast] = 1, [K_Nullary] = 1, [K_Unary] = 2,
	[K_Binary] = 3, [K_Trinary] = 4, [K_Fold] = 3, [K_Subobject] = 2,
	[K_PtrMemCast] = 2, [K_New] = 4, [K_Literal] = 1, [K_StringLiteral] = 1,
	[K_LambdaExpr] = 1, [K_InitializerList] = 2, [K_DefaultArg] = 1,
	[K_Clone] = 1, [K_Special] = 1, [K_Special2] = 2, [K_EnableIf] = 1,
};

static node *mk(struct dm *d, enum kind k)
{
	dm_burn(d, 1);
	node *n = dm_alloc(d, sizeof(*n));
	n->kind = k;
	return n;
}

static node *mk_name(struct dm *d, struct str s)
{
	node *n = mk(d, K_Name);
	n->s = s;
	return n;
}

static node *mk1(struct dm *d, enum kind k, node *a)
{
	node *n = mk(d, k);
	n->c[0] = a;
	return n;
}

static node *mk2(struct dm *d, enum kind k, node *a, node *b)
{
	node *n = mk(d, k);
	n->c[0] = a;
	n->c[1] = b;
	return n;
}

static void list_append(struct dm *d, struct list *l, node *a)
{
	if (l->n == l->cap) {
		int cap = l->cap ? l->cap * 2 : 4;
		if (cap > 1 << 24)
			dm_throw(d, DM_LIMIT);
		node **v = dm_alloc(d, (size_t)cap * sizeof(*v));
		if (l->n)
			memcpy(v, l->v, (size_t)l->n * sizeof(*v));
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = a;
}

/* append([]AST{a}, l...) */
static struct list list_prepend(struct dm *d, struct list l, node *a)
{
	struct list r = { 0 };
	list_append(d, &r, a);
	for (int i = 0; i < l.n; i++)
		list_append(d, &r, l.v[i]);
	return r;
}

static struct list list1(struct dm *d, node *a)
{
	struct list r = { 0 };
	list_append(d, &r, a);
	return r;
}

/* A set of nodes (Go's "seen" slices, searched linearly there). */
struct pset {
	node **slots;
	size_t cap, n;
};

/* Adds a; returns whether it was there already. */
static bool pset_add(struct dm *d, struct pset *s, node *a)
{
	if (2 * (s->n + 1) > s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		node **slots = dm_alloc(d, cap * sizeof(*slots));
		for (size_t i = 0; i < s->cap; i++) {
			node *x = s->slots[i];
			if (!x)
				continue;
			size_t h = ((uintptr_t)x >> 4) * 0x9E3779B97F4A7C15ull % cap;
			while (slots[h])
				h = (h + 1) % cap;
			slots[h] = x;
		}
		s->slots = slots;
		s->cap = cap;
	}
	size_t h = ((uintptr_t)a >> 4) * 0x9E3779B97F4A7C15ull % s->cap;
	while (s->slots[h]) {
		if (s->slots[h] == a)
			return true;
		h = (h + 1) % s->cap;
	}
	s->slots[h] = a;
	s->n++;
	return false;
}

/* AST.Traverse: fn(a); its children unless fn returns false.
 * TypeWithQualifiers and MethodWithQualifiers do not visit Qualifiers. */
typedef bool (*trav_fn)(struct dm *d, void *ctx, node *a);

static void traverse(struct dm *d, node *a, trav_fn fn, void *ctx)
{
	dm_enter(d);
	if (fn(d, ctx, a)) {
		int nc = nchild[a->kind];
		if (a->kind == K_TypeWithQualifiers || a->kind == K_MethodWithQualifiers)
			nc = 1;
		for (int i = 0; i < nc; i++)
			if (a->c[i])
				traverse(d, a->c[i], fn, ctx);
		for (int i = 0; i < a->l1.n; i++)
			traverse(d, a->l1.v[i], fn, ctx);
		for (int i = 0; i < a->l2.n; i++)
			traverse(d, a->l2.v[i], fn, ctx);
	}
	dm_leave(d);
}

/* AST.Copy: NULL when nothing changed. */
typedef node *(*copy_fn)(struct dm *d, void *ctx, node *a);
typedef bool (*skip_fn)(struct dm *d, void *ctx, node *a);

static node *ast_copy(struct dm *d, node *a, copy_fn fn, skip_fn skip, void *ctx);

static bool copy_list(struct dm *d, struct list *in, struct list *out, copy_fn fn, skip_fn skip,
		      void *ctx)
{
	bool changed = false;
	out->n = out->cap = in->n;
	out->v = in->n ? dm_alloc(d, (size_t)in->n * sizeof(node *)) : NULL;
	for (int i = 0; i < in->n; i++) {
		node *c = ast_copy(d, in->v[i], fn, skip, ctx);
		if (c) {
			out->v[i] = c;
			changed = true;
		} else {
			out->v[i] = in->v[i];
		}
	}
	return changed;
}

static node *ast_copy(struct dm *d, node *a, copy_fn fn, skip_fn skip, void *ctx)
{
	node *r;

	dm_enter(d);
	if (skip(d, ctx, a)) {
		dm_leave(d);
		return NULL;
	}
	node *c[4] = { 0 };
	bool changed = a->kind == K_SizeofPack; /* SizeofPack.Copy always copies */
	for (int i = 0; i < nchild[a->kind]; i++) {
		if (a->c[i]) {
			c[i] = ast_copy(d, a->c[i], fn, skip, ctx);
			if (c[i])
				changed = true;
		}
	}
	struct list l1 = { 0 }, l2 = { 0 };
	if (a->l1.n && copy_list(d, &a->l1, &l1, fn, skip, ctx))
		changed = true;
	if (a->l2.n && copy_list(d, &a->l2, &l2, fn, skip, ctx))
		changed = true;
	if (!changed) {
		r = fn(d, ctx, a);
		dm_leave(d);
		return r;
	}
	node *n = mk(d, a->kind);
	*n = *a;
	for (int i = 0; i < nchild[a->kind]; i++)
		if (c[i])
			n->c[i] = c[i];
	if (a->l1.n)
		n->l1 = l1;
	if (a->l2.n)
		n->l2 = l2;
	r = fn(d, ctx, n);
	dm_leave(d);
	return r ? r : n;
}

/* ---- the C++ parser (demangle.go) ---------------------------------------- */

enum { forLocalName, notForLocalName };

struct state {
	struct dm *d;
	const char *str; /* remainder of the string to demangle */
	size_t len;
	int off;
	struct list subs;      /* substitutions */
	struct list templates; /* *Template being processed (NULL entries) */
	int lambdaTemplateLevel;
	int typeTemplateParamCount, nonTypeTemplateParamCount, templateTemplateParamCount;
	node *subAST[128], *verboseAST[128];
};

static _Noreturn void fail(struct state *st)
{
	dm_throw(st->d, DM_ERR);
}

/* Go's panic("internal error") and the like: not a demangleErr, so Go's
 * Filter would not return; we decline. */
static _Noreturn void internal_error(struct state *st)
{
	dm_throw(st->d, DM_LIMIT);
}

static void advance(struct state *st, size_t add)
{
	if (st->len < add)
		internal_error(st);
	st->str += add;
	st->len -= add;
	st->off += (int)add;
}

static void checkChar(struct state *st, char c)
{
	if (st->len == 0 || st->str[0] != c)
		internal_error(st);
	advance(st, 1);
}

static int peek(struct state *st, size_t i)
{
	return st->len > i ? (unsigned char)st->str[i] : -1;
}

static void subs_add(struct state *st, node *a)
{
	list_append(st->d, &st->subs, a);
}

static node *encoding(struct state *st, bool params, int local);
static node *name_(struct state *st);
static node *nestedName(struct state *st);
static node *prefix(struct state *st);
static node *unqualifiedName(struct state *st, bool *isCast);
static node *sourceName(struct state *st);
static int number(struct state *st);
static int seqID(struct state *st, bool eofOK);
static node *operatorName(struct state *st, bool inExpression, int *args);
static node *localName(struct state *st);
static node *specialName(struct state *st);
static void callOffset(struct state *st, int c);
static node *demangleType(struct state *st, bool isCast);
static node *demangleCastTemplateArgs(struct state *st, node *tp, bool addSubst);
static node *mergeQualifiers(struct dm *d, node *q1, node *q2);
static node *cvQualifiers(struct state *st);
static struct str refQualifier(struct state *st);
static struct list parmlist(struct state *st);
static node *functionType(struct state *st);
static node *bareFunctionType(struct state *st, bool hasReturnType);
static node *arrayType(struct state *st, bool isCast);
static node *vectorType(struct state *st, bool isCast);
static node *pointerToMemberType(struct state *st, bool isCast);
static int compactNumber(struct state *st);
static node *templateParam(struct state *st);
static void setTemplate(struct state *st, node *a, node *tmpl);
static void clearTemplateArgs(struct state *st, struct list args);
static struct list templateArgs(struct state *st);
static node *templateArg(struct state *st);
static node *exprList(struct state *st, char stop);
static node *expression(struct state *st);
static node *subobject(struct state *st);
static node *unresolvedName(struct state *st);
static node *baseUnresolvedName(struct state *st);
static node *exprPrimary(struct state *st);
static node *discriminator(struct state *st, node *a);
static node *closureTypeName(struct state *st);
static node *templateParamDecl(struct state *st, node **templateVal);
static node *unnamedTypeName(struct state *st);
static node *cloneSuffix(struct state *st, node *a);
static node *substitution(struct state *st, bool forPrefix);
static node *simplify(struct dm *d, node *a);
static node *findArgumentPack(struct state *st, node *a);

static node *findTemplate(node *check)
{
	for (;;) {
		switch (check->kind) {
		case K_Template:
			return check;
		case K_Qualified:
			if (check->b1 || check->c[1]->kind == K_Constructor) {
				check = check->c[1];
				continue;
			}
			return NULL;
		case K_MethodWithQualifiers:
			check = check->c[0];
			continue;
		case K_Constructor:
			if (check->c[1]) {
				check = check->c[1];
				continue;
			}
			return NULL;
		default:
			return NULL;
		}
	}
}

static bool isCDtorConversion(node *a)
{
	while (a->kind == K_Qualified)
		a = a->c[1];
	return a->kind == K_Constructor || a->kind == K_Destructor || a->kind == K_Cast;
}

static bool hasReturnType(node *a)
{
	for (;;) {
		switch (a->kind) {
		case K_Qualified:
			if (a->b1) {
				a = a->c[1];
				continue;
			}
			return false;
		case K_Template:
			return !isCDtorConversion(a->c[0]);
		case K_TypeWithQualifiers:
		case K_MethodWithQualifiers:
			a = a->c[0];
			continue;
		default:
			return false;
		}
	}
}

static node *encoding(struct state *st, bool params, int local)
{
	struct dm *d = st->d;
	node *ret;

	dm_enter(d);
	if (st->len < 1)
		fail(st);
	if (st->str[0] == 'G' || st->str[0] == 'T') {
		ret = specialName(st);
		dm_leave(d);
		return ret;
	}
	node *a = name_(st);
	a = simplify(d, a);

	if (!params) {
		if (a->kind == K_MethodWithQualifiers)
			a = a->c[0];
		if (a->kind == K_Qualified && a->b1) {
			node **p = &a->c[1];
			if ((*p)->kind == K_DefaultArg)
				p = &(*p)->c[0];
			if ((*p)->kind == K_MethodWithQualifiers)
				*p = (*p)->c[0];
		}
		dm_leave(d);
		return a;
	}

	if (st->len == 0 || st->str[0] == 'E') {
		dm_leave(d);
		return a;
	}

	node *mwq = a->kind == K_MethodWithQualifiers ? a : NULL;
	node *template = findTemplate(a);
	int oldLambdaTemplateLevel = 0;
	if (template) {
		list_append(d, &st->templates, template);
		oldLambdaTemplateLevel = st->lambdaTemplateLevel;
		st->lambdaTemplateLevel = 0;
	}

	struct list enableIfArgs = { 0 };
	if (has_prefix(st->str, st->len, "Ua9enable_ifI")) {
		advance(st, strlen("Ua9enable_ifI") - 1);
		enableIfArgs = templateArgs(st);
	}

	node *ft = bareFunctionType(st, hasReturnType(a));

	if (template) {
		st->templates.n--;
		st->lambdaTemplateLevel = oldLambdaTemplateLevel;
	}

	ft = simplify(d, ft);

	if (local == forLocalName && ft->kind == K_FunctionType)
		ft->b1 = true;

	if (mwq) {
		a = mwq->c[0];
		mwq->c[0] = ft;
		ft = mwq;
	}
	if (a->kind == K_Qualified && a->b1) {
		node **p = &a->c[1];
		if ((*p)->kind == K_DefaultArg)
			p = &(*p)->c[0];
		if ((*p)->kind == K_MethodWithQualifiers) {
			node *m = *p;
			*p = m->c[0];
			m->c[0] = ft;
			ft = m;
		}
	}

	ret = mk2(d, K_Typed, a, ft);
	if (enableIfArgs.n > 0) {
		node *e = mk1(d, K_EnableIf, ret);
		e->l1 = enableIfArgs;
		ret = e;
	}
	dm_leave(d);
	return ret;
}

static node *taggedName(struct state *st, node *a)
{
	while (peek(st, 0) == 'B') {
		advance(st, 1);
		node *tag = sourceName(st);
		a = mk2(st->d, K_TaggedName, a, tag);
	}
	return a;
}

static node *mk_template(struct state *st, node *name, struct list args)
{
	node *t = mk1(st->d, K_Template, name);
	t->l1 = args;
	return t;
}

static node *name_(struct state *st)
{
	struct dm *d = st->d;
	node *a, *ret;
	bool isCast = false;

	dm_enter(d);
	if (st->len < 1)
		fail(st);
	switch (st->str[0]) {
	case 'N':
		ret = nestedName(st);
		break;
	case 'Z':
		ret = localName(st);
		break;
	case 'U':
		a = unqualifiedName(st, &isCast);
		if (isCast)
			setTemplate(st, a, NULL);
		ret = a;
		break;
	case 'S': {
		if (st->len < 2) {
			advance(st, 1);
			fail(st);
		}
		bool subst = false;
		if (st->str[1] == 't') {
			advance(st, 2);
			a = unqualifiedName(st, &isCast);
			node *q = mk2(d, K_Qualified, mk_name(d, S("std")), a);
			a = q;
		} else {
			a = substitution(st, false);
			subst = true;
		}
		if (peek(st, 0) == 'I') {
			if (!subst)
				subs_add(st, a);
			struct list args = templateArgs(st);
			node *tmpl = mk_template(st, a, args);
			if (isCast) {
				setTemplate(st, a, tmpl);
				clearTemplateArgs(st, args);
				isCast = false;
			}
			a = tmpl;
		}
		if (isCast)
			setTemplate(st, a, NULL);
		ret = a;
		break;
	}
	default:
		a = unqualifiedName(st, &isCast);
		if (peek(st, 0) == 'I') {
			subs_add(st, a);
			struct list args = templateArgs(st);
			node *tmpl = mk_template(st, a, args);
			if (isCast) {
				setTemplate(st, a, tmpl);
				clearTemplateArgs(st, args);
				isCast = false;
			}
			a = tmpl;
		}
		if (isCast)
			setTemplate(st, a, NULL);
		ret = a;
		break;
	}
	dm_leave(d);
	return ret;
}

static node *nestedName(struct state *st)
{
	checkChar(st, 'N');
	node *q = cvQualifiers(st);
	struct str r = refQualifier(st);
	node *a = prefix(st);
	if (q || r.n) {
		node *m = mk2(st->d, K_MethodWithQualifiers, a, q);
		m->s = r;
		a = m;
	}
	if (peek(st, 0) != 'E')
		fail(st);
	advance(st, 1);
	return a;
}

static node *getLast(node *a)
{
	for (;;) {
		if (a->kind == K_Template || a->kind == K_Qualified || a->kind == K_TaggedName)
			a = a->kind == K_Qualified ? a->c[1] : a->c[0];
		else
			return a;
	}
}

static node *prefix(struct state *st)
{
	struct dm *d = st->d;
	node *a = NULL, *last = NULL;
	bool isCast = false;

	dm_enter(d);
	for (;;) {
		if (st->len == 0)
			fail(st);
		node *next = NULL;
		int c = (unsigned char)st->str[0];
		if (isDigit(c) || isLower(c) || c == 'U' || c == 'L' ||
		    (c == 'D' && peek(st, 1) == 'C')) {
			bool isUnCast = false;
			next = unqualifiedName(st, &isUnCast);
			if (isUnCast)
				isCast = true;
		} else {
			switch (c) {
			case 'C': {
				bool inheriting = false;
				advance(st, 1);
				if (peek(st, 0) == 'I') {
					inheriting = true;
					advance(st, 1);
				}
				if (st->len < 1)
					fail(st);
				if (!last)
					fail(st);
				advance(st, 1);
				node *base = NULL;
				if (inheriting)
					base = demangleType(st, false);
				next = mk2(d, K_Constructor, getLast(last), base);
				if (peek(st, 0) == 'B')
					next = taggedName(st, next);
				break;
			}
			case 'D':
				if (peek(st, 1) == 'T' || peek(st, 1) == 't') {
					next = demangleType(st, false);
				} else {
					if (st->len < 2)
						fail(st);
					if (!last)
						fail(st);
					advance(st, 2);
					next = mk1(d, K_Destructor, getLast(last));
					if (peek(st, 0) == 'B')
						next = taggedName(st, next);
				}
				break;
			case 'S':
				next = substitution(st, true);
				break;
			case 'I': {
				if (!a)
					fail(st);
				struct list args = templateArgs(st);
				node *tmpl = mk_template(st, a, args);
				if (isCast) {
					setTemplate(st, a, tmpl);
					clearTemplateArgs(st, args);
					isCast = false;
				}
				a = NULL;
				next = tmpl;
				break;
			}
			case 'T':
				next = templateParam(st);
				break;
			case 'E':
				if (!a)
					fail(st);
				if (isCast)
					setTemplate(st, a, NULL);
				dm_leave(d);
				return a;
			case 'M':
				if (!a)
					fail(st);
				advance(st, 1);
				continue;
			case 'J': {
				if (!a)
					fail(st);
				struct list args = { 0 };
				while (st->len == 0 || st->str[0] != 'E')
					list_append(d, &args, templateArg(st));
				advance(st, 1);
				node *tmpl = mk_template(st, a, args);
				if (isCast) {
					setTemplate(st, a, tmpl);
					clearTemplateArgs(st, args);
					isCast = false;
				}
				a = NULL;
				next = tmpl;
				break;
			}
			default:
				fail(st);
			}
		}
		last = next;
		if (!a) {
			a = next;
		} else {
			node *q = mk2(d, K_Qualified, a, next);
			a = q;
		}
		if (c != 'S' && (st->len == 0 || st->str[0] != 'E'))
			subs_add(st, a);
	}
}

static node *unqualifiedName(struct state *st, bool *isCast)
{
	struct dm *d = st->d;
	node *a = NULL;

	dm_enter(d);
	if (st->len < 1)
		fail(st);
	*isCast = false;
	int c = (unsigned char)st->str[0];
	if (isDigit(c)) {
		a = sourceName(st);
	} else if (isLower(c)) {
		int args;
		a = operatorName(st, false, &args);
		if (a->kind == K_Cast)
			*isCast = true;
		if (a->kind == K_Operator && str_eq(a->s, "operator\"\" ")) {
			node *n = sourceName(st);
			node *u = mk2(d, K_Unary, a, n);
			a = u;
		}
	} else if (c == 'D' && peek(st, 1) == 'C') {
		node *sb = mk(d, K_StructuredBindings);
		advance(st, 2);
		for (;;) {
			list_append(d, &sb->l1, sourceName(st));
			if (peek(st, 0) == 'E') {
				advance(st, 1);
				break;
			}
		}
		a = sb;
	} else {
		switch (c) {
		case 'C':
		case 'D':
			fail(st);
		case 'L':
			advance(st, 1);
			a = sourceName(st);
			a = discriminator(st, a);
			break;
		case 'U':
			if (st->len < 2) {
				advance(st, 1);
				fail(st);
			}
			switch (st->str[1]) {
			case 'b':
				advance(st, 2);
				compactNumber(st);
				a = mk_name(d, S("'block-literal'"));
				break;
			case 'l':
				a = closureTypeName(st);
				break;
			case 't':
				a = unnamedTypeName(st);
				break;
			default:
				advance(st, 1);
				fail(st);
			}
			break;
		default:
			fail(st);
		}
	}
	if (peek(st, 0) == 'B')
		a = taggedName(st, a);
	dm_leave(d);
	return a;
}

static node *sourceName(struct state *st)
{
	int val = number(st);
	if (val <= 0)
		fail(st);
	if (st->len < (size_t)val)
		fail(st);
	struct str id = { st->str, (size_t)val };
	advance(st, (size_t)val);
	if (has_prefix(id.p, id.n, "_GLOBAL_") && id.n > 8 + 2) {
		char c1 = id.p[8], c2 = id.p[9];
		if ((c1 == '.' || c1 == '_' || c1 == '$') && c2 == 'N')
			id = S("(anonymous namespace)");
	}
	return mk_name(st->d, id);
}

static int number(struct state *st)
{
	bool neg = false;
	if (peek(st, 0) == 'n') {
		neg = true;
		advance(st, 1);
	}
	if (st->len == 0 || !isDigit(st->str[0]))
		fail(st);
	int val = 0;
	while (st->len > 0 && isDigit(st->str[0])) {
		if (val >= 214748354) /* Go: 0x80000000/10-10 */
			fail(st);
		val = val * 10 + (st->str[0] - '0');
		advance(st, 1);
	}
	return neg ? -val : val;
}

static int seqID(struct state *st, bool eofOK)
{
	if (peek(st, 0) == '_') {
		advance(st, 1);
		return 0;
	}
	int id = 0;
	for (;;) {
		if (st->len == 0) {
			if (eofOK)
				return id + 1;
			fail(st);
		}
		if (id >= 59652287) /* Go: 0x80000000/36-36 */
			fail(st);
		int c = (unsigned char)st->str[0];
		if (c == '_') {
			advance(st, 1);
			return id + 1;
		}
		if (isDigit(c))
			id = id * 36 + (c - '0');
		else if (isUpper(c))
			id = id * 36 + (c - 'A') + 10;
		else
			fail(st);
		advance(st, 1);
	}
}

struct operator {
	char code[3];
	const char *name;
	int args;
};

static const struct operator operators[] = {
	{ "aN", "&=", 2 }, { "aS", "=", 2 }, { "aa", "&&", 2 }, { "ad", "&", 1 },
	{ "an", "&", 2 }, { "at", "alignof ", 1 }, { "aw", "co_await ", 1 },
	{ "az", "alignof ", 1 }, { "cc", "const_cast", 2 }, { "cl", "()", 2 },
	{ "cp", "()", 2 }, { "cm", ",", 2 }, { "co", "~", 1 }, { "dV", "/=", 2 },
	{ "dX", "[...]=", 3 }, { "da", "delete[] ", 1 }, { "dc", "dynamic_cast", 2 },
	{ "de", "*", 1 }, { "di", "=", 2 }, { "dl", "delete ", 1 }, { "ds", ".*", 2 },
	{ "dt", ".", 2 }, { "dv", "/", 2 }, { "dx", "]=", 2 }, { "eO", "^=", 2 },
	{ "eo", "^", 2 }, { "eq", "==", 2 }, { "fl", "...", 2 }, { "fr", "...", 2 },
	{ "fL", "...", 3 }, { "fR", "...", 3 }, { "ge", ">=", 2 }, { "gs", "::", 1 },
	{ "gt", ">", 2 }, { "ix", "[]", 2 }, { "lS", "<<=", 2 }, { "le", "<=", 2 },
	{ "li", "operator\"\" ", 1 }, { "ls", "<<", 2 }, { "lt", "<", 2 },
	{ "mI", "-=", 2 }, { "mL", "*=", 2 }, { "mi", "-", 2 }, { "ml", "*", 2 },
	{ "mm", "--", 1 }, { "na", "new[]", 3 }, { "ne", "!=", 2 }, { "ng", "-", 1 },
	{ "nt", "!", 1 }, { "nw", "new", 3 }, { "nx", "noexcept", 1 }, { "oR", "|=", 2 },
	{ "oo", "||", 2 }, { "or", "|", 2 }, { "pL", "+=", 2 }, { "pl", "+", 2 },
	{ "pm", "->*", 2 }, { "pp", "++", 1 }, { "ps", "+", 1 }, { "pt", "->", 2 },
	{ "qu", "?", 3 }, { "rM", "%=", 2 }, { "rS", ">>=", 2 },
	{ "rc", "reinterpret_cast", 2 }, { "rm", "%", 2 }, { "rs", ">>", 2 },
	{ "sP", "sizeof...", 1 }, { "sZ", "sizeof...", 1 }, { "sc", "static_cast", 2 },
	{ "ss", "<=>", 2 }, { "st", "sizeof ", 1 }, { "sz", "sizeof ", 1 },
	{ "tr", "throw", 0 }, { "tw", "throw ", 1 },
};

static node *operatorName(struct state *st, bool inExpression, int *args)
{
	struct dm *d = st->d;

	if (st->len < 2)
		fail(st);
	char c0 = st->str[0], c1 = st->str[1];
	advance(st, 2);
	if (c0 == 'v' && isDigit(c1)) {
		node *name = sourceName(st);
		node *op = mk(d, K_Operator);
		op->s = name->s;
		*args = c1 - '0';
		return op;
	} else if (c0 == 'c' && c1 == 'v') {
		if (!inExpression)
			list_append(d, &st->templates, NULL);
		node *t = demangleType(st, !inExpression);
		if (!inExpression)
			st->templates.n--;
		*args = 1;
		return mk1(d, K_Cast, t);
	}
	for (size_t i = 0; i < sizeof(operators) / sizeof(operators[0]); i++) {
		if (operators[i].code[0] == c0 && operators[i].code[1] == c1) {
			node *op = mk(d, K_Operator);
			op->s = (struct str){ operators[i].name, strlen(operators[i].name) };
			*args = operators[i].args;
			return op;
		}
	}
	fail(st);
}

static node *localName(struct state *st)
{
	struct dm *d = st->d;

	checkChar(st, 'Z');
	node *fn = encoding(st, true, forLocalName);
	if (peek(st, 0) != 'E')
		fail(st);
	advance(st, 1);
	node *q;
	if (peek(st, 0) == 's') {
		advance(st, 1);
		node *n = mk_name(d, S("string literal"));
		n = discriminator(st, n);
		q = mk2(d, K_Qualified, fn, n);
	} else {
		int num = -1;
		if (peek(st, 0) == 'd') {
			advance(st, 1);
			num = compactNumber(st);
		}
		node *n = name_(st);
		n = discriminator(st, n);
		if (num >= 0) {
			node *da = mk1(d, K_DefaultArg, n);
			da->i1 = num;
			n = da;
		}
		q = mk2(d, K_Qualified, fn, n);
	}
	q->b1 = true;
	return q;
}

static node *javaResource(struct state *st)
{
	struct dm *d = st->d;
	int ln = number(st);
	if (ln <= 1)
		fail(st);
	if (peek(st, 0) != '_')
		fail(st);
	advance(st, 1);
	ln--;
	if (st->len < (size_t)ln)
		fail(st);
	const char *s = st->str;
	advance(st, (size_t)ln);
	char *final = dm_alloc(d, (size_t)ln + 1);
	size_t n = 0;
	for (int i = 0; i < ln; i++) {
		if (s[i] != '$') {
			final[n++] = s[i];
			continue;
		}
		if (ln <= i + 1)
			fail(st);
		i++;
		switch (s[i]) {
		case 'S':
			final[n++] = '/';
			break;
		case '_':
			final[n++] = '.';
			break;
		case '$':
			final[n++] = '$';
			break;
		default:
			fail(st);
		}
	}
	node *sp = mk1(d, K_Special, mk_name(d, (struct str){ final, n }));
	sp->s = S("java resource ");
	return sp;
}

static node *special(struct state *st, const char *prefix, node *val)
{
	node *sp = mk1(st->d, K_Special, val);
	sp->s = (struct str){ prefix, strlen(prefix) };
	return sp;
}

static node *specialName(struct state *st)
{
	struct dm *d = st->d;

	if (st->str[0] == 'T') {
		advance(st, 1);
		if (st->len == 0)
			fail(st);
		char c = st->str[0];
		advance(st, 1);
		switch (c) {
		case 'V':
			return special(st, "vtable for ", demangleType(st, false));
		case 'T':
			return special(st, "VTT for ", demangleType(st, false));
		case 'I':
			return special(st, "typeinfo for ", demangleType(st, false));
		case 'S':
			return special(st, "typeinfo name for ", demangleType(st, false));
		case 'A':
			return special(st, "template parameter object for ", templateArg(st));
		case 'h':
			callOffset(st, 'h');
			return special(st, "non-virtual thunk to ", encoding(st, true, notForLocalName));
		case 'v':
			callOffset(st, 'v');
			return special(st, "virtual thunk to ", encoding(st, true, notForLocalName));
		case 'c':
			callOffset(st, 0);
			callOffset(st, 0);
			return special(st, "covariant return thunk to ",
				       encoding(st, true, notForLocalName));
		case 'C': {
			node *derived = demangleType(st, false);
			int offset = number(st);
			if (offset < 0)
				fail(st);
			if (peek(st, 0) != '_')
				fail(st);
			advance(st, 1);
			node *base = demangleType(st, false);
			node *s2 = mk2(d, K_Special2, base, derived);
			s2->s = S("construction vtable for ");
			s2->s2 = S("-in-");
			return s2;
		}
		case 'F':
			return special(st, "typeinfo fn for ", demangleType(st, false));
		case 'J':
			return special(st, "java Class for ", demangleType(st, false));
		case 'H':
			return special(st, "TLS init function for ", name_(st));
		case 'W':
			return special(st, "TLS wrapper function for ", name_(st));
		default:
			fail(st);
		}
	}
	checkChar(st, 'G');
	if (st->len == 0)
		fail(st);
	char c = st->str[0];
	advance(st, 1);
	switch (c) {
	case 'V':
		return special(st, "guard variable for ", name_(st));
	case 'R': {
		node *n = name_(st);
		seqID(st, true);
		return special(st, "reference temporary for ", n);
	}
	case 'A':
		return special(st, "hidden alias for ", encoding(st, true, notForLocalName));
	case 'T': {
		if (st->len == 0)
			fail(st);
		char c2 = st->str[0];
		advance(st, 1);
		node *v = encoding(st, true, notForLocalName);
		if (c2 == 'n')
			return special(st, "non-transaction clone for ", v);
		return special(st, "transaction clone for ", v);
	}
	case 'r':
		return javaResource(st);
	default:
		fail(st);
	}
}

static void callOffset(struct state *st, int c)
{
	if (c == 0) {
		if (st->len == 0)
			fail(st);
		c = st->str[0];
		advance(st, 1);
	}
	switch (c) {
	case 'h':
		number(st);
		break;
	case 'v':
		number(st);
		if (peek(st, 0) != '_')
			fail(st);
		advance(st, 1);
		number(st);
		break;
	default:
		fail(st);
	}
	if (peek(st, 0) != '_')
		fail(st);
	advance(st, 1);
}

static const char *const builtinTypes[128] = {
	['a'] = "signed char", ['b'] = "bool", ['c'] = "char", ['d'] = "double",
	['e'] = "long double", ['f'] = "float", ['g'] = "__float128",
	['h'] = "unsigned char", ['i'] = "int", ['j'] = "unsigned int", ['l'] = "long",
	['m'] = "unsigned long", ['n'] = "__int128", ['o'] = "unsigned __int128",
	['s'] = "short", ['t'] = "unsigned short", ['v'] = "void", ['w'] = "wchar_t",
	['x'] = "long long", ['y'] = "unsigned long long", ['z'] = "...",
};

static node *mk_builtin(struct dm *d, const char *name)
{
	node *n = mk(d, K_BuiltinType);
	n->s = (struct str){ name, strlen(name) };
	return n;
}

static node *stdAST(struct state *st, int c, bool verbose);

static node *demangleType(struct state *st, bool isCast)
{
	struct dm *d = st->d;
	node *ret = NULL;
	bool addSubst = true;

	dm_enter(d);
	if (st->len == 0)
		fail(st);
	node *q = cvQualifiers(st);
	if (q) {
		if (st->len == 0)
			fail(st);
		if (st->str[0] == 'F')
			addSubst = false;
	}
	int c = (unsigned char)st->str[0];
	if (c < 128 && builtinTypes[c]) {
		ret = mk_builtin(d, builtinTypes[c]);
		advance(st, 1);
		if (q) {
			ret = mk2(d, K_TypeWithQualifiers, ret, q);
			subs_add(st, ret);
		}
		dm_leave(d);
		return ret;
	}
	switch (c) {
	case 'u':
		advance(st, 1);
		ret = sourceName(st);
		break;
	case 'F':
		ret = functionType(st);
		break;
	case 'N':
	case 'Z':
	case '0':
	case '1':
	case '2':
	case '3':
	case '4':
	case '5':
	case '6':
	case '7':
	case '8':
	case '9':
		ret = name_(st);
		break;
	case 'A':
		ret = arrayType(st, isCast);
		break;
	case 'M':
		ret = pointerToMemberType(st, isCast);
		break;
	case 'T': {
		int c2 = peek(st, 1);
		if (c2 == 's' || c2 == 'u' || c2 == 'e') {
			advance(st, 2);
			ret = name_(st);
			node *et = mk1(d, K_ElaboratedType, ret);
			et->s = c2 == 's' ? S("struct") : c2 == 'u' ? S("union") : S("enum");
			ret = et;
			break;
		}
		ret = templateParam(st);
		if (peek(st, 0) == 'I') {
			if (!isCast) {
				subs_add(st, ret);
				struct list args = templateArgs(st);
				ret = mk_template(st, ret, args);
			} else {
				ret = demangleCastTemplateArgs(st, ret, true);
			}
		}
		break;
	}
	case 'S': {
		int c2 = peek(st, 1);
		if (c2 < 0)
			c2 = 0;
		if (isDigit(c2) || c2 == '_' || isUpper(c2)) {
			ret = substitution(st, false);
			if (st->len == 0 || st->str[0] != 'I') {
				addSubst = false;
			} else {
				if (ret->kind != K_TemplateParam || !isCast) {
					struct list args = templateArgs(st);
					ret = mk_template(st, ret, args);
				} else {
					node *next = demangleCastTemplateArgs(st, ret, false);
					if (next == ret)
						addSubst = false;
					ret = next;
				}
			}
		} else {
			ret = name_(st);
			if (c2 < 128 && (ret == st->subAST[c2] || ret == st->verboseAST[c2]) && ret)
				addSubst = false;
		}
		break;
	}
	case 'O':
	case 'P':
	case 'R':
	case 'C':
	case 'G': {
		advance(st, 1);
		node *t = demangleType(st, isCast);
		enum kind k = c == 'O' ? K_RvalueReferenceType : c == 'P' ? K_PointerType :
			c == 'R' ? K_ReferenceType : c == 'C' ? K_ComplexType : K_ImaginaryType;
		ret = mk1(d, k, t);
		break;
	}
	case 'U':
		if (st->len < 2)
			fail(st);
		switch (st->str[1]) {
		case 'l':
			ret = closureTypeName(st);
			addSubst = false;
			break;
		case 't':
			ret = unnamedTypeName(st);
			addSubst = false;
			break;
		default: {
			advance(st, 1);
			node *n = sourceName(st);
			if (peek(st, 0) == 'I') {
				struct list args = templateArgs(st);
				n = mk_template(st, n, args);
			}
			node *t = demangleType(st, isCast);
			ret = mk2(d, K_VendorQualifier, n, t);
		}
		}
		break;
	case 'D': {
		advance(st, 1);
		if (st->len == 0)
			fail(st);
		addSubst = false;
		int c2 = (unsigned char)st->str[0];
		advance(st, 1);
		switch (c2) {
		case 'T':
		case 't':
			ret = expression(st);
			if (peek(st, 0) != 'E')
				fail(st);
			advance(st, 1);
			ret = mk1(d, K_Decltype, ret);
			addSubst = true;
			break;
		case 'p': {
			node *t = demangleType(st, isCast);
			node *pack = findArgumentPack(st, t);
			ret = mk1(d, K_PackExpansion, t);
			ret->ref = pack;
			addSubst = true;
			break;
		}
		case 'a':
			ret = mk_name(d, S("auto"));
			break;
		case 'c':
			ret = mk_name(d, S("decltype(auto)"));
			break;
		case 'f':
			ret = mk_builtin(d, "decimal32");
			break;
		case 'd':
			ret = mk_builtin(d, "decimal64");
			break;
		case 'e':
			ret = mk_builtin(d, "decimal128");
			break;
		case 'h':
			ret = mk_builtin(d, "half");
			break;
		case 'u':
			ret = mk_builtin(d, "char8_t");
			break;
		case 's':
			ret = mk_builtin(d, "char16_t");
			break;
		case 'i':
			ret = mk_builtin(d, "char32_t");
			break;
		case 'n':
			ret = mk_builtin(d, "decltype(nullptr)");
			break;
		case 'F': {
			bool accum = false;
			int bits = 0;
			if (st->len > 0 && isDigit(st->str[0])) {
				accum = true;
				bits = number(st);
			}
			if (peek(st, 0) == '_') {
				if (bits == 0)
					fail(st);
				advance(st, 1);
				ret = mk(d, K_BinaryFP);
				ret->i1 = bits;
			} else {
				node *base = demangleType(st, isCast);
				if (st->len > 0 && isDigit(st->str[0]))
					number(st);
				bool sat = false;
				if (st->len > 0) {
					if (st->str[0] == 's')
						sat = true;
					advance(st, 1);
				}
				ret = mk1(d, K_FixedType, base);
				ret->b1 = accum;
				ret->b2 = sat;
			}
			break;
		}
		case 'v':
			ret = vectorType(st, isCast);
			addSubst = true;
			break;
		default:
			fail(st);
		}
		break;
	}
	default:
		fail(st);
	}

	if (addSubst)
		subs_add(st, ret);

	if (q) {
		if (ret->kind == K_FunctionType) {
			ret = mk2(d, K_MethodWithQualifiers, ret, q);
		} else if (ret->kind == K_MethodWithQualifiers) {
			ret->c[1] = mergeQualifiers(st->d, q, ret->c[1]);
		} else {
			if (ret->kind == K_TypeWithQualifiers) {
				q = mergeQualifiers(st->d, q, ret->c[1]);
				ret = ret->c[0];
			}
			ret = mk2(d, K_TypeWithQualifiers, ret, q);
		}
		subs_add(st, ret);
	}
	dm_leave(d);
	return ret;
}

static node *demangleCastTemplateArgs(struct state *st, node *tp, bool addSubst)
{
	struct state save = *st;
	int depth = st->d->depth;
	jmp_buf jb, *outer = st->d->jb;
	struct list args = { 0 };
	bool failed = false;

	st->d->jb = &jb;
	int code = setjmp(jb);
	if (code == 0) {
		args = templateArgs(st);
	} else {
		st->d->depth = depth;
		if (code != DM_ERR) {
			st->d->jb = outer;
			dm_throw(st->d, code);
		}
		failed = true;
	}
	st->d->jb = outer;

	if (!failed && peek(st, 0) == 'I') {
		if (addSubst)
			subs_add(st, tp);
		return mk_template(st, tp, args);
	}
	*st = save;
	return tp;
}

static node *mergeQualifiers(struct dm *d, node *q1, node *q2)
{
	if (!q1)
		return q2;
	if (!q2)
		return q1;
	struct list rq = q1->l1;
	for (int i = 0; i < q2->l1.n; i++) {
		node *qual = q2->l1.v[i];
		if (qual->l1.n > 0) {
			list_append(d, &rq, qual);
			continue;
		}
		dm_burn(d, q1->l1.n + i);
		/* m: the names of q1's qualifiers without expressions, and
		 * those added since */
		bool seen = false;
		for (int j = 0; j < q1->l1.n && !seen; j++)
			if (q1->l1.v[j]->l1.n == 0 && q1->l1.v[j]->s.n == qual->s.n &&
			    memcmp(q1->l1.v[j]->s.p, qual->s.p, qual->s.n) == 0)
				seen = true;
		for (int j = 0; j < i && !seen; j++) {
			node *prev = q2->l1.v[j];
			if (prev->l1.n == 0 && prev->s.n == qual->s.n &&
			    memcmp(prev->s.p, qual->s.p, qual->s.n) == 0)
				seen = true;
		}
		if (!seen)
			list_append(d, &rq, qual);
	}
	q1->l1 = rq;
	return q1;
}

static node *mk_qualifier(struct dm *d, struct str name)
{
	node *q = mk(d, K_Qualifier);
	q->s = name;
	return q;
}

static node *cvQualifiers(struct state *st)
{
	struct dm *d = st->d;
	struct list q = { 0 };

	for (;;) {
		int c = peek(st, 0);
		node *qual = NULL;
		if (c == 'r' || c == 'V' || c == 'K') {
			qual = mk_qualifier(d, c == 'r' ? S("restrict") : c == 'V' ? S("volatile") :
								  S("const"));
			advance(st, 1);
		} else if (st->len > 1 && c == 'D') {
			switch (st->str[1]) {
			case 'x':
				qual = mk_qualifier(d, S("transaction_safe"));
				advance(st, 2);
				break;
			case 'o':
				qual = mk_qualifier(d, S("noexcept"));
				advance(st, 2);
				break;
			case 'O': {
				advance(st, 2);
				node *expr = expression(st);
				if (peek(st, 0) != 'E')
					fail(st);
				advance(st, 1);
				qual = mk_qualifier(d, S("noexcept"));
				qual->l1 = list1(d, expr);
				break;
			}
			case 'w': {
				advance(st, 2);
				struct list pl = parmlist(st);
				if (peek(st, 0) != 'E')
					fail(st);
				advance(st, 1);
				qual = mk_qualifier(d, S("throw"));
				qual->l1 = pl;
				break;
			}
			default:
				break;
			}
			if (!qual)
				break;
		} else {
			break;
		}
		dm_burn(d, q.n);
		q = list_prepend(d, q, qual);
	}
	if (q.n == 0)
		return NULL;
	node *r = mk(d, K_Qualifiers);
	r->l1 = q;
	return r;
}

static struct str refQualifier(struct state *st)
{
	if (peek(st, 0) == 'R') {
		advance(st, 1);
		return S("&");
	}
	if (peek(st, 0) == 'O') {
		advance(st, 1);
		return S("&&");
	}
	return S("");
}

static struct list parmlist(struct state *st)
{
	struct list ret = { 0 };

	for (;;) {
		if (st->len < 1)
			break;
		if (st->str[0] == 'E' || st->str[0] == '.')
			break;
		if ((st->str[0] == 'R' || st->str[0] == 'O') && peek(st, 1) == 'E')
			break;
		list_append(st->d, &ret, demangleType(st, false));
	}
	if (ret.n == 0)
		fail(st);
	if (ret.n == 1 && ret.v[0]->kind == K_BuiltinType && str_eq(ret.v[0]->s, "void"))
		ret = (struct list){ 0 };
	return ret;
}

static node *functionType(struct state *st)
{
	checkChar(st, 'F');
	if (peek(st, 0) == 'Y')
		advance(st, 1);
	node *ret = bareFunctionType(st, true);
	struct str r = refQualifier(st);
	if (r.n) {
		node *m = mk2(st->d, K_MethodWithQualifiers, ret, NULL);
		m->s = r;
		ret = m;
	}
	if (peek(st, 0) != 'E')
		fail(st);
	advance(st, 1);
	return ret;
}

static node *bareFunctionType(struct state *st, bool hasReturnType)
{
	if (peek(st, 0) == 'J') {
		hasReturnType = true;
		advance(st, 1);
	}
	node *returnType = NULL;
	if (hasReturnType)
		returnType = demangleType(st, false);
	struct list types = parmlist(st);
	node *ft = mk1(st->d, K_FunctionType, returnType);
	ft->l1 = types;
	return ft;
}

static node *arrayType(struct state *st, bool isCast)
{
	struct dm *d = st->d;

	checkChar(st, 'A');
	if (st->len == 0)
		fail(st);
	node *dim;
	if (st->str[0] == '_') {
		dim = mk_name(d, S(""));
	} else if (isDigit(st->str[0])) {
		size_t i = 1;
		while (st->len > i && isDigit(st->str[i]))
			i++;
		dim = mk_name(d, (struct str){ st->str, i });
		advance(st, i);
	} else {
		dim = expression(st);
	}
	if (peek(st, 0) != '_')
		fail(st);
	advance(st, 1);
	node *t = demangleType(st, isCast);
	if (t->kind == K_TypeWithQualifiers) {
		node *arr = mk2(d, K_ArrayType, dim, t->c[0]);
		return mk2(d, K_TypeWithQualifiers, arr, t->c[1]);
	}
	return mk2(d, K_ArrayType, dim, t);
}

static node *vectorType(struct state *st, bool isCast)
{
	struct dm *d = st->d;

	if (st->len == 0)
		fail(st);
	node *dim;
	if (st->str[0] == '_') {
		advance(st, 1);
		dim = expression(st);
	} else {
		int num = number(st);
		char buf[16];
		int n = snprintf(buf, sizeof(buf), "%d", num);
		dim = mk_name(d, (struct str){ dm_strdup(d, buf, (size_t)n), (size_t)n });
	}
	if (peek(st, 0) != '_')
		fail(st);
	advance(st, 1);
	node *t = demangleType(st, isCast);
	return mk2(d, K_VectorType, dim, t);
}

static node *pointerToMemberType(struct state *st, bool isCast)
{
	checkChar(st, 'M');
	node *cl = demangleType(st, false);
	node *mem = demangleType(st, isCast);
	return mk2(st->d, K_PtrMem, cl, mem);
}

static int compactNumber(struct state *st)
{
	if (st->len == 0)
		fail(st);
	if (st->str[0] == '_') {
		advance(st, 1);
		return 0;
	} else if (st->str[0] == 'n') {
		fail(st);
	}
	int n = number(st);
	if (peek(st, 0) != '_')
		fail(st);
	advance(st, 1);
	return n + 1;
}

static node *mk_tparam(struct dm *d, int index, node *template)
{
	node *n = mk(d, K_TemplateParam);
	n->i1 = index;
	n->ref = template;
	return n;
}

static node *mk_lambdaauto(struct dm *d, int index)
{
	node *n = mk(d, K_LambdaAuto);
	n->i1 = index;
	return n;
}

static node *templateParam(struct state *st)
{
	checkChar(st, 'T');
	int level = 0;
	if (peek(st, 0) == 'L') {
		advance(st, 1);
		level = compactNumber(st);
	}
	int n = compactNumber(st);
	if (level >= st->templates.n) {
		if (st->lambdaTemplateLevel > 0 && level == st->lambdaTemplateLevel - 1)
			return mk_lambdaauto(st->d, n);
		fail(st);
	}
	node *template = st->templates.v[level];
	if (!template)
		return mk_tparam(st->d, n, NULL);
	if (n >= template->l1.n) {
		if (st->lambdaTemplateLevel > 0 && level == st->lambdaTemplateLevel - 1)
			return mk_lambdaauto(st->d, n);
		fail(st);
	}
	return mk_tparam(st->d, n, template);
}

struct settemplate_ctx {
	struct state *st;
	node *tmpl;
	struct pset seen;
};

static bool settemplate_fn(struct dm *d, void *vctx, node *a)
{
	struct settemplate_ctx *ctx = vctx;

	switch (a->kind) {
	case K_TemplateParam:
		if (a->ref) {
			if (ctx->tmpl)
				fail(ctx->st);
			return false;
		}
		if (!ctx->tmpl)
			fail(ctx->st);
		if (a->i1 >= ctx->tmpl->l1.n)
			fail(ctx->st);
		a->ref = ctx->tmpl;
		return false;
	case K_Closure:
		return false;
	default:
		return !pset_add(d, &ctx->seen, a);
	}
}

static void setTemplate(struct state *st, node *a, node *tmpl)
{
	struct settemplate_ctx ctx = { st, tmpl, { 0 } };
	traverse(st->d, a, settemplate_fn, &ctx);
}

static void clearTemplateArgs(struct state *st, struct list args)
{
	for (int i = 0; i < args.n; i++)
		setTemplate(st, args.v[i], NULL);
}

static struct list templateArgs(struct state *st)
{
	struct list ret = { 0 };

	if (st->len == 0 || (st->str[0] != 'I' && st->str[0] != 'J'))
		internal_error(st);
	advance(st, 1);
	while (st->len == 0 || st->str[0] != 'E')
		list_append(st->d, &ret, templateArg(st));
	advance(st, 1);
	return ret;
}

static node *templateArg(struct state *st)
{
	node *ret;

	dm_enter(st->d);
	if (st->len == 0)
		fail(st);
	switch (st->str[0]) {
	case 'X': {
		advance(st, 1);
		node *expr = expression(st);
		if (peek(st, 0) != 'E')
			fail(st);
		advance(st, 1);
		ret = expr;
		break;
	}
	case 'L':
		ret = exprPrimary(st);
		break;
	case 'I':
	case 'J': {
		struct list args = templateArgs(st);
		ret = mk(st->d, K_ArgumentPack);
		ret->l1 = args;
		break;
	}
	default:
		ret = demangleType(st, false);
	}
	dm_leave(st->d);
	return ret;
}

static node *exprList(struct state *st, char stop)
{
	node *el = mk(st->d, K_ExprList);

	if (peek(st, 0) == stop) {
		advance(st, 1);
		return el;
	}
	for (;;) {
		list_append(st->d, &el->l1, expression(st));
		if (peek(st, 0) == stop) {
			advance(st, 1);
			break;
		}
	}
	return el;
}

static node *mk_op(struct dm *d, struct str name)
{
	node *op = mk(d, K_Operator);
	op->s = name;
	return op;
}

static node *mk_unary(struct dm *d, node *op, node *expr, bool suffix, bool sizeofType)
{
	node *u = mk2(d, K_Unary, op, expr);
	u->b1 = suffix;
	u->b2 = sizeofType;
	return u;
}

static node *mk_binary(struct dm *d, node *op, node *left, node *right)
{
	node *b = mk2(d, K_Binary, op, left);
	b->c[2] = right;
	return b;
}

static node *expression_(struct state *st);

static node *expression(struct state *st)
{
	dm_enter(st->d);
	node *r = expression_(st);
	dm_leave(st->d);
	return r;
}

static node *expression_(struct state *st)
{
	struct dm *d = st->d;

	if (st->len == 0)
		fail(st);
	int c0 = (unsigned char)st->str[0], c1 = peek(st, 1);
	if (c0 == 'L') {
		return exprPrimary(st);
	} else if (c0 == 'T') {
		return templateParam(st);
	} else if (c0 == 's' && c1 == 'o') {
		advance(st, 2);
		return subobject(st);
	} else if (c0 == 's' && c1 == 'r') {
		return unresolvedName(st);
	} else if (c0 == 's' && c1 == 'p') {
		advance(st, 2);
		node *e = expression(st);
		node *pack = findArgumentPack(st, e);
		node *pe = mk1(d, K_PackExpansion, e);
		pe->ref = pack;
		return pe;
	} else if (c0 == 's' && c1 == 'Z') {
		advance(st, 2);
		node *e = expression(st);
		node *ap = findArgumentPack(st, e);
		if (!ap)
			fail(st);
		node *sp = mk(d, K_SizeofPack);
		sp->ref = ap;
		return sp;
	} else if (c0 == 's' && c1 == 'P') {
		advance(st, 2);
		node *sa = mk(d, K_SizeofArgs);
		while (st->len == 0 || st->str[0] != 'E')
			list_append(d, &sa->l1, templateArg(st));
		advance(st, 1);
		return sa;
	} else if (c0 == 'f' && c1 == 'p') {
		advance(st, 2);
		node *fp = mk(d, K_FunctionParam);
		if (peek(st, 0) == 'T') {
			advance(st, 1);
			fp->i1 = 0;
		} else {
			cvQualifiers(st);
			fp->i1 = compactNumber(st) + 1;
		}
		return fp;
	} else if (c0 == 'f' && c1 == 'L' && st->len > 2 && isDigit(st->str[2])) {
		advance(st, 2);
		number(st);
		if (peek(st, 0) != 'p')
			fail(st);
		advance(st, 1);
		cvQualifiers(st);
		node *fp = mk(d, K_FunctionParam);
		fp->i1 = compactNumber(st) + 1;
		return fp;
	} else if (c0 == 'm' && c1 == 'c') {
		advance(st, 2);
		node *typ = demangleType(st, false);
		node *expr = expression(st);
		int offset = 0;
		if (st->len > 0 && (st->str[0] == 'n' || isDigit(st->str[0])))
			offset = number(st);
		if (peek(st, 0) != 'E')
			fail(st);
		advance(st, 1);
		node *pmc = mk2(d, K_PtrMemCast, typ, expr);
		pmc->i1 = offset;
		return pmc;
	} else if (isDigit(c0) || (c0 == 'o' && c1 == 'n')) {
		if (c0 == 'o')
			advance(st, 2);
		bool isCast;
		node *n = unqualifiedName(st, &isCast);
		if (peek(st, 0) == 'I') {
			struct list args = templateArgs(st);
			n = mk_template(st, n, args);
		}
		return n;
	} else if ((c0 == 'i' || c0 == 't') && c1 == 'l') {
		advance(st, 2);
		node *t = NULL;
		if (c0 == 't')
			t = demangleType(st, false);
		node *exprs = exprList(st, 'E');
		return mk2(d, K_InitializerList, t, exprs);
	} else if (c0 == 's' && c1 == 't') {
		int args;
		node *o = operatorName(st, true, &args);
		node *t = demangleType(st, false);
		return mk_unary(d, o, t, false, true);
	} else if (c0 == 'u') {
		advance(st, 1);
		node *name = sourceName(st);
		if (name->kind == K_Name && str_eq(name->s, "__uuidof")) {
			if (st->len < 2)
				fail(st);
			node *operand = NULL;
			if (st->str[0] == 't') {
				advance(st, 1);
				operand = demangleType(st, false);
			} else if (st->str[0] == 'z') {
				advance(st, 1);
				operand = expression(st);
			}
			if (operand) {
				node *el = mk(d, K_ExprList);
				el->l1 = list1(d, operand);
				return mk_binary(d, mk_op(d, S("()")), name, el);
			}
		}
		node *el = mk(d, K_ExprList);
		for (;;) {
			if (st->len == 0)
				fail(st);
			if (st->str[0] == 'E') {
				advance(st, 1);
				break;
			}
			list_append(d, &el->l1, templateArg(st));
		}
		return mk_binary(d, mk_op(d, S("()")), name, el);
	}

	if (st->len < 2)
		fail(st);
	char code[2] = { st->str[0], st->str[1] };
	int args;
	node *o = operatorName(st, true, &args);
#define CODE(s) (code[0] == (s)[0] && code[1] == (s)[1])
	switch (args) {
	case 0:
		return mk1(d, K_Nullary, o);
	case 1: {
		bool suffix = false;
		if (CODE("pp") || CODE("mm")) {
			if (peek(st, 0) == '_')
				advance(st, 1);
			else
				suffix = true;
		}
		node *operand;
		if (o->kind == K_Cast && peek(st, 0) == '_') {
			advance(st, 1);
			operand = exprList(st, 'E');
		} else {
			operand = expression(st);
		}
		return mk_unary(d, o, operand, suffix, false);
	}
	case 2: {
		node *left, *right;
		if (CODE("sc") || CODE("dc") || CODE("cc") || CODE("rc")) {
			left = demangleType(st, false);
		} else if (code[0] == 'f') {
			int a2;
			left = operatorName(st, true, &a2);
			right = expression(st);
			node *f = mk2(d, K_Fold, left, right);
			f->b1 = code[1] == 'l';
			return f;
		} else if (CODE("di")) {
			bool isCast;
			left = unqualifiedName(st, &isCast);
		} else {
			left = expression(st);
		}
		if (CODE("cl") || CODE("cp")) {
			right = exprList(st, 'E');
		} else if (CODE("dt") || CODE("pt")) {
			right = unresolvedName(st);
			if (peek(st, 0) == 'I') {
				struct list targs = templateArgs(st);
				right = mk_template(st, right, targs);
			}
		} else {
			right = expression(st);
		}
		return mk_binary(d, o, left, right);
	}
	case 3:
		if (code[0] == 'n') {
			if (code[1] != 'w' && code[1] != 'a')
				internal_error(st);
			node *place = exprList(st, '_');
			if (place->l1.n == 0)
				place = NULL;
			node *t = demangleType(st, false);
			node *ini = NULL;
			if (peek(st, 0) == 'E') {
				advance(st, 1);
			} else if (st->len > 1 && st->str[0] == 'p' && st->str[1] == 'i') {
				advance(st, 2);
				ini = exprList(st, 'E');
			} else if (st->len > 1 && st->str[0] == 'i' && st->str[1] == 'l') {
				ini = expression(st);
			} else {
				fail(st);
			}
			node *n = mk2(d, K_New, o, place);
			n->c[2] = t;
			n->c[3] = ini;
			return n;
		} else if (code[0] == 'f') {
			int a2;
			node *first = operatorName(st, true, &a2);
			node *second = expression(st);
			node *third = expression(st);
			node *f = mk2(d, K_Fold, first, second);
			f->c[2] = third;
			f->b1 = code[1] == 'L';
			return f;
		} else {
			node *first = expression(st);
			node *second = expression(st);
			node *third = expression(st);
			node *t = mk2(d, K_Trinary, o, first);
			t->c[2] = second;
			t->c[3] = third;
			return t;
		}
	default:
		fail(st);
	}
#undef CODE
}

static node *subobject(struct state *st)
{
	node *typ = demangleType(st, false);
	node *expr = expression(st);
	int offset = 0;
	if (st->len > 0 && (st->str[0] == 'n' || isDigit(st->str[0])))
		offset = number(st);
	while (peek(st, 0) == '_') {
		advance(st, 1);
		if (st->len > 0 && (st->str[0] == 'n' || isDigit(st->str[0])))
			number(st);
	}
	bool pastEnd = false;
	if (peek(st, 0) == 'p') {
		advance(st, 1);
		pastEnd = true;
	}
	if (peek(st, 0) != 'E')
		fail(st);
	advance(st, 1);
	node *so = mk2(st->d, K_Subobject, typ, expr);
	so->i1 = offset;
	so->b1 = pastEnd;
	return so;
}

static node *unresolvedName(struct state *st)
{
	struct dm *d = st->d;
	node *ret;

	dm_enter(d);
	if (has_prefix(st->str, st->len, "gs")) {
		advance(st, 2);
		node *n = unresolvedName(st);
		ret = mk_unary(d, mk_op(d, S("::")), n, false, false);
	} else if (has_prefix(st->str, st->len, "sr")) {
		advance(st, 2);
		if (st->len == 0)
			fail(st);
		switch (st->str[0]) {
		case 'T':
		case 'D':
		case 'S': {
			node *t = demangleType(st, false);
			node *n = baseUnresolvedName(st);
			n = mk2(d, K_Qualified, t, n);
			if (peek(st, 0) == 'I') {
				struct list args = templateArgs(st);
				n = mk_template(st, n, args);
				subs_add(st, n);
			}
			ret = n;
			break;
		}
		default: {
			node *s = NULL;
			if (st->str[0] == 'N') {
				advance(st, 1);
				s = demangleType(st, false);
			}
			ret = NULL;
			while (st->len == 0 || st->str[0] != 'E') {
				if (s && st->len > 0 && !isDigit(st->str[0])) {
					if (s->kind == K_Qualified) {
						node *a = s->c[0];
						if (a->kind == K_Template) {
							subs_add(st, a->c[0]);
							subs_add(st, a);
						} else {
							subs_add(st, a);
						}
						ret = s;
						break;
					}
				}
				node *n = sourceName(st);
				if (peek(st, 0) == 'I') {
					subs_add(st, n);
					struct list args = templateArgs(st);
					n = mk_template(st, n, args);
				}
				if (!s)
					s = n;
				else
					s = mk2(d, K_Qualified, s, n);
				subs_add(st, s);
			}
			if (ret)
				break;
			if (!s)
				fail(st);
			advance(st, 1);
			node *n = baseUnresolvedName(st);
			ret = mk2(d, K_Qualified, s, n);
		}
		}
	} else {
		ret = baseUnresolvedName(st);
	}
	dm_leave(d);
	return ret;
}

static node *baseUnresolvedName(struct state *st)
{
	node *n;
	int args;

	if (has_prefix(st->str, st->len, "on")) {
		advance(st, 2);
		n = operatorName(st, true, &args);
	} else if (has_prefix(st->str, st->len, "dn")) {
		advance(st, 2);
		if (st->len > 0 && isDigit(st->str[0]))
			n = sourceName(st);
		else
			n = demangleType(st, false);
		n = mk1(st->d, K_Destructor, n);
	} else if (st->len > 0 && isDigit(st->str[0])) {
		n = sourceName(st);
	} else {
		n = operatorName(st, true, &args);
	}
	if (peek(st, 0) == 'I') {
		struct list targs = templateArgs(st);
		n = mk_template(st, n, targs);
	}
	return n;
}

static node *exprPrimary(struct state *st)
{
	struct dm *d = st->d;
	node *ret;

	checkChar(st, 'L');
	if (st->len == 0)
		fail(st);
	if (st->str[0] == '_' || st->str[0] == 'Z') {
		if (st->str[0] == '_')
			advance(st, 1);
		if (peek(st, 0) != 'Z')
			fail(st);
		advance(st, 1);
		ret = encoding(st, true, notForLocalName);
	} else {
		node *t = demangleType(st, false);
		bool neg = false;
		if (peek(st, 0) == 'n') {
			neg = true;
			advance(st, 1);
		}
		if (peek(st, 0) == 'E') {
			node *at = t->kind == K_TypeWithQualifiers ? t->c[0] : t;
			if (t->kind == K_BuiltinType && str_eq(t->s, "decltype(nullptr)")) {
				/* accepted without a value */
			} else if (t->kind == K_Closure) {
				advance(st, 1);
				return mk1(d, K_LambdaExpr, t);
			} else if (at->kind == K_ArrayType) {
				advance(st, 1);
				return mk1(d, K_StringLiteral, t);
			} else {
				fail(st);
			}
		}
		size_t i = 0;
		while (st->len > i && st->str[i] != 'E')
			i++;
		struct str val = { st->str, i };
		advance(st, i);
		ret = mk1(d, K_Literal, t);
		ret->s = val;
		ret->b1 = neg;
	}
	if (peek(st, 0) != 'E')
		fail(st);
	advance(st, 1);
	return ret;
}

static node *discriminator(struct state *st, node *a)
{
	if (st->len == 0 || st->str[0] != '_') {
		for (size_t i = 0; i < st->len; i++)
			if (!isDigit(st->str[i]))
				return a;
		advance(st, st->len);
		return a;
	}
	advance(st, 1);
	bool trailingUnderscore = false;
	if (peek(st, 0) == '_') {
		advance(st, 1);
		trailingUnderscore = true;
	}
	int dd = number(st);
	if (dd < 0)
		fail(st);
	if (trailingUnderscore && dd >= 10) {
		if (peek(st, 0) != '_')
			fail(st);
		advance(st, 1);
	}
	return a;
}

static node *closureTypeName(struct state *st)
{
	struct dm *d = st->d;

	checkChar(st, 'U');
	checkChar(st, 'l');
	int oldLambdaTemplateLevel = st->lambdaTemplateLevel;
	st->lambdaTemplateLevel = st->templates.n + 1;

	struct list targs = { 0 };
	node *template = NULL;
	while (st->len > 1 && st->str[0] == 'T') {
		node *templateVal;
		node *arg = templateParamDecl(st, &templateVal);
		if (!arg)
			break;
		list_append(d, &targs, arg);
		if (!template) {
			template = mk1(d, K_Template, mk_name(d, S("lambda")));
			list_append(d, &st->templates, template);
		}
		list_append(d, &template->l1, templateVal);
	}
	struct list types = parmlist(st);
	st->lambdaTemplateLevel = oldLambdaTemplateLevel;
	if (template)
		st->templates.n--;
	if (peek(st, 0) != 'E')
		fail(st);
	advance(st, 1);
	int num = compactNumber(st);
	node *cl = mk(d, K_Closure);
	cl->l1 = targs;
	cl->l2 = types;
	cl->i1 = num;
	return cl;
}

static node *mk_tpname(struct dm *d, const char *prefix, int *p)
{
	node *n = mk(d, K_TemplateParamName);
	n->s = (struct str){ prefix, strlen(prefix) };
	n->i1 = (*p)++;
	return n;
}

static node *templateParamDecl(struct state *st, node **templateVal)
{
	struct dm *d = st->d;
	node *ret = NULL;

	*templateVal = NULL;
	if (st->len < 2 || st->str[0] != 'T')
		return NULL;
	dm_enter(d);
	switch (st->str[1]) {
	case 'y': {
		advance(st, 2);
		node *name = mk_tpname(d, "$T", &st->typeTemplateParamCount);
		ret = mk1(d, K_TypeTemplateParam, name);
		*templateVal = name;
		break;
	}
	case 'n': {
		advance(st, 2);
		node *name = mk_tpname(d, "$N", &st->nonTypeTemplateParamCount);
		node *typ = demangleType(st, false);
		ret = mk2(d, K_NonTypeTemplateParam, name, typ);
		*templateVal = name;
		break;
	}
	case 't': {
		advance(st, 2);
		node *name = mk_tpname(d, "$TT", &st->templateTemplateParamCount);
		struct list params = { 0 };
		node *template = NULL;
		for (;;) {
			if (st->len == 0)
				fail(st);
			if (st->str[0] == 'E') {
				advance(st, 1);
				break;
			}
			node *tv;
			node *param = templateParamDecl(st, &tv);
			if (!param)
				fail(st);
			list_append(d, &params, param);
			if (!template) {
				template = mk1(d, K_Template, mk_name(d, S("template_template")));
				list_append(d, &st->templates, template);
			}
			list_append(d, &template->l1, tv);
		}
		if (template)
			st->templates.n--;
		ret = mk1(d, K_TemplateTemplateParam, name);
		ret->l1 = params;
		*templateVal = name;
		break;
	}
	case 'p': {
		advance(st, 2);
		node *tv;
		node *param = templateParamDecl(st, &tv);
		if (!param)
			fail(st);
		ret = mk1(d, K_TemplateParamPack, param);
		*templateVal = tv;
		break;
	}
	default:
		break;
	}
	dm_leave(d);
	return ret;
}

static node *unnamedTypeName(struct state *st)
{
	checkChar(st, 'U');
	checkChar(st, 't');
	int num = compactNumber(st);
	node *ret = mk(st->d, K_UnnamedType);
	ret->i1 = num;
	subs_add(st, ret);
	return ret;
}

static bool clone_char(int c)
{
	return isLower(c) || isDigit(c) || c == '_';
}

static node *cloneSuffix(struct state *st, node *a)
{
	size_t i = 0;
	if (st->len > 1 && st->str[0] == '.' && clone_char((unsigned char)st->str[1])) {
		i += 2;
		while (st->len > i && clone_char((unsigned char)st->str[i]))
			i++;
	}
	while (st->len > i + 1 && st->str[i] == '.' && isDigit(st->str[i + 1])) {
		i += 2;
		while (st->len > i && isDigit(st->str[i]))
			i++;
	}
	struct str suffix = { st->str, i };
	advance(st, i);
	node *c = mk1(st->d, K_Clone, a);
	c->s = suffix;
	return c;
}

/* subAST / verboseAST: made once per call, so that identity tests work as
 * with Go's package variables. */
static node *qual_std(struct dm *d, const char *name)
{
	return mk2(d, K_Qualified, mk_name(d, S("std")),
		   mk_name(d, (struct str){ name, strlen(name) }));
}

static node *std_template(struct dm *d, const char *name, bool alloc)
{
	node *ch = mk_builtin(d, "char");
	node *traits = mk1(d, K_Template, qual_std(d, "char_traits"));
	traits->l1 = list1(d, mk_builtin(d, "char"));
	node *t = mk1(d, K_Template, qual_std(d, name));
	list_append(d, &t->l1, ch);
	list_append(d, &t->l1, traits);
	if (alloc) {
		node *al = mk1(d, K_Template, qual_std(d, "allocator"));
		al->l1 = list1(d, mk_builtin(d, "char"));
		list_append(d, &t->l1, al);
	}
	return t;
}

static node *stdAST(struct state *st, int c, bool verbose)
{
	struct dm *d = st->d;
	node **tab = verbose ? st->verboseAST : st->subAST;

	if (c < 0 || c >= 128)
		return NULL;
	if (tab[c])
		return tab[c];
	node *a = NULL;
	switch (c) {
	case 't':
		a = mk_name(d, S("std"));
		break;
	case 'a':
		a = qual_std(d, "allocator");
		break;
	case 'b':
		a = qual_std(d, "basic_string");
		break;
	case 's':
		a = verbose ? std_template(d, "basic_string", true) : qual_std(d, "string");
		break;
	case 'i':
		a = verbose ? std_template(d, "basic_istream", false) : qual_std(d, "istream");
		break;
	case 'o':
		a = verbose ? std_template(d, "basic_ostream", false) : qual_std(d, "ostream");
		break;
	case 'd':
		a = verbose ? std_template(d, "basic_iostream", false) : qual_std(d, "iostream");
		break;
	default:
		return NULL;
	}
	tab[c] = a;
	return a;
}

struct subst_ctx {
	struct state *st;
	node *ret;
	struct list copyTemplates;
	int *oldLevels;
	int nold, capold;
	struct pset seen;
};

static void push_old(struct subst_ctx *ctx, int level)
{
	if (ctx->nold == ctx->capold) {
		int cap = ctx->capold ? 2 * ctx->capold : 8;
		int *v = dm_alloc(ctx->st->d, (size_t)cap * sizeof(*v));
		if (ctx->nold)
			memcpy(v, ctx->oldLevels, (size_t)ctx->nold * sizeof(*v));
		ctx->oldLevels = v;
		ctx->capold = cap;
	}
	ctx->oldLevels[ctx->nold++] = level;
}

static int pop_old(struct subst_ctx *ctx)
{
	if (ctx->nold == 0)
		internal_error(ctx->st); /* Go: index out of range */
	return ctx->oldLevels[--ctx->nold];
}

static node *subst_copy(struct dm *d, void *vctx, node *a)
{
	struct subst_ctx *ctx = vctx;
	struct state *st = ctx->st;
	int index;

	switch (a->kind) {
	case K_Typed:
		if (a->c[0]->kind == K_Template) {
			if (ctx->copyTemplates.n == 0)
				internal_error(st);
			ctx->copyTemplates.n--;
			st->lambdaTemplateLevel = pop_old(ctx);
		}
		return NULL;
	case K_Closure:
		st->lambdaTemplateLevel = pop_old(ctx);
		return NULL;
	case K_TemplateParam:
	case K_LambdaAuto:
		index = a->i1;
		break;
	default:
		return NULL;
	}
	if (st->lambdaTemplateLevel > 0) {
		if (a->kind == K_LambdaAuto)
			return NULL;
		return mk_lambdaauto(d, index);
	}
	node *template = NULL;
	if (ctx->copyTemplates.n > 0)
		template = ctx->copyTemplates.v[ctx->copyTemplates.n - 1];
	else if (ctx->ret->kind == K_Template)
		template = ctx->ret;
	else
		fail(st);
	if (!template)
		return mk_tparam(d, index, NULL);
	if (index >= template->l1.n)
		fail(st);
	return mk_tparam(d, index, template);
}

static bool subst_skip(struct dm *d, void *vctx, node *a)
{
	struct subst_ctx *ctx = vctx;
	struct state *st = ctx->st;

	switch (a->kind) {
	case K_Typed:
		if (a->c[0]->kind == K_Template) {
			list_append(d, &ctx->copyTemplates, a->c[0]);
			push_old(ctx, st->lambdaTemplateLevel);
			st->lambdaTemplateLevel = 0;
		}
		return false;
	case K_Closure:
		push_old(ctx, st->lambdaTemplateLevel);
		st->lambdaTemplateLevel = ctx->copyTemplates.n + 1;
		return false;
	case K_TemplateParam:
	case K_LambdaAuto:
		return false;
	default:
		return pset_add(d, &ctx->seen, a);
	}
}

static node *substitution(struct state *st, bool forPrefix)
{
	checkChar(st, 'S');
	if (st->len == 0)
		fail(st);
	int c = (unsigned char)st->str[0];
	if (c == '_' || isDigit(c) || isUpper(c)) {
		int id = seqID(st, false);
		if (id >= st->subs.n)
			fail(st);
		node *ret = st->subs.v[id];
		struct subst_ctx ctx = { .st = st, .ret = ret };
		/* copyTemplates := st.templates: appends may write into
		 * st.templates' array beyond its length, as in Go */
		ctx.copyTemplates = st->templates;
		node *cp = ast_copy(st->d, ret, subst_copy, subst_skip, &ctx);
		return cp ? cp : ret;
	}
	advance(st, 1);
	bool verbose = forPrefix && st->len > 0 && (st->str[0] == 'C' || st->str[0] == 'D');
	node *a = stdAST(st, c, verbose);
	if (!a)
		fail(st);
	if (peek(st, 0) == 'B') {
		a = taggedName(st, a);
		subs_add(st, a);
	}
	return a;
}

/* ---- simplify ------------------------------------------------------------ */

static bool seen_skip(struct dm *d, void *ctx, node *a)
{
	return pset_add(d, ctx, a);
}

static node *simplifyOne(struct dm *d, void *ctx, node *a);

static node *simplify(struct dm *d, node *a)
{
	struct pset seen = { 0 };
	node *r = ast_copy(d, a, simplifyOne, seen_skip, &seen);
	return r ? r : a;
}

static node *mk_mwq(struct dm *d, node *method, node *quals, struct str ref)
{
	node *m = mk2(d, K_MethodWithQualifiers, method, quals);
	m->s = ref;
	return m;
}

struct pack_ctx {
	node *pack, *arg;
	struct pset seen;
};

static node *pack_copy(struct dm *d, void *vctx, node *sub)
{
	struct pack_ctx *ctx = vctx;
	(void)d;
	return sub == ctx->pack ? ctx->arg : NULL;
}

static bool pack_skip(struct dm *d, void *vctx, node *sub)
{
	struct pack_ctx *ctx = vctx;
	if (sub->kind == K_PackExpansion)
		return true;
	return pset_add(d, &ctx->seen, sub);
}

static node *simplifyOne(struct dm *d, void *ctx, node *a)
{
	(void)ctx;
	switch (a->kind) {
	case K_TemplateParam:
		if (a->ref && a->i1 < a->ref->l1.n)
			return a->ref->l1.v[a->i1];
		break;
	case K_MethodWithQualifiers: {
		node *m = a->c[0];
		if (m->kind == K_MethodWithQualifiers) {
			struct str ref = a->s;
			if (ref.n == 0)
				ref = m->s;
			else if (m->s.n != 0 && (str_eq(ref, "&") || str_eq(m->s, "&")))
				ref = S("&");
			return mk_mwq(d, m->c[0], mergeQualifiers(d, a->c[1], m->c[1]), ref);
		}
		if (m->kind == K_TypeWithQualifiers)
			return mk_mwq(d, m->c[0], mergeQualifiers(d, a->c[1], m->c[1]), a->s);
		break;
	}
	case K_TypeWithQualifiers: {
		node *b = a->c[0];
		if (b->kind == K_FunctionType)
			return mk_mwq(d, b, a->c[1], S(""));
		if (b->kind == K_TypeWithQualifiers)
			return mk2(d, K_TypeWithQualifiers, b->c[0],
				   mergeQualifiers(d, a->c[1], b->c[1]));
		if (b->kind == K_MethodWithQualifiers)
			return mk_mwq(d, b->c[0], mergeQualifiers(d, a->c[1], b->c[1]), b->s);
		break;
	}
	case K_ReferenceType:
		if (a->c[0]->kind == K_ReferenceType)
			return a->c[0];
		if (a->c[0]->kind == K_RvalueReferenceType)
			return mk1(d, K_ReferenceType, a->c[0]->c[0]);
		break;
	case K_RvalueReferenceType:
		if (a->c[0]->kind == K_RvalueReferenceType)
			return a->c[0];
		if (a->c[0]->kind == K_ReferenceType)
			return a->c[0];
		break;
	case K_ArrayType:
		if (a->c[1]->kind == K_TypeWithQualifiers) {
			node *q = a->c[1];
			return mk2(d, K_TypeWithQualifiers, mk2(d, K_ArrayType, a->c[0], q->c[0]),
				   q->c[1]);
		}
		break;
	case K_PackExpansion:
		if (a->ref) {
			node *el = mk(d, K_ExprList);
			node *pack = a->ref;
			el->l1.n = el->l1.cap = pack->l1.n;
			el->l1.v = pack->l1.n ? dm_alloc(d, (size_t)pack->l1.n * sizeof(node *)) :
						NULL;
			for (int i = 0; i < pack->l1.n; i++) {
				struct pack_ctx pc = { pack, pack->l1.v[i], { 0 } };
				node *b = ast_copy(d, a->c[0], pack_copy, pack_skip, &pc);
				if (!b)
					b = a->c[0];
				el->l1.v[i] = simplify(d, b);
			}
			return el;
		}
		break;
	default:
		break;
	}
	return NULL;
}

struct findpack_ctx {
	node *ret;
	struct pset seen;
};

static bool findpack_fn(struct dm *d, void *vctx, node *a)
{
	struct findpack_ctx *ctx = vctx;

	if (ctx->ret)
		return false;
	switch (a->kind) {
	case K_TemplateParam:
		if (!a->ref || a->i1 >= a->ref->l1.n)
			return true;
		if (a->ref->l1.v[a->i1]->kind == K_ArgumentPack) {
			ctx->ret = a->ref->l1.v[a->i1];
			return false;
		}
		break;
	case K_PackExpansion:
	case K_Closure:
	case K_Name:
	case K_TaggedName:
	case K_Operator:
	case K_BuiltinType:
	case K_FunctionParam:
	case K_UnnamedType:
	case K_FixedType:
	case K_DefaultArg:
		return false;
	default:
		break;
	}
	return !pset_add(d, &ctx->seen, a);
}

static node *findArgumentPack(struct state *st, node *a)
{
	struct findpack_ctx ctx = { NULL, { 0 } };
	traverse(st->d, a, findpack_fn, &ctx);
	return ctx.ret;
}

/* ---- printing (ast.go) --------------------------------------------------- */

struct ps {
	struct dm *d;
	bool tparams;
	char *buf;
	size_t len, cap;
	char last;
	struct list inner;
	struct list printing;
};

static void ps_raw(struct ps *ps, const char *s, size_t n)
{
	dm_burn(ps->d, (long)n);
	if (ps->len + n > FW_DM_MAX_OUTPUT)
		dm_throw(ps->d, DM_LIMIT);
	if (ps->len + n > ps->cap) {
		size_t cap = ps->cap ? ps->cap : 256;
		while (cap < ps->len + n)
			cap *= 2;
		char *b = dm_alloc(ps->d, cap);
		if (ps->len)
			memcpy(b, ps->buf, ps->len);
		ps->buf = b;
		ps->cap = cap;
	}
	memcpy(ps->buf + ps->len, s, n);
	ps->len += n;
}

static void writeByte(struct ps *ps, char b)
{
	ps->last = b;
	ps_raw(ps, &b, 1);
}

static void writeStr(struct ps *ps, struct str s)
{
	if (s.n > 0)
		ps->last = s.p[s.n - 1];
	ps_raw(ps, s.p, s.n);
}

static void writeString(struct ps *ps, const char *s)
{
	writeStr(ps, (struct str){ s, strlen(s) });
}

/* pre, the decimal v, post: as ps.writeString(fmt.Sprintf(...)) when
 * setLast, else as fmt.Fprintf(&ps.buf, ...), which leaves ps.last. */
static void ps_int(struct ps *ps, const char *pre, int v, const char *post, bool setLast)
{
	char b[80];
	int n = snprintf(b, sizeof(b), "%s%d%s", pre, v, post);
	if (setLast)
		writeStr(ps, (struct str){ b, (size_t)n });
	else
		ps_raw(ps, b, (size_t)n);
}

static void print_node(struct ps *ps, node *a);

/* printState.print: a node printed twice on the stack is skipped. */
static void ps_print(struct ps *ps, node *a)
{
	int c = 0;
	dm_burn(ps->d, ps->printing.n);
	for (int i = 0; i < ps->printing.n; i++) {
		if (ps->printing.v[i] == a && ++c > 1)
			return;
	}
	dm_enter(ps->d);
	list_append(ps->d, &ps->printing, a);
	print_node(ps, a);
	ps->printing.n--;
	dm_leave(ps->d);
}

static void inner_push(struct ps *ps, node *a)
{
	list_append(ps->d, &ps->inner, a);
}

static bool has_printInner(enum kind k)
{
	switch (k) {
	case K_Typed:
	case K_TypeWithQualifiers:
	case K_MethodWithQualifiers:
	case K_PointerType:
	case K_ReferenceType:
	case K_RvalueReferenceType:
	case K_ComplexType:
	case K_ImaginaryType:
	case K_VendorQualifier:
	case K_ArrayType:
	case K_FunctionType:
	case K_PtrMem:
	case K_VectorType:
	case K_NonTypeTemplateParam:
	case K_TemplateParamPack:
		return true;
	default:
		return false;
	}
}

static void printInnerOf(struct ps *ps, node *a);

static void printOneInner(struct ps *ps, struct list *save)
{
	if (ps->inner.n == 0)
		dm_throw(ps->d, DM_LIMIT); /* Go panics */
	node *a = ps->inner.v[--ps->inner.n];
	if (save && a->kind == K_MethodWithQualifiers) {
		list_append(ps->d, save, a);
		return;
	}
	if (has_printInner(a->kind))
		printInnerOf(ps, a);
	else
		ps_print(ps, a);
}

static struct list printInner(struct ps *ps, bool prefixOnly)
{
	struct list save = { 0 };
	while (ps->inner.n > 0)
		printOneInner(ps, prefixOnly ? &save : NULL);
	return save;
}

static bool isEmpty(struct ps *ps, node *a)
{
	switch (a->kind) {
	case K_ArgumentPack:
		for (int i = 0; i < a->l1.n; i++)
			if (!isEmpty(ps, a->l1.v[i]))
				return false;
		return true;
	case K_ExprList:
		return a->l1.n == 0;
	case K_PackExpansion:
		return a->ref && isEmpty(ps, a->c[0]);
	default:
		return false;
	}
}

static void printBase(struct ps *ps, node *qual, node *base)
{
	inner_push(ps, qual);
	ps_print(ps, base);
	if (ps->inner.n > 0) {
		printInnerOf(ps, qual);
		ps->inner.n--;
	}
}

static void printDimension(struct ps *ps, node *at)
{
	const char *space = " ";
	while (ps->inner.n > 0) {
		node *in = ps->inner.v[ps->inner.n - 1];
		if (in->kind == K_TypeWithQualifiers)
			in = in->c[0];
		if (in->kind == K_ArrayType) {
			if (in == ps->inner.v[ps->inner.n - 1])
				space = "";
			printOneInner(ps, NULL);
		} else {
			writeString(ps, " (");
			printInner(ps, false);
			writeByte(ps, ')');
		}
	}
	writeString(ps, space);
	writeByte(ps, '[');
	ps_print(ps, at->c[0]);
	writeByte(ps, ']');
}

static void printArgs(struct ps *ps, node *ft)
{
	bool paren = false, space = false;
	for (int i = ps->inner.n - 1; i >= 0; i--) {
		switch (ps->inner.v[i]->kind) {
		case K_PointerType:
		case K_ReferenceType:
		case K_RvalueReferenceType:
			paren = true;
			break;
		case K_TypeWithQualifiers:
		case K_ComplexType:
		case K_ImaginaryType:
		case K_PtrMem:
			space = true;
			paren = true;
			break;
		default:
			break;
		}
		if (paren)
			break;
	}
	if (paren) {
		if (!space && ps->last != '(' && ps->last != '*')
			space = true;
		if (space && ps->last != ' ')
			writeByte(ps, ' ');
		writeByte(ps, '(');
	}
	struct list save = printInner(ps, true);
	if (paren)
		writeByte(ps, ')');
	writeByte(ps, '(');
	bool first = true;
	for (int i = 0; i < ft->l1.n; i++) {
		node *a = ft->l1.v[i];
		if (isEmpty(ps, a))
			continue;
		if (!first)
			writeString(ps, ", ");
		ps_print(ps, a);
		first = false;
	}
	writeByte(ps, ')');
	ps->inner = save;
	printInner(ps, false);
}

static void printInnerOf(struct ps *ps, node *a)
{
	switch (a->kind) {
	case K_Typed:
		ps_print(ps, a->c[0]);
		break;
	case K_TypeWithQualifiers:
		writeByte(ps, ' ');
		ps_print(ps, a->c[1]);
		break;
	case K_MethodWithQualifiers:
		if (a->c[1]) {
			writeByte(ps, ' ');
			ps_print(ps, a->c[1]);
		}
		if (a->s.n) {
			writeByte(ps, ' ');
			writeStr(ps, a->s);
		}
		break;
	case K_PointerType:
		writeString(ps, "*");
		break;
	case K_ReferenceType:
		writeString(ps, "&");
		break;
	case K_RvalueReferenceType:
		writeString(ps, "&&");
		break;
	case K_ComplexType:
		writeString(ps, " _Complex");
		break;
	case K_ImaginaryType:
		writeString(ps, " _Imaginary");
		break;
	case K_VendorQualifier:
		writeByte(ps, ' ');
		ps_print(ps, a->c[0]);
		break;
	case K_ArrayType:
		printDimension(ps, a);
		break;
	case K_FunctionType:
		printArgs(ps, a);
		break;
	case K_PtrMem:
		if (ps->last != '(')
			writeByte(ps, ' ');
		ps_print(ps, a->c[0]);
		writeString(ps, "::*");
		break;
	case K_VectorType:
		writeString(ps, " __vector(");
		ps_print(ps, a->c[0]);
		writeByte(ps, ')');
		break;
	case K_NonTypeTemplateParam:
		ps_print(ps, a->c[0]);
		break;
	case K_TemplateParamPack:
		writeString(ps, "...");
		if (a->c[0]->kind == K_NonTypeTemplateParam)
			ps_print(ps, a->c[0]->c[0]);
		break;
	default:
		dm_throw(ps->d, DM_LIMIT);
	}
}

static void parenthesize(struct ps *ps, node *val)
{
	bool paren = false;
	switch (val->kind) {
	case K_Name:
	case K_InitializerList:
	case K_FunctionParam:
		break;
	case K_Qualified:
		paren = val->b1;
		break;
	default:
		paren = true;
	}
	if (paren)
		writeByte(ps, '(');
	ps_print(ps, val);
	if (paren)
		writeByte(ps, ')');
}

static bool op_is(node *op, const char *name)
{
	return op && str_eq(op->s, name);
}

static bool isDesignatedInitializer(node *x)
{
	if (x->kind == K_Binary && x->c[0]->kind == K_Operator) {
		node *op = x->c[0];
		if (op_is(op, "]="))
			return true;
		if (!op_is(op, "="))
			return false;
		if (x->c[1]->kind == K_Literal)
			return false;
		return true;
	}
	if (x->kind == K_Trinary && x->c[0]->kind == K_Operator)
		return op_is(x->c[0], "[...]=");
	return false;
}

static bool str_contains(struct str s, const char *sub)
{
	size_t m = strlen(sub);
	for (size_t i = 0; i + m <= s.n; i++)
		if (memcmp(s.p + i, sub, m) == 0)
			return true;
	return false;
}

static void print_unary(struct ps *ps, node *u)
{
	node *op = u->c[0]->kind == K_Operator ? u->c[0] : NULL;
	node *expr = u->c[1];

	if (op && op_is(op, "&") && expr->kind == K_Typed && expr->c[1]->kind == K_FunctionType)
		expr = expr->c[0];
	if (u->b1)
		parenthesize(ps, expr);
	if (op) {
		writeStr(ps, op->s);
	} else if (u->c[0]->kind == K_Cast) {
		writeByte(ps, '(');
		ps_print(ps, u->c[0]->c[0]);
		writeByte(ps, ')');
	} else {
		ps_print(ps, u->c[0]);
	}
	if (!u->b1) {
		if (op && op_is(op, "::")) {
			ps_print(ps, expr);
		} else if (u->b2) {
			writeByte(ps, '(');
			ps_print(ps, expr);
			writeByte(ps, ')');
		} else if (op && op_is(op, "__alignof__")) {
			writeByte(ps, '(');
			ps_print(ps, expr);
			writeByte(ps, ')');
		} else {
			parenthesize(ps, expr);
		}
	}
}

static void print_binary(struct ps *ps, node *b)
{
	node *op = b->c[0]->kind == K_Operator ? b->c[0] : NULL;

	if (op && str_contains(op->s, "cast")) {
		writeStr(ps, op->s);
		writeByte(ps, '<');
		ps_print(ps, b->c[1]);
		writeString(ps, ">(");
		ps_print(ps, b->c[2]);
		writeByte(ps, ')');
		return;
	}
	if (isDesignatedInitializer(b)) {
		if (op_is(op, "="))
			writeByte(ps, '.');
		else
			writeByte(ps, '[');
		ps_print(ps, b->c[1]);
		if (op_is(op, "]="))
			writeByte(ps, ']');
		if (isDesignatedInitializer(b->c[2])) {
			ps_print(ps, b->c[2]);
		} else {
			writeByte(ps, '=');
			parenthesize(ps, b->c[2]);
		}
		return;
	}
	if (op && op_is(op, ">"))
		writeByte(ps, '(');
	node *left = b->c[1];
	bool skipParens = false;
	if (op && op_is(op, "()")) {
		node *ty = b->c[1];
		if (ty->kind == K_Typed) {
			if (ty->c[1]->kind == K_FunctionType) {
				if (!ty->c[1]->c[0])
					left = ty->c[0];
				else
					skipParens = true;
			} else {
				left = ty->c[0];
			}
		}
	}
	if (skipParens)
		ps_print(ps, left);
	else
		parenthesize(ps, left);
	if (op && op_is(op, "[]")) {
		writeByte(ps, '[');
		ps_print(ps, b->c[2]);
		writeByte(ps, ']');
		return;
	}
	if (op) {
		if (!op_is(op, "()"))
			writeStr(ps, op->s);
	} else {
		ps_print(ps, b->c[0]);
	}
	parenthesize(ps, b->c[2]);
	if (op && op_is(op, ">"))
		writeByte(ps, ')');
}

static void print_fold(struct ps *ps, node *f)
{
	node *op = f->c[0]->kind == K_Operator ? f->c[0] : NULL;
#define PRINTOP() (op ? writeStr(ps, op->s) : ps_print(ps, f->c[0]))
	if (!f->c[2]) {
		if (f->b1) {
			writeString(ps, "(...");
			PRINTOP();
			parenthesize(ps, f->c[1]);
			writeString(ps, ")");
		} else {
			writeString(ps, "(");
			parenthesize(ps, f->c[1]);
			PRINTOP();
			writeString(ps, "...)");
		}
	} else {
		writeString(ps, "(");
		parenthesize(ps, f->c[1]);
		PRINTOP();
		writeString(ps, "...");
		PRINTOP();
		parenthesize(ps, f->c[2]);
		writeString(ps, ")");
	}
#undef PRINTOP
}

static void print_literal(struct ps *ps, node *l)
{
	bool isFloat = false;
	node *t = l->c[0];
	if (t->kind == K_BuiltinType) {
		static const char *const sfx[][2] = {
			{ "int", "" }, { "unsigned int", "u" }, { "long", "l" },
			{ "unsigned long", "ul" }, { "long long", "ll" },
			{ "unsigned long long", "ull" },
		};
		for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
			if (str_eq(t->s, sfx[i][0])) {
				if (l->b1)
					writeByte(ps, '-');
				writeStr(ps, l->s);
				writeString(ps, sfx[i][1]);
				return;
			}
		}
		if (str_eq(t->s, "bool") && !l->b1) {
			if (str_eq(l->s, "0")) {
				writeString(ps, "false");
				return;
			}
			if (str_eq(l->s, "1")) {
				writeString(ps, "true");
				return;
			}
		} else if (str_eq(t->s, "decltype(nullptr)") && l->s.n == 0) {
			ps_print(ps, t);
			return;
		} else {
			isFloat = str_eq(t->s, "double") || str_eq(t->s, "long double") ||
				  str_eq(t->s, "float") || str_eq(t->s, "__float128") ||
				  str_eq(t->s, "half");
		}
	}
	writeByte(ps, '(');
	ps_print(ps, t);
	writeByte(ps, ')');
	if (isFloat)
		writeByte(ps, '[');
	if (l->b1)
		writeByte(ps, '-');
	writeStr(ps, l->s);
	if (isFloat)
		writeByte(ps, ']');
}

static void printClosureTypes(struct ps *ps, node *cl)
{
	if (cl->l1.n > 0) {
		writeString(ps, "<");
		for (int i = 0; i < cl->l1.n; i++) {
			if (i > 0)
				writeString(ps, ", ");
			ps_print(ps, cl->l1.v[i]);
		}
		writeString(ps, ">");
	}
	writeString(ps, "(");
	for (int i = 0; i < cl->l2.n; i++) {
		if (i > 0)
			writeString(ps, ", ");
		ps_print(ps, cl->l2.v[i]);
	}
	writeString(ps, ")");
}

static void print_list(struct ps *ps, struct list l)
{
	for (int i = 0; i < l.n; i++) {
		if (i > 0)
			writeString(ps, ", ");
		ps_print(ps, l.v[i]);
	}
}

static void print_node(struct ps *ps, node *a)
{
	switch (a->kind) {
	case K_Name:
	case K_BuiltinType:
		writeStr(ps, a->s);
		break;
	case K_Typed: {
		struct list hold = ps->inner;
		ps->inner = list1(ps->d, a);
		ps_print(ps, a->c[1]);
		if (ps->inner.n > 0) {
			writeByte(ps, ' ');
			ps_print(ps, a->c[0]);
		}
		ps->inner = hold;
		break;
	}
	case K_Qualified:
		ps_print(ps, a->c[0]);
		writeString(ps, "::");
		ps_print(ps, a->c[1]);
		break;
	case K_Template: {
		struct list hold = ps->inner;
		ps->inner = (struct list){ 0 };
		ps_print(ps, a->c[0]);
		if (ps->tparams) {
			if (ps->last == '<')
				writeByte(ps, ' ');
			writeByte(ps, '<');
			bool first = true;
			for (int i = 0; i < a->l1.n; i++) {
				if (isEmpty(ps, a->l1.v[i]))
					continue;
				if (!first)
					writeString(ps, ", ");
				ps_print(ps, a->l1.v[i]);
				first = false;
			}
			if (ps->last == '>')
				writeByte(ps, ' ');
			writeByte(ps, '>');
		}
		ps->inner = hold;
		break;
	}
	case K_TemplateParam:
		if (!a->ref || a->i1 >= a->ref->l1.n)
			dm_throw(ps->d, DM_LIMIT); /* Go panics */
		ps_print(ps, a->ref->l1.v[a->i1]);
		break;
	case K_LambdaAuto:
		ps_int(ps, "auto:", a->i1 + 1, "", false);
		break;
	case K_Qualifiers:
		for (int i = 0; i < a->l1.n; i++) {
			if (i > 0)
				writeByte(ps, ' ');
			dm_enter(ps->d);
			print_node(ps, a->l1.v[i]);
			dm_leave(ps->d);
		}
		break;
	case K_Qualifier:
		writeStr(ps, a->s);
		if (a->l1.n > 0) {
			writeByte(ps, '(');
			bool first = true;
			for (int i = 0; i < a->l1.n; i++) {
				node *e = a->l1.v[i];
				if (e->kind == K_ExprList && e->l1.n == 0)
					continue;
				if (!first)
					writeString(ps, ", ");
				ps_print(ps, e);
				first = false;
			}
			writeByte(ps, ')');
		}
		break;
	case K_TypeWithQualifiers:
		inner_push(ps, a);
		ps_print(ps, a->c[0]);
		if (ps->inner.n > 0) {
			writeByte(ps, ' ');
			ps_print(ps, a->c[1]);
			ps->inner.n--;
		}
		break;
	case K_MethodWithQualifiers:
		inner_push(ps, a);
		ps_print(ps, a->c[0]);
		if (ps->inner.n > 0) {
			if (a->c[1]) {
				writeByte(ps, ' ');
				ps_print(ps, a->c[1]);
			}
			if (a->s.n) {
				writeByte(ps, ' ');
				writeStr(ps, a->s);
			}
			ps->inner.n--;
		}
		break;
	case K_PointerType:
	case K_ReferenceType:
	case K_RvalueReferenceType:
	case K_ComplexType:
	case K_ImaginaryType:
		printBase(ps, a, a->c[0]);
		break;
	case K_VendorQualifier:
		inner_push(ps, a);
		ps_print(ps, a->c[1]);
		if (ps->inner.n > 0)
			printOneInner(ps, NULL);
		break;
	case K_ArrayType:
		inner_push(ps, a);
		ps_print(ps, a->c[1]);
		if (ps->inner.n > 0) {
			ps->inner.n--;
			printDimension(ps, a);
		}
		break;
	case K_FunctionType: {
		node *retType = a->b1 ? NULL : a->c[0];
		if (retType) {
			inner_push(ps, a);
			ps_print(ps, retType);
			if (ps->inner.n == 0)
				break;
			ps->inner.n--;
			writeByte(ps, ' ');
		}
		printArgs(ps, a);
		break;
	}
	case K_FunctionParam:
		if (a->i1 == 0)
			writeString(ps, "this");
		else
			ps_int(ps, "{parm#", a->i1, "}", false);
		break;
	case K_PtrMem:
		inner_push(ps, a);
		ps_print(ps, a->c[1]);
		if (ps->inner.n > 0)
			printOneInner(ps, NULL);
		break;
	case K_FixedType:
		if (a->b2)
			writeString(ps, "_Sat ");
		if (!(a->c[0]->kind == K_BuiltinType && str_eq(a->c[0]->s, "int"))) {
			ps_print(ps, a->c[0]);
			writeByte(ps, ' ');
		}
		writeString(ps, a->b1 ? "_Accum" : "_Fract");
		break;
	case K_BinaryFP:
		ps_int(ps, "_Float", a->i1, "", false);
		break;
	case K_VectorType:
		inner_push(ps, a);
		ps_print(ps, a->c[1]);
		if (ps->inner.n > 0)
			printOneInner(ps, NULL);
		break;
	case K_ElaboratedType:
		writeStr(ps, a->s);
		writeString(ps, " ");
		dm_enter(ps->d);
		print_node(ps, a->c[0]);
		dm_leave(ps->d);
		break;
	case K_Decltype:
		writeString(ps, "decltype");
		writeString(ps, " ");
		writeString(ps, "(");
		ps_print(ps, a->c[0]);
		writeByte(ps, ')');
		break;
	case K_Operator: {
		writeString(ps, "operator");
		if (a->s.n == 0)
			dm_throw(ps->d, DM_LIMIT); /* Go: index out of range */
		if (isLower((unsigned char)a->s.p[0]))
			writeByte(ps, ' ');
		struct str n = a->s;
		if (n.n > 0 && n.p[n.n - 1] == ' ')
			n.n--;
		writeStr(ps, n);
		break;
	}
	case K_Constructor:
		ps_print(ps, a->c[0]);
		break;
	case K_Destructor:
		writeByte(ps, '~');
		ps_print(ps, a->c[0]);
		break;
	case K_GlobalCDtor:
		writeString(ps, "global ");
		writeString(ps, a->b1 ? "constructors" : "destructors");
		writeString(ps, " keyed to ");
		ps_print(ps, a->c[0]);
		break;
	case K_TaggedName:
		ps_print(ps, a->c[0]);
		writeString(ps, "[abi:");
		ps_print(ps, a->c[1]);
		writeByte(ps, ']');
		break;
	case K_PackExpansion:
		if (!a->ref) {
			parenthesize(ps, a->c[0]);
			writeString(ps, "...");
		} else {
			ps_print(ps, a->c[0]);
		}
		break;
	case K_ArgumentPack:
	case K_ExprList:
		print_list(ps, a->l1);
		break;
	case K_SizeofPack:
		ps_int(ps, "", a->ref->l1.n, "", true);
		break;
	case K_SizeofArgs: {
		int c = 0;
		for (int i = 0; i < a->l1.n; i++) {
			node *x = a->l1.v[i];
			if (x->kind == K_ArgumentPack || x->kind == K_ExprList)
				c += x->l1.n;
			else
				c++;
		}
		ps_int(ps, "", c, "", true);
		break;
	}
	case K_TemplateParamName:
		writeStr(ps, a->s);
		if (a->i1 > 0)
			ps_int(ps, "", a->i1 - 1, "", true);
		break;
	case K_TypeTemplateParam:
		writeString(ps, "typename ");
		printInner(ps, false);
		ps_print(ps, a->c[0]);
		break;
	case K_NonTypeTemplateParam:
		inner_push(ps, a);
		ps_print(ps, a->c[1]);
		if (ps->inner.n > 0) {
			writeByte(ps, ' ');
			ps_print(ps, a->c[0]);
			ps->inner.n--;
		}
		break;
	case K_TemplateTemplateParam:
		writeString(ps, "template<");
		print_list(ps, a->l1);
		writeString(ps, "> typename ");
		ps_print(ps, a->c[0]);
		break;
	case K_TemplateParamPack: {
		struct list hold = ps->inner;
		ps->inner = list1(ps->d, a);
		if (a->c[0]->kind == K_NonTypeTemplateParam)
			ps_print(ps, a->c[0]->c[1]);
		else
			ps_print(ps, a->c[0]);
		if (ps->inner.n > 0)
			writeString(ps, "...");
		ps->inner = hold;
		break;
	}
	case K_Cast:
		writeString(ps, "operator ");
		ps_print(ps, a->c[0]);
		break;
	case K_Nullary:
		if (a->c[0]->kind == K_Operator)
			writeStr(ps, a->c[0]->s);
		else
			ps_print(ps, a->c[0]);
		break;
	case K_Unary:
		print_unary(ps, a);
		break;
	case K_Binary:
		print_binary(ps, a);
		break;
	case K_Trinary:
		if (isDesignatedInitializer(a)) {
			writeByte(ps, '[');
			ps_print(ps, a->c[1]);
			writeString(ps, " ... ");
			ps_print(ps, a->c[2]);
			writeByte(ps, ']');
			if (isDesignatedInitializer(a->c[3])) {
				ps_print(ps, a->c[3]);
			} else {
				writeByte(ps, '=');
				parenthesize(ps, a->c[3]);
			}
			break;
		}
		parenthesize(ps, a->c[1]);
		writeByte(ps, '?');
		parenthesize(ps, a->c[2]);
		writeString(ps, " : ");
		parenthesize(ps, a->c[3]);
		break;
	case K_Fold:
		print_fold(ps, a);
		break;
	case K_Subobject:
		ps_print(ps, a->c[1]);
		writeString(ps, ".<");
		ps_print(ps, a->c[0]);
		ps_int(ps, " at offset ", a->i1, ">", true);
		break;
	case K_PtrMemCast:
		writeString(ps, "(");
		ps_print(ps, a->c[0]);
		writeString(ps, ")(");
		ps_print(ps, a->c[1]);
		writeString(ps, ")");
		break;
	case K_New:
		writeString(ps, "new ");
		if (a->c[1]) {
			parenthesize(ps, a->c[1]);
			writeByte(ps, ' ');
		}
		ps_print(ps, a->c[2]);
		if (a->c[3])
			parenthesize(ps, a->c[3]);
		break;
	case K_Literal:
		print_literal(ps, a);
		break;
	case K_StringLiteral:
		writeString(ps, "\"<");
		dm_enter(ps->d);
		print_node(ps, a->c[0]);
		dm_leave(ps->d);
		writeString(ps, ">\"");
		break;
	case K_LambdaExpr:
		writeString(ps, "[]");
		if (a->c[0]->kind == K_Closure)
			printClosureTypes(ps, a->c[0]);
		writeString(ps, "{...}");
		break;
	case K_InitializerList:
		if (a->c[0])
			ps_print(ps, a->c[0]);
		writeByte(ps, '{');
		ps_print(ps, a->c[1]);
		writeByte(ps, '}');
		break;
	case K_DefaultArg:
		ps_int(ps, "{default arg#", a->i1 + 1, "}::", false);
		ps_print(ps, a->c[0]);
		break;
	case K_Closure:
		writeString(ps, "{lambda");
		printClosureTypes(ps, a);
		ps_int(ps, "#", a->i1 + 1, "}", true);
		break;
	case K_StructuredBindings:
		writeString(ps, "[");
		for (int i = 0; i < a->l1.n; i++) {
			if (i > 0)
				writeString(ps, ", ");
			dm_enter(ps->d);
			print_node(ps, a->l1.v[i]);
			dm_leave(ps->d);
		}
		writeString(ps, "]");
		break;
	case K_UnnamedType:
		ps_int(ps, "{unnamed type#", a->i1 + 1, "}", true);
		break;
	case K_Clone:
		ps_print(ps, a->c[0]);
		writeString(ps, " [clone ");
		writeStr(ps, a->s);
		writeString(ps, "]");
		break;
	case K_Special:
		writeStr(ps, a->s);
		ps_print(ps, a->c[0]);
		break;
	case K_Special2:
		writeStr(ps, a->s);
		ps_print(ps, a->c[0]);
		writeStr(ps, a->s2);
		ps_print(ps, a->c[1]);
		break;
	case K_EnableIf: {
		ps_print(ps, a->c[0]);
		writeString(ps, " [enable_if:");
		bool first = true;
		for (int i = 0; i < a->l1.n; i++) {
			if (!first)
				writeString(ps, ", ");
			ps_print(ps, a->l1.v[i]);
			first = false;
		}
		writeString(ps, "]");
		break;
	}
	case K__COUNT:
		dm_throw(ps->d, DM_LIMIT);
	}
}

/* ---- entry points (demangle.go) ------------------------------------------ */

struct opts {
	bool noParams, noTemplateParams, noClones;
};

static void state_init(struct state *st, struct dm *d, const char *s, size_t n, int off)
{
	memset(st, 0, sizeof(*st));
	st->d = d;
	st->str = s;
	st->len = n;
	st->off = off;
}

/* doDemangle: the AST of the name after "_Z". */
static node *doDemangle(struct dm *d, const char *s, size_t n, struct opts o)
{
	bool params = !o.noParams, clones = !o.noParams && !o.noClones;
	struct state st;

	state_init(&st, d, s, n, 0);
	node *a = encoding(&st, params, notForLocalName);
	if (clones) {
		while (st.len > 1 && st.str[0] == '.' &&
		       (isLower(st.str[1]) || st.str[1] == '_' || isDigit(st.str[1])))
			a = cloneSuffix(&st, a);
	}
	if (clones && st.len > 0)
		fail(&st);
	return a;
}

static node *globalCDtorName(struct dm *d, const char *s, size_t n, struct opts o)
{
	if (n < 4)
		dm_throw(d, DM_ERR);
	if (s[0] != '.' && s[0] != '_' && s[0] != '$')
		dm_throw(d, DM_ERR);
	bool ctor;
	if (s[1] == 'I')
		ctor = true;
	else if (s[1] == 'D')
		ctor = false;
	else
		dm_throw(d, DM_ERR);
	if (s[2] != '_')
		dm_throw(d, DM_ERR);
	node *key;
	if (!has_prefix(s + 3, n - 3, "_Z"))
		key = mk_name(d, (struct str){ s, n });
	else
		key = doDemangle(d, s + 5, n - 5, o);
	node *g = mk1(d, K_GlobalCDtor, key);
	g->b1 = ctor;
	return g;
}

/* ToAST */
static node *toAST(struct dm *d, const char *s, size_t n, struct opts o)
{
	if (has_prefix(s, n, "_Z"))
		return doDemangle(d, s + 2, n - 2, o);
	if (has_prefix(s, n, "___Z")) {
		/* strings.LastIndex(name, "_block_invoke") */
		const char *bi = "_block_invoke";
		size_t bl = strlen(bi), block = 0;
		bool found = false;
		for (size_t i = n >= bl ? n - bl + 1 : 0; i-- > 0;) {
			if (memcmp(s + i, bi, bl) == 0) {
				block = i;
				found = true;
				break;
			}
		}
		if (!found || block < 4)
			dm_throw(d, DM_ERR);
		node *a = doDemangle(d, s + 4, block - 4, o);
		size_t i = block + bl;
		if (i < n && s[i] == '_')
			i++;
		while (i < n && isDigit(s[i]))
			i++;
		if (i < n && s[i] != '.')
			dm_throw(d, DM_ERR);
		node *sp = mk1(d, K_Special, a);
		sp->s = S("invocation function for block in ");
		return sp;
	}
	if (has_prefix(s, n, "_GLOBAL_")) {
		/* The standard demangler ignores NoParams for global
		 * constructors. */
		o.noParams = false;
		return globalCDtorName(d, s + 8, n - 8, o);
	}
	dm_throw(d, DM_ERR);
}

static bool oldRustToString(struct dm *d, const char *s, size_t n, struct ps *out);
static void rustToString(struct dm *d, const char *s, size_t n, struct ps *out);

static bool is_old_rust(const char *s, size_t n, size_t *rlen)
{
	if (!has_prefix(s, n, "_ZN"))
		return false;
	size_t r = n;
	/* strings.LastIndex(rname, "E.") > 0 */
	for (size_t i = n >= 2 ? n - 1 : 0; i-- > 0;) {
		if (s[i] == 'E' && s[i + 1] == '.') {
			if (i > 0)
				r = i + 1;
			break;
		}
	}
	*rlen = r;
	return s[r - 1] == 'E' && r > 23 && memcmp(s + r - 20, "17h", 3) == 0;
}

int fw_demangle(const char *name, size_t n, enum fw_dm_mode mode, struct fw_buf *out)
{
	struct opts o = { 0 };
	switch (mode) {
	case FW_DM_DEFAULT:
		o.noParams = o.noTemplateParams = true;
		break;
	case FW_DM_TEMPLATES:
		o.noParams = true;
		break;
	case FW_DM_FULL:
		o.noClones = true;
		break;
	case FW_DM_NONE:
		break;
	}
	if (n < 2 || name[0] != '_' || n > FW_DM_MAX_INPUT)
		return 0;
	if (!has_prefix(name, n, "_R") && !has_prefix(name, n, "_Z") &&
	    !has_prefix(name, n, "___Z") && !has_prefix(name, n, "_GLOBAL_"))
		return 0;

	/* Everything longjmp leaves behind lives outside this frame. */
	struct run {
		struct dm d;
		struct ps ps;
		jmp_buf jb;
		int rc;
	} *r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->d.jb = &r->jb;
	r->d.fuel = DM_FUEL_BASE + DM_FUEL_PER_BYTE * (long)n;
	if (r->d.fuel > DM_FUEL_MAX)
		r->d.fuel = DM_FUEL_MAX;
	r->ps.d = &r->d;
	r->ps.tparams = !o.noTemplateParams;
	int code = setjmp(r->jb);
	if (code == 0) {
		struct ps *ps = &r->ps;
		size_t rlen;
		bool done = false;
		if (has_prefix(name, n, "_R")) {
			rustToString(&r->d, name, n, ps);
			done = true;
		} else if (is_old_rust(name, n, &rlen)) {
			done = oldRustToString(&r->d, name, rlen, ps);
		}
		if (!done) {
			ps->len = 0;
			ps->last = 0;
			node *a = toAST(&r->d, name, n, o);
			print_node(ps, a);
		}
		if (ps->len != n || (n && memcmp(ps->buf, name, n) != 0)) {
			if (ps->len)
				fw_buf_putn(out, ps->buf, ps->len);
			r->rc = out->failed ? -ENOMEM : 1;
		}
	} else if (code == DM_NOMEM) {
		r->rc = -ENOMEM;
	}
	int rc = r->rc;
	dm_free(&r->d);
	free(r);
	return rc;
}

/* ---- Rust (rust.go) ------------------------------------------------------ */

/* Go 1.19's Rust demangler ignores every option but LLVMStyle (never
 * passed by pprof): v0 names come out whole in every mode. */
struct rst {
	struct dm *d;
	struct ps *out;
	const char *orig; /* the name after "_R", before its first '.' */
	const char *str;  /* remainder */
	size_t len;
	int64_t off;
	bool skip;	   /* don't print, just skip */
	int64_t lifetimes; /* number of bound lifetimes */
	char last;
};

static _Noreturn void rfail(struct rst *r)
{
	dm_throw(r->d, DM_ERR);
}

static void radvance(struct rst *r, size_t add)
{
	if (r->len < add)
		dm_throw(r->d, DM_LIMIT); /* Go: panic("internal error") */
	r->str += add;
	r->len -= add;
	r->off += (int64_t)add;
}

static int rpeek(struct rst *r)
{
	return r->len > 0 ? (unsigned char)r->str[0] : -1;
}

static void rcheckChar(struct rst *r, char c)
{
	if (r->len == 0 || r->str[0] != c)
		rfail(r);
	radvance(r, 1);
}

static void rwriteByte(struct rst *r, char c)
{
	if (r->skip)
		return;
	r->last = c;
	ps_raw(r->out, &c, 1);
}

static void rwrite(struct rst *r, const char *s, size_t n)
{
	if (r->skip || n == 0)
		return;
	r->last = s[n - 1];
	ps_raw(r->out, s, n);
}

static void rwriteString(struct rst *r, const char *s)
{
	rwrite(r, s, strlen(s));
}

/* fmt.Fprintf(&rst.buf, ...) then rst.last = last */
static void rprintf_i64(struct rst *r, const char *pre, int64_t v, const char *post, char last)
{
	if (r->skip)
		return;
	char b[64];
	int n = snprintf(b, sizeof(b), "%s%lld%s", pre, (long long)v, post);
	ps_raw(r->out, b, (size_t)n);
	r->last = last;
}

static void rpath(struct rst *r, bool needsSeparator);
static void rdemangleType(struct rst *r);
static void rgenericArg(struct rst *r);
static void rdemangleConst(struct rst *r);
static bool rpathStartGenerics(struct rst *r);
static int64_t base62Number(struct rst *r);

static int64_t wrap_add(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}

static int64_t wrap_sub(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a - (uint64_t)b);
}

static int64_t disambiguator(struct rst *r)
{
	if (rpeek(r) != 's')
		return 0;
	radvance(r, 1);
	return wrap_add(base62Number(r), 1);
}

static int decimalNumber(struct rst *r)
{
	if (r->len == 0)
		rfail(r);
	int val = 0;
	while (r->len > 0 && isDigit(r->str[0])) {
		int add = r->str[0] - '0';
		if (val >= 2147483647 / 10 - add)
			rfail(r);
		val = val * 10 + add;
		radvance(r, 1);
	}
	return val;
}

static void put_utf8(char *b, size_t *n, uint32_t c)
{
	if (c < 0x80) {
		b[(*n)++] = (char)c;
	} else if (c < 0x800) {
		b[(*n)++] = (char)(0xC0 | (c >> 6));
		b[(*n)++] = (char)(0x80 | (c & 0x3F));
	} else if (c < 0x10000) {
		b[(*n)++] = (char)(0xE0 | (c >> 12));
		b[(*n)++] = (char)(0x80 | ((c >> 6) & 0x3F));
		b[(*n)++] = (char)(0x80 | (c & 0x3F));
	} else {
		b[(*n)++] = (char)(0xF0 | (c >> 18));
		b[(*n)++] = (char)(0x80 | ((c >> 12) & 0x3F));
		b[(*n)++] = (char)(0x80 | ((c >> 6) & 0x3F));
		b[(*n)++] = (char)(0x80 | (c & 0x3F));
	}
}

/* RFC 3492 section 6.2, as rust.go's expandPunycode. */
static struct str expandPunycode(struct rst *r, struct str s)
{
	enum { base = 36, tmin = 1, tmax = 26, skew = 38, damp = 700, initialBias = 72,
	       initialN = 128 };
	uint32_t *output = dm_alloc(r->d, (s.n + 1) * sizeof(*output));
	size_t nout = 0;
	const char *enc = s.p;
	size_t enclen = s.n;

	for (size_t k = s.n; k-- > 0;) {
		if (s.p[k] == '_') {
			for (size_t j = 0; j < k; j++)
				output[nout++] = (unsigned char)s.p[j];
			enc = s.p + k + 1;
			enclen = s.n - k - 1;
			break;
		}
	}
	int64_t i = 0, n = initialN, bias = initialBias;
	size_t pos = 0;
	while (pos < enclen) {
		int64_t oldI = i, w = 1;
		for (int64_t k = base;; k += base) {
			if (pos == enclen)
				rfail(r);
			int64_t digit;
			char dch = enc[pos++];
			if (dch >= '0' && dch <= '9')
				digit = dch - '0' + 26;
			else if (dch >= 'A' && dch <= 'Z')
				digit = dch - 'A';
			else if (dch >= 'a' && dch <= 'z')
				digit = dch - 'a';
			else
				rfail(r);
			i += digit * w;
			if (i < 0)
				rfail(r);
			int64_t t;
			if (k <= bias)
				t = tmin;
			else if (k > bias + tmax)
				t = tmax;
			else
				t = k - bias;
			if (digit < t)
				break;
			if (w >= 2147483647 / base)
				rfail(r);
			w *= base - t;
		}
		int64_t delta = i - oldI;
		int64_t numPoints = (int64_t)nout + 1;
		if (oldI == 0)
			delta /= damp;
		else
			delta /= 2;
		delta += delta / numPoints;
		int64_t k = 0;
		while (delta > ((base - tmin) * tmax) / 2) {
			delta /= base - tmin;
			k += base;
		}
		bias = k + ((base - tmin + 1) * delta) / (delta + skew);
		n += i / ((int64_t)nout + 1);
		if (n > 0x10FFFF)
			rfail(r);
		else if (n >= 0xD800 && n <= 0xDFFF)
			rfail(r);
		i %= (int64_t)nout + 1;
		dm_burn(r->d, (long)nout);
		memmove(output + i + 1, output + i, (nout - (size_t)i) * sizeof(*output));
		output[i] = (uint32_t)n;
		nout++;
		i++;
		if (nout > s.n)
			dm_throw(r->d, DM_LIMIT); /* cannot happen: a digit a point */
	}
	char *b = dm_alloc(r->d, 4 * nout + 1);
	size_t bn = 0;
	for (size_t j = 0; j < nout; j++)
		put_utf8(b, &bn, output[j]);
	return (struct str){ b, bn };
}

static struct str undisambiguatedIdentifier(struct rst *r, bool *isPunycode)
{
	*isPunycode = false;
	if (rpeek(r) == 'u') {
		radvance(r, 1);
		*isPunycode = true;
	}
	int val = decimalNumber(r);
	if (rpeek(r) == '_')
		radvance(r, 1);
	if (r->len < (size_t)val)
		rfail(r);
	struct str id = { r->str, (size_t)val };
	radvance(r, (size_t)val);
	for (size_t i = 0; i < id.n; i++) {
		char c = id.p[i];
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      c == '_'))
			rfail(r);
	}
	if (*isPunycode)
		id = expandPunycode(r, id);
	return id;
}

static struct str identifier(struct rst *r, int64_t *dis)
{
	bool p;
	*dis = disambiguator(r);
	return undisambiguatedIdentifier(r, &p);
}

static void implPath(struct rst *r)
{
	bool hold = r->skip;
	r->skip = true;
	disambiguator(r);
	rpath(r, false);
	r->skip = hold;
}

enum backref_what { BR_PATH, BR_TYPE, BR_CONST, BR_STARTGENERICS };

/* backref: runs what on the bytes the index points back to. */
static bool backref(struct rst *r, enum backref_what what, bool needsSeparator)
{
	int64_t backoff = r->off;
	bool started = false;

	rcheckChar(r, 'B');
	int64_t idx = base62Number(r);
	if (r->skip)
		return false;
	if (idx < 0 || idx >= backoff)
		rfail(r);
	const char *holdStr = r->str;
	size_t holdLen = r->len;
	int64_t holdOff = r->off;
	r->str = r->orig + idx;
	r->len = (size_t)(backoff - idx);
	r->off = idx;
	switch (what) {
	case BR_PATH:
		rpath(r, needsSeparator);
		break;
	case BR_TYPE:
		rdemangleType(r);
		break;
	case BR_CONST:
		rdemangleConst(r);
		break;
	case BR_STARTGENERICS:
		started = rpathStartGenerics(r);
		break;
	}
	r->str = holdStr;
	r->len = holdLen;
	r->off = holdOff;
	return started;
}

static void rpath(struct rst *r, bool needsSeparator)
{
	dm_enter(r->d);
	if (r->len < 1)
		rfail(r);
	int c = (unsigned char)r->str[0];
	switch (c) {
	case 'C': {
		radvance(r, 1);
		int64_t dis;
		struct str ident = identifier(r, &dis);
		rwrite(r, ident.p, ident.n);
		break;
	}
	case 'M':
	case 'X':
		radvance(r, 1);
		implPath(r);
		rwriteByte(r, '<');
		rdemangleType(r);
		if (c == 'X') {
			rwriteString(r, " as ");
			rpath(r, false);
		}
		rwriteByte(r, '>');
		break;
	case 'Y':
		radvance(r, 1);
		rwriteByte(r, '<');
		rdemangleType(r);
		rwriteString(r, " as ");
		rpath(r, false);
		rwriteByte(r, '>');
		break;
	case 'N': {
		radvance(r, 1);
		if (r->len < 1)
			rfail(r);
		int ns = (unsigned char)r->str[0];
		if (!isLower(ns) && !isUpper(ns))
			rfail(r);
		radvance(r, 1);
		rpath(r, needsSeparator);
		int64_t dis;
		struct str ident = identifier(r, &dis);
		if (isUpper(ns)) {
			rwriteString(r, "::{");
			if (ns == 'C')
				rwriteString(r, "closure");
			else if (ns == 'S')
				rwriteString(r, "shim");
			else
				rwriteByte(r, (char)ns);
			if (ident.n > 0) {
				rwriteByte(r, ':');
				rwrite(r, ident.p, ident.n);
			}
			rprintf_i64(r, "#", dis, "}", '}');
		} else {
			rwriteString(r, "::");
			rwrite(r, ident.p, ident.n);
		}
		break;
	}
	case 'I': {
		radvance(r, 1);
		rpath(r, needsSeparator);
		if (needsSeparator)
			rwriteString(r, "::");
		rwriteByte(r, '<');
		bool first = true;
		while (r->len > 0 && r->str[0] != 'E') {
			if (first)
				first = false;
			else
				rwriteString(r, ", ");
			rgenericArg(r);
		}
		rwriteByte(r, '>');
		rcheckChar(r, 'E');
		break;
	}
	case 'B':
		backref(r, BR_PATH, needsSeparator);
		break;
	default:
		rfail(r);
	}
	dm_leave(r->d);
}

static void writeLifetime(struct rst *r, int64_t lifetime)
{
	rwriteByte(r, '\'');
	if (lifetime == 0) {
		rwriteByte(r, '_');
		return;
	}
	int64_t depth = wrap_sub(r->lifetimes, lifetime);
	if (depth < 0) {
		rfail(r);
	} else if (depth < 26) {
		rwriteByte(r, (char)('a' + depth));
	} else {
		rwriteByte(r, 'z');
		rprintf_i64(r, "", wrap_add(wrap_sub(depth, 26), 1), "", '0');
	}
}

static void rgenericArg(struct rst *r)
{
	dm_enter(r->d);
	if (r->len < 1)
		rfail(r);
	if (r->str[0] == 'L') {
		radvance(r, 1);
		writeLifetime(r, base62Number(r));
	} else if (r->str[0] == 'K') {
		radvance(r, 1);
		rdemangleConst(r);
	} else {
		rdemangleType(r);
	}
	dm_leave(r->d);
}

static void binder(struct rst *r)
{
	if (r->len < 1 || r->str[0] != 'G')
		return;
	radvance(r, 1);
	int64_t binderLifetimes = wrap_add(base62Number(r), 1);
	if (binderLifetimes >= wrap_sub((int64_t)r->len, r->lifetimes))
		rfail(r);
	rwriteString(r, "for<");
	for (int64_t i = 0; i < binderLifetimes; i++) {
		if (i > 0)
			rwriteString(r, ", ");
		r->lifetimes++;
		writeLifetime(r, 1);
	}
	rwriteString(r, "> ");
}

static const char *const rustBasicTypes[128] = {
	['a'] = "i8",  ['b'] = "bool", ['c'] = "char",	['d'] = "f64",	 ['e'] = "str",
	['f'] = "f32", ['h'] = "u8",   ['i'] = "isize", ['j'] = "usize", ['l'] = "i32",
	['m'] = "u32", ['n'] = "i128", ['o'] = "u128",	['p'] = "_",	 ['s'] = "i16",
	['t'] = "u16", ['u'] = "()",   ['v'] = "...",	['x'] = "i64",	 ['y'] = "u64",
	['z'] = "!",
};

static void fnSig(struct rst *r)
{
	binder(r);
	if (rpeek(r) == 'U') {
		radvance(r, 1);
		rwriteString(r, "unsafe ");
	}
	if (rpeek(r) == 'K') {
		radvance(r, 1);
		if (rpeek(r) == 'C') {
			radvance(r, 1);
			rwriteString(r, "extern \"C\" ");
		} else {
			rwriteString(r, "extern \"");
			bool isPunycode;
			struct str id = undisambiguatedIdentifier(r, &isPunycode);
			if (isPunycode)
				rfail(r);
			for (size_t i = 0; i < id.n; i++)
				rwriteByte(r, id.p[i] == '_' ? '-' : id.p[i]);
			rwriteString(r, "\" ");
		}
	}
	rwriteString(r, "fn(");
	bool first = true;
	while (r->len > 0 && r->str[0] != 'E') {
		if (first)
			first = false;
		else
			rwriteString(r, ", ");
		rdemangleType(r);
	}
	rcheckChar(r, 'E');
	rwriteByte(r, ')');
	if (rpeek(r) == 'u') {
		radvance(r, 1);
	} else {
		rwriteString(r, " -> ");
		rdemangleType(r);
	}
}

static void dynTrait(struct rst *r)
{
	bool started = rpathStartGenerics(r);
	while (rpeek(r) == 'p') {
		radvance(r, 1);
		if (started) {
			rwriteString(r, ", ");
		} else {
			rwriteByte(r, '<');
			started = true;
		}
		bool p;
		struct str id = undisambiguatedIdentifier(r, &p);
		rwrite(r, id.p, id.n);
		rwriteString(r, " = ");
		rdemangleType(r);
	}
	if (started)
		rwriteByte(r, '>');
}

static void dynBounds(struct rst *r)
{
	rwriteString(r, "dyn ");
	binder(r);
	bool first = true;
	while (r->len > 0 && r->str[0] != 'E') {
		if (first)
			first = false;
		else
			rwriteString(r, " + ");
		dynTrait(r);
	}
	rcheckChar(r, 'E');
}

static bool rpathStartGenerics(struct rst *r)
{
	bool started = false;

	dm_enter(r->d);
	if (r->len < 1)
		rfail(r);
	switch (r->str[0]) {
	case 'I': {
		radvance(r, 1);
		rpath(r, false);
		rwriteByte(r, '<');
		bool first = true;
		while (r->len > 0 && r->str[0] != 'E') {
			if (first)
				first = false;
			else
				rwriteString(r, ", ");
			rgenericArg(r);
		}
		rcheckChar(r, 'E');
		started = true;
		break;
	}
	case 'B':
		started = backref(r, BR_STARTGENERICS, false);
		break;
	default:
		rpath(r, false);
		break;
	}
	dm_leave(r->d);
	return started;
}

static void rdemangleType(struct rst *r)
{
	dm_enter(r->d);
	if (r->len < 1)
		rfail(r);
	int c = (unsigned char)r->str[0];
	if (isLower(c)) {
		if (!rustBasicTypes[c])
			rfail(r);
		radvance(r, 1);
		rwriteString(r, rustBasicTypes[c]);
		dm_leave(r->d);
		return;
	}
	switch (c) {
	case 'C':
	case 'M':
	case 'X':
	case 'Y':
	case 'N':
	case 'I':
		rpath(r, false);
		break;
	case 'A':
	case 'S':
		radvance(r, 1);
		rwriteByte(r, '[');
		rdemangleType(r);
		if (c == 'A') {
			rwriteString(r, "; ");
			rdemangleConst(r);
		}
		rwriteByte(r, ']');
		break;
	case 'T': {
		radvance(r, 1);
		rwriteByte(r, '(');
		int n = 0;
		while (r->len > 0 && r->str[0] != 'E') {
			if (n > 0)
				rwriteString(r, ", ");
			n++;
			rdemangleType(r);
		}
		if (n == 1)
			rwriteByte(r, ',');
		rwriteByte(r, ')');
		rcheckChar(r, 'E');
		break;
	}
	case 'R':
	case 'Q':
		radvance(r, 1);
		rwriteByte(r, '&');
		if (rpeek(r) == 'L') {
			radvance(r, 1);
			int64_t lifetime = base62Number(r);
			if (lifetime > 0) {
				writeLifetime(r, lifetime);
				rwriteByte(r, ' ');
			}
		}
		if (c == 'Q')
			rwriteString(r, "mut ");
		rdemangleType(r);
		break;
	case 'P':
		radvance(r, 1);
		rwriteString(r, "*const ");
		rdemangleType(r);
		break;
	case 'O':
		radvance(r, 1);
		rwriteString(r, "*mut ");
		rdemangleType(r);
		break;
	case 'F': {
		radvance(r, 1);
		int64_t hold = r->lifetimes;
		fnSig(r);
		r->lifetimes = hold;
		break;
	}
	case 'D': {
		radvance(r, 1);
		int64_t hold = r->lifetimes;
		dynBounds(r);
		r->lifetimes = hold;
		if (rpeek(r) != 'L')
			rfail(r);
		radvance(r, 1);
		int64_t lifetime = base62Number(r);
		if (lifetime > 0) {
			if (r->last != ' ')
				rwriteByte(r, ' ');
			rwriteString(r, "+ ");
			writeLifetime(r, lifetime);
		}
		break;
	}
	case 'B':
		backref(r, BR_TYPE, false);
		break;
	default:
		rfail(r);
	}
	dm_leave(r->d);
}

static void rdemangleConst(struct rst *r)
{
	enum { signedInt = 1, unsignedInt, boolean, character };

	dm_enter(r->d);
	if (r->len < 1)
		rfail(r);
	if (r->str[0] == 'B') {
		backref(r, BR_CONST, false);
		dm_leave(r->d);
		return;
	}
	if (r->str[0] == 'p') {
		radvance(r, 1);
		rwriteByte(r, '_');
		dm_leave(r->d);
		return;
	}
	int kind = 0;
	switch (r->str[0]) {
	case 'a':
	case 's':
	case 'l':
	case 'x':
	case 'n':
	case 'i':
		kind = signedInt;
		break;
	case 'h':
	case 't':
	case 'm':
	case 'y':
	case 'o':
	case 'j':
		kind = unsignedInt;
		break;
	case 'b':
		kind = boolean;
		break;
	case 'c':
		kind = character;
		break;
	default:
		rfail(r);
	}
	radvance(r, 1);
	if (kind == signedInt && rpeek(r) == 'n') {
		radvance(r, 1);
		rwriteByte(r, '-');
	}
	const char *start = r->str;
	size_t digits = 0;
	uint64_t val = 0;
	while (r->len > 0) {
		char c = r->str[0];
		uint64_t digit;
		if (c >= '0' && c <= '9') {
			digit = (uint64_t)(c - '0');
		} else if (c >= 'a' && c <= 'f') {
			digit = (uint64_t)(c - 'a' + 10);
		} else if (c == '_') {
			radvance(r, 1);
			break;
		} else {
			rfail(r);
		}
		radvance(r, 1);
		if (val == 0 && digit == 0 && (r->len == 0 || r->str[0] != '_'))
			rfail(r);
		val = val * 16 + digit;
		digits++;
	}
	if (digits == 0)
		rfail(r);
	switch (kind) {
	case signedInt:
	case unsignedInt:
		if (digits > 16) {
			rwriteString(r, "0x");
			rwrite(r, start, digits);
		} else if (!r->skip) {
			char b[32];
			int n = snprintf(b, sizeof(b), "%llu", (unsigned long long)val);
			ps_raw(r->out, b, (size_t)n);
			r->last = '0';
		}
		break;
	case boolean:
		if (digits > 1)
			rfail(r);
		else if (val == 0)
			rwriteString(r, "false");
		else if (val == 1)
			rwriteString(r, "true");
		else
			rfail(r);
		break;
	case character:
		if (digits > 6)
			rfail(r);
		rwriteByte(r, '\'');
		if (val == '\t')
			rwriteString(r, "\\t");
		else if (val == '\r')
			rwriteString(r, "\\r");
		else if (val == '\n')
			rwriteString(r, "\\n");
		else if (val == '\\')
			rwriteString(r, "\\\\");
		else if (val == '\'')
			rwriteString(r, "\\'");
		else if (val >= ' ' && val <= '~')
			rwriteByte(r, (char)val);
		else if (!r->skip) {
			char b[32];
			int n = snprintf(b, sizeof(b), "\\u{%llx}", (unsigned long long)val);
			ps_raw(r->out, b, (size_t)n);
			r->last = '}';
		}
		rwriteByte(r, '\'');
		break;
	}
	dm_leave(r->d);
}

static int64_t base62Number(struct rst *r)
{
	if (rpeek(r) == '_') {
		radvance(r, 1);
		return 0;
	}
	uint64_t val = 0;
	while (r->len > 0) {
		char c = r->str[0];
		radvance(r, 1);
		if (c == '_')
			return (int64_t)(val + 1);
		val *= 62;
		if (c >= '0' && c <= '9')
			val += (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'z')
			val += (uint64_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'Z')
			val += (uint64_t)(c - 'A' + 36);
		else
			rfail(r);
	}
	rfail(r);
}

static void rustToString(struct dm *d, const char *s, size_t n, struct ps *out)
{
	struct rst r = { 0 };

	/* the suffix from the first '.' is dropped (LLVMStyle only shows it) */
	const char *dot = memchr(s, '.', n);
	if (dot)
		n = (size_t)(dot - s);
	r.d = d;
	r.out = out;
	r.orig = s + 2;
	r.str = s + 2;
	r.len = n - 2;
	/* symbolName */
	if (r.len < 1)
		rfail(&r);
	if (isDigit(r.str[0]))
		rfail(&r);
	rpath(&r, true);
	if (r.len > 0) {
		r.skip = true;
		rpath(&r, false);
	}
	if (r.len > 0)
		rfail(&r);
}

static int hexDigit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* oldRustToString: false when the name is no legacy Rust name after all
 * (it is then read as C++). n: the name without its ".suffix". */
static bool oldRustToString(struct dm *d, const char *s, size_t n, struct ps *out)
{
	const char *name = s + 3;
	size_t len = n - 3;
	unsigned seen = 0;

	for (size_t i = len - 17; i < len - 1; i++) {
		int dg = hexDigit(name[i]);
		if (dg < 0)
			return false;
		seen |= 1u << dg;
	}
	int distinct = 0;
	for (int b = 0; b < 16; b++)
		distinct += (seen >> b) & 1;
	if (distinct < 5)
		return false;
	len -= 20;
	out->len = 0;
	while (len > 0) {
		if (!isDigit(name[0])) {
			out->len = 0;
			return false;
		}
		int val = 0;
		while (len > 0 && isDigit(name[0])) {
			int add = name[0] - '0';
			if (val >= 2147483647 / 10 - add) {
				out->len = 0;
				return false;
			}
			val = val * 10 + add;
			name++;
			len--;
		}
		if (len > 0 && name[0] == '_') {
			name++;
			len--;
			val--;
		}
		if (val < 0)
			dm_throw(d, DM_LIMIT); /* Go: slice bounds out of range */
		if (len < (size_t)val) {
			out->len = 0;
			return false;
		}
		const char *id = name;
		size_t idn = (size_t)val;
		name += val;
		len -= (size_t)val;
		if (out->len > 0)
			ps_raw(out, "::", 2);
		if (idn >= 2 && id[0] == '_' && id[1] == '$') {
			id++;
			idn--;
		}
		while (idn > 0) {
			char c = id[0];
			if (c == '$') {
				bool valid = true;
				if (idn > 2 && id[1] == 'C' && id[2] == '$') {
					ps_raw(out, ",", 1);
					id += 3;
					idn -= 3;
				} else if (idn > 4 && id[1] == 'u' && id[4] == '$') {
					int d1 = hexDigit(id[2]), d2 = hexDigit(id[3]);
					int v = ((d1 < 0 ? 0 : d1) << 4) | (d2 < 0 ? 0 : d2);
					if (d1 < 0 || d2 < 0 || d1 > 7 || v < ' ') {
						valid = false;
					} else {
						char vc = (char)v;
						ps_raw(out, &vc, 1);
						id += 5;
						idn -= 5;
					}
				} else if (idn > 3 && id[3] == '$') {
					static const char codes[][3] = { "SP@", "BP*", "RF&", "LT<",
									 "GT>", "LP(", "RP)" };
					valid = false;
					for (size_t k = 0; k < sizeof(codes) / sizeof(codes[0]); k++) {
						if (id[1] == codes[k][0] && id[2] == codes[k][1]) {
							ps_raw(out, &codes[k][2], 1);
							id += 4;
							idn -= 4;
							valid = true;
							break;
						}
					}
				} else {
					valid = false;
				}
				if (!valid) {
					ps_raw(out, id, idn);
					break;
				}
			} else if (c == '.') {
				if (idn >= 2 && id[1] == '.') {
					ps_raw(out, "::", 2);
					id += 2;
					idn -= 2;
				} else {
					ps_raw(out, &c, 1);
					id++;
					idn--;
				}
			} else {
				ps_raw(out, &c, 1);
				id++;
				idn--;
			}
		}
	}
	return true;
}
