# tests/unit/core.mk -- unit tests for the profile core of the library:
# util.c (shared helpers), units.c (pprof's measurement formatting), strtab.c, idmap.c and keymap.c
# (string table and hash maps), sha256.c, profile.c (the profile.proto decoder), regexp.c (Go
# regexps, against the golden Go writes: tests/fixtures/regexp/), fsutil.c,
# daemonstate.c (the daemon state file), merge.c (Merge, ScaleN, SetLabel, ScaleProfiles), graph.c (nodes,
# edges, sorting and trimming), peek.c (the report streamed), memsanity.c (memory sanity), verdict.c (the rules at their
# thresholds, the decisions the writers print, failed allocations) and recommend.c. Included from the top-level automake file
# after tests/Makefile.inc, which defines TESTS and check_PROGRAMS; paths are
# relative to the top directory. The tests build their inputs in memory
# (test_merge, test_graph, test_calltree and test_dot with tests/unit/profbuild.h; test_profile writes
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
check_PROGRAMS += tests/unit/test_calltree
TESTS += tests/unit/test_calltree
tests_unit_test_calltree_SOURCES = tests/unit/test_calltree.c tests/tap.h tests/unit/profbuild.h
tests_unit_test_calltree_LDADD = $(LIBFW_LIBS)
check_PROGRAMS += tests/unit/test_dot
TESTS += tests/unit/test_dot
tests_unit_test_dot_SOURCES = tests/unit/test_dot.c tests/tap.h tests/unit/profbuild.h
tests_unit_test_dot_LDADD = $(LIBFW_LIBS)

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

# recommend.c: the recommendations' priorities, order, evidence and texts
check_PROGRAMS += tests/unit/test_recommend
TESTS += tests/unit/test_recommend
tests_unit_test_recommend_SOURCES = tests/unit/test_recommend.c tests/tap.h
tests_unit_test_recommend_LDADD = $(LIBFW_LIBS)

# memsanity.c: the memory sanity facts and judgement at their factors
check_PROGRAMS += tests/unit/test_memsanity
TESTS += tests/unit/test_memsanity
tests_unit_test_memsanity_SOURCES = tests/unit/test_memsanity.c tests/tap.h
tests_unit_test_memsanity_LDADD = $(LIBFW_LIBS)

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

check_PROGRAMS += tests/unit/test_regexp
TESTS += tests/unit/test_regexp
tests_unit_test_regexp_SOURCES = tests/unit/test_regexp.c tests/tap.h
tests_unit_test_regexp_LDADD = $(LIBFW_LIBS)
EXTRA_DIST += tests/fixtures/regexp/gen.go tests/fixtures/regexp/golden.tsv src/base/regexp_tables_gen.go

check_PROGRAMS += tests/unit/test_daemonstate
TESTS += tests/unit/test_daemonstate
tests_unit_test_daemonstate_SOURCES = tests/unit/test_daemonstate.c tests/tap.h
tests_unit_test_daemonstate_LDADD = $(LIBFW_LIBS)

check_PROGRAMS += tests/unit/test_fsutil
TESTS += tests/unit/test_fsutil
tests_unit_test_fsutil_SOURCES = tests/unit/test_fsutil.c tests/tap.h
tests_unit_test_fsutil_LDADD = $(LIBFW_LIBS)

# components.c: agent function names to components (no fixtures)
check_PROGRAMS += tests/unit/test_components
TESTS += tests/unit/test_components
tests_unit_test_components_SOURCES = tests/unit/test_components.c tests/tap.h
tests_unit_test_components_LDADD = $(LIBFW_LIBS)

# attribute.c and contention.c on profiles built in memory (profbuild.h)
check_PROGRAMS += tests/unit/test_attribute
TESTS += tests/unit/test_attribute
tests_unit_test_attribute_SOURCES = tests/unit/test_attribute.c tests/tap.h tests/unit/profbuild.h
tests_unit_test_attribute_CPPFLAGS = $(AM_CPPFLAGS) -iquote $(top_srcdir)/tests/unit
tests_unit_test_attribute_LDADD = $(LIBFW_LIBS)

# funcname.c: the names pprof displays, against cases generated by `go tool
# pprof` (tests/fixtures/foreign/funcname-cases.sh)
check_PROGRAMS += tests/unit/test_funcname
TESTS += tests/unit/test_funcname
tests_unit_test_funcname_SOURCES = tests/unit/test_funcname.c tests/unit/funcname_cases.h tests/unit/shorten_cases.h tests/tap.h
tests_unit_test_funcname_LDADD = $(LIBFW_LIBS)

# symbolize.c: pprof's notes on local binaries where no golden reaches
# (the limit on files tried, unsourceMappings' URL parsing, long names)
check_PROGRAMS += tests/unit/test_symbolize
TESTS += tests/unit/test_symbolize
tests_unit_test_symbolize_SOURCES = tests/unit/test_symbolize.c tests/unit/profbuild.h tests/tap.h
tests_unit_test_symbolize_LDADD = $(LIBFW_LIBS)

# report.json read back (investigate/reportread.c): fields, escapes, hostile input
check_PROGRAMS += tests/unit/test_reportread
TESTS += tests/unit/test_reportread
tests_unit_test_reportread_SOURCES = tests/unit/test_reportread.c tests/tap.h
tests_unit_test_reportread_LDADD = $(LIBFW_LIBS)

# investigate/outliers.c: the robust z-score across hosts
check_PROGRAMS += tests/unit/test_outliers
TESTS += tests/unit/test_outliers
tests_unit_test_outliers_SOURCES = tests/unit/test_outliers.c tests/tap.h
tests_unit_test_outliers_LDADD = $(LIBFW_LIBS)
# a host's history and the LONG-TERM GROWTH rule (investigate/history.c, verdict.c)
check_PROGRAMS += tests/unit/test_history
TESTS += tests/unit/test_history
tests_unit_test_history_SOURCES = tests/unit/test_history.c tests/tap.h
tests_unit_test_history_LDADD = $(LIBFW_LIBS)

check_PROGRAMS += tests/unit/test_peek
TESTS += tests/unit/test_peek
tests_unit_test_peek_SOURCES = tests/unit/test_peek.c tests/tap.h tests/unit/profbuild.h
tests_unit_test_peek_LDADD = $(LIBFW_LIBS)

# demangle.c: Go's demangle.Filter, against goldens made by Go 1.19's vendored
# package (tests/fixtures/demangle/regen.sh), and hostile names
check_PROGRAMS += tests/unit/test_demangle
TESTS += tests/unit/test_demangle
tests_unit_test_demangle_SOURCES = tests/unit/test_demangle.c tests/tap.h
tests_unit_test_demangle_LDADD = $(LIBFW_LIBS)
EXTRA_DIST += tests/fixtures/demangle/README.md tests/fixtures/demangle/regen.sh \
	tests/fixtures/demangle/build.sh tests/fixtures/demangle/corpus.sh \
	tests/fixtures/demangle/main.go.in tests/fixtures/demangle/MANIFEST \
	tests/fixtures/demangle/names.txt tests/fixtures/demangle/golden.default.txt \
	tests/fixtures/demangle/golden.templates.txt tests/fixtures/demangle/golden.full.txt \
	tests/fixtures/demangle/golden.none.txt tests/fixtures/demangle/mutated.txt \
	tests/fixtures/demangle/golden-mutated.default.txt \
	tests/fixtures/demangle/golden-mutated.templates.txt \
	tests/fixtures/demangle/golden-mutated.full.txt tests/fixtures/demangle/golden-mutated.none.txt
