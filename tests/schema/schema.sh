#!/bin/bash
# tests/schema/schema.sh -- schema/report.schema.json (JSON Schema draft
# 2020-12) and report.json's schema version 2:
#  - the schema is a valid 2020-12 schema (check_schema), every object in it
#    is closed (additionalProperties: false) and described, and every $defs
#    entry is used; its enums (verdict kinds, coverage keys, component ids,
#    wait kinds, recommendation kinds and priorities) are the identifiers
#    the sources write;
#  - every fixture flare's report.json validates, and its version-2 facts
#    hold against independent computations: flare.sha256 = sha256sum of the
#    zip (null for an extracted folder); a heap diff table's base_total =
#    the older snapshot's total and its total = newer - older total, and
#    duration_ns = the profile's duration_nanos or null when it has none
#    (pprof_edit.py's own decoder); uptime_ns, status_date, agent_start from
#    status.log's milliseconds (a Python regex); a missing file's size is
#    null, every other the file's size (stat); the rule sentences and
#    summaries are plain text (no backtick) and say what the Markdown's say
#    without its code spans; coverage states are the zip's files' own
#    (coverage_check.py); the attributed CPU and heap tables are
#    pprof_edit.py's attribution of the file (every table: rows within
#    total, largest first), cpu_facts' attributed fields follow from them,
#    the block/mutex delay by kind sums to total_delay and contentions, the
#    profile's columns; flame graph files exist; recommendations name
#    processes of the report and flare files;
#  - reports broken the ways a writer drifts (a field the schema lacks, v1's
#    names, a float, 0 for an unknown duration, a bad date, a duplicate
#    key, a wrong wait kind, a float share, a missing coverage key, a check
#    name on a Go row, an unknown recommendation kind...) fail validation,
#    so the check can fail;
#  - the sweep the shared test helpers run (sweep.sh) fails on a tree with
#    one bad report, and without python3-jsonschema fails in CI (CI=true)
#    and skips elsewhere.
# TAP on stdout; see tests/analyze/common.sh for the environment.

# shellcheck source=tests/analyze/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../analyze/common.sh"
fa_require_binary

validator=$abs_top_srcdir/tests/schema/validate.py
schema=$abs_top_srcdir/schema/report.schema.json
edit=$abs_top_srcdir/tests/analyze/pprof_edit.py

skip_all() { echo "1..0 # SKIP $*"; exit 0; }
py=$(fw_schema_python)
if ! command -v "$py" >/dev/null 2>&1 || ! "$py" -c 'import jsonschema' 2>/dev/null; then
	if fw_schema_required; then
		fa_not_ok "python3 and python3-jsonschema are installed" \
			"they are test dependencies (packaging/test-deps.txt): apt-get install python3-jsonschema"
		fa_finish
	fi
	skip_all "python3-jsonschema not installed (apt-get install python3-jsonschema; required when CI is set)"
fi
fa_extractor || skip_all "$fa_extract_why"

# ---- 1. the schema itself ----------------------------------------------------------

fa_check "schema: valid JSON Schema draft 2020-12 (check_schema)" \
	"$py" "$validator" --check-schema --schema "$schema"

fa_check "schema: every object closed (additionalProperties: false) and described, every \$defs entry used" \
	python3 - "$schema" <<-'EOF'
		import json, sys
		s = json.load(open(sys.argv[1]))
		bad, refs = [], set()
		def walk(node, where):
		    if isinstance(node, dict):
		        if node.get("type") == "object":
		            if node.get("additionalProperties") is not False:
		                bad.append(where + ": not closed (additionalProperties: false)")
		            if not node.get("description") and where != "":
		                bad.append(where + ": no description")
		        if "$ref" in node:
		            refs.add(node["$ref"])
		        for k, v in node.items():
		            walk(v, where + "/" + k)
		    elif isinstance(node, list):
		        for i, v in enumerate(node):
		            walk(v, "%s/%d" % (where, i))
		walk(s, "")
		for name in s["$defs"]:
		    if "#/$defs/" + name not in refs:
		        bad.append("$defs/" + name + ": never used")
		if s.get("$schema") != "https://json-schema.org/draft/2020-12/schema":
		    bad.append("$schema is not draft 2020-12")
		print("\n".join(bad))
		sys.exit(1 if bad else 0)
	EOF

# The schema's enums are the identifiers the sources write: verdict kinds
# (verdict.c), analyses (coverage.c), component ids (components.c), wait
# kinds (contention.c), recommendation kinds (recommend.c's add() calls)
# and priorities.
fa_check "schema: its enums are the sources' identifiers (verdicts, analyses, components, wait kinds, recommendations)" \
	python3 - "$schema" "$abs_top_srcdir/src/investigate" <<-'EOF'
		import json, re, sys
		s = json.load(open(sys.argv[1]))
		d = s["$defs"]
		def src(name):
		    return open("%s/%s" % (sys.argv[2], name)).read()
		def fn_body(text, name):
		    return text[text.index(name + "("):].split("\n}\n", 1)[0]
		def returns(text, name):
		    return set(re.findall(r'return "([a-z_]+)";', fn_body(text, name))) - {"unknown"}
		bad = []
		def same(what, schema_set, src_set):
		    if set(schema_set) != set(src_set):
		        bad.append("%s: schema %s, sources %s" % (what, sorted(schema_set), sorted(src_set)))
		same("verdict kinds", d["verdict_kind"]["enum"], returns(src("verdict.c"), "fw_verdict_id"))
		same("coverage keys", d["coverage"]["required"], returns(src("coverage.c"), "fw_analysis_id"))
		same("component ids", [c for c in d["component_id"]["enum"] if c is not None],
		     re.findall(r'^\t\{ \{ "([a-z_]+)",', src("components.c"), re.M))
		same("wait kinds", d["wait_kind"]["enum"], returns(src("contention.c"), "fw_wait_kind_id") | {"other"})
		same("by_kind keys", d["wait_by_kind"]["required"], d["wait_kind"]["enum"])
		same("recommendation kinds", d["recommendation"]["properties"]["kind"]["enum"],
		     re.findall(r'add\(b, [^;]*?"([a-z_]+)", (?:NULL|p->name|ms->process)\)', src("recommend.c"), re.S) +
		     list(re.findall(r'\? "(check_[a-z]+)" : "(check_[a-z]+)"', src("recommend.c"))[0]))
		same("priorities", d["recommendation"]["properties"]["priority"]["enum"],
		     returns(src("recommend.c"), "fw_rec_priority_id"))
		print("\n".join(bad))
		sys.exit(1 if bad else 0)
	EOF

# ---- 2. every fixture's report: valid, and its version-2 facts ------------------------

# facts REPORT FLARE_DIR ZIP_OR_EMPTY: prints what does not hold (nothing
# when all do); the flare's files are read with pprof_edit.py and Python.
facts() {
	python3 - "$1" "$2" "$3" "$edit" <<-'EOF'
		import datetime, hashlib, json, os, re, sys
		js, root, zipf, edit = sys.argv[1:]
		j = json.load(open(js))
		bad = []
		def want(what, got, exp):
		    if got != exp:
		        bad.append("%s: report.json has %r, expected %r" % (what, got, exp))
		sys.path.insert(0, os.path.dirname(edit))
		import pprof_edit  # run in this process: no python per profile
		def info(path):
		    out = pprof_edit.run(["info", path])
		    d = {}
		    for line in out.splitlines():
		        f = line.split()
		        if f[0] == "total":
		            d[f[1].split("/")[0]] = int(f[2])
		        else:
		            d[f[0]] = int(f[1])
		    return d
		def rfc3339(ms):
		    t = datetime.datetime.fromtimestamp(ms // 1000, datetime.timezone.utc)
		    s = t.strftime("%Y-%m-%dT%H:%M:%S")
		    return s + (".%03dZ" % (ms % 1000) if ms % 1000 else "Z")
		f = j["flare"]
		want("schema_version", j["schema_version"], 2)
		want("flare.sha256", f["sha256"],
		     hashlib.sha256(open(zipf, "rb").read()).hexdigest() if zipf else None)
		status = open(os.path.join(root, "status.log")).read()
		sd = int(re.search(r"Status date: .*\((\d+)\)", status).group(1))
		st = int(re.search(r"Agent start: .*\((\d+)\)", status).group(1))
		want("flare.status_date", f["status_date"], rfc3339(sd))
		want("flare.agent_start", f["agent_start"], rfc3339(st))
		want("flare.uptime_ns", f["uptime_ns"], (sd - st) // 1000 * 10**9)
		want("flare.time", f["time"], rfc3339(sd))
		prof = os.path.join(root, "profiles")
		texts = [("verdict.summary", j["verdict"]["summary"])]
		for p in j["processes"]:
		    name = p["name"]
		    for fl in p["files"]:
		        path = os.path.join(prof, "%s-%s.pprof" % (name, fl["kind"]))
		        want("%s %s size" % (name, fl["kind"]), fl["size"],
		             os.path.getsize(path) if os.path.exists(path) else None)
		        if fl["state"] == "missing":
		            want("%s %s state" % (name, fl["kind"]), os.path.exists(path), False)
		    for rule, text in p["rules"].items():
		        texts.append(("%s rules.%s" % (name, rule), text))
		    g = p["heap_growth"]
		    if g is not None:
		        older, newer = "1st", "2nd"
		        if g["window_state"] == "reversed":
		            older, newer = newer, older
		        i1 = info(os.path.join(prof, "%s-%s-heap.pprof" % (name, older)))
		        i2 = info(os.path.join(prof, "%s-%s-heap.pprof" % (name, newer)))
		        for key, st in (("heap_diff_inuse_space", "inuse_space"), ("heap_diff_inuse_objects", "inuse_objects")):
		            t = p[key]
		            want("%s %s.base_total" % (name, key), t["base_total"], i1[st])
		            want("%s %s.total" % (name, key), t["total"], i2[st] - i1[st])
		            want("%s %s.duration_ns" % (name, key), t["duration_ns"], (i1["duration_nanos"] + i2["duration_nanos"]) or None)
		        if i1["time_nanos"] > 0 and i2["time_nanos"] > 0:
		            want("%s heap_growth.window_ns" % name, g["window_ns"], abs(i2["time_nanos"] - i1["time_nanos"]))
		        if g["window_state"] != "measured":
		            want("%s heap_growth.total_per_30s" % name, g["total_per_30s"], None)
		    if p["cpu"] is not None and p["cpu"]["error"] is None:
		        ci = info(os.path.join(prof, "%s-cpu.pprof" % name))
		        want("%s cpu.duration_ns" % name, p["cpu"]["duration_ns"], ci["duration_nanos"] or None)
		        want("%s cpu.base_total" % name, p["cpu"]["base_total"], None)
		        if p["cpu_facts"] is not None:
		            want("%s cpu_facts.duration_ns" % name, p["cpu_facts"]["duration_ns"], ci["duration_nanos"] or None)
		for what, text in texts:
		    if text is not None and "`" in text:
		        bad.append("%s is not plain text: %r" % (what, text))
		print("\n".join(bad))
		sys.exit(1 if bad else 0)
	EOF
}

# facts_attributed REPORT FLARE_DIR: the attributed tables (ranks, order,
# rows within total; CPU and current heap: total, unattributed, Python
# checks and rows equal pprof_edit.py's own attribution of the file),
# cpu_facts' attributed fields from attributed.cpu, the block/mutex delay by
# kind (by_kind sums to total_delay and contentions, which equal the
# profile's delay and contentions columns; idle and counted within bounds),
# the flame graph files exist, and every recommendation names a process of
# the report and evidence files that are in the flare (or missing ones).
facts_attributed() {
	PYTHONPATH=$abs_top_srcdir/tests/analyze${PYTHONPATH:+:$PYTHONPATH} python3 - "$1" "$2" "$edit" <<-'EOF'
		import json, os, sys
		import pprof_edit
		js, root, edit = sys.argv[1:]
		j = json.load(open(js))
		bad = []
		def want(what, got, exp):
		    if got != exp:
		        bad.append("%s: report.json has %r, expected %r" % (what, got, exp))
		def run(*args):
		    return pprof_edit.run(args)  # in this process: no python per profile
		def column(path, name):
		    """the index and total of the sample type named name (pprof_edit.py info)"""
		    totals = [l.split() for l in run("info", path).splitlines() if l.startswith("total ")]
		    for k, t in enumerate(totals):
		        if t[1].split("/")[0] == name:
		            return k, int(t[2])
		    return None, None
		def by_function(path, k):
		    """pprof_edit.py attribute: {(function, check): value}, unattributed"""
		    groups, un = {}, None
		    for line in run("attribute", path, str(k)).splitlines():
		        f = line.split(" ")
		        if f[0] == "unattributed":
		            un = int(f[1])
		        elif f[0] != "total":
		            groups[(f[2], f[3] if len(f) > 3 else None)] = int(f[0])
		    return groups, un
		prof = os.path.join(root, "profiles")
		outdir = os.path.dirname(js)
		names = [p["name"] for p in j["processes"]]
		missing = {"profiles/%s-%s.pprof" % (p["name"], f["kind"]) for p in j["processes"] for f in p["files"] if f["state"] == "missing"}
		for p in j["processes"]:
		    name = p["name"]
		    # attributed tables: ranks, order, sum of rows <= total; cpu and heap
		    # against pprof_edit.py's own attribution of the same file
		    for key, file, st in (("cpu", "cpu", "cpu"), ("heap", "2nd-heap", "inuse_space"), ("heap_growth", None, None)):
		        t = p["attributed"][key]
		        if t is None:
		            continue
		        rows = t["rows"]
		        want("%s attributed.%s ranks" % (name, key), [r["rank"] for r in rows], list(range(1, len(rows) + 1)))
		        vals = [r["value"] for r in rows]
		        want("%s attributed.%s rows largest first" % (name, key), vals, sorted(vals, reverse=True))
		        if sum(vals) > t["total"]:
		            bad.append("%s attributed.%s: rows sum to %d, over total %d" % (name, key, sum(vals), t["total"]))
		        if file is None:
		            continue
		        path = os.path.join(prof, "%s-%s.pprof" % (name, file))
		        k, _ = column(path, st)
		        groups, un = by_function(path, k)
		        want("%s attributed.%s.unattributed" % (name, key), t["unattributed"], un)
		        want("%s attributed.%s.total" % (name, key), t["total"], sum(v for v in groups.values() if v > 0) + max(un, 0))
		        want("%s attributed.%s.python_checks" % (name, key), t["python_checks"],
		             sum(v for (fn, _), v in groups.items() if pprof_edit.python_check_frame(fn)))
		        want("%s attributed.%s rows" % (name, key), [(r["function"], r["check"], r["value"]) for r in rows],
		             [(fn, c, v) for (fn, c), v in sorted(groups.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1] or ""))
		              if v > 0][:10])
		    # cpu_facts from attributed.cpu (the profile is in nanoseconds)
		    cf, ac = p["cpu_facts"], p["attributed"]["cpu"]
		    if cf is not None and ac is not None and ac["unit"] == "nanoseconds":
		        want("%s cpu_facts.attributed_app_ns" % name, cf["attributed_app_ns"], ac["total"] - max(ac["unattributed"], 0))
		        want("%s cpu_facts.python_checks_ns" % name, cf["python_checks_ns"], ac["python_checks"])
		        r0 = ac["rows"][0] if ac["rows"] else None
		        want("%s cpu_facts.top_attributed" % name, cf["top_attributed"],
		             r0 and {"function": r0["function"], "value": r0["value"], "python_check": r0["python_check"], "check": r0["check"]})
		    # contention by kind: sums, and the totals of the profile's columns
		    for key, file, who in (("block_by_wait", "block", "waiter"), ("mutex_by_holder", "mutex", "holder")):
		        w = p["contention"][key]
		        if w is None:
		            continue
		        want("%s %s.delay_charged_to" % (name, key), w["delay_charged_to"], who)
		        bk = w["by_kind"].values()
		        want("%s %s: by_kind delays sum to total_delay" % (name, key), sum(x["delay"] for x in bk), w["total_delay"])
		        want("%s %s: by_kind contentions sum to contentions" % (name, key), sum(x["contentions"] for x in bk), w["contentions"])
		        path = os.path.join(prof, "%s-%s.pprof" % (name, file))
		        want("%s %s.total_delay" % (name, key), w["total_delay"], column(path, "delay")[1])
		        want("%s %s.contentions" % (name, key), w["contentions"], column(path, "contentions")[1])
		        idle_max = w["by_kind"]["chan_recv"]["delay"] + w["by_kind"]["select"]["delay"]
		        if not 0 <= w["idle_loop_delay"] <= idle_max or w["counted_delay"] > w["total_delay"]:
		            bad.append("%s %s: idle %d not within chan_recv+select %d, or counted %d over total %d" % (
		                name, key, w["idle_loop_delay"], idle_max, w["counted_delay"], w["total_delay"]))
		        if sum(r["delay"] for r in w["rows"]) > w["total_delay"]:
		            bad.append("%s %s: rows' delays over total_delay" % (name, key))
		    for key, svg in p["flamegraphs"].items():
		        if svg is not None and not os.path.isfile(os.path.join(outdir, svg)):
		            bad.append("%s flamegraphs.%s: %s is not in the report folder" % (name, key, svg))
		for i, r in enumerate(j["recommendations"]):
		    if r["process"] is not None and r["process"] not in names:
		        bad.append("recommendations/%d: process %r is none of the report's" % (i, r["process"]))
		    for f in r["evidence"]["files"]:
		        if not os.path.exists(os.path.join(root, f)) and f not in missing:
		            bad.append("recommendations/%d: evidence file %s is neither in the flare nor a missing file" % (i, f))
		print("\n".join(bad))
		sys.exit(1 if bad else 0)
	EOF
}

# md_rules MD: the Markdown verdict table's rule sentences, code spans made
# plain (one per line, "Contention: ..."), sorted.
md_rules() {
	grep '^| [a-z]* | [A-Z ]* | ' "$1" | sed 's/<br>/\n/g; s/^| [a-z]* | [A-Z ]* | //; s/ |$//' |
		sed -n 's/^\*\*\([A-Za-z ]*\):\*\* /\1: /p' | tr -d '`' | sort
}
# json_rules JSON: the same from report.json (with each process's
# not_analyzed, which the Markdown's verdict cell has as "Not analyzed:")
json_rules() {
	jq -r '(.processes[].rules | to_entries[] | select(.value != null) |
		({"memory_leak": "Memory leak", "cpu_spike": "CPU spike", "contention": "Contention"}[.key]) + ": " + .value),
		(.processes[] | select(.not_analyzed != null) | "Not analyzed: " + .not_analyzed)' \
		"$1" | sort
}

out=$fa_tmp/out
mapfile -t zips < <(fa_fixture_zips)
[ ${#zips[@]} -gt 0 ] || fa_bail "no fixture flares in $fa_flares"
for zip in "${zips[@]}"; do
	scen=$(fa_scenario "$zip")
	fa_run "$fa_tmp/$scen" analyze -c "$fa_cfg" -o "$out" --json "$zip"
	fa_check_rc "$scen: analyzed" 0
	js=$(find "$out/fixture-$scen-01" -name report.json | head -n 1)
	[ -n "$js" ] || { fa_not_ok "$scen: report.json written"; continue; }
	fa_check "$scen: report.json validates against the schema" "$py" "$validator" --quiet "$js"
	x=$fa_tmp/x-$scen
	fa_extract "$zip" "$x" >/dev/null 2>&1 || fa_bail "cannot extract $zip"
	fa_check "$scen: version-2 facts hold (sha256, diff totals, durations, status.log times, sizes, plain text)" \
		facts "$js" "$x/fixture-$scen-01" "$zip"
	fa_check "$scen: coverage states are the zip's files' (coverage_check.py), verdicts and no_usable_profile agree" \
		python3 "$abs_top_srcdir/tests/analyze/coverage_check.py" "$zip" "$js"
	fa_check "$scen: attributed tables, cpu_facts, delay by kind, flame graphs, recommendations' evidence hold" \
		facts_attributed "$js" "$x/fixture-$scen-01"
	if fa_have_jq; then
		# shellcheck disable=SC2034 # md is read by the eval below
		md=$(find "$out/fixture-$scen-01" -name 'flare-profiling-*.md' | head -n 1)
		fa_check "$scen: the rule and not-analyzed sentences are the Markdown's without code spans" \
			eval 'diff <(md_rules "$md") <(json_rules "$js")'
	fi
	# the extracted folder: no zip, no sha256
	if [ "$scen" = leak ]; then
		fa_run "$fa_tmp/x-$scen" analyze -c "$fa_cfg" -o "$fa_tmp/xout" --json "$x/fixture-$scen-01"
		fa_check_rc "$scen, extracted folder: analyzed" 0
		fa_check "$scen, extracted folder: valid, sha256 null, the same facts otherwise" \
			facts "$(find "$fa_tmp/xout" -name report.json | head -n 1)" "$x/fixture-$scen-01" ""
		fa_check "$scen, extracted folder: attributed tables, delay by kind, flame graphs, evidence hold" \
			facts_attributed "$(find "$fa_tmp/xout" -name report.json | head -n 1)" "$x/fixture-$scen-01"
	fi
done

# ---- 3. broken reports fail ---------------------------------------------------------------

good=$(find "$out/fixture-leak-01" -name report.json | head -n 1)
# broken NAME EXPECTED PYTHON [REPORT]: report.json (the leak's, or REPORT)
# with the change PYTHON made to j (a dict) must fail validation with
# EXPECTED in the message. The cases are collected, then broken_all writes
# them all with one python3 and validates them with one run of the
# validator (its start, importing jsonschema, is most of a case's cost).
b_name=() b_want=() b_code=() b_src=()
broken() { b_name+=("$1"); b_want+=("$2"); b_code+=("$3"); b_src+=("${4:-$good}"); }
broken_all() {
	local i f o rc lines line args=() files=()
	for i in "${!b_name[@]}"; do
		f=$fa_tmp/broken-${b_name[$i]}.json
		args+=("${b_src[$i]}" "${b_code[$i]}" "$f")
		files+=("$f")
	done
	python3 -c 'import json, sys
a = sys.argv[1:]
for src, code, out in zip(a[0::3], a[1::3], a[2::3]):
    env = {"json": json, "j": json.load(open(src))}
    exec(code, env)
    open(out, "w").write(env["s"] if "s" in env else json.dumps(env["j"]))' "${args[@]}" ||
		fa_bail "cannot write the broken reports"
	o=$("$py" "$validator" --quiet "${files[@]}" 2>&1)
	rc=$?
	for i in "${!b_name[@]}"; do
		f=${files[$i]}
		lines=""
		while IFS= read -r line; do
			[[ $line == "$f: "* ]] && lines+="$line"$'\n'
		done <<<"$o"
		if [ "$rc" -eq 1 ] && [[ $lines == *"${b_want[$i]}"* ]]; then
			fa_ok "broken report fails: ${b_name[$i]}"
		else
			fa_not_ok "broken report fails: ${b_name[$i]}" \
				"validator exit status $rc (want 1), want \"${b_want[$i]}\" in this file's errors: $lines"
		fi
	done
	b_name=() b_want=() b_code=() b_src=()
}
fa_check "the unbroken report validates" "$py" "$validator" --quiet "$good"
broken "a field the schema lacks" "'surprise' was unexpected" 'j["processes"][0]["surprise"] = {}'
broken "v1's uptime_seconds" "'uptime_seconds' was unexpected" \
	'j["flare"]["uptime_seconds"] = 53; del j["flare"]["uptime_ns"]'
broken "v1's schema_version" "/schema_version: 2 was expected" 'j["schema_version"] = 1'
broken "a required field missing" "'sha256' is a required property" 'del j["flare"]["sha256"]'
broken "seconds as a float" "a number with a fraction" \
	's = json.dumps(j).replace("\"uptime_ns\": %d" % j["flare"]["uptime_ns"], "\"uptime_ns\": 191980.5")'
broken "3.0 for an integer" "a number with a fraction" \
	's = json.dumps(j).replace("\"total_ns\": %d" % j["processes"][0]["cpu_facts"]["total_ns"], "\"total_ns\": 3.0")'
broken "0 for an unknown duration" "/heap_diff_inuse_space/duration_ns: 0 is less than the minimum of 1" \
	'j["processes"][0]["heap_diff_inuse_space"]["duration_ns"] = 0'
broken "a diff table without base_total" "/heap_diff_inuse_space/base_total: None is not" \
	'j["processes"][0]["heap_diff_inuse_space"]["base_total"] = None'
broken "base_total in a plain table" "/cpu/base_total: 5 is not of type 'null'" 'j["processes"][0]["cpu"]["base_total"] = 5'
broken "an impossible date" "is not a 'date-time'" 'j["flare"]["status_date"] = "2024-02-30T00:00:00Z"'
broken "v1's milliseconds for a time" "/flare/agent_start: 1727686931648 is not valid" \
	'j["flare"]["agent_start"] = 1727686931648'
broken "an uppercase sha256" "/flare/sha256" 'j["flare"]["sha256"] = j["flare"]["sha256"].upper()'
broken "an unknown verdict" "/verdict/kind" 'j["verdict"]["kind"] = "panic"'
broken "a negative size" "/flare/profile_files/0/size: -1 is less than the minimum of 0" \
	'j["flare"]["profile_files"][0]["size"] = -1'
broken "a uint64 beyond 2^64" "/memstats/Sys" 'j["memstats"]["Sys"] = 2**64'
broken "a duplicate key" "duplicate key 'schema'" 's = json.dumps(j).replace("{", "{\"schema\": \"x\", ", 1)'
# the version-2 additions (coverage, attributed, delay by kind,
# recommendations), from the contention flare's report (block and mutex
# rows) and the python flare's (a Python check row)
busy=$(find "$out/fixture-contention-01" -name report.json | head -n 1)
py_js=$(find "$out/fixture-python-01" -name report.json | head -n 1)
fa_check "the unbroken contention and python reports validate" "$py" "$validator" --quiet "$busy" "$py_js"
broken "a wrong wait kind in a row" "/contention/block_by_wait/rows/0/kind: 'mutex' is not one of" \
	'j["processes"][0]["contention"]["block_by_wait"]["rows"][0]["kind"] = "mutex"' "$busy"
broken "a wait kind by_kind lacks" "'rwlock' was unexpected" \
	'j["processes"][0]["contention"]["mutex_by_holder"]["by_kind"]["rwlock"] = {"delay": 1, "contentions": 1}' "$busy"
broken "a mutex delay charged to the waiter" "/contention/mutex_by_holder" \
	'j["processes"][0]["contention"]["mutex_by_holder"]["delay_charged_to"] = "waiter"' "$busy"
broken "a float share in an attributed row" "a number with a fraction" \
	'j["processes"][0]["attributed"]["cpu"]["rows"][0]["value"] = 1; s = json.dumps(j).replace("\"python_check\": false, \"check\": null, \"value\": 1}", "\"python_check\": false, \"check\": null, \"value\": 0.25}", 1)' "$busy"
broken "v2-draft's share field in an attributed row" "'share' was unexpected" \
	'j["processes"][0]["attributed"]["cpu"]["rows"][0]["share"] = 25' "$busy"
broken "a missing coverage key" "/processes/0/coverage: 'cpu' is a required property" \
	'del j["processes"][0]["coverage"]["cpu"]'
broken "a coverage state of a ran analysis not ok" "/processes/0/coverage/heap_diff/state: 'ok' was expected" \
	'j["processes"][0]["coverage"]["heap_diff"]["state"] = "missing"'
broken "an unknown component id" "/attributed/cpu/rows/0/component: 'agent' is not one of" \
	'j["processes"][0]["attributed"]["cpu"]["rows"][0]["component"] = "agent"' "$busy"
broken "a check name on a row that is no Python check" "/check: 'postgres' is not of type 'null'" \
	'r = next(r for r in j["processes"][0]["attributed"]["cpu"]["rows"] if not r["python_check"]); r["check"] = "postgres"' "$py_js"
broken "an unknown recommendation kind" "/recommendations/0/kind: 'panic' is not one of" \
	'j["recommendations"][0]["kind"] = "panic"'
broken "evidence with a value and no unit" "/recommendations/0/evidence/unit: None is not of type 'string'" \
	'e = j["recommendations"][0]["evidence"]; e["value"] = 5; e["unit"] = None; e["measure"] = "x"'
broken "an INCONCLUSIVE verdict without no_usable_profile" "'no_usable_profile' is a required property" \
	'del j["verdict"]["no_usable_profile"]'
# ticket, memory sanity, host and checks (their facts: ticket.sh, memsanity.sh)
broken "a ticket with a space" "/ticket: 'ZD 1' does not match" 'j["ticket"] = "ZD 1"'
broken "an unknown growth steadiness" "/memory_sanity/growth_steadiness: 'steady' is not one of" \
	'j["processes"][0]["memory_sanity"]["growth_steadiness"] = "steady"'
broken "v2-draft's ratio in memory sanity" "'heap_alloc_to_profile' was unexpected" \
	'j["processes"][0]["memory_sanity"]["heap_alloc_to_profile"] = 211'
broken "a check's last success in milliseconds" "/checks/0/last_successful: 1727878906000 is not valid" \
	'j["checks"][0]["last_successful"] = 1727878906000'
broken "NaN" "NaN is not JSON" 's = json.dumps(j).replace("\"NextGC\": %d" % j["memstats"]["NextGC"], "\"NextGC\": NaN")'

broken_all

# ---- 4. the sweep of the shared helpers (sweep.sh) ----------------------------------------

sweep_tree=$fa_tmp/sweep
mkdir -p "$sweep_tree/a/b" "$sweep_tree/c" "$fa_tmp/nojsonschema"
cp "$good" "$sweep_tree/a/b/report.json"
cp "$fa_tmp/broken-a field the schema lacks.json" "$sweep_tree/c/report.json"
# sweep ENV...: fw_schema_sweep on the tree in a subshell with ENV; prints
# the result and the diagnostics
sweep() {
	(
		for e in "$@"; do export "${e?}"; done
		fw_schema_sweep "$sweep_tree"
		printf '%s\n%s\n' "$fw_schema_result" "$fw_schema_diag"
	)
}
r=$(sweep CI=)
if [ "$(sed -n 1p <<<"$r")" = "not ok" ] && grep -q "c/report.json: /processes/0: .*'surprise' was unexpected" <<<"$r" &&
	! grep -q "a/b/report.json" <<<"$r"; then
	fa_ok "sweep: one bad report of two fails the check and is named"
else
	fa_not_ok "sweep: one bad report of two fails the check and is named" "$r"
fi
# python3-jsonschema "missing": a module of that name that fails to import
printf 'raise ImportError("simulated: not installed")\n' >"$fa_tmp/nojsonschema/jsonschema.py"
r=$(sweep PYTHONPATH="$fa_tmp/nojsonschema" CI= FW_REQUIRE_SCHEMA=)
fa_check "sweep without python3-jsonschema on a developer's machine: skipped, saying why" \
	eval '[ "$(sed -n 1p <<<"$r")" = skip ] && grep -q "python3-jsonschema not installed" <<<"$r"'
r=$(sweep PYTHONPATH="$fa_tmp/nojsonschema" CI=true)
fa_check "sweep without python3-jsonschema in CI (CI=true): fails, naming the package" \
	eval '[ "$(sed -n 1p <<<"$r")" = "not ok" ] && grep -q "apt-get install python3-jsonschema" <<<"$r"'
r=$(sweep PYTHONPATH="$fa_tmp/nojsonschema" CI= FW_REQUIRE_SCHEMA=1)
fa_check "sweep without python3-jsonschema, FW_REQUIRE_SCHEMA=1: fails" \
	eval '[ "$(sed -n 1p <<<"$r")" = "not ok" ]'
rm -rf "$sweep_tree" # its bad report is no report of this test's

fa_finish
