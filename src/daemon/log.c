/*
 * log.c: where flarewatchd's log lines go (see log.h). A journal write that
 * fails (no journald listening) falls back to stderr, so a message is never
 * lost silently.
 */
#define SD_JOURNAL_SUPPRESS_LOCATION

#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "daemon/journal.h"
#include "base/redact.h"

/* systemd sets JOURNAL_STREAM to "DEV:INODE" of the stream it connected to
 * stderr; if stderr is still that stream, we talk to the journal. */
static bool stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
		return false;
	if (fstat(STDERR_FILENO, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void log_init(struct logger *l, bool foreground)
{
	const char *debug = getenv("FLAREWATCHD_DEBUG");

	/* INVOCATION_ID: started by systemd, even with stderr elsewhere. */
	l->journal = !foreground && (stderr_is_journal() || getenv("INVOCATION_ID"));
	l->max_stderr = debug && *debug && *debug != '0' ? LOG_DEBUG : LOG_INFO;
}

static const char *level_name(int priority)
{
	static const char *const names[] = {
		"emergency", "alert", "critical", "error", "warning", "notice", "info", "debug",
	};
	return priority >= 0 && priority <= LOG_DEBUG ? names[priority] : "info";
}

static void vlog(const struct logger *l, int priority, const char *message_id,
		 const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));
static void vlog(const struct logger *l, int priority, const char *message_id,
		 const char *fmt, va_list ap)
{
	char raw[4096], msg[4096];

	/* Log lines quote flare names and analysis errors: redact them like
	 * everything else that reaches the journal. */
	vsnprintf(raw, sizeof(raw), fmt, ap);
	if (fw_redact_field(msg, sizeof(msg), raw, strlen(raw)) < 0)
		snprintf(msg, sizeof(msg), "(a message was dropped: out of memory)");
	if (l->journal) {
		int r;
		if (message_id)
			r = sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", priority,
					    "SYSLOG_IDENTIFIER=%s", FW_JOURNAL_IDENTIFIER,
					    "MESSAGE_ID=%s", message_id, NULL);
		else
			r = sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", priority,
					    "SYSLOG_IDENTIFIER=%s", FW_JOURNAL_IDENTIFIER, NULL);
		if (r >= 0)
			return;
	}
	if (priority > l->max_stderr)
		return;
	fprintf(stderr, "flarewatchd: %s: %s\n", level_name(priority), msg);
	fflush(stderr);
}

void log_msg(const struct logger *l, int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(l, priority, NULL, fmt, ap);
	va_end(ap);
}

void log_event(const struct logger *l, int priority, const char *message_id,
	       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(l, priority, message_id, fmt, ap);
	va_end(ap);
}
