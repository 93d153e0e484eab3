# tests/integration/merge.mk -- `flarewatch pprof merge` end to end; included
# from Makefile.am after tests/Makefile.inc (which sets up the TAP driver).
TESTS += tests/integration/merge.sh
EXTRA_DIST += tests/integration/merge.sh
# every command's --help lists exactly the flags it takes
TESTS += tests/integration/pprofhelp.sh
EXTRA_DIST += tests/integration/pprofhelp.sh
# regexp arguments read like go tool pprof's (Go's RE2 syntax and errors)
TESTS += tests/integration/regexp_pprof.sh
EXTRA_DIST += tests/integration/regexp_pprof.sh
