/*
 * outliers_page.h: DIR/outliers.html, the investigations site's page of
 * the hosts that stand out (outliers.h), all hosts together and within each
 * agent version, written with the index (fw_index_regenerate()). A page of
 * html.h's frame: every flare string escaped, links percent-encoded, a
 * strict Content-Security-Policy, no script.
 */
#ifndef FW_OUTLIERS_PAGE_H
#define FW_OUTLIERS_PAGE_H

#include "base/util.h"

struct fw_index_list;

/* Appends the page for l (DIR's reports, fw_index_scan()) to b, comparing
 * with |z| > threshold. Returns 0, or <0 with err. */
int fw_outliers_page(struct fw_buf *b, const struct fw_index_list *l, double threshold, struct fw_error *err);

/* Writes DIR/outliers.html (atomically, 0644) with the default threshold. */
int fw_outliers_page_write(const char *dir, const struct fw_index_list *l, struct fw_error *err);

#endif
