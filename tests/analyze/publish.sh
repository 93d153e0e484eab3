#!/bin/bash
# tests/analyze/publish.sh -- how `flarewatch analyze` publishes a report and
# what it leaves behind when it is stopped, with the real binary:
#  - an analysis killed (SIGKILL) at each rename of its report's files, and
#    at the rename that publishes it, leaves no visible partial report, no
#    hidden temporary report folder and nothing in $TMPDIR (needs strace);
#  - the whole command killed with kill -9 while publishing leaves only a
#    hidden folder, which the next analysis removes (needs strace);
#  - SIGTERM, SIGINT and SIGHUP mid-analysis: exit by that signal, $TMPDIR
#    empty, no report (needs python3 for the slow flare);
#  - hostnames index.md, index.html, .index.tsv, .index.lock get "_"-prefixed folders and
#    the tree keeps working;
#  - a planted 17 MiB report.json: the analysis succeeds with a warning naming
#    it, and the index lists the real reports;
#  - a 7 kB zip whose CPU profile gunzips to 1 GiB of empty strings is
#    refused by the decode limit derived from analysis.memory_limit, in
#    bounded time and memory (needs python3).
# TAP on stdout; see tests/analyze/common.sh for the environment.

# shellcheck source=tests/analyze/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
fa_require_binary

here=$abs_top_srcdir/tests/analyze
leak=$(fa_fixture_zips | grep '/leak-datadog-agent-' | head -n 1)
cpu=$(fa_fixture_zips | grep '/cpu-datadog-agent-' | head -n 1)
normal=$(fa_fixture_zips | grep '/normal-datadog-agent-' | head -n 1)
[ -n "$leak" ] && [ -n "$cpu" ] && [ -n "$normal" ] || fa_bail "fixture flares missing in $fa_flares"

have_python() { command -v python3 >/dev/null 2>&1; }
have_strace() {
	command -v strace >/dev/null 2>&1 &&
		strace -f -qq -o /dev/null -e trace=getpid -e inject=getpid:retval=0 true 2>/dev/null
}

# fresh NAME: sets d (a new folder) with d/out (investigations) and d/tmp
# (the TMPDIR flarewatch gets)
fresh() {
	d=$fa_tmp/$1
	mkdir -p "$d/tmp"
}

# visible_complete OUT: every visible report folder OUT/*/* holds report.json
# and its Markdown report
visible_complete() {
	local f bad=0
	[ -d "$1" ] || return 0
	while IFS= read -r f; do
		if [ ! -f "$f/report.json" ] || ! ls "$f"/flare-profiling-*.md >/dev/null 2>&1; then
			echo "partial report folder: $f"
			ls -la "$f"
			bad=1
		fi
	done < <(find "$1" -mindepth 2 -maxdepth 2 -type d ! -name '.*')
	return $bad
}

# no_hidden OUT: no hidden temporary report folder below OUT
no_hidden() {
	local h
	[ -d "$1" ] || return 0
	h=$(find "$1" -name '.tmp-*')
	[ -z "$h" ] && return 0
	echo "left behind: $h"
	return 1
}

# tmp_empty DIR: nothing left in DIR (the TMPDIR flarewatch had)
tmp_empty() {
	local left
	left=$(find "$1" -mindepth 1 | head -n 20)
	[ -z "$left" ] && return 0
	echo "left in TMPDIR:"
	printf '%s\n' "$left"
	return 1
}

# reports OUT: how many visible report folders
reports() {
	[ -d "$1" ] || {
		echo 0
		return
	}
	find "$1" -mindepth 2 -maxdepth 2 -type d ! -name '.*' | grep -c .
}

# ---- killed at each step of writing its report (strace) --------------------------------
if have_strace; then
	# the renames of one report: its lock file, the Markdown, report.json,
	# four flame graphs, four call graphs when graphviz's dot is installed,
	# report.html; renameat2 publishes; then index.md, outliers.html, the
	# host page and index.html.
	# Not rename #1: a folder whose writer died before its lock file was in
	# place cannot be told from one being created, so it is left for an hour.
	pub=8 # renames before the report is published
	command -v dot >/dev/null 2>&1 && pub=12
	for point in rename:2 rename:3 rename:4 rename:7 rename:8 renameat2:1 rename:$((pub + 1)) rename:$((pub + 2)); do
		sc=${point%%:*}
		n=${point##*:}
		fresh "kill-$sc-$n"
		fa_env=(TMPDIR="$d/tmp")
		fa_timeout=(strace -f -qq -o /dev/null -e trace=rename,renameat,renameat2
			-e "inject=$sc:signal=SIGKILL:when=$n" "${tap_timeout[@]}")
		fa_run "$d/r" analyze -c "$fa_cfg" -o "$d/out" "$leak"
		fa_timeout=("${tap_timeout[@]}")
		fa_env=()
		name="SIGKILL at $sc #$n"
		if [ "$fa_rc" -eq 0 ]; then
			fa_not_ok "$name: the analysis was killed" "it was not (exit 0): the syscall count is off"
			fa_describe_run
			continue
		fi
		fa_check "$name: no partial report is visible" visible_complete "$d/out"
		fa_check "$name: no hidden report folder left" no_hidden "$d/out"
		fa_check "$name: TMPDIR empty" tmp_empty "$d/tmp"
		# the flare analyzed again: exactly one report
		fa_env=(TMPDIR="$d/tmp")
		fa_run "$d/again" analyze -c "$fa_cfg" -o "$d/out" "$leak"
		fa_env=()
		fa_check_rc "$name: analyzed again" 0
		want=1
		[ "$sc" = rename ] && [ "$n" -gt "$pub" ] && want=2 # it was published before the kill
		got=$(reports "$d/out")
		if [ "$got" -eq "$want" ]; then
			fa_ok "$name: $want report folder(s) afterwards"
		else
			fa_not_ok "$name: $want report folder(s) afterwards" "found $got"
			find "$d/out" | sed 's/^/# /'
		fi
	done

	# kill -9 of the whole command (parent included) while it publishes:
	# the publishing rename is delayed 30 s, we kill the process group
	fresh kill-all
	(
		cd "$d" || exit 1
		exec setsid env TMPDIR="$d/tmp" strace -f -qq -o /dev/null -e trace=renameat2 \
			-e inject=renameat2:delay_enter=30000000 \
			"$FLAREWATCH" analyze -c "$fa_cfg" -o "$d/out" "$leak" >"$d/r.out" 2>"$d/r.err" </dev/null
	) &
	pid=$!
	for _ in $(seq 1 300); do
		[ -n "$(find "$d/out" -maxdepth 2 -name '.tmp-*' 2>/dev/null)" ] &&
			[ -f "$(find "$d/out" -maxdepth 3 -path '*/.tmp-*/report.json' 2>/dev/null | head -n 1)" ] && break
		sleep 0.1
	done
	sleep 0.3
	kill -9 -- "-$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	if [ -z "$(find "$d/out" -maxdepth 2 -name '.tmp-*' 2>/dev/null)" ]; then
		fa_not_ok "kill -9 while publishing: the report was being written in a hidden folder" \
			"no DIR/<host>/.tmp-* folder appeared"
		find "$d/out" 2>/dev/null | sed 's/^/# /'
	else
		fa_ok "kill -9 while publishing: the report was being written in a hidden folder"
		fa_check "kill -9 while publishing: nothing visible" test "$(reports "$d/out")" -eq 0
		fa_env=(TMPDIR="$d/tmp2")
		mkdir -p "$d/tmp2"
		fa_run "$d/next" analyze -c "$fa_cfg" -o "$d/out" "$cpu"
		fa_env=()
		fa_check_rc "kill -9 while publishing: the next analysis succeeds" 0
		fa_check "kill -9 while publishing: the next analysis removed the hidden folder" no_hidden "$d/out"
		fa_check "kill -9 while publishing: one report, the next one's" test "$(reports "$d/out")" -eq 1
	fi
else
	fa_skip "killed while writing its report" "no strace that can inject syscall faults"
fi

# ---- SIGTERM, SIGINT, SIGHUP mid-analysis ---------------------------------------------------
if have_python; then
	bomb=$fa_tmp/bomb.zip
	python3 "$here/profile-bomb.py" "$bomb" 1024 || fa_bail "profile-bomb.py failed"
	for sig in TERM INT HUP; do
		fresh "sig-$sig"
		# python resets SIGINT, which bash ignores in background jobs
		(
			exec env TMPDIR="$d/tmp" python3 -c '
import os, signal, sys
for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(s, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])' "$FLAREWATCH" analyze -c "$fa_cfg" -o "$d/out" "$bomb" \
				>"$d/r.out" 2>"$d/r.err" </dev/null
		) &
		pid=$!
		for _ in $(seq 1 300); do
			[ -n "$(find "$d/tmp" -name core-cpu.pprof 2>/dev/null)" ] && break
			sleep 0.05
		done
		sleep 0.2
		kill "-$sig" "$pid"
		wait "$pid" 2>/dev/null
		rc=$?
		want=$((128 + $(kill -l "$sig")))
		if [ "$rc" -eq "$want" ]; then
			fa_ok "SIG$sig mid-analysis: exit by the signal ($rc)"
		else
			fa_not_ok "SIG$sig mid-analysis: exit by the signal" "exit status $rc, expected $want (finished first?)"
			fa_diag_file "$d/r.err"
		fi
		fa_check "SIG$sig mid-analysis: TMPDIR empty" tmp_empty "$d/tmp"
		fa_check "SIG$sig mid-analysis: no report, no hidden folder" \
			eval 'test "$(reports "$d/out")" -eq 0 && no_hidden "$d/out"'
	done
else
	fa_skip "SIGTERM, SIGINT, SIGHUP mid-analysis" "no python3 to write the slow flare"
fi

# ---- hostnames that are names of the tree --------------------------------------------------
fresh reserved
n=0
for host in index.md index.html .index.tsv .index.lock; do
	n=$((n + 1))
	f=$d/flare-$n/flare
	mkdir -p "$f"
	cat >"$f/status.log" <<-EOF
		===============
		Agent (v7.58.2)
		===============
		  Status date: 2024-10-02 14:21:52.317 UTC (1727878912317)

		========
		Hostname
		========

		  hostname: $host

	EOF
	fa_run "$d/r$n" analyze -c "$fa_cfg" -o "$d/out" "$f"
	fa_check_rc "hostname $host: analyzed" 0
	fa_check "hostname $host: its report is in _$host/" test -f "$d/out/_$host/20241002T142152Z/report.json"
	fa_check "hostname $host: report.json keeps the hostname" \
		grep -qF "\"hostname\":\"$host\"" "$d/out/_$host/20241002T142152Z/report.json"
done
fa_run "$d/after" analyze -c "$fa_cfg" -o "$d/out" "$normal"
fa_check_rc "after those hostnames, a normal flare is analyzed" 0
fa_check "index.md, index.html and .index.lock are files" test -f "$d/out/index.md" -a -f "$d/out/index.html" -a -f "$d/out/.index.lock"
fa_check "index.md lists the 5 reports" grep -q '^5 reports' "$d/out/index.md"

# ---- a planted, oversized report.json ----------------------------------------------------
fresh bigreport
fa_run "$d/r1" analyze -c "$fa_cfg" -o "$d/out" "$leak"
fa_check_rc "big report.json: first report" 0
mkdir -p "$d/out/planted/20240101T000000Z"
truncate -s 17M "$d/out/planted/20240101T000000Z/report.json"
fa_run "$d/r2" analyze -c "$fa_cfg" -o "$d/out" "$cpu"
fa_check_rc "big report.json: the next analysis succeeds" 0
fa_check "big report.json: it warns on stderr, naming the file" \
	grep -q 'warning: .*planted/20240101T000000Z/report.json' "$d/r2.err"
fa_check "big report.json: the report is published" test -f "$(sed -n 's/^report: //p' "$d/r2.out")"
fa_check "big report.json: index.md lists the 2 real reports" grep -q '^2 reports' "$d/out/index.md"
rm -r "$d/out/planted"
fa_run "$d/r3" analyze -c "$fa_cfg" -o "$d/out" "$normal"
fa_check_rc "big report.json: removed, analyses go on" 0
fa_check "big report.json: without a warning" test ! -s "$d/r3.err"
fa_check "big report.json: index.md lists 3 reports" grep -q '^3 reports' "$d/out/index.md"

# ---- the 1 GiB bomb -----------------------------------------------------------------------
if have_python; then
	# measure time and peak RSS of the command and its children
	measure() { # OUTPREFIX ARGS...: prints "SECONDS MAXRSS_KIB RC"
		python3 - "$@" <<-'EOF'
			import resource, subprocess, sys, time
			p = sys.argv[1]
			t = time.monotonic()
			with open(p + ".out", "w") as o, open(p + ".err", "w") as e:
			    rc = subprocess.call(sys.argv[2:], stdout=o, stderr=e, stdin=subprocess.DEVNULL)
			print("%.1f %d %d" % (time.monotonic() - t,
			      resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc))
		EOF
	}
	fresh bomb
	read -r secs rss rc < <(measure "$d/r" env TMPDIR="$d/tmp" "$FLAREWATCH" analyze -c "$fa_cfg" -o "$d/out" "$bomb")
	echo "# 1 GiB bomb: ${secs}s, peak RSS ${rss} KiB, exit $rc"
	fa_check "1 GiB bomb: analyzed (exit 0)" test "$rc" -eq 0
	fa_check "1 GiB bomb: under 30 s (${secs}s)" awk -v s="$secs" 'BEGIN { exit !(s < 30) }'
	fa_check "1 GiB bomb: peak RSS under 1 GiB (${rss} KiB)" test "$rss" -lt $((1 << 20))
	fa_check "1 GiB bomb: the profile is refused at 256 MiB (1 GiB memory_limit / 4)" \
		grep -q 'exceeds the limit of 268435456 bytes' "$d/out/bomb-host/20241002T142152Z/report.json"
	# the limit follows analysis.memory_limit
	printf 'analysis:\n  memory_limit: 256 MiB\n' >"$d/small.yaml"
	read -r secs rss rc < <(measure "$d/r2" env TMPDIR="$d/tmp" "$FLAREWATCH" analyze -c "$d/small.yaml" -o "$d/out2" "$bomb")
	echo "# 1 GiB bomb, memory_limit 256 MiB: ${secs}s, peak RSS ${rss} KiB, exit $rc"
	fa_check "memory_limit 256 MiB: refused at 64 MiB" \
		grep -q 'exceeds the limit of 67108864 bytes' "$d/out2/bomb-host/20241002T142152Z/report.json"
	fa_check "memory_limit 256 MiB: peak RSS under 256 MiB (${rss} KiB)" test "$rss" -lt $((256 << 10))
else
	fa_skip "1 GiB bomb" "no python3 to write it"
fi

fa_finish
