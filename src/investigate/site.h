/*
 * site.h: the investigations site, static HTML beside index.md:
 *  - DIR/index.html: every report, newest flare first, the counts per
 *    verdict, and a table that an inline script sorts (click a heading) and
 *    filters by host, ticket, verdict and time; without the script it is the
 *    same table, unsorted by nothing but time;
 *  - DIR/<host>/<time>/report.html: the report's own Markdown rendered
 *    (mdhtml.h) with its flame graphs shown, linked to the index, the host
 *    page (DIR/<host>/index.html, written by the host history) and the
 *    report's .md and report.json.
 * Pages are self-contained (html.h: strict CSP, no external resource) and
 * work from file:// as behind a web server. Derived data, like index.md:
 * rewritten whole from the reports.
 */
#ifndef FW_SITE_H
#define FW_SITE_H

#include "base/util.h"
#include "investigate/index.h"

/* Writes DIR/index.html listing l (fw_index_scan()'s list of DIR). At most
 * FW_SITE_INDEX_MAX bytes: older reports past it are counted, not listed. */
#define FW_SITE_INDEX_MAX (4u << 20)
int fw_site_index(const char *dir, const struct fw_index_list *l, struct fw_error *err);

/* Writes REPORT_DIR/report.html from REPORT_DIR/MD_NAME (the report's
 * Markdown, at most 16 MiB). Returns 0 or <0 with err naming the file. */
int fw_site_report(const char *report_dir, const char *md_name, struct fw_error *err);

/* Rewrites report.html of every report of l (DIR's list). Returns the
 * number of reports whose page could not be written (err names the first
 * and why), 0 when all were, <0 when out of memory. */
int fw_site_reports(const char *dir, const struct fw_index_list *l, struct fw_error *err);

#endif
