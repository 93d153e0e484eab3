#!/usr/bin/env bash
# tests/integration/flamegraph.sh -- flame graphs end to end, TAP.
#
# Checks, on the committed profiles (tests/fixtures/profiles/) and on the
# contention fixture flare:
#  - `flarewatch pprof flamegraph -diff_base=heap1 heap2` (the differential
#    graph pprof's own flame graph cannot draw, google/pprof#483), the CPU,
#    block and mutex graphs, and every SVG `flarewatch analyze` writes
#    (CPU, heap growth, block and mutex delay) are well-formed XML (xmllint);
#  - every frame's value and percentage against `go tool pprof`
#    (flamegraph_check.py: the frames rebuilt from -traces, the total growth
#    from -top's positive flat values, the total from -top), growth colours
#    (red grew, blue shrank), runtime frames grey in the component-coloured
#    graphs, labels shortened to the last package path element and symbol;
#    skipped without go;
#  - the report links the delay flame graphs and report.json names them;
#  - optionally, headless chromium renders one SVG (skipped without it).
#
# Environment: FLAREWATCH, abs_top_srcdir, abs_top_builddir as in
# tests/integration/merge.sh (`make check` sets them, and TZ=UTC).
#
#   bash tests/integration/flamegraph.sh
set -u
export TZ=UTC LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd) || exit 99
# shellcheck source=tests/tap.sh
. "$here/../tap.sh" || exit 99
tap_flarewatch_env
tap_require_binary
profiles=$abs_top_srcdir/tests/fixtures/profiles
flare=$abs_top_srcdir/tests/fixtures/flares/contention-datadog-agent-2024-10-02T14-21-52Z-info.zip
check=$here/flamegraph_check.py
[ -r "$profiles/heap1.pb.gz" ] && [ -r "$flare" ] || tap_bail "missing fixtures ($profiles, $flare)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fw-flamegraph.XXXXXX") || tap_bail "cannot create a temporary directory"
trap 'rm -rf "$tmp"' EXIT

have_go=false
if command -v go >/dev/null 2>&1 && go tool pprof -h >/dev/null 2>&1; then
	have_go=true
fi
have_xmllint=false
command -v xmllint >/dev/null 2>&1 && have_xmllint=true

# ok_if NAME COMMAND...: ok if COMMAND succeeds, its output shown on failure.
ok_if() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		tap_ok "$name"
	else
		tap_not_ok "$name"
		printf '%s\n' "$out" | sed -n '1,40p' | sed 's/^/# /'
	fi
}

wellformed() { # NAME SVG
	if $have_xmllint; then
		ok_if "$1: well-formed XML (xmllint)" xmllint --noout "$2"
	else
		tap_skip "$1: well-formed XML (xmllint)" "xmllint not installed"
	fi
}

# against NAME SVG UNIT MODE [--classes] -- PPROF_ARGS...: the SVG's frames
# against go tool pprof -traces/-top with PPROF_ARGS.
against() {
	local name=$1 svg=$2 unit=$3 mode=$4 classes=""
	shift 4
	if [ "$1" = --classes ]; then
		classes=--classes
		shift
	fi
	shift # --
	if ! $have_go; then
		tap_skip "$name: frames, values and percentages match go tool pprof" "go not installed"
		return
	fi
	if ! go tool pprof -traces -unit="$unit" "$@" >"$tmp/traces" 2>"$tmp/go.err" ||
		! go tool pprof -top -nodefraction=0 -nodecount=1000000 -unit="$unit" "$@" >"$tmp/top" 2>>"$tmp/go.err"; then
		tap_not_ok "$name: go tool pprof $*" "$(head -5 "$tmp/go.err")"
		return
	fi
	# shellcheck disable=SC2086 # classes is one flag or nothing
	ok_if "$name: frames, values, percentages, colours and labels match go tool pprof ($mode)" \
		python3 "$check" "$svg" "$tmp/traces" "$tmp/top" "$mode" $classes
}

# ---- flarewatch pprof flamegraph ------------------------------------------------

"$FLAREWATCH" pprof flamegraph -diff_base="$profiles/heap1.pb.gz" -o "$tmp/diff.svg" "$profiles/heap2.pb.gz" \
	>"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 0 ] && [ -s "$tmp/diff.svg" ] && [ ! -s "$tmp/err" ]; then
	tap_ok "pprof flamegraph -diff_base: writes the SVG"
else
	tap_not_ok "pprof flamegraph -diff_base: writes the SVG" "exit $rc: $(head -3 "$tmp/err")"
fi
wellformed "pprof flamegraph -diff_base" "$tmp/diff.svg"
ok_if "pprof flamegraph -diff_base: legend (grew, shrank, percentages of the total growth)" \
	grep -q '>grew (the darker, the more)</text>.*\|>percentages are of the total growth</text>' "$tmp/diff.svg"
ok_if "pprof flamegraph -diff_base: subtitle names the total growth" \
	grep -q 'Total growth: +[0-9.]*[kMG]*B (sum of the functions that grew), Net change: [+-]' "$tmp/diff.svg"
against "pprof flamegraph -diff_base heap" "$tmp/diff.svg" B growth -- \
	-diff_base="$profiles/heap1.pb.gz" "$profiles/heap2.pb.gz"
# the other way round: the heap shrank, and the graph is blue where it was red
"$FLAREWATCH" pprof flamegraph -diff_base="$profiles/heap2.pb.gz" -o "$tmp/rdiff.svg" "$profiles/heap1.pb.gz"
against "pprof flamegraph -diff_base, reversed" "$tmp/rdiff.svg" B growth -- \
	-diff_base="$profiles/heap2.pb.gz" "$profiles/heap1.pb.gz"

for k in cpu block mutex; do
	unit=ns
	if "$FLAREWATCH" pprof flamegraph -o "$tmp/$k.svg" "$profiles/$k.pb.gz" 2>"$tmp/err"; then
		tap_ok "pprof flamegraph $k.pb.gz: writes the SVG"
	else
		tap_not_ok "pprof flamegraph $k.pb.gz: writes the SVG" "$(head -3 "$tmp/err")"
	fi
	wellformed "pprof flamegraph $k.pb.gz" "$tmp/$k.svg"
	against "pprof flamegraph $k.pb.gz" "$tmp/$k.svg" "$unit" share -- "$profiles/$k.pb.gz"
done

# ---- flarewatch analyze: the report's flame graphs --------------------------------

printf '# flarewatch defaults (tests/integration/flamegraph.sh)\n' >"$tmp/cfg.yaml"
if "$FLAREWATCH" analyze -c "$tmp/cfg.yaml" -o "$tmp/inv" "$flare" >"$tmp/an.out" 2>"$tmp/an.err"; then
	tap_ok "analyze contention flare"
else
	tap_not_ok "analyze contention flare" "$(head -5 "$tmp/an.err")"
fi
js=$(find "$tmp/inv" -name report.json | head -1)
dir=${js%/report.json}
for f in core-cpu core-heap-diff core-block-delay core-mutex-delay trace-cpu trace-heap-diff trace-block-delay; do
	if [ -n "$js" ] && [ -s "$dir/$f.svg" ]; then
		wellformed "analyze: $f.svg" "$dir/$f.svg"
	else
		tap_not_ok "analyze: $f.svg written" "not in ${dir:-(no report)}"
	fi
done
ok_if "analyze: the report links the delay flame graphs" \
	grep -q '^Delay flame graph: \[core-block-delay.svg\](core-block-delay.svg)$' "$dir"/*.md
ok_if "analyze: ... the mutex one too" \
	grep -q '^Delay flame graph: \[core-mutex-delay.svg\](core-mutex-delay.svg)$' "$dir"/*.md
ok_if "analyze: report.json names every flame graph it wrote" python3 - "$js" <<'EOF'
import json, os, sys
r = json.load(open(sys.argv[1]))
d = os.path.dirname(sys.argv[1])
for p in r["processes"]:
    fg = p["flamegraphs"]
    assert set(fg) == {"cpu", "heap_diff", "block_delay", "mutex_delay"}, sorted(fg)
    for k, v in fg.items():
        want = "%s-%s.svg" % (p["name"], k.replace("_", "-"))
        assert v in (None, want), (k, v)
        assert (v is not None) == os.path.exists(os.path.join(d, want)), (k, v)
core = [p for p in r["processes"] if p["name"] == "core"][0]["flamegraphs"]
assert core["block_delay"] == "core-block-delay.svg" and core["mutex_delay"] == "core-mutex-delay.svg", core
EOF
ok_if "analyze: core-cpu.svg legend names the agent components drawn and the runtime" \
	grep -q '>the aggregator (metric contexts)</text>.*' "$dir/core-cpu.svg"
ok_if "analyze: core-cpu.svg legend has the Go runtime in grey" \
	grep -q 'fill="rgb(190,190,190)" stroke="#666" stroke-width="0.5"/><text x="[0-9.]*" y="[0-9]*">Go runtime</text>' \
	"$dir/core-cpu.svg"

# the flare's own profiles, for go tool pprof
mkdir -p "$tmp/flare"
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$flare" "$tmp/flare"
pr=$(find "$tmp/flare" -type d -name profiles | head -1)
against "analyze: core-cpu.svg" "$dir/core-cpu.svg" ns share --classes -- "$pr/core-cpu.pprof"
against "analyze: core-heap-diff.svg" "$dir/core-heap-diff.svg" B growth -- \
	-sample_index=inuse_space -diff_base="$pr/core-1st-heap.pprof" "$pr/core-2nd-heap.pprof"
against "analyze: core-block-delay.svg" "$dir/core-block-delay.svg" ns share --classes -- "$pr/core-block.pprof"
against "analyze: core-mutex-delay.svg" "$dir/core-mutex-delay.svg" ns share --classes -- "$pr/core-mutex.pprof"
against "analyze: trace-cpu.svg" "$dir/trace-cpu.svg" ns share --classes -- "$pr/trace-cpu.pprof"

# ---- optional: a real browser renders it ---------------------------------------
browser=
for b in chromium chromium-browser google-chrome; do
	command -v "$b" >/dev/null 2>&1 && browser=$b && break
done
if [ -n "$browser" ]; then
	timeout 60 "$browser" --headless --no-sandbox --disable-gpu --window-size=1200,600 \
		--screenshot="$tmp/shot.png" "file://$tmp/diff.svg" >/dev/null 2>&1
	ok_if "$browser --headless renders the diff SVG" test -s "$tmp/shot.png"
else
	tap_skip "headless chromium renders the diff SVG" "chromium not installed"
fi

tap_finish
