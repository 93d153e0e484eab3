#!/usr/bin/env python3
"""tests/analyze/outliers_tree.py -- builds an investigations tree of many
hosts from ONE real report folder (what `flarewatch analyze` wrote for a
fixture flare), for tests/analyze/outliers.sh:

  outliers_tree.py TEMPLATE TREE [--hosts N] [--outlier NAME] [--factor F]
                   [--flat] [--hostile] [--version V:COUNT[:HEAPFACTOR]]...

TEMPLATE is a report folder (<tree>/<host>/<time>/ with report.json, the
Markdown report and the SVGs). Each host web-01..web-N gets a copy under
TREE/<host>/<time>/, its report.json edited (flare.hostname, the Markdown
file's name, and the figures `flarewatch outliers` reads, with their
top-level twins memstats and goroutines kept in step):

  processes[core].memory_sanity.heap_alloc_bytes, .sys_bytes, .goroutines
  processes[core|trace].heap_growth.total_per_30s
  processes[core|trace].cpu_facts.total_ns

Realistic spread, no randomness: each figure of host k is the template's
times 0.9 + 0.2 * p(k) / (N - 1), p a fixed permutation per figure (every
host somewhere in +-10%; goroutines template +- 5), evenly within the
hosts of each --version. With such an even spread the robust z-score of
any host stays below 1.4: no outlier.

  --outlier NAME  that host's HeapAlloc is F (default 8) times the
                  template's, and its Sys as much larger (Sys >= HeapAlloc,
                  as in a real process): both far out
  --flat          every host's core goroutines equal the template's but
                  the outlier's (+2): the MAD of that figure is 0
  --hostile       web-02 and web-03 are named <script>alert(1)</script>
                  and "><img src=x onerror=alert(2)> in report.json (their
                  folders keep safe names, as analyze makes them)
  --terminal      web-02 is named with terminal controls (ESC sequences,
                  a tab, a newline, BEL, a bidi override) in report.json
  --version V:COUNT[:HEAPFACTOR]  the first COUNT hosts not yet given a
                  version run agent V, HeapAlloc and Sys times HEAPFACTOR
                  (default 1)
"""
import argparse
import json
import os
import random
import shutil
import sys

HOSTILE = {2: "<script>alert(1)</script>", 3: '"><img src=x onerror=alert(2)>'}
TERMINAL = "web-02\x1b[31m\x1b]0;pwned\x07\tfake\nline\r\u202eevil"


def proc(doc, name):
    for p in doc.get("processes", []):
        if p.get("name") == name:
            return p
    sys.exit("outliers_tree.py: the template has no %s process" % name)


def spread(n, seed):
    """n factors 0.9..1.1, evenly spaced, in an order fixed by seed"""
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return [0.9 + 0.2 * order[k] / max(n - 1, 1) for k in range(n)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("template")
    ap.add_argument("tree")
    ap.add_argument("--hosts", type=int, default=20)
    ap.add_argument("--outlier")
    ap.add_argument("--factor", type=float, default=8.0)
    ap.add_argument("--flat", action="store_true")
    ap.add_argument("--hostile", action="store_true")
    ap.add_argument("--terminal", action="store_true")
    ap.add_argument("--version", action="append", default=[])
    a = ap.parse_args()

    with open(os.path.join(a.template, "report.json"), encoding="utf-8") as f:
        tpl = json.load(f)
    when = os.path.basename(os.path.normpath(a.template))
    md = tpl["report"]["markdown"]
    core, trace = proc(tpl, "core"), proc(tpl, "trace")
    ms = core["memory_sanity"]
    base = {
        "heap": ms["heap_alloc_bytes"], "sys": ms["sys_bytes"], "gor": ms["goroutines"],
        "core_cpu": core["cpu_facts"]["total_ns"], "trace_cpu": trace["cpu_facts"]["total_ns"],
        "core_growth": core["heap_growth"]["total_per_30s"],
        "trace_growth": trace["heap_growth"]["total_per_30s"],
    }
    n = a.hosts
    versions = []
    for v in a.version:
        parts = v.split(":")
        versions += [(parts[0], float(parts[2]) if len(parts) > 2 else 1.0)] * int(parts[1])
    # the spread is even within each version's hosts (and those without one)
    groups = {}
    for k in range(n):
        groups.setdefault(versions[k][0] if k < len(versions) else None, []).append(k)
    fac = {key: [0.0] * n for key in base}
    for gi, members in enumerate(groups.values()):
        for i, key in enumerate(sorted(base)):
            f = spread(len(members), 100 * gi + i + 1)
            for j, k in enumerate(members):
                fac[key][k] = f[j]
    for k in range(n):
        host = "web-%02d" % (k + 1)
        doc = json.loads(json.dumps(tpl))
        c, t = proc(doc, "core"), proc(doc, "trace")
        hf = versions[k][1] if k < len(versions) else 1.0
        heap = int(base["heap"] * fac["heap"][k] * hf)
        sys_ = int(base["sys"] * fac["sys"][k] * hf)
        if host == a.outlier:
            extra = int(base["heap"] * a.factor) - heap
            heap, sys_ = heap + extra, sys_ + extra
        gor = base["gor"] - 5 + round(10 * (fac["gor"][k] - 0.9) / 0.2)
        if a.flat:
            gor = base["gor"] + (2 if host == a.outlier else 0)
        c["memory_sanity"].update(heap_alloc_bytes=heap, sys_bytes=sys_, goroutines=gor)
        doc["memstats"].update(HeapAlloc=heap, Alloc=heap, Sys=sys_)
        doc["goroutines"]["total"] = gor
        c["cpu_facts"]["total_ns"] = int(base["core_cpu"] * fac["core_cpu"][k])
        t["cpu_facts"]["total_ns"] = int(base["trace_cpu"] * fac["trace_cpu"][k])
        c["heap_growth"]["total_per_30s"] = int(base["core_growth"] * fac["core_growth"][k])
        t["heap_growth"]["total_per_30s"] = int(base["trace_growth"] * fac["trace_growth"][k])
        doc["flare"]["hostname"] = HOSTILE[k + 1] if a.hostile and k + 1 in HOSTILE else host
        if a.terminal and k + 1 == 2:
            doc["flare"]["hostname"] = TERMINAL
        if k < len(versions):
            doc["flare"]["agent_version"] = versions[k][0]
        dst = os.path.join(a.tree, host, when)
        shutil.copytree(a.template, dst)
        newmd = "flare-profiling-%s.md" % host
        os.rename(os.path.join(dst, md), os.path.join(dst, newmd))
        doc["report"]["markdown"] = newmd
        with open(os.path.join(dst, "report.json"), "w", encoding="utf-8") as f:
            json.dump(doc, f, separators=(",", ":"), ensure_ascii=False)
            f.write("\n")


if __name__ == "__main__":
    main()
