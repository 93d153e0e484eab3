#!/usr/bin/env bash
# tests/golden/foreign.sh -- the goldens of tests/fixtures/foreign/ (real
# profiles whose names pprof simplifies for display, or which hold NUL bytes
# and invalid UTF-8; made by tests/fixtures/foreign/make.sh), run by
# fixtures.sh's runner, TAP.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd) || exit 99
src=${abs_top_srcdir:-$here/../..}
FW_GOLDEN_DIR=$src/tests/fixtures/foreign/golden FW_PROFILES_DIR=$src/tests/fixtures/foreign \
	exec bash "$here/fixtures.sh"
