#!/bin/bash
# tests/daemon/tmpclean.sh -- the temporary folders of flarewatchd: the
# workers extract under a private 0700 folder of the daemon; what a
# daemon killed with kill -9 leaves in $TMPDIR is removed at the next
# start, and only that: a live daemon's folder, another program's
# flarewatchd-* folder and other users' folders stay.
. "$(dirname "$0")/common.sh"
require_daemon
require_flare

D=$T/tmp-clean
LOG=$T/tmp-clean.log
write_config "$D" settle_seconds=0 workers=2
start_daemon "$LOG" "$D/flarewatch.yaml" || { nok "daemon starts"; show_log "$LOG"; done_testing; }
# two analyses that take a second or so (hashing 256 MiB of holes; the
# kill lands within 50 ms of both running), then kill -9
make_slow_flare "$D/incoming/.s1.zip" 256M
make_slow_flare "$D/incoming/.s2.zip" 256M
mv "$D/incoming/.s1.zip" "$D/incoming/s1.zip"
mv "$D/incoming/.s2.zip" "$D/incoming/s2.zip"
two_workers() { [ "$(children "$DPID" | wc -l)" -ge 2 ]; }
check "two analyses are running" wait_for 10 two_workers
leftovers() { find "$TMPDIR" -mindepth 1 -maxdepth 1 -name 'flarewatchd-*' -type d | sort; }
diag "temporary folders while analyzing:" $(leftovers)
# every job folder is private (0700), and so is what holds them
private() {
	local n
	n=$(find "$TMPDIR" -mindepth 1 -maxdepth 2 -type d ! -perm 700 | wc -l)
	[ "$n" = 0 ] && [ -n "$(leftovers)" ]
}
check "the workers' temporary folders are private (0700)" private
kill -KILL "$DPID"
wait "$DPID" 2>/dev/null
wait_for 10 eval '[ -z "$(children "$DPID")" ]'
old=$(leftovers)
check "kill -9 left temporary folders (the case to clean up)" test -n "$old"

# folders that are not a dead daemon's: must stay
mkdir -m 700 "$TMPDIR/flarewatchd-notes" "$TMPDIR/flarewatchd-1-abcdef"
touch "$TMPDIR/flarewatchd-notes/keep"
# a live daemon's folder: its flock is held (here by flock(1))
mkdir -m 700 "$TMPDIR/flarewatchd-77777-ghijkl"
flock "$TMPDIR/flarewatchd-77777-ghijkl" sleep 120 &
holder=$!
_pids+=("$holder")
wait_for 5 eval 'grep -q "$(stat -c %i "$TMPDIR/flarewatchd-77777-ghijkl")" /proc/locks'
# another user's stale folder
mkdir -m 700 "$TMPDIR/flarewatchd-2-mnopqr"
chown 65534:65534 "$TMPDIR/flarewatchd-2-mnopqr"
# the unlocked one of ours, unlocked and never used: stale too
: > "$TMPDIR/flarewatchd-1-abcdef/x"

LOG=$T/tmp-clean-2.log
start_daemon "$LOG" "$D/flarewatch.yaml" || { nok "daemon restarts"; show_log "$LOG"; done_testing; }
gone=1
for f in $old; do [ -e "$f" ] && gone=0; done
check "at start, the folders the killed daemon left are removed" test "$gone" = 1
check "... and a stale one of the same form" test ! -e "$TMPDIR/flarewatchd-1-abcdef"
check "... and the removal is logged" grep -q 'removed [0-9]* temporary folders' "$LOG"
check "a flarewatchd-* folder of another form stays" test -f "$TMPDIR/flarewatchd-notes/keep"
check "a folder held by a live process stays" test -d "$TMPDIR/flarewatchd-77777-ghijkl"
check "another user's folder stays" test -d "$TMPDIR/flarewatchd-2-mnopqr"
check "the flares of the killed run are analyzed again" \
	wait_for 180 eval '[ "$(count "$D/state/failed" "s?.zip")" = 2 ]'
# a /tmp cleaner removes the daemon's folder while it idles
rm -rf "$TMPDIR/flarewatchd-$DPID-"*
make_flare "$T/good.zip" 1
mv "$T/good.zip" "$D/incoming/good.zip"
check "its folder removed under it, the daemon makes a new one and analyzes" \
	wait_for 60 test -f "$D/state/done/good.zip"
check "... in a folder of its own again" test -n "$(ls -d "$TMPDIR/flarewatchd-$DPID-"* 2>/dev/null)"
stop_daemon "$DPID"
check "SIGTERM: exit status 0" test "$DSTATUS" = 0
check "after a clean stop, the daemon's own temporary folder is gone" \
	test "$(leftovers | grep -Ev 'flarewatchd-(notes|77777-ghijkl|2-mnopqr)$')" = ""
kill "$holder" 2>/dev/null
[ "$_tap_failed" = 0 ] || show_log "$LOG"
done_testing
