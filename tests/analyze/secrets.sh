#!/bin/bash
# tests/analyze/secrets.sh -- no planted secret ever leaves `flarewatch
# analyze`: not on stdout or stderr, not in any file written under the
# investigations folder (md, report.json, SVGs, index.md), not in
# a file name. Inputs: every fixture flare (tests/fixtures/flares/README.md,
# "Planted secrets"), the shared sample flare when present, the hostile zips
# whose entry names hold secrets (refused: the error message is checked), a
# fixture under a file name holding a key, and flares built here, without
# any tool, with secrets planted in every field flarewatch reads.
# TAP on stdout; see tests/analyze/common.sh for the environment.

# shellcheck source=tests/analyze/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
fa_require_binary

API=5f8c9a2b7d1e4f60a3b2c1d0e9f8a7b6
APP=0a1b2c3d4e5f60718293a4b5c6d7e8f901234567
PASS=hunter2-fixture
# What must never appear (case-insensitive): the secrets and, for the keys,
# each half, so that a key cut in two before redaction is caught too.
needles=("$API" "$APP" "$PASS" "${API:0:16}" "${API:16}" "${APP:0:20}" "${APP:20}" hunter2)
# Secrets only the later redaction forms catch: a flag's value, an element's
# content, a k8s env value under its name, curl -u, an Authorization header
# (BASIC is base64 of "datadog:hunter2-basic"). None is key-shaped hex.
FLAG_TOKEN=tok-7Q2xW9vLr4Zp
FLAG_PASS=hunter2-flag
XML_PASS=hunter2-xml
K8S_PASS=hunter2-k8s
CURL_PASS=hunter2-curl
BASIC=ZGF0YWRvZzpodW50ZXIyLWJhc2lj
needles+=("$FLAG_TOKEN" "$FLAG_PASS" "$XML_PASS" "$K8S_PASS" "$CURL_PASS" "$BASIC")
SAMPLE_KEY=0123456789abcdef0123456789abcdef

mkdir -p "$fa_tmp/logs"

# leaks DIR... -- FILES...: prints where any needle is found: in the files
# under the DIRs, in their names, in the FILES. Returns 1 if any. For each
# secret only the first needle found is shown (a whole key hides its halves).
leaks() {
	local dirs=() files=() n hits bad=0 shown=""
	while [ $# -gt 0 ] && [ "$1" != -- ]; do dirs+=("$1"); shift; done
	[ "${1:-}" = -- ] && shift
	files=("$@")
	# the common case first: one grep for all the needles finds nothing
	printf '%s\n' "${needles[@]}" >"$fa_tmp/needles"
	if ! {
		[ ${#dirs[@]} -gt 0 ] && grep -rilF -f "$fa_tmp/needles" -- "${dirs[@]}" 2>/dev/null
		[ ${#files[@]} -gt 0 ] && grep -ilF -f "$fa_tmp/needles" -- "${files[@]}" 2>/dev/null
		[ ${#dirs[@]} -gt 0 ] && find "${dirs[@]}" 2>/dev/null | grep -iF -f "$fa_tmp/needles"
	} | grep -q .; then
		return 0
	fi
	# some needle is there: which, and where
	for n in "${needles[@]}"; do
		hits=$( {
			[ ${#dirs[@]} -gt 0 ] && grep -rilF -- "$n" "${dirs[@]}" 2>/dev/null
			[ ${#files[@]} -gt 0 ] && grep -ilF -- "$n" "${files[@]}" 2>/dev/null
			[ ${#dirs[@]} -gt 0 ] && find "${dirs[@]}" 2>/dev/null | grep -iF -- "$n" | sed 's/$/ (its name)/'
		} | sort -u)
		[ -n "$hits" ] || continue
		bad=1
		# a half of a key already shown whole adds nothing
		case $shown in *"$n"*) continue ;; esac
		shown+=" $n"
		echo "'$n' found in $(printf '%s\n' "$hits" | wc -l) place(s):"
		printf '%s\n' "$hits" | head -n 6 | sed 's/^/  /'
		grep -rihoE -m 1 -- ".{0,40}$n.{0,20}" "${dirs[@]}" "${files[@]}" 2>/dev/null | head -n 2 |
			sed 's/^/  e.g. /'
	done
	return $bad
}

# leaks itself finds what it looks for: half a key, upper case, in a file
# under a folder, in a file given, and in a file name
mkdir -p "$fa_tmp/selftest/d"
printf 'x %s y\n' "${APP:20}" | tr a-z A-Z >"$fa_tmp/selftest/d/f"
printf 'token %s\n' "$FLAG_TOKEN" >"$fa_tmp/selftest/g"
: >"$fa_tmp/selftest/d/h-$PASS"
self=0
leaks "$fa_tmp/selftest/d" -- >/dev/null || self=$((self + 1))
leaks -- "$fa_tmp/selftest/g" >/dev/null || self=$((self + 1))
rm "$fa_tmp/selftest/d/f"
leaks "$fa_tmp/selftest/d" -- >/dev/null || self=$((self + 1))
rm "$fa_tmp/selftest/d/h-$PASS"
leaks "$fa_tmp/selftest/d" -- "$abs_top_srcdir/README.md" >/dev/null && self=$((self + 1))
fa_check "leaks() finds a needle in a file, a file given and a file name, and nothing in clean files" \
	test "$self" = 4
rm -rf "$fa_tmp/selftest"

# analyze_clean NAME PATH: analyze PATH (plain and --json) into fresh
# folders; ok when it exits 0 and nothing leaks.
analyze_clean() {
	local name=$1 path=$2 d
	d=$(mktemp -d "$fa_tmp/run.XXXXXX")
	fa_last_run=$d
	fa_env=(TMPDIR="$d")
	fa_run "$d/plain" analyze -c "$fa_cfg" "$path" -o "$d/out"
	local rc1=$fa_rc
	fa_run "$d/json" analyze -c "$fa_cfg" --json "$path" -o "$d/out-json"
	local rc2=$fa_rc
	fa_env=()
	if [ "$rc1" -ne 0 ] || [ "$rc2" -ne 0 ]; then
		fa_not_ok "$name: analyzed, no secret in any output" "exit status $rc1 (plain), $rc2 (--json)"
		fa_diag_file "$d/plain.err" 10
		fa_diag_file "$d/json.err" 10
		return
	fi
	# the outputs that were written at all
	if [ ! -s "$d/plain.out" ] || [ -z "$(find "$d/out" -name '*.md')" ]; then
		fa_not_ok "$name: analyzed, no secret in any output" "no report written"
		return
	fi
	fa_check "$name: analyzed, no secret in stdout, stderr or any file under the output folder" \
		leaks "$d/out" "$d/out-json" -- "$d/plain.out" "$d/plain.err" "$d/json.out" "$d/json.err"
}

# ---- the fixture flares --------------------------------------------------------------
mapfile -t zips < <(fa_fixture_zips)
[ ${#zips[@]} -gt 0 ] || fa_bail "no fixture flares in $fa_flares"
for zip in "${zips[@]}"; do
	analyze_clean "$(fa_scenario "$zip")" "$zip"
done

# the sample flare(s) beside the source tree, with their own planted key
shopt -s nullglob
samples=("$FW_SHARED_DIR"/flares/*.zip)
shopt -u nullglob
if [ ${#samples[@]} -gt 0 ]; then
	needles+=("$SAMPLE_KEY")
	for zip in "${samples[@]}"; do
		analyze_clean "sample $(basename "$zip")" "$zip"
	done
else
	fa_skip "sample flare" "no $FW_SHARED_DIR/flares/*.zip"
fi

# ---- a flare whose file name holds the API key ------------------------------------------
leakzip=$(printf '%s\n' "${zips[@]}" | grep '/leak-' | head -n 1)
if [ -n "$leakzip" ]; then
	cp "$leakzip" "$fa_tmp/leak-$API-datadog-agent-2024-10-02T14-21-52Z-info.zip"
	analyze_clean "a zip named after the API key" "$fa_tmp/leak-$API-datadog-agent-2024-10-02T14-21-52Z-info.zip"
fi

# ---- refused zips whose entry names hold secrets -----------------------------------------
hz=$abs_top_srcdir/tests/fixtures/hostile
for z in secret-name secret-password secret-cut secret-cut-160 secret-escaped; do
	if [ ! -f "$hz/analyze-$z.zip" ]; then
		fa_not_ok "$z.zip: refused without showing the secret" "missing $hz/analyze-$z.zip"
		continue
	fi
	d=$(mktemp -d "$fa_tmp/run.XXXXXX")
	fa_env=(TMPDIR="$d")
	fa_run "$d/r" analyze -c "$fa_cfg" "$hz/analyze-$z.zip" -o "$d/out"
	fa_env=()
	if [ "$fa_rc" -ne 1 ] || [ ! -s "$d/r.err" ]; then
		fa_not_ok "$z.zip: refused without showing the secret" "expected exit status 1 and an error"
		fa_describe_run
	else
		fa_check "$z.zip: refused without showing the secret" leaks "$d" -- "$d/r.out" "$d/r.err"
	fi
done

# ---- flares built here ------------------------------------------------------------------------
# Everything is plain text written by the shell, the profiles either copied
# from tests/fixtures/profiles or written by fa_pprof_write (common.sh), so
# this needs neither python nor an unzip tool.

# build_flare DIR VARIANT: a flare folder DIR/flare-$APP (the folder name
# holds the app key). VARIANT "a": secrets in valid fields of the text files
# and in profile file names; "b": secrets in values the parsers reject (bad
# numbers, broken YAML, a broken dump); "c": "a" plus a process whose
# profiles' function names hold the secrets (the tables, the verdict, the
# flame graphs).
build_flare() {
	local root=$1/flare-$APP v=$2 prof=$abs_top_srcdir/tests/fixtures/profiles
	mkdir -p "$root/profiles" "$root/expvar" "$root/logs" "$root/etc"
	cat >"$root/status.log" <<-EOF
		===============
		Agent (v7.58.2)
		===============
		  Status date: 2024-10-02 14:21:52.317 UTC (1727878912317)
		  Agent start: 2024-09-30 09:02:11.648 UTC (1727686931648)
		  Pid: 4242
		  Go Version: go1.22.7 $API
		  Python Version: 3.12.6 api_key=$API
		  Build arch: amd64
		  Agent flavor: agent
		  Log File: /var/log/datadog/agent.log
		  Log Level: info

		========
		Hostname
		========

		  hostname: host-$API
		  socket-fqdn: $APP.fixtures.internal
		  socket-hostname: host-$API
		  host tags:
		    env:fixture
		    api_key:$API
		  hostname provider: configuration

		=========
		Collector
		=========

		  Running Checks
		  ==============
		    
		    cpu
		    ---
		      Instance ID: cpu [OK]
		      Total Runs: 12,798
		      Average Execution Time : 1ms
		      
		    
		    load_$APP
		    $(dashes "load_$APP")
		      Instance ID: load_$APP:$API [OK]
		      Total Runs: 12,798
		      Average Execution Time : 0s
		      
		    
		    secret-$API (1.2.3-$APP)
		    $(dashes "secret-$API (1.2.3-$APP)")
		      Instance ID: secret:$API [WARNING]
		      Total Runs: 12,798
		      Warning: token $APP expired for api_key: $API
		      Warning: restarted as datadog-agent run --api-key $FLAG_TOKEN -c /etc/datadog-agent
		      Warning: restarted as /opt/agent -password $FLAG_PASS --verbose
		      Warning: proxy refused Authorization: Basic $BASIC (407)
		      Warning: conf.xml: <password>$XML_PASS</password> ignored
		      Warning: env [{"name": "DD_API_KEY", "value": "$K8S_PASS"}, {"name": "DD_SITE"}]
		      Warning: curl -u datadog:$CURL_PASS https://app.datadoghq.com failed
		      
		    
		    glued (1.0.0)
		    -------------
		      Instance ID: glued:0x$API [WARNING]
		      Total Runs: 12,798
		      Warning: keys glued to hex and letters: 0x$API ${API}9 abc$API ${APP}f g$APP
		      
		    
		    postgres (22.0.1)
		    -----------------
		      Instance ID: postgres:$API [ERROR]
		      Configuration Source: file:/etc/datadog-agent/conf.d/postgres.d/conf.yaml
		      Total Runs: 12,798
		      Average Execution Time : 5.004s
		      Error: login failed with password=$PASS for postgres://datadog:$PASS@10.0.7.14:5432/db (key $API, app $APP)
		      Traceback (most recent call last):
		        File "/opt/datadog-agent/embedded/lib/python3.12/site-packages/x.py", line 1, in run
		          self.connect(password="$PASS", api_key='$API')
		      psycopg.errors.InvalidPassword: password: $PASS
		    
		=========
		Endpoints
		=========
		  https://app.datadoghq.com - API Key ending with:
		      - 8a7b6
	EOF
	cat >"$root/install_info.log" <<-EOF
		---
		install_method:
		  tool: install_script_$API
		  tool_version: $APP
		  installer_version: password=$PASS
	EOF
	if [ "$v" != b ]; then
		cat >"$root/expvar/memstats" <<-EOF
			$API: 1
			$APP: 2
			Alloc: 6.801e+07
			api_key: $API
			BySize:
			- Frees: 0
			  Mallocs: 0
			  Size: 0
			HeapAlloc: 6.801e+07
			HeapIdle: 5.44e+07
			HeapInuse: 7.956e+07
			HeapObjects: 408146
			HeapReleased: 3.808e+07
			HeapSys: 1.3396e+08
			NextGC: 9.793e+07
			NumGC: 48213
			password: $PASS
			PauseTotalNs: 1.3098629e+10
			Sys: 1.4801e+08
			TotalAlloc: 1.39e+12
		EOF
	else
		cat >"$root/expvar/memstats" <<-EOF
			HeapAlloc: $API
			NumGC: [$APP
			Sys: "password=$PASS
			  $API: {
		EOF
	fi
	if [ "$v" != b ]; then
		cat >"$root/go-routine-dump.log" <<-EOF
			goroutine 1 [running]:
			main.main()
			${TAB}evil/main.go:12 +0x1d

			goroutine 7 [chan receive, 12 minutes]:
			evil/pkg.handler_$API(0xc000010000)
			${TAB}evil/pkg/h.go:40 +0x55
			created by main.main
			${TAB}evil/main.go:20 +0x3c

			goroutine 8 [select, 14 minutes]:
			evil/pkg.(*Client).Auth-$APP(0xc000010000)
			${TAB}evil/pkg/c.go:41 +0x55
			created by main.main
			${TAB}evil/main.go:21 +0x3c

			goroutine 9 [api_key=$API]:
			evil/pkg.login(password=$PASS)
			${TAB}evil/pkg/l.go:42 +0x55
			created by evil/pkg.handler_$API
			${TAB}evil/main.go:22 +0x3c

		EOF
	else
		printf 'goroutine x [api_key=%s]:\n%s\n\tpassword=%s\n' "$API" "$APP" "$PASS" >"$root/go-routine-dump.log"
	fi
	cat >"$root/logs/agent.log" <<-EOF
		2024-10-02 14:21:50 UTC | CORE | INFO | (pkg/jmxfetch/jmxfetch.go:250 in start) | DD_API_KEY=$API
		2024-10-02 14:21:51 UTC | CORE | INFO | (pkg/process/run.go:80 in run) | exec: datadog-agent run --api-key $FLAG_TOKEN
		2024-10-02 14:21:51 UTC | CORE | WARN | (pkg/forwarder/transaction.go:120 in send) | Authorization: Basic $BASIC
	EOF
	cat >"$root/etc/datadog.yaml" <<-EOF
		api_key: $API
		app_key: $APP
		proxy_auth:
		  password: $PASS
	EOF
	# a real core process, and profiles whose file names hold the keys
	cp "$prof/heap1.pb.gz" "$root/profiles/core-1st-heap.pprof"
	cp "$prof/heap2.pb.gz" "$root/profiles/core-2nd-heap.pprof"
	cp "$prof/cpu.pb.gz" "$root/profiles/core-cpu.pprof"
	cp "$prof/block.pb.gz" "$root/profiles/core-block.pprof"
	cp "$prof/mutex.pb.gz" "$root/profiles/core-mutex.pprof"
	cp "$prof/cpu.pb.gz" "$root/profiles/$API-cpu.pprof"
	cp "$prof/cpu.pb.gz" "$root/profiles/x0x${API}9-cpu.pprof"
	cp "$prof/heap1.pb.gz" "$root/profiles/api_key=$APP-1st-heap.pprof"
	printf 'go 1.19 trace\0\0\0' >"$root/profiles/$APP.trace"
	if [ "$v" != c ]; then
		echo "$root"
		return
	fi
	# a process "evil" whose function names hold the secrets: they reach
	# the tables, the verdict and the flame graphs
	local fns=("evil/pkg.handler_$API" "evil/pkg.(*Client).Auth-$APP" "evil/pkg.login password=$PASS"
		"evil/pkg.cfg api_key: $API" "evil/pkg.exec --password $FLAG_PASS --token $FLAG_TOKEN"
		"evil/pkg.hdr Authorization: Basic $BASIC"
		"evil/pkg.env$NL- name: DD_API_KEY$NL  value: $K8S_PASS"
		"evil/pkg.conf <apiKey>$NL$XML_PASS$NL</apiKey>"
		"evil/pkg.glued(0x$API)" "evil/pkg.key${API}9" "evil/pkg.abc$API" "evil/pkg.app${APP}0")
	fa_pprof_write "$root/profiles/evil-cpu.pprof" cpu 1727878910000000000 40 "${fns[@]}"
	fa_pprof_write "$root/profiles/evil-1st-heap.pprof" heap 1727878907000000000 1 "${fns[@]}"
	fa_pprof_write "$root/profiles/evil-2nd-heap.pprof" heap 1727878910000000000 2000 "${fns[@]}"
	fa_pprof_write "$root/profiles/evil-block.pprof" cpu 1727878910000000000 500 "${fns[@]}"
	echo "$root"
}
TAB=$(printf '\t')
NL=$'\n'
dashes() { printf '%s' "${1//?/-}"; }

for v in a b c; do
	dir=$(build_flare "$(mktemp -d "$fa_tmp/built.XXXXXX")" "$v") || fa_bail "cannot build a flare"
	# self-check: the secrets really are in what we built
	for sec in "$API" "$APP" "$PASS" "$FLAG_TOKEN" "$FLAG_PASS" "$XML_PASS" "$K8S_PASS" "$CURL_PASS" "$BASIC"; do
		grep -rqF -- "$sec" "$dir" || fa_bail "the built flare does not hold the secret $sec"
	done
	case $v in
	a) what="secrets in the text files and profile file names" ;;
	b) what="secrets in values the parsers reject" ;;
	c) what="secrets in profile function names" ;;
	esac
	analyze_clean "built flare ($v: $what)" "$dir"
	d=$fa_last_run
	if [ "$v" = a ]; then
		# the planted fields were really parsed (else the check above
		# proves little): they show up, redacted
		parsed() {
			local md js s bad=0
			md=$(find "$d/out" -name 'flare-profiling-*.md' | head -n 1)
			js=$(dirname "$md")/report.json
			for s in 'host-[REDACTED]' 'load_[REDACTED]' 'secret-[REDACTED]' 'postgres:[REDACTED]' \
				'password=[REDACTED]' '[REDACTED]-cpu.pprof' 'glued:[REDACTED]' 'handler_[REDACTED]' 'Auth-[REDACTED]' \
				'State `api_key=[REDACTED]`' '`flare-[REDACTED]`'; do
				grep -qF -- "$s" "$md" || { echo "not in the md: $s"; bad=1; }
			done
			if fa_have_jq; then
				s=$(jq -c '[.flare.install.tool, .memstats.HeapAlloc, .goroutines.total]' "$js")
				[ "$s" = '["install_script_[REDACTED]",68010000,4]' ] ||
					{ echo "report.json [install tool, HeapAlloc, goroutines]: $s"; bad=1; }
			fi
			return $bad
		}
		fa_check "built flare (a): the planted fields were parsed (they show up redacted)" parsed
	elif [ "$v" = c ]; then
		evil_svgs() {
			local n
			n=$(find "$d/out" -name 'evil-cpu.svg' -o -name 'evil-heap-diff.svg' | wc -l)
			[ "$n" -eq 2 ] || { echo "expected evil-cpu.svg and evil-heap-diff.svg, found $n"; find "$d/out"; return 1; }
		}
		fa_check "built flare (c): the planted process was analyzed (its SVGs exist)" evil_svgs
	fi
done

fa_finish
