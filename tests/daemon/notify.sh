#!/bin/bash
# tests/daemon/notify.sh -- flarewatchd's sd_notify protocol, received on a
# NOTIFY_SOCKET the test binds with tests/daemon/notify-listen: READY=1
# after start, STATUS= kept current, WATCHDOG=1 when WATCHDOG_USEC is set,
# RELOADING=1 ... READY=1 around a reload, STATUS= naming the configuration
# file and its load time, and a failed reload (the previous configuration
# keeps working), STOPPING=1 on SIGTERM.
. "$(dirname "$0")/common.sh"
require_daemon
require_flare
LISTEN=${NOTIFY_LISTEN:-$abs_top_builddir/tests/daemon/notify-listen}
[ -x "$LISTEN" ] || skip_all "tests/daemon/notify-listen not built ($LISTEN)"

D=$T/notify
LOG=$T/notify.log
OUT=$T/notify.out
SOCK=$T/notify.sock
write_config "$D" settle_seconds=0
: >"$OUT"
"$LISTEN" "$SOCK" "$OUT" 120 &
_pids+=($!)
wait_for 10 test -S "$SOCK" || { nok "the notify socket is bound"; done_testing; }

NOTIFY_SOCKET=$SOCK WATCHDOG_USEC=400000 start_daemon "$LOG" "$D/flarewatch.yaml" ||
	{ nok "daemon starts"; show_log "$LOG"; done_testing; }
has() { grep -q "$1" "$OUT"; }
nlines() { grep -c "$1" "$OUT"; }
check "READY=1" wait_for 10 has '^READY=1$'
TS='[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} UTC'
has_e() { grep -Eq "$1" "$OUT"; }
check "STATUS=watching DIR; N analyzed, M failed, K queued, J running; configuration FILE loaded TIME" \
	wait_for 10 has_e "^STATUS=watching $D/incoming; 0 analyzed, 0 failed, 0 queued, 0 running; configuration $D/flarewatch.yaml loaded $TS\$"
loaded=$(grep -Eo "loaded $TS" "$OUT" | head -n 1)
loaded_s=$(date -u -d "${loaded#loaded }" +%s 2>/dev/null)
check "... the load time is the daemon's start (${loaded#loaded }, now $(date -u '+%F %T'))" \
	eval '[ -n "$loaded_s" ] && [ $(( $(date +%s) - loaded_s )) -ge 0 ] && [ $(( $(date +%s) - loaded_s )) -le 30 ]' 
check "WATCHDOG=1 (WATCHDOG_USEC=400000: at least 3 pings in a second or so)" \
	wait_for 10 eval '[ "$(nlines "^WATCHDOG=1$")" -ge 3 ]'

make_flare "$T/a.zip" 1
mv "$T/a.zip" "$D/incoming/a.zip"
printf 'not a zip\n' >"$T/b.zip"
mv "$T/b.zip" "$D/incoming/b.zip"
check "STATUS follows the work: 1 analyzed, 1 failed" \
	wait_for 30 has '^STATUS=watching .*; 1 analyzed, 1 failed, 0 queued, 0 running; configuration '

kill -HUP "$DPID"
check "SIGHUP: RELOADING=1" wait_for 10 has '^RELOADING=1$'
check "... with MONOTONIC_USEC" has '^MONOTONIC_USEC=[0-9][0-9]*$'
check "... then READY=1 again" wait_for 10 eval '[ "$(nlines "^READY=1$")" -ge 2 ]'

# a reload of an invalid file: refused, said in STATUS=, the old one works
cp "$D/flarewatch.yaml" "$T/good.yaml"
printf 'workers: [oops\n' >>"$D/flarewatch.yaml"
kill -HUP "$DPID"
check "a reload of an invalid file: STATUS= says it FAILED and names the file" \
	wait_for 10 has_e "^STATUS=watching .*; configuration $D/flarewatch.yaml loaded $TS; the reload at $TS FAILED, the previous configuration stays: .*flarewatch.yaml"
make_flare "$T/c.zip" 3
mv "$T/c.zip" "$D/incoming/c.zip"
check "... and the previous configuration keeps working (a flare dropped after it is analyzed)" \
	wait_for 30 has '^STATUS=watching .*; 2 analyzed, 1 failed, 0 queued, 0 running; '
cp "$T/good.yaml" "$D/flarewatch.yaml"
kill -HUP "$DPID"
check "a good reload after it clears the failure from STATUS=" \
	wait_for 10 eval 'tail -n 3 "$OUT" | grep -Eq "^STATUS=watching .*; configuration $D/flarewatch.yaml loaded $TS\$"'

kill -TERM "$DPID"
check "SIGTERM: STOPPING=1" wait_for 10 has '^STOPPING=1$'
stop_daemon "$DPID"
check "exit status 0" test "$DSTATUS" = 0
check "the daemon's own pings only (no READY=1 from a worker)" \
	test "$(nlines '^READY=1$')" = 4
[ "$_tap_failed" = 0 ] || { show_log "$LOG"; diag "notifications:"; show_log "$OUT" 40; }
done_testing
