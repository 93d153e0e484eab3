/*
 * journal.h: flarewatch's structured systemd-journal entries. One entry per
 * flare (its verdict, or why it could not be analyzed), with a fixed
 * MESSAGE_ID per kind of entry so that alerting can select them
 * (`journalctl MESSAGE_ID=...`); systemd/flarewatch.catalog explains each
 * id. Every string that came from a flare is redacted again here, so no
 * secret reaches the journal whatever the caller passes.
 *
 * The daemon's life-cycle ids are here too, so that every id flarewatch
 * uses is listed in one place (and in the catalog).
 */
#ifndef FW_JOURNAL_H
#define FW_JOURNAL_H

#include "investigate/investigate.h"
#include "investigate/verdict.h"

/* Verdict entries, one id per verdict. */
#define FW_MESSAGE_ID_NORMAL		"e7914a04badc4da28f756cabbe5f8a2b"
#define FW_MESSAGE_ID_INCONCLUSIVE	"d0bf9b7a9bd64a09ba742f3dd94daf11"
#define FW_MESSAGE_ID_CONTENTION	"55afd89e8d1c40a784ef8c0874b04ec9"
#define FW_MESSAGE_ID_CPU_SPIKE		"e2de93aeabc44748a79c156d0041e417"
#define FW_MESSAGE_ID_MEMORY_LEAK	"82c12e5767594c1ca9b11b854120322e"
#define FW_MESSAGE_ID_MULTIPLE		"5e0ae00005db420e854f3cb47ac8bb2a"
/* A flare that could not be analyzed (it went to failed/). */
#define FW_MESSAGE_ID_FAILED		"81ddad4442354ffab1abf8bc88fa2136"
/* A flare whose content was analyzed before (FLARE_DUPLICATE_OF). */
#define FW_MESSAGE_ID_DUPLICATE		"2fe2904c6d9a4e9280276a0355dbc9ce"
/* flarewatchd life cycle. */
#define FW_MESSAGE_ID_STARTED		"a698143220894b0fb5a82473642cf05a"
#define FW_MESSAGE_ID_RELOADED		"e921bd30bc654022970ebe91ae4bae6c"
#define FW_MESSAGE_ID_RELOAD_FAILED	"583e063f1cc04e46953c581e6c4ac4fb"
#define FW_MESSAGE_ID_STOPPED		"87aaae03ff7c4aad9d4455c2c2ec2847"

#define FW_JOURNAL_IDENTIFIER "flarewatchd"

/* The MESSAGE_ID of a verdict entry (NULL for an unknown kind). */
const char *fw_journal_message_id(enum fw_verdict_kind k);

/*
 * Sends the verdict entry for one analyzed flare: MESSAGE (one line: host,
 * verdict, top finding, report path), PRIORITY, MESSAGE_ID,
 * SYSLOG_IDENTIFIER=flarewatchd, FLAREWATCH_VERDICT (fw_verdict_id()),
 * FLARE_HOSTNAME, FLARE_FILE (flare_file: where the flare is now),
 * FLARE_SHA256, AGENT_VERSION, REPORT_PATH, HEAP_GROWTH_BYTES,
 * TOP_GROWTH_FUNCTION, TOP_CPU_FUNCTION and TICKET (the support ticket,
 * base/ticket.h; for a duplicate, the one in this flare's name), always
 * all of them (a value
 * may be empty, e.g. AGENT_VERSION= when unknown; FLARE_SHA256 is left out
 * when sha256 is NULL).
 * With duplicate_of (the report of the earlier analysis of the same
 * content), r describes that analysis, the entry gets
 * FW_MESSAGE_ID_DUPLICATE and FLARE_DUPLICATE_OF, and says so.
 * priority is a syslog priority 0..7 (clamped). sha256 may be NULL.
 * Returns 0 or the negative errno of sd_journal_sendv() (-ENOENT or
 * -ECONNREFUSED when no journald listens) or -ENOMEM.
 */
int fw_journal_verdict(const struct fw_analyze_result *r, const char *flare_file,
		       const char *sha256, int priority, const char *duplicate_of);

/*
 * Sends the entry for a flare that could not be analyzed: MESSAGE
 * ("flare NAME could not be analyzed: REASON"), PRIORITY, MESSAGE_ID
 * FW_MESSAGE_ID_FAILED, SYSLOG_IDENTIFIER, FLAREWATCH_VERDICT=failed,
 * FLARE_FILE, FLARE_SHA256 (when known) and FLAREWATCH_ERROR (the reason).
 * Returns like fw_journal_verdict().
 */
int fw_journal_failure(const char *flare_file, const char *sha256, const char *reason,
		       int priority);

#endif
