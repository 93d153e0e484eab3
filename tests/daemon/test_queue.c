/*
 * test_queue.c: unit tests for flarewatchd's record format (record.c) and
 * state-directory moves (queue.c) on a scratch folder: escaping round
 * trips, ignored names, claims, name collisions that never overwrite, the
 * .error.txt pairing, locks, the dedup index and retention.
 */
#include "../tap.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "investigate/investigate.h"
#include "queue.h"
#include "record.h"

static char root[PATH_MAX];

static void put_file(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX * 2];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static char *slurp(const char *dir, const char *name)
{
	char path[PATH_MAX * 2];
	uint8_t *data;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (fw_read_file(path, 1 << 20, &data, &len, NULL) < 0)
		return NULL;
	return (char *)data;
}

static bool exists(const char *dir, const char *name)
{
	char path[PATH_MAX * 2];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return lstat(path, &st) == 0;
}

static void test_record(void)
{
	static const char *const values[] = {
		"plain", "", "back\\slash", "two\nlines", "tab\there", "\x01\x1f\x7f", "a=b=c",
		"unicode \xc3\xa9", "\\n is not a newline",
	};
	struct fw_buf b;
	struct record rec;
	char key[16];
	size_t i, bad = 0;

	fw_buf_init(&b);
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		snprintf(key, sizeof(key), "k%zu", i);
		record_put(&b, key, values[i]);
	}
	record_put(&b, "skipped", NULL);
	TAP_EQ_UINT(memchr(b.data, '\t', b.len) == NULL, 1, "no control byte is written raw");
	if (!TAP_EQ_INT(record_parse(b.data, b.len, &rec), 0, "a written record parses"))
		return;
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		snprintf(key, sizeof(key), "k%zu", i);
		if (!record_get(&rec, key) || strcmp(record_get(&rec, key), values[i]) != 0)
			bad++;
	}
	TAP_EQ_UINT(bad, 0, "every value reads back as written (newlines, backslashes, controls)");
	TAP_OK(record_get(&rec, "skipped") == NULL, "a NULL value is not written");
	record_free(&rec);
	fw_buf_free(&b);

	TAP_EQ_INT(record_parse("a=1\nb\n", 6, &rec), -EINVAL, "a line without '=' is refused");
	TAP_EQ_INT(record_parse("Bad=1\n", 6, &rec), -EINVAL, "an upper-case key is refused");
	TAP_EQ_INT(record_parse("a=\\q\n", 5, &rec), -EINVAL, "an unknown escape is refused");
	TAP_EQ_INT(record_parse("a=1\na=2\n", 8, &rec), 0, "a repeated key parses");
	TAP_EQ_STR(record_get(&rec, "a"), "2", "... and the later value wins");
	record_free(&rec);
}

/* The analysis result's fields round-trip through a record, and a record
 * without a verdict or report path is not a result. */
static void test_result_record(void)
{
	struct fw_analyze_result r = { 0 }, got;
	struct fw_buf b, copy;
	struct record rec, rec2;

	r.verdict = FW_VERDICT_MEMORY_LEAK;
	r.hostname = "host-1";
	r.agent_version = "7.58.0";
	r.summary = "core grows\nfast";
	r.report_dir = "/out/host-1/20241002T142152Z";
	r.report_path = "/out/host-1/20241002T142152Z/flare-profiling-host-1.md";
	r.json_path = "/out/host-1/20241002T142152Z/report.json";
	r.flare_time = "20241002T142152Z";
	r.heap_growth_bytes = -123456789012345;
	r.top_growth_function = "main.leak";
	r.top_cpu_function = "";
	fw_buf_init(&b);
	record_put_result(&b, &r);
	if (!TAP_EQ_INT(record_parse(b.data, b.len, &rec), 0, "a result record parses"))
		return;
	TAP_EQ_STR(record_get(&rec, "verdict"), "memory_leak", "the verdict is written as its id");
	if (TAP_EQ_INT(record_get_result(&rec, &got), 0, "a result record reads back")) {
		TAP_OK(got.verdict == r.verdict && got.heap_growth_bytes == r.heap_growth_bytes,
		       "verdict and heap_growth_bytes read back");
		TAP_EQ_STR(got.hostname, r.hostname, "hostname reads back");
		TAP_EQ_STR(got.agent_version, r.agent_version, "agent_version reads back");
		TAP_EQ_STR(got.summary, r.summary, "summary reads back");
		TAP_EQ_STR(got.report_dir, r.report_dir, "report_dir reads back");
		TAP_EQ_STR(got.report_path, r.report_path, "report_path reads back");
		TAP_EQ_STR(got.json_path, r.json_path, "json_path reads back");
		TAP_EQ_STR(got.flare_time, r.flare_time, "flare_time reads back");
		TAP_EQ_STR(got.top_growth_function, r.top_growth_function, "top_growth_function reads back");
		TAP_EQ_STR(got.top_cpu_function, r.top_cpu_function, "top_cpu_function reads back");
		TAP_OK(got.index_warning == NULL, "index_warning is not part of the record");
		fw_analyze_result_free(&got);
	}
	fw_buf_init(&copy);
	record_put(&copy, "status", "ok");
	record_copy_result(&copy, &rec);
	TAP_OK(!copy.failed && record_parse(copy.data, copy.len, &rec2) == 0, "a copied result parses");
	if (!copy.failed) {
		TAP_OK(copy.len == b.len + strlen("status=ok\n") &&
			       memcmp(copy.data + strlen("status=ok\n"), b.data, b.len) == 0,
		       "the copy appends the result fields exactly as written");
		record_free(&rec2);
	}
	fw_buf_free(&copy);
	record_free(&rec);
	fw_buf_free(&b);

	TAP_EQ_INT(record_parse("verdict=memory_leak\n", 20, &rec), 0, "a record without report_path parses");
	TAP_EQ_INT(record_get_result(&rec, &got), -EINVAL, "... but is not a result");
	record_free(&rec);
	TAP_EQ_INT(record_parse("verdict=bogus\nreport_path=/x\n", 29, &rec), 0, "a record with an unknown verdict parses");
	TAP_EQ_INT(record_get_result(&rec, &got), -EINVAL, "... but is not a result");
	TAP_OK(got.report_path == NULL, "... and the result is left empty");
	record_free(&rec);
}

static void test_names(void)
{
	TAP_OK(queue_name_ignored(".hidden.zip"), "dotfiles are ignored");
	TAP_OK(queue_name_ignored("x.zip.part") && queue_name_ignored("x.tmp") &&
		       queue_name_ignored("x.crdownload") && queue_name_ignored("x.filepart"),
	       "partial-download suffixes are ignored");
	TAP_OK(!queue_name_ignored("flare.zip") && !queue_name_ignored("part") &&
		       !queue_name_ignored("x.partial"),
	       "other names are taken");
}

static void test_moves(void)
{
	char in[PATH_MAX + 16], *claimed = NULL, *final = NULL, *text;
	struct fw_error err;
	struct state *s;
	int in_fd, lock = -1, other, r;

	snprintf(in, sizeof(in), "%s/incoming", root);
	TAP_EQ_INT(mkdir_shared(in, &err), 0, "mkdir_shared creates the incoming folder");
	if (!TAP_EQ_INT(state_open(root, &s, &err), 0,
			"state_open creates processing/ done/ failed/ seen/"))
		return;
	TAP_OK(exists(root, "processing") && exists(root, "done") && exists(root, "failed") &&
		       exists(root, "seen"),
	       "... all four exist");
	in_fd = open(in, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (!TAP_OK(in_fd >= 0, "open the incoming folder"))
		return;

	/* a claim moves the file and holds a lock on it */
	put_file(in, "a.zip", "first");
	r = queue_claim(in_fd, "a.zip", s, &claimed, &lock, &err);
	TAP_EQ_INT(r, 0, "claim a.zip");
	TAP_EQ_STR(claimed, "a.zip", "... into processing/a.zip");
	TAP_OK(!exists(in, "a.zip") && exists(s->processing, "a.zip"), "... moved, not copied");
	other = open(s->processing, O_RDONLY);
	if (other >= 0) {
		int fd = openat(other, "a.zip", O_RDONLY);
		TAP_OK(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK,
		       "... and locked against other daemons");
		if (fd >= 0)
			close(fd);
		close(other);
	}
	TAP_EQ_INT(queue_lock_processing(s, "a.zip", &other, &err), -EBUSY,
		   "a held flare is not taken again from processing/");
	TAP_EQ_INT(queue_claim(in_fd, "a.zip", s, &claimed, &lock, &err), -ENOENT,
		   "claiming a flare that is gone: -ENOENT");

	/* a second a.zip while the first is in processing/ */
	put_file(in, "a.zip", "second");
	free(claimed);
	claimed = NULL;
	close(lock);
	r = queue_claim(in_fd, "a.zip", s, &claimed, &lock, &err);
	TAP_EQ_STR(claimed, "a-1.zip", "a name taken in processing/ gets a suffix");
	text = slurp(s->processing, "a.zip");
	TAP_EQ_STR(text, "first", "... and the first is not overwritten");
	free(text);
	close(lock);
	TAP_EQ_INT(queue_lock_processing(s, "a.zip", &lock, &err), 0,
		   "a flare nobody holds can be taken again from processing/");
	close(lock);

	/* done/ collisions */
	put_file(s->done, "a.zip", "old");
	r = queue_finish_done(s, "a.zip", &final, &err);
	TAP_EQ_INT(r, 0, "finish into done/");
	TAP_EQ_STR(final, "a-1.zip", "... under a free name");
	text = slurp(s->done, "a.zip");
	TAP_EQ_STR(text, "old", "... without overwriting");
	free(text);
	free(final);

	/* failed/ with .error.txt, where only the .error.txt name is taken */
	put_file(s->failed, "a-1.zip.error.txt", "someone else's");
	r = queue_finish_failed(s, "a-1.zip", "why\n", &final, &err);
	TAP_EQ_INT(r, 0, "finish into failed/");
	TAP_EQ_STR(final, "a-1-1.zip", "... under a name free for the flare and its .error.txt");
	text = slurp(s->failed, "a-1-1.zip.error.txt");
	TAP_EQ_STR(text, "why\n", "... with the reason in <name>.error.txt");
	free(text);
	text = slurp(s->failed, "a-1.zip.error.txt");
	TAP_EQ_STR(text, "someone else's", "... and the existing .error.txt untouched");
	free(text);
	free(final);
	free(claimed);

	/* symlinks and non-files are never claimed */
	{
		char link[PATH_MAX + 32];
		snprintf(link, sizeof(link), "%s/link.zip", in);
		if (symlink("/etc/hostname", link) == 0) {
			claimed = NULL;
			TAP_EQ_INT(queue_claim(in_fd, "link.zip", s, &claimed, &lock, &err), -EINVAL,
				   "a symlink is not claimed");
			TAP_OK(exists(in, "link.zip"), "... and stays where it is");
		}
	}

	/* dedup index */
	{
		static const char sha[] =
			"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
		size_t len;
		TAP_EQ_INT(queue_seen_read(s->seen, sha, &text, &len, &err), -ENOENT,
			   "unseen content: -ENOENT");
		TAP_EQ_INT(queue_seen_write(s, sha, "report_path=/r\n", 15, &err), 0,
			   "the first analysis of a content is recorded");
		TAP_EQ_INT(queue_seen_write(s, sha, "report_path=/other\n", 19, &err), -EEXIST,
			   "a second record for it is refused (O_EXCL semantics)");
		TAP_EQ_INT(queue_seen_read(s->seen, sha, &text, &len, &err), 0, "... and read back");
		TAP_EQ_STR(text, "report_path=/r\n", "... with the first report");
		free(text);
		TAP_EQ_INT(queue_seen_read(s->seen, "../../etc/passwd", &text, &len, &err), -EINVAL,
			   "a hash that is not 64 hex digits is refused");
	}

	/* retention: only old regular files in done/ */
	{
		unsigned removed = 99;
		TAP_EQ_INT(queue_expire_done(s, 0, &removed, &err), 0, "retention 0 days: a no-op");
		TAP_EQ_UINT(removed, 0, "... nothing removed");
		TAP_EQ_INT(queue_expire_done(s, 1, &removed, &err), 0, "retention 1 day");
		TAP_EQ_UINT(removed, 0, "... keeps flares filed today");
		TAP_OK(exists(s->done, "a.zip") && exists(s->done, "a-1.zip"), "... both still there");
	}
	/* forgetting a claim removes its records and the temporary files of
	 * their atomic writes (a worker killed while writing one), not other
	 * flares' */
	put_file(s->processing, ".k.zip.report", "/r\n");
	put_file(s->processing, "..k.zip.result.Ab12Cd", "verdict=");
	put_file(s->processing, "..k.zip.report.Ef34Gh", "/r");
	put_file(s->processing, "..kk.zip.result.Ab12Cd", "verdict=");
	queue_forget_claim(s, "k.zip");
	TAP_OK(!exists(s->processing, ".k.zip.report") &&
		       !exists(s->processing, "..k.zip.result.Ab12Cd") &&
		       !exists(s->processing, "..k.zip.report.Ef34Gh"),
	       "queue_forget_claim removes the claim records and their temporary files");
	TAP_OK(exists(s->processing, "..kk.zip.result.Ab12Cd"), "... not another flare's");
	close(in_fd);
	state_unref(s);
}

/* The modes mkdir_shared() gives: 0770 (the umask cleared), never setgid
 * by itself (RestrictSUIDSGID= would refuse it), setgid inherited from a
 * setgid parent, as the kernel does; and an unreadable flare is not
 * claimed (-EACCES: it stays in incoming/). */
static void test_folder_modes(void)
{
	char plain[PATH_MAX + 64], sg[PATH_MAX + 16], sub[PATH_MAX + 32];
	struct fw_error err;
	struct stat st;
	mode_t old = umask(022); /* the group bits are not masked */

	snprintf(plain, sizeof(plain), "%s/modes/plain/a", root);
	TAP_EQ_INT(mkdir_shared(plain, &err), 0, "mkdir_shared creates modes/plain/a and its parents");
	TAP_OK(stat(plain, &st) == 0 && (st.st_mode & 07777) == 0770,
	       "... mode 0770 (with umask 022), not setgid");
	snprintf(sg, sizeof(sg), "%s/modes/sg", root);
	if (!TAP_OK(mkdir(sg, 0770) == 0 && chmod(sg, 02770) == 0, "a setgid folder (chmod 2770)")) {
		umask(old);
		return;
	}
	snprintf(sub, sizeof(sub), "%s/x/y", sg);
	TAP_EQ_INT(mkdir_shared(sub, &err), 0, "mkdir_shared creates x/y in it");
	TAP_OK(stat(sub, &st) == 0 && (st.st_mode & 07777) == 02770,
	       "... 2770: the setgid bit inherited from the parent");
	umask(old);

	if (geteuid() == 0) {
		tap_skip("root reads any file", "an unreadable flare is not claimed");
		return;
	}
	{
		struct state *s;
		char in[PATH_MAX + 16], *claimed = NULL; /* plain holds in/locked.zip */
		int in_fd, lock = -1;

		snprintf(in, sizeof(in), "%s/modes/incoming", root);
		snprintf(sub, sizeof(sub), "%s/modes/state", root);
		if (!TAP_EQ_INT(mkdir_shared(in, &err), 0, "an incoming folder") ||
		    !TAP_EQ_INT(state_open(sub, &s, &err), 0, "a state folder"))
			return;
		in_fd = open(in, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		put_file(in, "locked.zip", "secret");
		snprintf(plain, sizeof(plain), "%s/locked.zip", in);
		TAP_OK(chmod(plain, 0) == 0, "chmod 0 locked.zip");
		TAP_EQ_INT(queue_claim(in_fd, "locked.zip", s, &claimed, &lock, &err), -EACCES,
			   "claiming an unreadable flare: -EACCES");
		TAP_OK(exists(in, "locked.zip") && !exists(s->processing, "locked.zip"),
		       "... it stays in incoming/");
		free(claimed);
		if (in_fd >= 0)
			close(in_fd);
		state_unref(s);
	}
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	char cmd[PATH_MAX + 16];

	snprintf(root, sizeof(root), "%s/test_queue.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 99;
	}
	test_record();
	test_result_record();
	test_names();
	test_moves();
	test_folder_modes();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		TAP_DIAG("could not remove %s", root);
	return tap_done();
}
