/*
 * worker.c: one child process per analysis. The child drops what it
 * inherited (signal mask, file descriptors), limits itself (RLIMIT_AS,
 * RLIMIT_CPU, no core dumps: a flare is customer data), hashes the flare,
 * either finds that content in the dedup index or calls fw_analyze(), and
 * writes a record (record.h) to a pipe: exit status 0 with status=ok or
 * status=duplicate, 1 with status=failed and the error.
 *
 * The parent kills a child that runs past analysis.timeout_seconds, and
 * when a child ends it reads the record, moves the flare to done/ or to
 * failed/ (with the reason: the analysis error, or which signal or limit
 * killed the child), writes the dedup entry and the journal entry. Nothing
 * a flare does to its child can stop the daemon.
 *
 * A report is never made twice: the analysis names the folder it is about
 * to publish in the claim record processing/.<name>.report, and the child
 * saves its record in processing/.<name>.result; a flare whose report is
 * out (its child killed or failed after publishing, or the daemon killed)
 * is filed in done/ from them. A failure the record blames on the host
 * (fault=host) leaves the flare queued in processing/ (loop.c retries).
 *
 * Over 1,000 lines because the child and the parent's handling of its
 * end are one protocol (limits, record, filing, recovery after a crash):
 * split, each half would have to restate the other's rules.
 * Every analysis extracts under the daemon's private temporary folder.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "investigate/investigate.h"
#include "daemon.h"
#include "base/fsutil.h"
#include "base/limits.h"
#include "daemon/journal.h"
#include "investigate/index.h"
#include "record.h"
#include "base/redact.h"
#include "base/sha256.h"
#include "base/ticket.h"

#define USEC_PER_SEC 1000000ULL
#define RESULT_FD 3

bool worker_memory_limit_applies(void)
{
	return fw_memory_limit_applies();
}

enum { EXIT_ANALYZED = 0, EXIT_FAILED = 1, EXIT_SETUP = 2 };

struct job {
	struct job *next;
	struct daemon *d;
	struct state *state;	/* the state directory it was claimed into */
	char *name;		/* in state->processing/ */
	char *display;		/* the name it arrived with */
	char *tmpdir;		/* private extraction folder, removed afterwards */
	int lock_fd, pipe_fd;
	pid_t pid;
	sd_event_source *child_src, *pipe_src, *timeout_src;
	struct fw_buf out;	/* the child's record */
	bool timed_out, abandoned;
	unsigned timeout_s, cpu_s; /* the limits it runs with */
	uint64_t started_usec;	/* CLOCK_MONOTONIC */
	uint64_t memory_limit;
};

/* ---- the child ------------------------------------------------------ */

/* Is text a usable dedup entry (a record with a report_path)? */
static bool seen_usable(const char *text, size_t len)
{
	struct record rec;
	bool ok;

	if (record_parse(text, len, &rec) < 0)
		return false;
	ok = record_get(&rec, "report_path") && record_get(&rec, "verdict");
	record_free(&rec);
	return ok;
}

/*
 * An analysis killed between publishing report_dir (DIR/<host>/<time>)
 * and regenerating the index leaves the report out of DIR's index. The
 * index is derived from the reports: regenerating it lists the report.
 * Appends index_warning=what happened to b when that was not clean.
 */
static void index_recovered(const char *report_dir, struct fw_buf *b)
{
	char dir[PATH_MAX], *slash;
	struct fw_error err;

	if (snprintf(dir, sizeof(dir), "%s", report_dir) >= (int)sizeof(dir))
		return;
	for (int up = 0; up < 2; up++) {
		slash = strrchr(dir, '/');
		if (!slash || slash == dir)
			return;
		*slash = 0;
	}
	if (fw_index_rebuild(dir, &err) != 0)
		record_put(b, "index_warning", err.msg);
}

/*
 * Did an earlier, interrupted analysis of processing/name publish its
 * report? Then appends to b what is known of it: the worker record it
 * saved (processing/.<name>.result) when it got that far, else just
 * report_dir (and the index is rebuilt, which adds the report's row if
 * that analysis was killed before it did); and recovered=record or
 * recovered=folder. Returns 1, 0 (no published report) or a negative
 * errno (err says why).
 */
static int published_record(const struct state *s, const char *name, struct fw_buf *b,
			    struct fw_error *err)
{
	char intent[PATH_MAX], result[PATH_MAX], *dir = NULL;
	uint8_t *text = NULL;
	struct record rec;
	bool full = false;
	size_t len;
	int r;

	if (queue_claim_file(s, name, QUEUE_INTENT, intent, sizeof(intent)) < 0 ||
	    queue_claim_file(s, name, QUEUE_RESULT, result, sizeof(result)) < 0)
		return 0;
	r = fw_analyze_published(intent, &dir, err);
	if (r <= 0)
		return r;
	if (fw_read_file(result, RECORD_MAX_SIZE, &text, &len, NULL) == 0 &&
	    record_parse((const char *)text, len, &rec) == 0) {
		const char *rd = record_get(&rec, "report_dir");
		full = rd && strcmp(rd, dir) == 0 && record_get(&rec, "verdict") &&
		       record_get(&rec, "report_path");
		record_free(&rec);
	}
	if (full) {
		fw_buf_putn(b, (const char *)text, len);
		if (len > 0 && text[len - 1] != '\n')
			fw_buf_putc(b, '\n');
	} else {
		record_put(b, "report_dir", dir);
		index_recovered(dir, b);
	}
	record_put(b, "recovered", full ? "record" : "folder");
	free(text);
	free(dir);
	return 1;
}

/* Can this process create files in dir? For a missing folder, in the
 * nearest existing parent (where it would be created). */
static bool writable(const char *dir)
{
	char path[PATH_MAX];
	char *slash;

	if (!dir || snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
		return true;
	for (;;) {
		if (access(path, W_OK | X_OK) == 0)
			return true;
		if (errno != ENOENT)
			return false;
		slash = strrchr(path, '/');
		if (!slash || slash == path)
			return true;
		*slash = 0;
	}
}

/*
 * Whose fault is a failure with errno e: the host's (full or read-only
 * disk, no descriptors left, the investigations or temporary folder not
 * writable), after which the flare is retried, or the flare's? EACCES
 * and EPERM are the host's only when a folder we write to refuses us: a
 * flare can make them too (an entry that denies its own folder).
 */
static const char *fault_of(const struct daemon *d, const struct job *j, int e)
{
	switch (e) {
	case ENOSPC:
	case EDQUOT:
	case EROFS:
	case EMFILE:
	case ENFILE:
		return "host";
	case EACCES:
	case EPERM:
		return !writable(d->cfg->investigations_dir) || !writable(j->tmpdir) ||
				       !writable(j->state->processing)
			       ? "host"
			       : "flare";
	default:
		return "flare";
	}
}

/* Records a failure with errno e and its class (fault=host or flare). */
static int child_failed(const struct daemon *d, const struct job *j, struct fw_buf *b,
			const char *msg, int e)
{
	record_put(b, "error", msg);
	record_putf(b, "errno", "%d", e);
	record_put(b, "fault", fault_of(d, j, e));
	record_put(b, "status", "failed");
	return EXIT_FAILED;
}

/* The analysis proper; fills b and returns the exit status. */
static int child_analyze(const struct daemon *d, const struct job *j, struct fw_buf *b)
{
	struct fw_analyze_opts opts = {
		.cfg = d->cfg,
		.out_dir = NULL,
		.tmp_parent = j->tmpdir,
		.display_name = j->display,
	};
	struct fw_analyze_result res;
	char sha[FW_SHA256_HEX_LEN + 1], path[PATH_MAX], intent[PATH_MAX], result[PATH_MAX];
	char *seen;
	struct fw_error err;
	struct fw_buf rb;
	size_t seen_len;
	int fd, r;

	snprintf(path, sizeof(path), "%s/%s", j->state->processing, j->name);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		char msg[256];
		snprintf(msg, sizeof(msg), "cannot read the flare: %s", strerror(e));
		return child_failed(d, j, b, msg, e);
	}
	r = fw_sha256_fd(fd, j->name, sha, &err);
	close(fd);
	if (r < 0)
		return child_failed(d, j, b, err.msg, -r);
	record_put(b, "sha256", sha);
	opts.sha256 = sha; /* report.json's flare.sha256: hashed once */

	/* taken again after a crash: is its report out already? */
	r = published_record(j->state, j->name, b, &err);
	if (r < 0)
		record_put(b, "warning", err.msg);
	if (r == 1) {
		record_put(b, "status", "published");
		return EXIT_ANALYZED;
	}

	if (queue_seen_read(j->state->seen, sha, &seen, &seen_len, &err) == 0) {
		bool usable = seen_usable(seen, seen_len);
		if (usable) {
			fw_buf_putn(b, seen, seen_len);
			if (seen_len > 0 && seen[seen_len - 1] != '\n')
				fw_buf_putc(b, '\n');
		}
		free(seen);
		if (usable) {
			record_put(b, "status", "duplicate");
			return EXIT_ANALYZED;
		}
	}

	if (queue_claim_file(j->state, j->name, QUEUE_INTENT, intent, sizeof(intent)) == 0 &&
	    queue_claim_file(j->state, j->name, QUEUE_RESULT, result, sizeof(result)) == 0)
		opts.intent_path = intent;
	r = fw_analyze(path, &opts, &res, &err);
	if (r < 0)
		return child_failed(d, j, b, err.msg, -r);
	fw_buf_init(&rb);
	record_put_result(&rb, &res);
	fw_analyze_result_free(&res);
	/* kept until the flare is filed, for a restart that finds its
	 * report published but never heard of this record */
	if (opts.intent_path && !rb.failed &&
	    fw_write_file_atomic(result, rb.data, rb.len, 0660, &err) < 0)
		record_put(b, "warning", err.msg);
	if (rb.len > 0)
		fw_buf_putn(b, rb.data, rb.len);
	if (rb.failed)
		b->failed = true;
	fw_buf_free(&rb);
	record_put(b, "status", "ok");
	return EXIT_ANALYZED;
}

/* Lowers a resource limit; a failure is reported in the record (the
 * parent logs it), and the wall-clock timeout still applies. */
static void set_limit(struct fw_buf *b, int resource, const char *name, rlim_t soft, rlim_t hard)
{
	struct fw_error err;

	if (fw_rlimit_lower(resource, name, soft, hard, &err) < 0)
		record_putf(b, "warning", "%s", err.msg);
}

static void child_main(const struct daemon *d, const struct job *j, int out_fd, pid_t parent)
	__attribute__((noreturn));
static void child_main(const struct daemon *d, const struct job *j, int out_fd, pid_t parent)
{
	struct fw_buf b;
	sigset_t none;
	int null, code;

	/* Die with the daemon: an orphaned analysis helps nobody, and its
	 * flare is taken again from processing/ at the next start. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(EXIT_SETUP);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	/* the daemon alone talks to systemd */
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	/* Out of the terminal's process group: ^C stops the daemon
	 * gracefully instead of killing the analyses. */
	(void)setpgid(0, 0);

	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0 || dup2(null, STDIN_FILENO) < 0)
		_exit(EXIT_SETUP);
	if (out_fd != RESULT_FD && dup2(out_fd, RESULT_FD) < 0)
		_exit(EXIT_SETUP);
	/* every other inherited descriptor: the locks, the event loop's */
	if (close_range(RESULT_FD + 1, ~0U, 0) < 0) {
		for (int fd = RESULT_FD + 1; fd < 65536; fd++)
			(void)close(fd);
	}

	fw_buf_init(&b);
	set_limit(&b, RLIMIT_CORE, "RLIMIT_CORE", 0, 0);
	if (worker_memory_limit_applies())
		set_limit(&b, RLIMIT_AS, "RLIMIT_AS", (rlim_t)j->memory_limit,
			  (rlim_t)j->memory_limit);
	/* SIGXCPU at the soft limit, SIGKILL a second later */
	set_limit(&b, RLIMIT_CPU, "RLIMIT_CPU", (rlim_t)j->cpu_s, (rlim_t)j->cpu_s + 1);
	code = child_analyze(d, j, &b);
	if (b.failed)
		_exit(EXIT_SETUP);
	(void)fw_write_all(RESULT_FD, b.data, b.len);
	_exit(code);
}

/* ---- the parent: why it failed -------------------------------------- */

static void format_size(uint64_t n, char *out, size_t size)
{
	static const char *const units[] = { "bytes", "KiB", "MiB", "GiB", "TiB" };
	unsigned u = 0;

	while (u < 4 && n >= 1024 && n % 1024 == 0) {
		n /= 1024;
		u++;
	}
	snprintf(out, size, "%" PRIu64 " %s", n, units[u]);
}

static const char *signal_name(int sig, char *buf, size_t size)
{
	const char *abbrev = sigabbrev_np(sig);

	snprintf(buf, size, "SIG%s", abbrev ? abbrev : "?");
	return buf;
}

/* The reason a child that produced no result ended, for .error.txt. */
static void describe_end(const struct job *j, const siginfo_t *si, const struct record *rec,
			 char *out, size_t size)
{
	const char *error = rec ? record_get(rec, "error") : NULL;
	const char *err_no = rec ? record_get(rec, "errno") : NULL;
	char sig[32], mem[32];

	format_size(j->memory_limit, mem, sizeof(mem));
	if (si->si_code == CLD_EXITED) {
		if (error && err_no && atoi(err_no) == ENOMEM)
			snprintf(out, size, "out of memory (RLIMIT_AS %s): %s", mem, error);
		else if (error)
			snprintf(out, size, "%s", error);
		else
			snprintf(out, size, "the analysis process exited with status %d "
				 "without a result", si->si_status);
		return;
	}
	signal_name(si->si_status, sig, sizeof(sig));
	if (si->si_status == SIGKILL && j->timed_out)
		snprintf(out, size, "timed out: killed by signal %d (%s) after the %u s timeout "
			 "(analysis.timeout_seconds); no report was published",
			 si->si_status, sig, j->timeout_s);
	else if (si->si_status == SIGXCPU)
		snprintf(out, size, "exceeded the CPU time limit (%s, %u s)", sig, j->cpu_s);
	else if (si->si_status == SIGKILL)
		snprintf(out, size, "killed by signal %d (%s) from outside flarewatchd "
			 "(the kernel's out-of-memory killer, or an administrator)",
			 si->si_status, sig);
	else
		snprintf(out, size, "killed by signal %d (%s)", si->si_status, sig);
}

/* ---- the parent: after the child ------------------------------------ */

/* Removes the job's private extraction folder and all in it. */
static void remove_tmpdir(struct daemon *d, const char *dir)
{
	struct fw_error err;

	if (fw_tree_remove(dir, &err) < 0)
		log_msg(&d->log, LOG_WARNING, "cannot remove temporary folder %s: %s", dir,
			err.msg);
}

static void job_free(struct job *j)
{
	struct daemon *d = j->d;
	struct job **p;

	for (p = &d->jobs; *p; p = &(*p)->next) {
		if (*p == j) {
			*p = j->next;
			d->running--;
			break;
		}
	}
	j->child_src = sd_event_source_disable_unref(j->child_src);
	j->pipe_src = sd_event_source_disable_unref(j->pipe_src);
	j->timeout_src = sd_event_source_disable_unref(j->timeout_src);
	if (j->pipe_fd >= 0)
		close(j->pipe_fd);
	if (j->lock_fd >= 0)
		close(j->lock_fd);
	if (j->tmpdir) {
		remove_tmpdir(d, j->tmpdir);
		free(j->tmpdir);
	}
	state_unref(j->state);
	fw_buf_free(&j->out);
	free(j->name);
	free(j->display);
	free(j);
}

/* Reads what the child wrote, up to RECORD_MAX_SIZE. true at end of file. */
static bool drain(struct job *j)
{
	char buf[4096];

	for (;;) {
		ssize_t n = read(j->pipe_fd, buf, sizeof(buf));
		if (n == 0)
			return true;
		if (n < 0)
			return errno != EINTR && errno != EAGAIN;
		if (j->out.len + (size_t)n <= RECORD_MAX_SIZE)
			fw_buf_putn(&j->out, buf, (size_t)n);
	}
}

static int on_pipe(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct job *j = userdata;
	(void)fd;
	(void)revents;

	if (drain(j))
		(void)sd_event_source_set_enabled(s, SD_EVENT_OFF);
	return 0;
}

static int on_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct job *j = userdata;
	int r;
	(void)s;
	(void)usec;

	log_msg(&j->d->log, LOG_WARNING, "%s: analysis still running after %u s; killing it",
		j->display, j->timeout_s);
	j->timed_out = true;
	r = sd_event_source_send_child_signal(j->child_src, SIGKILL, NULL, 0);
	if (r < 0)
		log_msg(&j->d->log, LOG_ERR, "%s: cannot kill process %ld: %s", j->display,
			(long)j->pid, strerror(-r));
	return 0;
}

static int priority_of(const struct fw_config *cfg, enum fw_verdict_kind k)
{
	const struct fw_config_priority *p = &cfg->journal.priority;

	switch (k) {
	case FW_VERDICT_NORMAL: return p->normal;
	case FW_VERDICT_INCONCLUSIVE: return p->inconclusive;
	case FW_VERDICT_CONTENTION: return p->contention;
	case FW_VERDICT_CPU_SPIKE: return p->cpu_spike;
	case FW_VERDICT_MEMORY_LEAK: return p->memory_leak;
	case FW_VERDICT_MULTIPLE: return p->multiple_issues;
	}
	return p->normal;
}

/* The dedup entry: the analysis's result plus where and when. */
static void remember_analysis(struct job *j, const struct record *rec, const char *sha)
{
	struct fw_error err;
	struct fw_buf b;
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	int r;

	fw_buf_init(&b);
	record_copy_result(&b, rec);
	record_put(&b, "flare", j->display);
	if (gmtime_r(&now, &tm) && strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm))
		record_put(&b, "analyzed_at", when);
	if (b.failed) {
		log_msg(&j->d->log, LOG_ERR, "%s: out of memory writing its dedup entry",
			j->display);
	} else {
		r = queue_seen_write(j->state, sha, b.data, b.len, &err);
		if (r == -EEXIST)
			log_msg(&j->d->log, LOG_DEBUG, "%s: content %s analyzed twice at once",
				j->display, sha);
		else if (r < 0)
			log_msg(&j->d->log, LOG_ERR, "dedup entry for %s: %s", j->display, err.msg);
	}
	fw_buf_free(&b);
}

enum how_done {
	DONE_ANALYZED,	/* this worker analyzed it */
	DONE_DUPLICATE,	/* its content was analyzed before (seen/) */
	DONE_RECOVERED,	/* an interrupted analysis of it published its report */
};

/* Files an analyzed (or duplicate) flare under done/. false when the
 * record lacks what a verdict entry needs (then nothing was moved). */
static bool finish_done(struct job *j, const struct record *rec, enum how_done how)
{
	bool duplicate = how == DONE_DUPLICATE;
	struct daemon *d = j->d;
	struct fw_analyze_result res;
	const char *sha = record_get(rec, "sha256");
	char *final = NULL, path[PATH_MAX];
	struct fw_error err;
	int r;

	r = record_get_result(rec, &res);
	if (r == -ENOMEM) {
		log_msg(&d->log, LOG_ERR, "%s: out of memory reading its result; it will be "
			"taken again at the next start", j->display);
		return true;
	}
	if (r < 0)
		return false;
	r = queue_finish_done(j->state, j->name, &final, &err);
	if (r < 0) {
		log_msg(&d->log, LOG_ERR, "%s; it will be taken again at the next start",
			err.msg);
		fw_analyze_result_free(&res);
		return true;
	}
	queue_forget_claim(j->state, j->name);
	daemon_fault_forget(d, j->name);
	snprintf(path, sizeof(path), "%s/%s", j->state->done, final);
	if (!duplicate && sha)
		remember_analysis(j, rec, sha);
	if (!duplicate)
		daemon_host_ok(d);
	if (how == DONE_RECOVERED)
		log_msg(&d->log, LOG_NOTICE, "%s: its report %s was published by an analysis "
			"that was interrupted; filed without a second analysis", j->display,
			res.report_dir ? res.report_dir : res.report_path);
	if (duplicate) {
		/* the ticket is this flare's, not the earlier one's */
		char ticket[FW_TICKET_BUFSZ];
		struct fw_error terr;
		if (fw_ticket_from_name(d->cfg->tickets.pattern, j->display, ticket, &terr) >= 0) {
			free(res.ticket);
			res.ticket = strdup(ticket); /* NULL: the entry has TICKET= */
		}
		d->n_duplicates++;
		metrics_duplicate(&d->metrics);
		r = fw_journal_verdict(&res, path, sha, LOG_INFO, res.report_path);
	} else {
		d->n_analyzed++;
		/* a recovered report's analysis time is not known */
		metrics_analyzed(&d->metrics, (int)res.verdict,
				 how == DONE_ANALYZED
					 ? (double)(now_usec() - j->started_usec) / USEC_PER_SEC
					 : -1.0,
				 time(NULL));
		r = fw_journal_verdict(&res, path, sha, priority_of(d->cfg, res.verdict), NULL);
	}
	if (r < 0 && d->log.journal)
		log_msg(&d->log, LOG_WARNING, "%s: cannot write the journal entry: %s",
			j->display, strerror(-r));
	if (!d->log.journal || r < 0) {
		if (duplicate)
			log_msg(&d->log, LOG_INFO, "%s: duplicate of an analyzed flare (%s), "
				"report %s", j->display, fw_verdict_name(res.verdict),
				res.report_path);
		else
			log_msg(&d->log, LOG_INFO, "%s: %s on %s, report %s", j->display,
				fw_verdict_name(res.verdict), res.hostname ? res.hostname : "?",
				res.report_path);
	}
	free(final);
	fw_analyze_result_free(&res);
	return true;
}

/*
 * Files a flare whose report an interrupted analysis published (rec:
 * published_record()'s). With that analysis's worker record it gets its
 * verdict entry like any other; with only the folder, a log message.
 */
static void finish_published(struct job *j, const struct record *rec)
{
	struct daemon *d = j->d;
	const char *dir = record_get(rec, "report_dir");
	const char *index = record_get(rec, "index_warning");
	struct fw_error err;
	char *final = NULL;

	if (index)
		log_msg(&d->log, LOG_WARNING, "%s: %s", j->display, index);
	if (finish_done(j, rec, DONE_RECOVERED))
		return;
	if (queue_finish_done(j->state, j->name, &final, &err) < 0) {
		log_msg(&d->log, LOG_ERR, "%s; it will be taken again at the next start",
			err.msg);
		return;
	}
	queue_forget_claim(j->state, j->name);
	daemon_fault_forget(d, j->name);
	d->n_analyzed++;
	metrics_analyzed(&d->metrics, -1, -1.0, time(NULL));
	log_msg(&d->log, LOG_NOTICE, "%s: its report %s was published by an analysis that "
		"was interrupted before it said more; filed as %s/%s without a second "
		"analysis", j->display, dir ? dir : "?", j->state->done, final);
	free(final);
}

/* Did the child publish its report before it failed or was killed?
 * Then files it (finish_published()) and returns true. */
static bool finish_if_published(struct job *j, const struct record *child)
{
	const char *sha = child ? record_get(child, "sha256") : NULL;
	struct fw_error err;
	struct record rec;
	struct fw_buf b;
	bool done = false;
	int r;

	fw_buf_init(&b);
	record_put(&b, "sha256", sha);
	r = published_record(j->state, j->name, &b, &err);
	if (r < 0)
		log_msg(&j->d->log, LOG_WARNING, "%s: %s", j->display, err.msg);
	if (r == 1 && !b.failed && record_parse(b.data, b.len, &rec) == 0) {
		finish_published(j, &rec);
		record_free(&rec);
		done = true;
	}
	fw_buf_free(&b);
	return done;
}

static void finish_failed(struct job *j, const struct record *rec, const char *reason,
			  enum metrics_failure class)
{
	struct daemon *d = j->d;
	const char *sha = rec ? record_get(rec, "sha256") : NULL;
	char *final = NULL, path[PATH_MAX], when[32], clean[4096];
	struct fw_error err;
	struct fw_buf text;
	time_t now = time(NULL);
	struct tm tm;
	int r;

	/* the reason can quote flare content: redact it like the journal does */
	if (fw_redact_field(clean, sizeof(clean), reason, strlen(reason)) < 0)
		snprintf(clean, sizeof(clean), "(out of memory)");
	fw_buf_init(&text);
	fw_buf_printf(&text, "%s\n\n", clean);
	fw_buf_printf(&text, "flare:   %s\n", j->display);
	fw_buf_printf(&text, "sha256:  %s\n", sha ? sha : "unknown");
	if (gmtime_r(&now, &tm) && strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm))
		fw_buf_printf(&text, "failed:  %s\n", when);
	fw_buf_printf(&text, "by:      flarewatchd %s, process %ld\n", PACKAGE_VERSION,
		      (long)j->pid);
	if (text.failed) {
		log_msg(&d->log, LOG_ERR, "%s: out of memory; the flare stays in %s", j->display,
			j->state->processing);
		fw_buf_free(&text);
		return;
	}
	r = queue_finish_failed(j->state, j->name, fw_buf_str(&text), &final, &err);
	fw_buf_free(&text);
	if (r < 0) {
		log_msg(&d->log, LOG_ERR, "%s; it will be taken again at the next start",
			err.msg);
		return;
	}
	queue_forget_claim(j->state, j->name);
	daemon_fault_forget(d, j->name);
	d->n_failed++;
	metrics_failed(&d->metrics, class);
	snprintf(path, sizeof(path), "%s/%s", j->state->failed, final);
	r = fw_journal_failure(path, sha, clean, d->cfg->journal.priority.failed);
	if (r < 0 && d->log.journal)
		log_msg(&d->log, LOG_WARNING, "%s: cannot write the journal entry: %s",
			j->display, strerror(-r));
	if (!d->log.journal || r < 0)
		log_msg(&d->log, LOG_WARNING, "%s: failed: %s (see %s.error.txt)", j->display,
			clean, path);
	free(final);
}

/* Did the child fail because of the host (fault=host in its record)? */
static bool host_fault(const siginfo_t *si, const struct record *rec)
{
	const char *status = rec ? record_get(rec, "status") : NULL;
	const char *fault = rec ? record_get(rec, "fault") : NULL;

	return si->si_code == CLD_EXITED && si->si_status == EXIT_FAILED && status &&
	       strcmp(status, "failed") == 0 && fault && strcmp(fault, "host") == 0;
}

/* The analysis failed because of the host: the flare stays in
 * processing/, queued to be taken again once the fault clears. */
static void retry_later(struct job *j, const struct record *rec)
{
	struct daemon *d = j->d;
	const char *error = record_get(rec, "error");
	char what[4096], *name;

	snprintf(what, sizeof(what), "%s: %s", j->display, error ? error : "?");
	daemon_host_fault(d, what, j->started_usec);
	if (j->state != d->state) {
		log_msg(&d->log, LOG_NOTICE, "%s stays in %s for a daemon with the previous "
			"state_dir", j->name, j->state->processing);
		return;
	}
	name = strdup(j->name);
	if (!name) {
		log_msg(&d->log, LOG_ERR, "out of memory; %s stays in %s until the next start",
			j->name, j->state->processing);
		return;
	}
	daemon_requeue(d, name);
}

/* The metrics class of a failure that describe_end() describes. */
static enum metrics_failure failure_class(const struct job *j, const siginfo_t *si,
					  const struct record *rec)
{
	const char *err_no = rec ? record_get(rec, "errno") : NULL;

	if (si->si_code == CLD_EXITED) {
		if (host_fault(si, rec))
			return METRICS_FAIL_HOST;
		if (rec && record_get(rec, "error"))
			return err_no ? metrics_failure_of_errno(atoi(err_no)) : METRICS_FAIL_OTHER;
		return METRICS_FAIL_INTERNAL;
	}
	switch (si->si_status) {
	case SIGKILL: return j->timed_out ? METRICS_FAIL_TIMEOUT : METRICS_FAIL_KILLED;
	case SIGXCPU: return METRICS_FAIL_CPU;
	/* a crash of the analysis: our bug, whatever the flare holds */
	case SIGSEGV:
	case SIGBUS:
	case SIGILL:
	case SIGFPE:
	case SIGABRT:
	case SIGSYS: return METRICS_FAIL_INTERNAL;
	default: return METRICS_FAIL_KILLED;
	}
}

static int on_child(sd_event_source *s, const siginfo_t *si, void *userdata)
{
	struct job *j = userdata;
	struct daemon *d = j->d;
	struct record rec;
	const char *status;
	bool have_rec;
	char reason[4096];
	(void)s;

	(void)drain(j);
	have_rec = !j->out.failed &&
		   record_parse(j->out.data ? j->out.data : "", j->out.len, &rec) == 0;
	status = have_rec ? record_get(&rec, "status") : NULL;
	if (have_rec && record_get(&rec, "warning"))
		log_msg(&d->log, LOG_WARNING, "%s: %s", j->display, record_get(&rec, "warning"));

	if (j->abandoned || (d->stopping && si->si_code != CLD_EXITED && !j->timed_out &&
			     (si->si_status == SIGTERM || si->si_status == SIGINT ||
			      si->si_status == SIGKILL))) {
		/* stopped with the daemon: leave it for the next start */
		log_msg(&d->log, LOG_NOTICE, "%s: analysis interrupted; the flare stays in %s "
			"and is taken again at the next start", j->display, j->state->processing);
	} else if (si->si_code == CLD_EXITED && si->si_status == EXIT_ANALYZED && status &&
		   (strcmp(status, "ok") == 0 || strcmp(status, "duplicate") == 0)) {
		if (!finish_done(j, &rec, strcmp(status, "duplicate") == 0 ? DONE_DUPLICATE :
										DONE_ANALYZED))
			finish_failed(j, &rec, "the analysis returned an incomplete result "
				      "(no verdict or report path)", METRICS_FAIL_INTERNAL);
	} else if (si->si_code == CLD_EXITED && si->si_status == EXIT_ANALYZED && status &&
		   strcmp(status, "published") == 0) {
		finish_published(j, &rec);
	} else if (finish_if_published(j, have_rec ? &rec : NULL)) {
		/* killed or failed after its report was out: filed as done */
	} else if (host_fault(si, have_rec ? &rec : NULL) && daemon_fault_note(d, j->name)) {
		retry_later(j, &rec);
	} else {
		describe_end(j, si, have_rec ? &rec : NULL, reason, sizeof(reason));
		if (host_fault(si, have_rec ? &rec : NULL))
			snprintf(reason + strlen(reason), sizeof(reason) - strlen(reason),
				 " (it failed so before, and other flares were analyzed since: "
				 "the cause is this flare, not the host)");
		finish_failed(j, have_rec ? &rec : NULL, reason,
			      failure_class(j, si, have_rec ? &rec : NULL));
	}
	if (have_rec)
		record_free(&rec);
	job_free(j);
	daemon_dispatch(d);
	metrics_update(d);
	return 0;
}

/* ---- starting one --------------------------------------------------- */

/* ---- temporary folders ---------------------------------------------- */

/*
 * Every daemon extracts under its own $TMPDIR/flarewatchd-<pid>-XXXXXX
 * (mode 0700), one "job-XXXXXX" folder per analysis, and holds an flock()
 * on that folder as long as it runs. A folder of that form that nobody
 * holds is what a killed daemon left: the next start removes it. The lock,
 * not the pid in the name, decides (pids are reused, and pid namespaces
 * share /tmp); folders of other users are never touched.
 */
#define TMP_PREFIX "flarewatchd-"

static const char *tmp_base(void)
{
	const char *base = getenv("TMPDIR");

	return base && base[0] == '/' ? base : "/tmp";
}

/* "flarewatchd-<digits>-XXXXXX" */
static bool own_tmp_name(const char *name)
{
	const char *p = name + strlen(TMP_PREFIX);

	if (strncmp(name, TMP_PREFIX, strlen(TMP_PREFIX)) != 0 || !isdigit((unsigned char)*p))
		return false;
	while (isdigit((unsigned char)*p))
		p++;
	return *p == '-' && strlen(p + 1) == 6;
}

static void remove_stale_tmp(struct daemon *d, const char *base)
{
	struct fw_error err;
	struct dirent *de;
	struct stat st;
	unsigned removed = 0;
	char path[PATH_MAX];
	DIR *dir = opendir(base);

	if (!dir) {
		log_msg(&d->log, LOG_WARNING, "cannot look for stale temporary folders in %s: %s",
			base, strerror(errno));
		return;
	}
	while ((de = readdir(dir))) {
		int fd;

		if (!own_tmp_name(de->d_name))
			continue;
		fd = openat(dirfd(dir), de->d_name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		/* another user's, or a live daemon's: not ours to remove */
		if (fstat(fd, &st) < 0 || st.st_uid != geteuid() ||
		    flock(fd, LOCK_EX | LOCK_NB) < 0) {
			close(fd);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", base, de->d_name);
		if (fw_tree_remove(path, &err) < 0)
			log_msg(&d->log, LOG_WARNING, "cannot remove stale temporary folder: %s",
				err.msg);
		else
			removed++;
		close(fd);
	}
	closedir(dir);
	if (removed > 0)
		log_msg(&d->log, LOG_NOTICE, "removed %u temporary folders left in %s by "
			"earlier runs", removed, base);
}

/* Creates (once) the daemon's private folder. */
static int tmp_parent(struct daemon *d, struct fw_error *err)
{
	char prefix[64], path[PATH_MAX];
	int fd, r;

	if (d->tmp_parent)
		return 0;
	snprintf(prefix, sizeof(prefix), TMP_PREFIX "%ld-", (long)getpid());
	r = fw_tmpdir_create(tmp_base(), prefix, path, sizeof(path), err);
	if (r < 0)
		return r;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0) {
		r = fw_err(err, -errno, "cannot lock %s: %s", path, strerror(errno));
		goto fail;
	}
	d->tmp_parent = strdup(path);
	if (!d->tmp_parent) {
		r = fw_err(err, -ENOMEM, "out of memory");
		goto fail;
	}
	d->tmp_lock_fd = fd;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	(void)rmdir(path);
	return r;
}

void worker_tmp_setup(struct daemon *d)
{
	struct fw_error err;

	remove_stale_tmp(d, tmp_base());
	if (tmp_parent(d, &err) < 0)
		log_msg(&d->log, LOG_ERR, "%s; trying again for each analysis", err.msg);
}

void worker_tmp_teardown(struct daemon *d)
{
	if (d->tmp_parent)
		remove_tmpdir(d, d->tmp_parent);
	free(d->tmp_parent);
	d->tmp_parent = NULL;
	if (d->tmp_lock_fd >= 0)
		close(d->tmp_lock_fd);
	d->tmp_lock_fd = -1;
}

/* The job's own folder, below the daemon's. */
static int make_tmpdir(struct daemon *d, char **out, struct fw_error *err)
{
	char path[PATH_MAX];
	int r;

	if ((r = tmp_parent(d, err)) < 0)
		return r;
	r = fw_tmpdir_create(d->tmp_parent, "job-", path, sizeof(path), err);
	if (r == -ENOENT) {
		/* removed under us (a /tmp cleaner): make a new one */
		worker_tmp_teardown(d);
		if ((r = tmp_parent(d, err)) < 0)
			return r;
		r = fw_tmpdir_create(d->tmp_parent, "job-", path, sizeof(path), err);
	}
	if (r < 0)
		return r;
	*out = strdup(path);
	if (!*out) {
		(void)rmdir(path);
		return fw_err(err, -ENOMEM, "out of memory");
	}
	return 0;
}

int worker_start(struct daemon *d, struct state *s, const char *name,
		 const char *display_name, int lock_fd, struct fw_error *err)
{
	struct job *j = calloc(1, sizeof(*j));
	int fds[2] = { -1, -1 }, r;
	pid_t parent = getpid();

	if (!j) {
		if (lock_fd >= 0)
			close(lock_fd);
		return fw_err(err, -ENOMEM, "out of memory");
	}
	j->d = d;
	j->state = state_ref(s);
	j->lock_fd = lock_fd;
	j->pipe_fd = -1;
	j->timeout_s = d->cfg->analysis.timeout_seconds;
	j->cpu_s = d->cfg->analysis.cpu_seconds;
	j->memory_limit = d->cfg->analysis.memory_limit;
	j->started_usec = now_usec();
	fw_buf_init(&j->out);
	/* linked first, so that job_free() can unlink it on every path */
	j->next = d->jobs;
	d->jobs = j;
	d->running++;

	j->name = strdup(name);
	j->display = strdup(display_name);
	if (!j->name || !j->display) {
		r = fw_err(err, -ENOMEM, "out of memory");
		goto fail;
	}
	r = make_tmpdir(d, &j->tmpdir, err);
	if (r < 0)
		goto fail;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		r = fw_err(err, -errno, "pipe: %s", strerror(errno));
		goto fail;
	}
	j->pipe_fd = fds[0];
	if (fcntl(j->pipe_fd, F_SETFL, O_NONBLOCK) < 0) {
		r = fw_err(err, -errno, "pipe: %s", strerror(errno));
		close(fds[1]);
		goto fail;
	}
	j->pid = fork();
	if (j->pid < 0) {
		r = fw_err(err, -errno, "fork: %s", strerror(errno));
		close(fds[1]);
		goto fail;
	}
	if (j->pid == 0)
		child_main(d, j, fds[1], parent);
	close(fds[1]);

	r = sd_event_add_child(d->event, &j->child_src, j->pid, WEXITED, on_child, j);
	if (r < 0) {
		fw_err(err, r, "cannot watch process %ld: %s", (long)j->pid, strerror(-r));
		(void)kill(j->pid, SIGKILL);
		(void)waitpid(j->pid, NULL, 0);
		goto fail;
	}
	r = sd_event_add_io(d->event, &j->pipe_src, j->pipe_fd, EPOLLIN, on_pipe, j);
	if (r >= 0)
		r = sd_event_add_time_relative(d->event, &j->timeout_src, CLOCK_MONOTONIC,
					       (uint64_t)j->timeout_s * USEC_PER_SEC,
					       100 * 1000, on_timeout, j);
	if (r < 0) {
		/* The child source still reaps it (and frees the job); the
		 * flare stays in processing/ for the next start. */
		log_msg(&d->log, LOG_ERR, "%s: cannot watch process %ld: %s; stopping it",
			display_name, (long)j->pid, strerror(-r));
		j->abandoned = true;
		(void)sd_event_source_send_child_signal(j->child_src, SIGKILL, NULL, 0);
		return 0;
	}
	log_msg(&d->log, LOG_DEBUG, "%s: analyzing %s/%s in process %ld", display_name,
		s->processing, name, (long)j->pid);
	return 0;
fail:
	job_free(j);
	return r;
}

void worker_abandon_all(struct daemon *d)
{
	for (struct job *j = d->jobs; j; j = j->next) {
		j->abandoned = true;
		(void)sd_event_source_send_child_signal(j->child_src, SIGKILL, NULL, 0);
	}
}

size_t worker_running_names(const struct daemon *d, const char **names, size_t max)
{
	size_t n = 0;

	for (const struct job *j = d->jobs; j; j = j->next, n++)
		if (n < max)
			names[n] = j->display;
	return n;
}
