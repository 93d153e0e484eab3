#!/usr/bin/env bash
# tests/integration/merge.sh -- `flarewatch pprof merge` end to end, TAP.
#
# Runs the real binary on the committed profiles and checks that:
#  - every profile survives decode -> encode -> decode: our `top` of
#    `merge -o OUT FILE` equals our `top` of FILE;
#  - merging heap1 + heap2 writes a gzip file whose `top` equals our `top`
#    of the two inputs given together;
#  - merging a profile with itself doubles every value;
#  - `go tool pprof -top` reads our merged file and prints exactly what it
#    prints for the two inputs (skipped without go);
#  - errors: missing input (exit 1, names the file), output directory
#    missing or read-only (exit 1), failed write (exit 1, old output kept,
#    no temporary file left), no -o (exit 2).
#
# Environment: FLAREWATCH (default ./flarewatch, else
# $abs_top_builddir/flarewatch), abs_top_srcdir (default: two levels above
# this script), abs_top_builddir (default abs_top_srcdir). `make check` sets
# all three and TZ=UTC.
#
#   bash tests/integration/merge.sh
set -u
export TZ=UTC LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd) || exit 99
: "${abs_top_srcdir:=$here/../..}"
: "${abs_top_builddir:=$abs_top_srcdir}"
if ! abs_top_srcdir=$(cd "$abs_top_srcdir" && pwd); then
	echo "Bail out! abs_top_srcdir is not a directory"
	exit 99
fi
if [ -z "${FLAREWATCH:-}" ]; then
	FLAREWATCH=./flarewatch
	[ -x "$FLAREWATCH" ] || FLAREWATCH=$abs_top_builddir/flarewatch
fi
case $FLAREWATCH in /*) ;; *) FLAREWATCH=$PWD/$FLAREWATCH ;; esac
if [ -d "$FLAREWATCH" ] || [ ! -x "$FLAREWATCH" ]; then
	echo "Bail out! flarewatch binary not found or not executable: $FLAREWATCH"
	exit 99
fi
profiles=$abs_top_srcdir/tests/fixtures/profiles
if [ ! -r "$profiles/heap1.pb.gz" ] || [ ! -r "$profiles/heap2.pb.gz" ]; then
	echo "Bail out! missing fixtures in $profiles"
	exit 99
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fw-merge.XXXXXX") || {
	echo "Bail out! cannot create a temporary directory"
	exit 99
}
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1${2:+ # $2}"; }
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	local line
	for line in "$@"; do printf '%s\n' "$line" | sed 's/^/# /'; done
}
# diag_file FILE: up to 40 lines of FILE as diagnostics.
diag_file() { sed -n '1,40p' "$1" | sed 's/^/# /'; }
# check NAME COND-EXIT-STATUS [DIAG...]
check() {
	local name=$1 rc=$2
	shift 2
	if [ "$rc" -eq 0 ]; then ok "$name"; else not_ok "$name" "$@"; fi
}
# same NAME EXPECTED ACTUAL: byte-identical files, else a diff.
same() {
	if cmp -s "$2" "$3"; then
		ok "$1"
	else
		not_ok "$1" "output differs (diff -u expected actual):"
		diff -u "$2" "$3" | sed -n '1,60p' | sed 's/^/# /'
	fi
}
fw() { "$FLAREWATCH" pprof "$@"; }

cd "$profiles" || exit 99

# ---- round trip: decode(encode(p)) gives the same report ----------------------
for f in *.pb.gz; do
	out=$tmp/rt-$f
	if ! fw merge -o "$out" "$f" 2>"$tmp/err"; then
		not_ok "round trip $f: merge" "exit status $?"
		diag_file "$tmp/err"
		continue
	fi
	fw top -nodefraction=0 "$f" >"$tmp/want" 2>&1
	fw top -nodefraction=0 "$out" >"$tmp/got" 2>&1
	same "round trip $f: top -nodefraction=0 identical" "$tmp/want" "$tmp/got"
done

# ---- heap1 + heap2 ----------------------------------------------------------------
merged=$tmp/merged.pb.gz
fw merge -o "$merged" heap1.pb.gz heap2.pb.gz 2>"$tmp/err"
rc=$?
check "merge heap1 heap2 exits 0" "$rc" "exit status $rc" "$(cat "$tmp/err")"
magic=$(od -An -tx1 -N2 "$merged" 2>/dev/null | tr -d ' \n')
check "merged output is gzip (starts with 1f 8b)" "$([ "$magic" = 1f8b ] && echo 0 || echo 1)" \
	"first bytes: '${magic:-none}'"
if gzip -t "$merged" 2>"$tmp/err"; then ok "merged output is a valid gzip stream"; else
	not_ok "merged output is a valid gzip stream"
	diag_file "$tmp/err"
fi
perm=$(stat -c %a "$merged" 2>/dev/null)
um=$(umask)
want_perm=$(printf '%o' $((0666 & ~8#$um)))
check "merged output has mode 0666 & ~umask" "$([ "$perm" = "$want_perm" ] && echo 0 || echo 1)" \
	"mode $perm, expected $want_perm"
for idx in "" alloc_objects alloc_space inuse_objects; do
	args=(-nodefraction=0)
	[ -n "$idx" ] && args+=("-sample_index=$idx")
	fw top "${args[@]}" heap1.pb.gz heap2.pb.gz >"$tmp/want" 2>&1
	fw top "${args[@]}" "$merged" >"$tmp/got" 2>&1
	same "top ${args[*]} of merged = top of heap1 heap2" "$tmp/want" "$tmp/got"
done
leftover=$(find "$tmp" -name '.*.pb.gz.*' | head -1)
check "no temporary files left behind" "$([ -z "$leftover" ] && echo 0 || echo 1)" "found $leftover"

# ---- self merge doubles every value -----------------------------------------------
# collapsed (skipped while it is not implemented): every stack's value
# doubles. top, for four sample types: names and percentages unchanged, and
# for the unitless (count) types every flat and cum value and the totals
# exactly doubled.
double=$tmp/double.pb.gz
fw merge -o "$double" heap1.pb.gz heap1.pb.gz 2>"$tmp/err"
rc=$?
check "merge heap1 heap1 exits 0" "$rc" "exit status $rc" "$(cat "$tmp/err")"
if fw collapsed heap1.pb.gz >"$tmp/c1" 2>/dev/null && [ -s "$tmp/c1" ]; then
	fw collapsed "$double" >"$tmp/c2" 2>&1
	awk 'NR == FNR { v = $NF; $NF = ""; want[$0] = 2 * v; next }
	     { v = $NF; $NF = ""; if (!($0 in want) || want[$0] != v) { print "bad: " $0 v; bad = 1 }
	       seen[$0] = 1 }
	     END { for (k in want) if (!(k in seen)) { print "missing: " k; bad = 1 }; exit bad }' \
		"$tmp/c1" "$tmp/c2" >"$tmp/diff"
	rc=$?
	check "self merge doubles every value (collapsed)" "$rc" "$(sed -n 1,20p "$tmp/diff")"
else
	ok "self merge doubles every value (collapsed)" "SKIP collapsed not available"
fi
rc=0
: >"$tmp/diff"
for idx in alloc_objects inuse_objects alloc_space inuse_space; do
	case $idx in *objects) count=1 ;; *) count=0 ;; esac
	fw top -nodefraction=0 -sample_index=$idx heap1.pb.gz >"$tmp/t1" 2>&1
	fw top -nodefraction=0 -sample_index=$idx "$double" >"$tmp/t2" 2>&1
	awk -v count=$count -v idx=$idx '
		function fail(m) { print idx ": " m; bad = 1 }
		FNR == 1 { file++; rows = 0 }
		/^Showing nodes accounting for/ {
			if (file == 1) { s1 = $5; t1 = $8 } else { s2 = $5; t2 = $8 }
			next
		}
		/^ *flat  flat%/ { rows = 1; next }
		!rows || !NF { next }
		{
			rest = $0; sub(/^ *[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ +/, "", rest)
			if (file == 1) { f[++n1] = $1; c[n1] = $4; p[n1] = $2 " " $3 " " $5 " " rest }
			else {
				++n2
				if (p[n2] != $2 " " $3 " " $5 " " rest) fail("row " n2 ": " p[n2] " vs " $2 " " $3 " " $5 " " rest)
				if (count && ($1 != 2 * f[n2] || $4 != 2 * c[n2])) fail("row " n2 " not doubled: " f[n2] "/" c[n2] " -> " $1 "/" $4)
			}
		}
		END {
			if (n1 != n2 || n1 == 0) fail("rows: " n1 " vs " n2)
			sub(/,$/, "", s1); sub(/,$/, "", s2)
			if (count && (s2 != 2 * s1 || t2 != 2 * t1)) fail("totals " s1 "/" t1 " -> " s2 "/" t2)
			exit bad
		}' "$tmp/t1" "$tmp/t2" >>"$tmp/diff" || rc=1
done
check "self merge doubles every value (top, 4 sample types)" "$rc" "$(sed -n 1,20p "$tmp/diff")"

# ---- go tool pprof reads our output ------------------------------------------------
if command -v go >/dev/null 2>&1 && go tool pprof -h >/dev/null 2>&1; then
	for idx in "" alloc_space inuse_objects; do
		args=(-top)
		[ -n "$idx" ] && args+=("-sample_index=$idx")
		go tool pprof "${args[@]}" heap1.pb.gz heap2.pb.gz >"$tmp/want" 2>"$tmp/err.want"
		rc1=$?
		go tool pprof "${args[@]}" "$merged" >"$tmp/got" 2>"$tmp/err.got"
		rc2=$?
		if [ $rc1 -ne 0 ] || [ $rc2 -ne 0 ]; then
			not_ok "go tool pprof ${args[*]} of merged = of heap1 heap2" \
				"exit status $rc1 (inputs) / $rc2 (merged)"
			diag_file "$tmp/err.got"
		else
			same "go tool pprof ${args[*]} of merged = of heap1 heap2" "$tmp/want" "$tmp/got"
		fi
	done
else
	for idx in "" alloc_space inuse_objects; do
		ok "go tool pprof -top${idx:+ -sample_index=$idx} of merged = of heap1 heap2" "SKIP go not installed"
	done
fi

# ---- errors ---------------------------------------------------------------------------
fw merge -o "$tmp/x.pb.gz" heap1.pb.gz no-such-profile.pb.gz >"$tmp/out" 2>"$tmp/err"
rc=$?
check "missing input: exit 1" "$([ $rc -eq 1 ] && echo 0 || echo 1)" "exit status $rc"
check "missing input: message names the file" "$(grep -q 'no-such-profile.pb.gz' "$tmp/err" && echo 0 || echo 1)" \
	"stderr: $(cat "$tmp/err")"
check "missing input: no output written" "$([ ! -e "$tmp/x.pb.gz" ] && echo 0 || echo 1)"

echo keep >"$tmp/old.pb.gz"
fw merge -o "$tmp/old.pb.gz" no-such-profile.pb.gz 2>/dev/null
check "failed merge leaves an existing output alone" "$([ "$(cat "$tmp/old.pb.gz")" = keep ] && echo 0 || echo 1)"

fw merge -o "$tmp/no/such/dir/x.pb.gz" heap1.pb.gz >"$tmp/out" 2>"$tmp/err"
rc=$?
check "output directory does not exist: exit 1" "$([ $rc -eq 1 ] && echo 0 || echo 1)" "exit status $rc"
check "output directory does not exist: message names the path" \
	"$(grep -q 'no/such/dir/x.pb.gz' "$tmp/err" && echo 0 || echo 1)" "stderr: $(cat "$tmp/err")"

mkdir "$tmp/ro" && chmod 555 "$tmp/ro"
if touch "$tmp/ro/probe" 2>/dev/null; then
	rm -f "$tmp/ro/probe"
	ok "read-only output directory: exit 1" "SKIP directory permissions not enforced (root?)"
else
	fw merge -o "$tmp/ro/x.pb.gz" heap1.pb.gz >"$tmp/out" 2>"$tmp/err"
	rc=$?
	check "read-only output directory: exit 1" "$([ $rc -eq 1 ] && echo 0 || echo 1)" \
		"exit status $rc" "stderr: $(cat "$tmp/err")"
fi
chmod 755 "$tmp/ro"

# A write that fails half way (file size limit) must keep the old file and
# remove the temporary one.
mkdir "$tmp/lim" && echo keep >"$tmp/lim/out.pb.gz"
(trap '' XFSZ; ulimit -f 1 && fw merge -o "$tmp/lim/out.pb.gz" heap1.pb.gz heap2.pb.gz) 2>"$tmp/err"
rc=$?
check "failed write: exit 1" "$([ $rc -eq 1 ] && echo 0 || echo 1)" "exit status $rc" "stderr: $(cat "$tmp/err")"
check "failed write: old output kept, no temporary file left" \
	"$([ "$(cat "$tmp/lim/out.pb.gz")" = keep ] && [ "$(ls -A "$tmp/lim")" = out.pb.gz ] && echo 0 || echo 1)" \
	"directory holds: $(ls -A "$tmp/lim" | tr '\n' ' ')"

fw merge heap1.pb.gz >"$tmp/out" 2>"$tmp/err"
rc=$?
check "no -o: exit 2" "$([ $rc -eq 2 ] && echo 0 || echo 1)" "exit status $rc"

echo "1..$n"
[ "$failed" -eq 0 ]
