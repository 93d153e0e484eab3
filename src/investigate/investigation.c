/*
 * investigation.c: the few facts of the investigation model (investigation.h)
 * that more than one writer needs, such as the flame graphs' file names. It
 * formats no report and decides nothing: the verdict decides (verdict.c), the
 * writers print (write_markdown.c, write_json.c).
 */
#include "investigate/investigation.h"

#include <stdio.h>

void fw_svg_name(char *out, size_t len, const char *proc, const char *what)
{
	snprintf(out, len, "%s-%s.svg", proc, what);
}
