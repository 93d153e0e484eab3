/*
 * hostpage.h: the investigations site's host pages, DIR/<host>/index.html:
 * the host's history table (history.h) and inline-SVG trend charts of
 * core's HeapAlloc, Sys, goroutines and heap growth per 30 s over flare
 * time, restarts and upgrades marked. Derived data like index.md: written
 * by fw_index_regenerate() from the same scan, so they follow every new
 * report (the daemon's and `flarewatch analyze -o`'s) and `flarewatch
 * index`. Built with html.h: every flare string escaped, strict CSP, no
 * script.
 */
#ifndef FW_HOSTPAGE_H
#define FW_HOSTPAGE_H

#include "investigate/history.h"
#include "investigate/index.h"

/* The page of one host's history into b. */
void fw_host_page(struct fw_buf *b, const char *hostname, const struct fw_history *h);

/* Writes DIR/<host>/index.html for every host folder of l (a page whose
 * text is unchanged is not rewritten). Returns 0, or the first error after
 * trying every host. */
int fw_host_pages_write(const char *dir, const struct fw_index_list *l, struct fw_error *err);

#endif
