#!/usr/bin/env bash
# tests/golden/list.sh -- the goldens of tests/fixtures/list (pprof -list:
# annotated source of a committed Go program, -source_path, -trim_path,
# not-found forms, hostile file names; recorded from `go tool pprof` by
# tests/fixtures/list/regen.sh), run by fixtures.sh, with a live
# `go tool pprof` comparison when go is installed.
FW_FIXTURES_SET=list exec bash "$(dirname "${BASH_SOURCE[0]}")/fixtures.sh" "$@"
