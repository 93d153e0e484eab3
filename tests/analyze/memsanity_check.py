#!/usr/bin/env python3
"""tests/analyze/memsanity_check.py -- recomputes, from a flare's own files,
every number of report.json's processes[].memory_sanity and of the
Markdown's "## Memory sanity" section, and prints one TAP-like line per
check ("ok NAME" / "not ok NAME: why") for memsanity.sh. Standard library
only; nothing is taken from flarewatch's output but the values compared.

  memsanity_check.py FLAREDIR REPORT.json REPORT.md

FLAREDIR is the extracted flare (the folder holding status.log, or one
above it). Sources of the independent figures:
  - expvar/memstats: its top-level "Key: number" lines (yaml.v2 writes them
    unindented, numbers in Go's %g form); for trace, expvar/trace-agent's
    "memstats:" block (the same lines indented by two) and its "uptime";
  - the 2nd heap profile's inuse_space total, and the growth between the
    heap snapshots: tests/analyze/pprof_edit.py (its own protobuf codec);
  - the goroutine count: the "goroutine N [" headers of go-routine-dump.log;
  - uptime: status.log's "Status date:" and "Agent start:" milliseconds;
  - Python checks: Running Checks titles with a "(version)", or a block
    with a Python traceback.
The thresholds are memsanity.h's factors (2x) as documented there.
"""
import json
import math
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pprof_edit  # noqa: E402 (its own protobuf codec, run in this process)
FACTOR = 2.0  # FW_MEMSANITY_STEADY_FACTOR and FW_MEMSANITY_MISMATCH_FACTOR
WINDOW = 30e9  # ns, FW_RATE_WINDOW_NS

results = []


def check(name, cond, why=""):
    results.append((bool(cond), name, why))


def eq(name, got, want):
    check(name, got == want, "got %r, want %r" % (got, want))


def close(name, got, want, rel=1e-9, absolute=1.0):
    ok = got is not None and want is not None and abs(got - want) <= max(absolute, rel * abs(want))
    check(name, ok or (got is None and want is None), "got %r, want %r" % (got, want))


def find_root(d):
    for dirpath, _, files in os.walk(d):
        if "status.log" in files or os.path.isdir(os.path.join(dirpath, "profiles")):
            return dirpath
    return d


def memstats(root):
    p = os.path.join(root, "expvar", "memstats")
    if not os.path.isfile(p):
        return None
    out = {}
    for line in open(p, encoding="utf-8", errors="replace"):
        m = re.match(r"^([A-Za-z]+): *([0-9.eE+]+)\s*$", line)
        if m:
            out[m.group(1)] = float(m.group(2))
    return out


def trace_vars(root):
    """expvar/trace-agent: the "memstats:" block's 2-space "Key: number"
    lines, and the top-level "uptime: N" """
    p = os.path.join(root, "expvar", "trace-agent")
    if not os.path.isfile(p):
        return None, None
    mem, up, inside = {}, None, False
    for line in open(p, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        if not line.startswith(" ") and not line.startswith("- "):
            inside = line == "memstats:"
            m = re.match(r"^uptime: *([0-9.eE+]+)\s*$", line)
            if m:
                up = float(m.group(1))
            continue
        m = re.match(r"^  ([A-Za-z]+): *([0-9.eE+]+)\s*$", line)
        if inside and m:
            mem[m.group(1)] = float(m.group(2))
    return (mem or None), up


def pprof_info(path):
    out = pprof_edit.run(["info", path])
    info = {}
    for line in out.splitlines():
        f = line.split()
        if f[0] == "total":
            info[f[1]] = int(f[2])
        else:
            info[f[0]] = int(f[1])
    return info


def growth(newer, older):
    # sample index 3 of a Go heap profile: inuse_space
    out = pprof_edit.run(["growth", newer, older, "3"])
    return int(out.strip())


def status(root):
    p = os.path.join(root, "status.log")
    if not os.path.isfile(p):
        return None, []
    lines = open(p, encoding="utf-8", errors="replace").read().split("\n")
    ms = {}
    for key in ("Status date", "Agent start"):
        for line in lines:
            m = re.search(key + r": .*\((\d+)\)\s*$", line)
            if m:
                ms[key] = int(m.group(1))
                break
    uptime = None
    if len(ms) == 2 and ms["Status date"] >= ms["Agent start"]:
        uptime = (ms["Status date"] - ms["Agent start"]) // 1000
    # Running Checks: a title line followed by a dashes line, up to the
    # next top-level section (its "=" lines start at column 0)
    python, current, in_running = [], None, False
    for i, line in enumerate(lines):
        t = line.strip()
        if t == "Running Checks":
            in_running = True
            continue
        if not in_running:
            continue
        if line.startswith("="):
            break
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if t and re.match(r"^-+$", nxt) and not re.match(r"^-+$", t):
            m = re.match(r"^(.*?)\s*\(([^()]*)\)$", t)
            current = m.group(1) if m else t
            if m and current not in python:
                python.append(current)
            continue
        if current and t.startswith("Traceback (most recent call last):") and current not in python:
            python.append(current)
    return uptime, python


def goroutines(root):
    p = os.path.join(root, "go-routine-dump.log")
    if not os.path.isfile(p):
        return None
    return sum(1 for line in open(p, encoding="utf-8", errors="replace")
               if re.match(r"^goroutine \d+ \[", line))


def label(v):
    """pprof's ScaledLabel(v, "bytes", "auto")"""
    units = ["B", "kB", "MB", "GB", "TB", "PB"]
    k = 0
    while k + 1 < len(units) and abs(v) >= 1024 ** (k + 1):
        k += 1
    s = "%.2f" % (v / 1024 ** k)
    if s.endswith(".00"):
        s = s[:-3]
    if s in ("0", "-0"):
        return "0"
    return s + units[k]


def pct(v, total):
    """pprof's percentage(), trimmed"""
    r = abs(v / total) * 100 if total else 0
    if 99.95 <= r <= 100.05:
        return "100%"
    if r >= 1.0:
        return "%.2f%%" % r
    return "%.2g%%" % r


def llround(x):
    return int(math.floor(x + 0.5))


def table_rows(n, part, g):
    """the Sys table of a Markdown sub-section, from memstats getter g"""
    ha, sy = g("HeapAlloc"), g("Sys")
    meta = sum(g(k) for k in ("GCSys", "MSpanSys", "MCacheSys", "BuckHashSys", "OtherSys"))
    idle = max(0, g("HeapIdle") - g("HeapReleased"))
    frag = max(0, g("HeapInuse") - ha)
    unacc = sy - g("HeapSys") - g("StackSys") - meta
    rows = [("Live heap (HeapAlloc)", ha), ("Fragmentation (HeapInuse − HeapAlloc)", frag),
            ("Idle heap kept (HeapIdle − HeapReleased)", idle),
            ("Heap released to the OS (HeapReleased)", g("HeapReleased")),
            ("Goroutine stacks (StackSys)", g("StackSys")), ("GC and runtime metadata", meta),
            ("· GCSys", g("GCSys")), ("· MSpanSys", g("MSpanSys")), ("· MCacheSys", g("MCacheSys")),
            ("· BuckHashSys", g("BuckHashSys")), ("· OtherSys", g("OtherSys")), ("**Sys**", sy)]
    for what, v in rows:
        row = "| %s | %s | %s |" % (what, label(v), pct(v, sy))
        check(n + "Markdown row " + row, row in part, "not in the section")
    if unacc > 0:
        row = "| Not in the Sys fields above (Sys − their sum) | %s | %s |" % (label(unacc), pct(unacc, sy))
        check(n + "Markdown row " + row, row in part)
    elif unacc < 0:
        check(n + "Markdown: Sys fields above Sys by " + label(-unacc), label(-unacc) in part)


def subsection(sec, header):
    part = sec.split("### " + header + "\n", 1)
    check(header + ": Markdown has its sub-section", len(part) == 2)
    return part[1].split("\n### ", 1)[0] if len(part) == 2 else ""


def main():
    flaredir, report_json, report_md = sys.argv[1:4]
    root = find_root(flaredir)
    rep = json.load(open(report_json, encoding="utf-8"))
    md = open(report_md, encoding="utf-8").read()
    ms = memstats(root)
    tms, tup = trace_vars(root)
    uptime, python = status(root)
    ngor = goroutines(root)
    sec = md.split("## Memory sanity\n", 1)
    check("the report has a Memory sanity section", len(sec) == 2)
    sec = sec[1].split("\n## ", 1)[0] if len(sec) == 2 else ""

    for p in rep["processes"]:
        name, s = p["name"], p["memory_sanity"]
        core = name == "core"
        n = name + ": "
        trace = name == "trace"
        src = None
        if core and ms is not None:
            src = "expvar/memstats"
        elif trace and tms is not None:
            src = "expvar/trace-agent"
        eq(n + "is_core", s["is_core"], core)
        eq(n + "have_memstats", s["have_memstats"], src is not None)
        eq(n + "memstats source: core's expvar/memstats, trace's expvar/trace-agent", s["memstats_source"], src)
        h2 = os.path.join(root, "profiles", name + "-2nd-heap.pprof")
        h1 = os.path.join(root, "profiles", name + "-1st-heap.pprof")
        inuse = None
        try:
            inuse = pprof_info(h2)["inuse_space/bytes"]
        except Exception:
            pass
        eq(n + "profile in-use = pprof_edit.py's inuse_space total", s["profile_inuse_bytes"], inuse)
        m = ms if core else tms if trace else None
        g = (lambda k: None if m is None or k not in m else llround(m[k]))
        for key, field in (("HeapAlloc", "heap_alloc_bytes"), ("Sys", "sys_bytes"), ("HeapObjects", "heap_objects")):
            eq(n + field + " = memstats " + key, s[field], g(key))
        b = s["sys_breakdown"]
        for key, field in (("HeapSys", "heap_sys"), ("HeapInuse", "heap_inuse"), ("HeapIdle", "heap_idle"),
                           ("HeapReleased", "heap_released"), ("StackSys", "stack_sys"),
                           ("StackInuse", "stack_inuse"), ("GCSys", "gc_sys"), ("MSpanSys", "mspan_sys"),
                           ("MCacheSys", "mcache_sys"), ("BuckHashSys", "buck_hash_sys"),
                           ("OtherSys", "other_sys")):
            eq(n + "sys_breakdown." + field + " = memstats " + key, b[field], g(key))
        ha, sy = g("HeapAlloc"), g("Sys")
        meta = None
        if m is not None:
            meta = sum(g(k) for k in ("GCSys", "MSpanSys", "MCacheSys", "BuckHashSys", "OtherSys"))
        eq(n + "runtime metadata = GCSys+MSpanSys+MCacheSys+BuckHashSys+OtherSys", b["runtime_metadata"], meta)
        idle = None if m is None else max(0, g("HeapIdle") - g("HeapReleased"))
        frag = None if m is None else max(0, g("HeapInuse") - ha)
        eq(n + "idle kept = HeapIdle - HeapReleased", b["heap_idle_retained"], idle)
        eq(n + "fragmentation = HeapInuse - HeapAlloc", b["heap_fragmentation"], frag)
        unacc = None if m is None else sy - g("HeapSys") - g("StackSys") - meta
        eq(n + "unaccounted = Sys - HeapSys - StackSys - metadata", b["unaccounted"], unacc)
        if m is not None:
            parts = [("idle_heap", idle), ("released_heap", g("HeapReleased")), ("fragmentation", frag),
                     ("stacks", g("StackSys")), ("runtime_metadata", meta)]
            best = max(parts, key=lambda x: x[1])  # first of equals, as memsanity.c
            eq(n + "largest part beyond the live heap", b["largest_beyond_live_heap"], best[0])
        hr = ha / inuse if ha is not None and inuse else None
        sr = sy / inuse if sy is not None and inuse else None
        # report.json holds integers only: the ratios are the bytes' quotients
        # (the Markdown's ratios are checked below)
        heap_mm = ha is not None and inuse is not None and (ha > FACTOR * inuse or inuse > FACTOR * ha)
        sys_mm = sy is not None and inuse is not None and sy > FACTOR * inuse
        eq(n + "heap mismatch (beyond 2x either way)", s["heap_mismatch"], heap_mm)
        eq(n + "Sys mismatch (Sys above 2x the in-use)", s["sys_mismatch"], sys_mm)
        gcount = ngor if core else None
        eq(n + "goroutines = headers in go-routine-dump.log", s["goroutines"], gcount)
        spg = None
        if core and m is not None and gcount:
            spg = llround(g("StackInuse") / gcount)
        eq(n + "stack bytes per goroutine = StackInuse / goroutines", s["stack_bytes_per_goroutine"], spg)
        # growth per 30 s from the snapshots' times
        rate = None
        try:
            i1, i2 = pprof_info(h1), pprof_info(h2)
            w = abs(i2["time_nanos"] - i1["time_nanos"])
            if 1e9 <= w <= 86400e9 and i2["time_nanos"] > i1["time_nanos"]:
                rate = growth(h2, h1) * WINDOW / w
        except Exception:
            pass
        close(n + "growth per 30 s = pprof_edit.py growth x 30 s / window", s["growth_per_30s_bytes"],
              None if rate is None else llround(rate))
        up = None
        if core and uptime is not None:
            up = uptime * 10 ** 9
        elif trace and tup is not None:
            up = int(tup) * 10 ** 9
        eq(n + "uptime (status.log) in ns", s["uptime_ns"], up)
        proj = None
        if rate is not None and rate > 0 and up is not None and ha:
            proj = rate * up / WINDOW
        close(n + "projected growth = rate x uptime / 30 s", s["projected_growth_bytes"],
              None if proj is None else llround(proj), rel=1e-9, absolute=2)
        if rate is not None and rate <= 0:
            steady = "no_growth"
        elif proj is not None:
            steady = "not_steady" if proj > FACTOR * ha else "possible"
        else:
            steady = "unknown"
        eq(n + "growth steadiness (projection vs 2x HeapAlloc)", s["growth_steadiness"], steady)
        eq(n + "Python checks of status.log", s["python_checks"], python[:16] if core else [])
        eq(n + "Python check count", s["python_checks_count"], len(python) if core else 0)

        # the Markdown section of this process prints the same figures
        part = subsection(sec, name)
        if inuse is not None:
            check(n + "Markdown: profile in-use " + label(inuse), "**%s** in use" % label(inuse) in part)
        if m is not None:
            table_rows(n, part, g)
        def ratio(r):  # write_markdown.c's ratio(): "%.0f×" from 100 on, else "%.1f×"
            return ("%.0f×" if r >= 100 else "%.1f×") % r
        if hr is not None:
            want = "HeapAlloc is %s the profile's in-use" % ratio(hr)
            check(n + "Markdown: " + want, want in part)
        if sr is not None:
            want = ", Sys %s" % ratio(sr)
            check(n + "Markdown: Sys / profile in-use" + want, want in part)
        if spg is not None:
            want = "**%s per goroutine**" % label(spg)
            check(n + "Markdown: " + want, want in part)
        if proj is not None:
            want = "would have grown by **%s**" % label(llround(proj))
            check(n + "Markdown: " + want, want in part)
        if steady == "not_steady":
            check(n + "Markdown says not steady", "recent or bursty, not steady" in part)
        if heap_mm or sys_mm:
            check(n + "Markdown flags the mismatch", "**Profiles and memstats disagree**" in part)
        else:
            check(n + "Markdown flags no mismatch", "disagree" not in part)
        if core and python:
            check(n + "Markdown names the Python checks and `check -m`",
                  "**Python checks:** %d running" % len(python) in part and
                  "`datadog-agent check %s -m`" % python[0] in part)
        elif "**Python checks:**" in part:
            check(n + "Markdown names no Python checks", False)

        # no sentence may call a growth steady that the projection contradicts
        if core and steady == "not_steady":
            check(n + "no 'keeps growing' anywhere in the report", "keeps growing" not in md)

    # a flare with memstats but no core profiles: core's figures alone
    if ms is not None and not any(p["name"] == "core" for p in rep["processes"]):
        n = "core (no profiles): "
        part = subsection(sec, "core (no profiles)")
        g = (lambda k: None if k not in ms else llround(ms[k]))
        table_rows(n, part, g)
        if ngor:
            want = "**%s per goroutine**" % label(llround(g("StackInuse") / ngor))
            check(n + "Markdown: " + want, want in part)
        if python:
            check(n + "Markdown names the Python checks", "**Python checks:** %d running" % len(python) in part)
        check(n + "no projection without profiles", "would have grown" not in part)

    failed = 0
    for ok, name, why in results:
        print("%s %s%s" % ("ok" if ok else "not ok", name, "" if ok or not why else ": " + why))
        failed += not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
