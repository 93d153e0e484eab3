#!/bin/bash
# tests/daemon/status.sh -- `flarewatch status` (issue 12: verdicts for the
# support group without journal access) on the real daemon and real
# fixture flares. Every fact it prints is checked against the files
# themselves, read here independently: the queue counts against the
# folders (find), the verdicts against each report.json (python3's json),
# the failed flares' reasons against the first line of their .error.txt;
# --json validates against schema/status.schema.json (tests/schema/
# validate.py). Also: the daemon state file while idle, analyzing (a slow
# flare) and after a refused reload; a stale state file (daemon killed,
# or its pid another program) is "not running", exit 3; terminal escapes,
# C1 and bidi controls in a hostname and in flare file names (analyzed and
# failed) never reach the output raw; an unreadable state folder is an
# error naming it (exit 1).
. "$(dirname "$0")/common.sh"
require_daemon
FLAREWATCH=${FLAREWATCH:-$abs_top_builddir/flarewatch}
[ -x "$FLAREWATCH" ] || skip_all "flarewatch not built ($FLAREWATCH)"
command -v python3 >/dev/null || skip_all "python3 not found"
FLARES=$abs_top_srcdir/tests/fixtures/flares
SCHEMA=$abs_top_srcdir/schema/status.schema.json
[ -f "$FLARES/normal-datadog-agent-2024-10-02T14-21-52Z-info.zip" ] || skip_all "no fixture flares in $FLARES"

# status ARGS...: runs flarewatch status -c $D/flarewatch.yaml ARGS; sets
# out (stdout's file), err and rc
n_run=0
status() {
	n_run=$((n_run + 1))
	out=$T/status-$n_run.out
	err=$T/status-$n_run.err
	"$FLAREWATCH" status -c "$D/flarewatch.yaml" "$@" >"$out" 2>"$err"
	rc=$?
}

# schema_ok FILE: FILE validates against schema/status.schema.json
py=$(fw_schema_python)
schema_ok() {
	local o r
	o=$("$py" "$abs_top_srcdir/tests/schema/validate.py" --schema "$SCHEMA" --quiet "$1" 2>&1)
	r=$?
	[ $r = 0 ] && return 0
	diag "$o"
	return 1
}
# check_schema NAME FILE: a TAP line for schema_ok (skipped without jsonschema
# unless the schema check is required, as tests/schema/sweep.sh does)
check_schema() {
	if ! "$py" -c 'import jsonschema' 2>/dev/null && ! fw_schema_required; then
		skip "$1" "python3-jsonschema not installed"
	else
		check "$1" schema_ok "$2"
	fi
}
# jget FILE EXPR [ARG...]: prints a Python expression on the JSON document j
# of FILE (ARGs are sys.argv[3:]); jtrue FILE EXPR [ARG...]: true if it is
jget() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }
jtrue() { python3 -c 'import json,re,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$@"; }
# c0_spaces STRING: STRING as the index keeps a flare file name (its C0
# controls and DEL as spaces, index.h)
c0_spaces() { python3 -c 'import re,sys; print(re.sub("[\x00-\x1f\x7f]", " ", sys.argv[1]))' "$1"; }

# has_raw_control FILE: a C0 control (but newline), DEL, a C1 control as
# UTF-8 or a bidi control reaches the output
has_raw_control() {
	python3 - "$1" <<'EOF'
import re, sys
t = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
sys.exit(0 if re.search("[\x00-\x09\x0b-\x1f\x7f\x80-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]", t) else 1)
EOF
}

daemon_up st settle_seconds=0 workers=1

# ---- an idle daemon, nothing analyzed -------------------------------------------------
status
check "idle: exit status 0" test "$rc" = 0
check "idle: says running, idle" grep -q '^flarewatchd: running, idle$' "$out"
check "idle: names its pid, the daemon's" grep -q "^  process: *$DPID, flarewatchd " "$out"
check "idle: the configuration file" grep -qF "configuration: $D/flarewatch.yaml, loaded " "$out"
check "idle: the STATUS= line, as systemd gets it" grep -q "^  status: *watching $D/incoming; 0 analyzed, 0 failed, 0 queued, 0 running; configuration $D/flarewatch.yaml loaded " "$out"
check "idle: empty queue, no verdicts" grep -q '^Queue: 0 waiting in incoming, 0 processing, 0 failed, 0 done$' "$out"
check "the state file is group-readable, not world-readable (0640)" \
	test "$(stat -c %a "$D/state/flarewatchd.state")" = 640

# ---- flares: four fixtures, one hostile, three that fail ---------------------------------
# the hostile flare: the normal fixture with a hostname of terminal escapes,
# bidi controls and C1 controls in its status.log, zipped again by python3,
# under a file name of the same kind (the flare parser keeps a hostname's
# safe characters only; a file name reaches the index with its C0 controls
# as spaces, and failed/ as it is)
EVIL_HOST=$'evil\e]0;OWNED\a\e[31mRED\xc2\x9b\xe2\x80\xaeexe'
EVIL_NAME=$'evil\e]0;OWNED\a\xc2\x9b\xe2\x80\xae-datadog-agent-2024-10-02T14-21-52Z-info.zip'
BAD_NAME=$'bad\e[31m\xe2\x80\xaegpj.zip'
python3 - "$FLARES/normal-datadog-agent-2024-10-02T14-21-52Z-info.zip" \
	"$T/evil-datadog-agent-2024-10-02T14-21-52Z-info.zip" "$EVIL_HOST" <<'EOF' ||
import sys, zipfile
src, dst, host = sys.argv[1], sys.argv[2], sys.argv[3].encode("utf-8", "surrogateescape")
with zipfile.ZipFile(src) as zi, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zo:
    n = 0
    for info in zi.infolist():
        data = zi.read(info)
        if info.filename.endswith("/status.log"):
            data, n = __import__("re").subn(rb"(?m)^(  hostname: ).*$", lambda m: m.group(1) + host, data)
        zo.writestr(info, data)
    sys.exit(0 if n == 1 else 1)
EOF
	{ nok "the hostile-hostname flare is made"; done_testing; }
for s in normal leak cpu noprofiles; do
	cp "$FLARES/$s-datadog-agent-2024-10-02T14-21-52Z-info.zip" "$T/$s.zip.tmp" &&
		mv "$T/$s.zip.tmp" "$D/incoming/$s-datadog-agent-2024-10-02T14-21-52Z-info.zip"
done
mv "$T/evil-datadog-agent-2024-10-02T14-21-52Z-info.zip" "$D/incoming/$EVIL_NAME"
head -c 100 /dev/urandom >"$T/bad.zip" && mv "$T/bad.zip" "$D/incoming/$BAD_NAME"
head -c 3000 /dev/urandom >"$T/garbage.zip" && mv "$T/garbage.zip" "$D/incoming/garbage.zip"
printf 'PK\003\004 truncated' >"$T/short.zip" && mv "$T/short.zip" "$D/incoming/short.zip"
settled() { [ "$(count "$D/state/done")" = 5 ] && [ "$(count "$D/state/failed" '*.zip')" = 3 ]; }
check "5 flares analyzed, 3 failed" wait_for 120 settled

status -n 100 --json
check "--json: exit status 0" test "$rc" = 0
check_schema "--json validates against schema/status.schema.json" "$out"
J=$out
check "--json: queue counts are the folders' (find)" test \
	"$(jget "$J" '"%d %d %d %d" % tuple(j["queue"][k] for k in ("incoming","processing","failed","done"))')" = \
	"$(count "$D/incoming" '*.zip') $(count "$D/state/processing") $(count "$D/state/failed" '*.zip') $(count "$D/state/done")"

# the verdicts, computed from the report.json files themselves
python3 - "$D/investigations" >"$T/expected.tsv" <<'EOF'
import json, os, sys
rows = []
for root, dirs, files in os.walk(sys.argv[1]):
    if "report.json" in files and not os.path.basename(root).startswith("."):
        r = json.load(open(os.path.join(root, "report.json")))
        md = [f for f in files if f.endswith(".md")]
        rows.append("\t".join([r["verdict"]["name"], r["flare"]["hostname"] if "hostname" in r["flare"] else "",
                               os.path.join(root, md[0]) if len(md) == 1 else "?"]))
print("\n".join(sorted(rows)))
EOF
jget "$J" '"\n".join(sorted("\t".join([v["verdict"], v["hostname"], v["report"]]) for v in j["verdicts"]))' >"$T/got.tsv"
check "--json: 5 verdicts, of 5" test "$(jget "$J" '"%d %d" % (len(j["verdicts"]), j["verdicts_total"])')" = "5 5"
if diff "$T/expected.tsv" "$T/got.tsv" >"$T/vdiff"; then
	ok "--json: each verdict, hostname and report path is its report.json's"
else
	nok "--json: each verdict, hostname and report path is its report.json's"
	diag "$(cat "$T/vdiff")"
fi
check "--json: verdicts newest flare first" \
	jtrue "$J" 'all(a["flare_time"] >= b["flare_time"] for a, b in zip(j["verdicts"], j["verdicts"][1:]))'
check "--json: each verdict's flare_file is its report.json's flare.file" \
	jtrue "$J" 'sorted(v["flare_file"] for v in j["verdicts"]) == sorted(re.sub("[\x00-\x1f\x7f]", " ", json.load(open(f))["flare"]["file"]) for f in sys.argv[3:])' \
	$(find "$D/investigations" -name report.json)
check "--json: the hostile flare file name comes back as the index keeps it (JSON escapes)" \
	jtrue "$J" 'any(v["flare_file"] == sys.argv[3] for v in j["verdicts"])' "$(c0_spaces "$EVIL_NAME")"
check "--json: the hostile failed flare's name comes back exactly (JSON escapes)" \
	jtrue "$J" 'any(f["flare"] == sys.argv[3] for f in j["failed"])' "$BAD_NAME"
check "--json: no raw control character in the output" eval '! has_raw_control "$J"'
# the failed flares and their reasons
for f in garbage.zip short.zip; do
	want=$(head -n 1 "$D/state/failed/$f.error.txt")
	check "--json: $f is listed with the first line of its .error.txt" \
		jtrue "$J" '[x["reason"] for x in j["failed"] if x["flare"] == sys.argv[3]] == [sys.argv[4]]' "$f" "$want"
done

status
check "text: exit status 0" test "$rc" = 0
check "text: queue line" grep -q '^Queue: 0 waiting in incoming, 0 processing, 3 failed, 5 done$' "$out"
check "text: last 5 verdicts of 5" grep -q '^Last verdicts (5 of 5):$' "$out"
while IFS=$'\t' read -r v h r; do
	check "text: $v on ${h//[^a-z0-9-]/?} with its report path" grep -qF "    report: $r" "$out"
done <"$T/expected.tsv"
check "text: the hostile flare file name's C1 and bidi controls are escaped" \
	grep -qF '    flare:  evil ]0;OWNED \u009b\u202e-datadog-agent-2024-10-02T14-21-52Z-info.zip, analyzed ' "$out"
check "text: the hostile failed flare's name is escaped (\\x1b, \\u202e)" grep -qF '  bad\x1b[31m\u202egpj.zip' "$out"
check "text: no raw control character reaches the terminal" eval '! has_raw_control "$out"'
check "text: failed flares with their reasons" eval \
	'grep -qF "$(head -n 1 "$D/state/failed/garbage.zip.error.txt")" "$out" && grep -q "^Failed flares (3 of 3):$" "$out"'
status -n 1
check "-n 1: one verdict of 5, one failed flare of 3" eval \
	'grep -q "^Last verdicts (1 of 5):$" "$out" && grep -q "^Failed flares (1 of 3):$" "$out"'
status -n x
check "-n x: usage error, exit 2" test "$rc" = 2
status --bogus
check "an unknown option: exit 2" test "$rc" = 2

# ---- analyzing: a slow flare ------------------------------------------------------------
make_slow_flare "$T/slow.zip" 1G
mv "$T/slow.zip" "$D/incoming/slow.zip"
analyzing() { grep -q '^state=analyzing$' "$D/state/flarewatchd.state" && grep -q '^analyzing=slow.zip$' "$D/state/flarewatchd.state"; }
if wait_for 30 analyzing; then
	status --json
	check "analyzing: --json says analyzing slow.zip, 1 processing" test \
		"$(jget "$out" '"%s %s %d" % (j["daemon"]["state"], j["daemon"]["analyzing"], j["queue"]["processing"])')" = \
		"analyzing ['slow.zip'] 1"
	check_schema "analyzing: --json validates" "$out"
else
	nok "the state file says analyzing=slow.zip while the slow flare is hashed"
	diag "$(cat "$D/state/flarewatchd.state")"
fi
check "the slow flare ends (failed: no zip)" wait_for 300 test -f "$D/state/failed/slow.zip"

# ---- a refused reload ----------------------------------------------------------------------
cp "$D/flarewatch.yaml" "$T/good.yaml"
printf 'workers: [oops\n' >>"$D/flarewatch.yaml"
kill -HUP "$DPID"
check "a refused reload reaches the state file" wait_for 20 grep -q '^reload_error=' "$D/state/flarewatchd.state"
cp "$T/good.yaml" "$T/status.yaml"
"$FLAREWATCH" status -c "$T/status.yaml" --json >"$T/reload.json" 2>"$T/reload.err"
check "refused reload: --json names its reason (the daemon's log line)" \
	jtrue "$T/reload.json" '(j["daemon"]["refused_reload"] or {}).get("reason", "") in open(sys.argv[3]).read() and j["daemon"]["refused_reload"]["reason"] != ""' "$LOG"
check_schema "refused reload: --json validates" "$T/reload.json"
"$FLAREWATCH" status -c "$T/status.yaml" >"$T/reload.txt" 2>&1
check "refused reload: the text says REFUSED RELOAD" grep -q '^  REFUSED RELOAD at .*, the previous configuration stays: ' "$T/reload.txt"
cp "$T/good.yaml" "$D/flarewatch.yaml"

# ---- unreadable: not in the group ------------------------------------------------------------
# someone who may read the configuration but not state_dir (0770, created
# by the daemon): the error names the file and the group
status_denied() {
	out=$T/denied.out
	err=$T/denied.err
	"$@" "$FLAREWATCH" status -c "$D/flarewatch.yaml" >"$out" 2>"$err"
	rc=$?
}
if [ "$(id -u)" != 0 ]; then
	chmod 000 "$D/state"
	status_denied
	chmod 770 "$D/state"
elif command -v setpriv >/dev/null; then
	chmod o+x "$T" "$D" && chmod o+r "$D/flarewatch.yaml" && chmod o-rwx "$D/state"
	status_denied setpriv --reuid=65534 --regid=65534 --clear-groups
	chmod o-x "$T"
fi
if [ -n "${rc:-}" ] && [ -f "$T/denied.err" ]; then
	check "state_dir unreadable: exit 1, the message names the state file and group flarewatch" eval \
		'[ "$rc" = 1 ] && grep -qF "$D/state/flarewatchd.state" "$err" && grep -qF "needs group flarewatch" "$err"'
	[ "$_tap_failed" = 0 ] || diag "$(cat "$T/denied.err")"
else
	skip "state_dir unreadable: exit 1, the message names it" "root without setpriv"
fi

# ---- stale state files ------------------------------------------------------------------------
kill -KILL "$DPID"
wait "$DPID" 2>/dev/null
status
check "daemon killed (-9): exit 3" test "$rc" = 3
check "daemon killed: says not running, never idle" eval \
	"grep -q \"^flarewatchd: not running (process $DPID is gone; its last state was idle at \" \"\$out\" && ! grep -q '^flarewatchd: running' \"\$out\""
status --json
check "daemon killed: --json state \"not running\", running false, exit 3" test \
	"$(jget "$out" '"%s %s" % (j["daemon"]["state"], j["daemon"]["running"])') $rc" = "not running False 3"
check_schema "daemon killed: --json validates" "$out"
# a live pid that is not flarewatchd: this shell
sed -i "s/^pid=.*/pid=$$/" "$D/state/flarewatchd.state"
status
check "state file naming a live non-flarewatchd pid: not running, exit 3" eval \
	'[ "$rc" = 3 ] && grep -q "^flarewatchd: not running" "$out"'
rm "$D/state/flarewatchd.state"
status --json
check "no state file: not running, exit 3" test \
	"$(jget "$out" '"%s %s" % (j["daemon"]["state"], j["daemon"]["running"])') $rc" = "not running False 3"
check_schema "no state file: --json validates" "$out"

# ---- a clean stop ----------------------------------------------------------------------------
LOG=$T/st-2.log
start_daemon "$LOG" "$D/flarewatch.yaml" || { nok "daemon restarts"; show_log "$LOG"; done_testing; }
status
check "restarted: running again, exit 0" eval '[ "$rc" = 0 ] && grep -q "^flarewatchd: running, idle$" "$out"'
# a reload onto another state_dir moves the state file with it
sed -i "s|^state_dir: .*|state_dir: $D/state2|" "$D/flarewatch.yaml"
kill -HUP "$DPID"
check "reload to another state_dir: the state file is written there" \
	wait_for 20 grep -q "^pid=$DPID\$" "$D/state2/flarewatchd.state"
check "... and the old state_dir's is removed" test ! -e "$D/state/flarewatchd.state"
stop_daemon "$DPID"
status
check "stopped with SIGTERM: not running, last state stopping, exit 3" eval \
	'[ "$rc" = 3 ] && grep -q "^flarewatchd: not running (process $DPID is gone; its last state was stopping" "$out"'
[ "$_tap_failed" = 0 ] || show_log "$LOG"
done_testing
