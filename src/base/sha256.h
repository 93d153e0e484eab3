/*
 * sha256.h: SHA-256 (FIPS 180-4), for the content hash that lets
 * flarewatchd recognize a flare it has already analyzed. Incremental, so a
 * large flare is hashed while it is read; no allocation, no library.
 */
#ifndef FW_SHA256_H
#define FW_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

#define FW_SHA256_LEN 32			/* digest bytes */
#define FW_SHA256_HEX_LEN (2 * FW_SHA256_LEN)	/* lowercase hex digits */

struct fw_sha256 {
	uint32_t h[8];
	uint64_t total;		/* bytes hashed so far */
	uint8_t block[64];
	size_t fill;		/* bytes waiting in block */
};

void fw_sha256_init(struct fw_sha256 *s);
void fw_sha256_update(struct fw_sha256 *s, const void *data, size_t len);
/* Writes the digest; s must be initialized again before reuse. */
void fw_sha256_final(struct fw_sha256 *s, uint8_t out[FW_SHA256_LEN]);

/* One call: digest of data[0..len). */
void fw_sha256(const void *data, size_t len, uint8_t out[FW_SHA256_LEN]);

/* Writes the digest as FW_SHA256_HEX_LEN lowercase hex digits and a NUL. */
void fw_sha256_hex(const uint8_t digest[FW_SHA256_LEN], char out[FW_SHA256_HEX_LEN + 1]);

/*
 * Hashes everything readable from fd (from its current offset to end of
 * file) into hex. Returns 0, or the negative errno of a failed read with
 * err saying so (what names the file in the message).
 */
int fw_sha256_fd(int fd, const char *what, char hex[FW_SHA256_HEX_LEN + 1],
		 struct fw_error *err);

/* fw_sha256_fd() of the file at path, opened read-only and non-blocking
 * with the extra open(2) flags given (O_NOFOLLOW, say). */
int fw_sha256_path(const char *path, int flags, char hex[FW_SHA256_HEX_LEN + 1], struct fw_error *err);

#endif
