#!/bin/bash
# tests/daemon/failures.sh -- bad input never stops flarewatchd: a corrupt
# zip goes to failed/ with its reason and the next flare is still
# analyzed; an analysis past its wall-clock or CPU limit is killed and
# says so; kill -9 of the daemon mid-analysis loses no flare.
. "$(dirname "$0")/common.sh"
require_daemon
require_flare

failed_has() { [ -f "$1/state/failed/$2" ] && [ -f "$1/state/failed/$2.error.txt" ]; }

# ---- a corrupt zip, then a good one ------------------------------------------
D=$T/corrupt
LOG=$T/corrupt.log
write_config "$D" settle_seconds=0 workers=1
start_daemon "$LOG" "$D/flarewatch.yaml" || { nok "daemon starts"; show_log "$LOG"; done_testing; }
head -c 3000 "$SAMPLE" >"$T/truncated.zip"
mv "$T/truncated.zip" "$D/incoming/truncated.zip"
printf 'this is not a zip\n' >"$T/notes.zip"
mv "$T/notes.zip" "$D/incoming/notes.zip"
check "a truncated zip goes to failed/ with an .error.txt" \
	wait_for 30 failed_has "$D" truncated.zip
check "a file that is no zip goes to failed/ too" wait_for 30 failed_has "$D" notes.zip
check "the .error.txt says why (first line non-empty) and names the flare" \
	eval 'test -n "$(head -n 1 "$D/state/failed/notes.zip.error.txt")" &&
	      grep -q "^flare: *notes.zip$" "$D/state/failed/notes.zip.error.txt"'
diag "reason: $(head -n 1 "$D/state/failed/truncated.zip.error.txt" 2>/dev/null)"
make_flare "$T/good.zip" 1
mv "$T/good.zip" "$D/incoming/good.zip"
check "the next good flare is still analyzed" wait_for 30 done_has good.zip
check "the daemon is still running" alive "$DPID"
check "no report for the failed ones" test "$(reports "$D/investigations")" = 1
stop_daemon "$DPID"
check "SIGTERM: exit status 0" test "$DSTATUS" = 0
[ "$_tap_failed" = 0 ] || show_log "$LOG"

# ---- limits: wall clock, CPU, and that they are applied -------------------------
D=$T/limits
LOG=$T/limits.log
write_config "$D" settle_seconds=0 workers=2 analysis.timeout_seconds=1 \
	analysis.memory_limit="64 MiB"
start_daemon "$LOG" "$D/flarewatch.yaml" || { nok "daemon starts (limits)"; show_log "$LOG"; done_testing; }
# hashing 4 GiB of holes takes a worker far longer than a second
make_slow_flare "$D/incoming/.slow.zip" 4G
mv "$D/incoming/.slow.zip" "$D/incoming/slow.zip"
child=
find_child() { child=$(children "$DPID" | head -n 1); [ -n "$child" ]; }
# (the worker is found as soon as it is forked, before it sets its limits:
# each limit is waited for, not read once)
if wait_for 10 find_child; then
	if grep -q 'AddressSanitizer: analysis.memory_limit' "$LOG"; then
		skip "the worker runs with RLIMIT_AS = analysis.memory_limit" "AddressSanitizer build"
	else
		check "the worker runs with RLIMIT_AS = analysis.memory_limit" \
			wait_for 5 grep -Eq '^Max address space +67108864 +67108864 ' "/proc/$child/limits"
	fi
	check "the worker runs with RLIMIT_CPU = analysis.cpu_seconds" \
		wait_for 5 grep -Eq '^Max cpu time +240 +241 ' "/proc/$child/limits"
	check "the worker cannot dump core" wait_for 5 grep -Eq '^Max core file size +0 +0 ' "/proc/$child/limits"
else
	nok "a worker process is started for the slow flare"
fi
check "an analysis past timeout_seconds is killed; the flare goes to failed/" \
	wait_for 30 failed_has "$D" slow.zip
check "... and its .error.txt says so" \
	grep -q 'killed by signal 9 (SIGKILL) after the 1 s timeout' "$D/state/failed/slow.zip.error.txt"
check "the daemon is still running" alive "$DPID"
stop_daemon "$DPID"
check "SIGTERM: exit status 0" test "$DSTATUS" = 0
[ "$_tap_failed" = 0 ] || show_log "$LOG"

D=$T/cpu
LOG=$T/cpu.log
write_config "$D" settle_seconds=0 analysis.timeout_seconds=300 analysis.cpu_seconds=1
start_daemon "$LOG" "$D/flarewatch.yaml" || { nok "daemon starts (cpu)"; show_log "$LOG"; done_testing; }
make_slow_flare "$D/incoming/.slow.zip" 8G
mv "$D/incoming/.slow.zip" "$D/incoming/slow.zip"
check "an analysis past cpu_seconds is stopped; the flare goes to failed/" \
	wait_for 60 failed_has "$D" slow.zip
check "... and its .error.txt says so" \
	grep -q 'exceeded the CPU time limit (SIGXCPU, 1 s)' "$D/state/failed/slow.zip.error.txt"
diag "reason: $(head -n 1 "$D/state/failed/slow.zip.error.txt" 2>/dev/null)"
stop_daemon "$DPID"
[ "$_tap_failed" = 0 ] || show_log "$LOG"

# ---- kill -9 during an analysis, then restart -------------------------------------
D=$T/crash
LOG=$T/crash.log
write_config "$D" settle_seconds=0 workers=1
mkdir -p "$D/incoming"
start_daemon "$LOG" "$D/flarewatch.yaml" || { nok "daemon starts (crash)"; show_log "$LOG"; done_testing; }
make_slow_flare "$D/incoming/.big.zip" 512M
mv "$D/incoming/.big.zip" "$D/incoming/big.zip"
for i in 1 2 3; do
	make_flare "$T/queued-$i.zip" $((10 + i))
	mv "$T/queued-$i.zip" "$D/incoming/"
done
in_processing() { [ -f "$D/state/processing/big.zip" ] && [ -n "$(children "$DPID")" ]; }
if wait_for 10 in_processing; then
	worker=$(children "$DPID" | head -n 1)
	kill -KILL "$DPID"
	stop_daemon "$DPID" KILL
	ok "kill -9 while big.zip is being analyzed"
	check "the worker dies with the daemon" wait_for 10 eval "! alive $worker"
	check "big.zip stays in processing/" test -f "$D/state/processing/big.zip"
	check "the queued flares stay in incoming/" test "$(count "$D/incoming" 'queued-*.zip')" = 3
	# the restarted daemon must not give up on the big one: let it finish
	write_config "$D" settle_seconds=0 workers=1
	start_daemon "$LOG" "$D/flarewatch.yaml" || nok "the daemon starts again"
	check "after a restart big.zip is taken again from processing/" \
		wait_for 20 grep -q 'big.zip: taken again' "$LOG"
	all_filed() {
		[ "$(count "$D/state/done")" = 3 ] && failed_has "$D" big.zip &&
			[ "$(count "$D/state/processing")" = 0 ] && [ "$(count "$D/incoming")" = 0 ]
	}
	check "every flare is filed: 3 analyzed, big.zip (no zip) failed, none lost" \
		wait_for 120 all_filed
	check "each queued flare analyzed exactly once" \
		test "$(grep -c 'queued-.*: .* on .*, report ' "$LOG")" = 3
	stop_daemon "$DPID"
	check "SIGTERM: exit status 0" test "$DSTATUS" = 0
else
	nok "big.zip is being analyzed"
fi
[ "$_tap_failed" = 0 ] || show_log "$LOG"
done_testing
