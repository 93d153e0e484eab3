#!/bin/bash
# tests/analyze/attribution.sh -- attribution and contention semantics of
# `flarewatch analyze` (src/investigate/attribute.c, contention.c), on the
# fixture flares made by real programs:
#
#   python-     a cgo Python check: runtime.cgocall under
#               flaregen/pkg/collector/python._Cfunc_run_check, pprof label
#               check_id=postgres:orders-db:...; must be CPU SPIKE naming
#               the Python check postgres;
#   contention- collector.(*Worker).Run: 16.46 s of block delay = 10.29 s
#               in sync.(*Mutex).Lock + 6.16 s in runtime.chanrecv1 (its idle
#               loop); the CONTENTION rule must count the 10.29 s;
#   leak-       the attributed heap and growth tables.
#
# Every figure in report.json is checked against pprof_edit.py's own
# attribution (its own protobuf codec: each sample to its first non-runtime
# frame from the leaf) and, when go is installed, against `go tool pprof`
# (-focus, -tagfocus, -peek, -sample_index) on the same files; without go
# those checks are skipped. The rule is checked each way: with the lock
# waits removed from the block profile (and the mutex profile emptied),
# only idle-loop waits remain and CONTENTION must not fire, although they
# are more than the 1 s threshold.
# TAP on stdout; see tests/analyze/common.sh for the environment.

# shellcheck source=tests/analyze/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
fa_require_binary

edit=$abs_top_srcdir/tests/analyze/pprof_edit.py
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
command -v python3 >/dev/null 2>&1 || skip_all "no python3 to read the profiles"
fa_have_jq || skip_all "no jq to read report.json"
fa_extractor || skip_all "$fa_extract_why"
have_go=false
command -v go >/dev/null 2>&1 && go tool pprof -h >/dev/null 2>&1 && have_go=true

flare() { # SCENARIO NAME: extract; sets flare and prof
	local z=$fa_flares/$1-datadog-agent-2024-10-02T14-21-52Z-info.zip
	rm -rf "${fa_tmp:?}/$2"
	fa_extract "$z" "$fa_tmp/$2" >/dev/null || fa_bail "cannot extract $z"
	flare=$(find "$fa_tmp/$2" -mindepth 1 -maxdepth 1 -type d | head -n 1)
	prof=$flare/profiles
}
analyze() { # NAME: JSON in $fa_tmp/NAME.out, Markdown in $md
	fa_run "$fa_tmp/$1" analyze -c "$fa_cfg" -o "$fa_tmp/$1.inv" --json "$flare"
	md=$(find "$fa_tmp/$1.inv" -name '*.md' ! -name index.md | head -n 1)
}
jqv() { jq -r "$2" "$fa_tmp/$1.out" 2>/dev/null; }
check() { # NAME COND MESSAGE...
	local name=$1 cond=$2
	shift 2
	if eval "$cond"; then fa_ok "$name"; else fa_not_ok "$name" "$@"; fi
}
# attr FILE INDEX: pprof_edit.py's attribution, "VALUE COUNT FUNCTION [CHECK]"
attr() { python3 "$edit" attribute "$1" "$2" || fa_bail "pprof_edit.py attribute $1 failed"; }
# gp ARGS...: go tool pprof with no HOME or binary lookups
gp() {
	env -i PATH="$PATH" HOME="$fa_tmp" TZ=UTC PPROF_BINARY_PATH=/nonexistent PPROF_TMPDIR="$fa_tmp" \
		go tool pprof "$@" 2>/dev/null </dev/null
}
# gflat FN ARGS...: the flat value (a bare number, -unit=ns) of FN's row in `-top`
gflat() {
	local fn=$1
	shift
	gp -top -nodecount=100000 -nodefraction=0 -edgefraction=0 "$@" |
		awk -v fn="$fn" '{ n = $0; sub(/^ *[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ +/, "", n); sub(/ \(inline\)$/, "", n)
			if (n == fn) { v = $1; sub(/ns$/, "", v); print v; f = 1 } } END { if (!f) print 0 }'
}
# gshown ARGS...: "Showing nodes accounting for X" of `-top` (a bare number)
gshown() {
	gp -top -nodecount=100000 -nodefraction=0 -edgefraction=0 "$@" |
		sed -n 's/^Showing nodes accounting for \([0-9.e+]*\)\(ns\)\{0,1\},.*/\1/p'
}
go_check() { # NAME COND MESSAGE...: check, or skip without go
	if $have_go; then check "$@"; else fa_skip "$1" "no go toolchain for go tool pprof"; fi
}

# ---- 1. a Python check behind runtime.cgocall ----------------------------------
flare python py
analyze py
cpu=$prof/core-cpu.pprof
cfn=flaregen/pkg/collector/python._Cfunc_run_check
check "python: exit status 0" '[ "$fa_rc" -eq 0 ]' "exit status $fa_rc"
check "python: the verdict is CPU SPIKE" '[ "$(jqv py .verdict.kind)" = cpu_spike ]' "$(jqv py .verdict.summary)"
check "python: the summary names Python check postgres" \
	'[[ $(jqv py .verdict.summary) == *"CPU spike,"*"% of CPU in Python check postgres"* ]]' "$(jqv py .verdict.summary)"
reason=$(jqv py '.processes[0].rules.cpu_spike')
check "python: the CPU reason names the Python check and its _Cfunc_ frame" \
	'[[ $reason == "Python check postgres ($cfn) uses "* ]]' "$reason"
top=$(attr "$cpu" 1 | head -n 1)
read -r want_v want_c want_fn want_check <<<"$top"
check "python: pprof_edit.py charges the most CPU to $cfn, check postgres" \
	'[ "$want_fn" = "$cfn" ] && [ "$want_check" = postgres ]' "$top"
check "python: top_attributed is that function with its value ($want_v ns)" \
	'[ "$(jqv py ".processes[0].cpu_facts.top_attributed | [.function, .value, .python_check, .check] | @tsv")" = "$cfn	$want_v	true	postgres" ]' \
	"$(jqv py '.processes[0].cpu_facts.top_attributed')"
# the whole attributed table, row by row
want=$(attr "$cpu" 1 | grep -v '^unattributed \|^total ' | awk '$1 > 0' | head -n 10 | awk '{ print $1, $3, ($4 == "" ? "-" : $4) }')
got=$(jqv py '.processes[0].attributed.cpu.rows[] | "\(.value) \(.function) \(.check // "-")"')
check "python: the attributed CPU table is pprof_edit.py's, row by row" '[ "$got" = "$want" ]' "got:" "$got" "want:" "$want"
read -r _ un_v _ <<<"$(attr "$cpu" 1 | grep '^unattributed ')"
read -r _ tot_v _ <<<"$(attr "$cpu" 1 | grep '^total ')"
check "python: attributed to application code = total - unattributed ($tot_v - $un_v)" \
	'[ "$(jqv py .processes[0].cpu_facts.attributed_app_ns)" = "$((tot_v - un_v))" ]' \
	"$(jqv py .processes[0].cpu_facts.attributed_app_ns)"
check "python: flat, no CPU is in application code's _Cfunc_ frame (the old blind spot)" \
	'[ "$(jqv py .processes[0].cpu_facts.top_app_function.function)" != "$cfn" ]'
go_check "python: go tool pprof -focus=_Cfunc_run_check -tagfocus=check_id=postgres... shows the same $want_v ns" \
	'[ "$(gshown -unit=ns -focus=_Cfunc_run_check -tagfocus=check_id=postgres:orders-db:6d1e0b9a4c7f2e58 "$cpu")" = "$want_v" ]' \
	"$(gshown -unit=ns -focus=_Cfunc_run_check -tagfocus=check_id=postgres:orders-db:6d1e0b9a4c7f2e58 "$cpu")"
go_check "python: ... all of it flat in runtime.cgocall (go tool pprof -top -focus)" \
	'[ "$(gflat runtime.cgocall -unit=ns -focus=_Cfunc_run_check "$cpu")" = "$want_v" ]'
go_check "python: go tool pprof -peek 'runtime.cgocall\$': its caller is $cfn" \
	'gp -peek "runtime.cgocall\$" -unit=ns "$cpu" | grep -q "^ *${want_v}ns  *100% |  *$cfn\$"' \
	"$(gp -peek 'runtime.cgocall$' -unit=ns "$cpu" | tail -n 4)"
check "python: the Markdown's attributed table names the check" \
	'grep -q "^| 1 | Python check \`postgres\` (\`$cfn\`) | a Python check (rtloader) | " "$md"'

# ---- 2. block delay by kind of wait; the rule counts the lock waits -----------
flare contention cont
analyze cont
blk=$prof/core-block.pprof mtx=$prof/core-mutex.pprof
wr='flaregen/pkg/collector.(*Worker).Run'
row() { jqv cont ".processes[0].contention.block_by_wait.rows[] | select(.function == \"$wr\") | .$1"; }
read -r wr_v wr_c _ <<<"$(attr "$blk" 1 | grep -F " $wr")"
check "contention: Worker.Run's delay and contentions are pprof_edit.py's ($wr_v ns, $wr_c)" \
	'[ "$(row delay)" = "$wr_v" ] && [ "$(row contentions)" = "$wr_c" ]' "$(row delay) $(row contentions)"
go_check "contention: ... and go tool pprof -focus='Worker\\).Run\$' shows the same delay" \
	'[ "$(gshown -unit=ns -sample_index=delay -focus="Worker\\).Run\$" "$blk")" = "$wr_v" ]'
go_check "contention: ... and contentions (-sample_index=contentions)" \
	'[ "$(gshown -sample_index=contentions -focus="Worker\\).Run\$" "$blk")" = "$wr_c" ]'
lock=$(gflat 'sync.(*Mutex).Lock' -unit=ns -sample_index=delay -focus='Worker\).Run$' "$blk")
idle=$(gflat runtime.chanrecv1 -unit=ns -sample_index=delay -focus='Worker\).Run$' "$blk")
go_check "contention: Worker.Run's lock waits = go tool pprof's sync.(*Mutex).Lock under it ($lock ns)" \
	'[ "$(row lock_delay)" = "$lock" ]' "$(row lock_delay)"
go_check "contention: its idle-loop waits = runtime.chanrecv1 under it ($idle ns)" \
	'[ "$(row idle_loop_delay)" = "$idle" ] && [ "$((lock + idle))" = "$wr_v" ]' "$(row idle_loop_delay)"
go_check "contention: the rule counts the lock waits: contention.block = $lock ns in Worker.Run" \
	'[ "$(jqv cont ".processes[0].contention.block | [.function, .value] | @tsv")" = "$wr	$lock" ]' \
	"$(jqv cont .processes[0].contention.block)"
check "contention: the verdict is CONTENTION, 10.29s of lock waits" \
	'[ "$(jqv cont .verdict.kind)" = contention ] && [[ $(jqv cont .processes[0].rules.contention) == "$wr waited 10.29s on locks"* ]]' \
	"$(jqv cont .processes[0].rules.contention)"
for k in 'lock sync.(*Mutex).Lock' 'chan_recv runtime.chanrecv1' 'chan_send runtime.chansend1' 'cond sync.(*WaitGroup).Wait'; do
	read -r kind leaf <<<"$k"
	d=$(gflat "$leaf" -unit=ns -sample_index=delay "$blk")
	c=$(gflat "$leaf" -sample_index=contentions "$blk")
	go_check "contention: by kind: $kind = go tool pprof's flat $leaf ($d ns, $c contentions)" \
		'[ "$(jqv cont ".processes[0].contention.block_by_wait.by_kind.$kind | [.delay, .contentions] | @tsv")" = "$d	$c" ]' \
		"$(jqv cont ".processes[0].contention.block_by_wait.by_kind.$kind")"
done
go_check "contention: every runtime.chanrecv1 wait here is an idle loop (Worker.Run, main.main)" \
	'[ "$(jqv cont .processes[0].contention.block_by_wait.idle_loop_delay)" = "$(gflat runtime.chanrecv1 -unit=ns -sample_index=delay "$blk")" ]'
read -r en_v en_c _ <<<"$(attr "$mtx" 1 | head -n 1)"
check "contention: mutex: the holder collector.(*CheckScheduler).enqueue, $en_v ns, $en_c contentions" \
	'[ "$(jqv cont ".processes[0].contention.mutex_by_holder | [.delay_charged_to, .rows[0].function, .rows[0].delay, .rows[0].contentions] | @tsv")" = "holder	flaregen/pkg/collector.(*CheckScheduler).enqueue	$en_v	$en_c" ]' \
	"$(jqv cont .processes[0].contention.mutex_by_holder.rows[0])"
check "contention: the report says who holds the lock that Worker.Run waits on" \
	'grep -qF "\`flaregen/pkg/collector.(*CheckScheduler).enqueue\` holds the lock that \`$wr\` waits on" "$md"'
check "contention: the block table has Contentions and Delay columns" \
	'grep -qF "| Rank | Application function | Component | Contentions | Delay | Delay% | Waiting in |" "$md"'

# the other way: only the idle loop's channel waits left (6.16 s > 1 s)
python3 "$edit" dropleaf "$blk" 'sync.(*Mutex).Lock' || fa_bail "dropleaf failed"
python3 "$edit" dropleaf "$mtx" 'sync.' || fa_bail "dropleaf failed"
read -r left _ <<<"$(attr "$blk" 1 | grep -F " $wr")"
check "idle only: Worker.Run still has ${left} ns of channel waits, over the 1 s threshold" '[ "${left:-0}" -gt 1000000000 ]'
analyze idle
check "idle only: no contention rule fires for core" \
	'[ "$(jqv idle .processes[0].rules.contention)" = null ] && [ "$(jqv idle .processes[0].verdict)" != contention ]' \
	"$(jqv idle .processes[0].rules.contention)"
check "idle only: the delay is all idle-loop waits, nothing counted for Worker.Run" \
	'[ "$(jqv idle ".processes[0].contention.block_by_wait.rows[] | select(.function == \"$wr\") | [.idle_loop_delay, .counted_delay] | @tsv")" = "$left	0" ]'

# ---- 3. the attributed heap tables (leak) --------------------------------------
flare leak leak
analyze leak
h2=$prof/core-2nd-heap.pprof h1=$prof/core-1st-heap.pprof
want=$(attr "$h2" 3 | grep -v '^unattributed \|^total ' | awk '$1 > 0' | head -n 10 | awk '{ print $1, $3 }')
got=$(jqv leak '.processes[0].attributed.heap.rows[] | "\(.value) \(.function)"')
check "leak: the attributed current heap (inuse_space) is pprof_edit.py's, row by row" '[ "$got" = "$want" ]' \
	"got:" "$got" "want:" "$want"
tc='flaregen/pkg/aggregator.(*ContextResolver).trackContext'
read -r n2 _ <<<"$(attr "$h2" 3 | grep -F " $tc")"
read -r n1 _ <<<"$(attr "$h1" 3 | grep -F " $tc")"
check "leak: trackContext's attributed growth = its 2nd - 1st attributed in-use space ($n2 - ${n1:-0})" \
	'[ "$(jqv leak ".processes[0].attributed.heap_growth.rows[0] | [.function, .value, .component] | @tsv")" = "$tc	$((n2 - ${n1:-0}))	aggregator" ]' \
	"$(jqv leak .processes[0].attributed.heap_growth.rows[0])"
check "leak: the analysis reads trackContext as metric contexts" \
	'grep -q "so its memory and CPU follow the number of metric contexts: look at DogStatsD context counts" "$md"'

fa_finish
