#!/bin/bash
# tests/daemon/incoming.sh -- what the daemon does with what is not a flare
# it may take, in the incoming folder: it stays where it is, and is logged
# once per file (across rescans, every second here), again only when the
# name holds another file:
#   - notes.txt (no .zip): notice "not a .zip file", not moved to failed/;
#   - a folder: notice "a folder; only flare zips";
#   - a symbolic link: notice "a symbolic link";
#   - a zip the daemon may not read (0600, another owner; needs root, the
#     daemon then runs as nobody): warning with the fix, which, run as
#     printed, makes it be taken (IN_ATTRIB: before any rescan) and analyzed.
. "$(dirname "$0")/common.sh"
require_daemon
require_flare

# ---- a daemon rescanning every second -------------------------------------------
daemon_up things rescan_seconds=1
printf 'meeting notes\n' >"$T/notes.txt" && mv "$T/notes.txt" "$D/incoming/notes.txt"
mkdir "$T/extracted" && make_flare "$T/extracted/flare.zip" 1 && mv "$T/extracted" "$D/incoming/"
make_flare "$T/target.zip" 2
ln -s "$T/target.zip" "$D/incoming/link.zip"
drop_flare good.zip 3
check "a flare dropped with them is analyzed" wait_for 30 done_has good.zip
sleep 4 # four rescans
lines() { grep -c -- "$1" "$LOG"; }
check "notes.txt stays in incoming/" test -f "$D/incoming/notes.txt"
check "... and is not in failed/" test ! -e "$D/state/failed/notes.txt"
check "... logged once at notice, over 4 rescans ($(lines 'notes.txt: not a .zip') lines)" \
	test "$(lines "notice: $D/incoming/notes.txt: not a .zip file; only flares (\*.zip) are taken, it is left alone")" = 1
check "the folder extracted/ stays, its zip untouched" test -f "$D/incoming/extracted/flare.zip"
check "... logged once at notice ($(lines 'extracted: a folder') lines)" \
	test "$(lines "notice: $D/incoming/extracted: a folder; only flare zips")" = 1
check "the symlink link.zip stays, its target untouched" \
	eval '[ -L "$D/incoming/link.zip" ] && [ -f "$T/target.zip" ]'
check "... logged once at notice ($(lines 'link.zip: a symbolic link') lines)" \
	test "$(lines "notice: $D/incoming/link.zip: a symbolic link")" = 1
check "nothing else was filed (done: 1, failed: 0)" \
	eval '[ "$(count "$D/state/done")" = 1 ] && [ "$(count "$D/state/failed")" = 0 ]'
# another file under the same name is logged again; the same one is not
printf 'other notes\n' >"$T/notes.txt" && mv "$T/notes.txt" "$D/incoming/notes.txt"
check "another file named notes.txt is logged again (once)" \
	wait_for 10 eval '[ "$(lines "$D/incoming/notes.txt: not a .zip")" = 2 ]'
sleep 2
check "... and only once" test "$(lines "$D/incoming/notes.txt: not a .zip")" = 2
daemon_down

# ---- an unreadable flare -----------------------------------------------------------
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null || ! id nobody >/dev/null 2>&1; then
	skip "an unreadable flare" "needs root, setpriv and the user nobody (the daemon runs as nobody)"
	done_testing
fi
grp=$(id -gn nobody)
chmod 0755 "$T" # nobody reaches its folders
mkdir -p "$T/tmp-nobody" && chown nobody "$T/tmp-nobody" # its TMPDIR
# perm NAME RESCAN: a daemon running as nobody on D=$T/NAME
perm_up() {
	D=$T/$1
	LOG=$T/$1.log
	write_config "$D" rescan_seconds="$2"
	mkdir -p "$D/incoming" && chown -R nobody:"$grp" "$D"
	TMPDIR=$T/tmp-nobody setpriv --reuid=nobody --regid="$grp" --clear-groups -- \
		"$FLAREWATCHD" -c "$D/flarewatch.yaml" --foreground 2>>"$LOG" &
	DPID=$!
	_pids+=("$DPID")
	wait_for 20 grep -q 'started: watching' "$LOG" ||
		{ nok "daemon starts as nobody ($1)"; show_log "$LOG"; done_testing; }
}
perm_up perm 1
make_flare "$T/secret.zip" 4
chmod 0600 "$T/secret.zip"
mv "$T/secret.zip" "$D/incoming/secret.zip"
fix="chgrp $grp '$D/incoming/secret.zip' && chmod g+r '$D/incoming/secret.zip'"
check "an unreadable zip is logged at warning with the exact fix: $fix" \
	wait_for 10 grep -qF "warning: $D/incoming/secret.zip: cannot read it (owner uid 0, group gid 0, mode 0600; this daemon runs as uid $(id -u nobody), group $grp); it stays in $D/incoming and is taken as soon as it is readable: $fix" "$LOG"
sleep 4
check "... it stays in incoming/, not in failed/" \
	eval '[ -f "$D/incoming/secret.zip" ] && [ "$(count "$D/state/failed")" = 0 ]'
check "... logged once over 4 rescans ($(lines 'secret.zip: cannot read') lines)" \
	test "$(lines 'secret.zip: cannot read it')" = 1
stop_daemon "$DPID"
check "SIGTERM: exit status 0" test "$DSTATUS" = 0

# rescans only every 60 s now: taken at once after the fix means IN_ATTRIB
perm_up attrib 60
mv "$T/perm/incoming/secret.zip" "$D/incoming/secret.zip"
check "(a daemon with rescan_seconds=60 logs it too)" wait_for 10 grep -q 'secret.zip: cannot read it' "$LOG"
fix="chgrp $grp '$D/incoming/secret.zip' && chmod g+r '$D/incoming/secret.zip'"
eval "$fix"
t0=$(_now_ms)
check "after the fix it printed (run as printed), it is analyzed" wait_for 30 done_has secret.zip
diag "analyzed $(($(_now_ms) - t0)) ms after the fix"
check "... before any rescan (inotify IN_ATTRIB): within 20 s" test $(($(_now_ms) - t0)) -lt 20000
check "... and the log says it is readable now" grep -q "secret.zip: readable now, taken" "$LOG"
daemon_down
done_testing
