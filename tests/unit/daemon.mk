# tests/unit/daemon.mk -- the tests of flarewatchd (the program is defined in
# src/daemon/daemon.mk): the unit tests of the daemon's queue and records, and
# the integration tests in tests/daemon/ that run the real daemon. Included
# from the top-level Makefile.am after tests/Makefile.inc, which defines TESTS
# and check_PROGRAMS; paths are relative to the top directory.

check_PROGRAMS += tests/daemon/test_queue
TESTS += tests/daemon/test_queue
tests_daemon_test_queue_SOURCES = tests/daemon/test_queue.c tests/tap.h \
	src/daemon/queue.c src/daemon/queue.h src/daemon/record.c src/daemon/record.h
tests_daemon_test_queue_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/daemon
tests_daemon_test_queue_LDADD = $(LIBFW_LIBS)

# the stand-in for systemd's notification socket (tests/daemon/notify.sh)
check_PROGRAMS += tests/daemon/notify-listen
tests_daemon_notify_listen_SOURCES = tests/daemon/notify-listen.c

# Integration tests: the real flarewatchd on temporary folders. They need
# flarewatchd and notify-listen built (both are, before `make check` runs
# TESTS) and a good flare zip (see tests/daemon/common.sh); journal.sh needs
# root or unprivileged user namespaces, and jq; hostfault.sh a mount
# namespace (unshare -m).
TESTS += \
	tests/daemon/cli.sh \
	tests/daemon/pickup.sh \
	tests/daemon/failures.sh \
	tests/daemon/metrics.sh \
	tests/daemon/concurrency.sh \
	tests/daemon/signals.sh \
	tests/daemon/notify.sh \
	tests/daemon/journal.sh \
	tests/daemon/systemd.sh \
	tests/daemon/nspawn.sh \
	tests/daemon/rewatch.sh \
	tests/daemon/tmpclean.sh \
	tests/daemon/reports.sh \
	tests/daemon/hostfault.sh \
	tests/daemon/killloop.sh \
	tests/daemon/incoming.sh \
	tests/daemon/status.sh

EXTRA_DIST += \
	tests/daemon/common.sh \
	tests/daemon/cli.sh \
	tests/daemon/pickup.sh \
	tests/daemon/failures.sh \
	tests/daemon/metrics.sh \
	tests/daemon/concurrency.sh \
	tests/daemon/signals.sh \
	tests/daemon/notify.sh \
	tests/daemon/journal.sh \
	tests/daemon/systemd.sh \
	tests/daemon/nspawn.sh \
	tests/daemon/rewatch.sh \
	tests/daemon/tmpclean.sh \
	tests/daemon/reports.sh \
	tests/daemon/hostfault.sh \
	tests/daemon/load.sh \
	tests/daemon/killloop.sh \
	tests/daemon/incoming.sh \
	tests/daemon/status.sh
