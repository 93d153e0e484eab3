#!/bin/bash
# tests/bench/site_bench.sh -- the investigations site at 1,000 reports
# (BENCH_REPORTS): analyzes the fixture flares once, copies their report
# folders into a tree of 1,000 with varied hostnames (50 hosts) and flare
# times (report.json's flare.hostname and flare.time rewritten), runs
# `flarewatch index` on it, and prints index.html's size (it must stay under
# 1 MB) and its load time in headless Chromium: the median wall time of
# `chromium --dump-dom` on index.html minus that on the index of an empty
# tree (the browser's own start), BENCH_REPS runs each. A benchmark, not a
# test: it prints figures and never fails.
#   bash tests/bench/site_bench.sh     (in the build folder, after make)
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

chromium=$(command -v chromium || command -v chromium-browser || true)
nrep=${BENCH_REPORTS:-1000}
seed=$tmp/seed tree=$tmp/tree empty=$tmp/empty
mkdir -p "$seed" "$tree" "$empty"
for z in "$abs_top_srcdir"/tests/fixtures/flares/*-datadog-agent-*.zip; do
	"$FLAREWATCH" analyze -o "$seed" "$z" >/dev/null 2>&1
done
python3 - "$seed" "$tree" "$nrep" <<'EOF' || { echo "$bench_name: cannot build the tree; skipping"; exit 0; }
import json, os, shutil, sys, datetime
seed, tree, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
folders = sorted(os.path.join(seed, h, w) for h in os.listdir(seed) if os.path.isdir(os.path.join(seed, h))
                 for w in os.listdir(os.path.join(seed, h)) if os.path.isfile(os.path.join(seed, h, w, "report.json")))
t0 = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
for i in range(n):
    src = folders[i % len(folders)]
    host = "host-%02d.example.internal" % (i % 50)
    t = t0 + datetime.timedelta(hours=7 * i, minutes=i % 60)
    dst = os.path.join(tree, host, t.strftime("%Y%m%dT%H%M%SZ"))
    shutil.copytree(src, dst)
    p = os.path.join(dst, "report.json")
    d = json.load(open(p))
    d["flare"]["hostname"] = host
    d["flare"]["time"] = t.strftime("%Y-%m-%dT%H:%M:%SZ")
    json.dump(d, open(p, "w"))
EOF
"$FLAREWATCH" index -o "$empty" >/dev/null 2>&1
stamp
t0=$now_ns
"$FLAREWATCH" index -o "$tree" >/dev/null 2>"$tmp/index.err" || { cat "$tmp/index.err"; exit 0; }
stamp
echo "flarewatch index on $nrep reports (index.md, index.html and every report.html): $(((now_ns - t0) / 1000000)) ms"
size=$(wc -c <"$tree/index.html")
rows=$(grep -c '<td class="t">' "$tree/index.html")
echo "index.html: $size bytes ($((size / 1024)) KiB), $rows rows for $nrep reports$([ "$size" -lt 1000000 ] && echo ', under 1 MB' || echo ', OVER 1 MB')"
if [ -z "$chromium" ]; then
	echo "$bench_name: chromium not installed: no load time"
	exit 0
fi
load() {
	"$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$tmp/profile" --dump-dom "file://$1" >"$tmp/dom.html" 2>/dev/null
}
full=$(median_ms load "$tree/index.html")
base=$(median_ms load "$empty/index.html")
echo "headless chromium --dump-dom, median of $reps: index.html of $nrep reports $full ms, of 0 reports $base ms"
awk -v a="$full" -v b="$base" 'BEGIN { if (a != "err" && b != "err") printf "load time of the index (difference): %.0f ms\n", a - b }'
# The browser's own figures: a copy of index.html with one more script
# (allowed by its hash in the copy's CSP) that puts the Navigation Timing
# figures in the title once the page has loaded.
python3 - "$tree/index.html" "$tree/index-timed.html" <<'EOF2'
import base64, hashlib, re, sys
js = ('window.addEventListener("load",function(){setTimeout(function(){var t=performance.timing;'
      'document.title="T "+(t.domContentLoadedEventEnd-t.navigationStart)+" "+(t.loadEventEnd-t.navigationStart);},0);});')
h = "'sha256-" + base64.b64encode(hashlib.sha256(js.encode()).digest()).decode() + "'"
s = open(sys.argv[1], encoding="utf-8").read()
s = re.sub(r"(script-src '[^']*')", lambda m: m.group(1) + " " + h, s, count=1)
s = s.replace("</head>", "<script>" + js + "</script></head>", 1)
open(sys.argv[2], "w", encoding="utf-8").write(s)
EOF2
for ((i = 0; i < reps; i++)); do
	load "$tree/index-timed.html" && sed -n 's|.*<title>T \([0-9]*\) \([0-9]*\)</title>.*|\1 \2|p' "$tmp/dom.html"
done | sort -n | awk '{ d[NR] = $1; l[NR] = $2 } END { if (NR) { m = int((NR + 1) / 2);
	printf "Navigation Timing, median of %d: DOMContentLoaded %d ms, load %d ms (load average %s)\n", NR, d[m], l[m], la } }' \
	la="$(cut -d' ' -f1 /proc/loadavg 2>/dev/null)"
