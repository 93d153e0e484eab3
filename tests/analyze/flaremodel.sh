#!/bin/bash
# tests/analyze/flaremodel.sh -- the flare model end to end, with the real
# `flarewatch analyze` on zips built here (python3's zipfile, which sets
# each entry's date; skipped without python3):
#  - no host folder and no hostname in status.log: the report is named
#    after the zip's file name, never the temporary folder (flarewatch-*);
#  - no date in status.log: the date comes from the zip's file name, else
#    the entries' times, else it is "unknown" -- never silently the time
#    of the extraction; report.json's flare.time_source says which, and a
#    note in the report says so;
#  - more than 4,096 files in profiles/: the known processes' profiles are
#    kept, and a note gives how many files were left out and their first
#    names; a process name over 64 characters is a note;
#  - a profile that decompresses to 64 MiB of empty strings is refused by
#    the decoder (a note naming the file and the count), the rest of the
#    flare is analyzed.
# TAP on stdout; see tests/analyze/common.sh for the environment.

# shellcheck source=tests/analyze/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
fa_require_binary

if ! command -v python3 >/dev/null 2>&1 || ! python3 -c 'import zipfile, zlib, json' 2>/dev/null; then
	fa_skip "the flare model end to end" "no python3 to build the zips"
	fa_finish
fi
prof=$abs_top_srcdir/tests/fixtures/profiles

# mkzip ZIP DATE SPEC...: a zip whose entries all carry DATE
# ("2023-03-05T10:20:30"); each SPEC is NAME=@FILE (a copy), NAME=TEXT,
# NAME=%many:N (N small text files profiles/aaa-NNNN.txt) or
# NAME=%bomb:N (gzip of N bytes of empty strings, field 6).
mkzip() {
	python3 - "$@" <<-'EOF'
		import sys, zipfile, zlib
		out, date, specs = sys.argv[1], sys.argv[2], sys.argv[3:]
		dt = tuple(int(x) for x in date.replace("T", "-").replace(":", "-").split("-"))
		def add(z, name, data):
		    zi = zipfile.ZipInfo(name, date_time=dt)
		    zi.compress_type = zipfile.ZIP_STORED
		    z.writestr(zi, data)
		with zipfile.ZipFile(out, "w") as z:
		    for spec in specs:
		        name, val = spec.split("=", 1)
		        if val.startswith("@"):
		            add(z, name, open(val[1:], "rb").read())
		        elif val.startswith("%many:"):
		            for i in range(int(val[6:])):
		                add(z, "%s/aaa-%04d.txt" % (name, i), b"x")
		        elif val.startswith("%bomb:"):
		            c = zlib.compressobj(9, zlib.DEFLATED, 31)
		            chunk, n, parts = b"\x32\x00" * (1 << 19), int(val[6:]), []
		            for _ in range(n // len(chunk)):
		                parts.append(c.compress(chunk))
		            parts.append(c.flush())
		            add(z, name, b"".join(parts))
		        else:
		            add(z, name, val.encode())
	EOF
}

# jget JSON EXPR: a value of report.json (python expression on j; a tuple
# prints as its items separated by blanks)
jget() {
	python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
v = eval(sys.argv[2])
print(" ".join(str(x) for x in v) if isinstance(v, tuple) else v)' "$1" "$2"
}

# analyze NAME ZIP: runs analyze into a fresh folder; sets md, js, run.
analyze() {
	run=$(mktemp -d "$fa_tmp/run.XXXXXX")
	fa_env=(TMPDIR="$run")
	fa_run "$run/r" analyze -c "$fa_cfg" "$2" -o "$run/out"
	fa_env=()
	md=$(find "$run/out" -name 'flare-profiling-*.md' 2>/dev/null | head -n 1)
	js=${md:+$(dirname "$md")/report.json}
	if [ "$fa_rc" -ne 0 ] || [ -z "$md" ] || [ ! -f "$js" ]; then
		fa_not_ok "$1: analyzed" "exit status $fa_rc, report: ${md:-none}"
		fa_describe_run
		return 1
	fi
	fa_check_rc "$1: analyzed" 0
}

STATUS_NOHOST='===============
Agent (v7.58.2)
===============
  Pid: 4242
'
STATUS_OK='===============
Agent (v7.58.2)
===============
  Status date: 2024-10-02 14:21:52.317 UTC (1727878912317)
  Agent start: 2024-09-30 09:02:11.648 UTC (1727686931648)

========
Hostname
========

  hostname: web-01
'

# ---- no host folder, no hostname, no date in status.log ---------------------------------
z=$fa_tmp/datadog-agent-2024-10-02T14-21-52Z-info.zip
mkzip "$z" 2023-03-05T10:20:30 "status.log=$STATUS_NOHOST" "profiles/core-cpu.pprof=@$prof/cpu.pb.gz"
if analyze "no host folder" "$z"; then
	fa_check "no host folder: named after the zip, not the temporary folder" \
		eval '[ "$(jget "$js" "j[\"flare\"][\"hostname\"]")" = datadog-agent-2024-10-02T14-21-52Z-info ] &&
		      ! grep -rq "flarewatch-" "$run/out" "$run/r.out"'
	fa_check "no host folder: a note says where the hostname comes from" \
		grep -q "^- status.log gives no hostname: the flare is named after the flare's file or folder name" "$md"
	fa_check "no date in status.log: dated from the zip's file name (time_source, note)" \
		eval '[ "$(jget "$js" "j[\"flare\"][\"time_source\"], j[\"flare\"][\"time\"]")" = "file name 2024-10-02T14:21:52Z" ] &&
		      grep -q "^- status.log gives no date: the flare is dated from its file name" "$md" &&
		      jget "$js" "[n for n in j[\"flare\"][\"notes\"] if \"dated from its file name\" in n][0]"'
fi

# ---- no date in status.log or in the file name: the entries' time ---------------------
z=$fa_tmp/flare.zip
mkzip "$z" 2023-03-05T10:20:30 "status.log=not a status page" "profiles/core-cpu.pprof=@$prof/cpu.pb.gz"
if analyze "undated zip" "$z"; then
	fa_check "undated zip: dated from the zip entries' time, not the extraction's" \
		eval '[ "$(jget "$js" "j[\"flare\"][\"time_source\"], j[\"flare\"][\"time\"]")" = "file time 2023-03-05T10:20:30Z" ]'
	fa_check "undated zip: the Markdown says so" \
		eval 'grep -q "Flare date:\*\* 2023-03-05 10:20:30 UTC (from the file time)" "$md" &&
		      grep -q "^- status.log and the file name give no date: the flare is dated from the modification time of status.log" "$md"'
fi

# entries in the zip's "no time" (1980): the date is unknown, and said so
z=$fa_tmp/flare-1980.zip
mkzip "$z" 1980-01-01T00:00:00 "status.log=not a status page" "profiles/core-cpu.pprof=@$prof/cpu.pb.gz"
if analyze "zip without times" "$z"; then
	fa_check "zip without times: time_source unknown, time null, with a note" \
		eval '[ "$(jget "$js" "j[\"flare\"][\"time_source\"], j[\"flare\"][\"time\"]")" = "unknown None" ] &&
		      grep -q "(unknown: the time of the analysis)" "$md" &&
		      grep -q "^- the flare.s date is unknown" "$md"'
fi

# ---- more than 4,096 files in profiles/, a process name over 64 characters ------------
long=$(printf 'p%.0s' $(seq 70))
z=$fa_tmp/many-datadog-agent-2024-10-02T14-21-52Z-info.zip
mkzip "$z" 2024-10-02T14:21:52 "status.log=$STATUS_OK" "profiles=%many:4100" \
	"profiles/zzz-cpu.pprof=@$prof/cpu.pb.gz" "profiles/core-cpu.pprof=@$prof/cpu.pb.gz" \
	"profiles/$long-cpu.pprof=@$prof/cpu.pb.gz"
if analyze "4,103 profile files" "$z"; then
	fa_check "4,103 profile files: 4,096 listed, core's and zzz's profiles among them" \
		eval '[ "$(jget "$js" "len(j[\"flare\"][\"profile_files\"]), \"core-cpu.pprof\" in [p[\"name\"] for p in j[\"flare\"][\"profile_files\"]], \"zzz-cpu.pprof\" in [p[\"name\"] for p in j[\"flare\"][\"profile_files\"]]")" = "4096 True True" ]'
	fa_check "4,103 profile files: the note gives the count and the first files left out" \
		grep -q '^- profiles/: 7 entries over the limit of 4096 files, not listed or analyzed: "aaa-4093.txt", "aaa-4094.txt", "aaa-4095.txt", \.\.\.' "$md"
	fa_check "4,103 profile files: the process name over 64 characters is a note" \
		grep -q "^- profiles/: 1 entry with a process name over 64 characters, not analyzed: \"$long-cpu.pprof\"" "$md"
	fa_check "4,103 profile files: the notes are in report.json" \
		jget "$js" '[n for n in j["flare"]["notes"] if "over the limit of 4096 files" in n][0]'
fi

# ---- a profile that decompresses to 64 MiB of empty strings ------------------------------
z=$fa_tmp/bomb-datadog-agent-2024-10-02T14-21-52Z-info.zip
mkzip "$z" 2024-10-02T14:21:52 "status.log=$STATUS_OK" "profiles/core-cpu.pprof=%bomb:67108864" \
	"profiles/core-1st-heap.pprof=@$prof/heap1.pb.gz" "profiles/core-2nd-heap.pprof=@$prof/heap2.pb.gz"
if analyze "64 MiB of empty strings" "$z"; then
	fa_check "64 MiB of empty strings: core-cpu.pprof refused, naming the count" \
		grep -q "core-cpu\.pprof.*string_table holds 33554431 empty strings" "$md"
	fa_check "64 MiB of empty strings: the heaps are still analyzed" \
		test -n "$(find "$run/out" -name 'core-heap-diff.svg')"
fi

fa_finish
