# src/daemon/daemon.mk -- the flarewatchd program (src/daemon/), included from
# the top-level Makefile.am; paths are relative to the top directory. Its
# tests are in tests/unit/daemon.mk; the systemd files are installed by
# Makefile.am. FW_CONFIG_CPPFLAGS (Makefile.am) gives it its default
# configuration path under $(sysconfdir).

sbin_PROGRAMS = flarewatchd
flarewatchd_SOURCES = \
	src/daemon/daemon.h \
	src/daemon/main.c \
	src/daemon/folders.c \
	src/daemon/loop.c \
	src/daemon/watch.c \
	src/daemon/queue.c src/daemon/queue.h \
	src/daemon/worker.c \
	src/daemon/record.c src/daemon/record.h \
	src/daemon/log.c src/daemon/log.h \
	src/daemon/journal.c src/daemon/journal.h \
	src/daemon/metrics.c src/daemon/metrics.h
flarewatchd_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/daemon $(LIBSYSTEMD_CFLAGS) $(FW_CONFIG_CPPFLAGS)
flarewatchd_LDADD = $(LIBFW_LIBS) $(LIBSYSTEMD_LIBS)
