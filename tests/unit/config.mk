# tests/unit/config.mk -- automake fragment for the configuration's unit test
# (tests/unit/test_config.c), its fixtures and the shipped config file.
# Include it from Makefile.am after `include tests/Makefile.inc`:
#
#     include tests/unit/config.mk
#
# The test links fwconfig.o from the library, so Makefile.am also needs
# src/base/fwconfig.c and src/base/fwconfig.h in src_libflarewatch_a_SOURCES,
# $(YAML_CFLAGS) in src_libflarewatch_a_CFLAGS and $(YAML_LIBS) in
# LIBFW_LIBS. The test reads its fixtures from $abs_top_srcdir, which
# AM_TESTS_ENVIRONMENT exports, and writes scratch files under $TMPDIR.

check_PROGRAMS += tests/unit/test_config
TESTS += tests/unit/test_config
tests_unit_test_config_SOURCES = tests/unit/test_config.c tests/tap.h
tests_unit_test_config_LDADD = $(LIBFW_LIBS)

EXTRA_DIST += tests/fixtures/config etc/flarewatch.yaml

# base/ticket.c: the support ticket from --ticket and from file names
check_PROGRAMS += tests/unit/test_ticket
TESTS += tests/unit/test_ticket
tests_unit_test_ticket_SOURCES = tests/unit/test_ticket.c tests/tap.h
tests_unit_test_ticket_LDADD = $(LIBFW_LIBS)
