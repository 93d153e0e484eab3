#!/bin/bash
# tests/analyze/rules.sh -- `flarewatch analyze` on fixture flares whose
# profiles were altered (by pprof_edit.py beside this file) in ways a bad day
# or an attacker produces: a 2-byte CPU profile (the analysis once freed the
# same name twice), reversed or implausible heap snapshot times, sample
# units other than nanoseconds, a count-only CPU profile, a stack too deep
# for a flame graph, values near INT64_MAX. Each case checks the exit
# status, the absence of sanitizer reports, the verdict and the sentence the
# report gives, against numbers pprof_edit.py computes on its own.
# TAP on stdout; see tests/analyze/common.sh for the environment.

# shellcheck source=tests/analyze/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
fa_require_binary

edit=$abs_top_srcdir/tests/analyze/pprof_edit.py
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
if ! command -v python3 >/dev/null 2>&1; then
	skip_all "no python3 to rewrite the profiles"
fi
fa_have_jq || skip_all "no jq to read report.json"
fa_extractor || skip_all "$fa_extract_why"

# flare SCENARIO NAME: extracts the fixture flare SCENARIO into $fa_tmp/NAME;
# sets flare (its host folder) and prof (its profiles/ folder).
flare() {
	local z=$fa_flares/$1-datadog-agent-2024-10-02T14-21-52Z-info.zip
	rm -rf "${fa_tmp:?}/$2"
	fa_extract "$z" "$fa_tmp/$2" >/dev/null || fa_bail "cannot extract $z"
	flare=$(find "$fa_tmp/$2" -mindepth 1 -maxdepth 1 -type d | head -n 1)
	prof=$flare/profiles
}

ed() { python3 "$edit" "$@" || fa_bail "pprof_edit.py $* failed"; }
info() { python3 "$edit" info "$1" | awk -v k="$2" '$1 == k || $1 " " $2 == k { print $NF }'; }

# analyze NAME: runs `flarewatch analyze --json` on $flare; the JSON report
# is $fa_tmp/NAME.out, the Markdown report $md.
analyze() {
	fa_run "$fa_tmp/$1" analyze -c "$fa_cfg" -o "$fa_tmp/$1.inv" --json "$flare"
	md=$(find "$fa_tmp/$1.inv" -name '*.md' ! -name index.md | head -n 1)
}

# jqv NAME FILTER: the filter's value in the last report of NAME
jqv() { jq -r "$2" "$fa_tmp/$1.out" 2>/dev/null; }

# check NAME COND MESSAGE...: ok if the shell condition (a string for eval)
# holds; the message and the run's output otherwise.
check() {
	local name=$1 cond=$2
	shift 2
	if eval "$cond"; then
		fa_ok "$name"
	else
		fa_not_ok "$name" "$@"
		fa_describe_run
	fi
}

# ---- 1. a 2-byte CPU profile: a string table and no sample types --------------

flare leak tiny
printf '\062\000' | gzip -n >"$prof/core-cpu.pprof"
analyze tiny
fa_check_rc "tiny CPU profile: analyzed, no double free" 0
check "tiny CPU profile: the CPU table names the problem" \
	'e=$(jqv tiny ".processes[] | select(.name==\"core\") | .cpu.error"); [ -n "$e" ] && [ "$e" != null ]'
check "tiny CPU profile: the heap leak is still found" \
	'[ "$(jqv tiny .verdict.kind)" = memory_leak ]'

fa_finish
