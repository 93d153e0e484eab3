#!/bin/bash
# tests/daemon/cli.sh -- flarewatchd's command line: --version, --help,
# usage errors (exit 2), --check-config (exit 0 or 1 with FILE:LINE:COL; the
# folders: creatable or writable by --user, on one file system),
# --print-config (every key in effect, reading back the same),
# and a daemon that refuses to start on a bad configuration (exit 1).
. "$(dirname "$0")/common.sh"
require_daemon
CONF=$abs_top_srcdir/tests/fixtures/config

out=$("$FLAREWATCHD" --version)
rc=$?
check "--version prints \"flarewatchd VERSION\" and exits 0" \
	eval '[ $rc = 0 ] && [[ "$out" =~ ^flarewatchd\ [0-9] ]]'
"$FLAREWATCHD" --help >"$T/help" 2>&1
check "--help exits 0" test $? = 0
check "--help shows the synopsis" grep -qF 'flarewatchd [-c FILE] [--foreground] [--check-config | --print-config]' "$T/help"
"$FLAREWATCHD" --no-such-option >/dev/null 2>&1
check "an unknown option exits 2" test $? = 2
"$FLAREWATCHD" extra-argument >/dev/null 2>&1
check "an extra argument exits 2" test $? = 2
"$FLAREWATCHD" -c >/dev/null 2>&1
check "-c without FILE exits 2" test $? = 2

write_config "$T/good"
me=$(id -un)
out=$("$FLAREWATCHD" -c "$T/good/flarewatch.yaml" --check-config --user "$me" 2>&1)
rc=$?
check "--check-config on a good file: \"configuration OK\", exit 0" \
	eval '[ $rc = 0 ] && [[ "$out" == "configuration OK"* ]]'
check "--check-config starts nothing (no folders created)" test ! -e "$T/good/state"
check "... and says the folders do not exist yet and are created in $T/good" \
	eval '[[ "$out" == *"state_dir $T/good/state: does not exist yet; flarewatchd creates it in $T/good"* ]]'
"$FLAREWATCHD" -c "$T/good/flarewatch.yaml" --user "$me" >/dev/null 2>&1
check "--user without --check-config is a usage error (exit 2)" test $? = 2

# --check-config judges the folders for another user by owner, group and
# mode: a folder that user cannot write into (root's 0755, the user
# nobody) makes it fail, naming the folder and the fix
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	mkdir -p "$T/locked"
	chmod 0755 "$T" "$T/locked"
	write_config "$T/locked"
	out=$("$FLAREWATCHD" -c "$T/locked/flarewatch.yaml" --check-config --user nobody 2>&1)
	rc=$?
	check "--check-config --user nobody, state_dir to be made in root's 0755 folder: exit 1" test "$rc" = 1
	check "... naming the folder, the user and the fix ($out)" \
		eval '[[ "$out" == *"state_dir $T/locked/state does not exist, and user nobody cannot create it in $T/locked"*"install -d -m 2770 -o flarewatch -g flarewatch"* ]]'
	mkdir -p "$T/locked/state"
	out=$("$FLAREWATCHD" -c "$T/locked/flarewatch.yaml" --check-config --user nobody 2>&1)
	rc=$?
	check "... an existing folder nobody may not write to: exit 1, named, with the fix ($out)" \
		eval '[ $rc = 1 ] && [[ "$out" == *"state_dir $T/locked/state: user nobody may not write to it"*"chown flarewatch:flarewatch $T/locked/state"* ]]'
	chown -R nobody "$T/locked/state"
	chmod 0777 "$T/locked"
	out=$("$FLAREWATCHD" -c "$T/locked/flarewatch.yaml" --check-config --user nobody 2>&1)
	rc=$?
	check "... once they are nobody's (and the parent writable): exit 0" test "$rc" = 0
	check "... and nothing was created" eval '[ "$(ls "$T/locked/state")" = "" ] && [ ! -e "$T/locked/incoming" ]'
	chmod 0700 "$T"
else
	skip "--check-config --user nobody" "needs root and the user nobody"
fi

# --print-config: the configuration in effect, every key, as YAML that loads
# back to the same configuration
write_config "$T/print" thresholds.leak_growth_per_30s=3MiB workers=3 "tickets.pattern='case-([0-9]+)'"
"$FLAREWATCHD" -c "$T/print/flarewatch.yaml" --print-config >"$T/print/out.yaml" 2>"$T/print/err"
check "--print-config exits 0" test $? = 0
check "... shows a value from the file (workers: 3)" grep -qx 'workers: 3' "$T/print/out.yaml"
check "... with its unit (leak_growth_per_30s: 3 MiB)" grep -qx '  leak_growth_per_30s: 3 MiB' "$T/print/out.yaml"
check "... and a default the file does not set (analysis.timeout_seconds)" \
	grep -qx '  timeout_seconds: 300' "$T/print/out.yaml"
check "... and tickets.pattern from the file" grep -qxF '  pattern: "case-([0-9]+)"' "$T/print/out.yaml"
check "... starts nothing (no folders created)" test ! -e "$T/print/state"
"$FLAREWATCHD" -c "$T/print/out.yaml" --print-config >"$T/print/again.yaml" 2>&1
check "... and reads back to the same configuration" \
	cmp -s <(sed 1d "$T/print/out.yaml") <(sed 1d "$T/print/again.yaml")
printf 'workers: many\n' >"$T/print/bad.yaml"
"$FLAREWATCHD" -c "$T/print/bad.yaml" --print-config >"$T/print/bad.out" 2>&1
check "--print-config on a bad file exits 1" test $? = 1

printf 'workers: 2\nno_such_key: 1\n' >"$T/bad.yaml"
out=$("$FLAREWATCHD" -c "$T/bad.yaml" --check-config 2>&1)
rc=$?
check "--check-config on a bad file exits 1" test "$rc" = 1
check "... and names FILE:LINE:COLUMN ($out)" eval '[[ "$out" == "$T/bad.yaml:2:"[0-9]* ]]'
if [ -f "$CONF/bad-unknown-nested-key.yaml" ]; then
	"$FLAREWATCHD" -c "$CONF/bad-unknown-nested-key.yaml" --check-config >/dev/null 2>&1
	check "--check-config on tests/fixtures/config/bad-unknown-nested-key.yaml exits 1" test $? = 1
fi

"$FLAREWATCHD" -c "$T/missing.yaml" --check-config >/dev/null 2>"$T/err"
rc=$?
check "a missing -c file is an error (exit 1)" test "$rc" = 1
check "... that names it" grep -q "$T/missing.yaml" "$T/err"

"$FLAREWATCHD" -c "$T/bad.yaml" --foreground 2>"$T/err" &
pid=$!
check "the daemon exits 1 on a bad configuration" eval 'wait_for 10 eval "! alive $pid"; wait $pid; [ $? = 1 ]'
check "... saying why on stderr" grep -q "flarewatchd: error: $T/bad.yaml:2:" "$T/err"

# state_dir and incoming_dir on different file systems: claims are renames
if [ -d /dev/shm ] && [ "$(stat -c %d /dev/shm)" != "$(stat -c %d "$T")" ]; then
	S=$(mktemp -d /dev/shm/flarewatchd-test.XXXXXX)
	write_config "$T/xdev" state_dir="$S"
	"$FLAREWATCHD" -c "$T/xdev/flarewatch.yaml" --foreground 2>"$T/err" &
	pid=$!
	check "incoming_dir and state_dir on different file systems: exit 1" \
		eval 'wait_for 10 eval "! alive $pid"; wait $pid; [ $? = 1 ]'
	check "... saying why" grep -q 'different file systems' "$T/err"
	out=$("$FLAREWATCHD" -c "$T/xdev/flarewatch.yaml" --check-config --user "$me" 2>&1)
	rc=$?
	check "... and --check-config says it first (exit 1: $out)" \
		eval '[ $rc = 1 ] && [[ "$out" == *"different file systems"* ]]'
	rm -rf "$S"
else
	skip "incoming_dir and state_dir on different file systems" "no second file system at /dev/shm"
fi
done_testing
