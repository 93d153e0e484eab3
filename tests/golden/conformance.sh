#!/usr/bin/env bash
# tests/golden/conformance.sh -- runs the shared pprof conformance goldens
# (../shared/conformance/pprof-testdata next to the source tree, or
# $FW_CONFORMANCE_DIR) against flarewatch and prints TAP.  Skips cleanly
# when that directory is absent (e.g. in a plain clone or `make distcheck`).
#
# commands.log lines are "rc=N  go tool pprof ARGS  > OUTFILE"; each command
# runs from the data directory with TZ=UTC and our stdout is compared with
# OUTFILE byte for byte (rc=0), or must be empty with exit status 1 (rc!=0).
#
# Legacy (pre-proto) inputs are optional for flarewatch: profile/*,
# driver/cppbench.cpu, driver/cppbench.small.contention, go119/*.legacy.txt,
# fuzz/* and any diff that uses one of them.  For those an exit status != 0
# whose stderr matches $FW_LEGACY_ERROR_RE (an error that names the format;
# the file names themselves are ignored) is reported as "ok ... # SKIP legacy format not supported"; if flarewatch
# succeeds its output is compared like any other, and any other failure
# (crash, sanitizer report, unrelated message) is "not ok".
set -u

# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh" || exit 99

data=${FW_CONFORMANCE_DIR:-$abs_top_srcdir/../shared/conformance/pprof-testdata}
if [ ! -d "$data" ]; then
	echo "1..0 # SKIP shared conformance data not present"
	exit 0
fi
data=$(cd "$data" && pwd) || gw_bail "cannot enter $data"
log=$data/commands.log
[ -r "$log" ] || gw_bail "cannot read $log"
gw_require_binary

# What an error for an unsupported input format must mention (grep -Ei).
FW_LEGACY_ERROR_RE=${FW_LEGACY_ERROR_RE:-'format|legacy|unsupported|not supported|proto|gzip'}

is_legacy_input() {
	case $1 in
	profile/* | driver/cppbench.cpu | driver/cppbench.small.contention | \
		go119/*.legacy.txt | fuzz/*) return 0 ;;
	esac
	return 1
}

# uses_legacy_input PPROF_ARGS...: the profile (last argument) or a
# -base/-diff_base profile is in a legacy format.
uses_legacy_input() {
	local prev="" a=""
	for a in "$@"; do
		case $a in
		-base=* | -diff_base=* | --base=* | --diff_base=*) is_legacy_input "${a#*=}" && return 0 ;;
		-*) ;;
		*)
			case $prev in -base | -diff_base | --base | --diff_base)
				is_legacy_input "$a" && return 0 ;;
			esac
			;;
		esac
		prev=$a
	done
	is_legacy_input "$a"
}

# legacy_format_error PPROF_ARGS...: stderr of the last run names the input
# format.  The argument strings are removed from it first, so a file called
# "x.legacy.txt" in the message does not count.
legacy_format_error() {
	local msg a
	msg=$(cat "$gw_err")
	for a in "$@"; do
		msg=${msg//"$a"/}
		msg=${msg//"${a#*=}"/}
		msg=${msg//"${a##*/}"/}
	done
	grep -Eqi -- "$FW_LEGACY_ERROR_RE" <<<"$msg"
}

re='^rc=([0-9]+)[[:space:]]+go[[:space:]]+tool[[:space:]]+pprof[[:space:]]+(.*[^[:space:]])[[:space:]]*>[[:space:]]*([^[:space:]]+)[[:space:]]*$'
lineno=0
while IFS= read -r line || [ -n "$line" ]; do
	lineno=$((lineno + 1))
	case $line in '' | '#'*) continue ;; esac
	if ! [[ $line =~ $re ]]; then
		gw_not_ok "commands.log:$lineno" "unparsable line: $line"
		continue
	fi
	want_rc=${BASH_REMATCH[1]}
	args=${BASH_REMATCH[2]}
	name=${BASH_REMATCH[3]}
	read -r -a argv <<<"$args"
	if ! gw_map "${argv[@]}"; then
		gw_not_ok "$name" "cannot map 'go tool pprof $args' to a flarewatch command"
		continue
	fi
	gw_run "$data"
	if [ "$want_rc" -eq 0 ] && [ "$gw_rc" -ne 0 ] && uses_legacy_input "${argv[@]}"; then
		if [ "$gw_rc" -lt 126 ] && ! gw_sanitizer_report &&
			legacy_format_error "${argv[@]}"; then
			gw_ok "$name" "SKIP legacy format not supported"
		else
			gw_judge "$name" "$want_rc" "$data/$name" "$data"
			echo "# (legacy input: a plain error exit whose message matches" \
				"/$FW_LEGACY_ERROR_RE/i would count as SKIP)"
		fi
		continue
	fi
	gw_judge "$name" "$want_rc" "$data/$name" "$data"
done <"$log"

[ "$gw_n" -gt 0 ] || gw_bail "no commands found in $log"
gw_finish
