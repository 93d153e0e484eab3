/*
 * mdhtml.h: the Markdown subset write_markdown.c writes, rendered to HTML
 * for report.html, so that the site shows the report itself and there is
 * no second report writer.
 *
 * The subset: ATX headings ("# " to "###### "), GFM tables (a "|" header
 * line, a "|---|---:|" line, "|" rows; "\|" is a literal '|'), paragraphs,
 * "- " and "N. " lists nested by indentation (indented lines continue an
 * item), ``` fenced code blocks; inline: backslash escapes, code spans of
 * any backtick fence, **strong**, [text](target) links and ![alt](target)
 * images. Anything else is text. Every text span is HTML-escaped
 * (html.h), whatever the Markdown holds: the renderer never copies
 * Markdown through as markup, and its output is well formed (every element
 * it opens it closes).
 *
 * Link targets: a relative path of [A-Za-z0-9._-] segments ("x.svg",
 * "../20241002T142152Z/report.md"; a ".md" target is linked as its ".html"
 * sibling, which the site writes) or an "https://" URL of URL characters;
 * any other target is shown as text. A link or image to a ".svg" file of the
 * report's own folder that has_file() says exists is also shown below its
 * block as an <img> of that file (the flame graphs: their scripts do not
 * run inside an <img>), linked to the file itself.
 */
#ifndef FW_MDHTML_H
#define FW_MDHTML_H

#include <stdbool.h>
#include <stddef.h>

#include "base/util.h"

/* True when name (one path segment, checked safe) is a regular file of the
 * report's folder. */
typedef bool (*fw_mdhtml_has_file)(void *ctx, const char *name);

/* Appends md[0..len) as HTML (the body's content). has_file may be NULL (no
 * image is shown). Out of memory marks out failed. */
void fw_md_to_html(struct fw_buf *out, const char *md, size_t len, fw_mdhtml_has_file has_file,
		   void *ctx);

#endif
