/*
 * svg.h: `go tool pprof -svg`: the DOT text drawn by graphviz's `dot -Tsvg`
 * (run as a child process), then pprof's massageSVG (internal/driver/svg.go):
 * "&;" quoted, the fixed size replaced by 100%, the SVGPan script and a
 * "viewport" group wrapped around the graph.
 */
#ifndef FW_SVG_H
#define FW_SVG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/util.h"

/* SVGPan's JavaScript as pprof embeds it (svgpan.c). */
extern const char fw_svgpan_js[];

/* The path of graphviz's `dot` on PATH, or NULL (free it). */
char *fw_svg_find_dot(void);

/* One `dot -Tsvg` child. fw_svg_start starts it; then exactly one of
 * fw_svg_finish (waits for it) or fw_svg_cancel (kills it), which reap it
 * and close its files. Several may run at once: start them all, then
 * finish each (their outputs wait in their own pipes meanwhile). */
struct fw_svg_job {
	char *dot;	     /* dot's path */
	pid_t pid;	     /* 0: no child */
	int in_fd, out_fd;   /* its stdin (a memory file), its stdout's read end; -1 */
	size_t in_len;	     /* the DOT text's length */
	unsigned timeout_s;  /* killed this long after its start */
	int64_t deadline_ms; /* ... i.e. at this CLOCK_MONOTONIC time */
};

/* Starts dot on the DOT text in (copied: in may go away). Errors as
 * fw_svg_from_dot's; on error j holds nothing to finish or cancel. */
int fw_svg_start(struct fw_svg_job *j, const char *in, size_t in_len, unsigned timeout_s, struct fw_error *err);
/* Waits for j until its deadline, then appends the (massaged) SVG to svg;
 * errors as fw_svg_from_dot's. Releases j. */
int fw_svg_finish(struct fw_svg_job *j, struct fw_buf *svg, struct fw_error *err);
/* Kills j's child (if it runs), reaps it, releases j. */
void fw_svg_cancel(struct fw_svg_job *j);

/* Replaces the DOT text in io by the SVG (fw_svg_start, fw_svg_finish). Errors name what failed: dot not
 * installed (Debian package graphviz: -ENOENT), could not be started, was
 * killed after timeout_s seconds (0: 60), or exited with a status. */
int fw_svg_from_dot_timeout(struct fw_buf *io, unsigned timeout_s, struct fw_error *err);
int fw_svg_from_dot(struct fw_buf *io, struct fw_error *err);

/* massageSVG on svg (n bytes), appended to out. */
void fw_svg_massage(const char *svg, size_t n, struct fw_buf *out);

#endif
