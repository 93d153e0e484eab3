#!/bin/bash
# tests/analyze/memsanity.sh -- the memory sanity (src/investigate/memsanity.c,
# report.json's processes[].memory_sanity, the Markdown's "## Memory sanity")
# against figures recomputed from the flare's own files by
# memsanity_check.py (expvar/memstats lines, pprof_edit.py's inuse_space
# total and heap growth, goroutine headers, status.log's times and Python
# checks). Cases:
#  - every fixture flare, and the shared sample flare when ../shared exists;
#  - leak: HeapAlloc 1.31 GB and Sys 2.73 GB against 6.50 MB in the 2nd heap
#    profile: a mismatch, flagged;
#  - the shared flare: 53 h of uptime, +370 MB per 30 s, HeapAlloc 68 MB:
#    "not steady", and no sentence says the memory "keeps growing";
#  - leak with an uptime of 20 minutes (status.log's Agent start moved):
#    the projection fits a steady growth and the text may say so;
#  - trace with the trace-agent's own expvars (leak, with an
#    expvar/trace-agent made from its memstats and an uptime);
#  - a flare without expvar/memstats (normal, with that file removed);
#  - Python checks (the fixtures' disk and postgres) and a flare without
#    any (normal, with the versions and tracebacks taken out of status.log).
# TAP on stdout; see tests/analyze/common.sh for the environment.

# shellcheck source=tests/analyze/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
fa_require_binary

if ! command -v python3 >/dev/null 2>&1 || ! python3 -c 'import json, zipfile' 2>/dev/null; then
	fa_skip "memory sanity" "no python3 for the independent computation"
	fa_finish
fi
if ! fa_extractor; then
	fa_skip "memory sanity" "$fa_extract_why"
	fa_finish
fi
check_py=$abs_top_srcdir/tests/analyze/memsanity_check.py

# analyze NAME PATH: report.json in $fa_tmp/NAME.json, the Markdown's path in
# md; the analysis must exit 0.
analyze() {
	local name=$1 path=$2
	fa_run "$fa_tmp/$name" analyze -c "$fa_cfg" --json -o "$fa_tmp/inv-$name" "$path"
	fa_check_rc "$name: analyzed" 0
	cp "$fa_tmp/$name.out" "$fa_tmp/$name.json"
	md=$(find "$fa_tmp/inv-$name" -name 'flare-profiling-*.md' | head -n 1)
}

# verify NAME FLAREDIR: every memory sanity figure of NAME's report against
# the recomputation from FLAREDIR
verify() {
	local name=$1 dir=$2 out
	if out=$(python3 "$check_py" "$dir" "$fa_tmp/$name.json" "$md" 2>&1); then
		fa_ok "$name: every memory sanity figure matches the flare's files ($(grep -c '^ok' <<<"$out") checks)"
	else
		fa_not_ok "$name: memory sanity figures"
		grep -v '^ok ' <<<"$out" | sed -n '1,40p' | sed 's/^/# /'
	fi
}

# jq-free JSON probe: jsonget NAME PYTHON-EXPRESSION on `d` (the report)
jsonget() {
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
		"$fa_tmp/$1.json" "$2"
}
core='[p for p in d["processes"] if p["name"] == "core"][0]["memory_sanity"]'

# ---- every fixture flare, and the shared one --------------------------------
zips=()
while IFS= read -r z; do zips+=("$z"); done < <(fa_fixture_zips)
shared=$FW_SHARED_DIR/flares/datadog-agent-2024-10-02T14-21-52Z-info.zip
[ -f "$shared" ] && zips+=("$shared")
for z in "${zips[@]}"; do
	if [ "$z" = "$shared" ]; then name=shared; else name=$(fa_scenario "$z"); fi
	fa_extract "$z" "$fa_tmp/x-$name" || fa_bail "cannot extract $z"
	analyze "$name" "$z"
	verify "$name" "$fa_tmp/x-$name"
done

# ---- leak: profiles and memstats disagree -----------------------------------
fa_check "leak: HeapAlloc 1.31GB and Sys 2.73GB against 6.50MB in the 2nd heap, both mismatches" \
	test "$(jsonget leak "($core)['heap_mismatch'], ($core)['sys_mismatch']")" = "(True, True)"
fa_check "leak: the Markdown prints those figures and flags the mismatch" \
	grep -qF -e '**6.50MB** in use' "$fa_tmp/inv-leak"/*/*/flare-profiling-*.md
fa_check "leak: HeapAlloc **1.31GB**, Sys **2.73GB**" \
	grep -qF 'memstats: HeapAlloc is **1.31GB**, Sys **2.73GB**' "$fa_tmp/inv-leak"/*/*/flare-profiling-*.md
fa_check "leak: '**Profiles and memstats disagree**'" \
	grep -qF '**Profiles and memstats disagree**' "$fa_tmp/inv-leak"/*/*/flare-profiling-*.md
fa_check "leak: Python checks disk and postgres" \
	test "$(jsonget leak "($core)['python_checks']")" = "['disk', 'postgres']"
fa_check "leak: trace has no memstats of its own" \
	test "$(jsonget leak '[p for p in d["processes"] if p["name"] == "trace"][0]["memory_sanity"]["have_memstats"]')" = False

# ---- the shared flare: not steady --------------------------------------------
if [ -f "$shared" ]; then
	smd=$(find "$fa_tmp/inv-shared" -name 'flare-profiling-*.md' | head -n 1)
	fa_check "shared: growth_steadiness not_steady (53 h, +370MB per 30 s, HeapAlloc 68MB)" \
		test "$(jsonget shared "($core)['growth_steadiness']")" = not_steady
	fa_check "shared: the Markdown says the growth is recent or bursty, not steady" \
		grep -qF 'the growth is recent or bursty, not steady' "$smd"
	fa_check "shared: no sentence says the memory keeps growing" \
		bash -c '! grep -q "keeps growing" "$1"' _ "$smd"
	fa_check "shared: the customer message says the memory grew quickly while profiled" \
		grep -qF 'memory that grew quickly while the profiles were taken' "$smd"
else
	fa_skip "shared flare: not steady" "no $shared"
fi

# ---- leak, 20 minutes of uptime: a steady growth fits ------------------------
cp -r "$fa_tmp/x-leak" "$fa_tmp/x-leak20"
st=$(find "$fa_tmp/x-leak20" -name status.log | head -n 1)
# Status date 14:21:52.317 UTC; Agent start 20 minutes earlier
sed -i 's/^  Agent start: .*/  Agent start: 2024-10-02 14:01:52.317 UTC (1727877712317)/' "$st"
analyze leak20 "$fa_tmp/x-leak20"
verify leak20 "$fa_tmp/x-leak20"
fa_check "leak, 20 min of uptime: growth_steadiness possible" \
	test "$(jsonget leak20 "($core)['growth_steadiness']")" = possible
fa_check "leak, 20 min of uptime: the Markdown says a steady growth fits" \
	grep -qF 'a steady growth fits these numbers' "$md"
fa_check "leak, 20 min of uptime: the leak sentence may say the memory keeps growing" \
	grep -qF 'memory that keeps growing like this is not released' "$md"

# ---- the trace-agent's own expvars ------------------------------------------------
# expvar/trace-agent as yaml.v2 nests a map: the fixture's memstats lines
# indented by two under "memstats:" (sequences stay at the key's level),
# then the trace-agent's "uptime" in seconds (30 minutes here)
cp -r "$fa_tmp/x-leak" "$fa_tmp/x-tracevars"
ms=$(find "$fa_tmp/x-tracevars" -path '*/expvar/memstats' | head -n 1)
{ echo "cmdline:"; echo "- trace-agent"; echo "memstats:"; sed 's/^/  /' "$ms"; echo "uptime: 1800"; } \
	>"$(dirname "$ms")/trace-agent"
analyze tracevars "$fa_tmp/x-tracevars"
verify tracevars "$fa_tmp/x-tracevars"
trace='[p for p in d["processes"] if p["name"] == "trace"][0]["memory_sanity"]'
fa_check "trace-agent vars: trace's memstats come from expvar/trace-agent, with its uptime" \
	test "$(jsonget tracevars "($trace)['memstats_source'], ($trace)['uptime_ns']")" \
	= "('expvar/trace-agent', 1800000000000)"
fa_check "trace-agent vars: the Markdown says where trace's memstats come from" \
	grep -qF 'memstats and uptime from expvar/trace-agent' "$md"

# ---- no expvar/memstats -------------------------------------------------------
cp -r "$fa_tmp/x-normal" "$fa_tmp/x-nomem"
find "$fa_tmp/x-nomem" -path '*/expvar/memstats' -delete
analyze nomem "$fa_tmp/x-nomem"
verify nomem "$fa_tmp/x-nomem"
fa_check "no memstats: have_memstats false, HeapAlloc null, steadiness unknown" \
	test "$(jsonget nomem "($core)['have_memstats'], ($core)['heap_alloc_bytes'], ($core)['growth_steadiness']")" \
	= "(False, None, 'unknown')"
fa_check "no memstats: the Markdown says there is nothing to compare" \
	grep -qF 'No expvar/memstats in this flare: nothing to compare the profiles with.' "$md"

# ---- no Python checks ----------------------------------------------------------
cp -r "$fa_tmp/x-normal" "$fa_tmp/x-nopy"
st=$(find "$fa_tmp/x-nopy" -name status.log | head -n 1)
python3 - "$st" <<-'EOF'
	import re, sys
	p = sys.argv[1]
	out, lines = [], open(p).read().split("\n")
	for i, line in enumerate(lines):
	    m = re.match(r"^(    \S.*?) \([^()]*\)$", line)
	    if m and i + 1 < len(lines) and re.match(r"^    -+$", lines[i + 1]):
	        out.append(m.group(1))
	        lines[i + 1] = "    " + "-" * (len(m.group(1)) - 4)
	    elif "Traceback (most recent call last)" in line:
	        continue
	    else:
	        out.append(line)
	open(p, "w").write("\n".join(out))
EOF
analyze nopy "$fa_tmp/x-nopy"
verify nopy "$fa_tmp/x-nopy"
fa_check "no Python checks: python_checks empty" test "$(jsonget nopy "($core)['python_checks']")" = "[]"
fa_check "no Python checks: the Markdown names none" bash -c '! grep -qF "**Python checks:**" "$1"' _ "$md"

fa_finish
