#!/usr/bin/env python3
"""tests/site/site_check.py -- checks the investigations site of a tree,
independently of flarewatch (standard library only), for tests/site/site.sh.

  site_check.py static TREE
      the HTML files as written: every index.html and report.html of TREE is
      well formed (every element closed in order, no stray end tag, one
      html/head/body), its Content-Security-Policy meta tag comes first in
      <head>, has default-src 'none', never 'unsafe-inline', and names the
      sha256 (computed here with hashlib) of each inline <style> and <script>
      of the page and nothing else; index.html has one table row per
      report.json of TREE (counted here, each parsed with json) and the
      counts per verdict of report.json's verdict.name; every report folder
      has a report.html with as many headings, tables and code blocks as its
      Markdown (counted here, line by line); every relative href/src of every page resolves to
      a file (host pages TREE/<host>/index.html only when some exist: they
      are written by the host history);
  site_check.py dom FILE KIND [EXPECT...]
      a DOM dumped by `chromium --dump-dom` (KIND index or report): no
      element the page did not write (only our <script> on the index, none on
      a report; no on* attribute, no iframe/object/embed/form/base element, no
      img but the flame graphs' .svg files and data: URLs), and for the
      index, the number of rows and of rows shown; each EXPECT is
      "text=STRING" (STRING is in the page's text, as text),
      "rows=N" (N rows in #reports), "shown=N" (N rows not hidden),
      "imgs>=N" (at least N flame graph images).
Prints one line per check, "ok NAME" or "not ok NAME: why", and exits 0.
"""
import base64
import hashlib
import html.parser
import json
import os
import re
import sys
import urllib.parse

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
VERDICTS = ["NORMAL", "INCONCLUSIVE", "CONTENTION", "CPU SPIKE", "MEMORY LEAK", "MULTIPLE ISSUES"]


def report(ok, name, why=""):
    print(("ok " if ok else "not ok ") + name + ("" if ok or not why else ": " + why))


class Page(html.parser.HTMLParser):
    """Elements, attributes, text and nesting errors of one page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.elements, self.text = [], [], [], []
        self.raw = {}  # tag -> list of the raw text inside <style>/<script>
        self.cur_raw = None

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs), list(self.stack)))
        if tag in ("style", "script"):
            self.cur_raw = (tag, [])
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.errors.append("self-closing <%s/>" % tag)
        self.elements.append((tag, dict(attrs), list(self.stack)))

    def handle_endtag(self, tag):
        if tag in VOID:
            self.errors.append("end tag of void element </%s> at %s" % (tag, self.getpos()))
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("</%s> closes <%s> at %s" % (tag, self.stack[-1] if self.stack else "nothing",
                                                             self.getpos()))
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()
        if self.cur_raw and self.cur_raw[0] == tag:
            self.raw.setdefault(tag, []).append("".join(self.cur_raw[1]))
            self.cur_raw = None

    def handle_data(self, data):
        if self.cur_raw:
            self.cur_raw[1].append(data)
        else:
            self.text.append(data)

    def handle_decl(self, decl):
        if decl.lower() != "doctype html":
            self.errors.append("unexpected declaration " + decl)


def parse(path):
    p = Page()
    with open(path, encoding="utf-8") as f:
        p.feed(f.read())
    p.close()
    if p.stack:
        p.errors.append("unclosed at the end: " + " ".join(p.stack))
    return p


def csp_hash(text):
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def check_csp(p, name):
    metas = [(a, st) for t, a, st in p.elements if t == "meta" and a.get("http-equiv", "").lower() ==
             "content-security-policy"]
    if len(metas) != 1:
        return report(False, name + ": one CSP meta tag", "%d found" % len(metas))
    attrs, stack = metas[0]
    heads = [i for i, (t, a, st) in enumerate(p.elements) if t == "head"]
    first = [t for t, a, st in p.elements[heads[0] + 1:] if t in ("style", "script", "img", "link", "meta")] if heads else []
    csp = attrs.get("content", "")
    d = {}
    for part in csp.split(";"):
        w = part.split()
        if w:
            d[w[0]] = w[1:]
    why = []
    if stack != ["html", "head"]:
        why.append("not in <head>")
    if first[:2] != ["meta", "meta"]:
        why.append("not first in <head> (after the charset)")
    if d.get("default-src") != ["'none'"]:
        why.append("default-src is not 'none'")
    if "unsafe-inline" in csp or "unsafe-eval" in csp or "*" in csp:
        why.append("allows unsafe-inline/eval or *")
    for tag, key in (("style", "style-src"), ("script", "script-src")):
        want = sorted(csp_hash(t) for t in p.raw.get(tag, [])) or ["'none'"]
        if sorted(d.get(key, [])) != want:
            why.append("%s %s, the page's %s elements hash to %s" % (key, d.get(key), tag, want))
    for k in d:
        if k not in ("default-src", "style-src", "script-src", "img-src", "base-uri", "form-action"):
            why.append("unexpected directive " + k)
    if d.get("img-src", []) and set(d["img-src"]) - {"data:", "'self'"}:
        why.append("img-src allows " + " ".join(d["img-src"]))
    report(not why, name + ": CSP meta tag first in <head>, default-src 'none', hashes of its inline style and script",
           "; ".join(why))


def relative_targets(p):
    for t, a, st in p.elements:
        for k in ("href", "src"):
            v = a.get(k)
            if v is None:
                continue
            u = urllib.parse.urlsplit(v)
            if u.scheme or u.netloc:
                yield k, v, None
            else:
                yield k, v, urllib.parse.unquote(u.path)


def static(tree):
    reports = []
    for host in sorted(os.listdir(tree)):
        hp = os.path.join(tree, host)
        if host.startswith(".") or not os.path.isdir(hp):
            continue
        for when in sorted(os.listdir(hp)):
            rj = os.path.join(hp, when, "report.json")
            if os.path.isfile(rj):
                with open(rj, encoding="utf-8") as f:
                    reports.append((host, when, json.load(f)))
    report(len(reports) > 0, "the tree has report.json files (%d)" % len(reports))
    host_pages = any(os.path.isfile(os.path.join(tree, h, "index.html")) for h, w, j in reports)
    pages = [os.path.join(tree, "index.html")] + [os.path.join(tree, h, w, "report.html") for h, w, j in reports]
    for page in pages:
        rel = os.path.relpath(page, tree)
        if not os.path.isfile(page):
            report(False, rel + " exists")
            continue
        p = parse(page)
        report(not p.errors, rel + ": well formed", "; ".join(p.errors[:5]))
        for t in ("html", "head", "body", "title"):
            n = sum(1 for e in p.elements if e[0] == t)
            if n != 1:
                report(False, rel + ": one <%s>" % t, "%d found" % n)
        check_csp(p, rel)
        bad, skipped = [], 0
        for k, v, path in relative_targets(p):
            if path is None:
                bad.append("%s=%s is not relative" % (k, v))
                continue
            target = os.path.normpath(os.path.join(os.path.dirname(page), path))
            if not (target + "/").startswith(os.path.abspath(tree) + "/"):
                bad.append("%s=%s leaves the tree" % (k, v))
            elif not os.path.isfile(target):
                if not host_pages and os.path.basename(target) == "index.html" and \
                        os.path.dirname(os.path.dirname(target)) == os.path.abspath(tree):
                    skipped += 1
                else:
                    bad.append("%s=%s: no such file" % (k, v))
        report(not bad, rel + ": every relative link resolves to a file" +
               (" (%d host page links not checked: no host page in the tree)" % skipped if skipped else ""),
               "; ".join(bad[:5]))
        if rel != "index.html":
            md = [f for f in os.listdir(os.path.dirname(page)) if f.endswith(".md")]
            if len(md) == 1:
                want = md_blocks(os.path.join(os.path.dirname(page), md[0]))
                got = {"h": sum(1 for e in p.elements if re.fullmatch("h[1-6]", e[0])),
                       "table": sum(1 for e in p.elements if e[0] == "table"),
                       "pre": sum(1 for e in p.elements if e[0] == "pre")}
                report(got == want, rel + ": the headings, tables and code blocks of " + md[0],
                       "page %s, Markdown %s" % (got, want))
        if rel == "index.html":
            n_rows = count_rows(page)
            report(n_rows == len(reports), "index.html: one row per report.json (%d)" % len(reports),
                   "%d rows" % n_rows)
            counts = {v: 0 for v in VERDICTS}
            for h, w, j in reports:
                counts[j["verdict"]["name"]] = counts.get(j["verdict"]["name"], 0) + 1
            shown = verdict_counts(page)
            report(shown == counts, "index.html: the counts per verdict of the report.json files",
                   "page %s, report.json %s" % (shown, counts))


def md_blocks(path):
    """Headings, tables and fenced code blocks of a report's Markdown."""
    n = {"h": 0, "table": 0, "pre": 0}
    fence = False
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("```"):
                n["pre"] += not fence
                fence = not fence
            elif fence:
                continue
            elif re.match(r"#{1,6} ", line):
                n["h"] += 1
            elif re.fullmatch(r"\|[-:| ]*-[-:| ]*\|?\s*", line):
                n["table"] += 1
    return n


class Rows(html.parser.HTMLParser):
    """The rows of <table id=reports>'s tbody and the verdict count table."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.in_reports = self.in_tbody = False
        self.rows = []  # (attrs, [cell texts])
        self.counts = {}
        self.cur = None
        self.cell = None
        self.count_row = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and a.get("id") == "reports":
            self.in_reports = True
        elif tag == "tbody" and self.in_reports:
            self.in_tbody = True
        elif tag == "tr" and self.in_tbody:
            self.cur = (a, [])
        elif tag == "tr" and "data-verdict" in a:
            self.count_row = (a["data-verdict"], [])
            self.cur = None
        elif tag == "td" and (self.cur or self.count_row):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            (self.cur or self.count_row)[1].append("".join(self.cell))
            self.cell = None
        elif tag == "tr" and self.cur:
            self.rows.append(self.cur)
            self.cur = None
        elif tag == "tr" and self.count_row:
            self.counts[self.count_row[0]] = int(self.count_row[1][1])
            self.count_row = None
        elif tag == "tbody":
            self.in_tbody = False
        elif tag == "table":
            self.in_reports = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def rows_of(path):
    r = Rows()
    with open(path, encoding="utf-8") as f:
        r.feed(f.read())
    r.close()
    return r


def count_rows(path):
    return len(rows_of(path).rows)


def verdict_counts(path):
    return rows_of(path).counts


def dom(path, kind, expects):
    p = parse(path)
    name = os.path.basename(path)
    bad = []
    scripts = [e for e in p.elements if e[0] == "script"]
    if len(scripts) != (1 if kind == "index" else 0):
        bad.append("%d <script> elements" % len(scripts))
    for t, a, st in p.elements:
        for k in a:
            if k.startswith("on"):
                bad.append("<%s %s=...>" % (t, k))
        if t in ("iframe", "object", "embed", "form", "base", "frame", "svg", "math", "link"):
            bad.append("<%s>" % t)
        if t == "img":
            src = a.get("src", "")
            if not (re.fullmatch(r"[A-Za-z0-9._-]+\.svg", src) or src.startswith("data:")):
                bad.append("<img src=%s>" % src)
        for k in ("href", "src"):
            if a.get(k, "").lower().lstrip().startswith(("javascript:", "data:text", "vbscript:")):
                bad.append("<%s %s=%s>" % (t, k, a[k]))
    report(not bad, name + " (%s DOM): no injected element or handler" % kind, "; ".join(bad[:5]))
    text = "".join(p.text)
    rows = rows_of(path).rows
    for e in expects:
        k, _, v = e.partition("=")
        if k == "text":
            report(v in text, name + ": shows %r as text" % v, "not in the page's text")
        elif k == "rows":
            report(len(rows) == int(v), name + ": %s rows" % v, "%d rows" % len(rows))
        elif k == "shown":
            n = sum(1 for a, c in rows if "hidden" not in a)
            report(n == int(v), name + ": %s rows shown" % v, "%d shown" % n)
        elif k == "imgs>":
            n = sum(1 for t, a, st in p.elements if t == "img" and a.get("src", "").endswith(".svg"))
            report(n >= int(v), name + ": at least %s flame graph images" % v, "%d" % n)
        else:
            report(False, "unknown expectation " + e)


def main(argv):
    if len(argv) >= 3 and argv[1] == "static":
        static(argv[2])
    elif len(argv) >= 4 and argv[1] == "dom":
        dom(argv[2], argv[3], argv[4:])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
