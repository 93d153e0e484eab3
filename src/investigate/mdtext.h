/*
 * mdtext.h: strings from a flare (and text composed around them) written
 * into Markdown so that they render as text, whatever they hold: redacted
 * and cut first (base/outtext.h: fw_out_prepare), then escaped for the
 * Markdown context. The one set of Markdown escapers, shared by the report
 * (write_markdown.c) and the flare comparison (write_compare.c).
 */
#ifndef FW_MDTEXT_H
#define FW_MDTEXT_H

#include <stddef.h>

#include "base/util.h"

/* A name from the flare as a code span (FW_OUT_NAME_MAX). */
void fw_md_code(struct fw_buf *b, const char *raw);
/* A message or error as a code span (FW_OUT_TEXT_MAX). */
void fw_md_code_text(struct fw_buf *b, const char *raw);
/* Plain text from the flare: Markdown punctuation escaped (FW_OUT_NAME_MAX). */
void fw_md_text(struct fw_buf *b, const char *raw);
/* Text composed around flare strings (summaries, notes; FW_OUT_TEXT_MAX). */
void fw_md_text_long(struct fw_buf *b, const char *raw);
/* Text composed with names in single backticks: each backtick-delimited
 * part becomes a code span, the rest Markdown text (FW_OUT_TEXT_MAX). */
void fw_md_composed(struct fw_buf *b, const char *raw);
/* Inside a fenced block: unsafe characters escaped, nothing else. */
void fw_md_fence_composed(struct fw_buf *b, const char *raw);
void fw_md_fence_name(struct fw_buf *b, const char *raw);

/* The escapers of already prepared text s[0..n) (fw_out_prepare), with
 * "…(N bytes cut)" for cut > 0: a code span no content can break, escaped
 * Markdown text, text inside a fence. */
void fw_md_code_span(struct fw_buf *b, const char *s, size_t n, size_t cut);
void fw_md_text_escaped(struct fw_buf *b, const char *s, size_t n, size_t cut);
void fw_md_fence_text(struct fw_buf *b, const char *s, size_t n, size_t cut);
/* The longest run of backticks in s[0..n) (a fence must be longer). */
size_t fw_md_longest_backticks(const char *s, size_t n);

#endif
