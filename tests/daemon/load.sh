#!/bin/bash
# tests/daemon/load.sh -- a load test, not part of `make check`: drops N
# distinct flares (default 500) at once into a fresh flarewatchd and
# prints the throughput (flares/s), the peak RSS of the daemon and of its
# largest worker, and whether every flare has exactly one report.
#
#     bash tests/daemon/load.sh [N] [WORKERS]
#
# Uses the same environment as the integration tests (tests/daemon/
# common.sh): FLAREWATCHD, FW_SAMPLE_FLARE, FW_KEEP_TMP.
. "$(dirname "$0")/common.sh"
require_daemon
require_flare
N=${1:-500}
WORKERS=${2:-$(nproc)}

D=$T/load
LOG=$T/load.log
write_config "$D" settle_seconds=0 workers="$WORKERS" rescan_seconds=5
mkdir -p "$D/incoming" "$T/stage"
for i in $(seq 1 "$N"); do
	make_flare "$T/stage/flare-$i.zip" "$i"
done
start_daemon "$LOG" "$D/flarewatch.yaml" || { echo "flarewatchd did not start" >&2; show_log "$LOG" >&2; exit 1; }

# peak RSS: the daemon's VmHWM, and the largest worker's (sampled)
worker_peak=0
sample_workers() {
	local c kb
	for c in $(children "$DPID"); do
		kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$c/status" 2>/dev/null)
		[ -n "$kb" ] && [ "$kb" -gt "$worker_peak" ] && worker_peak=$kb
	done
	return 0
}
start=$(_now_ms)
for i in $(seq 1 "$N"); do
	mv "$T/stage/flare-$i.zip" "$D/incoming/"
done
filed() { [ $(($(count "$D/state/done") + $(count "$D/state/failed" '*.zip'))) -ge "$N" ]; }
while ! filed; do
	sample_workers
	if [ $(($(_now_ms) - start)) -gt $((N * 10000)) ]; then
		echo "timed out" >&2
		break
	fi
	sleep 0.05
done
end=$(_now_ms)
daemon_peak=$(awk '/^VmHWM:/ { print $2 }' "/proc/$DPID/status")
stop_daemon "$DPID"

done_n=$(count "$D/state/done")
failed_n=$(count "$D/state/failed" '*.zip')
reports_n=$(reports "$D/investigations")
dups=$(grep -ho '^flarewatchd: info: flare-[0-9]*\.zip: .* on .*, report ' "$LOG" | cut -d' ' -f3 | sort | uniq -d | wc -l)
ms=$((end - start))
printf 'flares:          %d (%d workers, %s)\n' "$N" "$WORKERS" "$(basename "$SAMPLE")"
printf 'time:            %d.%03d s\n' $((ms / 1000)) $((ms % 1000))
printf 'throughput:      %s flares/s\n' "$(awk -v n="$N" -v ms="$ms" 'BEGIN { printf "%.1f", n * 1000 / ms }')"
printf 'peak RSS:        daemon %d KiB, largest worker %d KiB (sampled)\n' "$daemon_peak" "$worker_peak"
printf 'done/failed:     %d / %d; left in incoming %d, processing %d\n' "$done_n" "$failed_n" \
	"$(count "$D/incoming")" "$(count "$D/state/processing")"
printf 'reports:         %d; flares analyzed more than once: %d\n' "$reports_n" "$dups"
if [ "$done_n" = "$N" ] && [ "$reports_n" = "$N" ] && [ "$dups" = 0 ]; then
	echo "every flare has exactly one report"
else
	echo "NOT every flare has exactly one report"
	exit 1
fi
