#!/usr/bin/env python3
"""tests/analyze/outliers_check.py -- checks `flarewatch outliers --json`
against an independent computation over the same report.json files, with
the standard library's statistics module:

  outliers_check.py TREE OUT.json SCHEMA [--threshold Z] [--per-version]
  outliers_check.py --expected TREE [--threshold Z] [--per-version]

1. OUT.json validates against SCHEMA (python3-jsonschema, draft 2020-12;
   exit 3 when it is not installed: the caller skips or fails).
2. From every TREE/<host-folder>/<time>/report.json: the latest flare of
   each flare.hostname (flare.time, then analyzed_at), grouped by
   flare.agent_version when --per-version; per process (core, trace) and
   figure, the values the report gives:
     heap_alloc    processes[].memory_sanity.heap_alloc_bytes
     sys           processes[].memory_sanity.sys_bytes
     goroutines    processes[].memory_sanity.goroutines
     cpu_ns_per_s  round(cpu_facts.total_ns * 1e9 / cpu_facts.duration_ns)
     growth_30s    processes[].heap_growth.total_per_30s
   median = statistics.median(values), MAD = statistics.median(|v - median|),
   scale = 1.4826 * MAD, or 1.2533 * statistics.mean(|v - median|) when the
   MAD is 0, none when that is 0 too; z = (v - median) / scale; outlier
   when |z| > Z; not compared below 5 hosts.
3. OUT.json's groups, series (hosts, median, MAD, scale kind) and outliers
   (the same set of host/process/metric, same value and median, z within
   0.0001) are those.

--expected prints the independent outliers ("group<TAB>host<TAB>process
<TAB>metric<TAB>z" lines) instead. Exit status 0 when all agree, 1 with one
line per difference.
"""
import json
import math
import os
import statistics
import sys

MIN_HOSTS = 5
METRICS = ["heap_alloc", "sys", "goroutines", "cpu_ns_per_s", "growth_30s"]
PROCS = ["core", "trace"]


def figure(p, metric):
    if p is None:
        return None
    ms = p.get("memory_sanity") or {}
    if metric == "heap_alloc":
        return ms.get("heap_alloc_bytes")
    if metric == "sys":
        return ms.get("sys_bytes")
    if metric == "goroutines":
        return ms.get("goroutines")
    if metric == "growth_30s":
        return (p.get("heap_growth") or {}).get("total_per_30s")
    cf = p.get("cpu_facts") or {}
    t, d = cf.get("total_ns"), cf.get("duration_ns")
    if t is None or not d or t < 0:
        return None
    # C's round(): half away from zero (the value is positive)
    return int(math.floor(t * 1e9 / d + 0.5))


def latest_per_host(tree):
    best = {}
    for h in sorted(os.listdir(tree)):
        hd = os.path.join(tree, h)
        if h.startswith(".") or not os.path.isdir(hd):
            continue
        for t in sorted(os.listdir(hd)):
            path = os.path.join(hd, t, "report.json")
            if not os.path.isfile(path):
                continue
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
            fl = doc["flare"]
            key = ((fl.get("time") or "")[:19], doc.get("analyzed_at") or "")
            name = fl["hostname"]
            if name not in best or key > best[name][0]:
                best[name] = (key, doc)
    return {name: doc for name, (key, doc) in best.items()}


def expected(tree, threshold, per_version):
    hosts = latest_per_host(tree)
    groups = {}
    for name, doc in hosts.items():
        g = (doc["flare"].get("agent_version") or "") if per_version else None
        groups.setdefault(g, []).append((name, doc))
    out = []
    for g in sorted(groups, key=lambda v: (v is not None, v or "")):
        members = groups[g]
        grp = {"agent_version": g, "hosts": len(members), "compared": len(members) >= MIN_HOSTS,
               "series": {}, "outliers": {}}
        for pn in PROCS:
            for m in METRICS:
                vals = []
                for name, doc in members:
                    p = next((x for x in doc.get("processes", []) if x.get("name") == pn), None)
                    v = figure(p, m)
                    if v is not None and (m == "growth_30s" or v >= 0):
                        vals.append((name, v))
                s = {"hosts": len(vals), "compared": grp["compared"] and len(vals) >= MIN_HOSTS}
                grp["series"][(pn, m)] = s
                if not s["compared"]:
                    continue
                xs = [v for _, v in vals]
                med = statistics.median(xs)
                dev = [abs(x - med) for x in xs]
                mad = statistics.median(dev)
                if mad > 0:
                    kind, scale = "mad", 1.4826 * mad
                elif statistics.mean(dev) > 0:
                    kind, scale = "mean_abs_dev", 1.2533 * statistics.mean(dev)
                else:
                    kind, scale = "none", 0
                s.update(median=med, mad=mad, scale_kind=kind)
                for name, v in vals:
                    z = (v - med) / scale if scale else 0.0
                    if abs(z) > threshold:
                        grp["outliers"][(name, pn, m)] = (v, med, z)
        out.append(grp)
    return out


def validate(doc, schema_path):
    try:
        from jsonschema import Draft202012Validator, FormatChecker
    except ImportError:
        print("outliers_check.py: python3-jsonschema is not installed", file=sys.stderr)
        sys.exit(3)
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    Draft202012Validator.check_schema(schema)
    v = Draft202012Validator(schema, format_checker=FormatChecker())
    return ["schema: /%s: %s" % ("/".join(str(p) for p in e.absolute_path), e.message)
            for e in v.iter_errors(doc)]


def compare(doc, want):
    errs = []
    got = doc["groups"]
    if len(got) != len(want):
        return ["%d groups, expected %d" % (len(got), len(want))]
    for g, w in zip(got, want):
        tag = "group %r" % (w["agent_version"],)
        for k in ("agent_version", "hosts", "compared"):
            if g[k] != w[k]:
                errs.append("%s: %s %r, expected %r" % (tag, k, g[k], w[k]))
        for s in g["series"]:
            ws = w["series"][(s["process"], s["metric"])]
            st = "%s %s %s" % (tag, s["process"], s["metric"])
            if s["hosts"] != ws["hosts"] or s["compared"] != ws["compared"]:
                errs.append("%s: hosts/compared %r/%r, expected %r/%r" % (st, s["hosts"], s["compared"],
                                                                        ws["hosts"], ws["compared"]))
                continue
            if ws["compared"]:
                if s["median"] != ws["median"] or s["mad"] != ws["mad"] or s["scale_kind"] != ws["scale_kind"]:
                    errs.append("%s: median %r MAD %r %s, expected %r %r %s" % (
                        st, s["median"], s["mad"], s["scale_kind"], ws["median"], ws["mad"], ws["scale_kind"]))
        gset = {(o["hostname"], o["process"], o["metric"]): o for o in g["outliers"]}
        for k in sorted(set(gset) | set(w["outliers"])):
            if k not in gset:
                errs.append("%s: %r missing (z %.4f)" % (tag, k, w["outliers"][k][2]))
            elif k not in w["outliers"]:
                errs.append("%s: %r is no outlier (z %.4f)" % (tag, k, gset[k]["z"]))
            else:
                v, med, z = w["outliers"][k]
                o = gset[k]
                if o["value"] != v or o["median"] != med or abs(o["z"] - z) > 1e-4:
                    errs.append("%s: %r value %r median %r z %r, expected %r %r %.6f" % (
                        tag, k, o["value"], o["median"], o["z"], v, med, z))
        zs = [abs(o["z"]) for o in g["outliers"]]
        if zs != sorted(zs, reverse=True):
            errs.append("%s: outliers not sorted by |z|" % tag)
    return errs


def main():
    args = sys.argv[1:]
    threshold = 2.0
    per_version = "--per-version" in args
    args = [a for a in args if a != "--per-version"]
    if "--threshold" in args:
        i = args.index("--threshold")
        threshold = float(args[i + 1])
        del args[i:i + 2]
    if args and args[0] == "--expected":
        for g in expected(args[1], threshold, per_version):
            for (name, pn, m), (v, med, z) in sorted(g["outliers"].items()):
                print("%s\t%s\t%s\t%s\t%.4f" % (g["agent_version"], name, pn, m, z))
        return 0
    tree, out, schema = args
    with open(out, encoding="utf-8") as f:
        doc = json.load(f)
    errs = validate(doc, schema) + compare(doc, expected(tree, threshold, per_version))
    for e in errs:
        print(e)
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
