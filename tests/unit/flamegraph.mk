# tests/unit/flamegraph.mk -- unit tests for src/pprof/flamegraph.c, svg.c and
# src/pprof/meta.c (folded stacks, the SVG flame graph, the metadata summary).
# Included from the top-level automake file after tests/Makefile.inc, which
# defines TESTS and check_PROGRAMS; paths are relative to the top directory.

check_PROGRAMS += tests/unit/test_flamegraph
TESTS += tests/unit/test_flamegraph
tests_unit_test_flamegraph_SOURCES = tests/unit/test_flamegraph.c tests/tap.h tests/unit/profbuild.h
tests_unit_test_flamegraph_LDADD = $(LIBFW_LIBS)

# src/pprof/svg.c's dot runner (children at once, errors, timeout, cancel)
# with stand-in dot scripts written under $TMPDIR
check_PROGRAMS += tests/unit/test_svg
TESTS += tests/unit/test_svg
tests_unit_test_svg_SOURCES = tests/unit/test_svg.c tests/tap.h
tests_unit_test_svg_LDADD = $(LIBFW_LIBS)
