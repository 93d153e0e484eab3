#!/usr/bin/env bash
# tests/golden/symnotes.sh -- pprof's notes on local binaries (stderr) and
# the reports beside them (stdout), against the goldens of `go tool pprof` in
# tests/fixtures/symnotes/golden (made by its regen.sh; MANIFEST.tsv says
# how), and against a live `go tool pprof` when `go` is installed (and
# FW_LIVE_GO is not 0). TAP.
#
# Each command runs from tests/fixtures/symnotes/profiles with env -i PATH
# TZ=UTC HOME=/ and PPROF_BINARY_PATH as the manifest says (the sanitizer
# options pass through). stdout must equal the golden; stderr must equal
# <golden>.stderr once flarewatch's own notes ("flarewatch: not
# symbolizing ...", where pprof would read a local binary) are taken out,
# and there must be as many of those as the manifest says. Then a mapping
# name holding control bytes must reach stderr escaped, and mappings naming
# a FIFO and a device must not be opened.
set -u

# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh" || exit 99
gw_require_binary

set_dir=$abs_top_srcdir/tests/fixtures/symnotes
profiles=$set_dir/profiles
manifest=$set_dir/golden/MANIFEST.tsv
[ -r "$manifest" ] || gw_bail "cannot read $manifest"
live_go=""
if [ "${FW_LIVE_GO:-1}" != 0 ]; then
	live_go=$(command -v go || true)
fi
ours_re='^flarewatch: not symbolizing '

# run_env BINPATH CMD...: CMD from $profiles in the manifest's environment
run_env() {
	local bp=$1 env
	shift
	env=(env -i PATH="$PATH" TZ=UTC HOME=/ PPROF_TMPDIR="$gw_tmp/pproftmp")
	case $bp in
	-) ;;
	'(empty)') env+=(PPROF_BINARY_PATH=) ;;
	*) env+=(PPROF_BINARY_PATH="$bp") ;;
	esac
	for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
		[ -z "${!v:-}" ] || env+=("$v=${!v}")
	done
	(cd "$profiles" && exec "${tap_timeout[@]}" "${env[@]}" "$@") >"$gw_out" 2>"$gw_err" </dev/null
}

# compare NAME RC WANT_OUT WANT_ERR OURS: our last run (gw_out, gw_err,
# exit status RC) against a reference run of pprof
compare() {
	local name=$1 rc=$2 want_out=$3 want_err=$4 ours=$5 n_ours
	if gw_sanitizer_report; then
		gw_not_ok "$name" "sanitizer report on stderr"
		gw_diag_file "$gw_err" 40
		return
	fi
	n_ours=$(grep -c "$ours_re" "$gw_err")
	grep -v "$ours_re" "$gw_err" >"$gw_tmp/err.pprof"
	if [ "$rc" -ne 0 ]; then
		gw_not_ok "$name" "flarewatch exited $rc"
		gw_diag_file "$gw_err" 20
	elif ! cmp -s "$want_out" "$gw_out"; then
		gw_not_ok "$name" "stdout differs"
		diff -u --label pprof --label flarewatch "$want_out" "$gw_out" >"$gw_tmp/diff"
		gw_diag_file "$gw_tmp/diff" 40
	elif ! cmp -s "$want_err" "$gw_tmp/err.pprof"; then
		gw_not_ok "$name" "stderr differs (flarewatch's own notes left out)"
		diff -u --label pprof --label flarewatch "$want_err" "$gw_tmp/err.pprof" >"$gw_tmp/diff"
		gw_diag_file "$gw_tmp/diff" 40
	elif [ "$n_ours" -ne "$ours" ]; then
		gw_not_ok "$name" "$n_ours notes of flarewatch's own, expected $ours"
		gw_diag_file "$gw_err" 20
	else
		gw_ok "$name"
	fi
}

while IFS=$'\t' read -r name want_rc bp ours args || [ -n "$name" ]; do
	case $name in '' | '#'*) continue ;; esac
	IFS=' ' read -r -a argv <<<"$args"
	if [ "$want_rc" != 0 ] || ! gw_map "${argv[@]}"; then
		gw_not_ok "$name" "cannot run 'go tool pprof $args' (exit status $want_rc) as a flarewatch command"
		continue
	fi
	run_env "$bp" "$FLAREWATCH" "${gw_cmd[@]}"
	rc=$?
	cp "$gw_out" "$gw_tmp/ours.out"
	cp "$gw_err" "$gw_tmp/ours.err"
	compare "$name" "$rc" "$set_dir/golden/$name" "$set_dir/golden/$name.stderr" "$ours"
	if [ -n "$live_go" ]; then
		run_env "$bp" "$live_go" tool pprof "${argv[@]}"
		mv "$gw_out" "$gw_tmp/live.out"
		mv "$gw_err" "$gw_tmp/live.err"
		cp "$gw_tmp/ours.out" "$gw_out"
		cp "$gw_tmp/ours.err" "$gw_err"
		compare "live: $name" "$rc" "$gw_tmp/live.out" "$gw_tmp/live.err" "$ours"
	fi
done <"$manifest"

# A mapping name with an escape sequence and a newline: pprof prints them
# raw; flarewatch's stderr shows them escaped, never a raw control byte.
hostile=$gw_tmp/hostile.pb.gz
cp "$profiles/missing.pb.gz" "$hostile"
if python3 "$abs_top_srcdir/tests/analyze/pprof_edit.py" mapping "$hostile" 0 \
	'file=bin/\x1b[31mred\nline' >"$gw_tmp/edit.log" 2>&1; then
	run_env /nonexistent "$FLAREWATCH" pprof top "$hostile"
	if gw_sanitizer_report; then
		gw_not_ok "hostile mapping name: escaped on stderr" "sanitizer report on stderr"
	elif LC_ALL=C grep -q $'\x1b' "$gw_err" ||
		! grep -qxF 'Local symbolization failed for \x1b[31mred\x0aline: open bin/\x1b[31mred\x0aline: no such file or directory' "$gw_err"; then
		gw_not_ok "hostile mapping name: escaped on stderr" "a raw control byte, or not the escaped note"
		gw_diag_file "$gw_err" 10
	else
		gw_ok "hostile mapping name: escaped on stderr"
	fi
else
	gw_not_ok "hostile mapping name: escaped on stderr" "pprof_edit.py failed"
	gw_diag_file "$gw_tmp/edit.log" 10
fi

# A main mapping whose file name holds a NUL byte: pprof prints every
# byte of its base name in top's File: line, in the node of a location
# without lines, and in dot's legend (live go tool pprof only).
nul=$gw_tmp/nul.pb.gz
if [ -z "$live_go" ]; then
	tap_skip "a NUL byte in the main file name: top and dot as pprof" "go not found"
elif cp "$profiles/missing.pb.gz" "$nul" &&
	python3 "$abs_top_srcdir/tests/analyze/pprof_edit.py" mapping "$nul" 0 'file=/opt/dir/ag\x00ent'; then
	for cmd in top dot; do
		run_env /nonexistent "$FLAREWATCH" pprof "$cmd" -symbolize=none "$nul"
		rc=$?
		cp "$gw_out" "$gw_tmp/ours.out"
		cp "$gw_err" "$gw_tmp/ours.err"
		run_env /nonexistent "$live_go" tool pprof "-$cmd" -symbolize=none "$nul"
		mv "$gw_out" "$gw_tmp/live.out"
		mv "$gw_err" "$gw_tmp/live.err"
		cp "$gw_tmp/ours.out" "$gw_out"
		cp "$gw_tmp/ours.err" "$gw_err"
		compare "live: a NUL byte in the main file name: $cmd" "$rc" "$gw_tmp/live.out" "$gw_tmp/live.err" 0
	done
else
	gw_not_ok "a NUL byte in the main file name" "pprof_edit.py failed"
fi

# A profile without mappings merged with one that has them: pprof's
# locateBinaries gives the first a mapping without a file before the merge,
# so the merged profile's first mapping has no file (no "File:" line) and
# the main binary is "not available" (live go tool pprof only).
if [ -z "$live_go" ]; then
	tap_skip "a profile without mappings merged with one with them" "go not found"
else
	for args in "top nomappings.pb.gz missing.pb.gz" "top -diff_base=missing.pb.gz nomappings.pb.gz" \
		"traces missing.pb.gz nomappings.pb.gz"; do
		read -r -a av <<<"$args"
		run_env /nonexistent "$FLAREWATCH" pprof "${av[@]}"
		rc=$?
		cp "$gw_out" "$gw_tmp/ours.out"
		cp "$gw_err" "$gw_tmp/ours.err"
		run_env /nonexistent "$live_go" tool pprof "-${av[0]}" "${av[@]:1}"
		mv "$gw_out" "$gw_tmp/live.out"
		mv "$gw_err" "$gw_tmp/live.err"
		cp "$gw_tmp/ours.out" "$gw_out"
		cp "$gw_tmp/ours.err" "$gw_err"
		compare "live: no mappings merged with mappings: $args" "$rc" "$gw_tmp/live.out" "$gw_tmp/live.err" 0
	done
fi

# A mapping naming a FIFO (pprof would block opening it) or a device:
# never opened, one note of flarewatch's own, and pprof's last note.
fifo=$gw_tmp/fifo
special=$gw_tmp/special.pb.gz
if mkfifo "$fifo" 2>/dev/null && cp "$profiles/three.pb.gz" "$special" &&
	python3 "$abs_top_srcdir/tests/analyze/pprof_edit.py" mapping "$special" 0 "file=$fifo" &&
	python3 "$abs_top_srcdir/tests/analyze/pprof_edit.py" mapping "$special" 1 file=/dev/zero; then
	run_env /nonexistent "$FLAREWATCH" pprof top "$special"
	rc=$?
	if [ "$rc" -ne 0 ] || gw_sanitizer_report || [ "$(grep -c "$ours_re.*: not a regular file\$" "$gw_err")" -ne 2 ] ||
		! grep -qx 'Some binary filenames not available. Symbolization may be incomplete.' "$gw_err"; then
		gw_not_ok "FIFO and device mappings: not opened, noted" "exit status $rc"
		gw_diag_file "$gw_err" 10
	else
		gw_ok "FIFO and device mappings: not opened, noted"
	fi
else
	tap_skip "FIFO and device mappings: not opened, noted" "mkfifo or pprof_edit.py failed"
fi

gw_finish
