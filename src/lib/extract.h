/*
 * extract.h: safe extraction of a flare zip with libarchive. Nothing in the
 * archive can make us write outside the destination folder: names are
 * checked component by component, files are created relative to folder
 * descriptors with O_EXCL|O_NOFOLLOW, and only plain files and folders are
 * accepted. Size, count and compression-ratio limits stop archive bombs
 * while they are being written, not after.
 */
#ifndef FW_EXTRACT_H
#define FW_EXTRACT_H

#include <stdint.h>

#include "util.h"

struct fw_archive_limits {
	uint64_t max_entries;	  /* 10000 */
	uint64_t max_total_bytes; /* uncompressed, 2 GiB */
	uint32_t max_ratio;	  /* per entry, 200 (entries under 1 MiB are exempt) */
};

void fw_archive_limits_default(struct fw_archive_limits *l);

/* Extracts the zip at path into dir, an existing, empty, private folder.
 * Any refusal fails the whole archive with a message naming the archive,
 * the entry and the reason; the caller then removes dir. */
int fw_archive_extract(const char *path, const char *dir, const struct fw_archive_limits *lim,
		       struct fw_error *err);

#endif
