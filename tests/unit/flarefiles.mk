# tests/unit/flarefiles.mk -- unit tests of the flare text parsers (status,
# install_info, memstats, goroutines) and of the redactor; included from
# Makefile.am after tests/Makefile.inc. The programs read their fixtures
# from $abs_top_srcdir/tests/fixtures/flarefiles (AM_TESTS_ENVIRONMENT
# exports abs_top_srcdir; run by hand they fall back to ".").
# The library needs $(YAML_CFLAGS) to build and LIBFW_LIBS must carry
# $(YAML_LIBS) (memstats.c and installinfo.c use libyaml).
check_PROGRAMS += tests/unit/test_flarefiles tests/unit/test_redact
TESTS += tests/unit/test_flarefiles tests/unit/test_redact
tests_unit_test_flarefiles_SOURCES = tests/unit/test_flarefiles.c tests/tap.h
tests_unit_test_flarefiles_LDADD = $(LIBFW_LIBS)
tests_unit_test_redact_SOURCES = tests/unit/test_redact.c tests/tap.h
tests_unit_test_redact_LDADD = $(LIBFW_LIBS)
EXTRA_DIST += tests/fixtures/flarefiles
# test_flarefiles parses the fixture flares' version-history.json template
EXTRA_DIST += tests/fixtures/flares/templates/version-history.json
