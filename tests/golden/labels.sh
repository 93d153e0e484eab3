#!/usr/bin/env bash
# tests/golden/labels.sh -- the goldens of tests/fixtures/labels (pprof -tags,
# the tag filters and -hide/-show/-show_from/-prune_from, recorded from
# `go tool pprof` by tests/fixtures/labels/regen.sh), run by fixtures.sh.
FW_FIXTURES_SET=labels exec bash "$(dirname "${BASH_SOURCE[0]}")/fixtures.sh" "$@"
