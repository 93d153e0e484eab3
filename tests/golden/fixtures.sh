#!/usr/bin/env bash
# tests/golden/fixtures.sh -- runs every golden of tests/fixtures/golden/
# (recorded from the reference `go tool pprof`, see tests/fixtures/README.md)
# against flarewatch and prints TAP.
#
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
set -u

# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh" || exit 99

fixtures=$abs_top_srcdir/tests/fixtures
# Another set of goldens in the same layout (tests/golden/foreign.sh):
# FW_GOLDEN_DIR holds MANIFEST.tsv and the goldens, FW_PROFILES_DIR the
# profiles the commands run from.
golden_dir=${FW_GOLDEN_DIR:-$fixtures/golden}
profiles=${FW_PROFILES_DIR:-$fixtures/profiles}
if [ -n "${FW_FIXTURES_SET:-}" ]; then
	golden_dir=$fixtures/$FW_FIXTURES_SET/golden
	profiles=$fixtures/$FW_FIXTURES_SET/profiles
fi
manifest=$golden_dir/MANIFEST.tsv
[ -r "$manifest" ] || gw_bail "cannot read $manifest"
[ -d "$profiles" ] || gw_bail "missing directory $profiles"
gw_require_binary

live_go=""
if [ "${FW_LIVE_GO:-1}" != 0 ]; then
	live_go=$(command -v go || true)
fi
regexp_error_re='^(.*error parsing regexp: )(.*)$'
lineno=0
while IFS= read -r line || [ -n "$line" ]; do
	lineno=$((lineno + 1))
	case $line in '' | '#'*) continue ;; esac
	IFS=$'\t' read -r name want_rc args <<<"$line"
	case $want_rc in '' | *[!0-9]*) want_rc=bad ;; esac
	if [ -z "$name" ] || [ "$want_rc" = bad ] || [ -z "${args:-}" ]; then
		gw_not_ok "MANIFEST.tsv:$lineno" "malformed manifest line: $line"
		continue
	fi
	IFS=' ' read -r -a argv <<<"$args"
	if ! gw_map "${argv[@]}"; then
		gw_not_ok "$name" "cannot map 'go tool pprof $args' to a flarewatch command"
		continue
	fi
	gw_run "$profiles"
	if [ -n "${FW_FIXTURES_SET:-}" ] && [ "$want_rc" -ne 0 ] && [ "$gw_rc" -eq 1 ] &&
		! gw_sanitizer_report; then
		want_msg=$(head -n 1 "$golden_dir/$name.stderr")
		want_msg=${want_msg#panic: }
		got_msg=$(head -n 1 "$gw_err")
		got_msg=${got_msg#flarewatch: }
		# Go's regexp errors read "...error parsing regexp: WHY: `EXPR`"; what
		# follows "error parsing regexp: " is the regexp engine's own wording
		# (base/regexp.c has its own tests), only noted here.
		if [[ $want_msg =~ $regexp_error_re ]]; then
			want_why=${BASH_REMATCH[2]}
			want_msg="${BASH_REMATCH[1]}..."
			if [[ $got_msg =~ $regexp_error_re ]]; then
				[ "${BASH_REMATCH[2]}" = "$want_why" ] ||
					echo "# note: $name: the regexp engine says \"${BASH_REMATCH[2]}\", Go \"$want_why\""
				got_msg="${BASH_REMATCH[1]}..."
			fi
		fi
		if [ "$got_msg" != "$want_msg" ]; then
			gw_not_ok "$name" "error message differs from go tool pprof's"
			echo "# expected: $want_msg"
			echo "# actual:   $got_msg"
			continue
		fi
	fi
	gw_judge "$name" "$want_rc" "$golden_dir/$name" "$profiles"
	if [ -n "${FW_FIXTURES_SET:-}" ] && [ "$want_rc" -eq 0 ] && [ -n "$live_go" ]; then
		cp "$gw_out" "$gw_tmp/ours"
		live_home=$(mktemp -d "$gw_tmp/home.XXXXXX")
		(cd "$profiles" && env -i PATH="$PATH" TZ=UTC PPROF_BINARY_PATH=/nonexistent \
			HOME="$live_home" PPROF_TMPDIR="$live_home" "$live_go" tool pprof "${argv[@]}") \
			>"$gw_tmp/live" 2>/dev/null </dev/null
		if cmp -s "$gw_tmp/live" "$gw_tmp/ours"; then
			gw_ok "live: $name"
		else
			gw_not_ok "live: $name" "stdout differs from a live 'go tool pprof $args'"
			diff -u --label "go tool pprof" --label flarewatch "$gw_tmp/live" "$gw_tmp/ours" \
				>"$gw_tmp/diff"
			gw_diag_file "$gw_tmp/diff"
		fi
	fi
done <"$manifest"

[ "$gw_n" -gt 0 ] || gw_bail "no goldens listed in $manifest"
gw_finish
