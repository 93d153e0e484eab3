#!/usr/bin/env bash
# tests/bench/pprof_bench.sh -- `flarewatch pprof top` against
# `go tool pprof -top`: wall time and user+sys CPU time (medians of
# BENCH_REPS runs each, stdout to /dev/null), the go/flarewatch ratios,
# flarewatch's peak RSS and the uncompressed profile size, one row per
# profile, then the target checks:
#
#   go/fw CPU ratio >= 20 on the small real profiles, >= 10 on
#   proftest/large.cpu, flarewatch peak RSS < 3 x uncompressed size + 4 MB.
#
# CPU time (the command and the children it waits for, from getrusage
# through bash's `time`) is the fair comparison on a loaded machine: wall
# time counts the time other processes held the CPU. go tool pprof runs on
# several threads, so its CPU time can exceed its wall time.
#
# Profiles: tests/fixtures/profiles/*.pb.gz and, when the shared conformance
# data is beside the source tree, pprof-testdata/{go119/*.pb.gz,
# report/sample.cpu, proftest/large.cpu}.
#
# Then, in the same run, the decode floor and every command on the large
# profiles (proftest/large.cpu and the >= 10 MB real heap profile that
# tests/bench/make-big-profile.sh makes once from Go's go/types tests,
# cached in $BENCH_DATA): `zcat` of the file, `go tool pprof -top`,
# flarewatch's top, peek, traces, tags, flamegraph, collapsed, top -lines,
# dot, dot -call_tree, list . and the file against itself
# (top -diff_base=FILE FILE), each
# with wall and CPU time, the ratios go/fw (top) and fw/zcat on CPU time,
# and each command's peak RSS against 3 x uncompressed + 4 MiB (the
# uncompressed size of both inputs for the diff). Targets: go/fw >= 20 and
# fw/zcat <= 2 for top.
#
# Last, the scaling table: large.cpu merged from 1, 4 and 16 copies, each
# copy labelled copy=N with its values times N (tests/analyze/pprof_edit.py
# addlabel, merged by `go tool pprof -proto`, so no two copies' samples
# merge): zcat, go -top and flarewatch top times (wall and CPU), flarewatch's
# CPU time per uncompressed MB, and its CPU cost relative to 1x over the
# size relative to 1x (1.0 = linear).
#
# A benchmark, not a test: it always exits 0, and says so and stops when go
# is not installed.
#
# Environment: FLAREWATCH (default ./flarewatch, else
# $abs_top_builddir/flarewatch), abs_top_srcdir (default: two levels above
# this script), BENCH_REPS (default 5), FW_CONFORMANCE_DIR (default
# $abs_top_srcdir/../shared/conformance/pprof-testdata), BENCH_DATA (where
# the generated profiles are cached; default
# tests/bench/data beside the flarewatch binary), BENCH_BIG=0 to skip the generated
# profile (making it takes a CPU minute), BENCH_SCALING=0 to skip the
# scaling table, BENCH_SMALL=0 to skip the per-profile table.
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
if [ "${BENCH_SMALL:-1}" = 0 ]; then
	files=() # only the large profiles and the scaling table
elif [ -d "$conf" ]; then
	for f in "$conf"/go119/*.pb.gz "$conf"/report/sample.cpu "$conf"/proftest/large.cpu; do
		[ -f "$f" ] && files+=("$f")
	done
fi

# measure CMD...: prints "WALL_MS CPU_MS", the medians over $reps runs
# (after one warm-up run) of the wall time and of the user+sys CPU time of
# CMD and the children it waits for (bash's `time`: getrusage, no extra
# process); "err err" if a run fails.
measure() {
	local i t0 u c walls=() cpus=() TIMEFORMAT='%3U %3S'
	"$@" >/dev/null 2>&1 || { echo err err; return; }
	for ((i = 0; i < reps; i++)); do
		stamp
		t0=$now_ns
		{ time "$@" >/dev/null 2>&1; } 2>"$tmp/cpu" || { echo err err; return; }
		stamp
		walls+=("$(((now_ns - t0) / 1000))")
		read -r u c <"$tmp/cpu"
		cpus+=("$(awk -v u="$u" -v s="$c" 'BEGIN { printf "%d", (u + s) * 1e6 }')")
	done
	printf '%s %s\n' "$(median_us "${walls[@]}")" "$(median_us "${cpus[@]}")"
}

# median_us MICROSECONDS...: the median, in milliseconds with two decimals
median_us() {
	printf '%s\n' "$@" | sort -n |
		awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
			printf "%.2f\n", m / 1e3 }'
}

# ratio A B [DECIMALS]: A / B, or "-" when either is not a number or B is 0
ratio() {
	awk -v a="$1" -v b="$2" -v d="${3:-1}" 'BEGIN {
		if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b + 0 == 0) { print "-"; exit }
		printf "%.*f\n", d, a / b }'
}

short() {
	case $1 in
	"$abs_top_srcdir"/tests/fixtures/profiles/*) echo "fixtures/${1##*/}" ;;
	"$conf"/*) echo "${1#"$conf"/}" ;;
	*) echo "${1##*/}" ;;
	esac
}

fmt='%-34s %10s %9s %9s %9s %9s %7s %7s %10s %10s  %s\n'
echo "flarewatch pprof top vs go tool pprof -top; median of $reps runs; $(go version | awk '{print $3}'); clock: $clock"
echo "process start-up floor (median /bin/true): $(measure /bin/true | awk '{ print $1 }') ms wall"
echo "_ms: wall time, _cpu: user+sys CPU time (ms); go/fw: wall ratio, go/fw_cpu: CPU ratio (checked)"
printf "$fmt" profile raw_bytes go_ms go_cpu fw_ms fw_cpu go/fw go/fw_cpu fw_rss_kb rss_max_kb check
printf '%s\n' "$(printf '%.0s-' {1..128})"
n_ratio_ok=0 n_ratio=0 n_rss_ok=0 n_rss=0 failures=()
for f in "${files[@]}"; do
	name=$(short "$f")
	raw=$(zcat -f -- "$f" 2>/dev/null | wc -c)
	read -r go_ms go_cpu <<<"$(measure go tool pprof -top "$f")"
	read -r fw_ms fw_cpu <<<"$(measure "$FLAREWATCH" pprof top "$f")"
	rss=$(peak_kb "$FLAREWATCH" pprof top "$f")
	rss_max=$(((3 * raw + 1023) / 1024 + 4096))
	case $name in *large.cpu) want=10 ;; *) want=20 ;; esac
	checks=()
	wr=$(ratio "$go_ms" "$fw_ms")
	cr=$(ratio "$go_cpu" "$fw_cpu")
	n_ratio=$((n_ratio + 1))
	if [ "$go_ms" = err ] || [ "$fw_ms" = err ]; then
		checks+=("run-failed(go=$go_ms,fw=$fw_ms)")
		failures+=("$name: a run failed")
	elif [ "$cr" = - ]; then
		checks+=("cpu-ratio:n/a")
		failures+=("$name: no CPU time measured")
	elif awk -v r="$cr" -v t="$want" 'BEGIN { exit !(r >= t) }'; then
		n_ratio_ok=$((n_ratio_ok + 1))
		checks+=("cpu-ratio>=$want:ok")
	else
		checks+=("cpu-ratio>=$want:FAIL")
		failures+=("$name: CPU ratio $cr < $want")
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
	printf "$fmt" "$name" "$raw" "$go_ms" "$go_cpu" "$fw_ms" "$fw_cpu" "$wr" "$cr" "$rss" "$rss_max" "${checks[*]}"
done
printf '%s\n' "$(printf '%.0s-' {1..128})"
if [ ${#failures[@]} -eq 0 ]; then
	verdict="ALL TARGETS MET"
else
	verdict="${#failures[@]} target(s) MISSED (rows marked FAIL)"
fi
echo "targets: go/fw CPU ratio (>=20 small, >=10 large.cpu) $n_ratio_ok/$n_ratio ok;" \
	"peak RSS < 3x raw + 4 MiB $n_rss_ok/$n_rss ok; $verdict"

# ---- the decode floor and every command on the large profiles ----------------
data=${BENCH_DATA:-$(dirname "$FLAREWATCH")/tests/bench/data}
big=()
[ -f "$conf/proftest/large.cpu" ] && big+=("$conf/proftest/large.cpu")
if [ "${BENCH_BIG:-1}" != 0 ]; then
	echo
	echo "making (or reusing) the >= 10 MB real profile in $data (go/types tests' heap profile) ..."
	if g=$(bash "$abs_top_srcdir/tests/bench/make-big-profile.sh" "$data") && [ -f "$g" ]; then
		big+=("$g")
	else
		echo "pprof_bench: could not make the large profile; skipping it"
	fi
fi

# fw_cmd NAME FILE: the flarewatch command line for a command
fw_cmd() {
	case $1 in
	peek) echo "$FLAREWATCH pprof peek . $2" ;;
	flamegraph) echo "$FLAREWATCH pprof flamegraph -o $tmp/fg.svg $2" ;;
	top-lines) echo "$FLAREWATCH pprof top -lines $2" ;;
	dot-tree) echo "$FLAREWATCH pprof dot -call_tree $2" ;;
	list) echo "$FLAREWATCH pprof list . $2" ;;
	diff) echo "$FLAREWATCH pprof top -diff_base=$2 $2" ;;
	*) echo "$FLAREWATCH pprof $1 $2" ;;
	esac
}

cfmt='%-28s %-10s %8s %8s %9s %9s %9s %9s %7s %8s %10s %10s  %s\n'
for f in "${big[@]}"; do
	name=$(short "$f")
	raw=$(zcat -f -- "$f" | wc -c)
	gz=$(wc -c <"$f")
	rss_max=$(((3 * raw + 1023) / 1024 + 4096))
	read -r zc_ms zc_cpu <<<"$(measure zcat -f -- "$f")"
	read -r go_ms go_cpu <<<"$(measure go tool pprof -top "$f")"
	echo
	echo "$name: $gz bytes gzipped, $raw uncompressed; zcat $zc_ms ms wall, $zc_cpu ms CPU;" \
		"go tool pprof -top $go_ms ms wall, $go_cpu ms CPU; RSS bound 3x raw + 4 MiB = $rss_max KiB"
	echo "(_ms: wall time, _cpu: user+sys CPU time, ms; the ratios and checks are on CPU time)"
	printf "$cfmt" profile command zcat_ms zcat_cpu go_ms go_cpu fw_ms fw_cpu go/fw fw/zcat fw_rss_kb rss_max_kb check
	for c in top peek traces tags flamegraph collapsed top-lines dot dot-tree list diff; do
		bound=$rss_max
		[ "$c" = diff ] && bound=$(((6 * raw + 1023) / 1024 + 4096)) # two inputs
		# shellcheck disable=SC2046 # the command line is split on purpose
		read -r fw_ms fw_cpu <<<"$(measure $(fw_cmd "$c" "$f"))"
		# shellcheck disable=SC2046
		rss=$(peak_kb $(fw_cmd "$c" "$f"))
		checks=()
		gr=- zr=$(ratio "$fw_cpu" "$zc_cpu" 2)
		if [ "$c" = top ]; then
			gr=$(ratio "$go_cpu" "$fw_cpu")
			if awk -v r="$gr" 'BEGIN { exit !(r != "-" && r >= 20) }'; then checks+=("go/fw>=20:ok"); else checks+=("go/fw>=20:FAIL"); fi
			if awk -v r="$zr" 'BEGIN { exit !(r != "-" && r <= 2) }'; then checks+=("fw/zcat<=2:ok"); else checks+=("fw/zcat<=2:FAIL"); fi
		fi
		case $rss in
		'' | *[!0-9]*) checks+=("rss:n/a") ;;
		*) if [ "$rss" -le "$bound" ]; then checks+=("rss:ok"); else checks+=("rss:FAIL"); fi ;;
		esac
		[ "$fw_ms" = err ] && checks+=("run-failed")
		if [ "$c" = top ]; then gcol=$go_ms gcpu=$go_cpu; else gcol=- gcpu=-; fi
		printf "$cfmt" "$name" "$c" "$zc_ms" "$zc_cpu" "$gcol" "$gcpu" "$fw_ms" "$fw_cpu" "$gr" "$zr" \
			"$rss" "$bound" "${checks[*]}"
	done
done

# ---- scaling: 1x, 4x, 16x ----------------------------------------------------
if [ "${BENCH_SCALING:-1}" != 0 ] && [ -f "$conf/proftest/large.cpu" ] && command -v python3 >/dev/null 2>&1; then
	mkdir -p "$data" || exit 0
	edit=$abs_top_srcdir/tests/analyze/pprof_edit.py
	# copies 1..16 of large.cpu, copy N labelled copy=N with values times N
	for i in $(seq 1 16); do
		c=$data/large.copy$i.pb.gz
		if [ ! -s "$c" ]; then
			cp "$conf/proftest/large.cpu" "$c.tmp" && chmod u+w "$c.tmp" &&
				python3 "$edit" addlabel "$c.tmp" copy "$i" "$i" && mv "$c.tmp" "$c"
		fi
	done
	for n in 1 4 16; do
		m=$data/large.x$n.pb.gz
		if [ ! -s "$m" ]; then
			if [ "$n" = 1 ]; then
				cp "$conf/proftest/large.cpu" "$m"
			else
				srcs=()
				for i in $(seq 1 "$n"); do srcs+=("$data/large.copy$i.pb.gz"); done
				go tool pprof -proto "${srcs[@]}" >"$m.tmp" 2>/dev/null && mv "$m.tmp" "$m"
			fi
		fi
	done
	echo
	echo "scaling: proftest/large.cpu merged from N labelled copies (go tool pprof -proto); pprof top"
	echo "(_ms: wall time, _cpu: user+sys CPU time, ms; go/fw, fw_cpu/MB and linearity on CPU time)"
	sfmt='%-6s %12s %11s %8s %8s %9s %9s %8s %8s %6s %9s %10s %9s  %s\n'
	printf "$sfmt" size raw_bytes gz_bytes zcat_ms zcat_cpu go_ms go_cpu fw_ms fw_cpu go/fw fw_cpu/MB fw_rss_kb linearity check
	base_cpu= base_raw=
	for n in 1 4 16; do
		m=$data/large.x$n.pb.gz
		[ -s "$m" ] || { echo "${n}x: could not be made; skipped"; continue; }
		raw=$(zcat -f -- "$m" | wc -c)
		gz=$(wc -c <"$m")
		read -r zc_ms zc_cpu <<<"$(measure zcat -f -- "$m")"
		read -r go_ms go_cpu <<<"$(measure go tool pprof -top "$m")"
		read -r fw_ms fw_cpu <<<"$(measure "$FLAREWATCH" pprof top "$m")"
		rss=$(peak_kb "$FLAREWATCH" pprof top "$m")
		rss_max=$(((3 * raw + 1023) / 1024 + 4096))
		gr=$(ratio "$go_cpu" "$fw_cpu")
		per=$(awk -v w="$fw_cpu" -v r="$raw" 'BEGIN { printf "%.2f", w / (r / 1048576) }')
		[ -z "$base_cpu" ] && base_cpu=$fw_cpu base_raw=$raw
		lin=$(awk -v w="$fw_cpu" -v b="$base_cpu" -v r="$raw" -v br="$base_raw" \
			'BEGIN { if (b > 0) printf "%.2f", (w / b) / (r / br); else print "-" }')
		case $rss in
		'' | *[!0-9]*) chk="rss:n/a" ;;
		*) if [ "$rss" -le "$rss_max" ]; then chk="rss:ok"; else chk="rss:FAIL(max $rss_max)"; fi ;;
		esac
		printf "$sfmt" "${n}x" "$raw" "$gz" "$zc_ms" "$zc_cpu" "$go_ms" "$go_cpu" "$fw_ms" "$fw_cpu" "$gr" "$per" \
			"$rss" "$lin" "$chk"
	done
fi
echo
echo "machine load (uptime):$(uptime | sed 's/.*load average//')"
exit 0
