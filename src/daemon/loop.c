/*
 * loop.c: flarewatchd's sd-event main loop. Signals arrive as event
 * sources (SIGTERM/SIGINT stop, SIGHUP reloads), children are watched with
 * child sources (worker.c), and the loop itself pings the watchdog
 * (sd_event_set_watchdog()) when WATCHDOG_USEC is set. This file also
 * hands ready flares to workers, keeps STATUS= and the state file
 * (base/daemonstate.h, for `flarewatch status`) current, and runs the
 * retention timer.
 *
 * Stopping: STOPPING=1, nothing new is taken, running analyses finish
 * (systemd's TimeoutStopSec= bounds the wait); flares still in the
 * incoming folder stay there, and flares recovered from processing/ but
 * not started yet stay in processing/, where the next start takes them
 * again. A second SIGTERM or SIGINT kills the running analyses; their
 * flares stay in processing/ too.
 *
 * Host faults: when analyses fail because of the host (disk full,
 * read-only or unwritable folders, no file descriptors), their flares stay
 * queued and nothing starts until a backoff passed (30 s, doubling to 10
 * min); the first failure of such an episode is logged, and its end.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "investigate/index.h"
#include "investigate/investigate.h"
#include "base/daemonstate.h"
#include "daemon.h"
#include "daemon/journal.h"

#define USEC_PER_SEC 1000000ULL
#define RETENTION_PERIOD_USEC (24ULL * 3600 * USEC_PER_SEC)

uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000;
}

/* "YYYY-MM-DD HH:MM:SS UTC" */
static void utc_time(time_t t, char out[32])
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || strftime(out, 32, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(out, 32, "@%lld", (long long)t);
}

/* The configuration part of STATUS=: its file and load time, and a
 * failed reload. */
static void config_status(const struct daemon *d, char *out, size_t size)
{
	char loaded[32], failed[32];

	utc_time(d->config_time, loaded);
	if (d->reload_error) {
		utc_time(d->reload_error_time, failed);
		snprintf(out, size, "; configuration %s loaded %s; the reload at %s FAILED, "
			 "the previous configuration stays: %s",
			 d->config_path ? d->config_path : "(built-in defaults)", loaded, failed,
			 d->reload_error);
	} else {
		snprintf(out, size, "; configuration %s loaded %s",
			 d->config_path ? d->config_path : "(built-in defaults)", loaded);
	}
}

/* Rewrites state_dir/flarewatchd.state (base/daemonstate.h) when what it
 * says changed; status is the STATUS= line. A failure is logged once per
 * kind of error, and the next change tries again. */
static void write_state_file(struct daemon *d, const char *status, bool starting)
{
	const char *names[64];
	struct fw_daemon_state s = { 0 };
	struct fw_error err;
	char *text, *path;
	size_t n = worker_running_names(d, names, sizeof(names) / sizeof(names[0]));
	int r;

	if (!d->state)
		return;
	s.state = starting ? "starting" : d->stopping ? "stopping" : n > 0 ? "analyzing" : "idle";
	s.analyzing = (char **)names;
	s.n_analyzing = n < sizeof(names) / sizeof(names[0]) ? n : sizeof(names) / sizeof(names[0]);
	s.pid = (long)getpid();
	s.version = PACKAGE_VERSION;
	s.started = d->start_time;
	s.config = (char *)(d->config_path ? d->config_path : "");
	s.config_loaded = d->config_time;
	s.reload_error = d->reload_error;
	s.reload_failed = d->reload_error ? d->reload_error_time : 0;
	s.status = (char *)status;
	text = fw_daemon_state_format(&s);
	if (text && d->last_state_file && strcmp(text, d->last_state_file) == 0) {
		free(text);
		return;
	}
	s.updated = time(NULL);
	path = fw_path_join(d->state->dir, FW_DAEMON_STATE_FILE);
	r = path ? fw_daemon_state_write(path, &s, &err)
		 : fw_err(&err, -ENOMEM, "%s/%s: out of memory", d->state->dir, FW_DAEMON_STATE_FILE);
	free(path);
	if (r < 0) {
		/* logged once until a write works again */
		if (d->last_state_file || !d->state_file_error_logged)
			log_msg(&d->log, LOG_WARNING, "cannot write the state file that "
				"flarewatch status reads: %s", err.msg);
		d->state_file_error_logged = true;
		free(text);
		text = NULL;
	} else {
		d->state_file_error_logged = false;
	}
	free(d->last_state_file);
	d->last_state_file = text;
}

void daemon_update_status(struct daemon *d)
{
	char status[4096], conf[2048];
	size_t len;

	if (d->stopping)
		snprintf(status, sizeof(status),
			 "stopping: waiting for %u running analyses; %llu analyzed, %llu failed",
			 d->running, (unsigned long long)(d->n_analyzed + d->n_duplicates),
			 (unsigned long long)d->n_failed);
	else if (d->fault)
		snprintf(status, sizeof(status),
			 "analyses fail because of this host; retrying (%u failed retries); "
			 "%llu analyzed, %llu failed, %zu queued, %u running", d->fault_retries,
			 (unsigned long long)(d->n_analyzed + d->n_duplicates),
			 (unsigned long long)d->n_failed,
			 watch_count_waiting(d) + d->n_recovered, d->running);
	else
		snprintf(status, sizeof(status),
			 "watching %s; %llu analyzed, %llu failed, %zu queued, %u running",
			 d->incoming_dir ? d->incoming_dir : d->cfg->incoming_dir,
			 (unsigned long long)(d->n_analyzed + d->n_duplicates),
			 (unsigned long long)d->n_failed,
			 watch_count_waiting(d) + d->n_recovered, d->running);
	config_status(d, conf, sizeof(conf));
	len = strlen(status);
	snprintf(status + len, sizeof(status) - len, "%s", conf);
	write_state_file(d, status, false);
	if (d->last_status && strcmp(d->last_status, status) == 0)
		return;
	free(d->last_status);
	d->last_status = strdup(status);
	(void)sd_notifyf(false, "STATUS=%s", status);
}

/* Puts processing/name back at the end of the recovered list, for the
 * next dispatch (its analysis could not be started, or failed because of
 * the host). */
void daemon_requeue(struct daemon *d, char *name)
{
	if (fw_grow((void **)&d->recovered, &d->cap_recovered, d->n_recovered + 1,
		    sizeof(*d->recovered)) < 0) {
		log_msg(&d->log, LOG_ERR, "out of memory; %s stays in %s until the next start",
			name, d->state->processing);
		free(name);
		return;
	}
	d->recovered[d->n_recovered++] = name;
}

/*
 * Starts the first recovered flare that nobody else holds. Returns 0 when
 * it started or was skipped, -EAGAIN when the analysis could not be
 * started (the flare is queued again).
 */
static int start_recovered(struct daemon *d)
{
	struct fw_error err;
	char *name = d->recovered[0];
	int lock_fd = -1, r;

	memmove(d->recovered, d->recovered + 1, (d->n_recovered - 1) * sizeof(*d->recovered));
	d->n_recovered--;
	r = queue_lock_processing(d->state, name, &lock_fd, &err);
	if (r == -ENOENT || r == -EBUSY) {
		log_msg(&d->log, LOG_DEBUG, "%s/%s: %s", d->state->processing, name,
			r == -EBUSY ? "another flarewatchd works on it" : "gone");
		free(name);
		return 0;
	}
	if (r < 0) {
		log_msg(&d->log, LOG_ERR, "%s", err.msg);
		free(name);
		return 0;
	}
	/* (a retry after a host fault is not news) */
	log_msg(&d->log, d->fault ? LOG_DEBUG : LOG_NOTICE, "%s: taken again from %s", name,
		d->state->processing);
	if (worker_start(d, d->state, name, name, lock_fd, &err) < 0) {
		daemon_host_fault(d, err.msg, now_usec());
		daemon_requeue(d, name);
		return -EAGAIN;
	}
	free(name);
	return 0;
}

/* Claims incoming/name and starts its analysis; returns like
 * start_recovered(). A flare that cannot be claimed stays where it is and
 * is found again by the next rescan. */
static int start_incoming(struct daemon *d, char *name)
{
	struct fw_error err;
	char *claimed = NULL;
	int lock_fd = -1, r;

	r = queue_claim(d->incoming_fd, name, d->state, &claimed, &lock_fd, &err);
	if (r == -ENOENT || r == -EBUSY)
		log_msg(&d->log, LOG_DEBUG, "%s: taken by another flarewatchd", name);
	else if (r == -EACCES) /* made unreadable since it settled: it stays, and the
				* next look at it (watch.c) says so once */
		log_msg(&d->log, LOG_DEBUG, "%s", err.msg);
	else if (r < 0)
		log_msg(&d->log, LOG_ERR, "%s", err.msg);
	if (r < 0) {
		free(name);
		return 0;
	}
	/* a new flare: claim records left under its name are not its own */
	queue_forget_claim(d->state, claimed);
	r = worker_start(d, d->state, claimed, name, lock_fd, &err);
	if (r < 0) {
		daemon_host_fault(d, err.msg, now_usec());
		daemon_requeue(d, claimed);
		free(name);
		return -EAGAIN;
	}
	free(claimed);
	free(name);
	return 0;
}

/* ---- host faults ----------------------------------------------------- */

#define FAULT_FIRST_USEC (30 * USEC_PER_SEC)
#define FAULT_MAX_USEC (600 * USEC_PER_SEC)

static uint64_t fault_first_usec(void)
{
	const char *e = getenv("FLAREWATCHD_RETRY_SECONDS");
	char *end;
	unsigned long v;

	if (!e || !*e)
		return FAULT_FIRST_USEC;
	v = strtoul(e, &end, 10);
	return *end || v == 0 || v > 600 ? FAULT_FIRST_USEC : v * USEC_PER_SEC;
}

static int on_fault_retry(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct daemon *d = userdata;
	(void)s;
	(void)usec;

	daemon_dispatch(d);
	return 0;
}

void daemon_host_fault(struct daemon *d, const char *what, uint64_t started_usec)
{
	uint64_t now = now_usec();
	int r;

	if (!d->fault) {
		d->fault = true;
		d->fault_retries = 0;
		d->fault_backoff_usec = fault_first_usec();
		log_msg(&d->log, LOG_WARNING, "analyses fail because of this host, not of the "
			"flares: %s; the flares stay queued and are retried in %llu s, then less "
			"and less often (up to every %llu s) until it works again", what,
			(unsigned long long)(d->fault_backoff_usec / USEC_PER_SEC),
			(unsigned long long)(FAULT_MAX_USEC / USEC_PER_SEC));
	} else if (started_usec >= d->fault_bumped_usec) {
		/* a retry failed (not one more analysis that started before) */
		d->fault_retries++;
		d->fault_backoff_usec *= 2;
		if (d->fault_backoff_usec > FAULT_MAX_USEC)
			d->fault_backoff_usec = FAULT_MAX_USEC;
		log_msg(&d->log, LOG_DEBUG, "retry %u failed: %s; next in %llu s",
			d->fault_retries, what,
			(unsigned long long)(d->fault_backoff_usec / USEC_PER_SEC));
	} else {
		return;
	}
	d->fault_bumped_usec = now;
	d->fault_retry_usec = now + d->fault_backoff_usec;
	if (!d->fault_src) {
		r = sd_event_add_time(d->event, &d->fault_src, CLOCK_MONOTONIC,
				      d->fault_retry_usec, USEC_PER_SEC / 10, on_fault_retry, d);
	} else {
		r = sd_event_source_set_time(d->fault_src, d->fault_retry_usec);
		if (r >= 0)
			r = sd_event_source_set_enabled(d->fault_src, SD_EVENT_ONESHOT);
	}
	if (r < 0)
		log_msg(&d->log, LOG_ERR, "cannot arm the retry timer: %s; retrying at the next "
			"rescan", strerror(-r));
}

bool daemon_fault_note(struct daemon *d, const char *name)
{
	char *copy;

	for (size_t i = 0; i < d->n_faulted; i++)
		if (strcmp(d->faulted[i].name, name) == 0)
			return d->faulted[i].episode == d->fault_episode;
	copy = strdup(name);
	if (!copy || fw_grow((void **)&d->faulted, &d->cap_faulted, d->n_faulted + 1,
			     sizeof(*d->faulted)) < 0) {
		free(copy);
		return true; /* retried without a bound: better than failed/ */
	}
	d->faulted[d->n_faulted].name = copy;
	d->faulted[d->n_faulted].episode = d->fault_episode;
	d->n_faulted++;
	return true;
}

void daemon_fault_forget(struct daemon *d, const char *name)
{
	for (size_t i = 0; i < d->n_faulted; i++) {
		if (strcmp(d->faulted[i].name, name) == 0) {
			free(d->faulted[i].name);
			d->faulted[i] = d->faulted[--d->n_faulted];
			return;
		}
	}
}

void daemon_host_ok(struct daemon *d)
{
	if (!d->fault)
		return;
	d->fault = false;
	d->fault_episode++;
	d->fault_retry_usec = 0;
	if (d->fault_src)
		(void)sd_event_source_set_enabled(d->fault_src, SD_EVENT_OFF);
	log_msg(&d->log, LOG_NOTICE, "analyses work again (after %u failed retries)",
		d->fault_retries);
}

void daemon_dispatch(struct daemon *d)
{
	/* after a host fault, nothing starts before the retry time */
	while (!d->stopping && d->running < d->cfg->workers &&
	       !(d->fault && now_usec() < d->fault_retry_usec)) {
		char *name = NULL;
		int r;

		/* After a host fault, a new flare is the better probe: the
		 * queued ones may be failing for their own reasons (a flare
		 * too big for the disk), and must not starve the others. */
		if (d->fault)
			name = watch_take_ready(d);
		if (name) {
			r = start_incoming(d, name);
		} else if (d->n_recovered > 0) {
			r = start_recovered(d);
		} else {
			name = watch_take_ready(d);
			if (!name)
				break;
			r = start_incoming(d, name);
		}
		/* fork() or the like failed: try again at the next event
		 * (a rescan at the latest) rather than spin */
		if (r == -EAGAIN)
			break;
	}
	daemon_update_status(d);
	if (d->stopping && d->running == 0)
		(void)sd_event_exit(d->event, 0);
}

static int recover(struct daemon *d, struct fw_error *err)
{
	unsigned removed = 0;
	int r;

	r = queue_cleanup_claims(d->state, &removed, err);
	if (r < 0)
		log_msg(&d->log, LOG_WARNING, "%s", err->msg);
	if (removed > 0)
		log_msg(&d->log, LOG_DEBUG, "removed %u claim records of flares no longer in %s",
			removed, d->state->processing);
	r = queue_list_processing(d->state, &d->recovered, &d->n_recovered, err);
	if (r < 0)
		return r;
	d->cap_recovered = d->n_recovered;
	if (d->n_recovered > 0)
		log_msg(&d->log, LOG_NOTICE, "%zu flares left in %s by an earlier run are taken "
			"again first", d->n_recovered, d->state->processing);
	return 0;
}

static void drop_recovered(struct daemon *d)
{
	for (size_t i = 0; i < d->n_recovered; i++)
		free(d->recovered[i]);
	free(d->recovered);
	d->recovered = NULL;
	d->n_recovered = d->cap_recovered = 0;
}

/* ---- retention ------------------------------------------------------ */

static void expire(struct daemon *d)
{
	struct fw_error err;
	unsigned removed = 0;
	int r;

	if (d->cfg->done_retention_days == 0)
		return;
	r = queue_expire_done(d->state, d->cfg->done_retention_days, &removed, &err);
	if (r < 0)
		log_msg(&d->log, LOG_ERR, "retention: %s", err.msg);
	if (removed > 0)
		log_msg(&d->log, LOG_INFO, "retention: removed %u flares older than %u days "
			"from %s", removed, d->cfg->done_retention_days, d->state->done);
}

static int on_retention(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct daemon *d = userdata;
	int r;
	(void)usec;

	expire(d);
	r = sd_event_source_set_time_relative(s, RETENTION_PERIOD_USEC);
	if (r >= 0)
		r = sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
	if (r < 0)
		log_msg(&d->log, LOG_ERR, "cannot re-arm the retention timer: %s", strerror(-r));
	return 0;
}

/* ---- stop and reload ------------------------------------------------ */

static int on_stop(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct daemon *d = userdata;
	(void)s;

	if (d->stopping) {
		if (d->running > 0) {
			log_msg(&d->log, LOG_WARNING, "second stop signal: killing %u running "
				"analyses; their flares stay in %s", d->running,
				d->state->processing);
			worker_abandon_all(d);
		}
		return 0;
	}
	d->stopping = true;
	(void)sd_notify(false, "STOPPING=1");
	log_msg(&d->log, LOG_INFO, "SIG%s: stopping%s", sigabbrev_np((int)si->ssi_signo),
		d->running > 0 ? ", waiting for the running analyses" : "");
	watch_stop(d);
	d->retention_src = sd_event_source_disable_unref(d->retention_src);
	daemon_dispatch(d);
	return 0;
}

static void arm_retention(struct daemon *d)
{
	int r;

	d->retention_src = sd_event_source_disable_unref(d->retention_src);
	if (d->cfg->done_retention_days == 0)
		return;
	/* now, then every day */
	r = sd_event_add_time_relative(d->event, &d->retention_src, CLOCK_MONOTONIC, 0,
				       USEC_PER_SEC, on_retention, d);
	if (r < 0)
		log_msg(&d->log, LOG_ERR, "cannot add the retention timer: %s", strerror(-r));
}

/*
 * SIGHUP: reads the configuration file again. Everything that can fail is
 * tried before anything changes (parse and validate, open a new state_dir,
 * open a new incoming_dir), so a bad file or folder leaves the daemon as it
 * was. Running analyses finish with the configuration they started with.
 */
static void reload(struct daemon *d)
{
	struct fw_config *cfg = NULL, *old = d->cfg;
	struct state *st = NULL;
	struct fw_error err;
	bool new_state, new_incoming, unchanged;
	int r;

	(void)sd_notifyf(false, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading %s",
			 (unsigned long long)now_usec(),
			 d->config_path ? d->config_path : "the built-in configuration");
	free(d->last_status); /* STATUS= changed: send the next one whatever it is */
	d->last_status = NULL;
	r = daemon_load_config(d->config_path, &cfg, &err);
	if (r < 0)
		goto failed;
	new_state = strcmp(cfg->state_dir, old->state_dir) != 0;
	new_incoming = strcmp(cfg->incoming_dir, old->incoming_dir) != 0;
	if (new_state && (r = state_open(cfg->state_dir, &st, &err)) < 0)
		goto failed;
	if ((new_state || new_incoming) &&
	    (r = watch_check(cfg->incoming_dir, st ? st : d->state, &err)) < 0)
		goto failed;

	unchanged = fw_config_equal(cfg, old);
	d->cfg = cfg;
	fw_config_free(old);
	free(old);
	if (new_state) {
		if (d->n_recovered > 0)
			log_msg(&d->log, LOG_WARNING, "%zu flares stay in %s for a daemon with "
				"the previous state_dir", d->n_recovered, d->state->processing);
		drop_recovered(d);
		/* the old state_dir's state file would say a daemon runs there */
		(void)unlinkat(d->state->dir_fd, FW_DAEMON_STATE_FILE, 0);
		free(d->last_state_file);
		d->last_state_file = NULL;
		state_unref(d->state);
		d->state = st;
		if (recover(d, &err) < 0)
			log_msg(&d->log, LOG_ERR, "%s", err.msg);
	}
	if (new_state || new_incoming) {
		watch_stop(d);
		if (watch_start(d, &err) < 0)
			log_msg(&d->log, LOG_ERR, "%s; trying again at every rescan", err.msg);
	} else {
		watch_config_changed(d);
		/* and has incoming_dir become another folder? (watch.c) */
		(void)watch_scan(d);
	}
	arm_retention(d);
	d->config_time = time(NULL);
	metrics_update(d); /* metrics_file may be another file now */
	free(d->reload_error);
	d->reload_error = NULL;
	/* the administrator may have fixed the host: retry now */
	d->fault_retry_usec = 0;
	log_event(&d->log, LOG_INFO, FW_MESSAGE_ID_RELOADED, "reloaded the configuration from %s%s",
		  d->config_path ? d->config_path : "built-in defaults",
		  unchanged ? " (no setting changed)" : "");
	(void)sd_notify(false, "READY=1");
	daemon_dispatch(d);
	return;
failed:
	if (cfg) {
		fw_config_free(cfg);
		free(cfg);
	}
	state_unref(st);
	log_event(&d->log, LOG_ERR, FW_MESSAGE_ID_RELOAD_FAILED,
		  "reload failed, keeping the previous configuration: %s", err.msg);
	free(d->reload_error);
	d->reload_error = strdup(err.msg); /* NULL (no memory): STATUS= says less */
	/* one line: a newline would end STATUS= in the notify message */
	for (char *p = d->reload_error; p && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	d->reload_error_time = time(NULL);
	(void)sd_notify(false, "READY=1");
	daemon_update_status(d);
}

static int on_hup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct daemon *d = userdata;
	(void)s;
	(void)si;

	if (!d->stopping)
		reload(d);
	return 0;
}

/* ---- start ---------------------------------------------------------- */

int daemon_run(struct daemon *d)
{
	struct fw_error err;
	sigset_t mask;
	int r;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0) {
		log_msg(&d->log, LOG_ERR, "sigprocmask: %s", strerror(errno));
		return -errno;
	}
	/* a worker's pipe closing early must not kill us */
	signal(SIGPIPE, SIG_IGN);

	r = sd_event_new(&d->event);
	if (r < 0) {
		log_msg(&d->log, LOG_ERR, "cannot create the event loop: %s", strerror(-r));
		return r;
	}
	if ((r = sd_event_add_signal(d->event, NULL, SIGTERM, on_stop, d)) < 0 ||
	    (r = sd_event_add_signal(d->event, NULL, SIGINT, on_stop, d)) < 0 ||
	    (r = sd_event_add_signal(d->event, NULL, SIGHUP, on_hup, d)) < 0) {
		log_msg(&d->log, LOG_ERR, "cannot watch signals: %s", strerror(-r));
		return r;
	}
	r = sd_event_set_watchdog(d->event, true);
	if (r < 0) {
		log_msg(&d->log, LOG_ERR, "cannot set up the watchdog: %s", strerror(-r));
		return r;
	}

	d->config_time = d->start_time = time(NULL);
	metrics_init(&d->metrics, d->config_time);
	r = state_open(d->cfg->state_dir, &d->state, &err);
	if (r < 0) {
		log_msg(&d->log, LOG_ERR, "%s", err.msg);
		return r;
	}
	write_state_file(d, "starting", true);
	r = recover(d, &err);
	if (r < 0) {
		log_msg(&d->log, LOG_ERR, "%s", err.msg);
		return r;
	}
	worker_tmp_setup(d);
	/* hidden report folders of analyses killed before publishing */
	r = fw_investigations_cleanup(d->cfg->investigations_dir, &err);
	if (r < 0)
		log_msg(&d->log, LOG_WARNING, "%s", err.msg);
	/* index.md is derived from the reports: regenerated at start, so a
	 * report folder deleted while the daemon was stopped is gone from it */
	r = fw_index_rebuild(d->cfg->investigations_dir, &err);
	if (r != -ENOENT) /* no tree yet: no index */
		log_msg(&d->log, r == 0 ? LOG_INFO : LOG_WARNING, "%s", err.msg);
	/* the watch first, then the scan: nothing can slip in between */
	r = watch_start(d, &err);
	if (r < 0) {
		log_msg(&d->log, LOG_ERR, "%s", err.msg);
		return r;
	}
	arm_retention(d);
	metrics_start(d);

	log_event(&d->log, LOG_INFO, FW_MESSAGE_ID_STARTED,
		  "flarewatchd %s started: watching %s, %u workers, configuration %s",
		  PACKAGE_VERSION, d->cfg->incoming_dir, d->cfg->workers,
		  d->config_path ? d->config_path : "built-in defaults");
	if (!worker_memory_limit_applies())
		log_msg(&d->log, LOG_WARNING, "built with AddressSanitizer: analysis.memory_limit "
			"(RLIMIT_AS) is not applied to the workers");
	daemon_update_status(d);
	(void)sd_notify(false, "READY=1");
	daemon_dispatch(d);

	r = sd_event_loop(d->event);
	if (r < 0) {
		log_msg(&d->log, LOG_ERR, "event loop: %s", strerror(-r));
		return r;
	}
	metrics_update(d); /* the last flares' counts */
	log_event(&d->log, LOG_INFO, FW_MESSAGE_ID_STOPPED,
		  "flarewatchd stopped: %llu analyzed, %llu failed",
		  (unsigned long long)(d->n_analyzed + d->n_duplicates),
		  (unsigned long long)d->n_failed);
	return 0;
}

void daemon_free(struct daemon *d)
{
	watch_stop(d);
	worker_tmp_teardown(d);
	drop_recovered(d);
	d->retention_src = sd_event_source_disable_unref(d->retention_src);
	d->fault_src = sd_event_source_disable_unref(d->fault_src);
	metrics_stop(d);
	for (size_t i = 0; i < d->n_faulted; i++)
		free(d->faulted[i].name);
	free(d->faulted);
	d->faulted = NULL;
	d->n_faulted = d->cap_faulted = 0;
	state_unref(d->state);
	d->state = NULL;
	d->event = sd_event_unref(d->event);
	free(d->last_status);
	d->last_status = NULL;
	free(d->last_state_file);
	d->last_state_file = NULL;
	free(d->reload_error);
	d->reload_error = NULL;
	if (d->cfg) {
		fw_config_free(d->cfg);
		free(d->cfg);
		d->cfg = NULL;
	}
}
