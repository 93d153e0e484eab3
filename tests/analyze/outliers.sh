#!/bin/bash
# tests/analyze/outliers.sh -- `flarewatch outliers` and the site's
# outliers.html, on trees made from real reports:
#  - the fixture flares are analyzed once into a tree (9 real hosts); the
#    normal flare's report folder is then copied under 20 hostnames by
#    outliers_tree.py, which edits the copies' report.json figures to an
#    even +-10% spread and plants ONE outlier: web-13's HeapAlloc is 8 times
#    the template's (and its Sys as much larger, as in a real process);
#  - every --json output validates against schema/outliers.schema.json, and
#    its groups, medians, MADs and outliers (value, median, z to 1e-4) are
#    those that outliers_check.py computes independently from the same
#    report.json files with Python's statistics.median;
#  - the planted outlier is found, and nothing else: no false positive
#    among the 19 others; the text output says the same; --threshold;
#  - MAD 0 (every host's goroutines equal but one): the mean absolute
#    deviation takes over, the one host is found;
#  - fewer than 5 hosts: refused with a clear message (exit 1); 5: compared;
#  - hostile hostnames (<script>..., "><img ...>) in report.json: plain
#    strings in the JSON, inert in outliers.html; one with terminal
#    controls (ESC, BEL, tab, newline, CR, a bidi override): visible
#    escapes in the text output, its lines keep their 7 fields;
#  - --per-version: 14 hosts of 7.58.2, 5 of 7.55.1 with 3x the memory, 1
#    of 7.60.0: together the 7.55.1 hosts stand out, within their version
#    they do not; the lone 7.60.0 host is not compared;
#  - outliers.html (written by `flarewatch index`) loads in headless
#    chromium (skipped without it) with the rows present and no injected
#    element.
# TAP on stdout; see tests/analyze/common.sh for the environment.

# shellcheck source=tests/analyze/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
fa_require_binary

command -v python3 >/dev/null 2>&1 || { echo "1..0 # SKIP python3 is needed"; exit 0; }
fa_have_jq || { echo "1..0 # SKIP jq is needed"; exit 0; }
here=$abs_top_srcdir/tests/analyze
schema=$abs_top_srcdir/schema/outliers.schema.json
py=$(fw_schema_python)

# ---- the real reports ----------------------------------------------------------------
real=$fa_tmp/real
mkdir -p "$real"
while IFS= read -r z; do
	fa_run "$fa_tmp/a" analyze -c "$fa_cfg" -o "$real" "$z"
	[ "$fa_rc" -eq 0 ] || fa_bail "analyze $z failed: $(head -c 300 "$fa_tmp/a.err")"
done < <(fa_fixture_zips)
template=$(dirname "$(ls "$real"/fixture-normal-01/*/report.json | head -n 1)")
[ -d "$template" ] || fa_bail "no report of the normal fixture flare"

# agree NAME TREE JSON [ARGS...]: JSON validates and agrees with
# outliers_check.py's computation over TREE (a skip without jsonschema,
# unless required)
agree() {
	local name=$1 tree=$2 json=$3 out rc
	shift 3
	out=$("$py" "$here/outliers_check.py" "$tree" "$json" "$schema" "$@" 2>&1)
	rc=$?
	if [ $rc = 3 ] && ! fw_schema_required; then
		fa_skip "$name" "python3-jsonschema not installed"
	elif [ $rc = 0 ]; then
		fa_ok "$name"
	else
		fa_not_ok "$name"
		printf '%s\n' "$out" | sed -n '1,30p' | sed 's/^/# /'
	fi
}
# expect TREE [ARGS...]: the independent outliers, "group host process metric" lines
expect() {
	python3 "$here/outliers_check.py" --expected "$@" | cut -f1-4 | sort
}
# got JSON: ours, the same way
got() {
	python3 -c 'import json,sys
for g in json.load(open(sys.argv[1]))["groups"]:
    for o in g["outliers"]:
        print("%s\t%s\t%s\t%s" % (g["agent_version"], o["hostname"], o["process"], o["metric"]))' "$1" | sort
}
same_lines() { # WANT GOT
	[ "$1" = "$2" ] || { printf 'want:\n%s\ngot:\n%s\n' "$1" "$2"; return 1; }
}

fa_run "$fa_tmp/r" outliers -o "$real" --json
fa_check_rc "9 real reports: exit 0" 0
agree "... the JSON validates and agrees with statistics.median over the report.json files" "$real" "$fa_tmp/r.out"

# ---- 20 hosts, one planted outlier -------------------------------------------------------
t20=$fa_tmp/t20
python3 "$here/outliers_tree.py" "$template" "$t20" --hosts 20 --outlier web-13 || fa_bail "outliers_tree.py failed"
fa_run "$fa_tmp/j20" outliers -o "$t20" --json
fa_check_rc "20 hosts, web-13's HeapAlloc planted 8x: exit 0" 0
agree "... the JSON validates and agrees with the independent computation" "$t20" "$fa_tmp/j20.out"
fa_check "... the independent computation finds web-13's HeapAlloc and Sys, nothing among the 19 others" \
	same_lines "$(printf 'None\tweb-13\tcore\theap_alloc\nNone\tweb-13\tcore\tsys')" "$(expect "$t20")"
fa_check "... and so do we" same_lines "$(expect "$t20")" "$(got "$fa_tmp/j20.out")"
fa_check "... largest |z| first: HeapAlloc" eval \
	'[ "$(jq -r ".groups[0].outliers[0].metric" "$fa_tmp/j20.out")" = heap_alloc ]'
fa_run "$fa_tmp/x20" outliers -o "$t20"
fa_check_rc "text output: exit 0" 0
text_rows() { # host, process, metric, value, median, z of the text lines
	grep -v '^#' "$1" | cut -f1-6
}
json_rows() {
	python3 -c 'import json,sys
names = {"heap_alloc": "HeapAlloc", "sys": "Sys", "goroutines": "goroutines", "cpu_ns_per_s": "CPU", "growth_30s": "heap growth/30s"}
for g in json.load(open(sys.argv[1]))["groups"]:
    for o in g["outliers"]:
        m = o["median"]
        print("%s\t%s\t%s\t%d\t%s\t%+.2f" % (o["hostname"], o["process"], names[o["metric"]], o["value"],
              ("%d" % m) if m == int(m) else ("%.1f" % m), o["z"]))' "$1"
}
fa_check "... the text lines are the JSON's outliers (value, median, z to 2 decimals)" \
	same_lines "$(json_rows "$fa_tmp/j20.out")" "$(text_rows "$fa_tmp/x20.out")"
fa_check "... each line links the host's report" grep -qF "$t20/web-13/" "$fa_tmp/x20.out"
z=$(jq '.groups[0].outliers[0].z' "$fa_tmp/j20.out")
fa_run "$fa_tmp/th" outliers -o "$t20" --threshold "$(python3 -c "print($z + 0.01)")" --json
fa_check_rc "--threshold just above web-13's z: exit 0" 0
fa_check "... no outlier on HeapAlloc any more" eval \
	'! jq -e ".groups[0].outliers[] | select(.metric == \"heap_alloc\")" "$fa_tmp/th.out" >/dev/null'
fa_run "$fa_tmp/th1" outliers -o "$t20" -t 1 --json
fa_check_rc "--threshold 1: exit 0" 0
agree "... agrees with the independent computation at 1" "$t20" "$fa_tmp/th1.out" --threshold 1
for bad in 0 -1 x nan inf; do
	fa_run "$fa_tmp/bad" outliers -o "$t20" --threshold "$bad"
	fa_check_rc "--threshold $bad: usage error" 2
done
fa_run "$fa_tmp/bad" outliers -o "$t20" -c "$fa_cfg"
fa_check_rc "-c and -o together: usage error" 2

# ---- MAD 0 ---------------------------------------------------------------------------------
flat=$fa_tmp/flat
python3 "$here/outliers_tree.py" "$template" "$flat" --hosts 20 --outlier web-07 --flat --factor 1 ||
	fa_bail "outliers_tree.py --flat failed"
fa_run "$fa_tmp/jf" outliers -o "$flat" --json
fa_check_rc "MAD 0: 19 hosts with 50 goroutines, web-07 with 52: exit 0" 0
agree "... agrees with the independent computation (mean absolute deviation)" "$flat" "$fa_tmp/jf.out"
fa_check "... the goroutines' MAD is 0, scaled by the mean absolute deviation" eval \
	'[ "$(jq -r ".groups[0].series[] | select(.process == \"core\" and .metric == \"goroutines\") | [.mad, .scale_kind] | @tsv" "$fa_tmp/jf.out")" = "$(printf "0\tmean_abs_dev")" ]'
fa_check "... web-07's goroutines found" same_lines "$(printf 'None\tweb-07\tcore\tgoroutines')" "$(got "$fa_tmp/jf.out" | grep goroutines)"

# ---- fewer than the minimum ---------------------------------------------------------------------
few=$fa_tmp/few
python3 "$here/outliers_tree.py" "$template" "$few" --hosts 4 --outlier web-01 || fa_bail "outliers_tree.py failed"
fa_run "$fa_tmp/few" outliers -o "$few"
fa_check_rc "4 hosts: refused (exit 1)" 1
fa_check "... saying why" grep -q "4 hosts, fewer than 5: too few to tell an outlier from the others" "$fa_tmp/few.err"
fa_run "$fa_tmp/fewj" outliers -o "$few" --json
agree "... --json still validates, not compared" "$few" "$fa_tmp/fewj.out"
python3 "$here/outliers_tree.py" "$template" "$fa_tmp/five" --hosts 5 --outlier web-03 || fa_bail "outliers_tree.py failed"
fa_run "$fa_tmp/five" outliers -o "$fa_tmp/five" --json
fa_check_rc "5 hosts: compared (exit 0)" 0
agree "... agrees with the independent computation" "$fa_tmp/five" "$fa_tmp/five.out"
mkdir "$fa_tmp/empty"
fa_run "$fa_tmp/empty" outliers -o "$fa_tmp/empty"
fa_check_rc "an empty tree: refused (exit 1)" 1
fa_run "$fa_tmp/nodir" outliers -o "$fa_tmp/no-such-tree"
fa_check_rc "no such tree: exit 1" 1
fa_check "... naming it" grep -qF "$fa_tmp/no-such-tree" "$fa_tmp/nodir.err"

# ---- hostile hostnames, --per-version -----------------------------------------------------------
hv=$fa_tmp/hv
python3 "$here/outliers_tree.py" "$template" "$hv" --hosts 20 --outlier web-02 --hostile \
	--version 7.58.2:14 --version 7.55.1:5:3 --version 7.60.0:1 || fa_bail "outliers_tree.py failed"
fa_run "$fa_tmp/hva" outliers -o "$hv" --json
fa_check_rc "hostile names, three versions, all together: exit 0" 0
agree "... agrees with the independent computation" "$hv" "$fa_tmp/hva.out"
fa_check "... the hostile host's name is a plain JSON string" eval \
	'jq -e ".groups[0].outliers[] | select(.hostname == \"<script>alert(1)</script>\" and .metric == \"heap_alloc\")" "$fa_tmp/hva.out" >/dev/null'
fa_check "... together, the five 7.55.1 hosts (3x memory) stand out too" eval \
	'[ "$(got "$fa_tmp/hva.out" | cut -f2 | sort -u | tr "\n" " ")" = "<script>alert(1)</script> web-15 web-16 web-17 web-18 web-19 " ]'
fa_run "$fa_tmp/hvp" outliers -o "$hv" --json --per-version
fa_check_rc "--per-version: exit 0" 0
agree "... agrees with the independent computation per version" "$hv" "$fa_tmp/hvp.out" --per-version
fa_check "... within its version only the planted host stands out" same_lines \
	"$(printf '7.58.2\t<script>alert(1)</script>\tcore\theap_alloc\n7.58.2\t<script>alert(1)</script>\tcore\tsys')" \
	"$(got "$fa_tmp/hvp.out")"
fa_check "... three groups; the lone 7.60.0 host is not compared" eval \
	'[ "$(jq -c "[.groups[] | [.agent_version, .hosts, .compared]]" "$fa_tmp/hvp.out")" = "[[\"7.55.1\",5,true],[\"7.58.2\",14,true],[\"7.60.0\",1,false]]" ]'
fa_run "$fa_tmp/hvt" outliers -o "$hv" --per-version
fa_check_rc "--per-version, text: exit 0" 0
fa_check "... says the 7.60.0 host is not compared" grep -q '^# agent 7.60.0: 1 host, fewer than 5: not compared$' "$fa_tmp/hvt.out"

# ---- terminal controls in a hostname, text mode ---------------------------------------------------
# no_controls FILE: no control character but tab and newline, no U+202E
no_controls() {
	! LC_ALL=C tr -d '\t\n' <"$1" | LC_ALL=C grep -q '[[:cntrl:]]' &&
		! LC_ALL=C grep -qF "$(printf '\342\200\256')" "$1"
}
# has_line TEXT FILE: FILE holds TEXT (else its outlier lines as diagnostics)
has_line() {
	grep -qF -- "$1" "$2" && return 0
	grep -v '^#' "$2" | sed -n '1,5p' | sed 's/^/# got: /'
	return 1
}
# fields7 FILE: at least one outlier line, each with 7 tab-separated fields
fields7() {
	grep -v '^#' "$1" | awk -F'\t' 'NF != 7 { bad++ } END { exit !(NR >= 1 && bad == 0) }'
}
ht=$fa_tmp/ht
python3 "$here/outliers_tree.py" "$template" "$ht" --hosts 20 --outlier web-02 --terminal ||
	fa_bail "outliers_tree.py failed"
fa_run "$fa_tmp/htt" outliers -o "$ht"
fa_check_rc "a hostname with terminal controls, text: exit 0" 0
fa_check "... no control character or bidi override reaches the output" no_controls "$fa_tmp/htt.out"
fa_check "... each outlier line keeps its 7 tab-separated fields" fields7 "$fa_tmp/htt.out"
# (the tree's reader makes each C0 control a space; the bidi override is
# escaped on output)
fa_check "... the host is named, its controls made visible or blank" has_line \
	'web-02 [31m ]0;pwned  fake line \u202eevil	core	HeapAlloc	' "$fa_tmp/htt.out"

# ---- outliers.html ---------------------------------------------------------------------------------
fa_run "$fa_tmp/ix" index -o "$hv"
fa_check_rc "flarewatch index writes the site's outliers.html" 0
fa_check "... outliers.html is there" test -s "$hv/outliers.html"
fa_check "... the hostile names are escaped in the file" eval \
	'grep -qF "&lt;script&gt;alert(1)&lt;/script&gt;" "$hv/outliers.html" && ! grep -qF "<script>alert" "$hv/outliers.html" && ! grep -q "<img" "$hv/outliers.html"'
chromium=
for b in chromium chromium-browser; do
	if command -v "$b" >/dev/null 2>&1; then chromium=$b; break; fi
done
if [ -z "$chromium" ]; then
	fa_skip "outliers.html loads in headless chromium" "chromium not installed"
else
	prof=$(mktemp -d "$fa_tmp/chromium.XXXXXX")
	"${fa_timeout[@]}" "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$prof" --dump-dom "file://$hv/outliers.html" >"$fa_tmp/dom.html" 2>"$fa_tmp/chromium.err"
	fa_check "outliers.html loads in headless chromium" test -s "$fa_tmp/dom.html"
	# the DOM: the outlier rows per section, their host cells, and the elements
	dom() {
		python3 - "$fa_tmp/dom.html" <<'EOF'
import sys
from html.parser import HTMLParser

class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.section, self.rows, self.hosts, self.tags, self.cell = None, {}, [], {}, None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags[tag] = self.tags.get(tag, 0) + 1
        if tag == "section":
            self.section = a.get("id")
        if tag == "tr" and a.get("class") == "outlier":
            self.rows[self.section] = self.rows.get(self.section, 0) + 1
        if tag == "td" and a.get("class") == "host":
            self.cell = ""
    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            self.hosts.append(self.cell)
            self.cell = None
    def handle_data(self, d):
        if self.cell is not None:
            self.cell += d

p = P()
p.feed(open(sys.argv[1], encoding="utf-8").read())
print("rows all=%d per-version=%d" % (p.rows.get("all", 0), p.rows.get("per-version", 0)))
print("script=%d img=%d iframe=%d" % (p.tags.get("script", 0), p.tags.get("img", 0), p.tags.get("iframe", 0)))
for h in sorted(set(p.hosts)):
    print("host " + h)
EOF
	}
	dom >"$fa_tmp/dom.txt"
	n_all=$(jq '.groups[0].outliers | length' "$fa_tmp/hva.out")
	n_per=$(jq '[.groups[].outliers[]] | length' "$fa_tmp/hvp.out")
	fa_check "... its outlier rows are those of flarewatch outliers: $n_all all together, $n_per per version" \
		grep -qx "rows all=$n_all per-version=$n_per" "$fa_tmp/dom.txt"
	fa_check "... no script, img or iframe element in the DOM" grep -qx 'script=0 img=0 iframe=0' "$fa_tmp/dom.txt"
	fa_check "... the hostile name is text in its cell" grep -qxF 'host <script>alert(1)</script>' "$fa_tmp/dom.txt"
	fa_check "... the rows link the reports" grep -qF 'href="web-02/20241002T142152Z/report.html"' "$fa_tmp/dom.html"
fi

fa_finish
