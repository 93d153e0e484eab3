#!/usr/bin/env bash
# tests/golden/tagroot_collapsed.sh -- -tagroot/-tagleaf on the outputs
# go tool pprof has no equivalent for: `flarewatch pprof collapsed` (and so
# the flame graph, built from the same stacks). Reference: a live
# `go tool pprof -raw` with the same flags, which prints every sample's
# value and its locations (the pseudo frames included) after pprof's own
# addLabelNodes; the awk below folds it into "root;...;leaf value" lines
# (a frame with an empty name is "<unknown>", as the graph names it) and
# both sides are summed per stack and compared. Skipped without `go`.
# Also: the collapsed output carries pprof's TagRoot/TagLeaf notes.
set -u

# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh" || exit 99
gw_require_binary

profiles=$abs_top_srcdir/tests/fixtures/labels/profiles
[ -d "$profiles" ] || gw_bail "missing directory $profiles"

# fold_raw COLUMN: pprof -raw text on stdin -> "stack value" lines, where
# COLUMN names the value ("cpu/nanoseconds").
fold_raw() {
	awk -v want="$1" '
	/^Samples:/ { sec = "s"; col = 0; next }
	/^Locations/ { sec = "l"; next }
	/^Mappings/ { sec = ""; next }
	sec == "s" && !col { for (i = 1; i <= NF; i++) if ($i == want) col = i; if (!col) exit 2; next }
	sec == "s" && /^ *-?[0-9]+( +-?[0-9]+)*: / {
		split($0, parts, ":"); split(parts[1], vals, " "); v = vals[col]
		ids = substr($0, index($0, ":") + 1)
		ns++; val[ns] = v; stack[ns] = ids; next
	}
	sec == "l" {
		line = $0
		if (match(line, /^ *[0-9]+: 0x[0-9a-f]+ /)) {
			hdr = substr(line, 1, RLENGTH); line = substr(line, RLENGTH + 1)
			split(hdr, h, ":"); id = h[1] + 0; nl[id] = 0
			sub(/^M=[0-9]+ /, "", line); sub(/^\[F\] /, "", line)
		} else {
			sub(/^ +/, "", line)
		}
		sub(/\([^()]*\)$/, "", line)           # (system name)
		sub(/ [^ ]*:-?[0-9]+ s=-?[0-9]+$/, "", line) # file:line s=start
		if (line == "") line = "<unknown>"
		fn[id, nl[id]++] = line                # innermost first
		next
	}
	END {
		for (s = 1; s <= ns; s++) {
			n = split(stack[s], loc, " "); out = ""
			for (k = n; k >= 1; k--)
				for (j = nl[loc[k]] - 1; j >= 0; j--)
					out = out (out == "" ? "" : ";") fn[loc[k], j]
			sum[out] += val[s]
		}
		for (k in sum) print k " " sum[k]
	}'
}

# sum_stacks: "stack value" lines summed per stack, sorted; stacks summing
# to 0 left out (collapsed does not print them).
sum_stacks() {
	awk '{ v = $NF; $NF = ""; sub(/ $/, ""); sum[$0] += v }
	     END { for (k in sum) if (sum[k] != 0) print k " " sum[k] }' |
		LC_ALL=C sort
}

# check NAME PROFILE COLUMN FLAGS...
check() {
	local name=$1 prof=$2 col=$3 home
	shift 3
	gw_cmd=(pprof collapsed "$@" "$prof")
	gw_run "$profiles"
	if [ "$gw_rc" -ne 0 ] || gw_sanitizer_report; then
		gw_not_ok "$name" "flarewatch failed"
		gw_describe_run "$profiles"
		return
	fi
	sum_stacks <"$gw_out" >"$gw_tmp/ours"
	if [ -z "$live_go" ]; then
		gw_ok "$name" "SKIP go not installed: no reference"
		return
	fi
	home=$(mktemp -d "$gw_tmp/home.XXXXXX")
	(cd "$profiles" && env -i PATH="$PATH" TZ=UTC PPROF_BINARY_PATH=/nonexistent \
		HOME="$home" PPROF_TMPDIR="$home" "$live_go" tool pprof -raw "$@" "$prof") \
		>"$gw_tmp/raw" 2>"$gw_tmp/raw.err" </dev/null
	if ! fold_raw "$col" <"$gw_tmp/raw" | sum_stacks >"$gw_tmp/want" || [ ! -s "$gw_tmp/want" ]; then
		gw_not_ok "$name" "cannot fold go tool pprof -raw $* $prof"
		gw_diag_file "$gw_tmp/raw.err"
		return
	fi
	if cmp -s "$gw_tmp/want" "$gw_tmp/ours"; then
		gw_ok "$name"
	else
		gw_not_ok "$name" "collapsed stacks differ from go tool pprof -raw's samples"
		diff -u --label "go tool pprof -raw $*" --label "flarewatch pprof collapsed" \
			"$gw_tmp/want" "$gw_tmp/ours" >"$gw_tmp/diff"
		gw_diag_file "$gw_tmp/diff"
	fi
}

live_go=$(command -v go || true)
C=cpu-labels.pb.gz
H=heap-labels.pb.gz
check "collapsed -tagroot=tenant" $C cpu/nanoseconds -tagroot=tenant
check "collapsed -tagroot=tenant,endpoint -tagleaf=check_id" $C cpu/nanoseconds \
	-tagroot=tenant,endpoint -tagleaf=check_id
check "collapsed -tagleaf=nokey,tenant -focus=acme" $C cpu/nanoseconds -tagleaf=nokey,tenant -focus=acme
check "collapsed -tagleaf=bytes (numeric label)" $H inuse_space/bytes -tagleaf=bytes
check "collapsed -tagroot=bytes -sample_index=alloc_space" $H alloc_space/bytes \
	-tagroot=bytes -sample_index=alloc_space

# the notes: pprof's words, on stderr, the stacks unchanged on stdout
gw_cmd=(pprof collapsed -tagroot=nokey -tagleaf=, "$C")
gw_run "$profiles"
printf 'TagRoot expression matched no samples\nTagLeaf expression matched no samples\n' >"$gw_tmp/want"
if [ "$gw_rc" -eq 0 ] && cmp -s "$gw_tmp/want" "$gw_err"; then
	gw_ok "collapsed: TagRoot/TagLeaf notes on stderr"
else
	gw_not_ok "collapsed: TagRoot/TagLeaf notes on stderr" "expected pprof's two notes"
	gw_describe_run "$profiles"
fi

gw_finish
