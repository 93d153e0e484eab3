/*
 * list.c: pprof's printSource and its source reader (see list.h), from
 * internal/report/source.go of the pprof Go 1.19 vendors
 * (v0.0.0-20220729232143-a41b82acbcb1).
 *
 * The graph is pprof's report.newGraph for the list report: every node
 * with a flat or cum value, nodes keyed with the object file and the
 * function's start line (pprof's ObjNames), no trimming, raw values (no
 * -mean division, which pprof's list does not apply either).
 */
#include "pprof/list.h"
#include "base/heap.h"
#include "base/keymap.h"
#include "base/regexp.h"
#include "pprof/units.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- paths: Go's path/filepath on '/' systems ------------------------------ */

/* filepath.Base */
static void go_base(const char *p, size_t n, const char **out, size_t *out_len)
{
	if (n == 0) {
		*out = ".";
		*out_len = 1;
		return;
	}
	while (n > 0 && p[n - 1] == '/')
		n--;
	if (n == 0) {
		*out = "/";
		*out_len = 1;
		return;
	}
	size_t i = n;
	while (i > 0 && p[i - 1] != '/')
		i--;
	*out = p + i;
	*out_len = n - i;
}

static bool has_prefix(const char *s, size_t n, const char *pre, size_t pn)
{
	return n >= pn && memcmp(s, pre, pn) == 0;
}

/* strings.Index(s, "/" + base + "/"): the offset just past it, or -1 */
static ptrdiff_t find_dir(const char *s, size_t n, const char *base, size_t bl)
{
	for (size_t i = 0; i + bl + 2 <= n; i++)
		if (s[i] == '/' && memcmp(s + i + 1, base, bl) == 0 && s[i + 1 + bl] == '/')
			return (ptrdiff_t)(i + bl + 2);
	return -1;
}

const char *fw_list_trim_path(const char *path, size_t len, const char *trim_path,
			      const char *search_path, size_t *out_len)
{
	static const char *const fixed[] = { "/proc/self/cwd/./", "/proc/self/cwd/" };

	*out_len = len;
	/* filepath.SplitList: "" is no entry, else strings.Split on ':' */
	if ((!trim_path || !*trim_path) && search_path && *search_path) {
		const char *s = search_path;
		for (;;) {
			size_t dl = strcspn(s, ":"), bl;
			const char *b;
			ptrdiff_t cut;
			go_base(s, dl, &b, &bl);
			if ((cut = find_dir(path, len, b, bl)) >= 0) {
				*out_len = len - (size_t)cut;
				return path + cut;
			}
			if (!s[dl])
				break;
			s += dl + 1;
		}
	}
	if (trim_path && *trim_path) {
		const char *s = trim_path;
		for (;;) {
			size_t tl = strcspn(s, ":");
			bool slash = tl > 0 && s[tl - 1] == '/';
			if (has_prefix(path, len, s, tl) && (slash || (len > tl && path[tl] == '/'))) {
				size_t cut = tl + !slash;
				*out_len = len - cut;
				return path + cut;
			}
			if (!s[tl])
				break;
			s += tl + 1;
		}
	}
	for (size_t i = 0; i < 2; i++) {
		size_t fl = strlen(fixed[i]);
		if (has_prefix(path, len, fixed[i], fl)) {
			*out_len = len - fl;
			return path + fl;
		}
	}
	return path;
}

/* filepath.Join(dir, path) into out: the non-empty ones joined by '/',
 * cleaned; "" when both are empty. */
static void go_join(const char *dir, size_t dl, const char *path, size_t pl, struct fw_buf *tmp,
		    struct fw_buf *out)
{
	tmp->len = 0;
	tmp->failed = false;
	if (dl)
		fw_buf_putn(tmp, dir, dl);
	if (dl && pl)
		fw_buf_putc(tmp, '/');
	if (pl)
		fw_buf_putn(tmp, path, pl);
	if (tmp->len == 0) {
		out->len = 0;
		out->failed = false;
		fw_buf_putn(out, "", 0);
		return;
	}
	fw_path_clean(tmp->data, tmp->len, out);
}

/* filepath.Dir */
static void go_dir(const char *p, size_t n, struct fw_buf *out)
{
	size_t i = n;
	while (i > 0 && p[i - 1] != '/')
		i--;
	fw_path_clean(p, i, out);
}


/* ---- the source reader (pprof's sourceReader) ------------------------------ */

struct source {
	bool loaded;
	bool has_error;	   /* pprof's reader.errors[path] */
	struct fw_buf error; /* its text (may hold NUL: a file name) */
	struct fw_buf data;
	size_t *line_off; /* line k (1-based): data[line_off[k-1] .. line_end[k-1]) */
	size_t *line_end;
	size_t n_lines;
};

#define SCAN_MAX 65536 /* bufio.MaxScanTokenSize */

/* bufio.Scanner with ScanLines over the bytes read: lines without "\n" and
 * one trailing "\r"; a line of 64 KiB or more stops the scan (ErrTooLong,
 * which pprof's reader ignores: the lines before it are the file). */
static int split_lines(struct source *s)
{
	size_t cap = 0, pos = 0, n = s->data.len;
	const char *d = s->data.data;

	while (pos < n) {
		const char *nl = memchr(d + pos, '\n', n - pos);
		size_t end = nl ? (size_t)(nl - d) : n, next = nl ? end + 1 : n;

		if (end - pos >= SCAN_MAX)
			break;
		if (s->n_lines == cap) {
			size_t nc = cap ? cap * 2 : 256;
			size_t *a = realloc(s->line_off, nc * sizeof(*a));
			if (!a)
				return -ENOMEM;
			s->line_off = a;
			a = realloc(s->line_end, nc * sizeof(*a));
			if (!a)
				return -ENOMEM;
			s->line_end = a;
			cap = nc;
		}
		s->line_off[s->n_lines] = pos;
		s->line_end[s->n_lines] = end > pos && d[end - 1] == '\r' ? end - 1 : end;
		s->n_lines++;
		pos = next;
	}
	return 0;
}

/* Go's text for an errno (syscall.Errno.Error()): strerror's, lowercased
 * first letter, as Go's table spells them. */
static void errno_text(int e, char *out, size_t len)
{
	snprintf(out, len, "%s", strerror(e));
	if (out[0])
		out[0] = (char)tolower((unsigned char)out[0]);
}

struct reader {
	const struct fw_list_opts *o;
	const char *search; /* -source_path, else the cwd */
	uint64_t max_lines;
	struct fw_buf cand, tmp, dir, parent;
};

/* One os.Open: a path holding NUL is refused as Go refuses it (EINVAL). */
static int try_open(struct reader *rd, const char *path, size_t len, struct fw_buf *data)
{
	int rc;

	if (memchr(path, 0, len))
		return -EINVAL;
	data->len = 0;
	data->failed = false;
	rc = rd->o->open(rd->o->ctx, path, rd->max_lines, data);
	if (rc == 0 && data->failed)
		return 1; /* out of memory */
	return rc < 0 ? rc : 0;
}

/* pprof's openSourceFile into s->data; on failure s->error says why.
 * Returns 0 or -ENOMEM. */
static int open_source(struct reader *rd, const char *file, size_t flen, struct source *s)
{
	const char *path, *sp = rd->search;
	size_t plen;
	char why[128];
	int rc;

	path = fw_list_trim_path(file, flen, rd->o->trim_path, rd->search, &plen);
	if (plen > 0 && path[0] == '/') {
		/* os.Open of an absolute path: its error is pprof's */
		if ((rc = try_open(rd, path, plen, &s->data)) >= 0)
			return rc ? -ENOMEM : 0;
		errno_text(-rc, why, sizeof(why));
		fw_buf_puts(&s->error, "open ");
		fw_buf_putn(&s->error, path, plen);
		fw_buf_printf(&s->error, ": %s", why);
	} else {
		for (;;) {
			size_t dl = strcspn(sp, ":");
			rd->dir.len = 0;
			fw_buf_putn(&rd->dir, sp, dl);
			for (;;) {
				go_join(rd->dir.data, rd->dir.len, path, plen, &rd->tmp, &rd->cand);
				go_dir(rd->dir.data, rd->dir.len, &rd->parent);
				if (rd->cand.failed || rd->dir.failed || rd->tmp.failed || rd->parent.failed)
					return -ENOMEM;
				if ((rc = try_open(rd, rd->cand.data, rd->cand.len, &s->data)) >= 0)
					return rc ? -ENOMEM : 0;
				if (rd->parent.len == rd->dir.len &&
				    !memcmp(rd->parent.data, rd->dir.data, rd->dir.len))
					break;
				rd->dir.len = 0;
				fw_buf_putn(&rd->dir, rd->parent.data, rd->parent.len);
			}
			if (!sp[dl])
				break;
			sp += dl + 1;
		}
		fw_buf_puts(&s->error, "could not find file ");
		fw_buf_putn(&s->error, path, plen);
		fw_buf_printf(&s->error, " on path %s", rd->search);
	}
	s->has_error = true;
	s->data.len = 0;
	return s->error.failed ? -ENOMEM : 0;
}

/* reader.line(): loads the file on first use. 1 and the line, or 0 past
 * its end (or when it could not be opened); -ENOMEM. */
static int source_line(struct reader *rd, struct source *s, const char *file, size_t flen,
		       int64_t lineno, const char **line, size_t *len)
{
	int rc;

	if (!s->loaded) {
		s->loaded = true;
		if ((rc = open_source(rd, file, flen, s)) < 0 || (rc = split_lines(s)) < 0)
			return rc;
	}
	if (lineno <= 0 || (uint64_t)lineno > s->n_lines)
		return 0;
	*line = s->data.data + s->line_off[lineno - 1];
	*len = s->line_end[lineno - 1] - s->line_off[lineno - 1];
	return 1;
}

static void source_free(struct source *s)
{
	fw_buf_free(&s->error);
	fw_buf_free(&s->data);
	free(s->line_off);
	free(s->line_end);
}

/* ---- the list graph --------------------------------------------------------- */

struct lnode_key {
	uint64_t address;
	int64_t lineno, start_line;
	uint32_t name, file, objfile, pad;
};

struct lnode {
	struct lnode_key k;
	int64_t flat, cum;
	size_t stamp; /* 1 + the last sample that added to cum */
};

struct lgraph {
	struct lnode *n;
	size_t count;
	uint32_t *loc_first, *loc_nodes; /* per location: its nodes, innermost first */
};

static void lgraph_free(struct lgraph *g)
{
	free(g->n);
	free(g->loc_first);
	free(g->loc_nodes);
}

/* The node set: keys deduplicated in place (a set of indices). */
static uint64_t lnode_hash(const void *ctx, uint32_t i)
{
	const struct lnode_key *k = &((const struct lnode_key *)ctx)[i];
	return fw_hash_bytes(k, sizeof(*k), 0);
}

static bool lnode_equal(const void *ctx, uint32_t a, uint32_t b)
{
	const struct lnode_key *k = ctx;
	return memcmp(&k[a], &k[b], sizeof(*k)) == 0;
}

/* graph.CreateNodes and newGraph with pprof's list options (ObjNames).
 * The keys are made first, alone: with drop, the profile's locations,
 * lines and functions are freed before the nodes take their room, and its
 * samples once they are added up (the report is not used afterwards). */
static int lgraph_build(struct fw_report *r, bool drop, struct lgraph *g)
{
	const struct fw_profile *p = r->p;
	struct lnode_key *keys;
	struct fw_idxset set = { 0 };
	size_t total = 0;
	int rc = -ENOMEM;

	memset(g, 0, sizeof(*g));
	for (size_t li = 0; li < p->n_locations; li++)
		total += p->locations[li].n_lines ? p->locations[li].n_lines : 1;
	if (total >= UINT32_MAX)
		return rc;
	/* a node per location line at most: made once at that size */
	g->loc_first = malloc((p->n_locations + 1) * sizeof(uint32_t));
	g->loc_nodes = malloc((total + 1) * sizeof(uint32_t));
	keys = malloc((total + 1) * sizeof(*keys));
	if (!g->loc_first || !g->loc_nodes || !keys || fw_idxset_init(&set, total, lnode_hash, lnode_equal, keys) < 0)
		goto out;
	total = 0;
	for (size_t li = 0; li < p->n_locations; li++) {
		const struct fw_location *l = &p->locations[li];
		uint32_t nl = l->n_lines ? l->n_lines : 1;
		uint32_t objfile = l->mapping != FW_NONE ? p->mappings[l->mapping].filename : 0;

		g->loc_first[li] = (uint32_t)total;
		for (uint32_t k = 0; k < nl; k++) {
			/* a candidate at the end, kept if new */
			struct lnode_key *key = &keys[g->count];
			uint32_t idx;

			memset(key, 0, sizeof(*key));
			key->address = l->address;
			key->objfile = objfile;
			if (l->n_lines) {
				const struct fw_line *ln = &p->lines[l->first_line + k];
				const struct fw_function *f = &p->functions[ln->function];
				key->lineno = ln->line;
				key->name = f->name;
				key->file = f->filename;
				key->start_line = f->start_line;
			}
			if (fw_idxset_canon(&set, (uint32_t)g->count, &idx) < 0)
				goto out;
			if (idx == g->count)
				g->count++;
			g->loc_nodes[total++] = idx;
		}
	}
	g->loc_first[p->n_locations] = (uint32_t)total;
	fw_idxset_free(&set);
	if (drop) {
		/* the nodes are new memory of about that size: hand it back */
		fw_report_drop_locations(r);
		fw_heap_trim();
	}
	if (!(g->n = calloc(g->count + 1, sizeof(*g->n))))
		goto out;
	for (size_t i = 0; i < g->count; i++)
		g->n[i].k = keys[i];
	free(keys);
	keys = NULL;
	for (size_t s = 0; s < p->n_samples; s++) {
		const struct fw_sample *sm = &p->samples[s];
		const int64_t *v = fw_sample_values(p, s);
		int64_t w = v[r->vi], dw = r->o.mean ? v[0] : 0;
		struct lnode *leaf = NULL;

		if (dw == 0 && w == 0)
			continue;
		for (uint32_t i = sm->n_locs; i-- > 0;) {
			uint32_t li = p->sample_locs[sm->first_loc + i];
			for (uint32_t j = g->loc_first[li + 1]; j-- > g->loc_first[li];) {
				struct lnode *n = &g->n[g->loc_nodes[j]];
				if (n->stamp != s + 1) {
					n->stamp = s + 1;
					n->cum = fw_add64(n->cum, w);
				}
				leaf = n;
			}
		}
		if (leaf)
			leaf->flat = fw_add64(leaf->flat, w);
	}
	if (drop)
		fw_report_drop_samples(r);
	rc = 0;
out:
	fw_idxset_free(&set);
	free(keys);
	if (rc < 0) {
		lgraph_free(g);
		memset(g, 0, sizeof(*g));
	}
	return rc;
}

/* ---- printSource ------------------------------------------------------------ */

struct sort_ctx {
	const struct fw_profile *p;
	const struct lnode *n;
};
static struct sort_ctx sort_ctx; /* qsort has no context argument */

static int str_cmp(const struct fw_profile *p, uint32_t a, uint32_t b)
{
	size_t la = fw_strlen(&p->strings, a), lb = fw_strlen(&p->strings, b);
	int c;

	if (a == b)
		return 0;
	c = memcmp(fw_pstr(p, a), fw_pstr(p, b), la < lb ? la : lb);
	return c ? c : la < lb ? -1 : la > lb;
}

/* function name (pprof's NameOrder), then file (FileOrder), then graph order */
static int node_cmp(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	const struct lnode *na = &sort_ctx.n[a], *nb = &sort_ctx.n[b];
	int c = str_cmp(sort_ctx.p, na->k.name, nb->k.name);

	if (!c)
		c = str_cmp(sort_ctx.p, na->k.file, nb->k.file);
	return c ? c : a < b ? -1 : a > b;
}

static int lineno_cmp(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	int64_t la = sort_ctx.n[a].k.lineno, lb = sort_ctx.n[b].k.lineno;
	return la < lb ? -1 : la > lb;
}

static int64_t wrap_add(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}

/* One function's nodes in one file: getSourceFromFile's line range. */
struct group {
	uint32_t first, count; /* in the matched array, sorted by lineno */
	int64_t start, end;
	int64_t flat, cum;
	uint32_t source;
};

static void group_range(const struct lnode *n, const uint32_t *nodes, size_t count, struct group *gr)
{
	const int margin = 5;
	const struct lnode *f = &n[nodes[0]];
	int64_t start = f->k.start_line ? f->k.start_line : wrap_add(f->k.lineno, -margin);
	int64_t end = wrap_add(f->k.lineno, margin);

	gr->flat = gr->cum = 0;
	for (size_t i = 0; i < count; i++) {
		const struct lnode *x = &n[nodes[i]];
		int64_t ns = x->k.start_line ? x->k.start_line : wrap_add(x->k.lineno, -margin);
		int64_t ne = wrap_add(x->k.lineno, margin);
		if (ns < start)
			start = ns;
		else if (ne > end)
			end = ne;
		gr->flat = fw_add64(gr->flat, x->flat);
		gr->cum = fw_add64(gr->cum, x->cum);
	}
	gr->start = start < 1 ? 1 : start;
	gr->end = end;
}

static void value_or_dot(const struct fw_report *r, int64_t v, char *out, size_t len)
{
	if (v == 0)
		snprintf(out, len, ".");
	else
		fw_report_value(r, v, out, len);
}

int fw_list_write(struct fw_report *r, const char *regex, const struct fw_list_opts *o,
		  struct fw_buf *out, struct fw_error *err)
{
	const struct fw_profile *p = r->p;
	struct fw_regexp *rx = NULL;
	struct lgraph g;
	struct reader rd;
	uint32_t *matched = NULL;
	struct group *groups = NULL;
	struct source *sources = NULL;
	struct fw_keymap files;
	size_t n_matched = 0, n_groups = 0, n_sources = 0;
	uint64_t max_lines = 0;
	char v[64], c[64], pct[32];
	int rc;

	assert(r && regex && o && o->open && out);
	memset(&rd, 0, sizeof(rd));
	fw_keymap_init(&files);
	if ((rc = fw_regexp_compile(&rx, regex, err)) < 0) {
		fw_err_prefix(err, "parsing argument regexp %s", regex);
		return rc;
	}
	if ((rc = lgraph_build(r, o->drop_profile, &g)) < 0) {
		fw_regexp_free(rx);
		return fw_err(err, rc, "out of memory building the list graph");
	}
	rc = -ENOMEM;
	if (!(matched = malloc((g.count + 1) * sizeof(*matched))))
		goto nomem;
	for (size_t i = 0; i < g.count; i++) {
		const struct lnode *n = &g.n[i];
		if (n->flat == 0 && n->cum == 0)
			continue;
		if (r->o.drop_negative && (n->flat < 0 || (n->flat == 0 && n->cum < 0)))
			continue;
		if (!fw_regexp_match(rx, fw_pstr(p, n->k.name), fw_strlen(&p->strings, n->k.name)))
			continue;
		matched[n_matched++] = (uint32_t)i;
	}
	if (n_matched == 0) {
		rc = fw_err(err, -ENOENT, "no matches found for regexp: %s", regex);
		goto done;
	}
	if ((!o->source_path || !*o->source_path) && !o->cwd) {
		rc = fw_err(err, -ENOENT, "could not stat current dir: getwd: %s", strerror(ENOENT));
		goto done;
	}
	rd.o = o;
	rd.search = o->source_path && *o->source_path ? o->source_path : o->cwd;
	sort_ctx.p = p;
	sort_ctx.n = g.n;
	qsort(matched, n_matched, sizeof(*matched), node_cmp);
	if (!(groups = malloc((n_matched + 1) * sizeof(*groups))))
		goto nomem;

	/* the (function, file) groups, their line ranges, the lines to read */
	for (size_t i = 0; i < n_matched;) {
		size_t j = i;
		uint32_t file = g.n[matched[i]].k.file;
		while (j < n_matched && !str_cmp(p, g.n[matched[j]].k.name, g.n[matched[i]].k.name) &&
		       !str_cmp(p, g.n[matched[j]].k.file, file))
			j++;
		if (fw_strlen(&p->strings, file) > 0) {
			struct group *gr = &groups[n_groups++];
			uint32_t src;
			gr->first = (uint32_t)i;
			gr->count = (uint32_t)(j - i);
			group_range(g.n, matched + i, j - i, gr);
			if (gr->start <= gr->end && (uint64_t)gr->end > max_lines)
				max_lines = (uint64_t)gr->end;
			if (fw_keymap_upsert(&files, &file, sizeof(file), (uint32_t)n_sources, &src) < 0)
				goto nomem;
			if (src == n_sources)
				n_sources++;
			gr->source = src;
			/* lines in order, for the sums per line below */
			qsort(matched + i, j - i, sizeof(*matched), lineno_cmp);
		}
		i = j;
	}
	rd.max_lines = max_lines;
	if (!(sources = calloc(n_sources + 1, sizeof(*sources))))
		goto nomem;

	fw_report_value(r, r->total, v, sizeof(v));
	fw_buf_printf(out, "Total: %s\n", v);
	for (size_t i = 0, gi = 0; i < n_matched;) {
		uint32_t name = g.n[matched[i]].k.name;
		size_t j = i;
		bool any = false;

		while (j < n_matched && !str_cmp(p, g.n[matched[j]].k.name, name))
			j++;
		for (; gi < n_groups && groups[gi].first < j; gi++) {
			const struct group *gr = &groups[gi];
			const struct lnode *fn = &g.n[matched[gr->first]];
			struct source *s = &sources[gr->source];
			const char *file = fw_pstr(p, fn->k.file);
			size_t flen = fw_strlen(&p->strings, fn->k.file), k = gr->first;
			struct fw_buf lines;

			any = true;
			fw_buf_init(&lines);
			for (int64_t ln = gr->start; ln <= gr->end; ln++) {
				const char *text;
				size_t tlen;
				int64_t flat = 0, cum = 0;
				int got = source_line(&rd, s, file, flen, ln, &text, &tlen);
				if (got < 0) {
					fw_buf_free(&lines);
					goto nomem;
				}
				if (got == 0)
					break;
				while (k < gr->first + gr->count && g.n[matched[k]].k.lineno < ln)
					k++;
				for (; k < gr->first + gr->count && g.n[matched[k]].k.lineno == ln; k++) {
					flat = fw_add64(flat, g.n[matched[k]].flat);
					cum = fw_add64(cum, g.n[matched[k]].cum);
				}
				value_or_dot(r, flat, v, sizeof(v));
				value_or_dot(r, cum, c, sizeof(c));
				fw_buf_printf(&lines, "%10s %10s %6" PRId64 ":", v, c, ln);
				fw_buf_putn(&lines, text, tlen);
				fw_buf_putc(&lines, '\n');
				if (ln == INT64_MAX)
					break;
			}
			fw_buf_puts(out, "ROUTINE ======================== ");
			fw_buf_putn(out, fw_pstr(p, name), fw_strlen(&p->strings, name));
			fw_buf_puts(out, " in ");
			fw_buf_putn(out, file, flen);
			fw_buf_putc(out, '\n');
			fw_report_value(r, gr->flat, v, sizeof(v));
			fw_report_value(r, gr->cum, c, sizeof(c));
			fw_percentage(pct, sizeof(pct), gr->cum, r->total);
			fw_buf_printf(out, "%10s %10s (flat, cum) %s of Total\n", v, c, pct);
			if (s->has_error) {
				fw_buf_puts(out, " Error: ");
				fw_buf_putn(out, s->error.data, s->error.len);
				fw_buf_putc(out, '\n');
			} else {
				fw_buf_putn(out, lines.data ? lines.data : "", lines.len);
			}
			if (lines.failed) {
				fw_buf_free(&lines);
				goto nomem;
			}
			fw_buf_free(&lines);
		}
		if (!any) {
			fw_buf_puts(out, "No source information for ");
			fw_buf_putn(out, fw_pstr(p, name), fw_strlen(&p->strings, name));
			fw_buf_putc(out, '\n');
		}
		if ((rc = fw_buf_stream(out, o->stream)) < 0)
			goto write_error;
		i = j;
	}
	if ((rc = fw_buf_stream_end(out, o->stream)) < 0)
		goto write_error;
	rc = 0;
	goto done;
write_error:
	rc = fw_report_stream_error(err, rc);
	goto done;
nomem:
	rc = fw_err(err, -ENOMEM, "out of memory listing the source");
done:
	for (size_t i = 0; sources && i < n_sources; i++)
		source_free(&sources[i]);
	free(sources);
	free(groups);
	free(matched);
	fw_keymap_free(&files);
	fw_buf_free(&rd.cand);
	fw_buf_free(&rd.tmp);
	fw_buf_free(&rd.dir);
	fw_buf_free(&rd.parent);
	lgraph_free(&g);
	fw_regexp_free(rx);
	return rc;
}
