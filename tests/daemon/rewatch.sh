#!/bin/bash
# tests/daemon/rewatch.sh -- the incoming folder replaced under the
# daemon: `rm -rf incoming && mkdir incoming`, and a symlinked
# incoming_dir re-pointed at another folder. The daemon notices (at the
# next rescan or SIGHUP at the latest, at once when inotify can tell),
# watches the new folder, says so once, and takes the flares dropped there.
. "$(dirname "$0")/common.sh"
require_daemon
require_flare

done_has() { [ -f "$D/state/done/$1" ]; }
nlines() { grep -c "$1" "$LOG"; }

# ---- rm -rf incoming && mkdir incoming -----------------------------------------
D=$T/rmdir
LOG=$T/rmdir.log
write_config "$D" settle_seconds=0 rescan_seconds=1
start_daemon "$LOG" "$D/flarewatch.yaml" || { nok "daemon starts"; show_log "$LOG"; done_testing; }
make_flare "$T/a.zip" 1
mv "$T/a.zip" "$D/incoming/a.zip"
check "a flare is taken from the original incoming folder" wait_for 30 done_has a.zip
rm -rf "$D/incoming" && mkdir "$D/incoming"
make_flare "$T/b.zip" 2
mv "$T/b.zip" "$D/incoming/b.zip"
check "after rm -rf incoming && mkdir incoming, a new flare is still taken" \
	wait_for 30 done_has b.zip
check "... and the change is logged" wait_for 5 grep -q "watching .*incoming.* again" "$LOG"
# a few more rescans: no repeated message while nothing changes
sleep 3
check "... once" test "$(nlines "watching .*incoming.* again")" = 1
make_flare "$T/c.zip" 3
mv "$T/c.zip" "$D/incoming/c.zip"
check "the new folder keeps being watched" wait_for 30 done_has c.zip
stop_daemon "$DPID"
check "SIGTERM: exit status 0" test "$DSTATUS" = 0
[ "$_tap_failed" = 0 ] || show_log "$LOG"

# ---- a symlinked incoming_dir re-pointed -----------------------------------------
D=$T/link
LOG=$T/link.log
mkdir -p "$D/in-1" "$D/in-2"
ln -s in-1 "$D/incoming"
write_config "$D" settle_seconds=0 rescan_seconds=1
start_daemon "$LOG" "$D/flarewatch.yaml" || { nok "daemon starts (link)"; show_log "$LOG"; done_testing; }
make_flare "$T/d.zip" 4
mv "$T/d.zip" "$D/in-1/d.zip"
check "a flare is taken through the symlink" wait_for 30 done_has d.zip
# re-point it atomically, as a deployment would
ln -s in-2 "$D/incoming.new" && mv -T "$D/incoming.new" "$D/incoming"
make_flare "$T/e.zip" 5
mv "$T/e.zip" "$D/in-2/e.zip"
check "after the symlink is re-pointed, a flare in the new target is taken" \
	wait_for 30 done_has e.zip
check "... and the change is logged" wait_for 5 grep -q "watching .*incoming.* again" "$LOG"
make_flare "$T/f.zip" 6
mv "$T/f.zip" "$D/in-1/f.zip"
sleep 3
check "a flare dropped in the old target is not taken" \
	eval '[ -f "$D/in-1/f.zip" ] && ! done_has f.zip'
check "the change was logged once" test "$(nlines "watching .*incoming.* again")" = 1
stop_daemon "$DPID"
check "SIGTERM: exit status 0" test "$DSTATUS" = 0
[ "$_tap_failed" = 0 ] || show_log "$LOG"

# ---- without waiting for a rescan: moved away (inotify says so), SIGHUP ---------------
D=$T/slow
LOG=$T/slow.log
write_config "$D" settle_seconds=0 rescan_seconds=3600
start_daemon "$LOG" "$D/flarewatch.yaml" || { nok "daemon starts (slow)"; show_log "$LOG"; done_testing; }
mv "$D/incoming" "$D/incoming.old" && mkdir "$D/incoming"
make_flare "$T/g.zip" 7
check "incoming moved away and made again: watched again at once" \
	wait_for 10 grep -q "watching .*incoming.* again" "$LOG"
mv "$T/g.zip" "$D/incoming/g.zip"
check "... and a flare dropped there is taken" wait_for 30 done_has g.zip
rm -rf "$D/incoming" && mkdir "$D/incoming"
kill -HUP "$DPID"
check "rm -rf and mkdir, then SIGHUP: watched again" \
	wait_for 10 eval '[ "$(nlines "watching .*incoming.* again")" = 2 ]'
make_flare "$T/h.zip" 8
mv "$T/h.zip" "$D/incoming/h.zip"
check "... and a flare dropped there is taken" wait_for 30 done_has h.zip
stop_daemon "$DPID"
check "SIGTERM: exit status 0" test "$DSTATUS" = 0
[ "$_tap_failed" = 0 ] || show_log "$LOG"
done_testing
