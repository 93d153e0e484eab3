#!/bin/bash
# tests/site/site.sh -- the investigations site (index.html, report.html)
# of a tree made by `flarewatch analyze` from the real fixture flares
# (tests/fixtures/flares/*.zip) plus a hostile one: the leak fixture whose
# real Go profiles get, with tests/analyze/pprof_edit.py, a function named
# <script>alert(1)</script> and one named "><img src=x onerror=alert(1)>,
# and whose status.log gets a hostname holding <, " and an <img onerror>.
# Then `flarewatch index` writes every page again. Checked by
# tests/site/site_check.py (standard library only, independent of
# flarewatch):
#  - the HTML as written: well formed, the CSP meta tag (hashes computed by
#    hashlib), one index row per report.json (counted there), the counts
#    per verdict, every relative link resolves;
#  - in headless Chromium (Debian's chromium, --dump-dom from file://): no
#    injected element or handler, the hostile names shown as text, the
#    index's script ran under the CSP (it writes "N of N reports shown"),
#    the filter from the address works (index.html#verdict=...), the flame
#    graphs are images of the report's SVGs; the checker itself rejects a
#    planted <img onerror>. A screenshot of the index and of the hostile
#    report is saved as tests/site/*.png under the build folder.
# The browser part is skipped when chromium is missing.
# TAP on stdout; see tests/analyze/common.sh for the environment.

# shellcheck source=tests/analyze/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../analyze/common.sh"
fa_require_binary
command -v python3 >/dev/null 2>&1 || fa_bail "python3 is needed"
fa_extractor || fa_bail "$fa_extract_why"
check=$abs_top_srcdir/tests/site/site_check.py
edit=$abs_top_srcdir/tests/analyze/pprof_edit.py
tree=$fa_tmp/tree

# site_check ARGS...: the checker's "ok"/"not ok" lines as TAP results.
site_check() {
	local line
	while IFS= read -r line; do
		case $line in
		"ok "*) fa_ok "${line#ok }" ;;
		"not ok "*) fa_not_ok "${line#not ok }" ;;
		*) echo "# $line" ;;
		esac
	done < <(python3 "$check" "$@" 2>&1)
}

# ---- the tree: every fixture flare, and a hostile one ------------------------
n=0
while IFS= read -r zip; do
	fa_run "$fa_tmp/a$n" analyze -c "$fa_cfg" -o "$tree" "$zip"
	if [ "$fa_rc" -ne 0 ] && [ "$fa_rc" -ne 1 ]; then
		fa_not_ok "analyze $(basename "$zip")"
		fa_describe_run
	fi
	n=$((n + 1))
done < <(fa_fixture_zips)
[ "$n" -gt 0 ] || fa_bail "no fixture flare in $fa_flares"

SCRIPT='<script>alert(1)</script>'
IMG='"><img src=x onerror=alert(1)>'
HOST='evil<b>"host'"$IMG"
zip=$(fa_fixture_zips | grep '/leak-datadog-agent-' | head -n 1)
hostile=$fa_tmp/hostile
fa_extract "$zip" "$hostile" || fa_bail "cannot extract $zip"
root=$(find "$hostile" -mindepth 1 -maxdepth 1 -type d | head -n 1)
for p in "$root"/profiles/core-*heap.pprof; do
	python3 "$edit" rename "$p" 'flaregen/pkg/aggregator.(*ContextResolver).trackContext' "$SCRIPT" &&
		python3 "$edit" rename "$p" 'flaregen/pkg/aggregator.(*BufferedAggregator).handleSeries' "$IMG" ||
		fa_bail "pprof_edit.py rename failed on $p"
done
HN=$HOST perl -0pi -e 's/^  hostname: fixture-leak-01$/  hostname: $ENV{HN}/m' "$root/status.log"
grep -qF "hostname: $HOST" "$root/status.log" || fa_bail "status.log of $zip has no hostname line to change"
fa_run "$fa_tmp/hostile" analyze -c "$fa_cfg" -o "$tree" "$root"
if [ "$fa_rc" -eq 0 ] || [ "$fa_rc" -eq 1 ]; then
	fa_ok "analyze the hostile flare"
else
	fa_not_ok "analyze the hostile flare"
	fa_describe_run
fi
hmd=$(grep -lF "$SCRIPT" "$tree"/*/*/flare-profiling-*.md | head -n 1)
if [ -n "$hmd" ]; then
	fa_ok "the hostile report names the function $SCRIPT"
else
	fa_not_ok "the hostile report names the function $SCRIPT"
fi
hdir=$(dirname "${hmd:-$tree/x/y/z}")

# The pages as analyze wrote them.
site_check static "$tree"

# A report folder planted in the group-writable tree: a copy of the hostile
# report whose report.json holds the hostile strings where the index reads
# them (flare.hostname, the summary).
planted=$tree/planted-host/20241003T000000Z
mkdir -p "$planted" && cp "$hdir"/* "$planted"/ &&
	PHOST="$HOST" PSCRIPT="$SCRIPT" python3 - "$planted/report.json" <<-'EOF' || fa_bail "cannot plant $planted"
		import json, os, sys
		d = json.load(open(sys.argv[1]))
		d["flare"]["hostname"] = os.environ["PHOST"]
		d["verdict"]["summary"] = "planted " + os.environ["PSCRIPT"]
		json.dump(d, open(sys.argv[1], "w"))
	EOF

# Every page written again by `flarewatch index`.
fa_run "$fa_tmp/index" index -o "$tree"
fa_check_rc "flarewatch index" 0
site_check static "$tree"
nreports=$(find "$tree" -mindepth 3 -maxdepth 3 -name report.json | wc -l)
size=$(wc -c <"$tree/index.html")
echo "# index.html: $size bytes for $nreports reports"

# ---- in the browser ------------------------------------------------------------
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
	fa_skip "headless chromium loads the pages" "chromium is not installed (packaging/test-deps.txt)"
	fa_finish
fi
profile=$fa_tmp/chromium-profile
# chrome ARGS...: headless chromium, a private profile, nothing from the network.
chrome() {
	"${fa_timeout[@]}" "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$profile" "$@" 2>>"$fa_tmp/chromium.err"
}
# dump NAME URL: the DOM after load into $fa_tmp/NAME.html.
dump() {
	if chrome --dump-dom "$2" >"$fa_tmp/$1.html" && [ -s "$fa_tmp/$1.html" ]; then
		return 0
	fi
	fa_not_ok "chromium --dump-dom $2"
	fa_diag_file "$fa_tmp/chromium.err" 20
	return 1
}

# the index shows report.json's flare.hostname (the report folder's is made
# safe for paths by flarewatch)
hhost=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["flare"]["hostname"])' "$hdir/report.json")
echo "# the hostile flare's hostname in report.json: $hhost"
if dump index "file://$tree/index.html"; then
	site_check dom "$fa_tmp/index.html" index "rows=$nreports" "shown=$nreports" \
		"text=$nreports of $nreports reports shown" "text=$hhost" "text=$HOST" "text=planted $SCRIPT"
fi
# the filter from the address: the MEMORY LEAK reports, as report.json says
nleak=$(grep -l '"name": *"MEMORY LEAK"' "$tree"/*/*/report.json | wc -l)
if dump filtered "file://$tree/index.html#verdict=MEMORY%20LEAK"; then
	site_check dom "$fa_tmp/filtered.html" index "rows=$nreports" "shown=$nleak" \
		"text=$nleak of $nreports reports shown"
fi
k=0
for page in "$tree"/*/*/report.html; do
	k=$((k + 1))
	nsvg=$(find "$(dirname "$page")" -maxdepth 1 -name '*.svg' | wc -l)
	if [ "$(dirname "$page")" = "$hdir" ]; then
		dump hostile-report "file://$page" &&
			site_check dom "$fa_tmp/hostile-report.html" report "imgs>=$nsvg" "text=$SCRIPT" "text=$IMG" \
				"text=$HOST"
	else
		dump "report$k" "file://$page" && site_check dom "$fa_tmp/report$k.html" report "imgs>=$nsvg"
	fi
done

# The checker can fail: a planted handler and a second script are found.
sed 's|</body>|<img src="x" onerror="alert(1)"><script>alert(2)</script></body>|' "$fa_tmp/index.html" \
	>"$fa_tmp/planted.html"
if python3 "$check" dom "$fa_tmp/planted.html" index | grep -q '^not ok .*no injected element'; then
	fa_ok "site_check.py rejects a planted <img onerror> and <script>"
else
	fa_not_ok "site_check.py rejects a planted <img onerror> and <script>"
fi

# Screenshots, kept under the build folder as artefacts.
shots=$abs_top_builddir/tests/site
mkdir -p "$shots"
for s in "index:$tree/index.html" "hostile-report:$hdir/report.html"; do
	png=$shots/${s%%:*}.png
	rm -f "$png"
	chrome --screenshot="$png" --window-size=1400,1000 "file://${s#*:}" >/dev/null
	if [ -s "$png" ] && [ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then
		fa_ok "screenshot $png"
	else
		fa_not_ok "screenshot $png"
		fa_diag_file "$fa_tmp/chromium.err" 20
	fi
done
fa_finish
