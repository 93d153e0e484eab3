# src/cli/cli.mk -- the flarewatch program (src/cli/), included from the
# top-level Makefile.am; paths are relative to the top directory.
# FW_CONFIG_CPPFLAGS (Makefile.am) gives `flarewatch analyze` its default
# configuration path under $(sysconfdir).

bin_PROGRAMS = flarewatch
flarewatch_SOURCES = src/cli/main.c src/cli/cli.h src/cli/config.c src/cli/pprof.c src/cli/analyze.c src/cli/status.c src/cli/index.c src/cli/outliers.c src/cli/history.c src/cli/compare.c
flarewatch_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/cli $(FW_CONFIG_CPPFLAGS)
flarewatch_LDADD = $(LIBFW_LIBS)
