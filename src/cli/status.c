/*
 * status.c: `flarewatch status [-c FILE] [-n N] [--json]`, for the support
 * group without journal access: the daemon's state, the queue, the last
 * verdicts and the failed flares, gathered by the library
 * (investigate/svcstatus.h) from files group flarewatch reads. Only the
 * printing is here; every string from a flare (file names, hostnames,
 * summaries, reasons) goes through fw_out_plain() or fw_out_json().
 *
 * Exit status (like systemctl status): 0 the daemon runs, 3 it does not
 * (no state file, or its pid is gone or no flarewatchd), 1 something could
 * not be read (the message names it), 2 usage error.
 */
#include "investigate/svcstatus.h"
#include "cli.h"
#include "base/fwconfig.h"
#include "base/outtext.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef FW_CONFIG_PATH
#error "FW_CONFIG_PATH must name the default configuration file (src/cli/cli.mk defines it)"
#endif

#define EXIT_NOT_RUNNING 3
#define DEFAULT_N 10
#define MAX_N 100000

static void usage(FILE *f)
{
	fputs("Usage: flarewatch status [-c FILE] [-n N] [--json]\n"
	      "Show flarewatchd's state, its queue, the last verdicts and the failed\n"
	      "flares, from the files group flarewatch may read (no journal needed).\n"
	      "\n"
	      "  -c, --config FILE  the daemon's configuration, for its folders\n"
	      "                     (default " FW_CONFIG_PATH " if it exists)\n"
	      "  -n, --lines N      the last N verdicts and failed flares (default 10)\n"
	      "      --json         print it as JSON (schema/status.schema.json)\n"
	      "  -h, --help         show this help\n"
	      "Exit status: 0 the daemon runs, 3 it does not run, 1 a file could not be\n"
	      "read, 2 usage error.\n",
	      f);
}

/* ---- text ----------------------------------------------------------------- */

/* "YYYY-MM-DD HH:MM:SS UTC", or iso: "YYYY-MM-DDTHH:MM:SSZ" */
static const char *utc(time_t t, bool iso, char out[32])
{
	if (!fw_utc_format(out, 32, (int64_t)t * 1000, iso ? FW_UTC_ISO : FW_UTC_TEXT))
		snprintf(out, 32, "@%lld", (long long)t);
	return out;
}

/* s escaped as one line of plain text (NULL: "-") */
static void plain(struct fw_buf *b, const char *s, size_t max)
{
	fw_out_plain(b, s ? s : "-", max);
}

static void text_daemon(struct fw_buf *b, const struct fw_svcstatus *st)
{
	const struct fw_daemon_state *d = &st->daemon;
	char t[32];

	if (!st->have_state) {
		fw_buf_puts(b, "flarewatchd: not running (no state file ");
		plain(b, st->state_path, FW_OUT_TEXT_MAX);
		fw_buf_puts(b, ": it never ran with this state_dir)\n");
		return;
	}
	if (st->running) {
		fw_buf_puts(b, "flarewatchd: running, ");
		plain(b, d->state, FW_OUT_NAME_MAX);
	} else {
		fw_buf_printf(b, "flarewatchd: not running (process %ld is gone; its last state "
			      "was ", d->pid);
		plain(b, d->state, FW_OUT_NAME_MAX);
		fw_buf_printf(b, " at %s)", utc(d->updated, false, t));
	}
	fw_buf_printf(b, "\n  process:       %ld, flarewatchd ", d->pid);
	plain(b, d->version, FW_OUT_NAME_MAX);
	fw_buf_printf(b, ", started %s\n", utc(d->started, false, t));
	for (size_t i = 0; i < d->n_analyzing && st->running; i++) {
		fw_buf_puts(b, "  analyzing:     ");
		plain(b, d->analyzing[i], FW_OUT_NAME_MAX);
		fw_buf_putc(b, '\n');
	}
	fw_buf_puts(b, "  configuration: ");
	plain(b, d->config && *d->config ? d->config : "(built-in defaults)", FW_OUT_TEXT_MAX);
	fw_buf_printf(b, ", loaded %s\n", utc(d->config_loaded, false, t));
	if (d->reload_error) {
		fw_buf_printf(b, "  REFUSED RELOAD at %s, the previous configuration stays: ",
			      utc(d->reload_failed, false, t));
		plain(b, d->reload_error, FW_OUT_TEXT_MAX);
		fw_buf_putc(b, '\n');
	}
	fw_buf_puts(b, "  status:        ");
	plain(b, d->status, FW_OUT_TEXT_MAX);
	fw_buf_printf(b, "\n  updated:       %s (", utc(d->updated, false, t));
	plain(b, st->state_path, FW_OUT_TEXT_MAX);
	fw_buf_puts(b, ")\n");
}

static void text_all(struct fw_buf *b, const struct fw_svcstatus *st)
{
	char t[32];

	text_daemon(b, st);
	fw_buf_printf(b, "\nQueue: %zu waiting in incoming, %zu processing, %zu failed, %zu done\n",
		      st->n_incoming, st->n_processing, st->n_failed, st->n_done);

	fw_buf_printf(b, "\nLast verdicts (%zu of %zu):\n", st->n_verdicts, st->n_verdicts_total);
	for (size_t i = 0; i < st->n_verdicts; i++) {
		const struct fw_svcstatus_verdict *v = &st->verdicts[i];
		fw_buf_puts(b, "  ");
		plain(b, v->flare_time, FW_OUT_NAME_MAX);
		fw_buf_puts(b, "  ");
		plain(b, v->verdict, FW_OUT_NAME_MAX);
		fw_buf_puts(b, "  ");
		plain(b, v->hostname, FW_OUT_NAME_MAX);
		if (v->ticket) {
			fw_buf_puts(b, "  ");
			plain(b, v->ticket, FW_OUT_NAME_MAX);
		}
		fw_buf_puts(b, "\n    ");
		plain(b, v->summary, FW_OUT_TEXT_MAX);
		fw_buf_puts(b, "\n    report: ");
		plain(b, v->report, FW_OUT_TEXT_MAX);
		if (v->flare_file) {
			fw_buf_puts(b, "\n    flare:  ");
			plain(b, v->flare_file, FW_OUT_NAME_MAX);
			if (v->analyzed_at) {
				fw_buf_puts(b, ", analyzed ");
				plain(b, v->analyzed_at, FW_OUT_NAME_MAX);
			}
		}
		fw_buf_putc(b, '\n');
	}

	if (st->n_verdicts_skipped) {
		fw_buf_printf(b, "  (%zu report folders could not be read:)\n",
			      st->n_verdicts_skipped);
		/* one line per folder, each escaped */
		for (const char *p = st->verdict_warnings; p && *p;) {
			size_t len = strcspn(p, "\n");
			char *line = strndup(p, len);
			fw_buf_puts(b, "    ");
			if (line)
				plain(b, line, FW_OUT_TEXT_MAX);
			else
				b->failed = true;
			free(line);
			fw_buf_putc(b, '\n');
			p += len + (p[len] == '\n');
		}
	}
	fw_buf_printf(b, "\nFailed flares (%zu of %zu):\n", st->n_failed_listed, st->n_failed);
	for (size_t i = 0; i < st->n_failed_listed; i++) {
		const struct fw_svcstatus_failed *f = &st->failed[i];
		fw_buf_printf(b, "  %s  ", utc(f->failed_at, false, t));
		plain(b, f->name, FW_OUT_NAME_MAX);
		fw_buf_puts(b, "\n    ");
		plain(b, f->reason ? f->reason : "(no reason file)", FW_OUT_TEXT_MAX);
		fw_buf_putc(b, '\n');
	}
}

/* ---- JSON (schema/status.schema.json) ---------------------------------------- */

static void jkey(struct fw_buf *b, const char *key, bool *first)
{
	fw_buf_printf(b, "%s\"%s\":", *first ? "" : ",", key);
	*first = false;
}

static void jtime(struct fw_buf *b, time_t t)
{
	char s[32];

	fw_buf_printf(b, "\"%s\"", utc(t, true, s));
}

static void json_daemon(struct fw_buf *b, const struct fw_svcstatus *st)
{
	const struct fw_daemon_state *d = &st->daemon;
	bool first = true;

	fw_buf_putc(b, '{');
	jkey(b, "running", &first);
	fw_buf_puts(b, st->running ? "true" : "false");
	jkey(b, "state", &first);
	fw_out_json(b, st->running ? d->state : "not running", FW_OUT_NAME_MAX);
	jkey(b, "state_file", &first);
	fw_out_json(b, st->state_path, FW_OUT_TEXT_MAX);
	if (st->have_state) {
		jkey(b, "last_state", &first);
		fw_out_json(b, d->state, FW_OUT_NAME_MAX);
		jkey(b, "analyzing", &first);
		fw_buf_putc(b, '[');
		for (size_t i = 0; i < d->n_analyzing && st->running; i++) {
			fw_buf_puts(b, i ? "," : "");
			fw_out_json(b, d->analyzing[i], FW_OUT_NAME_MAX);
		}
		fw_buf_putc(b, ']');
		jkey(b, "pid", &first);
		fw_buf_printf(b, "%ld", d->pid);
		jkey(b, "version", &first);
		fw_out_json(b, d->version, FW_OUT_NAME_MAX);
		jkey(b, "started", &first);
		jtime(b, d->started);
		jkey(b, "config", &first);
		fw_out_json(b, d->config && *d->config ? d->config : NULL, FW_OUT_TEXT_MAX);
		jkey(b, "config_loaded", &first);
		jtime(b, d->config_loaded);
		jkey(b, "refused_reload", &first);
		if (d->reload_error) {
			fw_buf_puts(b, "{\"time\":");
			jtime(b, d->reload_failed);
			fw_buf_puts(b, ",\"reason\":");
			fw_out_json(b, d->reload_error, FW_OUT_TEXT_MAX);
			fw_buf_putc(b, '}');
		} else {
			fw_buf_puts(b, "null");
		}
		jkey(b, "updated", &first);
		jtime(b, d->updated);
		jkey(b, "status", &first);
		fw_out_json(b, d->status, FW_OUT_TEXT_MAX);
	}
	fw_buf_putc(b, '}');
}

static void json_all(struct fw_buf *b, const struct fw_svcstatus *st)
{
	char t[32];

	fw_buf_puts(b, "{\"daemon\":");
	json_daemon(b, st);
	fw_buf_printf(b, ",\"queue\":{\"incoming\":%zu,\"processing\":%zu,\"failed\":%zu,"
		      "\"done\":%zu}", st->n_incoming, st->n_processing, st->n_failed, st->n_done);
	fw_buf_printf(b, ",\"verdicts_total\":%zu,\"verdicts_skipped\":%zu,\"verdicts\":[",
		      st->n_verdicts_total, st->n_verdicts_skipped);
	for (size_t i = 0; i < st->n_verdicts; i++) {
		const struct fw_svcstatus_verdict *v = &st->verdicts[i];
		fw_buf_puts(b, i ? ",{\"flare_time\":" : "{\"flare_time\":");
		fw_out_json(b, v->flare_time, FW_OUT_NAME_MAX);
		fw_buf_puts(b, ",\"hostname\":");
		fw_out_json(b, v->hostname, FW_OUT_NAME_MAX);
		fw_buf_puts(b, ",\"ticket\":");
		fw_out_json(b, v->ticket, FW_OUT_NAME_MAX);
		fw_buf_puts(b, ",\"verdict\":");
		fw_out_json(b, v->verdict, FW_OUT_NAME_MAX);
		fw_buf_puts(b, ",\"summary\":");
		fw_out_json(b, v->summary, FW_OUT_TEXT_MAX);
		fw_buf_puts(b, ",\"report\":");
		fw_out_json(b, v->report, FW_OUT_TEXT_MAX);
		fw_buf_puts(b, ",\"flare_file\":");
		fw_out_json(b, v->flare_file, FW_OUT_NAME_MAX);
		fw_buf_puts(b, ",\"analyzed_at\":");
		fw_out_json(b, v->analyzed_at, FW_OUT_NAME_MAX);
		fw_buf_putc(b, '}');
	}
	fw_buf_puts(b, "],\"failed\":[");
	for (size_t i = 0; i < st->n_failed_listed; i++) {
		const struct fw_svcstatus_failed *f = &st->failed[i];
		fw_buf_puts(b, i ? ",{\"flare\":" : "{\"flare\":");
		fw_out_json(b, f->name, FW_OUT_NAME_MAX);
		fw_buf_printf(b, ",\"failed_at\":\"%s\",\"reason\":", utc(f->failed_at, true, t));
		fw_out_json(b, f->reason, FW_OUT_TEXT_MAX);
		fw_buf_putc(b, '}');
	}
	fw_buf_puts(b, "]}\n");
}

/* ---- the command ------------------------------------------------------------- */

static int parse_n(const char *s, size_t *n)
{
	char *end;
	unsigned long v;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > MAX_N)
		return -1;
	*n = v;
	return 0;
}

int cli_status(int argc, char **argv)
{
	const char *config = NULL, *nval = NULL;
	struct fw_config cfg;
	struct fw_svcstatus st;
	struct fw_error err;
	struct fw_buf out;
	size_t n = DEFAULT_N;
	bool json = false;
	int r, rc;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "-c") || !strcmp(a, "--config") || !strcmp(a, "-n") ||
			   !strcmp(a, "--lines")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "flarewatch status: %s needs a value (see flarewatch "
					"status --help)\n", a);
				return EXIT_USAGE;
			}
			if (a[1] == 'c' || a[2] == 'c')
				config = argv[++i];
			else
				nval = argv[++i];
		} else if (!strncmp(a, "--config=", 9)) {
			config = a + 9;
		} else if (!strncmp(a, "--lines=", 8)) {
			nval = a + 8;
		} else {
			fprintf(stderr, "flarewatch status: unexpected argument %s (see flarewatch "
				"status --help)\n", a);
			return EXIT_USAGE;
		}
	}
	if (nval && parse_n(nval, &n) < 0) {
		fprintf(stderr, "flarewatch status: -n needs a number from 0 to %d, not \"%s\"\n",
			MAX_N, nval);
		return EXIT_USAGE;
	}

	if (cli_config_load(config, true, &cfg) < 0)
		return EXIT_ANALYSIS;
	r = fw_svcstatus_gather(&cfg, n, &st, &err);
	fw_config_free(&cfg);
	if (r < 0) {
		/* the message may quote a file name dropped into incoming_dir */
		fw_buf_init(&out);
		fw_out_plain(&out, err.msg, FW_OUT_TEXT_MAX);
		fprintf(stderr, "flarewatch: %s%s\n", out.failed ? "out of memory" : fw_buf_str(&out),
			r == -EACCES ? " (reading it needs group flarewatch: see flarewatch(1))" : "");
		fw_buf_free(&out);
		fw_svcstatus_free(&st);
		return EXIT_ANALYSIS;
	}
	fw_buf_init(&out);
	if (json)
		json_all(&out, &st);
	else
		text_all(&out, &st);
	rc = st.running ? 0 : EXIT_NOT_RUNNING;
	fw_svcstatus_free(&st);
	if (out.failed) {
		fw_buf_free(&out);
		fprintf(stderr, "flarewatch: out of memory\n");
		return EXIT_ANALYSIS;
	}
	if (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
		fprintf(stderr, "flarewatch: writing standard output: %s\n", strerror(errno));
		rc = EXIT_ANALYSIS;
	}
	fw_buf_free(&out);
	return rc;
}
