/*
 * labelnodes.c: -tagroot and -tagleaf, ported from Go 1.19's vendored pprof
 * (internal/driver/tagroot.go: addLabelNodes, formatLabelValues;
 * internal/driver/driver.go: generateTagRootsLeaves).
 */
#include "pprof/labelnodes.h"
#include "pprof/units.h"
#include "base/keymap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct keylist {
	char **keys;
	size_t n;
};

static void keylist_free(struct keylist *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->keys[i]);
	free(k->keys);
}

/* dropEmptyStrings(strings.Split(s, ",")) */
static int keylist_split(const char *s, struct keylist *k)
{
	if (!s)
		return 0;
	for (;;) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		if (len > 0) {
			char **grown = realloc(k->keys, (k->n + 1) * sizeof(*grown));
			if (!grown)
				return -ENOMEM;
			k->keys = grown;
			if (!(k->keys[k->n] = strndup(s, len)))
				return -ENOMEM;
			k->n++;
		}
		if (!comma)
			return 0;
		s = comma + 1;
	}
}

static bool key_is(const struct fw_profile *p, uint32_t key, const char *want)
{
	size_t n = strlen(want);
	return fw_strlen(&p->strings, key) == n && !memcmp(fw_pstr(p, key), want, n);
}

/* formatLabelValues: sample s's values of label key, joined by ','. True
 * if it has any. */
static bool format_values(const struct fw_profile *p, const struct fw_sample *sm, const char *key,
			  const char *output_unit, struct fw_buf *out)
{
	const struct fw_label *ls = p->labels + sm->first_label;
	bool any = false, units = false;

	out->len = 0;
	for (uint32_t i = 0; i < sm->n_labels; i++) {
		if (!key_is(p, ls[i].key, key))
			continue;
		if (ls[i].str) {
			if (any)
				fw_buf_putc(out, ',');
			fw_buf_putn(out, fw_pstr(p, ls[i].str), fw_strlen(&p->strings, ls[i].str));
			any = true;
		} else if (ls[i].num_unit) {
			units = true; /* pprof's NumUnit[key] is set: every value uses its own unit */
		}
	}
	for (uint32_t i = 0; i < sm->n_labels; i++) {
		char v[96];
		if (!key_is(p, ls[i].key, key) || ls[i].str)
			continue;
		if (units)
			fw_unit_label(v, sizeof(v), ls[i].num,
				      ls[i].num_unit ? fw_pstr(p, ls[i].num_unit) : "", output_unit);
		else
			fw_unit_label(v, sizeof(v), ls[i].num, "", "");
		if (any)
			fw_buf_putc(out, ',');
		fw_buf_puts(out, v);
		any = true;
	}
	return any;
}

struct builder {
	struct fw_profile *p;
	struct fw_keymap locs; /* (name, file) string indices -> location */
	struct fw_buf value;
	uint64_t next_loc_id, next_func_id;
};

/* internLoc: the location for (name in b->value, file key), made on first use. */
static int intern_loc(struct builder *b, const char *key, uint32_t *loc)
{
	struct fw_profile *p = b->p;
	uint32_t k[2], found;
	int r;

	if (b->value.failed)
		return -ENOMEM;
	if (fw_strtab_intern(&p->strings, b->value.data ? b->value.data : "", b->value.len, &k[0]) < 0 ||
	    fw_strtab_intern(&p->strings, key, strlen(key), &k[1]) < 0)
		return -ENOMEM;
	if (p->n_locations >= UINT32_MAX - 1 || p->n_functions >= UINT32_MAX - 1 ||
	    p->n_lines >= UINT32_MAX - 1)
		return -ENOMEM;
	if ((r = fw_keymap_upsert(&b->locs, k, sizeof(k), (uint32_t)p->n_locations, &found)) < 0)
		return r;
	if (r == 1) {
		*loc = found;
		return 0;
	}
	{
		struct fw_function *fs = realloc(p->functions, (p->n_functions + 1) * sizeof(*fs));
		struct fw_line *ln;
		struct fw_location *ls;
		if (!fs)
			return -ENOMEM;
		p->functions = fs;
		if (!(ln = realloc(p->lines, (p->n_lines + 1) * sizeof(*ln))))
			return -ENOMEM;
		p->lines = ln;
		if (!(ls = realloc(p->locations, (p->n_locations + 1) * sizeof(*ls))))
			return -ENOMEM;
		p->locations = ls;
	}
	p->functions[p->n_functions] = (struct fw_function){ .id = b->next_func_id++, .name = k[0], .filename = k[1] };
	p->lines[p->n_lines] = (struct fw_line){ .function = (uint32_t)p->n_functions, .line = 0 };
	p->locations[p->n_locations] = (struct fw_location){
		.id = b->next_loc_id++,
		.mapping = FW_NONE,
		.first_line = (uint32_t)p->n_lines,
		.n_lines = 1,
	};
	p->n_functions++;
	p->n_lines++;
	*loc = (uint32_t)p->n_locations++;
	return 0;
}

/* makeLabelLocs: one location per key, last key first; appended to locs. */
static int label_locs(struct builder *b, const struct fw_sample *sm, const struct keylist *keys,
		      const char *output_unit, uint32_t *locs, bool *matched)
{
	for (size_t i = 0; i < keys->n; i++) {
		const char *key = keys->keys[keys->n - 1 - i];
		int r;
		if (format_values(b->p, sm, key, output_unit, &b->value))
			*matched = true;
		if ((r = intern_loc(b, key, &locs[i])) < 0)
			return r;
	}
	return 0;
}

static int add_nodes(struct fw_profile *p, const struct keylist *roots, const struct keylist *leaves,
		     const char *output_unit, bool *rootm, bool *leafm)
{
	struct builder b = { .p = p, .next_loc_id = 1, .next_func_id = 1 };
	size_t extra = roots->n + leaves->n, n = 0, total_locs = 0;
	uint32_t *locs = NULL, *added = NULL;
	int r = -ENOMEM;

	for (size_t i = 0; i < p->n_locations; i++)
		if (p->locations[i].id >= b.next_loc_id)
			b.next_loc_id = p->locations[i].id + 1;
	for (size_t i = 0; i < p->n_functions; i++)
		if (p->functions[i].id >= b.next_func_id)
			b.next_func_id = p->functions[i].id + 1;
	fw_keymap_init(&b.locs);
	fw_buf_init(&b.value);
	/* samples may share their stacks (profile.h): the new array holds
	 * every sample's own copy */
	for (size_t s = 0; s < p->n_samples; s++)
		total_locs += p->samples[s].n_locs;
	if (total_locs >= UINT32_MAX || p->n_samples > (UINT32_MAX - total_locs) / (extra + 1))
		goto out;
	locs = malloc((total_locs + p->n_samples * extra + 1) * sizeof(*locs));
	added = malloc((extra + 1) * sizeof(*added));
	if (!locs || !added)
		goto out;
	for (size_t s = 0; s < p->n_samples; s++) {
		struct fw_sample *sm = &p->samples[s];
		uint32_t first = (uint32_t)n;
		/* roots are made first, as in pprof (the new IDs follow that order) */
		if ((r = label_locs(&b, sm, roots, output_unit, added + leaves->n, rootm)) < 0 ||
		    (r = label_locs(&b, sm, leaves, output_unit, added, leafm)) < 0)
			goto out;
		memcpy(locs + n, added, leaves->n * sizeof(*locs));
		n += leaves->n;
		memcpy(locs + n, p->sample_locs + sm->first_loc, sm->n_locs * sizeof(*locs));
		n += sm->n_locs;
		memcpy(locs + n, added + leaves->n, roots->n * sizeof(*locs));
		n += roots->n;
		sm->first_loc = first;
		sm->n_locs = (uint32_t)(n - first);
	}
	free(p->sample_locs);
	p->sample_locs = locs;
	p->n_sample_locs = n;
	locs = NULL;
	r = 0;
out:
	free(locs);
	free(added);
	fw_keymap_free(&b.locs);
	fw_buf_free(&b.value);
	return r;
}

int fw_label_nodes_add(struct fw_profile *p, const char *rootkeys, const char *leafkeys,
		       const char *output_unit, struct fw_buf *warnings, struct fw_error *err)
{
	struct keylist roots = { NULL, 0 }, leaves = { NULL, 0 };
	bool rootm = false, leafm = false;
	int r;

	if ((r = keylist_split(rootkeys, &roots)) < 0 || (r = keylist_split(leafkeys, &leaves)) < 0)
		goto out;
	if (roots.n + leaves.n > 0 &&
	    (r = add_nodes(p, &roots, &leaves, output_unit, &rootm, &leafm)) < 0)
		goto out;
	/* generateTagRootsLeaves' warnNoMatches */
	if (warnings && rootkeys && *rootkeys && !rootm)
		fw_buf_puts(warnings, "TagRoot expression matched no samples\n");
	if (warnings && leafkeys && *leafkeys && !leafm)
		fw_buf_puts(warnings, "TagLeaf expression matched no samples\n");
out:
	keylist_free(&roots);
	keylist_free(&leaves);
	return r < 0 ? fw_err(err, r, "out of memory adding the -tagroot/-tagleaf frames") : 0;
}
