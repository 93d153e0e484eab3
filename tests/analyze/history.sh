#!/bin/bash
# tests/analyze/history.sh -- a host's history across flares and the
# LONG-TERM GROWTH finding, with the fixture series
# tests/fixtures/flares/history/ (one Go process flared three times while
# its retained heap grows, then a restart, then an upgrade; real profiles
# and MemStats) analyzed in order into one tree with `flarewatch analyze -o`:
#  - history_check.py facts: the fitted HeapAlloc, Sys and goroutine rates
#    per hour of flare 3 equal a least-squares fit computed in Python from
#    the flares' own expvar/memstats, goroutine dumps and status.log times;
#    HeapAlloc and Sys fire (MEMORY LEAK, the rule and rate in the summary)
#    though the flare alone fired no rule; flare 2 (1 h) does not fire;
#    flares 4 and 5 say "restarted" / "upgraded 7.58.2 → 7.59.0", are not
#    fitted across, and are compared with the flare before; every history
#    row is its flare's facts;
#  - thresholds.long_term_* from the configuration (--set): above the rate,
#    flare 3 is NORMAL;
#  - `flarewatch history HOST -o DIR --json` validates against
#    schema/history.schema.json and each row equals its report.json
#    (history_check.py cli); the text form names the restart and upgrade;
#    an unknown host exits 1;
#  - the host page DIR/<host>/index.html, as headless Chromium parses it
#    (--dump-dom): a row per flare, four charts with their points, the
#    restart and upgrade marked; a planted report.json whose hostname and
#    function are HTML gets a page where they are text, with no script, img
#    or on* attribute (skipped without chromium); one whose hostname,
#    version and function hold a bidi override, C1 and C0 controls: the
#    text form shows them escaped and keeps each row's fields.
# TAP on stdout; see tests/analyze/common.sh for the environment.

# shellcheck source=tests/analyze/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
fa_require_binary

zipdir=$abs_top_srcdir/tests/fixtures/flares/history
check_py=$abs_top_srcdir/tests/analyze/history_check.py
validator=$abs_top_srcdir/tests/schema/validate.py
host=fixture-history-01
tree=$fa_tmp/tree

# history_check.py's lines as TAP
py_checks() {
	local line out
	if ! out=$(python3 "$check_py" "$@" 2>&1); then
		fa_not_ok "history_check.py $1 ran"
		printf '%s\n' "$out" | sed -n '1,40p' | sed 's/^/# /'
		return
	fi
	while IFS= read -r line; do
		case $line in
		"ok "*) fa_ok "${line#ok }" ;;
		*) fa_not_ok "${line#not ok }" ;;
		esac
	done <<<"$out"
}

mkdir -p "$tree"
n=0
for z in "$zipdir"/history-*.zip; do
	n=$((n + 1))
	fa_run "$fa_tmp/a$n" analyze -o "$tree" "$z"
	fa_check "flare $n analyzed" fa_check_rc 0
done
py_checks facts "$zipdir" "$tree"

# the thresholds come from the configuration
t2=$fa_tmp/tree2
mkdir -p "$t2"
for k in 1 2 3; do
	fa_run "$fa_tmp/b$k" analyze -o "$t2" --set thresholds.long_term_heap_growth_per_hour=1GiB \
		--set thresholds.long_term_sys_growth_per_hour=1GiB "$zipdir"/history-$k-*.zip
done
fa_check "thresholds.long_term_* of 1 GiB/h: flare 3 is NORMAL" grep -q '"kind":"normal"' "$t2"/$host/20241002T123000Z/report.json
fa_run "$fa_tmp/b4" analyze -o "$t2" --set thresholds.long_term_min_hours=3 "$zipdir"/history-3-*.zip
fa_check "thresholds.long_term_min_hours=3 (flares 2.5 h apart): NORMAL" \
	grep -q '"kind":"normal"' "$t2"/$host/20241002T123000Z-2/report.json

# flarewatch history
fa_run "$fa_tmp/h" history $host -o "$tree" --json
fa_check "flarewatch history --json: exit 0" fa_check_rc 0
if python3 -c 'import jsonschema' 2>/dev/null; then
	fa_check "flarewatch history --json validates against schema/history.schema.json" \
		python3 -c 'import json,sys,jsonschema
s=json.load(open(sys.argv[1])); jsonschema.Draft202012Validator.check_schema(s)
jsonschema.Draft202012Validator(s).validate(json.load(open(sys.argv[2])))' \
		"$abs_top_srcdir/schema/history.schema.json" "$fa_tmp/h.out"
else
	fa_skip "flarewatch history --json validates against its schema" "python3-jsonschema is not installed"
fi
py_checks cli "$tree" "$fa_tmp/h.out"
fa_run "$fa_tmp/ht" history $host -o "$tree"
fa_check "flarewatch history (text): the restart and the upgrade" \
	grep -q $'\tagent restarted\t.*\n*' "$fa_tmp/ht.out"
fa_check "flarewatch history (text): upgraded 7.58.2 -> 7.59.0" grep -qF 'upgraded 7.58.2 -> 7.59.0' "$fa_tmp/ht.out"
fa_run "$fa_tmp/hn" history no-such-host -o "$tree"
fa_check "flarewatch history of an unknown host: exit 1, saying so" \
	sh -c '[ "$1" = 1 ] && grep -q "no report of host no-such-host" "$2"' - "$fa_rc" "$fa_tmp/hn.err"

# plant DIR HOSTNAME VERSION FUNCTION: a copy of the first report of $host
# in DIR with that hostname (and agent version, unless empty) and that top
# growth function of the core agent
plant() {
	mkdir -p "$1"
	python3 - "$tree/$host/20241002T100000Z" "$@" <<'EOF'
import json, os, shutil, sys
src, dst, hostname, version, function = sys.argv[1:6]
d = json.load(open(os.path.join(src, "report.json")))
d["flare"]["hostname"] = hostname
if version:
    d["flare"]["agent_version"] = version
for p in d["processes"]:
    if p["name"] == "core":
        p["heap_growth"]["top_app_function"] = {"function": function, "value": 1}
json.dump(d, open(os.path.join(dst, "report.json"), "w"))
shutil.copy(os.path.join(src, d["report"]["markdown"]), dst)
EOF
}

# a planted report with HTML in its hostname and top growth function
evil=$tree/evil-host/20241002T100000Z
plant "$evil" '<script>alert(1)</script>"><img src=x onerror=alert(2)>' "" '<img src=x onerror=alert(3)>'
# a planted report whose hostname, version and top growth function hold a
# bidi override, a C1 control and C0 controls: the text form shows them as
# visible escapes (the tree's reader makes C0 controls blanks) and keeps
# each row's 13 fields
term=$tree/term-host/20241002T100000Z
plant "$term" "$(printf 'term-host\342\200\256\302\23331m')" "$(printf '7.58.2\342\200\256\033[2J')" \
	"$(printf 'main.leak\342\200\256\302\2332J\033]0;x\007')"
# no_controls FILE: no control character but tab and newline, no C1
# control, no U+202E
no_controls() {
	! LC_ALL=C tr -d '\t\n' <"$1" | LC_ALL=C grep -q '[[:cntrl:]]' &&
		! LC_ALL=C grep -qE "$(printf '\342\200\256|\302[\200-\237]')" "$1"
}
# row_fields FILE TEXT N: exactly one line holds TEXT, with N tab-separated fields
row_fields() {
	[ "$(grep -cF -- "$2" "$1")" = 1 ] && [ "$(grep -F -- "$2" "$1" | awk -F'\t' '{ print NF }')" = "$3" ]
}
fa_run "$fa_tmp/tt" history "$(printf 'term-host\342\200\256\302\23331m')" -o "$tree"
fa_check "history of a host named with controls (text): exit 0" fa_check_rc 0
fa_check "... no control character or bidi override reaches the output" no_controls "$fa_tmp/tt.out"
fa_check "... the host is named with visible escapes" grep -qxF 'host term-host\u202e\u009b31m: 1 flare' "$fa_tmp/tt.out"
fa_check "... its row keeps 13 tab-separated fields, the function and version escaped" \
	row_fields "$fa_tmp/tt.out" '7.58.2\u202e [2J' 13
fa_check "... the function escaped" grep -qF 'main.leak\u202e\u009b2J ]0;x ' "$fa_tmp/tt.out"

fa_run "$fa_tmp/ix" index -o "$tree"
fa_check "flarewatch index writes the host pages" test -f "$tree/evil-host/index.html" -a -f "$tree/$host/index.html"

chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
	for what in "host page in headless Chromium" "hostile host page in headless Chromium"; do
		fa_skip "$what" "chromium is not installed"
	done
else
	dump() { # PAGE OUT
		local prof
		prof=$(mktemp -d "$fa_tmp/chromium.XXXXXX")
		timeout 60 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
			--disable-background-networking --disable-component-update --disable-sync \
			--user-data-dir="$prof" --dump-dom "file://$1" >"$2" 2>"$2.err"
	}
	if dump "$tree/$host/index.html" "$fa_tmp/host.dom"; then
		fa_ok "host page loads in headless Chromium"
		py_checks dom "$fa_tmp/host.dom" 5
	else
		fa_not_ok "host page loads in headless Chromium"
		fa_diag_file "$fa_tmp/host.dom.err" 20
	fi
	if dump "$tree/evil-host/index.html" "$fa_tmp/evil.dom"; then
		fa_ok "hostile host page loads in headless Chromium"
		py_checks hostile "$fa_tmp/evil.dom" 1
	else
		fa_not_ok "hostile host page loads in headless Chromium"
		fa_diag_file "$fa_tmp/evil.dom.err" 20
	fi
fi
fa_finish
