#!/usr/bin/env bash
# fuzz/run.sh -- run libFuzzer harnesses for a while each; what
# `make fuzz-run` calls (fuzz/Makefile.inc), from the build directory.
#
#   bash fuzz/run.sh SRCDIR SECONDS HARNESS...
#                   HARNESS: profile zip flaretext redact analyze regexp demangle
#   e.g. the long run of the whole analysis, from the build directory:
#   bash ../src/fuzz/run.sh ../src 1800 analyze
#
# Each harness fuzz/<name>_fuzzer (built by `make fuzz`) runs for SECONDS
# over a fresh copy of its seeds in fuzz/corpus-run-<name>/, with its
# dictionary if there is one, replaying fuzz/regressions/<name>/ first. The
# seeds are the ones `make check` replays (fuzz/replay.mk): keep the
# two lists alike. Crashes go to fuzz/crash-* (leak-*, timeout-*, oom-*).
# libFuzzer's output is kept in fuzz/run-<name>.log; at the end of each
# harness one line sums the run up: wall time, executions, exec/s, the
# last coverage figures (cov: ft: corp:) and the artifacts written.
# FUZZ_FLAGS adds libFuzzer flags, e.g. FUZZ_FLAGS='-fork=1
# -ignore_crashes=1' to go on past a crash (one job: the default).
# Exit status: that of the first harness that failed, else 0.
set -u

[ $# -ge 3 ] || { echo "usage: $0 SRCDIR SECONDS HARNESS..." >&2; exit 2; }
src=$1 seconds=$2
shift 2

seeds() {
	case $1 in
	profile) echo "fuzz/corpus/profile tests/fixtures/profiles tests/fixtures/list/profiles" ;;
	zip) echo "tests/fixtures/flares tests/fixtures/hostile" ;;
	flaretext) echo "tests/fixtures/flarefiles" ;;
	redact) echo "fuzz/corpus/redact tests/fixtures/flarefiles" ;;
	analyze) echo "fuzz/corpus/analyze" ;;
	regexp) echo "fuzz/corpus/regexp" ;;
	reportread) echo "fuzz/corpus/reportread" ;;
	demangle) echo "fuzz/corpus/demangle" ;;
	*) return 1 ;;
	esac
}

# per-harness flags: zips are kept small, the seed bombs notwithstanding
flags() {
	case $1 in
	zip) echo "-max_len=65536" ;;
	# the largest seed (a 145 kB goroutine dump) fits
	analyze) echo "-max_len=262144" ;;
	demangle) echo "-max_len=4096" ;;
	esac
}

# One line from libFuzzer's log: the final stats and the last status line.
summary() {
	local h=$1 log=$2 wall=$3 rc=$4 stamp=$5 execs eps last cov ft corp found
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	last=$(grep -E '^#[0-9]+.* cov: ' "$log" | tail -n 1)
	# -fork prints no stat:: lines; its status lines are "#N: cov: .. corp: N exec/s N"
	[ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9]*\).*/\1/p' <<<"$last")
	[ -n "$eps" ] || eps=$(sed -n 's/.* exec\/s:\{0,1\} \([0-9]*\).*/\1/p' <<<"$last")
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
	corp=$(sed -n 's/.* corp: \([0-9]*\(\/[0-9A-Za-z]*\)\{0,1\}\).*/\1/p' <<<"$last")
	found=$(find fuzz -maxdepth 1 -type f -newer "$stamp" \
		\( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | sort | tr '\n' ' ')
	echo "=== $h summary: wall ${wall}s, executions ${execs:-?}, exec/s ${eps:-?}," \
		"cov ${cov:-?}, ft ${ft:-?}, corp ${corp:-?}, exit $rc, findings: ${found:-none}"
}

status=0
for h in "$@"; do
	bin=fuzz/${h}_fuzzer
	list=$(seeds "$h") || { echo "fuzz/run.sh: unknown harness '$h'" >&2; exit 2; }
	[ -x "$bin" ] || { echo "fuzz/run.sh: $bin not built (make fuzz)" >&2; exit 2; }
	run=fuzz/corpus-run-$h
	rm -rf "$run" && mkdir -p "$run" || exit 2
	for d in $list; do
		find "$src/$d" -maxdepth 1 -type f -exec cp {} "$run/" \;
	done
	dict=()
	[ -f "$src/fuzz/$h.dict" ] && dict=(-dict="$src/fuzz/$h.dict")
	regress=()
	[ -d "$src/fuzz/regressions/$h" ] && regress=("$src/fuzz/regressions/$h")
	echo "=== $h: $seconds s over $(find "$run" -type f | wc -l) seeds"
	log=fuzz/run-$h.log stamp=fuzz/.run-$h.stamp
	: >"$stamp" && sleep 1
	start=$(date +%s)
	# shellcheck disable=SC2046,SC2086  # flags are words
	"$bin" -rss_limit_mb=2048 -timeout=10 -max_total_time="$seconds" -print_final_stats=1 \
		$(flags "$h") ${FUZZ_FLAGS:-} "${dict[@]}" -artifact_prefix=fuzz/ "$run" "${regress[@]}" \
		2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	wall=$(($(date +%s) - start))
	summary "$h" "$log" "$wall" "$rc" "$stamp"
	rm -f "$stamp"
	[ "$rc" -eq 0 ] || [ "$status" -ne 0 ] || status=$rc
done
exit "$status"
