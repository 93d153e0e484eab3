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
set -u

# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh" || exit 99

fixtures=$abs_top_srcdir/tests/fixtures
profiles=$fixtures/profiles
[ -d "$profiles" ] || gw_bail "missing directory $profiles"
gw_require_binary

# run_manifest DIR STDERR: the goldens of DIR/MANIFEST.tsv. STDERR=1 for
# the sets whose regen script records every command's stderr and the pprof
# tool's own exit status (golden-flags/, see its regen.sh): warnings are
# compared too, and status 2 is a usage error with pprof's message.
run_manifest() {
	local dir=$1 check_stderr=$2 manifest=$1/MANIFEST.tsv lineno=0 line name want_rc args
	[ -r "$manifest" ] || gw_bail "cannot read $manifest"
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
		gw_judge "$name" "$want_rc" "$dir/$name" "$profiles" "$check_stderr"
	done <"$manifest"
}

run_manifest "$fixtures/golden" 0
run_manifest "$fixtures/golden-flags" 1

[ "$gw_n" -gt 0 ] || gw_bail "no goldens listed in $manifest"
gw_finish
