/*
 * investigation.h: everything one flare's report is made of: the flare
 * model, the per-process analyses, the verdict and the settings that shape
 * the text. investigate.c fills it; write_markdown.c, write_json.c and
 * index.c only read it, and the writers print what the verdict decided.
 */
#ifndef FW_INVESTIGATION_H
#define FW_INVESTIGATION_H

#include "investigate/process.h"
#include "investigate/memsanity.h"
#include "flare/flare.h"
#include "base/fwconfig.h"
#include "investigate/verdict.h"
#include "investigate/recommend.h"
#include "base/sha256.h"
#include "base/ticket.h"
#include "investigate/history.h"

struct fw_investigation {
	const struct fw_config *cfg;
	char *flare_name; /* the input's name, redacted */
	struct fw_flare flare;
	struct fw_process *procs;
	size_t n_procs;
	struct fw_verdict verdict;
	struct fw_recommendations recs; /* what to do next (recommend.h) */
	/* memory sanity: sanity[i] is procs[i]'s; when no process is "core"
	 * but the flare has expvar/memstats, one more entry (sanity[n_procs])
	 * holds core's without profiles, and n_sanity is n_procs + 1 */
	struct fw_memsanity *sanity;
	size_t n_sanity;
	char *flare_time; /* YYYYmmddTHHMMSSZ */
	char *md_name;	  /* flare-profiling-<host>.md */
	int64_t analyzed_ms; /* when the report was written (ms since the epoch, UTC) */
	char sha256[FW_SHA256_HEX_LEN + 1]; /* the zip's SHA-256 (hex); "" for a folder */
	/* the support ticket (base/ticket.h: normal form, [A-Za-z0-9._-]),
	 * "" when none; ticket_source says where it comes from: "--ticket"
	 * or "file name" (NULL when none) */
	char ticket[FW_TICKET_BUFSZ];
	const char *ticket_source;
	/* a version change in version-history.json within
	 * FW_UPGRADE_WINDOW_DAYS before the flare */
	bool has_upgrade;
	struct fw_vhist_change upgrade;
	/* the host's history in the investigations tree, this flare last
	 * (history.h); hist_time/hist_start hold the current row's strings */
	struct fw_history history;
	char hist_time[32], hist_start[32];
};

/* An agent upgrade this recent is named in the report's header and the
 * escalation's Symptom. */
#define FW_UPGRADE_WINDOW_DAYS 7

/* The Markdown report (runbook order). Every string from the flare is
 * redacted and escaped field by field (write_markdown.c); the finished
 * document is not redacted again. */
int fw_report_markdown(const struct fw_investigation *inv, struct fw_buf *out, struct fw_error *err);

/* report.json, schema "flarewatch.report" version 2 (see README and
 * schema/report.schema.json). */
int fw_report_json(const struct fw_investigation *inv, struct fw_buf *out, struct fw_error *err);

/* File names of a process's flame graphs in the report folder:
 * "<proc>-<what>.svg" (what: "cpu", "heap-diff", "block-delay", "mutex-delay"). investigation.c, so that
 * both writers and investigate.c share it without depending on each other. */
void fw_svg_name(char *out, size_t len, const char *proc, const char *what);

#endif
