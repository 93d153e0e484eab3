#!/usr/bin/env bash
# tests/integration/regexp_pprof.sh -- `flarewatch pprof` reads its regexp
# arguments as `go tool pprof` does (Go's RE2 syntax, src/base/regexp.c):
# for each regexp, `top -focus`, `top -ignore` and `peek` print what the
# live `go tool pprof -top -focus/-ignore`, `-peek` prints on the same
# profiles (stdout byte for byte), and an invalid regexp fails with
# pprof's message. Skips when go is not installed. TAP.
set -u
. "$abs_top_srcdir/tests/tap.sh"
FLAREWATCH=${FLAREWATCH:-$abs_top_builddir/flarewatch}
[ -x "$FLAREWATCH" ] || tap_bail "flarewatch binary not found: $FLAREWATCH"
if ! command -v go >/dev/null 2>&1 || ! go tool pprof -h >/dev/null 2>&1; then
	tap_skip "regexps read like go tool pprof's" "go is not installed"
	tap_finish
	exit 0
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# heap1 through the three, cpu through -focus only (go tool pprof takes
# about a second a run here)
profs="heap1.pb.gz cpu.pb.gz"
# the issue's cases first, then Unicode classes, folding, anchors, errors
regexps=(
	'\p{L}' '(?P<name>runtime)\.' '[^\x00-\x7f]' 'wolfram**' '(?<name>x)'
	'(?i)RUNTIME\.M' '^main\.' 'alloc$' '\bsync\b' '\p{Lu}\p{Ll}+' '[[:upper:]]'
	'\Qruntime.\E(?:malloc|gc)' 'a{2,1}' '(?i)\P{Ll}\d' 'x{1001}' '[z-a]' ')'
)
for p in $profs; do
	prof=$abs_top_srcdir/tests/fixtures/profiles/$p
	for re in "${regexps[@]}"; do
		modes="focus ignore peek"
		[ "$p" = cpu.pb.gz ] && modes=focus
		for mode in $modes; do
			if [ $mode = peek ]; then
				go tool pprof -peek="$re" "$prof" >"$T/go.out" 2>"$T/go.err"
				grc=$?
				"$FLAREWATCH" pprof peek "$re" "$prof" >"$T/fw.out" 2>"$T/fw.err"
				frc=$?
			else
				go tool pprof -top -$mode="$re" "$prof" >"$T/go.out" 2>"$T/go.err"
				grc=$?
				"$FLAREWATCH" pprof top -$mode="$re" "$prof" >"$T/fw.out" 2>"$T/fw.err"
				frc=$?
			fi
			name="$p $mode $re"
			if grep -q 'regexp' "$T/go.err"; then
				# Go refuses the regexp: the same message, a failure
				want=$(grep 'regexp' "$T/go.err")
				if [ $frc -ne 0 ] && grep -qxF "flarewatch: $want" "$T/fw.err"; then
					tap_ok "$name: refused like go tool pprof"
				else
					tap_not_ok "$name: refused like go tool pprof" \
						"want: $want" "got (exit $frc): $(cat "$T/fw.err")"
				fi
			elif [ $grc -ne 0 ]; then
				# peek without a match: both fail
				if [ $frc -ne 0 ]; then
					tap_ok "$name: fails like go tool pprof"
				else
					tap_not_ok "$name: fails like go tool pprof" "$(cat "$T/go.err")"
				fi
			elif cmp -s "$T/go.out" "$T/fw.out" && [ $frc -eq 0 ]; then
				tap_ok "$name: output identical to go tool pprof's"
			else
				tap_not_ok "$name: output identical to go tool pprof's" \
					"exit $frc: $(cat "$T/fw.err")" "$(diff "$T/go.out" "$T/fw.out" | head -20)"
			fi
		done
	done
done
tap_finish
