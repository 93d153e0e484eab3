#!/usr/bin/env bash
# tests/bench/make-big-profile.sh OUTDIR -- makes the large real profile
# pprof_bench.sh measures, from a real long-running Go program: the tests of
# the standard library's go/types (`go test -c go/types`, run with
# -test.short from the package's source folder, where its testdata is),
# with every allocation sampled (-test.memprofilerate=1). Its heap profile
# holds every allocation stack of the type checker, deep and recursive:
# OUTDIR/big.types-alloc.pb.gz, 21 MB uncompressed (4 MB gzipped) with Go
# 1.19 here, after about 40 CPU seconds (95 s wall on a loaded machine).
# The script checks that it is at least 10 MB uncompressed.
#
# Made once and cached: an existing profile is kept. Needs go (and the
# standard library's sources, which Debian's golang-go ships). Never
# committed.
#
# Prints the path of the profile, or nothing (and exits 1) when it cannot
# be made.
set -u
out=${1:?usage: make-big-profile.sh OUTDIR}
min_bytes=$((10 * 1000 * 1000))
mkdir -p "$out" && out=$(cd "$out" && pwd) || exit 1
prof=$out/big.types-alloc.pb.gz
if [ -s "$prof" ]; then
	echo "$prof"
	exit 0
fi
command -v go >/dev/null 2>&1 || exit 1
src=$(go env GOROOT)/src/go/types
[ -d "$src/testdata" ] || { echo "make-big-profile: no go/types sources in $src" >&2; exit 1; }
GOFLAGS='' go test -c -o "$out/types.test" go/types >&2 || exit 1
# the tests read their testdata from the current folder; they write nothing
# there (temporary files go to TMPDIR)
(cd "$src" && "$out/types.test" -test.short -test.count=1 -test.memprofilerate=1 \
	-test.memprofile="$prof.tmp" >"$out/types.test.log" 2>&1) ||
	{ echo "make-big-profile: the go/types tests failed (see $out/types.test.log)" >&2; exit 1; }
rm -f "$out/types.test"
size=$(zcat -- "$prof.tmp" | wc -c)
if [ "$size" -lt "$min_bytes" ]; then
	echo "make-big-profile: $prof.tmp is $size bytes uncompressed, less than $min_bytes" >&2
	exit 1
fi
mv "$prof.tmp" "$prof" || exit 1
echo "$prof"
