/*
 * traces.c: pprof's printTraces, the `-traces` report (see traces.h): the
 * profile header, then every sample with a stack in profile order: its
 * string labels, its numeric labels, its value and its frames from leaf to
 * root (one per location line, innermost first), each inlined frame marked.
 */
#include "pprof/traces.h"
#include "pprof/filter.h"
#include "pprof/units.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char separator[] = "-----------+-------------------------------------------------------\n";

/* Go's utf8.RuneCountInString: a valid sequence is one rune, every byte of
 * an invalid one is a rune of its own. */
static size_t rune_count(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = 0;

	while (*s) {
		unsigned char c = s[0];
		size_t len = 1;
		if (c >= 0xc2 && c <= 0xdf && (s[1] & 0xc0) == 0x80) {
			len = 2;
		} else if (c >= 0xe0 && c <= 0xef && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80 &&
			   !(c == 0xe0 && s[1] < 0xa0) && !(c == 0xed && s[1] > 0x9f)) {
			len = 3;
		} else if (c >= 0xf0 && c <= 0xf4 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80 &&
			   (s[3] & 0xc0) == 0x80 && !(c == 0xf0 && s[1] < 0x90) &&
			   !(c == 0xf4 && s[1] > 0x8f)) {
			len = 4;
		}
		s += len;
		n++;
	}
	return n;
}

/* fmt's "%10s": right-aligned in 10 runes. */
static void put_padded(struct fw_buf *b, const char *s, size_t width)
{
	for (size_t n = rune_count(s); n < width; n++)
		fw_buf_putc(b, ' ');
	fw_buf_puts(b, s);
}

static bool is_num_label(const struct fw_label *l)
{
	return l->str == 0;
}

/* Scratch space for one sample's label lines. */
struct label_scratch {
	struct fw_buf text;  /* the lines, each NUL-terminated */
	uint32_t *pos;	     /* label positions grouped by key */
	size_t *offs;	     /* start of each line in text */
	const char **lines;  /* the lines, to sort */
};

/* Orders a sample's label positions by key, then position (so each key's
 * values keep their order). */
static int cmp_label_pos(const void *a, const void *b, void *opaque)
{
	const struct fw_label *ls = opaque;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	if (ls[x].key != ls[y].key)
		return ls[x].key < ls[y].key ? -1 : 1;
	return x < y ? -1 : x > y;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The sample's string (num false) or numeric labels, one "%10s:  v1 v2\n"
 * line per key, sorted as strings like pprof does. */
static int print_labels(const struct fw_report *r, size_t s, bool num, const char *const *unit_of,
			struct label_scratch *sc, struct fw_buf *out)
{
	const struct fw_profile *p = r->p;
	const struct fw_sample *sm = &p->samples[s];
	const struct fw_label *ls;
	size_t m = 0, count = 0;

	if (sm->n_labels == 0)
		return 0;
	ls = p->labels + sm->first_label;

	for (uint32_t i = 0; i < sm->n_labels; i++)
		if (is_num_label(&ls[i]) == num)
			sc->pos[m++] = i;
	if (m == 0)
		return 0;
	qsort_r(sc->pos, m, sizeof(*sc->pos), cmp_label_pos, (void *)ls);
	sc->text.len = 0;
	for (size_t i = 0; i < m; i++) {
		const struct fw_label *l = &ls[sc->pos[i]];
		if (i > 0 && ls[sc->pos[i - 1]].key == l->key) {
			fw_buf_putc(&sc->text, ' ');
		} else {
			if (i > 0)
				fw_buf_putn(&sc->text, "\n", 2); /* ends the line and its string */
			sc->offs[count++] = sc->text.len;
			put_padded(&sc->text, fw_pstr(p, l->key), 10);
			fw_buf_puts(&sc->text, ":  ");
		}
		if (num) {
			char v[64];
			fw_unit_label(v, sizeof(v), l->num, unit_of[l->key], "auto");
			fw_buf_puts(&sc->text, v);
		} else {
			fw_buf_puts(&sc->text, fw_pstr(p, l->str));
		}
	}
	fw_buf_putn(&sc->text, "\n", 2);
	if (sc->text.failed)
		return -ENOMEM;
	for (size_t i = 0; i < count; i++)
		sc->lines[i] = sc->text.data + sc->offs[i];
	fw_qsort(sc->lines, count, sizeof(*sc->lines), cmp_str);
	for (size_t i = 0; i < count; i++)
		fw_buf_puts(out, sc->lines[i]);
	return 0;
}

/* The report into out; with f, written to f whenever out holds 32 KiB, so
 * a large profile's traces never sit in memory whole. */
static int traces(struct fw_report *r, struct fw_buf *out, FILE *f, struct fw_error *err)
{
	const struct fw_profile *p = r->p;
	const struct fw_nodetab *t = &r->tab;
	struct label_scratch sc = { .pos = NULL };
	const char **unit_of = NULL;
	size_t max_labels = 0;
	int rc = -ENOMEM;

	fw_buf_init(&sc.text);
	if (fw_num_label_units(p, &unit_of) < 0)
		goto out;
	for (size_t s = 0; s < p->n_samples; s++)
		if (p->samples[s].n_labels > max_labels)
			max_labels = p->samples[s].n_labels;
	sc.pos = malloc((max_labels + 1) * sizeof(*sc.pos));
	sc.offs = malloc((max_labels + 1) * sizeof(*sc.offs));
	sc.lines = malloc((max_labels + 1) * sizeof(*sc.lines));
	if (!sc.pos || !sc.offs || !sc.lines)
		goto out;

	size_t before = out->len;
	fw_report_profile_labels(r, out);
	/* pprof prints the labels joined by newlines, then a newline: an empty
	 * line when the profile has none. */
	if (out->len == before)
		fw_buf_putc(out, '\n');
	for (size_t s = 0; s < p->n_samples; s++) {
		const struct fw_sample *sm = &p->samples[s];
		char v[64];
		bool first = true;

		if (sm->n_locs == 0)
			continue; /* every location has at least one node */
		if ((rc = fw_buf_stream(out, f)) < 0)
			goto out;
		fw_buf_puts(out, separator);
		if (print_labels(r, s, false, unit_of, &sc, out) < 0 ||
		    print_labels(r, s, true, unit_of, &sc, out) < 0)
			goto out;
		fw_report_value(r, fw_report_sample_value(r, s), v, sizeof(v));
		for (uint32_t i = 0; i < sm->n_locs; i++) {
			uint32_t loc = p->sample_locs[sm->first_loc + i];
			uint32_t base = t->loc_first[loc], cnt = t->loc_count[loc];
			for (uint32_t k = 0; k < cnt; k++) {
				uint32_t node = t->loc_nodes[base + k];

				fw_buf_printf(out, "%10s   ", first ? v : "");
				fw_buf_putn(out, fw_node_name(t, node), fw_node_name_len(t, node));
				fw_buf_printf(out, "%s\n", k != cnt - 1 ? " (inline)" : "");
				first = false;
			}
		}
	}
	fw_buf_puts(out, separator);
	rc = fw_buf_stream_end(out, f);
out:
	free(unit_of);
	free(sc.pos);
	free(sc.offs);
	free(sc.lines);
	fw_buf_free(&sc.text);
	if (rc == -ENOMEM)
		return fw_err(err, rc, "out of memory");
	if (rc < 0)
		return fw_report_stream_error(err, rc);
	return 0;
}

int fw_traces_write(struct fw_report *r, struct fw_buf *out, struct fw_error *err)
{
	return traces(r, out, NULL, err);
}

int fw_traces_stream(struct fw_report *r, FILE *f, struct fw_error *err)
{
	return fw_report_stream(r, traces, f, err);
}
