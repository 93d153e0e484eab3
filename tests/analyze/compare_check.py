#!/usr/bin/env python3
"""tests/analyze/compare_check.py -- recomputes, from the two flares' own
files, the figures of a compare.json that `flarewatch compare OLD NEW`
wrote, and prints one line per check ("ok NAME" / "not ok NAME: why") for
compare.sh. Standard library only; nothing is taken from flarewatch's
output but the values compared.

  compare_check.py OLDDIR NEWDIR COMPARE.json

OLDDIR and NEWDIR are the extracted flares. Sources of the independent
figures:
  - expvar/memstats' top-level "Key: number" lines and expvar/trace-agent's
    "memstats:" block (memsanity_check.py's readers), the goroutine count
    from go-routine-dump.log's "goroutine N [" headers;
  - per-function flat values, totals and durations of the profiles:
    tests/analyze/pprof_edit.py's own protobuf codec (flats, info);
  - the uptime (the divisor of the agent's cumulative block and mutex
    profiles): status.log's "Status date:" and "Agent start:" milliseconds,
    in whole seconds.
The pprof -top texts themselves are compared with go tool pprof's by
compare.sh (goldens, and live when go is present).
"""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pprof_edit  # noqa: E402
import memsanity_check as ms  # noqa: E402

results = []


def check(name, cond, why=""):
    results.append((bool(cond), name, why))


def eq(name, got, want):
    check(name, got == want, "got %r, want %r" % (got, want))


def close(name, got, want, rel=1e-9):
    check(name, got is not None and abs(got - want) <= rel * max(abs(want), 1.0), "got %r, want %r" % (got, want))


def flats(path, k):
    return pprof_edit.flat_by_function(pprof_edit.load(path), k)


def duration(path):
    for line in pprof_edit.run(["info", path]).splitlines():
        f = line.split()
        if f[0] == "duration_nanos":
            return int(f[1])
    return 0


def uptime(root):
    p = os.path.join(root, "status.log")
    t = {}
    for line in open(p, encoding="utf-8", errors="replace"):
        m = re.match(r"^\s*(Status date|Agent start): .*\((\d+)\)\s*$", line)
        if m:
            t[m.group(1)] = int(m.group(2))
    if "Status date" in t and "Agent start" in t:
        return (t["Status date"] - t["Agent start"]) // 1000
    return None


def mem_figures(root):
    out = {"core": {}, "trace": {}}
    m = ms.memstats(root)
    for key in ("HeapAlloc", "Sys", "HeapInuse", "HeapObjects", "NumGC"):
        if m and key in m:
            out["core"][key] = m[key]
    g = ms.goroutines(root)
    if g is not None:
        out["core"]["goroutines"] = float(g)
    tm, _ = ms.trace_vars(root)
    for key in ("HeapAlloc", "Sys", "HeapInuse", "HeapObjects", "NumGC"):
        if tm and key in tm:
            out["trace"][key] = tm[key]
    return out


def check_rate(n, r, paths, roots, proc, k):
    """r: a rate object; paths: (old, new) profile files; k: value index"""
    if not r["done"]:
        check(n + "compared", False, r["why_not"])
        return
    vals, secs = [], []
    for side, path, root in (("old", paths[0], roots[0]), ("new", paths[1], roots[1])):
        d = duration(path)
        if d > 0:
            sec, per = d / 1e9, "profile"
        else:
            sec, per = float(uptime(root)), "uptime"
        eq(n + side + " per " + per, r[side]["per"], per)
        close(n + side + " seconds", r[side]["seconds"], sec)
        f = flats(path, k)
        eq(n + side + " total_ns = the profile's sum", r[side]["total_ns"], sum(f.values()))
        close(n + side + " ns_per_second", r[side]["ns_per_second"], sum(f.values()) / sec)
        vals.append(f)
        secs.append(sec)
    delta = {}
    for name in set(vals[0]) | set(vals[1]):
        delta[name] = (vals[0].get(name, 0) / secs[0], vals[1].get(name, 0) / secs[1])
    for row in r["functions"]:
        want = delta.get(row["function"])
        check(n + "row " + row["function"] + " is a function of the profiles", want is not None)
        if want is None:
            continue
        close(n + "row " + row["function"] + " old", row["old_ns_per_second"], want[0])
        close(n + "row " + row["function"] + " new", row["new_ns_per_second"], want[1])
    changed = sorted((abs(b - a) for a, b in delta.values() if a != b), reverse=True)
    eq(n + "rows: the functions whose rate changed most", len(r["functions"]), min(10, len(changed)))
    if r["functions"]:
        last = r["functions"][-1]
        smallest = abs(last["new_ns_per_second"] - last["old_ns_per_second"])
        close(n + "no function left out changed more than the last row", smallest,
              changed[len(r["functions"]) - 1], rel=1e-9)


def main():
    old_root, new_root = ms.find_root(sys.argv[1]), ms.find_root(sys.argv[2])
    c = json.load(open(sys.argv[3]))
    roots = (old_root, new_root)

    # memstats deltas
    figs = (mem_figures(old_root), mem_figures(new_root))
    want = []
    for proc in ("core", "trace"):
        for key in ("HeapAlloc", "Sys", "HeapInuse", "HeapObjects", "NumGC", "goroutines"):
            o, nw = figs[0][proc].get(key), figs[1][proc].get(key)
            if o is None and nw is None:
                continue
            want.append({"process": proc, "field": key, "old": o, "new": nw,
                         "delta": nw - o if o is not None and nw is not None else None})
    got = [dict(m) for m in c["memstats"]]
    for w in want:
        g = [m for m in got if m["process"] == w["process"] and m["field"] == w["field"]]
        eq("memstats %s %s listed once" % (w["process"], w["field"]), len(g), 1)
        if g:
            for k in ("old", "new", "delta"):
                eq("memstats %s %s %s" % (w["process"], w["field"], k), g[0][k], w[k])
    eq("memstats: no other figure", len(got), len(want))

    for p in c["processes"]:
        n = "%s: " % p["name"]
        if not (p["in_old"] and p["in_new"]):
            continue
        prof = lambda root, kind: os.path.join(root, "profiles", "%s-%s.pprof" % (p["name"], kind))  # noqa: E731
        h = p["heap"]
        if h["done"]:
            o, nw = flats(prof(old_root, "2nd-heap"), 3), flats(prof(new_root, "2nd-heap"), 3)
            d = [nw.get(f, 0) - o.get(f, 0) for f in set(o) | set(nw)]
            eq(n + "heap grew = sum of positive flat differences", h["grew"], sum(x for x in d if x > 0))
            eq(n + "heap shrank = sum of negative flat differences", h["shrank"], sum(x for x in d if x < 0))
            eq(n + "heap net", h["net"], sum(d))
            eq(n + "heap components add up to grew", sum(x["grew"] for x in h["components"]), h["grew"])
            eq(n + "heap components add up to shrank", sum(x["shrank"] for x in h["components"]), h["shrank"])
            eq(n + "heap total = the old snapshot's inuse_space", h["total"],
               sum(abs(v) for v in flats(prof(old_root, "2nd-heap"), 3).values()))
        cpu = (prof(old_root, "cpu"), prof(new_root, "cpu"))
        if p["cpu"]["done"]:
            check_rate(n + "CPU: ", p["cpu"], cpu, roots, p["name"], 1)
        cn = p["cpu_normalized"]
        if cn["done"]:
            old_total = sum(flats(cpu[0], 1).values())
            eq(n + "normalized CPU total = the old profile's", cn["total"], old_total)
            # the new profile scaled to the old total: what grew and shrank
            # cancel out but for each sample's rounding
            check(n + "normalized CPU: net within the rounding of the samples", abs(cn["net"]) <= 1000,
                  "net %d" % cn["net"])
        for kind in ("block", "mutex"):
            if p[kind]["done"]:
                check_rate(n + kind + ": ", p[kind], (prof(old_root, kind), prof(new_root, kind)), roots,
                           p["name"], 1)

    for ok, name, why in results:
        print(("ok %s" % name) if ok else ("not ok %s: %s" % (name, why)))
    sys.exit(0 if all(ok for ok, _, _ in results) else 1)


if __name__ == "__main__":
    main()
