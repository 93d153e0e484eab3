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
set -u

# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh" || exit 99

fixtures=$abs_top_srcdir/tests/fixtures
# Another set of goldens in the same layout (tests/golden/foreign.sh):
# FW_GOLDEN_DIR holds MANIFEST.tsv and the goldens, FW_PROFILES_DIR the
# profiles the commands run from.
goldens=${FW_GOLDEN_DIR:-$fixtures/golden}
manifest=$goldens/MANIFEST.tsv
profiles=${FW_PROFILES_DIR:-$fixtures/profiles}
[ -r "$manifest" ] || gw_bail "cannot read $manifest"
[ -d "$profiles" ] || gw_bail "missing directory $profiles"
gw_require_binary

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
	gw_judge "$name" "$want_rc" "$goldens/$name" "$profiles"
done <"$manifest"

[ "$gw_n" -gt 0 ] || gw_bail "no goldens listed in $manifest"
gw_finish
