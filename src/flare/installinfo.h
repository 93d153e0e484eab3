/*
 * installinfo.h: parser for a flare's install_info.log (older agents:
 * install_info), the YAML the installers write:
 *
 *   ---
 *   install_method:
 *     tool: install_script
 *     tool_version: install_script_agent7
 *     installer_version: install_script-1.36.0
 *
 * Read with libyaml's event API (aliases are never expanded), from a copy
 * cleaned by fw_text_clean() (cut at a NUL byte, bad bytes and control
 * characters turned into '?'). The "---" is optional; the three keys are
 * also accepted at the top level when install_method lacks them. Only the
 * first YAML document is read; unknown keys are ignored.
 */
#ifndef FW_INSTALLINFO_H
#define FW_INSTALLINFO_H

#include <stdbool.h>
#include <stddef.h>

#include "base/util.h"

#define FW_INSTALLINFO_FIELD_MAX 128	/* bytes kept per value */

struct fw_installinfo {
	/* Each field is "" when absent or not a scalar; values went through
	 * fw_redact_field() (redacted, printable, truncated). */
	char tool[FW_INSTALLINFO_FIELD_MAX + 1];
	char tool_version[FW_INSTALLINFO_FIELD_MAX + 1];
	char installer_version[FW_INSTALLINFO_FIELD_MAX + 1];
	bool has_section;	/* an install_method mapping was seen */
	/* A YAML error or a NUL byte stopped the parse after the top-level
	 * mapping had started (truncated or damaged file): what came before
	 * is kept. */
	bool partial;
};

/* Parses text[0..len) into *ii (cleared first). Returns 0, -ENOMEM,
 * -ENODATA for an empty or all-blank file, or -EINVAL when the text is not
 * YAML or its top level is not a mapping (the message says which, with the
 * line for a YAML error). */
int fw_installinfo_parse(const char *text, size_t len, struct fw_installinfo *ii,
			 struct fw_error *err);

#endif
