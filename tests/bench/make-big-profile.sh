#!/usr/bin/env bash
# tests/bench/make-big-profile.sh OUTDIR -- makes the large real profiles
# pprof_bench.sh measures, from a real long-running Go program
# (tests/bench/bigprofile: it type-checks the standard library from source,
# round after round, under pprof labels): OUTDIR/big.alloc.pb.gz (every
# allocation sampled; 4.4 MB decoded, 0.9 MB gzipped after 30 CPU seconds
# here: its distinct stacks level off, so running longer adds little) and
# OUTDIR/big.cpu.pb.gz (its CPU profile). Made once and cached: an existing
# pair is kept. Needs go. (The >= 10 MB profiles of the benchmark are the
# 16x merge of proftest/large.cpu in pprof_bench.sh's scaling table.)
#
# Environment: BIGPROF_CPU_SECONDS (default 45): CPU seconds the workload
# runs (its wall time is longer on a loaded machine; at most 30 minutes).
#
# Prints the path of the allocation profile, or nothing (and exits 1) when
# it cannot be made.
set -u
out=${1:?usage: make-big-profile.sh OUTDIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd) || exit 1
mkdir -p "$out" || exit 1
if [ -s "$out/big.alloc.pb.gz" ] && [ -s "$out/big.cpu.pb.gz" ]; then
	echo "$out/big.alloc.pb.gz"
	exit 0
fi
command -v go >/dev/null 2>&1 || exit 1
(cd "$here/bigprofile" && GOFLAGS=-mod=mod go build -o "$out/bigprofile" .) >&2 || exit 1
"$out/bigprofile" -cpu "${BIGPROF_CPU_SECONDS:-45}" -o "$out/big.cpu.pb.gz.tmp" \
	-allocs "$out/big.alloc.pb.gz.tmp" 2>/dev/null || exit 1
mv "$out/big.cpu.pb.gz.tmp" "$out/big.cpu.pb.gz" &&
	mv "$out/big.alloc.pb.gz.tmp" "$out/big.alloc.pb.gz" || exit 1
echo "$out/big.alloc.pb.gz"
