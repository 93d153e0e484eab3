#!/bin/bash
# tests/daemon/signals.sh -- SIGHUP reloads the configuration and keeps
# the running one when the new file is invalid; SIGTERM lets the running
# analysis finish, leaves queued flares untouched and exits 0.
. "$(dirname "$0")/common.sh"
require_daemon
require_flare

# ---- SIGHUP ---------------------------------------------------------------
daemon_up hup settle_seconds=0

printf 'incoming_dir: %s/incoming\nworkers: many\n' "$D" >"$D/flarewatch.yaml"
kill -HUP "$DPID"
check "SIGHUP with a bad configuration: the reload fails, with the file:line:col" \
	wait_for 10 grep -Eq 'reload failed, keeping the previous configuration: .*flarewatch.yaml:2:[0-9]+' "$LOG"
check "... and the daemon keeps running" alive "$DPID"
drop_flare a.zip 1
check "... with the previous configuration: a flare is still analyzed" wait_for 30 done_has a.zip

rm -f "$D/flarewatch.yaml"
kill -HUP "$DPID"
check "SIGHUP with the file gone: the reload fails too" \
	wait_for 10 eval '[ "$(grep -c "reload failed" "$LOG")" = 2 ]'
check "... and the daemon keeps running" alive "$DPID"

# a valid new configuration takes effect: a new incoming folder
write_config "$D" settle_seconds=0 incoming_dir="$D/incoming2"
kill -HUP "$DPID"
check "SIGHUP with a valid configuration reloads it" \
	wait_for 10 grep -q 'reloaded the configuration' "$LOG"
check "... and says it changed something" \
	eval '! grep -q "reloaded the configuration.*(no setting changed)" "$LOG"'
drop_flare b.zip 2 "$D/incoming2"
check "... and watches the new incoming folder" wait_for 30 done_has b.zip
kill -HUP "$DPID"
check "SIGHUP again with the same file: the reload says no setting changed" \
	wait_for 10 grep -q 'reloaded the configuration.*(no setting changed)' "$LOG"
daemon_down

# ---- SIGTERM with one analysis running and flares queued -------------------------
mkdir -p "$T/term/incoming"
FLAREWATCHD_DEBUG=1 daemon_up term settle_seconds=0 workers=1
# a flare whose analysis takes a few seconds (hashing 512 MiB of holes)
make_slow_flare "$D/incoming/.slow.zip" 512M
mv "$D/incoming/.slow.zip" "$D/incoming/slow.zip"
running() { [ -f "$D/state/processing/slow.zip" ] && [ -n "$(children "$DPID")" ]; }
if wait_for 10 running; then
	for i in 1 2 3; do
		drop_flare "q-$i.zip" $((10 + i))
	done
	before=$(cd "$D/incoming" && stat -c '%n %i %s %Y' q-*.zip && sha256sum q-*.zip)
	check "three flares queued behind it" \
		wait_for 10 eval '[ "$(grep -c "new flare q-" "$LOG")" = 3 ]'
	stop_daemon "$DPID"
	check "SIGTERM during an analysis: exit status 0" test "$DSTATUS" = 0
	check "the running analysis was allowed to finish (slow.zip filed, not left)" \
		eval '[ -f "$D/state/failed/slow.zip" ] && [ ! -e "$D/state/processing/slow.zip" ]'
	after=$(cd "$D/incoming" && stat -c '%n %i %s %Y' q-*.zip && sha256sum q-*.zip)
	check "the queued flares are untouched in incoming/" test "$before" = "$after"
	check "... and were not claimed" \
		eval '[ "$(count "$D/state/done")" = 0 ] && [ "$(count "$D/state/processing")" = 0 ]'
	check "the stop is logged" grep -q 'flarewatchd stopped' "$LOG"
else
	nok "slow.zip is being analyzed"
fi
[ "$_tap_failed" = 0 ] || show_log "$LOG"
done_testing
