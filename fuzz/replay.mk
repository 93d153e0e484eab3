# fuzz/replay.mk -- every libFuzzer harness in fuzz/, built with the
# configured compiler and fuzz/replay.c as its main(), replays its seeds and
# the inputs that once crashed it (fuzz/regressions/<harness>/) under
# `make check`, so the ASan+UBSan build keeps every past finding fixed.
# Included from the top-level Makefile.am; paths relative to the top.

REPLAY_LDADD = $(LIBFW_LIBS)

check_PROGRAMS += fuzz/replay_profile
TESTS += fuzz/replay_profile
fuzz_replay_profile_SOURCES = fuzz/profile_fuzzer.c fuzz/replay.c
fuzz_replay_profile_CPPFLAGS = $(AM_CPPFLAGS) \
	-DREPLAY_DIRS='"fuzz/regressions/profile:fuzz/corpus/profile:tests/fixtures/profiles"'
fuzz_replay_profile_LDADD = $(REPLAY_LDADD)

check_PROGRAMS += fuzz/replay_zip
TESTS += fuzz/replay_zip
fuzz_replay_zip_SOURCES = fuzz/zip_fuzzer.c fuzz/replay.c
fuzz_replay_zip_CPPFLAGS = $(AM_CPPFLAGS) \
	-DREPLAY_DIRS='"fuzz/regressions/zip:tests/fixtures/flares:tests/fixtures/hostile"'
fuzz_replay_zip_LDADD = $(REPLAY_LDADD)

check_PROGRAMS += fuzz/replay_flaretext
TESTS += fuzz/replay_flaretext
fuzz_replay_flaretext_SOURCES = fuzz/flaretext_fuzzer.c fuzz/replay.c
fuzz_replay_flaretext_CPPFLAGS = $(AM_CPPFLAGS) \
	-DREPLAY_DIRS='"fuzz/regressions/flaretext:tests/fixtures/flarefiles"'
fuzz_replay_flaretext_LDADD = $(REPLAY_LDADD)

check_PROGRAMS += fuzz/replay_redact
TESTS += fuzz/replay_redact
fuzz_replay_redact_SOURCES = fuzz/redact_fuzzer.c fuzz/replay.c
fuzz_replay_redact_CPPFLAGS = $(AM_CPPFLAGS) \
	-DREPLAY_DIRS='"fuzz/regressions/redact:fuzz/corpus/redact:tests/fixtures/flarefiles"'
fuzz_replay_redact_LDADD = $(REPLAY_LDADD)

check_PROGRAMS += fuzz/replay_analyze
TESTS += fuzz/replay_analyze
fuzz_replay_analyze_SOURCES = fuzz/analyze_fuzzer.c fuzz/replay.c
fuzz_replay_analyze_CPPFLAGS = $(AM_CPPFLAGS) \
	-DREPLAY_DIRS='"fuzz/regressions/analyze:fuzz/corpus/analyze"'
fuzz_replay_analyze_LDADD = $(REPLAY_LDADD)

check_PROGRAMS += fuzz/replay_regexp
TESTS += fuzz/replay_regexp
fuzz_replay_regexp_SOURCES = fuzz/regexp_fuzzer.c fuzz/replay.c
fuzz_replay_regexp_CPPFLAGS = $(AM_CPPFLAGS) \
	-DREPLAY_DIRS='"fuzz/regressions/regexp:fuzz/corpus/regexp"'
fuzz_replay_regexp_LDADD = $(REPLAY_LDADD)
check_PROGRAMS += fuzz/replay_reportread
TESTS += fuzz/replay_reportread
fuzz_replay_reportread_SOURCES = fuzz/reportread_fuzzer.c fuzz/replay.c
fuzz_replay_reportread_CPPFLAGS = $(AM_CPPFLAGS) \
	-DREPLAY_DIRS='"fuzz/regressions/reportread:fuzz/corpus/reportread"'
fuzz_replay_reportread_LDADD = $(REPLAY_LDADD)
check_PROGRAMS += fuzz/replay_demangle
TESTS += fuzz/replay_demangle
fuzz_replay_demangle_SOURCES = fuzz/demangle_fuzzer.c fuzz/replay.c
fuzz_replay_demangle_CPPFLAGS = $(AM_CPPFLAGS) \
	-DREPLAY_DIRS='"fuzz/regressions/demangle:fuzz/corpus/demangle"'
fuzz_replay_demangle_LDADD = $(REPLAY_LDADD)
