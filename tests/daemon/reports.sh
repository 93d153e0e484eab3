#!/bin/bash
# tests/daemon/reports.sh -- one report per flare, whatever kills an
# analysis. The claim records beside a flare in processing/
# (.<name>.report: the report folder the analysis was about to publish;
# .<name>.result: its worker's record) let a restarted daemon file a flare
# whose report is out without a second analysis, and a new flare of the
# same name is never mistaken for it. The states an analysis killed right
# after publishing leaves are built here from a real analysis.
. "$(dirname "$0")/common.sh"
require_daemon
require_flare

D=$T/reports
LOG=$T/reports.log
write_config "$D" settle_seconds=0 workers=1
P=$D/state/processing
folders() { find "$D/investigations" -name report.json | wc -l; }
rows() { grep -c '| \[report\]([^)]*) |$' "$D"/investigations/index.md 2>/dev/null; }
# the claim record's content (analyze.h): the folder and its identity
intent() { printf '%s\n%s\n' "$1" "$(stat -c '%d %i' "$1")"; }

# ---- a first analysis, to have a real published report -------------------------
start_daemon "$LOG" "$D/flarewatch.yaml" || { nok "daemon starts"; show_log "$LOG"; done_testing; }
make_flare "$T/x.zip" 1
mv "$T/x.zip" "$D/incoming/x.zip"
check "a flare is analyzed" wait_for 30 done_has x.zip
stop_daemon "$DPID"
R=$(dirname "$(find "$D/investigations" -name report.json)")
check "one report folder and one index row" eval '[ "$(folders)" = 1 ] && [ "$(rows)" -le 1 ]'
check "report.json's flare.sha256 is the flare's (sha256sum), hashed by the worker" \
	grep -q "\"sha256\":\"$(sha256sum "$D/state/done/x.zip" | cut -d' ' -f1)\"" "$R/report.json"
rows0=$(rows)
check "no claim records are left behind" test -z "$(find "$P" -name '.*')"

# ---- killed after publishing, before its worker said anything ---------------------
# the flare back in processing/, its intent naming the published folder,
# no dedup entry (an interrupted analysis never wrote one), and no index
# row (killed before it regenerated the index: tests/daemon/killloop.sh
# found that)
mv "$D/state/done/x.zip" "$P/x.zip"
intent "$R" >"$P/.x.zip.report"
rm -f "$D/state/seen/"*
: >"$D/investigations/index.md"
LOG=$T/reports-2.log
start_daemon "$LOG" "$D/flarewatch.yaml" || { nok "daemon restarts"; show_log "$LOG"; done_testing; }
check "taken again after the crash, it is filed in done/" wait_for 30 done_has x.zip
check "... without a second report folder" test "$(folders)" = 1
check "... and with its one index row, added once" test "$(rows)" = "$rows0"
check "... and says so" grep -q 'x.zip: its report .* was published by an analysis that was interrupted' "$LOG"
check "... and its claim record is removed" test ! -e "$P/.x.zip.report"
stop_daemon "$DPID"

# ---- killed after its worker saved its record ---------------------------------------
mv "$D/state/done/x.zip" "$P/x.zip"
intent "$R" >"$P/.x.zip.report"
{
	printf 'verdict=normal\nhostname=fixture\nagent_version=\nsummary=saved\n'
	printf 'report_dir=%s\nreport_path=%s\njson_path=%s/report.json\n' "$R" \
		"$(ls "$R"/flare-profiling-*.md)" "$R"
} >"$P/.x.zip.result"
rm -f "$D/state/seen/"*
LOG=$T/reports-3.log
start_daemon "$LOG" "$D/flarewatch.yaml" || { nok "daemon restarts (3)"; show_log "$LOG"; done_testing; }
check "with the saved record, it is filed in done/" wait_for 30 done_has x.zip
check "... without a second report" eval '[ "$(folders)" = 1 ] && [ "$(rows)" = "$rows0" ]'
check "... with its verdict entry" grep -q 'x.zip: NORMAL on fixture, report' "$LOG"
check "... and its dedup entry" test "$(ls "$D/state/seen" | wc -l)" = 1
check "... and both claim records are removed" test -z "$(find "$P" -name '.*')"

# ---- a new flare under a name whose stale claim record is still there --------------
printf '%s\n' "$R" >"$P/.y.zip.report"
make_flare "$T/y.zip" 2
mv "$T/y.zip" "$D/incoming/y.zip"
check "a new flare is analyzed, not mistaken for an old claim" wait_for 30 done_has y.zip
check "... so it has its own report" test "$(folders)" = 2
check "... and no recovery is claimed" eval '! grep -q "y.zip: its report" "$LOG"'

# ---- stale claim records of flares long gone are removed at start ---------------------
# ---- and index.md is regenerated at start: a report folder deleted meanwhile ----------
stop_daemon "$DPID"
printf '%s\n' "$R" >"$P/.gone.zip.report"
: >"$P/.gone.zip.result"
: >"$P/..gone.zip.result.Ab12Cd"
Y=$(dirname "$(grep -l '"flare":{"file":"y.zip"' "$D"/investigations/*/*/report.json)")
check "y.zip's report is in index.md" grep -qF "(${Y#"$D/investigations/"}/" "$D/investigations/index.md"
rm -r "$Y"
LOG=$T/reports-4.log
start_daemon "$LOG" "$D/flarewatch.yaml" || { nok "daemon restarts (4)"; show_log "$LOG"; done_testing; }
check "claim records without their flare are removed at start" \
	test -z "$(find "$P" -name '.*')"
check "index.md regenerated at start: the deleted report is gone" \
	eval '! grep -qF "(${Y#"$D/investigations/"}/" "$D/investigations/index.md"'
check "... it lists the one report left, as report.json says" \
	eval '[ "$(rows)" = 1 ] && grep -qF "| **$(jq -r .verdict.name "$R/report.json")** |" "$D/investigations/index.md"'
check "... and the daemon logged it" grep -q 'index.md: 1 report listed' "$LOG"
stop_daemon "$DPID"
check "SIGTERM: exit status 0" test "$DSTATUS" = 0
[ "$_tap_failed" = 0 ] || { show_log "$T/reports-2.log"; show_log "$T/reports-3.log"; show_log "$LOG"; }
done_testing
