#!/bin/bash
# tests/analyze/overrides.sh -- `flarewatch analyze --set KEY=VALUE`: one
# setting of the configuration overridden from the command line, after the
# file, with the file's own checks. The leak fixture (30.42 MB per 30 s,
# tests/fixtures/flares/measured.tsv) is a MEMORY LEAK with the defaults and
# not one with both leak thresholds raised past its growth. TAP on stdout;
# see tests/analyze/common.sh.

# shellcheck source=tests/analyze/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
fa_require_binary

leak=$abs_top_srcdir/tests/fixtures/flares/leak-datadog-agent-2024-10-02T14-21-52Z-info.zip
[ -f "$leak" ] || fa_bail "no $leak"
out=$fa_tmp/inv

fa_run "$fa_tmp/base" analyze -o "$out/base" "$leak"
fa_check_rc "the leak fixture with the defaults: exit 0" 0
fa_check "... is a MEMORY LEAK" grep -q ': MEMORY LEAK: ' "$fa_tmp/base.out"

fa_run "$fa_tmp/raised" analyze -o "$out/raised" \
	--set thresholds.leak_growth_per_30s=1GiB --set=thresholds.leak_min_growth_per_30s=1GiB \
	--set 'report.greeting=Hello from overrides.sh' "$leak"
fa_check_rc "--set raising both leak thresholds past 30.42 MB: exit 0" 0
fa_check "... is no MEMORY LEAK" eval '! grep -q "MEMORY LEAK" "$fa_tmp/raised.out"'
fa_check "... and a string setting reaches the report (report.greeting)" \
	grep -rqF 'Hello from overrides.sh' "$out/raised"

# refusals: exit 2, the key and the problem named, nothing analyzed
refused() { # NAME WANT-IN-STDERR ARGS...
	local name=$1 want=$2
	shift 2
	fa_run "$fa_tmp/refused" analyze -o "$out/refused" "$@" "$leak"
	fa_check_rc "$name: exit 2" 2
	fa_check "... names the problem ($want)" grep -qF -- "$want" "$fa_tmp/refused.err"
	fa_check "... and analyzes nothing" test ! -e "$out/refused"
}
refused "--set with an unknown key" 'unknown configuration key "thresholds.nope"' --set thresholds.nope=1
refused "--set with a bad value" 'invalid value for "workers"' --set workers=many
refused "--set without =" '--set needs KEY=VALUE' --set workers
refused "--set breaking a cross-field check" 'must not be incoming_dir or inside it' \
	--set incoming_dir=/srv/flares --set state_dir=/srv/flares/state
fa_finish
