/*
 * test_outliers.c -- the robust z-score (investigate/outliers.h) on values
 * whose median, MAD and z are worked out by hand in the comments:
 * odd and even counts, one far value that does not move the median or the
 * MAD (it cannot hide itself), MAD 0 (the mean absolute deviation takes
 * over), all equal (no outlier), fewer than the minimum of hosts (not
 * compared), figures a host lacks, the threshold strictly exceeded, and
 * per-version groups.
 */
#include "../tap.h"

#include "investigate/outliers.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int near(double got, double want, const char *what)
{
	return TAP_OK(fabs(got - want) < 1e-9 * (1 + fabs(want)), "%s: %.12g (want %.12g)", what, got, want);
}

static void test_stats(void)
{
	struct fw_robust s;
	struct fw_error err;

	/* 1 2 3 4 100: median 3; |x-3| = 2 1 0 1 97 -> sorted 0 1 1 2 97: MAD 1 */
	double a[] = { 4, 100, 1, 3, 2 };
	if (TAP_EQ_INT(fw_robust_stats(a, 5, &s, &err), 0, "odd count")) {
		near(s.median, 3, "median of 1 2 3 4 100");
		near(s.mad, 1, "MAD");
		TAP_EQ_INT(s.kind, FW_SCALE_MAD, "scale is the MAD's");
		near(s.scale, 1.4826, "scale 1.4826 * MAD");
		near(fw_robust_z(&s, 100), 97 / 1.4826, "z of 100 = 97 / 1.4826");
		near(fw_robust_z(&s, 1), -2 / 1.4826, "z of 1 = -2 / 1.4826");
	}
	TAP_OK(a[0] == 4 && a[1] == 100 && a[4] == 2, "the values are left in their order");

	/* 1 2 3 4: median 2.5; |x-2.5| = 1.5 .5 .5 1.5: MAD 1 */
	double b[] = { 1, 2, 3, 4 };
	if (TAP_EQ_INT(fw_robust_stats(b, 4, &s, &err), 0, "even count")) {
		near(s.median, 2.5, "median of an even count: mean of the middle two");
		near(s.mad, 1, "MAD of an even count");
	}

	/* the far value does not move median nor MAD: 1e12 instead of 100 */
	a[1] = 1e12;
	if (TAP_EQ_INT(fw_robust_stats(a, 5, &s, &err), 0, "one value far out")) {
		near(s.median, 3, "... same median");
		near(s.mad, 1, "... same MAD: an outlier cannot widen the spread");
	}

	/* MAD 0: 7 7 7 7 17: median 7, |x-7| = 0 0 0 0 10, MAD 0, mean 2 */
	double c[] = { 7, 7, 17, 7, 7 };
	if (TAP_EQ_INT(fw_robust_stats(c, 5, &s, &err), 0, "MAD 0")) {
		near(s.mad, 0, "MAD is 0");
		TAP_EQ_INT(s.kind, FW_SCALE_MEANAD, "... the mean absolute deviation takes over");
		near(s.meanad, 2, "mean |x - median| = 2");
		near(s.scale, 1.2533 * 2, "scale 1.2533 * 2");
		near(fw_robust_z(&s, 17), 10 / (1.2533 * 2), "z of 17 = 10 / 2.5066");
		near(fw_robust_z(&s, 7), 0, "z of 7 = 0");
	}

	double d[] = { 5, 5, 5, 5, 5, 5 };
	if (TAP_EQ_INT(fw_robust_stats(d, 6, &s, &err), 0, "all equal")) {
		TAP_EQ_INT(s.kind, FW_SCALE_NONE, "... no scale");
		near(fw_robust_z(&s, 5), 0, "... z is 0");
	}

	double one = 42;
	if (TAP_EQ_INT(fw_robust_stats(&one, 1, &s, &err), 0, "one value"))
		near(s.median, 42, "... is its median");
	TAP_OK(fw_robust_stats(a, 0, &s, &err) < 0 && strstr(err.msg, "no values"), "no value: an error (%s)",
	       err.msg);
}

static void set(struct fw_outlier_host *h, const char *name, const char *version, int64_t heap)
{
	memset(h, 0, sizeof(*h));
	h->hostname = name;
	h->agent_version = version;
	h->time = "2024-10-02T14:21:52Z";
	h->report = "x/y/z.md";
	h->have[FW_OP_CORE][FW_OM_HEAP_ALLOC] = true;
	h->v[FW_OP_CORE][FW_OM_HEAP_ALLOC] = heap;
}

static void test_find(void)
{
	static const char *names[] = { "h0", "h1", "h2", "h3", "h4", "h5", "h6", "h7" };
	struct fw_outlier_host h[8];
	struct fw_outliers o;
	struct fw_error err;

	/* 100 101 102 103 104 200 (MiB): median 102.5 (even), |x-m| = 2.5 1.5 .5
	 * .5 1.5 97.5 -> sorted .5 .5 1.5 1.5 2.5 97.5: MAD 1.5; z(200) = 97.5 /
	 * 2.2239 = 43.84; z(100) = -2.5 / 2.2239 = -1.12 (not out) */
	for (int i = 0; i < 5; i++)
		set(&h[i], names[i], "7.58.2", (100 + i) << 20);
	set(&h[5], names[5], "7.58.2", (int64_t)200 << 20);
	h[2].have[FW_OP_TRACE][FW_OM_GOROUTINES] = true; /* a figure only one host has */
	h[2].v[FW_OP_TRACE][FW_OM_GOROUTINES] = 10;
	if (!TAP_EQ_INT(fw_outliers_find(h, 6, false, 2, &o, &err), 0, "six hosts (%s)", err.msg))
		return;
	TAP_EQ_UINT(o.n_groups, 1, "one group");
	TAP_OK(o.groups[0].compared && o.groups[0].agent_version == NULL, "compared, all versions");
	TAP_OK(o.groups[0].series[FW_OP_CORE][FW_OM_HEAP_ALLOC].compared, "core HeapAlloc compared");
	TAP_OK(!o.groups[0].series[FW_OP_TRACE][FW_OM_GOROUTINES].compared &&
		       o.groups[0].series[FW_OP_TRACE][FW_OM_GOROUTINES].n == 1,
	       "a figure only one host has is not compared");
	TAP_OK(!o.groups[0].series[FW_OP_CORE][FW_OM_SYS].compared, "a figure no host has is not compared");
	if (TAP_EQ_UINT(o.groups[0].n_outliers, 1, "one outlier")) {
		struct fw_outlier *x = &o.groups[0].outliers[0];
		TAP_EQ_UINT(x->host, 5, "... host h5");
		TAP_OK(x->proc == FW_OP_CORE && x->metric == FW_OM_HEAP_ALLOC, "... core HeapAlloc");
		near(x->z, 97.5 / (1.5 * 1.4826), "... z = 97.5 MiB / (1.4826 * 1.5 MiB)");
		TAP_EQ_INT(x->value, (int64_t)200 << 20, "... its value");
	}
	fw_outliers_free(&o);

	/* the threshold is exceeded strictly: 43.84 > 43.8 but not > 43.9 */
	TAP_EQ_INT(fw_outliers_find(h, 6, false, 43.9, &o, &err), 0, "threshold 43.9");
	TAP_EQ_UINT(o.groups[0].n_outliers, 0, "... no outlier at |z| 43.84");
	fw_outliers_free(&o);
	TAP_EQ_INT(fw_outliers_find(h, 6, false, 43.8, &o, &err), 0, "threshold 43.8");
	TAP_EQ_UINT(o.groups[0].n_outliers, 1, "... one outlier at |z| 43.84");
	fw_outliers_free(&o);
	/* a low threshold: h0 (z -1.12) is out at 1, h1 (z -0.67) is not */
	TAP_EQ_INT(fw_outliers_find(h, 6, false, 1, &o, &err), 0, "threshold 1");
	if (TAP_EQ_UINT(o.groups[0].n_outliers, 2, "... two outliers")) {
		TAP_EQ_UINT(o.groups[0].outliers[0].host, 5, "... the largest |z| first");
		TAP_EQ_UINT(o.groups[0].outliers[1].host, 0, "... then h0, below the median");
		TAP_OK(o.groups[0].outliers[1].z < 0, "... with a negative z");
	}
	fw_outliers_free(&o);
	TAP_OK(fw_outliers_find(h, 6, false, 0, &o, &err) < 0 && strstr(err.msg, "positive"),
	       "threshold 0: refused (%s)", err.msg);
	TAP_OK(fw_outliers_find(h, 6, false, NAN, &o, &err) < 0, "threshold NaN: refused");

	/* fewer than the minimum */
	TAP_EQ_INT(fw_outliers_find(h, FW_OUTLIERS_MIN_HOSTS - 1, false, 2, &o, &err), 0, "four hosts");
	TAP_OK(o.n_groups == 1 && !o.groups[0].compared && o.groups[0].n_outliers == 0 &&
		       !o.groups[0].series[FW_OP_CORE][FW_OM_HEAP_ALLOC].compared,
	       "... not compared (fewer than %d)", FW_OUTLIERS_MIN_HOSTS);
	fw_outliers_free(&o);
	TAP_EQ_INT(fw_outliers_find(NULL, 0, false, 2, &o, &err), 0, "no host");
	TAP_OK(o.n_groups == 1 && !o.groups[0].compared && o.groups[0].n_hosts == 0, "... one empty group");
	fw_outliers_free(&o);

	/* MAD 0 across hosts: five at 64 MiB, one at 65 MiB: mean |x-m| = 1/6 MiB,
	 * z = 1 / (1.2533 / 6) = 4.79 */
	for (int i = 0; i < 5; i++)
		set(&h[i], names[i], "7.58.2", 64 << 20);
	set(&h[5], names[5], "7.58.2", 65 << 20);
	TAP_EQ_INT(fw_outliers_find(h, 6, false, 2, &o, &err), 0, "MAD 0 across hosts");
	if (TAP_EQ_UINT(o.groups[0].n_outliers, 1, "... one outlier")) {
		TAP_EQ_UINT(o.groups[0].outliers[0].host, 5, "... the one that differs");
		near(o.groups[0].outliers[0].z, 6 / 1.2533, "... z = 6 / 1.2533");
	}
	TAP_EQ_INT(o.groups[0].series[FW_OP_CORE][FW_OM_HEAP_ALLOC].stats.kind, FW_SCALE_MEANAD, "... MEANAD scale");
	fw_outliers_free(&o);

	/* per version: 5 of 7.58.2 (one out), 3 of 7.55.1 (not compared) */
	for (int i = 0; i < 4; i++)
		set(&h[i], names[i], "7.58.2", (100 + i) << 20);
	set(&h[4], names[4], "7.55.1", (int64_t)900 << 20);
	set(&h[5], names[5], "7.58.2", (int64_t)900 << 20);
	set(&h[6], names[6], "7.55.1", 100 << 20);
	set(&h[7], names[7], "7.55.1", 101 << 20);
	TAP_EQ_INT(fw_outliers_find(h, 8, true, 2, &o, &err), 0, "per version");
	if (TAP_EQ_UINT(o.n_groups, 2, "... two groups")) {
		TAP_EQ_STR(o.groups[0].agent_version, "7.55.1", "... sorted by version");
		TAP_OK(o.groups[0].n_hosts == 3 && !o.groups[0].compared && !o.groups[0].n_outliers,
		       "... 7.55.1: three hosts, not compared");
		TAP_OK(o.groups[1].n_hosts == 5 && o.groups[1].compared, "... 7.58.2: five hosts, compared");
		TAP_OK(o.groups[1].n_outliers == 1 && o.groups[1].outliers[0].host == 5, "... h5 is out in 7.58.2");
	}
	fw_outliers_free(&o);
	TAP_EQ_INT(fw_outliers_find(h, 8, false, 2, &o, &err), 0, "all versions together");
	TAP_OK(o.n_groups == 1 && o.groups[0].n_outliers == 2, "... h4 and h5 both out (%zu)",
	       o.n_groups ? o.groups[0].n_outliers : 0);
	fw_outliers_free(&o);
}

int main(void)
{
	test_stats();
	test_find();
	return tap_done();
}
