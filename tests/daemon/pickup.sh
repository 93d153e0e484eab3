#!/bin/bash
# tests/daemon/pickup.sh -- how flarewatchd finds flares in its incoming
# folder: dropped by mv, written slowly, present before start, partial
# names, dotfiles, symlinks, duplicates and name collisions.
. "$(dirname "$0")/common.sh"
require_daemon
require_flare

D=$T/pickup
write_config "$D" settle_seconds=1 rescan_seconds=60
mkdir -p "$D/incoming"
LOG=$T/pickup.log

# A backlog: flares waiting before the daemon starts.
make_flare "$D/incoming/backlog-1.zip" 1
make_flare "$D/incoming/backlog-2.zip" 2
start_daemon "$LOG" "$D/flarewatch.yaml" || { nok "daemon starts"; show_log "$LOG"; done_testing; }
ok "daemon starts"

check "backlog present before start: both analyzed" \
	wait_for 30 eval 'done_has backlog-1.zip && done_has backlog-2.zip'

# mv into the folder: an atomic arrival (IN_MOVED_TO).
make_flare "$T/moved.zip" 3
mv "$T/moved.zip" "$D/incoming/moved.zip"
check "a zip dropped by mv is analyzed" wait_for 30 done_has moved.zip

# A partial name is left alone until it is renamed.
make_flare "$D/incoming/partial.zip.part" 4
make_flare "$D/incoming/download.zip.crdownload" 5
make_flare "$D/incoming/.hidden.zip" 6
make_flare "$D/incoming/upload.tmp" 7
make_flare "$T/target.zip" 8
ln -s "$T/target.zip" "$D/incoming/link.zip"
mkdir "$D/incoming/subdir.zip"
# let the daemon see them, and pass a rescan (SIGHUP reloads, which does
# not rescan; so wait past the settle time instead)
sleep_until() { [ "$(_now_ms)" -ge "$1" ]; }
until_ms=$(($(_now_ms) + 2500))
wait_for 10 sleep_until "$until_ms"
check "a *.part flare is not taken" test -f "$D/incoming/partial.zip.part"
check "*.crdownload, dotfiles and *.tmp are not taken" \
	eval 'test -f "$D/incoming/download.zip.crdownload" && test -f "$D/incoming/.hidden.zip" && test -f "$D/incoming/upload.tmp"'
check "a symlink is not taken (nor followed)" \
	eval 'test -L "$D/incoming/link.zip" && test -f "$T/target.zip" && ! test -e "$D/state/done/link.zip"'
check "a folder is not taken" test -d "$D/incoming/subdir.zip"
mv "$D/incoming/partial.zip.part" "$D/incoming/partial.zip"
check "the partial flare is analyzed once renamed" wait_for 30 done_has partial.zip

# A slow writer: chunks of the zip appended 0.4 s apart (longer in total
# than settle_seconds, each gap shorter); taken once, after it settles.
slow_writer() {
	local src=$1 dst=$2 size chunk off=0
	size=$(stat -c %s "$src")
	chunk=$(((size + 7) / 8))
	while [ $off -lt "$size" ]; do
		tail -c +$((off + 1)) "$src" | head -c "$chunk" >>"$dst"
		off=$((off + chunk))
		local until_ms=$(($(_now_ms) + 400))
		wait_for 5 sleep_until "$until_ms"
	done
}
make_flare "$T/slow-src.zip" 9
: >"$D/incoming/slow.zip"
slow_writer "$T/slow-src.zip" "$D/incoming/slow.zip" &
WRITER=$!
taken_early=0
while alive "$WRITER"; do
	[ -e "$D/incoming/slow.zip" ] || taken_early=1
	sleep 0.05
done
wait "$WRITER"
check "a zip written slowly is not taken while it grows" test "$taken_early" = 0
check "... and is analyzed once it settled" wait_for 30 done_has slow.zip
check "... from its complete content" cmp -s "$T/slow-src.zip" "$D/state/done/slow.zip"
# the daemon files the flare in done/ first and logs its verdict right
# after: wait for that line before counting (a loaded machine is slow)
slow_logged() { grep -q '^flarewatchd: info: slow.zip: .* on .*, report ' "$LOG"; }
wait_for 10 slow_logged
n=$(grep -c '^flarewatchd: info: slow.zip: .* on .*, report ' "$LOG")
check "... exactly once (analyses of slow.zip: $n)" test "$n" = 1
n=$(grep -c ': .* on .*, report ' "$LOG")
check "five analyses so far (got $n)" test "$n" = 5

# The same content again: not analyzed twice, filed under done/.
reports_before=$(reports "$D/investigations")
cp "$D/state/done/moved.zip" "$D/incoming/moved-again.zip"
check "a duplicate flare goes to done/" wait_for 30 done_has moved-again.zip
check "... without a second report" test "$(reports "$D/investigations")" = "$reports_before"
check "... and the log says which report it duplicates" \
	grep -q 'moved-again.zip: duplicate of an analyzed flare .*report /' "$LOG"
check "the dedup index has one entry per analyzed content" \
	test "$(count "$D/state/seen")" = "$(reports "$D/investigations")"

# A name already in done/ gets a suffix; nothing is overwritten.
make_flare "$D/incoming/moved.zip" 10
check "a second moved.zip is filed as moved-1.zip" wait_for 30 done_has moved-1.zip
check "... and the first one is untouched" \
	cmp -s "$D/state/done/moved.zip" "$D/state/done/moved-again.zip"

check "nothing is left in processing/" test "$(count "$D/state/processing")" = 0
check "nothing went to failed/" test "$(count "$D/state/failed")" = 0
# 0770, never setgid by the daemon itself (the unit's RestrictSUIDSGID=
# refuses it); inside a setgid folder they inherit it (test_queue, nspawn.sh)
check "the folders are group-shared, 0770, not made setgid ($(stat -c %a "$D/state/processing"))" \
	test "$(stat -c %a "$D/state/processing")" = 770 # whatever the umask

stop_daemon "$DPID"
check "SIGTERM: exit status 0" test "$DSTATUS" = 0
[ "$_tap_failed" = 0 ] || show_log "$LOG" 40
done_testing
