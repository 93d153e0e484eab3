#!/bin/bash
# tests/daemon/journal.sh -- flarewatchd's journal entries, read back with
# `journalctl -o json` from a real systemd-journald that this test starts
# in a private mount namespace (unshare -m) with tmpfs over /run (and over
# /var/log/journal if the host has one), so nothing is left on the host.
# The daemon runs as under systemd (INVOCATION_ID set, no --foreground):
# its life-cycle messages go to the journal too.

JOURNALD=
for j in /lib/systemd/systemd-journald /usr/lib/systemd/systemd-journald; do
	[ -x "$j" ] && { JOURNALD=$j; break; }
done
if [ "${FW_JOURNAL_TEST_INSIDE:-}" != 1 ]; then
	skip() { printf '1..0 # SKIP %s\n' "$1"; exit 0; }
	[ -n "$JOURNALD" ] || skip "systemd-journald not found"
	command -v journalctl >/dev/null || skip "journalctl not found"
	command -v jq >/dev/null || skip "jq not found (needed to read journalctl -o json)"
	command -v unshare >/dev/null || skip "unshare not found"
	for u in "unshare -m --propagation private" "unshare -r -m --propagation private"; do
		if $u true 2>/dev/null; then
			FW_JOURNAL_TEST_INSIDE=1 exec $u bash "$0" "$@"
		fi
	done
	skip "cannot make a private mount namespace (unshare -m needs privileges)"
fi

. "$(dirname "$0")/common.sh"
require_daemon
require_flare
JOURNAL_H=$abs_top_srcdir/src/daemon/journal.h
[ -f "$JOURNAL_H" ] || skip_all "src/daemon/journal.h not found"
id_of() { sed -n "s/^#define FW_MESSAGE_ID_$1[[:space:]]*\"\\([0-9a-f]*\\)\".*/\\1/p" "$JOURNAL_H"; }

mount -t tmpfs -o mode=0755 tmpfs /run || skip_all "cannot mount a tmpfs over /run"
if [ -d /var/log/journal ]; then
	mount -t tmpfs -o mode=2755 tmpfs /var/log/journal || skip_all "cannot hide /var/log/journal"
fi
mkdir -p /run/systemd/journal /run/log/journal
"$JOURNALD" 2>"$T/journald.log" &
JPID=$!
_pids+=("$JPID")
wait_for 10 test -S /run/systemd/journal/socket || skip_all "systemd-journald did not start: $(head -c 300 "$T/journald.log")"
ok "a private systemd-journald runs"

entries() {
	local dir
	for dir in /run/log/journal /var/log/journal; do
		[ -n "$(find "$dir" -name '*.journal' 2>/dev/null)" ] || continue
		journalctl -D "$dir" -o json SYSLOG_IDENTIFIER=flarewatchd 2>/dev/null
	done
}
# entry KEY VALUE: the first entry whose KEY is VALUE, as one JSON line
entry() { entries | jq -c --arg k "$1" --arg v "$2" 'select(.[$k] == $v)' | head -n 1; }
has_entry() { [ -n "$(entry "$1" "$2")" ]; }
field() { jq -r --arg k "$2" '.[$k] // "(absent)"' <<<"$1"; }

D=$T/journal
LOG=$T/journal.log
write_config "$D" settle_seconds=0 workers=1
mkdir -p "$D/incoming"
INVOCATION_ID=0123456789abcdef0123456789abcdef "$FLAREWATCHD" -c "$D/flarewatch.yaml" 2>>"$LOG" &
DPID=$!
_pids+=("$DPID")
check "start: an entry with MESSAGE_ID=$(id_of STARTED)" wait_for 20 has_entry MESSAGE_ID "$(id_of STARTED)"

# a good flare whose name holds a secret, a bad one, a duplicate (named
# with a ticket of its own) and a flare named after its support ticket
SECRET=0123456789abcdef0123456789abcdef
GOOD="good-api_key=$SECRET.zip"
COPY=zd777777-copy.zip
TICKETED=ZD-12345_datadog-agent-2024-10-02T14-21-52Z-info.zip
make_flare "$T/good.zip" 1
sha=$(sha256sum "$T/good.zip" | cut -d' ' -f1)
mv "$T/good.zip" "$D/incoming/$GOOD"
printf 'no zip at all\n' >"$T/bad.zip"
badsha=$(sha256sum "$T/bad.zip" | cut -d' ' -f1)
all_in() { [ "$(count "$D/state/done")" = 2 ] && [ "$(count "$D/state/failed" '*.zip')" = 1 ]; }
# one at a time: the duplicate must come after the first analysis
wait_for 30 eval '[ "$(count "$D/state/done")" = 1 ]'
cp "$D/state/done/$GOOD" "$T/copy.zip"
mv "$T/copy.zip" "$D/incoming/$COPY"
mv "$T/bad.zip" "$D/incoming/bad.zip"
wait_for 60 all_in || nok "the three flares are filed"
make_flare "$T/ticketed.zip" 2
tsha=$(sha256sum "$T/ticketed.zip" | cut -d' ' -f1)
mv "$T/ticketed.zip" "$D/incoming/$TICKETED"
wait_for 60 eval '[ "$(count "$D/state/done")" = 3 ]' || nok "the ticketed flare is filed"

# ---- the verdict entry ----------------------------------------------------------
wait_for 10 has_entry FLARE_SHA256 "$sha"
e=$(entries | jq -c --arg s "$sha" 'select(.FLARE_SHA256 == $s and .FLARE_DUPLICATE_OF == null)' | head -n 1)
if [ -z "$e" ]; then
	nok "a verdict entry for the good flare"
	diag "entries:" "$(entries | head -c 3000)"
else
	ok "a verdict entry for the good flare"
	v=$(field "$e" FLAREWATCH_VERDICT)
	case $v in
	memory_leak) want_id=$(id_of MEMORY_LEAK) want_prio=4 ;;
	multiple_issues) want_id=$(id_of MULTIPLE) want_prio=4 ;;
	cpu_spike) want_id=$(id_of CPU_SPIKE) want_prio=5 ;;
	contention) want_id=$(id_of CONTENTION) want_prio=5 ;;
	normal) want_id=$(id_of NORMAL) want_prio=6 ;;
	inconclusive) want_id=$(id_of INCONCLUSIVE) want_prio=5 ;;
	*) want_id=unknown want_prio=unknown ;;
	esac
	diag "verdict $v: $(field "$e" MESSAGE)"
	check "FLAREWATCH_VERDICT is a verdict id ($v)" test "$want_id" != unknown
	check "MESSAGE_ID is the one for $v" test "$(field "$e" MESSAGE_ID)" = "$want_id"
	check "PRIORITY is the default for $v ($want_prio)" test "$(field "$e" PRIORITY)" = "$want_prio"
	check "SYSLOG_IDENTIFIER=flarewatchd" test "$(field "$e" SYSLOG_IDENTIFIER)" = flarewatchd
	check "FLARE_SHA256 is the flare's sha256sum" test "$(field "$e" FLARE_SHA256)" = "$sha"
	check "FLARE_FILE is where the flare is now (done/), redacted" \
		test "$(field "$e" FLARE_FILE)" = "$D/state/done/good-api_key=[REDACTED]"
	report=$(field "$e" REPORT_PATH)
	check "REPORT_PATH is the report ($report)" test -f "$report"
	check "MESSAGE is one line with the host, the verdict and the report path" \
		eval '[[ "$(field "$e" MESSAGE)" == "$(field "$e" FLARE_HOSTNAME): "*"(report $report)" ]]'
	check "TICKET is present and empty: the name holds no ticket" test "$(field "$e" TICKET)" = ""
	for f in FLARE_HOSTNAME AGENT_VERSION HEAP_GROWTH_BYTES TOP_GROWTH_FUNCTION TOP_CPU_FUNCTION; do
		check "field $f is present ($(field "$e" $f))" test "$(field "$e" $f)" != "(absent)"
	done
	check "HEAP_GROWTH_BYTES is an integer" eval '[[ "$(field "$e" HEAP_GROWTH_BYTES)" =~ ^-?[0-9]+$ ]]'
	check "FLARE_HOSTNAME is not empty" test -n "$(field "$e" FLARE_HOSTNAME)"
fi

# ---- the duplicate ------------------------------------------------------------------
e=$(entry MESSAGE_ID "$(id_of DUPLICATE)")
if [ -z "$e" ]; then
	nok "a duplicate entry for copy.zip"
else
	ok "a duplicate entry for copy.zip"
	check "FLARE_DUPLICATE_OF is the first analysis's report" \
		test "$(field "$e" FLARE_DUPLICATE_OF)" = "${report:-}"
	check "... with the same FLARE_SHA256" test "$(field "$e" FLARE_SHA256)" = "$sha"
	check "... and FLARE_FILE in done/" test "$(field "$e" FLARE_FILE)" = "$D/state/done/$COPY"
	check "... and TICKET from its own name (zd777777 -> ZD-777777)" test "$(field "$e" TICKET)" = ZD-777777
fi

# ---- the ticket from the flare's name ------------------------------------------------
wait_for 10 has_entry FLARE_SHA256 "$tsha"
e=$(entry FLARE_SHA256 "$tsha")
if [ -z "$e" ]; then
	nok "a verdict entry for $TICKETED"
else
	ok "a verdict entry for $TICKETED"
	check "TICKET=ZD-12345 from the name" test "$(field "$e" TICKET)" = ZD-12345
	r=$(field "$e" REPORT_PATH)
	check "its report.json says ticket ZD-12345" \
		test "$(jq -r .ticket "$(dirname "$r")/report.json")" = ZD-12345
	check "its report's escalation block says Ticket: ZD-12345" grep -qx 'Ticket: ZD-12345' "$r"
	check "the index row has the ticket" \
		eval 'grep -q "^| [^|]* | [^|]* | ZD-12345 | " "$D/investigations/index.md"'
	rec=$(grep -l "^ticket=ZD-12345\$" "$D"/state/seen/* 2>/dev/null | head -n 1)
	check "the dedup record keeps ticket=ZD-12345" test -n "$rec"
fi

# ---- the failure -----------------------------------------------------------------------
e=$(entry MESSAGE_ID "$(id_of FAILED)")
if [ -z "$e" ]; then
	nok "a failure entry for bad.zip"
else
	ok "a failure entry for bad.zip"
	check "PRIORITY=3 (err)" test "$(field "$e" PRIORITY)" = 3
	check "FLARE_FILE is in failed/" test "$(field "$e" FLARE_FILE)" = "$D/state/failed/bad.zip"
	check "FLARE_SHA256" test "$(field "$e" FLARE_SHA256)" = "$badsha"
	check "FLAREWATCH_ERROR says why" test -n "$(field "$e" FLAREWATCH_ERROR)"
	check "MESSAGE says which flare could not be analyzed" \
		eval '[[ "$(field "$e" MESSAGE)" == "flare bad.zip could not be analyzed: "* ]]'
fi

# ---- fixture verdicts: the journal entry, report.json and the index agree --------------
# (tests/fixtures/flares/README.md) unreadable or absent profiles are
# INCONCLUSIVE, never NORMAL; a leak in core with trace's profiles damaged is
# MEMORY LEAK, and trace is named as not analyzed.
FLARES=$abs_top_srcdir/tests/fixtures/flares
declare -A want_kind=([badprofiles]=inconclusive [noprofiles]=inconclusive [partialtrace]=memory_leak)
declare -A want_name=([badprofiles]=INCONCLUSIVE [noprofiles]=INCONCLUSIVE [partialtrace]="MEMORY LEAK")
declare -A want_mid=([badprofiles]=INCONCLUSIVE [noprofiles]=INCONCLUSIVE [partialtrace]=MEMORY_LEAK)
declare -A want_prio=([badprofiles]=5 [noprofiles]=5 [partialtrace]=4)
declare -A fsha=()
n0=$(count "$D/state/done")
n=0
for s in badprofiles noprofiles partialtrace; do
	z=("$FLARES/$s"-datadog-agent-*.zip)
	[ -f "${z[0]}" ] || { nok "fixture $s: the zip is in $FLARES"; continue; }
	fsha[$s]=$(sha256sum "${z[0]}" | cut -d' ' -f1)
	cp "${z[0]}" "$T/$s.zip"
	mv "$T/$s.zip" "$D/incoming/$s.zip"
	n=$((n + 1))
done
wait_for 60 eval '[ "$(count "$D/state/done")" = $((n0 + n)) ]' || nok "the fixture flares are filed in done/"
for s in "${!fsha[@]}"; do
	e=$(entries | jq -c --arg s "${fsha[$s]}" 'select(.FLARE_SHA256 == $s and .FLARE_DUPLICATE_OF == null)' | head -n 1)
	if [ -z "$e" ]; then
		nok "$s: a verdict entry"
		continue
	fi
	report=$(field "$e" REPORT_PATH)
	js=$(dirname "$report")/report.json
	rel=${report#"$D/investigations/"}
	check "$s: FLAREWATCH_VERDICT=${want_kind[$s]}" test "$(field "$e" FLAREWATCH_VERDICT)" = "${want_kind[$s]}"
	check "$s: MESSAGE_ID is FW_MESSAGE_ID_${want_mid[$s]}" \
		test "$(field "$e" MESSAGE_ID)" = "$(id_of "${want_mid[$s]}")"
	check "$s: PRIORITY=${want_prio[$s]} (the default)" test "$(field "$e" PRIORITY)" = "${want_prio[$s]}"
	check "$s: report.json's verdict.kind agrees" test "$(jq -r .verdict.kind "$js" 2>&1)" = "${want_kind[$s]}"
	check "$s: index.md lists the report as **${want_name[$s]}**" \
		grep -qF "| **${want_name[$s]}** |" <(grep -F "($rel)" "$D/investigations/index.md")
	check "$s: the entry's summary is report.json's" \
		eval '[[ "$(field "$e" MESSAGE)" == *"$(jq -r .verdict.summary "$js")"* ]]'
done
if [ -n "${fsha[partialtrace]:-}" ]; then
	e=$(entries | jq -c --arg s "${fsha[partialtrace]}" 'select(.FLARE_SHA256 == $s and .FLARE_DUPLICATE_OF == null)' | head -n 1)
	check "partialtrace: the entry says trace was not analyzed" \
		eval '[[ "$(field "$e" MESSAGE)" == *"trace: not analyzed: heap diff (trace-1st-heap.pprof missing), CPU (trace-cpu.pprof corrupt)"* ]]'
fi

# ---- life cycle ------------------------------------------------------------------------
kill -HUP "$DPID"
check "reload: an entry with MESSAGE_ID=$(id_of RELOADED)" \
	wait_for 10 has_entry MESSAGE_ID "$(id_of RELOADED)"
stop_daemon "$DPID"
check "SIGTERM: exit status 0" test "$DSTATUS" = 0
check "stop: an entry with MESSAGE_ID=$(id_of STOPPED)" \
	wait_for 10 has_entry MESSAGE_ID "$(id_of STOPPED)"
check "under systemd nothing went to stderr" test ! -s "$LOG"

check "the secret in a flare's name never reached the journal" \
	eval '! entries | grep -q "$SECRET"'
n=$(entries | wc -l)
diag "$n entries from flarewatchd"
kill "$JPID"
wait "$JPID"
[ "$_tap_failed" = 0 ] || { show_log "$LOG"; entries | jq -c '{MESSAGE_ID, MESSAGE}' | sed 's/^/#   /'; }
done_testing
