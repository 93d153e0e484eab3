#!/bin/bash
# tests/analyze/verdicts.sh -- `flarewatch analyze` on every fixture flare
# (tests/fixtures/flares/*.zip): the verdict each was built for (see that
# folder's README.md), the files written, report.json, the Markdown verdict,
# index.md, a second run of the same flare, an extracted folder (analyzed
# with --json: one run checks both).
# TAP on stdout; see tests/analyze/common.sh for the environment.

# shellcheck source=tests/analyze/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
fa_require_binary

mapfile -t zips < <(fa_fixture_zips)
[ ${#zips[@]} -gt 0 ] || fa_bail "no fixture flares in $fa_flares"

out=$fa_tmp/out       # every fixture into one investigations folder
mkdir -p "$fa_tmp/run"
jq_ok=true
fa_have_jq || jq_ok=false

# check_files SCEN DIR MD: the report folder holds the md, report.json and
# exactly the SVGs the fixture's profiles allow.
check_files() {
	local scen=$1 dir=$2 md=$3 f want=() got=() bad=0
	[ -s "$dir/$md" ] || { echo "missing or empty: $dir/$md"; bad=1; }
	[ -s "$dir/report.json" ] || { echo "missing or empty: $dir/report.json"; bad=1; }
	case $scen in
	noprofiles) ;;
	badprofiles) want=(trace-cpu.svg trace-heap-diff.svg) ;; # core: no heap diff, no CPU
	partialtrace) want=(core-cpu.svg core-heap-diff.svg) ;;  # trace: no heap diff, no CPU
	*) want=(core-cpu.svg core-heap-diff.svg trace-cpu.svg trace-heap-diff.svg) ;;
	esac
	# the delay flame graphs: where the block/mutex profiles record some delay
	case $scen in
	badprofiles | contention | normal | python) want+=(core-block-delay.svg core-mutex-delay.svg trace-block-delay.svg) ;;
	esac
	# the call graphs (graphviz's dot) of the CPU profile and the heap growth
	if command -v dot >/dev/null 2>&1; then
		for f in "${want[@]}"; do
			case $f in *-cpu.svg | *-heap-diff.svg) want+=("${f%.svg}-callgraph.svg") ;; esac
		done
	fi
	for f in "${want[@]}"; do
		if [ ! -s "$dir/$f" ]; then
			echo "missing or empty: $f"
			bad=1
		elif ! grep -q '<svg' "$dir/$f" || ! grep -q '</svg>' "$dir/$f"; then
			echo "$f does not look like an SVG document"
			bad=1
		fi
	done
	for f in "$dir"/*.svg; do
		[ -e "$f" ] || continue
		got+=("$(basename "$f")")
	done
	if [ "$(printf '%s\n' "${got[@]}" | sort)" != "$(printf '%s\n' "${want[@]}" | sort)" ]; then
		echo "SVG files: expected {${want[*]}}, got {${got[*]}}"
		bad=1
	fi
	return $bad
}

# check_json SCEN VERDICT HOST MD JSON
check_json() {
	local scen=$1 verdict=$2 host=$3 md=$4 js=$5 kind got
	kind=$(fa_kind_of "$verdict")
	if ! jq -e . "$js" >/dev/null 2>&1; then
		echo "report.json does not parse:"
		head -c 400 "$js"
		return 1
	fi
	got=$(jq -c '[.schema, .schema_version, .verdict.kind, .verdict.name, .flare.hostname, .report.markdown]' "$js")
	local want
	want=$(jq -cn --arg k "$kind" --arg v "$verdict" --arg h "$host" --arg m "$md" \
		'["flarewatch.report", 2, $k, $v, $h, $m]')
	if [ "$got" != "$want" ]; then
		echo "[.schema, .schema_version, .verdict.kind, .verdict.name, .flare.hostname, .report.markdown]"
		echo "expected $want"
		echo "got      $got"
		return 1
	fi
	# every flame graph named in the JSON is a file of the report folder
	local dir svg
	dir=$(dirname "$js")
	while IFS= read -r svg; do
		[ -f "$dir/$svg" ] || { echo "report.json names $svg, which is not in $dir"; return 1; }
	done < <(jq -r '.processes[]? | ((.flamegraphs // {}) | .[]), ((.callgraphs // {}) | .cpu, .heap_diff) | select(. != null)' "$js")
	return 0
}

# check_md VERDICT HOST MD
check_md() {
	local verdict=$1 host=$2 md=$3 n
	n=$(grep -c '^## Verdict: ' "$md")
	if [ "$n" -ne 1 ]; then
		echo "expected one '## Verdict: ' line, found $n"
		return 1
	fi
	if ! grep -qxF "## Verdict: $verdict" "$md"; then
		echo "expected '## Verdict: $verdict', found '$(grep '^## Verdict: ' "$md")'"
		return 1
	fi
	if [ "$(head -n 1 "$md")" != "# Flare profiling investigation: $host" ]; then
		echo "first line: $(head -n 1 "$md")"
		return 1
	fi
}

declare -A first_line report_dir
for zip in "${zips[@]}"; do
	scen=$(fa_scenario "$zip")
	if ! verdict=$(fa_verdict_of "$scen"); then
		fa_not_ok "$scen: known fixture" "no intended verdict for $(basename "$zip"); update verdicts.sh"
		continue
	fi
	host=fixture-$scen-01
	md=flare-profiling-$host.md
	p=$fa_tmp/run/$scen

	fa_run "$p" analyze -c "$fa_cfg" "$zip" -o "$out"
	fa_check_rc "$scen: analyze exits 0" 0
	[ "$fa_rc" -eq 0 ] || continue

	# stdout: "<host>: <VERDICT>: <summary>" then "report: <path>"
	l1=$(sed -n 1p "$p.out")
	l2=$(sed -n 2p "$p.out")
	first_line[$scen]=$l1
	case $l1 in
	"$host: $verdict: "?*) fa_ok "$scen: stdout says $host: $verdict" ;;
	*) fa_not_ok "$scen: stdout says $host: $verdict" "stdout line 1: $l1" ;;
	esac
	rpath=${l2#report: }
	dir=$(dirname "$rpath")
	report_dir[$scen]=$dir
	if [ "$l2" != "$rpath" ] && [ "$rpath" = "$out/$host/20241002T142152Z/$md" ] &&
		[ "$(wc -l <"$p.out")" -eq 2 ]; then
		fa_ok "$scen: stdout names the report $host/20241002T142152Z/$md"
	else
		fa_not_ok "$scen: stdout names the report $host/20241002T142152Z/$md"
		fa_diag_file "$p.out"
	fi

	fa_check "$scen: md, report.json and SVGs written" check_files "$scen" "$dir" "$md"
	if $jq_ok; then
		fa_check "$scen: report.json schema and verdict" check_json "$scen" "$verdict" "$host" "$md" \
			"$dir/report.json"
	else
		fa_skip "$scen: report.json schema and verdict" "jq not found"
	fi
	fa_check "$scen: Markdown '## Verdict: $verdict'" check_md "$verdict" "$host" "$dir/$md"
	# coverage: every analysis's file state, ran flag and the verdicts it
	# implies, derived from the zip by coverage_check.py (pprof_edit.py's
	# own decoder), never from flarewatch's
	if $jq_ok && command -v python3 >/dev/null 2>&1; then
		fa_check "$scen: report.json coverage and verdicts agree with the zip's files" \
			python3 "$abs_top_srcdir/tests/analyze/coverage_check.py" "$zip" "$dir/report.json"
	else
		fa_skip "$scen: report.json coverage and verdicts agree with the zip's files" "needs jq and python3"
	fi
	# the Markdown says, per process, what was analyzed
	fa_check "$scen: md has a Coverage table with a row per process" \
		test "$(awk '/^\| Process \| Analyzed \| Not analyzed, and why \|$/ { on = 1; next }
			on && /^$/ { on = 0 } on && /^\| [^-]/' "$dir/$md" | wc -l)" = "$(grep -c '^## Process: ' "$dir/$md")"

	case $scen in
	noprofiles)
		fa_check "noprofiles: md says 'No profiles/ directory found in this flare.'" \
			grep -qxF "No profiles/ directory found in this flare." "$dir/$md"
		fa_check "noprofiles: md says 'The agent was likely not configured with internal_profiling: enabled: true'" \
			grep -qxF "The agent was likely not configured with internal_profiling: enabled: true" "$dir/$md"
		fa_check "noprofiles: md mentions datadog-agent flare --profile 30" \
			grep -qF "datadog-agent flare --profile 30" "$dir/$md"
		fa_check "noprofiles: stdout's summary gives the remedy" \
			test "${l1#"$host: $verdict: "}" = "no usable profile in this flare: ask for one made with datadog-agent flare --profile 30"
		if $jq_ok; then
			fa_check "noprofiles: report.json: no process, no_usable_profile" test \
				"$(jq -c '[(.processes | length), .verdict.no_usable_profile]' "$dir/report.json")" = '[0,true]'
		fi
		;;
	badprofiles)
		fa_check "badprofiles: md notes the zero-byte core-1st-heap.pprof" \
			grep -Eq 'core-1st-heap\.pprof.*(empty|0 bytes|zero)' "$dir/$md"
		fa_check "badprofiles: md notes the missing core-2nd-heap.pprof" \
			grep -Eq 'core-2nd-heap\.pprof.*missing' "$dir/$md"
		fa_check "badprofiles: md notes the corrupt core-cpu.pprof" \
			grep -Eiq 'core-cpu\.pprof.*(unreadable|corrupt|invalid|cannot)' "$dir/$md"
		fa_check "badprofiles: stdout's summary says what was not analyzed" \
			test "${l1#"$host: $verdict: "}" = "core: not analyzed: heap diff (core-1st-heap.pprof empty, core-2nd-heap.pprof missing), CPU (core-cpu.pprof corrupt); no rule fired for trace"
		fa_check "badprofiles: md's coverage row for core: block and mutex analyzed, the rest not, with why" \
			grep -qxF '| core | block, mutex | heap diff: core-1st-heap.pprof is empty (0 bytes) and core-2nd-heap.pprof is missing<br>heap top: core-2nd-heap.pprof is missing<br>CPU: core-cpu.pprof is unreadable: unknown wire type 7 at byte 3 |' "$dir/$md"
		fa_check "badprofiles: the customer message says what could not be analyzed, and asks for a flare" \
			eval 'sed -n "/^## Customer message/,/^## /p" "$dir/$md" | tr "\n" " " |
				grep -F "\`core\`: its memory could not be analyzed (\`core-1st-heap.pprof\` is empty, \`core-2nd-heap.pprof\` is missing). Its CPU usage could not be analyzed (\`core-cpu.pprof\` is unreadable)." |
				grep -F "We could analyze the memory and CPU of \`trace\` but not the memory and CPU of \`core\`, so we cannot tell yet whether the Agent behaves normally." |
				grep -qF "datadog-agent flare --profile 30"'
		fa_check "badprofiles: the customer message does not claim memory and CPU were analyzed" \
			eval '! sed -n "/^## Customer message/,/^## /p" "$dir/$md" | grep -qF "found no sign of"'
		if $jq_ok; then
			fa_check "badprofiles: report.json file states empty/missing/corrupt" test \
				"$(jq -c '[.processes[] | select(.name == "core") | .files[] |
					select(.kind == "1st-heap" or .kind == "2nd-heap" or .kind == "cpu") |
					[.kind, .state]] | sort' "$dir/report.json")" = \
				'[["1st-heap","empty"],["2nd-heap","missing"],["cpu","corrupt"]]'
		fi
		;;
	partialtrace)
		fa_check "partialtrace: stdout's summary has the leak, then says trace was not analyzed" \
			eval '[[ "${l1#"$host: $verdict: "}" == "core: memory leak, heap +"*" per 30 s in flaregen/pkg/aggregator.(*ContextResolver).trackContext; trace: not analyzed: heap diff (trace-1st-heap.pprof missing), CPU (trace-cpu.pprof corrupt)" ]]'
		fa_check "partialtrace: md's coverage row for trace" \
			grep -qF '| trace | heap top, block, mutex | heap diff: trace-1st-heap.pprof is missing<br>CPU: trace-cpu.pprof is unreadable' "$dir/$md"
		if $jq_ok; then
			fa_check "partialtrace: report.json: core memory_leak, trace inconclusive" test \
				"$(jq -c '[.processes[] | [.name, .verdict]]' "$dir/report.json")" = '[["core","memory_leak"],["trace","inconclusive"]]'
			# the leak's numbers, from the zip by pprof_edit.py: the sum of
			# the positive per-function inuse_space diffs, per 30 s over the
			# snapshots' time_nanos
			pt=$fa_tmp/pt-x
			if fa_extractor && fa_extract "$zip" "$pt" >/dev/null 2>&1; then
				pd=$pt/$host/profiles
				pe=$abs_top_srcdir/tests/analyze/pprof_edit.py
				g=$(python3 "$pe" growth "$pd/core-2nd-heap.pprof" "$pd/core-1st-heap.pprof" 3)
				t1=$(python3 "$pe" info "$pd/core-1st-heap.pprof" | sed -n 's/^time_nanos //p')
				t2=$(python3 "$pe" info "$pd/core-2nd-heap.pprof" | sed -n 's/^time_nanos //p')
				want=$(python3 -c "import sys; g,t1,t2=map(int,sys.argv[1:]); print(g, round(g*30e9/(t2-t1)))" "$g" "$t1" "$t2")
				fa_check "partialtrace: core growth $want (bytes, per 30 s) as pprof_edit.py computes it" test \
					"$(jq -r '.processes[0].heap_growth | "\(.total_bytes) \(.total_per_30s)"' "$dir/report.json")" = "$want"
			else
				fa_skip "partialtrace: core growth as pprof_edit.py computes it" "no zip extractor"
			fi
		fi
		;;
	contention)
		fa_check "contention: md names flaregen/pkg/collector.(*Worker).Run" \
			grep -qF 'flaregen/pkg/collector.(*Worker).Run' "$dir/$md"
		;;
	esac
done

# ---- index.md ----------------------------------------------------------------------

# index_rows: the table rows of index.md as "time<TAB>host<TAB>verdict"
index_rows() {
	sed -n '/^| Flare time |/,$p' "$out/index.md" | sed 1,2d | grep '^| ' |
		awk -F ' \\| ' '{ t = $1; sub(/^\| /, "", t); v = $5; gsub(/\*/, "", v); print t "\t" $2 "\t" v }'
}

check_index() {
	local zip scen host verdict n bad=0
	[ -s "$out/index.md" ] || { echo "no $out/index.md"; return 1; }
	for zip in "${zips[@]}"; do
		scen=$(fa_scenario "$zip")
		verdict=$(fa_verdict_of "$scen") || continue
		host=fixture-$scen-01
		n=$(index_rows | awk -F '\t' -v h="$host" -v v="$verdict" '$2 == h && $3 == v' | wc -l)
		if [ "$n" -ne 1 ]; then
			echo "$host ($verdict): $n rows in index.md, expected 1"
			bad=1
		fi
	done
	n=$(index_rows | wc -l)
	if [ "$n" -ne ${#zips[@]} ]; then
		echo "index.md has $n rows for ${#zips[@]} flares"
		bad=1
	fi
	[ $bad -eq 0 ] || fa_diag_file "$out/index.md" 30 | sed 's/^# //'
	return $bad
}
fa_check "index.md lists every host once, with its verdict" check_index

newest_first() {
	if [ "$(index_rows | wc -l)" -lt 2 ]; then
		echo "index.md has fewer than 2 rows"
		return 1
	fi
	if ! index_rows | cut -f1 | sort -rc 2>/dev/null; then
		echo "flare times are not newest first:"
		index_rows | cut -f1
		return 1
	fi
}
fa_check "index.md is newest flare first" newest_first

# ---- the same flare again: <time>-2, two index rows ----------------------------------
leakzip=$(printf '%s\n' "${zips[@]}" | grep '/leak-' | head -n 1)
if [ -n "$leakzip" ]; then
	fa_run "$fa_tmp/run/again" analyze -c "$fa_cfg" "$leakzip" -o "$out"
	fa_check_rc "second run of leak exits 0" 0
	want=$out/fixture-leak-01/20241002T142152Z-2/flare-profiling-fixture-leak-01.md
	if [ "$(sed -n 2p "$fa_tmp/run/again.out")" = "report: $want" ] && [ -s "$want" ] &&
		[ -s "$out/fixture-leak-01/20241002T142152Z/flare-profiling-fixture-leak-01.md" ]; then
		fa_ok "second run writes <time>-2 and keeps the first report"
	else
		fa_not_ok "second run writes <time>-2 and keeps the first report"
		fa_diag_file "$fa_tmp/run/again.out"
		find "$out/fixture-leak-01" | sed 's/^/# /'
	fi
	two_rows() {
		local n links
		n=$(index_rows | awk -F '\t' '$2 == "fixture-leak-01"' | wc -l)
		links=$(grep -c 'fixture-leak-01/20241002T142152Z\(-2\)\{0,1\}/flare-profiling-fixture-leak-01\.md' "$out/index.md")
		if [ "$n" -ne 2 ] || [ "$links" -ne 2 ] ||
			! grep -qF '(fixture-leak-01/20241002T142152Z-2/flare-profiling-fixture-leak-01.md)' "$out/index.md"; then
			echo "expected 2 rows for fixture-leak-01 linking to 20241002T142152Z and -2; rows=$n links=$links"
			return 1
		fi
	}
	fa_check "index.md has 2 entries for fixture-leak-01" two_rows
	fa_check "index.md is still newest flare first" newest_first
else
	fa_not_ok "leak fixture present" "no leak-*.zip in $fa_flares"
fi

# ---- extracted folders ---------------------------------------------------------------
if fa_extractor; then
	for zip in "${zips[@]}"; do
		scen=$(fa_scenario "$zip")
		[ -n "${first_line[$scen]:-}" ] || continue
		x=$fa_tmp/x/$scen
		if ! fa_extract "$zip" "$x" >"$fa_tmp/x-$scen.log" 2>&1 || [ ! -d "$x/fixture-$scen-01" ]; then
			fa_not_ok "$scen: extracted folder gives the same verdict" "$fa_extractor_name failed"
			fa_diag_file "$fa_tmp/x-$scen.log"
			continue
		fi
		# with --json, so that this one analysis also checks that --json
		# prints the report.json it wrote (a fresh folder per run)
		fa_run "$fa_tmp/run/x-$scen" analyze -c "$fa_cfg" --json "$x/fixture-$scen-01" -o "$fa_tmp/xout-$scen"
		xjs=$(find "$fa_tmp/xout-$scen" -name report.json 2>/dev/null)
		if [ "$fa_rc" -ne 0 ]; then
			fa_check_rc "$scen: extracted folder, --json: analyze exits 0" 0
			continue
		fi
		if [ "$(printf '%s\n' "$xjs" | grep -c .)" -ne 1 ]; then
			fa_not_ok "$scen: --json prints report.json" "expected one report.json, found: $xjs"
			continue
		elif $jq_ok && ! jq -e . "$fa_tmp/run/x-$scen.out" >/dev/null 2>&1; then
			fa_not_ok "$scen: --json prints report.json" "stdout is not valid JSON"
			fa_diag_file "$fa_tmp/run/x-$scen.out" 5
			continue
		elif ! cmp -s "$xjs" "$fa_tmp/run/x-$scen.out"; then
			fa_not_ok "$scen: --json prints report.json" "stdout differs from $xjs"
		else
			fa_ok "$scen: --json prints report.json"
		fi
		if ! $jq_ok; then
			fa_skip "$scen: extracted folder gives the same verdict" "jq not found"
			continue
		fi
		# the zip's stdout line, "<host>: <VERDICT>: <summary>", from the
		# folder's report.json
		xline=$(jq -r '"\(.flare.hostname): \(.verdict.name): \(.verdict.summary)"' "$xjs")
		if [ "$xline" != "${first_line[$scen]}" ]; then
			fa_not_ok "$scen: extracted folder gives the same verdict" \
				"zip: ${first_line[$scen]} / folder: $xline"
		else
			fa_ok "$scen: extracted folder gives the same verdict ($fa_extractor_name)"
		fi
		if diff <(jq -S 'del(.flare.file, .flare.sha256, .analyzed_at)' "${report_dir[$scen]}/report.json") \
			<(jq -S 'del(.flare.file, .flare.sha256, .analyzed_at)' "$xjs") >"$fa_tmp/x-$scen.diff" 2>&1; then
			fa_ok "$scen: extracted folder gives the same report.json (but .flare.file and .sha256)"
		else
			fa_not_ok "$scen: extracted folder gives the same report.json (but .flare.file and .sha256)"
			fa_diag_file "$fa_tmp/x-$scen.diff" 30
		fi
		fa_check "$scen: flare.sha256 is the zip's (sha256sum), null for the folder" \
			test "$(jq -r '.flare.sha256' "${report_dir[$scen]}/report.json") $(jq -r '.flare.sha256' "$xjs")" = \
			"$(sha256sum "$fa_flares/$scen-datadog-agent-2024-10-02T14-21-52Z-info.zip" | cut -d' ' -f1) null"
	done

	# newest first, with a later flare: the leak flare's folder, one day later
	# under another host name
	if [ -d "$fa_tmp/x/leak/fixture-leak-01" ]; then
		later=$fa_tmp/later/fixture-later-01
		mkdir -p "$fa_tmp/later"
		cp -R "$fa_tmp/x/leak/fixture-leak-01" "$later"
		sed -e 's/^\(  Status date: \)2024-10-02 14:21:52\.317 UTC (1727878912317)$/\12024-10-03 14:21:52.317 UTC (1727965312317)/' \
			-e 's/^\(  hostname: \)fixture-leak-01$/\1fixture-later-01/' \
			"$fa_tmp/x/leak/fixture-leak-01/status.log" >"$later/status.log"
		fa_run "$fa_tmp/run/later" analyze -c "$fa_cfg" "$later" -o "$out"
		fa_check_rc "a flare one day later: analyze exits 0" 0
		first_row() {
			local r
			r=$(index_rows | head -n 1)
			if [ "$r" != "$(printf '2024-10-03T14:21:52Z\tfixture-later-01\tMEMORY LEAK')" ]; then
				echo "first row: $r"
				return 1
			fi
			newest_first
		}
		fa_check "index.md puts the later flare first" first_row
	fi
else
	fa_skip "extracted folder gives the same verdict; --json prints report.json" "$fa_extract_why"
fi

fa_finish
