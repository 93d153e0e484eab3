#!/usr/bin/env bash
# tests/golden/list_hostile.sh -- `flarewatch pprof list` on hostile source
# trees and file names, made here at test time around the committed fixture
# (tests/fixtures/list): a symlink and a symlink loop in -source_path, a
# FIFO and a folder where the source file should be, a relative file name
# that climbs to /etc/passwd, lines of 65535 and 65536 bytes (bufio.Scanner's
# limit), CRLF line ends, NUL bytes in a line, the current folder as the
# default search path.
#
# Facts checked without go: the listing equals the go tool pprof golden of
# the same function (tests/fixtures/list/golden) where the source is the
# same, or its first three lines (Total, ROUTINE, totals) where pprof reads
# no line; source lines equal the file's own lines (sed). With go installed
# (and FW_LIVE_GO not 0), stdout and the exit status must also equal a live
# `go tool pprof -list` run from the same folder with the same arguments
# (not for the FIFO, on which pprof blocks forever).
set -u
# shellcheck source=../tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/../tap.sh" || exit 99
tap_flarewatch_env
tap_require_binary

fixtures=$abs_top_srcdir/tests/fixtures/list
src=$fixtures/src
prof=$fixtures/profiles/cpu.pb.gz
golden=$fixtures/golden/cpu.list_main.fillTable_source_path-..-src.txt
[ -r "$golden" ] && [ -r "$prof" ] || tap_bail "missing fixtures under $fixtures"
live_go=""
if [ "${FW_LIVE_GO:-1}" != 0 ]; then
	live_go=$(command -v go || true)
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/fw-list-hostile.XXXXXX") || tap_bail "mktemp failed"
trap 'rm -rf "$T"' EXIT

# ours CWD ARGS...: flarewatch pprof list ARGS from CWD -> $T/out, $T/err, rc
ours() {
	local cwd=$1
	shift
	(cd "$cwd" && "${tap_timeout[@]}" "$FLAREWATCH" pprof list "$@") >"$T/out" 2>"$T/err" </dev/null
	rc=$?
}

# live NAME CWD ARGS...: our $T/out and rc equal go tool pprof's
live() {
	local name=$1 cwd=$2 re=$3 grc
	shift 3
	if [ -z "$live_go" ]; then
		tap_skip "live: $name" "go is not installed"
		return
	fi
	(cd "$cwd" && env -i PATH="$PATH" TZ=UTC PPROF_BINARY_PATH=/nonexistent HOME="$T/home" \
		PPROF_TMPDIR="$T/home" "${tap_timeout[@]}" "$live_go" tool pprof -list "$re" "$@") \
		>"$T/live" 2>/dev/null </dev/null
	grc=$?
	if [ "$grc" = "$rc" ] && cmp -s "$T/live" "$T/out"; then
		tap_ok "live: $name"
	else
		tap_not_ok "live: $name" "differs from go tool pprof (status $grc, ours $rc)"
		diff -a -u "$T/live" "$T/out" | cut -c1-200 >"$T/diff"
		tap_diag_file "$T/diff" 40
	fi
}

# expect NAME FILE: our run exited 0, printed FILE, no sanitizer report
expect() {
	if [ "$rc" = 0 ] && cmp -s "$1" "$T/out" && ! tap_sanitizer_report "$T/err"; then
		tap_ok "$2"
	else
		tap_not_ok "$2" "status $rc, stdout differs from $1"
		diff -a -u "$1" "$T/out" | cut -c1-200 >"$T/diff"
		tap_diag_file "$T/diff" 40
		tap_diag_file "$T/err" 10
	fi
}
mkdir -p "$T/home"
head -n 3 "$golden" >"$T/head3"

# a symlink in -source_path: followed, as os.Open follows it
mkdir -p "$T/sym"
ln -s "$src/listfix" "$T/sym/listfix"
ours "$T" 'main\.fillTable' -source_path=sym "$prof"
expect "$golden" "symlink in -source_path: the source is listed"
live "symlink in -source_path" "$T" 'main\.fillTable' -source_path=sym "$prof"

# a symlink loop: open fails (ELOOP), the search goes on, not found
mkdir -p "$T/loop"
ln -s loop "$T/loop/listfix"
ln -s ../loop "$T/loop/loop"
ours "$T" 'main\.fillTable' -source_path=loop "$prof"
{ cat "$T/head3"; echo " Error: could not find file listfix/main.go on path loop"; } >"$T/want"
expect "$T/want" "symlink loop: pprof's not-found message"
live "symlink loop" "$T" 'main\.fillTable' -source_path=loop "$prof"

# a FIFO where the source is: never opened for a blocking read; no line
mkdir -p "$T/fifo/listfix"
if mkfifo "$T/fifo/listfix/main.go" 2>/dev/null; then
	ours "$T" 'main\.fillTable' -source_path=fifo "$prof"
	expect "$T/head3" "FIFO in the source tree: not read, no hang"
	if grep -q "not a regular file" "$T/err"; then
		tap_ok "FIFO in the source tree: named on stderr"
	else
		tap_not_ok "FIFO in the source tree: named on stderr"
		tap_diag_file "$T/err" 5
	fi
else
	tap_skip "FIFO in the source tree" "mkfifo failed"
	tap_skip "FIFO in the source tree: named on stderr" "mkfifo failed"
fi

# a folder where the source is: Go opens it and reads no line
mkdir -p "$T/dir/listfix/main.go"
ours "$T" 'main\.fillTable' -source_path=dir "$prof"
expect "$T/head3" "folder in the source tree: no line"
live "folder in the source tree" "$T" 'main\.fillTable' -source_path=dir "$prof"

# a file name that climbs out of -source_path to /etc/passwd: pprof opens
# it (filepath.Join cleans the ..), so do we
if [ -r /etc/passwd ] && command -v python3 >/dev/null; then
	cp "$prof" "$T/climb.pb.gz"
	python3 "$abs_top_srcdir/tests/analyze/pprof_edit.py" rename "$T/climb.pb.gz" listfix/main.go \
		../../../../../../../../../../../../etc/passwd
	mkdir -p "$T/x"
	ours "$T" 'main\.fillTable' -source_path=x "$T/climb.pb.gz"
	bad=0
	n=0
	while IFS= read -r line; do
		[[ $line =~ ^.{21}\ +([0-9]+):(.*)$ ]] || continue
		n=$((n + 1))
		[ "$(sed -n "${BASH_REMATCH[1]}p" /etc/passwd)" = "${BASH_REMATCH[2]}" ] || bad=1
	done <"$T/out"
	# lines first..last of the golden's listing that /etc/passwd has
	first=$(sed -n '4s/^.\{22\} *\([0-9]*\):.*/\1/p' "$golden")
	last=$(sed -n '$s/^.\{22\} *\([0-9]*\):.*/\1/p' "$golden")
	have=$(wc -l </etc/passwd)
	want_n=$(( (have < last ? have : last) - first + 1 ))
	[ "$want_n" -gt 0 ] || want_n=0
	if [ "$rc" = 0 ] && [ "$bad" = 0 ] && [ "$n" = "$want_n" ] &&
		grep -q "^ROUTINE .* in ../../../../../../../../../../../../etc/passwd$" "$T/out"; then
		tap_ok "file name climbing to /etc/passwd: its lines, as pprof prints them"
	else
		tap_not_ok "file name climbing to /etc/passwd" "status $rc, $n lines (want $want_n), mismatch $bad"
		tap_diag_file "$T/out" 20
	fi
	live "file name climbing to /etc/passwd" "$T" 'main\.fillTable' -source_path=x "$T/climb.pb.gz"
else
	tap_skip "file name climbing to /etc/passwd" "no /etc/passwd or python3"
	tap_skip "live: file name climbing to /etc/passwd" "no /etc/passwd or python3"
fi

# long lines: bufio.Scanner keeps a 65535-byte line, stops at a 65536-byte one
mkdir -p "$T/long/listfix"
{
	head -n 30 "$src/listfix/main.go"
	head -c 65535 /dev/zero | tr '\0' x
	echo
	sed -n 32p "$src/listfix/main.go"
	head -c 65536 /dev/zero | tr '\0' y
	echo
	tail -n +34 "$src/listfix/main.go"
} >"$T/long/listfix/main.go"
ours "$T" 'main\.fillTable' -source_path=long "$prof"
nums=$(sed -n '4,$p' "$T/out" | cut -c23-28 | tr -d ' ' | tr '\n' ' ')
len31=$(sed -n 's/^.\{22\}    31://p' "$T/out" | wc -c)
# the golden's listing of main.fillTable starts at line 30
if [ "$rc" = 0 ] && [ "$nums" = "30 31 32 " ] && [ "$len31" = 65536 ]; then
	tap_ok "lines of 65535 and 65536 bytes: listing stops before the longer one"
else
	tap_not_ok "long lines" "status $rc, lines '$nums', line 31 $len31 bytes"
fi
live "long lines" "$T" 'main\.fillTable' -source_path=long "$prof"

# CRLF line ends: the CR is dropped (ScanLines)
mkdir -p "$T/crlf/listfix"
sed 's/$/\r/' "$src/listfix/main.go" >"$T/crlf/listfix/main.go"
ours "$T" 'main\.fillTable' -source_path=crlf "$prof"
expect "$golden" "CRLF line ends: the same listing"
live "CRLF line ends" "$T" 'main\.fillTable' -source_path=crlf "$prof"

# NUL bytes in a source line: printed as they are
mkdir -p "$T/nul/listfix"
{
	head -n 34 "$src/listfix/main.go"
	printf '\t\th = mix(h, uint64(i))\0after-nul\n'
	tail -n +36 "$src/listfix/main.go"
} >"$T/nul/listfix/main.go"
ours "$T" 'main\.fillTable' -source_path=nul "$prof"
if [ "$rc" = 0 ] && grep -aq "after-nul" "$T/out" && [ "$(grep -ac . "$T/out")" = "$(grep -ac . "$golden")" ]; then
	tap_ok "NUL byte in a source line: the line, whole"
else
	tap_not_ok "NUL byte in a source line" "status $rc"
fi
live "NUL byte in a source line" "$T" 'main\.fillTable' -source_path=nul "$prof"

# no -source_path: the current folder and its parents
ours "$src/listfix" 'main\.fillTable' "$prof"
expect "$golden" "default search path: found from the current folder's parent"
live "default search path" "$src/listfix" 'main\.fillTable' "$prof"
ours "$T" 'main\.fillTable' "$prof"
{ cat "$T/head3"; echo " Error: could not find file listfix/main.go on path $T"; } >"$T/want"
expect "$T/want" "default search path: not found names the current folder"
live "default search path, not found" "$T" 'main\.fillTable' "$prof"

tap_finish
