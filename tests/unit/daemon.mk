# tests/unit/daemon.mk -- flarewatchd (src/daemon/) and its tests: the unit
# tests of src/base/sha256.c and of the daemon's queue and records, and the
# integration tests in tests/daemon/ that run the real daemon. Included from
# the top-level Makefile.am after tests/Makefile.inc, which defines TESTS and
# check_PROGRAMS; paths are relative to the top directory. The systemd files
# (systemd/) are installed by Makefile.am.

sbin_PROGRAMS = flarewatchd
flarewatchd_SOURCES = \
	src/daemon/daemon.h \
	src/daemon/main.c \
	src/daemon/loop.c \
	src/daemon/watch.c \
	src/daemon/queue.c src/daemon/queue.h \
	src/daemon/worker.c \
	src/daemon/record.c src/daemon/record.h \
	src/daemon/log.c src/daemon/log.h \
	src/daemon/journal.c src/daemon/journal.h
flarewatchd_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/daemon $(LIBSYSTEMD_CFLAGS) \
	-DFW_CONFIG_PATH='"$(sysconfdir)/flarewatch/flarewatch.yaml"'
flarewatchd_LDADD = $(LIBFW_LIBS) $(LIBSYSTEMD_LIBS)

check_PROGRAMS += tests/unit/test_sha256
TESTS += tests/unit/test_sha256
tests_unit_test_sha256_SOURCES = tests/unit/test_sha256.c tests/tap.h
tests_unit_test_sha256_LDADD = $(LIBFW_LIBS)

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
	tests/daemon/killloop.sh

EXTRA_DIST += \
	tests/daemon/common.sh \
	tests/daemon/cli.sh \
	tests/daemon/pickup.sh \
	tests/daemon/failures.sh \
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
	tests/daemon/killloop.sh
