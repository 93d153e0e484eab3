/*
 * svg.h: `go tool pprof -svg`: the DOT text drawn by graphviz's `dot -Tsvg`
 * (run as a child process), then pprof's massageSVG (internal/driver/svg.go):
 * "&;" quoted, the fixed size replaced by 100%, the SVGPan script and a
 * "viewport" group wrapped around the graph.
 */
#ifndef FW_SVG_H
#define FW_SVG_H

#include <stdbool.h>

#include "base/util.h"

/* SVGPan's JavaScript as pprof embeds it (svgpan.c). */
extern const char fw_svgpan_js[];

/* The path of graphviz's `dot` on PATH, or NULL (free it). */
char *fw_svg_find_dot(void);

/* Replaces the DOT text in io by the SVG. Errors name what failed: dot not
 * installed (Debian package graphviz: -ENOENT), could not be started, was
 * killed after timeout_s seconds (0: 60), or exited with a status. */
int fw_svg_from_dot_timeout(struct fw_buf *io, unsigned timeout_s, struct fw_error *err);
int fw_svg_from_dot(struct fw_buf *io, struct fw_error *err);

/* massageSVG on svg (n bytes), appended to out. */
void fw_svg_massage(const char *svg, size_t n, struct fw_buf *out);

#endif
