/*
 * traces.c: pprof's `-traces` (printTraces): the profile header, then every
 * sample with a non-empty stack: its string labels, its numeric labels (in
 * their units), its value and its frames from leaf to root, an inlined
 * frame marked "(inline)". No trimming, and every value scales on its own.
 */
#include "traces.h"
#include "units.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char separator[] = "-----------+-------------------------------------------------------\n";

/* pprof's NumLabelUnits: a key's unit is the first non-empty unit given
 * with it anywhere in the profile; without one, "alignment" and "request"
 * are bytes and any other key is its own unit. */
static const char *num_unit(const struct fw_profile *p, uint32_t key)
{
	const char *k = fw_pstr(p, key);

	for (size_t i = 0; i < p->n_labels; i++) {
		const struct fw_label *l = &p->labels[i];
		if (l->str == 0 && l->num_unit && l->key == key)
			return fw_pstr(p, l->num_unit);
	}
	if (!strcmp(k, "alignment") || !strcmp(k, "request"))
		return "bytes";
	return k;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "%10s:  v1 v2\n" per key, for the string (numeric=false) or numeric
 * labels of sample s, sorted as whole lines like pprof does. */
static int labels(const struct fw_profile *p, const struct fw_sample *sm, bool numeric, struct fw_buf *out)
{
	char **lines = calloc(sm->n_labels + 1, sizeof(*lines));
	size_t n = 0;
	int rc = 0;

	if (!lines)
		return -ENOMEM;
	for (uint32_t i = 0; i < sm->n_labels; i++) {
		const struct fw_label *l = &p->labels[sm->first_label + i];
		struct fw_buf line;
		bool seen = false;

		if ((l->str == 0) != numeric)
			continue;
		for (uint32_t k = 0; k < i && !seen; k++) {
			const struct fw_label *o = &p->labels[sm->first_label + k];
			seen = (o->str == 0) == numeric && o->key == l->key;
		}
		if (seen)
			continue; /* this key's values were gathered already */
		fw_buf_init(&line);
		fw_buf_printf(&line, "%10s:  ", fw_pstr(p, l->key));
		for (uint32_t k = i, first = 1; k < sm->n_labels; k++) {
			const struct fw_label *o = &p->labels[sm->first_label + k];
			if ((o->str == 0) != numeric || o->key != l->key)
				continue;
			if (!first)
				fw_buf_putc(&line, ' ');
			first = 0;
			if (numeric) {
				char v[64];
				fw_unit_label(v, sizeof(v), o->num, num_unit(p, o->key), "auto");
				fw_buf_puts(&line, v);
			} else {
				fw_buf_puts(&line, fw_pstr(p, o->str));
			}
		}
		fw_buf_putc(&line, '\n');
		if (line.failed) {
			fw_buf_free(&line);
			rc = -ENOMEM;
			break;
		}
		lines[n++] = line.data;
	}
	qsort(lines, n, sizeof(*lines), cmp_str);
	for (size_t i = 0; i < n; i++) {
		fw_buf_puts(out, lines[i]);
		free(lines[i]);
	}
	free(lines);
	return rc;
}

int fw_traces_write(struct fw_report *r, struct fw_buf *out, struct fw_error *err)
{
	const struct fw_profile *p = r->p;
	const struct fw_nodetab *t = &r->tab;

	fw_report_profile_labels(r, out);
	for (size_t s = 0; s < p->n_samples; s++) {
		const struct fw_sample *sm = &p->samples[s];
		bool first = true;
		char v[64];

		if (sm->n_locs == 0)
			continue;
		fw_buf_puts(out, separator);
		if (labels(p, sm, false, out) < 0 || labels(p, sm, true, out) < 0)
			return fw_err(err, -ENOMEM, "out of memory writing traces");
		fw_report_value(r, fw_sample_values(p, s)[r->vi], v, sizeof(v));
		for (uint32_t i = 0; i < sm->n_locs; i++) {
			uint32_t loc = p->sample_locs[sm->first_loc + i];
			uint32_t cnt = t->loc_count[loc];
			for (uint32_t k = 0; k < cnt; k++) {
				uint32_t n = t->loc_nodes[t->loc_first[loc] + k];
				fw_buf_printf(out, "%10s   %s%s\n", first ? v : "", fw_node_name(t, n),
					      k != cnt - 1 ? " (inline)" : "");
				first = false;
			}
		}
	}
	fw_buf_puts(out, separator);
	return 0;
}
