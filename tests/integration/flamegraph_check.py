#!/usr/bin/env python3
"""tests/integration/flamegraph_check.py -- checks a flame graph SVG written
by flarewatch against what `go tool pprof` says about the same profile(s).

    flamegraph_check.py SVG TRACES TOP MODE [--classes]

TRACES is `go tool pprof -traces -unit=B|ns ...` and TOP is `go tool pprof
-top -nodefraction=0 -nodecount=1000000 -unit=B|ns ...` of the same input
(with the same -diff_base for a diff): raw integer values. MODE is "growth"
(a diff: percentages of the total growth, the sum of the positive flat
values in TOP; red for growth, blue for shrink) or "share" (percentages of
TOP's total). --classes: the graph is coloured by component, so runtime
frames must be grey and no other frame grey.

From TRACES alone (not from flarewatch) it builds the expected flame graph:
the samples summed per stack, stacks with a zero sum dropped, a tree of
frames root first whose siblings are merged by name; each frame's value is
the signed sum of its stacks and its width the sum of |stack|. Every frame
drawn must be one of these with the right value (within the rounding of
its printed unit) and percentage (pprof's format), every expected frame at
least 0.1 px wide must be drawn, and the label drawn must be the name's
short form (last package path element and symbol). Prints one line per
problem and exits 1 if there was any; on success prints "frames N".
"""
import re
import sys
import xml.etree.ElementTree as ET

SVG_NS = "{http://www.w3.org/2000/svg}"
UNITS = {
    "B": 1, "kB": 1024, "MB": 1024 ** 2, "GB": 1024 ** 3, "TB": 1024 ** 4, "PB": 1024 ** 5,
    "ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9, "mins": 60e9, "hrs": 3600e9, "days": 86400e9,
}
RUNTIME = ("runtime.", "runtime/", "internal/", "sync.", "syscall.", "gcBgMarkWorker")
WIDTH = 1200 - 2 * 10  # the frames' width in px
MIN_PX = 0.1


def raw(tok):
    """A raw pprof value ("4076967B", "-12ns", "0") as an int."""
    m = re.fullmatch(r"(-?\d+)(B|ns)?", tok)
    if not m:
        raise ValueError("not a raw value: %r" % tok)
    return int(m.group(1))


def clean(name):
    return name[:-len(" (inline)")] if name.endswith(" (inline)") else name


def read_traces(path):
    """{stack tuple root first: summed value}."""
    stacks, cur, val = {}, None, None
    lines = open(path, encoding="utf-8").read().split("\n")
    for line in lines + ["-----------+"]:
        if line.startswith("-----------+"):
            if cur is not None:
                key = tuple(reversed(cur))
                stacks[key] = stacks.get(key, 0) + val
            cur, val = None, None
            continue
        if cur is None:
            m = re.match(r"^\s*(-?\d+(?:B|ns)?)\s{3}(\S.*)$", line)
            if m and not line.lstrip().startswith(("bytes:", "File:", "Type:", "Time:")):
                cur, val = [clean(m.group(2))], raw(m.group(1))
            continue
        if line.strip():
            cur.append(clean(line.strip()))
    return {k: v for k, v in stacks.items() if v != 0}


def read_top(path):
    """(total, {name: (flat, cum)})."""
    total, rows, header = None, {}, False
    for line in open(path, encoding="utf-8"):
        m = re.search(r"of (-?\d+)(?:B|ns)? total", line)
        if m:
            total = int(m.group(1))
        if re.match(r"^\s+flat\s+flat%", line):
            header = True
            continue
        if header:
            f = line.split(None, 5)
            if len(f) == 6:
                rows[clean(f[5].rstrip("\n"))] = (raw(f[0]), raw(f[3]))
    return total, rows


def expected_frames(stacks):
    """{(name tuple root first): [net, abs]}, the root being ()."""
    frames = {(): [0, 0]}
    for stack, v in stacks.items():
        for d in range(len(stack) + 1):
            f = frames.setdefault(stack[:d], [0, 0])
            f[0] += v
            f[1] += abs(v)
    return frames


def pct(v, total):
    """pprof's percentage, without padding."""
    r = abs(v / total) * 100 if total else 0
    if 99.95 <= r <= 100.05:
        return "100%"
    return ("%.2f%%" % r) if r >= 1.0 else ("%.2g%%" % r)


def label_value(text):
    """ "+3.89MB" -> (3.89 * 2**20, step of the last digit) """
    m = re.fullmatch(r"([+-]?)(\d+(?:\.(\d+))?)([a-zA-Z]*)", text)
    if not m:
        raise ValueError("not a value label: %r" % text)
    unit = UNITS.get(m.group(4), 1) if m.group(4) else 1
    digits = len(m.group(3) or "")
    return float(m.group(2)) * unit, unit * 10 ** -digits


def short(name):
    """The label rule, written again from its description in flamegraph.h."""
    depth, cut = 0, 0
    for i, c in enumerate(name):
        if c in "([{":
            depth += 1
        elif c in ")]}" and depth > 0:
            depth -= 1
        elif depth == 0 and c == " ":
            break
        elif depth == 0 and c == "/" and i + 1 < len(name) and name[i + 1] != " ":
            cut = i + 1
    return name[cut:]


def rgb(fill):
    m = re.fullmatch(r"rgb\((\d+),(\d+),(\d+)\)", fill)
    return tuple(int(x) for x in m.groups()) if m else None


def main():
    svg, traces, top, mode = sys.argv[1:5]
    classes = "--classes" in sys.argv[5:]
    problems = []
    stacks = read_traces(traces)
    total, rows = read_top(top)
    growth = sum(f for f, _ in rows.values() if f > 0)
    ref = growth if mode == "growth" else total
    exp = expected_frames(stacks)
    by_depth = {}
    for path, (net, ab) in exp.items():
        by_depth.setdefault((len(path), path[-1] if path else "all"), []).append((net, ab, path))
    scale = WIDTH / exp[()][1] if exp[()][1] else 0

    root = ET.parse(svg).getroot()
    frames_g = [g for g in root.iter(SVG_NS + "g") if g.get("id") == "frames"]
    if len(frames_g) != 1:
        print("no <g id=\"frames\">")
        return 1
    drawn = {}
    bottom = None
    for g in frames_g[0].findall(SVG_NS + "g"):
        rect, text = g.find(SVG_NS + "rect"), g.find(SVG_NS + "text")
        y = int(rect.get("y"))
        bottom = y if bottom is None else max(bottom, y)
        drawn.setdefault(y, []).append((g.find(SVG_NS + "title").text, rect.get("fill"), text))
    if bottom is None:
        print("no frame drawn")
        return 1
    n = 0
    seen = set()
    for y, items in drawn.items():
        depth = (bottom - y) // 16
        for title, fill, text in items:
            m = re.fullmatch(r"(.*) \(([^,]*)(?:, ([+-]?)(\S+?%)(?: of growth)?)?\)", title or "")
            if not m:
                problems.append("title not understood: %r" % title)
                continue
            name, vlabel, sign, p = m.groups()
            cands = [c for c in by_depth.get((depth, name), []) if c[2] not in seen]
            val, step = label_value(vlabel.lstrip("+-"))
            vsign = -1 if vlabel.startswith("-") else 1
            # the candidate with this value (several frames may share a name at a depth)
            match = [c for c in cands if abs(vsign * val - c[0]) <= step / 2 + abs(c[0]) * 1e-9]
            if not match:
                problems.append("%r at depth %d: %s is no frame of the profile (expected one of %s)"
                                % (name, depth, vlabel, [c[0] for c in cands] or "none"))
                continue
            net, ab, path = match[0]
            seen.add(path)
            n += 1
            want_sign = ("+" if net > 0 else "-" if net < 0 else "") if mode == "growth" else ""
            if mode == "growth" and (vlabel[:1] in "+-") != (net != 0):
                problems.append("%r: value %s without the sign of %d" % (name, vlabel, net))
            if ref:
                if p is None or p != pct(net, ref) or (sign or "") != want_sign:
                    problems.append("%r: percentage %s%s, expected %s%s of %d"
                                    % (name, sign or "", p, want_sign, pct(net, ref), ref))
            c = rgb(fill)
            if mode == "growth":
                ok = (c is not None and ((net > 0 and c[0] == 255 and c[1] == c[2] < 255) or
                                         (net < 0 and c[2] == 255 and c[0] == c[1] < 255) or
                                         (net == 0 and c == (220, 220, 220))))
                if not ok:
                    problems.append("%r: fill %s for a change of %d" % (name, fill, net))
            elif classes and path:
                is_grey = c is not None and c[0] == c[1] == c[2]
                if name.startswith(RUNTIME) != is_grey:
                    problems.append("%r: fill %s (runtime frames grey, no other)" % (name, fill))
            lab = text.get("data-label") or name
            if lab != short(name):
                problems.append("%r: label %r, expected %r" % (name, lab, short(name)))
            if text.text and not (text.text == lab or (text.text.endswith("..") and
                                                        lab.startswith(text.text[:-2]))):
                problems.append("%r: text %r is not the label %r" % (name, text.text, lab))
    for path, (net, ab) in exp.items():
        if path not in seen and ab * scale >= MIN_PX * 1.001:
            problems.append("frame %s (%d) not drawn" % (";".join(path) or "all", net))
    for p in problems:
        print(p)
    if not problems:
        print("frames %d" % n)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
