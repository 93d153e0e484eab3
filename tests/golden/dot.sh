#!/usr/bin/env bash
# tests/golden/dot.sh -- the goldens of `go tool pprof -dot` in
# tests/fixtures/dot/golden (recorded by tests/fixtures/dot/regen.sh from
# cwd tests/fixtures), run by fixtures.sh's runner against
# `flarewatch pprof dot`, and compared with a live go tool pprof when `go`
# is installed. TAP.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd) || exit 99
src=${abs_top_srcdir:-$here/../..}
FW_GOLDEN_DIR=$src/tests/fixtures/dot/golden FW_PROFILES_DIR=$src/tests/fixtures FW_GOLDEN_LIVE=1 \
	exec bash "$here/fixtures.sh"
