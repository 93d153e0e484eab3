#!/usr/bin/env bash
# tests/bench/analyze_bench.sh -- `flarewatch analyze` on one flare: wall
# time (median of BENCH_REPS runs, each into a fresh output folder) and peak
# RSS, against the targets
#
#   analyze < 1 s   and   peak RSS < 64 MB
#
# and, when `go` is on PATH, the time of the equivalent `go tool pprof`
# commands run one after another on the flare's extracted profiles (per
# process P: -top -sample_index=inuse_space -diff_base=P-1st-heap P-2nd-heap,
# the same with inuse_objects, -top P-2nd-heap, -top P-cpu, -top P-block,
# -top P-mutex), with the go/flarewatch ratio. That comparison needs the zip
# extracted (bsdtar, python3's zipfile or unzip); without one it is skipped.
#
# Flare: the first ../shared/flares/*.zip beside the source tree when there
# is one, else tests/fixtures/flares/leak-*.zip, or BENCH_FLARE.
#
# A benchmark, not a test: it always exits 0.
#
# Environment: FLAREWATCH (default ./flarewatch, else
# $abs_top_builddir/flarewatch), abs_top_srcdir (default: two levels above
# this script), BENCH_REPS (default 5), BENCH_FLARE, FW_SHARED_DIR (default
# $abs_top_srcdir/../shared).
#
#   bash tests/bench/analyze_bench.sh
# shellcheck source=tests/bench/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh" || exit 0
shared=${FW_SHARED_DIR:-$abs_top_srcdir/../shared}

flare=${BENCH_FLARE:-}
if [ -z "$flare" ]; then
	for f in "$shared"/flares/*.zip "$abs_top_srcdir"/tests/fixtures/flares/leak-datadog-agent-*.zip; do
		if [ -f "$f" ]; then
			flare=$f
			break
		fi
	done
fi
if [ -z "$flare" ] || [ ! -e "$flare" ]; then
	echo "analyze_bench: no flare to analyze (no $shared/flares/*.zip, no leak fixture); skipping"
	exit 0
fi

printf '# defaults\n' >"$tmp/defaults.yaml"

run_n=0
# fw_analyze: one analysis into a fresh folder
fw_analyze() {
	run_n=$((run_n + 1))
	"$FLAREWATCH" analyze -c "$tmp/defaults.yaml" -o "$tmp/out.$run_n" "$flare"
}

echo "flarewatch analyze benchmark; median of $reps runs; clock: $clock"
echo "flare: $flare ($(wc -c <"$flare") bytes)"
echo "process start-up floor (median /bin/true): $(median_ms /bin/true) ms"
echo

fw_ms=$(median_ms fw_analyze)
verdict=$("$FLAREWATCH" analyze -c "$tmp/defaults.yaml" -o "$tmp/out.verdict" "$flare" 2>&1 | head -n 1)
rss_kb=$(peak_kb "$FLAREWATCH" analyze -c "$tmp/defaults.yaml" -o "$tmp/out.rss" "$flare")
echo "verdict:            $verdict"
echo "flarewatch analyze: $fw_ms ms (median), peak RSS $rss_kb KiB"

# ---- the same numbers with go tool pprof -----------------------------------------
go_ms=
if ! command -v go >/dev/null 2>&1 || ! go tool pprof -h >/dev/null 2>&1; then
	echo "go tool pprof:      skipped (go not installed)"
else
	x=$tmp/x
	mkdir -p "$x"
	extracted=false
	if [ -d "$flare" ]; then
		x=$flare
		extracted=true
	elif command -v bsdtar >/dev/null 2>&1; then
		bsdtar -xf "$flare" -C "$x" 2>/dev/null && extracted=true
	elif command -v python3 >/dev/null 2>&1; then
		python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
			"$flare" "$x" 2>/dev/null && extracted=true
	elif command -v unzip >/dev/null 2>&1; then
		unzip -q -d "$x" "$flare" 2>/dev/null && extracted=true
	fi
	pdir=
	$extracted && pdir=$(find "$x" -type d -name profiles | head -n 1)
	if [ -z "$pdir" ]; then
		echo "go tool pprof:      skipped (cannot extract the zip, or it has no profiles/)"
	else
		# the commands, one per line: "ARGS..." run from $pdir
		cmds=()
		for cpu in "$pdir"/*-cpu.pprof "$pdir"/*-1st-heap.pprof; do
			[ -f "$cpu" ] || continue
			p=$(basename "$cpu")
			p=${p%-cpu.pprof}
			p=${p%-1st-heap.pprof}
			case " ${procs[*]:-} " in *" $p "*) continue ;; esac
			procs+=("$p")
		done
		for p in "${procs[@]}"; do
			if [ -f "$pdir/$p-1st-heap.pprof" ] && [ -f "$pdir/$p-2nd-heap.pprof" ]; then
				cmds+=("-top -sample_index=inuse_space -diff_base=$p-1st-heap.pprof $p-2nd-heap.pprof")
				cmds+=("-top -sample_index=inuse_objects -diff_base=$p-1st-heap.pprof $p-2nd-heap.pprof")
			fi
			for k in 2nd-heap cpu block mutex; do
				[ -f "$pdir/$p-$k.pprof" ] && cmds+=("-top $p-$k.pprof")
			done
		done
		go_all() {
			local c
			for c in "${cmds[@]}"; do
				# shellcheck disable=SC2086 # the args are split on purpose
				(cd "$pdir" && exec go tool pprof $c) || return 1
			done
		}
		go_ms=$(median_ms go_all)
		echo "go tool pprof:      $go_ms ms (median) for ${#cmds[@]} commands, one after another, on processes: ${procs[*]}"
		for c in "${cmds[@]}"; do echo "                      go tool pprof $c"; done
		if [ "$go_ms" != err ] && [ "$fw_ms" != err ]; then
			echo "ratio go/flarewatch: $(awk -v g="$go_ms" -v f="$fw_ms" 'BEGIN { printf "%.1f", (f > 0 ? g / f : 0) }')"
		fi
	fi
fi

# ---- targets ---------------------------------------------------------------------------
echo
check() { # NAME OK
	if [ "$2" = yes ]; then echo "PASS  $1"; else echo "FAIL  $1"; fi
}
if [ "$fw_ms" = err ]; then
	check "analyze succeeds" no
else
	check "analyze under 1 s ($fw_ms ms)" "$(awk -v t="$fw_ms" 'BEGIN { print (t < 1000) ? "yes" : "no" }')"
fi
case $rss_kb in
n/a) echo "SKIP  peak RSS under 64 MB (no /usr/bin/time -f)" ;;
err) check "peak RSS under 64 MB (the run failed)" no ;;
*) check "peak RSS under 64 MB ($rss_kb KiB)" "$([ "$rss_kb" -lt 65536 ] && echo yes || echo no)" ;;
esac
exit 0
