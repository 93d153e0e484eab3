#!/bin/bash
# tests/analyze/compare.sh -- `flarewatch compare OLD NEW` against
# independent figures:
#  - every pprof -top text in compare.json (the heap of NEW's 2nd snapshot
#    against OLD's, -diff_base; the CPU with -normalize -diff_base) equals
#    go tool pprof's: the goldens of tests/fixtures/compare/ (regen.sh, the
#    exact commands in COMMANDS), and a live run when go is present;
#  - every other figure (memstats deltas, goroutines, heap growth and its
#    components, CPU and delay per second, the rows' ranking) recomputed
#    from the flares' files by compare_check.py (pprof_edit.py's codec);
#  - compare.json validates against schema/compare.schema.json
#    (python3-jsonschema);
#  - checks slower (normal -> contention: disk 38ms -> 4.027s), added and
#    removed (a status.log with a check renamed), a version change;
# and the hostile cases: OLD == NEW, a process missing in one flare,
# corrupt profiles in one (badprofiles), a report folder whose flare is
# gone from done/ (then present, then changed), a report.json naming a
# path instead of a file, two hosts, a hostile process and function name,
# the planted secrets.
# TAP on stdout; see tests/analyze/common.sh for the environment.

# shellcheck source=tests/analyze/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
fa_require_binary

if ! command -v python3 >/dev/null 2>&1; then
	fa_skip "flarewatch compare" "no python3 for the independent computation"
	fa_finish
fi
if ! fa_extractor; then
	fa_skip "flarewatch compare" "$fa_extract_why"
	fa_finish
fi
check_py=$abs_top_srcdir/tests/analyze/compare_check.py
edit_py=$abs_top_srcdir/tests/analyze/pprof_edit.py
goldens=$abs_top_srcdir/tests/fixtures/compare
schema=$abs_top_srcdir/schema/compare.schema.json
zip_of() { echo "$fa_flares/$1-datadog-agent-2024-10-02T14-21-52Z-info.zip"; }
for s in normal leak cpu contention badprofiles; do
	fa_extract "$(zip_of "$s")" "$fa_tmp/x-$s" || fa_bail "cannot extract $s"
done
root_of() { echo "$fa_tmp/x-$1/fixture-$1-01"; }

have_jsonschema=false
python3 -c 'import jsonschema; jsonschema.Draft202012Validator' 2>/dev/null && have_jsonschema=true

# jget FILE EXPR: a Python expression on `d`, the JSON document
jget() {
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# validate NAME FILE: compare.json against its schema
validate() {
	if ! $have_jsonschema; then
		if [ -n "${CI:-}" ] || [ "${FW_REQUIRE_SCHEMA:-}" = 1 ]; then
			fa_not_ok "$1: compare.json validates against schema/compare.schema.json" "python3-jsonschema is missing"
		else
			fa_skip "$1: compare.json validates against schema/compare.schema.json" "no python3-jsonschema"
		fi
		return
	fi
	fa_check "$1: compare.json validates against schema/compare.schema.json" python3 -c '
import json, sys, jsonschema
s = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(s)
v = jsonschema.Draft202012Validator(s, format_checker=jsonschema.FormatChecker())
errs = list(v.iter_errors(json.load(open(sys.argv[2]))))
for e in errs[:20]:
    print("/".join(map(str, e.absolute_path)), e.message)
sys.exit(1 if errs else 0)' "$schema" "$2"
}

# facts NAME OLDDIR NEWDIR JSON: compare_check.py's recomputation
facts() {
	local out
	if out=$(python3 "$check_py" "$2" "$3" "$4" 2>&1); then
		fa_ok "$1: every figure matches the flares' files ($(grep -c '^ok' <<<"$out") checks)"
	else
		fa_not_ok "$1: figures recomputed from the flares' files"
		grep -v '^ok ' <<<"$out" | sed -n '1,40p' | sed 's/^/# /'
	fi
}

# compare NAME OLD NEW: -o $fa_tmp/NAME, must exit 0; json, md set
compare() {
	local name=$1
	fa_run "$fa_tmp/$name" compare -c "$fa_cfg" -o "$fa_tmp/$name" "$2" "$3"
	fa_check_rc "$name: compared" 0
	json=$fa_tmp/$name/compare.json md=$fa_tmp/$name/compare.md
}

# ---- the fixture pairs against go tool pprof -------------------------------------
have_go=false
command -v go >/dev/null 2>&1 && go tool pprof -h >/dev/null 2>&1 && have_go=true
for pair in normal:leak normal:cpu; do
	o=${pair%%:*} n=${pair##*:}
	compare "$o-$n" "$(zip_of "$o")" "$(zip_of "$n")"
	validate "$o-$n" "$json"
	for proc in core trace; do
		for kind in heap:heap cpu_normalized:cpu-normalize; do
			key=${kind%%:*} g=$goldens/$o-$n-$proc-${kind##*:}.top
			jget "$json" "[p for p in d['processes'] if p['name'] == '$proc'][0]['$key']['pprof_top']" \
				>"$fa_tmp/$o-$n-$proc-$key.txt"
			# print() added one newline
			fa_check "$o-$n $proc $key: the -top text equals go tool pprof's golden ($(basename "$g"))" \
				cmp <(head -c -1 "$fa_tmp/$o-$n-$proc-$key.txt") "$g"
			if $have_go; then
				cmd=$(awk -F'\t' -v f="$(basename "$g")" '$1 == f { print $2 }' "$goldens/COMMANDS")
				mkdir -p "$fa_tmp/live-$o-$n"
				ln -sfn "$(root_of "$o")/.." "$fa_tmp/live-$o-$n/old"
				ln -sfn "$(root_of "$n")/.." "$fa_tmp/live-$o-$n/new"
				# shellcheck disable=SC2086 # the recorded command, word by word
				(cd "$fa_tmp/live-$o-$n" && TZ=UTC $cmd) >"$fa_tmp/live.txt" 2>/dev/null
				fa_check "$o-$n $proc $key: equals a live \`$cmd\`" \
					cmp <(head -c -1 "$fa_tmp/$o-$n-$proc-$key.txt") "$fa_tmp/live.txt"
			else
				fa_skip "$o-$n $proc $key: equals a live go tool pprof" "no go"
			fi
		done
		for what in heap cpu; do
			fa_check "$o-$n: $proc-$what-diff.svg written, an SVG" grep -q '^<svg' "$fa_tmp/$o-$n/$proc-$what-diff.svg"
		done
	done
	facts "$o-$n" "$(root_of "$o")" "$(root_of "$n")" "$json"
	fa_check "$o-$n: two hosts, said in the JSON" test "$(jget "$json" "d['hosts_differ']")" = True
	fa_check "$o-$n: two hosts, said in the Markdown" grep -q 'two different hosts' "$md"
	fa_check "$o-$n: no planted secret in any output" eval '! grep -rqE "5f8c9a2b7d1e4f60a3b2c1d0e9f8a7b6|0a1b2c3d4e5f60718293a4b5c6d7e8f901234567|hunter2-fixture" "$fa_tmp/$o-$n"'
done
fa_check "normal-leak: the leak's function leads the heap growth" test \
	"$(jget "$fa_tmp/normal-leak/compare.json" "d['processes'][0]['heap']['top'][0]['function']")" = \
	'flaregen/pkg/aggregator.(*ContextResolver).trackContext'
fa_check "normal-leak: the aggregator component grew most" test \
	"$(jget "$fa_tmp/normal-leak/compare.json" "d['processes'][0]['heap']['components'][0]['id']")" = aggregator

# stdout: Markdown by default, the same JSON with --json
fa_run "$fa_tmp/stdout-md" compare -c "$fa_cfg" "$(zip_of normal)" "$(zip_of leak)"
fa_check_rc "stdout: compared" 0
fa_check "stdout: the Markdown, as -o writes it" cmp "$fa_tmp/stdout-md.out" "$fa_tmp/normal-leak/compare.md"
fa_run "$fa_tmp/stdout-json" compare -c "$fa_cfg" --json "$(zip_of normal)" "$(zip_of leak)"
fa_check "stdout --json: compare.json, as -o writes it" cmp "$fa_tmp/stdout-json.out" "$fa_tmp/normal-leak/compare.json"

# ---- checks and versions -------------------------------------------------------------
compare normal-contention "$(zip_of normal)" "$(zip_of contention)"
validate normal-contention "$json"
facts normal-contention "$(root_of normal)" "$(root_of contention)" "$json"
fa_check "normal-contention: disk is slower, 38ms -> 4.027s" test \
	"$(jget "$json" "[(c['change'], c['old_avg_exec_ns'], c['new_avg_exec_ns']) for c in d['checks'] if c['name'] == 'disk']")" \
	= "[('slower', 38000000, 4027000000)]"
fa_check "normal-contention: block delay per second compared" test "$(jget "$json" "d['processes'][0]['block']['done']")" = True

cp -r "$(root_of normal)" "$fa_tmp/renamed"
sed -i 's/^    uptime$/    ntpd12/; s/^Agent (v7\.58\.2)$/Agent (v7.59.0)/' "$fa_tmp/renamed/status.log"
compare checks "$(root_of normal)" "$fa_tmp/renamed"
validate checks "$json"
fa_check "checks: ntpd12 added, uptime removed" test \
	"$(jget "$json" "sorted((c['name'], c['change']) for c in d['checks'])")" = "[('ntpd12', 'added'), ('uptime', 'removed')]"
fa_check "checks: the version change 7.58.2 -> 7.59.0" test "$(jget "$json" "(d['version_changed'], d['old']['agent_version'], d['new']['agent_version'])")" = "(True, '7.58.2', '7.59.0')"
fa_check "checks: the Markdown names the change" grep -qF '**Agent version changed:** 7.58.2 → 7.59.0' "$md"
fa_check "checks: one host" test "$(jget "$json" "d['hosts_differ']")" = False

# ---- hostile ---------------------------------------------------------------------------
# OLD == NEW: nothing changed
compare same "$(zip_of leak)" "$(zip_of leak)"
validate same "$json"
facts same "$(root_of leak)" "$(root_of leak)" "$json"
fa_check "same: the same flare, said" test "$(jget "$json" "(d['same_content'], d['hosts_differ'], d['version_changed'])")" = "(True, False, False)"
fa_check "same: the Markdown says so" grep -q 'Both inputs are the same flare' "$md"
fa_check "same: no heap or CPU change in any process" test \
	"$(jget "$json" "sorted({(p['heap']['grew'], p['heap']['shrank'], p['cpu_normalized']['grew'], p['cpu_normalized']['shrank'], len(p['cpu']['functions'])) for p in d['processes']})")" = "[(0, 0, 0, 0, 0)]"
fa_check "same: every memstats delta is 0" test "$(jget "$json" "len(d['memstats']) > 0 and all(m['delta'] == 0 for m in d['memstats'])")" = True

# a process missing in the new flare
cp -r "$(root_of leak)" "$fa_tmp/notrace"
rm -f "$fa_tmp/notrace/profiles"/trace-*
compare notrace "$(zip_of leak)" "$fa_tmp/notrace"
validate notrace "$json"
fa_check "notrace: trace only in the old flare, not compared, with the reason" test \
	"$(jget "$json" "[(p['in_old'], p['in_new'], p['heap']['done'], p['heap']['why_not']) for p in d['processes'] if p['name'] == 'trace']")" \
	= "[(True, False, False, 'the new flare has no profiles of trace')]"
fa_check "notrace: core still compared" test "$(jget "$json" "d['processes'][0]['heap']['done']")" = True
fa_check "notrace: the Markdown says so" grep -q 'Only in the old flare: not compared' "$md"

# corrupt profiles in the new flare (badprofiles: core's 2nd heap missing, its CPU random bytes)
compare corrupt "$(zip_of normal)" "$(zip_of badprofiles)"
validate corrupt "$json"
facts corrupt "$(root_of normal)" "$(root_of badprofiles)" "$json"
fa_check "corrupt: core's heap not compared, naming the missing file" test \
	"$(jget "$json" "d['processes'][0]['heap']['why_not']")" = "the new flare has no core-2nd-heap.pprof"
fa_check "corrupt: core's CPU not compared, naming the unreadable file" \
	grep -q 'the new flare.s core-cpu.pprof cannot be read' <(jget "$json" "d['processes'][0]['cpu_normalized']['why_not']")
fa_check "corrupt: core's block delay still compared" test "$(jget "$json" "d['processes'][0]['block']['done']")" = True
fa_check "corrupt: trace compared" test "$(jget "$json" "d['processes'][1]['heap']['done']")" = True

# a report folder: its flare is looked up in state_dir/done/ by name and SHA-256
state=$fa_tmp/state
mkdir -p "$state/done" "$fa_tmp/inv"
printf 'state_dir: %s\nincoming_dir: %s\ninvestigations_dir: %s\n' "$state" "$fa_tmp/incoming" "$fa_tmp/inv" >"$fa_tmp/state.yaml"
fa_run "$fa_tmp/an" analyze -c "$fa_tmp/state.yaml" -o "$fa_tmp/inv" "$(zip_of normal)"
fa_check_rc "report folder: the old flare analyzed" 0
rep=$(dirname "$(find "$fa_tmp/inv" -name report.json | head -n 1)")
fa_run "$fa_tmp/gone" compare -c "$fa_tmp/state.yaml" "$rep" "$(zip_of leak)"
fa_check_rc "report folder, flare not in done/: an error" 1
fa_check "... naming the file needed and where it was looked for" grep -qF \
	"its flare normal-datadog-agent-2024-10-02T14-21-52Z-info.zip (sha256 $(sha256sum "$(zip_of normal)" | cut -c1-16)…) is not in $state/done" "$fa_tmp/gone.err"
cp "$(zip_of normal)" "$state/done/normal-datadog-agent-2024-10-02T14-21-52Z-info-1.zip"
fa_run "$fa_tmp/found" compare -c "$fa_tmp/state.yaml" --json "$rep" "$(zip_of leak)"
fa_check_rc "report folder, flare in done/ (under the daemon's -1 suffix): compared" 0
fa_check "... as a report folder, with the flare's hash" test "$(jget "$fa_tmp/found.out" "(d['old']['kind'], d['old']['sha256'])")" = \
	"('report folder', '$(sha256sum "$(zip_of normal)" | cut -c1-64)')"
cp "$fa_tmp/found.out" "$fa_tmp/found.json"
validate "report folder" "$fa_tmp/found.json"
rm "$state/done/normal-datadog-agent-2024-10-02T14-21-52Z-info-1.zip"
cp "$(zip_of cpu)" "$state/done/normal-datadog-agent-2024-10-02T14-21-52Z-info.zip"
fa_run "$fa_tmp/changed" compare -c "$fa_tmp/state.yaml" "$rep" "$(zip_of leak)"
fa_check_rc "report folder, another file under the flare's name: an error" 1
fa_check "... saying the flare has changed" grep -q 'has changed' "$fa_tmp/changed.err"
# path traversal: report.json naming a path
cp -r "$rep" "$fa_tmp/evil-report"
python3 - "$fa_tmp/evil-report/report.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["flare"]["file"] = "../../../etc/passwd"
json.dump(d, open(sys.argv[1], "w"))
EOF
fa_run "$fa_tmp/evil" compare -c "$fa_tmp/state.yaml" "$fa_tmp/evil-report" "$(zip_of leak)"
fa_check_rc "report.json naming a path: an error" 1
fa_check "... saying it is not a plain file name" grep -q 'not a plain file name' "$fa_tmp/evil.err"

# a process name with a dot (flare.c allows [A-Za-z0-9._-]) and a hostile
# function name
cp -r "$(root_of normal)" "$fa_tmp/hostile"
for k in 1st-heap 2nd-heap cpu block mutex; do
	cp "$fa_tmp/hostile/profiles/core-$k.pprof" "$fa_tmp/hostile/profiles/a.b-$k.pprof"
done
cp -r "$fa_tmp/hostile" "$fa_tmp/hostile2"
python3 "$edit_py" rename "$fa_tmp/hostile2/profiles/a.b-2nd-heap.pprof" \
	'flaregen/pkg/forwarder.StartWorkers' '`|<img src=x onerror=alert(1)>'
fa_run "$fa_tmp/hostile" compare -c "$fa_cfg" -o "$fa_tmp/hostile-out" "$fa_tmp/hostile" "$fa_tmp/hostile2"
fa_check_rc "hostile names: compared" 0
fa_check "hostile names: the flame graph's file name keeps [A-Za-z0-9_-] only" test -f "$fa_tmp/hostile-out/a_b-heap-diff.svg"
fa_check "hostile names: 8 files, all in the output folder" test "$(find "$fa_tmp/hostile-out" -type f | wc -l)" -eq 8
fa_check "hostile names: the function renders as code in the Markdown (pipe escaped)" \
	grep -qF '`` `\|<img src=x onerror=alert(1)> ``' "$fa_tmp/hostile-out/compare.md"
fa_check "hostile names: no raw <img in the Markdown outside code" eval '! grep -v "\`" "$fa_tmp/hostile-out/compare.md" | grep -q "<img"'
validate "hostile names" "$fa_tmp/hostile-out/compare.json"

# usage
fa_run "$fa_tmp/usage" compare -c "$fa_cfg" "$(zip_of normal)"
fa_check_rc "one input: a usage error" 2
fa_run "$fa_tmp/nosuch" compare -c "$fa_cfg" "$fa_tmp/nosuch.zip" "$(zip_of normal)"
fa_check_rc "a missing input: an error" 1
fa_check "... naming it" grep -qF "$fa_tmp/nosuch.zip" "$fa_tmp/nosuch.err"

fa_finish
