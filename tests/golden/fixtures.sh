#!/usr/bin/env bash
# tests/golden/fixtures.sh -- runs every golden of tests/fixtures/golden/
# (recorded from the reference `go tool pprof`, see tests/fixtures/README.md)
# against flarewatch and prints TAP.
#
# Also tests/fixtures/golden-flags/ (flag parsing and the display flags,
# where pprof's stderr and its usage-error status are compared as well).
# MANIFEST.tsv lines are "<golden>\t<exit status>\t<go tool pprof args>";
# args are split on single spaces, verbatim (no quoting, backslashes are
# literal).  Each command runs from tests/fixtures/profiles with TZ=UTC.
# Exit status 0 in the manifest: our stdout must equal the golden byte for
# byte.  Non-zero: we must exit 1 with empty stdout and a message on stderr.
#
#   bash tests/golden/fixtures.sh                       # binary: ./flarewatch
#   FLAREWATCH=build/flarewatch bash tests/golden/fixtures.sh
#
# FW_FIXTURES_SET=NAME runs the set tests/fixtures/NAME/{golden,profiles}
# instead (e.g. labels, see labels.sh).  There, for a non-zero exit status
# the first line of our stderr (without "flarewatch: ") must also equal the
# first line of <golden>.stderr (without Go's "panic: "), and when `go` is
# installed (and FW_LIVE_GO is not 0) each command with exit status 0 is
# also run with the live `go tool pprof`, whose stdout must equal ours.
# So are golden-flags' commands on ../labels/profiles (stdout and stderr).
set -u

# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh" || exit 99

fixtures=$abs_top_srcdir/tests/fixtures
# Another set of goldens in the same layout (tests/golden/foreign.sh):
# FW_GOLDEN_DIR holds MANIFEST.tsv and the goldens, FW_PROFILES_DIR the
# profiles the commands run from.
gw_require_binary

live_go=""
if [ "${FW_LIVE_GO:-1}" != 0 ]; then
	live_go=$(command -v go || true)
fi
regexp_error_re='^(.*error parsing regexp: )(.*)$'

# check_error_message NAME GOLDEN: for a set (FW_FIXTURES_SET), the first
# line of our error must be pprof's (a regexp engine's own wording after
# "error parsing regexp: " only noted). 0 when it is.
check_error_message() {
	local name=$1 golden=$2 want_msg got_msg want_why
	want_msg=$(head -n 1 "$golden.stderr")
	want_msg=${want_msg#panic: }
	got_msg=$(head -n 1 "$gw_err")
	got_msg=${got_msg#flarewatch: }
	if [[ $want_msg =~ $regexp_error_re ]]; then
		want_why=${BASH_REMATCH[2]}
		want_msg="${BASH_REMATCH[1]}..."
		if [[ $got_msg =~ $regexp_error_re ]]; then
			[ "${BASH_REMATCH[2]}" = "$want_why" ] ||
				echo "# note: $name: the regexp engine says \"${BASH_REMATCH[2]}\", Go \"$want_why\""
			got_msg="${BASH_REMATCH[1]}..."
		fi
	fi
	[ "$got_msg" = "$want_msg" ] && return 0
	gw_not_ok "$name" "error message differs from go tool pprof's"
	echo "# expected: $want_msg"
	echo "# actual:   $got_msg"
	return 1
}

# check_live NAME ARGS PROFILES [STDERR]: our stdout equals a live go tool
# pprof's (and our stderr its stderr, with STDERR=1).
check_live() {
	local name=$1 args=$2 profiles=$3 check_stderr=${4:-0} live_home
	cp "$gw_out" "$gw_tmp/ours"
	cp "$gw_err" "$gw_tmp/ours.err"
	live_home=$(mktemp -d "$gw_tmp/home.XXXXXX")
	(cd "$profiles" && env -i PATH="$PATH" TZ=UTC PPROF_BINARY_PATH=/nonexistent \
		HOME="$live_home" PPROF_TMPDIR="$live_home" "$live_go" tool pprof "${argv[@]}") \
		>"$gw_tmp/live" 2>"$gw_tmp/live.err" </dev/null
	if ! cmp -s "$gw_tmp/live" "$gw_tmp/ours"; then
		gw_not_ok "live: $name" "stdout differs from a live 'go tool pprof $args'"
		diff -u --label "go tool pprof" --label flarewatch "$gw_tmp/live" "$gw_tmp/ours" \
			>"$gw_tmp/diff"
		gw_diag_file "$gw_tmp/diff"
	elif [ "$check_stderr" = 1 ] && ! cmp -s "$gw_tmp/live.err" "$gw_tmp/ours.err"; then
		gw_not_ok "live: $name" "stderr differs from a live 'go tool pprof $args'"
		diff -u --label "go tool pprof" --label flarewatch "$gw_tmp/live.err" "$gw_tmp/ours.err" \
			>"$gw_tmp/diff"
		gw_diag_file "$gw_tmp/diff"
	else
		gw_ok "live: $name"
	fi
}

# run_manifest DIR PROFILES STDERR SET: the goldens of DIR/MANIFEST.tsv,
# run from PROFILES. STDERR=1 for the sets whose regen script records every
# command's stderr and the pprof tool's own exit status (golden-flags/, see
# its regen.sh): warnings are compared too, and status 2 is a usage error
# with pprof's message. SET=1 for a FW_FIXTURES_SET (error messages, live go).
run_manifest() {
	local dir=$1 profiles=$2 check_stderr=$3 set=$4 manifest=$1/MANIFEST.tsv lineno=0 line name want_rc args
	[ -r "$manifest" ] || gw_bail "cannot read $manifest"
	[ -d "$profiles" ] || gw_bail "missing directory $profiles"
	while IFS= read -r line || [ -n "$line" ]; do
		lineno=$((lineno + 1))
		case $line in '' | '#'*) continue ;; esac
		IFS=$'\t' read -r name want_rc args <<<"$line"
		case $want_rc in '' | *[!0-9]*) want_rc=bad ;; esac
		if [ -z "$name" ] || [ "$want_rc" = bad ] || [ -z "${args:-}" ]; then
			gw_not_ok "${manifest#"$fixtures"/}:$lineno" "malformed manifest line: $line"
			continue
		fi
		IFS=' ' read -r -a argv <<<"$args"
		if ! gw_map "${argv[@]}"; then
			gw_not_ok "$name" "cannot map 'go tool pprof $args' to a flarewatch command"
			continue
		fi
		gw_run "$profiles"
		if [ "$set" = 1 ] && [ "$want_rc" -ne 0 ] && [ "$gw_rc" -eq 1 ] && ! gw_sanitizer_report; then
			check_error_message "$name" "$dir/$name" || continue
		fi
		gw_judge "$name" "$want_rc" "$dir/$name" "$profiles" "$check_stderr"
		if [ "$set" = 1 ] && [ "$want_rc" -eq 0 ] && [ -n "$live_go" ]; then
			check_live "$name" "$args" "$profiles"
		elif [ "$check_stderr" = 1 ] && [ "$want_rc" -eq 0 ] && [ -n "$live_go" ] &&
			[[ $args == *../labels/profiles/* ]]; then
			# golden-flags' commands on the labelled profiles (pprof's
			# note on a label's units): stdout and stderr, live too
			check_live "$name" "$args" "$profiles" 1
		fi
	done <"$manifest"
}

if [ -n "${FW_FIXTURES_SET:-}" ]; then
	manifest=$fixtures/$FW_FIXTURES_SET/golden/MANIFEST.tsv
	run_manifest "$fixtures/$FW_FIXTURES_SET/golden" "$fixtures/$FW_FIXTURES_SET/profiles" 0 1
	# a set's goldens on the shared profiles (list/golden-shared)
	if [ -r "$fixtures/$FW_FIXTURES_SET/golden-shared/MANIFEST.tsv" ]; then
		run_manifest "$fixtures/$FW_FIXTURES_SET/golden-shared" "$fixtures/profiles" 0 1
	fi
elif [ -n "${FW_GOLDEN_DIR:-}" ]; then
	manifest=$FW_GOLDEN_DIR/MANIFEST.tsv
	# FW_GOLDEN_LIVE=1: also compared with a live go tool pprof (dot.sh)
	run_manifest "$FW_GOLDEN_DIR" "${FW_PROFILES_DIR:-$fixtures/profiles}" 0 "${FW_GOLDEN_LIVE:-0}"
else
	manifest=$fixtures/golden/MANIFEST.tsv
	run_manifest "$fixtures/golden" "$fixtures/profiles" 0 0
	run_manifest "$fixtures/golden-flags" "$fixtures/profiles" 1 0
fi

[ "$gw_n" -gt 0 ] || gw_bail "no goldens listed in $manifest"
gw_finish
