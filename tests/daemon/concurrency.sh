#!/bin/bash
# tests/daemon/concurrency.sh -- two flarewatchd on one incoming folder
# (and one state folder, as two hosts sharing a network folder would) analyze
# 20 flares exactly once between them.
. "$(dirname "$0")/common.sh"
require_daemon
require_flare

N=20
D=$T/shared
write_config "$D" settle_seconds=0 workers=2 rescan_seconds=1
mkdir -p "$D/incoming"
start_daemon "$T/a.log" "$D/flarewatch.yaml" || { nok "daemon A starts"; show_log "$T/a.log"; done_testing; }
A=$DPID
start_daemon "$T/b.log" "$D/flarewatch.yaml" || { nok "daemon B starts"; show_log "$T/b.log"; done_testing; }
B=$DPID
ok "two daemons watch $D/incoming"

for i in $(seq 1 $N); do
	make_flare "$T/f-$i.zip" "$i"
done
# all at once, as a copy of a folder would (one mv per file: a mv of many
# files looks at each one after moving it, and may find it taken already)
for i in $(seq 1 $N); do
	mv "$T/f-$i.zip" "$D/incoming/"
done

all_done() { [ "$(count "$D/state/done")" = $N ]; }
check "all $N flares reach done/" wait_for 120 all_done
check "none in failed/, processing/ or incoming/" \
	eval '[ "$(count "$D/state/failed")" = 0 ] && [ "$(count "$D/state/processing")" = 0 ] &&
	      [ "$(count "$D/incoming")" = 0 ]'
check "exactly $N reports" test "$(reports "$D/investigations")" = $N
analyzed() { grep -ho '^flarewatchd: info: f-[0-9]*\.zip: .* on .*, report ' "$@" | cut -d' ' -f3; }
total=$(analyzed "$T/a.log" "$T/b.log" | wc -l)
distinct=$(analyzed "$T/a.log" "$T/b.log" | sort -u | wc -l)
check "each flare analyzed exactly once between them ($total analyses, $distinct flares)" \
	eval '[ "$total" = $N ] && [ "$distinct" = $N ]'
diag "daemon A analyzed $(analyzed "$T/a.log" | wc -l), daemon B $(analyzed "$T/b.log" | wc -l)"
check "no flare filed under a suffixed name (no double claim)" \
	test "$(count "$D/state/done" '*-[0-9]*-[0-9]*.zip')" = 0

stop_daemon "$A"
check "daemon A: SIGTERM, exit status 0" test "$DSTATUS" = 0
stop_daemon "$B"
check "daemon B: SIGTERM, exit status 0" test "$DSTATUS" = 0
[ "$_tap_failed" = 0 ] || { show_log "$T/a.log"; show_log "$T/b.log"; }
done_testing
