#!/usr/bin/env python3
"""history.sh's independent checks (python3 standard library only).

  history_check.py facts ZIPDIR TREE        the history and LONG-TERM GROWTH facts
  history_check.py cli TREE HISTORY.json    `flarewatch history --json` against report.json
  history_check.py dom PAGE.dom N_FLARES    a host page as headless Chromium parsed it

Prints one line per check, "ok NAME" or "not ok NAME: why".

The numbers come from the flares themselves, not from flarewatch's output:
each flare's time and agent start from status.log (its milliseconds), its
version from status.log's title, HeapAlloc and Sys from expvar/memstats (a
regex on the YAML lines), the goroutine count from go-routine-dump.log
("goroutine N [" headers), and the least-squares slope per hour over the
flares of one agent process computed here.
"""
import glob
import html.parser
import json
import os
import re
import sys
import zipfile

MIB = 1 << 20
results = []


def check(name, cond, why=""):
    results.append(("ok " if cond else "not ok ") + name + ("" if cond else ": " + str(why)))


def flare_facts(path):
    with zipfile.ZipFile(path) as z:
        def read(suffix):
            for n in z.namelist():
                if n.endswith("/" + suffix):
                    return z.read(n).decode("utf-8", "replace")
            raise KeyError(suffix)
        status, ms, dump = read("status.log"), read("expvar/memstats"), read("go-routine-dump.log")
    f = {
        "time_ms": int(re.search(r"Status date: .*\((\d+)\)", status).group(1)),
        "start_ms": int(re.search(r"Agent start: .*\((\d+)\)", status).group(1)),
        "version": re.search(r"Agent \(v([^)]+)\)", status).group(1),
        "heap": round(float(re.search(r"^HeapAlloc: (\S+)$", ms, re.M).group(1))),
        "sys": round(float(re.search(r"^Sys: (\S+)$", ms, re.M).group(1))),
        "objects": round(float(re.search(r"^HeapObjects: (\S+)$", ms, re.M).group(1))),
        "goroutines": len(re.findall(r"^goroutine \d+ \[", dump, re.M)),
    }
    return f


def slope_per_hour(points):
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    return sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x, _ in points) * 3600e3


def reports(tree):
    out = {}
    for p in glob.glob(os.path.join(tree, "fixture-history-01", "*", "report.json")):
        with open(p, encoding="utf-8") as f:
            d = json.load(f)
        out[d["flare"]["time"]] = (d, os.path.dirname(p))
    return out


def iso(ms):
    import time
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms // 1000))


def facts(zipdir, tree):
    zips = sorted(glob.glob(os.path.join(zipdir, "history-*.zip")))
    fl = [flare_facts(z) for z in zips]
    rep = reports(tree)
    check("five flares analyzed into one host folder", len(fl) == 5 and len(rep) == 5, (len(fl), len(rep)))
    if len(fl) != 5 or len(rep) != 5:
        return
    r = [rep[iso(f["time_ms"])][0] for f in fl]
    # flares 1-3: one process; the fit over them (the current flare included)
    pts = {k: [(f["time_ms"], f[k]) for f in fl[:3]] for k in ("heap", "sys", "goroutines")}
    lt3 = r[2]["long_term"]
    for k, field in (("heap", "heap_alloc_per_hour_bytes"), ("sys", "sys_per_hour_bytes"),
                     ("goroutines", "goroutines_per_hour")):
        want = slope_per_hour(pts[k])
        got = lt3[field]
        check("flare 3: %s = least squares over flares 1-3 (%.1f)" % (field, want),
              got is not None and abs(got - want) <= 0.5 + 1e-9 * abs(want), got)
    span_h = (fl[2]["time_ms"] - fl[0]["time_ms"]) / 3600e3
    heap_rate, sys_rate = slope_per_hour(pts["heap"]), slope_per_hour(pts["sys"])
    check("flare 3: 3 flares over %.1f h of one process" % span_h,
          lt3["flares"] == 3 and lt3["span_ns"] == round(span_h * 3600e9) and lt3["process_known"], lt3)
    check("the fixture's rates are clear of the defaults (HeapAlloc %.1f MiB/h > 50, Sys %.1f MiB/h > 100)"
          % (heap_rate / MIB, sys_rate / MIB), heap_rate > 100 * MIB and sys_rate > 130 * MIB)
    check("flare 3: LONG-TERM GROWTH fired for HeapAlloc and Sys, not goroutines (%.1f/h < 200)"
          % slope_per_hour(pts["goroutines"]),
          lt3["fired"] and lt3["heap_alloc"] and lt3["sys"] and lt3["goroutines"] is None, lt3)
    rate = "%.2fMB" % (heap_rate / MIB)
    check("flare 3: verdict MEMORY LEAK, the summary states the rule and the rate " + rate,
          r[2]["verdict"]["kind"] == "memory_leak" and "LONG-TERM GROWTH" in r[2]["verdict"]["summary"]
          and rate in r[2]["verdict"]["summary"] and "threshold 50MB per hour over at least 2 h" in lt3["heap_alloc"],
          r[2]["verdict"])
    md3 = open(glob.glob(os.path.join(rep[iso(fl[2]["time_ms"])][1], "*.md"))[0], encoding="utf-8").read()
    check("flare 3's customer message gives the long-term rate (about +%s per hour)" % rate,
          "about +%s per hour over %.1f hours" % (rate, span_h) in md3)
    check("flare 3 alone (its own window) fired no rule",
          all(p["rules"]["memory_leak"] is None for p in r[2]["processes"]), r[2]["processes"][0]["rules"])
    lt2 = r[1]["long_term"]
    check("flare 2: 2 flares over 1 h: fitted, not fired (under 2 h)",
          lt2["flares"] == 2 and lt2["heap_alloc_per_hour_bytes"] is not None and not lt2["fired"]
          and r[1]["verdict"]["kind"] == "normal", lt2)
    check("flare 2's fit = the two-point slope",
          abs(lt2["heap_alloc_per_hour_bytes"] - slope_per_hour(pts["heap"][:2])) <= 0.5, lt2)
    # flare 4: a restart; flare 5: an upgrade; no fit across either
    for k, change, prev in ((3, "restarted", None), (4, "upgraded", fl[3]["version"])):
        d, lt = r[k], r[k]["long_term"]
        row = d["history"][-1]
        check("flare %d: %s (%s)" % (k + 1, change, fl[k]["version"]),
              row["process_change"] == change and row["previous_version"] == prev and row["current"], row)
        check("flare %d: not fitted across it (1 flare of its process, no rate, not fired)" % (k + 1),
              lt["flares"] == 1 and lt["heap_alloc_per_hour_bytes"] is None and not lt["fired"]
              and d["verdict"]["kind"] == "normal", lt)
        b = lt["before"]
        check("flare %d: compared with the flare before (%s, HeapAlloc %d)" % (k + 1, iso(fl[k - 1]["time_ms"]),
                                                                             fl[k - 1]["heap"]),
              b and b["change"] == change and b["time"] == iso(fl[k - 1]["time_ms"])
              and b["heap_alloc_bytes"] == fl[k - 1]["heap"] and b["sys_bytes"] == fl[k - 1]["sys"]
              and b["goroutines"] == fl[k - 1]["goroutines"], b)
        md = open(glob.glob(os.path.join(rep[iso(fl[k]["time_ms"])][1], "*.md"))[0], encoding="utf-8").read()
        want = "**agent restarted**" if change == "restarted" else "**upgraded 7.58.2 → 7.59.0**"
        check("flare %d's Markdown says %s" % (k + 1, want), want in md and "## History of this host" in md)
    # every row of the last report's history is the flare's own facts
    hist = r[4]["history"]
    ok = len(hist) == 5
    for f, row in zip(fl, hist):
        ok = ok and row["time"] == iso(f["time_ms"]) and row["agent_start"] == iso(f["start_ms"]) \
            and row["agent_version"] == f["version"] and row["heap_alloc_bytes"] == f["heap"] \
            and row["sys_bytes"] == f["sys"] and row["heap_objects"] == f["objects"] \
            and row["goroutines"] == f["goroutines"] and row["uptime_ns"] == (f["time_ms"] - f["start_ms"]) * 10**6
    check("flare 5's history rows: times, versions, starts, uptimes, HeapAlloc, Sys, HeapObjects, goroutines "
          "of the five flares", ok, hist)
    ok = all(row["report"] is None or os.path.isfile(os.path.join(rep[iso(fl[4]["time_ms"])][1], row["report"]))
             for row in hist)
    check("the history's report links exist", ok)
    check("flare 5's history keeps flare 3's verdict (MEMORY LEAK)", hist[2]["verdict"] == "MEMORY LEAK", hist[2])


def cli(tree, hist_json):
    with open(hist_json, encoding="utf-8") as f:
        h = json.load(f)
    rep = reports(tree)
    rows = h["flares"]
    check("history --json: 5 flares, oldest first", len(rows) == 5 and [x["time"] for x in rows] == sorted(rep), rows)
    ok = True
    for x in rows:
        d, folder = rep[x["time"]]
        core = [p for p in d["processes"] if p["name"] == "core"][0]
        ms, hg = core["memory_sanity"], core["heap_growth"]
        ok = ok and x["agent_version"] == d["flare"]["agent_version"] and x["uptime_ns"] == d["flare"]["uptime_ns"] \
            and x["agent_start"] == d["flare"]["agent_start"] and x["heap_alloc_bytes"] == ms["heap_alloc_bytes"] \
            and x["sys_bytes"] == ms["sys_bytes"] and x["heap_objects"] == ms["heap_objects"] \
            and x["goroutines"] == ms["goroutines"] and x["verdict"] == d["verdict"]["name"] \
            and x["heap_growth_per_30s_bytes"] == (hg and hg["total_per_30s"]) \
            and x["top_growth_function"] == (hg and hg["top_app_function"] and hg["top_app_function"]["function"]) \
            and os.path.normpath(os.path.join(tree, x["report"])) == os.path.normpath(
                os.path.join(folder, d["report"]["markdown"]))
        if not ok:
            check("history --json row %s = its report.json" % x["time"], False, x)
            return
    check("history --json: every row's figures, verdict and link are its report.json's", ok)
    lt = h["long_term"]
    check("history --json: the newest flare's process (after the upgrade) alone, no trend, no finding",
          lt["flares"] == 1 and lt["heap_alloc"]["per_hour"] is None and lt["findings"] == []
          and [x["in_fit"] for x in rows] == [False] * 4 + [True], lt)


class Dom(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = {}
        self.classes = {}
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        for k, v in attrs:
            if k == "class":
                for c in v.split():
                    self.classes[c] = self.classes.get(c, 0) + 1
            if k.startswith("on"):
                self.tags["on-attribute"] = self.tags.get("on-attribute", 0) + 1

    def handle_data(self, data):
        self.text.append(data)


def dom(path, n):
    with open(path, encoding="utf-8") as f:
        d = Dom()
        d.feed(f.read())
    n = int(n)
    check("%s: %d history rows" % (os.path.basename(path), n), d.classes.get("flare") == n, d.classes)
    check("%s: 4 charts, points and no script, img or on* attribute" % os.path.basename(path),
          d.classes.get("chart") == 4 and d.classes.get("point", 0) >= n and "script" not in d.tags
          and "img" not in d.tags and "on-attribute" not in d.tags, (d.tags, d.classes))
    return d


def main(argv):
    if len(argv) == 4 and argv[1] == "facts":
        facts(argv[2], argv[3])
    elif len(argv) == 4 and argv[1] == "cli":
        cli(argv[2], argv[3])
    elif len(argv) == 4 and argv[1] == "dom":
        d = dom(argv[2], argv[3])
        if argv[3] == "5":
            check("host page: 2 restart/upgrade markers per chart (8)", d.classes.get("change-marker") == 8,
                  d.classes)
            check("host page: the upgrade is named", "upgraded 7.58.2 \u2192 7.59.0" in "".join(d.text))
    elif len(argv) == 4 and argv[1] == "hostile":
        d = dom(argv[2], "1")
        text = "".join(d.text)
        check("hostile host page: the planted names render as text",
              "<script>alert(1)</script>\"><img src=x onerror=alert(2)>" in text
              and "<img src=x onerror=alert(3)>" in text, text[:400])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    for line in results:
        print(line)


if __name__ == "__main__":
    main(sys.argv)
