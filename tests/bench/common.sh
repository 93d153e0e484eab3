# shellcheck shell=bash
# tests/bench/common.sh -- shared by the benchmarks (analyze_bench.sh,
# pprof_bench.sh); sourced, never run. Bash only.
#
# Sets up what both need, or exits 0 with a message when there is nothing to
# measure (a benchmark is not a test, it never fails):
#   abs_top_srcdir, abs_top_builddir  (defaults: two levels above this file)
#   FLAREWATCH  the binary; default ./flarewatch, else
#               $abs_top_builddir/flarewatch; made absolute
#   reps        runs per measurement: BENCH_REPS, default 5
#   tmp         a private folder, removed on exit
#   clock       how stamp reads the wall clock, for the report
# and defines stamp, median_ms and peak_kb below. TZ=UTC, LC_ALL=C and
# `set -u` apply to the benchmark.
set -u
export TZ=UTC LC_ALL=C

# the benchmark's name for messages: its file name without .sh
bench_name=$(basename "${BASH_SOURCE[1]}" .sh)

bench_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd) || exit 0
: "${abs_top_srcdir:=$bench_here/../..}"
abs_top_srcdir=$(cd "$abs_top_srcdir" && pwd) || exit 0
: "${abs_top_builddir:=$abs_top_srcdir}"
reps=${BENCH_REPS:-5}
case $reps in '' | *[!0-9]* | 0) reps=5 ;; esac

if [ -z "${FLAREWATCH:-}" ]; then
	FLAREWATCH=./flarewatch
	[ -x "$FLAREWATCH" ] || FLAREWATCH=$abs_top_builddir/flarewatch
fi
case $FLAREWATCH in /*) ;; *) FLAREWATCH=$PWD/$FLAREWATCH ;; esac
if [ ! -x "$FLAREWATCH" ] || [ -d "$FLAREWATCH" ]; then
	echo "$bench_name: flarewatch binary not found: $FLAREWATCH (run make first); skipping"
	exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fw-$bench_name.XXXXXX") || exit 0
trap 'rm -rf "$tmp"' EXIT

# stamp: sets now_ns to the wall clock in nanoseconds. bash 5's
# EPOCHREALTIME (microseconds) costs no process; `date +%s%N` adds a fork and
# exec (~1 ms) to every sample, which matters when flarewatch itself takes a
# few milliseconds.
# shellcheck disable=SC2034 # clock is for the benchmarks' reports
if [ -n "${EPOCHREALTIME:-}" ]; then
	clock="bash EPOCHREALTIME"
	stamp() { now_ns=${EPOCHREALTIME/[.,]/}000; }
else
	clock="date +%s%N"
	stamp() { now_ns=$(date +%s%N); }
fi

# median_ms CMD...: median wall time over $reps runs, in milliseconds with
# two decimals; "err" if any run fails. One warm-up run first (page cache).
median_ms() {
	local i t0 ts=()
	"$@" >/dev/null 2>&1 || { echo err; return; }
	for ((i = 0; i < reps; i++)); do
		stamp
		t0=$now_ns
		"$@" >/dev/null 2>&1 || { echo err; return; }
		stamp
		ts+=($((now_ns - t0)))
	done
	printf '%s\n' "${ts[@]}" | sort -n |
		awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
			printf "%.2f\n", m / 1e6 }'
}

timebin=
if [ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1; then
	timebin=/usr/bin/time
fi

# peak_kb CMD...: peak RSS of one run in KiB (VmHWM via /usr/bin/time); n/a
# without a /usr/bin/time that takes -f, "err" if the run fails.
peak_kb() {
	if [ -z "$timebin" ]; then
		echo n/a
		return
	fi
	"$timebin" -f %M -o "$tmp/rss" "$@" >/dev/null 2>&1 || { echo err; return; }
	tail -n 1 "$tmp/rss"
}
