/*
 * ticket.h: the support ticket a flare belongs to. `flarewatch analyze
 * --ticket ID` gives it; otherwise it is found in the flare's file name with
 * the configured regular expression (tickets.pattern).
 *
 * The pattern is a POSIX extended regular expression (regcomp(3)
 * REG_EXTENDED | REG_ICASE: no \d, no (?:...), no lazy quantifiers),
 * searched in the file name (leftmost match). The ticket is the text of the
 * LAST parenthesised group that took part in the match, or the whole match
 * when none did. The default matches "ZD-12345", "zd12345", "zd-12345",
 * "#12345" (not after a letter or digit) and a leading "12345_" or
 * "12345-" (at least 5 digits, so that a name starting with a date such as
 * "2024-10-02" is no ticket).
 *
 * Every ticket, given or found, is hostile text: it is normalised, then
 * must be 1..FW_TICKET_MAX bytes of [A-Za-z0-9._-] starting with a letter
 * or digit, or it is refused (a found one is then no ticket). Normal form:
 * a leading '#' is dropped; "zd" or "zd-" (any case) then digits, or
 * digits alone, become "ZD-<digits>" (1..12 digits); anything else is kept
 * as given ("SUP-42").
 */
#ifndef FW_TICKET_H
#define FW_TICKET_H

#include <stdbool.h>
#include <stddef.h>

#include "base/util.h"

#define FW_TICKET_MAX 32	/* bytes of a normalised ticket */
#define FW_TICKET_BUFSZ (FW_TICKET_MAX + 1)
#define FW_TICKET_PATTERN_MAX 1024 /* bytes of tickets.pattern */

/* The default tickets.pattern. */
#define FW_TICKET_DEFAULT_PATTERN \
	"^([0-9]{5,12})[-_]|(^|[^[:alnum:]])(zd-?|#)([0-9]+)"

/* Normalises s[0..n) into out (FW_TICKET_BUFSZ bytes). Returns 0, or
 * -EINVAL with err saying what is wrong (too long, a character outside
 * [A-Za-z0-9._-], empty, too many digits); out is "" then. */
int fw_ticket_normalize(const char *s, size_t n, char out[FW_TICKET_BUFSZ], struct fw_error *err);

/* 0 when pattern compiles (an empty pattern means "no ticket from file
 * names" and is valid), else -EINVAL with regerror()'s text in err. */
int fw_ticket_pattern_check(const char *pattern, struct fw_error *err);

/* Searches name with pattern and normalises what it finds into out.
 * Returns 1 (out holds the ticket), 0 (no match, an empty pattern, or a
 * match that is no valid ticket: out is ""), -EINVAL (the pattern does not
 * compile) or -ENOMEM. */
int fw_ticket_from_name(const char *pattern, const char *name, char out[FW_TICKET_BUFSZ],
			struct fw_error *err);

#endif
