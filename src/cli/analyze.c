/*
 * analyze.c: `flarewatch analyze PATH [-o DIR] [--json] [-c FILE] [--set K=V]
 * [--ticket ID]`, one
 * flare through the library's fw_analyze(). Prints the verdict and where the
 * report went, or the report's JSON with --json.
 *
 * The analysis runs in a child process under analysis.memory_limit, as the
 * daemon's workers do. The parent owns a private 0700 folder in $TMPDIR
 * under which the child extracts the zip, and waits for the child with
 * SIGINT, SIGTERM and SIGHUP blocked: on one of them it kills the child,
 * removes that folder and the child's unpublished report, then dies of
 * the same signal. Everything runs in normal context (sigwaitinfo), none
 * of it in a signal handler.
 */
#include "investigate/investigate.h"
#include "cli.h"
#include "base/fwconfig.h"
#include "base/outtext.h"
#include "base/ticket.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/limits.h"

/* $(sysconfdir)/flarewatch/flarewatch.yaml, from src/cli/cli.mk */
#ifndef FW_CONFIG_PATH
#error "FW_CONFIG_PATH must name the default configuration file (src/cli/cli.mk defines it)"
#endif

#define MAX_SETS 64

static void usage(FILE *f)
{
	fputs("Usage: flarewatch analyze [-o DIR] [--json] [-c FILE] [--set KEY=VALUE]... [--ticket ID] PATH\n"
	      "Analyze one Datadog Agent flare (a .zip or an extracted folder) and write its\n"
	      "investigation report to DIR/<hostname>/<flare time>/.\n"
	      "\n"
	      "  -o, --output DIR   investigations folder (default ./investigations)\n"
	      "      --json         print report.json to standard output\n"
	      "  -c, --config FILE  configuration for thresholds and report texts\n"
	      "                     (default " FW_CONFIG_PATH " if it exists)\n"
	      "      --set KEY=VALUE  override one setting of the configuration, named as\n"
	      "                     in the file with dots (thresholds.leak_growth_per_30s=5MiB);\n"
	      "                     repeatable; `flarewatchd --print-config` lists the keys\n"
	      "      --ticket ID    the support ticket (ZD-12345, zd12345, #12345 or 12345 give\n"
	      "                     ZD-12345; else letters, digits, '.', '_', '-', at most 32);\n"
	      "                     default: found in the flare's file name (tickets.pattern)\n"
	      "  -h, --help         show this help\n"
	      "Exit status: 0 analyzed (whatever the verdict), 1 analysis error, 2 usage error.\n",
	      f);
}

static int print_file(const char *path)
{
	struct fw_error err;
	uint8_t *data;
	size_t len;

	if (fw_read_file(path, 256u << 20, &data, &len, &err) < 0) {
		fprintf(stderr, "flarewatch: %s\n", err.msg);
		return -1;
	}
	if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
		free(data);
		fprintf(stderr, "flarewatch: writing standard output: %s\n", strerror(errno));
		return -1;
	}
	free(data);
	return 0;
}

/* The child: the analysis itself, under the memory limit. Returns the
 * exit status. */
static int child_analyze(const char *path, const char *out, const char *tmp_parent, const struct fw_config *cfg,
			 bool json, const char *ticket)
{
	struct fw_analyze_opts o;
	struct fw_analyze_result res;
	struct fw_error err;
	int rc;

	if (fw_memory_limit_applies() &&
	    fw_rlimit_lower(RLIMIT_AS, "RLIMIT_AS", cfg->analysis.memory_limit, cfg->analysis.memory_limit,
			    &err) < 0)
		fprintf(stderr, "flarewatch: warning: %s\n", err.msg);
	memset(&o, 0, sizeof(o));
	o.cfg = cfg;
	o.out_dir = out;
	o.tmp_parent = tmp_parent;
	o.ticket = ticket;
	rc = fw_analyze(path, &o, &res, &err);
	if (rc < 0) {
		struct fw_buf msg;
		fw_buf_init(&msg);
		fw_out_plain(&msg, err.msg, FW_OUT_TEXT_MAX);
		fprintf(stderr, "flarewatch: %s%s\n", msg.failed ? "analysis failed" : fw_buf_str(&msg),
			rc == -ENOMEM && fw_memory_limit_applies() ? " (analysis.memory_limit reached)" : "");
		fw_buf_free(&msg);
		return EXIT_ANALYSIS;
	}
	if (res.index_warning) {
		struct fw_buf w;
		fw_buf_init(&w);
		fw_out_plain(&w, res.index_warning, FW_OUT_TEXT_MAX);
		fprintf(stderr, "flarewatch: warning: %s\n", w.failed ? "the index could not be updated" : fw_buf_str(&w));
		fw_buf_free(&w);
	}
	if (json) {
		rc = print_file(res.json_path);
	} else {
		/* flare strings escaped: one line, no terminal control reaches stdout */
		struct fw_buf line;
		fw_buf_init(&line);
		fw_out_plain(&line, res.hostname, FW_OUT_NAME_MAX);
		fw_buf_printf(&line, ": %s: ", fw_verdict_name(res.verdict));
		fw_out_plain(&line, res.summary, FW_OUT_TEXT_MAX);
		if (res.ticket && res.ticket[0]) {
			fw_buf_puts(&line, "\nticket: ");
			fw_out_plain(&line, res.ticket, FW_OUT_NAME_MAX);
		}
		fw_buf_puts(&line, "\nreport: ");
		fw_out_plain(&line, res.report_path, FW_OUT_TEXT_MAX);
		fw_buf_putc(&line, '\n');
		rc = !line.failed && fputs(fw_buf_str(&line), stdout) >= 0 && fflush(stdout) == 0 ? 0 : -1;
		fw_buf_free(&line);
		if (rc < 0)
			fprintf(stderr, "flarewatch: writing standard output: %s\n", strerror(errno));
	}
	fw_analyze_result_free(&res);
	return rc < 0 ? EXIT_ANALYSIS : 0;
}

static void on_sigchld(int sig)
{
	(void)sig; /* only so that SIGCHLD is never discarded while blocked */
}

/* Removes what a dead child may have left: its extraction folder (below
 * priv) and its unpublished report folder. */
static void clean_after(const char *priv, const char *out)
{
	struct fw_error err;

	if (fw_tree_remove(priv, &err) < 0)
		fprintf(stderr, "flarewatch: %s\n", err.msg);
	if (fw_investigations_cleanup(out, &err) < 0)
		fprintf(stderr, "flarewatch: %s\n", err.msg);
}

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };

static int run(const char *path, const char *out, struct fw_config *cfg, bool json, const char *ticket)
{
	struct fw_error err;
	struct sigaction sa;
	sigset_t set, old;
	char priv[4096];
	pid_t pid, parent = getpid();
	int status, sig = 0;

	/* reports left unpublished by an analysis killed earlier */
	if (fw_investigations_cleanup(out, &err) < 0)
		fprintf(stderr, "flarewatch: warning: %s\n", err.msg);
	if (fw_tmpdir_create(NULL, "flarewatch-", priv, sizeof(priv), &err) < 0) {
		fprintf(stderr, "flarewatch: %s\n", err.msg);
		return EXIT_ANALYSIS;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigchld;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++) {
		struct sigaction cur;
		/* an ignored signal (nohup, a background job) stays ignored */
		if (sigaction(stop_signals[i], NULL, &cur) == 0 && cur.sa_handler != SIG_IGN)
			sigaddset(&set, stop_signals[i]);
	}
	sigprocmask(SIG_BLOCK, &set, &old);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "flarewatch: cannot start the analysis: %s\n", strerror(errno));
		sigprocmask(SIG_SETMASK, &old, NULL);
		clean_after(priv, out);
		return EXIT_ANALYSIS;
	}
	if (pid == 0) {
		int rc;
		/* die with the parent: it alone cleans up */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
			_exit(EXIT_ANALYSIS);
		signal(SIGCHLD, SIG_DFL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		rc = child_analyze(path, out, priv, cfg, json, ticket);
		fw_config_free(cfg);
		exit(rc);
	}
	for (;;) {
		siginfo_t si;
		int s = sigwaitinfo(&set, &si);
		if (s < 0)
			continue; /* EINTR */
		if (s == SIGCHLD) {
			pid_t w = waitpid(pid, &status, WNOHANG);
			if (w == pid)
				break;
			continue;
		}
		sig = s;
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		break;
	}
	clean_after(priv, out);
	if (sig) {
		/* die of the signal, as the shell expects */
		signal(sig, SIG_DFL);
		sigemptyset(&set);
		sigaddset(&set, sig);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		raise(sig);
		_exit(128 + sig);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	fprintf(stderr, "flarewatch: the analysis was killed by signal %d (%s)\n", WTERMSIG(status),
		strsignal(WTERMSIG(status)));
	return EXIT_ANALYSIS;
}

/* Applies the --set KEY=VALUE overrides in order, then the cross-field
 * checks; prints what was wrong and returns -1 on a bad one. */
static int apply_sets(struct fw_config *cfg, const char *const *sets, size_t n)
{
	struct fw_error err;
	char key[128];

	for (size_t i = 0; i < n; i++) {
		size_t klen = (size_t)(strchr(sets[i], '=') - sets[i]);
		if (klen >= sizeof(key)) {
			fprintf(stderr, "flarewatch analyze: --set %.*s...: no such key\n", 40, sets[i]);
			return -1;
		}
		memcpy(key, sets[i], klen);
		key[klen] = 0;
		if (fw_config_set(cfg, key, sets[i] + klen + 1, &err) < 0) {
			fprintf(stderr, "flarewatch analyze: --set %s: %s\n", key, err.msg);
			return -1;
		}
	}
	if (n && fw_config_validate(cfg, &err) < 0) {
		fprintf(stderr, "flarewatch analyze: --set: %s\n", err.msg);
		return -1;
	}
	return 0;
}

int cli_analyze(int argc, char **argv)
{
	const char *out = "./investigations", *config = NULL, *path = NULL, *ticket_arg = NULL;
	char ticket[FW_TICKET_BUFSZ];
	const char *sets[MAX_SETS];
	size_t n_sets = 0;
	struct fw_config cfg;
	struct fw_error err;
	bool json = false;
	int rc;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--json") || !strcmp(a, "-json")) {
			json = true;
		} else if ((rc = cli_output_config_opt("analyze", argc, argv, &i, &out, &config)) != 0) {
			if (rc < 0)
				return EXIT_USAGE;
		} else if (!strcmp(a, "--set") || !strncmp(a, "--set=", 6)) {
			const char *kv = a[5] == '=' ? a + 6 : i + 1 < argc ? argv[++i] : NULL;
			if (!kv || !strchr(kv, '=') || kv[0] == '=') {
				fprintf(stderr, "flarewatch analyze: --set needs KEY=VALUE (see flarewatch analyze --help)\n");
				return EXIT_USAGE;
			}
			if (n_sets == MAX_SETS) {
				fprintf(stderr, "flarewatch analyze: at most %d --set options\n", MAX_SETS);
				return EXIT_USAGE;
			}
			sets[n_sets++] = kv;
		} else if (!strcmp(a, "--ticket") || !strncmp(a, "--ticket=", 9)) {
			ticket_arg = a[8] == '=' ? a + 9 : i + 1 < argc ? argv[++i] : NULL;
			if (!ticket_arg) {
				fprintf(stderr, "flarewatch analyze: --ticket needs a value (see flarewatch analyze --help)\n");
				return EXIT_USAGE;
			}
		} else if (!strncmp(a, "--output=", 9)) {
			out = a + 9;
		} else if (!strncmp(a, "--config=", 9)) {
			config = a + 9;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "flarewatch analyze: unknown option %s (see flarewatch analyze --help)\n", a);
			return EXIT_USAGE;
		} else if (!path) {
			path = a;
		} else {
			fprintf(stderr, "flarewatch analyze: one PATH at a time (see flarewatch analyze --help)\n");
			return EXIT_USAGE;
		}
	}
	if (!path) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (ticket_arg && fw_ticket_normalize(ticket_arg, strlen(ticket_arg), ticket, &err) < 0) {
		fprintf(stderr, "flarewatch analyze: --ticket: %s\n", err.msg);
		return EXIT_USAGE;
	}

	if (cli_config_load(config, true, &cfg) < 0)
		return EXIT_ANALYSIS;
	if (apply_sets(&cfg, sets, n_sets) < 0) {
		fw_config_free(&cfg);
		return EXIT_USAGE;
	}
	rc = run(path, out, &cfg, json, ticket_arg ? ticket : NULL);
	fw_config_free(&cfg);
	return rc;
}
