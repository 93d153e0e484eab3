#!/bin/bash
# tests/analyze/markdown.sh -- the whole Markdown report of some fixture
# flares against the goldens in tests/fixtures/golden-md/ (<scenario>.md,
# written by that folder's regen.sh from our own binary: regression goldens,
# see its README.md). A mismatch prints `diff -u golden actual` as "# " lines.
# TAP on stdout; see tests/analyze/common.sh for the environment.

# shellcheck source=tests/analyze/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
fa_require_binary

gdir=$abs_top_srcdir/tests/fixtures/golden-md
FW_DIFF_LINES=${FW_DIFF_LINES:-200}

# The goldens regen.sh writes; each must be there.
for scen in leak contention; do
	golden=$gdir/$scen.md
	name="$scen: Markdown report equals tests/fixtures/golden-md/$scen.md"
	if [ ! -f "$golden" ]; then
		fa_not_ok "$name" "golden missing: $golden (bash tests/fixtures/golden-md/regen.sh)"
		continue
	fi
	zip=$(fa_fixture_zips | grep "/$scen-datadog-agent-" | head -n 1)
	if [ -z "$zip" ]; then
		fa_not_ok "$name" "no $scen-*.zip in $fa_flares"
		continue
	fi
	fa_run "$fa_tmp/$scen" analyze -c "$fa_cfg" -o "$fa_tmp/out-$scen" "$zip"
	if [ "$fa_rc" -ne 0 ] || fa_sanitizer_report "$fa_tmp/$scen.err"; then
		fa_not_ok "$name" "flarewatch failed"
		fa_describe_run
		continue
	fi
	md=$(find "$fa_tmp/out-$scen" -name 'flare-profiling-*.md')
	if [ "$(printf '%s\n' "$md" | grep -c .)" -ne 1 ]; then
		fa_not_ok "$name" "expected one report, found: $md"
		continue
	fi
	# the goldens are written with graphviz's dot installed
	if ! command -v dot >/dev/null 2>&1; then
		sed -E 's/^Call graph: \[[^]]*\]\([^)]*\)$/Call graph not drawn: graphviz (dot) is not installed./' \
			"$golden" >"$fa_tmp/$scen.golden"
		golden=$fa_tmp/$scen.golden
	fi
	if cmp -s "$golden" "$md"; then
		fa_ok "$name"
	else
		fa_not_ok "$name" "the report differs from the golden (if the change is intended:" \
			"bash tests/fixtures/golden-md/regen.sh, then review git diff)"
		diff -u --label "golden/$scen.md" --label "actual/$scen.md" "$golden" "$md" >"$fa_tmp/$scen.diff"
		fa_diag_file "$fa_tmp/$scen.diff" "$FW_DIFF_LINES"
	fi
done

fa_finish
