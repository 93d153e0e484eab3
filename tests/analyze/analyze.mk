# tests/analyze/analyze.mk -- `flarewatch analyze` end to end; included from
# Makefile.am after tests/Makefile.inc (which sets up the TAP driver and
# FLAREWATCH/abs_top_srcdir/abs_top_builddir in the test environment).
TESTS += \
	tests/analyze/verdicts.sh \
	tests/analyze/secrets.sh \
	tests/analyze/hostile.sh \
	tests/analyze/markdown.sh \
	tests/analyze/flaremodel.sh \
	tests/analyze/rules.sh \
	tests/analyze/injection.sh \
	tests/analyze/publish.sh \
	tests/analyze/index.sh \
	tests/analyze/overrides.sh \
	tests/analyze/attribution.sh \
	tests/analyze/recommend.sh \
	tests/analyze/memsanity.sh \
	tests/analyze/ticket.sh \
	tests/analyze/outliers.sh \
	tests/analyze/history.sh \
	tests/analyze/compare.sh

# Writes the hostile profiles injection.sh analyzes.
check_PROGRAMS += tests/analyze/mkprofile
tests_analyze_mkprofile_SOURCES = tests/analyze/mkprofile.c tests/unit/profbuild.h
tests_analyze_mkprofile_CPPFLAGS = $(AM_CPPFLAGS) -iquote $(top_srcdir)/tests/unit
tests_analyze_mkprofile_LDADD = $(LIBFW_LIBS)

EXTRA_DIST += \
	tests/analyze/outliers.sh \
	tests/analyze/outliers_check.py \
	tests/analyze/outliers_tree.py \
	tests/analyze/compare.sh \
	tests/analyze/compare_check.py \
	tests/fixtures/compare/regen.sh \
	tests/fixtures/compare/COMMANDS \
	tests/fixtures/compare/normal-cpu-core-cpu-normalize.top \
	tests/fixtures/compare/normal-cpu-core-heap.top \
	tests/fixtures/compare/normal-cpu-trace-cpu-normalize.top \
	tests/fixtures/compare/normal-cpu-trace-heap.top \
	tests/fixtures/compare/normal-leak-core-cpu-normalize.top \
	tests/fixtures/compare/normal-leak-core-heap.top \
	tests/fixtures/compare/normal-leak-trace-cpu-normalize.top \
	tests/fixtures/compare/normal-leak-trace-heap.top \
	tests/analyze/attribution.sh \
	tests/analyze/common.sh \
	tests/analyze/overrides.sh \
	tests/analyze/recommend.sh \
	tests/analyze/ticket.sh \
	tests/analyze/publish.sh \
	tests/analyze/index.sh \
	tests/analyze/profile-bomb.py \
	tests/analyze/verdicts.sh \
	tests/analyze/secrets.sh \
	tests/analyze/hostile.sh \
	tests/analyze/markdown.sh \
	tests/analyze/flaremodel.sh \
	tests/analyze/rules.sh \
	tests/analyze/pprof_edit.py \
	tests/analyze/coverage_check.py \
	tests/analyze/memsanity.sh \
	tests/analyze/memsanity_check.py \
	tests/analyze/injection.sh \
	tests/analyze/history.sh \
	tests/analyze/history_check.py \
	tests/bench/analyze_bench.sh \
	tests/bench/common.sh \
	tests/fixtures/golden-md/README.md \
	tests/fixtures/golden-md/regen.sh \
	tests/fixtures/golden-md/leak.md \
	tests/fixtures/golden-md/contention.md

# The fixture flares these tests read (tests/fixtures/flares/ is not
# distributed by any other fragment yet; listing a file twice is harmless).
EXTRA_DIST += \
	tests/fixtures/flares/README.md \
	tests/fixtures/flares/badprofiles-datadog-agent-2024-10-02T14-21-52Z-info.zip \
	tests/fixtures/flares/contention-datadog-agent-2024-10-02T14-21-52Z-info.zip \
	tests/fixtures/flares/cpu-datadog-agent-2024-10-02T14-21-52Z-info.zip \
	tests/fixtures/flares/leak-datadog-agent-2024-10-02T14-21-52Z-info.zip \
	tests/fixtures/flares/multiple-datadog-agent-2024-10-02T14-21-52Z-info.zip \
	tests/fixtures/flares/noprofiles-datadog-agent-2024-10-02T14-21-52Z-info.zip \
	tests/fixtures/flares/normal-datadog-agent-2024-10-02T14-21-52Z-info.zip \
	tests/fixtures/flares/python-datadog-agent-2024-10-02T14-21-52Z-info.zip \
	tests/fixtures/flares/partialtrace-datadog-agent-2024-10-02T14-21-52Z-info.zip \
	tests/fixtures/flares/history/history-1-datadog-agent-2024-10-02T10-00-00Z-info.zip \
	tests/fixtures/flares/history/history-2-datadog-agent-2024-10-02T11-00-00Z-info.zip \
	tests/fixtures/flares/history/history-3-datadog-agent-2024-10-02T12-30-00Z-info.zip \
	tests/fixtures/flares/history/history-4-datadog-agent-2024-10-02T14-30-00Z-info.zip \
	tests/fixtures/flares/history/history-5-datadog-agent-2024-10-02T16-30-00Z-info.zip \
	schema/history.schema.json
