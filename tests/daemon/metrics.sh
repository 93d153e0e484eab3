#!/bin/bash
# tests/daemon/metrics.sh -- metrics_file (src/daemon/metrics.h): the real
# flarewatchd on known flares, then every value of the metrics file checked
# against what this test dropped:
#   - fixture flares with known verdicts (tests/fixtures/flares/README.md:
#     leak = MEMORY LEAK, normal = NORMAL, contention = CONTENTION, each
#     verified with go tool pprof by make-flares.sh), a truncated zip
#     (failed, reason invalid_flare), a second copy of normal (duplicate);
#   - the histogram's count is the analyses, its sum within the wall time,
#     its buckets cumulative; the start and last-success times within the
#     times the test took around them; the file is 0644 and holds nothing
#     from the flares (names, hostnames);
#   - `promtool check metrics` passes (Debian package prometheus; skipped
#     without it);
#   - queue gauges: two unsettled flares in incoming/ and one in processing/
#     (recovered at start) show as incoming 2, processing 1; that one is
#     killed by analysis.timeout_seconds: reason timeout;
#   - a metrics folder that does not exist: the failure is logged once (not
#     at every rewrite) with the file and the fix; once the folder exists
#     the file is written, and that is logged.
# $FLAREWATCHD_METRICS_SECONDS=1 makes the daemon rewrite it every second.
. "$(dirname "$0")/common.sh"
require_daemon
FLARES=$abs_top_srcdir/tests/fixtures/flares
for s in leak normal contention cpu; do
	z=("$FLARES/$s"-datadog-agent-*.zip)
	[ -f "${z[0]}" ] || skip_all "no $s fixture flare in $FLARES"
	eval "Z_$s=\${z[0]}"
done
export FLAREWATCHD_METRICS_SECONDS=1

# value NAME{LABELS} [FILE]: the sample's value ("" when absent)
value() { awk -v k="$1" '$1 == k { print $2; exit }' "${2:-$MF}" 2>/dev/null; }
# put ZIP NAME: copies ZIP aside, then moves it whole into incoming/
put() { cp "$1" "$T/$2" && mv "$T/$2" "$D/incoming/$2"; }
filed() { [ "$(($(count "$D/state/done") + $(count "$D/state/failed" '*.zip')))" -ge "$1" ]; }
now_s() { date +%s; }

# ---- (A) known flares ------------------------------------------------------------------
mkdir -p "$T/prom"
MF=$T/prom/flarewatch.prom
t_before=$(now_s)
daemon_up a metrics_file="$MF"
t_started=$(now_s)
check "the metrics file is written at start" wait_for 10 test -s "$MF"
check "... with mode 0644 ($(stat -c %a "$MF" 2>/dev/null))" test "$(stat -c %a "$MF" 2>/dev/null)" = 644
st=$(value flarewatch_start_time_seconds)
check "flarewatch_start_time_seconds $st is between $t_before and $t_started" \
	eval '[ -n "$st" ] && [ "$st" -ge "$t_before" ] && [ "$st" -le "$t_started" ]'
check "flarewatch_last_success_timestamp_seconds is 0 before any flare" \
	test "$(value flarewatch_last_success_timestamp_seconds)" = 0

t_drop=$(now_s)
t_drop_ms=$(_now_ms)
put "$Z_leak" leak.zip
put "$Z_normal" normal.zip
put "$Z_contention" contention.zip
head -c 1000 "$Z_cpu" >"$T/truncated.zip" && mv "$T/truncated.zip" "$D/incoming/truncated.zip"
wait_for 120 filed 4 || nok "the four flares are filed in done/ and failed/"
# the same content as normal.zip under another name, once normal.zip is done
put "$Z_normal" normal-again.zip
wait_for 60 filed 5 || nok "the duplicate is filed"
# every flare rewrites the file: it counts all five once the last is filed
check "the metrics file counts the five flares" \
	wait_for 10 eval '[ "$(value flarewatch_duplicates_total)" = 1 ] && [ "$(value flarewatch_analysis_seconds_count)" = 3 ]'
t_done=$(now_s)
t_done_ms=$(_now_ms)
cp "$MF" "$T/a.prom"
MF=$T/a.prom
diag "$(grep -v '^#' "$MF")"

declare -A want=([normal]=1 [inconclusive]=0 [contention]=1 [cpu_spike]=0 [memory_leak]=1
	[multiple_issues]=0 [unknown]=0)
for v in "${!want[@]}"; do
	got=$(value "flarewatch_flares_total{verdict=\"$v\"}")
	check "flarewatch_flares_total{verdict=\"$v\"} is ${want[$v]} ($got)" test "$got" = "${want[$v]}"
done
check "flarewatch_flares_total has exactly these 7 verdicts" \
	test "$(grep -c '^flarewatch_flares_total{' "$MF")" = 7
# the verdicts the journal-less log says, one per analyzed flare
for s in leak normal contention; do
	check "$s.zip is filed in done/" done_has "$s.zip"
done
check "truncated.zip is in failed/, its reason says it is no zip" \
	grep -q 'not a zip archive' "$D/state/failed/truncated.zip.error.txt"
declare -A wantf=([invalid_flare]=1 [too_large]=0 [memory_limit]=0 [timeout]=0 [cpu_limit]=0
	[killed]=0 [host]=0 [internal]=0 [other]=0)
for r in "${!wantf[@]}"; do
	got=$(value "flarewatch_flares_failed_total{reason=\"$r\"}")
	check "flarewatch_flares_failed_total{reason=\"$r\"} is ${wantf[$r]} ($got)" \
		test "$got" = "${wantf[$r]}"
done
check "flarewatch_flares_failed_total has exactly these 9 reasons" \
	test "$(grep -c '^flarewatch_flares_failed_total{' "$MF")" = 9
check "flarewatch_duplicates_total is 1" test "$(value flarewatch_duplicates_total)" = 1
check "flarewatch_queue{state=\"incoming\"} is 0" test "$(value 'flarewatch_queue{state="incoming"}')" = 0
check "flarewatch_queue{state=\"processing\"} is 0" test "$(value 'flarewatch_queue{state="processing"}')" = 0
ls_=$(value flarewatch_last_success_timestamp_seconds)
check "flarewatch_last_success_timestamp_seconds $ls_ is between the drop ($t_drop) and the end ($t_done)" \
	eval '[ "$ls_" -ge "$t_drop" ] && [ "$ls_" -le "$t_done" ]'
check "flarewatch_build_info{version=\"$("$FLAREWATCHD" --version | awk '{print $NF}')\"} is 1" \
	test "$(value "flarewatch_build_info{version=\"$("$FLAREWATCHD" --version | awk '{print $NF}')\"}")" = 1

# the histogram: 3 analyses (the duplicate and the failure are not timed)
hist=$(awk '/^flarewatch_analysis_seconds_bucket/ { print $2 }' "$MF" | tr '\n' ' ')
hist_ok() {
	awk '/^flarewatch_analysis_seconds_bucket/ { n++; if ($2 < prev) bad = 1; prev = $2; last = $0 }
		END { exit !(n == 12 && !bad && last == "flarewatch_analysis_seconds_bucket{le=\"+Inf\"} 3") }' "$MF"
}
check "flarewatch_analysis_seconds: 12 buckets, cumulative, the last (+Inf) is the count 3 ($hist)" hist_ok
sum=$(value flarewatch_analysis_seconds_sum)
wall=$(((t_done_ms - t_drop_ms) * 2)) # two workers
check "flarewatch_analysis_seconds_sum $sum s is positive and at most 2 workers x the $((t_done_ms - t_drop_ms)) ms wall time" \
	eval 'awk -v s="$sum" -v w="$wall" "BEGIN { exit !(s > 0 && s * 1000 <= w) }"'

# form: every sample's metric has # HELP and # TYPE; nothing from the flares
bad=
for m in $(grep -v '^#' "$MF" | sed 's/[{ ].*//; s/_bucket$//; s/_sum$//; s/_count$//' | sort -u); do
	grep -q "^# HELP $m " "$MF" && grep -q "^# TYPE $m " "$MF" || bad="$bad $m"
done
check "every metric has # HELP and # TYPE${bad:+ (not:$bad)}" test -z "$bad"
check "no flare name or hostname in the file" eval '! grep -Eq "fixture-|\.zip" "$MF"'
if command -v promtool >/dev/null; then
	out=$(promtool check metrics <"$MF" 2>&1)
	check "promtool check metrics passes${out:+ ($out)}" eval 'promtool check metrics <"$MF" >/dev/null 2>&1'
else
	skip "promtool check metrics" "promtool not found (Debian package prometheus)"
fi
daemon_down
MF=$T/prom/flarewatch.prom
check "at stop the file is written once more, with the same counts" \
	eval '[ "$(value flarewatch_duplicates_total)" = 1 ] && [ "$(value "flarewatch_flares_total{verdict=\"memory_leak\"}")" = 1 ]'

# ---- (B) the queue, a timeout, and a folder that is not there -----------------------------
MF=$T/nodir/flarewatch.prom
D=$T/b
mkdir -p "$D/incoming" "$D/state/processing"
# recovered at start and analyzed first: a sparse file whose hashing alone
# outlasts the 15 s timeout (long enough that the checks below still see it
# running on a loaded machine: at 5 s, one CI run saw it killed first)
truncate -s 64G "$D/state/processing/slow.zip"
make_slow_flare "$D/incoming/one.zip" 1M
make_slow_flare "$D/incoming/two.zip" 1M
daemon_up b metrics_file="$MF" settle_seconds=3600 workers=1 analysis.timeout_seconds=15
sleep 3 # three rewrites that fail
n=$(grep -c 'metrics_file: ' "$LOG")
check "a metrics folder that does not exist: logged once in 3 s of rewrites every second ($n)" test "$n" = 1
check "... naming the file and the fix" \
	grep -q "metrics_file: $MF: cannot create a temporary file: No such file or directory; the folder $T/nodir does not exist .*install -d -m 0775 -g flarewatch $T/nodir" "$LOG"
mkdir "$T/nodir"
check "once the folder exists the file is written: incoming 2 (unsettled), processing 1 (running)" \
	wait_for 10 eval '[ "$(value "flarewatch_queue{state=\"incoming\"}")" = 2 ] && [ "$(value "flarewatch_queue{state=\"processing\"}")" = 1 ]'
check "... and that is logged" wait_for 5 grep -q "metrics_file $MF is written again" "$LOG"
check "slow.zip is killed by analysis.timeout_seconds: flarewatch_flares_failed_total{reason=\"timeout\"} 1" \
	wait_for 60 eval '[ "$(value "flarewatch_flares_failed_total{reason=\"timeout\"}")" = 1 ]'
check "... it is in failed/, timed out" grep -q '^timed out' "$D/state/failed/slow.zip.error.txt"
check "... then the queue is incoming 2, processing 0" \
	wait_for 10 eval '[ "$(value "flarewatch_queue{state=\"incoming\"}")" = 2 ] && [ "$(value "flarewatch_queue{state=\"processing\"}")" = 0 ]'
check "... and no report was written: last success 0, no analysis timed" \
	eval '[ "$(value flarewatch_last_success_timestamp_seconds)" = 0 ] && [ "$(value flarewatch_analysis_seconds_count)" = 0 ]'
if command -v promtool >/dev/null; then
	check "promtool check metrics passes" eval 'promtool check metrics <"$MF" >/dev/null 2>&1'
fi
daemon_down

# ---- (C) the configuration ------------------------------------------------------------------
write_config "$T/c" metrics_file="$T/c/incoming/x.prom"
out=$("$FLAREWATCHD" -c "$T/c/flarewatch.yaml" --check-config 2>&1)
check "--check-config refuses a metrics_file inside incoming_dir ($out)" \
	eval '[[ "$out" == *"metrics_file \"$T/c/incoming/x.prom\" must not be inside incoming_dir"* ]]'
write_config "$T/c" metrics_file=relative.prom
out=$("$FLAREWATCHD" -c "$T/c/flarewatch.yaml" --check-config 2>&1)
check "--check-config refuses a relative metrics_file ($out)" \
	eval '[[ "$out" == *"metrics_file"*"must be an absolute path"* ]]'
mkdir -p "$T/c/m"
write_config "$T/c" metrics_file="$T/c/m/flarewatch.prom"
out=$("$FLAREWATCHD" -c "$T/c/flarewatch.yaml" --check-config --user "$(id -un)" 2>&1)
check "--check-config lists the metrics file's folder as writable" \
	eval '[[ "$out" == *"metrics_file $T/c/m/flarewatch.prom: in a folder user $(id -un) may write to"* ]]'
if [ "$(id -u)" != 0 ]; then
	chmod 0555 "$T/c/m"
	out=$("$FLAREWATCHD" -c "$T/c/flarewatch.yaml" --check-config 2>&1)
	check "--check-config fails for a folder it may not write to, with the fix ($out)" \
		eval '[[ "$out" == *"may not write to its folder $T/c/m"*"chgrp flarewatch $T/c/m && chmod 0775 $T/c/m"* ]]'
	chmod 0755 "$T/c/m"
else
	skip "--check-config fails for a folder it may not write to" "run as root (nspawn.sh checks it for user flarewatch)"
fi
done_testing
