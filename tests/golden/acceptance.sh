#!/usr/bin/env bash
# tests/golden/acceptance.sh -- the goldens of tests/fixtures/acceptance/
# (hostile inputs pprof reads or refuses; made by its regen.sh from
# `go tool pprof -top`), run by fixtures.sh's runner, TAP: flarewatch must
# refuse what pprof refuses and print what it prints.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd) || exit 99
src=${abs_top_srcdir:-$here/../..}
FW_GOLDEN_DIR=$src/tests/fixtures/acceptance/golden FW_PROFILES_DIR=$src/tests/fixtures/acceptance/profiles \
	exec bash "$here/fixtures.sh"
