/*
 * log.h: flarewatchd's one-line log messages. Under systemd (stderr is the
 * journal stream, or the process runs as a service) and without
 * --foreground they go to the journal with PRIORITY,
 * SYSLOG_IDENTIFIER=flarewatchd and, for the life-cycle messages, a
 * MESSAGE_ID; otherwise to stderr as "flarewatchd: LEVEL: MESSAGE".
 * Every message is redacted (fw_redact_field()): it may quote a flare's
 * name or an error about its content. The per-flare verdict entries are not
 * log messages: see src/daemon/journal.h.
 */
#ifndef FWD_LOG_H
#define FWD_LOG_H

#include <stdbool.h>
#include <syslog.h>

struct logger {
	bool journal;	/* false: stderr */
	int max_stderr; /* most verbose priority printed on stderr (LOG_INFO) */
};

/* Chooses the target: the journal unless foreground or not under systemd. */
void log_init(struct logger *l, bool foreground);

void log_msg(const struct logger *l, int priority, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A message with a MESSAGE_ID (journal.h's FW_MESSAGE_ID_*). */
void log_event(const struct logger *l, int priority, const char *message_id,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
