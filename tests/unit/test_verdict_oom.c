/*
 * test_verdict_oom.c: a failed allocation fails the verdict, never changes
 * it. Linked with -Wl,--wrap for malloc, calloc, realloc and strdup (see
 * core.mk), so that the Nth allocation made by the library fails; for every
 * N the evaluation either fails with -ENOMEM or gives the same verdict as
 * with no failure (MULTIPLE ISSUES: a leak, a CPU spike and contention).
 */
#include "investigate/verdict.h"

#include "../tap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);

static long fail_at = -1; /* the allocation that fails (0 = the first); -1 none */
static long n_allocs;

static bool fail_now(void)
{
	return fail_at >= 0 && n_allocs++ == fail_at;
}

void *__wrap_malloc(size_t n)
{
	return fail_now() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t m)
{
	return fail_now() ? NULL : __real_calloc(n, m);
}

void *__wrap_realloc(void *p, size_t n)
{
	return fail_now() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
	return fail_now() ? NULL : __real_strdup(s);
}

int main(void)
{
	struct fw_config cfg;
	struct fw_thresholds th;
	struct fw_process p;
	struct fw_verdict v;
	struct fw_error e = { { 0 } };
	long n, failed = 0, same = 0, changed = 0;

	fw_config_defaults(&cfg);
	fw_thresholds_from_config(&cfg, &th);
	memset(&p, 0, sizeof(p));
	p.name = (char *)"core";
	p.have_heap_diff = true;
	p.heap_window = FW_WINDOW_MEASURED;
	p.heap_window_ns = 30000000000LL;
	p.growth_total = p.growth_app = 100 << 20;
	p.growth_total_30s = p.growth_app_30s = 100 << 20;
	p.top_growth_app.name = (char *)"main.leak";
	p.top_growth_app.value = 100 << 20;
	p.have_cpu = true;
	p.cpu_total_ns = p.cpu_duration_ns = p.cpu_app_ns = 1000000000LL;
	p.top_cpu_app.name = p.top_cpu_attr.name = (char *)"main.spin";
	p.top_cpu_app.value = p.top_cpu_attr.value = 900000000LL;
	p.cpu_attr_app_ns = p.cpu_app_ns;
	p.have_block = true;
	p.top_block_app.name = (char *)"main.wait";
	p.top_block_app.value = p.block_total_ns = 5000000000LL;

	if (!TAP_EQ_INT(fw_verdict_evaluate(&p, 1, NULL, &th, &v, &e), 0, "evaluate with no failure"))
		return tap_done();
	TAP_EQ_INT(v.kind, FW_VERDICT_MULTIPLE, "no failure: MULTIPLE ISSUES");
	fw_verdict_free(&v);
	for (n = 0; n < 1000; n++) {
		int r;
		fail_at = n;
		n_allocs = 0;
		r = fw_verdict_evaluate(&p, 1, NULL, &th, &v, &e);
		fail_at = -1;
		if (r == 0) {
			bool ok = v.kind == FW_VERDICT_MULTIPLE && v.procs[0].leak_reason && v.procs[0].cpu_reason &&
				  v.procs[0].contention_reason && v.summary;
			if (!ok)
				TAP_DIAG("allocation %ld failed: verdict %s, summary %s", n, fw_verdict_name(v.kind),
					 v.summary ? v.summary : "(null)");
			ok ? same++ : changed++;
			fw_verdict_free(&v);
			if (n_allocs <= n) /* no allocation was left to fail */
				break;
		} else {
			if (r != -ENOMEM)
				changed++;
			failed++;
		}
	}
	TAP_OK(failed > 0, "%ld failed allocations failed the evaluation", failed);
	TAP_EQ_INT(changed, 0, "no failed allocation changed the verdict (%ld evaluations unaffected)", same);
	return tap_done();
}
