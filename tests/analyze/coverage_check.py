#!/usr/bin/env python3
"""tests/analyze/coverage_check.py -- checks report.json's coverage against
the flare zip itself, for tests/analyze/verdicts.sh. Standard library only
(with pprof_edit.py, its own protobuf codec): nothing here uses flarewatch's
decoder.

  coverage_check.py ZIP REPORT_JSON

For every process of report.json and every analysis (heap_diff, heap_top,
cpu, block, mutex), the state of the file it reads is derived from the zip:
"missing" (no such member), "empty" (0 bytes), "corrupt" (not a gzipped or
plain profile.proto with a sample type), else "ok"; the heap diff takes the
first file that is not ok of its two. An analysis ran exactly when its files
are ok. A process is "inconclusive" exactly when its heap diff or CPU did
not run and no rule fired; the flare is INCONCLUSIVE when no process has a
finding and one is inconclusive, or when the flare has no profile at all.
Prints what differs and exits 1, else exits 0 silently.
"""
import io
import json
import os
import sys
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pprof_edit  # noqa: E402

FILES = {
    "heap_diff": ["1st-heap", "2nd-heap"],
    "heap_top": ["2nd-heap"],
    "cpu": ["cpu"],
    "block": ["block"],
    "mutex": ["mutex"],
}
SEVERITY = ["normal", "inconclusive", "contention", "cpu_spike", "memory_leak", "multiple_issues"]


def readable(data):
    """A profile.proto (gzipped or not) that parses whole, with a sample type."""
    try:
        if data[:2] == b"\x1f\x8b":
            import gzip
            data = gzip.decompress(data)
        fields = pprof_edit.parse(data)
    except (Exception, SystemExit):
        return False
    return any(f == 1 and wt == 2 for f, wt, _ in fields)


def main(zpath, jpath):
    z = zipfile.ZipFile(zpath)
    members = {os.path.basename(n): n for n in z.namelist() if "/profiles/" in n and not n.endswith("/")}
    rep = json.load(open(jpath, encoding="utf-8"))
    bad = []

    def state(proc, kind):
        name = "%s-%s.pprof" % (proc, kind)
        if name not in members:
            return name, "missing"
        data = z.read(members[name])
        if not data:
            return name, "empty"
        return name, ("ok" if readable(data) else "corrupt")

    worst = "normal"
    for p in rep["processes"]:
        cov = p.get("coverage") or {}
        for an, kinds in FILES.items():
            got = cov.get(an)
            if got is None:
                bad.append("%s: no coverage.%s" % (p["name"], an))
                continue
            states = [state(p["name"], k) for k in kinds]
            notok = [s for s in states if s[1] != "ok"]
            want_state = notok[0][1] if notok else "ok"
            want_ran = not notok
            if got["state"] != want_state or got["ran"] != want_ran:
                bad.append("%s.%s: report says ran=%s state=%s, the zip says ran=%s state=%s (%s)" % (
                    p["name"], an, got["ran"], got["state"], want_ran, want_state, states))
            if notok and not (got["file"] == notok[0][0] and got["reason"] and
                              all(n in got["reason"] for n, _ in notok)):
                bad.append("%s.%s: file %r / reason %r do not name %s" % (
                    p["name"], an, got["file"], got["reason"], [n for n, _ in notok]))
            if not notok and got["reason"] is not None:
                bad.append("%s.%s: ran, but has a reason %r" % (p["name"], an, got["reason"]))
        fired = any(v for v in p["rules"].values())
        incomplete = not (cov["heap_diff"]["ran"] and cov["cpu"]["ran"])
        if not fired and (p["verdict"] == "inconclusive") != incomplete:
            bad.append("%s: verdict %s, but heap diff/CPU incomplete=%s and no rule fired" % (
                p["name"], p["verdict"], incomplete))
        if fired and p["verdict"] in ("normal", "inconclusive"):
            bad.append("%s: a rule fired but the verdict is %s" % (p["name"], p["verdict"]))
        if (p["not_analyzed"] is not None) != incomplete:
            bad.append("%s: not_analyzed %r, incomplete=%s" % (p["name"], p["not_analyzed"], incomplete))
        if SEVERITY.index(p["verdict"]) > SEVERITY.index(worst):
            worst = p["verdict"]
    if not rep["processes"]:
        worst = "inconclusive"
    if rep["verdict"]["kind"] != worst:
        bad.append("flare verdict %s, its most serious process's is %s" % (rep["verdict"]["kind"], worst))
    any_ran = any(c["ran"] for p in rep["processes"] for c in p["coverage"].values())
    if rep["verdict"]["no_usable_profile"] != (not any_ran):
        bad.append("no_usable_profile is %s, but an analysis ran: %s" % (rep["verdict"]["no_usable_profile"], any_ran))
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
