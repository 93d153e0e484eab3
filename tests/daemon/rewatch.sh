#!/bin/bash
# tests/daemon/rewatch.sh -- the incoming folder replaced under the
# daemon: `rm -rf incoming && mkdir incoming`, and a symlinked
# incoming_dir re-pointed at another folder. The daemon notices (at the
# next rescan or SIGHUP at the latest, at once when inotify can tell),
# watches the new folder, says so once, and takes the flares dropped there.
. "$(dirname "$0")/common.sh"
require_daemon
require_flare

nlines() { grep -c "$1" "$LOG"; }

# ---- rm -rf incoming && mkdir incoming -----------------------------------------
daemon_up rmdir settle_seconds=0 rescan_seconds=1
drop_flare a.zip 1
check "a flare is taken from the original incoming folder" wait_for 30 done_has a.zip
rm -rf "$D/incoming" && mkdir "$D/incoming"
drop_flare b.zip 2
check "after rm -rf incoming && mkdir incoming, a new flare is still taken" \
	wait_for 30 done_has b.zip
check "... and the change is logged" wait_for 5 grep -q "watching .*incoming.* again" "$LOG"
# a few more rescans: no repeated message while nothing changes
sleep 3
check "... once" test "$(nlines "watching .*incoming.* again")" = 1
drop_flare c.zip 3
check "the new folder keeps being watched" wait_for 30 done_has c.zip
daemon_down

# ---- a symlinked incoming_dir re-pointed -----------------------------------------
mkdir -p "$T/link/in-1" "$T/link/in-2"
ln -s in-1 "$T/link/incoming"
daemon_up link settle_seconds=0 rescan_seconds=1
drop_flare d.zip 4 "$D/in-1"
check "a flare is taken through the symlink" wait_for 30 done_has d.zip
# re-point it atomically, as a deployment would
ln -s in-2 "$D/incoming.new" && mv -T "$D/incoming.new" "$D/incoming"
drop_flare e.zip 5 "$D/in-2"
check "after the symlink is re-pointed, a flare in the new target is taken" \
	wait_for 30 done_has e.zip
check "... and the change is logged" wait_for 5 grep -q "watching .*incoming.* again" "$LOG"
drop_flare f.zip 6 "$D/in-1"
sleep 3
check "a flare dropped in the old target is not taken" \
	eval '[ -f "$D/in-1/f.zip" ] && ! done_has f.zip'
check "the change was logged once" test "$(nlines "watching .*incoming.* again")" = 1
daemon_down

# ---- without waiting for a rescan: moved away (inotify says so), SIGHUP ---------------
daemon_up slow settle_seconds=0 rescan_seconds=3600
mv "$D/incoming" "$D/incoming.old" && mkdir "$D/incoming"
check "incoming moved away and made again: watched again at once" \
	wait_for 10 grep -q "watching .*incoming.* again" "$LOG"
drop_flare g.zip 7
check "... and a flare dropped there is taken" wait_for 30 done_has g.zip
rm -rf "$D/incoming" && mkdir "$D/incoming"
kill -HUP "$DPID"
check "rm -rf and mkdir, then SIGHUP: watched again" \
	wait_for 10 eval '[ "$(nlines "watching .*incoming.* again")" = 2 ]'
drop_flare h.zip 8
check "... and a flare dropped there is taken" wait_for 30 done_has h.zip
daemon_down
done_testing
