#!/usr/bin/env bash
# tests/bench/pprof_bench.sh -- `flarewatch pprof top` against
# `go tool pprof -top`: wall time (median of BENCH_REPS runs each, stdout to
# /dev/null), the go/flarewatch ratio, flarewatch's peak RSS and the
# uncompressed profile size, one row per profile, then the target checks:
#
#   ratio >= 20 on the small real profiles, >= 10 on proftest/large.cpu,
#   flarewatch peak RSS < 3 x uncompressed size + 4 MB.
#
# Profiles: tests/fixtures/profiles/*.pb.gz and, when the shared conformance
# data is beside the source tree, pprof-testdata/{go119/*.pb.gz,
# report/sample.cpu, proftest/large.cpu}.
#
# A benchmark, not a test: it always exits 0, and says so and stops when go
# is not installed.
#
# Environment: FLAREWATCH (default ./flarewatch, else
# $abs_top_builddir/flarewatch), abs_top_srcdir (default: two levels above
# this script), BENCH_REPS (default 5), FW_CONFORMANCE_DIR (default
# $abs_top_srcdir/../shared/conformance/pprof-testdata).
#
#   bash tests/bench/pprof_bench.sh
# shellcheck source=tests/bench/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh" || exit 0
conf=${FW_CONFORMANCE_DIR:-$abs_top_srcdir/../shared/conformance/pprof-testdata}

if ! command -v go >/dev/null 2>&1 || ! go tool pprof -h >/dev/null 2>&1; then
	echo "pprof_bench: go (go tool pprof) not installed; skipping the benchmark"
	exit 0
fi

files=("$abs_top_srcdir"/tests/fixtures/profiles/*.pb.gz)
if [ -d "$conf" ]; then
	for f in "$conf"/go119/*.pb.gz "$conf"/report/sample.cpu "$conf"/proftest/large.cpu; do
		[ -f "$f" ] && files+=("$f")
	done
fi

short() {
	case $1 in
	"$abs_top_srcdir"/tests/fixtures/profiles/*) echo "fixtures/${1##*/}" ;;
	"$conf"/*) echo "${1#"$conf"/}" ;;
	*) echo "$1" ;;
	esac
}

fmt='%-34s %10s %10s %10s %8s %10s %10s  %s\n'
echo "flarewatch pprof top vs go tool pprof -top; median of $reps runs; $(go version | awk '{print $3}'); clock: $clock"
echo "process start-up floor (median /bin/true): $(median_ms /bin/true) ms"
printf "$fmt" profile raw_bytes go_ms fw_ms go/fw fw_rss_kb rss_max_kb check
printf '%s\n' "$(printf '%.0s-' {1..110})"
n_ratio_ok=0 n_ratio=0 n_rss_ok=0 n_rss=0 failures=()
for f in "${files[@]}"; do
	name=$(short "$f")
	raw=$(zcat -f -- "$f" 2>/dev/null | wc -c)
	go_ms=$(median_ms go tool pprof -top "$f")
	fw_ms=$(median_ms "$FLAREWATCH" pprof top "$f")
	rss=$(peak_kb "$FLAREWATCH" pprof top "$f")
	rss_max=$(((3 * raw + 1023) / 1024 + 4096))
	case $name in *large.cpu) want=10 ;; *) want=20 ;; esac
	checks=()
	if [ "$go_ms" = err ] || [ "$fw_ms" = err ]; then
		ratio=n/a
		checks+=("run-failed(go=$go_ms,fw=$fw_ms)")
		failures+=("$name: a run failed")
		n_ratio=$((n_ratio + 1))
	else
		ratio=$(awk -v g="$go_ms" -v w="$fw_ms" 'BEGIN { printf "%.1f", (w > 0 ? g / w : 0) }')
		n_ratio=$((n_ratio + 1))
		if awk -v r="$ratio" -v t="$want" 'BEGIN { exit !(r >= t) }'; then
			n_ratio_ok=$((n_ratio_ok + 1))
			checks+=("ratio>=$want:ok")
		else
			checks+=("ratio>=$want:FAIL")
			failures+=("$name: ratio $ratio < $want")
		fi
	fi
	case $rss in
	'' | *[!0-9]*) checks+=("rss:n/a") ;;
	*)
		n_rss=$((n_rss + 1))
		if [ "$rss" -lt "$rss_max" ]; then
			n_rss_ok=$((n_rss_ok + 1))
			checks+=("rss:ok")
		else
			checks+=("rss:FAIL")
			failures+=("$name: peak RSS ${rss} KiB >= ${rss_max} KiB")
		fi
		;;
	esac
	printf "$fmt" "$name" "$raw" "$go_ms" "$fw_ms" "$ratio" "$rss" "$rss_max" "${checks[*]}"
done
printf '%s\n' "$(printf '%.0s-' {1..110})"
if [ ${#failures[@]} -eq 0 ]; then
	verdict="ALL TARGETS MET"
else
	verdict="${#failures[@]} target(s) MISSED (rows marked FAIL)"
fi
echo "targets: ratio (>=20 small, >=10 large.cpu) $n_ratio_ok/$n_ratio ok;" \
	"peak RSS < 3x raw + 4 MiB $n_rss_ok/$n_rss ok; $verdict"
exit 0
