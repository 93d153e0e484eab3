#!/bin/bash
# tests/analyze/ticket.sh -- the facts of the report's header and escalation
# block, end to end through `flarewatch analyze`:
#  - the support ticket: --ticket ID (normalised, hostile values refused
#    with exit 2), else found in the flare's file name by tickets.pattern
#    (each default form, a configured pattern, an empty one), and where it
#    goes (stdout, header, escalation, report.json, index.md);
#  - the agent upgrade from version-history.json, checked against a small
#    script reading the same zip (the fixture's 7.55.1 -> 7.58.2 is 2 days
#    before its status date), and copies of the zip built here with an old
#    upgrade, a damaged file and none;
#  - status.log's host OS and each check's Average Execution Time and Last
#    Successful Execution, checked against an independent parse of the
#    zip's status.log;
#  - the escalation block's fields, its memstats line against
#    expvar/memstats, and its block/mutex tables left out exactly when the
#    profile has no sample (tests/analyze/pprof_edit.py info).
# TAP on stdout; see tests/analyze/common.sh.

# shellcheck source=tests/analyze/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
fa_require_binary
command -v python3 >/dev/null 2>&1 || { echo "1..0 # SKIP python3 not found"; exit 0; }

Z=datadog-agent-2024-10-02T14-21-52Z-info.zip
normal=$fa_flares/normal-$Z
contention=$fa_flares/contention-$Z
leak=$fa_flares/leak-$Z
# where only the ticket taken from the file name is checked: the flare
# without profiles, whose analysis draws nothing (~0.04 s of CPU, not ~0.3 s)
noprof=$fa_flares/noprofiles-$Z
for f in "$normal" "$contention" "$leak" "$noprof"; do [ -f "$f" ] || fa_bail "no $f"; done
PPROF_EDIT=$abs_top_srcdir/tests/analyze/pprof_edit.py
out=$fa_tmp/inv
mkdir -p "$fa_tmp/in"

# json FILE EXPR: a Python expression over j (the parsed report.json)
# EXPR may call ms(T): report.json's RFC 3339 time T as Unix milliseconds
json() {
	python3 -c 'import datetime,json,sys
def ms(t): return round(datetime.datetime.fromisoformat(t.replace("Z", "+00:00")).timestamp() * 1000)
j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
# the report folder the last run wrote (from its "report: " line)
report_md() { sed -n 's/^report: //p' "$1.out"; }

# analyze_as NAME ZIP [ARGS...]: analyzes a copy of ZIP named NAME
analyze_as() {
	local name=$1 zip=$2
	shift 2
	rm -rf "$fa_tmp/in" "$out"
	mkdir -p "$fa_tmp/in"
	cp "$zip" "$fa_tmp/in/$name"
	fa_run "$fa_tmp/run" analyze -c "$fa_cfg" -o "$out" "$@" "$fa_tmp/in/$name"
}

# ---- the ticket from the file name: the default pattern ----------------------------
while IFS='|' read -r name want; do
	analyze_as "$name" "$noprof"
	fa_check_rc "\"$name\": analyzed" 0
	md=$(report_md "$fa_tmp/run")
	got=$(json "$(dirname "$md")/report.json" 'j["ticket"]')
	fa_check "\"$name\": report.json ticket is $want (got $got)" test "$got" = "$want"
done <<'EOF'
ZD-12345_normal-datadog-agent-2024-10-02T14-21-52Z-info.zip|ZD-12345
zd12345-normal.zip|ZD-12345
zd-12345 normal.zip|ZD-12345
#12345 normal.zip|ZD-12345
customer #12345.zip|ZD-12345
12345_normal.zip|ZD-12345
12345-normal.zip|ZD-12345
normal-datadog-agent-2024-10-02T14-21-52Z-info.zip|None
2024-10-02_normal.zip|None
wizd12345.zip|None
ZD-1234567890123_normal.zip|None
EOF

# ---- where the ticket goes --------------------------------------------------------------
analyze_as "ZD-12345_normal.zip" "$normal" --ticket zd-777
fa_check_rc "--ticket zd-777 on a flare named ZD-12345_...: exit 0" 0
md=$(report_md "$fa_tmp/run")
fa_check "--ticket wins over the name: report.json ticket ZD-777" \
	test "$(json "$(dirname "$md")/report.json" 'j["ticket"]')" = ZD-777
fa_check "stdout has the line \"ticket: ZD-777\"" grep -qx 'ticket: ZD-777' "$fa_tmp/run.out"
fa_check "the report header names it" grep -q '^\*\*Ticket:\*\* ZD-777 (from the --ticket) · \*\*Agent:\*\*' "$md"
fa_check "the escalation block says Ticket: ZD-777" grep -qx 'Ticket: ZD-777' "$md"
fa_check "index.md has a Ticket column with ZD-777" \
	eval 'grep -q "^| Flare time | Host | Ticket | Agent | Verdict | Summary | Flare file | Analyzed | Report |\$" "$out/index.md" && grep -q "^| [^|]* | fixture-normal-01 | ZD-777 | " "$out/index.md"'
analyze_as "normal.zip" "$normal" --ticket SUP-42
fa_check "--ticket SUP-42 is kept as given" \
	test "$(json "$(dirname "$(report_md "$fa_tmp/run")")/report.json" 'j["ticket"]')" = SUP-42
analyze_as "normal.zip" "$normal"
md=$(report_md "$fa_tmp/run")
fa_check "no ticket: the escalation block says Ticket: none" grep -qx 'Ticket: none' "$md"
fa_check "... no Ticket in the header, no ticket line on stdout" \
	eval '! grep -q "Ticket:\*\*" "$md" && ! grep -q "^ticket:" "$fa_tmp/run.out"'
fa_check "... index.md shows -" grep -q "^| [^|]* | fixture-normal-01 | - | " "$out/index.md"

# ---- hostile --ticket values: refused, nothing analyzed -------------------------------------
refused() { # NAME VALUE
	rm -rf "$out"
	fa_run "$fa_tmp/refused" analyze -c "$fa_cfg" -o "$out" --ticket "$2" "$normal"
	fa_check_rc "--ticket $1: exit 2" 2
	fa_check "... stderr says --ticket and why" grep -q -- '--ticket: ' "$fa_tmp/refused.err"
	fa_check "... nothing analyzed" test ! -e "$out"
}
refused "empty" ""
refused "with a space" "ZD 12345"
refused "with a newline" $'ZD-1\nZD-2'
refused "with ESC" $'ZD-1\e[31m'
refused "a path" "../../etc/passwd"
refused "starting with -" "-rf"
refused "33 characters" "abcdefghijabcdefghijabcdefghij123"
refused "13 digits" "1234567890123"
refused "a 32-hex API key" "0123456789abcdef0123456789abcdef"
refused "bidi override" $'\u202e12345'
fa_run "$fa_tmp/noval" analyze -c "$fa_cfg" -o "$out" "$normal" --ticket
fa_check_rc "--ticket without a value: exit 2" 2

# ---- tickets.pattern -----------------------------------------------------------------------
analyze_as "flare case-4242 host.zip" "$noprof" --set 'tickets.pattern=case-([0-9]+)'
fa_check "--set tickets.pattern=case-([0-9]+): \"flare case-4242 host.zip\" is ZD-4242" \
	test "$(json "$(dirname "$(report_md "$fa_tmp/run")")/report.json" 'j["ticket"]')" = ZD-4242
analyze_as "ZD-12345_normal.zip" "$noprof" --set 'tickets.pattern=case-([0-9]+)'
fa_check "... and ZD-12345_normal.zip has no ticket under that pattern" \
	test "$(json "$(dirname "$(report_md "$fa_tmp/run")")/report.json" 'j["ticket"]')" = None
analyze_as "ZD-12345_normal.zip" "$noprof" --set 'tickets.pattern='
fa_check "an empty tickets.pattern takes no ticket from names" \
	test "$(json "$(dirname "$(report_md "$fa_tmp/run")")/report.json" 'j["ticket"]')" = None
printf 'tickets:\n  pattern: "(ZD|case)-([0-9]+"\n' >"$fa_tmp/badpattern.yaml"
fa_run "$fa_tmp/badpat" analyze -c "$fa_tmp/badpattern.yaml" -o "$out" "$normal"
fa_check_rc "a tickets.pattern that does not compile: the configuration is refused (exit 1)" 1
fa_check "... naming the file, the line and the key" \
	grep -q 'badpattern.yaml:2:.*tickets.pattern.*regular expression' "$fa_tmp/badpat.err"

# ---- version-history.json ------------------------------------------------------------------
# the upgrade, computed from the zip by a script of its own
upgrade_of() { # ZIP -> "from to ms" or "none"
	python3 - "$1" <<'EOF'
import json, re, sys, zipfile, datetime
z = zipfile.ZipFile(sys.argv[1])
names = z.namelist()
status = z.read([n for n in names if n.endswith("/status.log")][0]).decode()
at = int(re.search(r"Status date: .*\((\d+)\)", status).group(1))
vh = [n for n in names if n.endswith("/version-history.json")]
try:
    entries = json.loads(z.read(vh[0]))["entries"] if vh else []
except Exception:
    entries = []
best = None
for prev, e in zip(entries, entries[1:]):
    ts = e["timestamp"]
    m = re.match(r"(.*?)(\.(\d+))?Z$", ts)
    t = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    ms = int(t.timestamp()) * 1000 + int((m.group(3) or "0")[:3].ljust(3, "0"))
    if e["version"] != prev["version"] and at - 7 * 86400000 <= ms <= at and (best is None or ms >= best[2]):
        best = (prev["version"], e["version"], ms)
print("%s %s %d" % best if best else "none")
EOF
}
# rewrite_zip IN OUT MEMBER-SUFFIX CONTENT|--delete: a copy with one member changed
rewrite_zip() {
	python3 - "$@" <<'EOF'
import sys, zipfile
src, dst, suffix, content = sys.argv[1:5]
with zipfile.ZipFile(src) as zi, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zo:
    for info in zi.infolist():
        data = zi.read(info)
        if info.filename.endswith(suffix):
            if content == "--delete":
                continue
            data = content.encode("utf-8", "surrogateescape")
        zo.writestr(info, data)
EOF
}

want=$(upgrade_of "$normal")
fa_check "the script finds the fixture's upgrade ($want)" test "$want" = "7.55.1 7.58.2 1727686933112"
analyze_as "normal.zip" "$normal"
md=$(report_md "$fa_tmp/run")
rj=$(dirname "$md")/report.json
got=$(json "$rj" '"%s %s %d" % (j["flare"]["upgrade"]["from"], j["flare"]["upgrade"]["to"], ms(j["flare"]["upgrade"]["time"])) if j["flare"]["upgrade"] else "none"')
fa_check "report.json flare.upgrade is the script's ($got)" test "$got" = "$want"
fa_check "the header names the upgrade" \
	grep -q '^\*\*Recent agent upgrade 7\.55\.1 → 7\.58\.2 on 2024-09-30 09:02:13\.112 UTC (2 days 5 hours before the flare)\*\*' "$md"
fa_check "the escalation's Symptom ends with it" \
	grep -q '^Symptom: .*; after upgrade 7\.55\.1 → 7\.58\.2 on 2024-09-30 09:02:13\.112 UTC' "$md"

old='{"entries":[{"version":"7.55.1","timestamp":"2024-07-18T10:14:02.331920114Z"},{"version":"7.58.2","timestamp":"2024-09-25T14:21:52.316Z"}]}'
rewrite_zip "$normal" "$fa_tmp/old.zip" /version-history.json "$old"
edge='{"entries":[{"version":"7.55.1","timestamp":"2024-07-18T10:14:02.331920114Z"},{"version":"7.58.2","timestamp":"2024-09-25T14:21:52.317Z"}]}'
rewrite_zip "$normal" "$fa_tmp/edge.zip" /version-history.json "$edge"
rewrite_zip "$normal" "$fa_tmp/damaged.zip" /version-history.json $'{"entries":[{"version":"7.1\x01\xff'
rewrite_zip "$normal" "$fa_tmp/none.zip" /version-history.json --delete
for v in old edge damaged none; do
	want=$(upgrade_of "$fa_tmp/$v.zip")
	analyze_as "$v.zip" "$fa_tmp/$v.zip"
	fa_check_rc "version history \"$v\": analyzed" 0
	md=$(report_md "$fa_tmp/run")
	got=$(json "$(dirname "$md")/report.json" '"%s %s %d" % (j["flare"]["upgrade"]["from"], j["flare"]["upgrade"]["to"], ms(j["flare"]["upgrade"]["time"])) if j["flare"]["upgrade"] else "none"')
	fa_check "version history \"$v\": upgrade $got, the script says $want" test "$got" = "$want"
	if [ "$want" = none ]; then
		fa_check "... and no upgrade in the report" eval '! grep -q "upgrade 7" "$md"'
	fi
done
fa_check "an upgrade 7 days and 1 ms before the status date is not named, exactly 7 days is" \
	eval '[ "$(upgrade_of "$fa_tmp/old.zip")" = none ] && [ "$(upgrade_of "$fa_tmp/edge.zip")" != none ]'

# ---- status.log: host OS and check times, against an independent parse --------------------
status_facts() { # ZIP -> JSON of what status.log says
	python3 - "$1" <<'EOF'
import json, re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
text = z.read([n for n in z.namelist() if n.endswith("/status.log")][0]).decode()
host = {}
for k, name in (("os", "os"), ("platform", "platform"), ("platformVersion", "platform_version"),
                ("kernelVersion", "kernel_version"), ("kernelArch", "kernel_arch")):
    m = re.search(r"^\s+%s: (.*)$" % k, text, re.M)
    host[name] = m.group(1).strip() if m else None
units = {"ns": 1, "us": 1e3, "\u00b5s": 1e3, "ms": 1e6, "s": 1e9, "m": 60e9, "h": 3600e9}
def go_duration(s):
    if s == "0":
        return 0
    return round(sum(float(n) * units[u] for n, u in re.findall(r"([0-9.]+)(ns|us|\u00b5s|ms|s|m|h)", s)))
checks = {}
name = None
for line in text.split("\n"):
    if re.fullmatch(r"\s*-+\s*", line):
        continue  # a check title's underline
    m = re.match(r"^    (\S+)(?: \((.*)\))?$", line)
    if m and not line.strip().startswith(("Instance", "Total")):
        name = m.group(1)
        continue
    if name is None:
        continue
    m = re.match(r"^\s+Average Execution Time : (\S+)$", line)
    if m:
        c = checks.setdefault(name, {"avg": None, "last": None, "never": False})
        v = go_duration(m.group(1))
        c["avg"] = v if c["avg"] is None else max(c["avg"], v)
    m = re.match(r"^\s+Last Successful Execution Date : (.*)$", line)
    if m:
        c = checks.setdefault(name, {"avg": None, "last": None, "never": False})
        if m.group(1).strip() == "Never":
            c["never"] = True
        else:
            ms = int(re.search(r"\((\d+)\)", m.group(1)).group(1))
            c["last"] = ms if c["last"] is None else min(c["last"], ms)
print(json.dumps({"host": host, "checks": checks}, sort_keys=True))
EOF
}
report_facts() { # REPORT.JSON -> the same shape from report.json
	python3 - "$1" <<'EOF'
import datetime, json, sys
def ms(t):  # report.json's RFC 3339 time as Unix milliseconds
    return None if t is None else round(datetime.datetime.fromisoformat(t.replace("Z", "+00:00")).timestamp() * 1000)
j = json.load(open(sys.argv[1]))
checks = {c["name"]: {"avg": c["avg_execution_ns"], "last": ms(c["last_successful"]), "never": c["never_succeeded"]}
          for c in j["checks"]}
print(json.dumps({"host": j["flare"]["host_os"], "checks": checks}, sort_keys=True))
EOF
}
analyze_as "contention.zip" "$contention"
md=$(report_md "$fa_tmp/run")
want=$(status_facts "$contention")
got=$(report_facts "$(dirname "$md")/report.json")
fa_check "report.json host_os and check times = the script's parse of status.log" test "$got" = "$want"
if [ "$got" != "$want" ]; then
	echo "# want $want"
	echo "# got  $got"
fi
fa_check "the script sees disk at 4.027 s and postgres never succeeding (contention's template values)" \
	eval 'python3 -c "import json,sys; c=json.loads(sys.argv[1])[\"checks\"]; assert c[\"disk\"][\"avg\"]==4027000000 and c[\"postgres\"][\"never\"]" "$want"'
fa_check "Running checks: disk's row shows 4.027 s and its last success" \
	grep -q '^| `disk` | 5\.3\.0 | 1 | 1 | 0 | 0 | 4\.027 s | 2024-10-02 14:21:46\.000 UTC |$' "$md"
fa_check "Running checks: postgres's row shows 5.004 s and never" \
	grep -q '^| `postgres` | 22\.0\.1 | 1 | 0 | 0 | 1 | 5\.004 s | \*\*never\*\* |$' "$md"
fa_check "the header's OS" grep -q '\*\*OS:\*\* linux ubuntu 24\.04, kernel 6\.8\.0-1015-aws x86\\_64' "$md"

# ---- the escalation block ------------------------------------------------------------------
esc=$fa_tmp/esc.txt
sed -n '/^## Escalation summary/,$p' "$md" >"$esc"
uptime=$(python3 - "$contention" <<'EOF'
import re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
t = z.read([n for n in z.namelist() if n.endswith("/status.log")][0]).decode()
d = int(re.search(r"Status date: .*\((\d+)\)", t).group(1))
s = int(re.search(r"Agent start: .*\((\d+)\)", t).group(1))
sec = (d - s) // 1000
days, hours = sec // 86400, sec % 86400 // 3600
print("%d day%s %d hour%s" % (days, "" if days == 1 else "s", hours, "" if hours == 1 else "s"))
EOF
)
memline=$(python3 - "$contention" <<'EOF'
import re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
t = z.read([n for n in z.namelist() if n.endswith("/expvar/memstats")][0]).decode()
v = {k: float(x) for k, x in re.findall(r"^(HeapObjects|NumGC): (\S+)$", t, re.M)}
print("HeapObjects=%d NumGC=%d" % (v["HeapObjects"], v["NumGC"]))
EOF
)
fa_check "Agent + OS line" grep -qx 'Agent + OS: 7.58.2 on linux ubuntu 24.04, kernel 6.8.0-1015-aws x86_64' "$esc"
fa_check "Uptime: $uptime (status.log's start and date)" grep -qx "Uptime: $uptime" "$esc"
fa_check "Symptom: the verdict's summary" \
	grep -q '^Symptom: core: contention, flaregen/pkg/collector.(\*Worker).Run waited' "$esc"
fa_check "Profile source lists the profile files" \
	grep -q '^Profile source: flare profiles/: core-1st-heap.pprof core-2nd-heap.pprof core-block.pprof' "$esc"
fa_check "Flare: the file name" grep -qx 'Flare: contention.zip' "$esc"
fa_check "memstats line: Alloc, Sys, HeapInuse and $memline (expvar/memstats)" \
	grep -q "^memstats: Alloc=[0-9.]*[kMG]B Sys=[0-9.]*[kMG]B HeapInuse=[0-9.]*[kMG]B $memline " "$esc"
fa_check "Running checks with avg time and errors" \
	grep -q '^Running checks: .*disk\[OK avg 4\.027 s\].*postgres\[ERROR avg 5\.004 s, 1 in error, never succeeded\]' "$esc"
# Profile window: each CPU profile's duration and heap snapshot gap, from the profiles
tmpx=$fa_tmp/x
rm -rf "$tmpx" && mkdir -p "$tmpx"
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$contention" "$tmpx"
prof=$(echo "$tmpx"/*/profiles)
for p in core trace; do
	cpu=$(python3 "$PPROF_EDIT" info "$prof/$p-cpu.pprof" | sed -n 's/^duration_nanos //p')
	t1=$(python3 "$PPROF_EDIT" info "$prof/$p-1st-heap.pprof" | sed -n 's/^time_nanos //p')
	t2=$(python3 "$PPROF_EDIT" info "$prof/$p-2nd-heap.pprof" | sed -n 's/^time_nanos //p')
	line=$(grep '^Profile window:' "$esc")
	fa_check "Profile window: $p CPU $cpu ns and heap snapshots $((t2 - t1)) ns apart (pprof_edit.py info)" \
		python3 - "$line" "$p" "$cpu" "$((t2 - t1))" <<'EOF'
import re, sys
line, p, cpu, gap = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
m = re.search(r"\b%s CPU ([0-9.]+)s, heap snapshots ([0-9.]+)s apart" % p, line)
assert m, line
assert abs(float(m.group(1)) - cpu / 1e9) <= 0.005 and abs(float(m.group(2)) - gap / 1e9) <= 0.005, line
EOF
done
# block/mutex tables: in the block when the profile has samples, out when not
for z in contention leak; do
	[ "$z" = leak ] && {
		analyze_as "leak.zip" "$leak"
		md=$(report_md "$fa_tmp/run")
		sed -n '/^## Escalation summary/,$p' "$md" >"$esc"
		rm -rf "$tmpx" && mkdir -p "$tmpx"
		python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$leak" "$tmpx"
		prof=$(echo "$tmpx"/*/profiles)
	}
	for p in core trace; do
		for k in block mutex; do
			n=$(python3 "$PPROF_EDIT" info "$prof/$p-$k.pprof" | sed -n 's/^total delay\/nanoseconds //p')
			if [ "${n:-0}" -gt 0 ]; then
				fa_check "$z: $p $k has $n ns of delay: its top 5 is in the escalation" \
					grep -qx "$p $k:" "$esc"
			else
				fa_check "$z: $p $k is empty: left out, and listed as empty" \
					eval '! grep -qx "$p $k:" "$esc" && grep -q "^Empty (no sample, left out):.* $p $k" "$esc"'
			fi
		done
	done
done

fa_finish
