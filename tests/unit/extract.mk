# tests/unit/extract.mk -- automake fragment for the unit test of the flare
# zip extractor and the file-system helpers (tests/unit/test_extract.c,
# testing src/flare/extract.c and src/base/fsutil.c), with its hostile zip
# fixtures in tests/fixtures/hostile. The test reads its fixtures from
# $abs_top_srcdir and writes scratch files below $TMPDIR; the bombs are
# refused before or soon after they start to inflate (at most about 1 MiB is
# written), and the whole test takes well under a second.

check_PROGRAMS += tests/unit/test_extract
TESTS += tests/unit/test_extract
tests_unit_test_extract_SOURCES = tests/unit/test_extract.c tests/tap.h
tests_unit_test_extract_LDADD = $(LIBFW_LIBS)

EXTRA_DIST += tests/fixtures/hostile
