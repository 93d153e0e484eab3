# tests/integration/flamegraph.mk -- flame graphs end to end (`flarewatch
# pprof flamegraph`, the report's SVGs) against go tool pprof; included from
# Makefile.am after tests/Makefile.inc (which sets up the TAP driver).
TESTS += tests/integration/flamegraph.sh
EXTRA_DIST += tests/integration/flamegraph.sh tests/integration/flamegraph_check.py
