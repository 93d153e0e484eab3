/*
 * outliers.c: robust z-scores across hosts (see outliers.h).
 */
#include "investigate/outliers.h"
#include "investigate/index.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* median of the sorted s[0..n), n >= 1 */
static double median_sorted(const double *s, size_t n)
{
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

int fw_robust_stats(const double *v, size_t n, struct fw_robust *out, struct fw_error *err)
{
	double *s, sum = 0;

	memset(out, 0, sizeof(*out));
	if (n == 0)
		return fw_err(err, -EINVAL, "no values to take a median of");
	if (!(s = malloc(n * sizeof(*s))))
		return fw_err(err, -ENOMEM, "out of memory computing a median of %zu values", n);
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	out->median = median_sorted(s, n);
	for (size_t i = 0; i < n; i++) {
		s[i] = fabs(v[i] - out->median);
		sum += s[i];
	}
	qsort(s, n, sizeof(*s), cmp_double);
	out->mad = median_sorted(s, n);
	out->meanad = sum / (double)n;
	free(s);
	if (out->mad > 0) {
		out->kind = FW_SCALE_MAD;
		out->scale = FW_OUTLIERS_MAD_SCALE * out->mad;
	} else if (out->meanad > 0) {
		out->kind = FW_SCALE_MEANAD;
		out->scale = FW_OUTLIERS_MEANAD_SCALE * out->meanad;
	} else {
		out->kind = FW_SCALE_NONE;
		out->scale = 0;
	}
	return 0;
}

double fw_robust_z(const struct fw_robust *s, double x)
{
	return s->kind == FW_SCALE_NONE ? 0 : (x - s->median) / s->scale;
}

/* ---- the hosts ------------------------------------------------------------------ */

const char *fw_outlier_proc_name(enum fw_outlier_proc p)
{
	return p == FW_OP_CORE ? "core" : "trace";
}

static const char *const metric_ids[FW_OM_N] = { "heap_alloc", "sys", "goroutines", "cpu_ns_per_s", "growth_30s" };
static const char *const metric_names[FW_OM_N] = { "HeapAlloc", "Sys", "goroutines", "CPU", "heap growth/30s" };

const char *fw_outlier_metric_id(enum fw_outlier_metric m)
{
	return metric_ids[m];
}

const char *fw_outlier_metric_name(enum fw_outlier_metric m)
{
	return metric_names[m];
}

const char *fw_outlier_metric_unit(enum fw_outlier_metric m)
{
	static const char *const units[FW_OM_N] = { "bytes", "bytes", "count", "ns/s", "bytes/30s" };
	return units[m];
}

static int cmp_outlier(const void *a, const void *b)
{
	const struct fw_outlier *x = a, *y = b;
	double ax = fabs(x->z), ay = fabs(y->z);

	if (ax != ay)
		return ax > ay ? -1 : 1;
	if (x->host != y->host)
		return x->host < y->host ? -1 : 1;
	if (x->proc != y->proc)
		return x->proc < y->proc ? -1 : 1;
	return (int)x->metric - (int)y->metric;
}

/* Compares the hosts h[idx[0..k)] as group g. vals: room for k doubles. */
static int compare_group(const struct fw_outlier_host *h, const size_t *idx, size_t k, double threshold,
			 double *vals, struct fw_outlier_group *g, struct fw_error *err)
{
	size_t cap = 0;
	int r;

	g->n_hosts = k;
	g->compared = k >= FW_OUTLIERS_MIN_HOSTS;
	for (int p = 0; p < FW_OP_N; p++) {
		for (int m = 0; m < FW_OM_N; m++) {
			struct fw_outlier_series *s = &g->series[p][m];
			size_t n = 0;
			for (size_t i = 0; i < k; i++)
				if (h[idx[i]].have[p][m])
					vals[n++] = (double)h[idx[i]].v[p][m];
			s->n = n;
			s->compared = g->compared && n >= FW_OUTLIERS_MIN_HOSTS;
			if (!s->compared)
				continue;
			if ((r = fw_robust_stats(vals, n, &s->stats, err)) < 0)
				return r;
			for (size_t i = 0; i < k; i++) {
				const struct fw_outlier_host *x = &h[idx[i]];
				double z;
				if (!x->have[p][m])
					continue;
				z = fw_robust_z(&s->stats, (double)x->v[p][m]);
				if (!(fabs(z) > threshold))
					continue;
				if (fw_grow((void **)&g->outliers, &cap, g->n_outliers + 1, sizeof(*g->outliers)) < 0)
					return fw_err(err, -ENOMEM, "out of memory listing outliers");
				g->outliers[g->n_outliers++] = (struct fw_outlier){ idx[i], (enum fw_outlier_proc)p,
										    (enum fw_outlier_metric)m,
										    x->v[p][m], z };
			}
		}
	}
	fw_qsort(g->outliers, g->n_outliers, sizeof(*g->outliers), cmp_outlier);
	return 0;
}

struct by_version {
	const char *version;
	size_t i;
};

static int cmp_version(const void *a, const void *b)
{
	const struct by_version *x = a, *y = b;
	int r = strcmp(x->version, y->version);
	return r ? r : (x->i > y->i) - (x->i < y->i);
}

int fw_outliers_find(const struct fw_outlier_host *h, size_t n, bool per_version, double threshold,
		     struct fw_outliers *out, struct fw_error *err)
{
	struct by_version *bv = NULL;
	size_t *idx = NULL, cap = 0;
	double *vals = NULL;
	int r = 0;

	memset(out, 0, sizeof(*out));
	out->threshold = threshold;
	out->n_hosts = n;
	if (!(threshold > 0) || !isfinite(threshold))
		return fw_err(err, -EINVAL, "the threshold must be a positive number");
	idx = malloc((n ? n : 1) * sizeof(*idx));
	vals = malloc((n ? n : 1) * sizeof(*vals));
	bv = malloc((n ? n : 1) * sizeof(*bv));
	if (!idx || !vals || !bv) {
		r = fw_err(err, -ENOMEM, "out of memory comparing %zu hosts", n);
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		bv[i] = (struct by_version){ h[i].agent_version ? h[i].agent_version : "", i };
	if (per_version)
		fw_qsort(bv, n, sizeof(*bv), cmp_version);
	for (size_t i = 0; i < n; i++)
		idx[i] = bv[i].i;
	/* groups: [i, j) of equal versions, or all the hosts in one */
	for (size_t i = 0, j; i < n || (!per_version && out->n_groups == 0); i = j) {
		struct fw_outlier_group *g;
		j = i + 1;
		if (!per_version)
			j = n;
		else
			while (j < n && strcmp(bv[j].version, bv[i].version) == 0)
				j++;
		if (fw_grow((void **)&out->groups, &cap, out->n_groups + 1, sizeof(*out->groups)) < 0) {
			r = fw_err(err, -ENOMEM, "out of memory comparing %zu hosts", n);
			goto done;
		}
		g = &out->groups[out->n_groups++];
		memset(g, 0, sizeof(*g));
		g->agent_version = per_version ? bv[i].version : NULL;
		if ((r = compare_group(h, idx + i, j - i, threshold, vals, g, err)) < 0)
			goto done;
	}
done:
	free(bv);
	free(idx);
	free(vals);
	if (r < 0)
		fw_outliers_free(out);
	return r;
}

void fw_outliers_free(struct fw_outliers *o)
{
	for (size_t i = 0; i < o->n_groups; i++)
		free(o->groups[i].outliers);
	free(o->groups);
	memset(o, 0, sizeof(*o));
}

/* ---- from the investigations tree ------------------------------------------------ */

static void proc_figures(struct fw_outlier_host *h, enum fw_outlier_proc p, const struct fw_index_proc *f)
{
	if (!f->present)
		return;
	h->have[p][FW_OM_HEAP_ALLOC] = f->heap_alloc >= 0;
	h->v[p][FW_OM_HEAP_ALLOC] = f->heap_alloc;
	h->have[p][FW_OM_SYS] = f->sys >= 0;
	h->v[p][FW_OM_SYS] = f->sys;
	h->have[p][FW_OM_GOROUTINES] = f->goroutines >= 0;
	h->v[p][FW_OM_GOROUTINES] = f->goroutines;
	h->have[p][FW_OM_CPU] = f->cpu_ns_per_s >= 0;
	h->v[p][FW_OM_CPU] = f->cpu_ns_per_s;
	h->have[p][FW_OM_GROWTH] = f->has_growth_30s;
	h->v[p][FW_OM_GROWTH] = f->growth_30s;
}

int fw_outliers_hosts(const struct fw_index_list *l, struct fw_outlier_host **out, size_t *n,
		      struct fw_error *err)
{
	size_t *order;
	struct fw_outlier_host *h;
	size_t k = 0;

	*out = NULL;
	*n = 0;
	order = fw_index_by_host(l);
	h = calloc(l->n ? l->n : 1, sizeof(*h));
	if (!order || !h) {
		free(order);
		free(h);
		return fw_err(err, -ENOMEM, "out of memory listing the hosts of %zu reports", l->n);
	}
	for (size_t i = 0; i < l->n; i++) {
		const struct fw_index_entry *e = &l->v[order[i]];
		if (i > 0 && strcmp(e->hostname, l->v[order[i - 1]].hostname) == 0)
			continue; /* an older flare of the same host */
		h[k] = (struct fw_outlier_host){ .hostname = e->hostname,
						 .agent_version = e->agent_version ? e->agent_version : "",
						 .time = e->time,
						 .report = e->report,
						 .report_dir = e->report_dir ? e->report_dir : "" };
		proc_figures(&h[k], FW_OP_CORE, &e->core);
		proc_figures(&h[k], FW_OP_TRACE, &e->trace);
		k++;
	}
	free(order);
	*out = h;
	*n = k;
	return 0;
}
