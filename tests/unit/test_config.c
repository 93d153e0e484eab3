/*
 * test_config.c: the configuration (src/base/fwconfig.c): defaults, the
 * shipped etc/flarewatch.yaml, the good and bad files under
 * tests/fixtures/config/ (every error with its exact FILE:LINE:COLUMN
 * message), sizes with units, priorities by name and number, the
 * cross-field checks, fw_config_set() and the render -> load round trip.
 * Fixtures are found under $abs_top_srcdir (default "."); scratch files go
 * to a fresh directory under $TMPDIR (default /tmp).
 */
#include "base/fwconfig.h"

#include "../tap.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KIB ((uint64_t)1024)
#define MIB (1024 * KIB)
#define GIB (1024 * MIB)

struct ctx {
	char fixtures[4096]; /* .../tests/fixtures/config */
	char shipped[4096];  /* .../etc/flarewatch.yaml */
	char tmpdir[4096];   /* scratch directory, "" if it could not be made */
	char scratch[4200];  /* tmpdir/c.yaml */
	char big[4200];	     /* tmpdir/big.yaml */
};

static void ctx_init(struct ctx *x)
{
	const char *top = getenv("abs_top_srcdir");
	const char *tmp = getenv("TMPDIR");

	if (!top || !*top)
		top = ".";
	if (!tmp || !*tmp)
		tmp = "/tmp";
	snprintf(x->fixtures, sizeof(x->fixtures), "%s/tests/fixtures/config", top);
	snprintf(x->shipped, sizeof(x->shipped), "%s/etc/flarewatch.yaml", top);
	snprintf(x->tmpdir, sizeof(x->tmpdir), "%s/test_config.XXXXXX", tmp);
	if (!mkdtemp(x->tmpdir))
		x->tmpdir[0] = 0;
	snprintf(x->scratch, sizeof(x->scratch), "%s/c.yaml", x->tmpdir);
	snprintf(x->big, sizeof(x->big), "%s/big.yaml", x->tmpdir);
}

static void ctx_cleanup(struct ctx *x)
{
	if (!x->tmpdir[0])
		return;
	unlink(x->scratch);
	unlink(x->big);
	rmdir(x->tmpdir);
}

static int write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ok;

	if (!f)
		return -1;
	ok = fwrite(text, 1, len, f) == len;
	ok = (fclose(f) == 0) && ok;
	return ok ? 0 : -1;
}

/* Writes text to the scratch file and loads it. */
static int load_text(struct ctx *x, const char *text, struct fw_config *c, struct fw_error *e)
{
	if (!x->tmpdir[0] || write_file(x->scratch, text, strlen(text)) < 0) {
		fw_err(e, -EIO, "cannot write %s", x->scratch);
		fw_config_defaults(c);
		return -EIO;
	}
	return fw_config_load(x->scratch, c, e);
}

static void fixture(const struct ctx *x, const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s/%s", x->fixtures, name);
}

/* ---- defaults ---------------------------------------------------------------------- */

static void check_defaults_values(const struct fw_config *c, const char *what)
{
	TAP_EQ_STR(c->incoming_dir, "/var/lib/flarewatch/incoming", "%s: incoming_dir", what);
	TAP_EQ_STR(c->state_dir, "/var/lib/flarewatch", "%s: state_dir", what);
	TAP_EQ_STR(c->investigations_dir, "/var/lib/flarewatch/investigations",
		   "%s: investigations_dir", what);
	TAP_EQ_UINT(c->workers, 2, "%s: workers", what);
	TAP_EQ_UINT(c->settle_seconds, 5, "%s: settle_seconds", what);
	TAP_EQ_UINT(c->rescan_seconds, 60, "%s: rescan_seconds", what);
	TAP_EQ_UINT(c->done_retention_days, 0, "%s: done_retention_days", what);
	TAP_EQ_UINT(c->analysis.timeout_seconds, 300, "%s: analysis.timeout_seconds", what);
	TAP_EQ_UINT(c->analysis.memory_limit, GIB, "%s: analysis.memory_limit", what);
	TAP_EQ_UINT(c->analysis.cpu_seconds, 240, "%s: analysis.cpu_seconds", what);
	TAP_EQ_UINT(c->archive.max_entries, 10000, "%s: archive.max_entries", what);
	TAP_EQ_UINT(c->archive.max_total_size, 2 * GIB, "%s: archive.max_total_size", what);
	TAP_OK(c->archive.max_compression_ratio == 200, "%s: archive.max_compression_ratio", what);
	TAP_EQ_UINT(c->thresholds.leak_growth_per_30s, 10 * MIB, "%s: leak_growth_per_30s", what);
	TAP_OK(c->thresholds.leak_function_share_percent == 30, "%s: leak_function_share_percent",
	       what);
	TAP_EQ_UINT(c->thresholds.leak_min_growth_per_30s, MIB, "%s: leak_min_growth_per_30s", what);
	TAP_OK(c->thresholds.cpu_function_share_percent == 50, "%s: cpu_function_share_percent",
	       what);
	TAP_OK(c->thresholds.cpu_utilization_percent == 80, "%s: cpu_utilization_percent", what);
	TAP_OK(c->thresholds.cpu_app_share_percent == 80, "%s: cpu_app_share_percent", what);
	TAP_OK(c->thresholds.contention_seconds == 1.0, "%s: contention_seconds", what);
	TAP_EQ_UINT(c->thresholds.goroutines_warn, 500, "%s: goroutines_warn", what);
	TAP_EQ_INT(c->journal.priority.memory_leak, 4, "%s: priority.memory_leak", what);
	TAP_EQ_INT(c->journal.priority.multiple_issues, 4, "%s: priority.multiple_issues", what);
	TAP_EQ_INT(c->journal.priority.cpu_spike, 5, "%s: priority.cpu_spike", what);
	TAP_EQ_INT(c->journal.priority.contention, 5, "%s: priority.contention", what);
	TAP_EQ_INT(c->journal.priority.normal, 6, "%s: priority.normal", what);
	TAP_EQ_INT(c->journal.priority.inconclusive, 5, "%s: priority.inconclusive", what);
	TAP_EQ_INT(c->journal.priority.failed, 3, "%s: priority.failed", what);
	TAP_EQ_STR(c->report.greeting, "Hi,", "%s: report.greeting", what);
	TAP_EQ_STR(c->report.signature, "Datadog Support", "%s: report.signature", what);
	TAP_OK(c->report.customer_message, "%s: report.customer_message", what);
}

static void test_defaults(void)
{
	struct fw_config c, d;
	struct fw_error e = { { 0 } };

	fw_config_defaults(&c);
	check_defaults_values(&c, "defaults");
	TAP_EQ_INT(fw_config_validate(&c, &e), 0, "the defaults validate");
	fw_config_defaults(&d);
	TAP_OK(fw_config_equal(&c, &d), "two sets of defaults are equal");
	d.workers = 3;
	TAP_OK(!fw_config_equal(&c, &d), "a changed field makes them differ");
	fw_config_free(&c);
	TAP_OK(c.incoming_dir == NULL && c.report.greeting == NULL,
	       "fw_config_free() clears the strings");
	fw_config_free(&c);
	/* a second free must not free the strings again (ASan would abort) and
	 * leaves them cleared */
	TAP_OK(c.incoming_dir == NULL && c.report.greeting == NULL && c.report.signature == NULL,
	       "fw_config_free() twice is harmless: the strings stay cleared");

	TAP_EQ_STR(fw_config_priority_name(0), "emerg", "priority 0 is emerg");
	TAP_EQ_STR(fw_config_priority_name(4), "warning", "priority 4 is warning");
	TAP_EQ_STR(fw_config_priority_name(7), "debug", "priority 7 is debug");
	TAP_OK(fw_config_priority_name(8) == NULL && fw_config_priority_name(-1) == NULL,
	       "no name outside 0..7");
}

/* ---- the shipped file ------------------------------------------------------------ */

static void test_shipped(struct ctx *x)
{
	struct fw_config c, d;
	struct fw_error e = { { 0 } };
	struct fw_buf b;
	uint8_t *text = NULL;
	size_t len = 0;
	int missing = 0;

	if (!TAP_EQ_INT(fw_config_load(x->shipped, &c, &e), 0, "etc/flarewatch.yaml loads"))
		TAP_DIAG("%s", e.msg);
	fw_config_defaults(&d);
	TAP_OK(fw_config_equal(&c, &d), "etc/flarewatch.yaml equals the defaults");
	check_defaults_values(&c, "shipped");
	fw_config_free(&c);

	/* Every key the renderer knows appears, uncommented, at its indentation. */
	fw_buf_init(&b);
	if (!TAP_EQ_INT(fw_config_render(&d, &b, &e), 0, "render the defaults") ||
	    !TAP_EQ_INT(fw_read_file(x->shipped, 1 << 20, &text, &len, &e), 0,
			"read etc/flarewatch.yaml")) {
		fw_buf_free(&b);
		free(text);
		return;
	}
	for (const char *line = fw_buf_str(&b); *line;) {
		const char *nl = strchr(line, '\n'), *colon = strchr(line, ':');
		char want[128];
		size_t n = (size_t)(colon - line) + 1;
		if (n < sizeof(want) - 1) {
			want[0] = '\n';
			memcpy(want + 1, line, n);
			want[n + 1] = 0;
			if (!strstr((const char *)text, want)) {
				TAP_DIAG("etc/flarewatch.yaml lacks %s", want + 1);
				missing++;
			}
		}
		line = nl ? nl + 1 : line + strlen(line);
	}
	TAP_EQ_INT(missing, 0, "etc/flarewatch.yaml sets every key");
	fw_buf_free(&b);
	free(text);
}

/* ---- good fixtures ------------------------------------------------------------------ */

static void test_full(struct ctx *x)
{
	struct fw_config c;
	struct fw_error e = { { 0 } };
	char path[4200];

	fixture(x, "full.yaml", path, sizeof(path));
	if (!TAP_EQ_INT(fw_config_load(path, &c, &e), 0, "full.yaml loads")) {
		TAP_DIAG("%s", e.msg);
		return;
	}
	TAP_EQ_STR(c.incoming_dir, "/srv/flares/incoming", "full: trailing slash dropped");
	TAP_EQ_STR(c.state_dir, "/srv/flarewatch/state", "full: // and /./ collapsed");
	TAP_EQ_STR(c.investigations_dir, "/srv/flares/investigations", "full: quoted path");
	TAP_EQ_UINT(c.workers, 8, "full: workers");
	TAP_EQ_UINT(c.settle_seconds, 0, "full: settle_seconds 0");
	TAP_EQ_UINT(c.rescan_seconds, 3600, "full: rescan_seconds");
	TAP_EQ_UINT(c.done_retention_days, 30, "full: done_retention_days");
	TAP_EQ_UINT(c.analysis.timeout_seconds, 600, "full: timeout_seconds");
	TAP_EQ_UINT(c.analysis.memory_limit, 3 * GIB, "full: memory_limit 3GiB");
	TAP_EQ_UINT(c.analysis.cpu_seconds, 500, "full: cpu_seconds");
	TAP_EQ_UINT(c.archive.max_entries, 250000, "full: max_entries");
	TAP_EQ_UINT(c.archive.max_total_size, 8 * GIB, "full: max_total_size \"8 GB\"");
	TAP_OK(c.archive.max_compression_ratio == 1000.5, "full: max_compression_ratio 1000.5");
	TAP_EQ_UINT(c.thresholds.leak_growth_per_30s, 20971520, "full: size as plain bytes");
	TAP_OK(c.thresholds.leak_function_share_percent == 12.5, "full: percent 12.5");
	TAP_EQ_UINT(c.thresholds.leak_min_growth_per_30s, 512 * KIB, "full: 512 KiB");
	TAP_OK(c.thresholds.cpu_function_share_percent == 40, "full: cpu_function_share_percent");
	TAP_OK(c.thresholds.cpu_utilization_percent == 250, "full: cpu_utilization_percent 250");
	TAP_OK(c.thresholds.cpu_app_share_percent == 75.25, "full: cpu_app_share_percent");
	TAP_OK(c.thresholds.contention_seconds == 0.25, "full: contention_seconds 0.25");
	TAP_EQ_UINT(c.thresholds.goroutines_warn, 10000, "full: goroutines_warn");
	TAP_EQ_INT(c.journal.priority.memory_leak, 2, "full: priority crit");
	TAP_EQ_INT(c.journal.priority.multiple_issues, 1, "full: priority 1");
	TAP_EQ_INT(c.journal.priority.cpu_spike, 4, "full: priority WARNING");
	TAP_EQ_INT(c.journal.priority.contention, 6, "full: priority \"info\"");
	TAP_EQ_INT(c.journal.priority.normal, 7, "full: priority 7");
	TAP_EQ_INT(c.journal.priority.failed, 0, "full: priority emerg");
	TAP_EQ_STR(c.report.greeting, "Hello \"team\",", "full: single-quoted greeting");
	TAP_EQ_STR(c.report.signature, "Jane Doe\nDatadog Support", "full: block scalar signature");
	TAP_OK(!c.report.customer_message, "full: customer_message false");
	fw_config_free(&c);
}

static void test_partial(struct ctx *x)
{
	static const char *const same[] = { "empty.yaml", "comments-only.yaml",
					     "null-document.yaml" };
	struct fw_config c, d;
	struct fw_error e = { { 0 } };
	char path[4200];

	fw_config_defaults(&d);
	fixture(x, "partial.yaml", path, sizeof(path));
	if (TAP_EQ_INT(fw_config_load(path, &c, &e), 0, "partial.yaml loads")) {
		TAP_EQ_UINT(c.workers, 4, "partial: workers set");
		TAP_OK(c.thresholds.cpu_utilization_percent == 90 &&
			       c.thresholds.contention_seconds == 2,
		       "partial: flow mapping section");
		TAP_EQ_INT(c.journal.priority.normal, 7, "partial: priority debug");
		/* Everything else is the default. */
		c.workers = d.workers;
		c.thresholds.cpu_utilization_percent = d.thresholds.cpu_utilization_percent;
		c.thresholds.contention_seconds = d.thresholds.contention_seconds;
		c.journal.priority.normal = d.journal.priority.normal;
		TAP_OK(fw_config_equal(&c, &d), "partial: the rest are defaults");
		fw_config_free(&c);
	} else {
		TAP_DIAG("%s", e.msg);
	}
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		fixture(x, same[i], path, sizeof(path));
		if (!TAP_EQ_INT(fw_config_load(path, &c, &e), 0, "%s loads", same[i]))
			TAP_DIAG("%s", e.msg);
		TAP_OK(fw_config_equal(&c, &d), "%s means all defaults", same[i]);
		fw_config_free(&c);
	}
}

/* ---- bad fixtures ----------------------------------------------------------------- */

static const struct bad_case {
	const char *file;
	const char *msg; /* after "PATH:" */
} bad_cases[] = {
	{ "bad-unknown-key.yaml", "3:1: unknown key \"wokers\" in section \"top level\"" },
	{ "bad-unknown-nested-key.yaml",
	  "3:3: unknown key \"leak_growth\" in section \"thresholds\"" },
	{ "bad-unknown-priority-key.yaml",
	  "3:5: unknown key \"warning\" in section \"journal.priority\"" },
	{ "bad-type-sequence.yaml",
	  "1:10: invalid value for \"workers\": expected an integer, got a sequence" },
	{ "bad-type-quoted.yaml",
	  "1:10: invalid value for \"workers\": expected an integer, got a quoted string" },
	{ "bad-type-float.yaml",
	  "1:17: invalid value for \"settle_seconds\": expected an integer, got \"2.5\"" },
	{ "bad-type-mapping.yaml",
	  "3:5: invalid value for \"report.greeting\": expected a string, got a mapping" },
	{ "bad-section-scalar.yaml", "1:11: section \"analysis\" must be a mapping, got \"5\"" },
	{ "bad-range.yaml", "1:10: invalid value for \"workers\": must be between 1 and 64, got 65" },
	{ "bad-range-negative.yaml",
	  "1:17: invalid value for \"rescan_seconds\": must be between 1 and 86400, got -1" },
	{ "bad-range-percent.yaml", "2:26: invalid value for \"thresholds.cpu_app_share_percent\": "
				    "must be between 0 and 100, got 100.5" },
	{ "bad-size-unit.yaml",
	  "2:17: invalid value for \"analysis.memory_limit\": expected a size (bytes, or an "
	  "integer with B, kB, KB, KiB, MB, MiB, GB or GiB), got \"2 TB\"" },
	{ "bad-size-fraction.yaml",
	  "2:17: invalid value for \"analysis.memory_limit\": expected a size (bytes, or an "
	  "integer with B, kB, KB, KiB, MB, MiB, GB or GiB), got \"1.5 GiB\"" },
	{ "bad-size-range.yaml", "2:17: invalid value for \"analysis.memory_limit\": must be "
				 "between 64 MiB and 1024 GiB, got 32 MiB" },
	{ "bad-bool.yaml", "2:21: invalid value for \"report.customer_message\": expected true or "
			   "false, got \"yes\"" },
	{ "bad-priority-name.yaml",
	  "3:13: invalid value for \"journal.priority.normal\": expected a priority (emerg, alert, "
	  "crit, err, warning, notice, info, debug or 0..7), got \"verbose\"" },
	{ "bad-priority-number.yaml",
	  "3:13: invalid value for \"journal.priority.failed\": must be between 0 and 7, got 8" },
	{ "bad-duplicate.yaml",
	  "3:1: duplicate key \"workers\" in section \"top level\" (first at line 1)" },
	{ "bad-duplicate-section.yaml",
	  "5:1: duplicate key \"archive\" in section \"top level\" (first at line 1)" },
	{ "bad-syntax-quote.yaml", "4:1: YAML syntax error: found unexpected end of stream (while "
				   "scanning a quoted scalar at 2:13)" },
	{ "bad-syntax-tab.yaml", "2:1: YAML syntax error: found a tab character that violates "
				 "indentation (while scanning a plain scalar at 1:10)" },
	{ "bad-syntax-indent.yaml", "3:2: YAML syntax error: did not find expected key (while "
				    "parsing a block mapping at 1:1)" },
	{ "bad-not-mapping.yaml",
	  "1:1: the configuration must be a mapping of keys to values, got a sequence" },
	{ "bad-scalar-document.yaml",
	  "1:1: the configuration must be a mapping of keys to values, got \"just some text\"" },
	{ "bad-multidoc.yaml", "2:1: only one YAML document is allowed" },
	{ "bad-anchor.yaml", "2:24: anchors are not allowed (\"&big\")" },
	{ "bad-alias.yaml", "2:17: aliases are not allowed (\"*lol\")" },
	{ "bad-tag.yaml", "1:10: tags are not allowed (\"tag:yaml.org,2002:int\")" },
	{ "bad-relative-path.yaml",
	  "1:15: invalid value for \"incoming_dir\": \"flares/incoming\" must be an absolute path" },
	{ "bad-dotdot-path.yaml",
	  "1:12: invalid value for \"state_dir\": \"/var/lib/../tmp\" must not contain \"..\"" },
	{ "bad-null-value.yaml",
	  "1:9: no value for \"workers\" (remove the line to use the default)" },
	{ "bad-control-chars.yaml", "2:13: invalid value for \"report.greeting\": control "
				    "characters other than newline and tab are not allowed" },
	{ "bad-utf8.yaml", "3:18: invalid trailing UTF-8 octet (byte 0x22)" },
	{ "bad-incoming-in-processing.yaml",
	  "3:1: incoming_dir \"/srv/fw/processing/in\" must not be inside state_dir's "
	  "processing/ (\"/srv/fw/processing\")" },
	{ "bad-investigations-is-incoming.yaml",
	  "2:1: investigations_dir and incoming_dir must differ (both are \"/srv/in\")" },
	{ "bad-state-in-investigations.yaml",
	  "1:1: investigations_dir \"/srv/reports\" must not be state_dir or contain it "
	  "(\"/srv/reports/state\")" },
};

static void test_bad_fixtures(struct ctx *x)
{
	struct fw_config c, d;
	char path[4200], want[8400];

	fw_config_defaults(&d);
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct fw_error e = { { 0 } };
		int r;

		fixture(x, bad_cases[i].file, path, sizeof(path));
		snprintf(want, sizeof(want), "%s:%s", path, bad_cases[i].msg);
		c.workers = 99;
		r = fw_config_load(path, &c, &e);
		TAP_EQ_INT(r, -EINVAL, "%s is refused", bad_cases[i].file);
		TAP_EQ_STR(e.msg, want, "%s: message", bad_cases[i].file);
		TAP_OK(fw_config_equal(&c, &d), "%s: the config is left at the defaults",
		       bad_cases[i].file);
		fw_config_free(&c);
	}
}

/* ---- files: size limit, missing ------------------------------------------------------ */

static void test_files(struct ctx *x)
{
	struct fw_config c;
	struct fw_error e = { { 0 } };
	const size_t limit = FW_CONFIG_MAX_FILE_SIZE;
	char *text, want[4400];
	int r;

	if (!x->tmpdir[0]) {
		TAP_SKIP("no scratch directory", "file size limit");
		return;
	}
	text = malloc(limit + 2);
	if (!TAP_OK(text != NULL, "allocate %zu bytes", limit + 2))
		return;
	/* Exactly the limit: comments, then one key. */
	memset(text, '#', limit);
	for (size_t i = 79; i < limit; i += 80)
		text[i] = '\n';
	memcpy(text + limit - 12, "\nworkers: 7\n", 12);
	r = write_file(x->big, text, limit);
	TAP_EQ_INT(r, 0, "write a %zu-byte file", limit);
	r = fw_config_load(x->big, &c, &e);
	if (!TAP_EQ_INT(r, 0, "a file of exactly 1 MiB loads"))
		TAP_DIAG("%s", e.msg);
	TAP_EQ_UINT(c.workers, 7, "and its last line counts");
	fw_config_free(&c);

	text[limit] = '\n';
	r = write_file(x->big, text, limit + 1);
	r = fw_config_load(x->big, &c, &e);
	TAP_EQ_INT(r, -EFBIG, "one byte more is refused");
	snprintf(want, sizeof(want), "%s: file is %zu bytes, the limit is %zu", x->big, limit + 1,
		 limit);
	TAP_EQ_STR(e.msg, want, "the message gives the size and the limit");
	fw_config_free(&c);
	free(text);

	snprintf(want, sizeof(want), "%s/does-not-exist.yaml", x->tmpdir);
	r = fw_config_load(want, &c, &e);
	TAP_EQ_INT(r, -ENOENT, "a missing file is -ENOENT");
	TAP_OK(strstr(e.msg, "does-not-exist.yaml: No such file or directory") != NULL,
	       "its message names the file");
	fw_config_free(&c);
	r = fw_config_load(x->tmpdir, &c, &e);
	TAP_EQ_INT(r, -EINVAL, "a directory is refused");
	fw_config_free(&c);
}

/* ---- values ----------------------------------------------------------------------------- */

static void test_sizes(struct ctx *x)
{
	static const struct {
		const char *text;
		uint64_t bytes;
	} good[] = {
		{ "0", 0 },
		{ "1048576", MIB },
		{ "5 B", 5 },
		{ "5B", 5 },
		{ "3 kB", 3 * KIB },
		{ "3 KB", 3 * KIB },
		{ "3KiB", 3 * KIB },
		{ "10 MB", 10 * MIB },
		{ "10 MiB", 10 * MIB },
		{ "10MiB", 10 * MIB },
		{ "2 GB", 2 * GIB },
		{ "2 GiB", 2 * GIB },
		{ "1024 GiB", 1024 * GIB },
		{ "0 GiB", 0 },
	};
	static const char *const bad[] = {
		"",	  "10 mb", "10 M",     "10 kib", "1.5 GiB", "-1",
		"-1 MiB", " 10",   "10 MiB ",  "0x10",   "10 MiBs", "1025 GiB",
		"MiB",	  "1e6",   "18446744073709551616", "18014398509481984 GiB",
	};
	const char *key = "thresholds.leak_growth_per_30s";
	struct fw_config c;
	struct fw_error e = { { 0 } };

	fw_config_defaults(&c);
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int r = fw_config_set(&c, key, good[i].text, &e);
		if (!TAP_EQ_INT(r, 0, "size \"%s\" is accepted", good[i].text))
			TAP_DIAG("%s", e.msg);
		TAP_EQ_UINT(c.thresholds.leak_growth_per_30s, good[i].bytes, "size \"%s\" is %llu bytes",
			    good[i].text, (unsigned long long)good[i].bytes);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c.thresholds.leak_growth_per_30s = 12345;
		TAP_EQ_INT(fw_config_set(&c, key, bad[i], &e), -EINVAL, "size \"%s\" is refused",
			   bad[i]);
		TAP_EQ_UINT(c.thresholds.leak_growth_per_30s, 12345, "and leaves the value alone");
	}
	TAP_EQ_STR(e.msg, "invalid value for \"thresholds.leak_growth_per_30s\": must be between 0 B "
			  "and 1024 GiB, got 18014398509481984 GiB",
		   "an overflowing size is out of range");

	/* A quoted size is still a size. */
	TAP_EQ_INT(load_text(x, "analysis:\n  memory_limit: \"512 MiB\"\n", &c, &e), 0,
		   "a quoted size loads");
	TAP_EQ_UINT(c.analysis.memory_limit, 512 * MIB, "\"512 MiB\"");
	fw_config_free(&c);
}

static void test_priorities(struct ctx *x)
{
	static const char *const names[] = { "emerg",  "alert", "crit", "err",
					     "warning", "notice", "info", "debug" };
	static const char *const bad[] = { "8", "-1", "warn", "error", "", "4.0", "critical" };
	struct fw_config c;
	struct fw_error e = { { 0 } };
	char num[16], text[128];

	fw_config_defaults(&c);
	for (int p = 0; p < 8; p++) {
		TAP_EQ_INT(fw_config_set(&c, "journal.priority.normal", names[p], &e), 0,
			   "priority %s by name", names[p]);
		TAP_EQ_INT(c.journal.priority.normal, p, "%s is %d", names[p], p);
		c.journal.priority.normal = -1;
		snprintf(num, sizeof(num), "%d", p);
		TAP_EQ_INT(fw_config_set(&c, "journal.priority.normal", num, &e), 0,
			   "priority %d by number", p);
		TAP_EQ_INT(c.journal.priority.normal, p, "number %d", p);
	}
	TAP_EQ_INT(fw_config_set(&c, "journal.priority.failed", "Notice", &e), 0,
		   "names are case-insensitive");
	TAP_EQ_INT(c.journal.priority.failed, 5, "Notice is 5");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		TAP_EQ_INT(fw_config_set(&c, "journal.priority.failed", bad[i], &e), -EINVAL,
			   "priority \"%s\" is refused", bad[i]);

	/* In a file: names and numbers side by side. */
	snprintf(text, sizeof(text),
		 "journal:\n  priority:\n    failed: 0\n    normal: \"debug\"\n    cpu_spike: ERR\n");
	if (!TAP_EQ_INT(load_text(x, text, &c, &e), 0, "priorities in a file"))
		TAP_DIAG("%s", e.msg);
	TAP_OK(c.journal.priority.failed == 0 && c.journal.priority.normal == 7 &&
		       c.journal.priority.cpu_spike == 3,
	       "0, \"debug\" and ERR");
	fw_config_free(&c);
	TAP_EQ_INT(load_text(x, "journal:\n  priority:\n    failed: \"3\"\n", &c, &e), -EINVAL,
		   "a quoted number is not a priority");
	fw_config_free(&c);
	TAP_EQ_INT(load_text(x, "tickets:\n  pattern: '(ZD|case)-([0-9]+'\n", &c, &e), -EINVAL,
		   "a tickets.pattern that does not compile is refused");
	TAP_OK(strstr(e.msg, ":2:") && strstr(e.msg, "tickets.pattern") && strstr(e.msg, "regular expression"),
	       "... with the line and the key: %s", e.msg);
	fw_config_free(&c);
	TAP_EQ_INT(load_text(x, "tickets:\n  pattern: 'case-([0-9]+)'\n", &c, &e), 0, "a tickets.pattern loads");
	TAP_EQ_STR(c.tickets.pattern, "case-([0-9]+)", "... and is kept verbatim");
	fw_config_free(&c);
}

static void test_scalars(void)
{
	static const struct {
		const char *key, *text;
		int ok;
	} cases[] = {
		{ "report.customer_message", "true", 1 },
		{ "report.customer_message", "True", 1 },
		{ "report.customer_message", "FALSE", 1 },
		{ "report.customer_message", "yes", 0 },
		{ "report.customer_message", "no", 0 },
		{ "report.customer_message", "on", 0 },
		{ "report.customer_message", "1", 0 },
		{ "report.customer_message", "tRUE", 0 },
		{ "thresholds.contention_seconds", "0.5", 1 },
		{ "thresholds.contention_seconds", ".5", 1 },
		{ "thresholds.contention_seconds", "5.", 1 },
		{ "thresholds.contention_seconds", "1e1", 1 },
		{ "thresholds.contention_seconds", "+3", 1 },
		{ "thresholds.contention_seconds", "0", 1 },
		{ "thresholds.contention_seconds", "1,5", 0 },
		{ "thresholds.contention_seconds", ".inf", 0 },
		{ "thresholds.contention_seconds", "nan", 0 },
		{ "thresholds.contention_seconds", "0x10", 0 },
		{ "thresholds.contention_seconds", "1e", 0 },
		{ "thresholds.contention_seconds", "-0.1", 0 },
		{ "thresholds.contention_seconds", "1e999", 0 },
		{ "thresholds.contention_seconds", "86401", 0 },
		{ "thresholds.leak_function_share_percent", "100", 1 },
		{ "thresholds.leak_function_share_percent", "100.01", 0 },
		{ "workers", "64", 1 },
		{ "workers", "+1", 1 },
		{ "workers", "0", 0 },
		{ "workers", "2.0", 0 },
		{ "workers", "99999999999999999999999", 0 },
		{ "settle_seconds", "0", 1 },
		{ "settle_seconds", "3601", 0 },
		{ "rescan_seconds", "0", 0 },
		{ "done_retention_days", "36500", 1 },
		{ "done_retention_days", "36501", 0 },
		{ "metrics_file", "/var/lib/prometheus/node-exporter/flarewatch.prom", 1 },
		{ "metrics_file", "", 1 },
		{ "metrics_file", "flarewatch.prom", 0 },
		{ "metrics_file", "/", 0 },
		{ "metrics_file", "/a/../b.prom", 0 },
		{ "analysis.memory_limit", "64 MiB", 1 },
		{ "analysis.memory_limit", "67108863", 0 },
		{ "archive.max_compression_ratio", "1", 1 },
		{ "archive.max_compression_ratio", "0.5", 0 },
		{ "archive.max_entries", "0", 0 },
		{ "thresholds.cpu_utilization_percent", "10000", 1 },
		{ "thresholds.cpu_utilization_percent", "10001", 0 },
		{ "tickets.pattern", "", 1 },
		{ "tickets.pattern", "(SUP-[0-9]+)", 1 },
		{ "tickets.pattern", "([0-9]", 0 },
		{ "tickets.pattern", "a{2,1}", 0 },
		{ "tickets.pattern", "a\nb", 0 },
	};
	struct fw_config c;
	struct fw_error e = { { 0 } };

	fw_config_defaults(&c);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		TAP_EQ_INT(fw_config_set(&c, cases[i].key, cases[i].text, &e),
			   cases[i].ok ? 0 : -EINVAL, "%s: \"%s\" is %s", cases[i].key, cases[i].text,
			   cases[i].ok ? "accepted" : "refused");
	fw_config_free(&c);
}

static void test_set(void)
{
	struct fw_config c, d;
	struct fw_error e = { { 0 } };

	fw_config_defaults(&c);
	fw_config_defaults(&d);
	TAP_EQ_INT(fw_config_set(&c, "wokers", "3", &e), -EINVAL, "set: unknown key");
	TAP_EQ_STR(e.msg, "unknown configuration key \"wokers\"", "set: its message");
	TAP_EQ_INT(fw_config_set(&c, "priority.normal", "info", &e), -EINVAL,
		   "set: a partial section name is unknown");
	TAP_EQ_INT(fw_config_set(&c, "analysis", "1", &e), -EINVAL, "set: a section is not a key");
	TAP_EQ_INT(fw_config_set(&c, "workers", "65", &e), -EINVAL, "set: out of range");
	TAP_EQ_STR(e.msg, "invalid value for \"workers\": must be between 1 and 64, got 65",
		   "set: range message");
	TAP_EQ_INT(fw_config_set(&c, "incoming_dir", "relative", &e), -EINVAL,
		   "set: relative path");
	TAP_EQ_INT(fw_config_set(&c, "incoming_dir", "/", &e), -EINVAL, "set: the root directory");
	TAP_EQ_STR(e.msg, "invalid value for \"incoming_dir\": must not be the root directory",
		   "set: root message");
	TAP_EQ_INT(fw_config_set(&c, "report.greeting", "a\rb", &e), -EINVAL,
		   "set: carriage return in text");
	TAP_OK(fw_config_equal(&c, &d), "set: failures change nothing");

	TAP_EQ_INT(fw_config_set(&c, "incoming_dir", "//data///in/./", &e), 0, "set: a path");
	TAP_EQ_STR(c.incoming_dir, "/data/in", "set: the path is normalized");
	TAP_EQ_INT(fw_config_set(&c, "incoming_dir", "/data/in2", &e), 0, "set: the path again");
	TAP_EQ_STR(c.incoming_dir, "/data/in2", "set: replaced (the old copy is freed)");
	TAP_EQ_INT(fw_config_set(&c, "report.greeting", "", &e), 0, "set: empty greeting");
	TAP_EQ_STR(c.report.greeting, "", "set: greeting is empty");
	TAP_EQ_INT(fw_config_set(&c, "report.signature", "  # not a comment: \"x\"\t\n", &e), 0,
		   "set: text is taken verbatim");
	TAP_EQ_STR(c.report.signature, "  # not a comment: \"x\"\t\n", "set: verbatim signature");
	TAP_EQ_INT(fw_config_set(&c, "journal.priority.memory_leak", "crit", &e), 0,
		   "set: a nested key");
	TAP_EQ_INT(c.journal.priority.memory_leak, 2, "set: nested value");
	TAP_OK(!fw_config_equal(&c, &d), "set: now different from the defaults");
	fw_config_free(&c);
}

/* ---- validation ------------------------------------------------------------------------- */

static void test_validate(void)
{
	static const struct {
		const char *in, *state, *inv;
		const char *msg; /* NULL: valid */
	} cases[] = {
		{ "/var/lib/flarewatch/incoming", "/var/lib/flarewatch",
		  "/var/lib/flarewatch/investigations", NULL },
		{ "/srv/in", "/var/fw", "/srv/reports", NULL },
		{ "/var/fw/processingX", "/var/fw", "/srv/r", NULL },
		{ "/srv/in", "/srv/in", "/srv/r",
		  "state_dir \"/srv/in\" must not be incoming_dir or inside it (\"/srv/in\")" },
		{ "/srv/in", "/srv/in/state", "/srv/r",
		  "state_dir \"/srv/in/state\" must not be incoming_dir or inside it (\"/srv/in\")" },
		{ "/var/fw/processing", "/var/fw", "/srv/r",
		  "incoming_dir \"/var/fw/processing\" must not be inside state_dir's processing/ "
		  "(\"/var/fw/processing\")" },
		{ "/var/fw/done/x", "/var/fw", "/srv/r",
		  "incoming_dir \"/var/fw/done/x\" must not be inside state_dir's done/ "
		  "(\"/var/fw/done\")" },
		{ "/var/fw/failed", "/var/fw", "/srv/r",
		  "incoming_dir \"/var/fw/failed\" must not be inside state_dir's failed/ "
		  "(\"/var/fw/failed\")" },
		{ "/srv/in", "/var/fw", "/srv/in",
		  "investigations_dir and incoming_dir must differ (both are \"/srv/in\")" },
		{ "/srv/in", "/var/fw", "/srv/in/r",
		  "investigations_dir \"/srv/in/r\" and incoming_dir \"/srv/in\" must not be inside "
		  "one another" },
		{ "/srv/r/in", "/var/fw", "/srv/r",
		  "investigations_dir \"/srv/r\" and incoming_dir \"/srv/r/in\" must not be inside "
		  "one another" },
		{ "/srv/in", "/var/fw", "/var/fw",
		  "investigations_dir \"/var/fw\" must not be state_dir or contain it (\"/var/fw\")" },
		{ "/srv/in", "/var/fw", "/var/fw/done/r",
		  "investigations_dir \"/var/fw/done/r\" must not be inside state_dir's done/ "
		  "(\"/var/fw/done\")" },
	};
	struct fw_config c;
	struct fw_error e = { { 0 } };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r;
		fw_config_defaults(&c);
		r = fw_config_set(&c, "incoming_dir", cases[i].in, &e);
		r = r ? r : fw_config_set(&c, "state_dir", cases[i].state, &e);
		r = r ? r : fw_config_set(&c, "investigations_dir", cases[i].inv, &e);
		if (!TAP_EQ_INT(r, 0, "validate %zu: set the paths", i)) {
			TAP_DIAG("%s", e.msg);
			fw_config_free(&c);
			continue;
		}
		r = fw_config_validate(&c, &e);
		if (cases[i].msg) {
			TAP_EQ_INT(r, -EINVAL, "validate %zu: in=%s state=%s inv=%s is refused", i,
				   cases[i].in, cases[i].state, cases[i].inv);
			TAP_EQ_STR(e.msg, cases[i].msg, "validate %zu: message", i);
		} else {
			if (!TAP_EQ_INT(r, 0, "validate %zu: in=%s state=%s inv=%s is fine", i,
					cases[i].in, cases[i].state, cases[i].inv))
				TAP_DIAG("%s", e.msg);
		}
		fw_config_free(&c);
	}

	/* Fields set by hand, bypassing the parser. */
	fw_config_defaults(&c);
	c.workers = 0;
	TAP_EQ_INT(fw_config_validate(&c, &e), -EINVAL, "validate: workers 0");
	TAP_EQ_STR(e.msg, "workers must be between 1 and 64, got 0", "validate: workers message");
	fw_config_defaults(&c);
	c.analysis.memory_limit = 5;
	TAP_EQ_INT(fw_config_validate(&c, &e), -EINVAL, "validate: tiny memory_limit");
	TAP_EQ_STR(e.msg, "analysis.memory_limit must be between 64 MiB and 1024 GiB, got 5 B",
		   "validate: memory_limit message");
	fw_config_defaults(&c);
	c.thresholds.cpu_app_share_percent = NAN;
	TAP_EQ_INT(fw_config_validate(&c, &e), -EINVAL, "validate: NaN percent");
	fw_config_defaults(&c);
	c.journal.priority.failed = 8;
	TAP_EQ_INT(fw_config_validate(&c, &e), -EINVAL, "validate: priority 8");
	fw_config_defaults(&c);
	c.state_dir = "/var/lib//flarewatch/";
	TAP_EQ_INT(fw_config_validate(&c, &e), -EINVAL, "validate: path not normalized");
	TAP_EQ_STR(e.msg,
		   "state_dir \"/var/lib//flarewatch/\" is not in normal form (\"/var/lib/flarewatch\")",
		   "validate: normal-form message");
	fw_config_defaults(&c);
	c.state_dir = "/";
	TAP_EQ_INT(fw_config_validate(&c, &e), -EINVAL, "validate: root state_dir");
	fw_config_defaults(&c);
	c.investigations_dir = "reports";
	TAP_EQ_INT(fw_config_validate(&c, &e), -EINVAL, "validate: relative path");
	fw_config_defaults(&c);
	c.report.signature = NULL;
	TAP_EQ_INT(fw_config_validate(&c, &e), -EINVAL, "validate: NULL string");
	TAP_EQ_STR(e.msg, "report.signature is not set", "validate: NULL string message");
}

/* ---- render -> load ---------------------------------------------------------------------- */

static void round_trip(struct ctx *x, const struct fw_config *c, const char *what)
{
	struct fw_config back;
	struct fw_error e = { { 0 } };
	struct fw_buf b;
	int r;

	fw_buf_init(&b);
	r = fw_config_render(c, &b, &e);
	TAP_EQ_INT(r, 0, "%s: render", what);
	r = load_text(x, fw_buf_str(&b), &back, &e);
	if (!TAP_EQ_INT(r, 0, "%s: the rendering loads", what)) {
		TAP_DIAG("%s", e.msg);
		TAP_DIAG("%s", fw_buf_str(&b));
	}
	TAP_OK(fw_config_equal(c, &back), "%s: load(render(c)) == c", what);
	fw_config_free(&back);
	fw_buf_free(&b);
}

static void test_render(struct ctx *x)
{
	static const char *const expected =
		"incoming_dir: \"/var/lib/flarewatch/incoming\"\n"
		"state_dir: \"/var/lib/flarewatch\"\n"
		"investigations_dir: \"/var/lib/flarewatch/investigations\"\n"
		"workers: 2\n"
		"settle_seconds: 5\n"
		"rescan_seconds: 60\n"
		"done_retention_days: 0\n"
		"metrics_file: \"\"\n"
		"analysis:\n"
		"  timeout_seconds: 300\n"
		"  memory_limit: 1 GiB\n"
		"  cpu_seconds: 240\n"
		"archive:\n"
		"  max_entries: 10000\n"
		"  max_total_size: 2 GiB\n"
		"  max_compression_ratio: 200\n"
		"thresholds:\n"
		"  leak_growth_per_30s: 10 MiB\n"
		"  leak_function_share_percent: 30\n"
		"  leak_min_growth_per_30s: 1 MiB\n"
		"  cpu_function_share_percent: 50\n"
		"  cpu_utilization_percent: 80\n"
		"  cpu_app_share_percent: 80\n"
		"  cpu_spike_min_utilization_percent: 5\n"
		"  contention_seconds: 1\n"
		"  goroutines_warn: 500\n"
		"  long_term_heap_growth_per_hour: 50 MiB\n"
		"  long_term_sys_growth_per_hour: 100 MiB\n"
		"  long_term_goroutine_growth_per_hour: 200\n"
		"  long_term_min_hours: 2\n"
		"journal:\n"
		"  priority:\n"
		"    memory_leak: warning\n"
		"    multiple_issues: warning\n"
		"    cpu_spike: notice\n"
		"    contention: notice\n"
		"    normal: info\n"
		"    inconclusive: notice\n"
		"    failed: err\n"
		"report:\n"
		"  greeting: \"Hi,\"\n"
		"  signature: \"Datadog Support\"\n"
		"  customer_message: true\n"
		"tickets:\n"
		"  pattern: \"^([0-9]{5,12})[-_]|(^|[^[:alnum:]])(zd-?|#)([0-9]+)\"\n";
	struct fw_config c;
	struct fw_error e = { { 0 } };
	struct fw_buf b;
	char path[4200];

	fw_config_defaults(&c);
	fw_buf_init(&b);
	TAP_EQ_INT(fw_config_render(&c, &b, &e), 0, "render the defaults");
	TAP_EQ_STR(fw_buf_str(&b), expected, "the rendering of the defaults");
	fw_buf_free(&b);
	round_trip(x, &c, "defaults");

	fixture(x, "full.yaml", path, sizeof(path));
	if (TAP_EQ_INT(fw_config_load(path, &c, &e), 0, "load full.yaml for the round trip")) {
		round_trip(x, &c, "full.yaml");
		fw_config_free(&c);
	}

	/* Awkward values: text YAML would misread unquoted, odd numbers and sizes. */
	fw_config_defaults(&c);
	fw_config_set(&c, "report.greeting", "- [x]: #1 \"q\" \\ 'a'\tb\n  é ☃ &a *b !t", &e);
	fw_config_set(&c, "report.signature", "true", &e);
	fw_config_set(&c, "incoming_dir", "/srv/in coming/#x: y", &e);
	fw_config_set(&c, "thresholds.contention_seconds", "0.1", &e);
	fw_config_set(&c, "thresholds.cpu_app_share_percent", "33.333333333333336", &e);
	fw_config_set(&c, "thresholds.leak_function_share_percent", "1e-7", &e);
	fw_config_set(&c, "thresholds.leak_growth_per_30s", "1023", &e);
	fw_config_set(&c, "thresholds.leak_min_growth_per_30s", "1025 KiB", &e);
	fw_config_set(&c, "archive.max_total_size", "1048577", &e);
	fw_config_set(&c, "report.customer_message", "false", &e);
	fw_config_set(&c, "journal.priority.failed", "0", &e);
	TAP_EQ_INT(fw_config_set(&c, "tickets.pattern", "\\.\"([0-9]+)\" 'x' #", &e), 0,
		   "set an awkward tickets.pattern");
	round_trip(x, &c, "awkward values");
	fw_config_free(&c);
}

/* metrics_file: off by default; a file outside the flare folders. */
static void test_metrics_file(void)
{
	static const struct {
		const char *file, *msg; /* msg NULL: accepted */
	} cases[] = {
		{ "", NULL },
		{ "/var/lib/prometheus/node-exporter/flarewatch.prom", NULL },
		{ "/var/lib/flarewatch/flarewatch.prom", NULL }, /* beside the folders */
		{ "/var/lib/flarewatch/incoming/x.prom",
		  "metrics_file \"/var/lib/flarewatch/incoming/x.prom\" must not be inside "
		  "incoming_dir (\"/var/lib/flarewatch/incoming\")" },
		{ "/var/lib/flarewatch/investigations/x.prom",
		  "metrics_file \"/var/lib/flarewatch/investigations/x.prom\" must not be inside "
		  "investigations_dir (\"/var/lib/flarewatch/investigations\")" },
		{ "/var/lib/flarewatch/done/x.prom",
		  "metrics_file \"/var/lib/flarewatch/done/x.prom\" must not be inside state_dir's "
		  "done/ (\"/var/lib/flarewatch/done\")" },
		{ "/var/lib/flarewatch",
		  "metrics_file \"/var/lib/flarewatch\" must be a file, not incoming_dir or a folder "
		  "above it (\"/var/lib/flarewatch/incoming\")" },
		{ "/var/lib",
		  "metrics_file \"/var/lib\" must be a file, not incoming_dir or a folder above it "
		  "(\"/var/lib/flarewatch/incoming\")" },
	};
	struct fw_config c;
	struct fw_error e = { { 0 } };
	int r;

	fw_config_defaults(&c);
	TAP_EQ_STR(c.metrics_file, "", "metrics_file is off by default");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fw_config_defaults(&c);
		if (!TAP_EQ_INT(fw_config_set(&c, "metrics_file", cases[i].file, &e), 0,
				"metrics_file %s: set", cases[i].file)) {
			TAP_DIAG("%s", e.msg);
			fw_config_free(&c);
			continue;
		}
		r = fw_config_validate(&c, &e);
		if (cases[i].msg) {
			TAP_EQ_INT(r, -EINVAL, "metrics_file %s is refused", cases[i].file);
			TAP_EQ_STR(e.msg, cases[i].msg, "metrics_file %s: message", cases[i].file);
		} else if (!TAP_EQ_INT(r, 0, "metrics_file %s is fine", cases[i].file)) {
			TAP_DIAG("%s", e.msg);
		}
		fw_config_free(&c);
	}
}

int main(void)
{
	struct ctx x;

	ctx_init(&x);
	if (!x.tmpdir[0])
		TAP_DIAG("cannot create a scratch directory under $TMPDIR");
	test_defaults();
	test_shipped(&x);
	test_full(&x);
	test_partial(&x);
	test_bad_fixtures(&x);
	test_files(&x);
	test_sizes(&x);
	test_priorities(&x);
	test_scalars();
	test_set();
	test_validate();
	test_metrics_file();
	test_render(&x);
	ctx_cleanup(&x);
	return tap_done();
}
