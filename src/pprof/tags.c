/*
 * tags.c: the `-tags` report, as Go 1.19 pprof's printTags
 * (internal/report/report.go): per label key (sorted by name) "key: Total
 * V", then each value with its share of that total, by decreasing |value|
 * then name; numeric labels are formatted with their key's unit. pprof
 * lays the text out with text/tabwriter (AlignRight, padding 1); tw_*
 * below is a port of it, so that hostile label text (tabs, newlines,
 * multi-byte runes, 0xff) lands exactly where Go puts it.
 */
#include "pprof/tags.h"
#include "pprof/filter.h"
#include "pprof/units.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- text/tabwriter (minwidth 0, padding 1, padchar ' ', AlignRight) -------- */

struct tw_cell {
	size_t size;
	long width; /* in runes; an escaped sequence's two 0xff bytes do not count */
};

struct tw {
	struct fw_buf *out;
	struct fw_buf buf; /* the text of the cells not yet written */
	size_t pos;	   /* start of the text not yet counted in cell.width */
	struct tw_cell cell;
	char end_char; /* 0, or 0xff inside an escaped sequence */
	struct tw_cell *cells;
	size_t n_cells, cap_cells;
	size_t *line_start; /* index into cells of each line's first cell */
	size_t n_lines, cap_lines;
	long *widths;
	size_t n_widths, cap_widths;
	bool failed;
};

/* utf8.RuneCount: a valid sequence is one rune, each byte of an invalid one
 * a rune of its own. */
static size_t rune_count(const unsigned char *s, size_t n)
{
	size_t count = 0, i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t len = 1;
		size_t left = n - i;
#define CONT(k) (left > (k) && (s[i + (k)] & 0xc0) == 0x80)
		if (c >= 0xc2 && c <= 0xdf && CONT(1))
			len = 2;
		else if (c >= 0xe0 && c <= 0xef && CONT(1) && CONT(2) && !(c == 0xe0 && s[i + 1] < 0xa0) &&
			 !(c == 0xed && s[i + 1] > 0x9f))
			len = 3;
		else if (c >= 0xf0 && c <= 0xf4 && CONT(1) && CONT(2) && CONT(3) &&
			 !(c == 0xf0 && s[i + 1] < 0x90) && !(c == 0xf4 && s[i + 1] > 0x8f))
			len = 4;
#undef CONT
		i += len;
		count++;
	}
	return count;
}

static size_t tw_line_len(const struct tw *t, size_t i)
{
	size_t end = i + 1 < t->n_lines ? t->line_start[i + 1] : t->n_cells;
	return end - t->line_start[i];
}

static void tw_add_line(struct tw *t)
{
	if (fw_grow((void **)&t->line_start, &t->cap_lines, t->n_lines + 1, sizeof(size_t)) < 0) {
		t->failed = true;
		return;
	}
	t->line_start[t->n_lines++] = t->n_cells;
}

static void tw_reset(struct tw *t)
{
	t->buf.len = 0;
	t->pos = 0;
	t->cell = (struct tw_cell){ 0, 0 };
	t->end_char = 0;
	t->n_cells = 0;
	t->n_lines = 0;
	t->n_widths = 0;
	tw_add_line(t);
}

static void tw_append(struct tw *t, const char *text, size_t n)
{
	fw_buf_putn(&t->buf, text, n);
	t->cell.size += n;
}

static void tw_update_width(struct tw *t)
{
	t->cell.width += (long)rune_count((const unsigned char *)t->buf.data + t->pos, t->buf.len - t->pos);
	t->pos = t->buf.len;
}

static void tw_end_escape(struct tw *t)
{
	tw_update_width(t);
	t->cell.width -= 2; /* the Escape bytes do not count */
	t->pos = t->buf.len;
	t->end_char = 0;
}

static size_t tw_terminate_cell(struct tw *t)
{
	if (fw_grow((void **)&t->cells, &t->cap_cells, t->n_cells + 1, sizeof(*t->cells)) < 0) {
		t->failed = true;
		return 0;
	}
	t->cells[t->n_cells++] = t->cell;
	t->cell = (struct tw_cell){ 0, 0 };
	return tw_line_len(t, t->n_lines - 1);
}

static void tw_pad(struct tw *t, long textw, long cellw)
{
	for (long i = textw; i < cellw; i++)
		fw_buf_putc(t->out, ' ');
}

static size_t tw_write_lines(struct tw *t, size_t pos, size_t line0, size_t line1)
{
	for (size_t i = line0; i < line1; i++) {
		size_t first = t->line_start[i], n = tw_line_len(t, i);
		for (size_t j = 0; j < n; j++) {
			const struct tw_cell *c = &t->cells[first + j];
			if (j < t->n_widths)
				tw_pad(t, c->width, t->widths[j]);
			fw_buf_putn(t->out, t->buf.data + pos, c->size);
			pos += c->size;
		}
		if (i + 1 == t->n_lines) {
			fw_buf_putn(t->out, t->buf.data + pos, t->cell.size);
			pos += t->cell.size;
		} else {
			fw_buf_putc(t->out, '\n');
		}
	}
	return pos;
}

static size_t tw_format(struct tw *t, size_t pos, size_t line0, size_t line1)
{
	size_t column = t->n_widths;

	for (size_t this = line0; this < line1; this++) {
		if (column + 1 >= tw_line_len(t, this))
			continue;
		pos = tw_write_lines(t, pos, line0, this);
		line0 = this;
		long width = 0;
		for (; this < line1; this++) {
			if (column + 1 >= tw_line_len(t, this))
				break;
			long w = t->cells[t->line_start[this] + column].width + 1;
			if (w > width)
				width = w;
		}
		if (fw_grow((void **)&t->widths, &t->cap_widths, t->n_widths + 1, sizeof(long)) < 0) {
			t->failed = true;
			return pos;
		}
		t->widths[t->n_widths++] = width;
		pos = tw_format(t, pos, line0, this);
		t->n_widths--;
		line0 = this;
		/* Go's loop increments this past the block's end line, which
		 * starts the next block search one line later; the line at
		 * `this` has too few cells for this column, so nothing is lost. */
	}
	return tw_write_lines(t, pos, line0, line1);
}

static void tw_flush(struct tw *t)
{
	if (t->cell.size > 0) {
		if (t->end_char)
			tw_end_escape(t);
		tw_terminate_cell(t);
	}
	if (!t->failed)
		tw_format(t, 0, 0, t->n_lines);
	tw_reset(t);
}

static void tw_write(struct tw *t, const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len && !t->failed; i++) {
		char ch = s[i];
		if (t->end_char == 0) {
			if (ch == '\t' || ch == '\v' || ch == '\n' || ch == '\f') {
				tw_append(t, s + n, i - n);
				tw_update_width(t);
				n = i + 1;
				size_t ncells = tw_terminate_cell(t);
				if (ch == '\n' || ch == '\f') {
					tw_add_line(t);
					if (ch == '\f' || ncells == 1)
						tw_flush(t);
				}
			} else if (ch == '\xff') {
				tw_append(t, s + n, i - n);
				tw_update_width(t);
				n = i;
				t->end_char = '\xff';
			}
		} else if (ch == t->end_char) {
			tw_append(t, s + n, i + 1 - n);
			n = i + 1;
			tw_end_escape(t);
		}
	}
	tw_append(t, s + n, len - n);
}

/* ---- printTags ---------------------------------------------------------------- */

struct tag {
	const char *name; /* the key, or the value as printed */
	int64_t flat;
	size_t first, n; /* values of a key: [first, first + n) of the values array */
};

static int cmp_tag(const void *a, const void *b)
{
	const struct tag *x = a, *y = b;
	if (x->flat != y->flat) {
		int64_t ax = fw_abs64(x->flat), ay = fw_abs64(y->flat);
		return ax > ay ? -1 : ax < ay ? 1 : 0;
	}
	return strcmp(x->name, y->name);
}

/* A (key, value) pair of the labels, with the value of the samples that
 * carry it summed. */
struct pair {
	const char *key, *value;
	int64_t v;
};

static int cmp_pair(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : strcmp(x->value, y->value);
}

/* A distinct label of the profile: key and string (str != 0) or number,
 * as string indices and the number; sum: the samples' values. */
struct label_sum {
	uint32_t key, str;
	int64_t num, sum;
};

/* The distinct labels, in an open-addressing set of indices (index + 1,
 * 0 = empty, at most half full): a profile has few distinct labels and
 * many samples, so that the labels are summed before any text is made. */
struct label_sums {
	struct label_sum *l;
	size_t n, cap;
	uint32_t *slots;
	size_t nslots;
};

static size_t label_slot(uint32_t key, uint32_t str, int64_t num, size_t nslots)
{
	return (size_t)fw_hash_u64((uint64_t)key << 32 | str, (uint64_t)num) & (nslots - 1);
}

static int label_sums_add(struct label_sums *ls, uint32_t key, uint32_t str, int64_t num, int64_t v)
{
	size_t h;

	if ((ls->n + 1) * 2 > ls->nslots) {
		size_t ns = ls->nslots ? ls->nslots * 2 : 64;
		uint32_t *slots;
		if (ns > SIZE_MAX / 2 / sizeof(*slots) || !(slots = calloc(ns, sizeof(*slots))))
			return -ENOMEM;
		for (size_t i = 0; i < ls->n; i++) {
			const struct label_sum *l = &ls->l[i];
			for (h = label_slot(l->key, l->str, l->num, ns); slots[h]; h = (h + 1) & (ns - 1))
				;
			slots[h] = (uint32_t)(i + 1);
		}
		free(ls->slots);
		ls->slots = slots;
		ls->nslots = ns;
	}
	for (h = label_slot(key, str, num, ls->nslots); ls->slots[h]; h = (h + 1) & (ls->nslots - 1)) {
		struct label_sum *l = &ls->l[ls->slots[h] - 1];
		if (l->key == key && l->str == str && l->num == num) {
			l->sum = fw_add64(l->sum, v);
			return 0;
		}
	}
	if (ls->n >= UINT32_MAX - 1 || fw_grow((void **)&ls->l, &ls->cap, ls->n + 1, sizeof(*ls->l)) < 0)
		return -ENOMEM;
	ls->l[ls->n] = (struct label_sum){ key, str, num, v };
	ls->slots[h] = (uint32_t)++ls->n;
	return 0;
}

int fw_tags_write(struct fw_report *r, struct fw_buf *out, struct fw_error *err)
{
	const struct fw_profile *p = r->p;
	const char **unit_of = NULL;
	struct label_sums ls = { .l = NULL };
	struct pair *pairs = NULL;
	struct tag *keys = NULL, *vals = NULL;
	size_t *num_off = NULL;		  /* per distinct label: its number's text in numtext */
	struct fw_buf numtext, text;
	size_t n_pairs = 0, n_keys = 0, n_vals = 0;
	struct tw t;
	int rc = -ENOMEM;

	memset(&t, 0, sizeof(t));
	fw_buf_init(&numtext);
	fw_buf_init(&text);
	fw_buf_init(&t.buf);
	t.out = out;
	if (fw_num_label_units(p, &unit_of) < 0)
		goto out;
	/* tagMap[key][value] += value of the sample, first by label: a string
	 * label by its string, a numeric one by its number (the text of both
	 * depends on nothing else) */
	for (size_t s = 0; s < p->n_samples; s++) {
		const struct fw_sample *sm = &p->samples[s];
		int64_t v = fw_sample_values(p, s)[r->vi];
		for (uint32_t i = 0; i < sm->n_labels; i++) {
			const struct fw_label *l = &p->labels[sm->first_label + i];
			if (label_sums_add(&ls, l->key, l->str, l->str ? 0 : l->num, v) < 0)
				goto out;
		}
	}
	free(ls.slots);
	ls.slots = NULL;
	n_pairs = ls.n;
	pairs = malloc((n_pairs + 1) * sizeof(*pairs));
	num_off = malloc((n_pairs + 1) * sizeof(*num_off));
	keys = malloc((n_pairs + 1) * sizeof(*keys));
	vals = malloc((n_pairs + 1) * sizeof(*vals));
	if (!pairs || !num_off || !keys || !vals)
		goto out;
	for (size_t i = 0; i < n_pairs; i++) {
		const struct label_sum *l = &ls.l[i];
		char nt[64];
		if (l->str)
			continue;
		fw_unit_label(nt, sizeof(nt), l->num, unit_of[l->key] ? unit_of[l->key] : "", r->output_unit);
		num_off[i] = numtext.len;
		fw_buf_putn(&numtext, nt, strlen(nt) + 1);
	}
	if (numtext.failed)
		goto out;
	for (size_t i = 0; i < n_pairs; i++) {
		const struct label_sum *l = &ls.l[i];
		pairs[i] = (struct pair){ .key = fw_pstr(p, l->key),
					  .value = l->str ? fw_pstr(p, l->str) : numtext.data + num_off[i],
					  .v = l->sum };
	}
	/* then by text: labels that print the same are one */
	qsort(pairs, n_pairs, sizeof(*pairs), cmp_pair);
	for (size_t i = 0; i < n_pairs; i++) {
		bool new_key = i == 0 || strcmp(pairs[i].key, pairs[i - 1].key) != 0;
		if (new_key)
			keys[n_keys++] = (struct tag){ .name = pairs[i].key, .first = n_vals };
		if (new_key || strcmp(pairs[i].value, pairs[i - 1].value) != 0) {
			vals[n_vals++] = (struct tag){ .name = pairs[i].value };
			keys[n_keys - 1].n++;
		}
		vals[n_vals - 1].flat = fw_add64(vals[n_vals - 1].flat, pairs[i].v);
	}
	/* keys all have flat 0: sorted by name, as they already are */
	for (size_t k = 0; k < n_keys; k++) {
		struct tag *kv = &vals[keys[k].first];
		int64_t total = 0;
		char unit[32];
		double f;

		for (size_t i = 0; i < keys[k].n; i++)
			total = fw_add64(total, kv[i].flat);
		qsort(kv, keys[k].n, sizeof(*kv), cmp_tag);
		f = fw_unit_scale(total, r->sample_unit, r->output_unit, unit, sizeof(unit));
		fw_buf_printf(&text, "%s:\t Total %.1f%s\n", keys[k].name, f, unit);
		for (size_t i = 0; i < keys[k].n; i++) {
			f = fw_unit_scale(kv[i].flat, r->sample_unit, r->output_unit, unit, sizeof(unit));
			if (total > 0) {
				char pct[32];
				fw_percentage(pct, sizeof(pct), kv[i].flat, total);
				fw_buf_printf(&text, " \t%.1f%s (%s):\t %s\n", f, unit, pct, kv[i].name);
			} else {
				fw_buf_printf(&text, " \t%.1f%s:\t %s\n", f, unit, kv[i].name);
			}
		}
		fw_buf_putc(&text, '\n');
	}
	if (text.failed)
		goto out;
	tw_reset(&t);
	tw_write(&t, text.data ? text.data : "", text.len);
	tw_flush(&t);
	if (t.failed || t.buf.failed || out->failed)
		goto out;
	rc = 0;
out:
	free(unit_of);
	free(ls.l);
	free(ls.slots);
	free(pairs);
	free(num_off);
	fw_buf_free(&numtext);
	free(keys);
	free(vals);
	free(t.cells);
	free(t.line_start);
	free(t.widths);
	fw_buf_free(&t.buf);
	fw_buf_free(&text);
	if (rc < 0)
		return fw_err(err, rc, "out of memory");
	return 0;
}
