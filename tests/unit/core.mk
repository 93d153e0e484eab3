# tests/unit/core.mk -- unit tests for the profile core of the library:
# util.c (shared helpers), units.c (pprof's measurement formatting), strtab.c, idmap.c and keymap.c
# (string table and hash maps), sha256.c, profile.c (the profile.proto decoder),
# merge.c (Merge, ScaleN, SetLabel, ScaleProfiles), graph.c (nodes,
# edges, sorting and trimming) and verdict.c (the rules at their thresholds, the
# decisions the writers print, failed allocations). Included from the top-level automake file
# after tests/Makefile.inc, which defines TESTS and check_PROGRAMS; paths are
# relative to the top directory. The tests build their inputs in memory
# (test_merge and test_graph with tests/unit/profbuild.h; test_profile writes
# one scratch file under $TMPDIR, default /tmp) and need no fixtures.

check_PROGRAMS += tests/unit/test_util
TESTS += tests/unit/test_util
tests_unit_test_util_SOURCES = tests/unit/test_util.c tests/tap.h
tests_unit_test_util_LDADD = $(LIBFW_LIBS)

check_PROGRAMS += tests/unit/test_units
TESTS += tests/unit/test_units
tests_unit_test_units_SOURCES = tests/unit/test_units.c tests/tap.h
tests_unit_test_units_LDADD = $(LIBFW_LIBS)

check_PROGRAMS += tests/unit/test_strtab
TESTS += tests/unit/test_strtab
tests_unit_test_strtab_SOURCES = tests/unit/test_strtab.c tests/tap.h
tests_unit_test_strtab_LDADD = $(LIBFW_LIBS)

check_PROGRAMS += tests/unit/test_maps
TESTS += tests/unit/test_maps
tests_unit_test_maps_SOURCES = tests/unit/test_maps.c tests/tap.h
tests_unit_test_maps_LDADD = $(LIBFW_LIBS)

check_PROGRAMS += tests/unit/test_profile
TESTS += tests/unit/test_profile
tests_unit_test_profile_SOURCES = tests/unit/test_profile.c tests/tap.h
tests_unit_test_profile_LDADD = $(LIBFW_LIBS)

check_PROGRAMS += tests/unit/test_merge
TESTS += tests/unit/test_merge
tests_unit_test_merge_SOURCES = tests/unit/test_merge.c tests/tap.h tests/unit/profbuild.h
tests_unit_test_merge_LDADD = $(LIBFW_LIBS)

check_PROGRAMS += tests/unit/test_graph
TESTS += tests/unit/test_graph
tests_unit_test_graph_SOURCES = tests/unit/test_graph.c tests/tap.h tests/unit/profbuild.h
tests_unit_test_graph_LDADD = $(LIBFW_LIBS)

# process.c's analyses on tests/fixtures/profiles (numbers from go tool pprof)
check_PROGRAMS += tests/unit/test_process
TESTS += tests/unit/test_process
tests_unit_test_process_SOURCES = tests/unit/test_process.c tests/tap.h
tests_unit_test_process_LDADD = $(LIBFW_LIBS)

check_PROGRAMS += tests/unit/test_sha256
TESTS += tests/unit/test_sha256
tests_unit_test_sha256_SOURCES = tests/unit/test_sha256.c tests/tap.h
tests_unit_test_sha256_LDADD = $(LIBFW_LIBS)

check_PROGRAMS += tests/unit/test_verdict
TESTS += tests/unit/test_verdict
tests_unit_test_verdict_SOURCES = tests/unit/test_verdict.c tests/tap.h
tests_unit_test_verdict_LDADD = $(LIBFW_LIBS)

# the verdict under failed allocations (the Nth malloc/calloc/realloc/strdup
# the library makes fails; --wrap redirects the calls of the linked objects)
check_PROGRAMS += tests/unit/test_verdict_oom
TESTS += tests/unit/test_verdict_oom
tests_unit_test_verdict_oom_SOURCES = tests/unit/test_verdict_oom.c tests/tap.h
tests_unit_test_verdict_oom_LDFLAGS = $(AM_LDFLAGS) -Wl,--wrap=malloc -Wl,--wrap=calloc -Wl,--wrap=realloc \
	-Wl,--wrap=strdup
tests_unit_test_verdict_oom_LDADD = $(LIBFW_LIBS)

# investigate.c's publishing: intent files, host folder names, stale temporary
# report folders, the index rebuilt from the reports (writes under $TMPDIR)
check_PROGRAMS += tests/unit/test_publish
TESTS += tests/unit/test_publish
tests_unit_test_publish_SOURCES = tests/unit/test_publish.c tests/tap.h
tests_unit_test_publish_LDADD = $(LIBFW_LIBS)
