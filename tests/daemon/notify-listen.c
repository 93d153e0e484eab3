/*
 * notify-listen.c: a stand-in for systemd's notification socket, for the
 * flarewatchd integration tests (tests/daemon/notify.sh).
 *
 *     notify-listen SOCKET OUTPUT [SECONDS]
 *
 * Binds an AF_UNIX datagram socket at SOCKET (the test passes it to the
 * daemon as NOTIFY_SOCKET) and appends every message it receives to
 * OUTPUT, followed by a newline, until SIGTERM or SECONDS (default 300)
 * have passed. Removes SOCKET when it exits.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct sigaction act = { .sa_handler = on_term };
	char buf[65536];
	time_t deadline;
	FILE *out;
	int fd;

	if (argc < 3 || argc > 4 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: notify-listen SOCKET OUTPUT [SECONDS]\n");
		return 2;
	}
	deadline = time(NULL) + (argc == 4 ? atoi(argv[3]) : 300);
	sigaction(SIGTERM, &act, NULL);
	sigaction(SIGINT, &act, NULL);
	out = fopen(argv[2], "a");
	if (!out) {
		perror(argv[2]);
		return 1;
	}
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	strcpy(sa.sun_path, argv[1]);
	unlink(argv[1]);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror(argv[1]);
		return 1;
	}
	while (!stop && time(NULL) < deadline) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;
		int r = poll(&p, 1, 200);

		if (r < 0 && errno != EINTR) {
			perror("poll");
			break;
		}
		if (r <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			perror("recv");
			break;
		}
		fwrite(buf, 1, (size_t)n, out);
		fputc('\n', out);
		fflush(out);
	}
	unlink(argv[1]);
	fclose(out);
	return 0;
}
