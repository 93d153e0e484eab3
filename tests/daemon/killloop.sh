#!/bin/bash
# tests/daemon/killloop.sh -- exactly once under kill -9: N distinct flares
# are dropped at once, and the real flarewatchd is killed with SIGKILL
# (its workers die with it) again and again at seeded random moments while
# it analyzes and publishes, and restarted each time; then it is let
# finish. Every flare must end in done/ exactly once with exactly one
# visible report folder and one index row, and nothing may be left behind:
# no hidden .tmp-* report folder, no claim record, no flarewatchd-* folder
# in $TMPDIR but the live daemon's (none after it stopped).
#
# Environment (besides common.sh's): FW_KILLLOOP_FLARES (default 100, 60 in
# an AddressSanitizer build), FW_KILLLOOP_CYCLES (15), FW_KILLLOOP_SEED (a
# fixed default: the same kill moments each run, up to scheduling).
. "$(dirname "$0")/common.sh"
require_daemon
# a flare with every kind of profile (flame graphs and all), when present
for f in "$abs_top_srcdir"/tests/fixtures/flares/normal-*.zip; do
	[ -f "$f" ] && : "${FW_SAMPLE_FLARE:=$f}"
done
require_flare

# The sanitizer build analyzes several times slower: fewer flares.
if grep -qa __asan_init "$FLAREWATCHD"; then
	N=${FW_KILLLOOP_FLARES:-60}
else
	N=${FW_KILLLOOP_FLARES:-100}
fi
CYCLES=${FW_KILLLOOP_CYCLES:-15}
SEED=${FW_KILLLOOP_SEED:-20261205}
RANDOM=$SEED
diag "$N flares ($(basename "$SAMPLE")), $CYCLES kill -9 cycles, seed $SEED"

D=$T/kill
I=$D/investigations
P=$D/state/processing
write_config "$D" settle_seconds=0 workers=2 rescan_seconds=1
mkdir -p "$D/incoming"
# distinct copies (make_flare: each its own zip comment, so its own
# content hash: dedup merges none), each appearing whole (a hidden name,
# then a rename)
for i in $(seq 1 "$N"); do
	make_flare "$D/incoming/.f-$i.zip" "$i"
	mv "$D/incoming/.f-$i.zip" "$D/incoming/f-$i.zip"
done

filed() { echo $(($(count "$D/state/done") + $(count "$D/state/failed" '*.zip'))); }
all_filed() { [ "$(filed)" -ge "$N" ]; }

# ---- the kill loop -------------------------------------------------------------
# Each cycle: start, wait until an analysis runs, wait 0-149 ms more (an
# analysis of the sample takes about 100 ms here: the kill lands before,
# during or right after its publishing) or less when the run already
# filed its share of the flares (so that a fast machine sees every cycle
# too), kill -9, and wait until its workers (killed by PR_SET_PDEATHSIG)
# are gone too.
QUOTA=$((N / (CYCLES + 3) > 1 ? N / (CYCLES + 3) : 1))
cycles=0 busy=0
for c in $(seq 1 "$CYCLES"); do
	all_filed && break
	LOG=$T/run-$c.log
	before=$(filed)
	# (start_daemon's wait for the log line polls too slowly here)
	"$FLAREWATCHD" -c "$D/flarewatch.yaml" --foreground 2>>"$LOG" &
	DPID=$!
	_pids+=("$DPID")
	for _ in $(seq 1 1000); do
		[ -n "$(children "$DPID")" ] || all_filed && break
		sleep 0.01
	done
	delay=$((RANDOM % 150))
	end=$(($(_now_ms) + delay))
	while [ "$(_now_ms)" -lt "$end" ] && [ "$(filed)" -lt $((before + QUOTA)) ]; do
		sleep 0.01
	done
	kids=$(children "$DPID")
	kill -KILL "$DPID"
	wait "$DPID" 2>/dev/null
	cycles=$((cycles + 1))
	[ -n "$kids" ] && busy=$((busy + 1))
	for k in $kids; do
		wait_for 10 eval "! alive $k"
	done
	diag "cycle $c: killed after $delay ms with $(echo $kids | wc -w) analyses running; $(filed) flares filed"
done
check "the daemon was killed during analyses ($busy of $cycles kills; at least 10)" \
	test "$busy" -ge 10

# ---- the last run finishes ---------------------------------------------------------
LOG=$T/final.log
start_daemon "$LOG" "$D/flarewatch.yaml" || { nok "daemon starts (final)"; show_log "$LOG"; done_testing; }
idle() { all_filed && [ -z "$(children "$DPID")" ] && [ "$(count "$P" '[!.]*')" = 0 ]; }
check "the last run files every flare" wait_for 120 idle
diag "$(cat "$T"/run-*.log "$LOG" | grep -c 'taken again from') flares taken again after a kill," \
	"$(cat "$T"/run-*.log "$LOG" | grep -c 'was published by an analysis that was interrupted') filed from a report an interrupted analysis published"

# done/ holds f-1.zip ... f-N.zip, each once, under its own name
expected() { seq 1 "$N" | sed 's/.*/f-&.zip/' | sort; }
done_names=$(find "$D/state/done" -maxdepth 1 -type f -printf '%f\n' | sort)
check "every flare is in done/ exactly once ($(count "$D/state/done") files for $N flares)" \
	test "$done_names" = "$(expected)"
check "none in failed/" test "$(count "$D/state/failed")" = 0
[ "$(count "$D/state/failed")" = 0 ] || diag "$(head -n 3 "$D"/state/failed/*.error.txt)"
check "none left in incoming/ or processing/, and no claim records" \
	eval '[ -z "$(ls -A "$D/incoming")" ] && [ -z "$(ls -A "$P")" ]'

# one report per flare: report.json files, visible folders, and the flare
# each report names
jsons=$(find "$I" -name report.json | wc -l)
folders=$(find "$I" -mindepth 2 -maxdepth 2 -type d ! -name '.*' | wc -l)
check "exactly one report.json per flare ($jsons for $N flares)" test "$jsons" = "$N"
check "exactly one visible report folder per flare ($folders for $N flares)" test "$folders" = "$N"
named=$(find "$I" -name report.json -exec grep -ho '"flare":{"file":"[^"]*"' {} + |
	sed 's/.*"file":"//; s/"$//' | sort)
check "each flare is named by exactly one report" test "$named" = "$(expected)"
check "no hidden temporary report folder is left" test -z "$(find "$I" -name '.tmp-*')"

# one index row per flare, each naming its own existing report
links() { grep -o '| \[report\]([^)]*) |$' "$I/index.md" 2>/dev/null | sed 's/^| \[report\](//; s/) |$//'; }
rows=$(links | wc -l)
check "exactly one index row per flare ($rows rows for $N flares)" test "$rows" = "$N"
links_ok() {
	local l
	[ -z "$(links | sort | uniq -d)" ] || return 1
	while IFS= read -r l; do
		[ -f "$I/$l" ] || return 1
	done < <(links)
}
check "each index row names its own existing report" links_ok
check "index.md lists $N reports" grep -q "^$N reports, newest flare first" "$I/index.md"

# temporary folders: only the live daemon's own, and none after it stops
tmps() { find "$TMPDIR" -mindepth 1 -maxdepth 1 -name 'flarewatchd-*' -printf '%f\n'; }
check "no flarewatchd-* temporary folder is left but the live daemon's ($(tmps | wc -l) there)" \
	test -z "$(tmps | grep -v "^flarewatchd-$DPID-")"
stop_daemon "$DPID"
check "SIGTERM: exit status 0" test "$DSTATUS" = 0
check "after it stopped, no flarewatchd-* temporary folder is left" test -z "$(tmps)"
check "no sanitizer reports" eval '! grep -Eq "^==[0-9]+==ERROR|runtime error:" "$T"/*.log'
[ "$_tap_failed" = 0 ] || show_log "$LOG" 40
done_testing
