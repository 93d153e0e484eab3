#!/bin/bash
# tests/analyze/rules.sh -- `flarewatch analyze` on fixture flares whose
# profiles were altered (by pprof_edit.py beside this file) in ways a bad day
# or an attacker produces: a 2-byte CPU profile (the analysis once freed the
# same name twice), reversed or implausible heap snapshot times, sample
# units other than nanoseconds, a count-only CPU profile, a stack too deep
# for a flame graph, values near INT64_MAX. Each case checks the exit
# status, the absence of sanitizer reports, the verdict and the sentence the
# report gives, against numbers pprof_edit.py computes on its own.
# TAP on stdout; see tests/analyze/common.sh for the environment.

# shellcheck source=tests/analyze/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
fa_require_binary

edit=$abs_top_srcdir/tests/analyze/pprof_edit.py
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
if ! command -v python3 >/dev/null 2>&1; then
	skip_all "no python3 to rewrite the profiles"
fi
fa_have_jq || skip_all "no jq to read report.json"
fa_extractor || skip_all "$fa_extract_why"

# flare SCENARIO NAME: extracts the fixture flare SCENARIO into $fa_tmp/NAME;
# sets flare (its host folder) and prof (its profiles/ folder).
flare() {
	local z=$fa_flares/$1-datadog-agent-2024-10-02T14-21-52Z-info.zip
	rm -rf "${fa_tmp:?}/$2"
	fa_extract "$z" "$fa_tmp/$2" >/dev/null || fa_bail "cannot extract $z"
	flare=$(find "$fa_tmp/$2" -mindepth 1 -maxdepth 1 -type d | head -n 1)
	prof=$flare/profiles
}

ed() { python3 "$edit" "$@" || fa_bail "pprof_edit.py $* failed"; }
info() { python3 "$edit" info "$1" | awk -v k="$2" '$1 == k || $1 " " $2 == k { print $NF }'; }

# analyze NAME: runs `flarewatch analyze --json` on $flare; the JSON report
# is $fa_tmp/NAME.out, the Markdown report $md.
analyze() {
	fa_run "$fa_tmp/$1" analyze -c "$fa_cfg" -o "$fa_tmp/$1.inv" --json "$flare"
	md=$(find "$fa_tmp/$1.inv" -name '*.md' ! -name index.md | head -n 1)
}

# jqv NAME FILTER: the filter's value in the last report of NAME
jqv() { jq -r "$2" "$fa_tmp/$1.out" 2>/dev/null; }

# check NAME COND MESSAGE...: ok if the shell condition (a string for eval)
# holds; the message and the run's output otherwise.
check() {
	local name=$1 cond=$2
	shift 2
	if eval "$cond"; then
		fa_ok "$name"
	else
		fa_not_ok "$name" "$@"
		fa_describe_run
	fi
}

# ---- 1. a 2-byte CPU profile: a string table and no sample types --------------

flare leak tiny
printf '\062\000' | gzip -n >"$prof/core-cpu.pprof"
analyze tiny
fa_check_rc "tiny CPU profile: analyzed, no double free" 0
check "tiny CPU profile: the CPU table names the problem" \
	'e=$(jqv tiny ".processes[] | select(.name==\"core\") | .cpu.error"); [ -n "$e" ] && [ "$e" != null ]'
check "tiny CPU profile: the heap leak is still found" \
	'[ "$(jqv tiny .verdict.kind)" = memory_leak ]'

# ---- 6. heap snapshot times --------------------------------------------------------

# md_lacks NAME TEXT: the Markdown report of the last run lacks TEXT
md_has() { [ -n "$md" ] && grep -qF -- "$1" "$md"; }
core() { jqv "$1" ".processes[] | select(.name==\"core\") | $2"; }
mib100=104857600

# window CASE T1 T2 [ADD1 ADD2]: the leak flare with the core heap snapshots'
# times set to T1 and T2 (0: none), ADD1/ADD2 bytes added to one sample of
# each (in trackContext, an application function); runs the analysis and sets want_growth (newer minus older by time
# when both are set and reversed; 2nd minus 1st otherwise).
window() {
	local c=$1 t1=$2 t2=$3
	flare leak "$c"
	[ "${4:-0}" != 0 ] && ed addvalue "$prof/core-1st-heap.pprof" 3 "$4" trackContext
	[ "${5:-0}" != 0 ] && ed addvalue "$prof/core-2nd-heap.pprof" 3 "$5" trackContext
	ed settime "$prof/core-1st-heap.pprof" "$t1"
	ed settime "$prof/core-2nd-heap.pprof" "$t2"
	if [ "$t1" -gt 0 ] && [ "$t2" -gt 0 ] && [ "$t1" -gt "$t2" ]; then
		want_growth=$(python3 "$edit" growth "$prof/core-1st-heap.pprof" "$prof/core-2nd-heap.pprof" 3)
	else
		want_growth=$(python3 "$edit" growth "$prof/core-2nd-heap.pprof" "$prof/core-1st-heap.pprof" 3)
	fi
	analyze "$c"
}
t0=1795731826829006873

# Reversed, the 2nd snapshot 100 MiB larger: by time that is a 100 MiB drop.
window reversed-drop $((t0 + 3000000000)) $t0 0 $mib100
fa_check_rc "reversed window, 100 MiB drop: analyzed" 0
check "reversed window, 100 MiB drop: window_state reversed" '[ "$(core reversed-drop .heap_growth.window_state)" = reversed ]'
check "reversed window, 100 MiB drop: growth is newer minus older ($want_growth bytes)" \
	'[ "$(core reversed-drop .heap_growth.total_bytes)" = "$want_growth" ]'
check "reversed window, 100 MiB drop: not a memory leak" '[ "$(core reversed-drop .verdict.kind)" != memory_leak ] && [ "$(jqv reversed-drop .verdict.kind)" != memory_leak ]'
check "reversed window: the report says so, and not that the snapshots carry no time" \
	'md_has "the 1st snapshot is newer than the 2nd" && ! md_has "carry no time"'

# Reversed, the 1st snapshot 100 MiB larger: by time that is 100 MiB growth.
window reversed-growth $((t0 + 3000000000)) $t0 $mib100 0
check "reversed window, 100 MiB growth: growth is newer minus older ($want_growth bytes)" \
	'[ "$(core reversed-growth .heap_growth.total_bytes)" = "$want_growth" ] && [ "$want_growth" -gt $((mib100 * 9 / 10)) ]'
check "reversed window, 100 MiB growth: raw growth, no rate (per_30s null)" \
	'[ "$(core reversed-growth .heap_growth.total_per_30s)" = null ] && [ "$(core reversed-growth .heap_growth.window_ns)" = 3000000000 ]'
check "reversed window, 100 MiB growth: MEMORY LEAK" '[ "$(jqv reversed-growth .verdict.kind)" = memory_leak ]'

# A 1 ns window: no rate from it.
window short $t0 $((t0 + 1))
check "1 ns window: window_state too_short" '[ "$(core short .heap_growth.window_state)" = too_short ]'
check "1 ns window: raw growth ($want_growth bytes), not scaled (per_30s null, window 1 ns)" \
	'[ "$(core short .heap_growth.total_per_30s)" = null ] && [ "$(core short .heap_growth.app_per_30s)" = null ] &&
	 [ "$(core short .heap_growth.total_bytes)" = "$want_growth" ] && [ "$(core short .heap_growth.window_ns)" = 1 ]'
check "1 ns window: the report gives no TB rate and says why" \
	'! md_has "TB per 30 s" && md_has "less than 1 s apart" && ! md_has "carry no time"'

# Two days apart.
window long $t0 $((t0 + 2 * 86400000000000))
check "2-day window: window_state too_long, raw growth" \
	'[ "$(core long .heap_growth.window_state)" = too_long ] && [ "$(core long .heap_growth.total_per_30s)" = null ] &&
	 [ "$(core long .heap_growth.total_bytes)" = "$want_growth" ]'
check "2-day window: the report says why" 'md_has "more than 1 day apart" && ! md_has "carry no time"'

# No time at all: the one case where the snapshots carry no time.
window absent 0 $t0
check "no time: window_state absent, raw growth, window_ns and per_30s null" \
	'[ "$(core absent .heap_growth.window_state)" = absent ] && [ "$(core absent .heap_growth.total_per_30s)" = null ] &&
	 [ "$(core absent .heap_growth.total_bytes)" = "$want_growth" ] && [ "$(core absent .heap_growth.window_ns)" = null ]'
check "no time: the report says the snapshots carry no time" 'md_has "the snapshots carry no time"'

# A plausible window still scales: growth * 30 s / window.
window measured $t0 $((t0 + 6000000000))
check "6 s window: measured, scaled to 30 s ($want_growth * 5)" \
	'[ "$(core measured .heap_growth.window_state)" = measured ] && [ "$(core measured .heap_growth.total_per_30s)" = $((want_growth * 5)) ]'

# 4e18 bytes of growth over 1 s: a rate per 30 s beyond the int64 range
# (its labels once converted it to an int64: UB); a leak, labelled sanely.
# (jq reads numbers as doubles: the exact growth is read with grep; core is
# the first process.)
window giant $t0 $((t0 + 1000000000)) 0 4000000000000000000
fa_check_rc "4e18 bytes in 1 s: analyzed, no sanitizer report" 0
check "4e18 bytes in 1 s: MEMORY LEAK, measured, growth $want_growth bytes" \
	'[ "$(jqv giant .verdict.kind)" = memory_leak ] &&
	 [ "$(grep -o "\"total_bytes\":[0-9-]*" "$fa_tmp/giant.out" | head -n 1)" = "\"total_bytes\":$want_growth" ]'

# ---- 10. units -------------------------------------------------------------------------

# cpu_util FILE: CPU utilisation in percent of one core, from pprof_edit.py's
# own totals (the cpu/nanoseconds values over duration_nanos), 1 decimal.
cpu_util() {
	python3 "$edit" info "$1" | awk '$1 == "duration_nanos" { d = $2 } $1 == "total" && $2 ~ /^cpu\// { t = $3 }
		END { printf "%.1f\n", 100 * t / d }'
}

# CPU samples in microseconds: the same utilisation as in nanoseconds.
flare normal cpu-us
want=$(cpu_util "$prof/core-cpu.pprof")
ed scale "$prof/core-cpu.pprof" 1 1000 microseconds
analyze cpu-us
fa_check_rc "CPU in microseconds: analyzed" 0
check "CPU in microseconds: $want% of one core, as in nanoseconds" 'md_has "($want% of one core)"'
check "CPU in microseconds: total_ns converted" \
	'[ "$(core cpu-us .cpu_facts.total_ns)" = "$(python3 "$edit" info "$prof/core-cpu.pprof" | awk "\$2 ~ /^cpu/ { print \$3 * 1000 }")" ]'

# Block delay in seconds (the mutex profile removed: it would fire alone).
flare contention block-s
rm -f "$prof/core-mutex.pprof"
ed scale "$prof/core-block.pprof" 1 1000000000 seconds
want=$(info "$prof/core-block.pprof" "total delay/seconds")
analyze block-s
check "block delay in seconds ($want s): CONTENTION" '[ "$(jqv block-s .verdict.kind)" = contention ]'
check "block delay in seconds: not reported as insignificant" '! md_has "No significant blocking contention"'

# A count-only CPU profile: no CPU rule, a note instead.
flare cpu count-only
ed droptype "$prof/core-cpu.pprof" 1
analyze count-only
fa_check_rc "count-only CPU profile: analyzed" 0
# (nor NORMAL: without a CPU analysis the process is INCONCLUSIVE)
check "count-only CPU profile: no CPU SPIKE, INCONCLUSIVE" '[ "$(jqv count-only .verdict.kind)" = inconclusive ]'
check "count-only CPU profile: coverage says why the CPU was not analyzed" \
	'[ "$(core count-only ".coverage.cpu | \"\\(.ran) \\(.state)\"")" = "false ok" ] &&
	 core count-only .coverage.cpu.reason | grep -q "^core-cpu.pprof: .*not a unit of time"'
check "count-only CPU profile: a note names the file" \
	'core count-only ".notes[]" | grep -q "core-cpu.pprof: .*not a unit of time"'

# The one-function rule's utilisation floor (default 5 % of one core).
floor() { # CASE UTIL: the cpu flare with a duration giving UTIL % of one core
	flare cpu "$1"
	local total
	total=$(info "$prof/core-cpu.pprof" "total cpu/nanoseconds")
	ed setduration "$prof/core-cpu.pprof" "$(awk -v t="$total" -v u="$2" 'BEGIN { printf "%.0f", t * 100 / u }')"
	want=$(cpu_util "$prof/core-cpu.pprof")
	analyze "$1"
}
floor util-0.3 0.3
check "CPU at $want% of one core: no CPU SPIKE" '[ "$(jqv util-0.3 .verdict.kind)" = normal ]'
floor util-4.9 4.9
check "CPU at $want% of one core (just below the floor): no CPU SPIKE" '[ "$(jqv util-4.9 .verdict.kind)" = normal ]'
floor util-5.1 5.1
check "CPU at $want% of one core (just above the floor): CPU SPIKE" '[ "$(jqv util-5.1 .verdict.kind)" = cpu_spike ]'
printf 'thresholds:\n  cpu_spike_min_utilization_percent: 0.1\n' >"$fa_tmp/floor.yaml"
flare cpu util-0.3b
ed setduration "$prof/core-cpu.pprof" 490000000000
fa_run "$fa_tmp/util-0.3-cfg" analyze -c "$fa_tmp/floor.yaml" -o "$fa_tmp/util-0.3-cfg.inv" --json "$flare"
check "floor configured at 0.1 %: CPU SPIKE at 0.3 %" '[ "$(jqv util-0.3-cfg .verdict.kind)" = cpu_spike ]'

# A 100,001-frame stack: no flame graph, a note naming the file, no failure.
flare normal deep
ed deepstack "$prof/core-cpu.pprof" 100001
analyze deep
fa_check_rc "100,001-frame stack: analyzed" 0
check "100,001-frame stack: a note names core-cpu.pprof" \
	'core deep ".notes[]" | grep -q "^core-cpu.pprof: no flame graph: stacks too deep"'
check "100,001-frame stack: the verdict stands (NORMAL)" '[ "$(jqv deep .verdict.kind)" = normal ]'

# Values that overflow an int64 sum (two samples of INT64_MAX): no absurd
# percentage, no UB, a note.
flare cpu overflow
ed setvalue "$prof/core-cpu.pprof" 1 9223372036854775807 2
analyze overflow
fa_check_rc "int64 overflow: analyzed, no sanitizer report" 0
check "int64 overflow: no percentage with 7 digits or more in the verdict" \
	'! jqv overflow .verdict.summary | grep -Eq "[0-9]{7,}(\.[0-9]+)?%"'
check "int64 overflow: a note says the CPU rules are skipped" \
	'core overflow ".notes[]" | grep -q "core-cpu.pprof: .*overflow"'

# One value just under INT64_MAX: 2.9e11 % of one core is not a measurement.
flare cpu huge
ed setvalue "$prof/core-cpu.pprof" 1 9223372030000000000
analyze huge
fa_check_rc "CPU near INT64_MAX: analyzed, no sanitizer report" 0
check "CPU near INT64_MAX: no utilisation or share with 7 digits or more" \
	'! grep -Eq "[0-9]{7,}(\.[0-9]+)?% of (one core|the CPU)" "$md" && ! jqv huge .verdict.summary | grep -Eq "[0-9]{7,}"'
check "CPU near INT64_MAX: a note says the CPU rules are skipped" \
	'core huge ".notes[]" | grep -q "core-cpu.pprof: .*more than 1000 cores"'

# ---- borderline heap growth: a note, not a verdict ------------------------------------
# The normal flare's 2nd core heap grown, per 30 s over its window, by
# 3.2 MiB in each of its two application leaf functions (6.4 MiB: above half
# the 10 MiB leak threshold) and 12 MiB in runtime.malg, so that neither
# application function holds 30 % of the growth.
flare normal borderline
h1=$prof/core-1st-heap.pprof h2=$prof/core-2nd-heap.pprof
w=$(( $(info "$h2" time_nanos) - $(info "$h1" time_nanos) ))
per30() { python3 -c "import sys; print(round(float(sys.argv[1]) * 1048576 * int(sys.argv[2]) / 30e9))" "$1" "$w"; }
ed addvalue "$h2" 3 "$(per30 3.2)" 'aggregator.(*BufferedAggregator).flushSeries'
ed addvalue "$h2" 3 "$(per30 3.2)" 'forwarder.StartWorkers'
ed addvalue "$h2" 3 "$(per30 12)" 'runtime.malg'
# the application growth per 30 s and the largest application share, by
# pprof_edit.py's decoder (application: not runtime., runtime/, internal/,
# sync., syscall., gcBgMarkWorker)
read -r app_30s top_share < <(python3 - "$edit" "$h1" "$h2" "$w" <<'PY'
import importlib.util, sys
spec = importlib.util.spec_from_file_location("pe", sys.argv[1]); pe = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pe)
old, new = pe.flat_by_function(pe.load(sys.argv[2]), 3), pe.flat_by_function(pe.load(sys.argv[3]), 3)
d = {n: new.get(n, 0) - old.get(n, 0) for n in set(new) | set(old)}
rt = ("runtime.", "runtime/", "internal/", "sync.", "syscall.", "gcBgMarkWorker")
app = {n: v for n, v in d.items() if v > 0 and not n.startswith(rt)}
total = sum(v for v in d.values() if v > 0)
print(round(sum(app.values()) * 30e9 / int(sys.argv[4])), "%.1f" % (100.0 * max(app.values()) / total))
PY
)
analyze borderline
fa_check_rc "borderline growth: analyzed" 0
check "borderline growth ($app_30s bytes per 30 s, top application function $top_share % of the growth): between 5 and 10 MiB, no function above 30 %" \
	'[ "$app_30s" -ge 5242880 ] && [ "$app_30s" -le 10485760 ] && awk -v s="$top_share" "BEGIN { exit !(s < 30) }"'
check "borderline growth: report.json's app_per_30s is that figure" \
	'[ "$(core borderline .heap_growth.app_per_30s)" = "$app_30s" ]'
check "borderline growth: NORMAL, not a leak" '[ "$(jqv borderline .verdict.kind)" = normal ]'
check "borderline growth: core's borderline note in report.json" \
	'core borderline .borderline | grep -q "^application functions grew the in-use heap by .* per 30 s: not a leak"'
check "borderline growth: named in the summary" \
	'jqv borderline .verdict.summary | grep -q "^no rule fired for core, trace; core: borderline heap growth, +.* per 30 s$"'
check "borderline growth: the recommendation to watch (Medium, core, in report.json and the Markdown)" \
	'[ "$(jqv borderline '"'"'.recommendations[] | select(.kind == "borderline_growth") | [.priority, .process] | @tsv'"'"')" = "medium	core" ] &&
	 md_has "Watch: collect a second flare in a few hours. core: application heap growth of"'

fa_finish
