/*
 * main.c: flarewatchd's command line and start-up.
 *
 *   flarewatchd [-c FILE] [--foreground] [--check-config [--user NAME] | --print-config]
 *               [--version] [--help]
 *
 * The configuration is FILE, or FW_CONFIG_PATH (/etc/flarewatch/
 * flarewatch.yaml) when that exists, or the built-in defaults. The daemon
 * never forks into the background (systemd's Type=notify wants it in the
 * foreground); --foreground only sends the log to stderr even under
 * systemd. Exit status: 0, 1 for a configuration or start-up error, 2 for
 * a usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"
#include "flare/libarchive.h"

#ifndef FW_CONFIG_PATH
#define FW_CONFIG_PATH "/etc/flarewatch/flarewatch.yaml"
#endif

enum { EXIT_OK = 0, EXIT_ERROR = 1, EXIT_USAGE = 2 };

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: flarewatchd [-c FILE] [--foreground] [--check-config | --print-config]\n"
		"       flarewatchd --version | --help\n"
		"\n"
		"Watches the incoming folder for Datadog Agent flares, analyzes each one once\n"
		"in a resource-limited child process, files it under done/ or failed/ and\n"
		"writes its verdict to the systemd journal.\n"
		"\n"
		"  -c, --config FILE  configuration file (default " FW_CONFIG_PATH ";\n"
		"                     built-in defaults when that does not exist)\n"
		"      --foreground   log to stderr, even when started by systemd\n"
		"      --check-config validate the configuration and its folders (they exist\n"
		"                     or can be created, on one file system, writable by\n"
		"                     the service user), print \"configuration OK\" or the\n"
		"                     error, and exit (0 valid, 1 invalid)\n"
		"      --user NAME    with --check-config: the user to check the folders for\n"
		"                     (default: run as root, flarewatch if that user exists;\n"
		"                     else the user running it)\n"
		"      --print-config print the configuration in effect (the file over the\n"
		"                     built-in defaults, every key) as YAML, and exit\n"
		"      --version      print the version and exit\n"
		"  -h, --help         print this help and exit\n"
		"\n"
		"Signals: SIGHUP reloads the configuration (the running one is kept if the\n"
		"new one is invalid); SIGTERM or SIGINT stop after the running analyses.\n"
		"Environment: FLAREWATCHD_DEBUG=1 prints debug messages on stderr.\n");
}

int daemon_load_config(const char *path, struct fw_config **out, struct fw_error *err)
{
	struct fw_config *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return fw_err(err, -ENOMEM, "out of memory");
	if (path) {
		r = fw_config_load(path, c, err);
	} else {
		fw_config_defaults(c);
		r = fw_config_validate(c, err);
		if (r < 0)
			fw_err_prefix(err, "built-in defaults");
	}
	if (r < 0) {
		fw_config_free(c);
		free(c);
		return r;
	}
	*out = c;
	return 0;
}

/* stdin, stdout and stderr open, so that no file of ours becomes one. */
static int ensure_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		int n = open("/dev/null", O_RDWR);
		if (n < 0)
			return -errno;
		if (n != fd) {
			close(n);
			return -EBADF;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "print-config", no_argument, NULL, 'P' },
		{ "user", required_argument, NULL, 'u' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct daemon d = { .incoming_fd = -1, .tmp_lock_fd = -1 };
	const char *config = NULL, *user = NULL;
	bool foreground = false, check = false, print = false;
	struct fw_error err;
	struct stat st;
	int c, r;

	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'f': foreground = true; break;
		case 'C': check = true; break;
		case 'P': print = true; break;
		case 'u': user = optarg; break;
		case 'V': printf("flarewatchd %s\n", PACKAGE_VERSION); return EXIT_OK;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "flarewatchd: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (user && !check) {
		fprintf(stderr, "flarewatchd: --user goes with --check-config\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (ensure_std_fds() < 0)
		return EXIT_ERROR;

	/* A missing default file means the defaults; a missing -c file is
	 * a mistake. */
	if (!config && (stat(FW_CONFIG_PATH, &st) == 0 || errno != ENOENT))
		config = FW_CONFIG_PATH;
	r = daemon_load_config(config, &d.cfg, &err);
	if (print) {
		struct fw_buf out;
		if (r < 0) {
			fprintf(stderr, "%s\n", err.msg);
			return EXIT_ERROR;
		}
		fw_buf_init(&out);
		fw_buf_printf(&out, "# flarewatchd %s: the configuration in effect (%s)\n", PACKAGE_VERSION,
			      config ? config : "built-in defaults");
		r = fw_config_render(d.cfg, &out, &err);
		if (r == 0 && (out.failed || fwrite(out.data, 1, out.len, stdout) != out.len ||
			       fflush(stdout) != 0))
			r = fw_err(&err, -EIO, "writing standard output: %s", strerror(errno));
		fw_buf_free(&out);
		daemon_free(&d);
		if (r < 0) {
			fprintf(stderr, "flarewatchd: %s\n", err.msg);
			return EXIT_ERROR;
		}
		return EXIT_OK;
	}
	if (check) {
		char *folders = NULL;
		size_t folders_len = 0;
		FILE *mem;

		if (r < 0) {
			fprintf(stderr, "%s\n", err.msg);
			return EXIT_ERROR;
		}
		if (!fw_libarchive(&err)) {
			fprintf(stderr, "flarewatchd: %s\n", err.msg);
			daemon_free(&d);
			return EXIT_ERROR;
		}
		mem = open_memstream(&folders, &folders_len);
		if (!mem)
			r = fw_err(&err, -errno, "%s", strerror(errno));
		else
			r = folders_check(d.cfg, user, mem, &err);
		if (mem && fclose(mem) != 0 && r == 0)
			r = fw_err(&err, -ENOMEM, "out of memory");
		if (r < 0) {
			fprintf(stderr, "%s: %s\n", config ? config : "built-in defaults", err.msg);
			free(folders);
			daemon_free(&d);
			return EXIT_ERROR;
		}
		printf("configuration OK (%s)\n%s", config ? config : "built-in defaults",
		       folders);
		free(folders);
		daemon_free(&d);
		return EXIT_OK;
	}
	log_init(&d.log, foreground);
	if (r < 0) {
		log_msg(&d.log, LOG_ERR, "%s", err.msg);
		return EXIT_ERROR;
	}
	/* libarchive is loaded now, not at the first flare: a daemon that
	 * cannot extract flares says so at start instead of failing each. */
	if (!fw_libarchive(&err)) {
		log_msg(&d.log, LOG_ERR, "%s", err.msg);
		daemon_free(&d);
		return EXIT_ERROR;
	}
	d.config_path = config;
	r = daemon_run(&d);
	daemon_free(&d);
	return r < 0 ? EXIT_ERROR : EXIT_OK;
}
