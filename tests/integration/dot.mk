# tests/integration/dot.mk -- `flarewatch pprof dot`: goldens of go tool
# pprof -dot (tests/fixtures/dot, regen.sh) and -svg end to end; included
# from Makefile.am after tests/Makefile.inc.
TESTS += tests/golden/dot.sh tests/integration/dot_svg.sh
EXTRA_DIST += tests/golden/dot.sh tests/integration/dot_svg.sh tests/fixtures/dot
# graph.ShortenFunctionName cases: tests/unit/test_funcname.c, shorten_cases.h
