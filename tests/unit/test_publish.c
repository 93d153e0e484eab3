/*
 * test_publish.c -- how fw_analyze() publishes a report (investigate.h): the
 * intent file and fw_analyze_published(), host folder names that would
 * collide with the investigations tree's own files, the stale temporary
 * folders fw_investigations_cleanup() removes (and the live ones it
 * leaves), the index regenerated from the reports (index.md unusable:
 * a warning), and fw_index_scan()'s fields. The flares are folders written here (a status.log, no
 * profiles); everything lives under one mkdtemp folder in $TMPDIR.
 */
#include "../tap.h"

#include "investigate/investigate.h"
#include "base/fsutil.h"
#include "investigate/index.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static char base[1024];

static int put(const char *path, const char *text)
{
	struct fw_error err;
	return fw_write_file_atomic(path, text, strlen(text), 0644, &err);
}

/* a/b exists (b "" : a itself); b ending in "/." must be a folder */
static bool exists(const char *a, const char *b)
{
	char path[8192];
	struct stat st;
	snprintf(path, sizeof(path), "%s%s%s", a, *b ? "/" : "", b);
	return lstat(path, &st) == 0 || (strstr(b, "/.") && stat(path, &st) == 0);
}

/* A flare folder base/name/ whose status.log names host. */
static void make_flare(const char *name, const char *host, char *dir, size_t len)
{
	char path[8192], text[1024];

	snprintf(dir, len, "%s/%s", base, name);
	mkdir(dir, 0755);
	snprintf(text, sizeof(text),
		 "===============\nAgent (v7.58.2)\n===============\n"
		 "  Status date: 2024-10-02 14:21:52.317 UTC (1727878912317)\n\n"
		 "========\nHostname\n========\n\n  hostname: %s\n\n",
		 host);
	snprintf(path, sizeof(path), "%s/status.log", dir);
	put(path, text);
}

static int analyze(const char *flare, const char *out, const char *intent, struct fw_analyze_result *res,
		   struct fw_error *err)
{
	struct fw_config cfg;
	struct fw_analyze_opts o;
	int r;

	err->msg[0] = 0;
	fw_config_defaults(&cfg);
	memset(&o, 0, sizeof(o));
	o.cfg = &cfg;
	o.out_dir = out;
	o.tmp_parent = base;
	o.intent_path = intent;
	r = fw_analyze(flare, &o, res, err);
	fw_config_free(&cfg);
	return r;
}

static void test_intent(void)
{
	char flare[2048], out[2048], intent[2048], *dir = NULL;
	struct fw_analyze_result res;
	struct fw_error err = { "" };
	int r;

	make_flare("intent", "host-a", flare, sizeof(flare));
	snprintf(out, sizeof(out), "%s/out-intent", base);
	snprintf(intent, sizeof(intent), "%s/intent.txt", base);
	TAP_EQ_INT(fw_analyze_published(intent, &dir, &err), 0, "no intent file: not published");
	TAP_OK(dir == NULL, "no folder returned");
	r = analyze(flare, out, intent, &res, &err);
	if (!TAP_EQ_INT(r, 0, "analyzed (%s)", err.msg))
		return;
	TAP_EQ_INT(fw_analyze_published(intent, &dir, &err), 1, "the intent names the published report");
	TAP_EQ_STR(dir ? dir : "", res.report_dir, "the folder is the result's report_dir");
	free(dir);
	TAP_OK(res.index_warning == NULL, "no index warning");
	/* a second analysis of the same flare time: -2, and the intent follows */
	{
		struct fw_analyze_result res2;
		char want[8192];
		r = analyze(flare, out, intent, &res2, &err);
		TAP_EQ_INT(r, 0, "analyzed again");
		snprintf(want, sizeof(want), "%s-2", res.report_dir);
		TAP_EQ_STR(r == 0 ? res2.report_dir : "", want, "the second report is <time>-2");
		TAP_EQ_INT(fw_analyze_published(intent, &dir, &err), 1, "published");
		TAP_EQ_STR(dir ? dir : "", want, "the intent names the second report");
		free(dir);
		if (r == 0)
			fw_analyze_result_free(&res2);
	}
	/* an intent written before a crash that came before the rename */
	{
		char line[8192];
		struct stat st;
		snprintf(line, sizeof(line), "%s-3\n1 2\n", res.report_dir);
		put(intent, line);
		TAP_EQ_INT(fw_analyze_published(intent, &dir, &err), 0, "intent of an unpublished folder: 0");
		/* ... and another analysis published a report at its path
		 * (the -2 folder, with the first folder's identity in the
		 * intent): not this analysis's report (found by
		 * tests/daemon/killloop.sh) */
		if (TAP_OK(stat(res.report_dir, &st) == 0, "stat the first report folder")) {
			snprintf(line, sizeof(line), "%s-2\n%llu %llu\n", res.report_dir,
				 (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
			put(intent, line);
			TAP_EQ_INT(fw_analyze_published(intent, &dir, &err), 0,
				   "an intent whose path holds another analysis's report: 0");
			snprintf(line, sizeof(line), "%s\n%llu %llu\n", res.report_dir,
				 (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
			put(intent, line);
			TAP_EQ_INT(fw_analyze_published(intent, &dir, &err), 1, "... with its own: 1");
			free(dir);
			dir = NULL;
		}
		snprintf(line, sizeof(line), "%s\n", res.report_dir);
		put(intent, line);
		TAP_OK(fw_analyze_published(intent, &dir, &err) < 0, "a path without an identity is an error");
		put(intent, "two\nlines\n");
		TAP_OK(fw_analyze_published(intent, &dir, &err) < 0, "a malformed intent file is an error");
	}
	fw_analyze_result_free(&res);
}

static void test_reserved_hosts(void)
{
	static const char *const hosts[] = { "index.md", ".index.tsv", ".index.lock", ".hidden", "_under" };
	char out[2048], flare[2048], name[64];
	struct fw_error err = { "" };

	snprintf(out, sizeof(out), "%s/out-reserved", base);
	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		struct fw_analyze_result res;
		char want[8192];
		int r;
		snprintf(name, sizeof(name), "reserved-%zu", i);
		make_flare(name, hosts[i], flare, sizeof(flare));
		r = analyze(flare, out, NULL, &res, &err);
		if (!TAP_EQ_INT(r, 0, "hostname %s: analyzed (%s)", hosts[i], err.msg))
			continue;
		snprintf(want, sizeof(want), "%s/_%s/20241002T142152Z", out, hosts[i]);
		TAP_EQ_STR(res.report_dir, want, "hostname %s: folder _%s", hosts[i], hosts[i]);
		TAP_EQ_STR(res.hostname, hosts[i], "hostname %s: the report keeps the real hostname", hosts[i]);
		fw_analyze_result_free(&res);
	}
	TAP_OK(!exists(out, "index.md/.") && exists(out, "index.md"), "index.md is a file");
	TAP_OK(exists(out, ".index.lock") && !exists(out, ".index.lock/."), ".index.lock is a file");
}

static void test_cleanup(void)
{
	char out[2048], stale[4096], live[4096], nolock[4096], path[8192];
	struct fw_error err = { "" };
	int fd;

	snprintf(out, sizeof(out), "%s/out-cleanup", base);
	snprintf(path, sizeof(path), "%s/host", out);
	fw_mkdir_p(path, 0755, &err);
	snprintf(path, sizeof(path), "%s/host/20241002T142152Z", out);
	mkdir(path, 0755); /* a published report: never touched */
	snprintf(stale, sizeof(stale), "%s/host/.tmp-20241002T142152Z-stale1", out);
	snprintf(live, sizeof(live), "%s/host/.tmp-20241002T142152Z-live01", out);
	snprintf(nolock, sizeof(nolock), "%s/host/.tmp-20241002T142152Z-young1", out);
	mkdir(stale, 0700);
	mkdir(live, 0700);
	mkdir(nolock, 0700);
	snprintf(path, sizeof(path), "%s/.lock", stale);
	put(path, "");
	snprintf(path, sizeof(path), "%s/report.json", stale);
	put(path, "{}");
	snprintf(path, sizeof(path), "%s/.lock", live);
	put(path, "");
	fd = open(path, O_RDWR | O_CLOEXEC);
	TAP_OK(fd >= 0 && flock(fd, LOCK_EX) == 0, "the live folder's lock is held");
	/* a writer killed before its lock file had its name (kill -9 loops
	 * leave these): no writer holds DIR/.tmp.lock, so it is dead */
	snprintf(path, sizeof(path), "%s/.lock.Ab12Cd", nolock);
	put(path, "");
	TAP_EQ_INT(fw_investigations_cleanup(out, &err), 2, "two folders removed (%s)", err.msg);
	TAP_OK(!exists(stale, ""), "the stale folder is gone");
	TAP_OK(exists(live, ""), "the locked folder is kept");
	TAP_OK(!exists(nolock, ""), "a young folder without its lock file is gone too");
	TAP_OK(exists(out, "host/20241002T142152Z"), "the published report is kept");
	if (fd >= 0)
		close(fd);
	TAP_EQ_INT(fw_investigations_cleanup(out, &err), 1, "unlocked: removed at the next cleanup");
	TAP_OK(!exists(live, ""), "the formerly live folder is gone");
	snprintf(path, sizeof(path), "%s/missing", base);
	TAP_EQ_INT(fw_investigations_cleanup(path, &err), 0, "a missing folder is not an error");
}

static void test_index_rebuild(void)
{
	char out[2048], flare[2048], path[8192], inner[8300];
	struct fw_analyze_result res;
	struct fw_error err = { "" };
	uint8_t *data;
	size_t len;
	int r;

	snprintf(out, sizeof(out), "%s/out-index", base);
	make_flare("index-1", "first-host", flare, sizeof(flare));
	if (!TAP_EQ_INT(analyze(flare, out, NULL, &res, &err), 0, "first report (%s)", err.msg))
		return;
	fw_analyze_result_free(&res);
	/* index.md made unusable: a folder that is not empty in its place */
	snprintf(path, sizeof(path), "%s/index.md", out);
	unlink(path);
	mkdir(path, 0755);
	snprintf(inner, sizeof(inner), "%s/x", path);
	put(inner, "x");
	make_flare("index-2", "second-host", flare, sizeof(flare));
	r = analyze(flare, out, NULL, &res, &err);
	if (!TAP_EQ_INT(r, 0, "an unusable index does not fail the analysis (%s)", err.msg))
		return;
	TAP_OK(res.index_warning != NULL, "the index problem is a warning: %s",
	       res.index_warning ? res.index_warning : "(none)");
	fw_analyze_result_free(&res);
	unlink(inner);
	rmdir(path);
	TAP_EQ_INT(fw_index_rebuild(out, &err), 0, "regenerated on request: %s", err.msg);
	if (TAP_EQ_INT(fw_read_file(path, 1 << 20, &data, &len, &err), 0, "index.md readable")) {
		TAP_OK(strstr((char *)data, "2 reports") != NULL, "index.md lists both reports");
		TAP_OK(strstr((char *)data, "first-host/20241002T142152Z/flare-profiling-first-host.md") != NULL,
		       "with the first report's path");
		free(data);
	}
}

/* fw_index_scan(): the fields of each report, and fields of 1 MiB cut
 * with "…", tabs and newlines as spaces. */
static void test_index_scan(void)
{
	static char huge[1 << 20];
	char out[2048], path[4096];
	struct fw_index_list l;
	struct fw_error err = { "" };
	struct fw_buf doc;

	snprintf(out, sizeof(out), "%s/out-index", base); /* test_index_rebuild's two reports */
	memset(huge, 'x', sizeof(huge) - 1);
	huge[10] = '\t';
	huge[20] = '\n';
	snprintf(path, sizeof(path), "%s/big-host/20241003T000000Z", out);
	TAP_EQ_INT(fw_mkdir_p(path, 0755, &err), 0, "a report folder written by hand");
	fw_buf_init(&doc);
	fw_buf_printf(&doc,
		      "{\"schema\":\"flarewatch.report\",\"schema_version\":2,\"analyzed_at\":\"2024-10-03T01:00:00.250Z\","
		      "\"ticket\":\"ZD-12345\",\"flare\":{\"file\":\"ZD-12345_big.zip\",\"hostname\":\"%s\","
		      "\"time\":\"2024-10-03T00:00:00Z\",\"agent_version\":null,"
		      "\"agent_start\":\"2024-10-02T23:00:00.500Z\",\"uptime_ns\":3600000000000},"
		      "\"verdict\":{\"kind\":\"cpu_spike\",\"name\":\"CPU SPIKE\",\"summary\":\"",
		      "big-host");
	for (size_t i = 0; i < sizeof(huge) - 1; i++)
		fw_buf_puts(&doc, huge[i] == '\t' ? "\\t" : huge[i] == '\n' ? "\\n" : "x");
	fw_buf_puts(&doc, "\"},\"processes\":[{\"name\":\"trace\",\"memory_sanity\":{\"heap_alloc_bytes\":7,"
			  "\"sys_bytes\":-3}},{\"name\":\"core\",\"memory_sanity\":{\"heap_alloc_bytes\":1048576,"
			  "\"sys_bytes\":4194304,\"heap_objects\":900,\"goroutines\":321},\"heap_growth\":"
			  "{\"total_per_30s\":-4096,\"top_app_function\":{\"function\":\"main.grow\\tx\",\"value\":1}},"
			  "\"cpu_facts\":{\"total_ns\":1000000000,\"duration_ns\":3000000000}}],"
			  "\"report\":{\"markdown\":\"r.md\"}}");
	snprintf(path, sizeof(path), "%s/big-host/20241003T000000Z/report.json", out);
	put(path, doc.data);
	fw_buf_free(&doc);
	if (!TAP_EQ_INT(fw_index_scan(out, &l, &err), 0, "fw_index_scan (%s)", err.msg))
		return;
	if (TAP_EQ_INT(l.n, 3, "three reports") && l.n == 3) {
		const struct fw_index_entry *e = &l.v[0];
		TAP_EQ_STR(e->hostname, "big-host", "newest flare first");
		TAP_EQ_STR(e->time, "2024-10-03T00:00:00Z", "its time");
		TAP_EQ_STR(e->verdict, "CPU SPIKE", "its verdict");
		TAP_EQ_STR(e->ticket, "ZD-12345", "its ticket");
		TAP_EQ_STR(e->flare_file, "ZD-12345_big.zip", "its flare file");
		TAP_EQ_STR(e->analyzed_at, "2024-10-03T01:00:00.250Z", "its analysis time");
		TAP_EQ_STR(e->agent_version, "", "no agent version");
		TAP_EQ_STR(e->report, "big-host/20241003T000000Z/r.md", "its link");
		TAP_OK(strlen(e->summary) > 1000 && strlen(e->summary) < 1100 &&
			       !strcmp(e->summary + strlen(e->summary) - 3, "\xe2\x80\xa6") &&
			       !strchr(e->summary, '\t') && !strchr(e->summary, '\n'),
		       "a 1 MiB summary is cut to %zu bytes with an ellipsis, tab and newline as spaces",
		       strlen(e->summary));
		TAP_OK(!strcmp(l.v[1].flare_file, "index-1") || !strcmp(l.v[1].flare_file, "index-2"),
		       "an analyzed one's flare file is the flare's name (%s)", l.v[1].flare_file);
		TAP_OK(strlen(l.v[1].analyzed_at) == 24 && l.v[1].analyzed_at[10] == 'T',
		       "and its analysis time is ISO 8601 (%s)", l.v[1].analyzed_at);
		TAP_OK(!l.skipped && !l.warnings, "nothing skipped");
		/* the metrics */
		TAP_EQ_STR(e->agent_start, "2024-10-02T23:00:00Z", "its agent start, to the second");
		TAP_EQ_INT(e->uptime_ns, 3600000000000, "its uptime");
		TAP_EQ_STR(e->report_dir, "big-host/20241003T000000Z", "its folder");
		TAP_OK(e->core.present && e->core.heap_alloc == 1048576 && e->core.sys == 4194304 &&
			       e->core.heap_objects == 900 && e->core.goroutines == 321,
		       "core's HeapAlloc, Sys, HeapObjects, goroutines");
		TAP_OK(e->core.has_growth_30s && e->core.growth_30s == -4096, "core's growth per 30 s");
		TAP_EQ_STR(e->core.top_growth, "main.grow x", "core's top growth function, tab as space");
		TAP_EQ_INT(e->core.cpu_ns_per_s, 333333333, "core's CPU ns per second (rounded)");
		TAP_OK(e->trace.present && e->trace.heap_alloc == 7 && e->trace.sys == -1 &&
			       e->trace.goroutines == -1 && !e->trace.has_growth_30s && !*e->trace.top_growth &&
			       e->trace.cpu_ns_per_s == -1,
		       "trace's HeapAlloc; a negative Sys as unknown; the rest unknown");
		TAP_OK(!l.v[1].agent_start[0] && l.v[1].uptime_ns == -1 && !l.v[1].core.present &&
			       !l.v[1].trace.present && (!strncmp(l.v[1].report_dir, "first-host/2024", 15) ||
				!strncmp(l.v[1].report_dir, "second-host/2024", 16)),
		       "a report without profiles: no process, no start time (%s)", l.v[1].report_dir);
	}
	fw_index_list_free(&l);
}

int main(void)
{
	struct fw_error err;
	const char *tmp = getenv("TMPDIR");

	snprintf(base, sizeof(base), "%s/test_publish.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!TAP_OK(mkdtemp(base) != NULL, "scratch folder"))
		return tap_done();
	test_intent();
	test_reserved_hosts();
	test_cleanup();
	test_index_rebuild();
	test_index_scan();
	fw_tree_remove(base, &err);
	return tap_done();
}
