/*
 * redact.h: the one redactor that every piece of flare text goes through
 * before flarewatch shows it, and the helpers that turn an untrusted byte
 * range into a short, printable, redacted C string for a parser's fields
 * or into text libyaml accepts.
 *
 * A flare is customer data: the agent scrubs most of it, but not logs/,
 * profiles/ or anything a customer pasted in. fw_redact() replaces with
 * "[REDACTED]":
 *
 *  - the value of a secret-looking setting, in the forms
 *        key: value      key=value      "key": "value"      KEY=value
 *    (also 'key': 'v', key = value, key:value). A key is a run of
 *    [A-Za-z0-9_-]; leading '-'/'_' are ignored (--api-key=x), '-' counts
 *    as '_', and case is ignored (DD_API_KEY=..., DD-API-KEY: ...).
 *    Secret keys are
 *        api_key app_key apikey appkey authkey privkey password passwd pwd
 *        token secret, anything ending in _key _token _secret _pwd password
 *        passwd, and camelCase ...Key ...Token ...Secret (apiKey);
 *    a key ending in authorization is an Authorization key (below).
 *    A quoted value is redacted up to its closing quote on the same line
 *    (the quotes stay). An unquoted value after '=' ends at whitespace,
 *    '&', a quote or a backquote; after ':' it is the rest of the line. A
 *    "key:" with nothing after it, or a YAML block scalar ("password: |"),
 *    loses the more-indented lines that follow. A PEM block inside a value
 *    is part of the value.
 *  - the argument of a command-line flag that is a secret key (a key
 *    starting with '-': --api-key, -password, --app_key) followed by
 *    blanks: `--api-key X` -> `--api-key [REDACTED]`. The argument is the
 *    next token, up to whitespace ("\ " does not end it), or a quoted
 *    string up to its closing quote on the same line (the quotes stay).
 *    In argument lists it follows a comma, possibly on a later line
 *    (["--token", "X"], [--token, X]: it then also ends at , ] } or a
 *    quote), or, for a YAML item "- --token" ending its line, it is the
 *    next item ("- X", to the end of its line). Not an argument: a token
 *    starting with "--" (the next flag), one of a few words that follow a
 *    flag in prose or help text (a an and are arg argument as be bool can
 *    cannot flag flags for from if in instead int is must not of on
 *    option options or parameter should string switch the to value was
 *    when will with, trailing .,;:!?) ignored), or nothing on the line:
 *    "the --token flag is required" and "--token string" stay. A flag
 *    naming where a secret is, not a secret key, keeps its argument:
 *    --token-file /path, --api-key-file, --password-file.
 *  - curl's -u/--user and -U/--proxy-user (as flags, or --user=...):
 *    `-u user:pass` -> `-u user:[REDACTED]`, what follows the first ':'.
 *    Without a ':' ("ps -u root") nothing is redacted.
 *  - the content of an element named by a secret key: `<password>x
 *    </password>` -> `<password>[REDACTED]</password>` (also <apiKey>,
 *    <api_key attr="...">; not <password/>). It runs up to the first "</"
 *    or the end of the line, less the blanks around it; when the start tag
 *    ends its line, from the next line up to the next "</" (if none
 *    follows, nothing is redacted).
 *  - the value of a record named by a secret key: a "name" or "key" key
 *    whose value is a secret key (quoted or not; there '.' and '/' count
 *    as '_': fs.s3a.secret.key, /prod/api_key) makes the record's "value"
 *    key a secret key, of an Authorization key for "Authorization":
 *        - name: DD_API_KEY           {"name": "DD_API_KEY", "value": "x"}
 *          value: x                   <add key="ApiKey" value="x"/>
 *    The record lasts until a '}' outside quotes, the next "name"/"key"
 *    key, and for an unquoted "name" key a line indented less than it
 *    (blank and '#' lines aside): "value:" may come on any later line of
 *    the YAML item, after valueFrom: (which is no "value" key) or other
 *    keys. A quoted "value" key (JSON) may also come before its name, in
 *    the same {...}. After a <name> or <key> element naming a secret
 *    (Hadoop's <name>...</name><value>, plist's <key>...</key><string>),
 *    the content of every element up to the next naming key is a secret.
 *    A name inside a stretch that another rule redacts still names its
 *    record (which then reaches lines of any indentation).
 *  - the value of an Authorization key (Authorization, Proxy-Authorization,
 *    X-Authorization, in any form above) less its scheme, a leading word of
 *    at most 15 letters followed by a blank (Basic, Digest, Bearer,
 *    Token): `Authorization: Basic [REDACTED]`. Without a scheme the whole
 *    value goes. After '=' the token following the scheme is the value
 *    (authorization=Basic [REDACTED]&x=1).
 *  - `Bearer <token>` -> `Bearer [REDACTED]` ("Bearer" in any case; the
 *    token is a run of [A-Za-z0-9-._~+/=] that is at least 16 bytes long or
 *    holds a non-letter, so prose like "Bearer tokens" survives).
 *  - URL userinfo: `scheme://user:pass@host` -> `scheme://user:[REDACTED]@host`
 *    (the password is everything between the first ':' and the last '@'
 *    of the authority).
 *  - keys: a whole run of letters and digits ('_', '-' and every other
 *    byte are boundaries) that holds a stretch of hex digits (either case,
 *    as long as possible within the run) of exactly 32 or 40 digits, or of
 *    more than 32 digits at least one of which is a letter: API and
 *    application keys, also glued to other hex or letters ("0x<key>",
 *    "<key>9", "abc<key>", "v<key>"), but also MD5s, git hashes, 32-hex Go
 *    build ids, SHA-256s and container ids. A secret never reaching a
 *    report is worth more than a long hex string. Decimal digits alone
 *    longer than 32 (a number) and shorter hex stretches stay.
 *  - PEM blocks, "-----BEGIN " through the next "-----END ...-----", become
 *    one "[REDACTED]"; a BEGIN without an END redacts to the end of the
 *    input (a truncated key is still a key).
 *
 * Replaced stretches that touch share one marker. Everything else is
 * copied byte for byte, NUL bytes and invalid UTF-8 included
 * (fw_redact_field() is what makes text printable). Time is linear in the
 * input and no regex library is used. On ordinary text a second pass
 * changes nothing; on contrived overlaps (a key=value inside a URL's
 * user:password, a PEM block glued to a key) a second pass may redact more,
 * never less.
 *
 * The rules that look past a line (records, elements, YAML blocks) need
 * the text whole: redact a multi-line text before cutting it into lines.
 */
#ifndef FW_REDACT_H
#define FW_REDACT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/util.h"

#define FW_REDACTED "[REDACTED]"

/* Returns a malloc'd, NUL-terminated redacted copy of s[0..len) and its
 * length in *outlen (if non-NULL; the copy may hold NUL bytes), or NULL when
 * out of memory. */
char *fw_redact(const char *s, size_t len, size_t *outlen);

/* Redacts b in place. If memory runs out, the buffer is emptied and marked
 * failed (fw_buf's sticky failure), so unredacted text is never left
 * behind. A buffer that has already failed is emptied too. */
void fw_redact_buf(struct fw_buf *b);

/* Copies src[0..len) into dst (dstsz >= 1 bytes) for use as a displayed
 * field: redacts the whole range first, then makes it printable (each byte
 * of invalid UTF-8 and each C0 control, DEL or C1 control becomes one '?',
 * except a tab, which becomes a space; no newline survives) and truncates
 * it to at most dstsz - 1 bytes without splitting a UTF-8 sequence.
 * Redacting before truncating means a key cut in half is never shown.
 * Returns 0 or -ENOMEM (dst is then ""). */
int fw_redact_field(char *dst, size_t dstsz, const char *src, size_t len);

/* Returns a malloc'd, NUL-terminated copy of s[0..len) that a strict
 * parser such as libyaml accepts byte for byte: cut at the first NUL byte
 * (*nul_cut, if non-NULL, says whether there was one), with each byte of
 * invalid UTF-8 and each control character other than tab, LF and CR (C0,
 * DEL, C1, U+FFFE, U+FFFF) replaced by one '?'. No redaction. *outlen (if
 * non-NULL) gets the copy's length. NULL when out of memory. */
char *fw_text_clean(const char *s, size_t len, size_t *outlen, bool *nul_cut);

#endif
