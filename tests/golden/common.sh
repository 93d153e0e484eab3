# shellcheck shell=bash
# tests/golden/common.sh -- shared by the golden runners (fixtures.sh,
# conformance.sh); sourced, never run.  Bash only.
#
# Each runner turns a recorded `go tool pprof ARGS` command into a
# `flarewatch pprof ...` command, runs it and compares its stdout with the
# golden, printing TAP with ../tap.sh (one "ok"/"not ok" line per golden,
# diagnostics as "# " lines, the plan "1..N" last).
#
# Environment (all optional; `make check` sets the first three, and TZ=UTC,
# through AM_TESTS_ENVIRONMENT):
#   abs_top_srcdir     source tree root        (default: two levels above this file)
#   abs_top_builddir   build tree root         (default: abs_top_srcdir)
#   FLAREWATCH         the binary under test   (default: $abs_top_builddir/flarewatch)
#   FW_TIMEOUT         seconds per command     (default: 120)
#   FW_DIFF_LINES      max diff/stderr lines shown per failure (default: 200)

# shellcheck source=tests/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/../tap.sh" || exit 99
tap_flarewatch_env
FW_DIFF_LINES=${FW_DIFF_LINES:-200}

# shellcheck disable=SC2034 # the runners read the number of results as gw_n
declare -gn gw_n=tap_n

gw_tmp=$(mktemp -d "${TMPDIR:-/tmp}/fw-golden.XXXXXX") || tap_bail "cannot create a temporary directory"
trap 'rm -rf "$gw_tmp"' EXIT
gw_out=$gw_tmp/stdout
gw_err=$gw_tmp/stderr

# ../tap.sh's helpers under the names the runners use.
gw_bail() { tap_bail "$@"; }
gw_require_binary() { tap_require_binary; }
gw_diag_file() { tap_diag_file "$1" "${2:-$FW_DIFF_LINES}"; } # FILE [MAX]
gw_ok() { tap_ok "$@"; }                                       # NAME [DIRECTIVE]
gw_not_ok() { tap_not_ok "$@"; }                               # NAME MESSAGE...
gw_finish() { tap_finish; }
# gw_sanitizer_report: true if stderr holds an ASan/UBSan/LSan report.
gw_sanitizer_report() { tap_sanitizer_report "$gw_err"; }

# gw_map PPROF_ARGS...: sets gw_cmd to the flarewatch argv for a
# `go tool pprof` command line:
#   -top REST      -> pprof top REST
#   -peek RE REST  -> pprof peek RE REST
#   -list RE REST  -> pprof list RE REST
#   -traces REST   -> pprof traces REST
#   -tags REST     -> pprof tags REST
# The report flag may appear anywhere; the other arguments keep their order.
# Returns 1 if there is no report flag.
gw_map() {
	local mode="" re="" rest=()
	while [ $# -gt 0 ]; do
		if [ -z "$mode" ]; then
			case $1 in
			-top) mode=top ;;
			-traces) mode=traces ;;
			-tags) mode=tags ;;
			-dot) mode=dot ;;
			-peek | -list)
				[ $# -ge 2 ] || return 1
				mode=${1#-}
				re=$2
				shift
				;;
			*) rest+=("$1") ;;
			esac
		else
			rest+=("$1")
		fi
		shift
	done
	[ -n "$mode" ] || return 1
	gw_cmd=(pprof "$mode")
	if [ "$mode" = peek ] || [ "$mode" = list ]; then gw_cmd+=("$re"); fi
	gw_cmd+=("${rest[@]}")
}

# gw_run DIR: run "$FLAREWATCH" "${gw_cmd[@]}" from DIR with TZ=UTC and no
# stdin; stdout and stderr go to $gw_out / $gw_err, the status to gw_rc.
gw_run() {
	# The outer 2>/dev/null only silences bash's own "Aborted"/"Segmentation
	# fault" notice; gw_describe_run reports the signal.
	{
		(cd "$1" && export TZ=UTC && exec "${tap_timeout[@]}" "$FLAREWATCH" "${gw_cmd[@]}") \
			>"$gw_out" 2>"$gw_err" </dev/null
		gw_rc=$?
	} 2>/dev/null
}

# gw_describe_run: diagnostics common to every failure.
gw_describe_run() {
	local how="exit status $gw_rc"
	if [ "$gw_rc" -eq 124 ] && [ ${#tap_timeout[@]} -gt 0 ]; then
		how="timed out after ${FW_TIMEOUT}s"
	elif [ "$gw_rc" -gt 128 ]; then
		how="killed by signal $((gw_rc - 128)) ($(kill -l $((gw_rc - 128)) 2>/dev/null || echo '?'))"
	fi
	echo "# command: (cd $1 && TZ=UTC $FLAREWATCH ${gw_cmd[*]})"
	echo "# result:  $how, $(wc -c <"$gw_out") bytes on stdout, $(wc -c <"$gw_err") bytes on stderr"
	if [ -s "$gw_err" ]; then
		echo "# stderr:"
		gw_diag_file "$gw_err" 40
	fi
}

# gw_canon_conflict: stdin to stdout with the option list of pprof's
# "conflicting options set: [a b]" sorted (pprof prints it in Go's random
# map order).
gw_canon_conflict() {
	local line words
	while IFS= read -r line || [ -n "$line" ]; do
		if [[ $line =~ ^(.*conflicting\ options\ set:\ \[)([^]]*)(\].*)$ ]]; then
			words=$(tr ' ' '\n' <<<"${BASH_REMATCH[2]}" | sort | tr '\n' ' ')
			line="${BASH_REMATCH[1]}${words% }${BASH_REMATCH[3]}"
		fi
		printf '%s\n' "$line"
	done
}

# gw_pprof_analysis_error GOLDEN.stderr: true when pprof's error, the last
# line of its stderr, is one flarewatch reports as an analysis error with
# exit status 1 (the pprof tool exits 2 for every error; flarewatch exits 2
# only for usage errors): no profile could be read, a filter's regexp is
# invalid, peek's regexp matches nothing, the sample index does not exist,
# -divide_by is 0, a base cannot be merged with the sources.
gw_pprof_analysis_error() {
	case $(tail -n 1 "$1") in
	'failed to fetch any source profiles' | 'failed to fetch any base profiles' | \
		'parsing '*' regexp: '* | 'no matches found for regexp: '* | \
		'sample_index "'*'" must be one of: '* | 'sample_index '*' is outside the range '* | \
		'zero divisor specified' | \
		*': incompatible types: '* | 'incompatible sample types'* | \
		'incompatible period types'*) return 0 ;;
	esac
	return 1
}

# gw_judge NAME WANT_RC GOLDEN DIR [STDERR]: report the run just made by gw_run.
#   WANT_RC == 0: pass iff we exited 0 and stdout equals GOLDEN byte for byte;
#                 with STDERR=1, stderr must also equal GOLDEN.stderr (pprof's
#                 warnings) byte for byte.
#   WANT_RC == 2 and STDERR=1 (the pprof tool's own status for a usage or
#                 flag error): pass iff we exited 2 with empty stdout and our
#                 stderr contains every line of GOLDEN.stderr before pprof's
#                 "usage:" text (its warnings and its message; we add the
#                 command and a --help pointer around the message) and no
#                 other line (each is one of pprof's or holds its message). When
#                 the message is an analysis error (gw_pprof_analysis_error)
#                 the same, but with our exit status 1.
#   WANT_RC != 0 otherwise: pass iff we exited 1 with empty stdout and
#                 something on stderr (GOLDEN is not read; the reference's
#                 stdout was empty).
# A sanitizer report on stderr always fails.
gw_judge() {
	local name=$1 want_rc=$2 golden=$3 dir=$4 check_stderr=${5:-0} want_msg want_status
	if gw_sanitizer_report; then
		gw_not_ok "$name" "sanitizer report on stderr"
		gw_describe_run "$dir"
		return
	fi
	if [ "$want_rc" -eq 2 ] && [ "$check_stderr" = 1 ]; then
		local missing="" extra="" line
		gw_canon_conflict <"$gw_err" >"$gw_tmp/err.canon"
		: >"$gw_tmp/want.canon"
		while IFS= read -r line; do
			[ "$line" = usage: ] && break
			printf '%s\n' "$line" >>"$gw_tmp/want.canon"
			grep -qF -- "$line" "$gw_tmp/err.canon" || missing+="${missing:+; }$line"
		done < <(gw_canon_conflict <"$golden.stderr")
		# pprof's message is its last line before the usage text; each of
		# our lines is one of pprof's notes or holds that message
		want_msg=$(tail -n 1 "$gw_tmp/want.canon")
		while IFS= read -r line; do
			grep -qxF -- "$line" "$gw_tmp/want.canon" ||
				{ [ -n "$want_msg" ] && [[ $line == *"$want_msg"* ]]; } ||
				extra+="${extra:+; }$line"
		done <"$gw_tmp/err.canon"
		want_status=2
		if gw_pprof_analysis_error "$golden.stderr"; then want_status=1; fi
		if [ "$gw_rc" -eq "$want_status" ] && [ ! -s "$gw_out" ] && [ -n "$want_msg" ] &&
			[ -z "$missing" ] && [ -z "$extra" ]; then
			gw_ok "$name"
		else
			gw_not_ok "$name" "expected exit status $want_status, empty stdout and pprof's lines on stderr;" \
				"missing: ${missing:-none}; not pprof's: ${extra:-none}"
			gw_describe_run "$dir"
		fi
		return
	fi
	if [ "$want_rc" -ne 0 ]; then
		if [ "$gw_rc" -eq 1 ] && [ ! -s "$gw_out" ] && [ -s "$gw_err" ]; then
			gw_ok "$name"
		else
			gw_not_ok "$name" "expected exit status 1, empty stdout and an error on stderr" \
				"(the reference exited $want_rc)"
			gw_describe_run "$dir"
			if [ -s "$gw_out" ]; then
				echo "# stdout:"
				gw_diag_file "$gw_out" 20
			fi
		fi
		return
	fi
	if [ "$gw_rc" -ne 0 ]; then
		gw_not_ok "$name" "flarewatch failed"
		gw_describe_run "$dir"
		return
	fi
	if [ ! -f "$golden" ]; then
		gw_not_ok "$name" "golden file missing: $golden"
		return
	fi
	if [ "$check_stderr" = 1 ] && ! cmp -s "$golden.stderr" "$gw_err"; then
		gw_not_ok "$name" "stderr differs from $golden.stderr (pprof's warnings)"
		diff -u --label "expected/$name.stderr" --label "actual/$name.stderr" "$golden.stderr" \
			"$gw_err" >"$gw_tmp/diff"
		gw_diag_file "$gw_tmp/diff"
		return
	fi
	if cmp -s "$golden" "$gw_out"; then
		gw_ok "$name"
		return
	fi
	gw_not_ok "$name" "stdout differs from the golden"
	echo "# command: (cd $dir && TZ=UTC $FLAREWATCH ${gw_cmd[*]})"
	diff -u --label "expected/$name" --label "actual/$name" "$golden" "$gw_out" \
		>"$gw_tmp/diff"
	gw_diag_file "$gw_tmp/diff"
}
