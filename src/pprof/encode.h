/*
 * encode.h: writing a profile back out as profile.proto (protobuf-c), gzip
 * compressed, readable by `go tool pprof`.
 */
#ifndef FW_ENCODE_H
#define FW_ENCODE_H

#include "pprof/profile.h"

int fw_profile_encode(const struct fw_profile *p, bool gzip, uint8_t **out, size_t *len,
		      struct fw_error *err);
/* Encodes with gzip and writes atomically (temporary file + rename). */
int fw_profile_write_file(const struct fw_profile *p, const char *path, struct fw_error *err);

#endif
