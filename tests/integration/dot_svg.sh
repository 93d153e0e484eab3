#!/usr/bin/env bash
# tests/integration/dot_svg.sh -- `flarewatch pprof dot -svg`, TAP.
#
#  - with graphviz's dot and go installed: our SVG equals `go tool pprof
#    -svg` (graphviz's own drawing of the same DOT text, then pprof's
#    massageSVG) on profiles of every fixture set; skipped otherwise;
#  - without dot on PATH: exit status 1, nothing on stdout, a message naming
#    the Debian package graphviz;
#  - a `dot` that fails (a stand-in script exiting 3) is reported with its
#    exit status, exit status 1;
#  - the -call_tree outputs pprof cannot order (nodes of one name at several
#    depths) hold the same lines as pprof's, up to node numbering.
set -u
export TZ=UTC LC_ALL=C

# shellcheck source=../tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/../tap.sh" || exit 99
tap_flarewatch_env
tap_require_binary

fx=$abs_top_srcdir/tests/fixtures
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fw-dotsvg.XXXXXX") || tap_bail "cannot create a temporary directory"
trap 'rm -rf "$tmp"' EXIT

go_bin=$(command -v go || true)
dot_bin=$(command -v dot || true)

gopprof() {
	local home
	home=$(mktemp -d "$tmp/home.XXXXXX")
	(cd "$fx" && env -i PATH="$PATH" TZ=UTC PPROF_BINARY_PATH=/nonexistent HOME="$home" \
		PPROF_TMPDIR="$home" "$go_bin" tool pprof "$@") 2>/dev/null </dev/null
}

for prof in profiles/cpu.pb.gz profiles/heap2.pb.gz labels/profiles/heap-labels.pb.gz \
	foreign/rust.cpu.pb.gz foreign/cpp.cpu.pb.gz; do
	name="svg: $prof"
	if [ -z "$go_bin" ] || [ -z "$dot_bin" ]; then
		tap_skip "$name" "needs go and graphviz's dot"
		continue
	fi
	gopprof -svg "$prof" >"$tmp/go.svg"
	(cd "$fx" && "${tap_timeout[@]}" "$FLAREWATCH" pprof dot -svg "$prof") >"$tmp/fw.svg" 2>"$tmp/err"
	if [ -s "$tmp/go.svg" ] && cmp -s "$tmp/go.svg" "$tmp/fw.svg"; then
		tap_ok "$name"
	else
		tap_not_ok "$name" "differs from go tool pprof -svg"
		diff "$tmp/go.svg" "$tmp/fw.svg" | head -n 20 >"$tmp/diff"
		tap_diag_file "$tmp/diff"
		tap_diag_file "$tmp/err"
	fi
done

# no dot on PATH: a directory holding only what the binary needs (nothing)
mkdir -p "$tmp/empty"
(cd "$fx" && PATH=$tmp/empty "$FLAREWATCH" pprof dot -svg profiles/cpu.pb.gz) \
	>"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 1 ] && [ ! -s "$tmp/out" ] && grep -q "graphviz" "$tmp/err"; then
	tap_ok "no dot: exit 1, message names graphviz"
else
	tap_not_ok "no dot: exit 1, message names graphviz" "exit $rc"
	tap_diag_file "$tmp/err"
fi
# without -svg no dot is needed
(cd "$fx" && PATH=$tmp/empty "$FLAREWATCH" pprof dot profiles/cpu.pb.gz) >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 0 ] && head -n 1 "$tmp/out" | grep -q '^digraph '; then
	tap_ok "no dot: DOT text still written"
else
	tap_not_ok "no dot: DOT text still written" "exit $rc"
fi

# a dot that fails
mkdir -p "$tmp/bad"
printf '#!/bin/sh\ncat >/dev/null\necho "dot: broken" >&2\nexit 3\n' >"$tmp/bad/dot"
chmod +x "$tmp/bad/dot"
(cd "$fx" && PATH=$tmp/bad:/usr/bin:/bin "$FLAREWATCH" pprof dot -svg profiles/cpu.pb.gz) \
	>"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 1 ] && [ ! -s "$tmp/out" ] && grep -q "exited with status 3" "$tmp/err"; then
	tap_ok "failing dot: exit 1, its status reported"
else
	tap_not_ok "failing dot: exit 1, its status reported" "exit $rc"
	tap_diag_file "$tmp/err"
fi

# where pprof's own order varies from run to run (-call_tree with a function
# at several depths; +x and -x edges of a diff): the same lines up to node
# numbering (every N<id> replaced by N) and order.
canon() { sed -E 's/N[0-9]+(_[0-9]+)?/N/g; s/node[0-9]+/node/g' | sort; }
for args in "-call_tree profiles/cpu.pb.gz" "-call_tree foreign/rust.cpu.pb.gz" \
	"-call_tree labels/profiles/cpu-labels.pb.gz" "-diff_base=profiles/cpu.pb.gz profiles/cpu2.pb.gz"; do
	name="up to order: $args"
	if [ -z "$go_bin" ]; then
		tap_skip "$name" "needs go"
		continue
	fi
	read -r -a argv <<<"$args"
	gopprof -dot "${argv[@]}" | canon >"$tmp/go.txt"
	(cd "$fx" && "$FLAREWATCH" pprof dot "${argv[@]}") 2>"$tmp/err" | canon >"$tmp/fw.txt"
	if [ -s "$tmp/go.txt" ] && cmp -s "$tmp/go.txt" "$tmp/fw.txt"; then
		tap_ok "$name"
	else
		tap_not_ok "$name" "lines differ from go tool pprof -dot -call_tree"
		diff "$tmp/go.txt" "$tmp/fw.txt" | head -n 20 >"$tmp/diff"
		tap_diag_file "$tmp/diff"
	fi
done
# the report's call graphs are go tool pprof -svg of the flare's profiles
# (CPU; heap growth: -diff_base of the two snapshots, inuse_space)
name="report: call graphs equal go tool pprof -svg"
zip=$(ls "$fx"/flares/leak-datadog-agent-*.zip 2>/dev/null | head -n 1)
if [ -z "$go_bin" ] || [ -z "$dot_bin" ] || [ -z "$zip" ]; then
	tap_skip "$name" "needs go, graphviz's dot and the leak flare"
else
	mkdir -p "$tmp/flare" "$tmp/report"
	printf '# defaults\n' >"$tmp/defaults.yaml"
	python3 -c 'import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
for n in z.namelist():
    if n.endswith(("/core-cpu.pprof", "/core-1st-heap.pprof", "/core-2nd-heap.pprof")):
        open(sys.argv[2] + "/" + n.rsplit("/", 1)[1], "wb").write(z.read(n))' "$zip" "$tmp/flare"
	"$FLAREWATCH" analyze -c "$tmp/defaults.yaml" -o "$tmp/report" "$zip" >/dev/null 2>"$tmp/err" </dev/null
	cpu=$(find "$tmp/report" -name core-cpu-callgraph.svg)
	heap=$(find "$tmp/report" -name core-heap-diff-callgraph.svg)
	fx_save=$fx
	fx=$tmp/flare
	gopprof -svg core-cpu.pprof >"$tmp/go-cpu.svg"
	gopprof -svg -sample_index=inuse_space -diff_base=core-1st-heap.pprof core-2nd-heap.pprof >"$tmp/go-heap.svg"
	fx=$fx_save
	if [ -n "$cpu" ] && [ -n "$heap" ] && [ -s "$tmp/go-cpu.svg" ] && cmp -s "$tmp/go-cpu.svg" "$cpu" &&
		cmp -s "$tmp/go-heap.svg" "$heap"; then
		tap_ok "$name"
	else
		tap_not_ok "$name" "cpu: ${cpu:-missing}, heap: ${heap:-missing}"
		tap_diag_file "$tmp/err"
	fi
fi
tap_finish
