#!/bin/bash
# tests/analyze/recommend.sh -- the recommendations (report.json's
# "recommendations", the Markdown "## Recommendations") and the customer
# message of every fixture flare, checked against the flare's own files:
#  - every number an item cites as evidence is recomputed from the profile
#    or text file it names, by a Python script that decodes the profiles
#    with tests/analyze/pprof_edit.py's own protobuf codec (flat per
#    function; the delay charged to the nearest application frame; the
#    instances in error in status.log; the goroutines of the dump), and,
#    when `go` is installed, by `go tool pprof -top` as well;
#  - the list: priorities as recommend.h documents them, in order, no text
#    twice, no Markdown in the JSON texts, one item per rule that fired, the
#    files named for unusable profiles exactly those that are missing,
#    empty or undecodable, the empty block/mutex profiles in ONE item;
#  - the customer message: agent version, host and uptime (status.log),
#    HeapInuse and HeapObjects (expvar/memstats), the growth over the
#    window (pprof_edit.py growth) and the window (the snapshots' times),
#    the top two consumers, the CPU utilisation and top function, "normal"
#    or "abnormal" as the CPU rule decided, "memory that keeps growing"
#    only where the leak rule fired, what could and could not be analyzed;
#    greeting and signature from the configuration.
# TAP on stdout; see tests/analyze/common.sh for the environment.

# shellcheck source=tests/analyze/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
fa_require_binary

skip_all() { echo "1..0 # SKIP $*"; exit 0; }
command -v python3 >/dev/null 2>&1 || skip_all "no python3 to recompute the numbers"
fa_extractor || skip_all "$fa_extract_why"
if command -v go >/dev/null 2>&1 && go tool pprof -h >/dev/null 2>&1; then
	have_go=1
else
	have_go=0
fi

checker=$fa_tmp/check.py
cat >"$checker" <<'EOF'
"""Checks one analyzed fixture: argv = pprof_edit.py's folder, the flare's
root, report.json, the Markdown report, whether to run `go tool pprof`,
the greeting, the signature. Prints "ok NAME", "not ok NAME: WHY" or
"skip NAME: WHY" lines."""
import json, os, re, subprocess, sys

sys.path.insert(0, sys.argv[1])
import pprof_edit as pe  # noqa: E402

root, jpath, mdpath, use_go, greeting, signature = sys.argv[2:8]
use_go = use_go == "1"
rep = json.load(open(jpath))
md = open(mdpath, encoding="utf-8").read()
prof = os.path.join(root, "profiles")


def result(ok, name, why=""):
    print(("ok %s" % name) if ok else ("not ok %s: %s" % (name, why)))


def eq(name, got, want):
    result(got == want, name, "got %r, want %r" % (got, want))


# ---- pprof's own formatting (measurement.ScaledLabel) -----------------------
UNITS = {"bytes": [("B", 1), ("kB", 1 << 10), ("MB", 1 << 20), ("GB", 1 << 30), ("TB", 1 << 40),
                   ("PB", 1 << 50)],
         "ns": [("ns", 1), ("us", 1e3), ("ms", 1e6), ("s", 1e9), ("hrs", 3600e9)]}


def label(v, kind):
    f, u = 0, ""
    for name, factor in UNITS[kind]:
        if factor >= f and v / factor >= 1.0:
            f, u = factor, name
    if f == 0:
        return "0"
    s = "%.2f" % (v / f)
    if s.endswith(".00"):
        s = s[:-3]
    return "0" if s in ("0", "-0") else s + u


def short(fn):
    cut = len(fn)
    for c in "([":
        if c in fn:
            cut = min(cut, fn.index(c))
    head = fn[:cut]
    i = head.rfind("/", 0, len(head) - 1) if head.endswith("/") else head.rfind("/")
    return fn[i + 1:] if i >= 0 else fn


# ---- profiles, decoded by pprof_edit.py ---------------------------------------
def load(path):
    """fields, or None when the file does not decode"""
    try:
        return pe.load(path)
    except (Exception, SystemExit):
        return None


def state(path):
    if not os.path.isfile(path):
        return "missing"
    if os.path.getsize(path) == 0:
        return "empty"
    f = load(path)
    if f is None or not any(n == 1 for n, _, _ in f):  # no sample type
        return "corrupt"
    return "ok"


def scalars(fields):
    return {n: pe.signed(v) for n, wt, v in fields if wt == 0 and n in (9, 10)}


def total(fields, k):
    return sum(pe.Sample(v).vals[k] for n, _, v in fields if n == 2)


RUNTIME = ("runtime.", "runtime/", "internal/", "sync.", "syscall.", "gcBgMarkWorker")


LOCK_WAITS = ("sync.(*Mutex).Lock", "sync.(*RWMutex).Lock", "sync.(*RWMutex).RLock")


def nearest_app(fields, k, lock_waits_only=False):
    """value[k] of each sample charged to the first non-runtime function from
    the leaf (every line of every location, innermost first); with
    lock_waits_only, only the samples whose leaf function is a lock call"""
    locs = pe.location_functions(fields)
    out = {}
    for n, _, v in fields:
        if n != 2:
            continue
        s = pe.Sample(v)
        frames = [f for loc in s.locs for f in locs.get(loc, [])]
        if lock_waits_only and (not frames or frames[0] not in LOCK_WAITS):
            continue
        for fn in frames:
            if not fn.startswith(RUNTIME):
                out[fn] = out.get(fn, 0) + s.vals[k]
                break
    return out


def pfile(proc, kind):
    return os.path.join(prof, "%s-%s.pprof" % (proc, kind))


def go_top(args, unit):
    """{function: (flat, cum)} from `go tool pprof -top -nodefraction=0 -unit=UNIT`"""
    out = subprocess.run(["go", "tool", "pprof", "-top", "-nodefraction=0", "-nodecount=100000",
                          "-unit=" + unit] + args, capture_output=True, text=True, check=True).stdout
    rows, started = {}, False
    for line in out.splitlines():
        if line.lstrip().startswith("flat"):
            started = True
            continue
        m = re.match(r"\s*(-?[\d.]+)" + r"(?:" + unit + r")?\s+\S+\s+\S+\s+(-?[\d.]+)" + r"(?:" + unit + r")?\s+\S+\s+(.*)$",
                     line) if started else None
        if m:
            rows[m.group(3)] = (int(float(m.group(1))), int(float(m.group(2))))
    return rows


def go_flat(args, unit):
    """{function: flat} from `go tool pprof -top -nodefraction=0 -unit=UNIT`"""
    return {fn: flat for fn, (flat, _) in go_top(args, unit).items()}


def heap_pair(proc):
    """(older, newer) fields by time_nanos, as the analysis diffs them"""
    a, b = load(pfile(proc, "1st-heap")), load(pfile(proc, "2nd-heap"))
    if scalars(a).get(9, 0) > scalars(b).get(9, 0) > 0:
        return b, a
    return a, b


def diff_flat(proc):
    old, new = heap_pair(proc)
    o, n = pe.flat_by_function(old, 3), pe.flat_by_function(new, 3)
    return {f: n.get(f, 0) - o.get(f, 0) for f in set(o) | set(n)}


procs = {p["name"]: p for p in rep["processes"]}
recs = rep["recommendations"]
status = open(os.path.join(root, "status.log"), encoding="utf-8", errors="replace").read() \
    if os.path.isfile(os.path.join(root, "status.log")) else ""

# ---- the list ---------------------------------------------------------------------
PRIO = {"no_profiles": {"high"}, "process_not_analyzed": {"high", "medium"}, "memory_leak": {"high"},
        "cpu_spike": {"high"}, "contention": {"high"}, "check_error": {"medium"}, "goroutines": {"medium"},
        "borderline_growth": {"medium"}, "upgrade": {"medium", "low"}, "python_memory": {"low"},
        "check_warning": {"low"}, "contention_profiles_unusable": {"low"},
        "contention_profiling_off": {"low"}, "no_action": {"low"}}
ORDER = {"high": 0, "medium": 1, "low": 2}
for i, r in enumerate(recs):
    result(r["kind"] in PRIO and r["priority"] in PRIO[r["kind"]], "item %d (%s): priority %s as documented"
           % (i + 1, r["kind"], r["priority"]), "recommend.h says %s" % sorted(PRIO.get(r["kind"], [])))
    for what in ("text", "command"):
        s = r[what] or ""
        bad = [m for m in ("`", "**", "](", "<br>", "\\", "|", "#") if m in s]
        result(not bad, "item %d (%s): no Markdown in its %s" % (i + 1, r["kind"], what), "has %s" % bad)
eq("items ordered High, Medium, Low", [r["priority"] for r in recs],
   sorted((r["priority"] for r in recs), key=ORDER.get))
texts = [r["text"] for r in recs]
eq("no text twice", len(set(texts)), len(texts))
eq("one item for the empty block/mutex profiles at most",
   sum(r["kind"] == "contention_profiling_off" for r in recs) <= 1, True)
high_or_medium = any(r["priority"] != "low" for r in recs)
eq("\"nothing calls for action\" only without a High or Medium item",
   any(r["kind"] == "no_action" for r in recs), not high_or_medium)

# one item per rule that fired, and none for a rule that did not
for name, p in procs.items():
    for rule in ("memory_leak", "cpu_spike", "contention"):
        n = sum(r["kind"] == rule and r["process"] == name for r in recs)
        eq("%s: %s items match the rule (%s)" % (name, rule, "fired" if p["rules"][rule] else "did not fire"),
           n, 1 if p["rules"][rule] else 0)

# unusable profiles: exactly the files that do not decode, one item per process
files_state = {n: {k: state(pfile(n, k)) for k in ("1st-heap", "cpu", "2nd-heap", "block", "mutex")}
               for n in procs}
for name, st in files_state.items():
    bad = sorted("profiles/%s-%s.pprof" % (name, k) for k, s in st.items() if s != "ok")
    core_bad = any(st[k] != "ok" for k in ("1st-heap", "2nd-heap", "cpu"))
    items = [r for r in recs if r["process"] == name and r["kind"] in
             ("process_not_analyzed", "contention_profiles_unusable")]
    eq("%s: %d item(s) for unusable profiles" % (name, 1 if bad else 0), len(items), 1 if bad else 0)
    if items:
        eq("%s: the item names exactly the unusable files %s" % (name, bad), sorted(items[0]["evidence"]["files"]), bad)
        eq("%s: its kind says whether memory or CPU is affected" % name, items[0]["kind"],
           "process_not_analyzed" if core_bad else "contention_profiles_unusable")
        for k, s in st.items():
            if s != "ok":
                want = {"missing": "missing", "empty": "empty", "corrupt": "unreadable"}[s]
                result("%s-%s.pprof is %s" % (name, k, want) in items[0]["text"],
                       "%s: the text says %s-%s.pprof is %s" % (name, name, k, want), items[0]["text"])
        if items[0]["kind"] == "process_not_analyzed":
            fired = any(procs[name]["rules"][x] for x in ("memory_leak", "cpu_spike", "contention"))
            eq("%s: not analyzed is %s" % (name, "Medium (a rule fired)" if fired else "High"),
               items[0]["priority"], "medium" if fired else "high")

# block/mutex profiles with no samples: one item naming exactly them
empty = sorted("profiles/%s-%s.pprof" % (n, k) for n in procs for k in ("block", "mutex")
               if files_state[n][k] == "ok" and not any(pe.Sample(v).vals[1] if len(pe.Sample(v).vals) > 1 else 0
                                                         for f, _, v in load(pfile(n, k)) if f == 2))
off = [r for r in recs if r["kind"] == "contention_profiling_off"]
eq("the empty block/mutex profiles %s are one item" % empty, sorted(off[0]["evidence"]["files"]) if off else [], empty)

# ---- the evidence's numbers ---------------------------------------------------------
for i, r in enumerate(recs):
    ev, kind, p = r["evidence"], r["kind"], r["process"]
    tag = "item %d (%s%s)" % (i + 1, kind, ", " + p if p else "")
    if kind == "memory_leak" and ev["function"]:
        d = diff_flat(p)
        eq("%s: %s grew by %s bytes (pprof_edit.py flat diff)" % (tag, short(ev["function"]), ev["value"]),
           ev["value"], d.get(ev["function"]))
        eq("%s: it is the application function that grew most" % tag, ev["value"],
           max(v for f, v in d.items() if not f.startswith(RUNTIME)))
        if use_go:
            g = go_flat(["-diff_base", pfile(p, "1st-heap"), pfile(p, "2nd-heap")], "B")
            eq("%s: go tool pprof -top -diff_base agrees" % tag, g.get(ev["function"]), ev["value"])
    elif kind == "cpu_spike" and ev["function"]:
        # the CPU charged to the function: each sample's CPU to its nearest
        # application frame (attribute.h), so its runtime callees are its own
        att = nearest_app(load(pfile(p, "cpu")), 1)
        eq("%s: %s is charged %s ns of CPU (nearest application frame, pprof_edit.py's codec)"
           % (tag, short(ev["function"]), ev["value"]), ev["value"], att.get(ev["function"]))
        eq("%s: the function charged most" % tag, ev["value"], max(att.values()))
        share = re.search(r"\((\d+\.\d)%\)", r["text"])
        eq("%s: the share in the text" % tag, share and share.group(1),
           "%.1f" % (100.0 * att[ev["function"]] / total(load(pfile(p, "cpu")), 1)))
        if use_go:
            # pprof's cum of the function bounds it: what it charged is at
            # least its flat and at most its cum
            g = go_top([pfile(p, "cpu")], "ns").get(ev["function"])
            result(g is not None and g[0] <= ev["value"] <= g[1],
                   "%s: go tool pprof -top: flat <= charged <= cum" % tag, "%s vs %s" % (g, ev["value"]))
    elif kind == "contention":
        which = "mutex" if ev["files"] == ["profiles/%s-mutex.pprof" % p] else "block"
        # The CONTENTION rule counts a block profile's lock waits and the
        # channel waits that are not idle loops (contention.h); in the
        # fixture flares every counted channel wait is an idle loop
        # (attribution.sh checks the split against go tool pprof), so the
        # counted delay is the lock-wait delay. A mutex profile counts all.
        sums = nearest_app(load(pfile(p, which)), 1, lock_waits_only=which == "block")
        eq("%s: %s is charged %s ns in the %s profile (nearest application frame)"
           % (tag, short(ev["function"]), ev["value"], which), ev["value"], sums.get(ev["function"]))
        eq("%s: the largest such delay" % tag, ev["value"], max(sums.values()))
        result(label(ev["value"], "ns") in r["text"], "%s: the text says %s" % (tag, label(ev["value"], "ns")),
               r["text"])
        m = re.search(r"; the mutex profile charges (\S+) to (\S+) ", r["text"])
        if which == "block" and m:
            mx = nearest_app(load(pfile(p, "mutex")), 1)
            top = sorted(mx.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            eq("%s: the lock holder: the mutex profile charges %s to %s (nearest application frame)"
               % (tag, m.group(1), m.group(2)), m.groups(), (label(mx[top], "ns"), short(top)))
    elif kind == "check_error" or kind == "check_warning":
        m = re.match(r"Check (\S+) has (\d+) of (\d+) instances? (in error|with warnings)", r["text"])
        if not m:
            result(False, "%s: the text names the check" % tag, r["text"])
            continue
        block = re.search(r"\n    %s(?: \([^)]*\))?\n    -+\n(.*?)(?=\n    \S[^\n]*\n    -+\n|\n=+\n|\Z)"
                          % re.escape(m.group(1)), status, re.S)
        body = block.group(1) if block else ""
        want = body.count("[ERROR]") if kind == "check_error" else body.count("[WARNING]")
        eq("%s: %s has %d instance(s) %s in status.log" % (tag, m.group(1), want, m.group(4)),
           (int(m.group(2)), ev["value"]), (want, want))
        eq("%s: of %s instances" % (tag, m.group(3)), int(m.group(3)), body.count("Instance ID:"))
    elif kind == "goroutines":
        dump = open(os.path.join(root, "go-routine-dump.log"), encoding="utf-8", errors="replace").read()
        n = len(re.findall(r"^goroutine \d+ (?:gp=\S+ )?\[", dump, re.M))
        eq("%s: %d goroutines in go-routine-dump.log" % (tag, n), ev["value"], n)
errors_in_status = set()
for m in re.finditer(r"\n    (\S+)(?: \([^)]*\))?\n    -+\n(.*?)(?=\n    \S[^\n]*\n    -+\n|\n=+\n|\Z)", status, re.S):
    if "[ERROR]" in m.group(2):
        errors_in_status.add(m.group(1))
eq("one check_error item per check with an [ERROR] instance",
   sorted(re.match(r"Check (\S+)", r["text"]).group(1) for r in recs if r["kind"] == "check_error"),
   sorted(errors_in_status))

# ---- the Markdown list is the JSON list --------------------------------------------
sec = md.split("## Recommendations\n\n", 1)[1].split("\n## ", 1)[0]
items = re.findall(r"^\d+\. \*\*(High|Medium|Low):\*\* ", sec, re.M)
eq("the Markdown lists the same priorities", [x.lower() for x in items], [r["priority"] for r in recs])

# ---- the customer message -----------------------------------------------------------
cm = md.split("## Customer message\n\n", 1)[1].split("\n## ", 1)[0] if "## Customer message" in md else ""
result(cm.startswith(greeting + "\n"), "customer message: starts with the greeting %r" % greeting, cm[:80])
result(cm.rstrip().endswith(signature), "customer message: ends with the signature %r" % signature, cm[-80:])
ver = re.search(r"^Agent \(v([^)]+)\)", status, re.M)
host = re.search(r"^  hostname: (\S+)", status, re.M)
sd = re.search(r"Status date: .*\((\d+)\)", status)
st = re.search(r"Agent start: .*\((\d+)\)", status)
up = (int(sd.group(1)) - int(st.group(1))) // 1000
days, hours = up // 86400, up % 86400 // 3600
want = "the flare from `%s` (Agent %s, running for %d day%s %d hour%s)" % (
    host.group(1), ver.group(1), days, "" if days == 1 else "s", hours, "" if hours == 1 else "s")
result(want in cm, "customer message: host, version and uptime from status.log: %s" % want, cm[:200])
rules = {n: p["rules"] for n, p in procs.items()}
# ... and only where the growth may be steady (memory sanity: the rate over
# the uptime against HeapAlloc; memsanity.sh recomputes that judgement)
steady = {n: p["memory_sanity"]["growth_steadiness"] != "not_steady" for n, p in procs.items()}
eq("customer message: \"memory that keeps growing\" only where the leak rule fired on a growth that may be steady",
   "memory that keeps growing" in cm, any(r["memory_leak"] and steady[n] for n, r in rules.items()))
eq("customer message: \"grew quickly\" where the leak rule fired on a growth that is not steady",
   "memory that grew quickly while the profiles were taken" in cm,
   any(r["memory_leak"] and not steady[n] for n, r in rules.items()))
eq("customer message: never \"not released\"", "not released" in cm, False)
if not rep["flare"]["has_profiles"] or not procs:
    result("datadog-agent flare --profile 30" in cm, "customer message: no profiles: asks for --profile 30", cm)
    sys.exit(0)

ms = {}
for line in open(os.path.join(root, "expvar", "memstats"), encoding="utf-8"):
    m = re.match(r"^(HeapInuse|HeapObjects): *([0-9.e+]+)\s*$", line)
    if m:
        ms[m.group(1)] = int(float(m.group(2)))
m = re.search(r"holds (\S+) in use \(HeapInuse\) in (\d+) objects \(HeapObjects\)", cm)
eq("customer message: HeapInuse and HeapObjects from expvar/memstats",
   m and (m.group(1), int(m.group(2))), (label(ms["HeapInuse"], "bytes"), ms["HeapObjects"]))

analyzed = {}
for name in procs:
    st = files_state[name]
    mem, cpu = st["1st-heap"] == "ok" and st["2nd-heap"] == "ok", st["cpu"] == "ok"
    analyzed[name] = (mem, cpu)
    line = re.search(r"^- `%s`: (.*)$" % re.escape(name), cm, re.M)
    if not line:
        result(False, "customer message: a line for %s" % name, cm)
        continue
    line = line.group(1)
    if mem:
        old, new = heap_pair(name)
        win = abs(scalars(new).get(9, 0) - scalars(old).get(9, 0))
        grow = sum(v for v in diff_flat(name).values() if v > 0)
        if grow > 0:
            m = re.search(r"in the (\S+) between the two heap profiles its in-use heap grew by (\S+) \(", line)
            eq("customer message: %s grew by %s in %s (pprof_edit.py growth, time_nanos)"
               % (name, label(grow, "bytes"), label(win, "ns")), m and m.groups(), (label(win, "ns"), label(grow, "bytes")))
            top = sorted(((v, f) for f, v in diff_flat(name).items() if v > 0), key=lambda x: (-x[0], x[1]))[:2]
            # pprof -top leaves out nodes whose cum is at most 0.5 % of the
            # base profile's total (its nodefraction): a 2nd grower that
            # small is not named
            cutoff = 0.005 * sum(abs(pe.Sample(v).vals[3]) for n, _, v in old if n == 2)
            if len(top) == 2 and top[1][0] <= cutoff and "` (%s) and `" % label(top[0][0], "bytes") not in line:
                top = top[:1]
            want = ", most in " + " and ".join("`%s` (%s)" % (short(f), label(v, "bytes")) for v, f in top) + "."
        else:
            eq("customer message: %s did not grow (pprof_edit.py growth is 0)" % name,
               "its in-use heap did not grow" in line, True)
            flat = pe.flat_by_function(new, 3)
            top = sorted(((v, f) for f, v in flat.items() if v > 0), key=lambda x: (-x[0], x[1]))[:2]
            want = "; most memory in use is in " + " and ".join("`%s` (%s)" % (short(f), label(v, "bytes"))
                                                               for v, f in top) + "."
        result(want in line, "customer message: %s's top consumers: %s" % (name, want.split(" in ", 1)[1]), line)
    else:
        result("its memory could not be analyzed" in line, "customer message: %s's memory not analyzed" % name, line)
    if cpu:
        f = load(pfile(name, "cpu"))
        tot, dur = total(f, 1), scalars(f).get(10, 0)
        # the function the samples are charged to most: the nearest
        # application frame (a Python check's _Cfunc_ frame for its cgocall)
        att = nearest_app(f, 1)
        topv, topf = sorted(((v, fn) for fn, v in att.items()), key=lambda x: (-x[0], x[1]))[0]
        who = re.escape("`%s`" % short(topf))
        if "._Cfunc_" in topf and ("/pkg/collector/python" in topf or "rtloader" in topf):
            who = r"the Python check (?:`[^`]+` )?\(" + who + r"\)"
        want = re.escape("It used %.1f%% of one CPU core during the %s CPU profile, most for " % (
            100.0 * tot / dur, label(dur, "ns"))) + who + re.escape(" (%.1f%% of the samples): %s" % (
            100.0 * topv / tot, "**abnormal**" if rules[name]["cpu_spike"] else "normal"))
        result(re.search(want, line) is not None, "customer message: %s" % want, line)
    else:
        result("Its CPU usage could not be analyzed" in line, "customer message: %s's CPU not analyzed" % name, line)


def coverage(want_ok):
    out = []
    for name, (mem, cpu) in analyzed.items():
        m, c = mem == want_ok, cpu == want_ok
        if m or c:
            out.append(("the memory and CPU of " if m and c else "the memory of " if m else "the CPU of ")
                       + "`%s`" % name)
    return ", ".join(out)


fired = any(any(r.values()) for r in rules.values())
missing, ok = coverage(False), coverage(True)
if missing and not fired:
    want = ("We could analyze %s but not %s," % (ok, missing)) if ok else "We could not analyze %s," % missing
    result(want in cm, "customer message: what could and could not be analyzed: %s" % want, cm)
elif missing:
    result("We could not analyze %s;" % missing in cm, "customer message: names what could not be analyzed", cm)
elif not fired:
    result("We found no sign of a memory leak, a CPU spike or lock contention" in cm,
           "customer message: nothing found, said so", cm)
EOF

# analyze NAME ZIP [ARGS...]: the reports of ZIP in $fa_tmp/NAME.inv; sets
# json, md and root (the extracted flare's root).
analyze() {
	local name=$1 zip=$2
	shift 2
	fa_run "$fa_tmp/$name" analyze -c "$fa_cfg" -o "$fa_tmp/$name.inv" "$@" "$zip"
	fa_check_rc "$name: analyze exits 0" 0
	json=$(find "$fa_tmp/$name.inv" -name report.json | head -n 1)
	md=$(find "$fa_tmp/$name.inv" -name 'flare-profiling-*.md' | head -n 1)
	rm -rf "${fa_tmp:?}/$name.x"
	fa_extract "$zip" "$fa_tmp/$name.x" >/dev/null || fa_bail "cannot extract $zip"
	root=$(dirname "$(find "$fa_tmp/$name.x" -name status.log | head -n 1)")
}

# check NAME GREETING SIGNATURE: runs the checker, one TAP line per result
check() {
	local name=$1 line
	if [ -z "$json" ] || [ -z "$md" ]; then
		fa_not_ok "$name: report.json and the Markdown report written"
		return
	fi
	python3 "$checker" "$abs_top_srcdir/tests/analyze" "$root" "$json" "$md" "$have_go" "$2" "$3" \
		>"$fa_tmp/$name.check" 2>&1
	echo "exit $?" >>"$fa_tmp/$name.check"
	while IFS= read -r line; do
		case $line in
		"ok "*) fa_ok "$name: ${line#ok }" ;;
		"not ok "*) fa_not_ok "$name: ${line#not ok }" ;;
		"exit 0") ;;
		*) fa_not_ok "$name: checker: $line" ;;
		esac
	done <"$fa_tmp/$name.check"
}

while IFS= read -r zip; do
	s=$(fa_scenario "$zip")
	analyze "$s" "$zip"
	check "$s" "Hi," "Datadog Support"
done < <(fa_fixture_zips)

# the greeting and signature come from the configuration
zip=$(fa_fixture_zips | grep '/normal-' | head -n 1)
analyze normal-greeting "$zip" --set "report.greeting=Hello from the test," --set "report.signature=The test desk"
check normal-greeting "Hello from the test," "The test desk"

[ "$have_go" = 1 ] || fa_skip "go tool pprof cross-checks" "no go toolchain (CI has golang-go)"
fa_finish
