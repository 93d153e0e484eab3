/*
 * test_merge.c: combining and rescaling profiles (src/pprof/merge.c):
 * fw_profile_merge (pprof's profile.Merge), fw_profile_compact,
 * fw_profile_scale / scale_n (ScaleN), fw_profile_set_label (SetLabel) and
 * fw_profiles_scale_units (measurement.ScaleProfiles).
 *
 * Profiles are built in memory with the builders of profbuild.h.
 * Expectations follow Go 1.19's vendored pprof: profile/merge.go,
 * profile/profile.go (ScaleN, SetLabel) and internal/measurement. The
 * merge of merge_p1 + merge_p2, the compaction of dup_profile and the
 * bytes + kilobytes unit reconciliation were checked with
 * `go tool pprof -traces` / `-top` (go1.19.8) on the same profiles written
 * to disk (e.g. 1000 B + 3 kB: go prints 3072B and 1000B, 4072B total).
 */
#include "pprof/encode.h"
#include "pprof/graph.h"
#include "pprof/merge.h"
#include "pprof/profile.h"

#include "../tap.h"
#include "profbuild.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- reading profiles back ------------------------------------------------------ */

/* "root;...;leaf" by function names (innermost line of each location last). */
static const char *stack(const struct fw_profile *p, size_t s)
{
	static char buf[512];
	const struct fw_sample *sm = &p->samples[s];
	size_t n = 0;

	buf[0] = 0;
	for (uint32_t i = sm->n_locs; i-- > 0;) {
		const struct fw_location *l = &p->locations[p->sample_locs[sm->first_loc + i]];
		for (uint32_t k = l->n_lines; k-- > 0;) {
			const struct fw_line *ln = &p->lines[l->first_line + k];
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", n ? ";" : "",
					      fw_pstr(p, p->functions[ln->function].name));
		}
	}
	return buf;
}

static const char *labels_of(const struct fw_profile *p, size_t s)
{
	static char buf[512];
	const struct fw_sample *sm = &p->samples[s];
	size_t n = 0;

	buf[0] = 0;
	for (uint32_t i = 0; i < sm->n_labels; i++) {
		const struct fw_label *l = &p->labels[sm->first_label + i];
		if (l->str)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s=%s", n ? "," : "",
					      fw_pstr(p, l->key), fw_pstr(p, l->str));
		else
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s=%lld%s", n ? "," : "",
					      fw_pstr(p, l->key), (long long)l->num, fw_pstr(p, l->num_unit));
	}
	return buf;
}

static int64_t val(const struct fw_profile *p, size_t s, size_t i)
{
	return fw_sample_values(p, s)[i];
}

static struct fw_error err;

/* ---- merge ------------------------------------------------------------------------- */

static struct fw_profile *merge_p1(void)
{
	struct fw_profile *p = prof("cpu", "nanoseconds", 10000000, 2, "samples", "count", "cpu",
				    "nanoseconds");
	uint32_t fmain = func(p, "main", "main.go"), fa = func(p, "a", "main.go"),
		 fb = func(p, "b", "main.go");
	uint32_t lmain = loc(p, fmain), la = loc(p, fa), lb = loc(p, fb);

	p->time_nanos = 1000;
	p->duration_nanos = 5;
	comment(p, "c1");
	comment(p, "shared");
	sample(p, LOCS(la, lmain), VALS(1, 10), NULL);
	sample(p, LOCS(lb, lmain), VALS(2, 20), NULL);
	sample(p, LOCS(lb, la, lmain), VALS(0, 0), NULL); /* all zero: dropped */
	sample(p, LOCS(la, lmain), VALS(1, 100), "thread", "t1", "zone", "eu", NULL);
	return p;
}

/* The same functions in another order, so indices differ from p1's. */
static struct fw_profile *merge_p2(void)
{
	struct fw_profile *p = prof("cpu", "nanoseconds", 20000000, 2, "samples", "count", "cpu",
				    "nanoseconds");
	uint32_t fb = func(p, "b", "main.go"), fmain = func(p, "main", "main.go"),
		 fc = func(p, "c", "main.go"), fa = func(p, "a", "main.go");
	uint32_t lb = loc(p, fb), lmain = loc(p, fmain), lc = loc(p, fc), la = loc(p, fa);

	p->time_nanos = 2000; /* later than p1's: the last time is not the min */
	p->duration_nanos = 7;
	comment(p, "shared");
	comment(p, "c2");
	sample(p, LOCS(lb, lmain), VALS(3, 30), NULL);	  /* sums with p1's main;b */
	sample(p, LOCS(lc, lmain), VALS(4, 40), NULL);	  /* new */
	sample(p, LOCS(lmain), VALS(0, 0), NULL);	  /* all zero: dropped */
	sample(p, LOCS(la, lmain), VALS(-1, -10), NULL); /* cancels p1's main;a */
	/* the same label set in another order: sums with p1's labelled sample */
	sample(p, LOCS(la, lmain), VALS(2, 200), "zone", "eu", "thread", "t1", NULL);
	return p;
}

static void test_merge_two(void)
{
	struct fw_profile *srcs[2] = { merge_p1(), merge_p2() }, *m = NULL;
	size_t want_samples[2] = { srcs[0]->n_samples, srcs[1]->n_samples };

	if (!TAP_EQ_INT(fw_profile_merge(srcs, 2, &m, &err), 0, "merge two profiles")) {
		TAP_DIAG("%s", err.msg);
		goto out;
	}
	/* main;a cancels out (1 + -1, 10 + -10) and is dropped like the
	 * all-zero inputs; the rest keep the order of first occurrence */
	if (TAP_EQ_UINT(m->n_samples, 3, "three samples after merging")) {
		TAP_EQ_STR(stack(m, 0), "main;b", "sample 0 is main;b");
		TAP_EQ_INT(val(m, 0, 0), 5, "main;b samples summed: 2 + 3");
		TAP_EQ_INT(val(m, 0, 1), 50, "main;b cpu summed: 20 + 30");
		TAP_EQ_STR(labels_of(m, 0), "", "main;b has no labels");
		TAP_EQ_STR(stack(m, 1), "main;a", "sample 1 is main;a");
		TAP_EQ_INT(val(m, 1, 0), 3, "labelled main;a summed across label orders: 1 + 2");
		TAP_EQ_INT(val(m, 1, 1), 300, "labelled main;a cpu: 100 + 200");
		TAP_OK(fw_sample_has_label(m, 1, "thread", "t1") && fw_sample_has_label(m, 1, "zone", "eu"),
		       "labelled main;a keeps both labels");
		TAP_EQ_UINT(m->samples[1].n_labels, 2, "and only those two");
		TAP_EQ_STR(stack(m, 2), "main;c", "sample 2 is main;c (only in the second profile)");
		TAP_EQ_INT(val(m, 2, 0), 4, "main;c samples");
		TAP_EQ_INT(val(m, 2, 1), 40, "main;c cpu");
		/* deduplicated locations: every sample's root is one location */
		TAP_OK(m->sample_locs[m->samples[0].first_loc + 1] ==
				       m->sample_locs[m->samples[1].first_loc + 1] &&
			       m->sample_locs[m->samples[1].first_loc + 1] ==
				       m->sample_locs[m->samples[2].first_loc + 1],
		       "main is one location in the merged profile");
	}
	/* combineHeaders */
	TAP_EQ_INT(m->time_nanos, 1000, "time is the earliest (min of 1000, 2000)");
	TAP_EQ_INT(m->duration_nanos, 12, "duration is the sum (5 + 7)");
	TAP_EQ_INT(m->period, 20000000, "period is the largest");
	if (TAP_EQ_UINT(m->n_comments, 3, "comments de-duplicated: c1, shared, c2")) {
		TAP_EQ_STR(fw_pstr(m, m->comments[0]), "c1", "comment 0");
		TAP_EQ_STR(fw_pstr(m, m->comments[1]), "shared", "comment 1");
		TAP_EQ_STR(fw_pstr(m, m->comments[2]), "c2", "comment 2");
	}
	TAP_EQ_UINT(m->n_sample_types, 2, "sample types kept");
	TAP_EQ_STR(fw_pstr(m, m->sample_types[1].unit), "nanoseconds", "sample type unit");
	TAP_EQ_STR(fw_pstr(m, m->period_type.type), "cpu", "period type");
	/* the sources are not modified */
	TAP_OK(srcs[0]->n_samples == want_samples[0] && srcs[1]->n_samples == want_samples[1] &&
		       val(srcs[0], 1, 1) == 20 && val(srcs[1], 0, 1) == 30,
	       "sources unchanged by the merge");
out:
	fw_profile_free(m);
	fw_profile_free(srcs[0]);
	fw_profile_free(srcs[1]);
}

/* The same binary mapped at different addresses (ASLR): mappings unify,
 * and locations at the same offset in it are one location. */
static void test_merge_mappings(void)
{
	struct fw_profile *a = prof("cpu", "nanoseconds", 1, 1, "cpu", "nanoseconds");
	struct fw_profile *b = prof("cpu", "nanoseconds", 1, 1, "cpu", "nanoseconds");
	struct fw_profile *srcs[2] = { a, b }, *m = NULL;
	uint32_t fa = func(a, "f", "main.go"), fb = func(b, "f", "main.go");
	uint32_t ma = mapping(a, "/bin/app", 0x400000, 0x480000);
	uint32_t mb = mapping(b, "/bin/app", 0x7f0000, 0x870000);

	sample(a, LOCS(loc_at(a, fa, 7, ma, 0x401000)), VALS(5), NULL);
	sample(b, LOCS(loc_at(b, fb, 7, mb, 0x7f1000)), VALS(6), NULL);
	/* another offset in the same binary: a distinct location */
	sample(b, LOCS(loc_at(b, fb, 7, mb, 0x7f2000)), VALS(1), NULL);
	if (!TAP_EQ_INT(fw_profile_merge(srcs, 2, &m, &err), 0, "merge two mappings of one binary"))
		goto out;
	if (TAP_EQ_UINT(m->n_samples, 2, "same offset sums, other offset stays apart")) {
		const struct fw_location *l0 = &m->locations[m->sample_locs[m->samples[0].first_loc]];
		const struct fw_location *l1 = &m->locations[m->sample_locs[m->samples[1].first_loc]];
		TAP_EQ_INT(val(m, 0, 0), 11, "offset 0x1000: 5 + 6");
		TAP_EQ_INT(val(m, 1, 0), 1, "offset 0x2000: 1");
		TAP_OK(l0->mapping != FW_NONE && l0->mapping == l1->mapping,
		       "both locations are in one merged mapping");
		if (l0->mapping != FW_NONE) {
			const struct fw_mapping *mp = &m->mappings[l0->mapping];
			TAP_EQ_UINT(l0->address - mp->start, 0x1000, "offset kept relative to the mapping");
			TAP_EQ_UINT(l1->address - mp->start, 0x2000, "second offset kept");
		}
	}
out:
	fw_profile_free(m);
	fw_profile_free(a);
	fw_profile_free(b);
}

static void test_merge_incompatible(void)
{
	struct fw_profile *cpu = prof("cpu", "nanoseconds", 1, 1, "cpu", "nanoseconds");
	struct fw_profile *heap = prof("cpu", "nanoseconds", 1, 1, "alloc_space", "bytes");
	struct fw_profile *two = prof("cpu", "nanoseconds", 1, 2, "samples", "count", "cpu", "nanoseconds");
	struct fw_profile *per = prof("space", "bytes", 1, 1, "cpu", "nanoseconds");
	struct fw_profile *srcs[2], *m;

	srcs[0] = cpu;
	srcs[1] = heap;
	m = NULL;
	memset(&err, 0, sizeof(err));
	TAP_EQ_INT(fw_profile_merge(srcs, 2, &m, &err), -EINVAL, "different sample types are rejected");
	TAP_OK(m == NULL, "no merged profile");
	TAP_OK(strstr(err.msg, "incompatible sample types") != NULL, "message: %s", err.msg);
	srcs[1] = two;
	memset(&err, 0, sizeof(err));
	TAP_EQ_INT(fw_profile_merge(srcs, 2, &m, &err), -EINVAL, "a different number of sample types is rejected");
	TAP_OK(strstr(err.msg, "incompatible sample types") != NULL, "message: %s", err.msg);
	srcs[1] = per;
	memset(&err, 0, sizeof(err));
	TAP_EQ_INT(fw_profile_merge(srcs, 2, &m, &err), -EINVAL, "different period types are rejected");
	TAP_OK(strstr(err.msg, "incompatible period types") != NULL, "message: %s", err.msg);
	TAP_EQ_INT(fw_profile_merge(srcs, 0, &m, &err), -EINVAL, "merging no profiles is an error");
	fw_profile_free(cpu);
	fw_profile_free(heap);
	fw_profile_free(two);
	fw_profile_free(per);
}

/* ---- compact == merge of one ------------------------------------------------------ */

/* Duplicate functions (same name and file, other ids) and locations that
 * become equal once their functions are unified. */
static struct fw_profile *dup_profile(void)
{
	struct fw_profile *p = prof("cpu", "nanoseconds", 1, 2, "samples", "count", "cpu", "nanoseconds");
	uint32_t fmain = func(p, "main", "main.go"), fa = func(p, "a", "main.go"),
		 fa2 = func(p, "a", "main.go"), fb = func(p, "b", "main.go");
	uint32_t lmain = loc(p, fmain), la = loc(p, fa), la2 = loc(p, fa2), lb = loc(p, fb);

	comment(p, "x");
	comment(p, "y");
	comment(p, "x");
	sample(p, LOCS(la, lmain), VALS(1, 10), NULL);
	sample(p, LOCS(la2, lmain), VALS(2, 20), NULL);
	sample(p, LOCS(lb, lmain), VALS(0, 0), NULL);
	sample(p, LOCS(lb, la, lmain), VALS(4, 40), NULL);
	sample(p, LOCS(lb, la2, lmain), VALS(5, 50), NULL);
	sample(p, LOCS(lb, la2, lmain), VALS(1, 1), "k", "v", NULL);
	return p;
}

static void test_compact(void)
{
	struct fw_profile *c = dup_profile(), *src = dup_profile(), *m = NULL;
	size_t same = 0;

	if (!TAP_EQ_INT(fw_profile_compact(c, &err), 0, "compact"))
		goto out;
	if (!TAP_EQ_INT(fw_profile_merge(&src, 1, &m, &err), 0, "merge of one profile"))
		goto out;
	/* main;a 1+2, main;a;b 4+5, main;a;b{k=v} 1; main;b (zero) dropped */
	if (TAP_EQ_UINT(c->n_samples, 3, "compact: three samples")) {
		TAP_EQ_STR(stack(c, 0), "main;a", "compact: sample 0 is main;a");
		TAP_EQ_INT(val(c, 0, 0), 3, "compact: main;a summed over equal functions (1 + 2)");
		TAP_EQ_INT(val(c, 0, 1), 30, "compact: main;a cpu (10 + 20)");
		TAP_EQ_STR(stack(c, 1), "main;a;b", "compact: sample 1 is main;a;b");
		TAP_EQ_INT(val(c, 1, 0), 9, "compact: main;a;b summed (4 + 5)");
		TAP_EQ_INT(val(c, 1, 1), 90, "compact: main;a;b cpu (40 + 50)");
		TAP_EQ_STR(labels_of(c, 2), "k=v", "compact: the labelled sample stays apart");
		TAP_EQ_INT(val(c, 2, 1), 1, "compact: labelled sample's value");
	}
	TAP_EQ_UINT(c->n_comments, 2, "compact: comments de-duplicated");
	TAP_EQ_UINT(m->n_samples, c->n_samples, "merge of one: as many samples as compact");
	for (size_t s = 0; s < c->n_samples && s < m->n_samples; s++) {
		char cs[512];
		snprintf(cs, sizeof(cs), "%s", stack(c, s));
		if (strcmp(cs, stack(m, s)) == 0 && val(c, s, 0) == val(m, s, 0) &&
		    val(c, s, 1) == val(m, s, 1) && c->samples[s].n_labels == m->samples[s].n_labels)
			same++;
	}
	TAP_EQ_UINT(same, c->n_samples, "compact and merge of one agree on every sample");
	TAP_EQ_UINT(m->n_comments, c->n_comments, "and on the comments");
out:
	fw_profile_free(c);
	fw_profile_free(src);
	fw_profile_free(m);
}

/* fw_profile_compact_additive: equal samples stay apart when every value is
 * >= 0 and all of them fit in an int64, and the call graph (what the
 * additive reports are made of) is the same as after a full compaction;
 * with a negative value, or values whose sum would wrap, equal samples are
 * summed as fw_profile_compact sums them. */
static bool same_graph(struct fw_profile *a, struct fw_profile *b)
{
	struct fw_nodetab ta, tb;
	struct fw_graph ga, gb;
	bool same = false;

	if (fw_nodetab_build(a, &ta, &err) < 0)
		return false;
	if (fw_nodetab_build(b, &tb, &err) < 0) {
		fw_nodetab_free(&ta);
		return false;
	}
	if (ta.n == tb.n && fw_graph_build(&ta, 1, NULL, &ga, &err) == 0) {
		if (fw_graph_build(&tb, 1, NULL, &gb, &err) == 0) {
			same = ga.n_nodes == gb.n_nodes && ga.n_edges == gb.n_edges;
			for (size_t n = 0; same && n < ta.n; n++)
				same = ga.flat[n] == gb.flat[n] && ga.cum[n] == gb.cum[n];
			for (size_t e = 0; same && e < ga.n_edges; e++) {
				const struct fw_edge *x = fw_graph_edge(&ga, e), *y = fw_graph_edge(&gb, e);
				same = x->src == y->src && x->dst == y->dst && x->weight == y->weight &&
				       x->is_inline == y->is_inline;
			}
			fw_graph_free(&gb);
		}
		fw_graph_free(&ga);
	}
	fw_nodetab_free(&ta);
	fw_nodetab_free(&tb);
	return same;
}

static void test_compact_additive(void)
{
	struct fw_profile *a = dup_profile(), *full = dup_profile(), *neg = dup_profile(),
			  *wrap = dup_profile();

	if (!TAP_EQ_INT(fw_profile_compact_additive(a, &err), 0, "additive compact") ||
	    !TAP_EQ_INT(fw_profile_compact(full, &err), 0, "full compact"))
		goto out;
	/* the zero sample dropped, nothing summed */
	if (TAP_EQ_UINT(a->n_samples, 5, "additive: five samples, equal ones apart")) {
		TAP_EQ_STR(stack(a, 1), "main;a", "additive: main;a twice, its functions unified");
		TAP_EQ_INT(val(a, 1, 1), 20, "additive: the second main;a keeps its own value");
	}
	TAP_OK(same_graph(a, full), "additive: the call graph is the fully compacted one's");

	neg->values[1 * 2 + 0] = -2; /* the second main;a counts -2 */
	if (TAP_EQ_INT(fw_profile_compact_additive(neg, &err), 0, "additive compact, a value < 0"))
		TAP_EQ_UINT(neg->n_samples, 3, "a negative value: equal samples summed");

	wrap->values[0 * 2 + 1] = INT64_MAX; /* main;a: INT64_MAX + 20 would wrap */
	if (TAP_EQ_INT(fw_profile_compact_additive(wrap, &err), 0, "additive compact, huge values"))
		TAP_EQ_UINT(wrap->n_samples, 3, "values whose sum passes INT64_MAX: equal samples summed");
out:
	fw_profile_free(a);
	fw_profile_free(full);
	fw_profile_free(neg);
	fw_profile_free(wrap);
}

/* fw_profile_clone: the copy encodes to the same bytes, and changing it
 * (compaction) leaves the original as it was. */
static void test_clone(void)
{
	struct fw_profile *orig = dup_profile(), *c = NULL;
	uint8_t *eo = NULL, *ec = NULL, *er = NULL;
	size_t lo = 0, lc = 0, lr = 0;

	if (!TAP_EQ_INT(fw_profile_clone(orig, &c), 0, "clone"))
		goto out;
	TAP_OK(c->samples != orig->samples && c->values != orig->values &&
		       c->strings.blob != orig->strings.blob,
	       "the clone shares no array with the original");
	if (TAP_EQ_INT(fw_profile_encode(orig, false, &eo, &lo, &err), 0, "encode the original") &&
	    TAP_EQ_INT(fw_profile_encode(c, false, &ec, &lc, &err), 0, "encode the clone"))
		TAP_OK(lo == lc && memcmp(eo, ec, lo) == 0, "the clone encodes to the original's bytes");
	TAP_EQ_INT(fw_profile_compact(c, &err), 0, "compact the clone");
	TAP_OK(c->n_samples < orig->n_samples, "the clone's samples were merged");
	if (TAP_EQ_INT(fw_profile_encode(orig, false, &er, &lr, &err), 0, "encode the original again"))
		TAP_OK(lr == lo && memcmp(er, eo, lo) == 0, "the original is unchanged by changes to the clone");
out:
	free(eo);
	free(ec);
	free(er);
	fw_profile_free(orig);
	fw_profile_free(c);
}

/* fw_profile_encode with gzip compresses as it encodes, 256 KiB at a time:
 * a profile of about 2 MB encoded goes through deflate in several pieces
 * and must read back as the profile it was (its plain encoding, byte for
 * byte). */
static void test_encode_streamed(void)
{
	struct fw_profile *p = prof("cpu", "nanoseconds", 1, 2, "samples", "count", "cpu", "nanoseconds"), *q = NULL;
	uint8_t *plain = NULL, *gz = NULL, *again = NULL;
	size_t lp = 0, lg = 0, la = 0;
	uint32_t l[64];
	char name[32];

	for (size_t i = 0; i < 64; i++) {
		snprintf(name, sizeof(name), "pkg.function%zu", i);
		l[i] = loc(p, func(p, name, "pkg/file.go"));
	}
	for (size_t s = 0; s < 40000; s++) {
		uint32_t locs[9];
		char v[32];
		for (size_t k = 0; k < 8; k++)
			locs[k] = l[(s * 7 + k * 13 + s / 64) % 64];
		locs[8] = END;
		snprintf(v, sizeof(v), "request-%zu", s % 5000);
		sample(p, locs, VALS((int64_t)s, (int64_t)s * 1000), "id", v, NULL);
	}
	if (TAP_EQ_INT(fw_profile_encode(p, false, &plain, &lp, &err), 0, "encode 40,000 samples") &&
	    TAP_EQ_INT(fw_profile_encode(p, true, &gz, &lg, &err), 0, "encode them gzipped")) {
		TAP_OK(lp > 4 * (256u << 10), "the encoding (%zu bytes) spans several 256 KiB pieces", lp);
		if (TAP_EQ_INT(fw_profile_decode(gz, lg, "gz", NULL, &q, &err), 0, "the gzipped bytes decode") &&
		    TAP_EQ_INT(fw_profile_encode(q, false, &again, &la, &err), 0, "and encode again"))
			TAP_OK(la == lp && memcmp(again, plain, lp) == 0, "to the plain encoding, byte for byte");
	}
	free(plain);
	free(gz);
	free(again);
	fw_profile_free(p);
	fw_profile_free(q);
}

/* ---- scaling ------------------------------------------------------------------------ */

static void test_scale(void)
{
	struct fw_profile *p = prof("cpu", "nanoseconds", 1, 2, "samples", "count", "cpu", "nanoseconds");
	uint32_t l = loc(p, func(p, "f", "main.go"));

	sample(p, LOCS(l), VALS(1, 10), NULL);
	sample(p, LOCS(l), VALS(0, 0), NULL);
	sample(p, LOCS(l), VALS(-2, 5), NULL);
	TAP_EQ_INT(fw_profile_scale(p, -1), 0, "scale by -1");
	if (TAP_EQ_UINT(p->n_samples, 2, "scale(-1): the all-zero sample is dropped")) {
		TAP_OK(val(p, 0, 0) == -1 && val(p, 0, 1) == -10, "scale(-1) negates (1, 10)");
		TAP_OK(val(p, 1, 0) == 2 && val(p, 1, 1) == -5, "scale(-1) negates (-2, 5)");
	}
	fw_profile_free(p);

	/* math.Round: half away from zero; results of 0 drop the sample */
	p = prof("cpu", "nanoseconds", 1, 1, "cpu", "nanoseconds");
	l = loc(p, func(p, "f", "main.go"));
	sample(p, LOCS(l), VALS(3), NULL);
	sample(p, LOCS(l), VALS(-3), NULL);
	sample(p, LOCS(l), VALS(1), NULL);
	fw_profile_scale(p, 0.5);
	if (TAP_EQ_UINT(p->n_samples, 3, "scale(0.5) keeps three samples")) {
		TAP_EQ_INT(val(p, 0, 0), 2, "3 * 0.5 = 1.5 rounds to 2");
		TAP_EQ_INT(val(p, 1, 0), -2, "-3 * 0.5 = -1.5 rounds to -2");
		TAP_EQ_INT(val(p, 2, 0), 1, "1 * 0.5 = 0.5 rounds to 1");
	}
	fw_profile_scale(p, 0.2);
	/* 2*0.2 = 0.4 -> 0, -2*0.2 -> 0, 1*0.2 -> 0 */
	TAP_EQ_UINT(p->n_samples, 0, "samples scaled to 0 are dropped");
	fw_profile_free(p);

	/* ScaleN: only the scaled columns decide whether a sample is kept */
	p = prof("cpu", "nanoseconds", 1, 2, "samples", "count", "cpu", "nanoseconds");
	l = loc(p, func(p, "f", "main.go"));
	sample(p, LOCS(l), VALS(5, 0), NULL);
	sample(p, LOCS(l), VALS(0, 3), NULL);
	fw_profile_scale_n(p, (const double[]){ 1, 2 });
	if (TAP_EQ_UINT(p->n_samples, 1, "scale_n(1, 2): (5, 0) is dropped, its scaled column is 0")) {
		TAP_EQ_INT(val(p, 0, 0), 0, "unscaled column untouched");
		TAP_EQ_INT(val(p, 0, 1), 6, "scaled column doubled");
	}
	/* all ratios 1: nothing changes, not even all-zero samples */
	sample(p, LOCS(l), VALS(0, 0), NULL);
	fw_profile_scale_n(p, (const double[]){ 1, 1 });
	TAP_EQ_UINT(p->n_samples, 2, "scale_n with all ratios 1 is a no-op");
	fw_profile_free(p);
}

/* ---- labels ------------------------------------------------------------------------- */

static void test_set_label(void)
{
	struct fw_profile *p = prof("cpu", "nanoseconds", 1, 1, "cpu", "nanoseconds");
	uint32_t l = loc(p, func(p, "f", "main.go"));

	sample(p, LOCS(l), VALS(1), "thread", "a", "zone", "eu", NULL);
	num_label(p, "thread", 64, "bytes"); /* numeric label, same key */
	sample(p, LOCS(l), VALS(2), NULL);
	sample(p, LOCS(l), VALS(3), "thread", "a", "thread", "c", NULL);
	if (!TAP_EQ_INT(fw_profile_set_label(p, "thread", "b", &err), 1, "set_label thread=b: replaced a thread label"))
		goto out;
	TAP_OK(fw_sample_has_label(p, 0, "thread", "b"), "sample 0 has thread=b");
	TAP_OK(!fw_sample_has_label(p, 0, "thread", "a"), "sample 0 lost thread=a");
	TAP_OK(fw_sample_has_label(p, 0, "zone", "eu"), "sample 0 keeps zone=eu");
	TAP_EQ_STR(labels_of(p, 0), "zone=eu,thread=64bytes,thread=b",
		   "sample 0: other labels and the numeric thread label kept, thread=b added");
	TAP_EQ_STR(labels_of(p, 1), "thread=b", "a sample without labels gets thread=b");
	TAP_EQ_STR(labels_of(p, 2), "thread=b", "every value of the key is replaced by one");
	TAP_OK(!fw_sample_has_label(p, 2, "thread", "c"), "thread=c is gone");
	TAP_OK(!fw_sample_has_label(p, 0, "nothere", "b"), "has_label is false for another key");
out:
	fw_profile_free(p);
}

/* ---- ScaleProfiles ------------------------------------------------------------------- */

/* ---- random profiles ----------------------------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
	return xorshift_below(&rng, n);
}

/* Stacks of 1-4 frames over four functions (so that profiles share many),
 * values -3..5, labels thread=a|b on most samples and, with base_labels,
 * pprof::base=x|y on some. */
static struct fw_profile *random_profile(bool base_labels)
{
	struct fw_profile *p = prof("cpu", "nanoseconds", 1, 2, "samples", "count", "cpu", "nanoseconds");
	const char *names[] = { "main", "a", "b", "c" };
	uint32_t l[4];
	size_t ns = 5 + rnd(30);

	for (size_t i = 0; i < 4; i++)
		l[i] = loc(p, func(p, names[i], "m.go"));
	for (size_t s = 0; s < ns; s++) {
		uint32_t locs[5];
		size_t n = 1 + rnd(4);
		int64_t v[2] = { (int64_t)rnd(9) - 3, (int64_t)rnd(9) - 3 };
		const char *thread = rnd(3) ? (rnd(2) ? "a" : "b") : NULL;
		const char *base = base_labels && !rnd(4) ? (rnd(2) ? "x" : "y") : NULL;

		for (size_t k = 0; k < n; k++)
			locs[k] = l[rnd(4)];
		locs[n] = END;
		if (thread && base)
			sample(p, locs, v, "thread", thread, "pprof::base", base, NULL);
		else if (thread || base)
			sample(p, locs, v, thread ? "thread" : "pprof::base", thread ? thread : base, NULL);
		else
			sample(p, locs, v, NULL);
	}
	return p;
}

static bool same_encoding(const struct fw_profile *a, const struct fw_profile *b)
{
	uint8_t *ea = NULL, *eb = NULL;
	size_t la = 0, lb = 0;
	bool same = fw_profile_encode(a, false, &ea, &la, &err) == 0 &&
		    fw_profile_encode(b, false, &eb, &lb, &err) == 0 && la == lb && memcmp(ea, eb, la) == 0;

	free(ea);
	free(eb);
	return same;
}

/* fw_profiles_merge_distinct, which hashes only the second profile's
 * samples, against fw_profiles_merge_owned, which hashes all: a compacted
 * source with a compacted base, negated, as -base and -diff_base merge
 * them (-base: equal stacks add up across the two, and cancel when the
 * base is the source); with pprof::base labels replaced, the base can
 * hold equal samples, which the distinct merge finds and leaves to the
 * full one. Byte for byte the same profile. */
static void test_merge_distinct(void)
{
	size_t runs = 600, same = 0, replaced = 0, cancelled = 0;

	for (size_t r = 0; r < runs; r++) {
		bool diff = rnd(2), itself = !rnd(5);
		struct fw_profile *src = random_profile(false), *base = itself ? NULL : random_profile(rnd(2));
		struct fw_profile *pair[2], *want = NULL, *got = NULL;
		int rel = 0;

		if (fw_profile_compact(src, &err) < 0 || (itself && fw_profile_clone(src, &base) < 0) ||
		    fw_profile_compact(base, &err) < 0 ||
		    (diff && (rel = fw_profile_set_label(base, "pprof::base", "true", &err)) < 0) ||
		    fw_profile_scale(base, -1) < 0)
			break;
		replaced += rel == 1;
		pair[0] = src;
		pair[1] = base;
		if (fw_profile_clone(src, &src) < 0 || fw_profile_clone(base, &base) < 0 ||
		    fw_profiles_merge_owned(pair, 2, false, &want, &err) < 0)
			break;
		pair[0] = src;
		pair[1] = base;
		if (fw_profiles_merge_distinct(pair, &got, &err) < 0) {
			fw_profile_free(want);
			break;
		}
		cancelled += itself && !diff && got->n_samples == 0;
		same += same_encoding(want, got);
		fw_profile_free(want);
		fw_profile_free(got);
	}
	TAP_EQ_UINT(same, runs, "merge_distinct: %zu random source and base pairs merge as the full merge does", runs);
	TAP_OK(replaced > 0, "merge_distinct: %zu bases had a pprof::base label replaced", replaced);
	TAP_OK(cancelled > 0, "merge_distinct: %zu sources less themselves cancelled out", cancelled);
}

/* fw_profile_set_label without a label to replace, in place when every
 * sample's labels lie in order (as decoded, or compacted with gaps where
 * dropped samples' were), else into a new array: each sample's labels are
 * its own and then the new one. */
static void test_set_label_in_place(void)
{
	size_t runs = 200, ok = 0;

	for (size_t r = 0; r < runs; r++) {
		struct fw_profile *p = random_profile(false);
		char **want;
		size_t good = 0;

		if (rnd(2) && fw_profile_compact(p, &err) < 0)
			break;
		if (!rnd(3)) /* labels out of the samples' order: the copying path */
			for (size_t a = 0, b = p->n_samples - 1; a < b; a++, b--) {
				struct fw_sample t = p->samples[a];
				int64_t v[2] = { val(p, a, 0), val(p, a, 1) };
				p->samples[a] = p->samples[b];
				p->samples[b] = t;
				memcpy(p->values + a * 2, p->values + b * 2, sizeof(v));
				memcpy(p->values + b * 2, v, sizeof(v));
			}
		want = calloc(p->n_samples + 1, sizeof(*want));
		for (size_t s = 0; want && s < p->n_samples; s++) {
			const char *old = labels_of(p, s);
			size_t len = strlen(old) + 32;
			if ((want[s] = malloc(len)))
				snprintf(want[s], len, "%s%spprof::base=true", old, *old ? "," : "");
		}
		if (want && fw_profile_set_label(p, "pprof::base", "true", &err) == 0)
			for (size_t s = 0; s < p->n_samples; s++)
				good += want[s] && strcmp(labels_of(p, s), want[s]) == 0;
		ok += good == p->n_samples;
		for (size_t s = 0; want && s < p->n_samples; s++)
			free(want[s]);
		free(want);
		fw_profile_free(p);
	}
	TAP_EQ_UINT(ok, runs, "set_label: %zu random profiles, each sample's labels kept with pprof::base=true after them", runs);
}

static void test_scale_units(void)
{
	struct fw_profile *heap = prof("space", "bytes", 524288, 2, "alloc_space", "bytes", "inuse_space", "bytes");
	struct fw_profile *cpu = prof("cpu", "nanoseconds", 10000000, 2, "samples", "count", "cpu", "nanoseconds");
	struct fw_profile *ps[2];

	ps[0] = heap;
	ps[1] = cpu;
	memset(&err, 0, sizeof(err));
	/* fmt's %v of pprof's ValueType{Type, Unit, typeX, unitX} */
	TAP_EQ_INT(fw_profiles_scale_units(ps, 2, &err), -EINVAL, "heap and cpu are incompatible");
	TAP_EQ_STR(err.msg, "period type: incompatible types: {space bytes 0 0} {cpu nanoseconds 0 0}",
		   "error text as measurement.ScaleProfiles");
	fw_profile_free(heap);
	fw_profile_free(cpu);

	/* same period, different sample type counts */
	{
		struct fw_profile *a = prof("cpu", "nanoseconds", 1, 1, "cpu", "nanoseconds");
		struct fw_profile *b = prof("cpu", "nanoseconds", 1, 2, "samples", "count", "cpu", "nanoseconds");
		ps[0] = a;
		ps[1] = b;
		TAP_EQ_INT(fw_profiles_scale_units(ps, 2, &err), -EINVAL, "type counts differ");
		TAP_EQ_STR(err.msg, "inconsistent samples type count: 1 != 2", "count error text");
		fw_profile_free(a);
		fw_profile_free(b);
	}
	/* same period, incompatible sample types */
	{
		struct fw_profile *a = prof("cpu", "nanoseconds", 1, 1, "alloc_space", "bytes");
		struct fw_profile *b = prof("cpu", "nanoseconds", 1, 1, "cpu", "nanoseconds");
		ps[0] = a;
		ps[1] = b;
		TAP_EQ_INT(fw_profiles_scale_units(ps, 2, &err), -EINVAL, "sample types differ");
		TAP_EQ_STR(err.msg, "sample types: incompatible types: {alloc_space bytes 0 0} {cpu nanoseconds 0 0}",
			   "sample type error text");
		fw_profile_free(a);
		fw_profile_free(b);
	}
	/* "samples" and "sample" match (one trailing s is ignored) */
	{
		struct fw_profile *a = prof("cpu", "nanoseconds", 1, 1, "samples", "count");
		struct fw_profile *b = prof("cpu", "nanoseconds", 1, 1, "sample", "count");
		ps[0] = a;
		ps[1] = b;
		TAP_EQ_INT(fw_profiles_scale_units(ps, 2, &err), 0, "samples/count and sample/count are compatible");
		fw_profile_free(a);
		fw_profile_free(b);
	}
}

/* CommonValueType picks the finest unit (Scale(1, t, min) < 1 replaces
 * min), whatever the order: go1.19 gives bytes for {bytes, kilobytes}
 * and for {kilobytes, bytes}, nanoseconds for {microseconds, nanoseconds}. */
static void check_common_unit(bool fine_first)
{
	struct fw_profile *fine = prof("space", "bytes", 524288, 1, "alloc_space", "bytes");
	struct fw_profile *coarse = prof("space", "kilobytes", 512, 1, "alloc_space", "kilobytes");
	struct fw_profile *ps[2];
	const char *order = fine_first ? "bytes first" : "kilobytes first";
	uint32_t lf = loc(fine, func(fine, "f", "main.go")), lc = loc(coarse, func(coarse, "f", "main.go"));

	sample(fine, LOCS(lf), VALS(1000), NULL);
	sample(coarse, LOCS(lc), VALS(3), NULL);
	ps[0] = fine_first ? fine : coarse;
	ps[1] = fine_first ? coarse : fine;
	if (TAP_EQ_INT(fw_profiles_scale_units(ps, 2, &err), 0, "bytes and kilobytes (%s)", order)) {
		TAP_EQ_STR(fw_pstr(coarse, coarse->sample_types[0].unit), "bytes",
			   "kilobytes profile now in bytes (%s)", order);
		TAP_EQ_STR(fw_pstr(fine, fine->sample_types[0].unit), "bytes",
			   "bytes profile stays in bytes (%s)", order);
		TAP_OK(coarse->n_samples == 1 && val(coarse, 0, 0) == 3072,
		       "3 kilobytes become 3072 bytes (%s)", order);
		TAP_OK(fine->n_samples == 1 && val(fine, 0, 0) == 1000,
		       "1000 bytes stay 1000 (%s)", order);
		TAP_EQ_STR(fw_pstr(coarse, coarse->period_type.unit), "bytes", "period unit bytes (%s)", order);
		TAP_EQ_INT(coarse->period, 524288, "period 512 kilobytes becomes 524288 bytes (%s)", order);
		TAP_EQ_INT(fine->period, 524288, "period 524288 bytes unchanged (%s)", order);
	}
	fw_profile_free(fine);
	fw_profile_free(coarse);
}

static void test_scale_units_time(void)
{
	struct fw_profile *ns = prof("cpu", "nanoseconds", 10000000, 1, "cpu", "nanoseconds");
	struct fw_profile *us = prof("cpu", "microseconds", 10000, 1, "cpu", "microseconds");
	struct fw_profile *ps[2] = { us, ns };
	uint32_t ln = loc(ns, func(ns, "f", "main.go")), lu = loc(us, func(us, "f", "main.go"));

	sample(ns, LOCS(ln), VALS(7), NULL);
	sample(us, LOCS(lu), VALS(3), NULL);
	if (TAP_EQ_INT(fw_profiles_scale_units(ps, 2, &err), 0, "microseconds and nanoseconds")) {
		TAP_EQ_STR(fw_pstr(us, us->sample_types[0].unit), "nanoseconds", "microseconds profile now in ns");
		TAP_OK(us->n_samples == 1 && val(us, 0, 0) == 3000, "3 us become 3000 ns");
		TAP_OK(ns->n_samples == 1 && val(ns, 0, 0) == 7, "ns values unchanged");
		TAP_EQ_INT(us->period, 10000000, "period 10000 us becomes 1e7 ns");
	}
	/* one profile: nothing to reconcile */
	TAP_EQ_INT(fw_profiles_scale_units(ps, 1, &err), 0, "a single profile is left alone");
	fw_profile_free(ns);
	fw_profile_free(us);
}

int main(void)
{
	test_merge_two();
	test_merge_mappings();
	test_merge_incompatible();
	test_compact();
	test_compact_additive();
	test_clone();
	test_encode_streamed();
	test_scale();
	test_set_label();
	test_merge_distinct();
	test_set_label_in_place();
	test_scale_units();
	check_common_unit(true);
	check_common_unit(false);
	test_scale_units_time();
	return tap_done();
}
