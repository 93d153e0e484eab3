#!/usr/bin/env bash
# fuzz/run.sh -- run libFuzzer harnesses for a while each; what
# `make fuzz-run` calls (fuzz/Makefile.inc), from the build directory.
#
#   bash fuzz/run.sh SRCDIR SECONDS HARNESS...     HARNESS: profile zip flaretext redact
#
# Each harness fuzz/<name>_fuzzer (built by `make fuzz`) runs for SECONDS
# over a fresh copy of its seeds in fuzz/corpus-run-<name>/, with its
# dictionary if there is one, replaying fuzz/regressions/<name>/ first. The
# seeds are the ones `make check` replays (tests/fuzz/replay.mk): keep the
# two lists alike. Crashes go to fuzz/crash-* (leak-*, timeout-*, oom-*).
# Exit status: that of the first harness that failed, else 0.
set -u

[ $# -ge 3 ] || { echo "usage: $0 SRCDIR SECONDS HARNESS..." >&2; exit 2; }
src=$1 seconds=$2
shift 2

seeds() {
	case $1 in
	profile) echo "fuzz/corpus/profile tests/fixtures/profiles" ;;
	zip) echo "tests/fixtures/flares tests/fixtures/hostile tests/fixtures/hostile-zips" ;;
	flaretext) echo "tests/fixtures/flarefiles" ;;
	redact) echo "fuzz/corpus/redact tests/fixtures/flarefiles" ;;
	*) return 1 ;;
	esac
}

# per-harness flags: zips are kept small, the seed bombs notwithstanding
flags() {
	case $1 in
	zip) echo "-max_len=65536" ;;
	esac
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
	# shellcheck disable=SC2046  # flags are words
	"$bin" -rss_limit_mb=2048 -timeout=10 -max_total_time="$seconds" -print_final_stats=1 \
		$(flags "$h") "${dict[@]}" -artifact_prefix=fuzz/ "$run" "${regress[@]}"
	rc=$?
	[ "$rc" -eq 0 ] || [ "$status" -ne 0 ] || status=$rc
done
exit "$status"
