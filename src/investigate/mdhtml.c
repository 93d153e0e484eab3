/*
 * mdhtml.c: write_markdown.c's Markdown subset to HTML (see mdhtml.h).
 * Line by line: fenced code, headings, tables and list items are
 * recognised by their first characters, everything else is paragraph text;
 * inline spans are rendered by inline_md(), which escapes every byte of
 * text it does not turn into one of the few elements it knows.
 */
#include "investigate/mdhtml.h"
#include "investigate/html.h"

#include <string.h>

#define MAX_DEPTH 8	 /* nested lists */
#define MAX_FIGS 16	 /* images shown below one block */
#define MAX_TARGET 1024	 /* bytes of a link target */
#define MAX_COLS 64	 /* table columns */

struct list_level {
	size_t indent;
	bool ordered;
};

struct render {
	struct fw_buf *out;
	fw_mdhtml_has_file has_file;
	void *ctx;
	struct fw_buf para; /* text of the paragraph or list item being read */
	bool in_item;	    /* para belongs to the open <li> */
	struct list_level lists[MAX_DEPTH];
	size_t depth;
	char figs[MAX_FIGS][256];
	size_t n_figs;
};

static bool is_punct(char c)
{
	return c && strchr("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", c) != NULL;
}

static bool safe_segment_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
	       c == '_' || c == '-';
}

/* A relative path of [A-Za-z0-9._-] segments, ".." only in front, no "."
 * segment, no empty one. */
static bool local_path(const char *t, size_t n)
{
	bool front = true;

	if (n == 0 || n > MAX_TARGET)
		return false;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && t[j] != '/')
			j++;
		if (j == i || (j - i == 1 && t[i] == '.'))
			return false;
		for (size_t k = i; k < j; k++)
			if (!safe_segment_char(t[k]))
				return false;
		if (j - i == 2 && t[i] == '.' && t[i + 1] == '.') {
			if (!front)
				return false;
		} else {
			front = false;
		}
		if (j < n && j + 1 == n)
			return false; /* trailing '/' */
		i = j + 1;
	}
	return !front;
}

static bool https_url(const char *t, size_t n)
{
	if (n <= 8 || n > MAX_TARGET || strncmp(t, "https://", 8) != 0)
		return false;
	for (size_t i = 8; i < n; i++) {
		char c = t[i];
		if (!safe_segment_char(c) && !strchr("~:/?#@!$&*+,;=%", c))
			return false;
	}
	return true;
}

/* The href of a local target: a ".md" file is linked as the page the site
 * writes for it (index.md: index.html; a report's Markdown: report.html). */
static void local_href(struct fw_buf *b, const char *t, size_t n)
{
	char path[MAX_TARGET + 16];
	const char *last;

	memcpy(path, t, n);
	path[n] = 0;
	last = strrchr(path, '/');
	last = last ? last + 1 : path;
	if (n > 3 && strcmp(path + n - 3, ".md") == 0)
		strcpy((char *)last, strcmp(last, "index.md") == 0 ? "index.html" : "report.html");
	fw_html_href(b, path);
}

static void add_figure(struct render *r, const char *t, size_t n)
{
	char name[256];

	if (n >= sizeof(name) || n <= 4 || memchr(t, '/', n) || strncmp(t + n - 4, ".svg", 4) != 0 ||
	    !r->has_file)
		return;
	memcpy(name, t, n);
	name[n] = 0;
	for (size_t i = 0; i < r->n_figs; i++)
		if (strcmp(r->figs[i], name) == 0)
			return;
	if (r->n_figs < MAX_FIGS && r->has_file(r->ctx, name))
		strcpy(r->figs[r->n_figs++], name);
}

static void inline_md(struct render *r, const char *s, size_t n, bool in_link);

/* A code span's text: "\|" is '|' (write_markdown.c escapes it for
 * tables), one space stripped on each side when both are there. */
static void code_span(struct fw_buf *b, const char *s, size_t n)
{
	if (n >= 2 && s[0] == ' ' && s[n - 1] == ' ' && strspn(s, " ") < n) {
		s++;
		n -= 2;
	}
	fw_buf_puts(b, "<code>");
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && !(s[j] == '\\' && j + 1 < n && s[j + 1] == '|'))
			j++;
		fw_html_escape(b, s + i, j - i);
		if (j < n) {
			fw_buf_putc(b, '|');
			j += 2;
		}
		i = j;
	}
	fw_buf_puts(b, "</code>");
}

/* At s[0] == '[' (after an optional '!'): "[text](target)". Renders it and
 * returns the bytes used, or 0 when it is no link. */
static size_t link(struct render *r, const char *s, size_t n, bool image)
{
	size_t close = 1, t0, t1;

	while (close < n && s[close] != ']' && s[close] != '\n') {
		if (s[close] == '\\' && close + 1 < n)
			close++;
		close++;
	}
	if (close + 1 >= n || s[close] != ']' || s[close + 1] != '(')
		return 0;
	t0 = close + 2;
	for (t1 = t0; t1 < n && s[t1] != ')' && s[t1] != ' ' && s[t1] != '\n'; t1++)
		;
	if (t1 >= n || s[t1] != ')')
		return 0;
	if (local_path(s + t0, t1 - t0)) {
		fw_buf_puts(r->out, "<a href=\"");
		local_href(r->out, s + t0, t1 - t0);
		fw_buf_puts(r->out, "\">");
		inline_md(r, s + 1, close - 1, true);
		fw_buf_puts(r->out, "</a>");
		add_figure(r, s + t0, t1 - t0);
	} else if (https_url(s + t0, t1 - t0)) {
		fw_buf_puts(r->out, "<a rel=\"noopener noreferrer\" href=\"");
		fw_html_escape(r->out, s + t0, t1 - t0);
		fw_buf_puts(r->out, "\">");
		inline_md(r, s + 1, close - 1, true);
		fw_buf_puts(r->out, "</a>");
	} else {
		/* no link: its text, then the target as text */
		inline_md(r, s + 1, close - 1, true);
		fw_buf_puts(r->out, " (");
		fw_html_escape(r->out, s + t0, t1 - t0);
		fw_buf_putc(r->out, ')');
	}
	(void)image;
	return t1 + 1;
}

static void inline_md(struct render *r, const char *s, size_t n, bool in_link)
{
	struct fw_buf *b = r->out;
	bool strong = false;

	for (size_t i = 0; i < n;) {
		char c = s[i];

		if (c == '\\' && i + 1 < n && is_punct(s[i + 1])) {
			fw_html_escape(b, s + i + 1, 1);
			i += 2;
		} else if (c == '`') {
			size_t run = 0, j, k;
			while (i + run < n && s[i + run] == '`')
				run++;
			/* the closing fence: a run of exactly `run` backticks */
			for (j = i + run; j < n; j = k) {
				for (k = j; k < n && s[k] != '`'; k++)
					;
				if (k >= n)
					break;
				j = k;
				while (k < n && s[k] == '`')
					k++;
				if (k - j == run)
					break;
			}
			if (j < n && k - j == run) {
				code_span(b, s + i + run, j - i - run);
				i = k;
			} else {
				fw_html_escape(b, s + i, run);
				i += run;
			}
		} else if (c == '*' && i + 1 < n && s[i + 1] == '*') {
			fw_buf_puts(b, strong ? "</strong>" : "<strong>");
			strong = !strong;
			i += 2;
		} else if (!in_link && (c == '[' || (c == '!' && i + 1 < n && s[i + 1] == '['))) {
			size_t at = c == '!' ? i + 1 : i;
			size_t used = link(r, s + at, n - at, c == '!');
			if (used) {
				i = at + used;
			} else {
				fw_html_escape(b, s + i, at + 1 - i);
				i = at + 1;
			}
		} else if (c == '\n') { /* a line break of the paragraph's text */
			fw_buf_putc(b, '\n');
			i++;
		} else {
			size_t j = i + 1;
			while (j < n && !strchr("\\`*[!\n", s[j]))
				j++;
			fw_html_escape(b, s + i, j - i);
			i = j;
		}
	}
	if (strong)
		fw_buf_puts(b, "</strong>");
}

static void flush_figs(struct render *r)
{
	for (size_t i = 0; i < r->n_figs; i++) {
		fw_buf_puts(r->out, "<figure class=\"flame\"><a href=\"");
		fw_html_href(r->out, r->figs[i]);
		fw_buf_puts(r->out, "\"><img src=\"");
		fw_html_href(r->out, r->figs[i]);
		fw_buf_puts(r->out, "\" alt=\"flame graph ");
		fw_html_escape(r->out, r->figs[i], strlen(r->figs[i]));
		fw_buf_puts(r->out, "\"></a><figcaption>");
		fw_html_escape(r->out, r->figs[i], strlen(r->figs[i]));
		fw_buf_puts(r->out, " (open the file to zoom and search)</figcaption></figure>\n");
	}
	r->n_figs = 0;
}

/* Writes the paragraph or list item text read so far. */
static void flush_para(struct render *r)
{
	if (r->para.failed)
		r->out->failed = true;
	if (r->para.len) {
		if (!r->in_item)
			fw_buf_puts(r->out, "<p>");
		inline_md(r, r->para.data, r->para.len, false);
		if (!r->in_item) {
			fw_buf_puts(r->out, "</p>\n");
			flush_figs(r);
		}
	}
	r->para.len = 0;
}

static void close_top_list(struct render *r)
{
	fw_buf_puts(r->out, r->lists[r->depth - 1].ordered ? "</li>\n</ol>\n" : "</li>\n</ul>\n");
	r->depth--;
}

/* Ends the paragraph and every open list: a block ends. */
static void end_block(struct render *r)
{
	flush_para(r);
	while (r->depth)
		close_top_list(r);
	r->in_item = false;
	flush_figs(r);
}

static bool blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

/* A list item: indentation, "- " or "N. ", then its text at *text. */
static bool list_item(const char *s, size_t n, size_t *indent, bool *ordered, unsigned long *num,
		      size_t *text)
{
	size_t i = 0, d;

	while (i < n && s[i] == ' ')
		i++;
	*indent = i;
	if (i + 1 < n && (s[i] == '-' || s[i] == '*') && s[i + 1] == ' ') {
		*ordered = false;
		*text = i + 2;
		return true;
	}
	for (d = i; d < n && d - i < 9 && s[d] >= '0' && s[d] <= '9'; d++)
		;
	if (d > i && d + 1 < n && s[d] == '.' && s[d + 1] == ' ') {
		*ordered = true;
		*num = 0;
		for (size_t k = i; k < d; k++)
			*num = *num * 10 + (unsigned long)(s[k] - '0');
		*text = d + 2;
		return true;
	}
	return false;
}

static void item(struct render *r, size_t indent, bool ordered, unsigned long num)
{
	flush_para(r);
	while (r->depth && r->lists[r->depth - 1].indent > indent)
		close_top_list(r);
	if (r->depth && r->lists[r->depth - 1].indent == indent) {
		if (r->lists[r->depth - 1].ordered == ordered) {
			fw_buf_puts(r->out, "</li>\n<li>");
			r->in_item = true;
			return;
		}
		close_top_list(r);
	}
	if (r->depth == MAX_DEPTH) { /* deeper: one more item of the deepest */
		fw_buf_puts(r->out, "</li>\n<li>");
		r->in_item = true;
		return;
	}
	if (ordered && num != 1)
		fw_buf_printf(r->out, "<ol start=\"%lu\">\n<li>", num);
	else
		fw_buf_puts(r->out, ordered ? "<ol>\n<li>" : "<ul>\n<li>");
	r->lists[r->depth].indent = indent;
	r->lists[r->depth].ordered = ordered;
	r->depth++;
	r->in_item = true;
}

/* "|---|:--:|---:|" (leading and trailing '|' optional) */
static bool table_separator(const char *s, size_t n)
{
	return n && strspn(s, "|-: ") >= n && memchr(s, '-', n) && memchr(s, '|', n);
}

/* The cells of a table line: offsets of their text in s, split at each '|'
 * that is not "\|". Returns the number of cells. */
static size_t cells(const char *s, size_t n, size_t start[MAX_COLS], size_t len[MAX_COLS])
{
	size_t k = 0, i = 0, c0;

	while (i < n && s[i] == ' ')
		i++;
	if (i < n && s[i] == '|')
		i++;
	while (n > i && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n > i && s[n - 1] == '|' && !(n >= 2 && s[n - 2] == '\\'))
		n--;
	for (c0 = i; i <= n && k < MAX_COLS; i++) {
		if (i < n && s[i] == '\\' && i + 1 < n) {
			i++;
			continue;
		}
		if (i == n || s[i] == '|') {
			size_t a = c0, e = i;
			while (a < e && s[a] == ' ')
				a++;
			while (e > a && s[e - 1] == ' ')
				e--;
			start[k] = a;
			len[k++] = e - a;
			c0 = i + 1;
		}
	}
	return k;
}

static void table_row(struct render *r, const char *s, size_t n, const char *cell, size_t ncols,
		      const char align[MAX_COLS])
{
	size_t st[MAX_COLS], ln[MAX_COLS];
	size_t k = cells(s, n, st, ln);

	fw_buf_puts(r->out, "<tr>");
	for (size_t c = 0; c < ncols; c++) {
		fw_buf_printf(r->out, "<%s%s>", cell,
			      align[c] == 'r' ? " class=\"r\"" : align[c] == 'c' ? " class=\"c\"" : "");
		if (c < k)
			inline_md(r, s + st[c], ln[c], false);
		fw_buf_printf(r->out, "</%s>", cell);
	}
	fw_buf_puts(r->out, "</tr>\n");
}

/* The next line of md from *pos: its text [*s, *s + *n), no '\n' or '\r'. */
static bool next_line(const char *md, size_t len, size_t *pos, const char **s, size_t *n)
{
	const char *nl;

	if (*pos >= len)
		return false;
	*s = md + *pos;
	nl = memchr(*s, '\n', len - *pos);
	*n = nl ? (size_t)(nl - *s) : len - *pos;
	*pos += *n + (nl ? 1 : 0);
	if (*n && (*s)[*n - 1] == '\r')
		(*n)--;
	return true;
}

void fw_md_to_html(struct fw_buf *out, const char *md, size_t len, fw_mdhtml_has_file has_file, void *ctx)
{
	struct render r = { .out = out, .has_file = has_file, .ctx = ctx };
	bool fence = false;
	size_t pos = 0, n;
	const char *s;

	fw_buf_init(&r.para);
	while (next_line(md, len, &pos, &s, &n)) {
		size_t indent, text, h = 0, peek = pos, n2;
		const char *s2;
		unsigned long num = 1;
		bool ordered;

		if (fence) {
			if (n >= 3 && strncmp(s, "```", 3) == 0) {
				fw_buf_puts(out, "</code></pre>\n");
				fence = false;
			} else {
				fw_html_escape(out, s, n);
				fw_buf_putc(out, '\n');
			}
			continue;
		}
		if (blank(s, n)) {
			end_block(&r);
			continue;
		}
		if (n >= 3 && strncmp(s, "```", 3) == 0) {
			end_block(&r);
			fw_buf_puts(out, "<pre><code>");
			fence = true;
			continue;
		}
		while (h < n && h < 7 && s[h] == '#')
			h++;
		if (h >= 1 && h <= 6 && h < n && s[h] == ' ') {
			end_block(&r);
			fw_buf_printf(out, "<h%zu>", h);
			inline_md(&r, s + h + 1, n - h - 1, false);
			fw_buf_printf(out, "</h%zu>\n", h);
			flush_figs(&r);
			continue;
		}
		if (s[0] == '|' && next_line(md, len, &peek, &s2, &n2) && table_separator(s2, n2)) {
			size_t st[MAX_COLS], ln[MAX_COLS], ncols;
			char align[MAX_COLS] = { 0 };

			end_block(&r);
			ncols = cells(s, n, st, ln);
			{
				size_t sst[MAX_COLS], sln[MAX_COLS];
				size_t k = cells(s2, n2, sst, sln);
				for (size_t c = 0; c < k && c < ncols; c++) {
					bool left = sln[c] && s2[sst[c]] == ':';
					bool right = sln[c] && s2[sst[c] + sln[c] - 1] == ':';
					align[c] = left && right ? 'c' : right ? 'r' : 0;
				}
			}
			fw_buf_puts(out, "<div class=\"tw\"><table>\n<thead>");
			table_row(&r, s, n, "th", ncols, align);
			fw_buf_puts(out, "</thead>\n<tbody>\n");
			pos = peek;
			while (peek < len && next_line(md, len, &peek, &s2, &n2) && n2 && s2[0] == '|') {
				table_row(&r, s2, n2, "td", ncols, align);
				pos = peek;
			}
			fw_buf_puts(out, "</tbody>\n</table></div>\n");
			flush_figs(&r);
			continue;
		}
		if (list_item(s, n, &indent, &ordered, &num, &text)) {
			item(&r, indent, ordered, num);
			fw_buf_putn(&r.para, s + text, n - text);
			continue;
		}
		/* paragraph text, or the continuation of a list item */
		if (r.para.len)
			fw_buf_putc(&r.para, '\n');
		if (r.in_item)
			while (n && *s == ' ')
				s++, n--;
		fw_buf_putn(&r.para, s, n);
	}
	end_block(&r);
	if (fence)
		fw_buf_puts(out, "</code></pre>\n");
	if (r.para.failed)
		out->failed = true;
	fw_buf_free(&r.para);
}
